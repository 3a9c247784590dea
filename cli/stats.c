// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec stats: IPsecGetStatistics1 for the network namespace the tool
 * runs in.  Documentation/stats.rst names the Linux source of each field.
 */
#include <stddef.h>
#include <string.h>

#include "cli.h"

struct stat_group {
	const char *key;	/* JSON */
	const char *title;	/* text */
	size_t offset;		/* of the group in IPSEC_STATISTICS1 */
};

struct stat_field {
	int group;
	const char *key;
	const char *label;
	size_t offset;		/* in the group */
	bool wide;		/* UINT64, else UINT32 */
};

enum { AGG_SA, ESP_DROP, AH_DROP, AGG_DROP, IN_TRAFFIC, OUT_TRAFFIC, GROUPS };

#define GROUP(k, t, m) { k, t, offsetof(IPSEC_STATISTICS1, m) }

static const struct stat_group groups[GROUPS] = {
	[AGG_SA] = GROUP("sas", "SAs", aggregateSaStatistics),
	[ESP_DROP] = GROUP("esp_drops", "ESP drops (inbound)", espDropPacketStatistics),
	[AH_DROP] = GROUP("ah_drops", "AH drops (inbound)", ahDropPacketStatistics),
	[AGG_DROP] = GROUP("drops", "all drops (inbound)", aggregateDropPacketStatistics),
	[IN_TRAFFIC] = GROUP("inbound", "inbound traffic", inboundTrafficStatistics),
	[OUT_TRAFFIC] = GROUP("outbound", "outbound traffic", outboundTrafficStatistics),
};

#define F32(g, type, m, k, l) { g, k, l, offsetof(type, m), false }
#define F64(g, type, m, k, l) { g, k, l, offsetof(type, m), true }
#define SA(m, k, l) F32(AGG_SA, IPSEC_AGGREGATE_SA_STATISTICS0, m, k, l)
#define ESP(m, k, l) F32(ESP_DROP, IPSEC_ESP_DROP_PACKET_STATISTICS0, m, k, l)
#define AH(m, k, l) F32(AH_DROP, IPSEC_AH_DROP_PACKET_STATISTICS0, m, k, l)
#define DROP(m, k, l) F32(AGG_DROP, IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1, m, k, l)
#define TRAFFIC(g, m, k, l) F64(g, IPSEC_TRAFFIC_STATISTICS1, m, k, l)
#define TRAFFIC_FIELDS(g) \
	TRAFFIC(g, encryptedByteCount, "encrypted_bytes", "encrypted bytes"), \
	TRAFFIC(g, authenticatedAHByteCount, "ah_bytes", "AH-authenticated bytes"), \
	TRAFFIC(g, authenticatedESPByteCount, "esp_auth_bytes", "ESP-authenticated bytes"), \
	TRAFFIC(g, transportByteCount, "transport_bytes", "transport-mode bytes"), \
	TRAFFIC(g, tunnelByteCount, "tunnel_bytes", "tunnel-mode bytes"), \
	TRAFFIC(g, offloadByteCount, "offload_bytes", "offloaded bytes"), \
	TRAFFIC(g, totalSuccessfulPackets, "packets", "packets")

static const struct stat_field fields[] = {
	SA(activeSas, "active", "active"),
	SA(pendingSaNegotiations, "pending", "pending (SPI reserved, not complete)"),
	SA(totalSasAdded, "added", "added"),
	SA(totalSasDeleted, "deleted", "deleted"),
	SA(successfulRekeys, "rekeys", "successful rekeys"),
	SA(activeTunnels, "active_tunnels", "active tunnels"),
	SA(offloadedSas, "offloaded", "offloaded"),
	ESP(invalidSpisOnInbound, "invalid_spi", "invalid SPI"),
	ESP(decryptionFailuresOnInbound, "decryption_failures", "decryption failures"),
	ESP(authenticationFailuresOnInbound, "authentication_failures", "authentication failures"),
	ESP(replayCheckFailuresOnInbound, "replay_check_failures", "replay check failures"),
	ESP(saNotInitializedOnInbound, "sa_not_initialized", "SA not initialized"),
	AH(invalidSpisOnInbound, "invalid_spi", "invalid SPI"),
	AH(authenticationFailuresOnInbound, "authentication_failures", "authentication failures"),
	AH(replayCheckFailuresOnInbound, "replay_check_failures", "replay check failures"),
	AH(saNotInitializedOnInbound, "sa_not_initialized", "SA not initialized"),
	DROP(invalidSpisOnInbound, "invalid_spi", "invalid SPI"),
	DROP(decryptionFailuresOnInbound, "decryption_failures", "decryption failures"),
	DROP(authenticationFailuresOnInbound, "authentication_failures", "authentication failures"),
	DROP(udpEspValidationFailuresOnInbound, "udp_esp_validation_failures",
	     "UDP-ESP validation failures"),
	DROP(replayCheckFailuresOnInbound, "replay_check_failures", "replay check failures"),
	DROP(invalidClearTextInbound, "invalid_clear_text", "invalid clear text"),
	DROP(saNotInitializedOnInbound, "sa_not_initialized", "SA not initialized"),
	DROP(receiveOverIncorrectSaInbound, "incorrect_sa", "received over the wrong SA"),
	DROP(secureReceivesNotMatchingFilters, "not_matching_filters",
	     "secure receives not matching policy"),
	DROP(totalDropPacketsInbound, "total", "total"),
	TRAFFIC_FIELDS(IN_TRAFFIC),
	TRAFFIC_FIELDS(OUT_TRAFFIC),
};

static UINT64 field_value(const IPSEC_STATISTICS1 *s, const struct stat_field *f)
{
	const char *p = (const char *)s + groups[f->group].offset + f->offset;
	UINT64 v64;
	UINT32 v32;

	if (f->wide) {
		memcpy(&v64, p, sizeof(v64));
		return v64;
	}
	memcpy(&v32, p, sizeof(v32));
	return v32;
}

static void print_group(const IPSEC_STATISTICS1 *s, int g)
{
	UINT64 v;
	size_t i;

	if (g_json)
		json_begin_object(groups[g].key);
	else
		printf("%s%s:\n", g ? "\n" : "", groups[g].title);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].group != g)
			continue;
		v = field_value(s, &fields[i]);
		if (g_json)
			json_uint(fields[i].key, v);
		else
			printf("  %-40s %llu\n", fields[i].label,
			       (unsigned long long)v);
	}
	if (g_json)
		json_end();
}

int stats(int argc, char **argv)
{
	IPSEC_STATISTICS1 s;
	HANDLE engine;
	int g, st;
	DWORD rc;

	(void)argc;
	(void)argv;
	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecGetStatistics1(engine, &s);
	engine_close(engine);
	if (rc)
		return fail_call("IPsecGetStatistics1", rc);
	if (g_json)
		json_begin_object(NULL);
	for (g = 0; g < GROUPS; g++)
		print_group(&s, g);
	if (g_json)
		json_end();
	return EXIT_OK;
}
