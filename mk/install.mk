# SPDX-License-Identifier: GPL-2.0
#
# Installing and packaging: make install/uninstall, the DKMS source tree,
# the Debian packages, and the checks of each.  The bench module is none
# of them: DKMS_FILES is Kbuild, kmod/ and uapi/ only.
#
# `make install [DESTDIR=...] [PREFIX=/usr/local]`: the module for KVER
# (under /lib/modules, not PREFIX), the library, its headers in
# INCLUDEDIR/wfpipsec, the pkg-config file, wfpipsec, the man pages and the
# udev rule.  depmod, ldconfig, udev and the wfpipsec group are touched only
# when DESTDIR is empty: a staged install changes nothing on this machine.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR ?= $(PREFIX)/share/man
MODULEDIR ?= /lib/modules/$(KVER)/updates
UDEVRULESDIR ?= /lib/udev/rules.d
DKMS_SRCDIR ?= /usr/src/wfp-ipsec-$(LIB_VERSION)

MAN3_PAGES := $(wildcard $(TOP)/man/man3/*.3)
MAN8_PAGES := $(wildcard $(TOP)/man/man8/*.8)
MAN3_ALIASES = $(shell sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)[[:space:]].*/\1.3/p' $(TOP)/man/aliases)
DKMS_FILES = Kbuild dkms.conf kmod/Kbuild uapi/linux/wfp_ipsec.h \
	$(patsubst $(TOP)/%,%,$(filter-out %.mod.c,$(wildcard $(TOP)/kmod/*.[ch] $(TOP)/kmod/*/*.[ch])))

.PHONY: install uninstall install-check dkms-source dkms-check deb

install: module lib cli ## install module, library, headers, .pc, wfpipsec, man pages, udev rule (DESTDIR, PREFIX)
	$(Q)install -D -m 0644 $(TOP)/kmod/wfp_ipsec.ko $(DESTDIR)$(MODULEDIR)/wfp_ipsec.ko
	$(Q)install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/wfpipsec $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UDEVRULESDIR)
	$(Q)install -m 0755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf libwfpipsec.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libwfpipsec.so
	$(Q)install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libfwpuclnt.so
	$(Q)ln -sf libwfpipsec.a $(DESTDIR)$(LIBDIR)/libfwpuclnt.a
	$(Q)sed -e 's|@VERSION@|$(LIB_VERSION)|' $(TOP)/packaging/fwpuclnt.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/fwpuclnt.pc
	$(Q)install -m 0644 $(wildcard $(TOP)/lib/include/*.h) $(DESTDIR)$(INCLUDEDIR)/wfpipsec/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		$(TOP)/packaging/libwfpipsec.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libwfpipsec.pc
	$(Q)install -m 0755 $(O)/cli/wfpipsec $(DESTDIR)$(SBINDIR)/wfpipsec
	$(Q)install -m 0644 $(MAN3_PAGES) $(DESTDIR)$(MANDIR)/man3/
	$(Q)install -m 0644 $(MAN8_PAGES) $(DESTDIR)$(MANDIR)/man8/
	$(Q)sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)[[:space:]]*\([A-Za-z][A-Za-z0-9]*\)$$/\1 \2/p' \
		$(TOP)/man/aliases | while read -r alias page; do \
		echo ".so man3/$$page.3" >$(DESTDIR)$(MANDIR)/man3/$$alias.3 || exit 1; \
	done
	$(Q)install -m 0644 $(TOP)/packaging/60-wfp-ipsec.rules $(DESTDIR)$(UDEVRULESDIR)/
ifeq ($(DESTDIR),)
	$(Q)depmod -a $(KVER)
	$(Q)ldconfig
	$(Q)getent group wfpipsec >/dev/null || groupadd --system wfpipsec
	$(Q)if command -v udevadm >/dev/null; then udevadm control --reload-rules; \
		udevadm trigger --sysname-match=wfp-ipsec; fi || true
endif

uninstall: ## remove what make install installed (same DESTDIR, PREFIX)
	$(Q)rm -f $(DESTDIR)$(MODULEDIR)/wfp_ipsec.ko \
		$(addprefix $(DESTDIR)$(LIBDIR)/,libwfpipsec.so.$(LIB_VERSION) \
			$(LIB_SONAME) libwfpipsec.so libwfpipsec.a \
			libfwpuclnt.so libfwpuclnt.a) \
		$(DESTDIR)$(PKGCONFIGDIR)/libwfpipsec.pc $(DESTDIR)$(PKGCONFIGDIR)/fwpuclnt.pc \
		$(DESTDIR)$(SBINDIR)/wfpipsec \
		$(DESTDIR)$(UDEVRULESDIR)/60-wfp-ipsec.rules \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(MAN3_PAGES)) $(MAN3_ALIASES)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8_PAGES)))
	$(Q)rm -rf $(DESTDIR)$(INCLUDEDIR)/wfpipsec
ifeq ($(DESTDIR),)
	$(Q)depmod -a $(KVER)
	$(Q)ldconfig
endif

dkms-source: ## copy Kbuild, kmod/, uapi/ and dkms.conf to DESTDIR/usr/src/wfp-ipsec-VERSION
	$(Q)for f in $(DKMS_FILES); do \
		install -D -m 0644 $(TOP)/$$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; \
	done

install-check: module lib cli ## make install into a temporary DESTDIR and check what it installed
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/install-check

dkms-check: .setup-if-needed module $(O)/selftests/wfpipsec ## dkms build for the guest kernel in temporary trees; load the result in the VM
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/dkms-check

# Both run before the VM part of `make check`.
host-check: install-check
check: dkms-check

deb: module lib cli ## Debian packages in build/deb: wfp-ipsec-dkms, libwfpipsec0, libwfpipsec-dev, wfpipsec
	$(Q)KDIR=$(KDIR) $(TOP)/scripts/mkdeb $(O)/deb
