// SPDX-License-Identifier: GPL-2.0
/*
 * Filters (FwpmFilter*, Documentation/filters.rst) with real traffic.
 *
 * FIXTURE keyed: side A - the test process, in a network namespace of
 * its own - says what to protect the way a Windows keying module does:
 * a provider, an outbound and an inbound IPsec callout filter (tunnel:
 * in FWPM_SUBLAYER_IPSEC_TUNNEL, with a QM tunnel provider context), an
 * SA context bound to them by ipsecFilterId or tunnelPolicyId, GetSpi1,
 * AddInbound1 and AddOutbound1.  Side B, over veth, is plain `ip xfrm`
 * (wfp_sa.h).  Ping goes both ways through A's SAs, whose xfrm policies
 * are the filters' (the context installs none of its own).  IPv4 and
 * IPv6 transport, an IPv4 tunnel between two subnets.
 *
 * FIXTURE wire: a permit filter exempting UDP 500 from a covering IPsec
 * filter (the exchange stays clear while ping is ESP), and the weights
 * ordering a block and a permit filter that overlap.
 *
 * FIXTURE one, without a peer: ranges split into prefixes and read
 * back, other control planes removing a filter's policies, deletion
 * while referenced, SA contexts naming the wrong filter, enumeration,
 * another namespace, rights.  FIXTURE lib (FwpmFilterAdd0) and FIXTURE
 * raw (FILTER_ADD) have one variant per error path, each checking that
 * nothing was installed.
 *
 * Every test runs in a network namespace of its own and leaves it with
 * no filter and no xfrm policy.
 */
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "wfp_fb.h"
#include "wfp_sa.h"

#define SEED		7
#define SPI_OUT		0x2000b001U
#define FLT		WFP_IPSEC_OBJ_FILTER

/* Keys of this program's objects: the last byte tells them apart. */
enum {
	K_PROV = 1, K_PROV2, K_SUB, K_PCTX, K_PCTX_T, K_OUT, K_IN, K_PERMIT,
	K_PERMIT_IN, K_BLOCK, K_RES, K_NEW, K_UNKNOWN, K_MAX
};

#define KEY_FAMILY	0xf117e516
#define tkey(n)	wfp_test_key(KEY_FAMILY, n)

/* ------------------------------------------------ filters, built */

/* callout: the calloutKey of a callout action, else NULL. */
static void fb_init(struct fb *b, UINT8 key, const GUID *layer,
		    FWP_ACTION_TYPE type, const GUID *callout)
{
	memset(b, 0, sizeof(*b));
	if (key)
		b->f.filterKey = tkey(key);
	b->f.displayData.name = L"filter \u00e9";
	b->f.displayData.description = L"a filter test";
	b->f.layerKey = *layer;
	b->f.action.type = type;
	if (callout)
		b->f.action.calloutKey = *callout;
	b->f.filterCondition = b->c;
}

static void fb_provider(struct fb *b, UINT8 n)
{
	b->pk = tkey(n);
	b->f.providerKey = &b->pk;
}

static void fb_pctx(struct fb *b, UINT8 n)
{
	b->f.flags |= FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
	b->f.providerContextKey = tkey(n);
}

static void fb_weight8(struct fb *b, UINT8 n)
{
	b->f.weight.type = FWP_UINT8;
	b->f.weight.uint8 = n;
}

static void fb_weight64(struct fb *b, UINT64 w)
{
	b->w64 = w;
	b->f.weight.type = FWP_UINT64;
	b->f.weight.uint64 = &b->w64;
}

static DWORD fb_add(HANDLE h, struct fb *b, UINT64 *id)
{
	return FwpmFilterAdd0(h, &b->f, NULL, id);
}

/* Outbound IPv4 block filter n of remote/plen, of provider prov (0: none). */
static DWORD block_add(HANDLE h, UINT8 n, UINT8 prov, const char *remote,
		       int plen, UINT64 *id)
{
	static struct fb b;

	fb_init(&b, n, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK,
		NULL);
	if (prov)
		fb_provider(&b, prov);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, remote, plen);
	return fb_add(h, &b, id);
}

/* -------------------------------------------- the other objects */

static DWORD provider_add(HANDLE h, UINT8 n)
{
	return provider_add_key(h, tkey(n));
}

/* The one proposal of the tests' QM policies: ESP AES-GCM-128. */
static IPSEC_CIPHER_TRANSFORM0 esp_gcm = {
	{ IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128 }, NULL
};
static IPSEC_SA_TRANSFORM0 xf = {
	.ipsecTransformType = IPSEC_TRANSFORM_ESP_CIPHER,
	.espCipherTransform = &esp_gcm,
};
static IPSEC_PROPOSAL0 prop = {
	.lifetime = { 3600, 100000, 1000000 },
	.numSaTransforms = 1, .saTransforms = &xf,
};

/* Provider context n of a type, its policy (of that type) at policy. */
static DWORD pctx_add(HANDLE h, UINT8 n, FWPM_PROVIDER_CONTEXT_TYPE type,
		      void *policy, UINT64 *id)
{
	FWPM_PROVIDER_CONTEXT0 c;

	memset(&c, 0, sizeof(c));
	c.providerContextKey = tkey(n);
	c.displayData.name = L"filter test QM policy";
	c.type = type;
	c.keyingPolicy = policy;
	return FwpmProviderContextAdd0(h, &c, NULL, id);
}

/* A QM tunnel provider context n between IPv4 endpoints local, remote. */
static DWORD tunnel_pctx_add(HANDLE h, UINT8 n, const char *local,
			     const char *remote, UINT64 *id)
{
	IPSEC_TUNNEL_POLICY0 t;
	UINT8 l[16], r[16];

	wfp_addr_bytes(local, l);
	wfp_addr_bytes(remote, r);
	memset(&t, 0, sizeof(t));
	t.numIpsecProposals = 1;
	t.ipsecProposals = &prop;
	t.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	t.tunnelEndpoints.localV4Address = v4_host(l);
	t.tunnelEndpoints.remoteV4Address = v4_host(r);
	return pctx_add(h, n, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT, &t, id);
}

/* A QM transport provider context n (of the wrong type for a tunnel). */
static DWORD transport_pctx_add(HANDLE h, UINT8 n)
{
	IPSEC_TRANSPORT_POLICY0 t;

	memset(&t, 0, sizeof(t));
	t.numIpsecProposals = 1;
	t.ipsecProposals = &prop;
	return pctx_add(h, n, FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, &t, NULL);
}

/* ------------------------------------------------ the raw view */

/* Room for every field of a FILTER_GET. */
struct fget {
	struct wfp_ipsec_filter f;
	struct wfp_ipsec_filter_cond c[WFP_IPSEC_FILTER_COND_MAX];
	char name[WFP_IPSEC_OBJ_NAME_MAX];
	char desc[WFP_IPSEC_OBJ_DESC_MAX];
	__u8 data[WFP_IPSEC_OBJ_DATA_MAX];
};

/*
 * A FILTER_GET request in g: by key (when not NULL) or id, with room for
 * nconds conditions and name_len bytes of name.
 */
static void fget_req(struct fget *g, const GUID *key, __u64 id,
		     __u32 nconds, __u32 name_len)
{
	memset(g, 0, sizeof(*g));
	if (key)
		memcpy(g->f.key, key, sizeof(g->f.key));
	g->f.id = id;
	g->f.num_conds = nconds;
	g->f.conds = (__u64)(uintptr_t)g->c;
	g->f.name = (__u64)(uintptr_t)g->name;
	g->f.name_len = name_len;
	g->f.desc = (__u64)(uintptr_t)g->desc;
	g->f.desc_len = sizeof(g->desc);
	g->f.data = (__u64)(uintptr_t)g->data;
	g->f.data_len = sizeof(g->data);
}

static int fget_ioctl(int fd, struct fget *g)
{
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_FILTER_GET, &g->f);
}

/* FILTER_GET by id, with room for everything; -errno. */
static int raw_fget(int fd, __u64 id, struct fget *g)
{
	fget_req(g, NULL, id, WFP_IPSEC_FILTER_COND_MAX, sizeof(g->name));
	return fget_ioctl(fd, g);
}

/* The filter's reqid (FILTER_GET), or 0 when it cannot be read. */
static UINT32 filter_reqid(int fd, UINT64 id)
{
	static struct fget g;

	return raw_fget(fd, id, &g) ? 0 : g.f.reqid;
}

static int filter_nr_policies(int fd, UINT64 id)
{
	static struct fget g;

	return raw_fget(fd, id, &g) ? -1 : (int)g.f.nr_policies;
}

/* ----------------------------------------------- xfrm, read back */

/* A's policies of direction dir (XFRM_POLICY_*) into v; how many. */
static int sp_dir(int dir, struct xp *v, int max)
{
	struct xp *all;
	int n = sp_dump(-1, &all), i, k = 0;

	for (i = 0; i < n; i++)
		if (all[i].dir == dir && k < max)
			v[k++] = all[i];
	if (n >= 0)
		free(all);
	return n < 0 ? -1 : k;
}

/*
 * A's xfrm policies and states as libnl reads them, and the count of
 * filters of session fd's namespace, to compare before and after a
 * refused call (in-process: `ip` costs a fork and an exec each time,
 * which add up over a hundred variants under TCG).
 */
struct xsnap {
	struct xp *p;
	struct xs *s;
	int np, ns;
	long filters;
};

static struct xsnap xsnap_take(int fd)
{
	struct xsnap x;

	x.np = sp_dump(-1, &x.p);
	x.ns = sa_dump(-1, &x.s);
	x.filters = wfp_obj_count(fd, FLT);
	return x;
}

static void xsnap_free(struct xsnap *x)
{
	if (x->np >= 0)
		free(x->p);
	if (x->ns >= 0)
		free(x->s);
}

/* Nothing changed in A's xfrm database or filters since before. */
static void expect_unchanged(struct __test_metadata *_metadata, int fd,
			     const struct xsnap *before)
{
	struct xsnap now = xsnap_take(fd);

	ASSERT_GE(before->np, 0);
	ASSERT_GE(before->ns, 0);
	ASSERT_EQ(now.np, before->np);
	ASSERT_EQ(now.ns, before->ns);
	EXPECT_EQ(memcmp(now.p, before->p, now.np * sizeof(*now.p)), 0);
	EXPECT_EQ(memcmp(now.s, before->s, now.ns * sizeof(*now.s)), 0);
	EXPECT_EQ(now.filters, before->filters);
	xsnap_free(&now);
}

/* -------------------------------------------------------- fixtures */

/*
 * What a test leaves: contexts first (they hold their filters), then
 * every filter of the namespace, then the objects filters name.  The
 * namespace must then hold no filter and no xfrm policy.
 */
