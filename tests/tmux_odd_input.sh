#!/usr/bin/env bash
# tmux end-to-end: odd input, as a user meets it (issue #5, "Hardening", part 2). The dashboard
# runs against the demo cluster in a private tmux server, killed on exit.
#   1. absurd terminal sizes: started in a 1x1 window (tmux accepts 1x1) and in a 500x200 one;
#      resized live from 120x40 to 1x1, 2x2, 10x3, 500x200 and back. It keeps running, and back
#      at 120x40 it shows the three nodes, its clock moves, keys answer, and q quits with
#      status 0 and the terminal restored.
#   2. node names with quotes, spaces, dashes, upper case, a backslash and a printf
#      conversion: shown exactly in the nodes panel and the detail view, typed exactly in the
#      promote dialog, and exact strings in `status --json` and in the `e` export. What the
#      config refuses, it refuses with FILE:LINE.
#   3. non-UTF-8 locales (LC_ALL=C is tmux_dashboard.sh's): LC_ALL=POSIX and LANG=C alone draw
#      ASCII only, in the help and the dialogs too; a UTF-8 node name shows one ? a character.
source "$(dirname "$0")/lib.sh"

tmux_setup odd

cluster_up
WORK=$TEST_TMP/work
mkdir -p "$WORK"

# The dashboard on CONF in a fresh session "main" of COLSxROWS, in the locale the env
# assignments say (LC_ALL=C.UTF-8 without). When it exits the pane says EXIT=status and the
# tty's echo/icanon flags, and stays. DASH_PID is the dashboard's process.
DASH_PID=""
dash() { # cols rows conf [locale env...]
    local cols=$1 rows=$2 conf=$3
    shift 3
    local loc=${*:-LC_ALL=C.UTF-8}
    # the old session goes after the new one exists: the server quits with its last session
    tm rename-session -t main old 2>/dev/null
    tm new-session -d -s main -x "$cols" -y "$rows" \
        "cd '$WORK' && env -u LANG -u LC_ALL -u LC_CTYPE $loc '$REPLTOP' -c '$conf' 2>>'$WORK/dash.err'; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\n' ' '; echo; sleep 600"
    tm set-option -t main remain-on-exit on >/dev/null
    tm kill-session -t old 2>/dev/null
    DASH_PID=""
    wait_for 5 dash_pid
}
dash_pid() {
    local p
    p=$(pgrep -P "$(tm display -p -t main '#{pane_pid}')" | head -n 1)
    [ -n "$p" ] && [ "$(ps -o comm= -p "$p")" != sleep ] && DASH_PID=$p
}
alive() { [ -n "$DASH_PID" ] && kill -0 "$DASH_PID" 2>/dev/null && no_screen '^EXIT='; }
size_is() { [ "$(tm display -p -t main '#{window_width}x#{window_height}')" = "$1" ]; }
resize() { tm resize-window -t main -x "${1%x*}" -y "${1#*x}" && wait_for 5 size_is "$1"; }
clock() { screen | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$'; }
clock_moved_from() { [ -n "$1" ] && [ -n "$(clock)" ] && [ "$(clock)" != "$1" ]; }
# A regular expression that matches TEXT literally.
ere() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }
widest() { screen | while IFS= read -r l; do echo "${#l}"; done | sort -n | tail -n 1; }

# The whole 120x40 dashboard: 40 lines none wider, the three nodes on rows inside the box, the
# key bar at the bottom.
DB_ROWS=(' db_m +primary +primary' ' db_s1 +standby +streaming' ' db_s2 +standby +streaming')
full_dashboard() {
    local r
    [ "$(screen | wc -l)" -eq 40 ] && [ "$(widest)" -le 120 ] || return 1
    for r in "${DB_ROWS[@]}"; do screen | grep -E -- "$r" | grep -qE '^│.*│$' || return 1; done
    key_bar
}
key_bar() { screen | tail -n 1 | grep -q 'q Quit'; }

