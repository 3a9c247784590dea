// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions (FwpmTransactionBegin0/Commit0/Abort0), end to end with
 * real xfrm policies: commit installs everything, abort, a failed call,
 * the session's close and kill -9 leave xfrm as it was, deferred deletes,
 * read-only transactions, the codes, the namespace's transaction lock
 * seen from another session, and rights
 * (Documentation/transactions.rst).
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <wchar.h>
#include <fwpmu.h>
#include <wfpipsec.h>
#include "wfp_ctx.h"
#include "wfp_test.h"
#include "wfp_xfrm.h"

#define KEY_PROV	1
#define KEY_SUBL	2

/* Keys of this program's objects: the last byte tells them apart. */
#define KEY_FAMILY	0x7c0ffee0
#define test_key(n)	wfp_test_key(KEY_FAMILY, n)

static DWORD add_provider(HANDLE h, UINT8 n)
{
	return provider_add_key(h, test_key(n));
}

static DWORD add_sublayer(HANDLE h, UINT8 n, UINT8 prov)
{
	GUID pk = test_key(prov);

	return sublayer_add_key(h, test_key(n), prov ? &pk : NULL, 0);
}

/* What a test filter is: a permit, or the IPsec transport callout's. */
enum filter_kind { PERMIT, IPSEC_OUT, IPSEC_IN };

/*
 * A filter in the test's sublayer, one condition, to 10.9.8.<last>: one
 * policy.  An IPsec one stands for an SA group; IPSEC_IN is the inbound
 * twin of the IPSEC_OUT one to the same address.
 */
static DWORD add_filter_as(HANDLE h, UINT8 last, enum filter_kind kind,
			   UINT64 *id)
{
	FWPM_FILTER_CONDITION0 c;
	FWPM_FILTER0 f;

	memset(&c, 0, sizeof(c));
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_UINT32;
	c.conditionValue.uint32 = 0x0a090800 | last;
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"txn test filter";
	f.layerKey = kind == IPSEC_IN ? FWPM_LAYER_INBOUND_TRANSPORT_V4 :
					FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.subLayerKey = test_key(KEY_SUBL);
	f.action.type = FWP_ACTION_PERMIT;
	if (kind != PERMIT) {
		f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
		f.action.calloutKey = kind == IPSEC_IN ?
			FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4 :
			FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V4;
	}
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	return FwpmFilterAdd0(h, &f, NULL, id);
}

static DWORD add_filter(HANDLE h, UINT8 last, UINT64 *id)
{
	return add_filter_as(h, last, PERMIT, id);
}

static bool provider_exists(HANDLE h, UINT8 n)
{
	GUID k = test_key(n);
	FWPM_PROVIDER0 *p = NULL;
	DWORD rc = FwpmProviderGetByKey0(h, &k, &p);

	FwpmFreeMemory0((void **)&p);
	return rc == ERROR_SUCCESS;
}

static bool sublayer_exists(HANDLE h, UINT8 n)
{
	GUID k = test_key(n);
	FWPM_SUBLAYER0 *s = NULL;
	DWORD rc = FwpmSubLayerGetByKey0(h, &k, &s);

	FwpmFreeMemory0((void **)&s);
	return rc == ERROR_SUCCESS;
}

static bool filter_exists(HANDLE h, UINT64 id)
{
	FWPM_FILTER0 *f = NULL;
	DWORD rc = FwpmFilterGetById0(h, id, &f);

	FwpmFreeMemory0((void **)&f);
	return rc == ERROR_SUCCESS;
}

FIXTURE(txn) {
	HANDLE h;
	int fd;
	int sp0;
	long refcnt0;
};

FIXTURE_SETUP(txn)
{
	self->refcnt0 = wfp_module_refcnt();
	wfp_engine_open(_metadata, &self->h, &self->fd);
	self->sp0 = sp_count(-1);
	ASSERT_GE(self->sp0, 0);
}

/* Every test leaves no object, no policy and no session behind. */
FIXTURE_TEARDOWN(txn)
{
	FwpmTransactionAbort0(self->h);
	wfp_test_keys_delete(self->h, KEY_FAMILY, 8);
	EXPECT_EQ(sp_count(-1), self->sp0);
	EXPECT_FALSE(provider_exists(self->h, KEY_PROV));
	EXPECT_FALSE(sublayer_exists(self->h, KEY_SUBL));
	FwpmEngineClose0(self->h);
	if (self->refcnt0 >= 0)
		EXPECT_EQ(wfp_module_refcnt(), self->refcnt0);
}

