/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fwpmu.h - Fwpuclnt-compatible session and IPsec SA-context functions of libwfpipsec. */

/* As in the SDK, GUID_DEFS_ONLY makes this header declare only the GUIDs. */
#include "cguid.h"
#include "wfp_guids.h"

#ifndef GUID_DEFS_ONLY
#ifndef WFP_FWPMU_H
#define WFP_FWPMU_H

#include "wfp_wintypes.h"
#include "winerror.h"
#include "fwptypes.h"
#include "fwpmtypes.h"
#include "ipsectypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- filter weights (FWPM_FILTER0.weight) ---- */

/* An FWP_UINT8 weight w becomes w << 60 plus an automatic low part. */
#define FWPM_AUTO_WEIGHT_BITS (60)
#define FWPM_AUTO_WEIGHT_MAX  ((((UINT64)1) << FWPM_AUTO_WEIGHT_BITS) - 1)
#define FWPM_WEIGHT_RANGE_MAX (UINT64_MAX >> FWPM_AUTO_WEIGHT_BITS)

#define FWPM_WEIGHT_RANGE_IPSEC          (0x0)
#define FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (0xc)

/* ---- transforms by name, for IPSEC_AUTH/CIPHER_TRANSFORM0 ---- */

static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_HMAC_MD5_96 =
	{ IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96 };
static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_1_96 =
	{ IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 };
static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128 =
	{ IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 };
static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128 =
	{ IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128 };
static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_GCM_AES_192 =
	{ IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192 };
static const IPSEC_AUTH_TRANSFORM_ID0 IPSEC_AUTH_TRANSFORM_ID_GCM_AES_256 =
	{ IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256 };

/* AES_128/192/256 without a mode are CBC, as in the SDK. */
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_CBC_DES =
	{ IPSEC_CIPHER_TYPE_DES, IPSEC_CIPHER_CONFIG_CBC_DES };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_CBC_3DES =
	{ IPSEC_CIPHER_TYPE_3DES, IPSEC_CIPHER_CONFIG_CBC_3DES };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_AES_128 =
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128 };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_AES_192 =
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_CBC_AES_192 };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_AES_256 =
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_CBC_AES_256 };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128 =
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128 };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_192 =
	{ IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_GCM_AES_192 };
static const IPSEC_CIPHER_TRANSFORM_ID0 IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_256 =
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256 };

/* ---- well-known filter contexts (FWPM_FILTER0.rawContext) ---- */

/* IPsec callout filters at the inbound and outbound transport layers. */
#define FWPM_CONTEXT_IPSEC_INBOUND_PASSTHRU                    ((UINT64)0x1)
#define FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY ((UINT64)0x2)
#define FWPM_CONTEXT_IPSEC_INBOUND_RESERVED ((UINT64)0xff00000000000000)
#define FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER         ((UINT64)0x1)
#define FWPM_CONTEXT_IPSEC_OUTBOUND_SUPPRESS_NEGOTIATION       ((UINT64)0x2)

/* The ALE connect (and accept) layers. */
#define FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_SECURITY ((UINT64)0x2)
#define FWPM_CONTEXT_ALE_SET_CONNECTION_LAZY_SD_EVALUATION     ((UINT64)0x4)
#define FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION \
	((UINT64)0x8)
#define FWPM_CONTEXT_ALE_SET_CONNECTION_ALLOW_FIRST_INBOUND_PKT_UNENCRYPTED \
	((UINT64)0x10)
#define FWPM_CONTEXT_ALE_ALLOW_AUTH_FW                         ((UINT64)0x20)

/*
 * Every function returns ERROR_SUCCESS (0), an FWP_E_* code or a Win32/RPC
 * code, exactly like its Windows namesake. Memory handed out by getters
 * and enumerators is released with FwpmFreeMemory0.
 */

/* ---- session and memory ---- */

DWORD WINAPI FwpmEngineOpen0(const wchar_t *serverName,
			     UINT32 authnService,
			     SEC_WINNT_AUTH_IDENTITY_W *authIdentity,
			     const FWPM_SESSION0 *session,
			     HANDLE *engineHandle);

DWORD WINAPI FwpmEngineClose0(HANDLE engineHandle);

