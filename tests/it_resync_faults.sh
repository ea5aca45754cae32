#!/usr/bin/env bash
# `repltop resync` when something fails half way: the resync itself killed during the copy, the
# new copy's server killed before it streams, pg_basebackup refused for lack of permission (a
# role without REPLICATION, a directory the server cannot write) and for lack of space (a small
# tmpfs that fills up during the copy). Each time: a clear message, the original data directory
# kept, and the same resync, run again once the cause is gone, finishes the job.
# exclusive: it bounds the time of a resync (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
source "$(dirname "$0")/lib_resync.sh"
PAUSE=$TEST_TMP/pause
PGBIN=$(pg_bin)
MPORT=$(demo_port db_m)
"$REPLTOP" demo load 1 --dir "$DEMO_DIR" >/dev/null 2>&1
streams_again() { node_is db_s1 '.reachable and .state == "streaming" and .upstream == "db_m" and .application_name == "walreceiver"'; }
# The process and every descendant, SIGKILLed at once (a closed session, a crashed host).
kill_tree() {
    local k
    for k in $(ps -o pid= --ppid "$1"); do kill_tree "$k"; done
    kill -KILL "$1" 2>/dev/null
}
# resync_paused STEP ARGS...: runs the resync in the background, stopped after the progress
# line that contains STEP (REPLTOP_PAUSE_AT, model/ops/action.c); sets RESYNC_PID.
resync_paused() {
    local at=$1
    shift
    rm -f "$PAUSE"
    REPLTOP_PAUSE_AT=$at REPLTOP_PAUSE_FILE=$PAUSE \
        "$REPLTOP" -c "${RCONF:-$CONF}" resync "$@" >"$OUT" 2>&1 &
    RESYNC_PID=$!
    on_exit "kill_tree $RESYNC_PID"
    wait_for 60 test -e "$PAUSE"
}
port_s1=$(demo_port db_s1)

# --- 1. the resync killed during the copy ---
touch "$DEMO_DIR/db_s1/repltop-test-marker" # only the original directory has it
check "resync db_s1: reached pg_basebackup" resync_paused "waiting for checkpoint" db_s1 --yes
# pg_basebackup goes on copying while repltop is paused: kill both once files have arrived
check "pg_basebackup started writing the copy" wait_for 30 test -e "$DEMO_DIR/db_s1/PG_VERSION"
kill_tree "$RESYNC_PID"
wait "$RESYNC_PID" 2>/dev/null
show_out
check "killed mid-copy: the original data directory is still there, aside" \
    bash -c "ls '$DEMO_DIR'/db_s1.repltop-old-*/repltop-test-marker"
check "killed mid-copy: a note says a copy was in progress" test -s "$DEMO_DIR/db_s1.repltop-resync"
resync db_s1 --yes
rc=$?
show_out
check_eq "run again: exit 0" 0 "$rc"
check "run again: it says the earlier resync was interrupted" grep -q "an earlier resync of db_s1 was interrupted" "$OUT"
check "run again: the incomplete copy is kept aside, not deleted" grep -q "the incomplete copy is kept in" "$OUT"
check_eq "run again: the incomplete copy is there" 1 "$(asides db_s1 failed)"
check "run again: db_s1 streams again as walreceiver" wait_for 20 streams_again
check_eq "run again: db_s1 keeps its own port (not the copy's, the primary's)" "$port_s1" "$(demo_psql db_s1 -c 'SHOW port')"
check_eq "run again: db_s1 keeps its cluster_name" db_s1 "$(demo_psql db_s1 -c 'SHOW cluster_name')"
check "run again: the note is gone" test ! -e "$DEMO_DIR/db_s1.repltop-resync"
check "run again: the original directory is still kept aside" \
    bash -c "ls '$DEMO_DIR'/db_s1.repltop-old-*/repltop-test-marker"

# --- 2. the new copy's server killed before it streams ---
check "resync db_s1: reached the wait for streaming" resync_paused "waiting until db_s1 streams" db_s1 --yes
pid=$(node_pid db_s1)
kill_tree "$pid"
rm -f "$PAUSE"
start=$SECONDS
wait "$RESYNC_PID"
rc=$?
show_out
check_eq "server killed: the resync fails (exit)" 1 "$rc"
# at once: well before the 60 s timeout, however slow this run (30 s plain, at most 50 s)
limit=$(slow_secs 30)
[ "$limit" -gt 50 ] && limit=50
check "server killed: it says the server stopped, at once (not after 60 s: $((SECONDS - start)) s, limit $limit s)" \
    bash -c "grep -q 'db_s1 stopped while waiting for it to stream' '$OUT' && [ $((SECONDS - start)) -lt $limit ]"
check "server killed: it says where the old data directory is kept" grep -q "the old data directory is kept in" "$OUT"
resync db_s1 --yes
rc=$?
check_eq "run again: exit 0" 0 "$rc"
check "run again: db_s1 streams again" wait_for 20 streams_again

