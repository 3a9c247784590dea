// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency stress and teardown under load (Documentation/testing.rst).
 *
 * FIXTURE stress: M processes x N threads (WFP_STRESS_PROCS, default 3;
 * WFP_STRESS_THREADS, default 4) run every SA-context call of the library
 * at random for WFP_STRESS_SECS seconds (default 8) in one network
 * namespace of their own: Create1, SetSpi0 / GetSpi1, AddInbound1,
 * AddOutbound1, Update0 (UDP encapsulation on/off), Expire0, DeleteById0,
 * GetById1, Enum1, Subscribe0 + Unsubscribe0.  Each thread has private
 * contexts, whose state it knows exactly, so every result on them must be
 * the documented one and GetById1 / Enum1 (over the thread's own subnet)
 * must report them as they are, while everything else runs.  The threads
 * of a process also share a table of contexts they race on - one keys
 * while another expires or deletes - where a call may legitimately find
 * the context gone or in another state, but never fail otherwise, and a
 * context is deleted successfully at most once.  Afterwards the parent
 * reconciles what the threads believe with what the module and xfrm hold:
 * every context exactly once in the enumeration, with its state and SPI;
 * its xfrm states and policies exactly once; nothing else carrying a
 * reqid of the module's range (0x40000000-0x7fffffff).  Then it deletes
 * everything and finds xfrm empty.
 *
 * FIXTURE teardown: the ends of a session under load.  A process keying
 * from several threads in a network namespace of its own is SIGKILLed
 * mid-call; the namespace must go away (proved with a user namespace whose
 * max_net_namespaces is 1: a new namespace can be made only once the old
 * one finished its exit, our pernet exit included) and the module's
 * references come back.  A namespace made with `ip netns add` is deleted
 * while threads in it work, then they are killed: the wfp_context and
 * xfrm_state slab caches return to where they were.  A descriptor is
 * closed, and an engine handle closed, while another thread is inside a
 * call on it; an engine is closed right after Unsubscribe0 while another
 * session's changes keep queueing events for it.  rmmod is refused while sessions work, succeeds once they
 * are closed, leaves no xfrm state or policy behind, and the module is
 * loaded again for the programs that run after this one.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_sa.h"

#define REQID_MIN	0x40000000U
#define REQID_MAX	0x7fffffffU

#define PARAMS		"/sys/module/wfp_ipsec/parameters/"
/* The setting of the namespace the test process is in. */
#define GRACE_PATH	"/proc/sys/net/wfp_ipsec/expire_grace_seconds"

/* Every context's local address; the remote one is unique per context. */
#define LOCAL_V4	V4(10, 0, 0, 1)

/*
 * Remote addresses: 11.0.0.0/8 for private contexts, thread t of process
 * p owning 11.(p << 5 | t << 1).0.0/15; 12.(p << 5).0.0/11 for the shared
 * ones of process p.  Unique remotes give every context a policy set of
 * its own, so its policies can be told apart.
 */
#define PRIV_NET	V4(11, 0, 0, 0)
#define SHARED_NET	V4(12, 0, 0, 0)
#define PRIV_MASK	0xfffe0000U
#define SHARED_MASK	0xffe00000U

#define MAX_PROCS	6
#define MAX_THREADS	8
#define PRIV_MAX	24	/* live private contexts per thread */
#define SLOTS		32	/* shared contexts per process */
#define STALE_MAX	8	/* deleted ids a thread remembers */

enum op {
	OP_CREATE, OP_SETSPI, OP_GETSPI, OP_ADDIN, OP_ADDOUT, OP_UPDATE,
	OP_EXPIRE, OP_DELETE, OP_GET, OP_ENUM, OP_SUB, OP_MAX
};

static const char *const op_names[OP_MAX] = {
	"create", "setspi", "getspi", "addin", "addout", "update",
	"expire", "delete", "get", "enum", "subscribe",
};

struct opstat {
	unsigned long n;	/* calls */
	unsigned long ok;	/* ERROR_SUCCESS */
};

/* One context as the test believes it is. */
struct ctxrec {
	UINT64 id;
	UINT32 remote;		/* host order */
	UINT32 spi_in;		/* 0 until reserved */
	UINT32 spi_out;
	UINT32 state;		/* ST_*, believed */
	bool encap;		/* ESP-in-UDP on (private contexts only) */
	bool busy;		/* shared slot: a Create1 is under way */
};

/* A thread's part of the shared memory the parent reads at the end. */
struct tstate {
	struct ctxrec priv[PRIV_MAX];
	unsigned int npriv;
	UINT64 stale[STALE_MAX];
	unsigned int nstale;
	struct opstat ops[OP_MAX];
	unsigned long checks;	/* live invariants checked */
	int phase;		/* PH_*, for the report of a stuck run */
	int cur;		/* the op under way (PH_RUN) */
	unsigned long events;	/* callbacks received */
	unsigned int bad;	/* unexpected results */
	char why[256];		/* the first of them */
};

struct parea {
	struct ctxrec slot[SLOTS];
	struct tstate t[MAX_THREADS];
	int started;
	int finished;
	int phase;		/* PH_*: the process's shared engine */
};

/* Where a thread or process is; a run that never ends says where. */
enum { PH_NONE, PH_RUN, PH_UNSUB, PH_CLOSE, PH_DONE };
static const char *const ph_names[] = {
	"not started", "running", "in Unsubscribe0", "in FwpmEngineClose0",
	"done",
};

static struct {
	int procs, threads, secs;
	unsigned int seed;
} cfg;

static int env_int(const char *name, int def, int lo, int hi)
{
	const char *s = getenv(name);
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, NULL, 0);
	return v < lo ? lo : v > hi ? hi : (int)v;
}

static double now_s(void)
{
	return wfp_clock_ns(CLOCK_MONOTONIC) / 1e9;
}

/* ------------------------------------------------------------ keying */

/* Every SA lives an hour: none expires while a test runs. */
static const IPSEC_SA_LIFETIME0 LIFETIME = { .lifetimeSeconds = 3600 };

static DWORD do_create(HANDLE h, UINT32 remote, UINT64 *id)
{
	IPSEC_TRAFFIC1 t;

	traffic_v4(&t, false, LOCAL_V4, remote);
	return IPsecSaContextCreate1(h, &t, NULL, NULL, id);
}

/* SetSpi0 with spi, or GetSpi1 (spi 0) storing the chosen one in *got. */
static DWORD do_spi(HANDLE h, UINT64 id, UINT32 remote, UINT32 spi,
		    UINT32 *got)
{
	IPSEC_GETSPI1 g;
	IPSEC_SA_SPI s = 0;
	DWORD rc;

	memset(&g, 0, sizeof(g));
	traffic_v4(&g.inboundIpsecTraffic, false, LOCAL_V4, remote);
	g.ipVersion = FWP_IP_VERSION_V4;
	if (spi) {
		rc = IPsecSaContextSetSpi0(h, id, &g, spi);
		s = spi;
	} else {
		rc = IPsecSaContextGetSpi1(h, id, &g, &s);
	}
	if (!rc)
		*got = s;
	return rc;
}

/* AddInbound1 or AddOutbound1 of a gcm_sab_init_noauth() bundle. */
static DWORD do_add(HANDLE h, UINT64 id, bool inbound, UINT32 spi)
{
	struct gcm_sab s;

	gcm_sab_init_noauth(&s, spi, (unsigned int)id,
			    inbound ? DIR_IN : DIR_OUT, &LIFETIME);
	return inbound ? IPsecSaContextAddInbound1(h, id, &s.b) :
			 IPsecSaContextAddOutbound1(h, id, &s.b);
}

/* Update0: UDP encapsulation on (4500/4500) or off, and a new mmSaId. */
static DWORD do_update(HANDLE h, UINT64 id, bool encap, UINT64 mmsa)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { 4500, 4500 };
	IPSEC_SA_DETAILS1 d[2];
	IPSEC_SA_CONTEXT1 c;

	memset(d, 0, sizeof(d));
	memset(&c, 0, sizeof(c));
	c.saContextId = id;
	c.outboundSa = &d[0];
	c.inboundSa = &d[1];
	d[0].udpEncapsulation = encap ? &enc : NULL;
	d[1].udpEncapsulation = encap ? &enc : NULL;
	d[0].saBundle.mmSaId = mmsa;
	d[1].saBundle.mmSaId = mmsa;
	return IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION |
				     IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID, &c);
}

/* ------------------------------------------------------------ workers */

struct worker {
	struct parea *pa;
	struct tstate *ts;
	int p, t;
	HANDLE hp;		/* the thread's own engine */
	HANDLE hs;		/* the process's engine, shared by its threads */
	int fdp;
	unsigned int rnd;
	UINT32 seq;		/* remote addresses and SPIs handed out */
	double deadline;
	HANDLE sub;		/* a subscription held for a few calls */
	HANDLE sub_engine;
	int sub_left;
};

static pthread_mutex_t g_slot_lock = PTHREAD_MUTEX_INITIALIZER;

static void __attribute__((format(printf, 2, 3)))
bad(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	if (!w->ts->bad++) {
		va_start(ap, fmt);
		vsnprintf(w->ts->why, sizeof(w->ts->why), fmt, ap);
		va_end(ap);
	}
}

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return n ? (unsigned int)rand_r(&w->rnd) % n : 0;
}

