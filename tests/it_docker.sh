#!/bin/bash
# Nodes in containers (tests/lib_docker.sh): db_m, db_s1, db_s2 as Docker containers reached with
# `docker =`. How each node is reached; failures before any change (no such container, no docker
# daemon, a wrong datadir) as one clear line; the reference drill of docs/DESIGN.md section 1 as
# the report did it (an insert load, docker kill --signal=SIGKILL db_m, promote db_s2 with nothing
# acknowledged lost, rejoin db_m rewound and never a primary, resync db_s1); a new replica in a
# fresh container. The image is built once and cached, outside the timed part.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_docker.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
docker_start
ok "three containers up from $DOCKER_IMAGE: db_s1 and db_s2 streaming from db_m"
OUT=$TEST_TMP/out
J=$TEST_TMP/s.json
act() { "$REPLTOP" -c "$CONF" "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
status_is() { # NODE JQ-CONDITION
    "$REPLTOP" -c "$CONF" status --json >"$J" 2>/dev/null
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$J" >/dev/null
}
asides() { # NODE KIND: copies kept aside in the node's volume
    dk run --rm -v "$1_data:/v" --entrypoint ls "$DOCKER_IMAGE" -A /v 2>/dev/null | grep -c "^data\.repltop-$2-"
}
one_fail() { # PATTERN: the output is one fail: line matching it
    [ "$(grep -c '^fail:' "$OUT")" = 1 ] && grep -q "^fail: .*$1" "$OUT"
}

# ---- how each node is reached; the addresses come from docker inspect
"$REPLTOP" -c "$CONF" status --json >"$J"
check_eq "status --json says how each node is reached for actions" \
    "docker db_m,docker db_s1,docker db_s2" "$(jq -r '[.nodes[].actions_via] | join(",")' "$J")"
check "with no host in the conninfo, repltop finds each container's address" \
    jq -e '[.nodes[] | select(.role == "primary" or .state == "streaming")] | length == 3' "$J"

# ---- failures before any change: one clear line
refused() { # CONF PATTERN WHAT: resync db_s1 with CONF fails with one line matching PATTERN
    "$REPLTOP" -c "$1" resync db_s1 --yes >"$OUT" 2>&1
    if one_fail "$2"; then ok "$3: one clear line"; else not_ok "$3: one clear line"; show_out; fi
}
sed 's/^docker = db_s1$/docker = db_nosuch/' "$CONF" >"$TEST_TMP/nosuch.conf"
refused "$TEST_TMP/nosuch.conf" "docker db_nosuch failed: .*No such container" "no such container"
sed "s|^docker_host = .*|docker_host = unix://$TEST_TMP/no-dockerd.sock|" "$CONF" >"$TEST_TMP/nodaemon.conf"
refused "$TEST_TMP/nodaemon.conf" "docker db_s1 failed: .*Cannot connect to the Docker daemon" \
    "no docker daemon at docker_host"
awk '/^\[node db_s1\]/{s=1} s && /^datadir/{$0="datadir = /var/lib/postgresql/nowhere"; s=0} {print}' "$CONF" >"$TEST_TMP/nodir.conf"
refused "$TEST_TMP/nodir.conf" "no data directory at /var/lib/postgresql/nowhere in db_s1" "a wrong datadir"
check_eq "the failures changed nothing: db_s1 runs, nothing moved aside" "running 0" \
    "$(docker_state db_s1) $(asides db_s1 old)"
check "db_s1 still streams" docker_streaming db_m db_s1

# ---- the drill: an insert load, docker kill --signal=SIGKILL db_m, promote db_s2
"$REPLTOP" -c "$CONF" status >/dev/null 2>&1 # the sync list is remembered for the promote
docker_psql db_m -c "CREATE TABLE users (id int PRIMARY KEY)"
ACKED=$TEST_TMP/acked
: >"$ACKED"
M_ADDR=$(docker_addr db_m)
(
    for i in $(seq 1 200000); do
        /usr/lib/postgresql/15/bin/psql -X -q -h "$M_ADDR" -U postgres -d postgres \
            -c "INSERT INTO users VALUES ($i)" >/dev/null 2>&1 || exit 0
        echo "$i" >>"$ACKED"
    done
) &
LOAD=$!
on_exit "kill $LOAD"
wait_for 30 test "$(wc -l <"$ACKED")" -ge 50
KILLED_AT=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
check "docker kill --signal=SIGKILL db_m under an insert load" dk kill --signal=SIGKILL db_m
wait "$LOAD"
if act promote db_s2 --yes; then ok "promote db_s2"; else not_ok "promote db_s2"; show_out; fi
docker_psql db_s2 -c "SELECT id FROM users" | LC_ALL=C sort -u >"$TEST_TMP/have"
check_eq "every acknowledged row ($(wc -l <"$ACKED")) is on db_s2" 0 \
    "$(LC_ALL=C sort -u "$ACKED" | LC_ALL=C comm -23 - "$TEST_TMP/have" | wc -l)"
check "db_s1 streams from db_s2" wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_s2"'

# ---- rejoin db_m: rewound in a temporary container, back as a standby, never a primary
PRIMARY_SEEN=$TEST_TMP/db_m-primary
(
    while :; do # whenever db_m answers, it must be in recovery
        r=$(docker_psql db_m -c "SELECT pg_is_in_recovery()" 2>/dev/null)
        [ "$r" = f ] && echo "db_m answered as a primary at $(date +%T.%N)" >>"$PRIMARY_SEEN"
        sleep 0.1
    done
) &
WATCH=$!
on_exit "kill $WATCH"
if act rejoin db_m --yes; then ok "rejoin db_m"; else not_ok "rejoin db_m"; show_out; fi
if grep -q "pg_rewind" "$OUT" && ! grep -q "pg_basebackup" "$OUT"; then
    ok "db_m came back with pg_rewind, without a full copy"
else
    not_ok "db_m came back with pg_rewind, without a full copy"
    show_out
fi
check "db_m's container streams from db_s2" wait_for 30 status_is db_m '.state == "streaming" and .upstream == "db_s2"'
kill "$WATCH" 2>/dev/null
wait "$WATCH" 2>/dev/null
check "db_m never answered as a primary" test ! -s "$PRIMARY_SEEN"
check_eq "db_m's server log since the kill has no primary start" 0 \
    "$(dk logs --since "$KILLED_AT" db_m 2>&1 | grep -c 'ready to accept connections$')"
check_eq "what db_m had before the rewind is kept aside in its volume" 1 "$(asides db_m rewind)"

# ---- resync db_s1 from the new primary
if act resync db_s1 --yes; then ok "resync db_s1 from db_s2"; else not_ok "resync db_s1 from db_s2"; show_out; fi
check "db_s1 streams from db_s2 after its resync" wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_s2"'
check_eq "the old data directory is kept aside in db_s1's volume" 1 "$(asides db_s1 old)"
check_eq "db_s1 has every acknowledged row" 0 \
    "$(docker_psql db_s1 -c "SELECT id FROM users" | LC_ALL=C sort -u | LC_ALL=C comm -13 - <(LC_ALL=C sort -u "$ACKED") | wc -l)"

# ---- a new replica in a fresh container (created, never started: an empty volume)
docker_new_node db_s3 2>/dev/null
cat >>"$CONF" <<EOC

[nodes]
db_s3 = port=5432 user=postgres dbname=postgres

[node db_s3]
docker = db_s3
docker_host = $DOCKER_SOCK
datadir = $DOCKER_PGDATA
EOC
if act resync db_s3 --new --yes; then ok "new replica db_s3 in its container"; else not_ok "new replica db_s3 in its container"; show_out; fi
check "db_s3 streams from db_s2" wait_for 30 status_is db_s3 '.state == "streaming" and .upstream == "db_s2"'
# ---- the same through the dashboard: r on db_s1 in tmux
if command -v tmux >/dev/null; then
    tmux_setup docker
    tm new-session -d -s main -x 120 -y 40 \
        "'$REPLTOP' -c '$CONF' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
    tm set-option -t main remain-on-exit on >/dev/null
    check "the dashboard shows the containers' nodes" wait_screen 15 ' db_s1 +standby +streaming'
    for k in 0 1 2 3; do # the row of db_s1, wherever the table puts it
        tm send-keys -t main g
        for _ in $(seq "$k"); do tm send-keys -t main j; done
        tm send-keys -t main r
        wait_screen 3 'Resync db_s1' && break
        tm send-keys -t main Escape
    done
    check "r on db_s1 opens its resync dialog" wait_screen 1 'Resync db_s1'
    check "the dialog names the container" wait_screen 1 'host +container db_s1'
    tm send-keys -t main -l db_s1
    tm send-keys -t main Enter
    if wait_screen 300 'SUCCEEDED after'; then
        ok "Enter resyncs db_s1 in its container from the dashboard"
    else
        not_ok "Enter resyncs db_s1 in its container from the dashboard"
        dump
    fi
    check "db_s1 streams from db_s2 after the dashboard's resync" \
        wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_s2"'
    check_eq "both old copies of db_s1 are kept aside in its volume" 2 "$(asides db_s1 old)"
    tm send-keys -t main q
else
    skip "tmux is not installed: the dashboard's r on a container"
fi
echo "# the lab's part took $((SECONDS - DOCKER_T0)) s (without the image build)"
