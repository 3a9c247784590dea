// SPDX-License-Identifier: GPL-2.0
/*
 * SA enumeration (Documentation/saenum.rst): IPsecSaCreateEnumHandle0,
 * IPsecSaEnum0/1 and IPsecSaDestroyEnumHandle0.
 *
 * FIXTURE world keys a dozen contexts into every state (CREATED,
 * SPI_SET, INBOUND, COMPLETE, EXPIRED) with several transforms, IPv4 and
 * IPv6, transport and tunnel, UDP encapsulation and virtual-interface
 * ids, and checks that an enumeration returns exactly the installed SAs,
 * each once and as it was given - in pages of 1, 2, 3, the exact total
 * and all at once, with Enum0 and Enum1, with and without a direction
 * template - and that the SAs of deleted contexts are gone.  SAs are
 * installed without traffic: no peer is needed.  FIXTURE lib covers the
 * paging details and has one test per error path.
 *
 * Every test runs in a network namespace of its own, so the contexts an
 * enumeration sees are exactly those the test made; they die with the
 * namespace when the test's process exits.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_sa.h"
#include "wfp_ctx.h"

#define MAX_CTX		64
#define MAX_SAS		(2 * MAX_CTX)
#define PAGE_ALL	1000

/* Per SA: its SPIs, and bundle values derived from the SPI. */
#define SPI_IN(i)	(0x51000100U + (i))
#define SPI_OUT(i)	(0x52000100U + (i))
#define QM_SA_ID(spi)	((spi) ^ 0x5a5aU)
#define MM_SA_ID(spi)	(0x1122334400000000ULL | (spi))
#define LIFETIME(spi)	(3600U + ((spi) & 0xffU))
#define QM_FILTER(spi)	(0xf00000000ULL | (spi))
#define LOOKUP(spi)	((UINT8)(spi))
#define PEER_PRIVATE	0xc0a84d01U	/* 192.168.77.1, encapsulated SAs */
#define ENCAP_LOCAL	4500
#define ENCAP_REMOTE(i)	(4600 + (i))

/* ------------------------------------------------------------ transforms */

/*
 * sab_init()'s bundle (keys seeded by the SPI), with the members the
 * checks tell SAs apart by made the SPI's own.
 */
static void bundle_init(struct sab *s, const struct alg *a, UINT32 spi,
			FWP_IP_VERSION v, bool encap)
{
	sab_init(s, a, spi, spi, DIR_IN, v);
	memset(&s->b.lifetime, 0, sizeof(s->b.lifetime));
	s->b.lifetime.lifetimeSeconds = LIFETIME(spi);
	s->b.napContext = spi & 0xf;
	s->b.qmSaId = QM_SA_ID(spi);
	if (encap)
		s->b.peerV4PrivateAddress = PEER_PRIVATE;
	s->b.mmSaId = MM_SA_ID(spi);
	s->b.qmFilterId = QM_FILTER(spi);
	memset(&s->b.saLookupContext, LOOKUP(spi), sizeof(GUID));
}

/* ------------------------------------------------------------ contexts */

/* A context to make and the state to take it to. */
struct spec {
	UINT32 state;
	bool v6;
	bool tunnel;
	bool encap;		/* UDP encapsulation given with the SPI */
	bool vif;		/* created with IPSEC_VIRTUAL_IF_TUNNEL_INFO0 */
	const struct alg *alg;
};

/* 13 contexts; 9 inbound and 6 outbound SAs. */
static const struct spec SPECS[] = {
	{ ST_CREATED,  false, false, false, false, &ALG_GCM128_NOAUTH },
	{ ST_COMPLETE, false, false, false, false, &ALG_GCM128_NOAUTH },
	{ ST_SPI_SET,  false, false, false, false, &ALG_GCM128_NOAUTH },
	{ ST_INBOUND,  false, false, false, false, &ALG_CBC128_SHA256 },
	{ ST_COMPLETE, true,  false, false, true,  &ALG_CBC128_SHA256 },
	{ ST_COMPLETE, false, false, true,  false, &ALG_GCM128_NOAUTH },
	{ ST_INBOUND,  true,  false, false, false, &ALG_GCM128_NOAUTH },
	{ ST_CREATED,  true,  false, false, true,  &ALG_GCM128_NOAUTH },
	{ ST_COMPLETE, false, false, false, false, &ALG_AH_SHA256 },
	{ ST_EXPIRED,  false, false, false, true,  &ALG_ESP_CBC128 },
	{ ST_COMPLETE, false, false, false, true,  &ALG_ESP_SHA1 },
	{ ST_SPI_SET,  true,  false, false, false, &ALG_GCM128_NOAUTH },
	{ ST_COMPLETE, false, true,  false, false, &ALG_GCM128_NOAUTH },
};
#define NSPECS		((int)(sizeof(SPECS) / sizeof(SPECS[0])))
#define NSAS_IN		9
#define NSAS_OUT	6

static const struct spec SPEC_COMPLETE = {
	ST_COMPLETE, false, false, false, false, &ALG_GCM128_NOAUTH };

/* Whether a context in state s has its SA of direction d installed. */
static bool installed(UINT32 s, FWP_DIRECTION d)
{
	if (d == FWP_DIRECTION_OUTBOUND)
		return s == ST_COMPLETE;
	return s == ST_INBOUND || s == ST_COMPLETE || s == ST_EXPIRED;
}

static const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif_of(int i)
{
	static IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif[MAX_CTX];

	vif[i].virtualIfTunnelId = 0xa000 + i;
	vif[i].trafficSelectorId = 0xb000 + i;
	return &vif[i];
}

