// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecSaContextAddInbound0/1 and AddOutbound0/1: a bundle becomes an
 * xfrm state the way xfrm_user builds one for XFRM_MSG_NEWSA/UPDSA -
 * xfrm_state_alloc(), identity, selector, lifetimes, algorithms with
 * their keys, encapsulation, xfrm_init_state() - and goes in with
 * xfrm_state_update() over the larval state holding the reserved SPI
 * (inbound ESP) or xfrm_state_add() (outbound, and inbound AH).  All of
 * it under net->xfrm.xfrm_cfg_mutex, like xfrm_user.
 *
 * Keys exist in module memory only in a stack buffer for the length of
 * the call, wiped with memzero_explicit(); xfrm keeps its own copy.
 */

#include <crypto/algapi.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/udp.h>
#include <net/xfrm.h>

#include "algs.h"
#include "context.h"
#include "netns.h"
#include "policy.h"
#include "sa.h"
#include "session.h"
#include "spi.h"

#define WFP_SPI_FIRST_VALID	256
/* Anti-replay window of inbound SAs, the legacy (non-ESN) maximum. */
#define WFP_REPLAY_WINDOW	32

static bool wfp_sa_reserved_clear(const struct wfp_ipsec_sa *sa)
{
	return !sa->reserved0 && !sa->reserved1 &&
	       !memchr_inv(sa->reserved, 0, sizeof(sa->reserved));
}

/* The reserved fields of a bundle and of both its SA slots are zero. */
bool wfp_sa_bundle_reserved_clear(const struct wfp_ipsec_bundle *b)
{
	return !b->reserved0 && wfp_sa_reserved_clear(&b->sas[0]) &&
	       wfp_sa_reserved_clear(&b->sas[1]);
}

static int wfp_sa_validate(const struct wfp_ipsec_ctx_add *a, u32 *status)
{
	const struct wfp_ipsec_bundle *b = &a->bundle;

	if (a->reserved0 || memchr_inv(a->reserved, 0, sizeof(a->reserved)) ||
	    !wfp_sa_bundle_reserved_clear(b))
		return -EINVAL;
	if (b->num_sas != 1) {
		*status = WFP_IPSEC_ADD_ST_NUM_SAS;
		/* AH+ESP bundles are Windows', just not ours (sa.rst). */
		return b->num_sas == 2 ? -EOPNOTSUPP : -EINVAL;
	}
	if (memchr_inv(&b->sas[1], 0, sizeof(b->sas[1])))
		return -EINVAL;
	return 0;
}

/* Checks the key sizes against the algorithms and copies the keys in. */
static int wfp_sa_keys_get(const struct wfp_ipsec_sa *sa,
			   const struct wfp_algs *algs, struct wfp_sa_keys *k,
			   u32 *status)
{
	unsigned int want_auth = algs->auth || algs->aead_key_from_auth ?
				 algs->auth_key_len : 0;
	unsigned int want_enc = algs->aead_key_from_auth ? 0 :
				algs->enc_key_len;
	bool gcm = algs->aead && !algs->aead_key_from_auth;

	/* AES-GCM takes one blob; Windows callers pass it as cipher key
	 * and again (or not at all) as auth key.
	 */
	if (gcm && sa->auth_key_len && sa->auth_key_len != want_enc)
		goto bad_length;
	if (!gcm && sa->auth_key_len != want_auth)
		goto bad_length;
	if (sa->cipher_key_len != want_enc)
		goto bad_length;

	if (copy_from_user(k->enc, u64_to_user_ptr(sa->cipher_key), want_enc))
		return -EFAULT;
	if (gcm && sa->auth_key_len) {
		if (copy_from_user(k->auth, u64_to_user_ptr(sa->auth_key),
				   want_enc))
			return -EFAULT;
		if (crypto_memneq(k->auth, k->enc, want_enc))
			goto bad_length;
	} else if (!gcm &&
		   copy_from_user(k->auth, u64_to_user_ptr(sa->auth_key),
				  want_auth)) {
		return -EFAULT;
	}
	return 0;

bad_length:
	*status = WFP_IPSEC_ADD_ST_KEY_LENGTH;
	return -EINVAL;
}

