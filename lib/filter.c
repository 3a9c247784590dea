// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmFilterAdd0, its DeleteById0/DeleteByKey0, GetById0/GetByKey0 and
 * enumeration (Documentation/filters.rst): FWPM_FILTER0 as struct
 * wfp_ipsec_filter, which the module turns into xfrm policies.  The
 * conditions are filter_cond.c's; delete, the enumeration handles and
 * the one-block results are objects.c's, as for the other objects.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const struct wfp_guid_id layers[] = {
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V4,
	  WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4, 0 },
	{ &FWPM_LAYER_INBOUND_TRANSPORT_V6,
	  WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V6, 0 },
	{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V4,
	  WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4, 0 },
	{ &FWPM_LAYER_OUTBOUND_TRANSPORT_V6,
	  WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V6, 0 },
	{ &FWPM_LAYER_IPFORWARD_V4, WFP_IPSEC_LAYER_IPFORWARD_V4, 0 },
	{ &FWPM_LAYER_IPFORWARD_V6, WFP_IPSEC_LAYER_IPFORWARD_V6, 0 },
	{ &FWPM_LAYER_ALE_AUTH_CONNECT_V4,
	  WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V4, 0 },
	{ &FWPM_LAYER_ALE_AUTH_CONNECT_V6,
	  WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V6, 0 },
	{ &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4,
	  WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4, 0 },
	{ &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6,
	  WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V6, 0 },
};

#define CALLOUT(name, layer) \
	{ &FWPM_CALLOUT_IPSEC_##name, WFP_IPSEC_CALLOUT_##name, \
	  WFP_IPSEC_LAYER_##layer }

/* Each built-in IPsec callout and the one layer it is valid at. */
static const struct wfp_guid_id callouts[] = {
	CALLOUT(INBOUND_TRANSPORT_V4, INBOUND_TRANSPORT_V4),
	CALLOUT(INBOUND_TRANSPORT_V6, INBOUND_TRANSPORT_V6),
	CALLOUT(OUTBOUND_TRANSPORT_V4, OUTBOUND_TRANSPORT_V4),
	CALLOUT(OUTBOUND_TRANSPORT_V6, OUTBOUND_TRANSPORT_V6),
	CALLOUT(INBOUND_TUNNEL_V4, INBOUND_TRANSPORT_V4),
	CALLOUT(INBOUND_TUNNEL_V6, INBOUND_TRANSPORT_V6),
	CALLOUT(OUTBOUND_TUNNEL_V4, OUTBOUND_TRANSPORT_V4),
	CALLOUT(OUTBOUND_TUNNEL_V6, OUTBOUND_TRANSPORT_V6),
	CALLOUT(FORWARD_INBOUND_TUNNEL_V4, IPFORWARD_V4),
	CALLOUT(FORWARD_INBOUND_TUNNEL_V6, IPFORWARD_V6),
	CALLOUT(FORWARD_OUTBOUND_TUNNEL_V4, IPFORWARD_V4),
	CALLOUT(FORWARD_OUTBOUND_TUNNEL_V6, IPFORWARD_V6),
	CALLOUT(INBOUND_INITIATE_SECURE_V4, ALE_AUTH_RECV_ACCEPT_V4),
	CALLOUT(INBOUND_INITIATE_SECURE_V6, ALE_AUTH_RECV_ACCEPT_V6),
	CALLOUT(INBOUND_TUNNEL_ALE_ACCEPT_V4, ALE_AUTH_RECV_ACCEPT_V4),
	CALLOUT(INBOUND_TUNNEL_ALE_ACCEPT_V6, ALE_AUTH_RECV_ACCEPT_V6),
	CALLOUT(ALE_CONNECT_V4, ALE_AUTH_CONNECT_V4),
	CALLOUT(ALE_CONNECT_V6, ALE_AUTH_CONNECT_V6),
	CALLOUT(DOSP_FORWARD_V4, IPFORWARD_V4),
	CALLOUT(DOSP_FORWARD_V6, IPFORWARD_V6),
};

#undef CALLOUT

#define N(t) (sizeof(t) / sizeof((t)[0]))

UINT32 wfp_guid_to_id(const struct wfp_guid_id *t, size_t n, const GUID *g)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (IsEqualGUID(t[i].guid, g))
			return t[i].id;
	return 0;
}

/* The GUID of id; zero for an id no table row has. */
void wfp_id_to_guid(const struct wfp_guid_id *t, size_t n, UINT32 id,
		    GUID *g)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++)
		if (t[i].id == id)
			*g = *t[i].guid;
}

/* ---- FWPM_FILTER0 to the module's form ---- */

