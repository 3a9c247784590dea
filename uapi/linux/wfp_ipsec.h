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
#define WFP_IPSEC_FEAT_CONTEXT		_BITULL(1)	/* CTX_* */
#define WFP_IPSEC_FEAT_SPI		_BITULL(2)	/* CTX_SET/GET_SPI */
#define WFP_IPSEC_FEAT_SA		_BITULL(3)	/* CTX_ADD_*, GET_SA, */
							/* SET_SELECTORS */
#define WFP_IPSEC_FEAT_LIFECYCLE	_BITULL(4)	/* CTX_EXPIRE, events */
#define WFP_IPSEC_FEAT_STATS		_BITULL(5)	/* STATS */
#define WFP_IPSEC_FEAT_UPDATE		_BITULL(6)	/* CTX_UPDATE */
#define WFP_IPSEC_FEAT_RIGHTS		_BITULL(7)	/* RIGHTS_GET/SET */
#define WFP_IPSEC_FEAT_BATCH		_BITULL(8)	/* CTX_ADD_BATCH */
#define WFP_IPSEC_FEAT_OBJECTS		_BITULL(9)	/* OBJ_*: providers, */
							/* sublayers */
#define WFP_IPSEC_FEAT_PROVIDER_CONTEXTS _BITULL(10)	/* OBJ_* of */
							/* PROVIDER_CONTEXT */
#define WFP_IPSEC_FEAT_FILTERS		_BITULL(11)	/* FILTER_*, OBJ_* */
							/* of FILTER */
#define WFP_IPSEC_FEAT_DYNAMIC_OBJECTS	_BITULL(12)	/* dynamic sessions */
							/* add objects */
#define WFP_IPSEC_FEAT_NET_EVENTS	_BITULL(13)	/* NETEVENT_* */
#define WFP_IPSEC_FEAT_TRANSACTIONS	_BITULL(14)	/* TXN_* */
#define __WFP_IPSEC_FEAT_ALL		(WFP_IPSEC_FEAT_SESSION | \
					 WFP_IPSEC_FEAT_CONTEXT | \
					 WFP_IPSEC_FEAT_SPI | \
					 WFP_IPSEC_FEAT_SA | \
					 WFP_IPSEC_FEAT_LIFECYCLE | \
					 WFP_IPSEC_FEAT_STATS | \
					 WFP_IPSEC_FEAT_UPDATE | \
					 WFP_IPSEC_FEAT_RIGHTS | \
					 WFP_IPSEC_FEAT_BATCH | \
					 WFP_IPSEC_FEAT_OBJECTS | \
					 WFP_IPSEC_FEAT_PROVIDER_CONTEXTS | \
					 WFP_IPSEC_FEAT_FILTERS | \
					 WFP_IPSEC_FEAT_DYNAMIC_OBJECTS | \
					 WFP_IPSEC_FEAT_NET_EVENTS | \
					 WFP_IPSEC_FEAT_TRANSACTIONS)

/* Session flags; the values are those of FWPM_SESSION_FLAG_*. */
#define WFP_IPSEC_SESSION_F_DYNAMIC	_BITUL(0)
#define __WFP_IPSEC_SESSION_F_ALL	(WFP_IPSEC_SESSION_F_DYNAMIC)

/*
 * Rights a session can hold on the SA database of its network namespace;
 * the values are those of FWPM_ACTRL_* and DELETE in the Windows SDK.
 */
#define WFP_IPSEC_RIGHT_ADD		0x00000001U
#define WFP_IPSEC_RIGHT_BEGIN_READ_TXN	0x00000004U	/* TXN_BEGIN, read-only */
#define WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN	0x00000008U	/* TXN_BEGIN */
#define WFP_IPSEC_RIGHT_ENUM		0x00000020U
#define WFP_IPSEC_RIGHT_READ		0x00000080U
#define WFP_IPSEC_RIGHT_READ_STATS	0x00000100U
#define WFP_IPSEC_RIGHT_SUBSCRIBE	0x00000200U
#define WFP_IPSEC_RIGHT_WRITE		0x00000400U
#define WFP_IPSEC_RIGHT_DELETE		0x00010000U
#define __WFP_IPSEC_RIGHT_ALL		(WFP_IPSEC_RIGHT_ADD | \
					 WFP_IPSEC_RIGHT_BEGIN_READ_TXN | \
					 WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN | \
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

/* wfp_ipsec_traffic.ip_version */
#define WFP_IPSEC_IPV4			4
#define WFP_IPSEC_IPV6			6

/* wfp_ipsec_traffic.traffic_type; the values of IPSEC_TRAFFIC_TYPE. */
#define WFP_IPSEC_TRAFFIC_TRANSPORT	0
#define WFP_IPSEC_TRAFFIC_TUNNEL	1

/**
 * struct wfp_ipsec_traffic - the traffic an SA context protects
 *
 * IPSEC_TRAFFIC0/1 in kernel form.  Addresses and ports are in network
 * byte order (the library converts from the Windows layouts); an IPv4
 * address uses the first 4 bytes of its array, the other 12 must be zero.
 *
 * @ip_version: WFP_IPSEC_IPV4 or WFP_IPSEC_IPV6
 * @traffic_type: WFP_IPSEC_TRAFFIC_TRANSPORT or WFP_IPSEC_TRAFFIC_TUNNEL
 * @ip_protocol: IP protocol, 0 for any; must be 0 in tunnel mode
 * @reserved0: must be zero
 * @local_port: 0 for any; must be 0 in tunnel mode, and for a protocol
 *	without ports
 * @remote_port: as @local_port
 * @real_if_profile_id: IPSEC_TRAFFIC1.realIfProfileId, recorded
 * @reserved1: must be zero
 * @local_addr: this host's address (the outer address in tunnel mode);
 *	never all zero
 * @remote_addr: the peer's address, likewise
 * @filter_id: ipsecFilterId (transport) or tunnelPolicyId (tunnel),
 *	recorded
 * @local_if_luid: IPSEC_TRAFFIC1.localIfLuid, recorded
 */
struct wfp_ipsec_traffic {
	__u8 ip_version;
	__u8 traffic_type;
	__u8 ip_protocol;
	__u8 reserved0;
	__be16 local_port;
	__be16 remote_port;
	__u32 real_if_profile_id;
	__u32 reserved1;
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u64 filter_id;
	__u64 local_if_luid;
};

/* wfp_ipsec_ctx_create.flags and wfp_ipsec_ctx_info.flags */
#define WFP_IPSEC_CTX_F_VIF		_BITUL(0)	/* vif_* are valid */
#define __WFP_IPSEC_CTX_F_ALL		(WFP_IPSEC_CTX_F_VIF)

/**
 * struct wfp_ipsec_ctx_create - WFP_IPSEC_IOC_CTX_CREATE
 * @traffic: in: the outbound traffic
 * @vif_tunnel_id: in: IPSEC_VIRTUAL_IF_TUNNEL_INFO0.virtualIfTunnelId
 * @vif_traffic_selector_id: in: ...trafficSelectorId
 * @flags: in: WFP_IPSEC_CTX_F_*
 * @reserved0: must be zero
 * @id: out: the new context's id, unique in the module's life
 * @inbound_filter_id: out: 0 (no cached inbound filter exists)
 * @reserved: must be zero
 *
 * Needs WFP_IPSEC_RIGHT_ADD; fails with EPERM in a dynamic session and
 * ENOSPC when the namespace holds net.wfp_ipsec.max_contexts contexts
 * already.
 */
struct wfp_ipsec_ctx_create {
	struct wfp_ipsec_traffic traffic;
	__u64 vif_tunnel_id;
	__u64 vif_traffic_selector_id;
	__u32 flags;
	__u32 reserved0;
	__u64 id;
	__u64 inbound_filter_id;
	__u64 reserved[2];
};

/**
 * struct wfp_ipsec_ctx_id - names one context (WFP_IPSEC_IOC_CTX_DELETE)
 * @id: the context id; a context of another namespace is ENOENT
 * @reserved: must be zero
 *
 * DELETE needs WFP_IPSEC_RIGHT_DELETE and fails with EPERM in a dynamic
 * session.
 */
struct wfp_ipsec_ctx_id {
	__u64 id;
	__u64 reserved;
};

/* wfp_ipsec_ctx_info.state */
#define WFP_IPSEC_CTX_STATE_CREATED	1	/* no SPI, no SA */
#define WFP_IPSEC_CTX_STATE_SPI_SET	2	/* inbound SPI reserved */
#define WFP_IPSEC_CTX_STATE_INBOUND	3	/* inbound SA installed */
#define WFP_IPSEC_CTX_STATE_COMPLETE	4	/* both SAs, policies */
#define WFP_IPSEC_CTX_STATE_EXPIRED	5	/* Expire0: outbound SA gone, */
						/* inbound for the grace time */

