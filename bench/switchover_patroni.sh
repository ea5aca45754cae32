#!/usr/bin/env bash
# 8b. `patronictl switchover` on a running Patroni lab on this machine, measured like
#  bench/switchover.sh: the same writer (one psql session, one row per transaction, reconnecting
#  through a multi-host conninfo with target_session_attrs=read-write), RUNS switchovers, each
#  `patronictl -c CONF switchover --leader L --candidate S --force` from the current leader to
#  the current synchronous standby (with synchronous_mode Patroni takes no other candidate). Per run: write downtime (last row acknowledged by the old leader -> first by the new
#  one), the command's wall time, the time until `patronictl list` shows the old leader streaming
#  again, and acknowledged rows lost. Not part of `make bench`: it needs a Patroni cluster, which
#  it does not start (Patroni's own lab: /work/shared/labs/patroni_lab.sh, or any other).
# Env: PATRONI_CONF (a member's patroni.yml), PGPASSFILE_LAB (a passfile for the superuser, or
#   empty with trust), PORTS "NAME:PORT ..." of all members, RUNS (5).
. "$(dirname "$0")/lib.sh"
: "${PATRONI_CONF:?the patroni.yml of a member}" "${PORTS:?NAME:PORT ...}"
OUT=$BENCH_OUT/switchover_patroni
rm -rf "$OUT" && mkdir -p "$OUT"
ACKED=$OUT/acked.txt
STOP=$OUT/writer.stop
: >"$ACKED"
port_of() { tr ' ' '\n' <<<"$PORTS" | awk -F: -v n="$1" '$1 == n {print $2}'; }
hosts=$(for _ in $PORTS; do printf '127.0.0.1,'; done | sed 's/,$//')
ports=$(tr ' ' '\n' <<<"$PORTS" | cut -d: -f2 | paste -sd,)
ci="host=$hosts port=$ports user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=2"
PGPASSFILE=${PGPASSFILE_LAB:-/dev/null} psql -X -q "$ci" -c "CREATE TABLE IF NOT EXISTS users (id bigserial PRIMARY KEY, name text)" || exit 1
ack_writer "$ci" "${PGPASSFILE_LAB:-/dev/null}" "$ACKED" "$STOP" &
WRITER=$!
on_exit "touch '$STOP'; kill $WRITER 2>/dev/null"
wait_for 30 bash -c "[ \$(wc -l <'$ACKED') -ge 200 ]" || { echo "the writer does not commit" >&2; exit 1; }
members() { patronictl -c "$PATRONI_CONF" list -f json 2>/dev/null; }
# a replica again, running or streaming (Patroni 3.0.2 says "running")
streaming_again() { # member
    members | jq -e --arg n "$1" '.[] | select(.Member == $n) | .Role != "Leader" and (.State == "streaming" or .State == "running")' >/dev/null
}
with_role() { members | jq -r --arg r "$1" '.[] | select(.Role == $r) | .Member' | head -n 1; }
for run in $(seq 1 "$RUNS"); do
    wait_for 60 bash -c "patronictl -c '$PATRONI_CONF' list -f json | jq -e '[.[] | select(.Role == \"Sync Standby\")] | length == 1' >/dev/null"
    from=$(with_role Leader)
    to=$(with_role "Sync Standby")
    log "patronictl switchover run $run of $RUNS: $from -> $to"
    sleep 2
    t0=$EPOCHREALTIME
    patronictl -c "$PATRONI_CONF" switchover --leader "$from" --candidate "$to" --force >"$OUT/run-$run.log" 2>&1
    rc=$?
    t1=$EPOCHREALTIME
    wait_for 120 streaming_again "$from"
    t2=$EPOCHREALTIME
    n=$(wc -l <"$ACKED")
    wait_for 30 bash -c "[ \$(wc -l <'$ACKED') -ge $((n + 200)) ]" || log "the writer does not commit after run $run"
    down=$(write_downtime_ms "$ACKED" "$t0" "$(port_of "$from")" "$(port_of "$to")")
    whole=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", (b - a) * 1000}')
    back=$(awk -v a="$t0" -v b="$t2" 'BEGIN {printf "%.0f", (b - a) * 1000}')
    awk '{print $2}' "$ACKED" | LC_ALL=C sort -u >"$OUT/acked-ids"
    PGPASSFILE=${PGPASSFILE_LAB:-/dev/null} psql -X -q -A -t "host=127.0.0.1 port=$(port_of "$to") user=postgres dbname=postgres" \
        -c "SELECT id FROM users" | LC_ALL=C sort -u >"$OUT/have-ids"
    lost=$(LC_ALL=C comm -23 "$OUT/acked-ids" "$OUT/have-ids" | wc -l)
    echo "$run $from $to $rc $down $whole $back $lost $(wc -l <"$ACKED")" >>"$OUT/runs.txt"
done
touch "$STOP"
wait "$WRITER" 2>/dev/null

echo "### patronictl switchover under load ($RUNS runs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| run | from → to | exit | write downtime ms | whole command ms | old leader streaming again ms | acknowledged rows lost |"
echo "|---|---|---|---|---|---|---|"
while read -r run f t rc down whole back lost total; do
    echo "| $run | $f → $t | $rc | $down | $whole | $back | $lost of $total |"
done <"$OUT/runs.txt"
echo "| median | | | $(awk '{print $5}' "$OUT/runs.txt" | median) | $(awk '{print $6}' "$OUT/runs.txt" | median) | $(awk '{print $7}' "$OUT/runs.txt" | median) | |"
echo
