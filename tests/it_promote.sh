#!/usr/bin/env bash
# The drill of docs/DESIGN.md section 1 with repltop: a writer records every acknowledged id, the
# primary is SIGKILLed, `repltop promote walreceiversync --yes`, and every acknowledged row is on
# the new primary; the other standby follows it on the new timeline; the old primary rejoins.
# Plus the refusals: primary up, already primary, no confirmation; and --force.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
J=$TEST_TMP/s.json
promote() { "$REPLTOP" -c "$CONF" promote "$@" >"$TEST_TMP/o" 2>&1; }

status_json >"$J" # what an operator sees first (repltop also remembers the sync list)

promote walreceiversync --yes
check_eq "refused while the primary is up: exit 1" 1 $?
check "refused while the primary is up: says why" grep -q "db_m is a reachable, writable primary" "$TEST_TMP/o"
promote db_m --yes
check "refused for the primary itself" grep -q "db_m is already a primary" "$TEST_TMP/o"
check_eq "nothing was promoted by the refusals" "t" "$(demo_psql db_s2 -c 'SELECT pg_is_in_recovery()')"

# The write load: every acknowledged id goes to a file, then the primary dies mid-load.
ids=$TEST_TMP/acked.ids
"$REPLTOP" demo load 60 --dir "$DEMO_DIR" --ids "$ids" >"$TEST_TMP/load.out" 2>&1 &
load_pid=$!
on_exit "kill $load_pid"
enough_rows() { [ -s "$ids" ] && [ "$(wc -l <"$ids")" -ge 20000 ]; }
wait_for 30 enough_rows
kill -KILL "$(node_pid db_m)"
wait "$load_pid"
acked=$(wc -l <"$ids")
check "the writer had acknowledged rows when the primary died ($acked)" [ "$acked" -ge 20000 ]

promote walreceiversync </dev/null
check "refused without --yes when there is no terminal" grep -q "needs confirmation" "$TEST_TMP/o"
check_eq "not promoted without confirmation" "t" "$(demo_psql db_s2 -c 'SELECT pg_is_in_recovery()')"

start=$(date +%s%N)
promote walreceiversync --yes
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
sed 's/^/# /' "$TEST_TMP/o"
check_eq "promote walreceiversync: exit 0 (${ms} ms)" 0 "$rc"
check "promote waited for writes to be accepted" grep -q "db_s2 accepts writes" "$TEST_TMP/o"
check_eq "every acknowledged row is on the new primary (missing)" 0 "$(missing_ids db_s2 "$ids")"

status_json >"$J"
check "db_s2 is the primary, on timeline 2" \
    jq -e '.cluster.primary == "db_s2" and (.nodes[] | select(.name=="db_s2") | .role == "primary" and .timeline == 2)' "$J"
check "db_s1 streams from db_s2 on timeline 2" \
    jq -e '.nodes[] | select(.name=="db_s1") | .role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming"' "$J"
check "the new sync list no longer names the promoted node" \
    jq -e '.cluster.synchronous_standby_names | ascii_downcase | contains("walreceiversync") | not' "$J"
check_eq "the new sync list replaces it by the remaining standbys, method and number kept" \
    "FIRST 1 (db_m, walreceiver)" "$(jq -r .cluster.synchronous_standby_names "$J")"
check "writes work on the new primary (sync commit via db_s1)" \
    demo_psql db_s2 -d demo -c "INSERT INTO users(name) VALUES ('after failover')"
log=$XDG_STATE_HOME/repltop/actions.log
check "the promote is in the audit log" grep -q "promote walreceiversync.*pg_promote" "$log"
check_eq "audit log is private" 600 "$(stat -c %a "$log")"
check "no password in the audit log or the promote's output" no_password_in "$log" "$TEST_TMP/o"

# The old primary comes back as a standby of the new one.
"$REPLTOP" -c "$CONF" rejoin db_m --yes >"$TEST_TMP/rejoin.out" 2>&1
check_eq "rejoin db_m: exit 0" 0 $?
sed 's/^/# /' "$TEST_TMP/rejoin.out"
db_m_follows() { status_json >"$J"; jq -e '.nodes[] | select(.name=="db_m") | .role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming"' "$J" >/dev/null; }
check "db_m streams from db_s2 on timeline 2" wait_for 30 db_m_follows
check "db_m is now the sync standby of the new list" \
    jq -e '.nodes[] | select(.name=="db_m") | .sync_state == "sync"' "$J"
check_eq "db_m has every acknowledged row (missing)" 0 "$(missing_ids db_m "$ids")"

# --force: promote db_s1 while db_s2 is a writable primary -> two primaries, loudly. The case
# checks the override, not a rewind: db_s1 (async) first replays all db_s2 wrote, so that db_m
# (sync) is not ahead of it and can simply follow.
head_lsn=$(demo_psql db_s2 -c "SELECT pg_current_wal_lsn()")
caught_up() { [ "$(demo_psql db_s1 -c "SELECT pg_last_wal_replay_lsn() >= '$head_lsn'")" = t ]; }
wait_for 30 caught_up
promote db_s1 --yes --force
check_eq "--force promotes anyway" 0 $? || sed "s/^/# /" "$TEST_TMP/o"
check "--force says so loudly" grep -q "FORCED" "$TEST_TMP/o"
status_json >"$J"
check_eq "two primaries: status exits 2" 2 $?
check "two primaries: flagged multiple_primaries" jq -e '.cluster.problems | any(.code == "multiple_primaries")' "$J"
