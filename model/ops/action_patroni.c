/* action_patroni: the actions through Patroni's REST API (action_patroni.h).
 *
 * Things that bite (seen on Patroni 3.0.2):
 * - POST /failover and /switchover answer only once Patroni has switched (about 2 s here), or
 *   412/503 with the reason; the standbys follow later: we wait for the whole cluster.
 * - PATCH /config answers at once; Patroni applies it at its next loop (up to loop_wait).
 * - /cluster says "running" for a replica that streams: the timeline and the lag tell more.
 * - The old leader's REST API may be gone with it: every request goes to the first API that
 *   answers (patroni_fetch), the members' own APIs included. */
#include "model/ops/action_patroni.h"
#include "model/ops/action_sync.h"
#include "model/base/util.h"
#include "model/patroni/http.h"
#include "model/patroni/patroni_view.h"
#include "model/watch/patroni_members.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AGREE_TIMEOUT_MS 120000 /* Patroni's loop_wait and ttl are tens of seconds */
#define POST_TIMEOUT_MS  60000  /* POST /switchover answers once it is done */

bool action_patroni_known(const struct action *a)
{
    char urls[PATRONI_MAX_URLS][256];
    return patroni_urls(a->cfg, NULL, urls, PATRONI_MAX_URLS) > 0;
}

/* Patroni's current view, or a fail: line when no API answers. */
static bool read_view(struct action *a, struct patroni_view *v)
{
    if (patroni_fetch(a->cfg, v, a->cfg->query_timeout_ms))
        return true;
    action_fail(a, "Patroni's REST API does not answer (%s): nothing was changed", v->error);
    return false;
}

enum sent { SENT_REFUSED, SENT_DONE, SENT_PENDING };

/* Sends METHOD base+path with body; prints Patroni's answer. SENT_DONE on a 2xx; SENT_PENDING
 * when Patroni took it but could not say how it ended ("Failover status unknown": a dead
 * leader still holds the leader key until its ttl runs out, then Patroni fails over). */
static enum sent send_req(struct action *a, const char *base, const char *method, const char *path,
                          const char *body)
{
    char url[320];
    str_printf(url, sizeof url, "%s%s", base, path);
    action_step(a, "%s %s %s", method, url, body ? body : "");
    struct http *h = http_new();
    struct http_req *r = http_start(h, method, url, body, POST_TIMEOUT_MS);
    http_wait(h, r);
    long status = http_req_status(r);
    char text[300];
    str_copy(text, sizeof text, http_req_body(r));
    text[strcspn(text, "\r\n")] = '\0';
    bool ok = status >= 200 && status < 300;
    enum sent how = ok ? SENT_DONE : SENT_REFUSED;
    if (status == 503 && strstr(text, "status unknown")) {
        action_warn(a,
                    "Patroni: %s (HTTP %ld): it goes on when the old leader's key expires "
                    "(ttl); waiting for it",
                    text, status);
        how = SENT_PENDING;
    } else if (ok && strcmp(method, "PATCH") == 0)
        action_ok(a, "Patroni took it (HTTP %ld)", status);
    else if (ok)
        action_ok(a, "Patroni: %s (HTTP %ld)", text, status);
    else if (status)
        action_fail(a, "Patroni refused it (HTTP %ld): %s", status, text);
    else
        action_fail(a, "no answer from %s: %s", url, http_req_error(r));
    http_free(h);
    return how;
}

static bool send(struct action *a, const char *base, const char *method, const char *path,
                 const char *body)
{
    return send_req(a, base, method, path, body) == SENT_DONE;
}

static bool running(const struct patroni_member *m)
{
    return strcmp(m->state, "running") == 0 || strcmp(m->state, "streaming") == 0;
}

/* Whether Patroni's view shows the cluster settled with leader (NULL: any): every running
 * member on the leader's timeline and not lagging, a sync standby when synchronous_mode asks
 * for one and a replica runs. why says what is still missing. */
