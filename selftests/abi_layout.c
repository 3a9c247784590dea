/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* abi_layout.c - host check of the Windows-shaped headers: x64 layouts, enum sizes, prototypes. */
#include <windows.h>
#include <fwpmu.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "wfpipsec.h"

#include <linux/wfp_ipsec.h>

#define SIZE(type, n) \
	_Static_assert(sizeof(type) == (n), "sizeof(" #type ") != " #n)
#define OFF(type, member, n) \
	_Static_assert(offsetof(type, member) == (n), \
		       "offsetof(" #type ", " #member ") != " #n)

/*
 * The ioctl ABI: sizes are multiples of 8 and every __u64 is naturally
 * aligned, so 32-bit and 64-bit callers share one layout.
 */
#define UAPI_LAYOUT(type, size) \
	_Static_assert(sizeof(type) == (size), #type " size"); \
	_Static_assert(sizeof(type) % 8 == 0, #type " padded to 8")
UAPI_LAYOUT(struct wfp_ipsec_hello, 80);
UAPI_LAYOUT(struct wfp_ipsec_session_info, 96);
UAPI_LAYOUT(struct wfp_ipsec_traffic, 64);
UAPI_LAYOUT(struct wfp_ipsec_ctx_create, 120);
UAPI_LAYOUT(struct wfp_ipsec_ctx_id, 16);
UAPI_LAYOUT(struct wfp_ipsec_ctx_info, 216);
UAPI_LAYOUT(struct wfp_ipsec_subnet, 24);
UAPI_LAYOUT(struct wfp_ipsec_ctx_enum, 88);
UAPI_LAYOUT(struct wfp_ipsec_spi, 104);
UAPI_LAYOUT(struct wfp_ipsec_sa, 64);
UAPI_LAYOUT(struct wfp_ipsec_bundle, 208);
UAPI_LAYOUT(struct wfp_ipsec_ctx_add, 240);
UAPI_LAYOUT(struct wfp_ipsec_ctx_sa, 240);
UAPI_LAYOUT(struct wfp_ipsec_selectors, 80);
UAPI_LAYOUT(struct wfp_ipsec_subscribe, 80);
UAPI_LAYOUT(struct wfp_ipsec_event, 32);
UAPI_LAYOUT(struct wfp_ipsec_traffic_stats, 64);
UAPI_LAYOUT(struct wfp_ipsec_stats, 288);
UAPI_LAYOUT(struct wfp_ipsec_ctx_update, 136);
UAPI_LAYOUT(struct wfp_ipsec_grant, 16);
UAPI_LAYOUT(struct wfp_ipsec_rights, 264);
UAPI_LAYOUT(struct wfp_ipsec_batch_entry, 528);
UAPI_LAYOUT(struct wfp_ipsec_ctx_batch, 48);
UAPI_LAYOUT(struct wfp_ipsec_obj, 112);
UAPI_LAYOUT(struct wfp_ipsec_obj_key, 32);
UAPI_LAYOUT(struct wfp_ipsec_obj_enum, 56);
OFF(struct wfp_ipsec_obj, name, 64);
OFF(struct wfp_ipsec_obj, policy, 80);
OFF(struct wfp_ipsec_obj, id, 96);
OFF(struct wfp_ipsec_obj_key, id, 24);
UAPI_LAYOUT(struct wfp_ipsec_pctx_policy, 48);
UAPI_LAYOUT(struct wfp_ipsec_filter, 216);
UAPI_LAYOUT(struct wfp_ipsec_filter_cond, 40);
OFF(struct wfp_ipsec_filter, weight, 104);
OFF(struct wfp_ipsec_filter, id, 128);
OFF(struct wfp_ipsec_filter, conds, 160);
OFF(struct wfp_ipsec_filter, reqid, 192);
OFF(struct wfp_ipsec_filter_cond, lo, 8);
OFF(struct wfp_ipsec_obj_enum, keys, 24);
OFF(struct wfp_ipsec_batch_entry, id, 488);
OFF(struct wfp_ipsec_ctx_batch, done, 20);
OFF(struct wfp_ipsec_hello, features, 32);
OFF(struct wfp_ipsec_ctx_info, inbound, 120);
OFF(struct wfp_ipsec_session_info, netns_cookie, 56);

/* ---- Windows base types keep their Windows widths ---- */
SIZE(BYTE, 1);
SIZE(WORD, 2);
SIZE(DWORD, 4);
SIZE(LONG, 4);
SIZE(ULONG, 4);
SIZE(BOOL, 4);
SIZE(BOOLEAN, 1);
SIZE(HRESULT, 4);
SIZE(UINT64, 8);
SIZE(GUID, 16);
SIZE(SECURITY_INFORMATION, 4);

/* ---- every enum is 32 bits, as [v1_enum] makes it on Windows ---- */
SIZE(FWP_IP_VERSION, 4);
SIZE(FWP_DIRECTION, 4);
SIZE(FWP_DATA_TYPE, 4);
SIZE(IPSEC_TRANSFORM_TYPE, 4);
SIZE(IPSEC_AUTH_TYPE, 4);
SIZE(IPSEC_CIPHER_TYPE, 4);
SIZE(IPSEC_PFS_GROUP, 4);
SIZE(IPSEC_TRAFFIC_TYPE, 4);
SIZE(IPSEC_TOKEN_TYPE, 4);
SIZE(IPSEC_TOKEN_PRINCIPAL, 4);
SIZE(IPSEC_TOKEN_MODE, 4);
SIZE(IPSEC_SA_CONTEXT_EVENT_TYPE0, 4);
SIZE(IPSEC_FAILURE_POINT, 4);

/* ---- a few values code commonly hard-wires ---- */
_Static_assert(FWP_E_ALREADY_EXISTS == 0x80320009U, "FWP_E_ALREADY_EXISTS");
_Static_assert(FWP_E_INVALID_PARAMETER == 0x80320035U, "FWP_E_INVALID_PARAMETER");
_Static_assert(FWP_E_DROP_NOICMP == 0x80320104U, "FWP_E_DROP_NOICMP");
_Static_assert(IPSEC_PFS_14 == IPSEC_PFS_2048, "IPSEC_PFS_14 alias");
_Static_assert(FWPM_GENERIC_ALL == 0x000F07FFUL, "FWPM_GENERIC_ALL");
_Static_assert(FWP_ACTION_CALLOUT_TERMINATING == 0x5003, "FWP_ACTION_CALLOUT_TERMINATING");

#if defined(__x86_64__) || defined(__LP64__)
/* ---- fact sheet section 2.5 (x64); LP64 Linux must match it ---- */
SIZE(FWP_BYTE_BLOB, 16);
OFF(FWP_BYTE_BLOB, data, 8);
SIZE(FWP_CONDITION_VALUE0, 16);

SIZE(FWPM_SESSION0, 72);
OFF(FWPM_SESSION0, displayData, 16);
OFF(FWPM_SESSION0, flags, 32);
OFF(FWPM_SESSION0, txnWaitTimeoutInMSec, 36);
OFF(FWPM_SESSION0, processId, 40);
OFF(FWPM_SESSION0, sid, 48);
OFF(FWPM_SESSION0, username, 56);
OFF(FWPM_SESSION0, kernelMode, 64);

SIZE(IPSEC_SA_LIFETIME0, 12);
SIZE(IPSEC_AUTH_TRANSFORM_ID0, 8);
SIZE(IPSEC_CIPHER_TRANSFORM_ID0, 8);
SIZE(IPSEC_AUTH_TRANSFORM0, 16);
SIZE(IPSEC_CIPHER_TRANSFORM0, 16);

SIZE(IPSEC_SA_AUTH_INFORMATION0, 32);
OFF(IPSEC_SA_AUTH_INFORMATION0, authKey, 16);
SIZE(IPSEC_SA_CIPHER_INFORMATION0, 32);
OFF(IPSEC_SA_CIPHER_INFORMATION0, cipherKey, 16);
SIZE(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, 64);
OFF(IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0, saAuthInformation, 32);

SIZE(IPSEC_SA0, 16);
OFF(IPSEC_SA0, ahInformation, 8);
OFF(IPSEC_SA0, espAuthAndCipherInformation, 8);

SIZE(IPSEC_ID0, 48);
SIZE(IPSEC_TOKEN0, 24);
SIZE(IPSEC_KEYMODULE_STATE0, 32);

SIZE(IPSEC_SA_BUNDLE0, 88);
OFF(IPSEC_SA_BUNDLE0, lifetime, 4);
OFF(IPSEC_SA_BUNDLE0, idleTimeoutSeconds, 16);
OFF(IPSEC_SA_BUNDLE0, ipsecId, 24);
OFF(IPSEC_SA_BUNDLE0, napContext, 32);
OFF(IPSEC_SA_BUNDLE0, qmSaId, 36);
OFF(IPSEC_SA_BUNDLE0, numSAs, 40);
OFF(IPSEC_SA_BUNDLE0, saList, 48);
OFF(IPSEC_SA_BUNDLE0, keyModuleState, 56);
OFF(IPSEC_SA_BUNDLE0, ipVersion, 64);
OFF(IPSEC_SA_BUNDLE0, peerV4PrivateAddress, 68);
OFF(IPSEC_SA_BUNDLE0, mmSaId, 72);
OFF(IPSEC_SA_BUNDLE0, pfsGroup, 80);

SIZE(IPSEC_SA_BUNDLE1, 112);
OFF(IPSEC_SA_BUNDLE1, pfsGroup, 80);
OFF(IPSEC_SA_BUNDLE1, saLookupContext, 84);
OFF(IPSEC_SA_BUNDLE1, qmFilterId, 104);

SIZE(IPSEC_TRAFFIC0, 56);
OFF(IPSEC_TRAFFIC0, localV4Address, 4);
OFF(IPSEC_TRAFFIC0, localV6Address, 4);
OFF(IPSEC_TRAFFIC0, remoteV4Address, 20);
OFF(IPSEC_TRAFFIC0, trafficType, 36);
OFF(IPSEC_TRAFFIC0, ipsecFilterId, 40);
OFF(IPSEC_TRAFFIC0, tunnelPolicyId, 40);
OFF(IPSEC_TRAFFIC0, remotePort, 48);

SIZE(IPSEC_TRAFFIC1, 72);
OFF(IPSEC_TRAFFIC1, localV4Address, 4);
OFF(IPSEC_TRAFFIC1, remoteV6Address, 20);
OFF(IPSEC_TRAFFIC1, trafficType, 36);
OFF(IPSEC_TRAFFIC1, ipsecFilterId, 40);
OFF(IPSEC_TRAFFIC1, remotePort, 48);
OFF(IPSEC_TRAFFIC1, localPort, 50);
OFF(IPSEC_TRAFFIC1, ipProtocol, 52);
OFF(IPSEC_TRAFFIC1, localIfLuid, 56);
OFF(IPSEC_TRAFFIC1, realIfProfileId, 64);

SIZE(IPSEC_V4_UDP_ENCAPSULATION0, 4);

SIZE(IPSEC_GETSPI0, 80);
OFF(IPSEC_GETSPI0, ipVersion, 56);
OFF(IPSEC_GETSPI0, inboundUdpEncapsulation, 64);
OFF(IPSEC_GETSPI0, rngCryptoModuleID, 72);

SIZE(IPSEC_GETSPI1, 96);
OFF(IPSEC_GETSPI1, ipVersion, 72);
OFF(IPSEC_GETSPI1, inboundUdpEncapsulation, 80);
OFF(IPSEC_GETSPI1, rngCryptoModuleID, 88);

SIZE(IPSEC_SA_DETAILS0, 168);
OFF(IPSEC_SA_DETAILS0, traffic, 8);
OFF(IPSEC_SA_DETAILS0, saBundle, 64);
OFF(IPSEC_SA_DETAILS0, udpEncapsulation, 152);
OFF(IPSEC_SA_DETAILS0, transportFilter, 160);

SIZE(IPSEC_SA_DETAILS1, 224);
OFF(IPSEC_SA_DETAILS1, traffic, 8);
OFF(IPSEC_SA_DETAILS1, saBundle, 80);
OFF(IPSEC_SA_DETAILS1, udpEncapsulation, 192);
OFF(IPSEC_SA_DETAILS1, transportFilter, 200);
OFF(IPSEC_SA_DETAILS1, virtualIfTunnelInfo, 208);

SIZE(IPSEC_SA_CONTEXT0, 24);
SIZE(IPSEC_SA_CONTEXT1, 24);
SIZE(IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, 32);

SIZE(IPSEC_SA_CONTEXT_SUBSCRIPTION0, 32);
OFF(IPSEC_SA_CONTEXT_SUBSCRIPTION0, flags, 8);
OFF(IPSEC_SA_CONTEXT_SUBSCRIPTION0, sessionKey, 12);

SIZE(IPSEC_SA_CONTEXT_CHANGE0, 16);
OFF(IPSEC_SA_CONTEXT_CHANGE0, saContextId, 8);

SIZE(IPSEC_TUNNEL_ENDPOINTS0, 36);
SIZE(IPSEC_TUNNEL_ENDPOINTS1, 48);
OFF(IPSEC_TUNNEL_ENDPOINTS1, localIfLuid, 40);

/*
 * Not in the fact-sheet table; derived here from the SDK member lists so
 * that an accidental member change is caught.
 */
SIZE(FWP_VALUE0, 16);
SIZE(FWP_RANGE0, 32);
SIZE(FWP_V6_ADDR_AND_MASK, 17);
SIZE(FWPM_DISPLAY_DATA0, 16);
SIZE(IPSEC_VIRTUAL_IF_TUNNEL_INFO0, 16);
SIZE(IPSEC_SA_TRANSFORM0, 16);
SIZE(IPSEC_SA_ENUM_TEMPLATE0, 4);
SIZE(IPSEC_KEYING_POLICY0, 16);
SIZE(IPSEC_KEYING_POLICY1, 24);
SIZE(IPSEC_TUNNEL_ENDPOINT0, 20);
SIZE(IPSEC_TUNNEL_ENDPOINTS2, 72);
OFF(IPSEC_TUNNEL_ENDPOINTS2, remoteFqdn, 48);
OFF(IPSEC_TUNNEL_ENDPOINTS2, remoteAddresses, 64);
SIZE(IPSEC_AGGREGATE_SA_STATISTICS0, 28);
SIZE(IPSEC_ESP_DROP_PACKET_STATISTICS0, 20);
SIZE(IPSEC_AH_DROP_PACKET_STATISTICS0, 16);
SIZE(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0, 36);
SIZE(IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1, 40);
SIZE(IPSEC_TRAFFIC_STATISTICS0, 48);
SIZE(IPSEC_TRAFFIC_STATISTICS1, 56);
SIZE(IPSEC_STATISTICS0, 200);
OFF(IPSEC_STATISTICS0, inboundTrafficStatistics, 104);
SIZE(IPSEC_STATISTICS1, 216);
OFF(IPSEC_STATISTICS1, inboundTrafficStatistics, 104);
SIZE(SEC_WINNT_AUTH_IDENTITY_W, 48);
#endif /* LP64 */

/*
 * Prototype check. Each function's type must equal the hand-written
 * pointer type below. The assignment sits inside sizeof, so it is
 * type-checked (a mismatch is a constraint violation, an error under
 * -Werror) but never evaluated: no reference to the not-yet-built
 * library is emitted. The static assertion catches the same mismatch
 * without relying on warning flags.
 */
#define PROTO(fn, ptr_type)						\
	do {								\
		__typeof__(ptr_type) p = NULL;				\
		_Static_assert(__builtin_types_compatible_p(		\
				__typeof__(&fn), ptr_type),		\
			       #fn " prototype");			\
		(void)sizeof(p = fn);					\
		(void)p;						\
	} while (0)

static void check_prototypes(void)
{
	PROTO(FwpmEngineOpen0, DWORD (WINAPI *)(const wchar_t *, UINT32,
		SEC_WINNT_AUTH_IDENTITY_W *, const FWPM_SESSION0 *, HANDLE *));
	PROTO(FwpmEngineClose0, DWORD (WINAPI *)(HANDLE));
	PROTO(FwpmFreeMemory0, void (WINAPI *)(void **));
	PROTO(IPsecSaContextCreate0, DWORD (WINAPI *)(HANDLE, const IPSEC_TRAFFIC0 *,
		UINT64 *, UINT64 *));
	PROTO(IPsecSaContextCreate1, DWORD (WINAPI *)(HANDLE, const IPSEC_TRAFFIC1 *,
		const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *, UINT64 *, UINT64 *));
	PROTO(IPsecSaContextGetSpi0, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_GETSPI0 *, IPSEC_SA_SPI *));
	PROTO(IPsecSaContextGetSpi1, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_GETSPI1 *, IPSEC_SA_SPI *));
	PROTO(IPsecSaContextSetSpi0, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_GETSPI1 *, IPSEC_SA_SPI));
	PROTO(IPsecSaContextAddInbound0, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_SA_BUNDLE0 *));
	PROTO(IPsecSaContextAddOutbound0, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_SA_BUNDLE0 *));
	PROTO(IPsecSaContextAddInbound1, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_SA_BUNDLE1 *));
	PROTO(IPsecSaContextAddOutbound1, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_SA_BUNDLE1 *));
	PROTO(IPsecSaContextExpire0, DWORD (WINAPI *)(HANDLE, UINT64));
	PROTO(IPsecSaContextUpdate0, DWORD (WINAPI *)(HANDLE, UINT64,
		const IPSEC_SA_CONTEXT1 *));
	PROTO(IPsecSaContextDeleteById0, DWORD (WINAPI *)(HANDLE, UINT64));
	PROTO(IPsecSaContextGetById0, DWORD (WINAPI *)(HANDLE, UINT64,
		IPSEC_SA_CONTEXT0 **));
	PROTO(IPsecSaContextGetById1, DWORD (WINAPI *)(HANDLE, UINT64,
		IPSEC_SA_CONTEXT1 **));
	PROTO(IPsecSaContextCreateEnumHandle0, DWORD (WINAPI *)(HANDLE,
		const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *, HANDLE *));
	PROTO(IPsecSaContextEnum0, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
		IPSEC_SA_CONTEXT0 ***, UINT32 *));
	PROTO(IPsecSaContextEnum1, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
		IPSEC_SA_CONTEXT1 ***, UINT32 *));
	PROTO(IPsecSaContextDestroyEnumHandle0, DWORD (WINAPI *)(HANDLE, HANDLE));
	PROTO(IPsecSaCreateEnumHandle0, DWORD (WINAPI *)(HANDLE,
		const IPSEC_SA_ENUM_TEMPLATE0 *, HANDLE *));
	PROTO(IPsecSaEnum0, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
		IPSEC_SA_DETAILS0 ***, UINT32 *));
	PROTO(IPsecSaEnum1, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
		IPSEC_SA_DETAILS1 ***, UINT32 *));
	PROTO(IPsecSaDestroyEnumHandle0, DWORD (WINAPI *)(HANDLE, HANDLE));
	PROTO(IPsecSaContextSubscribe0, DWORD (WINAPI *)(HANDLE,
		const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *, IPSEC_SA_CONTEXT_CALLBACK0,
		void *, HANDLE *));
	PROTO(IPsecSaContextUnsubscribe0, DWORD (WINAPI *)(HANDLE, HANDLE));
	PROTO(IPsecSaContextSubscriptionsGet0, DWORD (WINAPI *)(HANDLE,
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***, UINT32 *));
	PROTO(IPsecGetStatistics0, DWORD (WINAPI *)(HANDLE, IPSEC_STATISTICS0 *));
	PROTO(IPsecGetStatistics1, DWORD (WINAPI *)(HANDLE, IPSEC_STATISTICS1 *));
	PROTO(IPsecSaDbGetSecurityInfo0, DWORD (WINAPI *)(HANDLE, SECURITY_INFORMATION,
		PSID *, PSID *, PACL *, PACL *, PSECURITY_DESCRIPTOR *));
	PROTO(IPsecSaDbSetSecurityInfo0, DWORD (WINAPI *)(HANDLE, SECURITY_INFORMATION,
		const SID *, const SID *, const ACL *, const ACL *));
	PROTO(FwpmFilterAdd0, DWORD (WINAPI *)(HANDLE, const FWPM_FILTER0 *,
		PSECURITY_DESCRIPTOR, UINT64 *));
	PROTO(FwpmFilterDeleteById0, DWORD (WINAPI *)(HANDLE, UINT64));
	PROTO(FwpmFilterDeleteByKey0, DWORD (WINAPI *)(HANDLE, const GUID *));
	PROTO(FwpmFilterGetById0, DWORD (WINAPI *)(HANDLE, UINT64,
		FWPM_FILTER0 **));
	PROTO(FwpmFilterGetByKey0, DWORD (WINAPI *)(HANDLE, const GUID *,
		FWPM_FILTER0 **));
	PROTO(FwpmFilterCreateEnumHandle0, DWORD (WINAPI *)(HANDLE,
		const FWPM_FILTER_ENUM_TEMPLATE0 *, HANDLE *));
	PROTO(FwpmFilterEnum0, DWORD (WINAPI *)(HANDLE, HANDLE, UINT32,
		FWPM_FILTER0 ***, UINT32 *));
	PROTO(FwpmFilterDestroyEnumHandle0, DWORD (WINAPI *)(HANDLE, HANDLE));
}

