// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmNetEventSubscribe0, Unsubscribe0, SubscriptionsGet0.
 *
 * The module queues net events on the engine's descriptor in the stream
 * of SA-context events; the same thread (events.c) calls the callbacks,
 * each with an FWPM_NET_EVENT1 that lives for the call.  The template's
 * conditions are checked here, as the module queues every event of the
 * namespace: IP_PROTOCOL, IP_LOCAL_ADDRESS, IP_REMOTE_ADDRESS,
 * IP_LOCAL_PORT and IP_REMOTE_PORT with FWP_MATCH_EQUAL, conditions on
 * one field ORed, fields ANDed.  startTime and endTime select stored
 * events, which a subscription does not deliver: they are kept, and
 * returned, but do not filter.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "wfpipsec.h"

/* Conditions a template holds at most. */
#define NET_TMPL_CONDS_MAX	16

/* What FILETIME counts from (1601) to the Unix epoch, in 100 ns. */
#define FILETIME_UNIX_EPOCH	116444736000000000ULL

/* MS_FWP_DIRECTION_OUT, classifyDrop->msFwpDirection */
#define MS_FWP_DIRECTION_OUT	0x3901

enum net_field {
	NF_PROTOCOL,
	NF_LOCAL_ADDR,
	NF_REMOTE_ADDR,
	NF_LOCAL_PORT,
	NF_REMOTE_PORT,
};

union net_val {
	FWP_V4_ADDR_AND_MASK v4;
	FWP_V6_ADDR_AND_MASK v6;
	FWP_BYTE_ARRAY16 b16;
};

/* A template, with its conditions' values copied in. */
struct wfp_net_tmpl {
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;
	enum net_field field[NET_TMPL_CONDS_MAX];
	FWPM_FILTER_CONDITION0 conds[NET_TMPL_CONDS_MAX];
	union net_val vals[NET_TMPL_CONDS_MAX];
};

static const struct {
	const GUID *key;
	enum net_field field;
} net_fields[] = {
	{ &FWPM_CONDITION_IP_PROTOCOL, NF_PROTOCOL },
	{ &FWPM_CONDITION_IP_LOCAL_ADDRESS, NF_LOCAL_ADDR },
	{ &FWPM_CONDITION_IP_REMOTE_ADDRESS, NF_REMOTE_ADDR },
	{ &FWPM_CONDITION_IP_LOCAL_PORT, NF_LOCAL_PORT },
	{ &FWPM_CONDITION_IP_REMOTE_PORT, NF_REMOTE_PORT },
};

static int field_of(const GUID *key)
{
	size_t i;

	for (i = 0; i < sizeof(net_fields) / sizeof(net_fields[0]); i++)
		if (!memcmp(key, net_fields[i].key, sizeof(*key)))
			return net_fields[i].field;
	return -1;
}

/* The value types each field takes. */
static int type_ok(enum net_field f, FWP_DATA_TYPE type)
{
	switch (f) {
	case NF_PROTOCOL:
		return type == FWP_UINT8;
	case NF_LOCAL_PORT:
	case NF_REMOTE_PORT:
		return type == FWP_UINT16;
	default:
		return type == FWP_UINT32 || type == FWP_V4_ADDR_MASK ||
		       type == FWP_BYTE_ARRAY16_TYPE ||
		       type == FWP_V6_ADDR_MASK;
	}
}

/* Condition i's value pointer, into t's own copy of the value. */
static void cond_point(struct wfp_net_tmpl *t, UINT32 i)
{
	FWP_CONDITION_VALUE0 *v = &t->conds[i].conditionValue;

	if (v->type == FWP_V4_ADDR_MASK)
		v->v4AddrMask = &t->vals[i].v4;
	else if (v->type == FWP_V6_ADDR_MASK)
		v->v6AddrMask = &t->vals[i].v6;
	else if (v->type == FWP_BYTE_ARRAY16_TYPE)
		v->byteArray16 = &t->vals[i].b16;
}

