// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec context create|show|list|delete|expire|set-selectors|update.
 */
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------ printing */

static const char *context_state(const IPSEC_SA_CONTEXT1 *c)
{
	if (!c->inboundSa)
		return "created";
	if (!c->inboundSa->saBundle.numSAs)
		return "spi-set";
	if (!c->outboundSa || !c->outboundSa->saBundle.numSAs)
		return "inbound-only";
	return "complete";
}

static const char *sa_protocol(const IPSEC_SA0 *sa)
{
	return sa->saTransformType == IPSEC_TRANSFORM_AH ? "ah" : "esp";
}

static void print_sa_json(const char *key, const IPSEC_SA_DETAILS1 *d)
{
	const IPSEC_SA_BUNDLE1 *b;
	char alg[64], addr[64];

	if (!d || !d->saBundle.numSAs || !d->saBundle.saList) {
		json_null(key);
		return;
	}
	b = &d->saBundle;
	alg_name_of_sa(&b->saList[0], alg, sizeof(alg));
	json_begin_object(key);
	json_uint("spi", b->saList[0].spi);
	json_string("protocol", sa_protocol(&b->saList[0]));
	json_string("algorithm", alg);
	json_begin_object("lifetime");
	json_uint("seconds", b->lifetime.lifetimeSeconds);
	json_uint("kilobytes", b->lifetime.lifetimeKilobytes);
	json_uint("packets", b->lifetime.lifetimePackets);
	json_end();
	json_uint("flags", b->flags);
	json_uint("qm_sa_id", b->qmSaId);
	json_uint("mm_sa_id", b->mmSaId);
	json_uint("pfs_group", b->pfsGroup);
	json_uint("idle_timeout_seconds", b->idleTimeoutSeconds);
	if (b->ipVersion == FWP_IP_VERSION_V4 && b->peerV4PrivateAddress) {
		traffic_addr_str(FWP_IP_VERSION_V4, b->peerV4PrivateAddress,
				 NULL, addr, sizeof(addr));
		json_string("peer_v4_private_address", addr);
	} else {
		json_null("peer_v4_private_address");
	}
	json_end();
}

static void print_context_json(const IPSEC_SA_CONTEXT1 *c)
{
	const IPSEC_SA_DETAILS1 *out = c->outboundSa;
	const IPSEC_TRAFFIC1 *t = &out->traffic;
	const IPSEC_V4_UDP_ENCAPSULATION0 *encap =
		c->inboundSa ? c->inboundSa->udpEncapsulation : NULL;
	bool tunnel = t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL;
	char local[64], remote[64];

	traffic_addr_str(t->ipVersion, t->localV4Address, t->localV6Address,
			 local, sizeof(local));
	traffic_addr_str(t->ipVersion, t->remoteV4Address, t->remoteV6Address,
			 remote, sizeof(remote));
	json_begin_object(NULL);
	json_uint("id", c->saContextId);
	json_string("state", context_state(c));
	json_string("ip_version", t->ipVersion == FWP_IP_VERSION_V4 ? "ipv4" : "ipv6");
	json_string("mode", tunnel ? "tunnel" : "transport");
	json_string("local", local);
	json_string("remote", remote);
	json_uint("protocol", t->ipProtocol);
	json_uint("local_port", t->localPort);
	json_uint("remote_port", t->remotePort);
	json_uint(tunnel ? "tunnel_policy_id" : "filter_id", t->ipsecFilterId);
	json_uint("if_luid", t->localIfLuid);
	json_uint("if_profile_id", t->realIfProfileId);
	json_begin_object("virtual_if");
	json_uint("tunnel_id", out->virtualIfTunnelInfo.virtualIfTunnelId);
	json_uint("selector_id", out->virtualIfTunnelInfo.trafficSelectorId);
	json_end();
	if (encap) {
		json_begin_object("udp_encap");
		json_uint("local_port", encap->localUdpEncapPort);
		json_uint("remote_port", encap->remoteUdpEncapPort);
		json_end();
	} else {
		json_null("udp_encap");
	}
	json_bool("inbound_spi_reserved", c->inboundSa != NULL);
	print_sa_json("inbound_sa", c->inboundSa);
	print_sa_json("outbound_sa", out);
	json_end();
}

