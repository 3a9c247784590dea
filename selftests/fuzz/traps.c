// SPDX-License-Identifier: GPL-2.0
/*
 * Traps (netevents.rst): BLOCK filters at the outbound transport and
 * forward layers, whose matching outbound traffic is dropped with a
 * CLASSIFY_DROP net event naming the filter.  The worker keeps every trap
 * it saw added, by namespace, with its conditions; a step sends one UDP
 * datagram that a trap of the current namespace covers, so that records
 * really come; and each CLASSIFY_DROP record read is checked against the
 * trap it names.
 *
 * Every filter's addresses lie in the worker's prefix (gen_filter.c), and
 * so do the addresses of its datagrams: a record with an address there is
 * of the worker's own traffic, or of the kernel's error about it, and
 * must name one of its traps; one without is another worker's (workers
 * share the initial namespace), checked for its form only.  A transaction
 * child adds no trap that the kernel's errors could meet (cmd_txn.c): the
 * parent could not know it.
 *
 * The namespaces the worker sends from get a veth device routing
 * 10.78.0.0/16 and fd00:78::/32, so that xfrm's output lookup runs;
 * IP_TRANSPARENT lets a datagram leave from any address of the prefix.
 * No neighbour answers there, so a datagram that leaves may bring, seconds
 * later, the kernel's ICMP error back to its source (rate limits
 * permitting): a trap covering ICMP catches that too, and its record is
 * checked like a datagram's.
 */

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>

#include "fuzz.h"

#define MAX_TRAPS	512
#define VETH		"wfpfz0"

/* The veth device's addresses (net_setup()), in no worker's prefix. */
static const __u8 veth_v4[4] = { 10, 78, 255, 254 };
static const __u8 veth_v6[16] = { 0xfd, 0, 0, 0x78, 0, 0, 0xff, 0, [15] = 1 };

/* FWPS runtime layer ids (netevents.rst) */
#define FWPS_IPFORWARD_V4		8
#define FWPS_IPFORWARD_V6		10
#define FWPS_OUTBOUND_TRANSPORT_V4	16
#define FWPS_OUTBOUND_TRANSPORT_V6	18

/* What every record carries: ports, or ICMP's type and code. */
#define DROP_FLAGS	(WFP_IPSEC_NET_F_IP_VERSION_SET |		\
			 WFP_IPSEC_NET_F_IP_PROTOCOL_SET |		\
			 WFP_IPSEC_NET_F_LOCAL_ADDR_SET |		\
			 WFP_IPSEC_NET_F_REMOTE_ADDR_SET |		\
			 WFP_IPSEC_NET_F_LOCAL_PORT_SET |		\
			 WFP_IPSEC_NET_F_REMOTE_PORT_SET)

struct trap {
	__u64 id;
	int ns;
	bool gone;		/* deleted, as far as the worker knows */
	__u32 layer;
	__u32 nconds;		/* FILT_CONDS + 1: more than it keeps */
	struct wfp_ipsec_filter_cond conds[FILT_CONDS];
};

/* Oldest first; a deleted trap stays while room lasts: records outlive it. */
static struct trap traps[MAX_TRAPS];
static int ntraps;

/* A datagram, or a record's header: addresses and ports in network order. */
struct flow {
	bool v4;
	__u8 src[16], dst[16];
	__u8 sport[2], dport[2];
};

/* ------------------------------------------------------ the registry */

static __u16 trap_layer_id(__u32 layer)
{
	switch (layer) {
	case WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4:
		return FWPS_OUTBOUND_TRANSPORT_V4;
	case WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V6:
		return FWPS_OUTBOUND_TRANSPORT_V6;
	case WFP_IPSEC_LAYER_IPFORWARD_V4:
		return FWPS_IPFORWARD_V4;
	case WFP_IPSEC_LAYER_IPFORWARD_V6:
		return FWPS_IPFORWARD_V6;
	default:
		return 0;
	}
}

static bool layer_id_known(__u16 id)
{
	return id == FWPS_OUTBOUND_TRANSPORT_V4 || id == FWPS_IPFORWARD_V4 ||
	       id == FWPS_OUTBOUND_TRANSPORT_V6 || id == FWPS_IPFORWARD_V6;
}

static bool layer_id_v4(__u16 id)
{
	return id == FWPS_OUTBOUND_TRANSPORT_V4 || id == FWPS_IPFORWARD_V4;
}

