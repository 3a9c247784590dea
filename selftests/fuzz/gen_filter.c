// SPDX-License-Identifier: GPL-2.0
/*
 * FILTER_ADD's arguments: valid filters at every layer (actions, the
 * callouts of the layer, flags, weights, references from cmd_obj.c's
 * pool, conditions as lo/hi with masks and ranges), and each way the
 * module must refuse one.  Every condition set starts with an address
 * of the worker's own prefix (10.78.<worker>.0/24, fd00:78:0:<worker>::/64),
 * which filter_in_pool() recognises in the xfrm policies filters become.
 */

#include "fuzz.h"

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
bool filter_enforced(const struct wfp_ipsec_filter *f)
{
	return f->layer <= WFP_IPSEC_LAYER_IPFORWARD_V6 &&
	       (f->action != WFP_IPSEC_ACTION_CALLOUT ||
		callout_ipsec(f->callout));
}

/* cmd_obj.c's pool key k (providers, sublayers, provider contexts). */
static void obj_pool_key(__u8 *key)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = 0xf2;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)rn(6);
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

bool filter_in_pool(int family, const __u8 *a, int plen)
{
	bool v4 = family == AF_INET;
	__u8 p[16];

	if (family != AF_INET && family != AF_INET6)
		return false;
	pool_prefix(v4, p);
	return plen >= (v4 ? 24 : 64) && !memcmp(a, p, v4 ? 3 : 8);
}

/* ------------------------------------------------------- conditions */

/* The bytes of a condition's value on field (traps.c reads flows so). */
unsigned int field_width(__u16 field, bool v4)
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
 * ICMP to anywhere in the worker's prefix: as a trap, it catches the
 * kernel's errors back to the worker's datagrams (traps.c) in most runs;
 * other shapes do only by chance (remote addresses alone, and a protocol
 * and ports that admit the error), since the errors' source is the veth
 * device's address.
 */
static __u32 icmp_conds(struct wfp_ipsec_filter_cond *c, bool v4)
{
	__u8 a[16];

	pool_prefix(v4, a);
	c[0].field = WFP_IPSEC_FIELD_REMOTE_ADDR;
	c[0].value_type = v4 ? T_V4_MASK : T_V6_MASK;
	set_prefix(&c[0], a, v4 ? 4 : 16, v4 ? 24 : 64);
	c[1].field = WFP_IPSEC_FIELD_PROTOCOL;
	c[1].value_type = T_UINT8;
	c[1].lo[0] = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	c[1].hi[0] = c[1].lo[0];
	return 2;
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
	if (!fwd && pm(60))
		return icmp_conds(c, v4);
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

/* -------------------------------------------------------- filters */

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
void gen_filter(struct wfp_ipsec_filter *f,
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

void filter_mutate_add(struct call *c,
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
