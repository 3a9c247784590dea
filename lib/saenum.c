// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SA enumeration: IPsecSaCreateEnumHandle0, IPsecSaEnum0/1,
 * IPsecSaDestroyEnumHandle0 (Documentation/saenum.rst).
 *
 * The module keeps no list of SAs: an SA is one direction of a context.
 * A walk pages through the contexts with WFP_IPSEC_IOC_CTX_ENUM, as the
 * context enumeration does, reads the installed bundles of each and
 * reports one IPSEC_SA_DETAILS0/1 per SA, inbound before outbound.  A
 * context gives up to two SAs, so a call can end between them: the
 * handle then keeps the context with the SA still due, and the cursor
 * (the last context id taken) moves on only past contexts taken whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DIR_BIT(dir)	(1U << (dir))
#define DIRS_ALL	(DIR_BIT(WFP_IPSEC_DIR_INBOUND) | \
			 DIR_BIT(WFP_IPSEC_DIR_OUTBOUND))

/* The order in which a context's SAs are reported. */
static const unsigned int dir_order[2] = {
	WFP_IPSEC_DIR_INBOUND, WFP_IPSEC_DIR_OUTBOUND,
};

/* Where a walk stands.  A call works on a copy, kept only on success. */
struct sa_pos {
	UINT64 cursor;			/* last context id taken */
	unsigned int pending_dirs;	/* SAs of pending still due */
	struct wfp_ctx_full pending;	/* as read when it was taken */
};

struct wfp_sa_enum {
	struct wfp_sa_enum *next;
	struct wfp_engine *owner;
	unsigned int dirs;		/* DIR_BIT()s the template selects */
	struct sa_pos pos;
};

/*
 * All SA enumeration handles of the process, each with its engine.  The
 * lock only guards the list; using a handle takes its engine's lock
 * first, which serialises it with its destruction, as enum.c does.
 */
static pthread_mutex_t sa_enums_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wfp_sa_enum *sa_enums;

/* A handle counts only for its own engine; the caller holds e->lock. */
static struct wfp_sa_enum *sa_enum_find(struct wfp_engine *e, HANDLE h,
					int unlink)
{
	struct wfp_sa_enum **pp, *en = NULL;

	if (!h)
		return NULL;
	pthread_mutex_lock(&sa_enums_lock);
	for (pp = &sa_enums; *pp; pp = &(*pp)->next) {
		if (*pp == h && (*pp)->owner == e) {
			en = *pp;
			if (unlink)
				*pp = en->next;
			break;
		}
	}
	pthread_mutex_unlock(&sa_enums_lock);
	return en;
}

/* Called as the engine is freed: no call can be using its handles. */
void wfp_sa_enums_free(struct wfp_engine *e)
{
	struct wfp_sa_enum **pp, *en;

	pthread_mutex_lock(&sa_enums_lock);
	for (pp = &sa_enums; *pp;) {
		en = *pp;
		if (en->owner == e) {
			*pp = en->next;
			free(en);
		} else {
			pp = &en->next;
		}
	}
	pthread_mutex_unlock(&sa_enums_lock);
}

DWORD WINAPI IPsecSaCreateEnumHandle0(HANDLE engineHandle,
				      const IPSEC_SA_ENUM_TEMPLATE0 *enumTemplate,
				      HANDLE *enumHandle)
{
	struct wfp_ipsec_ctx_enum req;
	struct wfp_sa_enum *en;
	struct wfp_engine *e;
	unsigned int dirs = DIRS_ALL;
	int err;

	if (!enumHandle)
		return FWP_E_NULL_POINTER;
	if (enumTemplate) {
		switch (enumTemplate->saDirection) {
		case FWP_DIRECTION_INBOUND:
			dirs = DIR_BIT(WFP_IPSEC_DIR_INBOUND);
			break;
		case FWP_DIRECTION_OUTBOUND:
			dirs = DIR_BIT(WFP_IPSEC_DIR_OUTBOUND);
			break;
		default:
			return FWP_E_INVALID_ENUMERATOR;
		}
	}

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	/* An empty page checks ENUM and READ now, as Windows does here. */
	memset(&req, 0, sizeof(req));
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_ENUM, &req);
	if (err) {
		wfp_engine_put(e);
		return wfp_status_from_errno(err);
	}
	en = calloc(1, sizeof(*en));
	if (!en) {
		wfp_engine_put(e);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	en->owner = e;
	en->dirs = dirs;
	pthread_mutex_lock(&sa_enums_lock);
	en->next = sa_enums;
	sa_enums = en;
	pthread_mutex_unlock(&sa_enums_lock);
	wfp_engine_put(e);
	*enumHandle = en;
	return ERROR_SUCCESS;
}

