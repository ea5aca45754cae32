#!/usr/bin/env bash
# A headless recording (`repltop record`) of a standby going down, played back with --replay:
# the key bar offers no action key, and `n` / `N` jump to the next / previous snapshot whose
# problems change (the standby going down), not frame by frame.
source "$(dirname "$0")/lib.sh"
tmux_setup replay_events
cluster_up
REC=$TEST_TMP/rec.ndjson
"$REPLTOP" record "$REC" -c "$CONF" -i 0.3 2>"$TEST_TMP/record.err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
check "healthy snapshots recorded first" wait_for 30 bash -c "[ \$(cat '$REC' 2>/dev/null | wc -l) -ge 4 ]"
node_kill db_s1
check "then the standby's loss" wait_for 30 bash -c "tail -n 1 '$REC' | jq -e '.cluster.problems | map(.code) | index(\"unreachable\")' >/dev/null"
sleep 1 # a few more frames of the same state, so that the change is not the last frame
kill -TERM "$pid"
wait "$pid"
frames=$(wc -l <"$REC")
# each frame's problems as one line (what n / N compare), and the expected jumps, 1-based
jq -c '[.cluster.health, (.cluster.problems | map([.severity, .code, .node]))]' "$REC" >"$TEST_TMP/keys"
change_after() { awk -v from="$1" 'NR == from { k = $0 } NR > from && $0 != k { print NR; exit }' "$TEST_TMP/keys"; }
# backward: the first frame of the state at FROM
state_start() { awk -v from="$1" '{ a[NR] = $0 } END { i = from; while (i > 1 && a[i - 1] == a[from]) i--; print i }' "$TEST_TMP/keys"; }
healthy=$(grep -n '^\["ok",\[\]\]$' "$TEST_TMP/keys" | head -n 1 | cut -d: -f1)
down=$(change_after "$healthy")
back=$(state_start "$frames")
echo "# $frames frames; first healthy $healthy, next change $down; the last state starts at $back"
check "the recording has a healthy frame and a change after it" [ -n "$healthy" ] && [ -n "$down" ]

tm new-session -d -s main -x 120 -y 32 "'$REPLTOP' --replay '$REC' 2>'$TEST_TMP/replay.err'; sleep 600"
check "the recording plays" wait_screen 10 "REPLAY [0-9]+/$frames"
check "the key bar offers no action key while replaying" no_screen "promote|resync|rejoin"
tm send-keys -t main Space Home
check "Home: the first snapshot" wait_screen 5 "REPLAY 1/$frames"
for ((i = 1; i < healthy; i++)); do tm send-keys -t main Right; done
check "stepped to the first healthy snapshot ($healthy)" wait_screen 5 "REPLAY $healthy/$frames"
tm send-keys -t main n
check "n jumps to the next snapshot whose problems change ($down)" wait_screen 5 "REPLAY $down/$frames"
check "... db_s1 is down there" wait_screen 3 "db_s1 .*down"
tm send-keys -t main End N
check "N from the end jumps back to where the last state began ($back)" wait_screen 5 "REPLAY $back/$frames"
tm send-keys -t main N
before=$(state_start $((back - 1)))
check "N again: where the state before it began ($before)" wait_screen 5 "REPLAY $before/$frames"
dump