static bool is_trap(const struct wfp_ipsec_filter *f)
{
	return f->action == WFP_IPSEC_ACTION_BLOCK && trap_layer_id(f->layer);
}

/*
 * Whether f, added, could drop the kernel's ICMP errors about the
 * worker's datagrams: a trap with no condition on the local or source
 * address, the one the errors have outside the worker's prefix.
 */
bool trap_meets_errors(const struct wfp_ipsec_filter *f,
		       const struct wfp_ipsec_filter_cond *conds)
{
	__u32 i;

	if (!is_trap(f))
		return false;
	if (f->num_conds > FILT_CONDS)
		return true;
	for (i = 0; i < f->num_conds; i++)
		if (conds[i].field == WFP_IPSEC_FIELD_LOCAL_ADDR ||
		    conds[i].field == WFP_IPSEC_FIELD_SOURCE_ADDR)
			return false;
	return true;
}

static struct trap *trap_find(int ns, __u64 id)
{
	int i;

	for (i = 0; i < ntraps; i++)
		if (traps[i].id == id && traps[i].ns == ns)
			return &traps[i];
	return NULL;
}

/* Room for one more: the oldest deleted trap goes, else the oldest. */
static struct trap *trap_slot(void)
{
	int i, victim = 0;

	if (ntraps < MAX_TRAPS)
		return &traps[ntraps++];
	for (i = 0; i < ntraps; i++)
		if (traps[i].gone) {
			victim = i;
			break;
		}
	memmove(&traps[victim], &traps[victim + 1],
		(ntraps - victim - 1) * sizeof(traps[0]));
	return &traps[ntraps - 1];
}

static void trap_record(int ns, __u64 id, const struct wfp_ipsec_filter *in,
			const struct wfp_ipsec_filter_cond *conds)
{
	struct trap *t = trap_slot();

	memset(t, 0, sizeof(*t));
	t->id = id;
	t->ns = ns;
	t->layer = in->layer;
	if (in->num_conds > FILT_CONDS) {
		t->nconds = FILT_CONDS + 1;
		return;
	}
	t->nconds = in->num_conds;
	memcpy(t->conds, conds, t->nconds * sizeof(*conds));
}

/*
 * After a FILTER_ADD on s: a trap it made is recorded with the id of the
 * reply, or, when the reply could not be written (a read-only argument),
 * with the id a FILTER_GET by its key finds.  A trap whose id stays
 * unknown makes the namespace's records of unknown filters acceptable.
 */
void trap_added(const struct sess *s, const struct call *c, int ret,
		const struct wfp_ipsec_filter_cond *conds)
{
	static struct wfp_ipsec_filter_cond room[WFP_IPSEC_FILTER_COND_MAX];
	static __u8 buf[WFP_IPSEC_OBJ_DATA_MAX];
	const struct wfp_ipsec_filter *in = &c->in.filt;
	struct wfp_ipsec_filter g;

	if (!is_trap(in))
		return;
	if (!ret && !(c->flags & C_NO_OUTCHECK)) {
		if (c->out.filt.nr_policies)
			trap_record(s->ns, c->out.filt.id, in, conds);
		return;
	}
	if (ret != EFAULT || c->am != AM_RO)
		return;
	memset(&g, 0, sizeof(g));
	memcpy(g.key, in->key, sizeof(g.key));
	g.conds = (__u64)(uintptr_t)room;
	g.num_conds = WFP_IPSEC_FILTER_COND_MAX;
	g.name = g.desc = g.data = (__u64)(uintptr_t)buf;
	g.name_len = g.desc_len = WFP_IPSEC_OBJ_NAME_MAX;
	g.data_len = WFP_IPSEC_OBJ_DATA_MAX;
	if (!all_zero(in->key, sizeof(in->key)) &&
	    !ioctl(s->fd, WFP_IPSEC_IOC_FILTER_GET, &g))
		trap_record(s->ns, g.id, in, conds);
	else
		W.ns[s->ns].ghost_traps = true;
}

/* The filter id names nothing from now on (a trap or not). */
void trap_gone(__u64 id)
{
	int i;

	for (i = 0; i < ntraps; i++)
		if (traps[i].id == id && traps[i].ns == 0)
			traps[i].gone = true;
}

/* ------------------------------------------------ flows and conditions */