/* Each algorithm xfrm knows comes with its canonical name and ids. */
static int wfp_sa_attach_algs(struct xfrm_state *x, const struct wfp_algs *algs,
			      const struct wfp_sa_keys *k)
{
	struct xfrm_algo_desc *d;
	unsigned int len;

	if (algs->aead) {
		const u8 *key = algs->aead_key_from_auth ? k->auth : k->enc;

		len = algs->aead_key_from_auth ? algs->auth_key_len :
						 algs->enc_key_len;
		d = xfrm_aead_get_byname(algs->aead, algs->icv_bits, 1);
		if (!d)
			return -ENOPKG;
		x->aead = kmalloc(sizeof(*x->aead) + len, GFP_KERNEL);
		if (!x->aead)
			return -ENOMEM;
		strscpy(x->aead->alg_name, d->name, sizeof(x->aead->alg_name));
		x->aead->alg_key_len = len * 8;
		x->aead->alg_icv_len = algs->icv_bits;
		memcpy(x->aead->alg_key, key, len);
		x->props.ealgo = d->desc.sadb_alg_id;
		x->geniv = d->uinfo.aead.geniv;
		return 0;
	}
	if (algs->auth) {
		len = algs->auth_key_len;
		d = xfrm_aalg_get_byname(algs->auth, 1);
		if (!d)
			return -ENOPKG;
		x->aalg = kmalloc(sizeof(*x->aalg) + len, GFP_KERNEL);
		if (!x->aalg)
			return -ENOMEM;
		strscpy(x->aalg->alg_name, d->name, sizeof(x->aalg->alg_name));
		x->aalg->alg_key_len = len * 8;
		x->aalg->alg_trunc_len = algs->icv_bits;
		memcpy(x->aalg->alg_key, k->auth, len);
		x->props.aalgo = d->desc.sadb_alg_id;
	}
	if (algs->enc) {
		len = algs->enc_key_len;
		d = xfrm_ealg_get_byname(algs->enc, 1);
		if (!d)
			return -ENOPKG;
		x->ealg = kmalloc(sizeof(*x->ealg) + len, GFP_KERNEL);
		if (!x->ealg)
			return -ENOMEM;
		strscpy(x->ealg->alg_name, d->name, sizeof(x->ealg->alg_name));
		x->ealg->alg_key_len = len * 8;
		memcpy(x->ealg->alg_key, k->enc, len);
		x->props.ealgo = d->desc.sadb_alg_id;
		x->geniv = d->uinfo.encr.geniv;
	}
	return 0;
}

static u64 wfp_limit(u64 hard)
{
	return hard ? hard : XFRM_INF;
}

/*
 * Soft limits at 90 % of the hard ones, rounded so that they stay at
 * least one unit below (a small hard limit would otherwise round its soft
 * limit up onto itself), so expiry is seen coming; a hard limit of one
 * unit leaves no room for a warning.
 */
static u64 wfp_soft(u64 hard)
{
	if (!hard)
		return XFRM_INF;
	return hard > 1 ? hard - DIV_ROUND_UP(hard, 10) : hard;
}

static void wfp_sa_lifetimes(struct xfrm_state *x,
			     const struct wfp_ipsec_bundle *b)
{
	u64 bytes = (u64)b->lifetime_kilobytes * 1024;

	x->lft.hard_byte_limit = wfp_limit(bytes);
	x->lft.soft_byte_limit = wfp_soft(bytes);
	x->lft.hard_packet_limit = wfp_limit(b->lifetime_packets);
	x->lft.soft_packet_limit = wfp_soft(b->lifetime_packets);
	x->lft.hard_add_expires_seconds = b->lifetime_seconds;
	/* 0 is "none" for the add-time limits too. */
	x->lft.soft_add_expires_seconds = b->lifetime_seconds ?
		wfp_soft(b->lifetime_seconds) : 0;
}

