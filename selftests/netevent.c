// SPDX-License-Identifier: GPL-2.0
/*
 * Net events (FwpmNetEventSubscribe0, Documentation/netevents.rst).
 *
 * FIXTURE trap: side A - the test process, in a network namespace of
 * its own - adds a BLOCK filter at the outbound transport layer (a trap)
 * over its traffic to side B, over veth.  Traffic A sends is dropped and
 * raises FWPM_NET_EVENT_TYPE_CLASSIFY_DROP naming the filter, its layer
 * and the packet's 5-tuple; removing the filter restores the traffic and
 * leaves no policy and no larval state.  An event drives a keying
 * sequence: the callback's thread adds the IPsec filters and an SA
 * context bound to them, B is keyed with `ip xfrm`, and ping then passes
 * through ESP.  IPv4 and IPv6.
 *
 * FIXTURE fwd: A forwards between B and a third side, C; a BLOCK filter
 * at A's IPFORWARD layer over C's traffic to B is a trap as well: the
 * event names the IPFORWARD layer and C's flow.  One that does not name
 * both addresses stays a plain block of forwarded traffic.
 *
 * FIXTURE kdrop: A's SA context bound to its IPsec filters, B keyed with
 * `ip xfrm`.  With B's keys from another seed, B's ping fails A's ICV
 * check: FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP names A's inbound SPI and
 * inbound filter; a drop from before the subscription is never
 * reported, nor is anything while the keys match.
 *
 * FIXTURE one: the delivery (template, SubscriptionsGet0, Unsubscribe0
 * from the callback, a raw reader's queue overflow and its count), the
 * numbers of Documentation/netevents.rst (acquire-to-event latency,
 * events per second), and one test per error path.
 *
 * Every test runs in a network namespace of its own and leaves it with
 * no filter and no xfrm policy or state.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <wchar.h>

#include "wfp_fb.h"
#include "wfp_sa.h"

#define SEED		7
#define SPI_OUT		0x2000b001U
#define QLEN_PATH	"/proc/sys/net/wfp_ipsec/event_queue_len"

/* FWPS runtime layer ids (wfp-filter-facts.md 3.7). */
#define LAYER_IN_V4	12
#define LAYER_IN_V6	14
#define LAYER_OUT_V4	16
#define LAYER_OUT_V6	18
#define LAYER_FWD_V4	8
#define LAYER_FWD_V6	10

/* ntstatus.h */
#define STATUS_IPSEC_REPLAY_CHECK_FAILED	((INT32)0xC0360004)
#define STATUS_IPSEC_INTEGRITY_CHECK_FAILED	((INT32)0xC0360006)

/* Keys of this program's objects: the last byte tells them apart. */
enum { K_PROV = 1, K_TRAP, K_OUT, K_IN, K_MAX };

#define tkey(n)	wfp_test_key(0xf117e517, n)

static DWORD filter_del(HANDLE h, UINT8 n)
{
	GUID k = tkey(n);

	return FwpmFilterDeleteByKey0(h, &k);
}

/* ---------------------------------------------------- what arrived */

#define CAUGHT_MAX	4096

/* One event as the callback saw it, and when. */
struct caught {
	FWPM_NET_EVENT1 ev;
	FWPM_NET_EVENT_CLASSIFY_DROP1 cd;
	FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 kd;
	long long at_ns;	/* CLOCK_REALTIME at the callback */
};

/* What a subscription's callback collects; on_event runs first. */
struct catcher {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int n;
	struct caught *v;
	void (*on_event)(struct catcher *c, const FWPM_NET_EVENT1 *ev);
	void *arg;
};

static void catcher_init(struct catcher *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->v = calloc(CAUGHT_MAX, sizeof(*c->v));
}

static void catcher_free(struct catcher *c)
{
	free(c->v);
	c->v = NULL;
}

