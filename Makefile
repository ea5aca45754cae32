# repltop — build, test, install.  `make help` lists the targets.
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
CC        ?= cc
PKGS      := ncursesw libpq libcjson inih
VERSION   := 0.1.0

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
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

.PHONY: all test unit asan install uninstall clean deps demo format help
BIN       ?= repltop

all: $(BIN)

$(BIN): $(BUILD)/main.o $(BUILD)/librepltop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/librepltop.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(HELPER_OBJ) $(BUILD)/librepltop.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka)

# Unit test binaries only (no servers needed).
unit: $(BIN) $(TEST_BIN)

# Every suite: unit (cmocka), integration (real PostgreSQL), tmux end-to-end, a short fuzz run,
# the unit and integration tests with ASan+UBSan, and some of them under valgrind.
test: unit fuzz-build asan-build
	@tests/run_all.sh $(BUILD)

# Address and undefined-behaviour sanitizers over the unit tests (gcc's "undefined" leaves out
# float-cast-overflow: a double too large for its integer, as from a JSON number).
ASAN_SAN  := -fsanitize=address,undefined,float-cast-overflow
ASAN_MAKE := $(MAKE) BUILD=build-asan BIN=build-asan/repltop \
             CFLAGS="-O1 -g $(ASAN_SAN) -fno-omit-frame-pointer" LDFLAGS="$(ASAN_SAN)"
asan:
	$(ASAN_MAKE) unit
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run_all.sh build-asan unit

# The integration tests with build-asan/repltop, then with ./repltop under valgrind: any error
# or definitely lost block fails the test that ran it (tests/lib.sh, REPLTOP_WRAP).
asan-build:
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

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" build-fuzz/librepltop.a
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h build-fuzz/librepltop.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(WARN) -o $@ $< \
	    build-fuzz/librepltop.a $(LDLIBS)

fuzz: fuzz-build
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# Installs the Debian packages repltop needs to build and test (run as root).
deps:
	.ci/install-deps

# Builds, then brings up the sandbox cluster and opens the dashboard on it.
demo: repltop
	./repltop demo

install: repltop
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/repltop/themes \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 repltop $(DESTDIR)$(PREFIX)/bin/repltop
	install -m 644 themes/*.theme $(DESTDIR)$(PREFIX)/share/repltop/themes/
	install -m 644 repltop.1 $(DESTDIR)$(PREFIX)/share/man/man1/repltop.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/repltop $(DESTDIR)$(PREFIX)/share/man/man1/repltop.1
	rm -rf $(DESTDIR)$(PREFIX)/share/repltop

format:
	clang-format -i $(wildcard *.c model/*/*.[ch] cli/*.[ch] panels/*.[ch] tui/*.[ch] tests/*.[ch] tests/helpers/*.[ch] tests/fuzz/*.[ch])

clean:
	rm -rf $(BUILD) build-asan build-fuzz repltop

help:
	@echo "make            build ./repltop"
	@echo "make deps       apt-get install what building and testing need (root)"
	@echo "make demo       build, start the sandbox cluster, open the dashboard"
	@echo "make test       every test suite; ends with 'N passed, N failed'"
	@echo "make asan       unit tests under AddressSanitizer + UBSan"
	@echo "make fuzz       each libFuzzer target for FUZZ_SECONDS (default 30)"
	@echo "make asan-integration   integration tests with the ASan+UBSan binary"
	@echo "make valgrind   integration tests with ./repltop under valgrind"
	@echo "make bench      the benchmarks of bench/RESULTS.md (~40 min, not in CI)"
	@echo "make install    PREFIX=/usr/local DESTDIR="

# Benchmarks (bench/RESULTS.md has the figures and how each was made): start their own demo clusters on loopback,
# ~40 min, not part of `make test` or CI. `make bench BENCH="watch isolation"` runs a subset.
BENCH ?=
.PHONY: bench
bench: $(BIN)
	REPLTOP=$(abspath $(BIN)) bench/run.sh $(BENCH)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
