/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests that key real SAs share (sa, lifecycle, manage, saenum).
 *
 * The two-namespace fixture: side A - the test process, in a network
 * namespace of its own - is keyed through libwfpipsec only; side B, a
 * peer namespace joined to it by a veth pair, is keyed with plain
 * `ip xfrm` commands, as in lib/examples/demo.sh.  Without ENV_PEER only
 * side A's namespace and engine exist.  Around it: the keys both sides
 * derive from a seed, the transforms and their bundles, the NAT-T
 * sockets, ping, the /proc counters, and a snapshot of what a refused
 * call must leave as it was.
 *
 * Functions taking struct __test_metadata ASSERT or EXPECT: building the
 * fixture, or checking, is their point.  The others return a status (a
 * shell exit status, -1, or a Windows code) for the caller to judge.  A
 * program adds members of its own to struct env by defining ENV_PRIVATE
 * before including this header.
 */
#ifndef WFP_SA_H
#define WFP_SA_H

#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>

#include <wfpipsec.h>

#include "wfp_ctx.h"
#include "wfp_test.h"
#include "wfp_xfrm.h"

#define ENV_MAX_IDS	64
#define ENV_MAX_KIDS	4

/* Fixed MACs, so both sides get static neighbour entries. */
#define MAC_A		"02:00:00:00:00:0a"
#define MAC_B		"02:00:00:00:00:0b"

/* Side A's and B's veth addresses; ENV_SECOND adds A2 and B2. */
#define A1		"10.1.0.1"
#define B1		"10.1.0.2"
#define A2		"10.1.1.1"
#define B2		"10.1.1.2"

/* env_setup()'s flags. */
#define ENV_PEER	0x01	/* side B over veth */
#define ENV_V6		0x02	/* endpoints fd00:1::1 and fd00:1::2 */
#define ENV_TUNNEL	0x04	/* tunnel mode between 10.2.1.0/24, 10.2.2.0/24 */
#define ENV_NATT	0x08	/* both sides' ESP-in-UDP sockets, port 4500 */
#define ENV_SECOND	0x10	/* a second address pair: A2, B2 */

/* Which keys of a context: the SA B sends with (DIR_IN) or A does. */
#define DIR_OUT		0
#define DIR_IN		1

/* AES-GCM-128: 16 bytes of key and 4 of salt, one blob. */
#define GCM_KEYLEN	20

struct env {
	HANDLE h;		/* side A's engine */
	int fd;			/* its descriptor, for raw ioctls */
	int bns;		/* side B's namespace, -1 without a peer */
	char bname[32];		/* its name until the veth pair exists */
	bool v6, tunnel, natt;
	int proto;		/* IPPROTO_ESP or IPPROTO_AH, of B's keying */
	/*
	 * Outer (endpoint) addresses, the hosts traffic runs between, and
	 * the selectors' subnets with their prefix length.
	 */
	const char *a_out, *b_out, *a_host, *b_host, *a_sel, *b_sel;
	int plen;
	UINT64 ids[ENV_MAX_IDS];	/* contexts to delete at teardown */
	int nids;
	pid_t kids[ENV_MAX_KIDS];	/* processes to kill at teardown */
	int nkids;
	int ua, ub;		/* UDP_ENCAP sockets (NAT-T) */
#ifdef ENV_PRIVATE
	ENV_PRIVATE;
#endif
};

/* ------------------------------------------------------------ keys */

/*
 * len bytes of key from a seed and a salt (a direction, or which key of
 * an SA): both sides derive the same ones.
 */
static void __attribute__((unused))
key_fill(UINT8 *k, UINT32 len, unsigned int seed, unsigned int salt)
{
	UINT32 i;

	for (i = 0; i < len; i++)
		k[i] = (UINT8)(seed * 0x3b + salt * 0x65 + i * 0x1d + 1);
}

/* "0x..." of len bytes, "''" when there are none, for iproute2. */
static __attribute__((unused)) char *
key_hex(const UINT8 *k, UINT32 len, char *buf)
{
	UINT32 i;

	if (!len)
		return strcpy(buf, "''");
	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < len; i++)
		sprintf(buf + 2 + 2 * i, "%02x", k[i]);
	return buf;
}

/* An AES-GCM-128 IPSEC_SA_BUNDLE1 with its SA and key, in place. */
struct gcm_sab {
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;
	UINT8 k[GCM_KEYLEN];
};

/* The key blob as cipher and auth key, as keying-demo.c gives it. */
static void __attribute__((unused))
gcm_sab_init(struct gcm_sab *s, UINT32 spi, unsigned int seed, int dir,
	     const IPSEC_SA_LIFETIME0 *lt)
{
	memset(s, 0, sizeof(*s));
	key_fill(s->k, GCM_KEYLEN, seed, dir);
	gcm_sa_init(&s->sa, &s->ac, spi, s->k, GCM_KEYLEN);
	s->ac.saAuthInformation.authKey = s->ac.saCipherInformation.cipherKey;
	if (lt)
		s->b.lifetime = *lt;
	s->b.numSAs = 1;
	s->b.saList = &s->sa;
	s->b.ipVersion = FWP_IP_VERSION_V4;
}

