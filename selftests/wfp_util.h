/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the wfp-ipsec selftests, the fuzzer and the tools
 * that do not use the kselftest harness: nothing here asserts; each
 * returns -errno (or a documented sentinel) and leaves judging to the
 * caller.  wfp_test.h adds the harness-bound ones.
 */
#ifndef WFP_UTIL_H
#define WFP_UTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <fwpmu.h>
#include <wfpipsec.h>
#include <linux/wfp_ipsec.h>

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

/* CLOCK_MONOTONIC in milliseconds. */
static inline long long wfp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* clk in nanoseconds. */
static inline long long wfp_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ms milliseconds from now on clk: pthread_cond_timedwait()'s deadline. */
static inline struct timespec wfp_deadline(clockid_t clk, int ms)
{
	long long ns = wfp_clock_ns(clk) + ms * 1000000LL;

	return (struct timespec){ .tv_sec = ns / 1000000000LL,
				  .tv_nsec = ns % 1000000000LL };
}

static inline int wfp_open(void)
{
	return open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/*
 * ioctl() returning 0 or -errno, so EXPECT_EQ can check both at once
 * (the library's internal wfp_ioctl() returns errno: another name).
 */
static inline int wfp_test_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* OBJ_DELETE of the object of type by key, or (key NULL) by id; -errno. */
static inline int wfp_obj_delete(int fd, __u32 type, const void *key,
				 __u64 id)
{
	struct wfp_ipsec_obj_key k;

	memset(&k, 0, sizeof(k));
	k.type = type;
	if (key)
		memcpy(k.key, key, sizeof(k.key));
	else
		k.id = id;
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_OBJ_DELETE, &k);
}

/*
 * OBJ_ENUM of the namespace's objects of type: their keys into keys
 * (room for WFP_IPSEC_OBJ_MAX; NULL: a buffer of its own), how many, or
 * -errno.
 */
static inline long wfp_obj_keys(int fd, __u32 type,
				__u8 (*keys)[WFP_IPSEC_OBJ_KEY_LEN])
{
	static __u8 room[WFP_IPSEC_OBJ_MAX][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e;
	int ret;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.max_entries = WFP_IPSEC_OBJ_MAX;
	e.keys = (__u64)(uintptr_t)(keys ?: room);
	ret = wfp_test_ioctl(fd, WFP_IPSEC_IOC_OBJ_ENUM, &e);
	return ret ? ret : (long)e.count;
}

static inline long wfp_obj_count(int fd, __u32 type)
{
	return wfp_obj_keys(fd, type, NULL);
}

/* RIGHTS_SET's argument: one grant of rights to a user or group id. */
static inline void wfp_one_grant(struct wfp_ipsec_rights *r, __u32 kind,
				 __u32 id, __u32 rights)
{
	memset(r, 0, sizeof(*r));
	r->count = 1;
	r->grants[0].kind = kind;
	r->grants[0].id = id;
	r->grants[0].rights = rights;
}

static inline int wfp_hello(int fd, __u32 flags, const __u8 *key)
{
	struct wfp_ipsec_hello h;

	memset(&h, 0, sizeof(h));
	h.abi_version = WFP_IPSEC_ABI_VERSION;
	h.session_flags = flags;
	if (key)
		memcpy(h.session_key, key, sizeof(h.session_key));
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_HELLO, &h);
}

static inline int wfp_info(int fd, struct wfp_ipsec_session_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_SESSION_GET, info);
}

static inline __u64 netns_cookie(void)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (s < 0)
		return 0;
	if (getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		cookie = 0;
	close(s);
	return cookie;
}

/* How many references the module holds: one per open session. */
static inline long wfp_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/wfp_ipsec/refcnt", "r");
	long n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* delete_module(2) of wfp_ipsec, not waiting for its users; -errno. */
static inline int wfp_module_unload(void)
{
	return syscall(SYS_delete_module, "wfp_ipsec", O_NONBLOCK) ? -errno : 0;
}

