// SPDX-License-Identifier: GPL-2.0
/*
 * CTX_ADD_BATCH.
 */

#include <sys/mman.h>

#include "fuzz.h"

/*
 * CTX_ADD_BATCH (0x14): complete contexts in one call, each entry all or
 * nothing with the result the four single commands would give.  A fault
 * in an entry fails that entry at its step; a reserved field or flag
 * anywhere, a bad size or count refuses the whole call before anything
 * is done.
 */

/* A fault in one entry: which step must then fail, and how. */
static int batch_mutate_entry(struct wfp_ipsec_batch_entry *e, int *status)
{
	struct wfp_ipsec_sa *sa;

	*status = -1;
	switch (rn(5)) {
	case 0: {
		struct wfp_ipsec_traffic t;

		/* traffic.reserved* are the call's business: not those */
		do {
			t = e->traffic;
			break_traffic(&t);
		} while (t.reserved0 || t.reserved1);
		e->traffic = t;
		return WFP_IPSEC_BATCH_STEP_CREATE;
	}
	case 1:
		e->inbound_spi = 1 + rn(255);
		e->inbound.sas[0].spi = 0;
		return WFP_IPSEC_BATCH_STEP_SPI;
	case 2:
		/* an inbound SA naming another SPI than the reserved one */
		e->inbound_spi = 0x1000 + rn(0x10000);
		e->inbound.sas[0].spi = e->inbound_spi + 1;
		*status = WFP_IPSEC_ADD_ST_SPI;
		return WFP_IPSEC_BATCH_STEP_INBOUND;
	case 3:
		sa = rn(2) ? &e->inbound.sas[0] : &e->outbound.sas[0];
		if (sa->transform_type == WFP_IPSEC_TRANSFORM_ESP_CIPHER ||
		    gcm_sa(sa))
			sa->cipher_key_len += 1 + rn(8);
		else
			sa->auth_key_len += 1 + rn(8);
		*status = WFP_IPSEC_ADD_ST_KEY_LENGTH;
		return sa == &e->inbound.sas[0] ? WFP_IPSEC_BATCH_STEP_INBOUND :
		       WFP_IPSEC_BATCH_STEP_OUTBOUND;
	default:
		e->outbound.num_sas = 2;
		*status = WFP_IPSEC_ADD_ST_NUM_SAS;
		return WFP_IPSEC_BATCH_STEP_OUTBOUND;
	}
}

