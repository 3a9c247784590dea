// SPDX-License-Identifier: GPL-2.0
/*
 * Engine sessions at the ioctl level: the handshake, the ABI rules every
 * command follows, and what a session is bound to (namespace, opener,
 * rights).
 */
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "wfp_test.h"

static const __u8 key_a[WFP_IPSEC_SESSION_KEY_LEN] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
};

static bool key_is_zero(const __u8 *key)
{
	static const __u8 zero[WFP_IPSEC_SESSION_KEY_LEN];

	return !memcmp(key, zero, sizeof(zero));
}

FIXTURE(fresh) {
	int fd;
	struct wfp_ipsec_hello h;
};

FIXTURE_SETUP(fresh)
{
	self->fd = wfp_open();
	ASSERT_GE(self->fd, 0) TH_LOG("open: %s", strerror(errno));
	memset(&self->h, 0, sizeof(self->h));
	self->h.abi_version = WFP_IPSEC_ABI_VERSION;
}

FIXTURE_TEARDOWN(fresh)
{
	close(self->fd);
}

TEST_F(fresh, hello_negotiates_version)
{
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h), 0);
	EXPECT_EQ(self->h.abi_version, WFP_IPSEC_ABI_VERSION);
	EXPECT_TRUE(self->h.features & WFP_IPSEC_FEAT_SESSION);
	EXPECT_EQ(self->h.features & ~__WFP_IPSEC_FEAT_ALL, 0);
	EXPECT_NE(self->h.session_id, 0);
	EXPECT_FALSE(key_is_zero(self->h.session_key));
}

TEST_F(fresh, hello_newer_caller_gets_module_version)
{
	self->h.abi_version = WFP_IPSEC_ABI_VERSION + 1000;
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h), 0);
	EXPECT_EQ(self->h.abi_version, WFP_IPSEC_ABI_VERSION);
}

TEST_F(fresh, hello_version_zero_rejected)
{
	self->h.abi_version = 0;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h), -EINVAL);
	/* Nothing changed: the session still takes a good handshake. */
	EXPECT_EQ(wfp_hello(self->fd, 0, NULL), 0);
}

TEST_F(fresh, hello_reserved0_rejected)
{
	self->h.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h), -EINVAL);
	EXPECT_EQ(wfp_hello(self->fd, 0, NULL), 0);
}

TEST_F(fresh, hello_reserved_rejected)
{
	struct wfp_ipsec_hello h;
	unsigned int i;

	for (i = 0; i < sizeof(h.reserved) / sizeof(h.reserved[0]); i++) {
		h = self->h;
		h.reserved[i] = 1ULL << 63;
		EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &h), -EINVAL)
			TH_LOG("reserved[%u]", i);
	}
	EXPECT_EQ(wfp_hello(self->fd, 0, NULL), 0);
}

TEST_F(fresh, hello_unknown_flags_rejected)
{
	/* FWPM_SESSION_FLAG_RESERVED, a bit above it and the next free bit. */
	static const __u32 bad[] = { 0x10000000, 0x80000000, 0x2 };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		self->h.session_flags = WFP_IPSEC_SESSION_F_DYNAMIC | bad[i];
		EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h),
			  -EINVAL) TH_LOG("flags 0x%x", self->h.session_flags);
	}
	EXPECT_EQ(wfp_hello(self->fd, WFP_IPSEC_SESSION_F_DYNAMIC, NULL), 0);
}

TEST_F(fresh, hello_twice_rejected)
{
	struct wfp_ipsec_session_info before, after;

	ASSERT_EQ(wfp_hello(self->fd, 0, NULL), 0);
	ASSERT_EQ(wfp_info(self->fd, &before), 0);
	self->h.session_flags = WFP_IPSEC_SESSION_F_DYNAMIC;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, &self->h), -EALREADY);
	ASSERT_EQ(wfp_info(self->fd, &after), 0);
	EXPECT_EQ(memcmp(&before, &after, sizeof(before)), 0);
}

TEST_F(fresh, commands_need_hello_first)
{
	struct wfp_ipsec_session_info info;

	EXPECT_EQ(wfp_info(self->fd, &info), -EBADFD);
	ASSERT_EQ(wfp_hello(self->fd, 0, NULL), 0);
	EXPECT_EQ(wfp_info(self->fd, &info), 0);
}

