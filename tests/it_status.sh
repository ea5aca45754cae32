#!/usr/bin/env bash
# `repltop status` against a real three-node cluster (the demo), as a user and a script see it:
# roles, sync states, LSNs, lag that rises and falls, a stopped standby, a hung standby, a wrong
# password — and never a password in the output.
# exclusive: it bounds the time a status with a hung node takes (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "$0")/lib.sh"
cluster_up

J=$TEST_TMP/status.json
snap() { "$REPLTOP" -c "${1:-$CONF}" status --json >"$J"; RC=$?; }
q() { jq -e "$@" "$J" >/dev/null; }

snap
check_eq "healthy cluster: exit 0" 0 "$RC"
check "three nodes" q '.nodes | length == 3'
check "db_m is the primary" q '.cluster.primary == "db_m" and (.nodes[] | select(.name=="db_m") | .role == "primary")'
check "db_s1 and db_s2 are standbys of db_m" \
    q '[.nodes[] | select(.name != "db_m") | .role == "standby" and .upstream == "db_m"] | all'
check "db_s1 streams as walreceiver (its config name differs) and is potential" \
    q '.nodes[] | select(.name=="db_s1") | .application_name == "walreceiver" and .sync_state == "potential" and .sync_priority == 2'
check "db_s2 is the sync standby" \
    q '.nodes[] | select(.name=="db_s2") | .application_name == "walreceiversync" and .sync_state == "sync" and .sync_priority == 1'
check "cluster sync settings" \
    q '.cluster.synchronous_standby_names == "FIRST 1 (walreceiversync, walreceiver)" and .cluster.synchronous_commit == "on"'
check "LSNs are X/Y strings where they exist, null where they do not" \
    q '(.nodes[] | select(.role=="primary") | (.current_lsn | test("^[0-9A-F]+/[0-9A-F]+$")) and .receive_lsn == null) and
       ([.nodes[] | select(.role=="standby") | (.receive_lsn | test("/")) and (.replay_lsn | test("/")) and .current_lsn == null] | all)'
check "timeline and system identifier agree" \
    q '([.nodes[].timeline] | unique == [1]) and ([.nodes[].system_identifier] | unique | length == 1)'
# The primary writes a little WAL of its own now and then (a running-transactions record, a
# checkpoint), which a snapshot can catch between the primary's row and the standbys': an idle
# cluster shows zero lag once the standbys have replayed it, a moment later.
idle() { snap && q '[.nodes[] | select(.role=="standby") | .lag_bytes.replay == 0 and .data_at_risk_bytes == 0] | all'; }
check "idle standbys: zero lag, zero data at risk" wait_for 10 idle
check "the sync standby is the failover candidate" q '.cluster.candidate == "db_s2"'
check "health ok, no problems" q '.cluster.health == "ok" and (.cluster.problems | length == 0)'

# No password reaches the output: the demo's passwords are in its passfile only.
"$REPLTOP" -c "$CONF" status >"$TEST_TMP/status.txt"
check "no password in status or status --json" no_password_in "$J" "$TEST_TMP/status.txt"
check "the table names every node" grep -q 'db_s1 .*standby .*streaming' "$TEST_TMP/status.txt"

# Lag after a burst of writes, then back to zero: pause replay on db_s1, write, resume.
demo_psql db_s1 -c "SELECT pg_wal_replay_pause()" >/dev/null
"$REPLTOP" demo load 2 --dir "$DEMO_DIR" >"$TEST_TMP/load.out" 2>&1
snap
check "burst: db_s1 replay lag in bytes > 0" q '.nodes[] | select(.name=="db_s1") | .lag_bytes.replay > 0'
check "burst: replay_paused reported" q '.cluster.problems | any(.code == "replay_paused" and .node == "db_s1")'
received_all() { snap && q '.nodes[] | select(.name=="db_s1") | .data_at_risk_bytes == 0 and .lag_bytes.flush == 0'; }
check "burst: db_s1 still received everything (data at risk 0)" wait_for 10 received_all
check_eq "burst: warning exit status" 1 "$RC"
demo_psql db_s1 -c "SELECT pg_wal_replay_resume()" >/dev/null
check "after the burst: replay lag back to zero" wait_for 10 idle

