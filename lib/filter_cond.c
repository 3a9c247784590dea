// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A filter's conditions: FWPM_FILTER_CONDITION0 to struct
 * wfp_ipsec_filter_cond and back (Documentation/filters.rst).
 *
 * The module sees each condition as the range [lo, hi] of its field,
 * big-endian in the field's width; the caller's match and value types
 * travel with it, so a Get gives the condition back as it was added.
 */
#include <string.h>

#include "internal.h"

static const struct wfp_guid_id fields[] = {
	{ &FWPM_CONDITION_IP_LOCAL_ADDRESS, WFP_IPSEC_FIELD_LOCAL_ADDR, 0 },
	{ &FWPM_CONDITION_IP_REMOTE_ADDRESS, WFP_IPSEC_FIELD_REMOTE_ADDR, 0 },
	{ &FWPM_CONDITION_IP_SOURCE_ADDRESS, WFP_IPSEC_FIELD_SOURCE_ADDR, 0 },
	{ &FWPM_CONDITION_IP_DESTINATION_ADDRESS, WFP_IPSEC_FIELD_DEST_ADDR,
	  0 },
	{ &FWPM_CONDITION_IP_PROTOCOL, WFP_IPSEC_FIELD_PROTOCOL, 0 },
	/* = FWPM_CONDITION_ICMP_TYPE and _ICMP_CODE */
	{ &FWPM_CONDITION_IP_LOCAL_PORT, WFP_IPSEC_FIELD_LOCAL_PORT, 0 },
	{ &FWPM_CONDITION_IP_REMOTE_PORT, WFP_IPSEC_FIELD_REMOTE_PORT, 0 },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* IPFORWARD has the packet's source and destination, the others sides. */
static int field_at_layer(UINT32 field, UINT32 layer)
{
	int fwd = layer == WFP_IPSEC_LAYER_IPFORWARD_V4 ||
		  layer == WFP_IPSEC_LAYER_IPFORWARD_V6;
	int srcdst = field == WFP_IPSEC_FIELD_SOURCE_ADDR ||
		     field == WFP_IPSEC_FIELD_DEST_ADDR;

	return fwd == srcdst;
}

/* The type a field's values have: a range's ends, a plain EQUAL. */
static FWP_DATA_TYPE plain_type(UINT32 field, UINT32 layer)
{
	switch (field) {
	case WFP_IPSEC_FIELD_PROTOCOL:
		return FWP_UINT8;
	case WFP_IPSEC_FIELD_LOCAL_PORT:
	case WFP_IPSEC_FIELD_REMOTE_PORT:
		return FWP_UINT16;
	default:
		return wfp_layer_v6(layer) ? FWP_BYTE_ARRAY16_TYPE : FWP_UINT32;
	}
}

static void be_put(UINT8 *out, UINT32 v, unsigned int width)
{
	unsigned int i;

	for (i = 0; i < width; i++)
		out[i] = (UINT8)(v >> (8 * (width - 1 - i)));
}

static UINT32 be_get(const UINT8 *in, unsigned int width)
{
	UINT32 v = 0;
	unsigned int i;

	for (i = 0; i < width; i++)
		v = v << 8 | in[i];
	return v;
}

/* The integer arm of v (an FWP_VALUE0 or FWP_CONDITION_VALUE0). */
#define VALUE_NUM(v) ((v)->type == FWP_UINT8 ? (UINT32)(v)->uint8 : \
		      (v)->type == FWP_UINT16 ? (UINT32)(v)->uint16 : \
		      (v)->uint32)

/* A value of the field's plain type, big-endian into out. */
static DWORD plain_in(FWP_DATA_TYPE want, FWP_DATA_TYPE type, UINT32 num,
		      const FWP_BYTE_ARRAY16 *b16, UINT8 *out)
{
	if (type != want)
		return FWP_E_TYPE_MISMATCH;
	switch (type) {
	case FWP_BYTE_ARRAY16_TYPE:
		/* IPv6 in network order, a plain copy (as Windows). */
		if (!b16)
			return FWP_E_NULL_POINTER;
		memcpy(out, b16->byteArray16, 16);
		break;
	case FWP_UINT32:
		be_put(out, num, 4);
		break;
	case FWP_UINT16:
		be_put(out, num, 2);
		break;
	default:
		out[0] = (UINT8)num;
		break;
	}
	return ERROR_SUCCESS;
}

