/* patroni_view: the parsers of Patroni's /cluster and /config answers, and the rules repltop
 * takes from Patroni (who may be a failover candidate). */
#include "model/patroni/patroni_view.h"
#include "model/base/num.h"
#include "model/base/util.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

void patroni_settings_clear(struct patroni_settings *s)
{
    s->synchronous_mode = -1;
    s->synchronous_mode_strict = -1;
    s->synchronous_node_count = -1;
    s->maximum_lag_on_failover = NUM_UNKNOWN;
    s->ttl = -1;
    s->loop_wait = -1;
}

void patroni_view_clear(struct patroni_view *v)
{
    memset(v, 0, sizeof *v);
    patroni_settings_clear(&v->settings);
}

void patroni_json_str(const cJSON *o, const char *key, char *buf, size_t n)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    str_copy(buf, n, cJSON_IsString(it) && it->valuestring ? it->valuestring : "");
}

int64_t patroni_json_int(const cJSON *o, const char *key, int64_t unknown)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : unknown;
}

/* Patroni writes booleans as JSON booleans; tags set by hand in YAML may be strings. */
int patroni_json_bool(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsBool(it))
        return cJSON_IsTrue(it);
    if (cJSON_IsString(it) && it->valuestring)
        return strcmp(it->valuestring, "true") == 0 || strcmp(it->valuestring, "on") == 0;
    return -1;
}

void patroni_member_parse(const cJSON *m, struct patroni_member *pm)
{
    memset(pm, 0, sizeof *pm);
    patroni_json_str(m, "name", pm->name, sizeof pm->name);
    patroni_json_str(m, "role", pm->role, sizeof pm->role);
    patroni_json_str(m, "state", pm->state, sizeof pm->state);
    patroni_json_str(m, "host", pm->host, sizeof pm->host);
    patroni_json_str(m, "api_url", pm->api_url, sizeof pm->api_url);
    pm->port = (int)patroni_json_int(m, "port", -1);
    pm->timeline = (int)patroni_json_int(m, "timeline", -1);
    pm->lag = patroni_json_int(m, "lag", NUM_UNKNOWN);
    if (strcmp(pm->role, "leader") == 0 || strcmp(pm->role, "standby_leader") == 0)
        pm->lag = 0; /* the leader is what lag is measured against */
    pm->pending_restart = patroni_json_bool(m, "pending_restart") == 1;
    const cJSON *tags = cJSON_GetObjectItemCaseSensitive(m, "tags");
    if (cJSON_IsObject(tags)) {
        pm->nofailover = patroni_json_bool(tags, "nofailover") == 1;
        pm->nosync = patroni_json_bool(tags, "nosync") == 1;
        pm->noloadbalance = patroni_json_bool(tags, "noloadbalance") == 1;
        pm->clonefrom = patroni_json_bool(tags, "clonefrom") == 1;
    }
}

bool patroni_cluster_parse(const char *json, struct patroni_view *v, char *err, size_t errlen)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *members = root ? cJSON_GetObjectItemCaseSensitive(root, "members") : NULL;
    if (!cJSON_IsArray(members)) {
        str_printf(err, errlen, "not a Patroni /cluster answer (no \"members\" list)");
        cJSON_Delete(root);
        return false;
    }
    v->nmembers = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, members)
    {
        if (v->nmembers == PATRONI_MAX_MEMBERS)
            break;
        if (cJSON_IsObject(m))
            patroni_member_parse(m, &v->members[v->nmembers++]);
    }
    v->paused = patroni_json_bool(root, "pause") == 1;
    char scope[PATRONI_NAME_LEN];
    patroni_json_str(root, "scope", scope, sizeof scope);
    if (scope[0]) /* 3.0.2 has none here: it comes from /patroni */
        str_copy(v->scope, sizeof v->scope, scope);
    v->known = true;
    v->error[0] = '\0';
    cJSON_Delete(root);
    return true;
}

