/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A session's contexts as the device shows them, one ioctl away from the
 * library, for the selftests.  Harness-free (0/-errno or a value, the
 * caller judges): raw_get, raw_delete, ctx_state, raw_enum_walk,
 * raw_enum_ids, ctx_count, traffic_v4, traffic0_of.  ctx_info() takes
 * _metadata: its point is to EXPECT the read to succeed and hand back the
 * fields; expect_traffic0/1() check a traffic read back against the one
 * given; engine_open_ok() and engine_closed() ASSERT the engine calls
 * they make.
 */
#ifndef WFP_CTX_H
#define WFP_CTX_H

#include <wfpipsec.h>

#include "wfp_test.h"

#define ST_CREATED	WFP_IPSEC_CTX_STATE_CREATED
#define ST_SPI_SET	WFP_IPSEC_CTX_STATE_SPI_SET
#define ST_INBOUND	WFP_IPSEC_CTX_STATE_INBOUND
#define ST_COMPLETE	WFP_IPSEC_CTX_STATE_COMPLETE
#define ST_EXPIRED	WFP_IPSEC_CTX_STATE_EXPIRED

/* The raw CTX_GET of a context; 0 or -errno. */
static inline int raw_get(int fd, __u64 id, struct wfp_ipsec_ctx_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = id;
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_GET, info);
}

/* A command whose argument is struct wfp_ipsec_ctx_id; -errno. */
static inline int raw_id_cmd(int fd, unsigned long cmd, __u64 id,
			     __u64 reserved)
{
	struct wfp_ipsec_ctx_id d = { .id = id, .reserved = reserved };

	return wfp_test_ioctl(fd, cmd, &d);
}

static inline int raw_delete(int fd, __u64 id)
{
	return raw_id_cmd(fd, WFP_IPSEC_IOC_CTX_DELETE, id, 0);
}

/* The context's state, or -errno (-ENOENT once it is gone). */
static inline int ctx_state(int fd, __u64 id)
{
	struct wfp_ipsec_ctx_info info;
	int ret = raw_get(fd, id, &info);

	return ret ? ret : (int)info.state;
}

/* An engine session with flags (FWPM_SESSION_FLAG_*), or a failed assertion. */
static inline HANDLE engine_open_ok(struct __test_metadata *_metadata,
				    UINT32 flags)
{
	HANDLE h = engine(flags);

	ASSERT_NE(h, NULL);
	return h;
}

/* A closed engine handle: stale, never valid again. */
static inline HANDLE engine_closed(struct __test_metadata *_metadata)
{
	HANDLE h = engine_open_ok(_metadata, 0);

	ASSERT_EQ(FwpmEngineClose0(h), ERROR_SUCCESS);
	return h;
}

/* The context's CTX_GET fields; a failed read fails the test. */
static inline struct wfp_ipsec_ctx_info
ctx_info(struct __test_metadata *_metadata, int fd, __u64 id)
{
	struct wfp_ipsec_ctx_info info;

	EXPECT_EQ(raw_get(fd, id, &info), 0);
	return info;
}

/*
 * The contexts of the session's namespace that a CTX_ENUM template
 * selects (NULL: all), page (at most WFP_IPSEC_ENUM_MAX) a call, each to
 * fn (when not NULL); the count, or -errno.
 */
static inline long
raw_enum_walk(int fd, const struct wfp_ipsec_ctx_enum *tmpl, __u32 page,
	      void (*fn)(const struct wfp_ipsec_ctx_info *, void *), void *arg)
{
	struct wfp_ipsec_ctx_info *buf;
	struct wfp_ipsec_ctx_enum e;
	long n = 0;
	int ret;
	__u32 i;

	buf = calloc(page, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	if (tmpl)
		e = *tmpl;
	else
		memset(&e, 0, sizeof(e));
	e.cursor = 0;
	do {
		e.entries = (uintptr_t)buf;
		e.max_entries = page;
		e.count = 0;
		ret = wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_ENUM, &e);
		for (i = 0; !ret && i < e.count; i++, n++)
			if (fn)
				fn(&buf[i], arg);
	} while (!ret && e.count == e.max_entries);
	free(buf);
	return ret ? ret : n;
}

