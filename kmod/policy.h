/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Policy sets: the xfrm policies (and reqid) contexts protecting the same
 * traffic share.
 */
#ifndef _WFP_POLICY_H
#define _WFP_POLICY_H

#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <net/xfrm.h>

struct wfp_context;
struct wfp_net;
struct wfp_ipsec_subnet;
struct wfp_ipsec_traffic;

/*
 * Reqids of the policy sets: away from the small numbers IKE daemons use,
 * and how the xfrm notifier tells our states from everyone else's.
 */
#define WFP_REQID_MIN		0x40000000U
#define WFP_REQID_MAX		0x7fffffffU

/* wfp_pset_key.no_policy */
#define WFP_PSET_POLICIES	0	/* the set installs its policies */
#define WFP_PSET_NO_POLICY	1	/* none: WFP_IPSEC_SEL_F_NO_POLICY */
#define WFP_PSET_GROUP		2	/* a filter group's: the filters' */

/* wfp_pset_key.local[8] of a WFP_PSET_GROUP: what local[0..7] is. */
#define WFP_PSET_GROUP_CONDS	1	/* a hash of filters' conditions */
#define WFP_PSET_GROUP_PCTX	2	/* a provider context's id */
#define WFP_PSET_GROUP_TRAP	3	/* a trap filter's id (netevent.c) */

/* What makes two contexts' policies identical: compared with memcmp. */
struct wfp_pset_key {
	u8 family;
	u8 mode;
	u8 proto;		/* selector's upper protocol, 0: any */
	u8 no_policy;		/* WFP_PSET_* */
	u8 local_prefix;
	u8 remote_prefix;
	__be16 local_port;
	__be16 remote_port;
	u8 reserved[6];
	u8 local[16];		/* selector: local side */
	u8 remote[16];		/* selector: remote side */
	u8 tun_local[16];	/* tunnel endpoints, zero in transport mode */
	u8 tun_remote[16];
};

struct wfp_pset {
	struct rhash_head node;		/* in wn->psets */
	struct hlist_head contexts;	/* wfp_context.pset_node */
	struct wfp_pset_key key;
	u32 reqid;
	unsigned int users;		/* contexts in the set */
	unsigned int complete;		/* of them with both SAs */
	u8 sa_proto;			/* ESP or AH, of the policies */
	/* WFP_PSET_GROUP: the filters holding it, and whether another
	 * plane took one of their policies (until its contexts are gone).
	 */
	unsigned int nr_filters;
	u64 owner;			/* its filters' dynamic session, or 0 */
	bool lost;
	struct xfrm_policy *pol[XFRM_POLICY_MAX];
};

int wfp_pset_init(void);
void wfp_pset_uninit(void);

int wfp_pset_table_init(struct wfp_net *wn);
void wfp_pset_table_destroy(struct wfp_net *wn);

void wfp_pset_key_init(struct wfp_pset_key *key,
		       const struct wfp_ipsec_traffic *t);
int wfp_pset_key_set_subnets(struct wfp_pset_key *key,
			     const struct wfp_ipsec_subnet *local,
			     const struct wfp_ipsec_subnet *remote);

void wfp_pset_key_group(struct wfp_pset_key *key, u8 family, u8 mode,
			u8 kind, u64 id);
static inline bool wfp_pset_is_group(const struct wfp_pset *ps)
{
	return ps->key.no_policy == WFP_PSET_GROUP;
}

struct wfp_pset *wfp_pset_get(struct wfp_net *wn, const struct wfp_pset_key *key);
struct wfp_pset *wfp_pset_find_get(struct wfp_net *wn,
				   const struct wfp_pset_key *key);
struct wfp_pset *wfp_pset_by_reqid(struct wfp_net *wn, u32 reqid);
void wfp_pset_put(struct wfp_net *wn, struct wfp_pset *ps);

void wfp_pset_selector(const struct wfp_pset *ps, bool inbound,
		       struct xfrm_selector *sel);
void wfp_pset_sa_selector(const struct wfp_pset *ps,
			  const struct wfp_ipsec_traffic *t, bool inbound,
			  struct xfrm_selector *sel);

bool wfp_pset_lost(const struct wfp_pset *ps);
int wfp_pset_complete(struct wfp_net *wn, struct wfp_pset *ps, u8 sa_proto);
void wfp_pset_uncomplete(struct wfp_net *wn, struct wfp_pset *ps);
bool wfp_pset_same_selectors(const struct wfp_pset *ps,
			     const struct wfp_pset *old);
int wfp_pset_take_over(struct wfp_net *wn, struct wfp_pset *ps,
		       struct wfp_pset *old, u8 sa_proto);

#endif /* _WFP_POLICY_H */
