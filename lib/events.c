// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaContextSubscribe0, Unsubscribe0, SubscriptionsGet0, and the
 * thread net events (netevent.c) share.
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

void wfp_sub_free(struct wfp_sub *sub)
{
	if (sub)
		free(sub->tmpl);
	free(sub);
}

static struct wfp_sub *sub_find_id(struct wfp_engine *e, UINT64 id)
{
	struct wfp_sub *sub;

	for (sub = e->subs; sub; sub = sub->next)
		if (sub->id == id)
			return sub;
	return NULL;
}

static void call_sa(const struct wfp_sub *sub, const struct wfp_ipsec_event *ev)
{
	IPSEC_SA_CONTEXT_CHANGE0 change;

	memset(&change, 0, sizeof(change));
	change.changeType = (IPSEC_SA_CONTEXT_EVENT_TYPE0)ev->type;
	change.saContextId = ev->context;
	sub->callback(sub->context, &change);
}

/* One record: a struct wfp_ipsec_event, or a net event (netevent.c). */
static void deliver(struct wfp_engine *e, const struct wfp_ipsec_event *ev)
{
	struct wfp_sub *sub;

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
	pthread_mutex_unlock(&e->lock);

	/* The callback and its template do not change while it runs. */
	if (sub->net)
		wfp_netevent_call(sub, (const void *)ev);
	else
		call_sa(sub, ev);

	pthread_mutex_lock(&e->lock);
	sub->running--;
	pthread_cond_broadcast(&e->ev_cond);
	/* Unsubscribed from inside its own callback: ours to free. */
	if (sub->gone && !sub->running)
		wfp_sub_free(sub);
	pthread_mutex_unlock(&e->lock);
}

/* The size of the record at rec, of n bytes left; 0 if it is cut. */
static size_t record_size(const struct wfp_ipsec_event *rec, size_t n)
{
	const struct wfp_ipsec_net_event *nev = (const void *)rec;
	size_t size = sizeof(*rec);

	if (rec->type >= WFP_IPSEC_EVENT_NET_BASE && n >= sizeof(*nev))
		size = nev->size;
	return size >= sizeof(*rec) && size <= n && !(size % 8) ? size : 0;
}

