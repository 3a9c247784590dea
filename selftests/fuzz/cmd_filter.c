// SPDX-License-Identifier: GPL-2.0
/*
 * FILTER_ADD, FILTER_GET (0x19, 0x1a) and OBJ_DELETE/OBJ_ENUM of type
 * FILTER.  Keys come from a small pool of the worker's own, references
 * (provider, sublayer, provider context) from cmd_obj.c's pool, so adds
 * meet missing and mistyped objects, and deletes of those objects meet
 * filters that hold them.  Every condition set has an address in the
 * worker's own prefix (10.78.<worker>.0/24, fd00:78:0:<worker>::/64):
 * no selector of the contexts' pools or another worker's is ever a
 * filter's, and the policies a filter became can be counted.
 *
 * The worker's model of its pool in the initial namespace (what each key
 * holds, as added) narrows the oracle when no other thread is at work:
 * GET and DELETE of a live or a gone key, the reply field by field, the
 * conditions as added, and now and then the xfrm policies an ADD made
 * against its nr_policies.  filter_cleanup() deletes the pool and checks
 * that neither a filter nor a policy of the worker's is left.
 */

#include "fuzz.h"

#define FILT_POOL	8
#define FILT_CONDS	6	/* a valid filter's conditions, at most */
#define FILT_KEY0	0xf3

/* FWP_DATA_TYPE and FWP_MATCH_TYPE values (kmod/filter_sel.c's) */
#define T_UINT8		1
#define T_UINT16	2
#define T_UINT32	3
#define T_BYTES16	11
#define T_V4_MASK	0x100
#define T_V6_MASK	0x101
#define T_RANGE		0x102
#define M_EQUAL		0
#define M_RANGE		5

/* What a pool key holds in the initial namespace, as the worker added it. */
struct filt {
	int state;		/* F_* */
	__u8 key[WFP_IPSEC_OBJ_KEY_LEN];	/* a generated key, if any */
	struct wfp_ipsec_filter f;	/* the reply of the ADD */
	struct wfp_ipsec_filter_cond conds[FILT_CONDS];
};

enum { F_GONE, F_LIVE, F_UNKNOWN };

static struct filt pool[FILT_POOL];
static __u64 gone_ids[16];
static unsigned int ngone;
/* keys the module chose (ADD with a zero key), for filter_cleanup() */
static __u8 gen_keys[64][WFP_IPSEC_OBJ_KEY_LEN];
static unsigned int ngen;
static char filt_name[WFP_IPSEC_OBJ_NAME_MAX + 8] = "fuzz filter";
static __u8 filt_room[WFP_IPSEC_OBJ_DATA_MAX];

/* The IPv4 layer of each callout pair, as kmod/filter.c has it. */
static const __u8 callout_layer_v4[] = {
	WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4,
	WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,
	WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4,
	WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,
	WFP_IPSEC_LAYER_IPFORWARD_V4,
	WFP_IPSEC_LAYER_IPFORWARD_V4,
	WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4,
	WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4,
	WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V4,
	WFP_IPSEC_LAYER_IPFORWARD_V4,
};

static __u32 callout_layer(__u32 callout)
{
	return callout_layer_v4[(callout - 1) / 2] + ((callout - 1) & 1);
}

static bool callout_tunnel(__u32 c)
{
	return c >= WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_V4 &&
	       c <= WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6;
}

static bool callout_ipsec(__u32 c)
{
	return c >= WFP_IPSEC_CALLOUT_INBOUND_TRANSPORT_V4 &&
	       c <= WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6;
}

static bool layer_v4(__u32 layer)
{
	return layer & 1;
}

static bool layer_forward(__u32 layer)
{
	return layer == WFP_IPSEC_LAYER_IPFORWARD_V4 ||
	       layer == WFP_IPSEC_LAYER_IPFORWARD_V6;
}

/* Whether the filter is xfrm policies (not an ALE layer's record). */
static bool enforced(const struct wfp_ipsec_filter *f)
{
	return f->layer <= WFP_IPSEC_LAYER_IPFORWARD_V6 &&
	       (f->action != WFP_IPSEC_ACTION_CALLOUT ||
		callout_ipsec(f->callout));
}

static void filt_key(__u8 *key, unsigned int k)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = FILT_KEY0;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)(1 + k);	/* after the enumeration's cursor */
}

/* cmd_obj.c's pool key k (providers, sublayers, provider contexts). */
static void obj_pool_key(__u8 *key)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = 0xf2;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)rn(6);
}

/* Whether the worker's model may narrow the oracle for this session. */
static bool certain(const struct sess *s)
{
	return s->ns == 0 && !W.in_child && !W.relaxed && s->ready &&
	       !s->nocap && !s->dynamic;
}

/*
 * The slot a call names, when the model knows it; else, when the call
 * may change what the model holds, the slot becomes unknown.
 */
static struct filt *slot_for(const struct sess *s, unsigned int k)
{
	if (certain(s))
		return &pool[k];
	if (s->ns == 0 && !W.in_child)
		pool[k].state = F_UNKNOWN;
	return NULL;
}

