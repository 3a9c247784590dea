// SPDX-License-Identifier: GPL-2.0
/*
 * The parent: options, baselines, the workers, the end-of-run checks
 * and the summary.  Every TAP line is printed here: kselftest.h keeps
 * its counters per file.
 */

#include <sys/mman.h>
#include <sys/random.h>

#include "fuzz.h"
#include "kselftest.h"

struct opts {
	uint64_t n, seed;
	bool have_seed;
	bool det;		/* -d */
	int procs, verbose;
};

/* What the parent measured before the workers ran. */
struct baseline {
	long refcnt;
	__u64 sid_lo;		/* later sessions are the workers' */
	struct wfp_ipsec_rights grants;
	bool nocap_ok;		/* no grants: no right without the cap */
	struct xobj *xfrm;
	int nxfrm;
	int nfilters;		/* of the initial namespace */
	unsigned int grace;	/* expire_grace_seconds */
};

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
	fprintf(stderr,
		"usage: fuzz [-n CALLS] [-s SEED] [-p PROCS] [-d] [-v[v]]\n"
		"  -d: no close races, racing threads or SA lifetimes, so "
		"that\n"
		"      -p 1 -d -s SEED replays a run exactly\n"
		"  -v: per-command profile; -vv: every call\n"
		"  env WFP_FUZZ_N, WFP_FUZZ_SEED set the defaults\n");
	exit(KSFT_FAIL);
}

static void parse_env(struct opts *o)
{
	const char *seed = getenv("WFP_FUZZ_SEED");

	if (getenv("WFP_FUZZ_N"))
		o->n = parse_u64(getenv("WFP_FUZZ_N"), "WFP_FUZZ_N");
	if (seed && *seed) {
		o->seed = parse_u64(seed, "WFP_FUZZ_SEED");
		o->have_seed = true;
	}
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .n = 20000, .procs = 4 };
	parse_env(o);
	while ((opt = getopt(argc, argv, "n:s:p:dvh")) != -1) {
		switch (opt) {
		case 'n':
			o->n = parse_u64(optarg, "-n");
			break;
		case 's':
			o->seed = parse_u64(optarg, "-s");
			o->have_seed = true;
			break;
		case 'p':
			o->procs = (int)parse_u64(optarg, "-p");
			break;
		case 'd':
			o->det = true;
			break;
		case 'v':
			o->verbose++;
			break;
		default:
			usage();
		}
	}
	if (o->procs < 1 || o->procs > 64)
		usage();
	if (!o->have_seed &&
	    getrandom(&o->seed, sizeof(o->seed), 0) != sizeof(o->seed))
		o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/* Baselines, with no session of ours open. */
static void take_baseline(struct baseline *b)
{
	int fd;

	b->refcnt = wfp_module_refcnt();
	fd = parent_session();
	if (fd < 0)
		ksft_exit_fail_msg("session: %s\n", strerror(-fd));
	b->sid_lo = session_id(fd);
	memset(&b->grants, 0, sizeof(b->grants));
	if (ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &b->grants))
		ksft_exit_fail_msg("RIGHTS_GET: %s\n", strerror(errno));
	b->nfilters = filters_count(fd);
	close(fd);
	/* with grants, sessions without the capability may hold rights */
	b->nocap_ok = b->grants.count == 0;
	if (xfrm_ours(&b->xfrm, &b->nxfrm))
		ksft_exit_fail_msg("cannot dump xfrm states and policies\n");
	/* expired contexts lose their inbound SA within the run: the
	 * setting of this namespace, the workers' home; the namespaces they
	 * make start from the module's default
	 */
	b->grace = read_param("expire_grace_seconds", 60);
	write_param("expire_grace_seconds", 2);
}

/* The workers, each with its share of the calls and g_res slot. */
static pid_t *start_workers(const struct opts *o, bool nocap_ok)
{
	pid_t *pids = calloc(o->procs, sizeof(*pids));
	int i;

	if (!pids)
		ksft_exit_fail_msg("out of memory\n");
	fflush(stdout);
	for (i = 0; i < o->procs; i++) {
		uint64_t share = o->n / o->procs + (i < (int)(o->n % o->procs));

		pids[i] = fork();
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (!pids[i]) {
			g_res += i;
			worker_main(i, o->seed, share, o->verbose, nocap_ok,
				    o->det);
		}
	}
	return pids;
}

/*
 * A worker's TAP line.  calls is written at the end: a dead worker has
 * only the watchdog's counters, which say where to look with -s/-n.
 */