DWORD WINAPI IPsecSaDestroyEnumHandle0(HANDLE engineHandle, HANDLE enumHandle)
{
	struct wfp_sa_enum *en;
	struct wfp_engine *e;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	en = sa_enum_find(e, enumHandle, 1);
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	if (!en)
		return ERROR_INVALID_HANDLE;
	free(en);
	return ERROR_SUCCESS;
}

/* ---- one call: collect SAs as (context, direction), then pack them ---- */

struct sa_ref {
	UINT32 ctx;		/* index in sa_batch.fulls */
	UINT32 dir;		/* WFP_IPSEC_DIR_* */
};

struct sa_batch {
	struct wfp_ctx_full *fulls;
	UINT32 nfulls, fulls_room;
	struct sa_ref *refs;
	UINT32 nrefs, refs_room;
};

/* Room for one more element of size bytes at *p; 0 or ENOMEM. */
static int grow(void **p, UINT32 *room, UINT32 used, size_t size)
{
	UINT32 n;
	void *q;

	if (used < *room)
		return 0;
	n = *room ? *room * 2 : 16;
	if (n <= *room)
		return ENOMEM;
	q = realloc(*p, (size_t)n * size);
	if (!q)
		return ENOMEM;
	*p = q;
	*room = n;
	return 0;
}

/*
 * Adds the SAs of full named in *dirs, in dir_order, while the batch has
 * fewer than max; clears the bits of those taken.  0 or ENOMEM.
 */
static int batch_take(struct sa_batch *b, const struct wfp_ctx_full *full,
		      unsigned int *dirs, UINT32 max)
{
	int added = 0, err, i;
	unsigned int dir;

	for (i = 0; i < 2 && *dirs && b->nrefs < max; i++) {
		dir = dir_order[i];
		if (!(*dirs & DIR_BIT(dir)))
			continue;
		if (!added) {
			err = grow((void **)&b->fulls, &b->fulls_room,
				   b->nfulls, sizeof(*b->fulls));
			if (err)
				return err;
			b->fulls[b->nfulls++] = *full;
			added = 1;
		}
		err = grow((void **)&b->refs, &b->refs_room, b->nrefs,
			   sizeof(*b->refs));
		if (err)
			return err;
		b->refs[b->nrefs].ctx = b->nfulls - 1;
		b->refs[b->nrefs].dir = dir;
		b->nrefs++;
		*dirs &= ~DIR_BIT(dir);
	}
	return 0;
}

/*
 * Collects up to max SAs of the directions in dirs from pos on, moving
 * pos along.  Returns 0 or an errno.
 */
static int sa_walk(struct wfp_engine *e, unsigned int dirs,
		   struct sa_pos *pos, UINT32 max, struct sa_batch *b)
{
	struct wfp_ipsec_ctx_info *infos = NULL, *grown;
	struct wfp_ipsec_ctx_enum req;
	struct wfp_ctx_full full;
	unsigned int left;
	UINT32 want, room = 0, scan = 0, i;
	int err = 0;

	if (pos->pending_dirs) {
		err = batch_take(b, &pos->pending, &pos->pending_dirs, max);
		if (err)
			return err;
	}
	while (b->nrefs < max) {
		/*
		 * A context gives 0 to 2 SAs: ask for as many contexts as
		 * SAs are due, and for twice as many as the page before when
		 * that one fell short (contexts without SAs, or filtered).
		 */
		want = max - b->nrefs;
		if (want < scan)
			want = scan;
		if (want > WFP_IPSEC_ENUM_MAX)
			want = WFP_IPSEC_ENUM_MAX;
		scan = 2 * want;
		if (want > room) {
			grown = realloc(infos, want * sizeof(*infos));
			if (!grown) {
				err = ENOMEM;
				break;
			}
			infos = grown;
			room = want;
		}
		memset(&req, 0, sizeof(req));
		req.cursor = pos->cursor;
		req.entries = (UINT64)(uintptr_t)infos;
		req.max_entries = want;
		err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_ENUM, &req);
		if (err)
			break;
		/*
		 * Contexts left unread when the batch fills come again on
		 * the next page: the cursor only passes those taken.
		 */
		for (i = 0; i < req.count && b->nrefs < max; i++) {
			memset(&full, 0, sizeof(full));
			full.info = infos[i];
			err = wfp_ctx_fetch_sas(e->fd, &full);
			if (err)
				goto out;
			pos->cursor = full.info.id;
			left = 0;
			if (full.has_sa[WFP_IPSEC_DIR_INBOUND])
				left |= DIR_BIT(WFP_IPSEC_DIR_INBOUND);
			if (full.has_sa[WFP_IPSEC_DIR_OUTBOUND])
				left |= DIR_BIT(WFP_IPSEC_DIR_OUTBOUND);
			left &= dirs;
			err = batch_take(b, &full, &left, max);
			if (err)
				goto out;
			if (left) {
				/* The batch is full halfway through it. */
				pos->pending = full;
				pos->pending_dirs = left;
			}
		}
		if (req.count < req.max_entries)
			break;		/* no more contexts */
	}
