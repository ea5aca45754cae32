/* config: reads the INI file with inih and command-line conninfos with libpq's own parser, and
 * appends a new node to the file (atomically, and only what reads back as it was written). */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->refresh_s = 1.0;
    c->lag_warn_bytes = 16LL * 1024 * 1024;
    c->lag_crit_bytes = 256LL * 1024 * 1024;
    c->lag_warn_s = 10;
    c->lag_crit_s = 60;
    c->connect_timeout_ms = 2000;
    c->query_timeout_ms = 2000;
}

void config_done(struct config *c)
{
    for (int i = 0; i < c->nnodes; i++) {
        free(c->nodes[i].conninfo);
        free(c->nodes[i].datadir);
        free(c->nodes[i].bindir);
    }
    free(c->nodes);
    free(c->path);
    free(c->theme);
    memset(c, 0, sizeof *c);
}

struct node_conf *config_find_node(struct config *c, const char *name)
{
    for (int i = 0; i < c->nnodes; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return &c->nodes[i];
    return NULL;
}

static bool valid_node_name(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0 || len >= CONFIG_NAME_LEN) {
        str_printf(err, errlen, "node name must be 1 to %d characters", CONFIG_NAME_LEN - 1);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            str_printf(err, errlen, "node name \"%s\" contains a control character", name);
            return false;
        }
    }
    return true;
}

/* Finds or creates the entry of a node; [node X] sections may come before [nodes]. */
static struct node_conf *node_slot(struct config *c, const char *name)
{
    struct node_conf *n = config_find_node(c, name);
    if (n)
        return n;
    c->nodes = xrealloc(c->nodes, (size_t)(c->nnodes + 1) * sizeof *c->nodes);
    n = &c->nodes[c->nnodes++];
    memset(n, 0, sizeof *n);
    str_copy(n->name, sizeof n->name, name);
    n->port = -1;
    return n;
}

static bool check_conninfo(const char *conninfo, char *err, size_t errlen)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
    if (!opts) {
        str_copy(err, errlen, msg ? msg : "invalid connection string");
        /* libpq's messages end in a newline; one line is what we print */
        err[strcspn(err, "\n")] = '\0';
        PQfreemem(msg);
        return false;
    }
    PQconninfoFree(opts);
    return true;
}

bool config_add_node(struct config *c, const char *name, const char *conninfo, const char *origin,
                     char *err, size_t errlen)
{
    if (!valid_node_name(name, err, errlen))
        return false;
    struct node_conf *n = config_find_node(c, name);
    if (n && n->conninfo) {
        str_printf(err, errlen, "duplicate node name \"%s\" (first at %s)", name, n->origin);
        return false;
    }
    if (str_empty(conninfo)) {
        str_printf(err, errlen, "node \"%s\" has an empty connection string", name);
        return false;
    }
    if (!check_conninfo(conninfo, err, errlen))
        return false;
    n = node_slot(c, name);
    n->conninfo = xstrdup(conninfo);
    str_copy(n->origin, sizeof n->origin, origin);
    return true;
}

static const char *opt_value(PQconninfoOption *opts, const char *key)
{
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, key) == 0 && !str_empty(o->val))
            return o->val;
    return NULL;
}

bool config_add_conninfo(struct config *c, const char *conninfo, const char *origin, char *err,
                         size_t errlen)
{
    if (!check_conninfo(conninfo, err, errlen))
        return false;
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    char name[CONFIG_NAME_LEN];
    const char *app = opt_value(opts, "application_name");
    if (app) {
        str_copy(name, sizeof name, app);
    } else {
        const char *host = opt_value(opts, "host");
        if (!host)
            host = opt_value(opts, "hostaddr");
        if (!host)
            host = getenv("PGHOST");
        const char *port = opt_value(opts, "port");
        if (!port)
            port = getenv("PGPORT");
        const char *service = opt_value(opts, "service");
        if (!host && service)
            str_copy(name, sizeof name, service);
        else
            str_printf(name, sizeof name, "%s:%s", host ? host : "local", port ? port : "5432");
    }
    PQconninfoFree(opts);
    return config_add_node(c, name, conninfo, origin, err, errlen);
}

