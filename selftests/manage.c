// SPDX-License-Identifier: GPL-2.0
/*
 * Managing live contexts and the SA database: IPsecSaContextUpdate0
 * (Documentation/lifecycle.rst), IPsecGetStatistics0/1 (stats.rst) and
 * IPsecSaDbGetSecurityInfo0/SetSecurityInfo0 (rights.rst).
 *
 * FIXTURE wire: two network namespaces joined by a veth pair, as in
 * sa.c.  Side A - the test process - is keyed through libwfpipsec only,
 * side B with plain `ip xfrm`.  Update0 turns ESP-in-UDP on and off on a
 * live pair and moves it to a second address pair (MOBIKE); B follows by
 * hand, ping proves traffic flows, and the SPIs, keys and counters of A's
 * states carry over.  The statistics follow keying, traffic, failures,
 * deletion and rekeying.
 *
 * FIXTURE upd: one keyed context and no traffic, for every error path of
 * Update0, each checked to have changed nothing (the context and the
 * xfrm states and policies of the namespace).
 *
 * FIXTURE rights: the device node made world-openable for the test
 * (0600 again in teardown), a child running as uid 65534 with the rights
 * a hand-built DACL grants it.
 *
 * Every test runs in a network namespace of its own.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "wfp_ctx.h"
#include "wfp_sa.h"

/* A's inbound SPI (reserved with SetSpi0) and the peer's (A's outbound). */
#define SPI_IN		0x2000a001U
#define SPI_OUT		0x2000b001U
/* The rekeying context's. */
#define SPI_IN2		0x2000a002U
#define SPI_OUT2	0x2000b002U

/* ------------------------------------------------------------ keying */

/* What every bundle of these tests carries. */
static const IPSEC_SA_LIFETIME0 LT = { 3600, 1000000, 1000000 };

/*
 * gcm_ctx() between A1 and B1 up to COMPLETE: the first failure, or
 * ERROR_SUCCESS.  *id is set as soon as the context exists.  Usable from
 * children (no assertions).
 */
static DWORD key_ctx(HANDLE h, UINT32 spi_in, UINT32 spi_out,
		     unsigned int seed, UINT64 *id)
{
	IPSEC_TRAFFIC1 t;

	wfp_traffic_set(&t, false, A1, B1);
	return gcm_ctx(h, &t, ST_COMPLETE, spi_in, spi_out,
		       seed, &LT, id);
}

static bool addr_is(const UINT8 *a, const char *s)
{
	struct in_addr x;

	return inet_pton(AF_INET, s, &x) == 1 && !memcmp(a, &x, 4);
}

/* ================================================ two namespaces: wire */

/* A keyed through the library; the context remembered for teardown. */
static UINT64 a_full(struct __test_metadata *_metadata, struct env *e,
		     UINT32 spi_in, UINT32 spi_out, unsigned int seed)
{
	UINT64 id = 0;
	DWORD rc = key_ctx(e->h, spi_in, spi_out, seed, &id);

	env_keep(e, id);
	EXPECT_EQ(rc, ERROR_SUCCESS);
	return id;
}

/*
 * A second context, of traffic A2 - B2 (into *t), taken to state `to`
 * as gcm_ctx() does, with SPI_IN2 and SPI_OUT2; remembered for teardown.
 */
static UINT64 a2_ctx(struct __test_metadata *_metadata, struct env *e, int to,
		     IPSEC_TRAFFIC1 *t)
{
	UINT64 id = 0;
	DWORD rc;

	wfp_traffic_set(t, false, A2, B2);
	rc = gcm_ctx(e->h, t, to, SPI_IN2, SPI_OUT2, 1, &LT, &id);
	env_keep(e, id);
	ASSERT_EQ(rc, ERROR_SUCCESS);
	return id;
}

/* B's outbound sequence number on spi. */
static unsigned long long b_sent(struct env *e, UINT32 spi)
{
	struct xs x = { 0 };

	if (sa_find(e->bns, spi, 0, &x) != 1)
		return 0;
	return x.oseq;
}

/* B keyed by hand (keys of seed, sending on from oseq), and its policies. */
static void b_peer(struct __test_metadata *_metadata, struct env *e,
		   unsigned int seed, unsigned long long oseq)
{
	gcm_b_states(_metadata, e, SPI_IN, SPI_OUT, seed, oseq);
	b_policies(_metadata, e);
}

/*
 * B's states again, ESP-in-UDP or not as natt says, sending on where the
 * old ones stopped (its policies stay).
 */
static void b_restate(struct __test_metadata *_metadata, struct env *e,
		      bool natt)
{
	unsigned long long oseq = b_sent(e, SPI_IN);

	ASSERT_EQ(sh_in(e->bns, "ip xfrm state flush"), 0);
	e->natt = natt;
	gcm_b_states(_metadata, e, SPI_IN, SPI_OUT, 1, oseq);
}

/* Packets and bytes of A's state with this SPI. */
static struct xs a_sa(struct __test_metadata *_metadata, UINT32 spi)
{
	struct xs x = { 0 };

	EXPECT_EQ(sa_find(-1, spi, 0, &x), 1) TH_LOG("A's SA %#x", spi);
	return x;
}

/* ----------------------------------------------------------- Update0 */

/*
 * GetById1, then Update0 of both SA details: with local, their traffic
 * to the pair local/remote; else their udpEncapsulation, on (ports
 * port) or off (0).
 */
static DWORD update_both(HANDLE h, UINT64 id, UINT16 port, const char *local,
			 const char *remote)
{
	UINT64 what = local ? IPSEC_SA_DETAILS_UPDATE_TRAFFIC :
			      IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION;
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { port, port };
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_SA_DETAILS1 *d[2];
	DWORD rc;
	int i;

	rc = IPsecSaContextGetById1(h, id, &c);
	if (rc)
		return rc;
	d[0] = c->outboundSa;
	d[1] = c->inboundSa;
	for (i = 0; i < 2; i++) {
		if (!d[i])
			continue;
		if (local)
			wfp_traffic_set(&d[i]->traffic, false, local, remote);
		else
			d[i]->udpEncapsulation = port ? &enc : NULL;
	}
	rc = IPsecSaContextUpdate0(h, what, c);
	FwpmFreeMemory0((void **)&c);
	return rc;
}

/* A's state spi: same key as keyed, encapsulation as expected. */
static void expect_a_state(struct __test_metadata *_metadata, UINT32 spi,
			   int dir, const char *src, const char *dst,
			   bool encap, const struct xs *before)
{
	UINT8 k[GCM_KEYLEN];
	struct xs x;

	key_fill(k, GCM_KEYLEN, 1, dir);
	ASSERT_EQ(sa_find(-1, spi, 0, &x), 1) TH_LOG("A's SA %#x", spi);
	EXPECT_STREQ(x.aead, "rfc4106(gcm(aes))");
	EXPECT_EQ(x.aead_bits, GCM_KEYLEN * 8);
	EXPECT_EQ(memcmp(x.aead_key, k, GCM_KEYLEN), 0) TH_LOG("key of %#x", spi);
	EXPECT_TRUE(addr_is(x.saddr, src)) TH_LOG("source of %#x", spi);
	EXPECT_TRUE(addr_is(x.daddr, dst)) TH_LOG("destination of %#x", spi);
	EXPECT_EQ(x.encap, encap) TH_LOG("encapsulation of %#x", spi);
	if (encap) {
		EXPECT_EQ(x.encap_type, UDP_ENCAP_ESPINUDP);
		EXPECT_EQ(x.encap_sport, 4500);
		EXPECT_EQ(x.encap_dport, 4500);
	}
	if (before) {
		/* The copy carries the counters over. */
		EXPECT_GE(x.packets, before->packets) TH_LOG("packets of %#x", spi);
		EXPECT_GE(x.bytes, before->bytes) TH_LOG("bytes of %#x", spi);
		EXPECT_EQ(x.reqid, before->reqid);
		/* And the anti-replay state. */
		EXPECT_GE(x.seq, before->seq) TH_LOG("replay seq of %#x", spi);
		EXPECT_GE(x.oseq, before->oseq) TH_LOG("oseq of %#x", spi);
	}
}

FIXTURE(wire) {
	struct env e;
};

FIXTURE_SETUP(wire)
{
	env_setup(_metadata, &self->e, ENV_PEER | ENV_SECOND);
}

FIXTURE_TEARDOWN(wire)
{
	env_teardown(&self->e);
}

/*
 * strongSwan's NAT-T sequence on a live pair: GetById1, udpEncapsulation
 * on both SA details, Update0.  B moves to ESP-in-UDP by hand; traffic
 * then goes over UDP 4500 both ways with the same SPIs and keys.  Off
 * again the same way.
 */
