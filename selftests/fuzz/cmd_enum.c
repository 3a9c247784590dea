// SPDX-License-Identifier: GPL-2.0
/*
 * CTX_ENUM: single pages with mutations, and whole walks that must
 * return every matching context exactly once (contexts.rst).
 */

#include "fuzz.h"

/*
 * An entry outside the template.  Even a context another worker moves
 * meanwhile: the kernel reports the traffic it matched.
 */
static void check_enum_match(const struct wfp_ipsec_ctx_enum *in,
			     const struct wfp_ipsec_ctx_info *x)
{
	char t[4][80];

	if (subnet_match(&in->local, x->traffic.ip_version,
			 x->traffic.local_addr) &&
	    subnet_match(&in->remote, x->traffic.ip_version,
			 x->traffic.remote_addr))
		return;
	fmt_subnet(&in->local, t[0]);
	fmt_subnet(&in->remote, t[1]);
	fmt_addr(x->traffic.ip_version, x->traffic.local_addr, t[2]);
	fmt_addr(x->traffic.ip_version, x->traffic.remote_addr, t[3]);
	fail(NR_ENUM, "context %llu (%s, %s -> %s) does not match the "
	     "template %s -> %s", (unsigned long long)x->id,
	     ctx_find(x->id) ? "own" : "another worker's", t[2], t[3], t[0],
	     t[1]);
}

/* The kernel writes count entries and not a byte more. */
static void check_enum_tail(const struct wfp_ipsec_ctx_info *e, __u32 n,
			    __u32 max)
{
	const unsigned char *tail = (const unsigned char *)&e[n];
	size_t j, len = (size_t)(max - n) * sizeof(*e);

	if (len > 4 * sizeof(*e))
		len = 4 * sizeof(*e);
	for (j = 0; j < len; j++)
		if (tail[j] != 0xa5) {
			fail(NR_ENUM, "wrote past entry %u (byte %zu)", n, j);
			break;
		}
}

/* Enumeration entries the kernel wrote, in [0, count); cursor given. */
static void check_enum_page(const struct call *c, const struct sess *s,
			    const struct wfp_ipsec_ctx_info *e, __u32 max)
{
	const struct wfp_ipsec_ctx_enum *in = &c->in.en, *o = &c->out.en;
	__u64 prev = in->cursor;
	__u32 i, n = o->count;

	if (n > max || n > ENUM_BUF) {
		fail(NR_ENUM, "count %u > max_entries %u", n, max);
		return;
	}
	if (o->cursor != (n ? e[n - 1].id : in->cursor))
		fail(NR_ENUM, "cursor %llu after %u entries (last %llu, given "
		     "%llu)", (unsigned long long)o->cursor, n,
		     n ? (unsigned long long)e[n - 1].id : 0ULL,
		     (unsigned long long)in->cursor);
	for (i = 0; i < n; i++) {
		if (e[i].id <= prev) {
			fail(NR_ENUM, "entry %u: id %llu not above %llu", i,
			     (unsigned long long)e[i].id,
			     (unsigned long long)prev);
			return;
		}
		prev = e[i].id;
		check_enum_match(in, &e[i]);
		check_info(NR_ENUM, &e[i], s);
	}
	check_enum_tail(e, n, max);
}

/* One mutation of an ENUM request. */
static void enum_mutate(struct call *c)
{
	struct wfp_ipsec_ctx_enum *e = &c->in.en;

	if (mutate_common(c))
		return;
	switch (rn(7)) {
	case 0:
		break_subnet(rn(2) ? &e->local : &e->remote);
		must_fail(c, "subnet");
		break;
	case 1:
		e->local.ip_version = WFP_IPSEC_IPV4;
		e->local.prefix_len = 0;
		memset(e->local.addr, 0, 16);
		e->remote.ip_version = WFP_IPSEC_IPV6;
		e->remote.prefix_len = 0;
		memset(e->remote.addr, 0, 16);
		must_fail(c, "versions-differ");
		break;
	case 2:
		e->max_entries = WFP_IPSEC_ENUM_MAX + 1 + rn(0x7fffffff);
		must_fail(c, "huge-count");
		break;
	case 3:
		e->count = 1 + rn(100);
		must_fail(c, "count-in");
		break;
	case 4:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_enum, reserved),
			      sizeof(e->reserved));
		break;
	case 5:
		/* the only mutation here that sets C_EFAULT_OK */
		e->entries = bad_ptr(rn(P_KINDS), e->max_entries *
				     sizeof(W.enumbuf[0]));
		c->flags |= C_EFAULT_OK;
		mut_note(c, "bad-entries-ptr");
		break;
	default:
		/* entries at an odd address: still valid memory */
		e->entries += 1 + rn(7);
		break;
	}
}

/* The reply of an ENUM that succeeded; returns the entries' count. */
static __u32 enum_check(const struct call *c, const struct sess *s)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_enum, cursor),
		SPAN(struct wfp_ipsec_ctx_enum, count),
	};
	const struct wfp_ipsec_ctx_enum *in = &c->in.en;
	__u32 n = c->out.en.count;

	check_echo(c, outs, ARRAY_SIZE(outs));
	if (c->flags & C_EFAULT_OK) {
		/* entries may fit before a straddling buffer's fault */
		if (n * sizeof(W.enumbuf[0]) > usable_prefix(in->entries))
			fail(NR_ENUM, "%u entries written through a bad "
			     "pointer", n);
		return n;
	}
	check_enum_page(c, s, (const struct wfp_ipsec_ctx_info *)
			(uintptr_t)in->entries, in->max_entries);
	return n;
}

