// SPDX-License-Identifier: GPL-2.0
/*
 * The traffic an SA context protects, as userspace describes it, is
 * checked here once, before anything is allocated; later code may assume
 * a well-formed struct wfp_ipsec_traffic.
 */

#include <linux/in.h>
#include <linux/string.h>

#include <linux/wfp_ipsec.h>

#include "traffic.h"

static unsigned int wfp_addr_len(u8 ip_version)
{
	return ip_version == WFP_IPSEC_IPV4 ? 4 : 16;
}

/* An address is its first wfp_addr_len() bytes; the rest must be zero. */
static int wfp_addr_validate(u8 ip_version, const u8 *addr)
{
	unsigned int len = wfp_addr_len(ip_version);

	if (len < 16 && memchr_inv(addr + len, 0, 16 - len))
		return -EINVAL;
	/* The unspecified address cannot be an SA endpoint. */
	if (!memchr_inv(addr, 0, len))
		return -EINVAL;
	return 0;
}

static bool wfp_proto_has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_DCCP:
	case IPPROTO_SCTP:
	case IPPROTO_UDPLITE:
		return true;
	default:
		return false;
	}
}

int wfp_traffic_validate(const struct wfp_ipsec_traffic *t)
{
	if (t->reserved0 || t->reserved1)
		return -EINVAL;
	if (t->ip_version != WFP_IPSEC_IPV4 && t->ip_version != WFP_IPSEC_IPV6)
		return -EINVAL;
	if (wfp_addr_validate(t->ip_version, t->local_addr) ||
	    wfp_addr_validate(t->ip_version, t->remote_addr))
		return -EINVAL;

	switch (t->traffic_type) {
	case WFP_IPSEC_TRAFFIC_TRANSPORT:
		/* Protocol 0 leaves it to the transport filter, which may
		 * name one with ports; a named protocol must have them.
		 */
		if ((t->local_port || t->remote_port) && t->ip_protocol &&
		    !wfp_proto_has_ports(t->ip_protocol))
			return -EINVAL;
		return 0;
	case WFP_IPSEC_TRAFFIC_TUNNEL:
		/* A tunnel carries everything between its endpoints. */
		if (t->ip_protocol || t->local_port || t->remote_port)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

int wfp_subnet_validate(const struct wfp_ipsec_subnet *sn)
{
	unsigned int len, bits;

	if (memchr_inv(sn->reserved, 0, sizeof(sn->reserved)))
		return -EINVAL;
	if (!sn->ip_version)
		return sn->prefix_len || memchr_inv(sn->addr, 0, 16) ?
			-EINVAL : 0;
	if (sn->ip_version != WFP_IPSEC_IPV4 && sn->ip_version != WFP_IPSEC_IPV6)
		return -EINVAL;
	len = wfp_addr_len(sn->ip_version);
	bits = sn->prefix_len;
	if (bits > len * 8)
		return -EINVAL;
	/* Host bits set below the prefix are a malformed subnet. */
	if (bits % 8 && (sn->addr[bits / 8] & (0xff >> (bits % 8))))
		return -EINVAL;
	if (memchr_inv(sn->addr + DIV_ROUND_UP(bits, 8), 0,
		       16 - DIV_ROUND_UP(bits, 8)))
		return -EINVAL;
	return 0;
}

bool wfp_subnet_match(const struct wfp_ipsec_subnet *sn, u8 ip_version,
		      const u8 *addr)
{
	unsigned int bits = sn->prefix_len;

	if (!sn->ip_version)
		return true;
	if (sn->ip_version != ip_version)
		return false;
	if (memcmp(sn->addr, addr, bits / 8))
		return false;
	if (bits % 8) {
		u8 mask = 0xff << (8 - bits % 8);

		return !((sn->addr[bits / 8] ^ addr[bits / 8]) & mask);
	}
	return true;
}
