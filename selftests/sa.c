// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextAddInbound0/1 and AddOutbound0/1 (Documentation/sa.rst):
 * real SAs and policies, and real encrypted traffic.
 *
 * The proof (FIXTURE wire): two network namespaces joined by a veth
 * pair.  Side A - the test process, in a namespace of its own - is keyed
 * only through libwfpipsec (FwpmEngineOpen0, Create1, SetSpi0,
 * AddInbound1, AddOutbound1).  Side B is an independent peer keyed with
 * plain `ip xfrm state/policy` commands.  Ping and a UDP exchange go both
 * ways, the SA counters rise on both sides (read with libnl-xfrm), a
 * wrong key on B makes traffic fail and the error counters rise.  One
 * variant per algorithm family and traffic layout: AES-GCM-128/256,
 * AES-CBC + HMAC-SHA256, ESP auth-only HMAC-SHA1/SHA256 and GMAC, AH,
 * transport IPv4 and IPv6, tunnel IPv4 between two subnets, ESP-in-UDP
 * (whose UDP_ENCAP sockets carry per-socket bypass policies, as an IKE
 * daemon's do).  FIXTURE wire1 adds, over the same wire, rekeying with a
 * second context of the same traffic, WFPIPSEC_SELECTORS_FLAG_NO_POLICY
 * and a packet lifetime running out.
 *
 * The rest runs in one namespace without traffic: every entry of the
 * algorithm table, lifetimes, policy sets, conflicts with what another
 * control plane put in xfrm (and its removing our states, which deletes
 * the context: lifecycle.rst), the order rules and every validation code
 * (FIXTURE bad, one variant per error path with otherwise valid input),
 * the raw ioctls (FIXTURE rawres: reserved fields; the status copied out
 * on failure).  Each failing call is checked to have changed nothing:
 * the context state, and the xfrm states and policies of the namespace.
 *
 * Every test runs in a network namespace of its own, so the xfrm
 * database starts empty and counts are exact.
 */
#include <stddef.h>
#include <stdint.h>

/*
 * sa.c's own: the transform B keys with (FIXTURE wire and the like), the
 * main context and its traffic (FIXTURE add and the like: struct env).
 */
#define ENV_PRIVATE							\
	const struct alg *alg;						\
	IPSEC_TRAFFIC1 t;						\
	IPSEC_GETSPI1 g;						\
	UINT64 id
#include "wfp_sa.h"

#define REQID_MIN	0x40000000U
#define POLICY_PRIO	0x8000

/* A's inbound SPI (reserved with SetSpi0) and the peer's (A's outbound). */
#define SPI_IN		0x1000a001U
#define SPI_OUT		0x1000b001U
/* The rekeying context's. */
#define SPI_IN2		0x1000a002U
#define SPI_OUT2	0x1000b002U
/* Side B's tunnel subnet, 10.2.2.0/24. */
#define SUBNET_B	0x0a020200U

/* The whole table of sa.rst, to build every valid transform from. */
struct auth_desc {
	IPSEC_AUTH_TYPE type;
	UINT8 cfg;
	UINT32 len;
	const char *x;
	unsigned int bits;
	bool gmac;
};

struct cipher_desc {
	IPSEC_CIPHER_TYPE type;
	UINT8 cfg;
	UINT32 len;
	const char *x;
	bool gcm;
};

/* Rows of the tables below, without the IPSEC_*_ prefixes. */
#define AUTH(t, c, len, x, bits, gmac)					\
	{ IPSEC_AUTH_##t, IPSEC_AUTH_CONFIG_##c, len, x, bits, gmac }
#define CIPHER(t, c, len, x, gcm)					\
	{ IPSEC_CIPHER_TYPE_##t, IPSEC_CIPHER_CONFIG_##c, len, x, gcm }

static const struct auth_desc AUTHS[] = {
	AUTH(MD5, HMAC_MD5_96, 16, "hmac(md5)", 96, false),
	AUTH(SHA_1, HMAC_SHA_1_96, 20, "hmac(sha1)", 96, false),
	AUTH(SHA_256, HMAC_SHA_256_128, 32, "hmac(sha256)", 128, false),
	AUTH(AES_128, GCM_AES_128, 20, "rfc4543(gcm(aes))", 128, true),
	AUTH(AES_192, GCM_AES_192, 28, "rfc4543(gcm(aes))", 128, true),
	AUTH(AES_256, GCM_AES_256, 36, "rfc4543(gcm(aes))", 128, true),
};

static const struct cipher_desc CIPHERS[] = {
	CIPHER(DES, CBC_DES, 8, "cbc(des)", false),
	CIPHER(3DES, CBC_3DES, 24, "cbc(des3_ede)", false),
	CIPHER(AES_128, CBC_AES_128, 16, "cbc(aes)", false),
	CIPHER(AES_192, CBC_AES_192, 24, "cbc(aes)", false),
	CIPHER(AES_256, CBC_AES_256, 32, "cbc(aes)", false),
	CIPHER(AES_128, GCM_AES_128, 20, "rfc4106(gcm(aes))", true),
	CIPHER(AES_192, GCM_AES_192, 28, "rfc4106(gcm(aes))", true),
	CIPHER(AES_256, GCM_AES_256, 36, "rfc4106(gcm(aes))", true),
};

/* An auth-only transform (AH, ESP_AUTH, ESP_AUTH_FW) of AUTHS[i]. */
static struct alg alg_auth_only(IPSEC_TRANSFORM_TYPE type, unsigned int i)
{
	const struct auth_desc *d = &AUTHS[i];
	struct alg a = {
		.name = d->x, .type = type, .auth_type = d->type,
		.auth_cfg = d->cfg, .auth_len = d->len,
		.proto = type == IPSEC_TRANSFORM_AH ? IPPROTO_AH : IPPROTO_ESP,
		.x_bits = d->bits,
	};

	if (d->gmac) {
		a.x_aead = d->x;
	} else {
		a.x_auth = d->x;
		if (type != IPSEC_TRANSFORM_AH)
			a.x_enc = "ecb(cipher_null)";
	}
	return a;
}

static struct alg alg_cipher_only(unsigned int i)
{
	const struct cipher_desc *d = &CIPHERS[i];

	return (struct alg){
		.name = d->x, .type = IPSEC_TRANSFORM_ESP_CIPHER,
		.cipher_type = d->type, .cipher_cfg = d->cfg,
		.cipher_len = d->len, .proto = IPPROTO_ESP, .x_enc = d->x,
	};
}

/* CIPHERS[c] with AUTHS[h]; for GCM the matching GCM auth transform. */
static struct alg alg_both(unsigned int c, unsigned int h)
{
	const struct cipher_desc *cd = &CIPHERS[c];
	const struct auth_desc *ad = &AUTHS[h];
	struct alg a = {
		.name = cd->x, .type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
		.auth_type = ad->type, .auth_cfg = ad->cfg,
		.cipher_type = cd->type, .cipher_cfg = cd->cfg,
		.cipher_len = cd->len, .proto = IPPROTO_ESP,
		.x_bits = ad->bits,
	};

	if (cd->gcm) {
		a.gcm = true;
		a.auth_copy = true;
		a.x_aead = cd->x;
	} else {
		a.auth_len = ad->len;
		a.x_auth = ad->x;
		a.x_enc = cd->x;
	}
	return a;
}

/* ------------------------------------------------------------ addresses */

/* The shared layout, plus a tunnel policy id to see it recorded. */
static void traffic_set(IPSEC_TRAFFIC1 *t, bool tunnel, const char *local,
			const char *remote)
{
	wfp_traffic_set(t, tunnel, local, remote);
	if (tunnel)
		t->tunnelPolicyId = 0x77;
}

/* ------------------------------------------------------- /proc counters */

struct stats {
	int n;
	char name[64][48];
	unsigned long long v[64];
};

/* /proc/net/xfrm_stat of namespace ns; 0 or -1. */
static int stats_read(int ns, struct stats *s)
{
	char line[128];
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = ns_fopen(ns, "/proc/self/net/xfrm_stat");
	if (!f)
		return -1;
	while (s->n < 64 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%47s %llu", s->name[s->n], &s->v[s->n]) == 2)
			s->n++;
	fclose(f);
	return 0;
}

static unsigned long long stat_get(const struct stats *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->v[i];
	return 0;
}

static void stats_log_changes(const char *side, const struct stats *a,
			      const struct stats *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->v[i] != stat_get(a, b->name[i]))
			ksft_print_msg("%s: %s %llu -> %llu\n", side, b->name[i],
				       stat_get(a, b->name[i]), b->v[i]);
}

/* ------------------------------------------------------------ sessions */

/*
 * xfrm's own removal of a context's SA (hard lifetime, `ip xfrm state
 * delete/flush`) deletes the whole context, from a work item
 * (lifecycle.rst): wait up to 10 s for it to be gone.
 */
static bool wait_ctx_gone(HANDLE h, UINT64 id)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	int i;

	for (i = 0; i < 100; i++) {
		if (IPsecSaContextGetById1(h, id, &c) == FWP_E_NOT_FOUND)
			return true;
		FwpmFreeMemory0((void **)&c);
		usleep(100000);
	}
	return false;
}

/* ==================================================== checks of results */

/* The transform of one SA as xfrm holds it, alg_keys()' keys included. */
static void expect_xfrm_alg(struct __test_metadata *_metadata,
			    const struct xs *x, const struct alg *a,
			    unsigned int seed, int dir)
{
	UINT8 ck[KEYBUF], ak[KEYBUF];

	alg_keys(a, seed, dir, ck, ak);
	EXPECT_EQ(x->proto, a->proto) TH_LOG("%s", a->name);
	if (a->x_aead) {
		const UINT8 *k = a->gcm ? ck : ak;
		UINT32 len = a->gcm ? a->cipher_len : a->auth_len;

		EXPECT_STREQ(x->aead, a->x_aead);
		EXPECT_EQ(x->aead_bits, len * 8) TH_LOG("%s", a->name);
		EXPECT_EQ(x->aead_icv, a->x_bits) TH_LOG("%s", a->name);
		EXPECT_EQ(memcmp(x->aead_key, k, len), 0)
			TH_LOG("%s: AEAD key differs", a->name);
		EXPECT_STREQ(x->auth, "");
		EXPECT_STREQ(x->enc, "");
		return;
	}
	EXPECT_STREQ(x->aead, "");
	if (a->x_auth) {
		EXPECT_STREQ(x->auth, a->x_auth);
		EXPECT_EQ(x->auth_bits, a->auth_len * 8) TH_LOG("%s", a->name);
		EXPECT_EQ(x->auth_trunc, a->x_bits) TH_LOG("%s", a->name);
		EXPECT_EQ(memcmp(x->auth_key, ak, a->auth_len), 0)
			TH_LOG("%s: auth key differs", a->name);
	} else {
		EXPECT_STREQ(x->auth, "");
	}
	if (a->x_enc) {
		EXPECT_STREQ(x->enc, a->x_enc);
		EXPECT_EQ(x->enc_bits, a->cipher_len * 8) TH_LOG("%s", a->name);
		EXPECT_EQ(memcmp(x->enc_key, ck, a->cipher_len), 0)
			TH_LOG("%s: cipher key differs", a->name);
	} else {
		EXPECT_STREQ(x->enc, "");
	}
}

/* One SA of a bundle GetById reported: transform ids, no key. */
static void expect_sa0(struct __test_metadata *_metadata, const IPSEC_SA0 *sa,
		       const struct alg *a, UINT32 spi)
{
	const IPSEC_SA_AUTH_INFORMATION0 *ai = NULL;
	const IPSEC_SA_CIPHER_INFORMATION0 *ci = NULL;

	EXPECT_EQ(sa->spi, spi);
	EXPECT_EQ(sa->saTransformType, a->type);
	switch (a->type) {
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		ASSERT_NE(sa->espAuthAndCipherInformation, NULL);
		ai = &sa->espAuthAndCipherInformation->saAuthInformation;
		ci = &sa->espAuthAndCipherInformation->saCipherInformation;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		ASSERT_NE(sa->espCipherInformation, NULL);
		ci = sa->espCipherInformation;
		break;
	default:
		ASSERT_NE(sa->ahInformation, NULL);
		ai = sa->ahInformation;
		break;
	}
	if (ai) {
		EXPECT_EQ(ai->authTransform.authTransformId.authType,
			  a->auth_type);
		EXPECT_EQ(ai->authTransform.authTransformId.authConfig,
			  a->auth_cfg);
		EXPECT_EQ(ai->authKey.size, 0);
		EXPECT_EQ(ai->authKey.data, NULL);
	}
	if (ci) {
		EXPECT_EQ(ci->cipherTransform.cipherTransformId.cipherType,
			  a->cipher_type);
		EXPECT_EQ(ci->cipherTransform.cipherTransformId.cipherConfig,
			  a->cipher_cfg);
		EXPECT_EQ(ci->cipherKey.size, 0);
		EXPECT_EQ(ci->cipherKey.data, NULL);
	}
}

/* The members IPSEC_SA_BUNDLE0 and 1 share, as sab_init() set them. */
#define EXPECT_BUNDLE_COMMON(b, v) do {					\
	EXPECT_EQ((b)->flags, B_FLAGS);					\
	EXPECT_EQ((b)->lifetime.lifetimeSeconds, LT_SECONDS);		\
	EXPECT_EQ((b)->lifetime.lifetimeKilobytes, LT_KB);		\
	EXPECT_EQ((b)->lifetime.lifetimePackets, LT_PACKETS);		\
	EXPECT_EQ((b)->idleTimeoutSeconds, B_IDLE);			\
	EXPECT_EQ((b)->ndAllowClearTimeoutSeconds, B_NDCLEAR);		\
	EXPECT_EQ((b)->napContext, B_NAP);				\
	EXPECT_EQ((b)->qmSaId, B_QMSA);					\
	EXPECT_EQ((b)->mmSaId, B_MMSA);					\
	EXPECT_EQ((b)->pfsGroup, B_PFS);				\
	EXPECT_EQ((b)->ipVersion, (v));					\
	if ((v) == FWP_IP_VERSION_V4) {					\
		EXPECT_EQ((b)->peerV4PrivateAddress, 0);		\
	}								\
	EXPECT_EQ((b)->numSAs, 1);					\
	ASSERT_NE((b)->saList, NULL);					\
} while (0)

/*
 * GetById0 reports both bundles as given (SPIs, transform ids, lifetimes
 * and the other members IPSEC_SA_BUNDLE0 has) with no key.
 */
static void expect_get_by_id0(struct __test_metadata *_metadata, HANDLE h,
			      UINT64 id, const struct alg *a, FWP_IP_VERSION v,
			      UINT32 spi_in, UINT32 spi_out)
{
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	const IPSEC_SA_BUNDLE0 *b0[2];
	UINT32 spi[2] = { spi_in, spi_out };
	int i;

	ASSERT_EQ(IPsecSaContextGetById0(h, id, &c0), ERROR_SUCCESS);
	ASSERT_NE(c0->inboundSa, NULL);
	ASSERT_NE(c0->outboundSa, NULL);
	b0[0] = &c0->inboundSa->saBundle;
	b0[1] = &c0->outboundSa->saBundle;
	for (i = 0; i < 2; i++) {
		EXPECT_BUNDLE_COMMON(b0[i], v);
		expect_sa0(_metadata, &b0[i]->saList[0], a, spi[i]);
	}
	FwpmFreeMemory0((void **)&c0);
}

/* GetById1 reports them too, with the members only Bundle1 has; and 0. */
static void expect_get_by_id(struct __test_metadata *_metadata, HANDLE h,
			     UINT64 id, const struct alg *a, FWP_IP_VERSION v,
			     UINT32 spi_in, UINT32 spi_out)
{
	UINT8 lookup[16];
	IPSEC_SA_CONTEXT1 *c = NULL;
	const IPSEC_SA_BUNDLE1 *b[2];
	UINT32 spi[2] = { spi_in, spi_out };
	int i;

	memset(lookup, B_LOOKUP, sizeof(lookup));
	ASSERT_EQ(IPsecSaContextGetById1(h, id, &c), ERROR_SUCCESS);
	ASSERT_NE(c->inboundSa, NULL);
	ASSERT_NE(c->outboundSa, NULL);
	EXPECT_EQ(c->inboundSa->saDirection, FWP_DIRECTION_INBOUND);
	EXPECT_EQ(c->outboundSa->saDirection, FWP_DIRECTION_OUTBOUND);
	b[0] = &c->inboundSa->saBundle;
	b[1] = &c->outboundSa->saBundle;
	for (i = 0; i < 2; i++) {
		EXPECT_BUNDLE_COMMON(b[i], v);
		EXPECT_EQ(b[i]->qmFilterId, B_QMFILTER);
		EXPECT_EQ(memcmp(&b[i]->saLookupContext, lookup, 16), 0);
		expect_sa0(_metadata, &b[i]->saList[0], a, spi[i]);
	}
	FwpmFreeMemory0((void **)&c);
	expect_get_by_id0(_metadata, h, id, a, v, spi_in, spi_out);
}

/* The raw GET_SA of direction dir into g; 0 or -errno. */
static int raw_get_sa(int fd, UINT64 id, UINT32 dir,
		      struct wfp_ipsec_ctx_sa *g)
{
	memset(g, 0, sizeof(*g));
	g->id = id;
	g->dir = dir;
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_GET_SA, g);
}

