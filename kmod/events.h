/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA context change events: subscriptions, their queues, read and poll.
 */
#ifndef _WFP_EVENTS_H
#define _WFP_EVENTS_H

#include <linux/poll.h>
#include <linux/types.h>

struct file;
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
