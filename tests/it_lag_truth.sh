#!/usr/bin/env bash
# Time lag and byte lag each reach their own severity, the worse wins (issue 15), on real
# servers: db_s1's replay is paused (pg_wal_replay_pause()) and the primary writes. Three cases,
# one cluster, each judged by a config with its own thresholds:
#   bytes past crit while the seconds are small (a burst right after the pause);
#   seconds past crit while the bytes are small (a trickle of commits while paused);
#   bytes past warn and seconds past crit: critical, the seconds named (the bug of the issue:
#   byte lag hid a critical time lag).
# repltop's lag_seconds.replay and lag_bytes.replay are compared with what PostgreSQL says at the
# same moment: pg_stat_replication.replay_lag on db_m, and pg_current_wal_lsn() on db_m minus
# pg_last_wal_replay_lsn() on db_s1 — read before and after the snapshot, kept only when equal.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up

# A config with its own lag thresholds: lag_conf NAME KEY=VALUE...
lag_conf() {
    local f=$TEST_TMP/$1.conf
    shift
    cp "$CONF" "$f"
    for kv in "$@"; do sed -i "s/^\[repltop\]\$/[repltop]\n${kv%%=*} = ${kv#*=}/" "$f"; done
    echo "$f"
}
BYTES_CONF=$(lag_conf bytes lag_warn_bytes=1MB lag_crit_bytes=4MB lag_warn_seconds=60s lag_crit_seconds=120s)
TIME_CONF=$(lag_conf time lag_warn_seconds=2s lag_crit_seconds=4s)

# What PostgreSQL says of db_s1 (streaming as walreceiver): "SECONDS BYTES", SECONDS empty when
# replay_lag is NULL.
pg_lag() {
    local replay
    replay=$(demo_psql db_s1 -c "SELECT pg_last_wal_replay_lsn()")
    demo_psql db_m -c "SELECT coalesce(extract(epoch FROM replay_lag)::text, '') || ' ' ||
        pg_wal_lsn_diff(pg_current_wal_lsn(), '$replay')::bigint
        FROM pg_stat_replication WHERE application_name = 'walreceiver'"
}
# One snapshot with CONFIG while PostgreSQL's answer stays the same around it; sets PG_S, PG_B.
agreed() { # config
    local a b
    a=$(pg_lag)
    snap "$1"
    b=$(pg_lag)
    [ -n "$a" ] && [ "$a" = "$b" ] || return 1
    PG_S=${a% *}
    PG_B=${a#* }
}
node() { jq -r ".nodes[] | select(.name == \"db_s1\") | $1" "$J"; }
# repltop's replay seconds equal PostgreSQL's (both null, or within a microsecond's rounding)
same_seconds() {
    local r
    r=$(node '.lag_seconds.replay // ""')
    if [ -z "$PG_S" ]; then [ -z "$r" ]; else [ -n "$r" ] && awk -v a="$r" -v b="$PG_S" 'BEGIN { d = a - b; exit !(d < 0.001 && d > -0.001) }'; fi
}
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }
MB=$((1024 * 1024))

demo_psql db_m -c "CREATE TABLE filler (x text)" \
    -c "CREATE TABLE trickle (t timestamptz)" \
    -c "CREATE PROCEDURE trickle() LANGUAGE plpgsql AS \$\$ BEGIN LOOP INSERT INTO trickle VALUES (now()); COMMIT; PERFORM pg_sleep(0.2); END LOOP; END \$\$" >/dev/null
burst() { demo_psql db_m -c "SET synchronous_commit = local" -c "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, $1)" >/dev/null; }
paused() { [ "$(demo_psql db_s1 -c "SELECT pg_is_wal_replay_paused()")" = t ]; }
caught_up() {
    [ "$(demo_psql db_s1 -c "SELECT pg_last_wal_replay_lsn() >= '$(demo_psql db_m -c "SELECT pg_current_wal_lsn()")'")" = t ]
}