/* Provider, sublayer and two filters: the set the tests group. */
static void add_set(struct __test_metadata *_metadata, HANDLE h,
		    UINT64 *id)
{
	ASSERT_EQ(add_provider(h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(h, 1, &id[0]), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(h, 2, &id[1]), ERROR_SUCCESS);
}

/* The set is all there or all gone, and xfrm holds sp policies. */
static void expect_set(struct __test_metadata *_metadata, HANDLE h,
		       const UINT64 *id, bool there, int sp)
{
	EXPECT_EQ(provider_exists(h, KEY_PROV), there);
	EXPECT_EQ(sublayer_exists(h, KEY_SUBL), there);
	EXPECT_EQ(filter_exists(h, id[0]), there);
	EXPECT_EQ(filter_exists(h, id[1]), there);
	EXPECT_EQ(sp_count(-1), sp);
}

static void delete_set(struct __test_metadata *_metadata, HANDLE h,
		       const UINT64 *id)
{
	GUID pk = test_key(KEY_PROV), sk = test_key(KEY_SUBL);

	EXPECT_EQ(FwpmFilterDeleteById0(h, id[0]), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(h, id[1]), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(h, &sk), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(h, &pk), ERROR_SUCCESS);
}

TEST_F(txn, feature_bit)
{
	EXPECT_TRUE(wfp_features(_metadata) & WFP_IPSEC_FEAT_TRANSACTIONS);
}

TEST_F(txn, commit_installs_all)
{
	UINT64 id[2] = {};

	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	add_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	expect_set(_metadata, self->h, id, true, self->sp0 + 2);
	/* Committed: a second commit has no transaction. */
	EXPECT_EQ(FwpmTransactionCommit0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
	delete_set(_metadata, self->h, id);
}

TEST_F(txn, abort_rolls_back)
{
	HANDLE other = engine(0);
	UINT64 id[2] = {};

	ASSERT_NE(other, NULL);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	add_set(_metadata, self->h, id);
	/* ADDs apply at once: another session sees them, xfrm has them. */
	EXPECT_TRUE(provider_exists(other, KEY_PROV));
	EXPECT_TRUE(filter_exists(other, id[1]));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	ASSERT_EQ(FwpmTransactionAbort0(self->h), ERROR_SUCCESS);
	expect_set(_metadata, self->h, id, false, self->sp0);
	EXPECT_EQ(FwpmTransactionAbort0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
	FwpmEngineClose0(other);
}

TEST_F(txn, failing_call_aborts_commit)
{
	UINT64 id[2] = {};

	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	add_set(_metadata, self->h, id);
	EXPECT_EQ(add_provider(self->h, KEY_PROV), FWP_E_ALREADY_EXISTS);
	EXPECT_EQ(FwpmTransactionCommit0(self->h), FWP_E_TXN_ABORTED);
	expect_set(_metadata, self->h, id, false, self->sp0);
	/* The abort ended it. */
	EXPECT_EQ(FwpmTransactionAbort0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
}

TEST_F(txn, in_use_delete_fails_at_call)
{
	GUID sk = test_key(KEY_SUBL);
	UINT64 id[2] = {};

	add_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(self->h, &sk), FWP_E_IN_USE);
	EXPECT_EQ(FwpmTransactionCommit0(self->h), FWP_E_TXN_ABORTED);
	EXPECT_TRUE(sublayer_exists(self->h, KEY_SUBL));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	delete_set(_metadata, self->h, id);
}

TEST_F(txn, close_rolls_back)
{
	HANDLE h = engine(0);
	UINT64 id[2] = {};

	ASSERT_NE(h, NULL);
	ASSERT_EQ(FwpmTransactionBegin0(h, 0), ERROR_SUCCESS);
	add_set(_metadata, h, id);
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	FwpmEngineClose0(h);
	expect_set(_metadata, self->h, id, false, self->sp0);
	/* The namespace's transaction lock went with it. */
	EXPECT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
}

/* The child: a transaction with the set in it, then wait to be killed. */
static void txn_child(int wfd)
{
	HANDLE h = engine(0);
	UINT64 id[3] = {};

	if (!h || FwpmTransactionBegin0(h, 0) || add_provider(h, KEY_PROV) ||
	    add_sublayer(h, KEY_SUBL, KEY_PROV) || add_filter(h, 1, &id[0]) ||
	    add_filter(h, 2, &id[1]))
		id[2] = 1;
	if (write(wfd, id, sizeof(id)) != sizeof(id))
		_exit(1);
	for (;;)
		pause();
}

TEST_F(txn, kill_rolls_back)
{
	int p[2], status;
	UINT64 id[3] = {};
	pid_t pid;

	ASSERT_EQ(pipe(p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		txn_child(p[1]);
	ASSERT_EQ(read(p[0], id, sizeof(id)), sizeof(id));
	EXPECT_EQ(id[2], 0);
	EXPECT_TRUE(filter_exists(self->h, id[0]));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	expect_set(_metadata, self->h, id, false, self->sp0);
	close(p[0]);
	close(p[1]);
}

TEST_F(txn, deferred_delete_applied_at_commit)
{
	UINT64 id[2] = {};

	add_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	/* Filters, then what they name: each checked as if the earlier
	 * deletes were done.
	 */
	delete_set(_metadata, self->h, id);
	/* Until COMMIT everything stays, to the deleting session too. */
	EXPECT_TRUE(filter_exists(self->h, id[0]));
	EXPECT_TRUE(provider_exists(self->h, KEY_PROV));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	/* A second delete of a pending one: gone as far as it knows. */
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id[0]),
		  FWP_E_FILTER_NOT_FOUND);
	ASSERT_EQ(FwpmTransactionAbort0(self->h), ERROR_SUCCESS);
	EXPECT_TRUE(filter_exists(self->h, id[0]));

	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	delete_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	expect_set(_metadata, self->h, id, false, self->sp0);
}

/* A context binds to the filter after its DELETE: COMMIT undoes all. */
TEST_F(txn, commit_fails_when_delete_no_longer_holds)
{
	HANDLE other = engine(0);
	UINT64 id = 0, nid = 0, ctx = 0;
	IPSEC_TRAFFIC1 t;

	ASSERT_NE(other, NULL);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(self->h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_filter_as(self->h, 7, IPSEC_OUT, &id), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(self->h, 8, &nid), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id), ERROR_SUCCESS);
	/* SA contexts are no objects: the transaction lock is not theirs. */
	traffic_v4(&t, false, 0x0a000001, 0x0a090807);
	t.ipsecFilterId = id;
	ASSERT_EQ(IPsecSaContextCreate1(other, &t, NULL, NULL, &ctx),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionCommit0(self->h), FWP_E_IN_USE);
	EXPECT_TRUE(filter_exists(self->h, id));
	EXPECT_FALSE(filter_exists(self->h, nid));
	EXPECT_EQ(sp_count(-1), self->sp0 + 1);
	EXPECT_EQ(FwpmTransactionAbort0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
	EXPECT_EQ(IPsecSaContextDeleteById0(other, ctx), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

/*
 * Undoing the ADD of an inbound twin leaves the group's other filter, and
 * the contexts bound through it, as they were before BEGIN.
 */
TEST_F(txn, abort_of_twin_keeps_bound_context)
{
	HANDLE other = engine(0);
	UINT64 id = 0, tid = 0, ctx = 0;
	IPSEC_SA_CONTEXT1 *got = NULL;
	IPSEC_TRAFFIC1 t;

	ASSERT_NE(other, NULL);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(self->h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_filter_as(self->h, 7, IPSEC_OUT, &id), ERROR_SUCCESS);
	traffic_v4(&t, false, 0x0a000001, 0x0a090807);
	t.ipsecFilterId = id;
	ASSERT_EQ(IPsecSaContextCreate1(other, &t, NULL, NULL, &ctx),
		  ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_filter_as(self->h, 7, IPSEC_IN, &tid), ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionAbort0(self->h), ERROR_SUCCESS);
	EXPECT_FALSE(filter_exists(self->h, tid));
	/* A state flush has every context checked for lost policies (an
	 * empty one notifies nothing: one state of another plane first).
	 */
	ASSERT_EQ(system("ip xfrm state add src 192.0.2.1 dst 192.0.2.2 "
			 "proto esp spi 0x1234 enc 'cbc(aes)' "
			 "0x00112233445566778899aabbccddeeff && "
			 "ip xfrm state flush"), 0);
	usleep(300 * 1000);
	EXPECT_EQ(IPsecSaContextGetById1(other, ctx, &got), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&got);
	EXPECT_EQ(IPsecSaContextDeleteById0(other, ctx), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

/* A dynamic session's filter joins no static filter's SA group. */
TEST_F(txn, dynamic_twin_of_static_filter_refused)
{
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	UINT64 id = 0, tid = 0;

	ASSERT_NE(dyn, NULL);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(self->h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_filter_as(self->h, 7, IPSEC_OUT, &id), ERROR_SUCCESS);
	EXPECT_EQ(add_filter_as(dyn, 7, IPSEC_IN, &tid),
		  FWP_E_LIFETIME_MISMATCH);
	EXPECT_EQ(sp_count(-1), self->sp0 + 1);
	FwpmEngineClose0(dyn);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(txn, deferred_delete_dropped_at_abort)
{
	UINT64 id[2] = {};

	add_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id[1]), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionAbort0(self->h), ERROR_SUCCESS);
	EXPECT_TRUE(filter_exists(self->h, id[1]));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	delete_set(_metadata, self->h, id);
}

TEST_F(txn, added_then_deleted_in_one)
{
	UINT64 id = 0;

	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(self->h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(self->h, 3, &id), ERROR_SUCCESS);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	EXPECT_FALSE(filter_exists(self->h, id));
	EXPECT_TRUE(sublayer_exists(self->h, KEY_SUBL));
	EXPECT_EQ(sp_count(-1), self->sp0);
}

TEST_F(txn, read_only_refuses_writes)
{
	GUID sk = test_key(KEY_SUBL);
	UINT64 id[2] = {}, nid = 0;

	add_set(_metadata, self->h, id);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, FWPM_TXN_READ_ONLY),
		  ERROR_SUCCESS);
	EXPECT_EQ(add_provider(self->h, 5), FWP_E_INCOMPATIBLE_TXN);
	EXPECT_EQ(add_filter(self->h, 4, &nid), FWP_E_INCOMPATIBLE_TXN);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(self->h, &sk),
		  FWP_E_INCOMPATIBLE_TXN);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, id[0]),
		  FWP_E_INCOMPATIBLE_TXN);
	/* Reads work; nested begins of either kind do not. */
	EXPECT_TRUE(filter_exists(self->h, id[0]));
	EXPECT_EQ(FwpmTransactionBegin0(self->h, 0), FWP_E_TXN_IN_PROGRESS);
	EXPECT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	EXPECT_FALSE(provider_exists(self->h, 5));
	EXPECT_EQ(sp_count(-1), self->sp0 + 2);
	delete_set(_metadata, self->h, id);
}

TEST_F(txn, read_only_does_not_block_writers)
{
	HANDLE other = engine_wait(0, 50);

	ASSERT_NE(other, NULL);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, FWPM_TXN_READ_ONLY),
		  ERROR_SUCCESS);
	EXPECT_EQ(add_provider(other, KEY_PROV), ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionAbort0(self->h), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

TEST_F(txn, nested_and_absent_codes)
{
	EXPECT_EQ(FwpmTransactionCommit0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
	EXPECT_EQ(FwpmTransactionAbort0(self->h), FWP_E_NO_TXN_IN_PROGRESS);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionBegin0(self->h, 0), FWP_E_TXN_IN_PROGRESS);
	EXPECT_EQ(FwpmTransactionBegin0(self->h, FWPM_TXN_READ_ONLY),
		  FWP_E_TXN_IN_PROGRESS);
	/* The refused BEGIN left the open transaction as it was. */
	EXPECT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionBegin0(self->h, 2), FWP_E_INVALID_FLAGS);
	EXPECT_EQ(FwpmTransactionBegin0(NULL, 0), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmTransactionCommit0(NULL), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmTransactionAbort0(NULL), ERROR_INVALID_HANDLE);
}