TEST_F_TIMEOUT(wire, update_natt_flip_on_live_pair, 120)
{
	struct env *e = &self->e;
	long long ua0, ub0, ua1, ub1;
	struct xs in0, out0, in1, out1;
	UINT64 id;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_peer(_metadata, e, 1, 0);
	env_natt_sockets(_metadata, e);
	ASSERT_EQ(ping(e, false, 3), 0) TH_LOG("plain ESP ping");
	in0 = a_sa(_metadata, SPI_IN);
	out0 = a_sa(_metadata, SPI_OUT);
	EXPECT_GE(in0.packets, 3);
	EXPECT_GE(out0.packets, 3);
	EXPECT_FALSE(in0.encap);

	ASSERT_EQ(update_both(e->h, id, 4500, NULL, NULL), ERROR_SUCCESS);
	EXPECT_EQ(sa_count(-1), 2);
	expect_a_state(_metadata, SPI_IN, DIR_IN, B1, A1, true, &in0);
	expect_a_state(_metadata, SPI_OUT, DIR_OUT, A1, B1, true, &out0);

	b_restate(_metadata, e, true);
	ua0 = snmp(-1, "Udp", "InDatagrams");
	ub0 = snmp(e->bns, "Udp", "InDatagrams");
	ASSERT_GE(ua0, 0);
	ASSERT_GE(ub0, 0);
	EXPECT_EQ(ping(e, false, 3), 0) TH_LOG("ESP-in-UDP ping A -> B");
	EXPECT_EQ(ping(e, true, 3), 0) TH_LOG("ESP-in-UDP ping B -> A");
	ua1 = snmp(-1, "Udp", "InDatagrams");
	ub1 = snmp(e->bns, "Udp", "InDatagrams");
	/* Every echo and reply arrived over UDP. */
	EXPECT_GE(ua1 - ua0, 6) TH_LOG("A's UDP InDatagrams %lld -> %lld",
				      ua0, ua1);
	EXPECT_GE(ub1 - ub0, 6) TH_LOG("B's UDP InDatagrams %lld -> %lld",
				      ub0, ub1);
	in1 = a_sa(_metadata, SPI_IN);
	out1 = a_sa(_metadata, SPI_OUT);
	EXPECT_GE(in1.packets, in0.packets + 6);
	EXPECT_GE(out1.packets, out0.packets + 6);
	EXPECT_TRUE(in1.encap);

	/* Off again. */
	ASSERT_EQ(update_both(e->h, id, 0, NULL, NULL), ERROR_SUCCESS);
	EXPECT_EQ(sa_count(-1), 2);
	expect_a_state(_metadata, SPI_IN, DIR_IN, B1, A1, false, &in1);
	expect_a_state(_metadata, SPI_OUT, DIR_OUT, A1, B1, false, &out1);
	b_restate(_metadata, e, false);
	ua0 = snmp(-1, "Udp", "InDatagrams");
	EXPECT_EQ(ping(e, false, 3), 0) TH_LOG("plain ESP ping again");
	ua1 = snmp(-1, "Udp", "InDatagrams");
	EXPECT_EQ(ua1, ua0) TH_LOG("still over UDP");
	in0 = a_sa(_metadata, SPI_IN);
	EXPECT_GE(in0.packets, in1.packets + 3);
	EXPECT_EQ(ctx_info(_metadata, e->fd, id).state, ST_COMPLETE);
}

/*
 * MOBIKE: Update0 with new traffic on both SA details moves A's states
 * and policies to the second address pair; B moves by hand and traffic
 * flows between the new addresses, same SPIs and keys.
 */
TEST_F_TIMEOUT(wire, update_traffic_moves_to_new_addresses, 120)
{
	struct env *e = &self->e;
	IPSEC_SA_CONTEXT1 *c = NULL;
	unsigned long long oseq;
	IPSEC_TRAFFIC1 want;
	struct xs out0;
	struct xp *v;
	UINT64 id;
	int n, i;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_peer(_metadata, e, 1, 0);
	ASSERT_EQ(ping(e, false, 3), 0);
	out0 = a_sa(_metadata, SPI_OUT);

	ASSERT_EQ(update_both(e->h, id, 0, A2, B2), ERROR_SUCCESS);
	/* A's xfrm has the new addresses only. */
	EXPECT_EQ(sa_count(-1), 2);
	expect_a_state(_metadata, SPI_IN, DIR_IN, B2, A2, false, NULL);
	expect_a_state(_metadata, SPI_OUT, DIR_OUT, A2, B2, false, NULL);
	EXPECT_GE(a_sa(_metadata, SPI_OUT).packets, out0.packets);
	n = sp_dump(-1, &v);
	ASSERT_EQ(n, 2);
	for (i = 0; i < n; i++) {
		bool out = v[i].dir == XFRM_POLICY_OUT;

		EXPECT_TRUE(addr_is(v[i].saddr, out ? A2 : B2)) TH_LOG("dir %d",
								      v[i].dir);
		EXPECT_TRUE(addr_is(v[i].daddr, out ? B2 : A2)) TH_LOG("dir %d",
								      v[i].dir);
		EXPECT_EQ(v[i].reqid, ctx_info(_metadata, e->fd, id).reqid);
	}
	free(v);

	/* GetById1 reports the new traffic. */
	wfp_traffic_set(&want, false, A2, B2);
	ASSERT_EQ(IPsecSaContextGetById1(e->h, id, &c), ERROR_SUCCESS);
	ASSERT_NE(c->outboundSa, NULL);
	ASSERT_NE(c->inboundSa, NULL);
	EXPECT_EQ(c->outboundSa->traffic.localV4Address, want.localV4Address);
	EXPECT_EQ(c->outboundSa->traffic.remoteV4Address, want.remoteV4Address);
	EXPECT_EQ(c->inboundSa->traffic.localV4Address, want.localV4Address);
	EXPECT_EQ(c->inboundSa->traffic.remoteV4Address, want.remoteV4Address);
	EXPECT_EQ(c->outboundSa->saBundle.saList[0].spi, SPI_OUT);
	EXPECT_EQ(c->inboundSa->saBundle.saList[0].spi, SPI_IN);
	FwpmFreeMemory0((void **)&c);

	/* B follows; traffic between the new addresses is protected. */
	oseq = b_sent(e, SPI_IN);
	ASSERT_EQ(sh_in(e->bns, "ip xfrm state flush && ip xfrm policy flush"),
		  0);
	env_pair(e, A2, B2);
	b_peer(_metadata, e, 1, oseq);
	out0 = a_sa(_metadata, SPI_OUT);
	EXPECT_EQ(ping(e, false, 3), 0) TH_LOG("ping A -> B2");
	EXPECT_EQ(ping(e, true, 3), 0) TH_LOG("ping B -> A2");
	EXPECT_GE(a_sa(_metadata, SPI_OUT).packets, out0.packets + 6);
	EXPECT_GE(a_sa(_metadata, SPI_IN).packets, 6);

	ASSERT_EQ(IPsecSaContextDeleteById0(e->h, id), ERROR_SUCCESS);
	env_forget(e, id);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(sp_dump(-1, NULL), 0);
}

/* ======================================================== statistics */

static IPSEC_STATISTICS1 stats1(struct __test_metadata *_metadata, HANDLE h)
{
	IPSEC_STATISTICS1 st;

	memset(&st, 0xa5, sizeof(st));
	EXPECT_EQ(IPsecGetStatistics1(h, &st), ERROR_SUCCESS);
	return st;
}

#define AGG(st) ((st).aggregateSaStatistics)

/*
 * Statistics0 reports what Statistics1 did, s1: each of its members is the
 * start of Statistics1's, of one integer type throughout (no padding).
 */
static void expect_stats0_agrees(struct __test_metadata *_metadata, HANDLE h,
				 const IPSEC_STATISTICS1 *s1)
{
	IPSEC_STATISTICS0 s0;

	memset(&s0, 0xa5, sizeof(s0));
	ASSERT_EQ(IPsecGetStatistics0(h, &s0), ERROR_SUCCESS);
#define SAME(m)	EXPECT_EQ(memcmp(&s0.m, &s1->m, sizeof(s0.m)), 0) TH_LOG(#m)
	SAME(aggregateSaStatistics);
	SAME(espDropPacketStatistics);
	SAME(ahDropPacketStatistics);
	SAME(aggregateDropPacketStatistics);
	SAME(inboundTrafficStatistics);
	SAME(outboundTrafficStatistics);
#undef SAME
}

