// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextSubscribe0, Unsubscribe0, SubscriptionsGet0.
 *
 * The module queues ADD/DELETE events per subscription on the engine's
 * descriptor; one thread per engine, started with its first subscription,
 * polls it and calls the callbacks, one at a time, in the order the events
 * came.  Unsubscribe0 waits for a callback of its subscription that is
 * running, unless it is called from that callback.  Events the module had
 * to drop because a queue was full are counted per subscription
 * (WfpIpsecSaContextSubscriptionDropped0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"
#include "wfpipsec.h"

struct wfp_sub {
	struct wfp_sub *next;
	UINT64 id;
	IPSEC_SA_CONTEXT_CALLBACK0 callback;
	void *context;
	int has_template;
	struct wfp_ipsec_subnet local, remote;
	unsigned int running;		/* callbacks in progress */
	int gone;			/* unsubscribed from its callback */
	UINT64 dropped;
};

static struct wfp_sub *sub_find_id(struct wfp_engine *e, UINT64 id)
{
	struct wfp_sub *sub;

	for (sub = e->subs; sub; sub = sub->next)
		if (sub->id == id)
			return sub;
	return NULL;
}

static void deliver(struct wfp_engine *e, const struct wfp_ipsec_event *ev)
{
	IPSEC_SA_CONTEXT_CHANGE0 change;
	IPSEC_SA_CONTEXT_CALLBACK0 cb;
	struct wfp_sub *sub;
	void *context;

	pthread_mutex_lock(&e->lock);
	sub = sub_find_id(e, ev->subscription);
	if (!sub) {
		pthread_mutex_unlock(&e->lock);
		return;
	}
	if (ev->type == WFP_IPSEC_EVENT_OVERFLOW) {
		sub->dropped += ev->dropped;
		pthread_mutex_unlock(&e->lock);
		return;
	}
	sub->running++;
	cb = sub->callback;
	context = sub->context;
	pthread_mutex_unlock(&e->lock);

	memset(&change, 0, sizeof(change));
	change.changeType = (IPSEC_SA_CONTEXT_EVENT_TYPE0)ev->type;
	change.saContextId = ev->context;
	cb(context, &change);

	pthread_mutex_lock(&e->lock);
	sub->running--;
	pthread_cond_broadcast(&e->ev_cond);
	/* Unsubscribed from inside its own callback: ours to free. */
	if (sub->gone && !sub->running)
		free(sub);
	pthread_mutex_unlock(&e->lock);
}

static void *event_thread(void *arg)
{
	struct wfp_engine *e = arg;
	struct wfp_ipsec_event evs[32];
	struct pollfd p[2];
	ssize_t n, i;

	p[0].fd = e->fd;
	p[0].events = POLLIN;
	p[1].fd = e->ev_stop;
	p[1].events = POLLIN;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		n = read(e->fd, evs, sizeof(evs));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		for (i = 0; i < n / (ssize_t)sizeof(evs[0]); i++) {
			deliver(e, &evs[i]);
			/* A callback closed the engine: finish its release. */
			if (e->ev_orphan) {
				wfp_engine_free(e);
				return NULL;
			}
		}
	}
	return NULL;
}

