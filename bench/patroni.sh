#!/usr/bin/env bash
# 9. Actions through Patroni: switchover and failover through repltop against `patronictl` on
#   the same Patroni 3.0.2 + etcd 3.4 lab (tests/lib_patroni.sh: three members on loopback,
#   synchronous_mode, with Patroni's default ttl 30, loop_wait 10, retry_timeout 10, not the
#   tests' faster loop), alternating repltop / patronictl.
#  switchover: leader -> Patroni's sync standby. failover: kill -9 of the leader's Patroni and
#   postmaster, then `repltop promote SYNC` / `patronictl failover --candidate SYNC`; the old
#   leader's Patroni is started again and the cluster settles before the next run.
#   Measured from the launch of the command: (a) the first INSERT that commits on the
#   candidate (a psql probe retrying every 50 ms), (b) the command's exit (repltop's waits until
#   Patroni and PostgreSQL agree; patronictl's returns once Patroni answered), (c) all three
#   members running with a sync standby again (/cluster polled every 200 ms).
# Env: RUNS (3).
. "$(dirname "$0")/lib.sh"
PAT_TTL=${PAT_TTL:-30} PAT_LOOP_WAIT=${PAT_LOOP_WAIT:-10} PAT_RETRY_TIMEOUT=${PAT_RETRY_TIMEOUT:-10}
. "$(dirname "$0")/../tests/lib_patroni.sh"
RUNS=${RUNS:-3}
OUT=$BENCH_OUT/patroni
rm -rf "$OUT" && mkdir -p "$OUT"
why=$(patroni_lab_skip_reason)
[ -z "$why" ] || { log "patroni: skipped: $why"; exit 0; }
make_test_tmp
patroni_lab_up || { log "patroni: the lab did not come up"; exit 1; }
CONF=$TEST_TMP/nodes.conf
{
    printf '[repltop]\npatroni = %s\n[nodes]\n' "$PAT_API"
    for m in $PAT_MEMBERS; do printf '%s = host=127.0.0.1 port=%s\n' "$m" "$(pat_port "$m")"; done
    for m in $PAT_MEMBERS; do printf '[node %s]\npatroni = http://127.0.0.1:%s\n' "$m" "$(eval "echo \$PAT_REST_$m")"; done
} >"$CONF"
pat_psql "$(patroni_leader)" -c "CREATE TABLE bench_probe (t timestamptz)"

sync_standby() { curl -s -m 2 "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name'; }
probe_write() { # member file
    until PGCONNECT_TIMEOUT=1 psql -X -q -h 127.0.0.1 -p "$(pat_port "$1")" -U postgres -d postgres \
        -c "INSERT INTO bench_probe VALUES (now())" >/dev/null 2>&1; do
        sleep 0.05
    done
    now_ms >"$2"
}
any_api_ready() { # the cluster settled, asked of any member's API
    local m
    for m in $PAT_MEMBERS; do
        PAT_API=http://127.0.0.1:$(eval "echo \$PAT_REST_$m") pat_ready && return 0
    done
    return 1
}

# measure KIND TOOL: one run; appends "writable exit settled" (ms) to $OUT/KIND.TOOL
measure() {
    local kind=$1 tool=$2 leader cand t0 tw te
    wait_for 180 any_api_ready || { log "not settled before $kind $tool"; return 1; }
    leader=$(for m in $PAT_MEMBERS; do curl -s -m 2 "http://127.0.0.1:$(eval "echo \$PAT_REST_$m")/cluster" && break; done |
        jq -r '.members[] | select(.role == "leader") | .name')
    cand=$(for m in $PAT_MEMBERS; do curl -s -m 2 "http://127.0.0.1:$(eval "echo \$PAT_REST_$m")/cluster" && break; done |
        jq -r '.members[] | select(.role == "sync_standby") | .name')
    if [ "$kind" = failover ]; then
        kill -KILL "$(cat "$PLAB/$leader/pid")"
        kill -KILL "$(head -n 1 "$PLAB/$leader/data/postmaster.pid")"
    fi
    rm -f "$OUT/w"
    t0=$(now_ms)
    probe_write "$cand" "$OUT/w" &
    local probe=$!
    case "$kind.$tool" in
    switchover.repltop) "$REPLTOP" -c "$CONF" switchover "$cand" --yes ;;
    failover.repltop) "$REPLTOP" -c "$CONF" promote "$cand" --yes ;;
    switchover.patronictl) patronictl -c "$PLAB/$cand/patroni.yml" switchover repltop-test --leader "$leader" --candidate "$cand" --force ;;
    failover.patronictl) patronictl -c "$PLAB/$cand/patroni.yml" failover repltop-test --candidate "$cand" --force ;;
    esac >>"$OUT/$kind.$tool.log" 2>&1
    te=$(now_ms)
    wait "$probe"
    tw=$(cat "$OUT/w")
    [ "$kind" = failover ] && pat_start "$leader"
    PAT_API=http://127.0.0.1:$(eval "echo \$PAT_REST_$cand") wait_for 180 pat_ready
    echo "$((tw - t0)) $((te - t0)) $(($(now_ms) - t0))" >>"$OUT/$kind.$tool"
    log "$kind $tool $leader -> $cand: $(tail -n 1 "$OUT/$kind.$tool")"
}

for run in $(seq 1 "$RUNS"); do
    for kind in switchover failover; do
        for tool in repltop patronictl; do
            measure "$kind" "$tool"
        done
    done
done

col() { awk -v c="$1" '{print $c / 1000}' "$2" | median; }
echo "## 9. Actions through Patroni"
echo
echo "median of $RUNS runs, seconds from the command's launch (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| action | tool | writable on the candidate | command returns | all members running, sync standby |"
echo "|---|---|---|---|---|"
for kind in switchover failover; do
    for tool in repltop patronictl; do
        f=$OUT/$kind.$tool
        [ -s "$f" ] || continue
        echo "| $kind | $tool | $(col 1 "$f") | $(col 2 "$f") | $(col 3 "$f") |"
    done
done
