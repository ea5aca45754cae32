#!/usr/bin/env bash
# Planned switchover (issue 12) on the demo cluster, under an insert load that records every
# acknowledged id: `repltop switchover walreceiversync` leaves db_s2 the primary on a new
# timeline, db_m a standby streaming from it that was never rewound, db_s1 streaming from it,
# the sync list with db_m in db_s2's place, and no acknowledged row lost; `switchover db_m`
# switches back the same way, db_s2 in db_m's place in the list. Before that, the refusals, each
# changing nothing: the old primary's host cannot be acted on, the candidate lags, does not
# stream, or the old list is unknown.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up
# after cluster_up: its paths are under the test's own $TEST_TMP
source "$(dirname "$0")/lib_switchover.sh"
export XDG_STATE_HOME=$TEST_TMP/state
LIST0="FIRST 1 (walreceiversync, walreceiver)"
check_eq "the demo's list" "$LIST0" "$(sync_names db_m)"
nothing_changed() { # what
    check_eq "$1: db_m is still the primary" f "$(in_recovery db_m)"
    check_eq "$1: db_s2 is still a standby" t "$(in_recovery db_s2)"
    check "$1: nothing was stopped or promoted" bash -c "! grep -Eq 'stopping db_m|pg_promote' '$OUT'"
}

# --- refusals ----------------------------------------------------------------------------------
grep -v "^datadir = $DEMO_DIR/db_m\$" "$CONF" >"$TEST_TMP/remote.conf"
"$REPLTOP" -c "$TEST_TMP/remote.conf" switchover db_s2 --yes >"$OUT" 2>&1
check_eq "the primary's datadir not on this host: refused (exit 1)" 1 $?
check "... saying its host cannot be acted on" grep -q "cannot act on db_m's host" "$OUT"
nothing_changed "not local"

# db_s2's WAL receiver frozen while db_m writes 4 MB: it falls behind
wr=$(demo_psql db_s2 -c "SELECT pid FROM pg_stat_wal_receiver")
kill -STOP "$wr"
STOPPED_PIDS+=("$wr")
demo_psql db_m -c "SET synchronous_commit = local; CREATE TABLE filler AS SELECT repeat('x', 1000) AS t FROM generate_series(1, 4000)" >/dev/null
switchover db_s2 --yes --max-lag 1MB
rc=$?
kill -CONT "$wr"
show_out
check_eq "candidate lagging: refused (exit 1)" 1 "$rc"
check "... saying how far behind it is and the limit" grep -Eq "^fail: db_s2 is [0-9.]+ [kM]B behind db_m \(more than --max-lag 1\.0 MB\)" "$OUT"
nothing_changed "lagging"
switchover db_s2 --yes --max-lag lots
check_eq "a bad --max-lag: exit 3" 3 $?

conninfo=$(demo_psql db_s2 -c "SHOW primary_conninfo")
demo_psql db_s2 -c "ALTER SYSTEM SET primary_conninfo = ''" -c "SELECT pg_reload_conf()" >/dev/null
check "db_s2 stops streaming" wait_for 20 bash -c "[ -z \"\$(PGPASSFILE=$DEMO_DIR/pgpass psql -X -At -h 127.0.0.1 -p $(demo_port db_s2) -U postgres -d postgres -c 'SELECT status FROM pg_stat_wal_receiver')\" ]"
switchover db_s2 --yes
rc=$?
show_out
check_eq "candidate not streaming: refused (exit 1)" 1 "$rc"
check "... saying it does not stream from db_m" grep -Eq "^fail: db_s2 (is not streaming from|does not stream from the primary) db_m" "$OUT"
nothing_changed "not streaming"
v=$(printf '%s' "$conninfo" | sed "s/'/''/g")
demo_psql db_s2 -c "ALTER SYSTEM SET primary_conninfo = '$v'" -c "SELECT pg_reload_conf()" >/dev/null
check "db_s2 streams again" wait_for 30 node_is db_s2 '.state == "streaming"'

