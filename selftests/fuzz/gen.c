// SPDX-License-Identifier: GPL-2.0
/*
 * Generators of valid arguments (traffic from small address pools,
 * subnets, templates, SAs of kmod/algs.c's algorithms) and of the
 * invalid ones each way the module refuses them, and bad pointers.
 */

#include "fuzz.h"

bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

int addr_len(int ver)
{
	return ver == WFP_IPSEC_IPV4 ? 4 : 16;
}

void fmt_addr(int ver, const __u8 *a, char *buf)
{
	if (!inet_ntop(ver == WFP_IPSEC_IPV4 ? AF_INET : AF_INET6, a, buf, 64))
		snprintf(buf, 64, "v%d?", ver);
}

/* buf: 80 bytes */
void fmt_subnet(const struct wfp_ipsec_subnet *sn, char *buf)
{
	char a[64];

	if (!sn->ip_version) {
		snprintf(buf, 80, "any");
		return;
	}
	fmt_addr(sn->ip_version, sn->addr, a);
	snprintf(buf, 80, "%s/%u", a, sn->prefix_len);
}

void pool_addr(int ver, bool local, __u8 *a)
{
	memset(a, 0, 16);
	if (ver == WFP_IPSEC_IPV4) {
		a[0] = 10;
		a[1] = 77;
		if (pm(750)) {
			/* few addresses: contexts share policy sets */
			a[2] = local ? 0 : 1;
			a[3] = 1 + rn(local ? 4 : 8);
		} else {
			a[2] = rn(256);
			a[3] = 1 + rn(254);
		}
	} else {
		a[0] = 0xfd;
		a[2] = 0x77;
		if (pm(750)) {
			a[5] = local ? 0 : 1;
			a[15] = 1 + rn(local ? 4 : 8);
		} else {
			rfill(a + 4, 12);
			a[15] |= 1;
		}
	}
}

static bool proto_has_ports(int p)
{
	return p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
}

void gen_traffic(struct wfp_ipsec_traffic *t, int ver, int type)
{
	static const __u8 protos[] = { 0, 0, 6, 17, 1, 50, 132, 58 };

	memset(t, 0, sizeof(*t));
	t->ip_version = ver ? ver : (pm(650) ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6);
	t->traffic_type = type >= 0 ? type : (pm(700) ?
			  WFP_IPSEC_TRAFFIC_TRANSPORT :
			  WFP_IPSEC_TRAFFIC_TUNNEL);
	pool_addr(t->ip_version, true, t->local_addr);
	pool_addr(t->ip_version, false, t->remote_addr);
	if (t->traffic_type == WFP_IPSEC_TRAFFIC_TRANSPORT) {
		t->ip_protocol = protos[rn(ARRAY_SIZE(protos))];
		if ((!t->ip_protocol || proto_has_ports(t->ip_protocol)) &&
		    pm(400)) {
			t->local_port = htons(rn(3) ? 1 + rn(65535) : 0);
			t->remote_port = htons(rn(3) ? 1 + rn(65535) : 0);
		}
	}
	if (pm(300))
		t->real_if_profile_id = (__u32)r64();
	if (pm(300))
		t->filter_id = r64();
	if (pm(300))
		t->local_if_luid = r64();
}

/* A subnet around addr (or "any"), valid as the module checks it. */
void gen_subnet(struct wfp_ipsec_subnet *sn, int ver, const __u8 *addr)
{
	int bits, len, i;

	memset(sn, 0, sizeof(*sn));
	if (!ver)
		return;
	sn->ip_version = ver;
	len = addr_len(ver);
	bits = rn(len * 8 + 1);
	if (pm(300))
		bits = len * 8;
	sn->prefix_len = bits;
	for (i = 0; i < len; i++) {
		int keep = bits - i * 8;

		if (keep >= 8)
			sn->addr[i] = addr[i];
		else if (keep > 0)
			sn->addr[i] = addr[i] & (0xff << (8 - keep));
	}
}

bool subnet_match(const struct wfp_ipsec_subnet *sn, int ver,
		  const __u8 *addr)
{
	int bits = sn->prefix_len;

	if (!sn->ip_version)
		return true;
	if (sn->ip_version != ver)
		return false;
	if (memcmp(sn->addr, addr, bits / 8))
		return false;
	if (bits % 8) {
		__u8 mask = 0xff << (8 - bits % 8);

		return !((sn->addr[bits / 8] ^ addr[bits / 8]) & mask);
	}
	return true;
}

