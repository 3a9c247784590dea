// SPDX-License-Identifier: GPL-2.0
/*
 * TXN_BEGIN, TXN_COMMIT and TXN_ABORT (0x1b-0x1d, transactions.rst).
 *
 * A write transaction holds its namespace's transaction lock, which
 * every other session's object write waits for: another worker's in the
 * initial namespace too (oracle.c lets those time out), and another
 * session of this worker's, which would wait for itself.  So a
 * transaction is one short episode here, on one session, and nothing
 * else of the worker runs while it is open: BEGIN, a few filter calls
 * (cmd_filter.c follows what they do, DELETEs pending until COMMIT),
 * context calls that must fail EINPROGRESS, a nested BEGIN, then COMMIT,
 * ABORT or the session's close.  COMMIT fails ECANCELED exactly when a
 * write inside failed in its handler.  After an ABORT or a close the
 * filter model is as at BEGIN, and, now and then, so is the count of the
 * worker's xfrm policies.  A child killed with SIGKILL in the middle of
 * a transaction leaves neither its filters nor their policies.
 */

#include <signal.h>
#include <sys/wait.h>

#include "fuzz.h"

#define TXN_CHILD_KEY0	0xf4	/* a killed child's filter keys */
#define TXN_CHILD_ADDS	3

/* The writes a transaction holds the lock for. */
bool txn_write_cmd(int nr)
{
	return nr == NR_OBJ_ADD || nr == NR_OBJ_DELETE || nr == NR_FILTER_ADD;
}

/*
 * After a call: a write whose handler failed inside a write transaction
 * dooms it.  The dispatcher's refusals (word, handshake, rights, the
 * argument's copy-in, a reply buffer found read-only before the handler:
 * kmod/dev.c) come before the handler and do not.
 */
void txn_note_call(const struct call *c, struct sess *s, int ret)
{
	if (s->txn != TXN_WRITE || !ret || !txn_write_cmd(cmd_nr(c->word)))
		return;
	if (c->am == AM_BAD ||
	    (c->am == AM_RO && (_IOC_DIR(c->word) & _IOC_READ)))
		return;
	s->txn_failed = true;
}

static void begin_mutate(struct call *c)
{
	struct wfp_ipsec_txn *t = &c->in.txn;

	if (mutate_common(c))
		return;
	switch (rn(3)) {
	case 0:
		t->flags |= 2u << rn(31);
		must_fail(c, "flags");
		break;
	case 1:
		poke_reserved(c, offsetof(struct wfp_ipsec_txn, reserved0), 4);
		break;
	default:
		poke_reserved(c, offsetof(struct wfp_ipsec_txn, reserved),
			      sizeof(t->reserved));
		break;
	}
}

/* BEGIN, read-only or not, maybe mutated: its errno. */
static int txn_begin(struct sess *s, bool ro)
{
	__u32 need = ro ? WFP_IPSEC_RIGHT_BEGIN_READ_TXN :
			  WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN;
	int m = n_mutations(), ret;
	struct call c;

	call_init(&c, NR_TXN_BEGIN);
	if (ro)
		c.in.txn.flags = WFP_IPSEC_TXN_F_READ_ONLY;
	while (m--)
		begin_mutate(&c);
	if (!(c.flags & C_MUST_FAIL) && c.am != AM_BAD)
		set_strict(&c, NULL, (sess_rights(s) & need) != need ?
			   ES(EACCES) : s->txn ? ES(EINPROGRESS) : ES(0));
	ret = exec_call(&c, s);
	if (!ret) {
		s->txn = ro ? TXN_READ : TXN_WRITE;
		s->txn_failed = false;
	}
	return ret;
}

/*
 * COMMIT or ABORT, maybe mutated (an argument the command has none of,
 * another word): what a session without a transaction, a read-only one
 * and a doomed one get.  Its errno.
 */
static int txn_end(struct sess *s, bool commit)
{
	struct call c;
	eset want;
	int ret;

	call_init(&c, commit ? NR_TXN_COMMIT : NR_TXN_ABORT);
	if (n_mutations())
		mutate_common(&c);
	if (!s->txn)
		want = ES(ENOLCK);
	else if (!commit || s->txn == TXN_READ)
		want = ES(0);
	else if (s->txn_failed)
		want = ES(ECANCELED);
	else
		/* a context bound to a filter pending DELETE */
		want = ES(0, EBUSY);
	set_strict(&c, NULL, want);
	ret = exec_call(&c, s);
	if (ret != ENOTTY && ret != EBADFD)
		s->txn = TXN_NONE;
	return ret;
}

/* Ends s's transaction, a mutated word first maybe: COMMIT's errno. */
static int txn_finish(struct sess *s, bool commit)
{
	int ret, tries = 0;

	do
		ret = txn_end(s, commit);
	while (s->txn && ++tries < 8);
	if (s->txn)
		fail(NR_TXN_ABORT, "transaction of session %llu not ended",
		     (unsigned long long)s->sid);
	return ret;
}

/* One call inside a transaction: mostly filters. */
static void txn_inner(struct sess *s)
{
	switch (rn(20)) {
	case 0:
		txn_begin(s, rn(2));	/* nested: EINPROGRESS */
		break;
	case 1:
		do_create(s, true);	/* EINPROGRESS */
		break;
	case 2:
		do_delete(s, NULL);	/* EINPROGRESS */
		break;
	default:
		do_filter(s);
		break;
	}
}