# --- 3. no permission: the replication role lost REPLICATION ---
demo_psql db_m -c "ALTER ROLE replication_user NOREPLICATION" >/dev/null
resync db_s1 --yes
rc=$?
show_out
check_eq "no REPLICATION: exit 1" 1 "$rc"
check "no REPLICATION: says pg_basebackup was refused and why" \
    grep -qiE "fail: pg_basebackup of db_s1 from db_m failed: .*(permission|replication role|must be superuser)" "$OUT"
check "no REPLICATION: the original is back in place" grep -q "is the original data directory again" "$OUT"
check "no REPLICATION: db_s1 runs again" wait_for 20 node_is db_s1 '.reachable and .role == "standby"'
demo_psql db_m -c "ALTER ROLE replication_user REPLICATION" >/dev/null
resync db_s1 --yes
check_eq "REPLICATION given back, run again: exit 0" 0 $?
check "run again: db_s1 streams again" wait_for 20 streams_again

# --- a new replica, db_s3, for the directory cases ---
S3PORT=""
for p in $(seq $((MPORT + 40)) $((MPORT + 90))); do
    if [ -z "$(ss -ltnH "sport = :$p")" ]; then S3PORT=$p; break; fi
done
S3PASS=$TEST_TMP/pgpass.s3
{ cat "$DEMO_DIR/pgpass"; awk -F: -v p="$S3PORT" '$4 == "postgres" { print $1 ":" p ":" $3 ":" $4 ":" $5; exit }' "$DEMO_DIR/pgpass"; } >"$S3PASS"
chmod 600 "$S3PASS"
s3_conf() { # datadir
    sed "/^\[nodes\]/a db_s3 = host=127.0.0.1 port=$S3PORT user=postgres dbname=postgres passfile=$S3PASS application_name=repltop" "$CONF"
    printf '\n[node db_s3]\ndatadir = %s\nport = %s\nbindir = %s\n' "$1" "$S3PORT" "$PGBIN"
}

# --- 4. no permission: a data directory the server's user cannot write ---
RCONF=$TEST_TMP/ro.conf
RO=$TEST_TMP/ro/db_s3
mkdir -p "$RO" && chown "$(stat -c %U "$DEMO_DIR/db_m")" "$RO" && chmod 0555 "$RO"
s3_conf "$RO" >"$RCONF"
resync db_s3 --new --yes
rc=$?
show_out
check_eq "unwritable directory: exit 1" 1 "$rc"
check "unwritable directory: says pg_basebackup failed: Permission denied" \
    grep -q "fail: pg_basebackup of db_s3 from db_m failed: .*Permission denied" "$OUT"
check "unwritable directory: left as it was (empty, mode 555)" \
    bash -c "[ -z \"\$(ls -A '$RO')\" ] && [ \$(stat -c %a '$RO') = 555 ]"

# --- 5. no space: the disk fills up during the copy ---
SMALL=$TEST_TMP/small
mkdir -p "$SMALL"
size_mb=$(($(demo_psql db_m -c "SELECT sum(pg_database_size(oid)) FROM pg_database") / 1048576 + 64 + 24))
if ! mount -t tmpfs -o "size=${size_mb}m,mode=0755" tmpfs "$SMALL" 2>/dev/null; then
    skip "no space: cannot mount a ${size_mb} MB tmpfs here (needs root); the case did not run"
else
    on_exit "run_as_server '$PGBIN/pg_ctl' -D '$SMALL/db_s3' stop -m immediate -w"
    on_exit "umount '$SMALL'"
    chown "$(stat -c %U "$DEMO_DIR/db_m")" "$SMALL"
    RCONF=$TEST_TMP/small.conf
    s3_conf "$SMALL/db_s3" >"$RCONF"
    # the space check passes; then the disk fills up (another writer) before the copy
    check "no space: the space check passes" resync_paused "free in $SMALL" db_s3 --new --yes
    fallocate -l $(($(df -B1 --output=avail "$SMALL" | tail -n 1) - 4 * 1048576)) "$SMALL/filler"
    rm -f "$PAUSE"
    wait "$RESYNC_PID"
    rc=$?
    show_out
    check_eq "no space: exit 1" 1 "$rc"
    check "no space: says pg_basebackup failed: No space left on device" \
        grep -q "fail: pg_basebackup of db_s3 from db_m failed: .*No space left on device" "$OUT"
    # pg_basebackup removes what it wrote; repltop then removes the directory it created
    check "no space: nothing else was changed (it says so; no directory left)" \
        bash -c "grep -q 'nothing else was changed' '$OUT' && [ \"\$(ls -A '$SMALL')\" = filler ]"
    rm -f "$SMALL/filler"
    resync db_s3 --new --yes
    rc=$?
    show_out
    check_eq "space freed, run again: exit 0" 0 "$rc"
    check "run again: db_s3 streams from db_m" \
        wait_for 20 node_is db_s3 '.reachable and .state == "streaming" and .upstream == "db_m"' "$RCONF"
fi
RCONF=""
check "no password in the outputs or the audit log" no_password_in "$OUT" "$XDG_STATE_HOME/repltop/actions.log"
