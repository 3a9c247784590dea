// SPDX-License-Identifier: GPL-2.0
/*
 * Every allocation a call makes can fail, and a failed call must change
 * nothing (Documentation/testing.rst, "Fault injection").
 *
 * /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION) makes the Nth
 * fault point the calling thread reaches fail: slab and page allocations
 * (failslab, fail_page_alloc) and user copies (fail_usercopy), in our
 * module and in the xfrm and crypto code it calls.  For each call, the
 * sweep runs it with N = 1, 2, ... until the call completes without
 * reaching the Nth point.  After each injected failure: the call returned
 * ERROR_SUCCESS or the documented code of the failing errno; on failure
 * the context, the xfrm state and policy counts and the SPI reservation
 * are as before the call; and the same call without injection succeeds.
 *
 * The stock Debian kernel has no fault injection: the tests skip there
 * and run in `make check-debug`.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_ctx.h"
#include "wfp_xfrm.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FI_DEBUGFS	"/sys/kernel/debug/"
#define MAX_POINTS	2000

static const UINT8 key16[20] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
	0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05,
};

/*
 * The descriptor of /proc/thread-self/fail-nth stays open for the whole
 * test: opening it allocates, and would take the armed fault itself.
 * Arming copies N in before it arms; reading back copies out, which is a
 * fault point too (fail_usercopy).
 */
static void fail_nth_set(int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	/* Disarming can fail with EFAULT when the copy of "0" takes the
	 * still-armed fault; it is disarmed either way.
	 */
	if (pwrite(fd, buf, len, 0) < 0 && n)
		ksft_print_msg("arming fail-nth: %s\n", strerror(errno));
}

/*
 * Whether the armed fault was injected during the call: reading "0"
 * means it was; a positive count means the call never reached it, and a
 * failed read means the read's own copy-out took it - after the call.
 */
static bool fail_nth_injected(int fd)
{
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 && atoi(buf) == 0;
}

/*
 * The allocation fault points skip GFP_KERNEL allocations by default
 * (ignore-gfp-wait) and print a stack trace per injection (verbose), which
 * the VM harness would take for a kernel report.
 */
static void fi_configure(void)
{
	static const char *const attrs[] = {
		"failslab", "fail_page_alloc", "fail_usercopy",
	};
	char path[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(path, sizeof(path), FI_DEBUGFS "%s/verbose", attrs[i]);
		write_str(path, "0");
		snprintf(path, sizeof(path), FI_DEBUGFS "%s/ignore-gfp-wait",
			 attrs[i]);
		write_str(path, "N");
	}
	write_str(FI_DEBUGFS "fail_page_alloc/min-order", "0");
}

