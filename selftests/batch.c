// SPDX-License-Identifier: GPL-2.0
/*
 * WfpIpsecSaContextCreateBatch0 and WFP_IPSEC_IOC_CTX_ADD_BATCH
 * (Documentation/batch.rst).  The bench module's loop has its tests in
 * bench/tests.c.
 *
 * What is checked: a thousand entries go in and are what Enum and xfrm
 * (libnl read-back of states and policies) show; the library splits an
 * array larger than the module takes; a batch-installed context carries
 * traffic between two namespaces; in a batch with bad entries mixed in,
 * the good ones are installed, each bad one gets the code the single
 * calls give for the same input (run afterwards, and compared) and
 * leaves nothing in xfrm; two entries of one batch asking for one SPI;
 * every way the call as a whole is refused, before it does anything; a
 * session without rights.
 *
 * Every test runs in a network namespace of its own, so the xfrm
 * database starts empty and counts are exact; what a test installs goes
 * with its namespace.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_ns.h"
#include "wfp_sa.h"

#define LOCAL		"10.1.0.1"
#define LOCAL_V4	0x0a010001U
#define PEER_V4		0x0a010002U
/* Entry i's peer: 10.3.x.y, i + 1 below it. */
#define REMOTE_BASE	0x0a030000U
/* Entry i's SPIs when the test chooses them: in 2i, out 2i + 1. */
#define SPI_BASE	0x20000000U
/* GetSpi's default range (spi.rst). */
#define SPI_MIN		0xd0000000U
#define SPI_MAX		0xdfffffffU
#define GCM_NAME	"rfc4106(gcm(aes))"
#define MANY		1000

/* ------------------------------------------------------------ entries */

/* What one batch entry points to. */
struct ent {
	IPSEC_TRAFFIC1 t;
	struct gcm_sab in, out;
};

struct batch {
	struct ent *e;
	WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w;
	UINT32 n;
};

/* Entry i's peer (host order). */
static UINT32 remote_of(UINT32 i)
{
	return REMOTE_BASE + i + 1;
}

/*
 * Entry i to remote, inbound SPI spi_in (0: GetSpi's choice, the inbound
 * SA naming SPI 0 too), outbound spi_out.
 */
static void ent_set(struct batch *bt, UINT32 i, UINT32 remote, UINT32 spi_in,
		    UINT32 spi_out)
{
	struct ent *e = &bt->e[i];

	traffic_v4(&e->t, false, LOCAL_V4, remote);
	gcm_sab_init_noauth(&e->in, spi_in, 2 * i, 0, NULL);
	gcm_sab_init_noauth(&e->out, spi_out, 2 * i + 1, 0, NULL);
	bt->w[i] = (WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0){
		.traffic = &e->t, .inboundSpi = spi_in,
		.inboundBundle = &e->in.b, .outboundBundle = &e->out.b,
		/* Outputs hold garbage until the call writes them. */
		.id = 0xdeadbeef, .allocatedSpi = 0xdead, .status = 0xdead,
	};
}

/* bt as n entries with chosen SPIs, to peers 10.3.x.y; freed at teardown. */
static struct batch *batch_alloc(struct __test_metadata *_metadata,
				 struct batch *bt, UINT32 n)
{
	UINT32 i;

	bt->n = n;
	bt->e = calloc(n, sizeof(*bt->e));
	bt->w = calloc(n, sizeof(*bt->w));
	ASSERT_TRUE(bt->e && bt->w);
	for (i = 0; i < n; i++)
		ent_set(bt, i, remote_of(i), SPI_BASE + 2 * i,
			SPI_BASE + 2 * i + 1);
	return bt;
}

/* ------------------------------------------------------ xfrm via libnl */

