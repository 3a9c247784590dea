# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages the project needs, and the parts of Debian's kernel
# source tarball it uses (kselftest headers, checkpatch).

.PHONY: setup .setup-if-needed

setup: ## install the Debian packages the project needs (idempotent)
	$(Q)$(TOP)/scripts/setup

# Every target that needs packages runs this first; it is quiet when all
# packages are present.
.setup-if-needed:
	$(Q)$(TOP)/scripts/setup --check 2>/dev/null || $(TOP)/scripts/setup

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
