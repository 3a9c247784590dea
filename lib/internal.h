/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwfpipsec internals: engine handles and the errno -> Windows code map.
 */
#ifndef WFPIPSEC_INTERNAL_H
#define WFPIPSEC_INTERNAL_H

#include <pthread.h>

#include <fwpmu.h>
#include <linux/wfp_ipsec.h>

struct wfp_ctx_enum;
struct wfp_obj_enum;
struct wfp_sub;

/*
 * What an engine HANDLE points to.  The handle is only ever dereferenced
 * after wfp_engine_get() found it in the registry of live engines, so a
 * stale or made-up handle gets ERROR_INVALID_HANDLE, not a crash, and the
 * descriptor stays open until the last call using it returns.
 */
struct wfp_engine {
	int fd;
	UINT32 abi_version;	/* negotiated with the module */
	UINT64 features;	/* WFP_IPSEC_FEAT_* */
	UINT32 session_flags;	/* FWPM_SESSION_FLAG_* */
	unsigned int refs;	/* protected by the registry lock */
	struct wfp_engine *next;

	UINT8 session_key[16];	/* as the module has it */

	/* Enumeration handles and subscriptions of this engine; lock also
	 * serialises the use of enumeration handles.
	 */
	pthread_mutex_t lock;
	struct wfp_ctx_enum *ctx_enums;
	struct wfp_obj_enum *obj_enums;	/* objects.c */

	/* events.c: the callback thread, once there is a subscription. */
	struct wfp_sub *subs;
	pthread_cond_t ev_cond;		/* a callback returned */
	pthread_t ev_thread;
	int ev_started;
	int ev_stop;			/* eventfd that stops the thread */
	int ev_orphan;			/* released from its own thread */
};

/*
 * A subscription (events.c): to SA-context changes, or to net events
 * (net, netevent.c).  Its handle is its address.
 */
struct wfp_net_tmpl;
struct wfp_sub {
	struct wfp_sub *next;
	UINT64 id;
	IPSEC_SA_CONTEXT_CALLBACK0 callback;
	void *context;
	int has_template;
	struct wfp_ipsec_subnet local, remote;
	unsigned int running;		/* callbacks in progress */
	int gone;			/* unsubscribed from its callback */
	UINT64 dropped;
	int net;
	FWPM_NET_EVENT_CALLBACK0 net_callback;
	struct wfp_net_tmpl *tmpl;	/* NULL: every event */
};

DWORD wfp_events_link(HANDLE engineHandle, struct wfp_sub *sub,
		      unsigned long cmd, void *req, const __u64 *id,
		      HANDLE *eventsHandle);
DWORD wfp_events_unlink(HANDLE engineHandle, HANDLE eventsHandle, int net);
void wfp_sub_free(struct wfp_sub *sub);

/* Fills a slot of wfp_subs_get()'s block; what its pointer points to. */
typedef void *(*wfp_sub_fill_fn)(void *slot, const struct wfp_sub *sub,
				 const UINT8 *session_key);
DWORD wfp_subs_get(HANDLE engineHandle, int net, size_t slot_size,
		   wfp_sub_fill_fn fill, void ***entries, UINT32 *numEntries);

/* netevent.c: calls sub's callback with ev as an FWPM_NET_EVENT1. */
void wfp_netevent_call(const struct wfp_sub *sub,
		       const struct wfp_ipsec_net_event *ev);

void wfp_engine_register(struct wfp_engine *e);
struct wfp_engine *wfp_engine_get(HANDLE h);
void wfp_engine_put(struct wfp_engine *e);
int wfp_engine_unregister(HANDLE h);

/* Called when the last reference goes: frees what hangs off the engine. */
void wfp_engine_release(struct wfp_engine *e);
void wfp_engine_free(struct wfp_engine *e);

/* The one table turning a failed ioctl's errno into a Windows code. */
DWORD wfp_status_from_errno(int err);

/* ioctl() retried on EINTR; returns 0 or the errno. */
int wfp_ioctl(int fd, unsigned long cmd, void *arg);

