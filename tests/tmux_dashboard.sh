#!/usr/bin/env bash
# tmux end-to-end: the dashboard against the demo cluster, driven like a user would — keys sent
# with send-keys, the screen read with capture-pane. On a private tmux server, killed on exit.
#   - it starts and shows the three nodes with their roles
#   - `e` writes a JSON file that parses, at the path the screen shows
#   - resizes keep the layout intact; too small says so
#   - with one node frozen (SIGSTOP) the clock keeps moving and keys still answer
#   - a standby stopped with pg_ctl turns to down within two refreshes
#   - q, Ctrl-C and SIGTERM give the terminal back (echo and icanon restored)
#   - what --record wrote plays back with --replay, without the cluster
# exclusive: it bounds how soon the dashboard shows a stopped node (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "$0")/lib.sh"

tmux_setup test # the UTF-8 screen; one run below checks the ASCII one
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

cluster_up
WORK=$TEST_TMP/work
mkdir -p "$WORK"

# Starts the dashboard in a detached session NAME of COLSxROWS; when it exits, the pane shows
# its exit status and whether the tty is back in cooked mode, then stays for us to read.
start_dashboard() { # name cols rows [locale [repltop arguments]]
    local name=$1 cols=$2 rows=$3 loc=${4:-C.UTF-8} args=${5:-"-c '$CONF'"}
    tm new-session -d -s "$name" -x "$cols" -y "$rows" \
        "cd '$WORK' && LC_ALL=$loc '$REPLTOP' $args 2>'$WORK/$name.err'; echo EXIT=\$?; stty -a | tr ' ;' '\n\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\n' ' '; echo; sleep 600"
    tm set-option -t "$name" remain-on-exit on >/dev/null
}

screen() { tm capture-pane -p -t "$1"; }

# wait_screen NAME SECONDS PATTERN: polls the screen until grep -E finds PATTERN
wait_screen() {
    local name=$1 secs=$2 pattern=$3
    local deadline=$((SECONDS + $(slow_secs "$secs")))
    while true; do
        screen "$name" | grep -Eq -- "$pattern" && return 0
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}

header_clock() { screen "$1" | head -n 1 | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2} *$' | tr -d ' '; }

# Every line at most COLS wide, the boxes closed, the key bar on the last line.
layout_ok() { # name cols rows
    local name=$1 cols=$2 rows=$3 text
    text=$(screen "$name")
    local widest
    widest=$(printf '%s\n' "$text" | while IFS= read -r l; do printf '%s\n' "${#l}"; done | sort -n | tail -n 1)
    [ "$widest" -le "$cols" ] || { echo "# widest line $widest > $cols"; return 1; }
    [ "$(printf '%s\n' "$text" | wc -l)" -eq "$rows" ] || { echo "# not $rows lines"; return 1; }
    printf '%s\n' "$text" | sed -n 3p | grep -q '^┌─ Nodes' || { echo "# no node table on line 3"; return 1; }
    # between the header and the key bar, only boxes: every line starts and ends on a border
    local broken
    broken=$(printf '%s\n' "$text" | sed -n "3,$((rows - 1))p" | grep -cvE '^[┌│└].*[┐│┘]$')
    [ "$broken" -eq 0 ] || { echo "# $broken lines outside the boxes"; return 1; }
    printf '%s\n' "$text" | grep -Eq '│ +NODE +ROLE +STATE' || { echo "# no table header"; return 1; }
    printf '%s\n' "$text" | tail -n 1 | grep -Eq 'q Quit|exported to' || { echo "# no key bar"; return 1; }
    # the node rows are whole: each starts and ends with a border
    local bad
    bad=$(printf '%s\n' "$text" | grep -E ' db_(m|s1|s2) +(primary|standby|–) ' | grep -vcE '^│.*│$')
    [ "$bad" -eq 0 ] || { echo "# $bad broken node rows"; return 1; }
}

# Freezes a whole server: the postmaster and each of its children (every PostgreSQL child
# process leads its own process group, so the postmaster's group alone is not enough).

