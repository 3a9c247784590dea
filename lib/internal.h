/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwfpipsec internals: engine handles and the errno -> Windows code map.
 */
#ifndef WFPIPSEC_INTERNAL_H
#define WFPIPSEC_INTERNAL_H

#include <fwpmu.h>

/*
 * What an engine HANDLE points to.  The handle is only ever dereferenced
 * after wfp_engine_get() found it in the registry of live engines, so a
 * stale or made-up handle gets ERROR_INVALID_HANDLE, not a crash, and the
 * descriptor stays open until the last call using it returns.
 */
struct wfp_engine {
	int fd;
	UINT32 abi_version;	/* negotiated with the module */
	UINT64 features;	/* WFP_IPSEC_FEAT_* */
	UINT32 session_flags;	/* FWPM_SESSION_FLAG_* */
	unsigned int refs;	/* protected by the registry lock */
	struct wfp_engine *next;
};

void wfp_engine_register(struct wfp_engine *e);
struct wfp_engine *wfp_engine_get(HANDLE h);
void wfp_engine_put(struct wfp_engine *e);
int wfp_engine_unregister(HANDLE h);

/* The one table turning a failed ioctl's errno into a Windows code. */
DWORD wfp_status_from_errno(int err);

/* ioctl() retried on EINTR; returns 0 or the errno. */
int wfp_ioctl(int fd, unsigned long cmd, void *arg);

#endif /* WFPIPSEC_INTERNAL_H */
