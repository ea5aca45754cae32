/* local_conf: a local node's configuration files — read, written back, settings in them read
 * and replaced — its other file writes, and the settings that make it a standby. */
#include "model/local/local_conf.h"
#include "model/local/local_fs.h"
#include "model/pg/conninfo.h"
#include "model/base/files.h"
#include "model/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *const local_conf_names[CONF_NFILES] = {"postgresql.conf", "pg_hba.conf",
                                                   "pg_ident.conf", "postgresql.auto.conf"};

/* ----- files ----- */

void local_conf_read(struct local_conf *c, const char *datadir)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < CONF_NFILES; i++) {
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", datadir, local_conf_names[i]);
        c->text[i] = local_read_here(path, &c->mode[i]);
    }
}

void local_conf_read_node(struct local_conf *c, const struct local_node *ln)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < CONF_NFILES; i++) {
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[i]);
        c->text[i] = local_read_file(ln, path, &c->mode[i]);
    }
}

void local_conf_free(struct local_conf *c)
{
    for (int i = 0; i < CONF_NFILES; i++) {
        if (c->text[i])
            explicit_bzero(c->text[i], strlen(c->text[i])); /* auto.conf may hold a password */
        free(c->text[i]);
        c->text[i] = NULL;
    }
}

bool local_conf_write(const struct local_node *ln, const struct local_conf *c, const char *dir,
                      char *err, size_t errlen)
{
    for (int i = 0; i < CONF_NFILES; i++) {
        if (!c->text[i])
            continue;
        char path[PATH_MAX + 32];
        str_printf(path, sizeof path, "%s/%s", dir, local_conf_names[i]);
        if (!local_write_file(ln, path, c->text[i], c->mode[i] ? c->mode[i] : 0600, err, errlen))
            return false;
    }
    return true;
}

bool local_write_file(const struct local_node *ln, const char *path, const char *text, mode_t mode,
                      char *err, size_t errlen)
{
    if (host_remote(&ln->host))
        return host_write(&ln->host, path, text, mode, err, errlen);
    return file_write_atomic(path, text, mode & 0777,
                             ln->run_as ? (struct file_owner){ln->uid, ln->gid} : FILE_OWNER_KEEP,
                             err, errlen);
}

bool local_write_files(const struct local_node *ln, const struct host_file *files, int n, char *err,
                       size_t errlen)
{
    if (host_remote(&ln->host))
        return host_write_files(&ln->host, files, n, err, errlen);
    for (int i = 0; i < n; i++) {
        if (!files[i].text)
            unlink(files[i].path);
        else if (!local_write_file(ln, files[i].path, files[i].text, files[i].mode, err, errlen))
            return false;
    }
    return true;
}

bool local_mkdir(const struct local_node *ln, const char *path, mode_t mode, char *err,
                 size_t errlen)
{
    if (host_remote(&ln->host))
        return host_mkdir(&ln->host, path, mode, err, errlen);
    if (mkdir(path, mode) < 0 || chmod(path, mode) < 0 ||
        (ln->run_as && chown(path, ln->uid, ln->gid) < 0)) {
        str_printf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

static void aside_stamp(const struct local_node *ln, const char *what, char *out, size_t n)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", localtime_r(&now, &tm));
    str_printf(out, n, "%s.repltop-%s-%s", ln->datadir, what, stamp);
}

void local_aside_path(const struct local_node *ln, const char *what, char *out, size_t n)
{
    char stem[PATH_MAX + 64];
    aside_stamp(ln, what, stem, sizeof stem);
    str_copy(out, n, stem);
    for (int i = 2; local_path_exists(ln, out) && i < 1000; i++)
        str_printf(out, n, "%s-%d", stem, i);
}

int local_move_aside(const struct local_node *ln, bool move, mode_t mode, const char *marker,
                     char *old, size_t n, char *err, size_t errlen)
{
    old[0] = '\0';
    if (host_remote(&ln->host)) {
        char stem[PATH_MAX + 64];
        aside_stamp(ln, "old", stem, sizeof stem);
        return host_move_aside(&ln->host, ln->datadir, move ? stem : NULL, mode, marker, old, n,
                               err, errlen);
    }
    char why[300];
    if (move) {
        local_aside_path(ln, "old", old, n);
        if (!local_rename(ln, ln->datadir, old, why, sizeof why)) {
            str_printf(err, errlen, "cannot move %s aside to %s: %s", ln->datadir, old, why);
            return HOST_ASIDE_MOVE;
        }
    }
    if (mode && !local_mkdir(ln, ln->datadir, mode, err, errlen))
        return HOST_ASIDE_MKDIR;
    char *text = xasprintf("%s\n", old);
    bool ok = local_write_file(ln, marker, text, 0600, err, errlen);
    free(text);
    return ok ? HOST_ASIDE_DONE : HOST_ASIDE_MARKER;
}

/* ----- postgresql.conf syntax: name [=] value [# comment] ----- */

/* The setting's name at the start of line, or false for comments and blank lines. */
static bool line_key(const char *line, char *key, size_t n, const char **rest)
{
    const char *p = line + strspn(line, " \t");
    size_t len = 0;
    while (isalnum((unsigned char)p[len]) || p[len] == '_' || p[len] == '.')
        len++;
    if (len == 0 || len >= n)
        return false;
    memcpy(key, p, len);
    key[len] = '\0';
    *rest = p + len;
    return true;
}

static char *parse_value(const char *p)
{
    p += strspn(p, " \t");
    if (*p == '=')
        p++;
    p += strspn(p, " \t");
    if (*p != '\'') {
        size_t len = strcspn(p, " \t\r\n#");
        char *v = xmalloc(len + 1);
        memcpy(v, p, len);
        v[len] = '\0';
        return v;
    }
    char *v = xmalloc(strlen(p) + 1);
    size_t n = 0;
    for (p++; *p && *p != '\n'; p++) {
        if (*p == '\'' && p[1] == '\'') {
            v[n++] = '\'';
            p++;
        } else if (*p == '\'') {
            break;
        } else if (*p == '\\' && p[1] && p[1] != '\n') {
            v[n++] = *++p;
        } else {
            v[n++] = *p;
        }
    }
    v[n] = '\0';
    return v;
}

char *local_guc_get(const char *text, const char *key)
{
    char *found = NULL;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        char k[128];
        const char *rest;
        if (line_key(line, k, sizeof k, &rest) && str_eq_nocase(k, key)) {
            free(found);
            found = parse_value(rest);
        }
        line = end ? end + 1 : NULL;
    }
    return found;
}

