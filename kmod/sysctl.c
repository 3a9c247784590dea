// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a network namespace, as sysctls under net.wfp_ipsec:
 * max_contexts, event_queue_len, expire_grace_seconds, spi_min, spi_max.
 *
 * Each namespace has its own copy, so the administrator of one (a
 * container's root) tunes it without reaching any other.  A new
 * namespace starts from the module parameters of the same names, which
 * are read-only: a value changed at run time only ever reaches the
 * namespace it was written in.  The parameters are checked against the
 * sysctls' ranges at load, so a namespace never starts outside them.
 *
 * Writing takes CAP_NET_ADMIN over the namespace's user namespace: the
 * net sysctl permission hook opens the file to it, and the handler
 * refuses a writer without it (EPERM), uid 0 included.  Every write is
 * range-checked and refused with EINVAL - not the ERANGE
 * proc_douintvec_minmax() returns, so that a refused value gives one
 * errno whichever check refused it - and the old value stays.  spi_min
 * and spi_max are written one at a time, so each is also checked against
 * the other as it is at that moment; one lock over every write makes that
 * check and the store a single step.  The readers (context creation,
 * Subscribe, Expire, GetSpi) take no lock: each reads one value with
 * READ_ONCE, and GetSpi still checks the pair it read, since two writes
 * can move the range between its two reads.
 */

#include <linux/capability.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

#include "netns.h"
#include "sysctl.h"

/*
 * What a sysctl sets: where in struct wfp_settings, and its range.  The
 * table's .data is the value itself; the offset leads back from it to
 * the namespace, for the capability check and the other SPI bound.
 */
struct wfp_knob {
	size_t offset;
	unsigned int lo, hi;
};

#define WFP_KNOB(field, min, max) {					\
	.offset = offsetof(struct wfp_settings, field),			\
	.lo = (min),							\
	.hi = (max),							\
}

/*
 * 16M contexts is some 30 GiB of kernel memory for contexts alone, far
 * beyond any real SA database; the bound only keeps the value meaningful.
 * 0 is allowed: a namespace where no context may be created.
 */
static const struct wfp_knob wfp_knob_max_contexts =
	WFP_KNOB(max_contexts, 0, 1U << 24);

/*
 * A subscription's queue is one kvzalloc of event_queue_len 32-byte
 * records: 2 MiB at 65536, far below the INT_MAX bytes at which
 * kvmalloc() WARNs (fatal with panic_on_warn), and far more than a
 * subscriber reading its descriptor needs.  A queue of 0 holds nothing.
 */
static const struct wfp_knob wfp_knob_event_queue_len =
	WFP_KNOB(event_queue_len, 1, 1U << 16);

/*
 * A day: longer makes no sense for packets in flight at a rekey, and
 * keeps seconds * HZ (lifecycle.c) far from overflowing.
 */
static const struct wfp_knob wfp_knob_expire_grace_seconds =
	WFP_KNOB(expire_grace_seconds, 0, 24 * 60 * 60);

/* RFC 4303: SPIs 0-255 are reserved (as SetSpi enforces, spi.c). */
static const struct wfp_knob wfp_knob_spi_min = WFP_KNOB(spi_min, 256, U32_MAX);
static const struct wfp_knob wfp_knob_spi_max = WFP_KNOB(spi_max, 256, U32_MAX);

/* The defaults of every new namespace: the module parameters. */
static struct wfp_settings wfp_defaults = {
	.max_contexts = 1U << 20,
	.event_queue_len = 1024,
	.expire_grace_seconds = 60,
	/* Away from strongSwan's 0xc0000000-0xcfffffff and PF_KEY's
	 * 0x100-0x0fffffff defaults, so SPIs chosen here and by a daemon
	 * sharing the namespace seldom meet (xfrm refuses duplicates).
	 */
	.spi_min = 0xd0000000,
	.spi_max = 0xdfffffff,
};

module_param_named(max_contexts, wfp_defaults.max_contexts, uint, 0444);
MODULE_PARM_DESC(max_contexts,
		 "net.wfp_ipsec.max_contexts of new namespaces (default 1048576, 0-16777216)");
module_param_named(event_queue_len, wfp_defaults.event_queue_len, uint, 0444);
MODULE_PARM_DESC(event_queue_len,
		 "net.wfp_ipsec.event_queue_len of new namespaces (default 1024, 1-65536)");
module_param_named(expire_grace_seconds, wfp_defaults.expire_grace_seconds,
		   uint, 0444);
MODULE_PARM_DESC(expire_grace_seconds,
		 "net.wfp_ipsec.expire_grace_seconds of new namespaces (default 60, 0-86400)");
