// SPDX-License-Identifier: MIT
/*
 * windows_compat.c - a keying sequence written the way a Windows keying
 * module writes it, against the Microsoft signatures of Fwpuclnt.dll:
 * nothing Linux-specific, nothing from libwfpipsec's own extensions.  The
 * same file builds with the Windows SDK (cl windows_compat.c fwpuclnt.lib)
 * and, unchanged, with
 *
 *     cc windows_compat.c $(pkg-config --cflags --libs libwfpipsec)
 *
 * The sequence is the documented one: FwpmEngineOpen0,
 * IPsecSaContextCreate1, IPsecSaContextGetSpi1 (or SetSpi0),
 * IPsecSaContextAddInbound1, IPsecSaContextAddOutbound1,
 * IPsecSaContextGetById1 with FwpmFreeMemory0, IPsecSaContextDeleteById0,
 * FwpmEngineClose0.  Results are reported in kselftest's TAP format by
 * hand (a Windows source has no kselftest_harness.h).
 */
#include <windows.h>
#include <fwpmu.h>

#include <stdio.h>
#include <string.h>

#define NUM_TESTS 25

/* TEST-NET-1: 192.0.2.1 (this host) and 192.0.2.2 (the peer), host order. */
#define LOCAL_ADDRESS  0xC0000201
#define REMOTE_ADDRESS 0xC0000202

#define PEER_SPI_1     0x0000C001
#define OUR_SPI_2      0x0000C102
#define OUR_SPI_V6     0x0000C106

/*
 * 2001:db8::1 (this host) and 2001:db8::2 (the peer), in IPSEC_TRAFFIC1's
 * byte order: the address as one little-endian 128-bit number.
 */
static const UINT8 localV6[16] = { 1, 0, 0, 0, 0, 0, 0, 0,
				   0, 0, 0, 0, 0xb8, 0x0d, 0x01, 0x20 };
static const UINT8 remoteV6[16] = { 2, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0, 0, 0xb8, 0x0d, 0x01, 0x20 };

static int testNumber;
static int passed;
static int failed;

static BOOL Check(BOOL ok, const char *what, DWORD result)
{
	testNumber++;
	if (ok) {
		passed++;
		printf("ok %d %s\n", testNumber, what);
	} else {
		failed++;
		printf("# %s: result 0x%08X\n", what, (unsigned int)result);
		printf("not ok %d %s\n", testNumber, what);
	}
	return ok;
}

static BOOL Expect(DWORD result, DWORD expected, const char *what)
{
	return Check(result == expected, what, result);
}

/* One ESP SA, alone in its bundle: what both transforms below share. */
static void EspBundle(IPSEC_SA_BUNDLE1 *bundle, IPSEC_SA0 *sa,
		      IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info,
		      IPSEC_SA_SPI spi)
{
	memset(bundle, 0, sizeof(*bundle));
	memset(sa, 0, sizeof(*sa));
	memset(info, 0, sizeof(*info));

	sa->spi = spi;
	sa->saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->espAuthAndCipherInformation = info;

	bundle->numSAs = 1;
	bundle->saList = sa;
	bundle->ipVersion = FWP_IP_VERSION_V4;
}

/* ESP with AES-GCM-128: one 20-byte blob (key and salt) for both halves. */
static void GcmBundle(IPSEC_SA_BUNDLE1 *bundle, IPSEC_SA0 *sa,
		      IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info,
		      IPSEC_SA_SPI spi, UINT8 *keyMaterial)
{
	EspBundle(bundle, sa, info, spi);
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_128;
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_GCM_AES_128;
	info->saCipherInformation.cipherKey.size = 20;
	info->saCipherInformation.cipherKey.data = keyMaterial;
	info->saAuthInformation.authTransform.authTransformId.authType =
		IPSEC_AUTH_AES_128;
	info->saAuthInformation.authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_GCM_AES_128;
	info->saAuthInformation.authKey = info->saCipherInformation.cipherKey;

	bundle->lifetime.lifetimeSeconds = 3600;
	bundle->lifetime.lifetimeKilobytes = 100000;
	bundle->qmSaId = 7;
}

