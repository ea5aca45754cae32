#!/usr/bin/env bash
# 11/12. What one scrape of `repltop serve` costs, and the dashboard's memory, on SS_NODES nodes
# in SS_CLUSTERS cluster files (fleet_clusters_dir, as bench/fleet_clusters.sh makes them):
#   - serve under callgrind, instrumentation on only while SS_SCRAPES scrapes of /metrics and
#     then of /snapshot.json are answered (one a second) and collected only inside the route
#     (--toggle-collect=route): instructions per scrape, by part (annotate files in $OUT)
#   - serve without valgrind, scraped every second for SS_SECONDS once every node answered: its
#     CPU, peak RSS, the size of one /metrics and one /snapshot.json
#   - the dashboard (tmux 200x50, fleet screen) for SS_SECONDS once every node answered: peak RSS
#     (VmHWM) and smaps_rollup's parts; with SS_MASSIF=1 under massif too (ms_print in $OUT)
# With REPLTOP_BEFORE=<build> that build runs each part too, before this one, on the same servers.
# Env: SS_NODES (300), SS_CLUSTERS (90), SS_SCRAPES (10), SS_SECONDS (30), SS_MASSIF (0),
# SS_PARTS ("callgrind serve dashboard": which parts run).
. "$(dirname "$0")/lib.sh"
SS_NODES=${SS_NODES:-300}
SS_CLUSTERS=${SS_CLUSTERS:-90}
SS_SCRAPES=${SS_SCRAPES:-10}
SS_SECONDS=${SS_SECONDS:-30}
SS_MASSIF=${SS_MASSIF:-0}
SS_PARTS=${SS_PARTS:-callgrind serve dashboard}
OUT=$BENCH_OUT/serve_scrape
rm -rf "$OUT" && mkdir -p "$OUT"
chmod 777 "$OUT"

maxc=$((SS_NODES / 2 + 60))
BENCH_MAX_CONNECTIONS=$((maxc > 400 ? maxc : 400)) bench_cluster_up
D=$TEST_TMP/clusters.d
fleet_clusters_dir "$D" "$SS_NODES" "$SS_CLUSTERS"
export XDG_STATE_HOME=$TEST_TMP/state

# one trace line per cluster per refresh: a refresh in which every node answered
all_answered() { awk -v n="$SS_NODES" '{a[$2] += $8} END {for (q in a) if (a[q] == n) f = 1; exit !f}' "$1" 2>/dev/null; }
ir_of() { # annotate-file function: inclusive Ir
    awk -v f="$2" '{ gsub(",", "", $1) } $0 ~ ("[:]" f " ") { print $1; found = 1; exit }
        END { if (!found) print 0 }' "$1"
}
per() { awk -v a="$1" -v b="$2" 'BEGIN { if (b) printf "%.0f", a / b; else print "-" }'; }

scrapes() { # url count: one a second
    local i
    for ((i = 0; i < $2; i++)); do
        curl -s -o /dev/null --max-time 60 "$1"
        sleep 1
    done
}

callgrind_scrapes() { # tag build
    local tag=$1 build=$2 port vg cg=$OUT/callgrind-$1 tr=$OUT/cg-trace-$1.txt m j
    port=$(test_port)
    REPLTOP_TRACE=$tr valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
        --toggle-collect=route --callgrind-out-file="$cg.out" \
        "$build" -c "$D" serve --listen "127.0.0.1:$port" 2>"$OUT/valgrind-$tag.log" &
    vg=$!
    on_exit "kill $vg 2>/dev/null"
    wait_for 600 all_answered "$tr" || log "serve_scrape: $tag: not every node answered"
    callgrind_control -i on "$vg" >/dev/null 2>&1
    scrapes "http://127.0.0.1:$port/metrics" "$SS_SCRAPES"
    callgrind_control -d metrics "$vg" >/dev/null 2>&1 # a dump: /metrics' scrapes only
    scrapes "http://127.0.0.1:$port/snapshot.json" "$SS_SCRAPES"
    callgrind_control -i off "$vg" >/dev/null 2>&1
    kill -TERM "$vg"
    wait "$vg" 2>/dev/null
    # the dump is the first file (.1), the rest the last
    callgrind_annotate --inclusive=yes --threshold=100 "$cg.out.1" >"$OUT/annotate-$tag-metrics.txt" 2>/dev/null
    callgrind_annotate --inclusive=yes --threshold=100 "$cg.out" >"$OUT/annotate-$tag-json.txt" 2>/dev/null
    m=$(ir_of "$OUT/annotate-$tag-metrics.txt" route)
    j=$(ir_of "$OUT/annotate-$tag-json.txt" route)
    echo "| $tag | callgrind | $(per "$m" "$SS_SCRAPES") | $(per "$j" "$SS_SCRAPES") | | | | |"
}

