// SPDX-License-Identifier: GPL-2.0
/*
 * The one table from Windows transform ids to kernel algorithms
 * (Documentation/sa.rst prints it).  An IPSEC_SA0 names an auth transform
 * (type + config, which must agree) and/or a cipher transform; which of
 * them it may name depends on its transform type.  GCM is an AEAD in the
 * kernel: as a cipher it must come with the matching GCM auth transform
 * (ESP_AUTH_AND_CIPHER, one key blob with the 4-byte salt), as an auth
 * transform alone it is GMAC (ESP_AUTH).
 */

#include <linux/in.h>
#include <linux/kernel.h>

#include <linux/wfp_ipsec.h>

#include "algs.h"

/* IPSEC_AUTH_TYPE, IPSEC_CIPHER_TYPE, IPSEC_*_CONFIG values. */
enum {
	WIN_AUTH_MD5 = 0, WIN_AUTH_SHA_1, WIN_AUTH_SHA_256,
	WIN_AUTH_AES_128, WIN_AUTH_AES_192, WIN_AUTH_AES_256,
};

enum {
	WIN_CIPHER_DES = 1, WIN_CIPHER_3DES, WIN_CIPHER_AES_128,
	WIN_CIPHER_AES_192, WIN_CIPHER_AES_256,
};

struct wfp_auth_alg {
	u32 type;
	u8 config;
	bool gmac;
	const char *name;
	unsigned int key_len;
	unsigned int bits;	/* truncation, or ICV for GMAC */
};

struct wfp_cipher_alg {
	u32 type;
	u8 config;
	bool gcm;
	const char *name;
	unsigned int key_len;	/* GCM: key + 4-byte salt */
};

static const struct wfp_auth_alg wfp_auth_algs[] = {
	{ WIN_AUTH_MD5,     0, false, "hmac(md5)",         16, 96 },
	{ WIN_AUTH_SHA_1,   1, false, "hmac(sha1)",        20, 96 },
	{ WIN_AUTH_SHA_256, 2, false, "hmac(sha256)",      32, 128 },
	{ WIN_AUTH_AES_128, 3, true,  "rfc4543(gcm(aes))", 20, 128 },
	{ WIN_AUTH_AES_192, 4, true,  "rfc4543(gcm(aes))", 28, 128 },
	{ WIN_AUTH_AES_256, 5, true,  "rfc4543(gcm(aes))", 36, 128 },
};

static const struct wfp_cipher_alg wfp_cipher_algs[] = {
	{ WIN_CIPHER_DES,     1, false, "cbc(des)",          8 },
	{ WIN_CIPHER_3DES,    2, false, "cbc(des3_ede)",     24 },
	{ WIN_CIPHER_AES_128, 3, false, "cbc(aes)",          16 },
	{ WIN_CIPHER_AES_192, 4, false, "cbc(aes)",          24 },
	{ WIN_CIPHER_AES_256, 5, false, "cbc(aes)",          32 },
	{ WIN_CIPHER_AES_128, 6, true,  "rfc4106(gcm(aes))", 20 },
	{ WIN_CIPHER_AES_192, 7, true,  "rfc4106(gcm(aes))", 28 },
	{ WIN_CIPHER_AES_256, 8, true,  "rfc4106(gcm(aes))", 36 },
};

static const struct wfp_auth_alg *wfp_auth_find(const struct wfp_ipsec_sa *sa)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wfp_auth_algs); i++)
		if (wfp_auth_algs[i].type == sa->auth_type &&
		    wfp_auth_algs[i].config == sa->auth_config)
			return &wfp_auth_algs[i];
	return NULL;
}

static const struct wfp_cipher_alg *wfp_cipher_find(const struct wfp_ipsec_sa *sa)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wfp_cipher_algs); i++)
		if (wfp_cipher_algs[i].type == sa->cipher_type &&
		    wfp_cipher_algs[i].config == sa->cipher_config)
			return &wfp_cipher_algs[i];
	return NULL;
}

static u32 wfp_algs_auth_only(const struct wfp_auth_alg *a, u8 proto,
			      struct wfp_algs *algs)
{
	algs->proto = proto;
	algs->auth_key_len = a->key_len;
	algs->icv_bits = a->bits;
	if (!a->gmac) {
		algs->auth = a->name;
		/* ESP always encrypts; authentication only is the null
		 * cipher, as "ip xfrm ... enc ecb(cipher_null)" spells it.
		 */
		if (proto == IPPROTO_ESP)
			algs->enc = "ecb(cipher_null)";
		return 0;
	}
	/* GMAC is an AEAD: ESP only, keyed by the auth blob. */
	if (proto != IPPROTO_ESP)
		return WFP_IPSEC_ADD_ST_AUTH;
	algs->aead = a->name;
	algs->aead_key_from_auth = true;
	return 0;
}

u32 wfp_algs_resolve(const struct wfp_ipsec_sa *sa, struct wfp_algs *algs)
{
	const struct wfp_cipher_alg *c;
	const struct wfp_auth_alg *a;

	memset(algs, 0, sizeof(*algs));
	switch (sa->transform_type) {
	case WFP_IPSEC_TRANSFORM_AH:
	case WFP_IPSEC_TRANSFORM_ESP_AUTH:
	case WFP_IPSEC_TRANSFORM_ESP_AUTH_FW:
		a = wfp_auth_find(sa);
		if (!a)
			return WFP_IPSEC_ADD_ST_AUTH;
		return wfp_algs_auth_only(a, sa->transform_type ==
					  WFP_IPSEC_TRANSFORM_AH ?
					  IPPROTO_AH : IPPROTO_ESP, algs);
	case WFP_IPSEC_TRANSFORM_ESP_CIPHER:
		c = wfp_cipher_find(sa);
		if (!c)
			return WFP_IPSEC_ADD_ST_CIPHER;
		/* GCM without its auth half is not a transform. */
		if (c->gcm)
			return WFP_IPSEC_ADD_ST_COMBINATION;
		algs->proto = IPPROTO_ESP;
		algs->enc = c->name;
		algs->enc_key_len = c->key_len;
		return 0;
	case WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		c = wfp_cipher_find(sa);
		if (!c)
			return WFP_IPSEC_ADD_ST_CIPHER;
		a = wfp_auth_find(sa);
		if (!a)
			return WFP_IPSEC_ADD_ST_AUTH;
		algs->proto = IPPROTO_ESP;
		if (c->gcm || a->gmac) {
			/* AES-GCM: both halves GCM of one key size. */
			if (!c->gcm || !a->gmac || c->key_len != a->key_len)
				return WFP_IPSEC_ADD_ST_COMBINATION;
			algs->aead = c->name;
			algs->enc_key_len = c->key_len;
			algs->icv_bits = a->bits;
			return 0;
		}
		algs->enc = c->name;
		algs->enc_key_len = c->key_len;
		algs->auth = a->name;
		algs->auth_key_len = a->key_len;
		algs->icv_bits = a->bits;
		return 0;
	default:
		return WFP_IPSEC_ADD_ST_TRANSFORM;
	}
}
