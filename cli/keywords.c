// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Keyword arguments: each command lists its keywords in a table (cli.h,
 * struct keyword) and parse_keywords() walks the command line with it.
 * The setters several commands share are here; a command's own are in
 * its file.
 */
#include <string.h>

#include "cli.h"

/* The value after argv[*i], advancing *i; NULL after a usage message. */
static const char *arg_value(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		usage_error("'%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

/* The entry named arg, or the table's NULL-named end. */
static const struct keyword *keyword_find(const struct keyword *t,
					  unsigned int flags, const char *arg)
{
	if ((flags & KW_DASHES) && !strncmp(arg, "--", 2))
		arg += 2;
	for (; t->name; t++)
		if (!strcmp(t->name, arg))
			break;
	return t;
}

int parse_keywords(const struct keyword *t, unsigned int flags, void *args,
		   int argc, char **argv, int first)
{
	const struct keyword *kw;
	const char *v;
	int i, st;

	for (i = first; i < argc; i++) {
		const char *arg = argv[i];

		kw = keyword_find(t, flags, arg);
		if (!kw->name && !(flags & KW_VALUE_FIRST))
			return usage_error("unknown argument '%s'", arg);
		v = NULL;
		if (!kw->name || kw->arity) {
			v = arg_value(argc, argv, &i);
			if (!v)
				return EXIT_USAGE;
		}
		if (!kw->name)
			return usage_error("unknown argument '%s'", arg);
		st = kw->set(args, kw, v);
		if (st)
			return st;
	}
	return EXIT_OK;
}

/* The value as a number up to max, or a usage message naming kw. */
static int kw_number(const struct keyword *kw, const char *v, UINT64 max,
		     UINT64 *n)
{
	if (parse_u64(v, n) || *n > max)
		return usage_error("'%s' is not a valid value for '%s'", v,
				   kw->name);
	return EXIT_OK;
}

int kw_u16(void *args, const struct keyword *kw, const char *v)
{
	UINT64 n;
	int st = kw_number(kw, v, UINT16_MAX, &n);

	if (!st)
		*(UINT16 *)kw_field(args, kw) = (UINT16)n;
	return st;
}

int kw_u32(void *args, const struct keyword *kw, const char *v)
{
	UINT64 n;
	int st = kw_number(kw, v, UINT32_MAX, &n);

	if (!st)
		*(UINT32 *)kw_field(args, kw) = (UINT32)n;
	return st;
}

int kw_u64(void *args, const struct keyword *kw, const char *v)
{
	return kw_number(kw, v, UINT64_MAX, kw_field(args, kw));
}

int kw_str(void *args, const struct keyword *kw, const char *v)
{
	*(const char **)kw_field(args, kw) = v;
	return EXIT_OK;
}

int kw_prefix(void *args, const struct keyword *kw, const char *v)
{
	if (parse_prefix(v, kw_field(args, kw)))
		return usage_error("'%s' is not an address or ADDRESS/LENGTH", v);
	return EXIT_OK;
}

int kw_true(void *args, const struct keyword *kw, const char *v)
{
	(void)v;
	*(bool *)kw_field(args, kw) = true;
	return EXIT_OK;
}