/* wfp_ipsec_ctx_info.life */
#define WFP_IPSEC_LIFE_SOFT_EXPIRED	_BITUL(0)	/* an SA hit its soft */
							/* lifetime */

/**
 * struct wfp_ipsec_ctx_info - what WFP_IPSEC_IOC_CTX_GET and _ENUM report
 * @id: in (GET): the context; out: its id
 * @traffic: out: as created
 * @vif_tunnel_id: out: as created
 * @vif_traffic_selector_id: out: as created
 * @flags: out: WFP_IPSEC_CTX_F_*
 * @state: out: WFP_IPSEC_CTX_STATE_*
 * @creator_session_id: out: id of the session that created it
 * @inbound_spi: out: the reserved inbound SPI (host order), 0 if none
 * @spi_flags: out: WFP_IPSEC_SPI_F_* given with the SPI
 * @encap_local_port: out: as given with the SPI (network order)
 * @encap_remote_port: out: likewise
 * @reqid: out: reqid of the context's xfrm states and policies
 * @inbound: out: the inbound traffic given with the SPI
 * @life: out: WFP_IPSEC_LIFE_*
 * @reserved1: zero
 * @reserved: in: must be zero; out: zero
 *
 * GET needs WFP_IPSEC_RIGHT_READ.
 */
struct wfp_ipsec_ctx_info {
	__u64 id;
	struct wfp_ipsec_traffic traffic;
	__u64 vif_tunnel_id;
	__u64 vif_traffic_selector_id;
	__u32 flags;
	__u32 state;
	__u64 creator_session_id;
	__u32 inbound_spi;
	__u32 spi_flags;
	__be16 encap_local_port;
	__be16 encap_remote_port;
	__u32 reqid;
	struct wfp_ipsec_traffic inbound;
	__u32 life;
	__u32 reserved1;
	__u64 reserved[3];
};

/* wfp_ipsec_spi.flags */
#define WFP_IPSEC_SPI_F_UDP_ENCAP	_BITUL(0)	/* encap_* valid, IPv4 */
#define __WFP_IPSEC_SPI_F_ALL		(WFP_IPSEC_SPI_F_UDP_ENCAP)

/**
 * struct wfp_ipsec_spi - WFP_IPSEC_IOC_CTX_SET_SPI and _GET_SPI
 * @id: in: the context
 * @inbound: in: the inbound traffic (IPSEC_GETSPI1.inboundIpsecTraffic);
 *	local is this host, remote the peer, as in the context's outbound
 *	traffic, whose IP version, type and addresses it must repeat
 *	(EXDEV otherwise)
 * @spi: SET: in, the SPI to reserve, >= 256 (host order);
 *	GET: in 0, out the SPI the module chose
 * @flags: in: WFP_IPSEC_SPI_F_*
 * @encap_local_port: in: inboundUdpEncapsulation, network order
 * @encap_remote_port: in: likewise
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * Reserves the inbound SPI in the namespace's xfrm state database as a
 * larval ESP state (daddr = local, saddr = remote), which no other
 * control plane can take and which does not expire.  Needs
 * WFP_IPSEC_RIGHT_ADD.  EEXIST: the SPI is used by an ESP state of the
 * namespace; EBUSY: the context already has an SPI; ENOSPC (GET): no
 * free SPI in the module's range.
 */
