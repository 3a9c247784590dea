// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec sa add-inbound|add-outbound|list|algorithms.  Keys come from a file or standard input, never from
 * the command line, where every user could read them in ps(1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define KEY_FILE_MAX 4096

struct keys {
	UINT8 key[2][ALG_MAX_KEY];
	UINT32 len[2];
	int n;
};

int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The hex string at text[*i] (an optional 0x, then digits) as key k->n. */
static int parse_key(const char *name, const char *text, size_t len,
		     size_t *i, struct keys *k)
{
	size_t digits;
	int hi, lo;

	if (*i + 1 < len && text[*i] == '0' &&
	    (text[*i + 1] == 'x' || text[*i + 1] == 'X'))
		*i += 2;
	for (digits = 0; *i + digits < len && hexval(text[*i + digits]) >= 0; digits++)
		;
	if (*i + digits < len && !strchr(" \t\r\n#", text[*i + digits]))
		return fail("key file %s: keys are hexadecimal strings", name);
	if (!digits || digits % 2)
		return fail("key file %s: a key has an odd number of hex digits", name);
	if (digits / 2 > ALG_MAX_KEY)
		return fail("key file %s: a key is longer than %d bytes", name,
			    ALG_MAX_KEY);
	for (; digits; digits -= 2, *i += 2) {
		hi = hexval(text[*i]);
		lo = hexval(text[*i + 1]);
		k->key[k->n][k->len[k->n]++] = (UINT8)(hi << 4 | lo);
	}
	k->n++;
	return EXIT_OK;
}

/*
 * Hex strings separated by white space, each with an optional 0x; "#"
 * starts a comment that runs to the end of the line.
 */
static int parse_keys(const char *name, const char *text, size_t len,
		      struct keys *k)
{
	size_t i = 0;
	int st;

	memset(k, 0, sizeof(*k));
	while (i < len) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
		    text[i] == '\r') {
			i++;
			continue;
		}
		if (text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (k->n == 2)
			return fail("key file %s: more than two keys", name);
		st = parse_key(name, text, len, &i, k);
		if (st)
			return st;
	}
	if (!k->n)
		return fail("key file %s: no key in it", name);
	return EXIT_OK;
}

