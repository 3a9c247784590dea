// SPDX-License-Identifier: GPL-2.0
/*
 * Context commands that name one context: CTX_CREATE, CTX_DELETE,
 * CTX_GET, CTX_EXPIRE, CTX_UPDATE.
 */

#include "fuzz.h"

static void create_gen(struct call *c)
{
	struct wfp_ipsec_ctx_create *cr = &c->in.create;

	call_init(c, NR_CREATE);
	gen_traffic(&cr->traffic, 0, -1);
	if (pm(100)) {
		cr->flags = WFP_IPSEC_CTX_F_VIF;
		cr->vif_tunnel_id = r64();
		cr->vif_traffic_selector_id = r64();
	}
}

static void create_flip(struct call *c)
{
	const struct span keep[] = { SPAN(struct wfp_ipsec_ctx_create, id) };

	flip_byte(c, keep, 1);
}

static void create_mutate(struct call *c)
{
	struct wfp_ipsec_ctx_create *cr = &c->in.create;

	if (mutate_common(c))
		return;
	switch (rn(7)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_create,
					  reserved0), 4);
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_create,
					  reserved), sizeof(cr->reserved));
		break;
	case 2:
		cr->flags |= 1u << (1 + rn(31));
		must_fail(c, "flags");
		break;
	case 3:
		cr->flags &= ~WFP_IPSEC_CTX_F_VIF;
		cr->vif_tunnel_id |= 1ULL << rn(64);
		must_fail(c, "vif-without-flag");
		break;
	case 4:
		break_traffic(&cr->traffic);
		must_fail(c, "traffic");
		break;
	case 5:
		create_flip(c);
		break;
	default:
		/* output-only fields are ignored on input */
		cr->id = r64();
		cr->inbound_filter_id = r64();
		break;
	}
}

/* The reply of a CREATE that succeeded: a new id, now in the pools. */
static struct ctx *create_done(struct call *c, const struct sess *s)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_create, id),
		SPAN(struct wfp_ipsec_ctx_create, inbound_filter_id),
	};
	const struct wfp_ipsec_ctx_create *cr = &c->out.create;
	__u64 id = cr->id;

	check_echo(c, outs, ARRAY_SIZE(outs));
	if (cr->inbound_filter_id)
		fail(NR_CREATE, "inbound_filter_id %llu, not 0",
		     (unsigned long long)cr->inbound_filter_id);
	if (!id || id <= W.ns[s->ns].last_ctx_id || known_find(id))
		fail(NR_CREATE, "id %llu not new (last %llu)",
		     (unsigned long long)id,
		     (unsigned long long)W.ns[s->ns].last_ctx_id);
	return ctx_created(s, id, WFP_IPSEC_CTX_STATE_CREATED, &cr->traffic);
}

struct ctx *do_create(struct sess *s, bool clean)
{
	int m = clean ? 0 : n_mutations();
	struct call c;

	create_gen(&c);
	while (m--)
		create_mutate(&c);
	if (!(c.flags & C_MUTATED) && s->ready && !s->nocap)
		set_strict(&c, NULL, s->dynamic ? ES(EPERM) :
			   ES(0, ENOMEM, ENOSPC));
	if (s->dynamic)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s)) {
		/* did the failed CREATE leave a context behind? */
		if (c.am == AM_RO && s->ready && !s->nocap)
			probe_ghost_contexts(s, NR_CREATE);
		return NULL;
	}
	if (!s->ready || s->nocap || s->dynamic)
		return NULL;	/* reported by exec_call */
	/* cannot happen: the reply is copied out on success */
	if (c.flags & C_NO_OUTCHECK)
		return NULL;
	return create_done(&c, s);
}

void do_delete(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_DELETE);
	c.in.cid.id = pick_id(s, prefer, &x, &c.gone);
	while (m--)
		mutate_ctx_id(&c);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, s->dynamic ? ES(EPERM) : ES(0));
	if (s->dynamic)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s) || !x || !s->ready || s->nocap || s->dynamic)
		return;
	ctx_deleted(x, s->sid);
}

