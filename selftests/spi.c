// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextSetSpi0, IPsecSaContextGetSpi0 and GetSpi1
 * (Documentation/spi.rst): the inbound SPI is reserved as a larval ESP
 * state in the xfrm database of the context's namespace, read back here
 * with libnl-xfrm and fought over with iproute2's `ip xfrm`.
 *
 * Every test runs in a network namespace of its own (FIXTURE_SETUP), so
 * it starts with an empty xfrm database and "nothing changed" is exact,
 * and the sysctls it changes (net.wfp_ipsec.spi_min and spi_max,
 * net.core.xfrm_acq_expires) are its namespace's; teardown still deletes
 * every context the test made and puts xfrm_acq_expires back.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "wfp_ctx.h"
#include "wfp_xfrm.h"

#define SPI_MIN_PATH	"/proc/sys/net/wfp_ipsec/spi_min"
#define SPI_MAX_PATH	"/proc/sys/net/wfp_ipsec/spi_max"
#define ACQ_PATH	"/proc/sys/net/core/xfrm_acq_expires"

#define ESP_KEY		"enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff"
#define REQID_MIN	0x40000000U

#define SPI_A		0x1000a001U
#define SPI_B		0x1000b002U

#define MAX_IDS		64
#define NRACE		8
#define RACE_ROUNDS	10
/* 10 000 on the stock kernel (see wfp_scaled()). */
#define MANY		wfp_scaled(10000)

/* ------------------------------------------------------------ addresses */

/*
 * Text addresses of peer n: this host is 192.0.2.1 / 2001:db8::1, the
 * peer 10.0.0.0 + n + 1 / 2001:db8:1:: + n + 1.
 */
static void peer_addrs(bool v6, unsigned int n, char *local, char *remote)
{
	n++;
	if (v6) {
		strcpy(local, "2001:db8::1");
		sprintf(remote, "2001:db8:1::%x:%x", n >> 16, n & 0xffff);
	} else {
		strcpy(local, "192.0.2.1");
		sprintf(remote, "10.%u.%u.%u", (n >> 16) & 255, (n >> 8) & 255,
			n & 255);
	}
}

/* ---------------------------------------------------------------- shell */

/* An inbound ESP SA from src to dst, as another control plane adds it. */
static int ip_esp_add(const char *src, const char *dst, UINT32 spi,
		      bool tunnel)
{
	return sh("ip xfrm state add src %s dst %s proto esp spi 0x%x mode %s "
		  ESP_KEY " 2>/dev/null", src, dst, spi,
		  tunnel ? "tunnel" : "transport");
}

static int ip_esp_del(const char *src, const char *dst, UINT32 spi)
{
	return sh("ip xfrm state delete src %s dst %s proto esp spi 0x%x "
		  "2>/dev/null", src, dst, spi);
}

/* ---------------------------------------------------------------- files */

static UINT32 read_u32(struct __test_metadata *_metadata, const char *path)
{
	char buf[32];

	ASSERT_EQ(read_str(path, buf, sizeof(buf)), 0) TH_LOG("%s", path);
	return (UINT32)strtoul(buf, NULL, 0);
}

/* Seconds since *a. */
static double elapsed(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) + (b.tv_nsec - a->tv_nsec) / 1e9;
}

/* -------------------------------------------------------------- fixture */

/* A context of peer n's besides the fixture's, and what made it. */
struct peer {
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	UINT64 id;
};

/*
 * The data of both fixtures, FIXTURE(spi)'s own: declared before it, for
 * FIXTURE(sa) to hold one.
 */
FIXTURE_DATA(spi) {
	HANDLE h;
	int fd;			/* the engine's descriptor, for raw ioctls */
	int parent_ns;		/* the namespace the test started in */
	bool v6, tunnel;
	char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
	IPSEC_TRAFFIC1 t;	/* the main context's traffic */
	IPSEC_GETSPI1 g;	/* matching it */
	IPSEC_GETSPI0 g0;	/* the same, for GetSpi0 */
	UINT64 id;		/* the main context */
	UINT64 ids[MAX_IDS];	/* more contexts to delete at teardown */
	int nids;
	UINT64 *many;
	int nmany;
	char acq_saved[32];
};

/* Peer n's addresses, traffic and GETSPI. */
static void peer_set(bool v6, bool tunnel, unsigned int n, struct peer *p)
{
	peer_addrs(v6, n, p->local, p->remote);
	wfp_traffic_set(&p->t, tunnel, p->local, p->remote);
	wfp_getspi_set(&p->g, &p->t);
}

static UINT64 ctx_create(struct __test_metadata *_metadata,
			 FIXTURE_DATA(spi) *f, const IPSEC_TRAFFIC1 *t)
{
	UINT64 id = 0;

	ASSERT_LT(f->nids, MAX_IDS);
	ASSERT_EQ(IPsecSaContextCreate1(f->h, t, NULL, NULL, &id),
		  ERROR_SUCCESS);
	f->ids[f->nids++] = id;
	return id;
}

static void peer_ctx(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f,
		     bool v6, bool tunnel, unsigned int n, struct peer *p)
{
	peer_set(v6, tunnel, n, p);
	p->id = ctx_create(_metadata, f, &p->t);
}

/* A context of IPv4 transport traffic local - remote, into p. */
static void other_ctx(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f,
		      const char *local, const char *remote, struct peer *p)
{
	wfp_traffic_set(&p->t, false, local, remote);
	wfp_getspi_set(&p->g, &p->t);
	p->id = ctx_create(_metadata, f, &p->t);
}

/* The main context, of the fixture's traffic: (again) CREATED. */
static void main_create(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f)
{
	f->id = 0;
	ASSERT_EQ(IPsecSaContextCreate1(f->h, &f->t, NULL, NULL, &f->id),
		  ERROR_SUCCESS);
}

/* A fresh main context in place of the old one, which had an SPI. */
static void main_renew(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f)
{
	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, f->id), ERROR_SUCCESS);
	main_create(_metadata, f);
}

/* SetSpi0 and GetSpi1 of the main context, with its own GETSPI. */
static DWORD set_spi(FIXTURE_DATA(spi) *f, UINT32 spi)
{
	return IPsecSaContextSetSpi0(f->h, f->id, &f->g, spi);
}

static DWORD get_spi(FIXTURE_DATA(spi) *f, IPSEC_SA_SPI *spi)
{
	return IPsecSaContextGetSpi1(f->h, f->id, &f->g, spi);
}

static void fx_setup(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f,
		     bool v6, bool tunnel)
{
	f->fd = -1;
	f->parent_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(f->parent_ns, 0);
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(sa_count(-1), 0);
	wfp_engine_open(_metadata, &f->h, &f->fd);
	f->v6 = v6;
	f->tunnel = tunnel;
	peer_addrs(v6, 0, f->local, f->remote);
	wfp_traffic_set(&f->t, tunnel, f->local, f->remote);
	wfp_getspi_set(&f->g, &f->t);
	f->g0.inboundIpsecTraffic = traffic0_of(&f->t);
	f->g0.ipVersion = f->t.ipVersion;
	main_create(_metadata, f);
}

static void fx_teardown(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f)
{
	int i;

	if (f->acq_saved[0])
		write_str(ACQ_PATH, f->acq_saved);
	if (!f->h)
		goto out;
	if (f->id)
		IPsecSaContextDeleteById0(f->h, f->id);
	for (i = 0; i < f->nids; i++)
		IPsecSaContextDeleteById0(f->h, f->ids[i]);
	for (i = 0; i < f->nmany; i++)
		IPsecSaContextDeleteById0(f->h, f->many[i]);
	FwpmEngineClose0(f->h);
out:
	free(f->many);
	if (f->parent_ns >= 0)
		close(f->parent_ns);
}

/* The context has no SPI and GetById shows no inbound SA. */
static void expect_created(struct __test_metadata *_metadata,
			   FIXTURE_DATA(spi) *f, UINT64 id)
{
	struct wfp_ipsec_ctx_info info = ctx_info(_metadata, f->fd, id);
	IPSEC_SA_CONTEXT1 *c = NULL;

	EXPECT_EQ(info.state, WFP_IPSEC_CTX_STATE_CREATED);
	EXPECT_EQ(info.inbound_spi, 0);
	ASSERT_EQ(IPsecSaContextGetById1(f->h, id, &c), ERROR_SUCCESS);
	EXPECT_EQ(c->inboundSa, NULL);
	FwpmFreeMemory0((void **)&c);
}

static void expect_spi_set(struct __test_metadata *_metadata,
			   FIXTURE_DATA(spi) *f, UINT64 id, UINT32 spi)
{
	struct wfp_ipsec_ctx_info info = ctx_info(_metadata, f->fd, id);

	EXPECT_EQ(info.state, WFP_IPSEC_CTX_STATE_SPI_SET);
	EXPECT_EQ(info.inbound_spi, spi);
}

/*
 * A failed call changed nothing: the main context is still CREATED, the
 * namespace holds no state, and the SPI can still be reserved with the
 * right request.
 */
static void expect_untouched(struct __test_metadata *_metadata,
			     FIXTURE_DATA(spi) *f)
{
	expect_created(_metadata, f, f->id);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	expect_spi_set(_metadata, f, f->id, SPI_A);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 1);
}

/*
 * The one ESP state with this SPI is the larval state of an inbound
 * reservation, as spi.rst describes it.
 */