bool patroni_settings_parse(const char *json, struct patroni_settings *s, char *err, size_t errlen)
{
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsObject(root)) {
        str_printf(err, errlen, "not a Patroni /config answer (not a JSON object)");
        cJSON_Delete(root);
        return false;
    }
    patroni_settings_clear(s);
    s->synchronous_mode = patroni_json_bool(root, "synchronous_mode");
    s->synchronous_mode_strict = patroni_json_bool(root, "synchronous_mode_strict");
    s->synchronous_node_count = (int)patroni_json_int(root, "synchronous_node_count", -1);
    s->maximum_lag_on_failover = patroni_json_int(root, "maximum_lag_on_failover", NUM_UNKNOWN);
    s->ttl = (int)patroni_json_int(root, "ttl", -1);
    s->loop_wait = (int)patroni_json_int(root, "loop_wait", -1);
    cJSON_Delete(root);
    return true;
}

bool patroni_scope_parse(const char *json, char *buf, size_t n)
{
    cJSON *root = cJSON_Parse(json);
    const cJSON *p = root ? cJSON_GetObjectItemCaseSensitive(root, "patroni") : NULL;
    patroni_json_str(p, "scope", buf, n);
    cJSON_Delete(root);
    return buf[0] != '\0';
}

const struct patroni_member *patroni_member_find(const struct patroni_view *v, const char *name)
{
    for (int i = 0; i < v->nmembers; i++)
        if (strcmp(v->members[i].name, name) == 0)
            return &v->members[i];
    return NULL;
}

const struct patroni_member *patroni_leader(const struct patroni_view *v)
{
    for (int i = 0; i < v->nmembers; i++)
        if (strcmp(v->members[i].role, "leader") == 0 ||
            strcmp(v->members[i].role, "standby_leader") == 0)
            return &v->members[i];
    return NULL;
}

void patroni_sync_standbys(const struct patroni_view *v, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; i < v->nmembers; i++) {
        if (strcmp(v->members[i].role, "sync_standby") != 0)
            continue;
        size_t len = strlen(buf);
        str_printf(buf + len, n - len, "%s%s", len ? "," : "", v->members[i].name);
    }
}

bool patroni_can_fail_over_to(const struct patroni_view *v, const char *name, char *why, size_t n)
{
    const struct patroni_member *m = patroni_member_find(v, name);
    if (!m) {
        str_printf(why, n, "%s is not a member of Patroni's cluster", name);
        return false;
    }
    if (strcmp(m->role, "leader") == 0) {
        str_printf(why, n, "%s is Patroni's leader already", name);
        return false;
    }
    if (m->nofailover) {
        str_printf(why, n, "%s is tagged nofailover in Patroni", name);
        return false;
    }
    if (strcmp(m->state, "running") != 0 && strcmp(m->state, "streaming") != 0) {
        str_printf(why, n, "%s is %s in Patroni, not running", name, m->state[0] ? m->state : "?");
        return false;
    }
    int64_t max_lag = num_known(v->settings.maximum_lag_on_failover)
                          ? v->settings.maximum_lag_on_failover
                          : 1048576; /* Patroni's default */
    if (num_known(m->lag) && m->lag > max_lag) {
        str_printf(why, n, "%s lags %lld bytes, more than maximum_lag_on_failover (%lld)", name,
                   (long long)m->lag, (long long)max_lag);
        return false;
    }
    if (v->settings.synchronous_mode == 1 && strcmp(m->role, "sync_standby") != 0) {
        char sync[256];
        patroni_sync_standbys(v, sync, sizeof sync);
        str_printf(why, n, "synchronous_mode is on and %s is not Patroni's sync standby (%s is)",
                   name, sync[0] ? sync : "none");
        return false;
    }
    return true;
}

void patroni_api_base(const char *url, char *buf, size_t n)
{
    str_copy(buf, n, url);
    size_t len = strlen(buf);
    while (len && buf[len - 1] == '/')
        buf[--len] = '\0';
    const char *suffix = "/patroni";
    size_t sl = strlen(suffix);
    if (len >= sl && strcmp(buf + len - sl, suffix) == 0)
        buf[len - sl] = '\0';
}
