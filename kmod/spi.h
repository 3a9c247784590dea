/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inbound SPI reservation in the xfrm state database: SetSpi and GetSpi.
 */
#ifndef _WFP_SPI_H
#define _WFP_SPI_H

#include <linux/types.h>

struct wfp_context;
struct wfp_ipsec_spi;
struct wfp_net;
struct wfp_session;
struct xfrm_state;

int wfp_spi_table_init(struct wfp_net *wn);
void wfp_spi_table_destroy(struct wfp_net *wn);

void wfp_spi_unindex(struct wfp_net *wn, struct wfp_context *ctx);
void wfp_spi_release(struct wfp_context *ctx);

/* Returns a strong reference to the context owning (proto, spi). */
struct wfp_context *wfp_spi_lookup(struct wfp_net *wn, u8 proto, u32 spi);
struct wfp_context *wfp_spi_taken_by(struct wfp_net *wn,
				     const struct xfrm_state *x);

/* SetSpi or GetSpi under xfrm_cfg_mutex held by the caller. */
int wfp_spi_reserve_locked(struct wfp_context *ctx, struct wfp_ipsec_spi *r);

int wfp_spi_set(struct wfp_session *s, void *arg);
int wfp_spi_get(struct wfp_session *s, void *arg);

#endif /* _WFP_SPI_H */