/*
 * ESP in UDP between our NAT-T port and the peer's: inbound packets come
 * from the peer's port to ours, outbound ones go the other way.
 */
static int wfp_sa_encap(struct xfrm_state *x, const struct wfp_sa_encap *enc,
			bool inbound)
{
	struct xfrm_encap_tmpl *e;

	if (!enc->on)
		return enc->peer_private ? -EINVAL : 0;
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	e->encap_type = UDP_ENCAP_ESPINUDP;
	e->encap_sport = inbound ? enc->remote_port : enc->local_port;
	e->encap_dport = inbound ? enc->local_port : enc->remote_port;
	e->encap_oa.a4 = enc->peer_private;
	x->encap = e;
	return 0;
}

static void wfp_sa_encap_of(const struct wfp_context *ctx, __be32 peer_private,
			    struct wfp_sa_encap *enc)
{
	enc->on = !!(ctx->spi_flags & WFP_IPSEC_SPI_F_UDP_ENCAP);
	enc->local_port = ctx->encap_local_port;
	enc->remote_port = ctx->encap_remote_port;
	enc->peer_private = peer_private;
}

/* Builds and initialises the state; on failure nothing is left. */
static struct xfrm_state *wfp_sa_build(struct wfp_context *ctx, bool inbound,
				       const struct wfp_ipsec_bundle *b,
				       const struct wfp_algs *algs,
				       const struct wfp_sa_keys *k, u32 *status)
{
	const struct wfp_ipsec_traffic *t = &ctx->traffic;
	struct wfp_sa_encap enc;
	struct xfrm_state *x;
	int ret;

	x = xfrm_state_alloc(ctx->wn->net);
	if (!x)
		return ERR_PTR(-ENOMEM);
	x->id.proto = algs->proto;
	x->id.spi = htonl(b->sas[0].spi);
	memcpy(&x->id.daddr, inbound ? t->local_addr : t->remote_addr, 16);
	memcpy(&x->props.saddr, inbound ? t->remote_addr : t->local_addr, 16);
	x->props.family = ctx->pset->key.family;
	x->props.mode = ctx->pset->key.mode;
	x->props.reqid = ctx->reqid;
	x->props.replay_window = inbound ? WFP_REPLAY_WINDOW : 0;
	wfp_pset_sa_selector(ctx->pset, t, inbound, &x->sel);
	wfp_sa_lifetimes(x, b);

	wfp_sa_encap_of(ctx, b->peer_v4_private_addr, &enc);
	ret = wfp_sa_attach_algs(x, algs, k);
	if (!ret)
		ret = wfp_sa_encap(x, &enc, inbound);
	if (!ret) {
		/* Resolves the type and sets the keys up: may sleep. */
		ret = xfrm_init_state(x);
		if (ret == -ENOENT || ret == -EPROTONOSUPPORT)
			ret = -ENOPKG;
	}
	if (ret) {
		if (ret == -ENOPKG)
			*status = WFP_IPSEC_ADD_ST_UNAVAILABLE;
		/* A never-inserted state must be dead before its last put. */
		x->km.state = XFRM_STATE_DEAD;
		xfrm_state_put(x);
		return ERR_PTR(ret);
	}
	return x;
}

/*
 * The context owning one of our states: the reqid names the policy set,
 * the set lists its contexts (usually one, two while a rekey overlaps).
 * Under xfrm_cfg_mutex a context's states and set are those of its last
 * completed call, so an Update0 in flight is never seen half done.
 */