struct wfp_ipsec_spi {
	__u64 id;
	struct wfp_ipsec_traffic inbound;
	__u32 spi;
	__u32 flags;
	__be16 encap_local_port;
	__be16 encap_remote_port;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct wfp_ipsec_subnet - one side of an enumeration template
 * @ip_version: 0 matches anything (FWP_EMPTY); else WFP_IPSEC_IPV4/6
 * @prefix_len: leading bits of @addr that must match (<= 32 or <= 128)
 * @reserved: must be zero
 * @addr: network byte order; bits past @prefix_len must be zero
 */
struct wfp_ipsec_subnet {
	__u8 ip_version;
	__u8 prefix_len;
	__u8 reserved[6];
	__u8 addr[16];
};

/**
 * struct wfp_ipsec_ctx_enum - WFP_IPSEC_IOC_CTX_ENUM, one page of contexts
 * @local: in: the local address must be in this subnet
 * @remote: in: the remote address must be in this subnet
 * @cursor: in: 0 to start, else the last id a previous page returned;
 *	out: the last id this page returned (unchanged when it is empty)
 * @entries: in: user pointer to @max_entries struct wfp_ipsec_ctx_info
 * @max_entries: in: room at @entries, at most WFP_IPSEC_ENUM_MAX; 0 only
 *	checks the template and the rights
 * @count: out: entries written; fewer than @max_entries means the end
 * @reserved: must be zero
 *
 * Contexts come in increasing id order and the cursor is an id, so a
 * walk page by page returns every context that exists throughout it
 * exactly once, whatever is created or deleted meanwhile.  Needs
 * WFP_IPSEC_RIGHT_ENUM and WFP_IPSEC_RIGHT_READ.  Both subnets given with
 * different IP versions can never match: EINVAL.
 */
struct wfp_ipsec_ctx_enum {
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	__u64 cursor;
	__u64 entries;
	__u32 max_entries;
	__u32 count;
	__u64 reserved[2];
};

#define WFP_IPSEC_ENUM_MAX		1024

/* wfp_ipsec_sa.transform_type: the values of IPSEC_TRANSFORM_TYPE. */
#define WFP_IPSEC_TRANSFORM_AH			1
#define WFP_IPSEC_TRANSFORM_ESP_AUTH		2
#define WFP_IPSEC_TRANSFORM_ESP_CIPHER		3
#define WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER	4
#define WFP_IPSEC_TRANSFORM_ESP_AUTH_FW		5

/* Longest key blob an SA takes (HMAC-SHA-256 is 32, AES-256-GCM 36). */
#define WFP_IPSEC_KEY_MAX		64

/**
 * struct wfp_ipsec_sa - one SA of a bundle (IPSEC_SA0)
 * @spi: SPI, host order: the reserved inbound SPI, or the peer's
 * @transform_type: WFP_IPSEC_TRANSFORM_*
 * @auth_type: IPSEC_AUTH_TYPE value (when the transform authenticates)
 * @cipher_type: IPSEC_CIPHER_TYPE value (when it encrypts)
 * @auth_config: IPSEC_AUTH_CONFIG_* value
 * @cipher_config: IPSEC_CIPHER_CONFIG_* value
 * @reserved0: must be zero
 * @auth_key_len: bytes at @auth_key (in only; 0 on output)
 * @cipher_key_len: bytes at @cipher_key (in only; 0 on output)
 * @reserved1: must be zero
 * @auth_key: user pointer to the authentication key (in only)
 * @cipher_key: user pointer to the cipher key (in only)
 * @reserved: must be zero
 *
 * The module maps the Windows ids to kernel algorithms (algs.c and
 * Documentation/sa.rst); keys are copied in, handed to xfrm and wiped,
 * and never reported back.
 */
struct wfp_ipsec_sa {
	__u32 spi;
	__u32 transform_type;
	__u32 auth_type;
	__u32 cipher_type;
	__u8 auth_config;
	__u8 cipher_config;
	__u16 reserved0;
	__u32 auth_key_len;
	__u32 cipher_key_len;
	__u32 reserved1;
	__u64 auth_key;
	__u64 cipher_key;
	__u64 reserved[2];
};

/**
 * struct wfp_ipsec_bundle - IPSEC_SA_BUNDLE0/1 in kernel form
 * @flags: IPSEC_SA_BUNDLE_FLAG_*, recorded and reported
 * @num_sas: 1 (2, AH+ESP, is refused with EOPNOTSUPP)
 * @lifetime_seconds: hard add-time limit, 0 for none
 * @lifetime_kilobytes: hard byte limit in KiB, 0 for none
 * @lifetime_packets: hard packet limit, 0 for none
 * @idle_timeout_seconds: recorded
 * @nd_allow_clear_timeout_seconds: recorded
 * @nap_context: recorded
 * @qm_sa_id: recorded
 * @pfs_group: recorded
 * @mm_sa_id: recorded
 * @peer_v4_private_addr: NAT-T original address of the peer (network
 *	order), 0 for none; IPv4 only
 * @reserved0: must be zero
 * @qm_filter_id: recorded (IPSEC_SA_BUNDLE1)
 * @sa_lookup_context: recorded (IPSEC_SA_BUNDLE1)
 * @sas: the SAs; only sas[0] is used today
 */
struct wfp_ipsec_bundle {
	__u32 flags;
	__u32 num_sas;
	__u32 lifetime_seconds;
	__u32 lifetime_kilobytes;
	__u32 lifetime_packets;
	__u32 idle_timeout_seconds;
	__u32 nd_allow_clear_timeout_seconds;
	__u32 nap_context;
	__u32 qm_sa_id;
	__u32 pfs_group;
	__u64 mm_sa_id;
	__be32 peer_v4_private_addr;
	__u32 reserved0;
	__u64 qm_filter_id;
	__u8 sa_lookup_context[16];
	struct wfp_ipsec_sa sas[2];
};

/*
 * wfp_ipsec_ctx_add.status: why a bundle was refused, finer than errno.
 * Copied out even when the command fails.
 */
#define WFP_IPSEC_ADD_ST_OK		0
#define WFP_IPSEC_ADD_ST_TRANSFORM	1	/* unknown transform type */
#define WFP_IPSEC_ADD_ST_AUTH		2	/* auth type/config invalid */
#define WFP_IPSEC_ADD_ST_CIPHER		3	/* cipher type/config invalid */
#define WFP_IPSEC_ADD_ST_COMBINATION	4	/* transforms do not combine */
#define WFP_IPSEC_ADD_ST_KEY_LENGTH	5	/* key blob of the wrong size */
#define WFP_IPSEC_ADD_ST_UNAVAILABLE	6	/* kernel lacks the algorithm */
#define WFP_IPSEC_ADD_ST_NUM_SAS	7	/* num_sas not 1 */
#define WFP_IPSEC_ADD_ST_SPI		8	/* not the reserved SPI, < 256 */

/**
 * struct wfp_ipsec_ctx_add - WFP_IPSEC_IOC_CTX_ADD_INBOUND / _OUTBOUND
 * @id: in: the context
 * @status: out: WFP_IPSEC_ADD_ST_*, also on failure
 * @reserved0: must be zero
 * @bundle: in: the SA to install
 * @reserved: must be zero
 *
 * ADD_INBOUND turns the reserved SPI into the inbound SA (the bundle's
 * SPI must be the reserved one); ADD_OUTBOUND installs the outbound SA
 * and, for the first complete context of its traffic, the policies.
 * Needs WFP_IPSEC_RIGHT_ADD.  Errors: EINVAL malformed (see @status),
 * ENOPKG algorithm the kernel lacks, EOPNOTSUPP AH+ESP bundles, EBUSY out
 * of order, ESRCH the reserved SPI vanished from xfrm, EEXIST SA or
 * policy already there.
 */
struct wfp_ipsec_ctx_add {
	__u64 id;
	__u32 status;
	__u32 reserved0;
	struct wfp_ipsec_bundle bundle;
	__u64 reserved[2];
};

/* wfp_ipsec_ctx_sa.dir */
#define WFP_IPSEC_DIR_OUTBOUND		0
#define WFP_IPSEC_DIR_INBOUND		1

/**
 * struct wfp_ipsec_ctx_sa - WFP_IPSEC_IOC_CTX_GET_SA
 * @id: in: the context
 * @dir: in: WFP_IPSEC_DIR_*
 * @reserved0: must be zero
 * @bundle: out: the bundle as added, keys omitted; ENOENT if none
 * @reserved: must be zero
 *
 * Needs WFP_IPSEC_RIGHT_READ.
 */
struct wfp_ipsec_ctx_sa {
	__u64 id;
	__u32 dir;
	__u32 reserved0;
	struct wfp_ipsec_bundle bundle;
	__u64 reserved[2];
};

/* wfp_ipsec_selectors.flags */
#define WFP_IPSEC_SEL_F_NO_POLICY	_BITUL(0)	/* install no policies */
#define __WFP_IPSEC_SEL_F_ALL		(WFP_IPSEC_SEL_F_NO_POLICY)

/**
 * struct wfp_ipsec_selectors - WFP_IPSEC_IOC_CTX_SET_SELECTORS
 * @id: the context, still without an SPI
 * @local: the local side of the protected traffic (tunnel mode: the
 *	local subnet); ip_version 0 keeps the default
 * @remote: the remote side likewise
 * @flags: WFP_IPSEC_SEL_F_*
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * A Linux extension: Windows takes tunnel selectors from the QM tunnel
 * policy named by tunnelPolicyId, which has no counterpart here.  By
 * default a context protects its traffic's host pair (with its protocol
 * and ports in transport mode).  Needs WFP_IPSEC_RIGHT_ADD.
 */
struct wfp_ipsec_selectors {
	__u64 id;
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct wfp_ipsec_subscribe - WFP_IPSEC_IOC_SUBSCRIBE
 * @local: in: template, as for CTX_ENUM
 * @remote: in: template, as for CTX_ENUM
 * @flags: in: must be zero
 * @reserved0: must be zero
 * @id: out: the subscription, unique in the module's life
 * @reserved: must be zero
 *
 * From now on the session's file delivers, through read(2) and poll(2),
 * one struct wfp_ipsec_event per SA context of the namespace created or
 * deleted through another session (or by xfrm itself: an SA's hard
 * lifetime, a flush) whose traffic matches the template.  Each
 * subscription queues at most net.wfp_ipsec.event_queue_len events (a
 * sysctl of the namespace, read at subscription);
 * what does not fit is counted and reported by a WFP_IPSEC_EVENT_OVERFLOW
 * record once the queue has room.  Needs WFP_IPSEC_RIGHT_SUBSCRIBE; fails
 * with ENOSPC when the session holds WFP_IPSEC_SUBS_PER_SESSION_MAX
 * subscriptions already or the namespace WFP_IPSEC_SUBS_PER_NET_MAX.
 */
struct wfp_ipsec_subscribe {
	struct wfp_ipsec_subnet local;
	struct wfp_ipsec_subnet remote;
	__u32 flags;
	__u32 reserved0;
	__u64 id;
	__u64 reserved[2];
};

/*
 * Subscriptions one session, and all sessions of one network namespace,
 * hold at most: each has a queue of event_queue_len records, and every
 * event walks all of the namespace's.
 */
#define WFP_IPSEC_SUBS_PER_SESSION_MAX	16
#define WFP_IPSEC_SUBS_PER_NET_MAX	1024

/* wfp_ipsec_event.type; ADD and DELETE are IPSEC_SA_CONTEXT_EVENT_*. */
#define WFP_IPSEC_EVENT_ADD		1
#define WFP_IPSEC_EVENT_DELETE		2
#define WFP_IPSEC_EVENT_OVERFLOW	0x100	/* @dropped events lost */

/**
 * struct wfp_ipsec_event - what read(2) on a session returns, whole
 *	records only (EINVAL for a buffer smaller than one)
 * @type: WFP_IPSEC_EVENT_*
 * @reserved0: zero
 * @subscription: the subscription it is for
 * @context: the SA context (ADD, DELETE)
 * @dropped: OVERFLOW: events lost since the last report
 */
struct wfp_ipsec_event {
	__u32 type;
	__u32 reserved0;
	__u64 subscription;
	__u64 context;
	__u64 dropped;
};

/**
 * struct wfp_ipsec_traffic_stats - what the namespace's SA contexts carried
 *	in one direction, summed over their installed SAs
 * @bytes: bytes through the SAs (xfrm's current lifetime counters)
 * @packets: packets likewise
 * @encrypted_bytes: of @bytes, through SAs that encrypt
 * @ah_bytes: of @bytes, through AH SAs
 * @esp_auth_bytes: of @bytes, through ESP SAs that authenticate
 * @transport_bytes: of @bytes, through transport-mode SAs
 * @tunnel_bytes: of @bytes, through tunnel-mode SAs
 * @reserved: zero
 *
 * Counters of SAs already deleted are not included.
 */
struct wfp_ipsec_traffic_stats {
	__u64 bytes;
	__u64 packets;
	__u64 encrypted_bytes;
	__u64 ah_bytes;
	__u64 esp_auth_bytes;
	__u64 transport_bytes;
	__u64 tunnel_bytes;
	__u64 reserved;
};

/**
 * struct wfp_ipsec_stats - WFP_IPSEC_IOC_STATS, for IPsecGetStatistics
 * @active_sas: SAs the namespace's contexts have installed
 * @pending: contexts with an SPI reserved but not yet complete
 * @sas_added: SAs installed since the namespace's state was created
 * @sas_deleted: SAs removed since then
 * @rekeys: contexts completed while another of their policy set was
 * @active_tunnels: complete tunnel-mode contexts
 * @in_no_states: xfrm MIB XfrmInNoStates of the namespace, and so on:
 * @in_state_proto_error: XfrmInStateProtoError (failed ICV/decryption)
 * @in_state_seq_error: XfrmInStateSeqError (replay)
 * @in_state_invalid: XfrmInStateInvalid
 * @in_state_mismatch: XfrmInStateMismatch
 * @in_tmpl_mismatch: XfrmInTmplMismatch
 * @in_no_pols: XfrmInNoPols
 * @in_pol_block: XfrmInPolBlock
 * @in_hdr_error: XfrmInHdrError
 * @in_error: XfrmInError
 * @in_state_expired: XfrmInStateExpired
 * @out_no_states: XfrmOutNoStates
 * @reserved: zero
 * @in: traffic of inbound SAs
 * @out: traffic of outbound SAs
 *
 * Needs WFP_IPSEC_RIGHT_READ_STATS.
 */
struct wfp_ipsec_stats {
	__u64 active_sas;
	__u64 pending;
	__u64 sas_added;
	__u64 sas_deleted;
	__u64 rekeys;
	__u64 active_tunnels;
	__u64 in_no_states;
	__u64 in_state_proto_error;
	__u64 in_state_seq_error;
	__u64 in_state_invalid;
	__u64 in_state_mismatch;
	__u64 in_tmpl_mismatch;
	__u64 in_no_pols;
	__u64 in_pol_block;
	__u64 in_hdr_error;
	__u64 in_error;
	__u64 in_state_expired;
	__u64 out_no_states;
	__u64 reserved[2];
	struct wfp_ipsec_traffic_stats in;
	struct wfp_ipsec_traffic_stats out;
};

/* wfp_ipsec_ctx_update.flags: the values of IPSEC_SA_DETAILS_UPDATE_*. */
#define WFP_IPSEC_UPD_F_TRAFFIC		_BITULL(0)
#define WFP_IPSEC_UPD_F_UDP_ENCAP	_BITULL(1)
#define WFP_IPSEC_UPD_F_BUNDLE_FLAGS	_BITULL(2)
#define WFP_IPSEC_UPD_F_NAP_CONTEXT	_BITULL(3)
#define WFP_IPSEC_UPD_F_MM_SA_ID	_BITULL(6)
#define __WFP_IPSEC_UPD_F_ALL		(WFP_IPSEC_UPD_F_TRAFFIC | \
					 WFP_IPSEC_UPD_F_UDP_ENCAP | \
					 WFP_IPSEC_UPD_F_BUNDLE_FLAGS | \
					 WFP_IPSEC_UPD_F_NAP_CONTEXT | \
					 WFP_IPSEC_UPD_F_MM_SA_ID)

/**
 * struct wfp_ipsec_ctx_update - WFP_IPSEC_IOC_CTX_UPDATE (Update0)
 * @id: the context, with its inbound SA installed (EBUSY otherwise)
 * @flags: WFP_IPSEC_UPD_F_*; other bits EINVAL
 * @traffic: TRAFFIC: the new outbound traffic, same IP version and type
 *	(EXDEV otherwise); the SAs and policies move to the new addresses
 * @encap: UDP_ENCAP: 1 to encapsulate ESP in UDP with the ports below,
 *	0 for plain ESP (IPv4 only)
 * @encap_local_port: our NAT-T port, network order
 * @encap_remote_port: the peer's, network order
 * @bundle_flags: BUNDLE_FLAGS: new bundle flags, by WFP_IPSEC_DIR_*
 * @nap_context: NAP_CONTEXT: likewise
 * @mm_sa_id: MM_SA_ID: likewise
 * @reserved: must be zero
 *
 * @bundle_flags, @nap_context and @mm_sa_id must be zero when their flag
 * is clear (EINVAL).
 *
 * Live SAs are replaced by copies (same SPIs and keys, anti-replay and
 * lifetime counters carried over) made before the old ones go, so
 * traffic does not stop.  Moving a tunnel that keeps its own selectors
 * takes its policies over in place, which deletes another context still
 * sharing them (a rekeyed twin); see Documentation/lifecycle.rst.  Needs WFP_IPSEC_RIGHT_WRITE.
 */
struct wfp_ipsec_ctx_update {
	__u64 id;
	__u64 flags;
	struct wfp_ipsec_traffic traffic;
	__u32 encap;
	__be16 encap_local_port;
	__be16 encap_remote_port;
	__u32 bundle_flags[2];
	__u32 nap_context[2];
	__u64 mm_sa_id[2];
	__u64 reserved[2];
};

/* wfp_ipsec_grant.kind */
#define WFP_IPSEC_GRANT_USER		1
#define WFP_IPSEC_GRANT_GROUP		2

/* Grants one namespace holds, at most. */
#define WFP_IPSEC_GRANTS_MAX		16

/**
 * struct wfp_ipsec_grant - rights on the namespace's SA database for a
 *	user or a group, besides what CAP_NET_ADMIN gives
 * @kind: WFP_IPSEC_GRANT_USER or _GROUP
 * @id: uid or gid, in the caller's user namespace
 * @rights: WFP_IPSEC_RIGHT_*
 * @reserved: zero
 */
struct wfp_ipsec_grant {
	__u32 kind;
	__u32 id;
	__u32 rights;
	__u32 reserved;
};

/**
 * struct wfp_ipsec_rights - WFP_IPSEC_IOC_RIGHTS_GET / _SET
 * @count: grants in use
 * @reserved0: must be zero
 * @grants: the grants; unused ones zero
 *
 * A session's rights are those of its opener's CAP_NET_ADMIN (all or
 * none) plus every grant naming the opener's euid, egid or one of its
 * groups, evaluated at each call.  SET replaces the whole table and needs
 * a session whose opener had CAP_NET_ADMIN over the namespace (EPERM
 * otherwise); GET needs WFP_IPSEC_RIGHT_READ.
 */
struct wfp_ipsec_rights {
	__u32 count;
	__u32 reserved0;
	struct wfp_ipsec_grant grants[WFP_IPSEC_GRANTS_MAX];
};

#define WFP_IPSEC_IOC_TYPE	0xF9

#define WFP_IPSEC_IOC_HELLO \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x01, struct wfp_ipsec_hello)
#define WFP_IPSEC_IOC_SESSION_GET \
	_IOR(WFP_IPSEC_IOC_TYPE, 0x02, struct wfp_ipsec_session_info)
#define WFP_IPSEC_IOC_CTX_CREATE \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x03, struct wfp_ipsec_ctx_create)
#define WFP_IPSEC_IOC_CTX_DELETE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x04, struct wfp_ipsec_ctx_id)
#define WFP_IPSEC_IOC_CTX_GET \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x05, struct wfp_ipsec_ctx_info)
#define WFP_IPSEC_IOC_CTX_ENUM \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x06, struct wfp_ipsec_ctx_enum)
#define WFP_IPSEC_IOC_CTX_SET_SPI \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x07, struct wfp_ipsec_spi)
#define WFP_IPSEC_IOC_CTX_GET_SPI \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x08, struct wfp_ipsec_spi)
#define WFP_IPSEC_IOC_CTX_SET_SELECTORS \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x09, struct wfp_ipsec_selectors)
#define WFP_IPSEC_IOC_CTX_ADD_INBOUND \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x0a, struct wfp_ipsec_ctx_add)
#define WFP_IPSEC_IOC_CTX_ADD_OUTBOUND \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x0b, struct wfp_ipsec_ctx_add)
#define WFP_IPSEC_IOC_CTX_GET_SA \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x0c, struct wfp_ipsec_ctx_sa)
/* Expire0: needs WFP_IPSEC_RIGHT_DELETE; EBUSY unless COMPLETE. */
#define WFP_IPSEC_IOC_CTX_EXPIRE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x0d, struct wfp_ipsec_ctx_id)
#define WFP_IPSEC_IOC_SUBSCRIBE \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x0e, struct wfp_ipsec_subscribe)
/* ctx_id.id names the subscription; ENOENT if not the session's. */
#define WFP_IPSEC_IOC_UNSUBSCRIBE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x0f, struct wfp_ipsec_ctx_id)
#define WFP_IPSEC_IOC_STATS \
	_IOR(WFP_IPSEC_IOC_TYPE, 0x10, struct wfp_ipsec_stats)
#define WFP_IPSEC_IOC_CTX_UPDATE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x11, struct wfp_ipsec_ctx_update)
#define WFP_IPSEC_IOC_RIGHTS_GET \
	_IOR(WFP_IPSEC_IOC_TYPE, 0x12, struct wfp_ipsec_rights)
#define WFP_IPSEC_IOC_RIGHTS_SET \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x13, struct wfp_ipsec_rights)

/* Entries one WFP_IPSEC_IOC_CTX_ADD_BATCH call takes, at most. */
#define WFP_IPSEC_BATCH_MAX		4096

/* wfp_ipsec_batch_entry.step: the single command an entry failed in. */
#define WFP_IPSEC_BATCH_STEP_NONE	0	/* none: installed, or not run */
#define WFP_IPSEC_BATCH_STEP_CREATE	1	/* CTX_CREATE */
#define WFP_IPSEC_BATCH_STEP_SPI	2	/* CTX_SET_SPI / CTX_GET_SPI */
#define WFP_IPSEC_BATCH_STEP_INBOUND	3	/* CTX_ADD_INBOUND */
#define WFP_IPSEC_BATCH_STEP_OUTBOUND	4	/* CTX_ADD_OUTBOUND */

/**
 * struct wfp_ipsec_batch_entry - one complete context of CTX_ADD_BATCH
 * @traffic: in: the outbound traffic, as wfp_ipsec_ctx_create.traffic;
 *	it is also the inbound traffic of the SPI reservation
 * @inbound_spi: in: 0 to choose the SPI in spi_min..spi_max as
 *	CTX_GET_SPI does, else the SPI to reserve as CTX_SET_SPI does
 * @flags: in: must be zero
 * @inbound: in: the inbound SA, as ADD_INBOUND's bundle; its sas[0].spi
 *	may be 0, meaning the SPI the entry reserves
 * @outbound: in: the outbound SA, as ADD_OUTBOUND's bundle
 * @id: out: the context, 0 when the entry failed
 * @spi: out: the inbound SPI the context holds, 0 when the entry failed
 * @error: out: 0, or the positive errno the failing single command would
 *	have returned
 * @step: out: WFP_IPSEC_BATCH_STEP_* of that command
 * @add_status: out: WFP_IPSEC_ADD_ST_* when an ADD step failed
 * @reserved: must be zero
 *
 * An entry is installed whole or not at all: Create, SetSpi/GetSpi,
 * AddInbound and AddOutbound in that order, with the checks and results
 * of the single commands; when one fails, what the earlier ones made is
 * removed again (xfrm states, policies, the context).
 */
struct wfp_ipsec_batch_entry {
	struct wfp_ipsec_traffic traffic;
	__u32 inbound_spi;
	__u32 flags;
	struct wfp_ipsec_bundle inbound;
	struct wfp_ipsec_bundle outbound;
	__u64 id;
	__u32 spi;
	__u32 error;
	__u32 step;
	__u32 add_status;
	__u64 reserved[2];
};

/* The entry size of ABI 1; later versions only ever grow it. */
#define WFP_IPSEC_BATCH_ENTRY_SIZE_V1	528

/**
 * struct wfp_ipsec_ctx_batch - WFP_IPSEC_IOC_CTX_ADD_BATCH
 * @entries: in: user pointer to @count entries of @entry_size bytes
 * @count: in: 1..WFP_IPSEC_BATCH_MAX (E2BIG above)
 * @entry_size: in: the caller's sizeof(struct wfp_ipsec_batch_entry): at
 *	least WFP_IPSEC_BATCH_ENTRY_SIZE_V1 and a multiple of 8; bytes past
 *	what the module knows must be zero
 * @flags: in: must be zero
 * @done: out: entries processed, from the first; fewer than @count only
 *	when a signal arrived (or the array became unreadable: EFAULT),
 *	the rest being untouched
 * @succeeded: out: entries of those installed
 * @reserved: must be zero
 *
 * Installs complete SA contexts, each exactly as CTX_CREATE, CTX_SET_SPI
 * (or CTX_GET_SPI), CTX_ADD_INBOUND and CTX_ADD_OUTBOUND in a row would,
 * each entry all or nothing, the others independent of it: per-entry
 * results are written to the entries' output fields.  Needs
 * WFP_IPSEC_RIGHT_ADD; EPERM in a dynamic session.  The call fails as a
 * whole, before anything is done, with EINVAL for a reserved field or an
 * unknown flag set anywhere (header, entries, their traffic and
 * bundles), EFAULT for an unreadable array; EINTR when a signal arrived
 * before the first entry.
 */
struct wfp_ipsec_ctx_batch {
	__u64 entries;
	__u32 count;
	__u32 entry_size;
	__u32 flags;
	__u32 done;
	__u32 succeeded;
	__u32 reserved0;
	__u64 reserved[2];
};

#define WFP_IPSEC_IOC_CTX_ADD_BATCH \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x14, struct wfp_ipsec_ctx_batch)

/* wfp_ipsec_obj.type: the management objects OBJ_* commands work on. */
#define WFP_IPSEC_OBJ_PROVIDER		1	/* FWPM_PROVIDER0 */
#define WFP_IPSEC_OBJ_SUBLAYER		2	/* FWPM_SUBLAYER0 */
#define WFP_IPSEC_OBJ_PROVIDER_CONTEXT	3	/* FWPM_PROVIDER_CONTEXT0 */
#define WFP_IPSEC_OBJ_FILTER		4	/* FWPM_FILTER0: OBJ_DELETE, */
						/* OBJ_ENUM; see FILTER_* */

/*
 * wfp_ipsec_obj.flags: the values of FWPM_{PROVIDER,SUBLAYER}_FLAG_* and
 * FWPM_PROVIDER_CONTEXT_FLAG_*.  DOWNLEVEL: PROVIDER_CONTEXT only.
 */
#define WFP_IPSEC_OBJ_F_PERSISTENT	_BITUL(0)
#define WFP_IPSEC_OBJ_F_DOWNLEVEL	_BITUL(1)
#define __WFP_IPSEC_OBJ_F_ALL		(WFP_IPSEC_OBJ_F_PERSISTENT)
#define __WFP_IPSEC_OBJ_F_PCTX_ALL	(WFP_IPSEC_OBJ_F_PERSISTENT | \
					 WFP_IPSEC_OBJ_F_DOWNLEVEL)

