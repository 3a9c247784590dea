# SPDX-License-Identifier: GPL-2.0
#
# libwfpipsec: the shared library (its exports exactly libwfpipsec.map's
# list), the static one the selftests link, and the .pc file for using
# it from the source tree.

.PHONY: lib

LIB_OBJS := $(patsubst $(TOP)/%.c,$(OBJ)/%.o,$(wildcard $(TOP)/lib/*.c))
# -fvisibility=hidden would hide the API itself (no declaration says
# "default"): the version script is what limits the exports.
LIB_CFLAGS := $(USER_CFLAGS) -fPIC -I$(TOP)/lib/include \
	      -I$(TOP)/uapi -pthread
$(OBJ)/lib/%.o: OBJ_CFLAGS = $(LIB_CFLAGS)

LIB_SO := $(TOP)/lib/libwfpipsec.so.$(LIB_VERSION)
LIB_A := $(TOP)/lib/libwfpipsec.a
LIB_OUT := $(LIB_SO) $(LIB_A) $(TOP)/lib/libwfpipsec-uninstalled.pc

lib: $(LIB_OUT) ## build lib/libwfpipsec.{so,a} and its uninstalled .pc

$(LIB_SO): $(LIB_OBJS) $(TOP)/lib/libwfpipsec.map
	$(Q)$(CC) -shared -pthread -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=$(TOP)/lib/libwfpipsec.map -Wl,-z,defs \
		-o $@ $(LIB_OBJS)
	$(Q)ln -sf libwfpipsec.so.$(LIB_VERSION) $(TOP)/lib/$(LIB_SONAME)
	$(Q)ln -sf $(LIB_SONAME) $(TOP)/lib/libwfpipsec.so

$(LIB_A): $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(TOP)/lib/libwfpipsec-uninstalled.pc: $(TOP)/lib/libwfpipsec.pc.in
	$(Q)sed -e 's|@LIBDIR@|$(TOP)/lib|' -e 's|@INCLUDEDIR@|$(TOP)/lib/include|' \
		-e 's|@UAPIDIR@|$(TOP)/uapi|' -e 's|@VERSION@|$(LIB_VERSION)|' $< >$@

# Userspace programs linked statically against it, for the VM (the demo,
# the selftests, the benchmarks): $(call static_prog,OBJECTS,EXTRA LIBS).
static_prog = $(CC) -static -o $@ $(1) $(LIB_A) -pthread $(2)