struct raw_ids {
	__u64 *ids;
	long n, max;
};

static inline void raw_id_store(const struct wfp_ipsec_ctx_info *info,
				void *arg)
{
	struct raw_ids *r = arg;

	if (r->ids && r->n < r->max)
		r->ids[r->n] = info->id;
	r->n++;
}

/* raw_enum_walk() storing up to max ids in ids (NULL: none). */
static inline long raw_enum_ids(int fd, const struct wfp_ipsec_ctx_enum *tmpl,
				__u64 *ids, long max)
{
	struct raw_ids r = { .ids = ids, .max = max };

	return raw_enum_walk(fd, tmpl, WFP_IPSEC_ENUM_MAX, raw_id_store, &r);
}

/* How many contexts the session's namespace holds, or -errno. */
static inline long ctx_count(int fd)
{
	return raw_enum_walk(fd, NULL, WFP_IPSEC_ENUM_MAX, NULL, NULL);
}

/* An IPv4 traffic, addresses host-order as IPSEC_TRAFFIC1 keeps them. */
static inline void traffic_v4(IPSEC_TRAFFIC1 *t, bool tunnel, UINT32 local,
			      UINT32 remote)
{
	memset(t, 0, sizeof(*t));
	t->ipVersion = FWP_IP_VERSION_V4;
	t->trafficType = tunnel ? IPSEC_TRAFFIC_TYPE_TUNNEL :
				  IPSEC_TRAFFIC_TYPE_TRANSPORT;
	t->localV4Address = local;
	t->remoteV4Address = remote;
}

/* What IPsecSaContextCreate0 can express of an IPSEC_TRAFFIC1. */
static inline IPSEC_TRAFFIC0 traffic0_of(const IPSEC_TRAFFIC1 *t)
{
	IPSEC_TRAFFIC0 t0;

	memset(&t0, 0, sizeof(t0));
	t0.ipVersion = t->ipVersion;
	memcpy(t0.localV6Address, t->localV6Address, 16);
	memcpy(t0.remoteV6Address, t->remoteV6Address, 16);
	t0.trafficType = t->trafficType;
	t0.ipsecFilterId = t->ipsecFilterId;
	t0.remotePort = t->remotePort;
	return t0;
}

/* A traffic a *0 call read back against the IPSEC_TRAFFIC1 given. */
static inline void expect_traffic0(struct __test_metadata *_metadata,
				   const IPSEC_TRAFFIC0 *got,
				   const IPSEC_TRAFFIC1 *want)
{
	EXPECT_EQ(got->ipVersion, want->ipVersion);
	if (want->ipVersion == FWP_IP_VERSION_V4) {
		EXPECT_EQ(got->localV4Address, want->localV4Address);
		EXPECT_EQ(got->remoteV4Address, want->remoteV4Address);
	} else {
		EXPECT_EQ(memcmp(got->localV6Address, want->localV6Address,
				 16), 0);
		EXPECT_EQ(memcmp(got->remoteV6Address, want->remoteV6Address,
				 16), 0);
	}
	EXPECT_EQ(got->trafficType, want->trafficType);
	EXPECT_EQ(got->ipsecFilterId, want->ipsecFilterId);
	EXPECT_EQ(got->remotePort, want->remotePort);
}

/* TRAFFIC0's fields, then those only TRAFFIC1 has. */
static inline void expect_traffic1(struct __test_metadata *_metadata,
				   const IPSEC_TRAFFIC1 *got,
				   const IPSEC_TRAFFIC1 *want)
{
	IPSEC_TRAFFIC0 got0 = traffic0_of(got);

	expect_traffic0(_metadata, &got0, want);
	EXPECT_EQ(got->localPort, want->localPort);
	EXPECT_EQ(got->ipProtocol, want->ipProtocol);
	EXPECT_EQ(got->localIfLuid, want->localIfLuid);
	EXPECT_EQ(got->realIfProfileId, want->realIfProfileId);
}

#endif /* WFP_CTX_H */
