#!/bin/bash
# Actions over ssh on three hosts made of network namespaces (tests/lib_hosts.sh): how each node
# is reached, a changed host key refused with nothing changed, resync, a new replica, the drill of
# docs/DESIGN.md section 1 across hosts (kill -9 of host1's server, promote, nothing acknowledged
# lost, rejoin with pg_rewind over ssh), and ssh failures (host down, missing datadir) each as
# one clear line. repltop runs with an empty /var/lib/postgresql of its own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_hosts.sh"
command -v jq >/dev/null || { skip "jq is not installed"; exit 0; }
hosts_start
ok "three hosts up: sshd and PostgreSQL 15 on each, db_s1 and db_s2 streaming from db_m"

# ---- how each node is reached
hosts_repltop -c "$CONF" status --json >"$J"
check_eq "status --json says how each node is reached for actions" \
    "ssh postgres@$(hosts_addr 1),ssh postgres@$(hosts_addr 2),ssh postgres@$(hosts_addr 3)" \
    "$(jq -r '[.nodes[].actions_via] | join(",")' "$J")"

# ---- a changed host key is refused, and nothing changes
hosts_new_host_key 2
cp "$HOSTS_DIR/known_hosts" "$TEST_TMP/known_hosts.before"
if act resync db_s1 --yes; then not_ok "resync with a changed host key is refused"; show_out; else
    ok "resync with a changed host key is refused (exit 1)"
fi
if grep -q "Host key verification failed" "$OUT" && grep -q "never accepts a host key" "$OUT"; then
    ok "the refusal quotes ssh and says the way forward"
else
    not_ok "the refusal quotes ssh and says the way forward"
    show_out
fi
check "known_hosts is left as it was" cmp -s "$HOSTS_DIR/known_hosts" "$TEST_TMP/known_hosts.before"
check_eq "nothing was moved aside on host2" 0 "$(asides 2 old)"
check "db_s1 still streams" hosts_streaming 2
# the operator checks the new key and puts it in known_hosts (the way forward)
grep -v "^$(hosts_addr 2) " "$TEST_TMP/known_hosts.before" >"$HOSTS_DIR/known_hosts"
echo "$(hosts_addr 2) $(cut -d' ' -f1,2 "$HOSTS_DIR/host2/etc/ssh/ssh_host_ed25519_key.pub")" >>"$HOSTS_DIR/known_hosts"

# ---- resync over ssh
hosts_psql 1 -c "CREATE TABLE t (id int)" -c "INSERT INTO t SELECT generate_series(1, 1000)"
if act resync db_s1 --yes; then ok "resync db_s1 over ssh"; else not_ok "resync db_s1 over ssh"; show_out; fi
check "db_s1 streams again after its resync" wait_for 30 hosts_streaming 2
check_eq "the old data directory is kept aside on host2" 1 "$(asides 2 old)"
check_eq "db_s1 has the rows" 1000 "$(hosts_psql 2 -c 'SELECT count(*) FROM t')"
check "the resync ran on host2, not here (its log is there)" test -s "$HOSTS_DIR/host2/var/lib/postgresql/15/main.log"
check "db_s1 kept its own settings (no primary's sync list)" \
    test "$(hosts_psql 2 -c 'SHOW synchronous_standby_names')" = ""

# ---- a new replica on host2, beside db_s1
hosts_add_node db_s3 2 5433 /var/lib/postgresql/15/s3
act resync db_s3 --yes
check_eq "no data directory on host2 and no --new: refused (exit 1)" 1 $?
check "no --new: says how to make a new replica" grep -q "repltop resync db_s3 --new" "$OUT"
check "no --new: nothing created on host2" test ! -e "$HOSTS_DIR/host2/var/lib/postgresql/15/s3"
if act resync db_s3 --new --yes; then ok "new replica db_s3 on host2 over ssh"; else not_ok "new replica db_s3 on host2 over ssh"; show_out; fi
check "db_s3 streams from db_m as db_s3 (async: not in the list)" \
    wait_for 30 status_is db_s3 '.state == "streaming" and .upstream == "db_m" and .application_name == "db_s3" and .sync_state == "async"'
check_eq "db_s3 listens on its own port" 5433 "$(hosts_psql 2 -p 5433 -c 'SHOW port' 2>/dev/null)"
check_eq "db_s3 has no sync list (not the primary's)" "" "$(hosts_psql 2 -p 5433 -c 'SHOW synchronous_standby_names' 2>/dev/null)"
act resync db_s3 --new --yes
check "--new on a node that has data on host2: refused" grep -q "already holds data" "$OUT"
hosts_pg 2 "$HOSTS_PG/pg_ctl" -D /var/lib/postgresql/15/s3 -m fast -w stop >/dev/null
hosts_forget_node db_s3

