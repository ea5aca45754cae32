#!/usr/bin/env bash
# make bench: every benchmark in turn, each on a demo cluster of its own in a temp directory
# (stopped at its end, even on failure). Prints the markdown tables of bench/RESULTS.md;
# raw data in bench/out/. About 35 minutes. Not run in CI.
#   bench/run.sh [SECTION...]   sections: watch isolation keys termbytes server actions startup callgrind bounds switchover ssh patroni fleet fleet_clusters serve callgrind_fleet serve_scrape fleet_loop
# Env: REPLTOP (./repltop), RUNS (5), and each script's own knobs (see its header).
set -u
cd "$(dirname "$0")/.."
export REPLTOP=${REPLTOP:-$PWD/repltop}
export BENCH_OUT=${BENCH_OUT:-$PWD/bench/out}
mkdir -p "$BENCH_OUT"
sections=${*:-watch isolation keys termbytes server actions startup callgrind bounds switchover ssh patroni serve}
{
    echo "repltop $("$REPLTOP" --version 2>&1 | head -n 1), $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo +changes); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
} | tee "$BENCH_OUT/results.md"
rc=0
for s in $sections; do
    bash "bench/$s.sh" | tee -a "$BENCH_OUT/results.md"
    [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bench/$s.sh failed" >&2; rc=1; }
done
exit $rc
