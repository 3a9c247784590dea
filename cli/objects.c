// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec provider|sublayer add|list|show|delete (Documentation/
 * objects.rst).  Both families run on one set of commands, told apart by
 * a struct object_type holding the library calls and the printer.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <wchar.h>

#include "cli.h"

/* ------------------------------------------------------------ GUIDs */

#define GUID_LEN 36	/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */

/* The canonical form, or the same in braces; nothing else. */
static int parse_guid(const char *s, GUID *g)
{
	static const int dashes[] = { 8, 13, 18, 23 };
	size_t len = strlen(s);
	unsigned int d[11];
	int i, j;

	if (len == GUID_LEN + 2 && s[0] == '{' && s[len - 1] == '}')
		s++;
	else if (len != GUID_LEN)
		return -1;
	for (i = 0, j = 0; i < GUID_LEN; i++) {
		if (j < 4 && i == dashes[j]) {
			if (s[i] != '-')
				return -1;
			j++;
		} else if (hexval(s[i]) < 0) {
			return -1;
		}
	}
	sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &d[0], &d[1],
	       &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], &d[8], &d[9], &d[10]);
	g->Data1 = d[0];
	g->Data2 = (UINT16)d[1];
	g->Data3 = (UINT16)d[2];
	for (i = 0; i < 8; i++)
		g->Data4[i] = (UINT8)d[3 + i];
	return 0;
}

static const char *guid_str(const GUID *g, char buf[GUID_LEN + 1])
{
	const UINT8 *b = g->Data4;

	snprintf(buf, GUID_LEN + 1,
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned int)g->Data1, g->Data2, g->Data3, b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7]);
	return buf;
}

