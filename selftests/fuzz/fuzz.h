/* SPDX-License-Identifier: GPL-2.0 */
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
 * enumeration order and completeness).  Transactions (cmd_txn.c) are
 * short episodes on one session, which the filter model follows through
 * COMMIT and rolls back at ABORT, a close or a killed child; net-event
 * subscriptions share the session's event stream.  At the end the
 * parent checks that the module's refcount dropped back, that contexts
 * outlived the sessions that created them (contexts.rst), and that, once
 * deleted, they left no xfrm state or policy behind.
 *
 * A failure prints the seed, the worker, the step and the command; "-p 1
 * -s SEED" replays one worker's sequence of requests (the kernel still
 * picks ids and random SPIs).  Kernel splats are vm-run's business.
 *
 * The files: fuzz.h (this: shared types, state, prototypes), rng.c,
 * gen.c (argument generators), mutate.c, call.c (sending a call),
 * oracle.c (errno sets), reply.c (reply checkers), pools.c and sess.c
 * (the worker's model), cmd_*.c and events.c (one function per command;
 * cmd_filter.c: filters, with gen_filter.c's requests; cmd_txn.c:
 * transactions; events.c: subscriptions, net events included; traps.c:
 * datagrams at trap filters, and the CLASSIFY_DROPs they raise),
 * dispatch.c (the weighted step tables), episodes.c (races, namespaces),
 * worker.c, report.c; and the parent's main.c (options, workers,
 * end-of-run checks), parent.c (what it reads of the module) and
 * watchdog.c.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/wfp_ipsec.h>

#include "wfp_util.h"

/* kmod/policy.h: the reqids of the module's policy sets. */
#define REQID_MIN	0x40000000U
#define REQID_MAX	0x7fffffffU

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct cmdinfo {
	const char *name;
	unsigned int cmd;
	__u32 rights;		/* kmod/dev.c's table */
};

enum {
	NR_HELLO = 1, NR_SESSION_GET, NR_CREATE, NR_DELETE, NR_GET, NR_ENUM,
	NR_SET_SPI, NR_GET_SPI, NR_SET_SEL, NR_ADD_IN, NR_ADD_OUT, NR_GET_SA,
	NR_EXPIRE, NR_SUBSCRIBE, NR_UNSUBSCRIBE, NR_STATS, NR_UPDATE,
	NR_RIGHTS_GET, NR_RIGHTS_SET, NR_BATCH, NR_OBJ_ADD, NR_OBJ_DELETE,
	NR_OBJ_GET, NR_OBJ_ENUM, NR_FILTER_ADD, NR_FILTER_GET,
	NR_TXN_BEGIN, NR_TXN_COMMIT, NR_TXN_ABORT, NR_NET_SUB, NR_NET_UNSUB,
};

#define NR_MAX	NR_NET_UNSUB

/* Indexed by command number; every command the header defines. */
extern const struct cmdinfo cmds[NR_MAX + 1];

/* Bit 0 is success; errno values here are all below 128. */
typedef struct { uint64_t w[2]; } eset;

#define ES(...) es_of(sizeof((int[]){ __VA_ARGS__ }) / sizeof(int), __VA_ARGS__)

struct rng { uint64_t s[4]; };

enum { ST_UNKNOWN = 0 };	/* else WFP_IPSEC_CTX_STATE_* */

/* struct sess's txn: the transaction the session has open. */
enum { TXN_NONE, TXN_READ, TXN_WRITE };

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
	int txn;		/* TXN_* */
	bool txn_failed;	/* a write failed in it: COMMIT will not */
	int nsubs;
	__u64 subs[MAX_SUBS];
	bool sub_net[MAX_SUBS];	/* a net-event subscription */
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
	bool ghost_traps;	/* a trap was added whose id is unknown */
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
	int home_ns;		/* fd of the worker's own netns */
	bool in_child;		/* a namespace child episode */
	bool relaxed;		/* another thread works on the session */
	bool closing;		/* another thread closes its fd */
	bool no_mutate;		/* survivors: valid requests only */
	bool det;		/* -d: nothing whose outcome depends on time */
	bool nocap_ok;		/* the initial namespace has no grants */
	int child_ns;		/* tag of a netns child's namespace */
	bool have_batch;	/* HELLO reported WFP_IPSEC_FEAT_BATCH */
	bool have_filters;	/* and WFP_IPSEC_FEAT_FILTERS */
	bool have_txn;		/* and WFP_IPSEC_FEAT_TRANSACTIONS */
	bool have_netev;	/* and WFP_IPSEC_FEAT_NET_EVENTS */

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
	unsigned char *guard_edge;	/* a RW page's end, PROT_NONE next */
	unsigned char *ro_page;
	unsigned char *keybuf;
	unsigned char *keycur;		/* where key_ptr() writes */
	unsigned char *batchbuf;	/* BATCH_BUF bytes */
	unsigned char *batchkeys;
	struct wfp_ipsec_ctx_info *enumbuf;

	struct tstats st;
	int printed;
};

/* Shared with the parent. */
struct survivor {
	__u64 id, creator;
	__u32 state;
};