/* The worker's filter policies, when worth counting and countable. */
static int txn_policies(const struct sess *s)
{
	if (s->ns || W.in_child || !W.have_filters || !pm(300))
		return -1;
	return xfrm_pol_count(filter_in_pool);
}

/*
 * BEGIN, calls, then COMMIT, ABORT or the session's close.  Rolled back,
 * the worker's xfrm policies are as before BEGIN.
 */
static void txn_episode(struct sess *s, bool ro)
{
	int before = txn_policies(s), n = 1 + rn(4), ret = -1, after;
	unsigned int how = rn(10);

	if (txn_begin(s, ro) || !s->txn)
		return;
	if (!ro)
		filter_txn_begin();
	while (n--)
		txn_inner(s);
	if (how < 6) {
		ret = txn_finish(s, true);
	} else if (how < 9) {
		txn_finish(s, false);
	} else {
		/* the close aborts it */
		s->txn = TXN_NONE;
		sess_close(s);
	}
	if (ro)
		return;
	filter_txn_end(ret);
	after = before < 0 || !ret ? -1 : xfrm_pol_count(filter_in_pool);
	if (after >= 0 && after != before)
		fail(NR_TXN_ABORT, "%d policies of the worker's filters before "
		     "the transaction, %d after its rollback (%s)", before,
		     after, how < 6 ? "COMMIT failed" : how < 9 ? "ABORT" :
		     "close");
}

static void child_key(__u8 *key, int i)
{
	memset(key, 0, WFP_IPSEC_OBJ_KEY_LEN);
	key[0] = TXN_CHILD_KEY0;
	key[1] = (__u8)W.idx;
	key[2] = (__u8)(1 + i);
}

/*
 * The child: its own session (a short wait for another worker's lock),
 * a write transaction, a few filters; then it says how many went in and
 * waits to be killed.
 */
static void __attribute__((noreturn)) txn_child(int wfd)
{
	static struct wfp_ipsec_filter_cond conds[FILT_CONDS];
	struct wfp_ipsec_hello h = {
		.abi_version = WFP_IPSEC_ABI_VERSION,
		.txn_wait_ms = 2000,
	};
	struct wfp_ipsec_txn t = { 0 };
	struct wfp_ipsec_filter f;
	int fd, i, added = -1;
	bool multi;

	fd = open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && !ioctl(fd, WFP_IPSEC_IOC_HELLO, &h) &&
	    !ioctl(fd, WFP_IPSEC_IOC_TXN_BEGIN, &t))
		added = 0;
	/*
	 * A generated filter often fails: missing references, overlaps.  No
	 * trap the kernel's ICMP errors about the parent's earlier datagrams
	 * could meet while the parent reads: it knows no trap of the child's.
	 */
	for (i = 0; added >= 0 && added < TXN_CHILD_ADDS && i < 16; i++) {
		memset(&f, 0, sizeof(f));
		gen_filter(&f, conds, &multi);
		if (trap_meets_errors(&f, conds))
			continue;
		child_key(f.key, added);
		added += !ioctl(fd, WFP_IPSEC_IOC_FILTER_ADD, &f);
	}
	if (write(wfd, &added, sizeof(added)) != sizeof(added))
		_exit(1);
	for (;;)
		pause();
}

/*
 * A child killed with SIGKILL in the middle of a transaction: its
 * session's close rolls it back before the parent's wait returns, so
 * its keys name nothing and the worker's policies are as before.
 */
static void txn_killed_child(struct sess *s)
{
	int pfd[2], added = -1, before, after, i;
	struct call c;
	pid_t pid;

	if (s->ns || W.in_child || !W.have_filters || pipe(pfd))
		return;
	before = xfrm_pol_count(filter_in_pool);
	pid = fork();
	if (pid < 0) {
		fail(0, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		close(pfd[0]);
		txn_child(pfd[1]);
	}
	close(pfd[1]);
	if (read(pfd[0], &added, sizeof(added)) != sizeof(added))
		added = -1;
	close(pfd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (W.verbose > 1)
		out("# fuzz: w%d child %d killed in a transaction, %d filters "
		    "added", W.idx, (int)pid, added);
	for (i = 0; i < TXN_CHILD_ADDS; i++) {
		call_init(&c, NR_FILTER_GET);
		child_key(c.in.filt.key, i);
		set_strict(&c, NULL, ES(ENOENT));
		exec_call(&c, s);
	}
	after = xfrm_pol_count(filter_in_pool);
	if (after != before)
		fail(NR_TXN_BEGIN, "a child killed in a transaction (%d "
		     "filters added): %d policies of the worker's before, %d "
		     "after", added, before, after);
}

void do_txn(struct sess *s)
{
	unsigned int r = rn(100);
	struct sess *n;

	/* another thread's calls on s would land in the transaction */
	if (W.relaxed || W.closing || r < 20) {
		txn_finish(s, rn(2));	/* none open: ENOLCK */
		return;
	}
	if (r < 65)
		txn_episode(s, false);
	else if (r < 95)
		txn_episode(s, true);
	else if (!W.det && (n = sess_normal(0)))
		txn_killed_child(n);
}
