// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmProviderAdd0, FwpmProviderDeleteByKey0, FwpmProviderGetByKey0 and
 * the provider enumeration (Documentation/objects.rst).
 */
#include <string.h>

#include "internal.h"

static void *provider_fill(struct wfp_arena *a, const struct wfp_obj_full *f)
{
	FWPM_PROVIDER0 *out = wfp_arena_take(a, sizeof(*out));
	FWPM_PROVIDER0 dummy, *p = out ? out : &dummy;	/* dummy: measuring */

	wfp_obj_key_out(f->o.key, &p->providerKey);
	p->flags = f->o.flags;
	p->displayData.name = wfp_arena_wide(a, f->name, f->o.name_len, 0);
	p->displayData.description =
		wfp_arena_wide(a, f->desc, f->o.desc_len, 1);
	p->serviceName = wfp_arena_wide(a, f->service, f->o.service_len, 1);
	wfp_arena_blob(a, f, &p->providerData);
	return out;
}

DWORD WINAPI FwpmProviderAdd0(HANDLE engineHandle,
			      const FWPM_PROVIDER0 *provider,
			      PSECURITY_DESCRIPTOR sd)
{
	struct wfp_ipsec_obj o;
	DWORD rc;

	(void)sd;	/* rights are the namespace's: Documentation/rights.rst */
	if (!provider)
		return FWP_E_NULL_POINTER;
	if (provider->flags & ~(UINT32)FWPM_PROVIDER_FLAG_PERSISTENT)
		return FWP_E_INVALID_FLAGS;
	if (provider->providerData.size && !provider->providerData.data)
		return FWP_E_NULL_POINTER;
	memset(&o, 0, sizeof(o));
	o.type = WFP_IPSEC_OBJ_PROVIDER;
	o.flags = provider->flags;
	wfp_obj_key_in(&provider->providerKey, o.key);
	o.data = (UINT64)(uintptr_t)provider->providerData.data;
	o.data_len = provider->providerData.size;
	rc = wfp_obj_req_strings(&o, provider->displayData.name,
				 provider->displayData.description,
				 provider->serviceName);
	if (!rc)
		rc = wfp_obj_add(engineHandle, &o);
	wfp_obj_req_free(&o);
	return rc;
}

DWORD WINAPI FwpmProviderDeleteByKey0(HANDLE engineHandle, const GUID *key)
{
	return wfp_obj_delete(engineHandle, WFP_IPSEC_OBJ_PROVIDER, key);
}

DWORD WINAPI FwpmProviderGetByKey0(HANDLE engineHandle, const GUID *key,
				   FWPM_PROVIDER0 **provider)
{
	return wfp_obj_get(engineHandle, WFP_IPSEC_OBJ_PROVIDER, key,
			   (void **)provider, provider_fill);
}

DWORD WINAPI FwpmProviderCreateEnumHandle0(HANDLE engineHandle,
		const FWPM_PROVIDER_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle)
{
	if (enumTemplate && enumTemplate->reserved)
		return FWP_E_RESERVED;
	return wfp_obj_enum_create(engineHandle, WFP_IPSEC_OBJ_PROVIDER, NULL,
				   NULL, enumHandle);
}

DWORD WINAPI FwpmProviderEnum0(HANDLE engineHandle, HANDLE enumHandle,
			       UINT32 numEntriesRequested,
			       FWPM_PROVIDER0 ***entries,
			       UINT32 *numEntriesReturned)
{
	return wfp_obj_enum_next(engineHandle, WFP_IPSEC_OBJ_PROVIDER,
				 enumHandle, numEntriesRequested,
				 (void **)entries, numEntriesReturned,
				 provider_fill);
}

DWORD WINAPI FwpmProviderDestroyEnumHandle0(HANDLE engineHandle,
					    HANDLE enumHandle)
{
	return wfp_obj_enum_destroy(engineHandle, WFP_IPSEC_OBJ_PROVIDER,
				    enumHandle);
}
