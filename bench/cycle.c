// SPDX-License-Identifier: GPL-2.0
/*
 * cycle - the measurements of `make bench` (bench/bench.sh runs it in the
 * VM).  One work unit is one SA-context cycle: Create1, SetSpi0,
 * AddInbound1, AddOutbound1, DeleteById0 - AES-GCM-128, transport mode,
 * IPv4 host to host: two xfrm states and the context's two policies made
 * and removed.
 *
 *   cycle rate CYCLES REPS     ours / peer / limit, interleaved
 *   cycle batch COUNT REPS     WfpIpsecSaContextCreateBatch0 vs single calls
 *   cycle lat LEVELS CALLS     GetById1, SetSpi0 at LEVELS contexts (no SPI)
 *   cycle latspi LEVELS CALLS  GetById1, SetSpi0 at LEVELS contexts with SPI
 *   cycle latsa LEVELS CALLS   SetSpi0, GetSpi1 and the peer's ALLOCSPI at
 *                              LEVELS xfrm SAs of another plane, and the
 *                              time in xfrm_state_add()/xfrm_alloc_spi()
 *   cycle readers CTXS REPS    GetById1 of 2 readers, idle vs with writers
 *   cycle mem COUNT            slab bytes per complete context
 *   cycle summary CSV          the table of every figure, from the CSV
 *
 * LEVELS is a comma-separated, ascending list of counts.  Each command
 * prints a human table, then its figures as CSV lines prefixed "csv,"
 * (columns section,series,x,stat,value,unit), the only channel out of the
 * VM.  Each measuring command works in a network namespace of its own
 * (own_netns()), removes the xfrm states it made, and exits non-zero when
 * a call it measures fails; the contexts of "lat" and "latspi" are left
 * to the module's reload (bench.sh), faster than a million DeleteById0.
 *
 * The variants of "rate":
 *   ours   the cycle through libwfpipsec (5 ioctls);
 *   raw    the same five ioctls made directly, with requests built once
 *          (only the id and the SPIs change per cycle): the module's and
 *          the crossings' share without the library's, so ours / raw is
 *          what the library costs and raw / limit what the module and
 *          the five crossings cost;
 *   peer   the same xfrm work from userspace over one NETLINK_XFRM socket,
 *          request and ack per message as `ip xfrm` does: ALLOCSPI with
 *          min = max, UPDSA over the larval state (inbound), NEWSA
 *          (outbound), NEWPOLICY OUT and IN with the selector, priority
 *          and template kmod/policy.c installs, DELSA x2, DELPOLICY x2;
 *   limit  WFP_IPSEC_IOC_BENCH_XFRM, the same work in a kernel loop
 *          (wfp_ipsec_bench.ko, bench/kmod/); "n/a" when that module is
 *          not loaded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <windows.h>
#include <fwpmu.h>
#include <wfpipsec.h>
#include <linux/wfp_ipsec.h>
#include <wfp_ipsec_bench.h>

#include "ftrace.h"

/*
 * WfpIpsecSaContextCreateBatch0 is measured only when wfpipsec.h says
 * it has it; otherwise "batch" reports n/a.
 */
#ifdef WFPIPSEC_HAVE_SA_CONTEXT_CREATE_BATCH0
#define HAVE_BATCH 1
#else
#define HAVE_BATCH 0
#endif

/* The cycle's host pair: 10.0.0.1 -> 10.0.0.2 (host order, as Windows). */
#define CYCLE_LOCAL	0x0a000001U
#define CYCLE_REMOTE	0x0a000002U
/* Contexts that only exist to be counted: 10.0.0.1 -> 11.x.y.z. */
#define FILL_REMOTE	0x0b000000U
/* The probe contexts the latency runs create, reserve and delete. */
#define PROBE_REMOTE	0x0c000001U
/* Background xfrm SAs of "latsa": 14.x.y.z -> 13.x.y.z, AH. */
#define BG_SRC		0x0e000000U
#define BG_DST		0x0d000000U

/* SPI ranges, apart so that no two kinds of reservation ever meet. */
#define SPI_CYCLE	0x00010000U
#define SPI_FILL	0x20000000U
#define SPI_BG		0x30000000U
#define SPI_PROBE	0x50000000U

/* kmod/policy.c's priority; the peer's reqid, outside kmod's range. */
#define POLICY_PRIO	0x8000
#define PEER_REQID	0x30000001U

#define KEY_LEN		20	/* AES-GCM-128: 16 of key, 4 of salt */
#define ICV_BITS	128

static const UINT8 key_in[KEY_LEN] = {
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
	0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23,
};

static const UINT8 key_out[KEY_LEN] = {
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39,
	0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0x42, 0x43,
};

/* ------------------------------------------------------------ helpers */

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "cycle: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A failed library call ends the run: a number from it would be wrong. */
static void check(const char *call, DWORD rc)
{
	const char *name;

	if (rc == ERROR_SUCCESS)
		return;
	name = WfpIpsecErrorName(rc);
	die("%s: %s (0x%08x)", call, name ? name : "?", (unsigned int)rc);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of n values (sorts them); the mean of the middle two when even. */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct lat {
	double median_us, p99_us;
};

/* Sorts the samples; p99 is the nearest-rank 99th percentile. */
static struct lat lat_of(uint64_t *ns, size_t n)
{
	struct lat l;
	size_t r99 = (size_t)ceil(0.99 * (double)n);

	qsort(ns, n, sizeof(*ns), cmp_u64);
	l.median_us = (n % 2 ? (double)ns[n / 2] :
		       ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2) / 1e3;
	l.p99_us = (double)ns[r99 ? r99 - 1 : 0] / 1e3;
	return l;
}

static void csv(const char *section, const char *series, unsigned long x,
		const char *stat, double value, const char *unit)
{
	printf("csv,%s,%s,%lu,%s,%.3f,%s\n", section, series, x, stat, value,
	       unit);
}

static void csv_na(const char *section, const char *series, unsigned long x,
		   const char *stat, const char *unit)
{
	printf("csv,%s,%s,%lu,%s,n/a,%s\n", section, series, x, stat, unit);
}

/* "1000,10000" -> counts; at most max of them, ascending. */
static size_t parse_levels(const char *s, unsigned long *out, size_t max)
{
	size_t n = 0;
	char *end;

	while (*s) {
		if (n == max)
			die("too many levels");
		out[n] = strtoul(s, &end, 0);
		if (end == s || !out[n] || (n && out[n] <= out[n - 1]))
			die("levels must be ascending positive counts: %s", s);
		n++;
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("bad level list");
	}
	if (!n)
		die("no levels");
	return n;
}

static unsigned long parse_count(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (*end || !v)
		die("bad count: %s", s);
	return v;
}

/* One xorshift64 step of *state: its new value. */
static uint64_t xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* The order of the GetById1 probes, the same every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return xorshift(&rnd_state);
}

/*
 * A line on the kernel console (the VM's console log), which the host
 * sees at once: the serial line carrying stdout reaches it in blocks.
 * For the long fills; best effort.
 */
static void __attribute__((format(printf, 1, 2)))
progress(const char *fmt, ...)
{
	static FILE *kmsg;
	va_list ap;

	if (!kmsg)
		kmsg = fopen("/dev/kmsg", "w");
	if (!kmsg)
		return;
	fprintf(kmsg, "<4>cycle: ");
	va_start(ap, fmt);
	vfprintf(kmsg, fmt, ap);
	va_end(ap);
	fputc('\n', kmsg);
	fflush(kmsg);
}

/* -------------------------------------------------------- libwfpipsec */

static HANDLE engine_open(void)
{
	FWPM_SESSION0 session;
	HANDLE h;

	/* Not dynamic: dynamic sessions may not create contexts. */
	memset(&session, 0, sizeof(session));
	check("FwpmEngineOpen0",
	      FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &h));
	return h;
}

static void traffic_v4(IPSEC_TRAFFIC1 *t, UINT32 local, UINT32 remote)
{
	memset(t, 0, sizeof(*t));
	t->ipVersion = FWP_IP_VERSION_V4;
	t->trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	t->localV4Address = local;
	t->remoteV4Address = remote;
}

/* One AES-GCM-128 SA as IKE daemons hand it to Windows; no lifetimes. */
struct gcm_bundle {
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 info;
};

static void gcm_bundle_init(struct gcm_bundle *g, IPSEC_SA_SPI spi,
			    const UINT8 *key)
{
	IPSEC_SA_CIPHER_INFORMATION0 *ci = &g->info.saCipherInformation;
	IPSEC_SA_AUTH_INFORMATION0 *ai = &g->info.saAuthInformation;

	memset(g, 0, sizeof(*g));
	ci->cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_128;
	ci->cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_GCM_AES_128;
	ci->cipherKey.size = KEY_LEN;
	ci->cipherKey.data = (UINT8 *)key;
	ai->authTransform.authTransformId.authType = IPSEC_AUTH_AES_128;
	ai->authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_GCM_AES_128;
	ai->authKey = ci->cipherKey;
	g->sa.spi = spi;
	g->sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	g->sa.espAuthAndCipherInformation = &g->info;
	g->b.numSAs = 1;
	g->b.saList = &g->sa;
	g->b.ipVersion = FWP_IP_VERSION_V4;
}

static UINT64 ctx_create(HANDLE h, UINT32 remote)
{
	IPSEC_TRAFFIC1 t;
	UINT64 id;

	traffic_v4(&t, CYCLE_LOCAL, remote);
	check("IPsecSaContextCreate1",
	      IPsecSaContextCreate1(h, &t, NULL, NULL, &id));
	return id;
}

static DWORD ctx_set_spi(HANDLE h, UINT64 id, UINT32 remote, IPSEC_SA_SPI spi)
{
	IPSEC_GETSPI1 g;

	memset(&g, 0, sizeof(g));
	traffic_v4(&g.inboundIpsecTraffic, CYCLE_LOCAL, remote);
	g.ipVersion = FWP_IP_VERSION_V4;
	return IPsecSaContextSetSpi0(h, id, &g, spi);
}

