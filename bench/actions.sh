#!/usr/bin/env bash
# 5. Actions on the demo cluster.
#  promote: a fresh demo cluster per run; SIGKILL db_m; then `repltop promote db_s2 --yes`.
#   Measured from the launch of the command: (a) the first INSERT that commits on db_s2 (a
#   psql probe retrying every 20 ms from before the launch; its own start-up is ~10 ms),
#   (b) what promote itself prints: "promoted in N ms" (pg_promote) and "db_s1 streams from
#   the new primary on timeline T (N ms after promote)", (c) the command's whole wall time.
#  resync: `repltop resync db_s1 --yes` against a plain `pg_basebackup -X stream -R
#   --checkpoint=fast` of the same primary into a scratch directory, alternating, on a
#   primary holding pgbench data (scale SCALE).
# Env: RUNS (5), SCALE (30: ~450 MB).
. "$(dirname "$0")/lib.sh"
SCALE=${SCALE:-30}
OUT=$BENCH_OUT/actions
rm -rf "$OUT" && mkdir -p "$OUT"
make_test_tmp
BASE_TMP=$TEST_TMP

probe_write() { # port file: retries an INSERT until it commits, prints the ms it did
    local port=$1
    until PGPASSFILE=$DEMO_DIR/pgpass PGCONNECT_TIMEOUT=1 psql -X -q -h 127.0.0.1 -p "$port" \
        -U postgres -d postgres -c "INSERT INTO bench_probe VALUES (now())" >/dev/null 2>&1; do
        sleep 0.02
    done
    now_ms >"$2"
}

for run in $(seq 1 "$RUNS"); do
    log "actions: promote run $run of $RUNS"
    DEMO_DIR=$BASE_TMP/promote$run
    "$REPLTOP" demo up --dir "$DEMO_DIR" >"$OUT/demo-up-$run.log" 2>&1 || { cat "$OUT/demo-up-$run.log"; exit 1; }
    CONF=$DEMO_DIR/repltop.conf
    demo_psql db_m -c "CREATE TABLE bench_probe (at timestamptz)"
    wait_for 10 sh -c "[ \"\$(PGPASSFILE=$DEMO_DIR/pgpass psql -X -At -h 127.0.0.1 -p $(demo_port db_s2) -U postgres -d postgres -c \"SELECT to_regclass('bench_probe') IS NOT NULL\")\" = t ]"
    "$REPLTOP" -c "$CONF" status >/dev/null 2>&1 # as the dashboard would: remembers the sync list
    kill -KILL "$(node_pid db_m)"
    sleep 0.5
    probe_write "$(demo_port db_s2)" "$OUT/written-$run.txt" &
    probe=$!
    t0=$(now_ms)
    "$REPLTOP" -c "$CONF" promote db_s2 --yes >"$OUT/promote-$run.log" 2>&1
    t1=$(now_ms)
    wait "$probe"
    pm=$(sed -n 's/.*promoted in \([0-9]*\) ms.*/\1/p' "$OUT/promote-$run.log" | head -n 1)
    st=$(sed -n 's/.*streams from the new primary on timeline [0-9]* (\([0-9]*\) ms after promote).*/\1/p' "$OUT/promote-$run.log" | head -n 1)
    echo "$(($(cat "$OUT/written-$run.txt") - t0)) ${pm:-nan} ${st:-nan} $((t1 - t0))" >>"$OUT/promote.txt"
    "$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1
    rm -rf "$DEMO_DIR"
done

log "actions: resync vs pg_basebackup (pgbench scale $SCALE)"
DEMO_DIR=$BASE_TMP/resync
"$REPLTOP" demo up --dir "$DEMO_DIR" >"$OUT/demo-up-resync.log" 2>&1 || { cat "$OUT/demo-up-resync.log"; exit 1; }
CONF=$DEMO_DIR/repltop.conf
PGPASSFILE=$DEMO_DIR/pgpass pgbench -q -i -s "$SCALE" -h 127.0.0.1 -p "$(demo_port db_m)" -U postgres postgres \
    >"$OUT/pgbench-init.log" 2>&1
demo_psql db_m -c "CHECKPOINT"
size=$(demo_psql db_m -c "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")
bindir=$(pg_bin)
repl_pw=$(awk -F: '$4 == "replication_user" {print $5; exit}' "$DEMO_DIR/pgpass")
for run in $(seq 1 "$RUNS"); do
    log "actions: resync run $run of $RUNS"
    scratch=$BASE_TMP/plain
    rm -rf "$scratch" && mkdir -p "$scratch"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$scratch" && chmod 700 "$scratch"
    t0=$(now_ms)
    run_as_server env PGPASSWORD="$repl_pw" "$bindir/pg_basebackup" -D "$scratch" -X stream -R \
        --checkpoint=fast -d "host=127.0.0.1 port=$(demo_port db_m) user=replication_user" \
        >"$OUT/basebackup-$run.log" 2>&1
    t1=$(now_ms)
    rm -rf "$scratch"
    sync
    t2=$(now_ms)
    # each line of its progress with the ms it was printed at, to see where the time goes
    stdbuf -oL -eL "$REPLTOP" -c "$CONF" resync db_s1 --yes 2>&1 | while IFS= read -r line; do
        echo "$(($(now_ms) - t2)) $line"
    done >"$OUT/resync-$run.log"
    t3=$(now_ms)
    copy=$(sed -n 's/.*pg_basebackup copied .* in \([0-9.]*\) s.*/\1/p' "$OUT/resync-$run.log" | head -n 1)
    # the old data directory resync keeps aside: remove it so the disk does not fill up
    rm -rf "$DEMO_DIR"/db_s1.repltop-old-* 2>/dev/null
    sync
    echo "$((t1 - t0)) $((t3 - t2)) ${copy:-nan}" >>"$OUT/resync.txt"
done
"$REPLTOP" demo down --dir "$DEMO_DIR" >/dev/null 2>&1

echo "### 5. Actions (median of $RUNS runs)"
echo
echo "| promote db_s2 after SIGKILL of db_m, from the command's launch | ms |"
echo "|---|---|"
echo "| first INSERT committed on db_s2 (external probe) | $(cut -d' ' -f1 "$OUT/promote.txt" | median) |"
echo "| pg_promote() returned (printed by promote) | $(cut -d' ' -f2 "$OUT/promote.txt" | median) |"
echo "| db_s1 streams on the new timeline (printed, from pg_promote) | $(cut -d' ' -f3 "$OUT/promote.txt" | median) |"
echo "| whole command | $(cut -d' ' -f4 "$OUT/promote.txt" | median) |"
echo
echo "All runs (probe, promoted, streaming, whole): $(tr '\n' ';' <"$OUT/promote.txt")"
echo
echo "| resync db_s1 vs plain pg_basebackup ($size, side by side) | s |"
echo "|---|---|"
pb=$(cut -d' ' -f1 "$OUT/resync.txt" | median)
rs=$(cut -d' ' -f2 "$OUT/resync.txt" | median)
echo "| plain pg_basebackup -X stream -R --checkpoint=fast | $(awk -v v="$pb" 'BEGIN {printf "%.2f", v/1000}') |"
echo "| repltop resync (stop, move aside, clone, start, wait streaming) | $(awk -v v="$rs" 'BEGIN {printf "%.2f", v/1000}') |"
echo "| its pg_basebackup step (printed by resync) | $(cut -d' ' -f3 "$OUT/resync.txt" | median) |"
echo "| ratio resync / plain (median of per-run ratios) | $(awk '{print $2/$1}' "$OUT/resync.txt" | median) |"
echo
