// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextSetSpi0 and IPsecSaContextGetSpi0/1: the inbound SPI of a
 * context is reserved in the kernel's own xfrm state database, as a larval
 * (ACQ) ESP state for the inbound addresses - the way xfrm_user's ALLOCSPI
 * and af_key's GETSPI do it - so no other control plane can take it.
 *
 * Three differences from those: the module makes the larval state itself
 * rather than through xfrm_find_acq(), without an acquire timer, so
 * net.core.xfrm_acq_expires never drops a reservation a keying module is
 * still negotiating for; it carries the reqid of the context's policy set
 * (the module's range), so it is never a larval state another control
 * plane is waiting on; and it goes into the database with its SPI,
 * through xfrm_state_add(), rather than being given one by
 * xfrm_alloc_spi(), whose 6.1.y version walks every state of the
 * namespace per candidate with bottom halves off.
 *
 * What is unique (Documentation/spi.rst): (daddr, ESP, SPI) across every
 * control plane, which is what 6.1's inbound lookup keys on, and (ESP,
 * SPI) across the namespace's contexts.  Every reservation runs under
 * net->xfrm.xfrm_cfg_mutex, the lock xfrm_user and af_key hold around
 * their own SPI and SA changes, which also orders the module's index.
 */

#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/sched/signal.h>
#include <net/xfrm.h>

#include "context.h"
#include "netns.h"
#include "session.h"
#include "spi.h"
#include "traffic.h"

/* RFC 4303: 0 is reserved for local use, 1-255 by IANA. */
#define WFP_SPI_FIRST_VALID	256

/*
 * Random picks GetSpi makes before it sweeps its range: in a range at
 * most half full, 32 taken picks in a row happen once in 4 billion calls.
 * A range no larger is swept at once.
 */
#define WFP_SPI_RANDOM_TRIES	32U

static const struct rhashtable_params wfp_spi_params = {
	.key_len = sizeof_field(struct wfp_context, spi_key),
	.key_offset = offsetof(struct wfp_context, spi_key),
	.head_offset = offsetof(struct wfp_context, spi_node),
	.automatic_shrinking = true,
};

static u64 wfp_spi_key(u8 proto, u32 spi)
{
	return (u64)proto << 32 | spi;
}

int wfp_spi_table_init(struct wfp_net *wn)
{
	return rhashtable_init(&wn->spis, &wfp_spi_params);
}

void wfp_spi_table_destroy(struct wfp_net *wn)
{
	rhashtable_destroy(&wn->spis);
}

struct wfp_context *wfp_spi_lookup(struct wfp_net *wn, u8 proto, u32 spi)
{
	u64 key = wfp_spi_key(proto, spi);
	struct wfp_context *ctx;

	rcu_read_lock();
	ctx = rhashtable_lookup(&wn->spis, &key, wfp_spi_params);
	if (ctx && !refcount_inc_not_zero(&ctx->refs))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/*
 * The context whose reserved SPI another plane's XFRM_MSG_UPDSA of x took:
 * its larval state, at x's SPI and destination, is dead.  With a
 * reference, or NULL.  Under xfrm_cfg_mutex, which ctx->larval needs.
 */
struct wfp_context *wfp_spi_taken_by(struct wfp_net *wn,
				     const struct xfrm_state *x)
{
	struct wfp_context *ctx;
	struct xfrm_state *l;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);

	ctx = wfp_spi_lookup(wn, x->id.proto, ntohl(x->id.spi));
	if (!ctx)
		return NULL;
	l = ctx->larval;
	if (l && l != x && READ_ONCE(l->km.state) == XFRM_STATE_DEAD &&
	    l->props.family == x->props.family &&
	    xfrm_addr_equal(&l->id.daddr, &x->id.daddr, x->props.family))
		return ctx;
	wfp_context_put(ctx);
	return NULL;
}

void wfp_spi_unindex(struct wfp_net *wn, struct wfp_context *ctx)
{
	lockdep_assert_held(&wn->ctx_lock);

	if (ctx->spi_key)
		rhashtable_remove_fast(&wn->spis, &ctx->spi_node,
				       wfp_spi_params);
}

/* Drops the larval state; it may already be gone (e.g. "ip xfrm state
 * flush"), in which case xfrm_state_delete() has nothing to do.
 */
static void wfp_spi_larval_drop(struct xfrm_state *x)
{
	xfrm_state_delete(x);
	xfrm_state_put(x);
}

void wfp_spi_release(struct wfp_context *ctx)
{
	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	if (ctx->larval) {
		wfp_spi_larval_drop(ctx->larval);
		ctx->larval = NULL;
	}
}

static void wfp_addr_to_xfrm(xfrm_address_t *xa, const u8 *addr, u8 ip_version)
{
	memset(xa, 0, sizeof(*xa));
	memcpy(xa, addr, ip_version == WFP_IPSEC_IPV4 ? 4 : 16);
}