static void expect_larval(struct __test_metadata *_metadata, UINT32 spi,
			  const char *local, const char *remote, bool tunnel)
{
	UINT8 l[16], r[16];
	int len = wfp_addr_bytes(local, l);
	struct xs x;

	ASSERT_EQ(sa_find(-1, spi, IPPROTO_ESP, &x), 1);
	ASSERT_EQ(wfp_addr_bytes(remote, r), len);
	EXPECT_EQ(x.proto, IPPROTO_ESP);
	EXPECT_EQ(x.spi, spi);
	EXPECT_EQ(x.family, len == 4 ? AF_INET : AF_INET6);
	EXPECT_EQ(x.alen, len);
	/* Inbound: the peer sends to this host. */
	EXPECT_EQ(memcmp(x.daddr, l, len), 0) TH_LOG("daddr is not %s", local);
	EXPECT_EQ(memcmp(x.saddr, r, len), 0) TH_LOG("saddr is not %s", remote);
	EXPECT_EQ(x.mode, tunnel ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT);
	EXPECT_GE(x.reqid, REQID_MIN);
	EXPECT_EQ(x.sel_plen_d, len * 8);
	EXPECT_EQ(x.sel_plen_s, len * 8);
	/* Never expires; no algorithms yet. */
	EXPECT_EQ(x.hard_add, 0);
	EXPECT_FALSE(x.crypt);
}

/* A GetSpi's SPI: within net.wfp_ipsec.spi_min and spi_max. */
static void expect_in_range(struct __test_metadata *_metadata, UINT32 spi)
{
	EXPECT_GE(spi, read_u32(_metadata, SPI_MIN_PATH));
	EXPECT_LE(spi, read_u32(_metadata, SPI_MAX_PATH));
}

/* ============================================== the four traffic layouts */

FIXTURE(sa) {
	FIXTURE_DATA(spi) f;
};

FIXTURE_VARIANT(sa) {
	bool v6;
	bool tunnel;
};

FIXTURE_VARIANT_ADD(sa, v4_transport) { .v6 = false, .tunnel = false };
FIXTURE_VARIANT_ADD(sa, v4_tunnel) { .v6 = false, .tunnel = true };
FIXTURE_VARIANT_ADD(sa, v6_transport) { .v6 = true, .tunnel = false };
FIXTURE_VARIANT_ADD(sa, v6_tunnel) { .v6 = true, .tunnel = true };

FIXTURE_SETUP(sa)
{
	fx_setup(_metadata, &self->f, variant->v6, variant->tunnel);
}

FIXTURE_TEARDOWN(sa)
{
	fx_teardown(_metadata, &self->f);
}

TEST_F(sa, set_spi_reserves_larval_esp_state)
{
	FIXTURE_DATA(spi) *f = &self->f;

	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	expect_spi_set(_metadata, f, f->id, SPI_A);
	ASSERT_EQ(sa_count(-1), 1);
	expect_larval(_metadata, SPI_A, f->local, f->remote, f->tunnel);
}

/* A child's count of spi's states: in a new namespace, ns, or its own. */
struct count_in {
	UINT32 spi;
	bool new_ns;
	int ns;			/* -1: the test's */
};

static int count_spi_in(void *arg)
{
	const struct count_in *c = arg;
	int n;

	if (c->new_ns && unshare(CLONE_NEWNET))
		return 101;
	if (c->ns >= 0 && setns(c->ns, CLONE_NEWNET))
		return 102;
	n = sa_find(-1, c->spi, IPPROTO_ESP, NULL);
	return n < 0 ? 100 : n;
}

TEST_F(sa, reservation_only_in_own_namespace)
{
	FIXTURE_DATA(spi) *f = &self->f;
	struct count_in own = { SPI_A, false, -1 }, fresh = { SPI_A, true, -1 };
	struct count_in parent = { SPI_A, false, f->parent_ns };

	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	/* Control: a child of this namespace sees it. */
	EXPECT_EQ(run_in_child(count_spi_in, &own), 1);
	EXPECT_EQ(run_in_child(count_spi_in, &fresh), 0);
	EXPECT_EQ(run_in_child(count_spi_in, &parent), 0);
}

TEST_F(sa, get_by_id_shows_inbound_sa)
{
	FIXTURE_DATA(spi) *f = &self->f;
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	const IPSEC_TRAFFIC1 *in;

	expect_created(_metadata, f, f->id);
	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	ASSERT_EQ(IPsecSaContextGetById1(f->h, f->id, &c), ERROR_SUCCESS);
	ASSERT_NE(c->inboundSa, NULL);
	EXPECT_EQ(c->inboundSa->saDirection, FWP_DIRECTION_INBOUND);
	EXPECT_EQ(c->inboundSa->ipVersion, f->t.ipVersion);
	in = &c->inboundSa->traffic;
	EXPECT_EQ(in->ipVersion, f->t.ipVersion);
	EXPECT_EQ(in->trafficType, f->t.trafficType);
	EXPECT_EQ(memcmp(in->localV6Address, f->t.localV6Address,
			 f->v6 ? 16 : 4), 0);
	EXPECT_EQ(memcmp(in->remoteV6Address, f->t.remoteV6Address,
			 f->v6 ? 16 : 4), 0);
	EXPECT_EQ(c->inboundSa->udpEncapsulation, NULL);
	ASSERT_NE(c->outboundSa, NULL);
	EXPECT_EQ(c->outboundSa->saDirection, FWP_DIRECTION_OUTBOUND);
	FwpmFreeMemory0((void **)&c);

	ASSERT_EQ(IPsecSaContextGetById0(f->h, f->id, &c0), ERROR_SUCCESS);
	ASSERT_NE(c0->inboundSa, NULL);
	EXPECT_EQ(c0->inboundSa->saDirection, FWP_DIRECTION_INBOUND);
	FwpmFreeMemory0((void **)&c0);
}

TEST_F(sa, ip_xfrm_add_blocked_until_context_deleted)
{
	FIXTURE_DATA(spi) *f = &self->f;
	struct xs x;

	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	/* Control: another SPI on the same addresses goes in. */
	ASSERT_EQ(ip_esp_add(f->remote, f->local, SPI_B, f->tunnel), 0);
	EXPECT_EQ(ip_esp_del(f->remote, f->local, SPI_B), 0);

	EXPECT_NE(ip_esp_add(f->remote, f->local, SPI_A, f->tunnel), 0);
	ASSERT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, &x), 1);
	EXPECT_FALSE(x.crypt);

	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, f->id), ERROR_SUCCESS);
	f->id = 0;
	EXPECT_EQ(ip_esp_add(f->remote, f->local, SPI_A, f->tunnel), 0);
	ASSERT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, &x), 1);
	EXPECT_TRUE(x.crypt);
	EXPECT_EQ(ip_esp_del(f->remote, f->local, SPI_A), 0);
	EXPECT_EQ(sa_count(-1), 0);
}

TEST_F(sa, reservation_survives_acq_expires)
{
	FIXTURE_DATA(spi) *f = &self->f;
	UINT32 ctl = SPI_B;

	ASSERT_EQ(read_str(ACQ_PATH, f->acq_saved, sizeof(f->acq_saved)), 0);
	ASSERT_EQ(write_str(ACQ_PATH, "1"), 0);
	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	/* Control: an ordinary larval state (ALLOCSPI) of another peer. */
	ASSERT_EQ(sh("ip xfrm state allocspi src 203.0.113.9 dst 192.0.2.1 "
		     "proto esp mode transport min 0x%x max 0x%x >/dev/null",
		     ctl, ctl), 0);
	ASSERT_EQ(sa_find(-1, ctl, IPPROTO_ESP, NULL), 1);
	sleep(3);
	EXPECT_EQ(sa_find(-1, ctl, IPPROTO_ESP, NULL), 0)
		TH_LOG("xfrm_acq_expires=1 did not expire a plain larval state");
	expect_larval(_metadata, SPI_A, f->local, f->remote, f->tunnel);
	EXPECT_NE(ip_esp_add(f->remote, f->local, SPI_A, f->tunnel), 0);
	expect_spi_set(_metadata, f, f->id, SPI_A);
	ASSERT_EQ(write_str(ACQ_PATH, f->acq_saved), 0);
}

TEST_F(sa, delete_removes_larval_state_and_frees_spi)
{
	FIXTURE_DATA(spi) *f = &self->f;
	struct peer p;

	ASSERT_EQ(set_spi(f, SPI_A), ERROR_SUCCESS);
	peer_ctx(_metadata, f, f->v6, f->tunnel, 1, &p);
	EXPECT_EQ(IPsecSaContextSetSpi0(f->h, p.id, &p.g, SPI_A),
		  FWP_E_ALREADY_EXISTS);

	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, f->id), ERROR_SUCCESS);
	f->id = 0;
	EXPECT_EQ(sa_count(-1), 0);

	EXPECT_EQ(IPsecSaContextSetSpi0(f->h, p.id, &p.g, SPI_A), ERROR_SUCCESS);
	expect_larval(_metadata, SPI_A, p.local, p.remote, f->tunnel);
	ASSERT_EQ(IPsecSaContextDeleteById0(f->h, p.id), ERROR_SUCCESS);
	EXPECT_EQ(sa_count(-1), 0);
}

TEST_F(sa, get_spi1_reserves_in_range)
{
	FIXTURE_DATA(spi) *f = &self->f;
	IPSEC_SA_SPI spi = 0;

	ASSERT_EQ(get_spi(f, &spi), ERROR_SUCCESS);
	expect_in_range(_metadata, spi);
	expect_spi_set(_metadata, f, f->id, spi);
	ASSERT_EQ(sa_count(-1), 1);
	expect_larval(_metadata, spi, f->local, f->remote, f->tunnel);
}