/* The raw GET_SA reports no key either. */
static void expect_raw_sa_keyless(struct __test_metadata *_metadata, int fd,
				  UINT64 id, UINT32 dir, UINT32 spi)
{
	struct wfp_ipsec_ctx_sa g;

	ASSERT_EQ(raw_get_sa(fd, id, dir, &g), 0);
	EXPECT_EQ(g.bundle.num_sas, 1);
	EXPECT_EQ(g.bundle.sas[0].spi, spi);
	EXPECT_EQ(g.bundle.sas[0].auth_key, 0);
	EXPECT_EQ(g.bundle.sas[0].cipher_key, 0);
	EXPECT_EQ(g.bundle.sas[0].auth_key_len, 0);
	EXPECT_EQ(g.bundle.sas[0].cipher_key_len, 0);
}

/* ================================================ two namespaces: wire */

/*
 * A datagram from A to B, then one from B to A, between the traffic
 * hosts, each awaited wait_ms.  0, or -1 setup failed, -2 A->B lost,
 * -3 B->A lost.
 */
static int udp_exchange(struct env *e, int wait_ms)
{
	int sa = udp_socket(-1, e->v6, e->a_host, 5001, false);
	int sb = udp_socket(e->bns, e->v6, e->b_host, 5002, false);
	int ret = -1;

	if (sa < 0 || sb < 0)
		goto out;
	ret = -2;
	if (udp_send_to(sa, e->v6, e->b_host, 5002, "from-a") ||
	    !udp_got(sb, "from-a", wait_ms))
		goto out;
	ret = -3;
	if (udp_send_to(sb, e->v6, e->a_host, 5001, "from-b") ||
	    !udp_got(sa, "from-b", wait_ms))
		goto out;
	ret = 0;
out:
	if (sa >= 0)
		close(sa);
	if (sb >= 0)
		close(sb);
	return ret;
}

static FWP_IP_VERSION env_ipv(const struct env *e)
{
	return e->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
}

/* ---- side A, through the library only ---- */

/* Tunnel selectors 10.2.1.0/24 to remote_net/24, with flags. */
static DWORD set_subnets(HANDLE h, UINT64 id, UINT32 remote_net, UINT32 flags)
{
	FWP_V4_ADDR_AND_MASK lm = { 0x0a020100, 0xffffff00 };
	FWP_V4_ADDR_AND_MASK rm = { remote_net, 0xffffff00 };
	FWP_CONDITION_VALUE0 lv = { .type = FWP_V4_ADDR_MASK,
				    .v4AddrMask = &lm };
	FWP_CONDITION_VALUE0 rv = { .type = FWP_V4_ADDR_MASK,
				    .v4AddrMask = &rm };

	return WfpIpsecSaContextSetSelectors0(h, id, &lv, &rv, flags);
}

/* Create1 of traffic t: a context teardown deletes. */
static UINT64 ctx_create(struct __test_metadata *_metadata, struct env *e,
			 const IPSEC_TRAFFIC1 *t)
{
	UINT64 id = 0;

	ASSERT_EQ(IPsecSaContextCreate1(e->h, t, NULL, NULL, &id),
		  ERROR_SUCCESS);
	ASSERT_EQ(env_keep(e, id), 0);
	return id;
}

static UINT64 a_create(struct __test_metadata *_metadata, struct env *e)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;

	traffic_set(&t, e->tunnel, e->a_out, e->b_out);
	id = ctx_create(_metadata, e, &t);
	if (e->tunnel) {
		ASSERT_EQ(set_subnets(e->h, id, SUBNET_B, 0), ERROR_SUCCESS);
	}
	return id;
}

/*
 * SetSpi0, AddInbound1 and AddOutbound1 of e->alg; the outbound bundle
 * with a packet limit of out_packets unless 0.
 */
static void a_keys(struct __test_metadata *_metadata, struct env *e,
		   UINT64 id, UINT32 spi_in, UINT32 spi_out, unsigned int seed,
		   UINT32 out_packets)
{
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	struct sab s;

	traffic_set(&t, e->tunnel, e->a_out, e->b_out);
	wfp_getspi_set(&g, &t);
	if (e->natt)
		g.inboundUdpEncapsulation = &encap;
	ASSERT_EQ(IPsecSaContextSetSpi0(e->h, id, &g, spi_in), ERROR_SUCCESS);
	sab_init(&s, e->alg, spi_in, seed, DIR_IN, env_ipv(e));
	ASSERT_EQ(IPsecSaContextAddInbound1(e->h, id, &s.b), ERROR_SUCCESS);
	sab_init(&s, e->alg, spi_out, seed, DIR_OUT, env_ipv(e));
	if (out_packets)
		s.b.lifetime.lifetimePackets = out_packets;
	ASSERT_EQ(IPsecSaContextAddOutbound1(e->h, id, &s.b), ERROR_SUCCESS);
}

/* A deletes context id, which the env then no longer tears down. */
static void a_delete(struct __test_metadata *_metadata, struct env *e,
		     UINT64 id)
{
	ASSERT_EQ(IPsecSaContextDeleteById0(e->h, id), ERROR_SUCCESS);
	env_forget(e, id);
}

/* a_delete(), after which xfrm holds nsa states and nsp policies. */
static void a_delete_leaves(struct __test_metadata *_metadata, struct env *e,
			    UINT64 id, int nsa, int nsp)
{
	a_delete(_metadata, e, id);
	expect_xfrm(_metadata, nsa, nsp);
}

/* Create1, (SetSelectors0,) SetSpi0, AddInbound1, AddOutbound1. */
static UINT64 a_full(struct __test_metadata *_metadata, struct env *e,
		     UINT32 spi_in, UINT32 spi_out, unsigned int seed)
{
	UINT64 id = a_create(_metadata, e);

	a_keys(_metadata, e, id, spi_in, spi_out, seed, 0);
	EXPECT_EQ(ctx_state(e->fd, id), ST_COMPLETE);
	return id;
}

/* ---- side B, with plain `ip xfrm` ---- */

/* The algorithm part of B's state of direction dir, alg_keys()' keys. */
static char *b_alg_text(const struct alg *a, unsigned int seed, int dir,
			char *out, size_t n)
{
	char h1[2 * KEYBUF + 4], h2[2 * KEYBUF + 4];
	UINT8 ck[KEYBUF], ak[KEYBUF];
	size_t len;

	alg_keys(a, seed, dir, ck, ak);
	if (a->x_aead) {
		snprintf(out, n, "aead '%s' %s %u", a->x_aead,
			 a->gcm ? key_hex(ck, a->cipher_len, h1) :
				  key_hex(ak, a->auth_len, h1), a->x_bits);
		return out;
	}
	out[0] = 0;
	if (a->x_enc)
		snprintf(out, n, "enc '%s' %s ", a->x_enc,
			 key_hex(ck, a->cipher_len, h1));
	len = strlen(out);
	if (a->x_auth)
		snprintf(out + len, n - len, "auth-trunc '%s' %s %u", a->x_auth,
			 key_hex(ak, a->auth_len, h2), a->x_bits);
	return out;
}

/* B's two SAs of e->alg. */
static void b_states(struct __test_metadata *_metadata, struct env *e,
		     UINT32 spi_in, UINT32 spi_out, unsigned int seed)
{
	char in[512], out[512];

	b_states_algs(_metadata, e, spi_in, spi_out,
		      b_alg_text(e->alg, seed, DIR_IN, in, sizeof(in)),
		      b_alg_text(e->alg, seed, DIR_OUT, out, sizeof(out)));
}

static void b_full(struct __test_metadata *_metadata, struct env *e,
		   UINT32 spi_in, UINT32 spi_out, unsigned int seed)
{
	b_states(_metadata, e, spi_in, spi_out, seed);
	b_policies(_metadata, e);
}

/* ---- counters ---- */

/* Packets and bytes of A's inbound/outbound and B's outbound/inbound SA. */
struct ctr {
	unsigned long long pk[4], by[4];
};

static const char *const ctr_name[4] = {
	"A inbound", "A outbound", "B outbound", "B inbound",
};

static void counters(struct __test_metadata *_metadata, struct env *e,
		     UINT32 spi_in, UINT32 spi_out, struct ctr *c)
{
	int ns[4] = { -1, -1, e->bns, e->bns }, i;
	UINT32 spi[4] = { spi_in, spi_out, spi_in, spi_out };
	struct xs x;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(sa_find(ns[i], spi[i], e->alg->proto, &x), 1)
			TH_LOG("%s SA %#x", ctr_name[i], spi[i]);
		c->pk[i] = x.packets;
		c->by[i] = x.bytes;
	}
}

static void expect_counters_rose(struct __test_metadata *_metadata,
				 const struct ctr *a, const struct ctr *b,
				 const char *what)
{
	int i;

	for (i = 0; i < 4; i++) {
		EXPECT_GT(b->pk[i], a->pk[i]) TH_LOG("%s: %s SA packets",
						     what, ctr_name[i]);
		EXPECT_GT(b->by[i], a->by[i]) TH_LOG("%s: %s SA bytes",
						     what, ctr_name[i]);
	}
}

/* ---------------------------------------------------------- wire tests */

/*
 * FIXTURE name: one struct env e, built by the call setup (which may use
 * self and variant) and taken down by teardown(&self->e).
 */
#define ENV_FIXTURE(name, setup, teardown)				\
	FIXTURE(name) {							\
		struct env e;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		setup;							\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		teardown(&self->e);					\
	}

/* Both sides over veth, B keying alg. */
static void peer_setup(struct __test_metadata *_metadata, struct env *e,
		       const struct alg *alg, unsigned int flags)
{
	e->alg = alg;
	env_setup(_metadata, e, ENV_PEER | flags);
	e->proto = alg->proto;
}

FIXTURE_VARIANT(wire) {
	const struct alg *alg;
	unsigned int flags;	/* env_setup()'s */
};

ENV_FIXTURE(wire, peer_setup(_metadata, &self->e, variant->alg,
			     variant->flags), env_teardown);

