/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipsectypes.h - IPsec SA, SA-context and statistics types of the WFP IPsec API. */
#ifndef WFP_IPSECTYPES_H
#define WFP_IPSECTYPES_H

#include "wfp_wintypes.h"
#include "fwptypes.h"
#include "fwpmtypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Layouts follow the Windows SDK definitions member for member, including
 * the anonymous unions, so code written against the SDK compiles unchanged
 * and the structures have the x64 Windows layout on LP64 Linux.
 */

typedef UINT32 IPSEC_SA_SPI;
typedef UINT8 IPSEC_AUTH_CONFIG;
typedef UINT8 IPSEC_CIPHER_CONFIG;
typedef GUID IPSEC_CRYPTO_MODULE_ID;
typedef UINT64 IPSEC_TOKEN_HANDLE;

/* A zero limit means "no limit of this kind". */
typedef struct IPSEC_SA_LIFETIME0_ {
	UINT32 lifetimeSeconds;
	UINT32 lifetimeKilobytes;
	UINT32 lifetimePackets;
} IPSEC_SA_LIFETIME0;

/* Which protocol and service an SA provides; selects the IPSEC_SA0 union arm. */
typedef enum IPSEC_TRANSFORM_TYPE_ {
	IPSEC_TRANSFORM_AH = 1,
	IPSEC_TRANSFORM_ESP_AUTH = 2,
	IPSEC_TRANSFORM_ESP_CIPHER = 3,
	IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER = 4,
	IPSEC_TRANSFORM_ESP_AUTH_FW = 5,
	IPSEC_TRANSFORM_TYPE_MAX = 6
} IPSEC_TRANSFORM_TYPE;

/* ---- integrity ---- */

typedef enum IPSEC_AUTH_TYPE_ {
	IPSEC_AUTH_MD5 = 0,
	IPSEC_AUTH_SHA_1 = 1,
	IPSEC_AUTH_SHA_256 = 2,
	IPSEC_AUTH_AES_128 = 3,
	IPSEC_AUTH_AES_192 = 4,
	IPSEC_AUTH_AES_256 = 5,
	IPSEC_AUTH_MAX = 6
} IPSEC_AUTH_TYPE;

#define IPSEC_AUTH_CONFIG_HMAC_MD5_96      (0)
#define IPSEC_AUTH_CONFIG_HMAC_SHA_1_96    (1)
#define IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 (2)
#define IPSEC_AUTH_CONFIG_GCM_AES_128      (3)
#define IPSEC_AUTH_CONFIG_GCM_AES_192      (4)
#define IPSEC_AUTH_CONFIG_GCM_AES_256      (5)
#define IPSEC_AUTH_CONFIG_MAX              (6)

typedef struct IPSEC_AUTH_TRANSFORM_ID0_ {
	IPSEC_AUTH_TYPE authType;
	IPSEC_AUTH_CONFIG authConfig;
} IPSEC_AUTH_TRANSFORM_ID0;

typedef struct IPSEC_AUTH_TRANSFORM0_ {
	IPSEC_AUTH_TRANSFORM_ID0 authTransformId;
	IPSEC_CRYPTO_MODULE_ID *cryptoModuleId;
} IPSEC_AUTH_TRANSFORM0;

/* ---- encryption ---- */

typedef enum IPSEC_CIPHER_TYPE_ {
	IPSEC_CIPHER_TYPE_DES = 1,
	IPSEC_CIPHER_TYPE_3DES = 2,
	IPSEC_CIPHER_TYPE_AES_128 = 3,
	IPSEC_CIPHER_TYPE_AES_192 = 4,
	IPSEC_CIPHER_TYPE_AES_256 = 5,
	IPSEC_CIPHER_TYPE_MAX = 6
} IPSEC_CIPHER_TYPE;

