# Shared helpers for the shell test suites (integration and tmux). Source it, then call
# cluster_up. Everything a test starts is stopped on exit, even when the test fails.
# Each check prints a TAP line: "ok - what" or "not ok - what".
set -u
REPLTOP=${REPLTOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/repltop}
# Memory checking (make asan-integration, make valgrind; the asan and valgrind suites of
# tests/run_all.sh):
#   REPLTOP_WRAP     a command put in front of every "$REPLTOP" a test runs, e.g. "valgrind
#                    --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
#                    --log-file=%q{REPLTOP_REPORT_DIR}/valgrind.%p.log"; $REPLTOP becomes a
#                    script that execs it (same pid), so tests need not know.
#   REPLTOP_REPORTS  a directory for the reports of ASan, UBSan, LeakSanitizer and valgrind:
#                    each test gets its own REPLTOP_REPORT_DIR in it (ASAN_OPTIONS and
#                    UBSAN_OPTIONS log there), checked when the test exits: one TAP line.
REPORT_DIR=""
WRAP_DIR=""
if [ -n "${REPLTOP_REPORTS:-}" ]; then
    mkdir -p "$REPLTOP_REPORTS"
    REPORT_DIR=$(mktemp -d "$REPLTOP_REPORTS/$(basename "$0" .sh).XXXXXX")
    export REPLTOP_REPORT_DIR=$REPORT_DIR
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$REPORT_DIR/asan"
    export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$REPORT_DIR/ubsan"
fi
if [ -n "${REPLTOP_WRAP:-}" ]; then
    WRAP_DIR=$(mktemp -d /tmp/repltop-wrap.XXXXXX)
    chmod 755 "$WRAP_DIR"
    printf '#!/usr/bin/env bash\nexec %s %q "$@"\n' "$REPLTOP_WRAP" "$REPLTOP" >"$WRAP_DIR/repltop"
    chmod 755 "$WRAP_DIR/repltop"
    REPLTOP=$WRAP_DIR/repltop
fi
TEST_TMP=""
DEMO_DIR=""
CONF=""
STOPPED_PIDS=()
CLEANUP_HOOKS=()

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# skip "why": a check that could not run here (TAP "# SKIP"): counted apart, never as a pass
skip() { echo "ok - # SKIP $*"; }

# Wall-clock bounds. Under valgrind or a sanitizer, and on a shared machine running other suites,
# a run takes several times longer than alone: a test asserts the property (a hung node costs
# about its deadline, not the sum of all, and never hangs) with a margin, never a tight figure
# (those are measured in bench/). SLOW_FACTOR: how much slower than a quiet plain run this one
# may be: 2 plain (a busy machine), 4 with an ASan/UBSan binary, 8 under REPLTOP_WRAP (valgrind);
# TEST_SLOW_FACTOR overrides. wait_for and wait_screen stretch their limits by SLOW_FACTOR / 2
# (a plain run waits as written); a bound a test checks itself uses slow_secs or SLOW_FACTOR.
if [ -n "${TEST_SLOW_FACTOR:-}" ]; then
    SLOW_FACTOR=$TEST_SLOW_FACTOR
elif [ -n "$WRAP_DIR" ]; then
    SLOW_FACTOR=8
elif grep -qa __asan_init "$REPLTOP" 2>/dev/null; then
    SLOW_FACTOR=4
else
    SLOW_FACTOR=2
fi
slow_secs() { echo $((($1 * SLOW_FACTOR + 1) / 2)); } # N seconds of a plain run, stretched
# The demo's per-node deadline (connect_timeout, query_timeout): 2 s as shipped; stretched the
# same way in the config cluster_up writes, since under valgrind the client's own SCRAM
# handshakes can take longer than 2 s and a healthy node would time out.
DEADLINE_S=$(slow_secs 2)
now_ms() { date +%s%3N; }

# check "description" command args...   passes when the command succeeds
check() {
    local desc=$1
    shift
    if "$@" >/dev/null; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq "description" expected actual
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}

# A temp directory the postgres user can traverse (servers run as postgres when we are root).
# Its state/ is XDG_STATE_HOME (the audit log, the cluster memory): nothing is shared with
# another run, nor written to the home directory.
make_test_tmp() {
    TEST_TMP=$(mktemp -d /tmp/repltop-test.XXXXXX)
    chmod 755 "$TEST_TMP"
    export XDG_STATE_HOME=$TEST_TMP/state
}

on_exit() { CLEANUP_HOOKS+=("$*"); }

