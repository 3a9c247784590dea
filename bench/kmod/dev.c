// SPDX-License-Identifier: GPL-2.0
/*
 * wfp_ipsec_bench.ko: /dev/wfp-ipsec-bench.  Each open file holds the
 * opener's network namespace, where its WFP_IPSEC_IOC_BENCH_XFRM runs
 * (xfrm.c); release drops it.  A module of its own so the measuring loop
 * never ships in wfp_ipsec.ko; it needs nothing from it.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>

#include "bench.h"

static int wfp_bench_open(struct inode *inode, struct file *file)
{
	file->private_data = get_net(current->nsproxy->net_ns);
	return 0;
}

static int wfp_bench_release(struct inode *inode, struct file *file)
{
	put_net(file->private_data);
	return 0;
}

/*
 * The argument is copied in and, on success only, out; the handler checks
 * the caller's CAP_NET_ADMIN itself, over the namespace it works in.
 */
static long wfp_bench_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct wfp_ipsec_bench_xfrm p;
	void __user *uarg = (void __user *)arg;
	int ret;

	if (cmd != WFP_IPSEC_IOC_BENCH_XFRM)
		return -ENOTTY;
	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	ret = wfp_bench_xfrm(file->private_data, &p);
	if (!ret && copy_to_user(uarg, &p, sizeof(p)))
		ret = -EFAULT;
	return ret;
}

static const struct file_operations wfp_bench_fops = {
	.owner = THIS_MODULE,
	.open = wfp_bench_open,
	.release = wfp_bench_release,
	.unlocked_ioctl = wfp_bench_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice wfp_bench_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = WFP_IPSEC_BENCH_DEVICE_NAME,
	.fops = &wfp_bench_fops,
	.mode = 0600,
};

static int __init wfp_bench_init(void)
{
	BUILD_BUG_ON(sizeof(struct wfp_ipsec_bench_xfrm) != 32);
	return misc_register(&wfp_bench_dev);
}

static void __exit wfp_bench_exit(void)
{
	misc_deregister(&wfp_bench_dev);
}

module_init(wfp_bench_init);
module_exit(wfp_bench_exit);

MODULE_DESCRIPTION("wfp-ipsec benchmark: the xfrm work of an SA context in a kernel loop");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The wfp-ipsec authors");
