/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the wfp-ipsec selftests that run under the kselftest
 * harness: those taking struct __test_metadata may ASSERT.  The
 * harness-free ones are in wfp_util.h.
 */
#ifndef WFP_TEST_H
#define WFP_TEST_H

#include <sys/mman.h>

#include "wfp_util.h"
#include "kselftest_harness.h"
#include "wfp_filter.h"

/*
 * kselftest's convention: a program whose subject is absent skips as a
 * whole ("1..0 # SKIP", exit 4) rather than failing every test.  Each
 * program including this header needs the module's device, but those
 * that load the module themselves (WFP_TEST_LOADS_MODULE: module.c).
 */
#ifndef WFP_TEST_LOADS_MODULE
static void __attribute__((constructor)) wfp_test_require_device(void)
{
	if (access(WFP_IPSEC_DEVICE_PATH, F_OK))
		ksft_exit_skip("%s missing: wfp_ipsec is not loaded\n",
			       WFP_IPSEC_DEVICE_PATH);
}
#endif

/* A session that passed the handshake, or a failed assertion. */
static inline int wfp_session(struct __test_metadata *_metadata)
{
	int fd = wfp_open();

	ASSERT_GE(fd, 0) TH_LOG("open %s: %s", WFP_IPSEC_DEVICE_PATH,
				strerror(errno));
	ASSERT_EQ(wfp_hello(fd, 0, NULL), 0);
	return fd;
}

/*
 * An engine session at *h, opened without a session structure, and its
 * descriptor at *fd; or a failed assertion (*h set for the teardown).
 */
static inline void wfp_engine_open(struct __test_metadata *_metadata,
				   HANDLE *h, int *fd)
{
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, h),
		  ERROR_SUCCESS);
	ASSERT_EQ(WfpIpsecEngineGetFd(*h, fd), ERROR_SUCCESS);
}

/* The features a HELLO on a new descriptor reports, or a failed assertion. */
static inline __u64 wfp_features(struct __test_metadata *_metadata)
{
	struct wfp_ipsec_hello h;
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	memset(&h, 0, sizeof(h));
	h.abi_version = WFP_IPSEC_ABI_VERSION;
	ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_HELLO, &h), 0);
	close(fd);
	return h.features;
}

/*
 * cmd refuses each of the n arguments of size sz at args with EINVAL:
 * each sets one flag or reserved field the module does not know.
 */
static inline void wfp_expect_einval_each(struct __test_metadata *_metadata,
					  int fd, unsigned long cmd,
					  void *args, size_t sz, int n)
{
	int i;

	/* Braces: EXPECT_EQ and its TH_LOG are two statements. */
	for (i = 0; i < n; i++) {
		EXPECT_EQ(wfp_test_ioctl(fd, cmd, (char *)args + i * sz),
			  -EINVAL) TH_LOG("argument %d", i);
	}
}

/* The settings of the caller's network namespace (wfp-ipsec.rst). */
#define WFP_SYSCTL_DIR	"/proc/sys/net/wfp_ipsec/"

/* The number in file name of dir (as strtoull reads it), or -1. */
static inline long long wfp_read_num(const char *dir, const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	if (read_str(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return (long long)strtoull(buf, NULL, 0);
}

/* Zeroed memory a test shares with the children it forks. */
static inline void *wfp_shared_mem(struct __test_metadata *_metadata,
				   size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(p, MAP_FAILED);
	return p;
}

#endif /* WFP_TEST_H */