static int guid_zero(const GUID *g)
{
	static const GUID zero;

	return IsEqualGUID(g, &zero);
}

/* BOOTTIME has no Linux counterpart; the rest are recorded. */
static DWORD flags_in(UINT32 flags)
{
	if (flags & ~(UINT32)(__WFP_IPSEC_FILTER_F_ALL |
			      FWPM_FILTER_FLAG_BOOTTIME))
		return FWP_E_INVALID_FLAGS;
	if (flags & FWPM_FILTER_FLAG_BOOTTIME)
		return flags & FWPM_FILTER_FLAG_PERSISTENT ?
		       FWP_E_INVALID_FLAGS : ERROR_NOT_SUPPORTED;
	return ERROR_SUCCESS;
}

static DWORD callout_in(const GUID *g, struct wfp_ipsec_filter *k)
{
	size_t i;

	for (i = 0; i < N(callouts); i++)
		if (IsEqualGUID(callouts[i].guid, g))
			break;
	if (i == N(callouts))
		return FWP_E_CALLOUT_NOT_FOUND;
	if (callouts[i].id == WFP_IPSEC_CALLOUT_DOSP_FORWARD_V4 ||
	    callouts[i].id == WFP_IPSEC_CALLOUT_DOSP_FORWARD_V6)
		return ERROR_NOT_SUPPORTED;	/* IPsec DoS protection */
	if (callouts[i].layer != k->layer)
		return FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER;
	k->action = WFP_IPSEC_ACTION_CALLOUT;
	k->callout = callouts[i].id;
	return ERROR_SUCCESS;
}

static DWORD action_in(const FWPM_ACTION0 *a, struct wfp_ipsec_filter *k)
{
	switch (a->type) {
	case FWP_ACTION_BLOCK:
	case FWP_ACTION_PERMIT:
		k->action = a->type == FWP_ACTION_BLOCK ?
			    WFP_IPSEC_ACTION_BLOCK : WFP_IPSEC_ACTION_PERMIT;
		wfp_obj_key_in(&a->filterType, k->filter_type);
		return ERROR_SUCCESS;
	case FWP_ACTION_CALLOUT_TERMINATING:
		return callout_in(&a->calloutKey, k);
	case FWP_ACTION_CALLOUT_INSPECTION:
	case FWP_ACTION_CALLOUT_UNKNOWN:
		/* The IPsec callouts are all terminating. */
		return FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER;
	default:
		return FWP_E_INVALID_ACTION_TYPE;
	}
}

static DWORD weight_in(const FWP_VALUE0 *w, struct wfp_ipsec_filter *k)
{
	k->weight_type = w->type;
	switch (w->type) {
	case FWP_EMPTY:
		return ERROR_SUCCESS;
	case FWP_UINT8:
		if (w->uint8 > FWPM_WEIGHT_RANGE_MAX)
			return FWP_E_INVALID_WEIGHT;
		k->weight = w->uint8;
		return ERROR_SUCCESS;
	case FWP_UINT64:
		if (!w->uint64)
			return FWP_E_NULL_POINTER;
		k->weight = *w->uint64;
		return ERROR_SUCCESS;
	default:
		return FWP_E_INVALID_WEIGHT;
	}
}

static DWORD conds_in(const FWPM_FILTER0 *f, struct wfp_ipsec_filter *k,
		      struct wfp_ipsec_filter_cond *conds)
{
	DWORD rc;
	UINT32 i;

	if (f->numFilterConditions > WFP_IPSEC_FILTER_COND_MAX)
		return FWP_E_OUT_OF_BOUNDS;
	if (f->numFilterConditions && !f->filterCondition)
		return FWP_E_NULL_POINTER;
	for (i = 0; i < f->numFilterConditions; i++) {
		rc = wfp_cond_in(&f->filterCondition[i], k->layer, &conds[i]);
		if (rc)
			return rc;
	}
	k->num_conds = f->numFilterConditions;
	k->conds = (UINT64)(uintptr_t)conds;
	return ERROR_SUCCESS;
}

/* Everything but the strings; filterId and effectiveWeight are output. */
static DWORD filter_in(const FWPM_FILTER0 *f, struct wfp_ipsec_filter *k,
		       struct wfp_ipsec_filter_cond *conds)
{
	DWORD rc;

