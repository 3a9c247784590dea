// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a network namespace, the files of /proc/sys/net/wfp_ipsec
 * (Documentation/wfp-ipsec.rst, "Settings"): each range-checked on every
 * write (EINVAL, the old value kept), spi_min never above spi_max, one
 * namespace's values invisible to every other, writable only with
 * CAP_NET_ADMIN over the namespace's user namespace, and the module
 * parameters of the same names read-only defaults for new namespaces.
 *
 * Every test changes values only in a network namespace it made, so
 * nothing needs putting back.  FIXTURE knob has one variant per sysctl.
 */
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "wfp_test.h"

#define SYSCTL		WFP_SYSCTL_DIR
#define PARAMS		"/sys/module/wfp_ipsec/parameters/"

static const char *const names[] = {
	"max_contexts", "event_queue_len", "expire_grace_seconds",
	"spi_min", "spi_max",
};

/* ------------------------------------------------------------ files */

/* The sysctl `name` of the caller's namespace, or -1. */
static long long get(const char *name)
{
	return wfp_read_num(SYSCTL, name);
}

static long long param(const char *name)
{
	return wfp_read_num(PARAMS, name);
}

static int write_fd(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -errno;
}

/* 0 or -errno, from open or write. */
static int put_str(const char *name, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	return write_str(path, s);
}

static int put(const char *name, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", v);
	return put_str(name, buf);
}

static int open_sysctl(const char *name, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	return open(path, flags | O_CLOEXEC);
}

/* Root inside a new user + network namespace, uid 65534 outside. */
static int become_userns_root(void)
{
	if (become_nobody())
		return -1;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return -1;
	/* The uid change made the process undumpable and its /proc files
	 * root's: make them its own again.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -1;
	if (write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/uid_map", "0 65534 1") ||
	    write_str("/proc/self/gid_map", "0 65534 1"))
		return -1;
	return 0;
}

/* --------------------------------------------------- FIXTURE knob */

FIXTURE(knob) {
	long long old;
};

FIXTURE_VARIANT(knob) {
	const char *name;
	unsigned long long lo, hi;
};

FIXTURE_VARIANT_ADD(knob, max_contexts) {
	.name = "max_contexts", .lo = 0, .hi = 1ULL << 24,
};

FIXTURE_VARIANT_ADD(knob, event_queue_len) {
	.name = "event_queue_len", .lo = 1, .hi = 1ULL << 16,
};

FIXTURE_VARIANT_ADD(knob, expire_grace_seconds) {
	.name = "expire_grace_seconds", .lo = 0, .hi = 86400,
};

FIXTURE_VARIANT_ADD(knob, spi_min) {
	.name = "spi_min", .lo = 256, .hi = 0xffffffffULL,
};

FIXTURE_VARIANT_ADD(knob, spi_max) {
	.name = "spi_max", .lo = 256, .hi = 0xffffffffULL,
};

FIXTURE_SETUP(knob)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	/* The widest SPI range, so each bound can reach both ends. */
	ASSERT_EQ(put("spi_max", 0xffffffffULL), 0);
	ASSERT_EQ(put("spi_min", 256), 0);
	self->old = get(variant->name);
	ASSERT_GE(self->old, 0);
}

FIXTURE_TEARDOWN(knob)
{
}

TEST_F(knob, out_of_range_refused_value_kept)
{
	const char *bad[] = { "-1", "abc", "", "4294967296",
			      "18446744073709551616" };
	unsigned int i;

	if (variant->lo) {
		EXPECT_EQ(put(variant->name, variant->lo - 1), -EINVAL);
		EXPECT_EQ(get(variant->name), self->old);
		EXPECT_EQ(put(variant->name, 0), -EINVAL);
		EXPECT_EQ(get(variant->name), self->old);
	}
	EXPECT_EQ(put(variant->name, variant->hi + 1), -EINVAL);
	EXPECT_EQ(get(variant->name), self->old);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = put_str(variant->name, bad[i]);

		/* An empty write changes nothing and is not an error. */
		if (bad[i][0])
			EXPECT_EQ(ret, -EINVAL) TH_LOG("\"%s\"", bad[i]);
		EXPECT_EQ(get(variant->name), self->old) TH_LOG("\"%s\"", bad[i]);
	}
}

