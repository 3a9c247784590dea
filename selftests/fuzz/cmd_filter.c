// SPDX-License-Identifier: GPL-2.0
/*
 * FILTER_ADD, FILTER_GET (0x19, 0x1a) and OBJ_DELETE/OBJ_ENUM of type
 * FILTER.  Keys come from a small pool of the worker's own, the requests
 * from gen_filter.c: references (provider, sublayer, provider context)
 * from cmd_obj.c's pool, so adds meet missing and mistyped objects, and
 * deletes of those objects meet filters that hold them; an address of
 * the worker's own prefix in every filter, so no selector of the
 * contexts' pools or another worker's is ever a filter's, and the
 * policies a filter became can be counted.
 *
 * Inside a write transaction of the session (cmd_txn.c) a DELETE is
 * checked at once and applied at COMMIT: the slot is then DOOMED, still
 * there for everyone until the COMMIT, gone for a second DELETE.  The
 * model as it was at BEGIN comes back at an ABORT.
 *
 * The worker's model of its pool in the initial namespace (what each key
 * holds, as added) narrows the oracle when no other thread is at work:
 * GET and DELETE of a live or a gone key, the reply field by field, the
 * conditions as added, and now and then the xfrm policies an ADD made
 * against its nr_policies.  filter_cleanup() deletes the pool and checks
 * that neither a filter nor a policy of the worker's is left.
 */

#include "fuzz.h"

#define FILT_POOL	8
#define FILT_KEY0	0xf3

/* What a pool key holds in the initial namespace, as the worker added it. */
struct filt {
	int state;		/* F_* */
	__u8 key[WFP_IPSEC_OBJ_KEY_LEN];	/* a generated key, if any */
	struct wfp_ipsec_filter f;	/* the reply of the ADD */
	struct wfp_ipsec_filter_cond conds[FILT_CONDS];
};

enum { F_GONE, F_LIVE, F_UNKNOWN, F_DOOMED };

static struct filt pool[FILT_POOL];
static struct filt saved[FILT_POOL];	/* the pool at BEGIN */
static __u64 gone_ids[16];
static unsigned int ngone;
/* keys the module chose (ADD with a zero key), for filter_cleanup() */
static __u8 gen_keys[64][WFP_IPSEC_OBJ_KEY_LEN];
static unsigned int ngen;

static void filt_key(__u8 *key, unsigned int k)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = FILT_KEY0;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)(1 + k);	/* after the enumeration's cursor */
}

/* Whether the slot holds a filter: until COMMIT, a DOOMED one does. */
static bool present(const struct filt *p)
{
	return p->state == F_LIVE || p->state == F_DOOMED;
}

/* Whether the worker's model may narrow the oracle for this session. */
static bool certain(const struct sess *s)
{
	return s->ns == 0 && !W.in_child && !W.relaxed && s->ready &&
	       !s->nocap && !s->dynamic;
}

/*
 * The slot a call names, when the model knows it; else, when the call
 * may change what the model holds, the slot becomes unknown.
 */
static struct filt *slot_for(const struct sess *s, unsigned int k)
{
	if (certain(s))
		return &pool[k];
	if (s->ns == 0 && !W.in_child)
		pool[k].state = F_UNKNOWN;
	return NULL;
}

/* -v -v: what a call did to the worker's model, for a replay. */
static void note(const char *what, unsigned int k, const __u8 *key, __u64 id,
		 int ret)
{
	if (W.verbose > 1)
		out("# fuzz: w%d%s filter %s slot %u key %02x%02x%02x.. "
		    "id %llu -> %s, model %d", W.idx, T_TAG, what, k,
		    key[0], key[1], key[2], (unsigned long long)id, ename(ret),
		    k < FILT_POOL ? pool[k].state : -1);
}

/* ------------------------------------------------------------- ADD */

/*
 * The outcome of a valid ADD: what the model and the request say.
 * References from cmd_obj.c's pool may name nothing or the wrong kind.
 */
static eset add_set(const struct wfp_ipsec_filter *f, const struct filt *p,
		    bool multi)
{
	eset set = present(p) ? ES(EEXIST, ENOSPC, ENOMEM) :
		   p->state == F_GONE ? ES(0, ENOSPC, ENOMEM) :
		   ES(0, EEXIST, ENOSPC, ENOMEM);

	if (multi)
		set = es_add(set, E2BIG);
	if (present(p))
		return set;
	if (filter_enforced(f))
		set = es_add(set, EADDRINUSE);
	/* A reference may name a dynamic session's object: EXDEV. */
	if (f->has_provider)
		set = es_add(es_add(set, ENXIO), EXDEV);
	if (!all_zero(f->sublayer_key, sizeof(f->sublayer_key)))
		set = es_add(es_add(set, ENODEV), EXDEV);
	if (f->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT)
		set = es_add(es_add(es_add(set, ENOKEY), EPROTOTYPE), EXDEV);
	return set;
}

