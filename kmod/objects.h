/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Management objects of a namespace: providers, sublayers and provider
 * contexts.
 */
#ifndef _WFP_OBJECTS_H
#define _WFP_OBJECTS_H

#include <linux/list.h>
#include <linux/mutex.h>

#include <linux/wfp_ipsec.h>

struct wfp_net;
struct wfp_session;

/* One list per WFP_IPSEC_OBJ_* type, in key order. */
struct wfp_objects {
	struct mutex lock;	/* the lists, counts and objects: all uses */
	struct list_head list[WFP_IPSEC_OBJ_PROVIDER_CONTEXT];
	unsigned int nr[WFP_IPSEC_OBJ_PROVIDER_CONTEXT];
};

int wfp_objects_net_init(struct wfp_net *wn);
void wfp_objects_net_exit(struct wfp_net *wn);

int wfp_objects_add(struct wfp_session *s, void *arg);
int wfp_objects_delete(struct wfp_session *s, void *arg);
int wfp_objects_get(struct wfp_session *s, void *arg);
int wfp_objects_enum(struct wfp_session *s, void *arg);

#endif /* _WFP_OBJECTS_H */
