#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR (build-fuzz/fuzz_*) for SECONDS each over its seed
# corpus tests/fuzz/corpus/NAME with the dictionary tests/fuzz/NAME.dict, one TAP line per target
# with the number of executions:
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
# New inputs go to BUILD_DIR/corpus/<target> (the seeds in tests/fuzz/corpus stay as they are);
# a crash, leak or UB report is saved in BUILD_DIR/artifacts/ and printed.
set -u
build=${1:-build-fuzz}
secs=${2:-30}
shift 2 2>/dev/null || shift $#
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-$(cd "$build" 2>/dev/null && ls fuzz_* 2>/dev/null | grep -v '\.')}
if [ -z "$targets" ]; then
    echo "not ok - no fuzz targets in $build (make fuzz-build)"
    exit 1
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
total=0
for t in $targets; do
    name=${t#fuzz_}
    seeds=$here/corpus/$name
    work=$build/corpus/$name
    arts=$build/artifacts
    log=$build/logs/$t.log
    mkdir -p "$work" "$arts" "$build/logs"
    dict=$here/$name.dict
    [ -d "$seeds" ] || seeds=""
    [ -f "$dict" ] || dict=""
    "$build/$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$arts/$t-" ${dict:+-dict="$dict"} "$work" ${seeds:+"$seeds"} >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    corpus=$(find "$work" -type f | wc -l)
    if [ "$rc" -eq 0 ]; then
        echo "ok - $t: ${execs:-?} executions in ${secs} s, no crash, leak or UB (corpus: $corpus inputs)"
        total=$((total + ${execs:-0}))
    else
        echo "not ok - $t: exit status $rc after ${execs:-?} executions; the report:"
        grep -v '^#[0-9]' "$log" | tail -n 60 | sed 's/^/# /'
        status=1
    fi
done
echo "# fuzz: $total executions in all"
exit $status