static bool settled(const struct patroni_view *v, const char *leader, char *why, size_t n)
{
    const struct patroni_member *l = patroni_leader(v);
    if (!l || !running(l)) {
        str_printf(why, n, "no running leader yet");
        return false;
    }
    if (leader && strcmp(l->name, leader) != 0) {
        str_printf(why, n, "the leader is still %s", l->name);
        return false;
    }
    int replicas = 0, syncs = 0;
    for (int i = 0; i < v->nmembers; i++) {
        const struct patroni_member *m = &v->members[i];
        if (m == l)
            continue;
        if (!running(m)) {
            str_printf(why, n, "%s is %s", m->name, m->state[0] ? m->state : "unknown");
            return false;
        }
        if (m->timeline != l->timeline || !num_known(m->lag) || m->lag > 16 * 1024 * 1024) {
            str_printf(why, n, "%s is not streaming from %s yet", m->name, l->name);
            return false;
        }
        replicas++;
        syncs += strcmp(m->role, "sync_standby") == 0;
    }
    if (v->settings.synchronous_mode == 1 && replicas > 0 && syncs == 0) {
        str_printf(why, n, "Patroni has not chosen a sync standby yet");
        return false;
    }
    return true;
}

/* Waits until Patroni's view is settled with leader and PostgreSQL agrees (the leader is the
 * one primary of a fresh snapshot). Members that are not running and were not before are a
 * warning, not a reason to wait forever: a killed leader comes back only with its Patroni. */
static int wait_agreed(struct action *a, const char *leader, const char *skip_down)
{
    int64_t deadline = clock_mono_ms() + AGREE_TIMEOUT_MS;
    struct patroni_view *v = xmalloc(sizeof *v);
    char why[300] = "", last[300] = "";
    while (clock_mono_ms() < deadline) {
        if (patroni_fetch(a->cfg, v, a->cfg->query_timeout_ms)) {
            /* a member that is down for good (the killed old leader) is left out */
            for (int i = 0; skip_down && i < v->nmembers; i++)
                if (strcmp(v->members[i].name, skip_down) == 0 && !running(&v->members[i]))
                    v->members[i--] = v->members[--v->nmembers];
            if (settled(v, leader, why, sizeof why)) {
                action_refresh(a);
                const struct node_snap *p = action_primary(a);
                if (p && (!leader || strcmp(p->name, leader) == 0 ||
                          strcmp(p->patroni_member, leader) == 0))
                    break;
                str_printf(why, sizeof why, "PostgreSQL does not show %s as the one primary yet",
                           leader ? leader : "a leader");
            }
        } else {
            str_copy(why, sizeof why, v->error);
        }
        if (strcmp(why, last) != 0) {
            action_step(a, "waiting: %s", why);
            str_copy(last, sizeof last, why);
        }
        why[0] = '\0';
        usleep(500 * 1000);
    }
    if (clock_mono_ms() >= deadline) {
        free(v);
        return action_fail(a, "Patroni did not settle within %d s: %s", AGREE_TIMEOUT_MS / 1000,
                           last);
    }
    const struct patroni_member *l = patroni_leader(v);
    char sync[256];
    patroni_sync_standbys(v, sync, sizeof sync);
    action_ok(a, "Patroni agrees: leader %s on timeline %d, sync standby %s, %d member(s) running",
              l->name, l->timeline, sync[0] ? sync : "none", v->nmembers);
    free(v);
    return 0;
}

/* The member name of a node given by config name or application_name. */
static const char *member_name(struct action *a, const struct patroni_view *v, const char *node)
{
    const struct node_conf *nc = action_find_node(a, node);
    const struct patroni_member *m = nc ? patroni_member_of(v, nc) : NULL;
    return m ? m->name : patroni_member_find(v, node) ? node : NULL;
}

static char *json_body(const char *k1, const char *v1, const char *k2, const char *v2)
{
    cJSON *o = cJSON_CreateObject();
    if (k1)
        cJSON_AddStringToObject(o, k1, v1);
    if (k2)
        cJSON_AddStringToObject(o, k2, v2);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *copy = xstrdup(text);
    cJSON_free(text);
    return copy;
}

