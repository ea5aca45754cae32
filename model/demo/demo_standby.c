/* demo_standby: the two standbys of the demo — cloned from db_m with pg_basebackup, each with
 * its own port and application_name, primary_conninfo without a password — then the primary's
 * synchronous_standby_names, set only after cloning (docs/DESIGN.md section 7), and the wait until
 * both stream. */
#include "model/demo/demo.h"
#include "model/base/util.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STREAM_WAIT_S 30

/* Reads a quoted GUC value ('...' with '' and backslash escapes) starting at p. */
static char *guc_unquote(const char *p)
{
    p += strspn(p, " \t");
    if (*p != '\'')
        return NULL;
    size_t n = 0;
    char *out = xmalloc(strlen(p) + 1);
    for (p++; *p; p++) {
        if (*p == '\'' && p[1] == '\'') {
            out[n++] = '\'';
            p++;
        } else if (*p == '\'') {
            out[n] = '\0';
            return out;
        } else if (*p == '\\' && p[1]) {
            out[n++] = *++p;
        } else {
            out[n++] = *p;
        }
    }
    free(out);
    return NULL;
}

/* Appends s to buf quoted for a conninfo string when it needs it. */
static char *conninfo_append(char *buf, const char *key, const char *val)
{
    bool quote = !*val || strpbrk(val, " \t\n'\\");
    size_t len = strlen(buf);
    buf = xrealloc(buf, len + strlen(key) + 2 * strlen(val) + 8);
    char *o = buf + len;
    o += sprintf(o, "%s%s=", len ? " " : "", key);
    if (quote)
        *o++ = '\'';
    for (const char *v = val; *v; v++) {
        if (quote && (*v == '\'' || *v == '\\'))
            *o++ = '\\';
        *o++ = *v;
    }
    if (quote)
        *o++ = '\'';
    *o = '\0';
    return buf;
}

/* pg_basebackup -R builds primary_conninfo from its own connection, and libpq fills the
 * password in from the passfile: rewrite it without the password (the standby's walreceiver
 * reads DIR/pgpass instead) and check the application_name made it. */
static bool scrub_primary_conninfo(struct demo *d, int i, char *err, size_t errlen)
{
    const struct demo_node *nd = &d->nodes[i];
    char path[PATH_MAX + 32];
    str_printf(path, sizeof path, "%s/postgresql.auto.conf", nd->datadir);
    FILE *f = fopen(path, "r");
    if (!f) {
        str_printf(err, errlen, "%s: cannot read %s: %s", nd->name, path, strerror(errno));
        return false;
    }
    char *out = xstrdup(""), line[4096];
    bool found = false, had_password = false, ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t");
        size_t klen = strlen("primary_conninfo");
        const char *eq = p + klen + strspn(p + klen, " \t");
        if (strncmp(p, "primary_conninfo", klen) != 0 || *eq != '=') {
            char *more = xasprintf("%s%s", out, line);
            free(out);
            out = more;
            continue;
        }
        char *value = guc_unquote(eq + 1), *perr = NULL;
        PQconninfoOption *opts = value ? PQconninfoParse(value, &perr) : NULL;
        if (value)
            explicit_bzero(value, strlen(value));
        free(value);
        if (!opts) {
            /* libpq's message may quote the password: not shown. */
            str_printf(err, errlen, "%s: cannot parse primary_conninfo in %s", nd->name, path);
            PQfreemem(perr);
            ok = false;
            break;
        }
        char *ci = xstrdup("");
        bool has_passfile = false, has_app = false;
        for (PQconninfoOption *o = opts; o->keyword; o++) {
            if (!o->val || !*o->val)
                continue;
            if (strcmp(o->keyword, "password") == 0) {
                had_password = true;
                continue;
            }
            has_passfile |= strcmp(o->keyword, "passfile") == 0;
            has_app |=
                strcmp(o->keyword, "application_name") == 0 && strcmp(o->val, nd->appname) == 0;
            ci = conninfo_append(ci, o->keyword, o->val);
        }
        PQconninfoFree(opts);
        if (!has_passfile)
            ci = conninfo_append(ci, "passfile", d->pgpass);
        if (!has_app) {
            str_printf(err, errlen,
                       "%s: pg_basebackup left application_name=%s out of "
                       "primary_conninfo",
                       nd->name, nd->appname);
            ok = false;
        }
        /* Back into a GUC string: quotes and backslashes doubled. */
        char *q = xmalloc(2 * strlen(ci) + 1), *w = q;
        for (const char *c = ci; *c; c++) {
            if (*c == '\'' || *c == '\\')
                *w++ = *c;
            *w++ = *c;
        }
        *w = '\0';
        char *more = xasprintf("%sprimary_conninfo = '%s'\n", out, q);
        free(out);
        free(ci);
        free(q);
        out = more;
        found = true;
    }
    fclose(f);
    explicit_bzero(line, sizeof line);
    if (ok && !found) {
        str_printf(err, errlen, "%s: pg_basebackup wrote no primary_conninfo", nd->name);
        ok = false;
    }
    ok = ok && file_write_atomic(path, out, 0600, demo_owner(d), err, errlen);
    free(out);
    if (ok && had_password)
        demo_say(d,
                 "%s: removed the password pg_basebackup put into primary_conninfo "
                 "(the standby reads %s)",
                 nd->name, d->pgpass);
    return ok;
}

