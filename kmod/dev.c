// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/wfp-ipsec: open() makes an engine session, ioctl() dispatches the
 * commands of uapi/linux/wfp_ipsec.h through one table, release() ends the
 * session.  Copying arguments in and out, the size and direction checks,
 * the handshake gate and the rights check live here, once, so a handler
 * only ever sees a kernel copy of a well-formed request.
 */

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include <linux/wfp_ipsec.h>

#include "batch.h"
#include "context.h"
#include "dev.h"
#include "rights.h"
#include "events.h"
#include "filter.h"
#include "lifecycle.h"
#include "netevent.h"
#include "objects.h"
#include "session.h"
#include "sa.h"
#include "spi.h"
#include "stats.h"
#include "txn.h"
#include "update.h"

/* Largest argument any command takes; bigger ones would need kmalloc. */
#define WFP_IOCTL_MAX_SIZE	512

/* The command may run before WFP_IPSEC_IOC_HELLO. */
#define WFP_IOCTL_F_BEFORE_HELLO	BIT(0)
/* The reply is copied out on failure too: it explains the failure. */
#define WFP_IOCTL_F_STATUS		BIT(1)

struct wfp_ioctl_desc {
	unsigned int cmd;
	unsigned int flags;
	u32 rights;		/* WFP_IPSEC_RIGHT_* the session must hold */
	int (*handler)(struct wfp_session *s, void *arg);
};

/*
 * Indexed by command number - 1: entry i handles number i + 1, so the
 * dispatcher finds a handler without a search.  wfp_ioctl_table_check()
 * proves the order and the sizes when the module loads.
 */
static const struct wfp_ioctl_desc wfp_ioctls[] = {
	{ WFP_IPSEC_IOC_HELLO, WFP_IOCTL_F_BEFORE_HELLO, 0,
	  wfp_session_hello },
	{ WFP_IPSEC_IOC_SESSION_GET, 0, 0, wfp_session_get_info },
	{ WFP_IPSEC_IOC_CTX_CREATE, 0, WFP_IPSEC_RIGHT_ADD,
	  wfp_context_create },
	{ WFP_IPSEC_IOC_CTX_DELETE, 0, WFP_IPSEC_RIGHT_DELETE,
	  wfp_context_delete },
	{ WFP_IPSEC_IOC_CTX_GET, 0, WFP_IPSEC_RIGHT_READ,
	  wfp_context_get_info },
	{ WFP_IPSEC_IOC_CTX_ENUM, 0,
	  WFP_IPSEC_RIGHT_ENUM | WFP_IPSEC_RIGHT_READ, wfp_context_enum },
	{ WFP_IPSEC_IOC_CTX_SET_SPI, 0, WFP_IPSEC_RIGHT_ADD, wfp_spi_set },
	{ WFP_IPSEC_IOC_CTX_GET_SPI, 0, WFP_IPSEC_RIGHT_ADD, wfp_spi_get },
	{ WFP_IPSEC_IOC_CTX_SET_SELECTORS, 0, WFP_IPSEC_RIGHT_ADD,
	  wfp_context_set_selectors },
	{ WFP_IPSEC_IOC_CTX_ADD_INBOUND, WFP_IOCTL_F_STATUS,
	  WFP_IPSEC_RIGHT_ADD, wfp_sa_add_inbound },
	{ WFP_IPSEC_IOC_CTX_ADD_OUTBOUND, WFP_IOCTL_F_STATUS,
	  WFP_IPSEC_RIGHT_ADD, wfp_sa_add_outbound },
	{ WFP_IPSEC_IOC_CTX_GET_SA, 0, WFP_IPSEC_RIGHT_READ, wfp_sa_get },
	{ WFP_IPSEC_IOC_CTX_EXPIRE, 0, WFP_IPSEC_RIGHT_DELETE,
	  wfp_lifecycle_expire },
	{ WFP_IPSEC_IOC_SUBSCRIBE, 0, WFP_IPSEC_RIGHT_SUBSCRIBE,
	  wfp_events_subscribe },
	{ WFP_IPSEC_IOC_UNSUBSCRIBE, 0, 0, wfp_events_unsubscribe },
	{ WFP_IPSEC_IOC_STATS, 0, WFP_IPSEC_RIGHT_READ_STATS, wfp_stats_get },
	{ WFP_IPSEC_IOC_CTX_UPDATE, 0, WFP_IPSEC_RIGHT_WRITE, wfp_update },
	{ WFP_IPSEC_IOC_RIGHTS_GET, 0, WFP_IPSEC_RIGHT_READ, wfp_rights_get },
	{ WFP_IPSEC_IOC_RIGHTS_SET, 0, 0, wfp_rights_set },
	{ WFP_IPSEC_IOC_CTX_ADD_BATCH, WFP_IOCTL_F_STATUS, WFP_IPSEC_RIGHT_ADD,
	  wfp_batch_add },
	{ WFP_IPSEC_IOC_OBJ_ADD, 0, WFP_IPSEC_RIGHT_ADD, wfp_txn_obj_add },
	{ WFP_IPSEC_IOC_OBJ_DELETE, 0, WFP_IPSEC_RIGHT_DELETE,
	  wfp_txn_obj_delete },
	{ WFP_IPSEC_IOC_OBJ_GET, 0, WFP_IPSEC_RIGHT_READ, wfp_objects_get },
	{ WFP_IPSEC_IOC_OBJ_ENUM, 0,
	  WFP_IPSEC_RIGHT_ENUM | WFP_IPSEC_RIGHT_READ, wfp_objects_enum },
	{ WFP_IPSEC_IOC_FILTER_ADD, 0, WFP_IPSEC_RIGHT_ADD,
	  wfp_txn_filter_add },
	{ WFP_IPSEC_IOC_FILTER_GET, 0, WFP_IPSEC_RIGHT_READ, wfp_filter_get },
	/* BEGIN's rights depend on its flags: wfp_txn_begin() checks. */
	{ WFP_IPSEC_IOC_TXN_BEGIN, 0, 0, wfp_txn_begin },
	{ WFP_IPSEC_IOC_TXN_COMMIT, 0, 0, wfp_txn_commit },
	{ WFP_IPSEC_IOC_TXN_ABORT, 0, 0, wfp_txn_abort },
	{ WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE, 0, WFP_IPSEC_RIGHT_SUBSCRIBE,
	  wfp_netevent_subscribe },
	{ WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, 0, 0, wfp_netevent_unsubscribe },
};

