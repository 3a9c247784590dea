// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime seen from userspace: an open session pins the module;
 * without the module the library reports the engine as absent (1753).
 * These tests unload and reload wfp_ipsec, so they must run alone.
 */
#include <fwpmu.h>

/* It loads and unloads the module itself: no skip without the device. */
#define WFP_TEST_LOADS_MODULE
#include "wfp_ctx.h"

static int reload(void)
{
	return system("modprobe wfp_ipsec");
}

TEST(rmmod_refused_while_session_open)
{
	int fd = wfp_session(_metadata);

	EXPECT_EQ(wfp_module_unload(), -EWOULDBLOCK);
	EXPECT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), 0);
	close(fd);
	ASSERT_EQ(wfp_module_unload(), 0);
	EXPECT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), -1);
	ASSERT_EQ(reload(), 0);
	fd = wfp_session(_metadata);
	close(fd);
}

TEST(rmmod_refused_while_unhandshaken_fd_open)
{
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	EXPECT_EQ(wfp_module_unload(), -EWOULDBLOCK);
	close(fd);
	ASSERT_EQ(wfp_module_unload(), 0);
	ASSERT_EQ(reload(), 0);
}

TEST(engine_absent_without_module)
{
	HANDLE h = (HANDLE)1;

	ASSERT_EQ(wfp_module_unload(), 0);
	EXPECT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		  EPT_S_NOT_REGISTERED);
	EXPECT_EQ(h, NULL);
	ASSERT_EQ(reload(), 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
}

/*
 * The module parameters are the settings new namespaces start from,
 * checked at load against the sysctls' ranges: a value out of range
 * fails the load instead of reaching every namespace.
 */
TEST(load_refuses_out_of_range_defaults)
{
	static const char *const bad[] = {
		"max_contexts=16777217", "event_queue_len=0",
		"event_queue_len=65537", "expire_grace_seconds=86401",
		"expire_grace_seconds=4294968", "spi_min=255", "spi_max=255",
		"spi_min=0xe0000000", "spi_min=0x2000 spi_max=0x1000",
	};
	char cmd[128];
	unsigned int i;

	ASSERT_EQ(wfp_module_unload(), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "modprobe wfp_ipsec %s 2>/dev/null",
			 bad[i]);
		EXPECT_NE(system(cmd), 0) TH_LOG("%s", bad[i]);
		EXPECT_NE(access("/sys/module/wfp_ipsec", F_OK), 0)
			TH_LOG("%s", bad[i]);
		if (!access("/sys/module/wfp_ipsec", F_OK))
			ASSERT_EQ(wfp_module_unload(), 0);
	}
	ASSERT_EQ(reload(), 0);
}

/* Existing namespaces and new ones alike start from them. */
TEST(load_parameters_are_every_namespace_defaults)
{
	ASSERT_EQ(wfp_module_unload(), 0);
	ASSERT_EQ(system("modprobe wfp_ipsec max_contexts=5 spi_min=0x1000 "
			 "spi_max=0x1000"), 0);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "max_contexts"), 5);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "spi_min"), 0x1000);
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "max_contexts"), 5);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "spi_max"), 0x1000);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "event_queue_len"), 1024);
	ASSERT_EQ(wfp_module_unload(), 0);
	/* Gone with the module, in every namespace. */
	EXPECT_NE(access("/proc/sys/net/wfp_ipsec", F_OK), 0);
	ASSERT_EQ(reload(), 0);
	EXPECT_EQ(wfp_read_num(WFP_SYSCTL_DIR, "max_contexts"), 1 << 20);
}

TEST(reload_with_sessions_in_other_namespace_closed)
{
	int fd;

	/* A namespace's state goes with the module and comes back empty. */
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	fd = wfp_session(_metadata);
	close(fd);
	ASSERT_EQ(wfp_module_unload(), 0);
	ASSERT_EQ(reload(), 0);
	fd = wfp_session(_metadata);
	close(fd);
}

static int create_contexts(HANDLE h, int n)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;
	int i;

	traffic_v4(&t, false, 0x0a000001, 0);
	for (i = 0; i < n; i++) {
		t.remoteV4Address = 0x0a100000 + i;
		if (IPsecSaContextCreate1(h, &t, NULL, NULL, &id))
			return -1;
	}
	return 0;
}

