/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* guiddef.h - the GUID type and DEFINE_GUID, as the Windows SDK declares them. */
#ifndef WFP_GUIDDEF_H
#define WFP_GUIDDEF_H

#include <stdint.h>
#include <string.h>

/* GUID_DEFINED is the guard Windows-compatible headers agree on. */
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
	uint32_t Data1;
	uint16_t Data2;
	uint16_t Data3;
	uint8_t Data4[8];
} GUID;
#endif

typedef GUID IID;
typedef GUID *LPGUID;

/* The C forms: C++ callers get them too (no reference overloads). */
#ifndef REFGUID
#define REFGUID const GUID *
#endif
#ifndef REFIID
#define REFIID const IID *
#endif
#ifndef IsEqualGUID
#define IsEqualGUID(rguid1, rguid2) \
	(!memcmp((rguid1), (rguid2), sizeof(GUID)))
#endif

#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif
#endif

#endif /* WFP_GUIDDEF_H */

/*
 * Outside the include guard on purpose, as in the SDK: <initguid.h>
 * defines INITGUID and includes this file again, so the DEFINE_GUIDs
 * that follow define their GUIDs instead of declaring them.
 *
 * Windows defines them __declspec(selectany): every translation unit may
 * define the same GUID and the linker keeps one.  ELF's counterpart is a
 * weak definition, so INITGUID in several files of one program, a GUID
 * the program defines itself, and libwfpipsec's own definitions of the
 * FWPM_* GUIDs (lib/guids.c) all link together without a duplicate
 * symbol; a program's strong definition wins over any weak one.  In C a
 * file-scope const has external linkage already, and "extern" with an
 * initializer draws a warning, hence no EXTERN_C in the C definition.
 */
#undef DEFINE_GUID
#ifdef INITGUID
#ifdef __cplusplus
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	EXTERN_C const GUID __attribute__((weak)) name =		\
		{ l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	const GUID __attribute__((weak)) name =				\
		{ l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#endif
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)	\
	EXTERN_C const GUID name
#endif
