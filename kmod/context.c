// SPDX-License-Identifier: GPL-2.0
/*
 * SA contexts and their per-namespace table.
 *
 * Each network namespace keeps its contexts in an rhashtable keyed by the
 * 64-bit id, for lookups, and on a list in increasing id order, for
 * enumeration.  Readers use RCU and pin what they find with
 * refcount_inc_not_zero(); writers hold wn->ctx_lock.  Ids come from one
 * module-wide counter and are never reused, so a stale id can never reach
 * a newer context, and an id from another namespace is simply not found.
 *
 * A context outlives the session that created it, as WFP objects do; it
 * ends by DeleteById, by the exit of its namespace or by module unload.
 */

#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <net/xfrm.h>

#include "context.h"
#include "ids.h"
#include "events.h"
#include "filter.h"
#include "lifecycle.h"
#include "netns.h"
#include "policy.h"
#include "sa.h"
#include "session.h"
#include "spi.h"
#include "traffic.h"

/* Contexts a batched walk visits between two reschedule points. */
#define WFP_WALK_BATCH	256

static struct kmem_cache *wfp_context_cache __read_mostly;

static const struct rhashtable_params wfp_context_params = {
	.key_len = sizeof_field(struct wfp_context, id),
	.key_offset = offsetof(struct wfp_context, id),
	.head_offset = offsetof(struct wfp_context, node),
	.automatic_shrinking = true,
};

/* Contexts looked up per enumeration step before their copy-out. */
#define WFP_ENUM_BATCH	32

int wfp_context_init(void)
{
	int ret;

	wfp_context_cache = KMEM_CACHE(wfp_context, SLAB_ACCOUNT);
	if (!wfp_context_cache)
		return -ENOMEM;
	ret = wfp_pset_init();
	if (ret)
		kmem_cache_destroy(wfp_context_cache);
	return ret;
}

void wfp_context_uninit(void)
{
	wfp_pset_uninit();
	/* Wait for the wfp_context_free() callbacks still queued. */
	rcu_barrier();
	kmem_cache_destroy(wfp_context_cache);
}

static void wfp_context_free(struct rcu_head *rcu)
{
	kmem_cache_free(wfp_context_cache,
			container_of(rcu, struct wfp_context, rcu));
}

void wfp_context_put(struct wfp_context *ctx)
{
	if (refcount_dec_and_test(&ctx->refs))
		call_rcu(&ctx->rcu, wfp_context_free);
}

struct wfp_context *wfp_context_get(struct wfp_net *wn, u64 id)
{
	struct wfp_context *ctx;

	rcu_read_lock();
	ctx = rhashtable_lookup(&wn->contexts, &id, wfp_context_params);
	if (ctx && !refcount_inc_not_zero(&ctx->refs))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/*
 * Where a walk of the list in id order resumes after @cursor (0: from the
 * head), for list_for_each_entry_continue*(): the cursor's context when
 * it is still in the table, else the head, and the caller skips the ids
 * up to the cursor.  Under rcu_read_lock() or ctx_lock.
 */
static struct wfp_context *wfp_context_at(struct wfp_net *wn, u64 cursor)
{
	struct wfp_context *ctx = NULL;

	if (cursor)
		ctx = rhashtable_lookup_fast(&wn->contexts, &cursor,
					     wfp_context_params);
	return list_prepare_entry(ctx, &wn->context_list, list);
}

/*
 * How every call that changes a context's xfrm side starts: a strong
 * reference and the namespace's xfrm_cfg_mutex, under which a context
 * found alive stays alive; wfp_context_unlock() undoes both.
 */
struct wfp_context *wfp_context_lock(struct wfp_net *wn, u64 id)
{
	struct wfp_context *ctx = wfp_context_get(wn, id);