/* Copies condition c into slot i of t, its pointed-to value with it. */
static DWORD cond_copy(struct wfp_net_tmpl *t, UINT32 i,
		       const FWPM_FILTER_CONDITION0 *c)
{
	const FWP_CONDITION_VALUE0 *v = &c->conditionValue;
	FWPM_FILTER_CONDITION0 *d = &t->conds[i];
	int f = field_of(&c->fieldKey);

	if (f < 0)
		return FWP_E_CONDITION_NOT_FOUND;
	if (c->matchType != FWP_MATCH_EQUAL)
		return c->matchType < FWP_MATCH_TYPE_MAX ?
		       FWP_E_MATCH_TYPE_MISMATCH : FWP_E_INVALID_ENUMERATOR;
	if (!type_ok(f, v->type))
		return FWP_E_TYPE_MISMATCH;
	*d = *c;
	t->field[i] = f;
	switch (v->type) {
	case FWP_V4_ADDR_MASK:
		if (!v->v4AddrMask)
			return FWP_E_NULL_POINTER;
		t->vals[i].v4 = *v->v4AddrMask;
		break;
	case FWP_V6_ADDR_MASK:
		if (!v->v6AddrMask)
			return FWP_E_NULL_POINTER;
		if (v->v6AddrMask->prefixLength > 128)
			return FWP_E_INVALID_NET_MASK;
		t->vals[i].v6 = *v->v6AddrMask;
		break;
	case FWP_BYTE_ARRAY16_TYPE:
		if (!v->byteArray16)
			return FWP_E_NULL_POINTER;
		t->vals[i].b16 = *v->byteArray16;
		break;
	default:
		break;
	}
	cond_point(t, i);
	return ERROR_SUCCESS;
}

static DWORD tmpl_from_win(const FWPM_NET_EVENT_ENUM_TEMPLATE0 *w,
			   struct wfp_net_tmpl **out)
{
	struct wfp_net_tmpl *t;
	DWORD rc = ERROR_SUCCESS;
	UINT32 i;

	*out = NULL;
	if (!w)
		return ERROR_SUCCESS;
	if (w->numFilterConditions > NET_TMPL_CONDS_MAX)
		return FWP_E_OUT_OF_BOUNDS;
	if (w->numFilterConditions && !w->filterCondition)
		return FWP_E_NULL_POINTER;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ERROR_NOT_ENOUGH_MEMORY;
	t->t = *w;
	t->t.filterCondition = w->numFilterConditions ? t->conds : NULL;
	for (i = 0; i < w->numFilterConditions && !rc; i++)
		rc = cond_copy(t, i, &w->filterCondition[i]);
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	return ERROR_SUCCESS;
}

/* Whether the first bits of a and b agree. */
static int prefix_eq(const UINT8 *a, const UINT8 *b, unsigned int bits)
{
	unsigned int n = bits / 8, r = bits % 8;

	if (memcmp(a, b, n))
		return 0;
	return !r || !((a[n] ^ b[n]) & (0xff << (8 - r)));
}

static int addr_match(const FWP_CONDITION_VALUE0 *v, const FWPM_NET_EVENT1 *ev,
		      int local)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;
	UINT32 a4 = local ? h->localAddrV4 : h->remoteAddrV4;
	const UINT8 *a6 = local ? h->localAddrV6.byteArray16 :
				  h->remoteAddrV6.byteArray16;
	int v4 = h->ipVersion == FWP_IP_VERSION_V4;

	switch (v->type) {
	case FWP_UINT32:
		return v4 && a4 == v->uint32;
	case FWP_V4_ADDR_MASK:
		return v4 && !((a4 ^ v->v4AddrMask->addr) &
			       v->v4AddrMask->mask);
	case FWP_BYTE_ARRAY16_TYPE:
		return !v4 && !memcmp(a6, v->byteArray16->byteArray16, 16);
	default:
		return !v4 && prefix_eq(a6, v->v6AddrMask->addr,
					v->v6AddrMask->prefixLength);
	}
}

static int cond_match(enum net_field f, const FWP_CONDITION_VALUE0 *v,
		      const FWPM_NET_EVENT1 *ev)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;

	switch (f) {
	case NF_PROTOCOL:
		return (h->flags & FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET) &&
		       h->ipProtocol == v->uint8;
	case NF_LOCAL_PORT:
		return (h->flags & FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET) &&
		       h->localPort == v->uint16;
	case NF_REMOTE_PORT:
		return (h->flags & FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET) &&
		       h->remotePort == v->uint16;
	case NF_LOCAL_ADDR:
		return (h->flags & FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET) &&
		       addr_match(v, ev, 1);
	default:
		return (h->flags & FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET) &&
		       addr_match(v, ev, 0);
	}
}

/* Every field with a condition has one that matches. */
static int tmpl_match(const struct wfp_net_tmpl *t, const FWPM_NET_EVENT1 *ev)
{
	unsigned int seen = 0, hit = 0;
	UINT32 i;

	if (!t)
		return 1;
	for (i = 0; i < t->t.numFilterConditions; i++) {
		seen |= 1U << t->field[i];
		if (cond_match(t->field[i], &t->conds[i].conditionValue, ev))
			hit |= 1U << t->field[i];
	}
	return seen == hit;
}