static int parse_guid_arg(const char *s, GUID *g)
{
	if (parse_guid(s, g))
		return usage_error("'%s' is not a GUID "
				   "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s);
	return EXIT_OK;
}

/*
 * A key not given is drawn here (a version 4 GUID) rather than left to
 * the engine: the Add calls do not hand back the key they picked.
 */
static int random_guid(GUID *g)
{
	if (getrandom(g, sizeof(*g), 0) != sizeof(*g))
		return fail("cannot draw a random key");
	g->Data3 = (UINT16)((g->Data3 & 0x0fff) | 0x4000);
	g->Data4[0] = (UINT8)((g->Data4[0] & 0x3f) | 0x80);
	return EXIT_OK;
}

/* ------------------------------------------------------------ strings */

/* Wide strings through the C library, in the UTF-8 locale main() set. */
static wchar_t *widen(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	wchar_t *w;

	if (n == (size_t)-1)
		return NULL;
	w = calloc(n + 1, sizeof(*w));
	if (w)
		mbstowcs(w, s, n + 1);
	return w;
}

#define TEXT_MAX 4096	/* the module's longest string is 1024 bytes */

/* w as multibyte text in buf; NULL for NULL, "?" for what cannot be. */
static const char *narrow(const wchar_t *w, char *buf)
{
	if (!w)
		return NULL;
	if (wcstombs(buf, w, TEXT_MAX) >= TEXT_MAX)
		strcpy(buf, "?");
	return buf;
}

static void json_wide(const char *key, const wchar_t *w)
{
	char buf[TEXT_MAX];

	json_string(key, narrow(w, buf));
}

static void text_wide(const char *label, const wchar_t *w)
{
	char buf[TEXT_MAX];

	if (w)
		printf("  %s %s\n", label, narrow(w, buf));
}

static void json_guid(const char *key, const GUID *g)
{
	char buf[GUID_LEN + 1];

	json_string(key, g ? guid_str(g, buf) : NULL);
}

/* providerData as hex: text after label, or a JSON string or null. */
static void print_blob(const char *label, const FWP_BYTE_BLOB *b)
{
	char *hex = NULL;
	UINT32 i;

	if (b->size && b->data)
		hex = calloc(1, 2 * (size_t)b->size + 1);
	for (i = 0; hex && i < b->size; i++)
		sprintf(hex + 2 * i, "%02x", b->data[i]);
	if (g_json)
		json_string(label, hex);
	else if (hex)
		printf("  %s %s\n", label, hex);
	free(hex);
}

/* ------------------------------------------------------------ arguments */

struct object_args {
	GUID key, provider;
	bool have_key, have_provider, persistent;
	wchar_t *name, *desc, *service;
	FWP_BYTE_BLOB data;
	UINT16 weight;
};

#define OBJ(m) offsetof(struct object_args, m)

static int kw_key(void *args, const struct keyword *kw, const char *v)
{
	(void)kw;
	((struct object_args *)args)->have_key = true;
	return parse_guid_arg(v, &((struct object_args *)args)->key);
}

static int kw_provider(void *args, const struct keyword *kw, const char *v)
{
	(void)kw;
	((struct object_args *)args)->have_provider = true;
	return parse_guid_arg(v, &((struct object_args *)args)->provider);
}

static int kw_wide(void *args, const struct keyword *kw, const char *v)
{
	wchar_t **w = kw_field(args, kw);

	free(*w);
	*w = widen(v);
	if (!*w)
		return usage_error("'%s' is not text of this locale", v);
	return EXIT_OK;
}

static int kw_data(void *args, const struct keyword *kw, const char *v)
{
	FWP_BYTE_BLOB *b = kw_field(args, kw);
	size_t i, len = strlen(v);

	for (i = 0; i < len && hexval(v[i]) >= 0; i++)
		;
	if (!len || i < len || len % 2)
		return usage_error("'data' takes an even number of hex digits");
	free(b->data);
	b->data = malloc(len / 2);
	if (!b->data)
		return fail("out of memory");
	b->size = (UINT32)(len / 2);
	for (i = 0; i < len / 2; i++)
		b->data[i] = (UINT8)(hexval(v[2 * i]) << 4 | hexval(v[2 * i + 1]));
	return EXIT_OK;
}

/* The keywords every object takes. */
#define OBJECT_KEYWORDS \
	{ "key", 1, kw_key, 0 }, \
	{ "name", 1, kw_wide, OBJ(name) }, \
	{ "description", 1, kw_wide, OBJ(desc) }, \
	{ "data", 1, kw_data, OBJ(data) }, \
	{ "persistent", 0, kw_true, OBJ(persistent) }

static const struct keyword provider_keywords[] = {
	OBJECT_KEYWORDS,
	{ "service", 1, kw_wide, OBJ(service) },
	{ NULL }
};

static const struct keyword sublayer_keywords[] = {
	OBJECT_KEYWORDS,
	{ "provider", 1, kw_provider, 0 },
	{ "weight", 1, kw_u16, OBJ(weight) },
	{ NULL }
};

static void object_args_free(struct object_args *a)
{
	free(a->name);
	free(a->desc);
	free(a->service);
	free(a->data.data);
}

/* ------------------------------------------------------------ the types */

struct object_type {
	const char *what;			/* "provider", for messages */
	const struct keyword *keywords;		/* of add */
	const char *add_call, *get_call, *delete_call;
	DWORD (*add)(HANDLE engine, const struct object_args *a);
	DWORD (*get)(HANDLE engine, const GUID *key, void **obj);
	DWORD (*delete)(HANDLE engine, const void *key);
	void (*print)(const void *obj);
};

static DWORD provider_add_call(HANDLE engine, const struct object_args *a)
{
	FWPM_PROVIDER0 p;

	memset(&p, 0, sizeof(p));
	p.providerKey = a->key;
	p.displayData.name = a->name;
	p.displayData.description = a->desc;
	p.flags = a->persistent ? FWPM_PROVIDER_FLAG_PERSISTENT : 0;
	p.providerData = a->data;
	p.serviceName = a->service;
	return FwpmProviderAdd0(engine, &p, NULL);
}

static DWORD provider_get_call(HANDLE engine, const GUID *key, void **obj)
{
	return FwpmProviderGetByKey0(engine, key, (FWPM_PROVIDER0 **)obj);
}

static DWORD provider_delete_call(HANDLE engine, const void *key)
{
	return FwpmProviderDeleteByKey0(engine, key);
}

static DWORD sublayer_add_call(HANDLE engine, const struct object_args *a)
{
	FWPM_SUBLAYER0 s;

	memset(&s, 0, sizeof(s));
	s.subLayerKey = a->key;
	s.displayData.name = a->name;
	s.displayData.description = a->desc;
	s.flags = a->persistent ? FWPM_SUBLAYER_FLAG_PERSISTENT : 0;
	s.providerKey = a->have_provider ? (GUID *)&a->provider : NULL;
	s.providerData = a->data;
	s.weight = a->weight;
	return FwpmSubLayerAdd0(engine, &s, NULL);
}

static DWORD sublayer_get_call(HANDLE engine, const GUID *key, void **obj)
{
	return FwpmSubLayerGetByKey0(engine, key, (FWPM_SUBLAYER0 **)obj);
}

static DWORD sublayer_delete_call(HANDLE engine, const void *key)
{
	return FwpmSubLayerDeleteByKey0(engine, key);
}

/* The first line of an object's text: "KEY NAME". */
static void print_head(const GUID *key, const FWPM_DISPLAY_DATA0 *d)
{
	char kbuf[GUID_LEN + 1], nbuf[TEXT_MAX];
	const char *name = narrow(d->name, nbuf);

	printf("%s %s\n", guid_str(key, kbuf), name ? name : "");
}

static void print_provider(const FWPM_PROVIDER0 *p)
{
	bool persistent = p->flags & FWPM_PROVIDER_FLAG_PERSISTENT;

	if (!g_json) {
		print_head(&p->providerKey, &p->displayData);
		text_wide("description", p->displayData.description);
		text_wide("service", p->serviceName);
		print_blob("data", &p->providerData);
		if (persistent)
			puts("  persistent");
		return;
	}
	json_begin_object(NULL);
	json_guid("key", &p->providerKey);
	json_wide("name", p->displayData.name);
	json_wide("description", p->displayData.description);
	json_wide("service", p->serviceName);
	print_blob("data", &p->providerData);
	json_uint("flags", p->flags);
	json_bool("persistent", persistent);
	json_end();
}

static void print_sublayer(const FWPM_SUBLAYER0 *s)
{
	bool persistent = s->flags & FWPM_SUBLAYER_FLAG_PERSISTENT;
	char buf[GUID_LEN + 1];

	if (!g_json) {
		print_head(&s->subLayerKey, &s->displayData);
		printf("  weight %u\n", s->weight);
		if (s->providerKey)
			printf("  provider %s\n", guid_str(s->providerKey, buf));
		text_wide("description", s->displayData.description);
		print_blob("data", &s->providerData);
		if (persistent)
			puts("  persistent");
		return;
	}
	json_begin_object(NULL);
	json_guid("key", &s->subLayerKey);
	json_wide("name", s->displayData.name);
	json_wide("description", s->displayData.description);
	json_guid("provider", s->providerKey);
	json_uint("weight", s->weight);
	print_blob("data", &s->providerData);
	json_uint("flags", s->flags);
	json_bool("persistent", persistent);
	json_end();
}

static void print_provider_any(const void *obj)
{
	print_provider(obj);
}

static void print_sublayer_any(const void *obj)
{
	print_sublayer(obj);
}

static const struct object_type provider_type = {
	"provider", provider_keywords,
	"FwpmProviderAdd0", "FwpmProviderGetByKey0", "FwpmProviderDeleteByKey0",
	provider_add_call, provider_get_call, provider_delete_call,
	print_provider_any,
};

static const struct object_type sublayer_type = {
	"sublayer", sublayer_keywords,
	"FwpmSubLayerAdd0", "FwpmSubLayerGetByKey0", "FwpmSubLayerDeleteByKey0",
	sublayer_add_call, sublayer_get_call, sublayer_delete_call,
	print_sublayer_any,
};

/* ------------------------------------------------------------ commands */

static int add_with(const struct object_type *t, struct object_args *a)
{
	char buf[GUID_LEN + 1];
	HANDLE engine;
	DWORD rc;
	int st;

	if (!a->name)
		return usage_error("'name TEXT' is needed");
	st = a->have_key ? EXIT_OK : random_guid(&a->key);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = t->add(engine, a);
	engine_close(engine);
	if (rc)
		return fail_call(t->add_call, rc);
	if (g_json) {
		json_begin_object(NULL);
		json_guid("key", &a->key);
		json_end();
	} else {
		printf("%s\n", guid_str(&a->key, buf));
	}
	return EXIT_OK;
}

static int object_add(const struct object_type *t, int argc, char **argv)
{
	struct object_args a;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(t->keywords, 0, &a, argc, argv, 1);
	if (!st)
		st = add_with(t, &a);
	object_args_free(&a);
	return st;
}

static int object_show(const struct object_type *t, int argc, char **argv)
{
	HANDLE engine;
	void *obj = NULL;
	GUID key;
	DWORD rc;
	int st;

	if (argc != 2)
		return usage_error("one %s GUID is needed", t->what);
	st = parse_guid_arg(argv[1], &key);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = t->get(engine, &key, &obj);
	engine_close(engine);
	if (rc)
		return fail_call(t->get_call, rc);
	t->print(obj);
	FwpmFreeMemory0(&obj);
	return EXIT_OK;
}

static int parse_guid_any(const char *s, void *key)
{
	return parse_guid_arg(s, key);
}

static int object_delete(const struct object_type *t, int argc, char **argv)
{
	char what[32];
	struct each_arg e = {
		what, parse_guid_any, t->delete, t->delete_call,
	};

	snprintf(what, sizeof(what), "%s GUID", t->what);
	return for_each_arg(&e, argc, argv);
}

DEFINE_ENUMERATION(provider_enum, FwpmProviderCreateEnumHandle0,
		   FwpmProviderEnum0, FwpmProviderDestroyEnumHandle0,
		   FWPM_PROVIDER0, print_provider);

DEFINE_ENUMERATION(sublayer_enum, FwpmSubLayerCreateEnumHandle0,
		   FwpmSubLayerEnum0, FwpmSubLayerDestroyEnumHandle0,
		   FWPM_SUBLAYER0, print_sublayer);

static int provider_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return enumerate(&provider_enum, NULL);
}

