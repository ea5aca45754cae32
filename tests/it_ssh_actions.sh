#!/bin/bash
# The checks the local resync and rejoin tests make (it_resync.sh, it_resync_faults.sh,
# it_rejoin.sh, it_audit.sh), made on nodes of other hosts reached with ssh (tests/lib_hosts.sh,
# one lab for every case): the refusals; a damaged standby whose slot the primary lacks (-C -S),
# then one using its own slot; the audit log; a password in primary_conninfo with password
# authentication, never in any argv (repltop's ssh, the remote shell, pg_basebackup), output,
# audit log or new file of the host; the new copy's server stopped before it streams; a failing
# pg_basebackup (the original back in place); the move aside failing (nothing changed, the
# node started again); an unwritable directory; an ssh session dropped
# during the copy while pg_basebackup goes on there (nothing put back under it); a rejoin with
# pg_rewind after a split brain; and one pg_rewind cannot do, refused without --allow-full-copy,
# a full copy with it. it_ssh_hosts.sh has the drill, a new replica and the ssh failures.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_hosts.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
hosts_start
ok "three hosts up: sshd and PostgreSQL 15 on each, db_s1 and db_s2 streaming from db_m"
LOG=$XDG_STATE_HOME/repltop/actions.log
D=/var/lib/postgresql/15/main
streams_as() { # NODE UPSTREAM APPLICATION_NAME
    status_is "$1" ".reachable and .role == \"standby\" and .state == \"streaming\" and
        .upstream == \"$2\" and .application_name == \"$3\""
}
hosts_psql 1 -c "CREATE TABLE t (id int)" -c "INSERT INTO t SELECT generate_series(1, 1000)"

# ---- refusals change nothing
act resync db_m --yes
check_eq "resync of the primary: refused (exit 1)" 1 $?
check "resync of the primary: says why" grep -q "db_m is a primary, the current one" "$OUT"
pid_s1=$(head -n 1 "$(hosts_datadir 2)/postmaster.pid")
act resync db_s1 </dev/null
rc=$?
check "no --yes and no terminal: refused (exit $rc)" [ "$rc" -ne 0 ]
check "no --yes and no terminal: says how to confirm" grep -q -- "--yes" "$OUT"
check_eq "refusals: db_s1 still runs the same postmaster" "$pid_s1" "$(head -n 1 "$(hosts_datadir 2)/postmaster.pid")"
act rejoin db_m --yes
check_eq "rejoin of the only primary: refused (exit 1)" 1 $?
check "rejoin of the only primary: says why" grep -q "db_m is the only primary" "$OUT"
check_eq "refusals: nothing moved aside" 0 "$(asides 2 old)"
# a new replica into a directory on host3 its owner cannot write: pg_basebackup says so
install -d -o postgres -g postgres -m 555 "$(hosts_dir 3)/var/lib/postgresql/15/ro"
hosts_add_node db_ro 3 5435 /var/lib/postgresql/15/ro
act resync db_ro --new --yes
check_eq "unwritable directory on host3: exit 1" 1 $?
check "unwritable directory: says pg_basebackup failed: Permission denied" \
    grep -q "fail: pg_basebackup of db_ro from db_m failed: .*Permission denied" "$OUT"
check "unwritable directory: left as it was (empty, mode 555)" \
    bash -c "[ -z \"\$(ls -A '$(hosts_dir 3)/var/lib/postgresql/15/ro')\" ] && [ \$(stat -c %a '$(hosts_dir 3)/var/lib/postgresql/15/ro') = 555 ]"
hosts_forget_node db_ro

# ---- a damaged standby (stopped, pg_control gone) with a primary_slot_name the primary does not
# have: rebuilt from its old primary_conninfo, pg_basebackup -C -S
hosts_psql 2 -c "ALTER SYSTEM SET primary_slot_name = 'db_s1_slot'" -c "SELECT pg_reload_conf()" >/dev/null
hosts_pg_ctl 2 stop
rm -f "$(hosts_datadir 2)/global/pg_control"
act_ok "resync of the damaged db_s1 with a slot over ssh: exit 0" resync db_s1 --yes
check "pg_basebackup created the slot (-C -S)" grep -q "pg_basebackup .* -C -S db_s1_slot" "$OUT"
check "pg_basebackup's progress reached the output" grep -qE '^progress: [0-9]+ [0-9]+$' "$OUT"
check "db_s1 streams again (from its old primary_conninfo)" wait_for 30 streams_as db_s1 db_m walreceiver
check "primary_conninfo has no password (the old one had none)" \
    bash -c "! grep -qi password '$(hosts_datadir 2)/postgresql.auto.conf'"
