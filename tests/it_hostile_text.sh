#!/usr/bin/env bash
# Hostile text (issue 15, item 5): whatever comes from a file, a server or the command line is
# printed with its control characters and invalid UTF-8 escaped (model/base/text.h: "\x1b",
# "\n", "\u009b", "\xff") — on stderr (one line each time), in `status`'s table, in an action's
# progress lines and in the audit log — while `status --json` keeps the exact string. No server
# needed: the server's side is tmux_hostile_text.sh.
source "$(dirname "$0")/lib.sh"
make_test_tmp
export XDG_STATE_HOME=$TEST_TMP/state

# run_rc CMD...: sets RC; stdout in $TEST_TMP/out, stderr in $TEST_TMP/err
run_rc() {
    "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" </dev/null
    RC=$?
}
# a raw control byte (C0 but the line end, DEL) or a C1 control in UTF-8 in FILE
has_control() { LC_ALL=C grep -qP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"; }
# a byte that is not valid UTF-8 in FILE
bad_utf8() { ! iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
# expect_clean_line "what" "text expected on stderr" CMD...: exit 3, one line, nothing raw
expect_clean_line() {
    local what=$1 want=$2
    shift 2
    run_rc "$@"
    if [ "$RC" -eq 3 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -qF -- "$want" "$TEST_TMP/err" &&
        ! has_control "$TEST_TMP/err" && ! bad_utf8 "$TEST_TMP/err"; then
        ok "$what: exit 3, one escaped line"
    else
        not_ok "$what: expected exit 3 and one line with '$want' and no raw control byte, got $RC:"
        od -c "$TEST_TMP/err" | head -n 8 | sed 's/^/#   /'
    fi
}

printf '[repltop]\n\033]0;owned\a\033[2J = 1\n' >"$TEST_TMP/osc.conf"
expect_clean_line "a config key with ESC and OSC sequences" \
    "osc.conf:2: unknown setting \"\\x1b]0;owned\\x07\\x1b[2J\" in [repltop]" \
    "$REPLTOP" -c "$TEST_TMP/osc.conf" status
printf '[repltop]\nrefresh = 1\033[2J\r\n' >"$TEST_TMP/value.conf"
expect_clean_line "a config value with an escape" 'refresh must be a time from 0.1s to 3600s, not "1\x1b[2J' \
    "$REPLTOP" -c "$TEST_TMP/value.conf" status
printf '[node \033[31mred]\nport = 1\n' >"$TEST_TMP/section.conf"
expect_clean_line "a [node NAME] with an escape" '\x1b[31mred' \
    "$REPLTOP" -c "$TEST_TMP/section.conf" status
printf '[nodes]\n\xc2\x9b2J\xff\xfe = host=x\n' >"$TEST_TMP/c1.conf"
expect_clean_line "a node name with a C1 control and invalid UTF-8" '\u009b2J\xff\xfe' \
    "$REPLTOP" -c "$TEST_TMP/c1.conf" status
for i in 1 2 3 4 5; do
    head -c 600 /dev/urandom | tr -d '\n' >"$TEST_TMP/garbage$i.conf"
    printf '\n\033[2J = \033]0;x\a\n' >>"$TEST_TMP/garbage$i.conf"
    run_rc "$REPLTOP" -c "$TEST_TMP/garbage$i.conf" status
    [ "$RC" -eq 3 ] && [ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && ! has_control "$TEST_TMP/err" &&
        ! bad_utf8 "$TEST_TMP/err" || { not_ok "binary garbage config $i: exit $RC"; od -c "$TEST_TMP/err" | head -n 8 | sed 's/^/#   /'; continue; }
    ok "binary garbage config $i: exit 3, one escaped line"
done
expect_clean_line "a URI whose application_name decodes to a newline and ESC" \
    'node name "a\nb\x1b[2J" contains a control character' \
    "$REPLTOP" status 'postgresql://127.0.0.1:1/postgres?application_name=a%0Ab%1B[2J'
expect_clean_line "a conninfo argument libpq rejects, with escapes" 'invalid connection option "\x1b[2Jx"' \
    "$REPLTOP" status $'\e[2Jx=1'
expect_clean_line "an unknown option with escapes" 'unknown option "--\x1b]0;t\x07"' \
    "$REPLTOP" $'--\e]0;t\a'
expect_clean_line "-c a missing file whose name has escapes" '\x1b[2J.conf: No such file' \
    "$REPLTOP" -c "$TEST_TMP/"$'\e[2J'.conf status

# status: libpq's message quotes the host name with its escapes; the table escapes it, the JSON
# keeps it exactly
host=$'\e[2J\e]0;owned\a\xc2\x9bx'
run_rc "$REPLTOP" status "host='$host' port=1 connect_timeout=2 application_name=evil"
check "status with a hostile host name: exit 2 (unreachable)" [ "$RC" -eq 2 ]
check "... the table has no raw control byte" eval '! has_control "$TEST_TMP/out"'
check "... and shows it escaped" grep -qF '\x1b[2J\x1b]0;owned\x07\u009bx' "$TEST_TMP/out"
run_rc "$REPLTOP" status --json "host='$host' port=1 connect_timeout=2 application_name=evil"
check "status --json keeps the exact string (JSON escapes it)" \
    jq -e --arg h "$host" '.nodes[0].target | startswith($h)' "$TEST_TMP/out"

# an action: its progress lines and the audit log escape a name typed on the command line
printf '[nodes]\na = host=127.0.0.1 port=1 connect_timeout=1\n' >"$TEST_TMP/ok.conf"
run_rc "$REPLTOP" -c "$TEST_TMP/ok.conf" promote $'x\e[2J\ny' --yes
check "promote of a hostile name: refused, exit 1" [ "$RC" -eq 1 ]
check "... its fail line is one escaped line" eval '[ "$(wc -l <"$TEST_TMP/err")" -eq 1 ] && grep -qF "x\x1b[2J\ny" "$TEST_TMP/err" && ! has_control "$TEST_TMP/err"'
log=$XDG_STATE_HOME/repltop/actions.log
check "... the audit log has it escaped, one line per event" \
    eval '[ "$(grep -c "x\\\\x1b\[2J\\\\ny" "$log")" -eq 3 ] && ! has_control "$log"'
