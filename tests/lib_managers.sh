# Small real clusters run by an HA manager, for the tests of its detection and of the gate
# (docs/DESIGN.md 4.9): repmgr (a primary and a standby, repmgrd on the primary) and
# pg_auto_failover (a monitor and two nodes under `pg_autoctl run`), from Debian's packages, on
# loopback, as the server user, under the test's temp dir. Everything started here is stopped
# on exit by the pid it recorded. Source it after tests/lib.sh and make_test_tmp.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

# why NAME is missing here, or nothing: the test SKIPs with the reason
manager_missing() { # repmgr|autofailover
    [ "$(id -u)" -eq 0 ] || id postgres >/dev/null 2>&1 || {
        echo "no postgres user to run the servers as"
        return
    }
    [ -x "$PGBIN/initdb" ] || {
        echo "PostgreSQL 15's server programs are not in $PGBIN"
        return
    }
    case $1 in
    repmgr)
        [ -x "$PGBIN/repmgr" ] && [ -x "$PGBIN/repmgrd" ] ||
            echo "repmgr is not installed (Debian: postgresql-15-repmgr)"
        ;;
    autofailover)
        command -v pg_autoctl >/dev/null &&
            [ -f /usr/share/postgresql/15/extension/pgautofailover.control ] ||
            echo "pg_auto_failover is not installed (Debian: pg-auto-failover-cli, postgresql-15-auto-failover)"
        ;;
    esac
}

as_pg() { run_as_server env PATH="$PGBIN:$PATH" "$@"; }

# Stops a process this test started (TERM, then KILL after 30 s) and waits for it.
stop_pid() { # pid
    [ -n "$1" ] || return 0
    kill -TERM "$1" 2>/dev/null || return 0
    wait_for 30 bash -c "! kill -0 $1 2>/dev/null" || kill -KILL "$1" 2>/dev/null
}

# Stops a server this test started, by its postmaster pid (fast shutdown).
stop_server() { # datadir
    local pid
    pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null)
    [ -n "$pid" ] || return 0
    kill -INT "$pid" 2>/dev/null
    wait_for 30 bash -c "! kill -0 $pid 2>/dev/null"
}

psql_at() { # port sql
    as_pg psql -X -q -A -t -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}

# repltop's config for the lab's db_m and db_s1 (ports p1, p2) in $CONF. Generous deadlines:
# a refusal is judged from the nodes that answered, and this machine may be loaded.
write_conf() { # name p1 p2
    CONF=$TEST_TMP/$1.conf
    cat >"$CONF" <<EOF
[repltop]
connect_timeout = $(slow_secs 10)s
query_timeout = $(slow_secs 10)s

[nodes]
db_m = host=127.0.0.1 port=$2 user=postgres dbname=postgres
db_s1 = host=127.0.0.1 port=$3 user=postgres dbname=postgres

[node db_m]
datadir = $LAB/db_m
[node db_s1]
datadir = $LAB/db_s1
EOF
}

# ---- repmgr ----------------------------------------------------------------------------------

repmgr_conf() { # id name port
    cat <<EOF
node_id=$1
node_name='$2'
conninfo='host=127.0.0.1 port=$3 user=repmgr dbname=repmgr connect_timeout=2'
data_directory='$LAB/$2'
pg_bindir='$PGBIN'
failover='manual'
repmgrd_pid_file='$LAB/$2.repmgrd.pid'
log_file='$LAB/$2.repmgrd.log'
monitor_interval_secs=1
EOF
}

# repmgr_up: db_m (primary, registered, repmgrd) and db_s1 (standby clone, registered) on ports
# $1 and $1+1; writes $CONF for repltop. Returns non-zero with the log on a failure. The clone asks
# for a fast checkpoint: the spread one, paced over checkpoint_timeout, took 97 s here.
repmgr_up() { # first_port
    LAB=$TEST_TMP/repmgr
    local p1=$1 p2=$(($1 + 1)) log=$TEST_TMP/repmgr-up.log
    mkdir -p "$LAB" && chown postgres: "$LAB"
    repmgr_conf 1 db_m "$p1" >"$LAB/db_m.conf"
    repmgr_conf 2 db_s1 "$p2" >"$LAB/db_s1.conf"
    on_exit "stop_server $LAB/db_s1; stop_server $LAB/db_m"
    on_exit "stop_pid \$(cat $LAB/db_m.repmgrd.pid 2>/dev/null)"
    {
        as_pg initdb -D "$LAB/db_m" -U postgres --auth=trust &&
            cat >>"$LAB/db_m/postgresql.conf" <<EOF &&
listen_addresses = '127.0.0.1'
port = $p1
unix_socket_directories = '$LAB'
wal_level = replica
wal_log_hints = on
hot_standby = on
shared_preload_libraries = 'repmgr'
EOF
            as_pg pg_ctl -D "$LAB/db_m" -l "$LAB/db_m.log" -w start &&
            psql_at "$p1" "CREATE ROLE repmgr SUPERUSER LOGIN" &&
            psql_at "$p1" "CREATE DATABASE repmgr OWNER repmgr" &&
            as_pg repmgr -f "$LAB/db_m.conf" primary register &&
            as_pg repmgr -f "$LAB/db_s1.conf" -h 127.0.0.1 -p "$p1" -U repmgr -d repmgr \
                standby clone --fast-checkpoint &&
            echo "port = $p2" >>"$LAB/db_s1/postgresql.conf" &&
            as_pg pg_ctl -D "$LAB/db_s1" -l "$LAB/db_s1.log" -w start &&
            as_pg repmgr -f "$LAB/db_s1.conf" standby register --wait-sync=30 &&
            as_pg repmgrd -f "$LAB/db_m.conf" -d &&
            wait_for 20 test -s "$LAB/db_m.repmgrd.pid"
    } >"$log" 2>&1 || {
        sed 's/^/# /' "$log" | tail -n 30
        return 1
    }
    write_conf repmgr "$p1" "$p2"
}

