// SPDX-License-Identifier: GPL-2.0
/*
 * The session pool: opening (with or without CAP_NET_ADMIN), picking,
 * closing, and what a closed session takes with it.
 */

#include "fuzz.h"

struct sess *sess_any(void)
{
	int i, n = 0;
	struct sess *pick = NULL;

	for (i = 0; i < MAX_SESS; i++)
		if (W.sess[i].fd >= 0 && !rn(++n))
			pick = &W.sess[i];
	return pick;
}

/* A ready session with every right in namespace ns, or NULL. */
struct sess *sess_normal(int ns)
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
struct sess *sess_for(int ns)
{
	struct sess *s = NULL;

	if (!pm(100))
		s = sess_normal(ns);
	return s ? s : sess_any();
}

__u32 sess_rights(const struct sess *s)
{
	return s->nocap ? 0 : __WFP_IPSEC_RIGHT_ALL;
}

static int cap_effective(bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	__u32 bit = 1U << (CAP_NET_ADMIN % 32);

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[CAP_NET_ADMIN / 32].effective |= bit;
	else
		data[CAP_NET_ADMIN / 32].effective &= ~bit;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

struct sess *sess_slot(void)
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
struct sess *sess_open(int ns, bool nocap)
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
void sess_forget(struct sess *s)
{
	int i;

	for (i = 0; i < s->nsubs; i++)
		ring_put(W.stale_subs, &W.nstale_subs, s->subs[i]);
	if (s->ready)
		memcpy(W.closed_keys[W.nclosed_keys++ % 16], s->key, 16);
	s->fd = -1;
	ns_session_gone(s->ns);
}

void sess_close(struct sess *s)
{
	close(s->fd);
	sess_forget(s);
}
