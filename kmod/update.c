// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextUpdate0.  xfrm cannot change a live state's addresses or
 * its kind of encapsulation, so the SAs are replaced by copies (same SPI,
 * keys, counters; sa.c) - the MOBIKE and NAT-T moves strongSwan's Windows
 * backend makes right after installing - and, when the addresses change,
 * the context moves to the policy set of its new traffic.  New policies
 * and SAs are in place before the old ones go, so traffic keeps flowing;
 * every step that can fail comes before the first one that removes
 * anything, so a failed Update0 changes nothing.
 */

#include <linux/slab.h>
#include <net/xfrm.h>

#include "context.h"
#include "lifecycle.h"
#include "netns.h"
#include "policy.h"
#include "sa.h"
#include "session.h"
#include "traffic.h"
#include "update.h"

/* A field set although its flag is clear. */
static bool wfp_update_stray(u64 flags, u64 flag, const void *field,
			     size_t len)
{
	return !(flags & flag) && memchr_inv(field, 0, len);
}

static int wfp_update_validate(const struct wfp_ipsec_ctx_update *u)
{
	if (memchr_inv(u->reserved, 0, sizeof(u->reserved)))
		return -EINVAL;
	if (u->flags & ~__WFP_IPSEC_UPD_F_ALL)
		return -EINVAL;
	/* A record the flags do not name must be zero, so that its bits
	 * keep a meaning for a later version.
	 */
	if (wfp_update_stray(u->flags, WFP_IPSEC_UPD_F_BUNDLE_FLAGS,
			     u->bundle_flags, sizeof(u->bundle_flags)) ||
	    wfp_update_stray(u->flags, WFP_IPSEC_UPD_F_NAP_CONTEXT,
			     u->nap_context, sizeof(u->nap_context)) ||
	    wfp_update_stray(u->flags, WFP_IPSEC_UPD_F_MM_SA_ID,
			     u->mm_sa_id, sizeof(u->mm_sa_id)))
		return -EINVAL;
	if (u->flags & WFP_IPSEC_UPD_F_TRAFFIC) {
		if (wfp_traffic_validate(&u->traffic))
			return -EINVAL;
	} else if (memchr_inv(&u->traffic, 0, sizeof(u->traffic))) {
		return -EINVAL;
	}
	if (!(u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP))
		return u->encap || u->encap_local_port || u->encap_remote_port ?
			-EINVAL : 0;
	if (u->encap > 1 ||
	    (u->encap && (!u->encap_local_port || !u->encap_remote_port)) ||
	    (!u->encap && (u->encap_local_port || u->encap_remote_port)))
		return -EINVAL;
	return 0;
}

/*
 * The policy-set key of the new traffic: selectors that followed the old
 * host pair (the default) follow the new one; subnets set with
 * SET_SELECTORS stay, and only the tunnel endpoints move.
 */
static void wfp_update_key(const struct wfp_context *ctx,
			   const struct wfp_ipsec_traffic *t,
			   struct wfp_pset_key *key)
{
	struct wfp_pset_key def;

	wfp_pset_key_init(&def, &ctx->traffic);
	def.no_policy = ctx->pset->key.no_policy;
	if (!memcmp(&def, &ctx->pset->key, sizeof(def))) {
		wfp_pset_key_init(key, t);
		key->no_policy = def.no_policy;
		return;
	}
	*key = ctx->pset->key;
	if (key->mode == XFRM_MODE_TUNNEL) {
		memcpy(key->tun_local, t->local_addr, 16);
		memcpy(key->tun_remote, t->remote_addr, 16);
	}
}

