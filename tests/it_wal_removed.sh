#!/usr/bin/env bash
# A standby that lost the WAL it needs without a slot (issue 15): db_s1 is stopped, the primary
# keeps no WAL for it (wal_keep_size 0, no slot) and recycles what db_s1 still needs. Started
# again, db_s1 asks for a removed segment forever ("requested WAL segment ... has already been
# removed"). repltop must say so — needs_resync, critical, with the positions and the fix — and
# not "not streaming" or "behind". Each fact is checked against PostgreSQL's own answer.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
cluster_up


check "db_s1 streams without a slot" test "$(demo_psql db_m -c "SELECT count(*) FROM pg_replication_slots")" = 0
ctl -D "$DEMO_DIR/db_s1" stop -m fast
need=$(demo_psql db_m -c "SELECT pg_walfile_name(pg_current_wal_lsn())")
demo_psql db_m -c "ALTER SYSTEM SET wal_keep_size = 0" -c "SELECT pg_reload_conf()" >/dev/null
demo_psql db_m -d demo -c "CREATE TABLE IF NOT EXISTS filler (x text)" >/dev/null
oldest() { demo_psql db_m -c "SELECT min(substr(name, 9)) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}\$'"; }
recycle() {
    demo_psql db_m -d demo -c "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 3000)" \
        -c "SELECT pg_switch_wal()" -c "CHECKPOINT" >/dev/null
    [[ "$(oldest)" > "${need:8}" ]]
}
if wait_for 120 recycle; then
    ok "PostgreSQL: db_m removed $need, which db_s1 needs (its oldest WAL file is now ...$(oldest))"
else
    not_ok "db_m still keeps $need"
fi
start_node db_s1
removed() { grep -q "requested WAL segment [0-9A-F]* has already been removed" "$DEMO_DIR/db_s1.log"; }
if wait_for 60 removed; then
    ok "PostgreSQL: db_s1's log says $(grep -o 'requested WAL segment [0-9A-F]* has already been removed' "$DEMO_DIR/db_s1.log" | head -n 1)"
else
    not_ok "db_s1's log does not say its WAL was removed"
    tail -n 5 "$DEMO_DIR/db_s1.log" | sed 's/^/# /'
fi
waiting() {
    snap
    q '.nodes[] | select(.name == "db_s1") | .startup_wait_event | test("^Recovery(RetrieveRetryInterval|WalStream)$")'
}
check "repltop reads db_s1's startup process waiting for WAL ($(demo_psql db_s1 -c "SELECT wait_event FROM pg_stat_activity WHERE backend_type = 'startup'"))" \
    wait_for 30 waiting
o=$(oldest)
seg=$(demo_psql db_m -c "SELECT pg_size_bytes(current_setting('wal_segment_size'))")
lsn=$(printf '%X/%X' $((16#${o:0:8})) $((16#${o:8:8} * seg)))
check "db_m's oldest_wal_lsn is the start of its oldest WAL file, ${o} = $lsn" \
    q --arg l "$lsn" '.nodes[] | select(.name == "db_m") | .oldest_wal_lsn == $l'
check "needs_resync for db_s1, critical, with what it needs, what db_m keeps and the fix" \
    q '.cluster.problems[] | select(.code == "needs_resync" and .node == "db_s1") |
       .severity == "critical" and (.message | test("needs WAL from [0-9A-F]+/[0-9A-F]+, db_m keeps WAL only from")) and
       (.message | test("repltop resync db_s1"))'
check "db_s1's state is needs_resync, flag set; no not_streaming for it" \
    q '(.nodes[] | select(.name == "db_s1") | .state == "needs_resync" and .needs_resync) and
       ([.cluster.problems[] | select(.code == "not_streaming" and .node == "db_s1")] | length == 0)'
check "db_s1 is not the failover candidate, db_s2 (streaming) has no problem" \
    q '.cluster.candidate == "db_s2" and ([.cluster.problems[] | select(.node == "db_s2")] | length == 0)'
"$REPLTOP" -c "$CONF" status >"$TEST_TMP/status.txt"
check "the table shows db_s1 needs_resync" grep -q 'db_s1 .*needs_resync' "$TEST_TMP/status.txt"
