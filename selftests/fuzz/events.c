// SPDX-License-Identifier: GPL-2.0
/*
 * SUBSCRIBE, UNSUBSCRIBE, their net-event twins (netevents.rst) and the
 * records read() returns: SA-context events and net events in one
 * stream, told apart by their type.
 */

#include <poll.h>

#include "fuzz.h"

/*
 * After a SUBSCRIBE that failed because its reply could not be written:
 * a subscription of this session numbered between the last one the
 * worker saw and a new probe's would be the failed call's.
 */
static void probe_ghost_subs(struct sess *s)
{
	struct wfp_ipsec_subscribe r;
	struct wfp_ipsec_ctx_id u;
	__u64 hi, id;

	memset(&r, 0, sizeof(r));
	if (sys_ioctl(s->fd, WFP_IPSEC_IOC_SUBSCRIBE, &r)) {
		s->ghost_subs = true;
		return;
	}
	hi = r.id;
	for (id = hi - 1; id > W.ns[s->ns].last_sub_id && hi - id <= 32; id--) {
		memset(&u, 0, sizeof(u));
		u.id = id;
		if (!sys_ioctl(s->fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &u))
			fail(NR_SUBSCRIBE, "SUBSCRIBE failed (read-only "
			     "argument) but left subscription %llu: a failed "
			     "command changed something",
			     (unsigned long long)id);
	}
	if (hi - W.ns[s->ns].last_sub_id > 33)
		s->ghost_subs = true;	/* could not look at them all */
	memset(&u, 0, sizeof(u));
	u.id = hi;
	if (sys_ioctl(s->fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &u))
		fail(NR_UNSUBSCRIBE, "probe subscription %llu: cannot remove",
		     (unsigned long long)hi);
	W.ns[s->ns].last_sub_id = hi;
}

/*
 * The flags (any bit refused), reserved0 or the reserved words of a
 * subscription request: mutation k of 0-2.  Both kinds have them.
 */
static void poke_sub_head(struct call *c, unsigned int k, __u32 *flags,
			  size_t reserved0, size_t reserved, size_t len)
{
	switch (k) {
	case 0:
		*flags = 1u << rn(32);
		must_fail(c, "flags");
		break;
	case 1:
		poke_reserved(c, reserved0, 4);
		break;
	default:
		poke_reserved(c, reserved, len);
		break;
	}
}

static void subscribe_mutate(struct call *c)
{
	struct wfp_ipsec_subscribe *r = &c->in.sub;
	unsigned int k;

	if (mutate_common(c))
		return;
	k = rn(5);
	if (k < 3) {
		poke_sub_head(c, k, &r->flags,
			      offsetof(struct wfp_ipsec_subscribe, reserved0),
			      offsetof(struct wfp_ipsec_subscribe, reserved),
			      sizeof(r->reserved));
	} else if (k == 3) {
		break_subnet(rn(2) ? &r->local : &r->remote);
		must_fail(c, "subnet");
	} else {
		memset(&r->local, 0, sizeof(r->local));
		memset(&r->remote, 0, sizeof(r->remote));
		r->local.ip_version = WFP_IPSEC_IPV6;
		r->remote.ip_version = WFP_IPSEC_IPV4;
		must_fail(c, "versions-differ");
	}
}

/*
 * A subscription made: a new id of the namespace (net-event ones are
 * numbered with the others), the session's now.
 */
static void subscribed(const struct call *c, struct sess *s, bool net)
{
	const struct span outs[] = { SPAN(struct wfp_ipsec_subscribe, id) };
	const struct span nouts[] = {
		SPAN(struct wfp_ipsec_net_subscribe, id),
	};
	__u64 id = net ? c->out.nsub.id : c->out.sub.id;

	check_echo(c, net ? nouts : outs, 1);
	if (id <= W.ns[s->ns].last_sub_id)
		fail(NR_SUBSCRIBE, "subscription id %llu not new (last %llu)",
		     (unsigned long long)id,
		     (unsigned long long)W.ns[s->ns].last_sub_id);
	W.ns[s->ns].last_sub_id = id;
	s->sub_net[s->nsubs] = net;
	s->sub_l[s->nsubs] = c->in.sub.local;
	s->sub_r[s->nsubs] = c->in.sub.remote;
	s->subs[s->nsubs++] = id;
}