TEST_F(txn, begin_ioctl_checks)
{
	static struct wfp_ipsec_txn bad[] = {
		{ .flags = 2 }, { .reserved0 = 1 }, { .reserved[1] = 1 },
	};

	wfp_expect_einval_each(_metadata, self->fd, WFP_IPSEC_IOC_TXN_BEGIN,
			       bad, sizeof(bad[0]), ARRAY_SIZE(bad));
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_TXN_COMMIT, NULL),
		  -ENOLCK);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_TXN_ABORT, NULL),
		  -ENOLCK);
}

TEST_F(txn, contexts_refused_inside)
{
	IPSEC_TRAFFIC1 t1;
	IPSEC_TRAFFIC0 t0;
	UINT64 id = 0;

	traffic_v4(&t1, false, 0x0a000001, 0x0a000002);
	t0 = traffic0_of(&t1);
	ASSERT_EQ(IPsecSaContextCreate0(self->h, &t0, NULL, &id),
		  ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, FWPM_TXN_READ_ONLY),
		  ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextCreate1(self->h, &t1, NULL, NULL, &id),
		  FWP_E_TXN_IN_PROGRESS);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id),
		  FWP_E_TXN_IN_PROGRESS);
	EXPECT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	EXPECT_EQ(IPsecSaContextDeleteById0(self->h, id), ERROR_SUCCESS);
}