/* Create, SetSpi0, AddInbound1, AddOutbound1: one complete context. */
static UINT64 ctx_complete(HANDLE h, UINT32 remote, IPSEC_SA_SPI in,
			   IPSEC_SA_SPI out)
{
	static struct gcm_bundle bin, bout;
	UINT64 id = ctx_create(h, remote);

	check("IPsecSaContextSetSpi0", ctx_set_spi(h, id, remote, in));
	gcm_bundle_init(&bin, in, key_in);
	check("IPsecSaContextAddInbound1",
	      IPsecSaContextAddInbound1(h, id, &bin.b));
	gcm_bundle_init(&bout, out, key_out);
	check("IPsecSaContextAddOutbound1",
	      IPsecSaContextAddOutbound1(h, id, &bout.b));
	return id;
}

static void ctx_delete(HANDLE h, UINT64 id)
{
	check("IPsecSaContextDeleteById0", IPsecSaContextDeleteById0(h, id));
}

/* ------------------------------------------------------- xfrm netlink */

struct nl {
	int fd;
	__u32 seq;
};

struct nlbuf {
	struct nlmsghdr nh;
	char space[2048];
};

static void nl_open(struct nl *nl)
{
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (nl->fd < 0)
		die("socket(NETLINK_XFRM): %s", strerror(errno));
	nl->seq = 0;
}

static void *nl_init(struct nlbuf *m, __u16 type, __u16 flags, size_t len)
{
	memset(m, 0, sizeof(m->nh) + NLMSG_ALIGN(len));
	m->nh.nlmsg_len = NLMSG_LENGTH(len);
	m->nh.nlmsg_type = type;
	m->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	return NLMSG_DATA(&m->nh);
}

static void *nl_attr(struct nlbuf *m, __u16 type, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)&m->nh +
					     NLMSG_ALIGN(m->nh.nlmsg_len));

	if (NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) >
	    sizeof(*m))
		die("netlink message too long");
	memset(a, 0, NLA_HDRLEN + NLA_ALIGN(len));
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	m->nh.nlmsg_len = NLMSG_ALIGN(m->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
	return (char *)a + NLA_HDRLEN;
}

/*
 * Sends the request and waits for its answer: the ack (NLMSG_ERROR, 0
 * or -errno) or, for ALLOCSPI, the state.  Returns 0 or -errno.
 */
static int nl_talk(struct nl *nl, struct nlbuf *m)
{
	static char buf[16384];
	struct nlmsghdr *nh;
	ssize_t len;

	m->nh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, &m->nh, m->nh.nlmsg_len, 0) < 0)
		die("netlink send: %s", strerror(errno));
	for (;;) {
		len = recv(nl->fd, buf, sizeof(buf), 0);
		if (len < 0)
			die("netlink recv: %s", strerror(errno));
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_seq != nl->seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			return 0;
		}
	}
}

static void nl_must(const char *what, int err)
{
	if (err)
		die("xfrm netlink %s: %s", what, strerror(-err));
}

static void addr4(xfrm_address_t *a, UINT32 host_order)
{
	memset(a, 0, sizeof(*a));
	a->a4 = htonl(host_order);
}

/* Host-pair selector from src to dst, as kmod/policy.c builds it. */
static void sel4(struct xfrm_selector *sel, UINT32 src, UINT32 dst)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = AF_INET;
	addr4(&sel->saddr, src);
	addr4(&sel->daddr, dst);
	sel->prefixlen_s = 32;
	sel->prefixlen_d = 32;
}

static void lft_inf(struct xfrm_lifetime_cfg *l)
{
	memset(l, 0, sizeof(*l));
	l->soft_byte_limit = XFRM_INF;
	l->hard_byte_limit = XFRM_INF;
	l->soft_packet_limit = XFRM_INF;
	l->hard_packet_limit = XFRM_INF;
}

/* The ESP state kmod/sa.c builds for a bundle, as NEWSA/UPDSA carry it. */
static void peer_sa(struct nl *nl, __u16 type, bool inbound, UINT32 spi,
		    const UINT8 *key)
{
	UINT32 src = inbound ? CYCLE_REMOTE : CYCLE_LOCAL;
	UINT32 dst = inbound ? CYCLE_LOCAL : CYCLE_REMOTE;
	struct xfrm_usersa_info *p;
	struct xfrm_algo_aead *aead;
	struct nlbuf m;

	p = nl_init(&m, type, NLM_F_ACK, sizeof(*p));
	sel4(&p->sel, src, dst);
	addr4(&p->id.daddr, dst);
	p->id.spi = htonl(spi);
	p->id.proto = IPPROTO_ESP;
	addr4(&p->saddr, src);
	lft_inf(&p->lft);
	p->reqid = PEER_REQID;
	p->family = AF_INET;
	p->mode = XFRM_MODE_TRANSPORT;
	p->replay_window = inbound ? 32 : 0;
	aead = nl_attr(&m, XFRMA_ALG_AEAD, sizeof(*aead) + KEY_LEN);
	strcpy(aead->alg_name, "rfc4106(gcm(aes))");
	aead->alg_key_len = KEY_LEN * 8;
	aead->alg_icv_len = ICV_BITS;
	memcpy(aead->alg_key, key, KEY_LEN);
	nl_must(type == XFRM_MSG_UPDSA ? "UPDSA" : "NEWSA", nl_talk(nl, &m));
}

static void peer_policy(struct nl *nl, bool inbound)
{
	struct xfrm_userpolicy_info *p;
	struct xfrm_user_tmpl *t;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_NEWPOLICY, NLM_F_ACK, sizeof(*p));
	if (inbound)
		sel4(&p->sel, CYCLE_REMOTE, CYCLE_LOCAL);
	else
		sel4(&p->sel, CYCLE_LOCAL, CYCLE_REMOTE);
	lft_inf(&p->lft);
	p->priority = POLICY_PRIO;
	p->dir = inbound ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
	p->action = XFRM_POLICY_ALLOW;
	p->share = XFRM_SHARE_ANY;
	t = nl_attr(&m, XFRMA_TMPL, sizeof(*t));
	t->id.proto = IPPROTO_ESP;
	t->family = AF_INET;
	t->reqid = PEER_REQID;
	t->mode = XFRM_MODE_TRANSPORT;
	t->share = XFRM_SHARE_ANY;
	t->aalgos = ~0U;
	t->ealgos = ~0U;
	t->calgos = ~0U;
	nl_must("NEWPOLICY", nl_talk(nl, &m));
}

static void peer_del_sa(struct nl *nl, UINT32 dst, UINT32 spi)
{
	struct xfrm_usersa_id *p;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_DELSA, NLM_F_ACK, sizeof(*p));
	addr4(&p->daddr, dst);
	p->spi = htonl(spi);
	p->family = AF_INET;
	p->proto = IPPROTO_ESP;
	nl_must("DELSA", nl_talk(nl, &m));
}

static void peer_del_policy(struct nl *nl, bool inbound)
{
	struct xfrm_userpolicy_id *p;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_DELPOLICY, NLM_F_ACK, sizeof(*p));
	if (inbound)
		sel4(&p->sel, CYCLE_REMOTE, CYCLE_LOCAL);
	else
		sel4(&p->sel, CYCLE_LOCAL, CYCLE_REMOTE);
	p->dir = inbound ? XFRM_POLICY_IN : XFRM_POLICY_OUT;
	nl_must("DELPOLICY", nl_talk(nl, &m));
}

/* ALLOCSPI with min = max: what SetSpi0 asks xfrm for. */
static void peer_allocspi(struct nl *nl, UINT32 spi)
{
	struct xfrm_userspi_info *p;
	struct nlbuf m;

	/* `ip xfrm state allocspi` takes the state back, no ack. */
	p = nl_init(&m, XFRM_MSG_ALLOCSPI, 0, sizeof(*p));
	p->info.family = AF_INET;
	addr4(&p->info.id.daddr, CYCLE_LOCAL);
	p->info.id.proto = IPPROTO_ESP;
	addr4(&p->info.saddr, CYCLE_REMOTE);
	p->info.mode = XFRM_MODE_TRANSPORT;
	p->info.reqid = PEER_REQID;
	p->min = spi;
	p->max = spi;
	nl_must("ALLOCSPI", nl_talk(nl, &m));
}

/* AH with digest_null: the cheapest state xfrm takes (bench-spi's too). */
static void bg_sa_add(struct nl *nl, unsigned long i)
{
	struct xfrm_usersa_info *p;
	struct xfrm_algo *alg;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_NEWSA, NLM_F_ACK, sizeof(*p));
	addr4(&p->id.daddr, BG_DST + (UINT32)i);
	p->id.spi = htonl(SPI_BG + (UINT32)i);
	p->id.proto = IPPROTO_AH;
	addr4(&p->saddr, BG_SRC + (UINT32)i);
	lft_inf(&p->lft);
	p->family = AF_INET;
	p->mode = XFRM_MODE_TRANSPORT;
	alg = nl_attr(&m, XFRMA_ALG_AUTH, sizeof(*alg));
	strcpy(alg->alg_name, "digest_null");
	nl_must("NEWSA (background AH)", nl_talk(nl, &m));
}

static void bg_sa_flush(struct nl *nl)
{
	struct xfrm_usersa_flush *p;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_FLUSHSA, NLM_F_ACK, sizeof(*p));
	p->proto = IPPROTO_AH;
	nl_must("FLUSHSA", nl_talk(nl, &m));
}

/* xfrm's own count of the namespace's states (GETSADINFO). */
static unsigned long xfrm_state_count(struct nl *nl)
{
	static char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct nlattr *a;
	struct nlbuf m;
	ssize_t len;
	int rem;

	nl_init(&m, XFRM_MSG_GETSADINFO, 0, sizeof(__u32));
	m.nh.nlmsg_seq = ++nl->seq;
	if (send(nl->fd, &m.nh, m.nh.nlmsg_len, 0) < 0)
		die("netlink send: %s", strerror(errno));
	len = recv(nl->fd, buf, sizeof(buf), 0);
	if (len < 0 || !NLMSG_OK(nh, (size_t)len) ||
	    nh->nlmsg_type != XFRM_MSG_NEWSADINFO)
		die("GETSADINFO: no answer");
	a = (struct nlattr *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(__u32)));
	rem = (int)nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(__u32)));
	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == XFRMA_SAD_CNT)
			return *(__u32 *)((char *)a + NLA_HDRLEN);
	die("GETSADINFO: no XFRMA_SAD_CNT");
}

/* ------------------------------------------------------------- rate */