/* 2001:db8:subnet::last_byte in IPSEC_TRAFFIC*'s reversed layout. */
static void v6_win(UINT8 *win, UINT8 last_byte, UINT8 subnet)
{
	UINT8 net[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, subnet,
			  [15] = last_byte };

	wfp_reverse16(win, net);
}

/* Context i's outbound traffic, and the inbound one its SPI is set with. */
static void traffic_of(const struct spec *s, int i, IPSEC_TRAFFIC1 *out,
		       IPSEC_TRAFFIC1 *in)
{
	memset(out, 0, sizeof(*out));
	if (s->v6) {
		out->ipVersion = FWP_IP_VERSION_V6;
		v6_win(out->localV6Address, 1, 0);
		v6_win(out->remoteV6Address, i + 1, 1);
	} else {
		out->ipVersion = FWP_IP_VERSION_V4;
		out->localV4Address = 0x0a090001;		/* 10.9.0.1 */
		out->remoteV4Address = 0x0a090100 + i + 1;	/* 10.9.1.x */
	}
	if (s->tunnel) {
		out->trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	} else {
		out->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
		if (!s->v6) {
			out->ipProtocol = IPPROTO_TCP;
			out->localPort = 1000 + i;
			out->remotePort = 2000 + i;
		}
	}
	out->ipsecFilterId = 0x100 + i;
	out->localIfLuid = 0x7000 + i;
	out->realIfProfileId = 0x40 + i;
	/* What Windows lets differ; here it tells the two apart. */
	*in = *out;
	in->ipsecFilterId = 0x200 + i;
	in->localIfLuid = 0x8000 + i;
}

struct world {
	HANDLE h;
	int fd;
	int n;
	const struct spec *spec[MAX_CTX];
	UINT32 state[MAX_CTX];
	UINT64 id[MAX_CTX];
	IPSEC_TRAFFIC1 out[MAX_CTX], in[MAX_CTX];
	bool gone[MAX_CTX];
};

static void world_open(struct __test_metadata *_metadata, struct world *w)
{
	memset(w, 0, sizeof(*w));
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	wfp_engine_open(_metadata, &w->h, &w->fd);
}

/* Makes context w->n as s says and takes it to s->state. */
static int ctx_add(struct __test_metadata *_metadata, struct world *w,
		   const struct spec *s)
{
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	FWP_IP_VERSION v;
	IPSEC_GETSPI1 g;
	struct sab b;
	int i = w->n;

	ASSERT_LT(i, MAX_CTX);
	w->spec[i] = s;
	traffic_of(s, i, &w->out[i], &w->in[i]);
	v = w->out[i].ipVersion;
	ASSERT_EQ(IPsecSaContextCreate1(w->h, &w->out[i],
					s->vif ? vif_of(i) : NULL, NULL,
					&w->id[i]), ERROR_SUCCESS);
	w->n++;
	if (s->state >= ST_SPI_SET) {
		wfp_getspi_set(&g, &w->in[i]);
		if (s->encap) {
			encap.localUdpEncapPort = ENCAP_LOCAL;
			encap.remoteUdpEncapPort = ENCAP_REMOTE(i);
			g.inboundUdpEncapsulation = &encap;
		}
		ASSERT_EQ(IPsecSaContextSetSpi0(w->h, w->id[i], &g, SPI_IN(i)),
			  ERROR_SUCCESS);
	}
	if (s->state >= ST_INBOUND) {
		bundle_init(&b, s->alg, SPI_IN(i), v, s->encap);
		ASSERT_EQ(IPsecSaContextAddInbound1(w->h, w->id[i], &b.b),
			  ERROR_SUCCESS);
	}
	if (s->state >= ST_COMPLETE) {
		bundle_init(&b, s->alg, SPI_OUT(i), v, s->encap);
		ASSERT_EQ(IPsecSaContextAddOutbound1(w->h, w->id[i], &b.b),
			  ERROR_SUCCESS);
	}
	if (s->state == ST_EXPIRED) {
		ASSERT_EQ(IPsecSaContextExpire0(w->h, w->id[i]), ERROR_SUCCESS);
	}
	w->state[i] = ctx_state(w->fd, w->id[i]);
	ASSERT_EQ(w->state[i], s->state);
	return i;
}

static void world_build(struct __test_metadata *_metadata, struct world *w)
{
	int i;

	world_open(_metadata, w);
	for (i = 0; i < NSPECS; i++)
		ctx_add(_metadata, w, &SPECS[i]);
}

static void ctx_delete(struct __test_metadata *_metadata, struct world *w,
		       int i)
{
	ASSERT_EQ(IPsecSaContextDeleteById0(w->h, w->id[i]), ERROR_SUCCESS);
	w->gone[i] = true;
}

/* ------------------------------------------------------------ reading */

/*
 * One SA as an enumeration returned it, copied out of the result before
 * it is freed.  Structural faults (a pointer outside the one allocation,
 * a key, an unexpected pointer) are counted in bad with the last reason.
 */
struct got {
	FWP_DIRECTION dir;
	FWP_IP_VERSION ipv;
	IPSEC_TRAFFIC1 t;	/* Enum0: the IPSEC_TRAFFIC0 members only */
	IPSEC_SA_BUNDLE1 b;	/* Enum0: the IPSEC_SA_BUNDLE0 members only */
	IPSEC_SA0 sa;		/* pointer cleared */
	IPSEC_AUTH_TRANSFORM_ID0 auth;
	IPSEC_CIPHER_TRANSFORM_ID0 cipher;
	bool has_auth, has_cipher;
	bool has_encap;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif;	/* Enum1 only */
	int bad;
	const char *why;
};

struct block {
	const char *lo, *hi;
};