/* XFRM_MSG_GETSADINFO / GETSPDINFO: the namespace's state/policy counts. */
static int xfrm_counts(__u32 *sad, __u32 *spd)
{
	struct {
		struct nlmsghdr nh;
		__u32 flags;
	} req;
	char buf[4096];
	int fd, i, ret = -EIO;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (fd < 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		struct nlattr *a;
		ssize_t n;
		int len;

		memset(&req, 0, sizeof(req));
		req.nh.nlmsg_len = sizeof(req);
		req.nh.nlmsg_type = i ? XFRM_MSG_GETSPDINFO : XFRM_MSG_GETSADINFO;
		req.nh.nlmsg_flags = NLM_F_REQUEST;
		req.flags = 0xffffffff;
		if (send(fd, &req, sizeof(req), 0) < 0)
			goto out;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < (ssize_t)NLMSG_HDRLEN || !NLMSG_OK(nh, n) ||
		    nh->nlmsg_type == NLMSG_ERROR)
			goto out;
		len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(__u32));
		a = (struct nlattr *)((char *)NLMSG_DATA(nh) + sizeof(__u32));
		for (; len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
		       a->nla_len <= len;
		     len -= NLA_ALIGN(a->nla_len),
		     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len))) {
			if (!i && a->nla_type == XFRMA_SAD_CNT)
				memcpy(sad, (char *)a + NLA_HDRLEN, sizeof(*sad));
			if (i && a->nla_type == XFRMA_SPD_INFO) {
				struct xfrmu_spdinfo si;

				memcpy(&si, (char *)a + NLA_HDRLEN, sizeof(si));
				*spd = si.incnt + si.outcnt + si.fwdcnt;
			}
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

/* The stages a context goes through, and the calls under test. */
enum fi_op {
	OP_CREATE, OP_SETSPI, OP_GETSPI, OP_ADD_IN, OP_ADD_OUT, OP_UPDATE,
	OP_EXPIRE, OP_DELETE, OP_GET, OP_ENUM, OP_SUBSCRIBE, OP_STATS,
};

struct fi_snap {
	__u32 sad, spd;
	UINT32 nctx;
};

FIXTURE(fi)
{
	HANDLE h;
	int fail_fd;
	IPSEC_TRAFFIC1 t;
	UINT64 id;
	UINT32 spi;
	int injected;
};

FIXTURE_VARIANT(fi)
{
	enum fi_op op;
	const char *name;
};

#define FI_VARIANT(v, o) \
	FIXTURE_VARIANT_ADD(fi, v) { .op = o, .name = #v }
FI_VARIANT(create, OP_CREATE);
FI_VARIANT(set_spi, OP_SETSPI);
FI_VARIANT(get_spi, OP_GETSPI);
FI_VARIANT(add_inbound, OP_ADD_IN);
FI_VARIANT(add_outbound, OP_ADD_OUT);
FI_VARIANT(update_encap, OP_UPDATE);
FI_VARIANT(expire, OP_EXPIRE);
FI_VARIANT(delete, OP_DELETE);
FI_VARIANT(get_by_id, OP_GET);
FI_VARIANT(enum, OP_ENUM);
FI_VARIANT(subscribe, OP_SUBSCRIBE);
FI_VARIANT(statistics, OP_STATS);

FIXTURE_SETUP(fi)
{
	/* The test itself skips (SKIP here would not stop it in 6.1). */
	self->fail_fd = -1;
	if (access(FAIL_NTH, W_OK))
		return;
	self->fail_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_GE(self->fail_fd, 0);
	/* A namespace of our own: the xfrm counts are exact. */
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	fi_configure();
	wfp_traffic_set(&self->t, false, "10.9.0.1", "10.9.0.2");
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
				  &self->h), ERROR_SUCCESS);
	self->spi = 0x1000;
}

FIXTURE_TEARDOWN(fi)
{
	if (self->fail_fd >= 0)
		close(self->fail_fd);
	if (self->h)
		FwpmEngineClose0(self->h);
}

/* key16 as cipher and auth key, as keying-demo.c gives it. */
static void gcm_bundle(IPSEC_SA_BUNDLE1 *b, IPSEC_SA0 *sa,
		       IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *info, UINT32 spi)
{
	memset(b, 0, sizeof(*b));
	memset(sa, 0, sizeof(*sa));
	memset(info, 0, sizeof(*info));
	gcm_sa_init(sa, info, spi, (UINT8 *)key16, sizeof(key16));
	info->saAuthInformation.authKey = info->saCipherInformation.cipherKey;
	b->numSAs = 1;
	b->saList = sa;
	b->ipVersion = FWP_IP_VERSION_V4;
}

static DWORD do_setspi(FIXTURE_DATA(fi) *self, UINT32 spi)
{
	IPSEC_GETSPI1 g;

	wfp_getspi_set(&g, &self->t);
	return IPsecSaContextSetSpi0(self->h, self->id, &g, spi);
}

static DWORD do_add(FIXTURE_DATA(fi) *self, bool inbound)
{
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA0 sa;

	gcm_bundle(&b, &sa, &info, inbound ? self->spi : self->spi + 1);
	return inbound ? IPsecSaContextAddInbound1(self->h, self->id, &b) :
			 IPsecSaContextAddOutbound1(self->h, self->id, &b);
}

static DWORD do_update(FIXTURE_DATA(fi) *self)
{
	IPSEC_V4_UDP_ENCAPSULATION0 enc = { 4500, 4500 };
	IPSEC_SA_CONTEXT1 *c = NULL;
	DWORD rc;

	rc = IPsecSaContextGetById1(self->h, self->id, &c);
	if (rc)
		return rc;
	c->inboundSa->udpEncapsulation = &enc;
	c->outboundSa->udpEncapsulation = &enc;
	rc = IPsecSaContextUpdate0(self->h,
				   IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION, c);
	FwpmFreeMemory0((void **)&c);
	return rc;
}