#define IPSEC_CIPHER_CONFIG_CBC_DES     (1)
#define IPSEC_CIPHER_CONFIG_CBC_3DES    (2)
#define IPSEC_CIPHER_CONFIG_CBC_AES_128 (3)
#define IPSEC_CIPHER_CONFIG_CBC_AES_192 (4)
#define IPSEC_CIPHER_CONFIG_CBC_AES_256 (5)
#define IPSEC_CIPHER_CONFIG_GCM_AES_128 (6)
#define IPSEC_CIPHER_CONFIG_GCM_AES_192 (7)
#define IPSEC_CIPHER_CONFIG_GCM_AES_256 (8)
#define IPSEC_CIPHER_CONFIG_MAX         (9)

typedef struct IPSEC_CIPHER_TRANSFORM_ID0_ {
	IPSEC_CIPHER_TYPE cipherType;
	IPSEC_CIPHER_CONFIG cipherConfig;
} IPSEC_CIPHER_TRANSFORM_ID0;

typedef struct IPSEC_CIPHER_TRANSFORM0_ {
	IPSEC_CIPHER_TRANSFORM_ID0 cipherTransformId;
	IPSEC_CRYPTO_MODULE_ID *cryptoModuleId;
} IPSEC_CIPHER_TRANSFORM0;

typedef struct IPSEC_AUTH_AND_CIPHER_TRANSFORM0_ {
	IPSEC_AUTH_TRANSFORM0 authTransform;
	IPSEC_CIPHER_TRANSFORM0 cipherTransform;
} IPSEC_AUTH_AND_CIPHER_TRANSFORM0;

/* A transform as offered in policy proposals (not used in SA bundles). */
typedef struct IPSEC_SA_TRANSFORM0_ {
	IPSEC_TRANSFORM_TYPE ipsecTransformType;
	union {
		IPSEC_AUTH_TRANSFORM0 *ahTransform;
		IPSEC_AUTH_TRANSFORM0 *espAuthTransform;
		IPSEC_CIPHER_TRANSFORM0 *espCipherTransform;
		IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *espAuthAndCipherTransform;
		IPSEC_AUTH_TRANSFORM0 *espAuthFwTransform;
	};
} IPSEC_SA_TRANSFORM0;

/* The SDK keeps this misspelt member name working; so do we. */
#define espAuthTranform espAuthTransform

/* Diffie-Hellman group used for perfect forward secrecy. */
typedef enum IPSEC_PFS_GROUP_ {
	IPSEC_PFS_NONE = 0,
	IPSEC_PFS_1 = 1,
	IPSEC_PFS_2 = 2,
	IPSEC_PFS_2048 = 3,
	IPSEC_PFS_14 = IPSEC_PFS_2048,
	IPSEC_PFS_ECP_256 = 4,
	IPSEC_PFS_ECP_384 = 5,
	IPSEC_PFS_MM = 6,
	IPSEC_PFS_24 = 7,
	IPSEC_PFS_MAX = 8
} IPSEC_PFS_GROUP;

typedef enum IPSEC_TRAFFIC_TYPE_ {
	IPSEC_TRAFFIC_TYPE_TRANSPORT = 0,
	IPSEC_TRAFFIC_TYPE_TUNNEL = 1,
	IPSEC_TRAFFIC_TYPE_MAX = 2
} IPSEC_TRAFFIC_TYPE;

/* ---- keying policy (which keying modules may negotiate) ---- */

typedef struct IPSEC_KEYING_POLICY0_ {
	UINT32 numKeyMods;
	GUID *keyModKeys;
} IPSEC_KEYING_POLICY0;

#define IPSEC_KEYING_POLICY_FLAG_TERMINATING_MATCH (0x00000001)

typedef struct IPSEC_KEYING_POLICY1_ {
	UINT32 numKeyMods;
	GUID *keyModKeys;
	UINT32 flags;
} IPSEC_KEYING_POLICY1;

/* ---- keys and SAs ---- */

typedef struct IPSEC_SA_AUTH_INFORMATION0_ {
	IPSEC_AUTH_TRANSFORM0 authTransform;
	FWP_BYTE_BLOB authKey;
} IPSEC_SA_AUTH_INFORMATION0;

