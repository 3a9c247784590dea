/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Management objects of a namespace: providers, sublayers, provider
 * contexts and filters.
 */
#ifndef _WFP_OBJECTS_H
#define _WFP_OBJECTS_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>

#include <linux/wfp_ipsec.h>

struct wfp_filter;
struct wfp_net;
struct wfp_session;

/*
 * One list per WFP_IPSEC_OBJ_* type, in key order.  Lock order:
 * xfrm_cfg_mutex, objs.lock, ctx_lock (filters install policies and
 * join SA groups under it).
 */
struct wfp_objects {
	struct mutex lock;	/* the lists, counts and objects: all uses */
	struct list_head list[WFP_IPSEC_OBJ_FILTER];
	unsigned int nr[WFP_IPSEC_OBJ_FILTER];
	/* The transaction lock (txn.c): its owner's session id, or 0. */
	u64 txn_owner;
	wait_queue_head_t txn_wq;
};

/* The variable fields, in their order in wfp_obj.buf. */
enum {
	WFP_OBJ_NAME,
	WFP_OBJ_DESC,
	WFP_OBJ_SERVICE,	/* provider context: policy; filter: conds */
	WFP_OBJ_DATA,
	WFP_OBJ_FIELDS
};

struct wfp_obj {
	struct list_head node;
	u8 key[WFP_IPSEC_OBJ_KEY_LEN];
	u8 provider_key[WFP_IPSEC_OBJ_KEY_LEN];
	bool has_provider;
	bool builtin;		/* exists in every namespace, undeletable */
	u16 weight;
	u32 flags;
	unsigned int users;	/* objects naming it: no delete while any */
	u64 owner;		/* the dynamic session that added it, or 0 */
	u64 id;			/* provider context, filter: runtime id */
	struct wfp_ipsec_pctx_policy pol;	/* provider context: head */
	struct wfp_filter *filter;		/* filter: filter.c's part */
	/* The strings and blobs, back to back in buf. */
	u32 len[WFP_OBJ_FIELDS];
	u8 buf[];
};

static inline const u8 *wfp_obj_field(const struct wfp_obj *o, int field)
{
	const u8 *p = o->buf;
	int i;

	for (i = 0; i < field; i++)
		p += o->len[i];
	return p;
}

int wfp_objects_net_init(struct wfp_net *wn);
void wfp_objects_net_exit(struct wfp_net *wn);

int wfp_objects_add(struct wfp_session *s, void *arg);
int wfp_objects_delete(struct wfp_session *s, void *arg);
int wfp_objects_get(struct wfp_session *s, void *arg);
int wfp_objects_enum(struct wfp_session *s, void *arg);
void wfp_objects_session_close(struct wfp_session *s);

/* For filter.c, under wn->objs.lock. */
struct wfp_obj *wfp_obj_alloc(const u32 *len, void __user *const *uptr,
			      unsigned int strings);
struct list_head *wfp_obj_list(struct wfp_net *wn, u32 type);
struct wfp_obj *wfp_obj_find(struct wfp_net *wn, u32 type, const u8 *key);
struct wfp_obj *wfp_obj_lookup(struct wfp_net *wn,
			       const struct wfp_ipsec_obj_key *k);
bool wfp_obj_key_valid(const struct wfp_ipsec_obj_key *k);
int wfp_obj_insert(struct wfp_net *wn, u32 type, struct wfp_obj *o);
struct wfp_obj *wfp_obj_snapshot(struct wfp_net *wn,
				 const struct wfp_ipsec_obj_key *k,
				 struct wfp_filter *f);
int wfp_obj_fields_to_user(const struct wfp_obj *o, const u32 *room,
			   void __user *const *uptr);
bool wfp_obj_may_name(const struct wfp_obj *o, const struct wfp_obj *ref);
int wfp_obj_may_delete(const struct wfp_session *s, const struct wfp_obj *o);
u64 wfp_obj_owner_of(const struct wfp_session *s);
void wfp_obj_unlink_provider(struct wfp_net *wn, struct wfp_obj *o);
void wfp_obj_unlink_free(struct wfp_net *wn, u32 type, struct wfp_obj *o);

#endif /* _WFP_OBJECTS_H */
