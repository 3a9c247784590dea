// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec filter add|list|show|delete (Documentation/filters.rst): WFP
 * filters, which the module turns into xfrm policies.  Layers and
 * callouts go by name (or GUID); each condition is a keyword, and
 * repeating a field ORs its values, as WFP does.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------ names */

static const struct guid_name layers[] = {
	{ "inbound-transport-v4", "in4", &FWPM_LAYER_INBOUND_TRANSPORT_V4 },
	{ "inbound-transport-v6", "in6", &FWPM_LAYER_INBOUND_TRANSPORT_V6 },
	{ "outbound-transport-v4", "out4", &FWPM_LAYER_OUTBOUND_TRANSPORT_V4 },
	{ "outbound-transport-v6", "out6", &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 },
	{ "ipforward-v4", "fwd4", &FWPM_LAYER_IPFORWARD_V4 },
	{ "ipforward-v6", "fwd6", &FWPM_LAYER_IPFORWARD_V6 },
	{ "ale-auth-connect-v4", "connect4", &FWPM_LAYER_ALE_AUTH_CONNECT_V4 },
	{ "ale-auth-connect-v6", "connect6", &FWPM_LAYER_ALE_AUTH_CONNECT_V6 },
	{ "ale-auth-recv-accept-v4", "accept4",
	  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4 },
	{ "ale-auth-recv-accept-v6", "accept6",
	  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6 },
	{ NULL, NULL, NULL }
};

