# SPDX-License-Identifier: GPL-2.0
#
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