TEST_F_TIMEOUT(wire, stats_follow_keying_and_traffic, 120)
{
	struct env *e = &self->e;
	IPSEC_STATISTICS1 s0, s1, s2;
	const IPSEC_TRAFFIC_STATISTICS1 *ts[2] = {
		&s2.inboundTrafficStatistics, &s2.outboundTrafficStatistics };
	struct xs x[2];
	int i;

	s0 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s0).activeSas, 0);
	EXPECT_EQ(AGG(s0).pendingSaNegotiations, 0);
	EXPECT_EQ(AGG(s0).activeTunnels, 0);
	EXPECT_EQ(AGG(s0).offloadedSas, 0);
	EXPECT_EQ(s0.inboundTrafficStatistics.totalSuccessfulPackets, 0);
	EXPECT_EQ(s0.outboundTrafficStatistics.totalSuccessfulPackets, 0);

	a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	s1 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s1).activeSas, 2);
	EXPECT_EQ(AGG(s1).totalSasAdded, AGG(s0).totalSasAdded + 2);
	EXPECT_EQ(AGG(s1).totalSasDeleted, AGG(s0).totalSasDeleted);
	EXPECT_EQ(AGG(s1).pendingSaNegotiations, 0);
	EXPECT_EQ(AGG(s1).activeTunnels, 0);
	EXPECT_EQ(AGG(s1).successfulRekeys, AGG(s0).successfulRekeys);

	b_peer(_metadata, e, 1, 0);
	ASSERT_EQ(ping(e, false, 5), 0);
	s2 = stats1(_metadata, e->h);
	x[0] = a_sa(_metadata, SPI_IN);
	x[1] = a_sa(_metadata, SPI_OUT);
	/* Inbound, then outbound: transport mode, no tunnel. */
	for (i = 0; i < 2; i++) {
		EXPECT_GE(ts[i]->totalSuccessfulPackets, 5) TH_LOG("dir %d", i);
		EXPECT_EQ(ts[i]->totalSuccessfulPackets, x[i].packets);
		EXPECT_GT(ts[i]->encryptedByteCount, 0);
		EXPECT_EQ(ts[i]->encryptedByteCount, x[i].bytes);
		EXPECT_GT(ts[i]->transportByteCount, 0);
		EXPECT_EQ(ts[i]->tunnelByteCount, 0);
	}
	/* GCM authenticates too; no AH, no offload. */
	EXPECT_GT(s2.outboundTrafficStatistics.authenticatedESPByteCount, 0);
	EXPECT_EQ(s2.outboundTrafficStatistics.authenticatedAHByteCount, 0);
	EXPECT_EQ(s2.outboundTrafficStatistics.offloadByteCount, 0);
	EXPECT_EQ(s2.aggregateDropPacketStatistics.decryptionFailuresOnInbound,
		  s1.aggregateDropPacketStatistics.decryptionFailuresOnInbound);

	s2 = stats1(_metadata, e->h);
	expect_stats0_agrees(_metadata, e->h, &s2);
}

TEST_F(wire, stats_pending_negotiations)
{
	/* Each step of the keying, and the statistics after it. */
	static const struct {
		int to, pending, active;
	} step[] = {
		{ ST_SPI_SET, 1, 0 },
		{ ST_INBOUND, 1, 1 },
		{ ST_COMPLETE, 0, 2 },
	};
	struct env *e = &self->e;
	IPSEC_STATISTICS1 st;
	IPSEC_TRAFFIC1 t;
	UINT64 id = 0;
	unsigned int i;

	wfp_traffic_set(&t, false, A1, B1);
	ASSERT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  ERROR_SUCCESS);
	env_keep(e, id);
	st = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(st).pendingSaNegotiations, 0);
	for (i = 0; i < ARRAY_SIZE(step); i++) {
		ASSERT_EQ(gcm_advance(e->h, id, &t, step[i].to - 1, step[i].to,
				      SPI_IN, SPI_OUT, 1, &LT), ERROR_SUCCESS);
		st = stats1(_metadata, e->h);
		EXPECT_EQ(AGG(st).pendingSaNegotiations, step[i].pending)
			TH_LOG("state %d", step[i].to);
		EXPECT_EQ(AGG(st).activeSas, step[i].active)
			TH_LOG("state %d", step[i].to);
	}
	EXPECT_EQ(AGG(st).totalSasAdded, 2);
}

TEST_F_TIMEOUT(wire, stats_wrong_key_failures, 120)
{
	struct env *e = &self->e;
	IPSEC_STATISTICS1 s0, s1;

	a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	/* Seed 2: every key of B differs from A's. */
	b_peer(_metadata, e, 2, 0);
	s0 = stats1(_metadata, e->h);
	EXPECT_NE(ping(e, true, 3), 0) TH_LOG("ping B -> A went through");
	s1 = stats1(_metadata, e->h);
#define GREW(m)	EXPECT_GE(s1.m, s0.m + 3) TH_LOG(#m)
	GREW(espDropPacketStatistics.decryptionFailuresOnInbound);
	GREW(espDropPacketStatistics.authenticationFailuresOnInbound);
	GREW(aggregateDropPacketStatistics.decryptionFailuresOnInbound);
	GREW(aggregateDropPacketStatistics.authenticationFailuresOnInbound);
	GREW(aggregateDropPacketStatistics.totalDropPacketsInbound);
#undef GREW
	/* Nothing decrypted. */
	EXPECT_EQ(s1.inboundTrafficStatistics.totalSuccessfulPackets, 0);
	/* AH has no row of its own. */
	EXPECT_EQ(s1.ahDropPacketStatistics.authenticationFailuresOnInbound, 0);
	expect_stats0_agrees(_metadata, e->h, &s1);
}

TEST_F(wire, stats_delete_drops_active_sas)
{
	struct env *e = &self->e;
	IPSEC_STATISTICS1 s0, s1;
	UINT64 id;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	s0 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s0).activeSas, 2);
	ASSERT_EQ(IPsecSaContextDeleteById0(e->h, id), ERROR_SUCCESS);
	env_forget(e, id);
	s1 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s1).activeSas, 0);
	EXPECT_EQ(AGG(s1).totalSasDeleted, AGG(s0).totalSasDeleted + 2);
	EXPECT_EQ(AGG(s1).totalSasAdded, AGG(s0).totalSasAdded);
}

TEST_F(wire, stats_rekey_counted)
{
	struct env *e = &self->e;
	IPSEC_STATISTICS1 s0, s1, s2;
	IPSEC_TRAFFIC1 t;

	a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	s0 = stats1(_metadata, e->h);
	/* The successor of the same traffic, while the first is complete. */
	a_full(_metadata, e, SPI_IN2, SPI_OUT2, 3);
	s1 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s1).successfulRekeys, AGG(s0).successfulRekeys + 1);
	EXPECT_EQ(AGG(s1).activeSas, 4);
	EXPECT_EQ(AGG(s1).totalSasAdded, AGG(s0).totalSasAdded + 2);
	/* A context of other traffic, being created, is no rekey. */
	a2_ctx(_metadata, e, ST_CREATED, &t);
	s2 = stats1(_metadata, e->h);
	EXPECT_EQ(AGG(s2).successfulRekeys, AGG(s1).successfulRekeys);
}

TEST_F(wire, stats_null_and_bad_handle)
{
	struct env *e = &self->e;
	IPSEC_STATISTICS0 z;
	IPSEC_STATISTICS1 o;
	HANDLE closed;
	int dummy;

	EXPECT_EQ(IPsecGetStatistics0(e->h, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecGetStatistics1(e->h, NULL), FWP_E_NULL_POINTER);
	closed = engine_closed(_metadata);
	EXPECT_EQ(IPsecGetStatistics0(NULL, &z), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecGetStatistics1(NULL, &o), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecGetStatistics0(closed, &z), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecGetStatistics1(closed, &o), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecGetStatistics1((HANDLE)&dummy, &o),
		  ERROR_INVALID_HANDLE);
}

static int stats_without_right(void *arg)
{
	IPSEC_STATISTICS0 z;
	IPSEC_STATISTICS1 o;
	HANDLE h;
	int ret = 0;

	(void)arg;
	if (drop_cap_net_admin())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	if (IPsecGetStatistics0(h, &z) != ERROR_ACCESS_DENIED)
		ret = 12;
	else if (IPsecGetStatistics1(h, &o) != ERROR_ACCESS_DENIED)
		ret = 13;
	FwpmEngineClose0(h);
	return ret;
}

TEST_F(wire, stats_need_read_stats_right)
{
	EXPECT_EQ(run_in_child(stats_without_right, NULL), 0);
}

/* ================================== readers and the xfrm_cfg_mutex */

/*
 * Another plane holds the namespace's xfrm_cfg_mutex for as long as the
 * test wants: xfrm_user keeps it across an XFRM_MSG_NEWSA, which looks
 * its cipher up, and a cipher no module has loaded yet makes the kernel
 * run /proc/sys/kernel/modprobe and wait for it.  That program, here a
 * script, says when it runs and returns when told to.  (cbc(serpent) is
 * a module in Debian's kernel and absent from the debug one; neither
 * test VM has it loaded.)
 */
#define MODPROBE	"/proc/sys/kernel/modprobe"
#define HOLD_SCRIPT	"/tmp/wfp-modprobe-hold"
#define HOLD_HELD	"/tmp/wfp-modprobe-held"
#define HOLD_RELEASE	"/tmp/wfp-modprobe-release"

struct cfg_hold {
	char saved[256];
	pid_t ip;
};

static bool wait_file(const char *path, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (!access(path, F_OK))
			return true;
		usleep(10000);
	}
	return false;
}

static void cfg_hold(struct __test_metadata *_metadata, struct cfg_hold *h)
{
	FILE *f;

	unlink(HOLD_HELD);
	unlink(HOLD_RELEASE);
	f = fopen(HOLD_SCRIPT, "w");
	ASSERT_NE(f, NULL);
	fprintf(f, "#!/bin/sh\n: >" HOLD_HELD "\n"
		"while [ ! -e " HOLD_RELEASE " ]; do sleep 0.05; done\nexit 1\n");
	fclose(f);
	ASSERT_EQ(chmod(HOLD_SCRIPT, 0755), 0);
	ASSERT_EQ(read_str(MODPROBE, h->saved, sizeof(h->saved)), 0);
	ASSERT_EQ(write_str(MODPROBE, HOLD_SCRIPT), 0);
	h->ip = fork();
	ASSERT_GE(h->ip, 0);
	if (!h->ip) {
		execlp("ip", "ip", "xfrm", "state", "add", "src", "192.0.2.1",
		       "dst", "192.0.2.2", "proto", "esp", "spi", "0x7e57",
		       "enc", "cbc(serpent)",
		       "0x00112233445566778899aabbccddeeff", (char *)NULL);
		_exit(127);
	}
	ASSERT_TRUE(wait_file(HOLD_HELD, 20000))
		TH_LOG("the kernel never ran the modprobe script");
}