static void CALLBACK catch_event(void *ctx, const FWPM_NET_EVENT1 *ev)
{
	struct catcher *c = ctx;
	struct caught *k;

	if (c->on_event)
		c->on_event(c, ev);
	pthread_mutex_lock(&c->lock);
	if (c->n < CAUGHT_MAX) {
		k = &c->v[c->n++];
		k->at_ns = wfp_clock_ns(CLOCK_REALTIME);
		k->ev = *ev;
		if (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP)
			k->cd = *ev->classifyDrop;
		if (ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP)
			k->kd = *ev->ipsecDrop;
		k->ev.classifyDrop = NULL;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Waits up to ms for at least n events; how many there are. */
static unsigned int catcher_wait(struct catcher *c, unsigned int n, int ms)
{
	struct timespec dl = wfp_deadline(CLOCK_REALTIME, ms);
	unsigned int got;

	pthread_mutex_lock(&c->lock);
	while (c->n < n &&
	       !pthread_cond_timedwait(&c->cond, &c->lock, &dl))
		;
	got = c->n;
	pthread_mutex_unlock(&c->lock);
	return got;
}

static DWORD subscribe(HANDLE h, const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t,
		       struct catcher *c, HANDLE *sub)
{
	FWPM_NET_EVENT_SUBSCRIPTION0 s;

	memset(&s, 0, sizeof(s));
	s.enumTemplate = (FWPM_NET_EVENT_ENUM_TEMPLATE0 *)t;
	return FwpmNetEventSubscribe0(h, &s, catch_event, c, sub);
}

/* h has n net-event subscriptions, as SubscriptionsGet0 counts them. */
static void expect_subs(struct __test_metadata *_metadata, HANDLE h,
			UINT32 n)
{
	FWPM_NET_EVENT_SUBSCRIPTION0 **subs;
	UINT32 got = n + 1;	/* not n unless the call writes it */

	ASSERT_EQ(FwpmNetEventSubscriptionsGet0(h, &subs, &got),
		  ERROR_SUCCESS);
	EXPECT_EQ(got, n);
	FwpmFreeMemory0((void **)&subs);
}

/* ------------------------------------------------------- filters */

/*
 * A filter of this program between two hosts: callout NULL, a BLOCK
 * filter; local/remote: host conditions.
 */
static void fb_between(struct fb *b, UINT8 key, const GUID *layer,
		       const GUID *callout, const char *local,
		       const char *remote)
{
	memset(b, 0, sizeof(*b));
	b->f.filterKey = tkey(key);
	b->f.displayData.name = L"net event test filter";
	b->f.layerKey = *layer;
	b->f.action.type = callout ? FWP_ACTION_CALLOUT_TERMINATING :
				     FWP_ACTION_BLOCK;
	if (callout)
		b->f.action.calloutKey = *callout;
	b->pk = tkey(K_PROV);
	b->f.providerKey = &b->pk;
	b->f.filterCondition = b->c;
	fb_host(b, &FWPM_CONDITION_IP_LOCAL_ADDRESS, local);
	fb_host(b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, remote);
}

static const GUID *out_layer(bool v6)
{
	return v6 ? &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 :
		    &FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
}

/* The trap over e's traffic; its id. */
static UINT64 trap_add(struct __test_metadata *_metadata, struct env *e)
{
	struct fb b;
	UINT64 id = 0;

	fb_between(&b, K_TRAP, out_layer(e->v6), NULL, e->a_host, e->b_host);
	EXPECT_EQ(FwpmFilterAdd0(e->h, &b.f, NULL, &id), ERROR_SUCCESS);
	EXPECT_NE(id, 0);
	return id;
}

static void objects_teardown(struct env *e)
{
	GUID k = tkey(K_PROV);
	int i;

	for (i = 0; i < e->nids; i++) {
		if (e->ids[i])
			IPsecSaContextDeleteById0(e->h, e->ids[i]);
		e->ids[i] = 0;
	}
	for (i = K_TRAP; i < K_MAX; i++)
		filter_del(e->h, i);
	FwpmProviderDeleteByKey0(e->h, &k);
}

/* -------------------------------------------------------- checks */

/* The event header's addresses, read as its ipVersion says: these. */
static void expect_addrs(struct __test_metadata *_metadata,
			 const FWPM_NET_EVENT1 *ev, const char *local,
			 const char *remote)
{
	UINT8 l[16], r[16], wl[16], wr[16];
	int alen = wfp_addr_bytes(local, wl);
	UINT32 a;

	wfp_addr_bytes(remote, wr);
	if (ev->header.ipVersion == FWP_IP_VERSION_V6) {
		memcpy(l, ev->header.localAddrV6.byteArray16, 16);
		memcpy(r, ev->header.remoteAddrV6.byteArray16, 16);
	} else {
		a = htonl(ev->header.localAddrV4);
		memcpy(l, &a, 4);
		a = htonl(ev->header.remoteAddrV4);
		memcpy(r, &a, 4);
	}
	EXPECT_EQ(memcmp(l, wl, alen), 0);
	EXPECT_EQ(memcmp(r, wr, alen), 0);
}

/* FILETIME of an event as CLOCK_REALTIME nanoseconds. */
static long long ev_ns(const FWPM_NET_EVENT1 *ev)
{
	UINT64 ft = (UINT64)ev->header.timeStamp.dwHighDateTime << 32 |
		    ev->header.timeStamp.dwLowDateTime;

	return (long long)((ft - 116444736000000000ULL) * 100);
}

#define ALL_SET	(FWPM_NET_EVENT_FLAG_IP_VERSION_SET | \
		 FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | \
		 FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET | \
		 FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | \
		 FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET | \
		 FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET)

/* What a CLASSIFY_DROP must say: the flow it dropped, and where. */
struct drop_want {
	UINT64 id;
	int layer;
	const char *src, *dst;
	int proto, sport, dport;
};

/* The first event c caught, within 5 s: that CLASSIFY_DROP. */
static void expect_drop_of(struct __test_metadata *_metadata,
			   struct catcher *c, const struct drop_want *w)
{
	const struct caught *k = &c->v[0];
	long long age;
	long long ft;

	ASSERT_GE(catcher_wait(c, 1, 5000), 1);
	age = wfp_clock_ns(CLOCK_REALTIME) - k->at_ns;
	ASSERT_EQ(k->ev.type, FWPM_NET_EVENT_TYPE_CLASSIFY_DROP);
	EXPECT_EQ(k->cd.filterId, w->id);
	EXPECT_EQ(k->cd.layerId, w->layer);
	EXPECT_EQ(k->ev.header.flags, ALL_SET);
	EXPECT_EQ(k->ev.header.ipVersion, strchr(w->src, ':') ?
			FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4);
	EXPECT_EQ(k->ev.header.ipProtocol, w->proto);
	expect_addrs(_metadata, &k->ev, w->src, w->dst);
	EXPECT_EQ(k->ev.header.localPort, w->sport);
	EXPECT_EQ(k->ev.header.remotePort, w->dport);
	/* FILETIME of the drop: within the minute before the callback. */
	ft = ev_ns(&k->ev);
	EXPECT_LE(ft, k->at_ns);
	EXPECT_GT(ft, k->at_ns - 60000000000LL - age);
}

/* The first event: a CLASSIFY_DROP of filter id for A's traffic to B. */
static void expect_drop(struct __test_metadata *_metadata, struct env *e,
			struct catcher *c, UINT64 id, int proto, int lport,
			int rport)
{
	struct drop_want w = {
		.id = id, .layer = e->v6 ? LAYER_OUT_V6 : LAYER_OUT_V4,
		.src = e->a_host, .dst = e->b_host,
		.proto = proto, .sport = lport, .dport = rport,
	};

	expect_drop_of(_metadata, c, &w);
}

/* Larval states (ACQ, SPI 0) of A's namespace. */
static int larval_count(void)
{
	struct xs *v;
	int n = sa_dump(-1, &v), i, c = 0;

	for (i = 0; i < n; i++)
		c += !v[i].spi;
	free(v);
	return n < 0 ? n : c;
}

/* A UDP datagram from A's lport to B's rport; 0 when sent, or -1. */
static int udp_send(struct env *e, int lport, int rport)
{
	int s = udp_socket(-1, e->v6, e->a_host, lport, false), ret;

	if (s < 0)
		return -1;
	ret = udp_send_to(s, e->v6, e->b_host, rport, "x");
	close(s);
	return ret;
}

/* ============================================================= fixtures */

/* A fixture's variants: env_setup()'s flags for IPv4, and for IPv6. */
#define V4_V6_VARIANTS(fixture)						\
	FIXTURE_VARIANT(fixture) {					\
		unsigned int flags;					\
	};								\
	FIXTURE_VARIANT_ADD(fixture, v4) { .flags = 0 };		\
	FIXTURE_VARIANT_ADD(fixture, v6) { .flags = ENV_V6 }

/* What every peer fixture starts with: A, B, the provider, a catcher. */
static void pair_setup(struct __test_metadata *_metadata, struct env *e,
		       struct catcher *c, unsigned int flags)
{
	catcher_init(c);
	env_setup(_metadata, e, ENV_PEER | flags);
	ASSERT_EQ(provider_add_key(e->h, tkey(K_PROV)), ERROR_SUCCESS);
}

/* And ends with: nothing of A's may be left in xfrm. */
static void pair_teardown(struct __test_metadata *_metadata, struct env *e,
			  struct catcher *c, HANDLE sub)
{
	if (e->h) {
		FwpmNetEventUnsubscribe0(e->h, sub);
		objects_teardown(e);
		EXPECT_EQ(sp_count(-1), 0);
		EXPECT_EQ(sa_count(-1), 0);
	}
	env_teardown(e);
	catcher_free(c);
}

/* ================================================================ trap */

FIXTURE(trap) {
	struct env e;
	struct catcher c;
	HANDLE sub;
};

V4_V6_VARIANTS(trap);

FIXTURE_SETUP(trap)
{
	pair_setup(_metadata, &self->e, &self->c, variant->flags);
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
}

FIXTURE_TEARDOWN(trap)
{
	pair_teardown(_metadata, &self->e, &self->c, self->sub);
}

/*
 * The trap's policy allows through a template no SA matches; ping is
 * dropped, raises one event (the larval state answers the retries), and
 * passes again once the filter is gone, with nothing left behind.
 */
TEST_F_TIMEOUT(trap, ping_raises_classify_drop, 120)
{
	struct env *e = &self->e;
	UINT64 id = trap_add(_metadata, e);
	struct xp *v;

	ASSERT_EQ(sp_dump(-1, &v), 1);
	EXPECT_EQ(v[0].dir, XFRM_POLICY_OUT);
	EXPECT_EQ(v[0].action, XFRM_POLICY_ALLOW);
	EXPECT_EQ(v[0].ntmpl, 1);
	EXPECT_EQ(v[0].tproto, IPPROTO_ESP);
	EXPECT_EQ(v[0].tmode, XFRM_MODE_TRANSPORT);
	EXPECT_GE(v[0].reqid, 0x40000000U);
	free(v);

	EXPECT_TRUE(ping_lost(e, false));
	/* Echo request: ICMP type 8 (ICMPv6 128) as the local port. */
	expect_drop(_metadata, e, &self->c, id,
		    e->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, e->v6 ? 128 : 8, 0);
	EXPECT_EQ(larval_count(), 1);
	EXPECT_TRUE(ping_lost(e, false));
	EXPECT_EQ(catcher_wait(&self->c, 2, 300), 1)
		TH_LOG("the larval state should hold the flow's retries");

	ASSERT_EQ(filter_del(e->h, K_TRAP), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(sa_count(-1), 0) TH_LOG("a larval state was left");
	EXPECT_EQ(ping(e, false, 1), 0);
}

TEST_F_TIMEOUT(trap, udp_send_raises_classify_drop, 120)
{
	struct env *e = &self->e;
	UINT64 id = trap_add(_metadata, e);

	/* Dropped on the acquire path: sendto() may or may not say so. */
	udp_send(e, 5151, 4242);
	expect_drop(_metadata, e, &self->c, id, IPPROTO_UDP, 5151, 4242);
}

/*
 * Inbound traffic a trap does not cover: B's ping to A is answered by
 * A's echo reply, which is A's outbound traffic: it is the reply that
 * is trapped, with the reply's type (0, ICMPv6 129).
 */
TEST_F_TIMEOUT(trap, reply_to_peer_trapped, 120)
{
	struct env *e = &self->e;
	UINT64 id = trap_add(_metadata, e);

	EXPECT_TRUE(ping_lost(e, true));
	expect_drop(_metadata, e, &self->c, id,
		    e->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, e->v6 ? 129 : 0, 0);
}

/* ---------------------------------------------- keying on demand */

/* What the keying callback made, for the test thread. */
struct keying {
	struct env *e;
	UINT64 fo, fi, ctx;
	UINT32 spi_in;
	DWORD rc;
	bool done;
};

static DWORD ipsec_filter(struct env *e, bool out, UINT64 *id)
{
	const GUID *callout, *layer;
	struct fb b;

	if (out) {
		layer = out_layer(e->v6);
		callout = e->v6 ? &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6 :
				  &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	} else {
		layer = e->v6 ? &FWPM_LAYER_INBOUND_TRANSPORT_V6 :
				&FWPM_LAYER_INBOUND_TRANSPORT_V4;
		callout = e->v6 ? &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6 :
				  &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
	}
	fb_between(&b, out ? K_OUT : K_IN, layer, callout, e->a_host,
		   e->b_host);
	return FwpmFilterAdd0(e->h, &b.f, NULL, id);
}

/* A's IPsec filters over e's traffic, a context bound to them, keyed. */
static DWORD key_context(struct keying *k)
{
	struct env *e = k->e;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	struct gcm_sab s;
	DWORD rc;

	rc = ipsec_filter(e, true, &k->fo);
	if (!rc)
		rc = ipsec_filter(e, false, &k->fi);
	wfp_traffic_set(&t, false, e->a_out, e->b_out);
	t.ipsecFilterId = k->fo;
	if (!rc)
		rc = IPsecSaContextCreate1(e->h, &t, NULL, NULL, &k->ctx);
	wfp_getspi_set(&g, &t);
	g.inboundIpsecTraffic.ipsecFilterId = k->fi;
	if (!rc)
		rc = IPsecSaContextGetSpi1(e->h, k->ctx, &g, &k->spi_in);
	gcm_sab_init(&s, k->spi_in, SEED, DIR_IN, NULL);
	s.b.ipVersion = e->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
	if (!rc)
		rc = IPsecSaContextAddInbound1(e->h, k->ctx, &s.b);
	gcm_sab_init(&s, SPI_OUT, SEED, DIR_OUT, NULL);
	s.b.ipVersion = e->v6 ? FWP_IP_VERSION_V6 : FWP_IP_VERSION_V4;
	if (!rc)
		rc = IPsecSaContextAddOutbound1(e->h, k->ctx, &s.b);
	return rc;
}

/*
 * What an IKE daemon does on the event once its exchange is done: the
 * trap gives way to the IPsec filters of the same traffic (xfrm holds
 * one policy per selector), a context bound to them is keyed.
 */
static DWORD key_on_event(struct keying *k)
{
	DWORD rc = filter_del(k->e->h, K_TRAP);

	return rc ? rc : key_context(k);
}

static void keying_on_event(struct catcher *c, const FWPM_NET_EVENT1 *ev)
{
	struct keying *k = c->arg;

	if (k->done || ev->type != FWPM_NET_EVENT_TYPE_CLASSIFY_DROP)
		return;
	k->rc = key_on_event(k);
	k->done = true;
}

TEST_F_TIMEOUT(trap, event_drives_keying, 180)
{
	struct env *e = &self->e;
	struct keying k = { .e = e };

	self->c.arg = &k;
	self->c.on_event = keying_on_event;
	trap_add(_metadata, e);
	EXPECT_TRUE(ping_lost(e, false));
	ASSERT_GE(catcher_wait(&self->c, 1, 5000), 1);
	ASSERT_TRUE(k.done);
	ASSERT_EQ(k.rc, ERROR_SUCCESS) TH_LOG("%s", code_name(k.rc));
	env_keep(e, k.ctx);
	/* The trap's larval state went with it. */
	EXPECT_EQ(larval_count(), 0);
	gcm_b_states(_metadata, e, k.spi_in, SPI_OUT, SEED, 0);
	b_policies(_metadata, e);
	EXPECT_EQ(ping(e, false, 3), 0);
	EXPECT_GT(sa_packets(-1, SPI_OUT), 0) TH_LOG("not through ESP");
	EXPECT_GT(sa_packets(-1, k.spi_in), 0) TH_LOG("not through ESP");
	IPsecSaContextDeleteById0(e->h, k.ctx);
	env_forget(e, k.ctx);
	EXPECT_EQ(filter_del(e->h, K_OUT), ERROR_SUCCESS);
	EXPECT_EQ(filter_del(e->h, K_IN), ERROR_SUCCESS);
	sh_in(e->bns, "ip xfrm state flush; ip xfrm policy flush");
}

/* ================================================================= fwd */

/*
 * A as a router: side C behind it on a second veth (vc in A, vd in C),
 * B on the first.  C's traffic to B is forwarded by A; a BLOCK filter
 * at A's IPFORWARD layer is a trap too.
 */
FIXTURE(fwd) {
	struct env e;
	struct catcher c;
	HANDLE sub;
	int cns;		/* side C's namespace */
	const char *c_host;	/* its address */
};

V4_V6_VARIANTS(fwd);

/* A's end of the link to C, and A forwarding; C's route back from B. */
static int fwd_route(struct env *e, int cns, const char *c, const char *ac)
{
	const char *ip = e->v6 ? "-6" : "-4", *nd = e->v6 ? " nodad" : "";
	int plen = e->v6 ? 64 : 24;

	return sh("ip link set vc up && ip %s addr add %s/%d dev vc%s && "
		  "echo 1 > /proc/sys/net/ipv4/ip_forward && "
		  "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding",
		  ip, ac, plen, nd) ||
	       sh_in(cns, "ip link set lo up && ip link set vd up && "
		     "ip %s addr add %s/%d dev vd%s && "
		     "ip %s route add default via %s",
		     ip, c, plen, nd, ip, ac) ||
	       sh_in(e->bns, "ip %s route add %s via %s", ip, c, e->a_out);
}

/* Side C's namespace, linked to A; its descriptor, or -1. */
static int fwd_side_c(struct env *e, const char *c, const char *ac)
{
	char name[32], path[64];
	int cns, rc;

	snprintf(name, sizeof(name), "wfpc%d", getpid());
	if (sh("ip netns add %s", name))
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	cns = open(path, O_RDONLY | O_CLOEXEC);
	rc = cns < 0 ? -1 :
	     sh("ip link add vc type veth peer name vd netns %s", name);
	/* The descriptor keeps C alive; no name is left behind. */
	sh("ip netns del %s", name);
	if (!rc && !fwd_route(e, cns, c, ac))
		return cns;
	if (cns >= 0)
		close(cns);
	return -1;
}

FIXTURE_SETUP(fwd)
{
	struct env *e = &self->e;

	self->cns = -1;
	pair_setup(_metadata, e, &self->c, variant->flags);
	self->c_host = e->v6 ? "fd00:3::2" : "10.3.0.2";
	self->cns = fwd_side_c(e, self->c_host,
			       e->v6 ? "fd00:3::1" : "10.3.0.1");
	ASSERT_GE(self->cns, 0) TH_LOG("%s", g_last_cmd);
	ASSERT_EQ(subscribe(e->h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
}

FIXTURE_TEARDOWN(fwd)
{
	pair_teardown(_metadata, &self->e, &self->c, self->sub);
	if (self->cns >= 0)
		close(self->cns);
}

/* One echo request from C to B, forwarded by A; ping's status. */
static int fwd_ping(FIXTURE_DATA(fwd) *self, int wait_s)
{
	return sh_in(self->cns, "ping -c 1 -W %d %s >/dev/null 2>&1", wait_s,
		     self->e.b_host);
}

/*
 * The trap is an out policy (forwarded traffic's acquire path): C's
 * ping is dropped with an event naming the filter, the IPFORWARD layer
 * and C's flow (local = its source); A's own traffic, outside the
 * filter's conditions, passes; removing the filter restores C's.
 */
TEST_F_TIMEOUT(fwd, trap_raises_classify_drop, 120)
{
	struct env *e = &self->e;
	struct drop_want w = {
		.layer = e->v6 ? LAYER_FWD_V6 : LAYER_FWD_V4,
		.src = self->c_host, .dst = e->b_host,
		.proto = e->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
		.sport = e->v6 ? 128 : 8,
	};
	struct fb b;
	struct xp *v;

	ASSERT_EQ(fwd_ping(self, 2), 0) TH_LOG("C cannot reach B through A");
	fb_between(&b, K_TRAP, e->v6 ? &FWPM_LAYER_IPFORWARD_V6 :
				       &FWPM_LAYER_IPFORWARD_V4,
		   NULL, self->c_host, e->b_host);
	b.c[0].fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS;
	b.c[1].fieldKey = FWPM_CONDITION_IP_DESTINATION_ADDRESS;
	ASSERT_EQ(FwpmFilterAdd0(e->h, &b.f, NULL, &w.id), ERROR_SUCCESS);

	ASSERT_EQ(sp_dump(-1, &v), 1);
	EXPECT_EQ(v[0].dir, XFRM_POLICY_OUT);
	EXPECT_EQ(v[0].action, XFRM_POLICY_ALLOW);
	EXPECT_EQ(v[0].ntmpl, 1);
	EXPECT_EQ(v[0].tproto, IPPROTO_ESP);
	free(v);

	EXPECT_NE(fwd_ping(self, LOST_WAIT_MS / 1000), 0);
	expect_drop_of(_metadata, &self->c, &w);
	EXPECT_EQ(ping(e, false, 1), 0) TH_LOG("A's own traffic was trapped");

	ASSERT_EQ(filter_del(e->h, K_TRAP), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), 0);
	EXPECT_EQ(sa_count(-1), 0) TH_LOG("a larval state was left");
	EXPECT_EQ(fwd_ping(self, 2), 0);
}

/*
 * A forward BLOCK that does not name both addresses would, as an out
 * policy, trap A's own traffic too, and the fwd filters could not exempt
 * traffic from it: it stays a block in dir fwd, which drops C's ping and
 * raises no event, while A's traffic passes.  nconds 0: no condition;
 * 1: the destination only.
 */
static void fwd_block_stays(struct __test_metadata *_metadata,
			    FIXTURE_DATA(fwd) *self, int nconds)
{
	struct env *e = &self->e;
	UINT64 id = 0;
	struct fb b;
	struct xp *v;

	fb_between(&b, K_TRAP, e->v6 ? &FWPM_LAYER_IPFORWARD_V6 :
				       &FWPM_LAYER_IPFORWARD_V4,
		   NULL, e->b_host, self->c_host);
	b.c[0].fieldKey = FWPM_CONDITION_IP_DESTINATION_ADDRESS;
	b.f.numFilterConditions = nconds;
	ASSERT_EQ(FwpmFilterAdd0(e->h, &b.f, NULL, &id), ERROR_SUCCESS);
	ASSERT_EQ(sp_dump(-1, &v), 1);
	EXPECT_EQ(v[0].dir, XFRM_POLICY_FWD);
	EXPECT_EQ(v[0].action, XFRM_POLICY_BLOCK);
	EXPECT_EQ(v[0].ntmpl, 0);
	free(v);
	EXPECT_NE(fwd_ping(self, LOST_WAIT_MS / 1000), 0);
	EXPECT_EQ(ping(e, false, 1), 0) TH_LOG("A's own traffic was trapped");
	EXPECT_EQ(catcher_wait(&self->c, 1, 500), 0);
}

TEST_F_TIMEOUT(fwd, unaddressed_block_stays_fwd_block, 120)
{
	fwd_block_stays(_metadata, self, 0);
}

TEST_F_TIMEOUT(fwd, one_sided_block_stays_fwd_block, 120)
{
	fwd_block_stays(_metadata, self, 1);
}

/* =============================================================== kdrop */

FIXTURE(kdrop) {
	struct env e;
	struct catcher c;
	struct keying k;
	HANDLE sub;
};

V4_V6_VARIANTS(kdrop);

/* A keyed; B's states are the test's (its keys decide). */
FIXTURE_SETUP(kdrop)
{
	pair_setup(_metadata, &self->e, &self->c, variant->flags);
	self->k.e = &self->e;
	self->k.rc = key_context(&self->k);
	env_keep(&self->e, self->k.ctx);
	ASSERT_EQ(self->k.rc, ERROR_SUCCESS)
		TH_LOG("%s", code_name(self->k.rc));
}

FIXTURE_TEARDOWN(kdrop)
{
	if (self->e.h)
		sh_in(self->e.bns, "ip xfrm state flush; ip xfrm policy flush");
	pair_teardown(_metadata, &self->e, &self->c, self->sub);
}

/* B's states and policies; its keys from seed (A's: SEED). */
static void kdrop_b_keyed(struct __test_metadata *_metadata,
			  FIXTURE_DATA(kdrop) *self, unsigned int seed)
{
	gcm_b_states(_metadata, &self->e, self->k.spi_in, SPI_OUT, seed, 0);
	b_policies(_metadata, &self->e);
}

/* How many IPSEC_KERNEL_DROPs of spi the catcher holds; the first. */
static unsigned int kdrop_find(struct catcher *c, UINT32 spi,
			       struct caught *first)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->n; i++) {
		if (c->v[i].ev.type != FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP ||
		    c->v[i].kd.spi != spi)
			continue;
		if (!n++)
			*first = c->v[i];
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* A failure (status) of A's inbound SA, as the event gives it. */
static void expect_kdrop(struct __test_metadata *_metadata,
			 FIXTURE_DATA(kdrop) *self, INT32 status)
{
	struct env *e = &self->e;
	struct caught k;

	ASSERT_GE(catcher_wait(&self->c, 1, 5000), 1);
	ASSERT_GE(kdrop_find(&self->c, self->k.spi_in, &k), 1)
		TH_LOG("no IPSEC_KERNEL_DROP of SPI 0x%x", self->k.spi_in);
	EXPECT_EQ(k.kd.failureStatus, status);
	EXPECT_EQ(k.kd.direction, FWP_DIRECTION_INBOUND);
	EXPECT_EQ(k.kd.filterId, self->k.fi);
	EXPECT_EQ(k.kd.layerId, e->v6 ? LAYER_IN_V6 : LAYER_IN_V4);
	EXPECT_EQ(k.ev.header.flags, FWPM_NET_EVENT_FLAG_IP_VERSION_SET |
				     FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
				     FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET);
	expect_addrs(_metadata, &k.ev, e->a_out, e->b_out);
}

/* B keyed from another seed: its ESP fails A's ICV check. */
TEST_F_TIMEOUT(kdrop, wrong_key_raises_kernel_drop, 120)
{
	long long before = xstat(-1, "XfrmInStateProtoError");

	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
	kdrop_b_keyed(_metadata, self, SEED + 1);
	EXPECT_TRUE(ping_lost(&self->e, true));
	EXPECT_GT(xstat(-1, "XfrmInStateProtoError"), before);
	expect_kdrop(_metadata, self, STATUS_IPSEC_INTEGRITY_CHECK_FAILED);
}

/*
 * Drops while nobody subscribes are never reported, not even to a later
 * subscriber; the next drop is.
 */
TEST_F_TIMEOUT(kdrop, no_event_without_subscriber, 120)
{
	long long before = xstat(-1, "XfrmInStateProtoError");

	kdrop_b_keyed(_metadata, self, SEED + 1);
	EXPECT_TRUE(ping_lost(&self->e, true));
	EXPECT_GT(xstat(-1, "XfrmInStateProtoError"), before);
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
	EXPECT_EQ(catcher_wait(&self->c, 1, 1000), 0)
		TH_LOG("a drop from before the subscription was reported");
	EXPECT_TRUE(ping_lost(&self->e, true));
	expect_kdrop(_metadata, self, STATUS_IPSEC_INTEGRITY_CHECK_FAILED);
}

/*
 * B's states made again with the same keys start again at sequence
 * number 1, which A's anti-replay window has seen: B's ping is dropped
 * as a replay and reported with the replay status.
 */
TEST_F_TIMEOUT(kdrop, replayed_sequence_raises_kernel_drop, 120)
{
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
	kdrop_b_keyed(_metadata, self, SEED);
	ASSERT_EQ(ping(&self->e, true, 3), 0);
	EXPECT_EQ(catcher_wait(&self->c, 1, 1000), 0);
	ASSERT_EQ(sh_in(self->e.bns, "ip xfrm state flush"), 0);
	gcm_b_states(_metadata, &self->e, self->k.spi_in, SPI_OUT, SEED, 0);
	EXPECT_TRUE(ping_lost(&self->e, true));
	expect_kdrop(_metadata, self, STATUS_IPSEC_REPLAY_CHECK_FAILED);
}

/* Matching keys: traffic passes through the SAs and raises nothing. */
TEST_F_TIMEOUT(kdrop, none_without_failures, 120)
{
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
	kdrop_b_keyed(_metadata, self, SEED);
	EXPECT_EQ(ping(&self->e, true, 3), 0);
	EXPECT_GT(sa_packets(-1, self->k.spi_in), 0) TH_LOG("not through ESP");
	EXPECT_EQ(catcher_wait(&self->c, 1, 1000), 0);
}

/* ================================================================= one */

/*
 * A trap over A's traffic to all of 10.9.0.0/16, routed to B: every
 * address is a flow of its own (one larval state, one event each).
 */
#define WIDE_NET	"10.9.0.0"

FIXTURE(one) {
	struct env e;
	struct catcher c;
	HANDLE sub;
};

FIXTURE_SETUP(one)
{
	pair_setup(_metadata, &self->e, &self->c, 0);
}

/* Each test unsubscribes its own (self->sub: from the callback). */
FIXTURE_TEARDOWN(one)
{
	pair_teardown(_metadata, &self->e, &self->c, NULL);
}

static UINT64 wide_trap_add(struct __test_metadata *_metadata, struct env *e)
{
	struct fb b;
	UINT64 id = 0;

	ASSERT_EQ(sh("ip route add " WIDE_NET "/16 via %s dev va", e->b_out),
		  0) TH_LOG("%s", g_last_cmd);
	fb_between(&b, K_TRAP, out_layer(false), NULL, e->a_host, e->b_host);
	/* The remote condition is all of WIDE_NET rather than B. */
	b.f.numFilterConditions = 1;
	fb_addr(&b, &FWPM_CONDITION_IP_REMOTE_ADDRESS, WIDE_NET, 16);
	EXPECT_EQ(FwpmFilterAdd0(e->h, &b.f, NULL, &id), ERROR_SUCCESS);
	return id;
}

/* One UDP datagram from A to each of n addresses of WIDE_NET. */
static int wide_send(int n, int port)
{
	struct sockaddr_in sa;
	int s, i, sent = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	for (i = 0; i < n; i++) {
		sa.sin_addr.s_addr = htonl(0x0a090000 + 1 + (i / 250) * 256 +
					   i % 250);
		sent += sendto(s, "x", 1, 0, (struct sockaddr *)&sa,
			       sizeof(sa)) >= 0 ||
			errno == EHOSTUNREACH || errno == EAGAIN;
	}
	close(s);
	return sent;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The numbers of Documentation/netevents.rst: the latency from the drop
 * (the acquire's timestamp) to the callback, median and p99, and how
 * many events per second the library's thread delivers from a burst
 * of new flows, with what the queue dropped.
 */
TEST_F_TIMEOUT(one, numbers, 300)
{
	int n = wfp_scaled(400), i, got;
	struct catcher *c = &self->c;
	long long lat[50], t0, t1;
	HANDLE sub;
	UINT64 dropped = 0;

	wide_trap_add(_metadata, &self->e);
	ASSERT_EQ(subscribe(self->e.h, NULL, c, &sub), ERROR_SUCCESS);
	/* Latency: one flow at a time. */
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(wide_send(1, 1000 + i), 1);
		/* the same address again: a larval state holds it */
		ASSERT_GE(catcher_wait(c, i + 1, 5000), (unsigned int)i + 1);
		lat[i] = c->v[i].at_ns - ev_ns(&c->v[i].ev);
		sh("ip xfrm state flush");
	}
	qsort(lat, 50, sizeof(*lat), cmp_ll);
	printf("# acquire-to-callback latency: median %lld us, p99 %lld us "
	       "(50 events)\n", lat[25] / 1000, lat[49] / 1000);
	/* The harness ends the test's process with _exit(): flush now. */
	fflush(stdout);

	/* Throughput: n new flows at once. */
	pthread_mutex_lock(&c->lock);
	c->n = 0;
	pthread_mutex_unlock(&c->lock);
	t0 = wfp_clock_ns(CLOCK_REALTIME);
	EXPECT_EQ(wide_send(n, 2000), n);
	got = catcher_wait(c, n, 20000);
	EXPECT_EQ(WfpIpsecSaContextSubscriptionDropped0(self->e.h, sub,
							&dropped),
		  ERROR_SUCCESS);
	t1 = got ? c->v[got - 1].at_ns : wfp_clock_ns(CLOCK_REALTIME);
	printf("# burst of %d new flows: %d events in %lld ms (%lld/s), "
	       "%llu dropped\n", n, got, (t1 - t0) / 1000000,
	       t1 > t0 ? got * 1000000000LL / (t1 - t0) : 0,
	       (unsigned long long)dropped);
	fflush(stdout);
	EXPECT_EQ(got + (long long)dropped, n);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sub), ERROR_SUCCESS);
}

/* Net-event subscription on a raw session; its id. */
static int raw_net_subscribe(int fd, __u64 *id)
{
	struct wfp_ipsec_net_subscribe r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = wfp_test_ioctl(fd, WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE, &r);
	*id = r.id;
	return ret;
}

/*
 * A reader that does not read: its queue keeps event_queue_len events,
 * counts the rest, and says so in an OVERFLOW record after them.  A
 * buffer with room for an SA-context record only gets EINVAL.
 */
TEST_F_TIMEOUT(one, raw_queue_overflow_counted, 120)
{
	union {
		__u64 align;
		__u8 b[16 * sizeof(struct wfp_ipsec_net_event)];
	} buf;
	struct wfp_ipsec_net_event *nev = (void *)buf.b;
	struct wfp_ipsec_event *ev;
	UINT64 id = wide_trap_add(_metadata, &self->e);
	int fd = wfp_session(_metadata), i;
	__u64 sub;
	ssize_t n;

	/* A test that fails gets EAGAIN rather than waiting forever. */
	ASSERT_EQ(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	ASSERT_EQ(write_str(QLEN_PATH, "4"), 0);
	ASSERT_EQ(raw_net_subscribe(fd, &sub), 0);
	ASSERT_EQ(write_str(QLEN_PATH, "1024"), 0);
	EXPECT_EQ(wide_send(10, 3000), 10);
	usleep(200000);
	EXPECT_EQ(read(fd, buf.b, sizeof(struct wfp_ipsec_event)), -1);
	EXPECT_EQ(errno, EINVAL);
	n = read(fd, buf.b, sizeof(buf.b));
	ASSERT_EQ(n, 4 * sizeof(*nev) + sizeof(*ev));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(nev[i].type, WFP_IPSEC_EVENT_NET_CLASSIFY_DROP);
		EXPECT_EQ(nev[i].size, sizeof(*nev));
		EXPECT_EQ(nev[i].subscription, sub);
		EXPECT_EQ(nev[i].filter_id, id);
		EXPECT_EQ(nev[i].layer_id, LAYER_OUT_V4);
		EXPECT_EQ(nev[i].protocol, IPPROTO_UDP);
		EXPECT_EQ(nev[i].remote_port, 3000);
	}
	ev = (void *)(nev + 4);
	EXPECT_EQ(ev->type, WFP_IPSEC_EVENT_OVERFLOW);
	EXPECT_EQ(ev->subscription, sub);
	EXPECT_EQ(ev->dropped, 6);
	close(fd);
}

/* The template's conditions pick what reaches the callback. */
TEST_F_TIMEOUT(one, template_selects_events, 120)
{
	FWPM_FILTER_CONDITION0 cond[2] = {
		{ .fieldKey = FWPM_CONDITION_IP_REMOTE_PORT,
		  .conditionValue = { .type = FWP_UINT16, .uint16 = 4001 } },
		{ .fieldKey = FWPM_CONDITION_IP_PROTOCOL,
		  .conditionValue = { .type = FWP_UINT8, .uint8 = IPPROTO_UDP } },
	};
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t = {
		.numFilterConditions = 2, .filterCondition = cond,
	};
	FWPM_NET_EVENT_SUBSCRIPTION0 **subs;
	struct catcher other;
	HANDLE sub, sub2;
	UINT32 n;

	catcher_init(&other);
	wide_trap_add(_metadata, &self->e);
	ASSERT_EQ(subscribe(self->e.h, &t, &self->c, &sub), ERROR_SUCCESS);
	ASSERT_EQ(subscribe(self->e.h, NULL, &other, &sub2), ERROR_SUCCESS);
	/* SubscriptionsGet0: both, the template as given. */
	ASSERT_EQ(FwpmNetEventSubscriptionsGet0(self->e.h, &subs, &n),
		  ERROR_SUCCESS);
	ASSERT_EQ(n, 2);
	for (UINT32 i = 0; i < n; i++) {
		if (!subs[i]->enumTemplate)
			continue;
		EXPECT_EQ(subs[i]->enumTemplate->numFilterConditions, 2);
		EXPECT_EQ(subs[i]->enumTemplate->filterCondition[0]
			  .conditionValue.uint16, 4001);
		EXPECT_EQ(memcmp(&subs[i]->enumTemplate->filterCondition[1]
				 .fieldKey, &FWPM_CONDITION_IP_PROTOCOL,
				 sizeof(GUID)), 0);
	}
	FwpmFreeMemory0((void **)&subs);
	EXPECT_EQ(wide_send(1, 4000), 1);
	EXPECT_EQ(wide_send(3, 4001), 3);
	EXPECT_EQ(catcher_wait(&other, 3, 5000), 3);
	/* Address .1 gave its event to port 4000: a larval state since. */
	EXPECT_EQ(catcher_wait(&self->c, 2, 1000), 2);
	EXPECT_EQ(self->c.v[0].ev.header.remotePort, 4001);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sub), ERROR_SUCCESS);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sub2), ERROR_SUCCESS);
	catcher_free(&other);
}

