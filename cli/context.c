// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec context create|show|list|delete|expire|set-selectors|update.
 */
#include <stddef.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------ arguments */

/* Those of local and remote given, as addresses of one IP version. */
static int parse_addrs(const char *ls, const char *rs, struct addr *local,
		       struct addr *remote)
{
	if (ls && parse_addr(ls, local))
		return usage_error("'%s' is not an IPv4 or IPv6 address", ls);
	if (rs && parse_addr(rs, remote))
		return usage_error("'%s' is not an IPv4 or IPv6 address", rs);
	if (ls && rs && local->version != remote->version)
		return usage_error("local and remote addresses are of different IP versions");
	return EXIT_OK;
}

static void set_traffic_addrs(IPSEC_TRAFFIC1 *t, const struct addr *local,
			      const struct addr *remote)
{
	if (local)
		addr_to_traffic(local, &t->localV4Address, t->localV6Address);
	if (remote)
		addr_to_traffic(remote, &t->remoteV4Address, t->remoteV6Address);
}

/* ------------------------------------------------------------ selectors */

/* local-subnet, remote-subnet (FWP_EMPTY when not given) and no-policy. */
struct selectors {
	struct prefix local, remote;
	UINT32 flags;
};

static int kw_no_policy(void *args, const struct keyword *kw, const char *v)
{
	(void)v;
	*(UINT32 *)kw_field(args, kw) |= WFPIPSEC_SELECTORS_FLAG_NO_POLICY;
	return EXIT_OK;
}

/* The keywords of a struct selectors at offset at in the arguments. */
#define SELECTOR_KEYWORDS(at) \
	{ "local-subnet", 1, kw_prefix, (at) + offsetof(struct selectors, local) }, \
	{ "remote-subnet", 1, kw_prefix, (at) + offsetof(struct selectors, remote) }, \
	{ "no-policy", 0, kw_no_policy, (at) + offsetof(struct selectors, flags) }

static const FWP_CONDITION_VALUE0 *subnet(const struct prefix *p)
{
	return p->value.type != FWP_EMPTY ? &p->value : NULL;
}

static bool selectors_given(const struct selectors *s)
{
	return subnet(&s->local) || subnet(&s->remote) || s->flags;
}

static DWORD selectors_set(HANDLE engine, UINT64 id, const struct selectors *s)
{
	return WfpIpsecSaContextSetSelectors0(engine, id, subnet(&s->local),
					      subnet(&s->remote), s->flags);
}

static const struct keyword selector_keywords[] = {
	SELECTOR_KEYWORDS(0),
	{ NULL }
};

static int context_set_selectors(int argc, char **argv)
{
	struct selectors sel;
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int st;

	memset(&sel, 0, sizeof(sel));
	st = parse_id_arg(argc, argv, &id);
	if (!st)
		st = parse_keywords(selector_keywords, 0, &sel, argc, argv, 2);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = selectors_set(engine, id, &sel);
	engine_close(engine);
	return rc ? fail_call("WfpIpsecSaContextSetSelectors0", rc) : EXIT_OK;
}

/* ------------------------------------------------------------ create */

struct create_args {
	IPSEC_TRAFFIC1 t;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif;
	struct selectors sel;
	const char *local, *remote;
	bool have_filter, have_policy, have_vif;
};

static int kw_mode(void *args, const struct keyword *kw, const char *v)
{
	IPSEC_TRAFFIC_TYPE *type = kw_field(args, kw);

	if (!strcmp(v, "transport"))
		*type = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	else if (!strcmp(v, "tunnel"))
		*type = IPSEC_TRAFFIC_TYPE_TUNNEL;
	else
		return usage_error("mode is 'transport' or 'tunnel', not '%s'", v);
	return EXIT_OK;
}

static int kw_proto(void *args, const struct keyword *kw, const char *v)
{
	if (parse_protocol(v, kw_field(args, kw)))
		return usage_error("'%s' is not a protocol name or number", v);
	return EXIT_OK;
}

/* A UINT64 keyword that also records, in *given, that it was given. */
static int u64_given(void *args, const struct keyword *kw, const char *v,
		     bool *given)
{
	int st = kw_u64(args, kw, v);

	if (!st)
		*given = true;
	return st;
}