static void cfg_release(struct cfg_hold *h)
{
	int fd = open(HOLD_RELEASE, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd >= 0)
		close(fd);
	if (h->ip > 0)
		waitpid(h->ip, NULL, 0);
	if (h->saved[0])
		write_str(MODPROBE, h->saved);
	unlink(HOLD_SCRIPT);
	unlink(HOLD_HELD);
	unlink(HOLD_RELEASE);
}

enum reader { RD_GET_BY_ID, RD_ENUM, RD_STATS, RD_COUNT };

struct reads {
	HANDLE h;
	UINT64 id;
	volatile int done;
	DWORD rc[RD_COUNT];
};

/* Each reader once: GetById1 (CTX_GET, CTX_GET_SA), Enum, statistics. */
static void *reads_thread(void *arg)
{
	struct reads *r = arg;
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_STATISTICS1 st;

	r->rc[RD_GET_BY_ID] = IPsecSaContextGetById1(r->h, r->id, &c);
	FwpmFreeMemory0((void **)&c);
	r->rc[RD_ENUM] = enum_count(r->h) == 1 ? ERROR_SUCCESS :
						 FWP_E_NOT_FOUND;
	r->rc[RD_STATS] = IPsecGetStatistics1(r->h, &st);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * GetById, Enum and the statistics answer while another plane holds the
 * mutex: a reader that took it would wait for ip xfrm here.
 */
TEST_F_TIMEOUT(wire, readers_do_not_wait_for_xfrm_cfg_mutex, 120)
{
	struct env *e = &self->e;
	struct reads r = { .h = e->h };
	struct cfg_hold h = { .ip = -1 };
	pthread_t t;
	int i;

	r.id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	cfg_hold(_metadata, &h);
	ASSERT_EQ(pthread_create(&t, NULL, reads_thread, &r), 0);
	for (i = 0; i < 500 && !__atomic_load_n(&r.done, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	EXPECT_TRUE(r.done) TH_LOG("the readers waited for the mutex");
	/* Still held: the state ip xfrm asked for is not there. */
	EXPECT_EQ(access(HOLD_RELEASE, F_OK), -1);
	cfg_release(&h);
	pthread_join(t, NULL);
	for (i = 0; i < RD_COUNT; i++) {
		EXPECT_EQ(r.rc[i], ERROR_SUCCESS) TH_LOG("reader %d", i);
	}
}

/* ============================================ Update0 error paths: upd */

FIXTURE(upd) {
	struct env e;
	UINT64 id;
	IPSEC_SA_CONTEXT1 *c;	/* GetById1 of id */
	IPSEC_SA_CONTEXT1 nv;	/* what the test passes: a shallow copy */
	IPSEC_SA_DETAILS1 in, out;
};

FIXTURE_SETUP(upd)
{
	env_setup(_metadata, &self->e, ENV_PEER | ENV_SECOND);
	self->id = a_full(_metadata, &self->e, SPI_IN, SPI_OUT, 1);
	ASSERT_EQ(IPsecSaContextGetById1(self->e.h, self->id, &self->c),
		  ERROR_SUCCESS);
	ASSERT_NE(self->c->inboundSa, NULL);
	ASSERT_NE(self->c->outboundSa, NULL);
	self->nv = *self->c;
	self->in = *self->c->inboundSa;
	self->out = *self->c->outboundSa;
	self->nv.inboundSa = &self->in;
	self->nv.outboundSa = &self->out;
}

FIXTURE_TEARDOWN(upd)
{
	if (self->c)
		FwpmFreeMemory0((void **)&self->c);
	env_teardown(&self->e);
}

/* Update0(flags, nv) returns want and changes nothing. */
static void expect_update_fails(struct __test_metadata *_metadata,
				struct env *e, UINT64 id, UINT64 flags,
				const IPSEC_SA_CONTEXT1 *nv, DWORD want)
{
	struct ctx_snap sn = ctx_snap_take(e, id);

	EXPECT_EQ(IPsecSaContextUpdate0(e->h, flags, nv), want)
		TH_LOG("flags %#llx", (unsigned long long)flags);
	expect_ctx_unchanged(_metadata, e, id, &sn);
}

TEST_F(upd, unknown_flag)
{
	static const UINT64 bad[] = { 0x80, 0x100, 1ULL << 32, 1ULL << 63 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_update_fails(_metadata, &self->e, self->id,
				    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION |
				    bad[i], &self->nv, FWP_E_INVALID_FLAGS);
}

/*
 * The ioctl under Update0: u is refused with EINVAL and changes nothing.
 * The library never sends these; another library could.
 */
static void expect_raw_update_einval(struct __test_metadata *_metadata,
				     struct env *e,
				     struct wfp_ipsec_ctx_update *u)
{
	struct ctx_snap sn = ctx_snap_take(e, u->id);

	EXPECT_EQ(wfp_test_ioctl(e->fd, WFP_IPSEC_IOC_CTX_UPDATE, u), -EINVAL);
	expect_ctx_unchanged(_metadata, e, u->id, &sn);
}

static struct wfp_ipsec_ctx_update raw_update(UINT64 id, UINT64 flags)
{
	struct wfp_ipsec_ctx_update u;

	memset(&u, 0, sizeof(u));
	u.id = id;
	u.flags = flags;
	return u;
}

TEST_F_TIMEOUT(upd, raw_unknown_flag_einval, 120)
{
	/* A hole between known bits, the next one, the far ones. */
	static const int bits[] = { 4, 7, 32, 63 };
	struct wfp_ipsec_ctx_update u;
	unsigned int i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		ASSERT_FALSE((1ULL << bits[i]) & __WFP_IPSEC_UPD_F_ALL);
		u = raw_update(self->id,
			       WFP_IPSEC_UPD_F_MM_SA_ID | 1ULL << bits[i]);
		expect_raw_update_einval(_metadata, &self->e, &u);
	}
}

/* A record its flag does not name must be zero: its bits stay free. */
TEST_F_TIMEOUT(upd, raw_record_without_its_flag_einval, 120)
{
	struct wfp_ipsec_ctx_update u;
	int i;

	for (i = 0; i < 3; i++) {
		/* Each record, with another flag set. */
		u = raw_update(self->id, i == 2 ? WFP_IPSEC_UPD_F_NAP_CONTEXT :
						  WFP_IPSEC_UPD_F_MM_SA_ID);
		if (i == 0)
			u.bundle_flags[WFP_IPSEC_DIR_INBOUND] = 1;
		else if (i == 1)
			u.nap_context[WFP_IPSEC_DIR_OUTBOUND] = 1;
		else
			u.mm_sa_id[WFP_IPSEC_DIR_INBOUND] = 1;
		expect_raw_update_einval(_metadata, &self->e, &u);
	}
}

/* The control: the same requests with their flags work. */
TEST_F(upd, raw_records_with_their_flags)
{
	struct wfp_ipsec_ctx_update u =
		raw_update(self->id, WFP_IPSEC_UPD_F_BUNDLE_FLAGS |
			   WFP_IPSEC_UPD_F_NAP_CONTEXT |
			   WFP_IPSEC_UPD_F_MM_SA_ID);

	u.nap_context[WFP_IPSEC_DIR_OUTBOUND] = 1;
	u.mm_sa_id[WFP_IPSEC_DIR_INBOUND] = 1;
	EXPECT_EQ(wfp_test_ioctl(self->e.fd, WFP_IPSEC_IOC_CTX_UPDATE, &u), 0);
}

TEST_F(upd, key_module_state_not_supported)
{
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE, &self->nv,
			    ERROR_NOT_SUPPORTED);
}

TEST_F(upd, peer_v4_private_address_not_supported)
{
	self->in.saBundle.peerV4PrivateAddress = 0x0a000063;
	self->out.saBundle.peerV4PrivateAddress = 0x0a000063;
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS,
			    &self->nv, ERROR_NOT_SUPPORTED);
}

TEST_F(upd, null_new_values)
{
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, NULL,
			    FWP_E_NULL_POINTER);
}

TEST_F(upd, traffic_without_outbound_sa)
{
	wfp_traffic_set(&self->in.traffic, false, A2, B2);
	self->nv.outboundSa = NULL;
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, &self->nv,
			    FWP_E_NULL_POINTER);
}

TEST_F(upd, inbound_traffic_other_host_pair)
{
	wfp_traffic_set(&self->out.traffic, false, A2, B2);
	wfp_traffic_set(&self->in.traffic, false, A2, "10.1.1.9");
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, &self->nv,
			    FWP_E_TRAFFIC_MISMATCH);
}

TEST_F(upd, ip_version_change)
{
	wfp_traffic_set(&self->out.traffic, false, "fd00::1", "fd00::2");
	wfp_traffic_set(&self->in.traffic, false, "fd00::1", "fd00::2");
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, &self->nv,
			    FWP_E_TRAFFIC_MISMATCH);
}

