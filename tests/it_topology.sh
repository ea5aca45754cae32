#!/usr/bin/env bash
# Topologies an operator can have, on real servers: every derived fact of `status --json` is
# checked against PostgreSQL's own answer on the same nodes (pg_control_system(),
# pg_stat_replication, pg_last_wal_*_lsn(), pg_settings), not against constants. Set-ups: the
# demo cluster as it is; a cascading standby (streaming from db_s1); the same primary listed twice
# (once as a URI); two unrelated clusters in one config, in both orders; a delayed standby
# (recovery_min_apply_delay). The suite is meant to grow: one block per set-up.
source "$(dirname "$0")/lib.sh"
cluster_up

J=$TEST_TMP/status.json
snap() { "$REPLTOP" -c "${1:-$CONF}" status --json >"$J"; RC=$?; }
q() { jq -e "$@" "$J" >/dev/null; }
jv() { jq -r "$@" "$J"; }
# What PostgreSQL says, as one value (psql -At) on a demo node.
pg() { demo_psql "$1" -c "$2"; }
sysid() { pg "$1" "SELECT system_identifier FROM pg_control_system()"; }
BIN=$(pg_bin)

# --- the demo cluster as it is: identifiers, upstreams and positions from PostgreSQL ----------
snap
for n in db_m db_s1 db_s2; do
    check_eq "$n: system identifier is pg_control_system()'s" "$(sysid $n)" \
        "$(jv --arg n $n '.nodes[] | select(.name==$n) | .system_identifier')"
done
# one pg_stat_replication row per standby repltop says streams from db_m
check_eq "standbys upstream of db_m = pg_stat_replication rows on db_m" \
    "$(pg db_m "SELECT count(*) FROM pg_stat_replication")" \
    "$(jv '[.nodes[] | select(.upstream=="db_m")] | length')"
check_eq "db_s2's sync_state is pg_stat_replication's" \
    "$(pg db_m "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'walreceiversync'")" \
    "$(jv '.nodes[] | select(.name=="db_s2") | .sync_state')"
for n in db_s1 db_s2; do
    check_eq "$n: apply_delay_seconds is pg_settings' recovery_min_apply_delay" \
        "$(pg $n "SELECT setting::float8 / 1000 FROM pg_settings WHERE name = 'recovery_min_apply_delay'")" \
        "$(jv --arg n $n '.nodes[] | select(.name==$n) | .apply_delay_seconds')"
done
check "the primary's apply_delay_seconds is null (not a standby)" \
    q '.nodes[] | select(.name=="db_m") | .apply_delay_seconds == null'
check "no entry is marked a duplicate or of another cluster" \
    q '[.nodes[] | .same_server_as == null and .other_cluster == false] | all'
# role, timeline and every lag stage as PostgreSQL gives them, read before and after one snapshot
tl_sql="SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END"
for n in db_m db_s1 db_s2; do
    check_eq "$n: role is pg_is_in_recovery()'s" \
        "$([ "$(pg $n "SELECT pg_is_in_recovery()")" = t ] && echo standby || echo primary)" \
        "$(jv --arg n $n '.nodes[] | select(.name==$n) | .role')"
    check_eq "$n: timeline is its WAL's (primary) or its WAL receiver's (standby)" "$(pg $n "$tl_sql")" \
        "$(jv --arg n $n '.nodes[] | select(.name==$n) | .timeline')"
done
# db_s1 receives but does not replay a write, so that its stages differ. The primary's WAL moves
# on by itself (autovacuum, running-xacts records): positions are checked between PostgreSQL's
# answer before and after the snapshot, and each lag is checked as PostgreSQL's pg_wal_lsn_diff()
# of the positions the snapshot holds.
pg db_s1 "SELECT pg_wal_replay_pause()" >/dev/null
pg db_m "CREATE TABLE topo_stages AS SELECT g FROM generate_series(1, 20000) g" >/dev/null
cur=$(pg db_m "SELECT pg_current_wal_lsn()")
s1_received() { [ "$(pg db_s1 "SELECT pg_last_wal_receive_lsn() >= '$cur'")" = t ]; }
check "PostgreSQL: db_s1 received db_m's write and did not replay it" wait_for 30 s1_received
m0=$(pg db_m "SELECT pg_current_wal_lsn()")
r0=$(pg db_s1 "SELECT pg_last_wal_receive_lsn()")
snap
m1=$(pg db_m "SELECT pg_current_wal_lsn()")
r1=$(pg db_s1 "SELECT pg_last_wal_receive_lsn()")
node() { jv --arg n "$1" ".nodes[] | select(.name==\$n) | $2"; }
between() { [ "$(pg db_m "SELECT '$2'::pg_lsn BETWEEN '$1' AND '$3'")" = t ]; }
check "db_m's current_lsn is pg_current_wal_lsn()'s ($m0 .. $m1)" between "$m0" "$(node db_m .current_lsn)" "$m1"
check "db_s1's receive_lsn is pg_last_wal_receive_lsn()'s ($r0 .. $r1)" between "$r0" "$(node db_s1 .receive_lsn)" "$r1"
check_eq "db_s1's replay_lsn is pg_last_wal_replay_lsn()'s (paused)" "$(pg db_s1 "SELECT pg_last_wal_replay_lsn()")" \
    "$(node db_s1 .replay_lsn)"