static void print_sa_text(const char *dir, const IPSEC_SA_DETAILS1 *d,
			  bool reserved)
{
	const IPSEC_SA_BUNDLE1 *b;
	char alg[64], addr[64];

	printf("\t%-8s ", dir);
	if (!d || !d->saBundle.numSAs || !d->saBundle.saList) {
		puts(reserved ? "spi reserved, no SA" : "no SA");
		return;
	}
	b = &d->saBundle;
	alg_name_of_sa(&b->saList[0], alg, sizeof(alg));
	printf("spi 0x%08x %s %s", (unsigned int)b->saList[0].spi,
	       sa_protocol(&b->saList[0]), alg);
	if (b->lifetime.lifetimeSeconds)
		printf(" lifetime-seconds %u", (unsigned int)b->lifetime.lifetimeSeconds);
	if (b->lifetime.lifetimeKilobytes)
		printf(" lifetime-kilobytes %u", (unsigned int)b->lifetime.lifetimeKilobytes);
	if (b->lifetime.lifetimePackets)
		printf(" lifetime-packets %u", (unsigned int)b->lifetime.lifetimePackets);
	if (b->flags)
		printf(" flags 0x%x", (unsigned int)b->flags);
	if (b->qmSaId)
		printf(" qm-sa-id %u", (unsigned int)b->qmSaId);
	if (b->ipVersion == FWP_IP_VERSION_V4 && b->peerV4PrivateAddress) {
		traffic_addr_str(FWP_IP_VERSION_V4, b->peerV4PrivateAddress,
				 NULL, addr, sizeof(addr));
		printf(" peer-private-address %s", addr);
	}
	putchar('\n');
}

static void print_context_text(const IPSEC_SA_CONTEXT1 *c)
{
	const IPSEC_SA_DETAILS1 *out = c->outboundSa;
	const IPSEC_TRAFFIC1 *t = &out->traffic;
	const IPSEC_V4_UDP_ENCAPSULATION0 *encap =
		c->inboundSa ? c->inboundSa->udpEncapsulation : NULL;
	bool tunnel = t->trafficType == IPSEC_TRAFFIC_TYPE_TUNNEL;
	const char *proto = protocol_name(t->ipProtocol);
	char local[64], remote[64];

	traffic_addr_str(t->ipVersion, t->localV4Address, t->localV6Address,
			 local, sizeof(local));
	traffic_addr_str(t->ipVersion, t->remoteV4Address, t->remoteV6Address,
			 remote, sizeof(remote));
	printf("context %llu %s\n", (unsigned long long)c->saContextId,
	       context_state(c));
	printf("\t%s %s local %s remote %s",
	       t->ipVersion == FWP_IP_VERSION_V4 ? "ipv4" : "ipv6",
	       tunnel ? "tunnel" : "transport", local, remote);
	if (t->ipProtocol) {
		if (proto)
			printf(" proto %s", proto);
		else
			printf(" proto %u", t->ipProtocol);
	}
	if (t->localPort)
		printf(" local-port %u", t->localPort);
	if (t->remotePort)
		printf(" remote-port %u", t->remotePort);
	putchar('\n');
	if (t->ipsecFilterId || t->localIfLuid || t->realIfProfileId ||
	    out->virtualIfTunnelInfo.virtualIfTunnelId ||
	    out->virtualIfTunnelInfo.trafficSelectorId) {
		printf("\t%s %llu if-luid %llu if-profile-id %u vif-tunnel-id %llu vif-selector-id %llu\n",
		       tunnel ? "tunnel-policy-id" : "filter-id",
		       (unsigned long long)t->ipsecFilterId,
		       (unsigned long long)t->localIfLuid,
		       (unsigned int)t->realIfProfileId,
		       (unsigned long long)out->virtualIfTunnelInfo.virtualIfTunnelId,
		       (unsigned long long)out->virtualIfTunnelInfo.trafficSelectorId);
	}
	if (encap)
		printf("\tudp-encap local-port %u remote-port %u\n",
		       encap->localUdpEncapPort, encap->remoteUdpEncapPort);
	print_sa_text("inbound", c->inboundSa, c->inboundSa != NULL);
	print_sa_text("outbound", out, false);
}

