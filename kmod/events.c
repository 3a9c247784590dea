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
 * spinlock taken with bottom halves off: events are emitted with the
 * context locks held, and net events from xfrm's acquire, in softirq
 * context at times (netevent.c).  Net-event subscriptions are on a list
 * of their own, and their records bigger.  Each costs
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
#include "netevent.h"
#include "netns.h"
#include "session.h"
#include "traffic.h"

void wfp_events_net_init(struct wfp_net *wn)
{
	spin_lock_init(&wn->ev_lock);
	INIT_LIST_HEAD(&wn->subscribers);
	INIT_LIST_HEAD(&wn->net_subscribers);
	xa_init(&wn->traps);
	wfp_netevent_net_init(wn);
}

/*
 * The next free record of sub's queue, zeroed, with its subscription
 * set, and the reader woken; NULL when the queue is full, the loss
 * counted.  Under ev_lock.
 */
void *wfp_sub_push(struct wfp_sub *sub)
{
	struct wfp_ipsec_event *ev;

	lockdep_assert_held(&sub->s->wn->ev_lock);
	if (sub->count == sub->len) {
		sub->dropped++;
		return NULL;
	}
	ev = wfp_sub_rec(sub, (sub->head + sub->count++) % sub->len);
	memset(ev, 0, sub->rsize);
	ev->subscription = sub->id;
	wake_up_interruptible(&sub->s->ev_wait);
	return ev;
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

	spin_lock_bh(&wn->ev_lock);
	list_for_each_entry(sub, &wn->subscribers, wn_node) {
		if (sub->s->id == origin_session || !wfp_sub_matches(sub, ctx))
			continue;
		ev = wfp_sub_push(sub);
		if (!ev)
			continue;
		ev->type = type;
		ev->context = ctx->id;
	}
	spin_unlock_bh(&wn->ev_lock);
}

/* Gives back n slots of the session and its namespace; under ev_lock. */
static void wfp_subs_uncharge(struct wfp_session *s, unsigned int n)
{
	lockdep_assert_held(&s->wn->ev_lock);
	s->nr_subs -= n;
	s->wn->nr_subs -= n;
}

/*
 * A subscription of s with a queue of records of rsize bytes, not yet
 * linked (wfp_sub_link()).  The slot is taken before the queue is
 * allocated: a caller at the limit is answered without allocating a
 * queue only to free it, and two racing callers cannot both take the
 * last slot.
 */
struct wfp_sub *wfp_sub_alloc(struct wfp_session *s, size_t rsize)
{
	struct wfp_net *wn = s->wn;
	/* 1..65536 (sysctl.c): the allocation below is at most 6 MiB. */
	unsigned int len = READ_ONCE(wn->set.event_queue_len);
	struct wfp_sub *sub;
	int ret;

	spin_lock_bh(&wn->ev_lock);
	if (s->nr_subs >= WFP_IPSEC_SUBS_PER_SESSION_MAX ||
	    wn->nr_subs >= WFP_IPSEC_SUBS_PER_NET_MAX) {
		spin_unlock_bh(&wn->ev_lock);
		return ERR_PTR(-ENOSPC);
	}
	s->nr_subs++;
	wn->nr_subs++;
	spin_unlock_bh(&wn->ev_lock);

	sub = kvzalloc(sizeof(*sub) + (size_t)len * rsize, GFP_KERNEL_ACCOUNT);
	if (sub)
		sub->id = wfp_ids_sub_next(s->wn);
	if (!sub || !sub->id) {
		ret = sub ? -ENOSPC : -ENOMEM;
		kvfree(sub);
		spin_lock_bh(&wn->ev_lock);
		wfp_subs_uncharge(s, 1);
		spin_unlock_bh(&wn->ev_lock);
		return ERR_PTR(ret);
	}
	sub->s = s;
	sub->len = len;
	sub->rsize = rsize;
	return sub;
}

/* Makes sub live: on list, one of wn's, and on its session's. */
void wfp_sub_link(struct wfp_sub *sub, struct list_head *list)
{
	spin_lock_bh(&sub->s->wn->ev_lock);
	list_add_tail(&sub->wn_node, list);
	list_add_tail(&sub->s_node, &sub->s->subs);
	spin_unlock_bh(&sub->s->wn->ev_lock);
}

