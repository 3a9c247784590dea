// SPDX-License-Identifier: GPL-2.0
/*
 * A worker process: its memory, its crash report, its loop and the
 * contexts it leaves behind for the parent to check.
 */

#include <execinfo.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "fuzz.h"

struct worker W;
__thread struct tstats *TS = &W.st;
__thread const char *T_TAG = "";
struct wresult *g_res;
__u64 g_features;

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
	void *p = mmap(NULL, n * 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

/* The module parameter /proc/sys/net/wfp_ipsec/NAME, or dflt. */
unsigned int read_param(const char *name, unsigned int dflt)
{
	char path[128], buf[32];
	unsigned int v;

	snprintf(path, sizeof(path), "/proc/sys/net/wfp_ipsec/%s", name);
	if (read_str(path, buf, sizeof(buf)) || sscanf(buf, "%u", &v) != 1)
		return dflt;
	return v;
}

int write_param(const char *name, unsigned int v)
{
	char path[128], buf[16];

	snprintf(path, sizeof(path), "/proc/sys/net/wfp_ipsec/%s", name);
	snprintf(buf, sizeof(buf), "%u\n", v);
	return write_str(path, buf);
}

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
		     "# fuzz: worker %d%s (pid %d) got signal %d at %p, "
		     "ip %#llx, step %" PRIu64 ", in %s, seed %" PRIu64
		     ", worker_main %p\n", W.idx,
		     W.in_child ? " (namespace child)" : "", (int)getpid(),
		     sig, si->si_addr,
		     (unsigned long long)uc->uc_mcontext.gregs[REG_RIP], W.step,
		     g_res->in_flight > 0 ? cmd_name(g_res->in_flight) :
		     "no call", W.seed, (void *)worker_main);
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

/* Memory for arguments, and the bad pointers' pages. */
static void map_buffers(void)
{
	unsigned char *g;

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
	W.batchkeys = map_pages(BATCH_N * 512 / 4096 + 1,
				PROT_READ | PROT_WRITE);
	W.enumbuf = calloc(ENUM_BUF + 8, sizeof(*W.enumbuf));
	if (!W.enumbuf)
		abort();
}

/* -v: calls and their average time by command, since t0. */
static void print_profile(uint64_t t0)
{
	uint64_t in_ioctl = 0, n;
	char buf[900];
	size_t off = 0;
	int i;

	for (i = 0; i < NR_SLOTS; i++)
		in_ioctl += W.st.ns_by_nr[i];
	for (i = 0; i < NR_SLOTS; i++) {
		n = W.st.n_by_nr[i];
		if (n)
			off += snprintf(buf + off, sizeof(buf) - off,
					" %s:%" PRIu64 "/%" PRIu64 "us",
					i ? cmd_name(i) : "other", n,
					W.st.ns_by_nr[i] / 1000 / n);
	}
	out("# fuzz: worker %d: %.1fs, in ioctl %.1fs; calls/avg:%s", W.idx,
	    (now_ns() - t0) / 1e9, in_ioctl / 1e9, buf);
}

void worker_main(int idx, uint64_t seed, uint64_t budget, int verbose,
		 bool nocap_ok, bool det)
{
	uint64_t t0;
	int i;

	memset(&W, 0, sizeof(W));
	W.idx = idx;
	W.seed = seed;
	crash_report_install();
	W.budget = budget;
	W.verbose = verbose;
	W.nocap_ok = nocap_ok;
	W.det = det;
	W.have_batch = g_features & WFP_IPSEC_FEAT_BATCH;
	W.have_filters = g_features & WFP_IPSEC_FEAT_FILTERS;
	W.have_txn = g_features & WFP_IPSEC_FEAT_TRANSACTIONS;
	W.have_netev = g_features & WFP_IPSEC_FEAT_NET_EVENTS;
	/* one stream per worker, all derived from the seed */
	rng_seed(&W.rng, seed ^ (0x9e3779b97f4a7c15ULL * (idx + 1)));
	for (i = 0; i < MAX_SESS; i++)
		W.sess[i].fd = -1;
	ns_new(netns_cookie());
	W.home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (W.home_ns < 0)
		abort();
	W.event_queue_len = read_param("event_queue_len", 1024);
	map_buffers();
	t0 = now_ns();
	worker_loop();
	if (verbose)
		print_profile(t0);
	make_survivors();
	/* filters first: they hold the objects they name */
	filter_cleanup();
	obj_cleanup();
	g_res->calls = W.st.calls;
	g_res->fails = W.st.fails;
	memcpy(g_res->by_errno, W.st.by_errno, sizeof(g_res->by_errno));
	g_res->done = 1;
	_exit(W.st.fails ? 1 : 0);
}