static int cmp_spi(const void *a, const void *b)
{
	UINT32 x = ((const struct xs *)a)->spi, y = ((const struct xs *)b)->spi;

	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ fixture */

/*
 * Side A's namespace (wfp_sa.h's env): h and fd are e's, named short; bt
 * the test's batch.
 */
FIXTURE(ns) {
	struct env e;
	HANDLE h;
	int fd;
	struct batch bt;
};

FIXTURE_SETUP(ns)
{
	env_setup(_metadata, &self->e, 0);
	self->h = self->e.h;
	self->fd = self->e.fd;
}

FIXTURE_TEARDOWN(ns)
{
	free(self->bt.e);
	free(self->bt.w);
	env_teardown(&self->e);
}

/* Nothing of ours in the namespace: no context, state or policy. */
static void expect_empty(struct __test_metadata *_metadata, HANDLE h)
{
	EXPECT_EQ(enum_count(h), 0);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(sp_count(-1), 0);
}

/* ------------------------------------------------ a thousand contexts */

struct seen {
	const struct batch *bt;
	int found, bad;
};

/* The Enum entry belongs to one of the batch's entries, as installed. */
static void seen_one(const IPSEC_SA_CONTEXT1 *c, void *arg)
{
	struct seen *s = arg;
	const WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w;
	UINT32 i;

	for (i = 0; i < s->bt->n; i++) {
		w = &s->bt->w[i];
		if (w->id != c->saContextId)
			continue;
		s->found++;
		if (!c->inboundSa || !c->outboundSa ||
		    c->inboundSa->saBundle.numSAs != 1 ||
		    c->outboundSa->saBundle.numSAs != 1 ||
		    c->inboundSa->saBundle.saList[0].spi != w->allocatedSpi ||
		    c->outboundSa->saBundle.saList[0].spi !=
		    s->bt->e[i].out.sa.spi ||
		    c->outboundSa->traffic.remoteV4Address != remote_of(i))
			s->bad++;
		return;
	}
	s->bad++;
}

TEST_F_TIMEOUT(ns, thousand_installed, 300)
{
	struct seen s = { 0 };
	struct batch *bt = batch_alloc(_metadata, &self->bt, MANY);
	struct xs *v, key = { 0 };
	const struct xs *x;
	UINT32 i, ok = 0;
	int n;

	/* Every other entry lets GetSpi choose its inbound SPI. */
	for (i = 1; i < MANY; i += 2)
		ent_set(bt, i, remote_of(i), 0, SPI_BASE + 2 * i + 1);

	ASSERT_EQ(WfpIpsecSaContextCreateBatch0(self->h, MANY, bt->w, &ok),
		  ERROR_SUCCESS);
	EXPECT_EQ(ok, MANY);
	for (i = 0; i < MANY; i++) {
		ASSERT_EQ(bt->w[i].status, ERROR_SUCCESS) TH_LOG("entry %u", i);
		ASSERT_NE(bt->w[i].id, 0);
		ASSERT_NE(bt->w[i].id, 0xdeadbeef);
		if (i % 2) {
			EXPECT_GE(bt->w[i].allocatedSpi, SPI_MIN);
			EXPECT_LE(bt->w[i].allocatedSpi, SPI_MAX);
		} else {
			EXPECT_EQ(bt->w[i].allocatedSpi, SPI_BASE + 2 * i);
		}
		/* Ids come from one counter, in entry order. */
		if (i)
			EXPECT_GT(bt->w[i].id, bt->w[i - 1].id);
	}

	/* Enum: exactly these contexts, complete, with these SAs. */
	s.bt = bt;
	EXPECT_EQ(enum_walk(self->h, 500, seen_one, &s), MANY);
	EXPECT_EQ(s.found, MANY);
	EXPECT_EQ(s.bad, 0);

	/* xfrm: two AES-GCM SAs per context (no larval state left), the
	 * inbound one from the peer to us, and two policies.
	 */
	n = sa_dump(-1, &v);
	ASSERT_EQ(n, 2 * MANY);
	qsort(v, n, sizeof(*v), cmp_spi);
	for (i = 0; i < MANY; i++) {
		UINT32 r = htonl(remote_of(i)), l = htonl(LOCAL_V4);

		key.spi = bt->w[i].allocatedSpi;
		x = bsearch(&key, v, n, sizeof(*v), cmp_spi);
		ASSERT_NE(x, NULL) TH_LOG("inbound SA of entry %u", i);
		EXPECT_STREQ(x->aead, GCM_NAME);
		EXPECT_EQ(memcmp(x->daddr, &l, 4), 0);
		EXPECT_EQ(memcmp(x->saddr, &r, 4), 0);
		key.spi = SPI_BASE + 2 * i + 1;
		x = bsearch(&key, v, n, sizeof(*v), cmp_spi);
		ASSERT_NE(x, NULL) TH_LOG("outbound SA of entry %u", i);
		EXPECT_STREQ(x->aead, GCM_NAME);
		EXPECT_EQ(memcmp(x->daddr, &r, 4), 0);
	}
	free(v);
	EXPECT_EQ(sp_count(-1), 2 * MANY);
}

/* More than one call takes: the library splits the array. */
TEST_F_TIMEOUT(ns, library_splits_large_arrays, 600)
{
	UINT32 n = WFP_IPSEC_BATCH_MAX + 5, i, ok = 0;
	struct batch *bt = batch_alloc(_metadata, &self->bt, n);

	/* One entry the library refuses, across the chunk border. */
	bt->w[WFP_IPSEC_BATCH_MAX].traffic = NULL;
	ASSERT_EQ(WfpIpsecSaContextCreateBatch0(self->h, n, bt->w, &ok),
		  ERROR_SUCCESS);
	EXPECT_EQ(ok, n - 1);
	for (i = 0; i < n; i++) {
		if (i == WFP_IPSEC_BATCH_MAX) {
			EXPECT_EQ(bt->w[i].status, FWP_E_NULL_POINTER);
			EXPECT_EQ(bt->w[i].id, 0);
			continue;
		}
		ASSERT_EQ(bt->w[i].status, ERROR_SUCCESS) TH_LOG("entry %u", i);
		ASSERT_EQ(bt->w[i].allocatedSpi, SPI_BASE + 2 * i);
	}
	EXPECT_EQ(enum_count(self->h), n - 1);
	EXPECT_EQ(sa_count(-1), 2 * (n - 1));
}

/* -------------------------------------------- bad entries mixed in */

/* Entry kinds of the mixed batch, and the codes sa.rst/spi.rst give. */
enum {
	M_GOOD, M_ZERO_ADDR, M_SPI_RESERVED, M_SPI_TAKEN, M_BAD_CIPHER,
	M_OUT_KEY_LEN, M_OUT_SA_TAKEN, M_POLICY_TAKEN, M_NULL_INBOUND,
	M_OUT_TWO_SAS, M_IN_OTHER_SPI, M_GOOD_GETSPI,
};

static const struct {
	int kind;
	DWORD code;
} MIXED[] = {
	{ M_GOOD, ERROR_SUCCESS },
	{ M_ZERO_ADDR, FWP_E_INVALID_PARAMETER },	/* Create */
	{ M_GOOD, ERROR_SUCCESS },
	{ M_SPI_RESERVED, FWP_E_INVALID_PARAMETER },	/* SetSpi: < 256 */
	{ M_SPI_TAKEN, FWP_E_ALREADY_EXISTS },		/* SetSpi */
	{ M_BAD_CIPHER, FWP_E_INVALID_CIPHER_TRANSFORM },	/* AddInbound */
	{ M_GOOD_GETSPI, ERROR_SUCCESS },
	{ M_OUT_KEY_LEN, FWP_E_INVALID_PARAMETER },	/* AddOutbound */
	{ M_OUT_SA_TAKEN, FWP_E_ALREADY_EXISTS },	/* AddOutbound: SA */
	{ M_POLICY_TAKEN, FWP_E_ALREADY_EXISTS },	/* AddOutbound: policy */
	{ M_NULL_INBOUND, FWP_E_NULL_POINTER },		/* AddInbound (library) */
	{ M_OUT_TWO_SAS, ERROR_NOT_SUPPORTED },		/* AddOutbound (library) */
	{ M_IN_OTHER_SPI, FWP_E_INVALID_PARAMETER },	/* AddInbound: not ours */
	{ M_GOOD, ERROR_SUCCESS },
};

#define NMIXED		((UINT32)(sizeof(MIXED) / sizeof(MIXED[0])))
#define TAKEN_SPI	0x30000001U	/* a foreign state's */

static void mixed_set(struct batch *bt, UINT32 i)
{
	ent_set(bt, i, remote_of(i), SPI_BASE + 2 * i, SPI_BASE + 2 * i + 1);
	switch (MIXED[i].kind) {
	case M_ZERO_ADDR:
		bt->e[i].t.remoteV4Address = 0;
		break;
	case M_SPI_RESERVED:
		bt->w[i].inboundSpi = 100;
		bt->e[i].in.sa.spi = 100;
		break;
	case M_SPI_TAKEN:
		bt->w[i].inboundSpi = TAKEN_SPI;
		bt->e[i].in.sa.spi = TAKEN_SPI;
		break;
	case M_BAD_CIPHER:
		bt->e[i].in.ac.saCipherInformation.cipherTransform
			.cipherTransformId.cipherType = (IPSEC_CIPHER_TYPE)99;
		break;
	case M_OUT_KEY_LEN:
		bt->e[i].out.ac.saCipherInformation.cipherKey.size = 16;
		break;
	case M_NULL_INBOUND:
		bt->w[i].inboundBundle = NULL;
		break;
	case M_OUT_TWO_SAS:
		bt->e[i].out.b.numSAs = 2;
		break;
	case M_IN_OTHER_SPI:
		bt->e[i].in.sa.spi = SPI_BASE + 0x100000;
		break;
	case M_GOOD_GETSPI:
		bt->w[i].inboundSpi = 0;
		bt->e[i].in.sa.spi = 0;
		break;
	}
}

/*
 * The single calls on entry i's input, stopping at the first failure
 * and deleting what they made: the code they return.
 */
static DWORD single_calls(HANDLE h, struct batch *bt, UINT32 i)
{
	const WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w = &bt->w[i];
	IPSEC_SA_SPI spi = w->inboundSpi;
	IPSEC_GETSPI1 g;
	UINT64 id = 0;
	DWORD rc;

	rc = IPsecSaContextCreate1(h, w->traffic, NULL, NULL, &id);
	if (rc)
		return rc;
	wfp_getspi_set(&g, w->traffic);
	rc = spi ? IPsecSaContextSetSpi0(h, id, &g, spi) :
		   IPsecSaContextGetSpi1(h, id, &g, &spi);
	/* What the batch does for an inbound SA naming SPI 0. */
	if (!rc && !bt->e[i].in.sa.spi)
		bt->e[i].in.sa.spi = spi;
	if (!rc)
		rc = IPsecSaContextAddInbound1(h, id, w->inboundBundle);
	if (!rc)
		rc = IPsecSaContextAddOutbound1(h, id, w->outboundBundle);
	IPsecSaContextDeleteById0(h, id);
	return rc;
}

TEST_F_TIMEOUT(ns, bad_entries_leave_nothing, 120)
{
	struct batch *bt = batch_alloc(_metadata, &self->bt, NMIXED);
	UINT32 i, ok = 0, good = 0;
	int foreign_sa, foreign_sp;

	/* What another control plane holds: an ESP state with the
	 * destination and SPI entry M_SPI_TAKEN asks for, one with those
	 * of M_OUT_SA_TAKEN's outbound SA, a policy with M_POLICY_TAKEN's
	 * selector.
	 */
	for (i = 0; i < NMIXED; i++)
		mixed_set(bt, i);
	ASSERT_EQ(sh("ip xfrm state add src 10.9.0.2 dst " LOCAL " proto esp "
		     "spi 0x%x mode transport aead '" GCM_NAME "' 0x%040x 128",
		     TAKEN_SPI, 1), 0) TH_LOG("%s", g_last_cmd);
	for (i = 0; i < NMIXED; i++) {
		struct in_addr r = { htonl(remote_of(i)) };

		if (MIXED[i].kind == M_OUT_SA_TAKEN)
			ASSERT_EQ(sh("ip xfrm state add src " LOCAL " dst %s "
				     "proto esp spi 0x%x mode transport aead '"
				     GCM_NAME "' 0x%040x 128", inet_ntoa(r),
				     SPI_BASE + 2 * i + 1, 2), 0)
				TH_LOG("%s", g_last_cmd);
		if (MIXED[i].kind == M_POLICY_TAKEN)
			ASSERT_EQ(sh("ip xfrm policy add src " LOCAL "/32 dst "
				     "%s/32 dir out priority 0x8000 tmpl proto "
				     "esp mode transport", inet_ntoa(r)), 0)
				TH_LOG("%s", g_last_cmd);
	}
	foreign_sa = sa_count(-1);
	foreign_sp = sp_count(-1);
	ASSERT_EQ(foreign_sa, 2);
	ASSERT_EQ(foreign_sp, 1);

	ASSERT_EQ(WfpIpsecSaContextCreateBatch0(self->h, NMIXED, bt->w, &ok),
		  ERROR_SUCCESS);
	for (i = 0; i < NMIXED; i++) {
		EXPECT_EQ(bt->w[i].status, MIXED[i].code)
			TH_LOG("entry %u: 0x%x (%s)", i, bt->w[i].status,
			       WfpIpsecErrorName(bt->w[i].status));
		if (MIXED[i].code) {
			EXPECT_EQ(bt->w[i].id, 0);
			EXPECT_EQ(bt->w[i].allocatedSpi, 0);
		} else {
			EXPECT_NE(bt->w[i].id, 0);
			good++;
		}
	}
	EXPECT_EQ(ok, good);
	/* The good ones complete, the bad ones without a trace. */
	EXPECT_EQ(enum_count(self->h), good);
	EXPECT_EQ(sa_count(-1), foreign_sa + 2 * good);
	EXPECT_EQ(sp_count(-1), foreign_sp + 2 * good);

	/* The single calls say the same of each entry. */
	for (i = 0; i < NMIXED; i++) {
		if (!MIXED[i].code)
			continue;
		EXPECT_EQ(single_calls(self->h, bt, i), bt->w[i].status)
			TH_LOG("entry %u", i);
	}
	EXPECT_EQ(enum_count(self->h), good);
	EXPECT_EQ(sa_count(-1), foreign_sa + 2 * good);
}

TEST_F(ns, spi_collision_within_batch)
{
	UINT32 ok = 0;
	struct batch *bt = batch_alloc(_metadata, &self->bt, 3);

	/* Entry 1 asks for entry 0's inbound SPI, to another peer. */
	ent_set(bt, 1, remote_of(1), SPI_BASE, SPI_BASE + 3);
	ASSERT_EQ(WfpIpsecSaContextCreateBatch0(self->h, 3, bt->w, &ok),
		  ERROR_SUCCESS);
	EXPECT_EQ(ok, 2);
	EXPECT_EQ(bt->w[0].status, ERROR_SUCCESS);
	EXPECT_EQ(bt->w[0].allocatedSpi, SPI_BASE);
	EXPECT_EQ(bt->w[1].status, FWP_E_ALREADY_EXISTS);
	EXPECT_EQ(bt->w[1].id, 0);
	EXPECT_EQ(bt->w[2].status, ERROR_SUCCESS);
	EXPECT_EQ(enum_count(self->h), 2);
	/* Entry 1's outbound SA and policies never went in. */
	EXPECT_EQ(sa_count(-1), 4);
	EXPECT_EQ(sp_count(-1), 4);
}

/* ------------------------------------------------- the call refused */

TEST_F(ns, null_entries)
{
	UINT32 ok = 7;

	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(self->h, 1, NULL, &ok),
		  FWP_E_NULL_POINTER);
	expect_empty(_metadata, self->h);
}

