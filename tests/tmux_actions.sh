#!/usr/bin/env bash
# tmux end-to-end: the operator actions through the dashboard's dialogs, on the demo cluster,
# keys sent with send-keys and the screen read with capture-pane (a private tmux server,
# killed on exit). The dashboard runs each action as `repltop -c CONF ...` in a child process.
#   1. `s`: the sync list editor makes it ANY 1 (walreceiver, walreceiversync); both standbys
#      then show quorum on the screen and in `status --json`
#   2. the primary is SIGKILLed; db_s2 selected, `p`, its name typed, Enter: db_s2 becomes the
#      primary on timeline 2 and db_s1 streams from it, on the screen and in `status --json`.
#      Replay on db_s2 is paused before, so the action waits ~10 s for it: meanwhile the
#      header clock moves, the header says what runs, and Esc / an action key work.
source "$(dirname "$0")/lib.sh"

tmux_setup actions

cluster_up
export XDG_STATE_HOME=$TEST_TMP/state # the actions' audit log goes to the temp dir
AUDIT=$XDG_STATE_HOME/repltop/actions.log

header_clock() { screen | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$' | tr -d ' '; }
node_json() { status_json | jq -r --arg n "$1" ".nodes[] | select(.name == \$n) | $2"; }

tm new-session -d -s main -x 120 -y 40 \
    "cd '$TEST_TMP' && XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
if ! wait_screen 10 ' db_s2 +standby +streaming'; then
    not_ok "the dashboard starts"
    dump
    exit 1
fi
ok "the dashboard starts"
check "the key bar offers the actions" wait_screen 1 'p Promote +s Sync'

# check on the screen within SECONDS, with the screen dumped when it is not there
shows() { # seconds pattern description
    if wait_screen "$1" "$2"; then
        ok "$3"
    else
        not_ok "$3"
        dump
        return 1
    fi
}

# ---- 1. the sync list editor ----
tm send-keys -t main s
check "s opens the sync list editor" wait_screen 3 'Synchronous standbys of db_m'
check "it starts from the primary's list" \
    wait_screen 1 "now +'FIRST 1 \(walreceiversync, walreceiver\)'"
tm send-keys -t main m
check "m switches to ANY: both would be quorum" \
    wait_screen 2 'walreceiversync +db_s2 +sync +→ +quorum'
tm send-keys -t main ']'
shows 2 "after +'ANY 1 \(walreceiver, walreceiversync\)'" "] moves walreceiversync down: the preview is ANY 1 (walreceiver, walreceiversync)"
tm send-keys -t main Enter
check "Enter asks to type yes, as sync set does on a terminal" wait_screen 2 'Type yes to confirm:'
check "and nothing runs yet" no_screen 'action running'
tm send-keys -t main -l ye
tm send-keys -t main Enter
check "anything but yes is refused" wait_screen 2 'type yes exactly to confirm'
tm send-keys -t main -l s
tm send-keys -t main Enter
shows 15 "sync set 'ANY 1 \(walreceiver, walreceiversync\)' · done" "Enter applies it through repltop sync set" || {
    cat "$TEST_TMP/dash.err"
}
check "the action's result is in the dialog" wait_screen 1 'SUCCEEDED after'
check "the audit log says it was typed in the dashboard" \
    grep -qF "sync set ANY 1 (walreceiver, walreceiversync) confirm: typed in the dashboard" "$AUDIT"
tm send-keys -t main Escape
check "Esc closes the dialog" wait_for 2 no_screen 'SUCCEEDED after'
check "db_s1 shows quorum" wait_screen 5 ' db_s1 +standby +streaming .* quorum '
check "db_s2 shows quorum" wait_screen 5 ' db_s2 +standby +streaming .* quorum '
check "the header shows the new list" wait_screen 2 'sync ANY 1 \(walreceiver, walreceiversync\)'
check "the action's lines are in the events panel" \
    wait_screen 2 "» sync: ok: synchronous_standby_names is 'ANY 1"
check_eq "status --json: the list" "ANY 1 (walreceiver, walreceiversync)" \
    "$(status_json | jq -r .cluster.synchronous_standby_names)"
check_eq "status --json: db_s1 is quorum" quorum "$(node_json db_s1 .sync_state)"
check_eq "status --json: db_s2 is quorum" quorum "$(node_json db_s2 .sync_state)"
check "the child wrote the audit log" grep -q "sync set ANY 1 (walreceiver, walreceiversync) end: success" "$AUDIT"
check_eq "the audit log is private" 600 "$(stat -c %a "$AUDIT" 2>/dev/null)"

# ---- 2. promote through the dialog after the primary died ----
# Replay paused on db_s2 and one more commit: db_s2 then holds WAL it has not replayed, and
# the promote waits up to 10 s for it before pg_promote() ends the pause.
demo_psql db_s2 -c 'SELECT pg_wal_replay_pause()' >/dev/null
demo_psql db_m -c 'CREATE TABLE tmux_actions_probe AS SELECT 1 AS x' >/dev/null
caught_up() {
    [ "$(demo_psql db_m -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'
        AND flush_lsn = pg_current_wal_lsn()")" = 2 ]
}
check "both standbys have flushed all the primary wrote" wait_for 10 caught_up
check "db_s2 received WAL it has not replayed" test "$(demo_psql db_s2 -c \
    'SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()')" = t
kill -KILL "$(node_pid db_m)"
check "the dead primary shows as down" wait_screen 5 ' db_m +– +down'

tm send-keys -t main g j j p
shows 3 'Promote db_s2' "p on db_s2 opens the promote dialog"
check "it says no other node accepts writes" wait_screen 1 'primary +none answers \(db_m down\)'
check "it shows the list the new primary gets" \
    wait_screen 1 "rewritten on db_s2 to 'ANY 1 \(walreceiver, db_m\)'"
tm send-keys -t main -l db_s
tm send-keys -t main Enter
check "a wrong name is refused" wait_screen 2 'type db_s2 exactly to confirm'
check "and nothing runs" no_screen 'action running'
tm send-keys -t main -l 2
tm send-keys -t main Enter
shows 3 'action running: promote db_s2' "Enter starts it: the header says action running: promote db_s2"
c1=$(header_clock)
t1=$SECONDS
tm send-keys -t main Escape
check "Esc hides the dialog while it runs" wait_for 2 no_screen 'promote db_s2 · running'
check "the header still says it runs" wait_screen 1 'action running: promote db_s2'
sleep 1.5
tm send-keys -t main s
check "an action key shows the running action again, one at a time" \
    wait_screen 2 'one action at a time: promote db_s2 is still running'
check "the action's progress is in its dialog" wait_screen 2 'running for [0-9.]+ s'
c2=$(header_clock)
if screen | grep -q 'action running: promote db_s2' && [ -n "$c1" ] && [ "$c1" != "$c2" ]; then
    ok "the header clock moves while the action runs ($c1 -> $c2, $((SECONDS - t1)) s in)"
else
    not_ok "the header clock moves while the action runs ($c1 -> $c2)"
    dump
fi
shows 40 'promote db_s2 · done' "the promote succeeds" || {
    tail -n 30 "$AUDIT" | sed 's/^/#   /'
}
tm send-keys -t main Escape
check "db_s2 is shown as the primary on timeline 2" wait_screen 10 ' db_s2 +primary +primary +2 '
check "db_s1 streams from db_s2 on timeline 2" wait_screen 10 ' db_s1 +standby +streaming +2 .* db_s2 '
check "the header names the new primary" wait_screen 2 'primary db_s2 '
check "the promote's result is in the events panel" wait_screen 2 'promote db_s2 succeeded after'
check_eq "status --json: db_s2 is the primary" db_s2 "$(status_json | jq -r .cluster.primary)"
check_eq "status --json: db_s2 on timeline 2" 2 "$(node_json db_s2 .timeline)"
check_eq "status --json: db_s1 follows db_s2" db_s2 "$(node_json db_s1 .upstream)"
check_eq "status --json: db_s1 streams" streaming "$(node_json db_s1 .state)"
check_eq "status --json: db_s1 on timeline 2" 2 "$(node_json db_s1 .timeline)"
check "the commit made before the kill is on the new primary" \
    test "$(demo_psql db_s2 -c 'SELECT x FROM tmux_actions_probe')" = 1
check "the action ran confirmed in the dashboard with the remembered sync list" \
    grep -qF "promote db_s2 confirm: typed in the dashboard" "$AUDIT"
check "... and the remembered sync list" \
    grep -qF "promote db_s2 step: old synchronous_standby_names 'ANY 1 (walreceiver, walreceiversync)' (from --previous-sync)" "$AUDIT"

# ---- the new primary's list saved as the sync policy, seen without a restart ----
tm send-keys -t main s
check "s opens the sync list editor on the new primary" wait_screen 3 'Synchronous standbys of db_s2'
tm send-keys -t main p
check "p marks the list to be saved as the policy" \
    wait_screen 2 '\[x\] save this list as the sync policy'
tm send-keys -t main Enter
check "Enter asks to apply and save" wait_screen 2 'and save it as the policy\?'
tm send-keys -t main -l yes
tm send-keys -t main Enter
shows 15 '\(saved as the policy\) · done' "Enter applies the list and saves it (repltop sync set --save)"
tm send-keys -t main Escape
policy=$(sed -n 's/^sync *= *//p' "$CONF")
check "the config file holds the policy ($policy)" test -n "$policy"
check_eq "the policy is the primary's list" "$(status_json | jq -r .cluster.synchronous_standby_names)" \
    "$policy"
check "the header shows the saved policy without a restart" wait_screen 5 ' policy (FIRST|ANY) 1 \('
check "the events panel says the policy changed" wait_screen 2 'the sync policy is now'
check "the cluster meets its new policy" wait_for 5 no_screen 'below policy'

screen >"$TEST_TMP/screen.txt"
check "no password on the screen or in the audit log" no_password_in "$TEST_TMP/screen.txt" "$AUDIT"

tm send-keys -t main q
check "q quits" wait_screen 3 '^EXIT=0'
