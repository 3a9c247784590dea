// SPDX-License-Identifier: GPL-2.0
/*
 * Filters (FwpmFilter*): objects.c keeps them with the other management
 * objects (key order, runtime id, names, references); here is what makes
 * them filters.  A filter at a transport or IPFORWARD layer is xfrm
 * policies of its namespace (filter_sel.c, filter_xfrm.c), installed when
 * it is added and removed when it is deleted; at an ALE layer, where
 * Linux has no hook that changes packets, it is only recorded.
 *
 * An IPsec callout filter belongs to an SA group (policy.c's
 * WFP_PSET_GROUP): its provider context's, or for a transport filter
 * without one that of its conditions, which its twin of the other
 * direction shares.  Its templates carry the group's reqid;
 * an SA context whose traffic names the filter (ipsecFilterId) or the
 * provider context (tunnelPolicyId) joins the group, so its SAs are the
 * ones those policies use (wfp_filter_bind_key()).
 *
 * Locks: xfrm_cfg_mutex (policies), then objs.lock (the object and what
 * it names), then ctx_lock (the group).  When another plane deletes,
 * flushes or replaces one of a filter's policies, the filter goes, and
 * with its group's loss every SA context bound to it
 * (wfp_filters_reap_lost(), then wfp_context_reap_lost()).
 */

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "filter.h"
#include "ids.h"
#include "netevent.h"
#include "netns.h"
#include "objects.h"
#include "policy.h"
#include "session.h"

/* FWPM_SUBLAYER_UNIVERSAL, every layer's default sublayer. */
static const guid_t wfp_sublayer_universal =
	GUID_INIT(0xeebecc03, 0xced4, 0x4380, 0x81, 0x9a, 0x27, 0x34, 0x39,
		  0x7b, 0x2b, 0x74);

/* The IPv4 layer of each callout pair (the IPv6 one is the next). */
static const u8 wfp_callout_layer_v4[] = {
	WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4,	/* INBOUND_TRANSPORT */
	WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,	/* OUTBOUND_TRANSPORT */
	WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4,	/* INBOUND_TUNNEL */
	WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,	/* OUTBOUND_TUNNEL */
	WFP_IPSEC_LAYER_IPFORWARD_V4,		/* FORWARD_INBOUND_TUNNEL */
	WFP_IPSEC_LAYER_IPFORWARD_V4,		/* FORWARD_OUTBOUND_TUNNEL */
	WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4, /* INBOUND_INITIATE_SECURE */
	WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4, /* INBOUND_TUNNEL_ALE_ACCEPT */
	WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V4,	/* ALE_CONNECT */
	WFP_IPSEC_LAYER_IPFORWARD_V4,		/* DOSP_FORWARD */
};

static u32 wfp_callout_layer(u32 callout)
{
	return wfp_callout_layer_v4[(callout - 1) / 2] + ((callout - 1) & 1);
}

static bool wfp_callout_transport(u32 callout)
{
	return callout >= WFP_IPSEC_CALLOUT_INBOUND_TRANSPORT_V4 &&
	       callout <= WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V6;
}

static bool wfp_callout_tunnel(u32 callout)
{
	return callout >= WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_V4 &&
	       callout <= WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6;
}

static bool wfp_callout_outbound_transport(u32 callout)
{
	return callout == WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V4 ||
	       callout == WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V6;
}

/* Whether the filter is xfrm policies (not an ALE layer's record). */
static bool wfp_filter_enforced(const struct wfp_filter *f)
{
	return f->layer <= WFP_IPSEC_LAYER_IPFORWARD_V6 &&
	       (f->action != WFP_IPSEC_ACTION_CALLOUT ||
		wfp_callout_transport(f->callout) ||
		wfp_callout_tunnel(f->callout));
}

/* The direction of a layer's policies: forwarded traffic is checked at
 * FWD, but encapsulated on its way out, at OUT.
 */
static u8 wfp_filter_dir(u32 layer, u32 callout)
{
	switch (layer) {
	case WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4:
	case WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V6:
		return XFRM_POLICY_IN;
	case WFP_IPSEC_LAYER_IPFORWARD_V4:
	case WFP_IPSEC_LAYER_IPFORWARD_V6:
		if (callout == WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V4 ||
		    callout == WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6)
			return XFRM_POLICY_OUT;
		return XFRM_POLICY_FWD;
	default:
		return XFRM_POLICY_OUT;
	}
}