check_eq "db_s1 uses the slot on db_m" "db_s1_slot|true" \
    "$(hosts_psql 1 -c "SELECT slot_name || '|' || active FROM pg_replication_slots")"
check_eq "the clone keeps primary_slot_name" db_s1_slot "$(hosts_psql 2 -c 'SHOW primary_slot_name')"
act_ok "resync of a standby using its own slot over ssh: exit 0 (not 'in use')" resync db_s1 --yes
check "it streams again through the same slot" wait_for 30 streams_as db_s1 db_m walreceiver
check_eq "the slot is active again, and no other was made" "db_s1_slot|true" \
    "$(hosts_psql 1 -c "SELECT slot_name || '|' || active FROM pg_replication_slots")"
check_eq "both old data directories are kept aside on host2" 2 "$(asides 2 old)"

# ---- the audit log of an action on another host: who, from where, what, on which host
line() { grep -F " resync db_s1 $1" "$LOG" | tail -n 1; }
begin=$(line "begin:")
check "audit: the begin line names the operator, this host and the config file" \
    grep -qF " user=$(id -un) host=$(hostname) config=$CONF " <<<"$begin"
check "audit: ... the cluster's system identifier and its primary" \
    grep -qE " sysid=[0-9]+ primary=db_m resync db_s1 begin:" <<<"$begin"
check "audit: the confirmation is --yes" grep -q "confirm: --yes" <<<"$(line "confirm:")"
check "audit: the host acted on is in the log (stopping db_s1 on postgres@host2)" \
    grep -qF "resync db_s1 step: stopping db_s1 on postgres@$(hosts_addr 2) " "$LOG"
check "audit: the outcome is recorded" grep -q "end: success" <<<"$(line "end:")"
check "audit: every step is there" grep -q "resync db_s1 ok: moved $D aside" "$LOG"

# ---- a password in primary_conninfo, with password authentication on db_m
PW="pw-$$-$RANDOM-secret"
hosts_psql 1 -c "CREATE ROLE repl LOGIN REPLICATION PASSWORD '$PW'" >/dev/null
HBA=$(hosts_datadir 1)/pg_hba.conf
sed -i "1i host replication repl $HOSTS_NET.0/24 scram-sha-256" "$HBA"
hosts_psql 1 -c "SELECT pg_reload_conf()" >/dev/null
hosts_psql 3 -c "ALTER SYSTEM SET primary_conninfo = 'host=$(hosts_addr 1) port=5432 user=repl password=$PW application_name=walreceiversync'" \
    -c "SELECT pg_reload_conf()" >/dev/null
# what held the password on host3 before (PostgreSQL itself logs a reloaded primary_conninfo)
holders() { grep -rlF -- "$PW" "$(hosts_dir 3)" | grep -v '/postgresql.auto.conf$' | sort; }
holders >"$TEST_TMP/holders.before"
sample_start
act resync db_s2 --yes
rc=$?
sample_stop
check_eq "resync db_s2 over ssh (password in primary_conninfo): exit 0" 0 "$rc"
[ "$rc" = 0 ] || show_out
check "db_s2 streams again as walreceiversync, logged in as repl with the password" \
    wait_for 30 eval "[ \"\$(hosts_psql 1 -c \"SELECT usename || '|' || sync_state FROM pg_stat_replication WHERE application_name = 'walreceiversync' AND state = 'streaming'\")\" = 'repl|sync' ]"
check "the sampler saw the remote pg_basebackup's arguments" grep -q "pg_basebackup -D $D" "$PS_LOG"
check "the sampler saw repltop's ssh to host3" grep -q "^ssh .*postgres@$(hosts_addr 3)" "$PS_LOG"
check "the password never was in a process's arguments (ssh, remote shell, pg_basebackup)" \
    bash -c "! grep -qF -- '$PW' '$PS_LOG'"
check "the password is not in the output or the audit log" bash -c "! grep -qF -- '$PW' '$OUT' '$LOG'"
check "primary_conninfo of the new copy keeps its password literal (the old one had it)" \
    grep -qF -- "password=''$PW''" "$(hosts_datadir 3)/postgresql.auto.conf"
check_eq "on host3, no new file but the configuration holds the password (no log, no temp file)" "" \
    "$(holders | comm -13 "$TEST_TMP/holders.before" -)"

