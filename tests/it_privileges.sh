#!/usr/bin/env bash
# Least privilege on a real cluster, with the roles docs/roles.sql creates: the monitoring role
# (pg_monitor) watches, the action role ([repltop] admin_user) acts. With the monitoring role only,
# every action refuses before it changes anything and names the missing GRANT; a role without
# pg_monitor is reported as such, not as a cluster that does not stream; a rejoin whose pg_rewind
# loses a privilege half-way stops without copying anything.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
OUT=$TEST_TMP/out
J=$TEST_TMP/s.json
PAUSE=$TEST_TMP/pause
su_psql() { demo_psql "$@"; } # as the superuser postgres
show_out() { sed 's/^/# /' "$OUT"; }
node_is() { # config node jq-condition
    "$REPLTOP" -c "$1" status --json >"$J"
    jq -e --arg n "$2" ".nodes[] | select(.name == \$n) | $3" "$J" >/dev/null
}
run() { # config command...
    local conf=$1
    shift
    "$REPLTOP" -c "$conf" "$@" >"$OUT" 2>&1
}

check "docs/roles.sql runs on the primary" \
    su_psql db_m -v ON_ERROR_STOP=1 -f "$(dirname "$0")/../docs/roles.sql"
su_psql db_m -c "ALTER ROLE repltop_monitor PASSWORD 'Mon-$$'" -c "ALTER ROLE repltop_admin PASSWORD 'Adm-$$'" \
    -c "CREATE ROLE repltop_plain LOGIN PASSWORD 'Plain-$$'" >/dev/null
printf '127.0.0.1:*:*:repltop_monitor:Mon-%s\n127.0.0.1:*:*:repltop_admin:Adm-%s\n127.0.0.1:*:*:repltop_plain:Plain-%s\n' \
    $$ $$ $$ >>"$DEMO_DIR/pgpass"
MON=$TEST_TMP/monitor.conf
ADM=$TEST_TMP/admin.conf
PLAIN=$TEST_TMP/plain.conf
sed 's/user=postgres/user=repltop_monitor/' "$CONF" >"$MON"
sed 's/^\[repltop\]$/[repltop]\nadmin_user = repltop_admin/' "$MON" >"$ADM"
sed 's/user=postgres/user=repltop_plain/' "$CONF" >"$PLAIN"
wait_for 20 node_is "$MON" db_s1 '.state == "streaming"'

# --- 2. a role without pg_monitor: a fact about the role, not a false alarm ---------------
run "$PLAIN" status
rc=$?
show_out
check_eq "status without pg_monitor on a healthy cluster: exit 1 (warning), not 2" 1 "$rc"
check "it names the role and what it lacks" \
    grep -q "insufficient_privilege.*role repltop_plain on db_m lacks pg_monitor" "$OUT"
check "the standbys' state is unknown (needs pg_monitor)" grep -q "db_s1.*unknown (needs pg_monitor)" "$OUT"
check "no writes_blocked, no not_streaming" bash -c "! grep -Eq 'writes_blocked|not_streaming' '$OUT'"
run "$MON" status
check_eq "status with the monitoring role: exit 0" 0 $?

# --- 1. the monitoring role alone cannot act, and says what to grant ---------------------------
before=$(su_psql db_m -c "SHOW synchronous_standby_names")
run "$MON" sync set 'ANY 1 (walreceiver, walreceiversync)' --yes
rc=$?
show_out
check_eq "sync set as the monitoring role: refused (exit 1)" 1 "$rc"
check "it names the role it acted as" grep -q "acting as role repltop_monitor" "$OUT"
check "it names the GRANT that is missing" \
    grep -q 'GRANT ALTER SYSTEM ON PARAMETER synchronous_standby_names TO "repltop_monitor"' "$OUT"
check_eq "nothing changed on db_m" "$before" "$(su_psql db_m -c "SHOW synchronous_standby_names")"
run "$MON" promote db_s1 --yes --force
rc=$?
show_out
check_eq "promote as the monitoring role: refused (exit 1)" 1 "$rc"
check "it names pg_promote's GRANT" grep -q "GRANT EXECUTE ON FUNCTION pg_catalog.pg_promote(boolean, integer)" "$OUT"
check "db_s1 is still a standby" node_is "$MON" db_s1 '.role == "standby"'