static void unsubscribe_self(struct catcher *c, const FWPM_NET_EVENT1 *ev)
{
	FIXTURE_DATA(one) *self = c->arg;

	(void)ev;
	FwpmNetEventUnsubscribe0(self->e.h, self->sub);
}

/* From inside its callback, Unsubscribe0 neither blocks nor crashes. */
TEST_F_TIMEOUT(one, unsubscribe_from_callback, 120)
{
	self->c.arg = self;
	self->c.on_event = unsubscribe_self;
	wide_trap_add(_metadata, &self->e);
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &self->sub),
		  ERROR_SUCCESS);
	EXPECT_EQ(wide_send(5, 5000), 5);
	EXPECT_EQ(catcher_wait(&self->c, 1, 5000), 1);
	EXPECT_EQ(catcher_wait(&self->c, 2, 500), 1);
	expect_subs(_metadata, self->e.h, 0);
}

/* An SA-context subscription is not a net-event one, and the reverse. */
TEST_F(one, kinds_kept_apart)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sas;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **sal;
	struct wfp_ipsec_subscribe rs;
	struct wfp_ipsec_ctx_id r;
	HANDLE sa, ne;
	__u64 nid;
	UINT32 n;
	int fd;

	memset(&sas, 0, sizeof(sas));
	ASSERT_EQ(IPsecSaContextSubscribe0(self->e.h, &sas, no_event, NULL,
					   &sa), ERROR_SUCCESS);
	ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &ne), ERROR_SUCCESS);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sa),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(IPsecSaContextUnsubscribe0(self->e.h, ne),
		  ERROR_INVALID_HANDLE);
	expect_subs(_metadata, self->e.h, 1);
	ASSERT_EQ(IPsecSaContextSubscriptionsGet0(self->e.h, &sal, &n),
		  ERROR_SUCCESS);
	EXPECT_EQ(n, 1);
	FwpmFreeMemory0((void **)&sal);
	/* The module: an id of the other kind is not found. */
	fd = wfp_session(_metadata);
	memset(&rs, 0, sizeof(rs));
	ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_SUBSCRIBE, &rs), 0);
	ASSERT_EQ(raw_net_subscribe(fd, &nid), 0);
	memset(&r, 0, sizeof(r));
	r.id = rs.id;
	EXPECT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, &r),
		  -ENOENT);
	r.id = nid;
	EXPECT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &r), -ENOENT);
	EXPECT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, &r),
		  0);
	r.id = rs.id;
	EXPECT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &r), 0);
	close(fd);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, ne), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextUnsubscribe0(self->e.h, sa), ERROR_SUCCESS);
}

