// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextCreate0/1, IPsecSaContextDeleteById0 and
 * IPsecSaContextGetById0/1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wfpipsec.h"

/* Errors the context calls name more precisely than the default table. */
static DWORD ctx_status(int err)
{
	switch (err) {
	case EPERM:
		/* The module's answer for a dynamic session. */
		return FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
	case ENOSPC:
		return ERROR_NOT_ENOUGH_QUOTA;
	default:
		return wfp_status_from_errno(err);
	}
}

DWORD wfp_ctx_status(int err)
{
	return ctx_status(err);
}

static DWORD ctx_create(HANDLE engineHandle, struct wfp_ipsec_ctx_create *c,
			UINT64 *inboundFilterId, UINT64 *id)
{
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_CREATE, c);
	wfp_engine_put(e);
	if (err)
		return ctx_status(err);
	if (inboundFilterId)
		*inboundFilterId = c->inbound_filter_id;
	*id = c->id;
	return ERROR_SUCCESS;
}

DWORD WINAPI IPsecSaContextCreate0(HANDLE engineHandle,
				   const IPSEC_TRAFFIC0 *outboundTraffic,
				   UINT64 *inboundFilterId, UINT64 *id)
{
	struct wfp_ipsec_ctx_create c;
	DWORD rc;

	if (!outboundTraffic || !id)
		return FWP_E_NULL_POINTER;
	memset(&c, 0, sizeof(c));
	rc = wfp_traffic0_from_win(outboundTraffic, &c.traffic);
	if (rc)
		return rc;
	return ctx_create(engineHandle, &c, inboundFilterId, id);
}

DWORD WINAPI IPsecSaContextCreate1(HANDLE engineHandle,
				   const IPSEC_TRAFFIC1 *outboundTraffic,
				   const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *virtualIfTunnelInfo,
				   UINT64 *inboundFilterId, UINT64 *id)
{
	struct wfp_ipsec_ctx_create c;
	DWORD rc;

	if (!outboundTraffic || !id)
		return FWP_E_NULL_POINTER;
	memset(&c, 0, sizeof(c));
	rc = wfp_traffic_from_win(outboundTraffic, &c.traffic);
	if (rc)
		return rc;
	if (virtualIfTunnelInfo) {
		c.flags |= WFP_IPSEC_CTX_F_VIF;
		c.vif_tunnel_id = virtualIfTunnelInfo->virtualIfTunnelId;
		c.vif_traffic_selector_id = virtualIfTunnelInfo->trafficSelectorId;
	}
	return ctx_create(engineHandle, &c, inboundFilterId, id);
}

DWORD WINAPI IPsecSaContextExpire0(HANDLE engineHandle, UINT64 id)
{
	struct wfp_ipsec_ctx_id r = { .id = id };
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_EXPIRE, &r);
	wfp_engine_put(e);
	/* Only a complete context can expire (and only once). */
	if (err == EBUSY)
		return FWP_E_INCOMPATIBLE_SA_STATE;
	return ctx_status(err);
}

DWORD WINAPI IPsecSaContextDeleteById0(HANDLE engineHandle, UINT64 id)
{
	struct wfp_ipsec_ctx_id d = { .id = id };
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_DELETE, &d);
	wfp_engine_put(e);
	return ctx_status(err);
}

static FWP_IP_VERSION ip_version_to_win(UINT8 v)
{
	return v == WFP_IPSEC_IPV4 ? FWP_IP_VERSION_V4 : FWP_IP_VERSION_V6;
}

static int has_inbound(const struct wfp_ipsec_ctx_info *info)
{
	return info->state >= WFP_IPSEC_CTX_STATE_SPI_SET;
}

/*
 * One context as GetById and Enum return it: the context, then for each
 * direction its details, its SA and the SA's transform information, then
 * the inbound UDP encapsulation; every slot is there whether used or not,
 * so all entries have one size.  outboundSa carries the traffic the
 * context was created with, inboundSa appears once an inbound SPI is
 * reserved, and each bundle lists its SA once it is installed
 * (Documentation/contexts.rst).  No key is ever reported.
 */
struct slot1 {
	IPSEC_SA_CONTEXT1 ctx;
	IPSEC_SA_DETAILS1 details[2];	/* by WFP_IPSEC_DIR_* */
	struct wfp_sa_slot sas[2];
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
};

struct slot0 {
	IPSEC_SA_CONTEXT0 ctx;
	IPSEC_SA_DETAILS0 details[2];
	struct wfp_sa_slot sas[2];
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
};

