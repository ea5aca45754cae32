#!/usr/bin/env bash
# tmux end-to-end: the dashboard read-only (--read-only, or [repltop] actions = off) — the
# header says READ-ONLY, the key bar offers no action, and an action key says why it refuses in
# the message line instead of opening a dialog. No server is needed: the node is a closed port.
source "$(dirname "$0")/lib.sh"
make_test_tmp
tmux_setup read_only
export XDG_STATE_HOME=$TEST_TMP/state
printf '[nodes]\na = host=127.0.0.1 port=1 connect_timeout=2\n' >"$TEST_TMP/ro.conf"
printf '[repltop]\nactions = off\n' | cat - "$TEST_TMP/ro.conf" >"$TEST_TMP/off.conf"

start() { # repltop arguments
    tm kill-session -t main 2>/dev/null
    tm new-session -d -s main -x 120 -y 40 \
        "cd '$TEST_TMP' && '$REPLTOP' $* 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
    tm set-option -t main remain-on-exit on >/dev/null
}

for how in "--read-only -c '$TEST_TMP/ro.conf'" "-c '$TEST_TMP/off.conf'"; do
    what=${how%% *}
    [ "$what" = -c ] && what="actions = off"
    start "$how"
    if wait_screen 5 '^ *repltop +READ-ONLY '; then
        ok "$what: the header says READ-ONLY"
    else
        not_ok "$what: the header says READ-ONLY"
        dump
    fi
    check "$what: the node is down (a refresh completed)" wait_screen 5 ' a +– +down'
    check "$what: the key bar offers no action" bash -c "! tmux -u -L $TMUX_SOCK capture-pane -p -t main | tail -n 1 | grep -Eq 'Promote|Sync|Resync|Rejoin'"
    check "$what: the key bar still has the rest" bash -c "tmux -u -L $TMUX_SOCK capture-pane -p -t main | tail -n 1 | grep -q 'Quit'"
    tm send-keys -t main p
    check "$what: p refuses, saying why" wait_screen 2 "promote refused: read-only \\((--read-only|\\[repltop\\] actions = off)"
    check "$what: and opens no dialog" no_screen 'Promote a'
    tm send-keys -t main s
    check "$what: s refuses too" wait_screen 2 'sync list refused: read-only'
    check "$what: nothing ran (no audit log)" test ! -e "$XDG_STATE_HOME/repltop/actions.log"
    tm send-keys -t main q
    check "$what: q quits with status 0" wait_screen 3 '^EXIT=0'
done
