// SPDX-License-Identifier: GPL-2.0
/*
 * Session and context ids.  Each network namespace is a host of its own,
 * so its ids must say nothing about what other namespaces do, yet never
 * name a context of another namespace and never be reused: the Windows
 * code this serves keeps ids in its own tables long after the object is
 * gone.  An id is the namespace's tag in the top WFP_ID_TAG_BITS and a
 * per-namespace counter below it.  The tag is the namespace's sequence
 * number through a keyed permutation (a Feistel network over siphash), so
 * tags are distinct for the first 2^24 namespaces of a module load and
 * reveal neither that number nor the order namespaces were made in.
 * Counters increase, which the enumeration cursor relies on.
 */

#include <linux/atomic.h>
#include <linux/random.h>
#include <linux/siphash.h>

#include "ids.h"
#include "netns.h"

#define WFP_ID_TAG_BITS		24
#define WFP_ID_COUNT_BITS	(64 - WFP_ID_TAG_BITS)
#define WFP_ID_COUNT_MAX	((1ULL << WFP_ID_COUNT_BITS) - 1)
#define WFP_ID_HALF_BITS	(WFP_ID_TAG_BITS / 2)
#define WFP_ID_HALF_MASK	((1U << WFP_ID_HALF_BITS) - 1)
#define WFP_ID_ROUNDS		4

static siphash_key_t wfp_id_key __read_mostly;
static atomic_t wfp_id_last_ns = ATOMIC_INIT(0);

void wfp_ids_key_init(void)
{
	get_random_bytes(&wfp_id_key, sizeof(wfp_id_key));
}

/* A permutation of [0, 2^24): balanced Feistel rounds. */
static u32 wfp_ids_tag(u32 seq)
{
	u32 l = (seq >> WFP_ID_HALF_BITS) & WFP_ID_HALF_MASK;
	u32 r = seq & WFP_ID_HALF_MASK, t, i;

	for (i = 0; i < WFP_ID_ROUNDS; i++) {
		t = l ^ (siphash_2u32(r, i, &wfp_id_key) & WFP_ID_HALF_MASK);
		l = r;
		r = t;
	}
	return l << WFP_ID_HALF_BITS | r;
}

void wfp_ids_net_init(struct wfp_net *wn)
{
	u32 seq = atomic_inc_return(&wfp_id_last_ns);

	/* Past 2^24 namespaces in one module load, tags repeat: ids stay
	 * unique within each namespace, not across all of them.
	 */
	if (seq >= 1U << WFP_ID_TAG_BITS)
		pr_warn_once("2^24 namespaces: their ids' tags repeat from now on\n");

	wn->id_base = (u64)wfp_ids_tag(seq) << WFP_ID_COUNT_BITS;
	atomic64_set(&wn->last_session_id, 0);
	atomic64_set(&wn->last_context_id, 0);
	atomic64_set(&wn->last_sub_id, 0);
	atomic64_set(&wn->last_pctx_id, 0);
	atomic64_set(&wn->last_filter_id, 0);
}

/* 0 once the namespace has issued 2^40 - 1 ids of the kind. */
static u64 wfp_ids_next(struct wfp_net *wn, atomic64_t *last)
{
	u64 n = atomic64_inc_return(last);

	if (n > WFP_ID_COUNT_MAX) {
		atomic64_set(last, WFP_ID_COUNT_MAX);
		return 0;
	}
	return wn->id_base | n;
}

u64 wfp_ids_session_next(struct wfp_net *wn)
{
	return wfp_ids_next(wn, &wn->last_session_id);
}

u64 wfp_ids_context_next(struct wfp_net *wn)
{
	return wfp_ids_next(wn, &wn->last_context_id);
}

u64 wfp_ids_sub_next(struct wfp_net *wn)
{
	return wfp_ids_next(wn, &wn->last_sub_id);
}

/* Provider contexts' runtime ids (FWPM_PROVIDER_CONTEXT0's LUID). */
u64 wfp_ids_pctx_next(struct wfp_net *wn)
{
	return wfp_ids_next(wn, &wn->last_pctx_id);
}

/* Filters' runtime ids (FWPM_FILTER0's filterId). */
u64 wfp_ids_filter_next(struct wfp_net *wn)
{
	return wfp_ids_next(wn, &wn->last_filter_id);
}

/* Whether id is one wfp_ids_next() gave out of last in this namespace. */
bool wfp_ids_issued(struct wfp_net *wn, atomic64_t *last, u64 id)
{
	u64 n = id & WFP_ID_COUNT_MAX;

	return (id & ~WFP_ID_COUNT_MAX) == wn->id_base && n &&
	       n <= (u64)atomic64_read(last);
}
