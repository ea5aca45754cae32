#!/usr/bin/env bash
# The fleet screen (issue 14 item 4), at 80x24: several clusters open on one row each, worst
# first; `/` filters by name; Enter opens a cluster's own dashboard, where an action's dialog
# opens on that cluster's nodes; Esc closes the dialog, Esc again goes back to the fleet.
# The demo's standby alone in a file of its own is the same cluster as prod: both rows say so.
# Then a fleet of 16 with 30 problems: the problems panel scrolls (Tab, End, Home, PgDn) at
# 80x24, every line names its cluster, Enter opens a line's cluster; e exports the fleet's JSON;
# at 120x40 every row fits.
source "$(dirname "$0")/lib.sh"

tmux_setup fleetscreen
cluster_up
D=$TEST_TMP/clusters.d
mkdir -p "$D"
cp "$CONF" "$D/prod.conf"
printf '[nodes]\ngone = host=127.0.0.1 port=1 connect_timeout=2\n' >"$D/lost.conf"
# the demo's sync standby alone: a cluster with no primary of its own
{
    echo "[repltop]"
    echo "cluster = mirror"
    echo "[nodes]"
    grep '^db_s2 = ' "$CONF" | sed 's/^db_s2 = /replica = /'
} >"$D/zz.conf"

tm new-session -d -s main -x 80 -y 24 "'$REPLTOP' -c '$D' 2>'$TEST_TMP/dash.err'"
check "the fleet screen opens" wait_screen 20 'repltop fleet +3 clusters'
check "every cluster has its row once refreshed" wait_screen 20 'warning +prod = mirror +db_m +3/3'
row() { screen | grep -n -E "^│ [a-z–-]+ +$1 " | cut -d: -f1; }
check "worst first: lost (critical) above mirror above prod (a warning)" \
    bash -c "[ $(row lost) -lt $(row mirror) ] && [ $(row mirror) -lt $(row prod) ]"
check "mirror's row says it is prod's cluster too" wait_screen 5 '^│ critical +mirror = prod '
check "the fleet's problems under the table, with the cluster's name" wait_screen 5 'CRIT lost gone'
check "prod's problem: one cluster in two files" wait_screen 5 'WARN prod one cluster in two files: '
check "the key bar shows the fleet's keys" wait_screen 5 'Enter Open +/ Filter +Tab Problems +e Export'

tm send-keys -t main / p r o
check "/ filters by name as it is typed" wait_screen 5 'filter /pro_'
tm send-keys -t main Enter
only_prod() { screen | grep -qE '^│ warning +prod ' && ! screen | grep -qE '^│ [a-z–-]+ +(lost|mirror) '; }
check "the filter keeps only prod" wait_for 5 only_prod

tm send-keys -t main Enter
check "Enter opens prod's own dashboard" wait_screen 10 'cluster prod'
check "with prod's nodes" wait_screen 10 'db_s1 +standby'
check "the key bar says Esc goes back" wait_screen 5 'Esc Fleet'
tm send-keys -t main j
sleep 0.3
tm send-keys -t main p
check "an action's dialog opens there, on prod's node" wait_screen 10 'Promote db_s1'
tm send-keys -t main Escape
no_dialog() { ! screen | grep -q 'Promote db_s1'; }
check "Esc closes the dialog" wait_for 5 no_dialog
check "and the cluster's dashboard stays" wait_screen 5 'cluster prod'
tm send-keys -t main Escape
check "Esc again: back to the fleet screen" wait_screen 10 'repltop fleet'
check "with the filter kept" wait_for 5 only_prod
tm send-keys -t main Escape
check "Esc on the fleet screen clears the filter" wait_screen 5 '^│ [a-z–-]+ +lost '
tm send-keys -t main p
check "an action key on the fleet screen says to open a cluster first" \
    wait_screen 5 'promote: open a cluster first \(Enter\)'
