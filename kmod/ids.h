/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _WFP_IDS_H
#define _WFP_IDS_H

#include <linux/types.h>

struct wfp_net;

void wfp_ids_key_init(void);
void wfp_ids_net_init(struct wfp_net *wn);
u64 wfp_ids_session_next(struct wfp_net *wn);
u64 wfp_ids_context_next(struct wfp_net *wn);
u64 wfp_ids_sub_next(struct wfp_net *wn);
u64 wfp_ids_pctx_next(struct wfp_net *wn);
u64 wfp_ids_filter_next(struct wfp_net *wn);
bool wfp_ids_issued(struct wfp_net *wn, atomic64_t *last, u64 id);

#endif /* _WFP_IDS_H */