TEST_F(txn, other_session_times_out)
{
	HANDLE other = engine_wait(0, 100);
	GUID pk = test_key(KEY_PROV);
	UINT64 id = 0;

	ASSERT_NE(other, NULL);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	/* Reads are never blocked, and see the open transaction's ADD. */
	EXPECT_TRUE(provider_exists(other, KEY_PROV));
	EXPECT_EQ(add_provider(other, 3), FWP_E_TIMEOUT);
	EXPECT_EQ(add_filter(other, 5, &id), FWP_E_TIMEOUT);
	EXPECT_EQ(FwpmProviderDeleteByKey0(other, &pk), FWP_E_TIMEOUT);
	EXPECT_EQ(FwpmTransactionBegin0(other, 0), FWP_E_TIMEOUT);
	/* A read-only one takes no lock. */
	EXPECT_EQ(FwpmTransactionBegin0(other, FWPM_TXN_READ_ONLY),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmTransactionCommit0(other), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	EXPECT_FALSE(provider_exists(self->h, 3));
	EXPECT_EQ(add_provider(other, 3), ERROR_SUCCESS);
	FwpmEngineClose0(other);
}

struct waiter {
	HANDLE h;
	DWORD rc;
	volatile bool done;
};

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;

	w->rc = add_provider(w->h, 3);
	w->done = true;
	return NULL;
}