/* ------------------------------------------------------ the pool prefix */

static void pool_prefix(bool v4, __u8 *a)
{
	memset(a, 0, 16);
	if (v4) {
		a[0] = 10;
		a[1] = 78;
		a[2] = (__u8)W.idx;
	} else {
		a[0] = 0xfd;
		a[3] = 0x78;
		a[7] = (__u8)W.idx;
	}
}

static bool in_pool(int family, const __u8 *a, int plen)
{
	bool v4 = family == AF_INET;
	__u8 p[16];

	if (family != AF_INET && family != AF_INET6)
		return false;
	pool_prefix(v4, p);
	return plen >= (v4 ? 24 : 64) && !memcmp(a, p, v4 ? 3 : 8);
}

/* -v -v: what a call did to the worker's model, for a replay. */
static void note(const char *what, unsigned int k, const __u8 *key, __u64 id,
		 int ret)
{
	if (W.verbose > 1)
		out("# fuzz: w%d%s filter %s slot %u key %02x%02x%02x.. "
		    "id %llu -> %s, model %d", W.idx, T_TAG, what, k,
		    key[0], key[1], key[2], (unsigned long long)id, ename(ret),
		    k < FILT_POOL ? pool[k].state : -1);
}

/* ------------------------------------------------------- conditions */

static unsigned int field_width(__u16 field, bool v4)
{
	if (field == WFP_IPSEC_FIELD_PROTOCOL)
		return 1;
	if (field >= WFP_IPSEC_FIELD_LOCAL_PORT)
		return 2;
	return v4 ? 4 : 16;
}

/* lo/hi: the prefix of a of len bits, in w bytes. */
static void set_prefix(struct wfp_ipsec_filter_cond *c, const __u8 *a,
		       unsigned int w, unsigned int len)
{
	unsigned int i, bits;
	__u8 m;

	for (i = 0; i < w; i++) {
		bits = len > i * 8 ? len - i * 8 : 0;
		m = bits >= 8 ? 0xff : (__u8)(0xff00 >> bits);
		c->lo[i] = a[i] & m;
		c->hi[i] = a[i] | (__u8)~m;
	}
}

/* An address condition inside the worker's prefix. */
static void cond_addr(struct wfp_ipsec_filter_cond *c, __u16 field, bool v4,
		      bool *multi)
{
	unsigned int w = v4 ? 4 : 16, base = v4 ? 24 : 64, i;
	__u8 a[16], b[16];

	pool_prefix(v4, a);
	for (i = base / 8; i < w; i++)
		a[i] = (__u8)r64();
	c->field = field;
	switch (rn(3)) {
	case 0:
		c->value_type = v4 ? T_UINT32 : T_BYTES16;
		memcpy(c->lo, a, w);
		memcpy(c->hi, a, w);
		break;
	case 1:
		c->value_type = v4 ? T_V4_MASK : T_V6_MASK;
		set_prefix(c, a, w, base + rn(w * 8 - base + 1));
		break;
	default:
		c->match = M_RANGE;
		c->value_type = T_RANGE;
		memcpy(b, a, w);
		b[w - 1] = (__u8)r64();
		memcpy(c->lo, memcmp(a, b, w) < 0 ? a : b, w);
		memcpy(c->hi, memcmp(a, b, w) < 0 ? b : a, w);
		*multi = true;
		break;
	}
}

/* A protocol or port condition; ranges may split into many prefixes. */
static void cond_value(struct wfp_ipsec_filter_cond *c, __u16 field,
		       bool *multi)
{
	static const __u8 protos[] = { 6, 17, 1, 58, 50, 132 };
	unsigned int w = field_width(field, true);
	__u16 lo, hi;

	c->field = field;
	if (field == WFP_IPSEC_FIELD_PROTOCOL) {
		lo = protos[rn(ARRAY_SIZE(protos))];
		hi = pm(200) ? lo + rn(3) : lo;
	} else {
		lo = (__u16)r64();
		hi = pm(300) ? lo + rn(1 + 0xffff - lo) : lo;
	}
	if (hi != lo || pm(200)) {
		c->match = M_RANGE;
		c->value_type = T_RANGE;
		*multi |= hi != lo;
	} else {
		c->value_type = w == 1 ? T_UINT8 : T_UINT16;
	}
	if (w == 1) {
		c->lo[0] = (__u8)lo;
		c->hi[0] = (__u8)hi;
	} else {
		c->lo[0] = lo >> 8;
		c->lo[1] = (__u8)lo;
		c->hi[0] = hi >> 8;
		c->hi[1] = (__u8)hi;
	}
}

/*
 * Valid conditions for the layer, the first an address in the worker's
 * prefix; *multi: one may become more than one selector.
 */
