// SPDX-License-Identifier: GPL-2.0
/*
 * Function durations from ftrace's function_graph tracer, filtered to the
 * functions asked for at depth 1, so nothing else is slowed down.
 * `make bench` times xfrm_state_add() (the module's SPI reservation) and
 * xfrm_alloc_spi() (ip xfrm's ALLOCSPI) with it: their whole run bounds
 * the time they hold xfrm_state_lock with bottom halves off.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ftrace.h"

#define TRACEFS		"/sys/kernel/tracing"

/*
 * Replaces the file's content with text ("" empties it).  The filter
 * files take one function name per write(), so the rest is written on.
 */
static int tr_write(const char *file, const char *text)
{
	size_t left = strlen(text);
	char path[128];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (left && (n = write(fd, text, left)) > 0) {
		text += n;
		left -= (size_t)n;
	}
	close(fd);
	return left ? -1 : 0;
}

int ftrace_start(const char *const *fns, size_t n)
{
	char list[256] = "";
	size_t i;

	for (i = 0; i < n; i++) {
		strncat(list, fns[i], sizeof(list) - strlen(list) - 2);
		strcat(list, " ");
	}
	if (tr_write("tracing_on", "0") || tr_write("current_tracer", "nop") ||
	    tr_write("set_ftrace_filter", list) ||
	    tr_write("set_graph_function", list) ||
	    tr_write("max_graph_depth", "1") || tr_write("trace", "") ||
	    tr_write("current_tracer", "function_graph") ||
	    tr_write("tracing_on", "1")) {
		ftrace_stop();
		return -1;
	}
	return 0;
}

/* The whole trace buffer as text, NUL-terminated; NULL on error. */
static char *tr_read(void)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && buf && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		char *more;

		len += (size_t)n;
		if (cap - len >= 4096)
			continue;
		more = realloc(buf, cap * 2);
		if (!more) {
			free(buf);
			buf = NULL;
		}
		buf = more;
		cap *= 2;
	}
	if (fd >= 0)
		close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * A leaf line of function_graph: " 1) + 12.345 us   |  fn();", the
 * marker (+ ! # * @ $) flagging long calls.  Its duration, or -1.
 */
static double tr_duration(const char *line, const char *fn)
{
	const char *p = strchr(line, ')'), *call = strstr(line, fn);
	char *end;
	double us;

	if (!p || !call || strncmp(call + strlen(fn), "();", 3))
		return -1;
	p += strspn(p + 1, " +!#*@$") + 1;
	us = strtod(p, &end);
	return end != p && !strncmp(end, " us", 3) ? us : -1;
}

size_t ftrace_collect(const char *fn, double *us, size_t max)
{
	char *text = tr_read(), *line, *save = NULL;
	size_t n = 0;
	double d;

	for (line = text ? strtok_r(text, "\n", &save) : NULL;
	     line && n < max; line = strtok_r(NULL, "\n", &save)) {
		d = tr_duration(line, fn);
		if (d >= 0)
			us[n++] = d;
	}
	free(text);
	return n;
}

void ftrace_stop(void)
{
	tr_write("tracing_on", "0");
	tr_write("current_tracer", "nop");
	tr_write("set_graph_function", "");
	tr_write("set_ftrace_filter", "");
}