static void report_worker(int i, int status, const struct wresult *r)
{
	if (!r->done || !WIFEXITED(status))
		ksft_test_result_fail("worker %d: died (%s %d) at step %" PRIu64
				      " after %" PRIu64 " calls%s%s\n", i,
				      WIFSIGNALED(status) ? "signal" : "status",
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
				 " events, %" PRIu64 " classify drops\n", i,
				 r->calls, r->fails, r->contexts,
				 r->ns_sessions + r->ns_children,
				 r->ns_children, r->races, r->walks, r->events,
				 r->drops);
}

/* Every session closed, so every module reference dropped. */
static void check_refcount(long ref0)
{
	long ref1 = -1;
	int i;

	for (i = 0; i < 100; i++) {
		ref1 = wfp_module_refcnt();
		if (ref1 == ref0)
			break;
		usleep(50000);
	}
	ksft_test_result(ref1 == ref0, "module refcount back to %ld (now "
			 "%ld)\n", ref0, ref1);
}

/* Whether a context left behind is still there, as it was left. */
static bool survived(int fd, const struct survivor *sv)
{
	struct wfp_ipsec_ctx_info info = { .id = sv->id };
	int ret = ioctl(fd, WFP_IPSEC_IOC_CTX_GET, &info) ? errno : 0;

	if (!ret && info.creator_session_id == sv->creator &&
	    (!sv->state || info.state == sv->state))
		return true;
	ksft_print_msg("context %llu of closed session %llu: %s, state %u "
		       "(left %u)\n", (unsigned long long)sv->id,
		       (unsigned long long)sv->creator, ename(ret), info.state,
		       sv->state);
	return false;
}

/* Contexts outlive the sessions that created them. */
static void check_survivors(int fd, int procs)
{
	int bad = 0, total = 0, w, k;

	for (w = 0; w < procs; w++)
		for (k = 0; k < g_res[w].nsurv; k++) {
			total++;
			bad += !survived(fd, &g_res[w].surv[k]);
		}
	ksft_test_result(!bad && total, "%d contexts outlived their closed "
			 "sessions (%d lost)\n", total - bad, bad);
}

/* Whether a session of the workers created the context. */
static bool workers(const struct wfp_ipsec_ctx_info *i, __u64 sid_lo,
		    __u64 sid_hi)
{
	return i->creator_session_id > sid_lo &&
	       i->creator_session_id < sid_hi;
}

/* Deleting what the workers' sessions created leaves none enumerable. */
static void check_deleted(int fd, __u64 sid_lo, __u64 sid_hi)
{
	struct wfp_ipsec_ctx_info *all;
	size_t nall, k, left = 0, deleted = 0;

	all = enum_all(fd, &nall);
	for (k = 0; all && k < nall; k++) {
		struct wfp_ipsec_ctx_id d = { .id = all[k].id };

		if (!workers(&all[k], sid_lo, sid_hi))
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
		left += workers(&all[k], sid_lo, sid_hi);
	ksft_test_result(all && !left, "%zu contexts of closed sessions "
			 "deleted, %zu left\n", deleted, left);
	free(all);
}

/* No xfrm state or policy of the module left in this namespace. */
static void check_xfrm(const struct baseline *b)
{
	struct xobj *after = NULL;
	int k, n = 0, extra = 0;

	if (xfrm_ours(&after, &n)) {
		ksft_test_result_fail("xfrm dump failed\n");
		return;
	}
	for (k = 0; k < n; k++)
		if (!xobj_in(b->xfrm, b->nxfrm, after[k].s) && extra++ < 20)
			ksft_print_msg("left in xfrm: %s\n", after[k].s);
	ksft_test_result(!extra, "no xfrm state or policy left (%d before, "
			 "%d after, %d new)\n", b->nxfrm, n, extra);
	free(after);
}

/* The end-of-run checks, through a new session of the parent's. */
static void final_checks(const struct baseline *b, int procs)
{
	struct wfp_ipsec_rights g;
	int fd, n;

	check_refcount(b->refcnt);
	fd = parent_session();
	if (fd < 0)
		ksft_exit_fail_msg("session: %s\n", strerror(-fd));
	check_survivors(fd, procs);
	check_deleted(fd, b->sid_lo, session_id(fd));
	check_xfrm(b);
	/* the workers deleted theirs; their children's namespaces are gone */
	n = filters_count(fd);
	ksft_test_result(n >= 0 && n == b->nfilters, "no filter left (%d "
			 "before, %d after)\n", b->nfilters, n);
	/* the initial namespace's grants are as they were */
	memset(&g, 0, sizeof(g));
	ksft_test_result(!ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &g) &&
			 !memcmp(&g, &b->grants, sizeof(g)),
			 "grants of the initial namespace unchanged\n");
	close(fd);
}

