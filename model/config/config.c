/* config: reads the INI file with inih and command-line conninfos with libpq's own parser.
 * Appending a node to the file is config_append.c's job. */
#include "model/config/config.h"
#include "model/base/files.h"
#include "model/base/text.h"
#include "model/base/util.h"
#include "model/pg/conninfo.h"
#include "model/pg/syncnames.h"

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
        free(c->nodes[i].ssh);
        free(c->nodes[i].ssh_options);
        free(c->nodes[i].docker);
        free(c->nodes[i].docker_host);
        free(c->nodes[i].admin);
        free(c->nodes[i].service);
        free(c->nodes[i].patroni);
    }
    free(c->nodes);
    free(c->path);
    free(c->cluster_name);
    free(c->theme);
    free(c->sync_policy);
    free(c->admin_user);
    free(c->patroni);
    free(c->severities);
    memset(c, 0, sizeof *c);
}

struct node_conf *config_find_node(struct config *c, const char *name)
{
    for (int i = 0; i < c->nnodes; i++)
        if (strcmp(c->nodes[i].name, name) == 0)
            return &c->nodes[i];
    return NULL;
}

bool config_valid_name(const char *name, char *err, size_t errlen)
{
    size_t len = strlen(name);
    if (len == 0 || len >= CONFIG_NAME_LEN) {
        str_printf(err, errlen, "node name must be 1 to %d characters", CONFIG_NAME_LEN - 1);
        return false;
    }
    for (const char *p = name; *p;) {
        uint32_t cp;
        char esc[TEXT_ESC_MAX];
        p += text_unit(p, &cp, esc);
        if (esc[0]) { /* it would show escaped (text.h), and could not be typed */
            str_printf(err, errlen,
                       "node name \"%s\" contains a control character or invalid UTF-8", name);
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

bool config_check_conninfo(const char *conninfo, char *err, size_t errlen)
{
    return conninfo_check(conninfo, err, errlen);
}

bool config_add_node(struct config *c, const char *name, const char *conninfo, const char *origin,
                     char *err, size_t errlen)
{
    if (!config_valid_name(name, err, errlen))
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
    if (!config_check_conninfo(conninfo, err, errlen))
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
    if (!config_check_conninfo(conninfo, err, errlen))
        return false;
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    char name[CONFIG_NAME_LEN];
    const char *app = opt_value(opts, "application_name");
    bool by_address = false;
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
        by_address = host || !service;
        if (!by_address)
            str_copy(name, sizeof name, service);
        else
            str_printf(name, sizeof name, "%s:%s", host ? host : "local", port ? port : "5432");
    }
    PQconninfoFree(opts);
    if (!config_add_node(c, name, conninfo, origin, err, errlen))
        return false;
    config_find_node(c, name)->named_by_address = by_address;
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
    bool colon_key; /* this line's key ends at a ':' (inih takes it like '=') */
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
    const char *p = str + strspn(str, " \t");
    size_t key = strcspn(p, "=:");
    st->colon_key = p[key] == ':' && strchr(p + key, '=') != NULL;
    /* inih cuts section names at 49 bytes without a word: "[node NAME]" would silently name
     * another node. Say so instead. */
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
    } else if (strcmp(key, "cluster") == 0) {
        if (!config_valid_name(value, err, errlen) || strchr(value, ':')) {
            str_printf(err, errlen,
                       "cluster must be a name of 1 to %d characters, without ':', control "
                       "characters or invalid UTF-8, not \"%s\"",
                       CONFIG_NAME_LEN - 1, value);
            return false;
        }
        free(c->cluster_name);
        c->cluster_name = xstrdup(value);
    } else if (strcmp(key, "theme") == 0) {
        free(c->theme);
        c->theme = xstrdup(value);
    } else if (strcmp(key, "actions") == 0) {
        if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
            str_printf(err, errlen, "actions must be on or off, not \"%s\"", value);
            return false;
        }
        c->actions_off = strcmp(value, "off") == 0;
    } else if (strcmp(key, "admin_user") == 0) {
        free(c->admin_user);
        c->admin_user = str_empty(value) ? NULL : xstrdup(value);
    } else if (strcmp(key, "audit") == 0) {
        if (strcmp(value, "file") != 0 && strcmp(value, "syslog") != 0) {
            str_printf(err, errlen, "audit must be file or syslog, not \"%s\"", value);
            return false;
        }
        c->audit_syslog = strcmp(value, "syslog") == 0;
    } else if (strcmp(key, "sync") == 0) {
        struct syncnames sn;
        char why[300];
        if (!syncnames_parse_policy(value, &sn, why, sizeof why)) {
            str_printf(err, errlen,
                       "sync must be a policy like FIRST 1, ANY 1 or FIRST 1 (a, b), not \"%s\": "
                       "%s",
                       value, why);
            return false;
        }
        free(c->sync_policy);
        c->sync_policy = xstrdup(value);
    } else if (strcmp(key, "patroni") == 0) {
        if (!config_check_patroni_url(value, err, errlen))
            return false;
        free(c->patroni);
        c->patroni = xstrdup(value);
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

/* ssh, ssh_options, docker, docker_host: how the node's host is reached. A destination or a
 * container starting with '-' would be read by the client as an option. */
static bool set_way(struct node_conf *n, const char *key, const char *value, char *err,
                    size_t errlen)
{
    bool ssh = key[0] == 's', what = strchr(key, '_') == NULL;
    if (!value[0] || (what && value[0] == '-')) {
        str_printf(err, errlen, "%s must be %s, not \"%s\"", key,
                   !what ? (ssh ? "ssh's options, e.g. -F FILE -p 2222"
                                : "the docker daemon's address, e.g. unix:///run/docker.sock")
                   : ssh ? "a destination ssh accepts (user@host, a Host alias)"
                         : "a container's name or id",
                   value);
        return false;
    }
    char **slot = ssh ? (what ? &n->ssh : &n->ssh_options) : (what ? &n->docker : &n->docker_host);
    free(*slot);
    *slot = xstrdup(value);
    if (!str_empty(n->ssh) && !str_empty(n->docker)) {
        str_printf(err, errlen, "[node %s] has both ssh and docker: one way to reach it", n->name);
        return false;
    }
    return true;
}

static bool set_node_option(struct config *c, const char *node, const char *key, const char *value,
                            const char *origin, char *err, size_t errlen)
{
    if (!config_valid_name(node, err, errlen))
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
    } else if (strcmp(key, "ssh") == 0 || strcmp(key, "ssh_options") == 0 ||
               strcmp(key, "docker") == 0 || strcmp(key, "docker_host") == 0) {
        return set_way(n, key, value, err, errlen);
    } else if (strcmp(key, "service") == 0) {
        if (strcmp(value, "pg_ctl") != 0 && strncmp(value, "pg_ctlcluster:", 14) != 0 &&
            strncmp(value, "systemd:", 8) != 0) {
            str_printf(err, errlen,
                       "service must be pg_ctl, pg_ctlcluster:VERSION/CLUSTER or systemd:UNIT, "
                       "not \"%s\"",
                       value);
            return false;
        }
        free(n->service);
        n->service = xstrdup(value);
    } else if (strcmp(key, "admin") == 0) {
        if (!config_check_conninfo(value, err, errlen))
            return false;
        free(n->admin);
        n->admin = xstrdup(value);
    } else if (strcmp(key, "port") == 0) {
        char *end;
        long port = strtol(value, &end, 10);
        if (*value == '\0' || *end != '\0' || port < 1 || port > 65535) {
            str_printf(err, errlen, "port must be a number from 1 to 65535, not \"%s\"", value);
            return false;
        }
        n->port = (int)port;
    } else if (strcmp(key, "patroni") == 0) {
        if (!config_check_patroni_url(value, err, errlen))
            return false;
        free(n->patroni);
        n->patroni = xstrdup(value);
    } else {
        str_printf(err, errlen,
                   "unknown setting \"%s\" in [node %s] (datadir, port, bindir, ssh, ssh_options, "
                   "docker, docker_host, admin, service, patroni)",
                   key, node);
        return false;
    }
    return true;
}

void config_actions_via(const struct node_conf *n, char *buf, size_t len)
{
    if (str_empty(n->datadir))
        str_copy(buf, len, "none");
    else if (!str_empty(n->ssh))
        str_printf(buf, len, "ssh %s", n->ssh);
    else if (!str_empty(n->docker))
        str_printf(buf, len, "docker %s", n->docker);
    else
        str_copy(buf, len, "local");
}

bool config_node_remote(const struct node_conf *n)
{
    return !str_empty(n->ssh) || !str_empty(n->docker);
}

/* "CODE = warning|critical|ok" or "CODE NODE = ..." in [severity] */
static bool set_severity(struct config *c, const char *key, const char *value, const char *origin,
                         char *err, size_t errlen)
{
    static const char *const names[] = {"ok", "warning", "critical"};
    int sev = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(value, names[i]) == 0)
            sev = i;
    if (sev < 0) {
        str_printf(err, errlen, "[severity] %s must be warning, critical or ok, not \"%s\"", key,
                   value);
        return false;
    }
    struct severity_override o = {.sev = sev};
    size_t len = strcspn(key, " \t");
    const char *node = key + len + strspn(key + len, " \t");
    str_printf(o.code, sizeof o.code, "%.*s", (int)(len < sizeof o.code ? len : 0), key);
    bool known = false;
    for (int i = 0; config_problem_codes[i]; i++)
        known |= strcmp(o.code, config_problem_codes[i]) == 0;
    if (!known) {
        str_printf(err, errlen,
                   "unknown problem code \"%.*s\" in [severity] (the codes are in repltop(1))",
                   (int)len, key);
        return false;
    }
    if (*node && !config_valid_name(node, err, errlen))
        return false;
    str_copy(o.node, sizeof o.node, node);
    str_copy(o.origin, sizeof o.origin, origin);
    c->severities = xrealloc(c->severities, (size_t)(c->nseverities + 1) * sizeof *c->severities);
    c->severities[c->nseverities++] = o;
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
    else if (strcmp(section, "severity") == 0)
        ok = set_severity(st->c, name, value, origin, err, sizeof err);
    else if (section[0] == '\0') {
        str_printf(err, sizeof err,
                   "\"%s\" is outside any section ([repltop], [nodes], [node NAME], [severity])",
                   name);
        ok = false;
    } else {
        str_printf(err, sizeof err,
                   "unknown section [%s] ([repltop], [nodes], [node NAME], [severity])", section);
        ok = false;
    }
    if (!ok) {
        /* "web:1 = host=..." names a node "web" with the connection string "1 = host=..." */
        if (st->colon_key && strcmp(section, "nodes") == 0)
            str_printf(st->err, sizeof st->err,
                       "node names cannot contain ':' (it ends the name like '=', so this line "
                       "names \"%s\"): %s",
                       name, err);
        else
            str_copy(st->err, sizeof st->err, err);
        st->err_line = st->line;
    }
    return ok;
}

