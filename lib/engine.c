// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmEngineOpen0, FwpmEngineClose0, FwpmFreeMemory0 and the extension
 * WfpIpsecEngineGetFd.  An engine is one open file of /dev/wfp-ipsec, on
 * which the WFP_IPSEC_IOC_HELLO handshake has been made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "wfpipsec.h"

_Static_assert(sizeof(GUID) == WFP_IPSEC_SESSION_KEY_LEN, "GUID size");
_Static_assert(FWPM_SESSION_FLAG_DYNAMIC == WFP_IPSEC_SESSION_F_DYNAMIC,
	       "session flag values");

static DWORD open_status(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		/* No module, no engine: what Windows says when BFE is off. */
		return EPT_S_NOT_REGISTERED;
	case EACCES:
	case EPERM:
		return ERROR_ACCESS_DENIED;
	case EMFILE:
	case ENFILE:
	case ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	default:
		return RPC_S_SERVER_UNAVAILABLE;
	}
}

static DWORD hello_status(int err)
{
	switch (err) {
	case EEXIST:
		return FWP_E_ALREADY_EXISTS;
	case ENOTTY:
		/* The device does not speak this ABI at all. */
		return RPC_S_UNKNOWN_IF;
	default:
		return wfp_status_from_errno(err);
	}
}

DWORD WINAPI FwpmEngineOpen0(const wchar_t *serverName, UINT32 authnService,
			     SEC_WINNT_AUTH_IDENTITY_W *authIdentity,
			     const FWPM_SESSION0 *session,
			     HANDLE *engineHandle)
{
	struct wfp_ipsec_hello hello;
	struct wfp_engine *e;
	int fd, err;

	if (!engineHandle)
		return FWP_E_NULL_POINTER;
	*engineHandle = NULL;
	/* Only the local engine exists; there is no RPC to a remote one. */
	if (serverName)
		return FWP_E_INVALID_PARAMETER;
	if (authnService != RPC_C_AUTHN_WINNT &&
	    authnService != RPC_C_AUTHN_DEFAULT)
		return RPC_S_UNKNOWN_AUTHN_SERVICE;
	/* Sessions always carry the calling process's credentials. */
	if (authIdentity)
		return ERROR_NOT_SUPPORTED;
	if (session && (session->flags & ~(UINT32)FWPM_SESSION_FLAG_DYNAMIC))
		return FWP_E_INVALID_FLAGS;

	memset(&hello, 0, sizeof(hello));
	hello.abi_version = WFP_IPSEC_ABI_VERSION;
	if (session) {
		hello.session_flags = session->flags;
		hello.txn_wait_ms = session->txnWaitTimeoutInMSec;
		memcpy(hello.session_key, &session->sessionKey,
		       sizeof(hello.session_key));
	}

	fd = open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return open_status(errno);
	err = wfp_ioctl(fd, WFP_IPSEC_IOC_HELLO, &hello);
	if (err) {
		close(fd);
		return hello_status(err);
	}

	e = calloc(1, sizeof(*e));
	if (!e) {
		close(fd);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	e->fd = fd;
	e->ev_stop = -1;
	memcpy(e->session_key, hello.session_key, sizeof(e->session_key));
	e->abi_version = hello.abi_version;
	e->features = hello.features;
	e->session_flags = hello.session_flags;
	wfp_engine_register(e);
	*engineHandle = e;
	return ERROR_SUCCESS;
}

void wfp_engine_free(struct wfp_engine *e)
{
	wfp_ctx_enums_free(e);
	wfp_sa_enums_free(e);
	wfp_obj_enums_free(e);
	pthread_cond_destroy(&e->ev_cond);
	pthread_mutex_destroy(&e->lock);
	if (e->ev_stop >= 0)
		close(e->ev_stop);
	close(e->fd);
	free(e);
}

void wfp_engine_release(struct wfp_engine *e)
{
	if (wfp_events_stop(e))
		wfp_engine_free(e);
}

DWORD WINAPI FwpmEngineClose0(HANDLE engineHandle)
{
	return wfp_engine_unregister(engineHandle) ? ERROR_SUCCESS :
						     ERROR_INVALID_HANDLE;
}

/* Everything the library hands out is one malloc() block. */
void WINAPI FwpmFreeMemory0(void **p)
{
	if (!p)
		return;
	free(*p);
	*p = NULL;
}

DWORD WfpIpsecEngineGetFd(HANDLE engineHandle, int *fd)
{
	struct wfp_engine *e;

	if (!fd)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	*fd = e->fd;
	wfp_engine_put(e);
	return ERROR_SUCCESS;
}
