#!/usr/bin/env bash
# tmux: the dashboard watching three hosts made of network namespaces (tests/lib_hosts.sh) while
# host2's link is cut — a network partition. db_s1's row turns to timeout within its deadline,
# the other rows and the keys stay live, and it recovers by itself when the link comes back.
# The detail panel says how each node is reached for actions, and the r dialog names the host.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_hosts.sh"
tmux_setup ssh-partition
hosts_start
on_exit hosts_heal 2

# the dashboard, in the root namespace with an empty /var/lib/postgresql
hosts_dashboard
row() { screen | grep -E "^│ *[^ ]* ?$1 " | head -n 1; }
row_has() { row "$1" | grep -Eq -- "$2"; }
if wait_screen 30 "db_s1 .*streaming" && wait_screen 10 "db_s2 .*streaming"; then
    ok "the dashboard shows the three hosts' nodes streaming"
else
    not_ok "the dashboard shows the three hosts' nodes streaming"
    dump
fi

# the detail panel: how db_s1 is reached for actions
tm send-keys -t main j
if wait_screen 10 "actions via +ssh postgres@$(hosts_addr 2)"; then
    ok "the detail panel says db_s1 is reached with ssh postgres@$(hosts_addr 2)"
else
    not_ok "the detail panel says db_s1 is reached with ssh postgres@$(hosts_addr 2)"
    dump
fi

# the partition: host2's link is cut
hosts_isolate 2
start=$SECONDS
if wait_screen 15 "db_s1 .*(timeout|down|unreachable)"; then
    ok "db_s1's row turns to timeout within its deadline after host2's link is cut ($((SECONDS - start)) s)"
else
    not_ok "db_s1's row turns to timeout within its deadline after host2's link is cut"
    dump
fi
check "db_m and db_s2 stay live meanwhile" row_has db_s2 "streaming"
# the keys still answer: the help opens and closes
tm send-keys -t main '?'
if wait_screen 5 "[Kk]eys|[Hh]elp"; then ok "the keys answer during the partition"; else not_ok "the keys answer during the partition"; dump; fi
tm send-keys -t main Escape

# the r dialog names the host it would act on
tm send-keys -t main r
if wait_screen 5 "host +postgres@$(hosts_addr 2) \(over ssh"; then
    ok "the r dialog names the host it acts on"
else
    not_ok "the r dialog names the host it acts on"
    dump
fi
tm send-keys -t main Escape

hosts_heal 2
start=$SECONDS
if wait_screen 60 "db_s1 .*streaming"; then
    ok "db_s1 recovers by itself when the link comes back ($((SECONDS - start)) s)"
else
    not_ok "db_s1 recovers by itself when the link comes back"
    dump
fi
