// SPDX-License-Identifier: GPL-2.0
/*
 * Provider contexts (FwpmProviderContext*), end to end: each accepted
 * type through the library and the module and back, field for field;
 * runtime ids, lookups and deletes by key and by id, the provider they
 * hold, the library's and the module's checks, enumeration, namespaces
 * and rights.
 */
#include <sched.h>
#include <stdbool.h>
#include <wchar.h>
#include <fwpmu.h>
#include <wfpipsec.h>
#include "wfp_test.h"

#define PCTX	WFP_IPSEC_OBJ_PROVIDER_CONTEXT
#define POL_LEN	sizeof(struct wfp_ipsec_pctx_policy)

/* Keys of this program's objects: the last byte tells them apart. */
#define KEY_FAMILY	0x5eedc0de
#define test_key(n)	wfp_test_key(KEY_FAMILY, n)

static char name[] = "pctx \xc3\xa9";
static char desc[] = "a provider context";
static __u8 blob[] = { 0xde, 0xad, 0x00, 0xbe, 0xef };

/* A policy: the head the module parses, then bytes it keeps verbatim. */
struct policy {
	struct wfp_ipsec_pctx_policy head;
	__u8 body[40];
};

static struct policy policy_of(__u32 ctx_type, __u32 version)
{
	struct policy p;
	int i;

	memset(&p, 0, sizeof(p));
	p.head.ctx_type = ctx_type;
	for (i = 0; i < (int)sizeof(p.body); i++)
		p.body[i] = (__u8)(0xa0 + i);
	if (ctx_type != WFP_IPSEC_PCTX_IKE_QM_TUNNEL)
		return p;
	p.head.ip_version = version;
	if (version == WFP_IPSEC_PCTX_IP_V4) {
		memcpy(p.head.local, "\xc0\xa8\x01\x01", 4);
		memcpy(p.head.remote, "\xc0\xa8\x02\x02", 4);
	} else {
		for (i = 0; i < 16; i++) {
			p.head.local[i] = (__u8)(0x20 + i);
			p.head.remote[i] = (__u8)(0x40 + i);
		}
	}
	return p;
}

static void pctx_req(struct wfp_ipsec_obj *o, UINT8 n, struct policy *pol)
{
	GUID key = test_key(n);

	memset(o, 0, sizeof(*o));
	o->type = PCTX;
	memcpy(o->key, &key, sizeof(o->key));
	o->name = (__u64)(uintptr_t)name;
	o->name_len = sizeof(name) - 1;
	o->desc = (__u64)(uintptr_t)desc;
	o->desc_len = sizeof(desc) - 1;
	o->data = (__u64)(uintptr_t)blob;
	o->data_len = sizeof(blob);
	o->policy = (__u64)(uintptr_t)pol;
	o->policy_len = sizeof(*pol);
}

/* Room for every field of a GET. */
struct got {
	struct wfp_ipsec_obj o;
	char name[WFP_IPSEC_OBJ_NAME_MAX];
	char desc[WFP_IPSEC_OBJ_DESC_MAX];
	__u8 data[WFP_IPSEC_OBJ_DATA_MAX];
	__u8 pol[WFP_IPSEC_OBJ_POLICY_MAX];
};

/* A GET request in g, by key n or by id when id is not zero. */
static void got_req(struct got *g, UINT8 n, __u64 id)
{
	GUID key = test_key(n);

	memset(g, 0, sizeof(*g));
	g->o.type = PCTX;
	if (id)
		g->o.id = id;
	else
		memcpy(g->o.key, &key, sizeof(g->o.key));
	g->o.name = (__u64)(uintptr_t)g->name;
	g->o.name_len = sizeof(g->name);
	g->o.desc = (__u64)(uintptr_t)g->desc;
	g->o.desc_len = sizeof(g->desc);
	g->o.data = (__u64)(uintptr_t)g->data;
	g->o.data_len = sizeof(g->data);
	g->o.policy = (__u64)(uintptr_t)g->pol;
	g->o.policy_len = sizeof(g->pol);
}

static int got_ioctl(int fd, struct got *g)
{
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_OBJ_GET, &g->o);
}

/* GET by key n, or by id when id is not zero; -errno. */
static int pctx_get(int fd, UINT8 n, __u64 id, struct got *g)
{
	got_req(g, n, id);
	return got_ioctl(fd, g);
}

/* DELETE by key n, or by id when id is not zero; -errno. */
static int pctx_delete(int fd, UINT8 n, __u64 id)
{
	GUID key = test_key(n);

	return wfp_obj_delete(fd, PCTX, id ? NULL : &key, id);
}

static int pctx_add(int fd, struct wfp_ipsec_obj *o)
{
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_OBJ_ADD, o);
}

/* ADD of context n with pol, o the request; -errno. */
static int pctx_new(int fd, struct wfp_ipsec_obj *o, UINT8 n,
		    struct policy *pol)
{
	pctx_req(o, n, pol);
	return pctx_add(fd, o);
}

static int engine_fd(HANDLE h)
{
	int fd = -1;

	if (!h || WfpIpsecEngineGetFd(h, &fd))
		return -1;
	return fd;
}

FIXTURE(pctx) {
	HANDLE h;
	int fd;
	long refcnt0;
	long count0;
};

FIXTURE_SETUP(pctx)
{
	self->refcnt0 = wfp_module_refcnt();
	wfp_engine_open(_metadata, &self->h, &self->fd);
	self->count0 = wfp_obj_count(self->fd, PCTX);
	ASSERT_GE(self->count0, 0);
}

/* Every test leaves the namespace as it found it, and no session open. */
FIXTURE_TEARDOWN(pctx)
{
	int i;

	for (i = 0; i < 32; i++)
		pctx_delete(self->fd, i, 0);
	wfp_test_keys_delete(self->h, KEY_FAMILY, 32);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0);
	FwpmEngineClose0(self->h);
	if (self->refcnt0 >= 0)
		EXPECT_EQ(wfp_module_refcnt(), self->refcnt0);
}

/*
 * Adds context n of policy_of(ctx_type, version), compares every field
 * of GET by key and by id.
 */