/* failover and switchover: checked against Patroni's rules, confirmed, sent, waited for. */
static int move_leader(struct action *a, const char *node, bool switchover)
{
    struct patroni_view *v = xmalloc(sizeof *v);
    int rc = 1;
    if (!read_view(a, v))
        goto out;
    const char *cand = member_name(a, v, node);
    const struct patroni_member *l = patroni_leader(v);
    char why[300];
    if (!cand) {
        rc = action_fail(a, "%s is not a member of Patroni's cluster %s", node, v->scope);
        goto out;
    }
    if (switchover && (!l || !running(l))) {
        rc = action_fail(a,
                         "switchover needs a running leader, and Patroni has none: promote "
                         "%s instead (a failover)",
                         cand);
        goto out;
    }
    if (!patroni_can_fail_over_to(v, cand, why, sizeof why)) {
        rc = action_fail(a, "%s refused: %s (Patroni's rule); nothing was changed", a->verb, why);
        goto out;
    }
    action_ok(a, "Patroni runs the cluster %s (leader %s): the %s goes through its REST API",
              v->scope[0] ? v->scope : "?", l ? l->name : "none", a->verb);
    char question[400];
    str_printf(question, sizeof question, "Ask Patroni to make %s the leader (%s)?", cand,
               switchover ? "switchover" : "failover");
    if (!action_confirm(a, question, cand))
        goto out;
    char *body = switchover ? json_body("leader", l->name, "candidate", cand)
                            : json_body("candidate", cand, NULL, NULL);
    char base[256];
    str_copy(base, sizeof base, v->url);
    enum sent sent = send_req(a, base, "POST", switchover ? "/switchover" : "/failover", body);
    free(body);
    if (sent != SENT_REFUSED)
        rc = wait_agreed(a, cand, switchover ? NULL : (l ? l->name : NULL));
out:
    free(v);
    return rc;
}

int action_patroni_failover(struct action *a, const char *node)
{
    return move_leader(a, node, false);
}

int action_patroni_switchover(struct action *a, const char *node)
{
    return move_leader(a, node, true);
}

/* The sync settings as Patroni holds them: "synchronous_mode on, strict off, 1 sync standby". */
static void describe_sync(const struct patroni_settings *s, char *buf, size_t n)
{
    str_printf(buf, n, "synchronous_mode %s, synchronous_mode_strict %s, synchronous_node_count %d",
               s->synchronous_mode == 1 ? "on" : "off",
               s->synchronous_mode_strict == 1 ? "on" : "off",
               s->synchronous_node_count >= 0 ? s->synchronous_node_count : 1);
}

/* Whether Patroni's view shows the settings asked for (-1: any) and, with synchronous_mode on,
 * as many sync standbys as asked and as there are replicas to be one. */
static bool sync_applied(const struct patroni_view *v, int mode, int strict, int count)
{
    const struct patroni_settings *s = &v->settings;
    if ((mode >= 0 && (s->synchronous_mode == 1) != mode) ||
        (strict >= 0 && (s->synchronous_mode_strict == 1) != strict) ||
        (count >= 0 && s->synchronous_node_count != count))
        return false;
    int replicas = 0, syncs = 0;
    for (int i = 0; i < v->nmembers; i++) {
        bool sync = strcmp(v->members[i].role, "sync_standby") == 0;
        replicas += strcmp(v->members[i].role, "leader") != 0 && running(&v->members[i]);
        syncs += sync;
    }
    if (s->synchronous_mode != 1)
        return syncs == 0;
    int want = s->synchronous_node_count >= 1 ? s->synchronous_node_count : 1;
    return syncs == (want < replicas ? want : replicas);
}

int action_patroni_sync(struct action *a, int mode, int strict, int count)
{
    struct patroni_view *v = xmalloc(sizeof *v);
    int rc = 1;
    if (!read_view(a, v))
        goto out;
    char now[200];
    describe_sync(&v->settings, now, sizeof now);
    action_ok(a, "Patroni owns the sync standbys of %s: %s; the members are Patroni's to choose",
              v->scope[0] ? v->scope : "its cluster", now);
    cJSON *o = cJSON_CreateObject();
    if (mode >= 0)
        cJSON_AddBoolToObject(o, "synchronous_mode", mode);
    if (strict >= 0)
        cJSON_AddBoolToObject(o, "synchronous_mode_strict", strict);
    if (count >= 0)
        cJSON_AddNumberToObject(o, "synchronous_node_count", count);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *body = xstrdup(text);
    cJSON_free(text);
    if (mode == 0 || (strict == 0 && v->settings.synchronous_mode_strict == 1))
        action_warn(a, "a durability downgrade: commits may be acknowledged by fewer standbys");
    char question[300];
    str_printf(question, sizeof question, "Change Patroni's configuration to %s?", body);
    if (!action_confirm(a, question, "yes") || !send(a, v->url, "PATCH", "/config", body)) {
        free(body);
        goto out;
    }
    free(body);
    int64_t deadline = clock_mono_ms() + AGREE_TIMEOUT_MS;
    bool done = false;
    action_step(a, "waiting for Patroni's next loop to apply it");
    while (!done && clock_mono_ms() < deadline) {
        usleep(500 * 1000);
        done = patroni_fetch(a->cfg, v, a->cfg->query_timeout_ms) &&
               sync_applied(v, mode, strict, count);
    }
    char sync[256];
    patroni_sync_standbys(v, sync, sizeof sync);
    describe_sync(&v->settings, now, sizeof now);
    if (!done)
        rc = action_fail(a, "Patroni did not apply it within %d s (now: %s, sync standby %s)",
                         AGREE_TIMEOUT_MS / 1000, now, sync[0] ? sync : "none");
    else
        rc = wait_agreed(a, NULL, NULL);
    if (rc == 0)
        action_ok(a, "Patroni applied it: %s; sync standby %s", now, sync[0] ? sync : "none");
out:
    free(v);
    return rc;
}

