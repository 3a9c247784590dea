// SPDX-License-Identifier: GPL-2.0
/*
 * Engine sessions.  A session is what FwpmEngineOpen0 returns: it is bound
 * to the network namespace and credentials of whoever opened the device,
 * never to whoever happens to call ioctl() on the descriptor later, so a
 * descriptor passed to another process keeps its original powers.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>

#include <linux/wfp_ipsec.h>

#include "events.h"
#include "netns.h"
#include "rights.h"
#include "ids.h"
#include "objects.h"
#include "session.h"

/*
 * The rights model until the SA database gets its own access list: the
 * opener's CAP_NET_ADMIN over the namespace grants everything, as for
 * xfrm_user and af_key.  It is decided once, at open(), like af_key does
 * at socket creation.
 */
static u32 wfp_session_rights(const struct file *file, const struct net *net)
{
	if (file_ns_capable(file, net->user_ns, CAP_NET_ADMIN))
		return __WFP_IPSEC_RIGHT_ALL;
	return 0;
}

struct wfp_session *wfp_session_open(struct file *file)
{
	struct wfp_session *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);

	s->net = get_net(current->nsproxy->net_ns);
	s->wn = wfp_net(s->net);
	s->cred = get_cred(file->f_cred);
	s->pid = get_pid(task_tgid(current));
	/* Never reused, so a stale id can never name a new session. */
	s->id = wfp_ids_session_next(s->wn);
	s->rights = wfp_session_rights(file, s->net);
	INIT_LIST_HEAD(&s->node);
	INIT_LIST_HEAD(&s->subs);
	init_waitqueue_head(&s->ev_wait);
	wfp_txn_session_init(s);
	if (!s->id) {
		wfp_session_close(s);
		return ERR_PTR(-ENOSPC);
	}
	return s;
}

void wfp_session_close(struct wfp_session *s)
{
	struct wfp_net *wn = s->wn;

	wfp_events_session_close(s);
	/* Before its objects go: what the transaction added is undone. */
	wfp_txn_session_close(s);
	if (wfp_session_ready(s)) {
		/* Its objects go with a dynamic session, killed or not. */
		wfp_objects_session_close(s);
		mutex_lock(&wn->lock);
		list_del(&s->node);
		wn->nr_sessions--;
		mutex_unlock(&wn->lock);
	}
	put_pid(s->pid);
	put_cred(s->cred);
	put_net(s->net);
	kfree(s);
}

bool wfp_session_ready(const struct wfp_session *s)
{
	/* Pairs with the release in wfp_session_hello(). */
	return smp_load_acquire(&s->abi_version) != 0;
}

static bool wfp_session_key_in_use(struct wfp_net *wn, const uuid_t *key)
{
	struct wfp_session *other;

	lockdep_assert_held(&wn->lock);
	list_for_each_entry(other, &wn->sessions, node)
		if (uuid_equal(&other->key, key))
			return true;
	return false;
}

int wfp_session_hello(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_hello *h = arg;
	struct wfp_net *wn = s->wn;
	bool pick_key;
	uuid_t key;
	int ret = 0;

	if (!h->abi_version || h->reserved0 ||
	    memchr_inv(h->reserved, 0, sizeof(h->reserved)))
		return -EINVAL;
	if (h->session_flags & ~__WFP_IPSEC_SESSION_F_ALL)
		return -EINVAL;

	import_uuid(&key, h->session_key);
	pick_key = uuid_is_null(&key);

	mutex_lock(&wn->lock);
	if (s->abi_version) {
		ret = -EALREADY;
		goto out_unlock;
	}
	/* A chosen key must be unique in the namespace, as BFE requires;
	 * a random one collides with negligible odds, but is checked too.
	 */
	for (;;) {
		if (pick_key)
			uuid_gen(&key);
		if (!wfp_session_key_in_use(wn, &key))
			break;
		if (!pick_key) {
			ret = -EEXIST;
			goto out_unlock;
		}
	}

	uuid_copy(&s->key, &key);
	s->flags = h->session_flags;
	s->txn_wait_ms = h->txn_wait_ms;
	list_add_tail(&s->node, &wn->sessions);
	wn->nr_sessions++;
	/* Publish last: a reader that sees the version sees the rest. */
	smp_store_release(&s->abi_version,
			  min_t(u32, h->abi_version, WFP_IPSEC_ABI_VERSION));

	h->abi_version = s->abi_version;
	h->features = __WFP_IPSEC_FEAT_ALL;
	h->session_id = s->id;
	export_uuid(h->session_key, &key);
out_unlock:
	mutex_unlock(&wn->lock);
	return ret;
}

int wfp_session_get_info(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_session_info *info = arg;
	struct user_namespace *user_ns = current_user_ns();

	info->session_id = s->id;
	export_uuid(info->session_key, &s->key);
	info->session_flags = s->flags;
	info->txn_wait_ms = s->txn_wait_ms;
	info->rights = wfp_rights_of(s);
	info->pid = pid_nr_ns(s->pid, task_active_pid_ns(current));
	info->uid = from_kuid_munged(user_ns, s->cred->euid);
	info->gid = from_kgid_munged(user_ns, s->cred->egid);
	info->abi_version = s->abi_version;
	info->netns_cookie = s->net->net_cookie;
	return 0;
}