TEST_F(one, feature_reported)
{
	EXPECT_TRUE(wfp_features(_metadata) & WFP_IPSEC_FEAT_NET_EVENTS);
}

/* ------------------------------------------------------ error paths */

TEST_F(one, subscribe_null_arguments)
{
	FWPM_NET_EVENT_SUBSCRIPTION0 s;
	HANDLE sub = NULL;
	int bogus;

	memset(&s, 0, sizeof(s));
	EXPECT_EQ(FwpmNetEventSubscribe0(self->e.h, NULL, catch_event,
					 &self->c, &sub), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmNetEventSubscribe0(self->e.h, &s, NULL, &self->c,
					 &sub), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmNetEventSubscribe0(self->e.h, &s, catch_event,
					 &self->c, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmNetEventSubscribe0(&bogus, &s, catch_event, &self->c,
					 &sub), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmNetEventSubscriptionsGet0(self->e.h, NULL, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(sub, NULL);
}

TEST_F(one, unsubscribe_bad_handles)
{
	int bogus;

	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, NULL), ERROR_SUCCESS);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, &bogus),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmNetEventUnsubscribe0(&bogus, &bogus),
		  ERROR_INVALID_HANDLE);
}

TEST_F(one, raw_reserved_fields_and_unknown_ids)
{
	static struct wfp_ipsec_net_subscribe bad[] = {
		{ .flags = 1 }, { .reserved0 = 1 }, { .reserved[1] = 1 },
	};
	struct wfp_ipsec_ctx_id u = { .id = 12345 };

	wfp_expect_einval_each(_metadata, self->e.fd,
			       WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE, bad,
			       sizeof(bad[0]), ARRAY_SIZE(bad));
	EXPECT_EQ(wfp_test_ioctl(self->e.fd,
				 WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, &u),
		  -ENOENT);
	u.reserved = 1;
	EXPECT_EQ(wfp_test_ioctl(self->e.fd,
				 WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, &u),
		  -EINVAL);
}

