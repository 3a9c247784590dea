// SPDX-License-Identifier: GPL-2.0
/*
 * SA contexts (Documentation/contexts.rst): IPsecSaContextCreate0/1,
 * GetById0/1, DeleteById0 and the enumeration calls of libwfpipsec, and
 * the CTX_* ioctls underneath them: what a context records, every
 * validation code, ids, namespaces, rights, the per-namespace limit,
 * concurrent walks and cleanup when a namespace dies.
 *
 * Contexts outlive their sessions, so tests delete what they create and
 * compare context counts before and after rather than absolute numbers;
 * the tests that need exact numbers run in a network namespace of their
 * own (each test already runs in its own child process).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_ctx.h"

/* ------------------------------------------------------------ addresses */

/* IPv4 addresses in IPSEC_TRAFFIC* are host-order UINT32s. */
#define LOCAL_V4	V4(10, 0, 0, 1)
#define PEERS_V4	V4(10, 1, 0, 0)		/* 10.1.0.0/16 */

/* IPv6 addresses below are in network byte order. */
static const UINT8 v6_local[16] = {		/* 2001:db8::1 */
	0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const UINT8 v6_peers[16] = {		/* 2001:db8:1::/64 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01 };
static const UINT8 a6_peer1[16] = {		/* 2001:db8:1::1 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, [15] = 0x01 };

/*
 * 2001:db8::1 as IPSEC_TRAFFIC1.localV6Address holds it: a host-order
 * 128-bit integer, the network-order bytes reversed (contexts.rst, "IPv6
 * byte order").
 */
static const UINT8 v6_local_win[16] = {
	0x01, [12] = 0xb8, 0x0d, 0x01, 0x20 };

/* ------------------------------------------------------------ traffic */

#define PORT_LOCAL	49152
#define PORT_REMOTE	443
#define FILTER_ID	0x1234ULL
#define TUNNEL_POLICY	0x5678ULL
#define IF_LUID		0x0006000000000011ULL
#define IF_PROFILE	7
#define SENTINEL	0x5a5a5a5a5a5a5a5aULL

static const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif_info = {
	.virtualIfTunnelId = 0x1122334455667788ULL,
	.trafficSelectorId = 0x99aabbccULL,
};

/* Transport: TCP 49152 -> 443 under filter 0x1234; tunnel: policy 0x5678. */
static void set_selectors(IPSEC_TRAFFIC1 *t, bool tunnel)
{
	if (tunnel) {
		t->trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
		t->tunnelPolicyId = TUNNEL_POLICY;
	} else {
		t->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
		t->ipsecFilterId = FILTER_ID;
		t->ipProtocol = IPPROTO_TCP;
		t->localPort = PORT_LOCAL;
		t->remotePort = PORT_REMOTE;
	}
	t->localIfLuid = IF_LUID;
	t->realIfProfileId = IF_PROFILE;
}

/* An IPv4 traffic with set_selectors()'s selectors. */
static IPSEC_TRAFFIC1 traffic4(UINT32 local, UINT32 remote, bool tunnel)
{
	IPSEC_TRAFFIC1 t;

	traffic_v4(&t, tunnel, local, remote);
	set_selectors(&t, tunnel);
	return t;
}

/* Addresses given in network order, stored the Windows way. */
static IPSEC_TRAFFIC1 traffic6(const UINT8 *local, const UINT8 *remote,
				 bool tunnel)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V6;
	wfp_reverse16(t.localV6Address, local);
	wfp_reverse16(t.remoteV6Address, remote);
	set_selectors(&t, tunnel);
	return t;
}

/* Traffic to the n-th peer (n < 65534) of 10.1.0.0/16 or 2001:db8:1::/64. */
static IPSEC_TRAFFIC1 peer_traffic(bool v6, bool tunnel, UINT32 n)
{
	UINT32 host = htonl(n + 1);
	UINT8 remote[16];

	if (!v6)
		return traffic4(LOCAL_V4, PEERS_V4 + n + 1, tunnel);
	memcpy(remote, v6_peers, 12);
	memcpy(remote + 12, &host, 4);
	return traffic6(v6_local, remote, tunnel);
}

/*
 * The module's form of traffic: 10.0.0.1 -> 10.1.0.99 (raw_to_v6():
 * 2001:db8::1 -> 2001:db8:1::63), TCP 49152 -> 443 under filter 0x1234.
 */
static void raw_traffic_v4(struct wfp_ipsec_traffic *t)
{
	static const __u8 local[4] = { 10, 0, 0, 1 };
	static const __u8 remote[4] = { 10, 1, 0, 99 };

	memset(t, 0, sizeof(*t));
	t->ip_version = WFP_IPSEC_IPV4;
	t->traffic_type = WFP_IPSEC_TRAFFIC_TRANSPORT;
	t->ip_protocol = IPPROTO_TCP;
	t->local_port = htons(PORT_LOCAL);
	t->remote_port = htons(PORT_REMOTE);
	memcpy(t->local_addr, local, 4);
	memcpy(t->remote_addr, remote, 4);
	t->filter_id = FILTER_ID;
	t->local_if_luid = IF_LUID;
	t->real_if_profile_id = IF_PROFILE;
}

static void raw_to_v6(struct wfp_ipsec_traffic *t)
{
	t->ip_version = WFP_IPSEC_IPV6;
	memcpy(t->local_addr, v6_local, 16);
	memcpy(t->remote_addr, v6_peers, 16);
	t->remote_addr[15] = 0x63;
}

/* traffic_type without protocol or ports, which a tunnel must not have. */
static void raw_portless(struct wfp_ipsec_traffic *t, __u8 traffic_type)
{
	t->traffic_type = traffic_type;
	t->ip_protocol = 0;
	t->local_port = 0;
	t->remote_port = 0;
}

/* A condition value of type (FWP_UINT32...), its member set to value. */
#define CV(type_, member, value) \
	((FWP_CONDITION_VALUE0){ .type = (type_), .member = (value) })
#define CV_ANY		((FWP_CONDITION_VALUE0){ .type = FWP_EMPTY })

/* ------------------------------------------------------------ checks */

/*
 * What CONTEXT0 and CONTEXT1 (two types) share of a just-created
 * context: no inbound SA, an outbound one (d) with an empty bundle
 * until AddOutbound.
 */
#define EXPECT_NEW_CONTEXT(c, id, t, d) do {				\
		ASSERT_NE(c, NULL);					\
		EXPECT_EQ(c->saContextId, id);				\
		EXPECT_EQ(c->inboundSa, NULL);				\
		ASSERT_NE(c->outboundSa, NULL);				\
		d = c->outboundSa;					\
		EXPECT_EQ(d->ipVersion, t->ipVersion);			\
		EXPECT_EQ(d->saDirection, FWP_DIRECTION_OUTBOUND);	\
		EXPECT_EQ(d->saBundle.numSAs, 0);			\
		EXPECT_EQ(d->saBundle.saList, NULL);			\
	} while (0)

/* A just-created context as GetById1 / Enum1 must describe it. */
static void expect_context1(struct __test_metadata *_metadata,
			    const IPSEC_SA_CONTEXT1 *c, UINT64 id,
			    const IPSEC_TRAFFIC1 *t,
			    const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif)
{
	const IPSEC_SA_DETAILS1 *d;

	EXPECT_NEW_CONTEXT(c, id, t, d);
	expect_traffic1(_metadata, &d->traffic, t);
	EXPECT_EQ(d->virtualIfTunnelInfo.virtualIfTunnelId,
		  vif ? vif->virtualIfTunnelId : 0);
	EXPECT_EQ(d->virtualIfTunnelInfo.trafficSelectorId,
		  vif ? vif->trafficSelectorId : 0);
}

static void expect_context0(struct __test_metadata *_metadata,
			    const IPSEC_SA_CONTEXT0 *c, UINT64 id,
			    const IPSEC_TRAFFIC1 *t)
{
	const IPSEC_SA_DETAILS0 *d;

	EXPECT_NEW_CONTEXT(c, id, t, d);
	expect_traffic0(_metadata, &d->traffic, t);
}

/* GetById1 finds id; given t, as expect_context1() has it. */
static void expect_get1(struct __test_metadata *_metadata, HANDLE h,
			UINT64 id, const IPSEC_TRAFFIC1 *t,
			const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif)
{
	IPSEC_SA_CONTEXT1 *c = NULL;

	ASSERT_EQ(IPsecSaContextGetById1(h, id, &c), ERROR_SUCCESS);
	if (t)
		expect_context1(_metadata, c, id, t, vif);
	FwpmFreeMemory0((void **)&c);
}

/*
 * The end of an enumeration that found context id seen times (once is
 * right): its page e (when not NULL) freed, its handle destroyed, the
 * context deleted.
 */
static void expect_enum_done(struct __test_metadata *_metadata, HANDLE h,
			     HANDLE eh, void **e, UINT64 id, long seen)
{
	EXPECT_EQ(seen, 1);
	if (e) {
		FwpmFreeMemory0(e);
		EXPECT_EQ(*e, NULL);
	}
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(h, eh), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
}

/* h has no enumeration eh: Enum1 and DestroyEnumHandle0 refuse it. */
static void expect_enum_refused(struct __test_metadata *_metadata, HANDLE h,
				HANDLE eh)
{
	IPSEC_SA_CONTEXT1 **e = NULL;
	UINT32 n = 0;

	EXPECT_EQ(IPsecSaContextEnum1(h, eh, 4, &e, &n), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(h, eh),
		  ERROR_INVALID_HANDLE);
}

/* ------------------------------------------------------------ sessions */

static int engine_fd(struct __test_metadata *_metadata, HANDLE h)
{
	int fd = -1;

	ASSERT_EQ(WfpIpsecEngineGetFd(h, &fd), ERROR_SUCCESS);
	ASSERT_GE(fd, 0);
	return fd;
}

static UINT64 create1(struct __test_metadata *_metadata, HANDLE h,
		      const IPSEC_TRAFFIC1 *t)
{
	UINT64 id = 0, filter = SENTINEL;

	ASSERT_EQ(IPsecSaContextCreate1(h, t, NULL, &filter, &id),
		  ERROR_SUCCESS);
	ASSERT_NE(id, 0);
	EXPECT_EQ(filter, 0);
	return id;
}

/* A new enumeration of h's contexts that tmpl (NULL: all) selects. */
static HANDLE enum_open(struct __test_metadata *_metadata, HANDLE h,
			const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl)
{
	HANDLE eh = NULL;

	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(h, tmpl, &eh),
		  ERROR_SUCCESS);
	return eh;
}

/* ------------------------------------------------------------ walks */

/* Which rule of contexts.rst a library enumeration broke. */
enum {
	WALK_E_CREATE = -1,	/* CreateEnumHandle0 failed */
	WALK_E_ENUM = -2,	/* Enum1 failed */
	WALK_E_PAGE = -3,	/* more entries than requested */
	WALK_E_EMPTY = -4,	/* 0 entries but *entries not NULL */
	WALK_E_ENTRY = -5,	/* NULL entry, inboundSa, no outboundSa... */
	WALK_E_ORDER = -6,	/* ids not strictly increasing: a duplicate */
	WALK_E_FREE = -7,	/* FwpmFreeMemory0 left the pointer set */
	WALK_E_DESTROY = -8,	/* DestroyEnumHandle0 failed */
};

struct walk_info {
	long calls;		/* Enum1 calls made */
	UINT32 last_page;	/* entries the last one returned */
};

/*
 * Walks a whole enumeration with IPsecSaContextEnum1, page entries at a
 * time, storing up to max ids.  Returns the number of contexts returned,
 * or a WALK_E_* code.  Asserts nothing, so threads and children use it.
 */
static long walk(HANDLE h, const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
		 UINT32 page, UINT64 *ids, long max, struct walk_info *wi)
{
	IPSEC_SA_CONTEXT1 **e;
	HANDLE eh = NULL;
	UINT64 last = 0;
	long total = 0, calls = 0, ret = 0;
	UINT32 n = 0, i;

	if (IPsecSaContextCreateEnumHandle0(h, tmpl, &eh))
		return WALK_E_CREATE;
	do {
		e = NULL;
		n = ~0U;
		if (IPsecSaContextEnum1(h, eh, page, &e, &n)) {
			ret = WALK_E_ENUM;
			break;
		}
		calls++;
		if (n > page)
			ret = WALK_E_PAGE;
		else if (!n && e)
			ret = WALK_E_EMPTY;
		for (i = 0; i < n && !ret; i++) {
			if (!e || !e[i] || e[i]->inboundSa || !e[i]->outboundSa ||
			    e[i]->outboundSa->saDirection !=
			    FWP_DIRECTION_OUTBOUND) {
				ret = WALK_E_ENTRY;
			} else if (e[i]->saContextId <= last) {
				ret = WALK_E_ORDER;
			} else {
				last = e[i]->saContextId;
				if (ids && total < max)
					ids[total] = last;
				total++;
			}
		}
		FwpmFreeMemory0((void **)&e);
		if (e && !ret)
			ret = WALK_E_FREE;
	} while (!ret && n == page);
	if (IPsecSaContextDestroyEnumHandle0(h, eh) && !ret)
		ret = WALK_E_DESTROY;
	if (wi) {
		wi->calls = calls;
		wi->last_page = n;
	}
	return ret ? ret : total;
}