/* SPIs this thread hands out: 0x1pttnnnn (in) and 0x2pttnnnn (out). */
static UINT32 spi_of(struct worker *w, UINT32 base, UINT32 n)
{
	return base | (UINT32)w->p << 24 | (UINT32)w->t << 20 | (n & 0xfffff);
}

static void count(struct worker *w, enum op op, DWORD rc)
{
	w->ts->cur = OP_MAX;
	w->ts->ops[op].n++;
	if (!rc)
		w->ts->ops[op].ok++;
}

static void CALLBACK on_event(void *ctx, const IPSEC_SA_CONTEXT_CHANGE0 *c)
{
	struct worker *w = ctx;

	__atomic_fetch_add(&w->ts->events, 1, __ATOMIC_RELAXED);
	if ((c->changeType != IPSEC_SA_CONTEXT_EVENT_ADD &&
	     c->changeType != IPSEC_SA_CONTEXT_EVENT_DELETE) ||
	    !c->saContextId)
		bad(w, "event type %d context %llu", c->changeType,
		    (unsigned long long)c->saContextId);
}

static void unsubscribe(struct worker *w)
{
	DWORD rc = IPsecSaContextUnsubscribe0(w->sub_engine, w->sub);

	if (rc)
		bad(w, "Unsubscribe0: %s", code_name(rc));
	w->sub = NULL;
}

/* Subscribe0 now, Unsubscribe0 a few calls later (or at the end). */
static void op_subscribe(struct worker *w, bool shared)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	FWP_V4_ADDR_AND_MASK m;
	DWORD rc;

	if (w->sub) {
		unsubscribe(w);
		return;
	}
	memset(&s, 0, sizeof(s));
	memset(&tmpl, 0, sizeof(tmpl));
	/* Half of them watch the process's shared subnet, half all. */
	if (rnd(w, 2)) {
		m.addr = SHARED_NET | (UINT32)w->p << 21;
		m.mask = SHARED_MASK;
		tmpl.remoteSubNet.type = FWP_V4_ADDR_MASK;
		tmpl.remoteSubNet.v4AddrMask = &m;
		s.enumTemplate = &tmpl;
	}
	w->sub_engine = shared ? w->hs : w->hp;
	rc = IPsecSaContextSubscribe0(w->sub_engine, &s, on_event, w, &w->sub);
	count(w, OP_SUB, rc);
	if (rc) {
		bad(w, "Subscribe0: %s", code_name(rc));
		w->sub = NULL;
		return;
	}
	w->sub_left = 1 + rnd(w, 20);
}

static void sub_tick(struct worker *w)
{
	if (w->sub && --w->sub_left <= 0)
		unsubscribe(w);
}

/* What the context must look like to GetById1 and CTX_GET. */
static void check_private(struct worker *w, const struct ctxrec *r)
{
	const IPSEC_SA_DETAILS1 *in, *out;
	struct wfp_ipsec_ctx_info info;
	IPSEC_SA_CONTEXT1 *c = NULL;
	bool has_in_sa, has_out_sa;
	DWORD rc;
	int err;

	rc = IPsecSaContextGetById1(w->hp, r->id, &c);
	count(w, OP_GET, rc);
	if (rc) {
		bad(w, "GetById1(%llu, state %u): %s",
		    (unsigned long long)r->id, r->state, code_name(rc));
		return;
	}
	w->ts->checks++;
	in = c->inboundSa;
	out = c->outboundSa;
	has_in_sa = r->state >= ST_INBOUND;
	has_out_sa = r->state == ST_COMPLETE;
	if (c->saContextId != r->id || !out ||
	    !in != (r->state < ST_SPI_SET) ||
	    out->saBundle.numSAs != has_out_sa ||
	    (has_out_sa && out->saBundle.saList[0].spi != r->spi_out) ||
	    (in && in->saBundle.numSAs != has_in_sa) ||
	    (in && has_in_sa && in->saBundle.saList[0].spi != r->spi_in) ||
	    (in && !in->udpEncapsulation != !r->encap))
		bad(w, "GetById1(%llu): state %u in %p/%u out %u encap %d",
		    (unsigned long long)r->id, r->state, (void *)in,
		    in ? in->saBundle.numSAs : 0, out ? out->saBundle.numSAs : 9,
		    r->encap);
	FwpmFreeMemory0((void **)&c);

	err = raw_get(w->fdp, r->id, &info);
	w->ts->checks++;
	if (err || info.state != r->state ||
	    info.inbound_spi != (r->state >= ST_SPI_SET ? r->spi_in : 0) ||
	    info.reqid < REQID_MIN || info.reqid > REQID_MAX)
		bad(w, "CTX_GET(%llu): %d state %u/%u spi %#x/%#x reqid %#x",
		    (unsigned long long)r->id, err, info.state, r->state,
		    info.inbound_spi, r->spi_in, info.reqid);
}

/*
 * Enum1 of the contexts h sees in net/mask, in pages of 1 to page at
 * random, each context to fn; stops past limit contexts (0: none).
 * False when there was no enumeration to walk; an Enum1 failure (what:
 * the log's name for the walk) ends it early but counts as a walk.
 */
static bool walk_subnet(struct worker *w, HANDLE h, UINT32 net, UINT32 mask,
			const char *what, UINT32 page, unsigned int limit,
			void (*fn)(struct worker *w,
				   const IPSEC_SA_CONTEXT1 *c, void *arg),
			void *arg)
{
	FWP_V4_ADDR_AND_MASK m = { .addr = net, .mask = mask };
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT1 **e = NULL;
	unsigned int total = 0;
	UINT32 got, want, i;
	HANDLE en;
	DWORD rc;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.remoteSubNet.type = FWP_V4_ADDR_MASK;
	tmpl.remoteSubNet.v4AddrMask = &m;
	rc = IPsecSaContextCreateEnumHandle0(h, &tmpl, &en);
	if (rc) {
		count(w, OP_ENUM, rc);
		bad(w, "CreateEnumHandle0: %s", code_name(rc));
		return false;
	}
	do {
		want = 1 + rnd(w, page);
		rc = IPsecSaContextEnum1(h, en, want, &e, &got);
		count(w, OP_ENUM, rc);
		if (rc) {
			bad(w, "%s: %s", what, code_name(rc));
			break;
		}
		for (i = 0; i < got; i++)
			fn(w, e[i], arg);
		total += got;
		FwpmFreeMemory0((void **)&e);
	} while (got == want && (!limit || total <= limit));
	IPsecSaContextDestroyEnumHandle0(h, en);
	return true;
}

/* One of the thread's private contexts, counted in seen, its SPI right. */
static void see_private(struct worker *w, const IPSEC_SA_CONTEXT1 *c,
			void *seen)
{
	UINT32 j;

	for (j = 0; j < w->ts->npriv; j++)
		if (w->ts->priv[j].id == c->saContextId)
			break;
	if (j == w->ts->npriv) {
		bad(w, "Enum1: context %llu not ours",
		    (unsigned long long)c->saContextId);
		return;
	}
	((UINT32 *)seen)[j]++;
	if (w->ts->priv[j].state >= ST_INBOUND &&
	    (!c->inboundSa || c->inboundSa->saBundle.numSAs != 1 ||
	     c->inboundSa->saBundle.saList[0].spi != w->ts->priv[j].spi_in))
		bad(w, "Enum1: context %llu inbound SA wrong",
		    (unsigned long long)c->saContextId);
}

/*
 * Enum1 over the thread's own subnet: exactly the thread's private
 * contexts, each once, with their SPIs - nobody else creates or deletes
 * there, whatever happens around.
 */
static void check_private_enum(struct worker *w)
{
	UINT32 seen[PRIV_MAX], j;

	memset(seen, 0, sizeof(seen));
	if (!walk_subnet(w, w->hp,
			 PRIV_NET | (UINT32)w->p << 21 | (UINT32)w->t << 17,
			 PRIV_MASK, "Enum1", 8, 4 * PRIV_MAX, see_private,
			 seen))
		return;
	for (j = 0; j < w->ts->npriv; j++) {
		w->ts->checks++;
		if (seen[j] != 1)
			bad(w, "Enum1: own context %llu seen %u times",
			    (unsigned long long)w->ts->priv[j].id, seen[j]);
	}
}

/* A shared context: its id above the one before (*last). */
static void see_shared(struct worker *w, const IPSEC_SA_CONTEXT1 *c,
		       void *last)
{
	UINT64 *l = last;

	w->ts->checks++;
	if (c->saContextId <= *l)
		bad(w, "Enum1 (shared): %llu after %llu",
		    (unsigned long long)c->saContextId,
		    (unsigned long long)*l);
	*l = c->saContextId;
}

/* Enum1 over the process's shared subnet: increasing ids, each once. */
static void check_shared_enum(struct worker *w)
{
	UINT64 last = 0;

	walk_subnet(w, w->hs, SHARED_NET | (UINT32)w->p << 21, SHARED_MASK,
		    "Enum1 (shared)", 12, 0, see_shared, &last);
}

static void expect_rc(struct worker *w, enum op op, const struct ctxrec *r,
		      DWORD rc, DWORD want)
{
	count(w, op, rc);
	if (rc != want)
		bad(w, "%s on private %llu (state %u): %s, want %s",
		    op_names[op], (unsigned long long)r->id, r->state,
		    code_name(rc), code_name(want));
}

