// SPDX-License-Identifier: GPL-2.0
/*
 * Net events: FWPM_NET_EVENT_TYPE_CLASSIFY_DROP for the traffic a trap
 * filter drops.
 *
 * A BLOCK filter at OUTBOUND_TRANSPORT_V4/V6 is a trap, and so is one at
 * IPFORWARD_V4/V6 whose selectors name both addresses (filter.c puts it
 * in dir out, where forwarded traffic meets the acquire path): instead
 * of xfrm's block action its policies allow the traffic through one ESP
 * transport template whose reqid, of a group of its own (filter.c), no
 * SA ever has.  With no SA xfrm makes a larval state - provided a key
 * manager says it is alive for the namespace, which ours does while it
 * has traps - calls every key manager's acquire hook and drops the
 * packet; the larval state then answers the flow's further packets
 * (dropped too) until net.core.xfrm_acq_expires, which is the events'
 * rate limit: one per address pair and trap reqid per acquire period, as
 * xfrm's own acquires to an IKE daemon.  The hook
 * finds the trap by its reqid (an RCU-read xarray, as it runs in atomic
 * context) and queues the event to the namespace's net-event subscribers
 * with the larval state's selector: the packet's addresses, protocol and
 * ports (ICMP: type and code).  Inbound BLOCK filters, and forward ones
 * not naming both addresses, stay xfrm block policies, which raise
 * nothing.
 *
 * IPSEC_KERNEL_DROP: xfrm counts an inbound state's ICV and replay
 * failures in the state (x->stats) but tells no one, so a delayed work
 * per namespace, armed only while the namespace has net-event
 * subscribers, polls the SA contexts' inbound states and reports each
 * increase (Documentation/netevents.rst maps the counters).
 *
 * Delivery is the SA-context events' (events.c): a bounded queue per
 * subscription on the session, its OVERFLOW record, read() and poll().
 */

#include <linux/in.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/wfp_ipsec.h>

#include "context.h"
#include "events.h"
#include "filter.h"
#include "netevent.h"
#include "netns.h"
#include "objects.h"
#include "policy.h"
#include "session.h"

/* FWPS runtime layer ids (fwpsu.h) */
#define WFP_FWPS_IPFORWARD_V4		8
#define WFP_FWPS_IPFORWARD_V6		10
#define WFP_FWPS_INBOUND_TRANSPORT_V4	12
#define WFP_FWPS_INBOUND_TRANSPORT_V6	14
#define WFP_FWPS_OUTBOUND_TRANSPORT_V4	16
#define WFP_FWPS_OUTBOUND_TRANSPORT_V6	18

struct wfp_trap {
	u64 filter_id;
	u16 layer_id;
	struct rcu_head rcu;
};

int wfp_netevent_subscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_net_subscribe *r = arg;
	struct wfp_sub *sub;

	/* read() copies a record through a buffer of this size. */
	BUILD_BUG_ON(sizeof(struct wfp_ipsec_net_event) > WFP_SUB_RSIZE_MAX);
	if (r->flags || r->reserved0 ||
	    memchr_inv(r->reserved, 0, sizeof(r->reserved)))
		return -EINVAL;
	sub = wfp_sub_alloc(s, sizeof(struct wfp_ipsec_net_event));
	if (IS_ERR(sub))
		return PTR_ERR(sub);
	sub->net = true;
	wfp_sub_link(sub, &s->wn->net_subscribers);
	r->id = sub->id;
	wfp_netevent_kdrop_sync(s->wn);
	return 0;
}

int wfp_netevent_unsubscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *r = arg;
	int ret;

	if (r->reserved)
		return -EINVAL;
	ret = wfp_sub_remove(s, r->id, true);
	if (!ret)
		wfp_netevent_kdrop_sync(s->wn);
	return ret;
}

/*
 * The runtime layer id of a layer that raises net events: a trap's, or
 * the inbound transport layer of an IPsec drop; 0 for the others.
 */
