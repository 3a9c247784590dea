// SPDX-License-Identifier: GPL-2.0
/*
 * WFP_IPSEC_IOC_CTX_ADD_BATCH: complete SA contexts in one call.  Each
 * entry goes through the functions behind CTX_CREATE, CTX_SET_SPI (or
 * CTX_GET_SPI), CTX_ADD_INBOUND and CTX_ADD_OUTBOUND, in that order and
 * with their checks, so it gets the result those four calls would give.
 * An entry failing at any step has what the earlier steps made removed
 * again; the other entries go on.
 *
 * What a batch saves is everything around the xfrm work: per context,
 * four syscalls with their argument copies, four context lookups and four
 * rounds on xfrm_cfg_mutex.  The array is read twice.  The first pass
 * only checks, so a reserved field or an unknown flag anywhere refuses
 * the whole call before anything is done.  The second works in chunks:
 * the chunk's entries, and their keys, are copied in and checked with no
 * lock held, so a fault on user memory never stalls xfrm; then
 * xfrm_cfg_mutex is taken once and the chunk installed; then the results
 * go back and the keys are wiped.  Dropping the mutex between chunks
 * bounds how long the namespace's other xfrm control planes (ip xfrm, an
 * IKE daemon, other sessions) wait behind a large batch, and is where a
 * signal ends the call early.  An entry never spans two chunks, so no one
 * else sees a context half installed: whoever looks at one waits for the
 * mutex.
 */

#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/xfrm.h>

#include "batch.h"
#include "context.h"
#include "netns.h"
#include "sa.h"
#include "session.h"
#include "spi.h"

/* Entries installed per hold of xfrm_cfg_mutex. */
#define WFP_BATCH_CHUNK		32

/* What AddInbound's checks see for an SPI GetSpi has yet to choose. */
#define WFP_BATCH_SPI_PENDING	256

#define WFP_DIR_IN		WFP_IPSEC_DIR_INBOUND
#define WFP_DIR_OUT		WFP_IPSEC_DIR_OUTBOUND

/* The output fields of an entry, contiguous from @id. */
#define WFP_BATCH_OUT_OFFSET	offsetof(struct wfp_ipsec_batch_entry, id)
#define WFP_BATCH_OUT_LEN	(offsetof(struct wfp_ipsec_batch_entry, \
					  reserved) - WFP_BATCH_OUT_OFFSET)

/* One entry on its way through the four commands. */
struct wfp_batch_item {
	struct wfp_ipsec_batch_entry e;		/* the caller's, then results */
	struct wfp_ipsec_ctx_add add[2];	/* by WFP_IPSEC_DIR_* */
	struct wfp_sa_prep prep[2];		/* their algorithms and keys */
	int prep_err[2];			/* reported at their step */
	bool spi_pending;	/* the inbound SA takes the SPI GetSpi picks */
};

static bool wfp_batch_own_clear(const struct wfp_ipsec_batch_entry *e)
{
	return !e->flags && !memchr_inv(e->reserved, 0, sizeof(e->reserved));
}

/* Reserved fields and flags of the entry and of what it embeds. */
static bool wfp_batch_entry_clear(const struct wfp_ipsec_batch_entry *e)
{
	return wfp_batch_own_clear(e) &&
	       !e->traffic.reserved0 && !e->traffic.reserved1 &&
	       wfp_sa_bundle_reserved_clear(&e->inbound) &&
	       wfp_sa_bundle_reserved_clear(&e->outbound);
}

static u8 __user *wfp_batch_uentry(const struct wfp_ipsec_ctx_batch *b,
				   unsigned int i)
{
	return (u8 __user *)u64_to_user_ptr(b->entries) +
	       (size_t)i * b->entry_size;
}

/* Bytes past the entry this module knows are reserved for later ABIs. */
static int wfp_batch_read(const struct wfp_ipsec_ctx_batch *b,
			  unsigned int i, struct wfp_ipsec_batch_entry *e)
{
	int ret = copy_struct_from_user(e, sizeof(*e), wfp_batch_uentry(b, i),
					b->entry_size);

	return ret == -E2BIG ? -EINVAL : ret;
}

