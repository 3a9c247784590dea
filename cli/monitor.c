// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec monitor: SA context events as they come, through
 * IPsecSaContextSubscribe0, and net events (classify and IPsec drops)
 * through FwpmNetEventSubscribe0.  The library calls back on its own
 * thread, one callback at a time; the main thread waits for a signal (or
 * for the callbacks to have seen enough events) with every signal it
 * handles blocked everywhere.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stddef.h>
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

/* An event's address, network order for either version. */
static void net_addr_str(const FWPM_NET_EVENT_HEADER1 *h, bool local,
			 char *buf, size_t len)
{
	UINT32 n;

	if (h->ipVersion == FWP_IP_VERSION_V4) {
		n = htonl(local ? h->localAddrV4 : h->remoteAddrV4);
		inet_ntop(AF_INET, &n, buf, (socklen_t)len);
	} else {
		inet_ntop(AF_INET6, local ? h->localAddrV6.byteArray16 :
				     h->remoteAddrV6.byteArray16,
			  buf, (socklen_t)len);
	}
}

static void print_drop(const FWPM_NET_EVENT1 *ev, UINT64 filter, int layer)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	net_addr_str(h, true, l, sizeof(l));
	net_addr_str(h, false, r, sizeof(r));
	if (g_json)
		printf("{\"event\": \"classify-drop\", \"filter\": %llu, "
		       "\"layer\": %d, \"protocol\": %u, \"local\": \"%s\", "
		       "\"remote\": \"%s\", \"local_port\": %u, "
		       "\"remote_port\": %u}\n", (unsigned long long)filter,
		       layer, h->ipProtocol, l, r, h->localPort, h->remotePort);
	else
		printf("classify-drop filter %llu layer %d protocol %u "
		       "%s port %u -> %s port %u\n", (unsigned long long)filter,
		       layer, h->ipProtocol, l, h->localPort, r, h->remotePort);
}

static void print_ipsec_drop(const FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 *d)
{
	const char *dir = d->direction == FWP_DIRECTION_INBOUND ? "inbound" :
								  "outbound";

	if (g_json)
		printf("{\"event\": \"ipsec-kernel-drop\", \"spi\": %u, "
		       "\"direction\": \"%s\", \"filter\": %llu, "
		       "\"status\": %u}\n", d->spi, dir,
		       (unsigned long long)d->filterId,
		       (unsigned int)d->failureStatus);
	else
		printf("ipsec-kernel-drop spi 0x%08x %s filter %llu "
		       "status 0x%08x\n", d->spi, dir,
		       (unsigned long long)d->filterId,
		       (unsigned int)d->failureStatus);
}

static void CALLBACK on_net_event(void *context, const FWPM_NET_EVENT1 *ev)
{
	struct monitor *m = context;

	switch (ev->type) {
	case FWPM_NET_EVENT_TYPE_CLASSIFY_DROP:
		print_drop(ev, ev->classifyDrop->filterId,
			   ev->classifyDrop->layerId);
		break;
	case FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP:
		print_ipsec_drop(ev->ipsecDrop);
		break;
	default:
		return;
	}
	fflush(stdout);
	if (m->count && ++m->seen == m->count)
		kill(getpid(), SIGUSR1);
}

struct monitor_args {
	struct subnets subnets;
	struct monitor m;
};

static int kw_count(void *args, const struct keyword *kw, const char *v)
{
	if (parse_u64(v, kw_field(args, kw)))
		return usage_error("'%s' is not a number", v);
	return EXIT_OK;
}

/* A last word without its value is reported as such, known or not. */
static const struct keyword monitor_keywords[] = {
	SUBNET_KEYWORDS(offsetof(struct monitor_args, subnets)),
	{ "count", 1, kw_count, offsetof(struct monitor_args, m.count) },
	{ NULL }
};

/* Events until a signal in set, or until the callback has seen enough. */
static int watch(HANDLE engine, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *tmpl,
		 struct monitor *m, const sigset_t *set)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	FWPM_NET_EVENT_SUBSCRIPTION0 nsub;
	UINT64 dropped = 0, ndropped = 0;
	HANDLE events, nevents = NULL;
	DWORD rc;
	int sig;

	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = tmpl;
	rc = IPsecSaContextSubscribe0(engine, &sub, on_change, m, &events);
	if (rc)
		return fail_call("IPsecSaContextSubscribe0", rc);
	/* A module without net events still has SA context events. */
	memset(&nsub, 0, sizeof(nsub));
	rc = FwpmNetEventSubscribe0(engine, &nsub, on_net_event, m, &nevents);
	if (rc)
		warn("no net events: FwpmNetEventSubscribe0: %s",
		     WfpIpsecErrorName(rc));
	fprintf(stderr, "%s: subscribed; events follow until interrupted\n", g_cmd);
	do {
		if (sigwait(set, &sig))
			break;
	} while (sig == SIGUSR1 && m->seen < m->count);

	rc = WfpIpsecSaContextSubscriptionDropped0(engine, events, &dropped);
	if (!rc && nevents &&
	    !WfpIpsecSaContextSubscriptionDropped0(engine, nevents, &ndropped))
		dropped += ndropped;
	FwpmNetEventUnsubscribe0(engine, nevents);
	IPsecSaContextUnsubscribe0(engine, events);
	if (!rc && dropped)
		warn("%llu events were dropped: the module's queue was full",
		     (unsigned long long)dropped);
	return EXIT_OK;
}

int monitor(int argc, char **argv)
{
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	struct monitor_args a;
	bool have_template;
	HANDLE engine;
	sigset_t set;
	int st;

	memset(&a, 0, sizeof(a));
	st = parse_keywords(monitor_keywords, KW_VALUE_FIRST, &a, argc, argv, 1);
	if (st)
		return st;
	have_template = subnets_template(&a.subnets, &tmpl);

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
	st = watch(engine, have_template ? &tmpl : NULL, &a.m, &set);
	engine_close(engine);
	return st;
}