static UINT32 count_contexts(struct __test_metadata *_metadata, HANDLE h)
{
	IPSEC_SA_CONTEXT1 **entries;
	UINT32 n = 0;
	HANDLE en;

	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(h, NULL, &en), 0);
	ASSERT_EQ(IPsecSaContextEnum1(h, en, 0xffffffff, &entries, &n), 0);
	FwpmFreeMemory0((void **)&entries);
	ASSERT_EQ(IPsecSaContextDestroyEnumHandle0(h, en), 0);
	return n;
}

static int contexts_in_child_netns(void *arg)
{
	HANDLE h;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 11;
	if (create_contexts(h, 500))
		return 12;
	/* Keep the namespace alive past this process: a session in the
	 * parent would pin it; here it dies with the child, contexts and all.
	 */
	return FwpmEngineClose0(h) ? 13 : 0;
}

/*
 * Contexts outlive their sessions; unloading the module with contexts
 * left in several namespaces must free all of them (a leak would trip
 * the slab cache's "objects remaining" check, a splat the harness fails
 * on) and a reloaded module starts empty.
 */
TEST(rmmod_with_live_contexts_is_clean)
{
	HANDLE h;

	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h), 0);
	ASSERT_EQ(create_contexts(h, 1000), 0);
	EXPECT_GE(count_contexts(_metadata, h), 1000);
	ASSERT_EQ(FwpmEngineClose0(h), 0);
	EXPECT_EQ(run_in_child(contexts_in_child_netns, NULL), 0);

	ASSERT_EQ(wfp_module_unload(), 0);
	ASSERT_EQ(reload(), 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h), 0);
	EXPECT_EQ(count_contexts(_metadata, h), 0);
	EXPECT_EQ(FwpmEngineClose0(h), 0);
}

/*
 * Another control plane keeps flushing SAs (which xfrm reports to every
 * key manager, ours included, from whichever namespace it happens in)
 * and namespaces come and go while the module loads and unloads.  A
 * notification must never reach per-namespace state that is not there
 * yet or any more: the key manager is registered after the pernet state
 * and unregistered before it.  A failure here is an oops, which ends the
 * guest (vm-run boots with oops=panic).
 */
static const char *const churn[] = {
	"while :; do ip xfrm state add src 10.9.0.1 dst 10.9.0.2 proto esp "
	"spi 0x100 mode transport aead 'rfc4106(gcm(aes))' "
	"0x0102030405060708090a0b0c0d0e0f1011121314 128; "
	"ip xfrm state flush; done",
	"while :; do ip netns add wfpchurn && ip -n wfpchurn xfrm state add "
	"src 10.9.0.1 dst 10.9.0.2 proto esp spi 0x100 mode transport aead "
	"'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 "
	"&& ip -n wfpchurn xfrm state flush; ip netns del wfpchurn; done",
};

static pid_t churn_start(const char *script)
{
	pid_t pid = fork();

	if (!pid) {
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	/* Also here, so the group exists before churn_stop() kills it. */
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void churn_stop(pid_t pid)
{
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* A fixture only for TEST_F_TIMEOUT: 60 reloads outlast the default. */
FIXTURE(planes) {};
FIXTURE_SETUP(planes) {}
FIXTURE_TEARDOWN(planes) {}

TEST_F_TIMEOUT(planes, reload_while_other_planes_flush, 300)
{
	pid_t pids[ARRAY_SIZE(churn)];
	int i, done;

	for (i = 0; i < ARRAY_SIZE(churn); i++) {
		ASSERT_GT(pids[i] = churn_start(churn[i]), 0);
	}
	for (done = 0; done < 60; done++)
		if (wfp_module_unload() || reload())
			break;
	for (i = 0; i < ARRAY_SIZE(churn); i++)
		churn_stop(pids[i]);
	EXPECT_EQ(system("ip netns del wfpchurn 2>/dev/null; "
			 "ip xfrm state flush"), 0);
	EXPECT_EQ(done, 60);
	ASSERT_EQ(access(WFP_IPSEC_DEVICE_PATH, F_OK), 0);
}

TEST_HARNESS_MAIN
