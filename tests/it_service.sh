#!/usr/bin/env bash
# The host's service manager: a Debian cluster made with pg_createcluster (config under
# /etc/postgresql/VERSION/NAME) is detected, resynced as a standby of the demo's primary, and
# stopped and started through pg_ctlcluster, so that pg_lsclusters and the cluster's own log
# agree with what repltop did. Under a running systemd it would be the unit postgresql@V-NAME;
# that variant is skipped where systemd does not run.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v pg_createcluster >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
    skip "needs root and Debian's postgresql-common (pg_createcluster, pg_ctlcluster)"
    exit 0
fi
cluster_up
OUT=$TEST_TMP/out
PGBIN=$(pg_bin)
VER=$("$PGBIN/postgres" --version | sed 's/[^0-9]*\([0-9]*\).*/\1/')
NAME=rt$$
DEB=$TEST_TMP/deb
PORT=$(test_port)
pg_createcluster "$VER" "$NAME" -d "$DEB" -p "$PORT" >"$TEST_TMP/create.log" 2>&1
check_eq "pg_createcluster $VER $NAME: exit 0" 0 $?
on_exit "pg_dropcluster --stop $VER $NAME >/dev/null 2>&1"
lsc() { pg_lsclusters -h | awk -v v="$VER" -v n="$NAME" '$1 == v && $2 == n { print $4 }'; }
check_eq "it is down, as pg_lsclusters says" down "$(lsc)"

cat >>"$CONF" <<EOF

[nodes]
deb = host=127.0.0.1 port=$PORT user=postgres dbname=postgres passfile=$DEMO_DIR/pgpass

[node deb]
datadir = $DEB
port = $PORT
bindir = $PGBIN
EOF
"$REPLTOP" -c "$CONF" resync deb --yes >"$OUT" 2>&1
rc=$?
sed 's/^/# /' "$OUT"
check_eq "resync of the Debian cluster: exit 0" 0 "$rc"
check "it was started through pg_ctlcluster, its log named" \
    grep -q "starting deb (pg_ctlcluster $VER $NAME start, server log /var/log/postgresql/postgresql-$VER-$NAME.log)" "$OUT"
check "never pg_ctl behind its back" bash -c "! grep -q 'pg_ctl start\|pg_ctl stop' '$OUT'"
check_eq "pg_lsclusters says it runs, in recovery (a standby)" online,recovery "$(lsc)"
node_is() { status_json | jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" >/dev/null; }
check "deb streams from db_m" wait_for 30 node_is deb '.role == "standby" and .upstream == "db_m" and .state == "streaming"'

# Again: now it runs, so it is stopped through pg_ctlcluster too.
"$REPLTOP" -c "$CONF" resync deb --yes >"$OUT" 2>&1
rc=$?
sed 's/^/# /' "$OUT"
check_eq "second resync: exit 0" 0 "$rc"
check "it was stopped through pg_ctlcluster" grep -q "stopping deb (pg_ctlcluster $VER $NAME stop -m fast)" "$OUT"
check_eq "pg_lsclusters says it runs again" online,recovery "$(lsc)"
check "deb streams from db_m again" wait_for 30 node_is deb '.state == "streaming"'

# [node deb] service = pg_ctl overrides the detection (the operator's choice, said in the config)
sed -i "s|^\[node deb\]$|[node deb]\nservice = pg_ctlcluster:$VER/nosuch|" "$CONF"
"$REPLTOP" -c "$CONF" resync deb --yes >"$OUT" 2>&1
check "an explicit service is used as written (pg_ctlcluster $VER nosuch fails, says so)" \
    grep -q "stopping deb (pg_ctlcluster $VER nosuch stop -m fast)" "$OUT"
check_eq "and the cluster was not touched" online,recovery "$(lsc)"
sed -i "/^service = pg_ctlcluster:$VER\/nosuch$/d" "$CONF"
sed -i "s|^\[node deb\]$|[node deb]\nservice = bogus|" "$CONF"
"$REPLTOP" -c "$CONF" status >"$OUT" 2>&1
check_eq "a bad service is a config error (exit 3)" 3 $?
check "... that says what it takes" grep -q "service must be pg_ctl, pg_ctlcluster:VERSION/CLUSTER or systemd:UNIT" "$OUT"

if [ -d /run/systemd/system ]; then
    skip "systemd runs here, but starting a unit from a test would touch the host's services"
else
    skip "systemd is not running on this machine (no /run/systemd/system): the systemd:UNIT variant (systemctl start/stop postgresql@$VER-$NAME) is not tried"
fi
