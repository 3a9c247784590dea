// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - a structure-aware, seed-driven fuzzer for the /dev/wfp-ipsec
 * ioctl ABI (uapi/linux/wfp_ipsec.h).
 *
 * Worker processes each keep pools of sessions (normal, dynamic, never
 * handshaken, opened without CAP_NET_ADMIN, bound to private network
 * namespaces), of live SA contexts with the state the worker believes
 * they are in, of deleted ids, of ids living in other namespaces, of SPIs
 * they reserved and of subscriptions.  Each step builds a mostly-valid
 * request (real traffic, algorithm ids and key lengths of kmod/algs.c,
 * complete bundles) and, now and then, mutates it: reserved fields,
 * unknown flags, out-of-range enums, wrong key lengths, huge counts,
 * bogus user pointers, another size or direction in the command word,
 * random command numbers.
 *
 * The oracle: every call returns 0 or an errno of the set the ABI allows
 * for that command in that situation (Documentation/errors.rst, the
 * checks of kmod/), narrowed to the exact outcome when the request was
 * valid and the worker knows the context's state; what comes back is
 * checked field by field (reserved and padding bytes zero, echoes equal,
 * enumeration order and completeness).  At the end the parent checks
 * that the module's refcount dropped back, that contexts outlived the
 * sessions that created them (contexts.rst), and that, once deleted, they
 * left no xfrm state or policy behind.
 *
 * A failure prints the seed, the worker, the step and the command; "-p 1
 * -s SEED" replays one worker's sequence of requests (the kernel still
 * picks ids and random SPIs).  Kernel splats are vm-run's business.
 */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/xfrm.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include <linux/wfp_ipsec.h>

#include "kselftest.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* kmod/policy.h: the reqids of the module's policy sets. */
#define REQID_MIN	0x40000000U
#define REQID_MAX	0x7fffffffU

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* ------------------------------------------------------------ commands */

struct cmdinfo {
	const char *name;
	unsigned int cmd;
	__u32 rights;		/* kmod/dev.c's table */
};

/* Indexed by command number; every command the header defines. */
static const struct cmdinfo cmds[] = {
	[0x01] = { "HELLO", WFP_IPSEC_IOC_HELLO, 0 },
	[0x02] = { "SESSION_GET", WFP_IPSEC_IOC_SESSION_GET, 0 },
	[0x03] = { "CTX_CREATE", WFP_IPSEC_IOC_CTX_CREATE, WFP_IPSEC_RIGHT_ADD },
	[0x04] = { "CTX_DELETE", WFP_IPSEC_IOC_CTX_DELETE,
		   WFP_IPSEC_RIGHT_DELETE },
	[0x05] = { "CTX_GET", WFP_IPSEC_IOC_CTX_GET, WFP_IPSEC_RIGHT_READ },
	[0x06] = { "CTX_ENUM", WFP_IPSEC_IOC_CTX_ENUM,
		   WFP_IPSEC_RIGHT_ENUM | WFP_IPSEC_RIGHT_READ },
	[0x07] = { "CTX_SET_SPI", WFP_IPSEC_IOC_CTX_SET_SPI,
		   WFP_IPSEC_RIGHT_ADD },
	[0x08] = { "CTX_GET_SPI", WFP_IPSEC_IOC_CTX_GET_SPI,
		   WFP_IPSEC_RIGHT_ADD },
	[0x09] = { "CTX_SET_SELECTORS", WFP_IPSEC_IOC_CTX_SET_SELECTORS,
		   WFP_IPSEC_RIGHT_ADD },
	[0x0a] = { "CTX_ADD_INBOUND", WFP_IPSEC_IOC_CTX_ADD_INBOUND,
		   WFP_IPSEC_RIGHT_ADD },
	[0x0b] = { "CTX_ADD_OUTBOUND", WFP_IPSEC_IOC_CTX_ADD_OUTBOUND,
		   WFP_IPSEC_RIGHT_ADD },
	[0x0c] = { "CTX_GET_SA", WFP_IPSEC_IOC_CTX_GET_SA,
		   WFP_IPSEC_RIGHT_READ },
	[0x0d] = { "CTX_EXPIRE", WFP_IPSEC_IOC_CTX_EXPIRE,
		   WFP_IPSEC_RIGHT_DELETE },
	[0x0e] = { "SUBSCRIBE", WFP_IPSEC_IOC_SUBSCRIBE,
		   WFP_IPSEC_RIGHT_SUBSCRIBE },
	[0x0f] = { "UNSUBSCRIBE", WFP_IPSEC_IOC_UNSUBSCRIBE, 0 },
	[0x10] = { "STATS", WFP_IPSEC_IOC_STATS, WFP_IPSEC_RIGHT_READ_STATS },
	[0x11] = { "CTX_UPDATE", WFP_IPSEC_IOC_CTX_UPDATE,
		   WFP_IPSEC_RIGHT_WRITE },
	[0x12] = { "RIGHTS_GET", WFP_IPSEC_IOC_RIGHTS_GET, WFP_IPSEC_RIGHT_READ },
	[0x13] = { "RIGHTS_SET", WFP_IPSEC_IOC_RIGHTS_SET, 0 },
#ifdef WFP_IPSEC_IOC_CTX_ADD_BATCH
	[0x14] = { "CTX_ADD_BATCH", WFP_IPSEC_IOC_CTX_ADD_BATCH,
		   WFP_IPSEC_RIGHT_ADD },
#endif
};

#define NR_MAX	((int)ARRAY_SIZE(cmds) - 1)

enum {
	NR_HELLO = 1, NR_SESSION_GET, NR_CREATE, NR_DELETE, NR_GET, NR_ENUM,
	NR_SET_SPI, NR_GET_SPI, NR_SET_SEL, NR_ADD_IN, NR_ADD_OUT, NR_GET_SA,
	NR_EXPIRE, NR_SUBSCRIBE, NR_UNSUBSCRIBE, NR_STATS, NR_UPDATE,
	NR_RIGHTS_GET, NR_RIGHTS_SET, NR_BATCH,
};

/* The command a word names, or 0: the dispatcher compares whole words. */
static int cmd_nr(unsigned int word)
{
	int nr;

	for (nr = 1; nr <= NR_MAX; nr++)
		if (cmds[nr].cmd == word)
			return nr;
	return 0;
}

/* ------------------------------------------------------------- errno sets */

/* Bit 0 is success; errno values here are all below 128. */
typedef struct { uint64_t w[2]; } eset;

static eset es_of(int n, ...)
{
	eset s = { { 0, 0 } };
	va_list ap;
	int i, e;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		e = va_arg(ap, int);
		s.w[e / 64] |= 1ULL << (e % 64);
	}
	va_end(ap);
	return s;
}

#define ES(...) es_of(sizeof((int[]){ __VA_ARGS__ }) / sizeof(int), __VA_ARGS__)

static bool es_has(eset s, int e)
{
	return e >= 0 && e < 128 && (s.w[e / 64] >> (e % 64)) & 1;
}

static eset es_add(eset s, int e)
{
	s.w[e / 64] |= 1ULL << (e % 64);
	return s;
}

static eset es_del(eset s, int e)
{
	s.w[e / 64] &= ~(1ULL << (e % 64));
	return s;
}

static eset es_and(eset a, eset b)
{
	a.w[0] &= b.w[0];
	a.w[1] &= b.w[1];
	return a;
}

static const char *ename(int e)
{
	const char *n;

	if (!e)
		return "OK";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

static void es_str(eset s, char *buf, size_t len)
{
	size_t off = 0;
	int e;

	buf[0] = 0;
	for (e = 0; e < 128 && off < len; e++)
		if (es_has(s, e))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", ename(e));
}

/* What each command may answer at all, whatever the request. */
static eset gen_set(int nr)
{
	switch (nr) {
	case NR_HELLO:
		return ES(0, EINVAL, EEXIST, EALREADY, ENOMEM);
	case NR_SESSION_GET:
	case NR_STATS:
	case NR_RIGHTS_GET:
		return ES(0);
	case NR_CREATE:
		return ES(0, EINVAL, EPERM, ENOSPC, ENOMEM);
	case NR_DELETE:
		return ES(0, EINVAL, EPERM, ENOENT);
	case NR_GET:
	case NR_GET_SA:
		return ES(0, EINVAL, ENOENT);
	case NR_ENUM:
		return ES(0, EINVAL);
	case NR_SET_SPI:
		return ES(0, EINVAL, ENOENT, EBUSY, EXDEV, EEXIST, ENOMEM);
	case NR_GET_SPI:
		return ES(0, EINVAL, ENOENT, EBUSY, EXDEV, EEXIST, ENOMEM,
			  ENOSPC, ERANGE);
	case NR_SET_SEL:
		return ES(0, EINVAL, ENOENT, EBUSY, ENOMEM, ENOSPC);
	case NR_ADD_IN:
	case NR_ADD_OUT:
		return ES(0, EINVAL, ENOENT, EBUSY, ENOPKG, EOPNOTSUPP, ESRCH,
			  EEXIST, ENOMEM);
	case NR_EXPIRE:
		return ES(0, EINVAL, ENOENT, EBUSY, ENOMEM);
	case NR_SUBSCRIBE:
		return ES(0, EINVAL, ENOMEM);
	case NR_UNSUBSCRIBE:
		return ES(0, EINVAL, ENOENT);
	case NR_UPDATE:
		return ES(0, EINVAL, ENOENT, EBUSY, EXDEV, EEXIST, ENOMEM,
			  ENOSPC);
	case NR_RIGHTS_SET:
		return ES(0, EINVAL, EPERM, ENOMEM);
	case NR_BATCH:
		return ES(0, EINVAL, E2BIG, EPERM, ENOMEM);
	}
	return ES(ENOTTY);
}

/*
 * An id that names no context of the session's namespace (deleted, of
 * another namespace, never issued) can only get the errors a command
 * checks before its lookup, or ENOENT.
 */
static eset gone_set(void)
{
	return ES(ENOENT, EINVAL, EOPNOTSUPP, EPERM, ERANGE, ENOMEM, EFAULT);
}

/* ------------------------------------------------------------------- rng */

struct rng { uint64_t s[4]; };

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* ----------------------------------------------------------- worker state */

enum { ST_UNKNOWN = 0 };	/* else WFP_IPSEC_CTX_STATE_* */

#define NR_SLOTS	32	/* profile slots: command numbers, 0 other */
#define MAX_SESS	10
#define MAX_SUBS	6
#define MAX_CTX		64
#define RING		256
#define ENUM_BUF	WFP_IPSEC_ENUM_MAX
#define MAX_PRINTED	25
#define BATCH_N		40
#define BATCH_BUF	(BATCH_N * 4096)

struct sess {
	int fd;			/* -1: free slot */
	int ns;			/* namespace tag, 0 = the initial one */
	bool nocap;		/* opened without CAP_NET_ADMIN */
	bool ready;		/* HELLO succeeded */
	bool dynamic;
	__u64 sid;
	__u8 key[16];
	__u32 txn_wait;
	int nsubs;
	__u64 subs[MAX_SUBS];
	struct wfp_ipsec_subnet sub_l[MAX_SUBS], sub_r[MAX_SUBS];
	bool ghost_subs;	/* a SUBSCRIBE failed after its handler ran */
};

struct ctx {
	__u64 id;
	int ns;
	__u64 creator;
	int state;		/* what the worker believes; 0: unknown */
	bool vol;		/* an SA lifetime may delete it any time */
	struct wfp_ipsec_traffic t;
	__u32 spi_in;
	bool encap;
	__be16 el, er;
	int proto[2];		/* by WFP_IPSEC_DIR_*: IPPROTO_ESP/AH, 0 */
	__u32 spi[2];
	__u32 tt[2];		/* transform types */
	bool peer_priv;
};

/* Every id the worker ever saw created, to classify what comes back. */
struct known {
	__u64 id;		/* 0: free */
	int ns;
	__u64 creator;
	__u64 deleted_by;	/* session that deleted it, 0 */
	__u8 ver, local[16], remote[16];
};

struct nsinfo {
	__u64 cookie;
	__u64 last_ctx_id;	/* ids increase per namespace (ids.c) */
	__u64 last_sub_id;
	int nsess;
	bool alive;
	bool grants_known;
	struct wfp_ipsec_rights grants;
};

struct spires {
	__u32 spi;
	int ns;
	__u64 owner;
};

/* Per-thread counters, summed into the shared report. */
struct tstats {
	uint64_t calls;
	uint64_t fails;
	uint64_t by_errno[128];
	uint64_t ns_by_nr[NR_SLOTS], n_by_nr[NR_SLOTS];	/* -v profile */
};

struct worker {
	int idx;
	uint64_t seed;
	struct rng rng;
	uint64_t step;
	uint64_t budget;
	int verbose;
	int home_ns;		/* fd of the worker's own network namespace */
	bool in_child;		/* a namespace child episode */
	bool relaxed;		/* another thread works on the same session */
	bool closing;		/* another thread closes the session's fd */
	bool no_mutate;		/* survivors: valid requests only */
	bool det;		/* -d: nothing whose outcome depends on time */
	bool nocap_ok;		/* the initial namespace has no grants */
	int child_ns;		/* tag of a netns child's namespace */
	bool have_batch;	/* HELLO reported WFP_IPSEC_FEAT_BATCH */

	struct sess sess[MAX_SESS];
	struct ctx ctx[MAX_CTX];
	int nctx;

	struct known *known;
	size_t known_cap, known_n;

	__u64 stale[RING];
	unsigned int nstale;
	__u64 foreign[RING];
	unsigned int nforeign;
	__u64 stale_subs[RING];
	unsigned int nstale_subs;
	struct spires spis[64];
	unsigned int nspis;
	__u8 closed_keys[16][16];
	unsigned int nclosed_keys;

	struct nsinfo *ns;
	int nns, ns_cap;

	unsigned int event_queue_len;

	/* memory for arguments and bad pointers */
	unsigned char *argbuf;
	unsigned char *none_page;	/* PROT_NONE */
	unsigned char *guard_edge;	/* end of a RW page followed by PROT_NONE */
	unsigned char *ro_page;
	unsigned char *keybuf;
	unsigned char *keycur;		/* where key_ptr() writes */
	unsigned char *batchbuf;	/* BATCH_BUF bytes */
	unsigned char *batchkeys;
	struct wfp_ipsec_ctx_info *enumbuf;

	struct tstats st;
	int printed;
};

static struct worker W;
static __thread struct tstats *TS = &W.st;
static __thread const char *T_TAG = "";

/* Shared with the parent. */
struct survivor {
	__u64 id, creator;
	__u32 state;
};

struct wresult {
	uint64_t calls, fails, by_errno[128];
	uint64_t contexts, ns_children, ns_sessions, races, walks, events;
	struct survivor surv[2];
	int nsurv;
	int done;
	/* for the parent's watchdog, written as the worker goes */
	volatile uint64_t progress;
	volatile uint64_t step;
	volatile int in_flight;		/* command number in an ioctl, or 0 */
	volatile pid_t child;		/* a netns child running, or 0 */
};

static struct wresult *g_res;
static __u64 g_features;	/* what the module's HELLO reported */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --------------------------------------------------------------- output */

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* One write per line, so lines of concurrent workers do not interleave. */
static void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	if (write(1, buf, n) < 0)
		n = 0;
	pthread_mutex_unlock(&out_lock);
}

static const char *cmd_name(int nr)
{
	return nr >= 1 && nr <= NR_MAX ? cmds[nr].name : "?";
}

static void __attribute__((format(printf, 2, 3)))
fail(int nr, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	TS->fails++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&out_lock);
	W.printed++;
	pthread_mutex_unlock(&out_lock);
	if (W.printed > MAX_PRINTED)
		return;
	out("# fuzz: FAIL seed=%" PRIu64 " worker=%d%s%s step=%" PRIu64
	    " cmd=%s(0x%x): %s", W.seed, W.idx, W.in_child ? " (netns child)" : "",
	    T_TAG, W.step, cmd_name(nr), nr ? cmds[nr].cmd : 0, msg);
}

/* ------------------------------------------------------------- helpers */

static uint64_t r64(void)
{
	return rng_next(&W.rng);
}

static __u32 rn(__u32 n)
{
	return n ? (__u32)(r64() % n) : 0;
}

/* true with probability pm per mille */
static bool pm(unsigned int pm)
{
	return rn(1000) < pm;
}

static void rfill(void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)r64();
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static int addr_len(int ver)
{
	return ver == WFP_IPSEC_IPV4 ? 4 : 16;
}

static void fmt_addr(int ver, const __u8 *a, char *buf)
{
	if (!inet_ntop(ver == WFP_IPSEC_IPV4 ? AF_INET : AF_INET6, a, buf, 64))
		snprintf(buf, 64, "v%d?", ver);
}

/* buf: 80 bytes */
static void fmt_subnet(const struct wfp_ipsec_subnet *sn, char *buf)
{
	char a[64];

	if (!sn->ip_version) {
		snprintf(buf, 80, "any");
		return;
	}
	fmt_addr(sn->ip_version, sn->addr, a);
	snprintf(buf, 80, "%s/%u", a, sn->prefix_len);
}


/* ------------------------------------------------------------ known ids */

static struct known *known_slot(__u64 id)
{
	size_t mask = W.known_cap - 1, i = (id * 0x9e3779b97f4a7c15ULL) & mask;

	while (W.known[i].id && W.known[i].id != id)
		i = (i + 1) & mask;
	return &W.known[i];
}

static struct known *known_find(__u64 id)
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

/* --------------------------------------------------------------- pools */

static void ring_put(__u64 *ring, unsigned int *n, __u64 v)
{
	ring[(*n)++ % RING] = v;
}

static __u64 ring_pick(const __u64 *ring, unsigned int n)
{
	if (!n)
		return 0;
	return ring[rn(n < RING ? n : RING)];
}

static int ns_new(__u64 cookie)
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

static int alive_foreign_ns(void)
{
	int i, n = 0;

	for (i = 1; i < W.nns; i++)
		n += W.ns[i].alive && W.ns[i].nsess > 0;
	return n;
}

static struct ctx *ctx_find(__u64 id)
{
	int i;

	for (i = 0; i < W.nctx; i++)
		if (W.ctx[i].id == id)
			return &W.ctx[i];
	return NULL;
}

static void ctx_drop(struct ctx *c)
{
	*c = W.ctx[--W.nctx];
}

/* A context the worker deleted: its id must never work again. */
static void ctx_deleted(struct ctx *c, __u64 by)
{
	struct known *k = known_find(c->id);

	if (k)
		k->deleted_by = by;
	ring_put(W.stale, &W.nstale, c->id);
	ctx_drop(c);
}