static int wfp_filter_action_check(const struct wfp_ipsec_filter *u)
{
	bool callout = u->action == WFP_IPSEC_ACTION_CALLOUT;

	if (u->action < WFP_IPSEC_ACTION_BLOCK ||
	    u->action > WFP_IPSEC_ACTION_CALLOUT || callout != !!u->callout ||
	    u->callout > __WFP_IPSEC_CALLOUT_MAX)
		return -EINVAL;
	if (callout && memchr_inv(u->filter_type, 0, sizeof(u->filter_type)))
		return -EINVAL;
	if (!callout && (u->flags &
			 WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED))
		return -EINVAL;
	if (!callout)
		return 0;
	if (wfp_callout_layer(u->callout) != u->layer)
		return -EINVAL;
	if (u->callout >= WFP_IPSEC_CALLOUT_DOSP_FORWARD_V4)
		return -EOPNOTSUPP;
	if (wfp_callout_tunnel(u->callout) &&
	    !(u->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT))
		return -EDESTADDRREQ;
	return 0;
}

static bool wfp_filter_weight_valid(const struct wfp_ipsec_filter *u)
{
	switch (u->weight_type) {
	case WFP_IPSEC_WEIGHT_EMPTY:
		return !u->weight;
	case WFP_IPSEC_WEIGHT_UINT8:
		return u->weight <= 15;
	case WFP_IPSEC_WEIGHT_UINT64:
		return true;
	default:
		return false;
	}
}

/* The fixed part of an ADD, before anything is copied or allocated. */
static int wfp_filter_add_validate(const struct wfp_ipsec_filter *u)
{
	bool has_pctx = u->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;

	if (memchr_inv(u->reserved, 0, sizeof(u->reserved)) || u->id ||
	    u->pctx_id || u->effective_weight || u->reqid || u->nr_policies ||
	    (u->flags & ~__WFP_IPSEC_FILTER_F_ALL) || u->has_provider > 1 ||
	    !u->layer || u->layer > __WFP_IPSEC_LAYER_MAX ||
	    !wfp_filter_weight_valid(u))
		return -EINVAL;
	if (!u->has_provider &&
	    memchr_inv(u->provider_key, 0, sizeof(u->provider_key)))
		return -EINVAL;
	if (has_pctx ? u->raw_context :
	    !!memchr_inv(u->pctx_key, 0, sizeof(u->pctx_key)))
		return -EINVAL;
	if (u->num_conds > WFP_IPSEC_FILTER_COND_MAX || !u->name_len)
		return -EINVAL;
	if (u->name_len > WFP_IPSEC_OBJ_NAME_MAX ||
	    u->desc_len > WFP_IPSEC_OBJ_DESC_MAX ||
	    u->data_len > WFP_IPSEC_OBJ_DATA_MAX)
		return -E2BIG;
	return wfp_filter_action_check(u);
}

static void wfp_filter_lens(const struct wfp_ipsec_filter *u, u32 *len)
{
	len[WFP_OBJ_NAME] = u->name_len;
	len[WFP_OBJ_DESC] = u->desc_len;
	len[WFP_OBJ_SERVICE] = u->num_conds *
			       sizeof(struct wfp_ipsec_filter_cond);
	len[WFP_OBJ_DATA] = u->data_len;
}

static void wfp_filter_uptrs(const struct wfp_ipsec_filter *u,
			     void __user **uptr)
{
	uptr[WFP_OBJ_NAME] = u64_to_user_ptr(u->name);
	uptr[WFP_OBJ_DESC] = u64_to_user_ptr(u->desc);
	uptr[WFP_OBJ_SERVICE] = u64_to_user_ptr(u->conds);
	uptr[WFP_OBJ_DATA] = u64_to_user_ptr(u->data);
}

static void wfp_filter_free(struct wfp_obj *o)
{
	if (o->filter) {
		kfree(o->filter->sels);
		kfree(o->filter);
	}
	kfree(o);
}

