// SPDX-License-Identifier: MIT
/*
 * keying-demo: side A of `make run`.  Keys one IPsec SA pair between this
 * host and a peer the way a Windows keying module does - through the
 * Fwpuclnt calls only - and prints each call with its result:
 *
 *   keying-demo LOCAL REMOTE SPI-IN SPI-OUT KEY-IN KEY-OUT
 *
 * IPv4 transport mode, AES-GCM-128; keys are 20 bytes (16 of key, 4 of
 * salt) in hex.  The SA context is left in place for the demo to show.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>
#include <fwpmu.h>
#include <wfpipsec.h>

#define KEY_LEN 20

static int step(const char *call, DWORD rc)
{
	const char *name = WfpIpsecErrorName(rc);

	printf("  %-28s -> %s (0x%08X)\n", call, name ? name : "?",
	       (unsigned int)rc);
	return rc != ERROR_SUCCESS;
}

static int parse_key(const char *hex, UINT8 *key)
{
	unsigned int i;

	if (strlen(hex) != 2 * KEY_LEN)
		return -1;
	for (i = 0; i < KEY_LEN; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &key[i]) != 1)
			return -1;
	return 0;
}

/* One AES-GCM-128 SA, as IKE daemons hand them to Windows. */
static void gcm_bundle(IPSEC_SA_BUNDLE1 *b, IPSEC_SA0 *sa,
		       IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info,
		       IPSEC_SA_SPI spi, UINT8 *key)
{
	memset(b, 0, sizeof(*b));
	memset(sa, 0, sizeof(*sa));
	memset(info, 0, sizeof(*info));
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_128;
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_GCM_AES_128;
	info->saCipherInformation.cipherKey.size = KEY_LEN;
	info->saCipherInformation.cipherKey.data = key;
	info->saAuthInformation.authTransform.authTransformId.authType =
		IPSEC_AUTH_AES_128;
	info->saAuthInformation.authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_GCM_AES_128;
	info->saAuthInformation.authKey = info->saCipherInformation.cipherKey;
	sa->spi = spi;
	sa->saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->espAuthAndCipherInformation = info;
	b->numSAs = 1;
	b->saList = sa;
	b->ipVersion = FWP_IP_VERSION_V4;
	b->lifetime.lifetimeSeconds = 3600;
}

int main(int argc, char **argv)
{
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
	UINT8 key_in[KEY_LEN], key_out[KEY_LEN];
	struct in_addr local, remote;
	FWPM_SESSION0 session;
	IPSEC_SA_CONTEXT1 *ctx;
	IPSEC_SA_BUNDLE1 bundle;
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getspi;
	IPSEC_SA_SPI spi_in, spi_out;
	IPSEC_SA0 sa;
	HANDLE engine;
	UINT64 id;

	if (argc != 7 || inet_pton(AF_INET, argv[1], &local) != 1 ||
	    inet_pton(AF_INET, argv[2], &remote) != 1 ||
	    parse_key(argv[5], key_in) || parse_key(argv[6], key_out)) {
		fprintf(stderr, "usage: keying-demo LOCAL REMOTE SPI-IN SPI-OUT KEY-IN KEY-OUT\n");
		return 2;
	}
	spi_in = strtoul(argv[3], NULL, 0);
	spi_out = strtoul(argv[4], NULL, 0);

	memset(&session, 0, sizeof(session));
	if (step("FwpmEngineOpen0", FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT,
						     NULL, &session, &engine)))
		return 1;

	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = ntohl(local.s_addr);
	traffic.remoteV4Address = ntohl(remote.s_addr);
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	if (step("IPsecSaContextCreate1",
		 IPsecSaContextCreate1(engine, &traffic, NULL, NULL, &id)))
		return 1;
	printf("  %-28s    context id %llu\n", "", (unsigned long long)id);

	memset(&getspi, 0, sizeof(getspi));
	getspi.inboundIpsecTraffic = traffic;
	getspi.ipVersion = FWP_IP_VERSION_V4;
	if (step("IPsecSaContextSetSpi0",
		 IPsecSaContextSetSpi0(engine, id, &getspi, spi_in)))
		return 1;

	gcm_bundle(&bundle, &sa, &info, spi_in, key_in);
	if (step("IPsecSaContextAddInbound1",
		 IPsecSaContextAddInbound1(engine, id, &bundle)))
		return 1;
	gcm_bundle(&bundle, &sa, &info, spi_out, key_out);
	if (step("IPsecSaContextAddOutbound1",
		 IPsecSaContextAddOutbound1(engine, id, &bundle)))
		return 1;

	if (step("IPsecSaContextGetById1",
		 IPsecSaContextGetById1(engine, id, &ctx)))
		return 1;
	printf("  %-28s    inbound SPI 0x%08x, outbound SPI 0x%08x, keys not reported\n",
	       "", ctx->inboundSa->saBundle.saList[0].spi,
	       ctx->outboundSa->saBundle.saList[0].spi);
	FwpmFreeMemory0((void **)&ctx);
	return step("FwpmEngineClose0", FwpmEngineClose0(engine));
}
