/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA context change events: subscriptions, their queues, read and poll.
 */
#ifndef _WFP_EVENTS_H
#define _WFP_EVENTS_H

#include <linux/poll.h>
#include <linux/types.h>

#include <linux/wfp_ipsec.h>

struct file;
struct wfp_session;

/*
 * A subscription: SA-context events (on wn->subscribers) or net events
 * (net, on wn->net_subscribers, netevent.c), with a bounded queue of
 * len records of rsize bytes on the session that made it.
 */
struct wfp_sub {
	struct list_head wn_node;	/* in one of wn's lists, ev_lock */
	struct list_head s_node;	/* in s->subs, ev_lock */
	struct wfp_session *s;
	u64 id;
	bool net;
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	unsigned int len, head, count;	/* ring of len records */
	unsigned int rsize;
	u64 dropped;			/* not yet reported */
	u64 q[];
};

/* The largest record: a net event. */
#define WFP_SUB_RSIZE_MAX	96

static inline void *wfp_sub_rec(struct wfp_sub *sub, unsigned int i)
{
	return (u8 *)sub->q + (size_t)i * sub->rsize;
}

struct wfp_sub *wfp_sub_alloc(struct wfp_session *s, size_t rsize);
void wfp_sub_link(struct wfp_sub *sub, struct list_head *list);
void *wfp_sub_push(struct wfp_sub *sub);
int wfp_sub_remove(struct wfp_session *s, u64 id, bool net);
struct wfp_context;
struct wfp_net;
struct wfp_session;

void wfp_events_net_init(struct wfp_net *wn);

/* From the paths that create and delete contexts; may not sleep. */
void wfp_events_emit(struct wfp_net *wn, u32 type,
		     const struct wfp_context *ctx, u64 origin_session);

int wfp_events_subscribe(struct wfp_session *s, void *arg);
int wfp_events_unsubscribe(struct wfp_session *s, void *arg);
void wfp_events_session_close(struct wfp_session *s);

ssize_t wfp_events_read(struct wfp_session *s, char __user *buf,
			size_t len, bool nonblock);
__poll_t wfp_events_poll(struct wfp_session *s, struct file *file,
			 poll_table *wait);

#endif /* _WFP_EVENTS_H */