	if (f->reserved)
		return FWP_E_RESERVED;
	rc = flags_in(f->flags);
	if (rc)
		return rc;
	memset(k, 0, sizeof(*k));
	k->flags = f->flags;
	k->layer = wfp_guid_to_id(layers, N(layers), &f->layerKey);
	if (!k->layer)
		return FWP_E_LAYER_NOT_FOUND;
	rc = action_in(&f->action, k);
	if (rc)
		return rc;
	if ((f->flags & FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) &&
	    k->action != WFP_IPSEC_ACTION_CALLOUT)
		return FWP_E_INVALID_FLAGS;
	rc = weight_in(&f->weight, k);
	if (!rc)
		rc = conds_in(f, k, conds);
	if (rc)
		return rc;
	if (f->providerData.size && !f->providerData.data)
		return FWP_E_NULL_POINTER;
	wfp_obj_key_in(&f->filterKey, k->key);
	if (f->providerKey) {
		k->has_provider = 1;
		wfp_obj_key_in(f->providerKey, k->provider_key);
	}
	wfp_obj_key_in(&f->subLayerKey, k->sublayer_key);
	if (f->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
		wfp_obj_key_in(&f->providerContextKey, k->pctx_key);
	else
		k->raw_context = f->rawContext;
	k->data = (UINT64)(uintptr_t)f->providerData.data;
	k->data_len = f->providerData.size;
	return ERROR_SUCCESS;
}

DWORD WINAPI FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter,
			    PSECURITY_DESCRIPTOR sd, UINT64 *id)
{
	struct wfp_ipsec_filter_cond conds[WFP_IPSEC_FILTER_COND_MAX];
	struct wfp_ipsec_filter k;
	struct wfp_ipsec_obj o;	/* only for its strings */
	struct wfp_engine *e;
	DWORD rc;
	int err;

	(void)sd;	/* rights are the namespace's: Documentation/rights.rst */
	if (!filter)
		return FWP_E_NULL_POINTER;
	rc = filter_in(filter, &k, conds);
	if (rc)
		return rc;
	memset(&o, 0, sizeof(o));
	rc = wfp_obj_req_strings(&o, filter->displayData.name,
				 filter->displayData.description, NULL);
	e = rc ? NULL : wfp_engine_get(engineHandle);
	if (!rc && !e)
		rc = ERROR_INVALID_HANDLE;
	if (!rc) {
		k.name = o.name;
		k.name_len = o.name_len;
		k.desc = o.desc;
		k.desc_len = o.desc_len;
		err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_FILTER_ADD, &k);
		wfp_engine_put(e);
		rc = err ? wfp_obj_status(WFP_IPSEC_OBJ_FILTER, err) : 0;
	}
	if (!rc && id)
		*id = k.id;
	wfp_obj_req_free(&o);
	return rc;
}

DWORD WINAPI FwpmFilterDeleteById0(HANDLE engineHandle, UINT64 id)
{
	return wfp_obj_delete_key_id(engineHandle, WFP_IPSEC_OBJ_FILTER, NULL,
				     id);
}

DWORD WINAPI FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return wfp_obj_delete(engineHandle, WFP_IPSEC_OBJ_FILTER, key);
}

/* ---- and back ---- */

#define FILTER_ROOM (WFP_IPSEC_FILTER_COND_MAX * \
		     sizeof(struct wfp_ipsec_filter_cond) + \
		     WFP_IPSEC_OBJ_NAME_MAX + WFP_IPSEC_OBJ_DESC_MAX + \
		     WFP_IPSEC_OBJ_DATA_MAX)

/* Packs what FILTER_GET wrote in room into f->buf; f->o gets the sizes. */
static int filter_pack(struct wfp_obj_full *f)
{
	const struct wfp_ipsec_filter *k = &f->flt;
	size_t nc = (size_t)k->num_conds * sizeof(*f->conds);
	char *p;

	p = malloc(nc + k->name_len + k->desc_len + k->data_len + 1);
	if (!p)
		return ENOMEM;
	f->buf = p;
	f->conds = memcpy(p, (void *)(uintptr_t)k->conds, nc);
	p += nc;
	f->name = memcpy(p, (void *)(uintptr_t)k->name, k->name_len);
	p += k->name_len;
	f->desc = memcpy(p, (void *)(uintptr_t)k->desc, k->desc_len);
	p += k->desc_len;
	f->data = memcpy(p, (void *)(uintptr_t)k->data, k->data_len);
	f->o.type = WFP_IPSEC_OBJ_FILTER;
	memcpy(f->o.key, k->key, sizeof(f->o.key));
	f->o.id = k->id;
	f->o.name_len = k->name_len;
	f->o.desc_len = k->desc_len;
	f->o.data_len = k->data_len;
	return 0;
}

/* The conditions first: the room is malloc'd, so they are aligned. */
int wfp_filter_fetch(int fd, const UINT8 *key, UINT64 id,
		     struct wfp_obj_full *f)
{
	struct wfp_ipsec_filter *k = &f->flt;
	char *room;
	int err;