static double run_ours(HANDLE h, unsigned long n, UINT32 spi_base)
{
	struct gcm_bundle bin, bout;
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	unsigned long i;
	uint64_t t0;
	UINT64 id;

	traffic_v4(&t, CYCLE_LOCAL, CYCLE_REMOTE);
	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t;
	g.ipVersion = FWP_IP_VERSION_V4;
	gcm_bundle_init(&bin, 0, key_in);
	gcm_bundle_init(&bout, 0, key_out);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		bin.sa.spi = spi_base + 2 * (UINT32)i;
		bout.sa.spi = bin.sa.spi + 1;
		check("IPsecSaContextCreate1",
		      IPsecSaContextCreate1(h, &t, NULL, NULL, &id));
		check("IPsecSaContextSetSpi0",
		      IPsecSaContextSetSpi0(h, id, &g, bin.sa.spi));
		check("IPsecSaContextAddInbound1",
		      IPsecSaContextAddInbound1(h, id, &bin.b));
		check("IPsecSaContextAddOutbound1",
		      IPsecSaContextAddOutbound1(h, id, &bout.b));
		check("IPsecSaContextDeleteById0",
		      IPsecSaContextDeleteById0(h, id));
	}
	return (double)(now_ns() - t0) / 1e9;
}

static double run_peer(struct nl *nl, unsigned long n, UINT32 spi_base)
{
	unsigned long i;
	uint64_t t0;
	UINT32 in;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		in = spi_base + 2 * (UINT32)i;
		peer_allocspi(nl, in);
		peer_sa(nl, XFRM_MSG_UPDSA, true, in, key_in);
		peer_sa(nl, XFRM_MSG_NEWSA, false, in + 1, key_out);
		peer_policy(nl, false);
		peer_policy(nl, true);
		peer_del_sa(nl, CYCLE_LOCAL, in);
		peer_del_sa(nl, CYCLE_REMOTE, in + 1);
		peer_del_policy(nl, false);
		peer_del_policy(nl, true);
	}
	return (double)(now_ns() - t0) / 1e9;
}

/*
 * The requests of the raw cycle, in the kernel form the library would
 * make of run_ours()'s arguments (lib/traffic.c, lib/sa.c): IPv4
 * addresses in network order, the key blob given as cipher and auth key.
 */
struct raw_cycle {
	struct wfp_ipsec_ctx_create create;
	struct wfp_ipsec_spi spi;
	struct wfp_ipsec_ctx_add add[2];	/* inbound, outbound */
	struct wfp_ipsec_ctx_id del;
};

static void raw_sa(struct wfp_ipsec_ctx_add *a, const UINT8 *key)
{
	struct wfp_ipsec_sa *sa = &a->bundle.sas[0];

	memset(a, 0, sizeof(*a));
	a->bundle.num_sas = 1;
	sa->transform_type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->auth_type = IPSEC_AUTH_AES_128;
	sa->auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
	sa->cipher_type = IPSEC_CIPHER_TYPE_AES_128;
	sa->cipher_config = IPSEC_CIPHER_CONFIG_GCM_AES_128;
	sa->auth_key_len = KEY_LEN;
	sa->cipher_key_len = KEY_LEN;
	sa->auth_key = (__u64)(uintptr_t)key;
	sa->cipher_key = (__u64)(uintptr_t)key;
}

static void raw_init(struct raw_cycle *c)
{
	struct wfp_ipsec_traffic *t = &c->create.traffic;
	UINT32 local = htonl(CYCLE_LOCAL), remote = htonl(CYCLE_REMOTE);

	memset(c, 0, sizeof(*c));
	t->ip_version = WFP_IPSEC_IPV4;
	t->traffic_type = WFP_IPSEC_TRAFFIC_TRANSPORT;
	memcpy(t->local_addr, &local, sizeof(local));
	memcpy(t->remote_addr, &remote, sizeof(remote));
	c->spi.inbound = *t;
	raw_sa(&c->add[0], key_in);
	raw_sa(&c->add[1], key_out);
}

static void raw_ioctl(int fd, const char *what, unsigned long cmd, void *arg)
{
	if (ioctl(fd, cmd, arg))
		die("%s: %s", what, strerror(errno));
}

static double run_raw(int fd, unsigned long n, UINT32 spi_base)
{
	struct raw_cycle c;
	unsigned long i;
	uint64_t t0;

	raw_init(&c);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		raw_ioctl(fd, "CTX_CREATE", WFP_IPSEC_IOC_CTX_CREATE,
			  &c.create);
		c.spi.id = c.create.id;
		c.spi.spi = spi_base + 2 * (UINT32)i;
		raw_ioctl(fd, "CTX_SET_SPI", WFP_IPSEC_IOC_CTX_SET_SPI,
			  &c.spi);
		c.add[0].id = c.create.id;
		c.add[0].bundle.sas[0].spi = c.spi.spi;
		raw_ioctl(fd, "CTX_ADD_INBOUND", WFP_IPSEC_IOC_CTX_ADD_INBOUND,
			  &c.add[0]);
		c.add[1].id = c.create.id;
		c.add[1].bundle.sas[0].spi = c.spi.spi + 1;
		raw_ioctl(fd, "CTX_ADD_OUTBOUND",
			  WFP_IPSEC_IOC_CTX_ADD_OUTBOUND, &c.add[1]);
		c.del.id = c.create.id;
		raw_ioctl(fd, "CTX_DELETE", WFP_IPSEC_IOC_CTX_DELETE, &c.del);
	}
	return (double)(now_ns() - t0) / 1e9;
}

/* Seconds, or a negative errno; ENOTTY: the module has no such loop. */
/* A request for n cycles of the kernel loop from CYCLE_LOCAL to remote. */
static void bench_req(struct wfp_ipsec_bench_xfrm *b, unsigned long n,
		      UINT32 spi_base, UINT32 flags, UINT32 remote)
{
	memset(b, 0, sizeof(*b));
	b->cycles = (__u32)n;
	b->flags = flags;
	b->spi_base = spi_base;
	*(UINT32 *)(void *)b->local = htonl(CYCLE_LOCAL);
	*(UINT32 *)(void *)b->remote = htonl(remote);
}

/*
 * The bench module's device, opened in the measuring namespace (the loop
 * works in its opener's): a descriptor, or -errno (-ENOENT: the module is
 * not loaded, and the kernel loop's figures are n/a).
 */
static int bench_open(void)
{
	int fd = open(WFP_IPSEC_BENCH_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Why the kernel loop has no figure; only a loop that failed is an error. */
static const char *limit_why(int err)
{
	return err == ENOENT ? "wfp_ipsec_bench.ko is not loaded" :
	       strerror(err);
}

static double run_limit(int bfd, unsigned long n, UINT32 spi_base)
{
	struct wfp_ipsec_bench_xfrm b;
	uint64_t t0, wall;

	if (bfd < 0)
		return bfd;
	bench_req(&b, n, spi_base, 0, CYCLE_REMOTE);
	t0 = now_ns();
	if (ioctl(bfd, WFP_IPSEC_IOC_BENCH_XFRM, &b))
		return -errno;
	wall = now_ns() - t0;
	/* The loop's own clock; the call's when it reports none. */
	return (double)(b.elapsed_ns ? b.elapsed_ns : wall) / 1e9;
}

/*
 * Seconds until xfrm has freed every state deleted so far
 * (WFP_IPSEC_BENCH_F_SETTLE; 0 without the module).  xfrm frees states
 * in a work item after an RCU grace period: separate calls pay for it as
 * they go, a loop in one system call only when it returns, so every
 * measured run ends with this and starts after it.
 */
static double run_settle(int bfd)
{
	struct wfp_ipsec_bench_xfrm b;
	uint64_t t0;

	memset(&b, 0, sizeof(b));
	b.flags = WFP_IPSEC_BENCH_F_SETTLE;
	t0 = now_ns();
	if (bfd < 0 || ioctl(bfd, WFP_IPSEC_IOC_BENCH_XFRM, &b))
		return 0;
	return (double)(now_ns() - t0) / 1e9;
}

/*
 * Seconds for n null ioctls: a command number the module does not know,
 * refused (ENOTTY) before any argument is copied - the crossing alone,
 * which any API of separate calls pays once per call.
 */
static double run_null(int fd, unsigned long n)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++)
		if (ioctl(fd, _IO(WFP_IPSEC_IOC_TYPE, 0x3f)) != -1 ||
		    errno != ENOTTY)
			die("null ioctl: not ENOTTY");
	return (double)(now_ns() - t0) / 1e9;
}

/*
 * The limit a five-call API can reach: the kernel loop's time plus five
 * null crossings per cycle, measured right after it.
 */
static double run_limitx(int fd, int bfd, unsigned long n, UINT32 spi_base)
{
	double s = run_limit(bfd, n, spi_base);

	return s < 0 ? s : s + run_null(fd, 5 * n);
}

enum { V_OURS, V_RAW, V_PEER, V_LIMIT, V_LIMITX, V_N };
static const char *const vname[V_N] = { "ours", "raw", "peer", "limit",
					"limit+x" };

#define MAX_REPS	64

struct spread {
	double med, min, max;
};

static struct spread spread_of(const double *v, unsigned long n)
{
	double s[MAX_REPS];
	struct spread sp;

	memcpy(s, v, n * sizeof(*v));
	sp.med = median(s, n);
	sp.min = s[0];
	sp.max = s[n - 1];
	return sp;
}

static void csv_spread(const char *section, const char *series,
		       unsigned long x, struct spread sp, const char *unit)
{
	csv(section, series, x, "median", sp.med, unit);
	csv(section, series, x, "min", sp.min, unit);
	csv(section, series, x, "max", sp.max, unit);
}

/*
 * A ratio: of the medians, with the spread of the per-repetition ratios
 * (runs a and b of one repetition ran back to back).
 */
static void ratio_report(const char *name, const double *a, const double *b,
			 unsigned long reps, unsigned long x)
{
	double r[MAX_REPS], ma[MAX_REPS], mb[MAX_REPS];
	struct spread sp;
	unsigned long i;

	for (i = 0; i < reps; i++)
		r[i] = a[i] / b[i];
	sp = spread_of(r, reps);
	memcpy(ma, a, reps * sizeof(*a));
	memcpy(mb, b, reps * sizeof(*b));
	sp.med = median(ma, reps) / median(mb, reps);
	csv_spread("ratio", name, x, sp, "x");
	printf("%-14s %10.3f   (per repetition %.3f - %.3f)\n", name, sp.med,
	       sp.min, sp.max);
}