/* Subscription which of s is no more. */
static void sub_removed(struct sess *s, int which)
{
	ring_put(W.stale_subs, &W.nstale_subs, s->subs[which]);
	s->nsubs--;
	s->subs[which] = s->subs[s->nsubs];
	s->sub_net[which] = s->sub_net[s->nsubs];
	s->sub_l[which] = s->sub_l[s->nsubs];
	s->sub_r[which] = s->sub_r[s->nsubs];
}

void do_subscribe(struct sess *s)
{
	int m = n_mutations(), ret;
	struct call c;

	if (s->nsubs == MAX_SUBS) {
		do_unsubscribe(s);
		return;
	}
	call_init(&c, NR_SUBSCRIBE);
	gen_template(&c.in.sub.local, &c.in.sub.remote);
	if (pm(50))
		c.in.sub.id = r64();	/* output only */
	while (m--)
		subscribe_mutate(&c);
	if (!(c.flags & C_MUTATED) && W.event_queue_len)
		set_strict(&c, NULL, ES(0, ENOMEM));
	ret = exec_call(&c, s);
	if (ret) {
		if (c.am == AM_RO && ret == EFAULT && s->ready && !s->nocap)
			probe_ghost_subs(s);
		return;
	}
	if (!s->ready || s->nocap || (c.flags & C_NO_OUTCHECK))
		return;
	subscribed(&c, s, false);
}

/*
 * UNSUBSCRIBE or NETEVENT_UNSUBSCRIBE (net): a subscription of the
 * session's (of the other kind: ENOENT, each command removes its own),
 * another session's, a removed one, or junk.
 */
static void unsubscribe(struct sess *s, bool net)
{
	struct call c;
	int m = n_mutations(), which = -1;
	bool mine = false;

	call_init(&c, net ? NR_NET_UNSUB : NR_UNSUBSCRIBE);
	if (s->nsubs && pm(600)) {
		which = rn(s->nsubs);
		c.in.cid.id = s->subs[which];
		mine = s->sub_net[which] == net;
	} else if (pm(500)) {
		/* a subscription of another session, or a removed one */
		struct sess *o = sess_any();

		c.in.cid.id = o && o != s && o->nsubs ? o->subs[rn(o->nsubs)] :
			      ring_pick(W.stale_subs, W.nstale_subs);
	} else {
		c.in.cid.id = pm(500) ? 0 : r64();
	}
	while (m--)
		mutate_ctx_id(&c);
	if (!(c.flags & C_MUTATED) && !W.relaxed && !s->ghost_subs)
		set_strict(&c, NULL, mine ? ES(0) : ES(ENOENT));
	else if (!mine)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s) || !mine)
		return;
	sub_removed(s, which);
}

void do_unsubscribe(struct sess *s)
{
	unsubscribe(s, false);
}

/* NETEVENT_SUBSCRIBE: flags and reserved bytes must be zero. */
static void net_subscribe_mutate(struct call *c)
{
	struct wfp_ipsec_net_subscribe *r = &c->in.nsub;

	if (!mutate_common(c))
		poke_sub_head(c, rn(3), &r->flags,
			      offsetof(struct wfp_ipsec_net_subscribe,
				       reserved0),
			      offsetof(struct wfp_ipsec_net_subscribe,
				       reserved),
			      sizeof(r->reserved));
}

void do_net_subscribe(struct sess *s)
{
	int m = n_mutations(), ret;
	struct call c;

	if (s->nsubs == MAX_SUBS) {
		do_net_unsubscribe(s);
		return;
	}
	call_init(&c, NR_NET_SUB);
	if (pm(50))
		c.in.nsub.id = r64();	/* output only */
	while (m--)
		net_subscribe_mutate(&c);
	if (!(c.flags & C_MUTATED) && W.event_queue_len)
		set_strict(&c, NULL, ES(0, ENOMEM));
	/* a read-only reply fails before the handler: no ghost (dev.c) */
	ret = exec_call(&c, s);
	if (ret || !s->ready || s->nocap || (c.flags & C_NO_OUTCHECK))
		return;
	subscribed(&c, s, true);
}

