/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wfp_wintypes.h - Windows base types used by the libwfpipsec API, at their Windows widths. */
#ifndef WFP_WINTYPES_H
#define WFP_WINTYPES_H

/*
 * The Fwpuclnt API is written in terms of the Windows base types. Windows
 * is LLP64: LONG and ULONG are 32 bits there, so they are spelled with
 * <stdint.h> types here rather than with the (64-bit on LP64) C "long".
 * Strings stay wchar_t based, as in the SDK; on Linux wchar_t is 32 bits,
 * but it only ever appears behind a pointer, so struct layouts agree.
 */
#include <stddef.h>
#include <stdint.h>

typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef uint32_t DWORD;

typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef int8_t INT8;
typedef int16_t INT16;
typedef int32_t INT32;
typedef int64_t INT64;

typedef char CHAR;
typedef unsigned char UCHAR;
typedef unsigned short USHORT;
typedef unsigned int UINT;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef uint64_t ULONG64;

typedef int BOOL;
typedef BYTE BOOLEAN;

/* 100 ns intervals since 1601-01-01 UTC; 8 bytes, aligned to 4. */
typedef struct _FILETIME {
	DWORD dwLowDateTime;
	DWORD dwHighDateTime;
} FILETIME;

typedef void *PVOID;
typedef void *LPVOID;
typedef void *HANDLE;

typedef int32_t HRESULT;
typedef DWORD ACCESS_MASK;

typedef wchar_t WCHAR;
typedef wchar_t *PWSTR;
typedef wchar_t *LPWSTR;
typedef const wchar_t *PCWSTR;
typedef const wchar_t *LPCWSTR;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Calling-convention markers: __stdcall on 32-bit Windows, nothing here. */
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif

#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif

#define INVALID_HANDLE_VALUE ((HANDLE)(intptr_t)-1)

#include "guiddef.h"

/*
 * Security objects, in their Windows binary layouts (IPsecSaDbGet/
 * SetSecurityInfo0 read and write them).  As on Windows, PSID and
 * PSECURITY_DESCRIPTOR are untyped pointers while PACL points to an ACL;
 * SECURITY_DESCRIPTOR itself stays incomplete: only the self-relative
 * form, SECURITY_DESCRIPTOR_RELATIVE, crosses this API.
 */
typedef struct _SID_IDENTIFIER_AUTHORITY {
	BYTE Value[6];
} SID_IDENTIFIER_AUTHORITY;
typedef struct _SID {
	BYTE Revision;
	BYTE SubAuthorityCount;
	SID_IDENTIFIER_AUTHORITY IdentifierAuthority;
	DWORD SubAuthority[1];		/* SubAuthorityCount of them */
} SID;
typedef void *PSID;
typedef struct _ACL {
	BYTE AclRevision;
	BYTE Sbz1;
	WORD AclSize;			/* header and ACEs, in bytes */
	WORD AceCount;
	WORD Sbz2;
} ACL;
typedef ACL *PACL;
typedef struct _ACE_HEADER {
	BYTE AceType;
	BYTE AceFlags;
	WORD AceSize;
} ACE_HEADER;
typedef struct _ACCESS_ALLOWED_ACE {
	ACE_HEADER Header;
	ACCESS_MASK Mask;
	DWORD SidStart;			/* the SID begins here */
} ACCESS_ALLOWED_ACE;
typedef WORD SECURITY_DESCRIPTOR_CONTROL;
typedef struct _SECURITY_DESCRIPTOR_RELATIVE {
	BYTE Revision;
	BYTE Sbz1;
	SECURITY_DESCRIPTOR_CONTROL Control;
	DWORD Owner;			/* offsets from the start, 0: none */
	DWORD Group;
	DWORD Sacl;
	DWORD Dacl;
} SECURITY_DESCRIPTOR_RELATIVE;
typedef struct _SECURITY_DESCRIPTOR SECURITY_DESCRIPTOR;
typedef void *PSECURITY_DESCRIPTOR;

#define SID_REVISION			1
#define ACL_REVISION			2
#define ACL_REVISION_DS			4
#define ACCESS_ALLOWED_ACE_TYPE		0x0
#define ACCESS_DENIED_ACE_TYPE		0x1
#define SECURITY_DESCRIPTOR_REVISION	1
#define SE_DACL_PRESENT			0x0004
#define SE_SELF_RELATIVE		0x8000
#define GENERIC_READ			0x80000000UL
#define GENERIC_WRITE			0x40000000UL
#define GENERIC_EXECUTE			0x20000000UL
#define GENERIC_ALL			0x10000000UL

typedef DWORD SECURITY_INFORMATION;
typedef DWORD *PSECURITY_INFORMATION;

#define OWNER_SECURITY_INFORMATION 0x00000001UL
#define GROUP_SECURITY_INFORMATION 0x00000002UL
#define DACL_SECURITY_INFORMATION  0x00000004UL
#define SACL_SECURITY_INFORMATION  0x00000008UL

/* Standard access rights (the high word of an ACCESS_MASK). */
#define DELETE                   0x00010000UL
#define READ_CONTROL             0x00020000UL
#define WRITE_DAC                0x00040000UL
#define WRITE_OWNER              0x00080000UL
#define SYNCHRONIZE              0x00100000UL
#define STANDARD_RIGHTS_REQUIRED 0x000F0000UL
#define STANDARD_RIGHTS_READ     READ_CONTROL
#define STANDARD_RIGHTS_WRITE    READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE  READ_CONTROL
#define STANDARD_RIGHTS_ALL      0x001F0000UL
#define ACCESS_SYSTEM_SECURITY   0x01000000UL

/* RPC authentication bits taken by FwpmEngineOpen0. */
#define RPC_C_AUTHN_WINNT   10
#define RPC_C_AUTHN_DEFAULT ((UINT32)0xFFFFFFFF)

#define SEC_WINNT_AUTH_IDENTITY_ANSI    0x1
#define SEC_WINNT_AUTH_IDENTITY_UNICODE 0x2

/* Windows strings here are UTF-16 code units, hence unsigned short. */
typedef struct _SEC_WINNT_AUTH_IDENTITY_W {
	unsigned short *User;
	ULONG UserLength;
	unsigned short *Domain;
	ULONG DomainLength;
	unsigned short *Password;
	ULONG PasswordLength;
	ULONG Flags;
} SEC_WINNT_AUTH_IDENTITY_W, *PSEC_WINNT_AUTH_IDENTITY_W;

#endif /* WFP_WINTYPES_H */
