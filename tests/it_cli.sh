#!/usr/bin/env bash
# Bad input gets one clear line and exit 3; --help and --version work. No server needed.
source "$(dirname "$0")/lib.sh"
make_test_tmp

# run_rc CMD...: sets RC, OUT (stdout) and ERR (stderr)
run_rc() {
    "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"
    RC=$?
    OUT=$(cat "$TEST_TMP/out")
    ERR=$(cat "$TEST_TMP/err")
}

# expect_usage "what" "text expected on stderr" CMD...
expect_usage() {
    local what=$1 want=$2
    shift 2
    run_rc "$@"
    if [ "$RC" -eq 3 ] && [[ "$ERR" == *"$want"* ]] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]; then
        ok "$what: exit 3 with one line"
    else
        not_ok "$what: expected exit 3 and '$want' in one line, got $RC: $ERR"
    fi
}

run_rc "$REPLTOP" --version
check "--version prints the version" [ "$RC" -eq 0 -a -n "$(grep -E '^repltop [0-9]+\.' "$TEST_TMP/out")" ]
run_rc "$REPLTOP" --help
check "--help lists status and demo" grep -q 'repltop status' "$TEST_TMP/out"
check "--help exits 0" [ "$RC" -eq 0 ]

expect_usage "unknown option" 'unknown option "--bogus"' "$REPLTOP" --bogus
expect_usage "unknown status option" 'unknown option "--xml"' "$REPLTOP" status --xml
expect_usage "missing option value" 'needs a value' "$REPLTOP" status -c
expect_usage "bad interval" '-i takes seconds' "$REPLTOP" -i never status
expect_usage "no nodes" 'no nodes to watch' "$REPLTOP" status
expect_usage "unreadable config" "$TEST_TMP/missing.conf: No such file or directory" \
    "$REPLTOP" status -c "$TEST_TMP/missing.conf"

printf "[repltop]\nrefresh = 1\n[nodes]\na = host=127.0.0.1 port=1\nb = host='127.0.0.1 port=2\n" >"$TEST_TMP/bad.conf"
expect_usage "conninfo libpq rejects, with file:line" \
    "$TEST_TMP/bad.conf:5: unterminated quoted string" "$REPLTOP" -c "$TEST_TMP/bad.conf" status
printf '[nodes]\na = host=127.0.0.1 port=1\nthis line is wrong\n' >"$TEST_TMP/bad2.conf"
expect_usage "malformed config line" "$TEST_TMP/bad2.conf:3: not an INI line" \
    "$REPLTOP" status -c "$TEST_TMP/bad2.conf"
expect_usage "conninfo argument libpq rejects" 'argument 1: invalid connection option "prot"' \
    "$REPLTOP" status "prot=5432"
expect_usage "duplicate node names" 'duplicate node name "127.0.0.1:5999"' \
    "$REPLTOP" status "host=127.0.0.1 port=5999" "port=5999 host=127.0.0.1"
printf '[nodes]\na = host=127.0.0.1 port=1\n' >"$TEST_TMP/ok.conf"
expect_usage "config node and argument with the same name" 'duplicate node name "a"' \
    "$REPLTOP" status -c "$TEST_TMP/ok.conf" "host=127.0.0.1 port=2 application_name=a"
printf '[repltop]\nsync = FIRST 0\n[nodes]\na = host=127.0.0.1 port=1\n' >"$TEST_TMP/badsync.conf"
expect_usage "a bad sync policy, with file:line" "$TEST_TMP/badsync.conf:2: sync must be a policy" \
    "$REPLTOP" status -c "$TEST_TMP/badsync.conf"
expect_usage "promote --async with --sync-names" "--sync-names and --async cannot be used together" \
    "$REPLTOP" -c "$TEST_TMP/ok.conf" promote a --async --sync-names 'FIRST 1 (b)'
expect_usage "sync set '' --save" "--save needs a list" \
    "$REPLTOP" -c "$TEST_TMP/ok.conf" sync set '' --save
run_rc "$REPLTOP" promote --help
check "promote --help names --async and the policy" \
    bash -c "grep -q -- '--async' '$TEST_TMP/out' && grep -q 'policy' '$TEST_TMP/out'"

