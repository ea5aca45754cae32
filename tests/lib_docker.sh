# The reference deployment as Docker containers, for the tests of nodes reached with
# `docker =` (tests/it_docker.sh). Source after lib.sh; then docker_start (SKIPs where dockerd
# cannot run). Torn down on exit, even when the test fails, ending only what it started.
#
# Containers db_m (primary), db_s1 (application_name walreceiver, async) and db_s2
# (walreceiversync, sync) of the image $DOCKER_IMAGE, on an --internal network (no way out), each
# with its data directory /var/lib/postgresql/data in a named volume on /var/lib/postgresql (a
# directory below the mount point: resync renames it aside), PostgreSQL 15 as PID 1 running as
# postgres; synchronous_standby_names = 'FIRST 1 (walreceiversync, walreceiver)'. The host
# reaches them by their addresses on the network (published ports are ignored on --internal).
#
# dockerd: when none answers on $DOCKER_SOCK, one is started with its own socket, data root
# (kept: the images are cached there between runs) and exec root, and with --iptables=false
# --ip-forward=false --bridge=none, so that it leaves the host's firewall, forwarding and
# docker0 alone. What it could still change (ip_forward, bridge-nf-call-iptables, the iptables
# ruleset, a docker0 link) is recorded before it starts and put back after it stops; it is
# stopped by its pid, and only when this file started it.
#
# The image (built once, outside the timed part): debootstrap --variant=minbase bookworm from the
# machine's Debian mirror, docker import, then a Dockerfile installing postgresql-15; no registry.

DOCKER_BIN=${DOCKER_BIN:-/usr/bin/docker}
DOCKERD_BIN=/usr/sbin/dockerd
DOCKER_CACHE=${REPLTOP_DOCKER_CACHE:-/var/tmp/repltop-docker}
DOCKER_RUN=/run/repltop-docker
DOCKER_SOCK=unix://$DOCKER_RUN/docker.sock
DOCKER_BASE_IMAGE=repltop-test/bookworm
DOCKER_IMAGE=repltop-test/pg15
DOCKER_NET=repltop-lab
DOCKER_VOLUME_AT=/var/lib/postgresql # the volume: the data directory below it can be renamed aside
DOCKER_PGDATA=$DOCKER_VOLUME_AT/data
DOCKER_NODES="db_m db_s1 db_s2"
DOCKER_ALL_NODES="$DOCKER_NODES db_s3" # db_s3: the new replica of it_docker.sh

dk() { DOCKER_HOST=$DOCKER_SOCK "$DOCKER_BIN" "$@"; }

# Why the lab cannot run here, or nothing when it can.
docker_cannot() {
    [ "$(id -u)" = 0 ] || { echo "needs root to run dockerd"; return; }
    [ -x "$DOCKER_BIN" ] && [ -x "$DOCKERD_BIN" ] || { echo "docker.io is not installed ($DOCKERD_BIN)"; return; }
    command -v debootstrap >/dev/null || dk image inspect "$DOCKER_IMAGE" >/dev/null 2>&1 ||
        { echo "debootstrap is not installed (needed once to build $DOCKER_IMAGE)"; return; }
    [ -x /usr/lib/postgresql/15/bin/psql ] || echo "PostgreSQL 15 client is not installed"
}

# The network-namespace hosts of tests/lib_hosts.sh (named rt<hex>n1..3) talk over a bridge; a
# dockerd with its default flags would drop their traffic. Wait until none exist.
docker_no_netns_lab() { ! ip netns list 2>/dev/null | grep -Eq '^rt[0-9a-f]+n[123]( |$)'; }

docker_host_state() { # FILE: what dockerd may change on the host
    {
        echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
        echo "bridge_nf=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent)"
        if ip link show docker0 >/dev/null 2>&1; then echo docker0=present; else echo docker0=absent; fi
    } >"$1"
    iptables-save 2>/dev/null | grep -v '^#' >"$1.iptables"
}

docker_daemon_up() {
    if dk version >/dev/null 2>&1; then return 0; fi
    mkdir -p "$DOCKER_CACHE" "$DOCKER_RUN"
    docker_host_state "$DOCKER_RUN/host.before"
    "$DOCKERD_BIN" --host "$DOCKER_SOCK" --data-root "$DOCKER_CACHE/data" \
        --exec-root "$DOCKER_RUN/exec" --pidfile "$DOCKER_RUN/dockerd.pid" \
        --iptables=false --ip-forward=false --bridge=none >"$DOCKER_RUN/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    echo "$DOCKERD_PID" >"$DOCKER_RUN/started-by-test.pid"
    wait_for 60 dk version >/dev/null 2>&1
}