struct wfp_context *wfp_sa_owner(struct wfp_net *wn, struct xfrm_state *x)
{
	struct wfp_context *ctx, *found = NULL;
	struct wfp_pset *ps;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);

	mutex_lock(&wn->ctx_lock);
	ps = wfp_pset_by_reqid(wn, x->props.reqid);
	if (ps) {
		hlist_for_each_entry(ctx, &ps->contexts, pset_node) {
			if (ctx->x[WFP_IPSEC_DIR_OUTBOUND] == x ||
			    ctx->x[WFP_IPSEC_DIR_INBOUND] == x ||
			    ctx->larval == x) {
				refcount_inc(&ctx->refs);
				found = ctx;
				break;
			}
		}
	}
	mutex_unlock(&wn->ctx_lock);
	return found;
}

const struct wfp_sa_meta *wfp_sa_meta_of(const struct wfp_context *ctx,
					 int dir)
{
	/* Once: a lockless reader may see it go NULL (context.h). */
	const struct wfp_sa_meta_out *out = READ_ONCE(ctx->meta_out);

	if (dir == WFP_IPSEC_DIR_OUTBOUND && out)
		return &out->m;
	return &ctx->meta;
}

/*
 * Whether another control plane took one of the context's states or, once
 * it is complete (or expired, whose OUT policy holds traffic back), one
 * of the policies of its set (deleted, flushed, or replaced by an update
 * with the same selector): without them the traffic would leave in
 * clear.  Under xfrm_cfg_mutex, which every change to them holds.
 */
bool wfp_sa_lost(const struct wfp_context *ctx)
{
	const struct wfp_pset *ps = ctx->pset;
	int dir;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);
	for (dir = 0; dir < ARRAY_SIZE(ctx->x); dir++)
		if (ctx->x[dir] &&
		    READ_ONCE(ctx->x[dir]->km.state) == XFRM_STATE_DEAD)
			return true;
	if (ctx->larval &&
	    READ_ONCE(ctx->larval->km.state) == XFRM_STATE_DEAD)
		return true;
	/* A filter group's contexts go with its filters in any state. */
	if (ps && wfp_pset_is_group(ps) && wfp_pset_lost(ps))
		return true;
	return ctx->state >= WFP_IPSEC_CTX_STATE_COMPLETE && ps &&
	       wfp_pset_lost(ps);
}

static void wfp_sa_drop(struct xfrm_state *x)
{
	xfrm_state_delete(x);
	xfrm_state_put(x);
}

void wfp_sa_release_dir(struct wfp_context *ctx, int dir)
{
	struct xfrm_state *x = ctx->x[dir];
	struct wfp_sa_meta_out *m = NULL;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	if (!x)
		return;
	wfp_context_write_begin(ctx);
	ctx->x[dir] = NULL;
	if (dir == WFP_IPSEC_DIR_OUTBOUND) {
		m = ctx->meta_out;
		WRITE_ONCE(ctx->meta_out, NULL);
	}
	wfp_context_write_end(ctx);
	/* A reader may be copying it (context.h). */
	if (m)
		kfree_rcu(m, rcu);
	wfp_sa_drop(x);
	atomic64_inc(&ctx->wn->sas_deleted);
}

void wfp_sa_release(struct wfp_context *ctx)
{
	int dir;

	for (dir = 0; dir < ARRAY_SIZE(ctx->x); dir++)
		wfp_sa_release_dir(ctx, dir);
}

/* What GetById will report of b, beyond what xfrm keeps. */
static void wfp_sa_meta_init(struct wfp_sa_meta *m,
			     const struct wfp_ipsec_bundle *b)
{
	const struct wfp_ipsec_sa *sa0 = &b->sas[0];

	memset(m, 0, sizeof(*m));
	m->flags = b->flags;
	m->lifetime_seconds = b->lifetime_seconds;
	m->lifetime_kilobytes = b->lifetime_kilobytes;
	m->lifetime_packets = b->lifetime_packets;
	m->idle_timeout_seconds = b->idle_timeout_seconds;
	m->nd_allow_clear_timeout_seconds = b->nd_allow_clear_timeout_seconds;
	m->nap_context = b->nap_context;
	m->qm_sa_id = b->qm_sa_id;
	m->pfs_group = b->pfs_group;
	m->peer_v4_private_addr = b->peer_v4_private_addr;
	m->mm_sa_id = b->mm_sa_id;
	m->qm_filter_id = b->qm_filter_id;
	memcpy(m->sa_lookup_context, b->sa_lookup_context,
	       sizeof(m->sa_lookup_context));
	m->transform_type = sa0->transform_type;
	m->auth_type = sa0->auth_type;
	m->cipher_type = sa0->cipher_type;
	m->auth_config = sa0->auth_config;
	m->cipher_config = sa0->cipher_config;
}

