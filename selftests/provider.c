// SPDX-License-Identifier: GPL-2.0
/*
 * Providers and sublayers (FwpmProvider*, FwpmSubLayer*), end to end:
 * every field through the module and back, each error path, the built-in
 * sublayers, namespaces, rights, the ioctl checks and enumeration.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <wchar.h>
#include <fwpmu.h>
#include <wfpipsec.h>
#include "wfp_test.h"
#include "wfp_xfrm.h"

/* Keys of this program's objects: the last byte tells them apart. */
#define KEY_FAMILY	0x5eedf00d
#define test_key(n)	wfp_test_key(KEY_FAMILY, n)

static bool guid_eq(const GUID *a, const GUID *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static const GUID *const builtin_sublayers[] = {
	&FWPM_SUBLAYER_IPSEC_TUNNEL,
	&FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL,
	&FWPM_SUBLAYER_UNIVERSAL,
	&FWPM_SUBLAYER_IPSEC_DOSP,
	&FWPM_SUBLAYER_IPSEC_SECURITY_REALM,
};

#define NR_BUILTIN (sizeof(builtin_sublayers) / sizeof(builtin_sublayers[0]))

static UINT8 blob[] = { 0xde, 0xad, 0x00, 0xbe, 0xef };

static FWPM_PROVIDER0 provider_of(GUID key)
{
	FWPM_PROVIDER0 p;

	memset(&p, 0, sizeof(p));
	p.providerKey = key;
	p.displayData.name = L"wfp-ipsec test provider \u00e9\U0001d11e";
	p.displayData.description = L"a description";
	p.flags = FWPM_PROVIDER_FLAG_PERSISTENT;
	p.providerData.size = sizeof(blob);
	p.providerData.data = blob;
	p.serviceName = L"wfpipsec-test";
	return p;
}

static FWPM_SUBLAYER0 sublayer_of(GUID key, GUID *provider)
{
	FWPM_SUBLAYER0 s;

	memset(&s, 0, sizeof(s));
	s.subLayerKey = key;
	s.displayData.name = L"wfp-ipsec test sublayer";
	s.displayData.description = L"sublayer \u00fcber alles";
	s.flags = FWPM_SUBLAYER_FLAG_PERSISTENT;
	s.providerKey = provider;
	s.providerData.size = sizeof(blob);
	s.providerData.data = blob;
	s.weight = 0x8123;
	return s;
}

static DWORD provider_add(HANDLE h, GUID key)
{
	FWPM_PROVIDER0 p = provider_of(key);

	return FwpmProviderAdd0(h, &p, NULL);
}

static DWORD sublayer_add(HANDLE h, GUID key, GUID *provider)
{
	FWPM_SUBLAYER0 s = sublayer_of(key, provider);

	return FwpmSubLayerAdd0(h, &s, NULL);
}

/* Objects of a type the engine enumerates, or -1. */
WFP_LIB_COUNT(provider_enum_count, Provider, FWPM_PROVIDER, 100000,
	      WFP_ENTRY_ANY)
WFP_LIB_COUNT(sublayer_enum_count, SubLayer, FWPM_SUBLAYER, 100000,
	      WFP_ENTRY_ANY)

static long provider_count(HANDLE h)
{
	return provider_enum_count(h, NULL);
}

static long sublayer_count(HANDLE h, GUID *provider)
{
	FWPM_SUBLAYER_ENUM_TEMPLATE0 t = { provider };

	return sublayer_enum_count(h, &t);
}

FIXTURE(obj) {
	HANDLE h;
	int fd;
	long refcnt0;
	long providers0;
	long sublayers0;
};

FIXTURE_SETUP(obj)
{
	self->refcnt0 = wfp_module_refcnt();
	wfp_engine_open(_metadata, &self->h, &self->fd);
	self->providers0 = provider_count(self->h);
	self->sublayers0 = sublayer_count(self->h, NULL);
	ASSERT_GE(self->providers0, 0);
	ASSERT_GE(self->sublayers0, (long)NR_BUILTIN);
}

/* Every test leaves the namespace as it found it, and no session open. */
FIXTURE_TEARDOWN(obj)
{
	wfp_test_keys_delete(self->h, KEY_FAMILY, 64);
	EXPECT_EQ(provider_count(self->h), self->providers0);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0);
	FwpmEngineClose0(self->h);
	if (self->refcnt0 >= 0)
		EXPECT_EQ(wfp_module_refcnt(), self->refcnt0);
}