TEST_F(upd, traffic_type_change)
{
	wfp_traffic_set(&self->out.traffic, false, A2, B2);
	self->out.traffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	self->out.traffic.tunnelPolicyId = 0x77;
	self->in.traffic = self->out.traffic;
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, &self->nv,
			    FWP_E_TRAFFIC_MISMATCH);
}

TEST_F(upd, encap_port_zero)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc[2] = { { 0, 4500 }, { 4500, 0 } };
	int i;

	for (i = 0; i < 2; i++) {
		self->out.udpEncapsulation = &enc[i];
		self->in.udpEncapsulation = &enc[i];
		expect_update_fails(_metadata, &self->e, self->id,
				    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
				    &self->nv, FWP_E_INVALID_PARAMETER);
	}
}

TEST_F(upd, created_and_spi_set_contexts)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { 4500, 4500 };
	IPSEC_TRAFFIC1 t;
	UINT64 id2 = a2_ctx(_metadata, &self->e, ST_CREATED, &t);

	self->nv.saContextId = id2;
	self->out.udpEncapsulation = &enc;
	self->in.udpEncapsulation = &enc;
	ASSERT_EQ(ctx_info(_metadata, self->e.fd, id2).state, ST_CREATED);
	expect_update_fails(_metadata, &self->e, id2,
			    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
			    &self->nv, FWP_E_INCOMPATIBLE_SA_STATE);
	expect_update_fails(_metadata, &self->e, id2,
			    IPSEC_SA_BUNDLE_UPDATE_FLAGS, &self->nv,
			    FWP_E_INCOMPATIBLE_SA_STATE);

	ASSERT_EQ(gcm_advance(self->e.h, id2, &t, ST_CREATED, ST_SPI_SET,
			      SPI_IN2, SPI_OUT2, 1, &LT), ERROR_SUCCESS);
	ASSERT_EQ(ctx_info(_metadata, self->e.fd, id2).state, ST_SPI_SET);
	expect_update_fails(_metadata, &self->e, id2,
			    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
			    &self->nv, FWP_E_INCOMPATIBLE_SA_STATE);
	expect_update_fails(_metadata, &self->e, id2,
			    IPSEC_SA_DETAILS_UPDATE_TRAFFIC, &self->nv,
			    FWP_E_INCOMPATIBLE_SA_STATE);
}

TEST_F(upd, unknown_id)
{
	self->nv.saContextId = self->id + 1000;
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_BUNDLE_UPDATE_FLAGS, &self->nv,
			    FWP_E_NOT_FOUND);
}

TEST_F(upd, deleted_id)
{
	ASSERT_EQ(IPsecSaContextDeleteById0(self->e.h, self->id), ERROR_SUCCESS);
	env_forget(&self->e, self->id);
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
			    &self->nv, FWP_E_NOT_FOUND);
}

TEST_F(upd, expired_context)
{
	ASSERT_EQ(IPsecSaContextExpire0(self->e.h, self->id), ERROR_SUCCESS);
	ASSERT_EQ(ctx_info(_metadata, self->e.fd, self->id).state,
		  ST_EXPIRED);
	expect_update_fails(_metadata, &self->e, self->id,
			    IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
			    &self->nv, FWP_E_INCOMPATIBLE_SA_STATE);
}

/*
 * A context with only its inbound SA may be updated; the ports may come
 * from the inbound details alone, and the outbound SA added afterwards
 * is encapsulated too.
 */
TEST_F(upd, inbound_state_encap_from_inbound_details)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { 4500, 4500 };
	struct wfp_ipsec_ctx_info info;
	IPSEC_TRAFFIC1 t;
	struct xs x;
	UINT64 id2 = a2_ctx(_metadata, &self->e, ST_INBOUND, &t);

	ASSERT_EQ(ctx_info(_metadata, self->e.fd, id2).state, ST_INBOUND);

	self->nv.saContextId = id2;
	self->nv.outboundSa = NULL;
	self->in.udpEncapsulation = &enc;
	ASSERT_EQ(IPsecSaContextUpdate0(self->e.h,
					IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
					&self->nv), ERROR_SUCCESS);
	ASSERT_EQ(sa_find(-1, SPI_IN2, 0, &x), 1);
	EXPECT_TRUE(x.encap);
	EXPECT_EQ(x.encap_sport, 4500);
	EXPECT_EQ(x.encap_dport, 4500);
	info = ctx_info(_metadata, self->e.fd, id2);
	EXPECT_EQ(info.state, ST_INBOUND);
	EXPECT_TRUE(info.spi_flags & WFP_IPSEC_SPI_F_UDP_ENCAP);
	EXPECT_EQ(info.encap_local_port, htons(4500));
	EXPECT_EQ(info.encap_remote_port, htons(4500));

	ASSERT_EQ(gcm_advance(self->e.h, id2, &t, ST_INBOUND, ST_COMPLETE,
			      SPI_IN2, SPI_OUT2, 1, &LT), ERROR_SUCCESS);
	ASSERT_EQ(sa_find(-1, SPI_OUT2, 0, &x), 1);
	EXPECT_TRUE(x.encap) TH_LOG("outbound SA added after the update");
	/* The first context was not touched. */
	ASSERT_EQ(sa_find(-1, SPI_IN, 0, &x), 1);
	EXPECT_FALSE(x.encap);
}

static IPSEC_SA_CONTEXT1 *g_child_nv;

/* Without CAP_NET_ADMIN and with no grant: no WRITE right. */
static int update_without_rights(void *arg)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { 4500, 4500 };
	HANDLE h;
	DWORD rc;

	(void)arg;
	if (drop_cap_net_admin())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	g_child_nv->outboundSa->udpEncapsulation = &enc;
	g_child_nv->inboundSa->udpEncapsulation = &enc;
	rc = IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
				   g_child_nv);
	FwpmEngineClose0(h);
	return rc == ERROR_ACCESS_DENIED ? 0 : 12;
}

TEST_F(upd, no_rights)
{
	struct ctx_snap sn = ctx_snap_take(&self->e, self->id);

	g_child_nv = &self->nv;
	EXPECT_EQ(run_in_child(update_without_rights, NULL), 0);
	expect_ctx_unchanged(_metadata, &self->e, self->id, &sn);
}

/* The bundle records: flags, NAP context, main-mode SA id, per direction. */
TEST_F(upd, bundle_records_updated)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	char *x0 = xfrm_text(), *x1;

	self->out.saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
	self->in.saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
	self->out.saBundle.napContext = 0x11;
	self->in.saBundle.napContext = 0x22;
	self->out.saBundle.mmSaId = 0x3333;
	self->in.saBundle.mmSaId = 0x4444;
	ASSERT_EQ(IPsecSaContextUpdate0(self->e.h, IPSEC_SA_BUNDLE_UPDATE_FLAGS |
					IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |
					IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID,
					&self->nv), ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaContextGetById1(self->e.h, self->id, &c),
		  ERROR_SUCCESS);
	EXPECT_EQ(c->outboundSa->saBundle.flags, IPSEC_SA_BUNDLE_FLAG_NLB);
	EXPECT_EQ(c->inboundSa->saBundle.flags, IPSEC_SA_BUNDLE_FLAG_NLB);
	EXPECT_EQ(c->outboundSa->saBundle.napContext, 0x11);
	EXPECT_EQ(c->inboundSa->saBundle.napContext, 0x22);
	EXPECT_EQ(c->outboundSa->saBundle.mmSaId, 0x3333);
	EXPECT_EQ(c->inboundSa->saBundle.mmSaId, 0x4444);
	FwpmFreeMemory0((void **)&c);
	/* Records only: xfrm untouched. */
	x1 = xfrm_text();
	EXPECT_STREQ(x0, x1);
	free(x0);
	free(x1);
}

/*
 * Per-direction records that differ, then agree again: each read back as
 * set (the module shares one record while the two are equal).
 */
TEST_F(upd, bundle_records_differ_then_agree)
{
	UINT32 f = IPSEC_SA_BUNDLE_UPDATE_FLAGS |
		   IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |
		   IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID;
	IPSEC_SA_CONTEXT1 *c = NULL;
	int round;

	for (round = 0; round < 3; round++) {
		/* Rounds 0 and 2 differ, round 1 agrees. */
		UINT32 d = round == 1 ? 0 : 1;

		self->out.saBundle.flags = IPSEC_SA_BUNDLE_FLAG_NLB;
		self->in.saBundle.flags = d ? 0 : IPSEC_SA_BUNDLE_FLAG_NLB;
		self->out.saBundle.napContext = 0x50 + round;
		self->in.saBundle.napContext = 0x50 + round + d;
		self->out.saBundle.mmSaId = 0x600 + round;
		self->in.saBundle.mmSaId = 0x600 + round + d;
		ASSERT_EQ(IPsecSaContextUpdate0(self->e.h, f, &self->nv),
			  ERROR_SUCCESS);
		ASSERT_EQ(IPsecSaContextGetById1(self->e.h, self->id, &c),
			  ERROR_SUCCESS);
		EXPECT_EQ(c->outboundSa->saBundle.flags,
			  IPSEC_SA_BUNDLE_FLAG_NLB);
		EXPECT_EQ(c->inboundSa->saBundle.flags,
			  d ? 0 : IPSEC_SA_BUNDLE_FLAG_NLB);
		EXPECT_EQ(c->outboundSa->saBundle.napContext, 0x50 + round);
		EXPECT_EQ(c->inboundSa->saBundle.napContext, 0x50 + round + d);
		EXPECT_EQ(c->outboundSa->saBundle.mmSaId, 0x600 + round);
		EXPECT_EQ(c->inboundSa->saBundle.mmSaId, 0x600 + round + d);
		/* What the Update0 did not name stays. */
		EXPECT_EQ(c->outboundSa->saBundle.lifetime.lifetimeSeconds,
			  c->inboundSa->saBundle.lifetime.lifetimeSeconds);
		FwpmFreeMemory0((void **)&c);
	}
}