/* The bundle as it was given, keys left out; the reverse of the above. */
static void wfp_sa_meta_fill(const struct wfp_sa_meta *m, __be32 spi,
			     struct wfp_ipsec_bundle *b)
{
	struct wfp_ipsec_sa *sa0 = &b->sas[0];

	memset(b, 0, sizeof(*b));
	b->flags = m->flags;
	b->num_sas = 1;
	b->lifetime_seconds = m->lifetime_seconds;
	b->lifetime_kilobytes = m->lifetime_kilobytes;
	b->lifetime_packets = m->lifetime_packets;
	b->idle_timeout_seconds = m->idle_timeout_seconds;
	b->nd_allow_clear_timeout_seconds = m->nd_allow_clear_timeout_seconds;
	b->nap_context = m->nap_context;
	b->qm_sa_id = m->qm_sa_id;
	b->pfs_group = m->pfs_group;
	b->peer_v4_private_addr = m->peer_v4_private_addr;
	b->mm_sa_id = m->mm_sa_id;
	b->qm_filter_id = m->qm_filter_id;
	memcpy(b->sa_lookup_context, m->sa_lookup_context,
	       sizeof(b->sa_lookup_context));
	sa0->spi = ntohl(spi);
	sa0->transform_type = m->transform_type;
	sa0->auth_type = m->auth_type;
	sa0->cipher_type = m->cipher_type;
	sa0->auth_config = m->auth_config;
	sa0->cipher_config = m->cipher_config;
}

/*
 * The outbound SA's meta: shared with the inbound one when equal (NULL),
 * else a copy of its own.  Allocated before anything changes.
 */
static int wfp_sa_meta_out(const struct wfp_context *ctx,
			   const struct wfp_sa_meta *m,
			   struct wfp_sa_meta_out **outp)
{
	*outp = NULL;
	if (!memcmp(m, &ctx->meta, sizeof(*m)))
		return 0;
	*outp = kzalloc(sizeof(**outp), GFP_KERNEL_ACCOUNT);
	if (!*outp)
		return -ENOMEM;
	(*outp)->m = *m;
	return 0;
}

/*
 * Update0's new flags, NAP context and main-mode SA id, per direction.
 * *spare is a meta the caller allocated in case the two directions stop
 * being equal; it is taken (and set to NULL) when used.
 */
void wfp_sa_meta_update(struct wfp_context *ctx,
			const struct wfp_ipsec_ctx_update *u,
			struct wfp_sa_meta_out **spare)
{
	struct wfp_sa_meta_out *out, *old;
	struct wfp_sa_meta m[2];
	int dir;

	for (dir = 0; dir < 2; dir++) {
		m[dir] = *wfp_sa_meta_of(ctx, dir);
		if (!ctx->x[dir])
			continue;
		if (u->flags & WFP_IPSEC_UPD_F_BUNDLE_FLAGS)
			m[dir].flags = u->bundle_flags[dir];
		if (u->flags & WFP_IPSEC_UPD_F_NAP_CONTEXT)
			m[dir].nap_context = u->nap_context[dir];
		if (u->flags & WFP_IPSEC_UPD_F_MM_SA_ID)
			m[dir].mm_sa_id = u->mm_sa_id[dir];
	}
	/* Both directions the same: no meta_out; else its own copy. */
	if (!ctx->x[WFP_IPSEC_DIR_OUTBOUND] ||
	    !memcmp(&m[WFP_IPSEC_DIR_OUTBOUND], &m[WFP_IPSEC_DIR_INBOUND],
		    sizeof(m[0]))) {
		out = NULL;
	} else {
		out = ctx->meta_out;
		if (!out) {
			out = *spare;
			*spare = NULL;
		}
	}
	old = ctx->meta_out != out ? ctx->meta_out : NULL;
	wfp_context_write_begin(ctx);
	ctx->meta = m[WFP_IPSEC_DIR_INBOUND];
	if (out)
		out->m = m[WFP_IPSEC_DIR_OUTBOUND];
	WRITE_ONCE(ctx->meta_out, out);
	wfp_context_write_end(ctx);
	/* A reader may be copying it (context.h). */
	if (old)
		kfree_rcu(old, rcu);
}