TEST_F(obj, provider_add_get_delete_round_trip)
{
	GUID key = test_key(1);
	FWPM_PROVIDER0 p = provider_of(key), *got = NULL;

	ASSERT_EQ(FwpmProviderAdd0(self->h, &p, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	ASSERT_NE(got, NULL);
	EXPECT_TRUE(guid_eq(&got->providerKey, &key));
	ASSERT_NE(got->displayData.name, NULL);
	EXPECT_EQ(wcscmp(got->displayData.name, p.displayData.name), 0);
	ASSERT_NE(got->displayData.description, NULL);
	EXPECT_EQ(wcscmp(got->displayData.description,
			 p.displayData.description), 0);
	EXPECT_EQ(got->flags, FWPM_PROVIDER_FLAG_PERSISTENT);
	ASSERT_EQ(got->providerData.size, sizeof(blob));
	EXPECT_EQ(memcmp(got->providerData.data, blob, sizeof(blob)), 0);
	ASSERT_NE(got->serviceName, NULL);
	EXPECT_EQ(wcscmp(got->serviceName, p.serviceName), 0);
	FwpmFreeMemory0((void **)&got);
	EXPECT_EQ(got, NULL);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 1);

	ASSERT_EQ(FwpmProviderDeleteByKey0(self->h, &key), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderGetByKey0(self->h, &key, &got),
		  FWP_E_PROVIDER_NOT_FOUND);
	EXPECT_EQ(got, NULL);
}

/* Optional members left out come back as NULL, not as empty ones. */
TEST_F(obj, provider_optional_fields_null)
{
	GUID key = test_key(2);
	FWPM_PROVIDER0 p, *got = NULL;

	memset(&p, 0, sizeof(p));
	p.providerKey = key;
	p.displayData.name = L"n";
	ASSERT_EQ(FwpmProviderAdd0(self->h, &p, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	EXPECT_EQ(wcscmp(got->displayData.name, L"n"), 0);
	EXPECT_EQ(got->displayData.description, NULL);
	EXPECT_EQ(got->serviceName, NULL);
	EXPECT_EQ(got->providerData.size, 0);
	EXPECT_EQ(got->providerData.data, NULL);
	EXPECT_EQ(got->flags, 0);
	FwpmFreeMemory0((void **)&got);
}

TEST_F(obj, provider_duplicate_already_exists)
{
	GUID key = test_key(3);

	ASSERT_EQ(provider_add(self->h, key), ERROR_SUCCESS);
	EXPECT_EQ(provider_add(self->h, key), FWP_E_ALREADY_EXISTS);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 1);
}

TEST_F(obj, provider_unknown_not_found)
{
	GUID key = test_key(4);
	FWPM_PROVIDER0 *got = NULL;

	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &key),
		  FWP_E_PROVIDER_NOT_FOUND);
	EXPECT_EQ(FwpmProviderGetByKey0(self->h, &key, &got),
		  FWP_E_PROVIDER_NOT_FOUND);
	EXPECT_EQ(got, NULL);
}

/* GUID_NULL asks the engine to choose a key; the object is then found. */
TEST_F(obj, provider_null_key_generated)
{
	FWPM_PROVIDER0 p = provider_of(GUID_NULL), **e = NULL;
	HANDLE eh = NULL;
	UINT32 n = 0, i, found = 0;
	GUID key = GUID_NULL;

	ASSERT_EQ(FwpmProviderAdd0(self->h, &p, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderCreateEnumHandle0(self->h, NULL, &eh),
		  ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderEnum0(self->h, eh, 100000, &e, &n),
		  ERROR_SUCCESS);
	for (i = 0; i < n; i++) {
		if (!wcscmp(e[i]->displayData.name, p.displayData.name)) {
			key = e[i]->providerKey;
			found++;
		}
	}
	FwpmFreeMemory0((void **)&e);
	FwpmProviderDestroyEnumHandle0(self->h, eh);
	EXPECT_EQ(found, 1);
	EXPECT_FALSE(guid_eq(&key, &GUID_NULL));
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &key), ERROR_SUCCESS);
}

/* Keys past test_key()'s: byte 6 non-zero, so teardown's loop misses them. */
static GUID fill_key(int i)
{
	GUID g = test_key((UINT8)i);

	g.Data4[6] = (UINT8)(1 + i / 256);
	return g;
}