/* FWPM_CALLOUT_IPSEC_<NAME>, lower case with dashes. */
#define CALLOUT(name, NAME) \
	{ name "-v4", NULL, &FWPM_CALLOUT_IPSEC_##NAME##_V4 }, \
	{ name "-v6", NULL, &FWPM_CALLOUT_IPSEC_##NAME##_V6 }

static const struct guid_name callouts[] = {
	CALLOUT("inbound-transport", INBOUND_TRANSPORT),
	CALLOUT("outbound-transport", OUTBOUND_TRANSPORT),
	CALLOUT("inbound-tunnel", INBOUND_TUNNEL),
	CALLOUT("outbound-tunnel", OUTBOUND_TUNNEL),
	CALLOUT("forward-inbound-tunnel", FORWARD_INBOUND_TUNNEL),
	CALLOUT("forward-outbound-tunnel", FORWARD_OUTBOUND_TUNNEL),
	CALLOUT("inbound-initiate-secure", INBOUND_INITIATE_SECURE),
	CALLOUT("inbound-tunnel-ale-accept", INBOUND_TUNNEL_ALE_ACCEPT),
	CALLOUT("ale-connect", ALE_CONNECT),
	CALLOUT("dosp-forward", DOSP_FORWARD),
	{ NULL, NULL, NULL }
};

enum field_kind { F_ADDR, F_PORT, F_PROTO };

/* The condition keywords; ICMP type and code are the ports' GUIDs. */
static const struct field {
	const char *name;
	const GUID *guid;
	enum field_kind kind;
} fields[] = {
	{ "local", &FWPM_CONDITION_IP_LOCAL_ADDRESS, F_ADDR },
	{ "remote", &FWPM_CONDITION_IP_REMOTE_ADDRESS, F_ADDR },
	{ "source", &FWPM_CONDITION_IP_SOURCE_ADDRESS, F_ADDR },
	{ "destination", &FWPM_CONDITION_IP_DESTINATION_ADDRESS, F_ADDR },
	{ "proto", &FWPM_CONDITION_IP_PROTOCOL, F_PROTO },
	{ "local-port", &FWPM_CONDITION_IP_LOCAL_PORT, F_PORT },
	{ "remote-port", &FWPM_CONDITION_IP_REMOTE_PORT, F_PORT },
	{ "icmp-type", &FWPM_CONDITION_ICMP_TYPE, F_PORT },
	{ "icmp-code", &FWPM_CONDITION_ICMP_CODE, F_PORT },
	{ NULL, NULL, F_ADDR }
};

static const struct field *field_by_name(const char *name)
{
	const struct field *f = fields;

	while (f->name && strcmp(f->name, name))
		f++;
	return f->name ? f : NULL;
}

/* The first field with that GUID: ICMP type and code print as ports. */
static const char *field_name(const GUID *g, char buf[GUID_LEN + 1])
{
	const struct field *f = fields;

	while (f->name && memcmp(f->guid, g, sizeof(*g)))
		f++;
	return f->name ? f->name : guid_str(g, buf);
}

static const char *action_name(FWP_ACTION_TYPE t, char buf[16])
{
	if (t == FWP_ACTION_BLOCK)
		return "block";
	if (t == FWP_ACTION_PERMIT)
		return "permit";
	if (t == FWP_ACTION_CALLOUT_TERMINATING)
		return "callout";
	snprintf(buf, 16, "0x%x", (unsigned int)t);
	return buf;
}

/* ------------------------------------------------------------ arguments */

#define COND_MAX 32	/* the library's most, WFP_IPSEC_FILTER_COND_MAX */

/* What a condition's value points to. */
struct cond_value {
	struct prefix p;		/* an address or prefix */
	FWP_RANGE0 range;
	FWP_BYTE_ARRAY16 ends[2];	/* an IPv6 range's */
};

struct filter_args {
	struct opt_guid key, provider, sublayer, pctx, layer, callout;
	wchar_t *name, *desc;
	FWP_BYTE_BLOB data;
	bool persistent;
	FWP_ACTION_TYPE action;		/* 0: not given */
	FWP_VALUE0 weight;
	UINT64 weight64;
	UINT32 ncond;
	FWPM_FILTER_CONDITION0 cond[COND_MAX];
	struct cond_value val[COND_MAX];
};

#define FA(m) offsetof(struct filter_args, m)

static int kw_named(const struct guid_name *t, const char *what, void *args,
		    const struct keyword *kw, const char *v)
{
	struct opt_guid *o = kw_field(args, kw);

	if (guid_by_name(t, v, &o->guid))
		return usage_error("unknown %s '%s' (see --help)", what, v);
	o->set = true;
	return EXIT_OK;
}

static int kw_layer(void *args, const struct keyword *kw, const char *v)
{
	return kw_named(layers, "layer", args, kw, v);
}

static int kw_callout(void *args, const struct keyword *kw, const char *v)
{
	return kw_named(callouts, "callout", args, kw, v);
}

static int kw_action(void *args, const struct keyword *kw, const char *v)
{
	FWP_ACTION_TYPE *a = kw_field(args, kw);

	if (!strcmp(v, "block"))
		*a = FWP_ACTION_BLOCK;
	else if (!strcmp(v, "permit"))
		*a = FWP_ACTION_PERMIT;
	else if (!strcmp(v, "callout"))
		*a = FWP_ACTION_CALLOUT_TERMINATING;
	else
		return usage_error("'action' is block, permit or callout");
	return EXIT_OK;
}

/* weight N: a weight range (FWP_UINT8); weight64 N: the weight itself. */
static int kw_weight(void *args, const struct keyword *kw, const char *v)
{
	struct filter_args *a = args;
	UINT64 n;

	(void)kw;
	if (parse_u64(v, &n) || n > FWPM_WEIGHT_RANGE_MAX)
		return usage_error("'weight' is 0 to 15 (weight64 N for a "
				   "64-bit weight), not '%s'", v);
	a->weight.type = FWP_UINT8;
	a->weight.uint8 = (UINT8)n;
	return EXIT_OK;
}

static int kw_weight64(void *args, const struct keyword *kw, const char *v)
{
	struct filter_args *a = args;
	int st = kw_u64(args, kw, v);

	if (!st) {
		a->weight.type = FWP_UINT64;
		a->weight.uint64 = &a->weight64;
	}
	return st;
}

/* "A-B": the two ends in lo and hi; false when s is no range. */
static bool split_range(const char *s, char *lo, char *hi, size_t len)
{
	const char *dash = strchr(s, '-');

	if (!dash || (size_t)(dash - s) >= len || strlen(dash + 1) >= len)
		return false;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	strcpy(hi, dash + 1);
	return true;
}

static void set_range(FWPM_FILTER_CONDITION0 *c, struct cond_value *cv)
{
	c->matchType = FWP_MATCH_RANGE;
	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = &cv->range;
}

/* One end of an address range: IPv4 host order, IPv6 network order. */
static void addr_end(const struct addr *a, FWP_VALUE0 *v, FWP_BYTE_ARRAY16 *b)
{
	UINT32 n;

	if (a->version == FWP_IP_VERSION_V4) {
		memcpy(&n, a->net, 4);
		v->type = FWP_UINT32;
		v->uint32 = ntohl(n);
		return;
	}
	memcpy(b->byteArray16, a->net, 16);
	v->type = FWP_BYTE_ARRAY16_TYPE;
	v->byteArray16 = b;
}

/* ADDR, ADDR/LEN (FWP_MATCH_EQUAL) or ADDR-ADDR (FWP_MATCH_RANGE). */
static int cond_addr(const char *s, FWPM_FILTER_CONDITION0 *c,
		     struct cond_value *cv)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	struct addr a, b;

	if (!parse_prefix(s, &cv->p)) {
		c->conditionValue = cv->p.value;
		return 0;
	}
	if (!split_range(s, lo, hi, sizeof(lo)) || parse_addr(lo, &a) ||
	    parse_addr(hi, &b) || a.version != b.version)
		return -1;
	addr_end(&a, &cv->range.valueLow, &cv->ends[0]);
	addr_end(&b, &cv->range.valueHigh, &cv->ends[1]);
	set_range(c, cv);
	return 0;
}

/* A port (FWP_UINT16) or protocol (FWP_UINT8), by number or name. */
static int number_value(enum field_kind k, const char *s, FWP_VALUE0 *v)
{
	if (k == F_PROTO) {
		v->type = FWP_UINT8;
		return parse_protocol(s, &v->uint8);
	}
	v->type = FWP_UINT16;
	return parse_u16(s, &v->uint16);
}

/* N (FWP_MATCH_EQUAL) or N-M (FWP_MATCH_RANGE); "ipv6-icmp" is one. */
static int cond_number(enum field_kind k, const char *s,
		       FWPM_FILTER_CONDITION0 *c, struct cond_value *cv)
{
	char lo[32], hi[32];
	FWP_VALUE0 v;

	if (!number_value(k, s, &v)) {
		c->conditionValue.type = v.type;
		if (k == F_PROTO)
			c->conditionValue.uint8 = v.uint8;
		else
			c->conditionValue.uint16 = v.uint16;
		return 0;
	}
	if (!split_range(s, lo, hi, sizeof(lo)) ||
	    number_value(k, lo, &cv->range.valueLow) ||
	    number_value(k, hi, &cv->range.valueHigh))
		return -1;
	set_range(c, cv);
	return 0;
}

static int kw_cond(void *args, const struct keyword *kw, const char *v)
{
	const struct field *f = field_by_name(kw->name);
	struct filter_args *a = args;
	FWPM_FILTER_CONDITION0 *c = &a->cond[a->ncond];
	struct cond_value *cv = &a->val[a->ncond];
	int bad;

	if (a->ncond == COND_MAX)
		return usage_error("at most %d conditions", COND_MAX);
	memset(c, 0, sizeof(*c));
	c->fieldKey = *f->guid;
	c->matchType = FWP_MATCH_EQUAL;
	bad = f->kind == F_ADDR ? cond_addr(v, c, cv) :
				  cond_number(f->kind, v, c, cv);
	if (bad)
		return usage_error("'%s' is not a valid value for '%s'", v,
				   kw->name);
	a->ncond++;
	return EXIT_OK;
}

#define COND_KEYWORD(name) { name, 1, kw_cond, 0 }

static const struct keyword filter_keywords[] = {
	{ "key", 1, kw_guid, FA(key) },
	{ "name", 1, kw_wide, FA(name) },
	{ "description", 1, kw_wide, FA(desc) },
	{ "data", 1, kw_data, FA(data) },
	{ "persistent", 0, kw_true, FA(persistent) },
	{ "provider", 1, kw_guid, FA(provider) },
	{ "sublayer", 1, kw_guid, FA(sublayer) },
	{ "provider-context", 1, kw_guid, FA(pctx) },
	{ "layer", 1, kw_layer, FA(layer) },
	{ "action", 1, kw_action, FA(action) },
	{ "callout", 1, kw_callout, FA(callout) },
	{ "weight", 1, kw_weight, 0 },
	{ "weight64", 1, kw_weight64, FA(weight64) },
	COND_KEYWORD("local"), COND_KEYWORD("remote"),
	COND_KEYWORD("source"), COND_KEYWORD("destination"),
	COND_KEYWORD("proto"), COND_KEYWORD("local-port"),
	COND_KEYWORD("remote-port"), COND_KEYWORD("icmp-type"),
	COND_KEYWORD("icmp-code"),
	{ NULL }
};

/* ------------------------------------------------------------ add */

/* A layer, and an action that agrees with callout; no call made. */
static int check_filter_args(struct filter_args *a)
{
	if (!a->layer.set)
		return usage_error("'layer NAME' is needed");
	if (a->callout.set && !a->action)
		a->action = FWP_ACTION_CALLOUT_TERMINATING;
	if (!a->action)
		return usage_error("'action block|permit|callout' is needed");
	if (a->action == FWP_ACTION_CALLOUT_TERMINATING && !a->callout.set)
		return usage_error("'action callout' needs 'callout NAME'");
	if (a->action != FWP_ACTION_CALLOUT_TERMINATING && a->callout.set)
		return usage_error("'callout' goes with 'action callout' only");
	return EXIT_OK;
}

static DWORD filter_add_call(HANDLE engine, struct filter_args *a, UINT64 *id)
{
	FWPM_FILTER0 f;

	memset(&f, 0, sizeof(f));
	f.filterKey = a->key.guid;
	f.displayData.name = a->name ? a->name : L"wfpipsec";
	f.displayData.description = a->desc;
	f.flags = a->persistent ? FWPM_FILTER_FLAG_PERSISTENT : 0;
	f.providerKey = a->provider.set ? &a->provider.guid : NULL;
	f.providerData = a->data;
	f.layerKey = a->layer.guid;
	f.subLayerKey = a->sublayer.guid;
	f.weight = a->weight;
	f.numFilterConditions = a->ncond;
	f.filterCondition = a->ncond ? a->cond : NULL;
	f.action.type = a->action;
	if (a->callout.set)
		f.action.calloutKey = a->callout.guid;
	if (a->pctx.set) {
		f.flags |= FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT;
		f.providerContextKey = a->pctx.guid;
	}
	return FwpmFilterAdd0(engine, &f, NULL, id);
}

static int add_filter(struct filter_args *a)
{
	HANDLE engine;
	UINT64 id = 0;
	DWORD rc;
	int st;

	st = check_filter_args(a);
	if (!st && !a->key.set)
		st = random_guid(&a->key.guid);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = filter_add_call(engine, a, &id);
	engine_close(engine);
	if (rc)
		return fail_call("FwpmFilterAdd0", rc);
	print_id_key(id, &a->key.guid);
	return EXIT_OK;
}

static int filter_add(int argc, char **argv)
{
	static struct filter_args a;	/* conditions: kilobytes */
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(filter_keywords, 0, &a, argc, argv, 1);
	if (!st)
		st = add_filter(&a);
	free(a.name);
	free(a.desc);
	free(a.data.data);
	return st;
}

/* ------------------------------------------------------------ printing */

/* A scalar value: a protocol, a port, an IPv4 or an IPv6 address. */
static void scalar_str(const FWP_VALUE0 *v, char *buf, size_t len)
{
	const char *proto;
	UINT32 n;

	switch (v->type) {
	case FWP_UINT8:
		proto = protocol_name(v->uint8);
		if (proto)
			snprintf(buf, len, "%s", proto);
		else
			snprintf(buf, len, "%u", v->uint8);
		break;
	case FWP_UINT16:
		snprintf(buf, len, "%u", v->uint16);
		break;
	case FWP_UINT32:
		n = htonl(v->uint32);
		inet_ntop(AF_INET, &n, buf, (socklen_t)len);
		break;
	case FWP_BYTE_ARRAY16_TYPE:
		inet_ntop(AF_INET6, v->byteArray16->byteArray16, buf,
			  (socklen_t)len);
		break;
	default:
		snprintf(buf, len, "?");
	}
}

/* The scalar arms of a condition value, as an FWP_VALUE0. */
static void scalar_of(const FWP_CONDITION_VALUE0 *c, FWP_VALUE0 *v)
{
	memset(v, 0, sizeof(*v));
	v->type = c->type;
	if (c->type == FWP_UINT8)
		v->uint8 = c->uint8;
	else if (c->type == FWP_UINT16)
		v->uint16 = c->uint16;
	else if (c->type == FWP_UINT32)
		v->uint32 = c->uint32;
	else if (c->type == FWP_BYTE_ARRAY16_TYPE)
		v->byteArray16 = c->byteArray16;
	else
		v->type = FWP_EMPTY;
}

/* As filter add takes it: ADDR/LEN, A-B, or a single value. */
static void cond_str(const FWP_CONDITION_VALUE0 *c, char *buf, size_t len)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	FWP_VALUE0 v;
	UINT32 n;

	switch (c->type) {
	case FWP_V4_ADDR_MASK:
		n = htonl(c->v4AddrMask->addr);
		inet_ntop(AF_INET, &n, lo, sizeof(lo));
		snprintf(buf, len, "%s/%d", lo,
			 __builtin_popcount(c->v4AddrMask->mask));
		return;
	case FWP_V6_ADDR_MASK:
		inet_ntop(AF_INET6, c->v6AddrMask->addr, lo, sizeof(lo));
		snprintf(buf, len, "%s/%u", lo, c->v6AddrMask->prefixLength);
		return;
	case FWP_RANGE_TYPE:
		scalar_str(&c->rangeValue->valueLow, lo, sizeof(lo));
		scalar_str(&c->rangeValue->valueHigh, hi, sizeof(hi));
		snprintf(buf, len, "%s-%s", lo, hi);
		return;
	default:
		scalar_of(c, &v);
		scalar_str(&v, buf, len);
	}
}