# ---- the new copy's server stops (a crash: pg_ctl -m immediate) before it streams
PAUSE=$TEST_TMP/pause
REPLTOP_PAUSE_AT="waiting until db_s1 streams" REPLTOP_PAUSE_FILE=$PAUSE \
    hosts_repltop -c "$CONF" resync db_s1 --yes >"$OUT" 2>&1 &
RESYNC=$!
on_exit "kill -KILL $RESYNC"
check "resync db_s1: reached the wait for streaming" wait_for 60 test -e "$PAUSE"
hosts_pg 2 "$HOSTS_PG/pg_ctl" -D "$D" -m immediate -w stop >/dev/null
rm -f "$PAUSE"
start=$SECONDS
wait "$RESYNC"
check_eq "server stopped: the resync fails (exit 1)" 1 $?
check "server stopped: it says so at once (not after 60 s: $((SECONDS - start)) s)" \
    bash -c "grep -q 'db_s1 stopped while waiting for it to stream' '$OUT' && [ $((SECONDS - start)) -lt 50 ]"
check "server stopped: it says where the old data directory is kept" grep -q "the old data directory is kept in" "$OUT"
act resync db_s1 --yes
check_eq "run again: exit 0" 0 $?
check "run again: db_s1 streams again" wait_for 30 streams_as db_s1 db_m walreceiver

# ---- pg_basebackup fails (a role the primary does not have): the original goes back in place
hosts_psql 2 -c "ALTER SYSTEM RESET primary_slot_name" -c "SELECT pg_reload_conf()" >/dev/null
ci=$(hosts_psql 2 -c "SHOW primary_conninfo")
hosts_psql 2 -c "ALTER SYSTEM SET primary_conninfo = 'host=$(hosts_addr 1) port=5432 user=no_such_user application_name=walreceiver'" \
    -c "SELECT pg_reload_conf()" >/dev/null
touch "$(hosts_datadir 2)/repltop-test-marker" # only the original directory has it
kept=$(asides 2 old)
act resync db_s1 --yes
check_eq "failing pg_basebackup over ssh: exit 1" 1 $?
check "it says what failed and why" grep -q "fail: pg_basebackup of db_s1 from db_m failed: .*no_such_user" "$OUT"
check "it says the original is back" grep -q "is the original data directory again" "$OUT"
check "the original data directory is in place" test -f "$(hosts_datadir 2)/repltop-test-marker"
check_eq "no new directory was left aside as old" "$kept" "$(asides 2 old)"
check "no marker is left" test ! -e "$(hosts_datadir 2).repltop-resync"
check "db_s1 runs again (it ran before)" wait_for 30 status_is db_s1 '.reachable and .role == "standby"'
hosts_psql 2 -c "ALTER SYSTEM SET primary_conninfo = '${ci//\'/\'\'}'" -c "SELECT pg_reload_conf()" >/dev/null

# ---- the move aside fails (db_s1's parent directory not writable by postgres): the rename,
# mkdir and marker are one remote command; its first step fails: one line, nothing moved, no
# marker, and db_s1 runs again from its own directory
check "db_s1 streams before the move aside fails" wait_for 30 streams_as db_s1 db_m walreceiver
P=$HOSTS_DIR/host2/var/lib/postgresql/15
pmode=$(stat -c %a "$P")
on_exit "chmod $pmode '$P'"
chmod 555 "$P"
kept=$(asides 2 old)
act resync db_s1 --yes
rc=$?
chmod "$pmode" "$P"
check_eq "the move aside fails: exit 1" 1 "$rc"
check "it says so: cannot move DATADIR aside to DATADIR.repltop-old-...: Permission denied" \
    grep -q "^fail: cannot move $D aside to $D.repltop-old-[0-9T]*: .*Permission denied" "$OUT"
check_eq "one fail line, no other warning" "1 0" "$(grep -c '^fail:' "$OUT") $(grep -c '^warn' "$OUT")"
check_eq "nothing was moved aside" "$kept" "$(asides 2 old)"
check "no marker is left" test ! -e "$(hosts_datadir 2).repltop-resync"
check "the original data directory is in place" test -f "$(hosts_datadir 2)/repltop-test-marker"
check "db_s1 runs again and streams (it ran before)" wait_for 30 streams_as db_s1 db_m walreceiver