/* A template for ENUM/SUBSCRIBE: any, or around one of the pools. */
void gen_template(struct wfp_ipsec_subnet *l, struct wfp_ipsec_subnet *r)
{
	int ver = pm(650) ? WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6;
	__u8 a[16];
	struct ctx *c = ctx_any();

	if (c && pm(500))
		ver = c->t.ip_version;
	memset(l, 0, sizeof(*l));
	memset(r, 0, sizeof(*r));
	if (pm(400))
		return;
	if (c && c->t.ip_version == ver && pm(600))
		memcpy(a, c->t.local_addr, 16);
	else
		pool_addr(ver, true, a);
	if (pm(700))
		gen_subnet(l, ver, a);
	if (c && c->t.ip_version == ver && pm(600))
		memcpy(a, c->t.remote_addr, 16);
	else
		pool_addr(ver, false, a);
	if (pm(600))
		gen_subnet(r, ver, a);
}

/* An invalid subnet, each way the module refuses one. */
void break_subnet(struct wfp_ipsec_subnet *sn)
{
	switch (rn(5)) {
	case 0:
		sn->reserved[rn(6)] = 1 + rn(255);
		break;
	case 1:
		sn->ip_version = 7 + rn(240);
		break;
	case 2:
		if (!sn->ip_version)
			sn->ip_version = WFP_IPSEC_IPV4;
		sn->prefix_len = addr_len(sn->ip_version) * 8 + 1 + rn(100);
		break;
	case 3:
		/* a host bit past the prefix */
		if (!sn->ip_version)
			sn->ip_version = WFP_IPSEC_IPV6;
		sn->prefix_len = rn(addr_len(sn->ip_version) * 8);
		sn->addr[15] |= 1;
		if (sn->ip_version == WFP_IPSEC_IPV4)
			sn->addr[3 + rn(13)] |= 1;
		break;
	default:
		/* "any" with an address or a length */
		memset(sn, 0, sizeof(*sn));
		if (rn(2))
			sn->prefix_len = 1 + rn(255);
		else
			sn->addr[rn(16)] = 1 + rn(255);
		break;
	}
}

/* An invalid traffic description, each way traffic.c refuses one. */
void break_traffic(struct wfp_ipsec_traffic *t)
{
	switch (rn(7)) {
	case 0:
		t->reserved0 = 1 + rn(255);
		break;
	case 1:
		t->reserved1 = 1 + (__u32)rn(0xfffffffe);
		break;
	case 2:
		t->ip_version = rn(2) ? 0 : 7 + rn(240);
		break;
	case 3:
		t->traffic_type = 2 + rn(254);
		break;
	case 4:
		memset(rn(2) ? t->local_addr : t->remote_addr, 0,
		       addr_len(t->ip_version == WFP_IPSEC_IPV4 ?
				WFP_IPSEC_IPV4 : WFP_IPSEC_IPV6));
		break;
	case 5:
		if (t->ip_version == WFP_IPSEC_IPV4)
			t->local_addr[4 + rn(12)] = 1 + rn(255);
		else
			t->reserved0 = 1;
		break;
	default:
		if (t->traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL) {
			if (rn(2))
				t->ip_protocol = 1 + rn(255);
			else
				t->remote_port = htons(1 + rn(65535));
		} else {
			t->ip_protocol = 1;	/* ICMP has no ports */
			t->local_port = htons(1 + rn(65535));
		}
		break;
	}
}

/* kmod/algs.c: Windows ids to kernel algorithms, key bytes. */
struct alg { __u32 type; __u8 config; bool gcm; unsigned int key; };

static const struct alg auth_algs[] = {
	{ 0, 0, false, 16 }, { 1, 1, false, 20 }, { 2, 2, false, 32 },
	{ 3, 3, true, 20 }, { 4, 4, true, 28 }, { 5, 5, true, 36 },
};

static const struct alg cipher_algs[] = {
	{ 1, 1, false, 8 }, { 2, 2, false, 24 }, { 3, 3, false, 16 },
	{ 4, 4, false, 24 }, { 5, 5, false, 32 },
	{ 3, 6, true, 20 }, { 4, 7, true, 28 }, { 5, 8, true, 36 },
};

/* Key blobs live in keybuf; misaligned now and then. */
static __u64 key_ptr(int which, unsigned int len)
{
	unsigned char *p = W.keycur + which * 128 + (pm(100) ? 1 + rn(7) : 0);

	rfill(p, len);
	return (__u64)(uintptr_t)p;
}