static void round_trip(struct __test_metadata *_metadata, int fd, UINT8 n,
		       __u32 ctx_type, __u32 version, GUID *provider)
{
	struct policy pol = policy_of(ctx_type, version);
	struct wfp_ipsec_obj o;
	static struct got g, gi;
	GUID key = test_key(n);

	pctx_req(&o, n, &pol);
	o.flags = WFP_IPSEC_OBJ_F_PERSISTENT | WFP_IPSEC_OBJ_F_DOWNLEVEL;
	if (provider) {
		o.has_provider = 1;
		memcpy(o.provider_key, provider, sizeof(o.provider_key));
	}
	ASSERT_EQ(pctx_add(fd, &o), 0);
	ASSERT_NE(o.id, 0);
	EXPECT_EQ(memcmp(o.key, &key, sizeof(key)), 0);

	ASSERT_EQ(pctx_get(fd, n, 0, &g), 0);
	ASSERT_EQ(pctx_get(fd, 0, o.id, &gi), 0);
	/* By id: the same answer (the pointers in .o differ). */
	EXPECT_EQ(memcmp(g.name, gi.name, sizeof(g) - offsetof(struct got, name)),
		  0);
	EXPECT_EQ(memcmp(gi.o.key, &key, sizeof(key)), 0);
	EXPECT_EQ(gi.o.policy_len, sizeof(pol));
	EXPECT_EQ(g.o.id, o.id);
	EXPECT_EQ(memcmp(g.o.key, &key, sizeof(key)), 0);
	EXPECT_EQ(g.o.flags, o.flags);
	EXPECT_EQ(g.o.has_provider, o.has_provider);
	EXPECT_EQ(memcmp(g.o.provider_key, o.provider_key,
			 sizeof(o.provider_key)), 0);
	EXPECT_EQ(g.o.weight, 0);
	ASSERT_EQ(g.o.name_len, o.name_len);
	EXPECT_EQ(memcmp(g.name, name, o.name_len), 0);
	ASSERT_EQ(g.o.desc_len, o.desc_len);
	EXPECT_EQ(memcmp(g.desc, desc, o.desc_len), 0);
	ASSERT_EQ(g.o.data_len, sizeof(blob));
	EXPECT_EQ(memcmp(g.data, blob, sizeof(blob)), 0);
	ASSERT_EQ(g.o.policy_len, sizeof(pol));
	EXPECT_EQ(memcmp(g.pol, &pol, sizeof(pol)), 0);
}

TEST_F(pctx, tunnel_v4_round_trip)
{
	round_trip(_metadata, self->fd, 1, WFP_IPSEC_PCTX_IKE_QM_TUNNEL,
		   WFP_IPSEC_PCTX_IP_V4, NULL);
}

TEST_F(pctx, tunnel_v6_round_trip)
{
	GUID pk = test_key(20);

	ASSERT_EQ(provider_add_key(self->h, pk), ERROR_SUCCESS);
	round_trip(_metadata, self->fd, 2, WFP_IPSEC_PCTX_IKE_QM_TUNNEL,
		   WFP_IPSEC_PCTX_IP_V6, &pk);
}

TEST_F(pctx, transport_round_trip)
{
	round_trip(_metadata, self->fd, 3, WFP_IPSEC_PCTX_IKE_QM_TRANSPORT, 0,
		   NULL);
}

TEST_F(pctx, keying_round_trip)
{
	round_trip(_metadata, self->fd, 4, WFP_IPSEC_PCTX_KEYING, 0, NULL);
}

TEST_F(pctx, delete_by_id_and_key)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	struct wfp_ipsec_obj a, b;
	static struct got g;

	ASSERT_EQ(pctx_new(self->fd, &a, 5, &pol), 0);
	ASSERT_EQ(pctx_new(self->fd, &b, 6, &pol), 0);
	EXPECT_NE(a.id, b.id);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0 + 2);

	EXPECT_EQ(pctx_delete(self->fd, 0, a.id), 0);
	EXPECT_EQ(pctx_get(self->fd, 5, 0, &g), -ENOENT);
	EXPECT_EQ(pctx_get(self->fd, 0, a.id, &g), -ENOENT);
	EXPECT_EQ(pctx_delete(self->fd, 0, a.id), -ENOENT);
	EXPECT_EQ(pctx_get(self->fd, 0, b.id, &g), 0);

	EXPECT_EQ(pctx_delete(self->fd, 6, 0), 0);
	EXPECT_EQ(pctx_get(self->fd, 0, b.id, &g), -ENOENT);
	EXPECT_EQ(pctx_delete(self->fd, 6, 0), -ENOENT);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0);
}

TEST_F(pctx, ids_never_reused)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	struct wfp_ipsec_obj o;
	static struct got g;
	__u64 first;

	ASSERT_EQ(pctx_new(self->fd, &o, 7, &pol), 0);
	first = o.id;
	ASSERT_EQ(pctx_delete(self->fd, 7, 0), 0);
	ASSERT_EQ(pctx_new(self->fd, &o, 7, &pol), 0);
	EXPECT_NE(o.id, first);
	EXPECT_EQ(pctx_get(self->fd, 0, first, &g), -ENOENT);
}

TEST_F(pctx, duplicate_and_unknown)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_IKE_QM_TUNNEL,
				      WFP_IPSEC_PCTX_IP_V4);
	struct wfp_ipsec_obj o;
	static struct got g;
	GUID pk = test_key(21);

	ASSERT_EQ(pctx_new(self->fd, &o, 8, &pol), 0);
	EXPECT_EQ(pctx_new(self->fd, &o, 8, &pol), -EEXIST);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0 + 1);

	EXPECT_EQ(pctx_get(self->fd, 9, 0, &g), -ENOENT);
	EXPECT_EQ(pctx_delete(self->fd, 9, 0), -ENOENT);
	EXPECT_EQ(pctx_get(self->fd, 0, ~0ULL, &g), -ENOENT);
	EXPECT_EQ(pctx_delete(self->fd, 0, ~0ULL), -ENOENT);
	/* No key and no id names nothing. */
	EXPECT_EQ(pctx_get(self->fd, 0, 0, &g), -ENOENT);

	/* A provider that does not exist. */
	pctx_req(&o, 9, &pol);
	o.has_provider = 1;
	memcpy(o.provider_key, &pk, sizeof(pk));
	EXPECT_EQ(pctx_add(self->fd, &o), -ENXIO);
}

