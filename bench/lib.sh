# Shared helpers for the benchmarks (bench/*.sh). Source it after setting REPLTOP if needed.
# It reuses tests/lib.sh (cluster_up, node_sigstop, cleanup on exit), so everything a bench
# starts — demo servers, tmux servers, SIGSTOPs — is undone when the script ends.
# Every figure goes to stdout as a markdown table row; raw data stays in $BENCH_OUT.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../tests/lib.sh
. "$BENCH_DIR/../tests/lib.sh"
BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/out}
RUNS=${RUNS:-5}
mkdir -p "$BENCH_OUT"
TMUX_SOCKETS=()
HZ=$(getconf CLK_TCK)

log() { echo "# $*" >&2; }

# median of the numbers on stdin (one per line)
median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "nan"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
# the p-th percentile (nearest rank) of the numbers on stdin
percentile() { sort -g | awk -v p="$1" '{v[NR]=$1} END {if (NR==0) {print "nan"; exit} r=int((p*NR+99)/100); if (r<1) r=1; print v[r]}'; }

# CPU ticks (user+system) a process has used, and its peak resident set in kB.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
proc_hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# Every process of the three demo servers (postmasters and their children), and the CPU ticks
# of the pids given (gone ones count 0), read with one awk for all.
server_pids() {
    local n p
    for n in db_m db_s1 db_s2; do
        p=$(node_pid "$n")
        echo "$p"
        ps -o pid= --ppid "$p" | tr -d " " # right-aligned: a shorter pid has blanks
    done
}
server_ticks() { # pids...
    local p files=()
    for p in "$@"; do [ -r "/proc/$p/stat" ] && files+=("/proc/$p/stat"); done
    [ ${#files[@]} -gt 0 ] || { echo 0; return; }
    awk '{t += $14 + $15} END {print t + 0}' "${files[@]}" 2>/dev/null
}

# CPU ticks of the three postmasters with those of their children already ended (a one-shot
# run's backends exit at its end: their time is then the postmaster's cutime and cstime).
server_ticks_reaped() {
    local n files=()
    for n in db_m db_s1 db_s2; do files+=("/proc/$(node_pid "$n")/stat"); done
    awk '{t += $14 + $15 + $16 + $17} END {print t + 0}' "${files[@]}" 2>/dev/null
}

# Starts the demo cluster with room for 200+ sessions per server and pg_stat_statements
# loaded (needs postgresql-contrib): ALTER SYSTEM, then a restart of each server.
bench_cluster_up() {
    cluster_up
    local n
    for n in db_m db_s1 db_s2; do
        demo_psql "$n" -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" || exit 1
    done
    cluster_max_connections "${BENCH_MAX_CONNECTIONS:-400}" || { echo "restart of the demo failed" >&2; exit 1; }
    demo_psql db_m -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    for n in db_m db_s1 db_s2; do # known only once the library is loaded
        demo_psql "$n" -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" \
            -c "SELECT pg_reload_conf()" >/dev/null
    done
    wait_for 20 standbys_streaming || { echo "standbys do not stream after restart" >&2; exit 1; }
}

standbys_streaming() {
    [ "$(demo_psql db_m -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")" = 2 ]
}

# Empties pg_stat_statements on the three servers: what follows counts a window only.
bench_stats_reset() {
    local n
    for n in db_m db_s1 db_s2; do demo_psql "$n" -c "SELECT pg_stat_statements_reset()" >/dev/null; done
}

# fleet_clusters_dir DIR NODES CLUSTERS: NODES nodes in CLUSTERS cluster files (c000.conf...)
# of DIR, each a primary and two or three standbys as the demo has them: every node its own
# session, cycling over db_m, db_s1, db_s2 (a cluster of four has two entries on db_m).
fleet_clusters_dir() {
    local d=$1 nodes=$2 clusters=$3 k j n cm cs1 cs2 base extra
    mkdir -p "$d"
    cm=$(sed -n "s/^db_m = //p" "$CONF") cs1=$(sed -n "s/^db_s1 = //p" "$CONF")
    cs2=$(sed -n "s/^db_s2 = //p" "$CONF")
    base=$((nodes / clusters)) extra=$((nodes % clusters))
    for ((k = 0; k < clusters; k++)); do
        n=$((base + (k < extra ? 1 : 0)))
        {
            echo "[repltop]"
            echo "refresh = 1"
            # every cluster here is the demo's one cluster again (duplicate_cluster, a
            # warning): listed, not alarming, so the figures are those of distinct clusters
            echo "[severity]"
            echo "duplicate_cluster = ok"
            echo "[nodes]"
            for ((j = 0; j < n; j++)); do
                case $((j % 3)) in 0) echo "m$j = $cm" ;; 1) echo "s$j = $cs1" ;; *) echo "s$j = $cs2" ;; esac
            done
        } >"$d/$(printf 'c%03d' "$k").conf"
    done
}