typedef struct IPSEC_SA_CIPHER_INFORMATION0_ {
	IPSEC_CIPHER_TRANSFORM0 cipherTransform;
	FWP_BYTE_BLOB cipherKey;
} IPSEC_SA_CIPHER_INFORMATION0;

/* Note the order: the cipher half comes first. */
typedef struct IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0_ {
	IPSEC_SA_CIPHER_INFORMATION0 saCipherInformation;
	IPSEC_SA_AUTH_INFORMATION0 saAuthInformation;
} IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0;

/* One SA; saTransformType says which union member is valid. */
typedef struct IPSEC_SA0_ {
	IPSEC_SA_SPI spi;
	IPSEC_TRANSFORM_TYPE saTransformType;
	union {
		IPSEC_SA_AUTH_INFORMATION0 *ahInformation;
		IPSEC_SA_AUTH_INFORMATION0 *espAuthInformation;
		IPSEC_SA_CIPHER_INFORMATION0 *espCipherInformation;
		IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *espAuthAndCipherInformation;
		IPSEC_SA_AUTH_INFORMATION0 *espAuthFwInformation;
	};
} IPSEC_SA0;

/* Opaque per-keying-module state stored alongside an SA bundle. */
typedef struct IPSEC_KEYMODULE_STATE0_ {
	GUID keyModuleKey;
	FWP_BYTE_BLOB stateBlob;
} IPSEC_KEYMODULE_STATE0;

/* ---- identities carried by a bundle ---- */

typedef enum IPSEC_TOKEN_TYPE_ {
	IPSEC_TOKEN_TYPE_MACHINE = 0,
	IPSEC_TOKEN_TYPE_IMPERSONATION = 1,
	IPSEC_TOKEN_TYPE_MAX = 2
} IPSEC_TOKEN_TYPE;

typedef enum IPSEC_TOKEN_PRINCIPAL_ {
	IPSEC_TOKEN_PRINCIPAL_LOCAL = 0,
	IPSEC_TOKEN_PRINCIPAL_PEER = 1,
	IPSEC_TOKEN_PRINCIPAL_MAX = 2
} IPSEC_TOKEN_PRINCIPAL;

typedef enum IPSEC_TOKEN_MODE_ {
	IPSEC_TOKEN_MODE_MAIN = 0,
	IPSEC_TOKEN_MODE_EXTENDED = 1,
	IPSEC_TOKEN_MODE_MAX = 2
} IPSEC_TOKEN_MODE;

typedef struct IPSEC_TOKEN0_ {
	IPSEC_TOKEN_TYPE type;
	IPSEC_TOKEN_PRINCIPAL principal;
	IPSEC_TOKEN_MODE mode;
	IPSEC_TOKEN_HANDLE token;
} IPSEC_TOKEN0;

typedef struct IPSEC_ID0_ {
	wchar_t *mmTargetName;
	wchar_t *emTargetName;
	UINT32 numTokens;
	IPSEC_TOKEN0 *tokens;
	UINT64 explicitCredentials;
	UINT64 logonId;
} IPSEC_ID0;

/* ---- SA bundles ---- */

