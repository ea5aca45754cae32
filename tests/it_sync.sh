#!/usr/bin/env bash
# `repltop sync show|set` on a real cluster: FIRST and ANY lists land in pg_stat_replication,
# invalid lists are refused before any SQL, names that need quoting are quoted, a list that
# would block commits needs --force.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
J=$TEST_TMP/s.json
sync_state() { # app_name -> sync_state on the primary
    demo_psql db_m -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = '$1'"
}
ssn() { demo_psql db_m -c "SHOW synchronous_standby_names"; }

out=$("$REPLTOP" -c "$CONF" sync show)
check_eq "sync show: exit 0" 0 $?
check "sync show names the list and each standby's state" \
    grep -q "walreceiversync *streaming *sync" <<<"$out"

"$REPLTOP" -c "$CONF" sync set 'ANY 1 (walreceiver, walreceiversync)' --yes >"$TEST_TMP/o" 2>&1
check_eq "sync set ANY: exit 0" 0 $?
check_eq "ANY: the setting on the primary" "ANY 1 (walreceiver, walreceiversync)" "$(ssn)"
check_eq "ANY: walreceiver is quorum" quorum "$(sync_state walreceiver)"
check_eq "ANY: walreceiversync is quorum" quorum "$(sync_state walreceiversync)"
check "ANY: reported as confirmed by pg_stat_replication" grep -q "pg_stat_replication agrees" "$TEST_TMP/o"

"$REPLTOP" -c "$CONF" sync set 'first 1 (WalReceiver, walreceiversync)' --yes >"$TEST_TMP/o" 2>&1
check_eq "sync set FIRST (any case): exit 0" 0 $?
check_eq "FIRST: canonical form on the primary" "FIRST 1 (WalReceiver, walreceiversync)" "$(ssn)"
check_eq "FIRST: walreceiver (matched case-insensitively) is sync" sync "$(sync_state walreceiver)"
check_eq "FIRST: walreceiversync is potential" potential "$(sync_state walreceiversync)"

# invalid lists: exit 3, nothing sent, setting unchanged, nothing in the audit log
before=$(ssn)
for bad in 'FIRST 1 (a, ' 'ANY 0 (a)' 'FIRST 1 (db-1)' 'ANY 1 ()' 'FIRST 1 (a) trailing'; do
    "$REPLTOP" -c "$CONF" sync set "$bad" --yes >"$TEST_TMP/o" 2>&1
    rc=$?
    check "invalid '$bad': exit 3 with a reason" [ $rc -eq 3 ] && grep -q "invalid synchronous_standby_names" "$TEST_TMP/o"
done
check_eq "invalid lists changed nothing" "$before" "$(ssn)"
check "invalid lists were not logged as actions" bash -c "! grep -q \"FIRST 1 (a\" '$XDG_STATE_HOME/repltop/actions.log'"
# refused before connecting: a config whose nodes do not exist answers at once
printf '[nodes]\nx = host=127.0.0.1 port=1\n' >"$TEST_TMP/nowhere.conf"
"$REPLTOP" -c "$TEST_TMP/nowhere.conf" sync set 'FIRST 1 (a,' --yes >"$TEST_TMP/o" 2>&1
check_eq "invalid list refused before any connection" 3 $?

# a list that blocks every commit needs --force
"$REPLTOP" -c "$CONF" sync set 'FIRST 2 (walreceiversync, nobody)' --yes >"$TEST_TMP/o" 2>&1
check_eq "blocking list without --force: refused" 1 $?
check "blocking list: says commits would hang" grep -q "would hang" "$TEST_TMP/o"
check_eq "blocking list without --force: unchanged" "FIRST 1 (WalReceiver, walreceiversync)" "$(ssn)"

# a name that needs quoting: db_s1 streams as "Wal-Receiver 1"
pci=$(demo_psql db_s1 -c "SHOW primary_conninfo")
newpci=$(sed "s/application_name=[^ ]*/application_name='Wal-Receiver 1'/" <<<"$pci")
demo_psql db_s1 -c "ALTER SYSTEM SET primary_conninfo = \$\$${newpci}\$\$" -c "SELECT pg_reload_conf()" >/dev/null
streams_as() { [ "$(sync_state 'Wal-Receiver 1')" != "" ]; }
wait_for 20 streams_as
"$REPLTOP" -c "$CONF" sync set 'FIRST 1 ("Wal-Receiver 1", walreceiversync)' --yes >"$TEST_TMP/o" 2>&1
check_eq "quoted name: exit 0" 0 $?
check_eq "quoted name: stored quoted" 'FIRST 1 ("Wal-Receiver 1", walreceiversync)' "$(ssn)"
check_eq "quoted name: that standby is sync" sync "$(sync_state 'Wal-Receiver 1')"
status_json >"$J"
check "status shows the quoted-name standby as sync" \
    jq -e '.nodes[] | select(.name=="db_s1") | .application_name == "Wal-Receiver 1" and .sync_state == "sync"' "$J"

# the audit log records what was done, privately
log=$XDG_STATE_HOME/repltop/actions.log
check "audit log written" grep -q "sync set.*ALTER SYSTEM SET synchronous_standby_names" "$log"
check_eq "audit log mode 0600" 600 "$(stat -c %a "$log")"
