#!/usr/bin/env bash
# `repltop resync` on a real cluster: a healthy standby, a damaged one, one whose primary_conninfo
# holds a password literal, a new replica (--new) — each streams again with its own port,
# application_name and settings, and its old data directory is kept aside. And what must not
# happen: resyncing the primary, acting without confirmation, losing the original data directory
# when pg_basebackup fails, a password in any process's arguments.
# exclusive: it compares a resync's time with a plain pg_basebackup's (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
source "$(dirname "$0")/lib_resync.sh"
PGBIN=$(pg_bin)
MPORT=$(demo_port db_m)
streams_as() { # node application_name sync_state [conf]
    node_is "$1" ".reachable and .role == \"standby\" and .state == \"streaming\" and
        .upstream == \"db_m\" and .application_name == \"$2\" and .sync_state == \"$3\"" "${4:-$CONF}"
}
"$REPLTOP" demo load 1 --dir "$DEMO_DIR" >/dev/null 2>&1

# --- refusals change nothing ---
resync db_m --yes
check_eq "resync of the primary: refused (exit 1)" 1 $?
check "resync of the primary: says why" grep -q "db_m is a primary, the current one" "$OUT"
pid_s1=$(node_pid db_s1)
resync db_s1 </dev/null
rc=$?
check "no --yes and no terminal: refused (exit $rc)" [ "$rc" -ne 0 ]
check "no --yes and no terminal: says how to confirm" grep -q -- "--yes" "$OUT"
check_eq "refusals: db_s1 still runs the same postmaster" "$pid_s1" "$(node_pid db_s1)"
check_eq "refusals: nothing moved aside" 0 "$(asides db_s1 old)"

# --- a healthy standby ---
port_s1=$(demo_port db_s1)
touch "$DEMO_DIR/db_s1/repltop-test-marker" # only the original directory has it
sample_start
start=$(date +%s%N)
resync db_s1 --yes
rc=$?
resync_ms=$((($(date +%s%N) - start) / 1000000))
sample_stop
show_out
check_eq "resync db_s1: exit 0 (${resync_ms} ms)" 0 "$rc"
check "db_s1 streams from db_m again as walreceiver, potential" wait_for 15 streams_as db_s1 walreceiver potential
check_eq "db_s1 keeps its port" "$port_s1" "$(demo_psql db_s1 -c 'SHOW port')"
check_eq "db_s1 keeps its cluster_name (not the primary's)" db_s1 "$(demo_psql db_s1 -c 'SHOW cluster_name')"
check_eq "the clone has no synchronous_standby_names of the primary's" "" \
    "$(demo_psql db_s1 -c 'SHOW synchronous_standby_names')"
check_eq "the old data directory is kept aside" 1 "$(asides db_s1 old)"
check "the directory kept aside is the original one" \
    bash -c "ls '$DEMO_DIR'/db_s1.repltop-old-*/repltop-test-marker"
check "the data directory in place is a fresh copy" test ! -e "$DEMO_DIR/db_s1/repltop-test-marker"
check_eq "db_s1 has every row of db_m" "$(demo_psql db_m -d demo -c 'SELECT count(*) FROM users')" \
    "$(demo_psql db_s1 -d demo -c 'SELECT count(*) FROM users')"
check "pg_basebackup progress reached the dashboard's pipe" grep -qE '^progress: [0-9]+ [0-9]+$' "$OUT"
check "the sampler saw pg_basebackup's arguments" grep -q "pg_basebackup -D $DEMO_DIR/db_s1" "$PS_LOG"
check "no password in any process's arguments, the output or the audit log" \
    no_password_in "$PS_LOG" "$OUT" "$XDG_STATE_HOME/repltop/actions.log"
check "primary_conninfo has no password (the old one had none)" \
    bash -c "! grep -qi password '$DEMO_DIR/db_s1/postgresql.auto.conf'"
check "every step is in the audit log" \
    grep -q "resync db_s1 ok: moved $DEMO_DIR/db_s1 aside" "$XDG_STATE_HOME/repltop/actions.log"

