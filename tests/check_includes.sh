#!/usr/bin/env bash
# The include rule: which room of the tree may include which (docs/DESIGN.md, "Rooms and the
# include rule"). Prints one TAP line per room and "not ok" for each forbidden include, with the
# file, the line and the rule it breaks; then "not ok - include circle: a -> b -> a" for each
# circle of includes between modules (a .c and its .h), and "not ok - call circle: ..." for
# each circle of calls between them, read from the objects of the last build.
#   tests/check_includes.sh [ROOT]       (default: the project this script is in)
# A room is a folder: model/<job>, panels, tui, cli; main.c and tests/ may include anything.
set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

# room -> the rooms it may include (itself always). The monitoring (watch) never includes the
# actions (ops, local, demo); panels and tui never do either: the dashboard starts an action
# as a child process. Only the terminal room (tui) and panels know the screen.
declare -A may=(
    [model/base]=""
    [model/pg]="model/base"
    [model/config]="model/base model/pg"
    [model/patroni]="model/base"
    [model/watch]="model/base model/pg model/config model/patroni"
    [model/store]="model/base model/pg model/config model/watch model/patroni"
    [model/local]="model/base model/pg model/config"
    [model/ops]="model/base model/pg model/config model/watch model/store model/local model/patroni"
    [model/demo]="model/base model/pg model/config model/local"
    [model/serve]="model/base model/pg model/config model/watch model/store"
    [panels]="model/base model/pg model/config model/watch model/store"
    [tui]="model/base model/pg model/config model/watch model/store panels"
    [cli]="model/base model/pg model/config model/watch model/store model/local model/ops model/demo model/patroni model/serve tui"
)
# System headers a room may not use: the model knows no screen, panels no server.
declare -A banned=(
    [model]='^(n?curses|ncursesw/)'
    [panels]='^(libpq-fe\.h|postgresql/|n?curses|ncursesw/)'
)

room_of() { # path of a file or header -> $to: its room, "" when none (main.c, tests, system)
    case $1 in
    model/*/*) to=${1#model/} && to=model/${to%%/*} ;;
    panels/* | tui/* | cli/*) to=${1%%/*} ;;
    *) to="" ;;
    esac
}

# One grep over every room, then bash alone (no process per line: this runs in make check).
inc_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*([<"])([^">]+)[">]'
declare -A bad_room=()
while IFS= read -r hit; do
    f=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=${rest#*:}
    room=${f%/*}
    [ -n "${may[$room]+x}" ] || continue
    [[ $text =~ $inc_re ]] || continue
    quote=${BASH_REMATCH[1]} inc=${BASH_REMATCH[2]}
    top=${room%%/*}
    if [ -n "${banned[$top]:-}" ] && [[ $inc =~ ${banned[$top]} ]]; then
        echo "not ok - $f:$line includes <$inc>: $top/ may not use it"
        bad_room[$room]=1
        continue
    fi
    [ "$quote" = '"' ] || continue
    # "x.h" is looked up beside the file first, then from the project root (-I.)
    target=$inc
    if [ -f "$room/$inc" ]; then
        target=$room/$inc
        while [[ $target =~ ^(.*/)?[^/.][^/]*/\.\./(.*)$ ]]; do
            target=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
        done
        target=${target//.\//}
    fi
    room_of "$target"
    [ -z "$to" ] || [ "$to" = "$room" ] && continue
    case " ${may[$room]} " in *" $to "*) continue ;; esac
    echo "not ok - $f:$line includes \"$inc\": $room may not include $to"
    bad_room[$room]=1