/* ============================================================ rights */

#define NOBODY		65534
#define GROUP_X		4242

/* An ACL built by hand, as advapi32's helpers would. */
struct aclbuf {
	union {
		ACL acl;
		DWORD align;
		BYTE b[1024];
	};
	size_t len;
	WORD count;
};

static void acl_init(struct aclbuf *a)
{
	memset(a, 0, sizeof(*a));
	a->len = sizeof(ACL);
}

/* One ACE of this type for S-1-<auth>-<sub[0]>-...-<sub[nsub-1]>. */
static void acl_add(struct aclbuf *a, BYTE type, ACCESS_MASK mask,
		    BYTE auth, int nsub, DWORD s0, DWORD s1)
{
	BYTE *p = a->b + a->len;
	WORD size = (WORD)(8 + 8 + 4 * nsub);
	DWORD sub[2] = { s0, s1 };

	p[0] = type;
	p[1] = 0;
	memcpy(p + 2, &size, 2);
	memcpy(p + 4, &mask, 4);
	p[8] = SID_REVISION;
	p[9] = (BYTE)nsub;
	memset(p + 10, 0, 6);
	p[15] = auth;
	memcpy(p + 16, sub, 4 * nsub);
	a->len += size;
	a->count++;
}

static void acl_user(struct aclbuf *a, ACCESS_MASK mask, DWORD uid)
{
	acl_add(a, ACCESS_ALLOWED_ACE_TYPE, mask, 22, 2, 1, uid);
}

static void acl_group(struct aclbuf *a, ACCESS_MASK mask, DWORD gid)
{
	acl_add(a, ACCESS_ALLOWED_ACE_TYPE, mask, 22, 2, 2, gid);
}

static ACL *acl_done(struct aclbuf *a)
{
	a->acl.AclRevision = ACL_REVISION;
	a->acl.AclSize = (WORD)a->len;
	a->acl.AceCount = a->count;
	return &a->acl;
}

static DWORD set_dacl(HANDLE h, ACL *acl)
{
	return IPsecSaDbSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL,
					 NULL, acl, NULL);
}

static DWORD set_empty(HANDLE h)
{
	struct aclbuf a;

	acl_init(&a);
	return set_dacl(h, acl_done(&a));
}

/* The grants: mask to user uid, and nothing else. */
static DWORD grant_user(HANDLE h, ACCESS_MASK mask, DWORD uid)
{
	struct aclbuf a;

	acl_init(&a);
	acl_user(&a, mask, uid);
	return set_dacl(h, acl_done(&a));
}

static int rights_get(int fd, struct wfp_ipsec_rights *r)
{
	memset(r, 0xa5, sizeof(*r));
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, r);
}

/* What is shared with a child: MAP_SHARED, so it survives fork(). */
struct shared {
	UINT64 id;
	DWORD rc;
	int step;
};

FIXTURE(rights) {
	HANDLE h;
	int fd;
	bool chmodded;
	struct shared *sh;
};

FIXTURE_SETUP(rights)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	wfp_engine_open(_metadata, &self->h, &self->fd);
	self->sh = wfp_shared_mem(_metadata, sizeof(*self->sh));
	/* uid 65534 opens the node; 0600 again in teardown. */
	self->chmodded = true;
	ASSERT_EQ(chmod(WFP_IPSEC_DEVICE_PATH, 0666), 0);
}

FIXTURE_TEARDOWN(rights)
{
	if (self->chmodded)
		chmod(WFP_IPSEC_DEVICE_PATH, 0600);
	if (self->h) {
		/* Grants left empty (the namespace goes anyway). */
		set_empty(self->h);
		FwpmEngineClose0(self->h);
	}
	if (self->sh)
		munmap(self->sh, sizeof(*self->sh));
}

/* Update0 of c's main-mode SA id, both directions. */
static DWORD update_mm_sa_id(HANDLE h, IPSEC_SA_CONTEXT1 *c, UINT64 mm)
{
	c->inboundSa->saBundle.mmSaId = mm;
	c->outboundSa->saBundle.mmSaId = mm;
	return IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID, c);
}

/*
 * As nobody: an engine, a context keyed in it and its GetById1; 0, or
 * the step that failed (sh->rc the code).
 */
static int nobody_keyed(struct shared *sh, HANDLE *h, IPSEC_SA_CONTEXT1 **c)
{
	if (become_nobody())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, h))
		return 11;
	sh->rc = key_ctx(*h, SPI_IN, SPI_OUT, 1, &sh->id);
	if (sh->rc)
		return 12;
	sh->rc = IPsecSaContextGetById1(*h, sh->id, c);
	return sh->rc ? 13 : 0;
}

/* As nobody, with ADD and READ granted: keys, reads, cannot delete. */
static int nobody_add_read(void *arg)
{
	struct shared *sh = arg;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub = { 0 };
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_STATISTICS1 st;
	HANDLE h, ev = NULL;
	int ret;

	ret = nobody_keyed(sh, &h, &c);
	if (ret)
		return ret;
	if (!c->inboundSa || !c->outboundSa ||
	    c->outboundSa->saBundle.saList[0].spi != SPI_OUT)
		return 14;
	/* Update0 changes a live context: WRITE, not ADD. */
	sh->rc = update_mm_sa_id(h, c, 77);
	FwpmFreeMemory0((void **)&c);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 19;
	sh->rc = IPsecSaContextDeleteById0(h, sh->id);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 15;
	sh->rc = IPsecSaContextSubscribe0(h, &sub, no_event, NULL, &ev);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 16;
	sh->rc = IPsecGetStatistics1(h, &st);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 17;
	/* Changing the grants takes every right. */
	sh->rc = set_empty(h);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 18;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(rights, user_grant_add_read)
{
	ASSERT_EQ(grant_user(self->h, FWPM_ACTRL_ADD | FWPM_ACTRL_READ, NOBODY),
		  ERROR_SUCCESS);
	EXPECT_EQ(run_in_child(nobody_add_read, self->sh), 0)
		TH_LOG("rc %#x", self->sh->rc);
	ASSERT_NE(self->sh->id, 0);
	/* The context is there, complete; root deletes it. */
	EXPECT_EQ(ctx_info(_metadata, self->fd, self->sh->id).state,
		  ST_COMPLETE);
	EXPECT_EQ(sa_count(-1), 2);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, self->sh->id),
		  ERROR_SUCCESS);
	EXPECT_EQ(sa_count(-1), 0);
}

/* As nobody, with ADD, READ and WRITE: keys, then updates. */
static int nobody_add_read_write(void *arg)
{
	struct shared *sh = arg;
	IPSEC_SA_CONTEXT1 *c = NULL;
	HANDLE h;
	int ret;

	ret = nobody_keyed(sh, &h, &c);
	if (ret)
		return ret;
	sh->rc = update_mm_sa_id(h, c, 77);
	FwpmFreeMemory0((void **)&c);
	if (sh->rc)
		return 14;
	sh->rc = IPsecSaContextGetById1(h, sh->id, &c);
	if (sh->rc)
		return 15;
	if (c->inboundSa->saBundle.mmSaId != 77 ||
	    c->outboundSa->saBundle.mmSaId != 77)
		return 16;
	FwpmFreeMemory0((void **)&c);
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(rights, user_grant_write_updates)
{
	ASSERT_EQ(grant_user(self->h, FWPM_ACTRL_ADD | FWPM_ACTRL_READ |
			     FWPM_ACTRL_WRITE, NOBODY), ERROR_SUCCESS);
	EXPECT_EQ(run_in_child(nobody_add_read_write, self->sh), 0)
		TH_LOG("rc %#x", self->sh->rc);
	ASSERT_NE(self->sh->id, 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, self->sh->id),
		  ERROR_SUCCESS);
}

/*
 * As nobody, with supplementary group GROUP_X if sh->step, else none:
 * Create1 of A1 - B1, its status and id in sh; 10 or 11 if a step before
 * it failed.
 */
