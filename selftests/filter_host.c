// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * filter_host.c - host check of what libwfpipsec does with a filter
 * before the module sees it: every refusal of FwpmFilterAdd0 (each comes
 * before the engine handle is looked at, so a made-up handle shows that
 * a valid filter got through), and conditions to the module's form and
 * back.  The VM tests (selftests/filter.c) cover the module's side.
 */
#include <windows.h>
#include <fwpmu.h>

#include <stdio.h>
#include <string.h>

#include "internal.h"

static int failures, checks;

#define EXPECT(what, got, want) do {					\
	unsigned long g_ = (got), w_ = (want);				\
	checks++;							\
	if (g_ != w_) {							\
		failures++;						\
		printf("not ok - %s: got 0x%lx, want 0x%lx\n", (what),	\
		       g_, w_);						\
	}								\
} while (0)

/* Never an engine: a filter that passes every check meets this. */
static HANDLE const bad_engine = (HANDLE)0x1;

static FWPM_FILTER0 f;
static FWPM_FILTER_CONDITION0 c;

/* A valid filter at layer, permitting; with one condition when cond. */
static void base(const GUID *layer, int cond)
{
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"flt";
	f.layerKey = *layer;
	f.action.type = FWP_ACTION_PERMIT;
	if (!cond)
		return;
	memset(&c, 0, sizeof(c));
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	c.conditionValue.type = FWP_UINT16;
	c.conditionValue.uint16 = 500;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
}

static DWORD add(void)
{
	return FwpmFilterAdd0(bad_engine, &f, NULL, NULL);
}

static void check_filter(void)
{
	static const GUID other = { 0x12345678, 1, 2, { 3, 4, 5, 6, 7, 8 } };
	GUID reserved = other;
	UINT64 *null64 = NULL;

	EXPECT("NULL filter", FwpmFilterAdd0(bad_engine, NULL, NULL, NULL),
	       FWP_E_NULL_POINTER);
	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 1);
	EXPECT("valid", add(), ERROR_INVALID_HANDLE);
	f.reserved = &reserved;
	EXPECT("reserved", add(), FWP_E_RESERVED);
	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 0);
	f.flags = FWPM_FILTER_FLAG_BOOTTIME;
	EXPECT("BOOTTIME", add(), ERROR_NOT_SUPPORTED);
	f.flags |= FWPM_FILTER_FLAG_PERSISTENT;
	EXPECT("BOOTTIME|PERSISTENT", add(), FWP_E_INVALID_FLAGS);
	f.flags = FWPM_FILTER_FLAG_DISABLED;
	EXPECT("DISABLED", add(), FWP_E_INVALID_FLAGS);
	f.flags = FWPM_FILTER_FLAG_SILENT_MODE;
	EXPECT("unknown flag", add(), FWP_E_INVALID_FLAGS);
	f.flags = FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	EXPECT("PERMIT_IF_CALLOUT_UNREGISTERED, permit", add(),
	       FWP_E_INVALID_FLAGS);
	f.flags = FWPM_FILTER_FLAG_PERSISTENT | FWPM_FILTER_FLAG_INDEXED |
		  FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT |
		  FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE;
	EXPECT("recorded flags", add(), ERROR_INVALID_HANDLE);
	f.flags = 0;
	f.layerKey = FWPM_LAYER_IKEEXT_V4;
	EXPECT("IKEEXT layer", add(), FWP_E_LAYER_NOT_FOUND);
	f.layerKey = FWPM_LAYER_IPSEC_V6;
	EXPECT("IPSEC layer", add(), FWP_E_LAYER_NOT_FOUND);
	f.layerKey = other;
	EXPECT("unknown layer", add(), FWP_E_LAYER_NOT_FOUND);

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 0);
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = other;
	EXPECT("unknown callout", add(), FWP_E_CALLOUT_NOT_FOUND);
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4;
	EXPECT("inbound callout outbound", add(),
	       FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6;
	EXPECT("V6 callout at V4", add(), FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	f.flags = FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED;
	EXPECT("callout", add(), ERROR_INVALID_HANDLE);
	f.flags = 0;
	f.action.type = FWP_ACTION_CALLOUT_INSPECTION;
	EXPECT("INSPECTION", add(), FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	f.action.type = FWP_ACTION_CALLOUT_UNKNOWN;
	EXPECT("CALLOUT_UNKNOWN", add(), FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	f.action.type = FWP_ACTION_CONTINUE;
	EXPECT("CONTINUE", add(), FWP_E_INVALID_ACTION_TYPE);
	f.action.type = 0;
	EXPECT("action 0", add(), FWP_E_INVALID_ACTION_TYPE);
	base(&FWPM_LAYER_IPFORWARD_V4, 0);
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V4;
	EXPECT("DOSP_FORWARD", add(), ERROR_NOT_SUPPORTED);

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 0);
	f.weight.type = FWP_UINT8;
	f.weight.uint8 = 15;
	EXPECT("weight 15", add(), ERROR_INVALID_HANDLE);
	f.weight.uint8 = 16;
	EXPECT("weight 16", add(), FWP_E_INVALID_WEIGHT);
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = null64;
	EXPECT("weight NULL", add(), FWP_E_NULL_POINTER);
	f.weight.type = FWP_UINT32;
	EXPECT("weight UINT32", add(), FWP_E_INVALID_WEIGHT);

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 0);
	f.displayData.name = NULL;
	EXPECT("no name", add(), FWP_E_NULL_DISPLAY_NAME);
	f.displayData.name = L"";
	EXPECT("empty name", add(), FWP_E_NULL_DISPLAY_NAME);
	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 0);
	f.providerData.size = 4;
	EXPECT("providerData NULL", add(), FWP_E_NULL_POINTER);
}

