#!/usr/bin/env bash
# tmux end-to-end: hostile text from a server (issue 15, item 5). A node's conninfo names a
# database whose name holds terminal escapes (clear the screen, set the window title, red); the
# server answers "database ... does not exist", quoting it. The dashboard shows that message with
# the escapes visible ("\x1b[2J") and drawn as text: the screen is not cleared, the title does not
# change, the other nodes stay on their rows. The same for `status`'s table; the JSON keeps the
# exact string.
source "$(dirname "$0")/lib.sh"

tmux_setup hostile
cluster_up
WORK=$TEST_TMP/work
mkdir -p "$WORK"

EVIL=$'\e[2J\e[H\e]0;owned\a\e[31mEVIL\xc2\x9b0m'
NODE_CI=$(sed -n 's/^db_m = //p' "$CONF")
{
    sed -n '1,/^\[nodes\]/p' "$CONF"
    printf 'evil = %s dbname=%s\n' "$NODE_CI" "'$EVIL'"
    sed -n '/^\[nodes\]/,$p' "$CONF" | tail -n +2
} >"$WORK/evil.conf"

run() { "$REPLTOP" -c "$WORK/evil.conf" status "$@" >"$WORK/out" 2>"$WORK/err" </dev/null; }
run
check "status: the server's message is there, escaped" \
    grep -qF 'database "\x1b[2J\x1b[H\x1b]0;owned\x07\x1b[31mEVIL\u009b0m" does not exist' "$WORK/out"
check "status: no raw control byte in the table" eval "! LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' '$WORK/out'"
run --json
check "status --json keeps the server's exact message" \
    jq -e --arg e "$EVIL" '.nodes[] | select(.name == "evil") | .error | contains($e)' "$WORK/out"

tm new-session -d -s main -x 160 -y 45 \
    "cd '$WORK' && '$REPLTOP' -c '$WORK/evil.conf' 2>>'$WORK/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
TITLE_BEFORE=$(tm display -p -t main '#{pane_title}')
if wait_screen 15 'EVIL'; then
    ok "the dashboard shows the message naming the database"
else
    not_ok "the dashboard shows the message naming the database"
    dump
fi
check "... with its escapes visible" wait_screen 5 '\\x1b\[2J\\x1b\[H\\x1b\]0;owned\\x07'
sleep 2 # a few refreshes, each drawing the message again
check "the screen is not cleared: the nodes stay on their rows" \
    eval "screen | grep -qE ' db_m +primary' && screen | grep -qE ' db_s1 +standby' && screen | grep -qE ' db_s2 +standby'"
check "the header is still on the first line" eval "screen | head -n 1 | grep -qE '[0-9]{2}:[0-9]{2}:[0-9]{2}'"
check_eq "the window title is not changed" "$TITLE_BEFORE" "$(tm display -p -t main '#{pane_title}')"
check "nothing is drawn in red by the server's text" \
    eval "! tm capture-pane -p -e -t main | grep -qF \$'\e[31mEVIL'"
tm send-keys -t main q
check "q quits with status 0" wait_screen 10 '^EXIT=0'
