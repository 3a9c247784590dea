// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WfpIpsecSaContextCreateBatch0: complete SA contexts - each what
 * IPsecSaContextCreate1, SetSpi0 (or GetSpi1), AddInbound1 and
 * AddOutbound1 make - through WFP_IPSEC_IOC_CTX_ADD_BATCH, in chunks of
 * the most entries the module takes per call (Documentation/batch.rst).
 * Keys travel as pointers into the caller's blobs, as for the single
 * calls; the library never copies them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wfpipsec.h"

/* One chunk in kernel form, and where each entry came from. */
struct chunk {
	struct wfp_ipsec_batch_entry *k;
	UINT32 *from;		/* index in the caller's array */
	DWORD (*lib_err)[2];	/* bundles the library refused, by dir */
	UINT32 n;
};

/*
 * The entry in kernel form.  A bundle the library cannot convert is what
 * AddInbound1/AddOutbound1 refuse before reaching the module; it goes in
 * as an empty bundle, which the module refuses in that same step, so the
 * steps before it still run (and may fail first) as with the single
 * calls, and the library's code then replaces the module's.
 */
static DWORD entry_in(const WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w,
		      struct wfp_ipsec_batch_entry *k, DWORD lib_err[2])
{
	DWORD rc;

	memset(k, 0, sizeof(*k));
	if (!w->traffic)
		return FWP_E_NULL_POINTER;
	rc = wfp_traffic_from_win(w->traffic, &k->traffic);
	if (rc)
		return rc;
	k->inbound_spi = w->inboundSpi;
	lib_err[WFP_IPSEC_DIR_INBOUND] = wfp_bundle1_in(w->inboundBundle,
							&k->inbound);
	lib_err[WFP_IPSEC_DIR_OUTBOUND] = wfp_bundle1_in(w->outboundBundle,
							 &k->outbound);
	if (lib_err[WFP_IPSEC_DIR_INBOUND])
		memset(&k->inbound, 0, sizeof(k->inbound));
	if (lib_err[WFP_IPSEC_DIR_OUTBOUND])
		memset(&k->outbound, 0, sizeof(k->outbound));
	return ERROR_SUCCESS;
}

/* The code of the single call the entry failed in. */
static DWORD entry_status(const struct wfp_ipsec_batch_entry *k,
			  const DWORD lib_err[2])
{
	int err = (int)k->error;

	if (!err)
		return ERROR_SUCCESS;
	switch (k->step) {
	case WFP_IPSEC_BATCH_STEP_CREATE:
		return wfp_ctx_status(err);
	case WFP_IPSEC_BATCH_STEP_SPI:
		return wfp_spi_status(err);
	case WFP_IPSEC_BATCH_STEP_INBOUND:
		return lib_err[WFP_IPSEC_DIR_INBOUND] ?:
		       wfp_add_status(err, k->add_status);
	case WFP_IPSEC_BATCH_STEP_OUTBOUND:
		return lib_err[WFP_IPSEC_DIR_OUTBOUND] ?:
		       wfp_add_status(err, k->add_status);
	default:
		return wfp_status_from_errno(err);
	}
}

static void entry_out(WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w,
		      const struct wfp_ipsec_batch_entry *k,
		      const DWORD lib_err[2], UINT32 *numSucceeded)
{
	w->status = entry_status(k, lib_err);
	w->id = w->status ? 0 : k->id;
	w->allocatedSpi = w->status ? 0 : k->spi;
	if (!w->status)
		(*numSucceeded)++;
}

/*
 * Hands the chunk to the module; a signal may make it stop early, after
 * which the rest goes again.  Every entry processed gets its results,
 * also when a later part of the chunk fails as a whole.  *sent says how
 * many were processed.
 */
static DWORD chunk_send(int fd, struct chunk *c,
			WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *entries,
			UINT32 *numSucceeded, UINT32 *sent)
{
	struct wfp_ipsec_ctx_batch b;
	UINT32 i;
	int err;

	*sent = 0;
	while (*sent < c->n) {
		memset(&b, 0, sizeof(b));
		b.entries = (__u64)(uintptr_t)(c->k + *sent);
		b.count = c->n - *sent;
		b.entry_size = sizeof(*c->k);
		err = wfp_ioctl(fd, WFP_IPSEC_IOC_CTX_ADD_BATCH, &b);
		if (b.done > b.count)
			return RPC_X_BAD_STUB_DATA;
		for (i = *sent; i < *sent + b.done; i++)
			entry_out(&entries[c->from[i]], &c->k[i], c->lib_err[i],
				  numSucceeded);
		*sent += b.done;
		/* EPERM: a dynamic session, as Create1 says it. */
		if (err)
			return wfp_ctx_status(err);
		if (!b.done)
			return RPC_S_CALL_FAILED;
	}
	return ERROR_SUCCESS;
}

static void chunk_free(struct chunk *c)
{
	free(c->k);
	free(c->from);
	free(c->lib_err);
}

static DWORD chunk_alloc(struct chunk *c, UINT32 numEntries)
{
	UINT32 cap = numEntries < WFP_IPSEC_BATCH_MAX ? numEntries :
						       WFP_IPSEC_BATCH_MAX;

	c->k = calloc(cap, sizeof(*c->k));
	c->from = calloc(cap, sizeof(*c->from));
	c->lib_err = calloc(cap, sizeof(*c->lib_err));
	return c->k && c->from && c->lib_err ? ERROR_SUCCESS :
					       ERROR_NOT_ENOUGH_MEMORY;
}

static void entry_fail(WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w, DWORD rc)
{
	w->id = 0;
	w->allocatedSpi = 0;
	w->status = rc;
}

DWORD WINAPI WfpIpsecSaContextCreateBatch0(HANDLE engineHandle,
					   UINT32 numEntries,
					   WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *entries,
					   UINT32 *numSucceeded)
{
	WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *w;
	struct chunk c = { 0 };
	UINT32 i, next = 0, sent = 0;
	struct wfp_engine *e;
	DWORD rc;

	if (!entries || !numSucceeded)
		return FWP_E_NULL_POINTER;
	*numSucceeded = 0;
	if (!numEntries)
		return FWP_E_ZERO_LENGTH_ARRAY;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	/* What the module would answer to a command it does not know. */
	rc = e->features & WFP_IPSEC_FEAT_BATCH ? chunk_alloc(&c, numEntries) :
						  RPC_S_PROCNUM_OUT_OF_RANGE;

	/* next: the first entry not yet looked at. */
	while (!rc && next < numEntries) {
		c.n = 0;
		for (i = next; i < numEntries && c.n < WFP_IPSEC_BATCH_MAX; i++) {
			w = &entries[i];
			w->id = 0;
			w->allocatedSpi = 0;
			/* Refused by the library: Create1 would not start. */
			w->status = entry_in(w, &c.k[c.n], c.lib_err[c.n]);
			if (!w->status)
				c.from[c.n++] = i;
		}
		next = i;
		rc = c.n ? chunk_send(e->fd, &c, entries, numSucceeded, &sent) :
			   ERROR_SUCCESS;
		for (i = sent; rc && i < c.n; i++)
			entry_fail(&entries[c.from[i]], rc);
	}
	chunk_free(&c);
	wfp_engine_put(e);

	for (i = next; rc && i < numEntries; i++)
		entry_fail(&entries[i], rc);
	return rc;
}