static void spi_reserved(struct ctx *c)
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
static bool spi_certainly_held(__u32 spi, int ns)
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

static struct sess *sess_any(void)
{
	int i, n = 0;
	struct sess *pick = NULL;

	for (i = 0; i < MAX_SESS; i++)
		if (W.sess[i].fd >= 0 && !rn(++n))
			pick = &W.sess[i];
	return pick;
}

/* A ready session with every right in namespace ns, or NULL. */
static struct sess *sess_normal(int ns)
{
	int i, n = 0;
	struct sess *pick = NULL;

	for (i = 0; i < MAX_SESS; i++) {
		struct sess *s = &W.sess[i];

		if (s->fd >= 0 && s->ready && !s->nocap && !s->dynamic &&
		    s->ns == ns && !rn(++n))
			pick = s;
	}
	return pick;
}

/* Mostly a working session of ns; sometimes any, to hit the gates. */
static struct sess *sess_for(int ns)
{
	struct sess *s = NULL;

	if (!pm(100))
		s = sess_normal(ns);
	return s ? s : sess_any();
}

static __u32 sess_rights(const struct sess *s)
{
	return s->nocap ? 0 : __WFP_IPSEC_RIGHT_ALL;
}

static struct ctx *ctx_any(void)
{
	return W.nctx ? &W.ctx[rn(W.nctx)] : NULL;
}

/* ------------------------------------------------------------ traffic */

static void pool_addr(int ver, bool local, __u8 *a)
{
	memset(a, 0, 16);
	if (ver == WFP_IPSEC_IPV4) {
		a[0] = 10;
		a[1] = 77;
		if (pm(750)) {
			/* few addresses: contexts share policy sets */
			a[2] = local ? 0 : 1;
			a[3] = 1 + rn(local ? 4 : 8);
		} else {
			a[2] = rn(256);
			a[3] = 1 + rn(254);
		}
	} else {
		a[0] = 0xfd;
		a[2] = 0x77;
		if (pm(750)) {
			a[5] = local ? 0 : 1;
			a[15] = 1 + rn(local ? 4 : 8);
		} else {
			rfill(a + 4, 12);
			a[15] |= 1;
		}
	}
}

static bool proto_has_ports(int p)
{
	return p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
}

static void gen_traffic(struct wfp_ipsec_traffic *t, int ver, int type)
{
	static const __u8 protos[] = { 0, 0, 6, 17, 1, 50, 132, 58 };

	memset(t, 0, sizeof(*t));
	t->ip_version = ver ? ver : (pm(650) ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6);
	t->traffic_type = type >= 0 ? type : (pm(700) ?
			  WFP_IPSEC_TRAFFIC_TRANSPORT : WFP_IPSEC_TRAFFIC_TUNNEL);
	pool_addr(t->ip_version, true, t->local_addr);
	pool_addr(t->ip_version, false, t->remote_addr);
	if (t->traffic_type == WFP_IPSEC_TRAFFIC_TRANSPORT) {
		t->ip_protocol = protos[rn(ARRAY_SIZE(protos))];
		if ((!t->ip_protocol || proto_has_ports(t->ip_protocol)) &&
		    pm(400)) {
			t->local_port = htons(rn(3) ? 1 + rn(65535) : 0);
			t->remote_port = htons(rn(3) ? 1 + rn(65535) : 0);
		}
	}
	if (pm(300))
		t->real_if_profile_id = (__u32)r64();
	if (pm(300))
		t->filter_id = r64();
	if (pm(300))
		t->local_if_luid = r64();
}

/* A subnet around addr (or "any"), valid as the module checks it. */
static void gen_subnet(struct wfp_ipsec_subnet *sn, int ver, const __u8 *addr)
{
	int bits, len, i;

	memset(sn, 0, sizeof(*sn));
	if (!ver)
		return;
	sn->ip_version = ver;
	len = addr_len(ver);
	bits = rn(len * 8 + 1);
	if (pm(300))
		bits = len * 8;
	sn->prefix_len = bits;
	for (i = 0; i < len; i++) {
		int keep = bits - i * 8;

		if (keep >= 8)
			sn->addr[i] = addr[i];
		else if (keep > 0)
			sn->addr[i] = addr[i] & (0xff << (8 - keep));
	}
}

static bool subnet_match(const struct wfp_ipsec_subnet *sn, int ver,
			 const __u8 *addr)
{
	int bits = sn->prefix_len;

	if (!sn->ip_version)
		return true;
	if (sn->ip_version != ver)
		return false;
	if (memcmp(sn->addr, addr, bits / 8))
		return false;
	if (bits % 8) {
		__u8 mask = 0xff << (8 - bits % 8);

		return !((sn->addr[bits / 8] ^ addr[bits / 8]) & mask);
	}
	return true;
}

/* A template for ENUM/SUBSCRIBE: any, or around one of the pools. */
static void gen_template(struct wfp_ipsec_subnet *l, struct wfp_ipsec_subnet *r)
{
	int ver = pm(650) ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6;
	__u8 a[16];
	struct ctx *c = ctx_any();

	if (c && pm(500))
		ver = c->t.ip_version;
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	if (pm(400))
		return;
	if (c && c->t.ip_version == ver && pm(600))
		memcpy(a, c->t.local_addr, 16);
	else
		pool_addr(ver, true, a);
	if (pm(700))
		gen_subnet(l, ver, a);
	if (c && c->t.ip_version == ver && pm(600))
		memcpy(a, c->t.remote_addr, 16);
	else
		pool_addr(ver, false, a);
	if (pm(600))
		gen_subnet(r, ver, a);
}

/* An invalid subnet, each way the module refuses one. */
static void break_subnet(struct wfp_ipsec_subnet *sn)
{
	switch (rn(5)) {
	case 0:
		sn->reserved[rn(6)] = 1 + rn(255);
		break;
	case 1:
		sn->ip_version = 7 + rn(240);
		break;
	case 2:
		if (!sn->ip_version)
			sn->ip_version = WFP_IPSEC_IPV4;
		sn->prefix_len = addr_len(sn->ip_version) * 8 + 1 + rn(100);
		break;
	case 3:
		/* a host bit past the prefix */
		if (!sn->ip_version)
			sn->ip_version = WFP_IPSEC_IPV6;
		sn->prefix_len = rn(addr_len(sn->ip_version) * 8);
		sn->addr[15] |= 1;
		if (sn->ip_version == WFP_IPSEC_IPV4)
			sn->addr[3 + rn(13)] |= 1;
		break;
	default:
		/* "any" with an address or a length */
		memset(sn, 0, sizeof(*sn));
		if (rn(2))
			sn->prefix_len = 1 + rn(255);
		else
			sn->addr[rn(16)] = 1 + rn(255);
		break;
	}
}

/* An invalid traffic description, each way traffic.c refuses one. */
static void break_traffic(struct wfp_ipsec_traffic *t)
{
	switch (rn(7)) {
	case 0:
		t->reserved0 = 1 + rn(255);
		break;
	case 1:
		t->reserved1 = 1 + (__u32)rn(0xfffffffe);
		break;
	case 2:
		t->ip_version = rn(2) ? 0 : 7 + rn(240);
		break;
	case 3:
		t->traffic_type = 2 + rn(254);
		break;
	case 4:
		memset(rn(2) ? t->local_addr : t->remote_addr, 0,
		       addr_len(t->ip_version == WFP_IPSEC_IPV4 ?
				WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6));
		break;
	case 5:
		if (t->ip_version == WFP_IPSEC_IPV4)
			t->local_addr[4 + rn(12)] = 1 + rn(255);
		else
			t->reserved0 = 1;
		break;
	default:
		if (t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL) {
			if (rn(2))
				t->ip_protocol = 1 + rn(255);
			else
				t->remote_port = htons(1 + rn(65535));
		} else {
			t->ip_protocol = 1;	/* ICMP has no ports */
			t->local_port = htons(1 + rn(65535));
		}
		break;
	}
}

/* ------------------------------------------------------------- algorithms */

/* kmod/algs.c: Windows ids to kernel algorithms, key bytes. */
struct alg { __u32 type; __u8 config; bool gcm; unsigned int key; };

static const struct alg auth_algs[] = {
	{ 0, 0, false, 16 }, { 1, 1, false, 20 }, { 2, 2, false, 32 },
	{ 3, 3, true, 20 }, { 4, 4, true, 28 }, { 5, 5, true, 36 },
};

static const struct alg cipher_algs[] = {
	{ 1, 1, false, 8 }, { 2, 2, false, 24 }, { 3, 3, false, 16 },
	{ 4, 4, false, 24 }, { 5, 5, false, 32 },
	{ 3, 6, true, 20 }, { 4, 7, true, 28 }, { 5, 8, true, 36 },
};

/* Key blobs live in keybuf; misaligned now and then. */
static __u64 key_ptr(int which, unsigned int len)
{
	unsigned char *p = W.keycur + which * 128 + (pm(100) ? 1 + rn(7) : 0);

	rfill(p, len);
	return (__u64)(uintptr_t)p;
}

/*
 * A valid SA of one transform type: AH only with an HMAC (and not under
 * UDP encapsulation, which AH cannot have), ESP with any table entry,
 * AES-GCM as one blob passed as cipher key and again, or not, as auth key.
 */
static void gen_sa(struct wfp_ipsec_sa *sa, bool allow_ah)
{
	const struct alg *a, *c;
	int tt;

	memset(sa, 0, sizeof(*sa));
	do {
		tt = 1 + rn(5);
	} while (tt == WFP_IPSEC_TRANSFORM_AH && !allow_ah);
	sa->transform_type = tt;
	switch (tt) {
	case WFP_IPSEC_TRANSFORM_AH:
		a = &auth_algs[rn(3)];
		goto auth_only;
	case WFP_IPSEC_TRANSFORM_ESP_AUTH:
	case WFP_IPSEC_TRANSFORM_ESP_AUTH_FW:
		a = &auth_algs[rn(ARRAY_SIZE(auth_algs))];
auth_only:
		sa->auth_type = a->type;
		sa->auth_config = a->config;
		sa->auth_key_len = a->key;
		sa->auth_key = key_ptr(0, a->key);
		if (pm(300)) {
			/* no cipher: a stray pointer is never read */
			sa->cipher_key = pm(500) ? key_ptr(1, 8) : 0;
		}
		break;
	case WFP_IPSEC_TRANSFORM_ESP_CIPHER:
		c = &cipher_algs[rn(5)];
		sa->cipher_type = c->type;
		sa->cipher_config = c->config;
		sa->cipher_key_len = c->key;
		sa->cipher_key = key_ptr(1, c->key);
		break;
	default:
		if (pm(500)) {
			int i = rn(3);

			c = &cipher_algs[5 + i];
			a = &auth_algs[3 + i];
			sa->cipher_type = c->type;
			sa->cipher_config = c->config;
			sa->cipher_key_len = c->key;
			sa->cipher_key = key_ptr(1, c->key);
			sa->auth_type = a->type;
			sa->auth_config = a->config;
			if (pm(500)) {
				sa->auth_key_len = c->key;
				sa->auth_key = key_ptr(0, c->key);
				memcpy((void *)(uintptr_t)sa->auth_key,
				       (void *)(uintptr_t)sa->cipher_key, c->key);
			}
		} else {
			c = &cipher_algs[rn(5)];
			a = &auth_algs[rn(3)];
			sa->cipher_type = c->type;
			sa->cipher_config = c->config;
			sa->cipher_key_len = c->key;
			sa->cipher_key = key_ptr(1, c->key);
			sa->auth_type = a->type;
			sa->auth_config = a->config;
			sa->auth_key_len = a->key;
			sa->auth_key = key_ptr(0, a->key);
		}
		break;
	}
}

static bool gcm_sa(const struct wfp_ipsec_sa *sa)
{
	return sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER &&
	       sa->cipher_config >= 6;
}

/* ------------------------------------------------------- bad pointers */

enum ptrkind { P_NULL, P_NONE, P_KERNEL, P_NONCANON, P_STRADDLE, P_KINDS };

static const char *const ptrkind_name[] = {
	"NULL", "PROT_NONE", "kernel", "non-canonical", "straddling",
};

/* Bytes usable at p before it faults: only straddling pointers have any. */
static size_t usable_prefix(__u64 p)
{
	uintptr_t a = (uintptr_t)p, edge = (uintptr_t)W.guard_edge;

	return a < edge && edge - a < 4096 ? edge - a : 0;
}

/* A pointer no read of len bytes may succeed through. */
static __u64 bad_ptr(int kind, size_t len)
{
	switch (kind) {
	case P_NULL:
		return 0;
	case P_NONE:
		return (__u64)(uintptr_t)(W.none_page + rn(64));
	case P_KERNEL:
		return 0xffff888000000000ULL + (r64() & 0xfffff0);
	case P_NONCANON:
		return rn(2) ? 0x8000000000000000ULL : (1ULL << 47) - 8;
	default:
		/* the first bytes readable, the rest in the guard page; at
		 * most a page back, or the pointer leaves the RW page before
		 * the guard for whatever memory lies below it (keybuf and
		 * batchbuf are writable) and usable_prefix() no longer holds.
		 */
		return (__u64)(uintptr_t)(W.guard_edge - (len > 1 ?
					  1 + rn((len < 4096 ? len : 4096) - 1) : 0));
	}
}

/* --------------------------------------------------------------- calls */

enum argmode {
	AM_NORMAL, AM_MISALIGNED, AM_RO, AM_BAD,
};

#define C_MUST_FAIL	(1u << 0)	/* a mutation the ABI must refuse */
#define C_EFAULT_OK	(1u << 1)	/* a bogus pointer inside the struct */
#define C_MUTATED	(1u << 2)	/* any mutation at all */
#define C_STRICT	(1u << 3)	/* 'strict' is the whole expectation */
#define C_NO_OUTCHECK	(1u << 4)

union args {
	struct wfp_ipsec_hello hello;
	struct wfp_ipsec_session_info info;
	struct wfp_ipsec_ctx_create create;
	struct wfp_ipsec_ctx_id cid;
	struct wfp_ipsec_ctx_info get;
	struct wfp_ipsec_ctx_enum en;
	struct wfp_ipsec_spi spi;
	struct wfp_ipsec_selectors sel;
	struct wfp_ipsec_ctx_add add;
	struct wfp_ipsec_ctx_sa gsa;
	struct wfp_ipsec_subscribe sub;
	struct wfp_ipsec_stats stats;
	struct wfp_ipsec_ctx_update upd;
	struct wfp_ipsec_rights rights;
#ifdef WFP_IPSEC_IOC_CTX_ADD_BATCH
	struct wfp_ipsec_ctx_batch batch;
#endif
	unsigned char raw[512];
};

struct call {
	int nr;			/* the command meant */
	unsigned int word;	/* the command word sent */
	size_t size;
	unsigned int flags;
	eset strict;		/* with C_STRICT */
	bool gone;		/* the id names nothing in the session's ns */
	enum argmode am;
	int badkind;
	union args in, out;	/* as sent; as read back */
	char mut[160];		/* mutations, for the report */
	int expect_status;	/* ADD: the status a lone mutation must give */
	unsigned int toggled;	/* XOR mutations done: twice would undo them */
};

/* Whether a toggling mutation may still be applied to this call. */
static bool first_toggle(struct call *c, unsigned int bit)
{
	bool first = !(c->toggled & bit);

	c->toggled |= bit;
	return first;
}

static void mut_note(struct call *c, const char *what)
{
	size_t n = strlen(c->mut);

	snprintf(c->mut + n, sizeof(c->mut) - n, "%s%s", n ? "+" : "", what);
	c->flags |= C_MUTATED;
}

static void call_init(struct call *c, int nr)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->word = cmds[nr].cmd;
	c->size = _IOC_SIZE(c->word);
	c->expect_status = -1;
}

/* The command word with another size or direction: must be ENOTTY. */
static void mutate_word(struct call *c)
{
	unsigned int dir = _IOC_DIR(c->word), size = c->size, nr = c->nr;
	unsigned int w;

	do {
		switch (rn(5)) {
		case 0:
			size = c->size + (rn(2) ? 8 : -8);
			break;
		case 1:
			size = rn(2) ? 0 : 1 + rn(_IOC_SIZEMASK);
			break;
		case 2:
			dir = rn(4);
			break;
		case 3:
			/* another command's structure */
			size = _IOC_SIZE(cmds[1 + rn(NR_MAX)].cmd);
			break;
		default:
			dir = rn(4);
			size = c->size ^ (1u << rn(14));
			break;
		}
		w = _IOC(dir & 3, WFP_IPSEC_IOC_TYPE, nr, size & _IOC_SIZEMASK);
	} while (w == c->word);
	c->word = w;
	mut_note(c, "ioc-size/dir");
}

static void mutate_random_cmd(struct call *c)
{
	unsigned int orig = c->word;

again:
	switch (rn(4)) {
	case 0:
		c->word = (__u32)r64();
		break;
	case 1:
		/* numbers past the table, and 0 */
		c->word = _IOC(rn(4), WFP_IPSEC_IOC_TYPE,
			       rn(2) ? 0 : NR_MAX + 1 + rn(255 - NR_MAX),
			       rn(512));
		break;
	case 2:
		/* our command under another ioctl type */
		c->word = _IOC(_IOC_DIR(c->word), rn(256), c->nr, c->size);
		break;
	default:
		c->word = _IOC(rn(4), WFP_IPSEC_IOC_TYPE, rn(256),
			       rn(_IOC_SIZEMASK + 1));
		break;
	}
	/* another known command would read our struct as its own */
	if (cmd_nr(c->word) && c->word != orig)
		goto again;
	mut_note(c, "random-cmd");
}

/*
 * The errno set the ABI allows for this call: the dispatcher's gates in
 * their order (command word, handshake, rights, copy-in), then the
 * command's own set, narrowed or widened by what the generator did.
 */
