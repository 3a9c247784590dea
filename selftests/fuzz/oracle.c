// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle: the command table, the errno sets the ABI allows for each
 * command (Documentation/errors.rst, the checks of kmod/) and the
 * dispatcher's gates in their order.
 */

#include <stdarg.h>

#include "fuzz.h"

const struct cmdinfo cmds[NR_MAX + 1] = {
	[0x01] = { "HELLO", WFP_IPSEC_IOC_HELLO, 0 },
	[0x02] = { "SESSION_GET", WFP_IPSEC_IOC_SESSION_GET, 0 },
	[0x03] = { "CTX_CREATE", WFP_IPSEC_IOC_CTX_CREATE,
		   WFP_IPSEC_RIGHT_ADD },
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
	[0x12] = { "RIGHTS_GET", WFP_IPSEC_IOC_RIGHTS_GET,
		   WFP_IPSEC_RIGHT_READ },
	[0x13] = { "RIGHTS_SET", WFP_IPSEC_IOC_RIGHTS_SET, 0 },
	[0x14] = { "CTX_ADD_BATCH", WFP_IPSEC_IOC_CTX_ADD_BATCH,
		   WFP_IPSEC_RIGHT_ADD },
	[0x15] = { "OBJ_ADD", WFP_IPSEC_IOC_OBJ_ADD, WFP_IPSEC_RIGHT_ADD },
	[0x16] = { "OBJ_DELETE", WFP_IPSEC_IOC_OBJ_DELETE,
		   WFP_IPSEC_RIGHT_DELETE },
	[0x17] = { "OBJ_GET", WFP_IPSEC_IOC_OBJ_GET, WFP_IPSEC_RIGHT_READ },
	[0x18] = { "OBJ_ENUM", WFP_IPSEC_IOC_OBJ_ENUM,
		   WFP_IPSEC_RIGHT_ENUM | WFP_IPSEC_RIGHT_READ },
	[0x19] = { "FILTER_ADD", WFP_IPSEC_IOC_FILTER_ADD,
		   WFP_IPSEC_RIGHT_ADD },
	[0x1a] = { "FILTER_GET", WFP_IPSEC_IOC_FILTER_GET,
		   WFP_IPSEC_RIGHT_READ },
	/* BEGIN's right depends on its flags: the handler checks it */
	[0x1b] = { "TXN_BEGIN", WFP_IPSEC_IOC_TXN_BEGIN, 0 },
	[0x1c] = { "TXN_COMMIT", WFP_IPSEC_IOC_TXN_COMMIT, 0 },
	[0x1d] = { "TXN_ABORT", WFP_IPSEC_IOC_TXN_ABORT, 0 },
	[0x1e] = { "NETEVENT_SUBSCRIBE", WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE,
		   WFP_IPSEC_RIGHT_SUBSCRIBE },
	[0x1f] = { "NETEVENT_UNSUBSCRIBE", WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE,
		   0 },
};

/* The command a word names, or 0: the dispatcher compares whole words. */
int cmd_nr(unsigned int word)
{
	int nr;

	for (nr = 1; nr <= NR_MAX; nr++)
		if (cmds[nr].cmd == word)
			return nr;
	return 0;
}

const char *cmd_name(int nr)
{
	return nr >= 1 && nr <= NR_MAX ? cmds[nr].name : "?";
}

eset es_of(int n, ...)
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

static eset es_del(eset s, int e)
{
	s.w[e / 64] &= ~(1ULL << (e % 64));
	return s;
}

bool es_has(eset s, int e)
{
	return e >= 0 && e < 128 && (s.w[e / 64] >> (e % 64)) & 1;
}

eset es_add(eset s, int e)
{
	s.w[e / 64] |= 1ULL << (e % 64);
	return s;
}


static eset es_and(eset a, eset b)
{
	a.w[0] &= b.w[0];
	a.w[1] &= b.w[1];
	return a;
}

const char *ename(int e)
{
	const char *n;

	if (!e)
		return "OK";
	n = strerrorname_np(e);
	return n ? n : "E?";
}

