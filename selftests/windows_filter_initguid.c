// SPDX-License-Identifier: MIT
/*
 * windows_filter_initguid.c - the one file of the module that defines
 * INITGUID: it defines the module's own GUIDs and, through <fwpmu.h>,
 * every FWPM_* GUID, which libwfpipsec defines too.
 */
#include <initguid.h>
#include <windows.h>
#include <fwpmu.h>

#include "windows_filter_compat.h"