#define IPSEC_SA_BUNDLE_FLAG_ND_SECURE                          (0x00000001)
#define IPSEC_SA_BUNDLE_FLAG_ND_BOUNDARY                        (0x00000002)
#define IPSEC_SA_BUNDLE_FLAG_ND_PEER_NAT_BOUNDARY               (0x00000004)
#define IPSEC_SA_BUNDLE_FLAG_GUARANTEE_ENCRYPTION               (0x00000008)
#define IPSEC_SA_BUNDLE_FLAG_NLB                                (0x00000010)
#define IPSEC_SA_BUNDLE_FLAG_NO_MACHINE_LUID_VERIFY             (0x00000020)
#define IPSEC_SA_BUNDLE_FLAG_NO_IMPERSONATION_LUID_VERIFY       (0x00000040)
#define IPSEC_SA_BUNDLE_FLAG_NO_EXPLICIT_CRED_MATCH             (0x00000080)
#define IPSEC_SA_BUNDLE_FLAG_ALLOW_NULL_TARGET_NAME_MATCH       (0x00000200)
#define IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL                 (0x00000400)
#define IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND        (0x00000800)
#define IPSEC_SA_BUNDLE_FLAG_ND_PEER_BOUNDARY                   (0x00001000)
#define IPSEC_SA_BUNDLE_FLAG_SUPPRESS_DUPLICATE_DELETION        (0x00002000)
#define IPSEC_SA_BUNDLE_FLAG_PEER_SUPPORTS_GUARANTEE_ENCRYPTION (0x00004000)
#define IPSEC_SA_BUNDLE_FLAG_FORCE_INBOUND_CONNECTIONS          (0x00008000)
#define IPSEC_SA_BUNDLE_FLAG_FORCE_OUTBOUND_CONNECTIONS         (0x00010000)
#define IPSEC_SA_BUNDLE_FLAG_FORWARD_PATH_INITIATOR             (0x00020000)
#define IPSEC_SA_BUNDLE_FLAG_ENABLE_OPTIONAL_ASYMMETRIC_IDLE    (0x00040000)
#define IPSEC_SA_BUNDLE_FLAG_USING_DICTATED_KEYS                (0x00080000)
#define IPSEC_SA_BUNDLE_FLAG_LOCALLY_DICTATED_KEYS              (0x00100000)
#define IPSEC_SA_BUNDLE_FLAG_SA_OFFLOADED                       (0x00200000)
#define IPSEC_SA_BUNDLE_FLAG_IP_IN_IP_PKT                       (0x00400000)
#define IPSEC_SA_BUNDLE_FLAG_LOW_POWER_MODE_SUPPORT             (0x00800000)
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH1                  (0x10000000)
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH2                  (0x20000000)
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH3                  (0x40000000)
#define IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH4                  (0x80000000)

/*
 * The SAs of one direction. numSAs is 1, or 2 for AH+ESP (ESP at index 0,
 * AH at index 1). qmSaId must match across the inbound and outbound bundle
 * of a pair and on both peers.
 */
typedef struct IPSEC_SA_BUNDLE0_ {
	UINT32 flags;
	IPSEC_SA_LIFETIME0 lifetime;
	UINT32 idleTimeoutSeconds;
	UINT32 ndAllowClearTimeoutSeconds;
	IPSEC_ID0 *ipsecId;
	UINT32 napContext;
	UINT32 qmSaId;
	UINT32 numSAs;
	IPSEC_SA0 *saList;
	IPSEC_KEYMODULE_STATE0 *keyModuleState;
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 peerV4PrivateAddress;	/* IPv4 only */
	};
	UINT64 mmSaId;
	IPSEC_PFS_GROUP pfsGroup;
} IPSEC_SA_BUNDLE0;

typedef struct IPSEC_SA_BUNDLE1_ {
	UINT32 flags;
	IPSEC_SA_LIFETIME0 lifetime;
	UINT32 idleTimeoutSeconds;
	UINT32 ndAllowClearTimeoutSeconds;
	IPSEC_ID0 *ipsecId;
	UINT32 napContext;
	UINT32 qmSaId;
	UINT32 numSAs;
	IPSEC_SA0 *saList;
	IPSEC_KEYMODULE_STATE0 *keyModuleState;
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 peerV4PrivateAddress;	/* IPv4 only */
	};
	UINT64 mmSaId;
	IPSEC_PFS_GROUP pfsGroup;
	GUID saLookupContext;
	UINT64 qmFilterId;
} IPSEC_SA_BUNDLE1;

/* ---- traffic descriptions ---- */

/*
 * Addresses: local is this host, remote the peer, in both directions.
 * ipsecFilterId (transport) or tunnelPolicyId (tunnel) per trafficType.
 */