static bool in_block(const struct block *blk, const void *p, size_t size)
{
	const char *c = p;

	return c && c >= blk->lo && c + size <= blk->hi;
}

static void fault(struct got *g, const char *why)
{
	g->bad++;
	g->why = why;
}

static void got_auth(struct got *g, const struct block *blk,
		     const IPSEC_SA_AUTH_INFORMATION0 *a)
{
	if (!in_block(blk, a, sizeof(*a)))
		return fault(g, "auth information outside the block");
	g->has_auth = true;
	g->auth = a->authTransform.authTransformId;
	if (a->authKey.size || a->authKey.data)
		fault(g, "auth key reported");
	if (a->authTransform.cryptoModuleId)
		fault(g, "auth cryptoModuleId set");
}

static void got_cipher(struct got *g, const struct block *blk,
		       const IPSEC_SA_CIPHER_INFORMATION0 *c)
{
	if (!in_block(blk, c, sizeof(*c)))
		return fault(g, "cipher information outside the block");
	g->has_cipher = true;
	g->cipher = c->cipherTransform.cipherTransformId;
	if (c->cipherKey.size || c->cipherKey.data)
		fault(g, "cipher key reported");
	if (c->cipherTransform.cryptoModuleId)
		fault(g, "cipher cryptoModuleId set");
}

static void got_sa(struct got *g, const struct block *blk,
		   UINT32 numSAs, const IPSEC_SA0 *sa)
{
	if (numSAs != 1)
		return fault(g, "numSAs not 1");
	if (!in_block(blk, sa, sizeof(*sa)))
		return fault(g, "saList outside the block");
	g->sa = *sa;
	g->sa.ahInformation = NULL;
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		if (!in_block(blk, sa->espAuthAndCipherInformation,
			      sizeof(*sa->espAuthAndCipherInformation)))
			return fault(g, "information outside the block");
		got_auth(g, blk,
			 &sa->espAuthAndCipherInformation->saAuthInformation);
		got_cipher(g, blk,
			   &sa->espAuthAndCipherInformation->saCipherInformation);
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		got_cipher(g, blk, sa->espCipherInformation);
		break;
	default:
		got_auth(g, blk, sa->ahInformation);
		break;
	}
}

/* What IPSEC_SA_DETAILS0 and 1 share, by member name. */
#define GOT_COMMON(g, d, blk) do {					\
	(g)->dir = (d)->saDirection;					\
	(g)->ipv = (d)->ipVersion;					\
	(g)->t.ipVersion = (d)->traffic.ipVersion;			\
	memcpy((g)->t.localV6Address, (d)->traffic.localV6Address, 16);	\
	memcpy((g)->t.remoteV6Address, (d)->traffic.remoteV6Address, 16); \
	(g)->t.trafficType = (d)->traffic.trafficType;			\
	(g)->t.ipsecFilterId = (d)->traffic.ipsecFilterId;		\
	(g)->t.remotePort = (d)->traffic.remotePort;			\
	(g)->b.flags = (d)->saBundle.flags;				\
	(g)->b.lifetime = (d)->saBundle.lifetime;			\
	(g)->b.idleTimeoutSeconds = (d)->saBundle.idleTimeoutSeconds;	\
	(g)->b.ndAllowClearTimeoutSeconds =				\
		(d)->saBundle.ndAllowClearTimeoutSeconds;		\
	(g)->b.napContext = (d)->saBundle.napContext;			\
	(g)->b.qmSaId = (d)->saBundle.qmSaId;				\
	(g)->b.numSAs = (d)->saBundle.numSAs;				\
	(g)->b.ipVersion = (d)->saBundle.ipVersion;			\
	(g)->b.peerV4PrivateAddress = (d)->saBundle.peerV4PrivateAddress; \
	(g)->b.mmSaId = (d)->saBundle.mmSaId;				\
	(g)->b.pfsGroup = (d)->saBundle.pfsGroup;			\
	if ((d)->saBundle.ipsecId || (d)->saBundle.keyModuleState)	\
		fault(g, "ipsecId or keyModuleState set");		\
	if ((d)->transportFilter)					\
		fault(g, "transportFilter set");			\
	got_sa(g, blk, (d)->saBundle.numSAs, (d)->saBundle.saList);	\
	if ((d)->udpEncapsulation) {					\
		if (!in_block(blk, (d)->udpEncapsulation,		\
			      sizeof(*(d)->udpEncapsulation)))		\
			fault(g, "udpEncapsulation outside the block");	\
		else							\
			(g)->encap = *(d)->udpEncapsulation;		\
		(g)->has_encap = true;					\
	}								\
} while (0)

static void got0(struct got *g, const struct block *blk,
		 const IPSEC_SA_DETAILS0 *d)
{
	memset(g, 0, sizeof(*g));
	if (!in_block(blk, d, sizeof(*d)))
		return fault(g, "entry outside the block");
	GOT_COMMON(g, d, blk);
}

static void got1(struct got *g, const struct block *blk,
		 const IPSEC_SA_DETAILS1 *d)
{
	memset(g, 0, sizeof(*g));
	if (!in_block(blk, d, sizeof(*d)))
		return fault(g, "entry outside the block");
	GOT_COMMON(g, d, blk);
	g->t.localPort = d->traffic.localPort;
	g->t.ipProtocol = d->traffic.ipProtocol;
	g->t.localIfLuid = d->traffic.localIfLuid;
	g->t.realIfProfileId = d->traffic.realIfProfileId;
	g->b.qmFilterId = d->saBundle.qmFilterId;
	g->b.saLookupContext = d->saBundle.saLookupContext;
	g->vif = d->virtualIfTunnelInfo;
}