/* The member's postmaster_start_time from its own GET /patroni ("" when it does not say):
 * it changes when Patroni has rebuilt and started it again. */
static void start_time(const char *base, char *buf, size_t n)
{
    char url[300];
    str_printf(url, sizeof url, "%s/patroni", base);
    struct http *h = http_new();
    struct http_req *r = http_start(h, "GET", url, NULL, 5000);
    http_wait(h, r);
    buf[0] = '\0';
    cJSON *o = http_req_status(r) ? cJSON_Parse(http_req_body(r)) : NULL;
    patroni_json_str(o, "postmaster_start_time", buf, n);
    cJSON_Delete(o);
    http_free(h);
}

int action_patroni_reinit(struct action *a, const char *node)
{
    struct patroni_view *v = xmalloc(sizeof *v);
    int rc = 1;
    if (!read_view(a, v))
        goto out;
    const char *name = member_name(a, v, node);
    const struct patroni_member *m = name ? patroni_member_find(v, name) : NULL;
    if (!m) {
        rc = action_fail(a, "%s is not a member of Patroni's cluster %s", node, v->scope);
        goto out;
    }
    if (strcmp(m->role, "leader") == 0) {
        rc = action_fail(a,
                         "%s is Patroni's leader: a leader is never rebuilt (switch over "
                         "first); nothing was changed",
                         m->name);
        goto out;
    }
    char base[256], before[64], now[64];
    patroni_api_base(m->api_url, base, sizeof base);
    action_ok(a, "Patroni runs %s: its data directory is rebuilt by Patroni (POST /reinitialize)",
              m->name);
    char question[300];
    str_printf(question, sizeof question,
               "Ask Patroni to erase and clone %s again from the leader (reinitialize)?", m->name);
    start_time(base, before, sizeof before);
    if (!action_confirm(a, question, m->name) ||
        !send(a, base, "POST", "/reinitialize", "{\"force\": true}"))
        goto out;
    /* "reinitialize started": done only once a new postmaster runs there, then agreed */
    int64_t deadline = clock_mono_ms() + AGREE_TIMEOUT_MS;
    action_step(a, "waiting for Patroni to clone %s and start it again", m->name);
    do {
        usleep(500 * 1000);
        start_time(base, now, sizeof now);
    } while ((!now[0] || strcmp(now, before) == 0) && clock_mono_ms() < deadline);
    if (!now[0] || strcmp(now, before) == 0) {
        rc = action_fail(a, "%s's postmaster was not started again within %d s", m->name,
                         AGREE_TIMEOUT_MS / 1000);
        goto out;
    }
    action_ok(a, "%s runs again (postmaster started %s)", m->name, now);
    rc = wait_agreed(a, NULL, NULL);
out:
    free(v);
    return rc;
}

int action_patroni_rejoin(struct action *a, const char *node)
{
    return action_fail(a,
                       "rejoin refused: Patroni rejoins %s itself (use_pg_rewind: it rewinds "
                       "an old primary when its Patroni starts); if it cannot, use resync, "
                       "which asks Patroni to reinitialize it; nothing was changed",
                       node);
}

int action_patroni_sync_show(struct action *a)
{
    struct patroni_view *v = xmalloc(sizeof *v);
    int rc = action_sync_show(a);
    if (read_view(a, v)) {
        char now[200], sync[256];
        describe_sync(&v->settings, now, sizeof now);
        patroni_sync_standbys(v, sync, sizeof sync);
        action_ok(a, "Patroni (%s): %s; sync standby %s (chosen by Patroni)",
                  v->scope[0] ? v->scope : v->url, now, sync[0] ? sync : "none");
    } else {
        rc = 1;
    }
    free(v);
    return rc;
}