# After an absurd size: back at 120x40, the screen is whole, the clock moves, keys answer.
back_to_normal() { # what
    resize 120x40
    if wait_for 10 full_dashboard; then
        ok "$1: back at 120x40 it shows the whole dashboard with its three nodes"
    else
        not_ok "$1: back at 120x40 it shows the whole dashboard with its three nodes"
        dump
    fi
    local c
    c=$(clock)
    check "$1: the clock moves" wait_for 5 clock_moved_from "$c"
    tm send-keys -t main '?'
    check "$1: keys answer (? opens the help)" wait_screen 5 'any key closes'
    tm send-keys -t main x
    check "$1: any key closes it" wait_for 5 no_screen 'any key closes'
}

quits_cleanly() { # what
    tm send-keys -t main q
    check "$1: q quits with status 0" wait_screen 10 '^EXIT=0'
    check "$1: q restores the terminal (echo, icanon)" wait_screen 2 '^(echo icanon|icanon echo) *$'
    # tmux 3.2-3.3 copies what the alternate screen held into the normal one when the window
    # grew meanwhile (tmux/tmux#3510), so ask tmux rather than read the screen
    check_eq "$1: and leaves the alternate screen" 0 "$(tm display -p -t main '#{alternate_on}')"
}

# ---- 1. absurd sizes ----
dash 1 1 "$CONF"
check_eq "tmux gives a 1x1 window" 1x1 "$(tm display -p -t main '#{window_width}x#{window_height}')"
sleep 3 # a few refreshes drawn into one cell
check "1x1: it keeps running" alive
back_to_normal "started at 1x1"
quits_cleanly "started at 1x1"

dash 500 200 "$CONF"
if wait_screen 10 ' db_s2 +standby +streaming'; then
    ok "500x200: it shows the nodes"
else
    not_ok "500x200: it shows the nodes"
    dump | head -n 20
    sed 's/^/# /' "$WORK/dash.err"
fi
check "500x200: with the wide columns" wait_screen 2 'REPLAY LSN'
check "500x200: 200 lines, none wider than 500" test "$(screen | wc -l)" -eq 200 -a "$(widest)" -le 500
check "500x200: the key bar is on the last line" key_bar
check "500x200: it keeps running" alive
back_to_normal "started at 500x200"
quits_cleanly "started at 500x200"

dash 120 40 "$CONF"
check "live resizes: it starts at 120x40" wait_for 10 full_dashboard
for size in 1x1 2x2 10x3; do
    resize "$size"
    sleep 1 # drawn at that size at least once (the clock redraws every second)
    check "resized live to $size: it keeps running" alive
done
check "at 10x3 it says the terminal is too small, cut to the width" wait_screen 5 '^terminal t$'
resize 500x200
check "resized live to 500x200: the wide columns" wait_screen 5 'REPLAY LSN'
check "resized live to 500x200: it keeps running" alive
back_to_normal "resized live"
quits_cleanly "resized live"

# ---- 2. odd node names ----
N_M='Primary-1'
N_S1='stand by "two"'
N_S2="o'Neil\\50%s%n"
# The demo's config with its three nodes renamed, in [nodes] and in their [node NAME] sections.
rename_nodes() { # conf out
    local line
    while IFS= read -r line; do
        case $line in
        "db_m = "*) line="$N_M = ${line#db_m = }" ;;
        "db_s1 = "*) line="$N_S1 = ${line#db_s1 = }" ;;
        "db_s2 = "*) line="$N_S2 = ${line#db_s2 = }" ;;
        "[node db_m]") line="[node $N_M]" ;;
        "[node db_s1]") line="[node $N_S1]" ;;
        "[node db_s2]") line="[node $N_S2]" ;;
        esac
        printf '%s\n' "$line"
    done <"$1" >"$2"
}
ODD=$WORK/odd.conf
rename_nodes "$CONF" "$ODD"

"$REPLTOP" -c "$ODD" status --json >"$WORK/status.json" 2>"$WORK/status.err"
check "status --json with odd names answers (exit 0 or 1)" test $? -le 1
check "status --json is valid JSON" jq -e . "$WORK/status.json"
for n in "$N_M" "$N_S1" "$N_S2"; do
    check_eq "status --json: the name [$n] is an exact string" "$n" \
        "$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .name' "$WORK/status.json")"