#define WALK_MAX	65536

/* 1 when a full walk (no template) returns id, 0 when not, else < 0. */
static int walk_has(HANDLE h, UINT64 id, long *count)
{
	UINT64 *ids = malloc(WALK_MAX * sizeof(*ids));
	long n, i;
	int found = 0;

	if (!ids)
		return -100;
	n = walk(h, NULL, 64, ids, WALK_MAX, NULL);
	if (n < 0 || n > WALK_MAX) {
		free(ids);
		return n < 0 ? (int)n : -101;
	}
	for (i = 0; i < n; i++)
		found += ids[i] == id;
	free(ids);
	if (count)
		*count = n;
	return found;
}

static int cmp_u64(const void *a, const void *b)
{
	UINT64 x = *(const UINT64 *)a, y = *(const UINT64 *)b;

	return x < y ? -1 : x > y;
}

/* ==================================================================== */
/* Round trips through the library, IPv4/IPv6 x transport/tunnel        */
/* ==================================================================== */

FIXTURE(ctx) {
	HANDLE h;
	int fd;
	long count0;
};

FIXTURE_VARIANT(ctx) {
	bool v6;
	bool tunnel;
};

FIXTURE_VARIANT_ADD(ctx, v4_transport) { .v6 = false, .tunnel = false };
FIXTURE_VARIANT_ADD(ctx, v4_tunnel) { .v6 = false, .tunnel = true };
FIXTURE_VARIANT_ADD(ctx, v6_transport) { .v6 = true, .tunnel = false };
FIXTURE_VARIANT_ADD(ctx, v6_tunnel) { .v6 = true, .tunnel = true };

FIXTURE_SETUP(ctx)
{
	self->h = engine_open_ok(_metadata, 0);
	self->fd = engine_fd(_metadata, self->h);
	self->count0 = ctx_count(self->fd);
	ASSERT_GE(self->count0, 0);
}

FIXTURE_TEARDOWN(ctx)
{
	FwpmEngineClose0(self->h);
}

TEST_F(ctx, create1_get1_delete_round_trip)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel, 0);
	IPSEC_SA_CONTEXT1 *c = NULL;
	UINT64 id = 0, filter = SENTINEL;

	ASSERT_EQ(IPsecSaContextCreate1(self->h, &t, &vif_info, &filter, &id),
		  ERROR_SUCCESS);
	EXPECT_NE(id, 0);
	/* No cached inbound filter exists. */
	EXPECT_EQ(filter, 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);

	ASSERT_EQ(IPsecSaContextGetById1(self->h, id, &c), ERROR_SUCCESS);
	expect_context1(_metadata, c, id, &t, &vif_info);
	FwpmFreeMemory0((void **)&c);
	EXPECT_EQ(c, NULL);

	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextGetById1(self->h, id, &c), FWP_E_NOT_FOUND);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(ctx, create1_get0_round_trip)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel, 1);
	IPSEC_SA_CONTEXT0 *c = NULL;
	UINT64 id = create1(_metadata, self->h, &t);

	ASSERT_EQ(IPsecSaContextGetById0(self->h, id, &c), ERROR_SUCCESS);
	expect_context0(_metadata, c, id, &t);
	FwpmFreeMemory0((void **)&c);
	EXPECT_EQ(c, NULL);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextGetById0(self->h, id, &c), FWP_E_NOT_FOUND);
}

TEST_F(ctx, create0_round_trip)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel, 2);
	IPSEC_TRAFFIC0 t0 = traffic0_of(&t);
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	UINT64 id = 0, filter = SENTINEL;

	ASSERT_EQ(IPsecSaContextCreate0(self->h, &t0, &filter, &id),
		  ERROR_SUCCESS);
	EXPECT_NE(id, 0);
	EXPECT_EQ(filter, 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);

	ASSERT_EQ(IPsecSaContextGetById0(self->h, id, &c0), ERROR_SUCCESS);
	expect_context0(_metadata, c0, id, &t);
	FwpmFreeMemory0((void **)&c0);

	/* What IPSEC_TRAFFIC0 cannot say reads back as zero. */
	t.localPort = 0;
	t.ipProtocol = 0;
	t.localIfLuid = 0;
	t.realIfProfileId = 0;
	expect_get1(_metadata, self->h, id, &t, NULL);

	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(ctx, create1_without_vif_info_reports_none)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel, 3);
	struct wfp_ipsec_ctx_info info;
	UINT64 id = 0;

	/* inboundFilterId is optional. */
	ASSERT_EQ(IPsecSaContextCreate1(self->h, &t, NULL, NULL, &id),
		  ERROR_SUCCESS);
	expect_get1(_metadata, self->h, id, &t, NULL);
	ASSERT_EQ(raw_get(self->fd, id, &info), 0);
	EXPECT_EQ(info.flags, 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

/* The library hands the module network byte order (uapi, contexts.rst). */
TEST_F(ctx, module_sees_network_byte_order)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel, 0x1234);
	struct wfp_ipsec_session_info session;
	struct wfp_ipsec_traffic want;
	struct wfp_ipsec_ctx_info info;
	UINT64 id = 0;

	ASSERT_EQ(IPsecSaContextCreate1(self->h, &t, &vif_info, NULL, &id),
		  ERROR_SUCCESS);
	ASSERT_EQ(wfp_info(self->fd, &session), 0);
	ASSERT_EQ(raw_get(self->fd, id, &info), 0);
	raw_traffic_v4(&want);
	if (variant->v6)
		raw_to_v6(&want);
	/* Peer 0x1234: 10.1.18.53 or 2001:db8:1::1235. */
	want.remote_addr[variant->v6 ? 14 : 2] = 0x12;
	want.remote_addr[variant->v6 ? 15 : 3] = 0x35;
	if (variant->tunnel) {
		raw_portless(&want, WFP_IPSEC_TRAFFIC_TUNNEL);
		want.filter_id = TUNNEL_POLICY;
	}
	EXPECT_EQ(info.id, id);
	EXPECT_EQ(memcmp(&info.traffic, &want, sizeof(want)), 0);
	EXPECT_EQ(info.flags, WFP_IPSEC_CTX_F_VIF);
	EXPECT_EQ(info.vif_tunnel_id, vif_info.virtualIfTunnelId);
	EXPECT_EQ(info.vif_traffic_selector_id, vif_info.trafficSelectorId);
	EXPECT_EQ(info.state, WFP_IPSEC_CTX_STATE_CREATED);
	EXPECT_EQ(info.creator_session_id, session.session_id);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(ctx, enum1_reports_what_get1_reports)
{
	IPSEC_TRAFFIC1 t = peer_traffic(variant->v6, variant->tunnel,
					4000 + variant->v6 * 2 +
					variant->tunnel);
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	FWP_BYTE_ARRAY16 local, remote;
	IPSEC_SA_CONTEXT1 **e = NULL;
	HANDLE eh;
	UINT32 n = 0, i, seen = 0;
	UINT64 id = 0;

	ASSERT_EQ(IPsecSaContextCreate1(self->h, &t, &vif_info, NULL, &id),
		  ERROR_SUCCESS);
	if (variant->v6) {
		wfp_reverse16(local.byteArray16, t.localV6Address);
		wfp_reverse16(remote.byteArray16, t.remoteV6Address);
		tmpl.localSubNet = CV(FWP_BYTE_ARRAY16_TYPE, byteArray16,
				      &local);
		tmpl.remoteSubNet = CV(FWP_BYTE_ARRAY16_TYPE, byteArray16,
				       &remote);
	} else {
		tmpl.localSubNet = CV(FWP_UINT32, uint32, t.localV4Address);
		tmpl.remoteSubNet = CV(FWP_UINT32, uint32, t.remoteV4Address);
	}
	eh = enum_open(_metadata, self->h, &tmpl);
	ASSERT_EQ(IPsecSaContextEnum1(self->h, eh, 100, &e, &n),
		  ERROR_SUCCESS);
	ASSERT_GE(n, 1);
	ASSERT_LT(n, 100);
	for (i = 0; i < n; i++) {
		ASSERT_NE(e[i], NULL);
		ASSERT_NE(e[i]->outboundSa, NULL);
		/* Whatever else is returned has these addresses too. */
		EXPECT_EQ(memcmp(e[i]->outboundSa->traffic.remoteV6Address,
				 t.remoteV6Address, variant->v6 ? 16 : 4), 0);
		if (e[i]->saContextId != id)
			continue;
		seen++;
		expect_context1(_metadata, e[i], id, &t, &vif_info);
	}
	expect_enum_done(_metadata, self->h, eh, (void **)&e, id, seen);
}

/* ==================================================================== */
/* Library validation: one test per row of contexts.rst                 */
/* ==================================================================== */

FIXTURE(lib) {
	HANDLE h;
	int fd;
	long count0;
	IPSEC_TRAFFIC1 t;	/* valid: v4 transport, TCP with ports */
};

FIXTURE_SETUP(lib)
{
	self->h = engine_open_ok(_metadata, 0);
	self->fd = engine_fd(_metadata, self->h);
	self->count0 = ctx_count(self->fd);
	ASSERT_GE(self->count0, 0);
	self->t = peer_traffic(false, false, 100);
}

FIXTURE_TEARDOWN(lib)
{
	FwpmEngineClose0(self->h);
}

/*
 * Create1 (and Create0 with what IPSEC_TRAFFIC0 holds) on engine h must
 * fail with code, write neither out parameter and create nothing.
 */
static void expect_create_fails(struct __test_metadata *_metadata,
				FIXTURE_DATA(lib) *self, HANDLE h,
				const IPSEC_TRAFFIC1 *t, bool also0, DWORD code)
{
	IPSEC_TRAFFIC0 t0 = traffic0_of(t);
	UINT64 id = SENTINEL, filter = SENTINEL;

	EXPECT_EQ(IPsecSaContextCreate1(h, t, NULL, &filter, &id), code);
	EXPECT_EQ(id, SENTINEL);
	EXPECT_EQ(filter, SENTINEL);
	if (also0) {
		EXPECT_EQ(IPsecSaContextCreate0(h, &t0, &filter, &id), code);
		EXPECT_EQ(id, SENTINEL);
		EXPECT_EQ(filter, SENTINEL);
	}
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

/* t: self->t changed by the statements, to fail as expect_create_fails(). */
#define CREATE_FAILS(also0, code, ...) do {				\
		t = self->t;						\
		__VA_ARGS__;						\
		expect_create_fails(_metadata, self, self->h, &t,	\
				    also0, code);			\
	} while (0)

TEST_F(lib, create_bad_engine_handle)
{
	IPSEC_TRAFFIC0 t0 = traffic0_of(&self->t);
	int not_an_engine, i;
	HANDLE bad[3] = { NULL, &not_an_engine, engine_closed(_metadata) };
	UINT64 id = SENTINEL;

	for (i = 0; i < 3; i++) {
		EXPECT_EQ(IPsecSaContextCreate1(bad[i], &self->t, NULL, NULL,
						&id), ERROR_INVALID_HANDLE)
			TH_LOG("handle %d", i);
		EXPECT_EQ(IPsecSaContextCreate0(bad[i], &t0, NULL, &id),
			  ERROR_INVALID_HANDLE) TH_LOG("handle %d", i);
		EXPECT_EQ(id, SENTINEL);
	}
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, create_null_traffic)
{
	UINT64 id = SENTINEL, filter = SENTINEL;

	EXPECT_EQ(IPsecSaContextCreate1(self->h, NULL, &vif_info, &filter, &id),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextCreate0(self->h, NULL, &filter, &id),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(id, SENTINEL);
	EXPECT_EQ(filter, SENTINEL);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, create_null_id)
{
	IPSEC_TRAFFIC0 t0 = traffic0_of(&self->t);
	UINT64 filter = SENTINEL;

	EXPECT_EQ(IPsecSaContextCreate1(self->h, &self->t, NULL, &filter, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextCreate0(self->h, &t0, &filter, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(filter, SENTINEL);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, create_bad_ip_version)
{
	static const UINT32 bad[] = { FWP_IP_VERSION_NONE, FWP_IP_VERSION_MAX,
				      0x7fffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		self->t.ipVersion = bad[i];
		expect_create_fails(_metadata, self, self->h, &self->t, true,
				    FWP_E_INVALID_ENUMERATOR);
	}
}

TEST_F(lib, create_bad_traffic_type)
{
	static const UINT32 bad[] = { IPSEC_TRAFFIC_TYPE_MAX, 0x100,
				      0xffffffff };
	unsigned int i;

	/* No ports or protocol, so a tunnel reading would be valid too. */
	self->t.localPort = 0;
	self->t.remotePort = 0;
	self->t.ipProtocol = 0;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		self->t.trafficType = bad[i];
		expect_create_fails(_metadata, self, self->h, &self->t, true,
				    FWP_E_INVALID_ENUMERATOR);
	}
}

static void expect_unspecified_fails(struct __test_metadata *_metadata,
				     FIXTURE_DATA(lib) *self, bool tunnel,
				     DWORD code)
{
	static const UINT8 zero[16];
	const IPSEC_TRAFFIC1 t[] = {
		traffic4(0, PEERS_V4 + 1, tunnel),
		traffic4(LOCAL_V4, 0, tunnel),
		traffic6(zero, a6_peer1, tunnel),
		traffic6(v6_local, zero, tunnel),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		expect_create_fails(_metadata, self, self->h, &t[i], true,
				    code);
}

TEST_F(lib, create_tunnel_unspecified_address)
{
	expect_unspecified_fails(_metadata, self, true,
				 FWP_E_INVALID_TUNNEL_ENDPOINT);
}

TEST_F(lib, create_transport_unspecified_address)
{
	expect_unspecified_fails(_metadata, self, false,
				 FWP_E_INVALID_PARAMETER);
}

TEST_F(lib, create_tunnel_with_ports_or_protocol)
{
	IPSEC_TRAFFIC1 base = peer_traffic(false, true, 100), t;

	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t = base; t.localPort = 500);
	CREATE_FAILS(true, FWP_E_INVALID_PARAMETER,
		     t = base; t.remotePort = 500);
	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t = base; t.ipProtocol = IPPROTO_UDP);
	CREATE_FAILS(true, FWP_E_INVALID_PARAMETER,
		     t = peer_traffic(true, true, 100); t.remotePort = 4500);
}

TEST_F(lib, create_ports_with_portless_protocol)
{
	IPSEC_TRAFFIC1 t;

	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t.ipProtocol = IPPROTO_ICMP; t.remotePort = 0);
	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t.ipProtocol = IPPROTO_ICMP; t.localPort = 0);
	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t.ipProtocol = IPPROTO_ESP);
	CREATE_FAILS(false, FWP_E_INVALID_PARAMETER,
		     t = peer_traffic(true, false, 100);
		     t.ipProtocol = IPPROTO_ICMPV6);
}