static void wfp_filter_fields(struct wfp_filter *f,
			      const struct wfp_ipsec_filter *u)
{
	f->layer = u->layer;
	f->action = u->action;
	f->callout = u->callout;
	f->weight_type = u->weight_type;
	f->weight = u->weight;
	f->raw_context = u->raw_context;
	memcpy(f->sublayer_key, u->sublayer_key, sizeof(f->sublayer_key));
	if (!memchr_inv(f->sublayer_key, 0, sizeof(f->sublayer_key)))
		memcpy(f->sublayer_key, &wfp_sublayer_universal,
		       sizeof(f->sublayer_key));
	memcpy(f->filter_type, u->filter_type, sizeof(f->filter_type));
	memcpy(f->pctx_key, u->pctx_key, sizeof(f->pctx_key));
	f->family = u->layer & 1 ? AF_INET : AF_INET6;
	f->dir = wfp_filter_dir(u->layer, u->callout);
}

/*
 * Forwarded traffic meets xfrm twice: the fwd policies check how it
 * arrived, with no acquire path, then the out lookup how it leaves.  So
 * a forward BLOCK is a trap (netevent.c) in "out" - but "out" holds this
 * host's own traffic too, and the fwd filters heavier than the BLOCK
 * cannot exempt traffic from it there.  Only the on-demand tunnel's
 * trap - every selector with a source and a destination prefix, from one
 * protected subnet to another - is worth that; any other forward BLOCK
 * stays a block in "fwd" (Documentation/netevents.rst).
 */
static void wfp_filter_forward_dir(struct wfp_filter *f)
{
	const struct xfrm_selector *sel;
	unsigned int i;

	if (f->action != WFP_IPSEC_ACTION_BLOCK ||
	    f->dir != XFRM_POLICY_FWD || !f->sels)
		return;
	for (i = 0; i < f->sels->nr; i++) {
		sel = &f->sels->sel[i];
		if (!sel->prefixlen_s || !sel->prefixlen_d)
			return;
	}
	f->dir = XFRM_POLICY_OUT;
}

/* The object an ADD asks for: copies, conditions checked and split. */
static struct wfp_obj *wfp_filter_new(const struct wfp_ipsec_filter *u)
{
	void __user *uptr[WFP_OBJ_FIELDS];
	u32 len[WFP_OBJ_FIELDS];
	struct wfp_filter *f;
	struct wfp_obj *o;
	int ret;

	wfp_filter_lens(u, len);
	wfp_filter_uptrs(u, uptr);
	o = wfp_obj_alloc(len, uptr, BIT(WFP_OBJ_NAME) | BIT(WFP_OBJ_DESC));
	if (IS_ERR(o))
		return o;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	o->filter = f;
	if (!f) {
		ret = -ENOMEM;
		goto err;
	}
	wfp_filter_fields(f, u);
	memcpy(o->key, u->key, sizeof(o->key));
	memcpy(o->provider_key, u->provider_key, sizeof(o->provider_key));
	o->has_provider = u->has_provider;
	o->flags = u->flags;
	ret = wfp_filter_conds_check(f->layer, (const void *)
				     wfp_obj_field(o, WFP_OBJ_SERVICE),
				     u->num_conds);
	if (ret)
		goto err;
	if (wfp_filter_enforced(f)) {
		f->sels = wfp_filter_sels_make(f, (const void *)
					       wfp_obj_field(o, WFP_OBJ_SERVICE),
					       u->num_conds);
		if (IS_ERR(f->sels)) {
			ret = PTR_ERR(f->sels);
			f->sels = NULL;
			goto err;
		}
		wfp_filter_forward_dir(f);
	}
	f->effective_weight = wfp_filter_effective_weight(f);
	return o;
err:
	wfp_filter_free(o);
	return ERR_PTR(ret);
}