/* A new text: every line setting key removed, then `key = 'value'` appended (value NULL:
 * only removed). */
static char *guc_set(const char *text, const char *key, const char *value)
{
    size_t cap = strlen(text ? text : "") + 2 * strlen(value ? value : "") + strlen(key) + 16;
    char *out = xmalloc(cap), *o = out;
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
        char k[128];
        const char *rest;
        if (!(line_key(line, k, sizeof k, &rest) && str_eq_nocase(k, key))) {
            memcpy(o, line, len);
            o += len;
            if (!end)
                *o++ = '\n';
        }
        line = end ? end + 1 : NULL;
    }
    if (value) {
        o += sprintf(o, "%s = '", key);
        for (const char *v = value; *v; v++) {
            if (*v == '\'' || *v == '\\')
                *o++ = *v; /* doubled, as ALTER SYSTEM writes them */
            *o++ = *v;
        }
        o += sprintf(o, "'\n");
    }
    *o = '\0';
    return out;
}

/* The port in postmaster.pid (line 4), else in postgresql.conf / postgresql.auto.conf. */
static int port_from(const char *pid_file, char *const confs[2])
{
    int port = -1;
    for (int i = 1; pid_file && i <= 4; i++) {
        if (i == 4)
            port = atoi(pid_file);
        pid_file = strchr(pid_file, '\n');
        pid_file = pid_file ? pid_file + 1 : NULL;
    }
    if (port > 0)
        return port;
    port = -1;
    for (int i = 0; i < 2; i++) {
        char *v = confs[i] ? local_guc_get(confs[i], "port") : NULL;
        if (v && atoi(v) > 0)
            port = atoi(v); /* postgresql.auto.conf is read last and wins */
        free(v);
    }
    return port;
}

static int old_port(const struct local_node *ln, const char *datadir)
{
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/postmaster.pid", datadir);
    char *pid_file = ln ? local_read_file(ln, path, NULL) : local_read_here(path, NULL);
    char *confs[2];
    const int which[2] = {CONF_MAIN, CONF_AUTO};
    for (int i = 0; i < 2; i++) {
        str_printf(path, sizeof path, "%s/%s", datadir, local_conf_names[which[i]]);
        confs[i] = ln ? local_read_file(ln, path, NULL) : local_read_here(path, NULL);
    }
    int port = port_from(pid_file, confs);
    free(pid_file);
    free(confs[0]);
    free(confs[1]);
    return port;
}

int local_old_port(const char *datadir)
{
    return old_port(NULL, datadir);
}

int local_old_port_node(const struct local_node *ln)
{
    return old_port(ln, ln->datadir);
}

/* ----- becoming a standby ----- */

/* Frees a text that may hold a password. */
static void forget(char **text)
{
    if (*text)
        explicit_bzero(*text, strlen(*text));
    free(*text);
    *text = NULL;
}

