// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec monitor: SA context events as they come, through
 * IPsecSaContextSubscribe0.  The library calls back on its own thread;
 * the main thread waits for a signal (or for the callback to have seen
 * enough events) with every signal it handles blocked everywhere.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct monitor {
	UINT64 seen;
	UINT64 count;		/* stop after this many; 0: never */
};

static void CALLBACK on_change(void *context, const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	struct monitor *m = context;
	const char *what;

	switch (change->changeType) {
	case IPSEC_SA_CONTEXT_EVENT_ADD:
		what = "add";
		break;
	case IPSEC_SA_CONTEXT_EVENT_DELETE:
		what = "delete";
		break;
	default:
		what = "unknown";
		break;
	}
	if (g_json) {
		/* One object per line (JSON Lines), so a reader can stream them. */
		printf("{\"event\": \"%s\", \"id\": %llu}\n", what,
		       (unsigned long long)change->saContextId);
	} else {
		printf("%s %llu\n", what, (unsigned long long)change->saContextId);
	}
	fflush(stdout);
	if (m->count && ++m->seen == m->count)
		kill(getpid(), SIGUSR1);
}

int monitor(int argc, char **argv)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	bool have_template = false;
	struct prefix local, remote;
	struct monitor m = { 0, 0 };
	HANDLE engine, events;
	UINT64 dropped = 0;
	const char *v;
	sigset_t set;
	int a, sig, st;
	DWORD rc;

	memset(&tmpl, 0, sizeof(tmpl));
	for (a = 1; a < argc; a++) {
		const char *k = argv[a];

		v = arg_value(argc, argv, &a);
		if (!v)
			return EXIT_USAGE;
		if (!strcmp(k, "count")) {
			if (parse_u64(v, &m.count))
				return usage_error("'%s' is not a number", v);
		} else if (!strcmp(k, "local") || !strcmp(k, "remote")) {
			bool is_local = k[0] == 'l';

			if (parse_prefix(v, is_local ? &local : &remote))
				return usage_error("'%s' is not an address or ADDRESS/LENGTH", v);
			if (is_local)
				tmpl.localSubNet = local.value;
			else
				tmpl.remoteSubNet = remote.value;
			have_template = true;
		} else {
			return usage_error("unknown argument '%s'", k);
		}
	}

	/* Blocked before the library starts its thread, which inherits it. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	st = engine_open(&engine);
	if (st)
		return st;
	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = have_template ? &tmpl : NULL;
	rc = IPsecSaContextSubscribe0(engine, &sub, on_change, &m, &events);
	if (rc) {
		engine_close(engine);
		return fail_call("IPsecSaContextSubscribe0", rc);
	}
	fprintf(stderr, "%s: subscribed; events follow until interrupted\n", g_cmd);
	do {
		if (sigwait(&set, &sig))
			break;
	} while (sig == SIGUSR1 && m.seen < m.count);

	rc = WfpIpsecSaContextSubscriptionDropped0(engine, events, &dropped);
	IPsecSaContextUnsubscribe0(engine, events);
	engine_close(engine);
	if (!rc && dropped)
		warn("%llu events were dropped: the module's queue was full",
		     (unsigned long long)dropped);
	return EXIT_OK;
}
