// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Messages, the engine session and its enumerations, and parsing of
 * numbers, addresses and prefixes for the wfpipsec tool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

bool g_json;
const char *g_cmd = "wfpipsec";

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s: ", prefix, g_cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", g_cmd);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

/*
 * "IPsecSaContextCreate1: FWP_E_ALREADY_EXISTS (0x80320009): <text>" on
 * stderr, and with --json an {"error": ...} object on stdout so that a
 * script reading stdout sees why there is no result.
 */
int fail_call(const char *call, DWORD rc)
{
	const char *name = WfpIpsecErrorName(rc);
	const char *text = WfpIpsecErrorText(rc);

	fprintf(stderr, "%s: %s: %s (0x%08X): %s\n", g_cmd, call,
		name ? name : "unknown status", (unsigned int)rc,
		text ? text : "This status code is not known to libwfpipsec.");
	if (rc == EPT_S_NOT_REGISTERED)
		fprintf(stderr, "%s: hint: is the wfp_ipsec module loaded "
			"(modprobe wfp_ipsec)?\n", g_cmd);
	else if (rc == ERROR_ACCESS_DENIED)
		fprintf(stderr, "%s: hint: opening /dev/wfp-ipsec needs its mode "
			"or group; every right needs CAP_NET_ADMIN\n", g_cmd);
	if (g_json) {
		json_begin_object(NULL);
		json_begin_object("error");
		json_string("call", call);
		json_uint("code", rc);
		json_string("name", name);
		json_string("text", text);
		json_end();
		json_end();
	}
	return EXIT_FAIL;
}

int engine_open(HANDLE *engine)
{
	FWPM_SESSION0 session;
	DWORD rc;

	/* Not dynamic: contexts may be neither created nor deleted from those. */
	memset(&session, 0, sizeof(session));
	session.displayData.name = L"wfpipsec";
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, engine);
	return rc ? fail_call("FwpmEngineOpen0", rc) : EXIT_OK;
}

void engine_close(HANDLE engine)
{
	FwpmEngineClose0(engine);
}

#define ENUM_PAGE 64

int enumerate(const struct enumeration *e, const void *tmpl)
{
	HANDLE engine, en;
	void *entries;
	UINT32 n, i;
	DWORD rc;
	int st;

	st = engine_open(&engine);
	if (st)
		return st;
	rc = e->create(engine, tmpl, &en);
	if (rc) {
		engine_close(engine);
		return fail_call(e->create_call, rc);
	}
	if (g_json)
		json_begin_array(NULL);
	do {
		rc = e->page(engine, en, ENUM_PAGE, &entries, &n);
		if (rc)
			break;
		for (i = 0; i < n; i++)
			e->print(entries, i);
		FwpmFreeMemory0(&entries);
	} while (n == ENUM_PAGE);
	if (g_json)
		json_end();
	e->destroy(engine, en);
	engine_close(engine);
	return rc ? fail_call(e->enum_call, rc) : EXIT_OK;
}

int for_each_arg(const struct each_arg *e, int argc, char **argv)
{
	union {
		UINT64 id;
		GUID key;
		struct obj_ref ref;
	} v;
	int i, st, ret = EXIT_OK;
	HANDLE engine;
	DWORD rc;

	if (argc < 2)
		return usage_error("at least one %s is needed", e->what);
	for (i = 1; i < argc; i++) {
		st = e->parse(argv[i], &v);
		if (st)
			return st;
	}
	st = engine_open(&engine);
	if (st)
		return st;
	for (i = 1; i < argc; i++) {
		e->parse(argv[i], &v);
		rc = e->call(engine, &v);
		if (rc) {
			fprintf(stderr, "%s: %s %s:\n", g_cmd, e->what, argv[i]);
			ret = fail_call(e->name_of ? e->name_of(&v) : e->call_name,
					rc);
		}
	}
	engine_close(engine);
	return ret;
}

/* Decimal or 0x-hexadecimal, the whole string, no sign. */
int parse_u64(const char *s, UINT64 *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int parse_u32(const char *s, UINT32 *v)
{
	UINT64 x;

	if (parse_u64(s, &x) || x > UINT32_MAX)
		return -1;
	*v = (UINT32)x;
	return 0;
}

int parse_u16(const char *s, UINT16 *v)
{
	UINT64 x;

	if (parse_u64(s, &x) || x > UINT16_MAX)
		return -1;
	*v = (UINT16)x;
	return 0;
}

int parse_id(const char *s, UINT64 *id)
{
	if (parse_u64(s, id))
		return usage_error("'%s' is not a context id", s);
	return EXIT_OK;
}

int parse_id_arg(int argc, char **argv, UINT64 *id)
{
	if (argc < 2)
		return usage_error("a context id is needed");
	return parse_id(argv[1], id);
}

static const struct {
	const char *name;
	UINT8 number;
} protocols[] = {
	{ "any", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 },
	{ "udp", 17 }, { "gre", 47 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "dccp", 33 }, { "sctp", 132 }, { "udplite", 136 },
};

int parse_protocol(const char *s, UINT8 *proto)
{
	UINT64 n;
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++) {
		if (!strcmp(s, protocols[i].name)) {
			*proto = protocols[i].number;
			return 0;
		}
	}
	if (parse_u64(s, &n) || n > 255)
		return -1;
	*proto = (UINT8)n;
	return 0;
}

