// SPDX-License-Identifier: GPL-2.0
/*
 * A filter's conditions as xfrm selectors.  A condition matches a range
 * of one field (an address, the protocol, a port); conditions on one
 * field are ORed, fields ANDed.  An xfrm selector matches one prefix per
 * address and port and one protocol, so each field's ranges become the
 * fewest prefixes that cover them exactly, and the filter the product of
 * its fields' prefixes - bounded by WFP_IPSEC_FILTER_SEL_MAX.  A field's
 * conditions are merged first (sorted, overlapping and touching ranges
 * joined), so equal conditions given twice make one selector.
 *
 * Values are big-endian byte strings of the field's width (16 bytes at
 * most), handled as 128-bit numbers in two u64s.
 */

#include <linux/bitops.h>
#include <linux/in.h>
#include <linux/jhash.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "filter.h"

struct wfp_u128 {
	u64 hi, lo;
};

/* One prefix of a field: the value's first len bits. */
struct wfp_prefix {
	struct wfp_u128 v;
	u8 len;
};

/* The prefixes of one selector slot; a slot without any matches all. */
struct wfp_slot {
	struct wfp_prefix *p;
	unsigned int nr;
	bool set;		/* some condition named the field */
};

enum {
	WFP_SLOT_SRC,
	WFP_SLOT_DST,
	WFP_SLOT_PROTO,
	WFP_SLOT_LPORT,
	WFP_SLOT_RPORT,
	WFP_SLOTS
};

static unsigned int wfp_field_width(u16 field, u8 family)
{
	switch (field) {
	case WFP_IPSEC_FIELD_PROTOCOL:
		return 1;
	case WFP_IPSEC_FIELD_LOCAL_PORT:
	case WFP_IPSEC_FIELD_REMOTE_PORT:
		return 2;
	default:
		return family == AF_INET ? 4 : 16;
	}
}

static struct wfp_u128 wfp_u128_from_be(const u8 *b, unsigned int w)
{
	struct wfp_u128 x = {};
	unsigned int i;

	for (i = 0; i < w; i++) {
		x.hi = x.hi << 8 | x.lo >> 56;
		x.lo = x.lo << 8 | b[i];
	}
	return x;
}

static void wfp_u128_to_be(struct wfp_u128 x, u8 *b, unsigned int w)
{
	int i;

	for (i = w - 1; i >= 0; i--) {
		b[i] = x.lo & 0xff;
		x.lo = x.lo >> 8 | x.hi << 56;
		x.hi >>= 8;
	}
}

