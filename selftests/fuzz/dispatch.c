// SPDX-License-Identifier: GPL-2.0
/*
 * Which step comes next: the worker loop, one ioctl-level step, and
 * what a context usually goes through.
 */

#include "fuzz.h"

/* The next thing a context usually goes through. */
static void advance(struct sess *s, struct ctx *x)
{
	int r = rn(100);

	switch (x->state) {
	case WFP_IPSEC_CTX_STATE_CREATED:
		if (r < 10)
			do_set_selectors(s, x);
		else if (r < 55)
			do_set_spi(s, x);
		else
			do_get_spi(s, x);
		break;
	case WFP_IPSEC_CTX_STATE_SPI_SET:
		do_add(s, x, true);
		break;
	case WFP_IPSEC_CTX_STATE_INBOUND:
		if (r < 80)
			do_add(s, x, false);
		else
			do_update(s, x);
		break;
	case WFP_IPSEC_CTX_STATE_COMPLETE:
		if (r < 25)
			do_update(s, x);
		else if (r < 40)
			do_expire(s, x);
		else if (r < 60)
			do_get(s, x);
		else if (r < 75)
			do_get_sa(s, x);
		else
			do_delete(s, x);
		break;
	case WFP_IPSEC_CTX_STATE_EXPIRED:
		if (r < 60)
			do_delete(s, x);
		else if (r < 80)
			do_get_sa(s, x);
		else
			do_get(s, x);
		break;
	default:
		do_get(s, x);
		break;
	}
}

/* One ioctl-level step; only = a session to stay on (racing episodes). */
void one_op(struct sess *only)
{
	struct sess *s = only;
	struct ctx *x = NULL;
	int r;

	if (!only && W.nctx && pm(380)) {
		x = ctx_any();
		s = sess_for(x->ns);
		if (s)
			advance(s, x);
		return;
	}
	if (!s)
		s = sess_for(pm(850) ? 0 : rn(W.nns));
	if (!s)
		return;
	if (only && W.nctx && pm(400)) {
		x = ctx_any();
		advance(s, x);
		return;
	}
	r = rn(100);
	/* a full pool makes deletion likelier */
	if (W.nctx > MAX_CTX - 8 && r < 30) {
		do_delete(s, ctx_any());
		return;
	}
	if (r < 12)
		do_create(s, false);
	else if (r < 18)
		do_delete(s, NULL);
	else if (r < 26)
		do_get(s, NULL);
	else if (r < 31)
		do_enum(s);
	else if (r < 36)
		do_set_spi(s, NULL);
	else if (r < 41)
		do_get_spi(s, NULL);
	else if (r < 44)
		do_set_selectors(s, NULL);
	else if (r < 50)
		do_add(s, NULL, true);
	else if (r < 56)
		do_add(s, NULL, false);
	else if (r < 61)
		do_get_sa(s, NULL);
	else if (r < 64)
		do_expire(s, NULL);
	else if (r < 68)
		do_subscribe(s);
	else if (r < 72)
		do_unsubscribe(s);
	else if (r < 75)
		do_stats(s);
	else if (r < 82)
		do_update(s, NULL);
	else if (r < 84)
		do_rights_get(s);
	else if (r < 86)
		do_rights_set(s);
	else if (r < 89)
		do_hello(s, false);
	else if (r < 92)
		do_session_get(s);
	else if (r < 94)
		do_random_cmd(s);
	else if (r < 96)
		do_batch(s);
	else
		do_create(s, true);
}

static void open_session_op(void)
{
	bool nocap = W.nocap_ok && pm(120);
	struct sess *s;

	/* slots full of raw, dynamic or foreign sessions: make room */
	if (!sess_slot())
		sess_close(sess_any());
	s = sess_open(0, nocap);

	/* most new sessions shake hands at once; some stay raw a while */
	if (s && pm(700))
		do_hello(s, pm(700));
}

void worker_loop(void)
{
	uint64_t stall = 0, last = TS->calls;

	while (TS->calls < W.budget) {
		int r = rn(1000);

		W.step++;
		/* nothing left to call on (a child closed its sessions) */
		if (TS->calls == last) {
			if (++stall > 10000 || (W.in_child && !sess_any()))
				break;
		} else {
			stall = 0;
			last = TS->calls;
		}
		if (!sess_normal(0) && !W.in_child) {
			open_session_op();
			continue;
		}
		if (r < 8 && sess_slot() && !W.in_child) {
			open_session_op();
		} else if (r < 14) {
			struct sess *s = sess_any();
			int i, n = 0;

			for (i = 0; i < MAX_SESS; i++)
				n += W.sess[i].fd >= 0;
			if (s && n > 2)
				sess_close(s);
		} else if (r < 17 && !W.in_child && !W.det) {
			race_episode();
		} else if (r < 18 && !W.in_child) {
			ns_sessions();
		} else if (r < 19 && !W.in_child && pm(600)) {
			ns_child();
		} else if (r < 45) {
			struct sess *s = sess_any();

			if (s)
				do_events(s);
		} else if (r < 53) {
			struct sess *s = sess_normal(W.in_child ? W.child_ns :
						     pm(900) ? 0 : (int)rn(W.nns));

			if (s)
				do_enum_walk(s);
		} else {
			one_op(NULL);
		}
	}
}