/* The same with no auth key: the GCM form sa.rst allows besides. */
static void __attribute__((unused))
gcm_sab_init_noauth(struct gcm_sab *s, UINT32 spi, unsigned int seed, int dir,
		    const IPSEC_SA_LIFETIME0 *lt)
{
	gcm_sab_init(s, spi, seed, dir, lt);
	memset(&s->ac.saAuthInformation.authKey, 0,
	       sizeof(s->ac.saAuthInformation.authKey));
}

/*
 * Takes context id of traffic t from state `from` to state `to`
 * (WFP_IPSEC_CTX_STATE_*) with the calls a keying module makes: SetSpi0,
 * AddInbound1, AddOutbound1 with gcm_sab_init() bundles.  The first
 * failing status, or ERROR_SUCCESS.
 */
static DWORD __attribute__((unused))
gcm_advance(HANDLE h, UINT64 id, const IPSEC_TRAFFIC1 *t, int from, int to,
	    UINT32 spi_in, UINT32 spi_out, unsigned int seed,
	    const IPSEC_SA_LIFETIME0 *lt)
{
	struct gcm_sab s;
	IPSEC_GETSPI1 g;
	DWORD rc = ERROR_SUCCESS;

	if (from < WFP_IPSEC_CTX_STATE_SPI_SET &&
	    to >= WFP_IPSEC_CTX_STATE_SPI_SET) {
		wfp_getspi_set(&g, t);
		rc = IPsecSaContextSetSpi0(h, id, &g, spi_in);
	}
	if (!rc && from < WFP_IPSEC_CTX_STATE_INBOUND &&
	    to >= WFP_IPSEC_CTX_STATE_INBOUND) {
		gcm_sab_init(&s, spi_in, seed, DIR_IN, lt);
		rc = IPsecSaContextAddInbound1(h, id, &s.b);
	}
	if (!rc && from < WFP_IPSEC_CTX_STATE_COMPLETE &&
	    to >= WFP_IPSEC_CTX_STATE_COMPLETE) {
		gcm_sab_init(&s, spi_out, seed, DIR_OUT, lt);
		rc = IPsecSaContextAddOutbound1(h, id, &s.b);
	}
	return rc;
}

/* Create1 of traffic t, then gcm_advance() to `to`; *id once it exists. */
static DWORD __attribute__((unused))
gcm_ctx(HANDLE h, const IPSEC_TRAFFIC1 *t, int to, UINT32 spi_in,
	UINT32 spi_out, unsigned int seed, const IPSEC_SA_LIFETIME0 *lt,
	UINT64 *id)
{
	DWORD rc;

	*id = 0;
	rc = IPsecSaContextCreate1(h, t, NULL, NULL, id);
	if (rc)
		return rc;
	return gcm_advance(h, *id, t, WFP_IPSEC_CTX_STATE_CREATED, to, spi_in,
			   spi_out, seed, lt);
}

/* ------------------------------------------------------ transforms */

/*
 * The SAs of any transform (sa, saenum): a struct alg names one, and
 * sab_init() builds its IPSEC_SA_BUNDLE1 in place with alg_keys()' keys
 * and the B_* and LT_* members, which a test may change afterwards.
 */
#define KEYBUF		(WFP_IPSEC_KEY_MAX + 16)

/* What every bundle carries besides its SA, to see it reported back. */
#define B_FLAGS		IPSEC_SA_BUNDLE_FLAG_NLB
#define B_IDLE		300
#define B_NDCLEAR	7
#define B_NAP		9
#define B_QMSA		0x51
#define B_MMSA		0x1122334455667788ULL
#define B_PFS		IPSEC_PFS_2048
#define B_QMFILTER	0xabcdefULL
#define B_LOOKUP	0x5c
#define LT_SECONDS	3600
#define LT_KB		1000000
#define LT_PACKETS	1000000

/*
 * One IPSEC_SA0 transform as the library is given it, and what xfrm
 * must show for it (Documentation/sa.rst, kmod/algs.c).
 */
struct alg {
	const char *name;
	IPSEC_TRANSFORM_TYPE type;
	IPSEC_AUTH_TYPE auth_type;
	UINT8 auth_cfg;
	UINT32 auth_len;
	IPSEC_CIPHER_TYPE cipher_type;
	UINT8 cipher_cfg;
	UINT32 cipher_len;
	bool gcm;		/* AES-GCM: one blob (key + salt), as cipher key */
	bool auth_copy;		/* AES-GCM: the blob again as auth key */
	int proto;		/* IPPROTO_ESP or IPPROTO_AH */
	const char *x_aead, *x_auth, *x_enc;
	unsigned int x_bits;	/* ICV or truncation */
};