void do_batch(struct sess *s)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_batch, done),
		SPAN(struct wfp_ipsec_ctx_batch, succeeded),
	};
	struct wfp_ipsec_ctx_batch *b;
	struct wfp_ipsec_batch_entry *e;
	unsigned int n = pm(850) ? 1 + rn(8) : 1 + rn(BATCH_N), i, ok = 0;
	size_t esz = sizeof(*e);
	bool ro = false, whole = false;
	signed char estep[BATCH_N];	/* -1 clean, else the step that fails */
	signed char estatus[BATCH_N];
	int m = n_mutations(), ret, st, k;
	struct call c;

	if (pm(100))
		esz += 8 * (1 + rn(4));	/* a newer caller's entries, zero tail */
	memset(W.batchbuf, 0, (size_t)n * esz);
	for (i = 0; i < n; i++) {
		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + i * esz);
		estep[i] = -1;
		estatus[i] = -1;
		gen_traffic(&e->traffic, 0, -1);
		if (pm(500))
			do {
				e->inbound_spi = (__u32)r64();
			} while (e->inbound_spi < 256);
		/* each entry its own keys: GCM blobs must stay equal */
		W.keycur = W.batchkeys + i * 512;
		gen_sa(&e->inbound.sas[0], true);
		e->inbound.num_sas = 1;
		e->inbound.sas[0].spi = e->inbound_spi && pm(500) ?
					e->inbound_spi : 0;
		W.keycur += 256;
		gen_sa(&e->outbound.sas[0], true);
		e->outbound.num_sas = 1;
		do {
			e->outbound.sas[0].spi = (__u32)r64();
		} while (e->outbound.sas[0].spi < 256);
		if (!W.no_mutate && !W.det && pm(30))
			e->outbound.lifetime_seconds = 1 + rn(4);
	}
	W.keycur = W.keybuf;

	call_init(&c, NR_BATCH);
	b = &c.in.batch;
	b->entries = (__u64)(uintptr_t)W.batchbuf;
	b->count = n;
	b->entry_size = esz;
	if (pm(50)) {
		b->done = (__u32)r64();		/* output only */
		b->succeeded = (__u32)r64();
	}
	while (m--) {
		if (mutate_common(&c))
			continue;
		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + rn(n) * esz);
		switch (rn(12)) {
		case 0:
		case 1:
		case 2:
			i = ((unsigned char *)e - W.batchbuf) / esz;
			k = batch_mutate_entry(e, &st);
			/* two faults in one entry: the earlier step reports */
			if (estep[i] >= 0) {
				if (k == estep[i])
					st = -1;
				else if (k > estep[i]) {
					k = estep[i];
					st = estatus[i];
				}
			}
			estep[i] = k;
			estatus[i] = st;
			mut_note(&c, "entry");
			break;
		case 3:
			switch (rn(3)) {
			case 0:
				b->flags = 1u << rn(32);
				break;
			case 1:
				b->reserved0 = 1 + rn(100);
				break;
			default:
				b->reserved[rn(2)] = 1ULL << rn(64);
				break;
			}
			whole = true;
			mut_note(&c, "reserved/flags");
			break;
		case 4:
			/* reserved fields and flags inside an entry */
			switch (rn(5)) {
			case 0:
				e->flags = 1u << rn(32);
				break;
			case 1:
				e->reserved[rn(2)] = 1ULL << rn(64);
				break;
			case 2:
				e->traffic.reserved1 = 1 + rn(100);
				break;
			case 3:
				e->inbound.reserved0 = 1 + rn(100);
				break;
			default:
				e->outbound.sas[rn(2)].reserved1 = 1 + rn(100);
				break;
			}
			whole = true;
			mut_note(&c, "entry-reserved");
			break;
		case 5:
			b->count = rn(2) ? 0 : WFP_IPSEC_BATCH_MAX + 1 + rn(0xffff);
			whole = true;
			mut_note(&c, "count");
			break;
		case 6:
			/* below the ABI 1 entry, unaligned, above a page */
			b->entry_size = rn(3) == 0 ? sizeof(*e) - 8 * (1 + rn(4)) :
					rn(2) ? sizeof(*e) + 1 + rn(7) :
					4096 + 8 * (1 + rn(99));
			whole = true;
			mut_note(&c, "entry-size");
			break;
		case 7:
			if (esz > sizeof(*e)) {
				/* bytes of a later ABI the module cannot honour */
				((unsigned char *)e)[sizeof(*e) + rn(esz - sizeof(*e))] =
					1 + rn(255);
				whole = true;
				mut_note(&c, "entry-tail");
			}
			break;
		case 8:
			b->entries = bad_ptr(rn(P_KINDS), (size_t)n * esz);
			c.flags |= C_EFAULT_OK;
			mut_note(&c, "bad-entries-ptr");
			break;
		case 9:
			/* entries readable, results not writable */
			ro = true;
			c.flags |= C_EFAULT_OK;
			mut_note(&c, "read-only-entries");
			break;
		case 10:
			e->id = r64();		/* output fields, ignored */
			e->error = (__u32)r64();
			e->step = (__u32)r64();
			break;
		default:
			b->done = 0;
			break;
		}
	}
	if (whole)
		c.flags |= C_MUST_FAIL;
	if (!(c.flags & C_MUTATED) && s->ready && !s->nocap)
		set_strict(&c, NULL, s->dynamic ? ES(EPERM) : ES(0, ENOMEM));
	if (s->dynamic)
		c.flags |= C_MUST_FAIL;
	if (ro && mprotect(W.batchbuf, BATCH_BUF, PROT_READ))
		abort();
	ret = exec_call(&c, s);
	if (ro && mprotect(W.batchbuf, BATCH_BUF, PROT_READ | PROT_WRITE))
		abort();
	if (!s->ready || s->nocap)
		return;
	if (ro || (c.am == AM_RO && ret == EFAULT)) {
		/* contexts whose ids could not be written back are ours */
		probe_ghost_contexts(s, c.am == AM_RO && !ro ? NR_BATCH : 0);
		return;
	}
	/* the reply is the handler's only past the dispatcher's gates */
	if ((c.flags & C_NO_OUTCHECK) || cmd_nr(c.word) != NR_BATCH ||
	    es_has(ES(ENOTTY, EBADFD, EACCES, EBADF), ret))
		return;
	b = &c.out.batch;
	check_echo(&c, outs, ARRAY_SIZE(outs));
	if (ret) {
		/* refused as a whole: nothing done */
		if (ret != EFAULT && (b->done || b->succeeded))
			fail(NR_BATCH, "%s with done %u succeeded %u", ename(ret),
			     b->done, b->succeeded);
		if (ret == EFAULT)
			probe_ghost_contexts(s, 0);
		return;
	}
	if (b->done != n)
		fail(NR_BATCH, "done %u of %u without a signal", b->done, n);
	for (i = 0; i < n && i < b->done; i++) {
		struct known *k;
		struct ctx *x;

		e = (struct wfp_ipsec_batch_entry *)(W.batchbuf + i * esz);
		if (e->error) {
			if (e->id || e->spi || e->step < WFP_IPSEC_BATCH_STEP_CREATE ||
			    e->step > WFP_IPSEC_BATCH_STEP_OUTBOUND)
				fail(NR_BATCH, "entry %u: error %s with id %llu spi %u "
				     "step %u", i, ename(e->error),
				     (unsigned long long)e->id, e->spi, e->step);
			else if (!es_has(batch_step_set(e->step), e->error))
				fail(NR_BATCH, "entry %u: %s at step %u", i,
				     ename(e->error), e->step);
			if (estep[i] < 0 && !es_has(ES(EEXIST, ENOPKG, ENOMEM,
						       ENOSPC), e->error))
				fail(NR_BATCH, "valid entry %u failed: %s at step "
				     "%u (status %u)", i, ename(e->error), e->step,
				     e->add_status);
			if (estep[i] >= 0 && e->error == EINVAL &&
			    (e->step != (__u32)estep[i] ||
			     (estatus[i] >= 0 &&
			      e->add_status != (__u32)estatus[i])))
				fail(NR_BATCH, "entry %u: EINVAL at step %u status "
				     "%u, the fault means step %d status %d", i,
				     e->step, e->add_status, estep[i], estatus[i]);
			continue;
		}
		ok++;
		if (estep[i] >= 0)
			fail(NR_BATCH, "entry %u installed despite a fault for "
			     "step %d", i, estep[i]);
		if (e->step || e->add_status || e->spi < 256 ||
		    (e->inbound_spi && e->spi != e->inbound_spi))
			fail(NR_BATCH, "entry %u: step %u status %u spi 0x%x "
			     "(asked 0x%x)", i, e->step, e->add_status, e->spi,
			     e->inbound_spi);
		if (!e->id || e->id <= W.ns[s->ns].last_ctx_id ||
		    known_find(e->id)) {
			fail(NR_BATCH, "entry %u: id %llu not new", i,
			     (unsigned long long)e->id);
			continue;
		}
		W.ns[s->ns].last_ctx_id = e->id;
		g_res->contexts++;
		k = known_add(e->id);
		k->ns = s->ns;
		k->creator = s->sid;
		k->ver = e->traffic.ip_version;
		memcpy(k->local, e->traffic.local_addr, 16);
		memcpy(k->remote, e->traffic.remote_addr, 16);
		if (W.nctx == MAX_CTX)
			continue;
		x = &W.ctx[W.nctx++];
		memset(x, 0, sizeof(*x));
		x->id = e->id;
		x->ns = s->ns;
		x->creator = s->sid;
		x->state = WFP_IPSEC_CTX_STATE_COMPLETE;
		x->t = e->traffic;
		x->spi_in = e->spi;
		x->vol = e->inbound.lifetime_seconds || e->outbound.lifetime_seconds;
		for (st = 0; st < 2; st++) {
			const struct wfp_ipsec_sa *sa = st == WFP_IPSEC_DIR_INBOUND ?
				&e->inbound.sas[0] : &e->outbound.sas[0];

			x->proto[st] = sa->transform_type == WFP_IPSEC_TRANSFORM_AH ?
				       IPPROTO_AH : IPPROTO_ESP;
			x->tt[st] = sa->transform_type;
			x->spi[st] = st == WFP_IPSEC_DIR_INBOUND ? e->spi : sa->spi;
		}
		spi_reserved(x);
	}
	if (b->succeeded != ok)
		fail(NR_BATCH, "succeeded %u, %u entries have no error",
		     b->succeeded, ok);
}
