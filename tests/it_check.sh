#!/usr/bin/env bash
# `repltop status --check`, the Nagios/Icinga plugin line, against the demo cluster: OK and
# exit 0 when healthy; a stopped standby is CRITICAL (exit 2) with that node named first, and a
# WARNING (exit 1) with [severity] unreachable = warning — the same severity in --json; the
# perfdata parses as the plugin guidelines define it.
source "$(dirname "$0")/lib.sh"
cluster_up

# check_run [CONF]: sets RC and LINE (stdout), ERR (stderr)
check_run() {
    "$REPLTOP" -c "${1:-$CONF}" status --check >"$TEST_TMP/out" 2>"$TEST_TMP/err"
    RC=$?
    LINE=$(cat "$TEST_TMP/out")
}
# The guidelines: TEXT | 'label'=value[UOM];[warn];[crit];[min];[max] ..., label quoted with
# '' inside, value U when undetermined; the text holds no '|'.
PERF="'([^']|'')+'=(U|-?[0-9.]+(B|s|%|KB|MB|TB|c)?)(;(-?[0-9.]*)){0,4}"
plugin_line() {
    [ "$(wc -l <"$TEST_TMP/out")" -eq 1 ] && [ ! -s "$TEST_TMP/err" ] &&
        grep -Eq "^REPLTOP (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \|( $PERF)+\$" "$TEST_TMP/out"
}

check_run
check_eq "healthy: exit 0" 0 "$RC"
check "healthy: REPLTOP OK and the primary" grep -q '^REPLTOP OK - 3 of 3 nodes answered, primary db_m |' "$TEST_TMP/out"
check "healthy: one plugin line, its perfdata parses" plugin_line
check "healthy: lag bytes, seconds and data at risk of each standby, with thresholds" \
    grep -Eq "'db_s1_lag_bytes'=0B;16777216;268435456;0 'db_s1_lag_seconds'=[0-9.]+s;10;60;0 'db_s1_at_risk_bytes'=0B" "$TEST_TMP/out"
check "healthy: the primary has no lag of its own" bash -c "! grep -q \"'db_m_\" '$TEST_TMP/out'"

run_as_server "$(pg_bin)/pg_ctl" -D "$DEMO_DIR/db_s1" stop -m fast -w >/dev/null 2>&1
check_run
check_eq "a stopped standby: exit 2" 2 "$RC"
check "a stopped standby: CRITICAL, the node named first" grep -q '^REPLTOP CRITICAL - db_s1 ' "$TEST_TMP/out"
check "a stopped standby: its values are U (unknown), not 0" \
    grep -q "'db_s1_lag_bytes'=U;16777216;268435456;0 'db_s1_lag_seconds'=U;10;60;0 'db_s1_at_risk_bytes'=U" "$TEST_TMP/out"
check "a stopped standby: one plugin line, its perfdata parses" plugin_line

sed 's/^\[nodes\]$/[severity]\nunreachable = warning\n\n[nodes]/' "$CONF" >"$TEST_TMP/warn.conf"
check_run "$TEST_TMP/warn.conf"
check_eq "[severity] unreachable = warning: exit 1" 1 "$RC"
check "[severity] unreachable = warning: WARNING, db_s1 first" grep -q '^REPLTOP WARNING - db_s1 ' "$TEST_TMP/out"
check "the plugin line parses" plugin_line
"$REPLTOP" -c "$TEST_TMP/warn.conf" status --json >"$TEST_TMP/warn.json"
check_eq "status --json agrees: exit 1" 1 "$?"
check "status --json agrees: health and the problem are warnings" \
    jq -e '.cluster.health == "warning" and ([.cluster.problems[] | select(.code == "unreachable") | .severity] == ["warning"])' "$TEST_TMP/warn.json"
"$REPLTOP" -c "$TEST_TMP/warn.conf" status >"$TEST_TMP/warn.txt"
check "the table agrees" grep -q '^cluster warning ' "$TEST_TMP/warn.txt"

sed 's/^\[nodes\]$/[severity]\nunreachable db_s2 = ok\n\n[nodes]/' "$CONF" >"$TEST_TMP/other.conf"
check_run "$TEST_TMP/other.conf"
check_eq "[severity] for another node leaves db_s1 critical: exit 2" 2 "$RC"
sed 's/^\[nodes\]$/[severity]\nunreachable = warning\nunreachable db_s1 = ok\n\n[nodes]/' "$CONF" >"$TEST_TMP/ok.conf"
check_run "$TEST_TMP/ok.conf"
check_eq "[severity] unreachable db_s1 = ok wins over the line for every node: exit 0" 0 "$RC"
check "... REPLTOP OK, 2 of 3 nodes answered" grep -q '^REPLTOP OK - 2 of 3 nodes answered' "$TEST_TMP/out"

for n in db_m db_s2; do run_as_server "$(pg_bin)/pg_ctl" -D "$DEMO_DIR/$n" stop -m fast -w >/dev/null 2>&1; done
check_run
check_eq "no node answers: exit 3" 3 "$RC"
check "no node answers: REPLTOP UNKNOWN" grep -q '^REPLTOP UNKNOWN - ' "$TEST_TMP/out"
check "the plugin line parses" plugin_line