static u16 wfp_fwps_layer_id(u32 layer)
{
	switch (layer) {
	case WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4:
		return WFP_FWPS_INBOUND_TRANSPORT_V4;
	case WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V6:
		return WFP_FWPS_INBOUND_TRANSPORT_V6;
	case WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4:
		return WFP_FWPS_OUTBOUND_TRANSPORT_V4;
	case WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V6:
		return WFP_FWPS_OUTBOUND_TRANSPORT_V6;
	case WFP_IPSEC_LAYER_IPFORWARD_V4:
		return WFP_FWPS_IPFORWARD_V4;
	case WFP_IPSEC_LAYER_IPFORWARD_V6:
		return WFP_FWPS_IPFORWARD_V6;
	default:
		return 0;
	}
}

/*
 * Out only: the outbound transport layers, and a forward BLOCK filter.c
 * put there; not the inbound transport layers, whose BLOCK is in "in".
 */
bool wfp_filter_is_trap(const struct wfp_filter *f)
{
	return f->action == WFP_IPSEC_ACTION_BLOCK && f->sels &&
	       f->dir == XFRM_POLICY_OUT && wfp_fwps_layer_id(f->layer);
}

/* The trap's filter id: its group's key holds it (filter.c). */
static u64 wfp_trap_filter_id(const struct wfp_filter *f)
{
	u64 id;

	memcpy(&id, f->group->key.local, sizeof(id));
	return id;
}

/* Before its policies go in, so the first acquire finds it. */
int wfp_netevent_trap_add(struct wfp_net *wn, const struct wfp_filter *f)
{
	struct wfp_trap *trap;
	int ret;

	trap = kzalloc(sizeof(*trap), GFP_KERNEL_ACCOUNT);
	if (!trap)
		return -ENOMEM;
	trap->filter_id = wfp_trap_filter_id(f);
	trap->layer_id = wfp_fwps_layer_id(f->layer);
	ret = xa_insert(&wn->traps, f->reqid, trap, GFP_KERNEL_ACCOUNT);
	if (ret)
		kfree(trap);
	return ret;
}

/* A larval state of a trap, collected by wfp_trap_sweep(). */
struct wfp_trap_walk {
	u32 reqid;
	unsigned int n;
	struct xfrm_state *x[16];
};

/* Under xfrm_state_lock: references only. */
static int wfp_trap_collect(struct xfrm_state *x, int count, void *ptr)
{
	struct wfp_trap_walk *w = ptr;

	/* A trap's larval states never have an SPI (a reservation has). */
	if (x->props.reqid != w->reqid || x->km.state != XFRM_STATE_ACQ ||
	    x->id.spi)
		return 0;
	if (w->n == ARRAY_SIZE(w->x))
		return -ENOBUFS;
	xfrm_state_hold(x);
	w->x[w->n++] = x;
	return 0;
}

/*
 * The larval states the trap's acquires left: gone with the filter, so
 * its removal leaves nothing behind (they would otherwise live out
 * their acquire period).  In batches, as the walk holds a spinlock.
 */
static void wfp_trap_sweep(struct net *net, u32 reqid)
{
	struct xfrm_state_walk walk;
	struct wfp_trap_walk *w;
	unsigned int i;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;		/* they expire on their own */
	w->reqid = reqid;
	do {
		w->n = 0;
		xfrm_state_walk_init(&walk, IPPROTO_ESP, NULL);
		xfrm_state_walk(net, &walk, wfp_trap_collect, w);
		xfrm_state_walk_done(&walk, net);
		for (i = 0; i < w->n; i++) {
			xfrm_state_delete(w->x[i]);
			xfrm_state_put(w->x[i]);
		}
	} while (w->n == ARRAY_SIZE(w->x));
	kfree(w);
}

/* After its policies went: no new acquire can name it. */
void wfp_netevent_trap_del(struct wfp_net *wn, const struct wfp_filter *f)
{
	struct wfp_trap *trap = xa_erase(&wn->traps, f->reqid);

	if (!trap)
		return;
	kfree_rcu(trap, rcu);
	/*
	 * An acquire that found the trap just before the erase inserts its
	 * larval state after returning, inside xfrm's RCU read section: once
	 * a grace period is over, every such state is in the table.
	 */
	synchronize_rcu();
	wfp_trap_sweep(wn->net, f->reqid);
}

static bool wfp_netevent_has_ports(u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return true;
	default:
		return false;
	}
}