/* The flow's bytes a condition on field looks at; proto: the protocol. */
static const __u8 *flow_field(const struct flow *f, __u16 field,
			      const __u8 *proto)
{
	switch (field) {
	case WFP_IPSEC_FIELD_LOCAL_ADDR:
	case WFP_IPSEC_FIELD_SOURCE_ADDR:
		return f->src;
	case WFP_IPSEC_FIELD_REMOTE_ADDR:
	case WFP_IPSEC_FIELD_DEST_ADDR:
		return f->dst;
	case WFP_IPSEC_FIELD_PROTOCOL:
		return proto;
	case WFP_IPSEC_FIELD_LOCAL_PORT:
		return f->sport;
	default:
		return f->dport;
	}
}

static bool cond_covers(const struct wfp_ipsec_filter_cond *c,
			const __u8 *v, unsigned int w)
{
	return memcmp(c->lo, v, w) <= 0 && memcmp(v, c->hi, w) <= 0;
}

/*
 * Whether the trap's conditions hold for a flow of protocol proto: of
 * each field's conditions one (they are ORed), every field (ANDed).
 * Unknown conditions hold for nothing.
 */
static bool trap_covers(const struct trap *t, const struct flow *f,
			__u8 proto)
{
	unsigned int i, j, w;
	bool hit;

	if (t->nconds > FILT_CONDS)
		return false;
	for (i = 0; i < t->nconds; i++) {
		w = field_width(t->conds[i].field, f->v4);
		hit = false;
		for (j = 0; j < t->nconds && !hit; j++)
			hit = t->conds[j].field == t->conds[i].field &&
			      cond_covers(&t->conds[j],
					  flow_field(f, t->conds[j].field,
						     &proto), w);
		if (!hit)
			return false;
	}
	return true;
}

/* A value in [lo, hi], both w bytes, big-endian. */
static void pick_between(const __u8 *lo, const __u8 *hi, unsigned int w,
			 __u8 *out)
{
	bool at_lo = true, at_hi = true;
	unsigned int i, a, b;

	for (i = 0; i < w; i++) {
		a = at_lo ? lo[i] : 0;
		b = at_hi ? hi[i] : 0xff;
		out[i] = (__u8)(a + rn(b - a + 1));
		at_lo = at_lo && out[i] == lo[i];
		at_hi = at_hi && out[i] == hi[i];
	}
}

static bool in_prefix(bool v4, const __u8 *a)
{
	return filter_in_pool(v4 ? AF_INET : AF_INET6, a, v4 ? 32 : 128);
}

/* An address of the worker's prefix. */
static void prefix_addr(bool v4, __u8 *a)
{
	unsigned int i, base = v4 ? 3 : 8;

	memset(a, 0, 16);
	a[0] = v4 ? 10 : 0xfd;
	a[v4 ? 1 : 3] = v4 ? 78 : 0x78;
	a[v4 ? 2 : 7] = (__u8)W.idx;
	for (i = base; i < (v4 ? 4u : 16u); i++)
		a[i] = (__u8)r64();
}

/* Addresses of the prefix and ports other than 0 (UDP sends none). */
static void random_flow(struct flow *f, bool v4)
{
	__u16 sp = 1 + rn(0xffff), dp = 1 + rn(0xffff);

	f->v4 = v4;
	prefix_addr(v4, f->src);
	prefix_addr(v4, f->dst);
	f->sport[0] = sp >> 8;
	f->sport[1] = (__u8)sp;
	f->dport[0] = dp >> 8;
	f->dport[1] = (__u8)dp;
}

/*
 * A UDP flow the trap covers: for each field, a value of one of its
 * conditions, each as likely.  False when none is: no UDP, or port 0
 * only.
 */
static bool trap_flow(const struct trap *t, struct flow *f)
{
	unsigned int seen[WFP_IPSEC_FIELD_REMOTE_PORT + 1] = { 0 };
	__u8 proto = IPPROTO_UDP, v[16];
	unsigned int i, w;

	random_flow(f, t->layer == WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4 ||
		       t->layer == WFP_IPSEC_LAYER_IPFORWARD_V4);
	for (i = 0; i < t->nconds; i++) {
		const struct wfp_ipsec_filter_cond *c = &t->conds[i];

		if (c->field == WFP_IPSEC_FIELD_PROTOCOL ||
		    c->field >= ARRAY_SIZE(seen) || rn(++seen[c->field]))
			continue;
		w = field_width(c->field, f->v4);
		pick_between(c->lo, c->hi, w, v);
		/* port 0, when the condition has another */
		if (w == 2 && !v[0] && !v[1] && (c->hi[0] || c->hi[1]))
			v[1] = 1;
		memcpy((__u8 *)flow_field(f, c->field, &proto), v, w);
	}
	return trap_covers(t, f, IPPROTO_UDP) &&
	       (f->sport[0] || f->sport[1]) && (f->dport[0] || f->dport[1]);
}

