#!/usr/bin/env bash
# Topologies that are broken for good, or only look broken, on real servers (issue 15): a standby
# whose slot lost its WAL (needs_resync, not "behind"), an archive-only standby (archive
# recovery, not a broken stream), and a primary restart. Every fact repltop states is compared
# with PostgreSQL's own catalog answer on the same node, not with constants.
source "$(dirname "$0")/lib.sh"
cluster_up

J=$TEST_TMP/status.json
snap() { : >"$J"; "$REPLTOP" -c "$CONF" status --json >"$J"; }
q() { jq -e "$@" "$J" >/dev/null; }
ctl() { run_as_server "$(pg_bin)/pg_ctl" "$@" >/dev/null 2>&1; }
wal_status() { demo_psql db_m -c "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 's1slot'"; }
receiver() { demo_psql db_s1 -c "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none')"; }

# ---- a lost slot: db_s1 streams with slot s1slot, is stopped, and the primary removes its WAL
demo_psql db_m -c "SELECT pg_create_physical_replication_slot('s1slot', true)" >/dev/null
demo_psql db_s1 -c "ALTER SYSTEM SET primary_slot_name = 's1slot'" -c "SELECT pg_reload_conf()" >/dev/null
active() { [ "$(demo_psql db_m -c "SELECT active FROM pg_replication_slots WHERE slot_name = 's1slot'")" = t ]; }
check "db_s1 streams with its slot" wait_for 30 active
ctl -D "$DEMO_DIR/db_s1" stop -m fast
demo_psql db_m -c "ALTER SYSTEM SET wal_keep_size = 0" -c "ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'" \
    -c "SELECT pg_reload_conf()" >/dev/null
demo_psql db_m -d demo -c "CREATE TABLE IF NOT EXISTS filler (x text)" >/dev/null
lose() {
    demo_psql db_m -d demo -c "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 5000)" \
        -c "SELECT pg_switch_wal()" -c "CHECKPOINT" >/dev/null
    [ "$(wal_status)" = lost ]
}
check "PostgreSQL says the slot lost its WAL" wait_for 120 lose
# the other standby (no slot) must not lose its WAL too when the primary restarts below
demo_psql db_m -c "ALTER SYSTEM RESET wal_keep_size" -c "SELECT pg_reload_conf()" >/dev/null
start_node db_s1
# the standby is up but its receiver cannot get the removed segment
notstreaming() { [ "$(receiver)" != streaming ]; }
sleep "$(slow_secs 3)"
check "PostgreSQL: db_s1 does not stream (pg_stat_wal_receiver: $(receiver))" notstreaming
grep -q "has already been removed\|invalidated\|can no longer" "$DEMO_DIR/db_s1.log" &&
    ok "db_s1's log says why ($(grep -o 'requested WAL segment [0-9A-F]* has already been removed' "$DEMO_DIR/db_s1.log" | head -n 1))" ||
    skip "db_s1's log does not name the removed segment"
snap
check "needs_resync for db_s1, critical, with the slot and the fix" \
    q '.cluster.problems[] | select(.code == "needs_resync" and .node == "db_s1") |
       .severity == "critical" and (.message | test("slot s1slot on db_m is lost")) and (.message | test("repltop resync db_s1"))'
check "db_s1's state is needs_resync, flag set" \
    q '.nodes[] | select(.name == "db_s1") | .state == "needs_resync" and .needs_resync == true and .primary_slot_name == "s1slot"'
check "no separate not_streaming for db_s1" q '[.cluster.problems[] | select(.code == "not_streaming" and .node == "db_s1")] | length == 0'
check "repltop's slot wal_status is PostgreSQL's ($(wal_status))" \
    q --arg w "$(wal_status)" '.nodes[] | select(.name == "db_m") | .slots[] | select(.slot_name == "s1slot") | .wal_status == $w'
check "the slot problem says its WAL is gone, not an unknown amount" \
    q '.cluster.problems[] | select(.code == "slot_inactive" and .node == "db_m") |
       (.message | test("already removed")) and (.message | test("unknown amount") | not) and (.message | test("db_s1 needs a resync"))'
"$REPLTOP" -c "$CONF" status >"$TEST_TMP/status.txt"
check "the table shows db_s1 needs_resync" grep -q 'db_s1 .*needs_resync' "$TEST_TMP/status.txt"
check "the healthy standby db_s2 is not flagged" q '[.cluster.problems[] | select(.node == "db_s2")] | length == 0'

