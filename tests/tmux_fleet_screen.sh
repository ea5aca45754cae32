#!/usr/bin/env bash
# The fleet screen (issue 14 item 4), at 80x24: several clusters open on one row each, worst
# first; `/` filters by name; Enter opens a cluster's own dashboard, where an action's dialog
# opens on that cluster's nodes; Esc closes the dialog, Esc again goes back to the fleet.
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
check "every cluster has its row once refreshed" wait_screen 20 'ok +prod +db_m +3/3'
row() { screen | grep -n -E "^│ [a-z–-]+ +$1 " | cut -d: -f1; }
check "worst first: lost (critical) above mirror above prod (ok)" \
    bash -c "[ $(row lost) -lt $(row mirror) ] && [ $(row mirror) -lt $(row prod) ]"
check "the fleet's problems under the table, with the cluster's name" wait_screen 5 'CRIT lost gone'
check "the key bar shows the fleet's keys" wait_screen 5 'Enter Open +/ Filter'

tm send-keys -t main / p r o
check "/ filters by name as it is typed" wait_screen 5 'filter /pro_'
tm send-keys -t main Enter
only_prod() { screen | grep -qE '^│ ok +prod ' && ! screen | grep -qE '^│ [a-z–-]+ +(lost|mirror) '; }
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
tm send-keys -t main q
check "q quits" wait_for 10 bash -c "! tmux -L $TMUX_SOCK has-session -t main 2>/dev/null"
check "nothing on stderr" [ ! -s "$TEST_TMP/dash.err" ]