static __u32 gen_conds(struct wfp_ipsec_filter_cond *c, __u32 layer,
		       bool *multi)
{
	bool v4 = layer_v4(layer), fwd = layer_forward(layer);
	__u32 n = 1 + rn(FILT_CONDS), i;
	__u16 field;

	memset(c, 0, FILT_CONDS * sizeof(*c));
	*multi = false;
	for (i = 0; i < n; i++) {
		if (fwd)
			field = WFP_IPSEC_FIELD_SOURCE_ADDR + rn(2);
		else if (!i || pm(400))
			field = WFP_IPSEC_FIELD_LOCAL_ADDR + rn(2);
		else
			field = WFP_IPSEC_FIELD_PROTOCOL + rn(3);
		if (field <= WFP_IPSEC_FIELD_DEST_ADDR)
			cond_addr(&c[i], field, v4, multi);
		else
			cond_value(&c[i], field, multi);
		/* conditions on one field are ORed: more selectors */
		if (i && c[i].field == c[i - 1].field)
			*multi = true;
	}
	if (n > 2)
		*multi = true;
	return n;
}

/* One condition the module must refuse. */
static void break_cond(struct call *c, struct wfp_ipsec_filter_cond *k,
		       __u32 layer)
{
	bool v4 = layer_v4(layer);
	unsigned int w = field_width(k->field, v4);

	switch (rn(6)) {
	case 0:
		k->reserved0 = 1 + rn(0xffff);
		must_fail(c, "cond reserved0");
		break;
	case 1:
		/* SOURCE/DEST at transport and ALE, LOCAL/REMOTE at FORWARD */
		k->field = rn(3) ? (layer_forward(layer) ?
				    WFP_IPSEC_FIELD_LOCAL_ADDR + rn(2) :
				    WFP_IPSEC_FIELD_SOURCE_ADDR + rn(2)) :
			   rn(2) ? 0 : __WFP_IPSEC_FIELD_MAX + 1 + rn(100);
		must_fail(c, "cond field");
		break;
	case 2:
		k->match = k->match == M_EQUAL ? 1 + rn(4) : M_EQUAL;
		must_fail(c, "cond match");
		break;
	case 3:
		/* the other version's, or a type no field takes */
		k->value_type = rn(2) ? (v4 ? T_BYTES16 : T_UINT32) :
				T_RANGE + 1 + rn(50);
		if (k->field > WFP_IPSEC_FIELD_DEST_ADDR)
			k->value_type = rn(2) ? T_UINT32 : T_V4_MASK;
		must_fail(c, "cond value_type");
		break;
	case 4:
		/* a byte past the field's width, or lo above hi */
		if (w < 16 && rn(2)) {
			(rn(2) ? k->lo : k->hi)[w + rn(16 - w)] = 1 + rn(255);
			must_fail(c, "cond past width");
			break;
		}
		memset(k->lo, 0xff, w);
		memset(k->hi, 0, w);
		must_fail(c, "cond lo > hi");
		break;
	default:
		/* EQUAL of two values, or a mask that is not one prefix */
		k->match = M_EQUAL;
		if (k->field <= WFP_IPSEC_FIELD_DEST_ADDR && pm(500)) {
			k->value_type = v4 ? T_V4_MASK : T_V6_MASK;
			memset(k->lo, 0, w);
			memset(k->hi, 0, w);
			k->hi[w - 1] = 2;	/* [0, 2]: no prefix */
		} else {
			k->value_type = k->field <= WFP_IPSEC_FIELD_DEST_ADDR ?
					(v4 ? T_UINT32 : T_BYTES16) :
					k->field == WFP_IPSEC_FIELD_PROTOCOL ?
					T_UINT8 : T_UINT16;
			memset(k->lo, 0, w);
			memset(k->hi, 0, w);
			k->hi[w - 1] = 1;
		}
		must_fail(c, "cond equal range");
		break;
	}
}

/* ------------------------------------------------------------- ADD */

/* A callout valid at the layer, 0 when it has none (never DOSP). */
static __u32 pick_callout(__u32 layer)
{
	__u32 ok[WFP_IPSEC_CALLOUT_ALE_CONNECT_V6], n = 0, c;

	for (c = 1; c <= WFP_IPSEC_CALLOUT_ALE_CONNECT_V6; c++)
		if (callout_layer(c) == layer)
			ok[n++] = c;
	return n ? ok[rn(n)] : 0;
}

static __u32 gen_flags(bool callout)
{
	static const __u32 bits[] = {
		WFP_IPSEC_FILTER_F_PERSISTENT,
		WFP_IPSEC_FILTER_F_CLEAR_ACTION_RIGHT,
		WFP_IPSEC_FILTER_F_INDEXED,
		WFP_IPSEC_FILTER_F_IPSEC_NO_ACQUIRE_INITIATE,
		WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED,
	};
	__u32 f = 0, i;

	for (i = 0; i < ARRAY_SIZE(bits) - !callout; i++)
		if (pm(150))
			f |= bits[i];
	return f;
}

