// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec provider-context add|list|show|delete (Documentation/
 * objects.rst): the quick-mode policy IPsec callout filters carry.  The
 * tool writes one proposal (alg, default aes-gcm-128) and shows what a
 * context holds in outline: endpoints, proposal count, keying modules.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	FWPM_PROVIDER_CONTEXT_TYPE type;
} pctx_types[] = {
	{ "keying", FWPM_IPSEC_KEYING_CONTEXT },
	{ "transport", FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT },
	{ "tunnel", FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT },
};

#define NTYPES (sizeof(pctx_types) / sizeof(pctx_types[0]))

static const char *type_name(FWPM_PROVIDER_CONTEXT_TYPE t)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (pctx_types[i].type == t)
			return pctx_types[i].name;
	return NULL;
}

static const struct guid_name keying_modules[] = {
	{ "ike", NULL, &FWPM_KEYING_MODULE_IKE },
	{ "authip", NULL, &FWPM_KEYING_MODULE_AUTHIP },
	{ "ikev2", NULL, &FWPM_KEYING_MODULE_IKEV2 },
	{ NULL, NULL, NULL }
};

#define KEYMOD_MAX 8

/* ------------------------------------------------------------ arguments */

/* FWP_IP_VERSION_V4 is 0: an address given is told by set. */
struct opt_addr {
	struct addr a;
	bool set;
};

struct pctx_args {
	struct opt_guid key, provider;
	wchar_t *name, *desc;
	FWP_BYTE_BLOB data;
	bool persistent, have_type;
	FWPM_PROVIDER_CONTEXT_TYPE type;
	struct opt_addr local, remote;
	UINT32 idle, nkeymod;
	GUID keymod[KEYMOD_MAX];
	const char *alg;
};

#define PA(m) offsetof(struct pctx_args, m)

static int kw_type(void *args, const struct keyword *kw, const char *v)
{
	struct pctx_args *a = args;
	size_t i;

	(void)kw;
	for (i = 0; i < NTYPES; i++) {
		if (!strcmp(v, pctx_types[i].name)) {
			a->type = pctx_types[i].type;
			a->have_type = true;
			return EXIT_OK;
		}
	}
	return usage_error("'type' is keying, transport or tunnel");
}

static int kw_addr(void *args, const struct keyword *kw, const char *v)
{
	struct opt_addr *o = kw_field(args, kw);

	if (parse_addr(v, &o->a))
		return usage_error("'%s' is not an address", v);
	o->set = true;
	return EXIT_OK;
}

static int kw_keymod(void *args, const struct keyword *kw, const char *v)
{
	struct pctx_args *a = args;

	(void)kw;
	if (a->nkeymod == KEYMOD_MAX)
		return usage_error("at most %d keying modules", KEYMOD_MAX);
	if (guid_by_name(keying_modules, v, &a->keymod[a->nkeymod]))
		return usage_error("'keying-module' is ike, authip, ikev2 or "
				   "a GUID");
	a->nkeymod++;
	return EXIT_OK;
}

static const struct keyword pctx_keywords[] = {
	{ "type", 1, kw_type, 0 },
	{ "key", 1, kw_guid, PA(key) },
	{ "name", 1, kw_wide, PA(name) },
	{ "description", 1, kw_wide, PA(desc) },
	{ "data", 1, kw_data, PA(data) },
	{ "persistent", 0, kw_true, PA(persistent) },
	{ "provider", 1, kw_guid, PA(provider) },
	{ "local", 1, kw_addr, PA(local) },
	{ "remote", 1, kw_addr, PA(remote) },
	{ "alg", 1, kw_str, PA(alg) },
	{ "idle-timeout", 1, kw_u32, PA(idle) },
	{ "keying-module", 1, kw_keymod, 0 },
	{ NULL }
};

/* ------------------------------------------------------------ the policy */

/* What the FWPM_PROVIDER_CONTEXT0 points to. */
struct pctx_policy {
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 ac;
	IPSEC_SA_TRANSFORM0 xform;
	IPSEC_PROPOSAL0 prop;
	IPSEC_TRANSPORT_POLICY0 transport;
	IPSEC_TUNNEL_POLICY0 tunnel;
	IPSEC_KEYING_POLICY0 keying;
};

