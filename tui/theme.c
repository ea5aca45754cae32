/* theme: parsing theme files and finding them on disk. */
#include "theme.h"
#include "model/base/files.h"
#include "model/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef REPLTOP_DATADIR
#define REPLTOP_DATADIR "/usr/local/share/repltop"
#endif

const char *const theme_builtin_names[] = {"default",    "dark",          "light",
                                           "monochrome", "high-contrast", NULL};

static const char *const color_names[] = {"black", "red",     "green", "yellow",
                                          "blue",  "magenta", "cyan",  "white"};

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

bool theme_parse_color(const char *s, int16_t *out)
{
    if (!*s || strcasecmp(s, "default") == 0 || strcmp(s, "-1") == 0) {
        *out = COLOR_DEFAULT;
        return true;
    }
    int base = 0;
    if (strncasecmp(s, "bright-", 7) == 0) {
        s += 7;
        base = 8;
    } else if (strncasecmp(s, "bright", 6) == 0) {
        s += 6;
        base = 8;
    }
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(s, color_names[i]) == 0) {
            *out = (int16_t)(base + i);
            return true;
        }
    }
    if (base)
        return false;
    if (strncasecmp(s, "color", 5) == 0)
        s += 5;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 255)
        return false;
    *out = (int16_t)v;
    return true;
}

bool theme_parse_attrs(const char *s, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t bit;
    } names[] = {{"none", 0},
                 {"normal", 0},
                 {"bold", ATTR_BOLD},
                 {"dim", ATTR_DIM},
                 {"underline", ATTR_UNDERLINE},
                 {"reverse", ATTR_REVERSE},
                 {"standout", ATTR_REVERSE},
                 {"italic", ATTR_ITALIC}};
    uint8_t attrs = 0;
    char buf[128];
    str_copy(buf, sizeof buf, s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "+| ", &save); tok; tok = strtok_r(NULL, "+| ", &save)) {
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strcasecmp(tok, names[i].name) == 0)
                break;
        if (i == sizeof names / sizeof names[0])
            return false;
        attrs |= names[i].bit;
    }
    *out = attrs;
    return true;
}

/* Parses "fg,bg,attrs" into st; on failure err says what (without FILE:LINE). */
static bool parse_style(const char *value, struct style *st, char *err, size_t errlen)
{
    char buf[256];
    str_copy(buf, sizeof buf, value);
    char *field[4] = {NULL, NULL, NULL, NULL};
    int n = 0;
    char *p = buf;
    while (n < 4) {
        field[n++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    if (n > 3) {
        str_copy(err, errlen, "expected fg,bg,attrs (at most three fields)");
        return false;
    }
    struct style s = {COLOR_DEFAULT, COLOR_DEFAULT, 0};
    const char *fg = trim(field[0]);
    if (!*fg) {
        str_copy(err, errlen, "missing foreground colour");
        return false;
    }
    if (!theme_parse_color(fg, &s.fg)) {
        str_printf(err, errlen, "unknown colour '%s'", fg);
        return false;
    }
    if (n > 1 && !theme_parse_color(trim(field[1]), &s.bg)) {
        str_printf(err, errlen, "unknown colour '%s'", trim(field[1]));
        return false;
    }
    if (n > 2 && !theme_parse_attrs(trim(field[2]), &s.attrs)) {
        str_printf(err, errlen, "unknown attribute in '%s' (bold, dim, underline, reverse, italic)",
                   trim(field[2]));
        return false;
    }
    *st = s;
    return true;
}

void theme_defaults(struct theme *t)
{
    memset(t, 0, sizeof *t);
    str_copy(t->name, sizeof t->name, "default");
    for (int i = 0; i < CR_COUNT; i++) {
        char err[128];
        if (!parse_style(role_default((enum role)i), &t->role[i], err, sizeof err))
            t->role[i] = (struct style){COLOR_DEFAULT, COLOR_DEFAULT, 0};
    }
}

bool theme_parse(struct theme *t, const char *text, const char *file, char *err, size_t errlen)
{
    struct theme out = *t;
    int lineno = 0;
    const char *p = text ? text : "";
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        char line[512];
        if (len >= sizeof line) {
            str_printf(err, errlen, "%s:%d: line too long", file, lineno);
            return false;
        }
        memcpy(line, p, len);
        line[len] = '\0';
        p += len + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s || *s == ';')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            str_printf(err, errlen, "%s:%d: expected 'role = fg,bg,attrs'", file, lineno);
            return false;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        int role = role_from_key(key);
        if (role < 0) {
            str_printf(err, errlen, "%s:%d: unknown role '%s'", file, lineno, key);
            return false;
        }
        char why[200];
        if (!parse_style(value, &out.role[role], why, sizeof why)) {
            str_printf(err, errlen, "%s:%d: %s: %s", file, lineno, key, why);
            return false;
        }
    }
    *t = out;
    return true;
}