/* Longest strings and blob an object takes, in bytes (no NUL). */
#define WFP_IPSEC_OBJ_NAME_MAX		256
#define WFP_IPSEC_OBJ_DESC_MAX		1024
#define WFP_IPSEC_OBJ_SERVICE_MAX	256
#define WFP_IPSEC_OBJ_DATA_MAX		4096
/* PROVIDER_CONTEXT: the policy at @policy, header included. */
#define WFP_IPSEC_OBJ_POLICY_MAX	8192

/* Objects of one type a namespace holds, at most (built-ins included). */
#define WFP_IPSEC_OBJ_MAX		1024

#define WFP_IPSEC_OBJ_KEY_LEN		16

/* wfp_ipsec_pctx_policy.ctx_type: FWPM_PROVIDER_CONTEXT_TYPE values. */
#define WFP_IPSEC_PCTX_KEYING		0	/* IPSEC_KEYING_POLICY0 */
#define WFP_IPSEC_PCTX_IKE_QM_TRANSPORT	1	/* IPSEC_TRANSPORT_POLICY0 */
#define WFP_IPSEC_PCTX_IKE_QM_TUNNEL	2	/* IPSEC_TUNNEL_POLICY0 */
#define WFP_IPSEC_PCTX_TYPE_MAX		13	/* FWPM_PROVIDER_CONTEXT_TYPE_MAX */

