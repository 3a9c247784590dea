// SPDX-License-Identifier: MIT
/*
 * windows_filter_compat.c - the policy half of a keying module, written
 * against the Windows SDK only: a provider, a QM tunnel provider context
 * (IPSEC_TUNNEL_POLICY0 with a proposal and its endpoints), a sublayer
 * and a tunnel callout filter with address, port-range, protocol and
 * IPv6 conditions, built from Winsock addresses and the FWPM_* GUIDs.
 * Nothing here is Linux-specific; it checks that such a file compiles
 * warning-free and links against libwfpipsec (or its alias -lfwpuclnt),
 * static or shared, together with windows_filter_own.c (GUIDs defined
 * by the module itself) and optionally windows_filter_initguid.c
 * (INITGUID), and that the GUIDs the program ends up with are the SDK's.
 * The Fwpm* filter calls themselves come with their kernel side; the
 * engine is only opened, which a host without the module refuses.
 * Host-only (make host-check, scripts/windows-link-check); TAP output.
 */
#include <windows.h>
#include <fwpmu.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include <stdio.h>
#include <string.h>

#include "windows_filter_compat.h"

static int testNumber;
static int failed;

static void Check(BOOL ok, const char *what)
{
	testNumber++;
	if (!ok)
		failed++;
	printf("%sok %d %s\n", ok ? "" : "not ", testNumber, what);
}

/* The registry form of a GUID, e.g. 5926dfc8-e3cf-4426-a283-dc393f5d0f9d. */
static BOOL GuidIs(const GUID *guid, const char *text)
{
	char buf[40];

	snprintf(buf, sizeof(buf),
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned int)guid->Data1, guid->Data2, guid->Data3,
		 guid->Data4[0], guid->Data4[1], guid->Data4[2],
		 guid->Data4[3], guid->Data4[4], guid->Data4[5],
		 guid->Data4[6], guid->Data4[7]);
	return strcmp(buf, text) == 0;
}

static void BuildProvider(FWPM_PROVIDER0 *provider)
{
	memset(provider, 0, sizeof(*provider));
	provider->providerKey = WFC_PROVIDER_KEY;
	provider->displayData.name = (wchar_t *)L"wfc keying module";
	provider->flags = FWPM_PROVIDER_FLAG_PERSISTENT;
}

/* One ESP proposal, AES-GCM-128, tunnel 192.0.2.1 <-> 198.51.100.1. */
static void BuildTunnelContext(FWPM_PROVIDER_CONTEXT0 *context,
			       IPSEC_TUNNEL_POLICY0 *policy,
			       IPSEC_PROPOSAL0 *proposal,
			       IPSEC_SA_TRANSFORM0 *transform,
			       IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *gcm)
{
	SOCKADDR_IN local, remote;

	memset(gcm, 0, sizeof(*gcm));
	gcm->authTransform.authTransformId = IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	gcm->cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	memset(transform, 0, sizeof(*transform));
	transform->ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	transform->espAuthAndCipherTransform = gcm;

	memset(proposal, 0, sizeof(*proposal));
	proposal->lifetime.lifetimeSeconds = 3600;
	proposal->lifetime.lifetimeKilobytes = 0xFFFFFFFF;
	proposal->lifetime.lifetimePackets = 0xFFFFFFFF;
	proposal->numSaTransforms = 1;
	proposal->saTransforms = transform;
	proposal->pfsGroup = IPSEC_PFS_NONE;

	memset(&local, 0, sizeof(local));
	memset(&remote, 0, sizeof(remote));
	inet_pton(AF_INET, "192.0.2.1", &local.sin_addr);
	inet_pton(AF_INET, "198.51.100.1", &remote.sin_addr);

	memset(policy, 0, sizeof(*policy));
	policy->flags = IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT;
	policy->numIpsecProposals = 1;
	policy->ipsecProposals = proposal;
	policy->tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	policy->tunnelEndpoints.localV4Address = ntohl(local.sin_addr.s_addr);
	policy->tunnelEndpoints.remoteV4Address = ntohl(remote.sin_addr.s_addr);
	policy->saIdleTimeout.idleTimeoutSeconds = 300;
	policy->saIdleTimeout.idleTimeoutSecondsFailOver = 60;

	memset(context, 0, sizeof(*context));
	context->providerContextKey = WFC_TUNNEL_CONTEXT_KEY;
	context->displayData.name = (wchar_t *)L"wfc tunnel policy";
	context->providerKey = (GUID *)&WFC_PROVIDER_KEY;
	context->type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	context->ikeQmTunnelPolicy = policy;
}