# ---- bytes past crit, seconds small: paused while idle, then a burst of ~7 MB ------------------
demo_psql db_s1 -c "SELECT pg_wal_replay_pause()" >/dev/null
wait_for 10 paused
burst 6000
far() { demo_psql db_s1 -c "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) >= 4 * 1024 * 1024" | grep -q t; }
check "PostgreSQL: db_s1 received the burst and did not replay it" wait_for 20 far
check "bytes case: one snapshot while PostgreSQL's answer held still" wait_for 30 agreed "$BYTES_CONF"
check "bytes case: PostgreSQL shows db_s1 past 4 MB behind ($PG_B B) and under 60 s (replay_lag '${PG_S:-NULL}')" \
    eval '[ "$PG_B" -ge $((4 * MB)) ] && { [ -z "$PG_S" ] || ! gt "$PG_S" 60; }'
check_eq "bytes case: lag_bytes.replay is PostgreSQL's" "$PG_B" "$(node .lag_bytes.replay)"
check "bytes case: lag_seconds.replay is pg_stat_replication's replay_lag (${PG_S:-NULL})" same_seconds
check "bytes case: lag_crit for db_s1, critical, naming the bytes" \
    q '.cluster.problems | any(.node == "db_s1" and .code == "lag_crit" and .severity == "critical" and (.message | test("replay is [0-9.]+ [KMG]?i?B behind db_m \\(crit at 4")))'
check "bytes case: replay_paused said too, as PostgreSQL says (pg_is_wal_replay_paused)" \
    q '.cluster.problems | any(.node == "db_s1" and .code == "replay_paused")'
"$REPLTOP" -c "$BYTES_CONF" status >"$TEST_TMP/status.txt"
check "bytes case: the status table lists lag_crit for db_s1" grep -Eq 'lag_crit.*db_s1|db_s1.*lag_crit' "$TEST_TMP/status.txt"

# ---- seconds past crit, bytes small: a trickle of commits while paused ------------------------
demo_psql db_s1 -c "SELECT pg_wal_replay_resume()" >/dev/null
check "db_s1 replays the burst once resumed" wait_for 60 caught_up
PGAPPNAME=trickle demo_psql db_m -c "SET synchronous_commit = local" -c "CALL trickle()" >/dev/null 2>&1 &
TRICKLE=$!
stop_trickle() {
    demo_psql db_m -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'trickle'" >/dev/null
    wait "$TRICKLE" 2>/dev/null
}
on_exit "kill $TRICKLE"
trickled() { [ "$(demo_psql db_m -c "SELECT count(*) FROM trickle")" -gt "$1" ]; }
lag_over() { gt "$(pg_lag | cut -d' ' -f1)" "$1"; }
# pg_stat_replication's replay_lag grows while replay is stuck only when the walsender has a sample
# before and one after the stuck position (a pause taken while idle freezes it): paused under the
# trickle; if it does not grow, resumed and paused again
grows=false
for attempt in 1 2 3; do
    wait_for 10 trickled $((attempt * 5))
    demo_psql db_s1 -c "SELECT pg_wal_replay_pause()" >/dev/null
    if wait_for 15 lag_over 5; then grows=true && break; fi
    demo_psql db_s1 -c "SELECT pg_wal_replay_resume()" >/dev/null
done
check "PostgreSQL: db_s1's replay_lag passed 5 s while paused under a trickle (attempt $attempt)" $grows
stop_trickle
check "time case: one snapshot while PostgreSQL's answer held still" wait_for 30 agreed "$TIME_CONF"
check "time case: PostgreSQL shows db_s1 past 4 s behind (${PG_S:-NULL} s) and under 16 MB ($PG_B B)" \
    eval 'gt "$PG_S" 4 && [ "$PG_B" -gt 0 ] && [ "$PG_B" -lt $((16 * MB)) ]'
check_eq "time case: lag_bytes.replay is PostgreSQL's" "$PG_B" "$(node .lag_bytes.replay)"
check "time case: lag_seconds.replay is pg_stat_replication's replay_lag ($PG_S)" same_seconds
check "time case: lag_crit for db_s1, critical, naming the seconds" \
    q '.cluster.problems | any(.node == "db_s1" and .code == "lag_crit" and .severity == "critical" and (.message | test("replay is [0-9.]+ s behind db_m \\(crit at 4 s\\)")))'
