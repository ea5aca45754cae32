#!/usr/bin/env bash
# 3. Terminal output: bytes the dashboard writes to its terminal per steady refresh, at 200x50
# (tmux), on an idle cluster where only numbers and the clock change. script(1) sits between
# tmux and repltop and logs every chunk of output with its time (-m advanced); chunks are
# summed per second of the run (one refresh and one clock tick a second).
# Also: with `demo load` running (LSNs, lag and TPS change every second).
# Env: TERM_SECONDS measured per run (60).
. "$(dirname "$0")/lib.sh"
MEASURE=${TERM_SECONDS:-60}
OUT=$BENCH_OUT/termbytes
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
for n in 3 200; do fleet_conf "$n" "$TEST_TMP/n$n.conf"; done

# per-second output byte counts of one timing log, skipping the first 10 s (start-up)
per_second() {
    awk -v end=$((MEASURE + 10)) '$1 == "I" || $1 == "O" { t += $2
            if ($1 == "O" && t >= 10 && t < end) b[int(t)] += $3 }
         END { for (s in b) print b[s] }' "$1"
}

measure() { # label nodes [load]
    local label=$1 n=$2 load=${3:-}
    log "termbytes: $label"
    tmux_start "benchterm" "script -q -m advanced -T $OUT/timing-$label.txt -O $OUT/out-$label.log \
        -c '$REPLTOP -c $TEST_TMP/n$n.conf'" >/dev/null
    if [ -n "$load" ]; then
        "$REPLTOP" demo load $((MEASURE + 12)) --dir "$DEMO_DIR" >/dev/null 2>&1 &
        on_exit "kill $! 2>/dev/null"
    fi
    sleep $((MEASURE + 10))
    tmux_stop benchterm
    [ -n "$load" ] && wait
    per_second "$OUT/timing-$label.txt" >"$OUT/bytes-$label.txt"
    echo "| $label | $n | $(wc -l <"$OUT/bytes-$label.txt") | $(median <"$OUT/bytes-$label.txt") | $(percentile 95 <"$OUT/bytes-$label.txt") | $(sort -g "$OUT/bytes-$label.txt" | tail -n 1) |"
}

echo "### 3. Terminal output per steady refresh (200x50, seconds 10..$((MEASURE + 10)) of each run)"
echo
echo "| run | nodes | seconds | bytes/s median | p95 | max |"
echo "|---|---|---|---|---|---|"
measure idle-3 3
measure idle-200 200
measure load-3 3 load
echo