struct wresult {
	uint64_t calls, fails, by_errno[128];
	uint64_t contexts, ns_children, ns_sessions, races, walks, events;
	/* traps.c: datagrams sent (at a trap; a trap's flow not UDP), and
	 * CLASSIFY_DROP records checked (those of the worker's own traps,
	 * and of these the kernel's ICMP errors) */
	uint64_t sends, trap_sends, trap_misses, drops, own_drops, icmp_drops;
	struct survivor surv[2];
	int nsurv;
	int done;
	/* for the parent's watchdog, written as the worker goes */
	volatile uint64_t progress;
	volatile uint64_t step;
	volatile int in_flight;		/* command number in ioctl, 0 */
	volatile pid_t child;		/* a netns child running, or 0 */
};

enum ptrkind { P_NULL, P_NONE, P_KERNEL, P_NONCANON, P_STRADDLE, P_KINDS };

enum argmode {
	AM_NORMAL, AM_MISALIGNED, AM_RO, AM_BAD,
};

#define C_MUST_FAIL	(1u << 0)	/* a mutation the ABI must refuse */
#define C_EFAULT_OK	(1u << 1)	/* a bogus pointer in the struct */
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
	struct wfp_ipsec_ctx_batch batch;
	struct wfp_ipsec_obj obj;
	struct wfp_ipsec_obj_key okey;
	struct wfp_ipsec_obj_enum oenum;
	struct wfp_ipsec_filter filt;
	struct wfp_ipsec_txn txn;
	struct wfp_ipsec_net_subscribe nsub;
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
	int expect_status;	/* ADD: status a lone mutation must give */
	unsigned int toggled;	/* XOR mutations done: twice undoes them */
};

/* Bytes of the reply that must equal the request. */
struct span { size_t off, len; };

#define SPAN(type, field) { offsetof(type, field), sizeof(((type *)0)->field) }

/* worker.c: the worker's state, the current thread's counters. */
extern struct worker W;
extern __thread struct tstats *TS;
extern __thread const char *T_TAG;
extern struct wresult *g_res;
extern __u64 g_features;	/* what the module's HELLO reported */

/* rng.c */
void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
uint64_t r64(void);
__u32 rn(__u32 n);
bool pm(unsigned int pm);
void rfill(void *p, size_t n);

/* gen.c */
bool all_zero(const void *p, size_t n);
int addr_len(int ver);
void fmt_addr(int ver, const __u8 *a, char *buf);
void fmt_subnet(const struct wfp_ipsec_subnet *sn, char *buf);
void pool_addr(int ver, bool local, __u8 *a);
void gen_traffic(struct wfp_ipsec_traffic *t, int ver, int type);
void gen_subnet(struct wfp_ipsec_subnet *sn, int ver, const __u8 *addr);
bool subnet_match(const struct wfp_ipsec_subnet *sn, int ver,
		  const __u8 *addr);
void gen_template(struct wfp_ipsec_subnet *l, struct wfp_ipsec_subnet *r);
void break_subnet(struct wfp_ipsec_subnet *sn);
void break_traffic(struct wfp_ipsec_traffic *t);
void gen_sa(struct wfp_ipsec_sa *sa, bool allow_ah);
bool gcm_sa(const struct wfp_ipsec_sa *sa);
size_t usable_prefix(__u64 p);
__u64 bad_ptr(int kind, size_t len);
bool key_ptr_bad(__u64 p, __u32 len);

/* mutate.c */
bool first_toggle(struct call *c, unsigned int bit);
void mut_note(struct call *c, const char *what);
void must_fail(struct call *c, const char *what);
void mutate_random_cmd(struct call *c);
bool mutate_common(struct call *c);
void poke_reserved(struct call *c, size_t off, size_t len);
void flip_byte(struct call *c, const struct span *keep, int n);
void mutate_ctx_id(struct call *c);
int n_mutations(void);

/* call.c */
void call_init(struct call *c, int nr);
uint64_t now_ns(void);
int sys_ioctl(int fd, unsigned int word, void *arg);
int exec_call(struct call *c, struct sess *s);

/* oracle.c */
eset es_of(int n, ...);
int cmd_nr(unsigned int word);
const char *cmd_name(int nr);
bool es_has(eset s, int e);
eset es_add(eset s, int e);
const char *ename(int e);
void es_str(eset s, char *buf, size_t len);
eset gen_set(int nr);
eset batch_step_set(__u32 step);
eset expected(const struct call *c, const struct sess *s);
bool ctx_certain(const struct ctx *c, const struct sess *s);
void set_strict(struct call *c, const struct ctx *x, eset set);

/* reply.c */
void check_echo(const struct call *c, const struct span *skip, int n);
void check_info(int nr, const struct wfp_ipsec_ctx_info *i,
		const struct sess *s);

/* pools.c */
struct known *known_find(__u64 id);
void known_created(const struct sess *s, __u64 id,
		   const struct wfp_ipsec_traffic *t);
struct ctx *ctx_created(const struct sess *s, __u64 id, int state,
			const struct wfp_ipsec_traffic *t);