	room = malloc(FILTER_ROOM);
	if (!room)
		return ENOMEM;
	memset(f, 0, sizeof(*f));
	if (key)
		memcpy(k->key, key, WFP_IPSEC_OBJ_KEY_LEN);
	else
		k->id = id;
	k->num_conds = WFP_IPSEC_FILTER_COND_MAX;
	k->conds = (UINT64)(uintptr_t)room;
	k->name = k->conds + WFP_IPSEC_FILTER_COND_MAX *
			     sizeof(struct wfp_ipsec_filter_cond);
	k->name_len = WFP_IPSEC_OBJ_NAME_MAX;
	k->desc = k->name + WFP_IPSEC_OBJ_NAME_MAX;
	k->desc_len = WFP_IPSEC_OBJ_DESC_MAX;
	k->data = k->desc + WFP_IPSEC_OBJ_DESC_MAX;
	k->data_len = WFP_IPSEC_OBJ_DATA_MAX;
	err = wfp_ioctl(fd, WFP_IPSEC_IOC_FILTER_GET, k);
	if (!err)
		err = filter_pack(f);
	free(room);
	return err;
}

static GUID *guid_out(struct wfp_arena *a, const UINT8 *key)
{
	GUID *g = wfp_arena_take(a, sizeof(*g));

	if (g)
		wfp_obj_key_out(key, g);
	return g;
}

/* A UINT64 FWP_VALUE0 pointing into the block. */
static void u64_out(struct wfp_arena *a, UINT64 v, FWP_VALUE0 *out)
{
	UINT64 *p = wfp_arena_take(a, sizeof(*p));

	if (p)
		*p = v;
	out->type = FWP_UINT64;
	out->uint64 = p;
}

static void weight_out(struct wfp_arena *a, const struct wfp_ipsec_filter *k,
		       FWPM_FILTER0 *c)
{
	c->weight.type = (FWP_DATA_TYPE)k->weight_type;
	if (k->weight_type == WFP_IPSEC_WEIGHT_UINT8)
		c->weight.uint8 = (UINT8)k->weight;
	else if (k->weight_type == WFP_IPSEC_WEIGHT_UINT64)
		u64_out(a, k->weight, &c->weight);
	u64_out(a, k->effective_weight, &c->effectiveWeight);
}

static void action_out(const struct wfp_ipsec_filter *k, FWPM_FILTER0 *c)
{
	if (k->action == WFP_IPSEC_ACTION_CALLOUT) {
		c->action.type = FWP_ACTION_CALLOUT_TERMINATING;
		wfp_id_to_guid(callouts, N(callouts), k->callout,
			       &c->action.calloutKey);
		return;
	}
	c->action.type = k->action == WFP_IPSEC_ACTION_BLOCK ?
			 FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
	wfp_obj_key_out(k->filter_type, &c->action.filterType);
}

static void *filter_fill(struct wfp_arena *a, const struct wfp_obj_full *f)
{
	const struct wfp_ipsec_filter *k = &f->flt;
	FWPM_FILTER0 *out = wfp_arena_take(a, sizeof(*out));
	FWPM_FILTER0 dummy, *c = out ? out : &dummy;	/* dummy: measuring */
	FWPM_FILTER_CONDITION0 *conds, cdummy;
	UINT32 i;

	wfp_obj_key_out(k->key, &c->filterKey);
	c->displayData.name = wfp_arena_wide(a, f->name, k->name_len, 0);
	c->displayData.description =
		wfp_arena_wide(a, f->desc, k->desc_len, 1);
	c->flags = k->flags;
	c->providerKey = k->has_provider ? guid_out(a, k->provider_key) : NULL;
	wfp_arena_blob(a, f, &c->providerData);
	wfp_id_to_guid(layers, N(layers), k->layer, &c->layerKey);
	wfp_obj_key_out(k->sublayer_key, &c->subLayerKey);
	weight_out(a, k, c);
	conds = wfp_arena_take(a, (size_t)k->num_conds * sizeof(*conds));
	for (i = 0; i < k->num_conds; i++)
		wfp_cond_out(a, &f->conds[i], k->layer,
			     conds ? &conds[i] : &cdummy);
	c->numFilterConditions = k->num_conds;
	c->filterCondition = k->num_conds ? conds : NULL;
	action_out(k, c);
	if (k->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT)
		wfp_obj_key_out(k->pctx_key, &c->providerContextKey);
	else
		c->rawContext = k->raw_context;
	c->reserved = NULL;
	c->filterId = k->id;
	return out;
}

