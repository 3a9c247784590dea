// SPDX-License-Identifier: GPL-2.0
/*
 * Output: one write per line, so lines of concurrent workers do not
 * interleave, and the failure line that names seed, worker, step and
 * command.
 */

#include <stdarg.h>

#include "fuzz.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* One write per line, so lines of concurrent workers do not interleave. */
void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	pthread_mutex_lock(&out_lock);
	if (write(1, buf, n) < 0)
		n = 0;
	pthread_mutex_unlock(&out_lock);
}

void __attribute__((format(printf, 2, 3)))
fail(int nr, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	TS->fails++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&out_lock);
	W.printed++;
	pthread_mutex_unlock(&out_lock);
	if (W.printed > MAX_PRINTED)
		return;
	out("# fuzz: FAIL seed=%" PRIu64 " worker=%d%s%s step=%" PRIu64
	    " cmd=%s(0x%x): %s", W.seed, W.idx,
	    W.in_child ? " (netns child)" : "",
	    T_TAG, W.step, cmd_name(nr), nr ? cmds[nr].cmd : 0, msg);
}
