#!/usr/bin/env bash
# Timelines on real servers (issue 13 item 5, issue 15): a planned switchover done by hand — clean
# stop of the primary, promote of the sync standby, the other standby re-pointed, the old primary
# started as a standby — while `status --json` is polled and a dashboard records every refresh:
# timeline_diverged never appears, though each standby spends a while on the old timeline without
# streaming. Then a real fork (a standby holding WAL past the point where the new primary's
# timeline left its own): timeline_diverged, needs_rewind and the fork point, as PostgreSQL's
# history file and the standby's own log say.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up

P_M=$(demo_port db_m) P_S1=$(demo_port db_s1) P_S2=$(demo_port db_s2)
# PostgreSQL's own timeline of a node: a primary's current WAL file, a standby's WAL receiver
pg_tli() {
    demo_psql "$1" -c "SELECT CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                         ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END"
}
streams_on() { # node tli: PostgreSQL says it streams on that timeline
    [ "$(demo_psql "$1" -c "SELECT status || ' ' || received_tli FROM pg_stat_wal_receiver")" = "streaming $2" ]
}
# points a running standby at another port (its own conninfo otherwise kept), as an operator would
repoint() { # node port
    local ci
    ci=$(demo_psql "$1" -c "SHOW primary_conninfo" | sed "s/port=[0-9]*/port=$2/")
    echo "ALTER SYSTEM SET primary_conninfo = :'ci'; SELECT pg_reload_conf();" |
        demo_psql "$1" -v ci="$ci" >/dev/null
}

# ---- watchers: status --json polled in a loop, and a dashboard recording every refresh
POLL=$TEST_TMP/poll
mkdir -p "$POLL"
(
    i=0
    while [ ! -e "$TEST_TMP/stop" ]; do
        i=$((i + 1))
        "$REPLTOP" -c "$CONF" status --json >"$POLL/$i.json" 2>/dev/null
        sleep 0.2
    done
) &
POLLER=$!
on_exit "touch '$TEST_TMP/stop'; kill $POLLER"
REC=$TEST_TMP/dash.ndjson
DASH=no
if command -v tmux >/dev/null; then
    tmux_setup timeline
    tm new-session -d -s main -x 120 -y 40 \
        "XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' -i 0.2 --record '$REC' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
    tm set-option -t main remain-on-exit on >/dev/null
    wait_screen 15 'db_s2' && DASH=yes
    check "the dashboard shows the cluster" test "$DASH" = yes
else
    skip "dashboard during the switchover: tmux is not installed"
fi
check "before: db_m is the primary on timeline 1" wait_for 20 eval 'test "$(pg_tli db_m)" = 1'

# ---- the planned switchover, step by step
ctl -D "$DEMO_DIR/db_m" stop -m fast
check "db_s2 received the old primary's last WAL" wait_for 20 eval \
    'test "$(demo_psql db_s2 -c "SELECT pg_last_wal_receive_lsn() >= pg_last_wal_replay_lsn()")" = t'
demo_psql db_s2 -c "SELECT pg_promote(true, 60)" >/dev/null
check "PostgreSQL: db_s2 is the primary on timeline 2" wait_for 20 eval 'test "$(pg_tli db_s2)" = 2'
# db_s1 still points at the stopped db_m: on timeline 1, not streaming, for as long as this takes
snap
check "db_s1 waits on the old timeline: not_streaming, it follows once it streams" \
    q '.cluster.problems[] | select(.code == "not_streaming" and .node == "db_s1") | .message | test("follows once it streams")'
check "... and no timeline_diverged (db_s1 holds no WAL past the switch)" \
    q '[.cluster.problems[] | select(.code == "timeline_diverged")] | length == 0'
l=$(demo_psql db_s2 -c "SELECT pg_read_file('pg_wal/00000002.history')" | awk -F'\t' '$1 == 1 { print $2 }')
check "db_s2's history as PostgreSQL has it (timeline 1 left at $l)" q --arg l "$l" \
    '.nodes[] | select(.name == "db_s2") | .timeline_history == [{"timeline": 1, "switch_lsn": $l}]'
check "db_s1's fork_lsn is that switch point, needs_rewind false" \
    q '(.nodes[] | select(.name == "db_s2") | .timeline_history[0].switch_lsn) as $f |
       .nodes[] | select(.name == "db_s1") | .fork_lsn == $f and .needs_rewind == false'
repoint db_s1 "$P_S2"
check "PostgreSQL: db_s1 streams from db_s2 on timeline 2" wait_for 30 streams_on db_s1 2
# the old primary comes back as a standby, first pointing nowhere useful (as it was), then at db_s2
run_as_server touch "$DEMO_DIR/db_m/standby.signal"
ci=$(demo_psql db_s1 -c "SHOW primary_conninfo" | sed "s/application_name=[^ ]*/application_name=db_m/; s/port=[0-9]*/port=$P_M/")
run_as_server bash -c "printf '%s\n' \"primary_conninfo = '$ci'\" >>'$DEMO_DIR/db_m/postgresql.auto.conf'"
start_node db_m
snap
check "the old primary, a standby on timeline 1 not streaming: no timeline_diverged" \
    q '.nodes[] | select(.name == "db_m") | .role == "standby" and .timeline == 1 and .needs_rewind == false'