/* ESP with AES-CBC-256 and HMAC-SHA-256-128: two keys. */
static void CbcBundle(IPSEC_SA_BUNDLE1 *bundle, IPSEC_SA0 *sa,
		      IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info,
		      IPSEC_SA_SPI spi, UINT8 *cipherKey, UINT8 *authKey)
{
	EspBundle(bundle, sa, info, spi);
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_256;
	info->saCipherInformation.cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_CBC_AES_256;
	info->saCipherInformation.cipherKey.size = 32;
	info->saCipherInformation.cipherKey.data = cipherKey;
	info->saAuthInformation.authTransform.authTransformId.authType =
		IPSEC_AUTH_SHA_256;
	info->saAuthInformation.authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
	info->saAuthInformation.authKey.size = 32;
	info->saAuthInformation.authKey.data = authKey;

	bundle->lifetime.lifetimeSeconds = 600;
}

/*
 * What keying modules do with IPv6: the inbound traffic of IPSEC_GETSPI1
 * carries the IPv6 addresses but keeps the ipVersion memset left it at
 * (0, FWP_IP_VERSION_V4); only getSpi.ipVersion says V6.  Windows reads
 * the addresses by getSpi.ipVersion and accepts it.
 */
static void Ipv6GetSpiVersionOnlyInGetSpi(HANDLE engineHandle)
{
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getSpi;
	IPSEC_SA_SPI inboundSpi = 0;
	UINT64 id4 = 0, id5 = 0;
	DWORD result;

	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = FWP_IP_VERSION_V6;
	memcpy(traffic.localV6Address, localV6, 16);
	memcpy(traffic.remoteV6Address, remoteV6, 16);
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	result = IPsecSaContextCreate1(engineHandle, &traffic, NULL, NULL, &id4);
	if (result == ERROR_SUCCESS)
		result = IPsecSaContextCreate1(engineHandle, &traffic, NULL,
					       NULL, &id5);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextCreate1 (IPv6, twice)");

	memset(&getSpi, 0, sizeof(getSpi));
	memcpy(getSpi.inboundIpsecTraffic.localV6Address, localV6, 16);
	memcpy(getSpi.inboundIpsecTraffic.remoteV6Address, remoteV6, 16);
	getSpi.inboundIpsecTraffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	getSpi.ipVersion = FWP_IP_VERSION_V6;
	result = IPsecSaContextGetSpi1(engineHandle, id4, &getSpi, &inboundSpi);
	Check(result == ERROR_SUCCESS && inboundSpi >= 256,
	      "GetSpi1, IPv6 named by getSpi.ipVersion alone", result);

	/* The addresses are still checked against the context's. */
	getSpi.inboundIpsecTraffic.remoteV6Address[0] = 3;
	result = IPsecSaContextSetSpi0(engineHandle, id5, &getSpi, OUR_SPI_V6);
	Expect(result, FWP_E_TRAFFIC_MISMATCH,
	       "SetSpi0, another IPv6 peer: FWP_E_TRAFFIC_MISMATCH");
	getSpi.inboundIpsecTraffic.remoteV6Address[0] = 2;
	result = IPsecSaContextSetSpi0(engineHandle, id5, &getSpi, OUR_SPI_V6);
	Expect(result, ERROR_SUCCESS,
	       "SetSpi0, IPv6 named by getSpi.ipVersion alone");

	IPsecSaContextDeleteById0(engineHandle, id5);
	IPsecSaContextDeleteById0(engineHandle, id4);
}