/* Each callout at its layer gets through; the DoS one never does. */
static void check_callouts(void)
{
	static const struct { const GUID *callout, *layer; } ok[] = {
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4,
		  &FWPM_LAYER_INBOUND_TRANSPORT_V4 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V6,
		  &FWPM_LAYER_INBOUND_TRANSPORT_V6 },
		{ &FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V6,
		  &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V4,
		  &FWPM_LAYER_INBOUND_TRANSPORT_V4 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6,
		  &FWPM_LAYER_INBOUND_TRANSPORT_V6 },
		{ &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V4,
		  &FWPM_LAYER_OUTBOUND_TRANSPORT_V4 },
		{ &FWPM_CALLOUT_IPSEC_OUTBOUND_TUNNEL_V6,
		  &FWPM_LAYER_OUTBOUND_TRANSPORT_V6 },
		{ &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V4,
		  &FWPM_LAYER_IPFORWARD_V4 },
		{ &FWPM_CALLOUT_IPSEC_FORWARD_INBOUND_TUNNEL_V6,
		  &FWPM_LAYER_IPFORWARD_V6 },
		{ &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V4,
		  &FWPM_LAYER_IPFORWARD_V4 },
		{ &FWPM_CALLOUT_IPSEC_FORWARD_OUTBOUND_TUNNEL_V6,
		  &FWPM_LAYER_IPFORWARD_V6 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4,
		  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V6,
		  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V4,
		  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4 },
		{ &FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_ALE_ACCEPT_V6,
		  &FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V6 },
		{ &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4,
		  &FWPM_LAYER_ALE_AUTH_CONNECT_V4 },
		{ &FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6,
		  &FWPM_LAYER_ALE_AUTH_CONNECT_V6 },
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		base(ok[i].layer, 0);
		f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
		f.action.calloutKey = *ok[i].callout;
		EXPECT("callout at its layer", add(), ERROR_INVALID_HANDLE);
		/* The next row's layer is another one (or another version). */
		f.layerKey = *ok[(i + 1) % (sizeof(ok) / sizeof(ok[0]))].layer;
		if (!IsEqualGUID(&f.layerKey, ok[i].layer))
			EXPECT("callout elsewhere", add(),
			       FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER);
	}
	base(&FWPM_LAYER_IPFORWARD_V6, 0);
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = FWPM_CALLOUT_IPSEC_DOSP_FORWARD_V6;
	EXPECT("DOSP_FORWARD_V6", add(), ERROR_NOT_SUPPORTED);
}

