/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Explicit transactions (FwpmTransactionBegin0/Commit0/Abort0) over the
 * management objects: Documentation/transactions.rst.
 */
#ifndef _WFP_TXN_H
#define _WFP_TXN_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct wfp_session;

enum wfp_txn_state {
	WFP_TXN_NONE,
	WFP_TXN_READ,
	WFP_TXN_WRITE,
};

/* A session's transaction. */
struct wfp_txn {
	struct mutex lock;	/* the fields; held across the session's writes */
	enum wfp_txn_state state;
	bool failed;		/* a call inside it failed: COMMIT aborts */
	struct list_head ops;	/* struct wfp_txn_op, in call order */
};

void wfp_txn_session_init(struct wfp_session *s);
void wfp_txn_session_close(struct wfp_session *s);
bool wfp_txn_open(const struct wfp_session *s);

int wfp_txn_begin(struct wfp_session *s, void *arg);
int wfp_txn_commit(struct wfp_session *s, void *arg);
int wfp_txn_abort(struct wfp_session *s, void *arg);

/* The object writes, through the namespace's transaction lock. */
int wfp_txn_obj_add(struct wfp_session *s, void *arg);
int wfp_txn_obj_delete(struct wfp_session *s, void *arg);
int wfp_txn_filter_add(struct wfp_session *s, void *arg);

#endif /* _WFP_TXN_H */
