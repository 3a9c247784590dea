// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the object commands (objects.c, provider_context.c, filter.c)
 * share: GUID keys, "ID or GUID" arguments, display text converted to and
 * from wchar_t, and the setters of keywords holding them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <wchar.h>

#include "cli.h"

/* ------------------------------------------------------------ GUIDs */

/* The canonical form, or the same in braces; nothing else. */
int parse_guid(const char *s, GUID *g)
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

const char *guid_str(const GUID *g, char buf[GUID_LEN + 1])
{
	const UINT8 *b = g->Data4;

	snprintf(buf, GUID_LEN + 1,
		 "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 (unsigned int)g->Data1, g->Data2, g->Data3, b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7]);
	return buf;
}

int parse_guid_arg(const char *s, GUID *g)
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
int random_guid(GUID *g)
{
	if (getrandom(g, sizeof(*g), 0) != sizeof(*g))
		return fail("cannot draw a random key");
	g->Data3 = (UINT16)((g->Data3 & 0x0fff) | 0x4000);
	g->Data4[0] = (UINT8)((g->Data4[0] & 0x3f) | 0x80);
	return EXIT_OK;
}

/* ------------------------------------------------------------ strings */

/* Wide strings through the C library, in the UTF-8 locale main() set. */
wchar_t *widen(const char *s)
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

/* w as multibyte text in buf; NULL for NULL, "?" for what cannot be. */
const char *narrow(const wchar_t *w, char *buf)
{
	if (!w)
		return NULL;
	if (wcstombs(buf, w, TEXT_MAX) >= TEXT_MAX)
		strcpy(buf, "?");
	return buf;
}

void json_wide(const char *key, const wchar_t *w)
{
	char buf[TEXT_MAX];

	json_string(key, narrow(w, buf));
}

void text_wide(const char *label, const wchar_t *w)
{
	char buf[TEXT_MAX];

	if (w)
		printf("  %s %s\n", label, narrow(w, buf));
}

void json_guid(const char *key, const GUID *g)
{
	char buf[GUID_LEN + 1];

	json_string(key, g ? guid_str(g, buf) : NULL);
}

/* providerData as hex: text after label, or a JSON string or null. */
void print_blob(const char *label, const FWP_BYTE_BLOB *b)
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

int kw_wide(void *args, const struct keyword *kw, const char *v)
{
	wchar_t **w = kw_field(args, kw);

	free(*w);
	*w = widen(v);
	if (!*w)
		return usage_error("'%s' is not text of this locale", v);
	return EXIT_OK;
}

int kw_data(void *args, const struct keyword *kw, const char *v)
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


void text_guid(const char *label, const GUID *g)
{
	char buf[GUID_LEN + 1];

	if (g)
		printf("  %s %s\n", label, guid_str(g, buf));
}

int kw_guid(void *args, const struct keyword *kw, const char *v)
{
	struct opt_guid *o = kw_field(args, kw);

	o->set = true;
	return parse_guid_arg(v, &o->guid);
}

/* ------------------------------------------------------------ ID or GUID */

/* "ID GUID", or {"id": ID, "key": "GUID"}: what names the new object. */
void print_id_key(UINT64 id, const GUID *key)
{
	char buf[GUID_LEN + 1];

	if (!g_json) {
		printf("%llu %s\n", (unsigned long long)id, guid_str(key, buf));
		return;
	}
	json_begin_object(NULL);
	json_uint("id", id);
	json_guid("key", key);
	json_end();
}

int parse_ref(const char *s, const struct ref_type *t, struct obj_ref *r)
{
	memset(r, 0, sizeof(*r));
	r->type = t;
	if (strchr(s, '-')) {
		r->by_key = true;
		return parse_guid_arg(s, &r->key);
	}
	if (parse_u64(s, &r->id))
		return usage_error("'%s' is not a %s id or GUID", s, t->what);
	return EXIT_OK;
}

int ref_show(const struct ref_type *t, int argc, char **argv)
{
	struct obj_ref r;
	HANDLE engine;
	void *obj = NULL;
	DWORD rc;
	int st;

	if (argc != 2)
		return usage_error("one %s id or GUID is needed", t->what);
	st = parse_ref(argv[1], t, &r);
	if (!st)
		st = engine_open(&engine);
	if (st)
		return st;
	rc = r.by_key ? t->get_key(engine, &r.key, &obj) :
			t->get_id(engine, r.id, &obj);
	engine_close(engine);
	if (rc)
		return fail_call(r.by_key ? t->get_key_call : t->get_id_call, rc);
	t->print(obj);
	FwpmFreeMemory0(&obj);
	return EXIT_OK;
}

static DWORD ref_delete_call(HANDLE engine, const void *ref)
{
	const struct obj_ref *r = ref;

	return r->by_key ? r->type->delete_key(engine, &r->key) :
			   r->type->delete_id(engine, r->id);
}

static const char *ref_delete_name(const void *ref)
{
	const struct obj_ref *r = ref;

	return r->by_key ? r->type->delete_key_call : r->type->delete_id_call;
}

int ref_delete(const struct ref_type *t, int argc, char **argv)
{
	char what[48];
	struct each_arg e = {
		what, t->parse, ref_delete_call, NULL, ref_delete_name,
	};

	snprintf(what, sizeof(what), "%s id or GUID", t->what);
	return for_each_arg(&e, argc, argv);
}

/* ------------------------------------------------------------ named GUIDs */

int guid_by_name(const struct guid_name *t, const char *s, GUID *g)
{
	for (; t->name; t++) {
		if (!strcmp(s, t->name) || (t->alias && !strcmp(s, t->alias))) {
			*g = *t->guid;
			return 0;
		}
	}
	return parse_guid(s, g);
}

const char *guid_name(const struct guid_name *t, const GUID *g,
		      char buf[GUID_LEN + 1])
{
	for (; t->name; t++)
		if (!memcmp(g, t->guid, sizeof(*g)))
			return t->name;
	return guid_str(g, buf);
}