_Static_assert(__builtin_types_compatible_p(IPSEC_SA_CONTEXT_CALLBACK0,
		void (CALLBACK *)(void *, const IPSEC_SA_CONTEXT_CHANGE0 *)),
	       "IPSEC_SA_CONTEXT_CALLBACK0");

/* ---- what typical keying-module code written for Windows looks like ---- */

static void CALLBACK on_change(void *context, const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	UNREFERENCED_PARAMETER(context);
	UNREFERENCED_PARAMETER(change);
}

static int windows_snippet(DWORD result)
{
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getSpi;
	IPSEC_SA_BUNDLE1 bundle;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 keys;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	FWPM_SESSION0 session;
	IPSEC_SA_CONTEXT_CALLBACK0 cb = on_change;
	UINT8 keyBytes[20] = { 0 };
	int rc = 0;

	memset(&session, 0, sizeof(session));
	session.flags = 0;		/* SA contexts need a non-dynamic session */

	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = 0x0a000001;
	traffic.remoteV4Address = 0x0a000002;
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	traffic.ipsecFilterId = 0x1234;

	memset(&getSpi, 0, sizeof(getSpi));
	getSpi.inboundIpsecTraffic = traffic;
	getSpi.ipVersion = FWP_IP_VERSION_V4;
	getSpi.inboundUdpEncapsulation = &encap;

	memset(&keys, 0, sizeof(keys));
	keys.saCipherInformation.cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_128;
	keys.saCipherInformation.cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_GCM_AES_128;
	keys.saCipherInformation.cipherKey.size = sizeof(keyBytes);
	keys.saCipherInformation.cipherKey.data = keyBytes;
	keys.saAuthInformation.authTransform.authTransformId.authType =
		IPSEC_AUTH_AES_128;
	keys.saAuthInformation.authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_GCM_AES_128;
	keys.saAuthInformation.authKey = keys.saCipherInformation.cipherKey;

	memset(&sa, 0, sizeof(sa));
	sa.spi = 0xc0000002;
	sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa.espAuthAndCipherInformation = &keys;

	memset(&bundle, 0, sizeof(bundle));
	bundle.flags = IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND;
	bundle.lifetime.lifetimeSeconds = 3600;
	bundle.numSAs = 1;
	bundle.saList = &sa;
	bundle.ipVersion = FWP_IP_VERSION_V4;
	bundle.peerV4PrivateAddress = 0;
	bundle.pfsGroup = IPSEC_PFS_14;

	if (result == FWP_E_ALREADY_EXISTS)
		rc |= 1;
	if (result != ERROR_SUCCESS)
		rc |= 2;
	if (FAILED(result))
		rc |= 4;

	(void)cb;
	return rc;
}

int main(void)
{
	const char *name;

	check_prototypes();

	if (windows_snippet(ERROR_SUCCESS) != 0 ||
	    windows_snippet(FWP_E_ALREADY_EXISTS) != 7) {
		fprintf(stderr, "windows_snippet: unexpected result\n");
		return 1;
	}

	name = WfpIpsecErrorName(FWP_E_ALREADY_EXISTS);
	if (!name || strcmp(name, "FWP_E_ALREADY_EXISTS") != 0 ||
	    !WfpIpsecErrorName(ERROR_SUCCESS) ||
	    !WfpIpsecErrorText(EPT_S_NOT_REGISTERED) ||
	    WfpIpsecErrorName(0x80320045U) != NULL ||
	    WfpIpsecErrorText(0xdeadbeefU) != NULL) {
		fprintf(stderr, "error table: unexpected lookup result\n");
		return 1;
	}

	printf("ok\n");
	return 0;
}