static int group_member_creates(void *arg)
{
	struct shared *sh = arg;
	gid_t g = GROUP_X;
	IPSEC_TRAFFIC1 t;
	HANDLE h;

	if (setgroups(sh->step ? 1 : 0, &g) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	wfp_traffic_set(&t, false, A1, B1);
	sh->id = 0;
	sh->rc = IPsecSaContextCreate1(h, &t, NULL, NULL, &sh->id);
	FwpmEngineClose0(h);
	return 0;
}

/* Nothing granted: nobody can do nothing. */
TEST_F(rights, no_grant_no_rights)
{
	self->sh->step = 0;	/* no group either */
	EXPECT_EQ(run_in_child(group_member_creates, self->sh), 0);
	EXPECT_EQ(self->sh->rc, ERROR_ACCESS_DENIED);
}

TEST_F(rights, group_grant_for_members)
{
	struct aclbuf a;

	acl_init(&a);
	acl_group(&a, FWPM_ACTRL_ADD, GROUP_X);
	ASSERT_EQ(set_dacl(self->h, acl_done(&a)), ERROR_SUCCESS);
	self->sh->step = 1;
	ASSERT_EQ(run_in_child(group_member_creates, self->sh), 0);
	EXPECT_EQ(self->sh->rc, ERROR_SUCCESS);
	EXPECT_NE(self->sh->id, 0);
	if (self->sh->id) {
		EXPECT_EQ(ctx_info(_metadata, self->fd, self->sh->id).state,
			  ST_CREATED);
		IPsecSaContextDeleteById0(self->h, self->sh->id);
	}
	/* Not a member: nothing. */
	self->sh->step = 0;
	ASSERT_EQ(run_in_child(group_member_creates, self->sh), 0);
	EXPECT_EQ(self->sh->rc, ERROR_ACCESS_DENIED);
}

static int g_p2c[2], g_c2p[2];

/* Creates, lets the parent revoke, and finds the session's rights gone. */
static int nobody_revoked(void *arg)
{
	struct shared *sh = arg;
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_TRAFFIC1 t;
	UINT64 id2 = 0;
	HANDLE h;
	char b;

	if (become_nobody())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	wfp_traffic_set(&t, false, A1, B1);
	sh->rc = IPsecSaContextCreate1(h, &t, NULL, NULL, &sh->id);
	if (sh->rc)
		return 12;
	if (write(g_c2p[1], "a", 1) != 1 || read(g_p2c[0], &b, 1) != 1)
		return 13;
	/* Same session, after the parent's revocation. */
	sh->rc = IPsecSaContextCreate1(h, &t, NULL, NULL, &id2);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 14;
	sh->rc = IPsecSaContextGetById1(h, sh->id, &c);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 15;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(rights, revocation_applies_to_open_session)
{
	int status = -1;
	pid_t pid;
	char b;

	ASSERT_EQ(grant_user(self->h, FWPM_ACTRL_ADD | FWPM_ACTRL_READ, NOBODY),
		  ERROR_SUCCESS);
	ASSERT_EQ(pipe(g_p2c), 0);
	ASSERT_EQ(pipe(g_c2p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(nobody_revoked(self->sh));
	EXPECT_EQ(read(g_c2p[0], &b, 1), 1) TH_LOG("child did not create");
	EXPECT_EQ(set_empty(self->h), ERROR_SUCCESS);
	EXPECT_EQ(write(g_p2c[1], "r", 1), 1);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0) TH_LOG("rc %#x", self->sh->rc);
	if (self->sh->id)
		IPsecSaContextDeleteById0(self->h, self->sh->id);
	close(g_p2c[0]);
	close(g_p2c[1]);
	close(g_c2p[0]);
	close(g_c2p[1]);
}

/* The SID at p is S-1-22-<a0>-<a1>. */
static bool sid_unix(const BYTE *p, DWORD a0, DWORD a1)
{
	static const BYTE auth[6] = { 0, 0, 0, 0, 0, 22 };
	DWORD s0, s1;

	memcpy(&s0, p + 8, 4);
	memcpy(&s1, p + 12, 4);
	return p[0] == SID_REVISION && p[1] == 2 && !memcmp(p + 2, auth, 6) &&
	       s0 == a0 && s1 == a1;
}

/* The mask of the allow ACE for S-1-22-kind-id in acl, or 0. */
static ACCESS_MASK ace_mask(const ACL *acl, DWORD kind, DWORD id)
{
	const BYTE *p = (const BYTE *)acl + sizeof(ACL);
	ACCESS_MASK m;
	WORD i, size;

	for (i = 0; i < acl->AceCount; i++, p += size) {
		memcpy(&size, p + 2, 2);
		if (p[0] == ACCESS_ALLOWED_ACE_TYPE && sid_unix(p + 8, kind, id)) {
			memcpy(&m, p + 4, 4);
			return m;
		}
		if (!size)
			break;
	}
	return 0;
}

TEST_F(rights, get_returns_grants_as_aces)
{
	PSID owner = (PSID)1, group = (PSID)1;
	PACL dacl = (PACL)1, sacl = (PACL)1;
	PSECURITY_DESCRIPTOR sd = NULL;
	SECURITY_DESCRIPTOR_RELATIVE *r;
	struct wfp_ipsec_rights raw;
	struct aclbuf a;

	acl_init(&a);
	acl_user(&a, FWPM_ACTRL_ADD | FWPM_ACTRL_READ, NOBODY);
	/* Several ACEs for one SID add up. */
	acl_user(&a, FWPM_ACTRL_ENUM, NOBODY);
	acl_group(&a, GENERIC_READ, GROUP_X);
	/* Administrators and LocalSystem: accepted, not kept. */
	acl_add(&a, ACCESS_ALLOWED_ACE_TYPE, GENERIC_ALL, 5, 2, 32, 544);
	acl_add(&a, ACCESS_ALLOWED_ACE_TYPE, GENERIC_ALL, 5, 1, 18, 0);
	/* Bits with no counterpart are dropped: no grant at all here. */
	acl_user(&a, FWPM_ACTRL_OPEN | FWPM_ACTRL_CLASSIFY, 777);
	acl_user(&a, GENERIC_WRITE, 778);
	ASSERT_EQ(set_dacl(self->h, acl_done(&a)), ERROR_SUCCESS);

	ASSERT_EQ(rights_get(self->fd, &raw), 0);
	EXPECT_EQ(raw.count, 3);

	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, OWNER_SECURITY_INFORMATION |
					    GROUP_SECURITY_INFORMATION |
					    DACL_SECURITY_INFORMATION |
					    SACL_SECURITY_INFORMATION,
					    &owner, &group, &dacl, &sacl, &sd),
		  ERROR_SUCCESS);
	ASSERT_NE(sd, NULL);
	r = sd;
	EXPECT_EQ(r->Revision, SECURITY_DESCRIPTOR_REVISION);
	EXPECT_TRUE(r->Control & SE_SELF_RELATIVE);
	EXPECT_TRUE(r->Control & SE_DACL_PRESENT);
	ASSERT_NE(owner, NULL);
	ASSERT_NE(group, NULL);
	ASSERT_NE(dacl, NULL);
	EXPECT_EQ(sacl, NULL);
	EXPECT_EQ((BYTE *)owner, (BYTE *)sd + r->Owner);
	EXPECT_EQ((BYTE *)group, (BYTE *)sd + r->Group);
	EXPECT_EQ((BYTE *)dacl, (BYTE *)sd + r->Dacl);
	EXPECT_TRUE(sid_unix(owner, 1, 0));
	EXPECT_TRUE(sid_unix(group, 2, 0));
	EXPECT_EQ(dacl->AclRevision, ACL_REVISION);
	EXPECT_EQ(dacl->AceCount, 3);
	EXPECT_EQ(ace_mask(dacl, 1, NOBODY),
		  FWPM_ACTRL_ADD | FWPM_ACTRL_READ | FWPM_ACTRL_ENUM);
	/* GENERIC_READ and _WRITE hold the transaction rights (fwpmu.h). */
	EXPECT_EQ(ace_mask(dacl, 2, GROUP_X),
		  FWPM_ACTRL_READ | FWPM_ACTRL_READ_STATS |
		  FWPM_ACTRL_BEGIN_READ_TXN);
	EXPECT_EQ(ace_mask(dacl, 1, 778),
		  FWPM_ACTRL_ADD | FWPM_ACTRL_WRITE | DELETE |
		  FWPM_ACTRL_BEGIN_WRITE_TXN);
	EXPECT_EQ(ace_mask(dacl, 1, 777), 0);
	FwpmFreeMemory0(&sd);

	/* Only what is asked for is pointed at. */
	owner = group = (PSID)1;
	dacl = sacl = (PACL)1;
	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, DACL_SECURITY_INFORMATION,
					    &owner, &group, &dacl, &sacl, &sd),
		  ERROR_SUCCESS);
	EXPECT_EQ(owner, NULL);
	EXPECT_EQ(group, NULL);
	EXPECT_EQ(sacl, NULL);
	ASSERT_NE(dacl, NULL);
	EXPECT_EQ(dacl->AceCount, 3);
	FwpmFreeMemory0(&sd);

	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, OWNER_SECURITY_INFORMATION,
					    &owner, &group, &dacl, &sacl, &sd),
		  ERROR_SUCCESS);
	EXPECT_NE(owner, NULL);
	EXPECT_EQ(group, NULL);
	EXPECT_EQ(dacl, NULL);
	FwpmFreeMemory0(&sd);

	/* All optional but the descriptor. */
	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, DACL_SECURITY_INFORMATION,
					    NULL, NULL, NULL, NULL, &sd),
		  ERROR_SUCCESS);
	FwpmFreeMemory0(&sd);
	EXPECT_EQ(IPsecSaDbGetSecurityInfo0(self->h, DACL_SECURITY_INFORMATION,
					    NULL, NULL, &dacl, NULL, NULL),
		  FWP_E_NULL_POINTER);

	/* Empty again: an empty DACL. */
	ASSERT_EQ(set_empty(self->h), ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, DACL_SECURITY_INFORMATION,
					    NULL, NULL, &dacl, NULL, &sd),
		  ERROR_SUCCESS);
	ASSERT_NE(dacl, NULL);
	EXPECT_EQ(dacl->AceCount, 0);
	FwpmFreeMemory0(&sd);
}

