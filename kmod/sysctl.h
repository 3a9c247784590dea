/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-namespace settings: the sysctls under net.wfp_ipsec.
 */
#ifndef _WFP_SYSCTL_H
#define _WFP_SYSCTL_H

struct wfp_net;

/* At load, before any namespace starts from the module parameters. */
int wfp_sysctl_check_defaults(void);

/* Sets wn->set to the defaults and registers the namespace's table. */
int wfp_sysctl_net_init(struct wfp_net *wn);
void wfp_sysctl_net_exit(struct wfp_net *wn);

#endif /* _WFP_SYSCTL_H */