TEST_F(sa, get_spi0_reserves_in_range)
{
	FIXTURE_DATA(spi) *f = &self->f;
	IPSEC_SA_SPI spi = 0;

	ASSERT_EQ(IPsecSaContextGetSpi0(f->h, f->id, &f->g0, &spi),
		  ERROR_SUCCESS);
	expect_in_range(_metadata, spi);
	expect_spi_set(_metadata, f, f->id, spi);
	expect_larval(_metadata, spi, f->local, f->remote, f->tunnel);
}

/* ==================================== one IPv4 transport context: errors */

FIXTURE(spi);

FIXTURE_SETUP(spi)
{
	fx_setup(_metadata, self, false, false);
}

FIXTURE_TEARDOWN(spi)
{
	fx_teardown(_metadata, self);
}

TEST_F(spi, udp_encapsulation_recorded)
{
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4501 };
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct wfp_ipsec_ctx_info info;

	self->g.inboundUdpEncapsulation = &encap;
	ASSERT_EQ(set_spi(self, SPI_A), ERROR_SUCCESS);
	info = ctx_info(_metadata, self->fd, self->id);
	EXPECT_EQ(info.spi_flags, WFP_IPSEC_SPI_F_UDP_ENCAP);
	EXPECT_EQ(info.encap_local_port, htons(4500));
	EXPECT_EQ(info.encap_remote_port, htons(4501));
	ASSERT_EQ(IPsecSaContextGetById1(self->h, self->id, &c), ERROR_SUCCESS);
	ASSERT_NE(c->inboundSa, NULL);
	ASSERT_NE(c->inboundSa->udpEncapsulation, NULL);
	EXPECT_EQ(c->inboundSa->udpEncapsulation->localUdpEncapPort, 4500);
	EXPECT_EQ(c->inboundSa->udpEncapsulation->remoteUdpEncapPort, 4501);
	FwpmFreeMemory0((void **)&c);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 1);
}

TEST_F(spi, set_spi_null_getspi)
{
	EXPECT_EQ(IPsecSaContextSetSpi0(self->h, self->id, NULL, SPI_A),
		  FWP_E_TRAFFIC_MISMATCH);
	expect_untouched(_metadata, self);
}

TEST_F(spi, get_spi_null_getspi)
{
	IPSEC_SA_SPI spi = 0x5a5a;

	EXPECT_EQ(IPsecSaContextGetSpi1(self->h, self->id, NULL, &spi),
		  FWP_E_TRAFFIC_MISMATCH);
	EXPECT_EQ(IPsecSaContextGetSpi0(self->h, self->id, NULL, &spi),
		  FWP_E_TRAFFIC_MISMATCH);
	EXPECT_EQ(spi, 0x5a5a);
	expect_untouched(_metadata, self);
}

TEST_F(spi, get_spi_null_inbound_spi)
{
	EXPECT_EQ(get_spi(self, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(IPsecSaContextGetSpi0(self->h, self->id, &self->g0, NULL),
		  FWP_E_NULL_POINTER);
	expect_untouched(_metadata, self);
}

/* SetSpi0 and GetSpi1 of id with g both fail with rc and change nothing. */
static void expect_both_fail(struct __test_metadata *_metadata,
			     FIXTURE_DATA(spi) *f, UINT64 id,
			     const IPSEC_GETSPI1 *g, DWORD rc)
{
	IPSEC_SA_SPI spi = 0x5a5a;

	EXPECT_EQ(IPsecSaContextSetSpi0(f->h, id, g, SPI_A), rc);
	EXPECT_EQ(IPsecSaContextGetSpi1(f->h, id, g, &spi), rc);
	EXPECT_EQ(spi, 0x5a5a);
	expect_untouched(_metadata, f);
}

/* A test: the valid GETSPI, changed by the statements, fails with rc. */
#define GETSPI_FAILS(name, rc, ...)					\
	TEST_F(spi, name)						\
	{								\
		IPSEC_GETSPI1 g = self->g;				\
									\
		__VA_ARGS__;						\
		expect_both_fail(_metadata, self, self->id, &g, rc);	\
	}

GETSPI_FAILS(getspi_ip_version_differs_from_traffic, FWP_E_TRAFFIC_MISMATCH,
	     g.ipVersion = FWP_IP_VERSION_V6);

GETSPI_FAILS(local_address_differs_from_context, FWP_E_TRAFFIC_MISMATCH,
	     g.inboundIpsecTraffic.localV4Address++);

GETSPI_FAILS(remote_address_differs_from_context, FWP_E_TRAFFIC_MISMATCH,
	     g.inboundIpsecTraffic.remoteV4Address++);

/* The inbound traffic names this host as local, like the context. */
GETSPI_FAILS(addresses_swapped, FWP_E_TRAFFIC_MISMATCH,
	     g.inboundIpsecTraffic.localV4Address = self->t.remoteV4Address;
	     g.inboundIpsecTraffic.remoteV4Address = self->t.localV4Address);

TEST_F(spi, ip_version_differs_from_context)
{
	struct peer p6;

	peer_set(true, false, 0, &p6);
	expect_both_fail(_metadata, self, self->id, &p6.g,
			 FWP_E_TRAFFIC_MISMATCH);
}

GETSPI_FAILS(traffic_type_differs_from_context, FWP_E_TRAFFIC_MISMATCH,
	     g.inboundIpsecTraffic.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL);

/* As for Create (contexts.rst). */
GETSPI_FAILS(inbound_traffic_malformed, FWP_E_INVALID_ENUMERATOR,
	     g.inboundIpsecTraffic.ipVersion = 7; g.ipVersion = 7);

GETSPI_FAILS(inbound_traffic_zero_address, FWP_E_INVALID_PARAMETER,
	     g.inboundIpsecTraffic.remoteV4Address = 0);

static IPSEC_V4_UDP_ENCAPSULATION0 no_local_port = { 0, 4500 };
static IPSEC_V4_UDP_ENCAPSULATION0 no_remote_port = { 4500, 0 };

GETSPI_FAILS(udp_encap_zero_local_port, FWP_E_INVALID_PARAMETER,
	     g.inboundUdpEncapsulation = &no_local_port);

GETSPI_FAILS(udp_encap_zero_remote_port, FWP_E_INVALID_PARAMETER,
	     g.inboundUdpEncapsulation = &no_remote_port);

TEST_F(spi, spi_zero)
{
	EXPECT_EQ(set_spi(self, 0), FWP_E_INVALID_PARAMETER);
	expect_untouched(_metadata, self);
}

TEST_F(spi, spi_1_to_255)
{
	EXPECT_EQ(set_spi(self, 1), FWP_E_INVALID_PARAMETER);
	EXPECT_EQ(set_spi(self, 255), FWP_E_INVALID_PARAMETER);
	expect_untouched(_metadata, self);
}

TEST_F(spi, spi_256_and_ffffffff_accepted)
{
	struct peer p;

	ASSERT_EQ(set_spi(self, 256), ERROR_SUCCESS);
	expect_larval(_metadata, 256, self->local, self->remote, false);
	expect_spi_set(_metadata, self, self->id, 256);

	peer_ctx(_metadata, self, false, false, 1, &p);
	ASSERT_EQ(IPsecSaContextSetSpi0(self->h, p.id, &p.g, 0xffffffff),
		  ERROR_SUCCESS);
	expect_larval(_metadata, 0xffffffff, p.local, p.remote, false);
}

TEST_F(spi, odd_spi_accepted)
{
	EXPECT_EQ(set_spi(self, 0x12345), ERROR_SUCCESS);
	EXPECT_EQ(sa_find(-1, 0x12345, IPPROTO_ESP, NULL), 1);
}

TEST_F(spi, unknown_id)
{
	EXPECT_EQ(IPsecSaContextSetSpi0(self->h, 0, &self->g, SPI_A),
		  FWP_E_NOT_FOUND);
	expect_both_fail(_metadata, self, self->id + 1000000, &self->g,
			 FWP_E_NOT_FOUND);
}

TEST_F(spi, deleted_id)
{
	UINT64 id2 = ctx_create(_metadata, self, &self->t);

	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, id2), ERROR_SUCCESS);
	expect_both_fail(_metadata, self, id2, &self->g, FWP_E_NOT_FOUND);
}

/* The main context as another session names it, and what it must get. */
struct foreign {
	UINT64 id;
	IPSEC_GETSPI1 g;
	DWORD want;
	bool own_ns;		/* in a namespace of its own: no SA there */
};

/*
 * SetSpi0 and GetSpi1 of fo's context from a new engine: both fail with
 * fo->want.  The exit code says which check failed.
 */
static int foreign_calls(const struct foreign *fo)
{
	IPSEC_SA_SPI spi = 0;
	HANDLE h;
	int ret = 0;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	if (IPsecSaContextSetSpi0(h, fo->id, &fo->g, SPI_A) != fo->want)
		ret = 12;
	else if (IPsecSaContextGetSpi1(h, fo->id, &fo->g, &spi) != fo->want)
		ret = 13;
	else if (fo->own_ns && sa_count(-1) != 0)
		ret = 14;
	FwpmEngineClose0(h);
	return ret;
}

static int spi_from_new_netns(void *arg)
{
	return unshare(CLONE_NEWNET) ? 10 : foreign_calls(arg);
}

