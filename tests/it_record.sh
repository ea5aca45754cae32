#!/usr/bin/env bash
# Recording without a screen: `repltop record FILE` appends a snapshot per refresh until SIGTERM,
# rotates at --record-max, and what it wrote is what --replay reads; `--record` without a
# terminal fails before it creates a file, and `status --record` says where to go instead.
source "$(dirname "$0")/lib.sh"
cluster_up
REC=$TEST_TMP/rec.ndjson
OUT=$TEST_TMP/out

"$REPLTOP" -c "$CONF" --record "$TEST_TMP/dash.ndjson" </dev/null >"$OUT" 2>&1
check_eq "--record with no terminal: exit 3" 3 $?
check "it says how to record without one" grep -q "repltop record FILE" "$OUT"
check "and no file was created" test ! -e "$TEST_TMP/dash.ndjson"
"$REPLTOP" -c "$CONF" status --record "$REC" >"$OUT" 2>&1
check_eq "status --record: exit 3" 3 $?
check "it names repltop record" grep -q "repltop record FILE" "$OUT"
check "no file" test ! -e "$REC"

PLAIN=$TEST_TMP/plain.ndjson
"$REPLTOP" record "$PLAIN" -c "$CONF" -i 0.2 2>"$OUT" &
pid=$!
on_exit "kill $pid 2>/dev/null"
check "snapshots are recorded headless" wait_for 30 bash -c "[ \$(wc -l <'$PLAIN') -ge 3 ]"
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM ends it: exit 0" 0 $?
check "it said how many it recorded" grep -q "snapshot(s) recorded to $PLAIN" "$OUT"
check "... as many as the file holds" grep -q "^repltop: $(wc -l <"$PLAIN") snapshot(s)" "$OUT"

"$REPLTOP" record "$REC" -c "$CONF" -i 0.2 --record-max 8kB 2>"$OUT" &
pid=$!
on_exit "kill $pid 2>/dev/null"
check "with --record-max 8kB it rotates" wait_for 30 test -s "$REC.1"
kill -TERM "$pid"
wait "$pid"
check "rotated at --record-max: FILE.1 exists" test -s "$REC.1"
check "FILE stays under about twice the limit" [ "$(stat -c %s "$REC")" -lt 16384 ]
check_eq "the recording is private" 600 "$(stat -c %a "$REC")"
check "every line is a snapshot of the three nodes" \
    bash -c "cat '$REC.1' '$REC' | jq -e -s 'length >= 2 and all(.[]; (.nodes | length) == 3)' >/dev/null"
"$REPLTOP" record "$TEST_TMP/x" -c "$CONF" --record-max lots >"$OUT" 2>&1
check_eq "a bad --record-max: exit 3" 3 $?
"$REPLTOP" record --help >"$OUT" 2>&1
check "record --help says what it does" grep -q "usage: repltop record FILE" "$OUT"
