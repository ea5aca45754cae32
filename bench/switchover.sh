#!/usr/bin/env bash
# 8. Planned switchover (issue 12) on the demo cluster under a steady insert load.
#  One demo cluster; RUNS switchovers alternating db_m -> db_s2 -> db_m ... (`repltop
#  switchover NODE --yes`). A writer keeps one psql session inserting one row per transaction
#  (synchronous_commit on: each commit waits for the sync standby), reconnecting through a
#  multi-host conninfo with target_session_attrs=read-write; every acknowledged row is
#  time-stamped as it comes back ($EPOCHREALTIME, no fork) with the port of the server that
#  committed it. Per run:
#   - write downtime: the last row acknowledged by the old primary -> the first acknowledged by
#     the new one (the client's view: connection loss, reconnect and the first commit included);
#   - what the command prints: "no primary for N ms" (stop -> the new primary accepts a local
#     commit) and "promoted in N ms" (pg_promote);
#   - the whole command's wall time;
#   - acknowledged rows missing on the new primary afterwards (must be 0).
# Env: RUNS (5).
. "$(dirname "$0")/lib.sh"
OUT=$BENCH_OUT/switchover
rm -rf "$OUT" && mkdir -p "$OUT"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
ACKED=$OUT/acked.txt
STOP=$OUT/writer.stop
: >"$ACKED"

writer() {
    ack_writer "host=127.0.0.1,127.0.0.1,127.0.0.1 port=$(demo_port db_m),$(demo_port db_s1),$(demo_port db_s2) user=postgres dbname=demo target_session_attrs=read-write connect_timeout=2" \
        "$DEMO_DIR/pgpass" "$ACKED" "$STOP"
}
writer &
WRITER=$!
on_exit "touch '$STOP'; kill $WRITER 2>/dev/null"
acks() { wc -l <"$ACKED"; }
wait_for 30 bash -c "[ \$(wc -l <'$ACKED') -ge 200 ]" || { echo "the writer does not commit" >&2; exit 1; }

from=db_m
to=db_s2
for run in $(seq 1 "$RUNS"); do
    log "switchover run $run of $RUNS: $from -> $to"
    sleep 2 # a steady load before each switchover
    t0=$EPOCHREALTIME
    "$REPLTOP" -c "$DEMO_DIR/repltop.conf" switchover "$to" --yes >"$OUT/run-$run.log" 2>&1
    rc=$?
    t1=$EPOCHREALTIME
    n=$(acks)
    wait_for 30 bash -c "[ \$(wc -l <'$ACKED') -ge $((n + 200)) ]" || log "the writer does not commit after run $run"
    down=$(write_downtime_ms "$ACKED" "$t0" "$(demo_port "$from")" "$(demo_port "$to")")
    whole=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", (b - a) * 1000}')
    noprim=$(sed -n 's/.*no primary for \([0-9]*\) ms.*/\1/p' "$OUT/run-$run.log")
    prom=$(sed -n 's/.*promoted in \([0-9]*\) ms.*/\1/p' "$OUT/run-$run.log")
    awk '{print $2}' "$ACKED" | LC_ALL=C sort -u >"$OUT/acked-ids"
    demo_psql "$to" -d demo -c "SELECT id FROM users" | LC_ALL=C sort -u >"$OUT/have-ids"
    lost=$(LC_ALL=C comm -23 "$OUT/acked-ids" "$OUT/have-ids" | wc -l)
    rewound=$(grep -c 'pg_rewind -D' "$OUT/run-$run.log")
    echo "$run $from $to $rc $down $noprim $prom $whole $lost $rewound $(acks)" >>"$OUT/runs.txt"
    tmp=$from
    from=$to
    to=$tmp
done
touch "$STOP"
wait "$WRITER" 2>/dev/null

echo "### Switchover under load ($RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| run | from → to | exit | write downtime ms | \"no primary for\" ms | pg_promote ms | whole command ms | acknowledged rows lost | pg_rewind |"
echo "|---|---|---|---|---|---|---|---|---|"
while read -r run f t rc down noprim prom whole lost rew total; do
    echo "| $run | $f → $t | $rc | $down | ${noprim:-–} | ${prom:-–} | $whole | $lost of $total | $rew |"
done <"$OUT/runs.txt"
for col in 5 6 7 8; do awk -v c=$col '{print $c}' "$OUT/runs.txt" | median >"$OUT/median.$col"; done
echo "| median | | | $(cat "$OUT/median.5") | $(cat "$OUT/median.6") | $(cat "$OUT/median.7") | $(cat "$OUT/median.8") | | |"
echo
