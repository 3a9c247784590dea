/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cguid.h - GUID_NULL, the all-zero GUID ("no key": let the engine pick). */
#ifndef WFP_CGUID_H
#define WFP_CGUID_H

#include "guiddef.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 00000000-0000-0000-0000-000000000000; defined in libwfpipsec. */
DEFINE_GUID(GUID_NULL,
	    0x00000000, 0x0000, 0x0000,
	    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00);

#define IID_NULL GUID_NULL

#ifdef __cplusplus
}
#endif

#endif /* WFP_CGUID_H */
