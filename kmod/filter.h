/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filters: WFP filters of a namespace, enforced as xfrm policies.
 */
#ifndef _WFP_FILTER_H
#define _WFP_FILTER_H

#include <linux/types.h>
#include <net/xfrm.h>

#include <linux/wfp_ipsec.h>

struct wfp_net;
struct wfp_obj;
struct wfp_pset;
struct wfp_session;
struct wfp_ipsec_traffic;

/* How a filter leaves its SA group (filter.c). */
enum wfp_filter_leave {
	WFP_LEAVE_CHECK,	/* -EBUSY while SA contexts are bound */
	WFP_LEAVE_UNDO,		/* lost if the last filter, contexts bound */
	WFP_LEAVE_LOST,		/* lost whenever contexts are bound */
};

/* What a filter's conditions become (filter_sel.c). */
struct wfp_filter_sels {
	unsigned int nr;
	unsigned int specificity;	/* for the automatic weight */
	u64 cond_hash;			/* the merged conditions' */
	struct xfrm_selector sel[];
};

/* The part of a filter objects.c does not know; o->filter. */
struct wfp_filter {
	u32 layer;
	u32 action;
	u32 callout;
	u32 weight_type;
	u64 weight;
	u64 effective_weight;
	u64 raw_context;
	u8 sublayer_key[WFP_IPSEC_OBJ_KEY_LEN];
	u8 filter_type[WFP_IPSEC_OBJ_KEY_LEN];
	u8 pctx_key[WFP_IPSEC_OBJ_KEY_LEN];
	u64 pctx_id;
	u16 sublayer_weight;
	u8 family;
	u8 dir;			/* XFRM_POLICY_*, of its policies */
	u32 priority;		/* of its policies */
	struct wfp_pset *group;	/* IPsec callouts: the SA group */
	u32 reqid;		/* in its templates */
	struct wfp_filter_sels *sels;
	struct xfrm_policy **pol;	/* sels->nr, once installed */
	unsigned int nr_pol;
};

int wfp_filter_add(struct wfp_session *s, void *arg);
int wfp_filter_get(struct wfp_session *s, void *arg);
int wfp_filter_delete(struct wfp_session *s,
		      const struct wfp_ipsec_obj_key *k);
void wfp_filters_remove_owned(struct wfp_net *wn, u64 owner);
int wfp_filter_remove(struct wfp_net *wn, struct wfp_obj *o,
		      enum wfp_filter_leave how);
bool wfp_filter_bound(struct wfp_net *wn, const struct wfp_obj *o);
bool wfp_filter_bound_locked(struct wfp_net *wn, const struct wfp_filter *f);
int wfp_filter_group_leave_locked(struct wfp_net *wn, struct wfp_filter *f,
				  enum wfp_filter_leave how);

void wfp_filters_net_exit(struct wfp_net *wn);
void wfp_filters_reap_lost(struct wfp_net *wn);
unsigned int wfp_filters_count(struct wfp_net *wn);

struct wfp_pset_key;
int wfp_filter_bind_key(struct wfp_net *wn, const struct wfp_ipsec_traffic *t,
			struct wfp_pset_key *key);

/* filter_sel.c */
int wfp_filter_conds_check(u32 layer, const struct wfp_ipsec_filter_cond *c,
			   unsigned int n);
struct wfp_filter_sels *wfp_filter_sels_make(const struct wfp_filter *f,
					     const struct wfp_ipsec_filter_cond *c,
					     unsigned int n);

/* filter_xfrm.c */
u64 wfp_filter_effective_weight(const struct wfp_filter *f);
u32 wfp_filter_priority(const struct wfp_filter *f);
int wfp_filter_policies_install(struct net *net, struct wfp_filter *f,
				const struct wfp_obj *pctx);
void wfp_filter_policies_remove(struct wfp_filter *f);
bool wfp_filter_policies_lost(const struct wfp_filter *f);

#endif /* _WFP_FILTER_H */