/* wire.name: B keys ALG_<alg>, env_setup() gets ENV_PEER | flags. */
#define WIRE(name, alg, flags)						\
	FIXTURE_VARIANT_ADD(wire, name) { &ALG_##alg, flags }

WIRE(gcm128_transport_v4, GCM128, 0);
WIRE(gcm256_transport_v4, GCM256, 0);
WIRE(cbc128_sha256_transport_v4, CBC128_SHA256, 0);
WIRE(esp_auth_sha1_transport_v4, ESP_SHA1, 0);
WIRE(esp_auth_sha256_transport_v4, ESP_SHA256, 0);
WIRE(esp_auth_gmac128_transport_v4, GMAC128, 0);
WIRE(gcm128_transport_v6, GCM128, ENV_V6);
WIRE(cbc128_sha256_transport_v6, CBC128_SHA256, ENV_V6);
WIRE(gcm128_tunnel_v4, GCM128, ENV_TUNNEL);
WIRE(cbc128_sha256_tunnel_v4, CBC128_SHA256, ENV_TUNNEL);
WIRE(gcm128_espinudp_v4, GCM128, ENV_NATT);
WIRE(ah_sha256_transport_v4, AH_SHA256, 0);

/* A's SA as sa.rst describes it. */
static void expect_a_sa(struct __test_metadata *_metadata, struct env *e,
			bool inbound, UINT32 spi, UINT32 reqid)
{
	UINT8 lo[16], re[16], ls[16], rs[16];
	int alen = wfp_addr_bytes(e->a_out, lo);
	struct xs x;

	wfp_addr_bytes(e->b_out, re);
	wfp_addr_bytes(e->a_sel, ls);
	wfp_addr_bytes(e->b_sel, rs);
	ASSERT_EQ(sa_find(-1, spi, e->alg->proto, &x), 1);
	EXPECT_EQ(x.family, e->v6 ? AF_INET6 : AF_INET);
	EXPECT_EQ(x.mode, e->tunnel ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT);
	EXPECT_EQ(x.reqid, reqid);
	EXPECT_GE(x.reqid, REQID_MIN);
	EXPECT_EQ(x.alen, alen);
	EXPECT_EQ(memcmp(x.daddr, inbound ? lo : re, alen), 0);
	EXPECT_EQ(memcmp(x.saddr, inbound ? re : lo, alen), 0);
	EXPECT_EQ(x.replay_window, inbound ? 32 : 0);
	EXPECT_EQ(x.sel_plen_d, e->plen);
	EXPECT_EQ(x.sel_plen_s, e->plen);
	EXPECT_EQ(memcmp(x.sel_daddr, inbound ? ls : rs, alen), 0);
	EXPECT_EQ(memcmp(x.sel_saddr, inbound ? rs : ls, alen), 0);
	EXPECT_EQ(x.sel_proto, 0);
	EXPECT_EQ(x.hard_add, LT_SECONDS);
	EXPECT_EQ(x.hard_bytes, (unsigned long long)LT_KB * 1024);
	EXPECT_EQ(x.hard_pkts, LT_PACKETS);
	expect_xfrm_alg(_metadata, &x, e->alg, 1, inbound ? DIR_IN : DIR_OUT);
	EXPECT_EQ(x.encap, e->natt);
	if (e->natt) {
		EXPECT_EQ(x.encap_type, UDP_ENCAP_ESPINUDP);
		EXPECT_EQ(x.encap_sport, 4500);
		EXPECT_EQ(x.encap_dport, 4500);
	}
}

/* A's policies: OUT, IN (and FWD), priority 0x8000, the set's reqid. */
static void expect_a_policies(struct __test_metadata *_metadata,
			      struct env *e, UINT32 reqid)
{
	UINT8 lo[16], re[16], ls[16], rs[16];
	int alen = wfp_addr_bytes(e->a_out, lo), n, i, seen = 0;
	struct xp *v;

	wfp_addr_bytes(e->b_out, re);
	wfp_addr_bytes(e->a_sel, ls);
	wfp_addr_bytes(e->b_sel, rs);
	n = sp_dump(-1, &v);
	ASSERT_EQ(n, e->tunnel ? 3 : 2);
	for (i = 0; i < n; i++) {
		bool out = v[i].dir == XFRM_POLICY_OUT;

		seen |= 1 << v[i].dir;
		EXPECT_EQ(v[i].priority, POLICY_PRIO);
		EXPECT_EQ(v[i].action, XFRM_POLICY_ALLOW);
		EXPECT_EQ(v[i].family, e->v6 ? AF_INET6 : AF_INET);
		EXPECT_EQ(v[i].plen_s, e->plen);
		EXPECT_EQ(v[i].plen_d, e->plen);
		EXPECT_EQ(memcmp(v[i].saddr, out ? ls : rs, alen), 0)
			TH_LOG("dir %d", v[i].dir);
		EXPECT_EQ(memcmp(v[i].daddr, out ? rs : ls, alen), 0)
			TH_LOG("dir %d", v[i].dir);
		ASSERT_EQ(v[i].ntmpl, 1);
		EXPECT_EQ(v[i].reqid, reqid);
		EXPECT_EQ(v[i].tproto, e->alg->proto);
		EXPECT_EQ(v[i].tmode, e->tunnel ? XFRM_MODE_TUNNEL :
						  XFRM_MODE_TRANSPORT);
		if (e->tunnel) {
			EXPECT_EQ(memcmp(v[i].tsaddr, out ? lo : re, alen), 0);
			EXPECT_EQ(memcmp(v[i].tdaddr, out ? re : lo, alen), 0);
		}
	}
	EXPECT_EQ(seen, e->tunnel ? 7 : 3);
	free(v);
}

TEST_F_TIMEOUT(wire, installed_as_described, 120)
{
	struct env *e = &self->e;
	struct wfp_ipsec_ctx_info info;
	IPSEC_SA_CONTEXT1 *c = NULL;
	UINT64 id;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	info = ctx_info(_metadata, e->fd, id);
	EXPECT_EQ(info.state, ST_COMPLETE);
	EXPECT_GE(info.reqid, REQID_MIN);
	EXPECT_EQ(sa_count(-1), 2);
	expect_a_sa(_metadata, e, true, SPI_IN, info.reqid);
	expect_a_sa(_metadata, e, false, SPI_OUT, info.reqid);
	expect_a_policies(_metadata, e, info.reqid);
	/* The reserved SPI's larval state became the inbound SA. */
	if (e->alg->proto == IPPROTO_AH) {
		EXPECT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, NULL), 0);
	}

	expect_get_by_id(_metadata, e->h, id, e->alg, env_ipv(e), SPI_IN,
			 SPI_OUT);
	expect_raw_sa_keyless(_metadata, e->fd, id, WFP_IPSEC_DIR_INBOUND,
			      SPI_IN);
	expect_raw_sa_keyless(_metadata, e->fd, id, WFP_IPSEC_DIR_OUTBOUND,
			      SPI_OUT);
	ASSERT_EQ(IPsecSaContextGetById1(e->h, id, &c), ERROR_SUCCESS);
	if (e->natt) {
		ASSERT_NE(c->inboundSa->udpEncapsulation, NULL);
		EXPECT_EQ(c->inboundSa->udpEncapsulation->localUdpEncapPort,
			  4500);
		EXPECT_EQ(c->inboundSa->udpEncapsulation->remoteUdpEncapPort,
			  4500);
	}
	FwpmFreeMemory0((void **)&c);
}

TEST_F_TIMEOUT(wire, traffic_both_ways, 120)
{
	struct env *e = &self->e;
	struct stats sa0, sa1, sb0, sb1;
	struct ctr c0, c1, c2;
	int i;

	a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	ASSERT_EQ(stats_read(-1, &sa0), 0);
	ASSERT_EQ(stats_read(e->bns, &sb0), 0);
	counters(_metadata, e, SPI_IN, SPI_OUT, &c0);
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(c0.pk[i], 0) TH_LOG("%s", ctr_name[i]);
	}

	EXPECT_EQ(ping(e, false, 3), 0) TH_LOG("ping A -> B");
	EXPECT_EQ(ping(e, true, 3), 0) TH_LOG("ping B -> A");
	counters(_metadata, e, SPI_IN, SPI_OUT, &c1);
	expect_counters_rose(_metadata, &c0, &c1, "ping");

	EXPECT_EQ(udp_exchange(e, 3000), 0);
	counters(_metadata, e, SPI_IN, SPI_OUT, &c2);
	expect_counters_rose(_metadata, &c1, &c2, "UDP");

	/* Nothing failed on the way. */
	ASSERT_EQ(stats_read(-1, &sa1), 0);
	ASSERT_EQ(stats_read(e->bns, &sb1), 0);
	stats_log_changes("A", &sa0, &sa1);
	stats_log_changes("B", &sb0, &sb1);
	EXPECT_EQ(stat_get(&sa1, "XfrmInStateProtoError"),
		  stat_get(&sa0, "XfrmInStateProtoError"));
	EXPECT_EQ(stat_get(&sb1, "XfrmInStateProtoError"),
		  stat_get(&sb0, "XfrmInStateProtoError"));
}

TEST_F_TIMEOUT(wire, wrong_key_on_peer_fails, 120)
{
	struct env *e = &self->e;
	struct stats sa0, sa1, sb0, sb1;
	struct xs x;

	a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	/* Seed 2: every key of B differs from A's. */
	b_full(_metadata, e, SPI_IN, SPI_OUT, 2);
	ASSERT_EQ(stats_read(-1, &sa0), 0);
	ASSERT_EQ(stats_read(e->bns, &sb0), 0);

	EXPECT_TRUE(ping_lost(e, false)) TH_LOG("ping A -> B went through");
	EXPECT_TRUE(ping_lost(e, true)) TH_LOG("ping B -> A went through");
	EXPECT_EQ(udp_exchange(e, LOST_WAIT_MS), -2);

	ASSERT_EQ(stats_read(-1, &sa1), 0);
	ASSERT_EQ(stats_read(e->bns, &sb1), 0);
	stats_log_changes("A", &sa0, &sa1);
	stats_log_changes("B", &sb0, &sb1);
	/* The receiver of each direction fails the ICV check. */
	EXPECT_GT(stat_get(&sa1, "XfrmInStateProtoError"),
		  stat_get(&sa0, "XfrmInStateProtoError"));
	EXPECT_GT(stat_get(&sb1, "XfrmInStateProtoError"),
		  stat_get(&sb0, "XfrmInStateProtoError"));
	ASSERT_EQ(sa_find(-1, SPI_IN, e->alg->proto, &x), 1);
	EXPECT_GT(x.integrity_failed, 0);
	EXPECT_EQ(x.packets, 0);
	ASSERT_EQ(sa_find(e->bns, SPI_OUT, e->alg->proto, &x), 1);
	EXPECT_GT(x.integrity_failed, 0);
	EXPECT_EQ(x.packets, 0);
	/* The senders did send. */
	ASSERT_EQ(sa_find(-1, SPI_OUT, e->alg->proto, &x), 1);
	EXPECT_GT(x.packets, 0);
}

TEST_F_TIMEOUT(wire, delete_removes_sas_and_policies, 120)
{
	struct env *e = &self->e;
	IPSEC_SA_CONTEXT1 *c = NULL;
	UINT64 id;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	EXPECT_EQ(ping(e, false, 2), 0);
	expect_xfrm(_metadata, 2, e->tunnel ? 3 : 2);

	a_delete_leaves(_metadata, e, id, 0, 0);
	EXPECT_EQ(IPsecSaContextGetById1(e->h, id, &c), FWP_E_NOT_FOUND);
	/* A now sends in the clear, which B's policy refuses. */
	EXPECT_TRUE(ping_lost(e, false));
	EXPECT_EQ(sa_count(-1), 0);
}

/* ============================== two namespaces, IPv4 transport AES-GCM */

ENV_FIXTURE(wire1, peer_setup(_metadata, &self->e, &ALG_GCM128, 0),
	    env_teardown);

/* Both traffic tests pass, SA counters of spi_in/spi_out rising. */
static void expect_flowing(struct __test_metadata *_metadata, struct env *e,
			   UINT32 spi_in, UINT32 spi_out)
{
	struct ctr c0, c1;

	counters(_metadata, e, spi_in, spi_out, &c0);
	EXPECT_EQ(ping(e, false, 2), 0) TH_LOG("ping A -> B");
	EXPECT_EQ(ping(e, true, 2), 0) TH_LOG("ping B -> A");
	EXPECT_EQ(udp_exchange(e, 3000), 0);
	counters(_metadata, e, spi_in, spi_out, &c1);
	expect_counters_rose(_metadata, &c0, &c1, "traffic");
}

/* The policies are one set of two, with this reqid. */
static void expect_policy_set(struct __test_metadata *_metadata, UINT32 reqid)
{
	struct xp *v;
	int n = sp_dump(-1, &v), i;

	ASSERT_EQ(n, 2);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(v[i].reqid, reqid);
	}
	free(v);
}

/* ------------------------------------ a site-to-site tunnel that moves */

ENV_FIXTURE(tun, peer_setup(_metadata, &self->e, &ALG_GCM128, ENV_TUNNEL),
	    env_teardown);

/* B's tunnel endpoint moves to new_b, an address A can reach. */
static void b_move(struct __test_metadata *_metadata, struct env *e,
		   const char *new_b)
{
	ASSERT_EQ(sh_in(e->bns, "ip addr add %s/24 dev vb", new_b), 0)
		TH_LOG("%s", g_last_cmd);
	ASSERT_EQ(sh("ip neigh add %s lladdr " MAC_B " dev va nud permanent",
		     new_b), 0) TH_LOG("%s", g_last_cmd);
}

/* GetById1, both SA details' remote address to remote, Update0. */
static DWORD a_update_remote(HANDLE h, UINT64 id, const char *remote)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	UINT8 r[16];
	DWORD rc;

	wfp_addr_bytes(remote, r);
	rc = IPsecSaContextGetById1(h, id, &c);
	if (rc)
		return rc;
	c->outboundSa->traffic.remoteV4Address = ntohl(*(UINT32 *)(void *)r);
	c->inboundSa->traffic.remoteV4Address = ntohl(*(UINT32 *)(void *)r);
	rc = IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_TRAFFIC, c);
	FwpmFreeMemory0((void **)&c);
	return rc;
}

/*
 * The main use of Update0 for a tunnel: the peer gateway's address moves
 * (MOBIKE) while the subnets behind it stay.  The new policies have the
 * old ones' selectors, so they replace them in place (they used to
 * collide: FWP_E_ALREADY_EXISTS); B re-keys by hand at its new address
 * and traffic flows again, through A's moved SAs.
 */
TEST_F_TIMEOUT(tun, update_moves_endpoint_keeps_own_selectors, 120)
{
	struct env *e = &self->e;
	struct wfp_ipsec_ctx_info info;
	struct ctr c0, c1;
	UINT64 id;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	ASSERT_EQ(ping(e, false, 2), 0);

	b_move(_metadata, e, "10.1.0.3");
	ASSERT_EQ(a_update_remote(e->h, id, "10.1.0.3"), ERROR_SUCCESS);
	e->b_out = "10.1.0.3";
	info = ctx_info(_metadata, e->fd, id);
	EXPECT_EQ(info.state, ST_COMPLETE);
	/* Same subnets, the new endpoint, and nothing of the old set. */
	expect_a_sa(_metadata, e, true, SPI_IN, info.reqid);
	expect_a_sa(_metadata, e, false, SPI_OUT, info.reqid);
	expect_a_policies(_metadata, e, info.reqid);
	EXPECT_EQ(sa_count(-1), 2);

	ASSERT_EQ(sh_in(e->bns, "ip xfrm state flush && ip xfrm policy flush"),
		  0);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	counters(_metadata, e, SPI_IN, SPI_OUT, &c0);
	/* B's new states count from 1 again, and A's moved inbound SA kept
	 * its anti-replay window (2 packets seen): B's first two replies are
	 * replays to it.  The later ones get through.
	 */
	EXPECT_EQ(ping(e, false, 4), 0);
	counters(_metadata, e, SPI_IN, SPI_OUT, &c1);
	expect_counters_rose(_metadata, &c0, &c1, "after the move");
}

