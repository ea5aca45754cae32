#!/usr/bin/env bash
# `repltop serve` on the demo cluster: GET /metrics in Prometheus's text format and
# /snapshot.json as status --json; anything else 404, only GET and HEAD; a bad --listen exits 3
# in one line. Then the real Prometheus (Debian's package) scrapes it every second: it holds a
# lag series, and sees repltop_node_up go to 0 for a standby killed with SIGKILL. A frozen
# server (SIGSTOP) delays no scrape: the last snapshot is served, with its age.
source "$(dirname "$0")/lib.sh"
cluster_up
OUT=$TEST_TMP/out
# A long query deadline: a scrape that waited for a frozen node would wait 30 s, not ms.
SCONF=$TEST_TMP/shop.conf
sed -e '/^query_timeout/d' -e 's/^\[repltop\]$/[repltop]\nquery_timeout = 30s/' "$CONF" >"$SCONF"

# ---- the command line ----
"$REPLTOP" -c "$SCONF" serve --listen localhost:9187 >"$OUT" 2>&1
check_eq "a name for --listen: exit 3" 3 $?
check_eq "... in one line" 1 "$(wc -l <"$OUT")"
check "... that shows the form it wants" grep -q "127.0.0.1:9187" "$OUT"
"$REPLTOP" -c "$SCONF" serve >"$OUT" 2>&1
check_eq "no --listen: exit 3" 3 $?
"$REPLTOP" -c "$SCONF" serve --listen 127.0.0.1:70000 >"$OUT" 2>&1
check_eq "a port past 65535: exit 3" 3 $?
"$REPLTOP" serve --help >"$OUT" 2>&1
check "serve --help says what it answers" grep -q "GET /metrics" "$OUT"

PORT=$(test_port)
BASE=http://127.0.0.1:$PORT
"$REPLTOP" -c "$SCONF" serve --listen "127.0.0.1:$PORT" 2>"$TEST_TMP/serve.log" &
SERVE=$!
on_exit "kill $SERVE"
M=$TEST_TMP/m1
all_up() { # the last answer in $M has every node up and both standbys' lag
    curl -sf "$BASE/metrics" -o "$M" &&
        [ "$(grep -c '^repltop_node_up{cluster="shop",node="db_[ms][12]*"} 1$' "$M")" = 3 ] &&
        [ "$(grep -c '^repltop_node_lag_bytes{cluster="shop",node="db_s[12]",stage="replay"} ' "$M")" = 2 ]
}
check "serve answers /metrics: every node up, labelled with the cluster (the config file's name)" \
    wait_for 30 all_up
check "the sync standby has its lag in bytes per stage" \
    grep -q '^repltop_node_lag_bytes{cluster="shop",node="db_s2",stage="replay"} [0-9]' "$M"
check "... and its sync state" grep -q '^repltop_node_sync_state{cluster="shop",node="db_s2",state="sync"} 1$' "$M"
check "the primary has a role, a timeline and a current LSN" bash -c \
    "grep -q '^repltop_node_role{cluster=\"shop\",node=\"db_m\",role=\"primary\"} 1\$' '$M' &&
     grep -q '^repltop_node_timeline{cluster=\"shop\",node=\"db_m\"} 1\$' '$M' &&
     grep -q '^repltop_node_lsn_bytes{cluster=\"shop\",node=\"db_m\",position=\"current\"} [1-9]' '$M'"
check "the primary has no lag of its own (left out, not 0)" \
    bash -c "! grep -q '^repltop_node_lag_bytes{cluster=\"shop\",node=\"db_m\"' '$M'"
check "the cluster is healthy and writes are not blocked" bash -c \
    "grep -q '^repltop_cluster_health{cluster=\"shop\"} 0\$' '$M' &&
     grep -q '^repltop_cluster_writes_blocked{cluster=\"shop\"} 0\$' '$M'"
