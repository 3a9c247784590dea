// SPDX-License-Identifier: GPL-2.0
/*
 * CTX_ADD_INBOUND/OUTBOUND and CTX_GET_SA.
 */

#include "fuzz.h"

/* Reserved fields, of the call, the bundle, the SA, and sas[1]. */
static int add_mutate_reserved(struct call *c, int kind)
{
	struct wfp_ipsec_ctx_add *a = &c->in.add;
	struct wfp_ipsec_sa *sa = &a->bundle.sas[0];
	size_t bundle = offsetof(struct wfp_ipsec_ctx_add, bundle);

	switch (kind) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_add,
					  reserved0), 4);
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_add, reserved),
			      sizeof(a->reserved));
		break;
	case 2:
		poke_reserved(c, bundle + offsetof(struct wfp_ipsec_bundle,
						   reserved0), 4);
		break;
	case 3:
		switch (rn(3)) {
		case 0:
			sa->reserved0 = 1 + rn(0xfffe);
			break;
		case 1:
			sa->reserved1 = 1 + rn(0xfffe);
			break;
		default:
			sa->reserved[rn(2)] = 1ULL << rn(64);
			break;
		}
		must_fail(c, "sa-reserved");
		break;
	default:
		/* only sas[0] is used; sas[1] must be zero */
		rfill(&a->bundle.sas[1], sizeof(a->bundle.sas[1]));
		a->bundle.sas[1].reserved0 = 0;
		a->bundle.sas[1].reserved1 = 0;
		memset(a->bundle.sas[1].reserved, 0, sizeof(sa->reserved));
		must_fail(c, "sas[1]");
		break;
	}
	return WFP_IPSEC_ADD_ST_OK;
}

/* Type and config that disagree, or out of range; -1: no one status. */
static int add_bad_alg_ids(struct wfp_ipsec_sa *sa)
{
	if (sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_CIPHER) {
		sa->cipher_config = 9 + rn(200);
		return WFP_IPSEC_ADD_ST_CIPHER;
	}
	if (sa->transform_type != WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER) {
		sa->auth_config = 6 + rn(200);
		return WFP_IPSEC_ADD_ST_AUTH;
	}
	sa->auth_type = 6 + rn(200);
	return -1;
}

/* A key blob of the wrong size. */
static void add_bad_key_len(struct wfp_ipsec_sa *sa)
{
	__u32 *len = sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_CIPHER ||
		     gcm_sa(sa) ? &sa->cipher_key_len : &sa->auth_key_len;
	__u32 old = *len;

	do {
		*len = rn(4) ? rn(WFP_IPSEC_KEY_MAX + 2) : (__u32)r64();
	} while (*len == old);
}

/*
 * The GCM blob given twice, differently; only while the blob is still
 * ours: an earlier mutation of this call may have made the pointer or
 * its length bogus.  Else an SPI below 256.
 */
static int add_bad_gcm_or_spi(struct call *c, struct wfp_ipsec_sa *sa)
{
	if (gcm_sa(sa) && sa->auth_key_len &&
	    !key_ptr_bad(sa->auth_key, sa->auth_key_len) &&
	    first_toggle(c, 2)) {
		unsigned char *key = (unsigned char *)(uintptr_t)sa->auth_key;

		key[rn(sa->auth_key_len)] ^= 1;
		must_fail(c, "gcm-keys-differ");
		return WFP_IPSEC_ADD_ST_KEY_LENGTH;
	}
	sa->spi = rn(256);
	must_fail(c, "spi<256");
	return WFP_IPSEC_ADD_ST_SPI;
}

/* The SA's own fields; returns the status the call must then give. */
static int add_mutate_sa(struct call *c, int kind)
{
	struct wfp_ipsec_bundle *b = &c->in.add.bundle;
	struct wfp_ipsec_sa *sa = &b->sas[0];
	int st;

	switch (kind) {
	case 5:
		b->num_sas = rn(3) ? 0 : 2 + rn(0xffff);
		must_fail(c, "num_sas");
		return WFP_IPSEC_ADD_ST_NUM_SAS;
	case 6:
		sa->transform_type = rn(2) ? 0 : 6 + rn(0xffff);
		must_fail(c, "transform");
		return WFP_IPSEC_ADD_ST_TRANSFORM;
	case 7:
		st = add_bad_alg_ids(sa);
		must_fail(c, "alg-ids");
		return st;
	case 8:
		add_bad_key_len(sa);
		must_fail(c, "key-length");
		return WFP_IPSEC_ADD_ST_KEY_LENGTH;
	default:
		return add_bad_gcm_or_spi(c, sa);
	}
}