/* ---- errors: each leaves the grants as they were ---- */

/* A known grant to find unchanged after a failure. */
static void preset(struct __test_metadata *_metadata, HANDLE h,
		   int fd, struct wfp_ipsec_rights *before)
{
	ASSERT_EQ(grant_user(h, FWPM_ACTRL_READ, 1234), ERROR_SUCCESS);
	ASSERT_EQ(rights_get(fd, before), 0);
	ASSERT_EQ(before->count, 1);
}

static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     const struct wfp_ipsec_rights *before)
{
	struct wfp_ipsec_rights now;

	ASSERT_EQ(rights_get(fd, &now), 0);
	EXPECT_EQ(memcmp(before, &now, sizeof(now)), 0) TH_LOG("grants changed");
}

/* Set with dacl (flags securityInfo) returns want, nothing changes. */
static void expect_set_fails(struct __test_metadata *_metadata,
			     FIXTURE_DATA(rights) *self,
			     SECURITY_INFORMATION si, const ACL *dacl,
			     DWORD want)
{
	struct wfp_ipsec_rights before;

	preset(_metadata, self->h, self->fd, &before);
	EXPECT_EQ(IPsecSaDbSetSecurityInfo0(self->h, si, NULL, NULL, dacl,
					    NULL), want);
	expect_unchanged(_metadata, self->fd, &before);
}

static int nobody_sets(void *arg)
{
	struct shared *sh = arg;
	struct wfp_ipsec_rights r;
	HANDLE h;
	int fd;

	if (become_nobody())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ||
	    WfpIpsecEngineGetFd(h, &fd))
		return 11;
	sh->rc = set_empty(h);
	if (sh->rc != ERROR_ACCESS_DENIED)
		return 12;
	memset(&r, 0, sizeof(r));
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_SET, &r) != -EPERM)
		return 13;
	/* Reading needs READ, which GENERIC_ALL includes. */
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &r) || r.count != 1)
		return 14;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(rights, non_admin_set_denied)
{
	struct wfp_ipsec_rights before;

	/* Even with every grantable right. */
	ASSERT_EQ(grant_user(self->h, GENERIC_ALL, NOBODY), ERROR_SUCCESS);
	ASSERT_EQ(rights_get(self->fd, &before), 0);
	EXPECT_EQ(run_in_child(nobody_sets, self->sh), 0)
		TH_LOG("rc %#x", self->sh->rc);
	expect_unchanged(_metadata, self->fd, &before);
}

TEST_F(rights, deny_ace_not_supported)
{
	struct aclbuf a;

	acl_init(&a);
	acl_user(&a, FWPM_ACTRL_ADD, NOBODY);
	acl_add(&a, ACCESS_DENIED_ACE_TYPE, FWPM_ACTRL_ADD, 22, 2, 1, 99);
	expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION,
			 acl_done(&a), ERROR_NOT_SUPPORTED);
}

TEST_F(rights, unknown_sid_not_supported)
{
	struct aclbuf a;

	/* Authenticated Users, S-1-5-11. */
	acl_init(&a);
	acl_add(&a, ACCESS_ALLOWED_ACE_TYPE, FWPM_ACTRL_READ, 5, 1, 11, 0);
	expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION,
			 acl_done(&a), ERROR_NOT_SUPPORTED);
	/* S-1-22-3-5: authority 22, neither user nor group. */
	acl_init(&a);
	acl_add(&a, ACCESS_ALLOWED_ACE_TYPE, FWPM_ACTRL_READ, 22, 2, 3, 5);
	expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION,
			 acl_done(&a), ERROR_NOT_SUPPORTED);
}

TEST_F(rights, administrators_ace_accepted)
{
	struct wfp_ipsec_rights r;
	struct aclbuf a;

	acl_init(&a);
	acl_add(&a, ACCESS_ALLOWED_ACE_TYPE, GENERIC_ALL, 5, 2, 32, 544);
	ASSERT_EQ(set_dacl(self->h, acl_done(&a)), ERROR_SUCCESS);
	ASSERT_EQ(rights_get(self->fd, &r), 0);
	EXPECT_EQ(r.count, 0);
}

TEST_F(rights, null_dacl)
{
	expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION, NULL,
			 FWP_E_NULL_POINTER);
}

TEST_F(rights, owner_and_group_not_supported)
{
	struct aclbuf a;

	acl_init(&a);
	acl_user(&a, FWPM_ACTRL_ADD, NOBODY);
	acl_done(&a);
	expect_set_fails(_metadata, self,
			 OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
			 &a.acl, ERROR_NOT_SUPPORTED);
	expect_set_fails(_metadata, self, GROUP_SECURITY_INFORMATION, &a.acl,
			 ERROR_NOT_SUPPORTED);
}

TEST_F(rights, sacl_only_ignored)
{
	struct wfp_ipsec_rights before;
	struct aclbuf a;

	preset(_metadata, self->h, self->fd, &before);
	acl_init(&a);
	acl_done(&a);
	EXPECT_EQ(IPsecSaDbSetSecurityInfo0(self->h, SACL_SECURITY_INFORMATION,
					    NULL, NULL, NULL, &a.acl),
		  ERROR_SUCCESS);
	expect_unchanged(_metadata, self->fd, &before);
}

TEST_F(rights, malformed_acl)
{
	struct aclbuf a;
	WORD w = 12;
	int i;

	for (i = 0; i < 6; i++) {
		acl_init(&a);
		if (i != 3)
			acl_user(&a, FWPM_ACTRL_ADD, NOBODY);
		acl_done(&a);
		if (i == 0)		/* Bad revision. */
			a.acl.AclRevision = 3;
		else if (i == 1)	/* More ACEs than AclSize holds. */
			a.acl.AceCount = 2;
		else if (i == 2)	/* AclSize cuts the ACE. */
			a.acl.AclSize -= 4;
		else if (i == 3)	/* AclSize below the header. */
			a.acl.AclSize = 4;
		else if (i == 4)	/* An ACE too short for its SID. */
			memcpy(a.b + sizeof(ACL) + 2, &w, 2);
		else	/* A SID claiming more sub-authorities than fit. */
			a.b[sizeof(ACL) + 9] = 5;
		expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION,
				 &a.acl, ERROR_INVALID_PARAMETER);
	}
}

TEST_F(rights, seventeen_sids_over_quota)
{
	struct wfp_ipsec_rights r;
	struct aclbuf a;
	int i;

	acl_init(&a);
	for (i = 0; i < WFP_IPSEC_GRANTS_MAX; i++)
		acl_user(&a, FWPM_ACTRL_READ, 2000 + i);
	/* Sixteen fit. */
	ASSERT_EQ(set_dacl(self->h, acl_done(&a)), ERROR_SUCCESS);
	ASSERT_EQ(rights_get(self->fd, &r), 0);
	EXPECT_EQ(r.count, WFP_IPSEC_GRANTS_MAX);
	/* One more SID does not; one more ACE of a known SID does. */
	acl_user(&a, FWPM_ACTRL_ADD, 2000);
	ASSERT_EQ(set_dacl(self->h, acl_done(&a)), ERROR_SUCCESS);
	acl_group(&a, FWPM_ACTRL_READ, 2000);
	expect_set_fails(_metadata, self, DACL_SECURITY_INFORMATION,
			 acl_done(&a), ERROR_NOT_ENOUGH_QUOTA);
}

TEST_F(rights, raw_set_einval)
{
	struct wfp_ipsec_rights before, r;
	int i;

	preset(_metadata, self->h, self->fd, &before);
	for (i = 0; i < 9; i++) {
		wfp_one_grant(&r, WFP_IPSEC_GRANT_USER, NOBODY,
			      WFP_IPSEC_RIGHT_READ);
		switch (i) {
		case 0: r.reserved0 = 1; break;
		case 1: r.count = WFP_IPSEC_GRANTS_MAX + 1; break;
		case 2: r.grants[1].id = 5; break;	/* unused, not zero */
		case 3: r.grants[0].reserved = 1; break;
		case 4: r.grants[0].rights = 0; break;
		case 5: r.grants[0].rights = 0x2; break;	/* ADD_LINK */
		case 6: r.grants[0].kind = 3; break;
		case 7: r.grants[0].id = (UINT32)-1; break;	/* no such uid */
		case 8: r.grants[0].kind = WFP_IPSEC_GRANT_GROUP;
			r.grants[0].id = (UINT32)-1; break;
		}
		EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_RIGHTS_SET, &r),
			  -EINVAL) TH_LOG("case %d", i);
		expect_unchanged(_metadata, self->fd, &before);
	}
	/* The same, valid, works. */
	r.grants[0].kind = WFP_IPSEC_GRANT_USER;
	r.grants[0].id = NOBODY;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_RIGHTS_SET, &r), 0);
}

TEST_HARNESS_MAIN
