#!/usr/bin/env bash
# tmux end-to-end: a new replica through the dashboard's `a` form, on the demo cluster (keys sent
# with send-keys, the screen read with capture-pane; a private tmux server, killed on exit). The
# form proposes db_s3 beside the other data directories and shows the lines the config file
# will get; the port is typed, the name typed to confirm; the dashboard runs
# `repltop -c CONF resync db_s3 --new --port P --datadir DIR --yes` as a child, reads the config
# again when it is done, and db_s3 appears streaming in the node table without a restart.
source "$(dirname "$0")/lib.sh"

tmux_setup newreplica

cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
AUDIT=$XDG_STATE_HOME/repltop/actions.log
PGBIN=$(pg_bin)
S3DIR=$DEMO_DIR/db_s3
on_exit "run_as_server '$PGBIN/pg_ctl' -D '$S3DIR' stop -m immediate"
MPORT=$(demo_port db_m)
P=""
for p in $(seq $((MPORT + 60)) $((MPORT + 160))); do
    if [ -z "$(ss -ltnH "sport = :$p")" ] && ! grep -q "port *= *$p\b" "$CONF"; then P=$p; break; fi
done
mode=$(stat -c '%a %U:%G' "$CONF")


tm new-session -d -s main -x 120 -y 40 \
    "cd '$TEST_TMP' && XDG_STATE_HOME='$XDG_STATE_HOME' '$REPLTOP' -c '$CONF' 2>'$TEST_TMP/dash.err'; echo EXIT=\$?; sleep 600"
tm set-option -t main remain-on-exit on >/dev/null
if ! wait_screen 10 ' db_s2 +standby +streaming'; then
    not_ok "the dashboard starts"
    dump
    exit 1
fi
ok "the dashboard starts"

tm send-keys -t main a
if wait_screen 3 'New replica db_s3'; then
    ok "a opens the new-replica form, proposing db_s3"
else
    not_ok "a opens the new-replica form"
    dump
fi
check "it proposes a directory beside the others" wait_screen 1 "directory +$S3DIR"
check "it shows the [node db_s3] lines the config file will get" wait_screen 1 "datadir = $S3DIR"
check "it shows db_s3's conninfo, on the proposed port" wait_screen 1 "db_s3 = user='postgres'"
# the port: typed over the proposed one
tm send-keys -t main Tab C-u
tm send-keys -t main -l "$P"
check "the typed port is in the preview" wait_screen 2 "port = $P\b"
tm send-keys -t main Down Down
tm send-keys -t main -l db_s
tm send-keys -t main Enter
check "a wrong confirmation is refused" wait_screen 2 'type db_s3 exactly to confirm'
check "and nothing runs" no_screen 'action running'
tm send-keys -t main -l 3
tm send-keys -t main Enter
if wait_screen 60 'new replica db_s3 · done'; then
    ok "Enter runs it: the new replica is built"
else
    not_ok "the new replica is built"
    dump
    tail -n 30 "$AUDIT" 2>/dev/null | sed 's/^/#   /'
fi
check "the child added db_s3 to the config" wait_screen 1 "ok: db_s3 is in $CONF now"
check "the result is in the dialog" wait_screen 1 'SUCCEEDED after'
tm send-keys -t main Escape
if wait_screen 15 ' db_s3 +standby +streaming .* db_m '; then
    ok "db_s3 appears in the table, streaming from db_m, without a restart"
else
    not_ok "db_s3 appears in the table, streaming from db_m"
    dump
fi
check "the header counts 4 nodes" wait_screen 2 ' 4 nodes'
check "the events panel says db_s3 joined" wait_screen 2 'db_s3 joins the dashboard'
check "the older nodes still stream" wait_screen 2 ' db_s1 +standby +streaming'
check_eq "status --json: db_s3 streams from db_m" "true standby streaming db_m" \
    "$(status_json | jq -r '.nodes[] | select(.name == "db_s3") | "\(.reachable) \(.role) \(.state) \(.upstream)"')"
check "the config file has db_s3 on port $P" grep -q "^db_s3 = .* port='$P'" "$CONF"
check_eq "the config file keeps its mode and owner" "$mode" "$(stat -c '%a %U:%G' "$CONF")"
check "the child wrote the audit log" grep -q "resync db_s3 end: success" "$AUDIT"
screen >"$TEST_TMP/screen.txt"
check "no password on the screen, in the config or the audit log" \
    no_password_in "$TEST_TMP/screen.txt" "$CONF" "$AUDIT"

tm send-keys -t main q
check "q quits" wait_screen 3 '^EXIT=0'