/* Inserts the new state; on success the caller's reference stays. */
static int wfp_sa_insert(struct wfp_context *ctx, struct xfrm_state *x,
			 bool inbound)
{
	int ret;

	xfrm_state_hold(x);
	if (inbound && x->id.proto == IPPROTO_ESP)
		/* Replaces the larval state holding the reserved SPI. */
		ret = xfrm_state_update(x);
	else
		ret = xfrm_state_add(x);
	if (ret) {
		x->km.state = XFRM_STATE_DEAD;
		__xfrm_state_put(x);
		xfrm_state_put(x);
	}
	return ret;
}

/*
 * What AddInbound/AddOutbound check and copy in before taking any lock;
 * a->status says why a bundle is refused.  The caller wipes p->keys.
 */
int wfp_sa_prepare(struct wfp_ipsec_ctx_add *a, struct wfp_sa_prep *p)
{
	const struct wfp_ipsec_sa *sa0 = &a->bundle.sas[0];
	int ret;

	/* Output only, and copied back even on failure. */
	a->status = WFP_IPSEC_ADD_ST_OK;
	ret = wfp_sa_validate(a, &a->status);
	if (ret)
		return ret;
	a->status = wfp_algs_resolve(sa0, &p->algs);
	if (a->status)
		return -EINVAL;
	if (sa0->spi < WFP_SPI_FIRST_VALID) {
		a->status = WFP_IPSEC_ADD_ST_SPI;
		return -EINVAL;
	}
	return wfp_sa_keys_get(sa0, &p->algs, &p->keys, &a->status);
}

/*
 * The rest of AddInbound/AddOutbound, on a live context whose
 * xfrm_cfg_mutex the caller holds; a failure leaves xfrm and the
 * context as they were.
 */