/* The stage a context must have reached before the call under test. */
static enum fi_op fi_stage(enum fi_op op)
{
	switch (op) {
	case OP_CREATE:
	case OP_ENUM:
	case OP_SUBSCRIBE:
	case OP_STATS:
		return OP_CREATE;	/* nothing, or one plain context */
	case OP_SETSPI:
	case OP_GETSPI:
		return OP_SETSPI;	/* created */
	case OP_ADD_IN:
		return OP_ADD_IN;	/* SPI set */
	case OP_ADD_OUT:
		return OP_ADD_OUT;	/* inbound added */
	default:
		return OP_UPDATE;	/* complete */
	}
}

/* Builds the context the call needs, without injection. */
static void fi_prepare(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fi) *self, enum fi_op op)
{
	enum fi_op stage = fi_stage(op);

	self->id = 0;
	self->spi++;
	self->spi |= 0x100;
	if (op == OP_CREATE)
		return;
	ASSERT_EQ(IPsecSaContextCreate1(self->h, &self->t, NULL, NULL,
					&self->id), ERROR_SUCCESS);
	if (stage >= OP_ADD_IN)
		ASSERT_EQ(do_setspi(self, self->spi), ERROR_SUCCESS);
	if (stage >= OP_ADD_OUT)
		ASSERT_EQ(do_add(self, true), ERROR_SUCCESS);
	if (stage >= OP_UPDATE)
		ASSERT_EQ(do_add(self, false), ERROR_SUCCESS);
}

static DWORD fi_call(FIXTURE_DATA(fi) *self, enum fi_op op)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	IPSEC_SA_CONTEXT1 **list = NULL;
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_STATISTICS1 st;
	IPSEC_GETSPI1 g;
	HANDLE eh = NULL, sh = NULL;
	UINT32 n = 0;
	DWORD rc;

	switch (op) {
	case OP_CREATE:
		return IPsecSaContextCreate1(self->h, &self->t, NULL, NULL,
					     &self->id);
	case OP_SETSPI:
		return do_setspi(self, self->spi);
	case OP_GETSPI:
		wfp_getspi_set(&g, &self->t);
		return IPsecSaContextGetSpi1(self->h, self->id, &g, &self->spi);
	case OP_ADD_IN:
		return do_add(self, true);
	case OP_ADD_OUT:
		return do_add(self, false);
	case OP_UPDATE:
		return do_update(self);
	case OP_EXPIRE:
		return IPsecSaContextExpire0(self->h, self->id);
	case OP_DELETE:
		return IPsecSaContextDeleteById0(self->h, self->id);
	case OP_GET:
		rc = IPsecSaContextGetById1(self->h, self->id, &c);
		if (!rc)
			FwpmFreeMemory0((void **)&c);
		return rc;
	case OP_ENUM:
		memset(&tmpl, 0, sizeof(tmpl));
		rc = IPsecSaContextCreateEnumHandle0(self->h, &tmpl, &eh);
		if (rc)
			return rc;
		rc = IPsecSaContextEnum1(self->h, eh, 16, &list, &n);
		if (!rc)
			FwpmFreeMemory0((void **)&list);
		IPsecSaContextDestroyEnumHandle0(self->h, eh);
		return rc;
	case OP_SUBSCRIBE:
		memset(&sub, 0, sizeof(sub));
		rc = IPsecSaContextSubscribe0(self->h, &sub, no_event, NULL, &sh);
		if (!rc)
			rc = IPsecSaContextUnsubscribe0(self->h, sh);
		return rc;
	case OP_STATS:
		return IPsecGetStatistics1(self->h, &st);
	}
	return ERROR_INVALID_PARAMETER;
}

/*
 * Removes every context of the namespace: what fi_prepare() and the call
 * left, including a context whose id a failed copy-out never returned.
 */
