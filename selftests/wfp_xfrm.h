/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xfrm database as libnl-xfrm-3 reads it back (XFRM_MSG_GETSA and
 * XFRM_MSG_GETPOLICY dumps), and the AES-GCM-128 SA the tests key
 * with.  ns is a namespace descriptor as wfp_ns.h takes it: -1 is the
 * caller's own.
 */
#ifndef WFP_XFRM_H
#define WFP_XFRM_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/pfkeyv2.h>
#include <linux/xfrm.h>

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/xfrm/lifetime.h>
#include <netlink/xfrm/sa.h>
#include <netlink/xfrm/selector.h>
#include <netlink/xfrm/sp.h>
#include <netlink/xfrm/template.h>

#include <fwpmu.h>

#include "wfp_ns.h"

/* ------------------------------------------------------------ states */

/* One xfrm state, every field a test looks at. */
struct xs {
	UINT32 spi, reqid;
	int proto, mode, family, alen, replay_window;
	UINT8 daddr[16], saddr[16];
	int sel_plen_d, sel_plen_s, sel_proto;
	UINT8 sel_daddr[16], sel_saddr[16];
	/* hard_add is ~0 when the state came without a lifetime. */
	unsigned long long soft_add, hard_add, soft_bytes, hard_bytes;
	unsigned long long soft_pkts, hard_pkts;
	unsigned long long bytes, packets;
	unsigned long long replay, integrity_failed;
	char aead[64], auth[64], enc[64];
	unsigned int aead_bits, aead_icv, auth_bits, auth_trunc, enc_bits;
	UINT8 aead_key[256], auth_key[256], enc_key[256];
	bool crypt;		/* it has an encryption algorithm */
	bool encap;
	unsigned int encap_type, encap_sport, encap_dport;
	unsigned int oseq, seq;
};

/* An address's bytes into out[16], zero-padded; its length. */
static int __attribute__((unused))
nl_bytes(struct nl_addr *a, UINT8 *out)
{
	unsigned int len;

	memset(out, 0, 16);
	if (!a)
		return 0;
	len = nl_addr_get_len(a);
	if (len > 16)
		len = 16;
	memcpy(out, nl_addr_get_binary_addr(a), len);
	return len;
}

static bool xs_fill(struct nl_object *o, void *out)
{
	struct xfrmnl_sa *sa = (struct xfrmnl_sa *)o;
	struct xfrmnl_ltime_cfg *lft = xfrmnl_sa_get_lifetime_cfg(sa);
	struct xfrmnl_sel *sel = xfrmnl_sa_get_sel(sa);
	unsigned long long at, ut, rw;
	unsigned int bmp;
	struct nl_addr *oa = NULL;
	struct xs *x = out;

	x->spi = (UINT32)xfrmnl_sa_get_spi(sa);
	x->reqid = (UINT32)xfrmnl_sa_get_reqid(sa);
	x->proto = xfrmnl_sa_get_proto(sa);
	x->mode = xfrmnl_sa_get_mode(sa);
	x->family = xfrmnl_sa_get_family(sa);
	x->replay_window = xfrmnl_sa_get_replay_window(sa);
	x->alen = nl_bytes(xfrmnl_sa_get_daddr(sa), x->daddr);
	nl_bytes(xfrmnl_sa_get_saddr(sa), x->saddr);
	if (sel) {
		x->sel_plen_d = xfrmnl_sel_get_prefixlen_d(sel);
		x->sel_plen_s = xfrmnl_sel_get_prefixlen_s(sel);
		x->sel_proto = xfrmnl_sel_get_proto(sel);
		nl_bytes(xfrmnl_sel_get_daddr(sel), x->sel_daddr);
		nl_bytes(xfrmnl_sel_get_saddr(sel), x->sel_saddr);
	} else {
		x->sel_plen_d = x->sel_plen_s = -1;
	}
	if (lft) {
		x->soft_add = xfrmnl_ltime_cfg_get_soft_addexpires(lft);
		x->hard_add = xfrmnl_ltime_cfg_get_hard_addexpires(lft);
		x->soft_bytes = xfrmnl_ltime_cfg_get_soft_bytelimit(lft);
		x->hard_bytes = xfrmnl_ltime_cfg_get_hard_bytelimit(lft);
		x->soft_pkts = xfrmnl_ltime_cfg_get_soft_packetlimit(lft);
		x->hard_pkts = xfrmnl_ltime_cfg_get_hard_packetlimit(lft);
	} else {
		x->hard_add = ~0ULL;
	}
	xfrmnl_sa_get_curlifetime(sa, &x->bytes, &x->packets, &at, &ut);
	xfrmnl_sa_get_stats(sa, &rw, &x->replay, &x->integrity_failed);
	xfrmnl_sa_get_replay_state(sa, &x->oseq, &x->seq, &bmp);
	xfrmnl_sa_get_aead_params(sa, x->aead, &x->aead_bits, &x->aead_icv,
				  (char *)x->aead_key);
	xfrmnl_sa_get_auth_params(sa, x->auth, &x->auth_bits, &x->auth_trunc,
				  (char *)x->auth_key);
	x->crypt = !xfrmnl_sa_get_crypto_params(sa, x->enc, &x->enc_bits,
						(char *)x->enc_key);
	if (!xfrmnl_sa_get_encap_tmpl(sa, &x->encap_type, &x->encap_sport,
				      &x->encap_dport, &oa)) {
		x->encap = true;
		if (oa)
			nl_addr_put(oa);
	}
	return true;
}

