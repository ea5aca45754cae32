/* patroni_view: what Patroni says about its cluster, as plain data — the members of
 * `GET /cluster` and the settings of `GET /config` that decide failovers and sync standbys.
 *
 * Parsed from JSON text (cJSON) so the parsers are tested from strings without a server.
 * Unknown follows num.h: -1 for small numbers, NUM_UNKNOWN for lag, "" for strings. */
#ifndef REPLTOP_PATRONI_VIEW_H
#define REPLTOP_PATRONI_VIEW_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATRONI_MAX_MEMBERS 32
#define PATRONI_NAME_LEN    64

struct patroni_member {
    char name[PATRONI_NAME_LEN];
    char role[24];  /* leader, sync_standby, replica, standby_leader (as Patroni writes it) */
    char state[24]; /* running, streaming, stopped, starting, ... */
    char host[128];
    int port;          /* -1 unknown */
    char api_url[256]; /* its own REST API (…/patroni) */
    int timeline;      /* -1 unknown */
    int64_t lag;       /* bytes behind the leader, NUM_UNKNOWN when Patroni says "unknown" */
    bool nofailover, nosync, noloadbalance, clonefrom;
    bool pending_restart;
};

/* Patroni's dynamic configuration, the parts repltop reads or edits (-1: not set/unknown). */
struct patroni_settings {
    int synchronous_mode;        /* 0/1 */
    int synchronous_mode_strict; /* 0/1 */
    int synchronous_node_count;
    int64_t maximum_lag_on_failover; /* bytes; NUM_UNKNOWN when not set (Patroni's default 1 MB) */
    int ttl, loop_wait;
};

struct patroni_view {
    bool known;      /* a /cluster answer was read */
    char url[256];   /* the REST API that answered ("" when none) */
    char error[256]; /* why it is not known (no answer, bad JSON) */
    char scope[PATRONI_NAME_LEN];
    bool paused; /* maintenance mode: Patroni does not fail over */
    bool settings_known;
    struct patroni_settings settings;
    struct patroni_member members[PATRONI_MAX_MEMBERS];
    int nmembers;
};

void patroni_view_clear(struct patroni_view *v);
void patroni_settings_clear(struct patroni_settings *s);

/* Parses a GET /cluster answer into v (members, pause, scope); false with the reason in err. */
bool patroni_cluster_parse(const char *json, struct patroni_view *v, char *err, size_t errlen);
/* Parses a GET /config (or PATCH /config) answer. */
bool patroni_settings_parse(const char *json, struct patroni_settings *s, char *err, size_t errlen);

/* The scope (cluster name) from a GET /patroni answer ("patroni": {"scope"}); false if none. */
bool patroni_scope_parse(const char *json, char *buf, size_t n);

/* One member as Patroni writes it in /cluster (the snapshot's JSON uses the same keys). */
void patroni_member_parse(const cJSON *o, struct patroni_member *m);
/* cJSON readers: "" / unknown / -1 (a bool) when the key is absent or of another type. */
void patroni_json_str(const cJSON *o, const char *key, char *buf, size_t n);
int64_t patroni_json_int(const cJSON *o, const char *key, int64_t unknown);
int patroni_json_bool(const cJSON *o, const char *key);

const struct patroni_member *patroni_member_find(const struct patroni_view *v, const char *name);
const struct patroni_member *patroni_leader(const struct patroni_view *v);
/* The members Patroni made synchronous standbys (role sync_standby), comma-separated. */
void patroni_sync_standbys(const struct patroni_view *v, char *buf, size_t n);
/* Whether Patroni would accept name as a failover candidate now, and if not why (in why):
 * not a member, tagged nofailover, not running, or (synchronous_mode) not the sync standby. */
bool patroni_can_fail_over_to(const struct patroni_view *v, const char *name, char *why, size_t n);
/* "http://host:8008" from "http://host:8008/patroni" or "http://host:8008/": the base of a
 * member's API, to which /cluster, /switchover... are appended. */
void patroni_api_base(const char *url, char *buf, size_t n);

#endif
