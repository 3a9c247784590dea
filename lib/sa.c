// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextAddInbound0/1 and AddOutbound0/1: IPSEC_SA_BUNDLE0/1 in
 * kernel form (Documentation/sa.rst), and the bundles GetById reports.
 * Keys travel to the module as pointers into the caller's blobs; the
 * library never copies them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

static DWORD add_status(int err, UINT32 status)
{
	switch (status) {
	case WFP_IPSEC_ADD_ST_TRANSFORM:
		return FWP_E_INVALID_ENUMERATOR;
	case WFP_IPSEC_ADD_ST_AUTH:
		return FWP_E_INVALID_AUTH_TRANSFORM;
	case WFP_IPSEC_ADD_ST_CIPHER:
		return FWP_E_INVALID_CIPHER_TRANSFORM;
	case WFP_IPSEC_ADD_ST_COMBINATION:
		return FWP_E_INVALID_TRANSFORM_COMBINATION;
	case WFP_IPSEC_ADD_ST_KEY_LENGTH:
	case WFP_IPSEC_ADD_ST_SPI:
		return FWP_E_INVALID_PARAMETER;
	case WFP_IPSEC_ADD_ST_UNAVAILABLE:
		return ERROR_NOT_SUPPORTED;
	}
	switch (err) {
	case EBUSY:	/* out of order */
	case ESRCH:	/* the reserved SPI vanished from xfrm */
		return FWP_E_INCOMPATIBLE_SA_STATE;
	case EOPNOTSUPP:
	case ENOPKG:
		return ERROR_NOT_SUPPORTED;
	default:
		return wfp_status_from_errno(err);
	}
}

static DWORD key_in(const FWP_BYTE_BLOB *blob, __u64 *ptr, __u32 *len)
{
	if (blob->size && !blob->data)
		return FWP_E_NULL_POINTER;
	if (blob->size > WFP_IPSEC_KEY_MAX)
		return FWP_E_INVALID_PARAMETER;
	*ptr = (__u64)(uintptr_t)blob->data;
	*len = blob->size;
	return ERROR_SUCCESS;
}

static DWORD auth_in(const IPSEC_SA_AUTH_INFORMATION0 *a,
		     struct wfp_ipsec_sa *k)
{
	if (!a)
		return FWP_E_NULL_POINTER;
	k->auth_type = a->authTransform.authTransformId.authType;
	k->auth_config = a->authTransform.authTransformId.authConfig;
	return key_in(&a->authKey, &k->auth_key, &k->auth_key_len);
}

static DWORD cipher_in(const IPSEC_SA_CIPHER_INFORMATION0 *c,
		       struct wfp_ipsec_sa *k)
{
	if (!c)
		return FWP_E_NULL_POINTER;
	k->cipher_type = c->cipherTransform.cipherTransformId.cipherType;
	k->cipher_config = c->cipherTransform.cipherTransformId.cipherConfig;
	return key_in(&c->cipherKey, &k->cipher_key, &k->cipher_key_len);
}

static DWORD sa_in(const IPSEC_SA0 *sa, struct wfp_ipsec_sa *k)
{
	DWORD rc;

	k->spi = sa->spi;
	k->transform_type = sa->saTransformType;
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		/* The three arms are the same pointer type. */
		return auth_in(sa->ahInformation, k);
	case IPSEC_TRANSFORM_ESP_CIPHER:
		return cipher_in(sa->espCipherInformation, k);
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		if (!sa->espAuthAndCipherInformation)
			return FWP_E_NULL_POINTER;
		rc = cipher_in(&sa->espAuthAndCipherInformation->saCipherInformation, k);
		if (!rc)
			rc = auth_in(&sa->espAuthAndCipherInformation->saAuthInformation, k);
		return rc;
	default:
		/* The union cannot be read for an unknown type. */
		return FWP_E_INVALID_ENUMERATOR;
	}
}

/* The members IPSEC_SA_BUNDLE0 and 1 share, by name. */
#define BUNDLE_IN(b, k) do {						\
	(k)->flags = (b)->flags;					\
	(k)->num_sas = (b)->numSAs;					\
	(k)->lifetime_seconds = (b)->lifetime.lifetimeSeconds;		\
	(k)->lifetime_kilobytes = (b)->lifetime.lifetimeKilobytes;	\
	(k)->lifetime_packets = (b)->lifetime.lifetimePackets;		\
	(k)->idle_timeout_seconds = (b)->idleTimeoutSeconds;		\
	(k)->nd_allow_clear_timeout_seconds =				\
		(b)->ndAllowClearTimeoutSeconds;			\
	(k)->nap_context = (b)->napContext;				\
	(k)->qm_sa_id = (b)->qmSaId;					\
	(k)->pfs_group = (b)->pfsGroup;					\
	(k)->mm_sa_id = (b)->mmSaId;					\
	if ((b)->ipVersion == FWP_IP_VERSION_V4)			\
		(k)->peer_v4_private_addr =				\
			htonl((b)->peerV4PrivateAddress);		\
} while (0)

static DWORD sas_in(UINT32 numSAs, const IPSEC_SA0 *saList,
		    struct wfp_ipsec_bundle *k)
{
	if (!numSAs)
		return FWP_E_ZERO_LENGTH_ARRAY;
	if (!saList)
		return FWP_E_NULL_POINTER;
	if (numSAs == 2)
		/* AH+ESP bundles: a documented refusal (sa.rst). */
		return ERROR_NOT_SUPPORTED;
	if (numSAs > 2)
		return FWP_E_INVALID_PARAMETER;
	return sa_in(&saList[0], &k->sas[0]);
}