/*
 * The states (or, with sp, the policies) of namespace ns as libnl-xfrm
 * reads them (XFRM_MSG_GETSA or GETPOLICY dump): fill() makes each an
 * element of size sz, or returns false to leave it out.  How many, or -1;
 * *out is the calloc()ed array when out is not NULL.
 */
static int xfrm_dump(int ns, bool sp, size_t sz,
		     bool (*fill)(struct nl_object *, void *), void **out)
{
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	struct nl_object *o;
	char *v = NULL;
	int n = -1, i = 0;

	if (ns_enter(ns))
		return -1;
	sk = nl_socket_alloc();
	if (!sk || nl_connect(sk, NETLINK_XFRM) ||
	    (sp ? xfrmnl_sp_alloc_cache(sk, &cache) :
		  xfrmnl_sa_alloc_cache(sk, &cache)))
		goto out;
	n = nl_cache_nitems(cache);
	v = calloc(n + 1, sz);
	if (!v) {
		n = -1;
		goto out;
	}
	for (o = nl_cache_get_first(cache); o && i < n;
	     o = nl_cache_get_next(o))
		if (fill(o, v + i * sz))
			i++;
	n = i;
out:
	if (cache)
		nl_cache_free(cache);
	if (sk)
		nl_socket_free(sk);
	ns_leave(ns);
	if (out && n >= 0)
		*out = v;
	else
		free(v);
	return n;
}

/* Every xfrm state of namespace ns, as xfrm_dump() says. */
static int __attribute__((unused))
sa_dump(int ns, struct xs **out)
{
	return xfrm_dump(ns, false, sizeof(**out), xs_fill, (void **)out);
}

static int __attribute__((unused))
sa_count(int ns)
{
	return sa_dump(ns, NULL);
}

/*
 * States with this SPI and protocol (0: any) in ns; the last one into
 * *x.  How many, or -1.
 */
static int __attribute__((unused))
sa_find(int ns, UINT32 spi, int proto, struct xs *x)
{
	struct xs *v;
	int n = sa_dump(ns, &v), i, found = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((proto && v[i].proto != proto) || v[i].spi != spi)
			continue;
		found++;
		if (x)
			*x = v[i];
	}
	free(v);
	return found;
}

