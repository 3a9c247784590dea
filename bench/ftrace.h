/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long chosen kernel functions run, from ftrace's function_graph
 * tracer (bench/ftrace.c).
 */
#ifndef WFP_BENCH_FTRACE_H
#define WFP_BENCH_FTRACE_H

#include <stddef.h>

/* Traces the n functions, nothing else; 0, or -1 without tracefs. */
int ftrace_start(const char *const *fns, size_t n);

/* The durations of fn's calls traced since, in us; how many (<= max). */
size_t ftrace_collect(const char *fn, double *us, size_t max);

/* Back to no tracer and no filter. */
void ftrace_stop(void);

#endif