TEST_F(spi, other_namespace_id)
{
	struct foreign fo = {
		.id = self->id, .g = self->g, .want = FWP_E_NOT_FOUND,
		.own_ns = true,
	};

	EXPECT_EQ(run_in_child(spi_from_new_netns, &fo), 0);
	expect_untouched(_metadata, self);
}

TEST_F(spi, spi_taken_by_ip_xfrm_same_addresses)
{
	struct xs x;

	ASSERT_EQ(ip_esp_add(self->remote, self->local, SPI_A, false), 0);
	EXPECT_EQ(set_spi(self, SPI_A), FWP_E_ALREADY_EXISTS);
	expect_created(_metadata, self, self->id);
	EXPECT_EQ(sa_count(-1), 1);
	ASSERT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, &x), 1);
	EXPECT_TRUE(x.crypt);
	/* Once the other SA is gone, the context can have the SPI. */
	ASSERT_EQ(ip_esp_del(self->remote, self->local, SPI_A), 0);
	expect_untouched(_metadata, self);
}

/*
 * The SPI is unique per destination across control planes (what 6.1's
 * inbound lookup by daddr, SPI and protocol needs), not across
 * destinations: a state of another plane at another address, of either
 * family, leaves the SPI free for this context.  Both states stay.
 */
TEST_F(spi, spi_of_another_destination_is_free)
{
	ASSERT_EQ(ip_esp_add("203.0.113.5", "203.0.113.6", SPI_A, false), 0);
	ASSERT_EQ(ip_esp_add("2001:db8:9::1", "2001:db8:9::2", SPI_A, false), 0);
	EXPECT_EQ(set_spi(self, SPI_A), ERROR_SUCCESS);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_count(-1), 3);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 3);
	ASSERT_EQ(ip_esp_del("203.0.113.5", "203.0.113.6", SPI_A), 0);
	ASSERT_EQ(ip_esp_del("2001:db8:9::1", "2001:db8:9::2", SPI_A), 0);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_count(-1), 1);
}

TEST_F(spi, spi_taken_by_other_context)
{
	struct peer p;

	/* Neither address in common. */
	other_ctx(_metadata, self, "192.0.2.2", "198.51.100.7", &p);
	ASSERT_EQ(IPsecSaContextSetSpi0(self->h, p.id, &p.g, SPI_A),
		  ERROR_SUCCESS);
	EXPECT_EQ(set_spi(self, SPI_A), FWP_E_ALREADY_EXISTS);
	expect_created(_metadata, self, self->id);
	expect_spi_set(_metadata, self, p.id, SPI_A);
	EXPECT_EQ(sa_count(-1), 1);
	expect_larval(_metadata, SPI_A, "192.0.2.2", "198.51.100.7", false);
}

TEST_F(spi, ah_state_with_same_spi_does_not_block)
{
	/* The SPI space checked is ESP's. */
	ASSERT_EQ(sh("ip xfrm state add src %s dst %s proto ah spi 0x%x "
		     "mode transport auth 'hmac(sha256)' "
		     "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		     self->remote, self->local, SPI_A), 0);
	EXPECT_EQ(set_spi(self, SPI_A), ERROR_SUCCESS);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 1);
	EXPECT_EQ(sa_count(-1), 2);
}

TEST_F(spi, set_spi_twice)
{
	ASSERT_EQ(set_spi(self, SPI_A), ERROR_SUCCESS);
	EXPECT_EQ(set_spi(self, SPI_B), FWP_E_INCOMPATIBLE_SA_STATE);
	EXPECT_EQ(set_spi(self, SPI_A), FWP_E_INCOMPATIBLE_SA_STATE);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_count(-1), 1);
	expect_larval(_metadata, SPI_A, self->local, self->remote, false);
	/* SPI_B is still free. */
	EXPECT_EQ(ip_esp_add(self->remote, self->local, SPI_B, false), 0);
}

TEST_F(spi, set_spi_after_get_spi)
{
	IPSEC_SA_SPI spi = 0;

	ASSERT_EQ(get_spi(self, &spi), ERROR_SUCCESS);
	EXPECT_EQ(set_spi(self, SPI_A), FWP_E_INCOMPATIBLE_SA_STATE);
	expect_spi_set(_metadata, self, self->id, spi);
	EXPECT_EQ(sa_count(-1), 1);
	EXPECT_EQ(sa_find(-1, spi, IPPROTO_ESP, NULL), 1);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 0);
}

TEST_F(spi, get_spi_after_set_spi)
{
	IPSEC_SA_SPI spi = 0x5a5a;

	ASSERT_EQ(set_spi(self, SPI_A), ERROR_SUCCESS);
	EXPECT_EQ(get_spi(self, &spi), FWP_E_INCOMPATIBLE_SA_STATE);
	EXPECT_EQ(IPsecSaContextGetSpi0(self->h, self->id, &self->g0, &spi),
		  FWP_E_INCOMPATIBLE_SA_STATE);
	EXPECT_EQ(spi, 0x5a5a);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_count(-1), 1);
}

TEST_F(spi, get_spi_twice)
{
	IPSEC_SA_SPI spi = 0, spi2 = 0x5a5a;

	ASSERT_EQ(get_spi(self, &spi), ERROR_SUCCESS);
	EXPECT_EQ(get_spi(self, &spi2), FWP_E_INCOMPATIBLE_SA_STATE);
	EXPECT_EQ(spi2, 0x5a5a);
	expect_spi_set(_metadata, self, self->id, spi);
	EXPECT_EQ(sa_count(-1), 1);
}

static int spi_without_cap_net_admin(void *arg)
{
	return drop_cap_net_admin() ? 10 : foreign_calls(arg);
}

TEST_F(spi, session_without_cap_net_admin)
{
	struct foreign fo = {
		.id = self->id, .g = self->g, .want = ERROR_ACCESS_DENIED,
	};

	EXPECT_EQ(run_in_child(spi_without_cap_net_admin, &fo), 0);
	expect_untouched(_metadata, self);
}

