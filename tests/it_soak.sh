#!/usr/bin/env bash
# Soak: the dashboard runs at a 0.5 s interval against the demo cluster while standbys are
# killed, stopped, frozen, cut off and restarted in turn: every kind of fault at least once
# (four rounds), and on for SOAK_SECONDS (default 20, what `make test` runs; SOAK_SECONDS=300
# for a long run). It must keep running and answering, and its resident memory must stay flat
# after the warm-up.
# exclusive: it watches resident memory and counts refreshes (tests/run_all.sh runs it alone when JOBS > 1)
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { skip "tmux is not installed"; exit 0; }
SOAK=${SOAK_SECONDS:-20}
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state LANG=C.UTF-8 LC_ALL=C.UTF-8
SOCK=repltop-soak-$$
REC=$TEST_TMP/rec.ndjson
tm() { tmux -u -L "$SOCK" "$@"; }
on_exit "tmux -L $SOCK kill-server"
tm new-session -d -s soak -x 160 -y 50 "exec '$REPLTOP' -c '$CONF' -i 0.5 --record '$REC'"
pid=$(tm display-message -p -t soak '#{pane_pid}')
PGBIN=$(pg_bin)
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null; }

sleep 20 # warm-up: history buffers and the terminal fill, connections settle
base=$(rss_kb)
check "the dashboard runs after the warm-up (RSS ${base} kB)" [ -n "$base" ]
peak=$base
faults=0
start=$SECONDS
end=$((start + SOAK))
round=0
# the rounds go kill db_s1, stop db_s2, freeze db_s1, cut db_s2's sessions, then again
while [ $round -lt 4 ] || [ $SECONDS -lt $end ]; do
    node=db_s1
    [ $((round % 2)) -eq 1 ] && node=db_s2
    case $((round % 4)) in
    0) kill -KILL "$(node_pid $node)"; sleep 2; wait_for 20 start_node $node ;;
    1) run_as_server "$PGBIN/pg_ctl" -D "$DEMO_DIR/$node" stop -m fast -w >/dev/null; sleep 2; start_node $node ;;
    2) node_sigstop $node; sleep 4; node_sigcont $node ;;
    3) demo_psql $node -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'repltop'" >/dev/null 2>&1 ;;
    esac
    faults=$((faults + 1))
    round=$((round + 1))
    "$REPLTOP" demo load 1 --dir "$DEMO_DIR" >/dev/null 2>&1
    sleep 3
    r=$(rss_kb)
    [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
    [ -n "$r" ] || break
done
sleep 5 # the last fault heals
soaked=$((SECONDS - start))
final=$(rss_kb)
check "the dashboard survived $faults faults in ${soaked} s" [ -n "$final" ]
# the history and event rings are allocated up front but their pages are touched as they
# fill, so some growth is expected; a leak per refresh or per fault would pass 1 MB quickly
growth=$((${final:-999999} - base))
check "resident memory flat: ${base} kB after warm-up, ${final} kB at the end, peak ${peak} kB" \
    [ "$growth" -lt 1024 ]
snaps=$(wc -l <"$REC")
check "it kept refreshing ($snaps snapshots in about $((soaked + 20)) s)" [ "$snaps" -ge "$soaked" ]
check "every recorded line is a snapshot of the three nodes" jq -e -s 'all(.nodes | length == 3)' "$REC"
check "at the end the cluster is healthy again" \
    bash -c "tail -n 1 '$REC' | jq -e '[.nodes[] | .reachable] | all' >/dev/null"
tm send-keys -t soak q
quit() { ! kill -0 "$pid" 2>/dev/null; }
check "q still quits" wait_for 5 quit