/* Remove CAP_NET_ADMIN from this process's effective and permitted sets. */
static inline int drop_cap_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].permitted &= ~(1U << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].inheritable &= ~(1U << (CAP_NET_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Become uid/gid 65534 ("nobody") for good. */
static inline int become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return -errno;
	return 0;
}

/*
 * Run fn in a child process and return its exit status (or 128 + signal),
 * so a test can change credentials or namespaces without leaking them.
 */
static inline int run_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(fn(arg));
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Counts of the scale tests, divided by WFP_TEST_DIVISOR when it is set:
 * make check-debug sets it, since the debug kernel under TCG is an order
 * of magnitude slower and the O(states) SPI search makes some tests
 * quadratic.
 */
static inline int wfp_scaled(int n)
{
	static int div;

	if (!div) {
		const char *s = getenv("WFP_TEST_DIVISOR");

		div = s && atoi(s) > 1 ? atoi(s) : 1;
	}
	return n / div > 0 ? n / div : 1;
}

/* IPSEC_TRAFFIC* keeps IPv6 addresses as the network bytes reversed. */
static inline void wfp_reverse16(UINT8 *dst, const UINT8 *src)
{
	int i;

	for (i = 0; i < 16; i++)
		dst[i] = src[15 - i];
}

/* Network-order bytes of a text address; returns the length (4, 16). */
static inline int wfp_addr_bytes(const char *s, UINT8 *out)
{
	memset(out, 0, 16);
	if (strchr(s, ':'))
		return inet_pton(AF_INET6, s, out) == 1 ? 16 : -1;
	return inet_pton(AF_INET, s, out) == 1 ? 4 : -1;
}

/*
 * An IPSEC_TRAFFIC1 for the pair, in the Windows layouts: IPv4 host-order
 * UINT32, IPv6 the 16 network-order bytes reversed (contexts.rst).
 */
static inline void wfp_traffic_set(IPSEC_TRAFFIC1 *t, bool tunnel,
				   const char *local, const char *remote)
{
	UINT8 l[16], r[16];
	int len = wfp_addr_bytes(local, l);

	wfp_addr_bytes(remote, r);
	memset(t, 0, sizeof(*t));
	t->trafficType = tunnel ? IPSEC_TRAFFIC_TYPE_TUNNEL :
				  IPSEC_TRAFFIC_TYPE_TRANSPORT;
	if (len == 4) {
		t->ipVersion = FWP_IP_VERSION_V4;
		t->localV4Address = ntohl(*(UINT32 *)(void *)l);
		t->remoteV4Address = ntohl(*(UINT32 *)(void *)r);
	} else {
		t->ipVersion = FWP_IP_VERSION_V6;
		wfp_reverse16(t->localV6Address, l);
		wfp_reverse16(t->remoteV6Address, r);
	}
}

/* The IPSEC_GETSPI1 that names the context's own traffic. */
static inline void wfp_getspi_set(IPSEC_GETSPI1 *g, const IPSEC_TRAFFIC1 *t)
{
	memset(g, 0, sizeof(*g));
	g->inboundIpsecTraffic = *t;
	g->ipVersion = t->ipVersion;
}

/* An AES-GCM-128 SA of the kernel form, its len-byte key at key. */
static inline void wfp_ksa_gcm(struct wfp_ipsec_sa *sa, __u32 spi,
			       const __u8 *key, __u32 len)
{
	memset(sa, 0, sizeof(*sa));
	sa->spi = spi;
	sa->transform_type = WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->auth_type = IPSEC_AUTH_AES_128;
	sa->auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
	sa->cipher_type = IPSEC_CIPHER_TYPE_AES_128;
	sa->cipher_config = IPSEC_CIPHER_CONFIG_GCM_AES_128;
	sa->cipher_key_len = len;
	sa->cipher_key = (__u64)(uintptr_t)key;
}

/* A /proc or /sys file's text, trailing newlines cut; 0 or -errno. */
static inline int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/*
 * fn(pid, task, arg) for each task of process pid, from /proc (none once
 * it is gone): to say where the tasks of a stuck process wait.
 */
static inline void wfp_each_task(pid_t pid,
				 void (*fn)(pid_t pid, const char *task,
					    void *arg),
				 void *arg)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			fn(pid, d->d_name, arg);
	closedir(dir);
}

/* /proc/pid/task/task/name as read_str() reads it; "" when it cannot. */
static inline void wfp_task_read(pid_t pid, const char *task,
				 const char *name, char *buf, size_t len)
{
	char path[320];

	snprintf(path, sizeof(path), "/proc/%d/task/%s/%s", (int)pid, task,
		 name);
	if (read_str(path, buf, len))
		buf[0] = 0;
}

/* Writes s to path in one write(); 0 or -errno. */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/*
 * Every context of the session's namespace, by IPsecSaContextEnum1, page
 * a call, fn on each (when not NULL): how many, or -1.
 */
static inline long enum_walk(HANDLE h, UINT32 page,
			     void (*fn)(const IPSEC_SA_CONTEXT1 *, void *),
			     void *arg)
{
	IPSEC_SA_CONTEXT1 **c;
	HANDLE eh = NULL;
	UINT32 n, i;
	long total = 0;

	if (IPsecSaContextCreateEnumHandle0(h, NULL, &eh))
		return -1;
	do {
		c = NULL;
		n = 0;
		if (IPsecSaContextEnum1(h, eh, page, &c, &n)) {
			total = -1;
			break;
		}
		for (i = 0; i < n; i++)
			if (fn)
				fn(c[i], arg);
		total += n;
		FwpmFreeMemory0((void **)&c);
	} while (n);
	IPsecSaContextDestroyEnumHandle0(h, eh);
	return total;
}

static inline long enum_count(HANDLE h)
{
	return enum_walk(h, 500, NULL, NULL);
}

/* An engine session with flags, waiting wait_ms for a transaction; NULL. */
static inline HANDLE engine_wait(UINT32 flags, UINT32 wait_ms)
{
	FWPM_SESSION0 s;
	HANDLE h = NULL;

	memset(&s, 0, sizeof(s));
	s.flags = flags;
	s.txnWaitTimeoutInMSec = wait_ms;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, &h))
		return NULL;
	return h;
}