static int wfp_u128_cmp(struct wfp_u128 a, struct wfp_u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

static struct wfp_u128 wfp_u128_sub(struct wfp_u128 a, struct wfp_u128 b)
{
	struct wfp_u128 r = { a.hi - b.hi, a.lo - b.lo };

	if (a.lo < b.lo)
		r.hi--;
	return r;
}

/* Whether a is below 2^bits. */
static bool wfp_u128_fits(struct wfp_u128 a, unsigned int bits)
{
	if (bits >= 128)
		return true;
	if (bits >= 64)
		return !(a.hi >> (bits - 64));
	return !a.hi && !(a.lo >> bits);
}

/* a + 2^k; false when the sum does not fit in bits. */
static bool wfp_u128_add_pow2(struct wfp_u128 *a, unsigned int k,
			      unsigned int bits)
{
	struct wfp_u128 r = *a;

	if (k >= bits)
		return false;
	if (k < 64) {
		r.lo += 1ULL << k;
		if (r.lo < a->lo)
			r.hi++;
	} else {
		r.hi += 1ULL << (k - 64);
	}
	if (wfp_u128_cmp(r, *a) <= 0 || !wfp_u128_fits(r, bits))
		return false;
	*a = r;
	return true;
}

/* Trailing zero bits, bits for zero. */
static unsigned int wfp_u128_tz(struct wfp_u128 a, unsigned int bits)
{
	if (a.lo)
		return min_t(unsigned int, __ffs64(a.lo), bits);
	if (a.hi)
		return min_t(unsigned int, 64 + __ffs64(a.hi), bits);
	return bits;
}

/* The largest k with 2^k <= d + 1, for d below 2^bits. */
static unsigned int wfp_u128_log2_span(struct wfp_u128 d, unsigned int bits)
{
	struct wfp_u128 one = d;

	if (!wfp_u128_add_pow2(&one, 0, bits))
		return bits;	/* d is all ones: the whole width */
	return one.hi ? 64 + fls64(one.hi) - 1 : fls64(one.lo) - 1;
}

/* Appends the fewest prefixes covering [lo, hi]; -E2BIG past max. */
static int wfp_range_split(struct wfp_u128 lo, struct wfp_u128 hi,
			   unsigned int bits, struct wfp_slot *s,
			   unsigned int max)
{
	unsigned int k;

	for (;;) {
		k = min(wfp_u128_tz(lo, bits),
			wfp_u128_log2_span(wfp_u128_sub(hi, lo), bits));
		if (s->nr == max)
			return -E2BIG;
		s->p[s->nr].v = lo;
		s->p[s->nr++].len = bits - k;
		if (!wfp_u128_add_pow2(&lo, k, bits) ||
		    wfp_u128_cmp(lo, hi) > 0)
			return 0;
	}
}

/*
 * Protocols are not prefixes: every value of a range, or 0 for all.  So
 * protocol 0 itself (HOPOPT) cannot be selected: xfrm would read it as
 * "any", and a bypass meant for it would pass everything.
 */
static int wfp_proto_split(struct wfp_u128 lo, struct wfp_u128 hi,
			   struct wfp_slot *s, unsigned int max)
{
	u64 v;

	if (lo.lo == 0 && hi.lo == 0xff)
		return wfp_range_split(lo, hi, 8, s, max);
	if (lo.lo == 0)
		return -EINVAL;
	for (v = lo.lo; v <= hi.lo; v++) {
		if (s->nr == max)
			return -E2BIG;
		s->p[s->nr].v.hi = 0;
		s->p[s->nr].v.lo = v;
		s->p[s->nr++].len = 8;
	}
	return 0;
}

static bool wfp_layer_forward(u32 layer)
{
	return layer == WFP_IPSEC_LAYER_IPFORWARD_V4 ||
	       layer == WFP_IPSEC_LAYER_IPFORWARD_V6;
}

static bool wfp_field_at_layer(u16 field, u32 layer)
{
	bool addr_sd = field == WFP_IPSEC_FIELD_SOURCE_ADDR ||
		       field == WFP_IPSEC_FIELD_DEST_ADDR;

	if (!field || field > __WFP_IPSEC_FIELD_MAX)
		return false;
	return wfp_layer_forward(layer) == addr_sd;
}

static bool wfp_field_is_addr(u16 field)
{
	return field <= WFP_IPSEC_FIELD_DEST_ADDR;
}

/* The FWP_DATA_TYPE values a field takes (the library's, recorded). */
#define WFP_FWP_UINT8		1
#define WFP_FWP_UINT16		2
#define WFP_FWP_UINT32		3
#define WFP_FWP_BYTE_ARRAY16	11
#define WFP_FWP_V4_ADDR_MASK	0x100
#define WFP_FWP_V6_ADDR_MASK	0x101
#define WFP_FWP_RANGE		0x102
#define WFP_FWP_MATCH_EQUAL	0
#define WFP_FWP_MATCH_RANGE	5

static bool wfp_cond_type_valid(const struct wfp_ipsec_filter_cond *c,
				u8 family, bool *mask)
{
	u16 plain, masked = 0;

	*mask = false;
	if (c->value_type == WFP_FWP_RANGE)
		return c->match == WFP_FWP_MATCH_RANGE;
	if (c->match != WFP_FWP_MATCH_EQUAL)
		return false;
	if (wfp_field_is_addr(c->field)) {
		plain = family == AF_INET ? WFP_FWP_UINT32 :
			WFP_FWP_BYTE_ARRAY16;
		masked = family == AF_INET ? WFP_FWP_V4_ADDR_MASK :
			 WFP_FWP_V6_ADDR_MASK;
	} else {
		plain = c->field == WFP_IPSEC_FIELD_PROTOCOL ? WFP_FWP_UINT8 :
			WFP_FWP_UINT16;
	}
	*mask = masked && c->value_type == masked;
	return c->value_type == plain || *mask;
}

/* Whether [lo, hi] is exactly one prefix of bits. */
static bool wfp_range_is_prefix(struct wfp_u128 lo, struct wfp_u128 hi,
				unsigned int bits)
{
	struct wfp_prefix p;
	struct wfp_slot s = { .p = &p };

	return !wfp_range_split(lo, hi, bits, &s, 1);
}

static int wfp_cond_check(u32 layer, const struct wfp_ipsec_filter_cond *c)
{
	u8 family = layer & 1 ? AF_INET : AF_INET6;
	unsigned int w = wfp_field_width(c->field, family);
	struct wfp_u128 lo, hi;
	bool mask;

	if (c->reserved0 || !wfp_field_at_layer(c->field, layer) ||
	    !wfp_cond_type_valid(c, family, &mask))
		return -EINVAL;
	if (memchr_inv(c->lo + w, 0, sizeof(c->lo) - w) ||
	    memchr_inv(c->hi + w, 0, sizeof(c->hi) - w))
		return -EINVAL;
	lo = wfp_u128_from_be(c->lo, w);
	hi = wfp_u128_from_be(c->hi, w);
	if (wfp_u128_cmp(lo, hi) > 0)
		return -EINVAL;
	if (mask)
		return wfp_range_is_prefix(lo, hi, w * 8) ? 0 : -EINVAL;
	if (c->match == WFP_FWP_MATCH_EQUAL && wfp_u128_cmp(lo, hi))
		return -EINVAL;
	return 0;
}

int wfp_filter_conds_check(u32 layer, const struct wfp_ipsec_filter_cond *c,
			   unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = wfp_cond_check(layer, &c[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* The selector slot of a field, in the direction of the filter's policy. */
static int wfp_field_slot(u16 field, bool inbound)
{
	switch (field) {
	case WFP_IPSEC_FIELD_SOURCE_ADDR:
		return WFP_SLOT_SRC;
	case WFP_IPSEC_FIELD_DEST_ADDR:
		return WFP_SLOT_DST;
	case WFP_IPSEC_FIELD_LOCAL_ADDR:
		return inbound ? WFP_SLOT_DST : WFP_SLOT_SRC;
	case WFP_IPSEC_FIELD_REMOTE_ADDR:
		return inbound ? WFP_SLOT_SRC : WFP_SLOT_DST;
	case WFP_IPSEC_FIELD_PROTOCOL:
		return WFP_SLOT_PROTO;
	case WFP_IPSEC_FIELD_LOCAL_PORT:
		return WFP_SLOT_LPORT;
	default:
		return WFP_SLOT_RPORT;
	}
}

/* One field's values: ranges, merged (sorted, disjoint, not adjacent). */
struct wfp_ranges {
	struct wfp_u128 lo[WFP_IPSEC_FILTER_COND_MAX];
	struct wfp_u128 hi[WFP_IPSEC_FILTER_COND_MAX];
	unsigned int nr;
};

/* Inserts [lo, hi] in order of lo, then merges what overlaps or touches. */
static void wfp_ranges_add(struct wfp_ranges *r, struct wfp_u128 lo,
			   struct wfp_u128 hi, unsigned int bits)
{
	unsigned int i = r->nr, j, k;
	struct wfp_u128 next;

	while (i && wfp_u128_cmp(r->lo[i - 1], lo) > 0) {
		r->lo[i] = r->lo[i - 1];
		r->hi[i] = r->hi[i - 1];
		i--;
	}
	r->lo[i] = lo;
	r->hi[i] = hi;
	r->nr++;
	for (i = 0, k = 0; i < r->nr; i = j) {
		r->lo[k] = r->lo[i];
		r->hi[k] = r->hi[i];
		for (j = i + 1; j < r->nr; j++) {
			next = r->hi[k];
			/* Touching: hi + 1 == lo; the whole width: all. */
			if (wfp_u128_add_pow2(&next, 0, bits) &&
			    wfp_u128_cmp(next, r->lo[j]) < 0)
				break;
			if (wfp_u128_cmp(r->hi[j], r->hi[k]) > 0)
				r->hi[k] = r->hi[j];
		}
		k++;
	}
	r->nr = k;
}

/*
 * A hash of the merged values of every field, the same for any order or
 * split of the conditions and for either direction: transport filters
 * without a provider context with equal hashes share an SA group.
 */
static u64 wfp_ranges_hash(const struct wfp_ranges *r, u8 family)
{
	u32 h1 = family, h2 = ~(u32)family;
	struct { u32 field, idx; u64 v[4]; } rec;
	unsigned int f, i;

	for (f = 1; f <= __WFP_IPSEC_FIELD_MAX; f++) {
		for (i = 0; i < r[f].nr; i++) {
			memset(&rec, 0, sizeof(rec));
			rec.field = f;
			rec.idx = i;
			rec.v[0] = r[f].lo[i].hi;
			rec.v[1] = r[f].lo[i].lo;
			rec.v[2] = r[f].hi[i].hi;
			rec.v[3] = r[f].hi[i].lo;
			h1 = jhash(&rec, sizeof(rec), h1);
			h2 = jhash(&rec, sizeof(rec), h2 ^ 0x9e3779b9);
		}
	}
	return (u64)h1 << 32 | h2;
}

/* Each field's ranges, merged; r has __WFP_IPSEC_FIELD_MAX + 1 entries. */
static void wfp_ranges_fill(const struct wfp_filter *f,
			    const struct wfp_ipsec_filter_cond *c,
			    unsigned int n, struct wfp_ranges *r)
{
	unsigned int i, w;

	for (i = 0; i < n; i++) {
		w = wfp_field_width(c[i].field, f->family);
		wfp_ranges_add(&r[c[i].field], wfp_u128_from_be(c[i].lo, w),
			       wfp_u128_from_be(c[i].hi, w), w * 8);
	}
}

static int wfp_slots_fill(const struct wfp_filter *f,
			  const struct wfp_ranges *r, struct wfp_slot *slots)
{
	bool inbound = f->dir == XFRM_POLICY_IN;
	unsigned int fld, i, w, max = WFP_IPSEC_FILTER_SEL_MAX;
	struct wfp_slot *s;
	int ret;

	for (fld = 1; fld <= __WFP_IPSEC_FIELD_MAX; fld++) {
		if (!r[fld].nr)
			continue;
		s = &slots[wfp_field_slot(fld, inbound)];
		w = wfp_field_width(fld, f->family);
		s->set = true;
		for (i = 0; i < r[fld].nr; i++) {
			if (fld == WFP_IPSEC_FIELD_PROTOCOL)
				ret = wfp_proto_split(r[fld].lo[i],
						      r[fld].hi[i], s, max);
			else
				ret = wfp_range_split(r[fld].lo[i],
						      r[fld].hi[i], w * 8, s,
						      max);
			if (ret)
				return ret;
		}
	}
	/* A field no condition names matches anything: one /0 prefix. */
	for (i = 0; i < WFP_SLOTS; i++)
		if (!slots[i].set)
			slots[i].nr = 1;
	return 0;
}

/* More specific, heavier: the narrowest prefix of each field named. */
static unsigned int wfp_slots_specificity(const struct wfp_slot *slots)
{
	unsigned int i, j, sum = 0, narrow;

	for (i = 0; i < WFP_SLOTS; i++) {
		if (!slots[i].set)
			continue;
		narrow = 128;
		for (j = 0; j < slots[i].nr; j++)
			narrow = min_t(unsigned int, narrow, slots[i].p[j].len);
		sum += narrow;
	}
	return sum;
}

static void wfp_sel_addr(const struct wfp_prefix *p, u8 family,
			 xfrm_address_t *a, u8 *len)
{
	memset(a, 0, sizeof(*a));
	if (!p)
		return;
	wfp_u128_to_be(p->v, (u8 *)a, family == AF_INET ? 4 : 16);
	*len = p->len;
}

static void wfp_sel_port(const struct wfp_prefix *p, __be16 *port,
			 __be16 *mask)
{
	if (!p || !p->len)
		return;
	*port = htons((u16)p->v.lo);
	*mask = htons((u16)(0xffff << (16 - p->len)));
}

static bool wfp_proto_icmp(u8 proto, u8 family)
{
	return proto == (family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
}

/* The selector of one combination, idx[] indexing each slot. */
static void wfp_sel_make(const struct wfp_filter *f,
			 const struct wfp_slot *slots,
			 const unsigned int *idx, struct xfrm_selector *sel)
{
	const struct wfp_prefix *p[WFP_SLOTS];
	bool inbound = f->dir == XFRM_POLICY_IN;
	const struct wfp_prefix *sport, *dport;
	int i;

	for (i = 0; i < WFP_SLOTS; i++)
		p[i] = slots[i].set ? &slots[i].p[idx[i]] : NULL;
	memset(sel, 0, sizeof(*sel));
	sel->family = f->family;
	wfp_sel_addr(p[WFP_SLOT_SRC], f->family, &sel->saddr,
		     &sel->prefixlen_s);
	wfp_sel_addr(p[WFP_SLOT_DST], f->family, &sel->daddr,
		     &sel->prefixlen_d);
	if (p[WFP_SLOT_PROTO] && p[WFP_SLOT_PROTO]->len)
		sel->proto = p[WFP_SLOT_PROTO]->v.lo;
	/* ICMP's type and code sit where the ports do, in either way. */
	if (inbound && !wfp_proto_icmp(sel->proto, f->family)) {
		sport = p[WFP_SLOT_RPORT];
		dport = p[WFP_SLOT_LPORT];
	} else {
		sport = p[WFP_SLOT_LPORT];
		dport = p[WFP_SLOT_RPORT];
	}
	wfp_sel_port(sport, &sel->sport, &sel->sport_mask);
	wfp_sel_port(dport, &sel->dport, &sel->dport_mask);
}

static struct wfp_filter_sels *wfp_sels_product(const struct wfp_filter *f,
						const struct wfp_slot *slots)
{
	unsigned int idx[WFP_SLOTS] = {}, total = 1, n, i;
	struct wfp_filter_sels *sels;

	for (i = 0; i < WFP_SLOTS; i++) {
		total *= slots[i].nr;
		if (total > WFP_IPSEC_FILTER_SEL_MAX)
			return ERR_PTR(-E2BIG);
	}
	sels = kzalloc(struct_size(sels, sel, total), GFP_KERNEL_ACCOUNT);
	if (!sels)
		return ERR_PTR(-ENOMEM);
	sels->nr = total;
	sels->specificity = wfp_slots_specificity(slots);
	for (n = 0; n < total; n++) {
		wfp_sel_make(f, slots, idx, &sels->sel[n]);
		/* Next combination: an odometer over the slots. */
		for (i = 0; i < WFP_SLOTS && ++idx[i] == slots[i].nr; i++)
			idx[i] = 0;
	}
	return sels;
}

struct wfp_filter_sels *wfp_filter_sels_make(const struct wfp_filter *f,
					     const struct wfp_ipsec_filter_cond *c,
					     unsigned int n)
{
	struct wfp_slot slots[WFP_SLOTS] = {};
	struct wfp_filter_sels *sels;
	struct wfp_ranges *r;
	struct wfp_prefix *buf;
	unsigned int i;
	int ret;

	r = kcalloc(__WFP_IPSEC_FIELD_MAX + 1, sizeof(*r), GFP_KERNEL);
	buf = kcalloc(WFP_SLOTS * WFP_IPSEC_FILTER_SEL_MAX, sizeof(*buf),
		      GFP_KERNEL);
	if (!r || !buf) {
		sels = ERR_PTR(-ENOMEM);
		goto out;
	}
	for (i = 0; i < WFP_SLOTS; i++)
		slots[i].p = buf + i * WFP_IPSEC_FILTER_SEL_MAX;
	wfp_ranges_fill(f, c, n, r);
	ret = wfp_slots_fill(f, r, slots);
	sels = ret ? ERR_PTR(ret) : wfp_sels_product(f, slots);
	if (!IS_ERR(sels))
		sels->cond_hash = wfp_ranges_hash(r, f->family);
out:
	kfree(buf);
	kfree(r);
	return sels;
}