/* The first pass: refuse a malformed call before doing anything. */
static int wfp_batch_validate(const struct wfp_ipsec_ctx_batch *b)
{
	struct wfp_ipsec_batch_entry e;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(sizeof(e) != WFP_IPSEC_BATCH_ENTRY_SIZE_V1);

	if (b->flags || b->reserved0 ||
	    memchr_inv(b->reserved, 0, sizeof(b->reserved)))
		return -EINVAL;
	if (!b->count)
		return -EINVAL;
	if (b->count > WFP_IPSEC_BATCH_MAX)
		return -E2BIG;
	if (b->entry_size < sizeof(e) || b->entry_size > PAGE_SIZE ||
	    !IS_ALIGNED(b->entry_size, 8))
		return -EINVAL;
	for (i = 0; i < b->count; i++) {
		ret = wfp_batch_read(b, i, &e);
		if (ret)
			return ret;
		if (!wfp_batch_entry_clear(&e))
			return -EINVAL;
	}
	return 0;
}

/*
 * What needs no lock: the entry, and the checks and key copies of
 * AddInbound and AddOutbound, whose errors wait for their step so that
 * an earlier step failing still comes first, as with the single calls.
 */
static int wfp_batch_prepare(const struct wfp_ipsec_ctx_batch *b,
			     unsigned int i, struct wfp_batch_item *it)
{
	struct wfp_ipsec_batch_entry *e = &it->e;
	struct wfp_ipsec_sa *in_sa;
	int ret, dir;

	ret = wfp_batch_read(b, i, e);
	if (ret)
		return ret;
	memset(it->add, 0, sizeof(it->add));
	it->add[WFP_DIR_IN].bundle = e->inbound;
	it->add[WFP_DIR_OUT].bundle = e->outbound;

	/* An inbound SA naming no SPI takes the one the entry reserves. */
	in_sa = &it->add[WFP_DIR_IN].bundle.sas[0];
	it->spi_pending = !in_sa->spi && !e->inbound_spi;
	if (!in_sa->spi)
		in_sa->spi = e->inbound_spi ?: WFP_BATCH_SPI_PENDING;

	for (dir = 0; dir < ARRAY_SIZE(it->add); dir++)
		it->prep_err[dir] = wfp_sa_prepare(&it->add[dir],
						   &it->prep[dir]);
	return 0;
}

static int wfp_batch_add_sa(struct wfp_context *ctx, struct wfp_batch_item *it,
			    int dir)
{
	struct wfp_ipsec_ctx_add *a = &it->add[dir];
	int ret = it->prep_err[dir];

	it->e.step = dir == WFP_DIR_IN ? WFP_IPSEC_BATCH_STEP_INBOUND :
					 WFP_IPSEC_BATCH_STEP_OUTBOUND;
	if (!ret) {
		a->id = ctx->id;
		ret = wfp_sa_install(ctx, a, dir == WFP_DIR_IN, &it->prep[dir]);
	}
	it->e.add_status = a->status;
	return ret;
}