/* AES-GCM of n bits, a key blob of len bytes; copy: it as auth key too. */
#define ALG_GCM(n, len, copy) {						\
	.name = "aes-gcm-" #n,						\
	.type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,			\
	.auth_type = IPSEC_AUTH_AES_##n,				\
	.auth_cfg = IPSEC_AUTH_CONFIG_GCM_AES_##n,			\
	.cipher_type = IPSEC_CIPHER_TYPE_AES_##n,			\
	.cipher_cfg = IPSEC_CIPHER_CONFIG_GCM_AES_##n, .cipher_len = len, \
	.gcm = true, .auth_copy = copy, .proto = IPPROTO_ESP,		\
	.x_aead = "rfc4106(gcm(aes))", .x_bits = 128,			\
}

static const struct alg __attribute__((unused)) ALG_GCM128 =
	ALG_GCM(128, 20, true);

/* ALG_GCM128 with the auth key left empty (saenum's SAs). */
static const struct alg __attribute__((unused)) ALG_GCM128_NOAUTH =
	ALG_GCM(128, 20, false);

/* The auth key left empty, which sa.rst allows for GCM. */
static const struct alg __attribute__((unused)) ALG_GCM256 =
	ALG_GCM(256, 36, false);

static const struct alg __attribute__((unused)) ALG_CBC128_SHA256 = {
	.name = "aes-cbc-128+hmac-sha256",
	.type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
	.auth_type = IPSEC_AUTH_SHA_256,
	.auth_cfg = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, .auth_len = 32,
	.cipher_type = IPSEC_CIPHER_TYPE_AES_128,
	.cipher_cfg = IPSEC_CIPHER_CONFIG_CBC_AES_128, .cipher_len = 16,
	.proto = IPPROTO_ESP, .x_auth = "hmac(sha256)",
	.x_enc = "cbc(aes)", .x_bits = 128,
};

static const struct alg __attribute__((unused)) ALG_ESP_CBC128 = {
	.name = "esp-cipher aes-cbc-128", .type = IPSEC_TRANSFORM_ESP_CIPHER,
	.cipher_type = IPSEC_CIPHER_TYPE_AES_128,
	.cipher_cfg = IPSEC_CIPHER_CONFIG_CBC_AES_128, .cipher_len = 16,
	.proto = IPPROTO_ESP, .x_enc = "cbc(aes)",
};

static const struct alg __attribute__((unused)) ALG_ESP_SHA1 = {
	.name = "esp-auth hmac-sha1", .type = IPSEC_TRANSFORM_ESP_AUTH,
	.auth_type = IPSEC_AUTH_SHA_1,
	.auth_cfg = IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, .auth_len = 20,
	.proto = IPPROTO_ESP, .x_auth = "hmac(sha1)",
	.x_enc = "ecb(cipher_null)", .x_bits = 96,
};

static const struct alg __attribute__((unused)) ALG_ESP_SHA256 = {
	.name = "esp-auth hmac-sha256", .type = IPSEC_TRANSFORM_ESP_AUTH,
	.auth_type = IPSEC_AUTH_SHA_256,
	.auth_cfg = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, .auth_len = 32,
	.proto = IPPROTO_ESP, .x_auth = "hmac(sha256)",
	.x_enc = "ecb(cipher_null)", .x_bits = 128,
};

static const struct alg __attribute__((unused)) ALG_GMAC128 = {
	.name = "esp-auth gmac-128", .type = IPSEC_TRANSFORM_ESP_AUTH,
	.auth_type = IPSEC_AUTH_AES_128,
	.auth_cfg = IPSEC_AUTH_CONFIG_GCM_AES_128, .auth_len = 20,
	.proto = IPPROTO_ESP, .x_aead = "rfc4543(gcm(aes))", .x_bits = 128,
};

static const struct alg __attribute__((unused)) ALG_AH_SHA256 = {
	.name = "ah hmac-sha256", .type = IPSEC_TRANSFORM_AH,
	.auth_type = IPSEC_AUTH_SHA_256,
	.auth_cfg = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, .auth_len = 32,
	.proto = IPPROTO_AH, .x_auth = "hmac(sha256)", .x_bits = 128,
};

/*
 * The keys of one direction (DIR_IN: the SA the peer sends with).  The
 * whole buffers are filled, so a test may give a longer blob.
 */
static void __attribute__((unused))
alg_keys(const struct alg *a, unsigned int seed, int dir, UINT8 *ck,
	 UINT8 *ak)
{
	key_fill(ck, KEYBUF, seed, dir * 2);
	if (a->gcm)
		memcpy(ak, ck, KEYBUF);
	else
		key_fill(ak, KEYBUF, seed, dir * 2 + 1);
}

/* An IPSEC_SA_BUNDLE1 with its SA, information and keys, in place. */
struct sab {
	const struct alg *a;
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA0 sa[3];
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;
	IPSEC_SA_AUTH_INFORMATION0 ai;
	IPSEC_SA_CIPHER_INFORMATION0 ci;
	UINT8 ak[KEYBUF], ck[KEYBUF];
	IPSEC_SA_BUNDLE0 b0;	/* the same, as IPSEC_SA_BUNDLE0 */
};