static int cmd_rate(unsigned long n, unsigned long reps)
{
	double rate[V_N][MAX_REPS];
	int limit_err = 0, fd, bfd, v, ret = 0;
	UINT32 spi = SPI_CYCLE, warm = n < 50 ? (UINT32)n : 50;
	struct spread sp;
	unsigned long r;
	struct nl nl;
	HANDLE h;
	double s;
	char x[32];

	if (reps < 1 || reps > MAX_REPS)
		die("REPS must be 1..%d", MAX_REPS);
	if ((uint64_t)n * 2 * (V_N * reps + V_N) > 0x10000000ULL)
		die("too many cycles for the SPI range");
	h = engine_open();
	check("WfpIpsecEngineGetFd", WfpIpsecEngineGetFd(h, &fd));
	bfd = bench_open();
	nl_open(&nl);

	/* Warm-up, not counted: algorithm lookups, crypto templates, caches. */
	run_ours(h, warm, spi);
	run_raw(fd, warm, spi + 2 * warm);
	run_peer(&nl, warm, spi + 4 * warm);
	s = run_limit(bfd, warm, spi + 6 * warm);
	if (s < 0)
		limit_err = (int)-s;
	spi += 8 * warm;

	printf("SA-context cycle: Create1, SetSpi0, AddInbound1, AddOutbound1, DeleteById0\n"
	       "(AES-GCM-128, transport, IPv4), %lu cycles per run, %lu repetitions,\n"
	       "interleaved ours, raw, peer, limit, limit+x\n", n, reps);
	printf("%-5s %-6s %12s %10s\n", "rep", "who", "cycles/s", "us/cycle");
	for (r = 0; r < reps; r++) {
		for (v = 0; v < V_N; v++, spi += 2 * (UINT32)n) {
			run_settle(bfd);
			if (v == V_OURS)
				s = run_ours(h, n, spi);
			else if (v == V_RAW)
				s = run_raw(fd, n, spi);
			else if (v == V_PEER)
				s = run_peer(&nl, n, spi);
			else if (limit_err)
				s = -limit_err;
			else if (v == V_LIMIT)
				s = run_limit(bfd, n, spi);
			else
				s = run_limitx(fd, bfd, n, spi);
			if (s < 0) {
				limit_err = (int)-s;
				printf("%-5lu %-6s %12s\n", r + 1, vname[v], "n/a");
				continue;
			}
			s += run_settle(bfd);
			rate[v][r] = (double)n / s;
			snprintf(x, sizeof(x), "rep%lu", r + 1);
			csv("rate", vname[v], n, x, rate[v][r], "cycles/s");
			printf("%-5lu %-6s %12.1f %10.1f\n", r + 1, vname[v],
			       rate[v][r], s * 1e6 / (double)n);
		}
	}
	printf("%-14s %10s %12s %12s\n", "", "median", "min", "max");
	for (v = 0; v < V_N; v++) {
		if (v >= V_LIMIT && limit_err) {
			csv_na("rate", vname[v], n, "median", "cycles/s");
			printf("%-14s %10s   (%s)\n", vname[v], "n/a",
			       limit_why(limit_err));
			continue;
		}
		sp = spread_of(rate[v], reps);
		csv_spread("rate", vname[v], n, sp, "cycles/s");
		printf("%-14s %10.1f %12.1f %12.1f cycles/s\n", vname[v], sp.med,
		       sp.min, sp.max);
	}
	printf("ratios (targets: ours/peer >= 1.5, ours/limit+x >= 0.9)\n");
	ratio_report("ours/peer", rate[V_OURS], rate[V_PEER], reps, n);
	if (limit_err) {
		csv_na("ratio", "ours/limit", n, "median", "x");
		printf("%-14s %10s\n", "ours/limit", "n/a");
		csv_na("ratio", "ours/limit+x", n, "median", "x");
		printf("%-14s %10s\n", "ours/limit+x", "n/a");
		csv_na("ratio", "raw/limit", n, "median", "x");
		printf("%-14s %10s\n", "raw/limit", "n/a");
	} else {
		ratio_report("ours/limit", rate[V_OURS], rate[V_LIMIT], reps, n);
		ratio_report("ours/limit+x", rate[V_OURS], rate[V_LIMITX],
			     reps, n);
		ratio_report("raw/limit", rate[V_RAW], rate[V_LIMIT], reps, n);
	}
	ratio_report("ours/raw", rate[V_OURS], rate[V_RAW], reps, n);
	if (xfrm_state_count(&nl))
		die("xfrm states left behind");
	if (limit_err && limit_err != ENOENT) {
		fprintf(stderr, "cycle: WFP_IPSEC_IOC_BENCH_XFRM: %s\n",
			strerror(limit_err));
		ret = 1;
	}
	if (bfd >= 0)
		close(bfd);
	close(nl.fd);
	FwpmEngineClose0(h);
	return ret;
}

/* ------------------------------------------------------------ batch */

#if HAVE_BATCH
/* The single calls of ctx_complete(), n contexts, SPIs from spi_base. */
static double batch_single(HANDLE h, unsigned long n, UINT32 spi_base,
			   UINT64 *ids)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	for (i = 0; i < n; i++)
		ids[i] = ctx_complete(h, FILL_REMOTE + (UINT32)i,
				      spi_base + 2 * (UINT32)i,
				      spi_base + 2 * (UINT32)i + 1);
	return (double)(now_ns() - t0) / 1e9;
}

/* The same n contexts in one WfpIpsecSaContextCreateBatch0 call. */
static double batch_batch(HANDLE h, unsigned long n, UINT32 spi_base,
			  UINT64 *ids)
{
	WFP_IPSEC_SA_CONTEXT_BATCH_ENTRY0 *e = xcalloc(n, sizeof(*e));
	struct gcm_bundle *bin = xcalloc(n, sizeof(*bin));
	struct gcm_bundle *bout = xcalloc(n, sizeof(*bout));
	IPSEC_TRAFFIC1 *t = xcalloc(n, sizeof(*t));
	UINT32 done = 0;
	unsigned long i;
	uint64_t t0;
	double s;

	/* What a caller has ready before the call: not timed. */
	for (i = 0; i < n; i++) {
		traffic_v4(&t[i], CYCLE_LOCAL, FILL_REMOTE + (UINT32)i);
		gcm_bundle_init(&bin[i], spi_base + 2 * (UINT32)i, key_in);
		gcm_bundle_init(&bout[i], spi_base + 2 * (UINT32)i + 1, key_out);
		e[i].traffic = &t[i];
		e[i].inboundSpi = bin[i].sa.spi;
		e[i].inboundBundle = &bin[i].b;
		e[i].outboundBundle = &bout[i].b;
	}
	t0 = now_ns();
	check("WfpIpsecSaContextCreateBatch0",
	      WfpIpsecSaContextCreateBatch0(h, (UINT32)n, e, &done));
	s = (double)(now_ns() - t0) / 1e9;
	if (done != n)
		die("WfpIpsecSaContextCreateBatch0: %u of %lu succeeded",
		    (unsigned int)done, n);
	for (i = 0; i < n; i++) {
		if (e[i].status != ERROR_SUCCESS ||
		    e[i].allocatedSpi != e[i].inboundSpi)
			die("batch entry %lu: status 0x%08x, SPI 0x%08x", i,
			    (unsigned int)e[i].status,
			    (unsigned int)e[i].allocatedSpi);
		ids[i] = e[i].id;
	}
	free(t);
	free(bout);
	free(bin);
	free(e);
	return s;
}
#endif

/* Every ESP state and every policy of the namespace: what KEEP left. */
static void kernel_flush(struct nl *nl)
{
	struct xfrm_usersa_flush *p;
	struct nlbuf m;

	p = nl_init(&m, XFRM_MSG_FLUSHSA, NLM_F_ACK, sizeof(*p));
	p->proto = IPPROTO_ESP;
	nl_must("FLUSHSA", nl_talk(nl, &m));
	nl_init(&m, XFRM_MSG_FLUSHPOLICY, NLM_F_ACK, 0);
	nl_must("FLUSHPOLICY", nl_talk(nl, &m));
}

/*
 * The same n installs in the module's kernel loop, kept (BENCH_F_KEEP)
 * and flushed after: seconds, or a negative errno (ENOENT: no loop).
 */
static double batch_kernel(int bfd, struct nl *nl, unsigned long n,
			   UINT32 spi_base)
{
	struct wfp_ipsec_bench_xfrm b;
	double s;

	if (bfd < 0)
		return bfd;
	bench_req(&b, n, spi_base, WFP_IPSEC_BENCH_F_KEEP, FILL_REMOTE);
	if (ioctl(bfd, WFP_IPSEC_IOC_BENCH_XFRM, &b))
		return -errno;
	s = (double)b.elapsed_ns / 1e9 + run_settle(bfd);
	kernel_flush(nl);
	return s;
}