bool demo_clone_standbys(struct demo *d, char *err, size_t errlen)
{
    char passfile_env[PATH_MAX + 16], port[16];
    str_printf(passfile_env, sizeof passfile_env, "PGPASSFILE=%s", d->pgpass);
    const char *env[] = {passfile_env, "PGPASSWORD", NULL};
    str_printf(port, sizeof port, "%d", d->nodes[0].port);
    for (int i = 1; i < DEMO_NODES; i++) {
        const struct demo_node *nd = &d->nodes[i];
        char app[64], conf[PATH_MAX + 32];
        str_printf(app, sizeof app, "application_name=%s", nd->appname);
        demo_say(d, "%s: pg_basebackup from %s (application_name %s)", nd->name, d->nodes[0].name,
                 nd->appname);
        const char *argv[] = {"pg_basebackup",
                              "-h",
                              "127.0.0.1",
                              "-p",
                              port,
                              "-U",
                              "replication_user",
                              "-w",
                              "-d",
                              app,
                              "-D",
                              nd->datadir,
                              "--wal-method=stream",
                              "--write-recovery-conf",
                              "--checkpoint=fast",
                              NULL};
        if (demo_run(d, i, 600, env, argv, err, errlen) != 0)
            return false;
        if (!scrub_primary_conninfo(d, i, err, errlen))
            return false;
        char *own = xasprintf("\n# ---- repltop demo: %s ----\ncluster_name = '%s'\nport = %d\n",
                              nd->name, nd->name, nd->port);
        str_printf(conf, sizeof conf, "%s/postgresql.conf", nd->datadir);
        bool ok = demo_append_file(conf, own, err, errlen);
        free(own);
        if (!ok)
            return false;
    }
    return true;
}

/* After cloning, so that no standby carries the list (docs/DESIGN.md section 7). */
bool demo_set_sync_names(struct demo *d, char *err, size_t errlen)
{
    demo_say(d, "%s: synchronous_standby_names = '%s'", d->nodes[0].name, DEMO_SYNC_NAMES);
    PGconn *conn = demo_connect(d, 0, "postgres", err, errlen);
    if (!conn)
        return false;
    bool ok = demo_exec(conn, d->nodes[0].name,
                        "ALTER SYSTEM SET synchronous_standby_names = '" DEMO_SYNC_NAMES "'", err,
                        errlen) &&
              demo_exec(conn, d->nodes[0].name, "SELECT pg_reload_conf()", err, errlen);
    PQfinish(conn);
    return ok;
}

/* Until pg_stat_replication shows both standbys streaming, walreceiversync as sync. */
bool demo_wait_streaming(struct demo *d, char *err, size_t errlen)
{
    demo_say(d, "waiting for %s and %s to stream", d->nodes[1].name, d->nodes[2].name);
    PGconn *conn = demo_connect(d, 0, "postgres", err, errlen);
    if (!conn)
        return false;
    int64_t deadline = clock_mono_ms() + STREAM_WAIT_S * 1000;
    char seen[DEMO_NODES][64];
    for (;;) {
        bool ready = true;
        for (int i = 1; i < DEMO_NODES; i++)
            str_copy(seen[i], sizeof seen[i], "not connected");
        PGresult *res = PQexec(conn, "SELECT application_name, state, sync_state "
                                     "FROM pg_stat_replication");
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
            PQclear(res);
            str_printf(err, errlen, "%s: %s", d->nodes[0].name, PQerrorMessage(conn));
            err[strcspn(err, "\n")] = '\0';
            PQfinish(conn);
            return false;
        }
        for (int r = 0; r < PQntuples(res); r++)
            for (int i = 1; i < DEMO_NODES; i++)
                if (strcmp(PQgetvalue(res, r, 0), d->nodes[i].appname) == 0)
                    str_printf(seen[i], sizeof seen[i], "%s/%s", PQgetvalue(res, r, 1),
                               PQgetvalue(res, r, 2));
        PQclear(res);
        for (int i = 1; i < DEMO_NODES; i++) {
            const char *want = i == 2 ? "streaming/sync" : "streaming/potential";
            ready &= strcmp(seen[i], want) == 0;
        }
        if (ready)
            break;
        if (clock_mono_ms() > deadline) {
            str_printf(err, errlen,
                       "standbys not streaming after %d s: %s %s, %s %s (see %s and %s)",
                       STREAM_WAIT_S, d->nodes[1].appname, seen[1], d->nodes[2].appname, seen[2],
                       d->nodes[1].log, d->nodes[2].log);
            PQfinish(conn);
            return false;
        }
        poll(NULL, 0, 100);
    }
    PQfinish(conn);
    demo_say(d, "streaming: %s sync, %s potential", d->nodes[2].appname, d->nodes[1].appname);
    return true;
}
