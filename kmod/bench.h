/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BENCH_XFRM: the xfrm work of one context's life, without the module
 * (make module WFP_BENCH=1 only).
 */
#ifndef _WFP_BENCH_H
#define _WFP_BENCH_H

struct wfp_session;

int wfp_bench_xfrm(struct wfp_session *s, void *arg);

#endif /* _WFP_BENCH_H */
