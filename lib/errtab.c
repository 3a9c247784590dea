/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* errtab.c - names and short descriptions of every status code libwfpipsec can return. */
#include <stddef.h>

#include "winerror.h"
#include "wfpipsec.h"

struct wfp_err {
	DWORD code;
	const char *name;
	const char *text;
};

/* The name is the macro's own spelling, so names and values cannot drift apart. */
#define ERR(code, text) { (DWORD)(code), #code, text }

static const struct wfp_err wfp_errs[] = {
	ERR(ERROR_SUCCESS, "The call completed without error."),
	ERR(ERROR_ACCESS_DENIED, "The caller lacks the rights this operation needs."),
	ERR(ERROR_INVALID_HANDLE, "A handle passed in is not valid or was already closed."),
	ERR(ERROR_NOT_ENOUGH_MEMORY, "Memory could not be allocated for the request."),
	ERR(ERROR_NOT_SUPPORTED, "This request is not supported."),
	ERR(ERROR_INVALID_PARAMETER, "An argument has a value that is not allowed."),
	ERR(ERROR_CALL_NOT_IMPLEMENTED, "This function is not implemented."),
	ERR(ERROR_MORE_DATA, "More data is available than fits in the supplied buffer."),
	ERR(ERROR_NO_MORE_ITEMS, "There are no further items to return."),
	ERR(ERROR_NOT_ENOUGH_QUOTA, "A limit on the number of objects was reached."),

	ERR(RPC_S_INVALID_BINDING, "The connection handle to the engine is not valid."),
	ERR(RPC_S_UNKNOWN_IF, "The engine does not offer the requested interface."),
	ERR(RPC_S_SERVER_UNAVAILABLE, "The filter engine cannot be reached."),
	ERR(RPC_S_SERVER_TOO_BUSY, "The filter engine is too busy to take the call."),
	ERR(RPC_S_CALL_FAILED, "The call to the filter engine failed in transit."),
	ERR(RPC_S_PROCNUM_OUT_OF_RANGE, "The engine does not know the requested operation."),
	ERR(RPC_S_UNKNOWN_AUTHN_SERVICE, "The requested authentication service is not available."),
	ERR(EPT_S_NOT_REGISTERED, "The filter engine is not running, so no endpoint is registered."),
	ERR(RPC_S_CANNOT_SUPPORT, "The operation is not supported by this engine."),
	ERR(RPC_X_NULL_REF_POINTER, "A required pointer argument was NULL."),
	ERR(RPC_X_ENUM_VALUE_OUT_OF_RANGE, "An enumeration value is outside its valid range."),
	ERR(RPC_X_BAD_STUB_DATA, "The request data could not be decoded."),
	ERR(RPC_S_CALL_CANCELLED, "The call was cancelled before it finished."),

	ERR(FWP_E_CALLOUT_NOT_FOUND, "No callout with that identifier exists."),
	ERR(FWP_E_CONDITION_NOT_FOUND, "No such filter condition exists."),
	ERR(FWP_E_FILTER_NOT_FOUND, "No filter with that identifier exists."),
	ERR(FWP_E_LAYER_NOT_FOUND, "No layer with that identifier exists."),
	ERR(FWP_E_PROVIDER_NOT_FOUND, "No provider with that identifier exists."),
	ERR(FWP_E_PROVIDER_CONTEXT_NOT_FOUND, "No provider context with that identifier exists."),
	ERR(FWP_E_SUBLAYER_NOT_FOUND, "No sublayer with that identifier exists."),
	ERR(FWP_E_NOT_FOUND, "The requested object does not exist."),
	ERR(FWP_E_ALREADY_EXISTS, "An object with the same key or identifier is already present."),
	ERR(FWP_E_IN_USE, "The object is still referenced by other objects and cannot be removed."),
	ERR(FWP_E_DYNAMIC_SESSION_IN_PROGRESS, "This call cannot be made from a dynamic session."),
	ERR(FWP_E_WRONG_SESSION, "The call was made through a session that does not own the object."),
	ERR(FWP_E_NO_TXN_IN_PROGRESS, "This call needs an explicit transaction, and none is open."),
	ERR(FWP_E_TXN_IN_PROGRESS, "This call cannot be made while an explicit transaction is open."),
	ERR(FWP_E_TXN_ABORTED, "The engine cancelled the open transaction."),
	ERR(FWP_E_SESSION_ABORTED, "The session was cancelled."),
	ERR(FWP_E_INCOMPATIBLE_TXN, "This call cannot be made inside a read-only transaction."),
	ERR(FWP_E_TIMEOUT, "Waiting for the transaction lock took too long."),
	ERR(FWP_E_NET_EVENTS_DISABLED, "Network event collection is switched off."),
	ERR(FWP_E_INCOMPATIBLE_LAYER, "The layer does not support this operation."),
	ERR(FWP_E_KM_CLIENTS_ONLY, "Only kernel-mode callers may do this."),
	ERR(FWP_E_LIFETIME_MISMATCH, "The objects involved have lifetimes that cannot be combined."),
	ERR(FWP_E_BUILTIN_OBJECT, "Built-in objects cannot be removed."),
	ERR(FWP_E_TOO_MANY_CALLOUTS, "The limit on the number of callouts has been hit."),
	ERR(FWP_E_NOTIFICATION_DROPPED, "A notification was lost because the queue was full."),
	ERR(FWP_E_TRAFFIC_MISMATCH, "The traffic given does not match the traffic of the SA context."),
	ERR(FWP_E_INCOMPATIBLE_SA_STATE, "The SA context is not in a state that allows this call."),
	ERR(FWP_E_NULL_POINTER, "A pointer that must be set was NULL."),
	ERR(FWP_E_INVALID_ENUMERATOR, "An enumeration member has a value outside its range."),
	ERR(FWP_E_INVALID_FLAGS, "A flags field contains bits that are not allowed."),
	ERR(FWP_E_INVALID_NET_MASK, "A network mask is malformed."),
	ERR(FWP_E_INVALID_RANGE, "A range is malformed or its ends are inconsistent."),
	ERR(FWP_E_INVALID_INTERVAL, "A time interval is not valid."),
	ERR(FWP_E_ZERO_LENGTH_ARRAY, "An array that needs at least one element is empty."),
	ERR(FWP_E_NULL_DISPLAY_NAME, "The object has no display name, but one is required."),
	ERR(FWP_E_INVALID_ACTION_TYPE, "That action type cannot be used for a filter."),
	ERR(FWP_E_INVALID_WEIGHT, "The filter weight is not valid."),
	ERR(FWP_E_MATCH_TYPE_MISMATCH, "The match type cannot be used with these operands."),
	ERR(FWP_E_TYPE_MISMATCH, "A value has a data type that is not allowed here."),
	ERR(FWP_E_OUT_OF_BOUNDS, "An integer lies outside the range permitted for it."),
	ERR(FWP_E_RESERVED, "A reserved field holds a non-zero value."),
	ERR(FWP_E_DUPLICATE_CONDITION, "More than one condition was given for the same field."),
	ERR(FWP_E_DUPLICATE_KEYMOD, "The same keying module was listed more than once."),
	ERR(FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER, "The action cannot be used in this layer."),
	ERR(FWP_E_ACTION_INCOMPATIBLE_WITH_SUBLAYER, "The action cannot be used in this sublayer."),
	ERR(FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER, "The attached context cannot be used in this layer."),
	ERR(FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT, "The attached context does not suit this callout."),
	ERR(FWP_E_INCOMPATIBLE_AUTH_METHOD, "The authentication method does not fit this policy type."),
	ERR(FWP_E_INCOMPATIBLE_DH_GROUP, "The Diffie-Hellman group does not fit this policy type."),
	ERR(FWP_E_EM_NOT_SUPPORTED, "IKE policies cannot carry extended-mode settings."),
	ERR(FWP_E_NEVER_MATCH, "The template or subscription can never match anything."),
	ERR(FWP_E_PROVIDER_CONTEXT_MISMATCH, "The provider context is of the wrong type."),
	ERR(FWP_E_INVALID_PARAMETER, "One of the arguments is not valid."),
	ERR(FWP_E_TOO_MANY_SUBLAYERS, "The limit on the number of sublayers has been hit."),
	ERR(FWP_E_CALLOUT_NOTIFICATION_FAILED, "A callout's notification handler reported a failure."),
	ERR(FWP_E_INVALID_AUTH_TRANSFORM, "The IPsec integrity transform is not valid."),
	ERR(FWP_E_INVALID_CIPHER_TRANSFORM, "The IPsec encryption transform is not valid."),
	ERR(FWP_E_INCOMPATIBLE_CIPHER_TRANSFORM, "The encryption transform does not fit this policy."),
	ERR(FWP_E_INVALID_TRANSFORM_COMBINATION, "These transform types cannot be combined."),
	ERR(FWP_E_DUPLICATE_AUTH_METHOD, "The same authentication method was listed more than once."),
	ERR(FWP_E_INVALID_TUNNEL_ENDPOINT, "The tunnel endpoints are not configured correctly."),
	ERR(FWP_E_L2_DRIVER_NOT_READY, "The layer-2 (MAC) filtering layers are not ready yet."),
	ERR(FWP_E_KEY_DICTATOR_ALREADY_REGISTERED, "Another key manager already dictates keys."),
	ERR(FWP_E_KEY_DICTATION_INVALID_KEYING_MATERIAL, "A key manager dictated unusable keys."),
	ERR(FWP_E_CONNECTIONS_DISABLED, "IPsec connection tracking is switched off."),
	ERR(FWP_E_INVALID_DNS_NAME, "A DNS name is malformed."),
	ERR(FWP_E_STILL_ON, "The engine option stays enabled because other settings require it."),
	ERR(FWP_E_IKEEXT_NOT_RUNNING, "The IKE keying service is not running."),
	ERR(FWP_E_DROP_NOICMP, "The packet is dropped without sending an ICMP error."),
};

#undef ERR

static const struct wfp_err *wfp_err_find(DWORD code)
{
	size_t i;

	for (i = 0; i < sizeof(wfp_errs) / sizeof(wfp_errs[0]); i++)
		if (wfp_errs[i].code == code)
			return &wfp_errs[i];
	return NULL;
}

const char *WfpIpsecErrorName(DWORD code)
{
	const struct wfp_err *e = wfp_err_find(code);

	return e ? e->name : NULL;
}

const char *WfpIpsecErrorText(DWORD code)
{
	const struct wfp_err *e = wfp_err_find(code);

	return e ? e->text : NULL;
}
