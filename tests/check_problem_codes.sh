#!/usr/bin/env bash
# Every problem code the health rules can raise is one [severity] accepts (config_problem_codes in
# model/config/config_severity.c: the config may not include the monitoring, so the list lives there too),
# and every code that list accepts is one a rule raises. A code is a string literal passed to
# snapshot_add_problem or given to a `code` variable in model/watch/*.c.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
raised=$(cat "$root"/model/watch/*.c |
    grep -oE 'snapshot_add_problem\([^"]*"[a-z_]+"|code = [^,;]*' |
    grep -oE '"[a-z][a-z_]+"' | tr -d '"' | sort -u)
accepted=$(sed -n '/config_problem_codes\[\] = {/,/NULL}/p' "$root/model/config/config_severity.c" |
    grep -oE '"[a-z][a-z_]+"' | tr -d '"' | sort -u)
check "the rules raise some codes ($(echo $raised | wc -w))" test -n "$raised"
check "[severity] accepts some codes ($(echo $accepted | wc -w))" test -n "$accepted"
for c in $raised; do
    check "[severity] accepts $c, a code the rules raise" grep -qx "$c" <<<"$accepted"
done
for c in $accepted; do
    check "$c, accepted by [severity], is raised by a rule" grep -qx "$c" <<<"$raised"
done