/* The inbound traffic must describe the same host pair as the context. */
static bool wfp_spi_traffic_matches(const struct wfp_ipsec_traffic *ctx_t,
				    const struct wfp_ipsec_traffic *in)
{
	return ctx_t->ip_version == in->ip_version &&
	       ctx_t->traffic_type == in->traffic_type &&
	       !memcmp(ctx_t->local_addr, in->local_addr, 16) &&
	       !memcmp(ctx_t->remote_addr, in->remote_addr, 16);
}

static int wfp_spi_validate(const struct wfp_ipsec_spi *r)
{
	if (r->reserved0 || memchr_inv(r->reserved, 0, sizeof(r->reserved)) ||
	    (r->flags & ~__WFP_IPSEC_SPI_F_ALL))
		return -EINVAL;
	if (r->flags & WFP_IPSEC_SPI_F_UDP_ENCAP) {
		/* UDP encapsulation of ESP exists for IPv4 only here. */
		if (r->inbound.ip_version != WFP_IPSEC_IPV4 ||
		    !r->encap_local_port || !r->encap_remote_port)
			return -EINVAL;
	} else if (r->encap_local_port || r->encap_remote_port) {
		return -EINVAL;
	}
	return wfp_traffic_validate(&r->inbound);
}

/*
 * The larval ESP state of the context's inbound SA, as xfrm_find_acq()
 * would make it but without its acquire timer: a reservation lasts until
 * AddInbound or deletion, whatever net.core.xfrm_acq_expires says.  Not
 * in the database yet: wfp_spi_larval_add() puts it there with its SPI.
 * Returns it with one reference, for the database.
 */
static struct xfrm_state *wfp_spi_larval_alloc(struct wfp_context *ctx)
{
	const struct wfp_ipsec_traffic *t = &ctx->traffic;
	unsigned int bits = t->ip_version == WFP_IPSEC_IPV4 ? 32 : 128;
	struct xfrm_state *x;

	x = xfrm_state_alloc(ctx->wn->net);
	if (!x)
		return NULL;
	/* Inbound: the peer sends to us. */
	wfp_addr_to_xfrm(&x->id.daddr, t->local_addr, t->ip_version);
	wfp_addr_to_xfrm(&x->props.saddr, t->remote_addr, t->ip_version);
	x->sel.daddr = x->id.daddr;
	x->sel.saddr = x->props.saddr;
	x->sel.prefixlen_d = bits;
	x->sel.prefixlen_s = bits;
	x->id.proto = IPPROTO_ESP;
	x->props.family = t->ip_version == WFP_IPSEC_IPV4 ? AF_INET : AF_INET6;
	x->props.mode = t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL ?
			XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	x->props.reqid = ctx->reqid;
	x->km.state = XFRM_STATE_ACQ;
	return x;
}

/* A larval state that never made it into the database. */
static void wfp_spi_larval_free(struct xfrm_state *x)
{
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
}

/*
 * Puts the larval state into the database at SPI spi, unless a context
 * of the namespace holds (ESP, spi) or a state of anyone's holds
 * (daddr, ESP, spi): -EEXIST.  xfrm_state_add() looks the triple up in
 * the byspi hash and inserts under one hold of xfrm_state_lock, so the
 * check is O(1) and atomic against every other plane's xfrm_state_add()
 * and xfrm_alloc_spi(); the index check needs no such lock, as every
 * reservation runs under xfrm_cfg_mutex.  On success the database owns
 * the state's first reference, and the caller gets a second.
 */
static int wfp_spi_larval_add(struct wfp_context *ctx, struct xfrm_state *x,
			      u32 spi)
{
	u64 key = wfp_spi_key(IPPROTO_ESP, spi);
	int ret;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	if (rhashtable_lookup_fast(&ctx->wn->spis, &key, wfp_spi_params))
		return -EEXIST;
	x->id.spi = htonl(spi);
	xfrm_state_hold(x);
	ret = xfrm_state_add(x);
	if (ret)
		__xfrm_state_put(x);	/* the allocation's reference stays */
	return ret;
}

/*
 * GetSpi: random picks in [lo, hi] first, then, before the range is
 * called exhausted, every SPI of it once from a random start.
 */
static int wfp_spi_larval_pick(struct wfp_context *ctx, struct xfrm_state *x,
			       u32 lo, u32 hi)
{
	/* lo >= 256 (sysctl.c) and lo <= hi: n is 1 .. 2^32 - 256. */
	u32 n = hi - lo + 1, off = get_random_u32_below(n), i;
	int ret;

	for (i = 0; n > WFP_SPI_RANDOM_TRIES && i < WFP_SPI_RANDOM_TRIES; i++) {
		ret = wfp_spi_larval_add(ctx, x, lo + get_random_u32_below(n));
		if (ret != -EEXIST)
			return ret;
	}
	/* Every SPI once, from offset off on, wrapping. */
	i = 0;
	do {
		ret = wfp_spi_larval_add(ctx, x, lo + off);
		if (ret != -EEXIST)
			return ret;
		if (signal_pending(current))
			return -ERESTARTSYS;
		cond_resched();
		off = off == n - 1 ? 0 : off + 1;
	} while (++i != n);
	return -ENOSPC;
}