# ---- an ssh session dropped during the copy, pg_basebackup going on there (as when the link is
# cut: its sshd does not notice): nothing is put back under it, the marker says where the
# original is, and the next resync, once the copy has ended, recovers
cp "$(hosts_datadir 2)/backup_manifest" "$TEST_TMP/manifest.before"
hosts_throttle 2 16mbit
on_exit "hosts_unthrottle 2"
hosts_repltop -c "$CONF" resync db_s1 --yes >"$OUT" 2>&1 &
RESYNC=$!
on_exit "kill -KILL $RESYNC"
copying() { test -e "$(hosts_datadir 2)/PG_VERSION" -a ! -e "$(hosts_datadir 2)/repltop-test-marker"; }
check "pg_basebackup started writing the copy on host2" wait_for 60 copying
hosts_signal 2 pg_basebackup STOP
hosts_drop_sessions 2
wait "$RESYNC"
rc=$?
check_eq "the resync whose session dropped fails (exit 1)" 1 "$rc"
one_fail_line "one fail line: ssh failed, pg_basebackup still runs there, where the original is" \
    "ssh postgres@$(hosts_addr 2) failed: .*a pg_basebackup into $D still runs on postgres@$(hosts_addr 2) (pid [0-9 ]*), so nothing more was changed: the original data directory is in $D.repltop-old-"
grep '^fail:' "$OUT" | sed 's/^/# /'
check "the marker is on host2" test -s "$(hosts_datadir 2).repltop-resync"
check "the original is aside, untouched" bash -c "ls '$(hosts_dir 2)'/var/lib/postgresql/15/main.repltop-old-*/repltop-test-marker"
act resync db_s1 --yes
check_eq "run again while that pg_basebackup runs: refused (exit 1)" 1 $?
check "it says so, with the process ids, and that nothing was changed" \
    grep -q "^fail: a pg_basebackup into $D still runs on postgres@$(hosts_addr 2) (pid [0-9 ]*): nothing was changed" "$OUT"
pids=$(sed -n 's/^fail: .* (pid \([0-9 ]*\)).*/\1/p' "$OUT")
named=$(for p in $pids; do cat "/proc/$p/comm"; done | sort -u)
check_eq "the processes named are host2's pg_basebackup" pg_basebackup "$named"
hosts_signal 2 pg_basebackup CONT
hosts_unthrottle 2
# its WAL receiver never ends by itself once pg_basebackup is gone: the operator stops them
# (only those: never a process the test did not start)
# shellcheck disable=SC2086
[ "$named" = pg_basebackup ] && kill $pids 2>/dev/null
hosts_signal 2 pg_basebackup TERM
check "pg_basebackup on host2 is stopped" wait_for 60 hosts_no_program 2 pg_basebackup
orig=$(find "$(hosts_dir 2)/var/lib/postgresql/15" -maxdepth 2 -name repltop-test-marker)
check_eq "the original data directory is in one piece, aside" 1 "$(wc -l <<<"$orig")"
check "nothing of the interrupted copy went into the original (its backup_manifest is its own)" \
    cmp -s "$TEST_TMP/manifest.before" "$(dirname "$orig")/backup_manifest"
act_ok "run again once it ended: exit 0" resync db_s1 --yes
check "it says the earlier resync was interrupted, keeps the incomplete copy aside" \
    bash -c "grep -q 'an earlier resync of db_s1 was interrupted' '$OUT' && grep -q 'the incomplete copy is kept in' '$OUT'"
check_eq "the incomplete copy is there" 1 "$(asides 2 failed)"
check "db_s1 streams again as walreceiver" wait_for 30 streams_as db_s1 db_m walreceiver
check "no marker is left" test ! -e "$(hosts_datadir 2).repltop-resync"
check "the original is still kept aside" bash -c "ls '$(hosts_dir 2)'/var/lib/postgresql/15/main.repltop-old-*/repltop-test-marker"
check "the data directory in place is a fresh copy" test ! -e "$(hosts_datadir 2)/repltop-test-marker"
check_eq "db_s1 has the rows" 1000 "$(hosts_psql 2 -c 'SELECT count(*) FROM t')"