/* The weight as given: "auto" (FWP_EMPTY), a range, or 64 bits. */
static const char *weight_type(const FWP_VALUE0 *w)
{
	return w->type == FWP_UINT8 ? "uint8" :
	       w->type == FWP_UINT64 ? "uint64" : "empty";
}

static UINT64 weight_value(const FWP_VALUE0 *w)
{
	if (w->type == FWP_UINT8)
		return w->uint8;
	return w->type == FWP_UINT64 && w->uint64 ? *w->uint64 : 0;
}

static void print_conditions(const FWPM_FILTER0 *f)
{
	char name[GUID_LEN + 1], value[2 * INET6_ADDRSTRLEN + 2];
	const FWPM_FILTER_CONDITION0 *c;
	UINT32 i;

	if (g_json)
		json_begin_array("conditions");
	for (i = 0; i < f->numFilterConditions; i++) {
		c = &f->filterCondition[i];
		cond_str(&c->conditionValue, value, sizeof(value));
		if (!g_json) {
			printf("  %s %s\n", field_name(&c->fieldKey, name), value);
			continue;
		}
		json_begin_object(NULL);
		json_string("field", field_name(&c->fieldKey, name));
		json_string("match", c->matchType == FWP_MATCH_RANGE ?
			    "range" : "equal");
		json_string("value", value);
		json_end();
	}
	if (g_json)
		json_end();
}

