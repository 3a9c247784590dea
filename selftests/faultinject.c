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
#include <unistd.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_sa.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FI_DEBUGFS	"/sys/kernel/debug/"
#define MAX_POINTS	2000

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

/* The calls under test. */
enum fi_op {
	OP_CREATE, OP_SETSPI, OP_GETSPI, OP_ADD_IN, OP_ADD_OUT, OP_UPDATE,
	OP_EXPIRE, OP_DELETE, OP_GET, OP_ENUM, OP_SUBSCRIBE, OP_STATS,
};

/* The namespace's xfrm states, global policies and contexts. */
struct fi_snap {
	int sad, spd;
	long nctx;
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
	int stage;	/* the context's state before the call; 0: none */
};

#define FI_VARIANT(v, o, st) \
	FIXTURE_VARIANT_ADD(fi, v) { .op = o, .name = #v, .stage = st }
FI_VARIANT(create, OP_CREATE, 0);
FI_VARIANT(set_spi, OP_SETSPI, ST_CREATED);
FI_VARIANT(get_spi, OP_GETSPI, ST_CREATED);
FI_VARIANT(add_inbound, OP_ADD_IN, ST_SPI_SET);
FI_VARIANT(add_outbound, OP_ADD_OUT, ST_INBOUND);
FI_VARIANT(update_encap, OP_UPDATE, ST_COMPLETE);
FI_VARIANT(expire, OP_EXPIRE, ST_COMPLETE);
FI_VARIANT(delete, OP_DELETE, ST_COMPLETE);
FI_VARIANT(get_by_id, OP_GET, ST_COMPLETE);
/* One plain context to list, to hear of or to count. */
FI_VARIANT(enum, OP_ENUM, ST_CREATED);
FI_VARIANT(subscribe, OP_SUBSCRIBE, ST_CREATED);
FI_VARIANT(statistics, OP_STATS, ST_CREATED);

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

/*
 * Builds the context the call needs, without injection: gcm_advance()'s
 * AES-GCM-128 SAs, inbound on the fixture's next SPI, outbound on the one
 * after it.
 */
static void fi_prepare(struct __test_metadata *_metadata,
		       FIXTURE_DATA(fi) *self, int stage)
{
	self->id = 0;
	self->spi++;
	self->spi |= 0x100;
	if (stage)
		ASSERT_EQ(gcm_ctx(self->h, &self->t, stage, self->spi,
				  self->spi + 1, 1, NULL, &self->id),
			  ERROR_SUCCESS);
}

static DWORD fi_call(FIXTURE_DATA(fi) *self, enum fi_op op, int stage)
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
	case OP_ADD_IN:
	case OP_ADD_OUT:
		/* The one step of the keying after the stage. */
		return gcm_advance(self->h, self->id, &self->t, stage,
				   stage + 1, self->spi, self->spi + 1, 1,
				   NULL);
	case OP_GETSPI:
		wfp_getspi_set(&g, &self->t);
		return IPsecSaContextGetSpi1(self->h, self->id, &g, &self->spi);
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
	s->sad = sa_count(-1);
	s->spd = sp_count(-1);
	s->nctx = enum_count(self->h);
	ASSERT_GE(s->sad, 0);
	ASSERT_GE(s->spd, 0);
	ASSERT_GE(s->nctx, 0);
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
		fi_prepare(_metadata, self, variant->stage);
		fi_snap(_metadata, self, &before);

		fail_nth_set(self->fail_fd, n);
		rc = fi_call(self, op, variant->stage);
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
			rc = fi_call(self, op, variant->stage);
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
