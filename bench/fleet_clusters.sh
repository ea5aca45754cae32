#!/usr/bin/env bash
# 10. A fleet of clusters (issue 14 item 6): NODES nodes (1000) in CLUSTERS files (300) of a
# directory, -c DIR; each cluster a primary and two or three standbys, every node its own SCRAM
# session cycling over the three demo servers (max_connections raised for their share).
#   - `status --json` on the fleet: wall, CPU, peak RSS, nodes reachable
#   - the dashboard on the fleet screen (tmux 200x50 under script(1), 1 s): time until every node
#     answered one refresh; over WINDOW s its CPU, the servers' CPU, peak RSS, refresh wall (the
#     slowest cluster of each refresh, REPLTOP_TRACE), terminal bytes per second
#   - keys j/k on the fleet screen for KEYS_SECONDS with strace: read of the key to first write
# Env: NODES (1000), CLUSTERS (300), WINDOW (60), WARMUP (10), KEYS_SECONDS (40).
. "$(dirname "$0")/lib.sh"
NODES=${NODES:-1000}
CLUSTERS=${CLUSTERS:-300}
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
KEYS_SECONDS=${KEYS_SECONDS:-40}
OUT=$BENCH_OUT/fleet_clusters
rm -rf "$OUT" && mkdir -p "$OUT"
chmod 777 "$OUT" # the tmux child writes there

BENCH_MAX_CONNECTIONS=$((NODES / 2 + 60)) bench_cluster_up # db_m has two nodes of a 4-node cluster
D=$TEST_TMP/clusters.d
fleet_clusters_dir "$D" "$NODES" "$CLUSTERS"
total=$(cat "$D"/*.conf | grep -c '^[ms][0-9]* = ')
log "fleet_clusters: $CLUSTERS clusters, $total nodes"

log "fleet_clusters: status --json"
/usr/bin/time -f "%e %U %S %M" -o "$OUT/status-time.txt" "$REPLTOP" -c "$D" status --json \
    >"$OUT/status.json" 2>/dev/null
read -r s_wall s_user s_sys s_rss < <(tail -n 1 "$OUT/status-time.txt")
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
# per refresh (seq): nodes answered summed over the clusters, and its wall: from the first
# cluster's start to the last cluster's snapshot (each cluster starts when its sends do)
per_seq() {
    awk '{a[$2] += $8; e = $4 + $6; if (!($2 in s) || $4 < s[$2]) s[$2] = $4; if (e > z[$2]) z[$2] = e}
         END {for (q in a) printf "%d %d %.0f\n", q, a[q], z[q] - s[q]}' "$1" | sort -n
}
all_answered() { per_seq "$tr" 2>/dev/null | awk -v n="$total" '$2 == n {f = 1} END {exit !f}'; }
if wait_for 300 all_answered; then
    all_ms=$(($(now_ms) - start))
    all_refresh=$(per_seq "$tr" | awk -v n="$total" '$2 == n {print $1; exit}')
else
    all_ms="not within 300000"
    all_refresh="-"
fi
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

pct() { awk -v d="$1" -v hz="$HZ" -v ms="$el" 'BEGIN {printf "%.2f", d / hz * 100000 / ms}'; }
per_seq "$OUT/window-trace.txt" >"$OUT/window-seq.txt"
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
echo "| dashboard: every node answered one refresh, after | $all_ms ms (refresh $all_refresh) | a few refreshes |"
echo "| dashboard (fleet screen): CPU, % of one core | $(pct $((t1 - t0))) | < 5 |"
echo "| the three servers meanwhile, % of one core | $(pct $((st1 - st0))) | |"
echo "| dashboard: peak RSS | $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') MB | < 64 |"
echo "| dashboard: refreshes in the window; nodes answered, median | $refreshes; $answered | |"
echo "| dashboard: refresh wall (first send to last cluster's snapshot), median / p95 | $w50 / $w95 ms | < 200 |"
echo "| keys on the fleet screen: count, median / p99 / max ms | $(wc -l <"$OUT/keys.txt"), $(median <"$OUT/keys.txt") / $(percentile 99 <"$OUT/keys.txt") / $(sort -g "$OUT/keys.txt" | tail -n 1) | p99 < 50 |"
echo "| terminal bytes per second (one refresh), median / p95 | $(median <"$OUT/bytes.txt") / $(percentile 95 <"$OUT/bytes.txt") | |"
echo
echo "Screen: \`$(echo "$screen_text" | head -n 1 | sed 's/  */ /g')\`"
echo