/* Replaces the SAs and, with new traffic, the policy set. */
static int wfp_update_move(struct wfp_context *ctx,
			   const struct wfp_ipsec_traffic *t,
			   const struct wfp_sa_encap *enc, bool new_traffic)
{
	struct wfp_net *wn = ctx->wn;
	struct wfp_pset *ps = ctx->pset, *old_ps = ctx->pset;
	bool complete = ctx->state == WFP_IPSEC_CTX_STATE_COMPLETE;
	struct xfrm_state *copy[2] = {};
	struct wfp_pset_key key;
	struct xfrm_state *x;
	bool taken = false;
	int dir, ret = 0;
	u8 proto;

	/* A filter's SA group has fixed endpoints and selectors. */
	if (new_traffic && wfp_pset_is_group(old_ps)) {
		if (memcmp(t, &ctx->traffic, sizeof(*t)))
			return -EINVAL;
		new_traffic = false;
	}
	if (new_traffic) {
		wfp_update_key(ctx, t, &key);
		mutex_lock(&wn->ctx_lock);
		ps = wfp_pset_get(wn, &key);
		/* Same selectors after all: keep the set, not a second ref. */
		if (ps == old_ps)
			wfp_pset_put(wn, ps);
		mutex_unlock(&wn->ctx_lock);
		if (IS_ERR(ps))
			return PTR_ERR(ps);
	}

	/* Phase 1: copies in beside the originals; all can fail. */
	for (dir = 0; dir < 2 && !ret; dir++) {
		if (!ctx->x[dir])
			continue;
		x = wfp_sa_clone(ctx, dir, t, ps, enc);
		ret = IS_ERR(x) ? PTR_ERR(x) : wfp_sa_install_copy(ctx, dir, x);
		if (!ret)
			copy[dir] = x;
	}
	if (!ret && complete && ps != old_ps) {
		proto = ctx->x[WFP_IPSEC_DIR_OUTBOUND]->id.proto;
		mutex_lock(&wn->ctx_lock);
		/* Last, as nothing can undo a take-over. */
		taken = !ps->key.no_policy && !ps->complete &&
			wfp_pset_same_selectors(ps, old_ps);
		if (taken)
			ret = wfp_pset_take_over(wn, ps, old_ps, proto);
		else
			ret = wfp_pset_complete(wn, ps, proto);
		mutex_unlock(&wn->ctx_lock);
		/* A rekeyed twin left in the old set, or the old set after
		 * a failed take-over, has lost its policies: it goes.
		 */
		if (taken)
			wfp_lifecycle_rescan(wn->net);
	}
	if (ret) {
		for (dir = 0; dir < 2; dir++)
			if (copy[dir])
				wfp_sa_abort_copy(copy[dir]);
		if (ps != old_ps) {
			mutex_lock(&wn->ctx_lock);
			wfp_pset_put(wn, ps);
			mutex_unlock(&wn->ctx_lock);
		}
		return ret;
	}

	/* Phase 2: the originals go; nothing here fails. */
	for (dir = 0; dir < 2; dir++)
		if (copy[dir])
			wfp_sa_commit_copy(ctx, dir, copy[dir]);
	if (ps != old_ps) {
		mutex_lock(&wn->ctx_lock);
		if (complete)
			wfp_pset_uncomplete(wn, old_ps);
		wfp_context_set_pset(ctx, ps);
		wfp_pset_put(wn, old_ps);
		mutex_unlock(&wn->ctx_lock);
	}
	return 0;
}

#define WFP_UPDATE_META	(WFP_IPSEC_UPD_F_BUNDLE_FLAGS | \
			 WFP_IPSEC_UPD_F_NAP_CONTEXT | \
			 WFP_IPSEC_UPD_F_MM_SA_ID)

int wfp_update(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_update *u = arg;
	bool new_traffic = u->flags & WFP_IPSEC_UPD_F_TRAFFIC;
	bool new_encap = u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP;
	struct wfp_sa_meta_out *spare = NULL;
	struct wfp_ipsec_traffic t;
	struct wfp_context *ctx;
	struct wfp_sa_encap enc;
	int ret;

	ret = wfp_update_validate(u);
	if (ret)
		return ret;
	/* New per-direction values may make the two SAs' metas differ. */
	if (u->flags & WFP_UPDATE_META) {
		spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
		if (!spare)
			return -ENOMEM;
	}
	ctx = wfp_context_lock(s->wn, u->id);
	if (IS_ERR(ctx)) {
		kfree(spare);
		return PTR_ERR(ctx);
	}
	if (ctx->state != WFP_IPSEC_CTX_STATE_INBOUND &&
	    ctx->state != WFP_IPSEC_CTX_STATE_COMPLETE) {
		ret = -EBUSY;
		goto out_unlock;
	}
	t = new_traffic ? u->traffic : ctx->traffic;
	if (t.ip_version != ctx->traffic.ip_version ||
	    t.traffic_type != ctx->traffic.traffic_type) {
		ret = -EXDEV;
		goto out_unlock;
	}
	enc.on = new_encap ? u->encap : !!(ctx->spi_flags &
					   WFP_IPSEC_SPI_F_UDP_ENCAP);
	enc.local_port = new_encap ? u->encap_local_port :
				     ctx->encap_local_port;
	enc.remote_port = new_encap ? u->encap_remote_port :
				      ctx->encap_remote_port;
	enc.peer_private = ctx->meta.peer_v4_private_addr;
	if (enc.on && t.ip_version != WFP_IPSEC_IPV4) {
		ret = -EINVAL;
		goto out_unlock;
	}

	if (new_traffic || new_encap) {
		ret = wfp_update_move(ctx, &t, &enc, new_traffic);
		if (ret)
			goto out_unlock;
		/* The inbound traffic's addresses are these too. */
		wfp_context_write_begin(ctx);
		ctx->traffic = t;
		ctx->spi_flags = enc.on ? ctx->spi_flags | WFP_IPSEC_SPI_F_UDP_ENCAP :
					  ctx->spi_flags & ~WFP_IPSEC_SPI_F_UDP_ENCAP;
		ctx->encap_local_port = enc.on ? enc.local_port : 0;
		ctx->encap_remote_port = enc.on ? enc.remote_port : 0;
		wfp_context_write_end(ctx);
	}
	if (u->flags & WFP_UPDATE_META)
		wfp_sa_meta_update(ctx, u, &spare);
out_unlock:
	wfp_context_unlock(ctx);
	kfree(spare);
	return ret;
}
