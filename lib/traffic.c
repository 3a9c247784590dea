// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPSEC_TRAFFIC0/1 <-> struct wfp_ipsec_traffic, and enumeration template
 * conditions -> struct wfp_ipsec_subnet.  Windows keeps IPv4 addresses and
 * ports in host order and IPv6 traffic addresses as a byte-reversed
 * 128-bit integer (Documentation/contexts.rst); the module wants network
 * order.  Everything Windows gives a distinct code is checked here.
 */
#include <arpa/inet.h>
#include <string.h>

#include "internal.h"

/*
 * IPSEC_TRAFFIC*.localV6Address[] (and IPSEC_TUNNEL_ENDPOINTS*') and
 * network order are mirror images.
 */
void wfp_v6_mirror(UINT8 *dst, const UINT8 *src)
{
	int i;

	for (i = 0; i < 16; i++)
		dst[i] = src[15 - i];
}

static int addr_is_zero(const UINT8 *a, size_t len)
{
	static const UINT8 zero[16];

	return !memcmp(a, zero, len);
}

static int proto_has_ports(UINT8 proto)
{
	switch (proto) {
	case 6:		/* TCP */
	case 17:	/* UDP */
	case 33:	/* DCCP */
	case 132:	/* SCTP */
	case 136:	/* UDP-Lite */
		return 1;
	default:
		return 0;
	}
}

DWORD wfp_traffic_from_win(const IPSEC_TRAFFIC1 *w, struct wfp_ipsec_traffic *t)
{
	size_t len;

	memset(t, 0, sizeof(*t));
	switch (w->ipVersion) {
	case FWP_IP_VERSION_V4:
		t->ip_version = WFP_IPSEC_IPV4;
		*(UINT32 *)(void *)t->local_addr = htonl(w->localV4Address);
		*(UINT32 *)(void *)t->remote_addr = htonl(w->remoteV4Address);
		len = 4;
		break;
	case FWP_IP_VERSION_V6:
		t->ip_version = WFP_IPSEC_IPV6;
		wfp_v6_mirror(t->local_addr, w->localV6Address);
		wfp_v6_mirror(t->remote_addr, w->remoteV6Address);
		len = 16;
		break;
	default:
		return FWP_E_INVALID_ENUMERATOR;
	}

	switch (w->trafficType) {
	case IPSEC_TRAFFIC_TYPE_TRANSPORT:
		t->traffic_type = WFP_IPSEC_TRAFFIC_TRANSPORT;
		if (addr_is_zero(t->local_addr, len) ||
		    addr_is_zero(t->remote_addr, len))
			return FWP_E_INVALID_PARAMETER;
		if ((w->localPort || w->remotePort) && w->ipProtocol &&
		    !proto_has_ports(w->ipProtocol))
			return FWP_E_INVALID_PARAMETER;
		break;
	case IPSEC_TRAFFIC_TYPE_TUNNEL:
		t->traffic_type = WFP_IPSEC_TRAFFIC_TUNNEL;
		if (addr_is_zero(t->local_addr, len) ||
		    addr_is_zero(t->remote_addr, len))
			return FWP_E_INVALID_TUNNEL_ENDPOINT;
		if (w->localPort || w->remotePort || w->ipProtocol)
			return FWP_E_INVALID_PARAMETER;
		break;
	default:
		return FWP_E_INVALID_ENUMERATOR;
	}

	t->ip_protocol = w->ipProtocol;
	t->local_port = htons(w->localPort);
	t->remote_port = htons(w->remotePort);
	t->filter_id = w->ipsecFilterId;
	t->local_if_luid = w->localIfLuid;
	t->real_if_profile_id = w->realIfProfileId;
	return ERROR_SUCCESS;
}

DWORD wfp_traffic0_from_win(const IPSEC_TRAFFIC0 *w0,
			    struct wfp_ipsec_traffic *t)
{
	IPSEC_TRAFFIC1 w;

	/* IPSEC_TRAFFIC1 is IPSEC_TRAFFIC0 plus fields that may be zero. */
	memset(&w, 0, sizeof(w));
	w.ipVersion = w0->ipVersion;
	memcpy(w.localV6Address, w0->localV6Address, 16);
	memcpy(w.remoteV6Address, w0->remoteV6Address, 16);
	w.trafficType = w0->trafficType;
	w.ipsecFilterId = w0->ipsecFilterId;
	w.remotePort = w0->remotePort;
	return wfp_traffic_from_win(&w, t);
}