/*
 * With NO_POLICY the administrator owns the policies: the move changes
 * the SAs only, and no policy is taken over or made.
 */
TEST_F_TIMEOUT(tun, update_moves_no_policy_tunnel, 120)
{
	struct env *e = &self->e;
	UINT64 id;

	id = a_create(_metadata, e);
	ASSERT_EQ(set_subnets(e->h, id, SUBNET_B,
			      WFPIPSEC_SELECTORS_FLAG_NO_POLICY),
		  ERROR_SUCCESS);
	a_keys(_metadata, e, id, SPI_IN, SPI_OUT, 1, 0);
	b_move(_metadata, e, "10.1.0.3");
	EXPECT_EQ(a_update_remote(e->h, id, "10.1.0.3"), ERROR_SUCCESS);
	EXPECT_EQ(ctx_state(e->fd, id), ST_COMPLETE);
	expect_xfrm(_metadata, 2, 0);
}

/*
 * A rekeyed twin shares the old set: once the moved context took the
 * set's policies over, the twin protects nothing, so it goes with a
 * DELETE, rather than stay COMPLETE.
 */
TEST_F_TIMEOUT(tun, update_of_one_twin_deletes_the_other, 120)
{
	struct env *e = &self->e;
	UINT64 id, twin;

	id = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	twin = a_full(_metadata, e, SPI_IN + 2, SPI_OUT + 2, 2);
	b_move(_metadata, e, "10.1.0.3");
	ASSERT_EQ(a_update_remote(e->h, id, "10.1.0.3"), ERROR_SUCCESS);
	EXPECT_TRUE(wait_ctx_gone(e->h, twin));
	EXPECT_EQ(ctx_info(_metadata, e->fd, id).state,
		  ST_COMPLETE);
	expect_xfrm(_metadata, 2, 3);
}

TEST_F_TIMEOUT(wire1, rekey_second_context_takes_over, 180)
{
	struct env *e = &self->e;
	UINT32 reqid;
	UINT64 id1, id2;

	id1 = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	EXPECT_EQ(ping(e, false, 2), 0);
	reqid = ctx_info(_metadata, e->fd, id1).reqid;

	/* The successor, while the first one is complete. */
	id2 = a_full(_metadata, e, SPI_IN2, SPI_OUT2, 3);
	EXPECT_EQ(ctx_state(e->fd, id1), ST_COMPLETE);
	EXPECT_EQ(ctx_info(_metadata, e->fd, id2).reqid, reqid);
	EXPECT_EQ(sa_count(-1), 4);
	expect_policy_set(_metadata, reqid);

	/* B rekeys too; traffic keeps flowing meanwhile. */
	b_states(_metadata, e, SPI_IN2, SPI_OUT2, 3);
	EXPECT_EQ(ping(e, false, 2), 0);
	EXPECT_EQ(ping(e, true, 2), 0);
	EXPECT_EQ(udp_exchange(e, 3000), 0);

	/* The old context goes; its SAs with it, the policies stay. */
	a_delete(_metadata, e, id1);
	EXPECT_EQ(sa_count(-1), 2);
	EXPECT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, NULL), 0);
	EXPECT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, NULL), 0);
	expect_policy_set(_metadata, reqid);
	ASSERT_EQ(sh_in(e->bns, "ip xfrm state delete src %s dst %s proto esp "
			"spi 0x%x && ip xfrm state delete src %s dst %s "
			"proto esp spi 0x%x", e->b_out, e->a_out, SPI_IN,
			e->a_out, e->b_out, SPI_OUT), 0);
	expect_flowing(_metadata, e, SPI_IN2, SPI_OUT2);

	a_delete_leaves(_metadata, e, id2, 0, 0);
}

TEST_F_TIMEOUT(wire1, rekey_delete_new_keeps_old, 180)
{
	struct env *e = &self->e;
	UINT32 reqid;
	UINT64 id1, id2;

	id1 = a_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	reqid = ctx_info(_metadata, e->fd, id1).reqid;
	id2 = a_full(_metadata, e, SPI_IN2, SPI_OUT2, 3);
	EXPECT_EQ(sa_count(-1), 4);
	expect_policy_set(_metadata, reqid);

	a_delete(_metadata, e, id2);
	EXPECT_EQ(sa_count(-1), 2);
	expect_policy_set(_metadata, reqid);
	expect_flowing(_metadata, e, SPI_IN, SPI_OUT);

	a_delete_leaves(_metadata, e, id1, 0, 0);
}

TEST_F_TIMEOUT(wire1, no_policy_flag_admin_policies_use_reqid, 120)
{
	struct env *e = &self->e;
	UINT32 reqid;
	UINT64 id;

	id = a_create(_metadata, e);
	ASSERT_EQ(WfpIpsecSaContextSetSelectors0(e->h, id, NULL, NULL,
						 WFPIPSEC_SELECTORS_FLAG_NO_POLICY),
		  ERROR_SUCCESS);
	a_keys(_metadata, e, id, SPI_IN, SPI_OUT, 1, 0);
	EXPECT_EQ(ctx_state(e->fd, id), ST_COMPLETE);
	expect_xfrm(_metadata, 2, 0);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	/* No policy on A: its packets go in the clear, B drops them. */
	EXPECT_TRUE(ping_lost(e, false));

	reqid = ctx_info(_metadata, e->fd, id).reqid;
	ASSERT_EQ(sh("ip xfrm policy add src 10.1.0.1/32 dst 10.1.0.2/32 dir out "
		     "tmpl proto esp reqid %u mode transport && "
		     "ip xfrm policy add src 10.1.0.2/32 dst 10.1.0.1/32 dir in "
		     "tmpl proto esp reqid %u mode transport", reqid, reqid), 0);
	expect_flowing(_metadata, e, SPI_IN, SPI_OUT);

	/* The administrator's policies stay. */
	a_delete_leaves(_metadata, e, id, 0, 2);
}

TEST_F_TIMEOUT(wire1, lifetime_packets_hard_limit_expires_sa, 120)
{
	struct env *e = &self->e;
	struct xs x;
	UINT64 id;

	id = a_create(_metadata, e);
	a_keys(_metadata, e, id, SPI_IN, SPI_OUT, 1, 3);
	b_full(_metadata, e, SPI_IN, SPI_OUT, 1);
	ASSERT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.hard_pkts, 3);
	EXPECT_EQ(x.soft_pkts, 2);	/* 90 %, kept a packet below */

	/* Three echo requests fit, the fourth packet meets the limit. */
	EXPECT_EQ(ping(e, false, 3), 0);
	EXPECT_TRUE(ping_lost(e, false));
	/* xfrm drops the SA; the whole context goes with it, policies too. */
	EXPECT_TRUE(wait_ctx_gone(e->h, id));
	EXPECT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, NULL), 0);
	EXPECT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, NULL), 0);
	EXPECT_EQ(sa_count_spi(-1), 0);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(e->h, id), FWP_E_NOT_FOUND);
	env_forget(e, id);
}

/* ============================================== one namespace, no wire */

#define LOCAL	"10.1.0.1"
#define REMOTE	"10.1.0.2"

/*
 * One namespace, no peer (env_setup() without flags): the main context
 * f->id, its SPI_IN reserved.
 */
static void fx_setup(struct __test_metadata *_metadata, struct env *f)
{
	env_setup(_metadata, f, 0);
	traffic_set(&f->t, false, LOCAL, REMOTE);
	wfp_getspi_set(&f->g, &f->t);
	ASSERT_EQ(IPsecSaContextCreate1(f->h, &f->t, NULL, NULL, &f->id),
		  ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaContextSetSpi0(f->h, f->id, &f->g, SPI_IN),
		  ERROR_SUCCESS);
}

/* f->id is 0 once a test saw the context go. */
static void fx_teardown(struct env *f)
{
	if (f->h && f->id)
		IPsecSaContextDeleteById0(f->h, f->id);
	env_teardown(f);
}

/* The context is in state, xfrm holds nsa states and nsp policies. */
static void expect_ctx(struct __test_metadata *_metadata, struct env *f,
		       UINT64 id, UINT32 state, int nsa, int nsp)
{
	EXPECT_EQ(ctx_state(f->fd, id), state);
	expect_xfrm(_metadata, nsa, nsp);
}

/*
 * Another control plane's change deleted the main context (lifecycle.rst):
 * no state or policy of it is left.
 */
static void expect_gone(struct __test_metadata *_metadata, struct env *f)
{
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	expect_xfrm(_metadata, 0, 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(f->h, f->id), FWP_E_NOT_FOUND);
	f->id = 0;
}

/* Still SPI_SET: only the larval state, without algorithms, no policy. */
static void expect_spi_set(struct __test_metadata *_metadata, struct env *f)
{
	struct xs x;

	expect_ctx(_metadata, f, f->id, ST_SPI_SET, 1, 0);
	ASSERT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, &x), 1);
	EXPECT_STREQ(x.aead, "");
	EXPECT_STREQ(x.auth, "");
	EXPECT_STREQ(x.enc, "");
}

/*
 * A refused add of the main context's outbound (out) or inbound bundle
 * left it as it was: INBOUND with its SA, or SPI_SET.
 */
static void expect_before_add(struct __test_metadata *_metadata,
			      struct env *f, bool out)
{
	if (out)
		expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
	else
		expect_spi_set(_metadata, f);
}

static DWORD add_in(struct env *f, UINT64 id, const struct alg *a, UINT32 spi,
		    unsigned int seed)
{
	struct sab s;

	sab_init(&s, a, spi, seed, DIR_IN, FWP_IP_VERSION_V4);
	return IPsecSaContextAddInbound1(f->h, id, &s.b);
}

static DWORD add_out(struct env *f, UINT64 id, const struct alg *a, UINT32 spi,
		     unsigned int seed)
{
	struct sab s;

	sab_init(&s, a, spi, seed, DIR_OUT, FWP_IP_VERSION_V4);
	return IPsecSaContextAddOutbound1(f->h, id, &s.b);
}

