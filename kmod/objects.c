// SPDX-License-Identifier: GPL-2.0
/*
 * Providers, sublayers, provider contexts and filters (FwpmProvider*,
 * FwpmSubLayer*, FwpmProviderContext*, FwpmFilter*): objects keyed by GUID
 * that a namespace holds until they are deleted or it exits.  What is
 * particular to filters (their xfrm policies) is filter.c's.  A provider context
 * also has a runtime id (ids.c) and a policy: its head, which later
 * filters need, is parsed into fields; the library's serialisation of
 * the rest is kept verbatim in the SERVICE slot of buf.
 *
 * Each type is a list in key order, so an enumeration cursor is a key and
 * a page walk survives concurrent changes.  Every access, readers
 * included, holds the namespace's objects lock: the lists are short
 * (WFP_IPSEC_OBJ_MAX) and off the packet path, so no RCU is needed and an
 * object is freed as soon as it is unlinked.  A provider counts the
 * sublayers and provider contexts naming it; while any does it cannot be
 * deleted (WFP's rule: no deletion while referenced, never a cascade);
 * so for a sublayer or a provider context a filter names.
 *
 * An object a dynamic session adds is that session's: it goes when the
 * session closes, the process's death included (wfp_objects_session_
 * close()), and WFP's lifetime rules keep anything longer-lived from
 * naming it, so it can always go.
 */

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uuid.h>

#include "filter.h"
#include "ids.h"
#include "netns.h"
#include "objects.h"
#include "session.h"

static const u32 wfp_obj_max[] = {
	[WFP_OBJ_NAME] = WFP_IPSEC_OBJ_NAME_MAX,
	[WFP_OBJ_DESC] = WFP_IPSEC_OBJ_DESC_MAX,
	[WFP_OBJ_SERVICE] = WFP_IPSEC_OBJ_SERVICE_MAX,
	[WFP_OBJ_DATA] = WFP_IPSEC_OBJ_DATA_MAX,
};

/*
 * Windows' built-in sublayers (FWPM_SUBLAYER_*, fact sheet 3.3), as GUIDs
 * in Windows' memory layout.  Their weights are not documented: 0.
 */
static const struct {
	guid_t key;
	const char *name;
} wfp_builtin_sublayers[] = {
	{ GUID_INIT(0x83f299ed, 0x9ff4, 0x4967, 0xaf, 0xf4, 0xc3, 0x09,
		    0xf4, 0xda, 0xb8, 0x27), "IPsec Tunnel Sublayer" },
	{ GUID_INIT(0xa5082e73, 0x8f71, 0x4559, 0x8a, 0x9a, 0x10, 0x1c,
		    0xea, 0x04, 0xef, 0x87),
	  "IPsec Forward Outbound Tunnel Sublayer" },
	{ GUID_INIT(0xeebecc03, 0xced4, 0x4380, 0x81, 0x9a, 0x27, 0x34,
		    0x39, 0x7b, 0x2b, 0x74), "Universal Sublayer" },
	{ GUID_INIT(0xe076d572, 0x5d3d, 0x48ef, 0x80, 0x2b, 0x90, 0x9e,
		    0xdd, 0xb0, 0x98, 0xbd), "IPsec DoS Protection Sublayer" },
	{ GUID_INIT(0x37a57701, 0x5884, 0x4964, 0x92, 0xb8, 0x3e, 0x70,
		    0x46, 0x88, 0xb0, 0xad), "IPsec Security Realm Sublayer" },
};

struct list_head *wfp_obj_list(struct wfp_net *wn, u32 type)
{
	return &wn->objs.list[type - 1];
}

struct wfp_obj *wfp_obj_find(struct wfp_net *wn, u32 type, const u8 *key)
{
	struct wfp_obj *o;

	lockdep_assert_held(&wn->objs.lock);
	list_for_each_entry(o, wfp_obj_list(wn, type), node)
		if (!memcmp(o->key, key, WFP_IPSEC_OBJ_KEY_LEN))
			return o;
	return NULL;
}