/* wfp_ipsec_pctx_policy.ip_version: FWP_IP_VERSION values. */
#define WFP_IPSEC_PCTX_IP_V4		0
#define WFP_IPSEC_PCTX_IP_V6		1

/**
 * struct wfp_ipsec_pctx_policy - head of a provider context's policy
 * @ctx_type: WFP_IPSEC_PCTX_*: the FWPM_PROVIDER_CONTEXT_TYPE.  At or past
 *	WFP_IPSEC_PCTX_TYPE_MAX: EINVAL; a Windows type not listed above
 *	(main mode, AuthIP, IKEv2, ...): EOPNOTSUPP
 * @ip_version: IKE_QM_TUNNEL: WFP_IPSEC_PCTX_IP_V4 or _V6 (else EINVAL);
 *	other types: zero
 * @local: IKE_QM_TUNNEL: the tunnel's local outer address: V4 in the
 *	first 4 bytes in network order, the rest zero; V6 all 16.  Must not
 *	be all zero.  Other types: zero
 * @remote: the remote outer address, likewise
 * @reserved: must be zero
 *
 * The module reads this head, which later filters need, into fields of
 * its own; what follows it (proposals, flags, idle timeouts, key module
 * keys: the library's serialisation) it stores and returns verbatim.
 */
struct wfp_ipsec_pctx_policy {
	__u32 ctx_type;
	__u32 ip_version;
	__u8 local[16];
	__u8 remote[16];
	__u64 reserved;
};