/* The main context goes on to COMPLETE with valid bundles. */
static void expect_completes(struct __test_metadata *_metadata, struct env *f,
			     const struct alg *a)
{
	UINT32 st = ctx_state(f->fd, f->id);

	if (st == ST_SPI_SET) {
		ASSERT_EQ(add_in(f, f->id, a, SPI_IN, 1), ERROR_SUCCESS);
	}
	ASSERT_EQ(add_out(f, f->id, a, SPI_OUT, 1), ERROR_SUCCESS);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

/* Context id to COMPLETE: SetSpi0 of g, both GCM bundles of seed. */
static void fx_complete(struct __test_metadata *_metadata, struct env *f,
			UINT64 id, const IPSEC_GETSPI1 *g, UINT32 spi_in,
			UINT32 spi_out, unsigned int seed)
{
	ASSERT_EQ(IPsecSaContextSetSpi0(f->h, id, g, spi_in), ERROR_SUCCESS);
	ASSERT_EQ(add_in(f, id, &ALG_GCM128, spi_in, seed), ERROR_SUCCESS);
	ASSERT_EQ(add_out(f, id, &ALG_GCM128, spi_out, seed), ERROR_SUCCESS);
}

/* AddOutbound1 (out) or AddInbound1 of s; its status. */
static DWORD add1(HANDLE h, UINT64 id, struct sab *s, bool out)
{
	return out ? IPsecSaContextAddOutbound1(h, id, &s->b) :
		     IPsecSaContextAddInbound1(h, id, &s->b);
}

/* The same through the *0 calls. */
static DWORD add0(HANDLE h, UINT64 id, struct sab *s, bool out)
{
	return out ? IPsecSaContextAddOutbound0(h, id, sab0(s)) :
		     IPsecSaContextAddInbound0(h, id, sab0(s));
}

/* The add of s in both ABI versions (1, then 0) returns rc. */
static void expect_add_both(struct __test_metadata *_metadata, HANDLE h,
			    UINT64 id, struct sab *s, bool outbound, DWORD rc)
{
	EXPECT_EQ(add1(h, id, s, outbound), rc);
	EXPECT_EQ(add0(h, id, s, outbound), rc);
}

/* A GCM add (out: outbound) id's state refuses, in both ABI versions. */
static void expect_add_out_of_order(struct __test_metadata *_metadata,
				    struct env *f, UINT64 id, bool out,
				    UINT32 spi, unsigned int seed)
{
	struct sab s;

	sab_init(&s, &ALG_GCM128, spi, seed, out ? DIR_OUT : DIR_IN,
		 FWP_IP_VERSION_V4);
	expect_add_both(_metadata, f->h, id, &s, out,
			FWP_E_INCOMPATIBLE_SA_STATE);
}

ENV_FIXTURE(add, fx_setup(_metadata, &self->e), fx_teardown);

/* ---- every transform of the table goes in, as the table says ---- */

static void install_and_check(struct __test_metadata *_metadata, struct env *f,
			      const struct alg *a, int i)
{
	UINT32 spi_in = 0x2000 + i, spi_out = 0x3000 + i;
	DWORD rc;
	UINT64 id;
	struct xs x;

	id = ctx_create(_metadata, f, &f->t);
	ASSERT_EQ(IPsecSaContextSetSpi0(f->h, id, &f->g, spi_in),
		  ERROR_SUCCESS);
	rc = add_in(f, id, a, spi_in, i);
	EXPECT_EQ(rc, ERROR_SUCCESS) TH_LOG("%s (transform %d): AddInbound1",
					    a->name, a->type);
	if (rc == ERROR_SUCCESS) {
		rc = add_out(f, id, a, spi_out, i);
		EXPECT_EQ(rc, ERROR_SUCCESS)
			TH_LOG("%s (transform %d): AddOutbound1", a->name,
			       a->type);
	}
	if (rc == ERROR_SUCCESS) {
		ASSERT_EQ(sa_find(-1, spi_in, a->proto, &x), 1);
		expect_xfrm_alg(_metadata, &x, a, i, DIR_IN);
		ASSERT_EQ(sa_find(-1, spi_out, a->proto, &x), 1);
		expect_xfrm_alg(_metadata, &x, a, i, DIR_OUT);
		expect_xfrm(_metadata, 3, 2);	/* with the main larval one */
	}
	a_delete_leaves(_metadata, f, id, 1, 0);
}

TEST_F_TIMEOUT(add, every_table_entry_installs, 120)
{
	struct env *f = &self->e;
	struct alg a;
	unsigned int c, h;
	int i = 0;

	for (h = 0; h < ARRAY_SIZE(AUTHS); h++) {
		if (!AUTHS[h].gmac) {
			a = alg_auth_only(IPSEC_TRANSFORM_AH, h);
			install_and_check(_metadata, f, &a, i++);
		}
		a = alg_auth_only(IPSEC_TRANSFORM_ESP_AUTH, h);
		install_and_check(_metadata, f, &a, i++);
		a = alg_auth_only(IPSEC_TRANSFORM_ESP_AUTH_FW, h);
		install_and_check(_metadata, f, &a, i++);
	}
	for (c = 0; c < ARRAY_SIZE(CIPHERS); c++) {
		if (!CIPHERS[c].gcm) {
			a = alg_cipher_only(c);
			install_and_check(_metadata, f, &a, i++);
			for (h = 0; h < ARRAY_SIZE(AUTHS); h++) {
				if (AUTHS[h].gmac)
					continue;
				a = alg_both(c, h);
				install_and_check(_metadata, f, &a, i++);
			}
		} else {
			/* GCM_AES_n with GCM_AES_n: AUTHS[3 + size]. */
			a = alg_both(c, 3 + c - 5);
			install_and_check(_metadata, f, &a, i++);
		}
	}
	ksft_print_msg("%d transforms installed\n", i);
}

TEST_F(add, add0_installs_like_add1)
{
	struct env *f = &self->e;
	struct sab s;

	sab_init(&s, &ALG_CBC128_SHA256, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	ASSERT_EQ(add0(f->h, f->id, &s, false), ERROR_SUCCESS);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
	sab_init(&s, &ALG_CBC128_SHA256, SPI_OUT, 1, DIR_OUT,
		 FWP_IP_VERSION_V4);
	ASSERT_EQ(add0(f->h, f->id, &s, true), ERROR_SUCCESS);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
	/* Bundle0 has no qmFilterId/saLookupContext: GetById0 only. */
	expect_get_by_id0(_metadata, f->h, f->id, &ALG_CBC128_SHA256,
			  FWP_IP_VERSION_V4, SPI_IN, SPI_OUT);
}

TEST_F(add, get_by_id_before_add_has_empty_bundles)
{
	struct env *f = &self->e;
	IPSEC_SA_CONTEXT1 *c = NULL;

	ASSERT_EQ(IPsecSaContextGetById1(f->h, f->id, &c), ERROR_SUCCESS);
	ASSERT_NE(c->inboundSa, NULL);
	EXPECT_EQ(c->inboundSa->saBundle.numSAs, 0);
	EXPECT_EQ(c->inboundSa->saBundle.saList, NULL);
	EXPECT_EQ(c->outboundSa->saBundle.numSAs, 0);
	FwpmFreeMemory0((void **)&c);

	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaContextGetById1(f->h, f->id, &c), ERROR_SUCCESS);
	EXPECT_EQ(c->inboundSa->saBundle.numSAs, 1);
	EXPECT_EQ(c->outboundSa->saBundle.numSAs, 0);
	EXPECT_EQ(c->outboundSa->saBundle.saList, NULL);
	FwpmFreeMemory0((void **)&c);
}

/* ---- lifetimes ---- */

static void add_with_lifetimes(struct __test_metadata *_metadata,
			       struct env *f, const IPSEC_SA_LIFETIME0 *in,
			       const IPSEC_SA_LIFETIME0 *out)
{
	struct sab s;

	sab_init(&s, &ALG_GCM128, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	s.b.lifetime = *in;
	ASSERT_EQ(IPsecSaContextAddInbound1(f->h, f->id, &s.b), ERROR_SUCCESS);
	sab_init(&s, &ALG_GCM128, SPI_OUT, 1, DIR_OUT, FWP_IP_VERSION_V4);
	s.b.lifetime = *out;
	ASSERT_EQ(add1(f->h, f->id, &s, true), ERROR_SUCCESS);
}

/* 90 % of a hard limit, at least one unit below it (sa.rst). */
static unsigned long long soft_of(unsigned long long hard)
{
	return hard > 1 ? hard - (hard + 9) / 10 : hard;
}

/* Hard limits as given (0: none), soft ones at 90 %. */
static void expect_lifetimes(struct __test_metadata *_metadata, UINT32 spi,
			     const IPSEC_SA_LIFETIME0 *lt)
{
	unsigned long long b = (unsigned long long)lt->lifetimeKilobytes * 1024;
	unsigned long long p = lt->lifetimePackets, s = lt->lifetimeSeconds;
	struct xs x;

	ASSERT_EQ(sa_find(-1, spi, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.hard_add, s);
	EXPECT_EQ(x.soft_add, soft_of(s));
	EXPECT_EQ(x.hard_bytes, b ? b : XFRM_INF);
	EXPECT_EQ(x.soft_bytes, b ? soft_of(b) : XFRM_INF);
	EXPECT_EQ(x.hard_pkts, p ? p : XFRM_INF);
	EXPECT_EQ(x.soft_pkts, p ? soft_of(p) : XFRM_INF);
}

TEST_F(add, lifetimes_are_hard_limits)
{
	struct env *f = &self->e;
	IPSEC_SA_LIFETIME0 in = { 3600, 1000, 5000 };
	IPSEC_SA_LIFETIME0 out = { 28800, 4194304, 0xffffffff };

	add_with_lifetimes(_metadata, f, &in, &out);
	expect_lifetimes(_metadata, SPI_IN, &in);
	expect_lifetimes(_metadata, SPI_OUT, &out);
}

TEST_F(add, lifetimes_zero_unlimited)
{
	struct env *f = &self->e;
	IPSEC_SA_LIFETIME0 none = { 0, 0, 0 };
	IPSEC_SA_LIFETIME0 mixed = { 0, 1, 0 };

	add_with_lifetimes(_metadata, f, &none, &mixed);
	expect_lifetimes(_metadata, SPI_IN, &none);
	expect_lifetimes(_metadata, SPI_OUT, &mixed);
}

TEST_F_TIMEOUT(add, lifetime_seconds_expire, 60)
{
	struct env *f = &self->e;
	IPSEC_SA_LIFETIME0 lt = { 2, 0, 0 };
	int i;

	add_with_lifetimes(_metadata, f, &lt, &lt);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
	for (i = 0; i < 100 && sa_count(-1) > 0; i++)
		usleep(100000);
	EXPECT_EQ(sa_count(-1), 0) TH_LOG("the SAs outlived their 2 s");
	/* Hard expiry deletes the context, and its policies. */
	expect_gone(_metadata, f);
}

/* ---- policy sets ---- */

TEST_F(add, same_traffic_contexts_share_policies)
{
	struct env *f = &self->e;
	UINT32 reqid = ctx_info(_metadata, f->fd, f->id).reqid;
	UINT64 id2 = ctx_create(_metadata, f, &f->t);

	expect_completes(_metadata, f, &ALG_GCM128);
	fx_complete(_metadata, f, id2, &f->g, SPI_IN2, SPI_OUT2, 2);
	expect_ctx(_metadata, f, id2, ST_COMPLETE, 4, 2);
	EXPECT_EQ(ctx_info(_metadata, f->fd, id2).reqid, reqid);
	expect_policy_set(_metadata, reqid);

	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, f->id), ERROR_SUCCESS);
	f->id = 0;
	EXPECT_EQ(sa_count(-1), 2);
	expect_policy_set(_metadata, reqid);
	a_delete_leaves(_metadata, f, id2, 0, 0);
}

TEST_F(add, other_traffic_gets_own_policies_and_reqid)
{
	struct env *f = &self->e;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	UINT32 r1, r2;
	UINT64 id2;

	traffic_set(&t, false, LOCAL, "10.1.0.3");
	wfp_getspi_set(&g, &t);
	id2 = ctx_create(_metadata, f, &t);
	expect_completes(_metadata, f, &ALG_GCM128);
	fx_complete(_metadata, f, id2, &g, SPI_IN2, SPI_OUT2, 2);
	r1 = ctx_info(_metadata, f->fd, f->id).reqid;
	r2 = ctx_info(_metadata, f->fd, id2).reqid;
	EXPECT_NE(r1, r2);
	EXPECT_GE(r2, REQID_MIN);
	expect_ctx(_metadata, f, id2, ST_COMPLETE, 4, 4);
}

/* ---- conflicts with what others put in xfrm ---- */

TEST_F(add, outbound_sa_already_in_xfrm)
{
	struct env *f = &self->e;

	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	ASSERT_EQ(sh("ip xfrm state add src " LOCAL " dst " REMOTE " proto esp "
		     "spi 0x%x mode transport enc 'cbc(aes)' "
		     "0x00112233445566778899aabbccddeeff", SPI_OUT), 0);
	EXPECT_EQ(add_out(f, f->id, &ALG_GCM128, SPI_OUT, 1),
		  FWP_E_ALREADY_EXISTS);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 2, 0);
	ASSERT_EQ(sh("ip xfrm state delete src " LOCAL " dst " REMOTE
		     " proto esp spi 0x%x", SPI_OUT), 0);
	expect_completes(_metadata, f, &ALG_GCM128);
}

/* An administrator's policy with the context's selector, direction dir. */
static void policy_conflict(struct __test_metadata *_metadata, struct env *f,
			    const char *dir, const char *src, const char *dst)
{
	struct xp *v;

	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	ASSERT_EQ(sh("ip xfrm policy add src %s/32 dst %s/32 dir %s "
		     "tmpl proto esp reqid 5 mode transport", src, dst, dir), 0);
	EXPECT_EQ(add_out(f, f->id, &ALG_GCM128, SPI_OUT, 1),
		  FWP_E_ALREADY_EXISTS);
	/* The outbound SA went again, the other policy stays untouched. */
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 1);
	EXPECT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, NULL), 0);
	ASSERT_EQ(sp_dump(-1, &v), 1);
	EXPECT_EQ(v[0].reqid, 5);
	EXPECT_EQ(v[0].priority, 0);
	free(v);
	ASSERT_EQ(sh("ip xfrm policy delete src %s/32 dst %s/32 dir %s", src,
		     dst, dir), 0);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, out_policy_already_in_xfrm)
{
	policy_conflict(_metadata, &self->e, "out", LOCAL, REMOTE);
}

TEST_F(add, in_policy_already_in_xfrm)
{
	policy_conflict(_metadata, &self->e, "in", REMOTE, LOCAL);
}

/*
 * Another control plane taking the reserved SPI or an SA deletes the
 * context (lifecycle.rst); an Add after that finds no context.
 */
TEST_F(add, reserved_spi_flushed_by_someone_else)
{
	struct env *f = &self->e;

	ASSERT_EQ(sh("ip xfrm state flush"), 0);
	ASSERT_EQ(sa_count(-1), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	EXPECT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), FWP_E_NOT_FOUND);
	expect_gone(_metadata, f);
}

TEST_F(add, inbound_sa_flushed_by_someone_else)
{
	struct env *f = &self->e;

	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	ASSERT_EQ(sh("ip xfrm state flush"), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	EXPECT_EQ(add_out(f, f->id, &ALG_GCM128, SPI_OUT, 1), FWP_E_NOT_FOUND);
	expect_gone(_metadata, f);
}

/*
 * Another plane's "ip xfrm state update" on the reserved SPI replaces the
 * larval state with its own SA (xfrm_state_update() takes a larval state
 * over silently).  AddInbound must not then "update" that foreign SA and
 * report success: it fails, changes nothing, and the context, which lost
 * its reservation, is deleted as for a flush.
 */
TEST_F(add, reserved_spi_taken_by_state_update)
{
	struct env *f = &self->e;
	struct xs before, x;

	ASSERT_EQ(sh("ip xfrm state update src " REMOTE " dst " LOCAL
		     " proto esp spi 0x%x mode transport reqid 7 aead "
		     "'rfc4106(gcm(aes))' 0x%040x 128", SPI_IN, 0x5a), 0);
	ASSERT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, &before), 1);
	EXPECT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), FWP_E_NOT_FOUND);
	ASSERT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.reqid, 7);
	EXPECT_NE(before.hard_add, LT_SECONDS);
	EXPECT_EQ(x.hard_add, before.hard_add) TH_LOG("our lifetimes went in");
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	EXPECT_EQ(sa_count(-1), 1);	/* theirs */
	f->id = 0;
}

/* "ip xfrm state delete" of the larval state acts as a flush does. */
TEST_F(add, reserved_spi_deleted_by_someone_else)
{
	struct env *f = &self->e;

	ASSERT_EQ(sh("ip xfrm state delete src " REMOTE " dst " LOCAL
		     " proto esp spi 0x%x", SPI_IN), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	EXPECT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), FWP_E_NOT_FOUND);
	expect_gone(_metadata, f);
}

/* The module removes the policies of a context xfrm took SAs from. */
TEST_F(add, state_flush_deletes_context_and_policies)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(sh("ip xfrm state flush"), 0);
	expect_gone(_metadata, f);
}

TEST_F(add, state_and_policy_flush_then_context_gone)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(sh("ip xfrm policy flush && ip xfrm state flush"), 0);
	expect_gone(_metadata, f);
}

/*
 * Another plane removing or replacing a complete context's policy would
 * send its traffic in clear: the context is deleted (DELETE to the
 * keying module), its SAs with it, as when its SA goes.
 */
static void expect_gone_after(struct __test_metadata *_metadata,
			      struct env *f, const char *cmd)
{
	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(sh("%s", cmd), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id)) TH_LOG("after %s", cmd);
	EXPECT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, NULL), 0);
	EXPECT_EQ(IPsecSaContextDeleteById0(f->h, f->id), FWP_E_NOT_FOUND);
	f->id = 0;
}

