#!/usr/bin/env bash
# 10. A fleet of clusters (issue 14 item 6): NODES nodes (1000) in CLUSTERS files (300) of a
# directory, -c DIR; each cluster a primary and two or three standbys, every node its own SCRAM
# session cycling over the three demo servers (max_connections raised for their share).
#   - `status --json` on the fleet: wall, CPU, peak RSS, nodes reachable
#   - the dashboard on the fleet screen (tmux 200x50 under script(1), 1 s): time until every node
#     answered one refresh; over WINDOW s its CPU, the servers' CPU, peak RSS, refresh wall (the
#     slowest cluster of each refresh, REPLTOP_TRACE), terminal bytes per second
#   - keys j/k on the fleet screen for KEYS_SECONDS with strace: read of the key to first write
#   - then `repltop serve --listen` on the same fleet, the dashboard stopped: time until every
#     node answered; over WINDOW s, scraped every second, its CPU, the servers' CPU, peak RSS,
#     refresh wall, scrape latency (curl) p50/p99, the size of one /metrics answer, and the
#     statements the servers ran per node per refresh (pg_stat_statements)
# Env: NODES (1000), CLUSTERS (300), WINDOW (60), WARMUP (10), KEYS_SECONDS (40); a smaller
# scale with e.g. NODES=100 CLUSTERS=30.
. "$(dirname "$0")/lib.sh"
NODES=${NODES:-1000}
CLUSTERS=${CLUSTERS:-300}
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
KEYS_SECONDS=${KEYS_SECONDS:-40}
OUT=$BENCH_OUT/fleet_clusters
rm -rf "$OUT" && mkdir -p "$OUT"
chmod 777 "$OUT" # the tmux child writes there