static void check_cond_refusals(void)
{
	FWPM_FILTER_CONDITION0 many[WFP_IPSEC_FILTER_COND_MAX + 1];
	FWP_V4_ADDR_AND_MASK m4 = { 0x0a000000, 0xff00ff00 };
	FWP_V6_ADDR_AND_MASK m6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 129 };
	FWP_RANGE0 r;
	UINT32 i;

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 1);
	for (i = 0; i <= WFP_IPSEC_FILTER_COND_MAX; i++)
		many[i] = c;
	f.filterCondition = many;
	f.numFilterConditions = WFP_IPSEC_FILTER_COND_MAX;
	EXPECT("32 conditions", add(), ERROR_INVALID_HANDLE);
	f.numFilterConditions++;
	EXPECT("33 conditions", add(), FWP_E_OUT_OF_BOUNDS);
	f.filterCondition = NULL;
	f.numFilterConditions = 1;
	EXPECT("conditions NULL", add(), FWP_E_NULL_POINTER);

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 1);
	c.fieldKey = FWPM_CONDITION_ALE_APP_ID;
	EXPECT("unknown field", add(), FWP_E_CONDITION_NOT_FOUND);
	c.fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS;
	EXPECT("SOURCE at transport", add(), FWP_E_CONDITION_NOT_FOUND);
	base(&FWPM_LAYER_IPFORWARD_V4, 1);
	EXPECT("port at IPFORWARD", add(), FWP_E_CONDITION_NOT_FOUND);
	c.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	EXPECT("protocol at IPFORWARD", add(), FWP_E_CONDITION_NOT_FOUND);
	c.fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	EXPECT("LOCAL at IPFORWARD", add(), FWP_E_CONDITION_NOT_FOUND);
	c.fieldKey = FWPM_CONDITION_IP_DESTINATION_ADDRESS;
	c.conditionValue.type = FWP_UINT32;
	c.conditionValue.uint32 = 0x0a000001;
	EXPECT("DESTINATION at IPFORWARD", add(), ERROR_INVALID_HANDLE);

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 1);
	c.matchType = FWP_MATCH_TYPE_MAX;
	EXPECT("match type out of range", add(), FWP_E_INVALID_ENUMERATOR);
	c.matchType = FWP_MATCH_GREATER;
	EXPECT("GREATER", add(), FWP_E_MATCH_TYPE_MISMATCH);
	c.matchType = FWP_MATCH_RANGE;
	EXPECT("RANGE of a UINT16", add(), FWP_E_MATCH_TYPE_MISMATCH);
	c.conditionValue.type = FWP_RANGE_TYPE;
	c.conditionValue.rangeValue = NULL;
	EXPECT("RANGE NULL", add(), FWP_E_NULL_POINTER);
	memset(&r, 0, sizeof(r));
	c.conditionValue.rangeValue = &r;
	r.valueLow.type = FWP_UINT16;
	r.valueLow.uint16 = 2000;
	r.valueHigh.type = FWP_UINT32;
	r.valueHigh.uint32 = 3000;
	EXPECT("RANGE end of another type", add(), FWP_E_TYPE_MISMATCH);
	r.valueHigh.type = FWP_UINT16;
	r.valueHigh.uint16 = 1000;
	EXPECT("RANGE high < low", add(), FWP_E_INVALID_RANGE);
	r.valueHigh.uint16 = 2000;
	EXPECT("RANGE of one", add(), ERROR_INVALID_HANDLE);
	c.matchType = FWP_MATCH_EQUAL;
	EXPECT("EQUAL of a range", add(), FWP_E_TYPE_MISMATCH);
	c.conditionValue.type = FWP_UINT32;
	EXPECT("port as UINT32", add(), FWP_E_TYPE_MISMATCH);

	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m4;
	EXPECT("V4 mask with a hole", add(), FWP_E_INVALID_NET_MASK);
	c.conditionValue.v4AddrMask = NULL;
	EXPECT("V4 mask NULL", add(), FWP_E_NULL_POINTER);
	c.conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c.conditionValue.byteArray16 = NULL;
	EXPECT("V6 address at a V4 layer", add(), FWP_E_TYPE_MISMATCH);
	c.conditionValue.type = FWP_UINT8;
	EXPECT("address as UINT8", add(), FWP_E_TYPE_MISMATCH);

	base(&FWPM_LAYER_INBOUND_TRANSPORT_V6, 1);
	c.fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c.conditionValue.type = FWP_UINT32;
	EXPECT("V4 address at a V6 layer", add(), FWP_E_TYPE_MISMATCH);
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m4;
	EXPECT("V4 mask at a V6 layer", add(), FWP_E_TYPE_MISMATCH);
	c.conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c.conditionValue.byteArray16 = NULL;
	EXPECT("V6 address NULL", add(), FWP_E_NULL_POINTER);
	c.conditionValue.type = FWP_V6_ADDR_MASK;
	c.conditionValue.v6AddrMask = &m6;
	EXPECT("V6 prefix 129", add(), FWP_E_INVALID_NET_MASK);
	m6.prefixLength = 128;
	EXPECT("V6 prefix 128", add(), ERROR_INVALID_HANDLE);
	c.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c.conditionValue.type = FWP_UINT8;
	c.conditionValue.uint8 = 58;
	EXPECT("protocol", add(), ERROR_INVALID_HANDLE);
	c.conditionValue.type = FWP_UINT16;
	EXPECT("protocol as UINT16", add(), FWP_E_TYPE_MISMATCH);
}

