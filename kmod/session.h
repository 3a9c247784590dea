/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Engine sessions: one per open file of /dev/wfp-ipsec.
 */
#ifndef _WFP_SESSION_H
#define _WFP_SESSION_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <linux/wait.h>

#include "txn.h"

struct file;
struct net;
struct pid;
struct wfp_net;

struct wfp_session {
	struct wfp_net *wn;
	struct net *net;		/* held for the life of the session */
	const struct cred *cred;	/* opener's credentials, held */
	struct pid *pid;		/* opener's thread group, held */
	u64 id;
	u32 rights;			/* WFP_IPSEC_RIGHT_*, fixed at open */

	/* Set once by HELLO under wn->lock; abi_version is published last
	 * (release) and read first (acquire), so a non-zero version means
	 * the fields below are valid.
	 */
	u32 abi_version;
	u32 flags;
	u32 txn_wait_ms;
	uuid_t key;
	struct list_head node;		/* in wn->sessions once HELLO is done */

	/* Subscriptions (events.c), under wn->ev_lock. */
	struct list_head subs;
	unsigned int nr_subs;		/* with reservations */
	wait_queue_head_t ev_wait;

	struct wfp_txn txn;		/* txn.c */
};

struct wfp_session *wfp_session_open(struct file *file);
void wfp_session_close(struct wfp_session *s);
bool wfp_session_ready(const struct wfp_session *s);

int wfp_session_hello(struct wfp_session *s, void *arg);
int wfp_session_get_info(struct wfp_session *s, void *arg);

#endif /* _WFP_SESSION_H */
