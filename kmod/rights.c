// SPDX-License-Identifier: GPL-2.0
/*
 * The rights model of IPsecSaDbGetSecurityInfo0/SetSecurityInfo0.
 *
 * Windows keeps a security descriptor on the SA database; its DACL grants
 * FWPM_ACTRL_* rights to SIDs.  Here the database is a network
 * namespace's, and a grant names a Linux user or group (the library maps
 * them to the "Unix user/group" SIDs S-1-22-1-uid / S-1-22-2-gid).  So an
 * administrator can let a keying daemon run as an unprivileged user with
 * just the rights it needs, instead of CAP_NET_ADMIN.
 *
 * The grants are evaluated at every call, against the credentials the
 * session was opened with: a grant or revocation applies to open
 * sessions at once.  CAP_NET_ADMIN over the namespace still gives every
 * right and is the only way to change the grants.  The table is an
 * RCU-published array, replaced whole under wn->rights_lock.
 */

#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

#include <linux/wfp_ipsec.h>

#include "netns.h"
#include "rights.h"
#include "session.h"

struct wfp_grant {
	u32 kind;
	kuid_t uid;
	kgid_t gid;
	u32 rights;
};

struct wfp_grants {
	struct rcu_head rcu;
	unsigned int count;
	struct wfp_grant g[WFP_IPSEC_GRANTS_MAX];
};

void wfp_rights_net_init(struct wfp_net *wn)
{
	mutex_init(&wn->rights_lock);
	RCU_INIT_POINTER(wn->grants, NULL);
}

void wfp_rights_net_exit(struct wfp_net *wn)
{
	kfree(rcu_dereference_protected(wn->grants, true));
	mutex_destroy(&wn->rights_lock);
}

/* groups_search() is not exported; a session's groups are few. */
static bool wfp_cred_in_group(const struct cred *c, kgid_t gid)
{
	const struct group_info *gi = c->group_info;
	int i;

	if (gid_eq(gid, c->egid))
		return true;
	for (i = 0; gi && i < gi->ngroups; i++)
		if (gid_eq(gi->gid[i], gid))
			return true;
	return false;
}

static bool wfp_grant_applies(const struct wfp_grant *g, const struct cred *c)
{
	if (g->kind == WFP_IPSEC_GRANT_USER)
		return uid_eq(g->uid, c->euid);
	return wfp_cred_in_group(c, g->gid);
}

u32 wfp_rights_of(const struct wfp_session *s)
{
	const struct wfp_grants *gs;
	u32 rights = s->rights;
	unsigned int i;

	if (rights == __WFP_IPSEC_RIGHT_ALL)
		return rights;
	rcu_read_lock();
	gs = rcu_dereference(s->wn->grants);
	for (i = 0; gs && i < gs->count; i++)
		if (wfp_grant_applies(&gs->g[i], s->cred))
			rights |= gs->g[i].rights;
	rcu_read_unlock();
	return rights;
}

int wfp_rights_get(struct wfp_session *s, void *arg)
{
	struct user_namespace *ns = current_user_ns();
	struct wfp_ipsec_rights *r = arg;
	const struct wfp_grants *gs;
	unsigned int i;

	rcu_read_lock();
	gs = rcu_dereference(s->wn->grants);
	for (i = 0; gs && i < gs->count; i++) {
		struct wfp_ipsec_grant *out = &r->grants[i];

		out->kind = gs->g[i].kind;
		out->rights = gs->g[i].rights;
		out->id = out->kind == WFP_IPSEC_GRANT_USER ?
			  from_kuid_munged(ns, gs->g[i].uid) :
			  from_kgid_munged(ns, gs->g[i].gid);
	}
	r->count = i;
	rcu_read_unlock();
	return 0;
}

static int wfp_grant_import(const struct wfp_ipsec_grant *in,
			    struct wfp_grant *g)
{
	struct user_namespace *ns = current_user_ns();

	if (in->reserved || !in->rights || (in->rights & ~__WFP_IPSEC_RIGHT_ALL))
		return -EINVAL;
	g->kind = in->kind;
	g->rights = in->rights;
	switch (in->kind) {
	case WFP_IPSEC_GRANT_USER:
		g->uid = make_kuid(ns, in->id);
		return uid_valid(g->uid) ? 0 : -EINVAL;
	case WFP_IPSEC_GRANT_GROUP:
		g->gid = make_kgid(ns, in->id);
		return gid_valid(g->gid) ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int wfp_rights_set(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_rights *r = arg;
	struct wfp_net *wn = s->wn;
	struct wfp_grants *gs, *old;
	unsigned int i;
	int ret;

	/* Only who could do everything anyway may hand rights out. */
	if (s->rights != __WFP_IPSEC_RIGHT_ALL)
		return -EPERM;
	if (r->reserved0 || r->count > WFP_IPSEC_GRANTS_MAX ||
	    memchr_inv(&r->grants[r->count], 0,
		       (WFP_IPSEC_GRANTS_MAX - r->count) * sizeof(r->grants[0])))
		return -EINVAL;

	gs = kzalloc(sizeof(*gs), GFP_KERNEL_ACCOUNT);
	if (!gs)
		return -ENOMEM;
	for (i = 0; i < r->count; i++) {
		ret = wfp_grant_import(&r->grants[i], &gs->g[i]);
		if (ret) {
			kfree(gs);
			return ret;
		}
	}
	gs->count = r->count;

	mutex_lock(&wn->rights_lock);
	old = rcu_replace_pointer(wn->grants, gs,
				  lockdep_is_held(&wn->rights_lock));
	mutex_unlock(&wn->rights_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}
