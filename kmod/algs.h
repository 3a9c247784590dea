/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Windows IPsec transform ids -> kernel algorithms.
 */
#ifndef _WFP_ALGS_H
#define _WFP_ALGS_H

#include <linux/types.h>

struct wfp_ipsec_sa;

/* What one IPSEC_SA0 becomes in xfrm.  Names are xfrm's canonical ones. */
struct wfp_algs {
	u8 proto;			/* IPPROTO_ESP or IPPROTO_AH */
	const char *aead;		/* AEAD, or NULL */
	const char *auth;		/* keyed hash, or NULL */
	const char *enc;		/* cipher, or NULL */
	unsigned int icv_bits;		/* AEAD ICV, or hash truncation */
	unsigned int auth_key_len;	/* bytes expected */
	unsigned int enc_key_len;	/* bytes expected (AEAD: with salt) */
	bool aead_key_from_auth;	/* GMAC: the key is the auth key */
};

/* Returns 0 or a WFP_IPSEC_ADD_ST_* status describing what is wrong. */
u32 wfp_algs_resolve(const struct wfp_ipsec_sa *sa, struct wfp_algs *algs);

#endif /* _WFP_ALGS_H */
