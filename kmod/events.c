// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextSubscribe0 in the kernel: a subscription is a template
 * and a bounded queue of ADD/DELETE events on the session that made it;
 * the session's file delivers them through read() and poll(), and the
 * library turns them into callbacks on its own thread.
 *
 * As WFP does for its change notifications, a change is not reported to
 * the session that made it; changes made by xfrm itself (an SA's hard
 * lifetime, a flush) are reported to every subscriber.  A full queue
 * drops events and counts them; the count is reported in an OVERFLOW
 * record as soon as the queue has room again, so a subscriber always
 * learns that it missed something.
 *
 * Subscriptions of a namespace are on one list under wn->ev_lock, a
 * spinlock: events are emitted with the context locks held.  Each costs
 * a queue of event_queue_len records and a step of every emit's walk, so
 * a session holds at most WFP_IPSEC_SUBS_PER_SESSION_MAX and a namespace
 * WFP_IPSEC_SUBS_PER_NET_MAX (the per-session bound keeps one session
 * from taking the namespace's whole share).
 */

#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <linux/wfp_ipsec.h>

#include "context.h"
#include "events.h"
#include "ids.h"
#include "netns.h"
#include "session.h"
#include "traffic.h"

struct wfp_sub {
	struct list_head wn_node;	/* in wn->subscribers, ev_lock */
	struct list_head s_node;	/* in s->subs, ev_lock */
	struct wfp_session *s;
	u64 id;
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	unsigned int len, head, count;	/* ring of len records */
	u64 dropped;			/* not yet reported */
	struct wfp_ipsec_event q[];
};

void wfp_events_net_init(struct wfp_net *wn)
{
	spin_lock_init(&wn->ev_lock);
	INIT_LIST_HEAD(&wn->subscribers);
}

static bool wfp_sub_matches(const struct wfp_sub *sub,
			    const struct wfp_context *ctx)
{
	const struct wfp_ipsec_traffic *t = &ctx->traffic;

	return wfp_subnet_match(&sub->local, t->ip_version, t->local_addr) &&
	       wfp_subnet_match(&sub->remote, t->ip_version, t->remote_addr);
}

void wfp_events_emit(struct wfp_net *wn, u32 type,
		     const struct wfp_context *ctx, u64 origin_session)
{
	struct wfp_ipsec_event *ev;
	struct wfp_sub *sub;

	spin_lock(&wn->ev_lock);
	list_for_each_entry(sub, &wn->subscribers, wn_node) {
		if (sub->s->id == origin_session || !wfp_sub_matches(sub, ctx))
			continue;
		if (sub->count == sub->len) {
			sub->dropped++;
			continue;
		}
		ev = &sub->q[(sub->head + sub->count++) % sub->len];
		memset(ev, 0, sizeof(*ev));
		ev->type = type;
		ev->subscription = sub->id;
		ev->context = ctx->id;
		wake_up_interruptible(&sub->s->ev_wait);
	}
	spin_unlock(&wn->ev_lock);
}

/* Gives back n slots of the session and its namespace; under ev_lock. */
static void wfp_subs_uncharge(struct wfp_session *s, unsigned int n)
{
	lockdep_assert_held(&s->wn->ev_lock);
	s->nr_subs -= n;
	s->wn->nr_subs -= n;
}

int wfp_events_subscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_subscribe *r = arg;
	struct wfp_net *wn = s->wn;
	/* 1..65536 (sysctl.c): the allocation below is at most 2 MiB. */
	unsigned int len = READ_ONCE(wn->set.event_queue_len);
	struct wfp_sub *sub;
	int ret;

	if (r->flags || r->reserved0 ||
	    memchr_inv(r->reserved, 0, sizeof(r->reserved)) ||
	    wfp_subnet_validate(&r->local) || wfp_subnet_validate(&r->remote))
		return -EINVAL;
	if (r->local.ip_version && r->remote.ip_version &&
	    r->local.ip_version != r->remote.ip_version)
		return -EINVAL;
	/* The slot is taken before the queue is allocated: a caller at the
	 * limit is answered without allocating a queue only to free it, and
	 * two racing callers cannot both take the last slot.
	 */
	spin_lock(&wn->ev_lock);
	if (s->nr_subs >= WFP_IPSEC_SUBS_PER_SESSION_MAX ||
	    wn->nr_subs >= WFP_IPSEC_SUBS_PER_NET_MAX) {
		spin_unlock(&wn->ev_lock);
		return -ENOSPC;
	}
	s->nr_subs++;
	wn->nr_subs++;
	spin_unlock(&wn->ev_lock);

	sub = kvzalloc(struct_size(sub, q, len), GFP_KERNEL_ACCOUNT);
	if (sub)
		sub->id = wfp_ids_sub_next(s->wn);
	if (!sub || !sub->id) {
		ret = sub ? -ENOSPC : -ENOMEM;
		kvfree(sub);
		spin_lock(&wn->ev_lock);
		wfp_subs_uncharge(s, 1);
		spin_unlock(&wn->ev_lock);
		return ret;
	}
	sub->s = s;
	sub->len = len;
	sub->local = r->local;
	sub->remote = r->remote;

	spin_lock(&wn->ev_lock);
	list_add_tail(&sub->wn_node, &wn->subscribers);
	list_add_tail(&sub->s_node, &s->subs);
	spin_unlock(&wn->ev_lock);
	r->id = sub->id;
	return 0;
}