int main(void)
{
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 enumTemplate;
	IPSEC_SA_CONTEXT1 **contexts = NULL;
	IPSEC_SA_CONTEXT1 *saContext = NULL;
	UINT8 keyIn[20], keyOut[20], cbcKey[32], hmacKey[32];
	UINT64 id1 = 0, id2 = 0, id3 = 0;
	UINT32 numContexts = 0;
	IPSEC_SA_BUNDLE1 bundle;
	IPSEC_TRAFFIC1 traffic;
	IPSEC_GETSPI1 getSpi;
	HANDLE engineHandle = NULL;
	HANDLE enumHandle = NULL;
	FWPM_SESSION0 session;
	IPSEC_SA_SPI inboundSpi = 0;
	IPSEC_SA0 sa;
	DWORD result;
	UINT32 i;

	for (i = 0; i < 20; i++) {
		keyIn[i] = (UINT8)(0x10 + i);
		keyOut[i] = (UINT8)(0x80 + i);
	}
	for (i = 0; i < 32; i++) {
		cbcKey[i] = (UINT8)(0x40 + i);
		hmacKey[i] = (UINT8)(0xc0 + i);
	}

	printf("TAP version 13\n");
	printf("1..%d\n", NUM_TESTS);

	memset(&session, 0, sizeof(session));
	result = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session,
				 &engineHandle);
	if (result == EPT_S_NOT_REGISTERED) {
		/* BFE is not running: on Linux, the module is not loaded. */
		for (i = 1; i <= NUM_TESTS; i++)
			printf("ok %u # SKIP the filter engine is not available\n", i);
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:%d error:0\n",
		       NUM_TESTS);
		return 4;
	}
	if (!Expect(result, ERROR_SUCCESS, "FwpmEngineOpen0"))
		engineHandle = NULL;

	/* ---- context 1: the module picks our SPI (GetSpi1) ---- */
	memset(&traffic, 0, sizeof(traffic));
	traffic.ipVersion = FWP_IP_VERSION_V4;
	traffic.localV4Address = LOCAL_ADDRESS;
	traffic.remoteV4Address = REMOTE_ADDRESS;
	traffic.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	result = IPsecSaContextCreate1(engineHandle, &traffic, NULL, NULL, &id1);
	Check(result == ERROR_SUCCESS && id1 != 0, "IPsecSaContextCreate1", result);

	memset(&getSpi, 0, sizeof(getSpi));
	getSpi.inboundIpsecTraffic = traffic;
	getSpi.ipVersion = FWP_IP_VERSION_V4;
	result = IPsecSaContextGetSpi1(engineHandle, id1, &getSpi, &inboundSpi);
	Check(result == ERROR_SUCCESS && inboundSpi >= 256,
	      "IPsecSaContextGetSpi1", result);

	GcmBundle(&bundle, &sa, &info, inboundSpi, keyIn);
	result = IPsecSaContextAddInbound1(engineHandle, id1, &bundle);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextAddInbound1");

	GcmBundle(&bundle, &sa, &info, PEER_SPI_1, keyOut);
	result = IPsecSaContextAddOutbound1(engineHandle, id1, &bundle);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextAddOutbound1");

	result = IPsecSaContextGetById1(engineHandle, id1, &saContext);
	if (Expect(result, ERROR_SUCCESS, "IPsecSaContextGetById1")) {
		Check(saContext->saContextId == id1 &&
		      saContext->inboundSa != NULL &&
		      saContext->outboundSa != NULL &&
		      saContext->inboundSa->saDirection == FWP_DIRECTION_INBOUND &&
		      saContext->outboundSa->saDirection == FWP_DIRECTION_OUTBOUND &&
		      saContext->outboundSa->traffic.localV4Address == LOCAL_ADDRESS &&
		      saContext->outboundSa->traffic.remoteV4Address == REMOTE_ADDRESS,
		      "GetById1 returns the context and its traffic", result);
		Check(saContext->inboundSa != NULL &&
		      saContext->inboundSa->saBundle.numSAs == 1 &&
		      saContext->inboundSa->saBundle.saList[0].spi == inboundSpi &&
		      saContext->outboundSa->saBundle.numSAs == 1 &&
		      saContext->outboundSa->saBundle.saList[0].spi == PEER_SPI_1 &&
		      saContext->outboundSa->saBundle.lifetime.lifetimeSeconds == 3600 &&
		      saContext->outboundSa->saBundle.qmSaId == 7,
		      "GetById1 reports both SAs as given", result);
		Check(saContext->outboundSa->saBundle.saList[0].saTransformType ==
		      IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER &&
		      saContext->outboundSa->saBundle.saList[0]
			      .espAuthAndCipherInformation->saCipherInformation
			      .cipherKey.size == 0,
		      "GetById1 reports the transform but no key", result);
		FwpmFreeMemory0((void **)&saContext);
		Check(saContext == NULL, "FwpmFreeMemory0 clears the pointer", 0);
	} else {
		Check(FALSE, "GetById1 returns the context and its traffic", result);
		Check(FALSE, "GetById1 reports both SAs as given", result);
		Check(FALSE, "GetById1 reports the transform but no key", result);
		Check(FALSE, "FwpmFreeMemory0 clears the pointer", result);
	}

	/* ---- context 2: our own SPI (SetSpi0), AES-CBC + HMAC-SHA-256 ---- */
	result = IPsecSaContextCreate1(engineHandle, &traffic, NULL, NULL, &id2);
	Check(result == ERROR_SUCCESS && id2 != 0 && id2 != id1,
	      "IPsecSaContextCreate1 (second context)", result);
	result = IPsecSaContextSetSpi0(engineHandle, id2, &getSpi, OUR_SPI_2);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextSetSpi0");
	CbcBundle(&bundle, &sa, &info, OUR_SPI_2, cbcKey, hmacKey);
	result = IPsecSaContextAddInbound1(engineHandle, id2, &bundle);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextAddInbound1 (AES-CBC, HMAC-SHA-256)");

	/* ---- errors, by their FWP_E_* names ---- */
	result = IPsecSaContextCreate1(engineHandle, &traffic, NULL, NULL, &id3);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextCreate1 (third context)");
	result = IPsecSaContextSetSpi0(engineHandle, id3, &getSpi, OUR_SPI_2);
	Expect(result, FWP_E_ALREADY_EXISTS, "SetSpi0 of an SPI in use: FWP_E_ALREADY_EXISTS");
	GcmBundle(&bundle, &sa, &info, PEER_SPI_1 + 1, keyOut);
	result = IPsecSaContextAddOutbound1(engineHandle, id3, &bundle);
	Expect(result, FWP_E_INCOMPATIBLE_SA_STATE,
	       "AddOutbound1 before AddInbound1: FWP_E_INCOMPATIBLE_SA_STATE");

	Ipv6GetSpiVersionOnlyInGetSpi(engineHandle);

	/* ---- enumeration: all three share the local address ---- */
	memset(&enumTemplate, 0, sizeof(enumTemplate));
	enumTemplate.localSubNet.type = FWP_UINT32;
	enumTemplate.localSubNet.uint32 = LOCAL_ADDRESS;
	enumTemplate.remoteSubNet.type = FWP_EMPTY;
	result = IPsecSaContextCreateEnumHandle0(engineHandle, &enumTemplate,
						 &enumHandle);
	if (result == ERROR_SUCCESS) {
		result = IPsecSaContextEnum1(engineHandle, enumHandle, 100,
					     &contexts, &numContexts);
		if (result == ERROR_SUCCESS)
			FwpmFreeMemory0((void **)&contexts);
		IPsecSaContextDestroyEnumHandle0(engineHandle, enumHandle);
	}
	Check(result == ERROR_SUCCESS && numContexts >= 3,
	      "IPsecSaContextEnum1 finds the contexts", result);

	/* ---- cleanup ---- */
	result = IPsecSaContextDeleteById0(engineHandle, id1);
	Expect(result, ERROR_SUCCESS, "IPsecSaContextDeleteById0");
	Check(IPsecSaContextDeleteById0(engineHandle, id2) == ERROR_SUCCESS &&
	      IPsecSaContextDeleteById0(engineHandle, id3) == ERROR_SUCCESS,
	      "IPsecSaContextDeleteById0 (the others)", 0);
	result = IPsecSaContextDeleteById0(engineHandle, id1);
	Expect(result, FWP_E_NOT_FOUND, "DeleteById0 twice: FWP_E_NOT_FOUND");

	result = FwpmEngineClose0(engineHandle);
	Expect(result, ERROR_SUCCESS, "FwpmEngineClose0");

	if (testNumber != NUM_TESTS) {
		printf("# planned %d tests, ran %d\n", NUM_TESTS, testNumber);
		failed++;
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       passed, failed);
	return failed ? 1 : 0;
}
