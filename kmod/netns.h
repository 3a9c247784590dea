/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state of wfp-ipsec.
 */
#ifndef _WFP_NETNS_H
#define _WFP_NETNS_H

#include <linux/atomic.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "objects.h"

struct ctl_table_header;
struct net;
struct wfp_grants;

/*
 * A namespace's settings, its sysctls under net.wfp_ipsec (sysctl.c):
 * written under that file's lock, only ever to values inside their
 * ranges, and read locklessly with READ_ONCE.
 */
struct wfp_settings {
	unsigned int max_contexts;		/* context.c */
	unsigned int event_queue_len;		/* events.c */
	unsigned int expire_grace_seconds;	/* lifecycle.c */
	unsigned int spi_min;			/* spi.c: GetSpi's range */
	unsigned int spi_max;
};

struct wfp_net {
	struct net *net;
	/* Serialises session registration; sessions hold a reference on
	 * the namespace, so none is left when the namespace exits.
	 */
	struct mutex lock;
	struct list_head sessions;
	unsigned int nr_sessions;
	/* The check of every context after another plane's flush or
	 * policy change (lifecycle.c); km_flags: WFP_NET_RESCAN_*.
	 */
	struct work_struct km_rescan;
	unsigned long km_flags;

	/* Ids of the namespace (ids.c). */
	u64 id_base;
	atomic64_t last_session_id;
	atomic64_t last_context_id;
	atomic64_t last_sub_id;
	atomic64_t last_pctx_id;
	atomic64_t last_filter_id;

	/* SA contexts (context.c).  ctx_lock serialises writers of the
	 * indexes; readers use RCU.  Lock order: xfrm_cfg_mutex, ctx_lock.
	 */
	struct mutex ctx_lock;
	struct rhashtable contexts;	/* by id */
	struct list_head context_list;	/* in id order */
	struct rhashtable spis;		/* by (proto, inbound SPI), spi.c */
	struct rhashtable psets;	/* policy sets by selector, policy.c */
	struct idr reqids;		/* index of a reqid -> set, policy.c */
	unsigned int nr_contexts;

	/* For IPsecGetStatistics (stats.c). */
	atomic64_t sas_added;
	atomic64_t sas_deleted;
	atomic64_t rekeys;

	/* Subscriptions (events.c); a spinlock: events are emitted under
	 * the context locks.
	 */
	spinlock_t ev_lock;
	struct list_head subscribers;
	struct list_head net_subscribers;	/* netevent.c */
	struct xarray traps;		/* trap reqid -> trap, netevent.c */
	unsigned int nr_subs;		/* with reservations, ev_lock */
	/* The IPSEC_KERNEL_DROP poll (netevent.c): armed while
	 * net_subscribers is not empty.
	 */
	struct delayed_work kdrop_work;
	struct mutex kdrop_lock;	/* arming and disarming, kdrop_armed */
	bool kdrop_armed;

	/* Rights granted to users and groups (rights.c). */
	struct mutex rights_lock;
	struct wfp_grants __rcu *grants;

	/* Providers, sublayers, provider contexts, filters (objects.c). */
	struct wfp_objects objs;

	struct wfp_settings set;
	struct ctl_table_header *sysctl;	/* sysctl.c */
};

#define WFP_NET_RESCAN_QUEUED	0

struct wfp_net *wfp_net(const struct net *net);

int wfp_net_init(void);
void wfp_net_uninit(void);

#endif /* _WFP_NETNS_H */
