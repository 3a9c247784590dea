/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fwpmtypes.h - filter-engine management types (sessions, display data, access rights). */
#ifndef WFP_FWPMTYPES_H
#define WFP_FWPMTYPES_H

#include "wfp_wintypes.h"
#include "fwptypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Human-readable name and description attached to engine objects. */
typedef struct FWPM_DISPLAY_DATA0_ {
	wchar_t *name;
	wchar_t *description;
} FWPM_DISPLAY_DATA0;

/* Objects added in a dynamic session are removed when the session ends. */
#define FWPM_SESSION_FLAG_DYNAMIC  (0x00000001)
#define FWPM_SESSION_FLAG_RESERVED (0x10000000)

/*
 * Session parameters for FwpmEngineOpen0. The caller fills sessionKey
 * (all zero: let the engine pick one), displayData, flags and
 * txnWaitTimeoutInMSec (0: default); the engine reports the rest.
 */
typedef struct FWPM_SESSION0_ {
	GUID sessionKey;
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	UINT32 txnWaitTimeoutInMSec;
	DWORD processId;
	SID *sid;
	wchar_t *username;
	BOOL kernelMode;
} FWPM_SESSION0;

/*
 * The filter, provider, provider-context and sublayer objects, member for
 * member as in the SDK (x64 layouts asserted by selftests/
 * abi_filter_layout.c).  MIDL's unions stay anonymous: callers name the
 * arms directly (filter.providerContextKey, pc.ikeQmTunnelPolicy).
 */

/* ---- providers: who added an object ---- */

#define FWPM_PROVIDER_FLAG_PERSISTENT (0x00000001)
#define FWPM_PROVIDER_FLAG_DISABLED   (0x00000010)	/* output only */

typedef struct FWPM_PROVIDER0_ {
	GUID providerKey;		/* zero: the engine picks one */
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	FWP_BYTE_BLOB providerData;
	wchar_t *serviceName;
} FWPM_PROVIDER0;

typedef struct FWPM_PROVIDER_ENUM_TEMPLATE0_ {
	UINT64 reserved;
} FWPM_PROVIDER_ENUM_TEMPLATE0;

/* ---- provider contexts: the policy a callout filter carries ---- */

#define FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT (0x00000001)
#define FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL  (0x00000002)

/* Selects the FWPM_PROVIDER_CONTEXT0 union arm. */
typedef enum FWPM_PROVIDER_CONTEXT_TYPE_ {
	FWPM_IPSEC_KEYING_CONTEXT = 0,
	FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT = 1,
	FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT = 2,
	FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT = 3,
	FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT = 4,
	FWPM_IPSEC_IKE_MM_CONTEXT = 5,
	FWPM_IPSEC_AUTHIP_MM_CONTEXT = 6,
	FWPM_CLASSIFY_OPTIONS_CONTEXT = 7,
	FWPM_GENERAL_CONTEXT = 8,
	FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT = 9,
	FWPM_IPSEC_IKEV2_MM_CONTEXT = 10,
	FWPM_IPSEC_DOSP_CONTEXT = 11,
	FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT = 12,
	FWPM_PROVIDER_CONTEXT_TYPE_MAX = 13
} FWPM_PROVIDER_CONTEXT_TYPE;

/* Main-mode (IKE) policies and classify options are not modelled. */
typedef struct IKEEXT_POLICY0_ IKEEXT_POLICY0;
typedef struct FWPM_CLASSIFY_OPTIONS0_ FWPM_CLASSIFY_OPTIONS0;

/*
 * The IPsec policy arms point to the ipsectypes.h structures, named by
 * their tags here because ipsectypes.h includes this file.
 */
typedef struct FWPM_PROVIDER_CONTEXT0_ {
	GUID providerContextKey;	/* zero: the engine picks one */
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	FWPM_PROVIDER_CONTEXT_TYPE type;
	union {
		struct IPSEC_KEYING_POLICY0_ *keyingPolicy;
		struct IPSEC_TRANSPORT_POLICY0_ *ikeQmTransportPolicy;
		struct IPSEC_TUNNEL_POLICY0_ *ikeQmTunnelPolicy;
		struct IPSEC_TRANSPORT_POLICY0_ *authipQmTransportPolicy;
		struct IPSEC_TUNNEL_POLICY0_ *authipQmTunnelPolicy;
		IKEEXT_POLICY0 *ikeMmPolicy;
		IKEEXT_POLICY0 *authIpMmPolicy;
		FWP_BYTE_BLOB *dataBuffer;
		FWPM_CLASSIFY_OPTIONS0 *classifyOptions;
	};
	UINT64 providerContextId;	/* output: the runtime id */
} FWPM_PROVIDER_CONTEXT0;

