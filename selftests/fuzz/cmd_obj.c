// SPDX-License-Identifier: GPL-2.0
/*
 * OBJ_ADD, OBJ_DELETE, OBJ_GET, OBJ_ENUM (0x15-0x18): providers,
 * sublayers and provider contexts.  Keys come from a small pool of the worker's own, so adds,
 * deletes and sublayers naming providers meet each other, and what is
 * left is bounded and removed when the worker ends (obj_cleanup).
 */

#include "fuzz.h"

#define OBJ_POOL	6

static char obj_name[WFP_IPSEC_OBJ_NAME_MAX + 8] = "fuzz object";
static __u8 obj_room[WFP_IPSEC_OBJ_POLICY_MAX];

/* Pool key k of this worker; never a built-in sublayer's. */
static void obj_key(__u8 *key, unsigned int k)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = 0xf2;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)k;
}

static __u32 obj_type(void)
{
	return WFP_IPSEC_OBJ_PROVIDER + rn(3);
}

/* A provider context's policy: a tunnel's, a transport's or keying's. */
static void obj_policy(struct wfp_ipsec_obj *o)
{
	static struct {
		struct wfp_ipsec_pctx_policy head;
		__u8 body[64];
	} pol;

	memset(&pol.head, 0, sizeof(pol.head));
	pol.head.ctx_type = rn(3);
	if (pol.head.ctx_type == WFP_IPSEC_PCTX_IKE_QM_TUNNEL) {
		pol.head.ip_version = rn(2);
		pol.head.local[0] = 10;
		pol.head.remote[3] = 1 + rn(200);
	}
	o->service = (__u64)(uintptr_t)&pol;
	o->service_len = sizeof(pol.head) + rn(sizeof(pol.body) + 1);
}

static void obj_mutate_add(struct call *c)
{
	struct wfp_ipsec_obj *o = &c->in.obj;

	if (mutate_common(c))
		return;
	switch (rn(7)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_obj, reserved),
			      sizeof(o->reserved));
		break;
	case 1:
		/* Past DOWNLEVEL, which provider contexts take. */
		o->flags |= 1u << (2 + rn(30));
		must_fail(c, "unknown flag");
		break;
	case 2:
		o->name_len = WFP_IPSEC_OBJ_NAME_MAX + 1 + rn(8);
		must_fail(c, "name too long");
		break;
	case 3:
		o->name_len = 0;
		must_fail(c, "no name");
		break;
	case 4:
		o->type = rn(2) ? 0 : WFP_IPSEC_OBJ_PROVIDER_CONTEXT + 1 + rn(100);
		must_fail(c, "type");
		break;
	case 5:
		o->desc = bad_ptr(rn(P_KINDS), 8);
		o->desc_len = 1 + rn(8);
		c->flags |= C_EFAULT_OK;
		mut_note(c, "bad desc pointer");
		break;
	default:
		o->reserved0 = 1 + rn(0xffff);
		must_fail(c, "reserved0");
		break;
	}
}

static void do_obj_add(struct sess *s)
{
	struct wfp_ipsec_obj *o;
	int m = n_mutations();
	struct call c;

	call_init(&c, NR_OBJ_ADD);
	o = &c.in.obj;
	o->type = obj_type();
	obj_key(o->key, rn(OBJ_POOL));
	o->name = (__u64)(uintptr_t)obj_name;
	o->name_len = 1 + rn(11);
	if (pm(300)) {
		o->data = (__u64)(uintptr_t)obj_room;
		o->data_len = rn(WFP_IPSEC_OBJ_DATA_MAX + 1);
	}
	if (pm(200))
		o->flags = WFP_IPSEC_OBJ_F_PERSISTENT;
	if (o->type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT)
		obj_policy(o);
	if (o->type == WFP_IPSEC_OBJ_SUBLAYER)
		o->weight = (__u16)r64();
	if (o->type != WFP_IPSEC_OBJ_PROVIDER && pm(500)) {
		o->has_provider = 1;
		obj_key(o->provider_key, rn(OBJ_POOL));
	}
	while (m--)
		obj_mutate_add(&c);
	exec_call(&c, s);
}

static void do_obj_delete(struct sess *s)
{
	struct wfp_ipsec_obj_key *k;
	struct call c;

	call_init(&c, NR_OBJ_DELETE);
	k = &c.in.okey;
	k->type = obj_type();
	obj_key(k->key, rn(OBJ_POOL));
	if (n_mutations() && !mutate_common(&c))
		poke_reserved(&c, offsetof(struct wfp_ipsec_obj_key, id),
			      8);
	exec_call(&c, s);
}

