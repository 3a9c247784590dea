// SPDX-License-Identifier: MIT
/*
 * windows_filter_own.c - GUIDs a module defines itself, as modules built
 * against headers without them do (strongSwan's kernel_wfp_compat.c):
 * plain definitions, some of GUIDs libwfpipsec defines as well.
 */
#include <windows.h>
#include <fwpmu.h>

#include "windows_filter_compat.h"

/* A redeclaration must agree with the header's. */
extern const GUID FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4;

const GUID FWPM_CONDITION_IP_PROTOCOL = {
	0x3971ef2b, 0x623e, 0x4f9a,
	{ 0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7 }
};

const GUID FWPM_LAYER_OUTBOUND_TRANSPORT_V4 = {
	0x09e61aea, 0xd214, 0x46e2,
	{ 0x9b, 0x21, 0xb2, 0x6b, 0x0b, 0x2f, 0x28, 0xc8 }
};

const GUID WFC_PROVIDER_KEY = {
	0x5f0a1c3e, 0x2b4d, 0x4e6f,
	{ 0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5b }
};

const GUID WFC_TUNNEL_CONTEXT_KEY = {
	0x5f0a1c3e, 0x2b4d, 0x4e6f,
	{ 0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5c }
};
