#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed, N skipped".
#   tests/run_all.sh BUILD_DIR [unit|rules|integration|tmux|fuzz|asan|valgrind|valgrind-quick]...
#   (default: unit rules integration tmux fuzz asan-unit valgrind-quick)
# ONLY (environment; make test ONLY=...) narrows the run to some tests and/or suites:
#   ONLY="it_sync tmux_actions"   those tests, each in its own suite (it_* integration, tmux_*
#                                 tmux, test_* unit, check_* rules)
#   ONLY="unit tmux"              those suites;  ONLY="valgrind it_sync": it_sync under valgrind
# Unit tests are cmocka binaries; rules are tests/check_*.sh (the include rule and the build's
# own checks, no server); integration and tmux tests are tests/it_*.sh and tests/tmux_*.sh.
# The integration suite runs build-asan/repltop (ASan+UBSan, make asan-build) when it is there,
# so that each integration test runs once and is memory-checked too (REPLTOP_PLAIN=1: ./repltop);
# it_soak always runs ./repltop, since it measures resident memory.
# fuzz runs each libFuzzer target of build-fuzz/ (make fuzz-build) for FUZZ_SECONDS (6) over its
# seed corpus. asan runs the unit and integration tests built with ASan+UBSan (make asan-build),
# valgrind the same with $REPLTOP under valgrind (valgrind-quick: the unit tests and a few
# integration tests); any error or definite leak fails the test that ran it (tests/lib.sh).
# Every test prints TAP lines ("ok - ...", "not ok - ..."); this script counts them. A line with
# the directive "# SKIP" ("ok - what # SKIP why", or cmocka's "not ok 3 # SKIP name") is a skip,
# counted apart: never a pass, nor a failure.
set -u
build=${1:-build}
shift || true
all_suites="unit rules integration tmux fuzz asan-unit valgrind-quick"
suites=${*:-$all_suites}
root=$(cd "$(dirname "$0")/.." && pwd)
export REPLTOP="${REPLTOP:-$root/repltop}" REPLTOP_ROOT="$root"
passed=0
failed=0
skipped=0
ran=0
failures=()

# ONLY: suite names select suites; test names select tests (and, alone, their own suites).
only_tests=""
if [ -n "${ONLY:-}" ]; then
    only_suites="" natural=""
    add_natural() { case " $natural " in *" $1 "*) ;; *) natural+=" $1" ;; esac; }
    for w in $ONLY; do
        w=${w%.sh}
        w=${w##*/}
        case $w in
        unit | rules | integration | tmux | fuzz | asan | asan-unit | valgrind | valgrind-quick)
            only_suites+=" $w" ;;
        test_*) only_tests+=" $w" && add_natural unit ;;
        check_*) only_tests+=" $w" && add_natural rules ;;
        it_*) only_tests+=" $w" && add_natural integration ;;
        tmux_*) only_tests+=" $w" && add_natural tmux ;;
        *)
            echo "ONLY: $w is neither a suite ($all_suites asan valgrind) nor a test (test_*, check_*, it_*, tmux_*)" >&2
            exit 3
            ;;
        esac
    done
    suites=${only_suites:-$natural}
fi
# wanted NAME: whether ONLY lets the test NAME (test_lsn, it_sync, ...) run
wanted() { [ -z "$only_tests" ] || case " $only_tests " in *" $1 "*) true ;; *) false ;; esac; }
log=$(mktemp /tmp/repltop-tests.XXXXXX)
trap 'rm -f "$log"' EXIT

run_one() { # name, command...
    local name=$1
    shift
    local start=$SECONDS
    ran=$((ran + 1))
    "$@" >"$log" 2>&1
    local rc=$?
    local p f k
    # a TAP line whose first "#" starts the directive SKIP is a skip, whether "ok" or "not ok"
    k=$(grep -ciE '^(not )?ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)' "$log")
    p=$(grep -E '^ok( |$)' "$log" | grep -cviE '^ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)')
    f=$(grep -E '^not ok( |$)' "$log" | grep -cviE '^not ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)')
    sed 's/^/    /' "$log"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # a crash or a failed set-up counts even when no test line said so
        echo "    not ok - $name exited with status $rc"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + k))
    [ "$f" -gt 0 ] && failures+=("$name")
    printf '%-40s %3d passed, %d failed, %d skipped (%ds)\n' "$name" "$p" "$f" "$k" $((SECONDS - start))
}

