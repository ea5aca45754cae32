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

LIB_SRC   := $(wildcard model/*.c panels/*.c tui/*.c)
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

# Every suite: unit (cmocka), integration (real PostgreSQL), tmux end-to-end.
test: unit
	@tests/run_all.sh $(BUILD)

# Address and undefined-behaviour sanitizers over the unit tests.
asan:
	$(MAKE) BUILD=build-asan BIN=build-asan/repltop CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" unit
	@UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 tests/run_all.sh build-asan unit

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
	clang-format -i $(wildcard *.c model/*.[ch] panels/*.[ch] tui/*.[ch] tests/*.[ch] tests/helpers/*.[ch])

clean:
	rm -rf $(BUILD) build-asan repltop

help:
	@echo "make            build ./repltop"
	@echo "make deps       apt-get install what building and testing need (root)"
	@echo "make demo       build, start the sandbox cluster, open the dashboard"
	@echo "make test       every test suite; ends with 'N passed, N failed'"
	@echo "make asan       unit tests under AddressSanitizer + UBSan"
	@echo "make install    PREFIX=/usr/local DESTDIR="

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
