// SPDX-License-Identifier: GPL-2.0
/*
 * The parent's watchdog: a worker whose progress counter stands still
 * is hung; what its tasks do in the kernel is printed before it is
 * killed.
 */

#include <signal.h>

#include "fuzz.h"
#include "kselftest.h"

/* What one task of a stuck process is doing: wchan and kernel stack. */
static void dump_task(pid_t pid, const char *task, void *arg)
{
	char path[320], line[256];
	FILE *f;

	(void)arg;
	wfp_task_read(pid, task, "wchan", line, sizeof(line));
	if (line[0])
		ksft_print_msg("  task %s wchan %s\n", task, line);
	snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", (int)pid, task);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		ksft_print_msg("    %s", line);
	if (f)
		fclose(f);
}

/* One worker as the watchdog sees it. */
struct watched {
	pid_t pid;		/* negated once reaped or given up */
	uint64_t last;		/* progress counter last seen */
	long long since;	/* when it last moved, ms */
	bool killed;
};

/* Kills a hung worker, and its netns child, after saying where it is. */
static void kill_hung(int k, struct watched *w, int stall_s)
{
	const struct wresult *r = &g_res[k];
	pid_t c = r->child;

	ksft_print_msg("fuzz: worker %d (pid %d) made no call for %ds: step %"
		       PRIu64 ", in %s; netns child %d\n", k, (int)w->pid,
		       stall_s, r->step, r->in_flight > 0 ?
		       cmd_name(r->in_flight) : r->in_flight ?
		       "an unknown ioctl" : "no ioctl", (int)c);
	wfp_each_task(w->pid, dump_task, NULL);
	if (c > 0) {
		wfp_each_task(c, dump_task, NULL);
		kill(c, SIGKILL);
	}
	kill(w->pid, SIGKILL);
	w->killed = true;
	w->since = wfp_now_ms();
}

/*
 * One look at worker k: moving, or stalled for stall_s seconds (killed;
 * given up when it outlives SIGKILL).  Returns 1 when it was found hung,
 * and counts it out of *left when given up.
 */
static int watch(int k, struct watched *w, int *status, int stall_s,
		 int *left)
{
	if (g_res[k].progress != w->last) {
		w->last = g_res[k].progress;
		w->since = wfp_now_ms();
		return 0;
	}
	if (wfp_now_ms() - w->since < stall_s * 1000LL)
		return 0;
	if (w->killed) {
		/* stuck in the kernel past SIGKILL: leave it */
		ksft_print_msg("fuzz: worker %d does not die\n", k);
		*status = SIGKILL;
		w->pid = -w->pid;
		(*left)--;
		return 0;
	}
	kill_hung(k, w, stall_s);
	return 1;
}

/* Records a reaped worker's status; how many of the workers it was. */
static int reaped(pid_t p, int wstatus, struct watched *w, int *status,
		  int procs)
{
	int k, n = 0;

	for (k = 0; k < procs; k++)
		if (w[k].pid == p) {
			status[k] = wstatus;
			w[k].pid = -w[k].pid;
			n++;
		}
	return n;
}

/*
 * Waits for the workers; one whose progress counter stands still for
 * stall_s seconds is hung: its tasks' kernel stacks are printed, and it
 * is killed.  Returns how many hung.
 */
int wait_workers(const pid_t *pids, int *status, int procs, int stall_s)
{
	struct watched *w = calloc(procs, sizeof(*w));
	int left = procs, hung = 0, k, wstatus;

	if (!w)
		abort();
	for (k = 0; k < procs; k++) {
		w[k].pid = pids[k];
		w[k].since = wfp_now_ms();
	}
	while (left) {
		pid_t p = waitpid(-1, &wstatus, WNOHANG);

		if (p > 0) {
			left -= reaped(p, wstatus, w, status, procs);
			continue;
		}
		usleep(200000);
		for (k = 0; k < procs; k++)
			if (w[k].pid >= 0)
				hung += watch(k, &w[k], &status[k], stall_s,
					      &left);
	}
	free(w);
	return hung;
}
