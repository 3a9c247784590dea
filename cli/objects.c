// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec provider|sublayer add|list|show|delete (Documentation/
 * objects.rst).  Both families run on one set of commands, told apart by
 * a struct object_type holding the library calls and the printer.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ------------------------------------------------------------ arguments */

struct object_args {
	struct opt_guid key, provider;
	bool persistent;
	wchar_t *name, *desc, *service;
	FWP_BYTE_BLOB data;
	UINT16 weight;
};

#define OBJ(m) offsetof(struct object_args, m)

/* The keywords every object takes. */
#define OBJECT_KEYWORDS \
	{ "key", 1, kw_guid, OBJ(key) }, \
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
	{ "provider", 1, kw_guid, OBJ(provider) },
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
	p.providerKey = a->key.guid;
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
	s.subLayerKey = a->key.guid;
	s.displayData.name = a->name;
	s.displayData.description = a->desc;
	s.flags = a->persistent ? FWPM_SUBLAYER_FLAG_PERSISTENT : 0;
	s.providerKey = a->provider.set ? (GUID *)&a->provider.guid : NULL;
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

	if (!g_json) {
		print_head(&s->subLayerKey, &s->displayData);
		printf("  weight %u\n", s->weight);
		text_guid("provider", s->providerKey);
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
	st = a->key.set ? EXIT_OK : random_guid(&a->key.guid);
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
		json_guid("key", &a->key.guid);
		json_end();
	} else {
		printf("%s\n", guid_str(&a->key.guid, buf));
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
		what, parse_guid_any, t->delete, t->delete_call, NULL,
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
	{ "provider", 1, kw_guid, OBJ(provider) },
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
	tmpl.providerKey = a.provider.set ? &a.provider.guid : NULL;
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
