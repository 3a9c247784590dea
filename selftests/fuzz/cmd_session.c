// SPDX-License-Identifier: GPL-2.0
/*
 * Session commands: HELLO, SESSION_GET, STATS, RIGHTS_GET/SET and
 * command words nobody defines.
 */

#include "fuzz.h"

/* The session key HELLO asks for: none, random, taken or freed again. */
static void hello_key(__u8 *key, const struct sess *s, bool clean)
{
	int i;

	if (!clean && pm(300)) {
		rfill(key, 16);
	} else if (!clean && pm(150)) {
		/* the key of another open session of this namespace */
		for (i = 0; i < MAX_SESS; i++) {
			struct sess *o = &W.sess[i];

			if (o != s && o->fd >= 0 && o->ready &&
			    o->ns == s->ns) {
				memcpy(key, o->key, 16);
				break;
			}
		}
	} else if (!clean && pm(100) && W.nclosed_keys) {
		/* a closed session's key is free again */
		memcpy(key, W.closed_keys[rn(W.nclosed_keys < 16 ?
					     W.nclosed_keys : 16)], 16);
	}
}

static void hello_gen(struct call *c, const struct sess *s, bool clean)
{
	struct wfp_ipsec_hello *h = &c->in.hello;

	call_init(c, NR_HELLO);
	h->abi_version = pm(850) ? WFP_IPSEC_ABI_VERSION :
				   2 + rn(0xfffffff0);
	if (!clean && pm(150))
		h->session_flags = WFP_IPSEC_SESSION_F_DYNAMIC;
	h->txn_wait_ms = pm(500) ? 0 : (__u32)r64();
	hello_key(h->session_key, s, clean);
}

static void hello_mutate(struct call *c)
{
	struct wfp_ipsec_hello *h = &c->in.hello;

	if (mutate_common(c))
		return;
	switch (rn(5)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_hello, reserved0),
			      4);
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_hello, reserved),
			      sizeof(h->reserved));
		break;
	case 2:
		h->session_flags |= 1u << (1 + rn(31));
		must_fail(c, "flags");
		break;
	case 3:
		h->abi_version = 0;
		must_fail(c, "abi-0");
		break;
	default:
		/* output-only fields are ignored on input */
		h->features = r64();
		h->session_id = r64();
		break;
	}
}

/*
 * Whether an open session of the namespace uses the key (a closed
 * session's key may have been taken again meanwhile).
 */
static bool key_in_use(const struct sess *s, const __u8 *key)
{
	int i;

	for (i = 0; i < MAX_SESS && !all_zero(key, 16); i++) {
		struct sess *o = &W.sess[i];

		if (o != s && o->fd >= 0 && o->ready && o->ns == s->ns &&
		    !memcmp(o->key, key, 16))
			return true;
	}
	return false;
}

static void sess_ready(struct sess *s, __u64 sid, const __u8 *key,
		       bool dynamic, __u32 txn_wait)
{
	s->ready = true;
	s->dynamic = dynamic;
	s->sid = sid;
	memcpy(s->key, key, 16);
	s->txn_wait = txn_wait;
}

/* The handshake must not have happened on a failed HELLO. */
static void hello_probe_failed(struct sess *s)
{
	struct call g;
	const struct wfp_ipsec_session_info *i = &g.in.info;

	call_init(&g, NR_SESSION_GET);
	memset(&g.in, 0xa5, sizeof(g.in));
	if (sys_ioctl(s->fd, g.word, &g.in))
		return;
	fail(NR_HELLO, "HELLO failed (read-only argument) but the session "
	     "is handshaken: a failed command changed something");
	sess_ready(s, i->session_id, i->session_key, i->session_flags & 1,
		   i->txn_wait_ms);
}

/* The reply of a HELLO that succeeded, asked for abi. */
static void hello_check(const struct call *c, __u32 abi)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_hello, abi_version),
		SPAN(struct wfp_ipsec_hello, session_key),
		SPAN(struct wfp_ipsec_hello, features),
		SPAN(struct wfp_ipsec_hello, session_id),
	};
	const struct wfp_ipsec_hello *h = &c->out.hello;

	check_echo(c, outs, ARRAY_SIZE(outs));
	if (h->abi_version != (abi < WFP_IPSEC_ABI_VERSION ? abi :
			       WFP_IPSEC_ABI_VERSION))
		fail(NR_HELLO, "abi_version %u for %u", h->abi_version, abi);
	if ((h->features & __WFP_IPSEC_FEAT_ALL) != __WFP_IPSEC_FEAT_ALL)
		fail(NR_HELLO, "features 0x%llx lack some of the header's",
		     (unsigned long long)h->features);
	if (!h->session_id)
		fail(NR_HELLO, "session id 0");
	if (all_zero(h->session_key, 16))
		fail(NR_HELLO, "session key zero");
	if (!all_zero(c->in.hello.session_key, 16) &&
	    memcmp(c->in.hello.session_key, h->session_key, 16))
		fail(NR_HELLO, "given session key not kept");
}

