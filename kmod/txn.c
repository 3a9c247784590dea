// SPDX-License-Identifier: GPL-2.0
/*
 * Explicit transactions: FwpmTransactionBegin0, Commit0 and Abort0 over
 * the providers, sublayers, provider contexts and filters a session
 * changes (Documentation/transactions.rst).
 *
 * A write transaction owns the namespace's transaction lock,
 * wn->objs.txn_owner: a session id, claimed with cmpxchg and waited for
 * on wn->objs.txn_wq, never a mutex held across system calls.  A write
 * outside an explicit transaction claims it for the one call, as BFE's
 * implicit transactions do, so no other session's write slips in while
 * a transaction is open; reads never look at it.
 *
 * Inside a write transaction an ADD applies at once and is logged; a
 * DELETE is checked at once and applied at COMMIT.  ABORT, and the
 * session's close with one open, undoes the ADDs newest first: an object
 * the transaction added can always go (a filter's bound SA contexts with
 * it), so xfrm is left as it was.  COMMIT checks every pending DELETE
 * again, under the locks that keep the answer true, before it applies
 * the first: all of them, or none and an abort.
 */

#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include <net/net_namespace.h>

#include <linux/wfp_ipsec.h>

#include "filter.h"
#include "lifecycle.h"
#include "netns.h"
#include "objects.h"
#include "rights.h"
#include "session.h"
#include "txn.h"

/* txnWaitTimeoutInMSec 0: BFE's default. */
#define WFP_TXN_WAIT_DEFAULT_MS	15000
#define WFP_TXN_WAIT_INFINITE	0xFFFFFFFFU

/* One logged change: an ADD done, or a DELETE to do at COMMIT. */
struct wfp_txn_op {
	struct list_head node;
	u32 type;
	bool del;
	u8 key[WFP_IPSEC_OBJ_KEY_LEN];
};

void wfp_txn_session_init(struct wfp_session *s)
{
	mutex_init(&s->txn.lock);
	INIT_LIST_HEAD(&s->txn.ops);
}

bool wfp_txn_open(const struct wfp_session *s)
{
	return READ_ONCE(s->txn.state) != WFP_TXN_NONE;
}

static bool wfp_txn_claim(struct wfp_net *wn, u64 id)
{
	return !cmpxchg(&wn->objs.txn_owner, 0, id);
}

/* The namespace's lock for s, waited for up to s's txn_wait_ms. */
static int wfp_txn_lock_ns(struct wfp_session *s)
{
	struct wfp_net *wn = s->wn;
	u32 ms = s->txn_wait_ms ? s->txn_wait_ms : WFP_TXN_WAIT_DEFAULT_MS;
	long t = ms == WFP_TXN_WAIT_INFINITE ? MAX_SCHEDULE_TIMEOUT :
					       msecs_to_jiffies(ms);

	t = wait_event_interruptible_timeout(wn->objs.txn_wq,
					     wfp_txn_claim(wn, s->id), t);
	if (t > 0)
		return 0;
	return t ? -EINTR : -ETIMEDOUT;
}

static void wfp_txn_unlock_ns(struct wfp_session *s)
{
	struct wfp_net *wn = s->wn;

	WARN_ON_ONCE(cmpxchg(&wn->objs.txn_owner, s->id, 0) != s->id);
	wake_up_all(&wn->objs.txn_wq);
}

/*
 * Before a write: the session's transaction lock held, and the
 * namespace's, for the call (*implicit) or already by its transaction.
 */
static int wfp_txn_enter(struct wfp_session *s, bool *implicit)
{
	int ret;

	if (mutex_lock_killable(&s->txn.lock))
		return -EINTR;
	*implicit = s->txn.state == WFP_TXN_NONE;
	if (s->txn.state == WFP_TXN_READ)
		ret = -EBADE;
	else
		ret = *implicit ? wfp_txn_lock_ns(s) : 0;
	if (ret)
		mutex_unlock(&s->txn.lock);
	return ret;
}

/* After it: a failed call inside a transaction dooms it. */
static int wfp_txn_leave(struct wfp_session *s, bool implicit, int ret)
{
	if (implicit)
		wfp_txn_unlock_ns(s);
	else if (ret)
		s->txn.failed = true;
	mutex_unlock(&s->txn.lock);
	return ret;
}