/*
 * The namespace's limit: the next add is refused with the quota code,
 * while a taken key is still FWP_E_ALREADY_EXISTS at the limit.
 */
TEST_F_TIMEOUT(obj, provider_limit_then_taken_key, 300)
{
	long room = WFP_IPSEC_OBJ_MAX - self->providers0;
	GUID k;
	long i;

	ASSERT_GT(room, 0);
	for (i = 0; i < room; i++) {
		ASSERT_EQ(provider_add(self->h, fill_key(i)), ERROR_SUCCESS);
	}
	EXPECT_EQ(provider_add(self->h, fill_key(room)),
		  ERROR_NOT_ENOUGH_QUOTA);
	EXPECT_EQ(provider_add(self->h, fill_key(0)), FWP_E_ALREADY_EXISTS);
	for (i = 0; i < room; i++) {
		k = fill_key(i);
		EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &k), ERROR_SUCCESS);
	}
}

TEST_F(obj, sublayer_add_get_delete_round_trip)
{
	GUID pkey = test_key(5), key = test_key(6);
	FWPM_SUBLAYER0 s = sublayer_of(key, &pkey), *got = NULL;

	ASSERT_EQ(provider_add(self->h, pkey), ERROR_SUCCESS);
	ASSERT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmSubLayerGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	EXPECT_TRUE(guid_eq(&got->subLayerKey, &key));
	EXPECT_EQ(wcscmp(got->displayData.name, s.displayData.name), 0);
	ASSERT_NE(got->displayData.description, NULL);
	EXPECT_EQ(wcscmp(got->displayData.description,
			 s.displayData.description), 0);
	EXPECT_EQ(got->flags, FWPM_SUBLAYER_FLAG_PERSISTENT);
	ASSERT_NE(got->providerKey, NULL);
	EXPECT_TRUE(guid_eq(got->providerKey, &pkey));
	ASSERT_EQ(got->providerData.size, sizeof(blob));
	EXPECT_EQ(memcmp(got->providerData.data, blob, sizeof(blob)), 0);
	EXPECT_EQ(got->weight, 0x8123);
	FwpmFreeMemory0((void **)&got);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0 + 1);

	ASSERT_EQ(FwpmSubLayerDeleteByKey0(self->h, &key), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerGetByKey0(self->h, &key, &got),
		  FWP_E_SUBLAYER_NOT_FOUND);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pkey), ERROR_SUCCESS);
}

TEST_F(obj, sublayer_without_provider)
{
	GUID key = test_key(7);
	FWPM_SUBLAYER0 *got = NULL;

	ASSERT_EQ(sublayer_add(self->h, key, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmSubLayerGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	EXPECT_EQ(got->providerKey, NULL);
	FwpmFreeMemory0((void **)&got);
}

TEST_F(obj, sublayer_duplicate_and_unknown)
{
	GUID key = test_key(8);
	FWPM_SUBLAYER0 s = sublayer_of(key, NULL), *got = NULL;

	ASSERT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL), FWP_E_ALREADY_EXISTS);
	ASSERT_EQ(FwpmSubLayerDeleteByKey0(self->h, &key), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(self->h, &key),
		  FWP_E_SUBLAYER_NOT_FOUND);
	EXPECT_EQ(FwpmSubLayerGetByKey0(self->h, &key, &got),
		  FWP_E_SUBLAYER_NOT_FOUND);
}

TEST_F(obj, sublayer_unknown_provider)
{
	GUID pkey = test_key(9), key = test_key(10);
	FWPM_SUBLAYER0 s = sublayer_of(key, &pkey), *got = NULL;

	EXPECT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL),
		  FWP_E_PROVIDER_NOT_FOUND);
	EXPECT_EQ(FwpmSubLayerGetByKey0(self->h, &key, &got),
		  FWP_E_SUBLAYER_NOT_FOUND);
}

/* A provider a sublayer names cannot go before the sublayer. */
TEST_F(obj, provider_in_use)
{
	GUID pkey = test_key(11), k1 = test_key(12), k2 = test_key(13);
	FWPM_PROVIDER0 *got = NULL;

	ASSERT_EQ(provider_add(self->h, pkey), ERROR_SUCCESS);
	ASSERT_EQ(sublayer_add(self->h, k1, &pkey), ERROR_SUCCESS);
	ASSERT_EQ(sublayer_add(self->h, k2, &pkey), ERROR_SUCCESS);
	EXPECT_EQ(sublayer_count(self->h, &pkey), 2);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pkey), FWP_E_IN_USE);
	ASSERT_EQ(FwpmSubLayerDeleteByKey0(self->h, &k1), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pkey), FWP_E_IN_USE);
	ASSERT_EQ(FwpmProviderGetByKey0(self->h, &pkey, &got), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&got);
	ASSERT_EQ(FwpmSubLayerDeleteByKey0(self->h, &k2), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &pkey), ERROR_SUCCESS);
}