static DWORD add_call(HANDLE engineHandle, UINT64 id, unsigned long cmd,
		      struct wfp_ipsec_ctx_add *a)
{
	struct wfp_engine *e;
	int err;

	a->id = id;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, cmd, a);
	wfp_engine_put(e);
	return err ? add_status(err, a->status) : ERROR_SUCCESS;
}

static DWORD add0(HANDLE engineHandle, UINT64 id, unsigned long cmd,
		  const IPSEC_SA_BUNDLE0 *b)
{
	struct wfp_ipsec_ctx_add a;
	DWORD rc;

	if (!b)
		return FWP_E_NULL_POINTER;
	memset(&a, 0, sizeof(a));
	BUNDLE_IN(b, &a.bundle);
	rc = sas_in(b->numSAs, b->saList, &a.bundle);
	if (rc)
		return rc;
	return add_call(engineHandle, id, cmd, &a);
}

DWORD wfp_bundle1_in(const IPSEC_SA_BUNDLE1 *b, struct wfp_ipsec_bundle *k)
{
	if (!b)
		return FWP_E_NULL_POINTER;
	memset(k, 0, sizeof(*k));
	BUNDLE_IN(b, k);
	k->qm_filter_id = b->qmFilterId;
	memcpy(k->sa_lookup_context, &b->saLookupContext, 16);
	return sas_in(b->numSAs, b->saList, k);
}

DWORD wfp_add_status(int err, UINT32 status)
{
	return add_status(err, status);
}

static DWORD add1(HANDLE engineHandle, UINT64 id, unsigned long cmd,
		  const IPSEC_SA_BUNDLE1 *b)
{
	struct wfp_ipsec_ctx_add a;
	DWORD rc;

	memset(&a, 0, sizeof(a));
	rc = wfp_bundle1_in(b, &a.bundle);
	if (rc)
		return rc;
	return add_call(engineHandle, id, cmd, &a);
}

DWORD WINAPI IPsecSaContextAddInbound0(HANDLE engineHandle, UINT64 id,
				       const IPSEC_SA_BUNDLE0 *inboundBundle)
{
	return add0(engineHandle, id, WFP_IPSEC_IOC_CTX_ADD_INBOUND,
		    inboundBundle);
}

DWORD WINAPI IPsecSaContextAddOutbound0(HANDLE engineHandle, UINT64 id,
					const IPSEC_SA_BUNDLE0 *outboundBundle)
{
	return add0(engineHandle, id, WFP_IPSEC_IOC_CTX_ADD_OUTBOUND,
		    outboundBundle);
}

DWORD WINAPI IPsecSaContextAddInbound1(HANDLE engineHandle, UINT64 id,
				       const IPSEC_SA_BUNDLE1 *inboundBundle)
{
	return add1(engineHandle, id, WFP_IPSEC_IOC_CTX_ADD_INBOUND,
		    inboundBundle);
}

DWORD WINAPI IPsecSaContextAddOutbound1(HANDLE engineHandle, UINT64 id,
					const IPSEC_SA_BUNDLE1 *outboundBundle)
{
	return add1(engineHandle, id, WFP_IPSEC_IOC_CTX_ADD_OUTBOUND,
		    outboundBundle);
}

/* ---- reading back: the bundle GetById/Enum report, keys omitted ---- */

int wfp_ctx_fetch_sas(int fd, struct wfp_ctx_full *full)
{
	struct wfp_ipsec_ctx_sa g;
	UINT32 dir;
	int err;

	for (dir = 0; dir < 2; dir++) {
		full->has_sa[dir] = 0;
		if (full->info.state < (dir == WFP_IPSEC_DIR_INBOUND ?
					WFP_IPSEC_CTX_STATE_INBOUND :
					WFP_IPSEC_CTX_STATE_COMPLETE))
			continue;
		memset(&g, 0, sizeof(g));
		g.id = full->info.id;
		g.dir = dir;
		err = wfp_ioctl(fd, WFP_IPSEC_IOC_CTX_GET_SA, &g);
		/* Deleted meanwhile: report what was read before. */
		if (err == ENOENT)
			continue;
		if (err)
			return err;
		full->sa[dir] = g.bundle;
		full->has_sa[dir] = 1;
	}
	return 0;
}

void wfp_sa_out(const struct wfp_ipsec_sa *k, IPSEC_SA0 *sa,
		IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info)
{
	IPSEC_SA_AUTH_INFORMATION0 *a = &info->saAuthInformation;
	IPSEC_SA_CIPHER_INFORMATION0 *c = &info->saCipherInformation;

	sa->spi = k->spi;
	sa->saTransformType = (IPSEC_TRANSFORM_TYPE)k->transform_type;
	a->authTransform.authTransformId.authType = (IPSEC_AUTH_TYPE)k->auth_type;
	a->authTransform.authTransformId.authConfig = k->auth_config;
	c->cipherTransform.cipherTransformId.cipherType =
		(IPSEC_CIPHER_TYPE)k->cipher_type;
	c->cipherTransform.cipherTransformId.cipherConfig = k->cipher_config;
	switch (k->transform_type) {
	case WFP_IPSEC_TRANSFORM_ESP_CIPHER:
		sa->espCipherInformation = c;
		break;
	case WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		sa->espAuthAndCipherInformation = info;
		break;
	default:
		sa->ahInformation = a;
		break;
	}
}
