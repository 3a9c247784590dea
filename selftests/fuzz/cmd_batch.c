// SPDX-License-Identifier: GPL-2.0
/*
 * CTX_ADD_BATCH (0x14): complete contexts in one call, each entry all or
 * nothing with the result the four single commands would give.  A fault
 * in an entry fails that entry at its step; a reserved field or flag
 * anywhere, a bad size or count refuses the whole call before anything
 * is done.
 */

#include <sys/mman.h>

#include "fuzz.h"

/* One call as built, and what each entry's faults must give. */
struct batch {
	struct call c;
	unsigned int n;		/* entries built */
	size_t esz;		/* the entry size given */
	bool ro;		/* entries readable, results not writable */
	bool whole;		/* the call must be refused as a whole */
	/* -1 clean, else the step that fails, and the add status it gives */
	signed char estep[BATCH_N];
	signed char estatus[BATCH_N];
};

static struct wfp_ipsec_batch_entry *entry(const struct batch *bt,
					   unsigned int i)
{
	return (struct wfp_ipsec_batch_entry *)(W.batchbuf + i * bt->esz);
}

/* A valid entry; each its own keys: GCM blobs must stay equal. */
static void gen_entry(struct wfp_ipsec_batch_entry *e, unsigned int i)
{
	gen_traffic(&e->traffic, 0, -1);
	if (pm(500))
		do {
			e->inbound_spi = (__u32)r64();
		} while (e->inbound_spi < 256);
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

static void batch_gen(struct batch *bt)
{
	struct wfp_ipsec_ctx_batch *b;
	unsigned int i;

	bt->esz = sizeof(struct wfp_ipsec_batch_entry);
	if (pm(100))
		bt->esz += 8 * (1 + rn(4));	/* newer, zero tail */
	memset(W.batchbuf, 0, (size_t)bt->n * bt->esz);
	for (i = 0; i < bt->n; i++) {
		bt->estep[i] = -1;
		bt->estatus[i] = -1;
		gen_entry(entry(bt, i), i);
	}
	W.keycur = W.keybuf;

	call_init(&bt->c, NR_BATCH);
	b = &bt->c.in.batch;
	b->entries = (__u64)(uintptr_t)W.batchbuf;
	b->count = bt->n;
	b->entry_size = bt->esz;
	if (pm(50)) {
		b->done = (__u32)r64();		/* output only */
		b->succeeded = (__u32)r64();
	}
}

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

/* A fault in entry i; of two in one entry, the earlier step reports. */
static void batch_fault(struct batch *bt, unsigned int i)
{
	int st, k = batch_mutate_entry(entry(bt, i), &st);

	if (bt->estep[i] >= 0) {
		if (k == bt->estep[i]) {
			st = -1;
		} else if (k > bt->estep[i]) {
			k = bt->estep[i];
			st = bt->estatus[i];
		}
	}
	bt->estep[i] = k;
	bt->estatus[i] = st;
	mut_note(&bt->c, "entry");
}

/* A reserved field or flag of the call. */
static void poke_call(struct wfp_ipsec_ctx_batch *b)
{
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
}

/* A reserved field or flag inside an entry. */
static void poke_entry(struct wfp_ipsec_batch_entry *e)
{
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
}

/* Below the ABI 1 entry, unaligned, above a page. */
static __u32 bad_entry_size(void)
{
	size_t sz = sizeof(struct wfp_ipsec_batch_entry);

	if (rn(3) == 0)
		return sz - 8 * (1 + rn(4));
	return rn(2) ? sz + 1 + rn(7) : 4096 + 8 * (1 + rn(99));
}

/* Mutations that refuse the whole call; false if none applied. */
static bool batch_mutate_whole(struct batch *bt, int kind, unsigned char *e)
{
	struct wfp_ipsec_ctx_batch *b = &bt->c.in.batch;
	size_t sz = sizeof(struct wfp_ipsec_batch_entry);

	switch (kind) {
	case 3:
		poke_call(b);
		mut_note(&bt->c, "reserved/flags");
		break;
	case 4:
		poke_entry((struct wfp_ipsec_batch_entry *)e);
		mut_note(&bt->c, "entry-reserved");
		break;
	case 5:
		b->count = rn(2) ? 0 : WFP_IPSEC_BATCH_MAX + 1 + rn(0xffff);
		mut_note(&bt->c, "count");
		break;
	case 6:
		b->entry_size = bad_entry_size();
		mut_note(&bt->c, "entry-size");
		break;
	default:
		if (bt->esz <= sz)
			return false;
		/* bytes of a later ABI the module cannot honour */
		e[sz + rn(bt->esz - sz)] = 1 + rn(255);
		mut_note(&bt->c, "entry-tail");
		break;
	}
	bt->whole = true;
	return true;
}

static void batch_mutate(struct batch *bt)
{
	struct wfp_ipsec_ctx_batch *b = &bt->c.in.batch;
	struct wfp_ipsec_batch_entry *e;
	unsigned int i, kind;

	if (mutate_common(&bt->c))
		return;
	i = rn(bt->n);
	e = entry(bt, i);
	kind = rn(12);
	switch (kind) {
	case 0:
	case 1:
	case 2:
		batch_fault(bt, i);
		break;
	case 3:
	case 4:
	case 5:
	case 6:
	case 7:
		batch_mutate_whole(bt, kind, (unsigned char *)e);
		break;
	case 8:
		b->entries = bad_ptr(rn(P_KINDS), (size_t)bt->n * bt->esz);
		bt->c.flags |= C_EFAULT_OK;
		mut_note(&bt->c, "bad-entries-ptr");
		break;
	case 9:
		/* entries readable, results not writable */
		bt->ro = true;
		bt->c.flags |= C_EFAULT_OK;
		mut_note(&bt->c, "read-only-entries");
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

/* An entry that failed: at a step, with an errno that step may give. */
static void check_failed_entry(const struct batch *bt, unsigned int i,
			       const struct wfp_ipsec_batch_entry *e)
{
	if (e->id || e->spi || e->step < WFP_IPSEC_BATCH_STEP_CREATE ||
	    e->step > WFP_IPSEC_BATCH_STEP_OUTBOUND)
		fail(NR_BATCH, "entry %u: error %s with id %llu spi %u step %u",
		     i, ename(e->error), (unsigned long long)e->id, e->spi,
		     e->step);
	else if (!es_has(batch_step_set(e->step), e->error))
		fail(NR_BATCH, "entry %u: %s at step %u", i, ename(e->error),
		     e->step);
	if (bt->estep[i] < 0 &&
	    !es_has(ES(EEXIST, ENOPKG, ENOMEM, ENOSPC), e->error))
		fail(NR_BATCH, "valid entry %u failed: %s at step %u (status "
		     "%u)", i, ename(e->error), e->step, e->add_status);
	if (bt->estep[i] >= 0 && e->error == EINVAL &&
	    (e->step != (__u32)bt->estep[i] ||
	     (bt->estatus[i] >= 0 && e->add_status != (__u32)bt->estatus[i])))
		fail(NR_BATCH, "entry %u: EINVAL at step %u status %u, the "
		     "fault means step %d status %d", i, e->step,
		     e->add_status, bt->estep[i], bt->estatus[i]);
}

/* A complete context the batch made, in the worker's pools. */
static void adopt_entry(const struct sess *s,
			const struct wfp_ipsec_batch_entry *e)
{
	struct ctx *x = ctx_created(s, e->id, WFP_IPSEC_CTX_STATE_COMPLETE,
				    &e->traffic);
	int dir;

	if (!x)
		return;
	x->spi_in = e->spi;
	x->vol = e->inbound.lifetime_seconds || e->outbound.lifetime_seconds;
	for (dir = 0; dir < 2; dir++) {
		const struct wfp_ipsec_sa *sa = dir == WFP_IPSEC_DIR_INBOUND ?
			&e->inbound.sas[0] : &e->outbound.sas[0];

		x->proto[dir] = sa->transform_type == WFP_IPSEC_TRANSFORM_AH ?
				IPPROTO_AH : IPPROTO_ESP;
		x->tt[dir] = sa->transform_type;
		x->spi[dir] = dir == WFP_IPSEC_DIR_INBOUND ? e->spi : sa->spi;
	}
	spi_reserved(x);
}

/* An entry installed: clean, its fields sane, its id new. */
static void check_installed_entry(const struct batch *bt, unsigned int i,
				  const struct wfp_ipsec_batch_entry *e,
				  const struct sess *s)
{
	if (bt->estep[i] >= 0)
		fail(NR_BATCH, "entry %u installed despite a fault for step %d",
		     i, bt->estep[i]);
	if (e->step || e->add_status || e->spi < 256 ||
	    (e->inbound_spi && e->spi != e->inbound_spi))
		fail(NR_BATCH, "entry %u: step %u status %u spi 0x%x (asked "
		     "0x%x)", i, e->step, e->add_status, e->spi,
		     e->inbound_spi);
	if (!e->id || e->id <= W.ns[s->ns].last_ctx_id || known_find(e->id)) {
		fail(NR_BATCH, "entry %u: id %llu not new", i,
		     (unsigned long long)e->id);
		return;
	}
	adopt_entry(s, e);
}

/* A call the handler ran: refused whole, or each entry on its own. */
static void batch_check(struct batch *bt, struct sess *s, int ret)
{
	const struct span outs[] = {
		SPAN(struct wfp_ipsec_ctx_batch, done),
		SPAN(struct wfp_ipsec_ctx_batch, succeeded),
	};
	const struct wfp_ipsec_ctx_batch *b = &bt->c.out.batch;
	unsigned int i, ok = 0;

	check_echo(&bt->c, outs, ARRAY_SIZE(outs));
	if (ret) {
		/* refused as a whole: nothing done */
		if (ret != EFAULT && (b->done || b->succeeded))
			fail(NR_BATCH, "%s with done %u succeeded %u",
			     ename(ret), b->done, b->succeeded);
		if (ret == EFAULT)
			probe_ghost_contexts(s, 0);
		return;
	}
	if (b->done != bt->n)
		fail(NR_BATCH, "done %u of %u without a signal", b->done,
		     bt->n);
	for (i = 0; i < bt->n && i < b->done; i++) {
		const struct wfp_ipsec_batch_entry *e = entry(bt, i);

		if (e->error) {
			check_failed_entry(bt, i, e);
			continue;
		}
		ok++;
		check_installed_entry(bt, i, e, s);
	}
	if (b->succeeded != ok)
		fail(NR_BATCH, "succeeded %u, %u entries have no error",
		     b->succeeded, ok);
}

/* Sends the call; the entries are read-only during it if bt->ro. */
static int batch_exec(struct batch *bt, struct sess *s)
{
	int ret;

	if (bt->ro && mprotect(W.batchbuf, BATCH_BUF, PROT_READ))
		abort();
	ret = exec_call(&bt->c, s);
	if (bt->ro &&
	    mprotect(W.batchbuf, BATCH_BUF, PROT_READ | PROT_WRITE))
		abort();
	return ret;
}

void do_batch(struct sess *s)
{
	struct batch bt = { .n = pm(850) ? 1 + rn(8) : 1 + rn(BATCH_N) };
	struct call *c = &bt.c;
	int m = n_mutations(), ret;

	batch_gen(&bt);
	while (m--)
		batch_mutate(&bt);
	if (bt.whole)
		c->flags |= C_MUST_FAIL;
	if (!(c->flags & C_MUTATED) && s->ready && !s->nocap)
		set_strict(c, NULL, s->dynamic ? ES(EPERM) : ES(0, ENOMEM));
	if (s->dynamic)
		c->flags |= C_MUST_FAIL;
	ret = batch_exec(&bt, s);
	if (!s->ready || s->nocap)
		return;
	if (bt.ro || (c->am == AM_RO && ret == EFAULT)) {
		/* contexts whose ids could not be written back are ours */
		probe_ghost_contexts(s, c->am == AM_RO && !bt.ro ?
				     NR_BATCH : 0);
		return;
	}
	/* the reply is the handler's only past the dispatcher's gates */
	if ((c->flags & C_NO_OUTCHECK) || cmd_nr(c->word) != NR_BATCH ||
	    es_has(ES(ENOTTY, EBADFD, EACCES, EBADF), ret))
		return;
	batch_check(&bt, s, ret);
}