docker_daemon_down() {
    local pid before
    pid=$(cat "$DOCKER_RUN/started-by-test.pid" 2>/dev/null) || return 0
    if grep -qF "$DOCKER_SOCK" "/proc/$pid/cmdline" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait_for 30 docker_pid_gone "$pid"
    fi
    rm -f "$DOCKER_RUN/started-by-test.pid"
    before=$DOCKER_RUN/host.before
    [ -s "$before" ] || return 0
    docker_host_state "$DOCKER_RUN/host.after"
    if ! cmp -s "$before" "$DOCKER_RUN/host.after" || ! cmp -s "$before.iptables" "$DOCKER_RUN/host.after.iptables"; then
        echo "# dockerd changed the host; restoring:" >&2
        diff "$before" "$DOCKER_RUN/host.after" | sed 's/^/#   /' >&2
        grep -q '^docker0=absent' "$before" && ip link show docker0 >/dev/null 2>&1 && ip link del docker0
        sed -n 's/^ip_forward=//p' "$before" >/proc/sys/net/ipv4/ip_forward
        grep -q '^bridge_nf=[01]$' "$before" &&
            sed -n 's/^bridge_nf=//p' "$before" >/proc/sys/net/bridge/bridge-nf-call-iptables
        cmp -s "$before.iptables" "$DOCKER_RUN/host.after.iptables" || iptables-restore <"$before.iptables"
    fi
    rm -f "$before" "$before.iptables" "$DOCKER_RUN/host.after" "$DOCKER_RUN/host.after.iptables"
}
docker_pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# debootstrap needs no dockerd: done first, kept until imported
docker_rootfs() { # DIR
    [ -e "$1/rootfs.done" ] && return 0
    rm -rf "$1/rootfs"
    debootstrap --variant=minbase bookworm "$1/rootfs" http://deb.debian.org/debian \
        >"$1/debootstrap.log" 2>&1 && touch "$1/rootfs.done"
}

# Builds $DOCKER_IMAGE when it is not cached; prints how long it took.
docker_image_build() {
    dk image inspect "$DOCKER_IMAGE" >/dev/null 2>&1 && return 0
    local t0=$SECONDS b=$DOCKER_CACHE/build
    rm -rf "$b/img"
    mkdir -p "$b/img"
    if ! dk image inspect "$DOCKER_BASE_IMAGE" >/dev/null 2>&1; then
        docker_rootfs "$b" || return 1
        tar -C "$b/rootfs" -c . | dk import - "$DOCKER_BASE_IMAGE" >/dev/null || return 1
        rm -rf "$b/rootfs" "$b/rootfs.done"
    fi
    cat >"$b/img/Dockerfile" <<EOF
FROM $DOCKER_BASE_IMAGE
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
RUN set -eux; apt-get update; \\
    apt-get install -y --no-install-recommends postgresql-common; \\
    sed -ri 's/#(create_main_cluster) .*\$/\\1 = false/' /etc/postgresql-common/createcluster.conf; \\
    apt-get install -y --no-install-recommends postgresql-15; \\
    apt-get clean; rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=$DOCKER_PGDATA
RUN install -d -o postgres -g postgres -m 700 $DOCKER_PGDATA && \\
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
COPY entrypoint.sh /usr/local/bin/entrypoint.sh
VOLUME $DOCKER_VOLUME_AT
USER postgres
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
CMD ["postgres"]
EOF
    # INIT=1: initdb on an empty volume; otherwise an empty volume is an error (a standby's data
    # comes from a base backup taken in a temporary container before its first start)
    cat >"$b/img/entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ "${INIT:-0}" != 1 ]; then echo "no data directory in $PGDATA" >&2; exit 1; fi
    initdb -D "$PGDATA" -k -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    printf '%s\n' "listen_addresses = '*'" "wal_log_hints = on" "wal_keep_size = '256MB'" \
        "shared_buffers = '32MB'" "hot_standby_feedback = on" >>"$PGDATA/postgresql.conf"
    printf '%s\n' "host all all 0.0.0.0/0 trust" "host replication all 0.0.0.0/0 trust" >>"$PGDATA/pg_hba.conf"
fi
exec "$@"
EOF
    chmod 755 "$b/img/entrypoint.sh"
    # the host's network: with --bridge=none a build container has none, and apt needs the mirror
    dk build -q --network host -t "$DOCKER_IMAGE" "$b/img" >"$b/build.log" 2>&1 || return 1
    rm -rf "$b"
    echo "# built $DOCKER_IMAGE in $((SECONDS - t0)) s (cached in $DOCKER_CACHE for later runs)" >&2
}

docker_addr() { dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"; }
docker_state() { dk inspect -f '{{.State.Status}}' "$1" 2>/dev/null || echo absent; }
docker_psql() { # NODE SQL...  (from the host, over the lab network)
    local n=$1
    shift
    /usr/lib/postgresql/15/bin/psql -X -q -A -t -h "$(docker_addr "$n")" -p 5432 -U postgres -d postgres "$@"
}
docker_ready() { dk exec -u postgres "$1" pg_isready -q 2>/dev/null; }
docker_app() { case $1 in db_s1) echo walreceiver ;; db_s2) echo walreceiversync ;; *) echo "$1" ;; esac; }