void WINAPI FwpmFreeMemory0(void **p);

/* ---- transactions (Documentation/transactions.rst) ---- */

#define FWPM_TXN_READ_ONLY (0x00000001)

DWORD WINAPI FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags);
DWORD WINAPI FwpmTransactionCommit0(HANDLE engineHandle);
DWORD WINAPI FwpmTransactionAbort0(HANDLE engineHandle);

/* ---- SA context lifecycle ---- */

DWORD WINAPI IPsecSaContextCreate0(HANDLE engineHandle,
				   const IPSEC_TRAFFIC0 *outboundTraffic,
				   UINT64 *inboundFilterId,
				   UINT64 *id);

DWORD WINAPI IPsecSaContextCreate1(HANDLE engineHandle,
				   const IPSEC_TRAFFIC1 *outboundTraffic,
				   const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *virtualIfTunnelInfo,
				   UINT64 *inboundFilterId,
				   UINT64 *id);

DWORD WINAPI IPsecSaContextGetSpi0(HANDLE engineHandle,
				   UINT64 id,
				   const IPSEC_GETSPI0 *getSpi,
				   IPSEC_SA_SPI *inboundSpi);

DWORD WINAPI IPsecSaContextGetSpi1(HANDLE engineHandle,
				   UINT64 id,
				   const IPSEC_GETSPI1 *getSpi,
				   IPSEC_SA_SPI *inboundSpi);

/* Takes the "1" GETSPI structure despite its "0" suffix, as on Windows. */
DWORD WINAPI IPsecSaContextSetSpi0(HANDLE engineHandle,
				   UINT64 id,
				   const IPSEC_GETSPI1 *getSpi,
				   IPSEC_SA_SPI inboundSpi);

DWORD WINAPI IPsecSaContextAddInbound0(HANDLE engineHandle,
				       UINT64 id,
				       const IPSEC_SA_BUNDLE0 *inboundBundle);

DWORD WINAPI IPsecSaContextAddOutbound0(HANDLE engineHandle,
					UINT64 id,
					const IPSEC_SA_BUNDLE0 *outboundBundle);

DWORD WINAPI IPsecSaContextAddInbound1(HANDLE engineHandle,
				       UINT64 id,
				       const IPSEC_SA_BUNDLE1 *inboundBundle);

DWORD WINAPI IPsecSaContextAddOutbound1(HANDLE engineHandle,
					UINT64 id,
					const IPSEC_SA_BUNDLE1 *outboundBundle);

DWORD WINAPI IPsecSaContextExpire0(HANDLE engineHandle, UINT64 id);

/*
 * flags is a mask of IPSEC_SA_DETAILS_UPDATE_* / IPSEC_SA_BUNDLE_UPDATE_*;
 * the context to update is newValues->saContextId. 64-bit as in the SDK.
 */
DWORD WINAPI IPsecSaContextUpdate0(HANDLE engineHandle,
				   UINT64 flags,
				   const IPSEC_SA_CONTEXT1 *newValues);

DWORD WINAPI IPsecSaContextDeleteById0(HANDLE engineHandle, UINT64 id);

DWORD WINAPI IPsecSaContextGetById0(HANDLE engineHandle,
				    UINT64 id,
				    IPSEC_SA_CONTEXT0 **saContext);

DWORD WINAPI IPsecSaContextGetById1(HANDLE engineHandle,
				    UINT64 id,
				    IPSEC_SA_CONTEXT1 **saContext);

/* ---- enumeration (fewer entries than requested: enumeration is done) ---- */

DWORD WINAPI IPsecSaContextCreateEnumHandle0(HANDLE engineHandle,
					     const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
					     HANDLE *enumHandle);

DWORD WINAPI IPsecSaContextEnum0(HANDLE engineHandle,
				 HANDLE enumHandle,
				 UINT32 numEntriesRequested,
				 IPSEC_SA_CONTEXT0 ***entries,
				 UINT32 *numEntriesReturned);

DWORD WINAPI IPsecSaContextEnum1(HANDLE engineHandle,
				 HANDLE enumHandle,
				 UINT32 numEntriesRequested,
				 IPSEC_SA_CONTEXT1 ***entries,
				 UINT32 *numEntriesReturned);