row() { jv --arg a "$1" ".nodes[] | select(.name==\"db_m\") | .replication[] | select(.application_name==\$a) | $2"; }
check "db_m's row for db_s1: sent_lsn within pg_stat_replication's ($m0 .. $m1)" between "$m0" "$(row walreceiver .sent_lsn)" "$m1"
for n in db_s1:walreceiver db_s2:walreceiversync; do
    a=${n#*:}
    n=${n%:*}
    c=$(node db_m .current_lsn)
    held=$(pg db_m "SELECT greatest('$(node $n .receive_lsn)'::pg_lsn, '$(node $n .replay_lsn)')")
    want=$(pg db_m "SELECT greatest(pg_wal_lsn_diff('$c', x), 0)::bigint FROM unnest(ARRAY['$(row $a .sent_lsn)', '$(row $a .write_lsn)', '$held', '$(node $n .replay_lsn)', '$held']::pg_lsn[]) WITH ORDINALITY AS t(x, i) ORDER BY i" | paste -sd' ')
    check_eq "$n: lag sent/write (its row), flush (WAL held), replay and data at risk are pg_wal_lsn_diff()'s" \
        "$want" "$(node $n '[.lag_bytes.sent, .lag_bytes.write, .lag_bytes.flush, .lag_bytes.replay, .data_at_risk_bytes] | map(tostring) | join(" ")')"
done
check "db_s1 is behind in replay only (PostgreSQL: $(pg db_m "SELECT pg_wal_lsn_diff('$m1', '$(node db_s1 .replay_lsn)')") B)" \
    q '.nodes[] | select(.name=="db_s1") | .lag_bytes.replay > 0 and .lag_bytes.replay > .lag_bytes.flush'
pg db_s1 "SELECT pg_wal_replay_resume()" >/dev/null

# --- cascading: db_c streams from the standby db_s1, cloned from it ----------------------------
CD=$TEST_TMP/db_c
CP=$(($(demo_port db_s2) + 9))
mkdir -p "$CD" && chmod 700 "$CD" && chown postgres "$CD" 2>/dev/null
if run_as_server "$BIN/pg_basebackup" -d "host=127.0.0.1 port=$(demo_port db_s1) user=replication_user passfile=$DEMO_DIR/pgpass" \
    -D "$CD" -X stream >"$TEST_TMP/bb_c.log" 2>&1; then
    run_as_server touch "$CD/standby.signal"
    run_as_server bash -c "cat >>'$CD/postgresql.auto.conf'" <<CONF
primary_conninfo = 'host=127.0.0.1 port=$(demo_port db_s1) user=replication_user passfile=$DEMO_DIR/pgpass application_name=db_c'
primary_slot_name = ''
port = $CP
CONF
    run_as_server "$BIN/pg_ctl" -D "$CD" -l "$CD/startup.log" start -w -t 60 >/dev/null 2>&1 ||
        sed 's/^/# db_c: /' "$CD/startup.log"
    on_exit "run_as_server $BIN/pg_ctl -D $CD stop -m immediate"
    CASC=$TEST_TMP/cascade.conf
    sed "/^db_s2 = /a db_c = host=127.0.0.1 port=$CP user=postgres dbname=postgres passfile=$DEMO_DIR/pgpass" "$CONF" >"$CASC"
    cpsql() { PGPASSFILE=$DEMO_DIR/pgpass psql -X -q -A -t -h 127.0.0.1 -p "$CP" -U postgres -d postgres -c "$1"; }
    streams_from_s1() { [ "$(pg db_s1 "SELECT state FROM pg_stat_replication WHERE application_name = 'db_c'")" = streaming ]; }
    check "PostgreSQL: db_s1 lists db_c streaming" wait_for 30 streams_from_s1
    # a write on db_m, then one snapshot once db_c replayed it, so positions can be compared
    pg db_m "CREATE TABLE topo_casc (i int)" >/dev/null
    cur=$(pg db_m "SELECT pg_current_wal_lsn()")
    casc_replayed() { [ "$(cpsql "SELECT pg_last_wal_replay_lsn() >= '$cur'")" = t ]; }
    check "PostgreSQL: db_c replayed db_m's write through db_s1" wait_for 30 casc_replayed
    snap "$CASC"
    check_eq "cascading: db_c's upstream is db_s1, whose pg_stat_replication lists it" db_s1 \
        "$(jv '.nodes[] | select(.name=="db_c") | .upstream')"
    check_eq "cascading: db_m lists no row for db_c" 0 \
        "$(pg db_m "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'db_c'")"
    check_eq "cascading: db_c's sync_state is db_s1's row's" \
        "$(pg db_s1 "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'db_c'")" \
        "$(jv '.nodes[] | select(.name=="db_c") | .sync_state')"
    # db_m may write a record (a running-xacts record, a checkpoint) during or after the
    # snapshot: the snapshot's position lies between the write waited for and a later read
    later=$(cpsql "SELECT pg_last_wal_replay_lsn()")
    c_replay=$(jv '.nodes[] | select(.name=="db_c") | .replay_lsn')
    check_eq "cascading: db_c's replay LSN is pg_last_wal_replay_lsn()'s (between $cur and $later: $c_replay)" \
        t "$(pg db_m "SELECT '$c_replay'::pg_lsn BETWEEN '$cur' AND '$later'")"
    # the snapshot's own positions (the one before is checked against PostgreSQL): db_c may
    # replay a record db_m writes after the snapshot, and a later read would be ahead of it
    check_eq "cascading: db_c's replay lag is measured against db_m's current LSN" \
        "$(pg db_m "SELECT pg_wal_lsn_diff('$(jv '.nodes[] | select(.name=="db_m") | .current_lsn')', '$(jv '.nodes[] | select(.name=="db_c") | .replay_lsn')')::bigint")" \
        "$(jv '.nodes[] | select(.name=="db_c") | .lag_bytes.replay')"
    check_eq "cascading: db_c's system identifier is db_m's" "$(sysid db_m)" \
        "$(jv '.nodes[] | select(.name=="db_c") | .system_identifier')"
    check "cascading: db_c streams, no problem for it, one primary" \
        q '(.nodes[] | select(.name=="db_c") | .state == "streaming" and .role == "standby") and
           (.cluster.problems | all(.node != "db_c")) and .cluster.primary == "db_m"'
    run_as_server "$BIN/pg_ctl" -D "$CD" stop -m fast -w >/dev/null 2>&1
else
    not_ok "cascading: pg_basebackup from db_s1 failed"
    sed 's/^/# /' "$TEST_TMP/bb_c.log"
fi

# --- nodes given as bare conninfos: each standby named by the application_name it streams as ---
ci() { sed -n "s/^$1 = //p" "$CONF" | sed "s/ *application_name=[^ ]*//"; }
"$REPLTOP" status --json "$(ci db_m)" "$(ci db_s1)" "$(ci db_s2)" >"$TEST_TMP/bare.json"
bare() { jq -r "$@" "$TEST_TMP/bare.json"; }
for n in db_s1 db_s2; do
    app=$(pg $n "SELECT (regexp_match(current_setting('primary_conninfo'), 'application_name=([^ ]+)'))[1]")
    check "bare conninfo of $n: named $app, as pg_stat_replication on db_m lists it" \
        test "$(bare --arg a "$app" '.nodes[] | select(.name == $a) | .target')" = "127.0.0.1:$(demo_port $n)" -a \
        "$(pg db_m "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$app'")" = 1
done
check "bare conninfo of the primary: named by its address, the primary" \
    test "$(bare '.cluster.primary')" = "127.0.0.1:$(demo_port db_m)"

# --- the same primary listed twice, once as a URI -----------------------------------------------
PM=$(demo_port db_m)
DUP=$TEST_TMP/dup.conf
sed "/^db_s2 = /a db_m_uri = postgresql://postgres@127.0.0.1:$PM/postgres?passfile=$DEMO_DIR/pgpass" \
    "$CONF" >"$DUP"
snap "$DUP"
# PostgreSQL's own word that both entries are one server: same identifier, same address and port
same_server() {
    local a b
    a=$(pg db_m "SELECT system_identifier || ' ' || inet_server_port() FROM pg_control_system()")
    b=$(PGPASSFILE=$DEMO_DIR/pgpass psql -X -q -A -t "postgresql://postgres@127.0.0.1:$PM/postgres" \
        -c "SELECT system_identifier || ' ' || inet_server_port() FROM pg_control_system()")
    [ -n "$a" ] && [ "$a" = "$b" ]
}
check "PostgreSQL: db_m and db_m_uri are one server" same_server
check "listed twice: db_m_uri is the same server as db_m" \
    q '.nodes[] | select(.name=="db_m_uri") | .same_server_as == "db_m"'
check "listed twice: duplicate_node warning naming both entries, no split brain" \
    q '(.cluster.problems | any(.code == "duplicate_node" and .severity == "warning" and (.message | test("db_m .*db_m_uri")))) and
       (.cluster.problems | all(.code != "multiple_primaries"))'
check_eq "listed twice: the primary is db_m" db_m "$(jv .cluster.primary)"
check_eq "listed twice: warning exit status" 1 "$RC"

# --- the same primary under a host name and its address (no string compare can tell) ------------
# the machine's own name when it resolves to loopback (where the demo listens), else 127.1
ALIAS=$(hostname)
case $(getent hosts "$ALIAS" | awk '{ print $1; exit }') in 127.0.0.1) ;; *) ALIAS=127.1 ;; esac
{ cat "$DEMO_DIR/pgpass"; sed -n "s/^127\.0\.0\.1:/$ALIAS:/p" "$DEMO_DIR/pgpass"; } >"$TEST_TMP/alias.pgpass"
chmod 600 "$TEST_TMP/alias.pgpass"
ALIASED=$TEST_TMP/alias.conf
sed "/^db_s2 = /a db_m_by_name = host=$ALIAS port=$PM user=postgres dbname=postgres passfile=$TEST_TMP/alias.pgpass" \
    "$CONF" >"$ALIASED"