/*
 * c in the module's form, then back: lo and hi, and what Get returns.
 * When c does not get through, back's value points to a block of
 * pointers to itself, which the caller's checks can follow (and fail on)
 * without crashing.
 */
static void round_trip(const char *what, UINT32 layer, const UINT8 *lo,
		       const UINT8 *hi, FWPM_FILTER_CONDITION0 *back)
{
	static UINT64 room[64];
	static void *self[8];
	struct wfp_arena a = { (char *)room, 0 };
	struct wfp_ipsec_filter_cond k;
	DWORD rc = wfp_cond_in(&c, layer, &k);
	unsigned int i;

	for (i = 0; i < 8; i++)
		self[i] = self;
	memset(back, 0, sizeof(*back));
	back->conditionValue.rangeValue = (FWP_RANGE0 *)self;
	EXPECT(what, rc, ERROR_SUCCESS);
	if (rc)
		return;
	EXPECT(what, memcmp(k.lo, lo, 16) || memcmp(k.hi, hi, 16), 0);
	EXPECT(what, k.match, c.matchType);
	EXPECT(what, k.value_type, c.conditionValue.type);
	memset(room, 0xa5, sizeof(room));
	memset(back, 0, sizeof(*back));
	wfp_cond_out(&a, &k, layer, back);
	EXPECT(what, IsEqualGUID(&back->fieldKey, &c.fieldKey), 1);
	EXPECT(what, back->matchType, c.matchType);
	EXPECT(what, back->conditionValue.type, c.conditionValue.type);
}