typedef struct IPSEC_TRAFFIC0_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 localV4Address;
		UINT8 localV6Address[16];
	};
	union {
		UINT32 remoteV4Address;
		UINT8 remoteV6Address[16];
	};
	IPSEC_TRAFFIC_TYPE trafficType;
	union {
		UINT64 ipsecFilterId;
		UINT64 tunnelPolicyId;
	};
	UINT16 remotePort;
} IPSEC_TRAFFIC0;

/* Non-zero ports / ipProtocol narrow what the transport filter matches. */
typedef struct IPSEC_TRAFFIC1_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 localV4Address;
		UINT8 localV6Address[16];
	};
	union {
		UINT32 remoteV4Address;
		UINT8 remoteV6Address[16];
	};
	IPSEC_TRAFFIC_TYPE trafficType;
	union {
		UINT64 ipsecFilterId;
		UINT64 tunnelPolicyId;
	};
	UINT16 remotePort;
	UINT16 localPort;
	UINT8 ipProtocol;
	UINT64 localIfLuid;
	UINT32 realIfProfileId;
} IPSEC_TRAFFIC1;

/* ESP-in-UDP (NAT traversal) ports, IPv4 only. */
typedef struct IPSEC_V4_UDP_ENCAPSULATION0_ {
	UINT16 localUdpEncapPort;
	UINT16 remoteUdpEncapPort;
} IPSEC_V4_UDP_ENCAPSULATION0;

/* ---- inbound SPI reservation ---- */

typedef struct IPSEC_GETSPI0_ {
	IPSEC_TRAFFIC0 inboundIpsecTraffic;
	FWP_IP_VERSION ipVersion;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0 *inboundUdpEncapsulation;
	};
	IPSEC_CRYPTO_MODULE_ID *rngCryptoModuleID;	/* unused */
} IPSEC_GETSPI0;

typedef struct IPSEC_GETSPI1_ {
	IPSEC_TRAFFIC1 inboundIpsecTraffic;
	FWP_IP_VERSION ipVersion;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0 *inboundUdpEncapsulation;
	};
	IPSEC_CRYPTO_MODULE_ID *rngCryptoModuleID;	/* unused */
} IPSEC_GETSPI1;

/* ---- SA details and SA contexts ---- */

typedef struct IPSEC_VIRTUAL_IF_TUNNEL_INFO0_ {
	UINT64 virtualIfTunnelId;
	UINT64 trafficSelectorId;
} IPSEC_VIRTUAL_IF_TUNNEL_INFO0;

typedef struct IPSEC_SA_DETAILS0_ {
	FWP_IP_VERSION ipVersion;
	FWP_DIRECTION saDirection;
	IPSEC_TRAFFIC0 traffic;
	IPSEC_SA_BUNDLE0 saBundle;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0 *udpEncapsulation;
	};
	FWPM_FILTER0 *transportFilter;
} IPSEC_SA_DETAILS0;

/* virtualIfTunnelInfo is embedded by value, as in the Windows SDK. */
typedef struct IPSEC_SA_DETAILS1_ {
	FWP_IP_VERSION ipVersion;
	FWP_DIRECTION saDirection;
	IPSEC_TRAFFIC1 traffic;
	IPSEC_SA_BUNDLE1 saBundle;
	union {
		IPSEC_V4_UDP_ENCAPSULATION0 *udpEncapsulation;
	};
	FWPM_FILTER0 *transportFilter;
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 virtualIfTunnelInfo;
} IPSEC_SA_DETAILS1;

/* Inbound/outbound are NULL until the respective bundle has been added. */
typedef struct IPSEC_SA_CONTEXT0_ {
	UINT64 saContextId;
	IPSEC_SA_DETAILS0 *inboundSa;
	IPSEC_SA_DETAILS0 *outboundSa;
} IPSEC_SA_CONTEXT0;

typedef struct IPSEC_SA_CONTEXT1_ {
	UINT64 saContextId;
	IPSEC_SA_DETAILS1 *inboundSa;
	IPSEC_SA_DETAILS1 *outboundSa;
} IPSEC_SA_CONTEXT1;

