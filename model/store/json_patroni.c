/* json_patroni: Patroni's view as JSON and back (json_patroni.h). */
#include "model/store/json_patroni.h"
#include "model/base/util.h"
#include "model/patroni/patroni_view.h"

#include <string.h>

static void put_str(cJSON *o, const char *key, const char *v)
{
    if (v[0])
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

static void put_num(cJSON *o, const char *key, int64_t v, bool known)
{
    if (known)
        cJSON_AddNumberToObject(o, key, (double)v);
    else
        cJSON_AddNullToObject(o, key);
}

static void put_tri(cJSON *o, const char *key, int v)
{
    if (v < 0)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddBoolToObject(o, key, v);
}

/* With Patroni's own keys, so that patroni_member_parse reads it back. */
static cJSON *member_json(const struct patroni_member *m)
{
    cJSON *o = cJSON_CreateObject();
    put_str(o, "name", m->name);
    put_str(o, "role", m->role);
    put_str(o, "state", m->state);
    put_str(o, "host", m->host);
    put_num(o, "port", m->port, m->port >= 0);
    put_str(o, "api_url", m->api_url);
    put_num(o, "timeline", m->timeline, m->timeline >= 0);
    put_num(o, "lag", m->lag, num_known(m->lag));
    cJSON_AddBoolToObject(o, "pending_restart", m->pending_restart);
    cJSON *tags = cJSON_AddObjectToObject(o, "tags");
    cJSON_AddBoolToObject(tags, "nofailover", m->nofailover);
    cJSON_AddBoolToObject(tags, "nosync", m->nosync);
    cJSON_AddBoolToObject(tags, "noloadbalance", m->noloadbalance);
    cJSON_AddBoolToObject(tags, "clonefrom", m->clonefrom);
    return o;
}

cJSON *patroni_view_to_json(const struct patroni_view *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "known", v->known);
    put_str(o, "url", v->url);
    put_str(o, "error", v->known ? "" : v->error);
    put_str(o, "scope", v->scope);
    cJSON_AddBoolToObject(o, "paused", v->paused);
    cJSON *st = cJSON_AddObjectToObject(o, "settings");
    const struct patroni_settings *s = &v->settings;
    bool k = v->settings_known;
    put_tri(st, "synchronous_mode", k ? s->synchronous_mode : -1);
    put_tri(st, "synchronous_mode_strict", k ? s->synchronous_mode_strict : -1);
    put_num(st, "synchronous_node_count", s->synchronous_node_count,
            k && s->synchronous_node_count >= 0);
    put_num(st, "maximum_lag_on_failover", s->maximum_lag_on_failover,
            k && num_known(s->maximum_lag_on_failover));
    put_num(st, "ttl", s->ttl, k && s->ttl >= 0);
    put_num(st, "loop_wait", s->loop_wait, k && s->loop_wait >= 0);
    cJSON *arr = cJSON_AddArrayToObject(o, "members");
    for (int i = 0; i < v->nmembers; i++)
        cJSON_AddItemToArray(arr, member_json(&v->members[i]));
    return o;
}

struct patroni_view *patroni_view_from_json(const cJSON *o)
{
    if (!cJSON_IsObject(o))
        return NULL;
    struct patroni_view *v = xmalloc(sizeof *v);
    patroni_view_clear(v);
    v->known = patroni_json_bool(o, "known") == 1;
    patroni_json_str(o, "url", v->url, sizeof v->url);
    patroni_json_str(o, "error", v->error, sizeof v->error);
    patroni_json_str(o, "scope", v->scope, sizeof v->scope);
    v->paused = patroni_json_bool(o, "paused") == 1;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "settings");
    if (cJSON_IsObject(st)) {
        struct patroni_settings *s = &v->settings;
        v->settings_known = true;
        s->synchronous_mode = patroni_json_bool(st, "synchronous_mode");
        s->synchronous_mode_strict = patroni_json_bool(st, "synchronous_mode_strict");
        s->synchronous_node_count = (int)patroni_json_int(st, "synchronous_node_count", -1);
        s->maximum_lag_on_failover = patroni_json_int(st, "maximum_lag_on_failover", NUM_UNKNOWN);
        s->ttl = (int)patroni_json_int(st, "ttl", -1);
        s->loop_wait = (int)patroni_json_int(st, "loop_wait", -1);
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(o, "members"))
    {
        if (v->nmembers == PATRONI_MAX_MEMBERS || !cJSON_IsObject(m))
            continue;
        patroni_member_parse(m, &v->members[v->nmembers++]);
    }
    return v;
}