/* The transform alg names, its halves in p->ac (algs.c has the names). */
static void set_transform(const struct alg *alg, struct pctx_policy *p)
{
	const struct alg_half *c = alg->cipher, *a = alg->gcm ? NULL : alg->auth;
	IPSEC_SA_TRANSFORM0 *x = &p->xform;

	x->ipsecTransformType = alg->transform;
	if (c) {
		p->ac.cipherTransform.cipherTransformId.cipherType = c->type;
		p->ac.cipherTransform.cipherTransformId.cipherConfig = c->config;
	}
	if (alg->gcm) {
		p->ac.authTransform.authTransformId.authType = c->auth_type;
		p->ac.authTransform.authTransformId.authConfig = c->auth_config;
	} else if (a) {
		p->ac.authTransform.authTransformId.authType = a->type;
		p->ac.authTransform.authTransformId.authConfig = a->config;
	}
	if (alg->transform == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER)
		x->espAuthAndCipherTransform = &p->ac;
	else if (alg->transform == IPSEC_TRANSFORM_ESP_CIPHER)
		x->espCipherTransform = &p->ac.cipherTransform;
	else
		x->ahTransform = &p->ac.authTransform;
}

/* One proposal: the algorithm, an hour or 100 MB (Windows' defaults). */
static int set_proposal(const struct pctx_args *a, struct pctx_policy *p)
{
	struct alg alg;

	if (alg_parse(a->alg ? a->alg : "aes-gcm-128", &alg))
		return usage_error("unknown algorithm '%s' (see 'sa algorithms')",
				   a->alg);
	set_transform(&alg, p);
	p->prop.lifetime.lifetimeSeconds = 3600;
	p->prop.lifetime.lifetimeKilobytes = 100000;
	p->prop.lifetime.lifetimePackets = 0x7fffffff;
	p->prop.numSaTransforms = 1;
	p->prop.saTransforms = &p->xform;
	return EXIT_OK;
}

/* The tunnel's outer addresses, laid out as IPSEC_TRAFFIC1's are. */
static int set_endpoints(const struct pctx_args *a, IPSEC_TUNNEL_ENDPOINTS0 *e)
{
	const struct addr *l = &a->local.a, *r = &a->remote.a;

	if (!a->local.set || !a->remote.set)
		return usage_error("a tunnel needs 'local ADDRESS remote ADDRESS'");
	if (l->version != r->version)
		return usage_error("local and remote are of different IP versions");
	e->ipVersion = l->version;
	addr_to_traffic(l, &e->localV4Address, e->localV6Address);
	addr_to_traffic(r, &e->remoteV4Address, e->remoteV6Address);
	return EXIT_OK;
}

/* Keywords of another type's policy are refused, not ignored. */
static int check_pctx_args(const struct pctx_args *a)
{
	bool keying = a->type == FWPM_IPSEC_KEYING_CONTEXT;

	if (!a->have_type)
		return usage_error("'type keying|transport|tunnel' is needed");
	if ((a->local.set || a->remote.set) &&
	    a->type != FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT)
		return usage_error("'local' and 'remote' go with 'type tunnel'");
	if (keying && (a->alg || a->idle))
		return usage_error("'alg' and 'idle-timeout' do not go with "
				   "'type keying'");
	if (!keying && a->nkeymod)
		return usage_error("'keying-module' goes with 'type keying'");
	return EXIT_OK;
}

/* The policy arm of c for the type asked; a usage error when it lacks. */
static int set_policy(const struct pctx_args *a, struct pctx_policy *p,
		      FWPM_PROVIDER_CONTEXT0 *c)
{
	int st;

	if (a->type == FWPM_IPSEC_KEYING_CONTEXT) {
		if (!a->nkeymod)
			return usage_error("'keying-module NAME' is needed");
		p->keying.numKeyMods = a->nkeymod;
		p->keying.keyModKeys = (GUID *)a->keymod;
		c->keyingPolicy = &p->keying;
		return EXIT_OK;
	}
	st = set_proposal(a, p);
	if (st || a->type == FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT) {
		p->transport.numIpsecProposals = 1;
		p->transport.ipsecProposals = &p->prop;
		p->transport.saIdleTimeout.idleTimeoutSeconds = a->idle;
		c->ikeQmTransportPolicy = &p->transport;
		return st;
	}
	p->tunnel.numIpsecProposals = 1;
	p->tunnel.ipsecProposals = &p->prop;
	p->tunnel.saIdleTimeout.idleTimeoutSeconds = a->idle;
	c->ikeQmTunnelPolicy = &p->tunnel;
	return set_endpoints(a, &p->tunnel.tunnelEndpoints);
}

/* ------------------------------------------------------------ add */

