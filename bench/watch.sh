#!/usr/bin/env bash
# 1. The cost of watching: CPU and peak RSS of the dashboard (in tmux, 200x50, 1 s refresh)
# and of `repltop status`, for 3, 50 and 200 nodes (named connections to the 3 demo servers).
# The three dashboards of one run run side by side, so they share the machine's noise.
# Env: RUNS (5), WINDOW seconds measured per run (60), WARMUP seconds before it (10).
. "$(dirname "$0")/lib.sh"
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
SIZES=${SIZES:-"3 50 200"}
OUT=$BENCH_OUT/watch
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
for n in $SIZES; do fleet_conf "$n" "$TEST_TMP/n$n.conf"; done

declare -A pid
for run in $(seq 1 "$RUNS"); do
    log "watch: run $run of $RUNS (${WARMUP}s + ${WINDOW}s)"
    for n in $SIZES; do
        pane=$(tmux_start "benchwatch$n" "REPLTOP_TRACE=$OUT/trace-$n-$run.txt $REPLTOP -c $TEST_TMP/n$n.conf")
        pid[$n]=$(repltop_pid_under "$pane")
    done
    sleep "$WARMUP"
    declare -A t0
    for n in $SIZES; do t0[$n]=$(proc_ticks "${pid[$n]}"); done
    start=$(now_ms)
    sleep "$WINDOW"
    # where the resident memory of the largest dashboard is, by mapping (last run)
    last=${SIZES##* }
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6; if (name == "") name = "[anon]" }
         /^Rss:/ { rss[name] += $2 } END { for (n in rss) print rss[n], n }' \
        "/proc/${pid[$last]}/smaps" | sort -rn >"$OUT/smaps-$last.txt"
    for n in $SIZES; do
        t1=$(proc_ticks "${pid[$n]}")
        el=$(($(now_ms) - start))
        # CPU seconds per hour and % of one core over the window; peak RSS in MB
        awk -v d=$((t1 - t0[$n])) -v hz="$HZ" -v ms="$el" -v kb="$(proc_hwm_kb "${pid[$n]}")" \
            'BEGIN {printf "%.1f %.3f %.1f\n", d/hz*3600000/ms, d/hz*100000/ms, kb/1024}' \
            >>"$OUT/dash-$n.txt"
        tmux_stop "benchwatch$n"
    done
done

# Peak RSS once the lag history (600 samples a node) is full: 70 s at a 0.1 s refresh.
log "watch: history fill (70 s at -i 0.1, 200 nodes)"
pane=$(tmux_start benchwatchfill "$REPLTOP -i 0.1 -c $TEST_TMP/n200.conf")
p=$(repltop_pid_under "$pane")
sleep 70
fill_mb=$(awk -v kb="$(proc_hwm_kb "$p")" 'BEGIN {printf "%.1f", kb/1024}')
tmux_stop benchwatchfill

# status: one process per refresh (connects, one round, exits)
for run in $(seq 1 "$RUNS"); do
    for n in $SIZES; do
        /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.tmp" "$REPLTOP" -c "$TEST_TMP/n$n.conf" status \
            >/dev/null 2>&1
        # the last line: time -o puts "Command exited with non-zero status N" before it
        tail -n 1 "$OUT/time.tmp" | awk '{printf "%.3f %.3f %.1f\n", $1, $2 + $3, $4/1024}' >>"$OUT/status-$n.txt"
    done
done

echo "### 1. Cost of watching (median of $RUNS runs; dashboards side by side, ${WINDOW} s windows)"
echo
echo "| nodes | dashboard CPU s/hour | % of one core | peak RSS MB | refresh wall ms (median / p95) | status wall s | status CPU s | status RSS MB | status every 1 s: CPU s/hour |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
    cpu_h=$(cut -d' ' -f1 "$OUT/dash-$n.txt" | median)
    pct=$(cut -d' ' -f2 "$OUT/dash-$n.txt" | median)
    rss=$(cut -d' ' -f3 "$OUT/dash-$n.txt" | median)
    # refresh wall: rounds after the first (the first one connects)
    cat "$OUT"/trace-"$n"-*.txt | awk '$2 > 1 {print $6}' >"$OUT/wall-$n.txt"
    w50=$(median <"$OUT/wall-$n.txt")
    w95=$(percentile 95 <"$OUT/wall-$n.txt")
    sw=$(cut -d' ' -f1 "$OUT/status-$n.txt" | median)
    sc=$(cut -d' ' -f2 "$OUT/status-$n.txt" | median)
    sr=$(cut -d' ' -f3 "$OUT/status-$n.txt" | median)
    sh=$(awk -v c="$sc" 'BEGIN {printf "%.0f", c*3600}')
    echo "| $n | $cpu_h | $pct | $rss | $w50 / $w95 | $sw | $sc | $sr | $sh |"
done
echo
echo "Peak RSS of the 200-node dashboard once its lag history is full (70 s at \`-i 0.1\`): $fill_mb MB"
echo
echo "Resident memory of the $last-node dashboard by mapping (kB, /proc/PID/smaps, largest first):"
echo
head -n 8 "$OUT/smaps-$last.txt" | awk '{printf "%s%s %s", sep, $2, $1; sep = ", "} END {print ""}'
echo
echo "of $(awk '{s += $1} END {print s}' "$OUT/smaps-$last.txt") kB in all."
echo