static void check_obj(const struct wfp_ipsec_obj *o)
{
	bool pctx = o->type == WFP_IPSEC_OBJ_PROVIDER_CONTEXT;

	if (o->reserved0 || !all_zero(o->reserved, sizeof(o->reserved)) ||
	    o->has_provider > 1 || !o->id != !pctx ||
	    (o->type == WFP_IPSEC_OBJ_PROVIDER &&
	     (o->has_provider || o->weight)) ||
	    (pctx && (o->weight || o->service_len <
		      sizeof(struct wfp_ipsec_pctx_policy))) ||
	    o->name_len > WFP_IPSEC_OBJ_NAME_MAX || !o->name_len ||
	    o->data_len > WFP_IPSEC_OBJ_DATA_MAX ||
	    (o->flags & ~(pctx ? __WFP_IPSEC_OBJ_F_PCTX_ALL :
			  __WFP_IPSEC_OBJ_F_ALL)))
		fail(NR_OBJ_GET, "malformed reply (type %u name_len %u)",
		     o->type, o->name_len);
}

static void do_obj_get(struct sess *s)
{
	struct wfp_ipsec_obj *o;
	struct call c;

	call_init(&c, NR_OBJ_GET);
	o = &c.in.obj;
	o->type = obj_type();
	obj_key(o->key, rn(OBJ_POOL));
	o->name = (__u64)(uintptr_t)obj_name;
	o->name_len = WFP_IPSEC_OBJ_NAME_MAX;
	o->data = (__u64)(uintptr_t)obj_room;
	o->data_len = pm(100) ? rn(8) : WFP_IPSEC_OBJ_DATA_MAX;
	o->service = (__u64)(uintptr_t)obj_room;
	o->service_len = pm(100) ? rn(8) : WFP_IPSEC_OBJ_POLICY_MAX;
	if (n_mutations() && !mutate_common(&c))
		poke_reserved(&c, offsetof(struct wfp_ipsec_obj, reserved),
			      sizeof(o->reserved));
	if (!exec_call(&c, s) && !(c.flags & C_NO_OUTCHECK) && s->ready)
		check_obj(&c.out.obj);
}

/* An OBJ_ENUM's reply: a count in the room, keys after the cursor. */
bool obj_enum_ok(const struct call *c, const void *keys)
{
	const __u8 (*k)[WFP_IPSEC_OBJ_KEY_LEN] = keys;
	const struct wfp_ipsec_obj_enum *e = &c->out.oenum;
	bool ok = true;
	__u32 i;

	if (e->count > c->in.oenum.max_entries || e->reserved0) {
		fail(NR_OBJ_ENUM, "count %u of %u", e->count,
		     c->in.oenum.max_entries);
		return false;
	}
	/* Strictly increasing, after the cursor given. */
	for (i = 0; i < e->count; i++) {
		if (memcmp(k[i], i ? k[i - 1] : c->in.oenum.cursor,
			   WFP_IPSEC_OBJ_KEY_LEN) > 0)
			continue;
		fail(NR_OBJ_ENUM, "key %u out of order (type %u)", i,
		     c->in.oenum.type);
		ok = false;
	}
	return ok;
}

static void do_obj_enum(struct sess *s)
{
	static __u8 keys[64][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum *e;
	struct call c;

	call_init(&c, NR_OBJ_ENUM);
	e = &c.in.oenum;
	e->type = obj_type();
	e->keys = (__u64)(uintptr_t)keys;
	e->max_entries = rn(65);
	if (pm(300))
		obj_key(e->cursor, rn(OBJ_POOL));
	if (n_mutations() && !mutate_common(&c))
		poke_reserved(&c, offsetof(struct wfp_ipsec_obj_enum, reserved),
			      sizeof(e->reserved));
	if (!exec_call(&c, s) && !(c.flags & C_NO_OUTCHECK) && s->ready)
		obj_enum_ok(&c, keys);
}

void do_obj(struct sess *s)
{
	switch (rn(4)) {
	case 0:
		do_obj_add(s);
		break;
	case 1:
		do_obj_delete(s);
		break;
	case 2:
		do_obj_get(s);
		break;
	default:
		do_obj_enum(s);
		break;
	}
}

/* The pool's objects in the worker's namespace: providers last. */
void obj_cleanup(void)
{
	struct wfp_ipsec_obj_key k;
	struct sess *s = sess_normal(0);
	unsigned int i;

	if (!s)
		return;
	memset(&k, 0, sizeof(k));
	for (k.type = WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	     k.type >= WFP_IPSEC_OBJ_PROVIDER; k.type--) {
		for (i = 0; i < OBJ_POOL; i++) {
			obj_key(k.key, i);
			ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
		}
	}
}