static void flt_teardown(struct __test_metadata *_metadata, struct env *e)
{
	static __u8 keys[WFP_IPSEC_OBJ_MAX][WFP_IPSEC_OBJ_KEY_LEN];
	GUID k;
	long n;
	int i;

	if (!e->h) {
		env_teardown(e);
		return;
	}
	for (i = 0; i < e->nids; i++) {
		if (e->ids[i])
			IPsecSaContextDeleteById0(e->h, e->ids[i]);
		e->ids[i] = 0;
	}
	n = wfp_obj_keys(e->fd, FLT, keys);
	for (i = 0; i < n; i++)
		wfp_obj_delete(e->fd, FLT, keys[i], 0);
	for (i = 1; i < K_MAX; i++) {
		k = tkey(i);
		FwpmProviderContextDeleteByKey0(e->h, &k);
	}
	wfp_test_keys_delete(e->h, KEY_FAMILY, K_MAX);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 0);
	EXPECT_EQ(sp_count(-1), 0);
	env_teardown(e);
}

/* The error paths' resident filter: inbound, blocking 10.8.0.0/24. */
static void resident(struct fb *b)
{
	fb_init(b, K_RES, &FWPM_LAYER_INBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK,
		NULL);
	fb_addr(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.8.0.0", 24);
}

/*
 * What the error paths start from: a provider, a transport provider
 * context and the resident filter; then A's xfrm database and filter
 * count, which a refused add must leave as they are.
 */
static void resident_setup(struct __test_metadata *_metadata, struct env *e,
			   struct xsnap *xfrm)
{
	static struct fb b;
	UINT64 id;

	ASSERT_EQ(provider_add(e->h, K_PROV), ERROR_SUCCESS);
	ASSERT_EQ(transport_pctx_add(e->h, K_PCTX_T), ERROR_SUCCESS);
	resident(&b);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);
	*xfrm = xsnap_take(e->fd);
	ASSERT_EQ(xfrm->filters, 1);
}

/*
 * FIXTURE name: an env of flags, with has_resident resident_setup()'s
 * objects too; flt_teardown() leaves it.
 */
#define FLT_FIXTURE(name, flags, has_resident)				\
	FIXTURE(name) {							\
		struct env e;						\
		struct xsnap xfrm;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		env_setup(_metadata, &self->e, flags);			\
		if (has_resident)					\
			resident_setup(_metadata, &self->e, &self->xfrm); \
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		xsnap_free(&self->xfrm);				\
		flt_teardown(_metadata, &self->e);			\
	}

/* ==================================================== keyed by filters */

/* What key_a() made. */
struct keyed {
	UINT64 fo, fi;		/* the outbound and inbound filters */
	UINT64 pc;		/* tunnel: the QM tunnel provider context */
	UINT64 ctx;
	UINT32 spi_in;
	IPSEC_TRAFFIC1 t;
};

static const GUID *layer_of(bool out, bool v6)
{
	if (out)
		return v6 ? &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 :
			    &FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	return v6 ? &FWPM_LAYER_INBOUND_TRANSPORT_V6 :
		    &FWPM_LAYER_INBOUND_TRANSPORT_V4;
}

static const GUID *callout_of(bool out, bool v6, bool tunnel)
{
	if (tunnel)
		return out ? &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4 :
			     &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4;
	if (out)
		return v6 ? &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6 :
			    &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	return v6 ? &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6 :
		    &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
}

/*
 * One of the two IPsec callout filters over e's traffic, as a keying
 * module adds it (wfp-filter-facts.md 3.4): provider K_PROV; tunnel in
 * FWPM_SUBLAYER_IPSEC_TUNNEL with the provider context K_PCTX.  w8 is
 * an FWP_UINT8 weight, or -1 for FWP_EMPTY.
 */
static void ipsec_filter(struct __test_metadata *_metadata, struct env *e,
			 bool out, int w8, UINT64 *id)
{
	static struct fb b;

	fb_init(&b, out ? K_OUT : K_IN, layer_of(out, e->v6),
		FWP_ACTION_CALLOUT_TERMINATING,
		callout_of(out, e->v6, e->tunnel));
	fb_provider(&b, K_PROV);
	if (e->tunnel) {
		b.f.subLayerKey = FWPM_SUBLAYER_IPSEC_TUNNEL;
		fb_pctx(&b, K_PCTX);
	}
	if (w8 >= 0)
		fb_weight8(&b, (UINT8)w8);
	fb_addr(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, e->a_sel, e->plen);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, e->b_sel, e->plen);
	ASSERT_EQ(fb_add(e->h, &b, id), ERROR_SUCCESS)
		TH_LOG("%s filter", out ? "outbound" : "inbound");
	ASSERT_NE(*id, 0);
}

/*
 * Side A bound to filters: provider, (provider context,) the two IPsec
 * filters, a context bound to them, GetSpi1 with the inbound filter.
 */
static void key_a_bind(struct __test_metadata *_metadata, struct env *e,
		       int w8, struct keyed *k)
{
	IPSEC_GETSPI1 g;

	memset(k, 0, sizeof(*k));
	ASSERT_EQ(provider_add(e->h, K_PROV), ERROR_SUCCESS);
	if (e->tunnel) {
		ASSERT_EQ(tunnel_pctx_add(e->h, K_PCTX, e->a_out, e->b_out,
					  &k->pc), ERROR_SUCCESS);
	}
	ipsec_filter(_metadata, e, true, w8, &k->fo);
	ipsec_filter(_metadata, e, false, w8, &k->fi);
	wfp_traffic_set(&k->t, e->tunnel, e->a_out, e->b_out);
	if (e->tunnel)
		k->t.tunnelPolicyId = k->pc;
	else
		k->t.ipsecFilterId = k->fo;
	ASSERT_EQ(IPsecSaContextCreate1(e->h, &k->t, NULL, NULL, &k->ctx),
		  ERROR_SUCCESS);
	ASSERT_EQ(env_keep(e, k->ctx), 0);
	wfp_getspi_set(&g, &k->t);
	if (!e->tunnel)
		g.inboundIpsecTraffic.ipsecFilterId = k->fi;
	ASSERT_EQ(IPsecSaContextGetSpi1(e->h, k->ctx, &g, &k->spi_in),
		  ERROR_SUCCESS);
	ASSERT_NE(k->spi_in, 0);
}

/* key_a_bind(), then AddInbound1 and AddOutbound1 of AES-GCM-128. */
static void key_a(struct __test_metadata *_metadata, struct env *e,
		  int w8, struct keyed *k)
{
	struct gcm_sab s;

	key_a_bind(_metadata, e, w8, k);
	gcm_sab_init(&s, k->spi_in, SEED, DIR_IN, NULL);
	s.b.ipVersion = e->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
	ASSERT_EQ(IPsecSaContextAddInbound1(e->h, k->ctx, &s.b),
		  ERROR_SUCCESS);
	gcm_sab_init(&s, SPI_OUT, SEED, DIR_OUT, NULL);
	s.b.ipVersion = e->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
	ASSERT_EQ(IPsecSaContextAddOutbound1(e->h, k->ctx, &s.b),
		  ERROR_SUCCESS);
	EXPECT_EQ(ctx_state(e->fd, k->ctx), ST_COMPLETE);
}

/* Side B: the same SAs and its own policies, with plain `ip xfrm`. */
static void key_b(struct __test_metadata *_metadata, struct env *e,
		  const struct keyed *k)
{
	gcm_b_states(_metadata, e, k->spi_in, SPI_OUT, SEED, 0);
	b_policies(_metadata, e);
}

/*
 * A's xfrm policies are exactly the two filters', each with one ESP
 * template of the mode and the SA group's reqid: the provider context's
 * group, or in transport mode the one the outbound filter and its
 * inbound twin share (filters.rst, "SA contexts and filters").
 */
static void expect_filter_policies(struct __test_metadata *_metadata,
				   struct env *e, UINT32 reqid)
{
	UINT8 lo[16], re[16], ls[16], rs[16];
	int alen = wfp_addr_bytes(e->a_out, lo), n, i, seen = 0;
	struct xp *v;

	wfp_addr_bytes(e->b_out, re);
	wfp_addr_bytes(e->a_sel, ls);
	wfp_addr_bytes(e->b_sel, rs);
	n = sp_dump(-1, &v);
	ASSERT_EQ(n, 2) TH_LOG("the context installed policies of its own");
	for (i = 0; i < n; i++) {
		bool out = v[i].dir == XFRM_POLICY_OUT;

		seen |= 1 << v[i].dir;
		EXPECT_EQ(v[i].action, XFRM_POLICY_ALLOW);
		EXPECT_EQ(v[i].family, e->v6 ? AF_INET6 : AF_INET);
		EXPECT_EQ(v[i].plen_s, e->plen);
		EXPECT_EQ(v[i].plen_d, e->plen);
		EXPECT_EQ(memcmp(v[i].saddr, out ? ls : rs, alen), 0);
		EXPECT_EQ(memcmp(v[i].daddr, out ? rs : ls, alen), 0);
		ASSERT_EQ(v[i].ntmpl, 1);
		EXPECT_EQ(v[i].tproto, IPPROTO_ESP);
		EXPECT_EQ(v[i].tmode, e->tunnel ? XFRM_MODE_TUNNEL :
						  XFRM_MODE_TRANSPORT);
		EXPECT_EQ(v[i].reqid, reqid) TH_LOG("dir %d", v[i].dir);
		if (e->tunnel) {
			EXPECT_EQ(memcmp(v[i].tsaddr, out ? lo : re, alen), 0);
			EXPECT_EQ(memcmp(v[i].tdaddr, out ? re : lo, alen), 0);
		}
	}
	EXPECT_EQ(seen, 1 << XFRM_POLICY_IN | 1 << XFRM_POLICY_OUT);
	free(v);
}

FIXTURE_VARIANT(keyed) {
	unsigned int flags;	/* env_setup()'s */
};

FLT_FIXTURE(keyed, ENV_PEER | variant->flags, false)

FIXTURE_VARIANT_ADD(keyed, transport_v4) { .flags = 0 };
FIXTURE_VARIANT_ADD(keyed, transport_v6) { .flags = ENV_V6 };
FIXTURE_VARIANT_ADD(keyed, tunnel_v4) { .flags = ENV_TUNNEL };

