/* conninfo: libpq parses (PQconninfoParse), we only rebuild, with values quoted as libpq wants. */
#include "model/pg/conninfo.h"
#include "model/base/util.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool conninfo_get(const char *conninfo, const char *key, char *out, size_t n)
{
    if (str_empty(conninfo))
        return false;
    PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
    bool found = false;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, key) == 0 && o->val) {
            str_copy(out, n, o->val);
            found = true;
            break;
        }
    }
    PQconninfoFree(opts);
    return found;
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