static int wfp_ioctl_table_check(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wfp_ioctls); i++) {
		unsigned int cmd = wfp_ioctls[i].cmd;

		if (_IOC_TYPE(cmd) != WFP_IPSEC_IOC_TYPE ||
		    _IOC_NR(cmd) != i + 1 ||
		    _IOC_SIZE(cmd) > WFP_IOCTL_MAX_SIZE) {
			pr_err("ioctl table entry %u (cmd 0x%x) is wrong\n",
			       i, cmd);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct wfp_ioctl_desc *wfp_ioctl_find(unsigned int cmd)
{
	unsigned int idx = _IOC_NR(cmd) - 1;
	const struct wfp_ioctl_desc *desc;

	if (_IOC_TYPE(cmd) != WFP_IPSEC_IOC_TYPE ||
	    idx >= ARRAY_SIZE(wfp_ioctls))
		return NULL;
	desc = &wfp_ioctls[array_index_nospec(idx, ARRAY_SIZE(wfp_ioctls))];
	/* The whole command word must match: a known number with another
	 * size or direction is a different, unknown command.
	 */
	if (desc->cmd != cmd || !desc->handler)
		return NULL;
	return desc;
}

static long wfp_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	u64 kdata[WFP_IOCTL_MAX_SIZE / sizeof(u64)];
	struct wfp_session *s = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct wfp_ioctl_desc *desc;
	unsigned int size;
	long ret;

	desc = wfp_ioctl_find(cmd);
	if (!desc)
		return -ENOTTY;
	if (!(desc->flags & WFP_IOCTL_F_BEFORE_HELLO) && !wfp_session_ready(s))
		return -EBADFD;
	if ((wfp_rights_of(s) & desc->rights) != desc->rights)
		return -EACCES;

	size = _IOC_SIZE(cmd);
	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (copy_from_user(kdata, uarg, size))
			return -EFAULT;
		/* A command that fails changes nothing: a reply that cannot
		 * be written must fail the command before the handler acts,
		 * not after it created a context or reserved an SPI.  Writing
		 * the caller's own bytes back proves the buffer writable
		 * without changing it.
		 */
		if ((_IOC_DIR(cmd) & _IOC_READ) &&
		    copy_to_user(uarg, kdata, size)) {
			ret = -EFAULT;
			goto out;
		}
	} else {
		memset(kdata, 0, size);
	}

	ret = desc->handler(s, kdata);

	/* Output structures are built in the zeroed or copied-in buffer,
	 * so no byte of kernel stack ever reaches userspace.
	 */
	if ((!ret || (desc->flags & WFP_IOCTL_F_STATUS)) &&
	    (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, kdata, size))
		ret = -EFAULT;
out:
	memzero_explicit(kdata, size);
	return ret;
}

static int wfp_dev_open(struct inode *inode, struct file *file)
{
	struct wfp_session *s;

	s = wfp_session_open(file);
	if (IS_ERR(s))
		return PTR_ERR(s);
	file->private_data = s;
	return 0;
}

/* Events of the session's subscriptions, whole records only. */
static ssize_t wfp_dev_read(struct file *file, char __user *buf, size_t len,
			    loff_t *ppos)
{
	return wfp_events_read(file->private_data, buf, len,
			       file->f_flags & O_NONBLOCK);
}

static __poll_t wfp_dev_poll(struct file *file, poll_table *wait)
{
	return wfp_events_poll(file->private_data, file, wait);
}

static int wfp_dev_release(struct inode *inode, struct file *file)
{
	wfp_session_close(file->private_data);
	return 0;
}

static const struct file_operations wfp_dev_fops = {
	.owner = THIS_MODULE,
	.open = wfp_dev_open,
	.release = wfp_dev_release,
	.read = wfp_dev_read,
	.poll = wfp_dev_poll,
	.unlocked_ioctl = wfp_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice wfp_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = WFP_IPSEC_DEVICE_NAME,
	.fops = &wfp_dev_fops,
	.mode = 0600,
};

int wfp_dev_init(void)
{
	int ret;

	ret = wfp_ioctl_table_check();
	if (ret)
		return ret;
	return misc_register(&wfp_dev);
}

void wfp_dev_uninit(void)
{
	misc_deregister(&wfp_dev);
}