tm send-keys -t main q
check "q quits" wait_for 10 bash -c "! tmux -L $TMUX_SOCK has-session -t main 2>/dev/null"
check "nothing on stderr" [ ! -s "$TEST_TMP/dash.err" ]

# ---- a fleet of 16: prod and 15 clusters whose one node is down, two problems each ----
D2=$TEST_TMP/many.d
mkdir -p "$D2"
cp "$CONF" "$D2/prod.conf"
for k in $(seq 10 24); do # nothing listens on these ports: refused at once, each its own address
    printf '[nodes]\nn%s = host=127.0.0.1 port=%s connect_timeout=2\n' "$k" "$k" >"$D2/down$k.conf"
done
tm new-session -d -s many -x 80 -y 24 -c "$TEST_TMP" "'$REPLTOP' -c '$D2' 2>'$TEST_TMP/many.err'"
main() { tm capture-pane -p -t many; }
wait_many() { # SECONDS PATTERN
    local deadline=$((SECONDS + $(slow_secs "$1")))
    until main | grep -Eq -- "$2"; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}
check "16 clusters, 30 problems: the panel says which lines of how many" wait_many 20 'Problems of the fleet \(30\).*' 
check "at 80x24 it shows the first lines and the count on its border" wait_many 5 '─ 1-[0-9]+ of 30 ─'
check "the worst first: every line shown is CRIT and names its cluster" \
    bash -c "main() { tmux -u -L $TMUX_SOCK capture-pane -p -t many; }; [ \$(main | grep -cE '^│ CRIT down[0-9]+ n[0-9]+ ') -ge 3 ]"
tm send-keys -t many Tab End
check "Tab then End: the panel scrolls to the last of the 30 lines" wait_many 5 '─ [0-9]+-30 of 30 ─'
check "the last lines are there (every cluster's no_primary)" wait_many 5 '^│ CRIT down24 no reachable primary'
tm send-keys -t many Home
check "Home: back to the first line" wait_many 5 '─ 1-[0-9]+ of 30 ─'
tm send-keys -t many PPage
tm send-keys -t many NPage
check "PgDn moves a page" wait_many 5 '─ [2-9][0-9]*-[0-9]+ of 30 ─'
tm send-keys -t many Home Enter
check "Enter on a problem's line opens its cluster (the first line: down10's)" wait_many 10 'cluster down10 '
tm send-keys -t many Escape
check "Esc: back to the fleet" wait_many 10 'repltop fleet +16 clusters'
tm send-keys -t many e
check "e on the fleet screen: the fleet's JSON exported" wait_many 10 "the fleet's 16 clusters exported to $TEST_TMP/repltop-"
EXPORT=$(ls "$TEST_TMP"/repltop-*.json 2>/dev/null | head -n 1)
check "the export is status --json's fleet: 16 clusters, by name, each with its nodes" bash -c \
    "[ -n '$EXPORT' ] && jq -e '(.clusters | length) == 16 and .clusters[0].name == \"down10\" and (.clusters[] | select(.name == \"prod\") | .nodes | length) == 3 and has(\"health\")' '$EXPORT' >/dev/null"
tm resize-window -t many -x 120 -y 40
check "at 120x40 every cluster's row is on screen" wait_many 10 '^│ ok +prod +db_m '
check "and no row is left out of the table" bash -c \
    "! tmux -u -L $TMUX_SOCK capture-pane -p -t many | grep -qE '─ [0-9]+-[0-9]+ of 16 ─'"
check "the screen fits 120 columns" bash -c \
    "[ \$(tmux -u -L $TMUX_SOCK capture-pane -p -t many | wc -L) -le 120 ]"
tm send-keys -t many q
check "nothing on stderr (the fleet of 16)" wait_for 10 bash -c "[ ! -s '$TEST_TMP/many.err' ] && ! tmux -L $TMUX_SOCK has-session -t many 2>/dev/null"