/* traffic.c: Windows layouts <-> kernel form. */
void wfp_v6_mirror(UINT8 *dst, const UINT8 *src);
DWORD wfp_traffic_from_win(const IPSEC_TRAFFIC1 *w, struct wfp_ipsec_traffic *t);
DWORD wfp_traffic0_from_win(const IPSEC_TRAFFIC0 *w, struct wfp_ipsec_traffic *t);
void wfp_traffic_to_win(const struct wfp_ipsec_traffic *t, IPSEC_TRAFFIC1 *w);
void wfp_traffic0_to_win(const struct wfp_ipsec_traffic *t, IPSEC_TRAFFIC0 *w);
DWORD wfp_subnet_from_win(const FWP_CONDITION_VALUE0 *v,
			  struct wfp_ipsec_subnet *sn);

/* Everything the module reports of one context. */
struct wfp_ctx_full {
	struct wfp_ipsec_ctx_info info;
	struct wfp_ipsec_bundle sa[2];	/* by WFP_IPSEC_DIR_* */
	int has_sa[2];
};

/*
 * context.c: IPSEC_SA_CONTEXT0/1 results.  A layout says how big one
 * context with everything it points to is, and how to fill it.
 */
struct wfp_ctx_layout {
	size_t size;
	void (*fill)(void *p, const struct wfp_ctx_full *full);
};
extern const struct wfp_ctx_layout wfp_ctx_layout0, wfp_ctx_layout1;
void *wfp_ctx_alloc_array(const struct wfp_ctx_layout *l,
			  const struct wfp_ctx_full *fulls, UINT32 n);

/*
 * The codes each single call gives for an errno (and, for AddInbound/
 * AddOutbound, the module's WFP_IPSEC_ADD_ST_* status), and the kernel
 * form of IPSEC_SA_BUNDLE1: what WfpIpsecSaContextCreateBatch0 shares
 * with Create1, SetSpi0/GetSpi1 and AddInbound1/AddOutbound1.
 */
DWORD wfp_ctx_status(int err);
DWORD wfp_spi_status(int err);
DWORD wfp_add_status(int err, UINT32 status);
DWORD wfp_bundle1_in(const IPSEC_SA_BUNDLE1 *b, struct wfp_ipsec_bundle *k);

/* sa.c: the installed bundles of a context, and one SA in Windows form. */
int wfp_ctx_fetch_sas(int fd, struct wfp_ctx_full *full);
void wfp_sa_out(const struct wfp_ipsec_sa *k, IPSEC_SA0 *sa,
		IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info);

/* enum.c */
void wfp_ctx_enums_free(struct wfp_engine *e);

/* events.c: 0 when called on the event thread (it frees the engine). */
int wfp_events_stop(struct wfp_engine *e);

/*
 * context.c: one direction of a context as IPSEC_SA_DETAILS0/1, the way
 * GetById, the context enumeration and the SA enumeration report it.  The
 * SA (when installed) goes to *slot and, for the inbound direction, the
 * UDP encapsulation (when there is one) to *encap.
 */
struct wfp_sa_slot {
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
};
void wfp_details0_fill(IPSEC_SA_DETAILS0 *d, const struct wfp_ctx_full *full,
		       unsigned int dir, struct wfp_sa_slot *slot,
		       IPSEC_V4_UDP_ENCAPSULATION0 *encap);
void wfp_details1_fill(IPSEC_SA_DETAILS1 *d, const struct wfp_ctx_full *full,
		       unsigned int dir, struct wfp_sa_slot *slot,
		       IPSEC_V4_UDP_ENCAPSULATION0 *encap);

/* saenum.c: the SA enumeration handles of an engine, freed with it. */
void wfp_sa_enums_free(struct wfp_engine *e);

/*
 * objects.c: what the provider, sublayer, provider context and filter
 * calls share.  An object as
 * the module reports it: the request with its strings and blob, which
 * point into buf.
 */
struct wfp_obj_full {
	struct wfp_ipsec_obj o;
	char *buf;
	const char *name, *desc, *service;
	const void *data;
	/*
	 * WFP_IPSEC_OBJ_FILTER (filter.c): the filter and its conditions;
	 * o then only has the type, key, id and string and blob lengths.
	 */
	struct wfp_ipsec_filter flt;
	const struct wfp_ipsec_filter_cond *conds;
};

