// SPDX-License-Identifier: GPL-2.0
/*
 * The xfrm policies of SA contexts.  WFP sends traffic to an SA through
 * filters; here a context's traffic reaches its SAs through xfrm policies
 * the module installs: OUT (local -> remote), IN (remote -> local) and, in
 * tunnel mode, FWD, each with one template naming the SA's protocol, mode,
 * tunnel endpoints and the reqid.
 *
 * Contexts protecting the same traffic - a context and the one that
 * rekeys it, typically - share one policy set and so one reqid, as an IKE
 * daemon's CHILD_SA and its rekeyed successor do: xfrm cannot hold two
 * policies with one selector, and with a shared reqid its own SA choice
 * (newest, non-dying state) moves traffic to the new SAs.  The policies
 * exist while at least one context of the set has both SAs.
 *
 * A filter group (WFP_PSET_GROUP) is a set without policies of its own:
 * the IPsec filters of one provider context, or one outbound transport
 * filter, hold it for its reqid, which their templates carry, and the
 * contexts bound to them (filter.c) join it.
 *
 * Sets live in a per-namespace rhashtable keyed by the selector, under
 * wn->ctx_lock; installing or removing policies also holds the namespace's
 * xfrm_cfg_mutex (taken first).
 */

#include <linux/rhashtable.h>
#include <linux/slab.h>

#include <linux/wfp_ipsec.h>

#include "netns.h"
#include "policy.h"

/*
 * Lower wins.  Above 0, the default of "ip xfrm policy add", so an
 * administrator's own policy for the same traffic takes precedence.
 */
#define WFP_POLICY_PRIORITY	0x8000