static void wfp_sub_unlink(struct wfp_sub *sub)
{
	list_del(&sub->wn_node);
	list_del(&sub->s_node);
}

int wfp_events_unsubscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *r = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_sub *sub, *found = NULL;

	if (r->reserved)
		return -EINVAL;
	spin_lock(&wn->ev_lock);
	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->id == r->id) {
			found = sub;
			wfp_sub_unlink(sub);
			wfp_subs_uncharge(s, 1);
			break;
		}
	}
	spin_unlock(&wn->ev_lock);
	if (!found)
		return -ENOENT;
	kvfree(found);
	return 0;
}

void wfp_events_session_close(struct wfp_session *s)
{
	struct wfp_sub *sub, *tmp;
	LIST_HEAD(gone);

	spin_lock(&s->wn->ev_lock);
	list_for_each_entry_safe(sub, tmp, &s->subs, s_node) {
		list_del(&sub->wn_node);
		list_move(&sub->s_node, &gone);
	}
	wfp_subs_uncharge(s, s->nr_subs);
	spin_unlock(&s->wn->ev_lock);
	list_for_each_entry_safe(sub, tmp, &gone, s_node)
		kvfree(sub);
}

/* Takes the next record of the session, if any; under ev_lock. */
static bool wfp_events_next(struct wfp_session *s, struct wfp_ipsec_event *ev)
{
	struct wfp_sub *sub;

	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->count) {
			*ev = sub->q[sub->head];
			sub->head = (sub->head + 1) % sub->len;
			sub->count--;
			return true;
		}
		if (sub->dropped) {
			memset(ev, 0, sizeof(*ev));
			ev->type = WFP_IPSEC_EVENT_OVERFLOW;
			ev->subscription = sub->id;
			ev->dropped = sub->dropped;
			sub->dropped = 0;
			return true;
		}
	}
	return false;
}

static bool wfp_events_pending(struct wfp_session *s)
{
	struct wfp_sub *sub;
	bool ret = false;

	spin_lock(&s->wn->ev_lock);
	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->count || sub->dropped) {
			ret = true;
			break;
		}
	}
	spin_unlock(&s->wn->ev_lock);
	return ret;
}

ssize_t wfp_events_read(struct wfp_session *s, char __user *buf,
			size_t len, bool nonblock)
{
	struct wfp_ipsec_event ev;
	size_t done = 0;
	bool got;
	int ret;

	if (len < sizeof(ev))
		return -EINVAL;
	for (;;) {
		while (done + sizeof(ev) <= len) {
			spin_lock(&s->wn->ev_lock);
			got = wfp_events_next(s, &ev);
			spin_unlock(&s->wn->ev_lock);
			if (!got)
				break;
			/* A record taken is a record given: on a fault the
			 * reader loses it, as it asked for it at a bad address.
			 */
			if (copy_to_user(buf + done, &ev, sizeof(ev)))
				return done ? done : -EFAULT;
			done += sizeof(ev);
		}
		if (done)
			return done;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(s->ev_wait,
					       wfp_events_pending(s));
		if (ret)
			return ret;
	}
}

__poll_t wfp_events_poll(struct wfp_session *s, struct file *file,
			 poll_table *wait)
{
	poll_wait(file, &s->ev_wait, wait);
	return wfp_events_pending(s) ? EPOLLIN | EPOLLRDNORM : 0;
}
