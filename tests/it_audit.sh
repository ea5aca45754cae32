#!/usr/bin/env bash
# The audit log an auditor can use: each line names the operator, the host, the config file, the
# cluster's system identifier and primary, the action and its target, and how it was confirmed
# (--yes, typed on the terminal); with [repltop] audit = syslog the same lines go to syslog.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
LOG=$XDG_STATE_HOME/repltop/actions.log
OUT=$TEST_TMP/out
sysid=$(status_json | jq -r '[.nodes[] | select(.name == "db_m")][0].system_identifier')
check "the cluster's system identifier is known ($sysid)" [ -n "$sysid" ] && [ "$sysid" != null ]
host=$(hostname)
me=$(id -un)

"$REPLTOP" -c "$CONF" sync set 'ANY 1 (walreceiver, walreceiversync)' --yes >"$OUT" 2>&1
check_eq "sync set --yes: exit 0" 0 $?
line() { grep -F "sync set ANY 1 (walreceiver, walreceiversync) $1" "$LOG" | tail -n 1; }
begin=$(line "begin:")
echo "# $begin"
check "the begin line names the operator" grep -q " user=$me " <<<"$begin"
check "... the host" grep -qF " host=$host " <<<"$begin"
check "... the config file" grep -qF " config=$CONF " <<<"$begin"
check "... the cluster's system identifier" grep -qF " sysid=$sysid " <<<"$begin"
check "... its primary" grep -qF " primary=db_m " <<<"$begin"
check "the confirmation is --yes" grep -q "confirm: --yes" <<<"$(line "confirm:")"
check "the outcome is recorded" grep -q "end: success" <<<"$(line "end:")"
check "every line of this action carries the same fields" \
    bash -c "[ \$(grep -c 'sysid=$sysid primary=db_m sync set ANY 1' '$LOG') -eq \$(grep -c 'sync set ANY 1' '$LOG') ]"

# typed on a terminal (script(1) gives the command one)
if command -v script >/dev/null; then
    printf 'yes\n' | script -qec "'$REPLTOP' -c '$CONF' sync set 'FIRST 1 (walreceiver, walreceiversync)'" /dev/null >"$OUT" 2>&1
    check "typed on the terminal: recorded as such" \
        grep -q "sync set FIRST 1 (walreceiver, walreceiversync) confirm: typed on the terminal" "$LOG"
else
    skip "script(1) is not installed: no terminal to type on"
fi

# [repltop] audit = syslog: a listener on /dev/log, only where no syslog daemon has it
if [ -e /dev/log ]; then
    skip "/dev/log exists (a syslog daemon owns it): the syslog copy is not checked here"
elif ! command -v python3 >/dev/null || [ "$(id -u)" -ne 0 ]; then
    skip "a /dev/log listener needs python3 and root"
else
    SYSLOG=$TEST_TMP/syslog
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$SYSLOG" &
    listener=$!
    on_exit "kill $listener; rm -f /dev/log"
    check "the /dev/log listener is up" wait_for 60 test -e "$SYSLOG.ready"
    sed -i 's/^\[repltop\]$/[repltop]\naudit = syslog/' "$CONF"
    "$REPLTOP" -c "$CONF" sync set 'ANY 1 (walreceiver, walreceiversync)' --yes >"$OUT" 2>&1
    check_eq "sync set with audit = syslog: exit 0" 0 $?
    check "syslog got the begin line, tagged repltop, with the same fields" \
        wait_for 10 grep -q "repltop\[[0-9]*\]: pid=[0-9]* user=$me host=$host config=$CONF sysid=$sysid primary=db_m sync set ANY 1 (walreceiver, walreceiversync) begin: --yes" "$SYSLOG"
    check "syslog got the outcome" wait_for 10 grep -q "sync set ANY 1 (walreceiver, walreceiversync) end: success" "$SYSLOG"
    check "the file still has it too" grep -c "end: success" "$LOG"
fi
"$REPLTOP" -c "$CONF" status >/dev/null 2>&1
check "status never writes the audit log" bash -c "[ \$(grep -c 'status' '$LOG') -eq 0 ]"