static const GUID *filter_pctx(const FWPM_FILTER0 *f)
{
	return f->flags & FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT ?
	       &f->providerContextKey : NULL;
}

static const GUID *filter_callout(const FWPM_FILTER0 *f)
{
	return f->action.type & FWP_ACTION_FLAG_CALLOUT ?
	       &f->action.calloutKey : NULL;
}

static UINT64 effective_weight(const FWPM_FILTER0 *f)
{
	const FWP_VALUE0 *e = &f->effectiveWeight;

	return e->type == FWP_UINT64 && e->uint64 ? *e->uint64 : 0;
}

static void print_filter_text(const FWPM_FILTER0 *f)
{
	char kbuf[GUID_LEN + 1], nbuf[TEXT_MAX], abuf[16];
	const char *name = narrow(f->displayData.name, nbuf);
	const GUID *callout = filter_callout(f);

	printf("filter %llu %s %s\n", (unsigned long long)f->filterId,
	       guid_str(&f->filterKey, kbuf), name ? name : "");
	printf("  layer %s\n", guid_name(layers, &f->layerKey, kbuf));
	printf("  action %s", action_name(f->action.type, abuf));
	if (callout)
		printf(" %s", guid_name(callouts, callout, kbuf));
	if (f->weight.type == FWP_EMPTY)
		printf("\n  weight auto");
	else
		printf("\n  %s %llu", f->weight.type == FWP_UINT8 ?
		       "weight" : "weight64",
		       (unsigned long long)weight_value(&f->weight));
	printf(" effective-weight 0x%016llx\n",
	       (unsigned long long)effective_weight(f));
	print_conditions(f);
	text_guid("sublayer", &f->subLayerKey);
	text_guid("provider", f->providerKey);
	text_guid("provider-context", filter_pctx(f));
	text_wide("description", f->displayData.description);
	print_blob("data", &f->providerData);
	if (f->flags & FWPM_FILTER_FLAG_PERSISTENT)
		puts("  persistent");
}