void wfp_traffic_to_win(const struct wfp_ipsec_traffic *t, IPSEC_TRAFFIC1 *w)
{
	memset(w, 0, sizeof(*w));
	if (t->ip_version == WFP_IPSEC_IPV4) {
		w->ipVersion = FWP_IP_VERSION_V4;
		w->localV4Address = ntohl(*(const UINT32 *)(const void *)t->local_addr);
		w->remoteV4Address = ntohl(*(const UINT32 *)(const void *)t->remote_addr);
	} else {
		w->ipVersion = FWP_IP_VERSION_V6;
		wfp_v6_mirror(w->localV6Address, t->local_addr);
		wfp_v6_mirror(w->remoteV6Address, t->remote_addr);
	}
	w->trafficType = t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL ?
		IPSEC_TRAFFIC_TYPE_TUNNEL : IPSEC_TRAFFIC_TYPE_TRANSPORT;
	w->ipsecFilterId = t->filter_id;
	w->remotePort = ntohs(t->remote_port);
	w->localPort = ntohs(t->local_port);
	w->ipProtocol = t->ip_protocol;
	w->localIfLuid = t->local_if_luid;
	w->realIfProfileId = t->real_if_profile_id;
}

void wfp_traffic0_to_win(const struct wfp_ipsec_traffic *t, IPSEC_TRAFFIC0 *w0)
{
	IPSEC_TRAFFIC1 w;

	wfp_traffic_to_win(t, &w);
	memset(w0, 0, sizeof(*w0));
	w0->ipVersion = w.ipVersion;
	memcpy(w0->localV6Address, w.localV6Address, 16);
	memcpy(w0->remoteV6Address, w.remoteV6Address, 16);
	w0->trafficType = w.trafficType;
	w0->ipsecFilterId = w.ipsecFilterId;
	w0->remotePort = w.remotePort;
}

/* Clear the bits of addr past its first bits. */
static void mask_host_bits(UINT8 *addr, unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		addr[i] &= (UINT8)(0xff00 >> bits);
		bits = 0;
	}
}

static DWORD v4_prefix_len(UINT32 mask, UINT8 *len)
{
	UINT32 inv = ~mask;

	/* Contiguous: the inverted mask is 2^n - 1. */
	if (inv & (inv + 1))
		return FWP_E_INVALID_NET_MASK;
	*len = (UINT8)(32 - __builtin_popcount(inv));
	return ERROR_SUCCESS;
}

DWORD wfp_subnet_from_win(const FWP_CONDITION_VALUE0 *v,
			  struct wfp_ipsec_subnet *sn)
{
	UINT32 a;
	DWORD rc;

	memset(sn, 0, sizeof(*sn));
	switch (v->type) {
	case FWP_EMPTY:
		return ERROR_SUCCESS;
	case FWP_UINT32:
		sn->ip_version = WFP_IPSEC_IPV4;
		sn->prefix_len = 32;
		a = htonl(v->uint32);
		memcpy(sn->addr, &a, 4);
		return ERROR_SUCCESS;
	case FWP_V4_ADDR_MASK:
		if (!v->v4AddrMask)
			return FWP_E_NULL_POINTER;
		rc = v4_prefix_len(v->v4AddrMask->mask, &sn->prefix_len);
		if (rc)
			return rc;
		sn->ip_version = WFP_IPSEC_IPV4;
		a = htonl(v->v4AddrMask->addr);
		memcpy(sn->addr, &a, 4);
		mask_host_bits(sn->addr, sn->prefix_len);
		return ERROR_SUCCESS;
	case FWP_BYTE_ARRAY16_TYPE:
		if (!v->byteArray16)
			return FWP_E_NULL_POINTER;
		sn->ip_version = WFP_IPSEC_IPV6;
		sn->prefix_len = 128;
		memcpy(sn->addr, v->byteArray16->byteArray16, 16);
		return ERROR_SUCCESS;
	case FWP_V6_ADDR_MASK:
		if (!v->v6AddrMask)
			return FWP_E_NULL_POINTER;
		if (v->v6AddrMask->prefixLength > 128)
			return FWP_E_INVALID_NET_MASK;
		sn->ip_version = WFP_IPSEC_IPV6;
		sn->prefix_len = v->v6AddrMask->prefixLength;
		memcpy(sn->addr, v->v6AddrMask->addr, 16);
		mask_host_bits(sn->addr, sn->prefix_len);
		return ERROR_SUCCESS;
	default:
		if ((unsigned int)v->type < FWP_SINGLE_DATA_TYPE_MAX &&
		    (unsigned int)v->type <= FWP_BYTE_ARRAY6_TYPE)
			return FWP_E_TYPE_MISMATCH;
		if ((unsigned int)v->type > FWP_SINGLE_DATA_TYPE_MAX &&
		    (unsigned int)v->type < FWP_DATA_TYPE_MAX)
			return FWP_E_TYPE_MISMATCH;
		return FWP_E_INVALID_ENUMERATOR;
	}
}
