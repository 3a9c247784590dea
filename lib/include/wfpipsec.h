/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wfpipsec.h - libwfpipsec extensions that have no Windows counterpart. */
#ifndef WFPIPSEC_H
#define WFPIPSEC_H

#include "wfp_wintypes.h"
#include "fwptypes.h"

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

/*
 * WfpIpsecSaContextSetSelectors0 - what traffic a context's policies
 * select, before its SPI is reserved.  Windows takes tunnel-mode
 * selectors from the QM tunnel policy named by tunnelPolicyId, which has
 * no counterpart here; by default a context protects its traffic's host
 * pair.  localSubNet/remoteSubNet take the condition types of
 * IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 (NULL or FWP_EMPTY: keep the default).
 * WFPIPSEC_SELECTORS_FLAG_NO_POLICY: install no xfrm policies, the
 * administrator's own (naming the context's reqid) route the traffic.
 * Returns FWP_E_INCOMPATIBLE_SA_STATE once an SPI is reserved.
 */
#define WFPIPSEC_SELECTORS_FLAG_NO_POLICY 0x00000001
DWORD WfpIpsecSaContextSetSelectors0(HANDLE engineHandle, UINT64 id,
				     const FWP_CONDITION_VALUE0 *localSubNet,
				     const FWP_CONDITION_VALUE0 *remoteSubNet,
				     UINT32 flags);

/*
 * WfpIpsecSaContextSubscriptionDropped0 - how many events of a
 * subscription the module dropped because its queue (module parameter
 * event_queue_len) was full: IPSEC_SA_CONTEXT_CHANGE0 has no way to say
 * so.  A subscriber seeing a non-zero count re-reads the contexts.
 */
DWORD WfpIpsecSaContextSubscriptionDropped0(HANDLE engineHandle,
					    HANDLE eventsHandle,
					    UINT64 *dropped);

#ifdef __cplusplus
}
#endif

#endif /* WFPIPSEC_H */