static void print_context(const IPSEC_SA_CONTEXT1 *c)
{
	if (g_json)
		print_context_json(c);
	else
		print_context_text(c);
}

/* ------------------------------------------------------------ create */

static int selectors_args(int argc, char **argv, int *i, struct prefix *local,
			  struct prefix *remote, bool *have_local,
			  bool *have_remote, UINT32 *flags, bool *matched)
{
	const char *v;

	*matched = true;
	if (!strcmp(argv[*i], "local-subnet") || !strcmp(argv[*i], "remote-subnet")) {
		bool is_local = argv[*i][0] == 'l';

		v = arg_value(argc, argv, i);
		if (!v)
			return EXIT_USAGE;
		if (parse_prefix(v, is_local ? local : remote))
			return usage_error("'%s' is not an address or ADDRESS/LENGTH", v);
		*(is_local ? have_local : have_remote) = true;
		return EXIT_OK;
	}
	if (!strcmp(argv[*i], "no-policy")) {
		*flags |= WFPIPSEC_SELECTORS_FLAG_NO_POLICY;
		return EXIT_OK;
	}
	*matched = false;
	return EXIT_OK;
}

static int number_arg(int argc, char **argv, int *i, UINT64 *n, UINT64 max)
{
	const char *v = arg_value(argc, argv, i);

	if (!v)
		return EXIT_USAGE;
	if (parse_u64(v, n) || *n > max)
		return usage_error("'%s' is not a valid value for '%s'", v, argv[*i - 1]);
	return EXIT_OK;
}

