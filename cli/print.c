// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How SA contexts (context show, context list) and SAs (sa list) are
 * shown: a few lines of text, or with --json one object each.  Keys are
 * never printed.
 */
#include "cli.h"

static const char *context_state(const IPSEC_SA_CONTEXT1 *c)
{
	if (!c->inboundSa)
		return "created";
	if (!c->inboundSa->saBundle.numSAs)
		return "spi-set";
	if (!c->outboundSa || !c->outboundSa->saBundle.numSAs)
		return "inbound-only";
	return "complete";
}

static const char *ip_version_name(FWP_IP_VERSION v)
{
	return v == FWP_IP_VERSION_V4 ? "ipv4" : "ipv6";
}

static const char *mode_name(const IPSEC_TRAFFIC1 *t)
{
	return t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL ? "tunnel" : "transport";
}

/* IP version v, mode and addresses: "ipv4 transport local A remote B". */
static void print_traffic(const IPSEC_TRAFFIC1 *t, FWP_IP_VERSION v)
{
	char local[64], remote[64];

	traffic_addr_str(t->ipVersion, t->localV4Address, t->localV6Address,
			 local, sizeof(local));
	traffic_addr_str(t->ipVersion, t->remoteV4Address, t->remoteV6Address,
			 remote, sizeof(remote));
	if (!g_json) {
		printf("%s %s local %s remote %s", ip_version_name(v),
		       mode_name(t), local, remote);
		return;
	}
	json_string("ip_version", ip_version_name(v));
	json_string("mode", mode_name(t));
	json_string("local", local);
	json_string("remote", remote);
}

/* An SA's SPI, protocol and algorithm; "no SA" (or nulls) for none. */
static void print_sa_id(const IPSEC_SA0 *sa)
{
	const char *proto = NULL;
	char alg[64] = "?";

	if (sa) {
		alg_name_of_sa(sa, alg, sizeof(alg));
		proto = sa->saTransformType == IPSEC_TRANSFORM_AH ? "ah" : "esp";
	}
	if (!g_json) {
		if (sa)
			printf("spi 0x%08x %s %s", (unsigned int)sa->spi, proto, alg);
		else
			printf("no SA");
		return;
	}
	if (sa)
		json_uint("spi", sa->spi);
	else
		json_null("spi");
	json_string("protocol", proto);
	json_string("algorithm", alg);
}

/* The lifetime: a JSON object, or the limits set as text. */
static void print_lifetime(const IPSEC_SA_LIFETIME0 *l)
{
	if (g_json) {
		json_begin_object("lifetime");
		json_uint("seconds", l->lifetimeSeconds);
		json_uint("kilobytes", l->lifetimeKilobytes);
		json_uint("packets", l->lifetimePackets);
		json_end();
		return;
	}
	if (l->lifetimeSeconds)
		printf(" lifetime-seconds %u", (unsigned int)l->lifetimeSeconds);
	if (l->lifetimeKilobytes)
		printf(" lifetime-kilobytes %u", (unsigned int)l->lifetimeKilobytes);
	if (l->lifetimePackets)
		printf(" lifetime-packets %u", (unsigned int)l->lifetimePackets);
}

static void json_udp_encap(const IPSEC_V4_UDP_ENCAPSULATION0 *e)
{
	if (!e) {
		json_null("udp_encap");
		return;
	}
	json_begin_object("udp_encap");
	json_uint("local_port", e->localUdpEncapPort);
	json_uint("remote_port", e->remoteUdpEncapPort);
	json_end();
}

static void json_virtual_if(const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *v)
{
	json_begin_object("virtual_if");
	json_uint("tunnel_id", v->virtualIfTunnelId);
	json_uint("selector_id", v->trafficSelectorId);
	json_end();
}

/* ------------------------------------------------------------ contexts */