static void private_delete(struct worker *w, unsigned int i)
{
	struct tstate *ts = w->ts;
	DWORD rc = IPsecSaContextDeleteById0(w->hp, ts->priv[i].id);

	expect_rc(w, OP_DELETE, &ts->priv[i], rc, ERROR_SUCCESS);
	if (rc)
		return;
	ts->stale[ts->nstale++ % STALE_MAX] = ts->priv[i].id;
	ts->priv[i] = ts->priv[--ts->npriv];
}

/*
 * The natural next step from state.  A private context sometimes
 * updates before its outbound SA, and expires or goes when complete
 * (when expired, it goes); a shared one, complete or expired, may be
 * read too.
 */
static enum op next_op(struct worker *w, UINT32 state, bool private)
{
	switch (state) {
	case ST_CREATED:
		return rnd(w, 2) ? OP_SETSPI : OP_GETSPI;
	case ST_SPI_SET:
		return OP_ADDIN;
	case ST_INBOUND:
		return !private || rnd(w, 5) ? OP_ADDOUT : OP_UPDATE;
	default:
		if (private && state != ST_COMPLETE)
			return OP_DELETE;
		return (enum op[]){ OP_UPDATE, OP_EXPIRE, OP_DELETE,
				    private ? OP_DELETE : OP_GET }[rnd(w, 4)];
	}
}

/*
 * Keying call op on context r through h: SetSpi0 or GetSpi1 (the SPI into
 * *spi, else 0), AddInbound1, AddOutbound1, Update0 (UDP encapsulation
 * turned to encap) or Expire0.  *to: the state it leaves r in if it
 * succeeds.
 */
static DWORD keying_call(struct worker *w, HANDLE h, enum op op,
			 const struct ctxrec *r, bool encap, UINT32 *spi,
			 UINT32 *to)
{
	*spi = 0;
	*to = r->state;
	switch (op) {
	case OP_SETSPI:
	case OP_GETSPI:
		*to = ST_SPI_SET;
		if (op == OP_SETSPI)
			*spi = spi_of(w, 0x10000000, ++w->seq);
		return do_spi(h, r->id, r->remote, *spi, spi);
	case OP_ADDIN:
		*to = ST_INBOUND;
		/* Before an SPI, a valid one that is not reserved. */
		return do_add(h, r->id, true, r->spi_in ?: 0x300);
	case OP_ADDOUT:
		*to = ST_COMPLETE;
		return do_add(h, r->id, false, r->spi_out);
	case OP_UPDATE:
		return do_update(h, r->id, encap, w->seq);
	default:
		*to = ST_EXPIRED;
		return IPsecSaContextExpire0(h, r->id);
	}
}

/* One call on one of the thread's private contexts. */
static void private_step(struct worker *w)
{
	struct tstate *ts = w->ts;
	unsigned int i, r = rnd(w, 100);
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct ctxrec *rec;
	UINT32 spi, to;
	enum op op;
	DWORD rc;
	bool ok;

	if (!ts->npriv || (ts->npriv < PRIV_MAX && r < 12)) {
		struct ctxrec n = { 0 };

		n.remote = PRIV_NET | (UINT32)w->p << 21 | (UINT32)w->t << 17 |
			   (++w->seq & 0x1ffff);
		n.spi_out = spi_of(w, 0x20000000, w->seq);
		n.state = ST_CREATED;
		w->ts->cur = OP_CREATE;
		rc = do_create(w->hp, n.remote, &n.id);
		count(w, OP_CREATE, rc);
		if (rc) {
			bad(w, "Create1 (private): %s", code_name(rc));
			return;
		}
		ts->priv[ts->npriv++] = n;
		return;
	}
	i = rnd(w, ts->npriv);
	rec = &ts->priv[i];
	r = rnd(w, 100);
	if (r < 55) {
		op = next_op(w, rec->state, true);
	} else if (r < 65) {
		op = OP_GET;
	} else if (r < 71) {
		op = OP_ENUM;
	} else if (r < 75) {
		op = OP_SUB;
	} else if (r < 80 && ts->nstale) {
		/* A deleted id stays deleted. */
		UINT64 id = ts->stale[rnd(w, ts->nstale < STALE_MAX ?
					  ts->nstale : STALE_MAX)];
		struct ctxrec gone = { .id = id };

		if (rnd(w, 2)) {
			rc = IPsecSaContextGetById1(w->hp, id, &c);
			expect_rc(w, OP_GET, &gone, rc, FWP_E_NOT_FOUND);
			FwpmFreeMemory0((void **)&c);
		} else {
			rc = IPsecSaContextDeleteById0(w->hp, id);
			expect_rc(w, OP_DELETE, &gone, rc, FWP_E_NOT_FOUND);
		}
		return;
	} else {
		/* Any keying call, most of them out of order: refused. */
		op = (enum op[]){ OP_SETSPI, OP_GETSPI, OP_ADDIN, OP_ADDOUT,
				  OP_UPDATE, OP_EXPIRE }[rnd(w, 6)];
	}

	w->ts->cur = op;
	switch (op) {
	case OP_DELETE:
		private_delete(w, i);
		break;
	case OP_GET:
		check_private(w, rec);
		break;
	case OP_ENUM:
		check_private_enum(w);
		break;
	case OP_SUB:
		op_subscribe(w, false);
		break;
	default:
		/*
		 * A keying call: it succeeds only from the state just before
		 * the one it leads to (the ST_* count up), Update0 only once
		 * there are SAs to update.
		 */
		rc = keying_call(w, w->hp, op, rec, !rec->encap, &spi, &to);
		ok = op == OP_UPDATE ? rec->state == ST_INBOUND ||
				       rec->state == ST_COMPLETE :
				       rec->state == to - 1;
		expect_rc(w, op, rec, rc, ok ? ERROR_SUCCESS :
			  FWP_E_INCOMPATIBLE_SA_STATE);
		if (rc)
			break;
		rec->state = to;
		if (spi)
			rec->spi_in = spi;
		if (op == OP_UPDATE)
			rec->encap = !rec->encap;
		break;
	}
}

/* Records a success on shared context id, if the slot still holds it. */
static void shared_record(struct ctxrec *slot, UINT64 id, UINT32 state,
			  UINT32 spi_in)
{
	pthread_mutex_lock(&g_slot_lock);
	if (slot->id == id) {
		if (state > slot->state)
			slot->state = state;
		if (spi_in)
			slot->spi_in = spi_in;
	}
	pthread_mutex_unlock(&g_slot_lock);
}

static void shared_expect(struct worker *w, enum op op, UINT64 id, DWORD rc,
			  bool may_be_refused)
{
	count(w, op, rc);
	if (rc == ERROR_SUCCESS || rc == FWP_E_NOT_FOUND ||
	    (may_be_refused && rc == FWP_E_INCOMPATIBLE_SA_STATE))
		return;
	bad(w, "%s on shared %llu: %s", op_names[op],
	    (unsigned long long)id, code_name(rc));
}