TEST_F(pctx, zero_key_generated)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	struct wfp_ipsec_obj o;
	static struct got g;

	pctx_req(&o, 0, &pol);
	memset(o.key, 0, sizeof(o.key));
	ASSERT_EQ(pctx_add(self->fd, &o), 0);
	/* A random GUID: version 4 in Data3's top nibble (little-endian). */
	EXPECT_EQ(o.key[7] & 0xf0, 0x40);
	ASSERT_EQ(pctx_get(self->fd, 0, o.id, &g), 0);
	EXPECT_EQ(memcmp(g.o.key, o.key, sizeof(o.key)), 0);
	EXPECT_EQ(pctx_delete(self->fd, 0, o.id), 0);
}

TEST_F(pctx, provider_in_use)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_IKE_QM_TRANSPORT, 0);
	struct wfp_ipsec_obj o;
	GUID pk = test_key(22);

	ASSERT_EQ(provider_add_key(self->h, pk), ERROR_SUCCESS);
	pctx_req(&o, 10, &pol);
	o.has_provider = 1;
	memcpy(o.provider_key, &pk, sizeof(pk));
	ASSERT_EQ(pctx_add(self->fd, &o), 0);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pk), FWP_E_IN_USE);
	EXPECT_EQ(pctx_delete(self->fd, 0, o.id), 0);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pk), ERROR_SUCCESS);
}

/* ADD of context 11 with pol, whose head set() changes; -errno. */
static int add_with(int fd, void (*set)(struct policy *), __u32 ctx_type,
		    __u32 version)
{
	struct policy pol = policy_of(ctx_type, version);
	struct wfp_ipsec_obj o;

	set(&pol);
	return pctx_new(fd, &o, 11, &pol);
}

static void no_change(struct policy *p) { (void)p; }
static void type_max(struct policy *p) { p->head.ctx_type = 13; }
static void type_mm(struct policy *p) { p->head.ctx_type = 5; }
static void type_authip(struct policy *p) { p->head.ctx_type = 4; }
static void version_none(struct policy *p) { p->head.ip_version = 2; }
static void local_zero(struct policy *p) { memset(p->head.local, 0, 16); }
static void remote_zero(struct policy *p) { memset(p->head.remote, 0, 16); }
static void v4_tail(struct policy *p) { p->head.local[4] = 1; }
static void v4_in_tail(struct policy *p)
{
	memset(p->head.remote, 0, 4);
	p->head.remote[15] = 1;
}
static void reserved(struct policy *p) { p->head.reserved = 1; }
static void version_set(struct policy *p) { p->head.ip_version = 1; }
static void local_set(struct policy *p) { p->head.local[0] = 1; }
static void remote_set(struct policy *p) { p->head.remote[15] = 1; }

TEST_F(pctx, ioctl_policy_checks)
{
	const __u32 tun = WFP_IPSEC_PCTX_IKE_QM_TUNNEL, v4 = 0, v6 = 1;
	const __u32 tra = WFP_IPSEC_PCTX_IKE_QM_TRANSPORT;
	const __u32 key = WFP_IPSEC_PCTX_KEYING;
	int fd = self->fd;

	EXPECT_EQ(add_with(fd, type_max, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, type_mm, key, 0), -EOPNOTSUPP);
	EXPECT_EQ(add_with(fd, type_authip, key, 0), -EOPNOTSUPP);
	EXPECT_EQ(add_with(fd, version_none, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, local_zero, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, remote_zero, tun, v6), -EINVAL);
	EXPECT_EQ(add_with(fd, v4_tail, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, v4_in_tail, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, reserved, tun, v4), -EINVAL);
	EXPECT_EQ(add_with(fd, version_set, tra, 0), -EINVAL);
	EXPECT_EQ(add_with(fd, local_set, tra, 0), -EINVAL);
	EXPECT_EQ(add_with(fd, remote_set, key, 0), -EINVAL);
	EXPECT_EQ(wfp_obj_count(fd, PCTX), self->count0);
	/* The checks can pass. */
	EXPECT_EQ(add_with(fd, no_change, tun, v6), 0);
	EXPECT_EQ(wfp_obj_count(fd, PCTX), self->count0 + 1);
}

TEST_F(pctx, ioctl_add_checks)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	static __u8 big[WFP_IPSEC_OBJ_POLICY_MAX + 1];
	struct wfp_ipsec_obj o;

	pctx_req(&o, 12, &pol);
	o.policy_len = POL_LEN - 1;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.policy_len = 0;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	memcpy(big, &pol, sizeof(pol));
	pctx_req(&o, 12, &pol);
	o.policy = (__u64)(uintptr_t)big;
	o.policy_len = sizeof(big);
	EXPECT_EQ(pctx_add(self->fd, &o), -E2BIG);
	pctx_req(&o, 12, &pol);
	o.id = 1;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.weight = 1;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.flags = 4;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.reserved[0] = 1;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.has_provider = 2;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	pctx_req(&o, 12, &pol);
	o.name_len = 0;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0);
	/* The policy is bytes, NULs included, at its longest too. */
	pctx_req(&o, 12, &pol);
	o.policy = (__u64)(uintptr_t)big;
	o.policy_len = WFP_IPSEC_OBJ_POLICY_MAX;
	EXPECT_EQ(pctx_add(self->fd, &o), 0);
}

