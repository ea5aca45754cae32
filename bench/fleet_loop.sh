#!/usr/bin/env bash
# 12. The poll loop's own cost at NODES nodes in CLUSTERS cluster files (fleet_clusters_dir),
# 1 s refresh: `repltop serve` and the dashboard (tmux 200x50, the fleet screen), each started
# afresh and measured once every node answered:
#   - CPU over WINDOW s: ticks, user and system, from /proc/PID/stat, and the time on a CPU in
#     ns from /proc/PID/schedstat (one thread: repltop has no other here), per refresh
#   - then the system calls over another WINDOW s under `strace -c -f` (per refresh, and the
#     waits among them: poll, epoll_wait, their count and the kernel's time in them, which
#     strace -c measures as system CPU time); strace slows the process, so that window's CPU is
#     not used
# Refreshes are counted from REPLTOP_TRACE (a line per cluster per refresh). With
# REPLTOP_BEFORE=<build> that build runs too, alternating with REPLTOP, on the same servers.
# Env: NODES (300), CLUSTERS (90), WINDOW (30), WARMUP (5), ROUNDS (1).
. "$(dirname "$0")/lib.sh"
NODES=${NODES:-300}
CLUSTERS=${CLUSTERS:-90}
WINDOW=${WINDOW:-30}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-1}
OUT=$BENCH_OUT/fleet_loop
rm -rf "$OUT" && mkdir -p "$OUT"
chmod 777 "$OUT" # the tmux child writes there

bench_cluster_up
D=$TEST_TMP/clusters.d
fleet_clusters_dir "$D" "$NODES" "$CLUSTERS"
total=$(cat "$D"/*.conf | grep -c '^[ms][0-9]* = ')

ticks() { echo "$(awk '{print $14, $15}' "/proc/$1/stat") $(cut -d' ' -f1 "/proc/$1/schedstat")"; } # user system ns
refreshes() { awk -v a="$1" -v b="$2" -v c="$CLUSTERS" 'BEGIN {printf "%.1f", (b - a) / c}'; }

# one process, already started: its pid and trace; prints the table row
measure() { # tag what pid trace
    local tag=$1 what=$2 pid=$3 tr=$4 u0 s0 n0 u1 s1 n1 l0 l1 el w0 load sc st
    wait_for 300 trace_all_answered "$tr" "$total" || log "fleet_loop: $tag $what: not every node answered"
    sleep "$WARMUP"
    load=$(cut -d' ' -f1 /proc/loadavg)
    read -r u0 s0 n0 < <(ticks "$pid")
    l0=$(wc -l <"$tr") w0=$(now_ms)
    sleep "$WINDOW"
    read -r u1 s1 n1 < <(ticks "$pid")
    l1=$(wc -l <"$tr") el=$(($(now_ms) - w0))
    local r cpu_r
    r=$(refreshes "$l0" "$l1")
    cpu_r=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v ns=$((n1 - n0)) -v ms="$el" -v r="$r" 'BEGIN {
        printf "%d / %d | %.2f | %.2f", u, s, ns / 1e4 / ms, r ? ns / 1e6 / r : 0 }')
    sc=$OUT/strace-$tag-$what.txt
    l0=$(wc -l <"$tr")
    timeout -s INT "$WINDOW" strace -c -f -p "$pid" -o "$sc" 2>/dev/null
    l1=$(wc -l <"$tr")
    r=$(refreshes "$l0" "$l1")
    # strace -c: "% time seconds usecs/call calls [errors] syscall"
    st=$(awk -v r="$r" '$NF == "total" { t = $(NF - 1) ~ /^[0-9]+$/ && NF == 6 ? $(NF - 2) : $(NF - 1) }
        $NF ~ /^(poll|ppoll|epoll_wait|epoll_pwait)$/ { w += $4; k += $2 }
        $NF == "epoll_ctl" { c += $4 }
        END { printf "%.0f | %.1f | %.2f | %.1f", t / r, w / r, k * 1000 / r, c / r }' "$sc")
    echo "| $tag | $what | $load | $cpu_r | $r | $st |"
}

round() { # tag build
    local tag=$1 build=$2 tr port pid pane
    log "fleet_loop: $tag: serve"
    tr=$OUT/trace-$tag-serve.txt port=$(test_port)
    REPLTOP_TRACE=$tr "$build" -c "$D" serve --listen "127.0.0.1:$port" 2>"$OUT/serve-$tag.log" &
    pid=$!
    measure "$tag" serve "$pid" "$tr"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    log "fleet_loop: $tag: dashboard"
    tr=$OUT/trace-$tag-dashboard.txt
    pane=$(tmux_start benchfl "REPLTOP_TRACE=$tr $build -c $D")
    sleep 1
    pid=$(repltop_pid_under "$pane")
    measure "$tag" dashboard "$pid" "$tr"
    tmux_stop benchfl
}

echo "### 12. The poll loop at $total nodes in $CLUSTERS clusters, 1 s refresh (${WINDOW} s windows)"
echo
echo "| build | process | load | CPU user / system (ticks of 1/$HZ s) | CPU, % of one core (schedstat) | CPU ms per refresh | refreshes (strace window) | syscalls per refresh | waits (poll, epoll_wait) per refresh | kernel ms in the waits per refresh (strace -c) | epoll_ctl per refresh |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for ((k = 1; k <= ROUNDS; k++)); do
    [ -n "${REPLTOP_BEFORE:-}" ] && round "before-$k" "$REPLTOP_BEFORE"
    round "after-$k" "$REPLTOP"
done
echo