/*
 * Nor the SPI and key lengths, which an earlier mutation may have made
 * invalid and a flip valid again.
 */
static void add_flip(struct call *c)
{
	const size_t bundle = offsetof(struct wfp_ipsec_ctx_add, bundle);
	const struct span keep[] = {
		SPAN(struct wfp_ipsec_ctx_add, id),
		{ bundle + offsetof(struct wfp_ipsec_bundle, sas[0].spi), 4 },
		{ bundle + offsetof(struct wfp_ipsec_bundle,
				    sas[0].auth_key_len), 8 },
		{ bundle + offsetof(struct wfp_ipsec_bundle,
				    sas[0].auth_key), 8 },
		{ bundle + offsetof(struct wfp_ipsec_bundle,
				    sas[0].cipher_key), 8 },
	};

	flip_byte(c, keep, ARRAY_SIZE(keep));
}

/* Pointers, SPIs, addresses, bytes; -1: no one status. */
static int add_mutate_other(struct call *c, int kind, bool inbound,
			    const struct ctx *x)
{
	struct wfp_ipsec_ctx_add *a = &c->in.add;
	struct wfp_ipsec_sa *sa = &a->bundle.sas[0];
	__u64 *p;
	__u32 len;

	switch (kind) {
	case 10:
		/* a bogus key pointer: EFAULT if the key is read */
		p = rn(2) ? &sa->auth_key : &sa->cipher_key;
		len = p == &sa->auth_key ? sa->auth_key_len :
		      sa->cipher_key_len;
		*p = bad_ptr(rn(P_KINDS), len ? len : 8);
		c->flags |= C_EFAULT_OK;
		mut_note(c, "bad-key-ptr");
		break;
	case 11:
		if (!inbound || !x)
			break;
		sa->spi = x->spi_in ^ (1u << rn(32));
		if (sa->spi < 256)
			sa->spi |= 0x100;
		must_fail(c, "not-the-reserved-spi");
		return WFP_IPSEC_ADD_ST_SPI;
	case 12:
		/* NAT-T original address without encapsulation, or on IPv6 */
		if (x && !x->encap) {
			a->bundle.peer_v4_private_addr =
				htonl(0xc0a80001 + rn(200));
			must_fail(c, "peer-private-without-encap");
		}
		break;
	default:
		add_flip(c);
		break;
	}
	return -1;
}

/*
 * One mutation of an ADD request; c->expect_status records the status a
 * lone mutation of a known kind must leave in the reply (-2: several).
 */
static void mutate_add(struct call *c, bool inbound, const struct ctx *x)
{
	int kind, st;

	if (mutate_common(c))
		return;
	kind = rn(14);
	if (kind <= 4)
		st = add_mutate_reserved(c, kind);
	else if (kind <= 9)
		st = add_mutate_sa(c, kind);
	else
		st = add_mutate_other(c, kind, inbound, x);
	if (st >= 0)
		c->expect_status = c->expect_status == -1 ? st : -2;
	else
		c->expect_status = -2;
}

/* The SPI of an ADD: the reserved one inbound, any above 255 outbound. */
static __u32 add_spi(bool inbound, const struct ctx *x)
{
	__u32 spi;

	if (inbound)
		return x && x->spi_in ? x->spi_in : 256 + rn(0xfffffeff);
	if (pm(100) && W.nspis)
		return W.spis[rn(W.nspis < ARRAY_SIZE(W.spis) ? W.nspis :
				 ARRAY_SIZE(W.spis))].spi;
	do {
		spi = (__u32)r64();
	} while (spi < 256);
	return spi;
}

/* The bundle's other fields: lifetimes, and records the module keeps. */
static void add_bundle_gen(struct wfp_ipsec_bundle *b, const struct ctx *x)
{
	if (!W.no_mutate && !W.det && pm(50)) {
		/* xfrm deletes the SA, and so the context, when this hits */
		b->lifetime_seconds = 1 + rn(4);
	}
	if (pm(150))
		b->lifetime_kilobytes = (__u32)r64();
	if (pm(150))
		b->lifetime_packets = (__u32)r64();
	if (pm(300)) {
		b->flags = (__u32)r64();
		b->idle_timeout_seconds = (__u32)r64();
		b->nd_allow_clear_timeout_seconds = (__u32)r64();
		b->nap_context = (__u32)r64();
		b->qm_sa_id = (__u32)r64();
		b->pfs_group = (__u32)r64();
		b->mm_sa_id = r64();
		b->qm_filter_id = r64();
		rfill(b->sa_lookup_context, 16);
	}
	if (x && x->encap && pm(300))
		b->peer_v4_private_addr = htonl(0xc0a80001 + rn(200));
}

