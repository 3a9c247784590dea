/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * wfp_ipsec.h - ioctl ABI of /dev/wfp-ipsec
 *
 * Copyright (C) 2026 The wfp-ipsec authors
 *
 * /dev/wfp-ipsec gives Windows-style IPsec keying modules (the Fwpuclnt.dll
 * IPsecSaContext* API, implemented by libwfpipsec) a control plane that
 * installs SPIs, SAs and policies straight into the kernel's xfrm database.
 *
 * Sessions
 * --------
 * Every open() of the device is one engine session (FwpmEngineOpen0).  The
 * session is bound at open() time to the opener's network namespace and
 * credentials; both stay fixed for the life of the file, whoever uses the
 * descriptor later.  The rights of the session on the namespace's SA
 * database (WFP_IPSEC_RIGHT_*) are also decided at open(): today a session
 * holds all of them when its opener had CAP_NET_ADMIN in the user namespace
 * that owns the network namespace, and none otherwise.  Calls that need a
 * right the session lacks fail with EACCES.  Closing the last reference to
 * the file ends the session.
 *
 * Handshake
 * ---------
 * WFP_IPSEC_IOC_HELLO must be the first command on a new descriptor; every
 * other known command fails with EBADFD before it, and a second HELLO fails
 * with EALREADY.  The caller passes the highest ABI version it speaks and
 * the session attributes of FWPM_SESSION0; the module answers with the
 * version both will use (the lower of the two), its feature bits and the
 * session's identity.
 *
 * Rules for every command
 * -----------------------
 * - Structures have fixed sizes, natural alignment and explicit padding;
 *   pointers travel as __u64.  Sizes are multiples of 8, so the layout is
 *   the same for 32-bit and 64-bit callers.
 * - Fields named reserved* must be zero on input (EINVAL otherwise) and are
 *   zero on output.  Unknown flag bits are rejected with EINVAL.
 * - A command the module does not know, including a known number with the
 *   wrong size or direction, fails with ENOTTY.
 * - A command that fails changes nothing.
 */
#ifndef _UAPI_LINUX_WFP_IPSEC_H
#define _UAPI_LINUX_WFP_IPSEC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define WFP_IPSEC_DEVICE_NAME	"wfp-ipsec"
#define WFP_IPSEC_DEVICE_PATH	"/dev/wfp-ipsec"

/* The ABI version this header describes. */
#define WFP_IPSEC_ABI_VERSION	1

/* Feature bits reported by WFP_IPSEC_IOC_HELLO. */
#define WFP_IPSEC_FEAT_SESSION		_BITULL(0)	/* HELLO, SESSION_GET */
#define __WFP_IPSEC_FEAT_ALL		(WFP_IPSEC_FEAT_SESSION)

/* Session flags; the values are those of FWPM_SESSION_FLAG_*. */
#define WFP_IPSEC_SESSION_F_DYNAMIC	_BITUL(0)
#define __WFP_IPSEC_SESSION_F_ALL	(WFP_IPSEC_SESSION_F_DYNAMIC)

/*
 * Rights a session can hold on the SA database of its network namespace;
 * the values are those of FWPM_ACTRL_* and DELETE in the Windows SDK.
 */
#define WFP_IPSEC_RIGHT_ADD		0x00000001U
#define WFP_IPSEC_RIGHT_ENUM		0x00000020U
#define WFP_IPSEC_RIGHT_READ		0x00000080U
#define WFP_IPSEC_RIGHT_READ_STATS	0x00000100U
#define WFP_IPSEC_RIGHT_SUBSCRIBE	0x00000200U
#define WFP_IPSEC_RIGHT_WRITE		0x00000400U
#define WFP_IPSEC_RIGHT_DELETE		0x00010000U
#define __WFP_IPSEC_RIGHT_ALL		(WFP_IPSEC_RIGHT_ADD | \
					 WFP_IPSEC_RIGHT_ENUM | \
					 WFP_IPSEC_RIGHT_READ | \
					 WFP_IPSEC_RIGHT_READ_STATS | \
					 WFP_IPSEC_RIGHT_SUBSCRIBE | \
					 WFP_IPSEC_RIGHT_WRITE | \
					 WFP_IPSEC_RIGHT_DELETE)

#define WFP_IPSEC_SESSION_KEY_LEN	16

/**
 * struct wfp_ipsec_hello - handshake, first command of every session
 * @abi_version: in: highest ABI version the caller speaks (>= 1);
 *	out: the version the session will use, min(caller, module)
 * @session_flags: in: WFP_IPSEC_SESSION_F_*
 * @session_key: in: the session's GUID, or all zero to let the module
 *	choose a random one; out: the key in use.  A key already used by an
 *	open session of the same network namespace fails with EEXIST.
 * @txn_wait_ms: in: FWPM_SESSION0.txnWaitTimeoutInMSec, recorded only
 * @reserved0: must be zero
 * @features: out: WFP_IPSEC_FEAT_* the module supports
 * @session_id: out: identifier of the session, unique for the life of the
 *	module and never reused
 * @reserved: must be zero
 */
struct wfp_ipsec_hello {
	__u32 abi_version;
	__u32 session_flags;
	__u8 session_key[WFP_IPSEC_SESSION_KEY_LEN];
	__u32 txn_wait_ms;
	__u32 reserved0;
	__u64 features;
	__u64 session_id;
	__u64 reserved[4];
};

/**
 * struct wfp_ipsec_session_info - what the module knows of a session
 * @session_id: as returned by HELLO
 * @session_key: as returned by HELLO
 * @session_flags: WFP_IPSEC_SESSION_F_*
 * @txn_wait_ms: as given to HELLO
 * @rights: WFP_IPSEC_RIGHT_* the session holds
 * @pid: thread-group id of the opener, in the caller's pid namespace
 *	(0 when the opener is not visible there)
 * @uid: effective uid of the opener, in the caller's user namespace
 *	(the overflow uid when it has no mapping there)
 * @gid: effective gid of the opener, mapped the same way
 * @abi_version: the version agreed by HELLO
 * @reserved0: zero
 * @netns_cookie: cookie of the session's network namespace, the value
 *	SO_NETNS_COOKIE reports for a socket in that namespace
 * @reserved: zero
 */
struct wfp_ipsec_session_info {
	__u64 session_id;
	__u8 session_key[WFP_IPSEC_SESSION_KEY_LEN];
	__u32 session_flags;
	__u32 txn_wait_ms;
	__u32 rights;
	__u32 pid;
	__u32 uid;
	__u32 gid;
	__u32 abi_version;
	__u32 reserved0;
	__u64 netns_cookie;
	__u64 reserved[4];
};

#define WFP_IPSEC_IOC_TYPE	0xF9

#define WFP_IPSEC_IOC_HELLO \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x01, struct wfp_ipsec_hello)
#define WFP_IPSEC_IOC_SESSION_GET \
	_IOR(WFP_IPSEC_IOC_TYPE, 0x02, struct wfp_ipsec_session_info)

#endif /* _UAPI_LINUX_WFP_IPSEC_H */
