// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Algorithm names of the wfpipsec tool and the IPSEC_SA0 transforms they
 * stand for (Documentation/sa.rst has the kernel side):
 *
 *   aes-gcm-128|192|256                 ESP, AES-GCM (key + 4-byte salt)
 *   CIPHER+HMAC                         ESP, encryption and integrity
 *   CIPHER                              ESP, encryption only
 *   HMAC, aes-gmac-128|192|256          ESP, integrity only
 *   ah-HMAC                             AH
 *
 * CIPHER is des-cbc, 3des-cbc or aes-cbc-128|192|256; HMAC is hmac-md5,
 * hmac-sha1 or hmac-sha256.
 */
#include <string.h>

#include "cli.h"

static const struct alg_half ciphers[] = {
	{ "des-cbc", IPSEC_CIPHER_TYPE_DES, IPSEC_CIPHER_CONFIG_CBC_DES, 0, 0, 8 },
	{ "3des-cbc", IPSEC_CIPHER_TYPE_3DES, IPSEC_CIPHER_CONFIG_CBC_3DES, 0, 0, 24 },
	{ "aes-cbc-128", IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_CBC_AES_128, 0, 0, 16 },
	{ "aes-cbc-192", IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_CBC_AES_192, 0, 0, 24 },
	{ "aes-cbc-256", IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_CBC_AES_256, 0, 0, 32 },
	{ NULL, 0, 0, 0, 0, 0 }
};

