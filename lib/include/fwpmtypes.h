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

/* Filters are not modelled by libwfpipsec; they only appear behind pointers. */
typedef struct FWPM_FILTER0_ FWPM_FILTER0;

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

#ifdef __cplusplus
}
#endif

#endif /* WFP_FWPMTYPES_H */