/* A block being laid out; base NULL: only measuring (off grows). */
struct wfp_arena {
	char *base;
	size_t off;
};
void *wfp_arena_take(struct wfp_arena *a, size_t size);
wchar_t *wfp_arena_wide(struct wfp_arena *a, const char *s, UINT32 len,
			int optional);
void wfp_arena_blob(struct wfp_arena *a, const struct wfp_obj_full *f,
		    FWP_BYTE_BLOB *b);

/* Lays one object out in Windows form in a; returns it (NULL measuring). */
typedef void *(*wfp_obj_fill_fn)(struct wfp_arena *a,
				 const struct wfp_obj_full *f);

void wfp_obj_key_in(const GUID *g, UINT8 *k);
void wfp_obj_key_out(const UINT8 *k, GUID *g);
DWORD wfp_utf8_from_wide(const wchar_t *s, char **out, UINT32 *len);
DWORD wfp_obj_status(UINT32 type, int err);
DWORD wfp_obj_req_strings(struct wfp_ipsec_obj *o, const wchar_t *name,
			  const wchar_t *desc, const wchar_t *service);
void wfp_obj_req_free(struct wfp_ipsec_obj *o);
DWORD wfp_obj_add(HANDLE engineHandle, struct wfp_ipsec_obj *o);
DWORD wfp_obj_delete(HANDLE engineHandle, UINT32 type, const GUID *key);
DWORD wfp_obj_delete_key_id(HANDLE engineHandle, UINT32 type, const GUID *key,
			    UINT64 id);
DWORD wfp_obj_get(HANDLE engineHandle, UINT32 type, const GUID *key,
		  void **out, wfp_obj_fill_fn fill);
DWORD wfp_obj_get_key_id(HANDLE engineHandle, UINT32 type, const GUID *key,
			 UINT64 id, void **out, wfp_obj_fill_fn fill);
DWORD wfp_obj_enum_create(HANDLE engineHandle, UINT32 type,
			  int (*match)(const struct wfp_obj_full *f,
				       const void *tmpl),
			  const void *tmpl, HANDLE *enumHandle);
DWORD wfp_obj_enum_next(HANDLE engineHandle, UINT32 type, HANDLE enumHandle,
			UINT32 numEntriesRequested, void **entries,
			UINT32 *numEntriesReturned, wfp_obj_fill_fn fill);
DWORD wfp_obj_enum_destroy(HANDLE engineHandle, UINT32 type,
			   HANDLE enumHandle);
void wfp_obj_enums_free(struct wfp_engine *e);

/* filter.c: FILTER_GET of key, or with key NULL of id, into f. */
int wfp_filter_fetch(int fd, const UINT8 *key, UINT64 id,
		     struct wfp_obj_full *f);

/* A GUID constant and the module's number for it (filter.c's tables). */
struct wfp_guid_id {
	const GUID *guid;
	UINT32 id;
	UINT32 layer;	/* callouts: the WFP_IPSEC_LAYER_* it belongs to */
};
UINT32 wfp_guid_to_id(const struct wfp_guid_id *t, size_t n, const GUID *g);
void wfp_id_to_guid(const struct wfp_guid_id *t, size_t n, UINT32 id,
		    GUID *g);

/* WFP_IPSEC_LAYER_* numbers V4 layers odd, V6 layers even. */
static inline int wfp_layer_v6(UINT32 layer)
{
	return !(layer & 1);
}

/* filter_cond.c: one condition, to the module and back (in a's block). */
DWORD wfp_cond_in(const FWPM_FILTER_CONDITION0 *c, UINT32 layer,
		  struct wfp_ipsec_filter_cond *k);
void wfp_cond_out(struct wfp_arena *a, const struct wfp_ipsec_filter_cond *k,
		  UINT32 layer, FWPM_FILTER_CONDITION0 *c);

#endif /* WFPIPSEC_INTERNAL_H */