# The same data copied by a plain pg_basebackup, for comparison.
PLAIN=$TEST_TMP/plain
mkdir "$PLAIN" && chown "$(stat -c %U "$DEMO_DIR/db_m")" "$PLAIN"
start=$(date +%s%N)
run_as_server "$PGBIN/pg_basebackup" -D "$PLAIN/db" -X stream --checkpoint=fast -w \
    -d "host=127.0.0.1 port=$MPORT user=replication_user passfile=$DEMO_DIR/pgpass"
plain_ms=$((($(date +%s%N) - start) / 1000000))
echo "# resync of db_s1: ${resync_ms} ms; plain pg_basebackup of the same primary: ${plain_ms} ms"
# 10 s on a busy machine, more when repltop runs under a sanitizer or valgrind (the copy does not)
check "resync costs at most $(slow_secs 10) s more than a plain pg_basebackup" \
    [ "$resync_ms" -lt $((plain_ms + $(slow_secs 10) * 1000)) ]

# --- a damaged standby: stopped, pg_control gone ---
run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast -w >/dev/null
rm -f "$DEMO_DIR/db_s1/global/pg_control"
check "damaged db_s1 cannot start" bash -c "! $(printf %q "$PGBIN")/pg_controldata -D '$DEMO_DIR/db_s1' >/dev/null 2>&1"
resync db_s1 --yes
rc=$?
show_out
check_eq "resync of the damaged db_s1: exit 0" 0 "$rc"
check "damaged db_s1 streams again as walreceiver (from its old primary_conninfo)" \
    wait_for 15 streams_as db_s1 walreceiver potential
check_eq "the damaged directory is kept aside too" 2 "$(asides db_s1 old)"

# --- a standby with a primary_slot_name the primary does not have: pg_basebackup -C -S ---
demo_psql db_s1 -c "ALTER SYSTEM SET primary_slot_name = 'db_s1_slot'" >/dev/null
demo_psql db_s1 -c "SELECT pg_reload_conf()" >/dev/null
resync db_s1 --yes
rc=$?
check_eq "resync db_s1 with a slot: exit 0" 0 "$rc"
check "pg_basebackup created the slot (-C -S)" grep -q "pg_basebackup .* -C -S db_s1_slot" "$OUT"
check "db_s1 streams again" wait_for 15 streams_as db_s1 walreceiver potential
check_eq "db_s1 uses the slot on db_m" "db_s1_slot|true" \
    "$(demo_psql db_m -c "SELECT slot_name || '|' || active FROM pg_replication_slots")"
check_eq "the clone keeps primary_slot_name" db_s1_slot "$(demo_psql db_s1 -c 'SHOW primary_slot_name')"
# again, now that db_s1 streams through the slot: it is db_s1's own, free once db_s1 stops
resync db_s1 --yes
rc=$?
show_out
check_eq "resync of a standby using its own slot: exit 0 (not 'in use')" 0 "$rc"
check "it streams again through the same slot" wait_for 15 streams_as db_s1 walreceiver potential
check_eq "the slot is active again, and no other was made" "db_s1_slot|true" \
    "$(demo_psql db_m -c "SELECT slot_name || '|' || active FROM pg_replication_slots")"

# --- a standby whose primary_conninfo holds a password: it goes through PGPASSWORD ---
PW=$(awk -F: '$4 == "replication_user" { print $5; exit }' "$DEMO_DIR/pgpass")
demo_psql db_s2 -c "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=$MPORT user=replication_user password=$PW passfile=/dev/null application_name=walreceiversync'" >/dev/null
demo_psql db_s2 -c "SELECT pg_reload_conf()" >/dev/null
sample_start
resync db_s2 --yes
rc=$?
sample_stop
show_out
check_eq "resync db_s2 (password in primary_conninfo): exit 0" 0 "$rc"
check "db_s2 streams again as walreceiversync, sync" wait_for 15 streams_as db_s2 walreceiversync sync
check "the sampler saw pg_basebackup's arguments" grep -q "pg_basebackup -D $DEMO_DIR/db_s2" "$PS_LOG"
check "the password never was in a process's arguments" bash -c "! grep -qF -- '$PW' '$PS_LOG'"
check "the password is not in the output or the audit log" \
    bash -c "! grep -qF -- '$PW' '$OUT' '$XDG_STATE_HOME/repltop/actions.log'"