check "... and no critical problem for it" q '[.cluster.problems[] | select(.node == "db_m" and .severity == "critical")] | length == 0'
repoint db_m "$P_S2"
check "PostgreSQL: db_m streams from db_s2 on timeline 2" wait_for 30 streams_on db_m 2
sleep "$(slow_secs 1)"
touch "$TEST_TMP/stop"
wait "$POLLER" 2>/dev/null

# ---- what every snapshot said during all of it
polls=$(ls "$POLL" | wc -l)
diverged=$(cat "$POLL"/*.json | jq -c 'select(any(.cluster.problems[]; .code == "timeline_diverged"))' | wc -l)
behind=$(cat "$POLL"/*.json | jq -c 'select(.cluster.primary == "db_s2" and
    any(.nodes[]; .role == "standby" and .reachable and .timeline == 1))' | wc -l)
check_eq "status --json polled $polls times: none says timeline_diverged ($behind taken while a standby was on the old timeline)" 0 "$diverged"
check "the polls saw the switchover (db_m, then db_s2 the primary)" \
    test "$(cat "$POLL"/*.json | jq -r '.cluster.primary // empty' | sort -u | tr '\n' ' ')" = "db_m db_s2 "
if [ "$DASH" = yes ]; then
    frames=$(wc -l <"$REC")
    bad=$(jq -c 'select(any(.cluster.problems[]; .code == "timeline_diverged"))' "$REC" | wc -l)
    check_eq "the dashboard recorded $frames refreshes: none with timeline_diverged" 0 "$bad"
    check "the dashboard's recording spans the switchover (db_m then db_s2 primary)" \
        test "$(jq -r '.cluster.primary // empty' "$REC" | uniq | tr '\n' ' ')" = "db_m db_s2 "
    check "the dashboard shows db_s2 primary and no timeline problem" \
        bash -c "! tmux -L $TMUX_SOCK capture-pane -p -t main | grep -q 'timeline_diverged\|cannot follow'"
fi
snap
for n in db_m db_s1 db_s2; do
    check "after: $n's timeline is PostgreSQL's ($(pg_tli "$n"))" q --arg n "$n" --argjson t "$(pg_tli "$n")" \
        '.nodes[] | select(.name == $n) | .timeline == $t'
done
check "after: healthy, db_s2 primary, nobody needs a rewind" \
    q '.cluster.primary == "db_s2" and ([.nodes[] | select(.needs_rewind)] | length == 0) and
       ([.cluster.problems[] | select(.severity == "critical")] | length == 0)'

# ---- a real fork: db_s1 receives WAL that db_m never gets, then db_m is promoted
ctl -D "$DEMO_DIR/db_m" stop -m fast
demo_psql db_s2 -d demo -c "CREATE TABLE fork_test AS SELECT generate_series(1, 1000) AS x" \
    -c "SELECT pg_switch_wal()" >/dev/null
want=$(demo_psql db_s2 -c "SELECT pg_current_wal_lsn()")
check "db_s1 received the WAL db_m lacks" wait_for 20 eval \
    'test "$(demo_psql db_s1 -c "SELECT pg_last_wal_receive_lsn() >= '\''$want'\''")" = t'
ctl -D "$DEMO_DIR/db_s2" stop -m fast
start_node db_m # its conninfo points at the stopped db_s2: it cannot catch up
demo_psql db_m -c "SELECT pg_promote(true, 60)" >/dev/null
check "PostgreSQL: db_m is the primary on timeline 3" wait_for 20 eval 'test "$(pg_tli db_m)" = 3'
repoint db_s1 "$P_M"
forked() { grep -q "forked off current database system timeline 2 before current recovery point" "$DEMO_DIR/db_s1.log"; }
if wait_for 30 forked; then
    ok "PostgreSQL: db_s1's log says $(grep -o 'new timeline 3 forked off[^"]*' "$DEMO_DIR/db_s1.log" | head -n 1)"
else
    not_ok "db_s1's log says nothing of the fork"
    tail -n 5 "$DEMO_DIR/db_s1.log" | sed 's/^/# /'
fi
switch=$(demo_psql db_m -c "SELECT pg_read_file('pg_wal/00000003.history')" | awk -F'\t' '$1 == 2 { print $2 }')
check "PostgreSQL: db_m's history says where timeline 2 was left ($switch)" test -n "$switch"
snap
check "timeline_diverged for db_s1, critical, with the fork point $switch and the fix" \
    q --arg f "$switch" '.cluster.problems[] | select(.code == "timeline_diverged" and .node == "db_s1") |
       .severity == "critical" and (.message | contains($f)) and (.message | test("repltop rejoin db_s1"))'
check "db_s1: needs_rewind, state needs_rewind, fork_lsn $switch (db_m's history), no lag, not the candidate" \
    q --arg f "$switch" '.nodes[] | select(.name == "db_s1") | .needs_rewind and .state == "needs_rewind" and
       .fork_lsn == $f and .lag_bytes.flush == null and (.best_candidate | not)'
check "db_m is the primary on timeline 3" q '.nodes[] | select(.name == "db_m") | .role == "primary" and .timeline == 3'
jq -c '.nodes[] | select(.name == "db_s1") | {state, timeline, fork_lsn, needs_rewind, receive_lsn, replay_lsn}' "$J" | sed 's/^/# /'