	if (!ctx)
		return ERR_PTR(-ENOENT);
	mutex_lock(&wn->net->xfrm.xfrm_cfg_mutex);
	if (ctx->dead) {
		wfp_context_unlock(ctx);
		return ERR_PTR(-ENOENT);
	}
	return ctx;
}

void wfp_context_unlock(struct wfp_context *ctx)
{
	mutex_unlock(&ctx->wn->net->xfrm.xfrm_cfg_mutex);
	wfp_context_put(ctx);
}

int wfp_context_table_init(struct wfp_net *wn)
{
	int ret;

	mutex_init(&wn->ctx_lock);
	INIT_LIST_HEAD(&wn->context_list);
	wn->nr_contexts = 0;
	ret = rhashtable_init(&wn->contexts, &wfp_context_params);
	if (ret)
		return ret;
	ret = wfp_spi_table_init(wn);
	if (ret)
		goto err_spi;
	ret = wfp_pset_table_init(wn);
	if (ret)
		goto err_pset;
	wfp_events_net_init(wn);
	return 0;

err_pset:
	wfp_spi_table_destroy(wn);
err_spi:
	rhashtable_destroy(&wn->contexts);
	return ret;
}

/* Takes the context out of every index; the caller drops the table's
 * reference once it no longer needs the context.
 */
static void wfp_context_unlink(struct wfp_net *wn, struct wfp_context *ctx)
{
	lockdep_assert_held(&wn->ctx_lock);

	/* Enumerations walking the list under RCU skip it from now on. */
	WRITE_ONCE(ctx->dead, true);
	rhashtable_remove_fast(&wn->contexts, &ctx->node, wfp_context_params);
	wfp_spi_unindex(wn, ctx);
	list_del_rcu(&ctx->list);
	wn->nr_contexts--;
}

/*
 * Removes what the context put in xfrm - policies first (when it was the
 * last complete context of its set), so no packet meets a policy whose
 * SAs are gone, then SAs and the SPI reservation - and leaves its set.
 */
static void wfp_context_release(struct wfp_net *wn, struct wfp_context *ctx)
{
	struct wfp_pset *ps;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->ctx_lock);

	/* An expired context kept the policies: it still counts. */
	if (ctx->state >= WFP_IPSEC_CTX_STATE_COMPLETE)
		wfp_pset_uncomplete(wn, ctx->pset);
	wfp_lifecycle_cancel(ctx);
	wfp_sa_release(ctx);
	wfp_spi_release(ctx);
	ps = ctx->pset;
	wfp_context_set_pset(ctx, NULL);
	wfp_pset_put(wn, ps);
}

void wfp_context_table_destroy(struct wfp_net *wn)
{
	struct mutex *cfg = &wn->net->xfrm.xfrm_cfg_mutex;
	struct wfp_context *ctx, *tmp;

	/* No session is left in an exiting namespace, so nothing else can
	 * hold a reference: unlinking frees every context.  This runs
	 * before xfrm's own exit flushes the namespace's states.
	 */
	mutex_lock(cfg);
	mutex_lock(&wn->ctx_lock);
	list_for_each_entry_safe(ctx, tmp, &wn->context_list, list) {
		wfp_context_unlink(wn, ctx);
		wfp_context_release(wn, ctx);
		wfp_context_put(ctx);
		/* Nobody else wants these locks: a namespace may hold 1M. */
		cond_resched();
	}
	mutex_unlock(&wn->ctx_lock);
	mutex_unlock(cfg);
	/* An expiry work that was already running is done after this. */
	wfp_lifecycle_flush();
	wfp_pset_table_destroy(wn);
	wfp_spi_table_destroy(wn);
	rhashtable_destroy(&wn->contexts);
	mutex_destroy(&wn->ctx_lock);
}