static void gen_weight(struct wfp_ipsec_filter *f)
{
	switch (rn(3)) {
	case 0:
		f->weight_type = WFP_IPSEC_WEIGHT_EMPTY;
		break;
	case 1:
		f->weight_type = WFP_IPSEC_WEIGHT_UINT8;
		f->weight = rn(16);
		break;
	default:
		f->weight_type = WFP_IPSEC_WEIGHT_UINT64;
		f->weight = pm(300) ? rn(600) : r64();
		break;
	}
}

/* A valid FILTER_ADD, but for references that may name nothing. */
static void gen_filter(struct wfp_ipsec_filter *f,
		       struct wfp_ipsec_filter_cond *conds, bool *multi)
{
	f->layer = 1 + rn(__WFP_IPSEC_LAYER_MAX);
	f->action = WFP_IPSEC_ACTION_BLOCK + rn(3);
	if (f->action == WFP_IPSEC_ACTION_CALLOUT)
		f->callout = pick_callout(f->layer);
	if (!f->callout)
		f->action = WFP_IPSEC_ACTION_BLOCK + rn(2);
	if (!f->callout && pm(500))
		rfill(f->filter_type, sizeof(f->filter_type));
	f->flags = gen_flags(f->callout);
	if (callout_tunnel(f->callout) || pm(100)) {
		f->flags |= WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;
		obj_pool_key(f->pctx_key);
	} else if (pm(300)) {
		f->raw_context = r64();
	}
	if (pm(100)) {
		f->has_provider = 1;
		obj_pool_key(f->provider_key);
	}
	if (pm(150))
		obj_pool_key(f->sublayer_key);
	gen_weight(f);
	f->name = (__u64)(uintptr_t)filt_name;
	f->name_len = 1 + rn(11);
	if (pm(200)) {
		f->desc = (__u64)(uintptr_t)filt_name;
		f->desc_len = rn(12);
	}
	if (pm(200)) {
		f->data = (__u64)(uintptr_t)filt_room;
		f->data_len = rn(WFP_IPSEC_OBJ_DATA_MAX + 1);
	}
	f->num_conds = gen_conds(conds, f->layer, multi);
	f->conds = (__u64)(uintptr_t)conds;
}

/* The output fields ADD takes only as zero. */
static void poke_out_field(struct call *c)
{
	struct wfp_ipsec_filter *f = &c->in.filt;

	switch (rn(6)) {
	case 0:
		f->id = 1 + rn(1000);
		break;
	case 1:
		f->pctx_id = 1 + rn(1000);
		break;
	case 2:
		f->effective_weight = 1 + r64() % 0xffffff;
		break;
	case 3:
		f->reqid = 1 + rn(1000);
		break;
	case 4:
		f->nr_policies = 1 + rn(64);
		break;
	default:
		poke_reserved(c, offsetof(struct wfp_ipsec_filter, reserved),
			      sizeof(f->reserved));
		return;
	}
	must_fail(c, "output field");
}

static void break_action(struct call *c)
{
	struct wfp_ipsec_filter *f = &c->in.filt;
	__u32 other;

	switch (rn(5)) {
	case 0:
		f->action = rn(2) ? 0 : WFP_IPSEC_ACTION_CALLOUT + 1 + rn(50);
		must_fail(c, "action");
		break;
	case 1:
		/* a callout of another layer, or past the table */
		other = 1 + rn(__WFP_IPSEC_CALLOUT_MAX + 4);
		if (other <= __WFP_IPSEC_CALLOUT_MAX &&
		    callout_layer(other) == f->layer)
			other = __WFP_IPSEC_CALLOUT_MAX + 1;
		f->action = WFP_IPSEC_ACTION_CALLOUT;
		f->callout = other;
		memset(f->filter_type, 0, sizeof(f->filter_type));
		must_fail(c, "callout layer");
		break;
	case 2:
		if (f->action == WFP_IPSEC_ACTION_CALLOUT) {
			f->filter_type[rn(16)] = 1 + rn(255);
			must_fail(c, "callout filter_type");
		} else {
			f->callout = 1 + rn(__WFP_IPSEC_CALLOUT_MAX);
			must_fail(c, "callout without action");
		}
		break;
	case 3:
		if (f->action == WFP_IPSEC_ACTION_CALLOUT) {
			f->flags &= ~WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;
			f->raw_context = 0;
			memset(f->pctx_key, 0, sizeof(f->pctx_key));
			/* a callout action without a callout */
			if (!callout_tunnel(f->callout))
				f->callout = 0;
			must_fail(c, "tunnel without pctx");
		} else {
			f->flags |=
			    WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED;
			must_fail(c, "permit-if-unregistered");
		}
		break;
	default:
		/* DOSP_FORWARD: no counterpart */
		f->layer = WFP_IPSEC_LAYER_IPFORWARD_V4 + rn(2);
		f->action = WFP_IPSEC_ACTION_CALLOUT;
		f->callout = WFP_IPSEC_CALLOUT_DOSP_FORWARD_V4 +
			     (f->layer == WFP_IPSEC_LAYER_IPFORWARD_V6);
		memset(f->filter_type, 0, sizeof(f->filter_type));
		must_fail(c, "dosp");
		break;
	}
}

