#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed, N skipped".
#   tests/run_all.sh BUILD_DIR [unit|rules|integration|tmux|fuzz|asan|valgrind|valgrind-quick]...
#   (default: unit rules integration tmux fuzz asan-unit valgrind-quick)
# ONLY (environment; make test ONLY=...) narrows the run to some tests and/or suites:
#   ONLY="it_sync tmux_actions"   those tests, each in its own suite (it_* integration, tmux_*
#                                 tmux, test_* unit, check_* rules)
#   ONLY="unit tmux"              those suites;  ONLY="valgrind it_sync": it_sync under valgrind
# JOBS=2 (environment): two integration or tmux tests at a time, each one's output printed whole
#   when it ends; a test with a "# exclusive: why" line runs alone (see run_lane below).
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
work=$(mktemp -d /tmp/repltop-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=$work/log

run_cmd() { # file, command...: the command's output in FILE, its status in FILE.rc, seconds in FILE.s
    local out=$1 start=$SECONDS
    shift
    "$@" >"$out" 2>&1
    echo $? >"$out.rc"
    echo $((SECONDS - start)) >"$out.s"
}

report() { # name, file (of run_cmd): prints the output and the test's line, adds up the counts
    local name=$1 out=$2 rc p f k
    rc=$(cat "$out.rc")
    # a TAP line whose first "#" starts the directive SKIP is a skip, whether "ok" or "not ok"
    # (-a: a NUL byte in a test's output made grep say "binary file matches" and count nothing)
    k=$(grep -aciE '^(not )?ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)' "$out")
    p=$(grep -aE '^ok( |$)' "$out" | grep -acviE '^ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)')
    f=$(grep -aE '^not ok( |$)' "$out" | grep -acviE '^not ok( [^#]*)?#[[:space:]]*skip([^[:alnum:]]|$)')
    sed 's/^/    /' "$out"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # a crash or a failed set-up counts even when no test line said so
        echo "    not ok - $name exited with status $rc"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + k))
    [ "$f" -gt 0 ] && failures+=("$name")
    printf '%-40s %3d passed, %d failed, %d skipped (%ds)\n' "$name" "$p" "$f" "$k" "$(cat "$out.s")"
}

run_one() { # name, command...
    ran=$((ran + 1))
    local name=$1
    shift
    run_cmd "$log" "$@"
    report "$name" "$log"
}

# Lanes: with JOBS=N (default 1), up to N integration or tmux tests run at once, each into its
# own file, printed whole when it ends. A test runs alone (the lanes drained first) when it says
# so with a line "# exclusive: why" (it measures time or resident memory, or takes the machine's
# network, docker or a large lab), or when it builds hosts, a Patroni lab or an HA manager's
# cluster (tests/lib_hosts.sh, lib_patroni.sh, lib_managers.sh).
JOBS=${JOBS:-1}
lane_pids=() lane_names=() lane_files=()
lane_n=0
exclusive() { grep -qE '^# exclusive|^ *(\.|source) .*lib_(hosts|patroni|managers)\.sh' "$1"; }
lane_reap() { # waits for one test of the lanes to end, and reports it
    local pid="" i
    wait -n -p pid "${lane_pids[@]}"
    [ -n "$pid" ] || sleep 1 # a signal, or a job bash reaped already: its .s file (written last) says it ended
    for i in "${!lane_pids[@]}"; do
        [ "${lane_pids[$i]}" = "$pid" ] || { [ -z "$pid" ] && [ -s "${lane_files[$i]}.s" ]; } || continue
        report "${lane_names[$i]}" "${lane_files[$i]}"
        unset "lane_pids[$i]" "lane_names[$i]" "lane_files[$i]"
    done
    lane_pids=("${lane_pids[@]}") lane_names=("${lane_names[@]}") lane_files=("${lane_files[@]}")
}
lanes_drain() { while [ ${#lane_pids[@]} -gt 0 ]; do lane_reap; done; }
run_lane() { # file of the test, name, command...
    local file=$1
    shift
    if [ "$JOBS" -le 1 ]; then
        run_one "$@"
        return
    fi
    if exclusive "$file"; then
        lanes_drain
        run_one "$@"
        return
    fi
    while [ ${#lane_pids[@]} -ge "$JOBS" ]; do lane_reap; done
    ran=$((ran + 1))
    lane_n=$((lane_n + 1))
    local out=$work/lane.$lane_n
    lane_names+=("$1")
    lane_files+=("$out")
    shift
    run_cmd "$out" "$@" &
    lane_pids+=($!)
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
                    run_lane "$t" "$suite/$name (ASan+UBSan)" bash "$t"
            else
                run_lane "$t" "$suite/$name" bash "$t"
            fi
        done
        lanes_drain
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
        # valgrind-quick: memcheck's own finding (a read of uninitialised memory, which ASan does
        # not see) over the CLI, the status probe, the sync list and the promote; every
        # integration test already ran the ASan+UBSan binary, and `make valgrind` runs them all
        [ "$suite" = valgrind-quick ] && only=${MEMCHECK_QUICK:-it_cli it_status it_sync it_promote}
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