/* One call on one of the contexts the process's threads share. */
static void shared_step(struct worker *w)
{
	struct ctxrec *slot = &w->pa->slot[rnd(w, SLOTS)], cur;
	IPSEC_SA_CONTEXT1 *c = NULL;
	bool create = false;
	UINT32 spi, to;
	enum op op;
	DWORD rc;

	pthread_mutex_lock(&g_slot_lock);
	if (!slot->id && !slot->busy) {
		slot->busy = true;
		create = true;
	}
	cur = *slot;
	pthread_mutex_unlock(&g_slot_lock);

	if (create) {
		UINT64 id = 0;
		UINT32 remote = SHARED_NET | (UINT32)w->p << 21 |
				(UINT32)w->t << 17 | (++w->seq & 0x1ffff);

		w->ts->cur = OP_CREATE;
		rc = do_create(w->hs, remote, &id);
		count(w, OP_CREATE, rc);
		if (rc)
			bad(w, "Create1 (shared): %s", code_name(rc));
		pthread_mutex_lock(&g_slot_lock);
		slot->busy = false;
		if (!rc) {
			memset(slot, 0, sizeof(*slot));
			slot->id = id;
			slot->remote = remote;
			slot->spi_out = spi_of(w, 0x20000000, w->seq);
			slot->state = ST_CREATED;
		}
		pthread_mutex_unlock(&g_slot_lock);
		return;
	}
	if (!cur.id) {
		check_shared_enum(w);
		return;
	}

	if (rnd(w, 2))
		op = next_op(w, cur.state, false);
	else
		op = (enum op)(1 + rnd(w, OP_MAX - 1));
	/* Without the reserved SPI known, AddInbound could only be wrong. */
	if (op == OP_ADDIN && !cur.spi_in)
		op = OP_GET;

	w->ts->cur = op;
	switch (op) {
	case OP_DELETE:
		rc = IPsecSaContextDeleteById0(w->hs, cur.id);
		shared_expect(w, op, cur.id, rc, false);
		if (rc)
			break;
		pthread_mutex_lock(&g_slot_lock);
		/* Only a successful delete empties a slot: if it moved on,
		 * this id was deleted successfully twice.
		 */
		if (slot->id == cur.id)
			memset(slot, 0, sizeof(*slot));
		else
			bad(w, "shared %llu deleted twice",
			    (unsigned long long)cur.id);
		pthread_mutex_unlock(&g_slot_lock);
		break;
	case OP_GET:
		rc = IPsecSaContextGetById1(w->hs, cur.id, &c);
		shared_expect(w, op, cur.id, rc, false);
		if (!rc && c->saContextId != cur.id)
			bad(w, "GetById1(%llu) returned %llu",
			    (unsigned long long)cur.id,
			    (unsigned long long)c->saContextId);
		FwpmFreeMemory0((void **)&c);
		break;
	case OP_ENUM:
		check_shared_enum(w);
		break;
	case OP_SUB:
		op_subscribe(w, true);
		break;
	default:
		/* A keying call: another thread may have moved the context. */
		rc = keying_call(w, w->hs, op, &cur, op == OP_UPDATE &&
				 rnd(w, 2), &spi, &to);
		shared_expect(w, op, cur.id, rc, true);
		if (!rc)
			shared_record(slot, cur.id, to, spi);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	DWORD rc;

	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &w->hp);
	if (rc) {
		bad(w, "FwpmEngineOpen0: %s", code_name(rc));
		return NULL;
	}
	WfpIpsecEngineGetFd(w->hp, &w->fdp);
	__atomic_fetch_add(&w->pa->started, 1, __ATOMIC_RELAXED);
	w->ts->phase = PH_RUN;
	while (now_s() < w->deadline) {
		if (rnd(w, 100) < 60)
			private_step(w);
		else
			shared_step(w);
		sub_tick(w);
	}
	w->ts->phase = PH_UNSUB;
	if (w->sub)
		IPsecSaContextUnsubscribe0(w->sub_engine, w->sub);
	/* The contexts outlive the session, as WFP objects do. */
	w->ts->phase = PH_CLOSE;
	rc = FwpmEngineClose0(w->hp);
	if (rc)
		bad(w, "FwpmEngineClose0: %s", code_name(rc));
	w->ts->phase = PH_DONE;
	__atomic_fetch_add(&w->pa->finished, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* One stress process: its threads share one engine and the slot table. */
static int stress_proc(struct parea *pa, int p, double deadline)
{
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	HANDLE hs;
	int t;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &hs))
		return 10;
	pa->phase = PH_RUN;
	memset(w, 0, sizeof(w));
	for (t = 0; t < cfg.threads; t++) {
		w[t].pa = pa;
		w[t].ts = &pa->t[t];
		w[t].p = p;
		w[t].t = t;
		w[t].hs = hs;
		w[t].rnd = cfg.seed ^ (unsigned int)(p * 7919 + t * 104729);
		w[t].deadline = deadline;
		if (pthread_create(&tid[t], NULL, worker_main, &w[t]))
			return 11;
	}
	for (t = 0; t < cfg.threads; t++)
		pthread_join(tid[t], NULL);
	pa->phase = PH_CLOSE;
	if (FwpmEngineClose0(hs))
		return 12;
	pa->phase = PH_DONE;
	return 0;
}

/* ------------------------------------------------------ xfrm via libnl */

/* The IPv4 address an xs or xp address starts with, host order. */
static UINT32 addr_v4(const UINT8 *a)
{
	UINT32 v;

	memcpy(&v, a, 4);
	return ntohl(v);
}

static bool ours(UINT32 reqid)
{
	return reqid >= REQID_MIN && reqid <= REQID_MAX;
}

/* States and policies of the current namespace with one of our reqids. */
static int ours_in_xfrm(int *states, int *policies)
{
	struct xs *s = NULL;
	struct xp *p = NULL;
	int ns = sa_dump(-1, &s), np = sp_dump(-1, &p), i;

	*states = *policies = 0;
	for (i = 0; i < ns; i++)
		*states += ours(s[i].reqid);
	for (i = 0; i < np; i++)
		*policies += ours(p[i].reqid);
	free(s);
	free(p);
	return ns < 0 || np < 0 ? -1 : 0;
}

/* ================================================= FIXTURE stress */

FIXTURE(stress) {
	struct parea *pa;
	size_t pa_len;
};

FIXTURE_SETUP(stress)
{
	cfg.procs = env_int("WFP_STRESS_PROCS", 3, 1, MAX_PROCS);
	cfg.threads = env_int("WFP_STRESS_THREADS", 4, 1, MAX_THREADS);
	cfg.secs = env_int("WFP_STRESS_SECS", 8, 1, 3600);
	cfg.seed = (unsigned int)env_int("WFP_STRESS_SEED", (int)time(NULL),
					 0, INT_MAX);
	/* xfrm counts must be exact: a namespace of our own. */
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	/* Expired contexts keep their inbound SA through the checks; the
	 * setting is the namespace's, gone with it.
	 */
	ASSERT_EQ(write_str(GRACE_PATH, "3600"), 0);
	self->pa_len = sizeof(struct parea) * MAX_PROCS;
	self->pa = wfp_shared_mem(_metadata, self->pa_len);
}

FIXTURE_TEARDOWN(stress)
{
	if (self->pa)
		munmap(self->pa, self->pa_len);
}

/* How long after the deadline the processes may take to finish. */
#define STUCK_S		120

static void stuck_report(struct __test_metadata *_metadata,
			 const struct parea *pa)
{
	int p, t;

	for (p = 0; p < cfg.procs; p++) {
		TH_LOG("process %d: shared engine %s", p,
		       ph_names[pa[p].phase]);
		for (t = 0; t < cfg.threads; t++)
			TH_LOG("  thread %d: %s%s%s", t,
			       ph_names[pa[p].t[t].phase],
			       pa[p].t[t].phase == PH_RUN ? ", in " : "",
			       pa[p].t[t].phase == PH_RUN &&
			       pa[p].t[t].cur < OP_MAX ?
			       op_names[pa[p].t[t].cur] : "");
	}
}

/* Where one thread of a stuck process waits: wchan and system call. */
static void stuck_task(pid_t pid, const char *task, void *metadata)
{
	struct __test_metadata *_metadata = metadata;
	char wchan[64], sc[128];

	wfp_task_read(pid, task, "wchan", wchan, sizeof(wchan));
	wfp_task_read(pid, task, "syscall", sc, sizeof(sc));
	sc[strcspn(sc, " \n")] = 0;
	TH_LOG("pid %d task %s: wchan %s, syscall %s", pid, task, wchan, sc);
}

/* What one believed context must be in the module and in xfrm. */
struct expect {
	const struct ctxrec *r;
	bool shared;
	unsigned int found;	/* times CTX_ENUM listed it */
	unsigned int listed;	/* times Enum1 listed it */
	UINT32 reqid;
};

/* The parent's reconciliation of what the threads believe. */
struct beliefs {
	struct __test_metadata *md;
	struct expect *exp;
	int n;
	unsigned long checks;
	int states, policies;	/* ours that xfrm must hold */
};

/* Waits for the stress processes; a stuck one is reported and killed. */
static void stress_wait(struct __test_metadata *_metadata,
			const struct parea *pa, const pid_t *pid, double t0)
{
	int p, j, st, done;

	/* The calls under way at the deadline end soon after it. */
	for (p = 0; p < cfg.procs; p++) {
		while (!(done = waitpid(pid[p], &st, WNOHANG)) &&
		       now_s() < t0 + cfg.secs + STUCK_S)
			usleep(100000);
		if (!done) {
			stuck_report(_metadata, pa);
			for (j = 0; j < cfg.procs; j++)
				wfp_each_task(pid[j], stuck_task, _metadata);
			for (j = 0; j < cfg.procs; j++)
				kill(pid[j], SIGKILL);
			for (j = 0; j < cfg.procs; j++)
				waitpid(pid[j], NULL, 0);
			ASSERT_TRUE(0) TH_LOG("stress processes stuck %d s after the deadline",
					      STUCK_S);
		}
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
			TH_LOG("stress process %d: status %#x", p, st);
	}
}

/* What the threads did and saw while it ran. */
struct totals {
	struct opstat op[OP_MAX];
	unsigned long calls, ok;
	unsigned long live;	/* invariants the threads checked */
	unsigned long events;	/* callbacks */
};

/* The threads' counts summed into tot; none saw a surprise. */
static void stress_sum(struct __test_metadata *_metadata,
		       const struct parea *pa, struct totals *tot)
{
	int p, t, i;

	memset(tot, 0, sizeof(*tot));
	for (p = 0; p < cfg.procs; p++) {
		EXPECT_EQ(pa[p].finished, cfg.threads);
		for (t = 0; t < cfg.threads; t++) {
			const struct tstate *ts = &pa[p].t[t];

			for (i = 0; i < OP_MAX; i++) {
				tot->op[i].n += ts->ops[i].n;
				tot->op[i].ok += ts->ops[i].ok;
				tot->calls += ts->ops[i].n;
				tot->ok += ts->ops[i].ok;
			}
			tot->live += ts->checks;
			tot->events += ts->events;
			EXPECT_EQ(ts->bad, 0)
				TH_LOG("process %d thread %d: %u unexpected, first: %s",
				       p, t, ts->bad, ts->why);
		}
	}
}