/* A callout filter's provider context must be of its kind. */
static int wfp_filter_pctx_check(const struct wfp_filter *f,
				 const struct wfp_obj *pctx)
{
	u32 version = f->family == AF_INET ? WFP_IPSEC_PCTX_IP_V4 :
					     WFP_IPSEC_PCTX_IP_V6;

	if (f->action != WFP_IPSEC_ACTION_CALLOUT)
		return 0;
	if (wfp_callout_tunnel(f->callout))
		return pctx->pol.ctx_type == WFP_IPSEC_PCTX_IKE_QM_TUNNEL &&
		       pctx->pol.ip_version == version ? 0 : -EPROTOTYPE;
	if (wfp_callout_transport(f->callout))
		return pctx->pol.ctx_type == WFP_IPSEC_PCTX_IKE_QM_TRANSPORT ?
		       0 : -EPROTOTYPE;
	return 0;
}

/* The sublayer and provider context a filter names must exist. */
static int wfp_filter_refs(struct wfp_net *wn, const struct wfp_obj *o,
			   struct wfp_obj **sl, struct wfp_obj **pctx)
{
	const struct wfp_filter *f = o->filter;

	*pctx = NULL;
	*sl = wfp_obj_find(wn, WFP_IPSEC_OBJ_SUBLAYER, f->sublayer_key);
	if (!*sl)
		return -ENODEV;
	if (!wfp_obj_may_name(o, *sl))
		return -EXDEV;
	if (!(o->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT))
		return 0;
	*pctx = wfp_obj_find(wn, WFP_IPSEC_OBJ_PROVIDER_CONTEXT, f->pctx_key);
	if (!*pctx)
		return -ENOKEY;
	if (!wfp_obj_may_name(o, *pctx))
		return -EXDEV;
	return wfp_filter_pctx_check(f, *pctx);
}

/*
 * The SA group of an enforced IPsec callout filter: its provider
 * context's, else - a transport filter - its conditions': the outbound
 * filter and its inbound twin (WFP's local and remote conditions read the
 * same both ways) share one, as a context's two SAs share one reqid.
 * Windows pairs them through IPSEC_TRAFFIC1.ipsecFilterId at create and
 * GetSpi instead; an inbound filter without such a twin has a group no
 * context can join, and drops what it matches rather than pass it.
 */
static bool wfp_filter_group_may_join(const struct wfp_pset *ps,
				      const struct wfp_obj *o)
{
	/* New (only o's reference), or all its filters of o's lifetime. */
	if (ps->users == 1)
		return true;
	if (ps->owner != o->owner)
		return false;
	/* A dynamic session's group holds no (static) SA context. */
	return !o->owner || ps->users == ps->nr_filters + 1;
}

static int wfp_filter_group_join(struct wfp_net *wn, struct wfp_obj *o,
				 const struct wfp_obj *pctx)
{
	struct wfp_filter *f = o->filter;
	struct wfp_pset_key key;
	struct wfp_pset *ps;
	u8 mode = wfp_callout_tunnel(f->callout) ? XFRM_MODE_TUNNEL :
						   XFRM_MODE_TRANSPORT;

	if (!f->sels || (f->action != WFP_IPSEC_ACTION_CALLOUT &&
			 !wfp_filter_is_trap(f)))
		return 0;
	if (wfp_filter_is_trap(f))
		wfp_pset_key_group(&key, f->family, mode, WFP_PSET_GROUP_TRAP,
				   o->id);
	else if (pctx)
		wfp_pset_key_group(&key, f->family, mode, WFP_PSET_GROUP_PCTX,
				   pctx->id);
	else
		wfp_pset_key_group(&key, f->family, mode, WFP_PSET_GROUP_CONDS,
				   f->sels->cond_hash);
	mutex_lock(&wn->ctx_lock);
	ps = wfp_pset_get(wn, &key);
	if (!IS_ERR(ps) && !wfp_filter_group_may_join(ps, o)) {
		wfp_pset_put(wn, ps);
		ps = ERR_PTR(-EXDEV);
	}
	if (!IS_ERR(ps)) {
		ps->owner = o->owner;
		ps->nr_filters++;
	}
	mutex_unlock(&wn->ctx_lock);
	if (IS_ERR(ps))
		return PTR_ERR(ps);
	f->group = ps;
	f->reqid = ps->reqid;
	return 0;
}

/* Whether SA contexts are bound to the filter's group (txn.c). */
bool wfp_filter_bound(struct wfp_net *wn, const struct wfp_obj *o)
{
	bool bound;

	mutex_lock(&wn->ctx_lock);
	bound = wfp_filter_bound_locked(wn, o->filter);
	mutex_unlock(&wn->ctx_lock);
	return bound;
}

