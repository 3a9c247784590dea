# SPDX-License-Identifier: GPL-2.0
#
# wfp_ipsec.ko: kbuild against KDIR (the top-level Kbuild descends into
# kmod/); kbuild tracks its own dependencies.  Not part of the DKMS
# sources, which need Kbuild files only.

.PHONY: module

module: ## build kmod/wfp_ipsec.ko against KDIR
	$(Q)$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_FLAGS) modules