TEST_F(ns, null_num_succeeded)
{
	struct batch *bt = batch_alloc(_metadata, &self->bt, 1);

	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(self->h, 1, bt->w, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(bt->w[0].status, 0xdead);
	expect_empty(_metadata, self->h);
}

TEST_F(ns, zero_entries)
{
	struct batch *bt = batch_alloc(_metadata, &self->bt, 1);
	UINT32 ok = 7;

	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(self->h, 0, bt->w, &ok),
		  FWP_E_ZERO_LENGTH_ARRAY);
	EXPECT_EQ(ok, 0);
	expect_empty(_metadata, self->h);
}

TEST_F(ns, closed_engine)
{
	HANDLE h = NULL;
	struct batch *bt = batch_alloc(_metadata, &self->bt, 2);
	UINT32 ok = 7;

	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		  ERROR_SUCCESS);
	ASSERT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(h, 2, bt->w, &ok),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(NULL, 2, bt->w, &ok),
		  ERROR_INVALID_HANDLE);
	expect_empty(_metadata, self->h);
}

TEST_F(ns, dynamic_session)
{
	HANDLE h = engine(FWPM_SESSION_FLAG_DYNAMIC);
	struct batch *bt = batch_alloc(_metadata, &self->bt, 2);
	UINT32 ok = 7;

	ASSERT_NE(h, NULL);
	EXPECT_EQ(WfpIpsecSaContextCreateBatch0(h, 2, bt->w, &ok),
		  FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	EXPECT_EQ(ok, 0);
	EXPECT_EQ(bt->w[0].status, FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	EXPECT_EQ(bt->w[1].status, FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	EXPECT_EQ(bt->w[1].id, 0);
	FwpmEngineClose0(h);
	expect_empty(_metadata, self->h);
}

/* In a child that lost CAP_NET_ADMIN: a session holding no rights. */
static int unprivileged_batch(void *arg)
{
	struct wfp_ipsec_ctx_batch b;
	struct batch *bt = arg;
	HANDLE h = NULL;
	UINT32 ok = 7;
	int fd;

	if (drop_cap_net_admin())
		return 100;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 101;
	if (WfpIpsecSaContextCreateBatch0(h, bt->n, bt->w, &ok) !=
	    ERROR_ACCESS_DENIED)
		return 1;
	if (ok || bt->w[0].status != ERROR_ACCESS_DENIED || bt->w[0].id)
		return 2;
	/* The module itself refuses, whatever a library would do. */
	if (WfpIpsecEngineGetFd(h, &fd))
		return 102;
	memset(&b, 0, sizeof(b));
	b.entries = (__u64)(uintptr_t)bt->w;	/* never read */
	b.count = 1;
	b.entry_size = sizeof(struct wfp_ipsec_batch_entry);
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_ADD_BATCH, &b) != -EACCES)
		return 3;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(ns, unprivileged_denied)
{
	struct batch *bt = batch_alloc(_metadata, &self->bt, 2);

	EXPECT_EQ(run_in_child(unprivileged_batch, bt), 0);
	expect_empty(_metadata, self->h);
}

/* ------------------------------------------------------ the raw ioctl */

static void raw_entry(struct wfp_ipsec_batch_entry *k, UINT32 i,
		      const UINT8 *key)
{
	UINT32 l = htonl(LOCAL_V4), r = htonl(remote_of(i));

	memset(k, 0, sizeof(*k));
	k->traffic.ip_version = WFP_IPSEC_IPV4;
	k->traffic.traffic_type = WFP_IPSEC_TRAFFIC_TRANSPORT;
	memcpy(k->traffic.local_addr, &l, 4);
	memcpy(k->traffic.remote_addr, &r, 4);
	k->inbound_spi = SPI_BASE + 2 * i;
	k->inbound.num_sas = 1;
	wfp_ksa_gcm(&k->inbound.sas[0], 0, key, GCM_KEYLEN);
	k->outbound.num_sas = 1;
	wfp_ksa_gcm(&k->outbound.sas[0], SPI_BASE + 2 * i + 1, key, GCM_KEYLEN);
}

#define RAW_N		3
#define RAW_STRIDE_MAX	1024

/* RAW_N valid entries of the kernel form, and the call's header. */
struct raw {
	HANDLE h;
	int fd;
	UINT8 key[GCM_KEYLEN];
	struct wfp_ipsec_batch_entry k[RAW_N];
	struct wfp_ipsec_ctx_batch b;
	UINT8 mem[RAW_N * RAW_STRIDE_MAX];
};

static void raw_init(struct __test_metadata *_metadata, struct raw *r)
{
	UINT32 i;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	wfp_engine_open(_metadata, &r->h, &r->fd);
	ASSERT_EQ(sa_count(-1), 0);
	key_fill(r->key, GCM_KEYLEN, 1, 0);
	for (i = 0; i < RAW_N; i++)
		raw_entry(&r->k[i], i, r->key);
	memset(&r->b, 0, sizeof(r->b));
	r->b.entries = (__u64)(uintptr_t)r->mem;
	r->b.count = RAW_N;
	r->b.entry_size = sizeof(r->k[0]);
	memset(r->mem, 0, sizeof(r->mem));
}

/* The entries at the header's stride (when it is a usable one). */
static void raw_place(struct raw *r)
{
	UINT32 i, stride = r->b.entry_size;

	if (stride >= sizeof(r->k[0]) && stride <= RAW_STRIDE_MAX)
		for (i = 0; i < RAW_N; i++)
			memcpy(r->mem + i * stride, &r->k[i], sizeof(r->k[i]));
}

static int raw_call(struct raw *r)
{
	raw_place(r);
	return wfp_test_ioctl(r->fd, WFP_IPSEC_IOC_CTX_ADD_BATCH, &r->b);
}

/* Fixture name: a struct raw r, made by raw_init(). */
#define RAW_FIXTURE(name)						\
FIXTURE(name) {								\
	struct raw r;							\
};									\
									\
FIXTURE_SETUP(name)							\
{									\
	raw_init(_metadata, &self->r);					\
}									\
									\
FIXTURE_TEARDOWN(name)							\
{									\
	if (self->r.h)							\
		FwpmEngineClose0(self->r.h);				\
}

RAW_FIXTURE(rawbad)

/*
 * A call with something wrong, refused as a whole: errno err.  bad
 * changes the header or the entries before they are placed; dirty_tail
 * sets a byte past the last entry's known part once they are.
 */
FIXTURE_VARIANT(rawbad) {
	void (*bad)(struct raw *r);
	bool dirty_tail;
	int err;
};

/* Mostly the last entry is wrong: the first must not go in. */
#define LAST(r)		(&(r)->k[RAW_N - 1])

/* Variant name of rawbad: bad_name() makes change, refused with errno e. */
#define RAWBAD(name, e, change, ...)					\
static void bad_##name(struct raw *r) { change; }			\
FIXTURE_VARIANT_ADD(rawbad, name) { .bad = bad_##name, .err = e, __VA_ARGS__ }

RAWBAD(header_flags, EINVAL, r->b.flags = 1);
RAWBAD(header_reserved0, EINVAL, r->b.reserved0 = 1);
RAWBAD(header_reserved, EINVAL, r->b.reserved[1] = 1);
RAWBAD(count_zero, EINVAL, r->b.count = 0);
RAWBAD(count_above_max, E2BIG, r->b.count = WFP_IPSEC_BATCH_MAX + 1);
RAWBAD(entry_size_small, EINVAL, r->b.entry_size -= 8);
RAWBAD(entry_size_unaligned, EINVAL, r->b.entry_size += 4);
RAWBAD(entry_size_huge, EINVAL, r->b.entry_size = 8192);
/* A later ABI's field, set: not understood, so refused. */
RAWBAD(unknown_tail_set, EINVAL, r->b.entry_size += 8, .dirty_tail = true);
RAWBAD(entry_flags, EINVAL, LAST(r)->flags = 1);
RAWBAD(entry_reserved, EINVAL, LAST(r)->reserved[0] = 1);
RAWBAD(traffic_reserved, EINVAL, LAST(r)->traffic.reserved1 = 1);
RAWBAD(bundle_reserved, EINVAL, LAST(r)->outbound.reserved0 = 1);
RAWBAD(sa_reserved, EINVAL, LAST(r)->inbound.sas[0].reserved[1] = 1);
RAWBAD(second_sa_reserved, EINVAL, LAST(r)->outbound.sas[1].reserved0 = 1);
RAWBAD(unreadable_array, EFAULT, r->b.entries = 8);

TEST_F(rawbad, refused_before_anything)
{
	struct raw *r = &self->r;

	variant->bad(r);
	raw_place(r);
	if (variant->dirty_tail)
		r->mem[(RAW_N - 1) * r->b.entry_size + sizeof(r->k[0])] = 1;
	r->b.done = 77;
	EXPECT_EQ(wfp_test_ioctl(r->fd, WFP_IPSEC_IOC_CTX_ADD_BATCH, &r->b),
		  -variant->err);
	/* Copied back on failure too, saying nothing was done. */
	EXPECT_EQ(r->b.done, 0);
	EXPECT_EQ(r->b.succeeded, 0);
	/* No entry's results were written. */
	EXPECT_EQ(((struct wfp_ipsec_batch_entry *)(void *)r->mem)->id, 0);
	expect_empty(_metadata, r->h);
}

RAW_FIXTURE(raw)

/* Bytes past the known entry, all zero: what a newer caller sends. */
TEST_F(raw, larger_entries_zero_tail)
{
	struct raw *r = &self->r;
	UINT32 i;

	r->b.entry_size = sizeof(r->k[0]) + 16;
	ASSERT_EQ(raw_call(r), 0);
	EXPECT_EQ(r->b.done, RAW_N);
	EXPECT_EQ(r->b.succeeded, RAW_N);
	for (i = 0; i < RAW_N; i++) {
		struct wfp_ipsec_batch_entry *k =
			(void *)(r->mem + i * r->b.entry_size);

		EXPECT_NE(k->id, 0);
		EXPECT_EQ(k->spi, SPI_BASE + 2 * i);
		EXPECT_EQ(k->error, 0);
	}
	EXPECT_EQ(enum_count(r->h), RAW_N);
}

/* Where an entry failed: the step, the errno, the ADD status. */
TEST_F(raw, per_entry_results)
{
	struct raw *r = &self->r;
	struct wfp_ipsec_batch_entry *k = (void *)r->mem;

	r->k[0].inbound.sas[0].cipher_type = 99;
	r->k[1].inbound_spi = 100;
	ASSERT_EQ(raw_call(r), 0);
	EXPECT_EQ(r->b.done, RAW_N);
	EXPECT_EQ(r->b.succeeded, 1);
	EXPECT_EQ(k[0].error, EINVAL);
	EXPECT_EQ(k[0].step, WFP_IPSEC_BATCH_STEP_INBOUND);
	EXPECT_EQ(k[0].add_status, WFP_IPSEC_ADD_ST_CIPHER);
	EXPECT_EQ(k[0].id, 0);
	EXPECT_EQ(k[1].error, EINVAL);
	EXPECT_EQ(k[1].step, WFP_IPSEC_BATCH_STEP_SPI);
	EXPECT_EQ(k[1].id, 0);
	EXPECT_EQ(k[2].error, 0);
	EXPECT_EQ(k[2].step, WFP_IPSEC_BATCH_STEP_NONE);
	EXPECT_NE(k[2].id, 0);
	EXPECT_EQ(enum_count(r->h), 1);
	EXPECT_EQ(sa_count(-1), 2);
	EXPECT_EQ(sp_count(-1), 2);
}

TEST(feature_bit)
{
	EXPECT_TRUE(wfp_features(_metadata) & WFP_IPSEC_FEAT_BATCH);
}

TEST(before_hello)
{
	struct wfp_ipsec_ctx_batch b = { .count = 1 };
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_ADD_BATCH, &b), -EBADFD);
	close(fd);
}

TEST(wrong_size_is_enotty)
{
	struct { struct wfp_ipsec_ctx_batch b; __u64 more; } big = { 0 };
	int fd;

	fd = wfp_session(_metadata);
	EXPECT_EQ(wfp_test_ioctl(fd, _IOWR(WFP_IPSEC_IOC_TYPE, 0x14, big), &big),
		  -ENOTTY);
	close(fd);
}

/* ------------------------------------------------------ traffic flows */

/*
 * A batch-installed context between 10.1.0.1 (us, A) and 10.1.0.2 (B,
 * another namespace over a veth pair, keyed with plain ip xfrm): ping
 * works both ways and goes through A's SAs.
 */
TEST_F_TIMEOUT(ns, traffic_over_batch_context, 120)
{
	char in[2 * GCM_KEYLEN + 40], out[2 * GCM_KEYLEN + 40];
	char hex[2 * GCM_KEYLEN + 3];
	UINT32 ok = 0, spi_in, spi_out = SPI_BASE + 1;
	struct env *e = &self->e;
	struct xs xin, xout;
	struct batch *bt;

	env_peer(_metadata, e, ENV_PEER);
	bt = batch_alloc(_metadata, &self->bt, 1);
	ent_set(bt, 0, PEER_V4, 0, spi_out);
	ASSERT_EQ(WfpIpsecSaContextCreateBatch0(self->h, 1, bt->w, &ok),
		  ERROR_SUCCESS);
	ASSERT_EQ(bt->w[0].status, ERROR_SUCCESS);
	spi_in = bt->w[0].allocatedSpi;

	/* B sends on our inbound SPI with our inbound key, and back. */
	snprintf(in, sizeof(in), "aead '" GCM_NAME "' %s 128",
		 key_hex(bt->e[0].in.k, GCM_KEYLEN, hex));
	snprintf(out, sizeof(out), "aead '" GCM_NAME "' %s 128",
		 key_hex(bt->e[0].out.k, GCM_KEYLEN, hex));
	b_states_algs(_metadata, e, spi_in, spi_out, in, out);
	b_policies(_metadata, e);

	EXPECT_EQ(ping(e, false, 2), 0);
	EXPECT_EQ(ping(e, true, 2), 0);
	ASSERT_EQ(sa_count(-1), 2);
	ASSERT_EQ(sa_find(-1, spi_in, IPPROTO_ESP, &xin), 1);
	ASSERT_EQ(sa_find(-1, spi_out, IPPROTO_ESP, &xout), 1);
	/* Two echo requests and two replies each way. */
	EXPECT_GE(xin.packets, 4);
	EXPECT_GE(xout.packets, 4);
	EXPECT_EQ(sp_count(e->bns), 2);
}

/* ------------------------------------------- another plane's flush */

/*
 * n contexts, ids interleaved: every third only created (a flush leaves
 * it), the others complete (a flush takes their SAs).  Returns how many
 * are complete, or -1.
 */
static long reap_setup(HANDLE h, struct batch *bt, UINT32 n)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;
	UINT32 i, ok;
	long complete = 0;

	for (i = 0; i < n; i++) {
		if (i % 3 == 2) {
			t = bt->e[i].t;
			/* A port: never the policy set of a keyed peer. */
			t.ipProtocol = IPPROTO_UDP;
			t.remotePort = 500;
			if (IPsecSaContextCreate1(h, &t, NULL, NULL, &id))
				return -1;
			continue;
		}
		if (WfpIpsecSaContextCreateBatch0(h, 1, &bt->w[i], &ok) ||
		    ok != 1)
			return -1;
		complete++;
	}
	return complete;
}