TEST_F_TIMEOUT(keyed, traffic_both_ways, 120)
{
	struct env *e = &self->e;
	long long in0, out0;
	struct keyed k;
	UINT32 reqid;
	struct xs x;

	key_a(_metadata, e, -1, &k);
	key_b(_metadata, e, &k);
	/* The SAs are the filters' group's, under the filters' policies. */
	reqid = filter_reqid(e->fd, k.fo);
	ASSERT_NE(reqid, 0);
	EXPECT_EQ(ctx_info(_metadata, e->fd, k.ctx).reqid, reqid);
	EXPECT_EQ(filter_reqid(e->fd, k.fi), reqid);
	EXPECT_EQ(filter_nr_policies(e->fd, k.fo), 1);
	EXPECT_EQ(filter_nr_policies(e->fd, k.fi), 1);
	expect_filter_policies(_metadata, e, reqid);
	ASSERT_EQ(sa_find(-1, k.spi_in, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.reqid, reqid);
	ASSERT_EQ(sa_find(-1, SPI_OUT, IPPROTO_ESP, &x), 1);
	EXPECT_EQ(x.reqid, reqid);

	in0 = sa_packets(-1, k.spi_in);
	out0 = sa_packets(-1, SPI_OUT);
	EXPECT_EQ(ping(e, false, 3), 0) TH_LOG("ping A -> B");
	EXPECT_EQ(ping(e, true, 3), 0) TH_LOG("ping B -> A");
	EXPECT_GT(sa_packets(-1, k.spi_in), in0) TH_LOG("A's inbound SA");
	EXPECT_GT(sa_packets(-1, SPI_OUT), out0) TH_LOG("A's outbound SA");
}

/* ================================================= wire: order */

FLT_FIXTURE(wire, ENV_PEER, false)

/* The filter's effective weight (FwpmFilterGetById0), or 0. */
static UINT64 effective_weight(HANDLE h, UINT64 id)
{
	FWPM_FILTER0 *f = NULL;
	UINT64 w = 0;

	if (FwpmFilterGetById0(h, id, &f))
		return 0;
	if (f->effectiveWeight.type == FWP_UINT64 && f->effectiveWeight.uint64)
		w = *f->effectiveWeight.uint64;
	FwpmFreeMemory0((void **)&f);
	return w;
}

/* A's permit filter for UDP local port 500 in one direction. */
static void ike_permit(struct __test_metadata *_metadata, struct env *e,
		       bool out, UINT64 *id)
{
	static struct fb b;

	fb_init(&b, out ? K_PERMIT : K_PERMIT_IN, layer_of(out, false),
		FWP_ACTION_PERMIT, NULL);
	fb_provider(&b, K_PROV);
	fb_weight8(&b, 0xC);
	fb_proto(&b, IPPROTO_UDP);
	fb_port(&b, &FWPM_CONDITION_IP_LOCAL_PORT, 500);
	ASSERT_EQ(fb_add(e->h, &b, id), ERROR_SUCCESS);
}

/* The priority of A's policy of direction dir and protocol proto. */
static int prio_of(int dir, int proto)
{
	struct xp v[8];
	int n = sp_dir(dir, v, 8), i;

	for (i = 0; i < n; i++)
		if (v[i].proto == proto)
			return v[i].priority;
	return -1;
}

/*
 * UDP 500 between the hosts, A's socket under A's filters, B's with a
 * per-socket bypass (B's `ip xfrm` policies cover all its traffic to
 * A).  0, -1 setup failed, -2 A -> B lost, -3 B -> A lost.
 */
static int ike_exchange(struct env *e)
{
	int sa = udp_socket(-1, false, e->a_host, 500, false);
	int sb = udp_socket(e->bns, false, e->b_host, 500, false);
	int ret = -1;

	if (sa < 0 || sb < 0 || socket_bypass(sb))
		goto out;
	ret = -2;
	if (udp_send_to(sa, false, e->b_host, 500, "ike-a") ||
	    !udp_got(sb, "ike-a", 3000))
		goto out;
	ret = -3;
	if (udp_send_to(sb, false, e->a_host, 500, "ike-b") ||
	    !udp_got(sa, "ike-b", 3000))
		goto out;
	ret = 0;
out:
	if (sa >= 0)
		close(sa);
	if (sb >= 0)
		close(sb);
	return ret;
}

TEST_F_TIMEOUT(wire, udp500_permit_bypasses_ipsec_filter, 120)
{
	struct env *e = &self->e;
	long long in0, out0;
	UINT64 po, pi;
	struct keyed k;

	key_a(_metadata, e, 0, &k);
	key_b(_metadata, e, &k);
	/* Without the exemption A drops B's clear datagrams. */
	EXPECT_EQ(ike_exchange(e), -3);

	ike_permit(_metadata, e, true, &po);
	ike_permit(_metadata, e, false, &pi);
	/* A weight range is the top 4 bits of the effective weight. */
	EXPECT_EQ(effective_weight(e->h, po) >> 60, 0xC);
	EXPECT_EQ(effective_weight(e->h, k.fo) >> 60, 0);
	EXPECT_NE(effective_weight(e->h, k.fo), 0);
	EXPECT_EQ(filter_nr_policies(e->fd, po), 1);
	EXPECT_EQ(filter_nr_policies(e->fd, pi), 1);
	/* Weight range 0xC goes before 0: a lower xfrm priority. */
	EXPECT_LT(prio_of(XFRM_POLICY_OUT, IPPROTO_UDP),
		  prio_of(XFRM_POLICY_OUT, 0));
	EXPECT_LT(prio_of(XFRM_POLICY_IN, IPPROTO_UDP),
		  prio_of(XFRM_POLICY_IN, 0));

	in0 = sa_packets(-1, k.spi_in);
	out0 = sa_packets(-1, SPI_OUT);
	EXPECT_EQ(ike_exchange(e), 0);
	/* In clear: not a packet through A's SAs. */
	EXPECT_EQ(sa_packets(-1, k.spi_in), in0);
	EXPECT_EQ(sa_packets(-1, SPI_OUT), out0);
	/* The rest still goes through ESP. */
	EXPECT_EQ(ping(e, false, 2), 0);
	EXPECT_EQ(ping(e, true, 2), 0);
	EXPECT_GT(sa_packets(-1, k.spi_in), in0);
	EXPECT_GT(sa_packets(-1, SPI_OUT), out0);
}

/* A second host in B's /24, which B answers for. */
#define B3	"10.1.0.3"

/* A weight that leaves the filter's FWP_EMPTY: the engine's choice. */
#define W_EMPTY		(~0ULL)

/* Block 10.1.0.0/24 at weight wb, permit B1 at weight wp (outbound). */
static void block_and_permit(struct __test_metadata *_metadata,
			     struct env *e, UINT64 wb, UINT64 wp,
			     UINT64 *block, UINT64 *permit)
{
	static struct fb b;

	fb_init(&b, K_BLOCK, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	if (wb != W_EMPTY)
		fb_weight64(&b, wb);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.1.0.0", 24);
	ASSERT_EQ(fb_add(e->h, &b, block), ERROR_SUCCESS);
	fb_init(&b, K_PERMIT, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_PERMIT, NULL);
	if (wp != W_EMPTY)
		fb_weight64(&b, wp);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, B1, 32);
	ASSERT_EQ(fb_add(e->h, &b, permit), ERROR_SUCCESS);
}

static bool reaches(const char *host)
{
	return sh("ping -c 1 -W 2 %s >/dev/null 2>&1", host) == 0;
}

/*
 * A's one BLOCK and one ALLOW outbound policy: the permit's first (the
 * lower priority) when permit_first, and B1 reached then only; B3 never.
 */
static void expect_order(struct __test_metadata *_metadata,
			 bool permit_first)
{
	int i, block = -1, allow = -1;
	struct xp v[4];

	ASSERT_EQ(sp_dir(XFRM_POLICY_OUT, v, 4), 2);
	/* An outbound block is a trap: an ESP template no SA ever meets
	 * (netevents.rst); the permit has none.
	 */
	for (i = 0; i < 2; i++) {
		if (v[i].ntmpl == 1 && v[i].action == XFRM_POLICY_ALLOW)
			block = v[i].priority;
		else if (!v[i].ntmpl)
			allow = v[i].priority;
	}
	ASSERT_NE(block, -1);
	ASSERT_NE(allow, -1);
	if (permit_first) {
		EXPECT_LT(allow, block);
	} else {
		EXPECT_LT(block, allow);
	}
	EXPECT_EQ(reaches(B1), permit_first);
	EXPECT_FALSE(reaches(B3));
}

TEST_F_TIMEOUT(wire, weights_order_overlapping_filters, 120)
{
	struct env *e = &self->e;
	UINT64 block, permit;

	ASSERT_EQ(sh_in(e->bns, "ip addr add " B3 "/24 dev vb"), 0);
	ASSERT_EQ(sh("ip neigh add " B3 " lladdr " MAC_B " dev va "
		     "nud permanent"), 0);
	ASSERT_TRUE(reaches(B1));
	ASSERT_TRUE(reaches(B3));

	/* The host's permit is heavier: it passes, the rest is blocked. */
	block_and_permit(_metadata, e, 100, 200, &block, &permit);
	EXPECT_EQ(effective_weight(e->h, block), 100);
	EXPECT_EQ(effective_weight(e->h, permit), 200);
	expect_order(_metadata, true);
	ASSERT_EQ(FwpmFilterDeleteById0(e->h, block), ERROR_SUCCESS);
	ASSERT_EQ(FwpmFilterDeleteById0(e->h, permit), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);

	/* Swapped: the block is heavier and covers the host too. */
	block_and_permit(_metadata, e, 200, 100, &block, &permit);
	expect_order(_metadata, false);
	ASSERT_EQ(FwpmFilterDeleteById0(e->h, block), ERROR_SUCCESS);
	ASSERT_EQ(FwpmFilterDeleteById0(e->h, permit), ERROR_SUCCESS);

	/* No weights: the engine's, the more specific filter heavier. */
	block_and_permit(_metadata, e, W_EMPTY, W_EMPTY, &block, &permit);
	EXPECT_GT(effective_weight(e->h, permit),
		  effective_weight(e->h, block));
	expect_order(_metadata, true);
}

/* ============================================== one namespace: one */

FLT_FIXTURE(one, 0, false)

/* v[0..n) holds a policy of direction dir whose address is a/plen. */
static bool has_prefix(const struct xp *v, int n, bool dst, const char *a,
		       int plen)
{
	UINT8 b[16];
	int i;

	wfp_addr_bytes(a, b);
	for (i = 0; i < n; i++)
		if ((dst ? v[i].plen_d : v[i].plen_s) == plen &&
		    !memcmp(dst ? v[i].daddr : v[i].saddr, b, 4))
			return true;
	return false;
}

/* v[0..n) holds a policy whose destination port is port/mask. */
static bool has_dport(const struct xp *v, int n, int port, int mask)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].dport == port && v[i].dport_mask == mask &&
		    v[i].proto == IPPROTO_TCP)
			return true;
	return false;
}