snap "$ALIASED"
start_of() { PGPASSFILE=$TEST_TMP/alias.pgpass psql -X -q -A -t -h "$1" -p "$PM" -U postgres -d postgres \
    -c "SELECT system_identifier || ' ' || pg_postmaster_start_time() FROM pg_control_system()"; }
check "PostgreSQL: $ALIAS:$PM and 127.0.0.1:$PM are one postmaster ($(start_of "$ALIAS"))" \
    test -n "$(start_of "$ALIAS")" -a "$(start_of "$ALIAS")" = "$(start_of 127.0.0.1)"
check "under two host names: db_m_by_name is the same server as db_m, no split brain" \
    q '(.nodes[] | select(.name == "db_m_by_name") | .same_server_as == "db_m") and
       (.cluster.problems | all(.code != "multiple_primaries")) and .cluster.primary == "db_m"'
check "under two host names: duplicate_node names both addresses" \
    q --arg a "$ALIAS:$PM" '.cluster.problems | any(.code == "duplicate_node" and (.message | contains($a)))'

# --- two unrelated clusters in one config, both orders ------------------------------------------
OTHER=$TEST_TMP/other
OP=$(($(demo_port db_s2) + 7))
mkdir -p "$OTHER" && chown postgres "$OTHER" 2>/dev/null
if run_as_server "$BIN/initdb" -D "$OTHER/data" -A trust -U postgres >"$TEST_TMP/initdb.log" 2>&1 &&
    run_as_server "$BIN/pg_ctl" -D "$OTHER/data" -o "-p $OP -k $OTHER -c listen_addresses=127.0.0.1" \
        -l "$OTHER/log" start -w -t 60 >/dev/null 2>&1; then
    on_exit "run_as_server $BIN/pg_ctl -D $OTHER/data stop -m immediate"
    OTHER_ID=$(psql -X -q -A -t -h 127.0.0.1 -p "$OP" -U postgres -d postgres \
        -c "SELECT system_identifier FROM pg_control_system()")
    OLINE="other = host=127.0.0.1 port=$OP user=postgres dbname=postgres"
    sed "/^db_s2 = /a $OLINE" "$CONF" >"$TEST_TMP/two-last.conf"
    sed "/^db_m = /i $OLINE" "$CONF" >"$TEST_TMP/two-first.conf"
    for order in last first; do
        snap "$TEST_TMP/two-$order.conf"
        check_eq "other listed $order: its system identifier is pg_control_system()'s" "$OTHER_ID" \
            "$(jv '.nodes[] | select(.name=="other") | .system_identifier')"
        check "other listed $order: PostgreSQL gives it another identifier than db_m" \
            [ "$OTHER_ID" != "$(sysid db_m)" ]
        check "other listed $order: flagged as another cluster, db_m's nodes are not" \
            q '(.nodes[] | select(.name=="other") | .other_cluster == true) and
               ([.nodes[] | select(.name != "other") | .other_cluster == false] | all) and
               (.cluster.problems | any(.code == "system_id_mismatch" and .node == "other")) and
               (.cluster.problems | all(.code != "system_id_mismatch" or .node == "other"))'
        check "other listed $order: no split brain, db_m is the primary" \
            q '(.cluster.problems | all(.code != "multiple_primaries")) and .cluster.primary == "db_m"'
        check "other listed $order: the candidate is of db_m's cluster" \
            q '.cluster.candidate == "db_s2" and (.nodes[] | select(.name=="other") | .best_candidate == false)'
    done