/* The only contexts left are the ones never keyed. */
static void count_created(const IPSEC_SA_CONTEXT1 *c, void *arg)
{
	long *n = arg;

	*n += !c->outboundSa || !c->outboundSa->saBundle.numSAs;
}

/*
 * ip xfrm state flush takes the SAs of 2/3 of 1500 contexts; the module
 * deletes those contexts, and only those, in one pass that drops its
 * locks every WFP_WALK_BATCH contexts (kmod/context.c): the survivors
 * sit between the reaped ones across several batches.
 */
#define REAP_N_DEFAULT	1500

TEST_F_TIMEOUT(ns, flush_reaps_exactly_the_contexts_it_emptied, 600)
{
	/* WFP_REAP_N=N measures the reap at another size (testing.rst). */
	const char *env = getenv("WFP_REAP_N");
	long REAP_N = env ? atol(env) : REAP_N_DEFAULT;
	struct batch *bt = batch_alloc(_metadata, &self->bt, REAP_N);
	long complete, left = 0, created = 0;
	long long t0;
	int i;

	complete = reap_setup(self->h, bt, REAP_N);
	ASSERT_EQ(complete, REAP_N - REAP_N / 3);
	ASSERT_EQ(enum_count(self->h), REAP_N);
	t0 = wfp_now_ms();
	ASSERT_EQ(sh("ip xfrm state flush"), 0);
	for (i = 0; i < 30000; i++) {
		left = enum_count(self->h);
		if (left <= REAP_N / 3)
			break;
		usleep(10000);
	}
	TH_LOG("%ld contexts reaped in about %lld ms", complete,
	       wfp_now_ms() - t0);
	EXPECT_EQ(left, REAP_N / 3);
	EXPECT_EQ(enum_walk(self->h, 500, count_created, &created), REAP_N / 3);
	EXPECT_EQ(created, REAP_N / 3);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(sp_count(-1), 0);
}

TEST_HARNESS_MAIN