/* The other side of the two rows above: what stays valid. */
TEST_F(lib, create_accepts_ports_for_any_or_port_protocol)
{
	/* The last: a protocol without ports, given none. */
	static const UINT8 protos[] = { 0, IPPROTO_TCP, IPPROTO_UDP,
					IPPROTO_ICMP };
	IPSEC_TRAFFIC1 t = self->t;
	unsigned int i;
	UINT64 id;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		t.ipProtocol = protos[i];
		if (protos[i] == IPPROTO_ICMP) {
			t.localPort = 0;
			t.remotePort = 0;
		}
		id = create1(_metadata, self->h, &t);
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id),
			  ERROR_SUCCESS);
	}
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, get_null_context_pointer)
{
	UINT64 id = create1(_metadata, self->h, &self->t);

	EXPECT_EQ(IPsecSaContextGetById1(self->h, id, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextGetById0(self->h, id, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

/* GetById1 and GetById0 of id on engine h both fail with code. */
static void expect_get_fails(struct __test_metadata *_metadata, HANDLE h,
			     UINT64 id, DWORD code)
{
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL;

	EXPECT_EQ(IPsecSaContextGetById1(h, id, &c1), code)
		TH_LOG("id %llu", (unsigned long long)id);
	EXPECT_EQ(IPsecSaContextGetById0(h, id, &c0), code);
}

TEST_F(lib, get_bad_engine_handle)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	HANDLE bad[2] = { NULL, engine_closed(_metadata) };
	int i;

	for (i = 0; i < 2; i++)
		expect_get_fails(_metadata, bad[i], id, ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(lib, get_unknown_id_not_found)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	UINT64 bad[] = { 0, ~0ULL, id + 1000000, 1ULL << 63 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_get_fails(_metadata, self->h, bad[i], FWP_E_NOT_FOUND);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(lib, get_after_delete_not_found)
{
	UINT64 id = create1(_metadata, self->h, &self->t);

	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	expect_get_fails(_metadata, self->h, id, FWP_E_NOT_FOUND);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, delete_twice_not_found)
{
	UINT64 id = create1(_metadata, self->h, &self->t);

	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), FWP_E_NOT_FOUND);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(lib, delete_unknown_id_not_found)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	UINT64 bad[] = { 0, ~0ULL, id + 1000000, id - 1 };
	IPSEC_SA_CONTEXT1 *c = NULL;
	unsigned int i;

	/* id - 1 is not this session's; it may be some other test's, gone. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (!IPsecSaContextGetById1(self->h, bad[i], &c)) {
			FwpmFreeMemory0((void **)&c);
			continue;
		}
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, bad[i]),
			  FWP_E_NOT_FOUND) TH_LOG("id %llu",
						  (unsigned long long)bad[i]);
	}
	/* The one that exists was not touched. */
	expect_get1(_metadata, self->h, id, NULL, NULL);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(lib, delete_bad_engine_handle)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	HANDLE bad[2] = { NULL, engine_closed(_metadata) };
	int i;

	for (i = 0; i < 2; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(bad[i], id),
			  ERROR_INVALID_HANDLE);
	expect_get1(_metadata, self->h, id, NULL, NULL);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(lib, ids_never_reused)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	UINT64 id, last = 0, first = 0;
	int i;

	for (i = 0; i < 300; i++) {
		self->t.remoteV4Address = PEERS_V4 + 1 + i % 3;
		id = create1(_metadata, self->h, &self->t);
		ASSERT_GT(id, last);
		if (!first)
			first = id;
		last = id;
		ASSERT_EQ(IPsecSaContextDeleteById0(self->h, id),
			  ERROR_SUCCESS);
	}
	/* The first id is still unknown: nothing new took it. */
	EXPECT_EQ(IPsecSaContextGetById1(self->h, first, &c), FWP_E_NOT_FOUND);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

struct id_box {
	UINT64 id[3];
	UINT64 session_id;
};

/* Three contexts and a session in a new namespace. */
static int create_in_new_netns(void *arg)
{
	struct id_box *box = arg;
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 5);
	struct wfp_ipsec_session_info info;
	HANDLE h = NULL;
	int i, fd = -1;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	for (i = 0; i < 3; i++)
		if (IPsecSaContextCreate1(h, &t, NULL, NULL, &box->id[i]))
			return 12;
	if (WfpIpsecEngineGetFd(h, &fd) || wfp_info(fd, &info))
		return 13;
	box->session_id = info.session_id;
	FwpmEngineClose0(h);
	return 0;
}

/* The namespace an id was issued in: its top 24 bits (contexts.rst). */
#define ID_TAG(id)	((id) >> 40)

/*
 * Ids are counted per namespace: what another namespace creates does not
 * move this one's sequence, and the two never share an id.
 */
TEST_F(lib, ids_say_nothing_of_other_namespaces)
{
	struct id_box *box = wfp_shared_mem(_metadata, sizeof(*box));
	struct wfp_ipsec_session_info info;
	struct wfp_ipsec_subscribe sub = { 0 };
	struct wfp_ipsec_ctx_id unsub;
	UINT64 a, c;

	ASSERT_EQ(wfp_info(self->fd, &info), 0);
	a = create1(_metadata, self->h, &self->t);
	ASSERT_EQ(run_in_child(create_in_new_netns, box), 0);
	c = create1(_metadata, self->h, &self->t);
	EXPECT_EQ(c, a + 1);
	EXPECT_EQ(box->id[1], box->id[0] + 1);
	EXPECT_EQ(box->id[2], box->id[1] + 1);
	/* Each namespace's ids carry its tag, sessions' and contexts'. */
	EXPECT_EQ(ID_TAG(info.session_id), ID_TAG(a));
	EXPECT_EQ(ID_TAG(box->session_id), ID_TAG(box->id[0]));
	EXPECT_NE(ID_TAG(box->id[0]), ID_TAG(a));
	/* Subscriptions too. */
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SUBSCRIBE, &sub), 0);
	EXPECT_EQ(ID_TAG(sub.id), ID_TAG(a));
	memset(&unsub, 0, sizeof(unsub));
	unsub.id = sub.id;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &unsub), 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, a), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, c), ERROR_SUCCESS);
	munmap(box, sizeof(*box));
}

TEST(contexts_outlive_their_session)
{
	IPSEC_TRAFFIC1 t = peer_traffic(true, true, 9);
	struct wfp_ipsec_session_info first;
	struct wfp_ipsec_ctx_info info;
	IPSEC_SA_CONTEXT1 *c = NULL;
	HANDLE h = engine_open_ok(_metadata, 0);
	UINT64 id = 0;

	ASSERT_EQ(wfp_info(engine_fd(_metadata, h), &first), 0);
	ASSERT_EQ(IPsecSaContextCreate1(h, &t, &vif_info, NULL, &id),
		  ERROR_SUCCESS);
	ASSERT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);

	h = engine_open_ok(_metadata, 0);
	expect_get1(_metadata, h, id, &t, &vif_info);
	/* It still names the session that created it. */
	ASSERT_EQ(raw_get(engine_fd(_metadata, h), id, &info), 0);
	EXPECT_EQ(info.creator_session_id, first.session_id);
	EXPECT_EQ(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextGetById1(h, id, &c), FWP_E_NOT_FOUND);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

/* ------------------------------------------------------------ rights */

enum { OP_CREATE, OP_DELETE, OP_GET, OP_ENUM };

struct rights_arg {
	UINT64 id;	/* an existing context */
	int op;
};

/* In a child that lost CAP_NET_ADMIN: the session opens, holds no rights. */
static int no_rights_call(void *arg)
{
	const struct rights_arg *a = arg;
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 11);
	IPSEC_TRAFFIC0 t0 = traffic0_of(&t);
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl = {
		.localSubNet = CV(FWP_UINT32, uint32, LOCAL_V4) };
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	HANDLE h = NULL, eh = NULL;
	UINT64 id = SENTINEL;

	if (drop_cap_net_admin())
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 101;
	switch (a->op) {
	case OP_CREATE:
		if (IPsecSaContextCreate1(h, &t, NULL, NULL, &id) !=
		    ERROR_ACCESS_DENIED)
			return 1;
		if (IPsecSaContextCreate0(h, &t0, NULL, &id) !=
		    ERROR_ACCESS_DENIED)
			return 2;
		if (id != SENTINEL)
			return 3;
		break;
	case OP_DELETE:
		if (IPsecSaContextDeleteById0(h, a->id) != ERROR_ACCESS_DENIED)
			return 1;
		break;
	case OP_GET:
		if (IPsecSaContextGetById1(h, a->id, &c1) !=
		    ERROR_ACCESS_DENIED)
			return 1;
		if (IPsecSaContextGetById0(h, a->id, &c0) !=
		    ERROR_ACCESS_DENIED)
			return 2;
		break;
	case OP_ENUM:
		if (IPsecSaContextCreateEnumHandle0(h, NULL, &eh) !=
		    ERROR_ACCESS_DENIED)
			return 1;
		if (IPsecSaContextCreateEnumHandle0(h, &tmpl, &eh) !=
		    ERROR_ACCESS_DENIED)
			return 2;
		break;
	}
	return FwpmEngineClose0(h) ? 102 : 0;
}

static void expect_no_rights(struct __test_metadata *_metadata, int op)
{
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 12);
	struct rights_arg arg = { .op = op };
	HANDLE h = engine_open_ok(_metadata, 0);
	int fd = engine_fd(_metadata, h);
	long count;

	arg.id = create1(_metadata, h, &t);
	count = ctx_count(fd);
	EXPECT_EQ(run_in_child(no_rights_call, &arg), 0);
	/* Nothing changed. */
	EXPECT_EQ(ctx_count(fd), count);
	expect_get1(_metadata, h, arg.id, NULL, NULL);
	EXPECT_EQ(IPsecSaContextDeleteById0(h, arg.id), ERROR_SUCCESS);
	FwpmEngineClose0(h);
}

TEST(no_add_right_create_access_denied)
{
	expect_no_rights(_metadata, OP_CREATE);
}

TEST(no_delete_right_delete_access_denied)
{
	expect_no_rights(_metadata, OP_DELETE);
}

TEST(no_read_right_get_access_denied)
{
	expect_no_rights(_metadata, OP_GET);
}

TEST(no_enum_right_create_enum_handle_access_denied)
{
	expect_no_rights(_metadata, OP_ENUM);
}

