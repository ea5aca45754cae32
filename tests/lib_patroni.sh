# A throwaway Patroni lab for the tests: etcd 3.4 and three Patroni 3.0.2 members (db_m, db_s1,
# db_s2) on 127.0.0.1, from Debian's packages (patroni, etcd-server, etcd-client), run as
# postgres under $TEST_TMP/patroni and torn down on exit. Source tests/lib.sh first.
#
#   patroni_lab_skip_reason   prints why the lab cannot run here (nothing when it can)
#   patroni_test_lab          a test's start: SKIP (exit 0) when the lab cannot run here, else
#                             make_test_tmp and patroni_lab_up, with one TAP line (exit 1 if not up)
#   patroni_lab_up            starts it; waits for a leader, two streaming replicas and a sync
#                             standby; sets PLAB, PAT_API (db_m's REST base), PAT_CONF (a repltop
#                             config with [repltop] patroni only), PAT_PG_<name>, PAT_REST_<name>
#   patroni_list              patronictl list as JSON
#   patroni_leader            the leader's member name (from /cluster)
#   pat_psql NAME SQL...      psql on a member as postgres
#
# Things that bite (found on this machine, see /work/shared/labs in the project's history):
# Patroni must run under /usr/bin/python3; etcd 3.4 with Patroni's etcd3: section needs no
# --enable-v2; a SIGKILLed process is reaped late by PID 1 here, so "gone" counts zombies.
PAT_PGBIN=${PAT_PGBIN:-/usr/lib/postgresql/15/bin}
# Patroni's timing: its HA loop every PAT_LOOP_WAIT seconds paces every switchover, failover and
# replica start, so the tests run it every 2 s instead of the default 10. Patroni's own bounds:
# ttl >= 20, loop_wait >= 1, retry_timeout >= 3 and loop_wait + 2 * retry_timeout <= ttl;
# retry_timeout stays near the default 10, so that a slow moment of this loaded machine (etcd's
# fsync, a busy postgres) does not demote the leader. bench/patroni.sh sets Patroni's defaults
# (30, 10, 10), which a production cluster runs with.
PAT_TTL=${PAT_TTL:-20}
PAT_LOOP_WAIT=${PAT_LOOP_WAIT:-2}
PAT_RETRY_TIMEOUT=${PAT_RETRY_TIMEOUT:-9}
PAT_MEMBERS="db_m db_s1 db_s2"

patroni_lab_skip_reason() {
    command -v patroni >/dev/null || { echo "patroni is not installed (apt-get install patroni)"; return; }
    command -v etcd >/dev/null || { echo "etcd is not installed (apt-get install etcd-server)"; return; }
    command -v patronictl >/dev/null || { echo "patronictl is not installed"; return; }
    [ -x "$PAT_PGBIN/postgres" ] || { echo "PostgreSQL 15 is not installed at $PAT_PGBIN"; return; }
    [ "$(id -u)" -eq 0 ] || [ "$(id -un)" = postgres ] || echo "needs root or postgres (servers run as postgres)"
}

pat_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

_pat_yaml() { # name pgport restport
    local name=$1 dir=$PLAB/$1
    cat >"$dir/patroni.yml" <<YAML
scope: repltop-test
namespace: /service/
name: $name
log:
  level: INFO
  dir: $dir/log
restapi:
  listen: 127.0.0.1:$3
  connect_address: 127.0.0.1:$3
etcd3:
  hosts: 127.0.0.1:$PAT_ETCD
bootstrap:
  dcs:
    ttl: $PAT_TTL
    loop_wait: $PAT_LOOP_WAIT
    retry_timeout: $PAT_RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 128MB
  initdb:
    - encoding: UTF8
    - data-checksums
    - auth: trust
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$2
  connect_address: 127.0.0.1:$2
  data_dir: $dir/data
  bin_dir: $PAT_PGBIN
  pgpass: $dir/pgpass
  basebackup: # a replica's clone (and a reinitialize) asks for a fast checkpoint, not a spread one
    - checkpoint: fast
  authentication:
    superuser:
      username: postgres
      password: lab-superuser
    replication:
      username: replicator
      password: lab-replicator
  parameters:
    unix_socket_directories: '$dir'
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
YAML
}

# Members in state running/streaming, and whether one is the sync standby, from /cluster.
pat_ready() {
    curl -s -m 2 "$PAT_API/cluster" 2>/dev/null | jq -e '
        ([.members[] | select(.state == "running" or .state == "streaming")] | length) == 3
        and any(.members[]; .role == "sync_standby")
        and any(.members[]; .role == "leader")' >/dev/null 2>&1
}

