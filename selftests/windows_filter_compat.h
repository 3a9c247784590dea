/* SPDX-License-Identifier: MIT */
/*
 * windows_filter_compat.h - the keying module's own GUIDs, declared the
 * Windows way: every file includes this header, and the file that
 * includes <initguid.h> first (windows_filter_initguid.c) defines them.
 * windows_filter_own.c defines them again without INITGUID, as modules
 * built with MinGW do; see windows_filter_compat.c.
 */
#ifndef WINDOWS_FILTER_COMPAT_H
#define WINDOWS_FILTER_COMPAT_H

#include <windows.h>

/* 5f0a1c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b */
DEFINE_GUID(WFC_PROVIDER_KEY,
	    0x5f0a1c3e, 0x2b4d, 0x4e6f,
	    0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5b);

/* 5f0a1c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5c */
DEFINE_GUID(WFC_TUNNEL_CONTEXT_KEY,
	    0x5f0a1c3e, 0x2b4d, 0x4e6f,
	    0x8a, 0x9b, 0x0c, 0x1d, 0x2e, 0x3f, 0x4a, 0x5c);

#endif /* WINDOWS_FILTER_COMPAT_H */
