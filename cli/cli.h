/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cli.h - internals of the wfpipsec command-line tool.  The tool uses
 * nothing but libwfpipsec's public headers: it is the library's first
 * client, and the only way it talks to the kernel.
 */
#ifndef WFPIPSEC_CLI_H
#define WFPIPSEC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <windows.h>
#include <fwpmu.h>
#include <wfpipsec.h>

/* Exit statuses, documented in wfpipsec(8). */
#define EXIT_OK			0
#define EXIT_FAIL		1	/* a library call or an I/O failed */
#define EXIT_USAGE		2	/* bad command line */
#define EXIT_UNSUPPORTED	3	/* needs a call this library lacks */

/*
 * One node of the command tree.  A family ("context") has sub, a command
 * ("create") has fn; a command whose library call does not exist yet has
 * neither and names the call in missing.  Tables end with a NULL name.
 */
struct command {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the name */
	const struct command *sub;
	const char *help;			/* one line, for listings */
	const char *usage;			/* arguments, for --help */
	const char *missing;			/* library call not there yet */
	bool no_args;				/* takes no arguments */
};

extern const struct command context_commands[];
extern const struct command spi_commands[];
extern const struct command sa_commands[];
extern const struct command rights_commands[];
extern const struct command provider_commands[];
extern const struct command sublayer_commands[];
extern const struct command provider_context_commands[];
extern const struct command filter_commands[];
int monitor(int argc, char **argv);
int stats(int argc, char **argv);

/* Set by the dispatcher: --json given, and "context create" for messages. */
extern bool g_json;
extern const char *g_cmd;

/* Messages: all return the exit status to use. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_call(const char *call, DWORD rc);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* FwpmEngineOpen0 with a static (non-dynamic) session; reports failures. */
int engine_open(HANDLE *engine);
void engine_close(HANDLE engine);

/*
 * Keyword arguments (keywords.c): "local 10.0.0.1 mode tunnel".  A
 * command lists its keywords in a table ending with a NULL name; each
 * keyword takes no value or one, which set() stores at offset in the
 * command's argument struct, or refuses with a usage message.
 */
struct keyword {
	const char *name;
	int arity;		/* values taken: 0 or 1 */
	int (*set)(void *args, const struct keyword *kw, const char *value);
	size_t offset;		/* of the field set, in args */
};

/*
 * Flags of parse_keywords(): KW_DASHES, "--encap" is also "encap";
 * KW_VALUE_FIRST, an unknown keyword is taken to have a value, and that
 * value missing is reported first, as for a known keyword.
 */
#define KW_DASHES	0x1
#define KW_VALUE_FIRST	0x2

/* argv[first..] as keywords of table t; returns the exit status. */
int parse_keywords(const struct keyword *t, unsigned int flags, void *args,
		   int argc, char **argv, int first);

static inline void *kw_field(void *args, const struct keyword *kw)
{
	return (char *)args + kw->offset;
}

/* Setters of a UINT16/32/64, a const char *, a struct prefix or a bool. */
int kw_u16(void *args, const struct keyword *kw, const char *v);
int kw_u32(void *args, const struct keyword *kw, const char *v);
int kw_u64(void *args, const struct keyword *kw, const char *v);
int kw_str(void *args, const struct keyword *kw, const char *v);
int kw_prefix(void *args, const struct keyword *kw, const char *v);
int kw_true(void *args, const struct keyword *kw, const char *v);

int hexval(int c);		/* a hex digit's value, or -1 */
int parse_u64(const char *s, UINT64 *v);
int parse_u32(const char *s, UINT32 *v);
int parse_u16(const char *s, UINT16 *v);
int parse_id(const char *s, UINT64 *id);	/* with a usage message */
/* "ID ...": the context id argv[1] is, with a usage message. */
int parse_id_arg(int argc, char **argv, UINT64 *id);
int parse_protocol(const char *s, UINT8 *proto);
const char *protocol_name(UINT8 proto);

/* An address in normal notation, as a Windows traffic address. */
struct addr {
	FWP_IP_VERSION version;
	UINT8 net[16];		/* network order */
};

int parse_addr(const char *s, struct addr *a);
/* IPSEC_TRAFFIC1 layout: IPv4 host-order UINT32, IPv6 bytes reversed. */
void addr_to_traffic(const struct addr *a, UINT32 *v4, UINT8 v6[16]);
void traffic_addr_str(FWP_IP_VERSION v, UINT32 v4, const UINT8 v6[16],
		      char *buf, size_t len);

