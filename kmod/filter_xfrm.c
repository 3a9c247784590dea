// SPDX-License-Identifier: GPL-2.0
/*
 * A filter's xfrm policies: one per selector (filter_sel.c), all in one
 * direction (filter.c: its layer's, or out for a forward trap), at the
 * priority its sublayer and weight imply.
 * PERMIT is a policy without templates (a bypass), BLOCK xfrm's block
 * action, an IPsec callout one ESP template of its mode: tunnel
 * endpoints from its QM tunnel provider context, the reqid of its SA
 * group (filter.c).  A BLOCK at the outbound transport layers, or at
 * IPFORWARD naming both addresses, is a trap (netevent.c): an ESP
 * transport template whose reqid no SA has, so xfrm drops the traffic
 * through its acquire path, which raises a CLASSIFY_DROP net event.
 */

#include <linux/bitops.h>
#include <linux/slab.h>

#include "filter.h"
#include "netevent.h"
#include "netns.h"
#include "objects.h"

/*
 * Filters rank below "ip xfrm policy add"'s default (0) and the SA
 * contexts' own policies (policy.c): an administrator's policy wins.
 */
#define WFP_FILTER_PRIORITY_BASE	0x10000U
#define WFP_FILTER_W15_MAX		0x7fffU

/* The automatic weight's specificity field: bits 59..51. */
#define WFP_FILTER_AUTO_SHIFT		51
#define WFP_FILTER_AUTO_MAX		0x1ffU

u64 wfp_filter_effective_weight(const struct wfp_filter *f)
{
	u64 autow = (u64)min_t(unsigned int, f->sels ? f->sels->specificity :
			       0, WFP_FILTER_AUTO_MAX) << WFP_FILTER_AUTO_SHIFT;

	switch (f->weight_type) {
	case WFP_IPSEC_WEIGHT_UINT64:
		return f->weight;
	case WFP_IPSEC_WEIGHT_UINT8:
		return f->weight << 60 | autow;
	default:
		return autow;
	}
}

/*
 * A 64-bit weight in 15 bits, keeping its order.  From 2^51 up (every
 * weight FWP_EMPTY or FWP_UINT8 gives with a condition) the top 13 bits,
 * exactly what those weights hold; below, exact under 512, then the
 * exponent and the 8 bits after the leading one (a float's idea).
 */
static u32 wfp_weight_w15(u64 w)
{
	unsigned int e;

	if (w >= BIT_ULL(WFP_FILTER_AUTO_SHIFT))
		return 0x4000 + (u32)(w >> WFP_FILTER_AUTO_SHIFT);
	if (w < 512)
		return w;
	e = fls64(w) - 1;
	return 512 + (e - 9) * 256 + ((w >> (e - 8)) & 0xff);
}

/* Lower xfrm priority wins: heavier sublayer first, then heavier filter. */
u32 wfp_filter_priority(const struct wfp_filter *f)
{
	return WFP_FILTER_PRIORITY_BASE +
	       ((u32)(U16_MAX - f->sublayer_weight) << 15) +
	       (WFP_FILTER_W15_MAX - wfp_weight_w15(f->effective_weight));
}

static bool wfp_callout_tunnel(u32 callout)
{
	return callout >= WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_V4 &&
	       callout <= WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6;
}

static void wfp_filter_tmpl(const struct wfp_filter *f,
			    const struct wfp_obj *pctx, struct xfrm_tmpl *t)
{
	bool out = f->dir == XFRM_POLICY_OUT;

	t->id.proto = IPPROTO_ESP;
	t->reqid = f->reqid;
	t->share = XFRM_SHARE_ANY;
	t->encap_family = f->family;
	t->aalgos = ~0;
	t->ealgos = ~0;
	t->calgos = ~0;
	t->allalgs = 1;
	t->mode = XFRM_MODE_TRANSPORT;
	if (!wfp_callout_tunnel(f->callout))
		return;
	t->mode = XFRM_MODE_TUNNEL;
	memcpy(&t->id.daddr, out ? pctx->pol.remote : pctx->pol.local, 16);
	memcpy(&t->saddr, out ? pctx->pol.local : pctx->pol.remote, 16);
}

