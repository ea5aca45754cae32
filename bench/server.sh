#!/usr/bin/env bash
# 4. Server side: what the monitoring round trip costs each node per refresh.
#  - pg_stat_statements (loaded by bench_cluster_up): calls, planning and execution time of
#    each of the statements of model/watch/queries.c (five, the HA manager's included), on
#    each server, over MEASURE seconds of the 3-node dashboard; per refresh = total / calls of
#    the first statement.
#  - the CPU of the server process that serves repltop's session (/proc/PID/stat of the
#    backend whose application_name is repltop): all of it, parse, plan, execute, protocol.
# "plans" counts how often the statements were planned: once per session when they are
# prepared (model/watch/node.c), every call otherwise.
# Env: SERVER_SECONDS (60).
. "$(dirname "$0")/lib.sh"
MEASURE=${SERVER_SECONDS:-60}
OUT=$BENCH_OUT/server
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
for n in db_m db_s1 db_s2; do demo_psql "$n" -c "SELECT pg_stat_statements_reset()" >/dev/null; done

tmux_start benchserver "$REPLTOP -c $CONF" >/dev/null
sleep 3
declare -A bpid t0
for n in db_m db_s1 db_s2; do
    bpid[$n]=$(demo_psql "$n" -c "SELECT pid FROM pg_stat_activity WHERE application_name = 'repltop'" | head -n 1)
    t0[$n]=$(proc_ticks "${bpid[$n]}")
done
start=$(now_ms)
sleep "$MEASURE"
declare -A cpu
for n in db_m db_s1 db_s2; do
    cpu[$n]=$(awk -v d=$(($(proc_ticks "${bpid[$n]}") - t0[$n])) -v hz="$HZ" -v ms=$(($(now_ms) - start)) \
        'BEGIN {printf "%.2f", d/hz*1000/(ms/1000)}') # ms of CPU per 1 s refresh
done
tmux_stop benchserver

echo "### 4. Server side, per refresh (3-node dashboard, ${MEASURE} s, pg_stat_statements)"
echo
echo "| node | statement | calls | plans | plan ms/call | exec ms/call | rows/call |"
echo "|---|---|---|---|---|---|---|"
for n in db_m db_s1 db_s2; do
    demo_psql "$n" -F ' | ' -c "SELECT '$n', left(regexp_replace(query, '\s+', ' ', 'g'), 60), calls, plans,
            round((total_plan_time / calls)::numeric, 3), round((total_exec_time / calls)::numeric, 3),
            round(rows::numeric / calls, 1)
        FROM pg_stat_statements
        WHERE query ~ '^SELECT (pg_is_in_recovery|w?[.]?pid, a?[.]?application_name|slot_name|status, received_tli|count[(][*][)] FILTER)'
        ORDER BY query" | sed 's/^/| /; s/$/ |/'
done
echo
echo "| node | plan+exec ms per refresh (pg_stat_statements) | backend CPU ms per refresh (/proc) |"
echo "|---|---|---|"
for n in db_m db_s1 db_s2; do
    pe=$(demo_psql "$n" -c "SELECT round(sum(total_plan_time + total_exec_time)::numeric / max(calls), 3)
        FROM pg_stat_statements
        WHERE query ~ '^SELECT (pg_is_in_recovery|w?[.]?pid, a?[.]?application_name|slot_name|status, received_tli|count[(][*][)] FILTER)'")
    echo "| $n | $pe | ${cpu[$n]} |"
done
echo