static eset expected(const struct call *c, const struct sess *s)
{
	int nr = cmd_nr(c->word);
	unsigned int dir;
	eset set;

	if (!nr)
		return ES(ENOTTY);
	/* a module without the feature does not know the command */
	if (nr == NR_BATCH && !W.have_batch)
		return ES(ENOTTY);
	if (!s->ready && nr != NR_HELLO)
		return ES(EBADFD);
	if ((cmds[nr].rights & sess_rights(s)) != cmds[nr].rights)
		return ES(EACCES);
	dir = _IOC_DIR(c->word);
	if (c->am == AM_BAD)
		return ES(EFAULT);
	if (c->flags & C_STRICT)
		set = c->strict;
	else
		set = gen_set(nr);
	if (c->gone)
		set = es_and(set, gone_set());
	if (c->flags & C_MUST_FAIL)
		set = es_del(set, 0);
	if (c->flags & C_EFAULT_OK)
		set = es_add(set, EFAULT);
	if (c->am == AM_RO && (dir & _IOC_READ)) {
		/* The reply cannot be written back: never a success. */
		if (!(dir & _IOC_WRITE) || nr == NR_ADD_IN || nr == NR_ADD_OUT ||
		    nr == NR_BATCH)
			return ES(EFAULT);
		set = es_add(es_del(set, 0), EFAULT);
	}
	return set;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int sys_ioctl(int fd, unsigned int word, void *arg)
{
	uint64_t t0 = now_ns();
	int ret, nr = cmd_nr(word);

	g_res->in_flight = nr ? nr : -1;
	g_res->step = W.step;
	ret = ioctl(fd, word, arg) ? errno : 0;
	g_res->in_flight = 0;
	g_res->progress++;

	TS->ns_by_nr[nr < NR_SLOTS ? nr : 0] += now_ns() - t0;
	TS->n_by_nr[nr < NR_SLOTS ? nr : 0]++;
	TS->calls++;
	TS->by_errno[ret < 128 ? ret : 127]++;
	return ret;
}

/*
 * Sends the call with its argument placed as c->am says and checks the
 * errno against expected().  Returns the errno; c->out holds the reply
 * when the argument was in ordinary memory.
 */
static int exec_call(struct call *c, struct sess *s)
{
	unsigned char *p = W.argbuf;
	char want[256];
	eset set;
	int ret;

	if (c->am == AM_MISALIGNED)
		p += 1 + rn(7);
	switch (c->am) {
	case AM_NORMAL:
	case AM_MISALIGNED:
		memcpy(p, &c->in, c->size);
		break;
	case AM_RO:
		p = W.ro_page;
		if (mprotect(p, 4096, PROT_READ | PROT_WRITE))
			abort();
		memcpy(p, &c->in, c->size);
		if (mprotect(p, 4096, PROT_READ))
			abort();
		break;
	case AM_BAD:
		p = (unsigned char *)(uintptr_t)bad_ptr(c->badkind, c->size);
		break;
	}
	set = expected(c, s);
	ret = sys_ioctl(s->fd, c->word, p);
	if (c->am == AM_NORMAL || c->am == AM_MISALIGNED)
		memcpy(&c->out, p, c->size);
	else
		c->flags |= C_NO_OUTCHECK;
	if (W.verbose > 1)
		out("# fuzz: w%d%s step %" PRIu64 " %s word=0x%x sess=%llu"
		    "%s%s -> %s", W.idx, T_TAG, W.step, cmd_name(c->nr), c->word,
		    (unsigned long long)s->sid, c->mut[0] ? " mut=" : "", c->mut, ename(ret));
	if (W.closing && ret == EBADF)
		return ret;
	if (!es_has(set, ret)) {
		es_str(set, want, sizeof(want));
		fail(c->nr, "got %s, allowed {%s}; word=0x%x session=%llu"
		     "%s%s%s%s arg=%s", ename(ret), want, c->word,
		     (unsigned long long)s->sid,
		     s->ready ? "" : " (no handshake)", s->nocap ? " (no cap)" : "",
		     s->dynamic ? " (dynamic)" : "", c->gone ? " (id gone)" : "",
		     c->am == AM_BAD ? ptrkind_name[c->badkind] :
		     c->am == AM_RO ? "read-only" : "ok");
		if (c->mut[0])
			fail(c->nr, "  ... mutations: %s", c->mut);
	}
	return ret;
}

/* Bytes of the reply that must equal the request. */
struct span { size_t off, len; };

static void check_echo(const struct call *c, const struct span *skip, int n)
{
	const unsigned char *a = c->in.raw, *b = c->out.raw;
	size_t i;
	int k;

	for (i = 0; i < c->size; i++) {
		bool skipped = false;

		for (k = 0; k < n; k++)
			if (i >= skip[k].off && i < skip[k].off + skip[k].len)
				skipped = true;
		if (!skipped && a[i] != b[i]) {
			fail(c->nr, "reply byte %zu changed 0x%02x -> 0x%02x, "
			     "not an output field", i, a[i], b[i]);
			return;
		}
	}
}

#define SPAN(type, field) { offsetof(type, field), sizeof(((type *)0)->field) }

/*
 * Mutations every command can take: the argument pointer, the command
 * word, junk bytes.  Returns true when one was applied.
 */
static bool mutate_common(struct call *c)
{
	switch (rn(10)) {
	case 0:
	case 1:
		c->am = AM_BAD;
		c->badkind = rn(P_KINDS);
		mut_note(c, "bad-arg-ptr");
		return true;
	case 2:
		c->am = AM_RO;
		mut_note(c, "read-only-arg");
		return true;
	case 3:
		c->am = AM_MISALIGNED;
		/* valid memory: not a mutation of the request */
		return true;
	case 4:
	case 5:
		mutate_word(c);
		return true;
	case 6:
		mutate_random_cmd(c);
		return true;
	}
	return false;
}

/* Sets one byte of a reserved range non-zero: the ABI must refuse it. */
static void poke_reserved(struct call *c, size_t off, size_t len)
{
	c->in.raw[off + rn(len)] = 1 + rn(255);
	c->flags |= C_MUST_FAIL;
	mut_note(c, "reserved");
}

/* A random byte anywhere but the fields listed: effect unknown. */
static void flip_byte(struct call *c, const struct span *keep, int n)
{
	size_t i;
	int k, tries;

	for (tries = 0; tries < 8; tries++) {
		bool kept = false;

		i = rn(c->size);
		for (k = 0; k < n; k++)
			if (i >= keep[k].off && i < keep[k].off + keep[k].len)
				kept = true;
		if (kept)
			continue;
		c->in.raw[i] ^= 1u << rn(8);
		mut_note(c, "byte-flip");
		return;
	}
}

/* How many mutations this call gets: mostly none. */
static int n_mutations(void)
{
	if (W.no_mutate || !pm(250))
		return 0;
	return pm(700) ? 1 : pm(650) ? 2 : 3;
}

static void one_op(struct sess *only);
static void probe_ghost_contexts(struct sess *s, int nr);
static void probe_ghost_subs(struct sess *s);

/* ------------------------------------------------------- id selection */

/*
 * An id for a command that names a context.  *cp is the worker's own
 * context when the id is one and lives in s's namespace; *gone says the
 * id can name nothing there.  Random ids are far above anything the
 * module-wide counter can reach, so they never hit another worker's.
 */
static __u64 pick_id(const struct sess *s, struct ctx *prefer,
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
	if (r < 88 && (id = ring_pick(W.stale, W.nstale)))
		return id;
	if (r < 94 && (id = ring_pick(W.foreign, W.nforeign)))
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

/*
 * Whether the worker knows exactly what the kernel holds for c: its own
 * context, in its namespace, no other thread at work, a known state.
 */
static bool ctx_certain(const struct ctx *c, const struct sess *s)
{
	return c && c->state != ST_UNKNOWN && !W.relaxed && s->ready &&
	       !s->nocap && c->ns == s->ns;
}

/* A strict expectation, plus ENOENT when an SA lifetime may hit. */
static void set_strict(struct call *c, const struct ctx *x, eset set)
{
	if (x && x->vol)
		set = es_add(set, ENOENT);
	c->strict = set;
	c->flags |= C_STRICT;
}

/* ---------------------------------------------------- reply checkers */

static void check_traffic_reserved(int nr, const struct wfp_ipsec_traffic *t,
				   const char *what)
{
	if (t->reserved0 || t->reserved1)
		fail(nr, "%s: reserved fields not zero (%u, %u)", what,
		     t->reserved0, t->reserved1);
}

/* A ctx_info the kernel wrote (GET or ENUM), against what we know. */
static void check_info(int nr, const struct wfp_ipsec_ctx_info *i,
		       const struct sess *s)
{
	struct known *k = known_find(i->id);
	struct ctx *c = ctx_find(i->id);

	if (i->reserved1 || !all_zero(i->reserved, sizeof(i->reserved)))
		fail(nr, "context %llu: reserved fields not zero",
		     (unsigned long long)i->id);
	check_traffic_reserved(nr, &i->traffic, "traffic");
	check_traffic_reserved(nr, &i->inbound, "inbound traffic");
	if (i->state < WFP_IPSEC_CTX_STATE_CREATED ||
	    i->state > WFP_IPSEC_CTX_STATE_EXPIRED)
		fail(nr, "context %llu: state %u out of range",
		     (unsigned long long)i->id, i->state);
	if (i->flags & ~__WFP_IPSEC_CTX_F_ALL)
		fail(nr, "context %llu: unknown flags 0x%x",
		     (unsigned long long)i->id, i->flags);
	if (i->life & ~WFP_IPSEC_LIFE_SOFT_EXPIRED)
		fail(nr, "context %llu: unknown life bits 0x%x",
		     (unsigned long long)i->id, i->life);
	if (i->reqid < REQID_MIN || i->reqid > REQID_MAX)
		fail(nr, "context %llu: reqid 0x%x outside the module's range",
		     (unsigned long long)i->id, i->reqid);
	if (i->state == WFP_IPSEC_CTX_STATE_CREATED &&
	    (i->inbound_spi || i->spi_flags || i->encap_local_port ||
	     i->encap_remote_port || !all_zero(&i->inbound, sizeof(i->inbound))))
		fail(nr, "context %llu: SPI fields set without an SPI",
		     (unsigned long long)i->id);
	if (!(i->flags & WFP_IPSEC_CTX_F_VIF) &&
	    (i->vif_tunnel_id || i->vif_traffic_selector_id))
		fail(nr, "context %llu: vif ids without the flag",
		     (unsigned long long)i->id);
	if (!k)
		return;
	if (k->ns != s->ns)
		fail(nr, "context %llu of namespace tag %d seen from a session "
		     "of namespace tag %d", (unsigned long long)i->id, k->ns,
		     s->ns);
	if (k->deleted_by)
		fail(nr, "context %llu reported after its deletion succeeded",
		     (unsigned long long)i->id);
	if (i->creator_session_id != k->creator)
		fail(nr, "context %llu: creator session %llu, created by %llu",
		     (unsigned long long)i->id,
		     (unsigned long long)i->creator_session_id,
		     (unsigned long long)k->creator);
	if (!c || !ctx_certain(c, s) || c->vol)
		return;
	if (i->state != (__u32)c->state)
		fail(nr, "context %llu: state %u, expected %d",
		     (unsigned long long)i->id, i->state, c->state);
	if (memcmp(&i->traffic, &c->t, sizeof(c->t)))
		fail(nr, "context %llu: traffic differs from what was set",
		     (unsigned long long)i->id);
	if (c->state >= WFP_IPSEC_CTX_STATE_SPI_SET && i->inbound_spi != c->spi_in)
		fail(nr, "context %llu: inbound SPI 0x%x, reserved 0x%x",
		     (unsigned long long)i->id, i->inbound_spi, c->spi_in);
}

/* ------------------------------------------------- session operations */

static __u64 cookie_here(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(fd);
	return cookie;
}

static int cap_effective(bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[CAP_NET_ADMIN / 32].effective |= 1U << (CAP_NET_ADMIN % 32);
	else
		data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static struct sess *sess_slot(void)
{
	int i;

	for (i = 0; i < MAX_SESS; i++)
		if (W.sess[i].fd < 0)
			return &W.sess[i];
	return NULL;
}

/*
 * Opens a session in the current namespace (tag ns).  Without the
 * capability in the effective set at open(), the session holds no right
 * (sessions.rst): the rights are decided from the opener's credentials.
 */
static struct sess *sess_open(int ns, bool nocap)
{
	struct sess *s = sess_slot();
	int fd;

	if (!s)
		return NULL;
	if (nocap && cap_effective(false))
		return NULL;
	fd = open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (nocap && cap_effective(true))
		abort();
	if (fd < 0) {
		fail(0, "open %s: %s", WFP_IPSEC_DEVICE_PATH, strerror(errno));
		return NULL;
	}
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->ns = ns;
	s->nocap = nocap;
	W.ns[ns].nsess++;
	return s;
}

/* A namespace whose last session closed is gone with its contexts. */
static void ns_session_gone(int ns)
{
	int i;

	if (--W.ns[ns].nsess > 0 || !ns)
		return;
	W.ns[ns].alive = false;
	for (i = W.nctx - 1; i >= 0; i--) {
		if (W.ctx[i].ns != ns)
			continue;
		ring_put(W.foreign, &W.nforeign, W.ctx[i].id);
		ctx_drop(&W.ctx[i]);
	}
}

/* Forget a session whose descriptor is closed. */
static void sess_forget(struct sess *s)
{
	int i;

	for (i = 0; i < s->nsubs; i++)
		ring_put(W.stale_subs, &W.nstale_subs, s->subs[i]);
	if (s->ready)
		memcpy(W.closed_keys[W.nclosed_keys++ % 16], s->key, 16);
	s->fd = -1;
	ns_session_gone(s->ns);
}

static void sess_close(struct sess *s)
{
	close(s->fd);
	sess_forget(s);
}

/* ------------------------------------------------------- the commands */

static void do_hello(struct sess *s, bool clean)
{
	struct wfp_ipsec_hello *h;
	struct call c;
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_hello, abi_version),
		SPAN(struct wfp_ipsec_hello, session_key),
		SPAN(struct wfp_ipsec_hello, features),
		SPAN(struct wfp_ipsec_hello, session_id),
	};
	bool dup_key = false, want_dynamic = false;
	int i, m = clean ? 0 : n_mutations();
	__u32 abi;

	call_init(&c, NR_HELLO);
	h = &c.in.hello;
	h->abi_version = pm(850) ? WFP_IPSEC_ABI_VERSION : 2 + rn(0xfffffff0);
	if (!clean && pm(150)) {
		h->session_flags = WFP_IPSEC_SESSION_F_DYNAMIC;
		want_dynamic = true;
	}
	h->txn_wait_ms = pm(500) ? 0 : (__u32)r64();
	if (!clean && pm(300)) {
		rfill(h->session_key, 16);
	} else if (!clean && pm(150)) {
		/* the key of another open session of this namespace */
		for (i = 0; i < MAX_SESS; i++) {
			struct sess *o = &W.sess[i];

			if (o != s && o->fd >= 0 && o->ready && o->ns == s->ns) {
				memcpy(h->session_key, o->key, 16);
				break;
			}
		}
	} else if (!clean && pm(100) && W.nclosed_keys) {
		/* a closed session's key is free again */
		memcpy(h->session_key, W.closed_keys[rn(W.nclosed_keys < 16 ?
			W.nclosed_keys : 16)], 16);
	}
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(5)) {
		case 0:
			poke_reserved(&c, offsetof(struct wfp_ipsec_hello, reserved0), 4);
			break;
		case 1:
			poke_reserved(&c, offsetof(struct wfp_ipsec_hello, reserved),
				      sizeof(h->reserved));
			break;
		case 2:
			h->session_flags |= 1u << (1 + rn(31));
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "flags");
			break;
		case 3:
			h->abi_version = 0;
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "abi-0");
			break;
		default:
			/* output-only fields are ignored on input */
			h->features = r64();
			h->session_id = r64();
			break;
		}
	}
	/* in use by an open session of the namespace (a closed session's
	 * key may have been taken again meanwhile)
	 */
	for (i = 0; i < MAX_SESS && !all_zero(h->session_key, 16); i++) {
		struct sess *o = &W.sess[i];

		if (o != s && o->fd >= 0 && o->ready && o->ns == s->ns &&
		    !memcmp(o->key, h->session_key, 16))
			dup_key = true;
	}
	if (!(c.flags & C_MUTATED)) {
		if (s->ready)
			set_strict(&c, NULL, ES(EALREADY));
		else if (dup_key)
			set_strict(&c, NULL, ES(EEXIST));
		else
			set_strict(&c, NULL, ES(0, ENOMEM));
	} else if (s->ready) {
		c.flags |= C_MUST_FAIL;
	}
	abi = h->abi_version;
	if (exec_call(&c, s)) {
		/* The handshake must not have happened on a failed HELLO. */
		if (!s->ready && c.am == AM_RO) {
			struct call g;

			call_init(&g, NR_SESSION_GET);
			memset(&g.in, 0xa5, sizeof(g.in));
			if (!sys_ioctl(s->fd, g.word, &g.in)) {
				fail(NR_HELLO, "HELLO failed (read-only argument) "
				     "but the session is handshaken: a failed "
				     "command changed something");
				s->ready = true;
				s->dynamic = g.in.info.session_flags & 1;
				s->sid = g.in.info.session_id;
				memcpy(s->key, g.in.info.session_key, 16);
				s->txn_wait = g.in.info.txn_wait_ms;
			}
		}
		return;
	}
	if (s->ready) {
		fail(NR_HELLO, "second HELLO succeeded");
		return;
	}
	h = &c.out.hello;
	if (!(c.flags & C_NO_OUTCHECK)) {
		check_echo(&c, outs, ARRAY_SIZE(outs));
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
		if (!all_zero(c.in.hello.session_key, 16) &&
		    memcmp(c.in.hello.session_key, h->session_key, 16))
			fail(NR_HELLO, "given session key not kept");
	}
	s->ready = true;
	s->dynamic = want_dynamic ||
		     (c.in.hello.session_flags & WFP_IPSEC_SESSION_F_DYNAMIC);
	s->sid = h->session_id;
	memcpy(s->key, h->session_key, 16);
	s->txn_wait = c.in.hello.txn_wait_ms;
}

static void do_session_get(struct sess *s)
{
	struct wfp_ipsec_session_info *i;
	struct call c;
	int m = n_mutations();

	call_init(&c, NR_SESSION_GET);
	/* output only: 0xa5 shows any byte the kernel leaves */
	memset(&c.in, 0xa5, sizeof(c.in));
	while (m--)
		mutate_common(&c);
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready)
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