done < <(for room in "${!may[@]}"; do printf '%s\n' "$room"/*.[ch]; done |
    xargs -r grep -nHE '^[[:space:]]*#[[:space:]]*include' 2>/dev/null)

failed=0
for room in "${!may[@]}"; do
    if [ -z "${bad_room[$room]:-}" ]; then echo "ok - $room keeps the include rule"; else failed=1; fi
done
# a room of model/ the rule does not know is itself a mistake: say so
for d in model/*/; do
    d=${d%/}
    [ -n "${may[$d]+x}" ] || { echo "not ok - $d is a room the include rule does not know"; failed=1; }
done
for f in model/*.[ch]; do
    [ -f "$f" ] && { echo "not ok - $f lies in model/ itself: it belongs in a room"; failed=1; }
done

# No circles between modules. A module is a .c and its .h (model/watch/derive.c and
# model/watch/derive.h are one, model/watch/derive); each quoted include from one module of
# model/, cli/, panels/ or tui/ to another is an edge, and tsort (coreutils) names the circles.
module_edges() {
    local f inc target
    grep -HE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' model/*/*.[ch] cli/*.[ch] \
        panels/*.[ch] tui/*.[ch] 2>/dev/null |
        sed -E 's/^([^:]+):[^"]*"([^"]+)".*/\1 \2/' |
        while read -r f inc; do
            target=$inc
            [ -f "${f%/*}/$inc" ] && target=${f%/*}/$inc # beside the file first, as in cc -I.
            case $target in model/*/*.[ch] | cli/*.[ch] | panels/*.[ch] | tui/*.[ch]) ;; *) continue ;; esac
            [ "${target%.[ch]}" = "${f%.[ch]}" ] || echo "${f%.[ch]} ${target%.[ch]}"
        done | sort -u
}
# Calls between modules, from the objects the build left in $BUILD (default build/; skipped
# when there are none): a function declared in one module's header but defined in another's .c
# (panels/dialog.h declaring each dialog's functions) makes a circle no include shows.
module_calls() {
    local objs=("$BUILD"/model/*/*.o "$BUILD"/cli/*.o "$BUILD"/panels/*.o "$BUILD"/tui/*.o)
    { nm -A -g --defined-only "${objs[@]}" | awk '{print "def", $1, $3}'
      nm -A -u "${objs[@]}" | awk '{print "use", $1, $3}'; } 2>/dev/null |
        awk -v b="$BUILD/" '
            { m = $2; sub(/:.*$/, "", m); sub("^" b, "", m); sub(/\.o$/, "", m) }
            $1 == "def" { home[$3] = m; next }
            { use[NR] = m " " $3 }
            END { for (i in use) { split(use[i], u, " ")
                      if ((u[2] in home) && home[u[2]] != u[1]) print u[1], home[u[2]] } }' |
        sort -u
}
# tsort says "input contains a loop:", then the loop's modules one a line, in edge order.
circles() {
    tsort 2>&1 >/dev/null | awk '
        /input contains a loop/ { if (n) print line " -> " first; n = 0; next }
        { sub(/^tsort: /, ""); if (n++) line = line " -> " $0; else { first = $0; line = $0 } }
        END { if (n) print line " -> " first }'
}
report_circles() { # what, circles
    if [ -n "$2" ]; then
        while IFS= read -r c; do echo "not ok - $1 circle: $c"; done <<<"$2"
        failed=1
    else
        echo "ok - no $1 circle between modules"
    fi
}
# The dashboard's own files (tui/*.c that include tui/app.h: the loop, its intents, replay and
# the running actions) are one module, the app, split by job and sharing struct app: calls
# between them are that module's own business, not a circle between modules.
app_family=$(grep -lE '^#include "(tui/)?app\.h"' tui/*.c 2>/dev/null | sed 's/\.c$//' | tr '\n' ' ')
as_app() {
    local a b
    while read -r a b; do
        case " $app_family " in *" $a "*) a=tui/app ;; esac
        case " $app_family " in *" $b "*) b=tui/app ;; esac
        [ "$a" = "$b" ] || echo "$a $b"
    done | sort -u
}
report_circles include "$(module_edges | as_app | circles)"
BUILD=${BUILD:-build}
if compgen -G "$BUILD/model/*/*.o" >/dev/null && command -v nm >/dev/null; then
    report_circles call "$(module_calls | as_app | circles)"
else
    echo "ok - # SKIP call circles: no objects in $BUILD (make first)"
fi
exit $failed
