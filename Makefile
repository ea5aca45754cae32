# repltop — build, test, install.  `make help` lists the targets.
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
PKG_CONFIG ?= pkg-config
PKGS      := ncursesw libpq libcjson inih libcurl libmicrohttpd
VERSION   := 0.1.0

# pkg-config is asked by the rules of $(BUILD)/pkg.*, never while this Makefile is read, so that
# `make deps demo` installs the packages first; a missing package stops the build at once with
# pkg-config's own message. The flags are read from those files when a recipe runs.
PKG_CFLAGS = $(file <$(BUILD)/pkg.cflags)
PKG_LIBS   = $(file <$(BUILD)/pkg.libs)
PKG_FILES := $(BUILD)/pkg.cflags $(BUILD)/pkg.libs
# With `deps` among the goals (make deps demo, make -j2 deps test), whatever asks pkg-config or
# starts a sub-make waits for it.
AFTER_DEPS := $(if $(filter deps,$(MAKECMDGOALS)),deps)
WARN      := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
             -Wno-format-nonliteral
ifeq ($(WERROR),1)
WARN      += -Werror
endif
CFLAGS    ?= -O2 -g
CPPFLAGS  += -std=c11 -D_GNU_SOURCE -I. $(PKG_CFLAGS) \
             -DREPLTOP_VERSION='"$(VERSION)"' -DREPLTOP_DATADIR='"$(PREFIX)/share/repltop"'
LDLIBS    += $(PKG_LIBS) -lm