static struct ctx *do_create(struct sess *s, bool clean)
{
	struct wfp_ipsec_ctx_create *cr;
	struct call c;
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_create, id),
		SPAN(struct wfp_ipsec_ctx_create, inbound_filter_id),
	};
	int m = clean ? 0 : n_mutations();
	struct ctx *x;
	struct known *k;
	__u64 id;

	call_init(&c, NR_CREATE);
	cr = &c.in.create;
	gen_traffic(&cr->traffic, 0, -1);
	if (pm(100)) {
		cr->flags = WFP_IPSEC_CTX_F_VIF;
		cr->vif_tunnel_id = r64();
		cr->vif_traffic_selector_id = r64();
	}
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(7)) {
		case 0:
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_create,
						   reserved0), 4);
			break;
		case 1:
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_create,
						   reserved),
				      sizeof(cr->reserved));
			break;
		case 2:
			cr->flags |= 1u << (1 + rn(31));
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "flags");
			break;
		case 3:
			cr->flags &= ~WFP_IPSEC_CTX_F_VIF;
			cr->vif_tunnel_id |= 1ULL << rn(64);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "vif-without-flag");
			break;
		case 4:
			break_traffic(&cr->traffic);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "traffic");
			break;
		case 5: {
			/* After a mutation that must fail, a flip must not
			 * undo it: setting the VIF flag, or clearing the one
			 * id bit, makes a valid request again.
			 */
			const struct span keep[] = {
				SPAN(struct wfp_ipsec_ctx_create, id),
				SPAN(struct wfp_ipsec_ctx_create, flags),
				SPAN(struct wfp_ipsec_ctx_create, vif_tunnel_id),
				SPAN(struct wfp_ipsec_ctx_create,
				     vif_traffic_selector_id),
			};

			flip_byte(&c, keep, c.flags & C_MUST_FAIL ? 4 : 1);
			break;
		}
		default:
			/* output-only fields are ignored on input */
			cr->id = r64();
			cr->inbound_filter_id = r64();
			break;
		}
	}
	if (!(c.flags & C_MUTATED) && s->ready && !s->nocap)
		set_strict(&c, NULL, s->dynamic ? ES(EPERM) : ES(0, ENOMEM, ENOSPC));
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
	if (c.flags & C_NO_OUTCHECK) {
		/* cannot happen: the reply is copied out on success */
		return NULL;
	}
	cr = &c.out.create;
	check_echo(&c, outs, ARRAY_SIZE(outs));
	id = cr->id;
	if (cr->inbound_filter_id)
		fail(NR_CREATE, "inbound_filter_id %llu, not 0",
		     (unsigned long long)cr->inbound_filter_id);
	if (!id || id <= W.ns[s->ns].last_ctx_id || known_find(id))
		fail(NR_CREATE, "id %llu not new (last %llu)",
		     (unsigned long long)id,
		     (unsigned long long)W.ns[s->ns].last_ctx_id);
	W.ns[s->ns].last_ctx_id = id;
	g_res->contexts++;
	k = known_add(id);
	k->ns = s->ns;
	k->creator = s->sid;
	k->ver = cr->traffic.ip_version;
	memcpy(k->local, cr->traffic.local_addr, 16);
	memcpy(k->remote, cr->traffic.remote_addr, 16);
	if (W.nctx == MAX_CTX)
		return NULL;	/* alive, untracked: the parent cleans up */
	x = &W.ctx[W.nctx++];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->ns = s->ns;
	x->creator = s->sid;
	x->state = WFP_IPSEC_CTX_STATE_CREATED;
	x->t = cr->traffic;
	return x;
}

static void do_delete(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_DELETE);
	c.in.cid.id = pick_id(s, prefer, &x, &c.gone);
	while (m--) {
		if (mutate_common(&c))
			continue;
		poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_id, reserved), 8);
	}
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, s->dynamic ? ES(EPERM) : ES(0));
	if (s->dynamic)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s) || !x || !s->ready || s->nocap || s->dynamic)
		return;
	ctx_deleted(x, s->sid);
}

static void do_get(struct sess *s, struct ctx *prefer)
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
		c.flags |= C_MUST_FAIL;
		mut_note(&c, "non-zero-output-field");
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

/* Enumeration entries the kernel wrote, in [0, count); cursor given. */
static void check_enum_page(const struct call *c, const struct sess *s,
			    const struct wfp_ipsec_ctx_info *e, __u32 max)
{
	const struct wfp_ipsec_ctx_enum *in = &c->in.en, *o = &c->out.en;
	__u64 prev = in->cursor;
	__u32 i, n = o->count;
	const unsigned char *tail;
	size_t j, tail_len;

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
		const struct wfp_ipsec_ctx_info *x = &e[i];

		if (x->id <= prev) {
			fail(NR_ENUM, "entry %u: id %llu not above %llu", i,
			     (unsigned long long)x->id, (unsigned long long)prev);
			return;
		}
		prev = x->id;
		if (!subnet_match(&in->local, x->traffic.ip_version,
				  x->traffic.local_addr) ||
		    !subnet_match(&in->remote, x->traffic.ip_version,
				  x->traffic.remote_addr)) {
			char t[4][80];

			fmt_subnet(&in->local, t[0]);
			fmt_subnet(&in->remote, t[1]);
			fmt_addr(x->traffic.ip_version, x->traffic.local_addr, t[2]);
			fmt_addr(x->traffic.ip_version, x->traffic.remote_addr, t[3]);
			/*
			 * Even a context another worker moves meanwhile: the
			 * kernel reports the traffic it matched.
			 */
			fail(NR_ENUM, "context %llu (%s, %s -> %s) does not "
			     "match the template %s -> %s",
			     (unsigned long long)x->id,
			     ctx_find(x->id) ? "own" : "another worker's",
			     t[2], t[3], t[0], t[1]);
		}
		check_info(NR_ENUM, x, s);
	}
	/* the kernel writes count entries and not a byte more */
	tail = (const unsigned char *)&e[n];
	tail_len = (size_t)(max - n) * sizeof(*e);
	if (tail_len > 4 * sizeof(*e))
		tail_len = 4 * sizeof(*e);
	for (j = 0; j < tail_len; j++)
		if (tail[j] != 0xa5) {
			fail(NR_ENUM, "wrote past entry %u (byte %zu)", n, j);
			break;
		}
}

static __u64 pick_cursor(const struct sess *s)
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

/* One ENUM call; returns its errno, *n the entries it returned. */
static int enum_page(struct sess *s, struct call *c, __u32 max, bool clean,
		     __u32 *n)
{
	struct wfp_ipsec_ctx_enum *e = &c->in.en;
	unsigned char *base = (unsigned char *)W.enumbuf;
	int m = clean ? 0 : n_mutations(), ret;
	bool bad_entries = false;

	e->max_entries = max;
	e->entries = (__u64)(uintptr_t)base;
	/* and the 7 bytes a misaligned pointer moves the array by */
	memset(base, 0xa5, (size_t)(max < 8 ? 8 : max) * sizeof(W.enumbuf[0]) + 8);
	while (m--) {
		if (mutate_common(c))
			continue;
		switch (rn(7)) {
		case 0:
			break_subnet(rn(2) ? &e->local : &e->remote);
			c->flags |= C_MUST_FAIL;
			mut_note(c, "subnet");
			break;
		case 1:
			e->local.ip_version = WFP_IPSEC_IPV4;
			e->local.prefix_len = 0;
			memset(e->local.addr, 0, 16);
			e->remote.ip_version = WFP_IPSEC_IPV6;
			e->remote.prefix_len = 0;
			memset(e->remote.addr, 0, 16);
			c->flags |= C_MUST_FAIL;
			mut_note(c, "versions-differ");
			break;
		case 2:
			e->max_entries = WFP_IPSEC_ENUM_MAX + 1 + rn(0x7fffffff);
			c->flags |= C_MUST_FAIL;
			mut_note(c, "huge-count");
			break;
		case 3:
			e->count = 1 + rn(100);
			c->flags |= C_MUST_FAIL;
			mut_note(c, "count-in");
			break;
		case 4:
			poke_reserved(c, offsetof(struct wfp_ipsec_ctx_enum, reserved),
				      sizeof(e->reserved));
			break;
		case 5:
			e->entries = bad_ptr(rn(P_KINDS), e->max_entries *
					     sizeof(W.enumbuf[0]));
			bad_entries = true;
			c->flags |= C_EFAULT_OK;
			mut_note(c, "bad-entries-ptr");
			break;
		default:
			/* entries at an odd address: still valid memory */
			e->entries += 1 + rn(7);
			break;
		}
	}
	/* a valid template and page size: nothing to refuse */
	if (!(c->flags & C_MUTATED))
		set_strict(c, NULL, ES(0));
	ret = exec_call(c, s);
	*n = 0;
	if (ret || (c->flags & C_NO_OUTCHECK) || !s->ready || s->nocap)
		return ret;
	{
		const struct span outs[] = {
			SPAN(struct wfp_ipsec_ctx_enum, cursor),
			SPAN(struct wfp_ipsec_ctx_enum, count),
		};

		check_echo(c, outs, ARRAY_SIZE(outs));
	}
	*n = c->out.en.count;
	if (bad_entries) {
		/* entries may fit before a straddling buffer's fault */
		if (*n * sizeof(W.enumbuf[0]) > usable_prefix(c->in.en.entries))
			fail(NR_ENUM, "%u entries written through a bad pointer", *n);
		return ret;
	}
	check_enum_page(c, s, (const struct wfp_ipsec_ctx_info *)
			(uintptr_t)c->in.en.entries, e->max_entries);
	return ret;
}

static void do_enum(struct sess *s)
{
	struct call c;
	__u32 n, max = pm(800) ? rn(65) : rn(ENUM_BUF + 1);

	call_init(&c, NR_ENUM);
	gen_template(&c.in.en.local, &c.in.en.remote);
	c.in.en.cursor = pick_cursor(s);
	enum_page(s, &c, max, false, &n);
}

/*
 * A whole walk, page by page, maybe deleting the cursor's context between
 * pages: every own context of the namespace that lives throughout and
 * matches the template must come back exactly once (contexts.rst).
 */
static void do_enum_walk(struct sess *s)
{
	struct wfp_ipsec_subnet l, r;
	__u64 cursor = 0, *seen = NULL;
	size_t nseen = 0, cap = 0;
	__u32 page = pm(400) ? 1 + rn(16) : 64 + rn(ENUM_BUF - 63), n, i;
	__u64 removed[8];
	int nremoved = 0, pages = 0, ret, j;
	bool complete = false;

	if (!s->ready || s->nocap)
		return;
	g_res->walks++;
	gen_template(&l, &r);
	for (;;) {
		struct call c;
		const struct wfp_ipsec_ctx_info *e;

		call_init(&c, NR_ENUM);
		c.in.en.local = l;
		c.in.en.remote = r;
		c.in.en.cursor = cursor;
		ret = enum_page(s, &c, page, true, &n);
		if (ret)
			break;
		e = (const struct wfp_ipsec_ctx_info *)(uintptr_t)c.in.en.entries;
		for (i = 0; i < n; i++) {
			if (nseen == cap) {
				cap = cap ? cap * 2 : 256;
				seen = realloc(seen, cap * sizeof(*seen));
				if (!seen)
					abort();
			}
			seen[nseen++] = e[i].id;
		}
		if (n)
			cursor = e[n - 1].id;
		if (n < page) {
			complete = true;
			break;
		}
		if (++pages > 400 || TS->calls >= W.budget)
			break;
		/* the walk must survive its cursor's deletion */
		if (nremoved < 8 && pm(200)) {
			struct ctx *x = ctx_find(cursor);

			if (x && x->ns == s->ns && !s->dynamic) {
				struct call d;

				call_init(&d, NR_DELETE);
				d.in.cid.id = cursor;
				if (ctx_certain(x, s))
					set_strict(&d, x, ES(0));
				if (!exec_call(&d, s)) {
					removed[nremoved++] = cursor;
					ctx_deleted(x, s->sid);
				}
			}
		}
	}
	if (complete) {
		for (j = 0; j < W.nctx; j++) {
			struct ctx *x = &W.ctx[j];
			size_t k;
			int cnt = 0, q;
			bool was_removed = false;

			if (x->ns != s->ns || x->vol ||
			    !subnet_match(&l, x->t.ip_version, x->t.local_addr) ||
			    !subnet_match(&r, x->t.ip_version, x->t.remote_addr))
				continue;
			for (q = 0; q < nremoved; q++)
				was_removed |= removed[q] == x->id;
			if (was_removed)
				continue;
			for (k = 0; k < nseen; k++)
				cnt += seen[k] == x->id;
			if (cnt != 1)
				fail(NR_ENUM, "walk (pages of %u, %d cursor "
				     "deletions) returned context %llu %d times",
				     page, nremoved, (unsigned long long)x->id, cnt);
		}
	}
	free(seen);
}

/* The inbound traffic for SET/GET_SPI: the context's host pair. */
static void gen_spi(struct call *c, const struct ctx *x, struct sess *s)
{
	struct wfp_ipsec_spi *r = &c->in.spi;

	if (x) {
		r->inbound = x->t;
		if (x->t.traffic_type == WFP_IPSEC_TRAFFIC_TRANSPORT && pm(300)) {
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

static void mutate_spi(struct call *c, bool get)
{
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
		c->flags |= C_MUST_FAIL;
		mut_note(c, "flags");
		break;
	case 3:
		/* encapsulation ports without the flag, or on IPv6 */
		if (r->flags) {
			r->encap_remote_port = 0;
		} else {
			r->encap_local_port = htons(1 + rn(65535));
			if (rn(2) && r->inbound.ip_version == WFP_IPSEC_IPV6)
				r->flags = WFP_IPSEC_SPI_F_UDP_ENCAP;
		}
		c->flags |= C_MUST_FAIL;
		mut_note(c, "encap");
		break;
	case 4:
		break_traffic(&r->inbound);
		c->flags |= C_MUST_FAIL;
		mut_note(c, "traffic");
		break;
	case 5:
		/* another host pair than the context's: EXDEV */
		if (!first_toggle(c, 1))
			break;
		r->inbound.remote_addr[addr_len(r->inbound.ip_version) - 1] ^= 0x80;
		c->flags |= C_MUST_FAIL;
		mut_note(c, "other-pair");
		break;
	case 6:
		if (get) {
			r->spi = 1 + (__u32)rn(0xfffffffe);
			mut_note(c, "spi-in-getspi");
		} else {
			r->spi = rn(256);
			mut_note(c, "spi<256");
		}
		c->flags |= C_MUST_FAIL;
		break;
	default: {
		/* Not the SPI: a flip could make an "spi<256" of an earlier
		 * mutation valid again, and the call rightly succeed.
		 */
		const struct span keep[] = { SPAN(struct wfp_ipsec_spi, id),
					     SPAN(struct wfp_ipsec_spi, spi) };

		flip_byte(c, keep, 2);
		break;
	}
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

static void do_set_spi(struct sess *s, struct ctx *prefer)
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

static void do_get_spi(struct sess *s, struct ctx *prefer)
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

static void do_set_selectors(struct sess *s, struct ctx *prefer)
{
	struct wfp_ipsec_selectors *sel;
	struct call c;
	struct ctx *x;
	int m = n_mutations(), ver;

	call_init(&c, NR_SET_SEL);
	sel = &c.in.sel;
	sel->id = pick_id(s, prefer, &x, &c.gone);
	ver = x ? x->t.ip_version : WFP_IPSEC_IPV4;
	if (pm(700)) {
		__u8 a[16];

		pool_addr(ver, true, a);
		gen_subnet(&sel->local, ver, a);
	}
	if (pm(700)) {
		__u8 a[16];

		pool_addr(ver, false, a);
		gen_subnet(&sel->remote, ver, a);
	}
	if (pm(300))
		sel->flags = WFP_IPSEC_SEL_F_NO_POLICY;
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(5)) {
		case 0:
			poke_reserved(&c, offsetof(struct wfp_ipsec_selectors,
						   reserved0), 4);
			break;
		case 1:
			poke_reserved(&c, offsetof(struct wfp_ipsec_selectors,
						   reserved), sizeof(sel->reserved));
			break;
		case 2:
			sel->flags |= 1u << (1 + rn(31));
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "flags");
			break;
		case 3:
			break_subnet(rn(2) ? &sel->local : &sel->remote);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "subnet");
			break;
		default:
			/* the other family than the context's */
			sel->local.ip_version = ver == WFP_IPSEC_IPV4 ?
						WFP_IPSEC_IPV6 : WFP_IPSEC_IPV4;
			sel->local.prefix_len = 0;
			memset(sel->local.addr, 0, 16);
			if (x)
				c.flags |= C_MUST_FAIL;
			mut_note(&c, "family");
			break;
		}
	}
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, x->state == WFP_IPSEC_CTX_STATE_CREATED ?
			   ES(0, ENOMEM, ENOSPC) : ES(EBUSY));
	exec_call(&c, s);
}

/* Whether a key pointer no longer names bytes inside keybuf. */
static bool key_ptr_bad(__u64 p, __u32 len)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)W.keybuf;

	if (!len)
		return false;
	return a < lo || a + len > lo + 256;
}

/*
 * One mutation of an ADD request; c->expect_status records the status a
 * lone mutation of a known kind must leave in the reply (-2: several).
 */
