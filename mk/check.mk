# SPDX-License-Identifier: GPL-2.0
#
# The checks: the ABI header and layouts on the host, the selftests in
# the VM on the stock and on the debug kernel, and the demo of `make run`.

.PHONY: uapi-check host-check check check-debug check-debug-ci \
	debug-kernel run

uapi-check: ## compile uapi/linux/wfp_ipsec.h on its own, as C90
	$(Q)echo '#include <linux/wfp_ipsec.h>' | $(CC) -std=c90 -Wall -Werror \
		-Werror=implicit-function-declaration -I$(TOP)/uapi -fsyntax-only -x c -

$(OBJ)/selftests/abi_layout.o: OBJ_CFLAGS = $(USER_CFLAGS) \
	-I$(TOP)/lib/include -I$(TOP)/uapi
$(O)/host/abi_layout: $(OBJ)/selftests/abi_layout.o $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $< $(LIB_A) -pthread

$(OBJ)/selftests/abi_filter_layout.o: OBJ_CFLAGS = $(USER_CFLAGS) \
	-I$(TOP)/lib/include
$(O)/host/abi_filter_layout: $(OBJ)/selftests/abi_filter_layout.o $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $< $(LIB_A) -pthread

# filter_host calls the library's internals too (lib/internal.h).
$(OBJ)/selftests/filter_host.o: OBJ_CFLAGS = $(USER_CFLAGS) \
	-I$(TOP)/lib/include -I$(TOP)/uapi -I$(TOP)/lib
$(O)/host/filter_host: $(OBJ)/selftests/filter_host.o $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $< $(LIB_A) -pthread

host-check: lib uapi-check $(O)/host/abi_layout $(O)/host/abi_filter_layout \
	    $(O)/host/filter_host ## tests that need no VM: ABI layouts, headers, filter checks
	$(Q)$(O)/host/abi_layout
	$(Q)$(O)/host/abi_filter_layout
	$(Q)$(O)/host/filter_host
	$(Q)O=$(O) CC=$(CC) $(TOP)/scripts/windows-link-check

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

$(OBJ)/lib/examples/keying-demo.o: OBJ_CFLAGS = $(USER_CFLAGS) -I$(TOP)/lib/include \
	-I$(TOP)/uapi
$(O)/demo/keying-demo: $(OBJ)/lib/examples/keying-demo.o $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(call static_prog,$<)