static void set_guc(char **text, const char *key, const char *value)
{
    char *next = guc_set(*text, key, value);
    forget(text);
    *text = next;
}

static const char auto_header[] = "# Do not edit this file manually!\n"
                                  "# It will be overwritten by the ALTER SYSTEM command.\n";

bool local_make_standby(const struct progress *pr, const struct local_node *ln,
                        const struct local_conf *own, const struct standby_conf *sc, char *err,
                        size_t errlen)
{
    const char *name = ln->conf->name;
    /* what the copy brought, read before anything is written back (on a remote host the
     * answers of one round trip, local_survey) */
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[CONF_AUTO]);
    char *current = local_read_file(ln, path, NULL);
    str_printf(path, sizeof path, "%s/%s", ln->datadir, local_conf_names[CONF_MAIN]);
    char *main_conf = own && own->text[CONF_MAIN] ? xstrdup(own->text[CONF_MAIN])
                                                  : local_read_file(ln, path, NULL);
    str_printf(path, sizeof path, "%s/standby.signal", ln->datadir);
    bool has_signal = local_path_exists(ln, path);
    char *text = xstrdup(own && own->text[CONF_AUTO] ? own->text[CONF_AUTO]
                         : current                   ? current
                                                     : auto_header);
    forget(&current);
    set_guc(&text, "primary_conninfo", sc->primary_conninfo);
    set_guc(&text, "primary_slot_name", str_empty(sc->slot) ? NULL : sc->slot);
    /* never the primary's list: promoted, the node would wait for itself (docs/DESIGN.md 7) */
    set_guc(&text, "synchronous_standby_names", "");
    if (sc->cluster_name)
        set_guc(&text, "cluster_name", sc->cluster_name);
    char *p_auto = local_guc_get(text, "port");
    char *p_main = main_conf ? local_guc_get(main_conf, "port") : NULL;
    int port = p_auto ? atoi(p_auto) : p_main ? atoi(p_main) : -1;
    if (sc->port > 0 && port != sc->port) {
        char v[16];
        str_printf(v, sizeof v, "%d", sc->port);
        set_guc(&text, "port", v);
        if (port > 0)
            progress_say(pr, "ok", "%s listens on its own port %d (the copy said %d)", name,
                         sc->port, port);
        else
            progress_say(pr, "ok", "%s listens on its own port %d", name, sc->port);
    }
    free(p_auto);
    free(p_main);
    free(main_conf);

    /* its own files back, the new postgresql.auto.conf, standby.signal, and no recovery.signal
     * (an empty marker: it would make the node a primary at the end of recovery): one round
     * trip on a remote host */
    char paths[CONF_NFILES + 2][PATH_MAX + 32], kept[128] = "";
    struct host_file files[CONF_NFILES + 3];
    int n = 0;
    for (int i = CONF_MAIN; own && i <= CONF_IDENT; i++) {
        if (!own->text[i])
            continue;
        str_printf(paths[n], sizeof paths[n], "%s/%s", ln->datadir, local_conf_names[i]);
        files[n] = (struct host_file){paths[n], own->text[i], own->mode[i]};
        n++;
        str_printf(kept + strlen(kept), sizeof kept - strlen(kept), "%s%s", kept[0] ? ", " : "",
                   local_conf_names[i]);
    }
    str_printf(paths[n], sizeof paths[n], "%s/%s", ln->datadir, local_conf_names[CONF_AUTO]);
    files[n] = (struct host_file){paths[n], text, 0600};
    n++;
    if (!has_signal) {
        str_printf(paths[n], sizeof paths[n], "%s/standby.signal", ln->datadir);
        files[n] = (struct host_file){paths[n], "", 0600};
        n++;
    }
    str_printf(paths[n], sizeof paths[n], "%s/recovery.signal", ln->datadir);
    files[n] = (struct host_file){paths[n], NULL, 0};
    n++;
    if (sc->done_marker) /* the writes stop at the first that fails: then it stays */
        files[n++] = (struct host_file){sc->done_marker, NULL, 0};
    bool ok = local_write_files(ln, files, n, err, errlen);
    forget(&text);
    if (!ok)
        return false;
    if (kept[0])
        progress_say(pr, "ok", "%s keeps its own %s", name, kept);
    char safe[1024];
    conninfo_scrub(sc->primary_conninfo, safe, sizeof safe);
    progress_say(pr, "ok",
                 "%s/postgresql.auto.conf: primary_conninfo \"%s\"%s%s, synchronous_standby_names "
                 "''",
                 ln->datadir, safe, str_empty(sc->slot) ? "" : ", primary_slot_name ",
                 str_empty(sc->slot) ? "" : sc->slot);
    return true;
}