void do_get(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_GET);
	c.in.get.id = pick_id(s, prefer, &x, &c.gone);
	while (m--) {
		if (mutate_common(&c))
			continue;
		/* everything but the id must be zero on input */
		c.in.raw[8 + rn(sizeof(c.in.get) - 8)] = 1 + rn(255);
		must_fail(&c, "non-zero-output-field");
	}
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, ES(0));
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    s->nocap)
		return;
	if (c.out.get.id != c.in.get.id)
		fail(NR_GET, "asked %llu, got %llu",
		     (unsigned long long)c.in.get.id,
		     (unsigned long long)c.out.get.id);
	check_info(NR_GET, &c.out.get, s);
}

void do_expire(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_EXPIRE);
	c.in.cid.id = pick_id(s, prefer, &x, &c.gone);
	while (m--)
		mutate_ctx_id(&c);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, x->state == WFP_IPSEC_CTX_STATE_COMPLETE ?
			   ES(0, ENOMEM) : ES(EBUSY));
	if (exec_call(&c, s) || !x || !s->ready || s->nocap)
		return;
	x->state = WFP_IPSEC_CTX_STATE_EXPIRED;
	x->proto[WFP_IPSEC_DIR_OUTBOUND] = 0;
}

/* The traffic for UPDATE: the context's with one address moved. */
static void update_traffic(struct wfp_ipsec_ctx_update *u,
			   const struct ctx *x)
{
	u->flags |= WFP_IPSEC_UPD_F_TRAFFIC;
	if (!x) {
		gen_traffic(&u->traffic, 0, -1);
		return;
	}
	u->traffic = x->t;
	pool_addr(x->t.ip_version, rn(2), rn(2) ?
		  u->traffic.local_addr : u->traffic.remote_addr);
	if (pm(300))
		gen_traffic(&u->traffic, x->t.ip_version, x->t.traffic_type);
}

/* Each record an UPDATE may carry, or not; AH cannot be encapsulated. */
static void update_gen(struct wfp_ipsec_ctx_update *u, const struct ctx *x)
{
	bool ah = x && (x->proto[0] == IPPROTO_AH ||
			x->proto[1] == IPPROTO_AH);

	if (pm(500))
		update_traffic(u, x);
	if (pm(400) && (!x || x->t.ip_version == WFP_IPSEC_IPV4)) {
		u->flags |= WFP_IPSEC_UPD_F_UDP_ENCAP;
		if (!ah && pm(600)) {
			u->encap = 1;
			u->encap_local_port = htons(pm(500) ? 4500 :
						    1 + rn(65535));
			u->encap_remote_port = htons(pm(500) ? 4500 :
						     1 + rn(65535));
		}
	}
	if (pm(300)) {
		u->flags |= WFP_IPSEC_UPD_F_BUNDLE_FLAGS;
		u->bundle_flags[0] = (__u32)r64();
		u->bundle_flags[1] = (__u32)r64();
	}
	if (pm(200)) {
		u->flags |= WFP_IPSEC_UPD_F_NAP_CONTEXT;
		u->nap_context[0] = (__u32)r64();
		u->nap_context[1] = (__u32)r64();
	}
	if (pm(200)) {
		u->flags |= WFP_IPSEC_UPD_F_MM_SA_ID;
		u->mm_sa_id[0] = r64();
		u->mm_sa_id[1] = r64();
	}
}

/* Encapsulation fields that do not agree. */
static void update_bad_encap(struct call *c)
{
	struct wfp_ipsec_ctx_update *u = &c->in.upd;

	u->flags |= WFP_IPSEC_UPD_F_UDP_ENCAP;
	switch (rn(3)) {
	case 0:
		u->encap = 2 + rn(100);
		break;
	case 1:
		u->encap = 1;
		u->encap_local_port = 0;
		u->encap_remote_port = htons(4500);
		break;
	default:
		u->encap = 0;
		u->encap_local_port = htons(4500);
		break;
	}
	must_fail(c, "encap");
}

/* Another IP version than the context's: EXDEV. */
static void update_other_version(struct call *c, const struct ctx *x)
{
	struct wfp_ipsec_ctx_update *u = &c->in.upd;

	if (!x)
		return;
	u->flags |= WFP_IPSEC_UPD_F_TRAFFIC;
	gen_traffic(&u->traffic, x->t.ip_version == WFP_IPSEC_IPV4 ?
		    WFP_IPSEC_IPV6 : WFP_IPSEC_IPV4, -1);
	if (u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP) {
		u->flags &= ~WFP_IPSEC_UPD_F_UDP_ENCAP;
		u->encap = 0;
		u->encap_local_port = 0;
		u->encap_remote_port = 0;
	}
	must_fail(c, "other-version");
}

