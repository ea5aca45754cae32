#!/usr/bin/env bash
# Integration test of `repltop demo`: builds the sandbox cluster of docs/DESIGN.md section 1 in a temp
# dir and checks its shape (who runs it, where it listens, who replicates how), its secrets
# (pgpass only), idempotence, the insert load, down and up again.
# exclusive: it bounds the time demo up takes (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODES=(db_m db_s1 db_s2)
if [ "$(id -u)" -eq 0 ]; then SERVER_USER=postgres; else SERVER_USER=$(id -un); fi

# Every command line on the machine, sampled while `demo up` runs (initdb, pg_basebackup...).
PS_LOG=$(mktemp /tmp/repltop-ps.XXXXXX)
on_exit "rm -f '$PS_LOG'"
(while :; do
    ps -eo args >>"$PS_LOG"
    sleep 0.05
done) &
SAMPLER=$!
on_exit "kill $SAMPLER"
start=$(now_ms)
cluster_up
elapsed_ms=$(($(now_ms) - start))
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
echo "# demo up from scratch: $((elapsed_ms / 1000)).$((elapsed_ms % 1000 / 100)) s"
# never hangs: 30 s on a busy machine, more under a sanitizer or valgrind (bench/bounds.sh times it)
check "demo up from scratch takes under $(slow_secs 30) s" [ "$elapsed_ms" -lt $(($(slow_secs 30) * 1000)) ]

# --- the servers: who runs them, where they listen ---
declare -A PID PORT
for n in "${NODES[@]}"; do
    PID[$n]=$(node_pid "$n")
    PORT[$n]=$(demo_port "$n")
    check "$n runs" kill -0 "${PID[$n]:-0}"
    check_eq "$n runs as $SERVER_USER" "$SERVER_USER" "$(ps -o user= -p "${PID[$n]:-0}" | tr -d ' ')"
    listeners=$(ss -ltnH "sport = :${PORT[$n]}" | awk '{print $4}' | sort -u | tr '\n' ' ')
    check_eq "$n listens on 127.0.0.1:${PORT[$n]} only" "127.0.0.1:${PORT[$n]} " "$listeners"
    check_eq "$n listen_addresses" "127.0.0.1" "$(demo_psql "$n" -c 'SHOW listen_addresses')"
done
check "three different ports" [ "$(printf '%s\n' "${PORT[@]}" | sort -u | wc -l)" -eq 3 ]

# --- replication as in docs/DESIGN.md section 1 ---
check_eq "db_m is the primary" "f" "$(demo_psql db_m -c 'SELECT pg_is_in_recovery()')"
check_eq "db_s1 is a standby" "t" "$(demo_psql db_s1 -c 'SELECT pg_is_in_recovery()')"
check_eq "db_s2 is a standby" "t" "$(demo_psql db_s2 -c 'SELECT pg_is_in_recovery()')"
check_eq "db_m's synchronous_standby_names" "FIRST 1 (walreceiversync, walreceiver)" \
    "$(demo_psql db_m -c 'SHOW synchronous_standby_names')"
check_eq "db_m's synchronous_commit" "on" "$(demo_psql db_m -c 'SHOW synchronous_commit')"
check_eq "standbys stream: walreceiver potential, walreceiversync sync" \
    "walreceiver streaming potential|walreceiversync streaming sync" \
    "$(demo_psql db_m -c "SELECT application_name || ' ' || state || ' ' || sync_state
                          FROM pg_stat_replication ORDER BY 1" | paste -sd '|')"
# Cloned before the list was set: a promoted standby must not wait for itself.
check_eq "db_s2 carries no synchronous_standby_names" "" \
    "$(demo_psql db_s2 -c 'SHOW synchronous_standby_names')"
check_eq "db_s1's primary_conninfo names walreceiver" "walreceiver" \
    "$(demo_psql db_s1 -c 'SHOW primary_conninfo' | grep -o 'application_name=[^ ]*' | cut -d= -f2)"
check_eq "db_s2's primary_conninfo names walreceiversync" "walreceiversync" \
    "$(demo_psql db_s2 -c 'SHOW primary_conninfo' | grep -o 'application_name=[^ ]*' | cut -d= -f2)"
check_eq "table demo.public.users exists" "0" "$(demo_psql db_m -d demo -c 'SELECT count(*) FROM users')"
check "wal_log_hints is on (pg_rewind)" [ "$(demo_psql db_m -c 'SHOW wal_log_hints')" = on ]

# --- secrets: random passwords in DIR/pgpass and nowhere else ---
check_eq "pgpass is mode 600" "600" "$(stat -c %a "$DEMO_DIR/pgpass")"
check_eq "pgpass belongs to $SERVER_USER" "$SERVER_USER" "$(stat -c %U "$DEMO_DIR/pgpass")"
mapfile -t SECRETS < <(grep -v '^#' "$DEMO_DIR/pgpass" | cut -d: -f5 | sort -u)
check "pgpass holds two different passwords" [ "${#SECRETS[@]}" -eq 2 ]
long_secrets() {
    local s
    for s in "${SECRETS[@]}"; do
        [ "${#s}" -ge 32 ] || return 1
    done
}
check "passwords are long" long_secrets
no_secret_in() {
    local s
    for s in "${SECRETS[@]}"; do
        grep -qF -- "$s" "$@" && return 1
    done
    return 0
}
check "no password in repltop.conf" no_secret_in "$CONF"
check "no password in the output of demo up" no_secret_in "$TEST_TMP/demo-up.log"
check "no password on any command line during demo up" no_secret_in "$PS_LOG"
check "ps was sampled during demo up" grep -q "pg_basebackup" "$PS_LOG"
check "no password in the standbys' configuration" \
    no_secret_in "$DEMO_DIR"/db_s1/postgresql.auto.conf "$DEMO_DIR"/db_s2/postgresql.auto.conf