static int context_create(int argc, char **argv)
{
	struct prefix sel_local, sel_remote;
	bool have_local = false, have_remote = false, matched;
	bool have_filter = false, have_policy = false, have_vif = false;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif;
	struct addr local, remote;
	const char *la = NULL, *ra = NULL, *v;
	IPSEC_TRAFFIC1 t;
	UINT32 sel_flags = 0;
	HANDLE engine;
	UINT64 id, n;
	DWORD rc;
	int i, st;

	memset(&t, 0, sizeof(t));
	memset(&vif, 0, sizeof(vif));
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	for (i = 1; i < argc; i++) {
		const char *k = argv[i];

		st = selectors_args(argc, argv, &i, &sel_local, &sel_remote,
				    &have_local, &have_remote, &sel_flags, &matched);
		if (st)
			return st;
		if (matched)
			continue;
		if (!strcmp(k, "local") || !strcmp(k, "remote")) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
			*(k[0] == 'l' ? &la : &ra) = v;
		} else if (!strcmp(k, "mode")) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
			if (!strcmp(v, "transport"))
				t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
			else if (!strcmp(v, "tunnel"))
				t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
			else
				return usage_error("mode is 'transport' or 'tunnel', not '%s'", v);
		} else if (!strcmp(k, "proto")) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
			if (parse_protocol(v, &t.ipProtocol))
				return usage_error("'%s' is not a protocol name or number", v);
		} else if (!strcmp(k, "local-port") || !strcmp(k, "remote-port")) {
			st = number_arg(argc, argv, &i, &n, UINT16_MAX);
			if (st)
				return st;
			*(k[0] == 'l' ? &t.localPort : &t.remotePort) = (UINT16)n;
		} else if (!strcmp(k, "filter-id") || !strcmp(k, "tunnel-policy-id")) {
			st = number_arg(argc, argv, &i, &n, UINT64_MAX);
			if (st)
				return st;
			t.ipsecFilterId = n;	/* one union with tunnelPolicyId */
			*(k[0] == 'f' ? &have_filter : &have_policy) = true;
		} else if (!strcmp(k, "if-luid")) {
			st = number_arg(argc, argv, &i, &t.localIfLuid, UINT64_MAX);
			if (st)
				return st;
		} else if (!strcmp(k, "if-profile-id")) {
			st = number_arg(argc, argv, &i, &n, UINT32_MAX);
			if (st)
				return st;
			t.realIfProfileId = (UINT32)n;
		} else if (!strcmp(k, "vif-tunnel-id")) {
			st = number_arg(argc, argv, &i, &vif.virtualIfTunnelId, UINT64_MAX);
			if (st)
				return st;
			have_vif = true;
		} else if (!strcmp(k, "vif-selector-id")) {
			st = number_arg(argc, argv, &i, &vif.trafficSelectorId, UINT64_MAX);
			if (st)
				return st;
			have_vif = true;
		} else {
			return usage_error("unknown argument '%s'", k);
		}
	}
	if (!la || !ra)
		return usage_error("both 'local ADDRESS' and 'remote ADDRESS' are needed");
	if (parse_addr(la, &local))
		return usage_error("'%s' is not an IPv4 or IPv6 address", la);
	if (parse_addr(ra, &remote))
		return usage_error("'%s' is not an IPv4 or IPv6 address", ra);
	if (local.version != remote.version)
		return usage_error("local and remote addresses are of different IP versions");
	if (have_filter && t.trafficType != IPSEC_TRAFFIC_TYPE_TRANSPORT)
		return usage_error("'filter-id' is for transport mode; tunnel mode takes 'tunnel-policy-id'");
	if (have_policy && t.trafficType != IPSEC_TRAFFIC_TYPE_TUNNEL)
		return usage_error("'tunnel-policy-id' is for tunnel mode; transport mode takes 'filter-id'");
	t.ipVersion = local.version;
	addr_to_traffic(&local, &t.localV4Address, t.localV6Address);
	addr_to_traffic(&remote, &t.remoteV4Address, t.remoteV6Address);

	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextCreate1(engine, &t, have_vif ? &vif : NULL, NULL, &id);
	if (rc) {
		engine_close(engine);
		return fail_call("IPsecSaContextCreate1", rc);
	}
	if (have_local || have_remote || sel_flags) {
		rc = WfpIpsecSaContextSetSelectors0(engine, id,
						    have_local ? &sel_local.value : NULL,
						    have_remote ? &sel_remote.value : NULL,
						    sel_flags);
		if (rc) {
			/* All or nothing: no half-configured context is left. */
			IPsecSaContextDeleteById0(engine, id);
			engine_close(engine);
			return fail_call("WfpIpsecSaContextSetSelectors0", rc);
		}
	}
	engine_close(engine);
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

#define ENUM_PAGE 64

static int context_list(int argc, char **argv)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT1 **entries;
	struct prefix local, remote;
	HANDLE engine, en;
	const char *v;
	UINT32 n, i;
	DWORD rc;
	int a, st;

	memset(&tmpl, 0, sizeof(tmpl));	/* FWP_EMPTY: any address */
	for (a = 1; a < argc; a++) {
		bool is_local = !strcmp(argv[a], "local");

		if (!is_local && strcmp(argv[a], "remote"))
			return usage_error("unknown argument '%s'", argv[a]);
		v = arg_value(argc, argv, &a);
		if (!v)
			return EXIT_USAGE;
		if (parse_prefix(v, is_local ? &local : &remote))
			return usage_error("'%s' is not an address or ADDRESS/LENGTH", v);
		if (is_local)
			tmpl.localSubNet = local.value;
		else
			tmpl.remoteSubNet = remote.value;
	}
	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextCreateEnumHandle0(engine, &tmpl, &en);
	if (rc) {
		engine_close(engine);
		return fail_call("IPsecSaContextCreateEnumHandle0", rc);
	}
	if (g_json)
		json_begin_array(NULL);
	do {
		rc = IPsecSaContextEnum1(engine, en, ENUM_PAGE, &entries, &n);
		if (rc)
			break;
		for (i = 0; i < n; i++)
			print_context(entries[i]);
		FwpmFreeMemory0((void **)&entries);
	} while (n == ENUM_PAGE);
	if (g_json)
		json_end();
	IPsecSaContextDestroyEnumHandle0(engine, en);
	engine_close(engine);
	return rc ? fail_call("IPsecSaContextEnum1", rc) : EXIT_OK;
}