static struct wfp_txn_op *wfp_txn_op_new(u32 type, bool del)
{
	struct wfp_txn_op *op = kzalloc(sizeof(*op), GFP_KERNEL_ACCOUNT);

	if (op) {
		op->type = type;
		op->del = del;
	}
	return op;
}

/* An ADD, logged when inside a transaction; op allocated beforehand. */
static int wfp_txn_add(struct wfp_session *s, void *arg, u32 type,
		       const u8 *key,
		       int (*add)(struct wfp_session *s, void *arg))
{
	struct wfp_txn_op *op = NULL;
	bool implicit;
	int ret;

	ret = wfp_txn_enter(s, &implicit);
	if (ret)
		return ret;
	if (!implicit) {
		op = wfp_txn_op_new(type, false);
		if (!op)
			return wfp_txn_leave(s, implicit, -ENOMEM);
	}
	ret = add(s, arg);
	if (op && !ret) {
		/* The key the ADD reported, the one it generated included. */
		memcpy(op->key, key, sizeof(op->key));
		list_add_tail(&op->node, &s->txn.ops);
	} else {
		kfree(op);
	}
	return wfp_txn_leave(s, implicit, ret);
}

int wfp_txn_obj_add(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_obj *u = arg;

	return wfp_txn_add(s, arg, u->type, u->key, wfp_objects_add);
}

int wfp_txn_filter_add(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_filter *u = arg;

	return wfp_txn_add(s, arg, WFP_IPSEC_OBJ_FILTER, u->key,
			   wfp_filter_add);
}

/* Whether r (of rtype) names o (of type), as its users count it. */
static bool wfp_txn_names(const struct wfp_obj *r, u32 rtype,
			  const struct wfp_obj *o, u32 type)
{
	const struct wfp_filter *f = r->filter;

	switch (type) {
	case WFP_IPSEC_OBJ_PROVIDER:
		return r->has_provider &&
		       !memcmp(r->provider_key, o->key, sizeof(o->key));
	case WFP_IPSEC_OBJ_SUBLAYER:
		return rtype == WFP_IPSEC_OBJ_FILTER &&
		       !memcmp(f->sublayer_key, o->key, sizeof(o->key));
	case WFP_IPSEC_OBJ_PROVIDER_CONTEXT:
		return rtype == WFP_IPSEC_OBJ_FILTER &&
		       (r->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT) &&
		       !memcmp(f->pctx_key, o->key, sizeof(o->key));
	}
	return false;
}

static struct wfp_txn_op *wfp_txn_pending(struct wfp_session *s, u32 type,
					  const u8 *key)
{
	struct wfp_txn_op *op;

	list_for_each_entry(op, &s->txn.ops, node)
		if (op->del && op->type == type &&
		    !memcmp(op->key, key, sizeof(op->key)))
			return op;
	return NULL;
}

/*
 * Whether o is in use once the transaction's pending DELETEs are done:
 * -EBUSY for SA contexts bound to a filter, or an object naming o that
 * stays.
 */
static int wfp_txn_busy(struct wfp_session *s, const struct wfp_obj *o,
			u32 type)
{
	struct wfp_net *wn = s->wn;
	unsigned int going = 0;
	struct wfp_txn_op *op;
	struct wfp_obj *r;

	if (type == WFP_IPSEC_OBJ_FILTER)
		return wfp_filter_bound(wn, o) ? -EBUSY : 0;
	list_for_each_entry(op, &s->txn.ops, node) {
		if (!op->del)
			continue;
		r = wfp_obj_find(wn, op->type, op->key);
		if (r && wfp_txn_names(r, op->type, o, type))
			going++;
	}
	return o->users > going ? -EBUSY : 0;
}

/* A DELETE's checks, at the call: what OBJ_DELETE would refuse now. */
static int wfp_txn_delete_check(struct wfp_session *s,
				const struct wfp_ipsec_obj_key *k, u8 *key)
{
	struct wfp_obj *o = wfp_obj_lookup(s->wn, k);
	int ret;

	if (!o || wfp_txn_pending(s, k->type, o->key))
		return -ENOENT;
	if (o->builtin)
		return -EROFS;
	ret = wfp_obj_may_delete(s, o);
	if (!ret)
		ret = wfp_txn_busy(s, o, k->type);
	if (!ret)
		memcpy(key, o->key, WFP_IPSEC_OBJ_KEY_LEN);
	return ret;
}