static IPSEC_V4_UDP_ENCAPSULATION0 *
fill_encap(IPSEC_V4_UDP_ENCAPSULATION0 *encap,
	   const struct wfp_ipsec_ctx_info *info)
{
	if (!(info->spi_flags & WFP_IPSEC_SPI_F_UDP_ENCAP))
		return NULL;
	encap->localUdpEncapPort = ntohs(info->encap_local_port);
	encap->remoteUdpEncapPort = ntohs(info->encap_remote_port);
	return encap;
}

/* The bundle members IPSEC_SA_BUNDLE0 and 1 share, by name. */
#define BUNDLE_OUT(k, b, v, slot) do {					\
	(b)->flags = (k)->flags;					\
	(b)->lifetime.lifetimeSeconds = (k)->lifetime_seconds;		\
	(b)->lifetime.lifetimeKilobytes = (k)->lifetime_kilobytes;	\
	(b)->lifetime.lifetimePackets = (k)->lifetime_packets;		\
	(b)->idleTimeoutSeconds = (k)->idle_timeout_seconds;		\
	(b)->ndAllowClearTimeoutSeconds =				\
		(k)->nd_allow_clear_timeout_seconds;			\
	(b)->napContext = (k)->nap_context;				\
	(b)->qmSaId = (k)->qm_sa_id;					\
	(b)->numSAs = 1;						\
	(b)->saList = &(slot)->sa;					\
	(b)->pfsGroup = (IPSEC_PFS_GROUP)(k)->pfs_group;		\
	(b)->mmSaId = (k)->mm_sa_id;					\
	if ((v) == FWP_IP_VERSION_V4)					\
		(b)->peerV4PrivateAddress =				\
			ntohl((k)->peer_v4_private_addr);		\
	wfp_sa_out(&(k)->sas[0], &(slot)->sa, &(slot)->info);		\
} while (0)

/*
 * What both IPSEC_SA_DETAILS versions fill the same way, by member name:
 * one direction of a context.  The inbound details carry the traffic given
 * with the SPI and the context's UDP encapsulation.
 */
#define DETAILS_COMMON(d, full, dir, slot, encap, to_win) do {		\
	const struct wfp_ipsec_ctx_info *info_ = &(full)->info;	\
	FWP_IP_VERSION v_ = ip_version_to_win(info_->traffic.ip_version); \
	int in_ = (dir) == WFP_IPSEC_DIR_INBOUND;			\
									\
	(d)->ipVersion = v_;						\
	(d)->saDirection = in_ ? FWP_DIRECTION_INBOUND :		\
				 FWP_DIRECTION_OUTBOUND;		\
	to_win(in_ ? &info_->inbound : &info_->traffic, &(d)->traffic);	\
	(d)->saBundle.ipVersion = v_;					\
	if ((full)->has_sa[dir])					\
		BUNDLE_OUT(&(full)->sa[dir], &(d)->saBundle, v_, slot);	\
	if (in_)							\
		(d)->udpEncapsulation = fill_encap(encap, info_);	\
} while (0)

void wfp_details1_fill(IPSEC_SA_DETAILS1 *d, const struct wfp_ctx_full *full,
		       unsigned int dir, struct wfp_sa_slot *slot,
		       IPSEC_V4_UDP_ENCAPSULATION0 *encap)
{
	DETAILS_COMMON(d, full, dir, slot, encap, wfp_traffic_to_win);
	d->virtualIfTunnelInfo.virtualIfTunnelId = full->info.vif_tunnel_id;
	d->virtualIfTunnelInfo.trafficSelectorId =
		full->info.vif_traffic_selector_id;
	if (full->has_sa[dir]) {
		d->saBundle.qmFilterId = full->sa[dir].qm_filter_id;
		memcpy(&d->saBundle.saLookupContext,
		       full->sa[dir].sa_lookup_context, 16);
	}
}

void wfp_details0_fill(IPSEC_SA_DETAILS0 *d, const struct wfp_ctx_full *full,
		       unsigned int dir, struct wfp_sa_slot *slot,
		       IPSEC_V4_UDP_ENCAPSULATION0 *encap)
{
	DETAILS_COMMON(d, full, dir, slot, encap, wfp_traffic0_to_win);
}