# ---- an archive-only standby: the primary archives, the standby only restores
ARCH=$TEST_TMP/archive
mkdir -p "$ARCH" && chown postgres "$ARCH" 2>/dev/null
AD=$TEST_TMP/db_a
mkdir -p "$AD" && chmod 700 "$AD" && chown postgres "$AD" 2>/dev/null
demo_psql db_m -c "ALTER SYSTEM SET archive_mode = on" -c "ALTER SYSTEM SET archive_command = 'cp %p $ARCH/%f'" >/dev/null
# ---- a primary restart (archive_mode needs one): problems come back, none is cleared falsely
ctl -D "$DEMO_DIR/db_m" restart -m fast -w -t 60 -l "$DEMO_DIR/db_m.log"
snap
check "after the restart db_m is the primary again" q '.cluster.primary == "db_m"'
check "the needs_resync problem is still there" q '[.cluster.problems[] | select(.code == "needs_resync")] | length == 1'
check "PostgreSQL archives ($(demo_psql db_m -c "SHOW archive_mode"))" test "$(demo_psql db_m -c "SHOW archive_mode")" = on

AP=$(($(demo_port db_s2) + 10))
PGPASSFILE=$DEMO_DIR/pgpass run_as_server env PGPASSFILE="$DEMO_DIR/pgpass" "$(pg_bin)/pg_basebackup" \
    -h 127.0.0.1 -p "$(demo_port db_m)" -U replication_user -D "$AD" -X stream >"$TEST_TMP/bb.log" 2>&1 ||
    sed 's/^/# /' "$TEST_TMP/bb.log"
run_as_server touch "$AD/standby.signal"
run_as_server bash -c "cat >>'$AD/postgresql.auto.conf'" <<CONF
primary_conninfo = ''
primary_slot_name = ''
restore_command = 'cp $ARCH/%f %p'
port = $AP
cluster_name = 'db_a'
CONF
ctl -D "$AD" start -w -t 60 -l "$AD/startup.log" || { sed 's/^/# /' "$AD/startup.log" "$TEST_TMP/bb.log"; ls -la "$AD" | sed 's/^/# /'; }
on_exit run_as_server "$(pg_bin)/pg_ctl" -D "$AD" stop -m immediate
# one more line in [nodes], the way the demo lists its own
sed -i "/^\[nodes\]\$/a db_a = host=127.0.0.1 port=$AP user=postgres dbname=postgres passfile=$DEMO_DIR/pgpass" "$CONF"
apsql() { PGPASSFILE=$DEMO_DIR/pgpass psql -X -q -A -t -h 127.0.0.1 -p "$AP" -U postgres -d postgres "$@" 2>/dev/null; }
check "PostgreSQL: db_a is in recovery without a WAL receiver" \
    test "$(apsql -c "SELECT pg_is_in_recovery() AND NOT EXISTS (SELECT FROM pg_stat_wal_receiver)")" = t
demo_psql db_m -d demo -c "SET synchronous_commit = local" -c "INSERT INTO filler VALUES ('archived')" -c "SELECT pg_switch_wal()" >/dev/null
restored() { [ "$(apsql -d demo -c "SELECT count(*) FROM filler WHERE x = 'archived'")" = 1 ]; }
check "db_a replays from the archive" wait_for 60 restored ||
    { ls "$ARCH" | sed 's/^/# archive: /'; tail -n 5 "$AD/startup.log" | sed 's/^/# /'; }
snap
jq -c '.nodes[] | select(.name == "db_a") | {reach, error, role, state, recovery_source, wal_receiver}' "$J" | sed 's/^/# /'

check "db_a is recovery_source archive, state archive" \
    q '.nodes[] | select(.name == "db_a") | .role == "standby" and .recovery_source == "archive" and .state == "archive"'
check "no not_streaming for db_a" q '[.cluster.problems[] | select(.node == "db_a" and .code == "not_streaming")] | length == 0'
check "db_s2 is recovery_source stream" q '.nodes[] | select(.name == "db_s2") | .recovery_source == "stream"'

# ---- unknown vs empty: '' is "", not null
demo_psql db_m -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" >/dev/null
empty() { snap; q '.cluster.synchronous_standby_names == ""'; }
check "synchronous_standby_names '' is \"\" in JSON ($(demo_psql db_m -c "SELECT quote_literal(current_setting('synchronous_standby_names'))") in PostgreSQL)" wait_for 10 empty
"$REPLTOP" -c "$CONF" status >"$TEST_TMP/status.txt"
check "the table says '' (async only)" grep -q "sync '' (async only)" "$TEST_TMP/status.txt"
ctl -D "$DEMO_DIR/db_m" stop -m fast
snap
check "no primary: synchronous_standby_names null" q '.cluster.synchronous_standby_names == null'
start_node db_m