static int wfp_context_insert(struct wfp_net *wn, struct wfp_context *ctx)
{
	int ret;

	lockdep_assert_held(&wn->ctx_lock);

	if (wn->nr_contexts >= READ_ONCE(wn->set.max_contexts))
		return -ENOSPC;
	/* Taken under the lock, so the list stays in id order. */
	ctx->id = wfp_ids_context_next(wn);
	if (!ctx->id)
		return -ENOSPC;
	ret = rhashtable_insert_fast(&wn->contexts, &ctx->node,
				     wfp_context_params);
	if (ret)
		return ret;
	list_add_tail_rcu(&ctx->list, &wn->context_list);
	wn->nr_contexts++;
	return 0;
}

/*
 * A new context's set: its filter group, which must still be there (its
 * filter may just have gone) and not have lost its policies, or a set of
 * its own selectors.
 */
static struct wfp_pset *wfp_context_pset_get(struct wfp_net *wn,
					     const struct wfp_pset_key *key,
					     bool bound)
{
	struct wfp_pset *ps;
	int ret = 0;

	if (!bound)
		return wfp_pset_get(wn, key);
	ps = wfp_pset_find_get(wn, key);
	if (!ps)
		return ERR_PTR(-ENOENT);
	/* A context is static: no dynamic session's filters. */
	if (ps->owner)
		ret = -EXDEV;
	else if (wfp_pset_lost(ps))
		ret = ps->nr_filters ? -EBUSY : -ENOENT;
	if (ret) {
		wfp_pset_put(wn, ps);
		return ERR_PTR(ret);
	}
	return ps;
}

int wfp_context_create(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_create *c = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_context *ctx;
	struct wfp_pset_key key;
	struct wfp_pset *ps;
	int ret, bound;

	if (c->reserved0 || memchr_inv(c->reserved, 0, sizeof(c->reserved)) ||
	    (c->flags & ~__WFP_IPSEC_CTX_F_ALL))
		return -EINVAL;
	if (!(c->flags & WFP_IPSEC_CTX_F_VIF) &&
	    (c->vif_tunnel_id || c->vif_traffic_selector_id))
		return -EINVAL;
	ret = wfp_traffic_validate(&c->traffic);
	if (ret)
		return ret;
	/* Windows refuses SA contexts in dynamic sessions. */
	if (s->flags & WFP_IPSEC_SESSION_F_DYNAMIC)
		return -EPERM;
	/* ... and inside transactions (FWP_E_TXN_IN_PROGRESS). */
	if (wfp_txn_open(s))
		return -EINPROGRESS;

	ctx = kmem_cache_zalloc(wfp_context_cache, GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	ctx->wn = wn;
	refcount_set(&ctx->refs, 1);
	ctx->state = WFP_IPSEC_CTX_STATE_CREATED;
	ctx->flags = c->flags;
	ctx->creator_session_id = s->id;
	ctx->vif_tunnel_id = c->vif_tunnel_id;
	ctx->vif_traffic_selector_id = c->vif_traffic_selector_id;
	ctx->traffic = c->traffic;
	seqcount_init(&ctx->seq);

	/* Bound to a filter group, or a set of its own (filter.c). */
	bound = wfp_filter_bind_key(wn, &ctx->traffic, &key);
	if (bound < 0) {
		ret = bound;
		kmem_cache_free(wfp_context_cache, ctx);
		return ret;
	}
	if (!bound)
		wfp_pset_key_init(&key, &ctx->traffic);
	mutex_lock(&wn->ctx_lock);
	ps = wfp_context_pset_get(wn, &key, bound);
	if (IS_ERR(ps)) {
		ret = PTR_ERR(ps);
		goto out_unlock;
	}
	/* The set, and with it the reqid, before the context is visible:
	 * SetSpi by the (predictable) id reads the reqid without ctx_lock,
	 * and a reqid of 0 would let xfrm_find_acq() adopt a larval state
	 * of another control plane.
	 */
	wfp_context_set_pset(ctx, ps);
	ret = wfp_context_insert(wn, ctx);
	if (ret) {
		wfp_context_set_pset(ctx, NULL);
		wfp_pset_put(wn, ps);
		goto out_unlock;
	}
	/* Once ctx_lock is dropped a DeleteById of the new id may free the
	 * context (the table holds its only reference), and it emits
	 * DELETE under ctx_lock: read the id and emit ADD before that.
	 */
	c->id = ctx->id;
	c->inbound_filter_id = 0;
	wfp_events_emit(wn, WFP_IPSEC_EVENT_ADD, ctx, s->id);
out_unlock:
	mutex_unlock(&wn->ctx_lock);
	if (ret)
		kmem_cache_free(wfp_context_cache, ctx);
	return ret;
}

int wfp_context_delete(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_id *d = arg;
	struct wfp_context *ctx;
	int ret;

	if (d->reserved)
		return -EINVAL;
	if (s->flags & WFP_IPSEC_SESSION_F_DYNAMIC)
		return -EPERM;
	if (wfp_txn_open(s))
		return -EINPROGRESS;

	ctx = wfp_context_get(s->wn, d->id);
	if (!ctx)
		return -ENOENT;
	/* Lost a race with another deletion: it is gone all the same. */
	ret = wfp_context_remove(s->wn, ctx, s->id) ? 0 : -ENOENT;
	wfp_context_put(ctx);
	return ret;
}

/* Unlinks, releases and announces a live context; under both locks. */
static void __wfp_context_remove(struct wfp_net *wn, struct wfp_context *ctx,
				 u64 origin_session)
{
	lockdep_assert_held(&wn->ctx_lock);

	wfp_context_unlink(wn, ctx);
	wfp_context_release(wn, ctx);
	wfp_events_emit(wn, WFP_IPSEC_EVENT_DELETE, ctx, origin_session);
}

/*
 * wfp_context_remove() for a caller holding xfrm_cfg_mutex already; on
 * true the caller owns the table's reference and puts it.
 */
bool wfp_context_remove_locked(struct wfp_net *wn, struct wfp_context *ctx,
			       u64 origin_session)
{
	bool removed = false;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);

	mutex_lock(&wn->ctx_lock);
	if (!ctx->dead) {
		__wfp_context_remove(wn, ctx, origin_session);
		removed = true;
	}
	mutex_unlock(&wn->ctx_lock);
	return removed;
}