TEST_F(obj, builtin_sublayers)
{
	FWPM_SUBLAYER0 *got = NULL, s;
	unsigned int i;

	for (i = 0; i < NR_BUILTIN; i++) {
		ASSERT_EQ(FwpmSubLayerGetByKey0(self->h, builtin_sublayers[i],
						&got), ERROR_SUCCESS);
		EXPECT_TRUE(guid_eq(&got->subLayerKey, builtin_sublayers[i]));
		ASSERT_NE(got->displayData.name, NULL);
		EXPECT_GT(wcslen(got->displayData.name), 0);
		EXPECT_EQ(got->providerKey, NULL);
		FwpmFreeMemory0((void **)&got);
		EXPECT_EQ(FwpmSubLayerDeleteByKey0(self->h,
						   builtin_sublayers[i]),
			  FWP_E_BUILTIN_OBJECT);
		s = sublayer_of(*builtin_sublayers[i], NULL);
		EXPECT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL),
			  FWP_E_ALREADY_EXISTS);
	}
}

TEST_F(obj, bad_input)
{
	GUID key = test_key(14), pkey = test_key(15);
	FWPM_PROVIDER0 p = provider_of(key), *got = NULL;
	FWPM_SUBLAYER0 s = sublayer_of(key, NULL);
	wchar_t name[WFP_IPSEC_OBJ_NAME_MAX + 2];
	static UINT8 big[WFP_IPSEC_OBJ_DATA_MAX + 1];
	HANDLE eh = NULL;
	UINT32 n;

	EXPECT_EQ(FwpmProviderAdd0(self->h, NULL, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmSubLayerAdd0(self->h, NULL, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(self->h, NULL), FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderGetByKey0(self->h, NULL, &got),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderGetByKey0(self->h, &key, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderCreateEnumHandle0(self->h, NULL, NULL),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderEnum0(self->h, NULL, 1, NULL, &n),
		  FWP_E_NULL_POINTER);
	EXPECT_EQ(FwpmProviderAdd0(NULL, &p, NULL), ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmProviderEnum0(self->h, (HANDLE)&n, 1,
				    (FWPM_PROVIDER0 ***)&got, &n),
		  ERROR_INVALID_HANDLE);

	/* A sublayer handle is not a provider handle. */
	ASSERT_EQ(FwpmSubLayerCreateEnumHandle0(self->h, NULL, &eh),
		  ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDestroyEnumHandle0(self->h, eh),
		  ERROR_INVALID_HANDLE);
	EXPECT_EQ(FwpmSubLayerDestroyEnumHandle0(self->h, eh), ERROR_SUCCESS);

	p.displayData.name = NULL;
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL),
		  FWP_E_NULL_DISPLAY_NAME);
	s.displayData.name = L"";
	EXPECT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL),
		  FWP_E_NULL_DISPLAY_NAME);

	p = provider_of(key);
	p.flags = FWPM_PROVIDER_FLAG_DISABLED;
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL), FWP_E_INVALID_FLAGS);
	s = sublayer_of(key, NULL);
	s.flags = 2;
	EXPECT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL), FWP_E_INVALID_FLAGS);

	/* Unpaired surrogates are no Unicode text. */
	p = provider_of(key);
	p.displayData.description = L"x\xd800y";
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL),
		  FWP_E_INVALID_PARAMETER);

	/* The bounds: exactly the limit fits, one more does not. */
	wmemset(name, L'a', WFP_IPSEC_OBJ_NAME_MAX + 1);
	name[WFP_IPSEC_OBJ_NAME_MAX + 1] = 0;
	p = provider_of(key);
	p.displayData.name = name;
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL), FWP_E_OUT_OF_BOUNDS);
	p.providerData.size = sizeof(big);
	p.providerData.data = big;
	name[WFP_IPSEC_OBJ_NAME_MAX] = 0;
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL), FWP_E_OUT_OF_BOUNDS);
	p.providerData.data = NULL;
	EXPECT_EQ(FwpmProviderAdd0(self->h, &p, NULL), FWP_E_NULL_POINTER);
	p.providerData.size = WFP_IPSEC_OBJ_DATA_MAX;
	p.providerData.data = big;
	ASSERT_EQ(FwpmProviderAdd0(self->h, &p, NULL), ERROR_SUCCESS);
	ASSERT_EQ(FwpmProviderGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	EXPECT_EQ(wcscmp(got->displayData.name, name), 0);
	EXPECT_EQ(got->providerData.size, WFP_IPSEC_OBJ_DATA_MAX);
	FwpmFreeMemory0((void **)&got);

	/* Nothing failed half way. */
	EXPECT_EQ(FwpmProviderGetByKey0(self->h, &pkey, &got),
		  FWP_E_PROVIDER_NOT_FOUND);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 1);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0);
}

