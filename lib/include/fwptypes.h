/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fwptypes.h - basic Windows Filtering Platform value types (FWP_*) for libwfpipsec. */
#ifndef WFP_FWPTYPES_H
#define WFP_FWPTYPES_H

#include "wfp_wintypes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* All FWP/IPsec enums are 32-bit on Windows; plain C enums are too on gcc. */

typedef enum FWP_DIRECTION_ {
	FWP_DIRECTION_OUTBOUND = 0,
	FWP_DIRECTION_INBOUND = 1,
	FWP_DIRECTION_MAX = 2
} FWP_DIRECTION;

typedef enum FWP_AF_ {
	FWP_AF_INET = 0,
	FWP_AF_INET6 = 1,
	FWP_AF_ETHER = 2,
	FWP_AF_NONE = 3
} FWP_AF;

typedef enum FWP_IP_VERSION_ {
	FWP_IP_VERSION_V4 = 0,
	FWP_IP_VERSION_V6 = 1,
	FWP_IP_VERSION_NONE = 2,
	FWP_IP_VERSION_MAX = 3
} FWP_IP_VERSION;

/* Tag of the FWP_VALUE0 / FWP_CONDITION_VALUE0 unions. */
typedef enum FWP_DATA_TYPE_ {
	FWP_EMPTY = 0,
	FWP_UINT8 = 1,
	FWP_UINT16 = 2,
	FWP_UINT32 = 3,
	FWP_UINT64 = 4,
	FWP_INT8 = 5,
	FWP_INT16 = 6,
	FWP_INT32 = 7,
	FWP_INT64 = 8,
	FWP_FLOAT = 9,
	FWP_DOUBLE = 10,
	FWP_BYTE_ARRAY16_TYPE = 11,
	FWP_BYTE_BLOB_TYPE = 12,
	FWP_SID = 13,
	FWP_SECURITY_DESCRIPTOR_TYPE = 14,
	FWP_TOKEN_INFORMATION_TYPE = 15,
	FWP_TOKEN_ACCESS_INFORMATION_TYPE = 16,
	FWP_UNICODE_STRING_TYPE = 17,
	FWP_BYTE_ARRAY6_TYPE = 18,
	FWP_SINGLE_DATA_TYPE_MAX = 0xff,
	/* The types below are only valid in filter conditions. */
	FWP_V4_ADDR_MASK = 0x100,
	FWP_V6_ADDR_MASK = 0x101,
	FWP_RANGE_TYPE = 0x102,
	FWP_DATA_TYPE_MAX = 0x103
} FWP_DATA_TYPE;

/* Counted byte buffer: size bytes at data. */
typedef struct FWP_BYTE_BLOB_ {
	UINT32 size;
	UINT8 *data;
} FWP_BYTE_BLOB;

typedef struct FWP_BYTE_ARRAY16_ {
	UINT8 byteArray16[16];
} FWP_BYTE_ARRAY16;

#define FWP_BYTE_ARRAY6_SIZE 6

/* Typically a MAC address. */
typedef struct FWP_BYTE_ARRAY6_ {
	UINT8 byteArray6[FWP_BYTE_ARRAY6_SIZE];
} FWP_BYTE_ARRAY6;

/* Token contents are never interpreted by libwfpipsec. */
typedef struct FWP_TOKEN_INFORMATION_ FWP_TOKEN_INFORMATION;

/* Single value; 8-byte arms live out of line so the union stays pointer sized. */
typedef struct FWP_VALUE0_ {
	FWP_DATA_TYPE type;
	union {
		UINT8 uint8;
		UINT16 uint16;
		UINT32 uint32;
		UINT64 *uint64;
		INT8 int8;
		INT16 int16;
		INT32 int32;
		INT64 *int64;
		float float32;
		double *double64;
		FWP_BYTE_ARRAY16 *byteArray16;
		FWP_BYTE_BLOB *byteBlob;
		SID *sid;
		FWP_BYTE_BLOB *sd;
		FWP_TOKEN_INFORMATION *tokenInformation;
		FWP_BYTE_BLOB *tokenAccessInformation;
		LPWSTR unicodeString;
		FWP_BYTE_ARRAY6 *byteArray6;
	};
} FWP_VALUE0;

/* IPv4 address and mask, both host order. */
typedef struct FWP_V4_ADDR_AND_MASK_ {
	UINT32 addr;
	UINT32 mask;
} FWP_V4_ADDR_AND_MASK;

#define FWP_V6_ADDR_SIZE 16

/* IPv6 prefix, address in network order. */
typedef struct FWP_V6_ADDR_AND_MASK_ {
	UINT8 addr[FWP_V6_ADDR_SIZE];
	UINT8 prefixLength;
} FWP_V6_ADDR_AND_MASK;

