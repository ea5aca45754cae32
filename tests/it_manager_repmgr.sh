#!/usr/bin/env bash
# A real repmgr cluster (Debian's postgresql-15-repmgr: a primary registered with `repmgr primary
# register`, a standby made by `repmgr standby clone` and registered, repmgrd on the primary):
# repltop recognises repmgr on both nodes from PostgreSQL alone, leaves repmgrd's session out of
# CONN, and refuses promote, resync, rejoin and a new replica with repmgr's own way, --force or
# not, changing nothing on the cluster. repmgr leaves the sync list to the operator: sync set
# passes the gate (and meets its own checks).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_managers.sh"
why=$(manager_missing repmgr)
[ -z "$why" ] || { skip "$why"; exit 0; }
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
make_test_tmp
OUT=$TEST_TMP/out
P=$(test_port)
repmgr_up "$P" || { not_ok "a repmgr cluster builds here (primary register, standby clone, standby register, repmgrd)"; exit 1; }
ok "a repmgr cluster builds here (primary register, standby clone, standby register, repmgrd)"
J=$TEST_TMP/s.json
kind_on_both() { "$REPLTOP" -c "$CONF" status --json >"$J"; [ "$(jq -r '[.nodes[].manager.kind] | join(",")' "$J")" = repmgr,repmgr ]; }
wait_for 20 kind_on_both
check_eq "status --json: both nodes are run by repmgr" "repmgr,repmgr" "$(jq -r '[.nodes[].manager.kind] | join(",")' "$J")"
check_eq "status --json: the cluster is run by repmgr" repmgr "$(jq -r '.cluster.manager.kind' "$J")"
check "status --json: the standby is recognised by the repmgr database" \
    jq -e '.nodes[1].manager.marks | test("the repmgr database")' "$J"
# repmgrd keeps a session on the node it watches
repmgrd_seen() { "$REPLTOP" -c "$CONF" status --json >"$J"; jq -e '.nodes[0].manager.agent_session == true and .nodes[0].manager_sessions >= 1' "$J" >/dev/null; }
if wait_for 20 repmgrd_seen; then ok "repmgrd's session is seen on db_m and counted apart"; else not_ok "repmgrd's session is seen on db_m"; jq -c '.nodes[0]|{connections,manager_sessions,manager}' "$J" | sed 's/^/# /'; fi
clients=$(psql_at "$P" "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND application_name NOT IN ('repmgr', 'repmgrd') AND pid <> pg_backend_pid()")
conn=$(jq -r '.nodes[0].connections' "$J")
# repltop's own session is a client; nothing else connects here but repmgr
check "CONN on db_m does not count repmgrd's session (connections $conn, other clients $clients)" test "$conn" -le "$((clients + 1))"
"$REPLTOP" -c "$CONF" status >"$OUT" 2>&1
check "status: the header names repmgr" grep -q "^run by repmgr" "$OUT"

# a monitoring role without superuser (pg_monitor only): the detection statement must not fail,
# and what it may read is enough
psql_at "$P" "CREATE ROLE watcher LOGIN IN ROLE pg_monitor" >/dev/null
sed 's/user=postgres/user=watcher/' "$CONF" >"$TEST_TMP/watcher.conf"
"$REPLTOP" -c "$TEST_TMP/watcher.conf" status --json >"$J"
check_eq "as a pg_monitor role: every node answers" "true,true" "$(jq -r '[.nodes[].reachable] | map(tostring) | join(",")' "$J")"
jq -r ".nodes[] | select(.error) | .error" "$J" | sed "s/^/# /"
check_eq "as a pg_monitor role: both nodes are still seen as repmgr's" "repmgr,repmgr" "$(jq -r '[.nodes[].manager.kind] | join(",")' "$J")"

before=$(cluster_state "$P" "$((P + 1))")
refused "promote db_s1" "repmgr standby promote" promote db_s1 --yes
refused "promote db_s1 --force" "repmgr standby promote" promote db_s1 --yes --force
refused "resync db_s1" "repmgr standby clone --force" resync db_s1 --yes
refused "rejoin db_m" "repmgr node rejoin" rejoin db_m --yes
refused "a new replica" "repmgr standby register" resync db_s9 --new --port "$((P + 5))" --datadir "$TEST_TMP/db_s9" --yes
act sync set 'FIRST 2 (db_s1, nobody)' --yes
if [ $? = 1 ] && ! grep -q 'run by' "$OUT" && grep -q 'block' "$OUT"; then
    ok "sync set passes the gate (repmgr leaves the sync list to the operator) and meets its own check"
else
    not_ok "sync set passes the gate and meets its own check"
    show_out
fi
check_eq "nothing changed on the cluster (roles, timelines, sync lists, postgresql.auto.conf)" "$before" "$(cluster_state "$P" "$((P + 1))")"
check "db_s9 was not built" test ! -e "$TEST_TMP/db_s9"
check "the audit log records the refusals" grep -q 'promote db_s1 fail: promote refused: db_s1 is run by repmgr: use .repmgr standby promote' "$XDG_STATE_HOME/repltop/actions.log"
check "the repmgr metadata still says db_m is the primary" \
    bash -c "as_pg() { runuser -u postgres -- \"\$@\"; }; runuser -u postgres -- $PGBIN/repmgr -f $LAB/db_s1.conf cluster show 2>/dev/null | grep -E 'db_m *\\| *primary *\\| *\\* running'"
