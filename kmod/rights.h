/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rights on a namespace's SA database: CAP_NET_ADMIN, plus grants.
 */
#ifndef _WFP_RIGHTS_H
#define _WFP_RIGHTS_H

#include <linux/types.h>

struct wfp_net;
struct wfp_session;

void wfp_rights_net_init(struct wfp_net *wn);
void wfp_rights_net_exit(struct wfp_net *wn);

/* What the session may do now: its opener's capability plus grants. */
u32 wfp_rights_of(const struct wfp_session *s);

int wfp_rights_get(struct wfp_session *s, void *arg);
int wfp_rights_set(struct wfp_session *s, void *arg);

#endif /* _WFP_RIGHTS_H */