/* The session's limit, shared with SA-context subscriptions: a quota. */
TEST_F(one, subscription_limit)
{
	HANDLE sub[WFP_IPSEC_SUBS_PER_SESSION_MAX + 1];
	int i;

	for (i = 0; i < WFP_IPSEC_SUBS_PER_SESSION_MAX; i++) {
		ASSERT_EQ(subscribe(self->e.h, NULL, &self->c, &sub[i]),
			  ERROR_SUCCESS);
	}
	EXPECT_EQ(subscribe(self->e.h, NULL, &self->c, &sub[i]),
		  ERROR_NOT_ENOUGH_QUOTA);
	for (i = 0; i < WFP_IPSEC_SUBS_PER_SESSION_MAX; i++)
		EXPECT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sub[i]),
			  ERROR_SUCCESS);
}

/* One refused template per variant; nothing subscribed after it. */
FIXTURE(tmpl) {
	struct env e;
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;
	FWPM_FILTER_CONDITION0 c[17];
};

/*
 * What a variant changes in the template FIXTURE_SETUP makes: one
 * condition, the protocol equal to UDP as a UINT8.
 */
FIXTURE_VARIANT(tmpl) {
	const GUID *field;		/* NULL: the protocol's, kept */
	FWP_MATCH_TYPE match;
	FWP_CONDITION_VALUE0 value;	/* type FWP_EMPTY: kept */
	UINT32 n;			/* conditions, copies of it; 0: 1 */
	bool no_array;			/* filterCondition NULL */
	DWORD want;
};

