// SPDX-License-Identifier: GPL-2.0
/*
 * The parent: options, baselines, the workers and their watchdog, the
 * end-of-run checks and the summary.
 */

#include <dirent.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "fuzz.h"
#include "wfp_xfrm.h"
#include "kselftest.h"

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

static bool reqid_ours(UINT32 reqid)
{
	return reqid >= REQID_MIN && reqid <= REQID_MAX;
}

/* buf: 64 bytes */
static void xaddr(int family, const UINT8 *a, char *buf)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, 64))
		snprintf(buf, 64, "-");
}

/* The module's states and policies in the current namespace. */
static int xfrm_ours(struct xobj **out, int *nout)
{
	struct xs *sa = NULL;
	struct xp *sp = NULL;
	int nsa = sa_dump(-1, &sa), nsp = sp_dump(-1, &sp), n = 0, i;
	struct xobj *v = calloc(nsa + nsp + 2, sizeof(*v));
	char s[64], d[64];

	if (!v)
		abort();
	for (i = 0; i < nsa; i++) {
		if (!reqid_ours(sa[i].reqid))
			continue;
		xaddr(sa[i].family, sa[i].saddr, s);
		xaddr(sa[i].family, sa[i].daddr, d);
		snprintf(v[n++].s, sizeof(v[0].s), "state %s -> %s proto %d "
			 "spi 0x%x reqid 0x%x", s, d, sa[i].proto, sa[i].spi,
			 sa[i].reqid);
	}
	for (i = 0; i < nsp; i++) {
		if (sp[i].ntmpl < 1 || !reqid_ours(sp[i].reqid))
			continue;
		xaddr(sp[i].family, sp[i].saddr, s);
		xaddr(sp[i].family, sp[i].daddr, d);
		snprintf(v[n++].s, sizeof(v[0].s), "policy dir %d %s -> %s "
			 "reqid 0x%x", sp[i].dir, s, d, sp[i].reqid);
	}
	free(sa);
	free(sp);
	if (nsa < 0 || nsp < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
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
		since[i] = wfp_now_ms();
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
				since[k] = wfp_now_ms();
				continue;
			}
			if (wfp_now_ms() - since[k] < (uint64_t)stall_s * 1000)
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
			since[k] = wfp_now_ms();
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
	ref0 = wfp_module_refcnt();
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
	t0 = wfp_now_ms();
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
	t1 = wfp_now_ms();
	write_param("expire_grace_seconds", grace0);
	if (hung)
		ksft_print_msg("fuzz: %d worker(s) hung: seed=%" PRIu64 "\n", hung,
			       seed);

	/* 1: every session closed, so every module reference dropped */
	for (i = 0; i < 100; i++) {
		ref1 = wfp_module_refcnt();
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