/* Every context the threads believe in, shared slots reconciled. */
static void beliefs_collect(struct __test_metadata *_metadata,
			    const struct parea *pa, struct beliefs *b)
{
	int p, t, i;

	b->exp = calloc(MAX_PROCS * (SLOTS + MAX_THREADS * PRIV_MAX),
			sizeof(*b->exp));
	ASSERT_NE(b->exp, NULL);
	for (p = 0; p < cfg.procs; p++) {
		for (i = 0; i < SLOTS; i++) {
			EXPECT_FALSE(pa[p].slot[i].busy);
			if (pa[p].slot[i].id) {
				b->exp[b->n].r = &pa[p].slot[i];
				b->exp[b->n++].shared = true;
			}
		}
		for (t = 0; t < cfg.threads; t++)
			for (i = 0; i < (int)pa[p].t[t].npriv; i++)
				b->exp[b->n++].r = &pa[p].t[t].priv[i];
	}
}

/* The believed context with this id, or NULL. */
static struct expect *belief_of(struct beliefs *b, UINT64 id)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->exp[i].r->id == id)
			return &b->exp[i];
	return NULL;
}

/* A context CTX_ENUM lists: believed, in the state and SPI believed. */
static void see_in_module(const struct wfp_ipsec_ctx_info *info, void *arg)
{
	struct beliefs *b = arg;
	struct __test_metadata *_metadata = b->md;
	struct expect *x = belief_of(b, info->id);
	unsigned long long id = info->id;

	b->checks++;
	if (!x) {
		EXPECT_TRUE(0) TH_LOG("context %llu exists unbelieved", id);
		return;
	}
	x->found++;
	x->reqid = info->reqid;
	b->checks += 3;
	EXPECT_EQ(info->state, x->r->state)
		TH_LOG("context %llu (%s)", id,
		       x->shared ? "shared" : "private");
	EXPECT_EQ(info->inbound_spi,
		  x->r->state >= ST_SPI_SET ? x->r->spi_in : 0)
		TH_LOG("context %llu", id);
	EXPECT_TRUE(ours(info->reqid));
}

/* A context Enum1 lists, counted against its belief. */
static void see_in_lib(const IPSEC_SA_CONTEXT1 *c, void *arg)
{
	struct expect *x = belief_of(arg, c->saContextId);

	if (x)
		x->listed++;
}

/*
 * The module (CTX_ENUM) and the library (Enum1): each believed context
 * exactly once, in its believed state and SPI, and nothing else.
 */
static void check_enumerations(struct beliefs *b, int fd, HANDLE h)
{
	struct __test_metadata *_metadata = b->md;
	long nmod, nlib;
	int i;

	/* Pages smaller than the set: the cursors cross churned holes. */
	nmod = raw_enum_walk(fd, NULL, 100, see_in_module, b);
	ASSERT_GE(nmod, 0);
	nlib = enum_walk(h, 64, see_in_lib, b);
	b->checks += 2;
	EXPECT_EQ(nmod, b->n);
	EXPECT_EQ(nlib, b->n);
	for (i = 0; i < b->n; i++) {
		const struct expect *x = &b->exp[i];

		b->checks += 2;
		EXPECT_EQ(x->found, 1)
			TH_LOG("context %llu (%s, state %u) found %u times",
			       (unsigned long long)x->r->id,
			       x->shared ? "shared" : "private",
			       x->r->state, x->found);
		EXPECT_EQ(x->listed, 1)
			TH_LOG("Enum1: context %llu seen %u times",
			       (unsigned long long)x->r->id, x->listed);
	}
}

/* xfrm's states and policies of one believed context. */
struct xfrm_of {
	const struct xs *in, *out;
	int n_in, n_out, n_pin, n_pout;
};

static struct xfrm_of xfrm_find(const struct expect *x,
				const struct xs *xs, int ns,
				const struct xp *xp, int np)
{
	const struct ctxrec *r = x->r;
	struct xfrm_of f = { 0 };
	int j;

	for (j = 0; j < ns; j++) {
		if (xs[j].proto != IPPROTO_ESP)
			continue;
		if (r->spi_in && xs[j].spi == r->spi_in &&
		    addr_v4(xs[j].daddr) == LOCAL_V4) {
			f.n_in++;
			f.in = &xs[j];
		}
		if (xs[j].spi == r->spi_out &&
		    addr_v4(xs[j].daddr) == r->remote) {
			f.n_out++;
			f.out = &xs[j];
		}
	}
	for (j = 0; j < np; j++) {
		if (xp[j].reqid != x->reqid)
			continue;
		f.n_pin += xp[j].dir == XFRM_POLICY_IN &&
			   addr_v4(xp[j].saddr) == r->remote &&
			   addr_v4(xp[j].daddr) == LOCAL_V4;
		f.n_pout += xp[j].dir == XFRM_POLICY_OUT &&
			    addr_v4(xp[j].saddr) == LOCAL_V4 &&
			    addr_v4(xp[j].daddr) == r->remote;
	}
	return f;
}

/* One context's states and policies: each once, as its state wants. */
static void check_xfrm_of(struct beliefs *b, const struct expect *x,
			  const struct xfrm_of *f)
{
	struct __test_metadata *_metadata = b->md;
	const struct ctxrec *r = x->r;
	unsigned long long id = r->id;
	int want_in = r->state >= ST_SPI_SET;
	int want_out = r->state == ST_COMPLETE;
	int want_pol = r->state >= ST_COMPLETE;

	b->checks += 4;
	EXPECT_EQ(f->n_in, want_in)
		TH_LOG("context %llu state %u: inbound %#x", id, r->state,
		       r->spi_in);
	EXPECT_EQ(f->n_out, want_out)
		TH_LOG("context %llu state %u: outbound %#x", id, r->state,
		       r->spi_out);
	EXPECT_EQ(f->n_pin, want_pol)
		TH_LOG("context %llu state %u: IN policy", id, r->state);
	EXPECT_EQ(f->n_pout, want_pol)
		TH_LOG("context %llu state %u: OUT policy", id, r->state);
	if (f->in) {
		b->checks += 2;
		EXPECT_EQ(f->in->reqid, x->reqid);
		EXPECT_EQ(addr_v4(f->in->saddr), r->remote);
	}
	if (f->out) {
		b->checks++;
		EXPECT_EQ(f->out->reqid, x->reqid);
	}
	/* An Update0 moves both SAs at once. */
	if (f->in && r->state >= ST_INBOUND && !x->shared) {
		b->checks++;
		EXPECT_EQ(f->in->encap, r->encap) TH_LOG("context %llu", id);
	}
	if (f->in && f->out) {
		b->checks++;
		EXPECT_EQ(f->in->encap, f->out->encap)
			TH_LOG("context %llu", id);
	}
	b->states += want_in + want_out;
	b->policies += 2 * want_pol;
}

/* xfrm: each context's states and policies once, nothing else of ours. */
static void check_xfrm(struct beliefs *b)
{
	struct __test_metadata *_metadata = b->md;
	struct xs *xs = NULL;
	struct xp *xp = NULL;
	int ns, np, i, st, pol;
	struct xfrm_of f;

	ns = sa_dump(-1, &xs);
	np = sp_dump(-1, &xp);
	ASSERT_GE(ns, 0);
	ASSERT_GE(np, 0);
	for (i = 0; i < b->n; i++) {
		f = xfrm_find(&b->exp[i], xs, ns, xp, np);
		check_xfrm_of(b, &b->exp[i], &f);
	}
	/* No leaked state or policy. */
	b->checks += 2;
	for (i = st = 0; i < ns; i++)
		st += ours(xs[i].reqid);
	EXPECT_EQ(st, b->states);
	for (i = pol = 0; i < np; i++)
		pol += ours(xp[i].reqid);
	EXPECT_EQ(pol, b->policies);
	free(xs);
	free(xp);
}

/* The run's figures: calls per op, checks, and how long each part took. */
static void stress_report(const struct totals *tot, const struct beliefs *b,
			  const double *t)
{
	char line[1024];
	size_t len = 0;
	int i;

	for (i = 0; i < OP_MAX; i++)
		len += snprintf(line + len, sizeof(line) - len, "%s%s=%lu/%lu",
				i ? " " : "", op_names[i], tot->op[i].ok,
				tot->op[i].n);
	ksft_print_msg("stress: ops=%lu (%lu succeeded; per op ok/calls: %s)\n",
		       tot->calls, tot->ok, line);
	ksft_print_msg("stress: invariants checked=%lu (+%lu live checks during the run), contexts=%d, xfrm states=%d, policies=%d, events=%lu\n",
		       b->checks, tot->live, b->n, b->states, b->policies,
		       tot->events);
	ksft_print_msg("stress: run %.1f s (%.0f ops/s), final checks %.1f s\n",
		       t[1] - t[0], tot->calls / (t[1] - t[0]), t[2] - t[1]);
}