TEST_F(one, ranges_split_into_prefixes_and_read_back)
{
	struct env *e = &self->e;
	static struct fb b;
	FWPM_FILTER0 *f = NULL;
	FWP_RANGE0 *r;
	UINT64 ia, ip, ibig = 0;
	struct xp v[8];

	/* 10.0.0.1 - 10.0.0.6: .1/32, .2/31, .4/31, .6/32. */
	fb_init(&b, K_BLOCK, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	fb_addr_range(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.0.0.1",
		      "10.0.0.6");
	ASSERT_EQ(fb_add(e->h, &b, &ia), ERROR_SUCCESS);
	EXPECT_EQ(filter_nr_policies(e->fd, ia), 4);
	ASSERT_EQ(sp_dir(XFRM_POLICY_OUT, v, 8), 4);
	EXPECT_TRUE(has_prefix(v, 4, true, "10.0.0.1", 32));
	EXPECT_TRUE(has_prefix(v, 4, true, "10.0.0.2", 31));
	EXPECT_TRUE(has_prefix(v, 4, true, "10.0.0.4", 31));
	EXPECT_TRUE(has_prefix(v, 4, true, "10.0.0.6", 32));
	ASSERT_EQ(FwpmFilterGetById0(e->h, ia, &f), ERROR_SUCCESS);
	ASSERT_EQ(f->numFilterConditions, 1);
	EXPECT_EQ(f->filterCondition[0].matchType, FWP_MATCH_RANGE);
	ASSERT_EQ(f->filterCondition[0].conditionValue.type, FWP_RANGE_TYPE);
	r = f->filterCondition[0].conditionValue.rangeValue;
	ASSERT_NE(r, NULL);
	EXPECT_EQ(r->valueLow.type, FWP_UINT32);
	EXPECT_EQ(r->valueLow.uint32, 0x0a000001);
	EXPECT_EQ(r->valueHigh.type, FWP_UINT32);
	EXPECT_EQ(r->valueHigh.uint32, 0x0a000006);
	FwpmFreeMemory0((void **)&f);

	/* TCP local ports 1001 - 1006, inbound: the destination port. */
	fb_init(&b, K_PERMIT, &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	fb_proto(&b, IPPROTO_TCP);
	fb_port_range(&b, &FWPM_CONDITION_IP_LOCAL_PORT, 1001, 1006);
	ASSERT_EQ(fb_add(e->h, &b, &ip), ERROR_SUCCESS);
	EXPECT_EQ(filter_nr_policies(e->fd, ip), 4);
	ASSERT_EQ(sp_dir(XFRM_POLICY_IN, v, 8), 4);
	EXPECT_TRUE(has_dport(v, 4, 1001, 0xffff));
	EXPECT_TRUE(has_dport(v, 4, 1002, 0xfffe));
	EXPECT_TRUE(has_dport(v, 4, 1004, 0xfffe));
	EXPECT_TRUE(has_dport(v, 4, 1006, 0xffff));
	ASSERT_EQ(FwpmFilterGetById0(e->h, ip, &f), ERROR_SUCCESS);
	ASSERT_EQ(f->numFilterConditions, 2);
	EXPECT_EQ(f->filterCondition[0].conditionValue.type, FWP_UINT8);
	EXPECT_EQ(f->filterCondition[0].conditionValue.uint8, IPPROTO_TCP);
	ASSERT_EQ(f->filterCondition[1].conditionValue.type, FWP_RANGE_TYPE);
	r = f->filterCondition[1].conditionValue.rangeValue;
	EXPECT_EQ(r->valueLow.type, FWP_UINT16);
	EXPECT_EQ(r->valueLow.uint16, 1001);
	EXPECT_EQ(r->valueHigh.uint16, 1006);
	FwpmFreeMemory0((void **)&f);

	/* 14 address prefixes times 30 port prefixes: beyond the bound. */
	fb_init(&b, K_NEW, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	fb_addr_range(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.0.1.1",
		      "10.0.1.254");
	fb_proto(&b, IPPROTO_TCP);
	fb_port_range(&b, &FWPM_CONDITION_IP_REMOTE_PORT, 1, 65534);
	EXPECT_EQ(fb_add(e->h, &b, &ibig), FWP_E_OUT_OF_BOUNDS);
	EXPECT_EQ(sp_count(-1), 8);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 2);
}

/* A mask is returned as a mask, IPv6 bytes as given (network order). */
TEST_F(one, conditions_read_back_as_added)
{
	struct env *e = &self->e;
	static struct fb b;
	FWPM_FILTER0 *f = NULL;
	FWP_CONDITION_VALUE0 *c;
	UINT8 a[16];
	UINT64 id;

	fb_init(&b, K_BLOCK, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
		FWP_ACTION_BLOCK, NULL);
	fb_addr(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, "fd00:9::1", 128);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "fd00:8::", 64);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);
	ASSERT_EQ(FwpmFilterGetByKey0(e->h, &b.f.filterKey, &f),
		  ERROR_SUCCESS);
	EXPECT_EQ(f->filterId, id);
	EXPECT_EQ(wcscmp(f->displayData.name, b.f.displayData.name), 0);
	EXPECT_EQ(memcmp(&f->layerKey, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
			 sizeof(GUID)), 0);
	EXPECT_EQ(f->action.type, FWP_ACTION_BLOCK);
	ASSERT_EQ(f->numFilterConditions, 2);
	c = &f->filterCondition[0].conditionValue;
	ASSERT_EQ(c->type, FWP_BYTE_ARRAY16_TYPE);
	wfp_addr_bytes("fd00:9::1", a);
	EXPECT_EQ(memcmp(c->byteArray16->byteArray16, a, 16), 0);
	c = &f->filterCondition[1].conditionValue;
	ASSERT_EQ(c->type, FWP_V6_ADDR_MASK);
	wfp_addr_bytes("fd00:8::", a);
	EXPECT_EQ(memcmp(c->v6AddrMask->addr, a, 16), 0);
	EXPECT_EQ(c->v6AddrMask->prefixLength, 64);
	EXPECT_EQ(f->effectiveWeight.type, FWP_UINT64);
	FwpmFreeMemory0((void **)&f);
	EXPECT_EQ(f, NULL);
}

/* The ALE layers have no xfrm counterpart: recorded and returned only. */
TEST_F(one, ale_filters_recorded_without_policies)
{
	struct env *e = &self->e;
	static struct fb b;
	FWPM_FILTER0 *f = NULL;
	UINT64 ic, ia;

	fb_init(&b, K_OUT, &FWPM_LAYER_ALE_AUTH_CONNECT_V4,
		FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.4.0.0", 16);
	ASSERT_EQ(fb_add(e->h, &b, &ic), ERROR_SUCCESS);
	fb_init(&b, K_IN, &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6,
		FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6);
	ASSERT_EQ(fb_add(e->h, &b, &ia), ERROR_SUCCESS);
	EXPECT_EQ(filter_nr_policies(e->fd, ic), 0);
	EXPECT_EQ(filter_nr_policies(e->fd, ia), 0);
	EXPECT_EQ(filter_reqid(e->fd, ic), 0);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 2);
	ASSERT_EQ(FwpmFilterGetById0(e->h, ic, &f), ERROR_SUCCESS);
	EXPECT_EQ(memcmp(&f->layerKey, &FWPM_LAYER_ALE_AUTH_CONNECT_V4,
			 sizeof(GUID)), 0);
	EXPECT_EQ(f->action.type, FWP_ACTION_CALLOUT_TERMINATING);
	EXPECT_EQ(memcmp(&f->action.calloutKey,
			 &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4, sizeof(GUID)), 0);
	EXPECT_EQ(f->numFilterConditions, 1);
	FwpmFreeMemory0((void **)&f);
}

/* ICMP type and code are xfrm's source and destination "ports", inbound too. */
TEST_F(one, icmp_type_and_code_in_selector)
{
	struct env *e = &self->e;
	static struct fb b;
	struct xp v[2];
	UINT64 id;

	fb_init(&b, K_BLOCK, &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	fb_proto(&b, IPPROTO_ICMP);
	fb_port(&b, &FWPM_CONDITION_ICMP_TYPE, 8);
	fb_port(&b, &FWPM_CONDITION_ICMP_CODE, 0);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);
	ASSERT_EQ(sp_dir(XFRM_POLICY_IN, v, 2), 1);
	EXPECT_EQ(v[0].proto, IPPROTO_ICMP);
	EXPECT_EQ(v[0].sport, 8);
	EXPECT_EQ(v[0].sport_mask, 0xffff);
	EXPECT_EQ(v[0].dport, 0);
	EXPECT_EQ(v[0].dport_mask, 0xffff);
	EXPECT_EQ(v[0].action, XFRM_POLICY_BLOCK);
}

/* Up to 10 s for another plane's removal to reach the filter. */
static bool wait_filter_gone(HANDLE h, UINT64 id)
{
	FWPM_FILTER0 *f = NULL;
	int i;

	for (i = 0; i < 100; i++) {
		if (FwpmFilterGetById0(h, id, &f) == FWP_E_FILTER_NOT_FOUND)
			return true;
		FwpmFreeMemory0((void **)&f);
		usleep(100000);
	}
	return false;
}

static bool ctx_gone(HANDLE h, UINT64 id)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	DWORD rc = IPsecSaContextGetById1(h, id, &c);

	FwpmFreeMemory0((void **)&c);
	return rc == FWP_E_NOT_FOUND;
}

TEST_F(one, policy_flush_deletes_filters_and_bound_context)
{
	struct env *e = &self->e;
	struct keyed k;

	key_a(_metadata, e, -1, &k);
	ASSERT_EQ(sp_count(-1), 2);
	ASSERT_EQ(sh("ip xfrm policy flush"), 0);
	EXPECT_TRUE(wait_filter_gone(e->h, k.fo));
	EXPECT_TRUE(wait_filter_gone(e->h, k.fi));
	EXPECT_TRUE(ctx_gone(e->h, k.ctx));
	env_forget(e, k.ctx);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 0);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(sa_count_spi(-1), 0);
}

/*
 * `ip xfrm policy delete` of one filter's policy (out: the outbound
 * filter's, else its inbound twin's): that filter goes, and with its
 * group lost the bound context; the other filter stays, alone.
 */
static void policy_delete(struct __test_metadata *_metadata, struct env *e,
			  bool out)
{
	FWPM_FILTER0 *f = NULL;
	struct keyed k;

	key_a(_metadata, e, -1, &k);
	ASSERT_EQ(sh("ip xfrm policy delete dir %s src %s/32 dst %s/32",
		     out ? "out" : "in", out ? e->a_sel : e->b_sel,
		     out ? e->b_sel : e->a_sel), 0);
	EXPECT_TRUE(wait_filter_gone(e->h, out ? k.fo : k.fi));
	EXPECT_TRUE(ctx_gone(e->h, k.ctx));
	env_forget(e, k.ctx);
	EXPECT_EQ(sa_count_spi(-1), 0);
	ASSERT_EQ(FwpmFilterGetById0(e->h, out ? k.fi : k.fo, &f),
		  ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&f);
	EXPECT_EQ(sp_count(-1), 1);
	EXPECT_EQ(FwpmFilterDeleteById0(e->h, out ? k.fi : k.fo),
		  ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);
}

TEST_F(one, policy_delete_deletes_its_filter_and_bound_context)
{
	policy_delete(_metadata, &self->e, true);
}

TEST_F(one, policy_delete_of_inbound_twin_deletes_bound_context)
{
	policy_delete(_metadata, &self->e, false);
}

