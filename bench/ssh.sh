#!/usr/bin/env bash
# 8. Resync over ssh: on the three namespace hosts of tests/lib_hosts.sh, `repltop resync db_s1
#   --yes` (db_s1 on host2, reached with ssh) against a plain `pg_basebackup -X stream -R
#   --checkpoint=fast` run on host2 itself into a scratch directory (its removal not timed),
#   alternating (odd runs the plain copy first, even ones the resync first), from db_m on
#   host1 holding pgbench data (scale SCALE). The resync's lines are time-stamped as they come
#   ($BENCH_OUT/ssh/resyncN.log), which splits it into phases: the copy (from its pg_basebackup
#   line to "copied": the part a plain pg_basebackup compares with), the stop of the old server,
#   the start and the wait until it streams (what a plain pg_basebackup does not do), and the
#   rest (process start, the checks, moving aside, config files, the ssh round trips); "fixed"
#   is the whole resync less its copy. The ssh handshake is paid once per action (a master
#   connection under $XDG_RUNTIME_DIR/repltop). Each row says the load average when it began;
#   the last line sums it up: the resync against the plain copy, against the goal (within 5 %).
#   A second baseline, "by hand": the same job as an operator types it on host2 without
#   repltop, timed from the stop to streaming: pg_ctl stop -m fast, mv of the data directory
#   aside, pg_basebackup -X stream -R, pg_ctl start, a psql every 10 ms until
#   pg_stat_wal_receiver says streaming (its aside copy's removal not timed). Its ratio is what
#   repltop's checks and ssh cost over the stop, start and wait that any resync pays.
#   Needs root (network namespaces); says why and stops otherwise.
# Env: RUNS (5), SCALE (20: ~330 MB; 200: ~3.2 GB, where the copy dominates), BEFORE (another
#   build of repltop, e.g. of the commit before a change: its resync is timed in each run too,
#   in the last column).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../tests/lib_hosts.sh"
SCALE=${SCALE:-20}
OUT=$BENCH_OUT/ssh
rm -rf "$OUT" && mkdir -p "$OUT"
why=$(hosts_cannot)
[ -z "$why" ] || { log "ssh: cannot run here: $why"; exit 0; }
make_test_tmp
# db_m, its two standbys, the plain copy and the resync's (the old one aside until removed)
need_mb=$((SCALE * 16 * 6 + 2048))
free_mb=$(df -Pm "$TEST_TMP" | awk 'NR == 2 {print $4}')
[ "$free_mb" -ge "$need_mb" ] || { log "ssh: SCALE=$SCALE needs ~$need_mb MB free in $TEST_TMP, $free_mb there"; exit 1; }
hosts_up >"$OUT/hosts-up.log" 2>&1 || { log "ssh: the hosts did not come up (see $OUT)"; exit 1; }
CONF=$TEST_TMP/repltop.conf
hosts_config "$CONF"
log "ssh: pgbench -i -s $SCALE on db_m (host1)"
"$HOSTS_PG/pgbench" -i -q -s "$SCALE" -h "$(hosts_addr 1)" -U postgres postgres >"$OUT/pgbench.log" 2>&1
hosts_psql 1 -c CHECKPOINT >/dev/null
size=$(hosts_psql 1 -c "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")
wait_for 60 hosts_streaming 2 3

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); } # no process per time stamp
# the time stamp (ms) of the first line of FILE matching PATTERN
at() { awk -v p="$2" '$0 ~ p {print $1; exit}' "$1"; }
sec() { printf '%.2f' "$(echo "$1 / 1000" | bc -l)"; }