# the old primary stopped by hand, its list in a file postgresql.conf includes: unknown
run_as_server "$(pg_bin)/pg_ctl" -D "$DEMO_DIR/db_m" stop -m fast -w >/dev/null
cp -p "$DEMO_DIR/db_m/postgresql.auto.conf" "$TEST_TMP/auto.conf.saved"
grep -v synchronous_standby_names "$TEST_TMP/auto.conf.saved" >"$DEMO_DIR/db_m/postgresql.auto.conf"
echo "synchronous_standby_names = '$LIST0'" >"$DEMO_DIR/db_m/sync.conf"
chown postgres "$DEMO_DIR/db_m/sync.conf"
echo "include 'sync.conf'" >>"$DEMO_DIR/db_m/postgresql.conf"
switchover db_s2 --yes
rc=$?
show_out
check_eq "old list unknown (db_m stopped, its list in an included file): refused (exit 1)" 1 "$rc"
check "... naming the ways forward" bash -c "grep '^fail:' '$OUT' | grep -q -- '--sync-names SPEC' && grep '^fail:' '$OUT' | grep -q 'repltop\] sync ='"
check_eq "... db_s2 is still a standby" t "$(in_recovery db_s2)"
check "... db_m was not started" bash -c "! grep -q 'starting db_m' '$OUT'"
sed -i "/^include 'sync.conf'\$/d" "$DEMO_DIR/db_m/postgresql.conf"
rm -f "$DEMO_DIR/db_m/sync.conf"
cp -p "$TEST_TMP/auto.conf.saved" "$DEMO_DIR/db_m/postgresql.auto.conf"
start_node db_m
check "db_m is the primary again, both standbys stream" wait_for 30 bash -c \
    "'$REPLTOP' -c '$CONF' status --json | jq -e '[.nodes[] | select(.state == \"streaming\")] | length == 2' >/dev/null"

# --- the switchover under load -----------------------------------------------------------------
writer_start
check "the writer commits on db_m" writer_more 20
tl0=$(timeline_of db_m)
switchover walreceiversync --yes
rc=$?
show_out
check "the writer commits on db_s2 afterwards" writer_more 20
writer_stop
check_eq "switchover walreceiversync: exit 0" 0 "$rc"
check "it says the candidate had the old primary's shutdown checkpoint" grep -q "^ok: db_s2 has replayed db_m's WAL past its shutdown checkpoint" "$OUT"
check_eq "db_s2 is the primary" f "$(in_recovery db_s2)"
tl1=$(timeline_of db_s2)
check "on a new timeline ($tl0 -> $tl1)" [ "$tl1" -gt "$tl0" ]
check "db_m streams from db_s2 on timeline $tl1" wait_for 20 node_is db_m ".role == \"standby\" and .upstream == \"db_s2\" and .timeline == $tl1 and .state == \"streaming\""
check "db_s1 streams from db_s2 on timeline $tl1" wait_for 20 node_is db_s1 ".upstream == \"db_s2\" and .timeline == $tl1 and .state == \"streaming\""
check "db_m was never rewound (no pg_rewind, nothing kept aside)" not_rewound
check_eq "the sync list has db_m in db_s2's place" "FIRST 1 (db_m, walreceiver)" "$(sync_names db_s2)"
check_eq "db_m streams as db_m and is the sync standby" sync "$(demo_psql db_s2 -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'db_m'")"
check "rows were acknowledged by both primaries" bash -c "awk '{print \$3}' '$ACKED' | sort -u | wc -l | grep -qx 2"
check_eq "0 acknowledged rows lost ($(acked_count) acknowledged; missing on db_s2)" 0 "$(lost_on db_s2)"
check "... nor on db_m, now a standby" wait_for 20 none_lost_on db_m
log=$XDG_STATE_HOME/repltop/actions.log
check "the audit log has the switchover and its end" grep -q "switchover walreceiversync end" "$log"

# --- and back ----------------------------------------------------------------------------------
writer_start
check "the writer commits on db_s2" writer_more 20
switchover db_m --yes
rc=$?
show_out
check "the writer commits on db_m afterwards" writer_more 20
writer_stop
check_eq "switchover db_m: exit 0" 0 "$rc"
check_eq "db_m is the primary again" f "$(in_recovery db_m)"
tl2=$(timeline_of db_m)
check "on a newer timeline ($tl1 -> $tl2)" [ "$tl2" -gt "$tl1" ]
check "db_s2 streams from db_m as db_s2 (an old primary streams under its config name)" wait_for 20 node_is db_s2 ".upstream == \"db_m\" and .timeline == $tl2 and .state == \"streaming\" and .application_name == \"db_s2\""
check "db_s1 streams from db_m" wait_for 20 node_is db_s1 ".upstream == \"db_m\" and .timeline == $tl2 and .state == \"streaming\""
check_eq "db_s2 takes db_m's place in the list" "FIRST 1 (db_s2, walreceiver)" "$(sync_names db_m)"
check "still never rewound" not_rewound
check_eq "0 acknowledged rows lost over both switchovers ($(acked_count) acknowledged)" 0 "$(lost_on db_m)"

switchover db_m --yes
rc=$?
show_out
check_eq "once more, when it is done: exit 0" 0 "$rc"
check "... saying there is nothing to do" grep -q "nothing to do" "$OUT"
check "... and changing nothing" bash -c "! grep -Eq 'stopping|pg_promote|ALTER SYSTEM' '$OUT'"
check "no password in the audit log or the output" no_password_in "$log" "$OUT"
