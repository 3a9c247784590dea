// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec spi set|get: reserve a context's inbound SPI in xfrm with
 * IPsecSaContextSetSpi0 (the SPI chosen by the caller) or
 * IPsecSaContextGetSpi1 (chosen by the module).  Both calls must repeat
 * the context's traffic, which is read back with IPsecSaContextGetById1.
 */
#include <string.h>

#include "cli.h"

struct spi_args {
	UINT64 id;
	IPSEC_SA_SPI spi;
	bool encap;
	IPSEC_V4_UDP_ENCAPSULATION0 ports;
};

/* ID [SPI] [encap LOCAL-PORT REMOTE-PORT] */
static int parse_spi_args(int argc, char **argv, bool want_spi,
			  struct spi_args *a)
{
	int i = 1, st;

	memset(a, 0, sizeof(*a));
	if (argc < 2)
		return usage_error("a context id is needed");
	st = parse_id(argv[i++], &a->id);
	if (st)
		return st;
	if (want_spi) {
		if (i >= argc)
			return usage_error("the SPI to reserve is needed");
		if (parse_u32(argv[i], &a->spi))
			return usage_error("'%s' is not an SPI", argv[i]);
		i++;
	}
	for (; i < argc; i++) {
		if (strcmp(argv[i], "encap"))
			return usage_error("unknown argument '%s'", argv[i]);
		if (i + 2 >= argc)
			return usage_error("'encap' needs LOCAL-PORT and REMOTE-PORT");
		if (parse_u16(argv[i + 1], &a->ports.localUdpEncapPort) ||
		    parse_u16(argv[i + 2], &a->ports.remoteUdpEncapPort))
			return usage_error("'encap' needs two port numbers");
		a->encap = true;
		i += 2;
	}
	return EXIT_OK;
}

/* IPSEC_GETSPI1 for a context: its traffic, seen from this host. */
static int fill_getspi(HANDLE engine, const struct spi_args *a,
		       IPSEC_GETSPI1 *g, IPSEC_V4_UDP_ENCAPSULATION0 *ports)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	DWORD rc;

	rc = IPsecSaContextGetById1(engine, a->id, &c);
	if (rc)
		return fail_call("IPsecSaContextGetById1", rc);
	memset(g, 0, sizeof(*g));
	g->inboundIpsecTraffic = c->outboundSa->traffic;
	g->ipVersion = c->outboundSa->traffic.ipVersion;
	FwpmFreeMemory0((void **)&c);
	if (a->encap) {
		*ports = a->ports;
		g->inboundUdpEncapsulation = ports;
	}
	return EXIT_OK;
}

static void print_spi(IPSEC_SA_SPI spi)
{
	if (g_json) {
		json_begin_object(NULL);
		json_uint("spi", spi);
		json_end();
	} else {
		printf("0x%08x\n", (unsigned int)spi);
	}
}

static int spi_set_get(int argc, char **argv, bool set)
{
	IPSEC_V4_UDP_ENCAPSULATION0 ports;
	struct spi_args a;
	IPSEC_GETSPI1 g;
	IPSEC_SA_SPI spi;
	HANDLE engine;
	DWORD rc;
	int st;

	st = parse_spi_args(argc, argv, set, &a);
	if (st)
		return st;
	st = engine_open(&engine);
	if (st)
		return st;
	st = fill_getspi(engine, &a, &g, &ports);
	if (st) {
		engine_close(engine);
		return st;
	}
	if (set) {
		spi = a.spi;
		rc = IPsecSaContextSetSpi0(engine, a.id, &g, spi);
	} else {
		rc = IPsecSaContextGetSpi1(engine, a.id, &g, &spi);
	}
	engine_close(engine);
	if (rc)
		return fail_call(set ? "IPsecSaContextSetSpi0" : "IPsecSaContextGetSpi1", rc);
	print_spi(spi);
	return EXIT_OK;
}

static int spi_set(int argc, char **argv)
{
	return spi_set_get(argc, argv, true);
}

static int spi_get(int argc, char **argv)
{
	return spi_set_get(argc, argv, false);
}

const struct command spi_commands[] = {
	{
		.name = "set", .fn = spi_set,
		.help = "reserve the inbound SPI you chose for a context",
		.usage = "ID SPI [encap LOCAL-PORT REMOTE-PORT] [--json]",
	},
	{
		.name = "get", .fn = spi_get,
		.help = "reserve an inbound SPI the module chooses; print it",
		.usage = "ID [encap LOCAL-PORT REMOTE-PORT] [--json]",
	},
	{ .name = NULL }
};
