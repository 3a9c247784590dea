// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextExpire0, and the SA lifetimes xfrm enforces itself.
 *
 * Expire0 removes the outbound SA at once and the inbound SA after a grace
 * time (net.wfp_ipsec.expire_grace_seconds, 60 by default, as Windows
 * keeps it "for a minute"), so packets the peer sent before it switched
 * SAs still decrypt.  The context then stays EXPIRED until DeleteById0.
 * Its policies stay while it exists: with no outbound SA the OUT policy
 * makes xfrm hold traffic back (an acquire) instead of sending it in
 * clear.
 *
 * xfrm reports an SA reaching its lifetime, or removed by another control
 * plane, through the key managers' notify hook, from timer (softirq)
 * context with the state's lock held.  The hook only takes references and
 * queues work; the work finds the context owning the state and, for a
 * hard expiry or a removal, deletes the whole context - a context without
 * one of its SAs protects nothing - which subscribers see as DELETE.  A
 * soft expiry only marks the context.  Policies go the same way: another
 * plane deleting, flushing or replacing (an update with the same
 * selector) one that routes a complete context's traffic deletes the
 * context, since its traffic would otherwise leave in clear
 * (Documentation/coexistence.rst).
 */

#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/xfrm.h>

#include "context.h"
#include "filter.h"
#include "lifecycle.h"
#include "netevent.h"
#include "netns.h"
#include "policy.h"
#include "sa.h"
#include "session.h"
#include "spi.h"

static struct workqueue_struct *wfp_wq;

struct wfp_expiry {
	struct delayed_work work;
	struct wfp_context *ctx;	/* a reference */
};

/* An event on one of the states, for wfp_km_work(). */
struct wfp_km_work {
	struct work_struct work;
	struct net *net;		/* a reference */
	struct xfrm_state *x;		/* a reference */
	u32 event;
	bool hard;
};

/*
 * At most a day (sysctl.c), and multiplied in unsigned long: an unsigned
 * int product wrapped from 4294968 seconds at HZ=1000, turning a long
 * grace into a short one.
 */
static unsigned long wfp_grace_jiffies(const struct wfp_net *wn)
{
	return (unsigned long)READ_ONCE(wn->set.expire_grace_seconds) * HZ;
}

static void wfp_expiry_work(struct work_struct *work)
{
	struct wfp_expiry *e = container_of(to_delayed_work(work),
					    struct wfp_expiry, work);
	struct wfp_context *ctx = e->ctx;
	struct mutex *cfg = &ctx->wn->net->xfrm.xfrm_cfg_mutex;

	mutex_lock(cfg);
	/* Deleted meanwhile: the deleting path found the work running. */
	if (ctx->expiry == e) {
		wfp_sa_release_dir(ctx, WFP_IPSEC_DIR_INBOUND);
		ctx->expiry = NULL;
	}
	mutex_unlock(cfg);
	wfp_context_put(ctx);
	kfree(e);
}

void wfp_lifecycle_cancel(struct wfp_context *ctx)
{
	struct wfp_expiry *e = ctx->expiry;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	if (!e)
		return;
	ctx->expiry = NULL;
	/* Not yet started: ours to free.  Running: it frees itself. */
	if (cancel_delayed_work(&e->work)) {
		wfp_context_put(e->ctx);
		kfree(e);
	}
}