static bool wfp_obj_has_id(u32 type)
{
	return type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT ||
	       type == WFP_IPSEC_OBJ_FILTER;
}

static bool wfp_obj_by_id(const struct wfp_ipsec_obj_key *k)
{
	return wfp_obj_has_id(k->type) &&
	       !memchr_inv(k->key, 0, sizeof(k->key));
}

/* The object k names: by key, or a provider context or filter by id. */
struct wfp_obj *wfp_obj_lookup(struct wfp_net *wn,
			       const struct wfp_ipsec_obj_key *k)
{
	struct wfp_obj *o;

	lockdep_assert_held(&wn->objs.lock);
	if (!wfp_obj_by_id(k))
		return wfp_obj_find(wn, k->type, k->key);
	list_for_each_entry(o, wfp_obj_list(wn, k->type), node)
		if (k->id && o->id == k->id)
			return o;
	return NULL;
}

/* Links o in key order; false when its key is taken. */
static bool wfp_obj_link(struct wfp_net *wn, u32 type, struct wfp_obj *o)
{
	struct list_head *pos = wfp_obj_list(wn, type);
	struct wfp_obj *it;
	int cmp;

	lockdep_assert_held(&wn->objs.lock);
	list_for_each_entry(it, wfp_obj_list(wn, type), node) {
		cmp = memcmp(it->key, o->key, WFP_IPSEC_OBJ_KEY_LEN);
		if (!cmp)
			return false;
		if (cmp > 0) {
			pos = &it->node;
			break;
		}
	}
	list_add_tail(&o->node, pos);
	wn->objs.nr[type - 1]++;
	return true;
}

void wfp_obj_unlink_free(struct wfp_net *wn, u32 type, struct wfp_obj *o)
{
	lockdep_assert_held(&wn->objs.lock);
	list_del(&o->node);
	wn->objs.nr[type - 1]--;
	kfree(o);
}

static int wfp_objects_add_builtins(struct wfp_net *wn)
{
	struct wfp_obj *o;
	unsigned int i;
	size_t len;

	for (i = 0; i < ARRAY_SIZE(wfp_builtin_sublayers); i++) {
		len = strlen(wfp_builtin_sublayers[i].name);
		o = kzalloc(struct_size(o, buf, len), GFP_KERNEL_ACCOUNT);
		if (!o)
			return -ENOMEM;
		memcpy(o->key, &wfp_builtin_sublayers[i].key, sizeof(o->key));
		memcpy(o->buf, wfp_builtin_sublayers[i].name, len);
		o->len[WFP_OBJ_NAME] = len;
		o->builtin = true;
		wfp_obj_link(wn, WFP_IPSEC_OBJ_SUBLAYER, o);
	}
	return 0;
}

int wfp_objects_net_init(struct wfp_net *wn)
{
	unsigned int t;
	int ret;

	mutex_init(&wn->objs.lock);
	init_waitqueue_head(&wn->objs.txn_wq);
	for (t = 0; t < ARRAY_SIZE(wn->objs.list); t++)
		INIT_LIST_HEAD(&wn->objs.list[t]);
	mutex_lock(&wn->objs.lock);
	ret = wfp_objects_add_builtins(wn);
	mutex_unlock(&wn->objs.lock);
	if (ret)
		wfp_objects_net_exit(wn);
	return ret;
}

/*
 * Providers last: the others are what holds them.  Filters went before
 * (wfp_filters_net_exit(): they hold xfrm policies).
 */
void wfp_objects_net_exit(struct wfp_net *wn)
{
	struct wfp_obj *o, *tmp;
	u32 type;

	/* No session is left to contend; the lock is for lockdep. */
	mutex_lock(&wn->objs.lock);
	WARN_ON_ONCE(!list_empty(wfp_obj_list(wn, WFP_IPSEC_OBJ_FILTER)));
	for (type = WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	     type >= WFP_IPSEC_OBJ_PROVIDER; type--)
		list_for_each_entry_safe(o, tmp, wfp_obj_list(wn, type), node)
			wfp_obj_unlink_free(wn, type, o);
	mutex_unlock(&wn->objs.lock);
	mutex_destroy(&wn->objs.lock);
}