void do_net_unsubscribe(struct sess *s)
{
	unsubscribe(s, true);
}

static bool sess_has_sub(const struct sess *s, __u64 id, int *which)
{
	int i;

	for (i = 0; i < s->nsubs; i++)
		if (s->subs[i] == id) {
			*which = i;
			return true;
		}
	return false;
}

/* What an ADD or DELETE record says of a context the worker knows. */
static void check_event_context(const struct sess *s,
				const struct wfp_ipsec_event *e, int which)
{
	const struct known *k = known_find(e->context);

	if (!k)
		return;
	if (k->ns != s->ns)
		fail(0, "event for context %llu of another namespace",
		     (unsigned long long)e->context);
	if (e->type == WFP_IPSEC_EVENT_ADD && k->creator == s->sid)
		fail(0, "ADD of context %llu reported to the session that "
		     "created it", (unsigned long long)e->context);
	if (e->type == WFP_IPSEC_EVENT_DELETE && k->deleted_by == s->sid)
		fail(0, "DELETE of context %llu reported to the session that "
		     "deleted it", (unsigned long long)e->context);
	if (e->type == WFP_IPSEC_EVENT_ADD && which >= 0 &&
	    (!subnet_match(&s->sub_l[which], k->ver, k->local) ||
	     !subnet_match(&s->sub_r[which], k->ver, k->remote)))
		fail(0, "ADD of context %llu does not match subscription "
		     "%llu's template", (unsigned long long)e->context,
		     (unsigned long long)e->subscription);
}

/*
 * A net event: its size, a net-event subscription of s, a known type
 * (only traps raise them: the filter that dropped the packet is named),
 * zero reserved bytes; a classify drop names its filter, a trap of the
 * worker's when the datagram was (traps.c).
 */
static void check_net_event(const struct sess *s,
			    const struct wfp_ipsec_net_event *e)
{
	int which;

	if (e->size != sizeof(*e) || e->reserved)
		fail(0, "net event: size %u, reserved %u", e->size,
		     e->reserved);
	if (sess_has_sub(s, e->subscription, &which) ?
	    !s->sub_net[which] : !s->ghost_subs)
		fail(0, "net event for subscription %llu, not a net-event one "
		     "of session %llu", (unsigned long long)e->subscription,
		     (unsigned long long)s->sid);
	if (e->type != WFP_IPSEC_EVENT_NET_CLASSIFY_DROP &&
	    e->type != WFP_IPSEC_EVENT_NET_IPSEC_KERNEL_DROP)
		fail(0, "net event type %#x", e->type);
	else if (e->type == WFP_IPSEC_EVENT_NET_CLASSIFY_DROP &&
		 (!e->filter_id ||
		  (e->ip_version != WFP_IPSEC_IPV4 &&
		   e->ip_version != WFP_IPSEC_IPV6)))
		fail(0, "classify drop: filter %llu, version %u",
		     (unsigned long long)e->filter_id, e->ip_version);
	else if (e->type == WFP_IPSEC_EVENT_NET_CLASSIFY_DROP)
		check_classify_drop(s->ns, e);
}

/* One record: zero padding, of a subscription of s, of a known type. */
static void check_event(const struct sess *s, const struct wfp_ipsec_event *e)
{
	int which;

	if (e->reserved0)
		fail(0, "event: reserved0 0x%x", e->reserved0);
	if (!sess_has_sub(s, e->subscription, &which)) {
		if (!s->ghost_subs)
			fail(0, "event for subscription %llu, not one of "
			     "session %llu",
			     (unsigned long long)e->subscription,
			     (unsigned long long)s->sid);
		which = -1;
	}
	/* a net-event subscription's queue overflows the same way */
	if (e->type == WFP_IPSEC_EVENT_OVERFLOW) {
		if (e->context || !e->dropped)
			fail(0, "overflow record: context %llu dropped %llu",
			     (unsigned long long)e->context,
			     (unsigned long long)e->dropped);
		return;
	}
	if ((e->type != WFP_IPSEC_EVENT_ADD &&
	     e->type != WFP_IPSEC_EVENT_DELETE) ||
	    (which >= 0 && s->sub_net[which])) {
		fail(0, "event type %u for subscription %llu", e->type,
		     (unsigned long long)e->subscription);
		return;
	}
	if (!e->context || e->dropped)
		fail(0, "event: context %llu dropped %llu",
		     (unsigned long long)e->context,
		     (unsigned long long)e->dropped);
	check_event_context(s, e, which);
}