/* The context members IPSEC_SA_CONTEXT0 and 1 share, by name. */
#define FILL_CONTEXT(s, full, details_fill) do {			\
	(s)->ctx.saContextId = (full)->info.id;				\
	(s)->ctx.outboundSa = &(s)->details[WFP_IPSEC_DIR_OUTBOUND];	\
	details_fill((s)->ctx.outboundSa, full, WFP_IPSEC_DIR_OUTBOUND,	\
		     &(s)->sas[WFP_IPSEC_DIR_OUTBOUND], &(s)->encap);	\
	if (has_inbound(&(full)->info)) {				\
		(s)->ctx.inboundSa =					\
			&(s)->details[WFP_IPSEC_DIR_INBOUND];		\
		details_fill((s)->ctx.inboundSa, full,			\
			     WFP_IPSEC_DIR_INBOUND,			\
			     &(s)->sas[WFP_IPSEC_DIR_INBOUND],		\
			     &(s)->encap);				\
	}								\
} while (0)

static void fill1(void *p, const struct wfp_ctx_full *full)
{
	struct slot1 *s = p;

	FILL_CONTEXT(s, full, wfp_details1_fill);
}

static void fill0(void *p, const struct wfp_ctx_full *full)
{
	struct slot0 *s = p;

	FILL_CONTEXT(s, full, wfp_details0_fill);
}

const struct wfp_ctx_layout wfp_ctx_layout0 = {
	.size = sizeof(struct slot0),
	.fill = fill0,
};

const struct wfp_ctx_layout wfp_ctx_layout1 = {
	.size = sizeof(struct slot1),
	.fill = fill1,
};

/*
 * n contexts in one allocation, as FwpmFreeMemory0 frees them: an array
 * of n pointers, then the n slots.  Slots are multiples of 8 bytes.
 */
void *wfp_ctx_alloc_array(const struct wfp_ctx_layout *l,
			  const struct wfp_ctx_full *fulls, UINT32 n)
{
	char *block, *p;
	void **ptrs;
	UINT32 i;

	block = calloc(1, n * sizeof(void *) + n * l->size);
	if (!block)
		return NULL;
	ptrs = (void **)(void *)block;
	p = block + n * sizeof(void *);
	for (i = 0; i < n; i++, p += l->size) {
		ptrs[i] = p;
		l->fill(p, &fulls[i]);
	}
	return block;
}

static DWORD ctx_get(HANDLE engineHandle, UINT64 id,
		     const struct wfp_ctx_layout *l, void **result)
{
	struct wfp_ctx_full full;
	struct wfp_engine *e;
	char *block;
	int err;

	if (!result)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	memset(&full, 0, sizeof(full));
	full.info.id = id;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_GET, &full.info);
	if (!err)
		err = wfp_ctx_fetch_sas(e->fd, &full);
	wfp_engine_put(e);
	if (err)
		return ctx_status(err);

	block = calloc(1, l->size);
	if (!block)
		return ERROR_NOT_ENOUGH_MEMORY;
	l->fill(block, &full);
	*result = block;
	return ERROR_SUCCESS;
}

DWORD WINAPI IPsecSaContextGetById0(HANDLE engineHandle, UINT64 id,
				    IPSEC_SA_CONTEXT0 **saContext)
{
	return ctx_get(engineHandle, id, &wfp_ctx_layout0, (void **)saContext);
}

DWORD WINAPI IPsecSaContextGetById1(HANDLE engineHandle, UINT64 id,
				    IPSEC_SA_CONTEXT1 **saContext)
{
	return ctx_get(engineHandle, id, &wfp_ctx_layout1, (void **)saContext);
}

DWORD WfpIpsecSaContextSetSelectors0(HANDLE engineHandle, UINT64 id,
				     const FWP_CONDITION_VALUE0 *localSubNet,
				     const FWP_CONDITION_VALUE0 *remoteSubNet,
				     UINT32 flags)
{
	struct wfp_ipsec_selectors sel;
	struct wfp_engine *e;
	DWORD rc;
	int err;

	_Static_assert(WFPIPSEC_SELECTORS_FLAG_NO_POLICY ==
		       WFP_IPSEC_SEL_F_NO_POLICY, "flag values");

	if (flags & ~(UINT32)WFPIPSEC_SELECTORS_FLAG_NO_POLICY)
		return FWP_E_INVALID_FLAGS;
	memset(&sel, 0, sizeof(sel));
	sel.id = id;
	sel.flags = flags;
	if (localSubNet) {
		rc = wfp_subnet_from_win(localSubNet, &sel.local);
		if (rc)
			return rc;
	}
	if (remoteSubNet) {
		rc = wfp_subnet_from_win(remoteSubNet, &sel.remote);
		if (rc)
			return rc;
	}
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_SET_SELECTORS, &sel);
	wfp_engine_put(e);
	if (err == EBUSY)
		return FWP_E_INCOMPATIBLE_SA_STATE;
	return ctx_status(err);
}