/* Any type, for OBJ_DELETE and OBJ_ENUM. */
static bool wfp_obj_type_valid(u32 type)
{
	return type >= WFP_IPSEC_OBJ_PROVIDER && type <= WFP_IPSEC_OBJ_FILTER;
}

/* OBJ_ADD and OBJ_GET: filters have FILTER_ADD and FILTER_GET. */
static bool wfp_obj_type_plain(u32 type)
{
	return type >= WFP_IPSEC_OBJ_PROVIDER &&
	       type <= WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
}

static u32 wfp_obj_field_max(u32 type, int field)
{
	if (type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT && field == WFP_OBJ_SERVICE)
		return WFP_IPSEC_OBJ_POLICY_MAX;
	return wfp_obj_max[field];
}

static void wfp_obj_lens(const struct wfp_ipsec_obj *u, u32 *len)
{
	len[WFP_OBJ_NAME] = u->name_len;
	len[WFP_OBJ_DESC] = u->desc_len;
	len[WFP_OBJ_SERVICE] = u->service_len;
	len[WFP_OBJ_DATA] = u->data_len;
}

static void __user *wfp_obj_uptr(const struct wfp_ipsec_obj *u, int field)
{
	switch (field) {
	case WFP_OBJ_NAME:
		return u64_to_user_ptr(u->name);
	case WFP_OBJ_DESC:
		return u64_to_user_ptr(u->desc);
	case WFP_OBJ_SERVICE:
		return u64_to_user_ptr(u->service);
	default:
		return u64_to_user_ptr(u->data);
	}
}

static size_t wfp_obj_buf_len(const u32 *len)
{
	size_t total = 0;
	int i;

	for (i = 0; i < WFP_OBJ_FIELDS; i++)
		total += len[i];
	return total;
}

/* The fixed part of an ADD, before anything is copied or allocated. */
static int wfp_obj_add_validate(const struct wfp_ipsec_obj *u)
{
	bool sublayer = u->type == WFP_IPSEC_OBJ_SUBLAYER;
	bool pctx = u->type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	u32 flags = pctx ? __WFP_IPSEC_OBJ_F_PCTX_ALL : __WFP_IPSEC_OBJ_F_ALL;
	u32 len[WFP_OBJ_FIELDS];
	int i;

	if (!wfp_obj_type_plain(u->type) || u->reserved0 || u->id ||
	    memchr_inv(u->reserved, 0, sizeof(u->reserved)) ||
	    (u->flags & ~flags) || u->has_provider > 1)
		return -EINVAL;
	if (u->type == WFP_IPSEC_OBJ_PROVIDER && u->has_provider)
		return -EINVAL;
	if (!sublayer && u->weight)
		return -EINVAL;
	if (sublayer && u->service_len)
		return -EINVAL;
	if (pctx && u->policy_len < sizeof(struct wfp_ipsec_pctx_policy))
		return -EINVAL;
	if (!u->has_provider &&
	    memchr_inv(u->provider_key, 0, sizeof(u->provider_key)))
		return -EINVAL;
	wfp_obj_lens(u, len);
	if (!len[WFP_OBJ_NAME])
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(len); i++)
		if (len[i] > wfp_obj_field_max(u->type, i))
			return -E2BIG;
	return 0;
}

static bool wfp_pctx_addr_valid(u32 version, const u8 *addr)
{
	if (version == WFP_IPSEC_PCTX_IP_V4)
		return memchr_inv(addr, 0, 4) && !memchr_inv(addr + 4, 0, 12);
	return memchr_inv(addr, 0, 16);
}

/*
 * The policy's head: the types modelled, and for a tunnel the endpoints
 * later filters will build SAs between.
 */
