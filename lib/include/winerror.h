/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* winerror.h - Win32, RPC and FWP_E_* status codes returned by libwfpipsec. */
#ifndef WFP_WINERROR_H
#define WFP_WINERROR_H

#include "wfp_wintypes.h"

/* Win32 codes (facility-less; what the Win32 side of Fwpuclnt returns). */
#define ERROR_SUCCESS               0L
#define NO_ERROR                    0L
#define ERROR_ACCESS_DENIED         5L
#define ERROR_INVALID_HANDLE        6L
#define ERROR_NOT_ENOUGH_MEMORY     8L
#define ERROR_NOT_SUPPORTED         50L
#define ERROR_INVALID_PARAMETER     87L
#define ERROR_CALL_NOT_IMPLEMENTED  120L
#define ERROR_MORE_DATA             234L
#define ERROR_NO_MORE_ITEMS         259L
#define ERROR_NOT_ENOUGH_QUOTA      1816L

/* RPC runtime codes: the engine could not be reached or rejected the call. */
#define RPC_S_INVALID_BINDING          1702L
#define RPC_S_UNKNOWN_IF               1717L
#define RPC_S_SERVER_UNAVAILABLE       1722L
#define RPC_S_SERVER_TOO_BUSY          1723L
#define RPC_S_CALL_FAILED              1726L
#define RPC_S_PROCNUM_OUT_OF_RANGE     1745L
#define RPC_S_UNKNOWN_AUTHN_SERVICE    1747L
#define EPT_S_NOT_REGISTERED           1753L
#define RPC_S_CANNOT_SUPPORT           1764L
#define RPC_X_NULL_REF_POINTER         1780L
#define RPC_X_ENUM_VALUE_OUT_OF_RANGE  1781L
#define RPC_X_BAD_STUB_DATA            1783L
#define RPC_S_CALL_CANCELLED           1818L

/* HRESULT helpers. */
#define FACILITY_WIN32 7
#define FACILITY_FWP   50

#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#define FAILED(hr)    (((HRESULT)(hr)) < 0)

/* A Win32 code in the low word of a failing HRESULT of facility WIN32; 0 stays 0. */
#define HRESULT_FROM_WIN32(x)						\
	((HRESULT)(x) <= 0 ? (HRESULT)(x) :				\
	 (HRESULT)(((DWORD)(x) & 0x0000FFFFU) |			\
		   ((DWORD)FACILITY_WIN32 << 16) | 0x80000000U))

/*
 * Filter-engine codes (facility 0x32).
 *
 * Deliberate difference from the Windows SDK: the SDK types these as
 * HRESULT (signed), but every Fwpuclnt function returns DWORD, and code
 * written for Windows routinely does "if (result == FWP_E_NOT_FOUND)" on a
 * DWORD. With a signed constant gcc reports a signed/unsigned comparison
 * (-Wsign-compare), so the values are typed DWORD here. The bit patterns
 * are identical; use SUCCEEDED()/FAILED() or an HRESULT cast where a signed
 * view is wanted.
 */