static void print_filter_json(const FWPM_FILTER0 *f)
{
	char buf[GUID_LEN + 1], abuf[16];
	const GUID *callout = filter_callout(f);

	json_begin_object(NULL);
	json_uint("id", f->filterId);
	json_guid("key", &f->filterKey);
	json_wide("name", f->displayData.name);
	json_wide("description", f->displayData.description);
	json_string("layer", guid_name(layers, &f->layerKey, buf));
	json_string("action", action_name(f->action.type, abuf));
	json_string("callout", callout ? guid_name(callouts, callout, buf) : NULL);
	json_string("weight_type", weight_type(&f->weight));
	if (f->weight.type == FWP_EMPTY)
		json_null("weight");
	else
		json_uint("weight", weight_value(&f->weight));
	json_uint("effective_weight", effective_weight(f));
	print_conditions(f);
	json_guid("sublayer", &f->subLayerKey);
	json_guid("provider", f->providerKey);
	json_guid("provider_context", filter_pctx(f));
	print_blob("data", &f->providerData);
	json_uint("flags", f->flags);
	json_bool("persistent", f->flags & FWPM_FILTER_FLAG_PERSISTENT);
	json_end();
}

static void print_filter(const FWPM_FILTER0 *f)
{
	if (g_json)
		print_filter_json(f);
	else
		print_filter_text(f);
}