static int wfp_pctx_policy_parse(struct wfp_obj *o)
{
	struct wfp_ipsec_pctx_policy *pol = &o->pol;
	const u8 *p = o->buf + o->len[WFP_OBJ_NAME] + o->len[WFP_OBJ_DESC];

	memcpy(pol, p, sizeof(*pol));
	if (pol->reserved || pol->ctx_type >= WFP_IPSEC_PCTX_TYPE_MAX)
		return -EINVAL;
	if (pol->ctx_type > WFP_IPSEC_PCTX_IKE_QM_TUNNEL)
		return -EOPNOTSUPP;
	if (pol->ctx_type != WFP_IPSEC_PCTX_IKE_QM_TUNNEL)
		return pol->ip_version || memchr_inv(pol->local, 0, 16) ||
		       memchr_inv(pol->remote, 0, 16) ? -EINVAL : 0;
	if (pol->ip_version != WFP_IPSEC_PCTX_IP_V4 &&
	    pol->ip_version != WFP_IPSEC_PCTX_IP_V6)
		return -EINVAL;
	if (!wfp_pctx_addr_valid(pol->ip_version, pol->local) ||
	    !wfp_pctx_addr_valid(pol->ip_version, pol->remote))
		return -EINVAL;
	return 0;
}

static bool wfp_obj_is_string(u32 type, int field)
{
	if (field == WFP_OBJ_SERVICE)
		return type != WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	return field != WFP_OBJ_DATA;
}

/*
 * A new object holding copies of the caller's fields: len[i] bytes from
 * uptr[i]; the fields whose bit is set in strings must hold no NUL.
 */
struct wfp_obj *wfp_obj_alloc(const u32 *len, void __user *const *uptr,
			      unsigned int strings)
{
	struct wfp_obj *o;
	u8 *p;
	int i;

	o = kzalloc(struct_size(o, buf, wfp_obj_buf_len(len)),
		    GFP_KERNEL_ACCOUNT);
	if (!o)
		return ERR_PTR(-ENOMEM);
	memcpy(o->len, len, sizeof(o->len));
	p = o->buf;
	for (i = 0; i < WFP_OBJ_FIELDS; i++) {
		if (copy_from_user(p, uptr[i], o->len[i])) {
			kfree(o);
			return ERR_PTR(-EFAULT);
		}
		/* A NUL would cut the string short on the way back. */
		if ((strings & BIT(i)) && memchr(p, 0, o->len[i])) {
			kfree(o);
			return ERR_PTR(-EINVAL);
		}
		p += o->len[i];
	}
	return o;
}

/* A new object holding copies of the caller's strings and blob. */
static struct wfp_obj *wfp_obj_from_user(const struct wfp_ipsec_obj *u)
{
	void __user *uptr[WFP_OBJ_FIELDS];
	u32 len[WFP_OBJ_FIELDS];
	unsigned int strings = 0;
	struct wfp_obj *o;
	int i;

	wfp_obj_lens(u, len);
	for (i = 0; i < WFP_OBJ_FIELDS; i++) {
		uptr[i] = wfp_obj_uptr(u, i);
		if (wfp_obj_is_string(u->type, i))
			strings |= BIT(i);
	}
	o = wfp_obj_alloc(len, uptr, strings);
	if (IS_ERR(o))
		return o;
	memcpy(o->key, u->key, sizeof(o->key));
	memcpy(o->provider_key, u->provider_key, sizeof(o->provider_key));
	o->has_provider = u->has_provider;
	o->weight = u->weight;
	o->flags = u->flags;
	return o;
}

/* The object an ADD asks for, its policy parsed and its id given. */
static struct wfp_obj *wfp_obj_new(struct wfp_net *wn,
				   const struct wfp_ipsec_obj *u)
{
	struct wfp_obj *o = wfp_obj_from_user(u);
	int ret;

	if (IS_ERR(o) || u->type != WFP_IPSEC_OBJ_PROVIDER_CONTEXT)
		return o;
	ret = wfp_pctx_policy_parse(o);
	if (!ret) {
		o->id = wfp_ids_pctx_next(wn);
		if (!o->id)
			ret = -ENOSPC;
	}
	if (ret) {
		kfree(o);
		return ERR_PTR(ret);
	}
	return o;
}