TEST_F(spi, bad_engine_handle)
{
	IPSEC_SA_SPI spi = 0x5a5a;
	HANDLE closed = engine_closed(_metadata);
	int dummy;

	EXPECT_EQ(IPsecSaContextSetSpi0(NULL, self->id, &self->g, SPI_A),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextSetSpi0((HANDLE)&dummy, self->id, &self->g,
					SPI_A), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextSetSpi0(closed, self->id, &self->g, SPI_A),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextGetSpi1((HANDLE)&dummy, self->id, &self->g,
					&spi), ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextGetSpi0(closed, self->id, &self->g0, &spi),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(spi, 0x5a5a);
	expect_untouched(_metadata, self);
}

/* ---------------------------------------------------------- GetSpi range */

static int write_u32(const char *path, UINT32 v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u", v);
	return write_str(path, buf);
}

/*
 * Every write must keep spi_min <= spi_max: a range wholly above the
 * current one moves its top first, any other its bottom first.
 */
static void set_range(struct __test_metadata *_metadata, UINT32 lo, UINT32 hi)
{
	if (lo > read_u32(_metadata, SPI_MAX_PATH)) {
		ASSERT_EQ(write_u32(SPI_MAX_PATH, hi), 0);
		ASSERT_EQ(write_u32(SPI_MIN_PATH, lo), 0);
	} else {
		ASSERT_EQ(write_u32(SPI_MIN_PATH, lo), 0);
		ASSERT_EQ(write_u32(SPI_MAX_PATH, hi), 0);
	}
	ASSERT_EQ(read_u32(_metadata, SPI_MIN_PATH), lo);
	ASSERT_EQ(read_u32(_metadata, SPI_MAX_PATH), hi);
}

TEST_F(spi, get_spi_one_spi_range_then_quota)
{
	const UINT32 X = 0xd0c0ffee;
	IPSEC_SA_SPI spi = 0, spi2 = 0x5a5a;
	struct peer p;

	set_range(_metadata, X, X);
	ASSERT_EQ(get_spi(self, &spi), ERROR_SUCCESS);
	EXPECT_EQ(spi, X);
	expect_larval(_metadata, X, self->local, self->remote, false);

	other_ctx(_metadata, self, "192.0.2.1", "198.51.100.2", &p);
	EXPECT_EQ(IPsecSaContextGetSpi1(self->h, p.id, &p.g, &spi2),
		  ERROR_NOT_ENOUGH_QUOTA);
	EXPECT_EQ(spi2, 0x5a5a);
	expect_created(_metadata, self, p.id);
	EXPECT_EQ(sa_count(-1), 1);
}

/* Only "no free SPI in range" is quota: a free one is always found. */
TEST_F(spi, get_spi_finds_last_free_spi_in_range)
{
	const UINT32 X = 0xd0000400;
	int i, quota = 0, other = 0;

	set_range(_metadata, X, X + 1);
	ASSERT_EQ(ip_esp_add(self->remote, self->local, X, false), 0);
	for (i = 0; i < 32; i++) {
		IPSEC_SA_SPI spi = 0;
		DWORD rc;

		rc = get_spi(self, &spi);
		if (rc == ERROR_NOT_ENOUGH_QUOTA) {
			quota++;
			expect_created(_metadata, self, self->id);
			continue;
		}
		if (rc != ERROR_SUCCESS || spi != X + 1) {
			TH_LOG("try %d: %#x, spi %#x", i, rc, spi);
			other++;
		}
		/* A fresh context for the next try frees X + 1 again. */
		main_renew(_metadata, self);
	}
	EXPECT_EQ(quota, 0) TH_LOG("%d of 32 GetSpi1 found no SPI though %#x was free",
				   quota, X + 1);
	EXPECT_EQ(other, 0);
	EXPECT_EQ(sa_count(-1), 1);
}

/*
 * A larval state made by xfrm_find_acq() carries an acquire timer of
 * net.core.xfrm_acq_expires seconds, which the reservation had to switch
 * off before it fired; at 0 it fires at once.  The module's larval states
 * have no acquire timer: reservations work whatever the sysctl says.
 */
#define ACQ_ZERO_ROUNDS	500

TEST_F_TIMEOUT(spi, reservations_with_acq_expires_zero, 240)
{
	int i, bad = 0;
	DWORD rc;

	ASSERT_EQ(read_str(ACQ_PATH, self->acq_saved,
			   sizeof(self->acq_saved)), 0);
	ASSERT_EQ(write_str(ACQ_PATH, "0"), 0);
	for (i = 0; i < ACQ_ZERO_ROUNDS; i++) {
		IPSEC_SA_SPI spi = 0;

		rc = i % 2 ? get_spi(self, &spi) : set_spi(self, SPI_A + i);
		if (rc != ERROR_SUCCESS && bad++ < 5)
			TH_LOG("round %d: %#x", i, rc);
		main_renew(_metadata, self);
	}
	EXPECT_EQ(bad, 0);
	/* And the last one outlives a timer that would have fired. */
	ASSERT_EQ(set_spi(self, SPI_B), ERROR_SUCCESS);
	sleep(2);
	EXPECT_EQ(sa_find(-1, SPI_B, IPPROTO_ESP, NULL), 1);
	expect_spi_set(_metadata, self, self->id, SPI_B);
}

/*
 * GetSpi under a storm of PF_KEY SADB_FLUSHes, each of which may take
 * the reservation just made (and with it the context, through the
 * notifier): no call fails or hangs.  af_key serialises on the
 * xfrm_cfg_mutex a reservation holds, so a flush lands between two
 * reservations, never inside one.
 */
#define FLUSH_RACE_ROUNDS	3000

static void pfkey_flush_forever(void)
{
	struct sadb_msg m = pfkey_msg(SADB_FLUSH);
	int s = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The flush is done before its reply finds the socket's queue
	 * full (ENOBUFS), so the replies are never read.
	 */
	for (;;)
		if (write(s, &m, sizeof(m)) < 0 && errno != ENOBUFS)
			_exit(errno);
}

TEST_F_TIMEOUT(spi, get_spi_while_pfkey_flushes, 240)
{
	int i, bad = 0;
	DWORD rc;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		pfkey_flush_forever();
	for (i = 0; i < FLUSH_RACE_ROUNDS; i++) {
		IPSEC_SA_SPI spi = 0;

		rc = get_spi(self, &spi);
		if (rc != ERROR_SUCCESS && bad++ < 5)
			TH_LOG("round %d: %#x", i, rc);
		/* The flush may have taken the context with its SA. */
		rc = IPsecSaContextDeleteById0(self->h, self->id);
		EXPECT_TRUE(rc == ERROR_SUCCESS || rc == FWP_E_NOT_FOUND);
		main_create(_metadata, self);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_EQ(bad, 0);
}

/*
 * Every control plane at once on one small pool of SPIs at this host's
 * address: `ip xfrm state allocspi` with min = max (xfrm_alloc_spi's
 * walk of every state), `ip xfrm state add` with explicit SPIs
 * (xfrm_state_add's lookup) and the module's SetSpi0 and GetSpi1.  Each
 * loop of the others deletes a state only after making it, so it only
 * ever deletes its own.  No two states may ever share (daddr, SPI,
 * protocol), which is what 6.1's inbound lookup keys on; the module
 * must win some SPIs and lose others.
 */
#define POOL_X		0xd0000500U
#define POOL_N		8
#define POOL_PEER	"198.51.100.77"
#define POOL_PEER6	"2001:db8:77::77"
#define POOL_PEER_OF(local)	(strchr(local, ':') ? POOL_PEER6 : POOL_PEER)
/* At least this long, and until every other plane took an SPI. */
#define POOL_SECONDS	8
#define POOL_MAX_SECONDS	200
#define POOL_SLOTS	4
#define POOL_MAX_STATES	64

/* A loop of `ip xfrm`; each SPI it took appends a byte to tally. */
static pid_t pool_plane(const char *local, bool allocspi, const char *tally)
{
	char take[512], script[1024];
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (allocspi)
		snprintf(take, sizeof(take),
			 "ip xfrm state allocspi src %s dst %s proto esp "
			 "mode transport reqid 7 min $s max $s",
			 POOL_PEER_OF(local), local);
	else
		snprintf(take, sizeof(take),
			 "ip xfrm state add src %s dst %s proto esp spi $s "
			 "mode transport reqid 8 " ESP_KEY,
			 POOL_PEER_OF(local), local);
	snprintf(script, sizeof(script),
		 "i=%d; while :; do s=$((%u + i %% %u)); i=$((i + 1)); "
		 "if %s >/dev/null 2>&1; then ip xfrm state delete src %s "
		 "dst %s proto esp spi $s; printf x >>%s; fi; done",
		 allocspi ? 0 : 3, POOL_X, POOL_N, take, POOL_PEER_OF(local), local,
		 tally);
	execl("/bin/sh", "sh", "-c", script, (char *)NULL);
	_exit(127);
}

/*
 * Forks a plane: the parent gets the child's pid, the child 0, a death
 * with its parent and *out, its tally opened for appending.
 */
static pid_t pool_fork(const char *tally, int *out)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		*out = open(tally, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			    0600);
	}
	return pid;
}

/* One netlink request on fd; the reply's type, or -1. */
static int pool_nl_talk(int fd, void *req, size_t len)
{
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	const struct nlmsgerr *e = NLMSG_DATA(nh);

	if (send(fd, req, len, 0) < 0 || recv(fd, buf, sizeof(buf), 0) <= 0)
		return -1;
	if (nh->nlmsg_type == NLMSG_ERROR && !e->error)
		return 0;
	return nh->nlmsg_type == NLMSG_ERROR ? -1 : nh->nlmsg_type;
}

/*
 * The allocspi loop again, over xfrm netlink from C: thousands of tries
 * a second where the shell's make tens.
 */
static pid_t pool_plane_nl(const char *local, const char *tally)
{
	struct {
		struct nlmsghdr nh;
		struct xfrm_userspi_info u;
	} a = { .nh = { .nlmsg_len = sizeof(a), .nlmsg_type =
			XFRM_MSG_ALLOCSPI, .nlmsg_flags = NLM_F_REQUEST } };
	struct {
		struct nlmsghdr nh;
		struct xfrm_usersa_id id;
	} d = { .nh = { .nlmsg_len = sizeof(d), .nlmsg_type = XFRM_MSG_DELSA,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK } };
	int fd, out = -1, alen, i;
	pid_t pid = pool_fork(tally, &out);

	if (pid)
		return pid;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	alen = wfp_addr_bytes(local, (UINT8 *)&a.u.info.id.daddr);
	wfp_addr_bytes(POOL_PEER_OF(local), (UINT8 *)&a.u.info.saddr);
	a.u.info.family = alen == 4 ? AF_INET : AF_INET6;
	a.u.info.id.proto = IPPROTO_ESP;
	a.u.info.mode = XFRM_MODE_TRANSPORT;
	a.u.info.reqid = 9;
	d.id.daddr = a.u.info.id.daddr;
	d.id.family = a.u.info.family;
	d.id.proto = IPPROTO_ESP;
	for (i = 0; fd >= 0 && out >= 0; i++) {
		a.u.min = a.u.max = POOL_X + (UINT32)i % POOL_N;
		if (pool_nl_talk(fd, &a, sizeof(a)) != XFRM_MSG_NEWSA)
			continue;
		/* Held a while, as a negotiation would, for the dumps. */
		usleep(500);
		d.id.spi = htonl(a.u.min);
		if (pool_nl_talk(fd, &d, sizeof(d)) ||
		    write(out, "x", 1) != 1)
			break;
	}
	_exit(1);
}

/* PF_KEY: a message being built, in 8-byte units as RFC 2367 counts. */
struct pfk {
	uint64_t buf[32];
	size_t len;		/* bytes */
};

static void *pfk_ext(struct pfk *m, size_t len, UINT16 type)
{
	struct sadb_ext *e = (struct sadb_ext *)((char *)m->buf + m->len);

	len = (len + 7) & ~(size_t)7;
	memset(e, 0, len);
	e->sadb_ext_len = len / 8;
	e->sadb_ext_type = type;
	m->len += len;
	return e;
}

static void pfk_addr(struct pfk *m, UINT16 type, const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	bool v6 = strchr(text, ':');
	size_t sl = v6 ? sizeof(*s6) : sizeof(*s4);
	struct sadb_address *a = pfk_ext(m, sizeof(*a) + sl, type);

	ss.ss_family = v6 ? AF_INET6 : AF_INET;
	inet_pton(ss.ss_family, text, v6 ? (void *)&s6->sin6_addr :
					   (void *)&s4->sin_addr);
	a->sadb_address_prefixlen = v6 ? 128 : 32;
	memcpy(a + 1, &ss, sl);
}