# ---- a new replica on host3 from the dashboard: `a`, the name of a configured node not built yet
hosts_add_node db_s4 3 5434 /var/lib/postgresql/15/s4
cp "$CONF" "$TEST_TMP/conf.before-a"
tmux_setup ssh-hosts-add
hosts_dashboard
wait_screen 30 "db_s1 .*streaming" && tm send-keys -t main J
if wait_screen 10 "Rejoin " && wait_screen 5 "host +postgres@$HOSTS_NET\.1[123] \(over ssh"; then
    ok "the J dialog names the host it acts on"
else
    not_ok "the J dialog names the host it acts on"
    dump
fi
tm send-keys -t main Escape
tm send-keys -t main a
wait_screen 10 "New replica" && tm send-keys -t main C-u db_s4
if wait_screen 10 "host +postgres@$(hosts_addr 3) \(over ssh" && wait_screen 5 "db_s4 is in .*already, not built"; then
    ok "the a form names the host of a configured node on another host, its port and directory come with its name"
else
    not_ok "the a form names the host of a configured node on another host, its port and directory come with its name"
    dump
fi
tm send-keys -t main Tab Tab Tab db_s4 Enter
if wait_for 90 status_is db_s4 '.state == "streaming" and .upstream == "db_m"'; then
    ok "new replica db_s4 built on host3 over ssh from the dashboard, streaming from db_m"
else
    not_ok "new replica db_s4 built on host3 over ssh from the dashboard, streaming from db_m"
    dump
fi
check "the replica's files are on host3" test -s "$HOSTS_DIR/host3/var/lib/postgresql/15/s4/PG_VERSION"
check "the config file was not changed (db_s4 was configured)" cmp -s "$CONF" "$TEST_TMP/conf.before-a"
tm kill-session -t main
hosts_pg 3 "$HOSTS_PG/pg_ctl" -D /var/lib/postgresql/15/s4 -m fast -w stop >/dev/null
hosts_forget_node db_s4

# ---- a resync killed during the copy over ssh leaves the marker on host2; the next one recovers
PAUSE=$TEST_TMP/pause
REPLTOP_PAUSE_AT="waiting for checkpoint" REPLTOP_PAUSE_FILE=$PAUSE \
    hosts_repltop -c "$CONF" resync db_s1 --yes >"$OUT" 2>&1 &
RESYNC=$!
on_exit "kill -KILL $RESYNC"
wait_for 60 test -e "$PAUSE"
check "pg_basebackup started writing the copy on host2" wait_for 30 test -e "$(hosts_datadir 2)/PG_VERSION"
# repltop itself, not only the shell that started it in the background (else it goes on when
# its pause ends, resyncs db_s1 behind the test's back and writes into a later $OUT)
{ kill -KILL $(ps -o pid= --ppid "$RESYNC") "$RESYNC" && wait "$RESYNC"; } 2>/dev/null
check "the dropped session ends pg_basebackup on host2" wait_for 30 hosts_no_program 2 pg_basebackup
check "killed mid-copy: the marker is on host2" test -s "$(hosts_datadir 2).repltop-resync"
if act resync db_s1 --yes && grep -q "an earlier resync of db_s1 was interrupted" "$OUT" &&
    grep -q "the incomplete copy is kept in" "$OUT"; then
    ok "run again over ssh: it finds the marker, keeps the incomplete copy aside and rebuilds"
else
    not_ok "run again over ssh: it finds the marker, keeps the incomplete copy aside and rebuilds"
    show_out
fi
check "db_s1 streams after the recovered resync" wait_for 30 hosts_streaming 2
check "the marker is gone" test ! -e "$(hosts_datadir 2).repltop-resync"

# ---- the drill across hosts: kill -9 of host1's server, promote db_s2, nothing acknowledged lost
hosts_repltop -c "$CONF" status >/dev/null 2>&1 # the sync list is remembered for the promote
hosts_psql 1 -c "CREATE TABLE users (id int PRIMARY KEY)"
ACKED=$TEST_TMP/acked
: >"$ACKED"
(
    for i in $(seq 1 200000); do
        hosts_psql 1 -c "INSERT INTO users VALUES ($i)" >/dev/null 2>&1 || exit 0
        echo "$i" >>"$ACKED"
    done
) &
LOAD=$!
on_exit "kill $LOAD"
wait_for 30 lines_at_least "$ACKED" 50
check "host1's server killed with SIGKILL under an insert load" hosts_kill_pg 1
wait "$LOAD"
if act promote db_s2 --yes; then ok "promote db_s2"; else not_ok "promote db_s2"; show_out; fi
hosts_psql 3 -c "SELECT id FROM users" | LC_ALL=C sort -u >"$TEST_TMP/have"
check_eq "every acknowledged row ($(wc -l <"$ACKED")) is on db_s2" 0 \
    "$(LC_ALL=C sort -u "$ACKED" | LC_ALL=C comm -23 - "$TEST_TMP/have" | wc -l)"