native_serve() { # tag build
    local tag=$1 build=$2 port pid tr=$OUT/trace-$1.txt t0 t1 w0 el mb jb hwm load
    port=$(test_port)
    REPLTOP_TRACE=$tr "$build" -c "$D" serve --listen "127.0.0.1:$port" 2>"$OUT/serve-$tag.log" &
    pid=$!
    on_exit "kill $pid 2>/dev/null"
    wait_for 300 all_answered "$tr" || log "serve_scrape: $tag: not every node answered"
    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(proc_ticks "$pid") w0=$(now_ms)
    scrapes "http://127.0.0.1:$port/metrics" "$SS_SECONDS"
    t1=$(proc_ticks "$pid") el=$(($(now_ms) - w0))
    mb=$(curl -s "http://127.0.0.1:$port/metrics" | wc -c)
    jb=$(curl -s "http://127.0.0.1:$port/snapshot.json" | wc -c)
    hwm=$(proc_hwm_kb "$pid")
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    echo "| $tag | serve, load $load | | | $(awk -v d=$((t1 - t0)) -v hz="$HZ" -v ms="$el" 'BEGIN {printf "%.2f", d / hz * 100000 / ms}') % | $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') MB | $mb / $jb | |"
}

dashboard_rss() { # tag build
    local tag=$1 build=$2 tr=$OUT/dash-trace-$1.txt pane pid hwm load cmd parts
    cmd="REPLTOP_TRACE=$tr $build -c $D"
    [ "$SS_MASSIF" = 1 ] && cmd="REPLTOP_TRACE=$tr valgrind --tool=massif --massif-out-file=$OUT/massif-$tag.out $build -c $D"
    pane=$(tmux_start "benchss$tag" "$cmd")
    wait_for 600 all_answered "$tr" || log "serve_scrape: $tag: the dashboard did not see every node"
    load=$(cut -d' ' -f1 /proc/loadavg)
    sleep "$SS_SECONDS"
    pid=""
    for p in "$pane" $(descendants "$pane"); do
        case $(cat "/proc/$p/comm" 2>/dev/null) in repltop* | memcheck* | massif*) pid=$p ;; esac
    done
    hwm=$(proc_hwm_kb "$pid")
    parts=$(awk '/^(Rss|Anonymous|Private_Dirty|Shared_Clean):/ {printf "%s %.1f MB, ", $1, $2 / 1024}' "/proc/$pid/smaps_rollup")
    tmux_stop "benchss$tag"
    [ "$SS_MASSIF" = 1 ] && ms_print "$OUT/massif-$tag.out" >"$OUT/massif-$tag.txt" 2>/dev/null
    echo "| $tag | dashboard, load $load | | | | $(awk -v k="$hwm" 'BEGIN {printf "%.1f", k / 1024}') MB | | ${parts%, } |"
}

echo "### serve's scrape and the dashboard's memory: $SS_NODES nodes in $SS_CLUSTERS clusters (load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| build | what | Ir per /metrics (route) | Ir per /snapshot.json (route) | CPU scraped every second | peak RSS | bytes /metrics / /snapshot.json | smaps_rollup |"
echo "|---|---|---|---|---|---|---|---|"
builds=()
[ -n "${REPLTOP_BEFORE:-}" ] && builds+=("before=$REPLTOP_BEFORE")
builds+=("after=$REPLTOP")
part() { [[ " $SS_PARTS " == *" $1 "* ]]; }
part callgrind && for b in "${builds[@]}"; do callgrind_scrapes "${b%%=*}" "${b#*=}"; done
part serve && for b in "${builds[@]}"; do native_serve "${b%%=*}" "${b#*=}"; done
part dashboard && for b in "${builds[@]}"; do dashboard_rss "${b%%=*}" "${b#*=}"; done
echo