static void mutate_add(struct call *c, bool inbound, const struct ctx *x)
{
	struct wfp_ipsec_ctx_add *a = &c->in.add;
	struct wfp_ipsec_sa *sa = &a->bundle.sas[0];
	int st = -1;

	if (mutate_common(c))
		return;
	switch (rn(14)) {
	case 0:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_add, reserved0), 4);
		st = WFP_IPSEC_ADD_ST_OK;
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_add, reserved),
			      sizeof(a->reserved));
		st = WFP_IPSEC_ADD_ST_OK;
		break;
	case 2:
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_add, bundle) +
			      offsetof(struct wfp_ipsec_bundle, reserved0), 4);
		st = WFP_IPSEC_ADD_ST_OK;
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
		c->flags |= C_MUST_FAIL;
		mut_note(c, "sa-reserved");
		st = WFP_IPSEC_ADD_ST_OK;
		break;
	case 4:
		/* only sas[0] is used; sas[1] must be zero */
		rfill(&a->bundle.sas[1], sizeof(a->bundle.sas[1]));
		a->bundle.sas[1].reserved0 = 0;
		a->bundle.sas[1].reserved1 = 0;
		memset(a->bundle.sas[1].reserved, 0, sizeof(sa->reserved));
		c->flags |= C_MUST_FAIL;
		mut_note(c, "sas[1]");
		st = WFP_IPSEC_ADD_ST_OK;
		break;
	case 5:
		a->bundle.num_sas = rn(3) ? 0 : 2 + rn(0xffff);
		c->flags |= C_MUST_FAIL;
		mut_note(c, "num_sas");
		st = WFP_IPSEC_ADD_ST_NUM_SAS;
		break;
	case 6:
		sa->transform_type = rn(2) ? 0 : 6 + rn(0xffff);
		c->flags |= C_MUST_FAIL;
		mut_note(c, "transform");
		st = WFP_IPSEC_ADD_ST_TRANSFORM;
		break;
	case 7:
		/* type and config that disagree, or out of range */
		if (sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_CIPHER) {
			sa->cipher_config = 9 + rn(200);
			st = WFP_IPSEC_ADD_ST_CIPHER;
		} else if (sa->transform_type !=
			   WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER) {
			sa->auth_config = 6 + rn(200);
			st = WFP_IPSEC_ADD_ST_AUTH;
		} else {
			sa->auth_type = 6 + rn(200);
		}
		c->flags |= C_MUST_FAIL;
		mut_note(c, "alg-ids");
		break;
	case 8: {
		/* a key blob of the wrong size */
		__u32 *len = sa->transform_type ==
			     WFP_IPSEC_TRANSFORM_ESP_CIPHER || gcm_sa(sa) ?
			     &sa->cipher_key_len : &sa->auth_key_len;
		__u32 old = *len;

		do {
			*len = rn(4) ? rn(WFP_IPSEC_KEY_MAX + 2) :
				       (__u32)r64();
		} while (*len == old);
		c->flags |= C_MUST_FAIL;
		mut_note(c, "key-length");
		st = WFP_IPSEC_ADD_ST_KEY_LENGTH;
		break;
	}
	case 9:
		/*
		 * Only while the blob is still ours: an earlier mutation of
		 * this call may have made the pointer or its length bogus.
		 */
		if (gcm_sa(sa) && sa->auth_key_len &&
		    !key_ptr_bad(sa->auth_key, sa->auth_key_len) &&
		    first_toggle(c, 2)) {
			/* the GCM blob given twice, differently */
			((unsigned char *)(uintptr_t)sa->auth_key)[rn(sa->auth_key_len)] ^= 1;
			c->flags |= C_MUST_FAIL;
			mut_note(c, "gcm-keys-differ");
			st = WFP_IPSEC_ADD_ST_KEY_LENGTH;
		} else {
			sa->spi = rn(256);
			c->flags |= C_MUST_FAIL;
			mut_note(c, "spi<256");
			st = WFP_IPSEC_ADD_ST_SPI;
		}
		break;
	case 10: {
		/* a bogus key pointer: EFAULT if the key is read */
		__u64 *p = rn(2) ? &sa->auth_key : &sa->cipher_key;
		__u32 len = p == &sa->auth_key ? sa->auth_key_len :
			    sa->cipher_key_len;

		*p = bad_ptr(rn(P_KINDS), len ? len : 8);
		c->flags |= C_EFAULT_OK;
		mut_note(c, "bad-key-ptr");
		break;
	}
	case 11:
		if (inbound && x) {
			sa->spi = x->spi_in ^ (1u << rn(32));
			if (sa->spi < 256)
				sa->spi |= 0x100;
			c->flags |= C_MUST_FAIL;
			mut_note(c, "not-the-reserved-spi");
			st = WFP_IPSEC_ADD_ST_SPI;
		}
		break;
	case 12:
		/* NAT-T original address without encapsulation, or on IPv6 */
		if (x && !x->encap) {
			a->bundle.peer_v4_private_addr = htonl(0xc0a80001 + rn(200));
			c->flags |= C_MUST_FAIL;
			mut_note(c, "peer-private-without-encap");
		}
		break;
	default: {
		/* Nor the SPI and key lengths, which an earlier mutation may
		 * have made invalid and a flip valid again.
		 */
		const struct span keep[] = {
			SPAN(struct wfp_ipsec_ctx_add, id),
			{ offsetof(struct wfp_ipsec_ctx_add, bundle) +
			  offsetof(struct wfp_ipsec_bundle, sas[0].spi), 4 },
			{ offsetof(struct wfp_ipsec_ctx_add, bundle) +
			  offsetof(struct wfp_ipsec_bundle, sas[0].auth_key_len), 8 },
			{ offsetof(struct wfp_ipsec_ctx_add, bundle) +
			  offsetof(struct wfp_ipsec_bundle, sas[0].auth_key), 8 },
			{ offsetof(struct wfp_ipsec_ctx_add, bundle) +
			  offsetof(struct wfp_ipsec_bundle, sas[0].cipher_key), 8 },
		};

		flip_byte(c, keep, ARRAY_SIZE(keep));
		break;
	}
	}
	if (st >= 0)
		c->expect_status = c->expect_status == -1 ? st : -2;
	else
		c->expect_status = -2;
}

static void do_add(struct sess *s, struct ctx *prefer, bool inbound)
{
	int nr = inbound ? NR_ADD_IN : NR_ADD_OUT, m = n_mutations(), ret;
	const struct span outs[] = { SPAN(struct wfp_ipsec_ctx_add, status) };
	struct wfp_ipsec_bundle *b;
	struct wfp_ipsec_sa *sa;
	struct call c;
	struct ctx *x;
	bool ah_ok;
	int dir = inbound ? WFP_IPSEC_DIR_INBOUND : WFP_IPSEC_DIR_OUTBOUND;

	call_init(&c, nr);
	c.in.add.id = pick_id(s, prefer, &x, &c.gone);
	b = &c.in.add.bundle;
	sa = &b->sas[0];
	ah_ok = !x || !x->encap;
	gen_sa(sa, ah_ok);
	b->num_sas = 1;
	if (inbound) {
		sa->spi = x && x->spi_in ? x->spi_in : 256 + rn(0xfffffeff);
	} else if (pm(100) && W.nspis) {
		sa->spi = W.spis[rn(W.nspis < ARRAY_SIZE(W.spis) ? W.nspis :
				    ARRAY_SIZE(W.spis))].spi;
	} else {
		do {
			sa->spi = (__u32)r64();
		} while (sa->spi < 256);
	}
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
	if (pm(50))
		c.in.add.status = (__u32)r64();	/* output only */
	while (m--)
		mutate_add(&c, inbound, x);
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s)) {
		int want = inbound ? WFP_IPSEC_CTX_STATE_SPI_SET :
			   WFP_IPSEC_CTX_STATE_INBOUND;

		if (x->state != want)
			set_strict(&c, x, ES(EBUSY));
		else
			set_strict(&c, x, ES(0, EEXIST, ENOPKG, ENOMEM));
	}
	ret = exec_call(&c, s);
	if (!s->ready || s->nocap)
		return;
	if (c.am == AM_RO && x && ctx_certain(x, s)) {
		struct wfp_ipsec_ctx_info i = { .id = x->id };

		/* the reply could not be written: nothing may have changed */
		if (!sys_ioctl(s->fd, WFP_IPSEC_IOC_CTX_GET, &i) &&
		    i.state != (__u32)x->state) {
			fail(nr, "%s failed (read-only argument) but context "
			     "%llu went from state %d to %u: a failed command "
			     "changed something", cmd_name(nr),
			     (unsigned long long)x->id, x->state, i.state);
			x->state = ST_UNKNOWN;
		}
	}
	/* the handler ran (and wrote status) only past the gates */
	if (!(c.flags & C_NO_OUTCHECK) && cmd_nr(c.word) == nr &&
	    !es_has(ES(ENOTTY, EBADFD, EACCES, EFAULT, EBADF), ret)) {
		__u32 st = c.out.add.status;

		/* status is copied out on failure too */
		check_echo(&c, outs, 1);
		if (st > WFP_IPSEC_ADD_ST_SPI)
			fail(nr, "status %u out of range", st);
		if (!ret && st)
			fail(nr, "success with status %u", st);
		if (ret == EINVAL && c.expect_status >= 0 &&
		    cmd_nr(c.word) == nr && c.am != AM_BAD &&
		    st != (__u32)c.expect_status)
			fail(nr, "status %u, the mutation (%s) means %d", st,
			     c.mut, c.expect_status);
		if (ret == EOPNOTSUPP && st != WFP_IPSEC_ADD_ST_NUM_SAS)
			fail(nr, "EOPNOTSUPP with status %u", st);
		if (ret == ENOPKG && st != WFP_IPSEC_ADD_ST_UNAVAILABLE)
			fail(nr, "ENOPKG with status %u", st);
	}
	if (ret || !x)
		return;
	if (key_ptr_bad(sa->auth_key, sa->auth_key_len) && !gcm_sa(sa))
		fail(nr, "succeeded with an unreadable auth key pointer");
	if (key_ptr_bad(sa->cipher_key, sa->cipher_key_len))
		fail(nr, "succeeded with an unreadable cipher key pointer");
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

static void do_get_sa(struct sess *s, struct ctx *prefer)
{
	struct wfp_ipsec_ctx_sa *g;
	struct wfp_ipsec_sa *sa;
	struct call c;
	struct ctx *x;
	int m = n_mutations(), dir = rn(2), ret;
	bool present;

	call_init(&c, NR_GET_SA);
	g = &c.in.gsa;
	g->id = pick_id(s, prefer, &x, &c.gone);
	g->dir = dir;
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(4)) {
		case 0:
			g->dir = 2 + (__u32)rn(0xfffffffd);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "dir");
			break;
		case 1:
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_sa,
						   reserved0), 4);
			break;
		case 2:
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_sa,
						   reserved), sizeof(g->reserved));
			break;
		default:
			/* the bundle is output only and must be zero */
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_sa, bundle),
				      sizeof(g->bundle));
			break;
		}
	}
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s)) {
		if (x->state == WFP_IPSEC_CTX_STATE_EXPIRED) {
			/* inbound lasts for the grace time */
			set_strict(&c, x, dir == WFP_IPSEC_DIR_INBOUND ?
				   ES(0, ENOENT) : ES(ENOENT));
		} else {
			present = dir == WFP_IPSEC_DIR_INBOUND ?
				  x->state >= WFP_IPSEC_CTX_STATE_INBOUND :
				  x->state >= WFP_IPSEC_CTX_STATE_COMPLETE;
			set_strict(&c, x, present ? ES(0) : ES(ENOENT));
		}
	}
	ret = exec_call(&c, s);
	if (ret || (c.flags & C_NO_OUTCHECK) || !s->ready || s->nocap)
		return;
	g = &c.out.gsa;
	sa = &g->bundle.sas[0];
	if (g->id != c.in.gsa.id || g->dir != c.in.gsa.dir || g->reserved0 ||
	    !all_zero(g->reserved, sizeof(g->reserved)))
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
	if (x && ctx_certain(x, s) && x->proto[dir] &&
	    (sa->spi != x->spi[dir] || sa->transform_type != x->tt[dir]))
		fail(NR_GET_SA, "context %llu dir %d: spi 0x%x type %u, added "
		     "0x%x type %u", (unsigned long long)x->id, dir, sa->spi,
		     sa->transform_type, x->spi[dir], x->tt[dir]);
}

static void do_expire(struct sess *s, struct ctx *prefer)
{
	struct call c;
	struct ctx *x;
	int m = n_mutations();

	call_init(&c, NR_EXPIRE);
	c.in.cid.id = pick_id(s, prefer, &x, &c.gone);
	while (m--) {
		if (mutate_common(&c))
			continue;
		poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_id, reserved), 8);
	}
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s))
		set_strict(&c, x, x->state == WFP_IPSEC_CTX_STATE_COMPLETE ?
			   ES(0, ENOMEM) : ES(EBUSY));
	if (exec_call(&c, s) || !x || !s->ready || s->nocap)
		return;
	x->state = WFP_IPSEC_CTX_STATE_EXPIRED;
	x->proto[WFP_IPSEC_DIR_OUTBOUND] = 0;
}

static void do_unsubscribe(struct sess *s);

static void do_subscribe(struct sess *s)
{
	const struct span outs[] = { SPAN(struct wfp_ipsec_subscribe, id) };
	struct wfp_ipsec_subscribe *r;
	struct call c;
	int m = n_mutations(), ret;

	if (s->nsubs == MAX_SUBS) {
		do_unsubscribe(s);
		return;
	}
	call_init(&c, NR_SUBSCRIBE);
	r = &c.in.sub;
	gen_template(&r->local, &r->remote);
	if (pm(50))
		r->id = r64();	/* output only */
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(5)) {
		case 0:
			r->flags = 1u << rn(32);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "flags");
			break;
		case 1:
			poke_reserved(&c, offsetof(struct wfp_ipsec_subscribe,
						   reserved0), 4);
			break;
		case 2:
			poke_reserved(&c, offsetof(struct wfp_ipsec_subscribe,
						   reserved), sizeof(r->reserved));
			break;
		case 3:
			break_subnet(rn(2) ? &r->local : &r->remote);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "subnet");
			break;
		default:
			memset(&r->local, 0, sizeof(r->local));
			memset(&r->remote, 0, sizeof(r->remote));
			r->local.ip_version = WFP_IPSEC_IPV6;
			r->remote.ip_version = WFP_IPSEC_IPV4;
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "versions-differ");
			break;
		}
	}
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
	check_echo(&c, outs, 1);
	if (c.out.sub.id <= W.ns[s->ns].last_sub_id)
		fail(NR_SUBSCRIBE, "subscription id %llu not new (last %llu)",
		     (unsigned long long)c.out.sub.id,
		     (unsigned long long)W.ns[s->ns].last_sub_id);
	W.ns[s->ns].last_sub_id = c.out.sub.id;
	s->sub_l[s->nsubs] = c.in.sub.local;
	s->sub_r[s->nsubs] = c.in.sub.remote;
	s->subs[s->nsubs++] = c.out.sub.id;
}

static void do_unsubscribe(struct sess *s)
{
	struct call c;
	int m = n_mutations(), which = -1;
	bool mine = false;

	call_init(&c, NR_UNSUBSCRIBE);
	if (s->nsubs && pm(600)) {
		which = rn(s->nsubs);
		c.in.cid.id = s->subs[which];
		mine = true;
	} else if (pm(500)) {
		/* a subscription of another session, or a removed one */
		struct sess *o = sess_any();

		c.in.cid.id = o && o != s && o->nsubs ? o->subs[rn(o->nsubs)] :
			      ring_pick(W.stale_subs, W.nstale_subs);
	} else {
		c.in.cid.id = pm(500) ? 0 : r64();
	}
	while (m--) {
		if (mutate_common(&c))
			continue;
		poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_id, reserved), 8);
	}
	if (!(c.flags & C_MUTATED) && !W.relaxed && !s->ghost_subs)
		set_strict(&c, NULL, mine ? ES(0) : ES(ENOENT));
	else if (!mine)
		c.flags |= C_MUST_FAIL;
	if (exec_call(&c, s) || !mine)
		return;
	ring_put(W.stale_subs, &W.nstale_subs, s->subs[which]);
	s->nsubs--;
	s->subs[which] = s->subs[s->nsubs];
	s->sub_l[which] = s->sub_l[s->nsubs];
	s->sub_r[which] = s->sub_r[s->nsubs];
}

static void do_stats(struct sess *s)
{
	struct wfp_ipsec_stats *st;
	struct call c;
	int m = n_mutations();

	call_init(&c, NR_STATS);
	memset(&c.in, 0xa5, sizeof(c.in));
	while (m--)
		mutate_common(&c);
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    s->nocap)
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

static void do_update(struct sess *s, struct ctx *prefer)
{
	struct wfp_ipsec_ctx_update *u;
	struct call c;
	struct ctx *x;
	int m = n_mutations();
	bool ah, encap_after;

	call_init(&c, NR_UPDATE);
	u = &c.in.upd;
	u->id = pick_id(s, prefer, &x, &c.gone);
	ah = x && (x->proto[0] == IPPROTO_AH || x->proto[1] == IPPROTO_AH);
	if (pm(500)) {
		u->flags |= WFP_IPSEC_UPD_F_TRAFFIC;
		if (x) {
			u->traffic = x->t;
			pool_addr(x->t.ip_version, rn(2), rn(2) ?
				  u->traffic.local_addr : u->traffic.remote_addr);
			if (pm(300))
				gen_traffic(&u->traffic, x->t.ip_version,
					    x->t.traffic_type);
		} else {
			gen_traffic(&u->traffic, 0, -1);
		}
	}
	if (pm(400) && (!x || x->t.ip_version == WFP_IPSEC_IPV4)) {
		u->flags |= WFP_IPSEC_UPD_F_UDP_ENCAP;
		if (!ah && pm(600)) {
			u->encap = 1;
			u->encap_local_port = htons(pm(500) ? 4500 : 1 + rn(65535));
			u->encap_remote_port = htons(pm(500) ? 4500 : 1 + rn(65535));
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
	while (m--) {
		if (mutate_common(&c))
			continue;
		switch (rn(9)) {
		case 0:
			poke_reserved(&c, offsetof(struct wfp_ipsec_ctx_update,
						   reserved), sizeof(u->reserved));
			break;
		case 1:
			u->flags |= 1ULL << (rn(2) ? 4 + rn(2) : 7 + rn(57));
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "flags");
			break;
		case 2:
			/* traffic given without its flag */
			if (!(u->flags & WFP_IPSEC_UPD_F_TRAFFIC)) {
				gen_traffic(&u->traffic, 0, -1);
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "traffic-without-flag");
			}
			break;
		case 3:
			if (u->flags & WFP_IPSEC_UPD_F_TRAFFIC) {
				break_traffic(&u->traffic);
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "traffic");
			}
			break;
		case 4:
			/* encapsulation fields that do not agree */
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
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "encap");
			break;
		case 5:
			/* another IP version or type: EXDEV */
			if (x) {
				u->flags |= WFP_IPSEC_UPD_F_TRAFFIC;
				gen_traffic(&u->traffic,
					    x->t.ip_version == WFP_IPSEC_IPV4 ?
					    WFP_IPSEC_IPV6 : WFP_IPSEC_IPV4, -1);
				if (u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP) {
					u->flags &= ~WFP_IPSEC_UPD_F_UDP_ENCAP;
					u->encap = 0;
					u->encap_local_port = 0;
					u->encap_remote_port = 0;
				}
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "other-version");
			}
			break;
		case 6:
			/* encapsulation fields without the flag */
			if (!(u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP)) {
				u->encap_remote_port = htons(1 + rn(65535));
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "encap-without-flag");
			}
			break;
		case 7:
			/* a bundle record without its flag */
			if (!(u->flags & WFP_IPSEC_UPD_F_MM_SA_ID)) {
				u->mm_sa_id[rn(2)] = 1 + (r64() >> 1);
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "record-without-flag");
			}
			break;
		default: {
			const struct span keep[] = {
				SPAN(struct wfp_ipsec_ctx_update, id),
			};

			flip_byte(&c, keep, 1);
			break;
		}
		}
	}
	encap_after = u->flags & WFP_IPSEC_UPD_F_UDP_ENCAP ? u->encap :
		      x && x->encap;
	if (!(c.flags & C_MUTATED) && ctx_certain(x, s)) {
		if (x->state != WFP_IPSEC_CTX_STATE_INBOUND &&
		    x->state != WFP_IPSEC_CTX_STATE_COMPLETE)
			set_strict(&c, x, ES(EBUSY));
		else if (x->peer_priv && !encap_after)
			/* the NAT-T address needs the encapsulation */
			set_strict(&c, x, ES(EINVAL));
		else
			set_strict(&c, x, ES(0, EEXIST, ENOMEM, ENOSPC));
	}
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