static void BuildSubLayer(FWPM_SUBLAYER0 *subLayer)
{
	memset(subLayer, 0, sizeof(*subLayer));
	subLayer->subLayerKey = GUID_NULL;	/* the engine picks one */
	subLayer->displayData.name = (wchar_t *)L"wfc sublayer";
	subLayer->providerKey = (GUID *)&WFC_PROVIDER_KEY;
	subLayer->weight = 0x100;
}

struct FilterStorage {
	FWPM_FILTER_CONDITION0 conditions[5];
	FWP_V4_ADDR_AND_MASK localSubnet;
	FWP_RANGE0 remotePorts;
	FWP_BYTE_ARRAY16 remoteV6;
	FWP_V6_ADDR_AND_MASK localV6Subnet;
};

/*
 * Tunnel callout filter: 10.1.0.0/16, remote ports 1024-65535, UDP.  The
 * IPv6 conditions are network order: a plain copy of in6_addr.
 */
static void BuildFilter(FWPM_FILTER0 *filter, struct FilterStorage *s)
{
	FWPM_FILTER_CONDITION0 *c = s->conditions;
	SOCKADDR_IN6 remote6, local6;

	memset(s, 0, sizeof(*s));
	memset(&remote6, 0, sizeof(remote6));
	memset(&local6, 0, sizeof(local6));
	remote6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::2", &remote6.sin6_addr);
	inet_pton(AF_INET6, "2001:db8:1::", &local6.sin6_addr);

	s->localSubnet.addr = 0x0a010000;
	s->localSubnet.mask = 0xffff0000;
	c[0].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[0].matchType = FWP_MATCH_EQUAL;
	c[0].conditionValue.type = FWP_V4_ADDR_MASK;
	c[0].conditionValue.v4AddrMask = &s->localSubnet;

	s->remotePorts.valueLow.type = FWP_UINT16;
	s->remotePorts.valueLow.uint16 = 1024;
	s->remotePorts.valueHigh.type = FWP_UINT16;
	s->remotePorts.valueHigh.uint16 = 65535;
	c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	c[1].matchType = FWP_MATCH_RANGE;
	c[1].conditionValue.type = FWP_RANGE_TYPE;
	c[1].conditionValue.rangeValue = &s->remotePorts;

	c[2].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c[2].matchType = FWP_MATCH_EQUAL;
	c[2].conditionValue.type = FWP_UINT8;
	c[2].conditionValue.uint8 = IPPROTO_UDP;

	memcpy(s->remoteV6.byteArray16, remote6.sin6_addr.s6_addr, 16);
	c[3].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[3].matchType = FWP_MATCH_EQUAL;
	c[3].conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c[3].conditionValue.byteArray16 = &s->remoteV6;

	memcpy(s->localV6Subnet.addr, local6.sin6_addr.s6_addr, 16);
	s->localV6Subnet.prefixLength = 48;
	c[4].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[4].matchType = FWP_MATCH_EQUAL;
	c[4].conditionValue.type = FWP_V6_ADDR_MASK;
	c[4].conditionValue.v6AddrMask = &s->localV6Subnet;

	memset(filter, 0, sizeof(*filter));
	filter->displayData.name = (wchar_t *)L"wfc outbound tunnel";
	filter->flags = FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
	filter->providerKey = (GUID *)&WFC_PROVIDER_KEY;
	filter->layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	filter->subLayerKey = FWPM_SUBLAYER_IPSEC_TUNNEL;
	filter->weight.type = FWP_UINT8;
	filter->weight.uint8 = FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS;
	filter->numFilterConditions = 3;	/* the IPv4 ones */
	filter->filterCondition = c;
	filter->action.type = FWP_ACTION_CALLOUT_TERMINATING;
	filter->action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4;
	filter->providerContextKey = WFC_TUNNEL_CONTEXT_KEY;
}

static void CheckGuids(void)
{
	Check(GuidIs(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		     "09e61aea-d214-46e2-9b21-b26b0b2f28c8") &&
	      GuidIs(&FWPM_CONDITION_IP_PROTOCOL,
		     "3971ef2b-623e-4f9a-8cb1-6e79b806b9a7"),
	      "GUIDs the module defines itself have the SDK values");
	Check(GuidIs(&FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4,
		     "70a4196c-835b-4fb0-98e8-075f4d977d46") &&
	      GuidIs(&FWPM_SUBLAYER_IPSEC_TUNNEL,
		     "83f299ed-9ff4-4967-aff4-c309f4dab827") &&
	      GuidIs(&FWPM_CONDITION_IP_REMOTE_PORT,
		     "c35a604d-d22b-4e1a-91b4-68f674ee674b") &&
	      GuidIs(&FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6,
		     "a3b42c97-9f04-4672-b87e-cee9c483257f"),
	      "the other FWPM_* GUIDs have the SDK values");
	Check(GuidIs(&GUID_NULL, "00000000-0000-0000-0000-000000000000") &&
	      GuidIs(&WFC_PROVIDER_KEY,
		     "5f0a1c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b"),
	      "GUID_NULL and the module's own GUIDs");
}

