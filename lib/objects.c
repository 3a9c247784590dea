// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the provider, sublayer, provider context and filter calls share:
 * GUIDs and strings in the module's form, the OBJ_* ioctls, their codes,
 * the single-block results FwpmFreeMemory0 frees, and the enumeration
 * handles.
 *
 * The module keeps strings as UTF-8 bytes; wchar_t here is UTF-32.  A
 * NULL or empty description, service name or blob travels as length 0
 * and comes back as NULL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

/* The GUID's bytes as Windows lays them out in memory (little-endian). */
void wfp_obj_key_in(const GUID *g, UINT8 *k)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		k[i] = (UINT8)(g->Data1 >> (8 * i));
	k[4] = (UINT8)g->Data2;
	k[5] = (UINT8)(g->Data2 >> 8);
	k[6] = (UINT8)g->Data3;
	k[7] = (UINT8)(g->Data3 >> 8);
	memcpy(k + 8, g->Data4, 8);
}

void wfp_obj_key_out(const UINT8 *k, GUID *g)
{
	g->Data1 = (UINT32)k[0] | (UINT32)k[1] << 8 | (UINT32)k[2] << 16 |
		   (UINT32)k[3] << 24;
	g->Data2 = (UINT16)(k[4] | k[5] << 8);
	g->Data3 = (UINT16)(k[6] | k[7] << 8);
	memcpy(g->Data4, k + 8, 8);
}

