// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A small JSON writer for --json: objects and arrays nested up to a fixed
 * depth, printed with two-space indentation, strings escaped per RFC 8259.
 * 64-bit numbers are printed in full; ids and SPIs are unsigned integers.
 */
#include <inttypes.h>

#include "cli.h"

#define JSON_DEPTH 16

static int depth;
static bool first[JSON_DEPTH] = { true };
static char closers[JSON_DEPTH];	/* what ends the container at each depth */

static void put_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

/* The separator, indentation and key that start every value. */
static void item(const char *key)
{
	int i;

	if (depth > 0) {
		if (!first[depth])
			putchar(',');
		putchar('\n');
		for (i = 0; i < depth; i++)
			fputs("  ", stdout);
	}
	first[depth] = false;
	if (key) {
		put_string(key);
		fputs(": ", stdout);
	}
}

static void begin(const char *key, char open)
{
	item(key);
	putchar(open);
	if (depth < JSON_DEPTH - 1)
		depth++;
	first[depth] = true;
	closers[depth] = open == '{' ? '}' : ']';
}

void json_begin_object(const char *key)
{
	begin(key, '{');
}

void json_begin_array(const char *key)
{
	begin(key, '[');
}

/* Closes the innermost object or array. */
void json_end(void)
{
	bool empty = first[depth];
	int i;

	if (depth == 0)
		return;
	depth--;
	if (!empty) {
		putchar('\n');
		for (i = 0; i < depth; i++)
			fputs("  ", stdout);
	}
	putchar(closers[depth + 1]);
	if (depth == 0) {
		putchar('\n');
		first[0] = true;
	}
}

void json_string(const char *key, const char *value)
{
	item(key);
	if (value)
		put_string(value);
	else
		fputs("null", stdout);
}

void json_uint(const char *key, UINT64 value)
{
	item(key);
	printf("%" PRIu64, (uint64_t)value);
}

void json_bool(const char *key, bool value)
{
	item(key);
	fputs(value ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	item(key);
	fputs("null", stdout);
}