bool config_parse_bytes(const char *s, int64_t *out)
{
    static const struct {
        const char *unit;
        int64_t mult;
    } units[] = {{"", 1},           {"b", 1},         {"kb", 1024},
                 {"k", 1024},       {"mb", 1 << 20},  {"m", 1 << 20},
                 {"gb", 1LL << 30}, {"g", 1LL << 30}, {"tb", 1LL << 40}};
    if (str_empty(s))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(end, units[i].unit) == 0) {
            double bytes = v * (double)units[i].mult;
            if (bytes > 9e18)
                return false;
            *out = (int64_t)bytes;
            return true;
        }
    }
    return false;
}

bool config_parse_seconds(const char *s, double *out)
{
    if (str_empty(s))
        return false;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0 || !isfinite(v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (*end == '\0' || strcasecmp(end, "s") == 0)
        *out = v;
    else if (strcasecmp(end, "ms") == 0)
        *out = v / 1000;
    else if (strcasecmp(end, "min") == 0)
        *out = v * 60;
    else
        return false;
    return true;
}

/* inih calls back per key; we track the line ourselves because Debian's inih is built
 * without INI_HANDLER_LINENO, and stop at the first error so it is reported precisely. */
struct ini_state {
    struct config *c;
    FILE *f;
    int line;
    int err_line; /* the line of the first error; parsing goes on past it */
    char err[512];
};

#define INI_SECTION_MAX 50 /* inih's INI_MAX_SECTION, as Debian builds it */

static char *ini_read_line(char *str, int num, void *stream)
{
    struct ini_state *st = stream;
    char *r = fgets(str, num, st->f);
    if (!r)
        return NULL;
    st->line++;
    size_t len = strlen(str);
    if (len == (size_t)num - 1 && str[len - 1] != '\n' && !feof(st->f) && !st->err[0]) {
        st->err_line = st->line;
        str_printf(st->err, sizeof st->err,
                   "line longer than %d characters (use a service file for long conninfos)",
                   num - 2);
    }
    /* inih cuts section names at 49 bytes without a word: "[node NAME]" would silently name
     * another node. Say so instead. */
    const char *p = str + strspn(str, " \t");
    if (*p == '[' && !st->err[0]) {
        size_t sec = strcspn(p + 1, "]\n");
        if (sec >= INI_SECTION_MAX) {
            st->err_line = st->line;
            str_printf(st->err, sizeof st->err,
                       "section name longer than %d characters (a node name in [node NAME] "
                       "can have at most %d)",
                       INI_SECTION_MAX - 1, INI_SECTION_MAX - 6);
        }
    }
    return r;
}

static bool set_setting(struct config *c, const char *key, const char *value, char *err,
                        size_t errlen)
{
    double secs;
    int64_t bytes;
    if (strcmp(key, "refresh") == 0 || strcmp(key, "interval") == 0) {
        if (!config_parse_seconds(value, &secs) || secs < 0.1 || secs > 3600) {
            str_printf(err, errlen, "refresh must be a time from 0.1s to 3600s, not \"%s\"", value);
            return false;
        }
        c->refresh_s = secs;
    } else if (strcmp(key, "theme") == 0) {
        free(c->theme);
        c->theme = xstrdup(value);
    } else if (strcmp(key, "lag_warn_bytes") == 0 || strcmp(key, "lag_crit_bytes") == 0) {
        if (!config_parse_bytes(value, &bytes)) {
            str_printf(err, errlen, "%s must be a size like 16MB, not \"%s\"", key, value);
            return false;
        }
        *(key[4] == 'w' ? &c->lag_warn_bytes : &c->lag_crit_bytes) = bytes;
    } else if (strcmp(key, "lag_warn_seconds") == 0 || strcmp(key, "lag_crit_seconds") == 0) {
        if (!config_parse_seconds(value, &secs)) {
            str_printf(err, errlen, "%s must be a time like 10s, not \"%s\"", key, value);
            return false;
        }
        *(key[4] == 'w' ? &c->lag_warn_s : &c->lag_crit_s) = secs;
    } else if (strcmp(key, "connect_timeout") == 0 || strcmp(key, "query_timeout") == 0) {
        if (!config_parse_seconds(value, &secs) || secs < 0.05 || secs > 600) {
            str_printf(err, errlen, "%s must be a time from 50ms to 600s, not \"%s\"", key, value);
            return false;
        }
        *(key[0] == 'c' ? &c->connect_timeout_ms : &c->query_timeout_ms) = (int)(secs * 1000);
    } else {
        str_printf(err, errlen, "unknown setting \"%s\" in [repltop]", key);
        return false;
    }
    return true;
}

static bool set_node_option(struct config *c, const char *node, const char *key, const char *value,
                            const char *origin, char *err, size_t errlen)
{
    if (!valid_node_name(node, err, errlen))
        return false;
    struct node_conf *n = node_slot(c, node);
    if (!n->origin[0])
        str_copy(n->origin, sizeof n->origin, origin);
    if (strcmp(key, "datadir") == 0) {
        free(n->datadir);
        n->datadir = xstrdup(value);
    } else if (strcmp(key, "bindir") == 0) {
        free(n->bindir);
        n->bindir = xstrdup(value);
    } else if (strcmp(key, "port") == 0) {
        char *end;
        long port = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || port < 1 || port > 65535) {
            str_printf(err, errlen, "port must be a number from 1 to 65535, not \"%s\"", value);
            return false;
        }
        n->port = (int)port;
    } else {
        str_printf(err, errlen, "unknown setting \"%s\" in [node %s] (datadir, port, bindir)", key,
                   node);
        return false;
    }
    return true;
}