TEST_F(fresh, unknown_commands_enotty)
{
	struct wfp_ipsec_session_info info;
	char buf[512] = { 0 };
	unsigned int i;
	const unsigned long bad[] = {
		_IO(WFP_IPSEC_IOC_TYPE, 0x7f),
		_IOWR(WFP_IPSEC_IOC_TYPE, 0x00, struct wfp_ipsec_hello),
		_IOWR(WFP_IPSEC_IOC_TYPE, 0xff, struct wfp_ipsec_hello),
		/* Known numbers with another size or direction. */
		_IOR(WFP_IPSEC_IOC_TYPE, 0x02, __u32),
		_IOW(WFP_IPSEC_IOC_TYPE, 0x02, struct wfp_ipsec_session_info),
		_IOWR(WFP_IPSEC_IOC_TYPE, 0x01, __u64),
		_IOR(WFP_IPSEC_IOC_TYPE, 0x01, struct wfp_ipsec_hello),
		/* Another driver's type with our numbers. */
		_IOWR(WFP_IPSEC_IOC_TYPE + 1, 0x01, struct wfp_ipsec_hello),
		TCGETS,
	};

	/* Before and after the handshake: unknown stays unknown. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(wfp_test_ioctl(self->fd, bad[i], buf), -ENOTTY)
			TH_LOG("cmd 0x%lx", bad[i]);
	}
	ASSERT_EQ(wfp_hello(self->fd, 0, NULL), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(wfp_test_ioctl(self->fd, bad[i], buf), -ENOTTY)
			TH_LOG("cmd 0x%lx", bad[i]);
	}
	EXPECT_EQ(wfp_info(self->fd, &info), 0);
}

TEST_F(fresh, bad_user_pointers_efault)
{
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, NULL), -EFAULT);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_HELLO, (void *)1), -EFAULT);
	ASSERT_EQ(wfp_hello(self->fd, 0, NULL), 0);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SESSION_GET, NULL), -EFAULT);
}

TEST(session_info_describes_opener)
{
	struct wfp_ipsec_session_info info;
	struct wfp_ipsec_hello h;
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	memset(&h, 0, sizeof(h));
	h.abi_version = WFP_IPSEC_ABI_VERSION;
	h.session_flags = WFP_IPSEC_SESSION_F_DYNAMIC;
	h.txn_wait_ms = 1234;
	memcpy(h.session_key, key_a, sizeof(key_a));
	ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_HELLO, &h), 0);
	ASSERT_EQ(wfp_info(fd, &info), 0);
	EXPECT_EQ(info.session_id, h.session_id);
	EXPECT_EQ(memcmp(info.session_key, key_a, sizeof(key_a)), 0);
	EXPECT_EQ(info.session_flags, WFP_IPSEC_SESSION_F_DYNAMIC);
	EXPECT_EQ(info.txn_wait_ms, 1234);
	EXPECT_EQ(info.rights, __WFP_IPSEC_RIGHT_ALL);
	EXPECT_EQ(info.pid, getpid());
	EXPECT_EQ(info.uid, 0);
	EXPECT_EQ(info.gid, 0);
	EXPECT_EQ(info.abi_version, WFP_IPSEC_ABI_VERSION);
	EXPECT_EQ(info.reserved0, 0);
	EXPECT_NE(info.netns_cookie, 0);
	EXPECT_EQ(info.netns_cookie, netns_cookie());
	EXPECT_EQ(info.reserved[0] | info.reserved[1] | info.reserved[2] |
		  info.reserved[3], 0);
	close(fd);
}

TEST(session_ids_never_reused)
{
	struct wfp_ipsec_session_info info;
	__u64 last = 0;
	int i, fd;

	for (i = 0; i < 200; i++) {
		fd = wfp_session(_metadata);
		ASSERT_EQ(wfp_info(fd, &info), 0);
		EXPECT_GT(info.session_id, last);
		last = info.session_id;
		close(fd);
	}
}

TEST(many_sessions_open_and_close)
{
	enum { N = 1000 };
	struct rlimit rl = { .rlim_cur = N + 64, .rlim_max = N + 64 };
	static int fds[N];
	static __u8 keys[N][WFP_IPSEC_SESSION_KEY_LEN];
	struct wfp_ipsec_session_info info;
	long base;
	int i, j;

	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
	base = wfp_module_refcnt();
	ASSERT_GE(base, 0);
	for (i = 0; i < N; i++) {
		fds[i] = wfp_session(_metadata);
		ASSERT_EQ(wfp_info(fds[i], &info), 0);
		memcpy(keys[i], info.session_key, sizeof(keys[i]));
	}
	/* Each open session pins the module once. */
	EXPECT_EQ(wfp_module_refcnt(), base + N);
	for (i = 0; i < N; i++)
		for (j = i + 1; j < N; j++) {
			ASSERT_NE(memcmp(keys[i], keys[j], sizeof(keys[i])), 0);
		}
	for (i = 0; i < N; i++)
		close(fds[i]);
	EXPECT_EQ(wfp_module_refcnt(), base);
}

TEST(session_key_unique_in_namespace)
{
	int a = wfp_open(), b = wfp_open(), c = wfp_open();

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(wfp_hello(a, 0, key_a), 0);
	EXPECT_EQ(wfp_hello(b, 0, key_a), -EEXIST);
	/* The failed handshake left b untouched: it can still make one. */
	EXPECT_EQ(wfp_hello(b, 0, NULL), 0);
	/* Once a is gone its key is free again. */
	close(a);
	EXPECT_EQ(wfp_hello(c, 0, key_a), 0);
	close(b);
	close(c);
}