/* ---------------------------------------------------------- sending */

static int cur_ns(void)
{
	return W.in_child ? W.child_ns : 0;
}

/* A trap of the current namespace not known to be deleted, or NULL. */
static const struct trap *pick_trap(void)
{
	int i, n = 0;
	const struct trap *pick = NULL;

	for (i = 0; i < ntraps; i++)
		if (traps[i].ns == cur_ns() && !traps[i].gone && !rn(++n))
			pick = &traps[i];
	return pick;
}

static socklen_t sockaddr_of(bool v4, const __u8 *a, const __u8 *port,
			     struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (v4) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a, 4);
		memcpy(&s4->sin_port, port, 2);
		return sizeof(*s4);
	}
	s6->sin6_family = AF_INET6;
	memcpy(&s6->sin6_addr, a, 16);
	memcpy(&s6->sin6_port, port, 2);
	return sizeof(*s6);
}

/*
 * One datagram of the flow, from its source (any address: transparent).
 * What the network says is not the fuzzer's business: a trap's larval
 * state drops it silently, a full queue or a missing route fails it.
 */
static void send_flow(const struct flow *f)
{
	struct sockaddr_storage ss;
	int fd, one = 1;
	socklen_t len;

	fd = socket(f->v4 ? AF_INET : AF_INET6,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (f->v4)
		setsockopt(fd, SOL_IP, IP_TRANSPARENT, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	len = sockaddr_of(f->v4, f->src, f->sport, &ss);
	if (!bind(fd, (struct sockaddr *)&ss, len)) {
		len = sockaddr_of(f->v4, f->dst, f->dport, &ss);
		if (sendto(fd, "", 1, 0, (struct sockaddr *)&ss, len) == 1)
			g_res->sends++;
	}
	close(fd);
}

/* The step: a datagram at a trap of the namespace, else anywhere. */
void do_send(void)
{
	const struct trap *t = pick_trap();
	struct flow f;

	bool hit = t && trap_flow(t, &f);
	char a[64], b[64];

	if (hit) {
		g_res->trap_sends++;
	} else {
		random_flow(&f, pm(500));
		if (t)
			g_res->trap_misses++;
	}
	send_flow(&f);
	if (W.verbose > 1) {
		fmt_addr(f.v4 ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6, f.src, a);
		fmt_addr(f.v4 ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6, f.dst, b);
		out("# fuzz: w%d%s datagram %s:%u -> %s:%u, trap %llu%s", W.idx,
		    T_TAG, a, f.sport[0] << 8 | f.sport[1], b,
		    f.dport[0] << 8 | f.dport[1],
		    t ? (unsigned long long)t->id : 0ULL,
		    t && !hit ? " (not UDP)" : "");
	}
}

/* ---------------------------------------------------- the records */

/* Whether a is in 10.78.0.0/16 or fd00:78::/32: some worker's. */
static bool fuzz_range(bool v4, const __u8 *a)
{
	static const __u8 p4[] = { 10, 78 }, p6[] = { 0xfd, 0, 0, 0x78 };

	return v4 ? !memcmp(a, p4, sizeof(p4)) : !memcmp(a, p6, sizeof(p6));
}

static bool is_veth(bool v4, const __u8 *a)
{
	return v4 ? !memcmp(a, veth_v4, sizeof(veth_v4)) :
		    !memcmp(a, veth_v6, sizeof(veth_v6));
}

/*
 * The kernel's "destination unreachable" about a datagram whose neighbour
 * never answered: from the veth device's address to the datagram's
 * source, through the same output lookup.  Type and code sit in the ports.
 */
static bool kernel_icmp_error(bool v4, const struct wfp_ipsec_net_event *e)
{
	return e->protocol == (v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) &&
	       e->local_port == (v4 ? ICMP_DEST_UNREACH : ICMP6_DST_UNREACH) &&
	       e->remote_port <= 0xff && is_veth(v4, e->local_addr);
}

/*
 * The header of a record the fuzzer's traffic can bring (no other traffic
 * meets a trap): a worker's UDP datagram, whole, or the kernel's ICMP
 * error back to a worker's address (the code may be 0).
 */
static bool drop_header_ok(bool v4, const struct wfp_ipsec_net_event *e)
{
	if (!e->filter_id || !layer_id_known(e->layer_id) ||
	    layer_id_v4(e->layer_id) != v4 || e->flags != DROP_FLAGS ||
	    is_veth(v4, e->remote_addr))
		return false;
	if (kernel_icmp_error(v4, e))
		return fuzz_range(v4, e->remote_addr);
	return e->protocol == IPPROTO_UDP && e->local_port &&
	       e->remote_port && !is_veth(v4, e->local_addr) &&
	       (fuzz_range(v4, e->local_addr) ||
		fuzz_range(v4, e->remote_addr));
}

/*
 * A CLASSIFY_DROP read on a session of namespace ns, whole (above); when
 * one of its addresses is this worker's, the filter is a trap of the
 * namespace the worker added (perhaps deleted since: the record was
 * queued before), at the layer the record says, and its conditions hold
 * for the header.
 */
void check_classify_drop(int ns, const struct wfp_ipsec_net_event *e)
{
	bool v4 = e->ip_version == WFP_IPSEC_IPV4;
	const struct trap *t;
	struct flow f = { .v4 = v4 };
	char l[64], r[64];

	g_res->drops++;
	if (!drop_header_ok(v4, e)) {
		fmt_addr(e->ip_version, e->local_addr, l);
		fmt_addr(e->ip_version, e->remote_addr, r);
		fail(0, "classify drop: filter %llu layer %u version %u "
		     "protocol %u flags %#x %s:%u -> %s:%u",
		     (unsigned long long)e->filter_id, e->layer_id,
		     e->ip_version, e->protocol, e->flags, l, e->local_port,
		     r, e->remote_port);
		return;
	}
	if (!in_prefix(v4, e->local_addr) && !in_prefix(v4, e->remote_addr))
		return;
	memcpy(f.src, e->local_addr, 16);
	memcpy(f.dst, e->remote_addr, 16);
	f.sport[0] = e->local_port >> 8;
	f.sport[1] = (__u8)e->local_port;
	f.dport[0] = e->remote_port >> 8;
	f.dport[1] = (__u8)e->remote_port;
	t = trap_find(ns, e->filter_id);
	if (!t) {
		if (!W.ns[ns].ghost_traps)
			fail(0, "classify drop names filter %llu, no trap of "
			     "the worker's in its namespace",
			     (unsigned long long)e->filter_id);
		return;
	}
	g_res->own_drops++;
	g_res->icmp_drops += e->protocol != IPPROTO_UDP;
	if (trap_layer_id(t->layer) != e->layer_id ||
	    (t->nconds <= FILT_CONDS && !trap_covers(t, &f, e->protocol)))
		fail(0, "classify drop of trap %llu (layer %u): layer id %u, "
		     "or its conditions do not hold for the header",
		     (unsigned long long)t->id, t->layer, e->layer_id);
}

/* ------------------------------------------------ the namespace's route */

/*
 * The current namespace routes the fuzzer's ranges to a veth device (its
 * peer stays here too, up, with no address): xfrm's output lookup runs
 * on a routed packet only.  veth rather than dummy: both the stock and
 * the debug kernel have it.  Its addresses are veth_v4 and veth_v6, the
 * oracle's too.  False when the device could not be made (sends then
 * fail, and no record comes).
 */
bool net_setup(void)
{
	char a4[64], a6[64], cmd[512];

	fmt_addr(WFP_IPSEC_IPV4, veth_v4, a4);
	fmt_addr(WFP_IPSEC_IPV6, veth_v6, a6);
	snprintf(cmd, sizeof(cmd), "ip link del " VETH " 2>/dev/null; "
		 "ip link add " VETH " type veth peer name " VETH "p && "
		 "ip link set " VETH "p up && ip link set " VETH " up && "
		 "ip addr add %s/16 dev " VETH " && "
		 "ip -6 addr add %s/32 dev " VETH " nodad", a4, a6);
	fflush(stdout);
	return system(cmd) == 0;
}

void net_teardown(void)
{
	fflush(stdout);
	if (system("ip link del " VETH " 2>/dev/null"))
		return;
}