/*
 * One IPsecSaEnum0/1 call (ver 0 or 1) of page entries, checked against
 * the rules of saenum.rst and copied to out (room for max); returns the
 * number of entries.
 */
static UINT32 enum_page(struct __test_metadata *_metadata, HANDLE h,
			HANDLE eh, int ver, UINT32 page, struct got *out,
			long max)
{
	IPSEC_SA_DETAILS0 **e0 = (IPSEC_SA_DETAILS0 **)&e0;
	IPSEC_SA_DETAILS1 **e1 = (IPSEC_SA_DETAILS1 **)&e1;
	struct block blk;
	UINT32 n = ~0U, i;
	void **e;

	if (ver) {
		ASSERT_EQ(IPsecSaEnum1(h, eh, page, &e1, &n), ERROR_SUCCESS);
	} else {
		ASSERT_EQ(IPsecSaEnum0(h, eh, page, &e0, &n), ERROR_SUCCESS);
	}
	e = ver ? (void **)e1 : (void **)e0;
	ASSERT_LE(n, page);
	if (!n) {
		ASSERT_EQ(e, NULL);
		return 0;
	}
	ASSERT_NE(e, NULL);
	ASSERT_LE(n, max);
	/* Everything reachable lies in the one block FwpmFreeMemory0 frees. */
	blk.lo = (const char *)e;
	blk.hi = blk.lo + malloc_usable_size(e);
	ASSERT_LE(n * sizeof(void *), (size_t)(blk.hi - blk.lo));
	for (i = 0; i < n; i++) {
		if (ver)
			got1(&out[i], &blk, e1[i]);
		else
			got0(&out[i], &blk, e0[i]);
	}
	FwpmFreeMemory0((void **)&e);
	EXPECT_EQ(e, NULL);
	return n;
}

/* A new SA enumeration of engine h, or a failed assertion. */
static HANDLE sa_enum(struct __test_metadata *_metadata, HANDLE h,
		      const IPSEC_SA_ENUM_TEMPLATE0 *tmpl)
{
	HANDLE eh = NULL;

	ASSERT_EQ(IPsecSaCreateEnumHandle0(h, tmpl, &eh), ERROR_SUCCESS);
	return eh;
}

/*
 * A whole enumeration in pages of page entries; returns the number of
 * SAs stored in out (room for MAX_SAS), *calls the Enum calls it took.
 */
static long walk(struct __test_metadata *_metadata, HANDLE h,
		 const IPSEC_SA_ENUM_TEMPLATE0 *tmpl, int ver, UINT32 page,
		 struct got *out, long *calls)
{
	HANDLE eh = sa_enum(_metadata, h, tmpl);
	long total = 0, c = 0;
	UINT32 n;

	ASSERT_NE(eh, NULL);
	do {
		n = enum_page(_metadata, h, eh, ver, page, out + total,
			      MAX_SAS - total);
		total += n;
		ASSERT_LT(++c, 10000);
	} while (n == page);
	ASSERT_EQ(IPsecSaDestroyEnumHandle0(h, eh), ERROR_SUCCESS);
	if (calls)
		*calls = c;
	return total;
}

/* The next Enum<ver> call of eh, for up to page entries, returns one SA. */
static struct got next_sa(struct __test_metadata *_metadata, HANDLE h,
			  HANDLE eh, int ver, UINT32 page)
{
	static struct got g[MAX_SAS];

	ASSERT_EQ(enum_page(_metadata, h, eh, ver, page, g, page), 1);
	return g[0];
}

/* The next Enum1 call of eh (page at most) returns one SA, of this SPI. */
static void expect_next_spi(struct __test_metadata *_metadata, HANDLE h,
			    HANDLE eh, UINT32 page, UINT32 spi)
{
	struct got g = next_sa(_metadata, h, eh, 1, page);

	EXPECT_EQ(g.sa.spi, spi);
}

/* ------------------------------------------------------------ checking */