/* Whether SA contexts are bound to the filter's group; under ctx_lock. */
bool wfp_filter_bound_locked(struct wfp_net *wn, const struct wfp_filter *f)
{
	lockdep_assert_held(&wn->ctx_lock);
	return f->group && f->group->users > f->group->nr_filters;
}

/*
 * Leaves the group, under ctx_lock.  WFP_LEAVE_CHECK (a DELETE): -EBUSY
 * while SA contexts are bound to it.  WFP_LEAVE_UNDO (a failed ADD, a
 * rollback, a dynamic session's close): the group is lost only when its
 * last filter goes with contexts bound - the state before the filter
 * came.  WFP_LEAVE_LOST (another plane took its policies, the namespace
 * goes): lost whenever contexts are bound; they go
 * (wfp_context_reap_lost()).
 */
int wfp_filter_group_leave_locked(struct wfp_net *wn, struct wfp_filter *f,
				  enum wfp_filter_leave how)
{
	struct wfp_pset *ps = f->group;
	bool bound;

	lockdep_assert_held(&wn->ctx_lock);
	if (!ps)
		return 0;
	bound = ps->users > ps->nr_filters;
	if (bound && how == WFP_LEAVE_CHECK)
		return -EBUSY;
	if (bound && (how == WFP_LEAVE_LOST || ps->nr_filters == 1))
		WRITE_ONCE(ps->lost, true);
	ps->nr_filters--;
	wfp_pset_put(wn, ps);
	f->group = NULL;
	return 0;
}

/* One ctx_lock section: no context joins between the check and leave. */
static int wfp_filter_group_leave(struct wfp_net *wn, struct wfp_filter *f,
				  enum wfp_filter_leave how)
{
	int ret;

	mutex_lock(&wn->ctx_lock);
	ret = wfp_filter_group_leave_locked(wn, f, how);
	mutex_unlock(&wn->ctx_lock);
	return ret;
}

static void wfp_filter_ref(struct wfp_net *wn, u32 type, const u8 *key,
			   int delta)
{
	struct wfp_obj *o = wfp_obj_find(wn, type, key);

	if (!WARN_ON_ONCE(!o))
		o->users += delta;
}

/*
 * Everything an ADD can refuse is checked before the first policy goes
 * in, under the locks that keep it true; the limit last, so a taken key
 * or a missing reference says so at any count.
 */
static int wfp_filter_insert(struct wfp_net *wn, struct wfp_obj *o)
{
	struct wfp_filter *f = o->filter;
	struct wfp_obj *sl, *pctx, *prov = NULL;
	int ret;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->objs.lock);

	if (wfp_obj_find(wn, WFP_IPSEC_OBJ_FILTER, o->key))
		return -EEXIST;
	if (o->has_provider) {
		prov = wfp_obj_find(wn, WFP_IPSEC_OBJ_PROVIDER, o->provider_key);
		if (!prov)
			return -ENXIO;
		if (!wfp_obj_may_name(o, prov))
			return -EXDEV;
	}
	ret = wfp_filter_refs(wn, o, &sl, &pctx);
	if (ret)
		return ret;
	if (wn->objs.nr[WFP_IPSEC_OBJ_FILTER - 1] >= WFP_IPSEC_OBJ_MAX)
		return -ENOSPC;
	f->sublayer_weight = sl->weight;
	f->pctx_id = pctx ? pctx->id : 0;
	f->priority = wfp_filter_priority(f);
	ret = wfp_filter_group_join(wn, o, pctx);
	if (!ret && f->sels)
		ret = wfp_filter_policies_install(wn->net, f, pctx);
	if (!ret)
		ret = wfp_obj_insert(wn, WFP_IPSEC_OBJ_FILTER, o);
	if (ret) {
		wfp_filter_policies_remove(f);
		/* A context may have joined the new group meanwhile. */
		wfp_filter_group_leave(wn, f, WFP_LEAVE_UNDO);
		return ret;
	}
	sl->users++;
	if (pctx)
		pctx->users++;
	return 0;
}