TEST_F(lib, dynamic_session_cannot_create)
{
	HANDLE dyn = engine_open_ok(_metadata, FWPM_SESSION_FLAG_DYNAMIC);

	expect_create_fails(_metadata, self, dyn, &self->t, true,
			    FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	FwpmEngineClose0(dyn);
}

TEST_F(lib, dynamic_session_cannot_delete)
{
	HANDLE dyn = engine_open_ok(_metadata, FWPM_SESSION_FLAG_DYNAMIC);
	UINT64 id = create1(_metadata, self->h, &self->t);

	EXPECT_EQ(IPsecSaContextDeleteById0(dyn, id),
		  FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	expect_get1(_metadata, self->h, id, NULL, NULL);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	FwpmEngineClose0(dyn);
}

TEST_F(lib, dynamic_session_can_get_and_enumerate)
{
	HANDLE dyn = engine_open_ok(_metadata, FWPM_SESSION_FLAG_DYNAMIC);
	UINT64 id = create1(_metadata, self->h, &self->t);

	expect_get1(_metadata, dyn, id, &self->t, NULL);
	EXPECT_EQ(walk_has(dyn, id, NULL), 1);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	FwpmEngineClose0(dyn);
}

/* ------------------------------------------------------------ enum calls */

TEST_F(lib, enum_null_out_pointers)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	IPSEC_SA_CONTEXT1 **e1 = NULL;
	IPSEC_SA_CONTEXT0 **e0 = NULL;
	HANDLE eh;
	UINT32 n = 0, i;
	int seen = 0;

	EXPECT_EQ(IPsecSaContextCreateEnumHandle0(self->h, NULL, NULL),
		  FWP_E_NULL_POINTER);
	eh = enum_open(_metadata, self->h, NULL);
	EXPECT_EQ(IPsecSaContextEnum1(self->h, eh, 4, NULL, &n),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextEnum1(self->h, eh, 4, &e1, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextEnum0(self->h, eh, 4, NULL, &n),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextEnum0(self->h, eh, 4, &e0, NULL),
		  FWP_E_NULL_POINTER);
	/* The failed calls did not move the walk: it still finds id. */
	do {
		ASSERT_EQ(IPsecSaContextEnum1(self->h, eh, 64, &e1, &n),
			  ERROR_SUCCESS);
		for (i = 0; i < n; i++)
			seen += e1[i]->saContextId == id;
		FwpmFreeMemory0((void **)&e1);
	} while (n == 64);
	expect_enum_done(_metadata, self->h, eh, NULL, id, seen);
}

static DWORD try_template(HANDLE h, const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t)
{
	HANDLE eh = NULL;
	DWORD ret = IPsecSaContextCreateEnumHandle0(h, t, &eh);

	if (!ret)
		IPsecSaContextDestroyEnumHandle0(h, eh);
	return ret;
}

/* Template with value v on the local side, then on the remote side. */
static void expect_condition(struct __test_metadata *_metadata, HANDLE h,
			     const FWP_CONDITION_VALUE0 *v, DWORD code)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 l = { .localSubNet = *v };
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 r = { .remoteSubNet = *v };

	EXPECT_EQ(try_template(h, &l), code) TH_LOG("local type 0x%x",
						     v->type);
	EXPECT_EQ(try_template(h, &r), code) TH_LOG("remote type 0x%x",
						     v->type);
}

TEST_F(lib, enum_template_null_value_pointer)
{
	static const FWP_DATA_TYPE types[] = {
		FWP_V4_ADDR_MASK, FWP_V6_ADDR_MASK, FWP_BYTE_ARRAY16_TYPE };
	FWP_CONDITION_VALUE0 v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		memset(&v, 0, sizeof(v));
		v.type = types[i];
		expect_condition(_metadata, self->h, &v, FWP_E_NULL_POINTER);
	}
}

TEST_F(lib, enum_template_wrong_type)
{
	UINT64 u64 = LOCAL_V4;
	UINT8 bytes[6] = { 1, 2, 3, 4, 5, 6 };
	FWP_BYTE_BLOB blob = { .size = 4, .data = bytes };
	FWP_BYTE_ARRAY6 mac = { { 1, 2, 3, 4, 5, 6 } };
	FWP_RANGE0 range = {
		.valueLow = { .type = FWP_UINT32, .uint32 = V4(10, 0, 0, 0) },
		.valueHigh = { .type = FWP_UINT32,
			       .uint32 = V4(10, 255, 255, 255) },
	};
	const FWP_CONDITION_VALUE0 wrong[] = {
		CV(FWP_UINT8, uint8, 10),
		CV(FWP_UINT16, uint16, 10),
		CV(FWP_INT32, int32, LOCAL_V4),
		CV(FWP_UINT64, uint64, &u64),
		CV(FWP_BYTE_BLOB_TYPE, byteBlob, &blob),
		CV(FWP_BYTE_ARRAY6_TYPE, byteArray6, &mac),
		CV(FWP_RANGE_TYPE, rangeValue, &range),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wrong); i++)
		expect_condition(_metadata, self->h, &wrong[i],
				 FWP_E_TYPE_MISMATCH);
}

TEST_F(lib, enum_template_unknown_type)
{
	static const UINT32 bad[] = { 0x50, FWP_DATA_TYPE_MAX, 0x1000,
				      0x7fffffff };
	FWP_V4_ADDR_AND_MASK m = { .addr = V4(10, 0, 0, 0),
				   .mask = 0xff000000 };
	FWP_CONDITION_VALUE0 v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&v, 0, sizeof(v));
		v.type = bad[i];
		v.v4AddrMask = &m;	/* a valid pointer whatever it is read as */
		expect_condition(_metadata, self->h, &v,
				 FWP_E_INVALID_ENUMERATOR);
	}
}

TEST_F(lib, enum_template_noncontiguous_mask)
{
	static const UINT32 bad[] = { 0xff00ff00, 0x00ffffff, 0x7fffffff,
				      0x00000001, 0xfffffffd };
	static const UINT32 good[] = { 0, 0x80000000, 0xffffff00, 0xffffffff };
	FWP_V4_ADDR_AND_MASK m = { .addr = V4(10, 0, 0, 0) };
	FWP_CONDITION_VALUE0 v = CV(FWP_V4_ADDR_MASK, v4AddrMask, &m);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		m.mask = bad[i];
		expect_condition(_metadata, self->h, &v,
				 FWP_E_INVALID_NET_MASK);
	}
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		m.mask = good[i];
		expect_condition(_metadata, self->h, &v, ERROR_SUCCESS);
	}
}

TEST_F(lib, enum_template_v6_prefix_too_long)
{
	FWP_V6_ADDR_AND_MASK m;
	FWP_CONDITION_VALUE0 v = CV(FWP_V6_ADDR_MASK, v6AddrMask, &m);

	memset(&m, 0, sizeof(m));
	memcpy(m.addr, v6_local, 16);
	m.prefixLength = 129;
	expect_condition(_metadata, self->h, &v, FWP_E_INVALID_NET_MASK);
	m.prefixLength = 255;
	expect_condition(_metadata, self->h, &v, FWP_E_INVALID_NET_MASK);
	m.prefixLength = 128;
	expect_condition(_metadata, self->h, &v, ERROR_SUCCESS);
	m.prefixLength = 0;
	expect_condition(_metadata, self->h, &v, ERROR_SUCCESS);
}

TEST_F(lib, enum_template_mixed_versions_never_match)
{
	FWP_V4_ADDR_AND_MASK m4 = { .addr = V4(10, 0, 0, 0),
				    .mask = 0xff000000 };
	FWP_V6_ADDR_AND_MASK m6 = { .prefixLength = 32 };
	FWP_BYTE_ARRAY16 a6;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t = {
		CV(FWP_UINT32, uint32, LOCAL_V4),
		CV(FWP_BYTE_ARRAY16_TYPE, byteArray16, &a6),
	};

	memcpy(m6.addr, v6_local, 16);
	memcpy(a6.byteArray16, v6_local, 16);
	EXPECT_EQ(try_template(self->h, &t), FWP_E_NEVER_MATCH);

	t.localSubNet = CV(FWP_V6_ADDR_MASK, v6AddrMask, &m6);
	t.remoteSubNet = CV(FWP_V4_ADDR_MASK, v4AddrMask, &m4);
	EXPECT_EQ(try_template(self->h, &t), FWP_E_NEVER_MATCH);

	/* One side of each version with the other empty is fine. */
	t.remoteSubNet.type = FWP_EMPTY;
	EXPECT_EQ(try_template(self->h, &t), ERROR_SUCCESS);
	t.localSubNet.type = FWP_EMPTY;
	t.remoteSubNet.type = FWP_V4_ADDR_MASK;
	EXPECT_EQ(try_template(self->h, &t), ERROR_SUCCESS);
}

TEST_F(lib, enum_bad_engine_handle)
{
	HANDLE bad[2] = { NULL, engine_closed(_metadata) };
	HANDLE eh = enum_open(_metadata, self->h, NULL);
	int i;

	for (i = 0; i < 2; i++) {
		HANDLE other = NULL;

		EXPECT_EQ(IPsecSaContextCreateEnumHandle0(bad[i], NULL, &other),
			  ERROR_INVALID_HANDLE);
		expect_enum_refused(_metadata, bad[i], eh);
	}
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(self->h, eh), ERROR_SUCCESS);
}

TEST_F(lib, enum_handle_null_or_unknown)
{
	IPSEC_SA_CONTEXT0 **e0 = NULL;
	int not_a_handle = 0;
	HANDLE bad[2] = { NULL, &not_a_handle };
	UINT32 n = 0;
	int i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(IPsecSaContextEnum0(self->h, bad[i], 4, &e0, &n),
			  ERROR_INVALID_HANDLE);
		expect_enum_refused(_metadata, self->h, bad[i]);
	}
	EXPECT_EQ(not_a_handle, 0);
}

TEST_F(lib, enum_handle_destroyed)
{
	HANDLE eh = enum_open(_metadata, self->h, NULL);

	ASSERT_EQ(IPsecSaContextDestroyEnumHandle0(self->h, eh), ERROR_SUCCESS);
	expect_enum_refused(_metadata, self->h, eh);
}

TEST_F(lib, enum_handle_of_other_engine)
{
	HANDLE other = engine_open_ok(_metadata, 0);
	IPSEC_SA_CONTEXT1 **e = NULL;
	HANDLE eh = enum_open(_metadata, other, NULL);
	UINT32 n = 0;

	expect_enum_refused(_metadata, self->h, eh);
	/* Its own engine still has it. */
	EXPECT_EQ(IPsecSaContextEnum1(other, eh, 4, &e, &n), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&e);
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(other, eh), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

TEST_F(lib, enum_handle_dies_with_its_engine)
{
	HANDLE other = engine_open_ok(_metadata, 0);
	HANDLE eh = enum_open(_metadata, other, NULL);

	ASSERT_EQ(FwpmEngineClose0(other), ERROR_SUCCESS);
	expect_enum_refused(_metadata, self->h, eh);
}

TEST_F(lib, enum_zero_entries_requested)
{
	UINT64 id = create1(_metadata, self->h, &self->t);
	IPSEC_SA_CONTEXT1 **e = (IPSEC_SA_CONTEXT1 **)&self->t;
	HANDLE eh = enum_open(_metadata, self->h, NULL);
	UINT32 n = 77, i;
	int seen = 0;

	EXPECT_EQ(IPsecSaContextEnum1(self->h, eh, 0, &e, &n), ERROR_SUCCESS);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(e, NULL);
	/* Asking for nothing consumed nothing. */
	do {
		e = NULL;
		ASSERT_EQ(IPsecSaContextEnum1(self->h, eh, 100, &e, &n),
			  ERROR_SUCCESS);
		for (i = 0; i < n; i++)
			seen += e[i]->saContextId == id;
		FwpmFreeMemory0((void **)&e);
	} while (n == 100);
	expect_enum_done(_metadata, self->h, eh, NULL, id, seen);
}

TEST_F(lib, enum0_reports_contexts0)
{
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 4100);
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl = {
		.remoteSubNet = CV(FWP_UINT32, uint32, t.remoteV4Address) };
	IPSEC_SA_CONTEXT0 **e = NULL;
	UINT64 id = create1(_metadata, self->h, &t);
	HANDLE eh = enum_open(_metadata, self->h, &tmpl);
	UINT32 n = 0, i;
	int seen = 0;

	ASSERT_EQ(IPsecSaContextEnum0(self->h, eh, 50, &e, &n), ERROR_SUCCESS);
	ASSERT_GE(n, 1);
	for (i = 0; i < n; i++) {
		ASSERT_NE(e[i], NULL);
		if (e[i]->saContextId != id)
			continue;
		seen++;
		expect_context0(_metadata, e[i], id, &t);
	}
	expect_enum_done(_metadata, self->h, eh, (void **)&e, id, seen);
}

/* ==================================================================== */
/* Raw ioctls: every malformed request is EINVAL and changes nothing    */
/* ==================================================================== */

FIXTURE(raw) {
	int fd;
	long count0;
	struct wfp_ipsec_ctx_create c;	/* valid v4 transport request */
	struct wfp_ipsec_ctx_enum e;	/* valid: local 10.0.0.0/8 */
	struct wfp_ipsec_ctx_info buf[16];
};

/* 2001:db8::1/len, host bits and all. */
static void raw_subnet_v6(struct wfp_ipsec_subnet *sn, __u8 len)
{
	memset(sn, 0, sizeof(*sn));
	sn->ip_version = WFP_IPSEC_IPV6;
	memcpy(sn->addr, v6_local, 16);
	sn->prefix_len = len;
}