typedef struct FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0_ {
	GUID *providerKey;
	FWPM_PROVIDER_CONTEXT_TYPE providerContextType;
} FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0;

/* ---- sublayers: higher weight is evaluated first ---- */

#define FWPM_SUBLAYER_FLAG_PERSISTENT (0x00000001)

typedef struct FWPM_SUBLAYER0_ {
	GUID subLayerKey;		/* zero: the engine picks one */
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	UINT16 weight;
} FWPM_SUBLAYER0;

typedef struct FWPM_SUBLAYER_ENUM_TEMPLATE0_ {
	GUID *providerKey;
} FWPM_SUBLAYER_ENUM_TEMPLATE0;

/* ---- filters ---- */

/* calloutKey when type has FWP_ACTION_FLAG_CALLOUT, else filterType. */
typedef struct FWPM_ACTION0_ {
	FWP_ACTION_TYPE type;
	union {
		GUID filterType;
		GUID calloutKey;
	};
} FWPM_ACTION0;

/* All conditions of a filter must match; same-field ones are ORed. */
typedef struct FWPM_FILTER_CONDITION0_ {
	GUID fieldKey;			/* FWPM_CONDITION_* */
	FWP_MATCH_TYPE matchType;
	FWP_CONDITION_VALUE0 conditionValue;
} FWPM_FILTER_CONDITION0;

#define FWPM_FILTER_FLAG_NONE                                (0x00000000)
#define FWPM_FILTER_FLAG_PERSISTENT                          (0x00000001)
#define FWPM_FILTER_FLAG_BOOTTIME                            (0x00000002)
#define FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT                (0x00000004)
#define FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT                  (0x00000008)
#define FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED      (0x00000010)
#define FWPM_FILTER_FLAG_DISABLED                            (0x00000020)
#define FWPM_FILTER_FLAG_INDEXED                             (0x00000040)
#define FWPM_FILTER_FLAG_HAS_SECURITY_REALM_PROVIDER_CONTEXT (0x00000080)
#define FWPM_FILTER_FLAG_SYSTEMOS_ONLY                       (0x00000100)
#define FWPM_FILTER_FLAG_GAMEOS_ONLY                         (0x00000200)
#define FWPM_FILTER_FLAG_SILENT_MODE                         (0x00000400)
#define FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE           (0x00000800)
#define FWPM_FILTER_FLAG_RESERVED0                           (0x00001000)
#define FWPM_FILTER_FLAG_RESERVED1                           (0x00002000)

/*
 * weight: FWP_EMPTY (the engine picks), FWP_UINT8 0..15 (a weight range)
 * or FWP_UINT64.  The union after action holds providerContextKey when
 * flags has FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT, else rawContext.
 */
typedef struct FWPM_FILTER0_ {
	GUID filterKey;			/* zero: the engine picks one */
	FWPM_DISPLAY_DATA0 displayData;
	UINT32 flags;
	GUID *providerKey;
	FWP_BYTE_BLOB providerData;
	GUID layerKey;
	GUID subLayerKey;		/* zero: the layer's default */
	FWP_VALUE0 weight;
	UINT32 numFilterConditions;
	FWPM_FILTER_CONDITION0 *filterCondition;
	FWPM_ACTION0 action;
	union {
		UINT64 rawContext;
		GUID providerContextKey;
	};
	GUID *reserved;
	UINT64 filterId;		/* output: the runtime id */
	FWP_VALUE0 effectiveWeight;	/* output */
} FWPM_FILTER0;

/*
 * actionMask 0xFFFFFFFF: any action; FWP_ACTION_FLAG_CALLOUT: callout
 * filters, calloutKey then names the callout.
 */
typedef struct FWPM_FILTER_ENUM_TEMPLATE0_ {
	GUID *providerKey;
	GUID layerKey;
	FWP_FILTER_ENUM_TYPE enumType;
	UINT32 flags;			/* FWP_FILTER_ENUM_FLAG_* */
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *providerContextTemplate;
	UINT32 numFilterConditions;
	FWPM_FILTER_CONDITION0 *filterCondition;
	UINT32 actionMask;
	GUID *calloutKey;
} FWPM_FILTER_ENUM_TEMPLATE0;