/*
 * Whether an IPsec callout filter's templates carry an SA group's reqid:
 * every enforced one does (its provider context's group, or its
 * conditions').
 */
static bool grouped(const struct wfp_ipsec_filter *f)
{
	return f->action == WFP_IPSEC_ACTION_CALLOUT && filter_enforced(f);
}

/* What an ADD's reply says, against its request. */
static void check_added(const struct wfp_ipsec_filter *in,
			const struct wfp_ipsec_filter *out, bool multi)
{
	bool pctx = in->flags & WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT;
	__u32 npol = out->nr_policies;

	if (!out->id || !out->pctx_id != !pctx ||
	    (!all_zero(in->key, sizeof(in->key)) &&
	     memcmp(in->key, out->key, sizeof(in->key))) ||
	    all_zero(out->key, sizeof(out->key)))
		fail(NR_FILTER_ADD, "id %llu pctx_id %llu or key wrong",
		     (unsigned long long)out->id,
		     (unsigned long long)out->pctx_id);
	if (filter_enforced(in) ? !npol || npol > WFP_IPSEC_FILTER_SEL_MAX ||
			   (!multi && npol != 1) : npol)
		fail(NR_FILTER_ADD, "nr_policies %u (layer %u action %u "
		     "callout %u)", npol, in->layer, in->action, in->callout);
	if (grouped(in) ?
	    out->reqid < REQID_MIN || out->reqid > REQID_MAX : out->reqid)
		fail(NR_FILTER_ADD, "reqid %#x (callout %u)", out->reqid,
		     in->callout);
	if ((in->weight_type == WFP_IPSEC_WEIGHT_UINT64 &&
	     out->effective_weight != in->weight) ||
	    (in->weight_type == WFP_IPSEC_WEIGHT_UINT8 &&
	     out->effective_weight >> 60 != in->weight))
		fail(NR_FILTER_ADD, "effective weight %#llx of %#llx (type %u)",
		     (unsigned long long)out->effective_weight,
		     (unsigned long long)in->weight, in->weight_type);
}

/* Policies of the worker's prefix; -1 when not worth or able to count. */
static int pool_policies(const struct sess *s, bool want)
{
	if (!want || !certain(s))
		return -1;
	return xfrm_pol_count(filter_in_pool);
}

static void add_recorded(struct filt *p, const struct call *c,
			 const struct wfp_ipsec_filter_cond *conds)
{
	if (all_zero(c->in.filt.key, sizeof(c->in.filt.key)))
		memcpy(gen_keys[ngen++ % ARRAY_SIZE(gen_keys)],
		       c->out.filt.key, WFP_IPSEC_OBJ_KEY_LEN);
	if (c->in.filt.num_conds > FILT_CONDS) {
		p->state = F_UNKNOWN;
		return;
	}
	p->state = F_LIVE;
	p->f = c->out.filt;
	memcpy(p->key, c->out.filt.key, sizeof(p->key));
	memcpy(p->conds, conds, c->in.filt.num_conds * sizeof(*conds));
}

/* The key an ADD to slot k names: the slot's, or none (the module's). */
static void add_key(const struct filt *p, unsigned int k, __u8 *key)
{
	if (p && present(p))
		memcpy(key, p->key, WFP_IPSEC_OBJ_KEY_LEN);
	else if (!p || p->state != F_GONE || pm(900))
		filt_key(key, k);
}

