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
 * One context as GetById and Enum return it: the context, then its
 * outbound details, its inbound details and the inbound UDP
 * encapsulation, each slot present whether used or not, so every entry
 * has the same size.  outboundSa carries the traffic the context was
 * created with; inboundSa appears once an inbound SPI is reserved, with
 * the inbound traffic given then (Documentation/contexts.rst).
 */
struct slot1 {
	IPSEC_SA_CONTEXT1 ctx;
	IPSEC_SA_DETAILS1 out, in;
	IPSEC_V4_UDP_ENCAPSULATION0 encap;
};

struct slot0 {
	IPSEC_SA_CONTEXT0 ctx;
	IPSEC_SA_DETAILS0 out, in;
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

static void fill1(void *p, const struct wfp_ipsec_ctx_info *info)
{
	struct slot1 *s = p;
	FWP_IP_VERSION v = ip_version_to_win(info->traffic.ip_version);

	s->ctx.saContextId = info->id;
	s->ctx.outboundSa = &s->out;
	s->out.ipVersion = v;
	s->out.saDirection = FWP_DIRECTION_OUTBOUND;
	wfp_traffic_to_win(&info->traffic, &s->out.traffic);
	s->out.saBundle.ipVersion = v;
	s->out.virtualIfTunnelInfo.virtualIfTunnelId = info->vif_tunnel_id;
	s->out.virtualIfTunnelInfo.trafficSelectorId =
		info->vif_traffic_selector_id;
	if (!has_inbound(info))
		return;
	s->ctx.inboundSa = &s->in;
	s->in.ipVersion = v;
	s->in.saDirection = FWP_DIRECTION_INBOUND;
	wfp_traffic_to_win(&info->inbound, &s->in.traffic);
	s->in.saBundle.ipVersion = v;
	s->in.udpEncapsulation = fill_encap(&s->encap, info);
	s->in.virtualIfTunnelInfo = s->out.virtualIfTunnelInfo;
}

static void fill0(void *p, const struct wfp_ipsec_ctx_info *info)
{
	struct slot0 *s = p;
	FWP_IP_VERSION v = ip_version_to_win(info->traffic.ip_version);

	s->ctx.saContextId = info->id;
	s->ctx.outboundSa = &s->out;
	s->out.ipVersion = v;
	s->out.saDirection = FWP_DIRECTION_OUTBOUND;
	wfp_traffic0_to_win(&info->traffic, &s->out.traffic);
	s->out.saBundle.ipVersion = v;
	if (!has_inbound(info))
		return;
	s->ctx.inboundSa = &s->in;
	s->in.ipVersion = v;
	s->in.saDirection = FWP_DIRECTION_INBOUND;
	wfp_traffic0_to_win(&info->inbound, &s->in.traffic);
	s->in.saBundle.ipVersion = v;
	s->in.udpEncapsulation = fill_encap(&s->encap, info);
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
			  const struct wfp_ipsec_ctx_info *infos, UINT32 n)
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
		l->fill(p, &infos[i]);
	}
	return block;
}

static DWORD ctx_get(HANDLE engineHandle, UINT64 id,
		     const struct wfp_ctx_layout *l, void **result)
{
	struct wfp_ipsec_ctx_info info;
	struct wfp_engine *e;
	char *block;
	int err;

	if (!result)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	memset(&info, 0, sizeof(info));
	info.id = id;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_GET, &info);
	wfp_engine_put(e);
	if (err)
		return ctx_status(err);

	block = calloc(1, l->size);
	if (!block)
		return ERROR_NOT_ENOUGH_MEMORY;
	l->fill(block, &info);
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