check "time case: the health is critical" q '.cluster.health == "critical"'
"$REPLTOP" -c "$TIME_CONF" status >"$TEST_TMP/status.txt"
check "time case: the status table lists lag_crit for db_s1" grep -Eq 'lag_crit.*db_s1|db_s1.*lag_crit' "$TEST_TMP/status.txt"

# ---- bytes past warn, seconds past crit: the worse wins --------------------------------------
burst 20000
warnfar() { demo_psql db_s1 -c "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) >= 17 * 1024 * 1024" | grep -q t; }
check "PostgreSQL: db_s1 received ~20 MB more and did not replay it" wait_for 30 warnfar
check "both: one snapshot while PostgreSQL's answer held still" wait_for 30 agreed "$TIME_CONF"
check "both: PostgreSQL shows db_s1 past 16 MB (warn) and under 256 MB ($PG_B B), past 4 s (${PG_S:-NULL} s)" \
    eval '[ "$PG_B" -ge $((16 * MB)) ] && [ "$PG_B" -lt $((256 * MB)) ] && gt "$PG_S" 4'
check_eq "both: lag_bytes.replay is PostgreSQL's" "$PG_B" "$(node .lag_bytes.replay)"
check "both: lag_seconds.replay is pg_stat_replication's replay_lag ($PG_S)" same_seconds
check "both: critical lag_crit naming the seconds, not a byte lag_warn" \
    q '[.cluster.problems[] | select(.node == "db_s1" and (.code == "lag_warn" or .code == "lag_crit"))] |
       length == 1 and .[0].code == "lag_crit" and .[0].severity == "critical" and (.[0].message | test("s behind db_m \\(crit at 4 s\\)"))'
demo_psql db_s1 -c "SELECT pg_wal_replay_resume()" >/dev/null
check "db_s1 catches up once resumed" wait_for 60 caught_up
snap "$TIME_CONF"
check "caught up: no lag problem for db_s1" \
    q '.cluster.problems | all(.node != "db_s1" or (.code != "lag_warn" and .code != "lag_crit"))'

# ---- a receiver that starts over: db_s1 restarted with no primary to stream from --------------
# A new WAL receiver reports the start of the segment it asks for: pg_last_wal_receive_lsn() goes
# back below what was replayed. The WAL held (data at risk, flush lag) is what was replayed.
demo_psql db_m -c "INSERT INTO trickle VALUES (now())" >/dev/null # past a segment start
wait_for 30 caught_up
demo_psql db_s1 -c "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=replication_user application_name=walreceiver'" >/dev/null
ctl -D "$DEMO_DIR/db_s1" restart -m fast -w -t 60 -l "$DEMO_DIR/db_s1.log"
went_back() { [ "$(demo_psql db_s1 -c "SELECT pg_last_wal_receive_lsn() < pg_last_wal_replay_lsn()")" = t ]; }
check "PostgreSQL: db_s1's receive position ($(demo_psql db_s1 -c "SELECT pg_last_wal_receive_lsn()")) is below its replay position ($(demo_psql db_s1 -c "SELECT pg_last_wal_replay_lsn()"))" \
    wait_for 30 went_back
held() { # bytes db_m wrote past what db_s1 replayed, as PostgreSQL computes it
    demo_psql db_m -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$(demo_psql db_s1 -c "SELECT pg_last_wal_replay_lsn()")')::bigint"
}
restarted_agree() {
    local a b
    a=$(held)
    snap "$CONF"
    b=$(held)
    [ "$a" = "$b" ] && HELD=$a
}
check "restarted receiver: one snapshot while PostgreSQL's answer held still" wait_for 30 restarted_agree
check_eq "restarted receiver: repltop's receive_lsn is pg_last_wal_receive_lsn()'s" \
    "$(demo_psql db_s1 -c "SELECT pg_last_wal_receive_lsn()")" "$(node .receive_lsn)"
check_eq "restarted receiver: data at risk is what db_m wrote past db_s1's replay position, not its receive position" \
    "$HELD" "$(node .data_at_risk_bytes)"
check_eq "restarted receiver: flush lag is the same (never above the replay lag)" "$HELD" "$(node .lag_bytes.flush)"
check_eq "restarted receiver: replay lag is PostgreSQL's" "$HELD" "$(node .lag_bytes.replay)"