static int cmd_batch(unsigned long n, unsigned long reps)
{
#if HAVE_BATCH
	double single[MAX_REPS], batch[MAX_REPS], kernel[MAX_REPS], s;
	UINT64 *ids = xcalloc(n, sizeof(*ids));
	UINT32 spi = SPI_FILL;
	unsigned long r, i;
	int k, bfd, kernel_err = 0;
	struct spread sp;
	struct nl nl;
	HANDLE h;
	char x[32];

	if (reps < 1 || reps > MAX_REPS)
		die("REPS must be 1..%d", MAX_REPS);
	h = engine_open();
	bfd = bench_open();
	nl_open(&nl);
	printf("Install of %lu complete contexts: Create1+SetSpi0+AddInbound1+AddOutbound1\n"
	       "per context (single) vs one WfpIpsecSaContextCreateBatch0 (batch)\n"
	       "vs the kernel loop's installs (BENCH_F_KEEP); deletion not timed;\n"
	       "%lu repetitions, rotating which goes first\n", n, reps);
	printf("%-5s %-7s %14s\n", "rep", "how", "contexts/s");
	/* Warm-up, not counted. */
	for (k = 0; k < 2; k++) {
		if (k)
			batch_batch(h, n < 20 ? n : 20, spi, ids);
		else
			batch_single(h, n < 20 ? n : 20, spi, ids);
		for (i = 0; i < (n < 20 ? n : 20); i++)
			ctx_delete(h, ids[i]);
	}
	for (r = 0; r < reps; r++) {
		snprintf(x, sizeof(x), "rep%lu", r + 1);
		/* Which goes first rotates: none always follows another's
		 * deletions.
		 */
		for (k = 0; k < 3; k++) {
			run_settle(bfd);
			switch ((k + r) % 3) {
			case 0:
				s = batch_single(h, n, spi, ids) +
				    run_settle(bfd);
				single[r] = (double)n / s;
				break;
			case 1:
				s = batch_batch(h, n, spi, ids) + run_settle(bfd);
				batch[r] = (double)n / s;
				break;
			default:
				s = kernel_err ? -kernel_err :
				    batch_kernel(bfd, &nl, n, spi);
				kernel_err = s < 0 ? (int)-s : 0;
				kernel[r] = s < 0 ? NAN : (double)n / s;
				continue;
			}
			for (i = 0; i < n; i++)
				ctx_delete(h, ids[i]);
		}
		csv("batch", "single", n, x, single[r], "contexts/s");
		csv("batch", "batch", n, x, batch[r], "contexts/s");
		if (!kernel_err)
			csv("batch", "kernel", n, x, kernel[r], "contexts/s");
		printf("%-5lu %-7s %14.1f\n%-5lu %-7s %14.1f\n%-5lu %-7s %14.1f\n",
		       r + 1, "single", single[r], r + 1, "batch", batch[r],
		       r + 1, "kernel", kernel[r]);
	}
	sp = spread_of(single, reps);
	csv_spread("batch", "single", n, sp, "contexts/s");
	printf("single median %.1f (%.1f - %.1f) contexts/s\n", sp.med, sp.min,
	       sp.max);
	sp = spread_of(batch, reps);
	csv_spread("batch", "batch", n, sp, "contexts/s");
	printf("batch  median %.1f (%.1f - %.1f) contexts/s\n", sp.med, sp.min,
	       sp.max);
	if (kernel_err) {
		csv_na("batch", "kernel", n, "median", "contexts/s");
		csv_na("ratio", "batch/kernel", n, "median", "x");
		printf("kernel n/a (%s)\n", limit_why(kernel_err));
	} else {
		sp = spread_of(kernel, reps);
		csv_spread("batch", "kernel", n, sp, "contexts/s");
		printf("kernel median %.1f (%.1f - %.1f) contexts/s\n", sp.med,
		       sp.min, sp.max);
	}
	printf("ratios (targets: batch/single >= 3, batch/kernel >= 0.8)\n");
	ratio_report("batch/single", batch, single, reps, n);
	if (!kernel_err)
		ratio_report("batch/kernel", batch, kernel, reps, n);
	if (xfrm_state_count(&nl))
		die("xfrm states left behind");
	if (bfd >= 0)
		close(bfd);
	close(nl.fd);
	FwpmEngineClose0(h);
	free(ids);
#else
	(void)reps;
	printf("batch: n/a (wfpipsec.h declares no WfpIpsecSaContextCreateBatch0:\n"
	       "       WFPIPSEC_HAVE_SA_CONTEXT_CREATE_BATCH0 is not defined)\n");
	csv_na("batch", "single", n, "median", "contexts/s");
	csv_na("batch", "batch", n, "median", "contexts/s");
	csv_na("ratio", "batch/single", n, "median", "x");
#endif
	return 0;
}

/* ------------------------------------------------------ latency runs */

static double meminfo(const char *field);

#define MAX_LEVELS	16

/*
 * SetSpi0 on a fresh context, `calls` times: the context is created
 * before and deleted after each timed call, so the count of existing
 * contexts and xfrm states stays what the level says.
 */
static struct lat probe_setspi(HANDLE h, unsigned long calls, UINT32 *spi,
			       uint64_t *ns)
{
	unsigned long j;
	uint64_t t0;
	UINT64 id;
	DWORD rc;

	for (j = 0; j < calls; j++) {
		id = ctx_create(h, PROBE_REMOTE);
		t0 = now_ns();
		rc = ctx_set_spi(h, id, PROBE_REMOTE, (*spi)++);
		ns[j] = now_ns() - t0;
		check("IPsecSaContextSetSpi0", rc);
		ctx_delete(h, id);
	}
	return lat_of(ns, calls);
}

/* GetSpi1 on a fresh context over the namespace's range, as above. */
static struct lat probe_getspi(HANDLE h, unsigned long calls, uint64_t *ns)
{
	IPSEC_SA_SPI spi;
	IPSEC_GETSPI1 g;
	unsigned long j;
	uint64_t t0;
	UINT64 id;
	DWORD rc;

	memset(&g, 0, sizeof(g));
	traffic_v4(&g.inboundIpsecTraffic, CYCLE_LOCAL, PROBE_REMOTE);
	g.ipVersion = FWP_IP_VERSION_V4;
	for (j = 0; j < calls; j++) {
		id = ctx_create(h, PROBE_REMOTE);
		t0 = now_ns();
		rc = IPsecSaContextGetSpi1(h, id, &g, &spi);
		ns[j] = now_ns() - t0;
		check("IPsecSaContextGetSpi1", rc);
		ctx_delete(h, id);
	}
	return lat_of(ns, calls);
}

/*
 * The peer's SetSpi0: ip xfrm's ALLOCSPI with min = max, timed alone; the
 * DELSA after it keeps the level.
 */
static struct lat probe_allocspi(struct nl *nl, unsigned long calls,
				 UINT32 *spi, uint64_t *ns)
{
	unsigned long j;
	uint64_t t0;

	for (j = 0; j < calls; j++) {
		t0 = now_ns();
		peer_allocspi(nl, *spi);
		ns[j] = now_ns() - t0;
		peer_del_sa(nl, CYCLE_LOCAL, (*spi)++);
	}
	return lat_of(ns, calls);
}

/* GetById1 of `calls` existing contexts picked at random. */
static struct lat probe_getbyid(HANDLE h, const UINT64 *ids,
				unsigned long have, unsigned long calls,
				uint64_t *ns)
{
	IPSEC_SA_CONTEXT1 *c;
	unsigned long j;
	uint64_t t0;
	UINT64 id;
	DWORD rc;

	for (j = 0; j < calls; j++) {
		id = ids[rnd() % have];
		t0 = now_ns();
		rc = IPsecSaContextGetById1(h, id, &c);
		ns[j] = now_ns() - t0;
		check("IPsecSaContextGetById1", rc);
		if (c->saContextId != id)
			die("GetById1(%llu) returned context %llu",
			    (unsigned long long)id,
			    (unsigned long long)c->saContextId);
		FwpmFreeMemory0((void **)&c);
	}
	return lat_of(ns, calls);
}

/* Creates contexts up to `want` (with an SPI each when spi is set). */
static void fill(HANDLE h, UINT64 *ids, unsigned long *have,
		 unsigned long want, bool spi)
{
	unsigned long i;
	uint64_t t0 = now_ns();

	for (i = *have; i < want; i++) {
		ids[i] = ctx_create(h, FILL_REMOTE + (UINT32)i);
		if (spi)
			check("IPsecSaContextSetSpi0",
			      ctx_set_spi(h, ids[i], FILL_REMOTE + (UINT32)i,
					  SPI_FILL + (UINT32)i));
		if (spi && i && !(i % 10000))
			progress("%lu contexts with SPIs, %.0f s", i,
				 (double)(now_ns() - t0) / 1e9);
	}
	if (want > *have)
		printf("  (filled %lu -> %lu contexts%s in %.1f s)\n", *have,
		       want, spi ? " with SPIs" : "",
		       (double)(now_ns() - t0) / 1e9);
	*have = want;
	fflush(stdout);
}

static void csv_lat(const char *series, unsigned long x, struct lat l)
{
	csv("lat", series, x, "median", l.median_us, "us");
	csv("lat", series, x, "p99", l.p99_us, "us");
}

static int cmd_lat(const char *levels, unsigned long calls)
{
	unsigned long lv[MAX_LEVELS], have = 0;
	double gb_first = 0, gb_last = 0, free0, per_ctx;
	uint64_t *ns = xcalloc(calls, sizeof(*ns));
	UINT32 spi = SPI_PROBE;
	size_t n, i;
	struct lat g, s;
	UINT64 *ids;
	HANDLE h;
	char name[64];

	n = parse_levels(levels, lv, MAX_LEVELS);
	ids = xcalloc(lv[n - 1], sizeof(*ids));
	h = engine_open();
	/* Warm-up: the first calls fault in the library and module paths. */
	probe_setspi(h, 20, &spi, ns);
	free0 = meminfo("MemFree");
	printf("Latency per call at N existing contexts (no SPI, no SA), %lu calls each;\n"
	       "SetSpi0 on a fresh context (its Create1 and DeleteById0 not timed)\n",
	       calls);
	printf("%10s %14s %14s %14s %14s %10s\n", "contexts", "GetById1 med",
	       "GetById1 p99", "SetSpi0 med", "SetSpi0 p99", "MemFree/ctx");
	for (i = 0; i < n; i++) {
		fill(h, ids, &have, lv[i], false);
		per_ctx = (free0 - meminfo("MemFree")) / (double)lv[i];
		g = probe_getbyid(h, ids, have, calls, ns);
		s = probe_setspi(h, calls, &spi, ns);
		printf("%10lu %11.1f us %11.1f us %11.1f us %11.1f us %8.0f B\n",
		       lv[i], g.median_us, g.p99_us, s.median_us, s.p99_us,
		       per_ctx);
		fflush(stdout);
		csv_lat("GetById1", lv[i], g);
		csv_lat("SetSpi0", lv[i], s);
		csv("mem", "memfree_drop_idle", lv[i], "bytes_per_ctx", per_ctx,
		    "bytes");
		if (!i)
			gb_first = g.median_us;
		gb_last = g.median_us;
	}
	if (n > 1) {
		snprintf(name, sizeof(name), "GetById1/%lu", lv[0]);
		csv("ratio", name, lv[n - 1], "median", gb_last / gb_first, "x");
		printf("GetById1 median at %lu / at %lu: %.3f (target <= 1.2)\n",
		       lv[n - 1], lv[0], gb_last / gb_first);
	}
	/* The contexts stay: bench.sh reloads the module, which is faster. */
	FwpmEngineClose0(h);
	free(ids);
	free(ns);
	return 0;
}

