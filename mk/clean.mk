# SPDX-License-Identifier: GPL-2.0
#
# Removing what the build made: clean keeps the extracted kernel sources
# (build/ksrc) and the benchmarks' results (build/bench); distclean drops
# the whole build directory.

.PHONY: clean distclean

clean: ## remove build outputs
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) clean >/dev/null 2>&1 || true
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP)/bench/kmod clean >/dev/null 2>&1 || true
	$(Q)rm -rf $(OBJ) $(O)/lib $(O)/selftests $(O)/host $(O)/demo $(O)/vm \
		$(O)/cli $(O)/debug
	$(Q)rm -f $(LIB_OUT) $(TOP)/lib/libwfpipsec.so*

distclean: clean ## also drop the extracted kernel sources
	$(Q)rm -rf $(O)