/* Which members of IPsecSaContextUpdate0's newValues are applied. */
#define IPSEC_SA_DETAILS_UPDATE_TRAFFIC                ((UINT64)0x01)
#define IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION      ((UINT64)0x02)
#define IPSEC_SA_BUNDLE_UPDATE_FLAGS                   ((UINT64)0x04)
#define IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT             ((UINT64)0x08)
#define IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE        ((UINT64)0x10)
#define IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS ((UINT64)0x20)
#define IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID                ((UINT64)0x40)

/* ---- enumeration templates ---- */

/* Either subnet may be FWP_EMPTY to match anything. */
typedef struct IPSEC_SA_CONTEXT_ENUM_TEMPLATE0_ {
	FWP_CONDITION_VALUE0 localSubNet;
	FWP_CONDITION_VALUE0 remoteSubNet;
} IPSEC_SA_CONTEXT_ENUM_TEMPLATE0;

typedef struct IPSEC_SA_ENUM_TEMPLATE0_ {
	FWP_DIRECTION saDirection;
} IPSEC_SA_ENUM_TEMPLATE0;

/* ---- change notifications ---- */

typedef struct IPSEC_SA_CONTEXT_SUBSCRIPTION0_ {
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *enumTemplate;
	UINT32 flags;		/* reserved */
	GUID sessionKey;
} IPSEC_SA_CONTEXT_SUBSCRIPTION0;

typedef enum IPSEC_SA_CONTEXT_EVENT_TYPE0_ {
	IPSEC_SA_CONTEXT_EVENT_ADD = 1,
	IPSEC_SA_CONTEXT_EVENT_DELETE = 2,
	IPSEC_SA_CONTEXT_EVENT_MAX = 3
} IPSEC_SA_CONTEXT_EVENT_TYPE0;

/* Only the id is reported; fetch details with IPsecSaContextGetById*. */
typedef struct IPSEC_SA_CONTEXT_CHANGE0_ {
	IPSEC_SA_CONTEXT_EVENT_TYPE0 changeType;
	UINT64 saContextId;
} IPSEC_SA_CONTEXT_CHANGE0;

/* ---- tunnel endpoints ---- */

typedef struct IPSEC_TUNNEL_ENDPOINTS0_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 localV4Address;
		UINT8 localV6Address[16];
	};
	union {
		UINT32 remoteV4Address;
		UINT8 remoteV6Address[16];
	};
} IPSEC_TUNNEL_ENDPOINTS0;

typedef struct IPSEC_TUNNEL_ENDPOINTS1_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 localV4Address;
		UINT8 localV6Address[16];
	};
	union {
		UINT32 remoteV4Address;
		UINT8 remoteV6Address[16];
	};
	UINT64 localIfLuid;
} IPSEC_TUNNEL_ENDPOINTS1;

typedef struct IPSEC_TUNNEL_ENDPOINT0_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 v4Address;
		UINT8 v6Address[16];
	};
} IPSEC_TUNNEL_ENDPOINT0;

typedef struct IPSEC_TUNNEL_ENDPOINTS2_ {
	FWP_IP_VERSION ipVersion;
	union {
		UINT32 localV4Address;
		UINT8 localV6Address[16];
	};
	union {
		UINT32 remoteV4Address;
		UINT8 remoteV6Address[16];
	};
	UINT64 localIfLuid;
	wchar_t *remoteFqdn;
	UINT32 numAddresses;
	IPSEC_TUNNEL_ENDPOINT0 *remoteAddresses;
} IPSEC_TUNNEL_ENDPOINTS2;

/* ---- quick-mode policies (FWPM_PROVIDER_CONTEXT0 arms) ---- */

/* Idle time after which SAs are deleted; FailOver: peer in a cluster. */
typedef struct IPSEC_SA_IDLE_TIMEOUT0_ {
	UINT32 idleTimeoutSeconds;
	UINT32 idleTimeoutSecondsFailOver;
} IPSEC_SA_IDLE_TIMEOUT0;