TEST_F(one, delete_refused_while_context_bound)
{
	struct env *e = &self->e;
	GUID ko = tkey(K_OUT), ki = tkey(K_IN), kp = tkey(K_PROV);
	struct keyed k;

	key_a(_metadata, e, -1, &k);
	EXPECT_EQ(FwpmFilterDeleteById0(e->h, k.fo), FWP_E_IN_USE);
	EXPECT_EQ(FwpmFilterDeleteByKey0(e->h, &ko), FWP_E_IN_USE);
	EXPECT_EQ(wfp_obj_delete(e->fd, FLT, NULL, k.fo), -EBUSY);
	/* The inbound twin is of the group the context is bound to. */
	EXPECT_EQ(FwpmFilterDeleteById0(e->h, k.fi), FWP_E_IN_USE);
	EXPECT_EQ(FwpmFilterDeleteByKey0(e->h, &ki), FWP_E_IN_USE);
	EXPECT_EQ(FwpmProviderDeleteByKey0(e->h, &kp), FWP_E_IN_USE);
	EXPECT_EQ(sp_count(-1), 2);
	EXPECT_EQ(sa_count_spi(-1), 2);
	EXPECT_EQ(ctx_state(e->fd, k.ctx), ST_COMPLETE);

	ASSERT_EQ(IPsecSaContextDeleteById0(e->h, k.ctx), ERROR_SUCCESS);
	env_forget(e, k.ctx);
	EXPECT_EQ(FwpmFilterDeleteById0(e->h, k.fo), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 1);
	EXPECT_EQ(FwpmFilterDeleteByKey0(e->h, &ki), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(FwpmProviderDeleteByKey0(e->h, &kp), ERROR_SUCCESS);
}

/* A tunnel filter in sublayer K_SUB with provider context K_PCTX. */
TEST_F(one, referenced_objects_in_use)
{
	struct env *e = &self->e;
	GUID kp = tkey(K_PROV), ks = tkey(K_SUB), kc = tkey(K_PCTX);
	static struct fb b;
	UINT64 id, pc;

	ASSERT_EQ(provider_add(e->h, K_PROV), ERROR_SUCCESS);
	ASSERT_EQ(sublayer_add_key(e->h, ks, NULL, 0x100), ERROR_SUCCESS);
	ASSERT_EQ(tunnel_pctx_add(e->h, K_PCTX, A1, B1, &pc), ERROR_SUCCESS);
	fb_init(&b, K_OUT, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4);
	fb_provider(&b, K_PROV);
	b.f.subLayerKey = ks;
	fb_pctx(&b, K_PCTX);
	fb_addr(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, "10.2.1.0", 24);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.2.2.0", 24);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);

	EXPECT_EQ(FwpmProviderDeleteByKey0(e->h, &kp), FWP_E_IN_USE);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(e->h, &ks), FWP_E_IN_USE);
	EXPECT_EQ(FwpmProviderContextDeleteByKey0(e->h, &kc), FWP_E_IN_USE);
	EXPECT_EQ(FwpmProviderContextDeleteById0(e->h, pc), FWP_E_IN_USE);
	EXPECT_EQ(sp_count(-1), 1);

	ASSERT_EQ(FwpmFilterDeleteByKey0(e->h, &b.f.filterKey), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(FwpmProviderContextDeleteByKey0(e->h, &kc), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(e->h, &ks), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(e->h, &kp), ERROR_SUCCESS);
}

/*
 * A transport context may name only an outbound IPsec callout filter
 * whose selectors take its traffic, a tunnel context only a QM tunnel
 * provider context of its endpoints; a deleted filter's id is not found,
 * one never issued is the Linux extension (policies of its own).
 */
TEST_F(one, context_naming_wrong_filter_refused)
{
	struct env *e = &self->e;
	IPSEC_TRAFFIC1 t;
	UINT64 block, pc, id = 0;
	struct keyed k;
	long n0;

	key_a(_metadata, e, -1, &k);
	ASSERT_EQ(block_add(e->h, K_BLOCK, 0, "10.7.0.0", 16, &block),
		  ERROR_SUCCESS);
	n0 = ctx_count(e->fd);
	/* The outbound filter's selector does not take this traffic. */
	wfp_traffic_set(&t, false, A1, "10.7.0.1");
	t.ipsecFilterId = k.fo;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_INVALID_PARAMETER);
	t.ipsecFilterId = block;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_INVALID_PARAMETER);
	t.ipsecFilterId = k.fi;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_INVALID_PARAMETER);
	/* A tunnel's endpoints must be its provider context's. */
	ASSERT_EQ(tunnel_pctx_add(e->h, K_PCTX, A1, B1, &pc), ERROR_SUCCESS);
	wfp_traffic_set(&t, true, A1, "10.7.0.1");
	t.tunnelPolicyId = pc;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_INVALID_PARAMETER);
	/* A filter since deleted: never silently unbound. */
	ASSERT_EQ(FwpmFilterDeleteById0(e->h, block), ERROR_SUCCESS);
	wfp_traffic_set(&t, false, A1, "10.7.0.1");
	t.ipsecFilterId = block;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_NOT_FOUND);
	EXPECT_EQ(ctx_count(e->fd), n0);
	EXPECT_EQ(sp_count(-1), 2);
	/* An id the namespace never issued: a context of its own. */
	t.ipsecFilterId = block + 1000;
	ASSERT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  ERROR_SUCCESS);
	ASSERT_EQ(env_keep(e, id), 0);
	EXPECT_EQ(ctx_count(e->fd), n0 + 1);
}

TEST_F(one, unknown_filter_not_found)
{
	struct env *e = &self->e;
	GUID kn = tkey(K_UNKNOWN);
	FWPM_FILTER0 *f = NULL;
	static struct fget g;

	EXPECT_EQ(FwpmFilterGetById0(e->h, 0x7777, &f), FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(FwpmFilterGetByKey0(e->h, &kn, &f), FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(f, NULL);
	EXPECT_EQ(FwpmFilterDeleteById0(e->h, 0x7777), FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(FwpmFilterDeleteByKey0(e->h, &kn), FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(raw_fget(e->fd, 0x7777, &g), -ENOENT);
	EXPECT_EQ(wfp_obj_delete(e->fd, FLT, NULL, 0x7777), -ENOENT);
	EXPECT_EQ(FwpmFilterGetById0(e->h, 0x7777, NULL), FWP_E_NULL_POINTER);
}

/* The filters' templates are ESP: a bound context cannot key AH. */
TEST_F(one, bound_context_ah_not_supported)
{
	struct env *e = &self->e;
	struct keyed k;
	struct sab s;
	DWORD rc;

	key_a_bind(_metadata, e, -1, &k);
	sab_init(&s, &ALG_AH_SHA256, k.spi_in, SEED, DIR_IN,
		 FWP_IP_VERSION_V4);
	rc = IPsecSaContextAddInbound1(e->h, k.ctx, &s.b);
	if (!rc) {
		sab_init(&s, &ALG_AH_SHA256, SPI_OUT, SEED, DIR_OUT,
			 FWP_IP_VERSION_V4);
		rc = IPsecSaContextAddOutbound1(e->h, k.ctx, &s.b);
	}
	EXPECT_EQ(rc, ERROR_NOT_SUPPORTED) TH_LOG("got %s", code_name(rc));
	EXPECT_NE(ctx_state(e->fd, k.ctx), ST_COMPLETE);
	EXPECT_EQ(sp_count(-1), 2);
	EXPECT_EQ(sa_find(-1, SPI_OUT, IPPROTO_AH, NULL), 0);
}

/* FILTER_GET: by key or by id, the room it needs, what it refuses. */
TEST_F(one, raw_get_room_and_names)
{
	struct env *e = &self->e;
	const __u32 max = WFP_IPSEC_FILTER_COND_MAX;
	static struct fget g;
	static struct fb b;
	GUID *key = &b.f.filterKey;
	UINT64 id;

	fb_init(&b, K_BLOCK, &FWPM_LAYER_INBOUND_TRANSPORT_V4,
		FWP_ACTION_BLOCK, NULL);
	fb_proto(&b, IPPROTO_UDP);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.3.0.0", 16);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);
	ASSERT_EQ(raw_fget(e->fd, id, &g), 0);
	EXPECT_EQ(memcmp(g.f.key, key, sizeof(GUID)), 0);
	EXPECT_EQ(g.f.layer, WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4);
	EXPECT_EQ(g.f.action, WFP_IPSEC_ACTION_BLOCK);
	EXPECT_EQ(g.f.nr_policies, 1);
	ASSERT_EQ(g.f.num_conds, 2);
	/* A mask as the lowest and highest address of its prefix. */
	EXPECT_EQ(g.c[1].field, WFP_IPSEC_FIELD_REMOTE_ADDR);
	EXPECT_EQ(g.c[1].value_type, FWP_V4_ADDR_MASK);
	EXPECT_EQ(memcmp(g.c[1].lo, "\x0a\x03\x00\x00", 4), 0);
	EXPECT_EQ(memcmp(g.c[1].hi, "\x0a\x03\xff\xff", 4), 0);

	/* By key, the id zero; not by both. */
	fget_req(&g, key, 0, max, sizeof(g.name));
	ASSERT_EQ(fget_ioctl(e->fd, &g), 0);
	EXPECT_EQ(g.f.id, id);
	fget_req(&g, key, id, max, sizeof(g.name));
	EXPECT_EQ(fget_ioctl(e->fd, &g), -EINVAL);
	/* Output fields and reserved ones must come zero. */
	fget_req(&g, NULL, id, max, sizeof(g.name));
	g.f.reserved[1] = 1;
	EXPECT_EQ(fget_ioctl(e->fd, &g), -EINVAL);
	fget_req(&g, NULL, id, max, sizeof(g.name));
	g.f.nr_policies = 1;
	EXPECT_EQ(fget_ioctl(e->fd, &g), -EINVAL);
	fget_req(&g, NULL, id, max + 1, sizeof(g.name));
	EXPECT_EQ(fget_ioctl(e->fd, &g), -EINVAL);
	/* Too little room for the conditions or the name. */
	fget_req(&g, NULL, id, 1, sizeof(g.name));
	EXPECT_EQ(fget_ioctl(e->fd, &g), -ERANGE);
	fget_req(&g, NULL, id, 2, 1);
	EXPECT_EQ(fget_ioctl(e->fd, &g), -ERANGE);
	fget_req(&g, NULL, id, 2, sizeof(g.name));
	EXPECT_EQ(fget_ioctl(e->fd, &g), 0);
	EXPECT_EQ(g.f.num_conds, 2);
}

static bool filter_decoded(const FWPM_FILTER0 *f)
{
	return f->filterId && f->displayData.name;
}

/* Filters counted by a library enumeration with template t; -1 on error. */
WFP_LIB_COUNT(lib_count, Filter, FWPM_FILTER, 100, filter_decoded)

TEST_F(one, enum_templates)
{
	struct env *e = &self->e;
	GUID kp = tkey(K_PROV), kp2 = tkey(K_PROV2), ku = tkey(K_UNKNOWN);
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 pt;
	FWPM_FILTER_ENUM_TEMPLATE0 t;
	FWPM_FILTER_CONDITION0 c;
	static struct fb b;
	HANDLE eh = NULL;
	struct keyed k;
	UINT64 id;

	ASSERT_EQ(lib_count(e->h, NULL), 0);
	/* Two callout filters of K_PROV (key_a), two blocks, one K_PROV2. */
	key_a(_metadata, e, -1, &k);
	ASSERT_EQ(provider_add(e->h, K_PROV2), ERROR_SUCCESS);
	ASSERT_EQ(block_add(e->h, K_BLOCK, K_PROV2, "10.6.0.1", 32, &id),
		  ERROR_SUCCESS);
	fb_init(&b, K_NEW, &FWPM_LAYER_IPFORWARD_V4, FWP_ACTION_BLOCK, NULL);
	fb_addr(&b, &FWPM_CONDITION_IP_DESTINATION_ADDRESS, "10.6.0.2", 32);
	ASSERT_EQ(fb_add(e->h, &b, &id), ERROR_SUCCESS);
	EXPECT_EQ(lib_count(e->h, NULL), 4);

	memset(&t, 0, sizeof(t));
	t.actionMask = 0xFFFFFFFF;
	EXPECT_EQ(lib_count(e->h, &t), 4);
	t.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	EXPECT_EQ(lib_count(e->h, &t), 2);
	t.providerKey = &kp;
	EXPECT_EQ(lib_count(e->h, &t), 1);
	t.providerKey = &kp2;
	EXPECT_EQ(lib_count(e->h, &t), 1);
	t.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	EXPECT_EQ(lib_count(e->h, &t), 0);
	t.providerKey = &kp;
	EXPECT_EQ(lib_count(e->h, &t), 1);
	memset(&t.layerKey, 0, sizeof(t.layerKey));
	EXPECT_EQ(lib_count(e->h, &t), 2);
	/* Callout filters of one callout. */
	t.providerKey = NULL;
	t.actionMask = FWP_ACTION_FLAG_CALLOUT;
	t.calloutKey = (GUID *)&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	EXPECT_EQ(lib_count(e->h, &t), 1);
	t.calloutKey = (GUID *)&FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4;
	EXPECT_EQ(lib_count(e->h, &t), 0);
	t.calloutKey = &ku;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  FWP_E_CALLOUT_NOT_FOUND);
	t.calloutKey = NULL;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  FWP_E_NULL_POINTER);

	/* What the engine cannot honour is refused, not ignored. */
	memset(&t, 0, sizeof(t));
	t.actionMask = 0xFFFFFFFF;
	t.enumType = FWP_FILTER_ENUM_TYPE_MAX;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  FWP_E_INVALID_ENUMERATOR);
	t.enumType = FWP_FILTER_ENUM_OVERLAPPING;
	t.layerKey = ku;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  FWP_E_LAYER_NOT_FOUND);
	memset(&t.layerKey, 0, sizeof(t.layerKey));
	memset(&c, 0, sizeof(c));
	t.numFilterConditions = 1;
	t.filterCondition = &c;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  ERROR_NOT_SUPPORTED);
	t.numFilterConditions = 0;
	t.filterCondition = NULL;
	memset(&pt, 0, sizeof(pt));
	t.providerContextTemplate = &pt;
	EXPECT_EQ(FwpmFilterCreateEnumHandle0(e->h, &t, &eh),
		  ERROR_NOT_SUPPORTED);
	EXPECT_EQ(eh, NULL);
}

