#!/usr/bin/env bash
# Hundreds of nodes in one config (issue 14): named sessions cycling over the three demo servers,
# password (SCRAM) authentication, more nodes than the dashboard's poll set once held (256).
#   - `status --json` reports every node reachable: connects are paced, and a node's connect
#     deadline starts when its own attempt does, not while it waits behind the others
#   - the dashboard's recording reaches every node within a few refreshes
#   - the dashboard's first snapshot comes within one node's deadlines, not after all of them
# NODES (300) sets the size; each server gets room for its share of the sessions.
source "$(dirname "$0")/lib.sh"

tmux_setup fleet
NODES=${NODES:-300}

cluster_up
cluster_max_connections $((NODES / 3 + 60)) || { not_ok "max_connections raised"; exit 1; }
F=$TEST_TMP/fleet.conf
fleet_conf "$NODES" "$F"
check_eq "the config has $NODES nodes" "$NODES" "$(grep -c '^db_' "$F")"

# status: one refresh, every node waited for
"$REPLTOP" -c "$F" status --json >"$TEST_TMP/status.json"
reach=$(jq '[.nodes[] | select(.reachable)] | length' "$TEST_TMP/status.json")
check_eq "status --json: all $NODES nodes reachable" "$NODES" "$reach"
if [ "$reach" != "$NODES" ]; then
    jq -r '.nodes[] | select(.reachable | not) | "# \(.name): \(.error)"' "$TEST_TMP/status.json" | head -n 5
fi
check "status --json: every db_m entry is a primary" \
    jq -e '[.nodes[] | select(.role == "primary")] | length == '$((NODES / 3 + (NODES % 3 > 0)))'' \
    "$TEST_TMP/status.json"

# the dashboard, recording every snapshot
REC=$TEST_TMP/fleet.ndjson
tm new-session -d -s main -x 120 -y 40 "'$REPLTOP' -c '$F' --record '$REC' 2>'$TEST_TMP/dash.err'"
last_reachable() { tail -n 1 "$REC" 2>/dev/null | jq '[.nodes[] | select(.reachable)] | length'; }
all_reachable() { [ "$(last_reachable)" = "$NODES" ]; }
if wait_for 60 all_reachable; then
    ok "dashboard: all $NODES nodes reachable in the recording (after $(wc -l <"$REC") snapshots)"
else
    not_ok "dashboard: all $NODES nodes reachable in the recording (last: $(last_reachable))"
    tail -n 1 "$REC" | jq -r '.nodes[] | select(.reachable | not) | "# \(.name): \(.error)"' | head -n 5
fi
# no node ever timed out on connect: its deadline measured it, not the queue before it
timeouts=$(jq -r '.nodes[] | select(.reachable | not) | .error // ""' "$REC" | grep -c 'no answer to connect')
check_eq "dashboard: no node timed out connecting" 0 "$timeouts"
check "the screen shows the nodes" wait_screen 10 'db_m_000'
tm send-keys -t main q
check "q quits" wait_for 10 bash -c "! tmux -L $TMUX_SOCK has-session -t main 2>/dev/null"