/* The session's objects are its own when it is dynamic, else static. */
u64 wfp_obj_owner_of(const struct wfp_session *s)
{
	return s->flags & WFP_IPSEC_SESSION_F_DYNAMIC ? s->id : 0;
}

/*
 * WFP's lifetime rule: an object names only what lives at least as long
 * - anything static, or a dynamic object of its own session.
 */
bool wfp_obj_may_name(const struct wfp_obj *o, const struct wfp_obj *ref)
{
	return !ref->owner || ref->owner == o->owner;
}

/*
 * A dynamic session deletes only its own objects: a static one is
 * -EPERM (FWP_E_DYNAMIC_SESSION_IN_PROGRESS), another session's -ESRCH
 * (FWP_E_WRONG_SESSION).  Other sessions delete any.
 */
int wfp_obj_may_delete(const struct wfp_session *s, const struct wfp_obj *o)
{
	u64 owner = wfp_obj_owner_of(s);

	if (!owner || o->owner == owner)
		return 0;
	return o->owner ? -ESRCH : -EPERM;
}

/* The provider a sublayer or context names must exist; it counts a user. */
static int wfp_obj_link_provider(struct wfp_net *wn, struct wfp_obj *o)
{
	struct wfp_obj *prov;

	if (!o->has_provider)
		return 0;
	prov = wfp_obj_find(wn, WFP_IPSEC_OBJ_PROVIDER, o->provider_key);
	if (!prov)
		return -ENXIO;
	if (!wfp_obj_may_name(o, prov))
		return -EXDEV;
	prov->users++;
	return 0;
}

void wfp_obj_unlink_provider(struct wfp_net *wn, struct wfp_obj *o)
{
	struct wfp_obj *prov;

	if (!o->has_provider)
		return;
	prov = wfp_obj_find(wn, WFP_IPSEC_OBJ_PROVIDER, o->provider_key);
	if (!WARN_ON_ONCE(!prov))
		prov->users--;
}

/* The limit last: a taken key or a missing provider say so at any count. */
int wfp_obj_insert(struct wfp_net *wn, u32 type, struct wfp_obj *o)
{
	int ret;

	if (wfp_obj_find(wn, type, o->key))
		return -EEXIST;
	ret = wfp_obj_link_provider(wn, o);
	if (ret)
		return ret;
	if (wn->objs.nr[type - 1] >= WFP_IPSEC_OBJ_MAX) {
		wfp_obj_unlink_provider(wn, o);
		return -ENOSPC;
	}
	wfp_obj_link(wn, type, o);
	return 0;
}

int wfp_objects_add(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_obj *u = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_obj *o;
	int ret;

	ret = wfp_obj_add_validate(u);
	if (ret)
		return ret;
	o = wfp_obj_new(wn, u);
	if (IS_ERR(o))
		return PTR_ERR(o);
	o->owner = wfp_obj_owner_of(s);
	/* A zero key asks for a generated one (BFE's rule). */
	if (!memchr_inv(o->key, 0, sizeof(o->key)))
		guid_gen((guid_t *)o->key);
	/* Before the unlock: from then on another session may free o. */
	memcpy(u->key, o->key, sizeof(u->key));
	u->id = o->id;

	mutex_lock(&wn->objs.lock);
	ret = wfp_obj_insert(wn, u->type, o);
	mutex_unlock(&wn->objs.lock);
	if (ret)
		kfree(o);
	return ret;
}

static int wfp_obj_remove(struct wfp_session *s,
			  const struct wfp_ipsec_obj_key *k)
{
	struct wfp_net *wn = s->wn;
	struct wfp_obj *o;
	int ret;

	o = wfp_obj_lookup(wn, k);
	if (!o)
		return -ENOENT;
	if (o->builtin)
		return -EROFS;
	ret = wfp_obj_may_delete(s, o);
	if (ret)
		return ret;
	if (o->users)
		return -EBUSY;
	wfp_obj_unlink_provider(wn, o);
	wfp_obj_unlink_free(wn, k->type, o);
	return 0;
}