dump() { screen "$1" | sed 's/^/#   /'; }

# ---- it starts and shows the three nodes ----
start_dashboard main 120 40 C.UTF-8 "-c '$CONF' --record '$WORK/rec.ndjson'"
if wait_screen main 10 ' db_s2 +standby'; then
    ok "the dashboard starts"
else
    not_ok "the dashboard starts"
    dump main
    cat "$WORK/main.err"
    exit 1
fi
wait_screen main 5 '(OK|WARNING|CRITICAL)' >/dev/null
check "db_m is shown as the primary" wait_screen main 3 ' db_m +primary +primary'
check "db_s1 is shown as a streaming standby" wait_screen main 3 ' db_s1 +standby +streaming'
check "db_s2 is shown as a streaming standby" wait_screen main 3 ' db_s2 +standby +streaming'
check "the header names the primary" wait_screen main 1 'primary db_m'
check "the layout fits 120x40" layout_ok main 120 40

# ---- export ----
tm send-keys -t main e
if wait_screen main 3 'exported to /'; then
    path=$(screen main | grep -oE 'exported to /[^ ]+\.json' | head -n 1 | sed 's/^exported to //')
    check "e writes the file whose path it shows" test -f "$path"
    check "the export parses as JSON with three nodes" \
        test "$(jq '.nodes | length' "$path" 2>/dev/null)" = 3
    check_eq "the export is private (0600)" 600 "$(stat -c %a "$path")"
    check_eq "the export says who the primary is" db_m "$(jq -r .cluster.primary "$path")"
else
    not_ok "e shows where it exported"
    dump main
fi

# ---- resize ----
tm resize-window -t main -x 80 -y 24
check "after a resize to 80x24 the layout is intact" wait_for 3 layout_ok main 80 24
tm resize-window -t main -x 60 -y 15
check "at the minimum 60x15 the layout is intact" wait_for 3 layout_ok main 60 15
tm resize-window -t main -x 50 -y 12
check "below the minimum it says the terminal is too small" \
    wait_screen main 3 'terminal too small'
tm resize-window -t main -x 200 -y 50
check "a very wide terminal gets the wide columns" wait_screen main 3 'REPLAY LSN'
check "a very wide terminal is laid out intact" layout_ok main 200 50
tm resize-window -t main -x 120 -y 40
check "back to 120x40 intact" wait_for 3 layout_ok main 120 40

# ---- a frozen node: the clock moves, keys answer ----
node_sigstop db_s2
frozen_at=$SECONDS
c1=$(header_clock main)
check "a frozen node shows as timeout" wait_screen main 6 ' db_s2 +– +timeout'
c2=$(header_clock main)
if [ -n "$c1" ] && [ "$c1" != "$c2" ]; then
    ok "the header clock keeps moving while a node hangs ($c1 -> $c2)"
else
    not_ok "the header clock keeps moving while a node hangs ($c1 -> $c2)"
    dump main
fi
tm send-keys -t main '?'
check "keys answer while a node hangs (? opens the help)" wait_screen main 2 'any key closes'
tm send-keys -t main x
check "and any key closes it" wait_for 2 bash -c "! tmux -u -L $TMUX_SOCK capture-pane -p -t main | grep -q 'any key closes'"
c3=$(header_clock main)
sleep 1.2
c4=$(header_clock main)
if [ -n "$c3" ] && [ "$c3" != "$c4" ]; then
    ok "the clock still moves $((SECONDS - frozen_at))s into the hang"
else
    not_ok "the clock still moves into the hang ($c3 -> $c4)"
fi
check "the other rows keep refreshing" wait_screen main 3 ' db_s1 +standby +streaming'
node_sigcont db_s2
check "the node comes back after SIGCONT" wait_screen main 8 ' db_s2 +standby +streaming'

# ---- a standby stopped with pg_ctl: down within two refreshes (interval 1 s) ----
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast >/dev/null 2>&1 ||
    "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast >/dev/null 2>&1
