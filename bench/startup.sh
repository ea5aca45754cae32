#!/usr/bin/env bash
# 6. Start-up: from launching the dashboard (tmux new-session) to the first refresh in which
# every node answered (REPLTOP_TRACE: start_ms + wall_ms of the first line with answered ==
# nodes; the frame is drawn right after, in the same pass of the loop). 3 and 200 nodes,
# alternating, RUNS times each.
. "$(dirname "$0")/lib.sh"
OUT=$BENCH_OUT/startup
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
for n in 3 200; do fleet_conf "$n" "$TEST_TMP/n$n.conf"; done

for run in $(seq 1 "$RUNS"); do
    for n in 3 200; do
        tr=$OUT/trace-$n-$run.txt
        t0=$(now_ms)
        tmux_start benchstart "REPLTOP_TRACE=$tr $REPLTOP -c $TEST_TMP/n$n.conf" >/dev/null
        wait_for 30 grep -qs "answered $n waiting" "$tr"
        tmux_stop benchstart
        awk -v t0="$t0" -v n="$n" '$8 == n { print $4 + $6 - t0; exit }' "$tr" >>"$OUT/first-$n.txt"
        awk '$2 == 1 { print $6 }' "$tr" >>"$OUT/round1-$n.txt"
        sleep 2 # let the servers reap the sessions
    done
done

echo "### 6. Start-up to the first full frame (median of $RUNS runs, ms)"
echo
echo "| nodes | launch to first full frame ms | first refresh wall ms (connect + query) | all runs |"
echo "|---|---|---|---|"
for n in 3 200; do
    echo "| $n | $(median <"$OUT/first-$n.txt") | $(median <"$OUT/round1-$n.txt") | $(tr '\n' ' ' <"$OUT/first-$n.txt") |"
done
echo
