// SPDX-License-Identifier: GPL-2.0
/*
 * IPsecGetStatistics0/1: the namespace's xfrm MIB (the counters of
 * /proc/net/xfrm_stat), the module's SA counters, and the traffic of the
 * namespace's installed SAs summed from xfrm's own per-SA counters.  The
 * library maps them to the Windows structures (Documentation/stats.rst
 * says which Windows field has a Linux source and which has none).
 */

#include <linux/mutex.h>
#include <linux/snmp.h>
#include <linux/string.h>
#include <net/ip.h>
#include <net/xfrm.h>

#include "context.h"
#include "netns.h"
#include "sa.h"
#include "session.h"
#include "stats.h"

static u64 wfp_mib(struct net *net, int field)
{
	return snmp_fold_field(net->mib.xfrm_statistics, field);
}

static bool wfp_sa_encrypts(const struct xfrm_state *x)
{
	if (x->aead)
		/* GMAC is an AEAD that authenticates only. */
		return !strstr(x->aead->alg_name, "rfc4543");
	return x->ealg && strcmp(x->ealg->alg_name, "ecb(cipher_null)");
}

static void wfp_stats_add_sa(struct wfp_ipsec_traffic_stats *t,
			     struct xfrm_state *x)
{
	u64 bytes, packets;

	spin_lock_bh(&x->lock);
	bytes = x->curlft.bytes;
	packets = x->curlft.packets;
	spin_unlock_bh(&x->lock);

	t->bytes += bytes;
	t->packets += packets;
	if (wfp_sa_encrypts(x))
		t->encrypted_bytes += bytes;
	if (x->id.proto == IPPROTO_AH)
		t->ah_bytes += bytes;
	else if (x->aalg || x->aead)
		t->esp_auth_bytes += bytes;
	if (x->props.mode == XFRM_MODE_TUNNEL)
		t->tunnel_bytes += bytes;
	else
		t->transport_bytes += bytes;
}

/*
 * One context's part, under rcu_read_lock(): its states are freed only
 * after a grace period, so one just released is still safe to read.
 */
static void wfp_stats_add_context(const struct wfp_context *ctx, void *arg)
{
	struct wfp_ipsec_stats *st = arg;
	u32 state = READ_ONCE(ctx->state);
	struct xfrm_state *x;

	if (state == WFP_IPSEC_CTX_STATE_SPI_SET ||
	    state == WFP_IPSEC_CTX_STATE_INBOUND)
		st->pending++;
	if (state == WFP_IPSEC_CTX_STATE_COMPLETE &&
	    ctx->traffic.traffic_type == WFP_IPSEC_TRAFFIC_TUNNEL)
		st->active_tunnels++;
	x = READ_ONCE(ctx->x[WFP_IPSEC_DIR_INBOUND]);
	if (x) {
		st->active_sas++;
		wfp_stats_add_sa(&st->in, x);
	}
	x = READ_ONCE(ctx->x[WFP_IPSEC_DIR_OUTBOUND]);
	if (x) {
		st->active_sas++;
		wfp_stats_add_sa(&st->out, x);
	}
}

int wfp_stats_get(struct wfp_session *s, void *arg)
{
	struct wfp_ipsec_stats *st = arg;
	struct wfp_net *wn = s->wn;
	struct net *net = s->net;

	st->in_no_states = wfp_mib(net, LINUX_MIB_XFRMINNOSTATES);
	st->in_state_proto_error = wfp_mib(net, LINUX_MIB_XFRMINSTATEPROTOERROR);
	st->in_state_seq_error = wfp_mib(net, LINUX_MIB_XFRMINSTATESEQERROR);
	st->in_state_invalid = wfp_mib(net, LINUX_MIB_XFRMINSTATEINVALID);
	st->in_state_mismatch = wfp_mib(net, LINUX_MIB_XFRMINSTATEMISMATCH);
	st->in_tmpl_mismatch = wfp_mib(net, LINUX_MIB_XFRMINTMPLMISMATCH);
	st->in_no_pols = wfp_mib(net, LINUX_MIB_XFRMINNOPOLS);
	st->in_pol_block = wfp_mib(net, LINUX_MIB_XFRMINPOLBLOCK);
	st->in_hdr_error = wfp_mib(net, LINUX_MIB_XFRMINHDRERROR);
	st->in_error = wfp_mib(net, LINUX_MIB_XFRMINERROR);
	st->in_state_expired = wfp_mib(net, LINUX_MIB_XFRMINSTATEEXPIRED);
	st->out_no_states = wfp_mib(net, LINUX_MIB_XFRMOUTNOSTATES);
	st->sas_added = atomic64_read(&wn->sas_added);
	st->sas_deleted = atomic64_read(&wn->sas_deleted);
	st->rekeys = atomic64_read(&wn->rekeys);

	/* No lock: readers never wait for writers (context.h). */
	wfp_context_for_each(wn, wfp_stats_add_context, st);
	return 0;
}