TEST_F(add, policy_flush_deletes_context)
{
	expect_gone_after(_metadata, &self->e, "ip xfrm policy flush");
	EXPECT_EQ(sa_count(-1), 0);
}

TEST_F(add, policy_delete_deletes_context)
{
	expect_gone_after(_metadata, &self->e, "ip xfrm policy delete src "
			  LOCAL "/32 dst " REMOTE "/32 dir out");
	EXPECT_EQ(sp_count(-1), 0);
}

/*
 * XFRM_MSG_POLEXPIRE for our OUT policy, as a daemon sends it to expire
 * a policy by hand; hard deletes the policy (xfrm_add_pol_expired()).
 * iproute2 has no command for it.
 */
static int polexpire_out(bool hard)
{
	struct {
		struct nlmsghdr n;
		struct xfrm_user_polexpire pe;
	} m;
	struct xfrm_userpolicy_info *p = &m.pe.pol;
	char ack[256];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	ssize_t n;

	if (fd < 0)
		return -errno;
	memset(&m, 0, sizeof(m));
	m.n.nlmsg_len = sizeof(m);
	m.n.nlmsg_type = XFRM_MSG_POLEXPIRE;
	m.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	p->sel.family = AF_INET;
	inet_pton(AF_INET, LOCAL, &p->sel.saddr.a4);
	inet_pton(AF_INET, REMOTE, &p->sel.daddr.a4);
	p->sel.prefixlen_s = 32;
	p->sel.prefixlen_d = 32;
	p->dir = XFRM_POLICY_OUT;
	m.pe.hard = hard;
	n = send(fd, &m, sizeof(m), 0) == sizeof(m) ?
	    recv(fd, ack, sizeof(ack), 0) : -1;
	close(fd);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(struct nlmsgerr)))
		return -EIO;
	return ((struct nlmsgerr *)NLMSG_DATA((struct nlmsghdr *)ack))->error;
}

/* A hard one removes the policy: the context goes, as for a delete. */
TEST_F(add, policy_hard_expire_deletes_context)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(polexpire_out(true), 0);
	expect_gone(_metadata, f);
}

/* A soft one is a warning: the policy stays, and the context with it. */
TEST_F(add, policy_soft_expire_keeps_context)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(polexpire_out(false), 0);
	usleep(LOST_WAIT_MS * 1000);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

/* An update with our selector and no template: plain-text traffic. */
TEST_F(add, policy_replaced_by_update_deletes_context)
{
	expect_gone_after(_metadata, &self->e, "ip xfrm policy update src "
			  LOCAL "/32 dst " REMOTE "/32 dir out");
	EXPECT_EQ(sp_count(-1), 1);	/* the other plane's */
}

/*
 * During a rekey the set also holds the expired context, whose OUT policy
 * holds its traffic back: another plane deleting the policy deletes both
 * contexts, and the next context of that traffic gets fresh policies
 * instead of joining a set that has none.
 */
TEST_F(add, policy_delete_deletes_expired_and_rekeyed_contexts)
{
	struct env *f = &self->e;
	UINT64 id2 = ctx_create(_metadata, f, &f->t), id3;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(IPsecSaContextExpire0(f->h, f->id), ERROR_SUCCESS);
	fx_complete(_metadata, f, id2, &f->g, SPI_IN2, SPI_OUT2, 2);
	ASSERT_EQ(sh("ip xfrm policy delete src " LOCAL "/32 dst " REMOTE
		     "/32 dir out"), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	EXPECT_TRUE(wait_ctx_gone(f->h, id2));
	f->id = 0;
	EXPECT_EQ(sp_count(-1), 0);

	id3 = ctx_create(_metadata, f, &f->t);
	fx_complete(_metadata, f, id3, &f->g, SPI_IN, SPI_OUT, 3);
	EXPECT_EQ(sp_count(-1), 2);
}

/*
 * "ip xfrm state update" of an installed SA can change its lifetimes, not
 * its keys, addresses or SPI: the SA still protects the context's
 * traffic, so the context stays, and reports what xfrm now enforces.
 */
TEST_F(add, state_update_of_installed_sa_keeps_context)
{
	struct env *f = &self->e;
	struct xs x;

	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(sh("ip xfrm state update src " LOCAL " dst " REMOTE
		     " proto esp spi 0x%x mode transport reqid %u aead "
		     "'rfc4106(gcm(aes))' 0x%040x 128 limit time-hard 7200",
		     SPI_OUT, ctx_info(_metadata, f->fd, f->id).reqid, 0x5a),
		  0);
	usleep(300000);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
	ASSERT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.hard_add, 7200);
	expect_xfrm_alg(_metadata, &x, &ALG_GCM128, 1, DIR_OUT);
}

/* PF_KEY's flushes reach the key managers as xfrm_user's do. */
static void expect_pfkey_flush_deletes(struct __test_metadata *_metadata,
				       struct env *f, UINT8 type)
{
	expect_completes(_metadata, f, &ALG_GCM128);
	ASSERT_EQ(pfkey_send(type), 0);
	expect_gone(_metadata, f);
}

TEST_F(add, pfkey_spd_flush_deletes_context)
{
	expect_pfkey_flush_deletes(_metadata, &self->e, SADB_X_SPDFLUSH);
}

TEST_F(add, pfkey_sa_flush_deletes_context)
{
	expect_pfkey_flush_deletes(_metadata, &self->e, SADB_FLUSH);
}

/* Only the context losing an SA goes: its rekeyed twin keeps the set. */
TEST_F(add, ip_xfrm_delete_of_one_sa_deletes_its_context_only)
{
	struct env *f = &self->e;
	UINT32 reqid = ctx_info(_metadata, f->fd, f->id).reqid;
	UINT64 id2 = ctx_create(_metadata, f, &f->t);

	expect_completes(_metadata, f, &ALG_GCM128);
	fx_complete(_metadata, f, id2, &f->g, SPI_IN2, SPI_OUT2, 2);
	ASSERT_EQ(sh("ip xfrm state delete src " LOCAL " dst " REMOTE
		     " proto esp spi 0x%x", SPI_OUT), 0);
	EXPECT_TRUE(wait_ctx_gone(f->h, f->id));
	f->id = 0;
	expect_ctx(_metadata, f, id2, ST_COMPLETE, 2, 2);
	EXPECT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, NULL), 0);
	expect_policy_set(_metadata, reqid);
}

/* ---- order ---- */

TEST_F(add, add_inbound_before_set_spi)
{
	struct env *f = &self->e;
	UINT64 id2 = ctx_create(_metadata, f, &f->t);

	expect_add_out_of_order(_metadata, f, id2, false, SPI_IN2, 1);
	EXPECT_EQ(ctx_state(f->fd, id2), ST_CREATED);
	expect_spi_set(_metadata, f);
	/* Control: in order it goes. */
	ASSERT_EQ(IPsecSaContextSetSpi0(f->h, id2, &f->g, SPI_IN2),
		  ERROR_SUCCESS);
	EXPECT_EQ(add_in(f, id2, &ALG_GCM128, SPI_IN2, 1), ERROR_SUCCESS);
}

TEST_F(add, add_outbound_before_set_spi)
{
	struct env *f = &self->e;
	UINT64 id2 = ctx_create(_metadata, f, &f->t);

	expect_add_out_of_order(_metadata, f, id2, true, SPI_OUT2, 1);
	EXPECT_EQ(ctx_state(f->fd, id2), ST_CREATED);
	expect_spi_set(_metadata, f);
}

TEST_F(add, add_outbound_before_add_inbound)
{
	struct env *f = &self->e;

	expect_add_out_of_order(_metadata, f, f->id, true, SPI_OUT, 1);
	expect_spi_set(_metadata, f);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, add_inbound_twice)
{
	struct env *f = &self->e;
	struct xs x;

	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	expect_add_out_of_order(_metadata, f, f->id, false, SPI_IN, 2);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
	/* Still the first key. */
	ASSERT_EQ(sa_find(-1, SPI_IN, IPPROTO_ESP, &x), 1);
	expect_xfrm_alg(_metadata, &x, &ALG_GCM128, 1, DIR_IN);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, add_outbound_twice)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	expect_add_out_of_order(_metadata, f, f->id, true, SPI_OUT2, 2);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
	EXPECT_EQ(sa_find(-1, SPI_OUT2, IPPROTO_ESP, NULL), 0);
}

TEST_F(add, add_inbound_after_complete)
{
	struct env *f = &self->e;

	expect_completes(_metadata, f, &ALG_GCM128);
	EXPECT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 2),
		  FWP_E_INCOMPATIBLE_SA_STATE);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

TEST_F(add, set_selectors_after_set_spi)
{
	struct env *f = &self->e;

	EXPECT_EQ(WfpIpsecSaContextSetSelectors0(f->h, f->id, NULL, NULL,
						 WFPIPSEC_SELECTORS_FLAG_NO_POLICY),
		  FWP_E_INCOMPATIBLE_SA_STATE);
	expect_spi_set(_metadata, f);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, add_on_deleted_context)
{
	struct env *f = &self->e;
	UINT64 id = f->id;
	struct sab s;

	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, id), ERROR_SUCCESS);
	f->id = 0;
	EXPECT_EQ(sa_count(-1), 0);
	sab_init(&s, &ALG_GCM128, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	expect_add_both(_metadata, f->h, id, &s, false, FWP_E_NOT_FOUND);
	expect_add_both(_metadata, f->h, id, &s, true, FWP_E_NOT_FOUND);
	expect_xfrm(_metadata, 0, 0);
}

