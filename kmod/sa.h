/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SAs of a context: AddInbound, AddOutbound, and their removal.
 */
#ifndef _WFP_SA_H
#define _WFP_SA_H

#include <linux/wfp_ipsec.h>

struct wfp_context;
struct wfp_session;
struct xfrm_state;

/* One installed SA: the xfrm state (a reference we hold) and what the
 * bundle said, keys removed, for GetById.
 */
struct wfp_sa {
	struct xfrm_state *x;
	struct wfp_ipsec_bundle bundle;
};

void wfp_sa_release(struct wfp_context *ctx);

int wfp_sa_add_inbound(struct wfp_session *s, void *arg);
int wfp_sa_add_outbound(struct wfp_session *s, void *arg);
int wfp_sa_get(struct wfp_session *s, void *arg);

#endif /* _WFP_SA_H */