/* g is context i's SA of direction d, as it was given. */
static void expect_sa(struct __test_metadata *_metadata,
		      const struct world *w, int i, FWP_DIRECTION d,
		      const struct got *g, int ver)
{
	const struct spec *s = w->spec[i];
	const struct alg *a = s->alg;
	bool in = d == FWP_DIRECTION_INBOUND;
	const IPSEC_TRAFFIC1 *want = in ? &w->in[i] : &w->out[i];
	UINT32 spi = in ? SPI_IN(i) : SPI_OUT(i);
	GUID lookup;

	EXPECT_EQ(g->bad, 0) TH_LOG("context %d: %s", i, g->why);
	EXPECT_EQ(g->dir, d);
	EXPECT_EQ(g->ipv, s->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4);
	if (ver) {
		expect_traffic1(_metadata, &g->t, want);
	} else {
		IPSEC_TRAFFIC0 t0 = traffic0_of(&g->t);

		expect_traffic0(_metadata, &t0, want);
	}

	EXPECT_EQ(g->b.numSAs, 1);
	EXPECT_EQ(g->b.ipVersion, g->ipv);
	EXPECT_EQ(g->b.flags, B_FLAGS);
	EXPECT_EQ(g->b.lifetime.lifetimeSeconds, LIFETIME(spi));
	EXPECT_EQ(g->b.lifetime.lifetimeKilobytes, 0);
	EXPECT_EQ(g->b.lifetime.lifetimePackets, 0);
	EXPECT_EQ(g->b.idleTimeoutSeconds, B_IDLE);
	EXPECT_EQ(g->b.ndAllowClearTimeoutSeconds, B_NDCLEAR);
	EXPECT_EQ(g->b.napContext, spi & 0xf);
	EXPECT_EQ(g->b.qmSaId, QM_SA_ID(spi));
	EXPECT_EQ(g->b.mmSaId, MM_SA_ID(spi));
	EXPECT_EQ(g->b.pfsGroup, B_PFS);
	EXPECT_EQ(g->b.peerV4PrivateAddress, s->encap ? PEER_PRIVATE : 0);

	EXPECT_EQ(g->sa.spi, spi);
	EXPECT_EQ(g->sa.saTransformType, a->type);
	EXPECT_EQ(g->has_auth, a->type != IPSEC_TRANSFORM_ESP_CIPHER);
	if (g->has_auth) {
		EXPECT_EQ(g->auth.authType, a->auth_type);
		EXPECT_EQ(g->auth.authConfig, a->auth_cfg);
	}
	EXPECT_EQ(g->has_cipher,
		  a->type == IPSEC_TRANSFORM_ESP_CIPHER ||
		  a->type == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER);
	if (g->has_cipher) {
		EXPECT_EQ(g->cipher.cipherType, a->cipher_type);
		EXPECT_EQ(g->cipher.cipherConfig, a->cipher_cfg);
	}

	/* The encapsulation is reported with the inbound SA, as by GetById. */
	EXPECT_EQ(g->has_encap, in && s->encap);
	if (g->has_encap) {
		EXPECT_EQ(g->encap.localUdpEncapPort, ENCAP_LOCAL);
		EXPECT_EQ(g->encap.remoteUdpEncapPort, ENCAP_REMOTE(i));
	}
	if (!ver)
		return;
	EXPECT_EQ(g->b.qmFilterId, QM_FILTER(spi));
	memset(&lookup, LOOKUP(spi), sizeof(lookup));
	EXPECT_EQ(memcmp(&g->b.saLookupContext, &lookup, sizeof(lookup)), 0);
	EXPECT_EQ(g->vif.virtualIfTunnelId,
		  s->vif ? vif_of(i)->virtualIfTunnelId : 0);
	EXPECT_EQ(g->vif.trafficSelectorId,
		  s->vif ? vif_of(i)->trafficSelectorId : 0);
}

#define DIRS_BOTH	(1U << FWP_DIRECTION_INBOUND | 1U << FWP_DIRECTION_OUTBOUND)

/*
 * got[0..n) is exactly the installed SAs of the contexts not deleted, in
 * the directions dirs (bits by FWP_DIRECTION), each once.
 */
static void expect_exactly(struct __test_metadata *_metadata,
			   const struct world *w, const struct got *got,
			   long n, unsigned int dirs, int ver)
{
	static const FWP_DIRECTION both[2] = {
		FWP_DIRECTION_INBOUND, FWP_DIRECTION_OUTBOUND };
	const struct got *match;
	long want = 0, j;
	int i, k, seen;

	for (i = 0; i < w->n; i++) {
		for (k = 0; k < 2; k++) {
			FWP_DIRECTION d = both[k];
			UINT32 spi = d == FWP_DIRECTION_INBOUND ? SPI_IN(i) :
								 SPI_OUT(i);

			if (w->gone[i] || !(dirs & 1U << d) ||
			    !installed(w->state[i], d))
				continue;
			want++;
			seen = 0;
			match = NULL;
			for (j = 0; j < n; j++) {
				if (got[j].dir == d && got[j].sa.spi == spi) {
					seen++;
					match = &got[j];
				}
			}
			EXPECT_EQ(seen, 1) TH_LOG("context %d, %s SA 0x%08x",
						  i, k ? "outbound" : "inbound",
						  spi);
			if (match)
				expect_sa(_metadata, w, i, d, match, ver);
		}
	}
	EXPECT_EQ(n, want);
}

static const IPSEC_SA_ENUM_TEMPLATE0 TMPL_IN = { FWP_DIRECTION_INBOUND };
static const IPSEC_SA_ENUM_TEMPLATE0 TMPL_OUT = { FWP_DIRECTION_OUTBOUND };

/* ==================================================================== */
/* Every installed SA, once, whatever the page size and version        */
/* ==================================================================== */

/*
 * FIXTURE name: a struct world that setup (world_open or world_build)
 * starts, room for the SAs a walk returns, the engine closed at the end.
 */
#define WORLD_FIXTURE(name, setup)					\
	FIXTURE(name) {							\
		struct world w;						\
		struct got got[MAX_SAS];				\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		setup(_metadata, &self->w);				\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		FwpmEngineClose0(self->w.h);				\
	}

WORLD_FIXTURE(world, world_build);

FIXTURE_VARIANT(world) {
	int ver;
	UINT32 page;
};

FIXTURE_VARIANT_ADD(world, enum0_page1) { .ver = 0, .page = 1 };
FIXTURE_VARIANT_ADD(world, enum0_page2) { .ver = 0, .page = 2 };
FIXTURE_VARIANT_ADD(world, enum0_page3) { .ver = 0, .page = 3 };
FIXTURE_VARIANT_ADD(world, enum0_all) { .ver = 0, .page = PAGE_ALL };
FIXTURE_VARIANT_ADD(world, enum1_page1) { .ver = 1, .page = 1 };
FIXTURE_VARIANT_ADD(world, enum1_page2) { .ver = 1, .page = 2 };
FIXTURE_VARIANT_ADD(world, enum1_page3) { .ver = 1, .page = 3 };
FIXTURE_VARIANT_ADD(world, enum1_all) { .ver = 1, .page = PAGE_ALL };
/* As many as there are: the call after a full page returns none. */
FIXTURE_VARIANT_ADD(world, enum1_exact) {
	.ver = 1, .page = NSAS_IN + NSAS_OUT };

/*
 * A walk in the variant's pages through template tmpl returns want SAs,
 * exactly the installed ones of directions dirs; *calls as walk()'s.
 */
