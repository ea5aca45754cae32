/* conninfo: libpq parses (PQconninfoParse), we only rebuild, with values quoted as libpq wants. */
#include "model/pg/conninfo.h"
#include "model/base/util.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* libpq's parse_int_param: an int, blanks around it allowed. */
static bool libpq_int(const char *v, const char *key, int *out, char *err, size_t errlen)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    while (end != v && isspace((unsigned char)*end))
        end++;
    if (end == v || *end || errno || n < INT_MIN || n > INT_MAX) {
        str_printf(err, errlen, "invalid integer value \"%s\" for connection option \"%s\"", v,
                   key);
        return false;
    }
    *out = (int)n;
    return true;
}

/* The number of elements of libpq's comma-separated list (host, hostaddr, port). */
static int list_count(const char *v)
{
    int n = 1;
    for (; *v; v++)
        n += *v == ',';
    return n;
}

/* Each port of the list, as libpq checks it before connecting. */
static bool check_ports(const char *ports, char *err, size_t errlen)
{
    char *copy = xstrdup(ports), *rest = copy, *one;
    bool ok = true;
    while ((one = strsep(&rest, ","))) { /* empty elements too: the default port */
        int port;
        if (!*one)
            continue; /* the default port */
        if (!libpq_int(one, "port", &port, err, errlen)) {
            ok = false;
            break;
        }
        if (port < 1 || port > 65535) {
            str_printf(err, errlen, "invalid port number: \"%s\"", one);
            ok = false;
            break;
        }
    }
    free(copy);
    return ok;
}

static bool one_of(const char *v, const char *const *allowed, bool nocase)
{
    for (; *allowed; allowed++)
        if (nocase ? strcasecmp(v, *allowed) == 0 : strcmp(v, *allowed) == 0)
            return true;
    return false;
}

/* The checks of libpq's connectOptions2 and of the start of PQconnectPoll, in libpq's words. */
static bool check_values(const PQconninfoOption *opts, char *err, size_t errlen)
{
    static const char *const ints[] = {"connect_timeout",
                                       "keepalives",
                                       "keepalives_idle",
                                       "keepalives_interval",
                                       "keepalives_count",
                                       "tcp_user_timeout",
                                       NULL};
    static const char *const sslmode[] = {"disable",   "allow",       "prefer", "require",
                                          "verify-ca", "verify-full", NULL};
    static const char *const dpr[] = {"disable", "prefer", "require", NULL};
    static const char *const tsa[] = {"any",     "read-write",     "read-only", "primary",
                                      "standby", "prefer-standby", NULL};
    static const char *const tls[] = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", NULL};
    static const struct {
        const char *key;
        const char *const *allowed;
        bool nocase;
    } enums[] = {{"sslmode", sslmode, false},
                 {"gssencmode", dpr, false},
                 {"channel_binding", dpr, false},
                 {"target_session_attrs", tsa, false},
                 {"ssl_min_protocol_version", tls, true},
                 {"ssl_max_protocol_version", tls, true}};
    const char *host = NULL, *hostaddr = NULL, *port = NULL;
    for (const PQconninfoOption *o = opts; o->keyword; o++) {
        const char *v = o->val;
        if (str_empty(v))
            continue;
        if (strcmp(o->keyword, "host") == 0)
            host = v;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = v;
        else if (strcmp(o->keyword, "port") == 0)
            port = v;
        int n;
        for (int i = 0; ints[i]; i++)
            if (strcmp(o->keyword, ints[i]) == 0 && !libpq_int(v, o->keyword, &n, err, errlen))
                return false;
        for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
            if (strcmp(o->keyword, enums[i].key) == 0 &&
                !one_of(v, enums[i].allowed, enums[i].nocase)) {
                str_printf(err, errlen, "invalid %s value: \"%s\"", o->keyword, v);
                return false;
            }
        }
    }
    int nhosts = hostaddr ? list_count(hostaddr) : host ? list_count(host) : 1;
    if (host && hostaddr && list_count(host) != list_count(hostaddr)) {
        str_printf(err, errlen, "could not match %d host names to %d hostaddr values",
                   list_count(host), list_count(hostaddr));
        return false;
    }
    if (port && list_count(port) != 1 && list_count(port) != nhosts) {
        str_printf(err, errlen, "could not match %d port numbers to %d hosts", list_count(port),
                   nhosts);
        return false;
    }
    return !port || check_ports(port, err, errlen);
}