static void do_rights_get(struct sess *s)
{
	struct wfp_ipsec_rights *r;
	struct call c;
	int m = n_mutations();
	__u32 i;

	call_init(&c, NR_RIGHTS_GET);
	memset(&c.in, 0xa5, sizeof(c.in));
	while (m--)
		mutate_common(&c);
	if (exec_call(&c, s) || (c.flags & C_NO_OUTCHECK) || !s->ready ||
	    s->nocap)
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

/*
 * Grants change what sessions without the capability may do, so only
 * namespaces of this worker get valid tables; in the initial namespace
 * every RIGHTS_SET is malformed on purpose.
 */
static void do_rights_set(struct sess *s)
{
	struct wfp_ipsec_rights *r;
	struct call c;
	int m, i;
	bool init_ns = s->ns == 0;

	call_init(&c, NR_RIGHTS_SET);
	r = &c.in.rights;
	r->count = rn(WFP_IPSEC_GRANTS_MAX + 1);
	for (i = 0; i < (int)r->count; i++) {
		r->grants[i].kind = 1 + rn(2);
		r->grants[i].id = pm(300) ? 0 : pm(300) ? 65534 : rn(0x7fffffff);
		do {
			r->grants[i].rights = (__u32)r64() & __WFP_IPSEC_RIGHT_ALL;
		} while (!r->grants[i].rights);
	}
	if (init_ns) {
		r->count = WFP_IPSEC_GRANTS_MAX + 1 + rn(1000);
		r->reserved0 = 1;
		c.flags |= C_MUST_FAIL | C_MUTATED;
		mut_note(&c, "forced-invalid");
	}
	m = n_mutations();
	while (m--) {
		if (mutate_common(&c))
			continue;
		if (init_ns)
			continue;
		switch (rn(6)) {
		case 0:
			poke_reserved(&c, offsetof(struct wfp_ipsec_rights,
						   reserved0), 4);
			break;
		case 1:
			r->count = WFP_IPSEC_GRANTS_MAX + 1 + rn(0xffff);
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "huge-count");
			break;
		case 2:
			/* a grant past count */
			if (r->count < WFP_IPSEC_GRANTS_MAX) {
				r->grants[r->count + rn(WFP_IPSEC_GRANTS_MAX -
						       r->count)].rights = 1;
				c.flags |= C_MUST_FAIL;
				mut_note(&c, "grant-past-count");
			}
			break;
		default:
			/* an earlier "huge-count" leaves count past the array */
			if (!r->count)
				break;
			i = rn(r->count < WFP_IPSEC_GRANTS_MAX ? r->count :
			       WFP_IPSEC_GRANTS_MAX);
			switch (rn(4)) {
			case 0:
				r->grants[i].kind = rn(2) ? 0 : 3 + rn(100);
				break;
			case 1:
				r->grants[i].rights = rn(2) ? 0 :
					r->grants[i].rights | 1u << (17 + rn(15));
				break;
			case 2:
				r->grants[i].reserved = 1 + rn(100);
				break;
			default:
				r->grants[i].id = ~0u;	/* no such id */
				break;
			}
			c.flags |= C_MUST_FAIL;
			mut_note(&c, "grant");
			break;
		}
	}
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

#ifdef WFP_IPSEC_IOC_CTX_ADD_BATCH
/*
 * CTX_ADD_BATCH (0x14): complete contexts in one call, each entry all or
 * nothing with the result the four single commands would give.  A fault
 * in an entry fails that entry at its step; a reserved field or flag
 * anywhere, a bad size or count refuses the whole call before anything
 * is done.
 */

/* An entry's error must be one the failing single command could give. */
static eset batch_step_set(__u32 step)
{
	switch (step) {
	case WFP_IPSEC_BATCH_STEP_CREATE:
		return ES(EINVAL, ENOSPC, ENOMEM);
	case WFP_IPSEC_BATCH_STEP_SPI:
		return ES(EINVAL, EEXIST, ENOSPC, ERANGE, ENOMEM, EINTR);
	case WFP_IPSEC_BATCH_STEP_INBOUND:
	case WFP_IPSEC_BATCH_STEP_OUTBOUND:
		return ES(EINVAL, ENOPKG, EOPNOTSUPP, ESRCH, EEXIST, ENOMEM);
	}
	return ES(0);
}

/* A fault in one entry: which step must then fail, and how. */
static int batch_mutate_entry(struct wfp_ipsec_batch_entry *e, int *status)
{
	struct wfp_ipsec_sa *sa;

	*status = -1;
	switch (rn(5)) {
	case 0: {
		struct wfp_ipsec_traffic t;

		/* traffic.reserved* are the call's business: not those */
		do {
			t = e->traffic;
			break_traffic(&t);
		} while (t.reserved0 || t.reserved1);
		e->traffic = t;
		return WFP_IPSEC_BATCH_STEP_CREATE;
	}
	case 1:
		e->inbound_spi = 1 + rn(255);
		e->inbound.sas[0].spi = 0;
		return WFP_IPSEC_BATCH_STEP_SPI;
	case 2:
		/* an inbound SA naming another SPI than the reserved one */
		e->inbound_spi = 0x1000 + rn(0x10000);
		e->inbound.sas[0].spi = e->inbound_spi + 1;
		*status = WFP_IPSEC_ADD_ST_SPI;
		return WFP_IPSEC_BATCH_STEP_INBOUND;
	case 3:
		sa = rn(2) ? &e->inbound.sas[0] : &e->outbound.sas[0];
		if (sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_CIPHER ||
		    gcm_sa(sa))
			sa->cipher_key_len += 1 + rn(8);
		else
			sa->auth_key_len += 1 + rn(8);
		*status = WFP_IPSEC_ADD_ST_KEY_LENGTH;
		return sa == &e->inbound.sas[0] ? WFP_IPSEC_BATCH_STEP_INBOUND :
		       WFP_IPSEC_BATCH_STEP_OUTBOUND;
	default:
		e->outbound.num_sas = 2;
		*status = WFP_IPSEC_ADD_ST_NUM_SAS;
		return WFP_IPSEC_BATCH_STEP_OUTBOUND;
	}
}

static void do_batch(struct sess *s)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_batch, done),
		SPAN(struct wfp_ipsec_ctx_batch, succeeded),
	};
	struct wfp_ipsec_ctx_batch *b;
	struct wfp_ipsec_batch_entry *e;
	unsigned int n = pm(850) ? 1 + rn(8) : 1 + rn(BATCH_N), i, ok = 0;
	size_t esz = sizeof(*e);
	bool ro = false, whole = false;
	signed char estep[BATCH_N];	/* -1 clean, else the step that fails */
	signed char estatus[BATCH_N];
	int m = n_mutations(), ret, st, k;
	struct call c;

	if (pm(100))
		esz += 8 * (1 + rn(4));	/* a newer caller's entries, zero tail */
	memset(W.batchbuf, 0, (size_t)n * esz);
	for (i = 0; i < n; i++) {
		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + i * esz);
		estep[i] = -1;
		estatus[i] = -1;
		gen_traffic(&e->traffic, 0, -1);
		if (pm(500))
			do {
				e->inbound_spi = (__u32)r64();
			} while (e->inbound_spi < 256);
		/* each entry its own keys: GCM blobs must stay equal */
		W.keycur = W.batchkeys + i * 512;
		gen_sa(&e->inbound.sas[0], true);
		e->inbound.num_sas = 1;
		e->inbound.sas[0].spi = e->inbound_spi && pm(500) ?
					e->inbound_spi : 0;
		W.keycur += 256;
		gen_sa(&e->outbound.sas[0], true);
		e->outbound.num_sas = 1;
		do {
			e->outbound.sas[0].spi = (__u32)r64();
		} while (e->outbound.sas[0].spi < 256);
		if (!W.no_mutate && !W.det && pm(30))
			e->outbound.lifetime_seconds = 1 + rn(4);
	}
	W.keycur = W.keybuf;

	call_init(&c, NR_BATCH);
	b = &c.in.batch;
	b->entries = (__u64)(uintptr_t)W.batchbuf;
	b->count = n;
	b->entry_size = esz;
	if (pm(50)) {
		b->done = (__u32)r64();		/* output only */
		b->succeeded = (__u32)r64();
	}
	while (m--) {
		if (mutate_common(&c))
			continue;
		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + rn(n) * esz);
		switch (rn(12)) {
		case 0:
		case 1:
		case 2:
			i = ((unsigned char *)e - W.batchbuf) / esz;
			k = batch_mutate_entry(e, &st);
			/* two faults in one entry: the earlier step reports */
			if (estep[i] >= 0) {
				if (k == estep[i])
					st = -1;
				else if (k > estep[i]) {
					k = estep[i];
					st = estatus[i];
				}
			}
			estep[i] = k;
			estatus[i] = st;
			mut_note(&c, "entry");
			break;
		case 3:
			switch (rn(3)) {
			case 0:
				b->flags = 1u << rn(32);
				break;
			case 1:
				b->reserved0 = 1 + rn(100);
				break;
			default:
				b->reserved[rn(2)] = 1ULL << rn(64);
				break;
			}
			whole = true;
			mut_note(&c, "reserved/flags");
			break;
		case 4:
			/* reserved fields and flags inside an entry */
			switch (rn(5)) {
			case 0:
				e->flags = 1u << rn(32);
				break;
			case 1:
				e->reserved[rn(2)] = 1ULL << rn(64);
				break;
			case 2:
				e->traffic.reserved1 = 1 + rn(100);
				break;
			case 3:
				e->inbound.reserved0 = 1 + rn(100);
				break;
			default:
				e->outbound.sas[rn(2)].reserved1 = 1 + rn(100);
				break;
			}
			whole = true;
			mut_note(&c, "entry-reserved");
			break;
		case 5:
			b->count = rn(2) ? 0 : WFP_IPSEC_BATCH_MAX + 1 + rn(0xffff);
			whole = true;
			mut_note(&c, "count");
			break;
		case 6:
			/* below the ABI 1 entry, unaligned, above a page */
			b->entry_size = rn(3) == 0 ? sizeof(*e) - 8 * (1 + rn(4)) :
					rn(2) ? sizeof(*e) + 1 + rn(7) :
					4096 + 8 * (1 + rn(99));
			whole = true;
			mut_note(&c, "entry-size");
			break;
		case 7:
			if (esz > sizeof(*e)) {
				/* bytes of a later ABI the module cannot honour */
				((unsigned char *)e)[sizeof(*e) + rn(esz - sizeof(*e))] =
					1 + rn(255);
				whole = true;
				mut_note(&c, "entry-tail");
			}
			break;
		case 8:
			b->entries = bad_ptr(rn(P_KINDS), (size_t)n * esz);
			c.flags |= C_EFAULT_OK;
			mut_note(&c, "bad-entries-ptr");
			break;
		case 9:
			/* entries readable, results not writable */
			ro = true;
			c.flags |= C_EFAULT_OK;
			mut_note(&c, "read-only-entries");
			break;
		case 10:
			e->id = r64();		/* output fields, ignored */
			e->error = (__u32)r64();
			e->step = (__u32)r64();
			break;
		default:
			b->done = 0;
			break;
		}
	}
	if (whole)
		c.flags |= C_MUST_FAIL;
	if (!(c.flags & C_MUTATED) && s->ready && !s->nocap)
		set_strict(&c, NULL, s->dynamic ? ES(EPERM) : ES(0, ENOMEM));
	if (s->dynamic)
		c.flags |= C_MUST_FAIL;
	if (ro && mprotect(W.batchbuf, BATCH_BUF, PROT_READ))
		abort();
	ret = exec_call(&c, s);
	if (ro && mprotect(W.batchbuf, BATCH_BUF, PROT_READ | PROT_WRITE))
		abort();
	if (!s->ready || s->nocap)
		return;
	if (ro || (c.am == AM_RO && ret == EFAULT)) {
		/* contexts whose ids could not be written back are ours */
		probe_ghost_contexts(s, c.am == AM_RO && !ro ? NR_BATCH : 0);
		return;
	}
	/* the reply is the handler's only past the dispatcher's gates */
	if ((c.flags & C_NO_OUTCHECK) || cmd_nr(c.word) != NR_BATCH ||
	    es_has(ES(ENOTTY, EBADFD, EACCES, EBADF), ret))
		return;
	b = &c.out.batch;
	check_echo(&c, outs, ARRAY_SIZE(outs));
	if (ret) {
		/* refused as a whole: nothing done */
		if (ret != EFAULT && (b->done || b->succeeded))
			fail(NR_BATCH, "%s with done %u succeeded %u", ename(ret),
			     b->done, b->succeeded);
		if (ret == EFAULT)
			probe_ghost_contexts(s, 0);
		return;
	}
	if (b->done != n)
		fail(NR_BATCH, "done %u of %u without a signal", b->done, n);
	for (i = 0; i < n && i < b->done; i++) {
		struct known *k;
		struct ctx *x;

		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + i * esz);
		if (e->error) {
			if (e->id || e->spi || e->step < WFP_IPSEC_BATCH_STEP_CREATE ||
			    e->step > WFP_IPSEC_BATCH_STEP_OUTBOUND)
				fail(NR_BATCH, "entry %u: error %s with id %llu spi %u "
				     "step %u", i, ename(e->error),
				     (unsigned long long)e->id, e->spi, e->step);
			else if (!es_has(batch_step_set(e->step), e->error))
				fail(NR_BATCH, "entry %u: %s at step %u", i,
				     ename(e->error), e->step);
			if (estep[i] < 0 && !es_has(ES(EEXIST, ENOPKG, ENOMEM,
						       ENOSPC), e->error))
				fail(NR_BATCH, "valid entry %u failed: %s at step "
				     "%u (status %u)", i, ename(e->error), e->step,
				     e->add_status);
			if (estep[i] >= 0 && e->error == EINVAL &&
			    (e->step != (__u32)estep[i] ||
			     (estatus[i] >= 0 &&
			      e->add_status != (__u32)estatus[i])))
				fail(NR_BATCH, "entry %u: EINVAL at step %u status "
				     "%u, the fault means step %d status %d", i,
				     e->step, e->add_status, estep[i], estatus[i]);
			continue;
		}
		ok++;
		if (estep[i] >= 0)
			fail(NR_BATCH, "entry %u installed despite a fault for "
			     "step %d", i, estep[i]);
		if (e->step || e->add_status || e->spi < 256 ||
		    (e->inbound_spi && e->spi != e->inbound_spi))
			fail(NR_BATCH, "entry %u: step %u status %u spi 0x%x "
			     "(asked 0x%x)", i, e->step, e->add_status, e->spi,
			     e->inbound_spi);
		if (!e->id || e->id <= W.ns[s->ns].last_ctx_id ||
		    known_find(e->id)) {
			fail(NR_BATCH, "entry %u: id %llu not new", i,
			     (unsigned long long)e->id);
			continue;
		}
		W.ns[s->ns].last_ctx_id = e->id;
		g_res->contexts++;
		k = known_add(e->id);
		k->ns = s->ns;
		k->creator = s->sid;
		k->ver = e->traffic.ip_version;
		memcpy(k->local, e->traffic.local_addr, 16);
		memcpy(k->remote, e->traffic.remote_addr, 16);
		if (W.nctx == MAX_CTX)
			continue;
		x = &W.ctx[W.nctx++];
		memset(x, 0, sizeof(*x));
		x->id = e->id;
		x->ns = s->ns;
		x->creator = s->sid;
		x->state = WFP_IPSEC_CTX_STATE_COMPLETE;
		x->t = e->traffic;
		x->spi_in = e->spi;
		x->vol = e->inbound.lifetime_seconds || e->outbound.lifetime_seconds;
		for (st = 0; st < 2; st++) {
			const struct wfp_ipsec_sa *sa = st == WFP_IPSEC_DIR_INBOUND ?
				&e->inbound.sas[0] : &e->outbound.sas[0];

			x->proto[st] = sa->transform_type == WFP_IPSEC_TRANSFORM_AH ?
				       IPPROTO_AH : IPPROTO_ESP;
			x->tt[st] = sa->transform_type;
			x->spi[st] = st == WFP_IPSEC_DIR_INBOUND ? e->spi : sa->spi;
		}
		spi_reserved(x);
	}
	if (b->succeeded != ok)
		fail(NR_BATCH, "succeeded %u, %u entries have no error",
		     b->succeeded, ok);
}
#else
static void do_batch(struct sess *s)
{
	(void)s;
}
#endif

/* A command word nobody defines: always ENOTTY, whatever the session. */
static void do_random_cmd(struct sess *s)
{
	struct call c;

#ifdef WFP_IPSEC_IOC_BENCH_XFRM
	if (pm(100)) {
		/* a build option: unknown unless built in; 0 cycles refused */
		struct wfp_ipsec_bench_xfrm bx;
		int ret;

		memset(&bx, 0, sizeof(bx));
		ret = sys_ioctl(s->fd, WFP_IPSEC_IOC_BENCH_XFRM, &bx);
		if (!es_has(ES(ENOTTY, EBADFD, EINVAL, EPERM), ret) &&
		    !(W.closing && ret == EBADF))
			fail(0, "BENCH_XFRM with 0 cycles: %s", ename(ret));
		return;
	}
#endif

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

/*
 * After a CTX_CREATE (or batch) that failed because its reply could not
 * be written: every context this session created must be one the worker
 * knows.  nr 0: adopt them quietly (a batch whose per-entry results could
 * not be written back made them, as its documentation says).
 */
static void probe_ghost_contexts(struct sess *s, int nr)
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
			struct known *k;

			if (x->creator_session_id != s->sid || known_find(x->id))
				continue;
			if (nr)
				fail(nr, "%s failed (read-only argument) but "
				     "created context %llu: a failed command "
				     "changed something", cmd_name(nr),
				     (unsigned long long)x->id);
			k = known_add(x->id);
			k->ns = s->ns;
			k->creator = s->sid;
			k->ver = x->traffic.ip_version;
			memcpy(k->local, x->traffic.local_addr, 16);
			memcpy(k->remote, x->traffic.remote_addr, 16);
		}
		if (e.count < ENUM_BUF)
			return;
		cursor = e.cursor;
	}
}

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
			fail(NR_SUBSCRIBE, "SUBSCRIBE failed (read-only argument) "
			     "but left subscription %llu: a failed command "
			     "changed something", (unsigned long long)id);
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

