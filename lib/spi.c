// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextSetSpi0 and IPsecSaContextGetSpi0/1: reserve the inbound
 * SPI of a context in the kernel's xfrm database (Documentation/spi.rst).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "internal.h"

/* RFC 4303: SPIs 0-255 are reserved and never name an SA. */
#define FIRST_VALID_SPI 256

static DWORD spi_status(int err)
{
	switch (err) {
	case EBUSY:
		/* The context already has an SPI, or SAs. */
		return FWP_E_INCOMPATIBLE_SA_STATE;
	case EXDEV:
		return FWP_E_TRAFFIC_MISMATCH;
	case ENOSPC:
		/* GetSpi: every SPI of the range is in use. */
		return ERROR_NOT_ENOUGH_QUOTA;
	default:
		return wfp_status_from_errno(err);
	}
}

DWORD wfp_spi_status(int err)
{
	return spi_status(err);
}

/* What getSpi says beyond the traffic: its UDP encapsulation. */
static DWORD spi_request(FWP_IP_VERSION ip_version,
			 const IPSEC_V4_UDP_ENCAPSULATION0 *encap,
			 struct wfp_ipsec_spi *r)
{
	/* The encapsulation arm of the union exists for IPv4 only. */
	if (ip_version == FWP_IP_VERSION_V4 && encap) {
		if (!encap->localUdpEncapPort || !encap->remoteUdpEncapPort)
			return FWP_E_INVALID_PARAMETER;
		r->flags |= WFP_IPSEC_SPI_F_UDP_ENCAP;
		r->encap_local_port = htons(encap->localUdpEncapPort);
		r->encap_remote_port = htons(encap->remoteUdpEncapPort);
	}
	return ERROR_SUCCESS;
}

/* Without the inbound traffic there is nothing to match the context to. */
static DWORD spi_prepare1(const IPSEC_GETSPI1 *g, UINT64 id,
			  struct wfp_ipsec_spi *r)
{
	IPSEC_TRAFFIC1 t;
	DWORD rc;

	if (!g)
		return FWP_E_TRAFFIC_MISMATCH;
	memset(r, 0, sizeof(*r));
	r->id = id;
	/*
	 * Windows reads the traffic's addresses by getSpi->ipVersion and
	 * ignores the traffic's own ipVersion, which keying modules leave
	 * at 0 (V4) beside IPv6 addresses (spi.rst).
	 */
	t = g->inboundIpsecTraffic;
	t.ipVersion = g->ipVersion;
	rc = wfp_traffic_from_win(&t, &r->inbound);
	if (rc)
		return rc;
	return spi_request(g->ipVersion, g->inboundUdpEncapsulation, r);
}

static DWORD spi_prepare0(const IPSEC_GETSPI0 *g, UINT64 id,
			  struct wfp_ipsec_spi *r)
{
	IPSEC_TRAFFIC0 t;
	DWORD rc;

	if (!g)
		return FWP_E_TRAFFIC_MISMATCH;
	memset(r, 0, sizeof(*r));
	r->id = id;
	/* As spi_prepare1(): the version is getSpi's. */
	t = g->inboundIpsecTraffic;
	t.ipVersion = g->ipVersion;
	rc = wfp_traffic0_from_win(&t, &r->inbound);
	if (rc)
		return rc;
	return spi_request(g->ipVersion, g->inboundUdpEncapsulation, r);
}

static DWORD spi_call(HANDLE engineHandle, unsigned long cmd,
		      struct wfp_ipsec_spi *r)
{
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, cmd, r);
	wfp_engine_put(e);
	return spi_status(err);
}

DWORD WINAPI IPsecSaContextSetSpi0(HANDLE engineHandle, UINT64 id,
				   const IPSEC_GETSPI1 *getSpi,
				   IPSEC_SA_SPI inboundSpi)
{
	struct wfp_ipsec_spi r;
	DWORD rc;

	rc = spi_prepare1(getSpi, id, &r);
	if (rc)
		return rc;
	if (inboundSpi < FIRST_VALID_SPI)
		return FWP_E_INVALID_PARAMETER;
	r.spi = inboundSpi;
	return spi_call(engineHandle, WFP_IPSEC_IOC_CTX_SET_SPI, &r);
}

static DWORD get_spi(HANDLE engineHandle, DWORD rc, struct wfp_ipsec_spi *r,
		     IPSEC_SA_SPI *inboundSpi)
{
	if (!rc)
		rc = spi_call(engineHandle, WFP_IPSEC_IOC_CTX_GET_SPI, r);
	if (!rc)
		*inboundSpi = r->spi;
	return rc;
}

DWORD WINAPI IPsecSaContextGetSpi1(HANDLE engineHandle, UINT64 id,
				   const IPSEC_GETSPI1 *getSpi,
				   IPSEC_SA_SPI *inboundSpi)
{
	struct wfp_ipsec_spi r;

	if (!inboundSpi)
		return FWP_E_NULL_POINTER;
	return get_spi(engineHandle, spi_prepare1(getSpi, id, &r), &r,
		       inboundSpi);
}

DWORD WINAPI IPsecSaContextGetSpi0(HANDLE engineHandle, UINT64 id,
				   const IPSEC_GETSPI0 *getSpi,
				   IPSEC_SA_SPI *inboundSpi)
{
	struct wfp_ipsec_spi r;

	if (!inboundSpi)
		return FWP_E_NULL_POINTER;
	return get_spi(engineHandle, spi_prepare0(getSpi, id, &r), &r,
		       inboundSpi);
}
