// SPDX-License-Identifier: GPL-2.0
/*
 * What the parent reads of the module, before the workers and after:
 * its own session, every context and the filters of the namespace, and
 * the xfrm states and policies of the module's reqid range (through
 * wfp_xfrm.h).
 */

#include "fuzz.h"
#include "wfp_xfrm.h"

/* A handshaken session of the parent's own, or -errno. */
int parent_session(void)
{
	struct wfp_ipsec_hello h = { .abi_version = WFP_IPSEC_ABI_VERSION };
	int fd = open(WFP_IPSEC_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, WFP_IPSEC_IOC_HELLO, &h)) {
		close(fd);
		return -errno;
	}
	g_features = h.features;
	return fd;
}

__u64 session_id(int fd)
{
	struct wfp_ipsec_session_info i;

	return wfp_info(fd, &i) ? 0 : i.session_id;
}

/* Every context of the namespace (through fd), in id order. */
struct wfp_ipsec_ctx_info *enum_all(int fd, size_t *n)
{
	struct wfp_ipsec_ctx_info *all = NULL;
	struct wfp_ipsec_ctx_enum e;
	size_t cap = 0;

	*n = 0;
	memset(&e, 0, sizeof(e));
	for (;;) {
		if (cap - *n < WFP_IPSEC_ENUM_MAX) {
			cap += 4 * WFP_IPSEC_ENUM_MAX;
			all = realloc(all, cap * sizeof(*all));
			if (!all)
				abort();
		}
		e.entries = (__u64)(uintptr_t)&all[*n];
		e.max_entries = WFP_IPSEC_ENUM_MAX;
		e.count = 0;
		if (ioctl(fd, WFP_IPSEC_IOC_CTX_ENUM, &e)) {
			free(all);
			return NULL;
		}
		*n += e.count;
		if (e.count < WFP_IPSEC_ENUM_MAX)
			return all;
	}
}

static bool reqid_ours(UINT32 reqid)
{
	return reqid >= REQID_MIN && reqid <= REQID_MAX;
}

/* buf: 64 bytes */
static void xaddr(int family, const UINT8 *a, char *buf)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a, buf, 64))
		snprintf(buf, 64, "-");
}

/* The module's states and policies in the current namespace. */
int xfrm_ours(struct xobj **out, int *nout)
{
	struct xs *sa = NULL;
	struct xp *sp = NULL;
	int nsa = sa_dump(-1, &sa), nsp = sp_dump(-1, &sp), n = 0, i;
	struct xobj *v = calloc(nsa + nsp + 2, sizeof(*v));
	char s[64], d[64];

	if (!v)
		abort();
	for (i = 0; i < nsa; i++) {
		if (!reqid_ours(sa[i].reqid))
			continue;
		xaddr(sa[i].family, sa[i].saddr, s);
		xaddr(sa[i].family, sa[i].daddr, d);
		snprintf(v[n++].s, sizeof(v[0].s), "state %s -> %s proto %d "
			 "spi 0x%x reqid 0x%x", s, d, sa[i].proto, sa[i].spi,
			 sa[i].reqid);
	}
	for (i = 0; i < nsp; i++) {
		if (sp[i].ntmpl < 1 || !reqid_ours(sp[i].reqid))
			continue;
		xaddr(sp[i].family, sp[i].saddr, s);
		xaddr(sp[i].family, sp[i].daddr, d);
		snprintf(v[n++].s, sizeof(v[0].s), "policy dir %d %s -> %s "
			 "reqid 0x%x", sp[i].dir, s, d, sp[i].reqid);
	}
	free(sa);
	free(sp);
	if (nsa < 0 || nsp < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*nout = n;
	return 0;
}

bool xobj_in(const struct xobj *set, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(set[i].s, s))
			return true;
	return false;
}

/* The filters of fd's namespace, through OBJ_ENUM; -1 on error. */
int filters_count(int fd)
{
	__u8 keys[64][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e;
	int n = 0;

	if (!(g_features & WFP_IPSEC_FEAT_FILTERS))
		return 0;
	memset(&e, 0, sizeof(e));
	e.type = WFP_IPSEC_OBJ_FILTER;
	e.keys = (__u64)(uintptr_t)keys;
	for (;;) {
		e.max_entries = ARRAY_SIZE(keys);
		e.count = 0;
		if (ioctl(fd, WFP_IPSEC_IOC_OBJ_ENUM, &e))
			return -1;
		n += e.count;
		if (e.count < ARRAY_SIZE(keys))
			return n;
		memcpy(e.cursor, keys[e.count - 1], sizeof(e.cursor));
	}
}

/*
 * The global xfrm policies of the current namespace that in() claims by
 * one of their selector's addresses (a worker's filter pool); -1 when
 * the dump fails.
 */
int xfrm_pol_count(bool (*in)(int family, const __u8 *a, int plen))
{
	struct xp *sp = NULL;
	int nsp = sp_dump(-1, &sp), n = 0, i;

	for (i = 0; i < nsp; i++)
		n += in(sp[i].family, sp[i].saddr, sp[i].plen_s) ||
		     in(sp[i].family, sp[i].daddr, sp[i].plen_d);
	free(sp);
	return nsp < 0 ? -1 : n;
}