/* Appends c as UTF-8 at out (room for 4 bytes); returns bytes, 0: bad. */
static size_t utf8_put(char *out, wchar_t wc)
{
	UINT32 c = (UINT32)wc;

	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if ((c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		return 0;
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * s as malloc'd UTF-8 (NULL s: length 0, no buffer).  A code point
 * Unicode does not allow is FWP_E_INVALID_PARAMETER.
 */
DWORD wfp_utf8_from_wide(const wchar_t *s, char **out, UINT32 *len)
{
	size_t n, i, at = 0, k;
	char *buf;

	*out = NULL;
	*len = 0;
	if (!s)
		return ERROR_SUCCESS;
	n = wcslen(s);
	/* Past any limit the module has; it answers E2BIG for those. */
	if (n > 0x100000)
		return FWP_E_OUT_OF_BOUNDS;
	buf = malloc(4 * n + 1);
	if (!buf)
		return ERROR_NOT_ENOUGH_MEMORY;
	for (i = 0; i < n; i++) {
		k = utf8_put(buf + at, s[i]);
		if (!k) {
			free(buf);
			return FWP_E_INVALID_PARAMETER;
		}
		at += k;
	}
	*out = buf;
	*len = (UINT32)at;
	return ERROR_SUCCESS;
}

/* One code point from s[0..len); malformed bytes give U+FFFD, 1 byte. */
static size_t utf8_get(const unsigned char *s, size_t len, wchar_t *wc)
{
	size_t need, i;
	UINT32 c;

	if (s[0] < 0x80) {
		*wc = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] < 0xe0) {
		need = 1;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] < 0xf0) {
		need = 2;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] < 0xf5) {
		need = 3;
		c = s[0] & 0x07;
	} else {
		goto bad;
	}
	if (need >= len)
		goto bad;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are malformed. */
	if ((need == 2 && c < 0x800) || (need == 3 && c < 0x10000) ||
	    (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		goto bad;
	*wc = (wchar_t)c;
	return need + 1;
bad:
	*wc = 0xfffd;
	return 1;
}

/* Code points of s[0..len), which is what a wide copy needs (+1 NUL). */
static size_t wide_len(const char *s, size_t len)
{
	size_t n = 0, at = 0;
	wchar_t wc;

	while (at < len) {
		at += utf8_get((const unsigned char *)s + at, len - at, &wc);
		n++;
	}
	return n;
}

static void wide_fill(const char *s, size_t len, wchar_t *out)
{
	size_t at = 0;

	while (at < len)
		at += utf8_get((const unsigned char *)s + at, len - at, out++);
	*out = 0;
}

/* Room in the arena, aligned for anything; base NULL only measures. */
void *wfp_arena_take(struct wfp_arena *a, size_t size)
{
	void *p = a->base ? a->base + a->off : NULL;

	a->off += (size + 7) & ~(size_t)7;
	return p;
}

/* A wide copy of s in the arena; NULL for an empty optional string. */
wchar_t *wfp_arena_wide(struct wfp_arena *a, const char *s, UINT32 len,
			int optional)
{
	wchar_t *w;

	if (!len && optional)
		return NULL;
	w = wfp_arena_take(a, (wide_len(s, len) + 1) * sizeof(wchar_t));
	if (w)
		wide_fill(s, len, w);
	return w;
}

void wfp_arena_blob(struct wfp_arena *a, const struct wfp_obj_full *f,
		    FWP_BYTE_BLOB *b)
{
	UINT8 *p = NULL;

	if (f->o.data_len)
		p = wfp_arena_take(a, f->o.data_len);
	if (p)
		memcpy(p, f->data, f->o.data_len);
	if (b) {
		b->size = f->o.data_len;
		b->data = p;
	}
}

DWORD wfp_obj_status(UINT32 type, int err)
{
	int prov = type == WFP_IPSEC_OBJ_PROVIDER;

	switch (err) {
	case ENOENT:
		if (type == WFP_IPSEC_OBJ_FILTER)
			return FWP_E_FILTER_NOT_FOUND;
		if (type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT)
			return FWP_E_PROVIDER_CONTEXT_NOT_FOUND;
		return prov ? FWP_E_PROVIDER_NOT_FOUND :
			      FWP_E_SUBLAYER_NOT_FOUND;
	/* FILTER_ADD: the object it names that does not exist. */
	case ENODEV:
		return FWP_E_SUBLAYER_NOT_FOUND;
	case ENOKEY:
		return FWP_E_PROVIDER_CONTEXT_NOT_FOUND;
	/* FILTER_ADD: a selector another xfrm policy has (filters.rst). */
	case EADDRINUSE:
		return FWP_E_ALREADY_EXISTS;
	case EPROTOTYPE:
		return FWP_E_PROVIDER_CONTEXT_MISMATCH;
	case EDESTADDRREQ:
		/* A tunnel callout without its provider context. */
		return FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT;
	case EOPNOTSUPP:
		/* A provider context type the module does not model. */
		return ERROR_NOT_SUPPORTED;
	case ENXIO:
		/* ADD: the object's provider does not exist. */
		return FWP_E_PROVIDER_NOT_FOUND;
	case EPERM:
		/* A dynamic session deleting a static object. */
		return FWP_E_DYNAMIC_SESSION_IN_PROGRESS;
	case ESRCH:
		/* ... or another dynamic session's. */
		return FWP_E_WRONG_SESSION;
	case EROFS:
		return FWP_E_BUILTIN_OBJECT;
	case ENOSPC:
		return type == WFP_IPSEC_OBJ_SUBLAYER ? FWP_E_TOO_MANY_SUBLAYERS :
							ERROR_NOT_ENOUGH_QUOTA;
	case E2BIG:
		return FWP_E_OUT_OF_BOUNDS;
	default:
		return wfp_status_from_errno(err);
	}
}

/* Strings of an ADD request, freed with wfp_obj_req_free(). */
DWORD wfp_obj_req_strings(struct wfp_ipsec_obj *o, const wchar_t *name,
			  const wchar_t *desc, const wchar_t *service)
{
	char *s;
	DWORD rc;

	if (!name || !*name)
		return FWP_E_NULL_DISPLAY_NAME;
	rc = wfp_utf8_from_wide(name, &s, &o->name_len);
	o->name = (UINT64)(uintptr_t)s;
	if (!rc) {
		rc = wfp_utf8_from_wide(desc, &s, &o->desc_len);
		o->desc = (UINT64)(uintptr_t)s;
	}
	if (!rc) {
		rc = wfp_utf8_from_wide(service, &s, &o->service_len);
		o->service = (UINT64)(uintptr_t)s;
	}
	return rc;
}

void wfp_obj_req_free(struct wfp_ipsec_obj *o)
{
	free((void *)(uintptr_t)o->name);
	free((void *)(uintptr_t)o->desc);
	free((void *)(uintptr_t)o->service);
}

DWORD wfp_obj_add(HANDLE engineHandle, struct wfp_ipsec_obj *o)
{
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_OBJ_ADD, o);
	wfp_engine_put(e);
	return err ? wfp_obj_status(o->type, err) : ERROR_SUCCESS;
}

/* DELETE of key, or with key NULL of the provider context or filter id. */
DWORD wfp_obj_delete_key_id(HANDLE engineHandle, UINT32 type, const GUID *key,
			    UINT64 id)
{
	struct wfp_ipsec_obj_key k;
	struct wfp_engine *e;
	int err;

	memset(&k, 0, sizeof(k));
	k.type = type;
	if (key)
		wfp_obj_key_in(key, k.key);
	else
		k.id = id;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
	wfp_engine_put(e);
	return err ? wfp_obj_status(type, err) : ERROR_SUCCESS;
}

DWORD wfp_obj_delete(HANDLE engineHandle, UINT32 type, const GUID *key)
{
	if (!key)
		return FWP_E_NULL_POINTER;
	return wfp_obj_delete_key_id(engineHandle, type, key, 0);
}

/* The service name's room holds a provider context's policy too. */
#define OBJ_ROOM (WFP_IPSEC_OBJ_NAME_MAX + WFP_IPSEC_OBJ_DESC_MAX + \
		  WFP_IPSEC_OBJ_POLICY_MAX + WFP_IPSEC_OBJ_DATA_MAX)

