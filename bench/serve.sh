#!/usr/bin/env bash
# 10. `repltop serve` on the demo cluster at a 1 s refresh: its CPU and peak RSS over WINDOW
# seconds while it is scraped every second (the dashboard on the same cluster alongside, in
# tmux, for comparison), then the latency of SCRAPES scrapes (curl's time_total, one every
# 50 ms) with every server running and again with db_s2 frozen (SIGSTOP, the demo's 2 s
# deadline): a scrape is answered from the last snapshot and should not notice the hang.
# Env: WINDOW (30), WARMUP (5), SCRAPES (200).
. "$(dirname "$0")/lib.sh"
WINDOW=${WINDOW:-30}
WARMUP=${WARMUP:-5}
SCRAPES=${SCRAPES:-200}
OUT=$BENCH_OUT/serve
rm -rf "$OUT" && mkdir -p "$OUT"

cluster_up
PORT=$(test_port)
URL=http://127.0.0.1:$PORT/metrics
"$REPLTOP" -c "$CONF" -i 1 serve --listen "127.0.0.1:$PORT" 2>"$OUT/serve.log" &
SERVE=$!
on_exit "kill $SERVE"
pane=$(tmux_start benchserve "$REPLTOP -c $CONF -i 1")
DASH=$(repltop_pid_under "$pane")
wait_for 30 curl -sf "$URL" -o /dev/null || { echo "serve does not answer" >&2; exit 1; }
sleep "$WARMUP"

log "serve: ${WINDOW}s window, scraped every second"
s0=$(proc_ticks "$SERVE") d0=$(proc_ticks "$DASH") start=$(now_ms)
for _ in $(seq 1 "$WINDOW"); do
    curl -sf "$URL" -o /dev/null
    sleep 1
done
el=$(($(now_ms) - start))
s1=$(proc_ticks "$SERVE") d1=$(proc_ticks "$DASH")
cpu() { awk -v d="$1" -v hz="$HZ" -v ms="$el" 'BEGIN {printf "%d ticks, %.2f %%", d, d/hz*100000/ms}'; }
serve_cpu=$(cpu $((s1 - s0)))
dash_cpu=$(cpu $((d1 - d0)))
serve_rss=$(awk -v kb="$(proc_hwm_kb "$SERVE")" 'BEGIN {printf "%.1f", kb/1024}')
dash_rss=$(awk -v kb="$(proc_hwm_kb "$DASH")" 'BEGIN {printf "%.1f", kb/1024}')
tmux_stop benchserve
bytes=$(curl -sf "$URL" | wc -c)

scrapes() { # file: SCRAPES scrapes' time_total in ms
    for _ in $(seq 1 "$SCRAPES"); do
        curl -s -o /dev/null -w '%{time_total}\n' --max-time 30 "$URL"
        sleep 0.05
    done | awk '{printf "%.2f\n", $1 * 1000}' >"$1"
}
log "serve: $SCRAPES scrapes, every server running"
scrapes "$OUT/running.txt"
log "serve: $SCRAPES scrapes, db_s2 frozen"
node_sigstop db_s2
scrapes "$OUT/hung.txt"
curl -sf "$URL" >"$OUT/hung-metrics.txt"
node_sigcont db_s2

row() { # what file
    echo "| $1 | $SCRAPES | $(median <"$2") | $(percentile 99 <"$2") | $(sort -g "$2" | tail -n 1) |"
}
echo "### 10. repltop serve (demo cluster, 3 nodes, 1 s; ${WINDOW} s window)"
echo
echo "| process | CPU over the window | peak RSS MB |"
echo "|---|---|---|"
echo "| serve, scraped every second | $serve_cpu | $serve_rss |"
echo "| dashboard (tmux 200x50), same cluster | $dash_cpu | $dash_rss |"
echo
echo "One /metrics answer: $bytes bytes."
echo
echo "| scrapes (curl time_total, ms) | n | p50 | p99 | max |"
echo "|---|---|---|---|---|"
row "every server running" "$OUT/running.txt"
row "db_s2 frozen (SIGSTOP)" "$OUT/hung.txt"
echo
echo "While frozen: $(grep -E '^repltop_node_(up|state_info|sample_age_seconds)\{[^}]*node="db_s2"' "$OUT/hung-metrics.txt" | tr '\n' ' ')"
echo