static void *event_thread(void *arg)
{
	struct wfp_engine *e = arg;
	/* Records are 8-byte aligned multiples of 8 bytes. */
	UINT64 buf[32 * sizeof(struct wfp_ipsec_net_event) / sizeof(UINT64)];
	struct pollfd p[2];
	size_t i, size;
	ssize_t n;

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
		n = read(e->fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		for (i = 0; i < (size_t)n; i += size) {
			size = record_size((const void *)((char *)buf + i),
					   n - i);
			if (!size)
				break;
			deliver(e, (const void *)((char *)buf + i));
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
		wfp_sub_free(sub);
	}
	e->subs = NULL;
	return joined;
}

/*
 * Starts the thread, makes the subscription with cmd and req, whose id
 * the module writes to *id, and makes sub its handle.  Frees sub on
 * failure.
 */
DWORD wfp_events_link(HANDLE engineHandle, struct wfp_sub *sub,
		      unsigned long cmd, void *req, const __u64 *id,
		      HANDLE *eventsHandle)
{
	struct wfp_engine *e;
	DWORD rc;
	int err;

	e = wfp_engine_get(engineHandle);
	if (!e) {
		wfp_sub_free(sub);
		return ERROR_INVALID_HANDLE;
	}
	pthread_mutex_lock(&e->lock);
	rc = start_thread(e);
	if (!rc) {
		err = wfp_ioctl(e->fd, cmd, req);
		/* The session or namespace limit: a quota, as for contexts. */
		rc = err == ENOSPC ? ERROR_NOT_ENOUGH_QUOTA :
				     wfp_status_from_errno(err);
	}
	if (!rc) {
		sub->id = *id;
		sub->next = e->subs;
		e->subs = sub;
		*eventsHandle = sub;
		sub = NULL;
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	wfp_sub_free(sub);
	return rc;
}

DWORD WINAPI IPsecSaContextSubscribe0(HANDLE engineHandle,
		const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription,
		IPSEC_SA_CONTEXT_CALLBACK0 callback, void *context,
		HANDLE *eventsHandle)
{
	struct wfp_ipsec_subscribe r;
	const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t;
	struct wfp_sub *sub;
	DWORD rc;

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
	return wfp_events_link(engineHandle, sub, WFP_IPSEC_IOC_SUBSCRIBE, &r,
			       &r.id, eventsHandle);
}

/*
 * Ends a subscription of the kind net says: another kind's handle is
 * ERROR_INVALID_HANDLE.  Frees the subscription, or leaves that to
 * deliver() when called from its own callback.
 */
DWORD wfp_events_unlink(HANDLE engineHandle, HANDLE eventsHandle, int net)
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
		if (*pp == eventsHandle && (*pp)->net == net) {
			sub = *pp;
			*pp = sub->next;
			break;
		}
	}
	if (sub) {
		memset(&r, 0, sizeof(r));
		r.id = sub->id;
		wfp_ioctl(e->fd, net ? WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE :
				       WFP_IPSEC_IOC_UNSUBSCRIBE, &r);
		/* No new callback can start now; wait out a running one,
		 * unless it is the one calling us.
		 */
		while (sub->running && !on_event_thread(e))
			pthread_cond_wait(&e->ev_cond, &e->lock);
		/* From its own callback: deliver() frees it on return. */
		if (sub->running)
			sub->gone = 1;
		else
			wfp_sub_free(sub);
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	return sub ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

DWORD WINAPI IPsecSaContextUnsubscribe0(HANDLE engineHandle,
					HANDLE eventsHandle)
{
	return wfp_events_unlink(engineHandle, eventsHandle, 0);
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

/*
 * The engine's subscriptions of a kind (net) in one block, as
 * FwpmFreeMemory0 frees it: n pointers, then n slots of slot_size
 * bytes, each filled by fill(), which returns what its pointer is.
 */
DWORD wfp_subs_get(HANDLE engineHandle, int net, size_t slot_size,
		   wfp_sub_fill_fn fill, void ***entries, UINT32 *numEntries)
{
	struct wfp_engine *e;
	struct wfp_sub *sub;
	void **ptrs = NULL;
	UINT32 n = 0, i = 0;
	char *slots;

	if (!entries || !numEntries)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	pthread_mutex_lock(&e->lock);
	for (sub = e->subs; sub; sub = sub->next)
		n += sub->net == net;
	if (n) {
		ptrs = calloc(1, n * sizeof(void *) + n * slot_size);
		if (!ptrs) {
			pthread_mutex_unlock(&e->lock);
			wfp_engine_put(e);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	slots = (char *)(ptrs + n);
	for (sub = e->subs; sub; sub = sub->next) {
		if (sub->net != net)
			continue;
		ptrs[i] = fill(slots + i * slot_size, sub, e->session_key);
		i++;
	}
	pthread_mutex_unlock(&e->lock);
	wfp_engine_put(e);
	*entries = ptrs;
	*numEntries = n;
	return ERROR_SUCCESS;
}

static void *sub_fill(void *slot, const struct wfp_sub *sub,
		      const UINT8 *session_key)
{
	struct sub_slot *s = slot;

	memcpy(&s->sub.sessionKey, session_key, 16);
	if (sub->has_template) {
		s->sub.enumTemplate = &s->tmpl;
		subnet_to_win(&sub->local, &s->tmpl.localSubNet, &s->v4[0],
			      &s->v6[0]);
		subnet_to_win(&sub->remote, &s->tmpl.remoteSubNet, &s->v4[1],
			      &s->v6[1]);
	}
	return &s->sub;
}

DWORD WINAPI IPsecSaContextSubscriptionsGet0(HANDLE engineHandle,
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries, UINT32 *numEntries)
{
	return wfp_subs_get(engineHandle, 0, sizeof(struct sub_slot), sub_fill,
			    (void ***)entries, numEntries);
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