check "primary_conninfo keeps its password literal (the old one had it)" \
    grep -qF -- "password=''$PW''" "$DEMO_DIR/db_s2/postgresql.auto.conf"

# --- a new replica: [node db_s3] exists, its data directory does not ---
S3PORT=""
for p in $(seq $((MPORT + 40)) $((MPORT + 90))); do
    if [ -z "$(ss -ltnH "sport = :$p")" ]; then S3PORT=$p; break; fi
done
RCONF=$TEST_TMP/new.conf
S3PASS=$TEST_TMP/pgpass.s3 # the demo's passfile names the demo's ports only
{ cat "$DEMO_DIR/pgpass"; awk -F: -v p="$S3PORT" '$4 == "postgres" { print $1 ":" p ":" $3 ":" $4 ":" $5; exit }' "$DEMO_DIR/pgpass"; } >"$S3PASS"
chmod 600 "$S3PASS"
sed "/^\[nodes\]/a db_s3 = host=127.0.0.1 port=$S3PORT user=postgres dbname=postgres passfile=$S3PASS application_name=repltop" "$CONF" >"$RCONF"
printf '\n[node db_s3]\ndatadir = %s\nport = %s\nbindir = %s\n' "$DEMO_DIR/db_s3" "$S3PORT" "$PGBIN" >>"$RCONF"
resync db_s3 --yes
check_eq "no data directory and no --new: refused (exit 1)" 1 $?
check "no --new: says how to make a new replica" grep -q "repltop resync db_s3 --new" "$OUT"
check "no --new: nothing created" test ! -e "$DEMO_DIR/db_s3"
on_exit "run_as_server '$PGBIN/pg_ctl' -D '$DEMO_DIR/db_s3' stop -m immediate"
resync db_s3 --new --yes
rc=$?
show_out
check_eq "resync db_s3 --new: exit 0" 0 "$rc"
check "db_s3 streams from db_m as db_s3 (async: not in the list)" \
    wait_for 15 streams_as db_s3 db_s3 async "$RCONF"
check_eq "db_s3 listens on its configured port" "$S3PORT" \
    "$(PGPASSFILE=$S3PASS psql -X -A -t -h 127.0.0.1 -p "$S3PORT" -U postgres -d postgres -c 'SHOW port')"
check_eq "db_s3 has its own cluster_name and no sync list" "db_s3|" \
    "$(PGPASSFILE=$S3PASS psql -X -A -t -h 127.0.0.1 -p "$S3PORT" -U postgres -d postgres \
        -c "SELECT current_setting('cluster_name') || '|' || current_setting('synchronous_standby_names')")"
resync db_s3 --new --yes
check "--new on a node that has data: refused" grep -q "already holds data" "$OUT"
RCONF=""

# --- pg_basebackup fails: the original data directory goes back into place ---
demo_psql db_s1 -c "ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=$MPORT user=no_such_user passfile=$DEMO_DIR/pgpass application_name=walreceiver'" >/dev/null
demo_psql db_s1 -c "SELECT pg_reload_conf()" >/dev/null
touch "$DEMO_DIR/db_s1/repltop-test-marker"
resync db_s1 --yes
rc=$?
show_out
check_eq "failing pg_basebackup: exit 1" 1 "$rc"
check "failing pg_basebackup: says what failed and why" \
    grep -q "fail: pg_basebackup of db_s1 from db_m failed: .*no_such_user" "$OUT"
check "failing pg_basebackup: says the original is back" grep -q "is the original data directory again" "$OUT"
check "the original data directory is in place" test -f "$DEMO_DIR/db_s1/repltop-test-marker"
check_eq "no new directory was left aside as old" 4 "$(asides db_s1 old)"
check "db_s1 runs again (it ran before)" wait_for 15 node_is db_s1 '.reachable and .role == "standby"'

# --- no primary: nothing to clone from ---
run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_m" stop -m fast -w >/dev/null
kept=$(asides db_s2 old)
resync db_s2 --yes
check_eq "no reachable primary: refused (exit 1)" 1 $?
check "no reachable primary: says so" grep -q "no reachable primary" "$OUT"
check_eq "no reachable primary: nothing moved aside" "$kept" "$(asides db_s2 old)"