# One TAP line for what ASan, UBSan, LeakSanitizer or valgrind reported while the test ran, with
# the reports. A valgrind log without its ERROR SUMMARY is a process the test killed: not counted.
check_reports() {
    [ -n "$REPORT_DIR" ] || return 0
    local f n runs=0 killed=0 bad=()
    for f in "$REPORT_DIR"/*; do
        [ -e "$f" ] || continue
        case ${f##*/} in
        valgrind.*)
            runs=$((runs + 1))
            n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) error.*/\1/p' "$f" | tail -n 1)
            if [ -z "$n" ]; then
                killed=$((killed + 1))
            elif [ "$n" != 0 ]; then
                bad+=("$f")
            fi
            ;;
        *) bad+=("$f") ;;
        esac
    done
    local what="ASan/UBSan/LeakSanitizer: no report"
    [ "$runs" -gt 0 ] && what="valgrind: $runs runs of repltop ($killed killed by the test), 0 errors, no definite leak"
    if [ ${#bad[@]} -eq 0 ]; then
        ok "$what"
        return 0
    fi
    not_ok "memory errors or leaks reported in ${#bad[@]} run(s):"
    for f in "${bad[@]}"; do
        echo "# ---- ${f##*/}"
        grep -v '^==[0-9]*== *$' "$f" | head -n 80 | sed 's/^/# /'
    done
}

cleanup() {
    local h pg
    for pg in "${STOPPED_PIDS[@]}"; do kill -CONT "$pg" 2>/dev/null; done
    for h in "${CLEANUP_HOOKS[@]}"; do eval "$h" >/dev/null 2>&1; done
    if [ -n "$DEMO_DIR" ] && [ -d "$DEMO_DIR" ]; then
        "$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1
    fi
    check_reports
    [ -n "$TEST_TMP" ] && rm -rf "$TEST_TMP"
    [ -n "$WRAP_DIR" ] && rm -rf "$WRAP_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A first port for a test cluster (taken ones are skipped): random, and below Linux's ephemeral
# range (32768 and up), so that another cluster on this host, or a client's outgoing connection,
# rarely takes the port of a node this test stopped and starts again.
test_port() { echo $((20000 + (RANDOM * 32768 + RANDOM) % 12000)); }

# Starts the sandbox cluster of docs/DESIGN.md section 1 under a fresh temp dir.
cluster_up() {
    make_test_tmp
    DEMO_DIR=$TEST_TMP/demo
    if ! "$REPLTOP" demo up --dir "$DEMO_DIR" --port "$(test_port)" >"$TEST_TMP/demo-up.log" 2>&1; then
        not_ok "demo up"
        sed 's/^/# /' "$TEST_TMP/demo-up.log"
        exit 1
    fi
    CONF=$DEMO_DIR/repltop.conf
    if [ "$DEADLINE_S" != 2 ]; then
        sed -i "s/^\[repltop\]\$/[repltop]\nconnect_timeout = ${DEADLINE_S}s\nquery_timeout = ${DEADLINE_S}s/" "$CONF"
    fi
}

# Room for N sessions on each demo server (many named nodes on three servers): ALTER SYSTEM,
# then a restart, the standbys first (a standby's max_connections must be >= its primary's).
cluster_max_connections() { # N
    local n
    for n in db_m db_s1 db_s2; do
        demo_psql "$n" -c "ALTER SYSTEM SET max_connections = $1" >/dev/null || return 1
    done
    for n in db_s1 db_s2 db_m; do
        run_as_server "$(pg_bin)/pg_ctl" -D "$DEMO_DIR/$n" -w -t 60 restart -m fast >/dev/null || return 1
    done
}

# Writes a config of N named nodes cycling over the three demo servers; every entry is its own
# connection. With STOPPED=K, the first K entries point at db_s1 and no other entry does (so
# SIGSTOPping db_s1 hangs exactly K nodes); the rest alternate db_m and db_s2.
fleet_conf() { # N file [stopped]
    local n=$1 file=$2 stopped=${3:-} i name node
    {
        echo "[repltop]"
        echo "refresh = 1"
        echo
        echo "[nodes]"
        for ((i = 0; i < n; i++)); do
            if [ -n "$stopped" ]; then
                if [ "$i" -lt "$stopped" ]; then node=db_s1; elif [ $((i % 2)) = 0 ]; then node=db_m; else node=db_s2; fi
            else
                case $((i % 3)) in 0) node=db_m ;; 1) node=db_s1 ;; *) node=db_s2 ;; esac
            fi
            if [ "$n" -eq 3 ] && [ -z "$stopped" ]; then name=$node; else name=$(printf '%s_%03d' "$node" "$i"); fi
            echo "$name = $(sed -n "s/^$node = //p" "$CONF")"
        done
    } >"$file"
}

# The postmaster pid of a demo node (db_m, db_s1, db_s2).
node_pid() { head -n 1 "$DEMO_DIR/$1/postmaster.pid" 2>/dev/null; }

# Freezes a whole server: the postmaster and every backend and auxiliary process (each
# PostgreSQL child leads its own process group, so one group signal is not enough).
node_sigstop() {
    local pid k
    pid=$(node_pid "$1")
    [ -n "$pid" ] || return 1
    for k in $pid $(ps -o pid= --ppid "$pid"); do
        STOPPED_PIDS+=("$k")
        kill -STOP "$k"
    done
}