/*
 * What ADD reports, read before the unlock lets o be freed; GET reports
 * it too, from its snapshot f.
 */
static void wfp_filter_report(const struct wfp_obj *o,
			      const struct wfp_filter *f,
			      struct wfp_ipsec_filter *u)
{
	memcpy(u->key, o->key, sizeof(u->key));
	u->id = o->id;
	u->effective_weight = f->effective_weight;
	u->pctx_id = f->pctx_id;
	/* A trap's reqid is its template's only (netevent.c). */
	u->reqid = wfp_filter_is_trap(f) ? 0 : f->reqid;
	u->nr_policies = f->nr_pol;
}

int wfp_filter_add(struct wfp_session *s, void *arg)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_ipsec_filter *u = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_obj *o;
	int ret;

	ret = wfp_filter_add_validate(u);
	if (ret)
		return ret;
	o = wfp_filter_new(u);
	if (IS_ERR(o))
		return PTR_ERR(o);
	o->owner = wfp_obj_owner_of(s);
	o->id = wfp_ids_filter_next(wn);
	if (!o->id) {
		wfp_filter_free(o);
		return -ENOSPC;
	}
	/* A zero key asks for a generated one (BFE's rule). */
	if (!memchr_inv(o->key, 0, sizeof(o->key)))
		guid_gen((guid_t *)o->key);

	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	ret = wfp_filter_insert(wn, o);
	if (!ret)
		wfp_filter_report(o, o->filter, u);
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
	if (ret)
		wfp_filter_free(o);
	return ret;
}

/*
 * Unlinks and frees a filter: its policies go, and what it named may be
 * deleted again; its group as wfp_filter_group_leave_locked() says (a
 * caller that left it already passes none).
 */
int wfp_filter_remove(struct wfp_net *wn, struct wfp_obj *o,
		      enum wfp_filter_leave how)
{
	struct wfp_filter *f = o->filter;
	int ret;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->objs.lock);

	ret = wfp_filter_group_leave(wn, f, how);
	if (ret)
		return ret;
	wfp_filter_policies_remove(f);
	wfp_filter_ref(wn, WFP_IPSEC_OBJ_SUBLAYER, f->sublayer_key, -1);
	if (o->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT)
		wfp_filter_ref(wn, WFP_IPSEC_OBJ_PROVIDER_CONTEXT, f->pctx_key,
			       -1);
	wfp_obj_unlink_provider(wn, o);
	kfree(f->sels);
	kfree(f);
	o->filter = NULL;
	wfp_obj_unlink_free(wn, WFP_IPSEC_OBJ_FILTER, o);
	return 0;
}

int wfp_filter_delete(struct wfp_session *s,
		      const struct wfp_ipsec_obj_key *k)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_net *wn = s->wn;
	struct wfp_obj *o;
	int ret;

	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	o = wfp_obj_lookup(wn, k);
	ret = o ? wfp_obj_may_delete(s, o) : -ENOENT;
	if (!ret)
		ret = wfp_filter_remove(wn, o, WFP_LEAVE_CHECK);
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
	return ret;
}

/* Filters a sweep removes per hold of the locks: ip xfrm waits less. */
#define WFP_FILTER_SWEEP_BATCH	16

/*
 * One batch of a sweep: the filters after cursor in key order, every one
 * or (lost_only) those another plane broke.  True when the list goes on.
 */
static bool wfp_filters_sweep_batch(struct wfp_net *wn, bool lost_only,
				    u8 *cursor)
{
	struct wfp_obj *o, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(o, tmp,
				 wfp_obj_list(wn, WFP_IPSEC_OBJ_FILTER), node) {
		if (memcmp(o->key, cursor, WFP_IPSEC_OBJ_KEY_LEN) <= 0)
			continue;
		if (n++ == WFP_FILTER_SWEEP_BATCH)
			return true;
		memcpy(cursor, o->key, WFP_IPSEC_OBJ_KEY_LEN);
		if (!lost_only || wfp_filter_policies_lost(o->filter))
			wfp_filter_remove(wn, o, WFP_LEAVE_LOST);
	}
	return false;
}