static int ini_handler_fn(void *user, const char *section, const char *name, const char *value)
{
    struct ini_state *st = user;
    if (st->err[0])
        return 0;
    char origin[128];
    str_printf(origin, sizeof origin, "%s:%d", st->c->path, st->line);
    char err[400] = "";
    bool ok;
    if (strcmp(section, "repltop") == 0)
        ok = set_setting(st->c, name, value, err, sizeof err);
    else if (strcmp(section, "nodes") == 0)
        ok = config_add_node(st->c, name, value, origin, err, sizeof err);
    else if (strncmp(section, "node ", 5) == 0)
        ok = set_node_option(st->c, section + 5, name, value, origin, err, sizeof err);
    else if (section[0] == '\0') {
        str_printf(err, sizeof err,
                   "\"%s\" is outside any section ([repltop], [nodes], [node NAME])", name);
        ok = false;
    } else {
        str_printf(err, sizeof err, "unknown section [%s] ([repltop], [nodes], [node NAME])",
                   section);
        ok = false;
    }
    if (!ok) {
        str_copy(st->err, sizeof st->err, err);
        st->err_line = st->line;
    }
    return ok;
}

/* Reads the INI text of f (named path in messages) into c. */
static bool load_stream(struct config *c, FILE *f, const char *path, char *err, size_t errlen)
{
    free(c->path);
    c->path = xstrdup(path);
    struct ini_state st = {.c = c, .f = f};
    int rc = ini_parse_stream(ini_read_line, &st, ini_handler_fn, &st);
    if (st.err[0]) {
        str_printf(err, errlen, "%s:%d: %s", path, st.err_line, st.err);
        return false;
    }
    if (rc != 0) {
        str_printf(err, errlen, "%s:%d: not an INI line (expected [section] or key = value)", path,
                   rc > 0 ? rc : st.err_line);
        return false;
    }
    return true;
}