static inline HANDLE engine(UINT32 flags)
{
	return engine_wait(flags, 0);
}

/*
 * The key of a test object: family (one per program) keeps the programs'
 * objects apart, n tells a program's own objects apart.
 */
static inline GUID wfp_test_key(UINT32 family, UINT8 n)
{
	GUID g = { family, 0x7e57, 0x4e57, { 0x80, 0x7e, 0x57, [7] = n } };

	return g;
}

/* A provider with key and nothing else the tests look at. */
static inline DWORD provider_add_key(HANDLE h, GUID key)
{
	FWPM_PROVIDER0 p;

	memset(&p, 0, sizeof(p));
	p.providerKey = key;
	p.displayData.name = L"wfp test provider";
	return FwpmProviderAdd0(h, &p, NULL);
}

/* A sublayer with key, of provider (NULL: none), weighing weight. */
static inline DWORD sublayer_add_key(HANDLE h, GUID key, GUID *provider,
				     UINT16 weight)
{
	FWPM_SUBLAYER0 s;

	memset(&s, 0, sizeof(s));
	s.subLayerKey = key;
	s.displayData.name = L"wfp test sublayer";
	s.providerKey = provider;
	s.weight = weight;
	return FwpmSubLayerAdd0(h, &s, NULL);
}

/*
 * What an object fixture's teardown removes: the sublayers, then the
 * providers (which sublayers may name), of keys wfp_test_key(family, i)
 * for i below n.
 */
static inline void wfp_test_keys_delete(HANDLE h, UINT32 family, int n)
{
	GUID k;
	int i;

	for (i = 0; i < n; i++) {
		k = wfp_test_key(family, (UINT8)i);
		FwpmSubLayerDeleteByKey0(h, &k);
	}
	for (i = 0; i < n; i++) {
		k = wfp_test_key(family, (UINT8)i);
		FwpmProviderDeleteByKey0(h, &k);
	}
}

/*
 * Defines static long name(HANDLE h, const TYPE_ENUM_TEMPLATE0 *t): how
 * many objects one FwpmObjEnum0 call of up to max returns with template
 * t; -1 when a call fails, -2 when ok(entry) is false for one (an entry
 * decoded wrongly).  Obj names the calls (Filter), TYPE the structures
 * (FWPM_FILTER); ok may be WFP_ENTRY_ANY.  A macro: the four object types
 * share no C type.
 */
#define WFP_LIB_COUNT(name, Obj, TYPE, max, ok)				\
static long name(HANDLE h, const TYPE##_ENUM_TEMPLATE0 *t)		\
{									\
	TYPE##0 **v = NULL;						\
	HANDLE eh = NULL;						\
	UINT32 n = 0;							\
	long ret;							\
									\
	if (Fwpm##Obj##CreateEnumHandle0(h, t, &eh))			\
		return -1;						\
	ret = Fwpm##Obj##Enum0(h, eh, max, &v, &n) ? -1 : (long)n;	\
	while (ret > 0 && n--)						\
		if (!ok(v[n]))						\
			ret = -2;					\
	FwpmFreeMemory0((void **)&v);					\
	Fwpm##Obj##DestroyEnumHandle0(h, eh);				\
	return ret;							\
}

#define WFP_ENTRY_ANY(entry) true

/* A subscription's callback for when the events do not matter. */
static inline void CALLBACK no_event(void *ctx,
				     const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	(void)ctx;
	(void)change;
}

/* A Windows code's name, for logs. */
static inline const char *code_name(DWORD rc)
{
	const char *n = WfpIpsecErrorName(rc);

	return n ? n : "?";
}

/*
 * Active objects of a slab cache, after asking it to shrink (else per-cpu
 * free objects count as active), or -1.  A cache merged into another has
 * no row of its own: the row of the cache its sysfs link points to.
 */
static inline long slab_active(const char *cache)
{
	char path[192], target[256], other[256], line[512], name[128];
	long active = -1, n;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s", cache);
	len = readlink(path, target, sizeof(target) - 1);
	target[len < 0 ? 0 : len] = 0;
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", cache);
	write_str(path, "1");
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (active == -1 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %ld", name, &n) != 2 || name[0] == '#')
			continue;
		if (!strcmp(name, cache)) {
			active = n;
			break;
		}
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", name);
		len = readlink(path, other, sizeof(other) - 1);
		if (len < 0 || !target[0])
			continue;
		other[len] = 0;
		if (!strcmp(other, target))
			active = n;
	}
	fclose(f);
	return active;
}

/* An IPv4 address, host order, as IPSEC_TRAFFIC1 keeps it. */
#define V4(a, b, c, d)	((UINT32)(a) << 24 | (UINT32)(b) << 16 | \
			 (UINT32)(c) << 8 | (UINT32)(d))

#endif /* WFP_UTIL_H */
