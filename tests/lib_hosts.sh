# Three hosts made of Linux namespaces, for the tests of actions over ssh (tests/it_ssh_*.sh).
# Source after lib.sh and make_test_tmp; then hosts_up (or skip). Torn down on exit, even when
# the test fails, ending only what it started.
#
# Host N (1..3) is a network namespace (address $HOSTS_NET.1N on a veth to a bridge at
# $HOSTS_NET.1 in the root namespace; no default route: nothing leaves the machine) with a
# persistent mount + UTS namespace (hostname hostN; its own /var/lib/postgresql,
# /var/log/postgresql and /etc/hosts bound from $HOSTS_DIR/hostN, a private tmpfs on /run), a
# key-only sshd on port 22 with its own host key, and PostgreSQL 15 at Debian's default path
# /var/lib/postgresql/15/main, port 5432, as user postgres:
#   host1 db_m (primary), host2 db_s1 (walreceiver, async), host3 db_s2 (walreceiversync, sync);
#   synchronous_standby_names = 'FIRST 1 (walreceiversync, walreceiver)'.
# repltop runs in the root namespace (hosts_repltop) under `unshare --mount` with an empty tmpfs
# over /var/lib/postgresql, so an action that ran locally by mistake finds nothing there.
#
# Pitfalls handled (found while building the recipe): `ip netns exec` makes a new mount
# namespace per call, so mounts are made once in persistent namespace files entered with
# nsenter; the other hosts' namespace files are unmounted inside each host (or they outlive
# the teardown); unix sockets are not separated by network namespaces, so each host has its
# own /run; sshd wants an absolute path, /run/sshd, -E LOG (no syslog) and UsePAM yes (postgres'
# password field is '!'); PID 1 reaps orphans late, so a killed postmaster lingers as a zombie
# (state Z counts as gone); a standby's WAL receiver notices a cut link only with
# wal_receiver_timeout.

HOSTS_PG=/usr/lib/postgresql/15/bin
HOSTS_SSHD=/usr/sbin/sshd
HOSTS_CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Why the lab cannot run here, or nothing when it can.
hosts_cannot() {
    [ "$(id -u)" = 0 ] || { echo "needs root (network and mount namespaces)"; return; }
    local c
    for c in ip nsenter unshare ssh ssh-keygen runuser; do
        command -v "$c" >/dev/null || { echo "$c is not installed"; return; }
    done
    [ -x "$HOSTS_SSHD" ] || { echo "openssh-server is not installed ($HOSTS_SSHD)"; return; }
    [ -x "$HOSTS_PG/initdb" ] || { echo "PostgreSQL 15 is not installed ($HOSTS_PG)"; return; }
    local probe=rtp$$
    ip netns add "$probe" 2>/dev/null || { echo "cannot create a network namespace (no CAP_SYS_ADMIN/CAP_NET_ADMIN)"; return; }
    ip netns del "$probe"
    unshare --mount --propagation private true 2>/dev/null || echo "cannot create a mount namespace"
}

hosts_ns() { echo "${HOSTS_PFX}n$1"; }
hosts_addr() { echo "$HOSTS_NET.1$1"; }
hosts_dir() { echo "$HOSTS_DIR/host$1"; }
# host N's data directory, seen from the root namespace
hosts_datadir() { echo "$HOSTS_DIR/host$1/var/lib/postgresql/15/main"; }

# Runs a command as root inside host N (its network, mount and UTS namespaces).
hosts_exec() {
    local n=$1
    shift
    nsenter --net="/run/netns/$(hosts_ns "$n")" --mount="$HOSTS_DIR/ns/mnt$n" \
        --uts="$HOSTS_DIR/ns/uts$n" -- env -i PATH="$HOSTS_CLEAN_PATH" LANG=C.UTF-8 HOME=/root "$@"
}
# ... as postgres
hosts_pg() {
    local n=$1
    shift
    hosts_exec "$n" runuser -u postgres -- env HOME=/var/lib/postgresql "$@"
}
hosts_psql() { # N SQL...  (from the root namespace, over the lab network)
    local n=$1
    shift
    "$HOSTS_PG/psql" -X -q -A -t -h "$(hosts_addr "$n")" -p 5432 -U postgres -d postgres "$@"
}
# ssh to host N as postgres with the lab's client config (the "user's own" ssh config here)
hosts_ssh() {
    local n=$1
    shift
    ssh -F "$HOSTS_DIR/ssh_config" "postgres@$(hosts_addr "$n")" "$@"
}