bool config_load_file(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    bool ok = load_stream(c, f, path, err, errlen);
    fclose(f);
    return ok;
}

bool config_validate(const struct config *c, char *err, size_t errlen)
{
    if (c->nnodes == 0) {
        str_copy(err, errlen,
                 "no nodes to watch: give a conninfo or -c FILE with a [nodes] section");
        return false;
    }
    for (int i = 0; i < c->nnodes; i++) {
        if (!c->nodes[i].conninfo) {
            str_printf(err, errlen, "%s: [node %s] names a node that is not in [nodes]",
                       c->nodes[i].origin, c->nodes[i].name);
            return false;
        }
    }
    if (c->lag_warn_bytes > c->lag_crit_bytes || c->lag_warn_s > c->lag_crit_s) {
        str_printf(err, errlen, "%s: lag warn thresholds must not exceed the crit thresholds",
                   c->path ? c->path : "config");
        return false;
    }
    return true;
}

/* ----- adding a node to the file ----- */

/* The longest line the reader takes: fgets into INI_MAX_LINE bytes, the newline included. */
#define LINE_MAX_CHARS (INI_MAX_LINE - 2)
/* inih copies a section name into 50 bytes: "node " and the name must fit in 49. */
#define SECTION_NAME_MAX 44

/* Whether inih gives a value back as written: it strips surrounding blanks, a ';' after a
 * blank starts a comment, and a line break would end the value. */
static bool ini_value_ok(const char *what, const char *v, char *err, size_t errlen)
{
    if (str_empty(v)) {
        str_printf(err, errlen, "%s is empty", what);
        return false;
    }
    size_t len = strlen(v);
    if (isspace((unsigned char)v[0]) || isspace((unsigned char)v[len - 1])) {
        str_printf(err, errlen, "%s starts or ends with a blank (the config reader drops it)",
                   what);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            str_printf(err, errlen, "%s contains a control character", what);
            return false;
        }
        if (*p == ';' && p > (const unsigned char *)v && isspace(p[-1])) {
            str_printf(err, errlen,
                       "%s contains \" ;\", which the config reader takes for a comment", what);
            return false;
        }
    }
    return true;
}

bool config_check_entry(const char *name, const char *conninfo, const char *datadir, int port,
                        const char *bindir, char *err, size_t errlen)
{
    if (!valid_node_name(name, err, errlen))
        return false;
    if (strlen(name) > SECTION_NAME_MAX) {
        str_printf(err, errlen,
                   "node name \"%s\" is longer than %d characters ([node NAME] "
                   "must fit the config reader's section names)",
                   name, SECTION_NAME_MAX);
        return false;
    }
    if (strpbrk(name, "=:;#[]") || isspace((unsigned char)name[0]) ||
        isspace((unsigned char)name[strlen(name) - 1])) {
        str_printf(err, errlen,
                   "node name \"%s\" cannot be written to the config: no = : ; # [ ] and no "
                   "blank at either end",
                   name);
        return false;
    }
    char what[CONFIG_NAME_LEN + 64];
    str_printf(what, sizeof what, "the connection string of %s", name);
    if (!ini_value_ok(what, conninfo, err, errlen) || !check_conninfo(conninfo, err, errlen))
        return false;
    str_printf(what, sizeof what, "the datadir of %s", name);
    if (datadir && !ini_value_ok(what, datadir, err, errlen))
        return false;
    str_printf(what, sizeof what, "the bindir of %s", name);
    if (bindir && !ini_value_ok(what, bindir, err, errlen))
        return false;
    if (port > 65535) {
        str_printf(err, errlen, "port must be a number from 1 to 65535, not %d", port);
        return false;
    }
    char *text = config_node_text(name, conninfo, datadir, port, bindir);
    bool ok = true;
    for (const char *line = text; ok && *line;) {
        size_t len = strcspn(line, "\n");
        if (len > LINE_MAX_CHARS) {
            /* the line may hold a password: say which one, not what it says */
            str_printf(err, errlen,
                       "the line \"%.*s ...\" would be %zu characters, the config reader takes "
                       "at most %d (use a service file for long conninfos, or a shorter path)",
                       (int)strcspn(line, "="), line, len, LINE_MAX_CHARS);
            ok = false;
        }
        line += len + (line[len] == '\n');
    }
    free(text);
    return ok;
}

