#!/usr/bin/env bash
# 12. The cost of watching many nodes, per node per refresh, in figures the machine's load does
# not change: `repltop serve` (the dashboard's poll loop, model and snapshots, without drawing)
# on CG_NODES nodes in CG_CLUSTERS cluster files (fleet_clusters_dir, as bench/fleet_clusters.sh
# makes them) runs under callgrind; once every node answered, instrumentation is on for
# CG_SECONDS, meanwhile the three servers' pg_stat_statements count what they ran.
#   - client: instructions per node per refresh, the whole process and its parts (inclusive)
#   - servers: statements per node per refresh (all calls over the node rows' calls, one per node
#     per refresh) and their execution time per node per refresh (pg_stat_statements)
# With REPLTOP_BEFORE=<build> that build runs too, alternating, on the same servers.
# Env: CG_NODES (100), CG_CLUSTERS (30), CG_SECONDS (30), CG_ROUNDS (1).
. "$(dirname "$0")/lib.sh"
CG_NODES=${CG_NODES:-100}
CG_CLUSTERS=${CG_CLUSTERS:-30}
CG_SECONDS=${CG_SECONDS:-30}
CG_ROUNDS=${CG_ROUNDS:-1}
OUT=$BENCH_OUT/callgrind_fleet
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
D=$TEST_TMP/clusters.d
fleet_clusters_dir "$D" "$CG_NODES" "$CG_CLUSTERS"
export XDG_STATE_HOME=$TEST_TMP/state

sql_sum() { # what [condition]: the three servers' sum of it over our statements
    local n t=0 v
    for n in db_m db_s1 db_s2; do
        v=$(demo_psql "$n" -c "SELECT coalesce(sum($1), 0) FROM pg_stat_statements
            WHERE query NOT LIKE '%pg_stat_statements%' AND (${2:-true})")
        t=$(awk -v a="$t" -v b="$v" 'BEGIN {print a + b}')
    done
    echo "$t"
}

measure() { # tag build
    local tag=$1 build=$2 tr=$OUT/trace-$1.txt cg=$OUT/callgrind-$1.out vg before lines n
    local port
    port=$(test_port)
    REPLTOP_TRACE=$tr valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$cg" \
        "$build" -c "$D" serve --listen "127.0.0.1:$port" 2>"$OUT/valgrind-$tag.log" &
    vg=$!
    wait_for 300 trace_all_answered "$tr" "$CG_NODES" || log "callgrind_fleet: $tag: not every node answered"
    sleep 2
    bench_stats_reset
    callgrind_control -i on "$vg" >/dev/null 2>&1
    before=$(wc -l <"$tr")
    sleep "$CG_SECONDS"
    callgrind_control -i off "$vg" >/dev/null 2>&1
    lines=$(($(wc -l <"$tr") - before))
    local calls rows exec_ms load
    calls=$(sql_sum calls)
    rows=$(sql_sum calls "query LIKE '%AS in_recovery%'") # one node row a node a refresh
    exec_ms=$(sql_sum total_exec_time)
    for n in db_m db_s1 db_s2; do # each statement: calls, ms per call, its text
        demo_psql "$n" -c "SELECT '$n', calls, round(mean_exec_time::numeric, 4), query FROM pg_stat_statements
            WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC"
    done >"$OUT/statements-$tag.txt"
    load=$(cut -d' ' -f1 /proc/loadavg)
    kill -TERM "$vg"
    wait "$vg" 2>/dev/null
    callgrind_annotate --inclusive=yes --threshold=100 "$cg" >"$OUT/annotate-$tag.txt" 2>/dev/null
    callgrind_annotate --threshold=99 "$cg" >"$OUT/self-$tag.txt" 2>/dev/null
    local total refreshes
    total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$OUT/annotate-$tag.txt")
    refreshes=$(awk -v l="$lines" -v c="$CG_CLUSTERS" 'BEGIN {printf "%.1f", l / c}')
    per() { # function name -> inclusive Ir per node per refresh
        awk -v f="$1" -v r="$refreshes" -v n="$CG_NODES" '{ gsub(",", "", $1) }
            $0 ~ ("[:]" f " ") { printf "%.0f", $1 / r / n; found = 1; exit }
            END { if (!found) printf "-" }' "$OUT/annotate-$tag.txt"
    }
    echo "| $tag | $load | $refreshes | $(awk -v t="$total" -v r="$refreshes" -v n="$CG_NODES" 'BEGIN {printf "%.0f", t / r / n}') | $(per stmts_read) | $(per send_query) | $(per collect) | $(per fleet_pollfds) | $(per fleet_handle) | $(per fleet_timeout_ms) | $(awk -v c="$calls" -v r="$rows" 'BEGIN {if (r) printf "%.2f", c / r; else print "-"}') | $(awk -v e="$exec_ms" -v r="$rows" 'BEGIN {if (r) printf "%.3f", e / r; else print "-"}') |"
}

echo "### 12. The cost per node per refresh: \`repltop serve\` under callgrind, $CG_NODES nodes in $CG_CLUSTERS clusters, ${CG_SECONDS} s"
echo
echo "| build | load | refreshes | client Ir per node per refresh | of which reading answers (stmts_read: libpq, parse) | sending (send_query) | snapshots (collect: derive) | poll set (fleet_pollfds) | serving the sockets (fleet_handle, with reading) | the next deadline (fleet_timeout_ms) | statements per node per refresh | server execution ms per node per refresh |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for ((round = 1; round <= CG_ROUNDS; round++)); do
    if [ -n "${REPLTOP_BEFORE:-}" ]; then
        log "callgrind_fleet: before, round $round"
        measure "before-$round" "$REPLTOP_BEFORE"
    fi
    log "callgrind_fleet: after, round $round"
    measure "after-$round" "$REPLTOP"
done
echo