done
check_eq "status --json: the primary is [$N_M]" "$N_M" "$(jq -r .cluster.primary "$WORK/status.json")"
check_eq "status --json: both standbys stream from [$N_M]" "$N_M
$N_M" "$(jq -r '.nodes[] | select(.role == "standby") | .upstream' "$WORK/status.json")"

dash 120 40 "$ODD"
if wait_screen 10 " $(ere "$N_S2") +standby +streaming"; then
    ok "the dashboard starts with odd names"
else
    not_ok "the dashboard starts with odd names"
    dump
    sed 's/^/# /' "$WORK/dash.err"
fi
check "the nodes panel shows [$N_M] as the primary" wait_screen 5 "^│ . $(ere "$N_M") +primary +primary "
check "the nodes panel shows [$N_S1] streaming" wait_screen 5 "^│ . $(ere "$N_S1") +standby +streaming "
check "the nodes panel shows [$N_S2] streaming" wait_screen 5 "^│ . $(ere "$N_S2") +standby +streaming "
check "the header names the primary [$N_M]" wait_screen 2 "primary $(ere "$N_M") "
tm send-keys -t main g
check "Home selects [$N_M]: its detail" wait_screen 5 "─ Detail: $(ere "$N_M") \(127\.0\.0\.1:"
tm send-keys -t main j
check "down selects [$N_S1]: its detail" wait_screen 5 "─ Detail: $(ere "$N_S1")( ★)? \(127\.0\.0\.1:"
check "which names its upstream [$N_M]" wait_screen 5 "upstream +$(ere "$N_M") "
tm send-keys -t main j
check "down selects [$N_S2]: its detail" wait_screen 5 "─ Detail: $(ere "$N_S2")( ★)? \(127\.0\.0\.1:"
tm send-keys -t main Enter
check "Enter hides the detail" wait_for 5 no_screen '─ Detail: '
tm send-keys -t main Enter
check "Enter shows it again, of [$N_S2]" wait_screen 5 "─ Detail: $(ere "$N_S2")( ★)? \(127\.0\.0\.1:"
tm send-keys -t main k p
check "p on [$N_S1] opens its promote dialog" wait_screen 5 "─ Promote $(ere "$N_S1") ─"
tm send-keys -t main -l "$N_S1"
check "the name with its spaces and quotes can be typed to confirm" \
    wait_screen 5 "Type $(ere "$N_S1") to confirm: $(ere "$N_S1") *│"
tm send-keys -t main Escape
check "Esc closes the dialog" wait_for 5 no_screen '─ Promote '
tm send-keys -t main e
if wait_screen 5 'exported to /'; then
    path=$(screen | grep -oE 'exported to /[^ ]+\.json' | head -n 1 | sed 's/^exported to //')
    check "the export is valid JSON" jq -e . "$path"
    check_eq "the export has the three names exactly, in order" "$N_M
$N_S1
$N_S2" "$(jq -r '.nodes[].name' "$path")"
    check_eq "the export names the primary [$N_M]" "$N_M" "$(jq -r .cluster.primary "$path")"
else
    not_ok "e shows where it exported"
    dump
fi
quits_cleanly "odd names"

# What the config refuses, with FILE:LINE; what is at the limit, it takes.
NODE_CI=$(sed -n 's/^db_m = //p' "$CONF")
refused() { # what name message-pattern
    local f=$WORK/refused.conf out
    printf '[nodes]\n%s = %s\n%s = %s\n' "$N_M" "$NODE_CI" "$2" "$NODE_CI" >"$f"
    out=$("$REPLTOP" -c "$f" status 2>&1 >/dev/null)
    local rc=$?
    if [ $rc -eq 3 ] && printf '%s\n' "$out" | grep -qE -- "^repltop: $(ere "$f"):3: $3"; then
        ok "the config refuses $1 at FILE:LINE"
    else
        not_ok "the config refuses $1 at FILE:LINE (exit $rc)"
        printf '%s\n' "$out" | sed 's/^/# /'
    fi
}
refused "a control character in a name" $'tab\there' 'node name ".*" contains a control character'
refused "a name of 64 characters" "$(printf 'n%.0s' {1..64})" 'node name must be 1 to 63 characters'
refused "a name twice" "$N_M" 'duplicate node name'
refused "a ':' in a name" 'web:1' "node names cannot contain ':'"
N_63=$(printf 'n%.0s' {1..63})
printf '[nodes]\n%s = %s\n' "$N_63" "$NODE_CI" >"$WORK/long.conf"
check_eq "it takes a name of 63 characters" "$N_63" \
    "$("$REPLTOP" -c "$WORK/long.conf" status --json | jq -r '.nodes[0].name')"

