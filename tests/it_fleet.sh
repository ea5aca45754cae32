#!/usr/bin/env bash
# Fleets (issue 14 item 3): several clusters, one config file each, watched together.
#   - -c DIR: every *.conf in name order is a cluster, named by [repltop] cluster = or its file
#   - status --json: {"clusters": [each cluster's own JSON with its name]}; exit = worst health
#   - nodes never mix across clusters: a second real cluster (initdb) is its own, no mismatch
#   - one file, and a directory holding one, keep the single-cluster JSON exactly
#   - one line and exit 3 for duplicate names, a CONNINFO or an action with several clusters
#   - repltop serve on the fleet: each cluster under its own label, /snapshot.json as status
#   - one cluster in two files (the same system identifier, or a node address when it is down):
#     duplicate_cluster on both, naming the other and its file; duplicate_of in the JSON
#   - status --check on a fleet: the fleet's line, one line per cluster not OK, the worst state
#   - record DIR on a fleet: one recording per cluster, each a single cluster's (--replay's)
source "$(dirname "$0")/lib.sh"

cluster_up
BIN=$(pg_bin)
D=$TEST_TMP/clusters.d
mkdir -p "$D"
cp "$CONF" "$D/prod.conf"

# a second real cluster: one small primary of its own
OTHER=$TEST_TMP/other
OP=$(($(demo_port db_s2) + 11))
mkdir -p "$OTHER" && chown postgres "$OTHER" 2>/dev/null
if ! run_as_server "$BIN/initdb" -D "$OTHER/data" -A trust -U postgres >"$TEST_TMP/initdb.log" 2>&1 ||
    ! run_as_server "$BIN/pg_ctl" -D "$OTHER/data" -o "-p $OP -k $OTHER -c listen_addresses=127.0.0.1 -c shared_buffers=8MB" \
        -l "$OTHER/log" start -w -t 60 >/dev/null 2>&1; then
    not_ok "a second cluster starts ($(tail -n 1 "$TEST_TMP/initdb.log"))"
    exit 1
fi
on_exit "run_as_server $BIN/pg_ctl -D $OTHER/data stop -m immediate"
printf '[repltop]\ncluster = billing\n\n[nodes]\nledger = host=127.0.0.1 port=%s user=postgres dbname=postgres\n' \
    "$OP" >"$D/b-billing.conf"
# a third whose only node is not there
printf '[nodes]\ngone = host=127.0.0.1 port=1 connect_timeout=2\n' >"$D/lost.conf"
: >"$D/README" # not a *.conf: left out

J=$TEST_TMP/fleet.json
"$REPLTOP" -c "$D" status --json >"$J"
RC=$?
check_eq "status on a fleet exits with the worst health (critical)" 2 "$RC"
check_eq "one entry per *.conf, in file-name order, named by cluster = or the file" \
    "billing lost prod" "$(jq -r '[.clusters[].name] | join(" ")' "$J")"
check "the fleet's health is the worst" jq -e '.health == "critical"' "$J"
check "each cluster is derived on its own: prod ok with its primary and candidate" \
    jq -e '.clusters[2] | .cluster.health == "ok" and .cluster.primary == "db_m" and .cluster.candidate == "db_s2" and (.nodes | length) == 3' "$J"
check "billing: its one node, its own primary, no node of prod" \
    jq -e '.clusters[0] | .cluster.primary == "ledger" and ([.nodes[].name] == ["ledger"]) and .cluster.health == "ok"' "$J"
check "nodes never mix: different system identifiers, none flagged as another cluster's" \
    jq -e '(.clusters[0].nodes[0].system_identifier != .clusters[2].nodes[0].system_identifier) and ([.clusters[].nodes[] | select(.other_cluster)] | length == 0) and ([.clusters[].cluster.problems[] | select(.code == "system_id_mismatch")] | length == 0)' "$J"
check "lost: critical, its node unreachable (null, not zero)" \
    jq -e '.clusters[1] | .cluster.health == "critical" and .nodes[0].reachable == false and .nodes[0].timeline == null' "$J"

# the table: every cluster under a line with its name
"$REPLTOP" -c "$D" status >"$TEST_TMP/table" 2>"$TEST_TMP/table.err"
check "status table: a line per cluster" \
    bash -c "grep -q '^== cluster billing: ok, 1 of 1 nodes answered' '$TEST_TMP/table' && grep -q '^== cluster prod: ok, 3 of 3' '$TEST_TMP/table' && grep -q '^== cluster lost: critical' '$TEST_TMP/table'"
