#!/usr/bin/env bash
# A real pg_auto_failover formation (Debian's pg-auto-failover-cli and
# postgresql-15-auto-failover: `pg_autoctl create monitor`, two `pg_autoctl create postgres`
# nodes, all under `pg_autoctl run`): repltop recognises pg_auto_failover on both nodes from
# PostgreSQL alone and refuses promote, sync set, resync, rejoin and a new replica with
# pg_auto_failover's own way, --force or not, in the command line and at the dashboard's keys,
# changing nothing on the formation.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_managers.sh"
why=$(manager_missing autofailover)
[ -z "$why" ] || { skip "$why"; exit 0; }
tmux_setup manager-af
make_test_tmp
OUT=$TEST_TMP/out
P=$(test_port)
autofailover_up "$P" || { not_ok "a pg_auto_failover formation builds here (monitor, primary, secondary)"; exit 1; }
ok "a pg_auto_failover formation builds here (monitor, primary, secondary)"
J=$TEST_TMP/s.json
kinds() { "$REPLTOP" -c "$CONF" status --json >"$J"; jq -r '[.nodes[].manager.kind] | join(",")' "$J"; }
both() { [ "$(kinds)" = pg_auto_failover,pg_auto_failover ]; }
wait_for 20 both
check_eq "status --json: both nodes are run by pg_auto_failover" "pg_auto_failover,pg_auto_failover" "$(kinds)"
check_eq "status --json: the cluster is run by pg_auto_failover" pg_auto_failover "$(jq -r '.cluster.manager.kind' "$J")"
check_eq "status --json: the secondary's node id, from the name it streams as" 2 "$(jq -r '.nodes[1].manager.node_id' "$J")"
"$REPLTOP" -c "$CONF" status >"$OUT" 2>&1
check "status: the header names pg_auto_failover" grep -q "^run by pg_auto_failover" "$OUT"

before=$(cluster_state "$((P + 1))" "$((P + 2))")
refused "promote db_s1" "pg_autoctl perform promotion" promote db_s1 --yes
refused "promote db_s1 --force" "pg_autoctl perform promotion" promote db_s1 --yes --force
refused "sync set" "pg_autoctl set formation number-sync-standbys" sync set 'FIRST 1 (db_s1)' --yes --force
refused "resync db_s1" "pg_autoctl drop node" resync db_s1 --yes
refused "rejoin db_m" "pg_autoctl run" rejoin db_m --yes
refused "a new replica" "pg_autoctl create postgres" resync db_s9 --new --port "$((P + 5))" --datadir "$TEST_TMP/db_s9" --yes
check "sync show still works (it only reads)" "$REPLTOP" -c "$CONF" sync show

# the dashboard refuses at the key, before any dialog, and says the way
tm new-session -d -s main -x 160 -y 40 "$REPLTOP -c $CONF"
if wait_screen 20 'run by pg_auto_failover'; then ok "dashboard: the header says pg_auto_failover runs the cluster"; else not_ok "dashboard: the header names the manager"; dump; fi
tm send-keys -t main j
tm send-keys -t main p
if wait_screen 10 'promote refused: db_s1 is run by pg_auto_failover'; then ok "dashboard: p on db_s1 is refused with the manager's name"; else not_ok "dashboard: p on db_s1 is refused"; dump; fi
check "dashboard: no promote dialog opened" no_screen 'Type db_s1 to confirm'
tm send-keys -t main s
if wait_screen 10 'sync list refused: the cluster is run by pg_auto_failover'; then ok "dashboard: s is refused"; else not_ok "dashboard: s is refused"; dump; fi
tm send-keys -t main q

check_eq "nothing changed on the formation (roles, timelines, sync lists, postgresql.auto.conf)" "$before" "$(cluster_state "$((P + 1))" "$((P + 2))")"
check "the monitor still has db_m primary and db_s1 secondary" autoctl_node_is db_s1 secondary
check "db_s9 was not built" test ! -e "$TEST_TMP/db_s9"