/* The caller holds e->lock. */
static DWORD start_thread(struct wfp_engine *e)
{
	int flags;

	if (e->ev_started)
		return ERROR_SUCCESS;
	/*
	 * The thread reads what poll() announced, but an Unsubscribe0 in
	 * between takes those records away: a blocking read() would wait
	 * for events that may never come, and FwpmEngineClose0, which joins
	 * the thread, with it.  EAGAIN sends the thread back to poll().
	 */
	flags = fcntl(e->fd, F_GETFL);
	if (flags < 0 || fcntl(e->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return RPC_S_CALL_FAILED;
	e->ev_stop = eventfd(0, EFD_CLOEXEC);
	if (e->ev_stop < 0)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (pthread_create(&e->ev_thread, NULL, event_thread, e)) {
		close(e->ev_stop);
		e->ev_stop = -1;
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	e->ev_started = 1;
	return ERROR_SUCCESS;
}

static int on_event_thread(const struct wfp_engine *e)
{
	return e->ev_started && pthread_equal(pthread_self(), e->ev_thread);
}

/*
 * From the engine's release: stop the thread and free the subscriptions.
 * Returns 0 when the release runs on the event thread itself (a callback
 * closed the engine): that thread cannot be joined, so it is detached and
 * frees the engine itself once the callback returns.
 */
int wfp_events_stop(struct wfp_engine *e)
{
	struct wfp_sub *sub, *next;
	uint64_t one = 1;
	int joined = 1;

	if (e->ev_started) {
		if (on_event_thread(e)) {
			pthread_detach(e->ev_thread);
			e->ev_orphan = 1;
			joined = 0;
		} else {
			/* An eventfd write of 1 cannot fail or block here. */
			if (write(e->ev_stop, &one, sizeof(one)) < 0)
				abort();
			pthread_join(e->ev_thread, NULL);
		}
	}
	for (sub = e->subs; sub; sub = next) {
		next = sub->next;
		free(sub);
	}
	e->subs = NULL;
	return joined;
}

DWORD WINAPI IPsecSaContextSubscribe0(HANDLE engineHandle,
		const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription,
		IPSEC_SA_CONTEXT_CALLBACK0 callback, void *context,
		HANDLE *eventsHandle)
{
	struct wfp_ipsec_subscribe r;
	const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t;
	struct wfp_engine *e;
	struct wfp_sub *sub;
	DWORD rc;
	int err;

	if (!subscription || !callback || !eventsHandle)
		return FWP_E_NULL_POINTER;
	/* "Reserved for system use." */
	if (subscription->flags)
		return FWP_E_RESERVED;
	memset(&r, 0, sizeof(r));
	t = subscription->enumTemplate;
	if (t) {
		rc = wfp_subnet_from_win(&t->localSubNet, &r.local);
		if (!rc)
			rc = wfp_subnet_from_win(&t->remoteSubNet, &r.remote);
		if (rc)
			return rc;
		if (r.local.ip_version && r.remote.ip_version &&
		    r.local.ip_version != r.remote.ip_version)
			return FWP_E_NEVER_MATCH;
	}
	sub = calloc(1, sizeof(*sub));
	if (!sub)
		return ERROR_NOT_ENOUGH_MEMORY;
	sub->callback = callback;
	sub->context = context;
	sub->has_template = !!t;
	sub->local = r.local;
	sub->remote = r.remote;

	e = wfp_engine_get(engineHandle);
	if (!e) {
		free(sub);
		return ERROR_INVALID_HANDLE;
	}
	pthread_mutex_lock(&e->lock);
	rc = start_thread(e);
	if (!rc) {
		err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_SUBSCRIBE, &r);
		/* The session or namespace limit: a quota, as for contexts. */
		rc = err == ENOSPC ? ERROR_NOT_ENOUGH_QUOTA :
				     wfp_status_from_errno(err);
	}
	if (!rc) {
		sub->id = r.id;
		sub->next = e->subs;
		e->subs = sub;
		*eventsHandle = sub;
		sub = NULL;
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	free(sub);
	return rc;
}

DWORD WINAPI IPsecSaContextUnsubscribe0(HANDLE engineHandle,
					HANDLE eventsHandle)
{
	struct wfp_ipsec_ctx_id r;
	struct wfp_sub **pp, *sub = NULL;
	struct wfp_engine *e;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	/* A NULL handle is a no-op, as on Windows. */
	if (!eventsHandle) {
		wfp_engine_put(e);
		return ERROR_SUCCESS;
	}
	pthread_mutex_lock(&e->lock);
	for (pp = &e->subs; *pp; pp = &(*pp)->next) {
		if (*pp == eventsHandle) {
			sub = *pp;
			*pp = sub->next;
			break;
		}
	}
	if (sub) {
		memset(&r, 0, sizeof(r));
		r.id = sub->id;
		wfp_ioctl(e->fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &r);
		/* No new callback can start now; wait out a running one,
		 * unless it is the one calling us.
		 */
		while (sub->running && !on_event_thread(e))
			pthread_cond_wait(&e->ev_cond, &e->lock);
		/* From its own callback: deliver() frees it on return. */
		if (sub->running)
			sub->gone = 1;
		else
			free(sub);
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	return sub ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

static void subnet_to_win(const struct wfp_ipsec_subnet *sn,
			  FWP_CONDITION_VALUE0 *v, FWP_V4_ADDR_AND_MASK *v4,
			  FWP_V6_ADDR_AND_MASK *v6)
{
	UINT32 a;

	switch (sn->ip_version) {
	case WFP_IPSEC_IPV4:
		memcpy(&a, sn->addr, 4);
		v4->addr = ntohl(a);
		v4->mask = sn->prefix_len ?
			(UINT32)(0xffffffffULL << (32 - sn->prefix_len)) : 0;
		v->type = FWP_V4_ADDR_MASK;
		v->v4AddrMask = v4;
		break;
	case WFP_IPSEC_IPV6:
		memcpy(v6->addr, sn->addr, 16);
		v6->prefixLength = sn->prefix_len;
		v->type = FWP_V6_ADDR_MASK;
		v->v6AddrMask = v6;
		break;
	default:
		v->type = FWP_EMPTY;
		break;
	}
}

/* One subscription as SubscriptionsGet0 returns it, all in one block. */
struct sub_slot {
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	FWP_V4_ADDR_AND_MASK v4[2];
	FWP_V6_ADDR_AND_MASK v6[2];
};

DWORD WINAPI IPsecSaContextSubscriptionsGet0(HANDLE engineHandle,
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries, UINT32 *numEntries)
{
	struct wfp_engine *e;
	struct wfp_sub *sub;
	struct sub_slot *slots;
	void **ptrs = NULL;
	UINT32 n = 0, i;

	if (!entries || !numEntries)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	for (sub = e->subs; sub; sub = sub->next)
		n++;
	if (n) {
		ptrs = calloc(1, n * sizeof(void *) + n * sizeof(*slots));
		if (!ptrs) {
			pthread_mutex_unlock(&e->lock);
			wfp_engine_put(e);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	slots = (struct sub_slot *)(void *)(ptrs + n);
	for (sub = e->subs, i = 0; sub; sub = sub->next, i++) {
		struct sub_slot *s = &slots[i];

		ptrs[i] = &s->sub;
		memcpy(&s->sub.sessionKey, e->session_key, 16);
		if (!sub->has_template)
			continue;
		s->sub.enumTemplate = &s->tmpl;
		subnet_to_win(&sub->local, &s->tmpl.localSubNet, &s->v4[0],
			      &s->v6[0]);
		subnet_to_win(&sub->remote, &s->tmpl.remoteSubNet, &s->v4[1],
			      &s->v6[1]);
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	*entries = (IPSEC_SA_CONTEXT_SUBSCRIPTION0 **)ptrs;
	*numEntries = n;
	return ERROR_SUCCESS;
}

DWORD WfpIpsecSaContextSubscriptionDropped0(HANDLE engineHandle,
					    HANDLE eventsHandle,
					    UINT64 *dropped)
{
	struct wfp_engine *e;
	struct wfp_sub *sub;
	DWORD rc = ERROR_INVALID_HANDLE;

	if (!dropped)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	for (sub = e->subs; sub; sub = sub->next) {
		if (sub == eventsHandle) {
			*dropped = sub->dropped;
			rc = ERROR_SUCCESS;
			break;
		}
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	return rc;
}