/* A valid ADD of one SA; AH not under UDP encapsulation. */
static void add_gen(struct call *c, const struct ctx *x, bool inbound)
{
	struct wfp_ipsec_bundle *b = &c->in.add.bundle;

	gen_sa(&b->sas[0], !x || !x->encap);
	b->num_sas = 1;
	b->sas[0].spi = add_spi(inbound, x);
	add_bundle_gen(b, x);
	if (pm(50))
		c->in.add.status = (__u32)r64();	/* output only */
}

static void add_expect(struct call *c, const struct ctx *x, bool inbound)
{
	int want = inbound ? WFP_IPSEC_CTX_STATE_SPI_SET :
		   WFP_IPSEC_CTX_STATE_INBOUND;

	if (x->state != want)
		set_strict(c, x, ES(EBUSY));
	else
		set_strict(c, x, ES(0, EEXIST, ENOPKG, ENOMEM));
}

/* The reply could not be written: nothing may have changed. */
static void add_check_unchanged(struct sess *s, struct ctx *x, int nr)
{
	struct wfp_ipsec_ctx_info i = { .id = x->id };

	if (sys_ioctl(s->fd, WFP_IPSEC_IOC_CTX_GET, &i) ||
	    i.state == (__u32)x->state)
		return;
	fail(nr, "%s failed (read-only argument) but context %llu went "
	     "from state %d to %u: a failed command changed something",
	     cmd_name(nr), (unsigned long long)x->id, x->state, i.state);
	x->state = ST_UNKNOWN;
}

/* The status the handler writes back, on failure too. */
static void add_check_status(const struct call *c, int nr, int ret)
{
	const struct span outs[] = { SPAN(struct wfp_ipsec_ctx_add, status) };
	__u32 st = c->out.add.status;

	check_echo(c, outs, 1);
	if (st > WFP_IPSEC_ADD_ST_SPI)
		fail(nr, "status %u out of range", st);
	if (!ret && st)
		fail(nr, "success with status %u", st);
	if (ret == EINVAL && c->expect_status >= 0 && c->am != AM_BAD &&
	    st != (__u32)c->expect_status)
		fail(nr, "status %u, the mutation (%s) means %d", st, c->mut,
		     c->expect_status);
	if (ret == EOPNOTSUPP && st != WFP_IPSEC_ADD_ST_NUM_SAS)
		fail(nr, "EOPNOTSUPP with status %u", st);
	if (ret == ENOPKG && st != WFP_IPSEC_ADD_ST_UNAVAILABLE)
		fail(nr, "ENOPKG with status %u", st);
}

/* An ADD that succeeded: the keys were readable; the context moved on. */
static void add_done(const struct call *c, struct ctx *x, bool inbound)
{
	const struct wfp_ipsec_bundle *b = &c->in.add.bundle;
	const struct wfp_ipsec_sa *sa = &b->sas[0];
	int dir = inbound ? WFP_IPSEC_DIR_INBOUND : WFP_IPSEC_DIR_OUTBOUND;

	if (key_ptr_bad(sa->auth_key, sa->auth_key_len) && !gcm_sa(sa))
		fail(c->nr, "succeeded with an unreadable auth key pointer");
	if (key_ptr_bad(sa->cipher_key, sa->cipher_key_len))
		fail(c->nr, "succeeded with an unreadable cipher key pointer");
	x->state = inbound ? WFP_IPSEC_CTX_STATE_INBOUND :
			     WFP_IPSEC_CTX_STATE_COMPLETE;
	x->proto[dir] = sa->transform_type == WFP_IPSEC_TRANSFORM_AH ?
			IPPROTO_AH : IPPROTO_ESP;
	x->spi[dir] = sa->spi;
	x->tt[dir] = sa->transform_type;
	if (b->lifetime_seconds)
		x->vol = true;
	if (inbound && b->peer_v4_private_addr)
		x->peer_priv = true;
}