/* filter-id and tunnel-policy-id set one union; the mode decides which. */
static int kw_filter_id(void *args, const struct keyword *kw, const char *v)
{
	return u64_given(args, kw, v, &((struct create_args *)args)->have_filter);
}

static int kw_policy_id(void *args, const struct keyword *kw, const char *v)
{
	return u64_given(args, kw, v, &((struct create_args *)args)->have_policy);
}

static int kw_vif(void *args, const struct keyword *kw, const char *v)
{
	return u64_given(args, kw, v, &((struct create_args *)args)->have_vif);
}

#define CREATE(m) offsetof(struct create_args, m)

static const struct keyword create_keywords[] = {
	{ "local", 1, kw_str, CREATE(local) },
	{ "remote", 1, kw_str, CREATE(remote) },
	{ "mode", 1, kw_mode, CREATE(t.trafficType) },
	{ "proto", 1, kw_proto, CREATE(t.ipProtocol) },
	{ "local-port", 1, kw_u16, CREATE(t.localPort) },
	{ "remote-port", 1, kw_u16, CREATE(t.remotePort) },
	{ "filter-id", 1, kw_filter_id, CREATE(t.ipsecFilterId) },
	{ "tunnel-policy-id", 1, kw_policy_id, CREATE(t.tunnelPolicyId) },
	{ "if-luid", 1, kw_u64, CREATE(t.localIfLuid) },
	{ "if-profile-id", 1, kw_u32, CREATE(t.realIfProfileId) },
	{ "vif-tunnel-id", 1, kw_vif, CREATE(vif.virtualIfTunnelId) },
	{ "vif-selector-id", 1, kw_vif, CREATE(vif.trafficSelectorId) },
	SELECTOR_KEYWORDS(CREATE(sel)),
	{ NULL }
};

/* The keywords, then what needs them all: the addresses, the mode's id. */
static int create_args_parse(int argc, char **argv, struct create_args *a)
{
	struct addr local, remote;
	int st;

	memset(a, 0, sizeof(*a));
	a->t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	st = parse_keywords(create_keywords, 0, a, argc, argv, 1);
	if (st)
		return st;
	if (!a->local || !a->remote)
		return usage_error("both 'local ADDRESS' and 'remote ADDRESS' are needed");
	st = parse_addrs(a->local, a->remote, &local, &remote);
	if (st)
		return st;
	if (a->have_filter && a->t.trafficType != IPSEC_TRAFFIC_TYPE_TRANSPORT)
		return usage_error("'filter-id' is for transport mode; tunnel mode takes 'tunnel-policy-id'");
	if (a->have_policy && a->t.trafficType != IPSEC_TRAFFIC_TYPE_TUNNEL)
		return usage_error("'tunnel-policy-id' is for tunnel mode; transport mode takes 'filter-id'");
	a->t.ipVersion = local.version;
	set_traffic_addrs(&a->t, &local, &remote);
	return EXIT_OK;
}

/* The context with its selectors, or none at all. */
static int create_context(const struct create_args *a, UINT64 *id)
{
	const char *call = "IPsecSaContextCreate1";
	HANDLE engine;
	DWORD rc;
	int st;

	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextCreate1(engine, &a->t, a->have_vif ? &a->vif : NULL,
				   NULL, id);
	if (!rc && selectors_given(&a->sel)) {
		call = "WfpIpsecSaContextSetSelectors0";
		rc = selectors_set(engine, *id, &a->sel);
		if (rc)
			IPsecSaContextDeleteById0(engine, *id);
	}
	engine_close(engine);
	return rc ? fail_call(call, rc) : EXIT_OK;
}

static int context_create(int argc, char **argv)
{
	struct create_args a;
	UINT64 id;
	int st;

	st = create_args_parse(argc, argv, &a);
	if (!st)
		st = create_context(&a, &id);
	if (st)
		return st;
	if (g_json) {
		json_begin_object(NULL);
		json_uint("id", id);
		json_end();
	} else {
		printf("%llu\n", (unsigned long long)id);
	}
	return EXIT_OK;
}

/* ------------------------------------------------------------ show, list */

static int context_show(int argc, char **argv)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int st;

	if (argc != 2)
		return usage_error("one context id is needed");
	st = parse_id(argv[1], &id);
	if (st)
		return st;
	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextGetById1(engine, id, &c);
	engine_close(engine);
	if (rc)
		return fail_call("IPsecSaContextGetById1", rc);
	print_context(c);
	FwpmFreeMemory0((void **)&c);
	return EXIT_OK;
}