else
    skip "two clusters: initdb or start of a second cluster failed ($(tail -n 1 "$TEST_TMP/initdb.log"))"
fi

# --- a delayed standby: db_s2, the sync one, applies WAL an hour late ---------------------------
pg db_s2 "ALTER SYSTEM SET recovery_min_apply_delay = '1h'" >/dev/null
pg db_s2 "SELECT pg_reload_conf()" >/dev/null
delay_set() { [ "$(pg db_s2 "SHOW recovery_min_apply_delay")" = 1h ]; }
wait_for 10 delay_set
# the delay holds replay at the first commit record: a small transaction first, so that the load
# after it stays unreplayed (its records before its own commit would replay at once)
pg db_m "CREATE TABLE topo_first (i int)" >/dev/null
pg db_m "CREATE TABLE topo_t AS SELECT g AS id, repeat('x', 100) AS pad FROM generate_series(1, 200000) g" >/dev/null
# db_s1 (not delayed) catches up; db_s2 receives everything and replays nothing
caught_up() {
    local cur
    cur=$(pg db_m "SELECT pg_current_wal_lsn()")
    [ "$(pg db_s1 "SELECT pg_last_wal_replay_lsn() >= '$cur'")" = t ] &&
        [ "$(pg db_s2 "SELECT pg_last_wal_receive_lsn() >= '$cur'")" = t ]
}
check "delayed: db_s1 replayed and db_s2 received the load" wait_for 30 caught_up
snap
check_eq "delayed: apply_delay_seconds is pg_settings' (in s)" \
    "$(pg db_s2 "SELECT setting::float8 / 1000 FROM pg_settings WHERE name = 'recovery_min_apply_delay'")" \
    "$(jv '.nodes[] | select(.name=="db_s2") | .apply_delay_seconds')"