# ---- pg_auto_failover ------------------------------------------------------------------------

# pg_autoctl keeps its config and state under XDG directories: the test's own, not postgres's
# home.
autoctl() {
    as_pg env XDG_CONFIG_HOME="$LAB/xdg/config" XDG_DATA_HOME="$LAB/xdg/data" \
        XDG_RUNTIME_DIR="$LAB/xdg/run" pg_autoctl "$@"
}

# `pg_autoctl create ... --run` in the background, as the server user; its pid in $LAB/NAME.pid.
autoctl_run() { # name args...
    local name=$1
    shift
    run_as_server env PATH="$PGBIN:$PATH" XDG_CONFIG_HOME="$LAB/xdg/config" \
        XDG_DATA_HOME="$LAB/xdg/data" XDG_RUNTIME_DIR="$LAB/xdg/run" \
        bash -c 'pg_autoctl "$@" >"$0.log" 2>&1 </dev/null & echo $! >"$0.pid"' "$LAB/$name" "$@"
    on_exit "stop_pid \$(cat $LAB/$name.pid 2>/dev/null); stop_server $LAB/$name"
}

autoctl_state() { autoctl show state --pgdata "$LAB/monitor" 2>/dev/null; }
# true when the monitor reports NODE in one of the states (an extended regex) and assigns it
autoctl_node_is() { # node states
    autoctl_state | grep -Eq "^ *$1 .*\| *($2) *\| *($2) *\$"
}

# autofailover_up: a monitor on port $1, db_m and db_s1 on $1+1 and $1+2 (db_m primary, db_s1
# secondary once both report it); writes $CONF for repltop (the data nodes only).
autofailover_up() { # first_port
    LAB=$TEST_TMP/autofailover
    local p0=$1 p1=$(($1 + 1)) p2=$(($1 + 2)) node opts
    mkdir -p "$LAB/xdg/run" && chown -R postgres: "$LAB" && chmod 700 "$LAB/xdg/run"
    opts=(--hostname 127.0.0.1 --auth trust --no-ssl --run)
    autoctl_run monitor create monitor --pgdata "$LAB/monitor" --pgport "$p0" "${opts[@]}"
    local uri="postgres://autoctl_node@127.0.0.1:$p0/pg_auto_failover?sslmode=prefer"
    wait_for 90 as_pg psql -X -q -d "$uri" -c "SELECT 1" >/dev/null 2>&1 || {
        sed 's/^/# /' "$LAB/monitor.log"
        return 1
    }
    for node in db_m db_s1; do
        [ $node = db_m ] && port=$p1 || port=$p2
        autoctl_run $node create postgres --pgdata "$LAB/$node" --pgport "$port" --name $node \
            --monitor "$uri" "${opts[@]}"
        local want='single|primary'
        [ $node = db_s1 ] && want='secondary'
        wait_for 120 autoctl_node_is $node "$want" || {
            sed 's/^/# /' "$LAB/$node.log" | tail -n 40
            autoctl_state | sed 's/^/# /'
            return 1
        }
    done
    # db_s1 secondary is not the end: db_m goes from wait_primary to primary afterwards and only
    # then sets its synchronous_standby_names; a test comparing states before and after an
    # action must start from the settled formation
    wait_for 120 autoctl_node_is db_m primary || {
        autoctl_state | sed 's/^/# /'
        return 1
    }
    sync_set() { [ -n "$(psql_at "$p1" "SHOW synchronous_standby_names")" ]; }
    wait_for 30 sync_set || true # a formation without a sync standby leaves it empty
    write_conf autofailover "$p1" "$p2"
}

# ---- what a refused action must leave as it was ----------------------------------------------

# One line per node: its role, timeline, sync list and the checksum of postgresql.auto.conf.
cluster_state() { # port...
    local p
    for p in "$@"; do
        psql_at "$p" "SELECT pg_is_in_recovery(), (SELECT timeline_id FROM pg_control_checkpoint()),
            current_setting('synchronous_standby_names'),
            md5(pg_read_file('postgresql.auto.conf'))"
    done
}

# ---- the checks both managers share ----------------------------------------------------------

OUT=""
act() { "$REPLTOP" -c "$CONF" "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }

# refused WHAT "expected text" ACTION...: exit 1, one fail: line naming the manager and the way
refused() {
    local what=$1 want=$2
    shift 2
    act "$@"
    local rc=$?
    if [ $rc = 1 ] && [ "$(grep -c '^fail: ' "$OUT")" = 1 ] && grep -qF -- "$want" "$OUT" &&
        grep -q 'refused: .* run by .*nothing was changed' "$OUT"; then
        ok "$what: refused in one line (\"$want\")"
    else
        not_ok "$what: refused in one line naming \"$want\" (exit $rc)"
        show_out
    fi
}
