// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmSubLayerAdd0, FwpmSubLayerDeleteByKey0, FwpmSubLayerGetByKey0 and
 * the sublayer enumeration (Documentation/objects.rst).
 */
#include <string.h>

#include "internal.h"

static void *sublayer_fill(struct wfp_arena *a, const struct wfp_obj_full *f)
{
	FWPM_SUBLAYER0 *out = wfp_arena_take(a, sizeof(*out));
	FWPM_SUBLAYER0 dummy, *p = out ? out : &dummy;	/* dummy: measuring */
	GUID *prov = NULL;

	if (f->o.has_provider) {
		prov = wfp_arena_take(a, sizeof(*prov));
		if (prov)
			wfp_obj_key_out(f->o.provider_key, prov);
	}
	wfp_obj_key_out(f->o.key, &p->subLayerKey);
	p->flags = f->o.flags;
	p->weight = f->o.weight;
	p->providerKey = prov;
	p->displayData.name = wfp_arena_wide(a, f->name, f->o.name_len, 0);
	p->displayData.description =
		wfp_arena_wide(a, f->desc, f->o.desc_len, 1);
	wfp_arena_blob(a, f, &p->providerData);
	return out;
}

DWORD WINAPI FwpmSubLayerAdd0(HANDLE engineHandle,
			      const FWPM_SUBLAYER0 *subLayer,
			      PSECURITY_DESCRIPTOR sd)
{
	struct wfp_ipsec_obj o;
	DWORD rc;

	(void)sd;	/* rights are the namespace's: Documentation/rights.rst */
	if (!subLayer)
		return FWP_E_NULL_POINTER;
	if (subLayer->flags & ~(UINT32)FWPM_SUBLAYER_FLAG_PERSISTENT)
		return FWP_E_INVALID_FLAGS;
	if (subLayer->providerData.size && !subLayer->providerData.data)
		return FWP_E_NULL_POINTER;
	memset(&o, 0, sizeof(o));
	o.type = WFP_IPSEC_OBJ_SUBLAYER;
	o.flags = subLayer->flags;
	o.weight = subLayer->weight;
	wfp_obj_key_in(&subLayer->subLayerKey, o.key);
	if (subLayer->providerKey) {
		o.has_provider = 1;
		wfp_obj_key_in(subLayer->providerKey, o.provider_key);
	}
	o.data = (UINT64)(uintptr_t)subLayer->providerData.data;
	o.data_len = subLayer->providerData.size;
	rc = wfp_obj_req_strings(&o, subLayer->displayData.name,
				 subLayer->displayData.description, NULL);
	if (!rc)
		rc = wfp_obj_add(engineHandle, &o);
	wfp_obj_req_free(&o);
	return rc;
}

DWORD WINAPI FwpmSubLayerDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return wfp_obj_delete(engineHandle, WFP_IPSEC_OBJ_SUBLAYER, key);
}

DWORD WINAPI FwpmSubLayerGetByKey0(HANDLE engineHandle, const GUID *key,
				   FWPM_SUBLAYER0 **subLayer)
{
	return wfp_obj_get(engineHandle, WFP_IPSEC_OBJ_SUBLAYER, key,
			   (void **)subLayer, sublayer_fill);
}

/* The template names a provider: only its sublayers are enumerated. */
static int sublayer_match(const struct wfp_obj_full *f, const void *tmpl)
{
	UINT8 k[WFP_IPSEC_OBJ_KEY_LEN];

	wfp_obj_key_in(tmpl, k);
	return f->o.has_provider &&
	       !memcmp(f->o.provider_key, k, sizeof(k));
}

DWORD WINAPI FwpmSubLayerCreateEnumHandle0(HANDLE engineHandle,
		const FWPM_SUBLAYER_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle)
{
	const GUID *prov = enumTemplate ? enumTemplate->providerKey : NULL;

	return wfp_obj_enum_create(engineHandle, WFP_IPSEC_OBJ_SUBLAYER,
				   prov ? sublayer_match : NULL, prov,
				   enumHandle);
}

DWORD WINAPI FwpmSubLayerEnum0(HANDLE engineHandle, HANDLE enumHandle,
			       UINT32 numEntriesRequested,
			       FWPM_SUBLAYER0 ***entries,
			       UINT32 *numEntriesReturned)
{
	return wfp_obj_enum_next(engineHandle, WFP_IPSEC_OBJ_SUBLAYER,
				 enumHandle, numEntriesRequested,
				 (void **)entries, numEntriesReturned,
				 sublayer_fill);
}

DWORD WINAPI FwpmSubLayerDestroyEnumHandle0(HANDLE engineHandle,
					    HANDLE enumHandle)
{
	return wfp_obj_enum_destroy(engineHandle, WFP_IPSEC_OBJ_SUBLAYER,
				    enumHandle);
}
