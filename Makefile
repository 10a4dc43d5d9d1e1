# exfild: see README.md.  `make demo` and `make check` install what is missing.
VERSION	= 0.1.0
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= /lib/systemd/system
LIBDIR	?= /usr/lib
DESTDIR	?=

CC	?= cc
PKGS	= libpcap libndpi libmaxminddb yaml-0.1 libpsl libsystemd libcap-ng
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# SANITIZE=address,undefined builds into its own directory so a sanitizer
# run never mixes objects with the optimised build.
ifdef SANITIZE
BUILD	?= build-san
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT	?= -O1
else
BUILD	?= build
OPT	?= -O2
endif

CFLAGS	?= $(OPT) -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -DEXFILD_VERSION=\"$(VERSION)\" \
	   -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	   -Iinclude $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS	+= $(SANFLAGS)
LDLIBS	+= $(PKG_LIBS) -lresolv -lpthread -lm

SRCS	= $(wildcard src/*.c)
LIBSRCS	= $(filter-out src/main.c,$(SRCS))
LIBOBJS	= $(LIBSRCS:src/%.c=$(BUILD)/%.o)
TESTSRCS = $(wildcard tests/unit/test_*.c)
TESTS	= $(TESTSRCS:tests/unit/%.c=$(BUILD)/%)

all: $(BUILD)/exfild exfild

exfild: $(BUILD)/exfild
	@[ "$(BUILD)" = build ] && cp -f $(BUILD)/exfild exfild || true

$(BUILD)/exfild: $(BUILD)/main.o $(BUILD)/libexfild.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libexfild.a: $(LIBOBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

# V=1 shows the full commands.
Q	= $(if $(V),,@)

$(BUILD)/%.o: src/%.c | $(BUILD)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libexfild.a tests/unit/testutil.h
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libexfild.a $(LDFLAGS) $(LDLIBS) -lcmocka

$(BUILD):
	mkdir -p $(BUILD)

# Test helpers: the traffic generator and the tools the tests drive.
$(BUILD)/exfild-gen: tests/gen/gen.c tests/tools/wire.h | $(BUILD)
	$(CC) $(OPT) -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o $@ $< -lm

$(BUILD)/pcap_floor: tests/tools/pcap_floor.c | $(BUILD)
	$(CC) -O2 -o $@ $< -lpcap

$(BUILD)/gen_bench: tests/tools/gen_bench.c | $(BUILD)
	$(CC) -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o $@ $<

deps:
	@./scripts/deps.sh

unit: $(TESTS)
	@fail=0; for t in $(TESTS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

# The public targets install what is missing first, then re-enter make so
# that pkg-config is evaluated after the packages exist.
demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all $(BUILD)/exfild-gen
	@./scripts/demo.sh $(BUILD)

check: deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(BUILD)/exfild-gen $(BUILD)/gen_bench $(BUILD)/pcap_floor
	@./scripts/demo.sh $(BUILD)
	@$(MAKE) --no-print-directory unit
	@./tests/run.sh $(BUILD)
	@$(MAKE) --no-print-directory SANITIZE=address,undefined BUILD=build-san \
	    unit build-san/exfild
	@./tests/sanitize.sh build-san
	@sh tests/e2e/resilience.sh build-san
	@./tests/fuzz/run.sh 20
	@echo "make check: all tests passed"

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/pcap_floor $(BUILD)/gen_bench
	@./scripts/bench.sh $(BUILD)

fuzz: deps
	@./tests/fuzz/run.sh 60

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(SYSCONFDIR)/exfild/rules $(DESTDIR)$(UNITDIR)
	install -m 755 $(BUILD)/exfild $(DESTDIR)$(SBINDIR)/exfild
	install -m 644 docs/exfild.8 $(DESTDIR)$(MANDIR)/man8/exfild.8
	install -m 644 docs/exfild.yaml.5 $(DESTDIR)$(MANDIR)/man5/exfild.yaml.5
	@# An existing configuration is the operator's: never overwrite it.
	[ -e $(DESTDIR)$(SYSCONFDIR)/exfild/exfild.yaml ] || \
	    install -m 644 config.example.yaml $(DESTDIR)$(SYSCONFDIR)/exfild/exfild.yaml
	install -d $(DESTDIR)$(LIBDIR)/sysusers.d $(DESTDIR)$(LIBDIR)/tmpfiles.d
	install -m 644 dist/exfild.sysusers $(DESTDIR)$(LIBDIR)/sysusers.d/exfild.conf
	install -m 644 dist/exfild.tmpfiles $(DESTDIR)$(LIBDIR)/tmpfiles.d/exfild.conf
	install -m 644 rules/*.yaml rules/*.txt $(DESTDIR)$(SYSCONFDIR)/exfild/rules/
	sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' dist/exfild.service > $(DESTDIR)$(UNITDIR)/exfild.service
	chmod 644 $(DESTDIR)$(UNITDIR)/exfild.service

clean:
	rm -rf build build-san build-fuzz exfild demo-out

.PHONY: all deps demo demo-run check check-run unit bench fuzz install clean

-include $(wildcard $(BUILD)/*.d)