static DWORD range_in(const FWP_CONDITION_VALUE0 *v, FWP_DATA_TYPE want,
		      struct wfp_ipsec_filter_cond *k)
{
	const FWP_RANGE0 *r = v->rangeValue;
	DWORD rc;

	if (v->type != FWP_RANGE_TYPE)
		return FWP_E_MATCH_TYPE_MISMATCH;
	if (!r)
		return FWP_E_NULL_POINTER;
	rc = plain_in(want, r->valueLow.type, VALUE_NUM(&r->valueLow),
		      r->valueLow.byteArray16, k->lo);
	if (!rc)
		rc = plain_in(want, r->valueHigh.type, VALUE_NUM(&r->valueHigh),
			      r->valueHigh.byteArray16, k->hi);
	if (!rc && memcmp(k->hi, k->lo, sizeof(k->lo)) < 0)
		rc = FWP_E_INVALID_RANGE;
	return rc;
}

/* An IPv4 address and mask, both host order, as the prefix's ends. */
static DWORD v4_mask_in(const FWP_V4_ADDR_AND_MASK *m,
			struct wfp_ipsec_filter_cond *k)
{
	UINT32 host;

	if (!m)
		return FWP_E_NULL_POINTER;
	host = ~m->mask;
	/* Contiguous: the host part is 2^n - 1. */
	if (host & (host + 1))
		return FWP_E_INVALID_NET_MASK;
	be_put(k->lo, m->addr & m->mask, 4);
	be_put(k->hi, m->addr | host, 4);
	return ERROR_SUCCESS;
}

static DWORD v6_mask_in(const FWP_V6_ADDR_AND_MASK *m,
			struct wfp_ipsec_filter_cond *k)
{
	unsigned int i, bits;
	UINT8 mask;

	if (!m)
		return FWP_E_NULL_POINTER;
	if (m->prefixLength > 128)
		return FWP_E_INVALID_NET_MASK;
	for (i = 0; i < 16; i++) {
		bits = m->prefixLength > 8 * i ? m->prefixLength - 8 * i : 0;
		mask = bits >= 8 ? 0xff : (UINT8)(0xff00 >> bits);
		k->lo[i] = m->addr[i] & mask;
		k->hi[i] = m->addr[i] | (UINT8)~mask;
	}
	return ERROR_SUCCESS;
}

static DWORD equal_in(const FWP_CONDITION_VALUE0 *v, FWP_DATA_TYPE want,
		      struct wfp_ipsec_filter_cond *k)
{
	DWORD rc;

	/* The masks are the documented exceptions to "the field's type". */
	if (want == FWP_UINT32 && v->type == FWP_V4_ADDR_MASK)
		return v4_mask_in(v->v4AddrMask, k);
	if (want == FWP_BYTE_ARRAY16_TYPE && v->type == FWP_V6_ADDR_MASK)
		return v6_mask_in(v->v6AddrMask, k);
	rc = plain_in(want, v->type, VALUE_NUM(v), v->byteArray16, k->lo);
	if (!rc)
		memcpy(k->hi, k->lo, sizeof(k->hi));
	return rc;
}

DWORD wfp_cond_in(const FWPM_FILTER_CONDITION0 *c, UINT32 layer,
		  struct wfp_ipsec_filter_cond *k)
{
	UINT32 field = wfp_guid_to_id(fields, NFIELDS, &c->fieldKey);
	FWP_DATA_TYPE want;