TEST_F(txn, other_session_proceeds_after_commit)
{
	struct waiter w = { .h = engine_wait(0, 0xFFFFFFFF) };
	pthread_t th;

	ASSERT_NE(w.h, NULL);
	ASSERT_EQ(FwpmTransactionBegin0(self->h, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(pthread_create(&th, NULL, waiter_run, &w), 0);
	usleep(300 * 1000);
	EXPECT_FALSE(w.done);
	EXPECT_FALSE(provider_exists(self->h, 3));
	ASSERT_EQ(FwpmTransactionCommit0(self->h), ERROR_SUCCESS);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	EXPECT_EQ(w.rc, ERROR_SUCCESS);
	EXPECT_TRUE(provider_exists(self->h, 3));
	FwpmEngineClose0(w.h);
}

TEST_F(txn, dynamic_session_abort)
{
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	UINT64 id = 0;

	ASSERT_NE(dyn, NULL);
	ASSERT_EQ(add_provider(self->h, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(add_sublayer(self->h, KEY_SUBL, KEY_PROV), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionBegin0(dyn, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(dyn, 6, &id), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), self->sp0 + 1);
	ASSERT_EQ(FwpmTransactionAbort0(dyn), ERROR_SUCCESS);
	EXPECT_FALSE(filter_exists(self->h, id));
	EXPECT_EQ(sp_count(-1), self->sp0);
	/* Committed, its filter is the session's and goes at its close. */
	ASSERT_EQ(FwpmTransactionBegin0(dyn, 0), ERROR_SUCCESS);
	ASSERT_EQ(add_filter(dyn, 6, &id), ERROR_SUCCESS);
	ASSERT_EQ(FwpmTransactionCommit0(dyn), ERROR_SUCCESS);
	EXPECT_TRUE(filter_exists(self->h, id));
	FwpmEngineClose0(dyn);
	EXPECT_FALSE(filter_exists(self->h, id));
	EXPECT_EQ(sp_count(-1), self->sp0);
}

/* Grants to uid 0 (rights.rst): read-only transactions only. */
static int set_grant(int fd, __u32 rights)
{
	struct wfp_ipsec_rights r;

	if (rights)
		wfp_one_grant(&r, WFP_IPSEC_GRANT_USER, 0, rights);
	else
		memset(&r, 0, sizeof(r));
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_SET, &r);
}

/*
 * Without CAP_NET_ADMIN, with (arg non-NULL) or without the grant of
 * read-only transactions: the exit code says what failed.
 */
static int rights_child(void *arg)
{
	DWORD ro = arg ? ERROR_SUCCESS : ERROR_ACCESS_DENIED;
	HANDLE h;

	if (drop_cap_net_admin())
		return 100;
	h = engine(0);
	if (!h)
		return 101;
	if (FwpmTransactionBegin0(h, 0) != ERROR_ACCESS_DENIED)
		return 1;
	if (FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY) != ro)
		return 2;
	if (FwpmTransactionCommit0(h) !=
	    (arg ? ERROR_SUCCESS : FWP_E_NO_TXN_IN_PROGRESS))
		return 3;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(txn, rights_denied)
{
	EXPECT_EQ(run_in_child(rights_child, NULL), 0);
	ASSERT_EQ(set_grant(self->fd, WFP_IPSEC_RIGHT_BEGIN_READ_TXN), 0);
	EXPECT_EQ(run_in_child(rights_child, self), 0);
	EXPECT_EQ(set_grant(self->fd, 0), 0);
}

TEST_HARNESS_MAIN