/* SADB_GETSPI (min = max = spi) or SADB_DELETE of it, from peer to local. */
static void pfk_build(struct pfk *m, UINT8 type, const char *local, UINT32 spi,
		      UINT32 seq)
{
	struct sadb_msg *h;

	m->len = 0;
	h = (struct sadb_msg *)pfk_ext(m, sizeof(*h), 0);
	*h = pfkey_msg(type);	/* its length is set last */
	h->sadb_msg_satype = SADB_SATYPE_ESP;
	h->sadb_msg_seq = seq;
	if (type == SADB_DELETE) {
		struct sadb_sa *sa = pfk_ext(m, sizeof(*sa), SADB_EXT_SA);

		sa->sadb_sa_spi = htonl(spi);
	}
	pfk_addr(m, SADB_EXT_ADDRESS_SRC, POOL_PEER_OF(local));
	pfk_addr(m, SADB_EXT_ADDRESS_DST, local);
	if (type == SADB_GETSPI) {
		struct sadb_spirange *r = pfk_ext(m, sizeof(*r),
						  SADB_EXT_SPIRANGE);

		r->sadb_spirange_min = spi;
		r->sadb_spirange_max = spi;
	}
	h->sadb_msg_len = m->len / 8;
}

/* Sends m; the errno of its own reply (skipping others' broadcasts). */
static int pfk_talk(int fd, struct pfk *m)
{
	const struct sadb_msg *q = (const struct sadb_msg *)m->buf;
	uint64_t in[512];
	const struct sadb_msg *r = (const struct sadb_msg *)in;

	if (write(fd, m->buf, m->len) != (ssize_t)m->len)
		return errno;
	while (read(fd, in, sizeof(in)) > 0)
		if (r->sadb_msg_pid == q->sadb_msg_pid &&
		    r->sadb_msg_seq == q->sadb_msg_seq &&
		    r->sadb_msg_type == q->sadb_msg_type)
			return r->sadb_msg_errno;
	return errno;
}

/*
 * The allocspi loop over PF_KEY, which - unlike xfrm netlink - does not
 * take the xfrm_cfg_mutex the module holds: the one other plane whose
 * reservations can interleave with the module's own.
 */
static pid_t pool_plane_pfkey(const char *local, const char *tally)
{
	struct pfk m;
	UINT32 seq = 0, spi;
	int fd, out = -1;
	pid_t pid = pool_fork(tally, &out);

	if (pid)
		return pid;
	fd = socket(PF_KEY, SOCK_RAW | SOCK_CLOEXEC, PF_KEY_V2);
	while (fd >= 0 && out >= 0) {
		spi = POOL_X + seq % POOL_N;
		pfk_build(&m, SADB_GETSPI, local, spi, ++seq);
		if (pfk_talk(fd, &m))
			continue;
		usleep(500);
		pfk_build(&m, SADB_DELETE, local, spi, ++seq);
		if (pfk_talk(fd, &m) || write(out, "x", 1) != 1)
			break;
	}
	_exit(1);
}

struct pool_tally {
	int won, lost, other, dups, dumps;
};

/* One reservation in slot k: a fresh context, SetSpi0 or GetSpi1. */
static void pool_round(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f,
		       UINT64 *slot, int round, struct pool_tally *t)
{
	IPSEC_SA_SPI spi = 0;
	DWORD rc;

	if (*slot) {
		rc = IPsecSaContextDeleteById0(f->h, *slot);
		EXPECT_EQ(rc, ERROR_SUCCESS) TH_LOG("round %d", round);
	}
	*slot = 0;
	ASSERT_EQ(IPsecSaContextCreate1(f->h, &f->t, NULL, NULL, slot),
		  ERROR_SUCCESS);
	if (round & 1) {
		rc = IPsecSaContextGetSpi1(f->h, *slot, &f->g, &spi);
	} else {
		spi = POOL_X + (UINT32)(round / 2) % POOL_N;
		rc = IPsecSaContextSetSpi0(f->h, *slot, &f->g, spi);
	}
	if (rc == ERROR_SUCCESS && spi - POOL_X < POOL_N)
		t->won++;
	else if (rc == FWP_E_ALREADY_EXISTS || rc == ERROR_NOT_ENOUGH_QUOTA)
		t->lost++;
	else if (t->other++ < 5)
		TH_LOG("round %d: %#x, spi %#x", round, rc, spi);
}

static void pool_check(struct __test_metadata *_metadata,
		       struct pool_tally *t)
{
	struct xs_id v[POOL_MAX_STATES];
	int n = sa_ids_dump(v, POOL_MAX_STATES), i;