TEST_F_TIMEOUT(stress, concurrent_calls_keep_invariants, 600)
{
	struct beliefs b = { .md = _metadata };
	pid_t pid[MAX_PROCS];
	struct totals tot;
	int p, fd, st, pol;
	double t[3];
	HANDLE h;

	ksft_print_msg("stress: %d processes x %d threads, %d s, seed %u\n",
		       cfg.procs, cfg.threads, cfg.secs, cfg.seed);
	t[0] = now_s();
	for (p = 0; p < cfg.procs; p++) {
		pid[p] = fork();
		ASSERT_GE(pid[p], 0);
		if (!pid[p])
			_exit(stress_proc(&self->pa[p], p, t[0] + cfg.secs));
	}
	stress_wait(_metadata, self->pa, pid, t[0]);
	t[1] = now_s();
	stress_sum(_metadata, self->pa, &tot);
	EXPECT_GT(tot.calls, 0);
	beliefs_collect(_metadata, self->pa, &b);
	wfp_engine_open(_metadata, &h, &fd);
	check_enumerations(&b, fd, h);
	check_xfrm(&b);
	t[2] = now_s();
	stress_report(&tot, &b, t);

	/* Then everything goes, and xfrm holds nothing of ours. */
	for (p = 0; p < b.n; p++)
		EXPECT_EQ(IPsecSaContextDeleteById0(h, b.exp[p].r->id), 0);
	ASSERT_EQ(ours_in_xfrm(&st, &pol), 0);
	EXPECT_EQ(st, 0);
	EXPECT_EQ(pol, 0);
	EXPECT_EQ(sa_dump(-1, NULL), 0);
	EXPECT_EQ(sp_dump(-1, NULL), 0);
	EXPECT_EQ(ctx_count(fd), 0);
	free(b.exp);
	EXPECT_EQ(FwpmEngineClose0(h), 0);
}

/* ============================================== FIXTURE teardown */

/* Keying in a loop from several threads, until killed or stopped. */
struct load {
	volatile int stop;
	int threads;
	unsigned long keyed;	/* contexts that reached COMPLETE */
	unsigned long calls;
	UINT32 net;		/* remote addresses: net | t << 16 | n */
	unsigned int bad;
	char why[128];
};

struct load_arg {
	struct load *l;
	int t;
};

static void load_bad(struct load *l, const char *what, DWORD rc)
{
	if (!__atomic_fetch_add(&l->bad, 1, __ATOMIC_RELAXED))
		snprintf(l->why, sizeof(l->why), "%s: %s", what, code_name(rc));
}

static void *load_thread(void *arg)
{
	struct load_arg *a = arg;
	struct load *l = a->l;
	UINT64 ids[16] = { 0 };
	UINT32 n = 0, spi;
	IPSEC_SA_CONTEXT1 *c;
	IPSEC_TRAFFIC1 t;
	HANDLE h;
	DWORD rc;

	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);
	if (rc) {
		load_bad(l, "FwpmEngineOpen0", rc);
		return NULL;
	}
	while (!l->stop) {
		UINT64 *id = &ids[n % 16];

		/* The slot's previous context goes first. */
		if (*id && (rc = IPsecSaContextDeleteById0(h, *id)))
			load_bad(l, "DeleteById0", rc);
		traffic_v4(&t, false, LOCAL_V4,
			   l->net | (UINT32)a->t << 16 | (++n & 0xffff));
		spi = 0x30000000 | (UINT32)a->t << 20 | (n & 0xfffff);
		rc = gcm_ctx(h, &t, ST_COMPLETE, spi, spi + 0x08000000, n,
			     &LIFETIME, id);
		if (!rc && !(n % 4))
			rc = do_update(h, *id, n % 8, n);
		if (!rc) {
			c = NULL;
			rc = IPsecSaContextGetById1(h, *id, &c);
			FwpmFreeMemory0((void **)&c);
		}
		__atomic_fetch_add(&l->calls, 6, __ATOMIC_RELAXED);
		if (rc)
			load_bad(l, "keying", rc);
		else
			__atomic_fetch_add(&l->keyed, 1, __ATOMIC_RELAXED);
	}
	/* The last 16 contexts stay, keyed, for whoever cleans up after. */
	FwpmEngineClose0(h);
	return NULL;
}

static int load_start(struct load *l, pthread_t *tid, struct load_arg *a)
{
	int t;

	for (t = 0; t < l->threads; t++) {
		a[t].l = l;
		a[t].t = t;
		if (pthread_create(&tid[t], NULL, load_thread, &a[t]))
			return -1;
	}
	return 0;
}

static void load_stop(struct load *l, pthread_t *tid)
{
	int t;

	l->stop = 1;
	for (t = 0; t < l->threads; t++)
		pthread_join(tid[t], NULL);
}

/* Waits until the load keyed n contexts; false after 60 s. */
static bool load_wait(struct load *l, unsigned long n)
{
	int i;

	for (i = 0; i < 6000; i++) {
		if (__atomic_load_n(&l->keyed, __ATOMIC_RELAXED) >= n)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * A process that keys from 3 threads in the current namespace forever;
 * it writes one byte to ready once the load runs.
 */
static int load_process(struct load *l, int ready)
{
	struct load_arg a[4];
	pthread_t tid[4];

	l->threads = 3;
	if (load_start(l, tid, a))
		return 20;
	if (!load_wait(l, 6))
		return 21;
	if (write(ready, "r", 1) != 1)
		return 22;
	for (;;)
		pause();
}

/* The count once it stops moving (RCU frees of earlier tests land). */
static long slab_settled(const char *cache)
{
	long prev = -2, cur = slab_active(cache);
	int i;

	for (i = 0; i < 50 && cur != prev; i++) {
		usleep(200000);
		prev = cur;
		cur = slab_active(cache);
	}
	return cur;
}

/* Polls until the cache is back at base or below; the last count seen. */
static long slab_back_to(const char *cache, long base, int secs)
{
	long cur = slab_active(cache);
	int i;

	for (i = 0; i < secs * 10 && cur > base; i++) {
		usleep(100000);
		cur = slab_active(cache);
	}
	return cur;
}

/* Polls until the module holds base references; the last count seen. */
static long refcnt_back_to(long base, int secs)
{
	long cur = wfp_module_refcnt();
	int i;

	for (i = 0; i < secs * 10 && cur != base; i++) {
		usleep(100000);
		cur = wfp_module_refcnt();
	}
	return cur;
}

static bool module_loaded(void)
{
	return access("/sys/module/wfp_ipsec", F_OK) == 0;
}

/*
 * A test killed by the harness's timeout skips its teardown: the
 * program's exit loads the module again too, if it has to.
 */
static void __attribute__((destructor)) module_reload(void)
{
	if (getuid() == 0 && !module_loaded())
		system("modprobe wfp_ipsec");
}

FIXTURE(teardown) {
	long refs;		/* module references before the test */
	long ctx_slab, xs_slab;	/* wfp_context / xfrm_state objects */
	struct load *l;
};

FIXTURE_SETUP(teardown)
{
	self->refs = wfp_module_refcnt();
	ASSERT_GE(self->refs, 0);
	self->ctx_slab = slab_settled("wfp_context");
	self->xs_slab = slab_settled("xfrm_state");
	self->l = wfp_shared_mem(_metadata, sizeof(*self->l));
}

FIXTURE_TEARDOWN(teardown)
{
	/* Whatever happened, the programs after this one need the module. */
	if (!module_loaded() && system("modprobe wfp_ipsec"))
		TH_LOG("modprobe wfp_ipsec failed");
	system("ip netns del wfp-stress 2>/dev/null");
	if (self->l)
		munmap(self->l, sizeof(*self->l));
}

/*
 * unshare(CLONE_NEWNET) in the child of run_in_child(), whose namespace
 * goes with it: 0 made, 1 ENOSPC, another value for any other failure.
 */
static int new_netns(void *arg)
{
	return unshare(CLONE_NEWNET) ? (errno == ENOSPC ? 1 : 2) : 0;
}

/* Until a new namespace can be made (the old one is gone): seconds. */
static double wait_netns_gone(int secs)
{
	double t0 = now_s();
	int r;

	while ((r = run_in_child(new_netns, NULL)) == 1 &&
	       now_s() - t0 < secs)
		usleep(20000);
	return r ? -1 : now_s() - t0;
}

struct kill_report {
	int rounds;
	double gone_s[8];	/* how long each namespace took to go */
	unsigned long keyed[8];
	long refs_after[8];
	int step;		/* where the manager failed, 0: it did not */
	unsigned int bad;
	char why[128];
};

/*
 * The manager: in a user namespace of its own whose limit of network
 * namespaces is 1, it forks a keying process into a new network
 * namespace, kills it mid-call, and waits until a new namespace can be
 * made again - which xfrm's, and our, pernet exit for the old one must
 * have finished first.
 */
static int kill_manager(struct kill_report *rep, struct load *l, long refs)
{
	int round, pfd[2], st;
	pid_t w;
	char b;

	if (unshare(CLONE_NEWUSER))
		return rep->step = 1;
	/* The limit applies to namespaces owned by this user namespace. */
	if (write_str("/proc/sys/user/max_net_namespaces", "1\n"))
		return rep->step = 2;
	for (round = 0; round < rep->rounds; round++) {
		if (pipe(pfd))
			return rep->step = 3;
		memset(l, 0, sizeof(*l));
		l->net = V4(13, round, 0, 0);
		w = fork();
		if (w < 0)
			return rep->step = 4;
		if (!w) {
			double t0 = now_s();

			close(pfd[0]);
			/* The last round's probe namespace may linger. */
			while (unshare(CLONE_NEWNET)) {
				if (errno != ENOSPC || now_s() - t0 > 30)
					_exit(30);
				usleep(20000);
			}
			_exit(load_process(l, pfd[1]));
		}
		close(pfd[1]);
		if (read(pfd[0], &b, 1) != 1) {
			close(pfd[0]);
			waitpid(w, &st, 0);
			rep->bad = l->bad;
			snprintf(rep->why, sizeof(rep->why),
				 "keying process: status %#x, %.90s", st, l->why);
			return rep->step = 5;
		}
		close(pfd[0]);
		/* The probe works: the keying namespace is counted. */
		if (run_in_child(new_netns, NULL) != 1) {
			kill(w, SIGKILL);
			waitpid(w, NULL, 0);
			return rep->step = 6;
		}
		usleep(1000 * (50 + 100 * round));
		kill(w, SIGKILL);
		if (waitpid(w, &st, 0) != w || !WIFSIGNALED(st))
			return rep->step = 7;
		rep->keyed[round] = l->keyed;
		rep->bad += l->bad;
		if (l->bad && !rep->why[0])
			snprintf(rep->why, sizeof(rep->why), "%.120s", l->why);
		rep->refs_after[round] = refcnt_back_to(refs, 10);
		rep->gone_s[round] = wait_netns_gone(60);
		if (rep->gone_s[round] < 0)
			return rep->step = 8;
	}
	return 0;
}

TEST_F_TIMEOUT(teardown, sigkill_mid_call_in_own_netns, 600)
{
	struct kill_report *rep;
	long ctx, xs;
	int st, i;
	pid_t pid;

	rep = wfp_shared_mem(_metadata, sizeof(*rep));
	rep->rounds = 3;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(kill_manager(rep, self->l, self->refs));
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("manager failed at step %d (status %#x) %s", rep->step,
		       st, rep->why);
	/* Killed mid-call, the keying itself never failed. */
	EXPECT_EQ(rep->bad, 0) TH_LOG("%s", rep->why);
	for (i = 0; i < rep->rounds; i++) {
		EXPECT_EQ(rep->refs_after[i], self->refs) TH_LOG("round %d", i);
		EXPECT_GE(rep->gone_s[i], 0);
		ksft_print_msg("sigkill round %d: %lu contexts keyed, namespace gone %.2f s after the kill\n",
			       i, rep->keyed[i], rep->gone_s[i]);
	}
	/* Nothing of those namespaces is left in the caches. */
	ctx = slab_back_to("wfp_context", self->ctx_slab, 30);
	xs = slab_back_to("xfrm_state", self->xs_slab, 30);
	EXPECT_LE(ctx, self->ctx_slab);
	EXPECT_LE(xs, self->xs_slab);
	ksft_print_msg("slabs: wfp_context %ld -> %ld, xfrm_state %ld -> %ld\n",
		       self->ctx_slab, ctx, self->xs_slab, xs);
	EXPECT_EQ(wfp_module_refcnt(), self->refs);
	munmap(rep, sizeof(*rep));
}

TEST_F_TIMEOUT(teardown, ip_netns_del_under_load, 300)
{
	long during, xs_during, ctx, xs;
	int pfd[2], nsfd, st;
	char b;
	pid_t w;

	ASSERT_EQ(system("ip netns add wfp-stress"), 0);
	ASSERT_EQ(pipe(pfd), 0);
	self->l->net = V4(14, 0, 0, 0);
	w = fork();
	ASSERT_GE(w, 0);
	if (!w) {
		close(pfd[0]);
		nsfd = open("/run/netns/wfp-stress", O_RDONLY | O_CLOEXEC);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWNET))
			_exit(30);
		close(nsfd);
		_exit(load_process(self->l, pfd[1]));
	}
	close(pfd[1]);
	ASSERT_EQ(read(pfd[0], &b, 1), 1) TH_LOG("%s", self->l->why);
	close(pfd[0]);
	/* The probes see the load: the namespace's contexts and states. */
	during = slab_active("wfp_context");
	xs_during = slab_active("xfrm_state");
	EXPECT_GT(during, self->ctx_slab);
	EXPECT_GT(xs_during, self->xs_slab);

	/* Deleted while its threads work: only the name goes for now. */
	EXPECT_EQ(system("ip netns del wfp-stress"), 0);
	EXPECT_NE(system("ip netns list | grep -q wfp-stress"), 0);
	usleep(300000);
	EXPECT_EQ(waitpid(w, &st, WNOHANG), 0);
	EXPECT_EQ(kill(w, SIGKILL), 0);
	EXPECT_EQ(waitpid(w, &st, 0), w);
	EXPECT_EQ(self->l->bad, 0) TH_LOG("%s", self->l->why);

	EXPECT_EQ(refcnt_back_to(self->refs, 10), self->refs);
	ctx = slab_back_to("wfp_context", self->ctx_slab, 60);
	xs = slab_back_to("xfrm_state", self->xs_slab, 60);
	EXPECT_LE(ctx, self->ctx_slab);
	EXPECT_LE(xs, self->xs_slab);
	ksft_print_msg("netns del: %lu contexts keyed; wfp_context %ld -> %ld -> %ld, xfrm_state %ld -> %ld -> %ld\n",
		       self->l->keyed, self->ctx_slab, during, ctx,
		       self->xs_slab, xs_during, xs);
}