static struct xfrm_policy *wfp_filter_policy_make(struct net *net,
						  const struct wfp_filter *f,
						  const struct wfp_obj *pctx,
						  unsigned int i)
{
	struct xfrm_policy *pol;

	pol = xfrm_policy_alloc(net, GFP_KERNEL);
	if (!pol)
		return NULL;
	pol->family = f->family;
	pol->selector = f->sels->sel[i];
	pol->action = f->action == WFP_IPSEC_ACTION_BLOCK &&
		      !wfp_filter_is_trap(f) ? XFRM_POLICY_BLOCK :
					       XFRM_POLICY_ALLOW;
	pol->type = XFRM_POLICY_TYPE_MAIN;
	pol->priority = f->priority;
	if (f->action == WFP_IPSEC_ACTION_CALLOUT || wfp_filter_is_trap(f)) {
		pol->xfrm_nr = 1;
		wfp_filter_tmpl(f, pctx, &pol->xfrm_vec[0]);
	}
	return pol;
}

void wfp_filter_policies_remove(struct wfp_filter *f)
{
	struct net *net = f->nr_pol ? xp_net(f->pol[0]) : NULL;
	unsigned int i;

	for (i = 0; i < f->nr_pol; i++) {
		/* -ENOENT when another plane removed it already. */
		xfrm_policy_delete(f->pol[i], f->dir);
		xfrm_pol_put(f->pol[i]);
	}
	if (net && wfp_filter_is_trap(f))
		wfp_netevent_trap_del(wfp_net(net), f);
	kfree(f->pol);
	f->pol = NULL;
	f->nr_pol = 0;
}

/* Policies made but never inserted. */
static void wfp_filter_policies_destroy(struct xfrm_policy **pol,
					unsigned int from, unsigned int nr)
{
	unsigned int i;

	for (i = from; i < nr; i++) {
		if (!pol[i])
			continue;
		pol[i]->walk.dead = 1;
		xfrm_policy_destroy(pol[i]);
	}
}

/*
 * Every policy is made before the first goes in, and inserted
 * exclusively: a selector another policy of that direction has (ours or
 * another plane's) is refused rather than replaced.  All or none.
 */
int wfp_filter_policies_install(struct net *net, struct wfp_filter *f,
				const struct wfp_obj *pctx)
{
	unsigned int i, nr = f->sels->nr;
	struct xfrm_policy **pol;
	int ret = 0;

	lockdep_assert_held(&net->xfrm.xfrm_cfg_mutex);

	pol = kcalloc(nr, sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return -ENOMEM;
	for (i = 0; i < nr && !ret; i++) {
		pol[i] = wfp_filter_policy_make(net, f, pctx, i);
		if (!pol[i])
			ret = -ENOMEM;
	}
	f->pol = pol;
	f->nr_pol = 0;
	if (!ret && wfp_filter_is_trap(f))
		ret = wfp_netevent_trap_add(wfp_net(net), f);
	for (i = 0; i < nr && !ret; i++) {
		ret = xfrm_policy_insert(f->dir, pol[i], 1);
		/* The allocation's reference stays ours until removal. */
		if (!ret)
			f->nr_pol++;
	}
	if (!ret)
		return 0;
	wfp_filter_policies_destroy(pol, f->nr_pol, nr);
	if (!f->nr_pol && wfp_filter_is_trap(f))
		wfp_netevent_trap_del(wfp_net(net), f);
	wfp_filter_policies_remove(f);
	return ret == -EEXIST ? -EADDRINUSE : ret;
}

/* Whether another plane deleted, flushed or replaced one of them. */
bool wfp_filter_policies_lost(const struct wfp_filter *f)
{
	unsigned int i;

	for (i = 0; i < f->nr_pol; i++)
		if (READ_ONCE(f->pol[i]->walk.dead))
			return true;
	return false;
}