/* Inclusive range; both ends carry the same data type. */
typedef struct FWP_RANGE0_ {
	FWP_VALUE0 valueLow;
	FWP_VALUE0 valueHigh;
} FWP_RANGE0;

/* A value as used in filter conditions and enumeration templates. */
typedef struct FWP_CONDITION_VALUE0_ {
	FWP_DATA_TYPE type;
	union {
		UINT8 uint8;
		UINT16 uint16;
		UINT32 uint32;
		UINT64 *uint64;
		INT8 int8;
		INT16 int16;
		INT32 int32;
		INT64 *int64;
		float float32;
		double *double64;
		FWP_BYTE_ARRAY16 *byteArray16;
		FWP_BYTE_BLOB *byteBlob;
		SID *sid;
		FWP_BYTE_BLOB *sd;
		FWP_TOKEN_INFORMATION *tokenInformation;
		FWP_BYTE_BLOB *tokenAccessInformation;
		LPWSTR unicodeString;
		FWP_BYTE_ARRAY6 *byteArray6;
		FWP_V4_ADDR_AND_MASK *v4AddrMask;
		FWP_V6_ADDR_AND_MASK *v6AddrMask;
		FWP_RANGE0 *rangeValue;
	};
} FWP_CONDITION_VALUE0;

/*
 * How a filter condition compares the packet's field with its value.
 * PREFIX / NOT_PREFIX test the suffix of a string, as on Windows.
 */
typedef enum FWP_MATCH_TYPE_ {
	FWP_MATCH_EQUAL = 0,
	FWP_MATCH_GREATER = 1,
	FWP_MATCH_LESS = 2,
	FWP_MATCH_GREATER_OR_EQUAL = 3,
	FWP_MATCH_LESS_OR_EQUAL = 4,
	FWP_MATCH_RANGE = 5,
	FWP_MATCH_FLAGS_ALL_SET = 6,
	FWP_MATCH_FLAGS_ANY_SET = 7,
	FWP_MATCH_FLAGS_NONE_SET = 8,
	FWP_MATCH_EQUAL_CASE_INSENSITIVE = 9,
	FWP_MATCH_NOT_EQUAL = 10,
	FWP_MATCH_PREFIX = 11,
	FWP_MATCH_NOT_PREFIX = 12,
	FWP_MATCH_TYPE_MAX = 13
} FWP_MATCH_TYPE;

/* Which filters a filter enumeration template selects. */
typedef enum FWP_FILTER_ENUM_TYPE_ {
	FWP_FILTER_ENUM_FULLY_CONTAINED = 0,
	FWP_FILTER_ENUM_OVERLAPPING = 1,
	FWP_FILTER_ENUM_TYPE_MAX = 2
} FWP_FILTER_ENUM_TYPE;

#define FWP_FILTER_ENUM_FLAG_BEST_TERMINATING_MATCH (0x00000001)
#define FWP_FILTER_ENUM_FLAG_SORTED                 (0x00000002)
#define FWP_FILTER_ENUM_FLAG_BOOTTIME_ONLY          (0x00000004)
#define FWP_FILTER_ENUM_FLAG_INCLUDE_BOOTTIME       (0x00000008)
#define FWP_FILTER_ENUM_FLAG_INCLUDE_DISABLED       (0x00000010)
#define FWP_FILTER_ENUM_FLAG_RESERVED1              (0x00000020)

/* Only the first two flags are valid in a template, as in the SDK. */
#define FWP_FILTER_ENUM_VALID_FLAGS \
	(FWP_FILTER_ENUM_FLAG_BEST_TERMINATING_MATCH | \
	 FWP_FILTER_ENUM_FLAG_SORTED)

/* Filter actions: a small type number combined with behaviour flags. */
typedef UINT32 FWP_ACTION_TYPE;

#define FWP_ACTION_FLAG_TERMINATING     (0x00001000)
#define FWP_ACTION_FLAG_NON_TERMINATING (0x00002000)
#define FWP_ACTION_FLAG_CALLOUT         (0x00004000)

#define FWP_ACTION_BLOCK \
	(0x00000001 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_PERMIT \
	(0x00000002 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_TERMINATING \
	(0x00000003 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_INSPECTION \
	(0x00000004 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_CALLOUT_UNKNOWN \
	(0x00000005 | FWP_ACTION_FLAG_CALLOUT)
#define FWP_ACTION_CONTINUE \
	(0x00000006 | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_NONE          (0x00000007)
#define FWP_ACTION_NONE_NO_MATCH (0x00000008)

#ifdef __cplusplus
}
#endif

#endif /* WFP_FWPTYPES_H */