static long expect_walk(struct __test_metadata *_metadata,
			FIXTURE_DATA(world) *self,
			const FIXTURE_VARIANT(world) *variant,
			const IPSEC_SA_ENUM_TEMPLATE0 *tmpl, unsigned int dirs,
			long want, long *calls)
{
	long n = walk(_metadata, self->w.h, tmpl, variant->ver,
		      variant->page, self->got, calls);

	EXPECT_EQ(n, want);
	expect_exactly(_metadata, &self->w, self->got, n, dirs, variant->ver);
	return n;
}

TEST_F(world, lists_exactly_the_installed_sas)
{
	long n, calls;

	n = expect_walk(_metadata, self, variant, NULL, DIRS_BOTH,
			NSAS_IN + NSAS_OUT, &calls);
	/* Only the last call returns fewer than asked for. */
	EXPECT_EQ(calls, n / variant->page + 1);
}

TEST_F(world, inbound_template_lists_inbound_sas)
{
	expect_walk(_metadata, self, variant, &TMPL_IN,
		    1U << FWP_DIRECTION_INBOUND, NSAS_IN, NULL);
}

TEST_F(world, outbound_template_lists_outbound_sas)
{
	expect_walk(_metadata, self, variant, &TMPL_OUT,
		    1U << FWP_DIRECTION_OUTBOUND, NSAS_OUT, NULL);
}

TEST_F(world, deleted_contexts_sas_are_gone)
{
	long n;
	int i;

	/* A complete, an inbound-only, the expired and a ST_CREATED one. */
	ctx_delete(_metadata, &self->w, 1);
	ctx_delete(_metadata, &self->w, 3);
	ctx_delete(_metadata, &self->w, 9);
	ctx_delete(_metadata, &self->w, 0);
	expect_walk(_metadata, self, variant, NULL, DIRS_BOTH,
		    NSAS_IN + NSAS_OUT - 4, NULL);

	for (i = 0; i < self->w.n; i++)
		if (!self->w.gone[i])
			ctx_delete(_metadata, &self->w, i);
	n = walk(_metadata, self->w.h, NULL, variant->ver, variant->page,
		 self->got, NULL);
	EXPECT_EQ(n, 0);
}

/* ==================================================================== */
/* Walks that change, handles, paging details                           */
/* ==================================================================== */

WORLD_FIXTURE(lib, world_open);

TEST_F(lib, no_contexts_no_entries)
{
	EXPECT_EQ(walk(_metadata, self->w.h, NULL, 1, 10, self->got, NULL), 0);
	EXPECT_EQ(walk(_metadata, self->w.h, NULL, 0, 1, self->got, NULL), 0);
}

TEST_F(lib, contexts_without_sas_give_none)
{
	int i;

	/* SPECS[0] is ST_CREATED, SPECS[2] ST_SPI_SET. */
	for (i = 0; i < 5; i++)
		ctx_add(_metadata, &self->w, &SPECS[i % 2 ? 0 : 2]);
	EXPECT_EQ(walk(_metadata, self->w.h, NULL, 1, 3, self->got, NULL), 0);
}

/* Many contexts without SAs between those with: the pages grow. */
TEST_F(lib, sas_among_many_contexts_without_sas)
{
	long n, calls;
	int i, a, b;

	for (i = 0; i < 45; i++)
		ctx_add(_metadata, &self->w, &SPECS[i % 2 ? 0 : 2]);
	a = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	for (i = 0; i < 10; i++)
		ctx_add(_metadata, &self->w, &SPECS[0]);
	b = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	n = walk(_metadata, self->w.h, NULL, 1, 1, self->got, &calls);
	EXPECT_EQ(n, 4);
	EXPECT_EQ(calls, 5);
	expect_exactly(_metadata, &self->w, self->got, n, DIRS_BOTH, 1);
	n = walk(_metadata, self->w.h, &TMPL_OUT, 0, 1, self->got, &calls);
	EXPECT_EQ(n, 2);
	EXPECT_EQ(calls, 3);
	EXPECT_EQ(self->got[0].sa.spi, SPI_OUT(a));
	EXPECT_EQ(self->got[1].sa.spi, SPI_OUT(b));
}

/* A page can end between a context's two SAs: the second comes next. */
TEST_F(lib, page_ends_between_a_contexts_sas)
{
	int i = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	HANDLE eh = sa_enum(_metadata, self->w.h, NULL);
	struct got g = next_sa(_metadata, self->w.h, eh, 1, 1);

	EXPECT_EQ(g.dir, FWP_DIRECTION_INBOUND);
	EXPECT_EQ(g.sa.spi, SPI_IN(i));
	/* Enum0 and Enum1 share the handle's position. */
	g = next_sa(_metadata, self->w.h, eh, 0, 1);
	EXPECT_EQ(g.dir, FWP_DIRECTION_OUTBOUND);
	EXPECT_EQ(g.sa.spi, SPI_OUT(i));
	EXPECT_EQ(enum_page(_metadata, self->w.h, eh, 1, 1, &self->got[2], 1),
		  0);
	EXPECT_EQ(enum_page(_metadata, self->w.h, eh, 1, 1, &self->got[2], 1),
		  0);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
}

/*
 * The SA still due when a page ended is reported as read, even if its
 * context is deleted before the next call; later contexts are read anew.
 */
TEST_F(lib, sa_still_due_survives_its_context)
{
	int a = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	int b = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	HANDLE eh = sa_enum(_metadata, self->w.h, NULL);
	struct got g;

	expect_next_spi(_metadata, self->w.h, eh, 1, SPI_IN(a));
	ctx_delete(_metadata, &self->w, a);
	ctx_delete(_metadata, &self->w, b);
	g = next_sa(_metadata, self->w.h, eh, 1, 5);
	EXPECT_EQ(g.sa.spi, SPI_OUT(a));
	EXPECT_EQ(g.dir, FWP_DIRECTION_OUTBOUND);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
}