void ring_put(__u64 *ring, unsigned int *n, __u64 v);
__u64 ring_pick(const __u64 *ring, unsigned int n);
int ns_new(__u64 cookie);
int alive_foreign_ns(void);
struct ctx *ctx_find(__u64 id);
void ctx_drop(struct ctx *c);
void ctx_deleted(struct ctx *c, __u64 by);
void spi_reserved(struct ctx *c);
bool spi_certainly_held(__u32 spi, int ns);
struct ctx *ctx_any(void);
__u64 pick_id(const struct sess *s, struct ctx *prefer,
	      struct ctx **cp, bool *gone);
__u64 pick_cursor(const struct sess *s);

/* sess.c */
struct sess *sess_any(void);
struct sess *sess_normal(int ns);
struct sess *sess_for(int ns);
__u32 sess_rights(const struct sess *s);
struct sess *sess_slot(void);
struct sess *sess_open(int ns, bool nocap);
void sess_forget(struct sess *s);
void sess_close(struct sess *s);

/* cmd_session.c */
void do_hello(struct sess *s, bool clean);
void do_session_get(struct sess *s);
void do_stats(struct sess *s);
void do_rights_get(struct sess *s);
void do_rights_set(struct sess *s);
void do_random_cmd(struct sess *s);

/* cmd_ctx.c */
struct ctx *do_create(struct sess *s, bool clean);
void do_delete(struct sess *s, struct ctx *prefer);
void do_get(struct sess *s, struct ctx *prefer);
void do_expire(struct sess *s, struct ctx *prefer);
void do_update(struct sess *s, struct ctx *prefer);
void probe_ghost_contexts(struct sess *s, int nr);

/* cmd_enum.c */
void do_enum(struct sess *s);
void do_enum_walk(struct sess *s);

/* cmd_spi.c */
void do_set_spi(struct sess *s, struct ctx *prefer);
void do_get_spi(struct sess *s, struct ctx *prefer);
void do_set_selectors(struct sess *s, struct ctx *prefer);

/* cmd_add.c */
void do_add(struct sess *s, struct ctx *prefer, bool inbound);
void do_get_sa(struct sess *s, struct ctx *prefer);

/* cmd_batch.c */
void do_batch(struct sess *s);

/* cmd_obj.c */
void do_obj(struct sess *s);
bool obj_enum_ok(const struct call *c, const void *keys);
void obj_cleanup(void);

/* gen_filter.c */
#define FILT_CONDS	6	/* a valid filter's conditions, at most */

bool filter_enforced(const struct wfp_ipsec_filter *f);
bool filter_in_pool(int family, const __u8 *a, int plen);
unsigned int field_width(__u16 field, bool v4);
void gen_filter(struct wfp_ipsec_filter *f,
		struct wfp_ipsec_filter_cond *conds, bool *multi);
void filter_mutate_add(struct call *c, struct wfp_ipsec_filter_cond *conds);

/* cmd_filter.c */
void do_filter(struct sess *s);
void filter_cleanup(void);
void filter_txn_begin(void);
void filter_txn_end(int ret);

/* cmd_txn.c */
bool txn_write_cmd(int nr);
void txn_note_call(const struct call *c, struct sess *s, int ret);
void do_txn(struct sess *s);

/* events.c */
void do_subscribe(struct sess *s);
void do_unsubscribe(struct sess *s);
void do_events(struct sess *s);
void do_net_subscribe(struct sess *s);
void do_net_unsubscribe(struct sess *s);

/* traps.c */
bool trap_meets_errors(const struct wfp_ipsec_filter *f,
		       const struct wfp_ipsec_filter_cond *conds);
void trap_added(const struct sess *s, const struct call *c, int ret,
		const struct wfp_ipsec_filter_cond *conds);
void trap_gone(__u64 id);
void do_send(void);
void check_classify_drop(int ns, const struct wfp_ipsec_net_event *e);
bool net_setup(void);
void net_teardown(void);

/* episodes.c */
void race_episode(void);
void ns_sessions(void);
void ns_child(void);

/* dispatch.c */
void one_op(struct sess *only);
void worker_loop(void);

/* worker.c */
unsigned int read_param(const char *name, unsigned int dflt);
int write_param(const char *name, unsigned int v);
void worker_main(int idx, uint64_t seed, uint64_t budget, int verbose,
		 bool nocap_ok, bool det);

/* parent.c, watchdog.c: the parent's */
struct xobj { char s[256]; };	/* an xfrm state or policy, as text */

int parent_session(void);
__u64 session_id(int fd);
struct wfp_ipsec_ctx_info *enum_all(int fd, size_t *n);
int filters_count(int fd);
int xfrm_ours(struct xobj **out, int *nout);
bool xobj_in(const struct xobj *set, int n, const char *s);
int xfrm_pol_count(bool (*in)(int family, const __u8 *a, int plen));
int wait_workers(const pid_t *pids, int *status, int procs, int stall_s);

/* report.c */
void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...);
void __attribute__((format(printf, 2, 3))) fail(int nr, const char *fmt, ...);

#endif /* FUZZ_H */