static int read_keys(const char *path, struct keys *k)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "(stdin)" : path;
	char text[KEY_FILE_MAX + 1];
	size_t len = 0;
	struct stat st;
	ssize_t r = 0;
	int fd, ret;

	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("key file %s: %s", name, strerror(errno));
	if (!is_stdin && !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		warn("key file %s is accessible to group or others", name);
	while (len < sizeof(text)) {
		r = read(fd, text + len, sizeof(text) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	if (r < 0)
		ret = fail("key file %s: %s", name, strerror(errno));
	else if (len > KEY_FILE_MAX)
		ret = fail("key file %s: larger than %d bytes", name, KEY_FILE_MAX);
	else
		ret = parse_keys(name, text, len, k);
	explicit_bzero(text, sizeof(text));
	if (!is_stdin)
		close(fd);
	return ret;
}

/* The keys an algorithm takes, in order: encryption, then integrity. */
static int check_keys(const struct alg *alg, const char *alg_s, struct keys *k)
{
	UINT32 want[2] = { 0, 0 }, n = 0;

	if (alg->cipher)
		want[n++] = alg->cipher->key_len;
	if (alg->auth)
		want[n++] = alg->auth->key_len;
	/* Both keys of a CBC+HMAC pair may come as one string. */
	if (n == 2 && k->n == 1 && k->len[0] == want[0] + want[1]) {
		memcpy(k->key[1], k->key[0] + want[0], want[1]);
		k->len[1] = want[1];
		k->len[0] = want[0];
		k->n = 2;
	}
	if ((UINT32)k->n != n)
		return fail("%s takes %u key%s, the key file has %d", alg_s,
			    (unsigned int)n, n > 1 ? "s (encryption, then integrity)" : "",
			    k->n);
	if (k->len[0] != want[0] || (n == 2 && k->len[1] != want[1])) {
		if (n == 2)
			return fail("%s takes keys of %u and %u bytes, not %u and %u",
				    alg_s, (unsigned int)want[0], (unsigned int)want[1],
				    (unsigned int)k->len[0], (unsigned int)k->len[1]);
		return fail("%s takes a key of %u bytes%s, not %u", alg_s,
			    (unsigned int)want[0], alg->gcm ||
			    (alg->auth && alg->auth->config >= IPSEC_AUTH_CONFIG_GCM_AES_128) ?
			    " (key and 4-byte salt)" : "", (unsigned int)k->len[0]);
	}
	return EXIT_OK;
}

struct sa_buf {
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;
	IPSEC_SA_AUTH_INFORMATION0 auth;
	IPSEC_SA_CIPHER_INFORMATION0 cipher;
};

/* The cipher and auth halves with their keys, in the file's order. */
static void fill_halves(const struct alg *alg, struct keys *k,
			struct sa_buf *b)
{
	const struct alg_half *c = alg->cipher, *a = alg->auth;
	FWP_BYTE_BLOB key0 = { k->len[0], k->key[0] };
	FWP_BYTE_BLOB key1 = { k->len[1], k->key[1] };

	if (c) {
		b->cipher.cipherTransform.cipherTransformId.cipherType =
			(IPSEC_CIPHER_TYPE)c->type;
		b->cipher.cipherTransform.cipherTransformId.cipherConfig = c->config;
		b->cipher.cipherKey = key0;
	}
	if (a) {
		b->auth.authTransform.authTransformId.authType = (IPSEC_AUTH_TYPE)a->type;
		b->auth.authTransform.authTransformId.authConfig = a->config;
		b->auth.authKey = c ? key1 : key0;
	} else if (alg->gcm) {
		/* AES-GCM: the auth half of the same size, the same key blob. */
		b->auth.authTransform.authTransformId.authType =
			(IPSEC_AUTH_TYPE)c->auth_type;
		b->auth.authTransform.authTransformId.authConfig = c->auth_config;
		b->auth.authKey = key0;
	}
}

static void fill_sa(const struct alg *alg, IPSEC_SA_SPI spi, struct keys *k,
		    struct sa_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->sa.spi = spi;
	b->sa.saTransformType = alg->transform;
	fill_halves(alg, k, b);
	switch (alg->transform) {
	case IPSEC_TRANSFORM_AH:
		b->sa.ahInformation = &b->auth;
		break;
	case IPSEC_TRANSFORM_ESP_AUTH:
		b->sa.espAuthInformation = &b->auth;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		b->sa.espCipherInformation = &b->cipher;
		break;
	default:
		b->ac.saCipherInformation = b->cipher;
		b->ac.saAuthInformation = b->auth;
		b->sa.espAuthAndCipherInformation = &b->ac;
		break;
	}
}

struct sa_add_args {
	IPSEC_SA_BUNDLE1 bundle;
	const char *alg_name, *key_file;
	IPSEC_SA_SPI spi;
	bool have_spi;
	struct alg alg;
};

static int kw_key(void *args, const struct keyword *kw, const char *v)
{
	(void)args;
	(void)kw;
	(void)v;
	return usage_error("keys are never taken on the command line, where "
			   "ps(1) shows them; use 'key-file FILE' or 'key-file -'");
}

static int kw_spi(void *args, const struct keyword *kw, const char *v)
{
	if (parse_u32(v, kw_field(args, kw)))
		return usage_error("'%s' is not an SPI", v);
	((struct sa_add_args *)args)->have_spi = true;
	return EXIT_OK;
}

static int kw_private(void *args, const struct keyword *kw, const char *v)
{
	struct addr private;

	if (parse_addr(v, &private) || private.version != FWP_IP_VERSION_V4)
		return usage_error("'%s' is not an IPv4 address", v);
	addr_to_traffic(&private, kw_field(args, kw), NULL);
	return EXIT_OK;
}

#define SA_ADD(m) offsetof(struct sa_add_args, m)

/*
 * Every keyword takes a value, the refused key words aside; a last word
 * without its value is reported as such, known or not (KW_VALUE_FIRST).
 */
static const struct keyword sa_add_keywords[] = {
	{ "key", 0, kw_key, 0 },
	{ "keys", 0, kw_key, 0 },
	{ "enc", 0, kw_key, 0 },
	{ "auth", 0, kw_key, 0 },
	{ "aead", 0, kw_key, 0 },
	{ "spi", 1, kw_spi, SA_ADD(spi) },
	{ "alg", 1, kw_str, SA_ADD(alg_name) },
	{ "key-file", 1, kw_str, SA_ADD(key_file) },
	{ "peer-private-address", 1, kw_private,
	  SA_ADD(bundle.peerV4PrivateAddress) },
	{ "lifetime-seconds", 1, kw_u32, SA_ADD(bundle.lifetime.lifetimeSeconds) },
	{ "lifetime-kilobytes", 1, kw_u32, SA_ADD(bundle.lifetime.lifetimeKilobytes) },
	{ "lifetime-packets", 1, kw_u32, SA_ADD(bundle.lifetime.lifetimePackets) },
	{ "flags", 1, kw_u32, SA_ADD(bundle.flags) },
	{ "qm-sa-id", 1, kw_u32, SA_ADD(bundle.qmSaId) },
	{ NULL }
};

static int sa_add_args_parse(int argc, char **argv, bool inbound, UINT64 *id,
			     struct sa_add_args *a)
{
	int st;

	memset(a, 0, sizeof(*a));
	st = parse_id_arg(argc, argv, id);
	if (!st)
		st = parse_keywords(sa_add_keywords, KW_VALUE_FIRST, a, argc, argv, 2);
	if (st)
		return st;
	if (!a->have_spi)
		return usage_error("'spi SPI' is needed (%s)", inbound ?
				   "the SPI reserved with 'spi set' or 'spi get'" :
				   "the peer's inbound SPI");
	if (!a->alg_name)
		return usage_error("'alg ALGORITHM' is needed; 'wfpipsec sa algorithms' lists them");
	if (alg_parse(a->alg_name, &a->alg))
		return usage_error("unknown algorithm '%s'; 'wfpipsec sa algorithms' lists them",
				   a->alg_name);
	if (!a->key_file)
		return usage_error("'key-file FILE' is needed ('key-file -' reads standard input)");
	return EXIT_OK;
}

/* The SA in a bundle of the IP version of the context's traffic. */
static int sa_add_call(HANDLE engine, UINT64 id, bool inbound,
		       struct sa_add_args *a, struct keys *k)
{
	IPSEC_SA_CONTEXT1 *c = NULL;
	struct sa_buf sab;
	DWORD rc;

	rc = IPsecSaContextGetById1(engine, id, &c);
	if (rc)
		return fail_call("IPsecSaContextGetById1", rc);
	a->bundle.ipVersion = c->outboundSa->traffic.ipVersion;
	FwpmFreeMemory0((void **)&c);

	fill_sa(&a->alg, a->spi, k, &sab);
	a->bundle.numSAs = 1;
	a->bundle.saList = &sab.sa;
	if (inbound)
		rc = IPsecSaContextAddInbound1(engine, id, &a->bundle);
	else
		rc = IPsecSaContextAddOutbound1(engine, id, &a->bundle);
	explicit_bzero(&sab, sizeof(sab));
	if (rc)
		return fail_call(inbound ? "IPsecSaContextAddInbound1" :
				 "IPsecSaContextAddOutbound1", rc);
	return EXIT_OK;
}

static int sa_add(int argc, char **argv, bool inbound)
{
	struct sa_add_args a;
	HANDLE engine;
	struct keys k;
	UINT64 id;
	int st;

	st = sa_add_args_parse(argc, argv, inbound, &id, &a);
	if (st)
		return st;
	st = read_keys(a.key_file, &k);
	if (!st)
		st = check_keys(&a.alg, a.alg_name, &k);
	if (!st)
		st = engine_open(&engine);
	if (!st) {
		st = sa_add_call(engine, id, inbound, &a, &k);
		engine_close(engine);
	}
	explicit_bzero(&k, sizeof(k));
	return st;
}

static int sa_add_inbound(int argc, char **argv)
{
	return sa_add(argc, argv, true);
}

static int sa_add_outbound(int argc, char **argv)
{
	return sa_add(argc, argv, false);
}

static int sa_algorithms(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return alg_print_table();
}

/* ------------------------------------------------------------ list */

struct sa_list_args {
	IPSEC_SA_ENUM_TEMPLATE0 tmpl;
	bool have_dir;
};

static int kw_direction(void *args, const struct keyword *kw, const char *v)
{
	struct sa_list_args *a = args;

	(void)kw;
	if (!strcmp(v, "in") || !strcmp(v, "inbound"))
		a->tmpl.saDirection = FWP_DIRECTION_INBOUND;
	else if (!strcmp(v, "out") || !strcmp(v, "outbound"))
		a->tmpl.saDirection = FWP_DIRECTION_OUTBOUND;
	else
		return usage_error("direction is 'in' or 'out', not '%s'", v);
	a->have_dir = true;
	return EXIT_OK;
}

/* "direction" and "--direction" alike: KW_DASHES. */
static const struct keyword sa_list_keywords[] = {
	{ "direction", 1, kw_direction, 0 },
	{ NULL }
};

DEFINE_ENUMERATION(sa_enum, IPsecSaCreateEnumHandle0, IPsecSaEnum1,
		   IPsecSaDestroyEnumHandle0, IPSEC_SA_DETAILS1, print_sa_details);

static int sa_list(int argc, char **argv)
{
	struct sa_list_args a;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(sa_list_keywords, KW_DASHES, &a, argc, argv, 1);
	if (st)
		return st;
	return enumerate(&sa_enum, a.have_dir ? &a.tmpl : NULL);
}

#define SA_ADD_USAGE \
	"ID spi SPI alg ALGORITHM key-file FILE|-\n" \
	"        [lifetime-seconds N] [lifetime-kilobytes N] [lifetime-packets N]\n" \
	"        [flags N] [qm-sa-id N] [peer-private-address IPV4-ADDRESS]\n" \
	"  The key file holds hexadecimal keys: the encryption key, then the\n" \
	"  integrity key (AES-GCM and GMAC: one key, its 4-byte salt last)."

const struct command sa_commands[] = {
	{
		.name = "add-inbound", .fn = sa_add_inbound,
		.help = "install a context's inbound SA (on its reserved SPI)",
		.usage = SA_ADD_USAGE,
	},
	{
		.name = "add-outbound", .fn = sa_add_outbound,
		.help = "install a context's outbound SA and the policies routing to it",
		.usage = SA_ADD_USAGE,
	},
	{
		.name = "algorithms", .fn = sa_algorithms, .no_args = true,
		.help = "list the algorithm names add-inbound/add-outbound take",
		.usage = "[--json]",
	},
	{
		.name = "list", .fn = sa_list,
		.help = "list the installed SAs with their details (never keys)",
		.usage = "[--direction in|out] [--json]",
	},
	{ .name = NULL }
};