/*
 * One object from the module, by key, or with key NULL a provider context
 * by id, into f (f->buf freed by the caller).
 */
static int obj_fetch_obj(int fd, UINT32 type, const UINT8 *key, UINT64 id,
			 struct wfp_obj_full *f)
{
	char *room, *p;
	int err;

	room = malloc(OBJ_ROOM);
	if (!room)
		return ENOMEM;
	memset(f, 0, sizeof(*f));
	f->o.type = type;
	if (key)
		memcpy(f->o.key, key, WFP_IPSEC_OBJ_KEY_LEN);
	else
		f->o.id = id;
	f->o.name = (UINT64)(uintptr_t)room;
	f->o.name_len = WFP_IPSEC_OBJ_NAME_MAX;
	f->o.desc = f->o.name + WFP_IPSEC_OBJ_NAME_MAX;
	f->o.desc_len = WFP_IPSEC_OBJ_DESC_MAX;
	f->o.service = f->o.desc + WFP_IPSEC_OBJ_DESC_MAX;
	f->o.service_len = WFP_IPSEC_OBJ_POLICY_MAX;
	f->o.data = f->o.service + WFP_IPSEC_OBJ_POLICY_MAX;
	f->o.data_len = WFP_IPSEC_OBJ_DATA_MAX;
	err = wfp_ioctl(fd, WFP_IPSEC_IOC_OBJ_GET, &f->o);
	if (err) {
		free(room);
		return err;
	}
	/* Packed down to what it holds, in one buffer. */
	f->buf = malloc(f->o.name_len + f->o.desc_len + f->o.service_len +
			f->o.data_len + 1);
	if (!f->buf) {
		free(room);
		return ENOMEM;
	}
	p = f->buf;
	f->name = memcpy(p, (char *)(uintptr_t)f->o.name, f->o.name_len);
	p += f->o.name_len;
	f->desc = memcpy(p, (char *)(uintptr_t)f->o.desc, f->o.desc_len);
	p += f->o.desc_len;
	f->service = memcpy(p, (char *)(uintptr_t)f->o.service,
			    f->o.service_len);
	p += f->o.service_len;
	f->data = memcpy(p, (char *)(uintptr_t)f->o.data, f->o.data_len);
	free(room);
	return 0;
}

