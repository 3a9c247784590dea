// SPDX-License-Identifier: GPL-2.0
/*
 * Sending one call: its argument placed as the call says, the errno
 * checked against the oracle, the profile counters kept.
 */

#include <sys/mman.h>

#include "fuzz.h"

static const char *const ptrkind_name[] = {
	"NULL", "PROT_NONE", "kernel", "non-canonical", "straddling",
};

void call_init(struct call *c, int nr)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->word = cmds[nr].cmd;
	c->size = _IOC_SIZE(c->word);
	c->expect_status = -1;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int sys_ioctl(int fd, unsigned int word, void *arg)
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
int exec_call(struct call *c, struct sess *s)
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
		    "%s%s -> %s", W.idx, T_TAG, W.step, cmd_name(c->nr),
		    c->word, (unsigned long long)s->sid,
		    c->mut[0] ? " mut=" : "", c->mut, ename(ret));
	if (W.closing && ret == EBADF)
		return ret;
	txn_note_call(c, s, ret);
	if (!es_has(set, ret)) {
		es_str(set, want, sizeof(want));
		fail(c->nr, "got %s, allowed {%s}; word=0x%x session=%llu"
		     "%s%s%s%s arg=%s", ename(ret), want, c->word,
		     (unsigned long long)s->sid,
		     s->ready ? "" : " (no handshake)",
		     s->nocap ? " (no cap)" : "",
		     s->dynamic ? " (dynamic)" : "",
		     c->gone ? " (id gone)" : "",
		     c->am == AM_BAD ? ptrkind_name[c->badkind] :
		     c->am == AM_RO ? "read-only" : "ok");
		if (c->mut[0])
			fail(c->nr, "  ... mutations: %s", c->mut);
	}
	return ret;
}
