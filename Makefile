# SPDX-License-Identifier: GPL-2.0
#
# wfp-ipsec top-level Makefile.  `make help` lists the targets.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KDIR ?= $(shell $(TOP)/scripts/kdir)
O ?= $(TOP)/build
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	 $(KDIR)/include/generated/utsrelease.h)
KSRC_TARBALL ?= /usr/src/linux-source-6.1.tar.xz

CC ?= gcc
USER_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
LIB_VERSION := 0.1.0
LIB_SONAME := libwfpipsec.so.0

# Kernel-side warnings are errors here; W=1 adds the extra set.
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

Q := $(if $(V),,@)

.PHONY: all help module lib selftests check run style sparse checkpatch \
	uapi-check host-check setup clean distclean .setup-if-needed bench-spi \
	check-debug check-debug-ci debug-kernel

all: module lib cli selftests ## build the module, the library, the wfpipsec tool and the selftests

help: ## list the targets
	@echo "wfp-ipsec make targets:"
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
		sed 's/^\([^:]*\):.*## /  \1|/' | awk -F'|' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo "variables: KDIR=<kernel build tree> (default: $(KDIR)), V=1 verbose"
	@echo "install: PREFIX (default /usr/local), DESTDIR, LIBDIR, SBINDIR, MANDIR, ..."

setup: ## install the Debian packages the project needs (idempotent)
	$(Q)$(TOP)/scripts/setup

# Every target that needs packages runs this first; it is quiet when all
# packages are present.
.setup-if-needed:
	$(Q)$(TOP)/scripts/setup --check 2>/dev/null || $(TOP)/scripts/setup

# ---------------------------------------------------------------- module
module: ## build kmod/wfp_ipsec.ko against KDIR
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_FLAGS) modules