# ---- 3. non-UTF-8 locales (LC_ALL=C is tested in tmux_dashboard.sh) ----
ascii_only() { ! screen | LC_ALL=C grep -q '[^ -~]'; }
N_U='nœud-ü' # two characters out of ASCII, four bytes
sed "s/^db_s2 = /$N_U = /; s/^\[node db_s2\]/[node $N_U]/" "$CONF" >"$WORK/utf8.conf"
dash 120 40 "$WORK/utf8.conf" LC_ALL=POSIX
if wait_screen 10 ' db_m +primary'; then
    check "LC_ALL=POSIX: ASCII boxes" wait_screen 2 '^\+- Nodes - \* best failover'
    check "LC_ALL=POSIX: a UTF-8 node name shows one ? a character" wait_screen 5 ' n\?ud-\? +standby'
    check "LC_ALL=POSIX: nothing but ASCII on the screen" ascii_only
    tm send-keys -t main '?'
    check "LC_ALL=POSIX: the help opens" wait_screen 5 'any key closes'
    check "LC_ALL=POSIX: the help is ASCII (arrows spelled out)" wait_screen 1 'Up k / Down j'
    check "LC_ALL=POSIX: nothing but ASCII in the help" ascii_only
    tm send-keys -t main x s
    check "LC_ALL=POSIX: the sync list editor opens" wait_screen 5 'Synchronous standbys of db_m'
    check "LC_ALL=POSIX: nothing but ASCII in the sync list editor" ascii_only
    tm send-keys -t main Escape
    wait_for 5 no_screen 'Synchronous standbys of'
    tm send-keys -t main G p
    check "LC_ALL=POSIX: the promote dialog opens" wait_screen 5 'Promote n\?ud-\?'
    check "LC_ALL=POSIX: nothing but ASCII in the promote dialog" ascii_only
    tm send-keys -t main Escape
    wait_for 5 no_screen 'Promote n'
    quits_cleanly "LC_ALL=POSIX"
else
    not_ok "the dashboard starts with LC_ALL=POSIX"
    dump
fi
# in a UTF-8 locale the same name is typed to confirm, and Backspace takes off a whole character
dash 120 40 "$WORK/utf8.conf"
if wait_screen 10 " $N_U +standby"; then
    tm send-keys -t main G p
    check "UTF-8: the promote dialog of [$N_U] opens" wait_screen 5 "─ Promote $N_U ─"
    tm send-keys -t main -l "$N_U"
    check "UTF-8: its name can be typed to confirm" wait_screen 5 "Type $N_U to confirm: $N_U *│"
    tm send-keys -t main BSpace
    check "UTF-8: Backspace takes off the whole ü" wait_screen 5 "Type $N_U to confirm: nœud- *│"
    tm send-keys -t main Escape
    wait_for 5 no_screen '─ Promote '
    quits_cleanly "UTF-8 name"
else
    not_ok "the dashboard starts with a UTF-8 node name"
    dump
fi
dash 100 30 "$CONF" LANG=C
if wait_screen 10 ' db_s2 +standby +streaming'; then
    check "LANG=C alone: ASCII boxes" wait_screen 2 '^\+- Nodes - \* best failover'
    check "LANG=C alone: nothing but ASCII on the screen" ascii_only
else
    not_ok "the dashboard starts with LANG=C alone"
    dump
fi