/* A well-formed request the ioctl tests then spoil one field at a time. */
static void raw_obj(struct wfp_ipsec_obj *o, UINT32 type, UINT8 n)
{
	static char name[] = "raw";
	GUID key = test_key(n);

	memset(o, 0, sizeof(*o));
	o->type = type;
	memcpy(o->key, &key, sizeof(o->key));
	o->name = (__u64)(uintptr_t)name;
	o->name_len = 3;
}

TEST_F(obj, ioctl_add_checks)
{
	struct wfp_ipsec_obj o;
	char nul[] = "a\0b";

	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.reserved[0] = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.flags = 0x10;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER_CONTEXT + 1, 16);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, 0, 16);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.weight = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.has_provider = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_SUBLAYER, 16);
	o.service = o.name;
	o.service_len = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_SUBLAYER, 16);
	o.has_provider = 2;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_SUBLAYER, 16);
	o.provider_key[0] = 1;	/* without has_provider */
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.name_len = 0;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.name = (__u64)(uintptr_t)nul;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EINVAL);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.desc_len = WFP_IPSEC_OBJ_DESC_MAX + 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -E2BIG);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.service_len = WFP_IPSEC_OBJ_SERVICE_MAX + 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -E2BIG);
	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	o.data = 8;	/* unmapped */
	o.data_len = 4;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), -EFAULT);
	EXPECT_EQ(provider_count(self->h), self->providers0);

	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 16);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), 0);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o),
		  -EEXIST);
}

TEST_F(obj, ioctl_get_delete_enum_checks)
{
	struct wfp_ipsec_obj_enum e;
	struct wfp_ipsec_obj_key k;
	struct wfp_ipsec_obj o;
	char room[2];

	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 17);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ADD, &o), 0);

	raw_obj(&o, WFP_IPSEC_OBJ_PROVIDER, 17);
	o.name = (__u64)(uintptr_t)room;
	o.name_len = sizeof(room);	/* "raw" needs 3 */
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_GET, &o), -ERANGE);
	o.name_len = 0;
	o.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_GET, &o), -EINVAL);
	o.reserved0 = 0;
	o.flags = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_GET, &o), -EINVAL);
	o.flags = 0;
	o.type = WFP_IPSEC_OBJ_PROVIDER_CONTEXT + 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_GET, &o), -EINVAL);

	memset(&k, 0, sizeof(k));
	k.type = WFP_IPSEC_OBJ_PROVIDER;
	memcpy(k.key, o.key, sizeof(k.key));
	k.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -EINVAL);
	k.reserved0 = 0;
	k.id = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -EINVAL);
	k.id = 0;
	k.type = 0;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -EINVAL);
	k.type = WFP_IPSEC_OBJ_SUBLAYER;	/* a provider's key */
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k),
		  -ENOENT);

	memset(&e, 0, sizeof(e));
	e.type = WFP_IPSEC_OBJ_PROVIDER;
	e.reserved0 = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), -EINVAL);
	e.reserved0 = 0;
	e.reserved[0] = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), -EINVAL);
	e.reserved[0] = 0;
	e.count = 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), -EINVAL);
	e.count = 0;
	e.max_entries = WFP_IPSEC_OBJ_MAX + 1;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), -EINVAL);
	e.max_entries = 4;
	e.keys = 8;	/* unmapped */
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), -EFAULT);
	e.max_entries = 0;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM, &e), 0);
	EXPECT_EQ(e.count, 0);

	/* The object is untouched by all of the above. */
	k.type = WFP_IPSEC_OBJ_PROVIDER;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_DELETE, &k), 0);
}