# ---------------------------------------------------------------- library
LIB_SRCS := $(wildcard $(TOP)/lib/*.c)
LIB_OBJS := $(patsubst $(TOP)/lib/%.c,$(O)/lib/%.o,$(LIB_SRCS))
LIB_HDRS := $(wildcard $(TOP)/lib/include/*.h) $(TOP)/lib/internal.h \
	    $(TOP)/uapi/linux/wfp_ipsec.h
# What the .so exports is exactly libwfpipsec.map's list; -fvisibility=hidden
# would hide the API itself (no declaration says "default").
LIB_CFLAGS := $(USER_CFLAGS) -fPIC -I$(TOP)/lib/include \
	      -I$(TOP)/uapi -pthread

LIB_OUT := $(TOP)/lib/libwfpipsec.so.$(LIB_VERSION) $(TOP)/lib/libwfpipsec.a \
	   $(TOP)/lib/libwfpipsec-uninstalled.pc

lib: $(LIB_OUT) ## build lib/libwfpipsec.{so,a} and its uninstalled .pc

$(O)/lib/%.o: $(TOP)/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(TOP)/lib/libwfpipsec.so.$(LIB_VERSION): $(LIB_OBJS) $(TOP)/lib/libwfpipsec.map
	$(Q)$(CC) -shared -pthread -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=$(TOP)/lib/libwfpipsec.map -Wl,-z,defs \
		-o $@ $(LIB_OBJS)
	$(Q)ln -sf libwfpipsec.so.$(LIB_VERSION) $(TOP)/lib/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(TOP)/lib/libwfpipsec.so

$(TOP)/lib/libwfpipsec.a: $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TOP)/lib/libwfpipsec-uninstalled.pc: $(TOP)/lib/libwfpipsec.pc.in
	$(Q)sed -e 's|@LIBDIR@|$(TOP)/lib|' -e 's|@INCLUDEDIR@|$(TOP)/lib/include|' \
		-e 's|@UAPIDIR@|$(TOP)/uapi|' -e 's|@VERSION@|$(LIB_VERSION)|' $< >$@

# ---------------------------------------------------------------- cli
# wfpipsec uses libwfpipsec only: linked to the .so to be installed, and
# statically into build/selftests for the VM.
CLI_SRCS := $(wildcard $(TOP)/cli/*.c)
CLI_DEPS := $(CLI_SRCS) $(wildcard $(TOP)/cli/*.h) $(wildcard $(TOP)/lib/include/*.h)
CLI_CFLAGS := $(USER_CFLAGS) -I$(TOP)/lib/include -DWFPIPSEC_CLI_VERSION='"$(LIB_VERSION)"'

cli: $(O)/cli/wfpipsec ## build the wfpipsec tool (build/cli/wfpipsec)

$(O)/cli/wfpipsec: $(CLI_DEPS) $(TOP)/lib/libwfpipsec.so.$(LIB_VERSION)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CLI_CFLAGS) -o $@ $(CLI_SRCS) -L$(TOP)/lib -lwfpipsec -pthread

$(O)/selftests/wfpipsec: $(CLI_DEPS) $(TOP)/lib/libwfpipsec.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CLI_CFLAGS) -static -o $@ $(CLI_SRCS) $(TOP)/lib/libwfpipsec.a -pthread

# ---------------------------------------------------------------- selftests
# kselftest.h and kselftest_harness.h come from Debian's linux-source
# tarball; they are extracted once into the build tree, never committed.
# checkpatch.pl comes along in the same (single) decompression pass.
KSRC_MEMBERS := tools/testing/selftests/kselftest.h \
	tools/testing/selftests/kselftest_harness.h scripts/checkpatch.pl \
	scripts/spelling.txt scripts/const_structs.checkpatch
KSRC_STAMP := $(O)/ksrc/.extracted

$(KSRC_STAMP): | .setup-if-needed
	@echo "  EXTRACT kselftest headers and checkpatch from $(KSRC_TARBALL)"
	@rm -rf $(O)/ksrc && mkdir -p $(O)/ksrc
	$(Q)tar -xJf $(KSRC_TARBALL) -C $(O)/ksrc --strip-components=1 \
		$(addprefix linux-source-6.1/,$(KSRC_MEMBERS))
	@touch $@

SELFTESTS := session engine context spi sa cli windows_compat saenum lifecycle manage faultinject batch stress security fuzz sysctl module
SELFTEST_BINS := $(addprefix $(O)/selftests/,$(SELFTESTS))
# kselftest_harness.h compares mixed signedness and leaves parameters
# unused by design, so those two -Wextra warnings are off for the tests.
SELFTEST_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-sign-compare \
	-Wno-unused-parameter -Werror -O2 -g -D_GNU_SOURCE \
	-I$(O)/ksrc/tools/testing/selftests -I$(TOP)/selftests \
	-I$(TOP)/lib/include -I$(TOP)/uapi -I/usr/include/libnl3 -pthread
SELFTEST_LIBS := $(TOP)/lib/libwfpipsec.a -lnl-xfrm-3 -lnl-3 -lpthread
SELFTEST_HDRS := $(wildcard $(TOP)/selftests/*.h)

selftests: $(SELFTEST_BINS) $(O)/selftests/run_tests.sh $(O)/selftests/tests.list ## build the selftests

$(O)/selftests/%: $(TOP)/selftests/%.c $(SELFTEST_HDRS) $(TOP)/lib/libwfpipsec.a $(KSRC_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(SELFTEST_CFLAGS) -static -o $@ $< $(SELFTEST_LIBS)

# The fuzzer is a directory of files (selftests/fuzz/fuzz.h lists them);
# it uses kselftest.h but not the harness, so every -Wextra warning is on.
FUZZ_SRCS := $(wildcard $(TOP)/selftests/fuzz/*.c)
FUZZ_CFLAGS := $(filter-out -Wno-sign-compare -Wno-unused-parameter,$(SELFTEST_CFLAGS))
$(O)/selftests/fuzz: $(FUZZ_SRCS) $(TOP)/selftests/fuzz/fuzz.h $(SELFTEST_HDRS) \
		$(TOP)/lib/libwfpipsec.a $(KSRC_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_CFLAGS) -static -o $@ $(FUZZ_SRCS) $(SELFTEST_LIBS)

$(O)/selftests/run_tests.sh: $(TOP)/selftests/run_tests.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 0755 $< $@

$(O)/selftests/tests.list: $(TOP)/Makefile
	@mkdir -p $(dir $@)
	$(Q)echo $(SELFTESTS) >$@

# cli is a shell script driving the static wfpipsec; it reads --json output
# with jsonget, the guest having no jq.
$(O)/selftests/cli: $(TOP)/selftests/cli.sh $(O)/selftests/wfpipsec $(O)/selftests/jsonget
	@mkdir -p $(dir $@)
	$(Q)install -m 0755 $< $@

$(O)/selftests/jsonget: $(TOP)/selftests/jsonget.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -static -o $@ $<

# A Windows source, built exactly as the README says, against the shared
# library (the guest has it in /usr/lib).
$(O)/selftests/windows_compat: $(TOP)/selftests/windows_compat.c $(LIB_OUT)
	@mkdir -p $(dir $@)
	$(Q)cc -o $@ $< $$(PKG_CONFIG_PATH=$(TOP)/lib pkg-config --cflags --libs libwfpipsec)

# ---------------------------------------------------------------- checks
uapi-check: ## compile uapi/linux/wfp_ipsec.h on its own, as C90
	$(Q)echo '#include <linux/wfp_ipsec.h>' | $(CC) -std=c90 -Wall -Werror \
		-Werror=implicit-function-declaration -I$(TOP)/uapi -fsyntax-only -x c -

host-check: lib uapi-check ## tests that need no VM: ABI layouts, headers
	@mkdir -p $(O)/host
	$(Q)$(CC) $(USER_CFLAGS) -I$(TOP)/lib/include -I$(TOP)/uapi -o $(O)/host/abi_layout \
		$(TOP)/selftests/abi_layout.c $(TOP)/lib/libwfpipsec.a -pthread
	$(Q)$(O)/host/abi_layout

check: .setup-if-needed all host-check ## build, boot the VM, run every selftest
	$(Q)$(TOP)/scripts/check --dir $(O)/selftests

# The suite again on a 6.1 kernel built with KASAN, UBSAN, lockdep,
# PROVE_RCU, DEBUG_OBJECTS, kmemleak and fault injection; the first run on
# a machine builds that kernel (~25 min, cached outside the clone).
check-debug: .setup-if-needed lib cli selftests ## the selftests, fuzzer and a kmemleak scan on the debug kernel (Documentation/testing.rst)
	$(Q)O=$(O) $(TOP)/scripts/check-debug

# CI's part of it: the programs and tests of selftests/ci-debug.list.
check-debug-ci: .setup-if-needed lib cli selftests ## the CI subset of check-debug (selftests/ci-debug.list), then kmemleak
	$(Q)O=$(O) WFP_DEBUG_LIST=$(TOP)/selftests/ci-debug.list $(TOP)/scripts/check-debug

debug-kernel: .setup-if-needed ## build (or find in the cache) the debug kernel and print its tree
	$(Q)$(TOP)/scripts/debug-kernel

run: .setup-if-needed module lib $(O)/demo/keying-demo ## boot the VM: keying through the library, encrypted ping
	$(Q)install -m 0755 $(TOP)/lib/examples/demo.sh $(O)/demo/
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/vm-run --dir $(O)/demo -- ./demo.sh

$(O)/demo/keying-demo: $(TOP)/lib/examples/keying-demo.c $(TOP)/lib/libwfpipsec.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -static -I$(TOP)/lib/include -I$(TOP)/uapi \
		-o $@ $< $(TOP)/lib/libwfpipsec.a -pthread

# ---------------------------------------------------------------- benchmarks
bench-spi: .setup-if-needed module lib $(O)/bench/setspi ## SetSpi0 vs xfrm ALLOCSPI at 1k/10k/100k states
	$(Q)install -m 0755 $(TOP)/bench/spi-bench.sh $(O)/bench/
	$(Q)WFP_VM_MEM=2G $(TOP)/scripts/vm-run --timeout 3600 --dir $(O)/bench \
		-- ./spi-bench.sh | tee $(O)/bench/bench-spi.txt
	$(Q)sed -n 's/^csv,//p' $(O)/bench/bench-spi.txt >$(O)/bench/bench-spi.csv
	@echo "CSV: $(O)/bench/bench-spi.csv"

$(O)/bench/setspi: $(TOP)/bench/setspi.c $(TOP)/lib/libwfpipsec.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -static -I$(TOP)/lib/include -o $@ $< \
		$(TOP)/lib/libwfpipsec.a -pthread

# make bench (BENCHMARKS.md): the SA-context cycle through libwfpipsec
# against the same xfrm work over xfrm netlink and in a kernel loop,
# CreateBatch0 against single calls, GetById1/SetSpi0 latency up to 1M
# contexts, slab bytes per context.  Table on stdout, build/bench/bench.csv,
# build/bench/bench.png (build/bench/vm is what the guest gets, the kernel
# console ends in build/bench/console.log).  It builds the module with
# WFP_BENCH=1 (the kernel loop): a following plain `make` (or `make
# module`) rebuilds the normal module.  BENCH_OPTS passes VAR=value
# settings to bench/bench.sh (e.g. BENCH_OPTS="SA_LEVELS=1000,50000").
BENCH_CYCLES ?= 1000
BENCH_REPS ?= 11
BENCH_OPTS ?=
BENCH_VM_MEM ?= 3G

.PHONY: bench
bench: .setup-if-needed lib $(O)/bench/vm/cycle ## cycle rate vs xfrm netlink, latency to 1M contexts, bytes/context (build/bench)
	$(Q)$(TOP)/scripts/setup --check --bench 2>/dev/null || $(TOP)/scripts/setup --bench
	$(Q)$(MAKE) module WFP_BENCH=1
	$(Q)install -m 0755 $(TOP)/bench/bench.sh $(O)/bench/vm/
	$(Q){ WFP_VM_MEM=$(BENCH_VM_MEM) $(TOP)/scripts/vm-run --timeout 3600 \
		--append slub_nomerge --console $(O)/bench/console.log \
		--dir $(O)/bench/vm -- ./bench.sh \
		CYCLES=$(BENCH_CYCLES) REPS=$(BENCH_REPS) $(BENCH_OPTS); \
		echo $$? >$(O)/bench/bench.rc; } | tee $(O)/bench/bench.txt
	$(Q)sed -n 's/^csv,//p' $(O)/bench/bench.txt >$(O)/bench/bench.csv
	$(Q)gnuplot -e "csv='$(O)/bench/bench.csv'; out='$(O)/bench/bench.png'" \
		$(TOP)/bench/plot.gp || echo "bench: no plot"
	@echo "CSV: $(O)/bench/bench.csv  plot: $(O)/bench/bench.png"
	$(Q)exit $$(cat $(O)/bench/bench.rc)

$(O)/bench/vm/cycle: $(TOP)/bench/cycle.c $(TOP)/bench/ftrace.c \
		$(TOP)/bench/ftrace.h $(TOP)/lib/libwfpipsec.a \
		$(wildcard $(TOP)/lib/include/*.h) $(TOP)/uapi/linux/wfp_ipsec.h
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(USER_CFLAGS) -static -I$(TOP)/lib/include \
		-I$(TOP)/uapi -o $@ $(TOP)/bench/cycle.c $(TOP)/bench/ftrace.c \
		$(TOP)/lib/libwfpipsec.a -pthread -lm

# make fuzz: the ioctl fuzzer (selftests/fuzz/) at length in the VM.  An
# empty SEED draws one; the run prints it ("# fuzz: seed=N") for replay.
.PHONY: fuzz fuzz-debug
fuzz: N ?= 1000000
fuzz: P ?= 4
fuzz: SEED ?=
fuzz: .setup-if-needed module lib selftests ## run the ioctl fuzzer in the VM: make fuzz N=calls SEED=seed P=procs
	$(Q)$(TOP)/scripts/vm-run --timeout 7200 --dir $(O)/selftests -- \
		./fuzz -n $(N) $(if $(SEED),-s $(SEED)) -p $(P)

# The fuzzer alone on the debug kernel, then the kmemleak check.
fuzz-debug: N ?= 1000000
fuzz-debug: SEED ?=
fuzz-debug: .setup-if-needed lib cli selftests ## the fuzzer on the debug kernel, then a kmemleak scan: make fuzz-debug N=calls SEED=seed
	$(Q)O=$(O) WFP_DEBUG_TESTS=fuzz WFP_FUZZ_N=$(N) WFP_FUZZ_SEED=$(SEED) \
		WFP_CHECK_TIMEOUT=$${WFP_CHECK_TIMEOUT:-10800} $(TOP)/scripts/check-debug

# ---------------------------------------------------------------- install
# `make install [DESTDIR=...] [PREFIX=/usr/local]`: the module for KVER
# (under /lib/modules, not PREFIX), the library, its headers in
# INCLUDEDIR/wfpipsec, the pkg-config file, wfpipsec, the man pages and the
# udev rule.  depmod, ldconfig, udev and the wfpipsec group are touched only
# when DESTDIR is empty: a staged install changes nothing on this machine.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
MODULEDIR ?= /lib/modules/$(KVER)/updates
UDEVRULESDIR ?= /lib/udev/rules.d
DKMS_SRCDIR ?= /usr/src/wfp-ipsec-$(LIB_VERSION)

MAN3_PAGES := $(wildcard $(TOP)/man/man3/*.3)
MAN8_PAGES := $(wildcard $(TOP)/man/man8/*.8)
MAN3_ALIASES = $(shell sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)[[:space:]].*/\1.3/p' $(TOP)/man/aliases)
DKMS_FILES = Kbuild dkms.conf kmod/Kbuild uapi/linux/wfp_ipsec.h \
	$(patsubst $(TOP)/%,%,$(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.[ch] $(TOP)/kmod/*/*.[ch])))

.PHONY: cli install uninstall install-check dkms-source dkms-check deb

install: module lib cli ## install module, library, headers, .pc, wfpipsec, man pages, udev rule (DESTDIR, PREFIX)
	$(Q)install -D -m 0644 $(TOP)/kmod/wfp_ipsec.ko $(DESTDIR)$(MODULEDIR)/wfp_ipsec.ko
	$(Q)install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/wfpipsec $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UDEVRULESDIR)
	$(Q)install -m 0755 $(TOP)/lib/libwfpipsec.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf libwfpipsec.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libwfpipsec.so
	$(Q)install -m 0644 $(TOP)/lib/libwfpipsec.a $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 0644 $(wildcard $(TOP)/lib/include/*.h) $(DESTDIR)$(INCLUDEDIR)/wfpipsec/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		$(TOP)/packaging/libwfpipsec.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libwfpipsec.pc
	$(Q)install -m 0755 $(O)/cli/wfpipsec $(DESTDIR)$(SBINDIR)/wfpipsec
	$(Q)install -m 0644 $(MAN3_PAGES) $(DESTDIR)$(MANDIR)/man3/
	$(Q)install -m 0644 $(MAN8_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)[[:space:]]*\([A-Za-z][A-Za-z0-9]*\)$$/\1 \2/p' \
		$(TOP)/man/aliases | while read -r alias page; do \
		echo ".so man3/$$page.3" >$(DESTDIR)$(MANDIR)/man3/$$alias.3 || exit 1; \
	done
	$(Q)install -m 0644 $(TOP)/packaging/60-wfp-ipsec.rules $(DESTDIR)$(UDEVRULESDIR)/
ifeq ($(DESTDIR),)
	$(Q)depmod -a $(KVER)
	$(Q)ldconfig
	$(Q)getent group wfpipsec >/dev/null || groupadd --system wfpipsec
	$(Q)if command -v udevadm >/dev/null; then udevadm control --reload-rules; \
		udevadm trigger --sysname-match=wfp-ipsec; fi || true
endif

uninstall: ## remove what make install installed (same DESTDIR, PREFIX)
	$(Q)rm -f $(DESTDIR)$(MODULEDIR)/wfp_ipsec.ko \
		$(addprefix $(DESTDIR)$(LIBDIR)/,libwfpipsec.so.$(LIB_VERSION) \
			$(LIB_SONAME) libwfpipsec.so libwfpipsec.a) \
		$(DESTDIR)$(PKGCONFIGDIR)/libwfpipsec.pc $(DESTDIR)$(SBINDIR)/wfpipsec \
		$(DESTDIR)$(UDEVRULESDIR)/60-wfp-ipsec.rules \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3_PAGES)) $(MAN3_ALIASES)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8_PAGES)))
	$(Q)rm -rf $(DESTDIR)$(INCLUDEDIR)/wfpipsec
ifeq ($(DESTDIR),)
	$(Q)depmod -a $(KVER)
	$(Q)ldconfig
endif

dkms-source: ## copy Kbuild, kmod/, uapi/ and dkms.conf to DESTDIR/usr/src/wfp-ipsec-VERSION
	$(Q)for f in $(DKMS_FILES); do \
		install -D -m 0644 $(TOP)/$$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; \
	done

install-check: module lib cli ## make install into a temporary DESTDIR and check what it installed
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/install-check

dkms-check: .setup-if-needed module $(O)/selftests/wfpipsec ## dkms build for the guest kernel in temporary trees; load the result in the VM
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/dkms-check

# Both run before the VM part of `make check`.
host-check: install-check
check: dkms-check

deb: module lib cli ## Debian packages in build/deb: wfp-ipsec-dkms, libwfpipsec0, libwfpipsec-dev, wfpipsec
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/mkdeb $(O)/deb

style: checkpatch sparse ## checkpatch --strict and sparse on kmod/ and uapi/

checkpatch: $(KSRC_STAMP)
	$(Q)perl $(O)/ksrc/scripts/checkpatch.pl --no-tree --strict -f --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		$(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.[ch] $(TOP)/kmod/*/*.[ch])) \
		$(TOP)/uapi/linux/wfp_ipsec.h && echo "checkpatch: clean"

sparse: ## sparse (C=2) over every module source
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_FLAGS) C=2 CHECK="sparse -Wsparse-error" modules

clean: ## remove build outputs
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1 || true
	$(Q)rm -rf $(O)/lib $(O)/selftests $(O)/host $(O)/demo $(O)/vm $(O)/cli \
		$(O)/debug
	$(Q)rm -f $(TOP)/lib/libwfpipsec.so* $(TOP)/lib/libwfpipsec.a \
		$(TOP)/lib/libwfpipsec-uninstalled.pc

distclean: clean ## also drop the extracted kernel sources
	$(Q)rm -rf $(O)