static int wfp_txn_delete(struct wfp_session *s,
			  const struct wfp_ipsec_obj_key *k)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_net *wn = s->wn;
	struct wfp_txn_op *op;
	int ret;

	if (!wfp_obj_key_valid(k))
		return -EINVAL;
	op = wfp_txn_op_new(k->type, true);
	if (!op)
		return -ENOMEM;
	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	ret = wfp_txn_delete_check(s, k, op->key);
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
	if (ret)
		kfree(op);
	else
		list_add_tail(&op->node, &s->txn.ops);
	return ret;
}

int wfp_txn_obj_delete(struct wfp_session *s, void *arg)
{
	bool implicit;
	int ret;

	ret = wfp_txn_enter(s, &implicit);
	if (ret)
		return ret;
	if (implicit)
		ret = wfp_objects_delete(s, arg);
	else
		ret = wfp_txn_delete(s, arg);
	return wfp_txn_leave(s, implicit, ret);
}

/*
 * Unlinks o; filters last with it, so this is the last user.  A filter
 * per how (WFP_LEAVE_UNDO at a rollback; at COMMIT it left its group
 * already, wfp_txn_leave_groups()).
 */
static int wfp_txn_remove(struct wfp_net *wn, struct wfp_obj *o, u32 type,
			  enum wfp_filter_leave how)
{
	if (type == WFP_IPSEC_OBJ_FILTER)
		return wfp_filter_remove(wn, o, how);
	if (WARN_ON_ONCE(o->users))
		return -EBUSY;
	wfp_obj_unlink_provider(wn, o);
	wfp_obj_unlink_free(wn, type, o);
	return 0;
}

static void wfp_txn_free_ops(struct wfp_session *s)
{
	struct wfp_txn_op *op, *tmp;

	list_for_each_entry_safe(op, tmp, &s->txn.ops, node) {
		list_del(&op->node);
		kfree(op);
	}
}

/* The end of a transaction: its log gone, the namespace free again. */
static void wfp_txn_end(struct wfp_session *s)
{
	bool write = s->txn.state == WFP_TXN_WRITE;

	wfp_txn_free_ops(s);
	s->txn.failed = false;
	WRITE_ONCE(s->txn.state, WFP_TXN_NONE);
	if (write)
		wfp_txn_unlock_ns(s);
}

/*
 * Undoes the ADDs, newest first, in one hold of the locks; an object
 * gone meanwhile (a lost filter reaped) has nothing left to undo.
 */
static void wfp_txn_rollback(struct wfp_session *s)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_net *wn = s->wn;
	struct wfp_txn_op *op;
	struct wfp_obj *o;

	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	list_for_each_entry_reverse(op, &s->txn.ops, node) {
		if (op->del)
			continue;
		o = wfp_obj_find(wn, op->type, op->key);
		if (o)
			wfp_txn_remove(wn, o, op->type, WFP_LEAVE_UNDO);
	}
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
	wfp_txn_end(s);
	/* A group a rollback left without filters lost its contexts. */
	wfp_lifecycle_rescan(s->net);
}