/* ADDR[/LEN] as an FWP_CONDITION_VALUE0 (enum templates, selectors). */
struct prefix {
	FWP_CONDITION_VALUE0 value;
	FWP_V4_ADDR_AND_MASK v4;
	FWP_V6_ADDR_AND_MASK v6;
	FWP_BYTE_ARRAY16 a16;
};

int parse_prefix(const char *s, struct prefix *p);

/*
 * "local PREFIX remote PREFIX" of context list and monitor: an SA
 * context enumeration template; a prefix not given stays FWP_EMPTY.
 */
struct subnets {
	struct prefix local, remote;
};

/* The two keywords, for a struct subnets at offset at in the arguments. */
#define SUBNET_KEYWORDS(at) \
	{ "local", 1, kw_prefix, (at) + offsetof(struct subnets, local) }, \
	{ "remote", 1, kw_prefix, (at) + offsetof(struct subnets, remote) }

/* Fills tmpl; false when neither subnet was given. */
bool subnets_template(const struct subnets *s,
		      IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl);

/*
 * One enumeration, printed page by page (in a JSON array with --json):
 * create() opens it with tmpl, page() returns up to max entries as an
 * array print(entries, i) knows, destroy() closes it.
 */
struct enumeration {
	const char *create_call, *enum_call;	/* names for messages */
	DWORD (*create)(HANDLE engine, const void *tmpl, HANDLE *en);
	DWORD (*page)(HANDLE engine, HANDLE en, UINT32 max, void **entries,
		      UINT32 *n);
	DWORD (*destroy)(HANDLE engine, HANDLE en);
	void (*print)(void *entries, UINT32 i);
};

int enumerate(const struct enumeration *e, const void *tmpl);

/*
 * The struct enumeration name over the library calls create, next and
 * destroy, whose entries are type pointers printed by print(type *).
 */
#define DEFINE_ENUMERATION(name, create, next, destroy, type, print)	\
static DWORD name##_create(HANDLE engine, const void *tmpl, HANDLE *en)	\
{									\
	return create(engine, tmpl, en);				\
}									\
static DWORD name##_page(HANDLE engine, HANDLE en, UINT32 max,		\
			 void **entries, UINT32 *n)			\
{									\
	type **e = NULL;						\
	DWORD rc = next(engine, en, max, &e, n);			\
									\
	*entries = e;							\
	return rc;							\
}									\
static void name##_print(void *entries, UINT32 i)			\
{									\
	print(((type **)entries)[i]);					\
}									\
static const struct enumeration name = {				\
	#create, #next, name##_create, name##_page, destroy, name##_print \
}

/*
 * ARG... of delete and expire: every argument is parsed (parse() gives
 * the usage message) before the engine opens; a call failing for one is
 * reported, and those after it are still tried.  Values are context ids
 * or GUIDs.
 */
struct each_arg {
	const char *what;			/* "context id", for messages */
	int (*parse)(const char *s, void *value);
	DWORD (*call)(HANDLE engine, const void *value);
	const char *call_name;
	/* When the call depends on the value (ById0 or ByKey0): its name. */
	const char *(*name_of)(const void *value);
};

int for_each_arg(const struct each_arg *e, int argc, char **argv);

/* ------------------------------------------------ keys and text (keys.c) */

#define GUID_LEN 36	/* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */
#define TEXT_MAX 4096	/* the module's longest string is 1024 bytes */

const char *guid_str(const GUID *g, char buf[GUID_LEN + 1]);
/* The canonical form, in braces or not; -1 for anything else. */
int parse_guid(const char *s, GUID *g);
int parse_guid_arg(const char *s, GUID *g);	/* with a usage message */
int random_guid(GUID *g);
/* Display text to and from wchar_t (main() set the locale). */
wchar_t *widen(const char *s);
const char *narrow(const wchar_t *w, char *buf);	/* buf: TEXT_MAX */
/* Text lines are "  label value", skipped for NULL; JSON has null. */
void json_wide(const char *key, const wchar_t *w);
void text_wide(const char *label, const wchar_t *w);
void json_guid(const char *key, const GUID *g);
void text_guid(const char *label, const GUID *g);
void print_blob(const char *label, const FWP_BYTE_BLOB *b);

/* Well-known GUIDs by name (layers, callouts); tables end with NULL. */
struct guid_name {
	const char *name, *alias;	/* alias: a short form, or NULL */
	const GUID *guid;
};

/* The GUID named s, or s as a GUID; -1 when it is neither. */
int guid_by_name(const struct guid_name *t, const char *s, GUID *g);
/* g's name, or g in canonical form (in buf). */
const char *guid_name(const struct guid_name *t, const GUID *g,
		      char buf[GUID_LEN + 1]);

