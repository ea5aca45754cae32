#!/usr/bin/env bash
# `repltop resync NAME --new --port P --datadir DIR` on a real cluster: a node that is not in the
# config yet is added to the config file (the primary's conninfo on another port, no password;
# the file keeps its mode and owner and still loads), built with pg_basebackup and streams. And
# what must not happen: a second node of that name, a port that is taken (in the config or on
# this host), a directory that holds something, a node repltop could not log in to — each
# refused before the config file or the disk changes.
source "$(dirname "$0")/lib.sh"
cluster_up
export XDG_STATE_HOME=$TEST_TMP/state
OUT=$TEST_TMP/out
J=$TEST_TMP/s.json
PGBIN=$(pg_bin)
MPORT=$(demo_port db_m)
S3DIR=$DEMO_DIR/db_s3
on_exit "run_as_server '$PGBIN/pg_ctl' -D '$S3DIR' stop -m immediate"
new() { "$REPLTOP" -c "${RCONF:-$CONF}" resync "$@" >"$OUT" 2>&1; }
show_out() { sed 's/^/# /' "$OUT"; }
said() { grep -qF -- "$1" "$OUT" || { show_out; return 1; }; }
# A port nothing listens on and no node of the config has.
free_port() {
    local p
    for p in $(seq $((MPORT + 50)) $((MPORT + 150))); do
        if [ -z "$(ss -ltnH "sport = :$p")" ] && ! grep -q "port *= *$p\b" "$CONF"; then
            echo "$p"
            return
        fi
    done
}
P=$(free_port)
cp -p "$CONF" "$TEST_TMP/conf.before"
mode=$(stat -c '%a %U:%G' "$CONF")
unchanged() { cmp -s "$CONF" "$TEST_TMP/conf.before"; }

# --- refused, and nothing changes ---
new db_s3 --new --yes
check_eq "an unknown node without --port/--datadir: refused (exit 1)" 1 $?
check "it says what to give" said "to add it as a new replica, give --port P and --datadir DIR"
new db_s3 --port "$P" --datadir "$S3DIR" --yes
check_eq "--port without --new: bad usage (exit 3)" 3 $?
new db_s3 --new --port "$(demo_port db_s1)" --datadir "$S3DIR" --yes
check_eq "the port of another node: refused (exit 1)" 1 $?
check "it names the node" said "is the port of db_s1 in $CONF"
# db_s2 still listens on its port, but this config does not know it: the host says no
RCONF=$TEST_TMP/without-s2.conf
sed -e '/^db_s2 = /d' -e '/^\[node db_s2\]/,/^$/d' "$CONF" >"$RCONF"
new db_s3 --new --port "$(demo_port db_s2)" --datadir "$S3DIR" --yes
check_eq "a port taken on this host: refused (exit 1)" 1 $?
check "it says the port is taken" said "port $(demo_port db_s2) is taken on this host (127.0.0.1:$(demo_port db_s2): Address already in use)"
RCONF=""
mkdir "$S3DIR" && touch "$S3DIR/something"
new db_s3 --new --port "$P" --datadir "$S3DIR" --yes
check_eq "a directory that holds something: refused (exit 1)" 1 $?
check "it says so" said "$S3DIR exists and is not an empty directory"
check "the directory is left as it was" test -e "$S3DIR/something"
rm -r "$S3DIR"
new db_s3 --new --port "$P" --datadir "$DEMO_DIR/db_s1" --yes
check "another node's directory: refused" said "$DEMO_DIR/db_s1 is the data directory of db_s1"
new "db=s3" --new --port "$P" --datadir "$S3DIR" --yes
check "a name the config file cannot hold: refused" said 'node name "db=s3" cannot be written to the config'
# a passfile with a line per port, as users often write them: repltop could not log in
PF=$TEST_TMP/pgpass.ports
{
    for n in db_m db_s1 db_s2; do
        awk -F: -v p="$(demo_port $n)" '!/^#/ { print $1 ":" p ":" $3 ":" $4 ":" $5 }' "$DEMO_DIR/pgpass"
    done
} >"$PF"
chmod 600 "$PF"
RCONF=$TEST_TMP/ports.conf
sed "s|passfile=$DEMO_DIR/pgpass|passfile=$PF|" "$CONF" >"$RCONF"
new db_s3 --new --port "$P" --datadir "$S3DIR" --yes
check_eq "a passfile without a line for the new port: refused (exit 1)" 1 $?
check "it says which line is missing" \
    said "with a password from $PF, which has no line for 127.0.0.1:$P (database postgres, user postgres)"
