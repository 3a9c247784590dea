// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * SA context enumeration: IPsecSaContextCreateEnumHandle0,
 * IPsecSaContextEnum0/1, IPsecSaContextDestroyEnumHandle0.
 *
 * The module is stateless here: a handle is a template plus a cursor (the
 * last id returned), kept in the engine, and each Enum call asks the
 * module for the next page above the cursor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct wfp_ctx_enum {
	struct wfp_ctx_enum *next;
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	UINT64 cursor;
};

/* The caller holds e->lock.  A handle counts only for its own engine. */
static struct wfp_ctx_enum *enum_find(struct wfp_engine *e, HANDLE h)
{
	struct wfp_ctx_enum *it;

	for (it = e->ctx_enums; it; it = it->next)
		if (it == h)
			return it;
	return NULL;
}

void wfp_ctx_enums_free(struct wfp_engine *e)
{
	struct wfp_ctx_enum *it, *next;

	for (it = e->ctx_enums; it; it = next) {
		next = it->next;
		free(it);
	}
	e->ctx_enums = NULL;
}

static DWORD template_from_win(const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
			       struct wfp_ctx_enum *en)
{
	DWORD rc;

	if (!t)
		return ERROR_SUCCESS;
	rc = wfp_subnet_from_win(&t->localSubNet, &en->local);
	if (!rc)
		rc = wfp_subnet_from_win(&t->remoteSubNet, &en->remote);
	if (rc)
		return rc;
	if (en->local.ip_version && en->remote.ip_version &&
	    en->local.ip_version != en->remote.ip_version)
		return FWP_E_NEVER_MATCH;
	return ERROR_SUCCESS;
}

/* One page from the module; returns 0 or an errno. */
static int enum_page(struct wfp_engine *e, struct wfp_ctx_enum *en,
		     struct wfp_ipsec_ctx_info *out, UINT32 max, UINT32 *count)
{
	struct wfp_ipsec_ctx_enum req;
	int err;

	memset(&req, 0, sizeof(req));
	req.local = en->local;
	req.remote = en->remote;
	req.cursor = en->cursor;
	req.entries = (UINT64)(uintptr_t)out;
	req.max_entries = max;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_ENUM, &req);
	if (err)
		return err;
	en->cursor = req.cursor;
	*count = req.count;
	return 0;
}

DWORD WINAPI IPsecSaContextCreateEnumHandle0(HANDLE engineHandle,
		const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle)
{
	struct wfp_ctx_enum *en;
	struct wfp_engine *e;
	UINT32 count;
	DWORD rc;
	int err;

	if (!enumHandle)
		return FWP_E_NULL_POINTER;
	en = calloc(1, sizeof(*en));
	if (!en)
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = template_from_win(enumTemplate, en);
	if (rc)
		goto out_free;

	e = wfp_engine_get(engineHandle);
	if (!e) {
		rc = ERROR_INVALID_HANDLE;
		goto out_free;
	}
	/* An empty page checks the rights now, as Windows does here. */
	err = enum_page(e, en, NULL, 0, &count);
	if (err) {
		rc = wfp_status_from_errno(err);
		wfp_engine_put(e);
		goto out_free;
	}
	pthread_mutex_lock(&e->lock);
	en->next = e->ctx_enums;
	e->ctx_enums = en;
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	*enumHandle = en;
	return ERROR_SUCCESS;

out_free:
	free(en);
	return rc;
}

DWORD WINAPI IPsecSaContextDestroyEnumHandle0(HANDLE engineHandle,
					      HANDLE enumHandle)
{
	struct wfp_ctx_enum **pp, *en = NULL;
	struct wfp_engine *e;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	for (pp = &e->ctx_enums; *pp; pp = &(*pp)->next) {
		if (*pp == enumHandle) {
			en = *pp;
			*pp = en->next;
			break;
		}
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	if (!en)
		return ERROR_INVALID_HANDLE;
	free(en);
	return ERROR_SUCCESS;
}

/*
 * Collects up to numEntriesRequested contexts page by page, then packs
 * them into the single block the caller frees with FwpmFreeMemory0.
 */
static DWORD ctx_enum(HANDLE engineHandle, HANDLE enumHandle,
		      UINT32 numEntriesRequested,
		      const struct wfp_ctx_layout *l, void **entries,
		      UINT32 *numEntriesReturned)
{
	struct wfp_ipsec_ctx_info *infos = NULL, *grown;
	struct wfp_ctx_full *fulls = NULL;
	UINT32 i;
	UINT32 have = 0, room = 0, want, got;
	struct wfp_ctx_enum *en;
	struct wfp_engine *e;
	DWORD rc = ERROR_SUCCESS;
	int err;

	if (!entries || !numEntriesReturned)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	en = enum_find(e, enumHandle);
	if (!en) {
		rc = ERROR_INVALID_HANDLE;
		goto out_unlock;
	}

	while (have < numEntriesRequested) {
		want = numEntriesRequested - have;
		if (want > WFP_IPSEC_ENUM_MAX)
			want = WFP_IPSEC_ENUM_MAX;
		if (room - have < want) {
			room = have + want;
			grown = realloc(infos, room * sizeof(*infos));
			if (!grown) {
				rc = ERROR_NOT_ENOUGH_MEMORY;
				goto out_unlock;
			}
			infos = grown;
		}
		err = enum_page(e, en, infos + have, want, &got);
		if (err) {
			rc = wfp_status_from_errno(err);
			goto out_unlock;
		}
		have += got;
		if (got < want)
			break;
	}

	/* Each context with SAs needs its bundles too. */
	if (have) {
		fulls = calloc(have, sizeof(*fulls));
		if (!fulls) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out_unlock;
		}
	}
	for (i = 0; i < have; i++) {
		fulls[i].info = infos[i];
		err = wfp_ctx_fetch_sas(e->fd, &fulls[i]);
		if (err) {
			rc = wfp_status_from_errno(err);
			goto out_unlock;
		}
	}
	*entries = NULL;
	if (have) {
		*entries = wfp_ctx_alloc_array(l, fulls, have);
		if (!*entries) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out_unlock;
		}
	}
	*numEntriesReturned = have;

out_unlock:
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	free(fulls);
	free(infos);
	return rc;
}

DWORD WINAPI IPsecSaContextEnum0(HANDLE engineHandle, HANDLE enumHandle,
				 UINT32 numEntriesRequested,
				 IPSEC_SA_CONTEXT0 ***entries,
				 UINT32 *numEntriesReturned)
{
	return ctx_enum(engineHandle, enumHandle, numEntriesRequested,
			&wfp_ctx_layout0, (void **)entries, numEntriesReturned);
}

DWORD WINAPI IPsecSaContextEnum1(HANDLE engineHandle, HANDLE enumHandle,
				 UINT32 numEntriesRequested,
				 IPSEC_SA_CONTEXT1 ***entries,
				 UINT32 *numEntriesReturned)
{
	return ctx_enum(engineHandle, enumHandle, numEntriesRequested,
			&wfp_ctx_layout1, (void **)entries, numEntriesReturned);
}