char *config_node_text(const char *name, const char *conninfo, const char *datadir, int port,
                       const char *bindir)
{
    char *text = xasprintf("[nodes]\n%s = %s\n", name, conninfo);
    if (!datadir && port <= 0 && !bindir)
        return text;
    char portline[32] = "";
    if (port > 0)
        str_printf(portline, sizeof portline, "port = %d\n", port);
    char *more = xasprintf("%s\n[node %s]\n%s%s%s%s%s%s%s", text, name, datadir ? "datadir = " : "",
                           datadir ? datadir : "", datadir ? "\n" : "", portline,
                           bindir ? "bindir = " : "", bindir ? bindir : "", bindir ? "\n" : "");
    free(text);
    return more;
}

/* The whole file, and what it was when read (to notice a concurrent change). */
static char *read_all(const char *path, struct stat *st, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, st) != 0) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st->st_mode)) {
        str_printf(err, errlen, "%s is not a regular file", path);
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st->st_size + 1, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            str_printf(err, errlen, "%s: %s", path, strerror(errno));
            close(fd);
            free(buf);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* A node as config_append_node writes it. */
struct entry {
    const char *name, *conninfo, *datadir, *bindir;
    int port;
    int nnodes; /* how many nodes the file must then have */
};

static bool same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Whether the file at path loads and holds the entry exactly as it was given. */
static bool loads_with(const char *path, const struct entry *e, char *err, size_t errlen)
{
    struct config c;
    config_init(&c);
    bool ok = config_load_file(&c, path, err, errlen);
    const struct node_conf *n = ok ? config_find_node(&c, e->name) : NULL;
    if (ok && (!n || !same_str(n->conninfo, e->conninfo) || !same_str(n->datadir, e->datadir) ||
               !same_str(n->bindir, e->bindir) || n->port != (e->port > 0 ? e->port : -1) ||
               c.nnodes != e->nnodes)) {
        str_printf(err, errlen, "%s: node %s does not read back as it was written", path, e->name);
        ok = false;
    }
    config_done(&c);
    return ok;
}

/* Replaces path (a regular file, not a link) with text: a temp file beside it with the old
 * file's mode and owner, flushed, then renamed over it, so that a crash leaves either file
 * whole. With check, the temp file must load with the node as given before it replaces path;
 * a change of path since it was read (was) is refused. */
static bool replace_file(const char *path, const struct stat *was, const char *text, size_t len,
                         const struct entry *check, char *err, size_t errlen)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    str_copy(dir, sizeof dir, path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    str_printf(tmp, sizeof tmp, "%s/.%s.repltop-XXXXXX", slash ? dir : ".", base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        str_printf(err, errlen, "cannot create a temporary file beside %s: %s", path,
                   strerror(errno));
        return false;
    }
    bool ok = true;
    for (size_t done = 0; ok && done < len;) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        done += ok ? (size_t)w : 0;
    }
    struct stat now;
    ok = ok && fstat(fd, &now) == 0 &&
         ((now.st_uid == was->st_uid && now.st_gid == was->st_gid) ||
          fchown(fd, was->st_uid, was->st_gid) == 0) &&
         fchmod(fd, was->st_mode & 07777) == 0 && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        str_printf(err, errlen, "cannot write %s with the mode and owner of %s: %s", tmp, path,
                   strerror(saved));
        unlink(tmp);
        return false;
    }
    if (check && !loads_with(tmp, check, err, errlen)) {
        unlink(tmp);
        return false;
    }
    /* someone else's change since we read it would be lost: refuse instead */
    struct stat again;
    if (stat(path, &again) != 0 || again.st_ino != was->st_ino || again.st_size != was->st_size ||
        again.st_mtim.tv_sec != was->st_mtim.tv_sec ||
        again.st_mtim.tv_nsec != was->st_mtim.tv_nsec) {
        str_printf(err, errlen,
                   "%s changed while it was being rewritten: nothing written, run "
                   "again",
                   path);
        unlink(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        str_printf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
        unlink(tmp);
        return false;
    }
    int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd); /* the rename itself survives a crash */
        close(dfd);
    }
    return true;
}