static int cmd_latspi(const char *levels, unsigned long calls)
{
	unsigned long lv[MAX_LEVELS], have = 0;
	uint64_t *ns = xcalloc(calls, sizeof(*ns));
	UINT32 spi = SPI_PROBE;
	struct lat g, s;
	size_t n, i;
	UINT64 *ids;
	HANDLE h;

	n = parse_levels(levels, lv, MAX_LEVELS);
	ids = xcalloc(lv[n - 1], sizeof(*ids));
	h = engine_open();
	probe_setspi(h, 20, &spi, ns);
	printf("Latency at N existing contexts each holding an SPI (a larval xfrm\n"
	       "state), %lu calls each\n", calls);
	printf("%10s %14s %14s %14s %14s\n", "contexts", "GetById1 med",
	       "GetById1 p99", "SetSpi0 med", "SetSpi0 p99");
	for (i = 0; i < n; i++) {
		fill(h, ids, &have, lv[i], true);
		g = probe_getbyid(h, ids, have, calls, ns);
		s = probe_setspi(h, calls, &spi, ns);
		printf("%10lu %11.1f us %11.1f us %11.1f us %11.1f us\n", lv[i],
		       g.median_us, g.p99_us, s.median_us, s.p99_us);
		fflush(stdout);
		csv_lat("GetById1-spi-contexts", lv[i], g);
		csv_lat("SetSpi0-spi-contexts", lv[i], s);
	}
	FwpmEngineClose0(h);
	free(ids);
	free(ns);
	return 0;
}

/*
 * Calls made under function_graph at a level: the time SetSpi0 spends in
 * xfrm_state_add() and ALLOCSPI in xfrm_alloc_spi(), each of which holds
 * xfrm_state_lock with bottom halves off for part of its run.
 */
#define HOLD_CALLS	200
/* The peer's ALLOCSPI takes 35 ms at 100k SAs: fewer calls of it. */
#define PEER_CALLS	200

static const char *const hold_fns[] = { "xfrm_state_add", "xfrm_alloc_spi" };

static void hold_probe(HANDLE h, struct nl *nl, unsigned long level,
		       UINT32 *spi, uint64_t *ns)
{
	double *us = xcalloc(2 * HOLD_CALLS, sizeof(*us)), med;
	size_t i, n;

	if (ftrace_start(hold_fns, 2)) {
		printf("  (no function_graph tracer: no hold times)\n");
		free(us);
		return;
	}
	probe_setspi(h, HOLD_CALLS, spi, ns);
	probe_allocspi(nl, HOLD_CALLS, spi, ns);
	for (i = 0; i < 2; i++) {
		n = ftrace_collect(hold_fns[i], us, 2 * HOLD_CALLS);
		if (!n) {
			csv_na("hold", hold_fns[i], level, "median", "us");
			continue;
		}
		med = median(us, n);	/* sorts them: us[n - 1] is the max */
		csv("hold", hold_fns[i], level, "median", med, "us");
		csv("hold", hold_fns[i], level, "max", us[n - 1], "us");
		printf("  %s at %lu SAs: median %.1f us, max %.1f us (%zu calls)\n",
		       hold_fns[i], level, med, us[n - 1], n);
	}
	ftrace_stop();
	free(us);
}

/* One probe's row and its ratio to the first level's median. */
static void latsa_csv(const char *series, unsigned long x, unsigned long x0,
		      struct lat l, double first)
{
	char name[64];

	csv_lat(series, x, l);
	if (x == x0)
		return;
	snprintf(name, sizeof(name), "%s/%lu", series, x0);
	csv("ratio", name, x, "median", l.median_us / first, "x");
}

static void latsa_fill(struct nl *nl, unsigned long *have, unsigned long want)
{
	uint64_t t0 = now_ns();
	unsigned long j;

	for (j = *have; j < want; j++)
		bg_sa_add(nl, j);
	printf("  (added %lu -> %lu SAs in %.1f s)\n", *have, want,
	       (double)(now_ns() - t0) / 1e9);
	*have = want;
	/* The adds queued xfrm's hash resize work: let it run first. */
	sleep(1);
	if (xfrm_state_count(nl) != want)
		die("xfrm holds %lu states, not %lu", xfrm_state_count(nl),
		    want);
}

static int cmd_latsa(const char *levels, unsigned long calls)
{
	unsigned long lv[MAX_LEVELS], have = 0;
	uint64_t *ns = xcalloc(calls > HOLD_CALLS ? calls : HOLD_CALLS,
			       sizeof(*ns));
	UINT32 spi = SPI_PROBE;
	struct lat s, g, a, s0 = { 0 }, g0 = { 0 }, a0 = { 0 };
	size_t n, i;
	struct nl nl;
	HANDLE h;

	n = parse_levels(levels, lv, MAX_LEVELS);
	h = engine_open();
	nl_open(&nl);
	probe_setspi(h, 20, &spi, ns);
	printf("Latency at N xfrm SAs another control plane added (AH,\n"
	       "digest_null, over xfrm netlink), %lu calls each: SetSpi0 and\n"
	       "GetSpi1 on a fresh context; the peer's ALLOCSPI (min = max),\n"
	       "%d calls\n", calls, PEER_CALLS);
	printf("%10s %16s %16s %16s\n", "xfrm SAs", "SetSpi0 med/p99",
	       "GetSpi1 med/p99", "ALLOCSPI med/p99");
	for (i = 0; i < n; i++) {
		latsa_fill(&nl, &have, lv[i]);
		s = probe_setspi(h, calls, &spi, ns);
		g = probe_getspi(h, calls, ns);
		a = probe_allocspi(&nl, calls < PEER_CALLS ? calls : PEER_CALLS,
				   &spi, ns);
		if (!i) {
			s0 = s;
			g0 = g;
			a0 = a;
		}
		printf("%10lu %7.1f/%7.1f %7.1f/%7.1f %7.1f/%7.1f us\n", lv[i],
		       s.median_us, s.p99_us, g.median_us, g.p99_us,
		       a.median_us, a.p99_us);
		latsa_csv("SetSpi0-xfrm-SAs", lv[i], lv[0], s, s0.median_us);
		latsa_csv("GetSpi1-xfrm-SAs", lv[i], lv[0], g, g0.median_us);
		latsa_csv("ALLOCSPI-xfrm-SAs", lv[i], lv[0], a, a0.median_us);
		if (!i || i == n - 1)
			hold_probe(h, &nl, lv[i], &spi, ns);
	}
	if (n > 1)
		printf("  at %lu / at %lu SAs: SetSpi0 %.2f, GetSpi1 %.2f (targets <= 2), ALLOCSPI %.2f\n",
		       lv[n - 1], lv[0], s.median_us / s0.median_us,
		       g.median_us / g0.median_us, a.median_us / a0.median_us);
	bg_sa_flush(&nl);
	if (xfrm_state_count(&nl))
		die("xfrm states left behind");
	close(nl.fd);
	FwpmEngineClose0(h);
	free(ns);
	return 0;
}

/* ---------------------------------------------------------- readers */

/*
 * GetById1 from two reader threads while a writer thread loops the
 * SA-context cycle and an `ip xfrm` loop adds and deletes SAs, against
 * the same readers alone.  The readers share CPU 0 and the writers run
 * on CPU 1 (the guest has two): both runs give the readers the same CPU,
 * so the ratio shows what they wait for - a lock a writer holds - and not
 * the CPU time the writers take.  Voluntary context switches per call
 * show it too: a reader that never sleeps on a lock makes none.
 */
#define READERS		2
#define READ_SECONDS	2.0
#define WRITER_REMOTE	0x0f000000U

struct reader {
	HANDLE h;
	const UINT64 *ids;
	unsigned long n, calls;
	long nvcsw;
	atomic_int *stop;
	uint64_t seed;
};

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity(%d): %s", cpu, strerror(errno));
}

static long my_nvcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	IPSEC_SA_CONTEXT1 *c;
	long v0;

	pin_to(0);
	v0 = my_nvcsw();
	while (!atomic_load_explicit(r->stop, memory_order_relaxed)) {
		check("IPsecSaContextGetById1",
		      IPsecSaContextGetById1(r->h,
					     r->ids[xorshift(&r->seed) % r->n],
					     &c));
		FwpmFreeMemory0((void **)&c);
		r->calls++;
	}
	r->nvcsw = my_nvcsw() - v0;
	return NULL;
}

struct writer {
	HANDLE h;
	atomic_int *stop;
	unsigned long cycles;
	UINT32 spi;
};

/* The five-call cycle of the rate phase, on CPU 1, until stopped. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pin_to(1);
	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		ctx_delete(w->h, ctx_complete(w->h, WRITER_REMOTE, w->spi,
					      w->spi + 1));
		w->spi += 2;
		w->cycles++;
	}
	return NULL;
}

/* Another control plane on CPU 1: ip xfrm adding and deleting an SA. */
static pid_t ip_xfrm_loop(void)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	pin_to(1);
	execl("/bin/sh", "sh", "-c",
	      "while :; do ip xfrm state add src 10.99.0.2 dst 10.99.0.1 "
	      "proto esp spi 0x7777 mode transport aead 'rfc4106(gcm(aes))' "
	      "0x0102030405060708090a0b0c0d0e0f1011121314 128; "
	      "ip xfrm state delete src 10.99.0.2 dst 10.99.0.1 proto esp "
	      "spi 0x7777; done", (char *)NULL);
	_exit(127);
}

/* One timed run: calls/s of the readers together, and their switches. */
static double readers_run(HANDLE h, const UINT64 *ids, unsigned long n,
			  struct writer *w, double *csw_per_kcall)
{
	struct reader r[READERS];
	pthread_t rt[READERS], wt;
	atomic_int stop = 0;
	unsigned long calls = 0;
	long csw = 0;
	pid_t ip = 0;
	uint64_t t0;
	int i;

	if (w) {
		w->stop = &stop;
		ip = ip_xfrm_loop();
		if (pthread_create(&wt, NULL, writer_main, w))
			die("pthread_create");
	}
	for (i = 0; i < READERS; i++) {
		r[i] = (struct reader){ .h = h, .ids = ids, .n = n,
					.stop = &stop, .seed = 0x9e37 + i };
		if (pthread_create(&rt[i], NULL, reader_main, &r[i]))
			die("pthread_create");
	}
	t0 = now_ns();
	usleep((useconds_t)(READ_SECONDS * 1e6));
	atomic_store(&stop, 1);
	for (i = 0; i < READERS; i++) {
		pthread_join(rt[i], NULL);
		calls += r[i].calls;
		csw += r[i].nvcsw;
	}
	if (w) {
		pthread_join(wt, NULL);
		kill(ip, SIGKILL);
		waitpid(ip, NULL, 0);
	}
	*csw_per_kcall = calls ? 1000.0 * (double)csw / (double)calls : 0;
	return (double)calls / ((double)(now_ns() - t0) / 1e9);
}

