// SPDX-License-Identifier: GPL-2.0
/*
 * WFP_IPSEC_IOC_BENCH_XFRM of wfp_ipsec_bench.ko (bench/kmod/), the kernel
 * loop `make bench` measures wfp_ipsec.ko against.  The program loads the
 * module shipped next to it when its device is absent: a module that is
 * missing or does not load fails the tests, it does not skip them.
 *
 * What is checked: a thousand cycles report their time and leave nothing;
 * KEEP leaves each cycle's two SAs and two policies; a cycle failing on a
 * taken SPI or a taken policy is unwound; every invalid argument is
 * refused and SETTLE takes none; the caller needs CAP_NET_ADMIN.
 *
 * Every test runs in a network namespace of its own, where it opens the
 * device (the namespace the loop works in), so the xfrm database starts
 * empty and counts are exact.  The wfp_ipsec engine is opened there too:
 * the loop must leave no context of it either.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <fwpmu.h>
#include <wfpipsec.h>
#include <wfp_ipsec_bench.h>

#include "wfp_test.h"
#include "wfp_ns.h"
#include "wfp_xfrm.h"

#define LOCAL		"10.1.0.1"
#define LOCAL_V4	0x0a010001U
#define PEER_V4		0x0a010002U
#define SPI_BASE	0x20000000U
#define GCM_NAME	"rfc4106(gcm(aes))"
#define MANY		1000

/* The layout both sides share: sizes a multiple of 8, __u64 aligned. */
_Static_assert(sizeof(struct wfp_ipsec_bench_xfrm) == 32, "bench size");
_Static_assert(offsetof(struct wfp_ipsec_bench_xfrm, elapsed_ns) == 24,
	       "bench elapsed_ns");

/* wfp_ipsec_bench.ko from this program's directory; 0 or -errno. */
static int bench_load(void)
{
	char path[4096];
	ssize_t n;
	char *slash;
	int fd, ret;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + sizeof(WFP_IPSEC_BENCH_MODULE) >
		      sizeof(path))
		return -ENAMETOOLONG;
	strcpy(slash + 1, WFP_IPSEC_BENCH_MODULE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	/* Another program of the guest may have loaded it first. */
	return ret == -EEXIST ? 0 : ret;
}

/* The bench device, in the caller's namespace; the module loaded first. */
static int bench_open(struct __test_metadata *_metadata)
{
	int fd;

	if (access(WFP_IPSEC_BENCH_DEVICE_PATH, F_OK))
		ASSERT_EQ(bench_load(), 0)
			TH_LOG("loading " WFP_IPSEC_BENCH_MODULE);
	fd = open(WFP_IPSEC_BENCH_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0) TH_LOG("open %s: %s", WFP_IPSEC_BENCH_DEVICE_PATH,
				strerror(errno));
	return fd;
}

FIXTURE(ns) {
	HANDLE h;
	int fd;
};

FIXTURE_SETUP(ns)
{
	self->fd = -1;
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	g_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(g_home, 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
				  &self->h), ERROR_SUCCESS);
	self->fd = bench_open(_metadata);
	/* (Loads xfrm_user, which the read-back needs.) */
	ASSERT_EQ(sa_count(-1), 0);
}

FIXTURE_TEARDOWN(ns)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->h)
		FwpmEngineClose0(self->h);
	if (g_home >= 0)
		close(g_home);
	g_home = -1;
}

/* Nothing in the namespace: no context, state or policy. */
static void expect_empty(struct __test_metadata *_metadata, HANDLE h)
{
	EXPECT_EQ(enum_count(h), 0);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(sp_count(-1), 0);
}

static void bench_args(struct wfp_ipsec_bench_xfrm *p, __u32 cycles)
{
	UINT32 l = htonl(LOCAL_V4), r = htonl(PEER_V4);

	memset(p, 0, sizeof(*p));
	p->cycles = cycles;
	p->spi_base = SPI_BASE;
	memcpy(p->local, &l, 4);
	memcpy(p->remote, &r, 4);
}

TEST_F_TIMEOUT(ns, bench_leaves_nothing, 300)
{
	struct wfp_ipsec_bench_xfrm p;

	bench_args(&p, MANY);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), 0);
	EXPECT_GT(p.elapsed_ns, 0);
	TH_LOG("%u cycles in %.0f ms: %.0f cycles/s", p.cycles,
	       p.elapsed_ns / 1e6, p.cycles * 1e9 / p.elapsed_ns);
	expect_empty(_metadata, self->h);
}

