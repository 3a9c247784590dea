/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SA contexts: the object every IPsecSaContext* call works on.
 */
#ifndef _WFP_CONTEXT_H
#define _WFP_CONTEXT_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/types.h>

#include <linux/wfp_ipsec.h>

#include "sa.h"

struct wfp_net;
struct wfp_session;

struct wfp_expiry;
struct wfp_pset;
struct xfrm_state;

/*
 * What GetSpi's inbound traffic adds to the context's own: its version,
 * type and addresses must be the context's (spi.c), so only the rest is
 * kept.
 */
struct wfp_context_inbound {
	u64 filter_id;
	u64 local_if_luid;
	u32 real_if_profile_id;
	__be16 local_port;
	__be16 remote_port;
};

/*
 * Immutable after creation: id, wn, reqid, flags, creator_session_id,
 * vif_*.  The rest changes only under net->xfrm.xfrm_cfg_mutex (and, for
 * the indexes, wn->ctx_lock too).  Readers (GetById, Enum, GET_SA,
 * statistics) take neither: what they copy - traffic, the encapsulation
 * fields, x[], meta, meta_out - is written inside a seq write section
 * (wfp_context_write_begin()), and they retry a copy that raced one;
 * state is published with a release store after what it covers.  x[]'s
 * states and meta_out are freed after an RCU grace period, so a reader
 * may look into them under rcu_read_lock().
 */
struct wfp_context {
	struct rhash_head node;		/* in wn->contexts, keyed by id */
	struct list_head list;		/* in wn->context_list, id order */
	struct hlist_node pset_node;	/* in pset->contexts, ctx_lock */
	u64 id;
	refcount_t refs;
	u32 state;			/* WFP_IPSEC_CTX_STATE_* */
	u32 flags;			/* WFP_IPSEC_CTX_F_* */
	u32 reqid;			/* its policy set's */
	struct wfp_net *wn;
	struct wfp_pset *pset;		/* policies it shares, policy.c */
	u64 creator_session_id;
	u64 vif_tunnel_id;
	u64 vif_traffic_selector_id;
	struct wfp_ipsec_traffic traffic;

	/* Inbound SPI reservation (spi.c). */
	struct rhash_head spi_node;	/* in wn->spis, keyed by spi_key */
	u64 spi_key;			/* proto << 32 | spi; 0: none */
	struct xfrm_state *larval;
	u32 inbound_spi;
	u32 spi_flags;
	__be16 encap_local_port;
	__be16 encap_remote_port;
	u32 life;			/* WFP_IPSEC_LIFE_* */
	struct wfp_context_inbound inbound;

	/* Installed SAs (sa.c), by WFP_IPSEC_DIR_*: a reference on each
	 * state, and for GetById what xfrm does not keep of the bundles.
	 */
	struct xfrm_state *x[2];
	struct wfp_sa_meta meta;	/* the inbound SA's */
	struct wfp_sa_meta_out *meta_out; /* the outbound's, NULL: same */
	struct wfp_expiry *expiry;	/* pending inbound removal */

	/* The inbound SA's drop counters as the net-event poll last saw
	 * them (netevent.c), which alone reads and writes them.
	 */
	struct wfp_kdrop_seen {
		const void *x;		/* the state they are of; never read */
		u32 icv;		/* stats.integrity_failed */
		u32 replay;		/* stats.replay + stats.replay_window */
	} drop_seen;

	/* Here, not with the fields it covers, to fill what would be holes. */
	seqcount_t seq;			/* writers hold xfrm_cfg_mutex */
	u8 inbound_ip_protocol;		/* with .inbound */
	bool dead;			/* unlinked, under wn->ctx_lock */
	struct rcu_head rcu;
};

/* A write section of what lockless readers copy (context.c). */
void wfp_context_write_begin(struct wfp_context *ctx);
void wfp_context_write_end(struct wfp_context *ctx);

int wfp_context_init(void);
void wfp_context_uninit(void);

int wfp_context_table_init(struct wfp_net *wn);
void wfp_context_table_destroy(struct wfp_net *wn);

/* These return a strong reference, dropped with wfp_context_put(). */
struct wfp_context *wfp_context_get(struct wfp_net *wn, u64 id);
void wfp_context_put(struct wfp_context *ctx);

/* A live context, referenced, with its namespace's xfrm_cfg_mutex held;
 * ERR_PTR(-ENOENT) when there is none.
 */
struct wfp_context *wfp_context_lock(struct wfp_net *wn, u64 id);
void wfp_context_unlock(struct wfp_context *ctx);

int wfp_context_create(struct wfp_session *s, void *arg);
int wfp_context_delete(struct wfp_session *s, void *arg);
int wfp_context_get_info(struct wfp_session *s, void *arg);
int wfp_context_enum(struct wfp_session *s, void *arg);
int wfp_context_set_selectors(struct wfp_session *s, void *arg);

/* Deletes a pinned context unless someone did already; origin_session
 * is the session to keep the DELETE event from, 0 for none.
 */
bool wfp_context_remove(struct wfp_net *wn, struct wfp_context *ctx,
			u64 origin_session);
bool wfp_context_remove_locked(struct wfp_net *wn, struct wfp_context *ctx,
			       u64 origin_session);
void wfp_context_reap_lost(struct wfp_net *wn);
void wfp_context_for_each(struct wfp_net *wn,
			  void (*fn)(const struct wfp_context *ctx, void *arg),
			  void *arg);

void wfp_context_mark_dying(struct wfp_context *ctx);
void wfp_context_set_pset(struct wfp_context *ctx, struct wfp_pset *ps);

#endif /* _WFP_CONTEXT_H */