# --- the action role acts -------------------------------------------------------------------
run "$ADM" sync set 'ANY 1 (walreceiver, walreceiversync)' --yes
rc=$?
show_out
check_eq "sync set as the action role: exit 0" 0 "$rc"
check "its step names the action role" grep -q "db_m: acting as role repltop_admin (\[repltop\] admin_user)" "$OUT"
check_eq "db_m has the new list" "ANY 1 (walreceiver, walreceiversync)" "$(su_psql db_m -c "SHOW synchronous_standby_names")"

# A failover done by hand (the superuser): db_m dies, db_s2 is promoted, db_s1 follows it.
old_pid=$(node_pid db_m)
node_kill db_m
check_eq "by hand: pg_promote on db_s2" t "$(su_psql db_s2 -c 'SELECT pg_promote(true, 60)')"
ci=$(su_psql db_s1 -c 'SHOW primary_conninfo' | sed "s/port=$(demo_port db_m)/port=$(demo_port db_s2)/")
su_psql db_s1 -c "ALTER SYSTEM SET primary_conninfo = '$ci'" -c "SELECT pg_reload_conf()" >/dev/null
su_psql db_s2 -c "ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (walreceiver, db_m)'" \
    -c "SELECT pg_reload_conf()" >/dev/null
su_psql db_s2 -d demo -c "INSERT INTO users(name) VALUES ('after the failover')" >/dev/null

run "$MON" rejoin db_m --yes
rc=$?
show_out
check_eq "rejoin as the monitoring role: refused (exit 1)" 1 "$rc"
check "it names CHECKPOINT's and pg_rewind's grants" \
    grep -q 'GRANT pg_checkpoint TO "repltop_monitor".*GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir' "$OUT"
check "nothing was changed: no rewind, no copy" \
    bash -c "! ls -d '$DEMO_DIR'/db_m.repltop-* 2>/dev/null"
check "db_m's server was not touched" test ! -e "$DEMO_DIR/db_m/postmaster.pid.repltop-stopped"

# pg_rewind loses its privileges after the check (revoked while the rejoin waits before it)
REPLTOP_PAUSE_AT="pg_rewind -D" REPLTOP_PAUSE_FILE=$PAUSE \
    "$REPLTOP" -c "$ADM" rejoin db_m --yes >"$OUT" 2>&1 &
rejoin_pid=$!
on_exit "kill $rejoin_pid 2>/dev/null"
check "the rejoin reached pg_rewind" wait_for 60 test -e "$PAUSE"
su_psql db_s2 -c "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) FROM repltop_admin" >/dev/null
rm -f "$PAUSE"
wait "$rejoin_pid"
rc=$?
show_out
check_eq "rejoin whose pg_rewind lacks a privilege: exit 1" 1 "$rc"
check "pg_rewind ran as the action role" grep -q "pg_rewind -D .*(as role repltop_admin on db_s2" "$OUT"
check "it says why and that nothing was copied" \
    grep -q "permission denied.*That is not a reason to copy everything, so nothing was copied" "$OUT"
check "no full copy was made" bash -c "! ls -d '$DEMO_DIR'/db_m.repltop-old-* 2>/dev/null"
check "no pg_basebackup ran" bash -c "! grep -q pg_basebackup '$OUT'"

su_psql db_s2 -c "GRANT EXECUTE ON FUNCTION pg_catalog.pg_ls_dir(text, boolean, boolean) TO repltop_admin" >/dev/null
run "$ADM" rejoin db_m --yes
rc=$?
show_out
check_eq "rejoin as the action role, privileges back: exit 0" 0 "$rc"
check "it checked the privileges first" grep -q "role repltop_admin has what the rejoin needs on db_s2" "$OUT"
check "db_m streams from db_s2" \
    wait_for 20 node_is "$MON" db_m '.role == "standby" and .upstream == "db_s2" and .state == "streaming"'
check_eq "db_m has the row written after the failover" 1 \
    "$(su_psql db_m -d demo -c "SELECT count(*) FROM users WHERE name = 'after the failover'")"

# promote as the action role: db_s2 dies, db_s1 is promoted and db_m re-pointed by repltop_admin
node_kill db_s2
run "$ADM" promote db_s1 --yes
rc=$?
show_out
check_eq "promote as the action role: exit 0" 0 "$rc"
check "db_s1 is the primary" wait_for 20 node_is "$MON" db_s1 '.role == "primary"'
check "db_m follows db_s1" wait_for 30 node_is "$MON" db_m '.upstream == "db_s1" and .state == "streaming"'
check "no password in the outputs or the audit log" no_password_in "$OUT" "$XDG_STATE_HOME/repltop/actions.log"
[ -n "$old_pid" ]