/* The peer's private address behind a NAT, or false when there is none. */
static bool peer_private(const IPSEC_SA_BUNDLE1 *b, char *buf, size_t len)
{
	if (b->ipVersion != FWP_IP_VERSION_V4 || !b->peerV4PrivateAddress)
		return false;
	traffic_addr_str(FWP_IP_VERSION_V4, b->peerV4PrivateAddress, NULL,
			 buf, len);
	return true;
}

static void print_sa_json(const char *key, const IPSEC_SA_DETAILS1 *d)
{
	const IPSEC_SA_BUNDLE1 *b;
	char addr[64];

	if (!d || !d->saBundle.numSAs || !d->saBundle.saList) {
		json_null(key);
		return;
	}
	b = &d->saBundle;
	json_begin_object(key);
	print_sa_id(&b->saList[0]);
	print_lifetime(&b->lifetime);
	json_uint("flags", b->flags);
	json_uint("qm_sa_id", b->qmSaId);
	json_uint("mm_sa_id", b->mmSaId);
	json_uint("pfs_group", b->pfsGroup);
	json_uint("idle_timeout_seconds", b->idleTimeoutSeconds);
	if (peer_private(b, addr, sizeof(addr)))
		json_string("peer_v4_private_address", addr);
	else
		json_null("peer_v4_private_address");
	json_end();
}

static void print_context_json(const IPSEC_SA_CONTEXT1 *c)
{
	const IPSEC_SA_DETAILS1 *out = c->outboundSa;
	const IPSEC_TRAFFIC1 *t = &out->traffic;
	bool tunnel = t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL;

	json_begin_object(NULL);
	json_uint("id", c->saContextId);
	json_string("state", context_state(c));
	print_traffic(t, t->ipVersion);
	json_uint("protocol", t->ipProtocol);
	json_uint("local_port", t->localPort);
	json_uint("remote_port", t->remotePort);
	json_uint(tunnel ? "tunnel_policy_id" : "filter_id", t->ipsecFilterId);
	json_uint("if_luid", t->localIfLuid);
	json_uint("if_profile_id", t->realIfProfileId);
	json_virtual_if(&out->virtualIfTunnelInfo);
	json_udp_encap(c->inboundSa ? c->inboundSa->udpEncapsulation : NULL);
	json_bool("inbound_spi_reserved", c->inboundSa != NULL);
	print_sa_json("inbound_sa", c->inboundSa);
	print_sa_json("outbound_sa", out);
	json_end();
}

static void print_sa_text(const char *dir, const IPSEC_SA_DETAILS1 *d,
			  bool reserved)
{
	const IPSEC_SA_BUNDLE1 *b;
	char addr[64];

	printf("\t%-8s ", dir);
	if (!d || !d->saBundle.numSAs || !d->saBundle.saList) {
		puts(reserved ? "spi reserved, no SA" : "no SA");
		return;
	}
	b = &d->saBundle;
	print_sa_id(&b->saList[0]);
	print_lifetime(&b->lifetime);
	if (b->flags)
		printf(" flags 0x%x", (unsigned int)b->flags);
	if (b->qmSaId)
		printf(" qm-sa-id %u", (unsigned int)b->qmSaId);
	if (peer_private(b, addr, sizeof(addr)))
		printf(" peer-private-address %s", addr);
	putchar('\n');
}

/* "proto P local-port N remote-port N", each when set. */
static void print_ports_text(const IPSEC_TRAFFIC1 *t)
{
	const char *proto = protocol_name(t->ipProtocol);

	if (t->ipProtocol) {
		if (proto)
			printf(" proto %s", proto);
		else
			printf(" proto %u", t->ipProtocol);
	}
	if (t->localPort)
		printf(" local-port %u", t->localPort);
	if (t->remotePort)
		printf(" remote-port %u", t->remotePort);
}