# ---- rejoin after a split brain: host1's server killed, db_s2 promoted, db_m back as a second
# primary that took a write of its own; rejoin rewinds it over ssh
hosts_repltop -c "$CONF" status >/dev/null 2>&1 # the sync list is remembered for the promote
# (pg_ctl -m immediate: a crash, and no postmaster left as a zombie to hold postmaster.pid)
check "host1's server stopped as by a crash (immediate)" hosts_pg 1 "$HOSTS_PG/pg_ctl" -D "$D" -m immediate -w stop
kept=$(asides 2 old)
act resync db_s1 --yes
check_eq "no reachable primary: resync refused (exit 1)" 1 $?
check "no reachable primary: says so" grep -q "no reachable primary" "$OUT"
check_eq "no reachable primary: nothing moved aside" "$kept" "$(asides 2 old)"
act promote db_s2 --yes
check_eq "promote db_s2: exit 0" 0 $?
check "db_s1 streams from db_s2" wait_for 30 streams_as db_s1 db_s2 walreceiver
hosts_pg_ctl 1 start || tail -n 20 "$(hosts_dir 1)/var/log/postgresql/postgresql-15-main.log"
hosts_psql 1 -c "SET synchronous_commit = local" -c "INSERT INTO t VALUES (-1)"
check "two primaries before the rejoin" status_is db_m '.role == "primary" and .timeline == 1'
act_ok "rejoin db_m over ssh: exit 0" rejoin db_m --yes
check "the new primary was checkpointed before pg_rewind" grep -q "step: CHECKPOINT on db_s2" "$OUT"
check "pg_rewind really rewound (it found the fork)" grep -q "servers diverged at WAL location" "$OUT"
check "no full copy was needed" bash -c "! grep -q 'a full copy of' '$OUT'"
check "db_m streams from db_s2 on timeline 2 as db_m" \
    wait_for 30 status_is db_m '.role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming" and .application_name == "db_m"'
check_eq "db_m's split-brain write was rewound away" 0 "$(hosts_psql 1 -c 'SELECT count(*) FROM t WHERE id = -1')"
check_eq "db_m has no sync list (not the one pg_rewind copied from db_s2)" "" \
    "$(hosts_psql 1 -c 'SHOW synchronous_standby_names')"
kept=$(find "$(hosts_dir 1)/var/lib/postgresql/15" -maxdepth 1 -name 'main.repltop-rewind-*' | head -n 1)
check "db_m's state before the rewind is kept aside on host1" test -n "$kept"
check "... its own config files" test -f "$kept/postgresql.conf"
check "... its WAL from the fork point on" bash -c "ls '$kept'/pg_wal/00000001* >/dev/null"
check "... with a README saying what it is" grep -q "pg_waldump" "$kept/README"
check "db_s1 still streams from db_s2" streams_as db_s1 db_s2 walreceiver
check "audit: the rejoin, the host it acted on and its outcome" \
    bash -c "grep -q ' rejoin db_m .*postgres@$(hosts_addr 1)' '$LOG' && grep -q ' rejoin db_m end: success' '$LOG'"
check "the password is not in the output or the audit log" bash -c "! grep -qF -- '$PW' '$OUT' '$LOG'"
act rejoin db_m --yes
check_eq "rejoin of a node that already streams: exit 0" 0 $?
check "rejoin of a node that already streams: nothing to do" grep -q "already streams from db_s2" "$OUT"

# ---- a rejoin pg_rewind cannot do (db_s2's WAL gone): refused without --allow-full-copy, a full
# copy over ssh with it
hosts_repltop -c "$CONF" status >/dev/null 2>&1
check "host3's server (db_s2, the primary) killed with SIGKILL" hosts_kill_pg 3
act promote db_m --yes
check_eq "promote db_m: exit 0" 0 $?
rm -f "$(hosts_datadir 3)"/pg_wal/0000000*
kept=$(asides 3 old)
act rejoin db_s2 --yes
check_eq "rejoin of db_s2 without its WAL, no --allow-full-copy: refused (exit 1)" 1 $?
check "it says only a full copy can repair it, and how to choose one" \
    grep -q "Only a full copy can repair db_s2 (about .* from db_m), and nothing was copied: run repltop rejoin db_s2 --allow-full-copy" "$OUT"
check_eq "nothing was copied" "$kept" "$(asides 3 old)"
act_ok "rejoin of db_s2 without its WAL, --allow-full-copy: exit 0" rejoin db_s2 --yes --allow-full-copy
check "pg_rewind failed and the rejoin made the full copy the operator allowed" \
    grep -q "a full copy of db_s2 (pg_basebackup, about .* from db_m), as --allow-full-copy allows" "$OUT"
check "db_s2 streams from db_m on timeline 3 as db_s2" \
    wait_for 30 status_is db_s2 '.role == "standby" and .upstream == "db_m" and .timeline == 3 and .state == "streaming" and .application_name == "db_s2"'
check_eq "the directory pg_rewind could not repair is kept aside on host3" $((kept + 1)) "$(asides 3 old)"
check_eq "db_s2 has the rows" 1000 "$(hosts_psql 3 -c 'SELECT count(*) FROM t')"
check "the password is not in the output or the audit log" bash -c "! grep -qF -- '$PW' '$OUT' '$LOG'"
echo "# $SECONDS s, the lab included"
