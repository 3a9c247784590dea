// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registry of live engine handles.  A HANDLE is an opaque pointer the
 * caller may keep after closing it or may pass from another process's
 * memory; Fwpuclnt answers those with an error instead of undefined
 * behaviour, and so do we, by only trusting pointers found here.  This list
 * is the one piece of process-wide state: the handle namespace the API
 * itself implies.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

static pthread_mutex_t engines_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wfp_engine *engines;

void wfp_engine_register(struct wfp_engine *e)
{
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->ev_cond, NULL);
	pthread_mutex_lock(&engines_lock);
	e->refs = 1;
	e->next = engines;
	engines = e;
	pthread_mutex_unlock(&engines_lock);
}

struct wfp_engine *wfp_engine_get(HANDLE h)
{
	struct wfp_engine *e;

	if (!h)
		return NULL;
	pthread_mutex_lock(&engines_lock);
	for (e = engines; e; e = e->next) {
		if (e == h) {
			e->refs++;
			break;
		}
	}
	pthread_mutex_unlock(&engines_lock);
	return e;
}

void wfp_engine_put(struct wfp_engine *e)
{
	unsigned int refs;

	pthread_mutex_lock(&engines_lock);
	refs = --e->refs;
	pthread_mutex_unlock(&engines_lock);
	if (!refs)
		wfp_engine_release(e);
}

/* Unlinks h so no new call can find it; returns 0 when h was not live. */
int wfp_engine_unregister(HANDLE h)
{
	struct wfp_engine **pp, *e = NULL;

	if (!h)
		return 0;
	pthread_mutex_lock(&engines_lock);
	for (pp = &engines; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			e = *pp;
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&engines_lock);
	if (!e)
		return 0;
	wfp_engine_put(e);
	return 1;
}
