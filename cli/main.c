// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec - manage Windows Filtering Platform IPsec SA contexts on Linux
 * through libwfpipsec.  Commands form a tree of tables ("context" ->
 * "create"); each family lives in its own file.  A command whose library
 * call does not exist yet stays in the tree, is listed, and says so.
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifndef WFPIPSEC_CLI_VERSION
#define WFPIPSEC_CLI_VERSION "unknown"
#endif

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (g_json) {
		json_begin_object(NULL);
		json_string("wfpipsec", WFPIPSEC_CLI_VERSION);
		json_uint("libwfpipsec_major", WFPIPSEC_VERSION_MAJOR);
		json_uint("libwfpipsec_minor", WFPIPSEC_VERSION_MINOR);
		json_end();
	} else {
		printf("wfpipsec %s (libwfpipsec API %d.%d)\n", WFPIPSEC_CLI_VERSION,
		       WFPIPSEC_VERSION_MAJOR, WFPIPSEC_VERSION_MINOR);
	}
	return EXIT_OK;
}

static const struct command top_commands[] = {
	{
		.name = "context", .sub = context_commands,
		.help = "SA contexts",
	},
	{
		.name = "spi", .sub = spi_commands,
		.help = "inbound SPIs of SA contexts",
	},
	{
		.name = "sa", .sub = sa_commands,
		.help = "SAs of SA contexts",
	},
	{
		.name = "rights", .sub = rights_commands,
		.help = "grants on this namespace's SA database",
	},
	{
		.name = "provider", .sub = provider_commands,
		.help = "providers: who adds objects",
	},
	{
		.name = "sublayer", .sub = sublayer_commands,
		.help = "sublayers: weighted groups of filters",
	},
	{
		.name = "provider-context", .sub = provider_context_commands,
		.help = "provider contexts: the IPsec policy callout filters carry",
	},
	{
		.name = "filter", .sub = filter_commands,
		.help = "filters: what traffic is blocked, permitted or protected",
	},
	{
		.name = "stats",
		.help = "IPsec statistics of this network namespace",
		.fn = stats, .no_args = true,
		.usage = "[--json]\n"
			 "  SA counts, drops and traffic of the SAs installed now\n"
			 "  (Documentation/stats.rst); needs the READ_STATS right.",
	},
	{
		.name = "monitor", .fn = monitor,
		.help = "print SA context events (add, delete) as they happen",
		.usage = "[local PREFIX] [remote PREFIX] [count N] [--json]",
	},
	{
		.name = "version", .fn = cmd_version,
		.help = "print the versions of wfpipsec and libwfpipsec",
		.usage = "[--json]",
	},
	{ .name = NULL }
};

static char cmd_path[128];

static void list_commands(FILE *f, const char *path, const struct command *t)
{
	char name[64];

	for (; t->name; t++) {
		if (t->sub) {
			char sub[128];

			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? " " : "",
				 t->name);
			list_commands(f, sub, t->sub);
			continue;
		}
		snprintf(name, sizeof(name), "%s%s%s", path, *path ? " " : "", t->name);
		fprintf(f, "  %-24s %s%s\n", name, t->help,
			t->missing ? " (not supported by this library version)" : "");
	}
}

static void usage(FILE *f, const char *path, const struct command *t)
{
	const char *rest = strncmp(path, "wfpipsec", 8) ? path : path + 8;

	fprintf(f, "Usage: %s [--json] COMMAND [ARGUMENTS]\n\n", path);
	fputs("Commands:\n", f);
	list_commands(f, *rest == ' ' ? rest + 1 : rest, t);
	fputs("\n'COMMAND --help' shows the arguments of a command.\n", f);
	if (t == top_commands) {
		fputs("\nOptions: -j, --json  machine-readable output on standard output\n"
		      "         -h, --help  this text\n"
		      "         -V, --version\n"
		      "Exit status: 0 success, 1 a call failed, 2 usage error,\n"
		      "3 not supported by this library version.  See wfpipsec(8).\n", f);
	}
}

static void command_usage(const struct command *c)
{
	printf("%s: %s%s.\n\nUsage: %s %s\n", g_cmd, c->help,
	       c->missing ? " (not supported by this library version)" : "",
	       g_cmd, c->usage ? c->usage : "");
}

static bool is_opt(const char *s, const char *short_opt, const char *long_opt)
{
	return !strcmp(s, short_opt) || !strcmp(s, long_opt);
}

static bool is_help(const char *s)
{
	return is_opt(s, "-h", "--help") || !strcmp(s, "help");
}

/* Run c: --help anywhere shows its usage; --json anywhere is taken out. */
static int run_command(const struct command *c, int argc, char **argv)
{
	int i, j;

	g_cmd = cmd_path;
	for (i = 1, j = 1; i < argc; i++) {
		if (is_opt(argv[i], "-h", "--help")) {
			command_usage(c);
			return EXIT_OK;
		}
		if (is_opt(argv[i], "-j", "--json"))
			g_json = true;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	if (!c->fn) {
		fprintf(stderr, "%s: not supported by this library version "
			"(libwfpipsec %d.%d has no %s)\n", g_cmd,
			WFPIPSEC_VERSION_MAJOR, WFPIPSEC_VERSION_MINOR, c->missing);
		return EXIT_UNSUPPORTED;
	}
	if (c->no_args && argc != 1)
		return usage_error("no arguments are taken");
	return c->fn(argc, argv);
}

/* Run argv[0] from table t; path names the table ("wfpipsec context"). */
static int dispatch(const char *path, const struct command *t, int argc,
		    char **argv)
{
	const struct command *c;

	if (argc == 0 || is_help(argv[0])) {
		usage(argc ? stdout : stderr, path, t);
		return argc ? EXIT_OK : EXIT_USAGE;
	}
	for (c = t; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			break;
	snprintf(cmd_path, sizeof(cmd_path), "%s %s", path, argv[0]);
	if (!c->name) {
		fprintf(stderr, "%s: unknown command '%s'\n", path, argv[0]);
		usage(stderr, path, t);
		return EXIT_USAGE;
	}
	if (c->sub) {
		char sub[128];

		snprintf(sub, sizeof(sub), "%s", cmd_path);
		return dispatch(sub, c->sub, argc - 1, argv + 1);
	}
	return run_command(c, argc, argv);
}

int main(int argc, char **argv)
{
	int i = 1, ret;

	/* Display names are wchar_t: converted as UTF-8, else as the user's. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (is_opt(argv[i], "-j", "--json")) {
			g_json = true;
		} else if (is_opt(argv[i], "-h", "--help")) {
			usage(stdout, "wfpipsec", top_commands);
			return EXIT_OK;
		} else if (is_opt(argv[i], "-V", "--version")) {
			return cmd_version(0, NULL);
		} else {
			fprintf(stderr, "wfpipsec: unknown option '%s'\n", argv[i]);
			usage(stderr, "wfpipsec", top_commands);
			return EXIT_USAGE;
		}
	}
	ret = dispatch("wfpipsec", top_commands, argc - i, argv + i);
	if (fflush(stdout) || ferror(stdout)) {
		perror("wfpipsec: standard output");
		return EXIT_FAIL;
	}
	return ret;
}