load() { cut -d' ' -f1 /proc/loadavg; }
BEFORE=${BEFORE:-}
echo "| run | load | plain pg_basebackup on host2 s | by hand on host2 s | resync over ssh s | its copy s | fixed (resync − copy) s | stop s | start + streaming s | rest s |${BEFORE:+ resync by BEFORE s (its fixed part) |}"
echo "|---|---|---|---|---|---|---|---|---|---|${BEFORE:+---|}"
plain=() hand=() ours=() copy=() stop=() start=() rest=() before=() before_fixed=() loads=()
# a plain copy into a scratch directory on host2, timed alone (not its removal): P ms
plain_copy() {
    local t0 t1
    t0=$(ms)
    hosts_pg 2 "$HOSTS_PG/pg_basebackup" -D /var/lib/postgresql/15/scratch -X stream -R \
        --checkpoint=fast -d "host=$(hosts_addr 1) user=postgres" >>"$OUT/plain.log" 2>&1
    t1=$(ms)
    rm -rf "$HOSTS_DIR/host2/var/lib/postgresql/15/scratch"
    P=$((t1 - t0))
}
# the same job by hand on host2, as one shell there (no ssh, no checks): H ms
hand_script='D=/var/lib/postgresql/15/main; b=$1
"$b/pg_ctl" -D "$D" -m fast -w stop >/dev/null || exit 1
mv -- "$D" "$D.by-hand" || exit 1
"$b/pg_basebackup" -D "$D" -X stream -R --checkpoint=fast -d "$2" || exit 1
"$b/pg_ctl" -D "$D" -l /var/log/postgresql/postgresql-15-main.log -w start >/dev/null || exit 1
until [ "$("$b/psql" -X -A -t -h /run/postgresql -d postgres -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; do sleep 0.01; done'
hand_resync() {
    local t0 t1
    t0=$(ms)
    hosts_pg 2 sh -c "$hand_script" sh "$HOSTS_PG" \
        "host=$(hosts_addr 1) port=5432 user=postgres application_name=walreceiver" >>"$OUT/hand.log" 2>&1 ||
        { log "ssh: the resync by hand failed (see $OUT/hand.log)"; exit 1; }
    t1=$(ms)
    rm -rf "$HOSTS_DIR/host2/var/lib/postgresql/15/main.by-hand"
    H=$((t1 - t0))
}
# repltop resync db_s1 over ssh, its lines time-stamped in $L: R ms
resync_copy() {
    local t1 t2
    t1=$(ms)
    hosts_repltop -c "$CONF" resync db_s1 --yes 2>&1 |
        while IFS= read -r line; do echo "$(ms) $line"; done >"$L"
    t2=$(ms)
    # the old copy each resync keeps aside would fill the disk
    rm -rf "$HOSTS_DIR"/host2/var/lib/postgresql/15/main.repltop-old-*
    R=$((t2 - t1))
}
for run in $(seq 1 "$RUNS"); do
    l=$(load)
    loads+=("$l")
    L=$OUT/resync$run.log
    # odd runs copy plainly first, even ones resync first: what one leaves (the page cache,
    # the writeback of the other's files) weighs on both alike
    if [ $((run % 2)) = 1 ]; then
        plain_copy
        hand_resync
        resync_copy
    else
        resync_copy
        hand_resync
        plain_copy
    fi
    grep -q "^[0-9]* done: " "$L" || { log "ssh: run $run: the resync failed (see $L)"; exit 1; }
    c=$(($(at "$L" "copied ") - $(at "$L" "step: pg_basebackup -D")))
    s=$(($(at "$L" "is stopped") - $(at "$L" "step: stopping")))
    w=$(($(at "$L" "streams from .* after start") - $(at "$L" "step: starting")))
    plain+=("$P") hand+=("$H") ours+=("$R") copy+=("$c") stop+=("$s") start+=("$w")
    rest+=($((R - c - s - w)))
    b=
    if [ -n "$BEFORE" ]; then
        B=$OUT/before$run.log
        t3=$(ms)
        REPLTOP=$BEFORE hosts_repltop -c "$CONF" resync db_s1 --yes 2>&1 |
            while IFS= read -r line; do echo "$(ms) $line"; done >"$B"
        t4=$(ms)
        rm -rf "$HOSTS_DIR"/host2/var/lib/postgresql/15/main.repltop-old-*
        bf=$((t4 - t3 - ($(at "$B" "copied ") - $(at "$B" "step: pg_basebackup -D"))))
        before+=($((t4 - t3))) before_fixed+=("$bf")
        b=" $(sec $((t4 - t3))) ($(sec "$bf")) |"
    fi
    echo "| $run | $l | $(sec "$P") | $(sec "$H") | $(sec "$R") | $(sec "$c") | $(sec $((R - c))) | $(sec "$s") | $(sec "$w") | $(sec $((R - c - s - w))) |$b"
done
med() { printf '%s\n' "$@" | median; }
ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
mb=
[ -z "$BEFORE" ] || mb=" $(sec "$(med "${before[@]}")") ($(sec "$(med "${before_fixed[@]}")")) |"
mp=$(med "${plain[@]}") mh=$(med "${hand[@]}") mo=$(med "${ours[@]}") mc=$(med "${copy[@]}")
fixed=()
for i in "${!ours[@]}"; do fixed+=($((ours[i] - copy[i]))); done
mf=$(med "${fixed[@]}")
echo "| median ($size) | $(med "${loads[@]}") | $(sec "$mp") | $(sec "$mh") (×$(ratio "$mh" "$mp")) | $(sec "$mo") (×$(ratio "$mo" "$mp"); ×$(ratio "$mo" "$mh") by hand) | $(sec "$mc") (×$(ratio "$mc" "$mp")) | $(sec "$mf") | $(sec "$(med "${stop[@]}")") | $(sec "$(med "${start[@]}")") | $(sec "$(med "${rest[@]}")") |$mb"
bnote=
[ -z "$BEFORE" ] || bnote="; the build BEFORE: $(sec "$(med "${before[@]}")") s, fixed part $(sec "$(med "${before_fixed[@]}")") s"
r=$(ratio "$mo" "$mp")
verdict="not met"
[ "$(echo "$r <= 1.05" | bc -l)" = 1 ] && verdict=met
echo
echo "ssh ($size, SCALE=$SCALE, $RUNS run(s), load $(printf '%s\n' "${loads[@]}" | sort -g | head -n 1)–$(printf '%s\n' "${loads[@]}" | sort -g | tail -n 1)): resync over ssh $(sec "$mo") s against a plain pg_basebackup on the host $(sec "$mp") s = ×$r (goal ≤ ×1.05: $verdict); against the same job by hand on the host (stop, mv, pg_basebackup, start, until streaming) $(sec "$mh") s = ×$(ratio "$mo" "$mh") (repltop's checks and ssh: $(sec "$(echo "$mo - $mh" | bc -l)") s); its copy phase ×$(ratio "$mc" "$mp"); the fixed part (resync − copy) $(sec "$mf") s = $(printf '%.0f' "$(echo "100 * $mf / $mp" | bc -l)") % of the plain copy$bnote"