# a server that is not there is not a usage error: it is a critical finding, exit 2
run_rc "$REPLTOP" status --json "host=127.0.0.1 port=1 connect_timeout=2"
check "nothing listening: exit 2" [ "$RC" -eq 2 ]
check "nothing listening: reported unreachable with libpq's reason" \
    jq -e '.nodes[0].reachable == false and (.nodes[0].error | test("refused")) and .cluster.health == "critical"' "$TEST_TMP/out"
check "nothing listening: no value invented" \
    jq -e '.nodes[0] | .role == "unknown" and .timeline == null and .current_lsn == null and .tps == null and .connections == null' "$TEST_TMP/out"

# Bad input of any kind is one line and exit 3 (DESIGN.md section 5.2).
expect_usage "a port that is not a number (libpq's message, no connection tried)" \
    'argument 1: invalid integer value "abc" for connection option "port"' \
    "$REPLTOP" status "host=127.0.0.1 port=abc"
expect_usage "a port out of range" 'invalid port number: "70000"' \
    "$REPLTOP" status "host=127.0.0.1 port=70000"
expect_usage "a URI port that is not a number" 'invalid integer value "abc"' \
    "$REPLTOP" status "postgresql://127.0.0.1:abc/postgres"
expect_usage "more ports than hosts" 'could not match 3 port numbers to 2 hosts' \
    "$REPLTOP" status "host=127.0.0.1,127.0.0.2 port=1,2,3"
expect_usage "an sslmode libpq does not know" 'invalid sslmode value: "sometimes"' \
    "$REPLTOP" status "host=127.0.0.1 port=1 sslmode=sometimes"
expect_usage "a connect_timeout that is not a number" \
    'invalid integer value "2s" for connection option "connect_timeout"' \
    "$REPLTOP" status "host=127.0.0.1 port=1 connect_timeout=2s"
printf '[nodes]\na = host=127.0.0.1 port=abc\n' >"$TEST_TMP/port.conf"
expect_usage "a config port libpq refuses, with FILE:LINE" \
    "$TEST_TMP/port.conf:2: invalid integer value \"abc\" for connection option \"port\"" \
    "$REPLTOP" -c "$TEST_TMP/port.conf" status --json
expect_usage "-c a directory" "$TEST_TMP: is a directory" "$REPLTOP" -c "$TEST_TMP" status
expect_usage "-c a directory (dashboard)" "$TEST_TMP: is a directory" "$REPLTOP" -c "$TEST_TMP"
: >"$TEST_TMP/empty.conf"
expect_usage "an empty config" 'no nodes to watch' "$REPLTOP" -c "$TEST_TMP/empty.conf" status
expect_usage "an unknown command word" 'unknown command "stauts", and not a conninfo' \
    "$REPLTOP" stauts
expect_usage "status --json extra" 'unknown command "extra", and not a conninfo' \
    "$REPLTOP" -c "$TEST_TMP/ok.conf" status --json extra
expect_usage "status --replay" 'status takes no --record or --replay' \
    "$REPLTOP" status --replay "$TEST_TMP/empty.conf"
expect_usage "--replay of a missing file" "$TEST_TMP/missing.ndjson: No such file or directory" \
    "$REPLTOP" --replay "$TEST_TMP/missing.ndjson"
: >"$TEST_TMP/empty.ndjson"
expect_usage "--replay of an empty file" "empty.ndjson: no snapshot in this file (it is empty)" \
    "$REPLTOP" --replay "$TEST_TMP/empty.ndjson"
head -c 4000 /dev/urandom | base64 >"$TEST_TMP/garbage.ndjson"
printf '\x1b[2J\xff{"taken_at": 3\n' >>"$TEST_TMP/garbage.ndjson"
expect_usage "--replay of a garbage file: one line that counts the bad lines" \
    "garbage.ndjson: no snapshot in this file (" "$REPLTOP" --replay "$TEST_TMP/garbage.ndjson"
check "... how many" grep -qE 'no snapshot in this file \([0-9]+ malformed line\(s\); the first, line 1: ' "$TEST_TMP/err"
expect_usage "--replay of a directory" "$TEST_TMP: is a directory" "$REPLTOP" --replay "$TEST_TMP"
expect_usage "--record without a terminal (before any file)" "there is no terminal for it: record without one with repltop record FILE" \
    "$REPLTOP" --record "$TEST_TMP/no/such/dir.ndjson" "host=127.0.0.1 port=1"