static int cmd_readers(unsigned long nctx, unsigned long reps)
{
	double idle[MAX_REPS], busy[MAX_REPS], csw_idle, csw_busy;
	UINT64 *ids = xcalloc(nctx, sizeof(*ids));
	struct writer w = { .spi = SPI_PROBE };
	unsigned long r, i, wc = 0;
	HANDLE h;
	char x[32];

	if (reps < 1 || reps > MAX_REPS)
		die("REPS must be 1..%d", MAX_REPS);
	h = engine_open();
	w.h = engine_open();
	for (i = 0; i < nctx; i++)
		ids[i] = ctx_complete(h, FILL_REMOTE + (UINT32)i,
				      SPI_FILL + 2 * (UINT32)i,
				      SPI_FILL + 2 * (UINT32)i + 1);
	printf("GetById1 by %d reader threads on CPU 0 over %lu complete contexts,\n"
	       "%.0f s per run: alone (idle) vs with a writer thread looping the\n"
	       "five-call cycle and an ip xfrm add/delete loop on CPU 1 (busy)\n",
	       READERS, nctx, READ_SECONDS);
	printf("%-5s %14s %14s %16s %16s %14s\n", "rep", "idle calls/s",
	       "busy calls/s", "idle csw/kcall", "busy csw/kcall",
	       "writer cycles");
	for (r = 0; r < reps; r++) {
		w.cycles = 0;
		idle[r] = readers_run(h, ids, nctx, NULL, &csw_idle);
		busy[r] = readers_run(h, ids, nctx, &w, &csw_busy);
		wc += w.cycles;
		snprintf(x, sizeof(x), "rep%lu", r + 1);
		csv("readers", "idle", nctx, x, idle[r], "calls/s");
		csv("readers", "busy", nctx, x, busy[r], "calls/s");
		printf("%-5lu %14.0f %14.0f %16.2f %16.2f %14lu\n", r + 1,
		       idle[r], busy[r], csw_idle, csw_busy, w.cycles);
		if (!w.cycles)
			die("the writer made no cycle: nothing was measured");
	}
	csv_spread("readers", "idle", nctx, spread_of(idle, reps), "calls/s");
	csv_spread("readers", "busy", nctx, spread_of(busy, reps), "calls/s");
	csv("readers", "writer", nctx, "cycles_per_s",
	    (double)wc / (READ_SECONDS * (double)reps), "cycles/s");
	printf("ratio (target: busy/idle >= 0.8)\n");
	ratio_report("busy/idle", busy, idle, reps, nctx);
	for (i = 0; i < nctx; i++)
		ctx_delete(h, ids[i]);
	FwpmEngineClose0(w.h);
	FwpmEngineClose0(h);
	free(ids);
	return 0;
}

/* ----------------------------------------------------------- memory */

/* A /proc/meminfo field, in bytes. */
static double meminfo(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	size_t len = strlen(field);
	char line[256];
	unsigned long kb;

	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':' &&
		    sscanf(line + len + 1, "%lu", &kb) == 1) {
			fclose(f);
			return (double)kb * 1024;
		}
	die("/proc/meminfo: no %s", field);
}

struct slab {
	char name[64];
	unsigned long active, objsize;
};

#define MAX_SLABS	4096

static size_t slab_read(struct slab *s)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	char line[512];
	size_t n = 0;

	if (!f)
		die("/proc/slabinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) && n < MAX_SLABS)
		if (sscanf(line, "%63s %lu %*u %lu", s[n].name, &s[n].active,
			   &s[n].objsize) == 3 && line[0] != '#')
			n++;
	fclose(f);
	if (n < 10)
		die("/proc/slabinfo: unreadable");
	return n;
}

static bool prefixed(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

enum { G_WFP, G_KMALLOC_CG, G_KMALLOC, G_XFRM, G_OTHER, G_N };
static const char *const gname[G_N] = {
	"wfp_caches", "kmalloc-cg", "kmalloc", "xfrm_state", "other_caches",
};

static int slab_group(const char *name)
{
	if (prefixed(name, "wfp_"))
		return G_WFP;
	if (prefixed(name, "kmalloc-cg-"))
		return G_KMALLOC_CG;
	if (prefixed(name, "kmalloc-") || prefixed(name, "dma-kmalloc-"))
		return G_KMALLOC;
	if (!strcmp(name, "xfrm_state"))
		return G_XFRM;
	return G_OTHER;
}

struct slab_delta {
	const char *name;
	double per_ctx;
};

static int cmp_delta(const void *a, const void *b)
{
	double x = ((const struct slab_delta *)a)->per_ctx;
	double y = ((const struct slab_delta *)b)->per_ctx;

	return x > y ? -1 : x < y;
}

/*
 * Bytes of slab objects per complete context (both SAs, policies),
 * from /proc/slabinfo before and after creating n of them: active
 * objects times object size, cache by cache.  Needs slub_nomerge on the
 * kernel command line, or the module's caches hide in merged ones.
 */
static int cmd_mem(unsigned long n)
{
	static struct slab before[MAX_SLABS], after[MAX_SLABS];
	static struct slab_delta d[MAX_SLABS];
	double group[G_N] = { 0 }, free0, free1;
	size_t nb, na, i, j, nd = 0;
	UINT64 *ids = xcalloc(n, sizeof(*ids));
	bool wfp_seen = false;
	char series[96];
	struct nl nl;
	HANDLE h;
	long diff;
	int g;

	h = engine_open();
	nl_open(&nl);
	/* One context first: crypto instances and caches come up once. */
	ctx_delete(h, ctx_complete(h, PROBE_REMOTE, SPI_PROBE, SPI_PROBE + 1));
	sleep(1);
	nb = slab_read(before);
	free0 = meminfo("MemFree");
	for (i = 0; i < n; i++)
		ids[i] = ctx_complete(h, FILL_REMOTE + (UINT32)i,
				      SPI_FILL + 2 * (UINT32)i,
				      SPI_FILL + 2 * (UINT32)i + 1);
	free1 = meminfo("MemFree");
	na = slab_read(after);
	if (xfrm_state_count(&nl) != 2 * n)
		die("xfrm holds %lu states, not %lu", xfrm_state_count(&nl),
		    2 * n);

	for (i = 0; i < na; i++) {
		unsigned long was = 0;

		for (j = 0; j < nb; j++)
			if (!strcmp(before[j].name, after[i].name)) {
				was = before[j].active;
				break;
			}
		g = slab_group(after[i].name);
		if (g == G_WFP)
			wfp_seen = true;
		diff = (long)after[i].active - (long)was;
		if (!diff)
			continue;
		d[nd].name = after[i].name;
		d[nd].per_ctx = (double)diff * (double)after[i].objsize /
				(double)n;
		group[g] += d[nd].per_ctx;
		nd++;
	}
	if (!wfp_seen)
		die("no wfp_* cache in /proc/slabinfo (boot with slub_nomerge)");
	qsort(d, nd, sizeof(*d), cmp_delta);

	printf("Slab memory per complete context (2 ESP states AES-GCM-128, 2 policies),\n"
	       "/proc/slabinfo active objects x object size, before/after %lu contexts\n",
	       n);
	printf("%-28s %12s\n", "cache", "bytes/ctx");
	for (i = 0; i < nd; i++) {
		if (d[i].per_ctx < 1 && d[i].per_ctx > -1)
			continue;
		printf("%-28s %12.1f\n", d[i].name, d[i].per_ctx);
		snprintf(series, sizeof(series), "cache:%s", d[i].name);
		csv("mem", series, n, "bytes_per_ctx", d[i].per_ctx, "bytes");
	}
	printf("groups:\n");
	for (g = 0; g < G_N; g++) {
		printf("%-28s %12.1f\n", gname[g], group[g]);
		csv("mem", gname[g], n, "bytes_per_ctx", group[g], "bytes");
	}
	printf("module (wfp_* caches + kmalloc-cg-*, its accounted allocations): %.1f bytes/ctx\n"
	       "(target <= 256); kmalloc-* %.1f bytes/ctx includes xfrm and other kmalloc\n",
	       group[G_WFP] + group[G_KMALLOC_CG], group[G_KMALLOC]);
	csv("mem", "module", n, "bytes_per_ctx",
	    group[G_WFP] + group[G_KMALLOC_CG], "bytes");
	/* Everything, page allocations (big hash tables) included. */
	printf("MemFree drop: %.0f bytes/ctx (all the kernel's memory, xfrm and crypto included)\n",
	       (free0 - free1) / (double)n);
	csv("mem", "memfree_drop", n, "bytes_per_ctx", (free0 - free1) / (double)n,
	    "bytes");

	for (i = 0; i < n; i++)
		ctx_delete(h, ids[i]);
	if (xfrm_state_count(&nl))
		die("xfrm states left behind");
	close(nl.fd);
	FwpmEngineClose0(h);
	free(ids);
	return 0;
}

/* ---------------------------------------------------------- summary */

struct row {
	char section[16], series[64], stat[16], value[32], unit[16];
	unsigned long x;
};

static struct row *rows;
static size_t nrows;

static void load_csv(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], *p;
	size_t cap = 0;
	struct row r;

	if (!f)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		p = prefixed(line, "csv,") ? line + 4 : line;
		if (sscanf(p, "%15[^,],%63[^,],%lu,%15[^,],%31[^,],%15[^,\n]",
			   r.section, r.series, &r.x, r.stat, r.value,
			   r.unit) != 6)
			continue;	/* the header, or not a row */
		if (nrows == cap) {
			cap = cap ? 2 * cap : 256;
			rows = realloc(rows, cap * sizeof(*rows));
			if (!rows)
				die("out of memory");
		}
		rows[nrows++] = r;
	}
	fclose(f);
}

/* The row's value, NaN when absent or n/a; x = 0 matches any x. */
static double val(const char *section, const char *series, unsigned long x,
		  const char *stat)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].section, section) &&
		    !strcmp(rows[i].series, series) &&
		    (!x || rows[i].x == x) && !strcmp(rows[i].stat, stat))
			return strcmp(rows[i].value, "n/a") ?
			       strtod(rows[i].value, NULL) : NAN;
	return NAN;
}

