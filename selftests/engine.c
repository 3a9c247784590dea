// SPDX-License-Identifier: GPL-2.0
/*
 * libwfpipsec engine calls: FwpmEngineOpen0, FwpmEngineClose0,
 * FwpmFreeMemory0, with the Windows codes each misuse returns.
 */
#include <grp.h>
#include <pthread.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_test.h"

static HANDLE open_engine(struct __test_metadata *_metadata,
			  const FWPM_SESSION0 *session)
{
	HANDLE h = NULL;

	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, session, &h),
		  ERROR_SUCCESS);
	ASSERT_NE(h, NULL);
	return h;
}

/* FwpmEngineOpen0 refused with rc, leaving no handle behind. */
static void expect_open_refused(struct __test_metadata *_metadata,
				const wchar_t *server, UINT32 authn,
				SEC_WINNT_AUTH_IDENTITY_W *id,
				const FWPM_SESSION0 *session, DWORD rc)
{
	HANDLE h = (HANDLE)1;

	EXPECT_EQ(FwpmEngineOpen0(server, authn, id, session, &h), rc);
	EXPECT_EQ(h, NULL);
}

TEST(open_and_close)
{
	HANDLE h = open_engine(_metadata, NULL);

	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

TEST(open_with_default_authn_service)
{
	HANDLE h = NULL;

	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &h),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

TEST(null_engine_handle_pointer)
{
	EXPECT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, NULL),
		  FWP_E_NULL_POINTER);
}

TEST(remote_server_name_rejected)
{
	expect_open_refused(_metadata, L"otherhost", RPC_C_AUTHN_WINNT, NULL,
			    NULL, FWP_E_INVALID_PARAMETER);
}

TEST(unknown_authn_service_rejected)
{
	expect_open_refused(_metadata, NULL, 9, NULL, NULL,
			    RPC_S_UNKNOWN_AUTHN_SERVICE);
}

TEST(explicit_auth_identity_not_supported)
{
	SEC_WINNT_AUTH_IDENTITY_W id = {
		.Flags = SEC_WINNT_AUTH_IDENTITY_UNICODE,
	};

	expect_open_refused(_metadata, NULL, RPC_C_AUTHN_WINNT, &id, NULL,
			    ERROR_NOT_SUPPORTED);
}

TEST(unknown_session_flags_rejected)
{
	FWPM_SESSION0 s = { .flags = FWPM_SESSION_FLAG_RESERVED };

	expect_open_refused(_metadata, NULL, RPC_C_AUTHN_WINNT, NULL, &s,
			    FWP_E_INVALID_FLAGS);
	s.flags = FWPM_SESSION_FLAG_DYNAMIC | 0x2;
	expect_open_refused(_metadata, NULL, RPC_C_AUTHN_WINNT, NULL, &s,
			    FWP_E_INVALID_FLAGS);
}

TEST(session_attributes_reach_the_module)
{
	struct wfp_ipsec_session_info info;
	FWPM_SESSION0 s = {
		.sessionKey = { .Data1 = 0x12345678, .Data4[7] = 0x9a },
		.flags = FWPM_SESSION_FLAG_DYNAMIC,
		.txnWaitTimeoutInMSec = 15000,
	};
	HANDLE h = open_engine(_metadata, &s);
	int fd = -1;

	ASSERT_EQ(WfpIpsecEngineGetFd(h, &fd), ERROR_SUCCESS);
	ASSERT_EQ(wfp_info(fd, &info), 0);
	EXPECT_EQ(info.session_flags, WFP_IPSEC_SESSION_F_DYNAMIC);
	EXPECT_EQ(info.txn_wait_ms, 15000);
	EXPECT_EQ(memcmp(info.session_key, &s.sessionKey, 16), 0);
	EXPECT_EQ(info.rights, __WFP_IPSEC_RIGHT_ALL);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

TEST(duplicate_session_key_already_exists)
{
	FWPM_SESSION0 s = { .sessionKey.Data1 = 0xfeedf00d };
	HANDLE a = open_engine(_metadata, &s), b;

	expect_open_refused(_metadata, NULL, RPC_C_AUTHN_WINNT, NULL, &s,
			    FWP_E_ALREADY_EXISTS);
	EXPECT_EQ(FwpmEngineClose0(a), ERROR_SUCCESS);
	b = open_engine(_metadata, &s);
	EXPECT_EQ(FwpmEngineClose0(b), ERROR_SUCCESS);
}

TEST(close_bad_handles)
{
	HANDLE h = open_engine(_metadata, NULL);
	int not_an_engine;

	EXPECT_EQ(FwpmEngineClose0(NULL), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmEngineClose0(&not_an_engine), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
	/* A closed handle is stale, not a crash. */
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_INVALID_HANDLE);
}

TEST(close_ends_the_session)
{
	long base = wfp_module_refcnt();
	HANDLE h;

	ASSERT_GE(base, 0);
	h = open_engine(_metadata, NULL);
	EXPECT_EQ(wfp_module_refcnt(), base + 1);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
	EXPECT_EQ(wfp_module_refcnt(), base);
}

TEST(free_memory_null)
{
	void *p = NULL;

	FwpmFreeMemory0(NULL);
	FwpmFreeMemory0(&p);
	EXPECT_EQ(p, NULL);
}

TEST(error_names)
{
	EXPECT_STREQ(WfpIpsecErrorName(ERROR_SUCCESS), "ERROR_SUCCESS");
	EXPECT_STREQ(WfpIpsecErrorName(FWP_E_ALREADY_EXISTS),
		     "FWP_E_ALREADY_EXISTS");
	EXPECT_STREQ(WfpIpsecErrorName(1753), "EPT_S_NOT_REGISTERED");
	EXPECT_NE(WfpIpsecErrorText(FWP_E_NOT_FOUND), NULL);
	EXPECT_EQ(WfpIpsecErrorName(0x12345), NULL);
}

static int nobody_open(void *arg)
{
	HANDLE h = (HANDLE)1;

	if (become_nobody())
		return 100;
	return FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ==
		ERROR_ACCESS_DENIED && !h ? 0 : 1;
}

TEST(unprivileged_user_access_denied)
{
	EXPECT_EQ(run_in_child(nobody_open, NULL), 0);
}

static void *open_close_loop(void *arg)
{
	long failures = 0;
	int i;

	for (i = 0; i < 200; i++) {
		HANDLE h = NULL;

		if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) ||
		    FwpmEngineClose0(h) || FwpmEngineClose0(h) !=
		    ERROR_INVALID_HANDLE)
			failures++;
	}
	return (void *)failures;
}

TEST(threads_open_and_close_concurrently)
{
	enum { T = 8 };
	pthread_t th[T];
	long base = wfp_module_refcnt();
	void *ret;
	int i;

	for (i = 0; i < T; i++) {
		ASSERT_EQ(pthread_create(&th[i], NULL, open_close_loop, NULL), 0);
	}
	for (i = 0; i < T; i++) {
		ASSERT_EQ(pthread_join(th[i], &ret), 0);
		EXPECT_EQ((long)ret, 0);
	}
	EXPECT_EQ(wfp_module_refcnt(), base);
}

TEST_HARNESS_MAIN
