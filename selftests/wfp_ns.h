/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tests that key side A in their own network namespace and drive peers in
 * other ones: enter a namespace and come back, and run shell commands
 * (dash, iproute2's ip) in one.  g_home is opened by the test's setup.
 */
#ifndef WFP_NS_H
#define WFP_NS_H

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

static int g_home = -1;		/* side A: the test's own namespace */

static int __attribute__((unused)) ns_enter(int ns)
{
	return ns < 0 ? 0 : setns(ns, CLONE_NEWNET);
}

static void __attribute__((unused)) ns_leave(int ns)
{
	/* Carrying on in the wrong namespace would prove nothing. */
	if (ns >= 0 && setns(g_home, CLONE_NEWNET))
		abort();
}

/* The last command sh_in() ran, for the logs of a failed assertion. */
static char g_last_cmd[1024];

/* system() through dash in namespace ns (-1: A); the exit status or -1. */
static int __attribute__((format(printf, 2, 3), unused))
sh_in(int ns, const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(g_last_cmd, sizeof(g_last_cmd), fmt, ap);
	va_end(ap);
	if (ns_enter(ns))
		return -1;
	st = system(g_last_cmd);
	ns_leave(ns);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define sh(...) sh_in(-1, __VA_ARGS__)

#endif /* WFP_NS_H */