/* DOWNLEVEL and an id belong to provider contexts only. */
TEST_F(pctx, ioctl_other_types_refuse_pctx_fields)
{
	struct wfp_ipsec_obj_key k;
	struct wfp_ipsec_obj o;
	static char n[] = "x";
	GUID key = test_key(23);

	memset(&o, 0, sizeof(o));
	o.type = WFP_IPSEC_OBJ_PROVIDER;
	memcpy(o.key, &key, sizeof(o.key));
	o.name = (__u64)(uintptr_t)n;
	o.name_len = 1;
	o.flags = WFP_IPSEC_OBJ_F_DOWNLEVEL;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	o.flags = 0;
	o.id = 1;
	EXPECT_EQ(pctx_add(self->fd, &o), -EINVAL);
	o.id = 0;
	ASSERT_EQ(pctx_add(self->fd, &o), 0);
	EXPECT_EQ(o.id, 0);

	memset(&k, 0, sizeof(k));
	k.type = WFP_IPSEC_OBJ_PROVIDER;
	k.id = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -EINVAL);
	/* A key and an id at once. */
	k.type = PCTX;
	memcpy(k.key, &key, sizeof(k.key));
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -EINVAL);
}

TEST_F(pctx, ioctl_get_checks)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_IKE_QM_TUNNEL,
				      WFP_IPSEC_PCTX_IP_V6);
	struct wfp_ipsec_obj o;
	static struct got g;

	ASSERT_EQ(pctx_new(self->fd, &o, 13, &pol), 0);
	/* A key and an id at once. */
	got_req(&g, 13, 0);
	g.o.id = o.id;
	EXPECT_EQ(got_ioctl(self->fd, &g), -EINVAL);
	/* Too little room for the policy: nothing written. */
	got_req(&g, 0, o.id);
	g.o.policy_len = sizeof(pol) - 1;
	EXPECT_EQ(got_ioctl(self->fd, &g), -ERANGE);
	EXPECT_EQ(g.pol[0], 0);
}

TEST_F(pctx, enum_keys)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	__u8 keys[4][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e;
	struct wfp_ipsec_obj o;
	int i, seen = 0;
	GUID k;

	for (i = 14; i < 17; i++) {
		ASSERT_EQ(pctx_new(self->fd, &o, i, &pol), 0);
	}
	memset(&e, 0, sizeof(e));
	e.type = PCTX;
	e.keys = (__u64)(uintptr_t)keys;
	e.max_entries = 1;
	/* A page of one at a time, each key once. */
	for (;;) {
		e.count = 0;
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e),
			  0);
		if (!e.count)
			break;
		for (i = 14; i < 17; i++) {
			k = test_key(i);
			seen += !memcmp(keys[0], &k, sizeof(k));
		}
	}
	EXPECT_EQ(seen, 3);
}

TEST_F(pctx, dynamic_session_owns_its_contexts)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	int fd = engine_fd(dyn);
	struct wfp_ipsec_obj o;
	static struct got g;
	__u64 dyn_id;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pctx_new(fd, &o, 17, &pol), 0);
	dyn_id = o.id;
	ASSERT_EQ(pctx_new(self->fd, &o, 18, &pol), 0);
	EXPECT_EQ(pctx_get(fd, 0, o.id, &g), 0);
	/* A dynamic session deletes no static object... */
	EXPECT_EQ(pctx_delete(fd, 0, o.id), -EPERM);
	EXPECT_EQ(pctx_get(self->fd, 0, dyn_id, &g), 0);
	/* ...and its own go with it. */
	FwpmEngineClose0(dyn);
	EXPECT_EQ(pctx_get(self->fd, 0, dyn_id, &g), -ENOENT);
	EXPECT_EQ(pctx_get(self->fd, 0, o.id, &g), 0);
}

/* In a new namespace: none of the test's contexts, by key or by id. */
static int foreign_ns(void *arg)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	FWPM_PROVIDER_CONTEXT0 *c = NULL;
	__u64 id = *(__u64 *)arg;
	struct wfp_ipsec_obj o;
	static struct got g;
	HANDLE h;
	int fd;

	if (unshare(CLONE_NEWNET))
		return 100;
	h = engine(0);
	fd = engine_fd(h);
	if (fd < 0)
		return 101;
	if (pctx_get(fd, 18, 0, &g) != -ENOENT ||
	    pctx_get(fd, 0, id, &g) != -ENOENT)
		return 1;
	if (pctx_delete(fd, 18, 0) != -ENOENT ||
	    pctx_delete(fd, 0, id) != -ENOENT)
		return 2;
	if (wfp_obj_count(fd, PCTX) != 0)
		return 3;
	if (FwpmProviderContextGetById0(h, id, &c) !=
	    FWP_E_PROVIDER_CONTEXT_NOT_FOUND)
		return 5;
	/* The same key is free here; what is left goes with the namespace. */
	if (pctx_new(fd, &o, 18, &pol))
		return 4;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(pctx, foreign_namespace_invisible)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_IKE_QM_TUNNEL,
				      WFP_IPSEC_PCTX_IP_V4);
	struct wfp_ipsec_obj o;
	static struct got g;

	ASSERT_EQ(pctx_new(self->fd, &o, 18, &pol), 0);
	EXPECT_EQ(run_in_child(foreign_ns, &o.id), 0);
	ASSERT_EQ(pctx_get(self->fd, 0, o.id, &g), 0);
	EXPECT_EQ(memcmp(g.pol, &pol, sizeof(pol)), 0);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0 + 1);
}

/* Without CAP_NET_ADMIN or grants: every command is EACCES. */
static int no_rights(void *arg)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	FWPM_PROVIDER_CONTEXT0 *c = NULL;
	__u64 id = *(__u64 *)arg;
	struct wfp_ipsec_obj o;
	static struct got g;
	int fd;

	if (drop_cap_net_admin())
		return 100;
	fd = engine_fd(engine(0));
	if (fd < 0)
		return 101;
	if (pctx_new(fd, &o, 20, &pol) != -EACCES)
		return 1;
	if (pctx_get(fd, 19, 0, &g) != -EACCES ||
	    pctx_get(fd, 0, id, &g) != -EACCES)
		return 2;
	if (FwpmProviderContextGetById0(engine(0), id, &c) !=
	    ERROR_ACCESS_DENIED)
		return 5;
	if (pctx_delete(fd, 19, 0) != -EACCES ||
	    pctx_delete(fd, 0, id) != -EACCES)
		return 3;
	if (wfp_obj_count(fd, PCTX) != -EACCES)
		return 4;
	return 0;
}

