#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed".
#   tests/run_all.sh BUILD_DIR [unit|integration|tmux]...   (default: all three)
# Unit tests are cmocka binaries; integration and tmux tests are tests/it_*.sh and tests/tmux_*.sh.
# Every test prints TAP lines ("ok - ...", "not ok - ..."); this script counts them.
set -u
build=${1:-build}
shift || true
suites=${*:-unit integration tmux}
root=$(cd "$(dirname "$0")/.." && pwd)
export REPLTOP="$root/repltop" REPLTOP_ROOT="$root"
passed=0
failed=0
failures=()
log=$(mktemp /tmp/repltop-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

run_one() { # name, command...
    local name=$1
    shift
    local start=$SECONDS
    "$@" >"$log" 2>&1
    local rc=$?
    local p f
    p=$(grep -cE '^ok( |$)' "$log")
    f=$(grep -cE '^not ok( |$)' "$log")
    sed 's/^/    /' "$log"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # a crash or a failed set-up counts even when no test line said so
        echo "    not ok - $name exited with status $rc"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && failures+=("$name")
    printf '%-40s %3d passed, %d failed (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
}

for suite in $suites; do
    case $suite in
    unit)
        for t in "$build"/tests/test_*; do
            [ -x "$t" ] || continue
            case $t in *.o | *.d) continue ;; esac
            CMOCKA_MESSAGE_OUTPUT=TAP run_one "unit/$(basename "$t")" "$t"
        done
        ;;
    integration | tmux)
        prefix=it
        [ "$suite" = tmux ] && prefix=tmux
        for t in "$root"/tests/${prefix}_*.sh; do
            [ -f "$t" ] || continue
            run_one "$suite/$(basename "$t" .sh)" bash "$t"
        done
        ;;
    *)
        echo "unknown suite: $suite" >&2
        exit 3
        ;;
    esac
done

[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