static unsigned long x_of(const char *section, const char *series)
{
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].section, section) &&
		    !strcmp(rows[i].series, series))
			return rows[i].x;
	return 0;
}

/* The largest x of a series: its top level. */
static unsigned long x_top(const char *section, const char *series)
{
	unsigned long x = 0;
	size_t i;

	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].section, section) &&
		    !strcmp(rows[i].series, series) && rows[i].x > x)
			x = rows[i].x;
	return x;
}

static const char *verdict(double v, double target, bool at_least)
{
	if (isnan(v))
		return "-";
	return (at_least ? v >= target : v <= target) ? "met" : "missed";
}

static void line3(const char *what, const char *value, const char *target)
{
	printf("%-42s %-30s %s\n", what, value, target);
}

/* "median (min - max)" of a series, or n/a. */
static void spread_line(const char *what, const char *section,
			const char *series, const char *unit,
			const char *target, int decimals)
{
	unsigned long x = x_of(section, series);
	double m = val(section, series, x, "median");
	char buf[96];

	if (isnan(m))
		snprintf(buf, sizeof(buf), "n/a");
	else
		snprintf(buf, sizeof(buf), "%.*f (%.*f - %.*f) %s", decimals,
			 m, decimals, val(section, series, x, "min"), decimals,
			 val(section, series, x, "max"), unit);
	line3(what, buf, target);
}

static void ratio_line(const char *what, const char *series, double target,
		       bool at_least, unsigned long x)
{
	double m;
	char buf[96], t[64];

	if (!x)
		x = x_of("ratio", series);
	m = val("ratio", series, x, "median");
	if (isnan(m))
		snprintf(buf, sizeof(buf), "n/a");
	else if (isnan(val("ratio", series, x, "min")))
		snprintf(buf, sizeof(buf), "%.3f", m);
	else
		snprintf(buf, sizeof(buf), "%.3f (%.3f - %.3f)", m,
			 val("ratio", series, x, "min"),
			 val("ratio", series, x, "max"));
	/* NAN: a figure that explains others, with no target of its own. */
	if (isnan(target))
		t[0] = '\0';
	else
		snprintf(t, sizeof(t), "%s %g: %s", at_least ? ">=" : "<=",
			 target, verdict(m, target, at_least));
	line3(what, buf, t);
}

/*
 * One line per level of a series: "label @ x" and the level's median and
 * second statistic (p99 for latencies, max for hold times), in us.
 */
static void level_lines(const char *label, const char *section,
			const char *series, const char *stat2)
{
	char what[96], buf[96];
	size_t i;

	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].section, section) ||
		    strcmp(rows[i].series, series) ||
		    strcmp(rows[i].stat, "median"))
			continue;
		snprintf(what, sizeof(what), "%s @ %lu", label, rows[i].x);
		snprintf(buf, sizeof(buf), "%.1f / %.1f us",
			 val(section, series, rows[i].x, "median"),
			 val(section, series, rows[i].x, stat2));
		line3(what, buf, "");
	}
}

static void lat_lines(const char *label, const char *series)
{
	level_lines(label, "lat", series, "p99");
}

static int cmd_summary(const char *path)
{
	unsigned long x;
	size_t i;
	char buf[96], t[64];
	double m;

	load_csv(path);
	printf("%-42s %-30s %s\n", "figure", "median (min - max)", "target");
	spread_line("cycle rate, ours (libwfpipsec)", "rate", "ours",
		    "cycles/s", "", 1);
	spread_line("cycle rate, raw (the ioctls, no library)", "rate", "raw",
		    "cycles/s", "", 1);
	spread_line("cycle rate, peer (xfrm netlink)", "rate", "peer",
		    "cycles/s", "", 1);
	spread_line("cycle rate, limit (in-kernel loop)", "rate", "limit",
		    "cycles/s", "", 1);
	spread_line("cycle rate, limit + 5 null ioctls", "rate", "limit+x",
		    "cycles/s", "", 1);
	ratio_line("ours / peer", "ours/peer", 1.5, true, 0);
	ratio_line("ours / (limit + 5 null ioctls)", "ours/limit+x", 0.9, true,
		   0);
	ratio_line("ours / limit (no crossings)", "ours/limit", NAN, true, 0);
	ratio_line("raw / limit (module + crossings)", "raw/limit", NAN, true,
		   0);
	ratio_line("ours / raw (library)", "ours/raw", NAN, true, 0);
	spread_line("install rate, single calls", "batch", "single",
		    "contexts/s", "", 1);
	spread_line("install rate, CreateBatch0", "batch", "batch",
		    "contexts/s", "", 1);
	spread_line("install rate, kernel loop (KEEP)", "batch", "kernel",
		    "contexts/s", "", 1);
	ratio_line("batch / single", "batch/single", 3, true, 0);
	ratio_line("batch / kernel loop", "batch/kernel", 0.8, true, 0);
	spread_line("GetById1 by 2 readers, alone", "readers", "idle",
		    "calls/s", "", 0);
	spread_line("GetById1 by 2 readers, writers busy", "readers", "busy",
		    "calls/s", "", 0);
	ratio_line("readers busy / idle", "busy/idle", 0.8, true, 0);
	printf("%-42s %-30s\n", "latency", "median / p99");
	lat_lines("GetById1, contexts w/o SPI", "GetById1");
	lat_lines("SetSpi0, contexts w/o SPI", "SetSpi0");
	lat_lines("GetById1, contexts with SPI", "GetById1-spi-contexts");
	lat_lines("SetSpi0, contexts with SPI", "SetSpi0-spi-contexts");
	lat_lines("SetSpi0, xfrm SAs", "SetSpi0-xfrm-SAs");
	ratio_line("GetById1 top level / 1000", "GetById1/1000", 1.2, false,
		   0);
	lat_lines("GetSpi1, xfrm SAs", "GetSpi1-xfrm-SAs");
	lat_lines("ALLOCSPI (peer), xfrm SAs", "ALLOCSPI-xfrm-SAs");
	ratio_line("SetSpi0 top / 1000 xfrm SAs", "SetSpi0-xfrm-SAs/1000",
		   2, false, x_top("ratio", "SetSpi0-xfrm-SAs/1000"));
	ratio_line("GetSpi1 top / 1000 xfrm SAs", "GetSpi1-xfrm-SAs/1000",
		   2, false, x_top("ratio", "GetSpi1-xfrm-SAs/1000"));
	ratio_line("ALLOCSPI (peer) top / 1000 xfrm SAs",
		   "ALLOCSPI-xfrm-SAs/1000", NAN, false,
		   x_top("ratio", "ALLOCSPI-xfrm-SAs/1000"));
	printf("%-42s %-30s\n", "time in the call, by xfrm SAs",
	       "median / max");
	level_lines("xfrm_state_add()", "hold", "xfrm_state_add", "max");
	level_lines("xfrm_alloc_spi()", "hold", "xfrm_alloc_spi", "max");
	x = x_of("mem", "module");
	m = val("mem", "module", x, "bytes_per_ctx");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx", m);
	snprintf(t, sizeof(t), "<= 256: %s", verdict(m, 256, false));
	line3("module memory (wfp_* + kmalloc-cg-*)", isnan(m) ? "n/a" : buf, t);
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "wfp_caches", x, "bytes_per_ctx"));
	line3("  of which wfp_* caches", buf, "");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "kmalloc-cg", x, "bytes_per_ctx"));
	line3("  of which kmalloc-cg-*", buf, "");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "kmalloc", x, "bytes_per_ctx"));
	line3("kmalloc-* (includes xfrm and other)", buf, "");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "xfrm_state", x, "bytes_per_ctx"));
	line3("xfrm_state cache", buf, "");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "other_caches", x, "bytes_per_ctx"));
	line3("other caches", buf, "");
	snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
		 val("mem", "memfree_drop", x, "bytes_per_ctx"));
	line3("MemFree drop, complete context", buf, "");
	x = 0;
	for (i = 0; i < nrows; i++)
		if (!strcmp(rows[i].section, "mem") &&
		    !strcmp(rows[i].series, "memfree_drop_idle"))
			x = rows[i].x;
	if (x) {
		snprintf(t, sizeof(t), "MemFree drop, %lu contexts w/o SPI", x);
		snprintf(buf, sizeof(buf), "%.0f bytes/ctx",
			 val("mem", "memfree_drop_idle", x, "bytes_per_ctx"));
		line3(t, buf, "");
	}
	return 0;
}

/* ------------------------------------------------------------- main */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: cycle rate CYCLES REPS | batch COUNT REPS |\n"
		"       lat LEVELS CALLS | latspi LEVELS CALLS | latsa LEVELS CALLS |\n"
		"       readers CTXS REPS | mem COUNT | summary CSV\n");
	exit(2);
}

/*
 * Each measuring command runs in a network namespace of its own.  xfrm
 * grows a namespace's state hash tables with the number of states and
 * never shrinks them, and xfrm_alloc_spi() walks every bucket: a command
 * that once held many states would slow the SetSpi0 calls of every later
 * one.  A new namespace starts with xfrm's smallest tables.
 */
static void own_netns(void)
{
	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET): %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	/* Lines reach the host through a serial port: flush them whole. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(cmd, "summary"))
		own_netns();
	if (!strcmp(cmd, "rate") && argc == 4)
		return cmd_rate(parse_count(argv[2]), parse_count(argv[3]));
	if (!strcmp(cmd, "batch") && argc == 4)
		return cmd_batch(parse_count(argv[2]), parse_count(argv[3]));
	if (!strcmp(cmd, "lat") && argc == 4)
		return cmd_lat(argv[2], parse_count(argv[3]));
	if (!strcmp(cmd, "latspi") && argc == 4)
		return cmd_latspi(argv[2], parse_count(argv[3]));
	if (!strcmp(cmd, "latsa") && argc == 4)
		return cmd_latsa(argv[2], parse_count(argv[3]));
	if (!strcmp(cmd, "readers") && argc == 4)
		return cmd_readers(parse_count(argv[2]), parse_count(argv[3]));
	if (!strcmp(cmd, "mem") && argc == 3)
		return cmd_mem(parse_count(argv[2]));
	if (!strcmp(cmd, "summary") && argc == 3)
		return cmd_summary(argv[2]);
	usage();
}
