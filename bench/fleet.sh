#!/usr/bin/env bash
# 9. A fleet in one config (issue 14): NODES named nodes (1000) cycling over the three demo
# servers, each its own SCRAM session; every server gets max_connections for its share.
#   - `status --json`: wall time, CPU, peak RSS, nodes reachable
#   - the dashboard (tmux, 200x50, 1 s): time until every node answered a refresh (connects are
#     paced), then over WINDOW seconds its CPU, the servers' CPU (every process of the three
#     servers), peak RSS, refresh wall (REPLTOP_TRACE)
# Env: NODES (1000), WINDOW (60), WARMUP (10).
. "$(dirname "$0")/lib.sh"
NODES=${NODES:-1000}
WINDOW=${WINDOW:-60}
WARMUP=${WARMUP:-10}
OUT=$BENCH_OUT/fleet
rm -rf "$OUT" && mkdir -p "$OUT"
chmod 777 "$OUT" # the tmux child writes there

BENCH_MAX_CONNECTIONS=$((NODES / 3 + 60)) bench_cluster_up
conf=$TEST_TMP/fleet.conf
fleet_conf "$NODES" "$conf"

log "fleet: status --json, $NODES nodes"
/usr/bin/time -f "%e %U %S %M" -o "$OUT/status-time.txt" "$REPLTOP" -c "$conf" status --json \
    >"$OUT/status.json" 2>/dev/null
read -r s_wall s_user s_sys s_rss < <(tail -n 1 "$OUT/status-time.txt")
s_reach=$(jq '[.nodes[] | select(.reachable)] | length' "$OUT/status.json")

log "fleet: dashboard, $NODES nodes"
tr=$OUT/trace.txt
start=$(now_ms)
pane=$(tmux_start benchfleet "REPLTOP_TRACE=$tr $REPLTOP -c $conf")
pid=$(repltop_pid_under "$pane")
all_answered() { awk -v n="$NODES" '$8 == n {f = 1} END {exit !f}' "$tr" 2>/dev/null; }
if wait_for 300 all_answered; then
    all_ms=$(($(now_ms) - start))
    all_refresh=$(awk -v n="$NODES" '$8 == n {print $2; exit}' "$tr")
else
    all_ms="not within 300 s"
    all_refresh="-"
fi
first_ms=$(awk '$2 == 1 {print $6; exit}' "$tr")
sleep "$WARMUP"
mapfile -t spids < <(server_pids)
before=$(wc -l <"$tr")
t0=$(proc_ticks "$pid")
st0=$(server_ticks "${spids[@]}")
w0=$(now_ms)
sleep "$WINDOW"
t1=$(proc_ticks "$pid")
st1=$(server_ticks "${spids[@]}")
el=$(($(now_ms) - w0))
hwm=$(proc_hwm_kb "$pid")
tail -n +"$((before + 1))" "$tr" >"$OUT/window-trace.txt"
tmux_stop benchfleet

pct() { awk -v d="$1" -v hz="$HZ" -v ms="$el" 'BEGIN {printf "%.2f", d / hz * 100000 / ms}'; }
refreshes=$(wc -l <"$OUT/window-trace.txt")
w50=$(awk '{print $6}' "$OUT/window-trace.txt" | median)
w95=$(awk '{print $6}' "$OUT/window-trace.txt" | percentile 95)
answered=$(awk '{print $8}' "$OUT/window-trace.txt" | median)

echo "### 9. A fleet in one config: $NODES nodes on the three demo servers (${WINDOW} s window, 1 s refresh)"
echo
echo "| figure | value |"
echo "|---|---|"
echo "| status --json: nodes reachable | $s_reach of $NODES |"
echo "| status --json: wall / CPU (user+sys) / peak RSS | ${s_wall} s / $(awk -v u="$s_user" -v s="$s_sys" 'BEGIN {printf "%.2f", u + s}') s / $(awk -v k="$s_rss" 'BEGIN {printf "%.1f", k / 1024}') MB |"
echo "| dashboard: first refresh shown after | $first_ms ms |"
echo "| dashboard: every node answered one refresh, after | $all_ms ms (refresh $all_refresh) |"
echo "| dashboard: CPU, % of one core | $(pct $((t1 - t0))) |"
echo "| the three servers meanwhile, % of one core | $(pct $((st1 - st0))) |"
echo "| dashboard: peak RSS | $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') MB |"
echo "| dashboard: refreshes in the window; nodes answered, median | $refreshes; $answered |"
echo "| dashboard: refresh wall, median / p95 | $w50 / $w95 ms |"
echo