module_param_named(spi_min, wfp_defaults.spi_min, uint, 0444);
MODULE_PARM_DESC(spi_min,
		 "net.wfp_ipsec.spi_min of new namespaces (default 0xd0000000, >= 256, <= spi_max)");
module_param_named(spi_max, wfp_defaults.spi_max, uint, 0444);
MODULE_PARM_DESC(spi_max,
		 "net.wfp_ipsec.spi_max of new namespaces (default 0xdfffffff)");

static DEFINE_MUTEX(wfp_sysctl_lock);

/*
 * Reads the value, or writes it through a copy, so that a refused write
 * leaves it as it was and lockless readers never see a half-parsed one.
 */
static int wfp_sysctl_handle(struct ctl_table *table, int write, void *buf,
			     size_t *lenp, loff_t *ppos)
{
	const struct wfp_knob *k = table->extra1;
	unsigned int *val = table->data, v, lo = k->lo, hi = k->hi;
	struct wfp_settings *set = (void *)val - k->offset;
	struct wfp_net *wn = container_of(set, struct wfp_net, set);
	struct ctl_table tmp = {
		.data = &v,
		.maxlen = sizeof(v),
		.mode = table->mode,
		.extra1 = &lo,
		.extra2 = &hi,
	};
	int ret;

	/* The permission hook lets uid 0 write without the capability;
	 * the module grants nothing to such a process (rights.c), and
	 * its settings are no exception.
	 */
	if (write && !ns_capable(wn->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;

	mutex_lock(&wfp_sysctl_lock);
	if (k == &wfp_knob_spi_min)
		hi = min(hi, set->spi_max);
	else if (k == &wfp_knob_spi_max)
		lo = max(lo, set->spi_min);
	v = READ_ONCE(*val);
	ret = proc_douintvec_minmax(&tmp, write, buf, lenp, ppos);
	if (ret == -ERANGE)
		ret = -EINVAL;
	else if (!ret && write)
		WRITE_ONCE(*val, v);
	mutex_unlock(&wfp_sysctl_lock);
	return ret;
}

#define WFP_SYSCTL(field) {						\
	.procname = #field,						\
	.data = &wfp_defaults.field,					\
	.maxlen = sizeof(unsigned int),					\
	.mode = 0644,							\
	.proc_handler = wfp_sysctl_handle,				\
	.extra1 = (void *)&wfp_knob_##field,				\
}

/*
 * The template every namespace's table is copied from: .data points into
 * wfp_defaults and is moved to the same field of the namespace's
 * settings; the knobs stay shared.
 */
static struct ctl_table wfp_sysctl_template[] = {
	WFP_SYSCTL(max_contexts),
	WFP_SYSCTL(event_queue_len),
	WFP_SYSCTL(expire_grace_seconds),
	WFP_SYSCTL(spi_min),
	WFP_SYSCTL(spi_max),
	{ }
};

/*
 * The module parameters against the sysctls' own ranges, at load: a bad
 * value fails the load rather than reach every namespace.
 */
int wfp_sysctl_check_defaults(void)
{
	const struct ctl_table *ent;
	int ret = 0;

	for (ent = wfp_sysctl_template; ent->procname; ent++) {
		const struct wfp_knob *k = ent->extra1;
		unsigned int v = *(unsigned int *)ent->data;

		if (v < k->lo || v > k->hi) {
			pr_err("%s=%u is outside %u..%u\n", ent->procname, v,
			       k->lo, k->hi);
			ret = -EINVAL;
		}
	}
	if (wfp_defaults.spi_min > wfp_defaults.spi_max) {
		pr_err("spi_min=%#x is above spi_max=%#x\n",
		       wfp_defaults.spi_min, wfp_defaults.spi_max);
		ret = -EINVAL;
	}
	return ret;
}

int wfp_sysctl_net_init(struct wfp_net *wn)
{
	ptrdiff_t rebase = (void *)&wn->set - (void *)&wfp_defaults;
	struct ctl_table *table;
	int i;

	wn->set = wfp_defaults;
	/* A copy even for the initial namespace: the template's .data is
	 * the defaults, which no namespace may write.
	 */
	table = kmemdup(wfp_sysctl_template, sizeof(wfp_sysctl_template),
			GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; table[i].procname; i++)
		table[i].data += rebase;

	wn->sysctl = register_net_sysctl(wn->net, "net/wfp_ipsec", table);
	if (!wn->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

void wfp_sysctl_net_exit(struct wfp_net *wn)
{
	struct ctl_table *table = wn->sysctl->ctl_table_arg;

	/* Waits for the handlers running on this table: none is left to
	 * touch wn->set after this.
	 */
	unregister_net_sysctl_table(wn->sysctl);
	kfree(table);
}