/*
 * Pages of 3 walk every object once; the handle is a snapshot: what is
 * added or deleted after its creation does not change what it returns.
 */
TEST_F(obj, enum_paging_snapshot)
{
	FWPM_PROVIDER0 **e = NULL;
	UINT32 n, total = 0, ours = 0, i;
	GUID key, late = test_key(30);
	HANDLE eh = NULL;
	int k;

	for (k = 20; k < 30; k++) {
		ASSERT_EQ(provider_add(self->h, test_key(k)), ERROR_SUCCESS);
	}
	ASSERT_EQ(FwpmProviderCreateEnumHandle0(self->h, NULL, &eh),
		  ERROR_SUCCESS);
	key = test_key(20);
	ASSERT_EQ(FwpmProviderDeleteByKey0(self->h, &key), ERROR_SUCCESS);
	ASSERT_EQ(provider_add(self->h, late), ERROR_SUCCESS);
	do {
		ASSERT_EQ(FwpmProviderEnum0(self->h, eh, 3, &e, &n),
			  ERROR_SUCCESS);
		ASSERT_LE(n, 3);
		for (i = 0; i < n; i++) {
			key = e[i]->providerKey;
			EXPECT_FALSE(guid_eq(&key, &late));
			if (!memcmp(&key, &late, sizeof(key) - 1) &&
			    key.Data4[7] >= 20 && key.Data4[7] < 30)
				ours++;
		}
		FwpmFreeMemory0((void **)&e);
		total += n;
	} while (n == 3);
	EXPECT_EQ(ours, 10);
	EXPECT_EQ(total, self->providers0 + 10);
	/* Exhausted stays exhausted. */
	ASSERT_EQ(FwpmProviderEnum0(self->h, eh, 3, &e, &n), ERROR_SUCCESS);
	EXPECT_EQ(n, 0);
	EXPECT_EQ(e, NULL);
	EXPECT_EQ(FwpmProviderDestroyEnumHandle0(self->h, eh), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDestroyEnumHandle0(self->h, eh),
		  ERROR_INVALID_HANDLE);
}

/* The sublayer template selects a provider's sublayers. */
TEST_F(obj, sublayer_enum_by_provider)
{
	GUID pa = test_key(31), pb = test_key(32), none = test_key(33);
	FWPM_SUBLAYER0 s;
	int k;

	ASSERT_EQ(provider_add(self->h, pa), ERROR_SUCCESS);
	ASSERT_EQ(provider_add(self->h, pb), ERROR_SUCCESS);
	for (k = 34; k < 40; k++) {
		s = sublayer_of(test_key(k), k < 37 ? &pa : &pb);
		if (k == 39)
			s.providerKey = NULL;
		ASSERT_EQ(FwpmSubLayerAdd0(self->h, &s, NULL), ERROR_SUCCESS);
	}
	EXPECT_EQ(sublayer_count(self->h, &pa), 3);
	EXPECT_EQ(sublayer_count(self->h, &pb), 2);
	EXPECT_EQ(sublayer_count(self->h, &none), 0);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0 + 6);
}

/* A permit filter for traffic to 10.9.9.<last>: one xfrm policy. */
static FWPM_FILTER0 permit_filter(FWPM_FILTER_CONDITION0 *c, UINT32 last)
{
	FWPM_FILTER0 f;

	memset(c, 0, sizeof(*c));
	c->fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c->matchType = FWP_MATCH_EQUAL;
	c->conditionValue.type = FWP_UINT32;
	c->conditionValue.uint32 = 0x0a090900 | last;
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"dynamic permit";
	f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	f.action.type = FWP_ACTION_PERMIT;
	f.numFilterConditions = 1;
	f.filterCondition = c;
	return f;
}