#define FWP_E_CALLOUT_NOT_FOUND                      ((DWORD)0x80320001UL)
#define FWP_E_CONDITION_NOT_FOUND                    ((DWORD)0x80320002UL)
#define FWP_E_FILTER_NOT_FOUND                       ((DWORD)0x80320003UL)
#define FWP_E_LAYER_NOT_FOUND                        ((DWORD)0x80320004UL)
#define FWP_E_PROVIDER_NOT_FOUND                     ((DWORD)0x80320005UL)
#define FWP_E_PROVIDER_CONTEXT_NOT_FOUND             ((DWORD)0x80320006UL)
#define FWP_E_SUBLAYER_NOT_FOUND                     ((DWORD)0x80320007UL)
#define FWP_E_NOT_FOUND                              ((DWORD)0x80320008UL)
#define FWP_E_ALREADY_EXISTS                         ((DWORD)0x80320009UL)
#define FWP_E_IN_USE                                 ((DWORD)0x8032000AUL)
#define FWP_E_DYNAMIC_SESSION_IN_PROGRESS            ((DWORD)0x8032000BUL)
#define FWP_E_WRONG_SESSION                          ((DWORD)0x8032000CUL)
#define FWP_E_NO_TXN_IN_PROGRESS                     ((DWORD)0x8032000DUL)
#define FWP_E_TXN_IN_PROGRESS                        ((DWORD)0x8032000EUL)
#define FWP_E_TXN_ABORTED                            ((DWORD)0x8032000FUL)
#define FWP_E_SESSION_ABORTED                        ((DWORD)0x80320010UL)
#define FWP_E_INCOMPATIBLE_TXN                       ((DWORD)0x80320011UL)
#define FWP_E_TIMEOUT                                ((DWORD)0x80320012UL)
#define FWP_E_NET_EVENTS_DISABLED                    ((DWORD)0x80320013UL)
#define FWP_E_INCOMPATIBLE_LAYER                     ((DWORD)0x80320014UL)
#define FWP_E_KM_CLIENTS_ONLY                        ((DWORD)0x80320015UL)
#define FWP_E_LIFETIME_MISMATCH                      ((DWORD)0x80320016UL)
#define FWP_E_BUILTIN_OBJECT                         ((DWORD)0x80320017UL)
#define FWP_E_TOO_MANY_CALLOUTS                      ((DWORD)0x80320018UL)
#define FWP_E_NOTIFICATION_DROPPED                   ((DWORD)0x80320019UL)
#define FWP_E_TRAFFIC_MISMATCH                       ((DWORD)0x8032001AUL)
#define FWP_E_INCOMPATIBLE_SA_STATE                  ((DWORD)0x8032001BUL)
#define FWP_E_NULL_POINTER                           ((DWORD)0x8032001CUL)
#define FWP_E_INVALID_ENUMERATOR                     ((DWORD)0x8032001DUL)
#define FWP_E_INVALID_FLAGS                          ((DWORD)0x8032001EUL)
#define FWP_E_INVALID_NET_MASK                       ((DWORD)0x8032001FUL)
#define FWP_E_INVALID_RANGE                          ((DWORD)0x80320020UL)
#define FWP_E_INVALID_INTERVAL                       ((DWORD)0x80320021UL)
#define FWP_E_ZERO_LENGTH_ARRAY                      ((DWORD)0x80320022UL)
#define FWP_E_NULL_DISPLAY_NAME                      ((DWORD)0x80320023UL)
#define FWP_E_INVALID_ACTION_TYPE                    ((DWORD)0x80320024UL)
#define FWP_E_INVALID_WEIGHT                         ((DWORD)0x80320025UL)
#define FWP_E_MATCH_TYPE_MISMATCH                    ((DWORD)0x80320026UL)
#define FWP_E_TYPE_MISMATCH                          ((DWORD)0x80320027UL)
#define FWP_E_OUT_OF_BOUNDS                          ((DWORD)0x80320028UL)
#define FWP_E_RESERVED                               ((DWORD)0x80320029UL)
#define FWP_E_DUPLICATE_CONDITION                    ((DWORD)0x8032002AUL)
#define FWP_E_DUPLICATE_KEYMOD                       ((DWORD)0x8032002BUL)
#define FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER         ((DWORD)0x8032002CUL)
#define FWP_E_ACTION_INCOMPATIBLE_WITH_SUBLAYER      ((DWORD)0x8032002DUL)
#define FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER        ((DWORD)0x8032002EUL)
#define FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT      ((DWORD)0x8032002FUL)
#define FWP_E_INCOMPATIBLE_AUTH_METHOD               ((DWORD)0x80320030UL)
#define FWP_E_INCOMPATIBLE_DH_GROUP                  ((DWORD)0x80320031UL)
#define FWP_E_EM_NOT_SUPPORTED                       ((DWORD)0x80320032UL)
#define FWP_E_NEVER_MATCH                            ((DWORD)0x80320033UL)
#define FWP_E_PROVIDER_CONTEXT_MISMATCH              ((DWORD)0x80320034UL)
#define FWP_E_INVALID_PARAMETER                      ((DWORD)0x80320035UL)
#define FWP_E_TOO_MANY_SUBLAYERS                     ((DWORD)0x80320036UL)
#define FWP_E_CALLOUT_NOTIFICATION_FAILED            ((DWORD)0x80320037UL)
#define FWP_E_INVALID_AUTH_TRANSFORM                 ((DWORD)0x80320038UL)
#define FWP_E_INVALID_CIPHER_TRANSFORM               ((DWORD)0x80320039UL)
#define FWP_E_INCOMPATIBLE_CIPHER_TRANSFORM          ((DWORD)0x8032003AUL)
#define FWP_E_INVALID_TRANSFORM_COMBINATION          ((DWORD)0x8032003BUL)
#define FWP_E_DUPLICATE_AUTH_METHOD                  ((DWORD)0x8032003CUL)
#define FWP_E_INVALID_TUNNEL_ENDPOINT                ((DWORD)0x8032003DUL)
#define FWP_E_L2_DRIVER_NOT_READY                    ((DWORD)0x8032003EUL)
#define FWP_E_KEY_DICTATOR_ALREADY_REGISTERED        ((DWORD)0x8032003FUL)
#define FWP_E_KEY_DICTATION_INVALID_KEYING_MATERIAL  ((DWORD)0x80320040UL)
#define FWP_E_CONNECTIONS_DISABLED                   ((DWORD)0x80320041UL)
#define FWP_E_INVALID_DNS_NAME                       ((DWORD)0x80320042UL)
#define FWP_E_STILL_ON                               ((DWORD)0x80320043UL)
#define FWP_E_IKEEXT_NOT_RUNNING                     ((DWORD)0x80320044UL)
#define FWP_E_DROP_NOICMP                            ((DWORD)0x80320104UL)

#endif /* WFP_WINERROR_H */