static void break_fields(struct call *c)
{
	struct wfp_ipsec_filter *f = &c->in.filt;
	__u32 bit;

	switch (rn(8)) {
	case 0:
		f->layer = rn(2) ? 0 : __WFP_IPSEC_LAYER_MAX + 1 + rn(100);
		must_fail(c, "layer");
		break;
	case 1:
		do
			bit = 1u << rn(32);
		while (bit & __WFP_IPSEC_FILTER_F_ALL);
		f->flags |= bit;
		must_fail(c, "unknown flag");
		break;
	case 2:
		if (rn(2)) {
			f->weight_type = WFP_IPSEC_WEIGHT_UINT8;
			f->weight = 16 + rn(1000);
		} else {
			f->weight_type = 2 + rn(2) * (3 + rn(100));
		}
		must_fail(c, "weight");
		break;
	case 3:
		if (rn(2)) {
			f->has_provider = 2 + rn(100);
		} else {
			f->has_provider = 0;
			f->provider_key[rn(16)] |= 1;
		}
		must_fail(c, "has_provider");
		break;
	case 4:
		if (f->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT) {
			f->raw_context = 1 + rn(1000);
			must_fail(c, "pctx and raw context");
		} else {
			f->pctx_key[rn(16)] |= 1;
			must_fail(c, "pctx key without flag");
		}
		break;
	case 5:
		f->num_conds = WFP_IPSEC_FILTER_COND_MAX + 1 + rn(100);
		must_fail(c, "num_conds");
		break;
	case 6:
		f->name_len = rn(2) ? 0 : WFP_IPSEC_OBJ_NAME_MAX + 1 + rn(8);
		must_fail(c, "name_len");
		break;
	default:
		break_action(c);
		break;
	}
}

static void filter_mutate_add(struct call *c,
			      struct wfp_ipsec_filter_cond *conds)
{
	struct wfp_ipsec_filter *f = &c->in.filt;

	if (mutate_common(c))
		return;
	switch (rn(5)) {
	case 0:
		poke_out_field(c);
		break;
	case 1:
	case 2:
		if (f->num_conds && f->num_conds <= FILT_CONDS) {
			break_cond(c, &conds[rn(f->num_conds)], f->layer);
			break;
		}
		/* fall through */
	case 3:
		break_fields(c);
		break;
	default:
		/* a pointer the module must not follow, or must fault on */
		if (rn(2) && f->num_conds)
			f->conds = bad_ptr(rn(P_KINDS), sizeof(*conds));
		else
			f->name = bad_ptr(rn(P_KINDS), f->name_len);
		c->flags |= C_EFAULT_OK;
		mut_note(c, "bad pointer");
		break;
	}
}

/*
 * The outcome of a valid ADD: what the model and the request say.
 * References from cmd_obj.c's pool may name nothing or the wrong kind.
 */
static eset add_set(const struct wfp_ipsec_filter *f, const struct filt *p,
		    bool multi)
{
	eset set = p->state == F_LIVE ? ES(EEXIST, ENOSPC, ENOMEM) :
		   p->state == F_GONE ? ES(0, ENOSPC, ENOMEM) :
		   ES(0, EEXIST, ENOSPC, ENOMEM);

	if (multi)
		set = es_add(set, E2BIG);
	if (p->state == F_LIVE)
		return set;
	if (enforced(f))
		set = es_add(set, EADDRINUSE);
	if (f->has_provider)
		set = es_add(set, ENXIO);
	if (!all_zero(f->sublayer_key, sizeof(f->sublayer_key)))
		set = es_add(set, ENODEV);
	if (f->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT)
		set = es_add(es_add(set, ENOKEY), EPROTOTYPE);
	return set;
}

/* What an ADD's reply says, against its request. */
/*
 * Whether an IPsec callout filter's templates carry an SA group's reqid:
 * its provider context's, or an outbound transport filter's own.
 */
static bool grouped(const struct wfp_ipsec_filter *f)
{
	return f->action == WFP_IPSEC_ACTION_CALLOUT && enforced(f) &&
	       ((f->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT) ||
		f->callout == WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V4 ||
		f->callout == WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V6);
}