/* Reads the INI text of f (named path in messages) into c. */
bool config_load_stream(struct config *c, FILE *f, const char *path, char *err, size_t errlen)
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
    FILE *f = file_open_read(path, err, errlen);
    if (!f)
        return false;
    bool ok = config_load_stream(c, f, path, err, errlen);
    if (ok && ferror(f)) {
        str_printf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    fclose(f);
    return ok;
}

bool config_check_patroni_url(const char *url, char *err, size_t errlen)
{
    const char *host = strncmp(url, "http://", 7) == 0    ? url + 7
                       : strncmp(url, "https://", 8) == 0 ? url + 8
                                                          : NULL;
    if (!host || !*host || *host == '/' || strpbrk(url, " \t\r\n")) {
        str_printf(err, errlen,
                   "patroni must be the URL of a Patroni REST API, like http://host:8008, not "
                   "\"%s\"",
                   url);
        return false;
    }
    /* a URL is shown and logged: a user and password go in ~/.netrc, never in it */
    size_t authority = strcspn(host, "/?#");
    if (memchr(host, '@', authority)) {
        str_copy(err, errlen,
                 "patroni: put the REST API's user and password in ~/.netrc (machine HOST login "
                 "USER password PASS), not in the URL, which repltop shows");
        return false;
    }
    return true;
}

bool config_validate(const struct config *c, char *err, size_t errlen)
{
    if (c->nnodes == 0) {
        str_copy(err, errlen,
                 c->patroni ? "no nodes to watch: Patroni listed no member"
                            : "no nodes to watch: give a conninfo, --patroni URL or -c FILE with "
                              "a [nodes] section");
        return false;
    }
    for (int i = 0; i < c->nnodes; i++) {
        if (!c->nodes[i].conninfo) {
            str_printf(err, errlen, "%s: [node %s] names a node that is not in [nodes]",
                       c->nodes[i].origin, c->nodes[i].name);
            return false;
        }
    }
    for (int i = 0; i < c->nseverities; i++) {
        const struct severity_override *o = &c->severities[i];
        if (o->node[0] && !config_find_node((struct config *)c, o->node)) {
            str_printf(err, errlen, "%s: [severity] %s %s names a node that is not in [nodes]",
                       o->origin, o->code, o->node);
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