/* The auth half of the SA (for ESP_CIPHER one the SA does not use). */
static __attribute__((unused)) IPSEC_SA_AUTH_INFORMATION0 *
sab_auth(struct sab *s)
{
	if (s->a->type == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER)
		return &s->ac.saAuthInformation;
	return &s->ai;
}

static __attribute__((unused)) IPSEC_SA_CIPHER_INFORMATION0 *
sab_cipher(struct sab *s)
{
	if (s->a->type == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER)
		return &s->ac.saCipherInformation;
	return &s->ci;
}

/* Copies what IPSEC_SA_BUNDLE0 has of b into b0 (call after changes). */
static __attribute__((unused)) IPSEC_SA_BUNDLE0 *
sab0(struct sab *s)
{
	IPSEC_SA_BUNDLE0 *b0 = &s->b0;

	memset(b0, 0, sizeof(*b0));
	b0->flags = s->b.flags;
	b0->lifetime = s->b.lifetime;
	b0->idleTimeoutSeconds = s->b.idleTimeoutSeconds;
	b0->ndAllowClearTimeoutSeconds = s->b.ndAllowClearTimeoutSeconds;
	b0->ipsecId = s->b.ipsecId;
	b0->napContext = s->b.napContext;
	b0->qmSaId = s->b.qmSaId;
	b0->numSAs = s->b.numSAs;
	b0->saList = s->b.saList;
	b0->keyModuleState = s->b.keyModuleState;
	b0->ipVersion = s->b.ipVersion;
	b0->peerV4PrivateAddress = s->b.peerV4PrivateAddress;
	b0->mmSaId = s->b.mmSaId;
	b0->pfsGroup = s->b.pfsGroup;
	return b0;
}

static void __attribute__((unused))
sab_init(struct sab *s, const struct alg *a, UINT32 spi, unsigned int seed,
	 int dir, FWP_IP_VERSION v)
{
	IPSEC_SA_AUTH_INFORMATION0 *ai = NULL;
	IPSEC_SA_CIPHER_INFORMATION0 *ci = NULL;

	memset(s, 0, sizeof(*s));
	s->a = a;
	alg_keys(a, seed, dir, s->ck, s->ak);
	s->sa[0].spi = spi;
	s->sa[0].saTransformType = a->type;
	switch (a->type) {
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		ai = &s->ac.saAuthInformation;
		ci = &s->ac.saCipherInformation;
		s->sa[0].espAuthAndCipherInformation = &s->ac;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		ci = &s->ci;
		s->sa[0].espCipherInformation = ci;
		break;
	default:
		ai = &s->ai;
		s->sa[0].ahInformation = ai;
		break;
	}
	if (ai) {
		ai->authTransform.authTransformId.authType = a->auth_type;
		ai->authTransform.authTransformId.authConfig = a->auth_cfg;
		if (!a->gcm) {
			ai->authKey.size = a->auth_len;
			ai->authKey.data = s->ak;
		} else if (a->auth_copy) {
			ai->authKey.size = a->cipher_len;
			ai->authKey.data = s->ak;
		}
	}
	if (ci) {
		ci->cipherTransform.cipherTransformId.cipherType = a->cipher_type;
		ci->cipherTransform.cipherTransformId.cipherConfig = a->cipher_cfg;
		ci->cipherKey.size = a->cipher_len;
		ci->cipherKey.data = s->ck;
	}
	s->b.flags = B_FLAGS;
	s->b.lifetime.lifetimeSeconds = LT_SECONDS;
	s->b.lifetime.lifetimeKilobytes = LT_KB;
	s->b.lifetime.lifetimePackets = LT_PACKETS;
	s->b.idleTimeoutSeconds = B_IDLE;
	s->b.ndAllowClearTimeoutSeconds = B_NDCLEAR;
	s->b.napContext = B_NAP;
	s->b.qmSaId = B_QMSA;
	s->b.numSAs = 1;
	s->b.saList = s->sa;
	s->b.ipVersion = v;
	s->b.mmSaId = B_MMSA;
	s->b.pfsGroup = B_PFS;
	s->b.qmFilterId = B_QMFILTER;
	memset(&s->b.saLookupContext, B_LOOKUP, sizeof(s->b.saLookupContext));
	sab0(s);
}

/* ------------------------------------------------------------ sockets */

/*
 * Per-socket bypass policies, as IKE daemons put on their sockets: the
 * context's policies (any protocol between the two hosts) would
 * otherwise demand IPsec of the ESP-in-UDP datagrams themselves, which
 * the IN policy check on UDP delivery runs before the encapsulation
 * handler sees them.
 */