check "the snapshot's age is served" grep -q '^repltop_snapshot_age_seconds{cluster="shop"} [0-9]' "$M"
if command -v promtool >/dev/null; then
    check "promtool check metrics finds nothing to say" bash -c "promtool check metrics <'$M'"
else
    skip "promtool check metrics: no promtool (Debian's prometheus package)"
fi
check "Content-Type is the text format 0.0.4" bash -c \
    "curl -sf -D - -o /dev/null '$BASE/metrics' | grep -qi '^content-type: text/plain; version=0.0.4'"
check "HEAD /metrics: 200 and no body" bash -c \
    "[ \"\$(curl -s -I -o '$TEST_TMP/head' -w '%{http_code}' '$BASE/metrics')\" = 200 ] &&
     ! grep -q repltop_node_up '$TEST_TMP/head'"
check "the connection is kept between scrapes, as Prometheus does" bash -c \
    "curl -sv -o /dev/null -o /dev/null '$BASE/metrics' '$BASE/metrics' 2>&1 | grep -q 'Re-using existing connection'"
check_eq "another path: 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")"
check_eq "POST: 405" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$BASE/metrics")"

curl -sf "$BASE/snapshot.json" -o "$TEST_TMP/snap.json"
check "/snapshot.json is a snapshot of the three nodes" \
    jq -e '(.nodes | length) == 3 and .cluster.primary == "db_m"' "$TEST_TMP/snap.json"
"$REPLTOP" -c "$SCONF" status --json >"$TEST_TMP/status.json"
check "... with the keys of status --json" bash -c \
    "[ \"\$(jq -c '[paths | map(tostring) | join(\".\")] | map(select(test(\"^(nodes|cluster)\\\\.[0-9]+\") | not)) | sort' '$TEST_TMP/snap.json')\" = \
       \"\$(jq -c '[paths | map(tostring) | join(\".\")] | map(select(test(\"^(nodes|cluster)\\\\.[0-9]+\") | not)) | sort' '$TEST_TMP/status.json')\" ]"
check "a second listener on the same port: exit 3" bash -c \
    "'$REPLTOP' -c '$SCONF' serve --listen 127.0.0.1:$PORT >'$OUT' 2>&1; [ \$? = 3 ] && grep -q 'in use' '$OUT'"

# ---- a page is kept while its snapshot lasts (bench/RESULTS.md 11b): the ages still count ----
# A second serve refreshing every 10 s: two scrapes 0.3 s apart find one snapshot even when
# the machine's load stretches the gap between them.
PORT10=$(test_port)
"$REPLTOP" -c "$SCONF" serve -i 10 --listen "127.0.0.1:$PORT10" 2>/dev/null &
SERVE10=$!
on_exit "kill $SERVE10 2>/dev/null"
same_page_older() { # two scrapes of one snapshot 0.3 s apart: the second is 0.3 s older
    local a b
    curl -sf "http://127.0.0.1:$PORT10/metrics" -o "$TEST_TMP/p1" && sleep 0.3 &&
        curl -sf "http://127.0.0.1:$PORT10/metrics" -o "$TEST_TMP/p2" &&
        a=$(sed -n 's/^repltop_snapshot_\(timestamp\|age\)_seconds{cluster="shop"} //p' "$TEST_TMP/p1" | tr '\n' ' ') &&
        b=$(sed -n 's/^repltop_snapshot_\(timestamp\|age\)_seconds{cluster="shop"} //p' "$TEST_TMP/p2" | tr '\n' ' ') &&
        awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
            exit !(x[1] != "" && x[1] == y[1] && y[2] - x[2] >= 0.25 && y[2] - x[2] < 10) }'
}
check "two scrapes of one snapshot: the same timestamp, the age grown by the time between" \
    wait_for 60 same_page_older
kill "$SERVE10"

# ---- a frozen server delays no scrape ----
node_sigstop db_s2
slowest=0
for i in 1 2 3 4 5 6; do
    t=$(curl -s -o "$TEST_TMP/mh" -w '%{time_total}' --max-time 30 "$BASE/metrics")
    ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
    [ "$ms" -gt "$slowest" ] && slowest=$ms
    sleep 0.5
