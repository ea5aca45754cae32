#!/usr/bin/env bash
# 7. The tight figures behind the tests' loose wall-clock bounds (tests/lib.sh, SLOW_FACTOR):
#  - `repltop status --json` on the demo cluster, healthy and with db_s2 SIGSTOPped (2 s
#    deadline): a hung node costs about its deadline, not the sum of all (tests/it_status.sh);
#  - `repltop demo up` from scratch (tests/it_demo.sh).
# RUNS times each (status); demo up once per run of this script.
. "$(dirname "$0")/lib.sh"
OUT=$BENCH_OUT/bounds
rm -rf "$OUT" && mkdir -p "$OUT"

t0=$(now_ms)
cluster_up
echo $(($(now_ms) - t0)) >"$OUT/demo-up.txt"

status_ms() { # prints the wall time of one status --json, in ms
    local t
    t=$(now_ms)
    "$REPLTOP" -c "$CONF" status --json >/dev/null
    echo $(($(now_ms) - t))
}
for run in $(seq 1 "$RUNS"); do
    log "bounds: run $run of $RUNS"
    status_ms >>"$OUT/healthy.txt"
    node_sigstop db_s2
    status_ms >>"$OUT/hung.txt"
    node_sigcont db_s2
    wait_for 10 bash -c "'$REPLTOP' -c '$CONF' status >/dev/null" # db_s2 answers again
done

echo "### 7. Tight figures behind the tests' bounds (ms; median and max of $RUNS runs)"
echo
echo "| what | median ms | max ms | test bound (plain, busy machine) |"
echo "|---|---|---|---|"
echo "| status, healthy | $(median <"$OUT/healthy.txt") | $(sort -g "$OUT/healthy.txt" | tail -n 1) | |"
echo "| status, db_s2 hung (2 s deadline) | $(median <"$OUT/hung.txt") | $(sort -g "$OUT/hung.txt" | tail -n 1) | healthy + 2000 + 500 × SLOW_FACTOR (≤ 4000) |"
echo "| demo up from scratch | $(cat "$OUT/demo-up.txt") | | 15000 × SLOW_FACTOR |"
echo