static const struct keyword sublayer_list_keywords[] = {
	{ "provider", 1, kw_provider, 0 },
	{ NULL }
};

static int sublayer_list(int argc, char **argv)
{
	FWPM_SUBLAYER_ENUM_TEMPLATE0 tmpl;
	struct object_args a;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(sublayer_list_keywords, 0, &a, argc, argv, 1);
	if (st)
		return st;
	tmpl.providerKey = a.have_provider ? &a.provider : NULL;
	return enumerate(&sublayer_enum, &tmpl);
}

#define OBJECT_COMMAND(type, verb) \
static int type##_##verb(int argc, char **argv) \
{ \
	return object_##verb(&type##_type, argc, argv); \
}

OBJECT_COMMAND(provider, add)
OBJECT_COMMAND(provider, show)
OBJECT_COMMAND(provider, delete)
OBJECT_COMMAND(sublayer, add)
OBJECT_COMMAND(sublayer, show)
OBJECT_COMMAND(sublayer, delete)

const struct command provider_commands[] = {
	{
		.name = "add", .fn = provider_add,
		.help = "add a provider; print its key",
		.usage = "[key GUID] name TEXT [description TEXT] [service NAME]\n"
			 "        [data HEX] [persistent] [--json]",
	},
	{
		.name = "list", .fn = provider_list, .no_args = true,
		.help = "list the providers of this network namespace",
		.usage = "[--json]",
	},
	{
		.name = "show", .fn = provider_show,
		.help = "show one provider",
		.usage = "GUID [--json]",
	},
	{
		.name = "delete", .fn = provider_delete,
		.help = "delete providers no sublayer names",
		.usage = "GUID...",
	},
	{ .name = NULL }
};

const struct command sublayer_commands[] = {
	{
		.name = "add", .fn = sublayer_add,
		.help = "add a sublayer; print its key",
		.usage = "[key GUID] name TEXT [description TEXT] [provider GUID]\n"
			 "        [weight N] [data HEX] [persistent] [--json]",
	},
	{
		.name = "list", .fn = sublayer_list,
		.help = "list the sublayers of this network namespace, built-in ones too",
		.usage = "[provider GUID] [--json]",
	},
	{
		.name = "show", .fn = sublayer_show,
		.help = "show one sublayer",
		.usage = "GUID [--json]",
	},
	{
		.name = "delete", .fn = sublayer_delete,
		.help = "delete sublayers (not the built-in ones)",
		.usage = "GUID...",
	},
	{ .name = NULL }
};