const char *protocol_name(UINT8 proto)
{
	size_t i;

	for (i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].number == proto)
			return protocols[i].name;
	return NULL;
}

int parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->net) == 1) {
		a->version = FWP_IP_VERSION_V4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->net) == 1) {
		a->version = FWP_IP_VERSION_V6;
		return 0;
	}
	return -1;
}

/*
 * Documentation/contexts.rst, "IPv6 byte order": IPSEC_TRAFFIC* keeps an
 * IPv4 address as a host-order UINT32 and an IPv6 address as a host-order
 * 128-bit integer, i.e. the 16 network-order bytes reversed.
 */
static void reverse16(UINT8 *dst, const UINT8 *src)
{
	int i;

	for (i = 0; i < 16; i++)
		dst[i] = src[15 - i];
}

void addr_to_traffic(const struct addr *a, UINT32 *v4, UINT8 v6[16])
{
	UINT32 n;

	if (a->version == FWP_IP_VERSION_V4) {
		memcpy(&n, a->net, 4);
		*v4 = ntohl(n);
	} else {
		reverse16(v6, a->net);
	}
}

void traffic_addr_str(FWP_IP_VERSION v, UINT32 v4, const UINT8 v6[16],
		      char *buf, size_t len)
{
	UINT8 net[16];
	UINT32 n;

	if (v == FWP_IP_VERSION_V4) {
		n = htonl(v4);
		inet_ntop(AF_INET, &n, buf, len);
	} else if (v == FWP_IP_VERSION_V6) {
		reverse16(net, v6);
		inet_ntop(AF_INET6, net, buf, len);
	} else {
		snprintf(buf, len, "?");
	}
}

/* IPv4: a full-length prefix is one address (FWP_UINT32), host order. */
static int prefix_v4(const struct addr *a, UINT64 len, struct prefix *p)
{
	UINT32 n;

	if (len > 32)
		return -1;
	memcpy(&n, a->net, 4);
	if (len == 32) {
		p->value.type = FWP_UINT32;
		p->value.uint32 = ntohl(n);
		return 0;
	}
	p->v4.addr = ntohl(n);
	p->v4.mask = len ? ~(UINT32)0 << (32 - len) : 0;
	p->value.type = FWP_V4_ADDR_MASK;
	p->value.v4AddrMask = &p->v4;
	return 0;
}

/* IPv6: a full-length prefix is one address (FWP_BYTE_ARRAY16_TYPE). */
static int prefix_v6(const struct addr *a, UINT64 len, struct prefix *p)
{
	if (len > 128)
		return -1;
	if (len == 128) {
		memcpy(p->a16.byteArray16, a->net, 16);
		p->value.type = FWP_BYTE_ARRAY16_TYPE;
		p->value.byteArray16 = &p->a16;
		return 0;
	}
	memcpy(p->v6.addr, a->net, 16);
	p->v6.prefixLength = (UINT8)len;
	p->value.type = FWP_V6_ADDR_MASK;
	p->value.v6AddrMask = &p->v6;
	return 0;
}

/*
 * Filter conditions carry IPv4 in host order and IPv6 in network order
 * (contexts.rst, "Templates").  A full-length prefix is given as a single
 * address, as a Windows caller would.
 */
int parse_prefix(const char *s, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8];
	UINT64 len = 0;
	struct addr a;
	char *slash;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!slash[1] || parse_u64(slash + 1, &len))
			return -1;
	}
	if (parse_addr(buf, &a))
		return -1;
	if (a.version == FWP_IP_VERSION_V4)
		return prefix_v4(&a, slash ? len : 32, p);
	return prefix_v6(&a, slash ? len : 128, p);
}

bool subnets_template(const struct subnets *s,
		      IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl)
{
	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->localSubNet = s->local.value;
	tmpl->remoteSubNet = s->remote.value;
	return s->local.value.type != FWP_EMPTY ||
	       s->remote.value.type != FWP_EMPTY;
}