node_sigcont() {
    local pid k
    pid=$(node_pid "$1")
    [ -n "$pid" ] || return 1
    for k in $pid $(ps -o pid= --ppid "$pid"); do kill -CONT "$k"; done
}

# SIGKILL of a whole server, the postmaster and every child, as a crash of its host would; returns
# once the postmaster is gone.
node_kill() {
    local pid k
    pid=$(node_pid "$1")
    [ -n "$pid" ] || return 1
    for k in $pid $(ps -o pid= --ppid "$pid"); do kill -KILL "$k" 2>/dev/null; done
    wait_for 10 bash -c "! kill -0 $pid 2>/dev/null"
}

# Starts a demo node again (pg_ctl start, as the server user), waiting until it is ready.
start_node() { run_as_server "$(pg_bin)/pg_ctl" -D "$DEMO_DIR/$1" start -w -t 60 -l "$DEMO_DIR/$1.log" >/dev/null 2>&1; }

# Runs a PostgreSQL client program as the server user with the demo's passfile.
demo_psql() { # node sql...
    local node=$1
    shift
    local port
    port=$(demo_port "$node")
    PGPASSFILE=$DEMO_DIR/pgpass psql -X -q -A -t -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"
}

demo_port() { sed -n "s/^port *= *\([0-9]*\).*/\1/p" "$DEMO_DIR/$1/postgresql.conf" | tail -n 1; }

# status --json, for jq
status_json() { "$REPLTOP" -c "$CONF" status --json "$@"; }
# snap [CONFIG]: one status --json into $J (exit status in RC); q FILTER...: jq -e on it
snap() { J=$TEST_TMP/status.json; : >"$J"; "$REPLTOP" -c "${1:-$CONF}" status --json >"$J"; RC=$?; }
q() { jq -e "$@" "$J" >/dev/null; }
# pg_ctl as the server's user, quiet
ctl() { run_as_server "$(pg_bin)/pg_ctl" "$@" >/dev/null 2>&1; }

# Waits up to $1 seconds for a command to succeed. The command runs again and again, but a "$(...)"
# among its arguments is expanded once, before: a value to watch goes in a function (lines_at_least)
# or in eval '...', else the wait lasts its whole deadline and then fails.
wait_for() { # seconds command...
    local deadline=$((SECONDS + $(slow_secs "$1")))
    shift
    until "$@"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.2
    done
}

# Whether FILE has at least N lines (one per acknowledged id, say).
lines_at_least() { [ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]; }

# Runs a command as the server's OS user (postgres when we are root).
run_as_server() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_bin() { sed -n 's/^bindir *= *//p' "$CONF" | head -n 1; }

# Prints how many ids of FILE (one per line) are missing from demo.public.users on NODE
# (a primary or a read-only standby).
missing_ids() { # node file
    demo_psql "$1" -d demo -c "SELECT id FROM users" | LC_ALL=C sort -u >"$2.have"
    LC_ALL=C sort -u "$2" | LC_ALL=C comm -23 - "$2.have" | wc -l
}

# The demo's passwords, one per line (from its passfile).
demo_passwords() { grep -v '^#' "$DEMO_DIR/pgpass" | cut -d: -f5 | grep -v '^$' | sort -u; }
# True when none of the demo's passwords appears in the given files.
no_password_in() {
    local pw
    [ -n "$(demo_passwords)" ] || return 1 # nothing to look for would prove nothing
    for pw in $(demo_passwords); do
        grep -qF -- "$pw" "$@" && return 1
    done
    return 0
}

# Every command line on the machine while a command runs (pg_basebackup's, ssh's, those of the
# hosts of tests/lib_hosts.sh: one PID namespace), in $PS_LOG: sample_start, the command,
# sample_stop.
sample_start() {
    PS_LOG=$TEST_TMP/ps.log
    : >"$PS_LOG"
    (while :; do ps -eo args >>"$PS_LOG"; done) &
    SAMPLER=$!
    on_exit "kill $SAMPLER"
}
sample_stop() { kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; }

# For the tmux tests: skips the test without tmux or jq, and gives it tm, its tmux command, on
# a private server (socket repltop-NAME-PID) killed on exit; the dashboard gets a UTF-8 locale.
tmux_setup() { # name
    command -v tmux >/dev/null || { skip "tmux is not installed"; exit 0; }
    command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
    TMUX_SOCK=repltop-$1-$$
    export LANG=C.UTF-8 LC_ALL=C.UTF-8
    on_exit "tmux -L $TMUX_SOCK kill-server; rm -f '${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK'"
}
tm() { tmux -u -L "$TMUX_SOCK" "$@"; }

# Reading the dashboard in the tmux session "main".
screen() { tm capture-pane -p -t main; }
dump() { screen | sed 's/^/#   /'; }
# wait_screen SECONDS PATTERN: polls the screen until grep -E finds PATTERN
wait_screen() {
    local deadline=$((SECONDS + $(slow_secs "$1")))
    while true; do
        screen | grep -Eq -- "$2" && return 0
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}
no_screen() { ! screen | grep -Eq -- "$1"; }