static void CheckFilter(const FWPM_FILTER0 *filter,
			const FWPM_PROVIDER_CONTEXT0 *context)
{
	const FWPM_FILTER_CONDITION0 *c = filter->filterCondition;
	const IPSEC_TUNNEL_POLICY0 *policy = context->ikeQmTunnelPolicy;

	Check(IsEqualGUID(&filter->providerContextKey,
			  &context->providerContextKey) &&
	      (filter->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT) &&
	      IsEqualGUID(&filter->action.calloutKey,
			  &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4),
	      "the filter names its provider context and callout");
	Check(IsEqualGUID(&c[1].fieldKey, &FWPM_CONDITION_IP_REMOTE_PORT) &&
	      c[1].conditionValue.rangeValue->valueHigh.uint16 == 65535 &&
	      c[2].conditionValue.uint8 == 17 &&
	      c[3].conditionValue.byteArray16->byteArray16[0] == 0x20 &&
	      c[3].conditionValue.byteArray16->byteArray16[15] == 2 &&
	      c[4].conditionValue.v6AddrMask->addr[5] == 1,
	      "conditions: port range, protocol, IPv6 in network order");
	Check(policy->tunnelEndpoints.localV4Address == 0xC0000201 &&
	      policy->tunnelEndpoints.remoteV4Address == 0xC6336401 &&
	      policy->ipsecProposals[0].saTransforms[0]
		      .espAuthAndCipherTransform->cipherTransform
		      .cipherTransformId.cipherConfig ==
	      IPSEC_CIPHER_CONFIG_GCM_AES_128,
	      "tunnel policy: host-order endpoints, GCM proposal");
}

/* The names Winsock code uses, on POSIX sockets. */
static void CheckWinsock(void)
{
	SOCKADDR_STORAGE storage;
	SOCKET s;

	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (s == INVALID_SOCKET) {
		Check(WSAGetLastError() != 0, "socket() fails with an error");
	} else {
		memset(&storage, 0, sizeof(storage));
		((SOCKADDR_IN6 *)&storage)->sin6_family = AF_INET6;
		Check(bind(s, (SOCKADDR *)&storage, sizeof(SOCKADDR_IN6)) !=
		      SOCKET_ERROR && closesocket(s) == 0,
		      "SOCKET, SOCKADDR_IN6, bind, closesocket");
	}
	s = socket(-1, SOCK_DGRAM, 0);
	Check(s == INVALID_SOCKET && WSAGetLastError() != 0,
	      "INVALID_SOCKET and WSAGetLastError");
}

int main(void)
{
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 gcm;
	IPSEC_SA_TRANSFORM0 transform;
	IPSEC_PROPOSAL0 proposal;
	IPSEC_TUNNEL_POLICY0 policy;
	FWPM_PROVIDER_CONTEXT0 context;
	FWPM_PROVIDER0 provider;
	FWPM_SUBLAYER0 subLayer;
	FWPM_FILTER0 filter;
	FWPM_FILTER_ENUM_TEMPLATE0 enumTemplate;
	struct FilterStorage storage;
	FWPM_SESSION0 session;
	HANDLE engine = NULL;
	DWORD result;

	printf("TAP version 13\n1..9\n");

	BuildProvider(&provider);
	BuildTunnelContext(&context, &policy, &proposal, &transform, &gcm);
	BuildSubLayer(&subLayer);
	BuildFilter(&filter, &storage);

	memset(&enumTemplate, 0, sizeof(enumTemplate));
	enumTemplate.providerKey = &provider.providerKey;
	enumTemplate.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	enumTemplate.enumType = FWP_FILTER_ENUM_OVERLAPPING;
	enumTemplate.flags = FWP_FILTER_ENUM_FLAG_SORTED;
	enumTemplate.actionMask = 0xFFFFFFFF;

	CheckGuids();
	CheckFilter(&filter, &context);
	CheckWinsock();

	/* A function of the library, through the same link. */
	memset(&session, 0, sizeof(session));
	result = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session,
				 &engine);
	Check(result == ERROR_SUCCESS || result == EPT_S_NOT_REGISTERED ||
	      result == ERROR_ACCESS_DENIED, "FwpmEngineOpen0 links and runs");
	if (result == ERROR_SUCCESS)
		FwpmEngineClose0(engine);

	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       testNumber - failed, failed);
	return failed ? 1 : 0;
}