	ASSERT_GE(n, 0);
	t->dumps++;
	i = sa_ids_duplicate(v, n);
	if (i >= 0 && t->dups++ < 5)
		TH_LOG("two states with SPI %#x, protocol %d", v[i].spi,
		       v[i].proto);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* Whether a plane has not taken an SPI yet (each is slow on debug). */
static bool pool_idle_plane(const char *const *tally)
{
	int i;

	for (i = 0; i < 4; i++)
		if (file_size(tally[i]) <= 0)
			return true;
	return false;
}

TEST_F_TIMEOUT(spi, every_plane_on_one_pool_never_duplicates, 300)
{
	static const char *const tally[4] = { "/tmp/spi-pool-allocspi",
					      "/tmp/spi-pool-add",
					      "/tmp/spi-pool-netlink",
					      "/tmp/spi-pool-pfkey" };
	UINT64 slots[POOL_SLOTS] = { 0 };
	struct pool_tally t = { 0 };
	struct timespec t0;
	pid_t planes[4];
	int round, i;

	set_range(_metadata, POOL_X, POOL_X + POOL_N - 1);
	for (i = 0; i < 4; i++)
		unlink(tally[i]);
	planes[0] = pool_plane(self->local, true, tally[0]);
	planes[1] = pool_plane(self->local, false, tally[1]);
	planes[2] = pool_plane_nl(self->local, tally[2]);
	planes[3] = pool_plane_pfkey(self->local, tally[3]);
	for (i = 0; i < 4; i++) {
		ASSERT_GT(planes[i], 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round = 0; elapsed(&t0) < POOL_SECONDS ||
			(pool_idle_plane(tally) && elapsed(&t0) < POOL_MAX_SECONDS);
	     round++) {
		pool_round(_metadata, self, &slots[round % POOL_SLOTS], round,
			   &t);
		pool_check(_metadata, &t);
		/* Leaves the two CPUs' time to the shell loops too. */
		usleep(300);
	}
	for (i = 0; i < 4; i++) {
		kill(planes[i], SIGKILL);
		waitpid(planes[i], NULL, 0);
	}
	TH_LOG("others took SPIs: %ld times with ip xfrm allocspi, %ld with ip xfrm add, %ld with ALLOCSPI from C, %ld with SADB_GETSPI",
	       file_size(tally[0]), file_size(tally[1]), file_size(tally[2]),
	       file_size(tally[3]));
	for (i = 0; i < 4; i++)
		EXPECT_GT(file_size(tally[i]), 0);
	pool_check(_metadata, &t);
	for (i = 0; i < POOL_SLOTS; i++)
		if (slots[i])
			EXPECT_EQ(IPsecSaContextDeleteById0(self->h, slots[i]),
				  ERROR_SUCCESS);
	TH_LOG("%d rounds: %d won, %d lost to another state, %d dumps",
	       round, t.won, t.lost, t.dumps);
	EXPECT_EQ(t.dups, 0);
	EXPECT_EQ(t.other, 0);
	EXPECT_GT(t.won, 0);
	EXPECT_GT(t.lost, 0);
}

/*
 * 6.1's xfrm hashes a state into its bydst table by (daddr + saddr) ^
 * reqid (net/xfrm/xfrm_hash.h, __xfrm_dst_hash).  Contexts made in the
 * order of their peers' addresses - a concentrator's clients, a scale
 * test - used to get reqids in the same order, and the two cancelled
 * out: 100k such larval states fell into 10 buckets, every
 * xfrm_state_add() walking them all.  Here 64 contexts for consecutive
 * peers, hashed as xfrm does into 1024 buckets, must spread as random
 * values would: 64 random values take 62 of 1024 buckets on average,
 * fewer than 56 about once in 10^4 draws.  (The reqids are a fixed
 * function of creation order, so the count is the same on every run.)
 */
#define SPREAD_N	64
#define SPREAD_HMASK	1023U

static unsigned int xfrm4_dst_bucket(const struct xs *x)
{
	UINT32 d, sa, h;

	memcpy(&d, x->daddr, 4);
	memcpy(&sa, x->saddr, 4);
	h = AF_INET ^ x->reqid ^ ntohl(d + sa);
	return (h ^ (h >> 16)) & SPREAD_HMASK;
}

TEST_F(spi, consecutive_peers_spread_over_xfrm_buckets)
{
	bool used[SPREAD_HMASK + 1] = { false };
	int i, n, buckets = 0;
	struct peer p;
	struct xs *v;

	for (i = 0; i < SPREAD_N - 1; i++) {
		peer_ctx(_metadata, self, false, false, 1 + i, &p);
		ASSERT_EQ(IPsecSaContextSetSpi0(self->h, p.id, &p.g, SPI_A + i),
			  ERROR_SUCCESS);
	}
	ASSERT_EQ(IPsecSaContextSetSpi0(self->h, self->id, &self->g, SPI_B),
		  ERROR_SUCCESS);
	n = sa_dump(-1, &v);
	ASSERT_EQ(n, SPREAD_N);
	for (i = 0; i < n; i++) {
		unsigned int b = xfrm4_dst_bucket(&v[i]);

		buckets += !used[b];
		used[b] = true;
	}
	free(v);
	TH_LOG("%d larval states in %d of %u buckets", n, buckets,
	       SPREAD_HMASK + 1);
	EXPECT_GE(buckets, 56);
}

/* An inverted range cannot be set, whichever bound is written. */
TEST_F(spi, get_spi_inverted_range_refused)
{
	const UINT32 X = 0xd0000100;
	IPSEC_SA_SPI spi = 0;

	set_range(_metadata, X, X + 15);
	EXPECT_EQ(write_u32(SPI_MIN_PATH, X + 16), -EINVAL);
	EXPECT_EQ(write_u32(SPI_MAX_PATH, X - 1), -EINVAL);
	EXPECT_EQ(read_u32(_metadata, SPI_MIN_PATH), X);
	EXPECT_EQ(read_u32(_metadata, SPI_MAX_PATH), X + 15);
	/* Control: a one-SPI range is not inverted. */
	EXPECT_EQ(write_u32(SPI_MIN_PATH, X + 15), 0);
	EXPECT_EQ(write_u32(SPI_MAX_PATH, X + 15), 0);
	ASSERT_EQ(get_spi(self, &spi), ERROR_SUCCESS);
	EXPECT_EQ(spi, X + 15);
}

TEST_F(spi, spi_params_below_256_refused)
{
	UINT32 lo = read_u32(_metadata, SPI_MIN_PATH);
	UINT32 hi = read_u32(_metadata, SPI_MAX_PATH);

	EXPECT_EQ(write_str(SPI_MIN_PATH, "255"), -EINVAL);
	EXPECT_EQ(write_str(SPI_MIN_PATH, "0"), -EINVAL);
	EXPECT_EQ(write_str(SPI_MAX_PATH, "255"), -EINVAL);
	EXPECT_EQ(read_u32(_metadata, SPI_MIN_PATH), lo);
	EXPECT_EQ(read_u32(_metadata, SPI_MAX_PATH), hi);
	/* Control: 256 is a valid bound, for both. */
	EXPECT_EQ(write_str(SPI_MIN_PATH, "256"), 0);
	EXPECT_EQ(read_u32(_metadata, SPI_MIN_PATH), 256);
	EXPECT_EQ(write_str(SPI_MAX_PATH, "256"), 0);
	EXPECT_EQ(read_u32(_metadata, SPI_MAX_PATH), 256);
}

static int cmp_u32(const void *a, const void *b)
{
	UINT32 x = *(const UINT32 *)a, y = *(const UINT32 *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(spi, get_spi1_distinct_for_10000_contexts, 120)
{
	UINT32 lo = read_u32(_metadata, SPI_MIN_PATH);
	UINT32 hi = read_u32(_metadata, SPI_MAX_PATH);
	UINT32 *spis, *xspis, *reqids;
	struct timespec t0;
	struct peer p;
	struct xs *v;
	double secs;
	int i, n, bad = 0;

	self->many = calloc(MANY, sizeof(*self->many));
	spis = calloc(MANY, sizeof(*spis));
	xspis = calloc(MANY, sizeof(*xspis));
	reqids = calloc(MANY, sizeof(*reqids));
	ASSERT_TRUE(self->many && spis && xspis && reqids);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MANY; i++) {
		peer_set(false, false, i + 1, &p);
		ASSERT_EQ(IPsecSaContextCreate1(self->h, &p.t, NULL, NULL,
						&self->many[i]), ERROR_SUCCESS);
		self->nmany++;
	}
	ksft_print_msg("%d contexts created in %.2f s\n", MANY, elapsed(&t0));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MANY; i++) {
		peer_set(false, false, i + 1, &p);
		ASSERT_EQ(IPsecSaContextGetSpi1(self->h, self->many[i], &p.g,
						&spis[i]), ERROR_SUCCESS)
			TH_LOG("context %d", i);
	}
	secs = elapsed(&t0);
	ksft_print_msg("%d GetSpi1 in %.2f s (%.0f/s)\n", MANY, secs,
		       MANY / secs);

	for (i = 0; i < MANY; i++)
		if (spis[i] < lo || spis[i] > hi)
			bad++;
	EXPECT_EQ(bad, 0) TH_LOG("SPIs outside [%#x, %#x]", lo, hi);
	qsort(spis, MANY, sizeof(*spis), cmp_u32);
	for (i = 1, bad = 0; i < MANY; i++)
		if (spis[i] == spis[i - 1])
			bad++;
	EXPECT_EQ(bad, 0) TH_LOG("duplicate SPIs");

	/* xfrm holds exactly these, each with a reqid of its own. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = sa_dump(-1, &v);
	ksft_print_msg("libnl dump of %d states in %.2f s\n", n, elapsed(&t0));
	ASSERT_EQ(n, MANY);
	for (i = 0; i < MANY; i++) {
		EXPECT_EQ(v[i].proto, IPPROTO_ESP);
		xspis[i] = v[i].spi;
		reqids[i] = v[i].reqid;
	}
	free(v);
	qsort(xspis, MANY, sizeof(*xspis), cmp_u32);
	EXPECT_EQ(memcmp(spis, xspis, MANY * sizeof(*spis)), 0);
	qsort(reqids, MANY, sizeof(*reqids), cmp_u32);
	for (i = 1, bad = 0; i < MANY; i++)
		if (reqids[i] == reqids[i - 1] || reqids[i] < REQID_MIN)
			bad++;
	EXPECT_EQ(bad, 0) TH_LOG("reqids shared or below %#x", REQID_MIN);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MANY; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, self->many[i]),
			  ERROR_SUCCESS);
	self->nmany = 0;
	ksft_print_msg("%d contexts deleted in %.2f s\n", MANY, elapsed(&t0));
	EXPECT_EQ(sa_count(-1), 0);
	free(spis);
	free(xspis);
	free(reqids);
}

/* ---------------------------------------------------------------- races */

/* Shared with the children: what each got, and the context it made. */
struct race {
	DWORD rc[NRACE];
	UINT64 id[NRACE];
};

/*
 * Child i: its own session; its own context (peer i + 1) unless id is
 * given; waits at the barrier, then SetSpi0(spi).  Exits non-zero when it
 * could not get that far.
 */
static void race_child(struct race *r, int i, UINT64 id, UINT32 spi,
		       int ready_w, int go_r)
{
	struct peer p;
	HANDLE h;
	char c;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		_exit(1);
	peer_set(false, false, id ? 0 : i + 1, &p);
	if (!id) {
		if (IPsecSaContextCreate1(h, &p.t, NULL, NULL, &id))
			_exit(2);
		r->id[i] = id;
	}
	if (write(ready_w, "r", 1) != 1)
		_exit(3);
	/* EOF when the parent closes the pipe: everyone wakes at once. */
	if (read(go_r, &c, 1) != 0)
		_exit(4);
	r->rc[i] = IPsecSaContextSetSpi0(h, id, &p.g, spi);
	FwpmEngineClose0(h);
	_exit(0);
}

/* Runs NRACE children; spi + i if distinct, else spi for all. */
static void race(struct __test_metadata *_metadata, struct race *r,
		 UINT64 id, UINT32 spi, bool distinct)
{
	int ready[2], go[2], i, status;
	pid_t pids[NRACE];
	char c;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < NRACE; i++)
		r->rc[i] = 0xdeadbeef;
	ASSERT_EQ(pipe2(ready, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(go, O_CLOEXEC), 0);
	for (i = 0; i < NRACE; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			close(ready[0]);
			close(go[1]);
			race_child(r, i, id, distinct ? spi + i : spi,
				   ready[1], go[0]);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (i = 0; i < NRACE; i++) {
		ASSERT_EQ(read(ready[0], &c, 1), 1);
	}
	close(go[1]);
	close(ready[0]);
	for (i = 0; i < NRACE; i++) {
		ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("child %d: status %#x", i, status);
	}
}

/*
 * Exactly one child's SetSpi0 won and every other one got lose: the
 * winner's index.  Other codes are logged; a failed check ends the test.
 */
static int race_winner(struct __test_metadata *_metadata,
		       const struct race *r, int round, DWORD lose)
{
	int wins = 0, lost = 0, winner = -1, i;

	for (i = 0; i < NRACE; i++) {
		if (r->rc[i] == ERROR_SUCCESS) {
			wins++;
			winner = i;
		} else if (r->rc[i] == lose) {
			lost++;
		} else {
			TH_LOG("round %d child %d: %#x", round, i, r->rc[i]);
		}
	}
	EXPECT_EQ(wins, 1) TH_LOG("round %d", round);
	EXPECT_EQ(lost, NRACE - 1) TH_LOG("round %d", round);
	ASSERT_GE(winner, 0);
	return winner;
}

TEST_F_TIMEOUT(spi, racing_set_spi_same_spi_one_wins, 120)
{
	struct race *r = wfp_shared_mem(_metadata, sizeof(*r));
	int round, i;

	for (round = 0; round < RACE_ROUNDS; round++) {
		UINT32 spi = SPI_A + round;
		char local[INET6_ADDRSTRLEN], remote[INET6_ADDRSTRLEN];
		int winner;

		race(_metadata, r, 0, spi, false);
		for (i = 0; i < NRACE; i++) {
			ASSERT_NE(r->id[i], 0);
			ASSERT_LT(self->nids, MAX_IDS);
			self->ids[self->nids++] = r->id[i];
		}
		winner = race_winner(_metadata, r, round,
				     FWP_E_ALREADY_EXISTS);
		ASSERT_EQ(sa_count(-1), 1);
		peer_addrs(false, winner + 1, local, remote);
		expect_larval(_metadata, spi, local, remote, false);
		for (i = 0; i < NRACE; i++) {
			if (i == winner)
				expect_spi_set(_metadata, self, r->id[i], spi);
			else
				expect_created(_metadata, self, r->id[i]);
			EXPECT_EQ(IPsecSaContextDeleteById0(self->h, r->id[i]),
				  ERROR_SUCCESS);
		}
		self->nids = 0;
		ASSERT_EQ(sa_count(-1), 0);
	}
	munmap(r, sizeof(*r));
}

TEST_F_TIMEOUT(spi, racing_set_spi_same_context_one_wins, 120)
{
	struct race *r = wfp_shared_mem(_metadata, sizeof(*r));
	int round;

	for (round = 0; round < RACE_ROUNDS; round++) {
		UINT32 spi = SPI_A + round * NRACE;
		int winner;

		if (round)
			main_renew(_metadata, self);
		race(_metadata, r, self->id, spi, true);
		winner = race_winner(_metadata, r, round,
				     FWP_E_INCOMPATIBLE_SA_STATE);
		ASSERT_EQ(sa_count(-1), 1);
		expect_larval(_metadata, spi + winner, self->local,
			      self->remote, false);
		expect_spi_set(_metadata, self, self->id, spi + winner);
	}
	munmap(r, sizeof(*r));
}

/* -------------------------------------------------------- namespace exit */

static int reservations_in_new_netns(void *arg)
{
	IPSEC_SA_SPI spi;
	struct peer p;
	UINT64 id;
	HANDLE h;
	int i;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	for (i = 0; i < 200; i++) {
		bool v6 = i & 1, tunnel = i & 2;

		peer_set(v6, tunnel, i, &p);
		if (IPsecSaContextCreate1(h, &p.t, NULL, NULL, &id))
			return 12;
		if (i % 5 == 4)
			continue;	/* left in CREATED */
		if (i % 5 == 3) {
			if (IPsecSaContextGetSpi1(h, id, &p.g, &spi))
				return 13;
		} else if (IPsecSaContextSetSpi0(h, id, &p.g, SPI_A + i)) {
			return 14;
		}
	}
	if (sa_count(-1) != 160)
		return 15;
	/* The session stays open: it goes with the process, then the
	 * namespace with its contexts and their larval states.
	 */
	return 0;
}

TEST_F(spi, namespace_exit_with_reservations_is_clean)
{
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_EQ(run_in_child(reservations_in_new_netns, NULL), 0);
	/* Namespace cleanup is asynchronous; a splat it causes fails the
	 * run.  Give it time to happen while this test is still running.
	 */
	sleep(1);
	expect_untouched(_metadata, self);
}

/* ============================================================ raw ioctls */

/* A valid SET request for context id, in kernel form. */
static void raw_req(struct __test_metadata *_metadata, FIXTURE_DATA(spi) *f,
		    UINT64 id, struct wfp_ipsec_spi *r)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->inbound = ctx_info(_metadata, f->fd, id).traffic;
	r->spi = SPI_A;
}

static void raw_expect(struct __test_metadata *_metadata,
		       FIXTURE_DATA(spi) *f, unsigned long cmd,
		       struct wfp_ipsec_spi *r, int err)
{
	EXPECT_EQ(wfp_test_ioctl(f->fd, cmd, r), err);
}

/* r: the valid request, changed by the statements, SET refused with err. */
#define SET_REFUSED(err, ...) do {					\
		raw_req(_metadata, self, self->id, &r);			\
		__VA_ARGS__;						\
		raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI,	\
			   &r, err);					\
	} while (0)

/* As SET_REFUSED, then GET (spi 0) of the same request refused too. */
#define BOTH_REFUSED(err, ...) do {					\
		SET_REFUSED(err, __VA_ARGS__);				\
		r.spi = 0;						\
		raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_GET_SPI,	\
			   &r, err);					\
	} while (0)