static FWP_V6_ADDR_AND_MASK m6_too_long = { .prefixLength = 129 };

FIXTURE_VARIANT_ADD(tmpl, unknown_field) {
	.field = &FWPM_CONDITION_IP_SOURCE_ADDRESS,
	.want = FWP_E_CONDITION_NOT_FOUND,
};
FIXTURE_VARIANT_ADD(tmpl, range_match) {
	.match = FWP_MATCH_RANGE, .want = FWP_E_MATCH_TYPE_MISMATCH,
};
FIXTURE_VARIANT_ADD(tmpl, bad_match) {
	.match = FWP_MATCH_TYPE_MAX, .want = FWP_E_INVALID_ENUMERATOR,
};
FIXTURE_VARIANT_ADD(tmpl, wrong_type) {
	.value = { .type = FWP_UINT16, .uint16 = IPPROTO_UDP },
	.want = FWP_E_TYPE_MISMATCH,
};
FIXTURE_VARIANT_ADD(tmpl, null_conditions) {
	.no_array = true, .want = FWP_E_NULL_POINTER,
};
FIXTURE_VARIANT_ADD(tmpl, too_many_conditions) {
	.n = 17, .want = FWP_E_OUT_OF_BOUNDS,
};
FIXTURE_VARIANT_ADD(tmpl, v6_prefix_too_long) {
	.field = &FWPM_CONDITION_IP_REMOTE_ADDRESS,
	.value = { .type = FWP_V6_ADDR_MASK, .v6AddrMask = &m6_too_long },
	.want = FWP_E_INVALID_NET_MASK,
};
FIXTURE_VARIANT_ADD(tmpl, null_value) {
	.field = &FWPM_CONDITION_IP_REMOTE_ADDRESS,
	.value = { .type = FWP_V4_ADDR_MASK, .v4AddrMask = NULL },
	.want = FWP_E_NULL_POINTER,
};

