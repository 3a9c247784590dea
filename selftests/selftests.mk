# SPDX-License-Identifier: GPL-2.0
#
# The selftests, as kselftest lays them out: TEST_GEN_PROGS are the
# programs, in the order run_tests.sh runs them (build/selftests/
# tests.list); build/selftests is what the VM gets.

.PHONY: selftests

TEST_GEN_PROGS := session engine context spi sa cli windows_compat saenum \
	lifecycle manage faultinject batch bench_xfrm stress security fuzz \
	sysctl module provider provider_context filter txn netevent

# A program's objects, paths from the top of the tree: PROG-objs, or
# selftests/PROG.o.
bench_xfrm-objs := bench/tests.o
fuzz-objs := $(patsubst $(TOP)/%.c,%.o,$(wildcard $(TOP)/selftests/fuzz/*.c))

# Built by rules of their own below rather than from objects.
TEST_OWN_RULES := cli windows_compat
TEST_C_PROGS := $(filter-out $(TEST_OWN_RULES),$(TEST_GEN_PROGS))

# kselftest_harness.h compares mixed signedness and leaves parameters
# unused by design, so those two -Wextra warnings are off for the tests.
SELFTEST_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-sign-compare \
	-Wno-unused-parameter -Werror -O2 -g -D_GNU_SOURCE \
	-I$(O)/ksrc/tools/testing/selftests -I$(TOP)/selftests \
	-I$(TOP)/lib/include -I$(TOP)/uapi -I/usr/include/libnl3 -pthread
SELFTEST_LIBS := -lnl-xfrm-3 -lnl-3 -lpthread
$(OBJ)/selftests/%.o: OBJ_CFLAGS = $(SELFTEST_CFLAGS)
# The fuzzer does not use the harness: all of -Wextra applies to it.
$(OBJ)/selftests/fuzz/%.o: OBJ_CFLAGS = $(filter-out -Wno-sign-compare \
	-Wno-unused-parameter,$(SELFTEST_CFLAGS))

test_objs = $(addprefix $(OBJ)/,$(or $($(1)-objs),selftests/$(1).o))
TEST_OBJS := $(foreach p,$(TEST_C_PROGS),$(call test_objs,$(p)))
# Every test object needs the extracted kselftest headers first.
$(TEST_OBJS): | $(KSRC_STAMP)

define TEST_PROG_RULE
$(O)/selftests/$(1): $(call test_objs,$(1)) $(LIB_A)
	@mkdir -p $$(@D)
	$$(Q)$$(call static_prog,$$(filter %.o,$$^),$$(SELFTEST_LIBS))
endef
$(foreach p,$(TEST_C_PROGS),$(eval $(call TEST_PROG_RULE,$(p))))

SELFTEST_OUT := $(addprefix $(O)/selftests/,$(TEST_GEN_PROGS) run_tests.sh \
	tests.list $(BENCH_KO))

selftests: $(SELFTEST_OUT) ## build the selftests

$(O)/selftests/run_tests.sh: $(TOP)/selftests/run_tests.sh
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(O)/selftests/tests.list: $(TOP)/selftests/selftests.mk
	@mkdir -p $(@D)
	$(Q)echo $(TEST_GEN_PROGS) >$@

# cli is a shell script driving the static wfpipsec; it reads --json output
# with jsonget, the guest having no jq.
$(O)/selftests/cli: $(TOP)/selftests/cli.sh $(O)/selftests/wfpipsec $(O)/selftests/jsonget
	@mkdir -p $(@D)
	$(Q)install -m 0755 $< $@

$(OBJ)/selftests/jsonget.o: OBJ_CFLAGS = $(USER_CFLAGS)
$(O)/selftests/jsonget: $(OBJ)/selftests/jsonget.o
	@mkdir -p $(@D)
	$(Q)$(CC) -static -o $@ $<

# A Windows source, built exactly as the README says, against the shared
# library (the guest has it in /usr/lib).
$(O)/selftests/windows_compat: $(TOP)/selftests/windows_compat.c $(LIB_OUT)
	@mkdir -p $(@D) $(OBJ)/selftests
	$(Q)cc $(DEPFLAGS) -MF $(OBJ)/selftests/windows_compat.d -MT $@ -o $@ $< \
		$$(PKG_CONFIG_PATH=$(TOP)/lib pkg-config --cflags --libs libwfpipsec)

# bench_xfrm (bench/tests.c) tests the bench module's loop; it loads the
# module shipped next to it.
$(OBJ)/bench/tests.o: OBJ_CFLAGS = $(SELFTEST_CFLAGS) -I$(TOP)/bench

$(O)/selftests/$(BENCH_KO): bench-module
	@mkdir -p $(@D)
	$(Q)install -m 0644 $(TOP)/bench/kmod/$(BENCH_KO) $@