out:
	free(infos);
	return err;
}

/* One entry of the result: the details and everything they point to. */
struct entry0 {
	IPSEC_SA_DETAILS0 details;
	struct wfp_sa_slot sa;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
};

struct entry1 {
	IPSEC_SA_DETAILS1 details;
	struct wfp_sa_slot sa;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
};

struct sa_layout {
	size_t size;
	void (*fill)(void *p, const struct wfp_ctx_full *full,
		     unsigned int dir);
};

static void fill_entry0(void *p, const struct wfp_ctx_full *full,
			unsigned int dir)
{
	struct entry0 *s = p;

	wfp_details0_fill(&s->details, full, dir, &s->sa, &s->encap);
}

static void fill_entry1(void *p, const struct wfp_ctx_full *full,
			unsigned int dir)
{
	struct entry1 *s = p;

	wfp_details1_fill(&s->details, full, dir, &s->sa, &s->encap);
}

static const struct sa_layout layout0 = {
	.size = sizeof(struct entry0),
	.fill = fill_entry0,
};

static const struct sa_layout layout1 = {
	.size = sizeof(struct entry1),
	.fill = fill_entry1,
};

/*
 * The batch in one allocation, as FwpmFreeMemory0 frees it: an array of
 * n pointers, then the n entries (whose sizes are multiples of 8).
 */
static void *pack(const struct sa_layout *l, const struct sa_batch *b)
{
	char *block, *p;
	void **ptrs;
	UINT32 i;

	block = calloc(1, b->nrefs * (sizeof(void *) + l->size));
	if (!block)
		return NULL;
	ptrs = (void **)(void *)block;
	p = block + b->nrefs * sizeof(void *);
	for (i = 0; i < b->nrefs; i++, p += l->size) {
		ptrs[i] = p;
		l->fill(p, &b->fulls[b->refs[i].ctx], b->refs[i].dir);
	}
	return block;
}

static DWORD sa_enum(HANDLE engineHandle, HANDLE enumHandle,
		     UINT32 numEntriesRequested, const struct sa_layout *l,
		     void **entries, UINT32 *numEntriesReturned)
{
	struct sa_batch b;
	struct sa_pos *pos;
	struct wfp_sa_enum *en;
	struct wfp_engine *e;
	DWORD rc = ERROR_SUCCESS;
	void *block = NULL;
	int err;

	if (!entries || !numEntriesReturned)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	memset(&b, 0, sizeof(b));
	pos = malloc(sizeof(*pos));
	if (!pos) {
		wfp_engine_put(e);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_lock(&e->lock);
	en = sa_enum_find(e, enumHandle, 0);
	if (!en) {
		rc = ERROR_INVALID_HANDLE;
		goto out_unlock;
	}
	*pos = en->pos;
	err = sa_walk(e, en->dirs, pos, numEntriesRequested, &b);
	if (err) {
		rc = wfp_status_from_errno(err);
		goto out_unlock;
	}
	if (b.nrefs) {
		block = pack(l, &b);
		if (!block) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out_unlock;
		}
	}
	en->pos = *pos;
	*entries = block;
	*numEntriesReturned = b.nrefs;

out_unlock:
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	free(pos);
	free(b.refs);
	free(b.fulls);
	return rc;
}

DWORD WINAPI IPsecSaEnum0(HANDLE engineHandle, HANDLE enumHandle,
			  UINT32 numEntriesRequested,
			  IPSEC_SA_DETAILS0 ***entries,
			  UINT32 *numEntriesReturned)
{
	return sa_enum(engineHandle, enumHandle, numEntriesRequested,
		       &layout0, (void **)entries, numEntriesReturned);
}

DWORD WINAPI IPsecSaEnum1(HANDLE engineHandle, HANDLE enumHandle,
			  UINT32 numEntriesRequested,
			  IPSEC_SA_DETAILS1 ***entries,
			  UINT32 *numEntriesReturned)
{
	return sa_enum(engineHandle, enumHandle, numEntriesRequested,
		       &layout1, (void **)entries, numEntriesReturned);
}
