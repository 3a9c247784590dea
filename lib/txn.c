// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmTransactionBegin0, FwpmTransactionCommit0, FwpmTransactionAbort0:
 * the session's explicit transaction (Documentation/transactions.rst).
 * Their errnos map to codes in wfp_status_from_errno(), since the object
 * calls inside a transaction return them too.
 */
#include <string.h>

#include "internal.h"

_Static_assert(FWPM_TXN_READ_ONLY == WFP_IPSEC_TXN_F_READ_ONLY,
	       "FWPM_TXN_READ_ONLY");

static DWORD txn_call(HANDLE engineHandle, unsigned long cmd, void *arg)
{
	struct wfp_engine *e;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, cmd, arg);
	wfp_engine_put(e);
	return wfp_status_from_errno(err);
}

DWORD WINAPI FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags)
{
	struct wfp_ipsec_txn t;

	if (flags & ~FWPM_TXN_READ_ONLY)
		return FWP_E_INVALID_FLAGS;
	memset(&t, 0, sizeof(t));
	t.flags = flags;
	return txn_call(engineHandle, WFP_IPSEC_IOC_TXN_BEGIN, &t);
}

DWORD WINAPI FwpmTransactionCommit0(HANDLE engineHandle)
{
	return txn_call(engineHandle, WFP_IPSEC_IOC_TXN_COMMIT, NULL);
}

DWORD WINAPI FwpmTransactionAbort0(HANDLE engineHandle)
{
	return txn_call(engineHandle, WFP_IPSEC_IOC_TXN_ABORT, NULL);
}
