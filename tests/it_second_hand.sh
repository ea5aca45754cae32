#!/usr/bin/env bash
# What another node knows of a node repltop cannot ask (issue 15): db_s1 refuses our logins
# (pg_hba.conf) but still streams. Listed under the name it streams as (as an HA manager lists
# its members), it is shown as db_m's pg_stat_replication shows it — upstream, sync state, lag —
# marked second-hand, a warning rather than "down"; each fact compared with db_m's own row, and
# the slot it streams with (pg_replication_slots.active_pid = that row's pid) with db_m's slot.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up
# few connection slots, so that db_s1 can be filled up below: all three (a standby needs at least
# its primary's), above max_wal_senders (10); lowered on the primary first, and on the standbys
# once they replayed its new value
for n in db_m db_s1 db_s2; do demo_psql $n -c "ALTER SYSTEM SET max_connections = 12" >/dev/null; done
ctl -D "$DEMO_DIR/db_m" restart -m fast -w -t 60 -l "$DEMO_DIR/db_m.log"
mc=$(demo_psql db_m -c "SELECT pg_current_wal_lsn()")
replayed_mc() { for n in db_s1 db_s2; do [ "$(demo_psql $n -c "SELECT pg_last_wal_replay_lsn() >= '$mc'")" = t ] || return 1; done; }
wait_for 30 replayed_mc
for n in db_s1 db_s2; do ctl -D "$DEMO_DIR/$n" restart -m fast -w -t 60 -l "$DEMO_DIR/$n.log"; done
check "PostgreSQL: max_connections 12 on db_s1" test "$(demo_psql db_s1 -c "SHOW max_connections")" = 12

# db_s1 streams with a slot, as most standbys do
demo_psql db_m -c "SELECT pg_create_physical_replication_slot('s1slot')" >/dev/null
demo_psql db_s1 -c "ALTER SYSTEM SET primary_slot_name = 's1slot'" -c "SELECT pg_reload_conf()" >/dev/null
slot_used() { [ "$(demo_psql db_m -c "SELECT active FROM pg_replication_slots WHERE slot_name = 's1slot'")" = t ]; }
check "PostgreSQL: db_s1 streams with slot s1slot" wait_for 30 slot_used
NAMED=$TEST_TMP/named.conf
sed 's/\bdb_s1\b/walreceiver/g' "$CONF" >"$NAMED"
HBA=$DEMO_DIR/db_s1/pg_hba.conf
run_as_server sed -i 's|^host *all *all *127.0.0.1/32 *scram-sha-256|host all all 127.0.0.1/32 reject|' "$HBA"
ctl -D "$DEMO_DIR/db_s1" reload
refused() { snap "$NAMED"; q '.nodes[] | select(.name == "walreceiver") | .reachable == false'; }
check "db_s1 refuses repltop's login now" wait_for 20 refused
row() { demo_psql db_m -c "SELECT $1 FROM pg_stat_replication WHERE application_name = 'walreceiver'"; }
check "PostgreSQL: db_m still shows walreceiver $(row state), $(row sync_state)" test "$(row state)" = streaming
live() { snap "$NAMED"; q '.nodes[] | select(.name == "walreceiver") | .seen_by == "db_m"'; }
check "repltop: seen_by db_m" wait_for 20 live
jq -c '.nodes[] | select(.name == "walreceiver") | {reach, state, role, seen_by, upstream, sync_state, lag_bytes}' "$J" | sed 's/^/# /'
check "its role, upstream and sync state are db_m's row's ($(row sync_state))" \
    q --arg s "$(row sync_state)" '.nodes[] | select(.name == "walreceiver") |
      .role == "standby" and .upstream == "db_m" and .sync_state == $s and .lag_bytes.replay != null'
check "the problem says it refuses us, and what db_m shows (second-hand), as a warning" \
    q '.cluster.problems[] | select(.node == "walreceiver") |
       .severity == "warning" and (.message | test("refused our login \\(db_m shows it streaming.*second-hand\\)"))'
check "no critical problem: replication works, only our view is missing" q '.cluster.health != "critical"'
# the slot db_m's walsender for it holds, as PostgreSQL joins them
slot_of() { demo_psql db_m -c "SELECT s.$1 FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE r.application_name = 'walreceiver'"; }
check_eq "its primary_slot_name is the slot db_m's walsender for it holds (active_pid)" \
    "$(slot_of slot_name)" "$(jq -r '.nodes[] | select(.name == "walreceiver") | .primary_slot_name' "$J")"
check "the problem names that slot as db_m shows it: active $(slot_of active), wal_status $(slot_of wal_status)" \
    q --arg w "$(slot_of wal_status)" '.cluster.problems[] | select(.node == "walreceiver") | .message | contains("slot s1slot active " + $w + ": second-hand")'
check "db_m's slot s1slot is not called inactive" q '.cluster.problems | all(.code != "slot_inactive")'
"$REPLTOP" -c "$NAMED" status >"$TEST_TMP/status.txt"
check "the table says it too" grep -q 'second-hand' "$TEST_TMP/status.txt"
# up, but no connection slot left for us (max_connections reached): refused, not down
run_as_server sed -i 's|^host all all 127.0.0.1/32 reject|host all all 127.0.0.1/32 scram-sha-256|' "$HBA"
ctl -D "$DEMO_DIR/db_s1" reload
back() { snap "$NAMED"; q '.nodes[] | select(.name == "walreceiver") | .reachable'; }
check "db_s1 lets us in again" wait_for 20 back
FILL=()
for i in $(seq 12); do
    demo_psql db_s1 -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
    FILL+=($!)
done
on_exit "kill ${FILL[*]}"
full() { demo_psql db_s1 -c "SELECT 1" 2>&1 | grep -q "too many clients"; }
check "PostgreSQL: db_s1 says \"sorry, too many clients already\" (max_connections $(demo_psql db_m -c "SHOW max_connections"))" wait_for 30 full
refused_full() { snap "$NAMED"; q '.nodes[] | select(.name == "walreceiver") | .seen_by == "db_m" and (.error | test("too many clients"))'; }
check "repltop: refused, seen_by db_m" wait_for 20 refused_full
jq -c '.nodes[] | select(.name == "walreceiver") | {reach, state, error}' "$J" | sed 's/^/# /'
check "full: not down: state auth_failed, db_m's row says it streams ($(row state), $(row sync_state))" \
    q --arg s "$(row sync_state)" '.nodes[] | select(.name == "walreceiver") |
      .state == "auth_failed" and .reach == "auth_failed" and .role == "standby" and .sync_state == $s'
check "full: a warning that it refused our login, with what db_m shows (second-hand)" \
    q '.cluster.problems[] | select(.node == "walreceiver") |
       .code == "auth_failed" and .severity == "warning" and (.message | test("refused our login \\(db_m shows it streaming.*second-hand\\)"))'
# stopped for real: db_m's row is gone at once, and so is the second-hand word
ctl -D "$DEMO_DIR/db_s1" stop -m fast
gone() { snap "$NAMED"; q '.nodes[] | select(.name == "walreceiver") | .seen_by == null'; }
check "stopped: no second-hand word left, and db_m lists no row ($(demo_psql db_m -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'walreceiver'"))" wait_for 20 gone
check "stopped: critical" q '.cluster.problems[] | select(.node == "walreceiver") | .severity == "critical"'
