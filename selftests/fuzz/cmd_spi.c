// SPDX-License-Identifier: GPL-2.0
/*
 * CTX_SET_SPI, CTX_GET_SPI and CTX_SET_SELECTORS.
 */

#include "fuzz.h"

/* The inbound traffic for SET/GET_SPI: the context's host pair. */
static void gen_spi(struct call *c, const struct ctx *x, struct sess *s)
{
	struct wfp_ipsec_spi *r = &c->in.spi;

	if (x) {
		r->inbound = x->t;
		if (x->t.traffic_type == WFP_IPSEC_TRAFFIC_TRANSPORT &&
		    pm(300)) {
			/* protocol and ports need not repeat */
			r->inbound.ip_protocol = pm(500) ? 17 : 0;
			r->inbound.local_port = htons(rn(65536));
			r->inbound.remote_port = htons(rn(65536));
		}
	} else {
		gen_traffic(&r->inbound, 0, -1);
	}
	if (r->inbound.ip_version == WFP_IPSEC_IPV4 && pm(300)) {
		r->flags = WFP_IPSEC_SPI_F_UDP_ENCAP;
		r->encap_local_port = htons(pm(500) ? 4500 : 1 + rn(65535));
		r->encap_remote_port = htons(pm(500) ? 4500 : 1 + rn(65535));
	}
	(void)s;
}

/* Encapsulation ports without the flag, or on IPv6. */
static void spi_bad_encap(struct wfp_ipsec_spi *r)
{
	if (r->flags) {
		r->encap_remote_port = 0;
		return;
	}
	r->encap_local_port = htons(1 + rn(65535));
	if (rn(2) && r->inbound.ip_version == WFP_IPSEC_IPV6)
		r->flags = WFP_IPSEC_SPI_F_UDP_ENCAP;
}

static void mutate_spi(struct call *c, bool get)
{
	/* Not the SPI: a flip could make an "spi<256" of an earlier
	 * mutation valid again, and the call rightly succeed.
	 */
	const struct span keep[] = { SPAN(struct wfp_ipsec_spi, id),
				     SPAN(struct wfp_ipsec_spi, spi) };
	struct wfp_ipsec_spi *r = &c->in.spi;

	if (mutate_common(c))
		return;
	switch (rn(8)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_spi, reserved0), 4);
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_spi, reserved),
			      sizeof(r->reserved));
		break;
	case 2:
		r->flags |= 1u << (1 + rn(31));
		must_fail(c, "flags");
		break;
	case 3:
		spi_bad_encap(r);
		must_fail(c, "encap");
		break;
	case 4:
		break_traffic(&r->inbound);
		must_fail(c, "traffic");
		break;
	case 5:
		/* another host pair than the context's: EXDEV */
		if (!first_toggle(c, 1))
			break;
		r->inbound.remote_addr[addr_len(r->inbound.ip_version) - 1] ^=
			0x80;
		must_fail(c, "other-pair");
		break;
	case 6:
		/* GET_SPI picks the SPI; SET_SPI takes none below 256 */
		if (get) {
			r->spi = 1 + (__u32)rn(0xfffffffe);
			must_fail(c, "spi-in-getspi");
		} else {
			r->spi = rn(256);
			must_fail(c, "spi<256");
		}
		break;
	default:
		flip_byte(c, keep, ARRAY_SIZE(keep));
		break;
	}
}

static void spi_done(struct ctx *x, const struct wfp_ipsec_spi *r)
{
	x->state = WFP_IPSEC_CTX_STATE_SPI_SET;
	x->spi_in = r->spi;
	x->encap = r->flags & WFP_IPSEC_SPI_F_UDP_ENCAP;
	x->el = r->encap_local_port;
	x->er = r->encap_remote_port;
	spi_reserved(x);
}

void do_set_spi(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();
	bool taken = false;

	call_init(&c, NR_SET_SPI);
	c.in.spi.id = pick_id(s, prefer, &x, &c.gone);
	gen_spi(&c, x, s);
	if (pm(150) && W.nspis) {
		/* an SPI this worker reserved */
		struct spires *sr = &W.spis[rn(W.nspis < ARRAY_SIZE(W.spis) ?
					     W.nspis : ARRAY_SIZE(W.spis))];

		c.in.spi.spi = sr->spi;
		taken = spi_certainly_held(sr->spi, s->ns);
	} else {
		do {
			c.in.spi.spi = (__u32)r64();
		} while (c.in.spi.spi < 256);
		taken = spi_certainly_held(c.in.spi.spi, s->ns);
	}
	while (m--)
		mutate_spi(&c, false);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s)) {
		if (x->state != WFP_IPSEC_CTX_STATE_CREATED)
			set_strict(&c, x, ES(EBUSY));
		else
			set_strict(&c, x, taken ? ES(EEXIST) :
				   ES(0, EEXIST, ENOMEM));
	}
	if (exec_call(&c, s) || !x || !s->ready || s->nocap)
		return;
	spi_done(x, &c.in.spi);
}

