// SPDX-License-Identifier: GPL-2.0
/*
 * WFP_IPSEC_IOC_BENCH_XFRM, the loop of wfp_ipsec_bench.ko: the limit
 * wfp_ipsec.ko's own cost is measured against.  Each cycle makes the
 * xfrm calls one Create, SetSpi0, AddInbound1, AddOutbound1, DeleteById0
 * sequence of an AES-GCM-128 transport IPv4 host-to-host context makes -
 * the larval state (spi.c), the inbound SA over it and the outbound SA
 * (sa.c), the IN and OUT policies (policy.c), then all of it removed in
 * the order a context's deletion uses - with the same arguments, taking
 * xfrm_cfg_mutex around each call's share as the ioctls do, and nothing
 * else: no context, no indexes, no records, no events, no user copies.
 * A cycle that fails is unwound at once.  Without WFP_IPSEC_BENCH_F_KEEP
 * the loop leaves nothing behind; with it, each complete cycle leaves its
 * SAs and policies for the caller to flush, a failing one none.  The
 * files named here are wfp_ipsec.ko's, in kmod/.
 */

#include <linux/capability.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <net/xfrm.h>

#include "bench.h"

#define WFP_BENCH_MAX_CYCLES	1000000
#define WFP_BENCH_FIRST_SPI	256
/* Outside the module's reqid range: its xfrm notifier ignores these. */
#define WFP_BENCH_REQID		0x3ffffff0
/* As policy.c and sa.c have them. */
#define WFP_BENCH_PRIORITY	0x8000
#define WFP_BENCH_REPLAY	32
#define WFP_BENCH_AEAD		"rfc4106(gcm(aes))"
#define WFP_BENCH_ICV_BITS	128
#define WFP_BENCH_KEY_LEN	20	/* AES-128 key and 4-byte salt */

/* A dummy key: the bench measures installation, not traffic. */
static const u8 wfp_bench_key[WFP_BENCH_KEY_LEN] = {
	0x42, 0x65, 0x6e, 0x63, 0x68, 0x20, 0x6b, 0x65, 0x79, 0x20,
	0x6f, 0x6e, 0x6c, 0x79, 0x21, 0x21, 0x73, 0x61, 0x6c, 0x74,
};

/* What one cycle has in xfrm, each with the reference the module keeps. */
struct wfp_bench {
	struct net *net;
	xfrm_address_t local;
	xfrm_address_t remote;
	struct xfrm_state *larval;
	struct xfrm_state *sa[2];		/* by XFRM_POLICY_IN/OUT */
	struct xfrm_policy *pol[2];		/* likewise */
};

/* The host pair, as policy.c selects transport traffic of no protocol. */
static void wfp_bench_selector(const struct wfp_bench *b, bool inbound,
			       struct xfrm_selector *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = AF_INET;
	sel->saddr = inbound ? b->remote : b->local;
	sel->daddr = inbound ? b->local : b->remote;
	sel->prefixlen_s = 32;
	sel->prefixlen_d = 32;
}

/*
 * SetSpi0's share (spi.c): a larval ESP state, no acquire timer, put in
 * the database with its SPI by xfrm_state_add().
 */
static int wfp_bench_set_spi(struct wfp_bench *b, u32 spi)
{
	struct xfrm_state *x;
	int ret;

	x = xfrm_state_alloc(b->net);
	if (!x)
		return -ENOMEM;
	x->id.daddr = b->local;
	x->props.saddr = b->remote;
	wfp_bench_selector(b, true, &x->sel);
	x->id.proto = IPPROTO_ESP;
	x->id.spi = htonl(spi);
	x->props.family = AF_INET;
	x->props.mode = XFRM_MODE_TRANSPORT;
	x->props.reqid = WFP_BENCH_REQID;
	x->km.state = XFRM_STATE_ACQ;
	xfrm_state_hold(x);
	ret = xfrm_state_add(x);
	if (ret) {
		x->km.state = XFRM_STATE_DEAD;
		__xfrm_state_put(x);
		xfrm_state_put(x);
		return ret;
	}
	b->larval = x;
	return 0;
}