FIXTURE_SETUP(raw)
{
	self->fd = wfp_session(_metadata);
	self->count0 = ctx_count(self->fd);
	ASSERT_GE(self->count0, 0);
	memset(&self->c, 0, sizeof(self->c));
	raw_traffic_v4(&self->c.traffic);
	memset(&self->e, 0, sizeof(self->e));
	self->e.local.ip_version = WFP_IPSEC_IPV4;
	self->e.local.prefix_len = 8;
	self->e.local.addr[0] = 10;
	self->e.entries = (uintptr_t)self->buf;
	self->e.max_entries = ARRAY_SIZE(self->buf);
	memset(self->buf, 0xa5, sizeof(self->buf));
}

FIXTURE_TEARDOWN(raw)
{
	close(self->fd);
}

/* The request must fail with EINVAL, leave id unwritten, create nothing. */
static void expect_create_einval(struct __test_metadata *_metadata,
				 FIXTURE_DATA(raw) *self,
				 const struct wfp_ipsec_ctx_create *bad)
{
	struct wfp_ipsec_ctx_create c = *bad;

	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), -EINVAL);
	EXPECT_EQ(memcmp(&c, bad, sizeof(c)), 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

/* The enumeration must fail with EINVAL and write nothing back. */
static void expect_enum_einval(struct __test_metadata *_metadata,
			       FIXTURE_DATA(raw) *self,
			       const struct wfp_ipsec_ctx_enum *bad)
{
	struct wfp_ipsec_ctx_enum e = *bad;
	unsigned char *p = (unsigned char *)self->buf;
	size_t i, dirty = 0;

	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), -EINVAL);
	EXPECT_EQ(memcmp(&e, bad, sizeof(e)), 0);
	for (i = 0; i < sizeof(self->buf); i++)
		dirty += p[i] != 0xa5;
	EXPECT_EQ(dirty, 0);
}

/* c (e): the valid request, changed by the statements, must be refused. */
#define CREATE_EINVAL(...) do {						\
		c = self->c;						\
		__VA_ARGS__;						\
		expect_create_einval(_metadata, self, &c);		\
	} while (0)
#define ENUM_EINVAL(...) do {						\
		e = self->e;						\
		__VA_ARGS__;						\
		expect_enum_einval(_metadata, self, &e);		\
	} while (0)

TEST_F(raw, create_accepts_valid_request)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_info info;

	c.flags = WFP_IPSEC_CTX_F_VIF;
	c.vif_tunnel_id = 1;
	c.vif_traffic_selector_id = 2;
	c.inbound_filter_id = 0;
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	EXPECT_NE(c.id, 0);
	EXPECT_EQ(c.inbound_filter_id, 0);
	EXPECT_EQ(c.reserved[0] | c.reserved[1] | c.reserved0, 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	ASSERT_EQ(raw_get(self->fd, c.id, &info), 0);
	EXPECT_EQ(memcmp(&info.traffic, &self->c.traffic,
			 sizeof(info.traffic)), 0);
	EXPECT_EQ(info.reserved1 | info.reserved[0] | info.reserved[1] |
		  info.reserved[2], 0);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
	EXPECT_EQ(raw_delete(self->fd, c.id), -ENOENT);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(raw, create_reserved_fields)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(c.reserved0 = 1);
	CREATE_EINVAL(c.reserved[0] = 1);
	CREATE_EINVAL(c.reserved[1] = 1ULL << 63);
}

TEST_F(raw, create_traffic_reserved_fields)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(c.traffic.reserved0 = 1);
	CREATE_EINVAL(c.traffic.reserved1 = 0x80000000);
}

TEST_F(raw, create_unknown_flags)
{
	static const __u32 bad[] = { 1U << 1, 1U << 31,
				     WFP_IPSEC_CTX_F_VIF | 1U << 5 };
	struct wfp_ipsec_ctx_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CREATE_EINVAL(c.flags = bad[i]);
	}
}

TEST_F(raw, create_vif_ids_without_vif_flag)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(c.vif_tunnel_id = 1);
	CREATE_EINVAL(c.vif_traffic_selector_id = 1);
}

TEST_F(raw, create_bad_ip_version)
{
	static const __u8 bad[] = { 0, 1, 5, 41, 255 };
	struct wfp_ipsec_ctx_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CREATE_EINVAL(c.traffic.ip_version = bad[i]);
	}
}

TEST_F(raw, create_v4_address_trailing_bytes)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(c.traffic.local_addr[4] = 1);
	CREATE_EINVAL(c.traffic.local_addr[15] = 1);
	CREATE_EINVAL(c.traffic.remote_addr[4] = 0x80);
	CREATE_EINVAL(c.traffic.remote_addr[15] = 1);
}

TEST_F(raw, create_zero_address)
{
	struct wfp_ipsec_ctx_create c;
	int k;

	/* k: IPv6 (1), tunnel (2), the remote address zero (4). */
	for (k = 0; k < 8; k++) {
		c = self->c;
		if (k & 1)
			raw_to_v6(&c.traffic);
		if (k & 2)
			raw_portless(&c.traffic, WFP_IPSEC_TRAFFIC_TUNNEL);
		memset(k & 4 ? c.traffic.remote_addr : c.traffic.local_addr,
		       0, 16);
		expect_create_einval(_metadata, self, &c);
	}
}

TEST_F(raw, create_tunnel_with_ports_or_protocol)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(raw_portless(&c.traffic, WFP_IPSEC_TRAFFIC_TUNNEL);
		      c.traffic.ip_protocol = IPPROTO_TCP);
	CREATE_EINVAL(raw_portless(&c.traffic, WFP_IPSEC_TRAFFIC_TUNNEL);
		      c.traffic.local_port = htons(500));
	CREATE_EINVAL(raw_portless(&c.traffic, WFP_IPSEC_TRAFFIC_TUNNEL);
		      c.traffic.remote_port = htons(500));
}

TEST_F(raw, create_ports_with_icmp)
{
	struct wfp_ipsec_ctx_create c;

	CREATE_EINVAL(c.traffic.ip_protocol = IPPROTO_ICMP;
		      c.traffic.remote_port = 0);
	CREATE_EINVAL(c.traffic.ip_protocol = IPPROTO_ICMP;
		      c.traffic.local_port = 0);
	CREATE_EINVAL(raw_to_v6(&c.traffic);
		      c.traffic.ip_protocol = IPPROTO_ICMPV6);
}

TEST_F(raw, create_bad_traffic_type)
{
	static const __u8 bad[] = { 2, 3, 255 };
	struct wfp_ipsec_ctx_create c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CREATE_EINVAL(raw_portless(&c.traffic, bad[i]));
	}
}

TEST_F(raw, delete_reserved_field)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_info info;

	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	EXPECT_EQ(raw_id_cmd(self->fd, WFP_IPSEC_IOC_CTX_DELETE, c.id, 1),
		  -EINVAL);
	EXPECT_EQ(raw_get(self->fd, c.id, &info), 0);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
}

TEST_F(raw, get_input_beyond_id)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_info in, info;
	size_t off;

	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	for (off = offsetof(struct wfp_ipsec_ctx_info, traffic);
	     off < sizeof(info); off++) {
		memset(&in, 0, sizeof(in));
		in.id = c.id;
		((unsigned char *)&in)[off] = 1;
		info = in;
		EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_GET, &info),
			  -EINVAL) TH_LOG("byte %zu", off);
		EXPECT_EQ(memcmp(&info, &in, sizeof(in)), 0);
	}
	EXPECT_EQ(raw_get(self->fd, c.id, &info), 0);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
}

TEST_F(raw, unknown_id_enoent)
{
	struct wfp_ipsec_ctx_info info;

	EXPECT_EQ(raw_get(self->fd, 0, &info), -ENOENT);
	EXPECT_EQ(raw_get(self->fd, ~0ULL, &info), -ENOENT);
	EXPECT_EQ(raw_delete(self->fd, 0), -ENOENT);
	EXPECT_EQ(raw_delete(self->fd, ~0ULL), -ENOENT);
	EXPECT_EQ(ctx_count(self->fd), self->count0);
}

TEST_F(raw, enum_accepts_valid_request)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_enum e = self->e;
	__u32 i, seen = 0;

	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	/* max_entries 0 only checks: nothing written, cursor unchanged. */
	e.max_entries = 0;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), 0);
	EXPECT_EQ(e.count, 0);
	EXPECT_EQ(e.cursor, 0);
	EXPECT_EQ(((unsigned char *)self->buf)[0], 0xa5);
	/* WFP_IPSEC_ENUM_MAX itself is allowed. */
	e = self->e;
	e.max_entries = WFP_IPSEC_ENUM_MAX;
	e.entries = (uintptr_t)calloc(WFP_IPSEC_ENUM_MAX,
				      sizeof(struct wfp_ipsec_ctx_info));
	ASSERT_NE(e.entries, 0);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), 0);
	free((void *)(uintptr_t)e.entries);
	/* The walk through 10.0.0.0/8 finds the new context. */
	e = self->e;
	do {
		e.count = 0;
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), 0);
		for (i = 0; i < e.count; i++) {
			EXPECT_EQ(self->buf[i].traffic.local_addr[0], 10);
			seen += self->buf[i].id == c.id;
		}
	} while (e.count == e.max_entries);
	EXPECT_EQ(seen, 1);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
}

TEST_F(raw, enum_reserved_fields)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.reserved[0] = 1);
	ENUM_EINVAL(e.reserved[1] = 1ULL << 63);
	ENUM_EINVAL(e.local.reserved[0] = 1);
	ENUM_EINVAL(e.remote.reserved[5] = 1);
}

TEST_F(raw, enum_count_set_on_input)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.count = 1);
}

TEST_F(raw, enum_max_entries_too_big)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.max_entries = WFP_IPSEC_ENUM_MAX + 1);
	ENUM_EINVAL(e.max_entries = ~0U);
}

TEST_F(raw, enum_bad_subnet_ip_version)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.local.ip_version = 5);
	ENUM_EINVAL(e.remote.ip_version = 41);
}

TEST_F(raw, enum_v4_prefix_too_long)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.local.prefix_len = 33);
	ENUM_EINVAL(e.local.prefix_len = 255);
}

TEST_F(raw, enum_v6_prefix_too_long)
{
	struct wfp_ipsec_ctx_enum e = self->e;

	raw_subnet_v6(&e.local, 128);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), 0);
	ENUM_EINVAL(raw_subnet_v6(&e.local, 129));
}

TEST_F(raw, enum_host_bits_set)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.local.addr[1] = 1);	/* 10.1.0.0/8 */
	/* 10.64.0.0/9 */
	ENUM_EINVAL(e.local.prefix_len = 9; e.local.addr[1] = 0x40);
	/* past an IPv4 address */
	ENUM_EINVAL(e.local.prefix_len = 32; e.local.addr[4] = 1);
	/* 10.0.0.0/0, the other side any IPv4 address */
	ENUM_EINVAL(e.local.prefix_len = 0;
		    e.remote.ip_version = WFP_IPSEC_IPV4);
	ENUM_EINVAL(raw_subnet_v6(&e.local, 32));	/* 2001:db8::1/32 */
}

TEST_F(raw, enum_mixed_ip_versions)
{
	struct wfp_ipsec_ctx_enum e;

	ENUM_EINVAL(e.remote.ip_version = WFP_IPSEC_IPV6;
		    e.remote.prefix_len = 32;
		    memcpy(e.remote.addr, v6_local, 4));
}

/*
 * The prefix match of enumeration (and subscription) templates against
 * a bit-by-bit reference, on random addresses, through the real ioctls.
 * Each round a context gets random IPv4 or IPv6 addresses; each side of
 * a template is empty, the context's own address cut to a random prefix
 * (half of them with one prefix bit flipped) or of the other IP version.
 * The enumeration must return the context exactly when the reference
 * says both sides match (EINVAL when the two sides' versions differ),
 * and the template with one host bit set below its prefix must be
 * refused.  The seed is printed; WFP_TEST_SEED=N replays a run.  The
 * debug kernel makes a tenth of the rounds (WFP_TEST_DIVISOR), as for
 * the scale tests.
 */
#define MATCH_ROUNDS	2000