/* ------------------------------------------- closing under a call */

struct closer {
	int fd;
	UINT64 id;
	unsigned long calls, ebadf;
	int other;		/* an unexpected errno, 0 if none */
	unsigned long other_cmd;
};

/* Calls on fd until it is closed under it: each succeeds or is EBADF. */
static void *raw_caller(void *arg)
{
	static struct wfp_ipsec_ctx_info buf[64];
	struct closer *c = arg;
	unsigned long i, cmd = 0;
	int err = 0;

	for (i = 0; err != EBADF; i++) {
		union {
			struct wfp_ipsec_ctx_enum e;
			struct wfp_ipsec_ctx_create cr;
			struct wfp_ipsec_ctx_info info;
			struct wfp_ipsec_session_info si;
			struct wfp_ipsec_stats st;
		} u;

		memset(&u, 0, sizeof(u));
		switch (i % 5) {
		case 0:
			cmd = WFP_IPSEC_IOC_CTX_ENUM;
			u.e.entries = (UINT64)(uintptr_t)buf;
			u.e.max_entries = 64;
			break;
		case 1:
			cmd = WFP_IPSEC_IOC_CTX_CREATE;
			u.cr.traffic.ip_version = WFP_IPSEC_IPV4;
			memcpy(u.cr.traffic.local_addr, "\x0a\0\0\x01", 4);
			memcpy(u.cr.traffic.remote_addr, "\x0f\0\0\x02", 4);
			break;
		case 2:
			cmd = WFP_IPSEC_IOC_CTX_GET;
			u.info.id = c->id;
			break;
		case 3:
			cmd = WFP_IPSEC_IOC_SESSION_GET;
			break;
		default:
			cmd = WFP_IPSEC_IOC_STATS;
			break;
		}
		err = ioctl(c->fd, cmd, &u) ? errno : 0;
		c->calls++;
		if (err && err != EBADF && !c->other) {
			c->other = err;
			c->other_cmd = cmd;
		}
	}
	c->ebadf++;
	return NULL;
}

TEST_F_TIMEOUT(teardown, close_fd_during_ioctl, 300)
{
	struct wfp_ipsec_ctx_create cr;
	unsigned long calls = 0;
	unsigned int seed = 1;
	struct closer c;
	pthread_t tid;
	int i, n = 200;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.fd = wfp_open();
		ASSERT_GE(c.fd, 0);
		ASSERT_EQ(wfp_hello(c.fd, 0, NULL), 0);
		memset(&cr, 0, sizeof(cr));
		cr.traffic.ip_version = WFP_IPSEC_IPV4;
		memcpy(cr.traffic.local_addr, "\x0a\0\0\x01", 4);
		memcpy(cr.traffic.remote_addr, "\x0f\0\0\x03", 4);
		ASSERT_EQ(wfp_test_ioctl(c.fd, WFP_IPSEC_IOC_CTX_CREATE, &cr), 0);
		c.id = cr.id;
		ASSERT_EQ(pthread_create(&tid, NULL, raw_caller, &c), 0);
		usleep(rand_r(&seed) % 3000);
		/* The call in flight keeps the file; the next one is EBADF. */
		EXPECT_EQ(close(c.fd), 0);
		ASSERT_EQ(pthread_join(tid, NULL), 0);
		calls += c.calls;
		EXPECT_EQ(c.ebadf, 1);
		EXPECT_EQ(c.other, 0)
			TH_LOG("round %d: cmd %#lx failed with %s", i,
			       c.other_cmd, strerror(c.other));
	}
	EXPECT_EQ(refcnt_back_to(self->refs, 10), self->refs);
	ksft_print_msg("close during ioctl: %d rounds, %lu calls\n", n, calls);
}

struct lib_closer {
	HANDLE h;
	HANDLE en;
	unsigned long calls;
	DWORD other;
	int step;
};

/* Library calls on an engine until it is closed: each succeeds, or the
 * handle is invalid.
 */