static void do_filter_add(struct sess *s)
{
	static struct wfp_ipsec_filter_cond conds[FILT_CONDS];
	int m = n_mutations(), before, after, ret;
	unsigned int k = rn(FILT_POOL);
	struct filt *p = slot_for(s, k);
	struct call c;
	bool multi;

	call_init(&c, NR_FILTER_ADD);
	gen_filter(&c.in.filt, conds, &multi);
	add_key(p, k, c.in.filt.key);
	while (m--)
		filter_mutate_add(&c, conds);
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL)
		set_strict(&c, NULL, add_set(&c.in.filt, p, multi));
	before = pool_policies(s, pm(250));
	ret = exec_call(&c, s);
	note("add", k, c.out.filt.key, c.out.filt.id, ret);
	trap_added(s, &c, ret, conds);
	/* a read-only argument: added, but the reply could not be written */
	if (p && ret == EFAULT)
		p->state = F_UNKNOWN;
	if (ret || (c.flags & C_NO_OUTCHECK) || !s->ready)
		return;
	if (!(c.flags & C_MUTATED))
		check_added(&c.in.filt, &c.out.filt, multi);
	after = before < 0 ? -1 : pool_policies(s, true);
	if (after >= 0 && after - before != (int)c.out.filt.nr_policies)
		fail(NR_FILTER_ADD, "nr_policies %u, xfrm gained %d",
		     c.out.filt.nr_policies, after - before);
	if (p)
		add_recorded(p, &c, conds);
}

/* ------------------------------------------------- GET, DELETE, ENUM */

/*
 * A filter to name: the pool's slot (by key or, when live, by its id),
 * an id of the worker's gone, or one never issued.  *p: the slot, if the
 * name is one.
 */
static void pick_name(const struct sess *s, __u8 *key, __u64 *id,
		      struct filt **p, bool *gone)
{
	unsigned int k = rn(FILT_POOL);
	struct filt *f;

	*p = NULL;
	*gone = false;
	if (pm(100) && ngone) {
		*id = gone_ids[rn(ngone < ARRAY_SIZE(gone_ids) ?
				  ngone : ARRAY_SIZE(gone_ids))];
		*gone = s->ns == 0;
		return;
	}
	if (pm(50)) {
		*id = (1ULL << 62) + rn(1000);
		*gone = true;
		return;
	}
	f = *p = slot_for(s, k);
	if (f && present(f) && pm(400))
		*id = f->f.id;
	else if (f && present(f))
		memcpy(key, f->key, WFP_IPSEC_OBJ_KEY_LEN);
	else
		filt_key(key, k);
}

/* The slot's filter is no more: its id names nothing from now on. */
static void filt_gone(struct filt *p)
{
	if (present(p)) {
		gone_ids[ngone++ % ARRAY_SIZE(gone_ids)] = p->f.id;
		trap_gone(p->f.id);
	}
	p->state = F_GONE;
}

/* A reply against what the worker added there. */
static void check_got(const struct wfp_ipsec_filter *g,
		      const struct filt *p)
{
	const struct wfp_ipsec_filter *f = &p->f;
	__u32 n = g->num_conds;

	if (!all_zero(g->reserved, sizeof(g->reserved)) ||
	    g->has_provider > 1 || !g->id || !g->name_len ||
	    n > WFP_IPSEC_FILTER_COND_MAX ||
	    (g->flags & ~__WFP_IPSEC_FILTER_F_ALL) ||
	    !g->layer || g->layer > __WFP_IPSEC_LAYER_MAX)
		fail(NR_FILTER_GET, "malformed reply (layer %u conds %u)",
		     g->layer, n);
	if (!p || !present(p))
		return;
	if (g->id != f->id || memcmp(g->key, p->key, sizeof(g->key)) ||
	    g->layer != f->layer || g->action != f->action ||
	    g->callout != f->callout || g->flags != f->flags ||
	    g->nr_policies != f->nr_policies || g->reqid != f->reqid ||
	    g->effective_weight != f->effective_weight ||
	    g->pctx_id != f->pctx_id || n != f->num_conds ||
	    g->name_len != f->name_len)
		fail(NR_FILTER_GET, "reply differs from the ADD's (id %llu "
		     "of %llu)", (unsigned long long)g->id,
		     (unsigned long long)f->id);
	else if (n <= FILT_CONDS &&
		 memcmp((void *)(uintptr_t)g->conds, p->conds,
			n * sizeof(*p->conds)))
		fail(NR_FILTER_GET, "conditions differ from the ADD's");
}

/* Whether the rooms hold the filter the slot holds. */
static bool rooms_fit(const struct wfp_ipsec_filter *room,
		      const struct filt *p)
{
	return room->num_conds >= p->f.num_conds &&
	       room->name_len >= p->f.name_len &&
	       room->desc_len >= p->f.desc_len &&
	       room->data_len >= p->f.data_len;
}