static void check_added(const struct wfp_ipsec_filter *in,
			const struct wfp_ipsec_filter *out, bool multi)
{
	bool pctx = in->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;
	__u32 npol = out->nr_policies;

	if (!out->id || !out->pctx_id != !pctx ||
	    (!all_zero(in->key, sizeof(in->key)) &&
	     memcmp(in->key, out->key, sizeof(in->key))) ||
	    all_zero(out->key, sizeof(out->key)))
		fail(NR_FILTER_ADD, "id %llu pctx_id %llu or key wrong",
		     (unsigned long long)out->id,
		     (unsigned long long)out->pctx_id);
	if (enforced(in) ? !npol || npol > WFP_IPSEC_FILTER_SEL_MAX ||
			   (!multi && npol != 1) : npol)
		fail(NR_FILTER_ADD, "nr_policies %u (layer %u action %u "
		     "callout %u)", npol, in->layer, in->action, in->callout);
	if (grouped(in) ?
	    out->reqid < REQID_MIN || out->reqid > REQID_MAX : out->reqid)
		fail(NR_FILTER_ADD, "reqid %#x (callout %u)", out->reqid,
		     in->callout);
	if ((in->weight_type == WFP_IPSEC_WEIGHT_UINT64 &&
	     out->effective_weight != in->weight) ||
	    (in->weight_type == WFP_IPSEC_WEIGHT_UINT8 &&
	     out->effective_weight >> 60 != in->weight))
		fail(NR_FILTER_ADD, "effective weight %#llx of %#llx (type %u)",
		     (unsigned long long)out->effective_weight,
		     (unsigned long long)in->weight, in->weight_type);
}

/* Policies of the worker's prefix; -1 when not worth or able to count. */
static int pool_policies(const struct sess *s, bool want)
{
	if (!want || !certain(s))
		return -1;
	return xfrm_pol_count(in_pool);
}

static void add_recorded(struct filt *p, const struct call *c,
			 const struct wfp_ipsec_filter_cond *conds)
{
	if (all_zero(c->in.filt.key, sizeof(c->in.filt.key)))
		memcpy(gen_keys[ngen++ % ARRAY_SIZE(gen_keys)],
		       c->out.filt.key, WFP_IPSEC_OBJ_KEY_LEN);
	if (c->in.filt.num_conds > FILT_CONDS) {
		p->state = F_UNKNOWN;
		return;
	}
	p->state = F_LIVE;
	p->f = c->out.filt;
	memcpy(p->key, c->out.filt.key, sizeof(p->key));
	memcpy(p->conds, conds, c->in.filt.num_conds * sizeof(*conds));
}

/* The key an ADD to slot k names: the slot's, or none (the module's). */
static void add_key(const struct filt *p, unsigned int k, __u8 *key)
{
	if (p && p->state == F_LIVE)
		memcpy(key, p->key, WFP_IPSEC_OBJ_KEY_LEN);
	else if (!p || p->state != F_GONE || pm(900))
		filt_key(key, k);
}

static void do_filter_add(struct sess *s)
{
	static struct wfp_ipsec_filter_cond conds[FILT_CONDS];
	int m = n_mutations(), before, after, ret;
	unsigned int k = rn(FILT_POOL);
	struct filt *p = slot_for(s, k);
	struct call c;
	bool multi;

	call_init(&c, NR_FILTER_ADD);
	gen_filter(&c.in.filt, conds, &multi);
	add_key(p, k, c.in.filt.key);
	while (m--)
		filter_mutate_add(&c, conds);
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL)
		set_strict(&c, NULL, add_set(&c.in.filt, p, multi));
	before = pool_policies(s, pm(250));
	ret = exec_call(&c, s);
	note("add", k, c.out.filt.key, c.out.filt.id, ret);
	/* a read-only argument: added, but the reply could not be written */
	if (p && ret == EFAULT)
		p->state = F_UNKNOWN;
	if (ret || (c.flags & C_NO_OUTCHECK) || !s->ready)
		return;
	if (!(c.flags & C_MUTATED))
		check_added(&c.in.filt, &c.out.filt, multi);
	after = before < 0 ? -1 : pool_policies(s, true);
	if (after >= 0 && after - before != (int)c.out.filt.nr_policies)
		fail(NR_FILTER_ADD, "nr_policies %u, xfrm gained %d",
		     c.out.filt.nr_policies, after - before);
	if (p)
		add_recorded(p, &c, conds);
}

/* ------------------------------------------------- GET, DELETE, ENUM */

/*
 * A filter to name: the pool's slot (by key or, when live, by its id),
 * an id of the worker's gone, or one never issued.  *p: the slot, if the
 * name is one.
 */
static void pick_name(const struct sess *s, __u8 *key, __u64 *id,
		      struct filt **p, bool *gone)
{
	unsigned int k = rn(FILT_POOL);
	struct filt *f;

	*p = NULL;
	*gone = false;
	if (pm(100) && ngone) {
		*id = gone_ids[rn(ngone < ARRAY_SIZE(gone_ids) ?
				  ngone : ARRAY_SIZE(gone_ids))];
		*gone = s->ns == 0;
		return;
	}
	if (pm(50)) {
		*id = (1ULL << 62) + rn(1000);
		*gone = true;
		return;
	}
	f = *p = slot_for(s, k);
	if (f && f->state == F_LIVE && pm(400))
		*id = f->f.id;
	else if (f && f->state == F_LIVE)
		memcpy(key, f->key, WFP_IPSEC_OBJ_KEY_LEN);
	else
		filt_key(key, k);
}

/* The slot's filter is no more: its id names nothing from now on. */
static void filt_gone(struct filt *p)
{
	if (p->state == F_LIVE)
		gone_ids[ngone++ % ARRAY_SIZE(gone_ids)] = p->f.id;
	p->state = F_GONE;
}

