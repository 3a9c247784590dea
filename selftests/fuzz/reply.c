// SPDX-License-Identifier: GPL-2.0
/*
 * What comes back, checked field by field: reserved and padding bytes
 * zero, echoes equal, a context's info against what the worker knows.
 */

#include "fuzz.h"

void check_echo(const struct call *c, const struct span *skip, int n)
{
	const unsigned char *a = c->in.raw, *b = c->out.raw;
	size_t i;
	int k;

	for (i = 0; i < c->size; i++) {
		bool skipped = false;

		for (k = 0; k < n; k++)
			if (i >= skip[k].off && i < skip[k].off + skip[k].len)
				skipped = true;
		if (!skipped && a[i] != b[i]) {
			fail(c->nr, "reply byte %zu changed 0x%02x -> 0x%02x, "
			     "not an output field", i, a[i], b[i]);
			return;
		}
	}
}

static void check_traffic_reserved(int nr, const struct wfp_ipsec_traffic *t,
				   const char *what)
{
	if (t->reserved0 || t->reserved1)
		fail(nr, "%s: reserved fields not zero (%u, %u)", what,
		     t->reserved0, t->reserved1);
}

/* A ctx_info the kernel wrote (GET or ENUM), against what we know. */
void check_info(int nr, const struct wfp_ipsec_ctx_info *i,
		const struct sess *s)
{
	struct known *k = known_find(i->id);
	struct ctx *c = ctx_find(i->id);

	if (i->reserved1 || !all_zero(i->reserved, sizeof(i->reserved)))
		fail(nr, "context %llu: reserved fields not zero",
		     (unsigned long long)i->id);
	check_traffic_reserved(nr, &i->traffic, "traffic");
	check_traffic_reserved(nr, &i->inbound, "inbound traffic");
	if (i->state < WFP_IPSEC_CTX_STATE_CREATED ||
	    i->state > WFP_IPSEC_CTX_STATE_EXPIRED)
		fail(nr, "context %llu: state %u out of range",
		     (unsigned long long)i->id, i->state);
	if (i->flags & ~__WFP_IPSEC_CTX_F_ALL)
		fail(nr, "context %llu: unknown flags 0x%x",
		     (unsigned long long)i->id, i->flags);
	if (i->life & ~WFP_IPSEC_LIFE_SOFT_EXPIRED)
		fail(nr, "context %llu: unknown life bits 0x%x",
		     (unsigned long long)i->id, i->life);
	if (i->reqid < REQID_MIN || i->reqid > REQID_MAX)
		fail(nr, "context %llu: reqid 0x%x outside the module's range",
		     (unsigned long long)i->id, i->reqid);
	if (i->state == WFP_IPSEC_CTX_STATE_CREATED &&
	    (i->inbound_spi || i->spi_flags || i->encap_local_port ||
	     i->encap_remote_port ||
	     !all_zero(&i->inbound, sizeof(i->inbound))))
		fail(nr, "context %llu: SPI fields set without an SPI",
		     (unsigned long long)i->id);
	if (!(i->flags & WFP_IPSEC_CTX_F_VIF) &&
	    (i->vif_tunnel_id || i->vif_traffic_selector_id))
		fail(nr, "context %llu: vif ids without the flag",
		     (unsigned long long)i->id);
	if (!k)
		return;
	if (k->ns != s->ns)
		fail(nr, "context %llu of namespace tag %d seen from a session "
		     "of namespace tag %d", (unsigned long long)i->id, k->ns,
		     s->ns);
	if (k->deleted_by)
		fail(nr, "context %llu reported after its deletion succeeded",
		     (unsigned long long)i->id);
	if (i->creator_session_id != k->creator)
		fail(nr, "context %llu: creator session %llu, created by %llu",
		     (unsigned long long)i->id,
		     (unsigned long long)i->creator_session_id,
		     (unsigned long long)k->creator);
	if (!c || !ctx_certain(c, s) || c->vol)
		return;
	if (i->state != (__u32)c->state)
		fail(nr, "context %llu: state %u, expected %d",
		     (unsigned long long)i->id, i->state, c->state);
	if (memcmp(&i->traffic, &c->t, sizeof(c->t)))
		fail(nr, "context %llu: traffic differs from what was set",
		     (unsigned long long)i->id);
	if (c->state >= WFP_IPSEC_CTX_STATE_SPI_SET &&
	    i->inbound_spi != c->spi_in)
		fail(nr, "context %llu: inbound SPI 0x%x, reserved 0x%x",
		     (unsigned long long)i->id, i->inbound_spi, c->spi_in);
}