void do_add(struct sess *s, struct ctx *prefer, bool inbound)
{
	int nr = inbound ? NR_ADD_IN : NR_ADD_OUT, m = n_mutations(), ret;
	struct call c;
	struct ctx *x;

	call_init(&c, nr);
	c.in.add.id = pick_id(s, prefer, &x, &c.gone);
	add_gen(&c, x, inbound);
	while (m--)
		mutate_add(&c, inbound, x);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		add_expect(&c, x, inbound);
	ret = exec_call(&c, s);
	if (!s->ready || s->nocap)
		return;
	if (c.am == AM_RO && x && ctx_certain(x, s))
		add_check_unchanged(s, x, nr);
	/* the handler ran (and wrote status) only past the gates */
	if (!(c.flags & C_NO_OUTCHECK) && cmd_nr(c.word) == nr &&
	    !es_has(ES(ENOTTY, EBADFD, EACCES, EFAULT, EBADF), ret))
		add_check_status(&c, nr, ret);
	if (!ret && x)
		add_done(&c, x, inbound);
}

static void get_sa_mutate(struct call *c)
{
	struct wfp_ipsec_ctx_sa *g = &c->in.gsa;

	if (mutate_common(c))
		return;
	switch (rn(4)) {
	case 0:
		g->dir = 2 + (__u32)rn(0xfffffffd);
		must_fail(c, "dir");
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_sa, reserved0),
			      4);
		break;
	case 2:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_sa, reserved),
			      sizeof(g->reserved));
		break;
	default:
		/* the bundle is output only and must be zero */
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_sa, bundle),
			      sizeof(g->bundle));
		break;
	}
}

/* Whether x has an SA in direction dir; inbound lasts the grace time. */
static void get_sa_expect(struct call *c, const struct ctx *x, int dir)
{
	bool in = dir == WFP_IPSEC_DIR_INBOUND;

	if (x->state == WFP_IPSEC_CTX_STATE_EXPIRED)
		set_strict(c, x, in ? ES(0, ENOENT) : ES(ENOENT));
	else if (x->state >= (in ? WFP_IPSEC_CTX_STATE_INBOUND :
			      WFP_IPSEC_CTX_STATE_COMPLETE))
		set_strict(c, x, ES(0));
	else
		set_strict(c, x, ES(ENOENT));
}

/* The reply: request echoed, one SA, no keys, what was added (x). */
static void get_sa_check(const struct call *c, const struct ctx *x, int dir)
{
	const struct wfp_ipsec_ctx_sa *g = &c->out.gsa;
	const struct wfp_ipsec_sa *sa = &g->bundle.sas[0];

	if (g->id != c->in.gsa.id || g->dir != c->in.gsa.dir ||
	    g->reserved0 || !all_zero(g->reserved, sizeof(g->reserved)))
		fail(NR_GET_SA, "request fields changed in the reply");
	if (g->bundle.num_sas != 1 || g->bundle.reserved0 ||
	    !all_zero(&g->bundle.sas[1], sizeof(g->bundle.sas[1])))
		fail(NR_GET_SA, "bundle: num_sas %u, reserved or sas[1] set",
		     g->bundle.num_sas);
	if (sa->auth_key || sa->cipher_key || sa->auth_key_len ||
	    sa->cipher_key_len)
		fail(NR_GET_SA, "key fields reported (%u/%u bytes)",
		     sa->auth_key_len, sa->cipher_key_len);
	if (sa->reserved0 || sa->reserved1 ||
	    !all_zero(sa->reserved, sizeof(sa->reserved)))
		fail(NR_GET_SA, "SA reserved fields not zero");
	if (x && x->proto[dir] &&
	    (sa->spi != x->spi[dir] || sa->transform_type != x->tt[dir]))
		fail(NR_GET_SA, "context %llu dir %d: spi 0x%x type %u, added "
		     "0x%x type %u", (unsigned long long)x->id, dir, sa->spi,
		     sa->transform_type, x->spi[dir], x->tt[dir]);
}

void do_get_sa(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations(), dir = rn(2);

	call_init(&c, NR_GET_SA);
	c.in.gsa.id = pick_id(s, prefer, &x, &c.gone);
	c.in.gsa.dir = dir;
	while (m--)
		get_sa_mutate(&c);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		get_sa_expect(&c, x, dir);
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    s->nocap)
		return;
	get_sa_check(&c, ctx_certain(x, s) ? x : NULL, dir);
}