/* ------------------------------------------------------------ commands */

DEFINE_REF_TYPE(filter, "filter", FWPM_FILTER0, FwpmFilterGetById0,
		FwpmFilterGetByKey0, FwpmFilterDeleteById0,
		FwpmFilterDeleteByKey0, print_filter)

DEFINE_ENUMERATION(filter_enum, FwpmFilterCreateEnumHandle0,
		   FwpmFilterEnum0, FwpmFilterDestroyEnumHandle0,
		   FWPM_FILTER0, print_filter);

static const struct keyword filter_list_keywords[] = {
	{ "layer", 1, kw_layer, FA(layer) },
	{ "provider", 1, kw_guid, FA(provider) },
	{ "callout", 1, kw_callout, FA(callout) },
	{ NULL }
};

static int filter_list(int argc, char **argv)
{
	FWPM_FILTER_ENUM_TEMPLATE0 tmpl;
	static struct filter_args a;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(filter_list_keywords, 0, &a, argc, argv, 1);
	if (st)
		return st;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.providerKey = a.provider.set ? &a.provider.guid : NULL;
	tmpl.layerKey = a.layer.guid;	/* all zero: any layer */
	tmpl.actionMask = 0xFFFFFFFF;
	if (a.callout.set) {
		tmpl.actionMask = FWP_ACTION_FLAG_CALLOUT;
		tmpl.calloutKey = &a.callout.guid;
	}
	return enumerate(&filter_enum, &tmpl);
}

const struct command filter_commands[] = {
	{
		.name = "add", .fn = filter_add,
		.help = "add a filter; print its id and key",
		.usage = "layer LAYER action block|permit|callout [callout CALLOUT]\n"
			 "        [weight 0-15 | weight64 N] [sublayer GUID] [provider GUID]\n"
			 "        [provider-context GUID] [key GUID] [name TEXT]\n"
			 "        [description TEXT] [data HEX] [persistent]\n"
			 "        [local|remote|source|destination ADDR[/LEN]|ADDR-ADDR]...\n"
			 "        [proto P[-P]] [local-port|remote-port N[-M]]...\n"
			 "        [icmp-type|icmp-code N[-M]]... [--json]\n"
			 "  LAYER: inbound-transport-v4|v6 (in4, in6), outbound-transport-v4|v6\n"
			 "  (out4, out6), ipforward-v4|v6 (fwd4, fwd6), ale-auth-connect-v4|v6\n"
			 "  (connect4, connect6), ale-auth-recv-accept-v4|v6 (accept4, accept6)\n"
			 "  or a GUID.  CALLOUT: inbound-transport, outbound-transport,\n"
			 "  inbound-tunnel, outbound-tunnel, forward-inbound-tunnel,\n"
			 "  forward-outbound-tunnel, inbound-initiate-secure,\n"
			 "  inbound-tunnel-ale-accept, ale-connect or dosp-forward, with -v4\n"
			 "  or -v6, or a GUID.  A field given twice matches either value.",
	},
	{
		.name = "list", .fn = filter_list,
		.help = "list the filters of this network namespace",
		.usage = "[layer LAYER] [provider GUID] [callout CALLOUT] [--json]",
	},
	{
		.name = "show", .fn = filter_show,
		.help = "show one filter",
		.usage = "ID|GUID [--json]",
	},
	{
		.name = "delete", .fn = filter_delete,
		.help = "delete filters, with their xfrm policies",
		.usage = "ID|GUID...",
	},
	{ .name = NULL }
};