static void update_mutate(struct call *c, const struct ctx *x)
{
	const struct span keep[] = { SPAN(struct wfp_ipsec_ctx_update, id) };
	struct wfp_ipsec_ctx_update *u = &c->in.upd;
	bool has_traffic = u->flags & WFP_IPSEC_UPD_F_TRAFFIC;

	if (mutate_common(c))
		return;
	switch (rn(9)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_update,
					  reserved), sizeof(u->reserved));
		break;
	case 1:
		u->flags |= 1ULL << (rn(2) ? 4 + rn(2) : 7 + rn(57));
		must_fail(c, "flags");
		break;
	case 2:
		/* traffic given without its flag */
		if (!has_traffic) {
			gen_traffic(&u->traffic, 0, -1);
			must_fail(c, "traffic-without-flag");
		}
		break;
	case 3:
		if (has_traffic) {
			break_traffic(&u->traffic);
			must_fail(c, "traffic");
		}
		break;
	case 4:
		update_bad_encap(c);
		break;
	case 5:
		update_other_version(c, x);
		break;
	case 6:
		/* encapsulation fields without the flag */
		if (!(u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP)) {
			u->encap_remote_port = htons(1 + rn(65535));
			must_fail(c, "encap-without-flag");
		}
		break;
	case 7:
		/* a bundle record without its flag */
		if (!(u->flags & WFP_IPSEC_UPD_F_MM_SA_ID)) {
			u->mm_sa_id[rn(2)] = 1 + (r64() >> 1);
			must_fail(c, "record-without-flag");
		}
		break;
	default:
		flip_byte(c, keep, 1);
		break;
	}
}

/* What a valid UPDATE of a context in a known state must give. */
static void update_expect(struct call *c, const struct ctx *x)
{
	const struct wfp_ipsec_ctx_update *u = &c->in.upd;
	bool encap_after = u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP ? u->encap :
			   x->encap;

	if (x->state != WFP_IPSEC_CTX_STATE_INBOUND &&
	    x->state != WFP_IPSEC_CTX_STATE_COMPLETE)
		set_strict(c, x, ES(EBUSY));
	else if (x->peer_priv && !encap_after)
		/* the NAT-T address needs the encapsulation */
		set_strict(c, x, ES(EINVAL));
	else
		set_strict(c, x, ES(0, EEXIST, ENOMEM, ENOSPC));
}

void do_update(struct sess *s, struct ctx *prefer)
{
	struct wfp_ipsec_ctx_update *u;
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_UPDATE);
	u = &c.in.upd;
	u->id = pick_id(s, prefer, &x, &c.gone);
	update_gen(u, x);
	while (m--)
		update_mutate(&c, x);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		update_expect(&c, x);
	if (exec_call(&c, s) || !x || !s->ready || s->nocap)
		return;
	if (u->flags & WFP_IPSEC_UPD_F_TRAFFIC)
		x->t = u->traffic;
	if (u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP) {
		x->encap = u->encap;
		x->el = u->encap_local_port;
		x->er = u->encap_remote_port;
	}
}

/*
 * After a CTX_CREATE (or batch) that failed because its reply could not
 * be written: every context this session created must be one the worker
 * knows.  nr 0: adopt them quietly (a batch whose per-entry results could
 * not be written back made them, as its documentation says).
 */
void probe_ghost_contexts(struct sess *s, int nr)
{
	struct wfp_ipsec_ctx_enum e;
	__u64 cursor = 0;
	__u32 i;

	for (;;) {
		memset(&e, 0, sizeof(e));
		e.cursor = cursor;
		e.entries = (__u64)(uintptr_t)W.enumbuf;
		e.max_entries = ENUM_BUF;
		if (sys_ioctl(s->fd, WFP_IPSEC_IOC_CTX_ENUM, &e))
			return;
		for (i = 0; i < e.count; i++) {
			struct wfp_ipsec_ctx_info *x = &W.enumbuf[i];

			if (x->creator_session_id != s->sid ||
			    known_find(x->id))
				continue;
			if (nr)
				fail(nr, "%s failed (read-only argument) but "
				     "created context %llu: a failed command "
				     "changed something", cmd_name(nr),
				     (unsigned long long)x->id);
			known_created(s, x->id, &x->traffic);
		}
		if (e.count < ENUM_BUF)
			return;
		cursor = e.cursor;
	}
}