int wfp_lifecycle_expire(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *r = arg;
	struct wfp_context *ctx;
	struct wfp_expiry *e;
	int ret = 0;

	if (r->reserved)
		return -EINVAL;
	e = kzalloc(sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	ctx = wfp_context_lock(s->wn, r->id);
	if (IS_ERR(ctx)) {
		kfree(e);
		return PTR_ERR(ctx);
	}

	if (ctx->state != WFP_IPSEC_CTX_STATE_COMPLETE) {
		ret = -EBUSY;
	} else {
		wfp_sa_release_dir(ctx, WFP_IPSEC_DIR_OUTBOUND);
		/* Lockless readers see the state after what it describes. */
		smp_store_release(&ctx->state, WFP_IPSEC_CTX_STATE_EXPIRED);
		INIT_DELAYED_WORK(&e->work, wfp_expiry_work);
		refcount_inc(&ctx->refs);
		e->ctx = ctx;
		ctx->expiry = e;
		queue_delayed_work(wfp_wq, &e->work,
				   wfp_grace_jiffies(s->wn));
		e = NULL;
	}
	wfp_context_unlock(ctx);
	kfree(e);
	return ret;
}

static void wfp_km_work(struct work_struct *work)
{
	struct wfp_km_work *w = container_of(work, struct wfp_km_work, work);
	struct wfp_net *wn = wfp_net(w->net);
	struct mutex *cfg = &w->net->xfrm.xfrm_cfg_mutex;
	struct wfp_context *ctx;

	/* Under cfg, so an Update0 swapping this context's states is
	 * either not begun or done.
	 */
	mutex_lock(cfg);
	if (w->event == XFRM_MSG_UPDSA)
		ctx = wfp_spi_taken_by(wn, w->x);
	else
		ctx = wfp_sa_owner(wn, w->x);
	if (ctx && w->event == XFRM_MSG_EXPIRE && !w->hard) {
		wfp_context_mark_dying(ctx);
	} else if (ctx && wfp_context_remove_locked(wn, ctx, 0)) {
		/* The table's reference, which unlinking handed to us. */
		wfp_context_put(ctx);
	}
	mutex_unlock(cfg);
	if (ctx)
		wfp_context_put(ctx);
	xfrm_state_put(w->x);
	put_net(w->net);
	kfree(w);
}

static bool wfp_km_ours(const struct xfrm_state *x)
{
	return x->props.reqid >= WFP_REQID_MIN &&
	       x->props.reqid <= WFP_REQID_MAX;
}

/*
 * Every filter and context of the namespace is checked for states or
 * policies another plane took (wfp_filters_reap_lost(), whose lost
 * filters take their bound contexts along, then wfp_context_reap_lost()).  One work per namespace:
 * a storm of flushes and policy changes queues it once, allocates
 * nothing, so it cannot be lost to a failed allocation, and a change
 * that lands while it runs queues it again.
 */
static void wfp_km_rescan_work(struct work_struct *work)
{
	struct wfp_net *wn = container_of(work, struct wfp_net, km_rescan);
	struct net *net = wn->net;

	/* Cleared first: what changes from here on is seen by a rerun. */
	clear_bit(WFP_NET_RESCAN_QUEUED, &wn->km_flags);
	/* The clear before the scan's reads; pairs with test_and_set_bit(). */
	smp_mb__after_atomic();
	wfp_filters_reap_lost(wn);
	wfp_context_reap_lost(wn);
	put_net(net);
}

/* Atomic context, maybe under xfrm's locks. */
void wfp_lifecycle_rescan(struct net *net)
{
	struct wfp_net *wn = wfp_net(net);

	/* Nothing to lose (a context made meanwhile has no SA yet, a
	 * filter added meanwhile has its policies).
	 */
	if (!READ_ONCE(wn->nr_contexts) && !wfp_filters_count(wn))
		return;
	if (test_and_set_bit(WFP_NET_RESCAN_QUEUED, &wn->km_flags))
		return;
	/* A namespace on its way out is torn down by its exit instead. */
	if (!maybe_get_net(net)) {
		clear_bit(WFP_NET_RESCAN_QUEUED, &wn->km_flags);
		return;
	}
	queue_work(wfp_wq, &wn->km_rescan);
}

void wfp_lifecycle_net_init(struct wfp_net *wn)
{
	INIT_WORK(&wn->km_rescan, wfp_km_rescan_work);
}

/*
 * Queues the work for an event on x in net.  Atomic context, maybe with
 * x->lock held: references only.  Without memory for it, the namespace
 * is rescanned instead, which finds a deleted state or a replaced larval
 * one as well (a soft expiry it does not see: the SA lives on).
 */
static int wfp_km_queue(struct net *net, struct xfrm_state *x, u32 event,
			bool hard)
{
	struct wfp_km_work *w;

	w = kzalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		wfp_lifecycle_rescan(net);
		return -ENOMEM;
	}
	/* A namespace on its way out is torn down by its exit instead. */
	w->net = maybe_get_net(net);
	if (!w->net) {
		kfree(w);
		return 0;
	}
	xfrm_state_hold(x);
	w->x = x;
	w->event = event;
	w->hard = hard;
	INIT_WORK(&w->work, wfp_km_work);
	queue_work(wfp_wq, &w->work);
	return 0;
}