DWORD WINAPI IPsecSaContextDestroyEnumHandle0(HANDLE engineHandle,
					      HANDLE enumHandle);

DWORD WINAPI IPsecSaCreateEnumHandle0(HANDLE engineHandle,
				      const IPSEC_SA_ENUM_TEMPLATE0 *enumTemplate,
				      HANDLE *enumHandle);

DWORD WINAPI IPsecSaEnum0(HANDLE engineHandle,
			  HANDLE enumHandle,
			  UINT32 numEntriesRequested,
			  IPSEC_SA_DETAILS0 ***entries,
			  UINT32 *numEntriesReturned);

DWORD WINAPI IPsecSaEnum1(HANDLE engineHandle,
			  HANDLE enumHandle,
			  UINT32 numEntriesRequested,
			  IPSEC_SA_DETAILS1 ***entries,
			  UINT32 *numEntriesReturned);

DWORD WINAPI IPsecSaDestroyEnumHandle0(HANDLE engineHandle,
				       HANDLE enumHandle);

/* ---- providers and sublayers (keyed by GUID; no runtime id) ---- */

DWORD WINAPI FwpmProviderAdd0(HANDLE engineHandle,
			      const FWPM_PROVIDER0 *provider,
			      PSECURITY_DESCRIPTOR sd);

DWORD WINAPI FwpmProviderDeleteByKey0(HANDLE engineHandle, const GUID *key);

DWORD WINAPI FwpmProviderGetByKey0(HANDLE engineHandle,
				   const GUID *key,
				   FWPM_PROVIDER0 **provider);

DWORD WINAPI FwpmProviderCreateEnumHandle0(HANDLE engineHandle,
					   const FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate,
					   HANDLE *enumHandle);

DWORD WINAPI FwpmProviderEnum0(HANDLE engineHandle,
			       HANDLE enumHandle,
			       UINT32 numEntriesRequested,
			       FWPM_PROVIDER0 ***entries,
			       UINT32 *numEntriesReturned);

DWORD WINAPI FwpmProviderDestroyEnumHandle0(HANDLE engineHandle,
					    HANDLE enumHandle);

DWORD WINAPI FwpmSubLayerAdd0(HANDLE engineHandle,
			      const FWPM_SUBLAYER0 *subLayer,
			      PSECURITY_DESCRIPTOR sd);

DWORD WINAPI FwpmSubLayerDeleteByKey0(HANDLE engineHandle, const GUID *key);

DWORD WINAPI FwpmSubLayerGetByKey0(HANDLE engineHandle,
				   const GUID *key,
				   FWPM_SUBLAYER0 **subLayer);

DWORD WINAPI FwpmSubLayerCreateEnumHandle0(HANDLE engineHandle,
					   const FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate,
					   HANDLE *enumHandle);

DWORD WINAPI FwpmSubLayerEnum0(HANDLE engineHandle,
			       HANDLE enumHandle,
			       UINT32 numEntriesRequested,
			       FWPM_SUBLAYER0 ***entries,
			       UINT32 *numEntriesReturned);

DWORD WINAPI FwpmSubLayerDestroyEnumHandle0(HANDLE engineHandle,
					    HANDLE enumHandle);

/* ---- provider contexts (keyed by GUID, and a runtime id) ---- */

DWORD WINAPI FwpmProviderContextAdd0(HANDLE engineHandle,
				     const FWPM_PROVIDER_CONTEXT0 *providerContext,
				     PSECURITY_DESCRIPTOR sd,
				     UINT64 *id);

DWORD WINAPI FwpmProviderContextDeleteById0(HANDLE engineHandle, UINT64 id);

DWORD WINAPI FwpmProviderContextDeleteByKey0(HANDLE engineHandle,
					     const GUID *key);

DWORD WINAPI FwpmProviderContextGetById0(HANDLE engineHandle,
					 UINT64 id,
					 FWPM_PROVIDER_CONTEXT0 **providerContext);

DWORD WINAPI FwpmProviderContextGetByKey0(HANDLE engineHandle,
					  const GUID *key,
					  FWPM_PROVIDER_CONTEXT0 **providerContext);

DWORD WINAPI FwpmProviderContextCreateEnumHandle0(HANDLE engineHandle,
		const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle);

