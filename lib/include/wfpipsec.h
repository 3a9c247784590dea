/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wfpipsec.h - libwfpipsec extensions that have no Windows counterpart. */
#ifndef WFPIPSEC_H
#define WFPIPSEC_H

#include "wfp_wintypes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WFPIPSEC_VERSION_MAJOR 0
#define WFPIPSEC_VERSION_MINOR 1

/*
 * Symbolic name of a status code returned by this library, such as
 * "FWP_E_ALREADY_EXISTS", or NULL if the code is not one it knows.
 */
const char *WfpIpsecErrorName(DWORD code);

/*
 * One-sentence English description of a status code, or NULL if the code
 * is unknown. The returned strings are static; do not free them.
 */
const char *WfpIpsecErrorText(DWORD code);

/*
 * The /dev/wfp-ipsec descriptor behind an engine handle, e.g. for poll().
 * The descriptor stays owned by the engine; do not close it.
 */
DWORD WfpIpsecEngineGetFd(HANDLE engineHandle, int *fd);

#ifdef __cplusplus
}
#endif

#endif /* WFPIPSEC_H */
