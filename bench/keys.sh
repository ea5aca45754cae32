#!/usr/bin/env bash
# 2b. Key latency inside the dashboard: the isolation setting of isolation.sh (200 nodes, the
# 20 on db_s1 SIGSTOPped, servers at nice 10), keys j/k every 1.37 s for KEYS_SECONDS, with
# strace attached to the dashboard: from the read(0) that returns the key to the first
# write(1) after it, i.e. without script(1), tmux or the scheduler's delays in passing the
# bytes around. strace slows every system call a little: an upper bound.
# Env: KEYS_SECONDS (100); REPLTOP_BEFORE as in isolation.sh.
. "$(dirname "$0")/lib.sh"
KEYS_SECONDS=${KEYS_SECONDS:-100}
OUT=$BENCH_OUT/keys
rm -rf "$OUT" && mkdir -p "$OUT"
command -v strace >/dev/null || { echo "keys.sh needs strace" >&2; exit 1; }

bench_cluster_up
fleet_conf 200 "$TEST_TMP/iso.conf" 20
for n in db_m db_s1 db_s2; do renice -n 10 -p "$(node_pid "$n")" >/dev/null; done

declare -A bin=([after]=$REPLTOP)
labels=after
if [ -n "${REPLTOP_BEFORE:-}" ]; then bin[before]=$REPLTOP_BEFORE; labels="before after"; fi
for label in $labels; do
    log "keys: $label (${KEYS_SECONDS}s with db_s1 stopped)"
    pane=$(tmux_start benchkeys "${bin[$label]} -c $TEST_TMP/iso.conf")
    sleep 6
    pid=$(repltop_pid_under "$pane")
    node_sigstop db_s1
    strace -ttt -e trace=read,write -p "$pid" -o "$OUT/strace-$label.txt" 2>/dev/null &
    st=$!
    key=j
    end=$((SECONDS + KEYS_SECONDS))
    while [ $SECONDS -lt $end ]; do
        sleep 1.37
        tmux -L benchkeys send-keys -t bench "$key"
        if [ $key = j ]; then key=k; else key=j; fi
    done
    kill "$st"
    wait "$st" 2>/dev/null
    node_sigcont db_s1
    tmux_stop benchkeys
    awk '/ read\(0,/ && !/= -1/ { t = $1; pending = 1; next }
         pending && / write\(1,/ { printf "%.2f\n", ($1 - t) * 1000; pending = 0 }' \
        "$OUT/strace-$label.txt" >"$OUT/keys-$label.txt"
    sleep 5
done

echo "### 2b. Key answered inside the dashboard (strace: read of the key to the first write; 10 % stopped)"
echo
echo "| build | keys | median ms | p99 ms | max ms | goal |"
echo "|---|---|---|---|---|---|"
for label in $labels; do
    f=$OUT/keys-$label.txt
    echo "| $label | $(wc -l <"$f") | $(median <"$f") | $(percentile 99 <"$f") | $(sort -g "$f" | tail -n 1) | < 50 |"
done
echo