TEST_F(add, add_on_unknown_id)
{
	struct env *f = &self->e;
	struct sab s;

	sab_init(&s, &ALG_GCM128, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	EXPECT_EQ(IPsecSaContextAddInbound1(f->h, f->id + 1000000, &s.b),
		  FWP_E_NOT_FOUND);
	EXPECT_EQ(IPsecSaContextAddOutbound1(f->h, 0, &s.b), FWP_E_NOT_FOUND);
	expect_spi_set(_metadata, f);
}

struct foreign {
	UINT64 id;
	bool outbound;
};

static int add_from_new_netns(void *arg)
{
	struct foreign *fo = arg;
	struct sab s;
	HANDLE h;
	int ret = 0;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	sab_init(&s, &ALG_GCM128, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	if (IPsecSaContextAddInbound1(h, fo->id, &s.b) != FWP_E_NOT_FOUND)
		ret = 12;
	else if (IPsecSaContextAddOutbound1(h, fo->id, &s.b) != FWP_E_NOT_FOUND)
		ret = 13;
	else if (sa_count(-1) != 0)
		ret = 14;
	FwpmEngineClose0(h);
	return ret;
}

TEST_F(add, other_namespace_context)
{
	struct env *f = &self->e;
	struct foreign fo = { .id = f->id };

	EXPECT_EQ(run_in_child(add_from_new_netns, &fo), 0);
	expect_spi_set(_metadata, f);
	expect_completes(_metadata, f, &ALG_GCM128);
}

static int add_without_cap_net_admin(void *arg)
{
	struct foreign *fo = arg;
	struct sab s;
	HANDLE h;
	int ret = 0;

	if (drop_cap_net_admin())
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	sab_init(&s, &ALG_GCM128, fo->outbound ? SPI_OUT : SPI_IN, 1,
		 fo->outbound ? DIR_OUT : DIR_IN, FWP_IP_VERSION_V4);
	if (add1(h, fo->id, &s, fo->outbound) != ERROR_ACCESS_DENIED)
		ret = 12;
	else if (add0(h, fo->id, &s, fo->outbound) != ERROR_ACCESS_DENIED)
		ret = 13;
	FwpmEngineClose0(h);
	return ret;
}

TEST_F(add, session_without_add_right)
{
	struct env *f = &self->e;
	struct foreign fo = { .id = f->id };

	EXPECT_EQ(run_in_child(add_without_cap_net_admin, &fo), 0);
	expect_spi_set(_metadata, f);
	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	fo.outbound = true;
	EXPECT_EQ(run_in_child(add_without_cap_net_admin, &fo), 0);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, bad_engine_handle)
{
	struct env *f = &self->e;
	HANDLE closed = engine_closed(_metadata);
	struct sab s;
	int dummy;

	sab_init(&s, &ALG_GCM128, SPI_IN, 1, DIR_IN, FWP_IP_VERSION_V4);
	EXPECT_EQ(IPsecSaContextAddInbound1(NULL, f->id, &s.b),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextAddInbound1((HANDLE)&dummy, f->id, &s.b),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextAddInbound0(closed, f->id, sab0(&s)),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextAddOutbound1(closed, f->id, &s.b),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextAddOutbound0((HANDLE)&dummy, f->id, sab0(&s)),
		  ERROR_INVALID_HANDLE);
	expect_spi_set(_metadata, f);
}

TEST_F(add, null_bundle)
{
	struct env *f = &self->e;

	EXPECT_EQ(IPsecSaContextAddInbound1(f->h, f->id, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextAddInbound0(f->h, f->id, NULL),
		  FWP_E_NULL_POINTER);
	expect_spi_set(_metadata, f);
	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextAddOutbound1(f->h, f->id, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextAddOutbound0(f->h, f->id, NULL),
		  FWP_E_NULL_POINTER);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
	expect_completes(_metadata, f, &ALG_GCM128);
}

TEST_F(add, inbound_spi_not_the_reserved_one)
{
	struct env *f = &self->e;
	struct sab s;

	sab_init(&s, &ALG_GCM128, SPI_IN + 1, 1, DIR_IN, FWP_IP_VERSION_V4);
	expect_add_both(_metadata, f->h, f->id, &s, false,
			FWP_E_INVALID_PARAMETER);
	expect_spi_set(_metadata, f);
	EXPECT_EQ(sa_find(-1, SPI_IN + 1, IPPROTO_ESP, NULL), 0);
	expect_completes(_metadata, f, &ALG_GCM128);
}

/* ---- namespace exit with complete contexts ---- */

static int complete_contexts_in_new_netns(void *arg)
{
	static const char *const peers[] = { "10.1.0.2", "10.1.0.3", "10.1.0.4" };
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	const struct alg *algs[] = { &ALG_GCM128, &ALG_CBC128_SHA256,
				     &ALG_AH_SHA256, &ALG_ESP_SHA1 };
	UINT32 spi = 0x5000;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	struct sab s;
	UINT64 id;
	HANDLE h;
	int i;

	(void)arg;
	if (unshare(CLONE_NEWNET))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	for (i = 0; i < 16; i++) {
		bool v6 = i % 4 == 1, tunnel = i % 4 == 2, natt = i % 4 == 3;
		const struct alg *a = algs[(i / 4) % 4];

		/* Pairs of contexts share a policy set. */
		if (v6)
			traffic_set(&t, false, "fd00:1::1", "fd00:1::2");
		else
			traffic_set(&t, tunnel, LOCAL, peers[i % 3]);
		wfp_getspi_set(&g, &t);
		if (natt && a->proto == IPPROTO_ESP)
			g.inboundUdpEncapsulation = &encap;
		if (IPsecSaContextCreate1(h, &t, NULL, NULL, &id))
			return 12;
		/* Tunnel selectors must differ: one policy per selector. */
		if (tunnel &&
		    set_subnets(h, id, 0x0a020000 | (UINT32)i << 8, 0))
			return 13;
		if (IPsecSaContextSetSpi0(h, id, &g, spi))
			return 14;
		sab_init(&s, a, spi++, i, DIR_IN, t.ipVersion);
		if (IPsecSaContextAddInbound1(h, id, &s.b))
			return 15;
		sab_init(&s, a, spi++, i, DIR_OUT, t.ipVersion);
		if (IPsecSaContextAddOutbound1(h, id, &s.b))
			return 16;
	}
	if (sa_count(-1) != 32 || sp_count(-1) <= 0)
		return 17;
	/* The session stays open: it goes with the process, then the
	 * namespace with its contexts, SAs and policies.
	 */
	return 0;
}

TEST_F_TIMEOUT(add, namespace_exit_with_complete_contexts_is_clean, 120)
{
	int i;

	for (i = 0; i < 3; i++) {
		EXPECT_EQ(run_in_child(complete_contexts_in_new_netns, NULL), 0);
	}
	/* Namespace cleanup is asynchronous; a splat it causes fails the
	 * run.  Give it time to happen while this test is still running.
	 */
	sleep(2);
	expect_spi_set(_metadata, &self->e);
	expect_completes(_metadata, &self->e, &ALG_GCM128);
}

/* ============================== validation: one test per error path */

/* How a bad variant changes a valid bundle (struct sab), with its v. */
enum mut {
	M_SPI, M_TYPE, M_NUM, M_CKEY_LEN, M_AKEY_LEN, M_AKEY_DIFFERS,
	M_AUTH_ID, M_CIPHER_ID, M_NULL_SALIST, M_NULL_INFO, M_CKEY_NULL,
	M_AKEY_NULL,
};

/*
 * M_AUTH_ID's and M_CIPHER_ID's v: type and config, and with AIDK a key
 * length to give the half too (an auth key then at s->ak).
 */
#define AID(t, c) ((long)(t) << 8 | (c))
#define AIDK(t, c, len) ((long)(len) << 16 | AID(t, c))

static void mutate(struct sab *s, enum mut m, long v)
{
	IPSEC_SA_AUTH_INFORMATION0 *ai = sab_auth(s);
	IPSEC_SA_CIPHER_INFORMATION0 *ci = sab_cipher(s);
	UINT32 len = (UINT32)(v >> 16);

	switch (m) {
	case M_SPI:
		s->sa[0].spi = (UINT32)v;
		break;
	case M_TYPE:
		s->sa[0].saTransformType = (IPSEC_TRANSFORM_TYPE)v;
		break;
	case M_NUM:
		s->b.numSAs = (UINT32)v;
		s->sa[1] = s->sa[0];
		s->sa[2] = s->sa[0];
		break;
	case M_CKEY_LEN:
		ci->cipherKey.size = (UINT32)v;
		break;
	case M_AKEY_LEN:
		ai->authKey.data = s->ak;
		ai->authKey.size = (UINT32)v;
		break;
	case M_AKEY_DIFFERS:
		/* The auth key blob of AES-GCM: the right size, other bytes. */
		s->ak[3] ^= 0x40;
		break;
	case M_AUTH_ID:
		ai->authTransform.authTransformId.authType =
			(IPSEC_AUTH_TYPE)(v >> 8 & 0xff);
		ai->authTransform.authTransformId.authConfig = v & 0xff;
		if (len) {
			ai->authKey.data = s->ak;
			ai->authKey.size = len;
		}
		break;
	case M_CIPHER_ID:
		ci->cipherTransform.cipherTransformId.cipherType =
			(IPSEC_CIPHER_TYPE)(v >> 8 & 0xff);
		ci->cipherTransform.cipherTransformId.cipherConfig = v & 0xff;
		if (len)
			ci->cipherKey.size = len;
		break;
	case M_NULL_SALIST:
		s->b.saList = NULL;
		break;
	case M_NULL_INFO:
		/* One union: every arm is NULL. */
		s->sa[0].espAuthAndCipherInformation = NULL;
		break;
	case M_CKEY_NULL:
		ci->cipherKey.data = NULL;
		break;
	case M_AKEY_NULL:
		ai->authKey.data = NULL;
		if (!ai->authKey.size)
			ai->authKey.size = 20;
		break;
	}
}

ENV_FIXTURE(bad, fx_setup(_metadata, &self->e), fx_teardown);

FIXTURE_VARIANT(bad) {
	const struct alg *base;
	enum mut mut;
	long v;
	DWORD rc;
};

/* bad.name: an ALG_<base> bundle M_<mut> changed fails, FWP_E_<rc>. */
#define BAD(name, base, mut, v, rc)					\
	FIXTURE_VARIANT_ADD(bad, name) { &ALG_##base, M_##mut, v, FWP_E_##rc }

/* SPIs */
BAD(spi_0, GCM128, SPI, 0, INVALID_PARAMETER);
BAD(spi_1, GCM128, SPI, 1, INVALID_PARAMETER);
BAD(spi_255, GCM128, SPI, 255, INVALID_PARAMETER);
/* transform type */
BAD(transform_type_0, GCM128, TYPE, 0, INVALID_ENUMERATOR);
BAD(transform_type_6, GCM128, TYPE, 6, INVALID_ENUMERATOR);
BAD(transform_type_99, GCM128, TYPE, 99, INVALID_ENUMERATOR);
/* numSAs */
BAD(num_sas_0, GCM128, NUM, 0, ZERO_LENGTH_ARRAY);
FIXTURE_VARIANT_ADD(bad, num_sas_2_ah_esp) {
	&ALG_GCM128, M_NUM, 2, ERROR_NOT_SUPPORTED };
BAD(num_sas_3, GCM128, NUM, 3, INVALID_PARAMETER);
/* key lengths, each family */
BAD(gcm128_cipher_key_19, GCM128, CKEY_LEN, 19, INVALID_PARAMETER);
BAD(gcm128_cipher_key_21, GCM128, CKEY_LEN, 21, INVALID_PARAMETER);
BAD(gcm128_cipher_key_without_salt, GCM128, CKEY_LEN, 16, INVALID_PARAMETER);
BAD(gcm128_auth_key_16, GCM128, AKEY_LEN, 16, INVALID_PARAMETER);
BAD(gcm128_auth_key_differs, GCM128, AKEY_DIFFERS, 0, INVALID_PARAMETER);
BAD(gcm256_cipher_key_without_salt, GCM256, CKEY_LEN, 32, INVALID_PARAMETER);
BAD(gcm256_cipher_key_35, GCM256, CKEY_LEN, 35, INVALID_PARAMETER);
BAD(gcm256_cipher_key_0, GCM256, CKEY_LEN, 0, INVALID_PARAMETER);
BAD(cbc128_cipher_key_15, CBC128_SHA256, CKEY_LEN, 15, INVALID_PARAMETER);
BAD(cbc128_cipher_key_24, CBC128_SHA256, CKEY_LEN, 24, INVALID_PARAMETER);
BAD(cbc128_cipher_key_65, CBC128_SHA256, CKEY_LEN, 65, INVALID_PARAMETER);
BAD(sha256_auth_key_31, CBC128_SHA256, AKEY_LEN, 31, INVALID_PARAMETER);
BAD(sha256_auth_key_20, CBC128_SHA256, AKEY_LEN, 20, INVALID_PARAMETER);
BAD(sha256_auth_key_0, CBC128_SHA256, AKEY_LEN, 0, INVALID_PARAMETER);
BAD(esp_cipher_cbc128_key_17, ESP_CBC128, CKEY_LEN, 17, INVALID_PARAMETER);
BAD(esp_auth_sha1_key_19, ESP_SHA1, AKEY_LEN, 19, INVALID_PARAMETER);
BAD(esp_auth_sha1_key_32, ESP_SHA1, AKEY_LEN, 32, INVALID_PARAMETER);
BAD(esp_auth_sha256_key_20, ESP_SHA256, AKEY_LEN, 20, INVALID_PARAMETER);
BAD(esp_auth_gmac128_key_16, GMAC128, AKEY_LEN, 16, INVALID_PARAMETER);
BAD(ah_sha256_key_31, AH_SHA256, AKEY_LEN, 31, INVALID_PARAMETER);
BAD(ah_sha256_key_0, AH_SHA256, AKEY_LEN, 0, INVALID_PARAMETER);
/* combinations */
BAD(gcm_cipher_with_hmac_auth, GCM128, AUTH_ID,
	AIDK(IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 32),
	INVALID_TRANSFORM_COMBINATION);
BAD(cbc_cipher_with_gcm_auth, CBC128_SHA256, AUTH_ID,
	AIDK(IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20),
	INVALID_TRANSFORM_COMBINATION);
BAD(gcm128_cipher_with_gcm256_auth, GCM128, AUTH_ID,
	AID(IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256),
	INVALID_TRANSFORM_COMBINATION);
BAD(esp_cipher_gcm, ESP_CBC128, CIPHER_ID,
	AIDK(IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128, 20),
	INVALID_TRANSFORM_COMBINATION);
/* auth transforms */
BAD(auth_sha1_config_sha256, CBC128_SHA256, AUTH_ID,
	AID(IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128),
	INVALID_AUTH_TRANSFORM);
BAD(auth_md5_config_sha1, ESP_SHA1, AUTH_ID,
	AID(IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96),
	INVALID_AUTH_TRANSFORM);
BAD(auth_type_max, ESP_SHA256, AUTH_ID,
	AID(IPSEC_AUTH_MAX, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128),
	INVALID_AUTH_TRANSFORM);
BAD(auth_config_max, AH_SHA256, AUTH_ID,
	AID(IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_MAX), INVALID_AUTH_TRANSFORM);
BAD(ah_gmac, AH_SHA256, AUTH_ID,
	AIDK(IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20),
	INVALID_AUTH_TRANSFORM);
BAD(gmac_type_config_mismatch, GMAC128, AUTH_ID,
	AID(IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_256),
	INVALID_AUTH_TRANSFORM);
/* cipher transforms */
BAD(cipher_type_0, CBC128_SHA256, CIPHER_ID,
	AID(0, IPSEC_CIPHER_CONFIG_CBC_AES_128), INVALID_CIPHER_TRANSFORM);
BAD(cipher_type_max, CBC128_SHA256, CIPHER_ID,
	AID(IPSEC_CIPHER_TYPE_MAX, IPSEC_CIPHER_CONFIG_CBC_AES_128),
	INVALID_CIPHER_TRANSFORM);
BAD(cipher_aes128_config_aes256, CBC128_SHA256, CIPHER_ID,
	AID(IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_256),
	INVALID_CIPHER_TRANSFORM);
BAD(cipher_config_max, ESP_CBC128, CIPHER_ID,
	AID(IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_MAX),
	INVALID_CIPHER_TRANSFORM);
BAD(gcm_cipher_type_config_mismatch, GCM128, CIPHER_ID,
	AID(IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_128),
	INVALID_CIPHER_TRANSFORM);
/* NULL pointers */
BAD(null_salist, GCM128, NULL_SALIST, 0, NULL_POINTER);
BAD(null_auth_and_cipher_information, GCM128, NULL_INFO, 0, NULL_POINTER);
BAD(null_cipher_information, ESP_CBC128, NULL_INFO, 0, NULL_POINTER);
BAD(null_esp_auth_information, ESP_SHA256, NULL_INFO, 0, NULL_POINTER);
BAD(null_ah_information, AH_SHA256, NULL_INFO, 0, NULL_POINTER);
BAD(gcm_cipher_key_size_no_data, GCM128, CKEY_NULL, 0, NULL_POINTER);
BAD(gcm_auth_key_size_no_data, GCM256, AKEY_NULL, 0, NULL_POINTER);
BAD(cbc_cipher_key_size_no_data, CBC128_SHA256, CKEY_NULL, 0, NULL_POINTER);
BAD(hmac_auth_key_size_no_data, CBC128_SHA256, AKEY_NULL, 0, NULL_POINTER);
BAD(ah_key_size_no_data, AH_SHA256, AKEY_NULL, 0, NULL_POINTER);

/*
 * The mutated bundle fails with the variant's code through AddInbound1
 * and 0 while the context is SPI_SET, and through AddOutbound1 and 0
 * once it is INBOUND; neither changes the context or xfrm, and the valid
 * bundles still go in afterwards.
 */
TEST_F(bad, rejected_and_nothing_changed)
{
	struct env *f = &self->e;
	struct sab s;
	int out;

	for (out = 0; out < 2; out++) {
		UINT32 spi = out ? SPI_OUT : SPI_IN;
		int dir = out ? DIR_OUT : DIR_IN;

		sab_init(&s, variant->base, spi, 1, dir, FWP_IP_VERSION_V4);
		mutate(&s, variant->mut, variant->v);
		expect_add_both(_metadata, f->h, f->id, &s, out, variant->rc);
		expect_before_add(_metadata, f, out);
		sab_init(&s, variant->base, spi, 1, dir, FWP_IP_VERSION_V4);
		ASSERT_EQ(add1(f->h, f->id, &s, out), ERROR_SUCCESS);
	}
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

/* ============================================================ raw ioctls */

static UINT8 raw_key[20] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99,
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04,
};

/* A valid AES-GCM-128 request in kernel form. */
static void raw_req(struct wfp_ipsec_ctx_add *r, UINT64 id, UINT32 spi)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->bundle.num_sas = 1;
	r->bundle.lifetime_seconds = 3600;
	wfp_ksa_gcm(&r->bundle.sas[0], spi, raw_key, sizeof(raw_key));
}

static int raw_add(struct env *f, bool inbound, struct wfp_ipsec_ctx_add *r)
{
	return wfp_test_ioctl(f->fd, inbound ? WFP_IPSEC_IOC_CTX_ADD_INBOUND :
					  WFP_IPSEC_IOC_CTX_ADD_OUTBOUND, r);
}

/* The valid raw request for spi returns err and status ST_OK. */
static void expect_raw_status_ok(struct __test_metadata *_metadata,
				 struct env *f, bool inbound, UINT32 spi,
				 int err)
{
	struct wfp_ipsec_ctx_add r;

	raw_req(&r, f->id, spi);
	r.status = 0xdeadbeef;	/* output only */
	EXPECT_EQ(raw_add(f, inbound, &r), err);
	EXPECT_EQ(r.status, WFP_IPSEC_ADD_ST_OK);
}

TEST_F(add, raw_valid_request_status_ok)
{
	struct env *f = &self->e;

	expect_raw_status_ok(_metadata, f, true, SPI_IN, 0);
	expect_raw_status_ok(_metadata, f, false, SPI_OUT, 0);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
	expect_raw_sa_keyless(_metadata, f->fd, f->id, WFP_IPSEC_DIR_INBOUND,
			      SPI_IN);
	expect_raw_sa_keyless(_metadata, f->fd, f->id, WFP_IPSEC_DIR_OUTBOUND,
			      SPI_OUT);
}

/*
 * The raw request mut(r, arg) changed fails with err and status st,
 * inbound while SPI_SET and outbound once INBOUND, and changes nothing.
 */
static void raw_expect_both(struct __test_metadata *_metadata, struct env *f,
			    void (*mut)(struct wfp_ipsec_ctx_add *, size_t),
			    size_t arg, int err, UINT32 st)
{
	struct wfp_ipsec_ctx_add r;
	int out;

	for (out = 0; out < 2; out++) {
		raw_req(&r, f->id, out ? SPI_OUT : SPI_IN);
		mut(&r, arg);
		EXPECT_EQ(raw_add(f, !out, &r), err);
		EXPECT_EQ(r.status, st);
		expect_before_add(_metadata, f, out);
		raw_req(&r, f->id, out ? SPI_OUT : SPI_IN);
		ASSERT_EQ(raw_add(f, !out, &r), 0);
	}
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

/* ESP_CIPHER (CBC) takes no auth key. */
static void r_esp_cipher_auth_key(struct wfp_ipsec_ctx_add *r)
{
	struct wfp_ipsec_sa *sa = &r->bundle.sas[0];

	sa->transform_type = WFP_IPSEC_TRANSFORM_ESP_CIPHER;
	sa->cipher_config = IPSEC_CIPHER_CONFIG_CBC_AES_128;
	sa->cipher_key_len = 16;
	sa->auth_type = IPSEC_AUTH_SHA_1;
	sa->auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96;
	sa->auth_key = (uintptr_t)raw_key;
	sa->auth_key_len = 20;
}

/*
 * TEST_F(add, raw_status_<name>): the valid raw request with the change
 * that follows (on r, its SA sa) fails with err and WFP_IPSEC_ADD_ST_<st>.
 */
#define RAW_STATUS(name, err, st, ...)					\
static void r_##name(struct wfp_ipsec_ctx_add *r, size_t arg)		\
{									\
	struct wfp_ipsec_sa *sa __attribute__((unused)) =		\
		&r->bundle.sas[0];					\
									\
	__VA_ARGS__;							\
}									\
									\
TEST_F(add, raw_status_##name)						\
{									\
	raw_expect_both(_metadata, &self->e, r_##name, 0, err,		\
			WFP_IPSEC_ADD_ST_##st);				\
}

RAW_STATUS(transform, -EINVAL, TRANSFORM, sa->transform_type = 9)
RAW_STATUS(auth, -EINVAL, AUTH,
	   sa->auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96)
RAW_STATUS(cipher, -EINVAL, CIPHER, sa->cipher_config = 42)
RAW_STATUS(combination, -EINVAL, COMBINATION,
	   sa->auth_type = IPSEC_AUTH_AES_256;
	   sa->auth_config = IPSEC_AUTH_CONFIG_GCM_AES_256)
RAW_STATUS(key_length, -EINVAL, KEY_LENGTH, sa->cipher_key_len = 16)
RAW_STATUS(esp_cipher_with_auth_key, -EINVAL, KEY_LENGTH,
	   r_esp_cipher_auth_key(r))
RAW_STATUS(spi, -EINVAL, SPI, sa->spi = 255)
RAW_STATUS(num_sas_0, -EINVAL, NUM_SAS, r->bundle.num_sas = 0)
RAW_STATUS(num_sas_2, -EOPNOTSUPP, NUM_SAS, r->bundle.num_sas = 2)
RAW_STATUS(num_sas_3, -EINVAL, NUM_SAS, r->bundle.num_sas = 3)

TEST_F(add, raw_status_spi_not_reserved)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add r;

	raw_req(&r, f->id, SPI_IN + 1);
	EXPECT_EQ(raw_add(f, true, &r), -EINVAL);
	EXPECT_EQ(r.status, WFP_IPSEC_ADD_ST_SPI);
	expect_spi_set(_metadata, f);
}

TEST_F(add, raw_out_of_order_ebusy_status_ok)
{
	expect_raw_status_ok(_metadata, &self->e, false, SPI_OUT, -EBUSY);
	expect_spi_set(_metadata, &self->e);
}

TEST_F(add, raw_unknown_id_enoent)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add r;

	raw_req(&r, f->id + 1000000, SPI_IN);
	EXPECT_EQ(raw_add(f, true, &r), -ENOENT);
	EXPECT_EQ(raw_add(f, false, &r), -ENOENT);
	expect_spi_set(_metadata, f);
}

TEST_F(add, raw_bad_key_pointer_efault)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add r;

	raw_req(&r, f->id, SPI_IN);
	r.bundle.sas[0].cipher_key = 8;
	EXPECT_EQ(raw_add(f, true, &r), -EFAULT);
	expect_spi_set(_metadata, f);
	raw_req(&r, f->id, SPI_IN);
	ASSERT_EQ(raw_add(f, true, &r), 0);
	raw_req(&r, f->id, SPI_OUT);
	r.bundle.sas[0].cipher_key = 8;
	EXPECT_EQ(raw_add(f, false, &r), -EFAULT);
	expect_ctx(_metadata, f, f->id, ST_INBOUND, 1, 0);
}

/* A reserved field set makes EINVAL, whatever status held on input. */
TEST_F(add, raw_status_is_output_only)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add r;

	raw_req(&r, f->id, SPI_IN);
	r.reserved0 = 1;
	r.status = 0xdeadbeef;
	EXPECT_EQ(raw_add(f, true, &r), -EINVAL);
	EXPECT_EQ(r.status, WFP_IPSEC_ADD_ST_OK)
		TH_LOG("status %#x is not a WFP_IPSEC_ADD_ST_* value", r.status);
	expect_spi_set(_metadata, f);
}

TEST_F(add, raw_get_sa)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_sa g;

	EXPECT_EQ(raw_get_sa(f->fd, f->id, WFP_IPSEC_DIR_INBOUND, &g), -ENOENT);
	ASSERT_EQ(add_in(f, f->id, &ALG_GCM128, SPI_IN, 1), ERROR_SUCCESS);
	expect_raw_sa_keyless(_metadata, f->fd, f->id, WFP_IPSEC_DIR_INBOUND,
			      SPI_IN);
	EXPECT_EQ(raw_get_sa(f->fd, f->id, WFP_IPSEC_DIR_OUTBOUND, &g),
		  -ENOENT);
	g.dir = 2;
	EXPECT_EQ(wfp_test_ioctl(f->fd, WFP_IPSEC_IOC_CTX_GET_SA, &g), -EINVAL);
	g.dir = WFP_IPSEC_DIR_INBOUND;
	g.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(f->fd, WFP_IPSEC_IOC_CTX_GET_SA, &g), -EINVAL);
	g.reserved0 = 0;
	g.reserved[1] = 1;
	EXPECT_EQ(wfp_test_ioctl(f->fd, WFP_IPSEC_IOC_CTX_GET_SA, &g), -EINVAL);
	g.reserved[1] = 0;
	g.bundle.num_sas = 1;
	EXPECT_EQ(wfp_test_ioctl(f->fd, WFP_IPSEC_IOC_CTX_GET_SA, &g), -EINVAL);
	g.bundle.num_sas = 0;
	g.id += 1000000;
	EXPECT_EQ(wfp_test_ioctl(f->fd, WFP_IPSEC_IOC_CTX_GET_SA, &g), -ENOENT);
}

