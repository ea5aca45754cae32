#!/usr/bin/env bash
# The Makefile on a fresh machine, without uninstalling anything: in a copy of the tree, with a
# pkg-config that fails until a fake `deps` (.ci/install-deps) has run. pkg-config is asked by a
# rule after `deps` (make deps demo in one go, -j2 too), never while the Makefile is read, and a
# missing package stops the build with pkg-config's own message, before any compiler runs.
# install, demo and clean use $(BIN). No server; a few seconds (one object is compiled).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)
make_test_tmp
src=$TEST_TMP/src
mkdir -p "$src" "$TEST_TMP/bin"
cp -r "$root/Makefile" "$root/.ci" "$root/main.c" "$root/model" "$src/"
real=$(command -v pkg-config) || { skip "pkg-config is not installed"; exit 0; }

# pkg-config as on a machine where the packages are not installed yet: each call is logged
cat >"$TEST_TMP/bin/pkg-config" <<EOF
#!/bin/sh
if [ -e '$TEST_TMP/installed' ]; then when=after; else when=before; fi
echo "\$when deps: \$*" >>'$TEST_TMP/calls'
[ -e '$TEST_TMP/installed' ] && exec '$real' "\$@"
echo "Package libcjson was not found in the pkg-config search path." >&2
echo "Perhaps you should add the directory containing \\\`libcjson.pc'" >&2
exit 1
EOF
# deps takes a while, then "installs" (a race with pkg-config would show)
printf '#!/bin/sh\nsleep 1\ntouch %q\n' "$TEST_TMP/installed" >"$src/.ci/install-deps"
chmod 755 "$TEST_TMP/bin/pkg-config" "$src/.ci/install-deps"
fake=PKG_CONFIG=$TEST_TMP/bin/pkg-config
export PATH=$TEST_TMP/bin:$PATH # the plain name too
obj=build/model/pg/conninfo.o # needs libpq-fe.h, which is where only pkg-config knows

make -C "$src" -n "$fake" deps demo >"$TEST_TMP/dry.out" 2>&1
check "make -n deps demo: pkg-config is not asked while the Makefile is read" test ! -e "$TEST_TMP/calls"
first_deps=$(grep -n 'install-deps' "$TEST_TMP/dry.out" | head -n 1 | cut -d: -f1)
first_pkg=$(grep -n 'pkg-config --cflags' "$TEST_TMP/dry.out" | head -n 1 | cut -d: -f1)
check "make -n deps demo: deps comes before the first pkg-config" test "${first_deps:-99999}" -lt "${first_pkg:-0}"

make -C "$src" "$fake" "$obj" >"$TEST_TMP/missing.out" 2>&1
check "a missing package fails make" test $? -ne 0
check "... with pkg-config's own message" grep -q "Package libcjson was not found" "$TEST_TMP/missing.out"
check "... before any compiler runs (no 'No such file', no -c)" \
    bash -c "! grep -qE 'No such file|-c -o' '$TEST_TMP/missing.out'"

rm -rf "$src/build" "$TEST_TMP/calls"
if make -C "$src" -j2 "$fake" deps "$obj" >"$TEST_TMP/deps.out" 2>&1; then
    ok "make -j2 deps $obj: one invocation installs, then builds"
else
    not_ok "make -j2 deps $obj: one invocation installs, then builds"
    sed 's/^/# /' "$TEST_TMP/deps.out"
fi
check "... pkg-config was asked only after deps" bash -c "grep -q '^after' '$TEST_TMP/calls' && ! grep -q '^before' '$TEST_TMP/calls'"

make -C "$src" -n BIN=out/rt clean install demo DESTDIR=/nowhere >"$TEST_TMP/bin.out" 2>&1
check "clean removes build, build-asan, build-fuzz and \$(BIN)" \
    grep -qE '^rm -rf( build| build-asan| build-fuzz| out/rt)+$' "$TEST_TMP/bin.out"
check "install installs \$(BIN)" grep -q 'install -m 755 out/rt /nowhere' "$TEST_TMP/bin.out"
check "demo runs \$(BIN)" grep -qE "^$src/out/rt demo$" "$TEST_TMP/bin.out"