bool wfp_context_remove(struct wfp_net *wn, struct wfp_context *ctx,
			u64 origin_session)
{
	struct mutex *cfg = &wn->net->xfrm.xfrm_cfg_mutex;
	bool removed;

	mutex_lock(cfg);
	removed = wfp_context_remove_locked(wn, ctx, origin_session);
	mutex_unlock(cfg);
	/* The table's reference, which unlinking handed to us. */
	if (removed)
		wfp_context_put(ctx);
	return removed;
}

/*
 * Where a batched walk is: every context up to id done was handled, and
 * the next batch resumes after resume, a context that was in the table at
 * the end of the last one (0: from the head).  When another caller has
 * deleted that one meanwhile, the walk starts from the head again, and
 * the contexts up to done it passes count against the batch like the
 * others, so the locks are dropped and resume moves on all the same.
 */
struct wfp_walk {
	u64 resume;
	u64 done;
};

/*
 * One batch of wfp_context_reap_lost(), under both locks: at most
 * WFP_WALK_BATCH contexts.  True when the list goes on.
 */
static bool wfp_context_reap_batch(struct wfp_net *wn, struct wfp_walk *w)
{
	struct wfp_context *ctx, *tmp;
	unsigned int n = 0;

	lockdep_assert_held(&wn->net->xfrm.xfrm_cfg_mutex);
	lockdep_assert_held(&wn->ctx_lock);

	ctx = wfp_context_at(wn, w->resume);
	list_for_each_entry_safe_continue(ctx, tmp, &wn->context_list, list) {
		if (++n > WFP_WALK_BATCH)
			return true;
		if (ctx->id > w->done) {
			w->done = ctx->id;
			if (wfp_sa_lost(ctx)) {
				__wfp_context_remove(wn, ctx, 0);
				/* The table's reference, which unlinking
				 * handed to us.
				 */
				wfp_context_put(ctx);
				continue;
			}
		}
		w->resume = ctx->id;
	}
	return false;
}

