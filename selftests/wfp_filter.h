/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test selection for the kselftest harness of Linux 6.1, which has none
 * (its test_harness_run() ignores argv).  WFP_TEST_FILTER holds
 * space-separated fnmatch(3) patterns over the names the harness prints,
 * "fixture[.variant].test"; a test runs when one pattern matches, every
 * test when the variable is unset or empty.  "-l" lists the names of
 * the tests that would run.  The
 * debug-kernel subset of CI (selftests/ci-debug.list) is built on this.
 *
 * wfp_harness_run() is test_harness_run() with that one test added; the
 * plan counts only the selected tests, so TAP stays consistent.
 */
#ifndef WFP_FILTER_H
#define WFP_FILTER_H

#include <fnmatch.h>

#include "kselftest_harness.h"
#include "wfp_util.h"

static void wfp_test_name(char *buf, size_t len,
			  const struct __fixture_metadata *f,
			  const struct __fixture_variant_metadata *v,
			  const struct __test_metadata *t)
{
	snprintf(buf, len, "%s%s%s.%s", f->name, v->name[0] ? "." : "",
		 v->name, t->name);
}

static bool wfp_test_selected(const char *filter, const char *name)
{
	char pat[256];
	int n;

	if (!filter)
		return true;
	while (sscanf(filter, " %255s%n", pat, &n) == 1) {
		if (!fnmatch(pat, name, 0))
			return true;
		filter += n;
	}
	return false;
}

enum wfp_walk { WFP_WALK_COUNT, WFP_WALK_LIST, WFP_WALK_RUN };

/* Counts, lists or runs the selected tests, in the harness's order. */
static unsigned int wfp_tests_walk(const char *filter, enum wfp_walk what,
				   struct __test_results *results, int *ret)
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	unsigned int count = 0;
	char name[512];
	long long ms;

	for (f = __fixture_list; f; f = f->next) {
		for (v = f->variant ?: &no_variant; v; v = v->next) {
			for (t = f->tests; t; t = t->next) {
				wfp_test_name(name, sizeof(name), f, v, t);
				if (!wfp_test_selected(filter, name))
					continue;
				count++;
				if (what == WFP_WALK_LIST)
					printf("%s\n", name);
				if (what != WFP_WALK_RUN)
					continue;
				t->results = results;
				ms = wfp_now_ms();
				__run_test(f, v, t);
				/* What a subset of the suite is chosen by. */
				ksft_print_msg("%s took %lld ms\n", name,
					       wfp_now_ms() - ms);
				t->results = NULL;
				if (!t->passed)
					*ret = 1;
			}
		}
	}
	return count;
}

static int wfp_harness_run(int argc, char **argv)
{
	const char *filter = getenv("WFP_TEST_FILTER");
	struct __test_results *results;
	unsigned int count, failed;
	int ret = 0;

	if (filter && !filter[strspn(filter, " ")])
		filter = NULL;
	if (argc > 1 && !strcmp(argv[1], "-l")) {
		wfp_tests_walk(filter, WFP_WALK_LIST, NULL, &ret);
		return 0;
	}
	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	count = wfp_tests_walk(filter, WFP_WALK_COUNT, NULL, &ret);
	ksft_print_header();
	ksft_set_plan(count);
	ksft_print_msg("Starting %u tests%s.\n", count,
		       filter ? " (WFP_TEST_FILTER)" : "");
	wfp_tests_walk(filter, WFP_WALK_RUN, results, &ret);
	munmap(results, sizeof(*results));
	failed = ksft_get_fail_cnt();
	ksft_print_msg("%s: %u / %u tests passed.\n", ret ? "FAILED" : "PASSED",
		       count - failed, count);
	ksft_exit(ret == 0);
	return KSFT_FAIL;
}

/* The harness's own runner is replaced, not called. */
static int (*const wfp_harness_unused)(int, char **) __attribute__((unused)) =
	test_harness_run;

#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN \
	int main(int argc, char **argv) \
	{ \
		return wfp_harness_run(argc, argv); \
	}

#endif