/* States with an SPI: no ACQUIRE larval state xfrm made on its own. */
static int __attribute__((unused))
sa_count_spi(int ns)
{
	struct xs *v;
	int n = sa_dump(ns, &v), i, found = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i].spi)
			found++;
	free(v);
	return found;
}

/* Packets the ESP state with this SPI in ns has carried; -1 unless one. */
static long long __attribute__((unused))
sa_packets(int ns, UINT32 spi)
{
	struct xs x;

	if (sa_find(ns, spi, IPPROTO_ESP, &x) != 1)
		return -1;
	return (long long)x.packets;
}

/* What 6.1's inbound lookup tells states apart by. */
struct xs_id {
	UINT8 daddr[16];
	UINT32 spi;		/* host order */
	int proto, family;
};

/*
 * The identities of the first max states of the caller's namespace,
 * from a raw XFRM_MSG_GETSA dump: a check for two states sharing one
 * must not depend on how a library's cache tells objects apart (libnl's
 * did keep two states differing only in mark apart, in a check in the
 * guest; a duplicate proper cannot be made to try it on).  How many, or
 * -1.
 */
static int __attribute__((unused))
sa_ids_dump(struct xs_id *v, int max)
{
	struct nlmsghdr req = {
		.nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = XFRM_MSG_GETSA,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
	};
	static char buf[65536];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	int n = 0, done = 0;
	struct nlmsghdr *nh;
	ssize_t len;

	if (fd < 0 || send(fd, &req, req.nlmsg_len, 0) < 0)
		n = -1;
	while (n >= 0 && !done && (len = recv(fd, buf, sizeof(buf), 0)) > 0)
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			const struct xfrm_usersa_info *p = NLMSG_DATA(nh);

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				n = nh->nlmsg_type == NLMSG_DONE ? n : -1;
				break;
			}
			if (nh->nlmsg_type != XFRM_MSG_NEWSA || n >= max)
				continue;
			memcpy(v[n].daddr, &p->id.daddr, 16);
			v[n].spi = ntohl(p->id.spi);
			v[n].proto = p->id.proto;
			v[n].family = p->family;
			n++;
		}
	if (fd >= 0)
		close(fd);
	return done ? n : -1;
}

/*
 * Two of v[0..n) with one identity: the first such index, or -1.  Larval
 * states still without an SPI (0) are not looked up by SPI, and any
 * number of them may exist.
 */
static int __attribute__((unused))
sa_ids_duplicate(const struct xs_id *v, int n)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && v[i].spi; j++)
			if (v[i].spi == v[j].spi && v[i].proto == v[j].proto &&
			    v[i].family == v[j].family &&
			    !memcmp(v[i].daddr, v[j].daddr, 16))
				return i;
	return -1;
}

/* ---------------------------------------------------------- policies */

/* One global xfrm policy and its first template. */
struct xp {
	int dir, priority, action, ntmpl, family, proto;
	UINT8 saddr[16], daddr[16];
	int plen_s, plen_d;
	int sport, dport, sport_mask, dport_mask;	/* host order */
	UINT32 reqid;
	int tproto, tmode;
	UINT8 tsaddr[16], tdaddr[16];
};