DEFINE_ENUMERATION(context_enum, IPsecSaContextCreateEnumHandle0,
		   IPsecSaContextEnum1, IPsecSaContextDestroyEnumHandle0,
		   IPSEC_SA_CONTEXT1, print_context);

static const struct keyword list_keywords[] = {
	SUBNET_KEYWORDS(0),
	{ NULL }
};

static int context_list(int argc, char **argv)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	struct subnets s;
	int st;

	memset(&s, 0, sizeof(s));
	st = parse_keywords(list_keywords, 0, &s, argc, argv, 1);
	if (st)
		return st;
	subnets_template(&s, &tmpl);	/* FWP_EMPTY: any address */
	return enumerate(&context_enum, &tmpl);
}

/* ------------------------------------------------------------ delete, expire */

static int parse_id_any(const char *s, void *id)
{
	return parse_id(s, id);
}

static DWORD delete_call(HANDLE engine, const void *id)
{
	return IPsecSaContextDeleteById0(engine, *(const UINT64 *)id);
}

static DWORD expire_call(HANDLE engine, const void *id)
{
	return IPsecSaContextExpire0(engine, *(const UINT64 *)id);
}

static int context_delete(int argc, char **argv)
{
	static const struct each_arg e = {
		"context id", parse_id_any, delete_call,
		"IPsecSaContextDeleteById0", NULL,
	};

	return for_each_arg(&e, argc, argv);
}

static int context_expire(int argc, char **argv)
{
	static const struct each_arg e = {
		"context id", parse_id_any, expire_call, "IPsecSaContextExpire0",
		NULL,
	};

	return for_each_arg(&e, argc, argv);
}

/* ------------------------------------------------------------ update */

struct update_args {
	IPSEC_V4_UDP_ENCAPSULATION0 ports;
	const char *local, *remote;
	struct addr local_addr, remote_addr;
	bool encap_on, encap_off;
};

/* LOCAL-PORT:REMOTE-PORT, both non-zero. */
static int parse_ports(const char *s, IPSEC_V4_UDP_ENCAPSULATION0 *e)
{
	char buf[16], *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (parse_u16(buf, &e->localUdpEncapPort) ||
	    parse_u16(colon + 1, &e->remoteUdpEncapPort) ||
	    !e->localUdpEncapPort || !e->remoteUdpEncapPort)
		return -1;
	return 0;
}

static int kw_encap(void *args, const struct keyword *kw, const char *v)
{
	struct update_args *a = args;

	if (parse_ports(v, kw_field(args, kw)))
		return usage_error("'encap' takes LOCAL-PORT:REMOTE-PORT "
				   "(both non-zero), not '%s'", v);
	a->encap_on = true;
	return EXIT_OK;
}

#define UPDATE(m) offsetof(struct update_args, m)

/* "encap" and "--encap" alike: KW_DASHES. */
static const struct keyword update_keywords[] = {
	{ "encap", 1, kw_encap, UPDATE(ports) },
	{ "no-encap", 0, kw_true, UPDATE(encap_off) },
	{ "local", 1, kw_str, UPDATE(local) },
	{ "remote", 1, kw_str, UPDATE(remote) },
	{ NULL }
};

static int update_args_parse(int argc, char **argv, UINT64 *id,
			     struct update_args *a)
{
	int st;

	memset(a, 0, sizeof(*a));
	st = parse_id_arg(argc, argv, id);
	if (!st)
		st = parse_keywords(update_keywords, KW_DASHES, a, argc, argv, 2);
	if (st)
		return st;
	if (a->encap_on && a->encap_off)
		return usage_error("'--encap' and '--no-encap' exclude each other");
	if (!a->encap_on && !a->encap_off && !a->local && !a->remote)
		return usage_error("nothing to update: give '--encap LOCAL-PORT:REMOTE-PORT', "
				   "'--no-encap', '--local ADDRESS' or '--remote ADDRESS'");
	return parse_addrs(a->local, a->remote, &a->local_addr, &a->remote_addr);
}

