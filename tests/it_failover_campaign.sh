#!/usr/bin/env bash
# The failover campaign of issue 18: the demo's three nodes with a declared policy
# (`[repltop] sync = FIRST 1`), then rounds of: an insert load recording every acknowledged id,
# SIGKILL of whichever node is primary (all its processes, by its postmaster pid), the candidate
# `repltop status --json` names promoted with `repltop promote CANDIDATE --yes`, the old primary
# brought back with `repltop rejoin OLD --yes`. In every round: every id acknowledged so far (this
# round's and the earlier ones') is on the new primary, its synchronous_standby_names is what the
# policy gives for the nodes that exist (FIRST 1 over the other nodes in config order, each under
# the application_name it streams as), and both standbys stream from it.
# Run twice: first with only one-shot commands and a fresh XDG_STATE_HOME after each kill (so
# repltop remembers nothing of the dead primary), then with the dashboard running in tmux the
# whole time (its state directory shared with the commands).
# ROUNDS (default 5) rounds per mode.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || {
    skip "jq is not installed"
    exit 0
}
ROUNDS=${ROUNDS:-5}
cluster_up
sed -i 's/^\[repltop\]$/[repltop]\nsync = FIRST 1/' "$CONF"
STATE_BASE=$TEST_TMP/states
mkdir -p "$STATE_BASE"
J=$TEST_TMP/s.json
OUT=$TEST_TMP/out
ALL_IDS=$TEST_TMP/all.ids
: >"$ALL_IDS"
NODES=(db_m db_s1 db_s2) # config order
fresh_state() { XDG_STATE_HOME=$(mktemp -d "$STATE_BASE/s.XXXXXX") && export XDG_STATE_HOME; }
show() { sed 's/^/# /' "$1"; }

# The node that accepts writes, asked of PostgreSQL itself (no repltop runs for this).
primary_now() {
    local n
    for n in "${NODES[@]}"; do
        [ "$(demo_psql "$n" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && echo "$n"
    done
}

# The other two nodes stream from PRIMARY (on its timeline) — written to $J.
both_stream() { # primary
    status_json >"$J" 2>/dev/null
    jq -e --arg p "$1" '[.nodes[] | select(.name != $p) |
        select(.role == "standby" and .upstream == $p and .state == "streaming")] | length == 2' \
        "$J" >/dev/null
}

# What the policy gives on PRIMARY: FIRST 1 over the other nodes in config order, each as it
# streams (its application_name; its config name when not known), from $J.
policy_list() { # primary
    local n app names=""
    for n in "${NODES[@]}"; do
        [ "$n" = "$1" ] && continue
        app=$(jq -r --arg n "$n" '.nodes[] | select(.name == $n) | .application_name // ""' "$J")
        names="${names:+$names, }${app:-$n}"
    done
    echo "FIRST 1 ($names)"
}

# One round: load, kill the primary, promote the candidate, rejoin the old one, then the checks.
round() { # mode n
    local mode=$1 k=$2 old cand ids load_pid acked lost sync want
    old=$(primary_now)
    if [ -z "$old" ] || [ "$(echo "$old" | wc -l)" != 1 ]; then
        not_ok "$mode round $k: one primary before the kill (got '${old//$'\n'/ }')"
        return 1
    fi
    ids=$TEST_TMP/$mode.$k.ids
    "$REPLTOP" demo load 60 --dir "$DEMO_DIR" --ids "$ids" >"$TEST_TMP/load.out" 2>&1 &
    load_pid=$!
    enough_rows() { [ -s "$ids" ] && [ "$(wc -l <"$ids")" -ge 3000 ]; }
    wait_for 30 enough_rows
    node_kill "$old"
    wait "$load_pid"
    acked=$(wc -l <"$ids")
    cat "$ids" >>"$ALL_IDS"
    check "$mode round $k: $old SIGKILLed mid-load after $acked acknowledged ids" [ "$acked" -ge 3000 ]

    [ "$mode" = oneshot ] && fresh_state # nothing remembered of the dead primary
    status_json >"$J" 2>/dev/null
    cand=$(jq -r '.cluster.candidate // empty' "$J")
    if [ -z "$cand" ]; then
        not_ok "$mode round $k: status --json names a candidate"
        show "$J"
        return 1
    fi
    "$REPLTOP" -c "$CONF" promote "$cand" --yes >"$OUT" 2>&1
    local rc=$?
    check_eq "$mode round $k: promote $cand --yes exits 0" 0 "$rc"
    [ "$rc" = 0 ] || show "$OUT"
    check "$mode round $k: the promote did not go asynchronous" \
        bash -c "! grep -Eq \"synchronous_standby_names = ''\" '$OUT'"
    lost=$(missing_ids "$cand" "$ALL_IDS")
    check_eq "$mode round $k: every id acknowledged so far is on $cand (missing)" 0 "$lost"

    "$REPLTOP" -c "$CONF" rejoin "$old" --yes >"$OUT" 2>&1
    rc=$?
    check_eq "$mode round $k: rejoin $old --yes exits 0" 0 "$rc"
    [ "$rc" = 0 ] || show "$OUT"
    if ! wait_for 30 both_stream "$cand"; then
        not_ok "$mode round $k: both standbys stream from $cand"
        show "$J"
        return 1
    fi
    ok "$mode round $k: both standbys stream from $cand"
    sync=$(demo_psql "$cand" -c 'SHOW synchronous_standby_names')
    want=$(policy_list "$cand")
    check_eq "$mode round $k: $cand's synchronous_standby_names follows the policy" "$want" "$sync"
    check "$mode round $k: $cand has a synchronous standby" \
        jq -e --arg p "$cand" '[.nodes[] | select(.name != $p and .sync_state == "sync")] | length == 1' "$J"
    check_eq "$mode round $k: $old has every acknowledged id too (missing)" 0 "$(missing_ids "$old" "$ALL_IDS")"
}

campaign() { # mode
    local k
    for k in $(seq 1 "$ROUNDS"); do
        round "$1" "$k" || return 1
    done
}

# 1. one-shot commands only
campaign oneshot

# 2. the same with the dashboard running all along
if ! command -v tmux >/dev/null; then
    skip "dashboard campaign: tmux is not installed"
    exit 0
fi
tmux_setup campaign
fresh_state
tm new-session -d -s main -x 120 -y 40 \
    "XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
check "the dashboard shows the cluster" wait_screen 15 'db_s2'
campaign dashboard
check "the dashboard ran through the campaign" no_screen '^EXIT='
tm send-keys -t main q
check "the dashboard quits with status 0" wait_screen 5 '^EXIT=0'