static __u64 rnd_next(__u64 *s)
{
	/* xorshift64: enough for test data, the same on every libc. */
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned int rnd_below(__u64 *s, unsigned int n)
{
	return (unsigned int)(rnd_next(s) % n);
}

static bool addr_bit(const __u8 *a, unsigned int i)
{
	return a[i / 8] & (0x80 >> (i % 8));
}

static unsigned int addr_bits(__u8 ip_version)
{
	return ip_version == WFP_IPSEC_IPV4 ? 32 : 128;
}

/* The reference: one bit at a time, nothing shared with the module. */
static bool naive_match(const struct wfp_ipsec_subnet *sn, __u8 ip_version,
			const __u8 *addr)
{
	unsigned int i;

	if (!sn->ip_version)
		return true;
	if (sn->ip_version != ip_version)
		return false;
	for (i = 0; i < sn->prefix_len; i++)
		if (addr_bit(sn->addr, i) != addr_bit(addr, i))
			return false;
	return true;
}

static void random_addr(__u64 *s, __u8 ip_version, __u8 *addr)
{
	unsigned int i, len = addr_bits(ip_version) / 8;

	memset(addr, 0, 16);
	for (i = 0; i < len; i++)
		addr[i] = (__u8)rnd_next(s);
	/* The unspecified address is no endpoint. */
	addr[len - 1] |= !memcmp(addr, (__u8[16]){ 0 }, len);
}

/* addr cut to its first bits bits: a well-formed subnet. */
static void prefix_of(struct wfp_ipsec_subnet *sn, __u8 ip_version,
		      const __u8 *addr, unsigned int bits)
{
	unsigned int i;

	memset(sn, 0, sizeof(*sn));
	sn->ip_version = ip_version;
	sn->prefix_len = bits;
	for (i = 0; i < bits; i++)
		if (addr_bit(addr, i))
			sn->addr[i / 8] |= 0x80 >> (i % 8);
}

static void random_side(__u64 *s, struct wfp_ipsec_subnet *sn,
			__u8 ip_version, const __u8 *addr)
{
	unsigned int bits, i;

	switch (rnd_below(s, 8)) {
	case 0:
		memset(sn, 0, sizeof(*sn));
		return;
	case 1:
		ip_version = ip_version == WFP_IPSEC_IPV4 ? WFP_IPSEC_IPV6 :
							    WFP_IPSEC_IPV4;
		break;
	}
	bits = rnd_below(s, addr_bits(ip_version) + 1);
	prefix_of(sn, ip_version, addr, bits);
	if (bits && rnd_below(s, 2)) {
		i = rnd_below(s, bits);
		sn->addr[i / 8] ^= 0x80 >> (i % 8);
	}
}

static void log_subnet(struct __test_metadata *_metadata, const char *side,
		       const struct wfp_ipsec_subnet *sn)
{
	char buf[INET6_ADDRSTRLEN] = "any";

	if (sn->ip_version)
		inet_ntop(sn->ip_version == WFP_IPSEC_IPV4 ? AF_INET :
			  AF_INET6, sn->addr, buf, sizeof(buf));
	TH_LOG("%s template %s/%u", side, buf, sn->prefix_len);
}

/* Alone in a namespace: an enumeration sees the round's context or none. */
FIXTURE(match) {
	int fd;
};

FIXTURE_SETUP(match)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->fd = wfp_session(_metadata);
}

FIXTURE_TEARDOWN(match)
{
	close(self->fd);
}

/* About 6 s in an idle stock guest, 10 s beside other guests. */
TEST_F_TIMEOUT(match, enum_template_prefix_random, 120)
{
	struct wfp_ipsec_ctx_create c;
	struct wfp_ipsec_ctx_enum e, h;
	struct wfp_ipsec_subnet *side;
	const char *env = getenv("WFP_TEST_SEED");
	__u64 seed, s, ids[2];
	unsigned int round, bits, i;
	__u8 v, *addr;
	bool want;
	int fd = self->fd;
	long n;

	seed = env && *env ? strtoull(env, NULL, 0) :
	       (__u64)wfp_clock_ns(CLOCK_MONOTONIC) ^ (__u64)getpid() << 32;
	s = seed ? seed : 1;
	TH_LOG("seed %llu (WFP_TEST_SEED replays it)",
	       (unsigned long long)seed);
	for (round = 0; round < (unsigned int)wfp_scaled(MATCH_ROUNDS);
	     round++) {
		memset(&c, 0, sizeof(c));
		raw_traffic_v4(&c.traffic);
		if (rnd_below(&s, 2))
			raw_to_v6(&c.traffic);
		v = c.traffic.ip_version;
		random_addr(&s, v, c.traffic.local_addr);
		random_addr(&s, v, c.traffic.remote_addr);
		ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0)
			TH_LOG("round %u", round);

		memset(&e, 0, sizeof(e));
		random_side(&s, &e.local, v, c.traffic.local_addr);
		random_side(&s, &e.remote, v, c.traffic.remote_addr);
		n = raw_enum_ids(fd, &e, ids, ARRAY_SIZE(ids));
		if (e.local.ip_version && e.remote.ip_version &&
		    e.local.ip_version != e.remote.ip_version) {
			EXPECT_EQ(n, -EINVAL);
		} else {
			want = naive_match(&e.local, v, c.traffic.local_addr) &&
			       naive_match(&e.remote, v, c.traffic.remote_addr);
			EXPECT_EQ(n, want);
			if (n == 1)
				EXPECT_EQ(ids[0], c.id);
		}

		/* One side the context's own prefix, short of the whole
		 * address, the other empty: accepted; with a host bit set
		 * below the prefix: refused.
		 */
		memset(&h, 0, sizeof(h));
		side = rnd_below(&s, 2) ? &h.local : &h.remote;
		addr = side == &h.local ? c.traffic.local_addr :
					  c.traffic.remote_addr;
		bits = rnd_below(&s, addr_bits(v));
		prefix_of(side, v, addr, bits);
		EXPECT_EQ(raw_enum_ids(fd, &h, NULL, 0), 1);
		i = bits + rnd_below(&s, addr_bits(v) - bits);
		side->addr[i / 8] |= 0x80 >> (i % 8);
		EXPECT_EQ(raw_enum_ids(fd, &h, NULL, 0), -EINVAL)
			TH_LOG("host bit %u", i);

		ASSERT_EQ(raw_delete(fd, c.id), 0);
		if (!_metadata->passed) {
			TH_LOG("round %u of seed %llu", round,
			       (unsigned long long)seed);
			log_subnet(_metadata, "local", &e.local);
			log_subnet(_metadata, "remote", &e.remote);
			log_subnet(_metadata, "host-bit", side);
			break;
		}
	}
}

TEST_F(raw, bad_user_pointers_efault)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_enum e = self->e;

	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, NULL), -EFAULT);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_GET, NULL), -EFAULT);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_DELETE, NULL), -EFAULT);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, NULL), -EFAULT);
	/* Entries to copy out, nowhere to put them. */
	e.entries = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), -EFAULT);
	EXPECT_EQ(e.cursor, 0);
	EXPECT_EQ(e.count, 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
}

static int raw_no_rights(void *arg)
{
	struct wfp_ipsec_ctx_create c;
	struct wfp_ipsec_ctx_info info;
	struct wfp_ipsec_ctx_enum e = { 0 };
	__u64 id = *(__u64 *)arg;
	int fd;

	if (drop_cap_net_admin())
		return 100;
	fd = wfp_open();
	if (fd < 0 || wfp_hello(fd, 0, NULL))
		return 101;
	memset(&c, 0, sizeof(c));
	raw_traffic_v4(&c.traffic);
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_CREATE, &c) != -EACCES)
		return 1;
	if (raw_get(fd, id, &info) != -EACCES)
		return 2;
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_ENUM, &e) != -EACCES)
		return 3;
	if (raw_delete(fd, id) != -EACCES)
		return 4;
	close(fd);
	return 0;
}

TEST_F(raw, no_rights_eacces)
{
	struct wfp_ipsec_ctx_create c = self->c;
	struct wfp_ipsec_ctx_info info;

	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	EXPECT_EQ(run_in_child(raw_no_rights, &c.id), 0);
	EXPECT_EQ(raw_get(self->fd, c.id, &info), 0);
	EXPECT_EQ(ctx_count(self->fd), self->count0 + 1);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
}

TEST_F(raw, dynamic_session_eperm)
{
	struct wfp_ipsec_ctx_create c = self->c, c2 = self->c;
	struct wfp_ipsec_ctx_info info;
	int dyn = wfp_open();

	ASSERT_GE(dyn, 0);
	ASSERT_EQ(wfp_hello(dyn, WFP_IPSEC_SESSION_F_DYNAMIC, NULL), 0);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), 0);
	EXPECT_EQ(wfp_test_ioctl(dyn, WFP_IPSEC_IOC_CTX_CREATE, &c2), -EPERM);
	EXPECT_EQ(c2.id, 0);
	EXPECT_EQ(raw_delete(dyn, c.id), -EPERM);
	EXPECT_EQ(raw_get(dyn, c.id, &info), 0);
	EXPECT_EQ(ctx_count(dyn), self->count0 + 1);
	EXPECT_EQ(raw_delete(self->fd, c.id), 0);
	close(dyn);
}

/* ==================================================================== */
/* Tests that need exact counts: a network namespace of their own       */
/* ==================================================================== */

FIXTURE(netns) {
	HANDLE h;
	int fd;
};

FIXTURE_SETUP(netns)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->h = engine_open_ok(_metadata, 0);
	self->fd = engine_fd(_metadata, self->h);
	ASSERT_EQ(ctx_count(self->fd), 0);
}

FIXTURE_TEARDOWN(netns)
{
	FwpmEngineClose0(self->h);
}

TEST_F_TIMEOUT(netns, ten_thousand_contexts_enumerated_in_pages_of_7, 300)
{
	enum { N = 10000, PAGE = 7 };
	UINT64 *ids = calloc(N, sizeof(*ids));
	UINT64 *got = calloc(N + 1, sizeof(*got));
	long long t0, create_ms, enum_ms, delete_ms;
	IPSEC_TRAFFIC1 t;
	struct walk_info wi;
	long n, i, bad = 0;

	ASSERT_NE(ids, NULL);
	ASSERT_NE(got, NULL);
	t0 = wfp_now_ms();
	for (i = 0; i < N; i++) {
		t = peer_traffic(i & 1, i & 2, i);
		ASSERT_EQ(IPsecSaContextCreate1(self->h, &t, NULL, NULL,
						&ids[i]), ERROR_SUCCESS)
			TH_LOG("context %ld", i);
		ASSERT_GT(ids[i], i ? ids[i - 1] : 0);
	}
	create_ms = wfp_now_ms() - t0;

	t0 = wfp_now_ms();
	n = walk(self->h, NULL, PAGE, got, N + 1, &wi);
	enum_ms = wfp_now_ms() - t0;
	ksft_print_msg("%d contexts: created in %lld ms, enumerated in pages of %d in %lld ms (%ld calls)\n",
		       N, create_ms, PAGE, enum_ms, wi.calls);
	ASSERT_EQ(n, N) TH_LOG("walk returned %ld", n);
	EXPECT_EQ(wi.calls, N / PAGE + 1);
	EXPECT_EQ(wi.last_page, N % PAGE);
	EXPECT_LT(wi.last_page, PAGE);
	/* Both lists strictly increase: equal means each seen exactly once. */
	for (i = 0; i < N; i++)
		bad += got[i] != ids[i];
	EXPECT_EQ(bad, 0);

	/* More than the module's page per call: the library fills it. */
	n = walk(self->h, NULL, 3000, NULL, 0, &wi);
	EXPECT_EQ(n, N);
	EXPECT_EQ(wi.calls, 4);
	EXPECT_EQ(wi.last_page, 1000);

	t0 = wfp_now_ms();
	for (i = 0; i < N; i++) {
		ASSERT_EQ(IPsecSaContextDeleteById0(self->h, ids[i]),
			  ERROR_SUCCESS);
	}
	delete_ms = wfp_now_ms() - t0;
	ksft_print_msg("%d contexts deleted in %lld ms\n", N, delete_ms);
	EXPECT_EQ(ctx_count(self->fd), 0);
	free(ids);
	free(got);
}

/* One Enum1 page; returns how many ids it held (stored in ids). */
static UINT32 enum_page(struct __test_metadata *_metadata, HANDLE h,
			HANDLE eh, UINT32 page, UINT64 *ids)
{
	IPSEC_SA_CONTEXT1 **e = NULL;
	UINT32 n = 0, i;

	ASSERT_EQ(IPsecSaContextEnum1(h, eh, page, &e, &n), ERROR_SUCCESS);
	ASSERT_LE(n, page);
	for (i = 0; i < n; i++) {
		ASSERT_NE(e[i], NULL);
		ids[i] = e[i]->saContextId;
	}
	FwpmFreeMemory0((void **)&e);
	return n;
}

/*
 * The cursor's context deleted between pages: the walk goes on right
 * after it, returning nothing twice and missing nothing that stayed.
 */
TEST_F(netns, enum_resumes_after_deleted_cursor)
{
	enum { N = 20 };
	UINT64 ids[N], got[8], late;
	IPSEC_TRAFFIC1 t;
	HANDLE eh;
	UINT32 n, i;
	int k, seen[N] = { 0 }, late_seen = 0;

	for (k = 0; k < N; k++) {
		t = peer_traffic(k & 1, false, k);
		ids[k] = create1(_metadata, self->h, &t);
	}
	eh = enum_open(_metadata, self->h, NULL);
	ASSERT_EQ(enum_page(_metadata, self->h, eh, 5, got), 5);
	EXPECT_EQ(memcmp(got, ids, 5 * sizeof(*got)), 0);

	/* The cursor and the context after it go. */
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, ids[4]), ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, ids[5]), ERROR_SUCCESS);
	ASSERT_EQ(enum_page(_metadata, self->h, eh, 5, got), 5);
	EXPECT_EQ(memcmp(got, ids + 6, 5 * sizeof(*got)), 0);

	/* The cursor goes and a new context comes (it may be returned). */
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, ids[10]), ERROR_SUCCESS);
	t = peer_traffic(false, false, N);
	late = create1(_metadata, self->h, &t);
	ASSERT_EQ(enum_page(_metadata, self->h, eh, 5, got), 5);
	EXPECT_EQ(memcmp(got, ids + 11, 5 * sizeof(*got)), 0);
	do {
		n = enum_page(_metadata, self->h, eh, 5, got);
		for (i = 0; i < n; i++) {
			for (k = 0; k < N && ids[k] != got[i]; k++)
				;
			if (k < N)
				seen[k]++;
			else
				EXPECT_EQ(got[i], late);
			late_seen += got[i] == late;
		}
	} while (n == 5);
	/* Nothing returned or deleted before comes back. */
	for (k = 0; k < N; k++) {
		EXPECT_EQ(seen[k], k >= 16) TH_LOG("context %d", k);
	}
	EXPECT_LE(late_seen, 1);
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(self->h, eh), ERROR_SUCCESS);
}

