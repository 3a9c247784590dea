// SPDX-License-Identifier: GPL-2.0
/*
 * Mutations every command can take (argument pointer, command word,
 * reserved bytes, random flips) and their bookkeeping in struct call.
 */

#include "fuzz.h"

/* Whether a toggling mutation may still be applied to this call. */
bool first_toggle(struct call *c, unsigned int bit)
{
	bool first = !(c->toggled & bit);

	c->toggled |= bit;
	return first;
}

void mut_note(struct call *c, const char *what)
{
	size_t n = strlen(c->mut);

	snprintf(c->mut + n, sizeof(c->mut) - n, "%s%s", n ? "+" : "", what);
	c->flags |= C_MUTATED;
}

/* A mutation the ABI must refuse. */
void must_fail(struct call *c, const char *what)
{
	c->flags |= C_MUST_FAIL;
	mut_note(c, what);
}

/* The command word with another size or direction: must be ENOTTY. */
static void mutate_word(struct call *c)
{
	unsigned int dir = _IOC_DIR(c->word), size = c->size, nr = c->nr;
	unsigned int w;

	do {
		switch (rn(5)) {
		case 0:
			size = c->size + (rn(2) ? 8 : -8);
			break;
		case 1:
			size = rn(2) ? 0 : 1 + rn(_IOC_SIZEMASK);
			break;
		case 2:
			dir = rn(4);
			break;
		case 3:
			/* another command's structure */
			size = _IOC_SIZE(cmds[1 + rn(NR_MAX)].cmd);
			break;
		default:
			dir = rn(4);
			size = c->size ^ (1u << rn(14));
			break;
		}
		w = _IOC(dir & 3, WFP_IPSEC_IOC_TYPE, nr, size & _IOC_SIZEMASK);
	} while (w == c->word);
	c->word = w;
	mut_note(c, "ioc-size/dir");
}

void mutate_random_cmd(struct call *c)
{
	unsigned int orig = c->word;

again:
	switch (rn(4)) {
	case 0:
		c->word = (__u32)r64();
		break;
	case 1:
		/* numbers past the table, and 0 */
		c->word = _IOC(rn(4), WFP_IPSEC_IOC_TYPE,
			       rn(2) ? 0 : NR_MAX + 1 + rn(255 - NR_MAX),
			       rn(512));
		break;
	case 2:
		/* our command under another ioctl type */
		c->word = _IOC(_IOC_DIR(c->word), rn(256), c->nr, c->size);
		break;
	default:
		c->word = _IOC(rn(4), WFP_IPSEC_IOC_TYPE, rn(256),
			       rn(_IOC_SIZEMASK + 1));
		break;
	}
	/* another known command would read our struct as its own */
	if (cmd_nr(c->word) && c->word != orig)
		goto again;
	mut_note(c, "random-cmd");
}

/*
 * Mutations every command can take: the argument pointer, the command
 * word, junk bytes.  Returns true when one was applied.
 */
bool mutate_common(struct call *c)
{
	switch (rn(10)) {
	case 0:
	case 1:
		c->am = AM_BAD;
		c->badkind = rn(P_KINDS);
		mut_note(c, "bad-arg-ptr");
		return true;
	case 2:
		c->am = AM_RO;
		mut_note(c, "read-only-arg");
		return true;
	case 3:
		c->am = AM_MISALIGNED;
		/* valid memory: not a mutation of the request */
		return true;
	case 4:
	case 5:
		mutate_word(c);
		return true;
	case 6:
		mutate_random_cmd(c);
		return true;
	}
	return false;
}

/* Sets one byte of a reserved range non-zero: the ABI must refuse it. */
void poke_reserved(struct call *c, size_t off, size_t len)
{
	c->in.raw[off + rn(len)] = 1 + rn(255);
	must_fail(c, "reserved");
}

/*
 * A random byte anywhere but the fields listed: effect unknown.  After a
 * mutation that must fail, a flip could undo it (a version 0 flipped to
 * 4, a traffic type 2 to 0, a poked reserved byte back to 0), and the
 * oracle would have to give up its must-fail check: such a call gets no
 * flip, and keeps the check.
 */
void flip_byte(struct call *c, const struct span *keep, int n)
{
	size_t i;
	int k, tries;

	if (c->flags & C_MUST_FAIL)
		return;
	for (tries = 0; tries < 8; tries++) {
		bool kept = false;

		i = rn(c->size);
		for (k = 0; k < n; k++)
			if (i >= keep[k].off && i < keep[k].off + keep[k].len)
				kept = true;
		if (kept)
			continue;
		c->in.raw[i] ^= 1u << rn(8);
		mut_note(c, "byte-flip");
		return;
	}
}

/* One mutation of a struct wfp_ipsec_ctx_id request. */
void mutate_ctx_id(struct call *c)
{
	if (!mutate_common(c))
		poke_reserved(c, offsetof(struct wfp_ipsec_ctx_id, reserved),
			      8);
}

/* How many mutations this call gets: mostly none. */
int n_mutations(void)
{
	if (W.no_mutate || !pm(250))
		return 0;
	return pm(700) ? 1 : pm(650) ? 2 : 3;
}
