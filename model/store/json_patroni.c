/* json_patroni: Patroni's view as JSON and back (json_patroni.h). */
#include "model/store/json_patroni.h"
#include "model/store/json_put.h"
#include "model/base/util.h"
#include "model/patroni/patroni_view.h"

#include <string.h>

/* With Patroni's own keys, so that patroni_member_parse reads it back. */
static cJSON *member_json(const struct patroni_member *m)
{
    cJSON *o = cJSON_CreateObject();
    json_put_str(o, "name", m->name);
    json_put_str(o, "role", m->role);
    json_put_str(o, "state", m->state);
    json_put_str(o, "host", m->host);
    json_put_int(o, "port", m->port);
    json_put_str(o, "api_url", m->api_url);
    json_put_int(o, "timeline", m->timeline);
    json_put_i64(o, "lag", m->lag);
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
    json_put_str(o, "url", v->url);
    json_put_str(o, "error", v->known ? "" : v->error);
    json_put_str(o, "scope", v->scope);
    cJSON_AddBoolToObject(o, "paused", v->paused);
    cJSON *st = cJSON_AddObjectToObject(o, "settings");
    const struct patroni_settings *s = &v->settings;
    bool k = v->settings_known;
    json_put_tristate(st, "synchronous_mode", k ? s->synchronous_mode : -1);
    json_put_tristate(st, "synchronous_mode_strict", k ? s->synchronous_mode_strict : -1);
    json_put_int(st, "synchronous_node_count", k ? s->synchronous_node_count : -1);
    json_put_i64(st, "maximum_lag_on_failover", k ? s->maximum_lag_on_failover : NUM_UNKNOWN);
    json_put_int(st, "ttl", k ? s->ttl : -1);
    json_put_int(st, "loop_wait", k ? s->loop_wait : -1);
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