/* An initialised AES-GCM-128 SA, as sa.c builds one; not yet inserted. */
static struct xfrm_state *wfp_bench_state(struct wfp_bench *b, int dir,
					  u32 spi)
{
	bool inbound = dir == XFRM_POLICY_IN;
	struct xfrm_algo_desc *d;
	struct xfrm_state *x;
	int ret = -ENOMEM;

	x = xfrm_state_alloc(b->net);
	if (!x)
		return ERR_PTR(-ENOMEM);
	x->id.proto = IPPROTO_ESP;
	x->id.spi = htonl(spi);
	x->id.daddr = inbound ? b->local : b->remote;
	x->props.saddr = inbound ? b->remote : b->local;
	x->props.family = AF_INET;
	x->props.mode = XFRM_MODE_TRANSPORT;
	x->props.reqid = WFP_BENCH_REQID;
	x->props.replay_window = inbound ? WFP_BENCH_REPLAY : 0;
	wfp_bench_selector(b, inbound, &x->sel);

	d = xfrm_aead_get_byname(WFP_BENCH_AEAD, WFP_BENCH_ICV_BITS, 1);
	if (!d) {
		ret = -ENOPKG;
		goto err;
	}
	x->aead = kmalloc(sizeof(*x->aead) + WFP_BENCH_KEY_LEN, GFP_KERNEL);
	if (!x->aead)
		goto err;
	strscpy(x->aead->alg_name, d->name, sizeof(x->aead->alg_name));
	x->aead->alg_key_len = WFP_BENCH_KEY_LEN * 8;
	x->aead->alg_icv_len = WFP_BENCH_ICV_BITS;
	memcpy(x->aead->alg_key, wfp_bench_key, WFP_BENCH_KEY_LEN);
	x->props.ealgo = d->desc.sadb_alg_id;
	x->geniv = d->uinfo.aead.geniv;
	ret = xfrm_init_state(x);
	if (ret)
		goto err;
	return x;

err:
	/* Never inserted: dead before its last put. */
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
	return ERR_PTR(ret);
}

/* Inserts x keeping a reference in b->sa[dir], as sa.c does. */
static int wfp_bench_insert(struct wfp_bench *b, int dir, struct xfrm_state *x)
{
	int ret;

	xfrm_state_hold(x);
	/* Inbound replaces the larval state, outbound is new. */
	ret = dir == XFRM_POLICY_IN ? xfrm_state_update(x) : xfrm_state_add(x);
	if (ret) {
		x->km.state = XFRM_STATE_DEAD;
		__xfrm_state_put(x);
		xfrm_state_put(x);
		return ret;
	}
	b->sa[dir] = x;
	return 0;
}

static int wfp_bench_add_sa(struct wfp_bench *b, int dir, u32 spi)
{
	struct xfrm_state *x = wfp_bench_state(b, dir, spi);
	int ret;

	if (IS_ERR(x))
		return PTR_ERR(x);
	ret = wfp_bench_insert(b, dir, x);
	if (ret || dir != XFRM_POLICY_IN)
		return ret;
	/*
	 * The update deleted the larval state: the delete finds it gone
	 * (-ESRCH), as spi.c's release does after an ESP update, so the
	 * loop does the module's work.  Then our hold goes.
	 */
	xfrm_state_delete(b->larval);
	xfrm_state_put(b->larval);
	b->larval = NULL;
	return 0;
}

/* One of the context's policies, as policy.c makes it. */
static int wfp_bench_add_policy(struct wfp_bench *b, int dir)
{
	struct xfrm_policy *pol;
	struct xfrm_tmpl *t;
	int ret;

	pol = xfrm_policy_alloc(b->net, GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	pol->family = AF_INET;
	wfp_bench_selector(b, dir != XFRM_POLICY_OUT, &pol->selector);
	pol->action = XFRM_POLICY_ALLOW;
	pol->type = XFRM_POLICY_TYPE_MAIN;
	pol->priority = WFP_BENCH_PRIORITY;
	pol->xfrm_nr = 1;
	t = &pol->xfrm_vec[0];
	t->id.proto = IPPROTO_ESP;
	t->reqid = WFP_BENCH_REQID;
	t->mode = XFRM_MODE_TRANSPORT;
	t->share = XFRM_SHARE_ANY;
	t->encap_family = AF_INET;
	t->aalgos = ~0;
	t->ealgos = ~0;
	t->calgos = ~0;
	t->allalgs = 1;
	ret = xfrm_policy_insert(dir, pol, 1);
	if (ret) {
		pol->walk.dead = 1;
		xfrm_policy_destroy(pol);
		return ret;
	}
	b->pol[dir] = pol;
	return 0;
}

/* DeleteById0's share, or the unwinding of a failed call: policies,
 * SAs, the larval state, in that order (context.c).
 */
static void wfp_bench_teardown(struct wfp_bench *b)
{
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		if (!b->pol[dir])
			continue;
		xfrm_policy_delete(b->pol[dir], dir);
		xfrm_pol_put(b->pol[dir]);
		b->pol[dir] = NULL;
	}
	for (dir = XFRM_POLICY_OUT; dir >= XFRM_POLICY_IN; dir--) {
		if (!b->sa[dir])
			continue;
		xfrm_state_delete(b->sa[dir]);
		xfrm_state_put(b->sa[dir]);
		b->sa[dir] = NULL;
	}
	if (b->larval) {
		xfrm_state_delete(b->larval);
		xfrm_state_put(b->larval);
		b->larval = NULL;
	}
}

/* KEEP: the cycle's objects stay in xfrm; only the loop's references go. */
static void wfp_bench_drop_refs(struct wfp_bench *b)
{
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		xfrm_pol_put(b->pol[dir]);
		b->pol[dir] = NULL;
		xfrm_state_put(b->sa[dir]);
		b->sa[dir] = NULL;
	}
}