/*
 * Deletes every context one of whose states or policies another plane
 * took, in one pass over the list.  The locks are dropped between
 * batches, so ip xfrm and the other callers of the namespace's
 * xfrm_cfg_mutex wait for one batch at most, not for the whole list.
 */
void wfp_context_reap_lost(struct wfp_net *wn)
{
	struct mutex *cfg = &wn->net->xfrm.xfrm_cfg_mutex;
	struct wfp_walk w = {};
	bool more;

	do {
		mutex_lock(cfg);
		mutex_lock(&wn->ctx_lock);
		more = wfp_context_reap_batch(wn, &w);
		mutex_unlock(&wn->ctx_lock);
		mutex_unlock(cfg);
		cond_resched();
	} while (more);
}

void wfp_context_mark_dying(struct wfp_context *ctx)
{
	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);

	WRITE_ONCE(ctx->life, ctx->life | WFP_IPSEC_LIFE_SOFT_EXPIRED);
}

/*
 * Moves the context to ps, whose reference the caller took: the set's
 * list is how xfrm's notifications find the context (wfp_sa_owner()).
 */
void wfp_context_set_pset(struct wfp_context *ctx, struct wfp_pset *ps)
{
	lockdep_assert_held(&ctx->wn->ctx_lock);

	if (ctx->pset)
		hlist_del(&ctx->pset_node);
	ctx->pset = ps;
	if (ps) {
		hlist_add_head(&ctx->pset_node, &ps->contexts);
		WRITE_ONCE(ctx->reqid, ps->reqid);
	}
}

static void wfp_context_copy_info(const struct wfp_context *ctx,
				  struct wfp_ipsec_ctx_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = ctx->id;
	info->traffic = ctx->traffic;
	info->vif_tunnel_id = ctx->vif_tunnel_id;
	info->vif_traffic_selector_id = ctx->vif_traffic_selector_id;
	info->flags = ctx->flags;
	/* Pairs with the release in wfp_spi_reserve(): a state seen here
	 * comes with the fields it makes valid.
	 */
	info->state = smp_load_acquire(&ctx->state);
	info->creator_session_id = ctx->creator_session_id;
	if (info->state >= WFP_IPSEC_CTX_STATE_SPI_SET) {
		info->inbound_spi = ctx->inbound_spi;
		info->spi_flags = ctx->spi_flags;
		info->encap_local_port = ctx->encap_local_port;
		info->encap_remote_port = ctx->encap_remote_port;
		info->inbound = ctx->traffic;
		info->inbound.ip_protocol = ctx->inbound_ip_protocol;
		info->inbound.local_port = ctx->inbound.local_port;
		info->inbound.remote_port = ctx->inbound.remote_port;
		info->inbound.real_if_profile_id =
			ctx->inbound.real_if_profile_id;
		info->inbound.filter_id = ctx->inbound.filter_id;
		info->inbound.local_if_luid = ctx->inbound.local_if_luid;
	}
	info->reqid = ctx->reqid;
	info->life = READ_ONCE(ctx->life);
}

/*
 * Plain stores only, with preemption off so that a reader never spins on
 * a preempted writer.  (A seqcount_mutex_t would make a PREEMPT_RT reader
 * take xfrm_cfg_mutex, the lock readers exist to avoid.)
 */
void wfp_context_write_begin(struct wfp_context *ctx)
{
	lockdep_assert_held(&ctx->wn->net->xfrm.xfrm_cfg_mutex);
	preempt_disable();
	write_seqcount_begin(&ctx->seq);
}