static void *lib_caller(void *arg)
{
	struct lib_closer *c = arg;
	IPSEC_SA_CONTEXT1 **e, *ctx;
	IPSEC_STATISTICS1 st;
	UINT64 id = 0;
	DWORD rc = 0;
	UINT32 got;
	int i;

	for (i = 0; rc != ERROR_INVALID_HANDLE; i++) {
		switch (i % 4) {
		case 0:
			rc = do_create(c->h, V4(15, 1, 0, 0) | (i & 0xffff), &id);
			break;
		case 1:
			ctx = NULL;
			rc = IPsecSaContextGetById1(c->h, id, &ctx);
			FwpmFreeMemory0((void **)&ctx);
			/* The context of case 0 may not exist: create failed
			 * on a closed handle, then id is from before.
			 */
			break;
		case 2:
			e = NULL;
			rc = IPsecSaContextEnum1(c->h, c->en, 16, &e, &got);
			FwpmFreeMemory0((void **)&e);
			break;
		default:
			rc = IPsecGetStatistics1(c->h, &st);
			break;
		}
		c->calls++;
		if (rc && rc != ERROR_INVALID_HANDLE && !c->other) {
			c->other = rc;
			c->step = i % 4;
		}
	}
	return NULL;
}

TEST_F_TIMEOUT(teardown, engine_close_during_call, 300)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	unsigned long calls = 0;
	struct lib_closer c;
	unsigned int seed = 2;
	HANDLE ev;
	pthread_t tid;
	int i, n = 100;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
					  &c.h), 0);
		/* Its event thread must stop with it too. */
		memset(&s, 0, sizeof(s));
		ASSERT_EQ(IPsecSaContextSubscribe0(c.h, &s, no_event, NULL,
						   &ev), 0);
		ASSERT_EQ(IPsecSaContextCreateEnumHandle0(c.h, NULL, &c.en), 0);
		ASSERT_EQ(pthread_create(&tid, NULL, lib_caller, &c), 0);
		usleep(rand_r(&seed) % 5000);
		EXPECT_EQ(FwpmEngineClose0(c.h), ERROR_SUCCESS);
		ASSERT_EQ(pthread_join(tid, NULL), 0);
		EXPECT_EQ(FwpmEngineClose0(c.h), ERROR_INVALID_HANDLE);
		calls += c.calls;
		EXPECT_EQ(c.other, 0)
			TH_LOG("round %d: call %d returned %s", i, c.step,
			       code_name(c.other));
	}
	EXPECT_EQ(refcnt_back_to(self->refs, 10), self->refs);
	ksft_print_msg("engine close during call: %d rounds, %lu calls\n", n,
		       calls);
}

/* ----------------------------------- Unsubscribe0, then close, racing */

struct unsub_race {
	volatile int stop;
	int round;		/* the round under way */
	int phase;		/* PH_* of its engine */
	unsigned long delivered;
	int failed;		/* a call that failed, 0 if none */
};

/* Another session creating and deleting: events for every subscriber. */
static void *event_source(void *arg)
{
	struct unsub_race *r = arg;
	UINT32 n = 0;
	UINT64 id;
	HANDLE h;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		r->failed = 1;
		return NULL;
	}
	while (!r->stop) {
		if (do_create(h, V4(17, 0, 0, 0) | (++n & 0xffff), &id) ||
		    IPsecSaContextDeleteById0(h, id))
			r->failed = 2;
	}
	FwpmEngineClose0(h);
	return NULL;
}

static void CALLBACK count_delivered(void *ctx,
				     const IPSEC_SA_CONTEXT_CHANGE0 *c)
{
	struct unsub_race *r = ctx;

	__atomic_fetch_add(&r->delivered, 1, __ATOMIC_RELAXED);
}

/* Rounds of open, subscribe, events, unsubscribe, close. */
static int unsub_rounds(struct unsub_race *r, int rounds)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	unsigned int seed = 3;
	pthread_t tid;
	HANDLE h, ev;

	if (pthread_create(&tid, NULL, event_source, r))
		return 10;
	memset(&s, 0, sizeof(s));
	for (r->round = 0; r->round < rounds && !r->failed; r->round++) {
		r->phase = PH_RUN;
		if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ||
		    IPsecSaContextSubscribe0(h, &s, count_delivered, r, &ev)) {
			r->failed = 3;
			break;
		}
		usleep(rand_r(&seed) % 2000);
		r->phase = PH_UNSUB;
		if (IPsecSaContextUnsubscribe0(h, ev))
			r->failed = 4;
		/* Events of the subscription may still have been queued. */
		r->phase = PH_CLOSE;
		if (FwpmEngineClose0(h))
			r->failed = 5;
		r->phase = PH_DONE;
	}
	r->stop = 1;
	pthread_join(tid, NULL);
	return r->failed;
}

/*
 * The library's event thread poll()s the descriptor, then read()s it.
 * An Unsubscribe0 in between discards the records poll() saw; a blocking
 * read() then waits for events that never come, and the engine's close,
 * which wakes the thread through its eventfd and joins it, never returns.
 */
TEST_F_TIMEOUT(teardown, engine_close_after_unsubscribe_with_events_queued, 300)
{
	struct unsub_race *r;
	int rounds = 300, st, i, last;
	double t0;
	pid_t pid;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	r = wfp_shared_mem(_metadata, sizeof(*r));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(unsub_rounds(r, rounds));
	/* A round takes milliseconds: 30 s without one is a hang. */
	t0 = now_s();
	last = -1;
	while (!(i = waitpid(pid, &st, WNOHANG)) && now_s() - t0 < 30) {
		if (r->round != last) {
			last = r->round;
			t0 = now_s();
		}
		usleep(100000);
	}
	if (!i) {
		wfp_each_task(pid, stuck_task, _metadata);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		EXPECT_TRUE(0) TH_LOG("round %d of %d: stuck %s for %.0f s",
				      r->round, rounds, ph_names[r->phase],
				      now_s() - t0);
	} else {
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
			TH_LOG("status %#x, failed step %d", st, r->failed);
	}
	ksft_print_msg("unsubscribe then close: %d rounds done, %lu events delivered\n",
		       r->round, r->delivered);
	EXPECT_EQ(refcnt_back_to(self->refs, 10), self->refs);
	munmap(r, sizeof(*r));
}

/* ------------------------------------------------- rmmod under load */

/* What a command prints (at most len - 1 bytes); its exit status. */
static int cmd_output(const char *cmd, char *out, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	out[0] = 0;
	if (!f)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = 0;
	return pclose(f);
}

/* Runs last: the module is unloaded and loaded again. */
TEST_F_TIMEOUT(teardown, rmmod_refused_under_load_then_clean, 300)
{
	struct load_arg a[4];
	pthread_t tid[4];
	int i, refused = 0, init_ns, st, pol, ret;
	char out[4096];
	HANDLE h;
	int fd;

	init_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(init_ns, 0);
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	/* No session may be open anywhere but ours. */
	ASSERT_EQ(self->refs, 0);

	self->l->threads = 3;
	self->l->net = V4(16, 0, 0, 0);
	ASSERT_EQ(load_start(self->l, tid, a), 0);
	EXPECT_TRUE(load_wait(self->l, 6));
	for (i = 0; i < 20; i++) {
		ret = wfp_module_unload();
		refused += ret == -EWOULDBLOCK;
		EXPECT_EQ(ret, -EWOULDBLOCK) TH_LOG("attempt %d", i);
		usleep(50000);
	}
	/* The tool says no too, and the device stays. */
	EXPECT_NE(system("rmmod wfp_ipsec 2>/dev/null"), 0);
	EXPECT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), 0);
	load_stop(self->l, tid);
	EXPECT_EQ(self->l->bad, 0) TH_LOG("%s", self->l->why);

	/* Keyed contexts stay behind the closed sessions. */
	wfp_engine_open(_metadata, &h, &fd);
	ret = ctx_count(fd);
	EXPECT_GT(ret, 0);
	ASSERT_EQ(ours_in_xfrm(&st, &pol), 0);
	EXPECT_GT(st, 0);
	EXPECT_GT(pol, 0);
	ksft_print_msg("rmmod: %d attempts refused under load; %lu contexts keyed, %d left with %d states, %d policies\n",
		       refused, self->l->keyed, ret, st, pol);
	EXPECT_EQ(FwpmEngineClose0(h), 0);

	EXPECT_EQ(refcnt_back_to(0, 10), 0);
	ret = wfp_module_unload();
	EXPECT_EQ(ret, 0);
	if (!ret) {
		EXPECT_NE(access(WFP_IPSEC_DEVICE_PATH, F_OK), 0);
		/* Nothing of ours in xfrm, here or in the initial namespace. */
		ASSERT_EQ(ours_in_xfrm(&st, &pol), 0);
		EXPECT_EQ(st, 0);
		EXPECT_EQ(pol, 0);
		EXPECT_EQ(cmd_output("ip xfrm state; ip xfrm policy", out,
				     sizeof(out)), 0);
		EXPECT_STREQ(out, "");
		ASSERT_EQ(setns(init_ns, CLONE_NEWNET), 0);
		ASSERT_EQ(ours_in_xfrm(&st, &pol), 0);
		EXPECT_EQ(st, 0);
		EXPECT_EQ(pol, 0);
	}
	close(init_ns);

	/* Back for the programs after this one, and usable. */
	EXPECT_EQ(system("modprobe wfp_ipsec"), 0);
	wfp_engine_open(_metadata, &h, &fd);
	EXPECT_GE(ctx_count(fd), 0);
	EXPECT_EQ(FwpmEngineClose0(h), 0);
}

TEST_HARNESS_MAIN