/* What both kinds of event say: the IP version and the two addresses. */
static void wfp_netevent_addrs(struct wfp_ipsec_net_event *ev, u16 family,
			       const void *local, const void *remote)
{
	unsigned int alen = family == AF_INET ? 4 : 16;

	ev->ip_version = family == AF_INET ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6;
	ev->flags |= WFP_IPSEC_NET_F_IP_VERSION_SET |
		     WFP_IPSEC_NET_F_LOCAL_ADDR_SET |
		     WFP_IPSEC_NET_F_REMOTE_ADDR_SET;
	memcpy(ev->local_addr, local, alen);
	memcpy(ev->remote_addr, remote, alen);
}

static void wfp_netevent_fill(struct wfp_ipsec_net_event *ev,
			      const struct wfp_trap *trap,
			      const struct xfrm_selector *sel)
{
	ev->filter_id = trap->filter_id;
	ev->layer_id = trap->layer_id;
	/* Outbound: the selector's source is the local side. */
	wfp_netevent_addrs(ev, sel->family, &sel->saddr, &sel->daddr);
	if (sel->proto) {
		ev->protocol = sel->proto;
		ev->flags |= WFP_IPSEC_NET_F_IP_PROTOCOL_SET;
	}
	/*
	 * Both port flags together (consumers test one for both), for the
	 * protocols whose flow keys are ports, or ICMP's type and code:
	 * xfrm's larval selector has full masks whatever the protocol.
	 */
	if (wfp_netevent_has_ports(sel->proto)) {
		ev->local_port = ntohs(sel->sport);
		ev->remote_port = ntohs(sel->dport);
		ev->flags |= WFP_IPSEC_NET_F_LOCAL_PORT_SET |
			     WFP_IPSEC_NET_F_REMOTE_PORT_SET;
	}
}

/* A copy of rec to every net-event subscriber of wn; any context. */
static void wfp_netevent_queue(struct wfp_net *wn,
			       const struct wfp_ipsec_net_event *rec)
{
	struct wfp_ipsec_net_event *ev;
	struct wfp_sub *sub;

	spin_lock_bh(&wn->ev_lock);
	list_for_each_entry(sub, &wn->net_subscribers, wn_node) {
		ev = wfp_sub_push(sub);
		if (!ev)
			continue;
		memcpy(ev, rec, sizeof(*ev));
		ev->subscription = sub->id;
	}
	spin_unlock_bh(&wn->ev_lock);
}

/* A net event record of type, timestamped now, for wfp_netevent_queue(). */
static void wfp_netevent_init(struct wfp_ipsec_net_event *ev, u32 type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->size = sizeof(*ev);
	ev->timestamp = ktime_get_real_ns();
}

static void wfp_netevent_emit(struct wfp_net *wn, const struct wfp_trap *trap,
			      const struct xfrm_selector *sel)
{
	struct wfp_ipsec_net_event ev;

	wfp_netevent_init(&ev, WFP_IPSEC_EVENT_NET_CLASSIFY_DROP);
	wfp_netevent_fill(&ev, trap, sel);
	wfp_netevent_queue(wn, &ev);
}

/* Whether xfrm must make larval states and acquire in net. */
bool wfp_netevent_has_traps(struct net *net)
{
	return !xa_empty(&wfp_net(net)->traps);
}

/*
 * 0 for a trap's acquire, so xfrm keeps the larval state and the flow's
 * next packets do not ask again; -EOPNOTSUPP for anything else, so our
 * SA contexts' and IPsec filters' acquires stay as they were (xfrm
 * drops the larval state when no key manager takes it).
 */
int wfp_netevent_acquire(struct xfrm_state *x, const struct xfrm_tmpl *t)
{
	struct wfp_net *wn;
	struct wfp_trap *trap;

	if (t->reqid < WFP_REQID_MIN || t->reqid > WFP_REQID_MAX)
		return -EOPNOTSUPP;
	wn = wfp_net(xs_net(x));
	rcu_read_lock();
	trap = xa_load(&wn->traps, t->reqid);
	if (trap)
		wfp_netevent_emit(wn, trap, &x->sel);
	rcu_read_unlock();
	return trap ? 0 : -EOPNOTSUPP;
}

