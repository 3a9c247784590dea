# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks (BENCHMARKS.md) and the bench module, wfp_ipsec_bench.ko
# (bench/kmod/, kbuild against the same KDIR as wfp_ipsec.ko).  Its tests,
# bench/tests.c, are the selftest program bench_xfrm.

.PHONY: bench-module bench-spi bench

$(OBJ)/bench/%.o: OBJ_CFLAGS = $(USER_CFLAGS) -I$(TOP)/lib/include \
	-I$(TOP)/uapi -I$(TOP)/bench

bench-module: ## build bench/kmod/wfp_ipsec_bench.ko, the kernel loop of make bench
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP)/bench/kmod $(KBUILD_FLAGS) modules

bench-spi: .setup-if-needed module lib $(O)/bench/setspi ## SetSpi0 vs xfrm ALLOCSPI at 1k/10k/100k states
	$(Q)install -m 0755 $(TOP)/bench/spi-bench.sh $(O)/bench/
	$(Q)WFP_VM_MEM=2G $(TOP)/scripts/vm-run --timeout 3600 --dir $(O)/bench \
		-- ./spi-bench.sh | tee $(O)/bench/bench-spi.txt
	$(Q)sed -n 's/^csv,//p' $(O)/bench/bench-spi.txt >$(O)/bench/bench-spi.csv
	@echo "CSV: $(O)/bench/bench-spi.csv"

$(O)/bench/setspi: $(OBJ)/bench/setspi.o $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(call static_prog,$<)

# make bench (BENCHMARKS.md): the SA-context cycle through libwfpipsec
# against the same xfrm work over xfrm netlink and in a kernel loop,
# CreateBatch0 against single calls, GetById1/SetSpi0 latency up to 1M
# contexts, slab bytes per context.  Table on stdout, build/bench/bench.csv,
# build/bench/bench.png (build/bench/vm is what the guest gets, the kernel
# console ends in build/bench/console.log).  The guest loads the bench
# module (the kernel loop) besides wfp_ipsec.ko.  BENCH_OPTS passes VAR=value
# settings to bench/bench.sh (e.g. BENCH_OPTS="SA_LEVELS=1000,50000").
BENCH_CYCLES ?= 1000
BENCH_REPS ?= 11
BENCH_OPTS ?=
BENCH_VM_MEM ?= 3G

bench: .setup-if-needed module lib bench-module $(O)/bench/vm/cycle ## cycle rate vs xfrm netlink, latency to 1M contexts, bytes/context (build/bench)
	$(Q)$(TOP)/scripts/setup --check --bench 2>/dev/null || $(TOP)/scripts/setup --bench
	$(Q)install -m 0755 $(TOP)/bench/bench.sh $(O)/bench/vm/
	$(Q)install -m 0644 $(TOP)/bench/kmod/$(BENCH_KO) $(O)/bench/vm/
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

CYCLE_OBJS := $(OBJ)/bench/cycle.o $(OBJ)/bench/ftrace.o

$(O)/bench/vm/cycle: $(CYCLE_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(call static_prog,$(CYCLE_OBJS),-lm)