for suite in $suites; do
    case $suite in
    unit)
        for t in "$build"/tests/test_*; do
            [ -x "$t" ] || continue
            case $t in *.o | *.d) continue ;; esac
            wanted "$(basename "$t")" || continue
            CMOCKA_MESSAGE_OUTPUT=TAP run_one "unit/$(basename "$t")" "$t"
        done
        ;;
    rules)
        for t in "$root"/tests/check_*.sh; do
            [ -f "$t" ] || continue
            name=$(basename "$t" .sh)
            wanted "$name" || continue
            run_one "rules/$name" bash "$t"
        done
        ;;
    integration | tmux)
        prefix=it
        [ "$suite" = tmux ] && prefix=tmux
        checked=""
        if [ "$suite" = integration ] && [ -z "${REPLTOP_PLAIN:-}" ] && [ -x "$root/build-asan/repltop" ]; then
            checked=$(mktemp -d /tmp/repltop-reports.XXXXXX)
            chmod 755 "$checked"
        fi
        for t in "$root"/tests/${prefix}_*.sh; do
            [ -f "$t" ] || continue
            name=$(basename "$t" .sh)
            wanted "$name" || continue
            if [ -n "$checked" ] && [ "$name" != it_soak ]; then
                REPLTOP=$root/build-asan/repltop REPLTOP_REPORTS=$checked \
                    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                    run_one "$suite/$name (ASan+UBSan)" bash "$t"
            else
                run_one "$suite/$name" bash "$t"
            fi
        done
        [ -n "$checked" ] && rm -rf "$checked"
        ;;
    fuzz)
        run_one "fuzz/libfuzzer" "$root/tests/fuzz/run.sh" "$root/build-fuzz" "${FUZZ_SECONDS:-6}"
        ;;
    asan | asan-unit | valgrind | valgrind-quick)
        # The unit tests, then the integration tests (all but MEMCHECK_SKIP; valgrind-quick: only
        # MEMCHECK_QUICK) with build-asan/repltop, or with $REPLTOP under valgrind. it_soak is
        # skipped by default: it checks resident memory, which measures the checker here.
        vg="valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
        if [ "$suite" = asan ] || [ "$suite" = asan-unit ]; then
            bin=$root/build-asan/repltop units=$root/build-asan/tests unit_wrap="" wrap=""
        else
            bin=$REPLTOP units=$build/tests unit_wrap="$vg -q"
            wrap="$vg --child-silent-after-fork=yes --log-file=%q{REPLTOP_REPORT_DIR}/valgrind.%p.log"
        fi
        only=""
        [ "$suite" = valgrind-quick ] && only=${MEMCHECK_QUICK:-it_cli it_status it_sync it_promote it_rejoin it_resync_faults}
        if [ ! -x "$bin" ] || { [ -n "$wrap" ] && ! command -v valgrind >/dev/null; }; then
            run_one "$suite" echo "not ok - $bin or valgrind is missing (make asan-build, make deps)"
            continue
        fi
        for t in "$units"/test_*; do
            [ -x "$t" ] || continue
            case $t in *.o | *.d) continue ;; esac
            wanted "$(basename "$t")" || continue
            CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                run_one "$suite/$(basename "$t")" $unit_wrap "$t"
        done
        [ "$suite" = asan-unit ] && continue # the integration suite ran build-asan/repltop
        reports=$(mktemp -d /tmp/repltop-reports.XXXXXX)
        chmod 755 "$reports"
        for t in "$root"/tests/it_*.sh; do
            name=$(basename "$t" .sh)
            wanted "$name" || continue
            case " ${MEMCHECK_SKIP-it_soak} " in *" $name "*) continue ;; esac
            if [ -n "$only" ]; then
                case " $only " in *" $name "*) ;; *) continue ;; esac
            fi
            REPLTOP=$bin REPLTOP_WRAP=$wrap REPLTOP_REPORTS=$reports \
                ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                run_one "$suite/$name" bash "$t"
        done
        rm -rf "$reports"
        ;;
    *)
        echo "unknown suite: $suite" >&2
        exit 3
        ;;
    esac
done

if [ -n "${ONLY:-}" ] && [ "$ran" -eq 0 ]; then
    echo "not ok - ONLY=\"$ONLY\" matched no test of the suites $suites"
    failed=$((failed + 1))
fi
[ ${#failures[@]} -gt 0 ] && echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
