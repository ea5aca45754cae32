#!/usr/bin/env bash
# Repeatable instruction counts (valgrind --tool=callgrind) of the dashboard's own work per
# refresh, by phase, with 3 and 200 nodes: the dashboard runs under callgrind in tmux
# (200x50); once every node is connected, instrumentation is switched on for CG_SECONDS
# (callgrind_control -i on), then it quits with q, and each phase's inclusive count is divided
# by the refreshes made meanwhile (REPLTOP_TRACE). Use these, not CPU seconds, to compare
# builds. Env: CG_SECONDS (40), CG_SIZES ("3 200"), CG_MASSIF (1; 0 skips massif).
# Also the heap at its peak (valgrind --tool=massif, 200 nodes): who holds the memory.
. "$(dirname "$0")/lib.sh"
CG_SECONDS=${CG_SECONDS:-40}
CG_SIZES=${CG_SIZES:-"3 200"}
CG_MASSIF=${CG_MASSIF:-1}
OUT=$BENCH_OUT/callgrind
rm -rf "$OUT" && mkdir -p "$OUT"

bench_cluster_up
for n in $CG_SIZES; do fleet_conf "$n" "$TEST_TMP/n$n.conf"; done
chmod 777 "$OUT" # the tmux child writes there

echo "### Instructions per refresh (callgrind, ${CG_SECONDS} s of the connected dashboard; inclusive Ir / refreshes)"
echo
echo "| nodes | refreshes | cluster_handle (libpq, parse) | cluster_snapshot (derive) | app_take_snapshot (events, history) | dashboard_render (panels) | term_draw (curses) | whole process per refresh |"
echo "|---|---|---|---|---|---|---|---|"
for n in $CG_SIZES; do
    log "callgrind: $n nodes"
    tr=$OUT/trace-$n.txt
    # instrumentation off until every node has connected (SCRAM under valgrind is slow and
    # start-up is measured by startup.sh), then on for CG_SECONDS
    pane=$(tmux_start benchcg "REPLTOP_TRACE=$tr valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file=$OUT/callgrind-$n.out $REPLTOP -c $TEST_TMP/n$n.conf 2>$OUT/valgrind-$n.log")
    wait_for 300 grep -qs "answered $n waiting" "$tr"
    sleep 2
    for p in $pane $(descendants "$pane"); do callgrind_control -i on "$p" >/dev/null 2>&1; done
    before=$(wc -l <"$tr")
    sleep "$CG_SECONDS"
    refreshes=$(($(wc -l <"$tr") - before))
    tmux -L benchcg send-keys -t bench q
    wait_for 60 sh -c "! tmux -L benchcg has-session 2>/dev/null"
    tmux_stop benchcg
    callgrind_annotate --inclusive=yes --threshold=100 "$OUT/callgrind-$n.out" >"$OUT/annotate-$n.txt" 2>/dev/null
    ir() { # function name -> inclusive Ir per refresh
        awk -v f="$1" -v r="$refreshes" '{ gsub(",", "", $1) }
            $0 ~ ("[:]" f " ") || $0 ~ ("[:]" f "$") { printf "%.0f", $1 / r; found = 1; exit }
            END { if (!found) printf "-" }' "$OUT/annotate-$n.txt"
    }
    total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$OUT/annotate-$n.txt")
    # instrumentation switched on inside cluster_handle puts the whole program under it; the
    # function's own calls are then "cluster_handle'2"
    ch=$(ir "cluster_handle'2")
    [ "$ch" = - ] && ch=$(ir cluster_handle)
    echo "| $n | $refreshes | $ch | $(ir cluster_snapshot) | $(ir app_take_snapshot) | $(ir dashboard_render) | $(ir term_draw) | $(awk -v t="$total" -v r="$refreshes" 'BEGIN {printf "%.0f", t/r}') |"
done
echo
[ "$CG_MASSIF" = 0 ] && exit 0
log "massif: 200 nodes"
tmux_start benchms "valgrind --tool=massif --massif-out-file=$OUT/massif-200.out $REPLTOP -c $TEST_TMP/n200.conf \
    2>$OUT/massif.log" >/dev/null
sleep 30
tmux -L benchms send-keys -t bench q
wait_for 30 sh -c "! tmux -L benchms has-session 2>/dev/null"
tmux_stop benchms
ms_print "$OUT/massif-200.out" >"$OUT/massif-200.txt"
echo "Heap at its peak with 200 nodes (massif; full tree in bench/out/callgrind/massif-200.txt):"
echo
echo '```'
peak=$(sed -n 's/.*[[ ]\([0-9]*\) (peak).*/\1/p' "$OUT/massif-200.txt")
awk -v peak="$peak" '$1 == peak && NF >= 6 { p = 1; print; next }
    p && /^->/ { print } p && /^ +[0-9]+ / { exit }' "$OUT/massif-200.txt" | cut -c1-110 | head -n 14
echo '```'
echo
