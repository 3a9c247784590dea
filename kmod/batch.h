/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CTX_ADD_BATCH: many complete SA contexts in one call.
 */
#ifndef _WFP_BATCH_H
#define _WFP_BATCH_H

struct wfp_session;

int wfp_batch_add(struct wfp_session *s, void *arg);

#endif /* _WFP_BATCH_H */