/* Every pending DELETE, checked again: the first that fails says why. */
static int wfp_txn_recheck(struct wfp_session *s)
{
	struct wfp_txn_op *op;
	struct wfp_obj *o;
	int ret;

	list_for_each_entry(op, &s->txn.ops, node) {
		if (!op->del)
			continue;
		o = wfp_obj_find(s->wn, op->type, op->key);
		/* Gone (a lost filter reaped): what the DELETE wanted. */
		if (!o)
			continue;
		ret = wfp_txn_busy(s, o, op->type);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The pending DELETEs' filters leave their SA groups, all in one
 * ctx_lock section that first checks none is bound: an SA context joins
 * a group under ctx_lock alone, so a check in another section could be
 * stale by the time the filter leaves.  -EBUSY, nothing changed, when
 * one is bound.
 */
static int wfp_txn_leave_groups(struct wfp_session *s)
{
	struct wfp_net *wn = s->wn;
	struct wfp_txn_op *op;
	struct wfp_obj *o;
	int ret = 0;

	mutex_lock(&wn->ctx_lock);
	list_for_each_entry(op, &s->txn.ops, node) {
		if (!op->del || op->type != WFP_IPSEC_OBJ_FILTER)
			continue;
		o = wfp_obj_find(wn, op->type, op->key);
		if (o && wfp_filter_bound_locked(wn, o->filter))
			ret = -EBUSY;
	}
	list_for_each_entry(op, &s->txn.ops, node) {
		if (ret || !op->del || op->type != WFP_IPSEC_OBJ_FILTER)
			continue;
		o = wfp_obj_find(wn, op->type, op->key);
		if (o)
			wfp_filter_group_leave_locked(wn, o->filter,
						      WFP_LEAVE_CHECK);
	}
	mutex_unlock(&wn->ctx_lock);
	return ret;
}

/* The pending DELETEs, filters first: what they name is free after. */
static void wfp_txn_apply(struct wfp_session *s)
{
	struct wfp_net *wn = s->wn;
	struct wfp_txn_op *op;
	struct wfp_obj *o;
	u32 type;

	for (type = WFP_IPSEC_OBJ_FILTER; type >= WFP_IPSEC_OBJ_PROVIDER;
	     type--)
		list_for_each_entry(op, &s->txn.ops, node) {
			if (!op->del || op->type != type)
				continue;
			o = wfp_obj_find(wn, type, op->key);
			if (o)
				WARN_ON_ONCE(wfp_txn_remove(wn, o, type,
							    WFP_LEAVE_CHECK));
		}
}

static int wfp_txn_commit_write(struct wfp_session *s)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_net *wn = s->wn;
	int ret;

	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	ret = wfp_txn_recheck(s);
	if (!ret)
		ret = wfp_txn_leave_groups(s);
	if (!ret)
		wfp_txn_apply(s);
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
	if (ret)
		wfp_txn_rollback(s);
	else
		wfp_txn_end(s);
	return ret;
}

int wfp_txn_begin(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_txn *t = arg;
	bool ro = t->flags & WFP_IPSEC_TXN_F_READ_ONLY;
	u32 need = ro ? WFP_IPSEC_RIGHT_BEGIN_READ_TXN :
			WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN;
	int ret = 0;

	if ((t->flags & ~__WFP_IPSEC_TXN_F_ALL) || t->reserved0 ||
	    memchr_inv(t->reserved, 0, sizeof(t->reserved)))
		return -EINVAL;
	if (!(wfp_rights_of(s) & need))
		return -EACCES;
	if (mutex_lock_killable(&s->txn.lock))
		return -EINTR;
	if (s->txn.state != WFP_TXN_NONE)
		ret = -EINPROGRESS;
	else if (!ro)
		ret = wfp_txn_lock_ns(s);
	if (!ret)
		WRITE_ONCE(s->txn.state, ro ? WFP_TXN_READ : WFP_TXN_WRITE);
	mutex_unlock(&s->txn.lock);
	return ret;
}

int wfp_txn_commit(struct wfp_session *s, void *arg)
{
	int ret = 0;

	if (mutex_lock_killable(&s->txn.lock))
		return -EINTR;
	if (s->txn.state == WFP_TXN_NONE) {
		ret = -ENOLCK;
	} else if (s->txn.failed) {
		wfp_txn_rollback(s);
		ret = -ECANCELED;
	} else if (s->txn.state == WFP_TXN_WRITE) {
		ret = wfp_txn_commit_write(s);
	} else {
		wfp_txn_end(s);
	}
	mutex_unlock(&s->txn.lock);
	return ret;
}

int wfp_txn_abort(struct wfp_session *s, void *arg)
{
	int ret = 0;

	if (mutex_lock_killable(&s->txn.lock))
		return -EINTR;
	if (s->txn.state == WFP_TXN_NONE)
		ret = -ENOLCK;
	else
		wfp_txn_rollback(s);
	mutex_unlock(&s->txn.lock);
	return ret;
}

/* A session that closes, killed or not, aborts its transaction. */
void wfp_txn_session_close(struct wfp_session *s)
{
	mutex_lock(&s->txn.lock);
	if (s->txn.state != WFP_TXN_NONE)
		wfp_txn_rollback(s);
	mutex_unlock(&s->txn.lock);
	mutex_destroy(&s->txn.lock);
}
