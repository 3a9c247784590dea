/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BENCH_XFRM: the xfrm work of one context's life, without wfp_ipsec.ko.
 */
#ifndef _WFP_BENCH_H
#define _WFP_BENCH_H

#include <wfp_ipsec_bench.h>

struct net;

int wfp_bench_xfrm(struct net *net, struct wfp_ipsec_bench_xfrm *p);

#endif /* _WFP_BENCH_H */
