/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPsecGetStatistics: xfrm's MIB and the module's own counters.
 */
#ifndef _WFP_STATS_H
#define _WFP_STATS_H

struct wfp_session;

int wfp_stats_get(struct wfp_session *s, void *arg);

#endif /* _WFP_STATS_H */