/* New addresses keep the context's IP version. */
static int update_check(const IPSEC_SA_CONTEXT1 *c, UINT64 id,
			const struct update_args *a)
{
	FWP_IP_VERSION version = c->outboundSa->traffic.ipVersion;

	if ((a->local && a->local_addr.version != version) ||
	    (a->remote && a->remote_addr.version != version))
		return fail("context %llu is %s: its addresses cannot change IP version",
			    (unsigned long long)id,
			    version == FWP_IP_VERSION_V4 ? "IPv4" : "IPv6");
	return EXIT_OK;
}

/* Edits c as a says; returns the flags naming what changed. */
static UINT64 update_edit(IPSEC_SA_CONTEXT1 *c, struct update_args *a)
{
	const struct addr *local = a->local ? &a->local_addr : NULL;
	const struct addr *remote = a->remote ? &a->remote_addr : NULL;
	IPSEC_V4_UDP_ENCAPSULATION0 *encap = a->encap_on ? &a->ports : NULL;
	UINT64 flags = 0;

	if (local || remote) {
		/* Both directions name the same host pair. */
		set_traffic_addrs(&c->outboundSa->traffic, local, remote);
		if (c->inboundSa)
			set_traffic_addrs(&c->inboundSa->traffic, local, remote);
		flags |= IPSEC_SA_DETAILS_UPDATE_TRAFFIC;
	}
	if (a->encap_on || a->encap_off) {
		/* NULL on both SA details turns ESP-in-UDP off. */
		c->outboundSa->udpEncapsulation = encap;
		if (c->inboundSa)
			c->inboundSa->udpEncapsulation = encap;
		flags |= IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION;
	}
	return flags;
}

/*
 * IPsecSaContextUpdate0 the way a Windows keying module calls it: read
 * the context with GetById1, edit what changes, pass the flags naming it.
 */
static int context_update(int argc, char **argv)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct update_args a;
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int st;

	st = update_args_parse(argc, argv, &id, &a);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextGetById1(engine, id, &c);
	if (rc) {
		engine_close(engine);
		return fail_call("IPsecSaContextGetById1", rc);
	}
	st = update_check(c, id, &a);
	if (!st)
		rc = IPsecSaContextUpdate0(engine, update_edit(c, &a), c);
	/*
	 * The pointers edited point into this process's memory, not into
	 * the allocation; FwpmFreeMemory0 frees the one block whole.
	 */
	FwpmFreeMemory0((void **)&c);
	engine_close(engine);
	if (st)
		return st;
	return rc ? fail_call("IPsecSaContextUpdate0", rc) : EXIT_OK;
}

const struct command context_commands[] = {
	{
		.name = "create", .fn = context_create,
		.help = "create an SA context for a traffic description; print its id",
		.usage = "local ADDRESS remote ADDRESS [mode transport|tunnel]\n"
			 "        [proto PROTOCOL] [local-port PORT] [remote-port PORT]\n"
			 "        [filter-id N | tunnel-policy-id N] [if-luid N] [if-profile-id N]\n"
			 "        [vif-tunnel-id N] [vif-selector-id N]\n"
			 "        [local-subnet PREFIX] [remote-subnet PREFIX] [no-policy] [--json]",
	},
	{
		.name = "show", .fn = context_show,
		.help = "show one SA context, its SPI and SAs (never keys)",
		.usage = "ID [--json]",
	},
	{
		.name = "list", .fn = context_list,
		.help = "list the SA contexts of this network namespace",
		.usage = "[local PREFIX] [remote PREFIX] [--json]",
	},
	{
		.name = "delete", .fn = context_delete,
		.help = "delete SA contexts with their SPIs, SAs and policies",
		.usage = "ID...",
	},
	{
		.name = "set-selectors", .fn = context_set_selectors,
		.help = "set the subnets a context's policies select (before its SPI)",
		.usage = "ID [local-subnet PREFIX] [remote-subnet PREFIX] [no-policy]",
	},
	{
		.name = "update", .fn = context_update,
		.help = "turn ESP-in-UDP on or off, or move a keyed context to new addresses",
		.usage = "ID [--encap LOCAL-PORT:REMOTE-PORT | --no-encap]\n"
			 "        [--local ADDRESS] [--remote ADDRESS]\n"
			 "  The context needs its inbound SA.  Keywords may also be written\n"
			 "  without their dashes ('encap 4500:4500').",
	},
	{
		.name = "expire", .fn = context_expire,
		.help = "expire a complete context: outbound SA now, inbound after a grace time",
		.usage = "ID...",
	},
	{ .name = NULL }
};