check "db_s1 streams from db_s2" wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_s2"'
if act rejoin db_m --yes; then ok "rejoin db_m over ssh"; else not_ok "rejoin db_m over ssh"; show_out; fi
check "pg_rewind ran crash recovery on host1 first (db_m was killed)" grep -q "pg_rewind runs crash recovery" "$OUT"
if grep -q "pg_rewind" "$OUT" && ! grep -q "pg_basebackup" "$OUT"; then
    ok "db_m came back with pg_rewind, without a full copy"
else
    not_ok "db_m came back with pg_rewind, without a full copy"
    show_out
fi
check "db_m streams from db_s2" wait_for 30 status_is db_m '.state == "streaming" and .upstream == "db_s2"'
check_eq "what db_m had before the rewind is kept aside on host1" 1 "$(asides 1 rewind)"
if act resync db_s1 --yes; then ok "resync db_s1 from db_s2 over ssh"; else not_ok "resync db_s1 from db_s2 over ssh"; show_out; fi
check "db_s1 streams from db_s2 after its resync" wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_s2"'

# ---- promote's automatic rewind over ssh: db_s1 got WAL that db_m, promoted, never had
hosts_psql 1 -c "ALTER SYSTEM SET primary_conninfo = ''" -c "SELECT pg_reload_conf()" >/dev/null
wait_for 30 status_is db_m '.state != "streaming"'
hosts_psql 3 -c "INSERT INTO users SELECT generate_series(300001, 300100)"
wait_for 30 eval 'test "$(hosts_psql 2 -c "SELECT count(*) FROM users WHERE id > 300000")" = 100'
hosts_kill_pg 3
if act promote db_m --yes; then ok "promote db_m while db_s1 is ahead of it"; else not_ok "promote db_m while db_s1 is ahead of it"; show_out; fi
if grep -q "needs_rewind" "$OUT" && grep -q "pg_rewind" "$OUT"; then
    ok "promote rewinds db_s1 on host2 over ssh by itself"
else
    not_ok "promote rewinds db_s1 on host2 over ssh by itself"
    show_out
fi
check "db_s1 streams from db_m after the rewind" wait_for 30 status_is db_s1 '.state == "streaming" and .upstream == "db_m"'

# ---- ssh failures: one clear line, nothing changed
awk '/^\[node db_s1\]/{s=1} s && /^datadir/{$0="datadir = /var/lib/postgresql/15/nowhere"; s=0} {print}' "$CONF" >"$TEST_TMP/missing.conf"
hosts_repltop -c "$TEST_TMP/missing.conf" resync db_s1 --yes >"$OUT" 2>&1
one_fail_line "a missing datadir on the host: one clear line" \
    "no data directory at /var/lib/postgresql/15/nowhere on postgres@$(hosts_addr 2)"
# an unknown host key (an empty known_hosts) and a key the host does not accept
: >"$TEST_TMP/known_hosts.empty"
sed "s|UserKnownHostsFile .*|UserKnownHostsFile $TEST_TMP/known_hosts.empty|" "$HOSTS_DIR/ssh_config" >"$TEST_TMP/ssh_config.unknown"
ssh-keygen -q -t ed25519 -N '' -f "$TEST_TMP/other_key"
sed "s|IdentityFile .*|IdentityFile $TEST_TMP/other_key|" "$HOSTS_DIR/ssh_config" >"$TEST_TMP/ssh_config.auth"
for what in unknown auth; do
    sed "s|ssh_config\$|ssh_config.$what|; s|-F $HOSTS_DIR/ssh_config.$what|-F $TEST_TMP/ssh_config.$what|" "$CONF" >"$TEST_TMP/$what.conf"
    hosts_repltop -c "$TEST_TMP/$what.conf" resync db_s1 --yes >"$OUT" 2>&1
    case $what in
    unknown) want="Host key verification failed.*never accepts a host key" ;;
    auth) want="Permission denied.*without asking" ;;
    esac
    one_fail_line "ssh refused ($what): one line with ssh's own message and the way forward" \
        "ssh postgres@$(hosts_addr 2) failed: .*$want"
done
check_eq "the unknown host key was not added to any known_hosts" 0 "$(wc -c <"$TEST_TMP/known_hosts.empty")"
hosts_sshd_stop 2
act resync db_s1 --yes
if grep -q "^fail: .*ssh postgres@$(hosts_addr 2) failed: .*refused" "$OUT"; then
    ok "a host whose sshd is down: one line with ssh's own message"
else
    not_ok "a host whose sshd is down: one line with ssh's own message"
    show_out
fi
check "db_s1 still streams (nothing was changed)" status_is db_s1 '.state == "streaming"'