expect_usage "record to a file that cannot be created" "record: $TEST_TMP/no/such/dir.ndjson" \
    "$REPLTOP" record "$TEST_TMP/no/such/dir.ndjson" "host=127.0.0.1 port=1"

# Read-only: every action refuses in one line with exit 1, before anything connects (the node
# is a closed port: a command that got as far as connecting would say so) and before the
# audit log is written; `sync show` and `status` still work.
ro_port=1 # nothing listens there
printf '[nodes]\na = host=127.0.0.1 port=%s connect_timeout=2\n[node a]\ndatadir = %s/a\n' \
    "$ro_port" "$TEST_TMP" >"$TEST_TMP/ro.conf"
printf '[repltop]\nactions = off\n' | cat - "$TEST_TMP/ro.conf" >"$TEST_TMP/off.conf"
export XDG_STATE_HOME=$TEST_TMP/state
# expect_refused "what" "text on stderr" CMD...
expect_refused() {
    local what=$1 want=$2
    shift 2
    run_rc "$@"
    if [ "$RC" -eq 1 ] && [[ "$ERR" == *"$want"* ]] && [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] &&
        [ -z "$OUT" ] && [ ! -e "$XDG_STATE_HOME/repltop/actions.log" ]; then
        ok "$what: exit 1 with one line, nothing connected or logged"
    else
        not_ok "$what: expected exit 1 and '$want' in one line, got $RC: $ERR / $OUT"
    fi
}
for verb in promote "sync set" resync rejoin; do
    if [ "$verb" = "sync set" ]; then args=(sync set 'FIRST 1 (a)'); else args=("$verb" a); fi
    expect_refused "--read-only before: $verb" "$verb refused: repltop runs read-only (--read-only)" \
        "$REPLTOP" --read-only -c "$TEST_TMP/ro.conf" "${args[@]}" --yes
    expect_refused "--read-only after: $verb" "$verb refused: repltop runs read-only" \
        "$REPLTOP" -c "$TEST_TMP/ro.conf" "${args[@]}" --yes --read-only
    expect_refused "actions = off: $verb" \
        "$verb refused: actions are off in $TEST_TMP/off.conf ([repltop] actions = off)" \
        "$REPLTOP" -c "$TEST_TMP/off.conf" "${args[@]}" --yes
done
run_rc "$REPLTOP" --read-only -c "$TEST_TMP/off.conf" sync show
check "read-only: sync show still runs (and finds no primary: exit 1, not refused)" \
    bash -c "[ $RC -eq 1 ] && ! grep -q refused '$TEST_TMP/err' && grep -q 'no single reachable primary' '$TEST_TMP/out' '$TEST_TMP/err'"
run_rc "$REPLTOP" --read-only -c "$TEST_TMP/off.conf" status
check "read-only: status still runs (exit 2, the node is down)" [ "$RC" -eq 2 ]
expect_usage "actions = maybe" 'actions must be on or off, not "maybe"' \
    "$REPLTOP" -c <(printf '[repltop]\nactions = maybe\n[nodes]\na = host=x\n') status
expect_usage "--confirmed is the dashboard's" '--confirmed takes "dashboard"' \
    "$REPLTOP" -c "$TEST_TMP/ro.conf" promote a --confirmed=me
expect_usage "--check is status's" '--check is status' "$REPLTOP" --check "host=127.0.0.1 port=1"
expect_usage "--check with --json" '--json and --check do not go together' \
    "$REPLTOP" status --check --json "host=127.0.0.1 port=1"
expect_usage "[severity] with an unknown code" 'unknown problem code "lag_wrn"' \
    "$REPLTOP" -c <(printf '[nodes]\na = host=x\n[severity]\nlag_wrn = ok\n') status
run_rc "$REPLTOP" status --check "host=127.0.0.1 port=$ro_port connect_timeout=2"
check "status --check, nobody answers: UNKNOWN, exit 3, one line" \
    bash -c "[ $RC -eq 3 ] && [ \$(wc -l <'$TEST_TMP/out') -eq 1 ] && grep -q '^REPLTOP UNKNOWN - ' '$TEST_TMP/out'"
