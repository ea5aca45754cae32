#!/usr/bin/env bash
# 8. Resync over ssh: on the three namespace hosts of tests/lib_hosts.sh, `repltop resync db_s1
#   --yes` (db_s1 on host2, reached with ssh) against a plain `pg_basebackup -X stream -R
#   --checkpoint=fast` run on host2 itself into a scratch directory, alternating, from db_m on
#   host1 holding pgbench data (scale SCALE). The ssh handshake is paid once per action (a
#   master connection under $XDG_RUNTIME_DIR/repltop); its steps are time-stamped in
#   $BENCH_OUT/ssh. Needs root (network namespaces); says why and stops otherwise.
# Env: RUNS (5), SCALE (20: ~330 MB).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tests/lib_hosts.sh"
SCALE=${SCALE:-20}
OUT=$BENCH_OUT/ssh
rm -rf "$OUT" && mkdir -p "$OUT"
why=$(hosts_cannot)
[ -z "$why" ] || { log "ssh: cannot run here: $why"; exit 0; }
make_test_tmp
hosts_up >"$OUT/hosts-up.log" 2>&1 || { log "ssh: the hosts did not come up (see $OUT)"; exit 1; }
CONF=$TEST_TMP/repltop.conf
hosts_config "$CONF"
log "ssh: pgbench -i -s $SCALE on db_m (host1)"
"$HOSTS_PG/pgbench" -i -q -s "$SCALE" -h "$(hosts_addr 1)" -U postgres postgres >"$OUT/pgbench.log" 2>&1
hosts_psql 1 -c CHECKPOINT >/dev/null
size=$(hosts_psql 1 -c "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")
wait_for 60 hosts_streaming 2 3

echo "| run | plain pg_basebackup on host2 s | repltop resync over ssh s |"
echo "|---|---|---|"
plain=() ours=()
for run in $(seq 1 "$RUNS"); do
    t0=$(now_ms)
    hosts_pg 2 "$HOSTS_PG/pg_basebackup" -D /var/lib/postgresql/15/scratch -X stream -R \
        --checkpoint=fast -d "host=$(hosts_addr 1) user=postgres" >>"$OUT/plain.log" 2>&1
    t1=$(now_ms)
    rm -rf "$HOSTS_DIR/host2/var/lib/postgresql/15/scratch"
    hosts_repltop -c "$CONF" resync db_s1 --yes 2>&1 |
        while IFS= read -r line; do echo "$(now_ms) $line"; done >"$OUT/resync$run.log"
    t2=$(now_ms)
    # the old copy each resync keeps aside would fill the disk
    rm -rf "$HOSTS_DIR"/host2/var/lib/postgresql/15/main.repltop-old-*
    plain+=($((t1 - t0)))
    ours+=($((t2 - t1)))
    printf '| %d | %.2f | %.2f |\n' "$run" "$(echo "$((t1 - t0)) / 1000" | bc -l)" "$(echo "$((t2 - t1)) / 1000" | bc -l)"
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
mp=$(med "${plain[@]}") mo=$(med "${ours[@]}")
printf '| median (%s) | %.2f | %.2f (×%.3f) |\n' "$size" "$(echo "$mp / 1000" | bc -l)" \
    "$(echo "$mo / 1000" | bc -l)" "$(echo "$mo / $mp" | bc -l)"