static int wfp_km_notify(struct xfrm_state *x, const struct km_event *c)
{
	struct net *net;

	switch (c->event) {
	case XFRM_MSG_EXPIRE:
	case XFRM_MSG_DELSA:
		/* An SPI-less state is a trap's larval one: no context's. */
		if (!wfp_km_ours(x) || !x->id.spi)
			return 0;
		net = xs_net(x);
		break;
	case XFRM_MSG_UPDSA:
		/* Another plane's SA, which may have replaced the larval
		 * state of a reserved SPI: xfrm deletes that one silently.
		 */
		if (x->id.proto != IPPROTO_ESP)
			return 0;
		net = xs_net(x);
		break;
	case XFRM_MSG_FLUSHSA:
		wfp_lifecycle_rescan(c->net);
		return 0;
	default:
		return 0;
	}
	/* c->data is set for EXPIRE only (xfrm_user leaves it unset). */
	return wfp_km_queue(net, x, c->event,
			    c->event == XFRM_MSG_EXPIRE && c->data.hard);
}

/* A policy of ours: one template, with a reqid of our range. */
static bool wfp_km_policy_ours(const struct xfrm_policy *xp)
{
	return xp->xfrm_nr == 1 && xp->xfrm_vec[0].reqid >= WFP_REQID_MIN &&
	       xp->xfrm_vec[0].reqid <= WFP_REQID_MAX;
}

/*
 * Another plane's policy changes (xfrm_user, af_key; ours notify no one).
 * A deletion or a flush may take a context's or a filter's policies
 * away, an update with the same selector replaces one: the namespace's
 * filters and contexts are checked as after a state flush, and those
 * left without a policy go.
 */
static int wfp_km_notify_policy(struct xfrm_policy *xp, int dir,
				const struct km_event *c)
{
	switch (c->event) {
	case XFRM_MSG_FLUSHPOLICY:
		wfp_lifecycle_rescan(c->net);
		return 0;
	case XFRM_MSG_POLEXPIRE:
		/* A hard one, sent by a user, deleted the policy. */
		if (!c->data.hard)
			return 0;
		fallthrough;
	case XFRM_MSG_DELPOLICY:
		/* A filter's PERMIT and BLOCK policies have no template. */
		if (!wfp_km_policy_ours(xp) &&
		    !wfp_filters_count(wfp_net(xp_net(xp))))
			return 0;
		fallthrough;
	case XFRM_MSG_UPDPOLICY:
		/* c->net is set for flushes only. */
		wfp_lifecycle_rescan(xp_net(xp));
		return 0;
	default:
		return 0;
	}
}

/* xfrm calls these hooks of every key manager unconditionally. */
static int wfp_km_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
			  struct xfrm_policy *xp)
{
	return wfp_netevent_acquire(x, t);
}

/*
 * Without a key manager alive for the namespace, xfrm makes no larval
 * state and asks no one: a namespace with trap filters needs the acquire.
 */
static bool wfp_km_is_alive(const struct km_event *c)
{
	return wfp_netevent_has_traps(c->net);
}

static struct xfrm_policy *wfp_km_compile_policy(struct sock *sk, int opt,
						 u8 *data, int len, int *dir)
{
	*dir = -EOPNOTSUPP;
	return NULL;
}

static struct xfrm_mgr wfp_km = {
	.notify = wfp_km_notify,
	.notify_policy = wfp_km_notify_policy,
	.acquire = wfp_km_acquire,
	.is_alive = wfp_km_is_alive,
	.compile_policy = wfp_km_compile_policy,
};

int wfp_lifecycle_init(void)
{
	wfp_wq = alloc_workqueue("wfp_ipsec", WQ_UNBOUND, 0);
	return wfp_wq ? 0 : -ENOMEM;
}

/*
 * xfrm notifies every key manager of every namespace's flushes at once:
 * the work it queues reads per-namespace state, so the hook goes in only
 * once that state exists in every namespace (wfp_net_init()).
 */
void wfp_lifecycle_start(void)
{
	xfrm_register_km(&wfp_km);
}

void wfp_lifecycle_flush(void)
{
	flush_workqueue(wfp_wq);
}

void wfp_lifecycle_stop(void)
{
	/* No new notification after this (it waits for an RCU period). */
	xfrm_unregister_km(&wfp_km);
	flush_workqueue(wfp_wq);
}

void wfp_lifecycle_uninit(void)
{
	destroy_workqueue(wfp_wq);
}