done
check "six scrapes while db_s2 is frozen each answer at once (slowest ${slowest} ms, the deadline 30 s)" \
    test "$slowest" -lt $(($(slow_secs 2) * 1000))
sample_age() { sed -n "s/^repltop_node_sample_age_seconds{cluster=\"shop\",node=\"$1\"} //p" "$TEST_TMP/mh"; }
s2=$(sample_age db_s2) m=$(sample_age db_m)
check "the frozen node's values are its last ones, with their age (${s2} s)" \
    awk -v a="$s2" 'BEGIN { exit !(a != "" && a >= 2) }'
check "... while the others' keep coming (db_m's are ${m} s old)" \
    awk -v a="$m" -v lim="$(slow_secs 2)" 'BEGIN { exit !(a != "" && a < lim) }'
age=$(sed -n 's/^repltop_snapshot_age_seconds{cluster="shop"} //p' "$TEST_TMP/mh")
check "... and the snapshot served is ${age} s old" \
    awk -v a="$age" -v lim="$(slow_secs 2)" 'BEGIN { exit !(a != "" && a < lim) }'
node_sigcont db_s2

# ---- Prometheus scrapes it ----
if ! command -v prometheus >/dev/null; then
    skip "Prometheus: no prometheus binary (Debian's prometheus package, in .ci/packages)"
    exit 0
fi
PPORT=$(test_port)
PROM=http://127.0.0.1:$PPORT
mkdir -p "$TEST_TMP/prom"
cat >"$TEST_TMP/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: repltop
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
prometheus --config.file="$TEST_TMP/prom/prometheus.yml" --storage.tsdb.path="$TEST_TMP/prom/data" \
    --web.listen-address="127.0.0.1:$PPORT" >"$TEST_TMP/prom/log" 2>&1 &
PROM_PID=$!
on_exit "kill $PROM_PID; wait $PROM_PID"
if ! wait_for 30 curl -sf "$PROM/-/ready" -o /dev/null; then
    skip "Prometheus did not start here: $(tail -n 1 "$TEST_TMP/prom/log")"
    exit 0
fi
ok "Prometheus runs on 127.0.0.1:$PPORT, scraping serve every second"

# query 'PROMQL' jq-filter: true once Prometheus's answer to the instant query passes the filter
query() {
    curl -sf -G "$PROM/api/v1/query" --data-urlencode "query=$1" -o "$TEST_TMP/q.json" &&
        jq -e "$2" "$TEST_TMP/q.json" >/dev/null
}
check "Prometheus holds db_s1's replay lag in bytes" wait_for 30 query \
    'repltop_node_lag_bytes{cluster="shop",node="db_s1",stage="replay"}' '.data.result | length == 1'
check "... and db_s1 is up there" wait_for 30 query 'repltop_node_up{node="db_s1"}' \
    '.data.result[0].value[1] == "1"'
node_kill db_s1
check "db_s1 killed (SIGKILL): serve's page says repltop_node_up 0 at the next snapshot" \
    wait_for 30 bash -c "curl -sf '$BASE/metrics' | grep -q '^repltop_node_up{cluster=\"shop\",node=\"db_s1\"} 0\$'"
check "db_s1 killed (SIGKILL): Prometheus sees repltop_node_up go to 0" wait_for 30 query \
    'repltop_node_up{node="db_s1"}' '.data.result[0].value[1] == "0"'
check "... and its lag series ends (unknown, not 0)" wait_for 30 query \
    'repltop_node_lag_bytes{node="db_s1",stage="replay"}' '.data.result | length == 0'
check "... and the cluster's problems by code count it" wait_for 30 query \
    'repltop_cluster_problems{code="unreachable"}' '.data.result[0].value[1] == "1"'

kill -TERM "$SERVE"
wait "$SERVE"
check_eq "SIGTERM stops serve: exit 0" 0 $?
