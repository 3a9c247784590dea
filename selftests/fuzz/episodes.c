// SPDX-License-Identifier: GPL-2.0
/*
 * Episodes: racing threads on one session, sessions in new network
 * namespaces, and namespace children that exit holding everything.
 */

#include "fuzz.h"
#include "kselftest.h"

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
		if (!ret && nr == NR_GET &&
		    (a.get.reserved1 ||
		     !all_zero(a.get.reserved, sizeof(a.get.reserved))))
			fail(nr, "racing thread: reserved not zero");
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

void race_episode(void)
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
		if (r.deleted[i]) {
			ctx_deleted(x, s->sid);
		} else if (r.expired[i]) {
			x->state = WFP_IPSEC_CTX_STATE_EXPIRED;
			x->proto[WFP_IPSEC_DIR_OUTBOUND] = 0;
		}
	}
}

/*
 * A session in a new network namespace, entered and left again: the
 * namespace lives as long as its sessions, and dies with its contexts
 * and SAs when the last one closes.
 */
void ns_sessions(void)
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
	cookie = netns_cookie();
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

/*
 * A child process keys a new namespace, reports the ids it made and
 * exits holding everything: the namespace dies with live contexts, SAs
 * and policies.  Its ids become "another namespace's" for the worker.
 */
/* What a namespace child reports to its worker through a pipe. */
struct child_report {
	uint64_t calls, fails, by_errno[128];
	__u64 ids[128];
	int nids;
};

/*
 * The child's side: a new namespace, two sessions, a share of the budget
 * left (left), its report, and an exit holding everything.
 */
static void __attribute__((noreturn)) ns_child_main(int fd, uint64_t left)
{
	struct child_report rep;
	int i, tag;

	W.in_child = true;
	/* the parent's sessions are not ours to use */
	for (i = 0; i < MAX_SESS; i++)
		W.sess[i].fd = -1;
	W.nctx = 0;
	memset(&W.st, 0, sizeof(W.st));
	if (unshare(CLONE_NEWNET))
		_exit(1);
	tag = ns_new(netns_cookie());
	W.child_ns = tag;
	/* its datagrams need the route the worker's namespace has */
	net_setup();
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
	if (write(fd, &rep, sizeof(rep)) != sizeof(rep))
		_exit(1);
	/* exit with the sessions open: the kernel closes them */
	_exit(0);
}

/* The child's counters into the worker's; its ids become foreign. */
static void ns_child_merge(const struct child_report *rep)
{
	int i;

	W.st.calls += rep->calls;
	W.st.fails += rep->fails;
	for (i = 0; i < 128; i++)
		W.st.by_errno[i] += rep->by_errno[i];
	for (i = 0; i < rep->nids && i < 128; i++)
		ring_put(W.foreign, &W.nforeign, rep->ids[i]);
	g_res->ns_children++;
}

void ns_child(void)
{
	uint64_t left = W.budget - TS->calls;
	struct child_report rep;
	int pfd[2], status = 0;
	ssize_t n;
	pid_t pid;

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
		ns_child_main(pfd[1], left);
	}
	close(pfd[1]);
	g_res->child = pid;
	memset(&rep, 0, sizeof(rep));
	n = read(pfd[0], &rep, sizeof(rep));
	close(pfd[0]);
	waitpid(pid, &status, 0);
	g_res->child = 0;
	if (n == sizeof(rep)) {
		ns_child_merge(&rep);
		return;
	}
	/*
	 * Only bookkeeping is lost: the child's ids stay out of the foreign
	 * pool.  What the kernel did is still judged by the errno oracle,
	 * the console scan and the end-of-run checks.
	 */
	ksft_print_msg("fuzz: namespace child %d sent no report (wait status "
		       "%#x)\n", (int)pid, status);
}