void do_get_spi(struct sess *s, struct ctx *prefer)
{
	const struct span outs[] = { SPAN(struct wfp_ipsec_spi, spi) };
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_GET_SPI);
	c.in.spi.id = pick_id(s, prefer, &x, &c.gone);
	gen_spi(&c, x, s);
	while (m--)
		mutate_spi(&c, true);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s)) {
		if (x->state != WFP_IPSEC_CTX_STATE_CREATED)
			set_strict(&c, x, ES(EBUSY));
		else
			set_strict(&c, x, ES(0, ENOMEM, ENOSPC));
	}
	if (exec_call(&c, s)) {
		if (c.am == AM_RO && x && ctx_certain(x, s) &&
		    x->state == WFP_IPSEC_CTX_STATE_CREATED) {
			struct wfp_ipsec_ctx_info i = { .id = x->id };

			if (!sys_ioctl(s->fd, WFP_IPSEC_IOC_CTX_GET, &i) &&
			    i.state != WFP_IPSEC_CTX_STATE_CREATED) {
				fail(NR_GET_SPI, "GET_SPI failed (read-only "
				     "argument) but context %llu went to state "
				     "%u: a failed command changed something",
				     (unsigned long long)x->id, i.state);
				x->state = ST_UNKNOWN;
			}
		}
		return;
	}
	if (!x || !s->ready || s->nocap || (c.flags & C_NO_OUTCHECK))
		return;
	check_echo(&c, outs, 1);
	if (c.out.spi.spi < 256)
		fail(NR_GET_SPI, "chose SPI %u", c.out.spi.spi);
	spi_done(x, &c.out.spi);
}

/* A subnet around a pool address of family ver, or "any". */
static void gen_selector(struct wfp_ipsec_subnet *sn, int ver, bool local)
{
	__u8 a[16];

	if (!pm(700))
		return;
	pool_addr(ver, local, a);
	gen_subnet(sn, ver, a);
}

/* ver: the context's family; x: the context, if the worker's. */
static void selectors_mutate(struct call *c, int ver, const struct ctx *x)
{
	struct wfp_ipsec_selectors *sel = &c->in.sel;

	if (mutate_common(c))
		return;
	switch (rn(5)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_selectors,
					  reserved0), 4);
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_selectors, reserved),
			      sizeof(sel->reserved));
		break;
	case 2:
		sel->flags |= 1u << (1 + rn(31));
		must_fail(c, "flags");
		break;
	case 3:
		break_subnet(rn(2) ? &sel->local : &sel->remote);
		must_fail(c, "subnet");
		break;
	default:
		/* the other family than the context's */
		sel->local.ip_version = ver == WFP_IPSEC_IPV4 ?
					WFP_IPSEC_IPV6 : WFP_IPSEC_IPV4;
		sel->local.prefix_len = 0;
		memset(sel->local.addr, 0, 16);
		if (x)
			c->flags |= C_MUST_FAIL;
		mut_note(c, "family");
		break;
	}
}

void do_set_selectors(struct sess *s, struct ctx *prefer)
{
	struct wfp_ipsec_selectors *sel;
	struct call c;
	struct ctx *x;
	int m = n_mutations(), ver;

	call_init(&c, NR_SET_SEL);
	sel = &c.in.sel;
	sel->id = pick_id(s, prefer, &x, &c.gone);
	ver = x ? x->t.ip_version : WFP_IPSEC_IPV4;
	gen_selector(&sel->local, ver, true);
	gen_selector(&sel->remote, ver, false);
	if (pm(300))
		sel->flags = WFP_IPSEC_SEL_F_NO_POLICY;
	while (m--)
		selectors_mutate(&c, ver, x);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, x->state == WFP_IPSEC_CTX_STATE_CREATED ?
			   ES(0, ENOMEM, ENOSPC) : ES(EBUSY));
	exec_call(&c, s);
}