TEST_F(knob, bounds_accepted)
{
	ASSERT_EQ(put(variant->name, variant->hi), 0);
	EXPECT_EQ(get(variant->name), (long long)variant->hi);
	ASSERT_EQ(put(variant->name, variant->lo), 0);
	EXPECT_EQ(get(variant->name), (long long)variant->lo);
	ASSERT_EQ(put(variant->name, self->old), 0);
	EXPECT_EQ(get(variant->name), self->old);
}

/* ----------------------------------------------------------- plain */

TEST(module_parameters_are_read_only_defaults)
{
	struct stat st;
	char path[128];
	unsigned int i;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), PARAMS "%s", names[i]);
		ASSERT_EQ(stat(path, &st), 0) TH_LOG("%s", path);
		EXPECT_EQ(st.st_mode & 07777, 0444) TH_LOG("%s", path);
		EXPECT_LT(open(path, O_WRONLY | O_CLOEXEC), 0) TH_LOG("%s", path);
		/* A new namespace starts from them. */
		EXPECT_GE(param(names[i]), 0);
		EXPECT_EQ(get(names[i]), param(names[i])) TH_LOG("%s", names[i]);
		snprintf(path, sizeof(path), SYSCTL "%s", names[i]);
		ASSERT_EQ(stat(path, &st), 0) TH_LOG("%s", path);
		EXPECT_EQ(st.st_mode & 07777, 0644) TH_LOG("%s", path);
	}
}

/* Each bound is checked against the other as it is when written. */
TEST(spi_min_above_spi_max_refused)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(put("spi_min", 1000), 0);
	ASSERT_EQ(put("spi_max", 2000), 0);
	EXPECT_EQ(put("spi_min", 2001), -EINVAL);
	EXPECT_EQ(put("spi_max", 999), -EINVAL);
	EXPECT_EQ(get("spi_min"), 1000);
	EXPECT_EQ(get("spi_max"), 2000);
	/* Equal bounds are a one-SPI range. */
	EXPECT_EQ(put("spi_min", 2000), 0);
	EXPECT_EQ(put("spi_max", 2000), 0);
	EXPECT_EQ(put("spi_max", 1999), -EINVAL);
	EXPECT_EQ(get("spi_max"), 2000);
}

/* Two writers moving the range past each other never cross it. */
static int spi_writer(const char *name)
{
	bool is_min = !strcmp(name, "spi_min");
	int i;

	/* A tenth on the debug kernel (WFP_TEST_DIVISOR), still thousands
	 * of interleavings.
	 */
	for (i = 0; i < wfp_scaled(20000); i++) {
		unsigned long long v = is_min ? (i & 1 ? 5000 : 1000) :
					      (i & 1 ? 6000 : 2000);
		int ret = put(name, v);

		if (ret && ret != -EINVAL)
			return 1;
	}
	return 0;
}

TEST(spi_bounds_racing_writers_keep_order)
{
	static const char *const writers[] = { "spi_min", "spi_max" };
	pid_t pid;
	int st, i;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(put("spi_min", 1000), 0);
	ASSERT_EQ(put("spi_max", 2000), 0);
	for (i = 0; i < 2; i++) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (!pid)
			_exit(spi_writer(writers[i]));
	}
	for (i = 0; i < 2; i++) {
		ASSERT_GT(wait(&st), 0);
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	}
	/* Both are quiet now: the pair is consistent. */
	EXPECT_LE(get("spi_min"), get("spi_max"));
}

static int other_namespace(void *arg)
{
	const long long *dflt = arg;

	if (unshare(CLONE_NEWNET))
		return 10;
	/* A new namespace starts from the module parameters. */
	if (get("max_contexts") != dflt[0] || get("event_queue_len") != dflt[1])
		return 11;
	if (put("max_contexts", 9) || put("event_queue_len", 3))
		return 12;
	return get("max_contexts") == 9 && get("event_queue_len") == 3 ? 0 : 13;
}