/* One offer: 1 transform, or 2 for AH+ESP; lifetime must not be zero. */
typedef struct IPSEC_PROPOSAL0_ {
	IPSEC_SA_LIFETIME0 lifetime;
	UINT32 numSaTransforms;
	IPSEC_SA_TRANSFORM0 *saTransforms;
	IPSEC_PFS_GROUP pfsGroup;
} IPSEC_PROPOSAL0;

#define IPSEC_POLICY_FLAG_ND_SECURE                             (0x00000002)
#define IPSEC_POLICY_FLAG_ND_BOUNDARY                           (0x00000004)
#define IPSEC_POLICY_FLAG_CLEAR_DF_ON_TUNNEL                    (0x00000008)
#define IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_PEER_BEHIND_NAT       (0x00000010)
#define IPSEC_POLICY_FLAG_NAT_ENCAP_ALLOW_GENERAL_NAT_TRAVERSAL (0x00000020)
#define IPSEC_POLICY_FLAG_DONT_NEGOTIATE_SECOND_LIFETIME        (0x00000040)
#define IPSEC_POLICY_FLAG_DONT_NEGOTIATE_BYTE_LIFETIME          (0x00000080)
#define IPSEC_POLICY_FLAG_ENABLE_V6_IN_V4_TUNNELING             (0x00000100)
#define IPSEC_POLICY_FLAG_ENABLE_SERVER_ADDR_ASSIGNMENT         (0x00000200)
#define IPSEC_POLICY_FLAG_TUNNEL_ALLOW_OUTBOUND_CLEAR_CONNECTION (0x00000400)
#define IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ALREADY_SECURE_CONNECTION (0x00000800)
#define IPSEC_POLICY_FLAG_TUNNEL_BYPASS_ICMPV6                  (0x00001000)
#define IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY         (0x00002000)
#define IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_NOTIFY_KEY          (0x00004000)
#define IPSEC_POLICY_FLAG_RESERVED1                             (0x00008000)
#define IPSEC_POLICY_FLAG_SITE_TO_SITE_TUNNEL                   (0x00010000)

/* AuthIP extended-mode policy: not modelled, only pointed to. */
typedef struct IKEEXT_EM_POLICY0_ IKEEXT_EM_POLICY0;

typedef struct IPSEC_TRANSPORT_POLICY0_ {
	UINT32 numIpsecProposals;
	IPSEC_PROPOSAL0 *ipsecProposals;
	UINT32 flags;			/* IPSEC_POLICY_FLAG_* */
	UINT32 ndAllowClearTimeoutSeconds;
	IPSEC_SA_IDLE_TIMEOUT0 saIdleTimeout;
	IKEEXT_EM_POLICY0 *emPolicy;
} IPSEC_TRANSPORT_POLICY0;

/* The endpoints are the tunnel's outer addresses, embedded by value. */
typedef struct IPSEC_TUNNEL_POLICY0_ {
	UINT32 flags;			/* IPSEC_POLICY_FLAG_* */
	UINT32 numIpsecProposals;
	IPSEC_PROPOSAL0 *ipsecProposals;
	IPSEC_TUNNEL_ENDPOINTS0 tunnelEndpoints;
	IPSEC_SA_IDLE_TIMEOUT0 saIdleTimeout;
	IKEEXT_EM_POLICY0 *emPolicy;
} IPSEC_TUNNEL_POLICY0;

typedef enum IPSEC_FAILURE_POINT_ {
	IPSEC_FAILURE_NONE = 0,
	IPSEC_FAILURE_ME = 1,
	IPSEC_FAILURE_PEER = 2,
	IPSEC_FAILURE_POINT_MAX = 3
} IPSEC_FAILURE_POINT;

/* ---- global statistics (IPsecGetStatistics0/1) ---- */

typedef struct IPSEC_AGGREGATE_SA_STATISTICS0_ {
	UINT32 activeSas;
	UINT32 pendingSaNegotiations;
	UINT32 totalSasAdded;
	UINT32 totalSasDeleted;
	UINT32 successfulRekeys;
	UINT32 activeTunnels;
	UINT32 offloadedSas;
} IPSEC_AGGREGATE_SA_STATISTICS0;