static void header_from(FWPM_NET_EVENT_HEADER1 *h,
			const struct wfp_ipsec_net_event *ev)
{
	UINT64 ft = ev->timestamp / 100 + FILETIME_UNIX_EPOCH;
	UINT32 a;

	h->timeStamp.dwLowDateTime = (DWORD)ft;
	h->timeStamp.dwHighDateTime = (DWORD)(ft >> 32);
	h->flags = ev->flags;
	h->ipProtocol = ev->protocol;
	h->localPort = ev->local_port;
	h->remotePort = ev->remote_port;
	if (ev->ip_version == WFP_IPSEC_IPV4) {
		h->ipVersion = FWP_IP_VERSION_V4;
		/* Host order, as Windows gives IPv4 addresses. */
		memcpy(&a, ev->local_addr, 4);
		h->localAddrV4 = ntohl(a);
		memcpy(&a, ev->remote_addr, 4);
		h->remoteAddrV4 = ntohl(a);
	} else {
		h->ipVersion = FWP_IP_VERSION_V6;
		memcpy(h->localAddrV6.byteArray16, ev->local_addr, 16);
		memcpy(h->remoteAddrV6.byteArray16, ev->remote_addr, 16);
	}
}

void wfp_netevent_call(const struct wfp_sub *sub,
		       const struct wfp_ipsec_net_event *ev)
{
	FWPM_NET_EVENT_CLASSIFY_DROP1 cd;
	FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 kd;
	FWPM_NET_EVENT1 w;

	memset(&w, 0, sizeof(w));
	header_from(&w.header, ev);
	switch (ev->type) {
	case WFP_IPSEC_EVENT_NET_CLASSIFY_DROP:
		memset(&cd, 0, sizeof(cd));
		cd.filterId = ev->filter_id;
		cd.layerId = ev->layer_id;
		cd.msFwpDirection = MS_FWP_DIRECTION_OUT;
		w.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP;
		w.classifyDrop = &cd;
		break;
	case WFP_IPSEC_EVENT_NET_IPSEC_KERNEL_DROP:
		memset(&kd, 0, sizeof(kd));
		kd.failureStatus = ev->status;
		kd.direction = ev->direction == WFP_IPSEC_DIR_INBOUND ?
			       FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND;
		kd.spi = ev->spi;
		kd.filterId = ev->filter_id;
		kd.layerId = ev->layer_id;
		w.type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
		w.ipsecDrop = &kd;
		break;
	default:
		return;		/* a kind this library does not know */
	}
	if (tmpl_match(sub->tmpl, &w))
		sub->net_callback(sub->context, &w);
}

DWORD WINAPI FwpmNetEventSubscribe0(HANDLE engineHandle,
		const FWPM_NET_EVENT_SUBSCRIPTION0 *subscription,
		FWPM_NET_EVENT_CALLBACK0 callback, void *context,
		HANDLE *eventsHandle)
{
	struct wfp_ipsec_net_subscribe r;
	struct wfp_sub *sub;
	DWORD rc;

	if (!subscription || !callback || !eventsHandle)
		return FWP_E_NULL_POINTER;
	sub = calloc(1, sizeof(*sub));
	if (!sub)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* flags: "unused", so not checked. */
	rc = tmpl_from_win(subscription->enumTemplate, &sub->tmpl);
	if (rc) {
		free(sub);
		return rc;
	}
	sub->net = 1;
	sub->net_callback = callback;
	sub->context = context;
	memset(&r, 0, sizeof(r));
	return wfp_events_link(engineHandle, sub,
			       WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE, &r, &r.id,
			       eventsHandle);
}

DWORD WINAPI FwpmNetEventUnsubscribe0(HANDLE engineHandle,
				      HANDLE eventsHandle)
{
	return wfp_events_unlink(engineHandle, eventsHandle, 1);
}

/* One subscription as SubscriptionsGet0 returns it, all in one block. */
struct net_slot {
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	struct wfp_net_tmpl tmpl;
};

static void *slot_fill(void *slot, const struct wfp_sub *sub,
		       const UINT8 *session_key)
{
	struct net_slot *s = slot;
	UINT32 i;

	memcpy(&s->sub.sessionKey, session_key, 16);
	if (!sub->tmpl)
		return &s->sub;
	s->tmpl = *sub->tmpl;
	s->sub.enumTemplate = &s->tmpl.t;
	if (s->tmpl.t.numFilterConditions)
		s->tmpl.t.filterCondition = s->tmpl.conds;
	/* The values' pointers into this copy, not the subscription's. */
	for (i = 0; i < s->tmpl.t.numFilterConditions; i++)
		cond_point(&s->tmpl, i);
	return &s->sub;
}

DWORD WINAPI FwpmNetEventSubscriptionsGet0(HANDLE engineHandle,
		FWPM_NET_EVENT_SUBSCRIPTION0 ***entries, UINT32 *numEntries)
{
	return wfp_subs_get(engineHandle, 1, sizeof(struct net_slot),
			    slot_fill, (void ***)entries, numEntries);
}