void do_hello(struct sess *s, bool clean)
{
	int m = clean ? 0 : n_mutations();
	struct call c;
	const struct wfp_ipsec_hello *in = &c.in.hello;

	hello_gen(&c, s, clean);
	while (m--)
		hello_mutate(&c);
	if (!(c.flags & C_MUTATED)) {
		if (s->ready)
			set_strict(&c, NULL, ES(EALREADY));
		else if (key_in_use(s, in->session_key))
			set_strict(&c, NULL, ES(EEXIST));
		else
			set_strict(&c, NULL, ES(0, ENOMEM));
	} else if (s->ready) {
		c.flags |= C_MUST_FAIL;
	}
	if (exec_call(&c, s)) {
		if (!s->ready && c.am == AM_RO)
			hello_probe_failed(s);
		return;
	}
	if (s->ready) {
		fail(NR_HELLO, "second HELLO succeeded");
		return;
	}
	if (!(c.flags & C_NO_OUTCHECK))
		hello_check(&c, in->abi_version);
	sess_ready(s, c.out.hello.session_id, c.out.hello.session_key,
		   in->session_flags & WFP_IPSEC_SESSION_F_DYNAMIC,
		   in->txn_wait_ms);
}

/*
 * A command that only writes its reply (SESSION_GET, STATS, RIGHTS_GET),
 * sent over 0xa5 bytes that show any the kernel leaves.  Whether the
 * reply is there to check (the session's rights aside).
 */
static bool output_call(struct call *c, int nr, struct sess *s)
{
	int m = n_mutations();

	call_init(c, nr);
	memset(&c->in, 0xa5, sizeof(c->in));
	while (m--)
		mutate_common(c);
	return !exec_call(c, s) && !(c->flags & C_NO_OUTCHECK) && s->ready;
}

void do_session_get(struct sess *s)
{
	struct wfp_ipsec_session_info *i;
	struct call c;

	if (!output_call(&c, NR_SESSION_GET, s))
		return;
	i = &c.out.info;
	if (i->reserved0 || !all_zero(i->reserved, sizeof(i->reserved)))
		fail(NR_SESSION_GET, "reserved fields not zero");
	if (i->session_id != s->sid || memcmp(i->session_key, s->key, 16))
		fail(NR_SESSION_GET, "id/key %llu differ from HELLO's %llu",
		     (unsigned long long)i->session_id,
		     (unsigned long long)s->sid);
	if (i->session_flags != (s->dynamic ? WFP_IPSEC_SESSION_F_DYNAMIC : 0))
		fail(NR_SESSION_GET, "flags 0x%x", i->session_flags);
	if (i->txn_wait_ms != s->txn_wait)
		fail(NR_SESSION_GET, "txn_wait_ms %u, given %u", i->txn_wait_ms,
		     s->txn_wait);
	if (i->abi_version != WFP_IPSEC_ABI_VERSION)
		fail(NR_SESSION_GET, "abi_version %u", i->abi_version);
	if (i->rights != sess_rights(s))
		fail(NR_SESSION_GET, "rights 0x%x, expected 0x%x", i->rights,
		     sess_rights(s));
	if (i->pid != (__u32)getpid() || i->uid != geteuid() ||
	    i->gid != getegid())
		fail(NR_SESSION_GET, "opener pid/uid/gid %u/%u/%u", i->pid,
		     i->uid, i->gid);
	if (W.ns[s->ns].cookie && i->netns_cookie != W.ns[s->ns].cookie)
		fail(NR_SESSION_GET, "netns cookie %llu, namespace has %llu",
		     (unsigned long long)i->netns_cookie,
		     (unsigned long long)W.ns[s->ns].cookie);
}

void do_stats(struct sess *s)
{
	struct wfp_ipsec_stats *st;
	struct call c;

	if (!output_call(&c, NR_STATS, s) || s->nocap)
		return;
	st = &c.out.stats;
	if (!all_zero(st->reserved, sizeof(st->reserved)) || st->in.reserved ||
	    st->out.reserved)
		fail(NR_STATS, "reserved fields not zero");
	if (st->in.encrypted_bytes > st->in.bytes ||
	    st->out.encrypted_bytes > st->out.bytes ||
	    st->in.transport_bytes + st->in.tunnel_bytes != st->in.bytes ||
	    st->out.transport_bytes + st->out.tunnel_bytes != st->out.bytes)
		fail(NR_STATS, "traffic counters do not add up");
}