DWORD WINAPI FwpmFilterGetById0(HANDLE engineHandle, UINT64 id,
				FWPM_FILTER0 **filter)
{
	return wfp_obj_get_key_id(engineHandle, WFP_IPSEC_OBJ_FILTER, NULL, id,
				  (void **)filter, filter_fill);
}

DWORD WINAPI FwpmFilterGetByKey0(HANDLE engineHandle, const GUID *key,
				 FWPM_FILTER0 **filter)
{
	return wfp_obj_get(engineHandle, WFP_IPSEC_OBJ_FILTER, key,
			   (void **)filter, filter_fill);
}

/* ---- enumeration ---- */

/* The template with its GUIDs as the module's numbers (0: any). */
struct filter_tmpl {
	const FWPM_FILTER_ENUM_TEMPLATE0 *t;
	UINT32 layer, callout;
};

static UINT32 action_type(const struct wfp_ipsec_filter *k)
{
	if (k->action == WFP_IPSEC_ACTION_CALLOUT)
		return FWP_ACTION_CALLOUT_TERMINATING;
	return k->action == WFP_IPSEC_ACTION_BLOCK ? FWP_ACTION_BLOCK :
						     FWP_ACTION_PERMIT;
}

static int filter_match(const struct wfp_obj_full *f, const void *tmpl)
{
	const struct filter_tmpl *m = tmpl;
	const struct wfp_ipsec_filter *k = &f->flt;
	UINT8 pk[WFP_IPSEC_OBJ_KEY_LEN];

	if (m->t->providerKey) {
		wfp_obj_key_in(m->t->providerKey, pk);
		if (!k->has_provider || memcmp(pk, k->provider_key, sizeof(pk)))
			return 0;
	}
	if (m->layer && k->layer != m->layer)
		return 0;
	/* Filters whose action type has a bit of the mask. */
	if (m->t->actionMask != 0xFFFFFFFF &&
	    !(action_type(k) & m->t->actionMask))
		return 0;
	return !m->callout || k->callout == m->callout;
}

/* The template's GUIDs into m; the parts this engine cannot honour. */
static DWORD filter_tmpl_in(const FWPM_FILTER_ENUM_TEMPLATE0 *t,
			    struct filter_tmpl *m)
{
	m->t = t;
	m->layer = 0;
	m->callout = 0;
	if ((UINT32)t->enumType >= FWP_FILTER_ENUM_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	if (t->numFilterConditions || t->providerContextTemplate)
		return ERROR_NOT_SUPPORTED;
	if (!guid_zero(&t->layerKey)) {
		m->layer = wfp_guid_to_id(layers, N(layers), &t->layerKey);
		if (!m->layer)
			return FWP_E_LAYER_NOT_FOUND;
	}
	if (t->actionMask != FWP_ACTION_FLAG_CALLOUT)
		return ERROR_SUCCESS;
	if (!t->calloutKey)
		return FWP_E_NULL_POINTER;
	m->callout = wfp_guid_to_id(callouts, N(callouts), t->calloutKey);
	return m->callout ? ERROR_SUCCESS : FWP_E_CALLOUT_NOT_FOUND;
}

DWORD WINAPI FwpmFilterCreateEnumHandle0(HANDLE engineHandle,
		const FWPM_FILTER_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle)
{
	struct filter_tmpl m;
	DWORD rc;

	if (!enumTemplate)
		return wfp_obj_enum_create(engineHandle, WFP_IPSEC_OBJ_FILTER,
					   NULL, NULL, enumHandle);
	rc = filter_tmpl_in(enumTemplate, &m);
	if (rc)
		return rc;
	/* The snapshot is taken here: m is not needed afterwards. */
	return wfp_obj_enum_create(engineHandle, WFP_IPSEC_OBJ_FILTER,
				   filter_match, &m, enumHandle);
}

DWORD WINAPI FwpmFilterEnum0(HANDLE engineHandle, HANDLE enumHandle,
			     UINT32 numEntriesRequested,
			     FWPM_FILTER0 ***entries,
			     UINT32 *numEntriesReturned)
{
	return wfp_obj_enum_next(engineHandle, WFP_IPSEC_OBJ_FILTER,
				 enumHandle, numEntriesRequested,
				 (void **)entries, numEntriesReturned,
				 filter_fill);
}

DWORD WINAPI FwpmFilterDestroyEnumHandle0(HANDLE engineHandle,
					  HANDLE enumHandle)
{
	return wfp_obj_enum_destroy(engineHandle, WFP_IPSEC_OBJ_FILTER,
				    enumHandle);
}