DWORD WINAPI FwpmProviderContextEnum0(HANDLE engineHandle,
				      HANDLE enumHandle,
				      UINT32 numEntriesRequested,
				      FWPM_PROVIDER_CONTEXT0 ***entries,
				      UINT32 *numEntriesReturned);

DWORD WINAPI FwpmProviderContextDestroyEnumHandle0(HANDLE engineHandle,
						   HANDLE enumHandle);

/* ---- filters (keyed by GUID, and a runtime id) ---- */

DWORD WINAPI FwpmFilterAdd0(HANDLE engineHandle,
			    const FWPM_FILTER0 *filter,
			    PSECURITY_DESCRIPTOR sd,
			    UINT64 *id);

DWORD WINAPI FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id);

DWORD WINAPI FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key);

DWORD WINAPI FwpmFilterGetById0(HANDLE engineHandle,
				UINT64 id,
				FWPM_FILTER0 **filter);

DWORD WINAPI FwpmFilterGetByKey0(HANDLE engineHandle,
				 const GUID *key,
				 FWPM_FILTER0 **filter);

DWORD WINAPI FwpmFilterCreateEnumHandle0(HANDLE engineHandle,
					 const FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
					 HANDLE *enumHandle);

DWORD WINAPI FwpmFilterEnum0(HANDLE engineHandle,
			     HANDLE enumHandle,
			     UINT32 numEntriesRequested,
			     FWPM_FILTER0 ***entries,
			     UINT32 *numEntriesReturned);

DWORD WINAPI FwpmFilterDestroyEnumHandle0(HANDLE engineHandle,
					  HANDLE enumHandle);

/* ---- change notifications ---- */

typedef void (CALLBACK *IPSEC_SA_CONTEXT_CALLBACK0)(void *context,
						    const IPSEC_SA_CONTEXT_CHANGE0 *change);

DWORD WINAPI IPsecSaContextSubscribe0(HANDLE engineHandle,
				      const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription,
				      IPSEC_SA_CONTEXT_CALLBACK0 callback,
				      void *context,
				      HANDLE *eventsHandle);

DWORD WINAPI IPsecSaContextUnsubscribe0(HANDLE engineHandle,
					HANDLE eventsHandle);

DWORD WINAPI IPsecSaContextSubscriptionsGet0(HANDLE engineHandle,
					     IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries,
					     UINT32 *numEntries);

/* ---- net events ---- */

typedef void (CALLBACK *FWPM_NET_EVENT_CALLBACK0)(void *context,
						  const FWPM_NET_EVENT1 *event);

DWORD WINAPI FwpmNetEventSubscribe0(HANDLE engineHandle,
				    const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
				    FWPM_NET_EVENT_CALLBACK0 callback,
				    void *context,
				    HANDLE *eventsHandle);

DWORD WINAPI FwpmNetEventUnsubscribe0(HANDLE engineHandle,
				      HANDLE eventsHandle);

DWORD WINAPI FwpmNetEventSubscriptionsGet0(HANDLE engineHandle,
					   FWPM_NET_EVENT_SUBSCRIPTION0 ***entries,
					   UINT32 *numEntries);

/* ---- statistics and SA-database security ---- */

DWORD WINAPI IPsecGetStatistics0(HANDLE engineHandle,
				 IPSEC_STATISTICS0 *ipsecStatistics);

DWORD WINAPI IPsecGetStatistics1(HANDLE engineHandle,
				 IPSEC_STATISTICS1 *ipsecStatistics);

DWORD WINAPI IPsecSaDbGetSecurityInfo0(HANDLE engineHandle,
				       SECURITY_INFORMATION securityInfo,
				       PSID *sidOwner,
				       PSID *sidGroup,
				       PACL *dacl,
				       PACL *sacl,
				       PSECURITY_DESCRIPTOR *securityDescriptor);

DWORD WINAPI IPsecSaDbSetSecurityInfo0(HANDLE engineHandle,
				       SECURITY_INFORMATION securityInfo,
				       const SID *sidOwner,
				       const SID *sidGroup,
				       const ACL *dacl,
				       const ACL *sacl);

#ifdef __cplusplus
}
#endif

#endif /* WFP_FWPMU_H */
#endif /* GUID_DEFS_ONLY */
