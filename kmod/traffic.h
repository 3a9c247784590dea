/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks and matching on struct wfp_ipsec_traffic and wfp_ipsec_subnet.
 */
#ifndef _WFP_TRAFFIC_H
#define _WFP_TRAFFIC_H

#include <linux/types.h>

struct wfp_ipsec_traffic;
struct wfp_ipsec_subnet;

int wfp_traffic_validate(const struct wfp_ipsec_traffic *t);
int wfp_subnet_validate(const struct wfp_ipsec_subnet *sn);
bool wfp_subnet_match(const struct wfp_ipsec_subnet *sn, u8 ip_version,
		      const u8 *addr);

#endif /* _WFP_TRAFFIC_H */