static int add_pctx(struct pctx_args *a, FWPM_PROVIDER_CONTEXT0 *c)
{
	HANDLE engine;
	UINT64 id = 0;
	DWORD rc;
	int st;

	st = a->key.set ? EXIT_OK : random_guid(&a->key.guid);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	c->providerContextKey = a->key.guid;
	c->displayData.name = a->name ? a->name : L"wfpipsec";
	c->displayData.description = a->desc;
	c->flags = a->persistent ? FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT : 0;
	c->providerKey = a->provider.set ? &a->provider.guid : NULL;
	c->providerData = a->data;
	c->type = a->type;
	rc = FwpmProviderContextAdd0(engine, c, NULL, &id);
	engine_close(engine);
	if (rc)
		return fail_call("FwpmProviderContextAdd0", rc);
	print_id_key(id, &a->key.guid);
	return EXIT_OK;
}

static int pctx_add(int argc, char **argv)
{
	FWPM_PROVIDER_CONTEXT0 c;
	struct pctx_policy p;
	struct pctx_args a;
	int st;

	memset(&a, 0, sizeof(a));
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	st = parse_keywords(pctx_keywords, 0, &a, argc, argv, 1);
	if (!st)
		st = check_pctx_args(&a);
	if (!st)
		st = set_policy(&a, &p, &c);
	if (!st)
		st = add_pctx(&a, &c);
	free(a.name);
	free(a.desc);
	free(a.data.data);
	return st;
}

/* ------------------------------------------------------------ printing */

/* The endpoints of a tunnel context, else false. */
static bool pctx_endpoints(const FWPM_PROVIDER_CONTEXT0 *c, char *local,
			   char *remote, size_t len)
{
	const IPSEC_TUNNEL_ENDPOINTS0 *e;

	if (c->type != FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT ||
	    !c->ikeQmTunnelPolicy)
		return false;
	e = &c->ikeQmTunnelPolicy->tunnelEndpoints;
	traffic_addr_str(e->ipVersion, e->localV4Address, e->localV6Address,
			 local, len);
	traffic_addr_str(e->ipVersion, e->remoteV4Address, e->remoteV6Address,
			 remote, len);
	return true;
}

/* A QM policy's proposal count and idle timeout; false for others. */
static bool pctx_qm(const FWPM_PROVIDER_CONTEXT0 *c, UINT32 *nprop,
		    UINT32 *idle)
{
	const IPSEC_TRANSPORT_POLICY0 *tp = c->ikeQmTransportPolicy;
	const IPSEC_TUNNEL_POLICY0 *tu = c->ikeQmTunnelPolicy;

	if (c->type == FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT && tp) {
		*nprop = tp->numIpsecProposals;
		*idle = tp->saIdleTimeout.idleTimeoutSeconds;
		return true;
	}
	if (c->type == FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT && tu) {
		*nprop = tu->numIpsecProposals;
		*idle = tu->saIdleTimeout.idleTimeoutSeconds;
		return true;
	}
	return false;
}

static const IPSEC_KEYING_POLICY0 *pctx_keying(const FWPM_PROVIDER_CONTEXT0 *c)
{
	return c->type == FWPM_IPSEC_KEYING_CONTEXT ? c->keyingPolicy : NULL;
}

static void print_keymods(const IPSEC_KEYING_POLICY0 *k)
{
	char buf[GUID_LEN + 1];
	UINT32 i;

	if (g_json)
		json_begin_array("keying_modules");
	else
		printf("  keying-modules");
	for (i = 0; k && k->keyModKeys && i < k->numKeyMods; i++) {
		if (g_json)
			json_string(NULL, guid_name(keying_modules,
						    &k->keyModKeys[i], buf));
		else
			printf(" %s", guid_name(keying_modules,
						&k->keyModKeys[i], buf));
	}
	if (g_json)
		json_end();
	else
		putchar('\n');
}

static void print_pctx_text(const FWPM_PROVIDER_CONTEXT0 *c)
{
	char kbuf[GUID_LEN + 1], nbuf[TEXT_MAX], local[64], remote[64];
	const char *name = narrow(c->displayData.name, nbuf);
	const char *type = type_name(c->type);
	UINT32 nprop, idle;

	printf("provider-context %llu %s %s\n",
	       (unsigned long long)c->providerContextId,
	       guid_str(&c->providerContextKey, kbuf), name ? name : "");
	if (type)
		printf("  type %s\n", type);
	else
		printf("  type %u\n", (unsigned int)c->type);
	if (pctx_endpoints(c, local, remote, sizeof(local)))
		printf("  local %s remote %s\n", local, remote);
	if (pctx_qm(c, &nprop, &idle))
		printf("  proposals %u idle-timeout %u\n", (unsigned int)nprop,
		       (unsigned int)idle);
	if (pctx_keying(c))
		print_keymods(pctx_keying(c));
	text_guid("provider", c->providerKey);
	text_wide("description", c->displayData.description);
	print_blob("data", &c->providerData);
	if (c->flags & FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT)
		puts("  persistent");
}