/* In a new namespace: the parent's filter, by id or key, is not there. */
static int foreign_ns(void *arg)
{
	UINT64 id = *(UINT64 *)arg;
	GUID key = tkey(K_BLOCK);
	FWPM_FILTER0 *f = NULL;
	HANDLE h = NULL;
	int fd = -1;

	if (unshare(CLONE_NEWNET))
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ||
	    WfpIpsecEngineGetFd(h, &fd))
		return 101;
	if (FwpmFilterGetById0(h, id, &f) != FWP_E_FILTER_NOT_FOUND ||
	    FwpmFilterGetByKey0(h, &key, &f) != FWP_E_FILTER_NOT_FOUND)
		return 1;
	if (FwpmFilterDeleteById0(h, id) != FWP_E_FILTER_NOT_FOUND ||
	    FwpmFilterDeleteByKey0(h, &key) != FWP_E_FILTER_NOT_FOUND)
		return 2;
	if (lib_count(h, NULL) != 0 || wfp_obj_count(fd, FLT) != 0)
		return 3;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(one, foreign_namespace_invisible)
{
	struct env *e = &self->e;
	UINT64 id;

	ASSERT_EQ(block_add(e->h, K_BLOCK, 0, "10.5.0.1", 32, &id),
		  ERROR_SUCCESS);
	EXPECT_EQ(run_in_child(foreign_ns, &id), 0);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 1);
	EXPECT_EQ(sp_count(-1), 1);
}

/*
 * Without CAP_NET_ADMIN, under a grant of READ and ENUM only: the
 * filter is readable, and nothing can be added or deleted.
 */
static int read_only(void *arg)
{
	UINT64 id = *(UINT64 *)arg;
	FWPM_FILTER0 *f = NULL;
	HANDLE h = NULL;
	UINT64 nid = 0;

	if (drop_cap_net_admin())
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 101;
	if (FwpmFilterGetById0(h, id, &f))
		return 1;
	FwpmFreeMemory0((void **)&f);
	if (lib_count(h, NULL) != 1)
		return 2;
	if (block_add(h, K_NEW, 0, "10.5.0.2", 32, &nid) !=
	    ERROR_ACCESS_DENIED || nid)
		return 3;
	if (FwpmFilterDeleteById0(h, id) != ERROR_ACCESS_DENIED)
		return 4;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(one, rights_read_only_cannot_add)
{
	struct env *e = &self->e;
	struct wfp_ipsec_rights r;
	UINT64 id;

	ASSERT_EQ(block_add(e->h, K_BLOCK, 0, "10.5.0.1", 32, &id),
		  ERROR_SUCCESS);
	/* This namespace only: the test's own. */
	wfp_one_grant(&r, WFP_IPSEC_GRANT_USER, geteuid(),
		      WFP_IPSEC_RIGHT_READ | WFP_IPSEC_RIGHT_ENUM);
	ASSERT_EQ(wfp_test_ioctl(e->fd, WFP_IPSEC_IOC_RIGHTS_SET, &r), 0);
	EXPECT_EQ(run_in_child(read_only, &id), 0);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 1);
	EXPECT_EQ(sp_count(-1), 1);
}

/*
 * A dynamic session's IPsec filter is in force while the session lives;
 * nothing static may name it or what it added (a static SA context
 * neither), and its close takes the filter's policies.  (The objects'
 * own dynamic rules: provider.c's obj.dynamic_*.)
 */