/* ------------------------------------------------------------ concurrency */

#define STABLE_N	150
#define CHURN_BATCH	5
#define CHURNERS	3
#define ENUMERATORS	3
#define WALKS		20

/* What the walkers share: the contexts they find and when to stop. */
struct conc_shared {
	int stop;
	int started;
	UINT64 stable[STABLE_N];	/* sorted; exist throughout */
	UINT64 victims[STABLE_N];	/* made before; deleted meanwhile */
};

struct churner {
	HANDLE h;
	UINT32 who;
	struct conc_shared *sh;
	long rounds;
	long errors;
};

struct enumerator {
	HANDLE h;
	UINT32 page;
	struct conc_shared *sh;
	long walks;
	long errors;
};

/*
 * Creates, reads and deletes its own contexts until told to stop.  A
 * thread's function (arg: its struct churner), called by processes too.
 */
static void *churn(void *arg)
{
	struct churner *c = arg;
	IPSEC_SA_CONTEXT1 *got;
	UINT64 ids[CHURN_BATCH];
	IPSEC_TRAFFIC1 t;
	int i, v = c->who;

	__atomic_add_fetch(&c->sh->started, 1, __ATOMIC_SEQ_CST);
	do {
		for (i = 0; i < CHURN_BATCH; i++) {
			t = peer_traffic(i & 1, false,
					 20000 + c->who * CHURN_BATCH + i);
			if (IPsecSaContextCreate1(c->h, &t, NULL, NULL,
						  &ids[i])) {
				c->errors++;
				ids[i] = 0;
			}
		}
		/* A pre-made context an enumeration may have as cursor. */
		if (v < STABLE_N) {
			if (IPsecSaContextDeleteById0(c->h, c->sh->victims[v]))
				c->errors++;
			v += CHURNERS;
		}
		for (i = 0; i < CHURN_BATCH; i++) {
			if (!ids[i])
				continue;
			got = NULL;
			if (IPsecSaContextGetById1(c->h, ids[i], &got) ||
			    !got || got->saContextId != ids[i])
				c->errors++;
			FwpmFreeMemory0((void **)&got);
			if (IPsecSaContextDeleteById0(c->h, ids[i]))
				c->errors++;
			if (IPsecSaContextGetById1(c->h, ids[i], &got) !=
			    FWP_E_NOT_FOUND)
				c->errors++;
		}
		c->rounds++;
	} while (!__atomic_load_n(&c->sh->stop, __ATOMIC_SEQ_CST));
	for (; v < STABLE_N; v += CHURNERS)
		if (IPsecSaContextDeleteById0(c->h, c->sh->victims[v]))
			c->errors++;
	return NULL;
}

/*
 * Full walks: no duplicates ever, every stable context exactly once.  A
 * thread's function (arg: its struct enumerator), called by processes too.
 */
static void *enumerate(void *arg)
{
	struct enumerator *en = arg;
	UINT64 *ids = malloc(WALK_MAX * sizeof(*ids)), *p;
	unsigned char seen[STABLE_N];
	long n, i;
	int w, k;

	if (!ids) {
		en->errors++;
		return NULL;
	}
	while (__atomic_load_n(&en->sh->started, __ATOMIC_SEQ_CST) < CHURNERS)
		sched_yield();
	for (w = 0; w < WALKS; w++) {
		memset(seen, 0, sizeof(seen));
		/* walk() fails on any id not above the one before it. */
		n = walk(en->h, NULL, en->page, ids, WALK_MAX, NULL);
		if (n < 0 || n > WALK_MAX) {
			en->errors++;
			continue;
		}
		for (i = 0; i < n; i++) {
			p = bsearch(&ids[i], en->sh->stable, STABLE_N,
				    sizeof(*p), cmp_u64);
			if (p)
				seen[p - en->sh->stable]++;
		}
		for (k = 0; k < STABLE_N; k++)
			en->errors += seen[k] != 1;
		en->walks++;
	}
	free(ids);
	return NULL;
}

/* STABLE_N contexts to keep, each followed by a victim to delete. */
static void make_stable_and_victims(struct __test_metadata *_metadata,
				    HANDLE h, struct conc_shared *sh)
{
	IPSEC_TRAFFIC1 t;
	int i;

	for (i = 0; i < STABLE_N; i++) {
		t = peer_traffic(i & 1, i & 2, 2 * i);
		sh->stable[i] = create1(_metadata, h, &t);
		t = peer_traffic(i & 1, i & 2, 2 * i + 1);
		sh->victims[i] = create1(_metadata, h, &t);
	}
}

static const UINT32 pages[ENUMERATORS] = { 5, 7, 64 };

TEST_F_TIMEOUT(netns, threads_churn_while_others_enumerate, 120)
{
	struct conc_shared sh = { 0 };
	struct enumerator en[ENUMERATORS];
	struct churner ch[CHURNERS];
	pthread_t te[ENUMERATORS], tc[CHURNERS];
	int i;

	make_stable_and_victims(_metadata, self->h, &sh);
	/* Every thread shares the one engine handle. */
	for (i = 0; i < ENUMERATORS; i++) {
		en[i] = (struct enumerator){ .h = self->h, .page = pages[i],
					     .sh = &sh };
		ASSERT_EQ(pthread_create(&te[i], NULL, enumerate, &en[i]), 0);
	}
	for (i = 0; i < CHURNERS; i++) {
		ch[i] = (struct churner){ .h = self->h, .who = i, .sh = &sh };
		ASSERT_EQ(pthread_create(&tc[i], NULL, churn, &ch[i]), 0);
	}
	for (i = 0; i < ENUMERATORS; i++) {
		ASSERT_EQ(pthread_join(te[i], NULL), 0);
		EXPECT_EQ(en[i].errors, 0) TH_LOG("enumerator %d", i);
		EXPECT_EQ(en[i].walks, WALKS);
	}
	__atomic_store_n(&sh.stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < CHURNERS; i++) {
		ASSERT_EQ(pthread_join(tc[i], NULL), 0);
		EXPECT_EQ(ch[i].errors, 0) TH_LOG("churner %d", i);
		EXPECT_GT(ch[i].rounds, 0);
	}
	ksft_print_msg("churn rounds per thread: %ld %ld %ld\n",
		       ch[0].rounds, ch[1].rounds, ch[2].rounds);
	/* Only the stable contexts are left. */
	EXPECT_EQ(ctx_count(self->fd), STABLE_N);
	for (i = 0; i < STABLE_N; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, sh.stable[i]),
			  ERROR_SUCCESS);
}

TEST_F_TIMEOUT(netns, processes_churn_while_others_enumerate, 120)
{
	struct conc_shared *sh = wfp_shared_mem(_metadata, sizeof(*sh));
	pid_t pids[ENUMERATORS + CHURNERS];	/* the enumerators first */
	int i, status;

	make_stable_and_victims(_metadata, self->h, sh);
	/* Each process opens its own engine in the same namespace. */
	for (i = 0; i < ENUMERATORS + CHURNERS; i++) {
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0) {
			HANDLE h = engine(0);
			struct enumerator en = { .h = h, .sh = sh };
			struct churner ch = { .h = h, .sh = sh,
					      .who = i - ENUMERATORS };

			if (!h)
				_exit(100);
			if (i < ENUMERATORS) {
				en.page = pages[i];
				enumerate(&en);
				_exit(en.errors || en.walks != WALKS ? 1 : 0);
			}
			churn(&ch);
			_exit(ch.errors ? 2 : ch.rounds > 0 ? 0 : 3);
		}
		pids[i] = pid;
	}
	for (i = 0; i < ENUMERATORS + CHURNERS; i++) {
		/* The churners go on until every enumerator is done. */
		if (i == ENUMERATORS)
			__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
		ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(WEXITSTATUS(status), 0) TH_LOG("%s %d",
			i < ENUMERATORS ? "enumerator" : "churner",
			i < ENUMERATORS ? i : i - ENUMERATORS);
	}
	EXPECT_EQ(ctx_count(self->fd), STABLE_N);
	for (i = 0; i < STABLE_N; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, sh->stable[i]),
			  ERROR_SUCCESS);
	munmap(sh, sizeof(*sh));
}

/* ------------------------------------------------------------ templates */

/*
 * Six contexts in a namespace of their own:
 *   0  v4 transport  10.0.0.1     -> 10.1.0.1
 *   1  v4 tunnel     10.0.0.2     -> 10.2.0.1
 *   2  v4 transport  192.168.1.1  -> 10.1.0.5
 *   3  v6 transport  2001:db8::1  -> 2001:db8:1::1
 *   4  v6 tunnel     2001:db8::2  -> 2001:db9::1
 *   5  v6 transport  fd00::1      -> 2001:db8:1::2
 */
#define NPOP 6
#define ALL_V4 0x07
#define ALL_V6 0x38

static const UINT8 a6_db8_2[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const UINT8 a6_db8_1_1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1,
				      [15] = 1 };
static const UINT8 a6_db8_1_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1,
				      [15] = 2 };
static const UINT8 a6_db9_1[16] = { 0x20, 0x01, 0x0d, 0xb9, [15] = 1 };
static const UINT8 a6_fd00_1[16] = { 0xfd, 0x00, [15] = 1 };

FIXTURE(pop) {
	HANDLE h;
	IPSEC_TRAFFIC1 t[NPOP];
	UINT64 id[NPOP];
};

FIXTURE_SETUP(pop)
{
	int i;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->h = engine_open_ok(_metadata, 0);
	self->t[0] = traffic4(V4(10, 0, 0, 1), V4(10, 1, 0, 1), false);
	self->t[1] = traffic4(V4(10, 0, 0, 2), V4(10, 2, 0, 1), true);
	self->t[2] = traffic4(V4(192, 168, 1, 1), V4(10, 1, 0, 5), false);
	self->t[3] = traffic6(v6_local, a6_db8_1_1, false);
	self->t[4] = traffic6(a6_db8_2, a6_db9_1, true);
	self->t[5] = traffic6(a6_fd00_1, a6_db8_1_2, false);
	for (i = 0; i < NPOP; i++)
		self->id[i] = create1(_metadata, self->h, &self->t[i]);
}

FIXTURE_TEARDOWN(pop)
{
	FwpmEngineClose0(self->h);
}

/* The template returns exactly the population members in want. */
static void expect_selects(struct __test_metadata *_metadata,
			   FIXTURE_DATA(pop) *self,
			   const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
			   unsigned int want)
{
	UINT64 ids[NPOP + 8];
	unsigned int got = 0;
	long n, i;
	int j;

	/* Pages of 4: a full page, then a short one, for all six. */
	n = walk(self->h, tmpl, 4, ids, ARRAY_SIZE(ids), NULL);
	ASSERT_GE(n, 0) TH_LOG("walk broke rule %ld", n);
	ASSERT_LE(n, NPOP);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NPOP && self->id[j] != ids[i]; j++)
			;
		ASSERT_LT(j, NPOP);
		got |= 1U << j;
	}
	EXPECT_EQ(got, want);
}

/* expect_selects() of the template { local, remote }. */
#define EXPECT_SELECTS(local, remote, want) do {			\
		IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t_ = { local, remote };	\
									\
		expect_selects(_metadata, self, &t_, want);		\
	} while (0)

TEST_F(pop, template_null_or_empty_matches_all)
{
	expect_selects(_metadata, self, NULL, ALL_V4 | ALL_V6);
	EXPECT_SELECTS(CV_ANY, CV_ANY, ALL_V4 | ALL_V6);
}

TEST_F(pop, template_v4_exact)
{
	FWP_CONDITION_VALUE0 l = CV(FWP_UINT32, uint32, V4(10, 0, 0, 1));
	FWP_CONDITION_VALUE0 r = CV(FWP_UINT32, uint32, V4(10, 1, 0, 5));

	EXPECT_SELECTS(l, CV_ANY, 1U << 0);
	EXPECT_SELECTS(CV_ANY, r, 1U << 2);
	EXPECT_SELECTS(l, r, 0);
}

