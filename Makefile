# SPDX-License-Identifier: GPL-2.0
#
# wfp-ipsec top-level Makefile.  `make help` lists the targets.
#
# One make process: this file sets what every part shares and includes
# each part's fragment (one file per concern, listed in
# Documentation/architecture.rst), in the order `make help` lists them.
# Every C object gets its dependencies from the compiler (-MMD -MP).

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KDIR ?= $(shell $(TOP)/scripts/kdir)
O ?= $(TOP)/build
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	 $(KDIR)/include/generated/utsrelease.h)
KSRC_TARBALL ?= /usr/src/linux-source-6.1.tar.xz

CC ?= gcc
USER_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
LIB_VERSION := 0.1.0
LIB_SONAME := libwfpipsec.so.0
# The kernel loop wfp_ipsec.ko is measured against: a module of its own,
# never installed (bench/kmod/).
BENCH_KO := wfp_ipsec_bench.ko

# Kernel-side warnings are errors here; W=1 adds the extra set.
KBUILD_FLAGS := W=1 KCFLAGS=-Werror

Q := $(if $(V),,@)

# Userspace objects: $(O)/obj/PATH.o from $(TOP)/PATH.c, outside the
# directories the VM gets, with the flags their fragment sets in
# OBJ_CFLAGS for its part of the tree.
OBJ := $(O)/obj
DEPFLAGS := -MMD -MP

.PHONY: all help

all: module lib cli selftests ## build the module, the library, the wfpipsec tool and the selftests

help: ## list the targets
	@echo "wfp-ipsec make targets:"
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(filter %Makefile %.mk,$(MAKEFILE_LIST)) | \
		sed 's/^\([^:]*\):.*## /  \1|/' | awk -F'|' '{ printf "  %-14s %s\n", $$1, $$2 }'
	@echo "variables: KDIR=<kernel build tree> (default: $(KDIR)), V=1 verbose"
	@echo "install: PREFIX (default /usr/local), DESTDIR, LIBDIR, SBINDIR, MANDIR, ..."

$(OBJ)/%.o: $(TOP)/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(OBJ_CFLAGS) $(DEPFLAGS) -c -o $@ $<

include $(TOP)/mk/setup.mk
include $(TOP)/kmod/kmod.mk
include $(TOP)/lib/lib.mk
include $(TOP)/cli/cli.mk
include $(TOP)/selftests/selftests.mk
include $(TOP)/mk/check.mk
include $(TOP)/bench/bench.mk
include $(TOP)/mk/fuzz.mk
include $(TOP)/mk/install.mk
include $(TOP)/mk/style.mk
include $(TOP)/mk/clean.mk

-include $(wildcard $(OBJ)/*/*.d $(OBJ)/*/*/*.d)
