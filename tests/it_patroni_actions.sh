#!/usr/bin/env bash
# A real Patroni 3.0.2 cluster (etcd 3.4, three members, synchronous_mode; tests/lib_patroni.sh):
# the node list comes from Patroni alone; repltop shows Patroni's view and no false critical
# problem through three of Patroni's own switchovers; switchover, promote (failover), the sync
# count and reinitialize through repltop end as Patroni reports them (patronictl agrees);
# Patroni's rules and rejoin are refused with the reason; without the REST API, the direct
# actions are refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_patroni.sh"
patroni_test_lab

# --- a node list from Patroni alone ---------------------------------------------------------
"$REPLTOP" --patroni "$PAT_API" status --json >"$TEST_TMP/s.json" 2>"$TEST_TMP/err"
check_eq "--patroni URL alone: the members are the nodes, by member name" "db_m db_s1 db_s2" \
    "$(jq -r '[.nodes[].name] | sort | join(" ")' "$TEST_TMP/s.json")"
check_eq "the primary is Patroni's leader" "$(patroni_leader)" "$(jq -r .cluster.primary "$TEST_TMP/s.json")"
check_eq "Patroni's view in the JSON: known, scope, synchronous_mode" "true repltop-test true" \
    "$(jq -r '[.patroni.known, .patroni.scope, .patroni.settings.synchronous_mode] | join(" ")' "$TEST_TMP/s.json")"
check_eq "each node is matched to its member" "db_m db_s1 db_s2" \
    "$(jq -r '[.nodes[].patroni_member] | sort | join(" ")' "$TEST_TMP/s.json")"
sync=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
check_eq "the failover candidate is Patroni's sync standby" "$sync" "$(jq -r .cluster.candidate "$TEST_TMP/s.json")"
check_eq "healthy, no problem" "ok 0" "$(jq -r '"\(.cluster.health) \(.cluster.problems | length)"' "$TEST_TMP/s.json")"

# --- the dashboard: who runs the cluster, and Patroni's view of a node ----------------------
tmux_setup patroni
tm new-session -d -s main -x 120 -y 40 -e PGUSER=postgres -e XDG_STATE_HOME="$XDG_STATE_HOME" \
    "$REPLTOP" --patroni "$PAT_API"
if wait_screen 30 "run by Patroni \(scope repltop-test\), REST ok"; then
    ok "the dashboard's header: run by Patroni, its REST API answers"
else
    not_ok "the dashboard's header: run by Patroni, its REST API answers"
    dump
fi
tm send-keys -t main g # the first node, and its detail
if wait_screen 10 "Patroni member" && wait_screen 10 "Patroni role +(leader|sync_standby|replica)" &&
    wait_screen 10 "Patroni tags +none"; then
    ok "the detail panel shows Patroni's view: member, role, tags"
else
    not_ok "the detail panel shows Patroni's view: member, role, tags"
    dump
fi
tm kill-server

# --- three switchovers by Patroni itself, sampled all along ----------------------------------
sampler() {
    while [ -e "$TEST_TMP/sampling" ]; do
        "$REPLTOP" -c "$PAT_CONF" status --json 2>/dev/null |
            jq -r '.cluster.problems[] | select(.severity == "critical") | "\(.code) \(.node) \(.message)"' \
                >>"$TEST_TMP/criticals"
    done
}
touch "$TEST_TMP/sampling" "$TEST_TMP/criticals"
sampler &
sampler_pid=$!
on_exit "rm -f '$TEST_TMP/sampling'; kill $sampler_pid"
settled() { # leader: Patroni and repltop agree, healthy
    "$REPLTOP" -c "$PAT_CONF" status --json >"$TEST_TMP/st.json" 2>/dev/null
    [ "$(jq -r '"\(.cluster.primary) \(.cluster.health)"' "$TEST_TMP/st.json")" = "$1 ok" ] && pat_ready
}
for i in 1 2 3; do
    leader=$(patroni_leader)
    cand=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
    patronictl -c "$PLAB/db_m/patroni.yml" switchover repltop-test --leader "$leader" \
        --candidate "$cand" --force >"$TEST_TMP/pctl.$i" 2>&1
    if wait_for 90 settled "$cand"; then
        ok "Patroni's switchover $i ($leader -> $cand): repltop shows $cand as the primary, healthy"
    else
        not_ok "Patroni's switchover $i ($leader -> $cand): repltop shows $cand as the primary, healthy"
        sed 's/^/# /' "$TEST_TMP/pctl.$i"
        jq -c '.cluster' "$TEST_TMP/st.json" | sed 's/^/# /'
    fi