hosts_pid_alive() { # running and not a zombie
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

hosts_pg_ctl() { # N start|stop|status
    local n=$1 d=/var/lib/postgresql/15/main
    case $2 in
    start) hosts_pg "$n" "$HOSTS_PG/pg_ctl" -D "$d" -l /var/log/postgresql/postgresql-15-main.log -w -t 60 start >/dev/null ;;
    stop) hosts_pg "$n" "$HOSTS_PG/pg_ctl" -D "$d" -m fast -w -t 60 stop >/dev/null ;;
    status) hosts_pg "$n" "$HOSTS_PG/pg_ctl" -D "$d" status >/dev/null ;;
    esac
}

# SIGKILL of host N's PostgreSQL (the postmaster and every child), as a power loss would leave
# it; sshd stays. Returns once they are gone (zombies count as gone).
hosts_kill_pg() {
    local n=$1 p pids=()
    for p in $(ip netns pids "$(hosts_ns "$n")"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = postgres ] && pids+=("$p")
    done
    [ ${#pids[@]} -gt 0 ] || return 1
    kill -KILL "${pids[@]}" 2>/dev/null
    wait_for 20 hosts_all_gone "${pids[@]}"
}
hosts_all_gone() { local p; for p in "$@"; do hosts_pid_alive "$p" && return 1; done; return 0; }

# What reaches host N slowed down to RATE (tc's units: 16mbit), and back to full speed.
hosts_throttle() { tc qdisc add dev "${HOSTS_PFX}h$1" root tbf rate "$2" burst 32kb latency 2s; }
hosts_unthrottle() { tc qdisc del dev "${HOSTS_PFX}h$1" root 2>/dev/null; }
# Sends SIG to every process named COMM on host N.
hosts_signal() { # N COMM SIG
    local p
    for p in $(ip netns pids "$(hosts_ns "$1")"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && kill "-$3" "$p"
    done
}
# Host N's sshd ends every session (its listener stays): the connections drop under their
# clients, as when the host or the link fails.
hosts_drop_sessions() {
    local p listener
    listener=$(cat "$(hosts_dir "$1")/sshd.pid")
    for p in $(ip netns pids "$(hosts_ns "$1")"); do
        [ "$p" != "$listener" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = sshd ] && kill -KILL "$p"
    done
}

# A network partition: host N's link cut, and restored.
hosts_isolate() { ip link set "${HOSTS_PFX}h$1" down; }
hosts_heal() { ip link set "${HOSTS_PFX}h$1" up; }

hosts_ns_setup() { # N: the persistent mount + UTS namespaces of host N
    local n=$1 h
    h=$(hosts_dir "$n")
    touch "$HOSTS_DIR/ns/mnt$n" "$HOSTS_DIR/ns/uts$n"
    # entered with the netns only, unshare's bind of the namespace files lands in the root mount
    # namespace and persists
    nsenter --net="/run/netns/$(hosts_ns "$n")" \
        unshare --mount="$HOSTS_DIR/ns/mnt$n" --uts="$HOSTS_DIR/ns/uts$n" --propagation private \
        /bin/sh -eu -c '
            hostname "host$1"
            umount -l "$2/ns"
            if mountpoint -q /run/netns; then umount -l /run/netns; fi
            mount --bind "$3/var/lib/postgresql" /var/lib/postgresql
            mkdir -p /var/log/postgresql
            mount --bind "$3/var/log/postgresql" /var/log/postgresql
            mount --bind "$3/etc/hosts" /etc/hosts
            mount -t tmpfs -o mode=755,size=16m "host$1-run" /run
            mkdir -m 755 /run/sshd
            install -d -o postgres -g postgres -m 2775 /run/postgresql
        ' sh "$n" "$HOSTS_DIR" "$h"
}

hosts_sshd_config() { # N
    local n=$1 h
    h=$(hosts_dir "$n")
    cat >"$h/etc/ssh/sshd_config" <<EOC
ListenAddress $(hosts_addr "$n"):22
HostKey $h/etc/ssh/ssh_host_ed25519_key
PidFile $h/sshd.pid
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers postgres
UsePAM yes
UseDNS no
X11Forwarding no
PrintMotd no
MaxStartups 50:30:100
MaxSessions 50
LogLevel VERBOSE
EOC
}

hosts_sshd_start() { # N
    local n=$1 h i
    h=$(hosts_dir "$n")
    rm -f "$h/sshd.pid"
    hosts_exec "$n" "$HOSTS_SSHD" -f "$h/etc/ssh/sshd_config" -E "$h/sshd.log" || return 1
    for i in $(seq 50); do [ -s "$h/sshd.pid" ] && return 0; sleep 0.1; done
    return 1
}
hosts_sshd_stop() { # N
    local h p
    h=$(hosts_dir "$1")
    p=$(cat "$h/sshd.pid" 2>/dev/null) || return 0
    grep -qF "$h/etc/ssh/sshd_config" "/proc/$p/cmdline" 2>/dev/null && kill "$p" 2>/dev/null
    wait_for 10 hosts_all_gone "$p"
}
# A new host key for host N (the host was reinstalled, or someone is in the middle): ssh must
# refuse it.
hosts_new_host_key() {
    local h
    h=$(hosts_dir "$1")
    hosts_sshd_stop "$1"
    rm -f "$h/etc/ssh/ssh_host_ed25519_key" "$h/etc/ssh/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "host$1-new" -f "$h/etc/ssh/ssh_host_ed25519_key"
    hosts_sshd_start "$1"
}

hosts_pg_conf() { # N: settings of every node of the drill
    cat >>"$(hosts_datadir "$1")/postgresql.conf" <<EOC

# ---- tests/lib_hosts.sh (host$1) ----
listen_addresses = '*'
port = 5432
unix_socket_directories = '/run/postgresql'
wal_log_hints = on
wal_keep_size = '256MB'
shared_buffers = '32MB'
max_wal_senders = 10
hot_standby_feedback = on
wal_receiver_timeout = '5s'
wal_sender_timeout = '5s'
tcp_keepalives_idle = 2
tcp_keepalives_interval = 1
tcp_keepalives_count = 3
EOC
}

# Up: the three hosts, sshd on each, db_m on host1 and its two standbys on host2 and host3.
hosts_up() {
    HOSTS_PFX=rt$(printf '%x' $(($$ % 65536)))
    local i n h
    for i in $(seq 20); do
        HOSTS_NET=10.$((200 + RANDOM % 50)).$((RANDOM % 250 + 1))
        ip -4 route show | grep -q "^$HOSTS_NET\." || break
    done
    HOSTS_DIR=$TEST_TMP/hosts
    mkdir -p "$HOSTS_DIR/ns" "$HOSTS_DIR/keys"
    chmod 700 "$HOSTS_DIR/keys"
    on_exit hosts_down
    mount --bind "$HOSTS_DIR/ns" "$HOSTS_DIR/ns" && mount --make-private "$HOSTS_DIR/ns" || return 1
    ip link add "${HOSTS_PFX}br" type bridge || return 1
    ip addr add "$HOSTS_NET.1/24" dev "${HOSTS_PFX}br"
    ip link set "${HOSTS_PFX}br" up
    ssh-keygen -q -t ed25519 -N '' -C repltop-test -f "$HOSTS_DIR/keys/id_ed25519"
    : >"$HOSTS_DIR/known_hosts"
    for n in 1 2 3; do
        ip netns add "$(hosts_ns "$n")" || return 1
        ip link add "${HOSTS_PFX}h$n" type veth peer name eth0 netns "$(hosts_ns "$n")" || return 1
        ip link set "${HOSTS_PFX}h$n" master "${HOSTS_PFX}br" up
        ip -n "$(hosts_ns "$n")" link set lo up
        ip -n "$(hosts_ns "$n")" addr add "$(hosts_addr "$n")/24" dev eth0
        ip -n "$(hosts_ns "$n")" link set eth0 up
        h=$(hosts_dir "$n")
        mkdir -p "$h/etc/ssh" "$h/var/log/postgresql"
        install -d -o postgres -g postgres -m 755 "$h/var/lib/postgresql"
        install -d -o postgres -g postgres -m 700 "$h/var/lib/postgresql/.ssh"
        install -o postgres -g postgres -m 600 "$HOSTS_DIR/keys/id_ed25519.pub" "$h/var/lib/postgresql/.ssh/authorized_keys"
        chown postgres:postgres "$h/var/log/postgresql"
        ssh-keygen -q -t ed25519 -N '' -C "host$n" -f "$h/etc/ssh/ssh_host_ed25519_key"
        echo "$(hosts_addr "$n") $(cut -d' ' -f1,2 "$h/etc/ssh/ssh_host_ed25519_key.pub")" >>"$HOSTS_DIR/known_hosts"
        { echo "127.0.0.1 localhost"; echo "127.0.1.1 host$n"; for i in 1 2 3; do echo "$(hosts_addr "$i") host$i"; done; } >"$h/etc/hosts"
        hosts_ns_setup "$n" || return 1
        hosts_sshd_config "$n"
        hosts_sshd_start "$n" || return 1
    done
    cat >"$HOSTS_DIR/ssh_config" <<EOC
Host *
  IdentityFile $HOSTS_DIR/keys/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $HOSTS_DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  GSSAPIAuthentication no
  ConnectTimeout 5
EOC
    # ControlMaster sockets of repltop: $XDG_RUNTIME_DIR/repltop
    export XDG_RUNTIME_DIR=$TEST_TMP/run
    mkdir -p -m 700 "$XDG_RUNTIME_DIR"

    # db_m on host1; the standbys cloned from it
    hosts_pg 1 "$HOSTS_PG/initdb" -D /var/lib/postgresql/15/main -k -A trust -U postgres \
        -E UTF8 --locale=C.UTF-8 >"$HOSTS_DIR/initdb.log" 2>&1 || return 1
    hosts_pg_conf 1
    cat >"$(hosts_datadir 1)/pg_hba.conf" <<EOC
local all all trust
local replication all trust
host all all $HOSTS_NET.0/24 trust
host replication all $HOSTS_NET.0/24 trust
EOC
    chown postgres:postgres "$(hosts_datadir 1)/pg_hba.conf"
    hosts_pg_ctl 1 start || return 1
    local app
    for n in 2 3; do
        app=walreceiver
        [ "$n" = 3 ] && app=walreceiversync
        hosts_pg "$n" "$HOSTS_PG/pg_basebackup" -D /var/lib/postgresql/15/main -X stream -R \
            --checkpoint=fast -d "host=$(hosts_addr 1) port=5432 user=postgres application_name=$app" \
            >>"$HOSTS_DIR/basebackup.log" 2>&1 || return 1
        hosts_pg_ctl "$n" start || return 1
    done
    hosts_psql 1 -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (walreceiversync, walreceiver)'" \
        -c "SELECT pg_reload_conf()" >/dev/null || return 1
    wait_for 30 hosts_streaming 2 || return 1
}

hosts_streaming() { # N...: those standbys stream from the primary on host1
    local n app c
    for n in "$@"; do
        app=walreceiver
        [ "$n" = 3 ] && app=walreceiversync
        c=$(hosts_psql 1 -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = '$app' AND state = 'streaming'" 2>/dev/null)
        [ "$c" = 1 ] || return 1
    done
}

# The config repltop uses: each node reached with the lab's ssh config as postgres@hostN.
hosts_config() { # FILE
    cat >"$1" <<EOC
[repltop]
connect_timeout = 2s
query_timeout = 2s

[nodes]
db_m = host=$(hosts_addr 1) port=5432 user=postgres dbname=postgres
db_s1 = host=$(hosts_addr 2) port=5432 user=postgres dbname=postgres
db_s2 = host=$(hosts_addr 3) port=5432 user=postgres dbname=postgres
EOC
    local n name
    for n in 1 2 3; do
        name=db_m
        [ "$n" = 2 ] && name=db_s1
        [ "$n" = 3 ] && name=db_s2
        printf '\n[node %s]\ndatadir = /var/lib/postgresql/15/main\nport = 5432\nssh = postgres@%s\nssh_options = -F %s/ssh_config\n' \
            "$name" "$(hosts_addr "$n")" "$HOSTS_DIR" >>"$1"
    done
}

# repltop in the root namespace, with an empty /var/lib/postgresql: what runs here by mistake
# instead of on the node's host finds no data directory.
hosts_repltop() {
    unshare --mount --propagation private -- /bin/sh -c \
        'mount -t tmpfs -o size=1m repltop-empty /var/lib/postgresql && exec "$@"' sh "$REPLTOP" "$@"
}

# The dashboard in the tmux session "main" (tmux_setup first), like hosts_repltop in the root
# namespace with an empty /var/lib/postgresql. Ended, and waited for, on exit: on its way out
# it ends its ssh masters, which must be done before the test's directory is removed.
hosts_dashboard() {
    tm new-session -d -s main -x 120 -y 40 \
        "unshare --mount --propagation private -- /bin/sh -c 'echo \$\$ >\"\$2\" && mount -t tmpfs repltop-empty /var/lib/postgresql && exec \"\$0\" -c \"\$1\"' '$REPLTOP' '$CONF' '$TEST_TMP/dashboard.pid' 2>'$TEST_TMP/err'; sleep 600"
    on_exit hosts_dashboard_gone
}
hosts_dashboard_gone() {
    local p
    p=$(cat "$TEST_TMP/dashboard.pid" 2>/dev/null) || return 0
    kill -TERM "$p" 2>/dev/null
    wait_for 20 hosts_all_gone "$p"
}

# A node NAME on host N reached with ssh, port P, data directory DIR there, added to $CONF
# (hosts_forget_node NAME takes it out again).
hosts_add_node() { # NAME N P DIR
    cat >>"$CONF" <<EOC

[nodes]
$1 = host=$(hosts_addr "$2") port=$3 user=postgres dbname=postgres

[node $1]
datadir = $4
port = $3
ssh = postgres@$(hosts_addr "$2")
ssh_options = -F $HOSTS_DIR/ssh_config
EOC
}
hosts_forget_node() { sed -i "/^$1 =/d; /^\[node $1\]/,\$d" "$CONF"; }

hosts_down() {
    local n h p pids f
    for n in 1 2 3; do
        h=$(hosts_dir "$n")
        if [ -e "/run/netns/$(hosts_ns "$n")" ] && mountpoint -q "$HOSTS_DIR/ns/mnt$n" 2>/dev/null &&
            [ -e "$(hosts_datadir "$n")/postmaster.pid" ]; then
            hosts_pg_ctl "$n" stop
        fi
    done
    for f in "$XDG_RUNTIME_DIR"/repltop/*; do # repltop's ssh masters, should one be left
        [ -S "$f" ] && ssh -o ControlPath="$f" -O exit lab >/dev/null 2>&1
    done
    for n in 1 2 3; do
        hosts_sshd_stop "$n"
        if [ -e "/run/netns/$(hosts_ns "$n")" ]; then
            pids=$(ip netns pids "$(hosts_ns "$n")")
            # shellcheck disable=SC2086
            [ -z "$pids" ] || { kill -KILL $pids; wait_for 10 hosts_all_gone $pids; }
        fi
        for f in "$HOSTS_DIR/ns/mnt$n" "$HOSTS_DIR/ns/uts$n"; do
            mountpoint -q "$f" 2>/dev/null && { umount "$f" 2>/dev/null || umount -l "$f"; }
        done
        [ -e "/run/netns/$(hosts_ns "$n")" ] && ip netns del "$(hosts_ns "$n")"
        ip link show "${HOSTS_PFX}h$n" >/dev/null 2>&1 && ip link del "${HOSTS_PFX}h$n"
    done
    mountpoint -q "$HOSTS_DIR/ns" 2>/dev/null && { umount "$HOSTS_DIR/ns" 2>/dev/null || umount -l "$HOSTS_DIR/ns"; }
    ip link show "${HOSTS_PFX}br" >/dev/null 2>&1 && ip link del "${HOSTS_PFX}br"
    return 0
}

# What the tests on the lab share: an action's output in $OUT, a node's entry in status --json.
act() { hosts_repltop -c "$CONF" "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
# act_ok WHAT ACTION...: the action exits 0 (checked as WHAT); its output shown when not
act_ok() {
    local what=$1 rc
    shift
    act "$@"
    rc=$?
    check_eq "$what" 0 "$rc"
    [ "$rc" = 0 ] || show_out
    return "$rc"
}
status_is() { # NODE JQ-CONDITION
    hosts_repltop -c "$CONF" status --json >"$J" 2>/dev/null
    jq -e --arg n "$1" ".nodes[] | select(.name == \$n) | $2" "$J" >/dev/null
}
one_fail_line() { # NAME PATTERN: $OUT has one fail line, and it matches
    if [ "$(grep -c '^fail:' "$OUT")" = 1 ] && grep -q "^fail: .*$2" "$OUT"; then
        ok "$1"
    else
        not_ok "$1"
        show_out
    fi
}
asides() { # N KIND: how many main.repltop-KIND-* directories host N has
    find "$HOSTS_DIR/host$1/var/lib/postgresql/15" -maxdepth 1 -name "main.repltop-$2-*" | wc -l
}
hosts_no_program() { # N COMM: no process named COMM runs on host N
    local p
    for p in $(ip netns pids "$(hosts_ns "$1")"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && return 1
    done
    return 0
}

# The start of every test on the lab: SKIP (exit 0) where it cannot run, else up with the config
# in $CONF; a lab that does not come up fails the test.
hosts_start() {
    local why
    why=$(hosts_cannot)
    if [ -n "$why" ]; then
        skip "three hosts from network namespaces: $why"
        exit 0
    fi
    make_test_tmp
    if ! hosts_up >"$TEST_TMP/hosts-up.log" 2>&1; then
        not_ok "the three hosts come up (sshd, db_m on host1, its standbys on host2 and host3)"
        sed 's/^/# /' "$TEST_TMP/hosts-up.log" "$HOSTS_DIR"/*.log 2>/dev/null | tail -n 40
        exit 1
    fi
    CONF=$TEST_TMP/repltop.conf
    OUT=$TEST_TMP/out
    J=$TEST_TMP/s.json
    hosts_config "$CONF"
}