patroni_lab_up() {
    PLAB=$TEST_TMP/patroni
    local base i=0
    base=$(test_port)
    PAT_ETCD=$base
    mkdir -p "$PLAB/etcd"
    chown -R postgres: "$PLAB"
    on_exit patroni_lab_down
    run_as_server bash -c "cd '$PLAB/etcd' && exec setsid etcd --name lab --data-dir '$PLAB/etcd/data' \
        --listen-client-urls http://127.0.0.1:$base --advertise-client-urls http://127.0.0.1:$base \
        --listen-peer-urls http://127.0.0.1:$((base + 1)) \
        --initial-advertise-peer-urls http://127.0.0.1:$((base + 1)) \
        --initial-cluster lab=http://127.0.0.1:$((base + 1)) --initial-cluster-state new \
        >'$PLAB/etcd/etcd.log' 2>&1 </dev/null & echo \$! >'$PLAB/etcd/pid'"
    wait_for 60 env ETCDCTL_API=3 etcdctl --endpoints="http://127.0.0.1:$base" endpoint health \
        >/dev/null 2>&1 || { echo "# etcd did not become healthy"; return 1; }
    for name in $PAT_MEMBERS; do
        local pg=$((base + 10 + i)) rest=$((base + 20 + i))
        i=$((i + 1))
        eval "PAT_PG_$name=$pg PAT_REST_$name=$rest"
        mkdir -p "$PLAB/$name/log"
        chmod 700 "$PLAB/$name"
        _pat_yaml "$name" "$pg" "$rest"
        chown -R postgres: "$PLAB/$name"
        [ "$name" = db_m ] && PAT_API=http://127.0.0.1:$rest
        pat_start "$name"
        # db_m bootstraps the cluster alone first
        if [ "$name" = db_m ] && ! wait_for 180 curl -sf -m 2 "$PAT_API/primary" >/dev/null; then
            echo "# db_m did not bootstrap the cluster"
            return 1
        fi
    done
    wait_for 240 pat_ready || { echo "# no leader, two running replicas and a sync standby"; return 1; }
    PAT_CONF=$TEST_TMP/patroni.conf
    printf '[repltop]\npatroni = %s\nconnect_timeout = %ss\nquery_timeout = %ss\n' \
        "$PAT_API" "$DEADLINE_S" "$DEADLINE_S" >"$PAT_CONF"
    export PGUSER=postgres PGDATABASE=postgres
}

pat_start() { # name: starts that member's Patroni (again)
    run_as_server bash -c "cd '$PLAB/$1' && exec setsid /usr/bin/python3 /usr/bin/patroni \
        '$PLAB/$1/patroni.yml' >>'$PLAB/$1/patroni.out' 2>&1 </dev/null & echo \$! >'$PLAB/$1/pid'"
}

patroni_lab_down() {
    local name p
    for name in $PAT_MEMBERS; do
        p=$(cat "$PLAB/$name/pid" 2>/dev/null)
        pat_alive "$p" && kill -TERM "$p"
    done
    for name in $PAT_MEMBERS; do
        p=$(cat "$PLAB/$name/pid" 2>/dev/null)
        wait_for 30 eval "! pat_alive '$p'" || kill -KILL "$p" 2>/dev/null
        # a postgres left behind (its Patroni killed): stop it by its own pidfile
        local pm
        pm=$(head -n 1 "$PLAB/$name/data/postmaster.pid" 2>/dev/null)
        if pat_alive "$pm"; then
            run_as_server "$PAT_PGBIN/pg_ctl" -D "$PLAB/$name/data" -m immediate -w stop >/dev/null 2>&1 ||
                kill -KILL "$pm"
        fi
    done
    p=$(cat "$PLAB/etcd/pid" 2>/dev/null)
    if pat_alive "$p"; then
        kill -TERM "$p"
        wait_for 10 eval "! pat_alive '$p'" || kill -KILL "$p"
    fi
}

patroni_list() { patronictl -c "$PLAB/db_m/patroni.yml" list -f json 2>/dev/null; }
patroni_leader() { curl -s -m 2 "$PAT_API/cluster" | jq -r '.members[] | select(.role == "leader") | .name'; }
pat_port() { eval "echo \$PAT_PG_$1"; }
pat_psql() { # name sql...
    local name=$1
    shift
    run_as_server psql -X -q -At -h 127.0.0.1 -p "$(pat_port "$name")" -U postgres -d postgres "$@"
}

patroni_test_lab() {
    local why
    why=$(patroni_lab_skip_reason)
    if [ -n "$why" ]; then
        skip "Patroni lab: $why"
        exit 0
    fi
    make_test_tmp
    if ! patroni_lab_up; then
        not_ok "the Patroni lab came up (a leader, two replicas, a sync standby)"
        tail -n 20 "$PLAB"/*/patroni.out | sed 's/^/# /'
        exit 1
    fi
    ok "the Patroni lab came up (a leader, two replicas, a sync standby)"
}
