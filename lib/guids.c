/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * guids.c - the one definition in libwfpipsec of every GUID its headers
 * declare (GUID_NULL and the FWPM_* constants), which libwfpipsec.map
 * exports.  They are weak, as INITGUID makes them in a program: see
 * guiddef.h for why that lets a program define some of them itself.
 */
#include <initguid.h>
#include <fwpmu.h>
