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
};

extern const struct command context_commands[];
extern const struct command spi_commands[];
extern const struct command sa_commands[];
extern const struct command rights_commands[];
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
 * Keyword arguments: "local 10.0.0.1".  arg_value() returns the value
 * after argv[*i] and advances *i, or NULL (after a usage message) when it
 * is missing.
 */
const char *arg_value(int argc, char **argv, int *i);
int parse_u64(const char *s, UINT64 *v);
int parse_u32(const char *s, UINT32 *v);
int parse_u16(const char *s, UINT16 *v);
int parse_id(const char *s, UINT64 *id);	/* with a usage message */
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

/* JSON output on stdout (json.c). */
void json_begin_object(const char *key);
void json_begin_array(const char *key);
void json_end(void);
void json_string(const char *key, const char *value);	/* NULL: null */
void json_uint(const char *key, UINT64 value);
void json_bool(const char *key, bool value);
void json_null(const char *key);

#endif /* WFPIPSEC_CLI_H */