void do_rights_get(struct sess *s)
{
	struct wfp_ipsec_rights *r;
	struct call c;
	__u32 i;

	if (!output_call(&c, NR_RIGHTS_GET, s) || s->nocap)
		return;
	r = &c.out.rights;
	if (r->count > WFP_IPSEC_GRANTS_MAX || r->reserved0) {
		fail(NR_RIGHTS_GET, "count %u reserved0 %u", r->count,
		     r->reserved0);
		return;
	}
	if (!all_zero(&r->grants[r->count], (WFP_IPSEC_GRANTS_MAX - r->count) *
		      sizeof(r->grants[0])))
		fail(NR_RIGHTS_GET, "unused grants not zero");
	for (i = 0; i < r->count; i++)
		if (r->grants[i].reserved || !r->grants[i].rights ||
		    (r->grants[i].rights & ~__WFP_IPSEC_RIGHT_ALL) ||
		    (r->grants[i].kind != WFP_IPSEC_GRANT_USER &&
		     r->grants[i].kind != WFP_IPSEC_GRANT_GROUP))
			fail(NR_RIGHTS_GET, "grant %u malformed", i);
	if (W.ns[s->ns].grants_known &&
	    memcmp(r, &W.ns[s->ns].grants, sizeof(*r)))
		fail(NR_RIGHTS_GET, "grants differ from the last RIGHTS_SET");
}

/* A valid grant table. */
static void rights_gen(struct wfp_ipsec_rights *r)
{
	int i;

	r->count = rn(WFP_IPSEC_GRANTS_MAX + 1);
	for (i = 0; i < (int)r->count; i++) {
		r->grants[i].kind = 1 + rn(2);
		r->grants[i].id = pm(300) ? 0 : pm(300) ? 65534 :
				  rn(0x7fffffff);
		do {
			r->grants[i].rights = (__u32)r64() &
					      __WFP_IPSEC_RIGHT_ALL;
		} while (!r->grants[i].rights);
	}
}

/* One grant malformed: kind, rights, reserved, or an id nobody has. */
static void bad_grant(struct wfp_ipsec_grant *g)
{
	switch (rn(4)) {
	case 0:
		g->kind = rn(2) ? 0 : 3 + rn(100);
		break;
	case 1:
		g->rights = rn(2) ? 0 : g->rights | 1u << (17 + rn(15));
		break;
	case 2:
		g->reserved = 1 + rn(100);
		break;
	default:
		g->id = ~0u;	/* no such id */
		break;
	}
}

static void rights_mutate(struct call *c)
{
	struct wfp_ipsec_rights *r = &c->in.rights;
	__u32 max = WFP_IPSEC_GRANTS_MAX;

	switch (rn(6)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_rights, reserved0),
			      4);
		break;
	case 1:
		r->count = WFP_IPSEC_GRANTS_MAX + 1 + rn(0xffff);
		must_fail(c, "huge-count");
		break;
	case 2:
		/* a grant past count */
		if (r->count < max) {
			r->grants[r->count + rn(max - r->count)].rights = 1;
			must_fail(c, "grant-past-count");
		}
		break;
	default:
		/* an earlier "huge-count" leaves count past the array */
		if (!r->count)
			break;
		bad_grant(&r->grants[rn(r->count < max ? r->count : max)]);
		must_fail(c, "grant");
		break;
	}
}

/*
 * Grants change what sessions without the capability may do, so only
 * namespaces of this worker get valid tables; in the initial namespace
 * every RIGHTS_SET is malformed on purpose.
 */
void do_rights_set(struct sess *s)
{
	bool init_ns = s->ns == 0;
	struct call c;
	int m;

	call_init(&c, NR_RIGHTS_SET);
	rights_gen(&c.in.rights);
	if (init_ns) {
		c.in.rights.count = WFP_IPSEC_GRANTS_MAX + 1 + rn(1000);
		c.in.rights.reserved0 = 1;
		must_fail(&c, "forced-invalid");
	}
	m = n_mutations();
	while (m--)
		if (!mutate_common(&c) && !init_ns)
			rights_mutate(&c);
	if (!(c.flags & C_MUTATED) && s->ready)
		set_strict(&c, NULL, s->nocap ? ES(EPERM) : ES(0, ENOMEM));
	if (s->nocap)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s) || !s->ready || s->nocap)
		return;
	if (init_ns) {
		fail(NR_RIGHTS_SET, "malformed table accepted in the initial "
		     "namespace");
		return;
	}
	W.ns[s->ns].grants = c.in.rights;
	W.ns[s->ns].grants_known = true;
}

/* A command word nobody defines: always ENOTTY, whatever the session. */
void do_random_cmd(struct sess *s)
{
	struct call c;

	call_init(&c, 1 + rn(NR_MAX));
	rfill(&c.in, sizeof(c.in));
	mutate_random_cmd(&c);
	if (cmd_nr(c.word))
		return;
	if (pm(300)) {
		c.am = AM_BAD;
		c.badkind = rn(P_KINDS);
	}
	exec_call(&c, s);
}