/* --------------------------------------------------------------- events */

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

/* poll() then read(): records whole, zero padding, ours, never our own. */
static void do_events(struct sess *s)
{
	struct wfp_ipsec_event ev[16];
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	size_t len = sizeof(ev);
	unsigned char *buf = (unsigned char *)ev;
	int n, polled, i, which;
	bool bad = false;
	ssize_t got;

	polled = poll(&p, 1, 0);
	if (polled < 0) {
		fail(0, "poll: %s", strerror(errno));
		return;
	}
	switch (rn(10)) {
	case 0:
		len = rn(sizeof(*ev));	/* smaller than a record: EINVAL */
		break;
	case 1:
		len = sizeof(*ev) + rn(sizeof(*ev));	/* whole records only */
		break;
	case 2:
		buf = (unsigned char *)(uintptr_t)bad_ptr(rn(P_KINDS), len);
		bad = true;
		break;
	case 3:
		buf += 1 + rn(7);
		len -= 8;
		break;
	}
	memset(ev, 0xa5, sizeof(ev));
	got = read(s->fd, buf, len);
	if (got < 0) {
		int e = errno;

		/* the size is checked first; a bad buffer loses a record */
		if (len < sizeof(*ev) ? e != EINVAL :
		    !(e == EAGAIN || (e == EFAULT && bad)))
			fail(0, "read(%zu) of session %llu: %s", len,
			     (unsigned long long)s->sid, ename(e));
		if (e == EAGAIN && (p.revents & POLLIN) && !bad)
			fail(0, "poll reported events, read found none");
		return;
	}
	if (len < sizeof(*ev) || (got % sizeof(*ev)) || (size_t)got > len) {
		fail(0, "read(%zu) returned %zd", len, got);
		return;
	}
	if (bad) {
		/* whole records may fit before a straddling buffer's fault */
		if ((size_t)got > usable_prefix((uintptr_t)buf))
			fail(0, "read into a bad pointer returned %zd", got);
		return;
	}
	g_res->events += got / sizeof(*ev);
	n = got / sizeof(*ev);
	for (i = 0; i < n; i++) {
		struct wfp_ipsec_event e;
		struct known *k;

		memcpy(&e, buf + i * sizeof(e), sizeof(e));
		if (e.reserved0)
			fail(0, "event: reserved0 0x%x", e.reserved0);
		if (!sess_has_sub(s, e.subscription, &which)) {
			if (!s->ghost_subs)
				fail(0, "event for subscription %llu, not one of "
				     "session %llu", (unsigned long long)e.subscription,
				     (unsigned long long)s->sid);
			which = -1;
		}
		if (e.type == WFP_IPSEC_EVENT_OVERFLOW) {
			if (e.context || !e.dropped)
				fail(0, "overflow record: context %llu dropped %llu",
				     (unsigned long long)e.context,
				     (unsigned long long)e.dropped);
			continue;
		}
		if (e.type != WFP_IPSEC_EVENT_ADD &&
		    e.type != WFP_IPSEC_EVENT_DELETE) {
			fail(0, "event type %u", e.type);
			continue;
		}
		if (!e.context || e.dropped)
			fail(0, "event: context %llu dropped %llu",
			     (unsigned long long)e.context,
			     (unsigned long long)e.dropped);
		k = known_find(e.context);
		if (!k)
			continue;
		if (k->ns != s->ns)
			fail(0, "event for context %llu of another namespace",
			     (unsigned long long)e.context);
		if (e.type == WFP_IPSEC_EVENT_ADD && k->creator == s->sid)
			fail(0, "ADD of context %llu reported to the session "
			     "that created it", (unsigned long long)e.context);
		if (e.type == WFP_IPSEC_EVENT_DELETE && k->deleted_by == s->sid)
			fail(0, "DELETE of context %llu reported to the session "
			     "that deleted it", (unsigned long long)e.context);
		if (e.type == WFP_IPSEC_EVENT_ADD && which >= 0 &&
		    (!subnet_match(&s->sub_l[which], k->ver, k->local) ||
		     !subnet_match(&s->sub_r[which], k->ver, k->remote)))
			fail(0, "ADD of context %llu does not match subscription "
			     "%llu's template", (unsigned long long)e.context,
			     (unsigned long long)e.subscription);
	}
}

/* --------------------------------------------------- racing episodes */

struct racer {
	int fd;
	unsigned int delay_us;
	struct rng rng;
	__u64 ids[16];
	int nids;
	bool deleted[16], expired[16];
	struct tstats st;
	uint64_t fails_before;
};

/* Closes the descriptor while the main thread has ioctls in flight. */
static void *race_closer(void *arg)
{
	struct racer *r = arg;

	usleep(r->delay_us);
	close(r->fd);
	return NULL;
}

/*
 * Works on the same session concurrently: deletes, expires and reads a
 * snapshot of the worker's contexts.  Only the generic sets apply.
 */
static void *race_worker(void *arg)
{
	struct racer *r = arg;
	int i, k, ret;

	TS = &r->st;
	T_TAG = " (racing thread)";
	for (i = 0; i < 24; i++) {
		union args a;
		int nr;

		k = rng_next(&r->rng) % r->nids;
		memset(&a, 0, sizeof(a));
		switch (rng_next(&r->rng) % 4) {
		case 0:
			nr = NR_DELETE;
			a.cid.id = r->ids[k];
			break;
		case 1:
			nr = NR_EXPIRE;
			a.cid.id = r->ids[k];
			break;
		case 2:
			nr = NR_GET;
			a.get.id = r->ids[k];
			break;
		default:
			nr = NR_GET_SA;
			a.gsa.id = r->ids[k];
			a.gsa.dir = rng_next(&r->rng) & 1;
			break;
		}
		ret = sys_ioctl(r->fd, cmds[nr].cmd, &a);
		if (!es_has(gen_set(nr), ret))
			fail(nr, "racing thread: got %s", ename(ret));
		if (!ret && nr == NR_DELETE)
			r->deleted[k] = true;
		if (!ret && nr == NR_EXPIRE)
			r->expired[k] = true;
		if (!ret && nr == NR_GET) {
			if (a.get.reserved1 || !all_zero(a.get.reserved,
							 sizeof(a.get.reserved)))
				fail(nr, "racing thread: reserved not zero");
		}
	}
	return NULL;
}

static void merge_stats(const struct tstats *t)
{
	int i;

	W.st.calls += t->calls;
	W.st.fails += t->fails;
	for (i = 0; i < 128; i++)
		W.st.by_errno[i] += t->by_errno[i];
	for (i = 0; i < NR_SLOTS; i++) {
		W.st.ns_by_nr[i] += t->ns_by_nr[i];
		W.st.n_by_nr[i] += t->n_by_nr[i];
	}
}

static void race_episode(void)
{
	struct sess *s = sess_normal(rn(3) ? 0 : (int)rn(W.nns));
	struct racer r;
	pthread_t t;
	int i, steps;
	bool closing = pm(500);

	if (!s)
		s = sess_normal(0);
	if (!s)
		return;
	memset(&r, 0, sizeof(r));
	r.fd = s->fd;
	rng_seed(&r.rng, r64());
	g_res->races++;
	if (closing) {
		r.delay_us = rn(400);
		if (pthread_create(&t, NULL, race_closer, &r))
			return;
		W.relaxed = true;
		W.closing = true;
		/* the main thread keeps calling; EBADF once the fd is gone */
		for (steps = 0; steps < 12; steps++)
			one_op(s);
		pthread_join(t, NULL);
		W.relaxed = false;
		W.closing = false;
		/* the descriptor is closed: forget the session */
		sess_forget(s);
		return;
	}
	for (i = 0; i < W.nctx && r.nids < 16; i++)
		if (W.ctx[i].ns == s->ns)
			r.ids[r.nids++] = W.ctx[i].id;
	if (!r.nids || s->dynamic)
		return;
	if (pthread_create(&t, NULL, race_worker, &r))
		return;
	W.relaxed = true;
	for (steps = 0; steps < 12; steps++)
		one_op(s);
	pthread_join(t, NULL);
	W.relaxed = false;
	merge_stats(&r.st);
	for (i = 0; i < r.nids; i++) {
		struct ctx *x = ctx_find(r.ids[i]);

		if (!x)
			continue;
		if (r.deleted[i])
			ctx_deleted(x, s->sid);
		else if (r.expired[i]) {
			x->state = WFP_IPSEC_CTX_STATE_EXPIRED;
			x->proto[WFP_IPSEC_DIR_OUTBOUND] = 0;
		}
	}
}

/* ----------------------------------------------------- namespaces */

/*
 * A session in a new network namespace, entered and left again: the
 * namespace lives as long as its sessions, and dies with its contexts
 * and SAs when the last one closes.
 */
static void ns_sessions(void)
{
	struct sess *s;
	int tag, i, n = 1 + rn(2);
	__u64 cookie;

	if (alive_foreign_ns() >= 2 || !sess_slot())
		return;
	if (unshare(CLONE_NEWNET)) {
		fail(0, "unshare(CLONE_NEWNET): %s", strerror(errno));
		return;
	}
	cookie = cookie_here();
	tag = ns_new(cookie);
	for (i = 0; i < n; i++) {
		s = sess_open(tag, false);
		if (s)
			do_hello(s, true);
	}
	if (setns(W.home_ns, CLONE_NEWNET))
		abort();
	g_res->ns_sessions++;
	if (!W.ns[tag].nsess)
		W.ns[tag].alive = false;
}

static void worker_loop(void);

/*
 * A child process keys a new namespace, reports the ids it made and
 * exits holding everything: the namespace dies with live contexts, SAs
 * and policies.  Its ids become "another namespace's" for the worker.
 */
static void ns_child(void)
{
	int pfd[2], i, tag, status = 0;
	uint64_t left = W.budget - TS->calls, calls;
	ssize_t n;
	pid_t pid;
	struct {
		uint64_t calls, fails, by_errno[128];
		__u64 ids[128];
		int nids;
	} rep;

	if (left < 40 || pipe(pfd))
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		close(pfd[0]);
		W.in_child = true;
		/* the parent's sessions are not ours to use */
		for (i = 0; i < MAX_SESS; i++)
			W.sess[i].fd = -1;
		W.nctx = 0;
		memset(&W.st, 0, sizeof(W.st));
		if (unshare(CLONE_NEWNET))
			_exit(1);
		tag = ns_new(cookie_here());
		W.child_ns = tag;
		for (i = 0; i < 2; i++) {
			struct sess *s = sess_open(tag, false);

			if (s)
				do_hello(s, true);
		}
		W.budget = 20 + rn(left / 2 < 200 ? left / 2 : 200);
		worker_loop();
		memset(&rep, 0, sizeof(rep));
		rep.calls = W.st.calls;
		rep.fails = W.st.fails;
		memcpy(rep.by_errno, W.st.by_errno, sizeof(rep.by_errno));
		for (i = 0; i < W.nctx && rep.nids < 128; i++)
			rep.ids[rep.nids++] = W.ctx[i].id;
		if (write(pfd[1], &rep, sizeof(rep)) != sizeof(rep))
			_exit(1);
		/* exit with the sessions open: the kernel closes them */
		_exit(0);
	}
	close(pfd[1]);
	g_res->child = pid;
	memset(&rep, 0, sizeof(rep));
	n = read(pfd[0], &rep, sizeof(rep));
	close(pfd[0]);
	waitpid(pid, &status, 0);
	g_res->child = 0;
	if (n != sizeof(rep)) {
		/*
		 * Only bookkeeping is lost: the child's ids stay out of the
		 * foreign pool.  What the kernel did is still judged by the
		 * errno oracle, the console scan and the end-of-run checks.
		 */
		ksft_print_msg("fuzz: namespace child %d sent no report (wait status %#x)\n",
			       (int)pid, status);
		return;
	}
	calls = rep.calls;
	W.st.calls += calls;
	W.st.fails += rep.fails;
	for (i = 0; i < 128; i++)
		W.st.by_errno[i] += rep.by_errno[i];
	for (i = 0; i < rep.nids && i < 128; i++)
		ring_put(W.foreign, &W.nforeign, rep.ids[i]);
	g_res->ns_children++;
}

/* --------------------------------------------------------- the loop */

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
static void one_op(struct sess *only)
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

static void worker_loop(void)
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

/*
 * Left behind at the end: a context just created, and one complete,
 * whose session then closes with the worker's exit.  contexts.rst says
 * they outlive it; the parent checks.
 */
static void make_survivors(void)
{
	struct sess *s;
	struct ctx *x;
	int i, tries;

	for (i = 0; i < MAX_SESS; i++)
		if (W.sess[i].fd >= 0)
			sess_close(&W.sess[i]);
	W.no_mutate = true;
	s = sess_open(0, false);
	if (!s)
		return;
	do_hello(s, true);
	if (!s->ready)
		return;
	for (i = 0; i < 2; i++) {
		W.nctx = 0;	/* room in the pool */
		x = do_create(s, true);
		if (!x)
			continue;
		x->vol = false;
		for (tries = 0; i == 1 && tries < 6 &&
		     x->state != WFP_IPSEC_CTX_STATE_COMPLETE; tries++) {
			int before = x->state;

			if (x->state == WFP_IPSEC_CTX_STATE_CREATED)
				do_get_spi(s, x);
			else
				do_add(s, x, x->state ==
				       WFP_IPSEC_CTX_STATE_SPI_SET);
			if (x->vol || x->state == before)
				continue;
		}
		g_res->surv[g_res->nsurv].id = x->id;
		g_res->surv[g_res->nsurv].creator = x->creator;
		g_res->surv[g_res->nsurv].state = x->vol ? 0 : x->state;
		g_res->nsurv++;
	}
}