/* An id names only a provider context, and only without a key. */
/* A zero key and id name nothing: ENOENT, as for any unknown name. */
bool wfp_obj_key_valid(const struct wfp_ipsec_obj_key *k)
{
	return wfp_obj_type_valid(k->type) && !k->reserved0 &&
	       (!k->id || wfp_obj_by_id(k));
}

int wfp_objects_delete(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_obj_key *k = arg;
	struct wfp_net *wn = s->wn;
	int ret;

	if (!wfp_obj_key_valid(k))
		return -EINVAL;
	if (k->type == WFP_IPSEC_OBJ_FILTER)
		return wfp_filter_delete(s, k);
	mutex_lock(&wn->objs.lock);
	ret = wfp_obj_remove(s, k);
	mutex_unlock(&wn->objs.lock);
	return ret;
}

/*
 * A copy of the object k names, taken under the lock so the copies to
 * userspace (which may fault and sleep) run without it.  A filter's part
 * is copied into *f (the copy's own pointer cleared: the filter may be
 * freed once the lock is dropped); f may be NULL for other types.
 */
struct wfp_obj *wfp_obj_snapshot(struct wfp_net *wn,
				 const struct wfp_ipsec_obj_key *k,
				 struct wfp_filter *f)
{
	struct wfp_obj *o, *copy = ERR_PTR(-ENOENT);
	size_t size;

	mutex_lock(&wn->objs.lock);
	o = wfp_obj_lookup(wn, k);
	if (o) {
		size = struct_size(o, buf, wfp_obj_buf_len(o->len));
		copy = kmemdup(o, size, GFP_KERNEL);
		if (!copy)
			copy = ERR_PTR(-ENOMEM);
		else if (o->filter && !WARN_ON_ONCE(!f))
			*f = *o->filter;
	}
	mutex_unlock(&wn->objs.lock);
	if (!IS_ERR(copy))
		copy->filter = NULL;
	return copy;
}

/*
 * The variable fields to the user pointers uptr[], each into a room of
 * room[] bytes: all, or none and -ERANGE when one does not fit.
 */
int wfp_obj_fields_to_user(const struct wfp_obj *o, const u32 *room,
			   void __user *const *uptr)
{
	int i;

	for (i = 0; i < WFP_OBJ_FIELDS; i++)
		if (o->len[i] > room[i])
			return -ERANGE;
	for (i = 0; i < WFP_OBJ_FIELDS; i++)
		if (copy_to_user(uptr[i], wfp_obj_field(o, i), o->len[i]))
			return -EFAULT;
	return 0;
}

static int wfp_obj_to_user(const struct wfp_obj *o, struct wfp_ipsec_obj *u)
{
	void __user *uptr[WFP_OBJ_FIELDS];
	u32 room[WFP_OBJ_FIELDS];
	int i, ret;

	wfp_obj_lens(u, room);
	for (i = 0; i < WFP_OBJ_FIELDS; i++)
		uptr[i] = wfp_obj_uptr(u, i);
	ret = wfp_obj_fields_to_user(o, room, uptr);
	if (ret)
		return ret;
	u->flags = o->flags;
	memcpy(u->key, o->key, sizeof(u->key));
	u->id = o->id;
	memcpy(u->provider_key, o->provider_key, sizeof(u->provider_key));
	u->has_provider = o->has_provider;
	u->weight = o->weight;
	u->name_len = o->len[WFP_OBJ_NAME];
	u->desc_len = o->len[WFP_OBJ_DESC];
	u->service_len = o->len[WFP_OBJ_SERVICE];
	u->data_len = o->len[WFP_OBJ_DATA];
	return 0;
}