void wfp_context_write_end(struct wfp_context *ctx)
{
	write_seqcount_end(&ctx->seq);
	preempt_enable();
}

/*
 * A copy made inside no write section.  An Update0 is several of them
 * (each SA's copy, then the traffic, then the records), so a reader may
 * see one done and the next not yet: each field it reports was true.
 */
static void wfp_context_fill_info(const struct wfp_context *ctx,
				  struct wfp_ipsec_ctx_info *info)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&ctx->seq);
		wfp_context_copy_info(ctx, info);
	} while (read_seqcount_retry(&ctx->seq, seq));
}

int wfp_context_get_info(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_info *info = arg;
	struct wfp_context *ctx;

	if (memchr_inv(&info->traffic, 0, sizeof(*info) - sizeof(info->id)))
		return -EINVAL;
	ctx = wfp_context_get(s->wn, info->id);
	if (!ctx)
		return -ENOENT;
	wfp_context_fill_info(ctx, info);
	wfp_context_put(ctx);
	return 0;
}

static bool wfp_context_matches(const struct wfp_context *ctx,
				const struct wfp_ipsec_ctx_enum *e)
{
	const struct wfp_ipsec_traffic *t = &ctx->traffic;

	return wfp_subnet_match(&e->local, t->ip_version, t->local_addr) &&
	       wfp_subnet_match(&e->remote, t->ip_version, t->remote_addr);
}

/*
 * Calls fn on every live context in id order, under rcu_read_lock(),
 * WFP_WALK_BATCH at a time with a reschedule point between batches: for
 * readers, which take no lock (context.h).  A context present for the
 * whole walk is visited once.
 */
void wfp_context_for_each(struct wfp_net *wn,
			  void (*fn)(const struct wfp_context *ctx, void *arg),
			  void *arg)
{
	struct wfp_walk w = {};
	struct wfp_context *ctx;
	unsigned int n;
	bool more;

	do {
		more = false;
		n = 0;
		rcu_read_lock();
		ctx = wfp_context_at(wn, w.resume);
		list_for_each_entry_continue_rcu(ctx, &wn->context_list, list) {
			if (++n > WFP_WALK_BATCH) {
				more = true;
				break;
			}
			/* Unlinked: neither to report nor to resume from. */
			if (READ_ONCE(ctx->dead))
				continue;
			w.resume = ctx->id;
			if (ctx->id <= w.done)
				continue;
			w.done = ctx->id;
			fn(ctx, arg);
		}
		rcu_read_unlock();
		cond_resched();
	} while (more);
}

/*
 * Pins up to @want matching contexts with ids above @cursor, in id order.
 * The walk resumes right after the cursor's context when it is still in
 * the table; when it was deleted meanwhile, it scans from the start for
 * the first id above the cursor.  Either way a context present for the
 * whole enumeration is returned exactly once.
 */
static unsigned int wfp_context_collect(struct wfp_net *wn,
					const struct wfp_ipsec_ctx_enum *e,
					u64 cursor, struct wfp_context **batch,
					unsigned int want)
{
	struct wfp_context *ctx;
	unsigned int n = 0;

	rcu_read_lock();
	ctx = wfp_context_at(wn, cursor);
	list_for_each_entry_continue_rcu(ctx, &wn->context_list, list) {
		if (ctx->id <= cursor || READ_ONCE(ctx->dead) ||
		    !wfp_context_matches(ctx, e) ||
		    !refcount_inc_not_zero(&ctx->refs))
			continue;
		batch[n++] = ctx;
		if (n == want)
			break;
	}
	rcu_read_unlock();
	return n;
}

