// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's pools: every id it saw created, rings of deleted and
 * foreign ids, namespaces, live contexts with the state it believes them
 * in, reserved SPIs; and the picks commands make from them.
 */

#include "fuzz.h"

static struct known *known_slot(__u64 id)
{
	size_t mask = W.known_cap - 1, i = (id * 0x9e3779b97f4a7c15ULL) & mask;

	while (W.known[i].id && W.known[i].id != id)
		i = (i + 1) & mask;
	return &W.known[i];
}

struct known *known_find(__u64 id)
{
	struct known *k;

	if (!id || !W.known)
		return NULL;
	k = known_slot(id);
	return k->id ? k : NULL;
}

static struct known *known_add(__u64 id)
{
	struct known *k;

	if (2 * (W.known_n + 1) > W.known_cap) {
		struct known *old = W.known;
		size_t i, cap = W.known_cap;

		W.known_cap = cap ? cap * 2 : 4096;
		W.known = calloc(W.known_cap, sizeof(*W.known));
		if (!W.known)
			abort();
		for (i = 0; i < cap; i++)
			if (old[i].id)
				*known_slot(old[i].id) = old[i];
		free(old);
	}
	k = known_slot(id);
	if (!k->id) {
		W.known_n++;
		memset(k, 0, sizeof(*k));
		k->id = id;
	}
	return k;
}

/* A context of session s, with traffic t: the worker knows it from now. */
void known_created(const struct sess *s, __u64 id,
		   const struct wfp_ipsec_traffic *t)
{
	struct known *k = known_add(id);

	k->ns = s->ns;
	k->creator = s->sid;
	k->ver = t->ip_version;
	memcpy(k->local, t->local_addr, 16);
	memcpy(k->remote, t->remote_addr, 16);
}

/*
 * A context session s just created: the newest of its namespace, known,
 * and in the pool (in state) while there is room, else NULL.
 */
struct ctx *ctx_created(const struct sess *s, __u64 id, int state,
			const struct wfp_ipsec_traffic *t)
{
	struct ctx *x;

	W.ns[s->ns].last_ctx_id = id;
	g_res->contexts++;
	known_created(s, id, t);
	if (W.nctx == MAX_CTX)
		return NULL;	/* alive, untracked: the parent cleans up */
	x = &W.ctx[W.nctx++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->ns = s->ns;
	x->creator = s->sid;
	x->state = state;
	x->t = *t;
	return x;
}

void ring_put(__u64 *ring, unsigned int *n, __u64 v)
{
	ring[(*n)++ % RING] = v;
}

__u64 ring_pick(const __u64 *ring, unsigned int n)
{
	if (!n)
		return 0;
	return ring[rn(n < RING ? n : RING)];
}

int ns_new(__u64 cookie)
{
	if (W.nns == W.ns_cap) {
		W.ns_cap = W.ns_cap ? W.ns_cap * 2 : 16;
		W.ns = realloc(W.ns, W.ns_cap * sizeof(*W.ns));
		if (!W.ns)
			abort();
	}
	memset(&W.ns[W.nns], 0, sizeof(W.ns[0]));
	W.ns[W.nns].cookie = cookie;
	W.ns[W.nns].alive = true;
	return W.nns++;
}

int alive_foreign_ns(void)
{
	int i, n = 0;

	for (i = 1; i < W.nns; i++)
		n += W.ns[i].alive && W.ns[i].nsess > 0;
	return n;
}

struct ctx *ctx_find(__u64 id)
{
	int i;

	for (i = 0; i < W.nctx; i++)
		if (W.ctx[i].id == id)
			return &W.ctx[i];
	return NULL;
}

void ctx_drop(struct ctx *c)
{
	*c = W.ctx[--W.nctx];
}

/* A context the worker deleted: its id must never work again. */
void ctx_deleted(struct ctx *c, __u64 by)
{
	struct known *k = known_find(c->id);

	if (k)
		k->deleted_by = by;
	ring_put(W.stale, &W.nstale, c->id);
	ctx_drop(c);
}

void spi_reserved(struct ctx *c)
{
	struct spires *r = &W.spis[W.nspis++ % ARRAY_SIZE(W.spis)];

	r->spi = c->spi_in;
	r->ns = c->ns;
	r->owner = c->id;
}

/*
 * Whether the SPI is certainly held by an ESP state of the namespace: a
 * larval reservation or an inbound ESP SA of a context the worker owns
 * and nothing else deletes.
 */
bool spi_certainly_held(__u32 spi, int ns)
{
	unsigned int i, n = W.nspis < ARRAY_SIZE(W.spis) ? W.nspis :
			   ARRAY_SIZE(W.spis);
	struct ctx *c;

	for (i = 0; i < n; i++) {
		if (W.spis[i].spi != spi || W.spis[i].ns != ns)
			continue;
		c = ctx_find(W.spis[i].owner);
		if (!c || c->vol || c->spi_in != spi)
			continue;
		if (c->state == WFP_IPSEC_CTX_STATE_SPI_SET)
			return true;
		if ((c->state == WFP_IPSEC_CTX_STATE_INBOUND ||
		     c->state == WFP_IPSEC_CTX_STATE_COMPLETE) &&
		    c->proto[WFP_IPSEC_DIR_INBOUND] == IPPROTO_ESP)
			return true;
	}
	return false;
}

struct ctx *ctx_any(void)
{
	return W.nctx ? &W.ctx[rn(W.nctx)] : NULL;
}

/*
 * An id for a command that names a context.  *cp is the worker's own
 * context when the id is one and lives in s's namespace; *gone says the
 * id can name nothing there.  Random ids are far above anything the
 * module-wide counter can reach, so they never hit another worker's.
 */
__u64 pick_id(const struct sess *s, struct ctx *prefer,
	      struct ctx **cp, bool *gone)
{
	struct ctx *c = prefer;
	int r = rn(100);
	__u64 id;

	*cp = NULL;
	*gone = true;
	if (!c && r < 78)
		c = ctx_any();
	if (c) {
		if (c->ns == s->ns) {
			*cp = c;
			*gone = false;
		}
		return c->id;
	}
	id = r < 88 ? ring_pick(W.stale, W.nstale) : 0;
	if (!id && r < 94)
		id = ring_pick(W.foreign, W.nforeign);
	if (id)
		return id;
	switch (rn(4)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return (1ULL << 63) | r64();
	default:
		return (1ULL << 48) + (r64() >> 20);
	}
}

__u64 pick_cursor(const struct sess *s)
{
	struct ctx *x;
	bool gone;

	switch (rn(6)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return ring_pick(W.stale, W.nstale);
	case 3:
		return ring_pick(W.foreign, W.nforeign);
	case 4:
		return r64() >> rn(64);
	default:
		return pick_id(s, NULL, &x, &gone);
	}
}
