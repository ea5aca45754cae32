#!/usr/bin/env bash
# Faults during a planned switchover (issue 12), on one demo cluster under an insert load that
# records every acknowledged id; each case is stopped at an exact step with REPLTOP_PAUSE_AT
# (model/ops/action.c):
#  1. the old primary's host does not answer (db_m frozen with SIGSTOP): refused before anything
#     stops;
#  2. the candidate killed before the promote: the old primary comes back as the primary,
#     nothing lost;
#  3. the command itself killed right after it stopped the old primary: the same command run
#     again goes on from there and finishes;
#  4. the candidate killed right after the promote: once it is started again, the same command
#     finishes the switchover (the old primary follows it without a rewind).
# After each: no acknowledged row lost.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up
# after cluster_up: its paths are under the test's own $TEST_TMP
source "$(dirname "$0")/lib_switchover.sh"
export XDG_STATE_HOME=$TEST_TMP/state
PAUSE=$TEST_TMP/pause

# switchover_paused AT NODE: starts `switchover NODE`, paused after the line containing AT;
# sets SW (its pid) once it waits there.
switchover_paused() {
    rm -f "$PAUSE"
    REPLTOP_PAUSE_AT=$1 REPLTOP_PAUSE_FILE=$PAUSE \
        timeout 300 "$REPLTOP" -c "$CONF" switchover "$2" --yes >"$OUT" 2>&1 &
    SW=$!
    on_exit "rm -f '$PAUSE'; kill $SW 2>/dev/null"
    wait_for 60 bash -c "test -e '$PAUSE' || ! kill -0 $SW 2>/dev/null"
    test -e "$PAUSE"
}
go_on() {
    rm -f "$PAUSE"
    wait "$SW"
}
both_stream_from() { # primary
    node_is "$2" ".upstream == \"$1\" and .state == \"streaming\"" 2>/dev/null
}
all_follow() { # primary standby standby
    both_stream_from "$1" "$2" && both_stream_from "$1" "$3"
}

writer_start
check "the writer commits on db_m" writer_more 10

# --- 1: the old primary's host does not answer ---------------------------------------------------
node_sigstop db_m
switchover db_s2 --yes
rc=$?
node_sigcont db_m
show_out
check_eq "[host down] refused (exit 1)" 1 "$rc"
check "[host down] says no primary answers" grep -q "no primary answers" "$OUT"
check "[host down] nothing was stopped or promoted" bash -c "! grep -Eq 'stopping db_m|pg_promote' '$OUT'"
check_eq "[host down] db_s2 is still a standby" t "$(in_recovery db_s2)"
check "[host down] db_m answers again as the primary" wait_for 20 node_is db_m '.role == "primary"'

# --- 2: the candidate killed before the promote -----------------------------------------------
check "the writer commits" writer_more 10
if check "[candidate killed before promote] the switchover pauses after the checkpoint check" \
    switchover_paused "past its shutdown checkpoint" db_s2; then
    node_kill db_s2
    go_on
    rc=$?
    show_out
    check_eq "[candidate killed before promote] fails (exit 1)" 1 "$rc"
    check "[candidate killed before promote] says db_m is the primary again, nothing changed" \
        grep -q "db_m is the primary again, db_s2 was not promoted: nothing was changed" "$OUT"
    check "[candidate killed before promote] no pg_promote was sent" bash -c "! grep -q 'SELECT pg_promote' '$OUT'"
    check_eq "[candidate killed before promote] db_m accepts writes" f "$(in_recovery db_m)"
    check "db_s2 starts again" start_node db_s2
    check "db_s1 and db_s2 stream from db_m" wait_for 30 all_follow db_m db_s1 db_s2
    check "the writer commits on db_m" writer_more 10
    check_eq "[candidate killed before promote] 0 acknowledged rows lost" 0 "$(lost_on db_m)"
fi

# --- 3: the command killed after stopping the old primary --------------------------------------
if check "[command killed] the switchover pauses once db_m is stopped" \
    switchover_paused "db_m is stopped" db_s2; then
    kill -KILL $(ps -o pid= --ppid "$SW") # repltop itself, not timeout around it
    wait "$SW" 2>/dev/null
    rm -f "$PAUSE"
    check "[command killed] db_m stays stopped" bash -c "! kill -0 \$(head -n 1 '$DEMO_DIR/db_m/postmaster.pid' 2>/dev/null) 2>/dev/null"
    switchover db_s2 --yes
    rc=$?
    show_out
    check_eq "[command killed] the same command finishes it (exit 0)" 0 "$rc"
    check "[command killed] it goes on from the stopped db_m" grep -q "db_m is stopped cleanly and no primary answers" "$OUT"
    check "[command killed] it checks the shutdown checkpoint first" grep -q "^ok: db_s2 has replayed db_m's WAL past its shutdown checkpoint" "$OUT"
    check "[command killed] db_m and db_s1 stream from db_s2" wait_for 30 all_follow db_s2 db_m db_s1
    check "[command killed] db_m was not rewound" not_rewound
    check_eq "[command killed] the sync list has db_m in db_s2's place" "FIRST 1 (db_m, walreceiver)" "$(sync_names db_s2)"
    check "the writer commits on db_s2" writer_more 10
    check_eq "[command killed] 0 acknowledged rows lost" 0 "$(lost_on db_s2)"
fi

# --- 4: the candidate killed right after the promote (switching back to db_m) ------------------
if check "[candidate killed after promote] the switchover pauses after the promote" \
    switchover_paused "db_m promoted in" db_m; then
    node_kill db_m
    go_on
    rc=$?
    show_out
    check_eq "[candidate killed after promote] fails (exit 1)" 1 "$rc"
    check "[candidate killed after promote] says to run the same switchover again" \
        grep -q "run  repltop switchover db_m  again" "$OUT"
    check "db_m starts again (as the primary it was promoted to)" start_node db_m
    switchover db_m --yes
    rc=$?
    show_out
    check_eq "[candidate killed after promote] the same command finishes it (exit 0)" 0 "$rc"
    check "[candidate killed after promote] no second pg_promote" bash -c "! grep -q 'SELECT pg_promote' '$OUT'"
    check "[candidate killed after promote] db_s2 and db_s1 stream from db_m" wait_for 30 all_follow db_m db_s2 db_s1
    check "[candidate killed after promote] db_s2 was not rewound" not_rewound
    check_eq "[candidate killed after promote] db_m's list has db_s2 in db_m's place" \
        "FIRST 1 (db_s2, walreceiver)" "$(sync_names db_m)"
    check "the writer commits on db_m" writer_more 10
fi
writer_stop
check_eq "0 acknowledged rows lost over every case ($(acked_count) acknowledged; missing on db_m)" 0 "$(lost_on db_m)"
check "no password in the audit log or the output" no_password_in "$XDG_STATE_HOME/repltop/actions.log" "$OUT"