static unsigned char *map_pages(size_t n, int prot)
{
	void *p = mmap(NULL, n * 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

static unsigned int read_param(const char *name, unsigned int dflt)
{
	char path[128];
	unsigned int v = dflt;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/wfp_ipsec/%s", name);
	f = fopen(path, "r");
	if (!f)
		return dflt;
	if (fscanf(f, "%u", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

static void worker_main(int idx, uint64_t seed, uint64_t budget, int verbose,
			bool nocap_ok, bool det);

/*
 * A worker that faults says where before it dies: the step (with -s and
 * -n, where to look), the command in flight, the faulting address, the
 * instruction and a backtrace.  The binary is static, so the addresses
 * resolve with addr2line once worker_main's printed address is matched
 * against the symbol table's.
 */
static void crash_report(int sig, siginfo_t *si, void *uctx)
{
	const ucontext_t *uc = uctx;
	void *bt[32];
	char buf[320];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "# fuzz: worker %d%s (pid %d) got signal %d at %p, ip %#llx, "
		     "step %" PRIu64 ", in %s, seed %" PRIu64 ", worker_main %p\n",
		     W.idx, W.in_child ? " (namespace child)" : "", (int)getpid(),
		     sig, si->si_addr,
		     (unsigned long long)uc->uc_mcontext.gregs[REG_RIP], W.step,
		     g_res->in_flight > 0 ? cmd_name(g_res->in_flight) : "no call",
		     W.seed, (void *)worker_main);
	if (n > 0 && write(STDERR_FILENO, buf, (size_t)n) < 0)
		n = 0;
	backtrace_symbols_fd(bt, backtrace(bt, 32), STDERR_FILENO);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void crash_report_install(void)
{
	static unsigned char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	/* a blown stack still gets its report */
	if (sigaltstack(&ss, NULL))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = crash_report;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
}

static void worker_main(int idx, uint64_t seed, uint64_t budget, int verbose,
			bool nocap_ok, bool det)
{
	unsigned char *g;
	int i;

	memset(&W, 0, sizeof(W));
	W.idx = idx;
	W.seed = seed;
	crash_report_install();
	W.budget = budget;
	W.verbose = verbose;
	W.nocap_ok = nocap_ok;
	W.det = det;
#ifdef WFP_IPSEC_FEAT_BATCH
	W.have_batch = g_features & WFP_IPSEC_FEAT_BATCH;
#endif
	/* one stream per worker, all derived from the seed */
	rng_seed(&W.rng, seed ^ (0x9e3779b97f4a7c15ULL * (idx + 1)));
	for (i = 0; i < MAX_SESS; i++)
		W.sess[i].fd = -1;
	ns_new(cookie_here());
	W.home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (W.home_ns < 0)
		abort();
	W.event_queue_len = read_param("event_queue_len", 1024);
	W.argbuf = map_pages(1, PROT_READ | PROT_WRITE);
	W.none_page = map_pages(1, PROT_NONE);
	g = map_pages(2, PROT_READ | PROT_WRITE);
	if (mprotect(g + 4096, 4096, PROT_NONE))
		abort();
	W.guard_edge = g + 4096;
	W.ro_page = map_pages(1, PROT_READ);
	W.keybuf = map_pages(1, PROT_READ | PROT_WRITE);
	W.keycur = W.keybuf;
	W.batchbuf = map_pages(BATCH_BUF / 4096, PROT_READ | PROT_WRITE);
	W.batchkeys = map_pages(BATCH_N * 512 / 4096 + 1, PROT_READ | PROT_WRITE);
	W.enumbuf = calloc(ENUM_BUF + 8, sizeof(*W.enumbuf));
	if (!W.enumbuf)
		abort();
	{
		uint64_t t0 = now_ns();

		worker_loop();
		if (verbose) {
			char buf[900];
			size_t off = 0;
			uint64_t in_ioctl = 0;

			for (i = 0; i < NR_SLOTS; i++)
				in_ioctl += W.st.ns_by_nr[i];
			for (i = 0; i < NR_SLOTS; i++)
				if (W.st.n_by_nr[i])
					off += snprintf(buf + off, sizeof(buf) - off,
							" %s:%" PRIu64 "/%" PRIu64 "us",
							i ? cmd_name(i) : "other",
							W.st.n_by_nr[i],
							W.st.ns_by_nr[i] / 1000 /
							W.st.n_by_nr[i]);
			out("# fuzz: worker %d: %.1fs, in ioctl %.1fs; calls/avg:%s",
			    idx, (now_ns() - t0) / 1e9, in_ioctl / 1e9, buf);
		}
	}
	make_survivors();
	g_res->calls = W.st.calls;
	g_res->fails = W.st.fails;
	memcpy(g_res->by_errno, W.st.by_errno, sizeof(g_res->by_errno));
	g_res->done = 1;
	_exit(W.st.fails ? 1 : 0);
}

/* ------------------------------------------------------ the parent */

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/wfp_ipsec/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

static int write_param(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/proc/sys/net/wfp_ipsec/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	ret = fprintf(f, "%u\n", v) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

static int parent_session(void)
{
	struct wfp_ipsec_hello h = { .abi_version = WFP_IPSEC_ABI_VERSION };
	int fd = open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, WFP_IPSEC_IOC_HELLO, &h)) {
		close(fd);
		return -errno;
	}
	g_features = h.features;
	return fd;
}

static __u64 session_id(int fd)
{
	struct wfp_ipsec_session_info i;

	memset(&i, 0, sizeof(i));
	return ioctl(fd, WFP_IPSEC_IOC_SESSION_GET, &i) ? 0 : i.session_id;
}

/* Every context of the namespace (through fd), in id order. */
static struct wfp_ipsec_ctx_info *enum_all(int fd, size_t *n)
{
	struct wfp_ipsec_ctx_info *all = NULL;
	struct wfp_ipsec_ctx_enum e;
	size_t cap = 0;

	*n = 0;
	memset(&e, 0, sizeof(e));
	for (;;) {
		if (cap - *n < WFP_IPSEC_ENUM_MAX) {
			cap += 4 * WFP_IPSEC_ENUM_MAX;
			all = realloc(all, cap * sizeof(*all));
			if (!all)
				abort();
		}
		e.entries = (__u64)(uintptr_t)&all[*n];
		e.max_entries = WFP_IPSEC_ENUM_MAX;
		e.count = 0;
		if (ioctl(fd, WFP_IPSEC_IOC_CTX_ENUM, &e)) {
			free(all);
			return NULL;
		}
		*n += e.count;
		if (e.count < WFP_IPSEC_ENUM_MAX)
			return all;
	}
}

/* An xfrm state or policy of the module's reqid range, as text. */
struct xobj { char s[256]; };

static int nl_bytes(struct nl_addr *a, char *buf, size_t len)
{
	if (!a)
		return snprintf(buf, len, "-");
	nl_addr2str(a, buf, len);
	return 0;
}

/* The module's states and policies in the current namespace. */
static int xfrm_ours(struct xobj **out, int *nout)
{
	struct nl_cache *sa_cache = NULL, *sp_cache = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_object *o;
	struct xobj *v = NULL;
	int n = 0, cap = 0, ret = -1;

	if (!sk)
		return -1;
	if (nl_connect(sk, NETLINK_XFRM) || xfrmnl_sa_alloc_cache(sk, &sa_cache) ||
	    xfrmnl_sp_alloc_cache(sk, &sp_cache))
		goto out;
	for (o = nl_cache_get_first(sa_cache); o; o = nl_cache_get_next(o)) {
		struct xfrmnl_sa *sa = (struct xfrmnl_sa *)o;
		unsigned int reqid = xfrmnl_sa_get_reqid(sa);
		char d[64], s[64];

		if (reqid < REQID_MIN || reqid > REQID_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		nl_bytes(xfrmnl_sa_get_daddr(sa), d, sizeof(d));
		nl_bytes(xfrmnl_sa_get_saddr(sa), s, sizeof(s));
		snprintf(v[n++].s, sizeof(v[0].s), "state %s -> %s proto %d "
			 "spi 0x%x reqid 0x%x", s, d, xfrmnl_sa_get_proto(sa),
			 (unsigned int)xfrmnl_sa_get_spi(sa), reqid);
	}
	for (o = nl_cache_get_first(sp_cache); o; o = nl_cache_get_next(o)) {
		struct xfrmnl_sp *sp = (struct xfrmnl_sp *)o;
		struct xfrmnl_sel *sel = xfrmnl_sp_get_sel(sp);
		struct xfrmnl_user_tmpl *t;
		unsigned int reqid;
		char d[64] = "-", s[64] = "-";

		if (xfrmnl_sp_get_dir(sp) >= XFRM_POLICY_MAX ||
		    xfrmnl_sp_get_nusertemplates(sp) < 1)
			continue;
		t = xfrmnl_sp_usertemplate_n(sp, 0);
		reqid = xfrmnl_user_tmpl_get_reqid(t);
		if (reqid < REQID_MIN || reqid > REQID_MAX)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		if (sel) {
			nl_bytes(xfrmnl_sel_get_saddr(sel), s, sizeof(s));
			nl_bytes(xfrmnl_sel_get_daddr(sel), d, sizeof(d));
		}
		snprintf(v[n++].s, sizeof(v[0].s), "policy dir %d %s -> %s "
			 "reqid 0x%x", xfrmnl_sp_get_dir(sp), s, d, reqid);
	}
	ret = 0;
out:
	if (sa_cache)
		nl_cache_free(sa_cache);
	if (sp_cache)
		nl_cache_free(sp_cache);
	nl_socket_free(sk);
	if (ret)
		free(v);
	else
		*out = v, *nout = n;
	return ret;
}

static bool xobj_in(const struct xobj *set, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(set[i].s, s))
			return true;
	return false;
}

/* What every task of a stuck process is doing, from /proc. */
static void dump_tasks(pid_t pid)
{
	char path[320], line[256];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", (int)pid,
			 d->d_name);
		f = fopen(path, "r");
		if (f) {
			if (fgets(line, sizeof(line), f))
				ksft_print_msg("  task %s wchan %s\n", d->d_name, line);
			fclose(f);
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid,
			 d->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			ksft_print_msg("    %s", line);
		if (f)
			fclose(f);
	}
	closedir(dir);
}

/*
 * Waits for the workers; one whose progress counter stands still for
 * stall_s seconds is hung: its tasks' kernel stacks are printed, and it
 * is killed.  Returns how many hung.
 */
static int wait_workers(pid_t *pids, int *status, int procs, int stall_s)
{
	uint64_t *last = calloc(procs, sizeof(*last)), *since = calloc(procs,
							sizeof(*since));
	bool *killed = calloc(procs, sizeof(*killed));
	int left = procs, hung = 0, i;

	if (!last || !since || !killed)
		abort();
	for (i = 0; i < procs; i++)
		since[i] = now_ms();
	while (left) {
		pid_t p = waitpid(-1, &i, WNOHANG);
		int k;

		if (p > 0) {
			for (k = 0; k < procs; k++)
				if (pids[k] == p) {
					status[k] = i;
					pids[k] = -pids[k];
					left--;
				}
			continue;
		}
		usleep(200000);
		for (k = 0; k < procs; k++) {
			pid_t c;

			if (pids[k] < 0)
				continue;
			if (g_res[k].progress != last[k]) {
				last[k] = g_res[k].progress;
				since[k] = now_ms();
				continue;
			}
			if (now_ms() - since[k] < (uint64_t)stall_s * 1000)
				continue;
			if (killed[k]) {
				/* stuck in the kernel past SIGKILL: leave it */
				ksft_print_msg("fuzz: worker %d does not die\n", k);
				status[k] = SIGKILL;
				pids[k] = -pids[k];
				left--;
				continue;
			}
			killed[k] = true;
			hung++;
			c = g_res[k].child;
			ksft_print_msg("fuzz: worker %d (pid %d) made no call for %ds: "
				       "step %" PRIu64 ", in %s; netns child %d\n", k,
				       (int)pids[k], stall_s, g_res[k].step,
				       g_res[k].in_flight > 0 ?
				       cmd_name(g_res[k].in_flight) :
				       g_res[k].in_flight ? "an unknown ioctl" :
				       "no ioctl", (int)c);
			dump_tasks(pids[k]);
			if (c > 0) {
				dump_tasks(c);
				kill(c, SIGKILL);
			}
			kill(pids[k], SIGKILL);
			since[k] = now_ms();
		}
	}
	for (i = 0; i < procs; i++)
		pids[i] = -pids[i];
	free(last);
	free(since);
	free(killed);
	return hung;
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "fuzz: bad %s '%s'\n", what, s);
		exit(KSFT_FAIL);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz [-n CALLS] [-s SEED] [-p PROCS] [-d] [-v[v]]\n"
		"  -d: no close races, racing threads or SA lifetimes, so that\n"
		"      -p 1 -d -s SEED replays a run exactly\n"
		"  -v: per-command profile; -vv: every call\n"
		"  env WFP_FUZZ_N, WFP_FUZZ_SEED set the defaults\n");
	exit(KSFT_FAIL);
}

int main(int argc, char **argv)
{
	uint64_t n = 20000, seed = 0, total_calls = 0, by_errno[128] = { 0 };
	bool have_seed = false, nocap_ok, det = false;
	int procs = 4, verbose = 0, opt, i, nxbase = 0, nxafter = 0;
	struct wfp_ipsec_rights grants0;
	struct xobj *xbase = NULL, *xafter = NULL;
	unsigned int grace0;
	__u64 sid_lo, sid_hi;
	long ref0, ref1 = -1;
	uint64_t t0, t1;
	pid_t *pids;
	int *statuses, hung;
	char summary[2048];
	size_t off;
	int fd;

	if (getenv("WFP_FUZZ_N"))
		n = parse_u64(getenv("WFP_FUZZ_N"), "WFP_FUZZ_N");
	if (getenv("WFP_FUZZ_SEED") && *getenv("WFP_FUZZ_SEED")) {
		seed = parse_u64(getenv("WFP_FUZZ_SEED"), "WFP_FUZZ_SEED");
		have_seed = true;
	}
	while ((opt = getopt(argc, argv, "n:s:p:dvh")) != -1) {
		switch (opt) {
		case 'n':
			n = parse_u64(optarg, "-n");
			break;
		case 's':
			seed = parse_u64(optarg, "-s");
			have_seed = true;
			break;
		case 'p':
			procs = (int)parse_u64(optarg, "-p");
			break;
		case 'd':
			det = true;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (procs < 1 || procs > 64)
		usage();
	if (!have_seed) {
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	}
	/* Before any plan: without the device the program skips whole. */
	if (access(WFP_IPSEC_DEVICE_PATH, R_OK | W_OK))
		ksft_exit_skip("%s: %s\n", WFP_IPSEC_DEVICE_PATH, strerror(errno));
	/* first, so that any failure below can be replayed */
	printf("# fuzz: seed=%" PRIu64 "\n", seed);
	ksft_print_header();
	ksft_set_plan(procs + 5);
	setvbuf(stdout, NULL, _IOLBF, 0);

	g_res = mmap(NULL, procs * sizeof(*g_res), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(procs, sizeof(*pids));
	if (g_res == MAP_FAILED || !pids)
		ksft_exit_fail_msg("out of memory\n");
	memset(g_res, 0, procs * sizeof(*g_res));

	/* baselines, with no session of ours open */
	ref0 = module_refcnt();
	fd = parent_session();
	if (fd < 0)
		ksft_exit_fail_msg("session: %s\n", strerror(-fd));
	sid_lo = session_id(fd);
	memset(&grants0, 0, sizeof(grants0));
	if (ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &grants0))
		ksft_exit_fail_msg("RIGHTS_GET: %s\n", strerror(errno));
	close(fd);
	/* with grants, sessions without the capability may hold rights */
	nocap_ok = grants0.count == 0;
	if (xfrm_ours(&xbase, &nxbase))
		ksft_exit_fail_msg("cannot dump xfrm states and policies\n");
	/* expired contexts lose their inbound SA within the run: the
	 * setting of this namespace, the workers' home; the namespaces they
	 * make start from the module's default
	 */
	grace0 = read_param("expire_grace_seconds", 60);
	write_param("expire_grace_seconds", 2);

	fflush(stdout);
	t0 = now_ms();
	for (i = 0; i < procs; i++) {
		uint64_t share = n / procs + (i < (int)(n % procs));

		pids[i] = fork();
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (!pids[i]) {
			g_res += i;
			worker_main(i, seed, share, verbose, nocap_ok, det);
		}
	}
	statuses = calloc(procs, sizeof(*statuses));
	if (!statuses)
		ksft_exit_fail_msg("out of memory\n");
	hung = wait_workers(pids, statuses, procs, 120);
	for (i = 0; i < procs; i++) {
		int status = statuses[i];
		struct wresult *r = &g_res[i];
		int e;

		total_calls += r->calls;
		for (e = 0; e < 128; e++)
			by_errno[e] += r->by_errno[e];
		/* calls is written at the end: a dead worker has only the
		 * watchdog's counters, which say where to look with -s/-n.
		 */
		if (!r->done || !WIFEXITED(status))
			ksft_test_result_fail("worker %d: died (%s %d) at step %"
					      PRIu64 " after %" PRIu64 " calls%s%s\n",
					      i, WIFSIGNALED(status) ? "signal" : "status",
					      WIFSIGNALED(status) ? WTERMSIG(status) :
					      WEXITSTATUS(status), r->step, r->progress,
					      r->in_flight ? ", in " : "",
					      r->in_flight ? cmd_name(r->in_flight > 0 ?
								  r->in_flight : 0) : "");
		else
			ksft_test_result(!r->fails, "worker %d: %" PRIu64 " calls, %"
					 PRIu64 " failures, %" PRIu64 " contexts, %"
					 PRIu64 " namespaces (%" PRIu64 " children), %"
					 PRIu64 " races, %" PRIu64 " walks, %" PRIu64
					 " events\n", i, r->calls, r->fails,
					 r->contexts, r->ns_sessions + r->ns_children,
					 r->ns_children, r->races, r->walks, r->events);
	}
	t1 = now_ms();
	write_param("expire_grace_seconds", grace0);
	if (hung)
		ksft_print_msg("fuzz: %d worker(s) hung: seed=%" PRIu64 "\n", hung,
			       seed);

	/* 1: every session closed, so every module reference dropped */
	for (i = 0; i < 100; i++) {
		ref1 = module_refcnt();
		if (ref1 == ref0)
			break;
		usleep(50000);
	}
	ksft_test_result(ref1 == ref0, "module refcount back to %ld (now %ld)\n",
			 ref0, ref1);

	/* 2: contexts outlive the sessions that created them */
	fd = parent_session();
	if (fd < 0)
		ksft_exit_fail_msg("session: %s\n", strerror(-fd));
	sid_hi = session_id(fd);
	{
		int bad = 0, total = 0, w;

		for (w = 0; w < procs; w++) {
			int k;

			for (k = 0; k < g_res[w].nsurv; k++) {
				struct survivor *sv = &g_res[w].surv[k];
				struct wfp_ipsec_ctx_info info = { .id = sv->id };
				int ret = ioctl(fd, WFP_IPSEC_IOC_CTX_GET, &info) ?
					  errno : 0;

				total++;
				if (ret || info.creator_session_id != sv->creator ||
				    (sv->state && info.state != sv->state)) {
					bad++;
					ksft_print_msg("context %llu of closed session "
						       "%llu: %s, state %u (left %u)\n",
						       (unsigned long long)sv->id,
						       (unsigned long long)sv->creator,
						       ename(ret), info.state, sv->state);
				}
			}
		}
		ksft_test_result(!bad && total, "%d contexts outlived their closed "
				 "sessions (%d lost)\n", total - bad, bad);
	}

	/* 3: deleting what our sessions created leaves none enumerable */
	{
		struct wfp_ipsec_ctx_info *all;
		size_t nall, k, left = 0, deleted = 0;

		all = enum_all(fd, &nall);
		for (k = 0; all && k < nall; k++) {
			struct wfp_ipsec_ctx_id d = { .id = all[k].id };

			if (all[k].creator_session_id <= sid_lo ||
			    all[k].creator_session_id >= sid_hi)
				continue;
			/* ENOENT: an SA lifetime got there first */
			if (!ioctl(fd, WFP_IPSEC_IOC_CTX_DELETE, &d))
				deleted++;
			else if (errno != ENOENT)
				ksft_print_msg("delete %llu: %s\n",
					       (unsigned long long)d.id,
					       strerror(errno));
		}
		free(all);
		all = enum_all(fd, &nall);
		for (k = 0; all && k < nall; k++)
			if (all[k].creator_session_id > sid_lo &&
			    all[k].creator_session_id < sid_hi)
				left++;
		ksft_test_result(all && !left, "%zu contexts of closed sessions "
				 "deleted, %zu left\n", deleted, left);
		free(all);
	}

	/* 4: no xfrm state or policy of ours left in this namespace */
	{
		int k, extra = 0;

		if (xfrm_ours(&xafter, &nxafter)) {
			ksft_test_result_fail("xfrm dump failed\n");
		} else {
			for (k = 0; k < nxafter; k++)
				if (!xobj_in(xbase, nxbase, xafter[k].s)) {
					if (extra++ < 20)
						ksft_print_msg("left in xfrm: %s\n",
							       xafter[k].s);
				}
			ksft_test_result(!extra, "no xfrm state or policy left "
					 "(%d before, %d after, %d new)\n",
					 nxbase, nxafter, extra);
		}
	}

	/* 5: the initial namespace's grants are as they were */
	{
		struct wfp_ipsec_rights g;

		memset(&g, 0, sizeof(g));
		ksft_test_result(!ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &g) &&
				 !memcmp(&g, &grants0, sizeof(g)),
				 "grants of the initial namespace unchanged\n");
	}
	close(fd);

	off = 0;
	summary[0] = 0;
	for (i = 0; i < 128; i++)
		if (by_errno[i] && off < sizeof(summary))
			off += snprintf(summary + off, sizeof(summary) - off,
					"%s%s:%" PRIu64, off ? "," : "", ename(i),
					by_errno[i]);
	ksft_print_msg("fuzz: calls=%" PRIu64 " errors_by_errno=%s rate=%.0f "
		       "calls/s\n", total_calls, summary,
		       t1 > t0 ? total_calls * 1000.0 / (t1 - t0) : 0.0);
	ksft_print_msg("fuzz: seed=%" PRIu64 " procs=%d%s elapsed=%.1fs\n", seed,
		       procs, det ? " (-d)" : "", (t1 - t0) / 1000.0);
	free(xbase);
	free(xafter);
	if (ksft_get_fail_cnt())
		ksft_exit_fail();
	ksft_exit_pass();
	return 0;
}