/* KEEP: every cycle's two SAs and two policies stay, for the caller. */
TEST_F_TIMEOUT(ns, bench_keep_leaves_each_cycles_objects, 120)
{
	struct wfp_ipsec_bench_xfrm p;

	bench_args(&p, 5);
	p.flags = WFP_IPSEC_BENCH_F_KEEP;
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), 0);
	EXPECT_EQ(sa_count(-1), 10);
	EXPECT_EQ(sp_count(-1), 10);
	EXPECT_EQ(sh("ip xfrm state flush && ip xfrm policy flush"), 0);
	expect_empty(_metadata, self->h);
}

/* A cycle failing midway is unwound: only the foreign state remains. */
TEST_F_TIMEOUT(ns, bench_spi_taken_unwinds, 120)
{
	struct wfp_ipsec_bench_xfrm p;

	ASSERT_EQ(sh("ip xfrm state add src 10.9.0.2 dst " LOCAL " proto esp "
		     "spi 0x%x mode transport aead '" GCM_NAME "' 0x%040x 128",
		     SPI_BASE + 4, 1), 0) TH_LOG("%s", g_last_cmd);
	bench_args(&p, 5);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), -EEXIST);
	EXPECT_EQ(sa_count(-1), 1);
	EXPECT_EQ(sp_count(-1), 0);
}

/* A policy conflict at AddOutbound's share unwinds both SAs. */
TEST_F_TIMEOUT(ns, bench_policy_taken_unwinds, 120)
{
	struct wfp_ipsec_bench_xfrm p;

	ASSERT_EQ(sh("ip xfrm policy add src " LOCAL "/32 dst 10.1.0.2/32 "
		     "dir out priority 0x8000 tmpl proto esp mode transport"),
		  0) TH_LOG("%s", g_last_cmd);
	bench_args(&p, 3);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), -EEXIST);
	EXPECT_EQ(sa_count(-1), 0);
	EXPECT_EQ(sp_count(-1), 1);
}

static void bench_bad_flags(struct wfp_ipsec_bench_xfrm *p)
{
	p->flags = WFP_IPSEC_BENCH_F_SETTLE << 1;
}
static void bench_bad_reserved(struct wfp_ipsec_bench_xfrm *p)
{
	p->reserved = 1;
}
static void bench_bad_cycles(struct wfp_ipsec_bench_xfrm *p)
{
	p->cycles = 1000001;
}
static void bench_bad_spi(struct wfp_ipsec_bench_xfrm *p) { p->spi_base = 255; }
static void bench_bad_wrap(struct wfp_ipsec_bench_xfrm *p)
{
	p->spi_base = 0xffffffffU - 2 * p->cycles + 2;
}
static void bench_bad_addr(struct wfp_ipsec_bench_xfrm *p)
{
	memset(p->remote, 0, sizeof(p->remote));
}

TEST_F(ns, bench_invalid_arguments)
{
	static void (*const bad[])(struct wfp_ipsec_bench_xfrm *) = {
		bench_bad_flags, bench_bad_reserved, bench_bad_cycles,
		bench_bad_spi, bench_bad_wrap, bench_bad_addr,
	};
	struct wfp_ipsec_bench_xfrm p;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bench_args(&p, 10);
		bad[i](&p);
		EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p),
			  -EINVAL) TH_LOG("case %u", i);
	}
	/* cycles 0 is refused. */
	bench_args(&p, 0);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p),
		  -EINVAL);
	/* Another command of the device's type is unknown. */
	EXPECT_EQ(wfp_test_ioctl(self->fd, _IOWR(WFP_IPSEC_BENCH_IOC_TYPE, 0x41,
						 struct wfp_ipsec_bench_xfrm),
				 &p), -ENOTTY);
	/* SETTLE runs no cycle: alone, with every other field zero. */
	bench_args(&p, 10);
	p.flags = WFP_IPSEC_BENCH_F_SETTLE;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), -EINVAL);
	memset(&p, 0, sizeof(p));
	p.flags = WFP_IPSEC_BENCH_F_SETTLE | WFP_IPSEC_BENCH_F_KEEP;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), -EINVAL);
	p.flags = WFP_IPSEC_BENCH_F_SETTLE;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), 0);
	/* The last SPI of the range is usable. */
	bench_args(&p, 10);
	p.spi_base = 0xffffffffU - 2 * p.cycles + 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_BENCH_XFRM, &p), 0);
	expect_empty(_metadata, self->h);
}

static int bench_unprivileged(void *arg)
{
	struct wfp_ipsec_bench_xfrm p;
	int *fd = arg;

	/* The file is root's; the caller is not. */
	if (drop_cap_net_admin())
		return 100;
	bench_args(&p, 1);
	return wfp_test_ioctl(*fd, WFP_IPSEC_IOC_BENCH_XFRM, &p) == -EPERM ? 0 : 1;
}

TEST_F(ns, bench_needs_cap_net_admin)
{
	EXPECT_EQ(run_in_child(bench_unprivileged, &self->fd), 0);
	expect_empty(_metadata, self->h);
}

TEST_HARNESS_MAIN