static void wfp_filters_sweep(struct wfp_net *wn, bool lost_only)
{
	struct mutex *cfg = &wn->net->xfrm.xfrm_cfg_mutex;
	u8 cursor[WFP_IPSEC_OBJ_KEY_LEN] = {};
	bool more;

	do {
		mutex_lock(cfg);
		mutex_lock(&wn->objs.lock);
		more = wfp_filters_sweep_batch(wn, lost_only, cursor);
		mutex_unlock(&wn->objs.lock);
		mutex_unlock(cfg);
		cond_resched();
	} while (more);
}

/*
 * A dynamic session's filters, at its close, under the caller's hold of
 * both locks: one step, so no other change sees some of them gone.
 */
void wfp_filters_remove_owned(struct wfp_net *wn, u64 owner)
{
	struct wfp_obj *o, *tmp;

	lockdep_assert_held(&wn->objs.lock);
	list_for_each_entry_safe(o, tmp,
				 wfp_obj_list(wn, WFP_IPSEC_OBJ_FILTER), node)
		if (o->owner == owner)
			wfp_filter_remove(wn, o, WFP_LEAVE_UNDO);
}

void wfp_filters_reap_lost(struct wfp_net *wn)
{
	wfp_filters_sweep(wn, true);
}

/* Before the objects go: filters name them, and hold xfrm policies. */
void wfp_filters_net_exit(struct wfp_net *wn)
{
	wfp_filters_sweep(wn, false);
}

/* Atomic context: whether a policy event may concern a filter. */
unsigned int wfp_filters_count(struct wfp_net *wn)
{
	return READ_ONCE(wn->objs.nr[WFP_IPSEC_OBJ_FILTER - 1]);
}

/* GET takes nothing but the name and the rooms. */
static bool wfp_filter_get_valid(const struct wfp_ipsec_filter *u)
{
	struct wfp_ipsec_filter z = {};

	memcpy(z.key, u->key, sizeof(z.key));
	z.id = u->id;
	z.num_conds = u->num_conds;
	z.name_len = u->name_len;
	z.desc_len = u->desc_len;
	z.data_len = u->data_len;
	z.conds = u->conds;
	z.name = u->name;
	z.desc = u->desc;
	z.data = u->data;
	return !memcmp(&z, u, sizeof(z));
}

static int wfp_filter_copy_out(const struct wfp_obj *o,
			       const struct wfp_filter *f,
			       struct wfp_ipsec_filter *u)
{
	void __user *uptr[WFP_OBJ_FIELDS];
	u32 room[WFP_OBJ_FIELDS];
	int ret;

	wfp_filter_lens(u, room);
	wfp_filter_uptrs(u, uptr);
	ret = wfp_obj_fields_to_user(o, room, uptr);
	if (ret)
		return ret;
	wfp_filter_report(o, f, u);
	memcpy(u->provider_key, o->provider_key, sizeof(u->provider_key));
	memcpy(u->sublayer_key, f->sublayer_key, sizeof(u->sublayer_key));
	memcpy(u->filter_type, f->filter_type, sizeof(u->filter_type));
	memcpy(u->pctx_key, f->pctx_key, sizeof(u->pctx_key));
	u->has_provider = o->has_provider;
	u->flags = o->flags;
	u->layer = f->layer;
	u->action = f->action;
	u->callout = f->callout;
	u->weight_type = f->weight_type;
	u->weight = f->weight;
	u->raw_context = f->raw_context;
	u->num_conds = o->len[WFP_OBJ_SERVICE] /
		       sizeof(struct wfp_ipsec_filter_cond);
	u->name_len = o->len[WFP_OBJ_NAME];
	u->desc_len = o->len[WFP_OBJ_DESC];
	u->data_len = o->len[WFP_OBJ_DATA];
	return 0;
}