/* GET takes a name and rooms only. */
static void break_get(struct call *c)
{
	struct wfp_ipsec_filter *g = &c->in.filt;

	switch (rn(4)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_filter, reserved),
			      sizeof(g->reserved));
		break;
	case 1:
		g->layer = 1 + rn(__WFP_IPSEC_LAYER_MAX);
		must_fail(c, "layer in GET");
		break;
	case 2:
		g->num_conds = WFP_IPSEC_FILTER_COND_MAX + 1 + rn(100);
		must_fail(c, "num_conds room");
		break;
	default:
		/* a key and an id at once */
		if (all_zero(g->key, sizeof(g->key)))
			filt_key(g->key, rn(FILT_POOL));
		g->id = 1 + rn(1000);
		must_fail(c, "key and id");
		break;
	}
}

static void do_filter_get(struct sess *s)
{
	static struct wfp_ipsec_filter_cond conds[WFP_IPSEC_FILTER_COND_MAX];
	static char name[WFP_IPSEC_OBJ_NAME_MAX];
	static __u8 room[WFP_IPSEC_OBJ_DATA_MAX];
	struct wfp_ipsec_filter *g;
	struct filt *p;
	struct call c;
	bool gone;

	call_init(&c, NR_FILTER_GET);
	g = &c.in.filt;
	pick_name(s, g->key, &g->id, &p, &gone);
	c.gone = gone;
	g->conds = (__u64)(uintptr_t)conds;
	g->num_conds = pm(150) ? rn(3) : WFP_IPSEC_FILTER_COND_MAX;
	g->name = (__u64)(uintptr_t)name;
	g->name_len = pm(100) ? rn(4) : WFP_IPSEC_OBJ_NAME_MAX;
	g->desc = (__u64)(uintptr_t)name;
	g->desc_len = WFP_IPSEC_OBJ_NAME_MAX;
	g->data = (__u64)(uintptr_t)room;
	g->data_len = pm(100) ? rn(8) : WFP_IPSEC_OBJ_DATA_MAX;
	if (n_mutations() && !mutate_common(&c))
		break_get(&c);
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL && !gone)
		set_strict(&c, NULL, p->state == F_GONE ? ES(ENOENT) :
			   p->state == F_UNKNOWN ? gen_set(NR_FILTER_GET) :
			   rooms_fit(g, p) ? ES(0, ENOMEM) : ES(ERANGE));
	if (!exec_call(&c, s) && !(c.flags & C_NO_OUTCHECK) && s->ready)
		check_got(&c.out.filt, p);
}

static void do_filter_delete(struct sess *s)
{
	struct wfp_ipsec_obj_key *k;
	struct filt *p;
	struct call c;
	bool gone;
	int ret;

	call_init(&c, NR_OBJ_DELETE);
	k = &c.in.okey;
	k->type = WFP_IPSEC_OBJ_FILTER;
	pick_name(s, k->key, &k->id, &p, &gone);
	c.gone = gone;
	if (n_mutations() && !mutate_common(&c)) {
		/* a key and an id at once */
		if (all_zero(k->key, sizeof(k->key)))
			filt_key(k->key, rn(FILT_POOL));
		k->id = 1 + rn(1000);
		must_fail(&c, "key and id");
	}
	if (p && !(c.flags & C_MUTATED) && c.am == AM_NORMAL && !gone &&
	    p->state != F_UNKNOWN)
		set_strict(&c, NULL, p->state == F_LIVE ? ES(0) : ES(ENOENT));
	ret = exec_call(&c, s);
	note("delete", p ? (unsigned int)(p - pool) : FILT_POOL, k->key, k->id,
	     ret);
	if (!p || p->state == F_DOOMED)
		return;
	/* pending until COMMIT; an unknown slot stays so, id unknown */
	if (!ret && s->txn == TXN_WRITE) {
		if (p->state == F_LIVE)
			p->state = F_DOOMED;
		return;
	}
	/* a mutation may leave the request valid: a read-only argument */
	if (!ret || (ret == ENOENT && !(c.flags & C_MUTATED)))
		filt_gone(p);
}

/* Whether key is pool key k of this worker's. */
static bool pool_key_of(const __u8 *key, unsigned int *k)
{
	__u8 want[WFP_IPSEC_OBJ_KEY_LEN];

	filt_key(want, 0);
	*k = key[2] - 1u;
	want[2] = key[2];
	return *k < FILT_POOL && !memcmp(key, want, sizeof(want));
}

/*
 * An enumeration from just before the pool that went past its last key
 * lists exactly the slots the model holds live under their pool keys.
 */
