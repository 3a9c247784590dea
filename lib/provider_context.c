// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * FwpmProviderContextAdd0, its DeleteById0/DeleteByKey0, GetById0/
 * GetByKey0 and enumeration (Documentation/objects.rst).
 *
 * The module keeps a provider context's policy as a struct
 * wfp_ipsec_pctx_policy head (type, tunnel endpoints), which it parses,
 * followed by this file's serialisation of the rest, which it returns
 * verbatim: fixed-size records in host order, each count before what it
 * counts.  Only this file writes and reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The records after the head: a QM policy and its proposals... */
struct pol_qm {
	UINT32 flags, nd_allow_clear, idle, idle_failover, nprop;
};

struct pol_prop {
	UINT32 seconds, kilobytes, packets, pfs, nxform;
};

/* ...each proposal's transforms, the auth and cipher halves as present. */
struct pol_xform {
	UINT32 type;
	UINT32 auth_type, auth_config, has_auth_mod;
	UINT32 cipher_type, cipher_config, has_cipher_mod;
	UINT8 auth_mod[16], cipher_mod[16];
};

/* A keying policy: the count, then the GUIDs. */
struct pol_keying {
	UINT32 nkeymod;
};

/* ---- checks: the codes Windows gives for bad input ---- */

static DWORD check_auth(const IPSEC_AUTH_TRANSFORM0 *a)
{
	if (!a)
		return FWP_E_NULL_POINTER;
	if ((UINT32)a->authTransformId.authType >= IPSEC_AUTH_MAX ||
	    a->authTransformId.authConfig >= IPSEC_AUTH_CONFIG_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	return ERROR_SUCCESS;
}

static DWORD check_cipher(const IPSEC_CIPHER_TRANSFORM0 *c)
{
	if (!c)
		return FWP_E_NULL_POINTER;
	if (!c->cipherTransformId.cipherType ||
	    (UINT32)c->cipherTransformId.cipherType >= IPSEC_CIPHER_TYPE_MAX ||
	    !c->cipherTransformId.cipherConfig ||
	    c->cipherTransformId.cipherConfig >= IPSEC_CIPHER_CONFIG_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	return ERROR_SUCCESS;
}

static DWORD check_xform(const IPSEC_SA_TRANSFORM0 *t)
{
	const IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *ac;
	DWORD rc;

	switch (t->ipsecTransformType) {
	case IPSEC_TRANSFORM_AH:
	case IPSEC_TRANSFORM_ESP_AUTH:
	case IPSEC_TRANSFORM_ESP_AUTH_FW:
		return check_auth(t->ahTransform);
	case IPSEC_TRANSFORM_ESP_CIPHER:
		return check_cipher(t->espCipherTransform);
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		ac = t->espAuthAndCipherTransform;
		if (!ac)
			return FWP_E_NULL_POINTER;
		rc = check_auth(&ac->authTransform);
		return rc ? rc : check_cipher(&ac->cipherTransform);
	default:
		return FWP_E_INVALID_ENUMERATOR;
	}
}

/* One transform, or two for AH with ESP (ipsectypes.h). */
static DWORD check_proposals(UINT32 n, const IPSEC_PROPOSAL0 *p)
{
	DWORD rc;
	UINT32 i, j;

	if (!n)
		return FWP_E_INVALID_PARAMETER;
	if (!p)
		return FWP_E_NULL_POINTER;
	for (i = 0; i < n; i++) {
		if (!p[i].numSaTransforms || p[i].numSaTransforms > 2)
			return FWP_E_INVALID_PARAMETER;
		if (!p[i].saTransforms)
			return FWP_E_NULL_POINTER;
		if ((UINT32)p[i].pfsGroup >= IPSEC_PFS_MAX)
			return FWP_E_INVALID_ENUMERATOR;
		for (j = 0; j < p[i].numSaTransforms; j++) {
			rc = check_xform(&p[i].saTransforms[j]);
			if (rc)
				return rc;
		}
	}
	return ERROR_SUCCESS;
}

static int addr_zero(const UINT8 *a, size_t n)
{
	while (n--)
		if (a[n])
			return 0;
	return 1;
}

static DWORD check_endpoints(const IPSEC_TUNNEL_ENDPOINTS0 *t)
{
	if (t->ipVersion == FWP_IP_VERSION_V4)
		return t->localV4Address && t->remoteV4Address ?
		       ERROR_SUCCESS : FWP_E_INVALID_PARAMETER;
	if (t->ipVersion == FWP_IP_VERSION_V6)
		return !addr_zero(t->localV6Address, 16) &&
		       !addr_zero(t->remoteV6Address, 16) ?
		       ERROR_SUCCESS : FWP_E_INVALID_PARAMETER;
	return FWP_E_INVALID_PARAMETER;
}

/* The types this engine models (objects.rst); the policy each points to. */
static DWORD check_policy(const FWPM_PROVIDER_CONTEXT0 *c)
{
	const IPSEC_TRANSPORT_POLICY0 *tp = c->ikeQmTransportPolicy;
	const IPSEC_TUNNEL_POLICY0 *tu = c->ikeQmTunnelPolicy;
	const IPSEC_KEYING_POLICY0 *k = c->keyingPolicy;
	DWORD rc;

	if ((UINT32)c->type >= FWPM_PROVIDER_CONTEXT_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	if (c->type > FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT)
		return ERROR_NOT_SUPPORTED;
	/* The union's arms are all pointers: any one tells NULL. */
	if (!c->keyingPolicy)
		return FWP_E_NULL_POINTER;
	switch (c->type) {
	case FWPM_IPSEC_KEYING_CONTEXT:
		if (!k->numKeyMods)
			return FWP_E_INVALID_PARAMETER;
		return k->keyModKeys ? ERROR_SUCCESS : FWP_E_NULL_POINTER;
	case FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT:
		/* Extended mode is AuthIP's, not IKE's. */
		if (tp->emPolicy)
			return FWP_E_EM_NOT_SUPPORTED;
		return check_proposals(tp->numIpsecProposals,
				       tp->ipsecProposals);
	default:
		if (tu->emPolicy)
			return FWP_E_EM_NOT_SUPPORTED;
		rc = check_endpoints(&tu->tunnelEndpoints);
		return rc ? rc : check_proposals(tu->numIpsecProposals,
						 tu->ipsecProposals);
	}
}

/* ---- the policy as the module keeps it ---- */

/* A buffer being written; base NULL: only measuring. */
struct wr {
	UINT8 *base;
	size_t off;
};

static void wr_put(struct wr *w, const void *src, size_t n)
{
	if (w->base)
		memcpy(w->base + w->off, src, n);
	w->off += n;
}

static void ser_auth(const IPSEC_AUTH_TRANSFORM0 *a, struct pol_xform *x)
{
	x->auth_type = a->authTransformId.authType;
	x->auth_config = a->authTransformId.authConfig;
	if (a->cryptoModuleId) {
		x->has_auth_mod = 1;
		memcpy(x->auth_mod, a->cryptoModuleId, 16);
	}
}

static void ser_cipher(const IPSEC_CIPHER_TRANSFORM0 *c, struct pol_xform *x)
{
	x->cipher_type = c->cipherTransformId.cipherType;
	x->cipher_config = c->cipherTransformId.cipherConfig;
	if (c->cryptoModuleId) {
		x->has_cipher_mod = 1;
		memcpy(x->cipher_mod, c->cryptoModuleId, 16);
	}
}

static void ser_xform(struct wr *w, const IPSEC_SA_TRANSFORM0 *t)
{
	struct pol_xform x;

	memset(&x, 0, sizeof(x));
	x.type = t->ipsecTransformType;
	if (x.type == IPSEC_TRANSFORM_ESP_CIPHER) {
		ser_cipher(t->espCipherTransform, &x);
	} else if (x.type == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER) {
		ser_auth(&t->espAuthAndCipherTransform->authTransform, &x);
		ser_cipher(&t->espAuthAndCipherTransform->cipherTransform, &x);
	} else {
		ser_auth(t->ahTransform, &x);
	}
	wr_put(w, &x, sizeof(x));
}

static void ser_qm(struct wr *w, UINT32 flags, UINT32 nd_allow_clear,
		   const IPSEC_SA_IDLE_TIMEOUT0 *idle, UINT32 n,
		   const IPSEC_PROPOSAL0 *p)
{
	struct pol_qm qm = { flags, nd_allow_clear, idle->idleTimeoutSeconds,
			     idle->idleTimeoutSecondsFailOver, n };
	struct pol_prop pp;
	UINT32 i, j;

	wr_put(w, &qm, sizeof(qm));
	for (i = 0; i < n; i++) {
		pp.seconds = p[i].lifetime.lifetimeSeconds;
		pp.kilobytes = p[i].lifetime.lifetimeKilobytes;
		pp.packets = p[i].lifetime.lifetimePackets;
		pp.pfs = p[i].pfsGroup;
		pp.nxform = p[i].numSaTransforms;
		wr_put(w, &pp, sizeof(pp));
		for (j = 0; j < pp.nxform; j++)
			ser_xform(w, &p[i].saTransforms[j]);
	}
}

/*
 * A tunnel's outer address as the module takes it, in network order: V4
 * from host order, V6 from the mirrored layout IPSEC_TRAFFIC1 has too
 * (spi.rst), so a tunnel context's traffic and its policy agree.
 */
static void ser_addr(UINT32 version, UINT32 v4, const UINT8 *v6, UINT8 *out)
{
	if (version == FWP_IP_VERSION_V6) {
		wfp_v6_mirror(out, v6);
		return;
	}
	out[0] = (UINT8)(v4 >> 24);
	out[1] = (UINT8)(v4 >> 16);
	out[2] = (UINT8)(v4 >> 8);
	out[3] = (UINT8)v4;
}

static void ser_policy(struct wr *w, const FWPM_PROVIDER_CONTEXT0 *c)
{
	const IPSEC_TRANSPORT_POLICY0 *tp = c->ikeQmTransportPolicy;
	const IPSEC_TUNNEL_POLICY0 *tu = c->ikeQmTunnelPolicy;
	const IPSEC_TUNNEL_ENDPOINTS0 *ep = &tu->tunnelEndpoints;
	const IPSEC_KEYING_POLICY0 *k = c->keyingPolicy;
	struct wfp_ipsec_pctx_policy head;
	struct pol_keying pk;

	memset(&head, 0, sizeof(head));
	head.ctx_type = c->type;
	if (c->type == FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT) {
		head.ip_version = ep->ipVersion;
		ser_addr(ep->ipVersion, ep->localV4Address,
			 ep->localV6Address, head.local);
		ser_addr(ep->ipVersion, ep->remoteV4Address,
			 ep->remoteV6Address, head.remote);
	}
	wr_put(w, &head, sizeof(head));
	switch (c->type) {
	case FWPM_IPSEC_KEYING_CONTEXT:
		pk.nkeymod = k->numKeyMods;
		wr_put(w, &pk, sizeof(pk));
		wr_put(w, k->keyModKeys, (size_t)k->numKeyMods * sizeof(GUID));
		break;
	case FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT:
		ser_qm(w, tp->flags, tp->ndAllowClearTimeoutSeconds,
		       &tp->saIdleTimeout, tp->numIpsecProposals,
		       tp->ipsecProposals);
		break;
	default:
		ser_qm(w, tu->flags, 0, &tu->saIdleTimeout,
		       tu->numIpsecProposals, tu->ipsecProposals);
		break;
	}
}

/* ---- and back, into the result's block ---- */

/* The policy bytes being read; a short read leaves the arm NULL. */
struct rd {
	const UINT8 *p;
	size_t left;
};

static int rd_get(struct rd *r, void *dst, size_t n)
{
	if (n > r->left)
		return -1;
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static IPSEC_CRYPTO_MODULE_ID *de_mod(struct wfp_arena *a, UINT32 has,
				      const UINT8 *mod)
{
	IPSEC_CRYPTO_MODULE_ID *id;

	if (!has)
		return NULL;
	id = wfp_arena_take(a, sizeof(*id));
	if (id)
		memcpy(id, mod, sizeof(*id));
	return id;
}

static void de_auth(struct wfp_arena *a, const struct pol_xform *x,
		    IPSEC_AUTH_TRANSFORM0 *t)
{
	IPSEC_CRYPTO_MODULE_ID *mod = de_mod(a, x->has_auth_mod, x->auth_mod);

	if (!t)
		return;
	t->authTransformId.authType = (IPSEC_AUTH_TYPE)x->auth_type;
	t->authTransformId.authConfig = (IPSEC_AUTH_CONFIG)x->auth_config;
	t->cryptoModuleId = mod;
}

static void de_cipher(struct wfp_arena *a, const struct pol_xform *x,
		      IPSEC_CIPHER_TRANSFORM0 *t)
{
	IPSEC_CRYPTO_MODULE_ID *mod = de_mod(a, x->has_cipher_mod,
					     x->cipher_mod);

	if (!t)
		return;
	t->cipherTransformId.cipherType = (IPSEC_CIPHER_TYPE)x->cipher_type;
	t->cipherTransformId.cipherConfig =
		(IPSEC_CIPHER_CONFIG)x->cipher_config;
	t->cryptoModuleId = mod;
}

static int de_xform(struct wfp_arena *a, struct rd *r, IPSEC_SA_TRANSFORM0 *t)
{
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 *ac;
	IPSEC_CIPHER_TRANSFORM0 *c;
	IPSEC_AUTH_TRANSFORM0 *au;
	struct pol_xform x;

	if (rd_get(r, &x, sizeof(x)))
		return -1;
	if (t)
		t->ipsecTransformType = (IPSEC_TRANSFORM_TYPE)x.type;
	if (x.type == IPSEC_TRANSFORM_ESP_CIPHER) {
		c = wfp_arena_take(a, sizeof(*c));
		de_cipher(a, &x, c);
		if (t)
			t->espCipherTransform = c;
	} else if (x.type == IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER) {
		ac = wfp_arena_take(a, sizeof(*ac));
		de_auth(a, &x, ac ? &ac->authTransform : NULL);
		de_cipher(a, &x, ac ? &ac->cipherTransform : NULL);
		if (t)
			t->espAuthAndCipherTransform = ac;
	} else {
		au = wfp_arena_take(a, sizeof(*au));
		de_auth(a, &x, au);
		if (t)
			t->ahTransform = au;
	}
	return 0;
}

/* Whether n records of size can still be read: counts are untrusted. */
static int rd_room(const struct rd *r, UINT32 n, size_t size)
{
	return n && n <= r->left / size;
}

static int de_proposal(struct wfp_arena *a, struct rd *r, IPSEC_PROPOSAL0 *p)
{
	IPSEC_SA_TRANSFORM0 *t;
	struct pol_prop pp;
	UINT32 j;

	if (rd_get(r, &pp, sizeof(pp)) ||
	    !rd_room(r, pp.nxform, sizeof(struct pol_xform)))
		return -1;
	t = wfp_arena_take(a, (size_t)pp.nxform * sizeof(*t));
	for (j = 0; j < pp.nxform; j++)
		if (de_xform(a, r, t ? &t[j] : NULL))
			return -1;
	if (p) {
		p->lifetime.lifetimeSeconds = pp.seconds;
		p->lifetime.lifetimeKilobytes = pp.kilobytes;
		p->lifetime.lifetimePackets = pp.packets;
		p->pfsGroup = (IPSEC_PFS_GROUP)pp.pfs;
		p->numSaTransforms = pp.nxform;
		p->saTransforms = t;
	}
	return 0;
}

/* The QM records into qm and *props (NULL measuring); -1 malformed. */
static int de_qm(struct wfp_arena *a, struct rd *r, struct pol_qm *qm,
		 IPSEC_PROPOSAL0 **props)
{
	IPSEC_PROPOSAL0 *p;
	UINT32 i;

	if (rd_get(r, qm, sizeof(*qm)) ||
	    !rd_room(r, qm->nprop, sizeof(struct pol_prop)))
		return -1;
	p = wfp_arena_take(a, (size_t)qm->nprop * sizeof(*p));
	for (i = 0; i < qm->nprop; i++)
		if (de_proposal(a, r, p ? &p[i] : NULL))
			return -1;
	*props = p;
	return 0;
}

static void *de_keying(struct wfp_arena *a, struct rd *r)
{
	IPSEC_KEYING_POLICY0 *k = wfp_arena_take(a, sizeof(*k));
	struct pol_keying pk;
	GUID *g;

	if (rd_get(r, &pk, sizeof(pk)) || !rd_room(r, pk.nkeymod, sizeof(GUID)))
		return NULL;
	g = wfp_arena_take(a, (size_t)pk.nkeymod * sizeof(GUID));
	if (!k)
		return NULL;
	memcpy(g, r->p, (size_t)pk.nkeymod * sizeof(GUID));
	k->numKeyMods = pk.nkeymod;
	k->keyModKeys = g;
	return k;
}

static void de_endpoints(const struct wfp_ipsec_pctx_policy *h,
			 IPSEC_TUNNEL_ENDPOINTS0 *ep)
{
	const UINT8 *l = h->local, *rm = h->remote;

	ep->ipVersion = (FWP_IP_VERSION)h->ip_version;
	if (h->ip_version == FWP_IP_VERSION_V6) {
		wfp_v6_mirror(ep->localV6Address, l);
		wfp_v6_mirror(ep->remoteV6Address, rm);
		return;
	}
	ep->localV4Address = (UINT32)l[0] << 24 | (UINT32)l[1] << 16 |
			     (UINT32)l[2] << 8 | l[3];
	ep->remoteV4Address = (UINT32)rm[0] << 24 | (UINT32)rm[1] << 16 |
			      (UINT32)rm[2] << 8 | rm[3];
}

static void *de_transport(struct wfp_arena *a, struct rd *r)
{
	IPSEC_TRANSPORT_POLICY0 *t = wfp_arena_take(a, sizeof(*t));
	IPSEC_PROPOSAL0 *props;
	struct pol_qm qm;

	if (de_qm(a, r, &qm, &props) || !t)
		return NULL;
	t->numIpsecProposals = qm.nprop;
	t->ipsecProposals = props;
	t->flags = qm.flags;
	t->ndAllowClearTimeoutSeconds = qm.nd_allow_clear;
	t->saIdleTimeout.idleTimeoutSeconds = qm.idle;
	t->saIdleTimeout.idleTimeoutSecondsFailOver = qm.idle_failover;
	return t;
}

static void *de_tunnel(struct wfp_arena *a, struct rd *r,
		       const struct wfp_ipsec_pctx_policy *h)
{
	IPSEC_TUNNEL_POLICY0 *t = wfp_arena_take(a, sizeof(*t));
	IPSEC_PROPOSAL0 *props;
	struct pol_qm qm;

	if (de_qm(a, r, &qm, &props) || !t)
		return NULL;
	t->flags = qm.flags;
	t->numIpsecProposals = qm.nprop;
	t->ipsecProposals = props;
	de_endpoints(h, &t->tunnelEndpoints);
	t->saIdleTimeout.idleTimeoutSeconds = qm.idle;
	t->saIdleTimeout.idleTimeoutSecondsFailOver = qm.idle_failover;
	return t;
}

/* The policy arm; NULL when a raw-ioctl client stored something else. */
static void *de_policy(struct wfp_arena *a, const struct wfp_obj_full *f,
		       FWPM_PROVIDER_CONTEXT_TYPE *type)
{
	struct rd r = { (const UINT8 *)f->service, f->o.policy_len };
	struct wfp_ipsec_pctx_policy h;

	if (rd_get(&r, &h, sizeof(h)))
		return NULL;
	*type = (FWPM_PROVIDER_CONTEXT_TYPE)h.ctx_type;
	switch (h.ctx_type) {
	case FWPM_IPSEC_KEYING_CONTEXT:
		return de_keying(a, &r);
	case FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT:
		return de_transport(a, &r);
	case FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT:
		return de_tunnel(a, &r, &h);
	default:
		return NULL;
	}
}

static void *pctx_fill(struct wfp_arena *a, const struct wfp_obj_full *f)
{
	FWPM_PROVIDER_CONTEXT0 *out = wfp_arena_take(a, sizeof(*out));
	FWPM_PROVIDER_CONTEXT0 dummy, *c = out ? out : &dummy;
	GUID *pk = NULL;

	wfp_obj_key_out(f->o.key, &c->providerContextKey);
	c->displayData.name = wfp_arena_wide(a, f->name, f->o.name_len, 0);
	c->displayData.description =
		wfp_arena_wide(a, f->desc, f->o.desc_len, 1);
	c->flags = f->o.flags;
	if (f->o.has_provider)
		pk = wfp_arena_take(a, sizeof(*pk));
	if (pk)
		wfp_obj_key_out(f->o.provider_key, pk);
	c->providerKey = pk;
	wfp_arena_blob(a, f, &c->providerData);
	c->keyingPolicy = de_policy(a, f, &c->type);
	c->providerContextId = f->o.id;
	return out;
}

/* ---- the calls ---- */

DWORD WINAPI FwpmProviderContextAdd0(HANDLE engineHandle,
		const FWPM_PROVIDER_CONTEXT0 *providerContext,
		PSECURITY_DESCRIPTOR sd, UINT64 *id)
{
	const FWPM_PROVIDER_CONTEXT0 *c = providerContext;
	struct wfp_ipsec_obj o;
	struct wr w = { NULL, 0 };
	DWORD rc;

	(void)sd;	/* rights are the namespace's: Documentation/rights.rst */
	if (!c)
		return FWP_E_NULL_POINTER;
	if (c->flags & ~(UINT32)(FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT |
				 FWPM_PROVIDER_CONTEXT_FLAG_DOWNLEVEL))
		return FWP_E_INVALID_FLAGS;
	if (c->providerData.size && !c->providerData.data)
		return FWP_E_NULL_POINTER;
	rc = check_policy(c);
	if (rc)
		return rc;
	ser_policy(&w, c);
	if (w.off > WFP_IPSEC_OBJ_POLICY_MAX)
		return FWP_E_OUT_OF_BOUNDS;
	memset(&o, 0, sizeof(o));
	o.type = WFP_IPSEC_OBJ_PROVIDER_CONTEXT;
	o.flags = c->flags;
	wfp_obj_key_in(&c->providerContextKey, o.key);
	if (c->providerKey) {
		o.has_provider = 1;
		wfp_obj_key_in(c->providerKey, o.provider_key);
	}
	o.data = (UINT64)(uintptr_t)c->providerData.data;
	o.data_len = c->providerData.size;
	/* No service name: o.policy, in its place, carries the policy. */
	rc = wfp_obj_req_strings(&o, c->displayData.name,
				 c->displayData.description, NULL);
	w.base = rc ? NULL : malloc(w.off);
	if (!rc && !w.base)
		rc = ERROR_NOT_ENOUGH_MEMORY;
	if (!rc) {
		w.off = 0;
		ser_policy(&w, c);
		o.policy = (UINT64)(uintptr_t)w.base;
		o.policy_len = (UINT32)w.off;
		rc = wfp_obj_add(engineHandle, &o);
	}
	if (!rc && id)
		*id = o.id;
	wfp_obj_req_free(&o);
	return rc;
}

DWORD WINAPI FwpmProviderContextDeleteById0(HANDLE engineHandle, UINT64 id)
{
	return wfp_obj_delete_key_id(engineHandle,
				     WFP_IPSEC_OBJ_PROVIDER_CONTEXT, NULL, id);
}

DWORD WINAPI FwpmProviderContextDeleteByKey0(HANDLE engineHandle,
					     const GUID *key)
{
	return wfp_obj_delete(engineHandle, WFP_IPSEC_OBJ_PROVIDER_CONTEXT,
			      key);
}

DWORD WINAPI FwpmProviderContextGetById0(HANDLE engineHandle, UINT64 id,
		FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	return wfp_obj_get_key_id(engineHandle, WFP_IPSEC_OBJ_PROVIDER_CONTEXT,
				  NULL, id, (void **)providerContext,
				  pctx_fill);
}

DWORD WINAPI FwpmProviderContextGetByKey0(HANDLE engineHandle,
		const GUID *key, FWPM_PROVIDER_CONTEXT0 **providerContext)
{
	return wfp_obj_get(engineHandle, WFP_IPSEC_OBJ_PROVIDER_CONTEXT, key,
			   (void **)providerContext, pctx_fill);
}

/* The template's provider, when it names one, and its type. */
static int pctx_match(const struct wfp_obj_full *f, const void *tmpl)
{
	const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *t = tmpl;
	struct wfp_ipsec_pctx_policy h;
	UINT8 k[WFP_IPSEC_OBJ_KEY_LEN];

	if (f->o.policy_len < sizeof(h))
		return 0;
	memcpy(&h, f->service, sizeof(h));
	if (h.ctx_type != (UINT32)t->providerContextType)
		return 0;
	if (!t->providerKey)
		return 1;
	wfp_obj_key_in(t->providerKey, k);
	return f->o.has_provider && !memcmp(k, f->o.provider_key, sizeof(k));
}

DWORD WINAPI FwpmProviderContextCreateEnumHandle0(HANDLE engineHandle,
		const FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 *enumTemplate,
		HANDLE *enumHandle)
{
	if (enumTemplate &&
	    (UINT32)enumTemplate->providerContextType >=
	    FWPM_PROVIDER_CONTEXT_TYPE_MAX)
		return FWP_E_INVALID_ENUMERATOR;
	return wfp_obj_enum_create(engineHandle,
				   WFP_IPSEC_OBJ_PROVIDER_CONTEXT,
				   enumTemplate ? pctx_match : NULL,
				   enumTemplate, enumHandle);
}

DWORD WINAPI FwpmProviderContextEnum0(HANDLE engineHandle, HANDLE enumHandle,
				      UINT32 numEntriesRequested,
				      FWPM_PROVIDER_CONTEXT0 ***entries,
				      UINT32 *numEntriesReturned)
{
	return wfp_obj_enum_next(engineHandle, WFP_IPSEC_OBJ_PROVIDER_CONTEXT,
				 enumHandle, numEntriesRequested,
				 (void **)entries, numEntriesReturned,
				 pctx_fill);
}

DWORD WINAPI FwpmProviderContextDestroyEnumHandle0(HANDLE engineHandle,
						   HANDLE enumHandle)
{
	return wfp_obj_enum_destroy(engineHandle,
				    WFP_IPSEC_OBJ_PROVIDER_CONTEXT,
				    enumHandle);
}
