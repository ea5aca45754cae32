#!/usr/bin/env bash
# A primary restart on a real server, watched by the dashboard (issue 15): while db_m is down its
# problems cannot be checked, so none is "cleared" — the slot it keeps inactive, the replay lag of
# db_s1 measured against it — and both are there again once it answers. The events panel must
# say what happened (the primary down, back), never a false "cleared". Then a standby frozen
# (SIGSTOP) while its replay is paused: its own alarms are unknown while it does not answer.
source "$(dirname "$0")/lib.sh"
tmux_setup restart
cluster_up

# two problems that need db_m to be checked: an inactive slot on it, a standby behind it
demo_psql db_m -c "SELECT pg_create_physical_replication_slot('idle_slot', true)" >/dev/null
demo_psql db_s1 -c "SELECT pg_wal_replay_pause()" >/dev/null
demo_psql db_m -d demo -c "SET synchronous_commit = local" -c "CREATE TABLE filler AS SELECT repeat('x', 1000) AS x FROM generate_series(1, 30000)" >/dev/null
both() { snap; q '(.cluster.problems | any(.code == "slot_inactive" and .node == "db_m")) and
                 (.cluster.problems | any((.code == "lag_warn" or .code == "lag_crit") and .node == "db_s1"))'; }
check "before: slot_inactive on db_m and a replay lag on db_s1 (PostgreSQL: slot active $(demo_psql db_m -c "SELECT active FROM pg_replication_slots WHERE slot_name = 'idle_slot'"), db_s1 $(demo_psql db_m -c "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication WHERE application_name = 'walreceiver'") behind)" \
    wait_for 30 both

tm new-session -d -s main -x 160 -y 50 \
    "XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' -i 0.3 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
check "the dashboard shows the slot problem" wait_screen 20 'idle_slot'
ctl -D "$DEMO_DIR/db_m" restart -m fast -w -t 60 -l "$DEMO_DIR/db_m.log"
check "the dashboard saw db_m down" wait_screen 20 'db_m.*(down|is down|unreachable)|no reachable primary'
back() { snap; both; }
check "after the restart: both problems are there again (PostgreSQL: the slot is still inactive)" wait_for 30 back
sleep "$(slow_secs 2)"
screen >"$TEST_TMP/screen.txt"
if grep -Eq 'cleared: .*(idle_slot|db_s1 replay)' "$TEST_TMP/screen.txt"; then
    not_ok "the events say a problem was cleared while db_m could not check it"
    dump
else
    ok "no false 'cleared' for the slot or db_s1's lag through the restart"
fi
check "the events panel says db_m was down (an event, no longer a problem)" grep -Eq 'db_m .*is down' "$TEST_TMP/screen.txt"

# a standby that stops answering (SIGSTOP: every statement times out) keeps its own alarms: its
# paused replay and its lag are unknown while frozen, never "cleared"; PostgreSQL still has the
# replay paused when it answers again
paused_pg() { [ "$(demo_psql db_s1 -c "SELECT pg_is_wal_replay_paused()")" = t ]; }
node_sigstop db_s1
check "the dashboard sees db_s1 stop answering" wait_screen 20 'db_s1 .*(does not answer|timeout)'
node_sigcont db_s1
check "PostgreSQL: db_s1's replay is still paused after the freeze" paused_pg
again() { snap; q '(.cluster.problems | any(.code == "replay_paused" and .node == "db_s1")) and
                   (.cluster.problems | any((.code == "lag_warn" or .code == "lag_crit") and .node == "db_s1"))'; }
check "db_s1 answers again with its paused replay and its lag" wait_for 30 again
check "the dashboard has db_s1 answering again" wait_screen 20 'cleared: db_s1 .*(does not answer|timeout)'
screen >"$TEST_TMP/screen.txt"
if grep -Eq 'cleared: db_s1 (has WAL replay paused|replay is)' "$TEST_TMP/screen.txt"; then
    not_ok "the events say db_s1's paused replay or lag cleared while it did not answer"
    dump
else
    ok "no false 'cleared' for db_s1's paused replay or lag while it was frozen"
fi
demo_psql db_s1 -c "SELECT pg_wal_replay_resume()" >/dev/null