/* A GUID keyword's value, and whether it was given. */
struct opt_guid {
	GUID guid;
	bool set;
};

/* Setters of a wchar_t * (freed first), an FWP_BYTE_BLOB, a struct opt_guid. */
int kw_wide(void *args, const struct keyword *kw, const char *v);
int kw_data(void *args, const struct keyword *kw, const char *v);
int kw_guid(void *args, const struct keyword *kw, const char *v);

/*
 * Objects with a runtime id and a GUID key (filters, provider contexts):
 * "show ID|GUID" and "delete ID|GUID..." call the ById0 or ByKey0 call
 * the argument's form asks for.  parse is parse_ref() with the type.
 */
struct ref_type {
	const char *what;			/* "filter", for messages */
	int (*parse)(const char *s, void *ref);
	DWORD (*get_id)(HANDLE engine, UINT64 id, void **obj);
	DWORD (*get_key)(HANDLE engine, const GUID *key, void **obj);
	DWORD (*delete_id)(HANDLE engine, UINT64 id);
	DWORD (*delete_key)(HANDLE engine, const GUID *key);
	const char *get_id_call, *get_key_call;
	const char *delete_id_call, *delete_key_call;
	void (*print)(const void *obj);
};

struct obj_ref {
	const struct ref_type *type;
	bool by_key;
	UINT64 id;
	GUID key;
};

/* What add prints: "ID GUID", or {"id": ID, "key": "GUID"}. */
void print_id_key(UINT64 id, const GUID *key);
int parse_ref(const char *s, const struct ref_type *t, struct obj_ref *r);
int ref_show(const struct ref_type *t, int argc, char **argv);
int ref_delete(const struct ref_type *t, int argc, char **argv);

/*
 * The struct ref_type name over the library's Get and Delete calls of
 * objects of type, printed by print(const type *), and the commands
 * name_show and name_delete on it.
 */
#define DEFINE_REF_TYPE(name, what, type, get_id, get_key, delete_id,	\
			delete_key, print)				\
static DWORD name##_get_id(HANDLE engine, UINT64 id, void **obj)	\
{									\
	return get_id(engine, id, (type **)obj);			\
}									\
static DWORD name##_get_key(HANDLE engine, const GUID *key, void **obj) \
{									\
	return get_key(engine, key, (type **)obj);			\
}									\
static void name##_print(const void *obj)				\
{									\
	print(obj);							\
}									\
static int name##_parse(const char *s, void *ref);			\
static const struct ref_type name = {					\
	what, name##_parse, name##_get_id, name##_get_key,		\
	delete_id, delete_key, #get_id, #get_key, #delete_id,		\
	#delete_key, name##_print,					\
};									\
static int name##_parse(const char *s, void *ref)			\
{									\
	return parse_ref(s, &name, ref);				\
}									\
static int name##_show(int argc, char **argv)				\
{									\
	return ref_show(&name, argc, argv);				\
}									\
static int name##_delete(int argc, char **argv)				\
{									\
	return ref_delete(&name, argc, argv);				\
}

/* Algorithms (algs.c). */
#define ALG_MAX_KEY 64

struct alg_half {
	const char *name;
	UINT32 type;		/* IPSEC_CIPHER_TYPE or IPSEC_AUTH_TYPE */
	UINT8 config;		/* IPSEC_CIPHER_CONFIG or IPSEC_AUTH_CONFIG */
	UINT8 auth_type;	/* AES-GCM: the matching auth half */
	UINT8 auth_config;
	UINT32 key_len;
};

struct alg {
	IPSEC_TRANSFORM_TYPE transform;
	const struct alg_half *cipher;	/* NULL when none */
	const struct alg_half *auth;	/* NULL when none (or AES-GCM) */
	bool gcm;			/* AES-GCM: one key for both halves */
};

int alg_parse(const char *name, struct alg *alg);
void alg_name(const struct alg *alg, char *buf, size_t len);
/* The name of the algorithm an IPSEC_SA0 carries, "?" when unknown. */
void alg_name_of_sa(const IPSEC_SA0 *sa, char *buf, size_t len);
int alg_print_table(void);

/* An SA context or SA, as text or with --json (print.c). */
void print_context(const IPSEC_SA_CONTEXT1 *c);
void print_sa_details(const IPSEC_SA_DETAILS1 *d);

/* JSON output on stdout (json.c). */
void json_begin_object(const char *key);
void json_begin_array(const char *key);
void json_end(void);
void json_string(const char *key, const char *value);	/* NULL: null */
void json_uint(const char *key, UINT64 value);
void json_bool(const char *key, bool value);
void json_null(const char *key);

#endif /* WFPIPSEC_CLI_H */
