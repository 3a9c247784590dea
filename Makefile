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
	uapi-check host-check setup clean distclean .setup-if-needed bench-spi

all: module lib selftests ## build the module, the library and the selftests

help: ## list the targets
	@echo "wfp-ipsec make targets:"
	@grep -E '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
		sed 's/^\([^:]*\):.*## /  \1|/' | awk -F'|' '{ printf "  %-12s %s\n", $$1, $$2 }'
	@echo "variables: KDIR=<kernel build tree> (default: $(KDIR)), V=1 verbose"

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
LIB_CFLAGS := $(USER_CFLAGS) -fPIC -fvisibility=hidden -I$(TOP)/lib/include \
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

SELFTESTS := session engine context spi module
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

$(O)/selftests/run_tests.sh: $(TOP)/selftests/run_tests.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 0755 $< $@

$(O)/selftests/tests.list: $(TOP)/Makefile
	@mkdir -p $(dir $@)
	$(Q)echo $(SELFTESTS) >$@

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
	$(Q)rm -rf $(O)/lib $(O)/selftests $(O)/host $(O)/demo $(O)/vm
	$(Q)rm -f $(TOP)/lib/libwfpipsec.so* $(TOP)/lib/libwfpipsec.a \
		$(TOP)/lib/libwfpipsec-uninstalled.pc

distclean: clean ## also drop the extracted kernel sources
	$(Q)rm -rf $(O)