/* Object-specific access rights checked by the engine. */
#define FWPM_ACTRL_ADD             (0x00000001)
#define FWPM_ACTRL_ADD_LINK        (0x00000002)
#define FWPM_ACTRL_BEGIN_READ_TXN  (0x00000004)
#define FWPM_ACTRL_BEGIN_WRITE_TXN (0x00000008)
#define FWPM_ACTRL_CLASSIFY        (0x00000010)
#define FWPM_ACTRL_ENUM            (0x00000020)
#define FWPM_ACTRL_OPEN            (0x00000040)
#define FWPM_ACTRL_READ            (0x00000080)
#define FWPM_ACTRL_READ_STATS      (0x00000100)
#define FWPM_ACTRL_SUBSCRIBE       (0x00000200)
#define FWPM_ACTRL_WRITE           (0x00000400)

/* Generic rights expanded to the object-specific bits above. */
#define FWPM_GENERIC_READ		\
	(STANDARD_RIGHTS_READ |		\
	 FWPM_ACTRL_BEGIN_READ_TXN |	\
	 FWPM_ACTRL_CLASSIFY |		\
	 FWPM_ACTRL_OPEN |		\
	 FWPM_ACTRL_READ |		\
	 FWPM_ACTRL_READ_STATS)

#define FWPM_GENERIC_EXECUTE		\
	(STANDARD_RIGHTS_EXECUTE |	\
	 FWPM_ACTRL_ENUM |		\
	 FWPM_ACTRL_SUBSCRIBE)

#define FWPM_GENERIC_WRITE		\
	(STANDARD_RIGHTS_WRITE |	\
	 DELETE |			\
	 FWPM_ACTRL_ADD |		\
	 FWPM_ACTRL_ADD_LINK |		\
	 FWPM_ACTRL_BEGIN_WRITE_TXN |	\
	 FWPM_ACTRL_WRITE)

#define FWPM_GENERIC_ALL		\
	(STANDARD_RIGHTS_REQUIRED |	\
	 FWPM_ACTRL_ADD |		\
	 FWPM_ACTRL_ADD_LINK |		\
	 FWPM_ACTRL_BEGIN_READ_TXN |	\
	 FWPM_ACTRL_BEGIN_WRITE_TXN |	\
	 FWPM_ACTRL_CLASSIFY |		\
	 FWPM_ACTRL_ENUM |		\
	 FWPM_ACTRL_OPEN |		\
	 FWPM_ACTRL_READ |		\
	 FWPM_ACTRL_READ_STATS |	\
	 FWPM_ACTRL_SUBSCRIBE |		\
	 FWPM_ACTRL_WRITE)

/* ---- net events (FwpmNetEventSubscribe0) ---- */

#define FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET	(0x00000001)
#define FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET	(0x00000002)
#define FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET	(0x00000004)
#define FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET	(0x00000008)
#define FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET	(0x00000010)
#define FWPM_NET_EVENT_FLAG_APP_ID_SET		(0x00000020)
#define FWPM_NET_EVENT_FLAG_USER_ID_SET		(0x00000040)
#define FWPM_NET_EVENT_FLAG_SCOPE_ID_SET	(0x00000080)
#define FWPM_NET_EVENT_FLAG_IP_VERSION_SET	(0x00000100)
#define FWPM_NET_EVENT_FLAG_REAUTH_REASON_SET	(0x00000200)
#define FWPM_NET_EVENT_FLAG_PACKAGE_ID_SET	(0x00000400)
#define FWPM_NET_EVENT_FLAG_ENTERPRISE_ID_SET	(0x00000800)
#define FWPM_NET_EVENT_FLAG_POLICY_FLAGS_SET	(0x00001000)
#define FWPM_NET_EVENT_FLAG_EFFECTIVE_NAME_SET	(0x00002000)

typedef struct FWPM_NET_EVENT_HEADER1_ {
	FILETIME timeStamp;
	UINT32 flags;			/* FWPM_NET_EVENT_FLAG_* */
	FWP_IP_VERSION ipVersion;
	UINT8 ipProtocol;
	union {
		UINT32 localAddrV4;	/* host order */
		FWP_BYTE_ARRAY16 localAddrV6;
	};
	union {
		UINT32 remoteAddrV4;
		FWP_BYTE_ARRAY16 remoteAddrV6;
	};
	UINT16 localPort;
	UINT16 remotePort;
	UINT32 scopeId;
	FWP_BYTE_BLOB appId;
	SID *userId;
	union {
		struct {		/* ipVersion FWP_IP_VERSION_NONE only */
			FWP_AF reserved1;
			union {
				struct {
					FWP_BYTE_ARRAY6 reserved2;
					FWP_BYTE_ARRAY6 reserved3;
					UINT32 reserved4;
					UINT32 reserved5;
					UINT16 reserved6;
					UINT32 reserved7;
					UINT32 reserved8;
					UINT16 reserved9;
					UINT64 reserved10;
				};
			};
		};
	};
} FWPM_NET_EVENT_HEADER1;