int wfp_filter_get(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_filter *u = arg;
	struct wfp_ipsec_obj_key k = { .type = WFP_IPSEC_OBJ_FILTER,
				       .id = u->id };
	struct wfp_filter f;
	struct wfp_obj *o;
	int ret;

	memcpy(k.key, u->key, sizeof(k.key));
	/* An id only without a key; neither names nothing (ENOENT). */
	if (!wfp_filter_get_valid(u) ||
	    (u->id && memchr_inv(u->key, 0, sizeof(u->key))) ||
	    u->num_conds > WFP_IPSEC_FILTER_COND_MAX)
		return -EINVAL;
	o = wfp_obj_snapshot(s->wn, &k, &f);
	if (IS_ERR(o))
		return PTR_ERR(o);
	ret = wfp_filter_copy_out(o, &f, u);
	kfree(o);
	return ret;
}

/* Whether one of an outbound filter's selectors takes t's packets. */
static bool wfp_filter_covers(const struct wfp_filter *f,
			      const struct wfp_ipsec_traffic *t)
{
	const struct xfrm_selector *sel;
	unsigned int i;

	for (i = 0; i < f->sels->nr; i++) {
		sel = &f->sels->sel[i];
		if (addr_match(&sel->saddr, t->local_addr, sel->prefixlen_s) &&
		    addr_match(&sel->daddr, t->remote_addr, sel->prefixlen_d) &&
		    (!sel->proto || !t->ip_protocol ||
		     sel->proto == t->ip_protocol) &&
		    !((t->local_port ^ sel->sport) & sel->sport_mask &&
		      t->local_port) &&
		    !((t->remote_port ^ sel->dport) & sel->dport_mask &&
		      t->remote_port))
			return true;
	}
	return false;
}

/*
 * The group a context's traffic names: -EINVAL for the wrong kind, or a
 * transport filter none of whose selectors takes the traffic (its SAs
 * would carry nothing).
 */
static int wfp_filter_bind_check(const struct wfp_obj *o,
				 const struct wfp_ipsec_traffic *t,
				 struct wfp_pset_key *key)
{
	u8 family = t->ip_version == WFP_IPSEC_IPV4 ? AF_INET : AF_INET6;
	u32 version = t->ip_version == WFP_IPSEC_IPV4 ? WFP_IPSEC_PCTX_IP_V4 :
							WFP_IPSEC_PCTX_IP_V6;
	const struct wfp_filter *f = o->filter;

	/* A context is static: it names no dynamic session's object. */
	if (o->owner)
		return -EXDEV;
	if (t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL) {
		/* The SAs' endpoints are the templates'. */
		if (o->pol.ctx_type != WFP_IPSEC_PCTX_IKE_QM_TUNNEL ||
		    o->pol.ip_version != version ||
		    memcmp(o->pol.local, t->local_addr, 16) ||
		    memcmp(o->pol.remote, t->remote_addr, 16))
			return -EINVAL;
		wfp_pset_key_group(key, family, XFRM_MODE_TUNNEL,
				   WFP_PSET_GROUP_PCTX, o->id);
		return 1;
	}
	if (!wfp_callout_outbound_transport(f->callout) ||
	    f->family != family || !f->group || !wfp_filter_covers(f, t))
		return -EINVAL;
	*key = f->group->key;
	return 1;
}

/*
 * Whether an SA context is bound to a filter group: 1 with its key, 0
 * when its traffic names no filter (transport) or provider context
 * (tunnel) the namespace ever had - it then has policies of its own, as
 * before filters existed - or a negative errno (-ENOENT: one it had).
 */
int wfp_filter_bind_key(struct wfp_net *wn, const struct wfp_ipsec_traffic *t,
			struct wfp_pset_key *key)
{
	struct wfp_ipsec_obj_key k = { .id = t->filter_id };
	struct wfp_obj *o;
	int ret = 0;

	if (!t->filter_id)
		return 0;
	k.type = t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL ?
		 WFP_IPSEC_OBJ_PROVIDER_CONTEXT : WFP_IPSEC_OBJ_FILTER;
	mutex_lock(&wn->objs.lock);
	o = wfp_obj_lookup(wn, &k);
	if (o)
		ret = wfp_filter_bind_check(o, t, key);
	mutex_unlock(&wn->objs.lock);
	/* An id the namespace gave and took back: not "no filter". */
	if (!o && wfp_ids_issued(wn, k.type == WFP_IPSEC_OBJ_FILTER ?
				 &wn->last_filter_id : &wn->last_pctx_id,
				 t->filter_id))
		return -ENOENT;
	return ret;
}