/**
 * struct wfp_ipsec_obj - a provider, a sublayer or a provider context:
 *	OBJ_ADD, OBJ_GET
 * @type: WFP_IPSEC_OBJ_*
 * @flags: WFP_IPSEC_OBJ_F_*; other bits EINVAL
 * @key: the GUID, as Windows lays it out in memory.  ADD: all zero lets
 *	the module choose a random one, reported back here
 * @provider_key: SUBLAYER or PROVIDER_CONTEXT with @has_provider: its
 *	provider, which must exist in the namespace (ENXIO otherwise); else
 *	zero.  A provider so named cannot be deleted (EBUSY)
 * @has_provider: SUBLAYER, PROVIDER_CONTEXT: 1 when @provider_key is
 *	set, else 0
 * @weight: SUBLAYER: its weight (UINT16); PROVIDER: zero
 * @reserved0: must be zero
 * @name_len: bytes at @name: 1..WFP_IPSEC_OBJ_NAME_MAX on ADD (the
 *	display name is required), likewise for the others below (0 allowed)
 * @desc_len: bytes at @desc, at most WFP_IPSEC_OBJ_DESC_MAX
 * @service_len: PROVIDER: bytes at @service, at most
 *	WFP_IPSEC_OBJ_SERVICE_MAX; SUBLAYER: zero
 * @policy_len: PROVIDER_CONTEXT, in place of @service_len: bytes of the
 *	policy, a struct wfp_ipsec_pctx_policy and what follows it, at most
 *	WFP_IPSEC_OBJ_POLICY_MAX (EINVAL when shorter than the head)
 * @data_len: bytes at @data, at most WFP_IPSEC_OBJ_DATA_MAX
 * @name: user pointer to the display name: bytes without NUL, stored
 *	as given (the library writes UTF-8; the module does not check it)
 * @desc: user pointer to the description, likewise
 * @service: user pointer to the service name, likewise
 * @policy: PROVIDER_CONTEXT, in place of @service: user pointer to the
 *	policy (a context has no service name)
 * @data: user pointer to the provider data blob
 * @id: PROVIDER_CONTEXT: the runtime id (FWPM_PROVIDER_CONTEXT0's
 *	providerContextId).  ADD: in zero, out the id the module gave it,
 *	never reused in the namespace; GET: with an all-zero @key, the id of
 *	the context to return, else zero; out: the id.  Other types: zero
 * @reserved: must be zero
 *
 * ADD stores a copy; an over-long string or blob is E2BIG, a NUL byte in
 * a string EINVAL, a key in use by an object of the same type EEXIST
 * (the built-in sublayers included).  GET: in: @type, @key, and the four
 * pointers with their lengths as the room there; out: everything, the
 * lengths being what was written (ERANGE, nothing written, when a room is
 * too small).  Unknown keys and another namespace's objects are ENOENT.
 * ADD beyond WFP_IPSEC_OBJ_MAX objects of the type: ENOSPC.
 */
struct wfp_ipsec_obj {
	__u32 type;
	__u32 flags;
	__u8 key[WFP_IPSEC_OBJ_KEY_LEN];
	__u8 provider_key[WFP_IPSEC_OBJ_KEY_LEN];
	__u32 has_provider;
	__u16 weight;
	__u16 reserved0;
	__u32 name_len;
	__u32 desc_len;
	union {
		__u32 service_len;	/* PROVIDER, SUBLAYER */
		__u32 policy_len;	/* PROVIDER_CONTEXT */
	};
	__u32 data_len;
	__u64 name;
	__u64 desc;
	union {
		__u64 service;		/* PROVIDER, SUBLAYER */
		__u64 policy;		/* PROVIDER_CONTEXT */
	};
	__u64 data;
	__u64 id;
	__u64 reserved[1];
};

/**
 * struct wfp_ipsec_obj_key - OBJ_DELETE
 * @type: WFP_IPSEC_OBJ_*
 * @reserved0: must be zero
 * @key: the object's GUID; PROVIDER_CONTEXT, FILTER: all zero to name it
 *	by @id
 * @id: PROVIDER_CONTEXT or FILTER with an all-zero @key: the runtime id
 *	of the object to delete; otherwise zero
 *
 * ENOENT for an unknown key or id, EBUSY for an object another names (a
 * provider named by a sublayer, a provider context or a filter; a
 * sublayer or provider context named by a filter; an IPsec filter whose
 * SA group holds SA contexts), EROFS for a built-in sublayer.  Deleting a
 * filter removes its xfrm policies.
 */
struct wfp_ipsec_obj_key {
	__u32 type;
	__u32 reserved0;
	__u8 key[WFP_IPSEC_OBJ_KEY_LEN];
	__u64 id;
};

/**
 * struct wfp_ipsec_obj_enum - OBJ_ENUM: the keys of a type, a page at a time
 * @type: WFP_IPSEC_OBJ_*
 * @max_entries: in: room at @keys, at most WFP_IPSEC_OBJ_MAX; 0 only
 *	checks the rights
 * @cursor: in: all zero to start, else the last key a previous page
 *	returned; out: the last key this page returned (unchanged when empty)
 * @keys: in: user pointer to @max_entries keys of WFP_IPSEC_OBJ_KEY_LEN
 * @count: in: zero; out: keys written; fewer than @max_entries means
 *	the end
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * Keys come in increasing memcmp() order, so a walk returns every object
 * that exists throughout it exactly once.  Needs WFP_IPSEC_RIGHT_ENUM and
 * WFP_IPSEC_RIGHT_READ.
 */
struct wfp_ipsec_obj_enum {
	__u32 type;
	__u32 max_entries;
	__u8 cursor[WFP_IPSEC_OBJ_KEY_LEN];
	__u64 keys;
	__u32 count;
	__u32 reserved0;
	__u64 reserved[2];
};

/*
 * Providers, sublayers, provider contexts and filters live in the
 * session's namespace until deleted or until the namespace goes (the
 * module's unload included): there is no store that outlives it, and
 * PERSISTENT is only recorded.  Those a dynamic session adds
 * (WFP_IPSEC_FEAT_DYNAMIC_OBJECTS) are its own and go when it closes,
 * however it ends.  An object names only objects that live as long:
 * static ones, or its own session's (else EXDEV, also for an SA context
 * naming a dynamic filter or provider context).  A dynamic session
 * deletes only its own: a static object is EPERM, another session's
 * ESRCH.  ADD needs WFP_IPSEC_RIGHT_ADD, DELETE WFP_IPSEC_RIGHT_DELETE,
 * GET WFP_IPSEC_RIGHT_READ.  OBJ_ADD and OBJ_GET take no FILTER (EINVAL):
 * filters have FILTER_ADD and FILTER_GET.
 */
#define WFP_IPSEC_IOC_OBJ_ADD \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x15, struct wfp_ipsec_obj)
#define WFP_IPSEC_IOC_OBJ_DELETE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x16, struct wfp_ipsec_obj_key)
#define WFP_IPSEC_IOC_OBJ_GET \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x17, struct wfp_ipsec_obj)
#define WFP_IPSEC_IOC_OBJ_ENUM \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x18, struct wfp_ipsec_obj_enum)

/*
 * Filters (FwpmFilter*): WFP filters at the layers an IPsec keying module
 * uses, which the module turns into xfrm policies of the session's
 * namespace.  Documentation/filters.rst has the whole mapping.
 */

/* wfp_ipsec_filter.layer: the FWPM_LAYER_* a filter sits at. */
#define WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V4	1
#define WFP_IPSEC_LAYER_INBOUND_TRANSPORT_V6	2
#define WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4	3
#define WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V6	4
#define WFP_IPSEC_LAYER_IPFORWARD_V4		5
#define WFP_IPSEC_LAYER_IPFORWARD_V6		6
#define WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V4	7
#define WFP_IPSEC_LAYER_ALE_AUTH_CONNECT_V6	8
#define WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V4	9
#define WFP_IPSEC_LAYER_ALE_AUTH_RECV_ACCEPT_V6	10
#define __WFP_IPSEC_LAYER_MAX			10

/* wfp_ipsec_filter.action: FWP_ACTION_BLOCK, _PERMIT, _CALLOUT_TERMINATING */
#define WFP_IPSEC_ACTION_BLOCK		1
#define WFP_IPSEC_ACTION_PERMIT		2
#define WFP_IPSEC_ACTION_CALLOUT	3

/*
 * wfp_ipsec_filter.callout with WFP_IPSEC_ACTION_CALLOUT: the built-in
 * FWPM_CALLOUT_IPSEC_* it names, each valid at one layer of its IP
 * version: INBOUND/OUTBOUND_TRANSPORT and INBOUND/OUTBOUND_TUNNEL at the
 * inbound/outbound transport layer, FORWARD_* at IPFORWARD,
 * INBOUND_INITIATE_SECURE and INBOUND_TUNNEL_ALE_ACCEPT at
 * ALE_AUTH_RECV_ACCEPT, ALE_CONNECT at ALE_AUTH_CONNECT.  DOSP_FORWARD
 * (IPsec DoS protection) has no counterpart: EOPNOTSUPP.  Zero otherwise.
 */
