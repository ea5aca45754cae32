# Helpers of the switchover tests (it_switchover.sh, it_switchover_faults.sh); source after
# lib.sh and cluster_up (J, OUT and ACKED are under its $TEST_TMP: sourced earlier they were
# /s.json, /out and /acked, shared by two tests run at once).
J=$TEST_TMP/s.json
OUT=$TEST_TMP/out
ACKED=$TEST_TMP/acked
switchover() { "$REPLTOP" -c "$CONF" switchover "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
sync_names() { demo_psql "$1" -c 'SHOW synchronous_standby_names'; }
in_recovery() { demo_psql "$1" -c 'SELECT pg_is_in_recovery()'; }
# node_is NODE JQ-CONDITION: the node's entry in status --json satisfies the condition
node_is() {
    status_json >"$J"
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$J" >/dev/null
}
timeline_of() { status_json | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .timeline'; }
# no pg_rewind ran (in the last output) and nothing was kept aside for one, ever
not_rewound() { ! grep -q 'pg_rewind -D' "$OUT" && ! find "$DEMO_DIR" -maxdepth 1 -name '*.repltop-rewind-*' | grep -q .; }

# A writer that follows the primary: one INSERT per psql run against all three nodes with
# target_session_attrs=read-write, so it reaches whichever node is the primary. A row counts as
# acknowledged once psql exits 0 (the commit returned, after the sync standby's flush); its id
# goes to $ACKED ("ms id port"). Stopped by writer_stop.
writer_start() {
    local hosts ports
    hosts=127.0.0.1,127.0.0.1,127.0.0.1
    ports=$(demo_port db_m),$(demo_port db_s1),$(demo_port db_s2)
    : >"$ACKED"
    rm -f "$TEST_TMP/writer.stop"
    (
        while [ ! -e "$TEST_TMP/writer.stop" ]; do
            if r=$(PGPASSFILE=$DEMO_DIR/pgpass PGCONNECT_TIMEOUT=2 psql -X -q -A -t -F ' ' \
                "host=$hosts port=$ports user=postgres dbname=demo target_session_attrs=read-write" \
                -c "INSERT INTO users(name) VALUES ('switchover') RETURNING id, inet_server_port()" 2>/dev/null); then
                echo "$(now_ms) $r" >>"$ACKED"
            else
                sleep 0.02
            fi
        done
    ) &
    WRITER=$!
    on_exit "touch '$TEST_TMP/writer.stop'; kill $WRITER 2>/dev/null"
}
writer_stop() {
    touch "$TEST_TMP/writer.stop"
    wait "$WRITER"
}
acked_count() { wc -l <"$ACKED"; }
# waits until n more rows are acknowledged than now
writer_more() { # n
    local want=$(($(acked_count) + $1))
    wait_for "$(slow_secs 60)" bash -c "[ \$(wc -l <'$ACKED') -ge $want ]"
}
# how many acknowledged ids are missing on NODE
lost_on() { # node
    awk '{print $2}' "$ACKED" >"$ACKED.ids"
    missing_ids "$1" "$ACKED.ids"
}
none_lost_on() { [ "$(lost_on "$1")" = 0 ]; }