static void check_enum_pool(__u8 (*keys)[WFP_IPSEC_OBJ_KEY_LEN],
			    __u32 count, bool whole)
{
	__u8 last[WFP_IPSEC_OBJ_KEY_LEN];
	unsigned int got = 0, want = 0, k, i;

	filt_key(last, FILT_POOL - 1);
	if (!whole && (!count || memcmp(keys[count - 1], last,
					sizeof(last)) < 0))
		return;
	for (i = 0; i < count; i++)
		if (pool_key_of(keys[i], &k))
			got |= 1u << k;
	for (k = 0; k < FILT_POOL; k++) {
		if (pool[k].state == F_UNKNOWN)
			return;
		if (present(&pool[k]) && pool_key_of(pool[k].key, &i))
			want |= 1u << i;
	}
	if (got != want)
		fail(NR_OBJ_ENUM, "pool filters %#x listed, %#x live", got,
		     want);
}

static void do_filter_enum(struct sess *s)
{
	static __u8 keys[FILT_POOL + 8][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum *e;
	bool mine = false;
	struct call c;

	call_init(&c, NR_OBJ_ENUM);
	e = &c.in.oenum;
	e->type = WFP_IPSEC_OBJ_FILTER;
	e->keys = (__u64)(uintptr_t)keys;
	e->max_entries = rn(FILT_POOL + 9);
	if (pm(500)) {
		filt_key(e->cursor, 0);
		e->cursor[2] = 0;	/* just before the pool */
		mine = true;
	}
	if (n_mutations() && !mutate_common(&c))
		poke_reserved(&c, offsetof(struct wfp_ipsec_obj_enum, reserved),
			      sizeof(e->reserved));
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    !obj_enum_ok(&c, keys))
		return;
	e = &c.out.oenum;
	if (mine && certain(s) && !(c.flags & C_MUTATED))
		check_enum_pool(keys, e->count,
				e->count < c.in.oenum.max_entries);
}

void do_filter(struct sess *s)
{
	switch (rn(5)) {
	case 0:
	case 1:
		do_filter_add(s);
		break;
	case 2:
		do_filter_get(s);
		break;
	case 3:
		do_filter_delete(s);
		break;
	default:
		do_filter_enum(s);
		break;
	}
}

/* BEGIN of a write transaction on a session the model follows. */
void filter_txn_begin(void)
{
	memcpy(saved, pool, sizeof(saved));
}

/*
 * Its end: COMMIT's errno, or -1 for an ABORT or the session's close.
 * Committed, the DOOMED slots are gone; else the pool is as at BEGIN,
 * and the filters the transaction added are gone, ids included.
 */
void filter_txn_end(int ret)
{
	unsigned int k;

	for (k = 0; k < FILT_POOL; k++) {
		struct filt *p = &pool[k];

		if (!ret) {
			if (p->state == F_DOOMED)
				filt_gone(p);
			continue;
		}
		if (present(p) && (!present(&saved[k]) ||
				   p->f.id != saved[k].f.id)) {
			gone_ids[ngone++ % ARRAY_SIZE(gone_ids)] = p->f.id;
			trap_gone(p->f.id);
		}
		*p = saved[k];
	}
}

/*
 * The pool's filters in the worker's namespace, then the check that none
 * is left, in the filters or in xfrm.
 */
void filter_cleanup(void)
{
	static __u8 keys[1][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e;
	struct wfp_ipsec_obj_key k;
	struct sess *s = sess_normal(0);
	unsigned int i;
	int n;

	if (!s || !W.have_filters)
		return;
	memset(&k, 0, sizeof(k));
	k.type = WFP_IPSEC_OBJ_FILTER;
	for (i = 0; i < FILT_POOL; i++) {
		filt_key(k.key, i);
		ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
		memcpy(k.key, pool[i].key, sizeof(k.key));
		if (!all_zero(k.key, sizeof(k.key)))
			ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
	}
	for (i = 0; i < ngen && i < ARRAY_SIZE(gen_keys); i++) {
		memcpy(k.key, gen_keys[i], sizeof(k.key));
		ioctl(s->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
	}
	memset(&e, 0, sizeof(e));
	e.type = WFP_IPSEC_OBJ_FILTER;
	e.keys = (__u64)(uintptr_t)keys;
	e.max_entries = 1;
	filt_key(e.cursor, 0);
	e.cursor[2] = 0;
	if (ioctl(s->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e) ||
	    (e.count && keys[0][0] == FILT_KEY0 && keys[0][1] == (__u8)W.idx))
		fail(NR_OBJ_ENUM, "a filter of the worker's is left");
	n = xfrm_pol_count(filter_in_pool);
	if (n)
		fail(NR_FILTER_ADD, "%d xfrm policies of the worker's filters "
		     "left", n);
}