/* ------------------------------------------------------------ delete */

static int context_delete(int argc, char **argv)
{
	int i, st, ret = EXIT_OK;
	HANDLE engine;
	UINT64 id;
	DWORD rc;

	if (argc < 2)
		return usage_error("at least one context id is needed");
	for (i = 1; i < argc; i++) {
		st = parse_id(argv[i], &id);
		if (st)
			return st;
	}
	st = engine_open(&engine);
	if (st)
		return st;
	for (i = 1; i < argc; i++) {
		parse_u64(argv[i], &id);
		rc = IPsecSaContextDeleteById0(engine, id);
		if (rc) {
			fprintf(stderr, "%s: context %llu:\n", g_cmd,
				(unsigned long long)id);
			ret = fail_call("IPsecSaContextDeleteById0", rc);
		}
	}
	engine_close(engine);
	return ret;
}

/* ------------------------------------------------------------ expire */

static int context_expire(int argc, char **argv)
{
	int i, st, ret = EXIT_OK;
	HANDLE engine;
	UINT64 id;
	DWORD rc;

	if (argc < 2)
		return usage_error("at least one context id is needed");
	for (i = 1; i < argc; i++) {
		st = parse_id(argv[i], &id);
		if (st)
			return st;
	}
	st = engine_open(&engine);
	if (st)
		return st;
	for (i = 1; i < argc; i++) {
		parse_u64(argv[i], &id);
		rc = IPsecSaContextExpire0(engine, id);
		if (rc) {
			fprintf(stderr, "%s: context %llu:\n", g_cmd,
				(unsigned long long)id);
			ret = fail_call("IPsecSaContextExpire0", rc);
		}
	}
	engine_close(engine);
	return ret;
}

/* ------------------------------------------------------------ selectors */

static int context_set_selectors(int argc, char **argv)
{
	bool have_local = false, have_remote = false, matched;
	struct prefix local, remote;
	UINT32 flags = 0;
	HANDLE engine;
	UINT64 id;
	DWORD rc;
	int i, st;

	if (argc < 2)
		return usage_error("a context id is needed");
	st = parse_id(argv[1], &id);
	if (st)
		return st;
	for (i = 2; i < argc; i++) {
		st = selectors_args(argc, argv, &i, &local, &remote, &have_local,
				    &have_remote, &flags, &matched);
		if (st)
			return st;
		if (!matched)
			return usage_error("unknown argument '%s'", argv[i]);
	}
	st = engine_open(&engine);
	if (st)
		return st;
	rc = WfpIpsecSaContextSetSelectors0(engine, id,
					    have_local ? &local.value : NULL,
					    have_remote ? &remote.value : NULL,
					    flags);
	engine_close(engine);
	return rc ? fail_call("WfpIpsecSaContextSetSelectors0", rc) : EXIT_OK;
}


/* ------------------------------------------------------------ update */

/* "encap" and "--encap" alike: the keyword with or without its dashes. */
static bool is_kw(const char *arg, const char *kw)
{
	if (!strncmp(arg, "--", 2))
		arg += 2;
	return !strcmp(arg, kw);
}

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

static void set_traffic_addrs(IPSEC_TRAFFIC1 *t, const struct addr *local,
			      const struct addr *remote)
{
	if (local)
		addr_to_traffic(local, &t->localV4Address, t->localV6Address);
	if (remote)
		addr_to_traffic(remote, &t->remoteV4Address, t->remoteV6Address);
}

