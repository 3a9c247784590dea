// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime seen from userspace: an open session pins the module;
 * without the module the library reports the engine as absent (1753).
 * These tests unload and reload wfp_ipsec, so they must run alone.
 */
#include <fwpmu.h>

#include "wfp_test.h"

static int unload(void)
{
	return syscall(SYS_delete_module, "wfp_ipsec", O_NONBLOCK) ? -errno : 0;
}

static int reload(void)
{
	return system("modprobe wfp_ipsec");
}

TEST(rmmod_refused_while_session_open)
{
	int fd = wfp_session(_metadata);

	EXPECT_EQ(unload(), -EWOULDBLOCK);
	EXPECT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), 0);
	close(fd);
	ASSERT_EQ(unload(), 0);
	EXPECT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), -1);
	ASSERT_EQ(reload(), 0);
	fd = wfp_session(_metadata);
	close(fd);
}

TEST(rmmod_refused_while_unhandshaken_fd_open)
{
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(unload(), -EWOULDBLOCK);
	close(fd);
	ASSERT_EQ(unload(), 0);
	ASSERT_EQ(reload(), 0);
}

TEST(engine_absent_without_module)
{
	HANDLE h = (HANDLE)1;

	ASSERT_EQ(unload(), 0);
	EXPECT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		  EPT_S_NOT_REGISTERED);
	EXPECT_EQ(h, NULL);
	ASSERT_EQ(reload(), 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

TEST(reload_with_sessions_in_other_namespace_closed)
{
	int fd;

	/* A namespace's state goes with the module and comes back empty. */
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	fd = wfp_session(_metadata);
	close(fd);
	ASSERT_EQ(unload(), 0);
	ASSERT_EQ(reload(), 0);
	fd = wfp_session(_metadata);
	close(fd);
}

TEST_HARNESS_MAIN
