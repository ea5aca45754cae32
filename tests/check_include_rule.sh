#!/usr/bin/env bash
# The include check itself (tests/check_includes.sh), on a copy of model/ panels/ tui/ cli/: it
# passes on the copy as it is, and fails, naming the file, the line and the rule, once a
# forbidden include is added: ops from panels and from the monitoring, a relative path, curses
# in the model, libpq in panels, an include circle, a folder the rule does not know, a file in model/ itself.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
checker=$root/tests/check_includes.sh
make_test_tmp
copy=$TEST_TMP/tree
mkdir -p "$copy"
cp -r "$root/model" "$root/panels" "$root/tui" "$root/cli" "$copy/"
out=$TEST_TMP/out

run() { # expected-status description
    local rc
    bash "$checker" "$copy" >"$out"
    rc=$?
    if [ "$1" = 0 ]; then
        check_eq "$2: exit 0" 0 "$rc"
        check "$2: no 'not ok' line" bash -c "! grep -q '^not ok' '$out'"
    else
        check "$2: exits non-zero (got $rc)" test "$rc" -ne 0
    fi
}
says() { # description pattern (fixed string)
    if grep -qF -- "$2" "$out"; then ok "$1"; else not_ok "$1 (no line with: $2)" && sed 's/^/# /' "$out"; fi
}
first() { for f in "$copy/$1"/*.c; do echo "${f#"$copy"/}" && return; done; }

run 0 "the copy, before any line is added"
check "the copy: one ok line per room" test "$(grep -c '^ok - .* keeps the include rule$' "$out")" -ge 11

# ops from panels and from the monitoring
p=$(first panels)
w=$(first model/watch)
echo '#include "model/ops/action.h"' >>"$copy/$p"
echo '#include "model/ops/action.h"' >>"$copy/$w"
pl=$(wc -l <"$copy/$p")
wl=$(wc -l <"$copy/$w")
run 1 "ops included from panels and model/watch"
says "names the panels file, its line and the rule" "not ok - $p:$pl includes \"model/ops/action.h\": panels may not include model/ops"
says "names the model/watch file, its line and the rule" "not ok - $w:$wl includes \"model/ops/action.h\": model/watch may not include model/ops"
check "the other rooms still pass" grep -q '^ok - tui keeps the include rule$' "$out"

# each of the other kinds alone, on a fresh copy of the file
sed -i '$d' "$copy/$p" "$copy/$w"
run 0 "both lines taken out again"

echo '#include "../ops/action.h"' >>"$copy/$w"
run 1 "a relative path to ops from model/watch"
says "the relative path is seen for what it is" "$w:$wl includes \"../ops/action.h\": model/watch may not include model/ops"
sed -i '$d' "$copy/$w"

echo '#include "model/demo/demo.h"' >>"$copy/$(first tui)"
run 1 "demo included from tui"
says "tui may not include demo" "tui may not include model/demo"
sed -i '$d' "$copy/$(first tui)"

b=$(first model/base)
echo '#include <ncursesw/curses.h>' >>"$copy/$b"
run 1 "curses in the model"
says "model/ may not use curses" "includes <ncursesw/curses.h>: model/ may not use it"
sed -i '$d' "$copy/$b"

echo '#include <libpq-fe.h>' >>"$copy/$p"
run 1 "libpq in panels"
says "panels may not use libpq" "includes <libpq-fe.h>: panels/ may not use it"
sed -i '$d' "$copy/$p"

mkdir "$copy/model/extra" && touch "$copy/model/extra/x.c"
run 1 "a folder of model/ the rule does not know"
says "the unknown folder is named" "model/extra is a room the include rule does not know"
rm -r "$copy/model/extra"

touch "$copy/model/loose.c"
run 1 "a file in model/ itself"
says "the loose file is named" "model/loose.c lies in model/ itself"
rm "$copy/model/loose.c"

# a circle within one room: each include allowed alone, the two together a loop
echo '#include "model/pg/conninfo.h"' >>"$copy/model/pg/lsn.c"
echo '#include "model/pg/lsn.h"' >>"$copy/model/pg/conninfo.c"
run 1 "lsn and conninfo including each other"
says "the circle is named" "not ok - include circle:"
check "... with both modules in it" bash -c "grep '^not ok - include circle:' '$out' | grep -q 'model/pg/lsn' && grep '^not ok - include circle:' '$out' | grep -q 'model/pg/conninfo'"
sed -i '$d' "$copy/model/pg/lsn.c" "$copy/model/pg/conninfo.c"

run 0 "the copy as it was"