TEST_F(obj, dynamic_session_lifetimes)
{
	GUID key = test_key(40), skey = test_key(41), stat = test_key(42);
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	HANDLE dyn2 = engine(FWPM_SESSION_FLAG_DYNAMIC);
	FWPM_SUBLAYER0 *sg = NULL;

	ASSERT_NE(dyn, NULL);
	ASSERT_NE(dyn2, NULL);
	ASSERT_EQ(provider_add(dyn, key), ERROR_SUCCESS);
	/* A static object never names a dynamic one (it would outlive it). */
	EXPECT_EQ(sublayer_add(self->h, skey, &key), FWP_E_LIFETIME_MISMATCH);
	/* Nor does another dynamic session's. */
	EXPECT_EQ(sublayer_add(dyn2, skey, &key), FWP_E_LIFETIME_MISMATCH);
	ASSERT_EQ(sublayer_add(dyn, skey, &key), ERROR_SUCCESS);
	EXPECT_EQ(FwpmSubLayerGetByKey0(self->h, &skey, &sg), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&sg);
	/* A dynamic session deletes its own objects only. */
	EXPECT_EQ(FwpmSubLayerDeleteByKey0(dyn2, &skey), FWP_E_WRONG_SESSION);
	ASSERT_EQ(provider_add(self->h, stat), ERROR_SUCCESS);
	EXPECT_EQ(FwpmProviderDeleteByKey0(dyn, &stat),
		  FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 2);
	FwpmEngineClose0(dyn2);
	/* Its close takes the session's objects, and only those. */
	FwpmEngineClose0(dyn);
	EXPECT_EQ(FwpmSubLayerGetByKey0(self->h, &skey, &sg),
		  FWP_E_SUBLAYER_NOT_FOUND);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 1);
	EXPECT_EQ(FwpmProviderDeleteByKey0(self->h, &key),
		  FWP_E_PROVIDER_NOT_FOUND);
}

TEST_F(obj, dynamic_filters_go_at_close)
{
	FWPM_FILTER_CONDITION0 c[2];
	FWPM_FILTER0 f = permit_filter(&c[0], 1), g = permit_filter(&c[1], 2);
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	FWPM_FILTER0 *got = NULL;
	UINT64 id = 0, sid = 0;
	int sp0 = sp_count(-1);

	ASSERT_NE(dyn, NULL);
	ASSERT_GE(sp0, 0);
	ASSERT_EQ(FwpmFilterAdd0(dyn, &f, NULL, &id), ERROR_SUCCESS);
	ASSERT_EQ(FwpmFilterAdd0(self->h, &g, NULL, &sid), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), sp0 + 2);
	/* A static session may delete a dynamic one's filter; not here. */
	EXPECT_EQ(FwpmFilterDeleteById0(dyn, sid),
		  FWP_E_DYNAMIC_SESSION_IN_PROGRESS);
	FwpmEngineClose0(dyn);
	EXPECT_EQ(FwpmFilterGetById0(self->h, id, &got),
		  FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(sp_count(-1), sp0 + 1);
	EXPECT_EQ(FwpmFilterDeleteById0(self->h, sid), ERROR_SUCCESS);
	EXPECT_EQ(sp_count(-1), sp0);
}

/* The child: a dynamic session's filter, then wait to be killed. */
static void dynamic_child(int wfd)
{
	FWPM_FILTER_CONDITION0 c;
	FWPM_FILTER0 f = permit_filter(&c, 3);
	HANDLE dyn = engine(FWPM_SESSION_FLAG_DYNAMIC);
	UINT64 id = 0;

	if (!dyn || FwpmFilterAdd0(dyn, &f, NULL, &id))
		id = 0;
	if (write(wfd, &id, sizeof(id)) != sizeof(id))
		_exit(1);
	for (;;)
		pause();
}