static int check_session_in_new_netns(void *arg)
{
	const struct wfp_ipsec_session_info *outer = arg;
	struct wfp_ipsec_session_info info;
	int fd;

	if (unshare(CLONE_NEWNET))
		return 10;
	if (netns_cookie() == outer->netns_cookie)
		return 11;
	fd = wfp_open();
	if (fd < 0)
		return 12;
	/* Session keys are per namespace: each namespace is its own engine. */
	if (wfp_hello(fd, 0, key_a))
		return 13;
	if (wfp_info(fd, &info))
		return 14;
	if (info.netns_cookie != netns_cookie())
		return 15;
	if (info.rights != __WFP_IPSEC_RIGHT_ALL)
		return 16;
	close(fd);
	return 0;
}

TEST(sessions_in_two_namespaces)
{
	struct wfp_ipsec_session_info info;
	int fd = wfp_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(wfp_hello(fd, 0, key_a), 0);
	ASSERT_EQ(wfp_info(fd, &info), 0);
	EXPECT_EQ(run_in_child(check_session_in_new_netns, &info), 0);
	close(fd);
}

static int check_bound_at_open(void *arg)
{
	int fd = *(int *)arg;
	struct wfp_ipsec_session_info info;
	__u64 outer = netns_cookie();

	/* Move to another namespace and lose CAP_NET_ADMIN: the session
	 * opened before keeps the namespace and rights it was opened with.
	 */
	if (unshare(CLONE_NEWNET))
		return 10;
	if (drop_cap_net_admin())
		return 11;
	if (wfp_info(fd, &info))
		return 12;
	if (info.netns_cookie != outer)
		return 13;
	if (info.rights != __WFP_IPSEC_RIGHT_ALL)
		return 14;
	return 0;
}

TEST(session_bound_at_open)
{
	int fd = wfp_session(_metadata);

	EXPECT_EQ(run_in_child(check_bound_at_open, &fd), 0);
	close(fd);
}

static int check_no_cap_no_rights(void *arg)
{
	struct wfp_ipsec_session_info info;
	int fd;

	if (drop_cap_net_admin())
		return 10;
	/* Opening is allowed (FWPM_ACTRL_OPEN); the session holds nothing. */
	fd = wfp_open();
	if (fd < 0)
		return 11;
	if (wfp_hello(fd, 0, NULL))
		return 12;
	if (wfp_info(fd, &info))
		return 13;
	return info.rights == 0 ? 0 : 14;
}

TEST(no_cap_net_admin_no_rights)
{
	EXPECT_EQ(run_in_child(check_no_cap_no_rights, NULL), 0);
}

static int check_nobody_cannot_open(void *arg)
{
	if (become_nobody())
		return 10;
	if (wfp_open() >= 0)
		return 11;
	return errno == EACCES ? 0 : 12;
}

TEST(device_node_is_root_only)
{
	struct stat st;

	ASSERT_EQ(stat(WFP_IPSEC_DEVICE_PATH, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0600);
	EXPECT_EQ(st.st_uid, 0);
	EXPECT_EQ(run_in_child(check_nobody_cannot_open, NULL), 0);
}

#define SHARED_NODE "/tmp/wfp-ipsec-shared"

/*
 * In a child: nobody opens the shared node, in namespaces of its own when
 * *own_namespaces, and gets all rights there, none in the initial ones.
 */
static int nobody_opens_shared_node(void *own_namespaces)
{
	bool own = *(bool *)own_namespaces;
	struct wfp_ipsec_session_info info;
	__u64 cookie;
	int fd;

	if (become_nobody())
		return 10;
	if (own && unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 11;
	cookie = netns_cookie();
	fd = open(SHARED_NODE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 12;
	if (wfp_hello(fd, 0, NULL) || wfp_info(fd, &info))
		return 13;
	if (info.netns_cookie != cookie)
		return 14;
	if (own)
		return info.rights == __WFP_IPSEC_RIGHT_ALL ? 0 : 15;
	return info.rights == 0 ? 0 : 16;
}

/*
 * With a world-openable node, an unprivileged user gets all rights in a
 * network namespace its own user namespace owns, and none in the initial
 * one: the CAP_NET_ADMIN rule of xfrm_user, applied per namespace.
 */
TEST(rights_follow_namespace_owner)
{
	struct stat st;

	ASSERT_EQ(stat(WFP_IPSEC_DEVICE_PATH, &st), 0);
	unlink(SHARED_NODE);
	ASSERT_EQ(mknod(SHARED_NODE, S_IFCHR | 0666, st.st_rdev), 0);
	ASSERT_EQ(chmod(SHARED_NODE, 0666), 0);
	EXPECT_EQ(run_in_child(nobody_opens_shared_node, &(bool){ true }), 0);
	EXPECT_EQ(run_in_child(nobody_opens_shared_node, &(bool){ false }), 0);
	unlink(SHARED_NODE);
}

TEST_HARNESS_MAIN