/* A global policy (per-socket ones, such as the NAT-T bypass, aside). */
static bool xp_fill(struct nl_object *o, void *out)
{
	struct xfrmnl_sp *sp = (struct xfrmnl_sp *)o;
	struct xfrmnl_sel *sel = xfrmnl_sp_get_sel(sp);
	struct xp *x = out;

	if (xfrmnl_sp_get_dir(sp) >= XFRM_POLICY_MAX)
		return false;
	x->dir = xfrmnl_sp_get_dir(sp);
	x->priority = xfrmnl_sp_get_priority(sp);
	x->action = xfrmnl_sp_get_action(sp);
	x->ntmpl = xfrmnl_sp_get_nusertemplates(sp);
	if (sel) {
		x->family = xfrmnl_sel_get_family(sel);
		x->proto = xfrmnl_sel_get_proto(sel);
		x->plen_s = xfrmnl_sel_get_prefixlen_s(sel);
		x->plen_d = xfrmnl_sel_get_prefixlen_d(sel);
		nl_bytes(xfrmnl_sel_get_saddr(sel), x->saddr);
		nl_bytes(xfrmnl_sel_get_daddr(sel), x->daddr);
		x->sport = xfrmnl_sel_get_sport(sel);
		x->dport = xfrmnl_sel_get_dport(sel);
		x->sport_mask = xfrmnl_sel_get_sportmask(sel);
		x->dport_mask = xfrmnl_sel_get_dportmask(sel);
	}
	if (x->ntmpl > 0) {
		struct xfrmnl_user_tmpl *t = xfrmnl_sp_usertemplate_n(sp, 0);

		x->reqid = (UINT32)xfrmnl_user_tmpl_get_reqid(t);
		x->tproto = xfrmnl_user_tmpl_get_proto(t);
		x->tmode = xfrmnl_user_tmpl_get_mode(t);
		nl_bytes(xfrmnl_user_tmpl_get_saddr(t), x->tsaddr);
		nl_bytes(xfrmnl_user_tmpl_get_daddr(t), x->tdaddr);
	}
	return true;
}

/* Every global xfrm policy of namespace ns, as xfrm_dump() says. */
static int __attribute__((unused))
sp_dump(int ns, struct xp **out)
{
	return xfrm_dump(ns, true, sizeof(**out), xp_fill, (void **)out);
}

static int __attribute__((unused))
sp_count(int ns)
{
	return sp_dump(ns, NULL);
}

/* ----------------------------------------------------------- PF_KEY */

/* A PF_KEY message with no extension (SADB_FLUSH, SADB_X_SPDFLUSH). */
static struct sadb_msg __attribute__((unused))
pfkey_msg(UINT8 type)
{
	struct sadb_msg m = {
		.sadb_msg_version = PF_KEY_V2, .sadb_msg_type = type,
		.sadb_msg_satype = SADB_SATYPE_UNSPEC,
		.sadb_msg_len = sizeof(m) / 8, .sadb_msg_pid = getpid(),
	};

	return m;
}

/* Sends one pfkey_msg(type) on a socket of its own. */
static int __attribute__((unused))
pfkey_send(UINT8 type)
{
	struct sadb_msg m = pfkey_msg(type);
	int s = socket(PF_KEY, SOCK_RAW, PF_KEY_V2), ret;

	if (s < 0)
		return -errno;
	ret = write(s, &m, sizeof(m)) == sizeof(m) ? 0 : -errno;
	close(s);
	return ret;
}

/* ----------------------------------------------------------- keying */

/*
 * sa as one ESP AES-GCM-128 SA with its information in ac, key (len
 * bytes: the AES key and the 4-byte salt) as the cipher key; no auth
 * key.  Both are expected zeroed; the bundle is the caller's.
 */
static void __attribute__((unused))
gcm_sa_init(IPSEC_SA0 *sa, IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac,
	    UINT32 spi, UINT8 *key, UINT32 len)
{
	IPSEC_SA_AUTH_INFORMATION0 *ai = &ac->saAuthInformation;
	IPSEC_SA_CIPHER_INFORMATION0 *ci = &ac->saCipherInformation;

	sa->spi = spi;
	sa->saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->espAuthAndCipherInformation = ac;
	ai->authTransform.authTransformId.authType = IPSEC_AUTH_AES_128;
	ai->authTransform.authTransformId.authConfig =
		IPSEC_AUTH_CONFIG_GCM_AES_128;
	ci->cipherTransform.cipherTransformId.cipherType =
		IPSEC_CIPHER_TYPE_AES_128;
	ci->cipherTransform.cipherTransformId.cipherConfig =
		IPSEC_CIPHER_CONFIG_GCM_AES_128;
	ci->cipherKey.size = len;
	ci->cipherKey.data = key;
}

#endif /* WFP_XFRM_H */