typedef enum FWPM_NET_EVENT_TYPE_ {
	FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE = 0,
	FWPM_NET_EVENT_TYPE_IKEEXT_QM_FAILURE = 1,
	FWPM_NET_EVENT_TYPE_IKEEXT_EM_FAILURE = 2,
	FWPM_NET_EVENT_TYPE_CLASSIFY_DROP = 3,
	FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP = 4,
	FWPM_NET_EVENT_TYPE_IPSEC_DOSP_DROP = 5,
	FWPM_NET_EVENT_TYPE_CLASSIFY_ALLOW = 6,
	FWPM_NET_EVENT_TYPE_CAPABILITY_DROP = 7,
	FWPM_NET_EVENT_TYPE_CAPABILITY_ALLOW = 8,
	FWPM_NET_EVENT_TYPE_CLASSIFY_DROP_MAC = 9,
	FWPM_NET_EVENT_TYPE_LPM_PACKET_ARRIVAL = 10,
	FWPM_NET_EVENT_TYPE_MAX = 11
} FWPM_NET_EVENT_TYPE;

typedef struct FWPM_NET_EVENT_CLASSIFY_DROP1_ {
	UINT64 filterId;
	UINT16 layerId;			/* FWPS_LAYER_* runtime id */
	UINT32 reauthReason;
	UINT32 originalProfile;
	UINT32 currentProfile;
	UINT32 msFwpDirection;
	BOOL isLoopback;
} FWPM_NET_EVENT_CLASSIFY_DROP1;

typedef struct FWPM_NET_EVENT_IPSEC_KERNEL_DROP0_ {
	INT32 failureStatus;
	FWP_DIRECTION direction;
	UINT32 spi;			/* IPSEC_SA_SPI */
	UINT64 filterId;
	UINT16 layerId;
} FWPM_NET_EVENT_IPSEC_KERNEL_DROP0;

/* The other kinds' payloads: never raised here, opaque. */
typedef struct FWPM_NET_EVENT_IKEEXT_MM_FAILURE1_
	FWPM_NET_EVENT_IKEEXT_MM_FAILURE1;
typedef struct FWPM_NET_EVENT_IKEEXT_QM_FAILURE0_
	FWPM_NET_EVENT_IKEEXT_QM_FAILURE0;
typedef struct FWPM_NET_EVENT_IKEEXT_EM_FAILURE1_
	FWPM_NET_EVENT_IKEEXT_EM_FAILURE1;
typedef struct FWPM_NET_EVENT_IPSEC_DOSP_DROP0_
	FWPM_NET_EVENT_IPSEC_DOSP_DROP0;

typedef struct FWPM_NET_EVENT1_ {
	FWPM_NET_EVENT_HEADER1 header;
	FWPM_NET_EVENT_TYPE type;
	union {
		FWPM_NET_EVENT_IKEEXT_MM_FAILURE1 *ikeMmFailure;
		FWPM_NET_EVENT_IKEEXT_QM_FAILURE0 *ikeQmFailure;
		FWPM_NET_EVENT_IKEEXT_EM_FAILURE1 *ikeEmFailure;
		FWPM_NET_EVENT_CLASSIFY_DROP1 *classifyDrop;
		FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 *ipsecDrop;
		FWPM_NET_EVENT_IPSEC_DOSP_DROP0 *idpDrop;
	};
} FWPM_NET_EVENT1;

typedef struct FWPM_NET_EVENT_ENUM_TEMPLATE0_ {
	FILETIME startTime;
	FILETIME endTime;
	UINT32 numFilterConditions;	/* 0: every event */
	FWPM_FILTER_CONDITION0 *filterCondition;
} FWPM_NET_EVENT_ENUM_TEMPLATE0;

typedef struct FWPM_NET_EVENT_SUBSCRIPTION0_ {
	FWPM_NET_EVENT_ENUM_TEMPLATE0 *enumTemplate;	/* NULL: every event */
	UINT32 flags;
	GUID sessionKey;
} FWPM_NET_EVENT_SUBSCRIPTION0;

#ifdef __cplusplus
}
#endif

#endif /* WFP_FWPMTYPES_H */