/* A reply against what the worker added there. */
static void check_got(const struct wfp_ipsec_filter *g,
		      const struct filt *p)
{
	const struct wfp_ipsec_filter *f = &p->f;
	__u32 n = g->num_conds;

	if (!all_zero(g->reserved, sizeof(g->reserved)) ||
	    g->has_provider > 1 || !g->id || !g->name_len ||
	    n > WFP_IPSEC_FILTER_COND_MAX ||
	    (g->flags & ~__WFP_IPSEC_FILTER_F_ALL) ||
	    !g->layer || g->layer > __WFP_IPSEC_LAYER_MAX)
		fail(NR_FILTER_GET, "malformed reply (layer %u conds %u)",
		     g->layer, n);
	if (!p || p->state != F_LIVE)
		return;
	if (g->id != f->id || memcmp(g->key, p->key, sizeof(g->key)) ||
	    g->layer != f->layer || g->action != f->action ||
	    g->callout != f->callout || g->flags != f->flags ||
	    g->nr_policies != f->nr_policies || g->reqid != f->reqid ||
	    g->effective_weight != f->effective_weight ||
	    g->pctx_id != f->pctx_id || n != f->num_conds ||
	    g->name_len != f->name_len)
		fail(NR_FILTER_GET, "reply differs from the ADD's (id %llu "
		     "of %llu)", (unsigned long long)g->id,
		     (unsigned long long)f->id);
	else if (n <= FILT_CONDS &&
		 memcmp((void *)(uintptr_t)g->conds, p->conds,
			n * sizeof(*p->conds)))
		fail(NR_FILTER_GET, "conditions differ from the ADD's");
}

/* Whether the rooms hold the filter the slot holds. */
static bool rooms_fit(const struct wfp_ipsec_filter *room,
		      const struct filt *p)
{
	return room->num_conds >= p->f.num_conds &&
	       room->name_len >= p->f.name_len &&
	       room->desc_len >= p->f.desc_len &&
	       room->data_len >= p->f.data_len;
}

/* GET takes a name and rooms only. */
static void break_get(struct call *c)
{
	struct wfp_ipsec_filter *g = &c->in.filt;

	switch (rn(4)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_filter, reserved),
			      sizeof(g->reserved));
		break;
	case 1:
		g->layer = 1 + rn(__WFP_IPSEC_LAYER_MAX);
		must_fail(c, "layer in GET");
		break;
	case 2:
		g->num_conds = WFP_IPSEC_FILTER_COND_MAX + 1 + rn(100);
		must_fail(c, "num_conds room");
		break;
	default:
		/* a key and an id at once */
		if (all_zero(g->key, sizeof(g->key)))
			filt_key(g->key, rn(FILT_POOL));
		g->id = 1 + rn(1000);
		must_fail(c, "key and id");
		break;
	}
}

static void do_filter_get(struct sess *s)
{
	static struct wfp_ipsec_filter_cond conds[WFP_IPSEC_FILTER_COND_MAX];
	struct wfp_ipsec_filter *g;
	struct filt *p;
	struct call c;
	bool gone;

	call_init(&c, NR_FILTER_GET);
	g = &c.in.filt;
	pick_name(s, g->key, &g->id, &p, &gone);
	c.gone = gone;
	g->conds = (__u64)(uintptr_t)conds;
	g->num_conds = pm(150) ? rn(3) : WFP_IPSEC_FILTER_COND_MAX;
	g->name = (__u64)(uintptr_t)filt_name;
	g->name_len = pm(100) ? rn(4) : WFP_IPSEC_OBJ_NAME_MAX;
	g->desc = (__u64)(uintptr_t)filt_name;
	g->desc_len = WFP_IPSEC_OBJ_NAME_MAX;
	g->data = (__u64)(uintptr_t)filt_room;
	g->data_len = pm(100) ? rn(8) : WFP_IPSEC_OBJ_DATA_MAX;
	if (n_mutations() && !mutate_common(&c))
		break_get(&c);
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL && !gone)
		set_strict(&c, NULL, p->state == F_GONE ? ES(ENOENT) :
			   p->state == F_UNKNOWN ? gen_set(NR_FILTER_GET) :
			   rooms_fit(g, p) ? ES(0, ENOMEM) : ES(ERANGE));
	if (!exec_call(&c, s) && !(c.flags & C_NO_OUTCHECK) && s->ready)
		check_got(&c.out.filt, p);
}

