/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How contexts end besides DeleteById: Expire0, and xfrm's own expiry.
 */
#ifndef _WFP_LIFECYCLE_H
#define _WFP_LIFECYCLE_H

struct wfp_context;
struct net;
struct wfp_net;
struct wfp_session;

int wfp_lifecycle_init(void);
void wfp_lifecycle_start(void);
void wfp_lifecycle_net_init(struct wfp_net *wn);
/* Checks every context of net for what another plane took, soon. */
void wfp_lifecycle_rescan(struct net *net);
void wfp_lifecycle_stop(void);
void wfp_lifecycle_uninit(void);
void wfp_lifecycle_flush(void);

/* Under xfrm_cfg_mutex: stops a pending inbound removal. */
void wfp_lifecycle_cancel(struct wfp_context *ctx);

int wfp_lifecycle_expire(struct wfp_session *s, void *arg);

#endif /* _WFP_LIFECYCLE_H */
