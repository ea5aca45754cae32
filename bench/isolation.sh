#!/usr/bin/env bash
# 2. Isolation: 200 nodes, 20 of them (10 %) on db_s1, whose postmaster and every child are
# SIGSTOPped. Measures, from the moment of the SIGSTOP:
#  - refresh lateness: for each refresh k, (start_k + wall_k) - (start_k-1 + interval), i.e.
#    how much later than due the fresh data of the healthy nodes was ready (REPLTOP_TRACE);
#  - key latency: a key (j/k, which move the selection) sent with tmux send-keys, from the
#    moment script(1) passes it to the dashboard's pty to the dashboard's first output after
#    it (script -m advanced timing log).
# "Ready late by" includes the refresh's own wall time (200 queries on 3 local servers).
# Env: ISO_RUNS (3), PRE seconds with every server running (30), ISO_SECONDS stopped
# (120), NODES (200), ISO_NICE (unset; e.g. -5 to run the dashboard and script ahead of the
# other work of a shared machine).
. "$(dirname "$0")/lib.sh"
RUNS=${ISO_RUNS:-3}
MEASURE=${ISO_SECONDS:-120}
PRE=${PRE:-30}
NODES=${NODES:-200}
STOPPED=$((NODES / 10))
OUT=$BENCH_OUT/isolation
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
fleet_conf "$NODES" "$TEST_TMP/iso.conf" "$STOPPED"
# The 180 backends of the healthy nodes all wake at each refresh and share this machine's CPUs
# with the dashboard and script(1): at nice 0 they starve both for the ~100 ms they run, and
# the key timings then measure the scheduler. In production they are on other hosts: run
# the servers (and so every backend they fork) at nice 10 here.
for n in db_m db_s1 db_s2; do renice -n 10 -p "$(node_pid "$n")" >/dev/null; done

# REPLTOP_BEFORE=BINARY: the same runs with a second build, alternating with $REPLTOP in the
# same cluster, so both see the same machine (labelled "before" and "after").
declare -A bin=([after]=$REPLTOP)
labels=after
if [ -n "${REPLTOP_BEFORE:-}" ]; then bin[before]=$REPLTOP_BEFORE; labels="before after"; fi
for run in $(seq 1 "$RUNS"); do
  for label in $labels; do
    log "isolation: $label, run $run of $RUNS (${MEASURE}s with db_s1 stopped)"
    tr=$OUT/trace-$label-$run.txt
    pane=$(tmux_start benchiso "script -q -m advanced -T $OUT/timing-$label-$run.txt -B $OUT/io-$label-$run.log \
        -c 'REPLTOP_TRACE=$tr ${bin[$label]} -c $TEST_TMP/iso.conf'")
    # ISO_NICE=-5: the dashboard and script(1) ahead of everything else on a busy machine
    [ -n "${ISO_NICE:-}" ] && for p in $pane $(descendants "$pane"); do renice -n "$ISO_NICE" -p "$p" >/dev/null; done
    sleep 5 # connected
    pre_ms=$(now_ms)
    sleep "$PRE" # the same figures with every server running, for reference
    stop_ms=$(now_ms)
    node_sigstop db_s1
    end=$((SECONDS + MEASURE))
    key=j
    while [ $SECONDS -lt $end ]; do
        sleep 1.37 # drifts against the 1 s refresh, so keys land at every phase
        tmux -L benchiso send-keys -t bench "$key"
        if [ $key = j ]; then key=k; else key=j; fi
    done
    node_sigcont db_s1
    tmux_stop benchiso
    echo "$stop_ms" >"$OUT/stop-$label-$run.txt"
    # for each refresh k: when its data was ready, and when it started, against when it was
    # due (start of k-1 + interval), in ms; then how many nodes answered and were waited for
    lateness() { # from to
        awk -v from="$1" -v to="$2" -v iv=1000 '
            { start = $4; done = $4 + $6
              if (have && start > from && start <= to)
                  printf "%d %d %d %d\n", done - (prev + iv), start - (prev + iv), $8, $10
              prev = start; have = 1 }' "$tr"
    }
    lateness "$pre_ms" "$stop_ms" >>"$OUT/late-running-$label.txt"
    lateness "$stop_ms" 99999999999999 >>"$OUT/late-$label.txt"
    # key latency: first output after each input, in ms
    awk '$1 == "I" || $1 == "O" { t += $2
            if ($1 == "I") { pending = 1; at = t }
            else if (pending) { printf "%.1f\n", (t - at) * 1000; pending = 0 } }' \
        "$OUT/timing-$label-$run.txt" >>"$OUT/keys-$label.txt"
    sleep 5 # the stopped sessions of this run time out on the servers' side
  done
done

healthy=$((NODES - STOPPED))
row() { # label file column [goal]
    echo "| $1 | $(wc -l <"$2") | $(cut -d' ' -f"$3" "$2" | median) | $(cut -d' ' -f"$3" "$2" | percentile 99) | $(cut -d' ' -f"$3" "$2" | sort -g | tail -n 1) | ${4:-} |"
}
echo "### 2. Isolation ($NODES nodes, $STOPPED SIGSTOPped; $RUNS runs of ${PRE} s running + ${MEASURE} s stopped, pooled)"
echo
echo "| build | measure (ms) | samples | median | p99 | max | goal |"
echo "|---|---|---|---|---|---|---|"
for label in $labels; do
    row "$label | all running: refresh started late by" "$OUT/late-running-$label.txt" 2
    row "$label | all running: fresh data ready late by" "$OUT/late-running-$label.txt" 1
    row "$label | 10 % stopped: refresh started late by" "$OUT/late-$label.txt" 2 "p99 < 50"
    row "$label | 10 % stopped: fresh data ready late by" "$OUT/late-$label.txt" 1 "p99 < 50"
    row "$label | 10 % stopped: key answered in" "$OUT/keys-$label.txt" 1 "< 50"
done
echo
for label in $labels; do
    n=$(wc -l <"$OUT/late-$label.txt")
    short=$(awk -v h="$healthy" '$3 < h' "$OUT/late-$label.txt" | wc -l)
    echo "$label: refreshes after the SIGSTOP in which fewer than the $healthy healthy nodes answered: $short of $n."
    echo
done