static void check_round_trips(void)
{
	static const UINT8 a1[16] = { 10, 0, 0, 1 };
	static const UINT8 n24lo[16] = { 10, 1, 2, 0 };
	static const UINT8 n24hi[16] = { 10, 1, 2, 255 };
	static const UINT8 p500[16] = { 0x01, 0xf4 }, p4500[16] = { 0x11, 0x94 };
	static const UINT8 udp[16] = { 17 };
	static const UINT8 v6lo[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0 };
	static const UINT8 v6hi[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x7f,
					0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff };
	FWP_V4_ADDR_AND_MASK m4 = { 0x0a0102ff, 0xffffff00 };
	FWP_V6_ADDR_AND_MASK m6 = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x42,
				      1, 2, 3 }, 57 };
	FWP_BYTE_ARRAY16 b6;
	FWPM_FILTER_CONDITION0 back;
	FWP_RANGE0 r;

	base(&FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 1);
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.conditionValue.type = FWP_UINT32;
	c.conditionValue.uint32 = 0x0a000001;	/* host order */
	round_trip("v4 address", WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,
		   a1, a1, &back);
	EXPECT("v4 address back", back.conditionValue.uint32, 0x0a000001);

	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m4;
	round_trip("v4 mask", WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,
		   n24lo, n24hi, &back);
	EXPECT("v4 mask addr ANDed", back.conditionValue.v4AddrMask->addr,
	       0x0a010200);
	EXPECT("v4 mask", back.conditionValue.v4AddrMask->mask, 0xffffff00);

	c.fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	c.matchType = FWP_MATCH_RANGE;
	c.conditionValue.type = FWP_RANGE_TYPE;
	c.conditionValue.rangeValue = &r;
	memset(&r, 0, sizeof(r));
	r.valueLow.type = FWP_UINT16;
	r.valueLow.uint16 = 500;
	r.valueHigh.type = FWP_UINT16;
	r.valueHigh.uint16 = 4500;
	round_trip("port range", WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4,
		   p500, p4500, &back);
	EXPECT("port range low", back.conditionValue.rangeValue->valueLow.uint16,
	       500);
	EXPECT("port range high",
	       back.conditionValue.rangeValue->valueHigh.uint16, 4500);
	EXPECT("port range type",
	       back.conditionValue.rangeValue->valueHigh.type, FWP_UINT16);

	c.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_UINT8;
	c.conditionValue.uint8 = 17;
	round_trip("protocol", WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V6, udp, udp,
		   &back);
	EXPECT("protocol back", back.conditionValue.uint8, 17);

	c.fieldKey = FWPM_CONDITION_IP_SOURCE_ADDRESS;
	c.conditionValue.type = FWP_V6_ADDR_MASK;
	c.conditionValue.v6AddrMask = &m6;
	round_trip("v6 prefix", WFP_IPSEC_LAYER_IPFORWARD_V6, v6lo, v6hi,
		   &back);
	EXPECT("v6 prefix length", back.conditionValue.v6AddrMask->prefixLength,
	       57);
	EXPECT("v6 prefix addr ANDed",
	       memcmp(back.conditionValue.v6AddrMask->addr, v6lo, 16), 0);
	m6.prefixLength = 0;
	round_trip("v6 prefix 0", WFP_IPSEC_LAYER_IPFORWARD_V6,
		   (const UINT8[16]){ 0 },
		   (const UINT8[16]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff }, &back);
	EXPECT("v6 prefix 0 back", back.conditionValue.v6AddrMask->prefixLength,
	       0);

	memcpy(b6.byteArray16, v6hi, 16);
	c.fieldKey = FWPM_CONDITION_IP_DESTINATION_ADDRESS;
	c.conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c.conditionValue.byteArray16 = &b6;
	round_trip("v6 address", WFP_IPSEC_LAYER_IPFORWARD_V6, v6hi, v6hi,
		   &back);
	EXPECT("v6 address back",
	       memcmp(back.conditionValue.byteArray16, v6hi, 16), 0);

	c.matchType = FWP_MATCH_RANGE;
	c.conditionValue.type = FWP_RANGE_TYPE;
	c.conditionValue.rangeValue = &r;
	r.valueLow.type = FWP_BYTE_ARRAY16_TYPE;
	r.valueLow.byteArray16 = (FWP_BYTE_ARRAY16 *)v6lo;
	r.valueHigh.type = FWP_BYTE_ARRAY16_TYPE;
	r.valueHigh.byteArray16 = &b6;
	round_trip("v6 range", WFP_IPSEC_LAYER_IPFORWARD_V6, v6lo, v6hi,
		   &back);
	EXPECT("v6 range back",
	       memcmp(back.conditionValue.rangeValue->valueLow.byteArray16,
		      v6lo, 16) ||
	       memcmp(back.conditionValue.rangeValue->valueHigh.byteArray16,
		      v6hi, 16), 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	check_filter();
	check_callouts();
	check_cond_refusals();
	check_round_trips();
	printf("filter_host: %d of %d checks passed\n", checks - failures,
	       checks);
	return failures ? 1 : 0;
}