int wfp_events_subscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_subscribe *r = arg;
	struct wfp_sub *sub;

	if (r->flags || r->reserved0 ||
	    memchr_inv(r->reserved, 0, sizeof(r->reserved)) ||
	    wfp_subnet_validate(&r->local) || wfp_subnet_validate(&r->remote))
		return -EINVAL;
	if (r->local.ip_version && r->remote.ip_version &&
	    r->local.ip_version != r->remote.ip_version)
		return -EINVAL;
	sub = wfp_sub_alloc(s, sizeof(struct wfp_ipsec_event));
	if (IS_ERR(sub))
		return PTR_ERR(sub);
	sub->local = r->local;
	sub->remote = r->remote;
	wfp_sub_link(sub, &s->wn->subscribers);
	r->id = sub->id;
	return 0;
}

static void wfp_sub_unlink(struct wfp_sub *sub)
{
	list_del(&sub->wn_node);
	list_del(&sub->s_node);
}

/* Removes s's subscription id of the kind net says. */
int wfp_sub_remove(struct wfp_session *s, u64 id, bool net)
{
	struct wfp_net *wn = s->wn;
	struct wfp_sub *sub, *found = NULL;

	spin_lock_bh(&wn->ev_lock);
	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->id == id && sub->net == net) {
			found = sub;
			wfp_sub_unlink(sub);
			wfp_subs_uncharge(s, 1);
			break;
		}
	}
	spin_unlock_bh(&wn->ev_lock);
	if (!found)
		return -ENOENT;
	kvfree(found);
	return 0;
}

int wfp_events_unsubscribe(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *r = arg;

	if (r->reserved)
		return -EINVAL;
	return wfp_sub_remove(s, r->id, false);
}

void wfp_events_session_close(struct wfp_session *s)
{
	struct wfp_sub *sub, *tmp;
	LIST_HEAD(gone);

	spin_lock_bh(&s->wn->ev_lock);
	list_for_each_entry_safe(sub, tmp, &s->subs, s_node) {
		list_del(&sub->wn_node);
		list_move(&sub->s_node, &gone);
	}
	wfp_subs_uncharge(s, s->nr_subs);
	spin_unlock_bh(&s->wn->ev_lock);
	list_for_each_entry_safe(sub, tmp, &gone, s_node)
		kvfree(sub);
	/* Before the session lets its namespace go. */
	wfp_netevent_kdrop_sync(s->wn);
}

/*
 * Takes the next record of the session that fits in room bytes into
 * buf: its size, 0 when there is none, -EMSGSIZE when records are
 * pending but none fits.  Under ev_lock.
 */
static int wfp_events_next(struct wfp_session *s, void *buf, size_t room)
{
	struct wfp_ipsec_event *ev = buf;
	struct wfp_sub *sub;
	int ret = 0;

	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->count && sub->rsize > room) {
			ret = -EMSGSIZE;
		} else if (sub->count) {
			memcpy(buf, wfp_sub_rec(sub, sub->head), sub->rsize);
			sub->head = (sub->head + 1) % sub->len;
			sub->count--;
			return sub->rsize;
		} else if (sub->dropped && room >= sizeof(*ev)) {
			memset(ev, 0, sizeof(*ev));
			ev->type = WFP_IPSEC_EVENT_OVERFLOW;
			ev->subscription = sub->id;
			ev->dropped = sub->dropped;
			sub->dropped = 0;
			return sizeof(*ev);
		}
	}
	return ret;
}

static bool wfp_events_pending(struct wfp_session *s)
{
	struct wfp_sub *sub;
	bool ret = false;

	spin_lock_bh(&s->wn->ev_lock);
	list_for_each_entry(sub, &s->subs, s_node) {
		if (sub->count || sub->dropped) {
			ret = true;
			break;
		}
	}
	spin_unlock_bh(&s->wn->ev_lock);
	return ret;
}

ssize_t wfp_events_read(struct wfp_session *s, char __user *buf,
			size_t len, bool nonblock)
{
	u64 rec[WFP_SUB_RSIZE_MAX / sizeof(u64)];
	size_t done = 0;
	int got;
	int ret;

	if (len < sizeof(struct wfp_ipsec_event))
		return -EINVAL;
	for (;;) {
		while (done < len) {
			spin_lock_bh(&s->wn->ev_lock);
			got = wfp_events_next(s, rec, min_t(size_t, len - done,
							    sizeof(rec)));
			spin_unlock_bh(&s->wn->ev_lock);
			if (got <= 0)
				break;
			/* A record taken is a record given: on a fault the
			 * reader loses it, as it asked for it at a bad address.
			 */
			if (copy_to_user(buf + done, rec, got))
				return done ? done : -EFAULT;
			done += got;
		}
		if (done)
			return done;
		/* Only records larger than the buffer: it never will do. */
		if (got == -EMSGSIZE)
			return -EINVAL;
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
