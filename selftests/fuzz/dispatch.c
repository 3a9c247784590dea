// SPDX-License-Identifier: GPL-2.0
/*
 * Which step comes next: the worker loop, one ioctl-level step, and
 * what a context usually goes through.  Each is a table of weights
 * walked with one draw: an entry takes the draw when the draw falls in
 * its share and its guard (if any) allows it, else the draw goes on to
 * the next entries, as an if/else-if chain of "r < limit && guard" does.
 */

#include "fuzz.h"

/*
 * A step on one session, and maybe one context (NULL: the command picks
 * an id itself); weights in hundredths.
 */
struct step {
	unsigned int weight;
	const char *name;
	void (*fn)(struct sess *s, struct ctx *x);
};

/* The entry whose share of the weights holds r; the last one past all. */
static const struct step *pick(const struct step *t, int n, unsigned int r)
{
	unsigned int lim = 0;
	int i;

	for (i = 0; i < n - 1; i++) {
		lim += t[i].weight;
		if (r < lim)
			break;
	}
	return &t[i];
}

static unsigned int weights(const struct step *t, int n)
{
	unsigned int sum = 0;

	while (n--)
		sum += t[n].weight;
	return sum;
}

/* ----------------------------------------------------------- the steps */

static void add_in(struct sess *s, struct ctx *x)
{
	do_add(s, x, true);
}

static void add_out(struct sess *s, struct ctx *x)
{
	do_add(s, x, false);
}

static void create_mutated(struct sess *s, struct ctx *x)
{
	(void)x;
	do_create(s, false);
}

static void create_valid(struct sess *s, struct ctx *x)
{
	(void)x;
	do_create(s, true);
}

static void hello_mutated(struct sess *s, struct ctx *x)
{
	(void)x;
	do_hello(s, false);
}

/* A command that names no context, as a step. */
#define SESS_STEP(fn)							\
static void fn##_step(struct sess *s, struct ctx *x)			\
{									\
	(void)x;							\
	fn(s);								\
}

SESS_STEP(do_enum)
SESS_STEP(do_subscribe)
SESS_STEP(do_unsubscribe)
SESS_STEP(do_stats)
SESS_STEP(do_rights_get)
SESS_STEP(do_rights_set)
SESS_STEP(do_session_get)
SESS_STEP(do_random_cmd)
SESS_STEP(do_batch)
SESS_STEP(do_obj)
SESS_STEP(do_filter)
SESS_STEP(do_txn)

static void netevent_step(struct sess *s, struct ctx *x)
{
	(void)x;
	if (pm(550))
		do_net_subscribe(s);
	else
		do_net_unsubscribe(s);
}

/* A datagram, not a command: the session is not its business. */
static void send_step(struct sess *s, struct ctx *x)
{
	(void)s;
	(void)x;
	do_send();
}

/* ------------------------------------------------ one context's next */

static const struct step created_steps[] = {
	{ 10, "CTX_SET_SELECTORS", do_set_selectors },
	{ 45, "CTX_SET_SPI", do_set_spi },
	{ 45, "CTX_GET_SPI", do_get_spi },
};

static const struct step spi_set_steps[] = {
	{ 100, "CTX_ADD_INBOUND", add_in },
};

static const struct step inbound_steps[] = {
	{ 80, "CTX_ADD_OUTBOUND", add_out },
	{ 20, "CTX_UPDATE", do_update },
};

static const struct step complete_steps[] = {
	{ 25, "CTX_UPDATE", do_update },
	{ 15, "CTX_EXPIRE", do_expire },
	{ 20, "CTX_GET", do_get },
	{ 15, "CTX_GET_SA", do_get_sa },
	{ 25, "CTX_DELETE", do_delete },
};

static const struct step expired_steps[] = {
	{ 60, "CTX_DELETE", do_delete },
	{ 20, "CTX_GET_SA", do_get_sa },
	{ 20, "CTX_GET", do_get },
};

static const struct step unknown_steps[] = {
	{ 100, "CTX_GET", do_get },
};

/* By the state the worker believes a context is in: 0 unknown, 1-5. */
static const struct {
	const struct step *t;
	int n;
} by_state[] = {
	{ unknown_steps, ARRAY_SIZE(unknown_steps) },
	{ created_steps, ARRAY_SIZE(created_steps) },
	{ spi_set_steps, ARRAY_SIZE(spi_set_steps) },
	{ inbound_steps, ARRAY_SIZE(inbound_steps) },
	{ complete_steps, ARRAY_SIZE(complete_steps) },
	{ expired_steps, ARRAY_SIZE(expired_steps) },
};

_Static_assert(WFP_IPSEC_CTX_STATE_CREATED == 1 &&
	       WFP_IPSEC_CTX_STATE_SPI_SET == 2 &&
	       WFP_IPSEC_CTX_STATE_INBOUND == 3 &&
	       WFP_IPSEC_CTX_STATE_COMPLETE == 4 &&
	       WFP_IPSEC_CTX_STATE_EXPIRED == 5, "by_state's order");