static int __attribute__((unused))
socket_bypass(int s)
{
	struct xfrm_userpolicy_info p;
	int dir;

	for (dir = XFRM_POLICY_IN; dir <= XFRM_POLICY_OUT; dir++) {
		memset(&p, 0, sizeof(p));
		p.action = XFRM_POLICY_ALLOW;
		p.dir = dir;
		p.sel.family = AF_INET;
		p.lft.soft_byte_limit = XFRM_INF;
		p.lft.hard_byte_limit = XFRM_INF;
		p.lft.soft_packet_limit = XFRM_INF;
		p.lft.hard_packet_limit = XFRM_INF;
		if (setsockopt(s, IPPROTO_IP, IP_XFRM_POLICY, &p, sizeof(p)))
			return -1;
	}
	return 0;
}

/* addr (NULL: any) and port as a sockaddr of the family; its length. */
static socklen_t __attribute__((unused))
sockaddr_set(struct sockaddr_in6 *sa, bool v6, const char *addr, int port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

	memset(sa, 0, sizeof(*sa));
	if (v6) {
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(port);
		if (addr && inet_pton(AF_INET6, addr, &sa->sin6_addr) != 1)
			return 0;
		return sizeof(*sa);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	if (addr && inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
		return 0;
	return sizeof(*s4);
}

/*
 * A UDP socket bound in namespace ns; with encap, an ESP-in-UDP receiver
 * as an IKE daemon's NAT-T socket is (bypassing policies).  -1 on error.
 */
static int __attribute__((unused))
udp_socket(int ns, bool v6, const char *addr, int port, bool encap)
{
	int s, one = UDP_ENCAP_ESPINUDP;
	struct sockaddr_in6 sa;
	socklen_t len = sockaddr_set(&sa, v6, addr, port);

	if (!len || ns_enter(ns))
		return -1;
	s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && (bind(s, (struct sockaddr *)&sa, len) ||
		       (encap && (setsockopt(s, IPPROTO_UDP, UDP_ENCAP, &one,
					     sizeof(one)) ||
				  socket_bypass(s))))) {
		close(s);
		s = -1;
	}
	ns_leave(ns);
	return s;
}

/* msg from s to addr:port; 0 or -1. */
static int __attribute__((unused))
udp_send_to(int s, bool v6, const char *addr, int port, const char *msg)
{
	struct sockaddr_in6 sa;
	socklen_t len = sockaddr_set(&sa, v6, addr, port);

	return sendto(s, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) ==
	       (ssize_t)strlen(msg) ? 0 : -1;
}

/* The datagram msg arrives on s within ms milliseconds. */
static bool __attribute__((unused))
udp_got(int s, const char *msg, int ms)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char buf[64];
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return false;
	n = recv(s, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n < 0)
		return false;
	buf[n] = 0;
	return !strcmp(buf, msg);
}

/* Both sides' NAT-T sockets, as an IKE daemon owns them. */
static void __attribute__((unused))
env_natt_sockets(struct __test_metadata *_metadata, struct env *e)
{
	e->ua = udp_socket(-1, false, NULL, 4500, true);
	e->ub = udp_socket(e->bns, false, NULL, 4500, true);
	ASSERT_GE(e->ua, 0) TH_LOG("encap socket: %s", strerror(errno));
	ASSERT_GE(e->ub, 0) TH_LOG("encap socket: %s", strerror(errno));
}

/* ---------------------------------------------------------- fixture */

/* Traffic, selectors and B's keying between a and b, transport mode. */
static void __attribute__((unused))
env_pair(struct env *e, const char *a, const char *b)
{
	e->a_out = e->a_host = e->a_sel = a;
	e->b_out = e->b_host = e->b_sel = b;
	e->plen = strchr(a, ':') ? 128 : 32;
}

static void env_addresses(struct env *e, unsigned int flags)
{
	e->v6 = flags & ENV_V6;
	e->tunnel = flags & ENV_TUNNEL;
	e->natt = flags & ENV_NATT;
	env_pair(e, e->v6 ? "fd00:1::1" : A1, e->v6 ? "fd00:1::2" : B1);
	if (e->tunnel) {
		e->a_host = "10.2.1.1";
		e->b_host = "10.2.2.1";
		e->a_sel = "10.2.1.0";
		e->b_sel = "10.2.2.0";
		e->plen = 24;
	}
}

/* Address addr/plen and a permanent neighbour nb (MAC mac) on dev. */
static int env_addr(int ns, const char *dev, const char *addr,
		    const char *nb, const char *mac)
{
	bool v6 = strchr(addr, ':');

	return sh_in(ns, "ip %s addr add %s/%d dev %s%s && ip %s neigh add %s "
		     "lladdr %s dev %s nud permanent", v6 ? "-6" : "-4", addr,
		     v6 ? 64 : 24, dev, v6 ? " nodad" : "", v6 ? "-6" : "-4",
		     nb, mac, dev);
}