/*
 * Creates the larval ESP state for the context's inbound SA with an SPI
 * in [lo, hi] (exact: lo, which SetSpi asks for).  On success the
 * context owns the caller's reference to it.
 */
static int wfp_spi_larval_create(struct wfp_context *ctx, u32 lo, u32 hi,
				 bool exact, struct xfrm_state **xp)
{
	struct xfrm_state *x;
	int ret;

	x = wfp_spi_larval_alloc(ctx);
	if (!x)
		return -ENOMEM;
	if (exact)
		ret = wfp_spi_larval_add(ctx, x, lo);
	else
		ret = wfp_spi_larval_pick(ctx, x, lo, hi);
	if (ret) {
		wfp_spi_larval_free(x);
		return ret;
	}
	*xp = x;
	return 0;
}

/* The reservation itself, on a context whose xfrm_cfg_mutex is held. */
static int wfp_spi_reserve_ctx(struct wfp_context *ctx,
			       struct wfp_ipsec_spi *r, u32 lo, u32 hi,
			       bool exact)
{
	struct wfp_net *wn = ctx->wn;
	struct xfrm_state *x;
	int ret;

	if (ctx->state != WFP_IPSEC_CTX_STATE_CREATED)
		return -EBUSY;
	if (!wfp_spi_traffic_matches(&ctx->traffic, &r->inbound))
		return -EXDEV;

	ret = wfp_spi_larval_create(ctx, lo, hi, exact, &x);
	if (ret)
		return ret;

	mutex_lock(&wn->ctx_lock);
	ctx->spi_key = wfp_spi_key(IPPROTO_ESP, ntohl(x->id.spi));
	ret = rhashtable_lookup_insert_fast(&wn->spis, &ctx->spi_node,
					    wfp_spi_params);
	if (ret)
		ctx->spi_key = 0;
	mutex_unlock(&wn->ctx_lock);
	if (ret) {
		wfp_spi_larval_drop(x);
		return ret;
	}

	ctx->larval = x;
	ctx->inbound_spi = ntohl(x->id.spi);
	ctx->inbound.filter_id = r->inbound.filter_id;
	ctx->inbound.local_if_luid = r->inbound.local_if_luid;
	ctx->inbound.real_if_profile_id = r->inbound.real_if_profile_id;
	ctx->inbound.local_port = r->inbound.local_port;
	ctx->inbound.remote_port = r->inbound.remote_port;
	ctx->inbound_ip_protocol = r->inbound.ip_protocol;
	ctx->spi_flags = r->flags;
	ctx->encap_local_port = r->encap_local_port;
	ctx->encap_remote_port = r->encap_remote_port;
	/* Lockless readers check the state before the fields it covers. */
	smp_store_release(&ctx->state, WFP_IPSEC_CTX_STATE_SPI_SET);
	r->spi = ctx->inbound_spi;
	return 0;
}

static int wfp_spi_reserve(struct wfp_session *s, struct wfp_ipsec_spi *r,
			   u32 lo, u32 hi, bool exact)
{
	struct wfp_context *ctx;
	int ret;

	ctx = wfp_context_lock(s->wn, r->id);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	ret = wfp_spi_reserve_ctx(ctx, r, lo, hi, exact);
	wfp_context_unlock(ctx);
	return ret;
}

/*
 * SetSpi (r->spi set) or GetSpi (r->spi 0) on a live context whose
 * xfrm_cfg_mutex the caller holds, with the checks of those calls: for
 * CTX_ADD_BATCH.
 */
int wfp_spi_reserve_locked(struct wfp_context *ctx, struct wfp_ipsec_spi *r)
{
	u32 lo = READ_ONCE(ctx->wn->set.spi_min);
	u32 hi = READ_ONCE(ctx->wn->set.spi_max);
	int ret;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	ret = wfp_spi_validate(r);
	if (ret)
		return ret;
	if (r->spi) {
		if (r->spi < WFP_SPI_FIRST_VALID)
			return -EINVAL;
		return wfp_spi_reserve_ctx(ctx, r, r->spi, r->spi, true);
	}
	if (lo > hi)
		return -ERANGE;
	return wfp_spi_reserve_ctx(ctx, r, lo, hi, false);
}

int wfp_spi_set(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_spi *r = arg;
	int ret;

	ret = wfp_spi_validate(r);
	if (ret)
		return ret;
	if (r->spi < WFP_SPI_FIRST_VALID)
		return -EINVAL;
	return wfp_spi_reserve(s, r, r->spi, r->spi, true);
}

int wfp_spi_get(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_spi *r = arg;
	u32 lo = READ_ONCE(s->wn->set.spi_min);
	u32 hi = READ_ONCE(s->wn->set.spi_max);
	int ret;

	ret = wfp_spi_validate(r);
	if (ret)
		return ret;
	if (r->spi)
		return -EINVAL;
	/* Every write keeps spi_min <= spi_max (sysctl.c), but two writes
	 * between these reads can still show an inverted pair.
	 */
	if (lo > hi)
		return -ERANGE;
	return wfp_spi_reserve(s, r, lo, hi, false);
}