TEST_F(spi, raw_valid_request_control)
{
	struct wfp_ipsec_spi r;

	raw_req(_metadata, self, self->id, &r);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_SET_SPI, &r), 0);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_find(-1, SPI_A, IPPROTO_ESP, NULL), 1);
}

TEST_F(spi, raw_reserved0)
{
	struct wfp_ipsec_spi r;

	BOTH_REFUSED(-EINVAL, r.reserved0 = 1);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_reserved)
{
	struct wfp_ipsec_spi r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r.reserved); i++)
		BOTH_REFUSED(-EINVAL, r.reserved[i] = 1ULL << 63);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_inbound_traffic_reserved)
{
	struct wfp_ipsec_spi r;

	SET_REFUSED(-EINVAL, r.inbound.reserved0 = 1);
	SET_REFUSED(-EINVAL, r.inbound.reserved1 = 1);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_unknown_flags)
{
	struct wfp_ipsec_spi r;

	SET_REFUSED(-EINVAL, r.flags = 1U << 1);
	SET_REFUSED(-EINVAL, r.flags = 1U << 31);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_encap_ports_without_flag)
{
	struct wfp_ipsec_spi r;

	SET_REFUSED(-EINVAL, r.encap_local_port = htons(4500));
	SET_REFUSED(-EINVAL, r.encap_remote_port = htons(4500));
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_encap_flag_zero_port)
{
	struct wfp_ipsec_spi r;

	SET_REFUSED(-EINVAL, r.flags = WFP_IPSEC_SPI_F_UDP_ENCAP;
			     r.encap_local_port = htons(4500));
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_encap_flag_ipv6)
{
	struct wfp_ipsec_spi r;
	struct peer p;

	peer_ctx(_metadata, self, true, false, 0, &p);
	raw_req(_metadata, self, p.id, &r);
	r.spi = SPI_B;
	r.flags = WFP_IPSEC_SPI_F_UDP_ENCAP;
	r.encap_local_port = htons(4500);
	r.encap_remote_port = htons(4500);
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI, &r, -EINVAL);
	expect_created(_metadata, self, p.id);
	/* Control: without the flag it goes in. */
	r.flags = 0;
	r.encap_local_port = 0;
	r.encap_remote_port = 0;
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI, &r, 0);
	EXPECT_EQ(sa_find(-1, SPI_B, IPPROTO_ESP, NULL), 1);
}

TEST_F(spi, raw_get_with_spi)
{
	struct wfp_ipsec_spi r;

	raw_req(_metadata, self, self->id, &r);
	r.spi = 0xd0000001;
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_GET_SPI, &r, -EINVAL);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_set_spi_below_256)
{
	struct wfp_ipsec_spi r;

	SET_REFUSED(-EINVAL, r.spi = 0);
	SET_REFUSED(-EINVAL, r.spi = 255);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_traffic_mismatch_exdev)
{
	struct wfp_ipsec_spi r;

	BOTH_REFUSED(-EXDEV, r.inbound.remote_addr[3] ^= 1);
	SET_REFUSED(-EXDEV, r.inbound.local_addr[3] ^= 1);
	SET_REFUSED(-EXDEV, r.inbound.traffic_type = WFP_IPSEC_TRAFFIC_TUNNEL);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_state_ebusy)
{
	struct wfp_ipsec_spi r;

	raw_req(_metadata, self, self->id, &r);
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI, &r, 0);
	r.spi = SPI_B;
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI, &r, -EBUSY);
	r.spi = 0;
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_GET_SPI, &r, -EBUSY);
	expect_spi_set(_metadata, self, self->id, SPI_A);
	EXPECT_EQ(sa_count(-1), 1);
}

TEST_F(spi, raw_taken_eexist)
{
	struct wfp_ipsec_spi r;

	ASSERT_EQ(ip_esp_add(self->remote, self->local, SPI_A, false), 0);
	raw_req(_metadata, self, self->id, &r);
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_SET_SPI, &r, -EEXIST);
	expect_created(_metadata, self, self->id);
	EXPECT_EQ(sa_count(-1), 1);
	ASSERT_EQ(ip_esp_del(self->remote, self->local, SPI_A), 0);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_unknown_id_enoent)
{
	struct wfp_ipsec_spi r;

	BOTH_REFUSED(-ENOENT, r.id += 1000000);
	expect_untouched(_metadata, self);
}

TEST_F(spi, raw_range_exhausted_enospc)
{
	struct wfp_ipsec_spi r;
	IPSEC_SA_SPI spi = 0;
	struct peer p;

	set_range(_metadata, 0xd0000300, 0xd0000301);
	other_ctx(_metadata, self, "192.0.2.1", "198.51.100.2", &p);
	ASSERT_EQ(IPsecSaContextGetSpi1(self->h, p.id, &p.g, &spi),
		  ERROR_SUCCESS);
	ASSERT_EQ(ip_esp_add(self->remote, self->local,
			     spi == 0xd0000300 ? 0xd0000301 : 0xd0000300,
			     false), 0);
	raw_req(_metadata, self, self->id, &r);
	r.spi = 0;
	raw_expect(_metadata, self, WFP_IPSEC_IOC_CTX_GET_SPI, &r, -ENOSPC);
	expect_created(_metadata, self, self->id);
	EXPECT_EQ(sa_count(-1), 2);
}

TEST_HARNESS_MAIN
