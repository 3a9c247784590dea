// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: created with the namespace (or at module
 * load for the namespaces that already exist), torn down at its exit.
 */

#include <linux/netdevice.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "context.h"
#include "filter.h"
#include "ids.h"
#include "lifecycle.h"
#include "netevent.h"
#include "netns.h"
#include "objects.h"
#include "rights.h"
#include "sysctl.h"

static unsigned int wfp_net_id __read_mostly;

struct wfp_net *wfp_net(const struct net *net)
{
	return net_generic(net, wfp_net_id);
}

static int __net_init wfp_net_setup(struct net *net)
{
	struct wfp_net *wn = wfp_net(net);
	int ret;

	wn->net = net;
	mutex_init(&wn->lock);
	INIT_LIST_HEAD(&wn->sessions);
	wfp_ids_net_init(wn);
	wfp_lifecycle_net_init(wn);
	wfp_rights_net_init(wn);
	ret = wfp_context_table_init(wn);
	if (ret)
		return ret;
	ret = wfp_objects_net_init(wn);
	if (ret)
		goto out_ctx;
	/* Last: its files appear only once what they set exists. */
	ret = wfp_sysctl_net_init(wn);
	if (ret) {
		wfp_objects_net_exit(wn);
out_ctx:
		wfp_context_table_destroy(wn);
		wfp_rights_net_exit(wn);
		mutex_destroy(&wn->lock);
	}
	return ret;
}

static void __net_exit wfp_net_teardown(struct net *net)
{
	struct wfp_net *wn = wfp_net(net);

	/* First: no sysctl handler may run on wn->set once it goes. */
	wfp_sysctl_net_exit(wn);
	/* Every session pins its namespace, so an exiting one has none. */
	WARN_ON_ONCE(!list_empty(&wn->sessions));
	/* Disarmed with the last session; before what its work reads. */
	wfp_netevent_net_exit(wn);
	wfp_filters_net_exit(wn);
	wfp_objects_net_exit(wn);
	wfp_context_table_destroy(wn);
	wfp_rights_net_exit(wn);
	mutex_destroy(&wn->lock);
}

static struct pernet_operations wfp_net_ops = {
	.init = wfp_net_setup,
	.exit = wfp_net_teardown,
	.id = &wfp_net_id,
	.size = sizeof(struct wfp_net),
};

int wfp_net_init(void)
{
	int ret;

	/* Every namespace, the existing ones included, starts from them. */
	ret = wfp_sysctl_check_defaults();
	if (ret)
		return ret;
	return register_pernet_subsys(&wfp_net_ops);
}

void wfp_net_uninit(void)
{
	unregister_pernet_subsys(&wfp_net_ops);
}