void es_str(eset s, char *buf, size_t len)
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
eset gen_set(int nr)
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
	case NR_OBJ_ADD:
		return ES(0, EINVAL, E2BIG, EEXIST, ENXIO, ENOSPC, EXDEV,
			  ENOMEM);
	case NR_OBJ_DELETE:
		return ES(0, EINVAL, ENOENT, EBUSY, EROFS, EPERM, ESRCH);
	case NR_OBJ_GET:
		return ES(0, EINVAL, ENOENT, ERANGE, ENOMEM);
	case NR_OBJ_ENUM:
		return ES(0, EINVAL);
	case NR_FILTER_ADD:
		return ES(0, EINVAL, E2BIG, EEXIST, EADDRINUSE, ENXIO, ENODEV,
			  ENOKEY, EPROTOTYPE, EDESTADDRREQ, EOPNOTSUPP, ENOSPC,
			  EXDEV, ENOMEM);
	case NR_FILTER_GET:
		return ES(0, EINVAL, ENOENT, ERANGE, ENOMEM);
	case NR_TXN_BEGIN:
		return ES(0, EINVAL, EACCES, EINPROGRESS, ETIMEDOUT);
	case NR_TXN_COMMIT:
		/* EBUSY: a DELETE a context's binding undid (at COMMIT) */
		return ES(0, ENOLCK, ECANCELED, EBUSY);
	case NR_TXN_ABORT:
		return ES(0, ENOLCK);
	case NR_NET_SUB:
		return ES(0, EINVAL, ENOSPC, ENOMEM);
	case NR_NET_UNSUB:
		return ES(0, EINVAL, ENOENT);
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

/* An entry's error must be one the failing single command could give. */
eset batch_step_set(__u32 step)
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

/*
 * What transactions change (transactions.rst): a write inside a
 * read-only one fails EBADE before anything else; one outside a write
 * transaction of the session's own may wait for another session's, of
 * another worker in the shared namespace, and time out; SA context
 * creation and deletion inside any fail EINPROGRESS.
 */
static eset txn_widen(eset set, int nr, const struct sess *s)
{
	if (txn_write_cmd(nr) && s->txn == TXN_READ)
		return ES(EBADE);
	if ((txn_write_cmd(nr) || nr == NR_TXN_BEGIN) && s->txn != TXN_WRITE)
		set = es_add(set, ETIMEDOUT);
	/* after the checks of the request and the session */
	if ((nr == NR_CREATE || nr == NR_DELETE) && s->txn != TXN_NONE)
		set = es_add(es_del(set, 0), EINPROGRESS);
	return set;
}

/*
 * The errno set the ABI allows for this call: the dispatcher's gates in
 * their order (command word, handshake, rights, copy-in), then the
 * command's own set, narrowed or widened by what the generator did.
 */
eset expected(const struct call *c, const struct sess *s)
{
	int nr = cmd_nr(c->word);
	unsigned int dir;
	eset set;

	if (!nr)
		return ES(ENOTTY);
	/* a module without the feature does not know the command */
	if ((nr == NR_BATCH && !W.have_batch) ||
	    ((nr == NR_FILTER_ADD || nr == NR_FILTER_GET) && !W.have_filters) ||
	    (nr >= NR_TXN_BEGIN && nr <= NR_TXN_ABORT && !W.have_txn) ||
	    ((nr == NR_NET_SUB || nr == NR_NET_UNSUB) && !W.have_netev))
		return ES(ENOTTY);
	if (!s->ready && nr != NR_HELLO)
		return ES(EBADFD);
	if ((cmds[nr].rights & sess_rights(s)) != cmds[nr].rights)
		return ES(EACCES);
	dir = _IOC_DIR(c->word);
	/* a command without an argument never reads one */
	if (c->am == AM_BAD && _IOC_SIZE(c->word))
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
	set = txn_widen(set, nr, s);
	if (c->am == AM_RO && (dir & _IOC_READ)) {
		/* The reply cannot be written back: never a success. */
		if (!(dir & _IOC_WRITE) || nr == NR_ADD_IN ||
		    nr == NR_ADD_OUT ||
		    nr == NR_BATCH)
			return ES(EFAULT);
		set = es_add(es_del(set, 0), EFAULT);
	}
	return set;
}

/*
 * Whether the worker knows exactly what the kernel holds for c: its own
 * context, in its namespace, no other thread at work, a known state.
 */
bool ctx_certain(const struct ctx *c, const struct sess *s)
{
	return c && c->state != ST_UNKNOWN && !W.relaxed && s->ready &&
	       !s->nocap && c->ns == s->ns;
}

/* A strict expectation, plus ENOENT when an SA lifetime may hit. */
void set_strict(struct call *c, const struct ctx *x, eset set)
{
	if (x && x->vol)
		set = es_add(set, ENOENT);
	c->strict = set;
	c->flags |= C_STRICT;
}