int wfp_sa_install(struct wfp_context *ctx, struct wfp_ipsec_ctx_add *a,
		   bool inbound, const struct wfp_sa_prep *p)
{
	const struct wfp_ipsec_sa *sa0 = &a->bundle.sas[0];
	u32 want = inbound ? WFP_IPSEC_CTX_STATE_SPI_SET :
			     WFP_IPSEC_CTX_STATE_INBOUND;
	struct wfp_sa_meta_out *meta_out = NULL;
	struct wfp_sa_meta m;
	struct xfrm_state *x;
	int ret;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	if (ctx->state != want)
		return -EBUSY;
	if (inbound && sa0->spi != ctx->inbound_spi) {
		a->status = WFP_IPSEC_ADD_ST_SPI;
		return -EINVAL;
	}
	/* Another plane took the reservation away: its "state update"
	 * replaced the larval state (xfrm_state_update() then updates *that*
	 * SA and reports success), or it deleted it.  Every such plane
	 * holds xfrm_cfg_mutex, as we do, so this cannot change under us;
	 * the lifecycle work deletes the context.
	 */
	if (inbound && wfp_sa_lost(ctx))
		return -ENOENT;
	if (a->bundle.peer_v4_private_addr &&
	    ctx->traffic.ip_version != WFP_IPSEC_IPV4)
		return -EINVAL;

	wfp_sa_meta_init(&m, &a->bundle);
	if (!inbound) {
		ret = wfp_sa_meta_out(ctx, &m, &meta_out);
		if (ret)
			return ret;
	}
	x = wfp_sa_build(ctx, inbound, &a->bundle, &p->algs, &p->keys,
			 &a->status);
	if (IS_ERR(x)) {
		ret = PTR_ERR(x);
		goto err_meta;
	}
	ret = wfp_sa_insert(ctx, x, inbound);
	if (ret)
		goto err_meta;

	if (!inbound) {
		mutex_lock(&ctx->wn->ctx_lock);
		ret = wfp_pset_complete(ctx->wn, ctx->pset, x->id.proto);
		mutex_unlock(&ctx->wn->ctx_lock);
		if (ret) {
			wfp_sa_drop(x);
			goto err_meta;
		}
	} else {
		/* The larval state is gone (ESP: replaced by the update)
		 * or no longer needed (AH); drop our hold on it.
		 */
		wfp_spi_release(ctx);
	}
	wfp_context_write_begin(ctx);
	if (!inbound) {
		WRITE_ONCE(ctx->meta_out, meta_out);
		ctx->x[WFP_IPSEC_DIR_OUTBOUND] = x;
	} else {
		ctx->meta = m;
		ctx->x[WFP_IPSEC_DIR_INBOUND] = x;
	}
	/* Lockless readers check the state before the fields it covers. */
	smp_store_release(&ctx->state, inbound ? WFP_IPSEC_CTX_STATE_INBOUND :
						 WFP_IPSEC_CTX_STATE_COMPLETE);
	wfp_context_write_end(ctx);
	atomic64_inc(&ctx->wn->sas_added);
	return 0;

err_meta:
	kfree(meta_out);
	return ret;
}

static int wfp_sa_add(struct wfp_session *s, struct wfp_ipsec_ctx_add *a,
		      bool inbound)
{
	struct wfp_context *ctx;
	struct wfp_sa_prep p;
	int ret;

	ret = wfp_sa_prepare(a, &p);
	if (ret)
		goto out_wipe;
	ctx = wfp_context_lock(s->wn, a->id);
	if (IS_ERR(ctx)) {
		ret = PTR_ERR(ctx);
		goto out_wipe;
	}
	ret = wfp_sa_install(ctx, a, inbound, &p);
	wfp_context_unlock(ctx);
out_wipe:
	memzero_explicit(&p.keys, sizeof(p.keys));
	return ret;
}

int wfp_sa_add_inbound(struct wfp_session *s, void *arg)
{
	return wfp_sa_add(s, arg, true);
}

int wfp_sa_add_outbound(struct wfp_session *s, void *arg)
{
	return wfp_sa_add(s, arg, false);
}

int wfp_sa_get(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_sa *g = arg;
	struct wfp_context *ctx;
	struct xfrm_state *x;
	struct wfp_sa_meta m;
	unsigned int seq;
	__be32 spi = 0;

	if (g->reserved0 || memchr_inv(g->reserved, 0, sizeof(g->reserved)) ||
	    memchr_inv(&g->bundle, 0, sizeof(g->bundle)) ||
	    g->dir > WFP_IPSEC_DIR_INBOUND)
		return -EINVAL;
	ctx = wfp_context_get(s->wn, g->id);
	if (!ctx)
		return -ENOENT;
	/* Without the mutex (context.h): states and metas outlive an RCU
	 * read section, and a copy that raced a change is made again.
	 */
	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&ctx->seq);
		x = READ_ONCE(ctx->x[g->dir]);
		if (x) {
			m = *wfp_sa_meta_of(ctx, g->dir);
			spi = x->id.spi;
		}
	} while (read_seqcount_retry(&ctx->seq, seq));
	rcu_read_unlock();
	if (x)
		wfp_sa_meta_fill(&m, spi, &g->bundle);
	wfp_context_put(ctx);
	return x ? 0 : -ENOENT;
}