static void do_filter_delete(struct sess *s)
{
	struct wfp_ipsec_obj_key *k;
	struct filt *p;
	struct call c;
	bool gone;
	int ret;

	call_init(&c, NR_OBJ_DELETE);
	k = &c.in.okey;
	k->type = WFP_IPSEC_OBJ_FILTER;
	pick_name(s, k->key, &k->id, &p, &gone);
	c.gone = gone;
	if (n_mutations() && !mutate_common(&c)) {
		/* a key and an id at once */
		if (all_zero(k->key, sizeof(k->key)))
			filt_key(k->key, rn(FILT_POOL));
		k->id = 1 + rn(1000);
		must_fail(&c, "key and id");
	}
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL && !gone &&
	    p->state != F_UNKNOWN)
		set_strict(&c, NULL, p->state == F_LIVE ? ES(0) : ES(ENOENT));
	ret = exec_call(&c, s);
	note("delete", p ? (unsigned int)(p - pool) : FILT_POOL, k->key, k->id,
	     ret);
	/* a mutation may leave the request valid: a read-only argument */
	if (p && (!ret || (ret == ENOENT && !(c.flags & C_MUTATED))))
		filt_gone(p);
}

/* Whether key is pool key k of this worker's. */
static bool pool_key_of(const __u8 *key, unsigned int *k)
{
	__u8 want[WFP_IPSEC_OBJ_KEY_LEN];

	filt_key(want, 0);
	*k = key[2] - 1u;
	want[2] = key[2];
	return *k < FILT_POOL && !memcmp(key, want, sizeof(want));
}

/*
 * An enumeration from just before the pool that went past its last key
 * lists exactly the slots the model holds live under their pool keys.
 */
static void check_enum_pool(__u8 (*keys)[WFP_IPSEC_OBJ_KEY_LEN],
			    __u32 count, bool whole)
{
	__u8 last[WFP_IPSEC_OBJ_KEY_LEN];
	unsigned int got = 0, want = 0, k, i;

	filt_key(last, FILT_POOL - 1);
	if (!whole && (!count || memcmp(keys[count - 1], last,
					sizeof(last)) < 0))
		return;
	for (i = 0; i < count; i++)
		if (pool_key_of(keys[i], &k))
			got |= 1u << k;
	for (k = 0; k < FILT_POOL; k++) {
		if (pool[k].state == F_UNKNOWN)
			return;
		if (pool[k].state == F_LIVE && pool_key_of(pool[k].key, &i))
			want |= 1u << i;
	}
	if (got != want)
		fail(NR_OBJ_ENUM, "pool filters %#x listed, %#x live", got,
		     want);
}

static void do_filter_enum(struct sess *s)
{
	static __u8 keys[FILT_POOL + 8][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum *e;
	bool mine = false;
	struct call c;

	call_init(&c, NR_OBJ_ENUM);
	e = &c.in.oenum;
	e->type = WFP_IPSEC_OBJ_FILTER;
	e->keys = (__u64)(uintptr_t)keys;
	e->max_entries = rn(FILT_POOL + 9);
	if (pm(500)) {
		filt_key(e->cursor, 0);
		e->cursor[2] = 0;	/* just before the pool */
		mine = true;
	}
	if (n_mutations() && !mutate_common(&c))
		poke_reserved(&c, offsetof(struct wfp_ipsec_obj_enum, reserved),
			      sizeof(e->reserved));
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    !obj_enum_ok(&c, keys))
		return;
	e = &c.out.oenum;
	if (mine && certain(s) && !(c.flags & C_MUTATED))
		check_enum_pool(keys, e->count,
				e->count < c.in.oenum.max_entries);
}

void do_filter(struct sess *s)
{
	switch (rn(5)) {
	case 0:
	case 1:
		do_filter_add(s);
		break;
	case 2:
		do_filter_get(s);
		break;
	case 3:
		do_filter_delete(s);
		break;
	default:
		do_filter_enum(s);
		break;
	}
}

/*
 * The pool's filters in the worker's namespace, then the check that none
 * is left, in the filters or in xfrm.
 */
void filter_cleanup(void)
{
	static __u8 keys[1][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e;
	struct wfp_ipsec_obj_key k;
	struct sess *s = sess_normal(0);
	unsigned int i;
	int n;

	if (!s || !W.have_filters)
		return;
	memset(&k, 0, sizeof(k));
	k.type = WFP_IPSEC_OBJ_FILTER;
	for (i = 0; i < FILT_POOL; i++) {
		filt_key(k.key, i);
		ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
		memcpy(k.key, pool[i].key, sizeof(k.key));
		if (!all_zero(k.key, sizeof(k.key)))
			ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
	}
	for (i = 0; i < ngen && i < ARRAY_SIZE(gen_keys); i++) {
		memcpy(k.key, gen_keys[i], sizeof(k.key));
		ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
	}
	memset(&e, 0, sizeof(e));
	e.type = WFP_IPSEC_OBJ_FILTER;
	e.keys = (__u64)(uintptr_t)keys;
	e.max_entries = 1;
	filt_key(e.cursor, 0);
	e.cursor[2] = 0;
	if (ioctl(s->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e) ||
	    (e.count && keys[0][0] == FILT_KEY0 && keys[0][1] == (__u8)W.idx))
		fail(NR_OBJ_ENUM, "a filter of the worker's is left");
	n = xfrm_pol_count(in_pool);
	if (n)
		fail(NR_FILTER_ADD, "%d xfrm policies of the worker's filters "
		     "left", n);
}