/*
 * IPsecSaContextUpdate0 the way a Windows keying module calls it: read
 * the context with GetById1, edit what changes, pass the flags naming it.
 */
static int context_update(int argc, char **argv)
{
	bool encap_on = false, encap_off = false;
	IPSEC_V4_UDP_ENCAPSULATION0 ports;
	struct addr local, remote;
	const char *la = NULL, *ra = NULL, *v;
	IPSEC_SA_CONTEXT1 *c = NULL;
	FWP_IP_VERSION version;
	UINT64 id, flags = 0;
	HANDLE engine;
	DWORD rc;
	int i, st;

	memset(&ports, 0, sizeof(ports));
	if (argc < 2)
		return usage_error("a context id is needed");
	st = parse_id(argv[1], &id);
	if (st)
		return st;
	for (i = 2; i < argc; i++) {
		const char *k = argv[i];

		if (is_kw(k, "encap")) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
			if (parse_ports(v, &ports))
				return usage_error("'encap' takes LOCAL-PORT:REMOTE-PORT "
						   "(both non-zero), not '%s'", v);
			encap_on = true;
		} else if (is_kw(k, "no-encap")) {
			encap_off = true;
		} else if (is_kw(k, "local") || is_kw(k, "remote")) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
			*(is_kw(k, "local") ? &la : &ra) = v;
		} else {
			return usage_error("unknown argument '%s'", k);
		}
	}
	if (encap_on && encap_off)
		return usage_error("'--encap' and '--no-encap' exclude each other");
	if (!encap_on && !encap_off && !la && !ra)
		return usage_error("nothing to update: give '--encap LOCAL-PORT:REMOTE-PORT', "
				   "'--no-encap', '--local ADDRESS' or '--remote ADDRESS'");
	if (la && parse_addr(la, &local))
		return usage_error("'%s' is not an IPv4 or IPv6 address", la);
	if (ra && parse_addr(ra, &remote))
		return usage_error("'%s' is not an IPv4 or IPv6 address", ra);
	if (la && ra && local.version != remote.version)
		return usage_error("local and remote addresses are of different IP versions");

	st = engine_open(&engine);
	if (st)
		return st;
	rc = IPsecSaContextGetById1(engine, id, &c);
	if (rc) {
		engine_close(engine);
		return fail_call("IPsecSaContextGetById1", rc);
	}
	version = c->outboundSa->traffic.ipVersion;
	if ((la && local.version != version) || (ra && remote.version != version)) {
		FwpmFreeMemory0((void **)&c);
		engine_close(engine);
		return fail("context %llu is %s: its addresses cannot change IP version",
			    (unsigned long long)id,
			    version == FWP_IP_VERSION_V4 ? "IPv4" : "IPv6");
	}
	if (la || ra) {
		/* Both directions name the same host pair. */
		set_traffic_addrs(&c->outboundSa->traffic, la ? &local : NULL,
				  ra ? &remote : NULL);
		if (c->inboundSa)
			set_traffic_addrs(&c->inboundSa->traffic, la ? &local : NULL,
					  ra ? &remote : NULL);
		flags |= IPSEC_SA_DETAILS_UPDATE_TRAFFIC;
	}
	if (encap_on || encap_off) {
		/* NULL on both SA details turns ESP-in-UDP off. */
		c->outboundSa->udpEncapsulation = encap_on ? &ports : NULL;
		if (c->inboundSa)
			c->inboundSa->udpEncapsulation = encap_on ? &ports : NULL;
		flags |= IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION;
	}
	rc = IPsecSaContextUpdate0(engine, flags, c);
	/*
	 * The pointers edited above point into this process's memory, not
	 * into the allocation; FwpmFreeMemory0 frees the one block whole.
	 */
	FwpmFreeMemory0((void **)&c);
	engine_close(engine);
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