#define WFP_IPSEC_CALLOUT_INBOUND_TRANSPORT_V4		1
#define WFP_IPSEC_CALLOUT_INBOUND_TRANSPORT_V6		2
#define WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V4		3
#define WFP_IPSEC_CALLOUT_OUTBOUND_TRANSPORT_V6		4
#define WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_V4		5
#define WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_V6		6
#define WFP_IPSEC_CALLOUT_OUTBOUND_TUNNEL_V4		7
#define WFP_IPSEC_CALLOUT_OUTBOUND_TUNNEL_V6		8
#define WFP_IPSEC_CALLOUT_FORWARD_INBOUND_TUNNEL_V4	9
#define WFP_IPSEC_CALLOUT_FORWARD_INBOUND_TUNNEL_V6	10
#define WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V4	11
#define WFP_IPSEC_CALLOUT_FORWARD_OUTBOUND_TUNNEL_V6	12
#define WFP_IPSEC_CALLOUT_INBOUND_INITIATE_SECURE_V4	13
#define WFP_IPSEC_CALLOUT_INBOUND_INITIATE_SECURE_V6	14
#define WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_ALE_ACCEPT_V4	15
#define WFP_IPSEC_CALLOUT_INBOUND_TUNNEL_ALE_ACCEPT_V6	16
#define WFP_IPSEC_CALLOUT_ALE_CONNECT_V4		17
#define WFP_IPSEC_CALLOUT_ALE_CONNECT_V6		18
#define WFP_IPSEC_CALLOUT_DOSP_FORWARD_V4		19
#define WFP_IPSEC_CALLOUT_DOSP_FORWARD_V6		20
#define __WFP_IPSEC_CALLOUT_MAX				20

/*
 * wfp_ipsec_filter.flags: the values of FWPM_FILTER_FLAG_*.  PERSISTENT,
 * CLEAR_ACTION_RIGHT, INDEXED and IPSEC_NO_ACQUIRE_INITIATE are recorded;
 * PERMIT_IF_CALLOUT_UNREGISTERED is recorded and needs a callout action
 * (the IPsec callouts are always registered).  Other bits: EINVAL.
 */
#define WFP_IPSEC_FILTER_F_PERSISTENT			_BITUL(0)
#define WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT		_BITUL(2)
#define WFP_IPSEC_FILTER_F_CLEAR_ACTION_RIGHT		_BITUL(3)
#define WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED _BITUL(4)
#define WFP_IPSEC_FILTER_F_INDEXED			_BITUL(6)
#define WFP_IPSEC_FILTER_F_IPSEC_NO_ACQUIRE_INITIATE	_BITUL(11)
#define __WFP_IPSEC_FILTER_F_ALL	(WFP_IPSEC_FILTER_F_PERSISTENT | \
	WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT | \
	WFP_IPSEC_FILTER_F_CLEAR_ACTION_RIGHT | \
	WFP_IPSEC_FILTER_F_PERMIT_IF_CALLOUT_UNREGISTERED | \
	WFP_IPSEC_FILTER_F_INDEXED | \
	WFP_IPSEC_FILTER_F_IPSEC_NO_ACQUIRE_INITIATE)

/* wfp_ipsec_filter.weight_type: FWP_EMPTY, FWP_UINT8, FWP_UINT64. */
#define WFP_IPSEC_WEIGHT_EMPTY		0
#define WFP_IPSEC_WEIGHT_UINT8		1
#define WFP_IPSEC_WEIGHT_UINT64		4

/*
 * wfp_ipsec_filter_cond.field: the FWPM_CONDITION_* a condition tests.
 * At the transport and ALE layers LOCAL/REMOTE_ADDR, PROTOCOL and the
 * ports (which are ICMP type and code for ICMP); at IPFORWARD only
 * SOURCE/DESTINATION_ADDR.  Another field at a layer: EINVAL.
 */
#define WFP_IPSEC_FIELD_LOCAL_ADDR	1
#define WFP_IPSEC_FIELD_REMOTE_ADDR	2
#define WFP_IPSEC_FIELD_SOURCE_ADDR	3
#define WFP_IPSEC_FIELD_DEST_ADDR	4
#define WFP_IPSEC_FIELD_PROTOCOL	5
#define WFP_IPSEC_FIELD_LOCAL_PORT	6	/* = ICMP_TYPE */
#define WFP_IPSEC_FIELD_REMOTE_PORT	7	/* = ICMP_CODE */
#define __WFP_IPSEC_FIELD_MAX		7

/* Conditions a filter has, at most. */
#define WFP_IPSEC_FILTER_COND_MAX	32
/*
 * xfrm policies one filter may become, at most: the product over its
 * fields of the prefixes that cover each field's values.  Beyond: E2BIG.
 */
#define WFP_IPSEC_FILTER_SEL_MAX	64

/**
 * struct wfp_ipsec_filter_cond - one FWPM_FILTER_CONDITION0
 * @field: WFP_IPSEC_FIELD_*
 * @match: the FWP_MATCH_TYPE the caller gave (EQUAL or RANGE), recorded
 * @value_type: the FWP_DATA_TYPE the caller gave, recorded; it must be
 *	one the field takes (addresses: UINT32 or V4_ADDR_MASK for IPv4,
 *	BYTE_ARRAY16_TYPE or V6_ADDR_MASK for IPv6, or RANGE_TYPE; ports
 *	UINT16 or RANGE_TYPE; protocol UINT8 or RANGE_TYPE)
 * @reserved0: must be zero
 * @lo: the lowest value matched, big-endian (network order) in the
 *	field's width from the first byte: 4 or 16 bytes of address, 2 of
 *	port, 1 of protocol; the rest zero
 * @hi: the highest value matched, likewise; not below @lo.  With a mask
 *	type, [@lo, @hi] must be one prefix; with EQUAL and another type,
 *	@hi equals @lo
 *
 * Conditions on different fields are ANDed, conditions on one field
 * ORed (as Windows 7 and later do); no condition matches everything.
 * Protocol 0 is EINVAL unless the range is 0..255 (xfrm reads a
 * selector's protocol 0 as "any").
 */
struct wfp_ipsec_filter_cond {
	__u16 field;
	__u16 match;
	__u16 value_type;
	__u16 reserved0;
	__u8 lo[16];
	__u8 hi[16];
};

/**
 * struct wfp_ipsec_filter - FWPM_FILTER0: FILTER_ADD, FILTER_GET
 * @key: the filter's GUID; ADD: all zero lets the module choose one.
 *	GET: all zero to name the filter by @id
 * @provider_key: with @has_provider, its provider, which must exist
 *	(ENXIO); else zero
 * @sublayer_key: its sublayer, which must exist (ENODEV); all zero: the
 *	layer's default, FWPM_SUBLAYER_UNIVERSAL
 * @filter_type: BLOCK, PERMIT: FWPM_ACTION0.filterType, recorded; else
 *	zero
 * @pctx_key: with WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT, its provider
 *	context, which must exist (ENOKEY); else zero
 * @has_provider: 1 when @provider_key is set, else 0
 * @flags: WFP_IPSEC_FILTER_F_*
 * @layer: WFP_IPSEC_LAYER_*
 * @action: WFP_IPSEC_ACTION_*
 * @callout: WFP_IPSEC_CALLOUT_* with WFP_IPSEC_ACTION_CALLOUT, else 0
 * @weight_type: WFP_IPSEC_WEIGHT_*
 * @weight: UINT8: 0..15 (the weight range, the top 4 bits); UINT64: the
 *	weight; EMPTY: zero
 * @effective_weight: out: the weight in force (FWP_UINT64)
 * @raw_context: FWPM_FILTER0.rawContext, recorded; zero with
 *	WFP_IPSEC_FILTER_F_HAS_PROVIDER_CONTEXT
 * @id: out: the runtime id (filterId), never reused in the namespace.
 *	GET: in: with an all-zero @key, the filter to return, else zero
 * @pctx_id: out: the provider context's runtime id, or zero
 * @num_conds: conditions at @conds, at most WFP_IPSEC_FILTER_COND_MAX;
 *	GET: in: the room there
 * @name_len: bytes at @name, 1..WFP_IPSEC_OBJ_NAME_MAX on ADD
 * @desc_len: bytes at @desc, at most WFP_IPSEC_OBJ_DESC_MAX
 * @data_len: bytes at @data (providerData), at most WFP_IPSEC_OBJ_DATA_MAX
 * @conds: user pointer to @num_conds struct wfp_ipsec_filter_cond
 * @name: user pointer to the display name, as for struct wfp_ipsec_obj
 * @desc: user pointer to the description, likewise
 * @data: user pointer to the provider data blob
 * @reqid: out: with an IPsec callout at a transport or IPFORWARD layer,
 *	the reqid of its templates, its SA group's; else zero
 * @nr_policies: out: the xfrm policies the filter is
 * @reserved: must be zero
 *
 * ADD validates everything, then installs every xfrm policy the filter
 * becomes or none: EEXIST for a key in use, EADDRINUSE when one of its
 * selectors is another policy's in that direction (xfrm holds one policy
 * per selector), E2BIG beyond WFP_IPSEC_FILTER_SEL_MAX policies, ENOSPC
 * beyond WFP_IPSEC_OBJ_MAX filters.  A provider context of the wrong type
 * or IP version for the callout is EPROTOTYPE; a tunnel callout without
 * a provider context EDESTADDRREQ.  GET: lengths and @num_conds are the
 * room, as for OBJ_GET (ERANGE when too small).  Needs the rights OBJ_*
 * need; lifetimes and dynamic sessions as for the other objects (EXDEV).
 */