/* Each step under xfrm_cfg_mutex on its own, as each ioctl takes it. */
static int wfp_bench_cycle(struct wfp_bench *b, u32 spi_in, bool keep)
{
	struct mutex *cfg = &b->net->xfrm.xfrm_cfg_mutex;
	int ret;

	/* Create: nothing in xfrm. */
	mutex_lock(cfg);
	ret = wfp_bench_set_spi(b, spi_in);
	mutex_unlock(cfg);
	if (!ret) {
		mutex_lock(cfg);
		ret = wfp_bench_add_sa(b, XFRM_POLICY_IN, spi_in);
		mutex_unlock(cfg);
	}
	if (!ret) {
		/* AddOutbound1: the SA, then the set's policies. */
		mutex_lock(cfg);
		ret = wfp_bench_add_sa(b, XFRM_POLICY_OUT, spi_in + 1) ?:
		      wfp_bench_add_policy(b, XFRM_POLICY_IN) ?:
		      wfp_bench_add_policy(b, XFRM_POLICY_OUT);
		mutex_unlock(cfg);
	}
	if (!ret && keep) {
		wfp_bench_drop_refs(b);
		return 0;
	}
	mutex_lock(cfg);
	wfp_bench_teardown(b);
	mutex_unlock(cfg);
	return ret;
}

/* KEEP's remote addresses remote .. remote + cycles - 1: no wrap, no local. */
static int wfp_bench_validate_keep(const struct wfp_ipsec_bench_xfrm *p)
{
	__be32 rb, lb;
	u32 r, l;

	memcpy(&rb, p->remote, sizeof(rb));
	memcpy(&lb, p->local, sizeof(lb));
	r = ntohl(rb);
	l = ntohl(lb);
	if ((u64)r + p->cycles - 1 > U32_MAX)
		return -EINVAL;
	if (l >= r && (u64)l <= (u64)r + p->cycles - 1)
		return -EINVAL;
	return 0;
}

static int wfp_bench_validate(const struct wfp_ipsec_bench_xfrm *p)
{
	if ((p->flags & ~__WFP_IPSEC_BENCH_F_ALL) || p->reserved)
		return -EINVAL;
	if (p->flags & WFP_IPSEC_BENCH_F_SETTLE)
		return p->flags != WFP_IPSEC_BENCH_F_SETTLE || p->cycles ||
		       p->spi_base || memchr_inv(p->local, 0, sizeof(p->local)) ||
		       memchr_inv(p->remote, 0, sizeof(p->remote)) ? -EINVAL : 0;
	if (!p->cycles || p->cycles > WFP_BENCH_MAX_CYCLES)
		return -EINVAL;
	if (p->spi_base < WFP_BENCH_FIRST_SPI ||
	    (u64)p->spi_base + 2ULL * p->cycles - 1 > U32_MAX)
		return -EINVAL;
	/* The unspecified address cannot be an SA endpoint. */
	if (!memchr_inv(p->local, 0, sizeof(p->local)) ||
	    !memchr_inv(p->remote, 0, sizeof(p->remote)))
		return -EINVAL;
	return p->flags & WFP_IPSEC_BENCH_F_KEEP ? wfp_bench_validate_keep(p) : 0;
}

/*
 * SETTLE: xfrm frees deleted states (and their AEAD transforms) in a work
 * item, after an RCU grace period; waiting for it lets a measurement - of
 * this loop or of separate calls - end when that work is done.
 */
static int wfp_bench_settle(struct wfp_ipsec_bench_xfrm *p)
{
	u64 start = ktime_get_ns();

	xfrm_flush_gc();
	p->elapsed_ns = ktime_get_ns() - start;
	return 0;
}

int wfp_bench_xfrm(struct net *net, struct wfp_ipsec_bench_xfrm *p)
{
	bool keep = p->flags & WFP_IPSEC_BENCH_F_KEEP;
	struct wfp_bench b = { .net = net };
	__be32 remote;
	u64 start;
	u32 i;
	int ret;

	if (!ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	ret = wfp_bench_validate(p);
	if (ret)
		return ret;
	if (p->flags & WFP_IPSEC_BENCH_F_SETTLE)
		return wfp_bench_settle(p);
	memcpy(&b.local.a4, p->local, sizeof(p->local));
	memcpy(&remote, p->remote, sizeof(remote));

	start = ktime_get_ns();
	for (i = 0; i < p->cycles && !ret; i++) {
		/* Kept contexts need selectors of their own. */
		b.remote.a4 = keep ? htonl(ntohl(remote) + i) : remote;
		ret = wfp_bench_cycle(&b, p->spi_base + 2 * i, keep);
		if (!ret && signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	if (!ret)
		p->elapsed_ns = ktime_get_ns() - start;
	return ret;
}