check "the other config is unchanged too" bash -c "! grep -q db_s3 '$RCONF'"
# the primary's password written in its conninfo: never copied into the config, so refused
PW=$(awk -F: '$4 == "postgres" { print $5; exit }' "$DEMO_DIR/pgpass")
sed "s|^db_m = .*|db_m = host=127.0.0.1 port=$MPORT user=postgres dbname=postgres passfile=/dev/null password=$PW|" \
    "$CONF" >"$RCONF"
new db_s3 --new --port "$P" --datadir "$S3DIR" --yes
check_eq "a password in the primary's conninfo: refused (exit 1)" 1 $?
check "it says repltop does not copy it" said "holds its password, which repltop does not copy into the config"
check "the password is not in the output" bash -c "! grep -qF -- '$PW' '$OUT'"
check "that config is unchanged" bash -c "! grep -q db_s3 '$RCONF'"
RCONF=""
check "after every refusal the config file is unchanged" unchanged
check_eq "and keeps its mode and owner" "$mode" "$(stat -c '%a %U:%G' "$CONF")"
check "no data directory was made" test ! -e "$S3DIR"

# --- the new replica ---
new db_s3 --new --port "$P" --datadir "$S3DIR" --yes
rc=$?
show_out
check_eq "resync db_s3 --new --port $P --datadir DIR: exit 0" 0 "$rc"
check "it says it adds db_s3 to the config" said "step: adding db_s3 to $CONF"
check "the config file has [nodes] db_s3" grep -q "^db_s3 = .*host='127.0.0.1' port='$P'" "$CONF"
check "the config file has [node db_s3]" \
    grep -qzF "[node db_s3]"$'\n'"datadir = $S3DIR"$'\n'"port = $P"$'\n'"bindir = $PGBIN"$'\n' "$CONF"
check "the old content is kept as it was, at the start" \
    cmp -s -n "$(stat -c %s "$TEST_TMP/conf.before")" "$CONF" "$TEST_TMP/conf.before"
check_eq "the config file keeps its mode and owner" "$mode" "$(stat -c '%a %U:%G' "$CONF")"
check "no password in the config file" bash -c "! grep -qiE 'password *=' '$CONF'"
check "none of the demo's passwords in the config file" no_password_in "$CONF"
check "no temp file left beside it" bash -c "! ls -A '$DEMO_DIR' | grep -q '^\.repltop\.conf\.'"
streams() {
    status_json >"$J" 2>/dev/null &&
        jq -e '(.nodes | length) == 4 and (.nodes[] | select(.name == "db_s3") |
            .reachable and .role == "standby" and .state == "streaming" and .upstream == "db_m")' \
            "$J" >/dev/null
}
check "status --json: 4 nodes, db_s3 a streaming standby of db_m" wait_for 15 streams
check_eq "db_s3 listens on port $P" "$P" \
    "$(PGPASSFILE=$DEMO_DIR/pgpass psql -X -A -t -h 127.0.0.1 -p "$P" -U postgres -d postgres -c 'SHOW port')"
check_eq "the primary lists it by its name" "db_s3|streaming" \
    "$(demo_psql db_m -c "SELECT application_name || '|' || state FROM pg_stat_replication WHERE application_name = 'db_s3'")"
check "every step is in the audit log" \
    grep -q "resync db_s3 ok: db_s3 is in $CONF now" "$XDG_STATE_HOME/repltop/actions.log"

# --- the second time ---
cp -p "$CONF" "$TEST_TMP/conf.before"
new db_s3 --new --port "$P" --datadir "$S3DIR" --yes
check_eq "the same command again: refused (exit 1)" 1 $?
check "it says db_s3 exists" said "db_s3: $S3DIR already holds data"
new db_s3 --new --port "$((P + 1))" --datadir "$DEMO_DIR/db_s3b" --yes
check_eq "db_s3 with other settings: refused (exit 1)" 1 $?
check "it says db_s3 is in the config with another port" said "db_s3 is in the config already, with another port"
check "the config file is unchanged by both" unchanged
check_eq "the config has one db_s3" 1 "$(grep -c '^db_s3 = ' "$CONF")"

# `demo down` stops every server under the demo's directory, the added replica too
"$REPLTOP" demo down --dir "$DEMO_DIR" >"$TEST_TMP/down.out" 2>&1
check_eq "demo down: exit 0" 0 $?
check "demo down stopped db_s3 too" grep -q "db_s3: stopped" "$TEST_TMP/down.out"
check "db_s3 no longer runs (no postmaster.pid)" test ! -f "$S3DIR/postmaster.pid"