int wfp_objects_get(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_obj *u = arg;
	struct wfp_ipsec_obj_key k = { .type = u->type, .id = u->id };
	struct wfp_obj *o;
	int ret;

	memcpy(k.key, u->key, sizeof(k.key));
	if (!wfp_obj_type_plain(u->type) || !wfp_obj_key_valid(&k) || u->flags || u->has_provider ||
	    u->weight || u->reserved0 ||
	    memchr_inv(u->provider_key, 0, sizeof(u->provider_key)) ||
	    memchr_inv(u->reserved, 0, sizeof(u->reserved)))
		return -EINVAL;
	o = wfp_obj_snapshot(s->wn, &k, NULL);
	if (IS_ERR(o))
		return PTR_ERR(o);
	ret = wfp_obj_to_user(o, u);
	kfree(o);
	return ret;
}

/* Keys after cursor, at most max, into keys; returns how many. */
static unsigned int wfp_obj_collect(struct wfp_net *wn, u32 type,
				    const u8 *cursor, u8 (*keys)[16],
				    unsigned int max)
{
	unsigned int n = 0;
	struct wfp_obj *o;

	mutex_lock(&wn->objs.lock);
	list_for_each_entry(o, wfp_obj_list(wn, type), node) {
		if (n == max)
			break;
		if (memcmp(o->key, cursor, WFP_IPSEC_OBJ_KEY_LEN) > 0)
			memcpy(keys[n++], o->key, WFP_IPSEC_OBJ_KEY_LEN);
	}
	mutex_unlock(&wn->objs.lock);
	return n;
}

/* Keys gathered in a kernel buffer a batch at a time, copied unlocked. */
#define WFP_OBJ_ENUM_BATCH	16

int wfp_objects_enum(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_obj_enum *e = arg;
	u8 __user *out = u64_to_user_ptr(e->keys);
	u8 batch[WFP_OBJ_ENUM_BATCH][WFP_IPSEC_OBJ_KEY_LEN];
	unsigned int count = 0, want, n;

	if (!wfp_obj_type_valid(e->type) || e->count || e->reserved0 ||
	    memchr_inv(e->reserved, 0, sizeof(e->reserved)) ||
	    e->max_entries > WFP_IPSEC_OBJ_MAX)
		return -EINVAL;
	while (count < e->max_entries) {
		want = min_t(unsigned int, WFP_OBJ_ENUM_BATCH,
			     e->max_entries - count);
		n = wfp_obj_collect(s->wn, e->type, e->cursor, batch, want);
		if (copy_to_user(out + count * WFP_IPSEC_OBJ_KEY_LEN, batch,
				 n * WFP_IPSEC_OBJ_KEY_LEN))
			return -EFAULT;
		count += n;
		if (n)
			memcpy(e->cursor, batch[n - 1], sizeof(e->cursor));
		if (n < want)
			break;
	}
	e->count = count;
	return 0;
}

/*
 * A dynamic session's objects go with it, all under one hold of the
 * locks: filters first (their xfrm policies with them), then what they
 * named.  Nothing else names them (wfp_obj_may_name()).
 */
void wfp_objects_session_close(struct wfp_session *s)
{
	struct mutex *cfg = &s->net->xfrm.xfrm_cfg_mutex;
	struct wfp_net *wn = s->wn;
	struct wfp_obj *o, *tmp;
	u32 type;

	if (!(s->flags & WFP_IPSEC_SESSION_F_DYNAMIC))
		return;
	mutex_lock(cfg);
	mutex_lock(&wn->objs.lock);
	/* Its filters' groups hold no SA context: nothing is lost. */
	wfp_filters_remove_owned(wn, s->id);
	for (type = WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	     type >= WFP_IPSEC_OBJ_PROVIDER; type--) {
		list_for_each_entry_safe(o, tmp, wfp_obj_list(wn, type), node) {
			if (o->owner != s->id || WARN_ON_ONCE(o->users))
				continue;
			wfp_obj_unlink_provider(wn, o);
			wfp_obj_unlink_free(wn, type, o);
		}
	}
	mutex_unlock(&wn->objs.lock);
	mutex_unlock(cfg);
}
