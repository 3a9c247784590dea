// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecGetStatistics0/1 from the module's WFP_IPSEC_IOC_STATS: xfrm's
 * MIB for the session's namespace, the module's SA counters and the
 * traffic of the installed SAs.  Documentation/stats.rst lists the
 * source of every field; fields Linux has nothing for are 0.  Windows
 * counts in UINT32 where xfrm has 64 bits: values saturate.
 */
#include <string.h>

#include "internal.h"

static UINT32 u32_sat(__u64 v)
{
	return v > 0xffffffffULL ? 0xffffffffU : (UINT32)v;
}

/* The members both versions share, by name. */
#define STATS_COMMON(st, w) do {					\
	(w)->aggregateSaStatistics.activeSas = u32_sat((st)->active_sas); \
	(w)->aggregateSaStatistics.pendingSaNegotiations =		\
		u32_sat((st)->pending);					\
	(w)->aggregateSaStatistics.totalSasAdded = u32_sat((st)->sas_added); \
	(w)->aggregateSaStatistics.totalSasDeleted =			\
		u32_sat((st)->sas_deleted);				\
	(w)->aggregateSaStatistics.successfulRekeys = u32_sat((st)->rekeys); \
	(w)->aggregateSaStatistics.activeTunnels =			\
		u32_sat((st)->active_tunnels);				\
	/* xfrm counts per namespace, not per protocol: ESP carries them. */ \
	(w)->espDropPacketStatistics.invalidSpisOnInbound =		\
		u32_sat((st)->in_no_states);				\
	(w)->espDropPacketStatistics.decryptionFailuresOnInbound =	\
		u32_sat((st)->in_state_proto_error);			\
	(w)->espDropPacketStatistics.authenticationFailuresOnInbound =	\
		u32_sat((st)->in_state_proto_error);			\
	(w)->espDropPacketStatistics.replayCheckFailuresOnInbound =	\
		u32_sat((st)->in_state_seq_error);			\
	(w)->espDropPacketStatistics.saNotInitializedOnInbound =	\
		u32_sat((st)->in_state_invalid);			\
	(w)->aggregateDropPacketStatistics.invalidSpisOnInbound =	\
		u32_sat((st)->in_no_states);				\
	(w)->aggregateDropPacketStatistics.decryptionFailuresOnInbound = \
		u32_sat((st)->in_state_proto_error);			\
	(w)->aggregateDropPacketStatistics.authenticationFailuresOnInbound = \
		u32_sat((st)->in_state_proto_error);			\
	(w)->aggregateDropPacketStatistics.udpEspValidationFailuresOnInbound = \
		u32_sat((st)->in_hdr_error);				\
	(w)->aggregateDropPacketStatistics.replayCheckFailuresOnInbound = \
		u32_sat((st)->in_state_seq_error);			\
	(w)->aggregateDropPacketStatistics.invalidClearTextInbound =	\
		u32_sat((st)->in_no_pols + (st)->in_pol_block);		\
	(w)->aggregateDropPacketStatistics.saNotInitializedOnInbound =	\
		u32_sat((st)->in_state_invalid);			\
	(w)->aggregateDropPacketStatistics.receiveOverIncorrectSaInbound = \
		u32_sat((st)->in_state_mismatch);			\
	(w)->aggregateDropPacketStatistics.secureReceivesNotMatchingFilters = \
		u32_sat((st)->in_tmpl_mismatch);			\
	TRAFFIC(&(st)->in, &(w)->inboundTrafficStatistics);		\
	TRAFFIC(&(st)->out, &(w)->outboundTrafficStatistics);		\
} while (0)

#define TRAFFIC(k, t) do {						\
	(t)->encryptedByteCount = (k)->encrypted_bytes;			\
	(t)->authenticatedAHByteCount = (k)->ah_bytes;			\
	(t)->authenticatedESPByteCount = (k)->esp_auth_bytes;		\
	(t)->transportByteCount = (k)->transport_bytes;			\
	(t)->tunnelByteCount = (k)->tunnel_bytes;			\
} while (0)

static DWORD get_stats(HANDLE engineHandle, struct wfp_ipsec_stats *st)
{
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	memset(st, 0, sizeof(*st));
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_STATS, st);
	wfp_engine_put(e);
	return wfp_status_from_errno(err);
}

DWORD WINAPI IPsecGetStatistics0(HANDLE engineHandle,
				 IPSEC_STATISTICS0 *ipsecStatistics)
{
	struct wfp_ipsec_stats st;
	DWORD rc;

	if (!ipsecStatistics)
		return FWP_E_NULL_POINTER;
	rc = get_stats(engineHandle, &st);
	if (rc)
		return rc;
	memset(ipsecStatistics, 0, sizeof(*ipsecStatistics));
	STATS_COMMON(&st, ipsecStatistics);
	return ERROR_SUCCESS;
}

DWORD WINAPI IPsecGetStatistics1(HANDLE engineHandle,
				 IPSEC_STATISTICS1 *ipsecStatistics)
{
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *d;
	struct wfp_ipsec_stats st;
	DWORD rc;

	if (!ipsecStatistics)
		return FWP_E_NULL_POINTER;
	rc = get_stats(engineHandle, &st);
	if (rc)
		return rc;
	memset(ipsecStatistics, 0, sizeof(*ipsecStatistics));
	STATS_COMMON(&st, ipsecStatistics);
	d = &ipsecStatistics->aggregateDropPacketStatistics;
	/* Every inbound drop xfrm counts, of which the above are kinds. */
	d->totalDropPacketsInbound = u32_sat(st.in_error + st.in_hdr_error +
		st.in_no_states + st.in_state_proto_error +
		st.in_state_seq_error + st.in_state_invalid +
		st.in_state_mismatch + st.in_state_expired +
		st.in_tmpl_mismatch + st.in_no_pols + st.in_pol_block);
	ipsecStatistics->inboundTrafficStatistics.totalSuccessfulPackets =
		st.in.packets;
	ipsecStatistics->outboundTrafficStatistics.totalSuccessfulPackets =
		st.out.packets;
	return ERROR_SUCCESS;
}