stopped=$(now_ms)
if wait_screen main 5 ' db_s1 +– +down'; then
    # two refreshes and a redraw (2.5 s) on a quiet machine; on a busy one a refresh or two more
    ms=$(($(now_ms) - stopped)) limit=$((1250 * SLOW_FACTOR + 1500))
    if [ "$ms" -le "$limit" ]; then ok "a stopped standby turns to down within a few refreshes (${ms} ms, limit $limit)"; else not_ok "a stopped standby turns to down within a few refreshes (${ms} ms, limit $limit)"; fi
else
    not_ok "a stopped standby turns to down"
    dump main
fi
check "the problem is listed" wait_screen main 2 'CRIT +db_s1 .* is down'

# ---- q gives the terminal back ----
tm send-keys -t main q
check "q quits with status 0" wait_screen main 3 '^EXIT=0'
check "q restores the terminal (echo, icanon)" wait_screen main 2 '^(echo icanon|icanon echo) *$'
check "and leaves the alternate screen" bash -c "! tmux -u -L $TMUX_SOCK capture-pane -p -t main | grep -q 'Nodes ·'"

# ---- Ctrl-C and SIGTERM too; and the ASCII screen of a non-UTF-8 locale ----
start_dashboard intr 100 30 C
if wait_screen intr 10 ' db_m +primary'; then
    check "a non-UTF-8 locale gets ASCII boxes" wait_screen intr 2 '^\+- Nodes - \* best failover'
    check "and nothing but ASCII" bash -c "! tmux -u -L $TMUX_SOCK capture-pane -p -t intr | LC_ALL=C grep -q '[^ -~]'"
    tm send-keys -t intr C-c
    check "Ctrl-C quits" wait_screen intr 3 '^EXIT=0'
    check "Ctrl-C restores the terminal" wait_screen intr 2 '^(echo icanon|icanon echo) *$'
else
    not_ok "the dashboard starts for the Ctrl-C test"
fi
start_dashboard term 100 30
if wait_screen term 10 ' db_m +primary'; then
    pid=$(pgrep -n -f "repltop -c $CONF" || true)
    [ -n "$pid" ] && kill -TERM "$pid"
    check "SIGTERM quits" wait_screen term 3 '^EXIT=0'
    check "SIGTERM restores the terminal" wait_screen term 2 '^(echo icanon|icanon echo) *$'
else
    not_ok "the dashboard starts for the SIGTERM test"
fi

# ---- the recording of the main run plays back, with no cluster needed ----
frames=$(wc -l <"$WORK/rec.ndjson")
check "--record wrote one line per refresh (${frames} lines)" test "$frames" -ge 5
check "every recorded line is a JSON snapshot" \
    test "$(jq -c '.nodes | length' "$WORK/rec.ndjson" | sort -u)" = 3
echo '{"torn line' >>"$WORK/rec.ndjson"
start_dashboard replay 100 30 C.UTF-8 "--replay '$WORK/rec.ndjson'"
if wait_screen replay 5 "REPLAY [0-9]+/$frames"; then
    ok "--replay plays the recording ($frames snapshots)"
    check "a malformed line is reported as FILE:LINE" \
        grep -q "rec.ndjson:$((frames + 1)): " "$WORK/replay.err"
    tm send-keys -t replay Space
    check "space pauses the playback" wait_screen replay 2 'PAUSED'
    tm send-keys -t replay Home
    check "Home goes to the first snapshot" wait_screen replay 2 "REPLAY 1/$frames"
    tm send-keys -t replay Right Right
    check "right arrow steps forward" wait_screen replay 2 "REPLAY 3/$frames"
    tm send-keys -t replay Left
    check "left arrow steps back" wait_screen replay 2 "REPLAY 2/$frames"
    tm send-keys -t replay End
    check "the end of the recording shows the stopped standby" \
        wait_screen replay 2 ' db_s1 +– +down'
    tm send-keys -t replay q
    check "q leaves the replay" wait_screen replay 3 '^EXIT=0'
else
    not_ok "--replay plays the recording"
    dump replay
fi
