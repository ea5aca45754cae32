#!/usr/bin/env bash
# docs/DESIGN.md 7: a standby can be ahead of the promoted one. Forced here: db_s2 stops receiving
# while db_s1 (sync for the moment) gets more WAL; the primary dies; promoting db_s2 must
# detect that db_s1 cannot follow the new timeline (needs_rewind) and, its data directory being
# local, rejoin it with pg_rewind so that it streams from db_s2.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
J=$TEST_TMP/s.json

demo_psql db_m -c "ALTER SYSTEM SET synchronous_standby_names = 'walreceiver'" -c "SELECT pg_reload_conf()" >/dev/null
demo_psql db_s2 -c "ALTER SYSTEM SET primary_conninfo = ''" -c "SELECT pg_reload_conf()" >/dev/null
s2_gone() { [ "$(demo_psql db_m -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'walreceiversync'")" = 0 ]; }
check "db_s2 stopped receiving" wait_for 20 s2_gone
"$REPLTOP" demo load 2 --dir "$DEMO_DIR" >"$TEST_TMP/load.out" 2>&1
check "rows written while db_s2 was not receiving" grep -qE '^[1-9][0-9]* rows committed' "$TEST_TMP/load.out"
s1_rows=$(demo_psql db_s1 -d demo -c "SELECT count(*) FROM users")
s2_rows=$(demo_psql db_s2 -d demo -c "SELECT count(*) FROM users")
check "db_s1 is ahead of db_s2 ($s1_rows > $s2_rows rows)" [ "$s1_rows" -gt "$s2_rows" ]
kill -KILL "$(node_pid db_m)"

# No repltop saw the old primary and no policy is declared: its list is unknown, and a promote
# refuses to guess it (it_durability). The subject here is the rewind, so the operator says what
# they want: no synchronous standby until db_s1 is back.
"$REPLTOP" -c "$CONF" promote db_s2 --yes >"$TEST_TMP/o" 2>&1
check_eq "without a known list or a choice, promote db_s2 refuses (exit 1)" 1 $?
check "... and says what to choose" grep -q -- "--sync-names SPEC, or --async" "$TEST_TMP/o"
"$REPLTOP" -c "$CONF" promote db_s2 --yes --async >"$TEST_TMP/o" 2>&1
rc=$?
sed 's/^/# /' "$TEST_TMP/o"
check_eq "promote db_s2 --async: exit 0" 0 "$rc"
check "warned that db_s1 has more WAL than db_s2" grep -q "db_s1 has received .* more WAL than db_s2" "$TEST_TMP/o"
check "detected needs_rewind for db_s1" grep -q "db_s1 needs_rewind" "$TEST_TMP/o"
check "rejoined db_s1 automatically" grep -q "db_s1 rejoined and follows db_s2" "$TEST_TMP/o"
s1_follows() { status_json >"$J"; jq -e '.nodes[] | select(.name=="db_s1") | .role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming"' "$J" >/dev/null; }
check "db_s1 streams from db_s2 on timeline 2" wait_for 30 s1_follows
demo_psql db_s2 -d demo -c "INSERT INTO users(name) VALUES ('after rewind')" >/dev/null
same_rows() { [ "$(demo_psql db_s1 -d demo -c "SELECT count(*) FROM users")" = "$(demo_psql db_s2 -d demo -c "SELECT count(*) FROM users")" ]; }
check "db_s1 now has exactly db_s2's rows (its extra WAL was rewound)" wait_for 10 same_rows