docker_new_node() { # NAME: a container of the lab (created, not started), on a new volume
    dk volume rm -f "$1_data" >/dev/null 2>&1
    dk volume create "$1_data" >/dev/null &&
        dk create --name "$1" --hostname "$1" --network "$DOCKER_NET" ${2:+-e "$2"} \
            -v "$1_data:$DOCKER_VOLUME_AT" "$DOCKER_IMAGE" postgres -c "cluster_name=$1" >/dev/null
}

docker_up() {
    docker_down_lab
    dk network create --internal "$DOCKER_NET" >/dev/null || return 1
    docker_new_node db_m INIT=1 && dk start db_m >/dev/null || return 1
    wait_for 60 docker_ready db_m || return 1
    local n
    for n in db_s1 db_s2; do
        docker_new_node "$n" || return 1
        dk run --rm --volumes-from "$n" --network "$DOCKER_NET" -u postgres --entrypoint pg_basebackup \
            "$DOCKER_IMAGE" -D "$DOCKER_PGDATA" -X stream -R -c fast \
            -d "host=db_m port=5432 user=postgres application_name=$(docker_app "$n")" || return 1
        dk start "$n" >/dev/null || return 1
    done
    docker_psql db_m -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (walreceiversync, walreceiver)'" \
        -c "SELECT pg_reload_conf()" >/dev/null || return 1
    wait_for 60 docker_streaming db_m db_s1 db_s2
}

docker_streaming() { # PRIMARY STANDBY...: those standbys stream from PRIMARY
    local p=$1 n c
    shift
    for n in "$@"; do
        c=$(docker_psql "$p" -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$(docker_app "$n")' AND state = 'streaming'" 2>/dev/null)
        [ "$c" = 1 ] || return 1
    done
}

docker_down_lab() {
    dk version >/dev/null 2>&1 || return 0
    local n
    for n in $DOCKER_ALL_NODES; do dk rm -f -v "$n" >/dev/null 2>&1; done
    for n in $DOCKER_ALL_NODES; do dk volume rm -f "${n}_data" >/dev/null 2>&1; done
    dk network rm "$DOCKER_NET" >/dev/null 2>&1
    return 0
}

docker_down() {
    docker_down_lab
    docker_daemon_down
}

# The config repltop uses: each node a container reached through $DOCKER_SOCK; no host in the
# conninfo, so repltop asks docker inspect for the address.
docker_config() { # FILE
    local n
    {
        printf '[repltop]\nconnect_timeout = 2s\nquery_timeout = 2s\n\n[nodes]\n'
        for n in $DOCKER_NODES; do echo "$n = port=5432 user=postgres dbname=postgres"; done
        for n in $DOCKER_NODES; do
            printf '\n[node %s]\ndocker = %s\ndocker_host = %s\ndatadir = %s\n' "$n" "$n" "$DOCKER_SOCK" "$DOCKER_PGDATA"
        done
    } >"$1"
}

# The start of every test on the lab: SKIP (exit 0) where it cannot run; else dockerd, the image
# (built once) and the three containers up, with the config in $CONF.
docker_start() {
    local why
    why=$(docker_cannot)
    if [ -n "$why" ]; then
        skip "containers db_m, db_s1, db_s2: $why"
        exit 0
    fi
    make_test_tmp
    # DOCKER_NETNS_WAIT: how long to wait for it (0: not at all; our dockerd leaves netfilter alone)
    [ "${DOCKER_NETNS_WAIT:-600}" = 0 ] || wait_for "${DOCKER_NETNS_WAIT:-600}" docker_no_netns_lab ||
        { skip "the network-namespace lab of another test stays up"; exit 0; }
    on_exit docker_down
    if ! docker_daemon_up; then
        skip "dockerd does not start here: $(tail -n 3 "$DOCKER_RUN/dockerd.log" 2>/dev/null | tr '\n' ' ')"
        exit 0
    fi
    if ! docker_image_build; then
        not_ok "the image $DOCKER_IMAGE builds (debootstrap, docker import, postgresql-15)"
        tail -n 20 "$DOCKER_CACHE"/build/*.log 2>/dev/null | sed 's/^/# /'
        exit 1
    fi
    DOCKER_T0=$SECONDS
    if ! docker_up >"$TEST_TMP/docker-up.log" 2>&1; then
        not_ok "the containers come up (db_m, its standbys db_s1 and db_s2 streaming)"
        sed 's/^/# /' "$TEST_TMP/docker-up.log" | tail -n 30
        exit 1
    fi
    CONF=$TEST_TMP/repltop.conf
    docker_config "$CONF"
}
