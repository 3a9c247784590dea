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

/*
 * Security objects. Only pointers to them cross this API, so SID, ACL and
 * SECURITY_DESCRIPTOR are left incomplete. As on Windows, PSID and
 * PSECURITY_DESCRIPTOR are untyped pointers while PACL points to an ACL.
 */
typedef struct _SID SID;
typedef void *PSID;
typedef struct _ACL ACL;
typedef ACL *PACL;
typedef struct _SECURITY_DESCRIPTOR SECURITY_DESCRIPTOR;
typedef void *PSECURITY_DESCRIPTOR;

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
