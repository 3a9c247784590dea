# SPDX-License-Identifier: GPL-2.0
#
# Kernel style for every kernel-side source: checkpatch --strict (from the
# extracted kernel sources) and sparse through kbuild, W=1 and -Werror.

.PHONY: style checkpatch sparse

style: checkpatch sparse ## checkpatch --strict and sparse on kmod/, uapi/ and bench/kmod/

checkpatch: $(KSRC_STAMP)
	$(Q)perl $(O)/ksrc/scripts/checkpatch.pl --no-tree --strict -f --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		$(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.[ch] $(TOP)/kmod/*/*.[ch] \
			$(TOP)/bench/kmod/*.[ch])) \
		$(TOP)/uapi/linux/wfp_ipsec.h $(TOP)/bench/wfp_ipsec_bench.h \
		&& echo "checkpatch: clean"

sparse: ## sparse (C=2) over every module source
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_FLAGS) C=2 CHECK="sparse -Wsparse-error" modules
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP)/bench/kmod $(KBUILD_FLAGS) C=2 \
		CHECK="sparse -Wsparse-error" modules