/* Side B's namespace and the veth pair, addressed as flags say. */
static void env_peer(struct __test_metadata *_metadata, struct env *e,
		     unsigned int flags)
{
	char path[64];
	int rc;

	snprintf(e->bname, sizeof(e->bname), "wfpb%d", getpid());
	ASSERT_EQ(sh("ip netns add %s", e->bname), 0) TH_LOG("%s", g_last_cmd);
	snprintf(path, sizeof(path), "/run/netns/%s", e->bname);
	e->bns = open(path, O_RDONLY | O_CLOEXEC);
	rc = e->bns < 0 ? -1 :
	     sh("ip link set lo up && ip link add va address " MAC_A
		" type veth peer name vb address " MAC_B " netns %s && "
		"ip link set va up", e->bname);
	/* The descriptor keeps B alive; no name is left behind. */
	sh("ip netns del %s", e->bname);
	e->bname[0] = 0;
	ASSERT_GE(e->bns, 0);
	ASSERT_EQ(rc, 0) TH_LOG("veth pair: %s", g_last_cmd);
	ASSERT_EQ(sh_in(e->bns, "ip link set lo up && ip link set vb up"), 0);
	ASSERT_EQ(env_addr(-1, "va", e->a_out, e->b_out, MAC_B), 0)
		TH_LOG("%s", g_last_cmd);
	ASSERT_EQ(env_addr(e->bns, "vb", e->b_out, e->a_out, MAC_A), 0)
		TH_LOG("%s", g_last_cmd);
	if (flags & ENV_SECOND) {
		ASSERT_EQ(env_addr(-1, "va", A2, B2, MAC_B), 0)
			TH_LOG("%s", g_last_cmd);
		ASSERT_EQ(env_addr(e->bns, "vb", B2, A2, MAC_A), 0)
			TH_LOG("%s", g_last_cmd);
	}
	if (e->tunnel) {
		/* The subnets behind the endpoints: one host each, on lo. */
		ASSERT_EQ(sh("ip addr add 10.2.1.1/32 dev lo && "
			     "ip route add 10.2.2.0/24 via " B1 " dev va "
			     "src 10.2.1.1"), 0) TH_LOG("%s", g_last_cmd);
		ASSERT_EQ(sh_in(e->bns, "ip addr add 10.2.2.1/32 dev lo && "
				"ip route add 10.2.1.0/24 via " A1 " dev vb "
				"src 10.2.2.1"), 0) TH_LOG("%s", g_last_cmd);
	}
}

/* A's xfrm database holds sas states and sps policies. */
static void __attribute__((unused))
expect_xfrm(struct __test_metadata *_metadata, int sas, int sps)
{
	EXPECT_EQ(sa_count(-1), sas);
	EXPECT_EQ(sp_count(-1), sps);
}

/*
 * Side A in a new network namespace, so the xfrm database starts empty
 * and counts are exact; side B with ENV_PEER; A's engine.
 */
static void __attribute__((unused))
env_setup(struct __test_metadata *_metadata, struct env *e,
	  unsigned int flags)
{
	e->fd = e->bns = e->ua = e->ub = -1;
	e->proto = IPPROTO_ESP;
	env_addresses(e, flags);
	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	g_home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(g_home, 0);
	if (flags & ENV_PEER)
		env_peer(_metadata, e, flags);
	wfp_engine_open(_metadata, &e->h, &e->fd);
	/* (These load xfrm_user, which socket policies need.) */
	ASSERT_EQ(sa_count(-1), 0);
	ASSERT_EQ(sp_count(-1), 0);
	if (flags & ENV_PEER) {
		ASSERT_EQ(sa_count(e->bns), 0);
	}
	if (flags & ENV_NATT)
		env_natt_sockets(_metadata, e);
}

static void __attribute__((unused))
env_teardown(struct env *e)
{
	int i;

	/* A test that failed in B's namespace leaves from there. */
	if (g_home >= 0 && setns(g_home, CLONE_NEWNET))
		abort();
	for (i = 0; i < e->nkids; i++) {
		kill(e->kids[i], SIGKILL);
		waitpid(e->kids[i], NULL, 0);
	}
	if (e->h) {
		for (i = 0; i < e->nids; i++)
			if (e->ids[i])
				IPsecSaContextDeleteById0(e->h, e->ids[i]);
		FwpmEngineClose0(e->h);
		e->h = NULL;
	}
	if (e->ua >= 0)
		close(e->ua);
	if (e->ub >= 0)
		close(e->ub);
	if (e->bns >= 0)
		close(e->bns);
	if (e->bname[0])
		sh("ip netns del %s 2>/dev/null", e->bname);
	if (g_home >= 0)
		close(g_home);
	g_home = -1;
}

/* A context to delete at teardown; 0 when the table is full. */
static int __attribute__((unused))
env_keep(struct env *e, UINT64 id)
{
	if (!id || e->nids >= ENV_MAX_IDS)
		return -1;
	e->ids[e->nids++] = id;
	return 0;
}