/*
 * The module keeps one record of the recorded bundle members for both
 * SAs when they are equal and a second one when not: inbound and
 * outbound bundles that differ in every recorded member (and in the
 * transform, GCM against GMAC) read back each exactly as given.
 * raw_req_recorded(): raw_req() with every recorded member from seed.
 */
static void raw_req_recorded(struct wfp_ipsec_ctx_add *r, UINT64 id,
			     UINT32 spi, UINT8 seed)
{
	struct wfp_ipsec_bundle *b = &r->bundle;

	raw_req(r, id, spi);
	b->flags = seed;
	b->lifetime_seconds = 3600 + seed;
	b->lifetime_kilobytes = 100000 + seed;
	b->lifetime_packets = 200000 + seed;
	b->idle_timeout_seconds = 300 + seed;
	b->nd_allow_clear_timeout_seconds = 10 + seed;
	b->nap_context = 0x1000 + seed;
	b->qm_sa_id = 0x2000 + seed;
	b->pfs_group = seed;
	b->mm_sa_id = 0x3000000000ULL + seed;
	b->qm_filter_id = 0x4000000000ULL + seed;
	memset(b->sa_lookup_context, seed, sizeof(b->sa_lookup_context));
}

static void raw_expect_sa(struct __test_metadata *_metadata, int fd,
			  UINT64 id, UINT32 dir,
			  const struct wfp_ipsec_ctx_add *given)
{
	struct wfp_ipsec_bundle want = given->bundle;
	struct wfp_ipsec_ctx_sa g;

	want.sas[0].auth_key = 0;
	want.sas[0].cipher_key = 0;
	want.sas[0].auth_key_len = 0;
	want.sas[0].cipher_key_len = 0;
	ASSERT_EQ(raw_get_sa(fd, id, dir, &g), 0);
	EXPECT_EQ(memcmp(&g.bundle, &want, sizeof(want)), 0)
		TH_LOG("dir %u: the bundle read back is not the one given",
		       dir);
}

TEST_F(add, raw_get_sa_bundles_that_differ)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add in, out;
	struct wfp_ipsec_sa *sa;

	raw_req_recorded(&in, f->id, SPI_IN, 1);
	ASSERT_EQ(raw_add(f, true, &in), 0);
	raw_req_recorded(&out, f->id, SPI_OUT, 2);
	/* GMAC: same auth transform, no cipher. */
	sa = &out.bundle.sas[0];
	sa->transform_type = WFP_IPSEC_TRANSFORM_ESP_AUTH;
	sa->cipher_type = 0;
	sa->cipher_config = 0;
	sa->cipher_key_len = 0;
	sa->cipher_key = 0;
	sa->auth_key_len = sizeof(raw_key);
	sa->auth_key = (uintptr_t)raw_key;
	ASSERT_EQ(raw_add(f, false, &out), 0);
	raw_expect_sa(_metadata, f->fd, f->id, WFP_IPSEC_DIR_INBOUND, &in);
	raw_expect_sa(_metadata, f->fd, f->id, WFP_IPSEC_DIR_OUTBOUND, &out);
	expect_ctx(_metadata, f, f->id, ST_COMPLETE, 2, 2);
}

TEST_F(add, raw_get_sa_equal_bundles)
{
	struct env *f = &self->e;
	struct wfp_ipsec_ctx_add in, out;

	raw_req_recorded(&in, f->id, SPI_IN, 7);
	ASSERT_EQ(raw_add(f, true, &in), 0);
	raw_req_recorded(&out, f->id, SPI_OUT, 7);
	ASSERT_EQ(raw_add(f, false, &out), 0);
	raw_expect_sa(_metadata, f->fd, f->id, WFP_IPSEC_DIR_INBOUND, &in);
	raw_expect_sa(_metadata, f->fd, f->id, WFP_IPSEC_DIR_OUTBOUND, &out);
}

/* ---- reserved fields: one variant per field ---- */

ENV_FIXTURE(rawres, fx_setup(_metadata, &self->e), fx_teardown);

FIXTURE_VARIANT(rawres) {
	size_t off;	/* of the byte set, in struct wfp_ipsec_ctx_add */
};

#define RESB(name, member, byte) \
	FIXTURE_VARIANT_ADD(rawres, name) { \
		offsetof(struct wfp_ipsec_ctx_add, member) + (byte) }
#define RES(name, member) RESB(name, member, 0)

RES(ctx_add_reserved0, reserved0);
RESB(ctx_add_reserved0_last_byte, reserved0, 3);
RES(ctx_add_reserved_0, reserved[0]);
RES(ctx_add_reserved_1, reserved[1]);
RES(bundle_reserved0, bundle.reserved0);
RES(sa_reserved0, bundle.sas[0].reserved0);
RES(sa_reserved1, bundle.sas[0].reserved1);
RES(sa_reserved_0, bundle.sas[0].reserved[0]);
RES(sa_reserved_1, bundle.sas[0].reserved[1]);
RESB(sa_reserved_1_last_byte, bundle.sas[0].reserved[1], 7);
RES(second_sa_spi, bundle.sas[1].spi);
RES(second_sa_transform, bundle.sas[1].transform_type);
RES(second_sa_key_len, bundle.sas[1].cipher_key_len);
RES(second_sa_reserved1, bundle.sas[1].reserved1);
RES(second_sa_reserved_1, bundle.sas[1].reserved[1]);

/* Sets the byte at offset off of the request. */
static void r_byte(struct wfp_ipsec_ctx_add *r, size_t off)
{
	((UINT8 *)r)[off] = 0x80;
}

TEST_F(rawres, einval_and_nothing_changed)
{
	raw_expect_both(_metadata, &self->e, r_byte, variant->off, -EINVAL,
			WFP_IPSEC_ADD_ST_OK);
}

TEST_HARNESS_MAIN
