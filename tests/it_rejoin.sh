#!/usr/bin/env bash
# `repltop rejoin` on a real cluster, after failovers done by hand (SIGKILL, pg_promote, the other
# standby re-pointed): the old primary — restarted meanwhile as a second primary that wrote a row
# of its own — comes back as a standby of the new primary with pg_rewind, on the new timeline,
# with its own port and settings and every acknowledged row; its diverged WAL is kept aside. Then
# a rejoin whose pg_rewind cannot work (WAL gone) stops, and with --allow-full-copy makes a full
# resync. And the refusals.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
J=$TEST_TMP/s.json
OUT=$TEST_TMP/out
PGBIN=$(pg_bin)
rejoin() { "$REPLTOP" -c "${RCONF:-$CONF}" rejoin "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
node_is() { # node jq-condition
    status_json >"$J"
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$J" >/dev/null
}
reaped() { ! ps -o stat= -p "$1" 2>/dev/null | grep -q .; }
# A failover by hand: SIGKILL the primary, promote NEW, point the other standby at it.
failover() { # old new other
    local old_pid ci
    old_pid=$(node_pid "$1")
    kill -KILL "$old_pid"
    wait_for 20 reaped "$old_pid"
    check_eq "by hand: pg_promote on $2" t "$(demo_psql "$2" -c 'SELECT pg_promote(true, 60)')"
    ci=$(demo_psql "$3" -c 'SHOW primary_conninfo' | sed "s/port=$(demo_port "$1")/port=$(demo_port "$2")/")
    demo_psql "$3" -c "ALTER SYSTEM SET primary_conninfo = '$ci'" >/dev/null
    demo_psql "$3" -c "SELECT pg_reload_conf()" >/dev/null
    # as promote does: the new primary's sync list names the remaining nodes
    demo_psql "$2" -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ($1, walreceiver)'" >/dev/null
    demo_psql "$2" -c "SELECT pg_reload_conf()" >/dev/null
}

rejoin db_m --yes
check_eq "rejoin of the only primary: refused (exit 1)" 1 $?
check "rejoin of the only primary: says why" grep -q "db_m is the only primary" "$OUT"
RCONF=$TEST_TMP/remote.conf
sed '/^\[node db_m\]/,/^$/d' "$CONF" >"$RCONF"
rejoin db_m --yes
check "rejoin of a node without a local datadir: refused" grep -q "db_m has no datadir in the config" "$OUT"
RCONF=""

# Acknowledged rows (synchronous_commit = on), then the primary dies mid-load.
ids=$TEST_TMP/acked.ids
"$REPLTOP" demo load 60 --dir "$DEMO_DIR" --ids "$ids" >"$TEST_TMP/load.out" 2>&1 &
load_pid=$!
on_exit "kill $load_pid"
enough_rows() { [ -s "$ids" ] && [ "$(wc -l <"$ids")" -ge 5000 ]; }
wait_for 30 enough_rows
port_m=$(demo_port db_m)
failover db_m db_s2 db_s1
wait "$load_pid"
check "rows were acknowledged before the kill ($(wc -l <"$ids"))" [ "$(wc -l <"$ids")" -ge 5000 ]

# The old primary comes back on its own as a second primary on timeline 1 and takes a write.
run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/db_m" -l "$DEMO_DIR/db_m.log" start -w >/dev/null
demo_psql db_m -d demo -c "SET synchronous_commit = local" \
    -c "INSERT INTO users(name) VALUES ('split brain')" >/dev/null
check "two primaries before the rejoin" node_is db_m '.role == "primary" and .timeline == 1'

start=$(date +%s%N)
rejoin db_m --yes
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
show_out
check_eq "rejoin db_m: exit 0 (${ms} ms)" 0 "$rc"
check "the new primary was checkpointed before pg_rewind" grep -q "step: CHECKPOINT on db_s2" "$OUT"
check "pg_rewind really rewound (it found the fork)" grep -q "servers diverged at WAL location" "$OUT"
check "no full copy was needed" bash -c "! grep -q 'a full copy of' '$OUT'"
check "db_m streams from db_s2 on timeline 2" \
    wait_for 15 node_is db_m '.role == "standby" and .upstream == "db_s2" and .timeline == 2 and .state == "streaming"'
check "db_m streams as application_name db_m: the sync standby of db_s2's list" \
    node_is db_m '.application_name == "db_m" and .sync_state == "sync"'
check_eq "db_m has every acknowledged row (missing)" 0 "$(missing_ids db_m "$ids")"
check_eq "db_m's split-brain write was rewound away" 0 \
    "$(demo_psql db_m -d demo -c "SELECT count(*) FROM users WHERE name = 'split brain'")"
check_eq "db_m keeps its port (pg_rewind copied db_s2's config)" "$port_m" "$(demo_psql db_m -c 'SHOW port')"
check_eq "db_m keeps its cluster_name and has no sync list" "db_m|" \
    "$(demo_psql db_m -c "SELECT current_setting('cluster_name') || '|' || current_setting('synchronous_standby_names')")"
kept=$(find "$DEMO_DIR" -maxdepth 1 -name 'db_m.repltop-rewind-*' | head -n 1)
check "db_m's state before the rewind is kept aside" test -n "$kept"
check "... its own config files" test -f "$kept/postgresql.conf"
check "... its WAL from the fork point on" bash -c "ls '$kept'/pg_wal/00000001* >/dev/null"
check "... with a README saying what it is" grep -q "pg_waldump" "$kept/README"
check "db_s1 still streams from db_s2" node_is db_s1 '.upstream == "db_s2" and .state == "streaming"'
check "no password in the output or the audit log" no_password_in "$OUT" "$XDG_STATE_HOME/repltop/actions.log"

rejoin db_s2 --yes
check_eq "rejoin of the current primary: refused (exit 1)" 1 $?
check "rejoin of the current primary: says why" grep -q "db_s2 is the only primary" "$OUT"
rejoin db_m --yes
check_eq "rejoin of a node that already streams: exit 0" 0 $?
check "rejoin of a node that already streams: nothing to do" grep -q "already streams from db_s2" "$OUT"

# Second failover (db_s2 dies, db_m is promoted): db_s2 is rejoined straight from its crash.
failover db_s2 db_m db_s1
rejoin db_s2 --yes
rc=$?
show_out
check_eq "rejoin of the crashed db_s2: exit 0" 0 "$rc"
check "pg_rewind ran crash recovery first" grep -q "pg_rewind runs crash recovery" "$OUT"
check "no full copy was needed" bash -c "! grep -q 'a full copy of' '$OUT'"
check "db_s2 streams from db_m on timeline 3 as db_s2" \
    wait_for 15 node_is db_s2 '.role == "standby" and .upstream == "db_m" and .timeline == 3 and .state == "streaming" and .application_name == "db_s2"'

# Third failover (db_m dies, db_s2 is promoted), and db_m's WAL is gone: pg_rewind cannot work.
failover db_m db_s2 db_s1
rm -f "$DEMO_DIR"/db_m/pg_wal/0000000*
rejoin db_m --yes
rc=$?
show_out
check_eq "rejoin of db_m without its WAL, no --allow-full-copy: refused (exit 1)" 1 "$rc"
check "it says only a full copy can repair it, and how to choose one" \
    grep -q "Only a full copy can repair db_m (about .* from db_s2), and nothing was copied: run repltop rejoin db_m --allow-full-copy" "$OUT"
check "nothing was copied" bash -c "! ls -d '$DEMO_DIR'/db_m.repltop-old-* 2>/dev/null"
rejoin db_m --yes --allow-full-copy
rc=$?
show_out
check_eq "rejoin of db_m without its WAL, --allow-full-copy: exit 0" 0 "$rc"
check "pg_rewind failed and the rejoin made the full copy the operator allowed" \
    grep -q "a full copy of db_m (pg_basebackup, about .* from db_s2), as --allow-full-copy allows" "$OUT"
check "db_m streams from db_s2 on timeline 4" \
    wait_for 15 node_is db_m '.role == "standby" and .upstream == "db_s2" and .timeline == 4 and .state == "streaming" and .application_name == "db_m"'
check "the directory pg_rewind could not repair is kept aside" \
    bash -c "ls -d '$DEMO_DIR'/db_m.repltop-old-* >/dev/null"
check_eq "db_m still has every acknowledged row (missing)" 0 "$(missing_ids db_m "$ids")"
check_eq "db_m keeps its port after the fallback" "$port_m" "$(demo_psql db_m -c 'SHOW port')"