/* A context deleted already, not to delete again. */
static void __attribute__((unused))
env_forget(struct env *e, UINT64 id)
{
	int i;

	for (i = 0; i < e->nids; i++) {
		if (e->ids[i] != id)
			continue;
		/* The last entry fills the hole, so that slots are reused. */
		e->ids[i--] = e->ids[--e->nids];
		e->ids[e->nids] = 0;
	}
}

/* A helper process to kill at teardown. */
static void __attribute__((unused))
env_adopt(struct env *e, pid_t pid)
{
	if (e->nkids < ENV_MAX_KIDS)
		e->kids[e->nkids++] = pid;
}

/* ------------------------------------------------------------ traffic */

/*
 * How long to wait for a packet the test expects to be dropped.  Between
 * two namespaces of one guest a reply takes milliseconds, even under TCG
 * on the debug kernel; waits for packets that must arrive stay longer.
 */
#define LOST_WAIT_MS	1000

/* busybox ping of count echoes between the traffic hosts; its status. */
static int __attribute__((unused))
ping(struct env *e, bool from_b, int count)
{
	const char *src = from_b ? e->b_host : e->a_host;
	const char *dst = from_b ? e->a_host : e->b_host;

	return sh_in(from_b ? e->bns : -1,
		     "ping -c %d -i 0.2 -W 2 %s%s %s >/dev/null 2>&1", count,
		     e->tunnel ? "-I " : "", e->tunnel ? src : "", dst);
}

/* One echo request that must get no reply within LOST_WAIT_MS. */
static bool __attribute__((unused))
ping_lost(struct env *e, bool from_b)
{
	const char *src = from_b ? e->b_host : e->a_host;
	const char *dst = from_b ? e->a_host : e->b_host;

	return sh_in(from_b ? e->bns : -1,
		     "ping -c 1 -W %d %s%s %s >/dev/null 2>&1",
		     LOST_WAIT_MS / 1000, e->tunnel ? "-I " : "",
		     e->tunnel ? src : "", dst) != 0;
}

/* ------------------------------------------------------- /proc counters */

/* A /proc/self/net file as namespace ns sees it, for reading; or NULL. */
static __attribute__((unused)) FILE *
ns_fopen(int ns, const char *path)
{
	FILE *f;

	if (ns_enter(ns))
		return NULL;
	f = fopen(path, "r");
	ns_leave(ns);
	return f;
}