static void set_cipher(struct wfp_ipsec_sa *sa, const struct alg *c)
{
	sa->cipher_type = c->type;
	sa->cipher_config = c->config;
	sa->cipher_key_len = c->key;
	sa->cipher_key = key_ptr(1, c->key);
}

static void set_auth(struct wfp_ipsec_sa *sa, const struct alg *a)
{
	sa->auth_type = a->type;
	sa->auth_config = a->config;
	sa->auth_key_len = a->key;
	sa->auth_key = key_ptr(0, a->key);
}

/* An HMAC only (AH, ESP auth); no cipher: a stray pointer is never read. */
static void gen_sa_auth(struct wfp_ipsec_sa *sa, const struct alg *a)
{
	set_auth(sa, a);
	if (pm(300))
		sa->cipher_key = pm(500) ? key_ptr(1, 8) : 0;
}

/* AES-GCM: one blob as cipher key, and again, or not, as auth key. */
static void gen_sa_gcm(struct wfp_ipsec_sa *sa)
{
	int i = rn(3);
	const struct alg *c = &cipher_algs[5 + i], *a = &auth_algs[3 + i];

	set_cipher(sa, c);
	sa->auth_type = a->type;
	sa->auth_config = a->config;
	if (pm(500)) {
		sa->auth_key_len = c->key;
		sa->auth_key = key_ptr(0, c->key);
		memcpy((void *)(uintptr_t)sa->auth_key,
		       (void *)(uintptr_t)sa->cipher_key, c->key);
	}
}

/*
 * A valid SA of one transform type: AH only with an HMAC (and not under
 * UDP encapsulation, which AH cannot have), ESP with any table entry,
 * AES-GCM as one blob passed as cipher key and again, or not, as auth key.
 */
void gen_sa(struct wfp_ipsec_sa *sa, bool allow_ah)
{
	const struct alg *a, *c;
	int tt;

	memset(sa, 0, sizeof(*sa));
	do {
		tt = 1 + rn(5);
	} while (tt == WFP_IPSEC_TRANSFORM_AH && !allow_ah);
	sa->transform_type = tt;
	switch (tt) {
	case WFP_IPSEC_TRANSFORM_AH:
		gen_sa_auth(sa, &auth_algs[rn(3)]);
		break;
	case WFP_IPSEC_TRANSFORM_ESP_AUTH:
	case WFP_IPSEC_TRANSFORM_ESP_AUTH_FW:
		gen_sa_auth(sa, &auth_algs[rn(ARRAY_SIZE(auth_algs))]);
		break;
	case WFP_IPSEC_TRANSFORM_ESP_CIPHER:
		set_cipher(sa, &cipher_algs[rn(5)]);
		break;
	default:
		if (pm(500)) {
			gen_sa_gcm(sa);
			break;
		}
		c = &cipher_algs[rn(5)];
		a = &auth_algs[rn(3)];
		set_cipher(sa, c);
		set_auth(sa, a);
		break;
	}
}

bool gcm_sa(const struct wfp_ipsec_sa *sa)
{
	return sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER &&
	       sa->cipher_config >= 6;
}

/* Bytes usable at p before it faults: only straddling pointers have any. */
size_t usable_prefix(__u64 p)
{
	uintptr_t a = (uintptr_t)p, edge = (uintptr_t)W.guard_edge;

	return a < edge && edge - a < 4096 ? edge - a : 0;
}

/* A pointer no read of len bytes may succeed through. */
__u64 bad_ptr(int kind, size_t len)
{
	switch (kind) {
	case P_NULL:
		return 0;
	case P_NONE:
		return (__u64)(uintptr_t)(W.none_page + rn(64));
	case P_KERNEL:
		return 0xffff888000000000ULL + (r64() & 0xfffff0);
	case P_NONCANON:
		return rn(2) ? 0x8000000000000000ULL : (1ULL << 47) - 8;
	default:
		/* the first bytes readable, the rest in the guard page; at
		 * most a page back, or the pointer leaves the RW page before
		 * the guard for whatever memory lies below it (keybuf and
		 * batchbuf are writable) and usable_prefix() no longer holds.
		 */
		if (len > 4096)
			len = 4096;
		return (__u64)(uintptr_t)(W.guard_edge -
					  (len > 1 ? 1 + rn(len - 1) : 0));
	}
}

/* Whether a key pointer no longer names bytes inside keybuf. */
bool key_ptr_bad(__u64 p, __u32 len)
{
	uintptr_t a = (uintptr_t)p, lo = (uintptr_t)W.keybuf;

	if (!len)
		return false;
	return a < lo || a + len > lo + 256;
}
