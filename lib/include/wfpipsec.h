/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wfpipsec.h - libwfpipsec extensions that have no Windows counterpart. */
#ifndef WFPIPSEC_H
#define WFPIPSEC_H

#include "wfp_wintypes.h"
#include "fwptypes.h"
#include "ipsectypes.h"

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
 * The descriptor stays owned by the engine; do not close it.  Once the
 * engine has had a subscription it is O_NONBLOCK (the library's event
 * thread needs that), so read(2) on it returns EAGAIN rather than wait.
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

/* Lets code that may meet older headers test for the call. */
#define WFPIPSEC_HAVE_SA_CONTEXT_CREATE_BATCH0 1

/*
 * WfpIpsecSaContextCreateBatch0 - many complete SA contexts in one call:
 * per entry what IPsecSaContextCreate1(traffic), IPsecSaContextSetSpi0
 * (inboundSpi) - or IPsecSaContextGetSpi1 when inboundSpi is 0 - then
 * IPsecSaContextAddInbound1 and IPsecSaContextAddOutbound1 would do, the
 * inbound traffic being the outbound traffic's host pair.  Each entry is
 * installed whole or not at all; one failing leaves nothing behind and
 * does not stop the others.  The inbound bundle's SA may name SPI 0: the
 * SPI the entry reserves.  Out: id and allocatedSpi (0 on failure), and
 * status, ERROR_SUCCESS or the code the first failing single call would
 * have returned.  Any number of entries: the library hands them to the
 * module in chunks of up to WFP_IPSEC_BATCH_MAX.
 *
 * Returns ERROR_SUCCESS when every entry was processed (see each status;
 * *numSucceeded counts the installed ones), or the code of a call that is
 * itself refused: FWP_E_NULL_POINTER (entries or numSucceeded NULL),
 * FWP_E_ZERO_LENGTH_ARRAY, ERROR_INVALID_HANDLE,
 * FWP_E_DYNAMIC_SESSION_IN_PROGRESS, ERROR_ACCESS_DENIED,
 * RPC_S_PROCNUM_OUT_OF_RANGE (a module without the batch command); the
 * entries processed before such a failure keep their results, the
 * others get the call's code as status.  Documentation/batch.rst.
 */
typedef struct WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0_ {
	const IPSEC_TRAFFIC1 *traffic;		/* in */
	IPSEC_SA_SPI inboundSpi;		/* in: 0 = allocate (GetSpi1 semantics), else SetSpi0 */
	const IPSEC_SA_BUNDLE1 *inboundBundle;	/* in */
	const IPSEC_SA_BUNDLE1 *outboundBundle;	/* in */
	UINT64 id;				/* out: the context id */
	IPSEC_SA_SPI allocatedSpi;		/* out: the inbound SPI in use */
	DWORD status;				/* out: ERROR_SUCCESS or the code the single calls would return */
} WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0;

DWORD WINAPI WfpIpsecSaContextCreateBatch0(HANDLE engineHandle,
					   UINT32 numEntries,
					   WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *entries,
					   UINT32 *numSucceeded);

#ifdef __cplusplus
}
#endif

#endif /* WFPIPSEC_H */