/*
 * Contexts deleted during a walk before it reaches them give nothing,
 * those present throughout give each SA once, those created meanwhile
 * (with ids above every other) are reached too.
 */
TEST_F(lib, contexts_changing_during_walk)
{
	HANDLE eh = NULL;
	long n = 0;
	UINT32 got;
	int i, late = -1;

	for (i = 0; i < 6; i++)
		ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	eh = sa_enum(_metadata, self->w.h, NULL);
	do {
		got = enum_page(_metadata, self->w.h, eh, 1, 3,
				self->got + n, MAX_SAS - n);
		n += got;
		if (n == 3) {
			/* Mid-context 1: delete 4, add 6. */
			ctx_delete(_metadata, &self->w, 4);
			late = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
		}
	} while (got == 3);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
	EXPECT_EQ(late, 6);
	EXPECT_EQ(n, 12);
	expect_exactly(_metadata, &self->w, self->got, n, DIRS_BOTH, 1);
}

TEST_F(lib, zero_entries_requested_consumes_nothing)
{
	IPSEC_SA_DETAILS1 **e1 = (IPSEC_SA_DETAILS1 **)&e1;
	IPSEC_SA_DETAILS0 **e0 = (IPSEC_SA_DETAILS0 **)&e0;
	UINT32 n = 77;
	int i = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	HANDLE eh = sa_enum(_metadata, self->w.h, NULL);

	EXPECT_EQ(IPsecSaEnum1(self->w.h, eh, 0, &e1, &n), ERROR_SUCCESS);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(e1, NULL);
	expect_next_spi(_metadata, self->w.h, eh, 1, SPI_IN(i));
	n = 77;
	EXPECT_EQ(IPsecSaEnum0(self->w.h, eh, 0, &e0, &n), ERROR_SUCCESS);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(e0, NULL);
	expect_next_spi(_metadata, self->w.h, eh, 9, SPI_OUT(i));
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
}

/* Two handles of one engine walk independently. */
TEST_F(lib, handles_are_independent)
{
	int i = ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	HANDLE a = sa_enum(_metadata, self->w.h, NULL);
	HANDLE b = sa_enum(_metadata, self->w.h, &TMPL_OUT);

	ASSERT_NE(a, b);
	expect_next_spi(_metadata, self->w.h, a, 1, SPI_IN(i));
	expect_next_spi(_metadata, self->w.h, b, 5, SPI_OUT(i));
	expect_next_spi(_metadata, self->w.h, a, 5, SPI_OUT(i));
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, a), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, b), ERROR_SUCCESS);
}

/* A dynamic session may enumerate: it only reads. */
TEST_F(lib, dynamic_session_can_enumerate)
{
	HANDLE dyn;

	ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	dyn = engine_open_ok(_metadata, FWPM_SESSION_FLAG_DYNAMIC);
	EXPECT_EQ(walk(_metadata, dyn, NULL, 1, 10, self->got, NULL), 2);
	FwpmEngineClose0(dyn);
}

/*
 * Handles left open go with their engine, memory included.  glibc's
 * per-thread cache counts a few freed chunks as in use, hence the slack:
 * the handles left open here hold far more than that while they live.
 */
#define LEFT_OPEN	2000
#define SLACK		(64 * 1024LL)

TEST_F(lib, handles_freed_when_engine_closes)
{
	struct mallinfo2 before, during, after;
	HANDLE h, eh;
	int round, i;

	for (i = 0; i < 3; i++)
		ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	/* Round 0 warms up whatever the C library allocates once. */
	for (round = 0; round < 2; round++) {
		before = mallinfo2();
		h = engine_open_ok(_metadata, 0);
		for (i = 0; i < LEFT_OPEN; i++) {
			eh = sa_enum(_metadata, h, NULL);
			/* Some stop between the two SAs of a context. */
			if (i % 8 == 0)
				next_sa(_metadata, h, eh, 1, 1);
		}
		during = mallinfo2();
		ASSERT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
		after = mallinfo2();
	}
	EXPECT_GT((long long)during.uordblks - (long long)before.uordblks,
		  4 * SLACK);
	EXPECT_LT((long long)after.uordblks - (long long)before.uordblks,
		  SLACK) TH_LOG("in use: %zu before, %zu open, %zu after",
				before.uordblks, during.uordblks,
				after.uordblks);
}

/* ==================================================================== */
/* Error paths, one test each                                           */
/* ==================================================================== */

/* h has no SA enumeration eh: Enum1 and DestroyEnumHandle0 refuse it. */
static void expect_sa_enum_refused(struct __test_metadata *_metadata,
				   HANDLE h, HANDLE eh)
{
	IPSEC_SA_DETAILS1 **e = NULL;
	UINT32 n = 0;

	EXPECT_EQ(IPsecSaEnum1(h, eh, 4, &e, &n), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(h, eh), ERROR_INVALID_HANDLE);
}

TEST_F(lib, create_null_enum_handle)
{
	EXPECT_EQ(IPsecSaCreateEnumHandle0(self->w.h, NULL, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaCreateEnumHandle0(self->w.h, &TMPL_IN, NULL),
		  FWP_E_NULL_POINTER);
}

TEST_F(lib, create_bad_direction)
{
	static const int bad[] = { FWP_DIRECTION_MAX, 3, 0x7fffffff, -1 };
	IPSEC_SA_ENUM_TEMPLATE0 t;
	HANDLE eh;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t.saDirection = (FWP_DIRECTION)bad[i];
		eh = (HANDLE)&t;
		EXPECT_EQ(IPsecSaCreateEnumHandle0(self->w.h, &t, &eh),
			  FWP_E_INVALID_ENUMERATOR) TH_LOG("direction %d", bad[i]);
		EXPECT_EQ(eh, (HANDLE)&t);
	}
}

