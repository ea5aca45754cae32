#!/usr/bin/env bash
# kill -9 of a Patroni cluster's leader (its Patroni and its postmaster: the machine is gone)
# under an insert load that records every acknowledged id, then `repltop promote` of the sync
# standby, which goes through Patroni (POST /failover): Patroni fails over to it, repltop waits
# until Patroni and PostgreSQL agree, and no acknowledged row is lost. The old leader's Patroni
# started again rejoins it as a replica (Patroni's job, not repltop's).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_patroni.sh"
patroni_test_lab

# every member's REST API: the leader's dies with it
CONF=$TEST_TMP/nodes.conf
{
    printf '[repltop]\npatroni = %s\nconnect_timeout = %ss\nquery_timeout = %ss\n[nodes]\n' \
        "$PAT_API" "$DEADLINE_S" "$DEADLINE_S"
    for m in $PAT_MEMBERS; do
        printf '%s = host=127.0.0.1 port=%s user=postgres dbname=postgres\n' "$m" "$(pat_port "$m")"
    done
    for m in $PAT_MEMBERS; do
        printf '[node %s]\npatroni = http://127.0.0.1:%s\n' "$m" "$(eval "echo \$PAT_REST_$m")"
    done
} >"$CONF"

leader=$(patroni_leader)
cand=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
pat_psql "$leader" -c "CREATE TABLE acked (id int PRIMARY KEY)"
# the writer: a new session per insert, to whichever member accepts writes; an id is written
# down only once its commit was acknowledged
rw="host=127.0.0.1,127.0.0.1,127.0.0.1 port=$PAT_PG_db_m,$PAT_PG_db_s1,$PAT_PG_db_s2 user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=2"
: >"$TEST_TMP/ids"
chmod 666 "$TEST_TMP/ids"
writer() {
    local i=0
    while [ -e "$TEST_TMP/writing" ]; do
        i=$((i + 1))
        if psql -X -q "$rw" -c "INSERT INTO acked VALUES ($i)" >/dev/null 2>&1; then
            echo "$i" >>"$TEST_TMP/ids"
        fi
    done
}
touch "$TEST_TMP/writing"
writer &
writer_pid=$!
on_exit "rm -f '$TEST_TMP/writing'; kill $writer_pid"
wait_for 60 lines_at_least "$TEST_TMP/ids" 50
check "the writer's commits are acknowledged ($(wc -l <"$TEST_TMP/ids") so far)" test "$(wc -l <"$TEST_TMP/ids")" -ge 50

# the leader's machine dies: its Patroni first (else it restarts its postmaster), then postgres
kill -KILL "$(cat "$PLAB/$leader/pid")"
kill -KILL "$(head -n 1 "$PLAB/$leader/data/postmaster.pid")"
before=$(wc -l <"$TEST_TMP/ids")
t0=$(now_ms)
"$REPLTOP" -c "$CONF" promote "$cand" --yes >"$TEST_TMP/out" 2>&1
rc=$?
t1=$(now_ms)
if [ $rc = 0 ]; then
    ok "promote $cand after kill -9 of $leader: through Patroni, exit 0 ($(((t1 - t0) / 1000)) s)"
else
    not_ok "promote $cand after kill -9 of $leader: through Patroni, exit 0"
    sed 's/^/# /' "$TEST_TMP/out"
fi
check "  it went through POST /failover" grep -q "POST .*/failover" "$TEST_TMP/out"
check "  and ended when Patroni agreed" grep -q "^ok: Patroni agrees: leader $cand" "$TEST_TMP/out"
check_eq "  patronictl agrees: $cand leads" "$cand" \
    "$(patroni_list | jq -r '.[] | select(.Role == "Leader") | .Member')"
wait_for 60 lines_at_least "$TEST_TMP/ids" $((before + 20))
check "writes are acknowledged again on $cand" test "$(wc -l <"$TEST_TMP/ids")" -ge $((before + 20))
rm -f "$TEST_TMP/writing"
wait "$writer_pid" 2>/dev/null
pat_psql "$cand" -c "SELECT id FROM acked" | LC_ALL=C sort -u >"$TEST_TMP/have"
lost=$(LC_ALL=C sort -u "$TEST_TMP/ids" | LC_ALL=C comm -23 - "$TEST_TMP/have" | wc -l)
check_eq "0 of $(wc -l <"$TEST_TMP/ids") acknowledged rows lost" 0 "$lost"

# the old leader comes back with its Patroni, which rewinds it (use_pg_rewind)
pat_start "$leader"
if wait_for 120 pat_ready; then
    ok "$leader's Patroni started again rejoins it: three members running, a sync standby"
else
    not_ok "$leader's Patroni started again rejoins it: three members running, a sync standby"
    patroni_list | sed 's/^/# /'
fi
agrees() {
    "$REPLTOP" -c "$CONF" status --json >"$TEST_TMP/s.json"
    [ "$(jq -r '"\(.cluster.primary) \(.cluster.health)"' "$TEST_TMP/s.json")" = "$cand ok" ]
}
if wait_for 30 agrees; then
    ok "repltop agrees: $cand primary, healthy"
else
    not_ok "repltop agrees: $cand primary, healthy"
    jq -r '.cluster.problems[] | "#   \(.severity) \(.code) \(.message)"' "$TEST_TMP/s.json"
fi