TEST_F(pctx, rights_denied)
{
	struct policy pol = policy_of(WFP_IPSEC_PCTX_KEYING, 0);
	struct wfp_ipsec_obj o;

	ASSERT_EQ(pctx_new(self->fd, &o, 19, &pol), 0);
	EXPECT_EQ(run_in_child(no_rights, &o.id), 0);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0 + 1);
}

TEST_F(pctx, feature_reported)
{
	EXPECT_NE(wfp_features(_metadata) & WFP_IPSEC_FEAT_PROVIDER_CONTEXTS,
		  0);
}

/* ---- through the library ---- */

static GUID mod_a = { 0xc0de0001, 1, 2, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static GUID mod_b = { 0xc0de0002, 3, 4, { 8, 7, 6, 5, 4, 3, 2, 1 } };

/* Two proposals: AH with ESP (auth and cipher), then ESP cipher only. */
static IPSEC_AUTH_TRANSFORM0 ah = { { IPSEC_AUTH_SHA_256,
				      IPSEC_AUTH_CONFIG_HMAC_SHA_256_128 },
				    &mod_a };
static IPSEC_AUTH_AND_CIPHER_TRANSFORM0 esp_ac = {
	{ { IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 }, NULL },
	{ { IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128 },
	  &mod_b },
};
static IPSEC_CIPHER_TRANSFORM0 esp_c = {
	{ IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256 }, NULL
};
static IPSEC_SA_TRANSFORM0 xf1[2], xf2[1];
static IPSEC_PROPOSAL0 props[2];

static void proposals_init(void)
{
	xf1[0].ipsecTransformType = IPSEC_TRANSFORM_AH;
	xf1[0].ahTransform = &ah;
	xf1[1].ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	xf1[1].espAuthAndCipherTransform = &esp_ac;
	xf2[0].ipsecTransformType = IPSEC_TRANSFORM_ESP_CIPHER;
	xf2[0].espCipherTransform = &esp_c;
	props[0].lifetime.lifetimeSeconds = 3600;
	props[0].lifetime.lifetimeKilobytes = 100000;
	props[0].lifetime.lifetimePackets = 7;
	props[0].numSaTransforms = 2;
	props[0].saTransforms = xf1;
	props[0].pfsGroup = IPSEC_PFS_14;
	props[1].lifetime.lifetimeSeconds = 600;
	props[1].numSaTransforms = 1;
	props[1].saTransforms = xf2;
	props[1].pfsGroup = IPSEC_PFS_NONE;
}

static bool auth_eq(const IPSEC_AUTH_TRANSFORM0 *a,
		    const IPSEC_AUTH_TRANSFORM0 *b)
{
	return a->authTransformId.authType == b->authTransformId.authType &&
	       a->authTransformId.authConfig ==
	       b->authTransformId.authConfig &&
	       !a->cryptoModuleId == !b->cryptoModuleId &&
	       (!a->cryptoModuleId ||
		!memcmp(a->cryptoModuleId, b->cryptoModuleId, 16));
}

static bool cipher_eq(const IPSEC_CIPHER_TRANSFORM0 *a,
		      const IPSEC_CIPHER_TRANSFORM0 *b)
{
	return a->cipherTransformId.cipherType ==
	       b->cipherTransformId.cipherType &&
	       a->cipherTransformId.cipherConfig ==
	       b->cipherTransformId.cipherConfig &&
	       !a->cryptoModuleId == !b->cryptoModuleId &&
	       (!a->cryptoModuleId ||
		!memcmp(a->cryptoModuleId, b->cryptoModuleId, 16));
}

static bool xform_eq(const IPSEC_SA_TRANSFORM0 *a,
		     const IPSEC_SA_TRANSFORM0 *b)
{
	if (a->ipsecTransformType != b->ipsecTransformType)
		return false;
	switch (a->ipsecTransformType) {
	case IPSEC_TRANSFORM_ESP_CIPHER:
		return cipher_eq(a->espCipherTransform, b->espCipherTransform);
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		return auth_eq(&a->espAuthAndCipherTransform->authTransform,
			       &b->espAuthAndCipherTransform->authTransform) &&
		       cipher_eq(&a->espAuthAndCipherTransform->cipherTransform,
				 &b->espAuthAndCipherTransform->cipherTransform);
	default:
		return auth_eq(a->ahTransform, b->ahTransform);
	}
}

static bool proposals_eq(UINT32 n, const IPSEC_PROPOSAL0 *a,
			 const IPSEC_PROPOSAL0 *b)
{
	UINT32 i, j;

	for (i = 0; i < n; i++) {
		if (memcmp(&a[i].lifetime, &b[i].lifetime,
			   sizeof(a[i].lifetime)) ||
		    a[i].pfsGroup != b[i].pfsGroup ||
		    a[i].numSaTransforms != b[i].numSaTransforms)
			return false;
		for (j = 0; j < a[i].numSaTransforms; j++)
			if (!xform_eq(&a[i].saTransforms[j],
				      &b[i].saTransforms[j]))
				return false;
	}
	return true;
}

static FWPM_PROVIDER_CONTEXT0 lib_ctx(UINT8 n, FWPM_PROVIDER_CONTEXT_TYPE type,
				      void *policy)
{
	FWPM_PROVIDER_CONTEXT0 c;

	memset(&c, 0, sizeof(c));
	c.providerContextKey = test_key(n);
	c.displayData.name = L"pctx \u00e9\U0001d11e";
	c.displayData.description = L"a provider context";
	c.flags = FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT;
	c.providerData.size = sizeof(blob);
	c.providerData.data = blob;
	c.type = type;
	c.keyingPolicy = policy;
	return c;
}

/* FwpmProviderContextAdd0 without the optional arguments. */
static DWORD lib_add(HANDLE h, const FWPM_PROVIDER_CONTEXT0 *c)
{
	return FwpmProviderContextAdd0(h, c, NULL, NULL);
}

/* What every type has in common, got against what was added. */
static void common_eq(struct __test_metadata *_metadata,
		      const FWPM_PROVIDER_CONTEXT0 *c,
		      const FWPM_PROVIDER_CONTEXT0 *got, UINT64 id)
{
	EXPECT_EQ(memcmp(&got->providerContextKey, &c->providerContextKey,
			 sizeof(GUID)), 0);
	EXPECT_EQ(wcscmp(got->displayData.name, c->displayData.name), 0);
	EXPECT_EQ(wcscmp(got->displayData.description,
			 c->displayData.description), 0);
	EXPECT_EQ(got->flags, c->flags);
	EXPECT_EQ(!got->providerKey, !c->providerKey);
	if (got->providerKey && c->providerKey)
		EXPECT_EQ(memcmp(got->providerKey, c->providerKey,
				 sizeof(GUID)), 0);
	ASSERT_EQ(got->providerData.size, sizeof(blob));
	EXPECT_EQ(memcmp(got->providerData.data, blob, sizeof(blob)), 0);
	EXPECT_EQ(got->type, c->type);
	EXPECT_EQ(got->providerContextId, id);
	ASSERT_NE(got->keyingPolicy, NULL);
}

/* Adds c, gets it by key and by id: both as added, with the id. */
static void lib_round_trip(struct __test_metadata *_metadata, HANDLE h,
			   const FWPM_PROVIDER_CONTEXT0 *c,
			   FWPM_PROVIDER_CONTEXT0 **by_key,
			   FWPM_PROVIDER_CONTEXT0 **by_id)
{
	UINT64 id = 0;

	ASSERT_EQ(FwpmProviderContextAdd0(h, c, NULL, &id), ERROR_SUCCESS);
	ASSERT_NE(id, 0);
	ASSERT_EQ(FwpmProviderContextGetByKey0(h, &c->providerContextKey,
					       by_key), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderContextGetById0(h, id, by_id), ERROR_SUCCESS);
	common_eq(_metadata, c, *by_key, id);
	common_eq(_metadata, c, *by_id, id);
}

static void tunnel_eq(struct __test_metadata *_metadata,
		      const IPSEC_TUNNEL_POLICY0 *a,
		      const IPSEC_TUNNEL_POLICY0 *b)
{
	EXPECT_EQ(b->flags, a->flags);
	ASSERT_EQ(b->numIpsecProposals, a->numIpsecProposals);
	EXPECT_TRUE(proposals_eq(a->numIpsecProposals, a->ipsecProposals,
				 b->ipsecProposals));
	EXPECT_EQ(memcmp(&b->tunnelEndpoints, &a->tunnelEndpoints,
			 sizeof(a->tunnelEndpoints)), 0);
	EXPECT_EQ(memcmp(&b->saIdleTimeout, &a->saIdleTimeout,
			 sizeof(a->saIdleTimeout)), 0);
	EXPECT_EQ(b->emPolicy, NULL);
}

static IPSEC_TUNNEL_POLICY0 tunnel_policy(FWP_IP_VERSION v)
{
	IPSEC_TUNNEL_POLICY0 t;
	int i;

	proposals_init();
	memset(&t, 0, sizeof(t));
	t.flags = IPSEC_POLICY_FLAG_CLEAR_DF_ON_TUNNEL |
		  IPSEC_POLICY_FLAG_SITE_TO_SITE_TUNNEL;
	t.numIpsecProposals = 2;
	t.ipsecProposals = props;
	t.tunnelEndpoints.ipVersion = v;
	if (v == FWP_IP_VERSION_V4) {
		t.tunnelEndpoints.localV4Address = 0xc0a80101;
		t.tunnelEndpoints.remoteV4Address = 0xc0a80202;
	} else {
		for (i = 0; i < 16; i++) {
			t.tunnelEndpoints.localV6Address[i] = 0x20 + i;
			t.tunnelEndpoints.remoteV6Address[i] = 0x40 + i;
		}
	}
	t.saIdleTimeout.idleTimeoutSeconds = 300;
	t.saIdleTimeout.idleTimeoutSecondsFailOver = 60;
	return t;
}

TEST_F(pctx, lib_tunnel_v4_round_trip)
{
	IPSEC_TUNNEL_POLICY0 t = tunnel_policy(FWP_IP_VERSION_V4);
	FWPM_PROVIDER_CONTEXT0 c = lib_ctx(24,
					   FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT,
					   &t);
	FWPM_PROVIDER_CONTEXT0 *k = NULL, *i = NULL;
	static struct got g;

	lib_round_trip(_metadata, self->h, &c, &k, &i);
	tunnel_eq(_metadata, &t, k->ikeQmTunnelPolicy);
	tunnel_eq(_metadata, &t, i->ikeQmTunnelPolicy);
	/* The module holds the endpoints as it documents them. */
	ASSERT_EQ(pctx_get(self->fd, 24, 0, &g), 0);
	EXPECT_EQ(memcmp(g.pol + 8, "\xc0\xa8\x01\x01", 4), 0);
	EXPECT_EQ(memcmp(g.pol + 24, "\xc0\xa8\x02\x02", 4), 0);
	FwpmFreeMemory0((void **)&k);
	FwpmFreeMemory0((void **)&i);
	EXPECT_EQ(k, NULL);
}

TEST_F(pctx, lib_tunnel_v6_round_trip)
{
	IPSEC_TUNNEL_POLICY0 t = tunnel_policy(FWP_IP_VERSION_V6);
	FWPM_PROVIDER_CONTEXT0 c = lib_ctx(25,
					   FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT,
					   &t);
	FWPM_PROVIDER_CONTEXT0 *k = NULL, *i = NULL;
	static struct got g;
	GUID pk = test_key(26);
	int j;

	ASSERT_EQ(provider_add_key(self->h, pk), ERROR_SUCCESS);
	c.providerKey = &pk;
	c.flags |= FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL;
	lib_round_trip(_metadata, self->h, &c, &k, &i);
	tunnel_eq(_metadata, &t, k->ikeQmTunnelPolicy);
	tunnel_eq(_metadata, &t, i->ikeQmTunnelPolicy);
	/*
	 * The module holds network order; the endpoints, like
	 * IPSEC_TRAFFIC1's, are mirrored, so a tunnel context's traffic and
	 * its policy name the same addresses.
	 */
	ASSERT_EQ(pctx_get(self->fd, 25, 0, &g), 0);
	for (j = 0; j < 16; j++) {
		EXPECT_EQ(g.pol[8 + j], 0x20 + 15 - j);
		EXPECT_EQ(g.pol[24 + j], 0x40 + 15 - j);
	}
	FwpmFreeMemory0((void **)&k);
	FwpmFreeMemory0((void **)&i);
}

TEST_F(pctx, lib_transport_round_trip)
{
	IPSEC_TRANSPORT_POLICY0 t, *kt, *it;
	FWPM_PROVIDER_CONTEXT0 c, *k = NULL, *i = NULL;

	proposals_init();
	memset(&t, 0, sizeof(t));
	t.numIpsecProposals = 2;
	t.ipsecProposals = props;
	t.flags = IPSEC_POLICY_FLAG_ND_SECURE;
	t.ndAllowClearTimeoutSeconds = 45;
	t.saIdleTimeout.idleTimeoutSeconds = 120;
	t.saIdleTimeout.idleTimeoutSecondsFailOver = 30;
	c = lib_ctx(27, FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, &t);
	lib_round_trip(_metadata, self->h, &c, &k, &i);
	kt = k->ikeQmTransportPolicy;
	it = i->ikeQmTransportPolicy;
	ASSERT_EQ(kt->numIpsecProposals, 2);
	EXPECT_TRUE(proposals_eq(2, props, kt->ipsecProposals));
	EXPECT_TRUE(proposals_eq(2, props, it->ipsecProposals));
	EXPECT_EQ(kt->flags, t.flags);
	EXPECT_EQ(kt->ndAllowClearTimeoutSeconds, 45);
	EXPECT_EQ(kt->saIdleTimeout.idleTimeoutSeconds, 120);
	EXPECT_EQ(kt->saIdleTimeout.idleTimeoutSecondsFailOver, 30);
	EXPECT_EQ(kt->emPolicy, NULL);
	FwpmFreeMemory0((void **)&k);
	FwpmFreeMemory0((void **)&i);
}

TEST_F(pctx, lib_keying_round_trip)
{
	GUID mods[2] = { mod_a, mod_b };
	IPSEC_KEYING_POLICY0 kp = { 2, mods };
	FWPM_PROVIDER_CONTEXT0 c = lib_ctx(28, FWPM_IPSEC_KEYING_CONTEXT, &kp);
	FWPM_PROVIDER_CONTEXT0 *k = NULL, *i = NULL;

	c.displayData.description = NULL;
	c.providerData.size = 0;
	c.providerData.data = NULL;
	ASSERT_EQ(lib_add(self->h, &c), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderContextGetByKey0(self->h, &c.providerContextKey,
					       &k), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderContextGetById0(self->h, k->providerContextId,
					      &i), ERROR_SUCCESS);
	EXPECT_EQ(k->displayData.description, NULL);
	EXPECT_EQ(k->providerData.size, 0);
	EXPECT_EQ(k->type, FWPM_IPSEC_KEYING_CONTEXT);
	ASSERT_NE(k->keyingPolicy, NULL);
	ASSERT_EQ(k->keyingPolicy->numKeyMods, 2);
	EXPECT_EQ(memcmp(k->keyingPolicy->keyModKeys, mods, sizeof(mods)), 0);
	EXPECT_EQ(memcmp(i->keyingPolicy->keyModKeys, mods, sizeof(mods)), 0);
	FwpmFreeMemory0((void **)&k);
	FwpmFreeMemory0((void **)&i);
}

TEST_F(pctx, lib_get_delete_codes)
{
	GUID mods[1] = { mod_a };
	IPSEC_KEYING_POLICY0 kp = { 1, mods };
	FWPM_PROVIDER_CONTEXT0 c = lib_ctx(29, FWPM_IPSEC_KEYING_CONTEXT, &kp);
	FWPM_PROVIDER_CONTEXT0 *got = NULL;
	GUID key = c.providerContextKey, pk = test_key(30);
	UINT64 id = 0;

	ASSERT_EQ(FwpmProviderContextAdd0(self->h, &c, NULL, &id),
		  ERROR_SUCCESS);
	EXPECT_EQ(lib_add(self->h, &c), FWP_E_ALREADY_EXISTS);
	EXPECT_EQ(FwpmProviderContextDeleteById0(self->h, id),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderContextGetById0(self->h, id, &got),
		  FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	EXPECT_EQ(FwpmProviderContextGetByKey0(self->h, &key, &got),
		  FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	EXPECT_EQ(FwpmProviderContextDeleteById0(self->h, id),
		  FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	EXPECT_EQ(FwpmProviderContextDeleteByKey0(self->h, &key),
		  FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	EXPECT_EQ(got, NULL);

	/* By key; a provider held meanwhile. */
	ASSERT_EQ(provider_add_key(self->h, pk), ERROR_SUCCESS);
	c.providerKey = &pk;
	ASSERT_EQ(FwpmProviderContextAdd0(self->h, &c, NULL, &id),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pk), FWP_E_IN_USE);
	EXPECT_EQ(FwpmProviderContextDeleteByKey0(self->h, &key),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pk), ERROR_SUCCESS);
	/* Its provider gone: FWP_E_PROVIDER_NOT_FOUND. */
	EXPECT_EQ(FwpmProviderContextAdd0(self->h, &c, NULL, &id),
		  FWP_E_PROVIDER_NOT_FOUND);
}

/* Bad input the library refuses, one case each, before the module. */
TEST_F(pctx, lib_bad_input)
{
	IPSEC_TUNNEL_POLICY0 t = tunnel_policy(FWP_IP_VERSION_V4), bt;
	FWPM_PROVIDER_CONTEXT0 c = lib_ctx(31,
					   FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT,
					   &t);
	IPSEC_PROPOSAL0 bp[2];
	IPSEC_SA_TRANSFORM0 bx[1];
	IPSEC_KEYING_POLICY0 kp = { 0, NULL };
	FWPM_PROVIDER_CONTEXT0 b, *got = NULL;
	HANDLE h = self->h;

	EXPECT_EQ(lib_add(h, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderContextGetByKey0(h, NULL, &got),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderContextGetById0(h, 1, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderContextDeleteByKey0(h, NULL),
		  FWP_E_NULL_POINTER);
	b = c;
	b.displayData.name = NULL;
	EXPECT_EQ(lib_add(h, &b), FWP_E_NULL_DISPLAY_NAME);
	b = c;
	b.flags = 4;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_FLAGS);
	b = c;
	b.type = FWPM_PROVIDER_CONTEXT_TYPE_MAX;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_ENUMERATOR);
	b = c;
	b.type = FWPM_IPSEC_IKE_MM_CONTEXT;
	EXPECT_EQ(lib_add(h, &b), ERROR_NOT_SUPPORTED);
	b = c;
	b.ikeQmTunnelPolicy = NULL;
	EXPECT_EQ(lib_add(h, &b), FWP_E_NULL_POINTER);
	bt = t;
	bt.numIpsecProposals = 0;
	b.ikeQmTunnelPolicy = &bt;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_PARAMETER);
	bt = t;
	bt.ipsecProposals = NULL;
	EXPECT_EQ(lib_add(h, &b), FWP_E_NULL_POINTER);
	bt = t;
	bt.tunnelEndpoints.ipVersion = FWP_IP_VERSION_NONE;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_PARAMETER);
	bt = t;
	bt.tunnelEndpoints.remoteV4Address = 0;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_PARAMETER);
	bt = t;
	bt.emPolicy = (IKEEXT_EM_POLICY0 *)&bt;
	EXPECT_EQ(lib_add(h, &b), FWP_E_EM_NOT_SUPPORTED);
	bt = t;
	bt.ipsecProposals = bp;
	memcpy(bp, props, sizeof(bp));
	bp[1].numSaTransforms = 3;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_PARAMETER);
	memcpy(bp, props, sizeof(bp));
	bp[1].pfsGroup = IPSEC_PFS_MAX;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_ENUMERATOR);
	memcpy(bp, props, sizeof(bp));
	bp[1].saTransforms = bx;
	bx[0] = xf2[0];
	bx[0].ipsecTransformType = IPSEC_TRANSFORM_TYPE_MAX;
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_ENUMERATOR);
	bx[0] = xf2[0];
	bx[0].espCipherTransform = NULL;
	EXPECT_EQ(lib_add(h, &b), FWP_E_NULL_POINTER);
	b = lib_ctx(31, FWPM_IPSEC_KEYING_CONTEXT, &kp);
	EXPECT_EQ(lib_add(h, &b), FWP_E_INVALID_PARAMETER);
	kp.numKeyMods = 1;
	EXPECT_EQ(lib_add(h, &b), FWP_E_NULL_POINTER);
	EXPECT_EQ(wfp_obj_count(self->fd, PCTX), self->count0);
	/* The same request, corrected, passes. */
	EXPECT_EQ(lib_add(h, &c), ERROR_SUCCESS);
}