/* A counter of /proc/net/xfrm_stat in namespace ns, or -1. */
static long long __attribute__((unused))
xstat(int ns, const char *name)
{
	char line[128], key[64];
	unsigned long long v;
	long long ret = -1;
	FILE *f;

	f = ns_fopen(ns, "/proc/self/net/xfrm_stat");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", key, &v) == 2 &&
		    !strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* A field of /proc/net/snmp ("Ip", "InReceives") in namespace ns, or -1. */
static long long __attribute__((unused))
snmp(int ns, const char *proto, const char *field)
{
	char hdr[2048], val[2048], *sh_, *sv, *k, *v;
	size_t plen = strlen(proto);
	long long ret = -1;
	FILE *f;

	f = ns_fopen(ns, "/proc/self/net/snmp");
	if (!f)
		return -1;
	while (ret < 0 && fgets(hdr, sizeof(hdr), f) &&
	       fgets(val, sizeof(val), f)) {
		if (strncmp(hdr, proto, plen) || hdr[plen] != ':')
			continue;
		k = strtok_r(hdr, " \n", &sh_);
		v = strtok_r(val, " \n", &sv);
		while ((k = strtok_r(NULL, " \n", &sh_)) &&
		       (v = strtok_r(NULL, " \n", &sv))) {
			if (!strcmp(k, field)) {
				ret = strtoll(v, NULL, 10);
				break;
			}
		}
	}
	fclose(f);
	return ret;
}

/* ---------------------------------------------------- nothing changed */

/* What a command prints in namespace ns, malloc()ed ("" on failure). */
static __attribute__((unused)) char *
out_in(int ns, const char *cmd)
{
	size_t cap = 4096, len = 0, n;
	char *buf = calloc(1, cap);
	FILE *f;

	if (!buf)
		abort();
	if (ns_enter(ns))
		return buf;
	f = popen(cmd, "r");
	ns_leave(ns);
	if (!f)
		return buf;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = 0;
	pclose(f);
	return buf;
}

/* The xfrm states and policies of A, as text (no counters in it). */
static __attribute__((unused)) char *
xfrm_text(void)
{
	return out_in(-1, "ip xfrm state 2>&1; ip xfrm policy 2>&1");
}

/*
 * What a refused call must leave as it was: A's xfrm states and policies
 * and the context's CTX_GET (zeroes, each time, when there is none).
 */
struct ctx_snap {
	struct wfp_ipsec_ctx_info info;
	char *xfrm;
};

static struct ctx_snap __attribute__((unused))
ctx_snap_take(struct env *e, UINT64 id)
{
	struct ctx_snap sn = { .xfrm = xfrm_text() };

	if (raw_get(e->fd, id, &sn.info))
		memset(&sn.info, 0, sizeof(sn.info));
	return sn;
}

/* Nothing changed since before, which is freed. */
static void __attribute__((unused))
expect_ctx_unchanged(struct __test_metadata *_metadata, struct env *e,
		     UINT64 id, struct ctx_snap *before)
{
	struct ctx_snap now = ctx_snap_take(e, id);

	EXPECT_STREQ(before->xfrm, now.xfrm);
	EXPECT_EQ(memcmp(&before->info, &now.info, sizeof(now.info)), 0)
		TH_LOG("context changed");
	free(before->xfrm);
	free(now.xfrm);
}

/* ------------------------------------------------ side B, `ip xfrm` */

/*
 * One of B's states from src to dst, in e's mode, protocol and
 * encapsulation; algs is the algorithm part (and any option after it).
 * The command's exit status.
 */
static int __attribute__((unused))
b_state(struct env *e, const char *src, const char *dst, UINT32 spi,
	const char *algs)
{
	return sh_in(e->bns, "ip xfrm state add src %s dst %s proto %s spi 0x%x "
		     "reqid 1 mode %s %s%s", src, dst,
		     e->proto == IPPROTO_AH ? "ah" : "esp", spi,
		     e->tunnel ? "tunnel" : "transport", algs,
		     e->natt ? " encap espinudp 4500 4500 0.0.0.0" : "");
}

/* B's two states: it sends on A's inbound SPI, receives on A's outbound. */
static void __attribute__((unused))
b_states_algs(struct __test_metadata *_metadata, struct env *e,
	      UINT32 spi_in, UINT32 spi_out, const char *algs_in,
	      const char *algs_out)
{
	ASSERT_EQ(b_state(e, e->b_out, e->a_out, spi_in, algs_in), 0)
		TH_LOG("%s", g_last_cmd);
	ASSERT_EQ(b_state(e, e->a_out, e->b_out, spi_out, algs_out), 0)
		TH_LOG("%s", g_last_cmd);
}

/* B's algorithm part for gcm_sab_init()'s key, from sequence number oseq. */
static __attribute__((unused)) char *
gcm_algs(char *buf, size_t n, unsigned int seed, int dir,
	 unsigned long long oseq)
{
	char hex[2 * GCM_KEYLEN + 3];
	UINT8 k[GCM_KEYLEN];

	key_fill(k, GCM_KEYLEN, seed, dir);
	snprintf(buf, n, "aead 'rfc4106(gcm(aes))' %s 128 replay-oseq %llu",
		 key_hex(k, GCM_KEYLEN, hex), oseq);
	return buf;
}

/*
 * B's two AES-GCM-128 states.  B sends from sequence number oseq: a B
 * that re-adds its states must carry on where it was, as A's inbound
 * copy keeps its anti-replay window.
 */
static void __attribute__((unused))
gcm_b_states(struct __test_metadata *_metadata, struct env *e,
	     UINT32 spi_in, UINT32 spi_out, unsigned int seed,
	     unsigned long long oseq)
{
	char in[2 * GCM_KEYLEN + 80], out[2 * GCM_KEYLEN + 80];

	b_states_algs(_metadata, e, spi_in, spi_out,
		      gcm_algs(in, sizeof(in), seed, DIR_IN, oseq),
		      gcm_algs(out, sizeof(out), seed, DIR_OUT, 0));
}

/* One of B's policies: dir out (B -> A) or in/fwd (A -> B). */
static int b_policy(struct env *e, const char *dir, bool out)
{
	const char *p = e->proto == IPPROTO_AH ? "ah" : "esp";
	const char *ss = out ? e->b_sel : e->a_sel, *ds = out ? e->a_sel : e->b_sel;
	const char *ts = out ? e->b_out : e->a_out, *td = out ? e->a_out : e->b_out;

	if (e->tunnel)
		return sh_in(e->bns, "ip xfrm policy add src %s/%d dst %s/%d dir %s "
			     "tmpl src %s dst %s proto %s reqid 1 mode tunnel",
			     ss, e->plen, ds, e->plen, dir, ts, td, p);
	return sh_in(e->bns, "ip xfrm policy add src %s/%d dst %s/%d dir %s "
		     "tmpl proto %s reqid 1 mode transport",
		     ss, e->plen, ds, e->plen, dir, p);
}

/* B's policies for the traffic of e: out, in, and fwd for a tunnel. */
static void __attribute__((unused))
b_policies(struct __test_metadata *_metadata, struct env *e)
{
	ASSERT_EQ(b_policy(e, "out", true), 0) TH_LOG("%s", g_last_cmd);
	ASSERT_EQ(b_policy(e, "in", false), 0) TH_LOG("%s", g_last_cmd);
	if (e->tunnel) {
		ASSERT_EQ(b_policy(e, "fwd", false), 0)
			TH_LOG("%s", g_last_cmd);
	}
}

#endif /* WFP_SA_H */