bool conninfo_check(const char *conninfo, char *err, size_t errlen)
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
    bool ok = check_values(opts, err, errlen);
    PQconninfoFree(opts);
    return ok;
}

/* The last conninfo parsed, kept: its keys are asked one after the other (a standby's
 * primary_conninfo: application_name, host, hostaddr, port at every refresh), and a parse
 * costs ~18 000 instructions (issue 14: a thousand nodes). */
static char *parsed_text;
static PQconninfoOption *parsed_opts;

bool conninfo_get(const char *conninfo, const char *key, char *out, size_t n)
{
    if (str_empty(conninfo))
        return false;
    if (!parsed_text || strcmp(parsed_text, conninfo) != 0) {
        PQconninfoFree(parsed_opts);
        free(parsed_text);
        parsed_opts = PQconninfoParse(conninfo, NULL);
        parsed_text = xstrdup(conninfo);
    }
    for (PQconninfoOption *o = parsed_opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, key) == 0 && o->val) {
            str_copy(out, n, o->val);
            return true;
        }
    }
    return false;
}

/* Appends key='value' with \ and ' escaped, as libpq's conninfo grammar requires. */
static void append_pair(char **buf, size_t *len, const char *key, const char *value)
{
    size_t need = *len + strlen(key) + 2 * strlen(value) + 6;
    *buf = xrealloc(*buf, need);
    char *p = *buf + *len;
    if (*len)
        *p++ = ' ';
    p += sprintf(p, "%s='", key);
    for (const char *v = value; *v; v++) {
        if (*v == '\'' || *v == '\\')
            *p++ = '\\';
        *p++ = *v;
    }
    *p++ = '\'';
    *p = '\0';
    *len = (size_t)(p - *buf);
}

static char *rebuild(const char *conninfo, const char *set_key, const char *set_value,
                     bool drop_secrets)
{
    PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
    if (!opts)
        return NULL;
    char *buf = xstrdup("");
    size_t len = 0;
    bool set_done = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *val = o->val;
        if (set_key && strcmp(o->keyword, set_key) == 0) {
            val = set_value;
            set_done = true;
        }
        /* libpq flags its secret options (password, sslpassword) with dispchar "*" */
        if (!val || (drop_secrets && o->dispchar && strchr(o->dispchar, '*')))
            continue;
        append_pair(&buf, &len, o->keyword, val);
    }
    if (set_key && set_value && !set_done)
        append_pair(&buf, &len, set_key, set_value);
    PQconninfoFree(opts);
    return buf;
}

void conninfo_scrub(const char *conninfo, char *out, size_t n)
{
    char *s = rebuild(conninfo, NULL, NULL, true);
    str_copy(out, n, s ? s : "(hidden: not a valid conninfo)");
    free(s);
}

char *conninfo_without_secrets(const char *conninfo)
{
    return rebuild(conninfo, NULL, NULL, true);
}

char *conninfo_with(const char *conninfo, const char *key, const char *value)
{
    return rebuild(conninfo, key, value, false);
}

char *conninfo_for_node(const char *base, const char *host, int port)
{
    char portstr[16], hosts[1024] = "";
    str_printf(portstr, sizeof portstr, "%d", port);
    char *clean = rebuild(base, NULL, NULL, true);
    if (!clean)
        return NULL;
    if (!host && ((conninfo_get(clean, "host", hosts, sizeof hosts) && strchr(hosts, ',')) ||
                  (conninfo_get(clean, "hostaddr", hosts, sizeof hosts) && strchr(hosts, ',')))) {
        free(clean);
        return NULL; /* one port for several hosts: libpq would refuse it */
    }
    char *a = host ? rebuild(clean, "hostaddr", NULL, false) : clean;
    char *b = a && host ? rebuild(a, "host", host, false) : a;
    char *c = b ? rebuild(b, "port", portstr, false) : NULL;
    if (a != clean)
        free(clean);
    if (b != a)
        free(a);
    free(b);
    return c;
}
