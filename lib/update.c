// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextUpdate0 (Documentation/lifecycle.rst).  The target is
 * newValues->saContextId; flags say which members apply.  strongSwan's
 * Windows backend reads a context with GetById1, edits it and calls this
 * right after installing, to turn NAT-T on; that sequence works as is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

#define KNOWN_FLAGS (IPSEC_SA_DETAILS_UPDATE_TRAFFIC |			\
		     IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION |		\
		     IPSEC_SA_BUNDLE_UPDATE_FLAGS |				\
		     IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |			\
		     IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE |			\
		     IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS |		\
		     IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)

_Static_assert(IPSEC_SA_DETAILS_UPDATE_TRAFFIC == WFP_IPSEC_UPD_F_TRAFFIC &&
	       IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION ==
	       WFP_IPSEC_UPD_F_UDP_ENCAP &&
	       IPSEC_SA_BUNDLE_UPDATE_FLAGS == WFP_IPSEC_UPD_F_BUNDLE_FLAGS &&
	       IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT ==
	       WFP_IPSEC_UPD_F_NAP_CONTEXT &&
	       IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID == WFP_IPSEC_UPD_F_MM_SA_ID,
	       "update flag values");

static DWORD update_status(int err)
{
	switch (err) {
	case EBUSY:
		return FWP_E_INCOMPATIBLE_SA_STATE;
	case EXDEV:
		return FWP_E_TRAFFIC_MISMATCH;
	default:
		return wfp_status_from_errno(err);
	}
}

/* Both directions describe one host pair, as everywhere else. */
static DWORD update_traffic(const IPSEC_SA_CONTEXT1 *c,
			    struct wfp_ipsec_ctx_update *u)
{
	struct wfp_ipsec_traffic in;
	DWORD rc;

	if (!c->outboundSa)
		return FWP_E_NULL_POINTER;
	rc = wfp_traffic_from_win(&c->outboundSa->traffic, &u->traffic);
	if (rc || !c->inboundSa)
		return rc;
	rc = wfp_traffic_from_win(&c->inboundSa->traffic, &in);
	if (rc)
		return rc;
	if (memcmp(in.local_addr, u->traffic.local_addr, 16) ||
	    memcmp(in.remote_addr, u->traffic.remote_addr, 16))
		return FWP_E_TRAFFIC_MISMATCH;
	return ERROR_SUCCESS;
}

/* The ports come from the SA details; NULL turns encapsulation off. */
static DWORD update_encap(const IPSEC_SA_CONTEXT1 *c,
			  struct wfp_ipsec_ctx_update *u)
{
	const IPSEC_V4_UDP_ENCAPSULATION0 *e = NULL;

	if (c->outboundSa)
		e = c->outboundSa->udpEncapsulation;
	if (!e && c->inboundSa)
		e = c->inboundSa->udpEncapsulation;
	if (!e)
		return ERROR_SUCCESS;
	if (!e->localUdpEncapPort || !e->remoteUdpEncapPort)
		return FWP_E_INVALID_PARAMETER;
	u->encap = 1;
	u->encap_local_port = htons(e->localUdpEncapPort);
	u->encap_remote_port = htons(e->remoteUdpEncapPort);
	return ERROR_SUCCESS;
}

/*
 * The bundle records the flags name, and only those: the module refuses
 * a record its flag does not name, and a caller that edits what GetById1
 * returned passes every record, set or not.
 */
static void update_records(const IPSEC_SA_CONTEXT1 *c, UINT64 flags,
			   struct wfp_ipsec_ctx_update *u)
{
	const IPSEC_SA_DETAILS1 *d[2] = { c->outboundSa, c->inboundSa };
	int dir;

	for (dir = 0; dir < 2; dir++) {
		if (!d[dir])
			continue;
		if (flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS)
			u->bundle_flags[dir] = d[dir]->saBundle.flags;
		if (flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
			u->nap_context[dir] = d[dir]->saBundle.napContext;
		if (flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
			u->mm_sa_id[dir] = d[dir]->saBundle.mmSaId;
	}
}

DWORD WINAPI IPsecSaContextUpdate0(HANDLE engineHandle, UINT64 flags,
				   const IPSEC_SA_CONTEXT1 *newValues)
{
	struct wfp_ipsec_ctx_update u;
	struct wfp_engine *e;
	DWORD rc;
	int err;

	_Static_assert(WFP_IPSEC_DIR_OUTBOUND == 0 && WFP_IPSEC_DIR_INBOUND == 1,
		       "direction order");
	if (!newValues)
		return FWP_E_NULL_POINTER;
	if (flags & ~(UINT64)KNOWN_FLAGS)
		return FWP_E_INVALID_FLAGS;
	/* The key module's state and the NAT-OA of live SAs: not kept. */
	if (flags & (IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE |
		     IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS))
		return ERROR_NOT_SUPPORTED;

	memset(&u, 0, sizeof(u));
	u.id = newValues->saContextId;
	u.flags = flags;
	if (flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC) {
		rc = update_traffic(newValues, &u);
		if (rc)
			return rc;
	}
	if (flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION) {
		rc = update_encap(newValues, &u);
		if (rc)
			return rc;
	}
	update_records(newValues, flags, &u);

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_CTX_UPDATE, &u);
	wfp_engine_put(e);
	return update_status(err);
}
