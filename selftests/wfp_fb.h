/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An FWPM_FILTER0 built in place, its conditions the way Windows keying
 * code writes them, for the programs that add filters (filter.c,
 * netevent.c).  Harness-free: the callers judge what the adds return.
 * Each program sets a filter's key, action and provider itself.
 */
#ifndef WFP_FB_H
#define WFP_FB_H

#include "wfp_util.h"

#define FB_MAX	(WFP_IPSEC_FILTER_COND_MAX + 1)

/*
 * An FWPM_FILTER0 under construction and the values its conditions
 * point to: build it in place, never copy it.
 */
struct fb {
	FWPM_FILTER0 f;
	GUID pk;			/* its providerKey points here */
	FWPM_FILTER_CONDITION0 c[FB_MAX];
	FWP_V4_ADDR_AND_MASK m4[FB_MAX];
	FWP_V6_ADDR_AND_MASK m6[FB_MAX];
	FWP_BYTE_ARRAY16 a16[FB_MAX];
	FWP_RANGE0 r[FB_MAX];
	FWP_BYTE_ARRAY16 r16[2 * FB_MAX];
	UINT64 w64;
};

/* The next condition, on field, and its index. */
static inline FWPM_FILTER_CONDITION0 *
fb_next(struct fb *b, const GUID *field, FWP_MATCH_TYPE match, int *i)
{
	FWPM_FILTER_CONDITION0 *c;

	*i = b->f.numFilterConditions++;
	c = &b->c[*i];
	c->fieldKey = *field;
	c->matchType = match;
	return c;
}

static inline UINT32 v4_host(const UINT8 *a)
{
	UINT32 v;

	memcpy(&v, a, 4);
	return ntohl(v);
}

/*
 * addr/plen as Windows keying code writes it: IPv4 host order (UINT32
 * for a host, else FWP_V4_ADDR_MASK), IPv6 in network order
 * (FWP_BYTE_ARRAY16_TYPE for a host, else FWP_V6_ADDR_MASK).
 */
static inline void fb_addr(struct fb *b, const GUID *field,
			   const char *addr, int plen)
{
	int i;
	FWPM_FILTER_CONDITION0 *c = fb_next(b, field, FWP_MATCH_EQUAL, &i);
	FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	UINT8 a[16];

	if (wfp_addr_bytes(addr, a) == 4) {
		if (plen == 32) {
			v->type = FWP_UINT32;
			v->uint32 = v4_host(a);
			return;
		}
		b->m4[i].addr = v4_host(a);
		b->m4[i].mask = plen ? ~0U << (32 - plen) : 0;
		v->type = FWP_V4_ADDR_MASK;
		v->v4AddrMask = &b->m4[i];
		return;
	}
	if (plen == 128) {
		memcpy(b->a16[i].byteArray16, a, 16);
		v->type = FWP_BYTE_ARRAY16_TYPE;
		v->byteArray16 = &b->a16[i];
		return;
	}
	memcpy(b->m6[i].addr, a, 16);
	b->m6[i].prefixLength = (UINT8)plen;
	v->type = FWP_V6_ADDR_MASK;
	v->v6AddrMask = &b->m6[i];
}

/* An FWP_RANGE0 of two addresses of one family. */
static inline void fb_addr_range(struct fb *b, const GUID *field,
				 const char *lo, const char *hi)
{
	int i;
	FWPM_FILTER_CONDITION0 *c = fb_next(b, field, FWP_MATCH_RANGE, &i);
	FWP_RANGE0 *r = &b->r[i];
	UINT8 l[16], h[16];

	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = r;
	if (wfp_addr_bytes(lo, l) == 4 && wfp_addr_bytes(hi, h) == 4) {
		r->valueLow.type = r->valueHigh.type = FWP_UINT32;
		r->valueLow.uint32 = v4_host(l);
		r->valueHigh.uint32 = v4_host(h);
		return;
	}
	wfp_addr_bytes(hi, h);
	memcpy(b->r16[2 * i].byteArray16, l, 16);
	memcpy(b->r16[2 * i + 1].byteArray16, h, 16);
	r->valueLow.type = r->valueHigh.type = FWP_BYTE_ARRAY16_TYPE;
	r->valueLow.byteArray16 = &b->r16[2 * i];
	r->valueHigh.byteArray16 = &b->r16[2 * i + 1];
}

static inline void fb_proto(struct fb *b, UINT8 proto)
{
	int i;
	FWPM_FILTER_CONDITION0 *c = fb_next(b, &FWPM_CONDITION_IP_PROTOCOL,
					    FWP_MATCH_EQUAL, &i);

	c->conditionValue.type = FWP_UINT8;
	c->conditionValue.uint8 = proto;
}

static inline void fb_port(struct fb *b, const GUID *field, UINT16 port)
{
	int i;
	FWPM_FILTER_CONDITION0 *c = fb_next(b, field, FWP_MATCH_EQUAL, &i);

	c->conditionValue.type = FWP_UINT16;
	c->conditionValue.uint16 = port;
}

static inline void fb_port_range(struct fb *b, const GUID *field,
				 UINT16 lo, UINT16 hi)
{
	int i;
	FWPM_FILTER_CONDITION0 *c = fb_next(b, field, FWP_MATCH_RANGE, &i);
	FWP_RANGE0 *r = &b->r[i];

	c->conditionValue.type = FWP_RANGE_TYPE;
	c->conditionValue.rangeValue = r;
	r->valueLow.type = r->valueHigh.type = FWP_UINT16;
	r->valueLow.uint16 = lo;
	r->valueHigh.uint16 = hi;
}

/* A host address condition: UINT32 for IPv4, a byte array for IPv6. */
static inline void fb_host(struct fb *b, const GUID *field,
			   const char *addr)
{
	fb_addr(b, field, addr, strchr(addr, ':') ? 128 : 32);
}

#endif /* WFP_FB_H */