/* The datagrams and the CLASSIFY_DROP records they brought (traps.c). */
static void summary_traps(int procs)
{
	uint64_t v[6] = { 0 };
	int i;

	for (i = 0; i < procs; i++) {
		v[0] += g_res[i].sends;
		v[1] += g_res[i].trap_sends;
		v[2] += g_res[i].trap_misses;
		v[3] += g_res[i].drops;
		v[4] += g_res[i].own_drops;
		v[5] += g_res[i].icmp_drops;
	}
	ksft_print_msg("fuzz: datagrams=%" PRIu64 " (at a trap %" PRIu64
		       ", trap not UDP %" PRIu64 ") classify_drops=%" PRIu64
		       " (%" PRIu64 " of the reader's own traps, %" PRIu64
		       " of these the kernel's ICMP errors)\n", v[0], v[1],
		       v[2], v[3], v[4], v[5]);
}

static void summary(const struct opts *o, long long elapsed_ms)
{
	uint64_t total = 0, by_errno[128] = { 0 };
	char buf[2048];
	size_t off = 0;
	int i, e;

	for (i = 0; i < o->procs; i++) {
		total += g_res[i].calls;
		for (e = 0; e < 128; e++)
			by_errno[e] += g_res[i].by_errno[e];
	}
	buf[0] = 0;
	for (e = 0; e < 128; e++)
		if (by_errno[e] && off < sizeof(buf))
			off += snprintf(buf + off, sizeof(buf) - off,
					"%s%s:%" PRIu64, off ? "," : "",
					ename(e), by_errno[e]);
	ksft_print_msg("fuzz: calls=%" PRIu64 " errors_by_errno=%s rate=%.0f "
		       "calls/s\n", total, buf,
		       elapsed_ms > 0 ? total * 1000.0 / elapsed_ms : 0.0);
	summary_traps(o->procs);
	ksft_print_msg("fuzz: seed=%" PRIu64 " procs=%d%s elapsed=%.1fs\n",
		       o->seed, o->procs, o->det ? " (-d)" : "",
		       elapsed_ms / 1000.0);
}

int main(int argc, char **argv)
{
	struct baseline b;
	struct opts o;
	long long t0, t1;
	int *statuses, hung, i;
	pid_t *pids;

	parse_args(argc, argv, &o);
	/* Before any plan: without the device the program skips whole. */
	if (access(WFP_IPSEC_DEVICE_PATH, R_OK | W_OK))
		ksft_exit_skip("%s: %s\n", WFP_IPSEC_DEVICE_PATH,
			       strerror(errno));
	/* first, so that any failure below can be replayed */
	printf("# fuzz: seed=%" PRIu64 "\n", o.seed);
	ksft_print_header();
	ksft_set_plan(o.procs + 6);
	setvbuf(stdout, NULL, _IOLBF, 0);

	g_res = mmap(NULL, o.procs * sizeof(*g_res), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	statuses = calloc(o.procs, sizeof(*statuses));
	if (g_res == MAP_FAILED || !statuses)
		ksft_exit_fail_msg("out of memory\n");
	memset(g_res, 0, o.procs * sizeof(*g_res));
	take_baseline(&b);

	/* the workers' datagrams need a route (traps.c) */
	if (!net_setup())
		ksft_print_msg("fuzz: no veth device: datagrams go nowhere, "
			       "no classify drop will come\n");
	t0 = wfp_now_ms();
	pids = start_workers(&o, b.nocap_ok);
	hung = wait_workers(pids, statuses, o.procs, 120);
	for (i = 0; i < o.procs; i++)
		report_worker(i, statuses[i], &g_res[i]);
	t1 = wfp_now_ms();
	net_teardown();
	write_param("expire_grace_seconds", b.grace);
	if (hung)
		ksft_print_msg("fuzz: %d worker(s) hung: seed=%" PRIu64 "\n",
			       hung, o.seed);
	final_checks(&b, o.procs);
	summary(&o, t1 - t0);
	free(b.xfrm);
	if (ksft_get_fail_cnt())
		ksft_exit_fail();
	ksft_exit_pass();
	return 0;
}