/* A policy past WFP_IPSEC_OBJ_POLICY_MAX: FWP_E_OUT_OF_BOUNDS. */
TEST_F(pctx, lib_policy_too_big)
{
	static IPSEC_PROPOSAL0 many[200];
	IPSEC_TRANSPORT_POLICY0 t;
	FWPM_PROVIDER_CONTEXT0 c;
	int i;

	proposals_init();
	for (i = 0; i < 200; i++)
		many[i] = props[i % 2];
	memset(&t, 0, sizeof(t));
	t.numIpsecProposals = 200;
	t.ipsecProposals = many;
	c = lib_ctx(0, FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, &t);
	EXPECT_EQ(lib_add(self->h, &c), FWP_E_OUT_OF_BOUNDS);
	t.numIpsecProposals = 20;
	c.providerContextKey = test_key(0);
	EXPECT_EQ(lib_add(self->h, &c), ERROR_SUCCESS);
}

/* Each entry decoded, its policy included. */
static bool pctx_decoded(const FWPM_PROVIDER_CONTEXT0 *c)
{
	return c->keyingPolicy && c->providerContextId;
}

WFP_LIB_COUNT(lib_count, ProviderContext, FWPM_PROVIDER_CONTEXT, 1000,
	      pctx_decoded)

TEST_F(pctx, lib_enum_templates)
{
	IPSEC_TUNNEL_POLICY0 t = tunnel_policy(FWP_IP_VERSION_V4);
	GUID mods[1] = { mod_a }, pk = test_key(30);
	IPSEC_KEYING_POLICY0 kp = { 1, mods };
	FWPM_PROVIDER_CONTEXT0 c;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 tm;
	HANDLE eh = NULL;
	long all = wfp_obj_count(self->fd, PCTX);

	ASSERT_EQ(provider_add_key(self->h, pk), ERROR_SUCCESS);
	c = lib_ctx(1, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT, &t);
	ASSERT_EQ(lib_add(self->h, &c), 0);
	c = lib_ctx(2, FWPM_IPSEC_KEYING_CONTEXT, &kp);
	ASSERT_EQ(lib_add(self->h, &c), 0);
	c.providerContextKey = test_key(3);
	c.providerKey = &pk;
	ASSERT_EQ(lib_add(self->h, &c), 0);

	EXPECT_EQ(lib_count(self->h, NULL), all + 3);
	tm.providerKey = NULL;
	tm.providerContextType = FWPM_IPSEC_KEYING_CONTEXT;
	EXPECT_EQ(lib_count(self->h, &tm), 2);
	tm.providerContextType = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	EXPECT_EQ(lib_count(self->h, &tm), 1);
	tm.providerKey = &pk;
	EXPECT_EQ(lib_count(self->h, &tm), 0);
	tm.providerContextType = FWPM_IPSEC_KEYING_CONTEXT;
	EXPECT_EQ(lib_count(self->h, &tm), 1);
	tm.providerContextType = FWPM_PROVIDER_CONTEXT_TYPE_MAX;
	EXPECT_EQ(FwpmProviderContextCreateEnumHandle0(self->h, &tm, &eh),
		  FWP_E_INVALID_ENUMERATOR);
}

TEST_HARNESS_MAIN