/* FWP_UINT32 is host order: the byte-swapped value is another address. */
TEST_F(pop, template_v4_host_byte_order)
{
	/* 1.0.0.10 here */
	EXPECT_SELECTS(CV(FWP_UINT32, uint32, htonl(V4(10, 0, 0, 1))), CV_ANY,
		       0);
}

TEST_F(pop, template_v4_mask)
{
	FWP_V4_ADDR_AND_MASK m = { .addr = V4(10, 1, 0, 0),
				   .mask = 0xffff0000 };
	FWP_CONDITION_VALUE0 r = CV(FWP_V4_ADDR_MASK, v4AddrMask, &m);

	EXPECT_SELECTS(CV_ANY, r, 1U << 0 | 1U << 2);
	/* Host bits of addr are ignored. */
	m.addr = V4(10, 1, 2, 3);
	EXPECT_SELECTS(CV_ANY, r, 1U << 0 | 1U << 2);
	/* Mask 0: every IPv4 context, no IPv6 one. */
	m.mask = 0;
	EXPECT_SELECTS(CV_ANY, r, ALL_V4);
	m.addr = V4(10, 0, 0, 0);
	m.mask = 0xff000000;
	EXPECT_SELECTS(CV_ANY, r, ALL_V4);
	/* A boundary inside a byte: 10.0.0.0/15 holds 10.1 but not 10.2. */
	m.mask = 0xfffe0000;
	EXPECT_SELECTS(CV_ANY, r, 1U << 0 | 1U << 2);
}

TEST_F(pop, template_v4_local_and_remote)
{
	FWP_V4_ADDR_AND_MASK l = { .addr = V4(10, 0, 0, 0),
				   .mask = 0xff000000 };
	FWP_V4_ADDR_AND_MASK r = { .addr = V4(10, 2, 0, 0),
				   .mask = 0xffff0000 };
	FWP_CONDITION_VALUE0 lv = CV(FWP_V4_ADDR_MASK, v4AddrMask, &l);

	EXPECT_SELECTS(lv, CV_ANY, 1U << 0 | 1U << 1);
	EXPECT_SELECTS(lv, CV(FWP_V4_ADDR_MASK, v4AddrMask, &r), 1U << 1);
}

TEST_F(pop, template_v6_exact)
{
	FWP_BYTE_ARRAY16 l, r;

	memcpy(l.byteArray16, v6_local, 16);
	memcpy(r.byteArray16, a6_db8_1_2, 16);
	EXPECT_SELECTS(CV(FWP_BYTE_ARRAY16_TYPE, byteArray16, &l), CV_ANY,
		       1U << 3);
	EXPECT_SELECTS(CV_ANY, CV(FWP_BYTE_ARRAY16_TYPE, byteArray16, &r),
		       1U << 5);
}

TEST_F(pop, template_v6_prefix)
{
	FWP_V6_ADDR_AND_MASK m = { .addr = { 0x20, 0x01, 0x0d, 0xb8 },
				   .prefixLength = 32 };
	FWP_CONDITION_VALUE0 v = CV(FWP_V6_ADDR_MASK, v6AddrMask, &m);

	EXPECT_SELECTS(CV_ANY, v, 1U << 3 | 1U << 5);
	EXPECT_SELECTS(v, CV_ANY, 1U << 3 | 1U << 4);
	/* Host bits of addr are ignored. */
	m.addr[15] = 0xff;
	EXPECT_SELECTS(v, CV_ANY, 1U << 3 | 1U << 4);
	/* /128 is one address; /0 every IPv6 context, no IPv4 one. */
	memcpy(m.addr, v6_local, 16);
	m.prefixLength = 128;
	EXPECT_SELECTS(v, CV_ANY, 1U << 3);
	m.prefixLength = 0;
	EXPECT_SELECTS(v, CV_ANY, ALL_V6);
	/* A prefix boundary inside a byte: 2001:db8::/31 holds db9 too. */
	memcpy(m.addr, a6_db9_1, 16);
	m.prefixLength = 31;
	EXPECT_SELECTS(CV_ANY, v, 1U << 3 | 1U << 4 | 1U << 5);
	m.prefixLength = 32;
	EXPECT_SELECTS(CV_ANY, v, 1U << 4);
	/* 2001:db8:8000::/33 holds none of 2001:db8:1::1, :2. */
	memcpy(m.addr, v6_local, 4);
	memset(m.addr + 4, 0, 12);
	m.addr[4] = 0x80;
	m.prefixLength = 33;
	EXPECT_SELECTS(CV_ANY, v, 0);
	m.addr[4] = 0;
	EXPECT_SELECTS(CV_ANY, v, 1U << 3 | 1U << 5);
}

/*
 * Context 3's local 2001:db8::1 went in as IPSEC_TRAFFIC1 keeps it (bytes
 * reversed); templates are in network order, so 2001:db8::/32 matches it
 * and the reversed bytes, read as a network-order address, do not.
 */
TEST_F(pop, template_v6_byte_order)
{
	FWP_V6_ADDR_AND_MASK m = { .prefixLength = 32 };
	FWP_CONDITION_VALUE0 v = CV(FWP_V6_ADDR_MASK, v6AddrMask, &m);
	FWP_BYTE_ARRAY16 a;

	ASSERT_EQ(memcmp(self->t[3].localV6Address, v6_local_win, 16), 0);
	memcpy(m.addr, v6_local, 4);
	EXPECT_SELECTS(v, CV_ANY, 1U << 3 | 1U << 4);

	memcpy(m.addr, v6_local_win, 16);
	m.prefixLength = 128;
	EXPECT_SELECTS(v, CV_ANY, 0);
	memset(m.addr + 4, 0, 12);
	m.prefixLength = 32;
	EXPECT_SELECTS(v, CV_ANY, 0);

	v = CV(FWP_BYTE_ARRAY16_TYPE, byteArray16, &a);
	memcpy(a.byteArray16, v6_local_win, 16);
	EXPECT_SELECTS(v, CV_ANY, 0);
	memcpy(a.byteArray16, v6_local, 16);
	EXPECT_SELECTS(v, CV_ANY, 1U << 3);
}

/* ------------------------------------------------------------ namespaces */

static int isolation_child(void *arg)
{
	UINT64 id_a = *(UINT64 *)arg, id_b = 0;
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 77);
	IPSEC_SA_CONTEXT1 *c = NULL;
	HANDLE ha = NULL, hb = NULL;
	long count = -1;

	/* Opened before the move, so bound to namespace A. */
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &ha))
		return 100;
	if (unshare(CLONE_NEWNET))
		return 101;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &hb))
		return 102;
	/* B cannot see or touch A's context. */
	if (IPsecSaContextGetById1(hb, id_a, &c) != FWP_E_NOT_FOUND)
		return 1;
	if (IPsecSaContextDeleteById0(hb, id_a) != FWP_E_NOT_FOUND)
		return 2;
	if (walk_has(hb, id_a, &count) != 0 || count != 0)
		return 3;
	/* Nor A B's. */
	if (IPsecSaContextCreate1(hb, &t, NULL, NULL, &id_b))
		return 4;
	if (IPsecSaContextGetById1(ha, id_b, &c) != FWP_E_NOT_FOUND)
		return 5;
	if (IPsecSaContextDeleteById0(ha, id_b) != FWP_E_NOT_FOUND)
		return 6;
	if (walk_has(ha, id_b, NULL) != 0)
		return 7;
	/* Each still sees its own. */
	if (walk_has(ha, id_a, NULL) != 1)
		return 8;
	if (walk_has(hb, id_b, &count) != 1 || count != 1)
		return 9;
	if (IPsecSaContextGetById1(hb, id_b, &c))
		return 10;
	FwpmFreeMemory0((void **)&c);
	if (IPsecSaContextDeleteById0(hb, id_b))
		return 11;
	FwpmEngineClose0(ha);
	FwpmEngineClose0(hb);
	return 0;
}

TEST(namespaces_do_not_share_contexts)
{
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 78);
	HANDLE h = engine_open_ok(_metadata, 0);
	UINT64 id = create1(_metadata, h, &t);

	EXPECT_EQ(run_in_child(isolation_child, &id), 0);
	/* Still there, untouched. */
	expect_get1(_metadata, h, id, &t, NULL);
	EXPECT_EQ(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	FwpmEngineClose0(h);
}

/* ------------------------------------------------------------ limit */

/* The setting of the namespace the test process is in. */
#define MAX_CONTEXTS "/proc/sys/net/wfp_ipsec/max_contexts"

FIXTURE(quota) {
	HANDLE h;
	int fd;
	char old[32];
};

FIXTURE_SETUP(quota)
{
	/* A namespace of its own: the limit changed is only its own. */
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(read_str(MAX_CONTEXTS, self->old, sizeof(self->old)), 0);
	self->h = engine_open_ok(_metadata, 0);
	self->fd = engine_fd(_metadata, self->h);
}

FIXTURE_TEARDOWN(quota)
{
	EXPECT_EQ(write_str(MAX_CONTEXTS, self->old), 0);
	FwpmEngineClose0(self->h);
}

TEST_F(quota, create_beyond_max_contexts_not_enough_quota)
{
	struct wfp_ipsec_ctx_create c;
	IPSEC_TRAFFIC1 t = peer_traffic(false, false, 0);
	IPSEC_TRAFFIC0 t0 = traffic0_of(&t);
	UINT64 ids[3], id = SENTINEL, filter = SENTINEL;
	long existing = ctx_count(self->fd);
	char val[32];
	int i;

	ASSERT_GE(existing, 0);
	snprintf(val, sizeof(val), "%ld", existing + 3);
	ASSERT_EQ(write_str(MAX_CONTEXTS, val), 0);
	for (i = 0; i < 3; i++) {
		t.remoteV4Address = PEERS_V4 + 1 + i;
		ids[i] = create1(_metadata, self->h, &t);
	}
	EXPECT_EQ(IPsecSaContextCreate1(self->h, &t, NULL, &filter, &id),
		  ERROR_NOT_ENOUGH_QUOTA);
	EXPECT_EQ(IPsecSaContextCreate0(self->h, &t0, &filter, &id),
		  ERROR_NOT_ENOUGH_QUOTA);
	EXPECT_EQ(id, SENTINEL);
	EXPECT_EQ(filter, SENTINEL);
	memset(&c, 0, sizeof(c));
	raw_traffic_v4(&c.traffic);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c), -ENOSPC);
	EXPECT_EQ(c.id, 0);
	EXPECT_EQ(ctx_count(self->fd), existing + 3);

	/* A deletion makes room for exactly one more. */
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, ids[0]), ERROR_SUCCESS);
	ids[0] = create1(_metadata, self->h, &t);
	EXPECT_EQ(IPsecSaContextCreate1(self->h, &t, NULL, NULL, &id),
		  ERROR_NOT_ENOUGH_QUOTA);
	EXPECT_EQ(ctx_count(self->fd), existing + 3);

	/* With the old limit back, creating works again. */
	ASSERT_EQ(write_str(MAX_CONTEXTS, self->old), 0);
	id = create1(_metadata, self->h, &t);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, ids[i]),
			  ERROR_SUCCESS);
	EXPECT_EQ(ctx_count(self->fd), existing);
}

/* ------------------------------------------------------------ netns exit */

#define DYING_N		1000

struct dying_ns {
	long during;
};

static int fill_netns_and_leave(void *arg)
{
	struct dying_ns *d = arg;
	IPSEC_TRAFFIC1 t;
	HANDLE h = NULL;
	UINT64 id;
	int fd, i;

	if (unshare(CLONE_NEWNET))
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 101;
	for (i = 0; i < DYING_N; i++) {
		t = peer_traffic(i & 1, i & 2, i);
		if (IPsecSaContextCreate1(h, &t, NULL, NULL, &id))
			return 1;
	}
	if (WfpIpsecEngineGetFd(h, &fd) || ctx_count(fd) != DYING_N)
		return 2;
	d->during = slab_active("wfp_context");
	/* Close the session and exit: the namespace dies with its contexts. */
	return FwpmEngineClose0(h) ? 3 : 0;
}

TEST(netns_exit_frees_contexts)
{
	struct dying_ns *d = wfp_shared_mem(_metadata, sizeof(*d));
	long before, after = -1;
	long long start;

	before = slab_active("wfp_context");
	ASSERT_GE(before, 0) TH_LOG("no wfp_context row in /proc/slabinfo");
	ASSERT_EQ(run_in_child(fill_netns_and_leave, d), 0);
	/* Namespace cleanup and RCU callbacks run later: poll for them. */
	start = wfp_now_ms();
	do {
		after = slab_active("wfp_context");
		if (after >= 0 && after < before + DYING_N / 10)
			break;
		usleep(50 * 1000);
	} while (wfp_now_ms() - start < 5000);
	ksft_print_msg("wfp_context slab active objects: %ld before, %ld with %d contexts, %ld after %lld ms\n",
		       before, d->during, DYING_N, after, wfp_now_ms() - start);
	EXPECT_GE(d->during, before + DYING_N - DYING_N / 10);
	EXPECT_LT(after, before + DYING_N / 10);
	munmap(d, sizeof(*d));
}

TEST_HARNESS_MAIN