TEST_F(obj, dynamic_filters_go_at_kill)
{
	FWPM_FILTER0 *got = NULL;
	int sp0 = sp_count(-1), p[2], status;
	UINT64 id = 0;
	pid_t pid;

	ASSERT_GE(sp0, 0);
	ASSERT_EQ(pipe(p), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		dynamic_child(p[1]);
	ASSERT_EQ(read(p[0], &id, sizeof(id)), sizeof(id));
	ASSERT_NE(id, 0);
	EXPECT_EQ(FwpmFilterGetById0(self->h, id, &got), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&got);
	EXPECT_EQ(sp_count(-1), sp0 + 1);
	ASSERT_EQ(kill(pid, SIGKILL), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_EQ(FwpmFilterGetById0(self->h, id, &got),
		  FWP_E_FILTER_NOT_FOUND);
	EXPECT_EQ(sp_count(-1), sp0);
	close(p[0]);
	close(p[1]);
}

/* In a new namespace: none of the test's objects, all the built-ins. */
static int foreign_ns(void *arg)
{
	GUID key = test_key(42);
	FWPM_PROVIDER0 *got = NULL;
	FWPM_SUBLAYER0 *sg = NULL;
	HANDLE h;

	if (unshare(CLONE_NEWNET))
		return 100;
	h = engine(0);
	if (!h)
		return 101;
	if (FwpmProviderGetByKey0(h, &key, &got) != FWP_E_PROVIDER_NOT_FOUND)
		return 1;
	if (FwpmProviderDeleteByKey0(h, &key) != FWP_E_PROVIDER_NOT_FOUND)
		return 2;
	if (provider_count(h) != 0)
		return 3;
	if (sublayer_count(h, NULL) != (long)NR_BUILTIN)
		return 4;
	if (FwpmSubLayerGetByKey0(h, &FWPM_SUBLAYER_UNIVERSAL, &sg))
		return 5;
	FwpmFreeMemory0((void **)&sg);
	/* The same key is free here; what is left goes with the namespace. */
	if (provider_add(h, key) || sublayer_add(h, test_key(43), &key))
		return 6;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(obj, foreign_namespace_invisible)
{
	GUID key = test_key(42);
	FWPM_PROVIDER0 p = provider_of(key), *got = NULL;

	ASSERT_EQ(FwpmProviderAdd0(self->h, &p, NULL), ERROR_SUCCESS);
	EXPECT_EQ(run_in_child(foreign_ns, NULL), 0);
	/* The child's objects of the same key were its namespace's. */
	ASSERT_EQ(FwpmProviderGetByKey0(self->h, &key, &got), ERROR_SUCCESS);
	EXPECT_EQ(wcscmp(got->displayData.name, p.displayData.name), 0);
	FwpmFreeMemory0((void **)&got);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0);
}

/* Without CAP_NET_ADMIN or grants: every call is ERROR_ACCESS_DENIED. */
static int no_rights(void *arg)
{
	GUID key = test_key(44), skey = test_key(45);
	FWPM_PROVIDER0 p = provider_of(test_key(46)), *got = NULL;
	FWPM_SUBLAYER0 s = sublayer_of(test_key(47), NULL), *sg = NULL;
	HANDLE h, eh = NULL;

	if (drop_cap_net_admin())
		return 100;
	h = engine(0);
	if (!h)
		return 101;
	if (FwpmProviderAdd0(h, &p, NULL) != ERROR_ACCESS_DENIED)
		return 1;
	if (FwpmSubLayerAdd0(h, &s, NULL) != ERROR_ACCESS_DENIED)
		return 2;
	if (FwpmProviderGetByKey0(h, &key, &got) != ERROR_ACCESS_DENIED)
		return 3;
	if (FwpmSubLayerGetByKey0(h, &skey, &sg) != ERROR_ACCESS_DENIED)
		return 4;
	if (FwpmProviderDeleteByKey0(h, &key) != ERROR_ACCESS_DENIED)
		return 5;
	if (FwpmSubLayerDeleteByKey0(h, &skey) != ERROR_ACCESS_DENIED)
		return 6;
	if (FwpmProviderCreateEnumHandle0(h, NULL, &eh) != ERROR_ACCESS_DENIED)
		return 7;
	if (FwpmSubLayerCreateEnumHandle0(h, NULL, &eh) != ERROR_ACCESS_DENIED)
		return 8;
	if (eh)
		return 9;
	FwpmEngineClose0(h);
	return 0;
}

TEST_F(obj, rights_denied)
{
	GUID key = test_key(44), skey = test_key(45);

	ASSERT_EQ(provider_add(self->h, key), ERROR_SUCCESS);
	ASSERT_EQ(sublayer_add(self->h, skey, &key), ERROR_SUCCESS);
	EXPECT_EQ(run_in_child(no_rights, NULL), 0);
	EXPECT_EQ(provider_count(self->h), self->providers0 + 1);
	EXPECT_EQ(sublayer_count(self->h, NULL), self->sublayers0 + 1);
}

/* Adds and deletes from many threads leave the lists consistent. */
static void *churn(void *arg)
{
	HANDLE h = arg;
	GUID key;
	long i;

	for (i = 0; i < 200; i++) {
		key = test_key(48 + (i % 8));
		provider_add(h, key);
		FwpmProviderDeleteByKey0(h, &key);
	}
	return NULL;
}

TEST_F(obj, concurrent_add_delete)
{
	pthread_t t[4];
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pthread_create(&t[i], NULL, churn, self->h), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(provider_count(self->h), self->providers0);
}

TEST_HARNESS_MAIN