static void print_pctx_json(const FWPM_PROVIDER_CONTEXT0 *c)
{
	char local[64], remote[64];
	bool tunnel = pctx_endpoints(c, local, remote, sizeof(local));
	UINT32 nprop = 0, idle = 0;
	bool qm = pctx_qm(c, &nprop, &idle);

	json_begin_object(NULL);
	json_uint("id", c->providerContextId);
	json_guid("key", &c->providerContextKey);
	json_wide("name", c->displayData.name);
	json_wide("description", c->displayData.description);
	json_string("type", type_name(c->type));
	json_uint("type_number", (UINT64)c->type);
	json_string("local", tunnel ? local : NULL);
	json_string("remote", tunnel ? remote : NULL);
	if (qm) {
		json_uint("proposals", nprop);
		json_uint("idle_timeout", idle);
	} else {
		json_null("proposals");
		json_null("idle_timeout");
	}
	if (pctx_keying(c))
		print_keymods(pctx_keying(c));
	else
		json_null("keying_modules");
	json_guid("provider", c->providerKey);
	print_blob("data", &c->providerData);
	json_uint("flags", c->flags);
	json_bool("persistent", c->flags & FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT);
	json_end();
}

static void print_pctx(const FWPM_PROVIDER_CONTEXT0 *c)
{
	if (g_json)
		print_pctx_json(c);
	else
		print_pctx_text(c);
}

/* ------------------------------------------------------------ commands */

DEFINE_REF_TYPE(pctx, "provider context", FWPM_PROVIDER_CONTEXT0,
		FwpmProviderContextGetById0, FwpmProviderContextGetByKey0,
		FwpmProviderContextDeleteById0, FwpmProviderContextDeleteByKey0,
		print_pctx)

DEFINE_ENUMERATION(pctx_enum, FwpmProviderContextCreateEnumHandle0,
		   FwpmProviderContextEnum0,
		   FwpmProviderContextDestroyEnumHandle0,
		   FWPM_PROVIDER_CONTEXT0, print_pctx);

static const struct keyword pctx_list_keywords[] = {
	{ "provider", 1, kw_guid, PA(provider) },
	{ "type", 1, kw_type, 0 },
	{ NULL }
};

/* The SDK's template has the type by value: no type, no template. */
static int pctx_list(int argc, char **argv)
{
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 tmpl;
	struct pctx_args a;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(pctx_list_keywords, 0, &a, argc, argv, 1);
	if (st)
		return st;
	if (!a.have_type)
		return a.provider.set ? usage_error("'provider' needs 'type'") :
					enumerate(&pctx_enum, NULL);
	tmpl.providerKey = a.provider.set ? &a.provider.guid : NULL;
	tmpl.providerContextType = a.type;
	return enumerate(&pctx_enum, &tmpl);
}

const struct command provider_context_commands[] = {
	{
		.name = "add", .fn = pctx_add,
		.help = "add a provider context; print its id and key",
		.usage = "type keying|transport|tunnel [local ADDRESS remote ADDRESS]\n"
			 "        [alg ALG] [idle-timeout SECONDS] [keying-module ike|authip|ikev2]...\n"
			 "        [key GUID] [name TEXT] [description TEXT] [provider GUID]\n"
			 "        [data HEX] [persistent] [--json]\n"
			 "  tunnel needs local and remote (the tunnel's outer addresses);\n"
			 "  transport and tunnel get one proposal of ALG (default aes-gcm-128);\n"
			 "  keying needs at least one keying-module.",
	},
	{
		.name = "list", .fn = pctx_list,
		.help = "list the provider contexts of this network namespace",
		.usage = "[type keying|transport|tunnel [provider GUID]] [--json]",
	},
	{
		.name = "show", .fn = pctx_show,
		.help = "show one provider context",
		.usage = "ID|GUID [--json]",
	},
	{
		.name = "delete", .fn = pctx_delete,
		.help = "delete provider contexts no filter names",
		.usage = "ID|GUID...",
	},
	{ .name = NULL }
};