bool config_append_node(const char *path, const char *name, const char *conninfo,
                        const char *datadir, int port, const char *bindir, char *err, size_t errlen)
{
    if (!config_check_entry(name, conninfo, datadir, port, bindir, err, errlen))
        return false;
    /* the file itself, where a symbolic link points: the link stays a link */
    char *real = realpath(path, NULL);
    if (!real) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    struct stat st;
    size_t len = 0;
    char *old = read_all(real, &st, &len, err, errlen);
    struct config cur;
    config_init(&cur);
    bool ok = old != NULL;
    if (ok && memchr(old, '\0', len)) {
        str_printf(err, errlen, "%s holds a NUL byte: not a config file", path);
        ok = false;
    }
    /* what is in the file now, read as loading reads it */
    FILE *f = ok && len ? fmemopen(old, len, "r") : NULL;
    if (ok && len && !f) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok && f && !load_stream(&cur, f, path, err, errlen)) {
        size_t n = strlen(err);
        str_printf(err + n, errlen - n, " (fix the file first: nothing was added)");
        ok = false;
    }
    if (f)
        fclose(f);
    const struct node_conf *dup = ok ? config_find_node(&cur, name) : NULL;
    if (dup) {
        str_printf(err, errlen, "node \"%s\" is already in %s (%s)", name, path, dup->origin);
        ok = false;
    }
    struct entry e = {name, conninfo, datadir, bindir, port, cur.nnodes + 1};
    config_done(&cur);
    char *node = ok ? config_node_text(name, conninfo, datadir, port, bindir) : NULL;
    char *text = NULL;
    if (ok) {
        bool nl = len > 0 && old[len - 1] != '\n';
        text = xasprintf("%s%s\n%s", old, nl ? "\n" : "", node);
        ok = replace_file(real, &st, text, strlen(text), &e, err, errlen);
    }
    /* the result, read again where it now is; the old content goes back if it does not load */
    char why[600];
    if (ok && !loads_with(real, &e, why, sizeof why)) {
        struct stat st2;
        char restore[600] = "";
        if (stat(real, &st2) != 0 ||
            !replace_file(real, &st2, old, len, NULL, restore, sizeof restore))
            str_printf(err, errlen, "%s; and the old content could not be put back: %s", why,
                       restore);
        else
            str_printf(err, errlen, "%s; the old content is back", why);
        ok = false;
    }
    if (node)
        explicit_bzero(node, strlen(node));
    if (text)
        explicit_bzero(text, strlen(text));
    if (old)
        explicit_bzero(old, len);
    free(node);
    free(text);
    free(old);
    free(real);
    return ok;
}

int config_add_new_nodes(struct config *c, const struct config *from)
{
    int added = 0;
    char err[400];
    for (int i = 0; i < from->nnodes; i++) {
        const struct node_conf *f = &from->nodes[i];
        if (!f->conninfo || config_find_node(c, f->name) ||
            !config_add_node(c, f->name, f->conninfo, f->origin, err, sizeof err))
            continue;
        struct node_conf *n = config_find_node(c, f->name);
        n->datadir = f->datadir ? xstrdup(f->datadir) : NULL;
        n->bindir = f->bindir ? xstrdup(f->bindir) : NULL;
        n->port = f->port;
        added++;
    }
    return added;
}
