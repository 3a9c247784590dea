/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* windows.h - minimal shim so Windows-style sources can #include <windows.h> on Linux. */
#ifndef WFP_WINDOWS_H
#define WFP_WINDOWS_H

/*
 * Only what the Fwpuclnt API needs: base types, security and RPC bits,
 * and the error codes. This is not a general Win32 compatibility layer.
 */
#include "wfp_wintypes.h"
#include "cguid.h"
#include "winerror.h"

#endif /* WFP_WINDOWS_H */