# db_m has two nodes of a 4-node cluster; never below the demo's own (a standby refuses to start
# with fewer than its primary had)
maxc=$((NODES / 2 + 60))
BENCH_MAX_CONNECTIONS=$((maxc > 400 ? maxc : 400)) bench_cluster_up
D=$TEST_TMP/clusters.d
fleet_clusters_dir "$D" "$NODES" "$CLUSTERS"
total=$(cat "$D"/*.conf | grep -c '^[ms][0-9]* = ')
log "fleet_clusters: $CLUSTERS clusters, $total nodes"

log "fleet_clusters: status --json"
srt0=$(server_ticks_reaped)
/usr/bin/time -f "%e %U %S %M" -o "$OUT/status-time.txt" "$REPLTOP" -c "$D" status --json \
    >"$OUT/status.json" 2>/dev/null
read -r s_wall s_user s_sys s_rss < <(tail -n 1 "$OUT/status-time.txt")
sleep 1 # its sessions' backends end and are reaped
srt1=$(server_ticks_reaped)
s_reach=$(jq '[.clusters[].nodes[] | select(.reachable)] | length' "$OUT/status.json")
s_clusters=$(jq '.clusters | length' "$OUT/status.json")

log "fleet_clusters: dashboard"
tr=$OUT/trace.txt
start=$(now_ms)
pane=$(tmux_start benchfc "script -q -m advanced -T $OUT/timing.txt -O $OUT/out.log \
    -c 'REPLTOP_TRACE=$tr $REPLTOP -c $D'")
sleep 1
pid=""
for p in $(descendants "$pane"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = repltop ] && pid=$p; done
# "MS REFRESH": how long after START (ms) every node had answered one refresh, and which
wait_all_answered() { # trace start
    if wait_for 300 trace_all_answered "$1" "$total"; then
        echo "$(($(now_ms) - $2)) $(trace_seqs "$1" | awk -v n="$total" '$2 == n {print $1; exit}')"
    else
        echo "not-within-300000 -"
    fi
}
read -r all_ms all_refresh < <(wait_all_answered "$tr" "$start")
sleep "$WARMUP"
mapfile -t spids < <(server_pids)
before=$(wc -l <"$tr")
t0=$(proc_ticks "$pid")
st0=$(server_ticks "${spids[@]}")
w0=$(now_ms)
w0s=$(awk -v s="$start" -v w="$w0" 'BEGIN {printf "%.0f", (w - s) / 1000}')
sleep "$WINDOW"
t1=$(proc_ticks "$pid")
st1=$(server_ticks "${spids[@]}")
el=$(($(now_ms) - w0))
tail -n +"$((before + 1))" "$tr" >"$OUT/window-trace.txt"

log "fleet_clusters: keys (${KEYS_SECONDS}s, strace)"
strace -ttt -e trace=read,write -p "$pid" -o "$OUT/strace.txt" 2>/dev/null &
st=$!
key=j
end=$((SECONDS + KEYS_SECONDS))
while [ $SECONDS -lt $end ]; do
    sleep 1.37
    tmux -L benchfc send-keys -t bench "$key"
    if [ $key = j ]; then key=k; else key=j; fi
done
kill "$st"
wait "$st" 2>/dev/null
hwm=$(proc_hwm_kb "$pid")
screen_text=$(tmux -L benchfc capture-pane -p -t bench | head -n 3)
tmux_stop benchfc
awk '/ read\(0,/ && !/= -1/ { t = $1; pending = 1; next }
     pending && / write\(1,/ { printf "%.2f\n", ($1 - t) * 1000; pending = 0 }' \
    "$OUT/strace.txt" >"$OUT/keys.txt"
# terminal bytes per second of the window (script's timing log, seconds since its start)
awk -v from="$w0s" -v to=$((w0s + WINDOW)) '$1 == "I" || $1 == "O" { t += $2
        if ($1 == "O" && t >= from && t < to) b[int(t)] += $3 } END { for (s in b) print b[s] }' \
    "$OUT/timing.txt" >"$OUT/bytes.txt"

log "fleet_clusters: serve"
str=$OUT/serve-trace.txt
PORT=$(test_port)
URL=http://127.0.0.1:$PORT/metrics
sstart=$(now_ms)
REPLTOP_TRACE=$str "$REPLTOP" -c "$D" serve --listen "127.0.0.1:$PORT" 2>"$OUT/serve.log" &
SERVE=$!
on_exit "kill $SERVE"
read -r sall_ms sall_refresh < <(wait_all_answered "$str" "$sstart")
sleep "$WARMUP"
sbefore=$(wc -l <"$str")
# statements per node per refresh: every statement the three servers ran in the window, over
# the node rows among them (one per node per refresh)
bench_stats_reset
mapfile -t spids < <(server_pids) # the backends are serve's now
sload=$(cut -d' ' -f1-3 /proc/loadavg)
s0=$(proc_ticks "$SERVE")
sst0=$(server_ticks "${spids[@]}")
sw0=$(now_ms)
for _ in $(seq 1 "$WINDOW"); do
    curl -s -o /dev/null -w '%{time_total}\n' --max-time 30 "$URL"
    sleep 1
done | awk '{printf "%.2f\n", $1 * 1000}' >"$OUT/scrapes.txt"
s1=$(proc_ticks "$SERVE")
sst1=$(server_ticks "${spids[@]}")
sel=$(($(now_ms) - sw0))
stmts() { # the servers' statements in the window (ours: not pg_stat_statements' own)
    local n
    for n in db_m db_s1 db_s2; do
        demo_psql "$n" -c "SELECT calls, query FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
    done
}
stmts >"$OUT/statements.txt" # one line each: the monitoring SQL has no line breaks
per_node=$(awk -F'|' '{t += $1} /AS in_recovery/ {r += $1} END {if (r) printf "%.2f", t / r; else print "-"}' "$OUT/statements.txt")
shwm=$(proc_hwm_kb "$SERVE")
sbytes=$(curl -s "$URL" | wc -c)
kill "$SERVE"
wait "$SERVE" 2>/dev/null
tail -n +"$((sbefore + 1))" "$str" >"$OUT/serve-window-trace.txt"
trace_seqs "$OUT/serve-window-trace.txt" >"$OUT/serve-window-seq.txt"

pct() { awk -v d="$1" -v hz="$HZ" -v ms="${2:-$el}" 'BEGIN {printf "%.2f", d / hz * 100000 / ms}'; }
trace_seqs "$OUT/window-trace.txt" >"$OUT/window-seq.txt"
refreshes=$(wc -l <"$OUT/window-seq.txt")
w50=$(awk '{print $3}' "$OUT/window-seq.txt" | median)
w95=$(awk '{print $3}' "$OUT/window-seq.txt" | percentile 95)
answered=$(awk '{print $2}' "$OUT/window-seq.txt" | median)

echo "### 10. A fleet of clusters: $total nodes in $CLUSTERS clusters (-c DIR), on the three demo servers (${WINDOW} s window, 1 s refresh; load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| figure | value | goal |"
echo "|---|---|---|"
echo "| status --json: clusters; nodes reachable | $s_clusters; $s_reach of $total | every node that answers |"
echo "| status --json: wall / CPU (user+sys) / peak RSS | ${s_wall} s / $(awk -v u="$s_user" -v s="$s_sys" 'BEGIN {printf "%.2f", u + s}') s / $(awk -v k="$s_rss" 'BEGIN {printf "%.1f", k / 1024}') MB | |"
echo "| status --json: the three servers' CPU meanwhile (their ended backends included), % of one core | $(awk -v d="$((srt1 - srt0))" -v hz="$HZ" -v s="$s_wall" 'BEGIN {printf "%.2f", d / hz * 100 / s}') | |"
echo "| dashboard: every node answered one refresh, after | $all_ms ms (refresh $all_refresh) | a few refreshes |"
echo "| dashboard (fleet screen): CPU, % of one core | $(pct $((t1 - t0))) | < 5 |"
echo "| the three servers meanwhile, % of one core | $(pct $((st1 - st0))) | |"
echo "| dashboard: peak RSS | $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') MB | < 64 |"
echo "| dashboard: refreshes in the window; nodes answered, median | $refreshes; $answered | |"
echo "| dashboard: refresh wall (first send to last cluster's snapshot), median / p95 | $w50 / $w95 ms | < 200 |"
echo "| keys on the fleet screen: count, median / p99 / max ms | $(wc -l <"$OUT/keys.txt"), $(median <"$OUT/keys.txt") / $(percentile 99 <"$OUT/keys.txt") / $(sort -g "$OUT/keys.txt" | tail -n 1) | p99 < 50 |"
echo "| terminal bytes per second (one refresh), median / p95 | $(median <"$OUT/bytes.txt") / $(percentile 95 <"$OUT/bytes.txt") | |"
echo "| serve (load $sload at its window): every node answered one refresh, after | $sall_ms ms (refresh $sall_refresh) | a few refreshes |"
echo "| serve, scraped every second: CPU, % of one core | $(pct $((s1 - s0)) "$sel") | < 5 |"
echo "| the three servers meanwhile, % of one core | $(pct $((sst1 - sst0)) "$sel") | |"
echo "| serve: peak RSS | $(awk -v k="$shwm" 'BEGIN {printf "%.1f", k / 1024}') MB | < 64 |"
echo "| serve: refreshes in the window; nodes answered, median | $(wc -l <"$OUT/serve-window-seq.txt"); $(awk '{print $2}' "$OUT/serve-window-seq.txt" | median) | |"
echo "| serve: refresh wall, median / p95 | $(awk '{print $3}' "$OUT/serve-window-seq.txt" | median) / $(awk '{print $3}' "$OUT/serve-window-seq.txt" | percentile 95) ms | < 200 |"
echo "| serve: scrape of /metrics (curl), count, p50 / p99 / max ms | $(wc -l <"$OUT/scrapes.txt"), $(median <"$OUT/scrapes.txt") / $(percentile 99 <"$OUT/scrapes.txt") / $(sort -g "$OUT/scrapes.txt" | tail -n 1) | |"
echo "| serve: one /metrics answer | $sbytes bytes | |"
echo "| statements the servers ran per node per refresh (serve's window) | $per_node | |"
echo
echo "Screen: \`$(echo "$screen_text" | head -n 1 | sed 's/  */ /g')\`"
echo