TEST_F(lib, create_bad_engine_handle)
{
	int not_an_engine = 0;
	HANDLE closed = engine_closed(_metadata), eh = NULL;

	EXPECT_EQ(IPsecSaCreateEnumHandle0(NULL, NULL, &eh),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaCreateEnumHandle0(closed, NULL, &eh),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaCreateEnumHandle0(&not_an_engine, NULL, &eh),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(eh, NULL);
	EXPECT_EQ(not_an_engine, 0);
}

/* In a child without CAP_NET_ADMIN the session holds no rights. */
static int no_rights_create(void *arg)
{
	HANDLE h = NULL, eh = NULL;

	if (drop_cap_net_admin())
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 101;
	if (IPsecSaCreateEnumHandle0(h, NULL, &eh) != ERROR_ACCESS_DENIED)
		return 1;
	if (IPsecSaCreateEnumHandle0(h, &TMPL_OUT, &eh) != ERROR_ACCESS_DENIED)
		return 2;
	if (eh)
		return 3;
	return FwpmEngineClose0(h) ? 102 : 0;
}

TEST_F(lib, create_without_rights_access_denied)
{
	ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	EXPECT_EQ(run_in_child(no_rights_create, NULL), 0);
}

TEST_F(lib, enum_null_out_pointers)
{
	IPSEC_SA_DETAILS1 **e1 = NULL;
	IPSEC_SA_DETAILS0 **e0 = NULL;
	UINT32 n = 77;
	HANDLE eh;

	ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	eh = sa_enum(_metadata, self->w.h, NULL);
	EXPECT_EQ(IPsecSaEnum1(self->w.h, eh, 4, NULL, &n), FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaEnum1(self->w.h, eh, 4, &e1, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaEnum0(self->w.h, eh, 4, NULL, &n), FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaEnum0(self->w.h, eh, 4, &e0, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(n, 77);
	EXPECT_EQ(e1, NULL);
	EXPECT_EQ(e0, NULL);
	/* Nothing was consumed. */
	EXPECT_EQ(enum_page(_metadata, self->w.h, eh, 1, 5, self->got, 5), 2);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
}

TEST_F(lib, enum_bad_engine_handle)
{
	HANDLE closed = engine_closed(_metadata);
	HANDLE eh = sa_enum(_metadata, self->w.h, NULL);
	IPSEC_SA_DETAILS0 **e0 = NULL;
	UINT32 n = 0;

	EXPECT_EQ(IPsecSaEnum0(closed, eh, 4, &e0, &n), ERROR_INVALID_HANDLE);
	expect_sa_enum_refused(_metadata, NULL, eh);
	expect_sa_enum_refused(_metadata, closed, eh);
	/* The handle is still fine with its own engine. */
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
}

TEST_F(lib, enum_handle_null_or_unknown)
{
	IPSEC_SA_DETAILS0 **e0 = NULL;
	int not_a_handle = 0;
	HANDLE bad[2] = { NULL, &not_a_handle };
	UINT32 n = 0;
	int i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(IPsecSaEnum0(self->w.h, bad[i], 4, &e0, &n),
			  ERROR_INVALID_HANDLE);
		expect_sa_enum_refused(_metadata, self->w.h, bad[i]);
	}
	EXPECT_EQ(not_a_handle, 0);
}

/* A context enumeration handle is no SA enumeration handle, and back. */
TEST_F(lib, enum_handle_of_the_other_kind)
{
	IPSEC_SA_CONTEXT1 **c = NULL;
	HANDLE ceh = NULL, seh;
	UINT32 n = 0;

	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(self->w.h, NULL, &ceh),
		  ERROR_SUCCESS);
	seh = sa_enum(_metadata, self->w.h, NULL);
	expect_sa_enum_refused(_metadata, self->w.h, ceh);
	EXPECT_EQ(IPsecSaContextEnum1(self->w.h, seh, 4, &c, &n),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(self->w.h, seh),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextDestroyEnumHandle0(self->w.h, ceh),
		  ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, seh), ERROR_SUCCESS);
}

TEST_F(lib, enum_handle_destroyed)
{
	HANDLE eh = sa_enum(_metadata, self->w.h, NULL);

	ASSERT_EQ(IPsecSaDestroyEnumHandle0(self->w.h, eh), ERROR_SUCCESS);
	expect_sa_enum_refused(_metadata, self->w.h, eh);
}

TEST_F(lib, enum_handle_of_other_engine)
{
	HANDLE other, eh;

	ctx_add(_metadata, &self->w, &SPEC_COMPLETE);
	other = engine_open_ok(_metadata, 0);
	eh = sa_enum(_metadata, other, NULL);
	expect_sa_enum_refused(_metadata, self->w.h, eh);
	/* Its own engine still has it, untouched. */
	EXPECT_EQ(enum_page(_metadata, other, eh, 1, 4, self->got, 4), 2);
	EXPECT_EQ(IPsecSaDestroyEnumHandle0(other, eh), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

TEST_F(lib, enum_handle_dies_with_its_engine)
{
	HANDLE other = engine_open_ok(_metadata, 0);
	HANDLE eh = sa_enum(_metadata, other, NULL);

	ASSERT_EQ(FwpmEngineClose0(other), ERROR_SUCCESS);
	expect_sa_enum_refused(_metadata, self->w.h, eh);
}

TEST_HARNESS_MAIN