/* Filters have an ioctl of their own (filter.c). */
static int obj_fetch(int fd, UINT32 type, const UINT8 *key, UINT64 id,
		     struct wfp_obj_full *f)
{
	if (type == WFP_IPSEC_OBJ_FILTER)
		return wfp_filter_fetch(fd, key, id, f);
	return obj_fetch_obj(fd, type, key, id, f);
}

/* n objects in one block: an array of n pointers, then the entries. */
static void *obj_pack(const struct wfp_obj_full *f, UINT32 n, int array,
		      wfp_obj_fill_fn fill)
{
	struct wfp_arena a = { NULL, 0 };
	void **ptrs;
	UINT32 i;

	for (i = 0; i < n; i++)
		fill(&a, &f[i]);
	if (array)
		a.off += n * sizeof(void *);
	a.base = calloc(1, a.off ? a.off : 1);
	if (!a.base)
		return NULL;
	a.off = 0;
	if (!array)
		return fill(&a, f);
	ptrs = wfp_arena_take(&a, n * sizeof(void *));
	for (i = 0; i < n; i++)
		ptrs[i] = fill(&a, &f[i]);
	return ptrs;
}

/* GET of key, or with key NULL of the provider context or filter id. */
DWORD wfp_obj_get_key_id(HANDLE engineHandle, UINT32 type, const GUID *key,
			 UINT64 id, void **out, wfp_obj_fill_fn fill)
{
	UINT8 k[WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_obj_full f;
	struct wfp_engine *e;
	int err;

	if (!out)
		return FWP_E_NULL_POINTER;
	if (key)
		wfp_obj_key_in(key, k);
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = obj_fetch(e->fd, type, key ? k : NULL, id, &f);
	wfp_engine_put(e);
	if (err)
		return wfp_obj_status(type, err);
	*out = obj_pack(&f, 1, 0, fill);
	free(f.buf);
	return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

DWORD wfp_obj_get(HANDLE engineHandle, UINT32 type, const GUID *key,
		  void **out, wfp_obj_fill_fn fill)
{
	if (!key)
		return FWP_E_NULL_POINTER;
	return wfp_obj_get_key_id(engineHandle, type, key, 0, out, fill);
}

/*
 * An enumeration handle: the objects of the type as they were when it was
 * created (WFP's snapshot), of which Enum hands out the next ones.
 */
struct wfp_obj_enum {
	struct wfp_obj_enum *next;
	UINT32 type;
	struct wfp_obj_full *objs;
	UINT32 n, pos;
};

static void obj_enum_free(struct wfp_obj_enum *en)
{
	UINT32 i;

	for (i = 0; i < en->n; i++)
		free(en->objs[i].buf);
	free(en->objs);
	free(en);
}

void wfp_obj_enums_free(struct wfp_engine *e)
{
	struct wfp_obj_enum *it, *next;

	for (it = e->obj_enums; it; it = next) {
		next = it->next;
		obj_enum_free(it);
	}
	e->obj_enums = NULL;
}

/* Every key of the type, in the module's order. */
static int obj_keys(int fd, UINT32 type, UINT8 (**keys)[16], UINT32 *n)
{
	struct wfp_ipsec_obj_enum req;
	UINT8 (*all)[16];
	int err;

	all = malloc(WFP_IPSEC_OBJ_MAX * sizeof(*all));
	if (!all)
		return ENOMEM;
	memset(&req, 0, sizeof(req));
	req.type = type;
	req.keys = (UINT64)(uintptr_t)all;
	req.max_entries = WFP_IPSEC_OBJ_MAX;
	err = wfp_ioctl(fd, WFP_IPSEC_IOC_OBJ_ENUM, &req);
	if (err) {
		free(all);
		return err;
	}
	*keys = all;
	*n = req.count;
	return 0;
}

/* The snapshot: each object of the type that match() keeps. */
static int obj_snapshot(int fd, struct wfp_obj_enum *en,
			int (*match)(const struct wfp_obj_full *f,
				     const void *tmpl),
			const void *tmpl)
{
	UINT8 (*keys)[16];
	UINT32 n, i;
	int err;

	err = obj_keys(fd, en->type, &keys, &n);
	if (err)
		return err;
	en->objs = calloc(n ? n : 1, sizeof(*en->objs));
	if (!en->objs) {
		free(keys);
		return ENOMEM;
	}
	for (i = 0; i < n; i++) {
		err = obj_fetch(fd, en->type, keys[i], 0, &en->objs[en->n]);
		/* Deleted since the keys were read: not in the snapshot. */
		if (err == ENOENT)
			continue;
		if (err)
			break;
		if (match && !match(&en->objs[en->n], tmpl)) {
			free(en->objs[en->n].buf);
			continue;
		}
		en->n++;
	}
	free(keys);
	return err == ENOENT ? 0 : err;
}

DWORD wfp_obj_enum_create(HANDLE engineHandle, UINT32 type,
			  int (*match)(const struct wfp_obj_full *f,
				       const void *tmpl),
			  const void *tmpl, HANDLE *enumHandle)
{
	struct wfp_obj_enum *en;
	struct wfp_engine *e;
	int err;

	if (!enumHandle)
		return FWP_E_NULL_POINTER;
	en = calloc(1, sizeof(*en));
	if (!en)
		return ERROR_NOT_ENOUGH_MEMORY;
	en->type = type;
	e = wfp_engine_get(engineHandle);
	if (!e) {
		free(en);
		return ERROR_INVALID_HANDLE;
	}
	err = obj_snapshot(e->fd, en, match, tmpl);
	if (err) {
		wfp_engine_put(e);
		obj_enum_free(en);
		return wfp_obj_status(type, err);
	}
	pthread_mutex_lock(&e->lock);
	en->next = e->obj_enums;
	e->obj_enums = en;
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	*enumHandle = en;
	return ERROR_SUCCESS;
}

/* The caller holds e->lock.  A handle counts for its engine and type. */
static struct wfp_obj_enum **obj_enum_find(struct wfp_engine *e, UINT32 type,
					   HANDLE h)
{
	struct wfp_obj_enum **pp;

	for (pp = &e->obj_enums; *pp; pp = &(*pp)->next)
		if (*pp == h && (*pp)->type == type)
			return pp;
	return NULL;
}

DWORD wfp_obj_enum_next(HANDLE engineHandle, UINT32 type, HANDLE enumHandle,
			UINT32 numEntriesRequested, void **entries,
			UINT32 *numEntriesReturned, wfp_obj_fill_fn fill)
{
	struct wfp_obj_enum **pp, *en;
	struct wfp_engine *e;
	DWORD rc = ERROR_SUCCESS;
	UINT32 n;

	if (!entries || !numEntriesReturned)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	pp = obj_enum_find(e, type, enumHandle);
	if (!pp) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	en = *pp;
	n = en->n - en->pos;
	if (n > numEntriesRequested)
		n = numEntriesRequested;
	*entries = NULL;
	if (n) {
		*entries = obj_pack(en->objs + en->pos, n, 1, fill);
		if (!*entries) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	en->pos += n;
	*numEntriesReturned = n;
out:
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	return rc;
}

DWORD wfp_obj_enum_destroy(HANDLE engineHandle, UINT32 type,
			   HANDLE enumHandle)
{
	struct wfp_obj_enum **pp, *en = NULL;
	struct wfp_engine *e;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	pp = obj_enum_find(e, type, enumHandle);
	if (pp) {
		en = *pp;
		*pp = en->next;
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	if (!en)
		return ERROR_INVALID_HANDLE;
	obj_enum_free(en);
	return ERROR_SUCCESS;
}