LIB_SRC   := $(wildcard model/*/*.c cli/*.c panels/*.c tui/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
HELPERS   := $(wildcard tests/helpers/*.c)
HELPER_OBJ:= $(HELPERS:%.c=$(BUILD)/%.o)

.PHONY: all check test unit asan install uninstall clean deps demo format help
BIN       ?= repltop

all: $(BIN)

$(BIN): $(BUILD)/main.o $(BUILD)/librepltop.a | $(PKG_FILES)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/librepltop.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/pkg.cflags: | $(AFTER_DEPS)
	@mkdir -p $(@D)
	$(PKG_CONFIG) --cflags $(PKGS) >$@.tmp && mv $@.tmp $@
$(BUILD)/pkg.libs $(BUILD)/pkg.cmocka: | $(BUILD)/pkg.cflags
# (asked again when the Makefile changes: a library added to PKGS must reach the link)
$(BUILD)/pkg.libs: Makefile
	$(PKG_CONFIG) --libs $(PKGS) >$@.tmp && mv $@.tmp $@
$(BUILD)/pkg.cmocka:
	$(PKG_CONFIG) --libs cmocka >$@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/pkg.cflags
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

# (kept: without them the next make would compile every test again)
.SECONDARY: $(TEST_BIN:%=%.o) $(HELPER_OBJ)
$(BUILD)/tests/%: $(BUILD)/tests/%.o $(HELPER_OBJ) $(BUILD)/librepltop.a | $(PKG_FILES) $(BUILD)/pkg.cmocka
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(file <$(BUILD)/pkg.cmocka)

# Unit test binaries only (no servers needed).
unit: $(BIN) $(TEST_BIN)

# The quick suites: the unit tests and the include rule (tests/check_*.sh); no server, < 1 min.
check: unit
	@ONLY="$(ONLY)" tests/run_all.sh $(BUILD) unit rules

# Every suite: unit (cmocka), the include rule, integration (real PostgreSQL), tmux end-to-end, a
# short fuzz run, the unit and integration tests with ASan+UBSan, and some of them under valgrind.
# ONLY="it_sync tmux_actions" (test names) or ONLY="unit tmux" (suites) runs those alone.
ONLY ?=
test: unit $(if $(ONLY),$(if $(filter fuzz,$(ONLY)),fuzz-build),fuzz-build) asan-build
	@ONLY="$(ONLY)" tests/run_all.sh $(BUILD)

# Address and undefined-behaviour sanitizers over the unit tests (gcc's "undefined" leaves out
# float-cast-overflow: a double too large for its integer, as from a JSON number).
ASAN_SAN  := -fsanitize=address,undefined,float-cast-overflow
ASAN_MAKE := $(MAKE) BUILD=build-asan BIN=build-asan/repltop \
             CFLAGS="-O1 -g $(ASAN_SAN) -fno-omit-frame-pointer" LDFLAGS="$(ASAN_SAN)"
asan: | $(AFTER_DEPS)
	$(ASAN_MAKE) unit
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run_all.sh build-asan unit

# The integration tests with build-asan/repltop, then with ./repltop under valgrind: any error
# or definitely lost block fails the test that ran it (tests/lib.sh, REPLTOP_WRAP).
asan-build: | $(AFTER_DEPS)
	@$(ASAN_MAKE) --no-print-directory unit

asan-integration: asan-build
	@tests/run_all.sh build-asan asan

valgrind: unit
	@tests/run_all.sh $(BUILD) valgrind

# Fuzzing: the libFuzzer targets of tests/fuzz (one per parser), built with clang and ASan+UBSan
# into build-fuzz/, each run for FUZZ_SECONDS over its seed corpus tests/fuzz/corpus/<target>/.
# Crashes land in build-fuzz/artifacts/; replay one with `build-fuzz/fuzz_X FILE`.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_BIN     := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-build asan-build asan-integration valgrind

fuzz-build: | $(AFTER_DEPS)
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" build-fuzz/librepltop.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build-fuzz/librepltop.a | $(PKG_FILES)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(WARN) -o $@ $< \
	    build-fuzz/librepltop.a $(LDLIBS)

fuzz: fuzz-build
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Installs the Debian packages repltop needs to build and test (run as root).
deps:
	.ci/install-deps

# Builds, then brings up the sandbox cluster and opens the dashboard on it.
demo: $(BIN)
	$(abspath $(BIN)) demo

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/repltop/themes \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/repltop
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/repltop/themes/
	install -m 644 repltop.1 $(DESTDIR)$(PREFIX)/share/man/man1/repltop.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/repltop $(DESTDIR)$(PREFIX)/share/man/man1/repltop.1
	rm -rf $(DESTDIR)$(PREFIX)/share/repltop

format:
	clang-format -i $(wildcard *.c model/*/*.[ch] cli/*.[ch] panels/*.[ch] tui/*.[ch] tests/*.[ch] tests/helpers/*.[ch] tests/fuzz/*.[ch])

# Every build directory and binary a target of this Makefile makes.
clean:
	rm -rf $(sort $(BUILD) build build-asan build-fuzz $(BIN))

help:
	@echo "make            build ./repltop"
	@echo "make deps       apt-get install what building and testing need (root)"
	@echo "make demo       build, start the sandbox cluster, open the dashboard"
	@echo "make check      unit tests and the include rule (no server, under a minute)"
	@echo "make test       every test suite; ends with 'N passed, N failed, N skipped'"
	@echo "make test ONLY=it_sync      one test or several (it_*, tmux_*, test_*, check_*),"
	@echo "                or suites (unit rules integration tmux fuzz asan valgrind ...)"
	@echo "make asan       unit tests under AddressSanitizer + UBSan"
	@echo "make fuzz       each libFuzzer target for FUZZ_SECONDS (default 30)"
	@echo "make asan-integration   integration tests with the ASan+UBSan binary"
	@echo "make valgrind   unit and integration tests with ./repltop under valgrind"
	@echo "make bench      the benchmarks of bench/RESULTS.md (35-40 min, not in CI)"
	@echo "make install    PREFIX=/usr/local DESTDIR="
	@echo "make clean      remove build, build-asan, build-fuzz and the binary"
	@echo "PKG_CONFIG=...  the pkg-config to ask (asked after deps, at build time)"

# Benchmarks (bench/RESULTS.md has the figures and how each was made): start their own demo clusters on loopback,
# ~40 min, not part of `make test` or CI. `make bench BENCH="watch isolation"` runs a subset.
BENCH ?=
.PHONY: bench
bench: $(BIN)
	REPLTOP=$(abspath $(BIN)) bench/run.sh $(BENCH)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