/*
 * A copy of an installed SA with new addresses, reqid (policy set) or
 * encapsulation, for Update0: same SPI, algorithms and keys (taken from
 * the state itself: the module keeps none), lifetimes, and the anti-replay
 * and lifetime counters as they are now, so neither side sees a replay
 * or a restarted lifetime.
 */
struct xfrm_state *wfp_sa_clone(struct wfp_context *ctx, int dir,
				const struct wfp_ipsec_traffic *t,
				const struct wfp_pset *ps,
				const struct wfp_sa_encap *enc)
{
	struct xfrm_state *old = ctx->x[dir];
	bool inbound = dir == WFP_IPSEC_DIR_INBOUND;
	struct xfrm_state *x;
	int ret = -ENOMEM;

	x = xfrm_state_alloc(ctx->wn->net);
	if (!x)
		return ERR_PTR(-ENOMEM);
	x->id.proto = old->id.proto;
	x->id.spi = old->id.spi;
	memcpy(&x->id.daddr, inbound ? t->local_addr : t->remote_addr, 16);
	memcpy(&x->props.saddr, inbound ? t->remote_addr : t->local_addr, 16);
	x->props.family = ps->key.family;
	x->props.mode = ps->key.mode;
	x->props.reqid = ps->reqid;
	x->props.replay_window = old->props.replay_window;
	x->props.aalgo = old->props.aalgo;
	x->props.ealgo = old->props.ealgo;
	x->geniv = old->geniv;
	wfp_pset_sa_selector(ps, t, inbound, &x->sel);
	x->lft = old->lft;

	if (old->aead) {
		x->aead = kmemdup(old->aead, aead_len(old->aead), GFP_KERNEL);
		if (!x->aead)
			goto err;
	}
	if (old->aalg) {
		x->aalg = kmemdup(old->aalg, xfrm_alg_auth_len(old->aalg),
				  GFP_KERNEL);
		if (!x->aalg)
			goto err;
	}
	if (old->ealg) {
		x->ealg = kmemdup(old->ealg, xfrm_alg_len(old->ealg),
				  GFP_KERNEL);
		if (!x->ealg)
			goto err;
	}
	ret = wfp_sa_encap(x, enc, inbound);
	if (ret)
		goto err;
	ret = xfrm_init_state(x);
	if (ret)
		goto err;

	spin_lock_bh(&old->lock);
	x->replay = old->replay;
	x->preplay = old->preplay;
	x->curlft = old->curlft;
	spin_unlock_bh(&old->lock);
	return x;

err:
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
	return ERR_PTR(ret);
}

/*
 * Update0 swaps SAs in two phases so that a failure changes nothing.
 * Installing puts the copy in xfrm beside the original - hashed in front
 * of it when the destination is the same, so lookups find the copy first
 * and no packet meets neither - and can fail; committing drops the
 * original and cannot.
 */
int wfp_sa_install_copy(struct wfp_context *ctx, int dir, struct xfrm_state *x)
{
	struct xfrm_state *old = ctx->x[dir];
	int ret;

	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	xfrm_state_hold(x);
	if (xfrm_addr_equal(&x->id.daddr, &old->id.daddr, x->props.family)) {
		xfrm_state_insert(x);
		return 0;
	}
	ret = xfrm_state_add(x);
	if (ret) {
		x->km.state = XFRM_STATE_DEAD;
		__xfrm_state_put(x);
		xfrm_state_put(x);
	}
	return ret;
}

void wfp_sa_abort_copy(struct xfrm_state *x)
{
	wfp_sa_drop(x);
}

void wfp_sa_commit_copy(struct wfp_context *ctx, int dir, struct xfrm_state *x)
{
	struct xfrm_state *old = ctx->x[dir];

	wfp_context_write_begin(ctx);
	ctx->x[dir] = x;
	wfp_context_write_end(ctx);
	wfp_sa_drop(old);
}

/* A copy not swapped in: never inserted, so dead before the put. */
void wfp_sa_clone_drop(struct xfrm_state *x)
{
	x->km.state = XFRM_STATE_DEAD;
	xfrm_state_put(x);
}