static void fi_cleanup(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fi) *self)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT1 **list = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0, i;

	memset(&tmpl, 0, sizeof(tmpl));
	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(self->h, &tmpl, &eh), 0);
	ASSERT_EQ(IPsecSaContextEnum1(self->h, eh, 64, &list, &n), 0);
	for (i = 0; i < n; i++)
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h,
						    list[i]->saContextId), 0);
	FwpmFreeMemory0((void **)&list);
	IPsecSaContextDestroyEnumHandle0(self->h, eh);
	self->id = 0;
}

static void fi_snap(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fi) *self, struct fi_snap *s)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT1 **list = NULL;
	HANDLE eh = NULL;

	memset(s, 0, sizeof(*s));
	ASSERT_EQ(xfrm_counts(&s->sad, &s->spd), 0);
	memset(&tmpl, 0, sizeof(tmpl));
	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(self->h, &tmpl, &eh), 0);
	ASSERT_EQ(IPsecSaContextEnum1(self->h, eh, 64, &list, &s->nctx), 0);
	FwpmFreeMemory0((void **)&list);
	IPsecSaContextDestroyEnumHandle0(self->h, eh);
}

/* What a call may return when one of its allocations or copies failed. */
static bool fi_code_ok(DWORD rc)
{
	return rc == ERROR_SUCCESS || rc == ERROR_NOT_ENOUGH_MEMORY ||
	       rc == RPC_X_BAD_STUB_DATA;
}

TEST_F_TIMEOUT(fi, sweep, 600)
{
	enum fi_op op = variant->op;
	struct fi_snap before, after;
	bool injected = true;
	DWORD rc;
	int n;

	if (access(FAIL_NTH, W_OK))
		SKIP(return, "kernel without CONFIG_FAULT_INJECTION (make check-debug)");
	for (n = 1; n <= MAX_POINTS; n++) {
		fi_prepare(_metadata, self, op);
		fi_snap(_metadata, self, &before);

		fail_nth_set(self->fail_fd, n);
		rc = fi_call(self, op);
		injected = fail_nth_injected(self->fail_fd);
		fail_nth_set(self->fail_fd, 0);
		if (!injected) {
			/* Fewer than n fault points: the sweep is done. */
			ASSERT_EQ(rc, ERROR_SUCCESS);
			fi_cleanup(_metadata, self);
			break;
		}
		self->injected++;
		EXPECT_TRUE(fi_code_ok(rc))
			TH_LOG("%s: fault point %d: code %lu", variant->name,
			       n, (unsigned long)rc);
		/*
		 * A failed copy of the reply comes after the command acted
		 * (abi.rst): its effect is whole, just unreported; cleanup
		 * below still proves nothing leaked.  Any other failure left
		 * nothing half-made and nothing half-removed.
		 */
		if (rc != ERROR_SUCCESS && rc != RPC_X_BAD_STUB_DATA) {
			fi_snap(_metadata, self, &after);
			EXPECT_EQ(after.sad, before.sad)
				TH_LOG("%s: point %d: xfrm states", variant->name, n);
			EXPECT_EQ(after.spd, before.spd)
				TH_LOG("%s: point %d: policies", variant->name, n);
			EXPECT_EQ(after.nctx, before.nctx)
				TH_LOG("%s: point %d: contexts", variant->name, n);
			/* And the call can be made again. */
			rc = fi_call(self, op);
			EXPECT_EQ(rc, ERROR_SUCCESS)
				TH_LOG("%s: retry after point %d", variant->name, n);
		}
		fi_cleanup(_metadata, self);
		fi_snap(_metadata, self, &after);
		ASSERT_EQ(after.nctx, 0);
		ASSERT_EQ(after.sad, 0) TH_LOG("%s: point %d: leftover states",
					      variant->name, n);
		ASSERT_EQ(after.spd, 0) TH_LOG("%s: point %d: leftover policies",
					      variant->name, n);
		if (_metadata->passed == 0)
			break;
	}
	ASSERT_FALSE(injected) TH_LOG("more than %d fault points", MAX_POINTS);
	ASSERT_GT(self->injected, 0);
	ksft_print_msg("fault injection: %s: %d fault points, each failed cleanly\n",
		       variant->name, self->injected);
}

TEST_HARNESS_MAIN
