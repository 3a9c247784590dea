// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * errno -> Windows code.  The module reports failures as -errno; this is
 * the single place that says which Windows code each one becomes for
 * calls without a more specific mapping (Documentation/errors.rst).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "internal.h"

DWORD wfp_status_from_errno(int err)
{
	switch (err) {
	case 0:
		return ERROR_SUCCESS;
	case ENOENT:
		return FWP_E_NOT_FOUND;
	case EEXIST:
		return FWP_E_ALREADY_EXISTS;
	case EACCES:
	case EPERM:
		return ERROR_ACCESS_DENIED;
	case EINVAL:
		return FWP_E_INVALID_PARAMETER;
	case ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case EBUSY:
		return FWP_E_IN_USE;
	case EXDEV:
		/* An object naming a shorter-lived (dynamic) one. */
		return FWP_E_LIFETIME_MISMATCH;
	case ENOTTY:
		/* The module does not know the command: it is older. */
		return RPC_S_PROCNUM_OUT_OF_RANGE;
	case EBADF:
	case EBADFD:
		return RPC_S_INVALID_BINDING;
	case EFAULT:
		return RPC_X_BAD_STUB_DATA;
	/* Transactions (Documentation/transactions.rst). */
	case EINPROGRESS:
		return FWP_E_TXN_IN_PROGRESS;
	case ENOLCK:
		return FWP_E_NO_TXN_IN_PROGRESS;
	case ECANCELED:
		return FWP_E_TXN_ABORTED;
	case EBADE:
		return FWP_E_INCOMPATIBLE_TXN;
	case ETIMEDOUT:
		return FWP_E_TIMEOUT;
	default:
		return RPC_S_CALL_FAILED;
	}
}

int wfp_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? errno : 0;
}