# A stopped standby is unreachable, with libpq's reason, and the others stay complete.
run_as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGBIN=$(sed -n 's/^bindir *= *//p' "$CONF" | head -n 1)
run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast -w >/dev/null
snap
check_eq "stopped standby: exit 2 (critical)" 2 "$RC"
check "stopped standby: unreachable with the connection error" \
    q '.nodes[] | select(.name=="db_s1") | .reachable == false and (.error | test("refused|Connection"))'
check "stopped standby: problem code unreachable" q '.cluster.problems | any(.code == "unreachable" and .node == "db_s1")'
check "stopped standby: nothing invented for it" \
    q '.nodes[] | select(.name=="db_s1") | .role == "unknown" and .replay_lsn == null and .lag_bytes.replay == null and .sync_state == null'
check "stopped standby: the others are complete" \
    q '[.nodes[] | select(.name != "db_s1") | .reachable and .timeline == 1] | all'
run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_s1" start -w -l "$DEMO_DIR/db_s1.log" >/dev/null

# A hung standby (SIGSTOP) costs about its deadline (2 s as shipped; DEADLINE_S), not the sum of
# all three nodes' deadlines, and never hangs. The bound allows for valgrind, sanitizers and a
# busy machine: what a healthy status costs in this very run, plus the deadline, plus a margin
# that grows with SLOW_FACTOR, never more than the three deadlines. Tight figure: bench/bounds.sh.
start=$(now_ms)
snap
healthy_ms=$(($(now_ms) - start))
node_sigstop db_s2
start=$(now_ms)
snap
elapsed_ms=$(($(now_ms) - start))
node_sigcont db_s2
deadline_ms=$((DEADLINE_S * 1000))
margin_ms=$((500 * SLOW_FACTOR))
[ "$margin_ms" -gt $((2 * deadline_ms)) ] && margin_ms=$((2 * deadline_ms))
bound_ms=$((healthy_ms + deadline_ms + margin_ms))
check "hung standby: status costs about the ${DEADLINE_S} s deadline, not all three (${elapsed_ms} ms; healthy ${healthy_ms} ms; bound ${bound_ms} ms)" \
    [ "$elapsed_ms" -lt "$bound_ms" ]
check "hung standby: reported timeout" \
    q '.nodes[] | select(.name=="db_s2") | .reachable == false and .reach == "timeout" and (.error | test("no answer"))'
check "hung standby: the two others are fresh and complete" \
    q '([.nodes[] | select(.name != "db_s2") | .reachable and .system_identifier != null] | all) and (.nodes[] | select(.name=="db_m") | .current_lsn != null)'
check "hung standby: problem code timeout" q '.cluster.problems | any(.code == "timeout" and .node == "db_s2")'

# A wrong password is reported with libpq's own message, and the password is not echoed.
port=$(demo_port db_m)
printf '[nodes]\ndb_m = host=127.0.0.1 port=%s user=postgres dbname=postgres password=Wr0ngPassw0rd passfile=/dev/null\n' "$port" >"$TEST_TMP/wrong.conf"
snap "$TEST_TMP/wrong.conf"
check "wrong password: auth_failed with libpq's message" \
    q '.nodes[0].reach == "auth_failed" and (.nodes[0].error | test("password authentication failed for user \"postgres\""))'
check "wrong password: problem code auth_failed" q '.cluster.problems | any(.code == "auth_failed")'
check "wrong password: never echoed" bash -c "! grep -q Wr0ngPassw0rd '$J'"

# A database that does not exist: libpq's message, as an error of that node.
printf '[nodes]\ndb_m = host=127.0.0.1 port=%s user=postgres dbname=nosuchdb passfile=%s\n' "$port" "$DEMO_DIR/pgpass" >"$TEST_TMP/nodb.conf"
snap "$TEST_TMP/nodb.conf"
check "missing database: reported with the server's message" \
    q '.nodes[0].reachable == false and (.nodes[0].error | test("database \"nosuchdb\" does not exist"))'

# Conninfo arguments instead of a config file: nodes are named host:port.
"$REPLTOP" status --json "host=127.0.0.1 port=$port user=postgres dbname=postgres passfile=$DEMO_DIR/pgpass" >"$J"
check "conninfo argument: node named host:port, reached" q ".nodes[0].name == \"127.0.0.1:$port\" and .nodes[0].role == \"primary\""