/* ------------------------------------------------- IPSEC_KERNEL_DROP */

#define WFP_KDROP_PERIOD_MS	250
/* Drops reported per poll: the others stay unseen until the next. */
#define WFP_KDROP_BATCH		32

/* ntstatus.h: failureStatus of an IPsec drop. */
#define WFP_STATUS_IPSEC_REPLAY_CHECK_FAILED	((s32)0xC0360004)
#define WFP_STATUS_IPSEC_INTEGRITY_CHECK_FAILED	((s32)0xC0360006)

/* One drop to report: what the walk copied of its context and SA. */
struct wfp_kdrop {
	u64 filter_id;		/* the traffic's, then the event's */
	u32 reqid;
	u32 spi;		/* host order */
	u32 count;
	s32 status;
	u16 layer_id;
	bool tunnel;
	u8 family;
	u8 local[16];
	u8 remote[16];
};

struct wfp_kdrop_walk {
	bool report;		/* false: only note the counters */
	unsigned int n;
	struct wfp_kdrop d[WFP_KDROP_BATCH];
};

/* Under rcu_read_lock(): copies only. */
static void wfp_kdrop_take(struct wfp_kdrop_walk *w,
			   const struct wfp_context *ctx,
			   const struct xfrm_state *x, u32 *seen, u32 now,
			   s32 status)
{
	struct wfp_kdrop *d;

	if (now == *seen)
		return;
	if (w->report && w->n == WFP_KDROP_BATCH)
		return;
	if (w->report) {
		d = &w->d[w->n++];
		/* Lower: another state at the same address, from zero. */
		d->count = now > *seen ? now - *seen : now;
		d->status = status;
		d->spi = ntohl(x->id.spi);
		d->reqid = ctx->reqid;
		d->filter_id = ctx->traffic.filter_id;
		d->tunnel = ctx->traffic.traffic_type ==
			    WFP_IPSEC_TRAFFIC_TUNNEL;
		d->family = x->props.family;
		/* Inbound: the state's destination is the local side. */
		memcpy(d->local, &x->id.daddr, sizeof(d->local));
		memcpy(d->remote, &x->props.saddr, sizeof(d->remote));
	}
	*seen = now;
}

/*
 * One context, under rcu_read_lock() (wfp_context_for_each()): its
 * inbound state is freed only after a grace period.  A state first seen
 * while reporting came after the last poll: all its drops are new.
 */
static void wfp_kdrop_check(const struct wfp_context *cctx, void *arg)
{
	/* drop_seen is this walk's own (context.h), the rest is read. */
	struct wfp_kdrop_seen *seen = &((struct wfp_context *)cctx)->drop_seen;
	struct xfrm_state *x = READ_ONCE(cctx->x[WFP_IPSEC_DIR_INBOUND]);
	struct wfp_kdrop_walk *w = arg;
	u32 icv, replay;

	if (!x) {
		seen->x = NULL;
		return;
	}
	spin_lock_bh(&x->lock);
	icv = x->stats.integrity_failed;
	replay = x->stats.replay + x->stats.replay_window;
	spin_unlock_bh(&x->lock);
	if (seen->x != x) {
		seen->x = x;
		seen->icv = w->report ? 0 : icv;
		seen->replay = w->report ? 0 : replay;
	}
	wfp_kdrop_take(w, cctx, x, &seen->icv, icv,
		       WFP_STATUS_IPSEC_INTEGRITY_CHECK_FAILED);
	wfp_kdrop_take(w, cctx, x, &seen->replay, replay,
		       WFP_STATUS_IPSEC_REPLAY_CHECK_FAILED);
}

/*
 * The filter a drop is reported with: the inbound IPsec callout filter
 * of the context's SA group (reqid), whose callout takes the packet on
 * Windows; else, for a transport context, its traffic's (outbound)
 * filter id; else none.  Under objs.lock.
 */