static int wfp_context_enum_validate(const struct wfp_ipsec_ctx_enum *e)
{
	if (e->count || memchr_inv(e->reserved, 0, sizeof(e->reserved)))
		return -EINVAL;
	if (e->max_entries > WFP_IPSEC_ENUM_MAX)
		return -EINVAL;
	if (wfp_subnet_validate(&e->local) || wfp_subnet_validate(&e->remote))
		return -EINVAL;
	/* Subnets of two IP versions can never match the same context. */
	if (e->local.ip_version && e->remote.ip_version &&
	    e->local.ip_version != e->remote.ip_version)
		return -EINVAL;
	return 0;
}

int wfp_context_enum(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_enum *e = arg;
	struct wfp_ipsec_ctx_info __user *out = u64_to_user_ptr(e->entries);
	struct wfp_context *batch[WFP_ENUM_BATCH];
	struct wfp_ipsec_ctx_info info;
	unsigned int count = 0, want, n, i, kept;
	u64 cursor = e->cursor, pos = e->cursor;
	int ret;

	ret = wfp_context_enum_validate(e);
	if (ret)
		return ret;

	while (count < e->max_entries) {
		want = min_t(unsigned int, WFP_ENUM_BATCH,
			     e->max_entries - count);
		n = wfp_context_collect(s->wn, e, pos, batch, want);
		kept = 0;
		for (i = 0; i < n; i++) {
			/* Filled first, copied out after: the copy may
			 * fault.
			 */
			wfp_context_fill_info(batch[i], &info);
			pos = batch[i]->id;
			/* It matched when collected; an Update0 since may
			 * have moved it out of the template.  Only what
			 * matches as reported is returned.
			 */
			if (wfp_subnet_match(&e->local, info.traffic.ip_version,
					     info.traffic.local_addr) &&
			    wfp_subnet_match(&e->remote, info.traffic.ip_version,
					     info.traffic.remote_addr)) {
				if (!ret && copy_to_user(&out[count + kept], &info,
							 sizeof(info)))
					ret = -EFAULT;
				kept++;
				cursor = pos;
			}
			wfp_context_put(batch[i]);
		}
		if (ret)
			return ret;
		count += kept;
		if (n < want)
			break;
	}

	e->count = count;
	e->cursor = cursor;
	return 0;
}

int wfp_context_set_selectors(struct wfp_session *s, void *arg)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_ipsec_selectors *sel = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_context *ctx;
	struct wfp_pset_key key;
	struct wfp_pset *ps;
	int ret;

	if (sel->reserved0 || memchr_inv(sel->reserved, 0, sizeof(sel->reserved)) ||
	    (sel->flags & ~__WFP_IPSEC_SEL_F_ALL) ||
	    wfp_subnet_validate(&sel->local) || wfp_subnet_validate(&sel->remote))
		return -EINVAL;
	ctx = wfp_context_get(wn, sel->id);
	if (!ctx)
		return -ENOENT;

	wfp_pset_key_init(&key, &ctx->traffic);
	ret = wfp_pset_key_set_subnets(&key, &sel->local, &sel->remote);
	if (ret)
		goto out_put;
	key.no_policy = !!(sel->flags & WFP_IPSEC_SEL_F_NO_POLICY);

	/* The set decides the reqid the SPI reservation already uses. */
	mutex_lock(cfg);
	mutex_lock(&wn->ctx_lock);
	if (ctx->dead) {
		ret = -ENOENT;
	} else if (ctx->state != WFP_IPSEC_CTX_STATE_CREATED) {
		ret = -EBUSY;
	} else if (wfp_pset_is_group(ctx->pset)) {
		/* Bound to filters: theirs are its selectors. */
		ret = -EINVAL;
	} else {
		ps = wfp_pset_get(wn, &key);
		if (IS_ERR(ps)) {
			ret = PTR_ERR(ps);
		} else {
			struct wfp_pset *old = ctx->pset;

			wfp_context_set_pset(ctx, ps);
			wfp_pset_put(wn, old);
		}
	}
	mutex_unlock(&wn->ctx_lock);
	mutex_unlock(cfg);
out_put:
	wfp_context_put(ctx);
	return ret;
}