TEST(namespaces_do_not_share_values)
{
	long long dflt[2] = { param("max_contexts"), param("event_queue_len") };
	long long init_mc = get("max_contexts");
	int init_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	ASSERT_GE(init_ns, 0);
	ASSERT_GE(init_mc, 0);
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(put("max_contexts", 7), 0);
	ASSERT_EQ(put("event_queue_len", 5), 0);
	EXPECT_EQ(run_in_child(other_namespace, dflt), 0);
	EXPECT_EQ(get("max_contexts"), 7);
	EXPECT_EQ(get("event_queue_len"), 5);
	/* Nor did either change the namespace the test started in. */
	ASSERT_EQ(setns(init_ns, CLONE_NEWNET), 0);
	EXPECT_EQ(get("max_contexts"), init_mc);
	close(init_ns);
}

static int userns_root_writes(void *arg)
{
	if (become_userns_root())
		return 10;
	if (put("event_queue_len", 5) || get("event_queue_len") != 5)
		return 11;
	if (put("spi_min", 0x1000) || get("spi_min") != 0x1000)
		return 12;
	/* Ranges hold for it as for anyone. */
	if (put("event_queue_len", 0) != -EINVAL || get("event_queue_len") != 5)
		return 13;
	return 0;
}

TEST(userns_root_writes_its_own_namespace)
{
	long long qlen = get("event_queue_len");

	ASSERT_GE(qlen, 0);
	EXPECT_EQ(run_in_child(userns_root_writes, NULL), 0);
	EXPECT_EQ(get("event_queue_len"), qlen);
}

/* Through a descriptor root opened: the check is made at write(). */
static int userns_root_writes_parent(void *arg)
{
	int fd = *(int *)arg;

	if (become_userns_root())
		return 10;
	return write_fd(fd, "3") == -EPERM ? 0 : 11;
}

static int nobody_writes(void *arg)
{
	int fd = *(int *)arg;

	if (become_nobody())
		return 10;
	if (open_sysctl("max_contexts", O_WRONLY) >= 0 || errno != EACCES)
		return 11;
	if (open_sysctl("max_contexts", O_RDONLY) < 0)
		return 12;
	return write_fd(fd, "3") == -EPERM ? 0 : 13;
}

/* uid 0 passes the file's permission bits; the capability is checked. */
static int root_without_cap_writes(void *arg)
{
	int fd;

	if (drop_cap_net_admin())
		return 10;
	fd = open_sysctl("max_contexts", O_WRONLY);
	if (fd < 0)
		return 11;
	return write_fd(fd, "3") == -EPERM ? 0 : 12;
}

TEST(without_cap_net_admin_over_namespace_refused)
{
	int fd;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(put("max_contexts", 7), 0);
	fd = open_sysctl("max_contexts", O_WRONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(run_in_child(userns_root_writes_parent, &fd), 0);
	EXPECT_EQ(run_in_child(nobody_writes, &fd), 0);
	EXPECT_EQ(run_in_child(root_without_cap_writes, NULL), 0);
	EXPECT_EQ(get("max_contexts"), 7);
	/* Control: the descriptor works for its opener. */
	EXPECT_EQ(write_fd(fd, "8"), 0);
	EXPECT_EQ(get("max_contexts"), 8);
	close(fd);
}

/*
 * expire_grace_seconds * HZ was an unsigned int product: 4294968 s
 * wrapped to under a second at HZ=1000, 17179870 s at HZ=250.
 */
TEST(grace_that_overflowed_jiffies_refused)
{
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	EXPECT_EQ(put("expire_grace_seconds", 4294968), -EINVAL);
	EXPECT_EQ(put("expire_grace_seconds", 17179870), -EINVAL);
	EXPECT_EQ(put("expire_grace_seconds", 4294967295ULL), -EINVAL);
	EXPECT_EQ(get("expire_grace_seconds"), param("expire_grace_seconds"));
}

TEST_HARNESS_MAIN