check "status table: nothing on stderr" [ ! -s "$TEST_TMP/table.err" ]

# -c twice: two healthy clusters, exit 0
"$REPLTOP" -c "$D/prod.conf" -c "$D/b-billing.conf" status --json >"$J"
check_eq "-c twice: two clusters, healthy, exit 0" "0 prod billing" "$? $(jq -r '[.clusters[].name] | join(" ")' "$J")"

# one file: exactly today's JSON; a directory of one file too
"$REPLTOP" -c "$D/prod.conf" status --json >"$J"
check "one file: the single-cluster JSON (no clusters list)" \
    jq -e 'has("clusters") == false and .cluster.primary == "db_m" and (.nodes | length) == 3' "$J"
mkdir -p "$TEST_TMP/one.d" && cp "$D/b-billing.conf" "$TEST_TMP/one.d/"
"$REPLTOP" -c "$TEST_TMP/one.d" status --json >"$J"
check "a directory of one file: the single-cluster JSON" \
    jq -e 'has("clusters") == false and .nodes[0].name == "ledger"' "$J"

# bad input: one line, exit 3
expect3() { # what pattern command...
    local what=$1 want=$2
    shift 2
    "$@" >/dev/null 2>"$TEST_TMP/err"
    local rc=$?
    if [ "$rc" -eq 3 ] && grep -q -- "$want" "$TEST_TMP/err" && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ]; then
        ok "$what: exit 3 with one line"
    else
        not_ok "$what: expected exit 3 and '$want' in one line, got $rc: $(cat "$TEST_TMP/err")"
    fi
}
cp "$D/b-billing.conf" "$TEST_TMP/again.conf"
expect3 "duplicate cluster names" 'duplicate cluster name "billing"' \
    "$REPLTOP" -c "$D" -c "$TEST_TMP/again.conf" status
expect3 "a CONNINFO with several clusters" 'a CONNINFO watches one cluster' \
    "$REPLTOP" -c "$D" status "host=127.0.0.1 port=1"
expect3 "an action with several -c" 'promote acts on one cluster' \
    "$REPLTOP" -c "$D/prod.conf" -c "$D/b-billing.conf" promote db_s1 --yes
: >"$TEST_TMP/rec.ndjson"
expect3 "record of a fleet into a file, not a directory" 'is not a directory: a fleet of 3 clusters' \
    "$REPLTOP" -c "$D" record "$TEST_TMP/rec.ndjson"
check "record refused before writing to that file" [ ! -s "$TEST_TMP/rec.ndjson" ]

# status --check on the fleet: the worst (lost: no node answered, UNKNOWN; billing and prod OK)
"$REPLTOP" -c "$D" status --check >"$TEST_TMP/check" 2>"$TEST_TMP/check.err"
RC=$?
check_eq "--check on a fleet: exit 3 (UNKNOWN: lost has no node that answers, the others are OK)" 3 "$RC"
check "--check: the first line is the fleet's, with counts as perfdata" grep -qE \
    "^REPLTOP UNKNOWN - 1 of 3 clusters not OK: 0 critical, 0 warning, 1 unknown \| 'clusters'=3 'clusters_ok'=2 .*'nodes'=5 'nodes_answering'=4$" "$TEST_TMP/check"
check_eq "--check: then one line per cluster not OK, and only those" \
    "UNKNOWN lost: gone (127.0.0.1:1) is down" "$(sed -n '2,$p' "$TEST_TMP/check" | sed 's/ is down.*/ is down/')"
check "--check: nothing on stderr" [ ! -s "$TEST_TMP/check.err" ]

# record DIR: one recording per cluster, for 2 refreshes, each a single cluster's snapshots
R=$TEST_TMP/rec.d
"$REPLTOP" -c "$D/prod.conf" -c "$D/b-billing.conf" -i 0.5 record "$R" 2>"$TEST_TMP/rec.err" &
REC_PID=$!
on_exit "kill $REC_PID"
recorded() { [ "$(wc -l <"$R/prod.ndjson")" -ge 2 ] && [ "$(wc -l <"$R/billing.ndjson")" -ge 2 ]; } 2>/dev/null
check "record DIR on a fleet: a recording per cluster, named by the cluster" wait_for 30 recorded
kill -INT "$REC_PID"
wait "$REC_PID"
check_eq "record stops on SIGINT with exit 0" 0 $?
check "record DIR: each line is that cluster's snapshot (its own nodes)" bash -c \
    "jq -e -s 'all(.[]; [.nodes[].name] == [\"ledger\"])' '$R/billing.ndjson' >/dev/null && jq -e -s 'all(.[]; (.nodes | length) == 3 and .cluster.primary == \"db_m\")' '$R/prod.ndjson' >/dev/null"