/* AES-GCM: cipher and auth halves of one size, one key with its salt. */
static const struct alg_half gcms[] = {
	{ "aes-gcm-128", IPSEC_CIPHER_TYPE_AES_128, IPSEC_CIPHER_CONFIG_GCM_AES_128,
	  IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 20 },
	{ "aes-gcm-192", IPSEC_CIPHER_TYPE_AES_192, IPSEC_CIPHER_CONFIG_GCM_AES_192,
	  IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192, 28 },
	{ "aes-gcm-256", IPSEC_CIPHER_TYPE_AES_256, IPSEC_CIPHER_CONFIG_GCM_AES_256,
	  IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256, 36 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct alg_half hmacs[] = {
	{ "hmac-md5", IPSEC_AUTH_MD5, IPSEC_AUTH_CONFIG_HMAC_MD5_96, 0, 0, 16 },
	{ "hmac-sha1", IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96, 0, 0, 20 },
	{ "hmac-sha256", IPSEC_AUTH_SHA_256, IPSEC_AUTH_CONFIG_HMAC_SHA_256_128, 0, 0, 32 },
	{ NULL, 0, 0, 0, 0, 0 }
};

/* GMAC: integrity-only ESP keyed like AES-GCM. */
static const struct alg_half gmacs[] = {
	{ "aes-gmac-128", IPSEC_AUTH_AES_128, IPSEC_AUTH_CONFIG_GCM_AES_128, 0, 0, 20 },
	{ "aes-gmac-192", IPSEC_AUTH_AES_192, IPSEC_AUTH_CONFIG_GCM_AES_192, 0, 0, 28 },
	{ "aes-gmac-256", IPSEC_AUTH_AES_256, IPSEC_AUTH_CONFIG_GCM_AES_256, 0, 0, 36 },
	{ NULL, 0, 0, 0, 0, 0 }
};

static const struct alg_half *find_name(const struct alg_half *t,
					const char *name, size_t len)
{
	for (; t->name; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t;
	return NULL;
}

int alg_parse(const char *name, struct alg *alg)
{
	const char *plus = strchr(name, '+');
	size_t n = strlen(name);

	memset(alg, 0, sizeof(*alg));
	if (!strncmp(name, "ah-", 3)) {
		alg->transform = IPSEC_TRANSFORM_AH;
		alg->auth = find_name(hmacs, name + 3, n - 3);
		return alg->auth ? 0 : -1;
	}
	if (plus) {
		alg->transform = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
		alg->cipher = find_name(ciphers, name, (size_t)(plus - name));
		alg->auth = find_name(hmacs, plus + 1, strlen(plus + 1));
		return alg->cipher && alg->auth ? 0 : -1;
	}
	alg->cipher = find_name(gcms, name, n);
	if (alg->cipher) {
		alg->transform = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
		alg->gcm = true;
		return 0;
	}
	alg->cipher = find_name(ciphers, name, n);
	if (alg->cipher) {
		alg->transform = IPSEC_TRANSFORM_ESP_CIPHER;
		return 0;
	}
	alg->auth = find_name(hmacs, name, n);
	if (!alg->auth)
		alg->auth = find_name(gmacs, name, n);
	if (alg->auth) {
		alg->transform = IPSEC_TRANSFORM_ESP_AUTH;
		return 0;
	}
	return -1;
}

void alg_name(const struct alg *alg, char *buf, size_t len)
{
	if (alg->transform == IPSEC_TRANSFORM_AH)
		snprintf(buf, len, "ah-%s", alg->auth->name);
	else if (alg->cipher && alg->auth)
		snprintf(buf, len, "%s+%s", alg->cipher->name, alg->auth->name);
	else
		snprintf(buf, len, "%s", alg->cipher ? alg->cipher->name : alg->auth->name);
}

/* The entry of table a or b with this type and config. */
static const struct alg_half *find_half(const struct alg_half *a,
					const struct alg_half *b,
					UINT32 type, UINT8 config)
{
	const struct alg_half *tabs[] = { a, b };
	const struct alg_half *t;
	size_t i;

	for (i = 0; i < 2; i++)
		for (t = tabs[i]; t->name; t++)
			if (t->type == type && t->config == config)
				return t;
	return NULL;
}

/* The cipher an SA's cipher information names; NULL for none. */
static const struct alg_half *find_cipher(const IPSEC_SA_CIPHER_INFORMATION0 *i)
{
	const IPSEC_CIPHER_TRANSFORM_ID0 *id;

	if (!i)
		return NULL;
	id = &i->cipherTransform.cipherTransformId;
	return find_half(ciphers, gcms, (UINT32)id->cipherType, id->cipherConfig);
}

/* The integrity algorithm an SA's auth information names; NULL for none. */
static const struct alg_half *find_auth(const IPSEC_SA_AUTH_INFORMATION0 *i)
{
	const IPSEC_AUTH_TRANSFORM_ID0 *id;

	if (!i)
		return NULL;
	id = &i->authTransform.authTransformId;
	return find_half(hmacs, gmacs, (UINT32)id->authType, id->authConfig);
}

/* CIPHER+HMAC, or AES-GCM, whose auth half goes without saying. */
static void pair_name(const IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 *ac,
		      char *buf, size_t len)
{
	const struct alg_half *c = find_cipher(&ac->saCipherInformation);
	const struct alg_half *a = find_auth(&ac->saAuthInformation);

	if (c && c->auth_type == 0 && c->auth_config == 0 && a)
		snprintf(buf, len, "%s+%s", c->name, a->name);
	else if (c)
		snprintf(buf, len, "%s", c->name);
}

void alg_name_of_sa(const IPSEC_SA0 *sa, char *buf, size_t len)
{
	const struct alg_half *c, *a;

	snprintf(buf, len, "?");
	switch (sa->saTransformType) {
	case IPSEC_TRANSFORM_AH:
		a = find_auth(sa->ahInformation);
		if (a)
			snprintf(buf, len, "ah-%s", a->name);
		break;
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		a = find_auth(sa->espAuthInformation);
		if (a)
			snprintf(buf, len, "%s%s", a->name,
				 sa->saTransformType == IPSEC_TRANSFORM_ESP_AUTH_FW ?
				 " (esp-auth-fw)" : "");
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		c = find_cipher(sa->espCipherInformation);
		if (c)
			snprintf(buf, len, "%s", c->name);
		break;
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		if (sa->espAuthAndCipherInformation)
			pair_name(sa->espAuthAndCipherInformation, buf, len);
		break;
	default:
		break;
	}
}

static void print_alg(const char *name, const char *transform,
		      const char *keys, UINT32 enc, UINT32 auth)
{
	if (g_json) {
		json_begin_object(NULL);
		json_string("name", name);
		json_string("transform", transform);
		json_uint("cipher_key_bytes", enc);
		json_uint("auth_key_bytes", auth);
		json_end();
	} else {
		printf("%-26s %-22s %s\n", name, transform, keys);
	}
}

/*
 * Each algorithm of table t on its own, named prefix + name: a cipher's
 * key is the encryption key, another's the integrity key; a salted key
 * ends with a 4-byte salt.
 */
static void print_algs(const struct alg_half *t, const char *prefix,
		       const char *transform, bool cipher, bool salted)
{
	char name[64], keys[64];
	unsigned int len;

	for (; t->name; t++) {
		len = (unsigned int)t->key_len;
		snprintf(name, sizeof(name), "%s%s", prefix, t->name);
		if (salted)
			snprintf(keys, sizeof(keys), "%u (%u + 4 salt)", len, len - 4);
		else
			snprintf(keys, sizeof(keys), "%u", len);
		print_alg(name, transform, keys, cipher ? len : 0, cipher ? 0 : len);
	}
}

/* Every CIPHER+HMAC pair. */
static void print_pairs(void)
{
	const struct alg_half *c, *a;
	char name[64], keys[64];

	for (c = ciphers; c->name; c++) {
		for (a = hmacs; a->name; a++) {
			snprintf(name, sizeof(name), "%s+%s", c->name, a->name);
			snprintf(keys, sizeof(keys), "%u, then %u",
				 (unsigned int)c->key_len, (unsigned int)a->key_len);
			print_alg(name, "esp-auth-and-cipher", keys,
				  c->key_len, a->key_len);
		}
	}
}

int alg_print_table(void)
{
	if (g_json)
		json_begin_array(NULL);
	else
		printf("%-26s %-22s %s\n", "ALGORITHM", "TRANSFORM", "KEY BYTES");
	print_algs(gcms, "", "esp-auth-and-cipher", true, true);
	print_pairs();
	print_algs(ciphers, "", "esp-cipher", true, false);
	print_algs(hmacs, "", "esp-auth", false, false);
	print_algs(gmacs, "", "esp-auth", false, true);
	print_algs(hmacs, "ah-", "ah", false, false);
	if (g_json)
		json_end();
	return EXIT_OK;
}
