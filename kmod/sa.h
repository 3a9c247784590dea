/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SAs of a context: AddInbound, AddOutbound, and their removal.
 */
#ifndef _WFP_SA_H
#define _WFP_SA_H

#include <linux/types.h>

#include <linux/wfp_ipsec.h>

#include "algs.h"

struct wfp_context;
struct wfp_net;
struct wfp_pset;
struct wfp_session;
struct xfrm_state;

/*
 * What GetById reports of a bundle that its xfrm state does not hold
 * (the SPI is the state's; keys are never kept).  A context keeps one for
 * its inbound SA and shares it with the outbound one unless the two
 * bundles differ, which they do not when both halves of one quick-mode
 * negotiation are installed.
 */
struct wfp_sa_meta {
	u32 flags;
	u32 lifetime_seconds;
	u32 lifetime_kilobytes;
	u32 lifetime_packets;
	u32 idle_timeout_seconds;
	u32 nd_allow_clear_timeout_seconds;
	u32 nap_context;
	u32 qm_sa_id;
	u32 pfs_group;
	__be32 peer_v4_private_addr;
	u64 mm_sa_id;
	u64 qm_filter_id;
	u8 sa_lookup_context[16];
	u32 transform_type;
	u32 auth_type;
	u32 cipher_type;
	u8 auth_config;
	u8 cipher_config;
	u8 pad[2];		/* zero: metas are compared with memcmp */
};

/*
 * The outbound SA's meta when it differs from the inbound one's.  Lockless
 * readers copy it (context.h), so it is freed after an RCU grace period;
 * the rcu_head stays out of the meta, which is compared with memcmp.
 */
struct wfp_sa_meta_out {
	struct wfp_sa_meta m;
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

/* The context owning x, referenced, or NULL; xfrm_cfg_mutex held. */
struct wfp_context *wfp_sa_owner(struct wfp_net *wn, struct xfrm_state *x);
const struct wfp_sa_meta *wfp_sa_meta_of(const struct wfp_context *ctx,
					 int dir);
void wfp_sa_meta_update(struct wfp_context *ctx,
			const struct wfp_ipsec_ctx_update *u,
			struct wfp_sa_meta_out **spare);
bool wfp_sa_lost(const struct wfp_context *ctx);

void wfp_sa_release_dir(struct wfp_context *ctx, int dir);
void wfp_sa_release(struct wfp_context *ctx);

struct xfrm_state *wfp_sa_clone(struct wfp_context *ctx, int dir,
				const struct wfp_ipsec_traffic *t,
				const struct wfp_pset *ps,
				const struct wfp_sa_encap *enc);
int wfp_sa_install_copy(struct wfp_context *ctx, int dir, struct xfrm_state *x);
void wfp_sa_abort_copy(struct xfrm_state *x);
void wfp_sa_commit_copy(struct wfp_context *ctx, int dir, struct xfrm_state *x);
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