/* Under xfrm_cfg_mutex: the four commands, or none of them. */
static int wfp_batch_install(struct wfp_session *s, struct wfp_batch_item *it)
{
	struct wfp_ipsec_batch_entry *e = &it->e;
	struct wfp_ipsec_ctx_create c = { .traffic = e->traffic };
	struct wfp_ipsec_spi r = {
		.inbound = e->traffic,
		.spi = e->inbound_spi,
	};
	struct wfp_context *ctx;
	int ret;

	e->step = WFP_IPSEC_BATCH_STEP_CREATE;
	ret = wfp_context_create(s, &c);
	if (ret)
		return ret;
	/* Removing a context takes xfrm_cfg_mutex: it is still there. */
	ctx = wfp_context_get(s->wn, c.id);
	if (!ctx)
		return -ENOENT;

	e->step = WFP_IPSEC_BATCH_STEP_SPI;
	r.id = c.id;
	ret = wfp_spi_reserve_locked(ctx, &r);
	if (!ret) {
		if (it->spi_pending)
			it->add[WFP_DIR_IN].bundle.sas[0].spi = r.spi;
		ret = wfp_batch_add_sa(ctx, it, WFP_DIR_IN) ?:
		      wfp_batch_add_sa(ctx, it, WFP_DIR_OUT);
	}
	if (ret) {
		/* Policies, SAs, the larval state and the context go. */
		if (wfp_context_remove_locked(s->wn, ctx, s->id))
			wfp_context_put(ctx);
	} else {
		e->step = WFP_IPSEC_BATCH_STEP_NONE;
		e->id = c.id;
		e->spi = r.spi;
	}
	wfp_context_put(ctx);
	return ret;
}

static void wfp_batch_install_all(struct wfp_session *s,
				  struct wfp_batch_item *items, unsigned int n,
				  u32 *succeeded)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_ipsec_batch_entry *e;
	unsigned int i;
	int ret;

	mutex_lock(cfg);
	for (i = 0; i < n; i++) {
		e = &items[i].e;
		e->id = 0;
		e->spi = 0;
		e->step = WFP_IPSEC_BATCH_STEP_NONE;
		e->add_status = WFP_IPSEC_ADD_ST_OK;
		/* Checked by the first pass; the caller may have changed it. */
		ret = wfp_batch_own_clear(e) ? wfp_batch_install(s, &items[i]) :
					       -EINVAL;
		/* GetSpi's sweep stopped by a signal: no restart here. */
		if (ret == -ERESTARTSYS)
			ret = -EINTR;
		e->error = -ret;
		if (!ret)
			(*succeeded)++;
		cond_resched();
	}
	mutex_unlock(cfg);
}

/*
 * Entries first..first+n-1; *done counts them once they are processed,
 * even when their results cannot be written back (-EFAULT).
 */
static int wfp_batch_chunk(struct wfp_session *s, struct wfp_ipsec_ctx_batch *b,
			   unsigned int first, unsigned int n,
			   struct wfp_batch_item *items, unsigned int *done)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = wfp_batch_prepare(b, first + i, &items[i]);
	if (!ret) {
		wfp_batch_install_all(s, items, n, &b->succeeded);
		*done += n;
		for (i = 0; i < n && !ret; i++)
			if (copy_to_user(wfp_batch_uentry(b, first + i) +
					 WFP_BATCH_OUT_OFFSET,
					 &items[i].e.id, WFP_BATCH_OUT_LEN))
				ret = -EFAULT;
	}
	for (i = 0; i < n; i++)
		memzero_explicit(items[i].prep, sizeof(items[i].prep));
	return ret;
}

int wfp_batch_add(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_ctx_batch *b = arg;
	struct wfp_batch_item *items;
	unsigned int done = 0;
	int ret;

	/* Output only, and copied back even on failure. */
	b->done = 0;
	b->succeeded = 0;
	ret = wfp_batch_validate(b);
	if (ret)
		return ret;
	/* Windows refuses SA contexts in dynamic sessions. */
	if (s->flags & WFP_IPSEC_SESSION_F_DYNAMIC)
		return -EPERM;

	items = kvmalloc_array(min_t(u32, b->count, WFP_BATCH_CHUNK),
			       sizeof(*items), GFP_KERNEL_ACCOUNT);
	if (!items)
		return -ENOMEM;
	while (done < b->count) {
		/* Nothing done yet: restartable; else report how far. */
		if (signal_pending(current)) {
			ret = done ? 0 : -ERESTARTSYS;
			break;
		}
		ret = wfp_batch_chunk(s, b, done,
				      min_t(u32, b->count - done,
					    WFP_BATCH_CHUNK),
				      items, &done);
		if (ret)
			break;
		cond_resched();
	}
	b->done = done;
	kvfree(items);
	return ret;
}
