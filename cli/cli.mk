# SPDX-License-Identifier: GPL-2.0
#
# wfpipsec uses libwfpipsec only: linked to the .so to be installed, and
# statically into build/selftests for the VM, from the same objects.

.PHONY: cli

CLI_OBJS := $(patsubst $(TOP)/%.c,$(OBJ)/%.o,$(wildcard $(TOP)/cli/*.c))
CLI_CFLAGS := $(USER_CFLAGS) -I$(TOP)/lib/include \
	      -DWFPIPSEC_CLI_VERSION='"$(LIB_VERSION)"'
$(OBJ)/cli/%.o: OBJ_CFLAGS = $(CLI_CFLAGS)

cli: $(O)/cli/wfpipsec ## build the wfpipsec tool (build/cli/wfpipsec)

$(O)/cli/wfpipsec: $(CLI_OBJS) $(LIB_SO)
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $(CLI_OBJS) -L$(TOP)/lib -lwfpipsec -pthread

$(O)/selftests/wfpipsec: $(CLI_OBJS) $(LIB_A)
	@mkdir -p $(@D)
	$(Q)$(call static_prog,$(CLI_OBJS))
