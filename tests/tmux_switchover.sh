#!/usr/bin/env bash
# tmux end-to-end: the planned switchover from the dashboard (issue 12), on the demo cluster.
# `S` on db_s2 opens a dialog with the current primary, the candidate and how far behind it is,
# the sync list before and after, and the steps; the key is in the help and the key bar. Typing
# the name and Enter runs `repltop switchover` as a child: db_s2 becomes the primary, db_m
# streams from it, the lines are in the events panel, the audit log says it was typed in the
# dashboard.
source "$(dirname "$0")/lib.sh"

tmux_setup switchover
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
AUDIT=$XDG_STATE_HOME/repltop/actions.log
node_json() { status_json | jq -r --arg n "$1" ".nodes[] | select(.name == \$n) | $2"; }

tm new-session -d -s main -x 140 -y 45 \
    "cd '$TEST_TMP' && XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
if ! wait_screen 10 ' db_s2 +standby +streaming'; then
    not_ok "the dashboard starts"
    dump
    exit 1
fi
ok "the dashboard starts"
check "the key bar offers S Switch" wait_screen 1 'S Switch'
tm send-keys -t main '?'
check "the help lists S: switchover" wait_screen 3 ' S +planned: the selected standby becomes the primary'
tm send-keys -t main q

# db_s2 is the third row
tm send-keys -t main End
check "db_s2 is selected" wait_screen 3 'Detail: db_s2'
tm send-keys -t main S
check "S opens the switchover dialog" wait_screen 3 'Switchover to db_s2'
check "it shows the current primary" wait_screen 1 'primary +db_m, timeline 1'
check "it shows the candidate" wait_screen 1 'candidate +db_s2, standby, streaming, timeline 1, streams as walreceiversync'
check "it shows how far behind, with the limit" wait_screen 1 "behind +[0-9.]+ [kMG]?B of db_m's WAL not received \(limit 16 MB\)"
check "the sync list before" wait_screen 1 "before: 'FIRST 1 \(walreceiversync, walreceiver\)' \(on db_m\)"
check "the sync list after: db_m in db_s2's place" wait_screen 1 "after: +'FIRST 1 \(db_m, walreceiver\)' on db_s2"
check "the steps" wait_screen 1 "steps +1 stop db_m cleanly"
check "nothing runs yet" no_screen 'switchover db_s2 ·'
tm send-keys -t main -l db_s
tm send-keys -t main Enter
check "a wrong name is refused" wait_screen 2 'type db_s2 exactly to confirm'
check_eq "... and db_m is still the primary" primary "$(node_json db_m .role)"
tm send-keys -t main -l 2
tm send-keys -t main Enter
if ! check "Enter runs the switchover" wait_screen 40 'switchover db_s2 · done'; then
    dump
    cat "$TEST_TMP/dash.err"
fi
check "the action's result is in the dialog" wait_screen 1 'SUCCEEDED after'
tm send-keys -t main Escape
check "db_s2 is the primary on the screen" wait_screen 10 ' db_s2 +primary +primary +2 '
check "db_m streams from db_s2 on the screen" wait_screen 10 ' db_m +standby +streaming +2 .* db_s2 '
check "the steps are in the events panel" wait_screen 2 '» switchover: done: db_s2 is the primary on timeline 2'
check_eq "status --json: db_m's upstream" db_s2 "$(node_json db_m .upstream)"
check_eq "status --json: db_s1's upstream" db_s2 "$(node_json db_s1 .upstream)"
check "the audit log says it was typed in the dashboard" grep -q "switchover db_s2 confirm: typed in the dashboard" "$AUDIT"
check "the dashboard is still running" no_screen 'EXIT='