check "record DIR: the files are the operator's only (0600 in a 0700 directory)" bash -c \
    "[ \$(stat -c %a '$R') = 700 ] && [ \$(stat -c %a '$R/prod.ndjson') = 600 ]"

# serve on the fleet: one cluster label per file, /snapshot.json as status --json on a fleet
SPORT=$(test_port)
"$REPLTOP" -c "$D" serve --listen "127.0.0.1:$SPORT" 2>"$TEST_TMP/serve.log" &
SERVE_PID=$!
on_exit "kill $SERVE_PID"
M=$TEST_TMP/metrics
scraped() { curl -sf "http://127.0.0.1:$SPORT/metrics" >"$M"; }
check "serve on a fleet answers /metrics once every cluster refreshed" wait_for 30 scraped
check "serve: every cluster's health, by its name" bash -c \
    "grep -q '^repltop_cluster_health{cluster=\"billing\"} 0' '$M' && grep -q '^repltop_cluster_health{cluster=\"prod\"} 0' '$M' && grep -q '^repltop_cluster_health{cluster=\"lost\"} 2' '$M'"
check "serve: each node under its own cluster (ledger up in billing, gone down in lost)" bash -c \
    "grep -q '^repltop_node_up{cluster=\"billing\",node=\"ledger\"} 1' '$M' && grep -q '^repltop_node_up{cluster=\"lost\",node=\"gone\"} 0' '$M' && ! grep -q 'cluster=\"billing\",node=\"db_m\"' '$M'"
curl -sf "http://127.0.0.1:$SPORT/snapshot.json" >"$J"
check_eq "serve: /snapshot.json lists the clusters as status --json does" \
    "billing lost prod" "$(jq -r '[.clusters[].name] | join(" ")' "$J")"
kill "$SERVE_PID"
wait "$SERVE_PID"
check_eq "serve stops on SIGTERM with exit 0" 0 $?

# one cluster in two files: prod again under another name, and the standby db_s2 alone
cp "$D/prod.conf" "$TEST_TMP/prod-copy.conf"
{
    echo "[repltop]"
    echo "cluster = mirror"
    echo "[nodes]"
    grep '^db_s2 = ' "$CONF" | sed 's/^db_s2 = /replica = /'
} >"$TEST_TMP/mirror.conf"
"$REPLTOP" -c "$D/prod.conf" -c "$TEST_TMP/prod-copy.conf" -c "$D/b-billing.conf" -c "$TEST_TMP/mirror.conf" \
    status --json >"$J"
check_eq "the same cluster twice: exit 2 (mirror has no primary), prod a warning" \
    "2 warning" "$? $(jq -r '.clusters[0].cluster.health' "$J")"
check_eq "duplicate_of: prod and prod-copy name each other and mirror; billing nothing" \
    "prod-copy,mirror prod,mirror  prod,prod-copy" \
    "$(jq -r '[.clusters[] | .duplicate_of | join(",")] | join(" ")' "$J")"
check "duplicate_cluster on prod names both files, prod-copy and the system identifier" jq -e --arg f "$TEST_TMP/prod-copy.conf" \
    '.clusters[0] as $c | [$c.cluster.problems[] | select(.code == "duplicate_cluster" and .severity == "warning" and (.message | contains("one cluster in two files: '"$D/prod.conf"' and " + $f + " (cluster prod-copy)")) and (.message | contains($c.nodes[0].system_identifier)))] | length == 1' "$J"
check "billing, a cluster of its own, is not flagged" \
    jq -e '[.clusters[2].cluster.problems[] | select(.code == "duplicate_cluster")] | length == 0' "$J"

# a node down in both files: no system identifier, the same address still says it
printf '[repltop]\ncluster = lost-again\n[nodes]\nsame = host=localhost port=1 connect_timeout=2\n' >"$TEST_TMP/lost2.conf"
"$REPLTOP" -c "$D/lost.conf" -c "$TEST_TMP/lost2.conf" status >"$TEST_TMP/table"
check "the same address down in two files: duplicate_cluster in the table, both named" grep -q \
    "duplicate_cluster .*one server in two files: gone (127.0.0.1:1) in $D/lost.conf is node same of cluster lost-again in $TEST_TMP/lost2.conf" "$TEST_TMP/table"