check "no password in the server logs" no_secret_in "$DEMO_DIR"/*.log
check "no initdb password file left" [ -z "$(find "$DEMO_DIR" -maxdepth 1 -name '*pwfile*')" ]
check "repltop.conf uses the passfile" grep -q "passfile=$DEMO_DIR/pgpass" "$CONF"
check "repltop.conf lines fit the INI reader" [ "$(awk '{ if (length > m) m = length } END { print m }' "$CONF")" -lt 190 ]
for n in "${NODES[@]}"; do
    check "repltop.conf has node $n" grep -q "^$n = host=127.0.0.1 port=${PORT[$n]} " "$CONF"
    check "repltop.conf has [node $n] datadir" grep -qx "datadir = $DEMO_DIR/$n" "$CONF"
done

# --- idempotent ---
out=$("$REPLTOP" demo up --dir "$DEMO_DIR" 2>&1)
check_eq "demo up again succeeds" 0 $?
check "demo up again says the nodes already run" [ "$(grep -c 'already running' <<<"$out")" -eq 3 ]
for n in "${NODES[@]}"; do
    check_eq "demo up again leaves $n alone" "${PID[$n]}" "$(node_pid "$n")"
done
out=$("$REPLTOP" demo status --dir "$DEMO_DIR")
check_eq "demo status" "db_m running primary|db_s1 running standby|db_s2 running standby" \
    "$(awk '{print $1, $4, $5}' <<<"$out" | paste -sd '|')"

# --- the insert load ---
IDS=$TEST_TMP/ids
out=$("$REPLTOP" demo load 2 --dir "$DEMO_DIR" --ids "$IDS")
check_eq "demo load 2 succeeds" 0 $?
echo "# $out"
rows=$(sed -n 's/^\([0-9][0-9]*\) rows committed to db_m in [0-9.]* s$/\1/p' <<<"$out")
check "demo load prints a positive row count" [ "${rows:-0}" -gt 0 ]
check_eq "every acknowledged id is in the ids file" "${rows:-x}" "$(wc -l <"$IDS")"
check_eq "the primary holds the rows" "${rows:-x}" "$(demo_psql db_m -d demo -c 'SELECT count(*) FROM users')"
standby_has() { [ "$(demo_psql "$1" -d demo -c 'SELECT count(*) FROM users')" = "$2" ]; }
check "db_s1 catches up" wait_for 20 standby_has db_s1 "${rows:-x}"
check "db_s2 catches up" wait_for 20 standby_has db_s2 "${rows:-x}"
"$REPLTOP" demo load 0 --dir "$DEMO_DIR" >/dev/null 2>&1
check_eq "demo load 0 is a usage error" 3 $?

# --- down, up again ---
not_alive() { ! kill -0 "$1" 2>/dev/null; }
out=$("$REPLTOP" demo down --dir "$DEMO_DIR" 2>&1)
check_eq "demo down succeeds" 0 $?
for n in "${NODES[@]}"; do
    check "demo down stops $n" wait_for 5 not_alive "${PID[$n]}"
done
check "demo down keeps the data" test -f "$DEMO_DIR/db_m/PG_VERSION" -a -f "$CONF"
check_eq "demo status after down" "stopped|stopped|stopped" \
    "$("$REPLTOP" demo status --dir "$DEMO_DIR" | awk '{print $4}' | paste -sd '|')"
"$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1
check_eq "demo down on a stopped demo succeeds" 0 $?

out=$("$REPLTOP" demo up --dir "$DEMO_DIR" 2>&1)
check_eq "demo up restarts the demo" 0 $?
for n in "${NODES[@]}"; do
    check "$n runs again" kill -0 "$(node_pid "$n")"
done
streaming() {
    [ "$(demo_psql db_m -c "SELECT string_agg(application_name || ' ' || sync_state, '|'
                                ORDER BY application_name) FROM pg_stat_replication
                             WHERE state = 'streaming'")" = "walreceiver potential|walreceiversync sync" ]
}
check "both standbys stream again" wait_for 20 streaming

# --- refusals ---
mkdir "$TEST_TMP/half" && touch "$TEST_TMP/half/.repltop-demo"
out=$("$REPLTOP" demo up --dir "$TEST_TMP/half" 2>&1)
check_eq "demo up refuses a half-built dir" 1 $?
check "and says to run demo down" grep -q "demo down" <<<"$out"
check_eq "in one line prefixed repltop:" "1 repltop:" "$(wc -l <<<"$out") ${out%% *}"
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x /root 2>/dev/null; then
    "$REPLTOP" demo up --dir /root/repltop-it-demo >/dev/null 2>&1
    check_eq "demo up refuses a dir the postgres user cannot reach" 1 $?
    check "and creates nothing there" [ ! -e /root/repltop-it-demo ]
fi

# --- purge ---
"$REPLTOP" demo down --purge --dir "$DEMO_DIR" >/dev/null 2>&1
check_eq "demo down --purge succeeds" 0 $?
check "demo down --purge removes the directory" [ ! -e "$DEMO_DIR" ]