typedef struct IPSEC_ESP_DROP_PACKET_STATISTICS0_ {
	UINT32 invalidSpisOnInbound;
	UINT32 decryptionFailuresOnInbound;
	UINT32 authenticationFailuresOnInbound;
	UINT32 replayCheckFailuresOnInbound;
	UINT32 saNotInitializedOnInbound;
} IPSEC_ESP_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AH_DROP_PACKET_STATISTICS0_ {
	UINT32 invalidSpisOnInbound;
	UINT32 authenticationFailuresOnInbound;
	UINT32 replayCheckFailuresOnInbound;
	UINT32 saNotInitializedOnInbound;
} IPSEC_AH_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0_ {
	UINT32 invalidSpisOnInbound;
	UINT32 decryptionFailuresOnInbound;
	UINT32 authenticationFailuresOnInbound;
	UINT32 udpEspValidationFailuresOnInbound;
	UINT32 replayCheckFailuresOnInbound;
	UINT32 invalidClearTextInbound;
	UINT32 saNotInitializedOnInbound;
	UINT32 receiveOverIncorrectSaInbound;
	UINT32 secureReceivesNotMatchingFilters;
} IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0;

typedef struct IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1_ {
	UINT32 invalidSpisOnInbound;
	UINT32 decryptionFailuresOnInbound;
	UINT32 authenticationFailuresOnInbound;
	UINT32 udpEspValidationFailuresOnInbound;
	UINT32 replayCheckFailuresOnInbound;
	UINT32 invalidClearTextInbound;
	UINT32 saNotInitializedOnInbound;
	UINT32 receiveOverIncorrectSaInbound;
	UINT32 secureReceivesNotMatchingFilters;
	UINT32 totalDropPacketsInbound;
} IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1;

typedef struct IPSEC_TRAFFIC_STATISTICS0_ {
	UINT64 encryptedByteCount;
	UINT64 authenticatedAHByteCount;
	UINT64 authenticatedESPByteCount;
	UINT64 transportByteCount;
	UINT64 tunnelByteCount;
	UINT64 offloadByteCount;
} IPSEC_TRAFFIC_STATISTICS0;

typedef struct IPSEC_TRAFFIC_STATISTICS1_ {
	UINT64 encryptedByteCount;
	UINT64 authenticatedAHByteCount;
	UINT64 authenticatedESPByteCount;
	UINT64 transportByteCount;
	UINT64 tunnelByteCount;
	UINT64 offloadByteCount;
	UINT64 totalSuccessfulPackets;
} IPSEC_TRAFFIC_STATISTICS1;

typedef struct IPSEC_STATISTICS0_ {
	IPSEC_AGGREGATE_SA_STATISTICS0 aggregateSaStatistics;
	IPSEC_ESP_DROP_PACKET_STATISTICS0 espDropPacketStatistics;
	IPSEC_AH_DROP_PACKET_STATISTICS0 ahDropPacketStatistics;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS0 aggregateDropPacketStatistics;
	IPSEC_TRAFFIC_STATISTICS0 inboundTrafficStatistics;
	IPSEC_TRAFFIC_STATISTICS0 outboundTrafficStatistics;
} IPSEC_STATISTICS0;

typedef struct IPSEC_STATISTICS1_ {
	IPSEC_AGGREGATE_SA_STATISTICS0 aggregateSaStatistics;
	IPSEC_ESP_DROP_PACKET_STATISTICS0 espDropPacketStatistics;
	IPSEC_AH_DROP_PACKET_STATISTICS0 ahDropPacketStatistics;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 aggregateDropPacketStatistics;
	IPSEC_TRAFFIC_STATISTICS1 inboundTrafficStatistics;
	IPSEC_TRAFFIC_STATISTICS1 outboundTrafficStatistics;
} IPSEC_STATISTICS1;

#ifdef __cplusplus
}
#endif

#endif /* WFP_IPSECTYPES_H */