/* The next thing a context usually goes through. */
static void advance(struct sess *s, struct ctx *x)
{
	unsigned int r = rn(100);
	int st = x->state > 0 && x->state < (int)ARRAY_SIZE(by_state) ?
		 x->state : ST_UNKNOWN;

	pick(by_state[st].t, by_state[st].n, r)->fn(s, x);
}

/* ------------------------------------------------- one command step */

/* The command mix. */
static const struct step steps[] = {
	{ 12, "CTX_CREATE", create_mutated },
	{ 6, "CTX_DELETE", do_delete },
	{ 8, "CTX_GET", do_get },
	{ 5, "CTX_ENUM", do_enum_step },
	{ 5, "CTX_SET_SPI", do_set_spi },
	{ 5, "CTX_GET_SPI", do_get_spi },
	{ 3, "CTX_SET_SELECTORS", do_set_selectors },
	{ 6, "CTX_ADD_INBOUND", add_in },
	{ 6, "CTX_ADD_OUTBOUND", add_out },
	{ 5, "CTX_GET_SA", do_get_sa },
	{ 3, "CTX_EXPIRE", do_expire },
	{ 4, "SUBSCRIBE", do_subscribe_step },
	{ 4, "UNSUBSCRIBE", do_unsubscribe_step },
	{ 3, "STATS", do_stats_step },
	{ 7, "CTX_UPDATE", do_update },
	{ 2, "RIGHTS_GET", do_rights_get_step },
	{ 2, "RIGHTS_SET", do_rights_set_step },
	{ 3, "HELLO", hello_mutated },
	{ 3, "SESSION_GET", do_session_get_step },
	{ 2, "random command", do_random_cmd_step },
	{ 2, "CTX_ADD_BATCH", do_batch_step },
	{ 4, "CTX_CREATE (valid)", create_valid },
	{ 4, "OBJ_*", do_obj_step },
	/* last: the draws of the steps before keep their entries */
	{ 8, "FILTER_*", do_filter_step },
	{ 3, "TXN_*", do_txn_step },
	{ 2, "NETEVENT_*", netevent_step },
	{ 3, "a datagram (traps)", send_step },
};

/* One ioctl-level step; only = a session to stay on (racing episodes). */
void one_op(struct sess *only)
{
	struct sess *s = only;
	unsigned int r;

	if (!only && W.nctx && pm(380)) {
		struct ctx *x = ctx_any();

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
		advance(s, ctx_any());
		return;
	}
	r = rn(weights(steps, ARRAY_SIZE(steps)));
	/* a full pool makes deletion likelier */
	if (W.nctx > MAX_CTX - 8 && r < 30) {
		do_delete(s, ctx_any());
		return;
	}
	pick(steps, ARRAY_SIZE(steps), r)->fn(s, NULL);
}

/* ------------------------------------------------- the worker's loop */

/* Worker-level steps; weights per mille. */
struct loop_step {
	unsigned int weight;
	const char *name;
	bool (*may)(void);	/* NULL: always */
	void (*fn)(void);
};

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

static bool may_open(void)
{
	return sess_slot() && !W.in_child;
}

/* Closes a session, as long as more than two are open. */
static void close_session_op(void)
{
	struct sess *s = sess_any();
	int i, n = 0;

	for (i = 0; i < MAX_SESS; i++)
		n += W.sess[i].fd >= 0;
	if (s && n > 2)
		sess_close(s);
}

static bool may_race(void)
{
	return !W.in_child && !W.det;
}

static bool not_in_child(void)
{
	return !W.in_child;
}

/* Drawn only when the step's share is hit: its own odds. */
static bool may_fork_child(void)
{
	return !W.in_child && pm(600);
}

static void events_op(void)
{
	struct sess *s = sess_any();

	if (s)
		do_events(s);
}

static void enum_walk_op(void)
{
	struct sess *s = sess_normal(W.in_child ? W.child_ns :
				     pm(900) ? 0 : (int)rn(W.nns));

	if (s)
		do_enum_walk(s);
}

static void command_op(void)
{
	one_op(NULL);
}

/* The worker's mix; the weights add up to 1000. */
static const struct loop_step loop_steps[] = {
	{ 8, "open a session", may_open, open_session_op },
	{ 6, "close a session", NULL, close_session_op },
	{ 3, "racing episode", may_race, race_episode },
	{ 1, "sessions in a new netns", not_in_child, ns_sessions },
	{ 1, "netns child", may_fork_child, ns_child },
	{ 26, "read events", NULL, events_op },
	{ 8, "enumeration walk", NULL, enum_walk_op },
	{ 947, "command", NULL, command_op },
};

/*
 * The first entry whose share holds r, or a later one, that its guard
 * allows; the last one has none.
 */
static const struct loop_step *loop_pick(unsigned int r)
{
	const struct loop_step *l = loop_steps;
	unsigned int lim = 0;

	for (; l < loop_steps + ARRAY_SIZE(loop_steps) - 1; l++) {
		lim += l->weight;
		if (r < lim && (!l->may || l->may()))
			break;
	}
	return l;
}

void worker_loop(void)
{
	uint64_t stall = 0, last = TS->calls;

	while (TS->calls < W.budget) {
		unsigned int r = rn(1000);

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
		loop_pick(r)->fn();
	}
}
