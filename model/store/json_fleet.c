/* json_fleet: the fleet as JSON (json_fleet.h). */
#include "model/store/json_fleet.h"
#include "model/store/json_put.h"
#include "model/base/util.h"

#include <cJSON.h>
#include <time.h>

enum severity fleet_health(const struct fleet *f)
{
    enum severity worst = SEV_OK;
    for (int i = 0; i < fleet_count(f); i++) {
        const struct snapshot *s = fleet_snapshot(f, i);
        enum severity h = s ? s->health : SEV_CRITICAL;
        if (h > worst)
            worst = h;
    }
    return worst;
}

static void put_time(cJSON *o, const char *key, double t)
{
    time_t secs = (time_t)t;
    struct tm tm;
    char buf[32];
    gmtime_r(&secs, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cJSON_AddStringToObject(o, key, buf);
}

char *fleet_to_json(const struct fleet *f, bool pretty)
{
    if (fleet_count(f) == 1 && fleet_snapshot(f, 0))
        return json_print(snapshot_json_object(fleet_snapshot(f, 0)), pretty);
    cJSON *root = cJSON_CreateObject();
    put_time(root, "taken_at", clock_wall());
    cJSON_AddStringToObject(root, "health", severity_name(fleet_health(f)));
    cJSON *list = cJSON_AddArrayToObject(root, "clusters");
    for (int i = 0; i < fleet_count(f); i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", fleet_name(f, i));
        const struct snapshot *s = fleet_snapshot(f, i);
        if (!s) {
            cJSON_AddNullToObject(o, "health");
        } else { /* the cluster's own object, after its name */
            cJSON *snap = snapshot_json_object(s), *child;
            while ((child = snap->child)) {
                cJSON_DetachItemViaPointer(snap, child);
                cJSON_AddItemToObject(o, child->string, child);
            }
            cJSON_Delete(snap);
        }
        int twins[FLEET_TWINS_MAX], nt = fleet_twins(f, i, twins, FLEET_TWINS_MAX);
        cJSON *dup = cJSON_AddArrayToObject(o, "duplicate_of"); /* problem duplicate_cluster */
        for (int k = 0; k < nt; k++)
            cJSON_AddItemToArray(dup, cJSON_CreateString(fleet_name(f, twins[k])));
        cJSON_AddItemToArray(list, o);
    }
    cJSON_AddStringToObject(root, "repltop_version", REPLTOP_VERSION);
    return json_print(root, pretty);
}