static void tmpl_mutate(FIXTURE_DATA(tmpl) *self,
			const FIXTURE_VARIANT(tmpl) *v)
{
	UINT32 i;

	if (v->field)
		self->c[0].fieldKey = *v->field;
	self->c[0].matchType = v->match;
	if (v->value.type != FWP_EMPTY)
		self->c[0].conditionValue = v->value;
	for (i = 1; i < v->n; i++)
		self->c[i] = self->c[0];
	if (v->n)
		self->t.numFilterConditions = v->n;
	if (v->no_array)
		self->t.filterCondition = NULL;
}

FIXTURE_SETUP(tmpl)
{
	env_setup(_metadata, &self->e, 0);
	self->c[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	self->c[0].matchType = FWP_MATCH_EQUAL;
	self->c[0].conditionValue.type = FWP_UINT8;
	self->c[0].conditionValue.uint8 = IPPROTO_UDP;
	self->t.numFilterConditions = 1;
	self->t.filterCondition = self->c;
}

FIXTURE_TEARDOWN(tmpl)
{
	env_teardown(&self->e);
}

TEST_F(tmpl, refused)
{
	struct catcher c;
	HANDLE sub = NULL;

	catcher_init(&c);
	/* The unchanged template is fine. */
	ASSERT_EQ(subscribe(self->e.h, &self->t, &c, &sub), ERROR_SUCCESS);
	ASSERT_EQ(FwpmNetEventUnsubscribe0(self->e.h, sub), ERROR_SUCCESS);
	sub = NULL;
	tmpl_mutate(self, variant);
	EXPECT_EQ(subscribe(self->e.h, &self->t, &c, &sub), variant->want)
		TH_LOG("%s", code_name(subscribe(self->e.h, &self->t, &c,
						 &sub)));
	EXPECT_EQ(sub, NULL);
	expect_subs(_metadata, self->e.h, 0);
	catcher_free(&c);
}

TEST_HARNESS_MAIN
