#!/usr/bin/env bash
# Durability survives a failover (issue 18): a promote whose previous synchronous list is unknown
# (primary SIGKILLed, no memory, no policy, no standby holding a list) refuses and changes
# nothing; --async is accepted and logged as a durability downgrade; with a declared policy
# ([repltop] sync = FIRST 1) the new primary's list comes from the policy, a rejoin rebuilds it
# so the returning node counts again, and no acknowledged row is lost.
source "$(dirname "$0")/lib.sh"
cluster_up
J=$TEST_TMP/s.json
OUT=$TEST_TMP/out
ids=$TEST_TMP/acked.ids
fresh_state() { export XDG_STATE_HOME=$TEST_TMP/state.$1; } # no memory of the cluster
run() { "$REPLTOP" -c "$CONF" "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
reaped() { ! ps -o stat= -p "$1" 2>/dev/null | grep -q .; }
sync_names() { demo_psql "$1" -c 'SHOW synchronous_standby_names'; }
in_recovery() { demo_psql "$1" -c 'SELECT pg_is_in_recovery()'; }

# Insert load until n rows are acknowledged, then SIGKILL of the primary; load_acked gets the
# number of acknowledged rows.
load_and_kill() { # primary n
    : >"$ids.new"
    "$REPLTOP" demo load 60 --dir "$DEMO_DIR" --ids "$ids.new" >"$TEST_TMP/load.out" 2>&1 &
    local load_pid=$! pid
    on_exit "kill $load_pid"
    enough_rows() { [ -s "$ids.new" ] && [ "$(wc -l <"$ids.new")" -ge "$2" ]; }
    wait_for "$(slow_secs 30)" enough_rows "$@"
    pid=$(node_pid "$1")
    kill -KILL "$pid"
    wait_for 20 reaped "$pid"
    wait "$load_pid"
    cat "$ids.new" >>"$ids"
    load_acked=$(wc -l <"$ids.new")
}

# --- round 1: no memory, no policy, standbys without a list ---------------------------------
fresh_state 1
check_eq "the standbys hold no list of their own" "" "$(sync_names db_s2)$(sync_names db_s1)"
load_and_kill db_m 2000
check "the writer had acknowledged rows when db_m died ($load_acked)" [ "$load_acked" -ge 2000 ]

run promote db_s2 --yes
rc=$?
show_out
check_eq "(a) previous list unknown, no policy: refused (exit 1)" 1 "$rc"
check "(a) one fail line naming the three ways forward" \
    bash -c "grep '^fail:' '$OUT' | grep -q -- '--sync-names SPEC' && grep '^fail:' '$OUT' | grep -q -- '--async' && grep '^fail:' '$OUT' | grep -q 'repltop\] sync ='"
check_eq "(a) one fail line" 1 "$(grep -c '^fail:' "$OUT")"
check_eq "(a) nothing changed: db_s2 is still in recovery" t "$(in_recovery db_s2)"
check_eq "(a) nothing changed: db_s2's list is untouched" "" "$(sync_names db_s2)"
check "(a) no ALTER SYSTEM, no pg_promote" bash -c "! grep -Eq 'ALTER SYSTEM|pg_promote' '$OUT'"

run promote db_s2 --yes --async --sync-names 'FIRST 1 (db_s1)'
check_eq "--async with --sync-names: exit 3" 3 $?
check_eq "... and db_s2 is still in recovery" t "$(in_recovery db_s2)"

run promote db_s2 --yes --async
rc=$?
show_out
check_eq "(b) --async: promoted (exit 0)" 0 "$rc"
check "(b) says commits will be acknowledged without any standby" \
    grep -q "commits will be acknowledged without any standby" "$OUT"
check_eq "(b) db_s2 is a primary" f "$(in_recovery db_s2)"
check_eq "(b) db_s2's list is ''" "" "$(sync_names db_s2)"
log=$XDG_STATE_HOME/repltop/actions.log
check "(b) the audit log records a durability downgrade chosen by the operator" \
    grep -q "promote db_s2 warn: durability downgrade chosen by the operator (--async)" "$log"
check_eq "(b) every acknowledged row is on db_s2 (missing)" 0 "$(missing_ids db_s2 "$ids")"

# --- round 2: a declared policy -------------------------------------------------------------
sed -i 's/^\[repltop\]$/[repltop]\nsync = FIRST 1/' "$CONF"
check "the policy is in the config" grep -q '^sync = FIRST 1$' "$CONF"
run rejoin db_m --yes
rc=$?
show_out
check_eq "rejoin db_m: exit 0" 0 "$rc"
check "rejoin rebuilt db_s2's list from the policy" grep -q "rebuilt from the sync policy 'FIRST 1'" "$OUT"
app_s1=$(jq -r '.nodes[] | select(.name=="db_s1") | .application_name' <(status_json))
check_eq "db_s2's list is the policy's: the other nodes in config order" \
    "FIRST 1 (db_m, $app_s1)" "$(sync_names db_s2)"
db_m_sync() { status_json >"$J"; jq -e '.nodes[] | select(.name=="db_m") | .state == "streaming" and .sync_state == "sync"' "$J" >/dev/null; }
check "db_m streams and is the sync standby" wait_for "$(slow_secs 20)" db_m_sync

# a standby carrying a list in its own postgresql.auto.conf: named as the source, policy wins
demo_psql db_s1 -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (walreceiversync)'" >/dev/null
demo_psql db_s1 -c 'SELECT pg_reload_conf()' >/dev/null
fresh_state 2
load_and_kill db_s2 2000
check "the writer had acknowledged rows when db_s2 died ($load_acked)" [ "$load_acked" -ge 2000 ]
cand=$(status_json | jq -r .cluster.candidate)
check "status names a candidate ($cand)" [ -n "$cand" ] && [ "$cand" != null ]
run promote "$cand" --yes
rc=$?
show_out
check_eq "(c) promote $cand with the policy: exit 0" 0 "$rc"
check "(c) the step line says the policy wins over the standby's own list" \
    grep -q "from the declared policy 'FIRST 1' (\[repltop\] sync in .*): it wins over the old list '.*' (from db_[ms]1*'s own postgresql.auto.conf, as copied when it was cloned.*it may be old)" "$OUT"
others=()
for n in db_m db_s1 db_s2; do
    [ "$n" = "$cand" ] && continue
    if [ "$n" = db_s1 ] && [ "$cand" != db_s1 ]; then others+=("$app_s1"); else others+=("$n"); fi
done
want="FIRST 1 ($(IFS=,; echo "${others[*]}" | sed 's/,/, /g'))"
check_eq "(c) the new primary's list is the policy's" "$want" "$(sync_names "$cand")"
check_eq "(c) every acknowledged row is on $cand (missing)" 0 "$(missing_ids "$cand" "$ids")"

run rejoin db_s2 --yes
rc=$?
show_out
check_eq "(c) rejoin db_s2: exit 0" 0 "$rc"
list=$(sync_names "$cand")
check "(c) the list includes the rejoined db_s2 ($list)" grep -q db_s2 <<<"$list"
db_s2_counts() { status_json >"$J"; jq -e '.nodes[] | select(.name=="db_s2") | .state == "streaming" and (.sync_state == "sync" or .sync_state == "potential")' "$J" >/dev/null; }
check "(c) db_s2 streams as sync or potential" wait_for "$(slow_secs 20)" db_s2_counts
check_eq "(c) 0 acknowledged rows lost over both failovers (missing on $cand)" 0 "$(missing_ids "$cand" "$ids")"
status_json >"$J"
check "(c) both standbys stream" \
    jq -e '[.nodes[] | select(.role == "standby" and .state == "streaming")] | length == 2' "$J"
check "no password in the audit log or the output" no_password_in "$XDG_STATE_HOME/repltop/actions.log" "$OUT"

# sync set --save: the applied list becomes the policy in the config file
run sync set "$list" --save --yes
rc=$?
show_out
check_eq "sync set --save: exit 0" 0 "$rc"
check "the config's policy is now the list" grep -qxF "sync = $list" "$CONF"
check_eq "one sync line in the config" 1 "$(grep -c '^sync = ' "$CONF")"
status_json >"$J"
check "the config still loads and the cluster is known" jq -e ".cluster.primary == \"$cand\"" "$J"
