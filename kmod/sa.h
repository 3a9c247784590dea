/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SAs of a context: AddInbound, AddOutbound, and their removal.
 */
#ifndef _WFP_SA_H
#define _WFP_SA_H

#include <linux/rcupdate.h>
#include <linux/rhashtable-types.h>

#include <linux/wfp_ipsec.h>

#include "algs.h"

struct wfp_context;
struct wfp_net;
struct wfp_pset;
struct wfp_session;
struct xfrm_state;

/* One installed SA: the xfrm state (a reference we hold), its context,
 * and what the bundle said, keys removed, for GetById.  Indexed by state
 * in wn->sas so xfrm's notifications find their context.
 */
struct wfp_sa {
	struct rhash_head node;
	unsigned long key;		/* the xfrm_state's address */
	struct xfrm_state *x;
	struct wfp_context *ctx;
	struct wfp_ipsec_bundle bundle;
	struct rcu_head rcu;
};

/* How an SA is encapsulated: ports in network order. */
struct wfp_sa_encap {
	bool on;
	__be16 local_port;
	__be16 remote_port;
	__be32 peer_private;
};

/* Key blobs in module memory, for the length of one call only. */
struct wfp_sa_keys {
	u8 auth[WFP_IPSEC_KEY_MAX];
	u8 enc[WFP_IPSEC_KEY_MAX];
};

/* A bundle checked, its algorithms resolved and its keys copied in. */
struct wfp_sa_prep {
	struct wfp_algs algs;
	struct wfp_sa_keys keys;
};

bool wfp_sa_bundle_reserved_clear(const struct wfp_ipsec_bundle *b);

int wfp_sa_table_init(struct wfp_net *wn);
void wfp_sa_table_destroy(struct wfp_net *wn);

/* Returns a strong reference to the context owning x, or NULL. */
struct wfp_context *wfp_sa_owner(struct wfp_net *wn, struct xfrm_state *x);
bool wfp_sa_lost(const struct wfp_context *ctx);

void wfp_sa_release_dir(struct wfp_context *ctx, int dir);
void wfp_sa_release(struct wfp_context *ctx);

struct xfrm_state *wfp_sa_clone(struct wfp_context *ctx, int dir,
				const struct wfp_ipsec_traffic *t,
				const struct wfp_pset *ps,
				const struct wfp_sa_encap *enc);
int wfp_sa_install_copy(struct wfp_context *ctx, int dir, struct xfrm_state *x,
			struct wfp_sa **recp);
void wfp_sa_abort_copy(struct wfp_context *ctx, struct wfp_sa *rec);
void wfp_sa_commit_copy(struct wfp_context *ctx, int dir, struct wfp_sa *rec);
void wfp_sa_clone_drop(struct xfrm_state *x);

/* AddInbound/AddOutbound in two halves, for CTX_ADD_BATCH: the checks
 * and key copy without a lock, then the rest under xfrm_cfg_mutex.
 */
int wfp_sa_prepare(struct wfp_ipsec_ctx_add *a, struct wfp_sa_prep *p);
int wfp_sa_install(struct wfp_context *ctx, struct wfp_ipsec_ctx_add *a,
		   bool inbound, const struct wfp_sa_prep *p);

int wfp_sa_add_inbound(struct wfp_session *s, void *arg);
int wfp_sa_add_outbound(struct wfp_session *s, void *arg);
int wfp_sa_get(struct wfp_session *s, void *arg);

#endif /* _WFP_SA_H */