static const struct rhashtable_params wfp_pset_params = {
	.key_len = sizeof(struct wfp_pset_key),
	.key_offset = offsetof(struct wfp_pset, key),
	.head_offset = offsetof(struct wfp_pset, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *wfp_pset_cache __read_mostly;

int wfp_pset_init(void)
{
	wfp_pset_cache = KMEM_CACHE(wfp_pset, SLAB_ACCOUNT);
	return wfp_pset_cache ? 0 : -ENOMEM;
}

void wfp_pset_uninit(void)
{
	kmem_cache_destroy(wfp_pset_cache);
}

int wfp_pset_table_init(struct wfp_net *wn)
{
	/*
	 * Based at the first reqid, so the IDR's indexes are the range's
	 * values (wfp_reqid_of_index() scatters them).
	 * Based at 0, every index is 2^30 or more: even a lone set hangs
	 * under a chain of six radix-tree nodes, allocated when the set is
	 * made and freed through RCU when it goes - on every Create/Delete
	 * pair of a context whose traffic has no other context.
	 */
	idr_init_base(&wn->reqids, WFP_REQID_MIN);
	return rhashtable_init(&wn->psets, &wfp_pset_params);
}

void wfp_pset_table_destroy(struct wfp_net *wn)
{
	/* Every context put its set back before this runs. */
	rhashtable_destroy(&wn->psets);
	idr_destroy(&wn->reqids);
}

/*
 * A set's reqid is its IDR index put through a fixed bijection of the
 * range's 2^30 values.  xfrm hashes states by (daddr + saddr) ^ reqid:
 * with reqids handed out in order, contexts made in the order of their
 * peers' addresses (a concentrator's clients, a scale test) fell into a
 * handful of buckets - 10 for 100k contexts - and every xfrm_state_add()
 * and outbound xfrm_state_find() of the namespace walked them.  Each
 * step below is invertible: odd multipliers mod 2^30, and x ^ x >> 15,
 * its own inverse on 30 bits.
 */
#define WFP_REQID_BITS		30
#define WFP_REQID_MASK		((1U << WFP_REQID_BITS) - 1)
#define WFP_REQID_MUL1		0x2545f491U
#define WFP_REQID_MUL2		0x1e3779b1U
#define WFP_REQID_INV1		0x01444c71U	/* MUL1^-1 mod 2^30 */
#define WFP_REQID_INV2		0x0e8b2f51U	/* MUL2^-1 mod 2^30 */

static_assert(((WFP_REQID_MUL1 * WFP_REQID_INV1) & WFP_REQID_MASK) == 1);
static_assert(((WFP_REQID_MUL2 * WFP_REQID_INV2) & WFP_REQID_MASK) == 1);

static u32 wfp_reqid_of_index(u32 index)
{
	u32 x = index - WFP_REQID_MIN;

	x = (x * WFP_REQID_MUL1) & WFP_REQID_MASK;
	x ^= x >> 15;
	x = (x * WFP_REQID_MUL2) & WFP_REQID_MASK;
	return WFP_REQID_MIN + (x ^ (x >> 15));
}

/* The inverse: the same steps, in reverse order, with the inverses. */
static u32 wfp_reqid_index(u32 reqid)
{
	u32 x = reqid - WFP_REQID_MIN;

	x ^= x >> 15;
	x = (x * WFP_REQID_INV2) & WFP_REQID_MASK;
	x ^= x >> 15;
	return WFP_REQID_MIN + ((x * WFP_REQID_INV1) & WFP_REQID_MASK);
}

/* The set holding reqid, for xfrm's notifications about our states. */
struct wfp_pset *wfp_pset_by_reqid(struct wfp_net *wn, u32 reqid)
{
	lockdep_assert_held(&wn->ctx_lock);

	if (reqid < WFP_REQID_MIN || reqid > WFP_REQID_MAX)
		return NULL;
	return idr_find(&wn->reqids, wfp_reqid_index(reqid));
}

static unsigned int wfp_addr_bits(u8 family)
{
	return family == AF_INET ? 32 : 128;
}

/* By default a context protects exactly its traffic's host pair. */
void wfp_pset_key_init(struct wfp_pset_key *key,
		       const struct wfp_ipsec_traffic *t)
{
	memset(key, 0, sizeof(*key));
	key->family = t->ip_version == WFP_IPSEC_IPV4 ? AF_INET : AF_INET6;
	key->local_prefix = wfp_addr_bits(key->family);
	key->remote_prefix = key->local_prefix;
	memcpy(key->local, t->local_addr, 16);
	memcpy(key->remote, t->remote_addr, 16);
	if (t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL) {
		key->mode = XFRM_MODE_TUNNEL;
		memcpy(key->tun_local, t->local_addr, 16);
		memcpy(key->tun_remote, t->remote_addr, 16);
	} else {
		key->mode = XFRM_MODE_TRANSPORT;
		key->proto = t->ip_protocol;
		key->local_port = t->local_port;
		key->remote_port = t->remote_port;
	}
}

static int wfp_pset_key_subnet(u8 family, const struct wfp_ipsec_subnet *sn,
			       u8 *addr, u8 *prefix)
{
	u8 want = family == AF_INET ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6;

	if (!sn->ip_version)
		return 0;
	if (sn->ip_version != want)
		return -EINVAL;
	memcpy(addr, sn->addr, 16);
	*prefix = sn->prefix_len;
	return 0;
}

/* Subnets given by WFP_IPSEC_IOC_CTX_SET_SELECTORS; already validated. */
int wfp_pset_key_set_subnets(struct wfp_pset_key *key,
			     const struct wfp_ipsec_subnet *local,
			     const struct wfp_ipsec_subnet *remote)
{
	return wfp_pset_key_subnet(key->family, local, key->local,
				   &key->local_prefix) ?:
	       wfp_pset_key_subnet(key->family, remote, key->remote,
				   &key->remote_prefix);
}

/* A filter group's key: no selector, only what the group is. */
void wfp_pset_key_group(struct wfp_pset_key *key, u8 family, u8 mode,
			u8 kind, u64 id)
{
	memset(key, 0, sizeof(*key));
	key->family = family;
	key->mode = mode;
	key->no_policy = WFP_PSET_GROUP;
	memcpy(key->local, &id, sizeof(id));
	key->local[8] = kind;
}

/* An existing set, referenced; NULL when there is none. */
struct wfp_pset *wfp_pset_find_get(struct wfp_net *wn,
				   const struct wfp_pset_key *key)
{
	struct wfp_pset *ps;

	lockdep_assert_held(&wn->ctx_lock);

	ps = rhashtable_lookup_fast(&wn->psets, key, wfp_pset_params);
	if (ps)
		ps->users++;
	return ps;
}

struct wfp_pset *wfp_pset_get(struct wfp_net *wn, const struct wfp_pset_key *key)
{
	struct wfp_pset *ps;
	int ret;

	lockdep_assert_held(&wn->ctx_lock);

	ps = rhashtable_lookup_fast(&wn->psets, key, wfp_pset_params);
	if (ps) {
		ps->users++;
		return ps;
	}
	ps = kmem_cache_zalloc(wfp_pset_cache, GFP_KERNEL_ACCOUNT);
	if (!ps)
		return ERR_PTR(-ENOMEM);
	ps->key = *key;
	INIT_HLIST_HEAD(&ps->contexts);
	/* end 0: up to INT_MAX, which is WFP_REQID_MAX. */
	ret = idr_alloc(&wn->reqids, ps, WFP_REQID_MIN, 0, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	ps->reqid = wfp_reqid_of_index(ret);
	ret = rhashtable_insert_fast(&wn->psets, &ps->node, wfp_pset_params);
	if (ret)
		goto err_reqid;
	ps->users = 1;
	return ps;

err_reqid:
	idr_remove(&wn->reqids, wfp_reqid_index(ps->reqid));
err_free:
	kmem_cache_free(wfp_pset_cache, ps);
	return ERR_PTR(ret);
}

void wfp_pset_put(struct wfp_net *wn, struct wfp_pset *ps)
{
	lockdep_assert_held(&wn->ctx_lock);

	if (--ps->users) {
		/* A lost group's last context went: it may bind anew. */
		if (READ_ONCE(ps->lost) && ps->users == ps->nr_filters)
			WRITE_ONCE(ps->lost, false);
		return;
	}
	WARN_ON_ONCE(ps->complete || !hlist_empty(&ps->contexts));
	rhashtable_remove_fast(&wn->psets, &ps->node, wfp_pset_params);
	idr_remove(&wn->reqids, wfp_reqid_index(ps->reqid));
	kmem_cache_free(wfp_pset_cache, ps);
}

static void wfp_sel_side(const struct wfp_pset_key *k, bool local,
			 xfrm_address_t *addr, u8 *prefix, __be16 *port,
			 __be16 *mask)
{
	memcpy(addr, local ? k->local : k->remote, 16);
	*prefix = local ? k->local_prefix : k->remote_prefix;
	*port = local ? k->local_port : k->remote_port;
	*mask = *port ? htons(0xffff) : 0;
}

void wfp_pset_selector(const struct wfp_pset *ps, bool inbound,
		       struct xfrm_selector *sel)
{
	const struct wfp_pset_key *k = &ps->key;

	memset(sel, 0, sizeof(*sel));
	sel->family = k->family;
	sel->proto = k->proto;
	/* Outbound packets go local -> remote, inbound ones back. */
	wfp_sel_side(k, !inbound, &sel->saddr, &sel->prefixlen_s,
		     &sel->sport, &sel->sport_mask);
	wfp_sel_side(k, inbound, &sel->daddr, &sel->prefixlen_d,
		     &sel->dport, &sel->dport_mask);
}

/*
 * An SA's selector: its set's, or in a filter group (which has no
 * selector; the filters' policies select) the context's host pair with
 * its protocol and ports in transport mode, anything in tunnel mode.
 */
void wfp_pset_sa_selector(const struct wfp_pset *ps,
			  const struct wfp_ipsec_traffic *t, bool inbound,
			  struct xfrm_selector *sel)
{
	struct wfp_pset_key k;

	if (!wfp_pset_is_group(ps)) {
		wfp_pset_selector(ps, inbound, sel);
		return;
	}
	memset(sel, 0, sizeof(*sel));
	sel->family = ps->key.family;
	if (ps->key.mode == XFRM_MODE_TUNNEL)
		return;
	wfp_pset_key_init(&k, t);
	wfp_sel_side(&k, !inbound, &sel->saddr, &sel->prefixlen_s,
		     &sel->sport, &sel->sport_mask);
	wfp_sel_side(&k, inbound, &sel->daddr, &sel->prefixlen_d,
		     &sel->dport, &sel->dport_mask);
	sel->proto = k.proto;
}

static struct xfrm_policy *wfp_policy_make(struct net *net,
					   const struct wfp_pset *ps, int dir)
{
	const struct wfp_pset_key *k = &ps->key;
	bool inbound = dir != XFRM_POLICY_OUT;
	struct xfrm_policy *pol;
	struct xfrm_tmpl *t;

	pol = xfrm_policy_alloc(net, GFP_KERNEL);
	if (!pol)
		return NULL;
	pol->family = k->family;
	wfp_pset_selector(ps, inbound, &pol->selector);
	pol->action = XFRM_POLICY_ALLOW;
	pol->type = XFRM_POLICY_TYPE_MAIN;
	pol->priority = WFP_POLICY_PRIORITY;
	pol->xfrm_nr = 1;

	t = &pol->xfrm_vec[0];
	t->id.proto = ps->sa_proto;
	t->reqid = ps->reqid;
	t->mode = k->mode;
	t->share = XFRM_SHARE_ANY;
	t->encap_family = k->family;
	t->aalgos = ~0;
	t->ealgos = ~0;
	t->calgos = ~0;
	t->allalgs = 1;
	if (k->mode == XFRM_MODE_TUNNEL) {
		memcpy(&t->id.daddr, inbound ? k->tun_local : k->tun_remote, 16);
		memcpy(&t->saddr, inbound ? k->tun_remote : k->tun_local, 16);
	}
	return pol;
}

static void wfp_pset_remove_policies(struct wfp_pset *ps)
{
	int dir;

	for (dir = 0; dir < XFRM_POLICY_MAX; dir++) {
		if (!ps->pol[dir])
			continue;
		/* -ENOENT when someone flushed it already: nothing to do. */
		xfrm_policy_delete(ps->pol[dir], dir);
		xfrm_pol_put(ps->pol[dir]);
		ps->pol[dir] = NULL;
	}
}

/*
 * Makes every policy of the set, then inserts them, exclusively unless
 * replace: a policy someone else owns is never replaced, except by the
 * take-over of our own old set (wfp_pset_take_over()).  All are made
 * before the first goes in, so after that an insert fails only for
 * memory or, when exclusive, on a policy someone else has (-EEXIST).
 * The set holds none yet: both callers install its first.
 */
static int wfp_pset_install_policies(struct net *net, struct wfp_pset *ps,
				     bool replace)
{
	int ndirs = ps->key.mode == XFRM_MODE_TUNNEL ? 3 : 2;
	struct xfrm_policy *pol[XFRM_POLICY_MAX] = {};
	int dir, ret = 0;

	lockdep_assert_held(&net->xfrm.xfrm_cfg_mutex);

	/* XFRM_POLICY_IN, _OUT and, for tunnels, _FWD are 0, 1, 2. */
	for (dir = 0; dir < ndirs && !ret; dir++) {
		pol[dir] = wfp_policy_make(net, ps, dir);
		if (!pol[dir])
			ret = -ENOMEM;
	}
	for (dir = 0; dir < ndirs && !ret; dir++) {
		ret = xfrm_policy_insert(dir, pol[dir], !replace);
		if (ret)
			break;
		/* The allocation's reference stays ours until removal. */
		ps->pol[dir] = pol[dir];
		pol[dir] = NULL;
	}
	for (dir = 0; dir < ndirs; dir++) {
		if (pol[dir]) {
			pol[dir]->walk.dead = 1;
			xfrm_policy_destroy(pol[dir]);
		}
	}
	if (ret)
		wfp_pset_remove_policies(ps);
	return ret;
}

/* Whether another plane deleted, flushed or replaced one of the set's
 * policies (xfrm marks a removed policy dead); under xfrm_cfg_mutex.
 */
bool wfp_pset_lost(const struct wfp_pset *ps)
{
	int dir;

	/* A group: lost, or its last filter went (read under either lock). */
	if (wfp_pset_is_group(ps) &&
	    (READ_ONCE(ps->lost) || !READ_ONCE(ps->nr_filters)))
		return true;
	for (dir = 0; dir < ARRAY_SIZE(ps->pol); dir++)
		if (ps->pol[dir] && READ_ONCE(ps->pol[dir]->walk.dead))
			return true;
	return false;
}

int wfp_pset_complete(struct wfp_net *wn, struct wfp_pset *ps, u8 sa_proto)
{
	int ret;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->ctx_lock);

	/* The set's policies were taken away and its contexts are being
	 * deleted (lifecycle work): joining it would mean traffic in clear
	 * reported as protected.  Retry once its contexts are gone.
	 */
	if ((ps->complete || wfp_pset_is_group(ps)) && wfp_pset_lost(ps))
		return -EBUSY;
	/* A group's filters hold its policies, and only ESP templates. */
	if (wfp_pset_is_group(ps) && sa_proto != IPPROTO_ESP)
		return -EOPNOTSUPP;
	if (ps->key.no_policy || ps->complete) {
		/* Another context of the set was complete: a rekey (in a
		 * group, contexts of any peer share one set).
		 */
		if (ps->complete && !wfp_pset_is_group(ps))
			atomic64_inc(&wn->rekeys);
		ps->complete++;
		return 0;
	}
	ps->sa_proto = sa_proto;
	ret = wfp_pset_install_policies(wn->net, ps, false);
	if (!ret)
		ps->complete++;
	return ret;
}

/*
 * Whether ps and old select the same traffic and differ only in their
 * tunnel endpoints: then their policies would collide in xfrm (same
 * selector, type and mark), and ps must take old's over in place.
 */
bool wfp_pset_same_selectors(const struct wfp_pset *ps,
			     const struct wfp_pset *old)
{
	struct wfp_pset_key a = ps->key, b = old->key;

	memset(a.tun_local, 0, sizeof(a.tun_local));
	memset(a.tun_remote, 0, sizeof(a.tun_remote));
	memset(b.tun_local, 0, sizeof(b.tun_local));
	memset(b.tun_remote, 0, sizeof(b.tun_remote));
	return !memcmp(&a, &b, sizeof(a));
}

/*
 * Update0 of a tunnel whose selectors stay while its endpoints move: the
 * new set's policies replace old's in xfrm (xfrm_policy_insert() without
 * excl replaces the policy of the same selector, and only old's can hold
 * it while old is intact), so the traffic is never without a policy.
 * Should an insert fail all the same, old is lost: its contexts go
 * (wfp_context_reap_lost()) rather than report protection they lack.
 */
int wfp_pset_take_over(struct wfp_net *wn, struct wfp_pset *ps,
		       struct wfp_pset *old, u8 sa_proto)
{
	int ret;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->ctx_lock);

	if (ps->complete || ps->key.no_policy || !old->complete ||
	    wfp_pset_lost(old))
		return -EBUSY;
	ps->sa_proto = sa_proto;
	ret = wfp_pset_install_policies(wn->net, ps, true);
	if (!ret)
		ps->complete++;
	return ret;
}

void wfp_pset_uncomplete(struct wfp_net *wn, struct wfp_pset *ps)
{
	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->ctx_lock);

	if (!--ps->complete)
		wfp_pset_remove_policies(ps);
}
