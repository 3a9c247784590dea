/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Net events (FwpmNetEventSubscribe0): CLASSIFY_DROP from trap filters,
 * IPSEC_KERNEL_DROP from the SA contexts' inbound states.
 */
#ifndef _WFP_NETEVENT_H
#define _WFP_NETEVENT_H

#include <linux/types.h>
#include <net/xfrm.h>

struct wfp_filter;
struct wfp_net;
struct wfp_session;

int wfp_netevent_subscribe(struct wfp_session *s, void *arg);
int wfp_netevent_unsubscribe(struct wfp_session *s, void *arg);

void wfp_netevent_net_init(struct wfp_net *wn);
void wfp_netevent_net_exit(struct wfp_net *wn);
/* Process context, holding no lock: may wait for the poll. */
void wfp_netevent_kdrop_sync(struct wfp_net *wn);

bool wfp_filter_is_trap(const struct wfp_filter *f);
int wfp_netevent_trap_add(struct wfp_net *wn, const struct wfp_filter *f);
void wfp_netevent_trap_del(struct wfp_net *wn, const struct wfp_filter *f);

/* The key managers' hooks (lifecycle.c); atomic context. */
bool wfp_netevent_has_traps(struct net *net);
int wfp_netevent_acquire(struct xfrm_state *x, const struct xfrm_tmpl *t);

#endif /* _WFP_NETEVENT_H */
