// SPDX-License-Identifier: GPL-2.0
/*
 * wfp-ipsec: the Windows Filtering Platform IPsec SA-context control plane
 * on top of the kernel's xfrm state and policy databases.
 *
 * Module init and exit only: each subsystem is brought up in order and
 * torn down in exactly the reverse order.  The hooks come last: xfrm's
 * key-manager notifications (which reach per-namespace state from any
 * namespace) only once that state exists everywhere, and the device, so
 * no session can exist before what it needs.  They go first at exit.
 */

#include <linux/module.h>

#include <linux/wfp_ipsec.h>

#include "context.h"
#include "dev.h"
#include "ids.h"
#include "lifecycle.h"
#include "netns.h"

static int __init wfp_mod_init(void)
{
	int ret;

	wfp_ids_key_init();
	ret = wfp_context_init();
	if (ret)
		return ret;

	ret = wfp_lifecycle_init();
	if (ret)
		goto err_lifecycle;

	ret = wfp_net_init();
	if (ret)
		goto err_net;

	wfp_lifecycle_start();

	ret = wfp_dev_init();
	if (ret)
		goto err_dev;

	pr_info("ABI %d loaded\n", WFP_IPSEC_ABI_VERSION);
	return 0;

err_dev:
	wfp_lifecycle_stop();
	wfp_net_uninit();
err_net:
	wfp_lifecycle_uninit();
err_lifecycle:
	wfp_context_uninit();
	return ret;
}

static void __exit wfp_mod_exit(void)
{
	wfp_dev_uninit();
	/* No xfrm notification is queued after this, and the queued ones
	 * are done while every namespace's state is still there.
	 */
	wfp_lifecycle_stop();
	/* Ends every namespace's state, contexts included. */
	wfp_net_uninit();
	wfp_lifecycle_uninit();
	wfp_context_uninit();
}

module_init(wfp_mod_init);
module_exit(wfp_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Windows Filtering Platform IPsec SA contexts over xfrm");
MODULE_AUTHOR("The wfp-ipsec authors");