check_eq "delayed: replay LSN is pg_last_wal_replay_lsn()'s" \
    "$(pg db_s2 "SELECT pg_last_wal_replay_lsn()")" \
    "$(jv '.nodes[] | select(.name=="db_s2") | .replay_lsn')"
behind=$(pg db_m "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$(pg db_s2 "SELECT pg_last_wal_replay_lsn()")')")
check "delayed: PostgreSQL shows db_s2 over the warn threshold behind in replay ($behind B)" \
    [ "${behind%.*}" -ge $((16 * 1024 * 1024)) ]
check "delayed: its replay lag within the delay is no problem" \
    q '.cluster.problems | all(.node != "db_s2" or (.code != "lag_warn" and .code != "lag_crit"))'
check "delayed: the undelayed db_s1 is the candidate though db_s2 is sync" \
    q '.cluster.candidate == "db_s1" and (.nodes[] | select(.name=="db_s2") | .sync_state == "sync")'
"$REPLTOP" -c "$CONF" status >"$TEST_TMP/delayed.txt"
check "delayed: the table marks db_s2 with its delay" grep -Eq '^db_s2 .*streaming \+3600s' "$TEST_TMP/delayed.txt"

# with db_s1 stopped, the delayed standby is the candidate, with what it still has to replay
run_as_server "$BIN/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast -w >/dev/null 2>&1
snap
check "delayed, alone: db_s2 is the candidate with candidate_delayed" \
    q '.cluster.candidate == "db_s2" and (.cluster.problems | any(.code == "candidate_delayed" and .node == "db_s2" and (.message | test("to replay"))))'
start_node db_s1
pg db_s2 "ALTER SYSTEM RESET recovery_min_apply_delay" >/dev/null
pg db_s2 "SELECT pg_reload_conf()" >/dev/null
replayed() { [ "$(pg db_s2 "SELECT pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()")" = t ]; }
check "undelayed again: db_s2 replays what it held back" wait_for 30 replayed
snap
check "undelayed again: db_s2 is the candidate, no candidate_delayed" \
    q '.cluster.candidate == "db_s2" and (.cluster.problems | all(.code != "candidate_delayed"))'