/* One ENUM call; returns its errno, *n the entries it returned. */
static int enum_page(struct sess *s, struct call *c, __u32 max, bool clean,
		     __u32 *n)
{
	struct wfp_ipsec_ctx_enum *e = &c->in.en;
	unsigned char *base = (unsigned char *)W.enumbuf;
	int m = clean ? 0 : n_mutations(), ret;

	e->max_entries = max;
	e->entries = (__u64)(uintptr_t)base;
	/* and the 7 bytes a misaligned pointer moves the array by */
	memset(base, 0xa5,
	       (size_t)(max < 8 ? 8 : max) * sizeof(W.enumbuf[0]) + 8);
	while (m--)
		enum_mutate(c);
	/* a valid template and page size: nothing to refuse */
	if (!(c->flags & C_MUTATED))
		set_strict(c, NULL, ES(0));
	ret = exec_call(c, s);
	*n = 0;
	if (ret || (c->flags & C_NO_OUTCHECK) || !s->ready || s->nocap)
		return ret;
	*n = enum_check(c, s);
	return ret;
}

void do_enum(struct sess *s)
{
	struct call c;
	__u32 n, max = pm(800) ? rn(65) : rn(ENUM_BUF + 1);

	call_init(&c, NR_ENUM);
	gen_template(&c.in.en.local, &c.in.en.remote);
	c.in.en.cursor = pick_cursor(s);
	enum_page(s, &c, max, false, &n);
}

/* A walk in progress: its template, page size, and what it saw. */
struct walk {
	struct wfp_ipsec_subnet l, r;
	__u32 page;
	__u64 *seen;
	size_t nseen, cap;
	__u64 removed[8];	/* cursors deleted between pages */
	int nremoved;
};

static void walk_saw(struct walk *w, __u64 id)
{
	if (w->nseen == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->seen = realloc(w->seen, w->cap * sizeof(*w->seen));
		if (!w->seen)
			abort();
	}
	w->seen[w->nseen++] = id;
}

/* The walk must survive its cursor's deletion. */
static void walk_delete_cursor(struct walk *w, struct sess *s, __u64 cursor)
{
	struct ctx *x = ctx_find(cursor);
	struct call d;

	if (!x || x->ns != s->ns || s->dynamic)
		return;
	call_init(&d, NR_DELETE);
	d.in.cid.id = cursor;
	if (ctx_certain(x, s))
		set_strict(&d, x, ES(0));
	if (exec_call(&d, s))
		return;
	w->removed[w->nremoved++] = cursor;
	ctx_deleted(x, s->sid);
}

/* Pages until a short one (true) or an error or the budget (false). */
static bool walk_pages(struct walk *w, struct sess *s)
{
	__u64 cursor = 0;
	__u32 n, i;
	int pages = 0;

	for (;;) {
		const struct wfp_ipsec_ctx_info *e;
		struct call c;

		call_init(&c, NR_ENUM);
		c.in.en.local = w->l;
		c.in.en.remote = w->r;
		c.in.en.cursor = cursor;
		if (enum_page(s, &c, w->page, true, &n))
			return false;
		e = (const struct wfp_ipsec_ctx_info *)(uintptr_t)
		    c.in.en.entries;
		for (i = 0; i < n; i++)
			walk_saw(w, e[i].id);
		if (n)
			cursor = e[n - 1].id;
		if (n < w->page)
			return true;
		if (++pages > 400 || TS->calls >= W.budget)
			return false;
		if (w->nremoved < 8 && pm(200))
			walk_delete_cursor(w, s, cursor);
	}
}

/* Whether the walk had to return x: in the namespace, alive throughout. */
static bool walk_owes(const struct walk *w, const struct ctx *x, int ns)
{
	int q;

	if (x->ns != ns || x->vol ||
	    !subnet_match(&w->l, x->t.ip_version, x->t.local_addr) ||
	    !subnet_match(&w->r, x->t.ip_version, x->t.remote_addr))
		return false;
	for (q = 0; q < w->nremoved; q++)
		if (w->removed[q] == x->id)
			return false;
	return true;
}

/* A complete walk returned each context it owes exactly once. */
static void walk_check(const struct walk *w, int ns)
{
	size_t k;
	int j, cnt;

	for (j = 0; j < W.nctx; j++) {
		const struct ctx *x = &W.ctx[j];

		if (!walk_owes(w, x, ns))
			continue;
		for (k = 0, cnt = 0; k < w->nseen; k++)
			cnt += w->seen[k] == x->id;
		if (cnt != 1)
			fail(NR_ENUM, "walk (pages of %u, %d cursor deletions) "
			     "returned context %llu %d times", w->page,
			     w->nremoved, (unsigned long long)x->id, cnt);
	}
}

/*
 * A whole walk, page by page, maybe deleting the cursor's context between
 * pages: every own context of the namespace that lives throughout and
 * matches the template must come back exactly once (contexts.rst).
 */
void do_enum_walk(struct sess *s)
{
	struct walk w = {
		.page = pm(400) ? 1 + rn(16) : 64 + rn(ENUM_BUF - 63),
	};

	if (!s->ready || s->nocap)
		return;
	g_res->walks++;
	gen_template(&w.l, &w.r);
	if (walk_pages(&w, s))
		walk_check(&w, s->ns);
	free(w.seen);
}
