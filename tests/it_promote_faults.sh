#!/usr/bin/env bash
# The failover drill with a second fault: the primary db_m is SIGKILLed under a write load, and
# while `repltop promote walreceiversync` runs, the node it is promoting (db_s2, the new primary)
# is SIGKILLed too, between two exact steps (REPLTOP_PAUSE_AT, model/ops/action.c). Each time the
# promote must stop with a clear message (or finish, when only the last step was left), and once
# db_s2 is back, running the same promote again must finish the failover: db_s2 the primary on
# timeline 2, db_s1 streaming from it, the sync list replaced, and no acknowledged row lost.
# A dashboard watches each case in tmux: it shows both nodes down while its clock keeps moving,
# then the new primary.
source "$(dirname "$0")/lib.sh"
tmux_setup promote-faults
make_test_tmp
PAUSE=$TEST_TMP/pause

node_is() {
    status_json >"$TEST_TMP/s.json"
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$TEST_TMP/s.json" >/dev/null
}
both_down() { screen | grep -Eq ' db_m +– +down' && screen | grep -Eq ' db_s2 +– +down'; }
clock() { screen | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$'; }
failover_done() {
    node_is db_s2 '.role == "primary" and .timeline == 2' &&
        node_is db_s1 '.role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming"'
}

# run_case STEP AGAIN N: db_s2 is killed after the progress line that contains STEP; AGAIN is
# what running the promote again must then do: "promote" (nothing had changed), "finish" (it was
# promoted, a standby does not follow it yet) or "nothing" (every standby already follows it).
run_case() {
    local at=$1 again=$2 n=$3
    DEMO_DIR=$TEST_TMP/c$n
    CONF=$DEMO_DIR/repltop.conf
    export XDG_STATE_HOME=$TEST_TMP/state$n
    if ! "$REPLTOP" demo up --dir "$DEMO_DIR" --port "$(test_port)" >"$TEST_TMP/up$n.log" 2>&1; then
        not_ok "[$at] demo up"
        sed 's/^/# /' "$TEST_TMP/up$n.log"
        return
    fi
    on_exit "'$REPLTOP' demo down --dir '$DEMO_DIR'"
    status_json >/dev/null # repltop remembers the primary's sync list, as a dashboard would
    tm kill-server 2>/dev/null
    tm new-session -d -s main -x 120 -y 40 "'$REPLTOP' -c '$CONF' -i 0.5 2>'$TEST_TMP/dash$n.err'; sleep 600"

    local ids=$TEST_TMP/acked$n.ids
    "$REPLTOP" demo load 60 --dir "$DEMO_DIR" --ids "$ids" >/dev/null 2>&1 &
    local load=$!
    on_exit "kill $load"
    wait_for 30 bash -c "[ -s '$ids' ] && [ \$(wc -l <'$ids') -ge 2000 ]"
    node_kill db_m
    wait "$load"

    local out=$TEST_TMP/promote$n.out
    REPLTOP_PAUSE_AT=$at REPLTOP_PAUSE_FILE=$PAUSE \
        timeout 120 "$REPLTOP" -c "$CONF" promote walreceiversync --yes >"$out" 2>&1 &
    local promote=$!
    if ! wait_for 60 bash -c "test -e '$PAUSE' || ! kill -0 $promote 2>/dev/null"; then
        not_ok "[$at] the promote reached that step"
        sed 's/^/# /' "$out"
        kill "$promote"
        return
    fi
    if [ ! -e "$PAUSE" ]; then
        wait "$promote"
        "$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1
        # db_s1 (async) may hold WAL that db_s2 lacks when db_m dies; the promote then rewinds
        # db_s1 instead of repointing it, and never passes STEP. That is right, but not this case.
        if [ "$at" = "ALTER SYSTEM SET primary_conninfo" ] && grep -q "rejoining db_s1 with pg_rewind" "$out"; then
            echo "# [$at] db_s1 was ahead of db_s2 this time, so it was rewound: the drill runs again"
            return 2
        fi
        not_ok "[$at] the promote reached that step"
        sed 's/^/# /' "$out"
        return
    fi
    node_kill db_s2
    rm -f "$PAUSE"
    wait "$promote"
    local rc=$?
    check "[$at] the dashboard shows db_m and db_s2 down" wait_for 10 both_down
    local c1
    c1=$(clock)
    sleep 1.2
    check "[$at] the dashboard's clock still moves" [ "$(clock)" != "$c1" ]
    sed 's/^/# /' "$out"
    case $rc in
    0) check "[$at] db_s2 killed: the promote had done all but the end (exit 0)" grep -q '^done:' "$out" ;;
    1) check "[$at] db_s2 killed: the promote stops and says why (exit 1)" grep -q '^fail: ' "$out" ;;
    *) not_ok "[$at] db_s2 killed: the promote ended with exit $rc (a hang or a crash)" ;;
    esac
    if grep -q "primary_conninfo (now db_s2" "$out" && ! grep -q "db_s1 streams from the new primary" "$out"; then
        # db_s1 was re-pointed at a dead primary: no 30 s wait for it to stream
        check "[$at] it stops waiting for db_s1 as soon as db_s2 is gone" \
            grep -q "stopped waiting for db_s1 to stream: the new primary stopped answering" "$out"
    fi
    if grep -q "promoted in" "$out" && [ "$rc" = 1 ]; then
        check "[$at] it says to run the promote again to finish" grep -q "run  repltop promote db_s2  again" "$out"
    fi

    check "[$at] db_s2 starts again after the kill" start_node db_s2
    # as the message says: by its config name (as a primary it has no application_name)
    # the truth for the data-loss warning: does db_s1 hold WAL that db_s2 does not? (an async
    # standby can be ahead of the sync one when the primary dies; a restarted standby's receive
    # position says nothing, its replay position does)
    local held="SELECT greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())"
    local s1_ahead
    s1_ahead=$(demo_psql db_s2 -c "SELECT pg_wal_lsn_diff('$(demo_psql db_s1 -c "$held")', ($held)) > 0")
    "$REPLTOP" -c "$CONF" promote db_s2 --yes >"$out.2" 2>&1
    local rc2=$?
    sed 's/^/# again: /' "$out.2"
    case $again in
    promote)
        check_eq "[$at] run again: a full promote (exit)" 0 "$rc2"
        check "[$at] run again: pg_promote was called" grep -q "db_s2 promoted in" "$out.2"
        if [ "$s1_ahead" = t ]; then
            check "[$at] run again: db_s1 holds more WAL than db_s2, and the promote warns of it" \
                grep -q 'db_s1 has received .* more WAL than db_s2' "$out.2"
        else
            check "[$at] run again: no false data-loss warning after db_s2's restart" \
                bash -c "! grep -q 'more WAL than' '$out.2'"
        fi
        ;;
    finish)
        check_eq "[$at] run again: the promote finishes (exit)" 0 "$rc2"
        check "[$at] run again: it finishes the earlier promote, not a new one" \
            grep -q "an earlier promote stopped part way" "$out.2"
        check "[$at] run again: no second pg_promote" bash -c "! grep -q 'SELECT pg_promote' '$out.2'"
        check "[$at] run again: it says how the old primary comes back" \
            grep -q "when db_m is back, make it a standby of db_s2: repltop rejoin db_m" "$out.2"
        ;;
    nothing) # db_s1 may not have reconnected yet: then the run re-points it once more
        check "[$at] run again: nothing left to do, or done again harmlessly (exit $rc2)" \
            bash -c "grep -q 'db_s2 is already a primary' '$out.2' || { [ $rc2 = 0 ] && grep -q '^done:' '$out.2'; }"
        check "[$at] run again: no pg_promote, no rewind, no new copy of db_s1" \
            bash -c "! grep -qE 'SELECT pg_promote|pg_rewind|pg_basebackup|needs_rewind' '$out.2'"
        ;;
    esac
    check "[$at] db_s2 is the primary on timeline 2, db_s1 streams from it" wait_for 30 failover_done
    check "[$at] the dashboard shows db_s2 as the primary" wait_screen 10 ' db_s2 +primary'
    check "[$at] the dashboard shows db_s1 streaming" wait_screen 10 ' db_s1 +standby +streaming'
    tm kill-server
    check_eq "[$at] the sync list names the remaining nodes" "FIRST 1 (db_m, walreceiver)" \
        "$(demo_psql db_s2 -c 'SHOW synchronous_standby_names')"
    check "[$at] writes are acknowledged (db_s1 is the sync standby)" \
        timeout 20 env PGPASSFILE="$DEMO_DIR/pgpass" psql -X -q -h 127.0.0.1 -p "$(demo_port db_s2)" \
        -U postgres -d demo -c "INSERT INTO users(name) VALUES ('after')"
    check_eq "[$at] every acknowledged row ($(wc -l <"$ids")) is on db_s2 (missing)" 0 "$(missing_ids db_s2 "$ids")"
    "$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1
    return 0
}

# CASES="2 4" runs only those (when working on one)
for n in ${CASES:-1 2 3 4 5}; do
    case $n in
    1) run_case "SELECT pg_promote" promote 1 ;;
    2) run_case "promoted in" finish 2 ;;
    3) run_case "accepts writes" finish 3 ;;
    4) for try in 4 6 7 last; do
        [ $try = last ] && skip "[ALTER SYSTEM SET primary_conninfo] db_s1 was ahead of db_s2 in 3 drills"
        [ $try = last ] || run_case "ALTER SYSTEM SET primary_conninfo" nothing $try
        [ $? = 2 ] || break
    done ;;
    5) run_case "streams from the new primary" nothing 5 ;;
    esac
done
DEMO_DIR=""