struct wfp_ipsec_filter {
	__u8 key[WFP_IPSEC_OBJ_KEY_LEN];
	__u8 provider_key[WFP_IPSEC_OBJ_KEY_LEN];
	__u8 sublayer_key[WFP_IPSEC_OBJ_KEY_LEN];
	__u8 filter_type[WFP_IPSEC_OBJ_KEY_LEN];
	__u8 pctx_key[WFP_IPSEC_OBJ_KEY_LEN];
	__u32 has_provider;
	__u32 flags;
	__u32 layer;
	__u32 action;
	__u32 callout;
	__u32 weight_type;
	__u64 weight;
	__u64 effective_weight;
	__u64 raw_context;
	__u64 id;
	__u64 pctx_id;
	__u32 num_conds;
	__u32 name_len;
	__u32 desc_len;
	__u32 data_len;
	__u64 conds;
	__u64 name;
	__u64 desc;
	__u64 data;
	__u32 reqid;
	__u32 nr_policies;
	__u64 reserved[2];
};

#define WFP_IPSEC_IOC_FILTER_ADD \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x19, struct wfp_ipsec_filter)
#define WFP_IPSEC_IOC_FILTER_GET \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x1a, struct wfp_ipsec_filter)

/* wfp_ipsec_txn.flags: FWPM_TXN_READ_ONLY. */
#define WFP_IPSEC_TXN_F_READ_ONLY	_BITUL(0)
#define __WFP_IPSEC_TXN_F_ALL		(WFP_IPSEC_TXN_F_READ_ONLY)

/**
 * struct wfp_ipsec_txn - WFP_IPSEC_IOC_TXN_BEGIN (FwpmTransactionBegin0)
 * @flags: WFP_IPSEC_TXN_F_*; other bits EINVAL
 * @reserved0: must be zero
 * @reserved: must be zero
 *
 * One transaction per session (EINPROGRESS while one is open: also
 * CTX_CREATE and CTX_DELETE inside one).  A write transaction needs
 * WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN, a read-only one _BEGIN_READ_TXN
 * (EACCES).  A write transaction holds the namespace's transaction lock
 * until COMMIT or ABORT (or the session's close, which aborts): other
 * sessions' OBJ_ADD, OBJ_DELETE, FILTER_ADD and write BEGINs wait for it
 * up to their txn_wait_ms (0: 15 s; 0xFFFFFFFF: forever), then fail
 * ETIMEDOUT.  Inside it ADDs apply at once and DELETEs are checked at
 * once but applied at COMMIT; ABORT undoes the ADDs.  Writes inside a
 * read-only transaction: EBADE.  COMMIT and ABORT without one: ENOLCK.
 * COMMIT after a failed call inside the transaction aborts it and fails
 * ECANCELED; a DELETE that no longer holds at COMMIT aborts it and fails
 * with its own errno.  Documentation/transactions.rst.
 */
struct wfp_ipsec_txn {
	__u32 flags;
	__u32 reserved0;
	__u64 reserved[2];
};

#define WFP_IPSEC_IOC_TXN_BEGIN \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x1b, struct wfp_ipsec_txn)
#define WFP_IPSEC_IOC_TXN_COMMIT	_IO(WFP_IPSEC_IOC_TYPE, 0x1c)
#define WFP_IPSEC_IOC_TXN_ABORT		_IO(WFP_IPSEC_IOC_TYPE, 0x1d)

/*
 * Net events (FwpmNetEventSubscribe0).
 */

/**
 * struct wfp_ipsec_net_subscribe - WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE
 * @flags: in: must be zero
 * @reserved0: must be zero
 * @id: out: the subscription, from the SA-context subscriptions' ids
 * @reserved: must be zero
 *
 * From now on the session's file delivers, through read(2) and poll(2),
 * one struct wfp_ipsec_net_event per net event of the namespace, in the
 * same stream as struct wfp_ipsec_event records: a reader tells them
 * apart by @type, and a net event's record is @size bytes (96).  A read
 * returns whole records only: one whose buffer has room for no pending
 * record fails with EINVAL.  The queue, its length and its OVERFLOW
 * record (a struct wfp_ipsec_event naming this subscription) are the SA
 * context subscriptions', and so are the limits and the right
 * (WFP_IPSEC_RIGHT_SUBSCRIBE).  Unsubscribe with
 * WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE and a struct wfp_ipsec_ctx_id.
 */
struct wfp_ipsec_net_subscribe {
	__u32 flags;
	__u32 reserved0;
	__u64 id;
	__u64 reserved[2];
};

/* wfp_ipsec_net_event.type: FWPM_NET_EVENT_TYPE_* + 0x200 */
#define WFP_IPSEC_EVENT_NET_BASE		0x200
#define WFP_IPSEC_EVENT_NET_CLASSIFY_DROP	0x203
#define WFP_IPSEC_EVENT_NET_IPSEC_KERNEL_DROP	0x204

/* wfp_ipsec_net_event.flags: FWPM_NET_EVENT_FLAG_* */
#define WFP_IPSEC_NET_F_IP_PROTOCOL_SET		0x0001
#define WFP_IPSEC_NET_F_LOCAL_ADDR_SET		0x0002
#define WFP_IPSEC_NET_F_REMOTE_ADDR_SET		0x0004
#define WFP_IPSEC_NET_F_LOCAL_PORT_SET		0x0008
#define WFP_IPSEC_NET_F_REMOTE_PORT_SET		0x0010
#define WFP_IPSEC_NET_F_IP_VERSION_SET		0x0100

/**
 * struct wfp_ipsec_net_event - one net event, as read(2) returns it
 * @type: WFP_IPSEC_EVENT_NET_*
 * @size: of the record, sizeof(struct wfp_ipsec_net_event)
 * @subscription: the subscription it is for
 * @timestamp: CLOCK_REALTIME, nanoseconds since the Unix epoch
 * @filter_id: the filter that dropped the packet; 0: not known
 * @flags: WFP_IPSEC_NET_F_*: which of the members below are set
 * @ip_version: WFP_IPSEC_IPV4 or WFP_IPSEC_IPV6
 * @protocol: the packet's upper protocol
 * @layer_id: FWPS runtime layer id (OUTBOUND_TRANSPORT_V4 16, _V6 18,
 *	IPFORWARD_V4 8, _V6 10)
 * @local_addr: network order; IPv4 in the first 4 bytes
 * @remote_addr: likewise
 * @local_port: host order; ICMP: the type
 * @remote_port: host order; ICMP: the code
 * @direction: WFP_IPSEC_DIR_* (IPSEC_KERNEL_DROP)
 * @spi: host order (IPSEC_KERNEL_DROP)
 * @status: an FWP/NTSTATUS-style code: why (IPSEC_KERNEL_DROP)
 * @count: packets dropped since the last event of that SA and kind
 *	(IPSEC_KERNEL_DROP; FWPM_NET_EVENT1 has no field for it)
 * @reserved: zero
 */
struct wfp_ipsec_net_event {
	__u32 type;
	__u32 size;
	__u64 subscription;
	__u64 timestamp;
	__u64 filter_id;
	__u32 flags;
	__u8 ip_version;
	__u8 protocol;
	__u16 layer_id;
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__u16 local_port;
	__u16 remote_port;
	__u32 direction;
	__u32 spi;
	__s32 status;
	__u32 count;
	__u32 reserved;
};

#define WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE \
	_IOWR(WFP_IPSEC_IOC_TYPE, 0x1e, struct wfp_ipsec_net_subscribe)
#define WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE \
	_IOW(WFP_IPSEC_IOC_TYPE, 0x1f, struct wfp_ipsec_ctx_id)

/*
 * 0x40 is taken: the benchmark module's BENCH_XFRM on its own device
 * (bench/wfp_ipsec_bench.h, not part of this ABI).  Never reuse it here.
 */

#endif /* _UAPI_LINUX_WFP_IPSEC_H */