TEST_F(one, dynamic_filter_lifetimes)
{
	struct env *e = &self->e;
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	FWPM_FILTER0 *f = NULL;
	static struct fb b;
	IPSEC_TRAFFIC1 t;
	UINT64 fo, id = 0;

	ASSERT_NE(dyn, NULL);
	ASSERT_EQ(provider_add(e->h, K_PROV), ERROR_SUCCESS);
	/* Dynamic naming static: allowed, and in force. */
	fb_init(&b, K_OUT, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	fb_provider(&b, K_PROV);
	fb_addr(&b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, A1, 32);
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, B1, 32);
	ASSERT_EQ(fb_add(dyn, &b, &fo), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 1);
	/* A static context would outlive the filter it is bound to. */
	wfp_traffic_set(&t, false, A1, B1);
	t.ipsecFilterId = fo;
	EXPECT_EQ(IPsecSaContextCreate1(e->h, &t, NULL, NULL, &id),
		  FWP_E_LIFETIME_MISMATCH);
	EXPECT_EQ(ctx_count(e->fd), 0);
	/* A static filter naming the dynamic session's provider likewise. */
	ASSERT_EQ(provider_add(dyn, K_PROV2), ERROR_SUCCESS);
	EXPECT_EQ(block_add(e->h, K_BLOCK, K_PROV2, "10.5.0.1", 32, &id),
		  FWP_E_LIFETIME_MISMATCH);
	EXPECT_EQ(sp_count(-1), 1);
	/* The close takes the filter and its policy. */
	FwpmEngineClose0(dyn);
	EXPECT_EQ(FwpmFilterGetById0(e->h, fo, &f), FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(wfp_obj_count(e->fd, FLT), 0);
	EXPECT_EQ(sp_count(-1), 0);
}

TEST_F(one, feature_reported)
{
	EXPECT_NE(wfp_features(_metadata) & WFP_IPSEC_FEAT_FILTERS, 0);
}

/* ======================================== FwpmFilterAdd0's error paths */

/*
 * Each variant makes one thing wrong in an otherwise valid filter (an
 * outbound IPsec transport filter between two hosts) and expects its
 * code.  Around it the namespace holds a provider, a transport provider
 * context and a resident block filter; nothing of them may change.
 */
FIXTURE_VARIANT(lib) {
	void (*mut)(struct fb *b);
	DWORD code;
};

FLT_FIXTURE(lib, 0, true)

static void lib_base(struct fb *b)
{
	fb_init(b, K_NEW, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
		FWP_ACTION_CALLOUT_TERMINATING,
		&FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4);
	fb_addr(b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, "10.9.0.1", 32);
	fb_addr(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.9.0.2", 32);
}

static FWP_CONDITION_VALUE0 *val0(struct fb *b)
{
	return &b->c[0].conditionValue;
}

static void to_layer(struct fb *b, const GUID *layer, FWP_ACTION_TYPE a)
{
	b->f.layerKey = *layer;
	b->f.action.type = a;
	memset(&b->f.action.calloutKey, 0, sizeof(GUID));
}

/* The outbound tunnel callout, with provider context n (0: none). */
static void to_tunnel(struct fb *b, UINT8 pctx)
{
	b->f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4;
	if (pctx)
		fb_pctx(b, pctx);
}

/* The conditions replaced by one on the remote address. */
static void only_remote(struct fb *b, const char *addr, int plen)
{
	b->f.numFilterConditions = 0;
	fb_addr(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, addr, plen);
}

static void only_remote_range(struct fb *b, const char *lo, const char *hi)
{
	b->f.numFilterConditions = 0;
	fb_addr_range(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, lo, hi);
}

static void callout_dosp(struct fb *b)
{
	b->f.layerKey = FWPM_LAYER_IPFORWARD_V4;
	b->f.action.calloutKey = FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4;
	b->f.numFilterConditions = 0;
}

static void permit_if_block(struct fb *b)
{
	to_layer(b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, FWP_ACTION_BLOCK);
	b->f.flags = FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
}

static void weight64_null(struct fb *b)
{
	fb_weight64(b, 1);
	b->f.weight.uint64 = NULL;
}

static void weight_uint32(struct fb *b)
{
	b->f.weight.type = FWP_UINT32;
	b->f.weight.uint32 = 1;
}

static void conds_33(struct fb *b)
{
	while (b->f.numFilterConditions < WFP_IPSEC_FILTER_COND_MAX + 1)
		fb_addr(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, "10.9.1.1", 32);
}

static void range_end_type(struct fb *b)
{
	only_remote_range(b, "10.9.0.1", "10.9.0.9");
	b->r[0].valueLow.type = b->r[0].valueHigh.type = FWP_UINT16;
}

static void range_null(struct fb *b)
{
	only_remote_range(b, "10.9.0.9", "10.9.0.1");
	val0(b)->rangeValue = NULL;
}

static void port_range_reversed(struct fb *b)
{
	fb_proto(b, IPPROTO_TCP);
	fb_port_range(b, &FWPM_CONDITION_IP_REMOTE_PORT, 2000, 1000);
}

static void mask_holes(struct fb *b)
{
	only_remote(b, "10.9.0.0", 24);
	b->m4[0].mask = 0xff00ff00;
}

static void mask_null(struct fb *b)
{
	mask_holes(b);
	val0(b)->v4AddrMask = NULL;
}

static void v6_prefix_129(struct fb *b)
{
	to_layer(b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, FWP_ACTION_BLOCK);
	only_remote(b, "fd00:9::", 64);
	b->m6[0].prefixLength = 129;
}

static void v6_bytes_null(struct fb *b)
{
	to_layer(b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, FWP_ACTION_BLOCK);
	only_remote(b, "fd00:9::1", 128);
	val0(b)->byteArray16 = NULL;
}

static void port_uint32(struct fb *b)
{
	fb_port(b, &FWPM_CONDITION_IP_LOCAL_PORT, 500);
	b->c[2].conditionValue.type = FWP_UINT32;
}

static void proto_uint16(struct fb *b)
{
	fb_proto(b, IPPROTO_UDP);
	b->c[2].conditionValue.type = FWP_UINT16;
}

static void selector_in_use(struct fb *b)
{
	resident(b);
	b->f.filterKey = tkey(K_NEW);
}

static void too_many_selectors(struct fb *b)
{
	only_remote_range(b, "10.9.0.1", "10.9.0.254");
	fb_proto(b, IPPROTO_TCP);
	fb_port_range(b, &FWPM_CONDITION_IP_REMOTE_PORT, 1, 65534);
}

/* Variant name: change, one statement on lib_base()'s b, refused with c. */
#define LIB_BAD(name, c, change)					\
	static void lib_mut_##name(struct fb *b)			\
	{								\
		change;							\
	}								\
	FIXTURE_VARIANT_ADD(lib, name) { .mut = lib_mut_##name, .code = c }

LIB_BAD(layer_ikeext, FWP_E_LAYER_NOT_FOUND,
	b->f.layerKey = FWPM_LAYER_IKEEXT_V4);
LIB_BAD(layer_ipsec, FWP_E_LAYER_NOT_FOUND,
	b->f.layerKey = FWPM_LAYER_IPSEC_V4);
LIB_BAD(layer_unknown, FWP_E_LAYER_NOT_FOUND,
	b->f.layerKey = tkey(K_UNKNOWN));
LIB_BAD(callout_unknown, FWP_E_CALLOUT_NOT_FOUND,
	b->f.action.calloutKey = tkey(K_UNKNOWN));
LIB_BAD(callout_other_direction, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER,
	b->f.action.calloutKey = FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4);
LIB_BAD(callout_other_version, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER,
	b->f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6);
LIB_BAD(callout_ale_at_transport, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER,
	b->f.action.calloutKey = FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4);
LIB_BAD(callout_dosp_forward, ERROR_NOT_SUPPORTED, callout_dosp(b));
LIB_BAD(action_callout_inspection, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER,
	b->f.action.type = FWP_ACTION_CALLOUT_INSPECTION);
LIB_BAD(action_callout_unknown, FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER,
	b->f.action.type = FWP_ACTION_CALLOUT_UNKNOWN);
LIB_BAD(action_continue, FWP_E_INVALID_ACTION_TYPE,
	b->f.action.type = FWP_ACTION_CONTINUE);
LIB_BAD(action_junk, FWP_E_INVALID_ACTION_TYPE, b->f.action.type = 0x99);
LIB_BAD(flag_boottime, ERROR_NOT_SUPPORTED,
	b->f.flags = FWPM_FILTER_FLAG_BOOTTIME);
LIB_BAD(flag_boottime_persistent, FWP_E_INVALID_FLAGS,
	b->f.flags = FWPM_FILTER_FLAG_BOOTTIME | FWPM_FILTER_FLAG_PERSISTENT);
LIB_BAD(flag_disabled, FWP_E_INVALID_FLAGS,
	b->f.flags = FWPM_FILTER_FLAG_DISABLED);
LIB_BAD(flag_unknown, FWP_E_INVALID_FLAGS, b->f.flags = 0x80000000);
LIB_BAD(flag_permit_if_unregistered_block, FWP_E_INVALID_FLAGS,
	permit_if_block(b));
LIB_BAD(weight_uint8_16, FWP_E_INVALID_WEIGHT, fb_weight8(b, 16));
LIB_BAD(weight_uint64_null, FWP_E_NULL_POINTER, weight64_null(b));
LIB_BAD(weight_uint32, FWP_E_INVALID_WEIGHT, weight_uint32(b));
LIB_BAD(conditions_33, FWP_E_OUT_OF_BOUNDS, conds_33(b));
LIB_BAD(conditions_null, FWP_E_NULL_POINTER, b->f.filterCondition = NULL);
LIB_BAD(field_unknown, FWP_E_CONDITION_NOT_FOUND,
	b->c[0].fieldKey = tkey(K_UNKNOWN));
LIB_BAD(field_ale_app_id, FWP_E_CONDITION_NOT_FOUND,
	b->c[0].fieldKey = FWPM_CONDITION_ALE_APP_ID);
LIB_BAD(field_source_at_transport, FWP_E_CONDITION_NOT_FOUND,
	b->c[0].fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS);
LIB_BAD(field_local_at_ipforward, FWP_E_CONDITION_NOT_FOUND,
	to_layer(b, &FWPM_LAYER_IPFORWARD_V4, FWP_ACTION_BLOCK));
LIB_BAD(match_greater, FWP_E_MATCH_TYPE_MISMATCH,
	b->c[0].matchType = FWP_MATCH_GREATER);
LIB_BAD(match_type_max, FWP_E_INVALID_ENUMERATOR,
	b->c[0].matchType = FWP_MATCH_TYPE_MAX);
LIB_BAD(match_range_plain_value, FWP_E_MATCH_TYPE_MISMATCH,
	b->c[0].matchType = FWP_MATCH_RANGE);
LIB_BAD(range_ends_wrong_type, FWP_E_TYPE_MISMATCH, range_end_type(b));
LIB_BAD(range_high_below_low, FWP_E_INVALID_RANGE,
	only_remote_range(b, "10.9.0.9", "10.9.0.1"));
LIB_BAD(range_port_high_below_low, FWP_E_INVALID_RANGE,
	port_range_reversed(b));
LIB_BAD(range_null, FWP_E_NULL_POINTER, range_null(b));
LIB_BAD(v4_mask_not_contiguous, FWP_E_INVALID_NET_MASK, mask_holes(b));
LIB_BAD(v4_mask_null, FWP_E_NULL_POINTER, mask_null(b));
LIB_BAD(v6_prefix_129, FWP_E_INVALID_NET_MASK, v6_prefix_129(b));
LIB_BAD(v6_bytes_null, FWP_E_NULL_POINTER, v6_bytes_null(b));
LIB_BAD(v4_value_at_v6_layer, FWP_E_TYPE_MISMATCH,
	to_layer(b, &FWPM_LAYER_OUTBOUND_TRANSPORT_V6, FWP_ACTION_BLOCK));
LIB_BAD(v6_value_at_v4_layer, FWP_E_TYPE_MISMATCH,
	only_remote(b, "fd00:9::1", 128));
LIB_BAD(port_uint32, FWP_E_TYPE_MISMATCH, port_uint32(b));
LIB_BAD(protocol_uint16, FWP_E_TYPE_MISMATCH, proto_uint16(b));
LIB_BAD(protocol_0, FWP_E_INVALID_PARAMETER, fb_proto(b, 0));
LIB_BAD(name_null, FWP_E_NULL_DISPLAY_NAME, b->f.displayData.name = NULL);
LIB_BAD(reserved_set, FWP_E_RESERVED, b->f.reserved = &b->pk);
FIXTURE_VARIANT_ADD(lib, filter_null) { .code = FWP_E_NULL_POINTER };
LIB_BAD(provider_unknown, FWP_E_PROVIDER_NOT_FOUND,
	fb_provider(b, K_UNKNOWN));
LIB_BAD(sublayer_unknown, FWP_E_SUBLAYER_NOT_FOUND,
	b->f.subLayerKey = tkey(K_UNKNOWN));
LIB_BAD(provider_context_unknown, FWP_E_PROVIDER_CONTEXT_NOT_FOUND,
	to_tunnel(b, K_UNKNOWN));
LIB_BAD(provider_context_wrong_type, FWP_E_PROVIDER_CONTEXT_MISMATCH,
	to_tunnel(b, K_PCTX_T));
LIB_BAD(tunnel_without_provider_context,
	FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT, to_tunnel(b, 0));
LIB_BAD(key_in_use, FWP_E_ALREADY_EXISTS, b->f.filterKey = tkey(K_RES));
LIB_BAD(selector_in_use, FWP_E_ALREADY_EXISTS, selector_in_use(b));
LIB_BAD(too_many_selectors, FWP_E_OUT_OF_BOUNDS, too_many_selectors(b));

TEST_F(lib, refused_and_nothing_installed)
{
	static struct fb b;
	UINT64 id = 0;
	DWORD rc;

	lib_base(&b);
	if (variant->mut)
		variant->mut(&b);
	rc = FwpmFilterAdd0(self->e.h, variant->mut ? &b.f : NULL, NULL, &id);
	EXPECT_EQ(rc, variant->code) TH_LOG("got %s", code_name(rc));
	expect_unchanged(_metadata, self->e.fd, &self->xfrm);
	/* The base is valid: the refusal was for the variant's change. */
	lib_base(&b);
	EXPECT_EQ(FwpmFilterAdd0(self->e.h, &b.f, NULL, &id), ERROR_SUCCESS);
}

/* ============================================= FILTER_ADD's error paths */

/* A FILTER_ADD request and what it points to. */
struct raw {
	struct wfp_ipsec_filter f;
	struct wfp_ipsec_filter_cond c[WFP_IPSEC_FILTER_COND_MAX + 1];
	char name[8];
};

static void raw_cond(struct wfp_ipsec_filter_cond *c, __u16 field,
		     const char *addr)
{
	memset(c, 0, sizeof(*c));
	c->field = field;
	c->match = FWP_MATCH_EQUAL;
	c->value_type = FWP_UINT32;
	wfp_addr_bytes(addr, c->lo);
	wfp_addr_bytes(addr, c->hi);
}

/* An outbound block of 10.9.0.2, the key K_NEW. */
static void raw_base(struct raw *r)
{
	GUID k = tkey(K_NEW);

	memset(r, 0, sizeof(*r));
	memcpy(r->f.key, &k, sizeof(k));
	r->f.layer = WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4;
	r->f.action = WFP_IPSEC_ACTION_BLOCK;
	r->f.weight_type = WFP_IPSEC_WEIGHT_EMPTY;
	raw_cond(&r->c[0], WFP_IPSEC_FIELD_REMOTE_ADDR, "10.9.0.2");
	r->f.num_conds = 1;
	r->f.conds = (__u64)(uintptr_t)r->c;
	strcpy(r->name, "raw");
	r->f.name = (__u64)(uintptr_t)r->name;
	r->f.name_len = 3;
}

FIXTURE_VARIANT(raw) {
	void (*mut)(struct raw *r);
	int err;		/* -errno */
	bool dynamic;		/* K_PROV2, a dynamic session's provider */
};

FLT_FIXTURE(raw, 0, true)

static void r_key(__u8 *dst, UINT8 n)
{
	GUID k = tkey(n);

	memcpy(dst, &k, sizeof(k));
}

static void r_callout(struct raw *r, __u32 callout)
{
	r->f.action = WFP_IPSEC_ACTION_CALLOUT;
	r->f.callout = callout;
}

static void r_tunnel(struct raw *r)
{
	r_callout(r, WFP_IPSEC_CALLOUT_OUTBOUND_TUNNEL_V4);
}

/* The outbound tunnel callout with provider context n. */
static void r_pctx(struct raw *r, UINT8 n)
{
	r_tunnel(r);
	r->f.flags = WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;
	r_key(r->f.pctx_key, n);
}

static void r_provider(struct raw *r, UINT8 n)
{
	r_key(r->f.provider_key, n);
	r->f.has_provider = 1;
}

static void r_callout_dosp(struct raw *r)
{
	r->f.layer = WFP_IPSEC_LAYER_IPFORWARD_V4;
	r->f.num_conds = 0;
	r_callout(r, WFP_IPSEC_CALLOUT_DOSP_FORWARD_V4);
}

static void r_weight8_16(struct raw *r)
{
	r->f.weight_type = WFP_IPSEC_WEIGHT_UINT8;
	r->f.weight = 16;
}

static void r_lo_above_hi(struct raw *r)
{
	r->c[0].match = FWP_MATCH_RANGE;
	r->c[0].value_type = FWP_RANGE_TYPE;
	wfp_addr_bytes("10.9.0.9", r->c[0].lo);
}

static void r_mask_not_prefix(struct raw *r)
{
	r->c[0].value_type = FWP_V4_ADDR_MASK;
	wfp_addr_bytes("10.9.0.1", r->c[0].lo);
	wfp_addr_bytes("10.9.0.6", r->c[0].hi);
}

static void r_port_uint32(struct raw *r)
{
	r->c[0].field = WFP_IPSEC_FIELD_REMOTE_PORT;
	memset(r->c[0].lo, 0, 16);
	memset(r->c[0].hi, 0, 16);
	r->c[0].lo[1] = r->c[0].hi[1] = 80;
}

static void r_proto_0(struct raw *r)
{
	memset(&r->c[1], 0, sizeof(r->c[1]));
	r->c[1].field = WFP_IPSEC_FIELD_PROTOCOL;
	r->c[1].value_type = FWP_UINT8;
	r->f.num_conds = 2;
}

static void r_conds_33(struct raw *r)
{
	int i;

	for (i = 1; i <= WFP_IPSEC_FILTER_COND_MAX; i++)
		r->c[i] = r->c[0];
	r->f.num_conds = WFP_IPSEC_FILTER_COND_MAX + 1;
}

static void r_has_provider_2(struct raw *r)
{
	r_key(r->f.provider_key, K_PROV);
	r->f.has_provider = 2;
}

static void r_filter_type_on_callout(struct raw *r)
{
	r_callout(r, WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V4);
	r_key(r->f.filter_type, K_UNKNOWN);
}

static void r_pctx_key_without_flag(struct raw *r)
{
	r_tunnel(r);
	r_key(r->f.pctx_key, K_PCTX_T);
}

static void r_raw_context_with_pctx(struct raw *r)
{
	r_pctx(r, K_UNKNOWN);
	r->f.raw_context = 1;
}

static void r_selector_in_use(struct raw *r)
{
	r->f.layer = WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4;
	r->c[0].value_type = FWP_V4_ADDR_MASK;
	wfp_addr_bytes("10.8.0.0", r->c[0].lo);
	wfp_addr_bytes("10.8.0.255", r->c[0].hi);
}

static void r_too_many_selectors(struct raw *r)
{
	struct wfp_ipsec_filter_cond *c = &r->c[1];

	r->c[0].match = FWP_MATCH_RANGE;
	r->c[0].value_type = FWP_RANGE_TYPE;
	wfp_addr_bytes("10.9.0.1", r->c[0].lo);
	wfp_addr_bytes("10.9.0.254", r->c[0].hi);
	memset(c, 0, sizeof(*c));
	c->field = WFP_IPSEC_FIELD_REMOTE_PORT;
	c->match = FWP_MATCH_RANGE;
	c->value_type = FWP_RANGE_TYPE;
	c->lo[1] = 1;
	c->hi[0] = 0xff;
	c->hi[1] = 0xfe;
	r->f.num_conds = 2;
}

/* Variant name: change, one statement on raw_base()'s r, refused with e. */
#define RAW_BAD(name, e, change)					\
	static void raw_mut_##name(struct raw *r)			\
	{								\
		change;							\
	}								\
	FIXTURE_VARIANT_ADD(raw, name) { .mut = raw_mut_##name, .err = -(e) }

RAW_BAD(reserved_0, EINVAL, r->f.reserved[0] = 1);
RAW_BAD(reserved_1, EINVAL, r->f.reserved[1] = 1);
RAW_BAD(cond_reserved0, EINVAL, r->c[0].reserved0 = 1);
RAW_BAD(layer_0, EINVAL, r->f.layer = 0);
RAW_BAD(layer_past_max, EINVAL, r->f.layer = __WFP_IPSEC_LAYER_MAX + 1);
RAW_BAD(action_0, EINVAL, r->f.action = 0);
RAW_BAD(action_past_callout, EINVAL, r->f.action = 4);
RAW_BAD(callout_with_block, EINVAL,
	r->f.callout = WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V4);
RAW_BAD(callout_0, EINVAL, r_callout(r, 0));
RAW_BAD(callout_past_max, EINVAL,
	r_callout(r, __WFP_IPSEC_CALLOUT_MAX + 1));
RAW_BAD(callout_wrong_layer, EINVAL,
	r_callout(r, WFP_IPSEC_CALLOUT_INBOUND_TRANSPORT_V4));
RAW_BAD(callout_dosp_forward, EOPNOTSUPP, r_callout_dosp(r));
RAW_BAD(flag_boottime, EINVAL, r->f.flags = 1 << 1);
RAW_BAD(flag_disabled, EINVAL, r->f.flags = 1 << 5);
RAW_BAD(flag_bit_31, EINVAL, r->f.flags = 1U << 31);
RAW_BAD(flag_permit_if_unregistered_block, EINVAL,
	r->f.flags = WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED);
RAW_BAD(weight_type_2, EINVAL, r->f.weight_type = 2);
RAW_BAD(weight_uint8_16, EINVAL, r_weight8_16(r));
RAW_BAD(weight_empty_nonzero, EINVAL, r->f.weight = 5);
RAW_BAD(cond_lo_above_hi, EINVAL, r_lo_above_hi(r));
RAW_BAD(cond_equal_hi_differs, EINVAL,
	wfp_addr_bytes("10.9.0.9", r->c[0].hi));
RAW_BAD(cond_mask_not_prefix, EINVAL, r_mask_not_prefix(r));
RAW_BAD(cond_v4_tail_set, EINVAL, r->c[0].lo[4] = r->c[0].hi[4] = 1);
RAW_BAD(field_source_at_transport, EINVAL,
	r->c[0].field = WFP_IPSEC_FIELD_SOURCE_ADDR);
RAW_BAD(field_remote_at_ipforward, EINVAL,
	r->f.layer = WFP_IPSEC_LAYER_IPFORWARD_V4);
RAW_BAD(field_0, EINVAL, r->c[0].field = 0);
RAW_BAD(field_past_max, EINVAL, r->c[0].field = __WFP_IPSEC_FIELD_MAX + 1);
RAW_BAD(match_greater, EINVAL, r->c[0].match = FWP_MATCH_GREATER);
RAW_BAD(port_as_uint32, EINVAL, r_port_uint32(r));
RAW_BAD(v6_type_at_v4_layer, EINVAL,
	r->c[0].value_type = FWP_BYTE_ARRAY16_TYPE);
RAW_BAD(protocol_0, EINVAL, r_proto_0(r));
RAW_BAD(conds_33, EINVAL, r_conds_33(r));
RAW_BAD(conds_fault, EFAULT, r->f.conds = 1);
RAW_BAD(name_empty, EINVAL, r->f.name_len = 0);
RAW_BAD(has_provider_2, EINVAL, r_has_provider_2(r));
RAW_BAD(provider_key_without_has_provider, EINVAL,
	r_key(r->f.provider_key, K_PROV));
RAW_BAD(filter_type_on_callout, EINVAL, r_filter_type_on_callout(r));
RAW_BAD(pctx_key_without_flag, EINVAL, r_pctx_key_without_flag(r));
RAW_BAD(raw_context_with_pctx, EINVAL, r_raw_context_with_pctx(r));
RAW_BAD(selector_in_use, EADDRINUSE, r_selector_in_use(r));
RAW_BAD(key_in_use, EEXIST, r_key(r->f.key, K_RES));
RAW_BAD(pctx_unknown, ENOKEY, r_pctx(r, K_UNKNOWN));
RAW_BAD(sublayer_unknown, ENODEV, r_key(r->f.sublayer_key, K_UNKNOWN));
RAW_BAD(provider_unknown, ENXIO, r_provider(r, K_UNKNOWN));
RAW_BAD(too_many_selectors, E2BIG, r_too_many_selectors(r));
RAW_BAD(pctx_wrong_type, EPROTOTYPE, r_pctx(r, K_PCTX_T));
RAW_BAD(tunnel_without_pctx, EDESTADDRREQ, r_tunnel(r));
static void r_provider_dynamic(struct raw *r)
{
	r_provider(r, K_PROV2);
}

FIXTURE_VARIANT_ADD(raw, provider_of_dynamic_session) {
	.mut = r_provider_dynamic, .err = -EXDEV, .dynamic = true };

TEST_F(raw, refused_and_nothing_installed)
{
	struct env *e = &self->e;
	static struct raw r;
	HANDLE dyn = NULL;

	if (variant->dynamic) {
		dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
		ASSERT_NE(dyn, NULL);
		ASSERT_EQ(provider_add(dyn, K_PROV2), ERROR_SUCCESS);
	}
	raw_base(&r);
	variant->mut(&r);
	EXPECT_EQ(wfp_test_ioctl(e->fd, WFP_IPSEC_IOC_FILTER_ADD, &r.f),
		  variant->err);
	if (dyn)
		FwpmEngineClose0(dyn);
	expect_unchanged(_metadata, e->fd, &self->xfrm);
	/* The base is valid: the refusal was for the variant's change. */
	raw_base(&r);
	EXPECT_EQ(wfp_test_ioctl(e->fd, WFP_IPSEC_IOC_FILTER_ADD, &r.f), 0);
	EXPECT_EQ(r.f.nr_policies, 1);
}

TEST_HARNESS_MAIN