done
rm -f "$TEST_TMP/sampling"
wait "$sampler_pid" 2>/dev/null
# no_primary for the second the old leader is down and the new one not yet up is true; a
# fork, two primaries or a standby to rewind would be false
false_crit=$(grep -Ev '^no_primary |^unreachable ' "$TEST_TMP/criticals" | sort -u)
if [ -z "$false_crit" ]; then
    ok "no false critical problem through the three switchovers ($(wc -l <"$TEST_TMP/criticals") true ones: no primary for a moment)"
else
    not_ok "no false critical problem through the three switchovers"
    echo "$false_crit" | sed 's/^/#   /'
fi

# --- actions through Patroni's REST API -----------------------------------------------------
pctl_leader() { patroni_list | jq -r '.[] | select(.Role == "Leader") | .Member'; }
pctl_syncs() { patroni_list | jq -r '[.[] | select(.Role == "Sync Standby") | .Member] | length'; }
act() { "$REPLTOP" -c "$PAT_CONF" "$@" --yes >"$TEST_TMP/out" 2>&1; }

sync=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
other=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "replica") | .name')
act promote "$other"
check_eq "promote of a replica that is not the sync standby: refused by Patroni's rule (exit 1)" 1 "$?"
check "  it says why" grep -q "not Patroni's sync standby" "$TEST_TMP/out"

if act switchover "$sync"; then ok "switchover $sync through repltop: exit 0"; else
    not_ok "switchover $sync through repltop: exit 0"
    sed 's/^/# /' "$TEST_TMP/out"
fi
check "  POST /switchover, Patroni's answer, then its agreement" grep -q "^ok: Patroni agrees: leader $sync" "$TEST_TMP/out"
check_eq "  patronictl agrees: $sync leads" "$sync" "$(pctl_leader)"

sync=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
if act promote "$sync"; then ok "promote $sync through repltop (POST /failover): exit 0"; else
    not_ok "promote $sync through repltop (POST /failover): exit 0"
    sed 's/^/# /' "$TEST_TMP/out"
fi
check_eq "  patronictl agrees: $sync leads" "$sync" "$(pctl_leader)"

act sync set --count 2
check_eq "sync set --count 2 through repltop (PATCH /config): exit 0" 0 "$?"
check_eq "  Patroni's config says synchronous_node_count 2" 2 "$(curl -s "$PAT_API/config" | jq .synchronous_node_count)"
check_eq "  patronictl shows two sync standbys" 2 "$(pctl_syncs)"
act sync set --count 1
check_eq "  and back to 1: one sync standby" "0 1" "$? $(pctl_syncs)"
act sync set 'FIRST 1 (db_m, db_s1)'
check_eq "sync set with a member list: refused, the list is Patroni's (exit 1)" 1 "$?"
check "  it says what to use instead" grep -q "sync set --count N" "$TEST_TMP/out"
check_eq "  and nothing went to postgresql.auto.conf" "" \
    "$(grep -h synchronous_standby_names "$PLAB"/*/data/postgresql.auto.conf 2>/dev/null)"

replica=$(curl -s "$PAT_API/cluster" | jq -r '[.members[] | select(.role == "replica")][0].name')
if act resync "$replica"; then ok "resync $replica through repltop (POST /reinitialize): exit 0"; else
    not_ok "resync $replica through repltop (POST /reinitialize): exit 0"
    sed 's/^/# /' "$TEST_TMP/out"
fi
check "  Patroni rebuilt it: it runs on the leader's timeline" bash -c \
    "patronictl -c '$PLAB/db_m/patroni.yml' list -f json | jq -e '.[] | select(.Member == \"$replica\" and .State == \"running\" and .TL != null)'"
act rejoin "$replica"
check_eq "rejoin: Patroni's own job, refused (exit 1)" 1 "$?"
check "  it explains use_pg_rewind" grep -q "use_pg_rewind" "$TEST_TMP/out"

# --- without the REST API, the direct actions are refused (model/ops/manager_gate) ----------
leader=$(patroni_leader)
sync=$(curl -s "$PAT_API/cluster" | jq -r '.members[] | select(.role == "sync_standby") | .name')
printf '[nodes]\n' >"$TEST_TMP/direct.conf"
for m in $PAT_MEMBERS; do
    printf '%s = host=127.0.0.1 port=%s user=postgres dbname=postgres\n' "$m" "$(pat_port "$m")" >>"$TEST_TMP/direct.conf"
done
"$REPLTOP" -c "$TEST_TMP/direct.conf" promote "$sync" --yes --force >"$TEST_TMP/out" 2>&1
check_eq "no REST API: a direct promote is refused even with --force (exit 1)" 1 "$?"
check_eq "  and Patroni's leader did not change" "$leader" "$(patroni_leader)"