	if (!field || !field_at_layer(field, layer))
		return FWP_E_CONDITION_NOT_FOUND;
	if ((UINT32)c->matchType >= FWP_MATCH_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	if (c->matchType != FWP_MATCH_EQUAL && c->matchType != FWP_MATCH_RANGE)
		return FWP_E_MATCH_TYPE_MISMATCH;
	memset(k, 0, sizeof(*k));
	k->field = (UINT16)field;
	k->match = (UINT16)c->matchType;
	k->value_type = (UINT16)c->conditionValue.type;
	want = plain_type(field, layer);
	if (c->matchType == FWP_MATCH_RANGE)
		return range_in(&c->conditionValue, want, k);
	return equal_in(&c->conditionValue, want, k);
}

/* ---- back, for Get and Enum ---- */

/*
 * Sets the plain arm of v (an FWP_VALUE0 or FWP_CONDITION_VALUE0) from
 * the big-endian in; b16 is the room for a byte array of that type.
 */
#define PLAIN_SET(v, t, in, b16) do {					\
	(v)->type = (t);						\
	if ((t) == FWP_UINT8)						\
		(v)->uint8 = (in)[0];					\
	else if ((t) == FWP_UINT16)					\
		(v)->uint16 = (UINT16)be_get((in), 2);			\
	else if ((t) == FWP_UINT32)					\
		(v)->uint32 = be_get((in), 4);				\
	else								\
		(v)->byteArray16 = (b16);				\
} while (0)

/* Room for a byte array when t is one, filled from in. */
static FWP_BYTE_ARRAY16 *b16_out(struct wfp_arena *a, FWP_DATA_TYPE t,
				 const UINT8 *in)
{
	FWP_BYTE_ARRAY16 *b;

	if (t != FWP_BYTE_ARRAY16_TYPE)
		return NULL;
	b = wfp_arena_take(a, sizeof(*b));
	if (b)
		memcpy(b->byteArray16, in, 16);
	return b;
}

static FWP_RANGE0 *range_out(struct wfp_arena *a,
			     const struct wfp_ipsec_filter_cond *k,
			     FWP_DATA_TYPE t)
{
	FWP_RANGE0 *r = wfp_arena_take(a, sizeof(*r));
	FWP_BYTE_ARRAY16 *lo = b16_out(a, t, k->lo), *hi = b16_out(a, t, k->hi);

	if (r) {
		PLAIN_SET(&r->valueLow, t, k->lo, lo);
		PLAIN_SET(&r->valueHigh, t, k->hi, hi);
	}
	return r;
}

static FWP_V4_ADDR_AND_MASK *v4_mask_out(struct wfp_arena *a,
					 const struct wfp_ipsec_filter_cond *k)
{
	FWP_V4_ADDR_AND_MASK *m = wfp_arena_take(a, sizeof(*m));

	if (m) {
		m->addr = be_get(k->lo, 4);
		m->mask = ~(m->addr ^ be_get(k->hi, 4));
	}
	return m;
}

static FWP_V6_ADDR_AND_MASK *v6_mask_out(struct wfp_arena *a,
					 const struct wfp_ipsec_filter_cond *k)
{
	FWP_V6_ADDR_AND_MASK *m = wfp_arena_take(a, sizeof(*m));
	unsigned int n = 0;

	if (!m)
		return NULL;
	memcpy(m->addr, k->lo, 16);
	/* The prefix is where lo and hi still agree. */
	while (n < 128 && !((k->lo[n / 8] ^ k->hi[n / 8]) & (0x80 >> n % 8)))
		n++;
	m->prefixLength = (UINT8)n;
	return m;
}

void wfp_cond_out(struct wfp_arena *a, const struct wfp_ipsec_filter_cond *k,
		  UINT32 layer, FWPM_FILTER_CONDITION0 *c)
{
	FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	FWP_DATA_TYPE t = (FWP_DATA_TYPE)k->value_type;

	wfp_id_to_guid(fields, NFIELDS, k->field, &c->fieldKey);
	c->matchType = (FWP_MATCH_TYPE)k->match;
	switch (k->value_type) {
	case FWP_RANGE_TYPE:
		v->type = t;
		v->rangeValue = range_out(a, k, plain_type(k->field, layer));
		break;
	case FWP_V4_ADDR_MASK:
		v->type = t;
		v->v4AddrMask = v4_mask_out(a, k);
		break;
	case FWP_V6_ADDR_MASK:
		v->type = t;
		v->v6AddrMask = v6_mask_out(a, k);
		break;
	default:
		PLAIN_SET(v, t, k->lo, b16_out(a, t, k->lo));
		break;
	}
}
