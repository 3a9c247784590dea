/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPsecSaContextUpdate0: new addresses or encapsulation for live SAs.
 */
#ifndef _WFP_UPDATE_H
#define _WFP_UPDATE_H

struct wfp_session;

int wfp_update(struct wfp_session *s, void *arg);

#endif /* _WFP_UPDATE_H */
