// SPDX-License-Identifier: GPL-2.0
/*
 * Net events: FWPM_NET_EVENT_TYPE_CLASSIFY_DROP for the traffic a trap
 * filter drops.
 *
 * A BLOCK filter at OUTBOUND_TRANSPORT_V4/V6 is a trap: instead of xfrm's
 * block action its policies allow the traffic through one ESP transport
 * template whose reqid, of a group of its own (filter.c), no SA ever has.
 * With no SA xfrm makes a larval state - provided a key manager says
 * it is alive for the namespace, which ours does while it has traps -
 * calls every key manager's acquire hook and drops the packet; the larval state then answers the
 * flow's further packets (dropped too) until net.core.xfrm_acq_expires,
 * which is the events' rate limit: one per address pair and trap reqid
 * per acquire period, as xfrm's own acquires to an IKE daemon.  The hook
 * finds the trap by its reqid (an RCU-read xarray, as it runs in atomic
 * context) and queues the event to the namespace's net-event subscribers
 * with the larval state's selector: the packet's addresses, protocol and
 * ports (ICMP: type and code).  Inbound and forward BLOCK filters stay
 * xfrm block policies, which raise nothing.
 *
 * Delivery is the SA-context events' (events.c): a bounded queue per
 * subscription on the session, its OVERFLOW record, read() and poll().
 */

#include <linux/in.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>

#include <linux/wfp_ipsec.h>

#include "events.h"
#include "filter.h"
#include "netevent.h"
#include "netns.h"
#include "policy.h"
#include "session.h"

/* FWPS runtime layer ids (fwpsu.h) */
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
	return 0;
}

int wfp_netevent_unsubscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *r = arg;

	if (r->reserved)
		return -EINVAL;
	return wfp_sub_remove(s, r->id, true);
}

bool wfp_filter_is_trap(const struct wfp_filter *f)
{
	return f->action == WFP_IPSEC_ACTION_BLOCK && f->sels &&
	       (f->layer == WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4 ||
		f->layer == WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V6);
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
	trap->layer_id = f->family == AF_INET ?
			 WFP_FWPS_OUTBOUND_TRANSPORT_V4 :
			 WFP_FWPS_OUTBOUND_TRANSPORT_V6;
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

static void wfp_netevent_fill(struct wfp_ipsec_net_event *ev,
			      const struct wfp_trap *trap,
			      const struct xfrm_selector *sel, u64 now)
{
	unsigned int alen = sel->family == AF_INET ? 4 : 16;

	ev->type = WFP_IPSEC_EVENT_NET_CLASSIFY_DROP;
	ev->size = sizeof(*ev);
	ev->timestamp = now;
	ev->filter_id = trap->filter_id;
	ev->layer_id = trap->layer_id;
	ev->ip_version = sel->family == AF_INET ? WFP_IPSEC_IPV4 :
						  WFP_IPSEC_IPV6;
	ev->flags = WFP_IPSEC_NET_F_IP_VERSION_SET |
		    WFP_IPSEC_NET_F_LOCAL_ADDR_SET |
		    WFP_IPSEC_NET_F_REMOTE_ADDR_SET;
	/* Outbound: the selector's source is the local side. */
	memcpy(ev->local_addr, &sel->saddr, alen);
	memcpy(ev->remote_addr, &sel->daddr, alen);
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

static void wfp_netevent_emit(struct wfp_net *wn, const struct wfp_trap *trap,
			      const struct xfrm_selector *sel)
{
	u64 now = ktime_get_real_ns();
	struct wfp_ipsec_net_event *ev;
	struct wfp_sub *sub;

	spin_lock_bh(&wn->ev_lock);
	list_for_each_entry(sub, &wn->net_subscribers, wn_node) {
		ev = wfp_sub_push(sub);
		if (ev)
			wfp_netevent_fill(ev, trap, sel, now);
	}
	spin_unlock_bh(&wn->ev_lock);
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