/*
 * The buffer read() gets: room for 16 records, or less than one, or a
 * part, or a bad pointer (*bad), or misaligned.
 */
static unsigned char *event_buf(struct wfp_ipsec_event *ev, size_t *len,
				bool *bad)
{
	unsigned char *buf = (unsigned char *)ev;

	*len = 16 * sizeof(*ev);
	*bad = false;
	switch (rn(10)) {
	case 0:
		/* smaller than a record: EINVAL */
		*len = rn(sizeof(*ev));
		break;
	case 1:
		/* whole records only */
		*len = sizeof(*ev) + rn(sizeof(*ev));
		break;
	case 2:
		buf = (unsigned char *)(uintptr_t)bad_ptr(rn(P_KINDS), *len);
		*bad = true;
		break;
	case 3:
		buf += 1 + rn(7);
		*len -= 8;
		break;
	}
	return buf;
}

/* Whether s may have net events queued (larger records). */
static bool may_net(const struct sess *s)
{
	int i;

	for (i = 0; i < s->nsubs; i++)
		if (s->sub_net[i])
			return true;
	return s->ghost_subs;
}

/*
 * A read() that failed: the size is checked first; EAGAIN when empty;
 * EINVAL when the buffer has room for no pending record, a net event's
 * included.
 */
static void check_read_error(const struct sess *s, size_t len, int e,
			     bool bad, bool polled_in)
{
	bool small = len < sizeof(struct wfp_ipsec_net_event) && may_net(s);

	/* a bad buffer loses a record */
	if (len < sizeof(struct wfp_ipsec_event) ? e != EINVAL :
	    !(e == EAGAIN || (e == EFAULT && bad) || (e == EINVAL && small)))
		fail(0, "read(%zu) of session %llu: %s", len,
		     (unsigned long long)s->sid, ename(e));
	if (e == EAGAIN && polled_in && !bad)
		fail(0, "poll reported events, read found none");
}

/* The records of a read(), each by its type's size. */
static void check_records(const struct sess *s, const unsigned char *buf,
			  size_t got)
{
	struct wfp_ipsec_net_event n;
	struct wfp_ipsec_event e;
	size_t off = 0;

	while (off < got) {
		memcpy(&e, buf + off, sizeof(e));
		if (e.type < WFP_IPSEC_EVENT_NET_BASE) {
			check_event(s, &e);
			off += sizeof(e);
			continue;
		}
		if (got - off < sizeof(n)) {
			fail(0, "net event %#x cut at %zu bytes", e.type,
			     got - off);
			return;
		}
		memcpy(&n, buf + off, sizeof(n));
		check_net_event(s, &n);
		off += sizeof(n);
	}
}

/* poll() then read(): records whole, zero padding, ours, never our own. */
void do_events(struct sess *s)
{
	struct wfp_ipsec_event ev[16], e;
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	unsigned char *buf;
	size_t len;
	bool bad;
	ssize_t got;

	if (poll(&p, 1, 0) < 0) {
		fail(0, "poll: %s", strerror(errno));
		return;
	}
	buf = event_buf(ev, &len, &bad);
	memset(ev, 0xa5, sizeof(ev));
	got = read(s->fd, buf, len);
	if (got < 0) {
		check_read_error(s, len, errno, bad, p.revents & POLLIN);
		return;
	}
	if (len < sizeof(e) || (got % sizeof(e)) || (size_t)got > len) {
		fail(0, "read(%zu) returned %zd", len, got);
		return;
	}
	if (bad) {
		/* whole records may fit before a straddling buffer's fault */
		if ((size_t)got > usable_prefix((uintptr_t)buf))
			fail(0, "read into a bad pointer returned %zd", got);
		return;
	}
	g_res->events += got / sizeof(e);
	check_records(s, buf, got);
}