/* The filter or policy id, interface and virtual interface, when set. */
static void print_ids_text(const IPSEC_SA_DETAILS1 *out)
{
	const IPSEC_TRAFFIC1 *t = &out->traffic;
	const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif = &out->virtualIfTunnelInfo;
	bool tunnel = t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL;

	if (!t->ipsecFilterId && !t->localIfLuid && !t->realIfProfileId &&
	    !vif->virtualIfTunnelId && !vif->trafficSelectorId)
		return;
	printf("\t%s %llu if-luid %llu if-profile-id %u vif-tunnel-id %llu vif-selector-id %llu\n",
	       tunnel ? "tunnel-policy-id" : "filter-id",
	       (unsigned long long)t->ipsecFilterId,
	       (unsigned long long)t->localIfLuid,
	       (unsigned int)t->realIfProfileId,
	       (unsigned long long)vif->virtualIfTunnelId,
	       (unsigned long long)vif->trafficSelectorId);
}

static void print_context_text(const IPSEC_SA_CONTEXT1 *c)
{
	const IPSEC_SA_DETAILS1 *out = c->outboundSa;
	const IPSEC_V4_UDP_ENCAPSULATION0 *encap =
		c->inboundSa ? c->inboundSa->udpEncapsulation : NULL;

	printf("context %llu %s\n\t", (unsigned long long)c->saContextId,
	       context_state(c));
	print_traffic(&out->traffic, out->traffic.ipVersion);
	print_ports_text(&out->traffic);
	putchar('\n');
	print_ids_text(out);
	if (encap)
		printf("\tudp-encap local-port %u remote-port %u\n",
		       encap->localUdpEncapPort, encap->remoteUdpEncapPort);
	print_sa_text("inbound", c->inboundSa, c->inboundSa != NULL);
	print_sa_text("outbound", out, false);
}

void print_context(const IPSEC_SA_CONTEXT1 *c)
{
	if (g_json)
		print_context_json(c);
	else
		print_context_text(c);
}

/* ------------------------------------------------------------ SAs */

static void print_sa_details_json(const IPSEC_SA_DETAILS1 *d,
				  const IPSEC_SA0 *sa)
{
	const IPSEC_SA_BUNDLE1 *b = &d->saBundle;
	const IPSEC_TRAFFIC1 *t = &d->traffic;

	json_begin_object(NULL);
	json_string("direction", d->saDirection == FWP_DIRECTION_INBOUND ?
		    "inbound" : "outbound");
	print_sa_id(sa);
	print_traffic(t, d->ipVersion);
	json_uint("protocol_number", t->ipProtocol);
	json_uint("local_port", t->localPort);
	json_uint("remote_port", t->remotePort);
	print_lifetime(&b->lifetime);
	json_uint("flags", b->flags);
	json_uint("qm_sa_id", b->qmSaId);
	json_uint("mm_sa_id", b->mmSaId);
	json_udp_encap(d->udpEncapsulation);
	json_virtual_if(&d->virtualIfTunnelInfo);
	json_end();
}

static void print_sa_details_text(const IPSEC_SA_DETAILS1 *d,
				  const IPSEC_SA0 *sa)
{
	const IPSEC_V4_UDP_ENCAPSULATION0 *e = d->udpEncapsulation;

	printf("%-8s ", d->saDirection == FWP_DIRECTION_INBOUND ?
	       "inbound" : "outbound");
	print_sa_id(sa);
	putchar(' ');
	print_traffic(&d->traffic, d->ipVersion);
	if (e)
		printf(" udp-encap %u:%u", e->localUdpEncapPort,
		       e->remoteUdpEncapPort);
	print_lifetime(&d->saBundle.lifetime);
	putchar('\n');
}

void print_sa_details(const IPSEC_SA_DETAILS1 *d)
{
	const IPSEC_SA_BUNDLE1 *b = &d->saBundle;
	const IPSEC_SA0 *sa = b->numSAs && b->saList ? &b->saList[0] : NULL;

	if (g_json)
		print_sa_details_json(d, sa);
	else
		print_sa_details_text(d, sa);
}