# REPLTOP_TRACE files (a line per cluster per refresh, model/watch/cluster.c): per refresh, in
# order, "SEQ ANSWERED WALL_MS" — the nodes that answered, summed over the clusters, and the wall
# from the first cluster's start to the last cluster's snapshot (each starts when its sends do).
trace_seqs() { # trace
    awk '{a[$2] += $8; e = $4 + $6; if (!($2 in s) || $4 < s[$2]) s[$2] = $4; if (e > z[$2]) z[$2] = e}
         END {for (q in a) printf "%d %d %.0f\n", q, a[q], z[q] - s[q]}' "$1" | sort -n
}
# whether some refresh had every one of NODES nodes answer
trace_all_answered() { # trace nodes
    trace_seqs "$1" 2>/dev/null | awk -v n="$2" '$2 == n {f = 1} END {exit !f}'
}

# Runs a command in a detached tmux server of its own at 200x50; prints the pane's pid.
tmux_start() { # name command...
    local name=$1
    shift
    TMUX_SOCKETS+=("$name")
    tmux -L "$name" kill-server 2>/dev/null
    tmux -L "$name" -f /dev/null new-session -d -x 200 -y 50 -s bench "$*"
    tmux -L "$name" set-option -t bench remain-on-exit off >/dev/null 2>&1
    tmux -L "$name" list-panes -t bench -F '#{pane_pid}'
}
descendants() { # pid: every process under it, deepest last
    local c
    for c in $(ps -o pid= --ppid "$1"); do echo "$c"; descendants "$c"; done
}
# Stops a tmux server and what its pane ran. script(1) outlives the pane's hang-up (its input
# ends, it waits for its child) and loses its buffered logs when killed: so the innermost
# processes get SIGTERM first (repltop quits, script flushes and exits), then the rest.
tmux_stop() {
    local p="" pane pids="" inner="" i
    for pane in $(tmux -L "$1" list-panes -a -F '#{pane_pid}' 2>/dev/null); do
        inner=$(descendants "$pane")
        pids="$pids $pane $inner"
        # shellcheck disable=SC2086
        kill -TERM ${inner:-$pane} 2>/dev/null
    done
    for i in $(seq 1 50); do # until all of them are gone (5 s at most)
        [ -n "$pids" ] || break
        for p in $pids; do kill -0 "$p" 2>/dev/null && break; done
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    tmux -L "$1" kill-server 2>/dev/null
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
    return 0
}
tmux_cleanup() {
    local s
    for s in "${TMUX_SOCKETS[@]}"; do tmux_stop "$s"; done
}
on_exit tmux_cleanup

# The pid of the repltop process under a tmux pane pid (the pane runs a shell or script).
repltop_pid_under() { # pane_pid
    local p=$1 i c
    for i in 1 2 3 4 5; do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = repltop ] && { echo "$p"; return 0; }
        c=$(ps -o pid= --ppid "$p" | head -n 1 | tr -d ' ')
        [ -n "$c" ] || return 1
        p=$c
    done
    return 1
}

# ack_writer CONNINFO PASSFILE ACKED STOP: one psql session inserting one row per transaction
# into users(name) (each commit acknowledged as the cluster's synchronous_commit says), as fast
# as it commits; every acknowledged row is appended to ACKED as "EPOCHREALTIME id port" when it
# comes back ($EPOCHREALTIME: no fork per row). When the session is lost it reconnects through
# CONNINFO (a multi-host conninfo with target_session_attrs=read-write follows the primary).
# Runs until the file STOP exists; start it in the background.
ack_writer() {
    local ci=$1 passfile=$2 acked=$3 stop=$4
    while [ ! -e "$stop" ]; do
        { while [ ! -e "$stop" ]; do
            echo "INSERT INTO users(name) VALUES ('bench') RETURNING id, inet_server_port();"
        done; } 2>/dev/null |
            PGPASSFILE=$passfile psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 "$ci" 2>/dev/null |
            while IFS= read -r l; do [ -n "$l" ] && echo "$EPOCHREALTIME $l"; done >>"$acked"
        sleep 0.005
    done
}

# write_downtime_ms ACKED T0 OLDPORT NEWPORT: from the last row OLDPORT acknowledged after T0 to
# the first NEWPORT acknowledged after it, in ms.
write_downtime_ms() {
    local last first
    last=$(awk -v p="$3" -v t0="$2" '$3 == p && $1 >= t0 {x = $1} END {print x}' "$1")
    first=$(awk -v p="$4" -v t0="$2" '$3 == p && $1 >= t0 {print $1; exit}' "$1")
    [ -n "$last" ] && [ -n "$first" ] || { echo nan; return; }
    awk -v a="$last" -v b="$first" 'BEGIN {printf "%.0f", (b - a) * 1000}'
}