static void wfp_kdrop_filter(struct wfp_net *wn, struct wfp_kdrop *d)
{
	struct list_head *filters = wfp_obj_list(wn, WFP_IPSEC_OBJ_FILTER);
	const struct wfp_filter *f;
	const struct wfp_obj *o;

	list_for_each_entry(o, filters, node) {
		f = o->filter;
		if (!f->group || f->reqid != d->reqid ||
		    f->action != WFP_IPSEC_ACTION_CALLOUT)
			continue;
		if (f->dir == XFRM_POLICY_IN) {
			d->filter_id = o->id;
			d->layer_id = wfp_fwps_layer_id(f->layer);
			return;
		}
	}
	/* A tunnel's traffic names a provider context, not a filter. */
	if (d->tunnel)
		d->filter_id = 0;
}

static void wfp_kdrop_report(struct wfp_net *wn, const struct wfp_kdrop *d)
{
	struct wfp_ipsec_net_event ev;

	wfp_netevent_init(&ev, WFP_IPSEC_EVENT_NET_IPSEC_KERNEL_DROP);
	ev.filter_id = d->filter_id;
	ev.layer_id = d->layer_id;
	ev.direction = WFP_IPSEC_DIR_INBOUND;
	ev.spi = d->spi;
	ev.status = d->status;
	ev.count = d->count;
	wfp_netevent_addrs(&ev, d->family, d->local, d->remote);
	wfp_netevent_queue(wn, &ev);
}

/*
 * One pass over wn's contexts: notes every inbound state's counters,
 * and when report is set queues an event per increase - outside the
 * walk, as the filter's lookup takes objs.lock.  Without memory the
 * counters stay unseen: the next poll reports them.
 */
static void wfp_kdrop_poll(struct wfp_net *wn, bool report)
{
	struct wfp_kdrop_walk *w;
	unsigned int i;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;
	w->report = report;
	wfp_context_for_each(wn, wfp_kdrop_check, w);
	if (w->n) {
		mutex_lock(&wn->objs.lock);
		for (i = 0; i < w->n; i++)
			wfp_kdrop_filter(wn, &w->d[i]);
		mutex_unlock(&wn->objs.lock);
		for (i = 0; i < w->n; i++)
			wfp_kdrop_report(wn, &w->d[i]);
	}
	kfree(w);
}

static void wfp_kdrop_arm(struct wfp_net *wn)
{
	queue_delayed_work(system_power_efficient_wq, &wn->kdrop_work,
			   msecs_to_jiffies(WFP_KDROP_PERIOD_MS));
}

/* Rearms itself: wfp_netevent_kdrop_sync() cancels it (_sync). */
static void wfp_kdrop_work(struct work_struct *work)
{
	struct wfp_net *wn = container_of(to_delayed_work(work),
					  struct wfp_net, kdrop_work);

	wfp_kdrop_poll(wn, true);
	wfp_kdrop_arm(wn);
}

void wfp_netevent_net_init(struct wfp_net *wn)
{
	INIT_DELAYED_WORK(&wn->kdrop_work, wfp_kdrop_work);
	mutex_init(&wn->kdrop_lock);
}

/*
 * Every session pins its namespace and disarms the poll when it closes,
 * so this finds it idle; it also keeps the work from outliving wn - and
 * the module, whose exit ends every namespace's state first.
 */
void wfp_netevent_net_exit(struct wfp_net *wn)
{
	cancel_delayed_work_sync(&wn->kdrop_work);
	mutex_destroy(&wn->kdrop_lock);
}

/*
 * Arms the poll when wn has net-event subscribers, after noting the
 * counters as they are (drops from before the subscription are not
 * reported), and disarms it when it has none.  kdrop_lock orders the
 * two against each other; the work takes neither it nor ev_lock around
 * its wait, so the cancel may wait for it.
 */
void wfp_netevent_kdrop_sync(struct wfp_net *wn)
{
	bool want;

	mutex_lock(&wn->kdrop_lock);
	spin_lock_bh(&wn->ev_lock);
	want = !list_empty(&wn->net_subscribers);
	spin_unlock_bh(&wn->ev_lock);
	if (want && !wn->kdrop_armed) {
		wfp_kdrop_poll(wn, false);
		wfp_kdrop_arm(wn);
	} else if (!want && wn->kdrop_armed) {
		cancel_delayed_work_sync(&wn->kdrop_work);
	}
	wn->kdrop_armed = want;
	mutex_unlock(&wn->kdrop_lock);
}