bool theme_load_file(struct theme *t, const char *path, char *err, size_t errlen)
{
    FILE *f = file_open_read(path, err, errlen);
    if (!f)
        return false;
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 >= cap) {
            if (cap >= 1 << 20)
                break; /* a theme is a few lines; do not read a mistaken huge file */
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    buf[len] = '\0';
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        str_printf(err, errlen, "%s: read error", path);
        free(buf);
        return false;
    }
    struct theme th;
    theme_defaults(&th);
    bool ok = theme_parse(&th, buf, path, err, errlen);
    free(buf);
    if (!ok)
        return false;
    str_copy(th.path, sizeof th.path, path);
    const char *base = strrchr(path, '/');
    str_copy(th.name, sizeof th.name, base ? base + 1 : path);
    char *dot = strstr(th.name, ".theme");
    if (dot && dot[6] == '\0')
        *dot = '\0';
    th.no_color = t->no_color;
    *t = th;
    return true;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

bool theme_find(const char *name, char *path, size_t n)
{
    if (!name || !*name)
        return false;
    if (strchr(name, '/') || ends_with(name, ".theme")) {
        str_copy(path, n, name);
        return is_file(path);
    }
    char dirs[4][PATH_MAX];
    int nd = 0;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        str_printf(dirs[nd++], PATH_MAX, "%s/repltop/themes", xdg);
    else if (home && *home)
        str_printf(dirs[nd++], PATH_MAX, "%s/.config/repltop/themes", home);
    str_printf(dirs[nd++], PATH_MAX, "%s/themes", REPLTOP_DATADIR);
    str_copy(dirs[nd++], PATH_MAX, "themes");
    /* and beside the program, so a repltop built in its source tree finds them from anywhere */
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            str_printf(dirs[nd++], PATH_MAX, "%s/themes", exe);
        }
    }
    for (int i = 0; i < nd; i++) {
        str_printf(path, n, "%s/%s.theme", dirs[i], name);
        if (is_file(path))
            return true;
    }
    return false;
}

bool theme_load(struct theme *t, const char *name, char *err, size_t errlen)
{
    bool no_color = t->no_color;
    theme_defaults(t);
    t->no_color = no_color;
    if (!name || !*name)
        return true;
    char path[PATH_MAX];
    if (!theme_find(name, path, sizeof path)) {
        if (strcmp(name, "default") == 0)
            return true; /* the built-in default needs no file */
        str_printf(err, errlen,
                   "theme '%s' not found (looked in $XDG_CONFIG_HOME/repltop/themes, "
                   "%s/themes, ./themes and beside the program)",
                   name, REPLTOP_DATADIR);
        return false;
    }
    if (!theme_load_file(t, path, err, errlen)) {
        theme_defaults(t);
        t->no_color = no_color;
        return false;
    }
    return true;
}

const char *theme_next_name(const char *name)
{
    for (int i = 0; theme_builtin_names[i]; i++)
        if (name && strcmp(name, theme_builtin_names[i]) == 0)
            return theme_builtin_names[i + 1] ? theme_builtin_names[i + 1] : theme_builtin_names[0];
    return theme_builtin_names[0];
}
