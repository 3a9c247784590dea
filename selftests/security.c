// SPDX-License-Identifier: GPL-2.0
/*
 * Security checks (Documentation/sessions.rst, rights.rst, abi.rst).
 *
 * FIXTURE denied, one variant per ioctl command (and read(2)): a session
 * opened without CAP_NET_ADMIN and without any grant - by root after
 * dropping the capability, and by uid 65534 through a device node made
 * world-openable for the test - issues the command with an argument that
 * would succeed for an administrator, aimed at the administrator's own
 * contexts and subscription, and must get the documented errno; the
 * matching library calls must return the documented Windows code.  What
 * the module allows such a session by design is tested as allowed: HELLO,
 * SESSION_GET (reporting no rights), UNSUBSCRIBE and read(2) of its own
 * (absent) subscriptions.  OBJ_DELETE and OBJ_ENUM have a row for filters
 * too.  Afterwards nothing may have changed: contexts, the filter, xfrm
 * states and policies, grants, and the administrator's subscription,
 * which must not even have seen an event.
 *
 * FIXTURE userns: uid 65534 in a user + network namespace of its own
 * manages that namespace fully and cannot see or touch the contexts and
 * filters of the initial namespace, nor hear of their changes; a session
 * it opened before leaving keeps no rights there.
 *
 * FIXTURE leak: every command that copies data out, and read(2), run
 * twice with the output prefilled with 0xA5 and then 0x5A: a byte the
 * module did not write shows as a difference; reserved fields and padding
 * must be zero, nothing may look like a kernel address, and a reply never
 * goes past its structure (or, for an enumeration, past its count).
 *
 * FIXTURE keys: SAs installed with distinctive keys; xfrm holds them (the
 * positive control), and no reading ioctl or library call returns any
 * 8-byte run of them.
 */
#include <malloc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <fwpmu.h>
#include <wfpipsec.h>

#include "wfp_ctx.h"
#include "wfp_xfrm.h"

#define NOBODY		65534
#define NODE_MODE	0600

#define LOCAL_V4	V4(10, 0, 0, 1)

#define GCM_KEYLEN	20
#define CBC_KEYLEN	16
#define SHA_KEYLEN	32

/* No command takes more (dev.c's argument buffer). */
#define ARGMAX		512

/* ------------------------------------------------------------ helpers */

static void addr4(__u8 *a, UINT32 v)
{
	UINT32 n = htonl(v);

	memset(a, 0, 16);
	memcpy(a, &n, 4);
}

/* Kernel form of a transport IPv4 traffic, local -> remote. */
static void ktraffic(struct wfp_ipsec_traffic *t, UINT32 remote)
{
	memset(t, 0, sizeof(*t));
	t->ip_version = WFP_IPSEC_IPV4;
	t->traffic_type = WFP_IPSEC_TRAFFIC_TRANSPORT;
	addr4(t->local_addr, LOCAL_V4);
	addr4(t->remote_addr, remote);
}

static void getspi_v4(IPSEC_GETSPI1 *g, UINT32 remote)
{
	memset(g, 0, sizeof(*g));
	traffic_v4(&g->inboundIpsecTraffic, false, LOCAL_V4, remote);
	g->ipVersion = FWP_IP_VERSION_V4;
}

static void kadd_gcm(struct wfp_ipsec_ctx_add *a, UINT64 id, UINT32 spi,
		     const UINT8 *key)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->bundle.num_sas = 1;
	a->bundle.lifetime_seconds = 3600;
	a->bundle.mm_sa_id = 0x1122334455667788ULL;
	wfp_ksa_gcm(&a->bundle.sas[0], spi, key, GCM_KEYLEN);
}

/* The library's AES-GCM-128 bundle (IPSEC_SA_BUNDLE1 and 0). */
struct bundle {
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA_BUNDLE0 b0;
	IPSEC_SA0 sa;
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 ac;
};

static void bundle_gcm(struct bundle *s, UINT32 spi, const UINT8 *key)
{
	memset(s, 0, sizeof(*s));
	gcm_sa_init(&s->sa, &s->ac, spi, (UINT8 *)key, GCM_KEYLEN);
	s->b.lifetime.lifetimeSeconds = 3600;
	s->b.numSAs = 1;
	s->b.saList = &s->sa;
	s->b.ipVersion = FWP_IP_VERSION_V4;
	s->b0.lifetime = s->b.lifetime;
	s->b0.numSAs = 1;
	s->b0.saList = &s->sa;
	s->b0.ipVersion = FWP_IP_VERSION_V4;
}

/* A fully keyed context through the library (AES-GCM-128). */
static DWORD key_ctx(HANDLE h, UINT32 remote, UINT32 spi_in, UINT32 spi_out,
		     const UINT8 *key_in, const UINT8 *key_out, UINT32 upto,
		     UINT64 *id)
{
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	struct bundle s;
	DWORD rc;

	traffic_v4(&t, false, LOCAL_V4, remote);
	rc = IPsecSaContextCreate1(h, &t, NULL, NULL, id);
	if (rc || upto == ST_CREATED)
		return rc;
	getspi_v4(&g, remote);
	rc = IPsecSaContextSetSpi0(h, *id, &g, spi_in);
	if (rc || upto == ST_SPI_SET)
		return rc;
	bundle_gcm(&s, spi_in, key_in);
	rc = IPsecSaContextAddInbound1(h, *id, &s.b);
	if (rc || upto == ST_INBOUND)
		return rc;
	bundle_gcm(&s, spi_out, key_out);
	return IPsecSaContextAddOutbound1(h, *id, &s.b);
}

/* A context created at remote, no more. */
static DWORD new_ctx(HANDLE h, UINT32 remote, UINT64 *id)
{
	return key_ctx(h, remote, 0, 0, NULL, NULL, ST_CREATED, id);
}

static int grants_count(int fd)
{
	struct wfp_ipsec_rights r;

	memset(&r, 0, sizeof(r));
	return wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_GET, &r) ?: (int)r.count;
}

/* States of the current namespace with this SPI; -1 on error. */
static int xfrm_spi_count(UINT32 spi)
{
	return sa_find(-1, spi, 0, NULL);
}

/*
 * Fixtures open the node to everyone for a while; a test killed by the
 * harness's timeout skips its teardown, so the program's exit closes it
 * again too.
 */
static void __attribute__((destructor)) node_mode_restore(void)
{
	struct stat st;

	if (!stat(WFP_IPSEC_DEVICE_PATH, &st) &&
	    (st.st_mode & 07777) != NODE_MODE)
		chmod(WFP_IPSEC_DEVICE_PATH, NODE_MODE);
}

/* ================================================= FIXTURE denied */

/* What the administrator set up, for the unprivileged child to aim at. */
struct targets {
	UINT64 created, spi_set, inbound, complete;
	UINT64 filter;		/* the administrator's filter's id */
	UINT64 created2;	/* GET_SPI's (SET_SPI may key created) */
	UINT64 doomed;		/* DELETE's */
	UINT32 r_created, r_created2, spi_set_spi;
	UINT64 sub;		/* the administrator's subscription */
	bool escalate;		/* RIGHTS_SET grants the caller everything */
};

#define R_CREATED	V4(10, 0, 1, 1)
#define R_SPI_SET	V4(10, 0, 1, 2)
#define R_INBOUND	V4(10, 0, 1, 3)
#define R_COMPLETE	V4(10, 0, 1, 4)
#define R_NEW		V4(10, 0, 1, 5)
#define R_FILTER	V4(10, 0, 1, 6)

static const UINT8 KEY_A[GCM_KEYLEN] = "\x11\x22\x33\x44\x55\x66\x77\x88"
	"\x99\xaa\xbb\xcc\xdd\xee\xff\x01\x02\x03\x04\x05";

/* Pseudo command for read(2). */
#define CMD_READ	0UL

/* The provider OBJ_ADD makes and OBJ_GET/OBJ_DELETE name. */
static const GUID OBJ_KEY = { 0x5ec0b1ec, 0x7, 0x4000,
			      { 0x80, 1, 2, 3, 4, 5, 6, 7 } };

/* The filter FILTER_ADD makes and FILTER_GET/OBJ_DELETE name. */
static const GUID FILTER_KEY = { 0x5ec0f11e, 0x7, 0x4000,
				 { 0x80, 1, 2, 3, 4, 5, 6, 8 } };
/* A second one, after it in key order. */
static const GUID FILTER_KEY2 = { 0x5ec0f11e, 0x8, 0x4000,
				  { 0x80, 1, 2, 3, 4, 5, 6, 9 } };

/*
 * FILTER_ADD's argument for key: a block of one remote address at
 * OUTBOUND_TRANSPORT_V4, one xfrm policy; FILTER_GET's for key, with
 * rooms the filter fits.
 */
static void filter_arg(unsigned long cmd, const GUID *key, UINT32 remote,
		       void *buf)
{
	static struct wfp_ipsec_filter_cond conds[4];
	static char name[WFP_IPSEC_OBJ_NAME_MAX];
	struct wfp_ipsec_filter *f = buf;

	memset(f, 0, sizeof(*f));
	memcpy(f->key, key, sizeof(f->key));
	f->conds = (__u64)(uintptr_t)conds;
	f->name = (__u64)(uintptr_t)name;
	if (cmd == WFP_IPSEC_IOC_FILTER_GET) {
		f->num_conds = ARRAY_SIZE(conds);
		f->name_len = sizeof(name);
		return;
	}
	memset(conds, 0, sizeof(conds));
	conds[0].field = WFP_IPSEC_FIELD_REMOTE_ADDR;
	conds[0].match = FWP_MATCH_EQUAL;
	conds[0].value_type = FWP_UINT32;
	addr4(conds[0].lo, remote);
	addr4(conds[0].hi, remote);
	f->num_conds = 1;
	memcpy(name, "security", 8);
	f->name_len = 8;
	f->layer = WFP_IPSEC_LAYER_OUTBOUND_TRANSPORT_V4;
	f->action = WFP_IPSEC_ACTION_BLOCK;
}

/* filter_arg()'s filter added through fd: its id, or a failed assertion. */
static __u64 filter_add(struct __test_metadata *_metadata, int fd,
			const GUID *key, UINT32 remote,
			struct wfp_ipsec_filter *f)
{
	filter_arg(WFP_IPSEC_IOC_FILTER_ADD, key, remote, f);
	ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_FILTER_ADD, f), 0);
	return f->id;
}

/* OBJ_ADD's, OBJ_GET's or OBJ_DELETE's argument for OBJ_KEY. */
static void cmd_obj_arg(unsigned long cmd, void *buf)
{
	static char name[WFP_IPSEC_OBJ_NAME_MAX];
	struct wfp_ipsec_obj_key *k = buf;
	struct wfp_ipsec_obj *o = buf;

	if (cmd == WFP_IPSEC_IOC_OBJ_DELETE) {
		k->type = WFP_IPSEC_OBJ_PROVIDER;
		memcpy(k->key, &OBJ_KEY, sizeof(k->key));
		return;
	}
	o->type = WFP_IPSEC_OBJ_PROVIDER;
	memcpy(o->key, &OBJ_KEY, sizeof(o->key));
	memcpy(name, "security", 8);
	o->name = (__u64)(uintptr_t)name;
	o->name_len = cmd == WFP_IPSEC_IOC_OBJ_ADD ? 8 : sizeof(name);
}

/*
 * OBJ_DELETE's and OBJ_ENUM's argument as cmd_arg() makes it, for another
 * type: a filter's delete names the administrator's filter.
 */
static void cmd_obj_type(unsigned long cmd, __u32 type, void *buf)
{
	struct wfp_ipsec_obj_enum *e = buf;
	struct wfp_ipsec_obj_key *k = buf;

	if (cmd == WFP_IPSEC_IOC_OBJ_ENUM) {
		e->type = type;
		return;
	}
	k->type = type;
	if (type == WFP_IPSEC_OBJ_FILTER)
		memcpy(k->key, &FILTER_KEY, sizeof(k->key));
}

/*
 * A valid argument for cmd in its first _IOC_SIZE(cmd) bytes of buf, aimed
 * at t's contexts: denied's unprivileged child must be refused it, leak's
 * administrator granted it.
 */
static void cmd_arg(unsigned long cmd, const struct targets *t, void *buf)
{
	static struct wfp_ipsec_ctx_info entries[16];
	static __u8 keys[16][WFP_IPSEC_OBJ_KEY_LEN];
	bool set = cmd == WFP_IPSEC_IOC_CTX_SET_SPI;
	union {
		struct wfp_ipsec_hello hello;
		struct wfp_ipsec_ctx_create cr;
		struct wfp_ipsec_ctx_id id;
		struct wfp_ipsec_ctx_info info;
		struct wfp_ipsec_ctx_enum e;
		struct wfp_ipsec_spi spi;
		struct wfp_ipsec_selectors sel;
		struct wfp_ipsec_ctx_add add;
		struct wfp_ipsec_ctx_sa sa;
		struct wfp_ipsec_ctx_update upd;
		struct wfp_ipsec_rights r;
		struct wfp_ipsec_obj_enum oe;
	} *u = buf;

	memset(buf, 0, _IOC_SIZE(cmd));
	switch (cmd) {
	case WFP_IPSEC_IOC_HELLO:
		u->hello.abi_version = WFP_IPSEC_ABI_VERSION;
		break;
	case WFP_IPSEC_IOC_CTX_CREATE:
		ktraffic(&u->cr.traffic, R_NEW);
		break;
	case WFP_IPSEC_IOC_CTX_GET:
		u->info.id = t->complete;
		break;
	case WFP_IPSEC_IOC_CTX_ENUM:
		u->e.entries = (__u64)(uintptr_t)entries;
		u->e.max_entries = 16;
		break;
	case WFP_IPSEC_IOC_CTX_SET_SELECTORS:
		u->sel.id = t->created;
		break;
	case WFP_IPSEC_IOC_CTX_SET_SPI:
	case WFP_IPSEC_IOC_CTX_GET_SPI:
		u->spi.id = set ? t->created : t->created2;
		ktraffic(&u->spi.inbound, set ? t->r_created : t->r_created2);
		u->spi.spi = set ? 0x8001 : 0;
		break;
	case WFP_IPSEC_IOC_CTX_ADD_INBOUND:
		kadd_gcm(&u->add, t->spi_set, t->spi_set_spi, KEY_A);
		break;
	case WFP_IPSEC_IOC_CTX_ADD_OUTBOUND:
		kadd_gcm(&u->add, t->inbound, 0x8102, KEY_A);
		break;
	case WFP_IPSEC_IOC_CTX_GET_SA:
		u->sa.id = t->complete;
		u->sa.dir = WFP_IPSEC_DIR_INBOUND;
		break;
	case WFP_IPSEC_IOC_CTX_UPDATE:
		u->upd.id = t->complete;
		u->upd.flags = WFP_IPSEC_UPD_F_MM_SA_ID;
		u->upd.mm_sa_id[0] = 7;
		break;
	case WFP_IPSEC_IOC_CTX_EXPIRE:
		u->id.id = t->complete;
		break;
	case WFP_IPSEC_IOC_CTX_DELETE:
		u->id.id = t->doomed;
		break;
	case WFP_IPSEC_IOC_UNSUBSCRIBE:
		u->id.id = t->sub;
		break;
	case WFP_IPSEC_IOC_RIGHTS_SET:
		/* denied's child tries to grant itself every right. */
		if (t->escalate)
			wfp_one_grant(&u->r, WFP_IPSEC_GRANT_USER, NOBODY,
				      __WFP_IPSEC_RIGHT_ALL);
		else
			wfp_one_grant(&u->r, WFP_IPSEC_GRANT_GROUP, 4321,
				      WFP_IPSEC_RIGHT_ENUM);
		break;
#ifdef WFP_IPSEC_IOC_CTX_ADD_BATCH
	case WFP_IPSEC_IOC_CTX_ADD_BATCH: {
		static struct wfp_ipsec_batch_entry be;
		struct wfp_ipsec_ctx_batch *b = buf;
		struct wfp_ipsec_ctx_add a;

		/* One complete context, as the four single commands would. */
		memset(&be, 0, sizeof(be));
		ktraffic(&be.traffic, R_NEW);
		be.inbound_spi = 0x9001;
		kadd_gcm(&a, 0, 0x9001, KEY_A);
		be.inbound = a.bundle;
		kadd_gcm(&a, 0, 0x9002, KEY_A);
		be.outbound = a.bundle;
		b->entries = (__u64)(uintptr_t)&be;
		b->count = 1;
		b->entry_size = sizeof(be);
		break;
	}
#endif
	case WFP_IPSEC_IOC_OBJ_ADD:
	case WFP_IPSEC_IOC_OBJ_GET:
	case WFP_IPSEC_IOC_OBJ_DELETE:
		cmd_obj_arg(cmd, buf);
		break;
	case WFP_IPSEC_IOC_OBJ_ENUM:
		u->oe.type = WFP_IPSEC_OBJ_SUBLAYER;
		u->oe.keys = (__u64)(uintptr_t)keys;
		u->oe.max_entries = 16;
		break;
	case WFP_IPSEC_IOC_FILTER_ADD:
	case WFP_IPSEC_IOC_FILTER_GET:
		filter_arg(cmd, &FILTER_KEY, R_FILTER, buf);
		break;
	default:
		/* SESSION_GET, STATS, RIGHTS_GET, SUBSCRIBE (any traffic) */
		break;
	}
}

/* The library calls behind a command; ERROR_ACCESS_DENIED if all are. */
typedef DWORD (*lib_fn)(HANDLE h, const struct targets *t);

static DWORD both(DWORD a, DWORD b)
{
	return a != ERROR_ACCESS_DENIED ? a : b;
}

static DWORD lib_open(HANDLE h, const struct targets *t)
{
	return ERROR_SUCCESS;	/* the engine was opened to get here */
}

static DWORD lib_create(HANDLE h, const struct targets *t)
{
	IPSEC_TRAFFIC0 t0;
	IPSEC_TRAFFIC1 t1;
	UINT64 id = 0;

	traffic_v4(&t1, false, LOCAL_V4, R_NEW);
	t0 = traffic0_of(&t1);
	return both(IPsecSaContextCreate1(h, &t1, NULL, NULL, &id),
		    IPsecSaContextCreate0(h, &t0, NULL, &id));
}

static DWORD lib_delete(HANDLE h, const struct targets *t)
{
	return IPsecSaContextDeleteById0(h, t->complete);
}

static DWORD lib_get(HANDLE h, const struct targets *t)
{
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL;
	DWORD rc = both(IPsecSaContextGetById1(h, t->complete, &c1),
			IPsecSaContextGetById0(h, t->complete, &c0));

	FwpmFreeMemory0((void **)&c1);
	FwpmFreeMemory0((void **)&c0);
	return rc;
}

static DWORD lib_enum(HANDLE h, const struct targets *t)
{
	HANDLE e1 = NULL, e2 = NULL;
	DWORD rc;

	rc = both(IPsecSaContextCreateEnumHandle0(h, NULL, &e1),
		  IPsecSaCreateEnumHandle0(h, NULL, &e2));
	if (e1)
		IPsecSaContextDestroyEnumHandle0(h, e1);
	if (e2)
		IPsecSaDestroyEnumHandle0(h, e2);
	return rc;
}

static DWORD lib_setspi(HANDLE h, const struct targets *t)
{
	IPSEC_GETSPI1 g;

	getspi_v4(&g, R_CREATED);
	return IPsecSaContextSetSpi0(h, t->created, &g, 0x5000);
}

static DWORD lib_getspi(HANDLE h, const struct targets *t)
{
	IPSEC_GETSPI0 g0 = { .ipVersion = FWP_IP_VERSION_V4 };
	IPSEC_SA_SPI spi = 0;
	IPSEC_GETSPI1 g;

	getspi_v4(&g, R_CREATED);
	g0.inboundIpsecTraffic = traffic0_of(&g.inboundIpsecTraffic);
	return both(IPsecSaContextGetSpi1(h, t->created, &g, &spi),
		    IPsecSaContextGetSpi0(h, t->created, &g0, &spi));
}

static DWORD lib_selectors(HANDLE h, const struct targets *t)
{
	return WfpIpsecSaContextSetSelectors0(h, t->created, NULL, NULL, 0);
}

static DWORD lib_addin(HANDLE h, const struct targets *t)
{
	struct bundle s;

	bundle_gcm(&s, t->spi_set_spi, KEY_A);
	return both(IPsecSaContextAddInbound1(h, t->spi_set, &s.b),
		    IPsecSaContextAddInbound0(h, t->spi_set, &s.b0));
}

static DWORD lib_addout(HANDLE h, const struct targets *t)
{
	struct bundle s;

	bundle_gcm(&s, 0x6000, KEY_A);
	return both(IPsecSaContextAddOutbound1(h, t->inbound, &s.b),
		    IPsecSaContextAddOutbound0(h, t->inbound, &s.b0));
}

static DWORD lib_expire(HANDLE h, const struct targets *t)
{
	return IPsecSaContextExpire0(h, t->complete);
}

static DWORD lib_subscribe(HANDLE h, const struct targets *t)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE ev = NULL;
	DWORD rc;

	memset(&s, 0, sizeof(s));
	rc = IPsecSaContextSubscribe0(h, &s, no_event, NULL, &ev);
	if (!rc)
		IPsecSaContextUnsubscribe0(h, ev);
	return rc;
}

static DWORD lib_stats(HANDLE h, const struct targets *t)
{
	IPSEC_STATISTICS1 s1;
	IPSEC_STATISTICS0 s0;

	return both(IPsecGetStatistics1(h, &s1), IPsecGetStatistics0(h, &s0));
}

static DWORD lib_update(HANDLE h, const struct targets *t)
{
	IPSEC_SA_DETAILS1 d[2];
	IPSEC_SA_CONTEXT1 c;

	memset(d, 0, sizeof(d));
	memset(&c, 0, sizeof(c));
	c.saContextId = t->complete;
	c.outboundSa = &d[0];
	c.inboundSa = &d[1];
	return IPsecSaContextUpdate0(h, IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID, &c);
}

static DWORD lib_rights_get(HANDLE h, const struct targets *t)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	DWORD rc;

	rc = IPsecSaDbGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL,
				       NULL, &dacl, NULL, &sd);
	FwpmFreeMemory0((void **)&sd);
	return rc;
}

/* Each object type: a provider, a sublayer and a provider context. */
static DWORD lib_obj_add(HANDLE h, const struct targets *t)
{
	IPSEC_KEYING_POLICY0 kp = { 1, (GUID *)&OBJ_KEY };
	FWPM_PROVIDER_CONTEXT0 c;

	memset(&c, 0, sizeof(c));
	c.providerContextKey = OBJ_KEY;
	c.displayData.name = L"security";
	c.type = FWPM_IPSEC_KEYING_CONTEXT;
	c.keyingPolicy = &kp;
	return both(both(provider_add_key(h, OBJ_KEY),
			 sublayer_add_key(h, OBJ_KEY, NULL, 0)),
		    FwpmProviderContextAdd0(h, &c, NULL, NULL));
}

static DWORD lib_obj_delete(HANDLE h, const struct targets *t)
{
	return both(both(FwpmProviderDeleteByKey0(h, &OBJ_KEY),
			 FwpmSubLayerDeleteByKey0(h,
						  &FWPM_SUBLAYER_UNIVERSAL)),
		    both(FwpmProviderContextDeleteByKey0(h, &OBJ_KEY),
			 FwpmProviderContextDeleteById0(h, 1)));
}

static DWORD lib_obj_get(HANDLE h, const struct targets *t)
{
	FWPM_PROVIDER_CONTEXT0 *c = NULL, *ci = NULL;
	FWPM_SUBLAYER0 *s = NULL;
	FWPM_PROVIDER0 *p = NULL;
	DWORD rc;

	rc = both(both(FwpmProviderGetByKey0(h, &OBJ_KEY, &p),
		       FwpmSubLayerGetByKey0(h, &FWPM_SUBLAYER_UNIVERSAL, &s)),
		  both(FwpmProviderContextGetByKey0(h, &OBJ_KEY, &c),
		       FwpmProviderContextGetById0(h, 1, &ci)));
	FwpmFreeMemory0((void **)&p);
	FwpmFreeMemory0((void **)&s);
	FwpmFreeMemory0((void **)&c);
	FwpmFreeMemory0((void **)&ci);
	return rc;
}

static DWORD lib_obj_enum(HANDLE h, const struct targets *t)
{
	HANDLE ep = NULL, es = NULL, ec = NULL;
	DWORD rc;

	rc = both(both(FwpmProviderCreateEnumHandle0(h, NULL, &ep),
		       FwpmSubLayerCreateEnumHandle0(h, NULL, &es)),
		  FwpmProviderContextCreateEnumHandle0(h, NULL, &ec));
	if (ep)
		FwpmProviderDestroyEnumHandle0(h, ep);
	if (es)
		FwpmSubLayerDestroyEnumHandle0(h, es);
	if (ec)
		FwpmProviderContextDestroyEnumHandle0(h, ec);
	return rc;
}

/* A block at ALE_AUTH_CONNECT_V4, which needs no condition. */
static DWORD lib_filter_add(HANDLE h, const struct targets *t)
{
	FWPM_FILTER0 f;

	memset(&f, 0, sizeof(f));
	f.filterKey = OBJ_KEY;
	f.displayData.name = L"security";
	f.layerKey = FWPM_LAYER_ALE_AUTH_CONNECT_V4;
	f.action.type = FWP_ACTION_BLOCK;
	return FwpmFilterAdd0(h, &f, NULL, NULL);
}

static DWORD lib_filter_delete(HANDLE h, const struct targets *t)
{
	return both(FwpmFilterDeleteByKey0(h, &FILTER_KEY),
		    FwpmFilterDeleteById0(h, t->filter));
}

static DWORD lib_filter_get(HANDLE h, const struct targets *t)
{
	FWPM_FILTER0 *f = NULL, *fi = NULL;
	DWORD rc;

	rc = both(FwpmFilterGetByKey0(h, &FILTER_KEY, &f),
		  FwpmFilterGetById0(h, t->filter, &fi));
	FwpmFreeMemory0((void **)&f);
	FwpmFreeMemory0((void **)&fi);
	return rc;
}

static DWORD lib_filter_enum(HANDLE h, const struct targets *t)
{
	HANDLE e = NULL;
	DWORD rc;

	rc = FwpmFilterCreateEnumHandle0(h, NULL, &e);
	if (e)
		FwpmFilterDestroyEnumHandle0(h, e);
	return rc;
}

static DWORD lib_rights_set(HANDLE h, const struct targets *t)
{
	ACL acl;

	memset(&acl, 0, sizeof(acl));
	acl.AclRevision = ACL_REVISION;
	acl.AclSize = sizeof(acl);
	return IPsecSaDbSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL,
					 NULL, &acl, NULL);
}

FIXTURE(denied) {
	HANDLE h;
	int fd;			/* the administrator's raw session */
	struct targets t;
	int states, policies;
	bool chmodded;
	int *report;		/* the child's errno and library code */
};

FIXTURE_VARIANT(denied) {
	unsigned long cmd;
	int want;		/* errno; 0: allowed by design */
	lib_fn lib;
	DWORD want_lib;
	__u32 type;		/* OBJ_DELETE, OBJ_ENUM: another type's */
};

#define DENIED_TYPE(name, c, err, fn, code, t)				\
	FIXTURE_VARIANT_ADD(denied, name) {				\
		.cmd = c, .want = err, .lib = fn, .want_lib = code,	\
		.type = t,						\
	}
#define DENIED(name, c, err, fn, code) DENIED_TYPE(name, c, err, fn, code, 0)

/* The usual case: EACCES from the ioctl, ERROR_ACCESS_DENIED from fn. */
#define REFUSED(name, c, fn)						\
	DENIED(name, c, EACCES, fn, ERROR_ACCESS_DENIED)

/* Allowed by design: the handshake, and what the session says of itself. */
DENIED(hello, WFP_IPSEC_IOC_HELLO, 0, lib_open, ERROR_SUCCESS);
DENIED(session_get, WFP_IPSEC_IOC_SESSION_GET, 0, NULL, 0);
REFUSED(ctx_create, WFP_IPSEC_IOC_CTX_CREATE, lib_create);
REFUSED(ctx_delete, WFP_IPSEC_IOC_CTX_DELETE, lib_delete);
REFUSED(ctx_get, WFP_IPSEC_IOC_CTX_GET, lib_get);
REFUSED(ctx_enum, WFP_IPSEC_IOC_CTX_ENUM, lib_enum);
REFUSED(ctx_set_spi, WFP_IPSEC_IOC_CTX_SET_SPI, lib_setspi);
REFUSED(ctx_get_spi, WFP_IPSEC_IOC_CTX_GET_SPI, lib_getspi);
REFUSED(ctx_set_selectors, WFP_IPSEC_IOC_CTX_SET_SELECTORS, lib_selectors);
REFUSED(ctx_add_inbound, WFP_IPSEC_IOC_CTX_ADD_INBOUND, lib_addin);
REFUSED(ctx_add_outbound, WFP_IPSEC_IOC_CTX_ADD_OUTBOUND, lib_addout);
REFUSED(ctx_get_sa, WFP_IPSEC_IOC_CTX_GET_SA, lib_get);
REFUSED(ctx_expire, WFP_IPSEC_IOC_CTX_EXPIRE, lib_expire);
REFUSED(subscribe, WFP_IPSEC_IOC_SUBSCRIBE, lib_subscribe);
/* Needs no right: a session can only name its own subscriptions. */
DENIED(unsubscribe, WFP_IPSEC_IOC_UNSUBSCRIBE, ENOENT, NULL, 0);
REFUSED(stats, WFP_IPSEC_IOC_STATS, lib_stats);
REFUSED(ctx_update, WFP_IPSEC_IOC_CTX_UPDATE, lib_update);
REFUSED(rights_get, WFP_IPSEC_IOC_RIGHTS_GET, lib_rights_get);
DENIED(rights_set, WFP_IPSEC_IOC_RIGHTS_SET, EPERM, lib_rights_set,
       ERROR_ACCESS_DENIED);
#ifdef WFP_IPSEC_IOC_CTX_ADD_BATCH
DENIED(ctx_add_batch, WFP_IPSEC_IOC_CTX_ADD_BATCH, EACCES, NULL, 0);
#endif
REFUSED(obj_add, WFP_IPSEC_IOC_OBJ_ADD, lib_obj_add);
REFUSED(obj_delete, WFP_IPSEC_IOC_OBJ_DELETE, lib_obj_delete);
REFUSED(obj_get, WFP_IPSEC_IOC_OBJ_GET, lib_obj_get);
REFUSED(obj_enum, WFP_IPSEC_IOC_OBJ_ENUM, lib_obj_enum);
REFUSED(filter_add, WFP_IPSEC_IOC_FILTER_ADD, lib_filter_add);
REFUSED(filter_get, WFP_IPSEC_IOC_FILTER_GET, lib_filter_get);
DENIED(netevent_subscribe, WFP_IPSEC_IOC_NETEVENT_SUBSCRIBE, EACCES, NULL, 0);
/* As UNSUBSCRIBE: a session can only name its own subscriptions. */
DENIED(netevent_unsubscribe, WFP_IPSEC_IOC_NETEVENT_UNSUBSCRIBE, ENOENT,
       NULL, 0);
/* Filters go and are listed through OBJ_DELETE and OBJ_ENUM. */
DENIED_TYPE(obj_delete_filter, WFP_IPSEC_IOC_OBJ_DELETE, EACCES,
	    lib_filter_delete, ERROR_ACCESS_DENIED, WFP_IPSEC_OBJ_FILTER);
DENIED_TYPE(obj_enum_filter, WFP_IPSEC_IOC_OBJ_ENUM, EACCES,
	    lib_filter_enum, ERROR_ACCESS_DENIED, WFP_IPSEC_OBJ_FILTER);
/* Its own subscriptions only, and it has none. */
DENIED(read_events, CMD_READ, EAGAIN, NULL, 0);

FIXTURE_SETUP(denied)
{
	struct wfp_ipsec_subscribe sub;
	struct wfp_ipsec_filter f;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	self->report = wfp_shared_mem(_metadata, 4096);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
				  &self->h), 0);
	/* One context in every state a command could act on. */
	ASSERT_EQ(new_ctx(self->h, R_CREATED, &self->t.created), 0);
	self->t.created2 = self->t.created;
	self->t.r_created = self->t.r_created2 = R_CREATED;
	ASSERT_EQ(key_ctx(self->h, R_SPI_SET, 0x1001, 0, KEY_A, KEY_A,
			  ST_SPI_SET, &self->t.spi_set), 0);
	self->t.spi_set_spi = 0x1001;
	ASSERT_EQ(key_ctx(self->h, R_INBOUND, 0x1002, 0, KEY_A, KEY_A,
			  ST_INBOUND, &self->t.inbound), 0);
	ASSERT_EQ(key_ctx(self->h, R_COMPLETE, 0x1003, 0x2003, KEY_A, KEY_A,
			  ST_COMPLETE, &self->t.complete), 0);
	self->t.doomed = self->t.complete;
	/* The administrator listens on a raw session of its own. */
	self->fd = wfp_session(_metadata);
	memset(&sub, 0, sizeof(sub));
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SUBSCRIBE, &sub), 0);
	self->t.sub = sub.id;
	self->t.escalate = true;
	/* A filter for FILTER_GET and OBJ_DELETE to name. */
	self->t.filter = filter_add(_metadata, self->fd, &FILTER_KEY, R_FILTER,
				    &f);
	self->states = sa_count(-1);
	self->policies = sp_count(-1);
	ASSERT_EQ(self->states, 4);	/* larval, inbound, 2 of complete */
	ASSERT_EQ(self->policies, 3);	/* complete's two, the filter's */
	/* uid 65534 must be able to open the node to be refused further. */
	ASSERT_EQ(chmod(WFP_IPSEC_DEVICE_PATH, 0666), 0);
	self->chmodded = true;
}

FIXTURE_TEARDOWN(denied)
{
	if (self->chmodded)
		chmod(WFP_IPSEC_DEVICE_PATH, NODE_MODE);
	if (self->h)
		FwpmEngineClose0(self->h);
	if (self->fd > 0)
		close(self->fd);
	if (self->report)
		munmap(self->report, 4096);
}

struct denied_arg {
	const FIXTURE_VARIANT(denied) *v;
	const struct targets *t;
	bool nobody;
	int *report;
};

/* The unprivileged side; the exit code says which check failed. */
static int denied_child(void *arg)
{
	const struct denied_arg *a = arg;
	struct wfp_ipsec_session_info info;
	union {
		__u64 align;
		__u8 b[ARGMAX];
	} buf;
	HANDLE h;
	int fd, err;

	if (a->nobody ? become_nobody() : drop_cap_net_admin())
		return 10;
	fd = wfp_open();
	if (fd < 0)
		return 11;
	if (a->v->cmd != WFP_IPSEC_IOC_HELLO && wfp_hello(fd, 0, NULL))
		return 12;
	if (a->v->cmd != WFP_IPSEC_IOC_HELLO &&
	    (wfp_info(fd, &info) || info.rights))
		return 13;
	cmd_arg(a->v->cmd, a->t, buf.b);
	if (a->v->type)
		cmd_obj_type(a->v->cmd, a->v->type, buf.b);
	if (a->v->cmd == CMD_READ) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		err = read(fd, buf.b, sizeof(buf.b)) < 0 ? errno : 0;
	} else {
		err = ioctl(fd, a->v->cmd, buf.b) ? errno : 0;
	}
	a->report[0] = err;
	if (err != a->v->want)
		return 14;
	if (a->v->cmd == WFP_IPSEC_IOC_SESSION_GET) {
		/* What it may learn: itself, and that it holds nothing. */
		struct wfp_ipsec_session_info *i = (void *)buf.b;

		if (i->rights || i->uid != (a->nobody ? NOBODY : 0) ||
		    i->pid != (__u32)getpid() || i->netns_cookie != netns_cookie())
			return 15;
	}
	close(fd);
	if (!a->v->lib)
		return 0;
	a->report[1] = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);
	if (a->report[1])
		return 16;
	a->report[1] = a->v->lib(h, a->t);
	FwpmEngineClose0(h);
	return (DWORD)a->report[1] == a->v->want_lib ? 0 : 17;
}

static void denied_run(struct __test_metadata *_metadata,
		       FIXTURE_DATA(denied) *self,
		       const FIXTURE_VARIANT(denied) *variant, bool nobody)
{
	struct denied_arg a = {
		.v = variant, .t = &self->t, .nobody = nobody,
		.report = self->report,
	};
	struct wfp_ipsec_filter f;
	struct wfp_ipsec_ctx_id un;
	struct wfp_ipsec_event ev;
	int rc;

	self->report[0] = self->report[1] = -1;
	rc = run_in_child(denied_child, &a);
	EXPECT_EQ(rc, 0) TH_LOG("step %d: errno %d (%s), want %d; library %s, want %s",
				rc, self->report[0], strerror(self->report[0]),
				variant->want, code_name(self->report[1]),
				code_name(variant->want_lib));

	/* Nothing changed, and the administrator heard of nothing. */
	EXPECT_EQ(ctx_state(self->fd, self->t.created), ST_CREATED);
	EXPECT_EQ(ctx_state(self->fd, self->t.spi_set), ST_SPI_SET);
	EXPECT_EQ(ctx_state(self->fd, self->t.inbound), ST_INBOUND);
	EXPECT_EQ(ctx_state(self->fd, self->t.complete), ST_COMPLETE);
	EXPECT_EQ(ctx_count(self->fd), 4);
	EXPECT_EQ(sa_count(-1), self->states);
	EXPECT_EQ(sp_count(-1), self->policies);
	EXPECT_EQ(grants_count(self->fd), 0);
	EXPECT_EQ(wfp_obj_count(self->fd, WFP_IPSEC_OBJ_FILTER), 1);
	filter_arg(WFP_IPSEC_IOC_FILTER_GET, &FILTER_KEY, 0, &f);
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_FILTER_GET, &f), 0);
	EXPECT_EQ(f.id, self->t.filter);
	fcntl(self->fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(read(self->fd, &ev, sizeof(ev)), -1);
	EXPECT_EQ(errno, EAGAIN);
	/* Its subscription is still its own to end. */
	memset(&un, 0, sizeof(un));
	un.id = self->t.sub;
	EXPECT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_UNSUBSCRIBE, &un), 0);
}

TEST_F(denied, root_without_cap_net_admin)
{
	denied_run(_metadata, self, variant, false);
}

TEST_F(denied, nobody)
{
	denied_run(_metadata, self, variant, true);
}

/* The node is 0600 root (sessions.rst): nobody cannot even open it. */
static int nobody_opens(void *arg)
{
	HANDLE h = (HANDLE)1;

	if (become_nobody())
		return 10;
	if (wfp_open() >= 0 || errno != EACCES)
		return 11;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) !=
	    ERROR_ACCESS_DENIED || h)
		return 12;
	return 0;
}

TEST(device_node_refuses_nobody)
{
	struct stat st;

	ASSERT_EQ(stat(WFP_IPSEC_DEVICE_PATH, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, NODE_MODE);
	EXPECT_EQ(run_in_child(nobody_opens, NULL), 0);
}

/* ================================================= FIXTURE userns */

#define P_REMOTE	V4(10, 77, 0, 2)
#define P_SPI_IN	0x7700a001U
#define P_SPI_OUT	0x7700b001U
#define Q_REMOTE	V4(10, 77, 0, 3)
#define C_REMOTE	V4(10, 78, 0, 2)
#define C_SPI_IN	0x7800a001U
#define C_SPI_OUT	0x7800b001U

static const UINT8 KEY_P[GCM_KEYLEN] = "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8"
	"\xa9\xaa\xab\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4";

FIXTURE(userns) {
	HANDLE h;		/* the administrator, initial namespace */
	int fd;
	UINT64 p;		/* its keyed context */
	UINT64 filter;		/* its filter's id */
	int grants;
	bool chmodded;
	int *report;
};

FIXTURE_SETUP(userns)
{
	struct wfp_ipsec_filter f;
	UINT64 q = 0;

	self->report = wfp_shared_mem(_metadata, 4096);
	/* The initial network namespace itself, not one of ours. */
	wfp_engine_open(_metadata, &self->h, &self->fd);
	/* Ids are counted per namespace and the child's new one starts at
	 * 1: p must be another number for "not found there" to mean
	 * anything.
	 */
	ASSERT_EQ(new_ctx(self->h, Q_REMOTE, &q), 0);
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, q), 0);
	ASSERT_EQ(key_ctx(self->h, P_REMOTE, P_SPI_IN, P_SPI_OUT, KEY_P, KEY_P,
			  ST_COMPLETE, &self->p), 0);
	ASSERT_GT(self->p, 1);
	self->filter = filter_add(_metadata, self->fd, &FILTER_KEY, R_FILTER,
				  &f);
	self->grants = grants_count(self->fd);
	ASSERT_GE(self->grants, 0);
	ASSERT_EQ(chmod(WFP_IPSEC_DEVICE_PATH, 0666), 0);
	self->chmodded = true;
}

FIXTURE_TEARDOWN(userns)
{
	if (self->chmodded)
		chmod(WFP_IPSEC_DEVICE_PATH, NODE_MODE);
	if (self->p)
		IPsecSaContextDeleteById0(self->h, self->p);
	if (self->filter)
		FwpmFilterDeleteById0(self->h, self->filter);
	if (self->h)
		FwpmEngineClose0(self->h);
	if (self->report)
		munmap(self->report, 4096);
}

struct userns_arg {
	UINT64 p, filter;
	int to_parent, from_parent;
	int *report;
	volatile unsigned int events;
	UINT64 last_event;
};

static void CALLBACK count_event(void *ctx, const IPSEC_SA_CONTEXT_CHANGE0 *c)
{
	struct userns_arg *a = ctx;

	a->last_event = c->saContextId;
	__atomic_fetch_add(&a->events, 1, __ATOMIC_RELAXED);
}

static bool wait_events(struct userns_arg *a, unsigned int n, int ms)
{
	while (a->events < n && ms > 0) {
		usleep(10000);
		ms -= 10;
	}
	return a->events >= n;
}

/*
 * FILTER_GET or OBJ_DELETE of FILTER_KEY's filter through fd, by key or
 * (id non-zero) by id: 0 or -errno.
 */
static int filter_by(int fd, unsigned long cmd, UINT64 id)
{
	struct wfp_ipsec_filter f;

	if (cmd == WFP_IPSEC_IOC_FILTER_GET) {
		filter_arg(cmd, &FILTER_KEY, 0, &f);
		if (id) {
			memset(f.key, 0, sizeof(f.key));
			f.id = id;
		}
		return wfp_test_ioctl(fd, cmd, &f);
	}
	/* The other cmd, OBJ_DELETE. */
	return wfp_obj_delete(fd, WFP_IPSEC_OBJ_FILTER,
			      id ? NULL : &FILTER_KEY, id);
}

/*
 * The initial namespace's filter does not exist in the child's: not by
 * key, not by id, not listed; a filter of that key is the child's to add
 * there, and to delete.
 */
static int userns_filters(const struct userns_arg *a, HANDLE h, int fd)
{
	struct wfp_ipsec_filter f;
	FWPM_FILTER0 *lf = NULL;

	if (filter_by(fd, WFP_IPSEC_IOC_FILTER_GET, 0) != -ENOENT ||
	    filter_by(fd, WFP_IPSEC_IOC_FILTER_GET, a->filter) != -ENOENT ||
	    filter_by(fd, WFP_IPSEC_IOC_OBJ_DELETE, 0) != -ENOENT ||
	    filter_by(fd, WFP_IPSEC_IOC_OBJ_DELETE, a->filter) != -ENOENT ||
	    wfp_obj_count(fd, WFP_IPSEC_OBJ_FILTER) != 0)
		return 1;
	if (FwpmFilterGetByKey0(h, &FILTER_KEY, &lf) !=
	    FWP_E_FILTER_NOT_FOUND ||
	    FwpmFilterGetById0(h, a->filter, &lf) != FWP_E_FILTER_NOT_FOUND)
		return 2;
	filter_arg(WFP_IPSEC_IOC_FILTER_ADD, &FILTER_KEY, C_REMOTE, &f);
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_FILTER_ADD, &f) ||
	    wfp_obj_count(fd, WFP_IPSEC_OBJ_FILTER) != 1 ||
	    filter_by(fd, WFP_IPSEC_IOC_OBJ_DELETE, f.id) ||
	    wfp_obj_count(fd, WFP_IPSEC_OBJ_FILTER) != 0)
		return 3;
	return 0;
}

/*
 * As nobody, a session of the initial namespace (*old, *oldfd), then a
 * user + network namespace of its own, root inside, nobody outside: the
 * old session stays bound to the initial namespace, with no rights.  0,
 * or the step that failed.
 */
static int userns_enter(const struct userns_arg *a, HANDLE *old, int *oldfd)
{
	struct wfp_ipsec_session_info info;
	IPSEC_SA_CONTEXT1 *c = NULL;
	__u64 init_cookie;

	if (become_nobody())
		return 10;
	init_cookie = netns_cookie();
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, old) ||
	    WfpIpsecEngineGetFd(*old, oldfd))
		return 11;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 12;
	/* The uid change made the process undumpable, its /proc files
	 * root's: make them its own again.
	 */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return 17;
	if (write_str("/proc/self/setgroups", "deny") ||
	    write_str("/proc/self/uid_map", "0 65534 1") ||
	    write_str("/proc/self/gid_map", "0 65534 1"))
		return 13;
	if (netns_cookie() == init_cookie)
		return 14;
	if (wfp_info(*oldfd, &info) || info.rights ||
	    info.netns_cookie != init_cookie)
		return 15;
	if (IPsecSaContextGetById1(*old, a->p, &c) != ERROR_ACCESS_DENIED ||
	    IPsecSaContextDeleteById0(*old, a->p) != ERROR_ACCESS_DENIED)
		return 16;
	if (filter_by(*oldfd, WFP_IPSEC_IOC_FILTER_GET, 0) != -EACCES ||
	    filter_by(*oldfd, WFP_IPSEC_IOC_OBJ_DELETE, 0) != -EACCES ||
	    wfp_obj_count(*oldfd, WFP_IPSEC_OBJ_FILTER) != -EACCES)
		return 18;
	return 0;
}

/* Its own namespace: a session with every right, a context keyed (*own). */
static int userns_own_ctx(HANDLE *h, int *fd, UINT64 *own)
{
	struct wfp_ipsec_session_info info;
	IPSEC_SA_CONTEXT1 *c = NULL;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, h) ||
	    WfpIpsecEngineGetFd(*h, fd))
		return 20;
	if (wfp_info(*fd, &info) || info.rights != __WFP_IPSEC_RIGHT_ALL ||
	    info.netns_cookie != netns_cookie() || info.uid != 0)
		return 21;
	if (key_ctx(*h, C_REMOTE, C_SPI_IN, C_SPI_OUT, KEY_A, KEY_A,
		    ST_COMPLETE, own))
		return 22;
	if (IPsecSaContextGetById1(*h, *own, &c) || !c->outboundSa ||
	    c->outboundSa->saBundle.numSAs != 1)
		return 23;
	FwpmFreeMemory0((void **)&c);
	if (xfrm_spi_count(C_SPI_IN) != 1 || xfrm_spi_count(C_SPI_OUT) != 1 ||
	    xfrm_spi_count(P_SPI_IN) != 0 || xfrm_spi_count(P_SPI_OUT) != 0)
		return 24;
	return 0;
}

/* The initial namespace's context does not exist here, to any call. */
static int userns_foreign_ctx(const struct userns_arg *a, HANDLE h, int fd)
{
	struct wfp_ipsec_ctx_update u;
	struct wfp_ipsec_ctx_sa gsa;
	struct wfp_ipsec_ctx_info ci;
	IPSEC_SA_CONTEXT1 *c = NULL;
	IPSEC_GETSPI1 g;
	struct bundle s;

	getspi_v4(&g, P_REMOTE);
	bundle_gcm(&s, P_SPI_IN, KEY_A);
	if (IPsecSaContextGetById1(h, a->p, &c) != FWP_E_NOT_FOUND ||
	    IPsecSaContextDeleteById0(h, a->p) != FWP_E_NOT_FOUND ||
	    IPsecSaContextExpire0(h, a->p) != FWP_E_NOT_FOUND ||
	    IPsecSaContextSetSpi0(h, a->p, &g, 0x4444) != FWP_E_NOT_FOUND ||
	    IPsecSaContextAddInbound1(h, a->p, &s.b) != FWP_E_NOT_FOUND ||
	    IPsecSaContextAddOutbound1(h, a->p, &s.b) != FWP_E_NOT_FOUND ||
	    WfpIpsecSaContextSetSelectors0(h, a->p, NULL, NULL, 0) !=
	    FWP_E_NOT_FOUND)
		return 30;
	if (raw_get(fd, a->p, &ci) != -ENOENT)
		return 31;
	memset(&gsa, 0, sizeof(gsa));
	gsa.id = a->p;
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_GET_SA, &gsa) != -ENOENT)
		return 32;
	memset(&u, 0, sizeof(u));
	u.id = a->p;
	u.flags = WFP_IPSEC_UPD_F_MM_SA_ID;
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_CTX_UPDATE, &u) != -ENOENT)
		return 33;
	return userns_filters(a, h, fd) ? 34 : 0;
}

/*
 * Enumerations and statistics show its own things only; it may grant
 * rights in its namespace, and only there.
 */
static int userns_reads(HANDLE h, int fd, int oldfd, UINT64 own)
{
	IPSEC_SA_DETAILS1 **sas = NULL;
	IPSEC_SA_CONTEXT1 **e = NULL;
	struct wfp_ipsec_rights r;
	IPSEC_STATISTICS1 st;
	HANDLE en;
	UINT32 n;

	if (IPsecSaContextCreateEnumHandle0(h, NULL, &en) ||
	    IPsecSaContextEnum1(h, en, 100, &e, &n) || n != 1 ||
	    e[0]->saContextId != own)
		return 40;
	FwpmFreeMemory0((void **)&e);
	IPsecSaContextDestroyEnumHandle0(h, en);
	if (IPsecSaCreateEnumHandle0(h, NULL, &en) ||
	    IPsecSaEnum1(h, en, 100, &sas, &n) || n != 2)
		return 41;
	FwpmFreeMemory0((void **)&sas);
	IPsecSaDestroyEnumHandle0(h, en);
	if (IPsecGetStatistics1(h, &st) ||
	    st.aggregateSaStatistics.activeSas != 2)
		return 42;
	wfp_one_grant(&r, WFP_IPSEC_GRANT_USER, 0, WFP_IPSEC_RIGHT_READ);
	if (wfp_test_ioctl(fd, WFP_IPSEC_IOC_RIGHTS_SET, &r) ||
	    grants_count(fd) != 1)
		return 43;
	if (wfp_test_ioctl(oldfd, WFP_IPSEC_IOC_RIGHTS_SET, &r) != -EPERM)
		return 44;
	return 0;
}

/*
 * It hears nothing of the initial namespace's changes, and its own,
 * through another session, at once; then its contexts go.
 */
static int userns_events(struct userns_arg *a, HANDLE h, UINT64 own)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	UINT64 other = 0;
	HANDLE h2, ev;
	char b;

	memset(&sub, 0, sizeof(sub));
	if (IPsecSaContextSubscribe0(h, &sub, count_event, a, &ev))
		return 50;
	if (write(a->to_parent, "s", 1) != 1 ||
	    read(a->from_parent, &b, 1) != 1)
		return 51;
	usleep(500000);
	if (a->events)
		return 52;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h2) ||
	    new_ctx(h2, C_REMOTE + 1, &other))
		return 53;
	if (!wait_events(a, 1, 5000) || a->last_event != other)
		return 54;
	IPsecSaContextUnsubscribe0(h, ev);
	if (IPsecSaContextDeleteById0(h, own) ||
	    IPsecSaContextDeleteById0(h2, other))
		return 55;
	FwpmEngineClose0(h2);
	return 0;
}

/* uid 65534, then a user + network namespace of its own: each step. */
static int userns_child(struct userns_arg *a)
{
	HANDLE old, h;
	UINT64 own = 0;
	int oldfd, fd, ret;

	ret = userns_enter(a, &old, &oldfd);
	if (ret)
		return ret;
	ret = userns_own_ctx(&h, &fd, &own);
	if (ret)
		return ret;
	ret = userns_foreign_ctx(a, h, fd);
	if (ret)
		return ret;
	ret = userns_reads(h, fd, oldfd, own);
	if (ret)
		return ret;
	ret = userns_events(a, h, own);
	if (ret)
		return ret;
	FwpmEngineClose0(h);
	FwpmEngineClose0(old);
	return 0;
}

TEST_F_TIMEOUT(userns, owner_manages_only_its_own_namespace, 120)
{
	struct userns_arg *a = (void *)self->report;
	int p2c[2], c2p[2], st;
	UINT64 q = 0;
	pid_t pid;
	char b;

	memset(a, 0, sizeof(*a));
	a->p = self->p;
	a->filter = self->filter;
	ASSERT_EQ(pipe(p2c), 0);
	ASSERT_EQ(pipe(c2p), 0);
	a->to_parent = c2p[1];
	a->from_parent = p2c[0];
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid)
		_exit(userns_child(a));
	/* Only the child writes: its exit ends the wait below. */
	close(c2p[1]);
	close(p2c[0]);
	/* Changes in the initial namespace while the child listens. */
	if (read(c2p[0], &b, 1) == 1) {
		EXPECT_EQ(new_ctx(self->h, Q_REMOTE, &q), 0);
		EXPECT_EQ(IPsecSaContextDeleteById0(self->h, q), 0);
		EXPECT_EQ(write(p2c[1], "c", 1), 1);
	}
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("child failed at step %d", WEXITSTATUS(st));

	/* The initial namespace's context and grants are as they were. */
	EXPECT_EQ(ctx_state(self->fd, self->p), ST_COMPLETE);
	EXPECT_EQ(xfrm_spi_count(P_SPI_IN), 1);
	EXPECT_EQ(xfrm_spi_count(P_SPI_OUT), 1);
	EXPECT_EQ(xfrm_spi_count(C_SPI_IN), 0);
	EXPECT_EQ(grants_count(self->fd), self->grants);
	EXPECT_EQ(filter_by(self->fd, WFP_IPSEC_IOC_FILTER_GET, self->filter),
		  0);
	EXPECT_GE(sa_count(-1), 2);
	close(p2c[1]);
	close(c2p[0]);
}

/* ================================================= FIXTURE leak */

static bool kernel_like(__u64 v)
{
	/* x86-64 kernel half: direct map, vmalloc, text, modules. */
	return v >= 0xffff800000000000ULL;
}

/*
 * The offset of the first 8-byte word that looks like a kernel address,
 * skipping [skip, skip + skip_len); -1 if none.
 */
static long find_kernel_ptr(const void *buf, size_t len, size_t skip,
			    size_t skip_len)
{
	const __u8 *p = buf;
	size_t off;
	__u64 v;

	for (off = 0; off + 8 <= len; off += 8) {
		if (off + 8 > skip && off < skip + skip_len)
			continue;
		memcpy(&v, p + off, 8);
		if (kernel_like(v))
			return (long)off;
	}
	return -1;
}

static bool all_bytes(const void *p, size_t len, __u8 v)
{
	const __u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != v)
			return false;
	return true;
}

/* The first offset where a and b differ outside the masked ranges. */
static long diff_masked(const void *a, const void *b, size_t len,
			const size_t (*mask)[2], int nmask)
{
	const __u8 *x = a, *y = b;
	size_t i;
	int m;

	for (i = 0; i < len; i++) {
		for (m = 0; m < nmask; m++)
			if (i >= mask[m][0] && i < mask[m][0] + mask[m][1])
				break;
		if (m == nmask && x[i] != y[i])
			return (long)i;
	}
	return -1;
}

#define FIELD(type, f)	{ offsetof(type, f), sizeof(((type *)0)->f) }
/* The reserved fields most structures have. */
#define RESERVED(type)	FIELD(type, reserved0), FIELD(type, reserved)

static const __u8 PATTERN[2] = { 0xa5, 0x5a };

FIXTURE(leak) {
	HANDLE h;
	int fd;			/* raw administrator session, subscribed */
	UINT64 sub;
	UINT64 complete;	/* keyed, AES-GCM-128 */
	UINT32 next;		/* remote addresses handed out */
};

FIXTURE_SETUP(leak)
{
	struct wfp_ipsec_subscribe s;
	struct wfp_ipsec_rights r;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
				  &self->h), 0);
	ASSERT_EQ(key_ctx(self->h, V4(10, 0, 2, 1), 0x3001, 0x4001, KEY_A,
			  KEY_A, ST_COMPLETE, &self->complete), 0);
	self->next = V4(10, 0, 3, 1);
	self->fd = wfp_session(_metadata);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SUBSCRIBE, &s), 0);
	self->sub = s.id;
	/* A grant, so RIGHTS_GET has an entry to report. */
	wfp_one_grant(&r, WFP_IPSEC_GRANT_USER, 1234, WFP_IPSEC_RIGHT_READ);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_RIGHTS_SET, &r), 0);
}

FIXTURE_TEARDOWN(leak)
{
	if (self->h)
		FwpmEngineClose0(self->h);
	if (self->fd > 0)
		close(self->fd);
}

/* Reserved fields zero, nothing kernel-like; logs each offence. */
static void expect_clean(struct __test_metadata *_metadata, const char *what,
			 const void *buf, size_t len,
			 const size_t (*reserved)[2], int nres,
			 size_t skip, size_t skip_len)
{
	long off = find_kernel_ptr(buf, len, skip, skip_len);
	int i;

	EXPECT_EQ(off, -1) TH_LOG("%s: kernel-like word at offset %ld", what,
				  off);
	for (i = 0; i < nres; i++) {
		EXPECT_TRUE(all_bytes((const __u8 *)buf + reserved[i][0],
				      reserved[i][1], 0))
			TH_LOG("%s: reserved bytes at %zu not zero", what,
			       reserved[i][0]);
	}
}

/* expect_clean() of all of *p, its reserved ranges the array res. */
#define EXPECT_CLEAN(what, p, res)					\
	expect_clean(_metadata, what, p, sizeof(*(p)), res,		\
		     ARRAY_SIZE(res), 0, 0)

TEST_F(leak, hello)
{
	static const size_t out[][2] = {
		FIELD(struct wfp_ipsec_hello, features),
		FIELD(struct wfp_ipsec_hello, session_id),
		FIELD(struct wfp_ipsec_hello, session_key),
	};
	static const size_t res[][2] = { RESERVED(struct wfp_ipsec_hello) };
	struct wfp_ipsec_hello h[2];
	int i, fd;

	for (i = 0; i < 2; i++) {
		fd = wfp_open();
		ASSERT_GE(fd, 0);
		memset(&h[i], 0, sizeof(h[i]));
		h[i].abi_version = WFP_IPSEC_ABI_VERSION;
		/* Output-only fields are not checked on input. */
		memset(&h[i].features, PATTERN[i], sizeof(h[i].features));
		memset(&h[i].session_id, PATTERN[i], sizeof(h[i].session_id));
		ASSERT_EQ(wfp_test_ioctl(fd, WFP_IPSEC_IOC_HELLO, &h[i]), 0);
		close(fd);
		expect_clean(_metadata, "HELLO", &h[i], sizeof(h[i]), res, 2,
			     out[2][0], out[2][1]);
		EXPECT_EQ(h[i].features, __WFP_IPSEC_FEAT_ALL);
		EXPECT_EQ(h[i].abi_version, WFP_IPSEC_ABI_VERSION);
		EXPECT_FALSE(all_bytes(&h[i].session_id, 8, PATTERN[i]));
	}
	/* Session ids and random keys differ; nothing else may. */
	EXPECT_EQ(diff_masked(&h[0], &h[1], sizeof(h[0]), &out[1], 2), -1);
	EXPECT_NE(h[0].session_id, h[1].session_id);
}

TEST_F(leak, session_get)
{
	static const size_t key[2] = {
		offsetof(struct wfp_ipsec_session_info, session_key), 16 };
	static const size_t res[][2] = {
		RESERVED(struct wfp_ipsec_session_info),
	};
	struct wfp_ipsec_session_info s[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&s[i], PATTERN[i], sizeof(s[i]));
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SESSION_GET, &s[i]), 0);
		expect_clean(_metadata, "SESSION_GET", &s[i], sizeof(s[i]), res,
			     2, key[0], key[1]);
	}
	EXPECT_EQ(diff_masked(&s[0], &s[1], sizeof(s[0]), NULL, 0), -1);
	EXPECT_EQ(s[0].pid, (__u32)getpid());
	EXPECT_EQ(s[0].uid, 0);
	EXPECT_EQ(s[0].netns_cookie, netns_cookie());
	EXPECT_EQ(s[0].rights, __WFP_IPSEC_RIGHT_ALL);
}

TEST_F(leak, ctx_create)
{
	static const size_t out[][2] = {
		FIELD(struct wfp_ipsec_ctx_create, id),
	};
	static const size_t res[][2] = {
		RESERVED(struct wfp_ipsec_ctx_create),
		FIELD(struct wfp_ipsec_ctx_create, inbound_filter_id),
		FIELD(struct wfp_ipsec_ctx_create, traffic.reserved0),
		FIELD(struct wfp_ipsec_ctx_create, traffic.reserved1),
	};
	struct wfp_ipsec_ctx_create c[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		ktraffic(&c[i].traffic, V4(10, 0, 4, 1));
		memset(&c[i].id, PATTERN[i], sizeof(c[i].id));
		memset(&c[i].inbound_filter_id, PATTERN[i],
		       sizeof(c[i].inbound_filter_id));
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_CREATE, &c[i]), 0);
		EXPECT_CLEAN("CTX_CREATE", &c[i], res);
		EXPECT_FALSE(all_bytes(&c[i].id, 8, PATTERN[i]));
	}
	EXPECT_EQ(diff_masked(&c[0], &c[1], sizeof(c[0]), out, 1), -1);
	EXPECT_EQ(c[1].id, c[0].id + 1);
}

static const size_t INFO_RES[][2] = {
	FIELD(struct wfp_ipsec_ctx_info, reserved1),
	FIELD(struct wfp_ipsec_ctx_info, reserved),
	FIELD(struct wfp_ipsec_ctx_info, traffic.reserved0),
	FIELD(struct wfp_ipsec_ctx_info, traffic.reserved1),
	FIELD(struct wfp_ipsec_ctx_info, inbound.reserved0),
	FIELD(struct wfp_ipsec_ctx_info, inbound.reserved1),
};

TEST_F(leak, ctx_get)
{
	struct wfp_ipsec_ctx_info c[2];
	int i;

	/* Everything but the id must be zero on input: no prefill. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(raw_get(self->fd, self->complete, &c[i]), 0);
		EXPECT_CLEAN("CTX_GET", &c[i], INFO_RES);
	}
	EXPECT_EQ(diff_masked(&c[0], &c[1], sizeof(c[0]), NULL, 0), -1);
	EXPECT_EQ(c[0].state, ST_COMPLETE);
	EXPECT_EQ(c[0].inbound_spi, 0x3001);
}

TEST_F(leak, ctx_enum)
{
	static struct wfp_ipsec_ctx_info buf[2][8];
	static const size_t res[][2] = {
		FIELD(struct wfp_ipsec_ctx_enum, reserved),
		FIELD(struct wfp_ipsec_ctx_enum, local.reserved),
		FIELD(struct wfp_ipsec_ctx_enum, remote.reserved),
	};
	struct wfp_ipsec_ctx_enum e[2];
	UINT64 id;
	int i, j;

	/* Two more contexts: three to report into room for eight. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(key_ctx(self->h, V4(10, 0, 5, 1 + i), 0x5001 + i, 0,
				  KEY_A, KEY_A, ST_SPI_SET, &id), 0);
	}
	for (i = 0; i < 2; i++) {
		memset(buf[i], PATTERN[i], sizeof(buf[i]));
		memset(&e[i], 0, sizeof(e[i]));
		e[i].entries = (__u64)(uintptr_t)buf[i];
		e[i].max_entries = 8;
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e[i]), 0);
		ASSERT_EQ(e[i].count, 3);
		expect_clean(_metadata, "CTX_ENUM", &e[i], sizeof(e[i]), res, 3,
			     offsetof(struct wfp_ipsec_ctx_enum, entries), 8);
		for (j = 0; j < 3; j++)
			EXPECT_CLEAN("CTX_ENUM entry", &buf[i][j], INFO_RES);
		/* Not one byte past the count. */
		EXPECT_TRUE(all_bytes(&buf[i][3], 5 * sizeof(buf[i][0]),
				      PATTERN[i]));
	}
	EXPECT_EQ(diff_masked(buf[0], buf[1], 3 * sizeof(buf[0][0]), NULL, 0),
		  -1);
}

TEST_F(leak, ctx_get_spi)
{
	static const size_t out[][2] = {
		FIELD(struct wfp_ipsec_spi, id),
		FIELD(struct wfp_ipsec_spi, spi),
		FIELD(struct wfp_ipsec_spi, inbound.remote_addr),
	};
	static const size_t res[][2] = { RESERVED(struct wfp_ipsec_spi) };
	struct wfp_ipsec_spi s[2];
	UINT64 id;
	int i;

	for (i = 0; i < 2; i++) {
		UINT32 remote = self->next++;

		ASSERT_EQ(new_ctx(self->h, remote, &id), 0);
		memset(&s[i], 0, sizeof(s[i]));
		s[i].id = id;
		ktraffic(&s[i].inbound, remote);
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_GET_SPI, &s[i]), 0);
		EXPECT_CLEAN("CTX_GET_SPI", &s[i], res);
		EXPECT_GE(s[i].spi, 0xd0000000U);
		EXPECT_LE(s[i].spi, 0xdfffffffU);
	}
	EXPECT_EQ(diff_masked(&s[0], &s[1], sizeof(s[0]), out, 3), -1);
}

/* ADD_*: a status on success and on failure, the rest as given. */
static void add_twice(struct __test_metadata *_metadata,
		      FIXTURE_DATA(leak) *self, bool inbound, bool fail)
{
	static const size_t st[][2] = {
		FIELD(struct wfp_ipsec_ctx_add, status),
	};
	unsigned long cmd = inbound ? WFP_IPSEC_IOC_CTX_ADD_INBOUND :
				      WFP_IPSEC_IOC_CTX_ADD_OUTBOUND;
	struct wfp_ipsec_ctx_add a, in;
	UINT64 id;
	int i;

	for (i = 0; i < 2; i++) {
		UINT32 remote = self->next++;

		ASSERT_EQ(key_ctx(self->h, remote, 0x6100 + remote % 256, 0,
				  KEY_A, KEY_A, inbound ? ST_SPI_SET : ST_INBOUND,
				  &id), 0);
		kadd_gcm(&a, id, inbound ? 0x6100 + remote % 256 :
			 0x6200 + remote % 256, KEY_A);
		if (fail)
			a.bundle.sas[0].cipher_key_len = GCM_KEYLEN - 1;
		memset(&a.status, PATTERN[i], sizeof(a.status));
		in = a;
		ASSERT_EQ(wfp_test_ioctl(self->fd, cmd, &a), fail ? -EINVAL : 0);
		EXPECT_EQ(a.status, fail ? WFP_IPSEC_ADD_ST_KEY_LENGTH :
			  WFP_IPSEC_ADD_ST_OK);
		EXPECT_EQ(a.reserved0, 0);
		/* Copied back as it came, keys pointers included. */
		EXPECT_EQ(diff_masked(&a, &in, sizeof(a), st, 1), -1);
		EXPECT_EQ(find_kernel_ptr(&a, sizeof(a), 0, 0), -1);
	}
}

TEST_F(leak, ctx_add_inbound)
{
	add_twice(_metadata, self, true, false);
}

TEST_F(leak, ctx_add_outbound)
{
	add_twice(_metadata, self, false, false);
}

TEST_F(leak, ctx_add_inbound_refused_status)
{
	add_twice(_metadata, self, true, true);
}

TEST_F(leak, ctx_add_outbound_refused_status)
{
	add_twice(_metadata, self, false, true);
}

TEST_F(leak, ctx_get_sa)
{
	static const size_t res[][2] = {
		RESERVED(struct wfp_ipsec_ctx_sa),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.reserved0),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].reserved0),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].reserved1),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].reserved),
		/* No key, no key pointer, ever (sa.rst). */
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].auth_key_len),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].cipher_key_len),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].auth_key),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[0].cipher_key),
		FIELD(struct wfp_ipsec_ctx_sa, bundle.sas[1]),
	};
	struct wfp_ipsec_ctx_sa g[2];
	int dir, i;

	for (dir = 0; dir < 2; dir++) {
		for (i = 0; i < 2; i++) {
			memset(&g[i], 0, sizeof(g[i]));
			g[i].id = self->complete;
			g[i].dir = dir;
			ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_GET_SA,
					    &g[i]), 0);
			EXPECT_CLEAN("CTX_GET_SA", &g[i], res);
		}
		EXPECT_EQ(diff_masked(&g[0], &g[1], sizeof(g[0]), NULL, 0), -1);
		EXPECT_EQ(g[0].bundle.sas[0].spi, dir ? 0x3001 : 0x4001);
		EXPECT_EQ(g[0].bundle.lifetime_seconds, 3600);
	}
}

TEST_F(leak, stats)
{
	static const size_t res[][2] = {
		FIELD(struct wfp_ipsec_stats, reserved),
		FIELD(struct wfp_ipsec_stats, in.reserved),
		FIELD(struct wfp_ipsec_stats, out.reserved),
	};
	struct wfp_ipsec_stats s[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&s[i], PATTERN[i], sizeof(s[i]));
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_STATS, &s[i]), 0);
		expect_clean(_metadata, "STATS", &s[i], sizeof(s[i]), res, 3,
			     0, 0);
	}
	EXPECT_EQ(diff_masked(&s[0], &s[1], sizeof(s[0]), NULL, 0), -1);
	EXPECT_EQ(s[0].active_sas, 2);
}

TEST_F(leak, rights_get)
{
	static const size_t res[][2] = {
		FIELD(struct wfp_ipsec_rights, reserved0),
		FIELD(struct wfp_ipsec_rights, grants[0].reserved),
		/* Unused grants: all zero. */
		{ offsetof(struct wfp_ipsec_rights, grants[1]),
		  (WFP_IPSEC_GRANTS_MAX - 1) * sizeof(struct wfp_ipsec_grant) },
	};
	struct wfp_ipsec_rights r[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&r[i], PATTERN[i], sizeof(r[i]));
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_RIGHTS_GET, &r[i]), 0);
		EXPECT_CLEAN("RIGHTS_GET", &r[i], res);
	}
	EXPECT_EQ(diff_masked(&r[0], &r[1], sizeof(r[0]), NULL, 0), -1);
	EXPECT_EQ(r[0].count, 1);
	EXPECT_EQ(r[0].grants[0].id, 1234);
}

TEST_F(leak, subscribe)
{
	static const size_t out[][2] = {
		FIELD(struct wfp_ipsec_subscribe, id),
	};
	static const size_t res[][2] = { RESERVED(struct wfp_ipsec_subscribe) };
	struct wfp_ipsec_subscribe s[2];
	int i;

	for (i = 0; i < 2; i++) {
		memset(&s[i], 0, sizeof(s[i]));
		memset(&s[i].id, PATTERN[i], sizeof(s[i].id));
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SUBSCRIBE, &s[i]), 0);
		EXPECT_CLEAN("SUBSCRIBE", &s[i], res);
		EXPECT_FALSE(all_bytes(&s[i].id, 8, PATTERN[i]));
	}
	EXPECT_EQ(diff_masked(&s[0], &s[1], sizeof(s[0]), out, 1), -1);
}

/* read(2): whole records, nothing past them, no stale bytes in them. */
TEST_F(leak, event_read)
{
	struct wfp_ipsec_event ev[2][5];
	UINT64 id[2][2];
	ssize_t n;
	int i, j;

	for (i = 0; i < 2; i++) {
		/* Another session: ADD, ADD, DELETE. */
		for (j = 0; j < 2; j++) {
			ASSERT_EQ(new_ctx(self->h, self->next++, &id[i][j]), 0);
		}
		ASSERT_EQ(IPsecSaContextDeleteById0(self->h, id[i][0]), 0);
		memset(ev[i], PATTERN[i], sizeof(ev[i]));
		/* Room for four and a half: three come, and nothing else. */
		n = read(self->fd, ev[i], 4 * sizeof(ev[i][0]) + 16);
		ASSERT_EQ(n, 3 * (ssize_t)sizeof(ev[i][0]));
		EXPECT_TRUE(all_bytes(&ev[i][3], 2 * sizeof(ev[i][0]),
				      PATTERN[i]));
		for (j = 0; j < 3; j++) {
			EXPECT_EQ(ev[i][j].reserved0, 0);
			EXPECT_EQ(ev[i][j].dropped, 0);
			EXPECT_EQ(ev[i][j].subscription, self->sub);
			EXPECT_EQ(find_kernel_ptr(&ev[i][j], sizeof(ev[i][j]),
						  0, 0), -1);
		}
		EXPECT_EQ(ev[i][0].type, WFP_IPSEC_EVENT_ADD);
		EXPECT_EQ(ev[i][0].context, id[i][0]);
		EXPECT_EQ(ev[i][1].type, WFP_IPSEC_EVENT_ADD);
		EXPECT_EQ(ev[i][1].context, id[i][1]);
		EXPECT_EQ(ev[i][2].type, WFP_IPSEC_EVENT_DELETE);
		EXPECT_EQ(ev[i][2].context, id[i][0]);
	}
}

static const size_t FILTER_RES[][2] = {
	FIELD(struct wfp_ipsec_filter, reserved),
};

/*
 * FILTER_ADD takes its output fields only as zero: no pattern there, but
 * reserved bytes zero, nothing kernel-like, and two adds that differ in
 * key and address alone reply alike but for the key and the id.
 */
TEST_F(leak, filter_add)
{
	static const size_t out[][2] = {
		FIELD(struct wfp_ipsec_filter, key),
		FIELD(struct wfp_ipsec_filter, id),
	};
	struct wfp_ipsec_filter f[2];
	int i;

	for (i = 0; i < 2; i++) {
		filter_add(_metadata, self->fd, i ? &FILTER_KEY2 : &FILTER_KEY,
			   V4(10, 0, 9, 1 + i), &f[i]);
		EXPECT_CLEAN("FILTER_ADD", &f[i], FILTER_RES);
		EXPECT_NE(f[i].id, 0);
		EXPECT_NE(f[i].effective_weight, 0);
		EXPECT_EQ(f[i].nr_policies, 1);
		EXPECT_EQ(f[i].reqid, 0);
		EXPECT_EQ(f[i].pctx_id, 0);
	}
	EXPECT_EQ(diff_masked(&f[0], &f[1], sizeof(f[0]), out, 2), -1);
	EXPECT_NE(f[0].id, f[1].id);
}

/*
 * FILTER_GET by key, then by id, into rooms prefilled with 0xA5 and 0x5A:
 * the condition and name written, not a byte past them, reserved bytes
 * zero, both replies alike but for the rooms' pointers.
 */
TEST_F(leak, filter_get)
{
	static const size_t ptrs[][2] = {
		FIELD(struct wfp_ipsec_filter, conds),
		FIELD(struct wfp_ipsec_filter, name),
	};
	static const size_t cres[][2] = {
		FIELD(struct wfp_ipsec_filter_cond, reserved0),
	};
	struct wfp_ipsec_filter_cond conds[2][4];
	char name[2][WFP_IPSEC_OBJ_NAME_MAX];
	struct wfp_ipsec_filter f[2];
	__u64 id;
	int i;

	id = filter_add(_metadata, self->fd, &FILTER_KEY, V4(10, 0, 9, 9),
			&f[0]);
	for (i = 0; i < 2; i++) {
		memset(conds[i], PATTERN[i], sizeof(conds[i]));
		memset(name[i], PATTERN[i], sizeof(name[i]));
		memset(&f[i], 0, sizeof(f[i]));
		if (i)
			f[i].id = id;
		else
			memcpy(f[i].key, &FILTER_KEY, sizeof(f[i].key));
		f[i].conds = (__u64)(uintptr_t)conds[i];
		f[i].num_conds = ARRAY_SIZE(conds[i]);
		f[i].name = (__u64)(uintptr_t)name[i];
		f[i].name_len = sizeof(name[i]);
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_FILTER_GET,
					 &f[i]), 0);
		EXPECT_CLEAN("FILTER_GET", &f[i], FILTER_RES);
		EXPECT_CLEAN("FILTER_GET condition", &conds[i][0], cres);
		ASSERT_EQ(f[i].num_conds, 1);
		ASSERT_EQ(f[i].name_len, 8);
		EXPECT_EQ(f[i].id, id);
		/* Not one byte past what the filter has. */
		EXPECT_TRUE(all_bytes(&conds[i][1], 3 * sizeof(conds[i][0]),
				      PATTERN[i]));
		EXPECT_TRUE(all_bytes(name[i] + 8, sizeof(name[i]) - 8,
				      PATTERN[i]));
	}
	EXPECT_EQ(diff_masked(&f[0], &f[1], sizeof(f[0]), ptrs, 2), -1);
	EXPECT_EQ(memcmp(&conds[0][0], &conds[1][0], sizeof(conds[0][0])), 0);
	EXPECT_EQ(memcmp(name[0], name[1], 8), 0);
}

/* OBJ_ENUM of filters: two keys into room for eight, none past them. */
TEST_F(leak, obj_enum_filter)
{
	static const size_t res[][2] = { RESERVED(struct wfp_ipsec_obj_enum) };
	__u8 keys[2][8][WFP_IPSEC_OBJ_KEY_LEN];
	struct wfp_ipsec_obj_enum e[2];
	struct wfp_ipsec_filter f;
	int i;

	for (i = 0; i < 2; i++)
		filter_add(_metadata, self->fd, i ? &FILTER_KEY2 : &FILTER_KEY,
			   V4(10, 0, 9, 1 + i), &f);
	for (i = 0; i < 2; i++) {
		memset(keys[i], PATTERN[i], sizeof(keys[i]));
		memset(&e[i], 0, sizeof(e[i]));
		e[i].type = WFP_IPSEC_OBJ_FILTER;
		e[i].keys = (__u64)(uintptr_t)keys[i];
		e[i].max_entries = 8;
		ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_OBJ_ENUM,
					 &e[i]), 0);
		ASSERT_EQ(e[i].count, 2);
		EXPECT_CLEAN("OBJ_ENUM of filters", &e[i], res);
		EXPECT_TRUE(all_bytes(keys[i][2], 6 * WFP_IPSEC_OBJ_KEY_LEN,
				      PATTERN[i]));
	}
	EXPECT_EQ(memcmp(keys[0], keys[1], 2 * WFP_IPSEC_OBJ_KEY_LEN), 0);
	EXPECT_EQ(memcmp(keys[0][0], &FILTER_KEY, WFP_IPSEC_OBJ_KEY_LEN), 0);
	EXPECT_EQ(memcmp(keys[0][1], &FILTER_KEY2, WFP_IPSEC_OBJ_KEY_LEN), 0);
}

/*
 * Every command, successful, with guard bytes after its structure: the
 * module writes neither past the structure nor, for the commands without
 * a reply (_IOW), into it.
 */
TEST_F(leak, replies_stay_in_their_structure)
{
	static const unsigned long cmds[] = {
		WFP_IPSEC_IOC_HELLO, WFP_IPSEC_IOC_SESSION_GET,
		WFP_IPSEC_IOC_CTX_CREATE, WFP_IPSEC_IOC_CTX_GET,
		WFP_IPSEC_IOC_CTX_ENUM, WFP_IPSEC_IOC_CTX_SET_SELECTORS,
		WFP_IPSEC_IOC_CTX_SET_SPI, WFP_IPSEC_IOC_CTX_GET_SPI,
		WFP_IPSEC_IOC_CTX_ADD_INBOUND, WFP_IPSEC_IOC_CTX_ADD_OUTBOUND,
		WFP_IPSEC_IOC_CTX_GET_SA, WFP_IPSEC_IOC_STATS,
		WFP_IPSEC_IOC_RIGHTS_GET, WFP_IPSEC_IOC_SUBSCRIBE,
		WFP_IPSEC_IOC_CTX_UPDATE, WFP_IPSEC_IOC_CTX_EXPIRE,
		WFP_IPSEC_IOC_CTX_DELETE, WFP_IPSEC_IOC_UNSUBSCRIBE,
		WFP_IPSEC_IOC_RIGHTS_SET, WFP_IPSEC_IOC_OBJ_ADD,
		WFP_IPSEC_IOC_OBJ_GET, WFP_IPSEC_IOC_OBJ_ENUM,
		WFP_IPSEC_IOC_OBJ_DELETE, WFP_IPSEC_IOC_FILTER_ADD,
		WFP_IPSEC_IOC_FILTER_GET,
	};
	union {
		__u64 align;
		__u8 b[ARGMAX + 64];
	} buf, before;
	struct targets o;
	unsigned int i;
	size_t size;
	int fd, rc;

	memset(&o, 0, sizeof(o));
	o.r_created = self->next++;
	o.r_created2 = self->next++;
	ASSERT_EQ(new_ctx(self->h, o.r_created, &o.created), 0);
	ASSERT_EQ(new_ctx(self->h, o.r_created2, &o.created2), 0);
	o.spi_set_spi = 0x8101;
	ASSERT_EQ(key_ctx(self->h, self->next++, o.spi_set_spi, 0, KEY_A, KEY_A,
			  ST_SPI_SET, &o.spi_set), 0);
	ASSERT_EQ(key_ctx(self->h, self->next++, 0x8103, 0, KEY_A, KEY_A,
			  ST_INBOUND, &o.inbound), 0);
	ASSERT_EQ(new_ctx(self->h, self->next++, &o.doomed), 0);
	o.complete = self->complete;
	o.sub = self->sub;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		size = _IOC_SIZE(cmds[i]);
		ASSERT_LE(size, ARGMAX);
		memset(buf.b, 0xa5, sizeof(buf.b));
		cmd_arg(cmds[i], &o, buf.b);
		memcpy(before.b, buf.b, sizeof(buf.b));
		fd = cmds[i] == WFP_IPSEC_IOC_HELLO ? wfp_open() : self->fd;
		ASSERT_GE(fd, 0);
		rc = wfp_test_ioctl(fd, cmds[i], buf.b);
		if (fd != self->fd)
			close(fd);
		EXPECT_EQ(rc, 0)
			TH_LOG("cmd nr %#x", (unsigned int)_IOC_NR(cmds[i]));
		EXPECT_TRUE(all_bytes(buf.b + size, sizeof(buf.b) - size, 0xa5))
			TH_LOG("cmd nr %#x wrote past its %zu bytes",
			       (unsigned int)_IOC_NR(cmds[i]), size);
		if (!(_IOC_DIR(cmds[i]) & _IOC_READ))
			EXPECT_EQ(memcmp(buf.b, before.b, size), 0)
				TH_LOG("cmd nr %#x has no reply, yet wrote",
				       (unsigned int)_IOC_NR(cmds[i]));
	}
}

/* ================================================= FIXTURE keys */

#define K_GCM_IN	0
#define K_GCM_OUT	1
#define K_CBC_IN	2
#define K_SHA_IN	3
#define K_CBC_OUT	4
#define K_SHA_OUT	5
#define NKEYS		6

static const size_t KEY_LENS[NKEYS] = {
	GCM_KEYLEN, GCM_KEYLEN, CBC_KEYLEN, SHA_KEYLEN, CBC_KEYLEN, SHA_KEYLEN,
};

/* Distinctive keys: a fixed xorshift stream, no byte zero. */
static void make_keys(UINT8 keys[NKEYS][SHA_KEYLEN])
{
	UINT64 x = 0x9e3779b97f4a7c15ULL;
	int k, i;

	for (k = 0; k < NKEYS; k++)
		for (i = 0; i < SHA_KEYLEN; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			keys[k][i] = (UINT8)(x >> 24) | 1;
		}
}

/* Whether buf holds any 8-byte run of any key; logs where (what != NULL). */
static bool has_key_bytes(const UINT8 keys[NKEYS][SHA_KEYLEN],
			  const void *buf, size_t len, const char *what)
{
	const UINT8 *b = buf;
	size_t off, k, i;

	if (!buf)
		return false;
	for (off = 0; off + 8 <= len; off++)
		for (k = 0; k < NKEYS; k++)
			for (i = 0; i + 8 <= KEY_LENS[k]; i++)
				if (!memcmp(b + off, keys[k] + i, 8)) {
					if (what)
						ksft_print_msg("%s: key %zu bytes %zu.. at offset %zu\n",
							       what, k, i, off);
					return true;
				}
	return false;
}

/* No key in the library block at *pp, slack included; then it is freed. */
static void expect_no_key_freed(struct __test_metadata *_metadata,
				const UINT8 keys[NKEYS][SHA_KEYLEN], void **p,
				const char *what)
{
	EXPECT_FALSE(*p && has_key_bytes(keys, *p, malloc_usable_size(*p),
					 what));
	FwpmFreeMemory0(p);
}

FIXTURE(keys) {
	HANDLE h;
	int fd;			/* subscribed raw session */
	UINT64 gcm, cbc;
	UINT8 k[NKEYS][SHA_KEYLEN];
	struct wfp_ipsec_ctx_add added[2];	/* as copied back */
};

/* AES-CBC-128 + HMAC-SHA-256, raw, with keys from the fixture. */
static void kadd_cbc(struct wfp_ipsec_ctx_add *a, UINT64 id, UINT32 spi,
		     const UINT8 *enc, const UINT8 *auth)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->bundle.num_sas = 1;
	a->bundle.sas[0].spi = spi;
	a->bundle.sas[0].transform_type = WFP_IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	a->bundle.sas[0].auth_type = IPSEC_AUTH_SHA_256;
	a->bundle.sas[0].auth_config = IPSEC_AUTH_CONFIG_HMAC_SHA_256_128;
	a->bundle.sas[0].cipher_type = IPSEC_CIPHER_TYPE_AES_128;
	a->bundle.sas[0].cipher_config = IPSEC_CIPHER_CONFIG_CBC_AES_128;
	a->bundle.sas[0].auth_key_len = SHA_KEYLEN;
	a->bundle.sas[0].auth_key = (__u64)(uintptr_t)auth;
	a->bundle.sas[0].cipher_key_len = CBC_KEYLEN;
	a->bundle.sas[0].cipher_key = (__u64)(uintptr_t)enc;
}

FIXTURE_SETUP(keys)
{
	struct wfp_ipsec_subscribe s;
	struct wfp_ipsec_ctx_add a;
	UINT64 other;

	ASSERT_EQ(unshare(CLONE_NEWNET), 0);
	make_keys(self->k);
	self->fd = wfp_session(_metadata);
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_SUBSCRIBE, &s), 0);
	ASSERT_EQ(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL,
				  &self->h), 0);
	/* AES-GCM through the library. */
	ASSERT_EQ(key_ctx(self->h, V4(10, 0, 6, 1), 0x7001, 0x7002,
			  self->k[K_GCM_IN], self->k[K_GCM_OUT], ST_COMPLETE,
			  &self->gcm), 0);
	/* AES-CBC + HMAC-SHA-256 through raw ioctls, whose replies we keep. */
	ASSERT_EQ(key_ctx(self->h, V4(10, 0, 6, 2), 0x7003, 0, NULL, NULL,
			  ST_SPI_SET, &self->cbc), 0);
	kadd_cbc(&a, self->cbc, 0x7003, self->k[K_CBC_IN], self->k[K_SHA_IN]);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ADD_INBOUND, &a), 0);
	self->added[0] = a;
	kadd_cbc(&a, self->cbc, 0x7004, self->k[K_CBC_OUT], self->k[K_SHA_OUT]);
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ADD_OUTBOUND, &a), 0);
	self->added[1] = a;
	/* Events for the subscriber: one more context, created, deleted. */
	ASSERT_EQ(new_ctx(self->h, V4(10, 0, 6, 3), &other), 0);
	ASSERT_EQ(IPsecSaContextDeleteById0(self->h, other), 0);
}

FIXTURE_TEARDOWN(keys)
{
	if (self->h)
		FwpmEngineClose0(self->h);
	if (self->fd > 0)
		close(self->fd);
}

/*
 * The positive control: xfrm holds every key (so they were installed),
 * and the search finds them in what xfrm_user reports.  Run in a child:
 * libnl's copies must not linger in the heap the other test searches.
 */
static int keys_in_xfrm(void *arg)
{
	const UINT8 (*keys)[SHA_KEYLEN] = arg;
	unsigned int found = 0;
	UINT8 key[128];
	struct xs *v;
	int n, i, k;

	n = sa_dump(-1, &v);
	if (n < 0)
		return 10;
	/* No key has a zero byte: an absent algorithm's zeroes match none. */
	for (i = 0; i < n; i++)
		for (k = 0; k < NKEYS; k++)
			if ((!memcmp(v[i].aead_key, keys[k], KEY_LENS[k]) &&
			     v[i].aead_bits == KEY_LENS[k] * 8) ||
			    !memcmp(v[i].auth_key, keys[k], KEY_LENS[k]) ||
			    !memcmp(v[i].enc_key, keys[k], KEY_LENS[k]))
				found |= 1U << k;
	free(v);
	if (found != (1U << NKEYS) - 1)
		return 11;
	/* The search itself finds a key at an odd offset. */
	memset(key, 0, sizeof(key));
	memcpy(key + 37, keys[K_SHA_OUT] + 5, 9);
	return has_key_bytes(keys, key, sizeof(key), NULL) ? 0 : 12;
}

TEST_F(keys, xfrm_holds_the_keys)
{
	EXPECT_EQ(run_in_child(keys_in_xfrm, self->k), 0);
}

TEST_F(keys, no_key_in_any_reply)
{
	static struct wfp_ipsec_ctx_info infos[16];
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **subs = NULL;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	IPSEC_SA_CONTEXT1 *c1 = NULL, **e1 = NULL;
	IPSEC_SA_CONTEXT0 *c0 = NULL, **e0 = NULL;
	IPSEC_SA_DETAILS1 **d1 = NULL;
	IPSEC_SA_DETAILS0 **d0 = NULL;
	struct wfp_ipsec_session_info si;
	struct wfp_ipsec_event ev[8];
	struct wfp_ipsec_ctx_enum e;
	struct wfp_ipsec_ctx_info info;
	struct wfp_ipsec_rights r;
	struct wfp_ipsec_stats st;
	struct wfp_ipsec_ctx_sa g;
	PSECURITY_DESCRIPTOR sd = NULL;
	IPSEC_STATISTICS1 s1;
	IPSEC_STATISTICS0 s0;
	UINT64 ids[2] = { self->gcm, self->cbc };
	HANDLE en, hev;
	UINT32 n;
	ssize_t len;
	int i, dir, checked = 0;

	/* The replies of the adds themselves: pointers, not keys. */
	for (i = 0; i < 2; i++, checked++)
		EXPECT_FALSE(has_key_bytes(self->k, &self->added[i],
					   sizeof(self->added[i]), "ADD reply"));

	/* Every reading ioctl. */
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(raw_get(self->fd, ids[i], &info), 0);
		EXPECT_FALSE(has_key_bytes(self->k, &info, sizeof(info),
					   "CTX_GET"));
		checked++;
		for (dir = 0; dir < 2; dir++, checked++) {
			memset(&g, 0, sizeof(g));
			g.id = ids[i];
			g.dir = dir;
			ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_GET_SA,
					    &g), 0);
			EXPECT_FALSE(has_key_bytes(self->k, &g, sizeof(g),
						   "CTX_GET_SA"));
		}
	}
	memset(&e, 0, sizeof(e));
	e.entries = (__u64)(uintptr_t)infos;
	e.max_entries = 16;
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_CTX_ENUM, &e), 0);
	ASSERT_EQ(e.count, 2);
	EXPECT_FALSE(has_key_bytes(self->k, infos, sizeof(infos), "CTX_ENUM"));
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_STATS, &st), 0);
	EXPECT_FALSE(has_key_bytes(self->k, &st, sizeof(st), "STATS"));
	ASSERT_EQ(wfp_info(self->fd, &si), 0);
	EXPECT_FALSE(has_key_bytes(self->k, &si, sizeof(si), "SESSION_GET"));
	memset(&r, 0, sizeof(r));
	ASSERT_EQ(wfp_test_ioctl(self->fd, WFP_IPSEC_IOC_RIGHTS_GET, &r), 0);
	EXPECT_FALSE(has_key_bytes(self->k, &r, sizeof(r), "RIGHTS_GET"));
	memset(ev, 0, sizeof(ev));
	/* Three contexts created through the engine, one deleted. */
	len = read(self->fd, ev, sizeof(ev));
	ASSERT_EQ(len, 4 * (ssize_t)sizeof(ev[0]));
	EXPECT_FALSE(has_key_bytes(self->k, ev, sizeof(ev), "read"));
	checked += 6;

	/* Every reading library call, whole allocations searched. */
	for (i = 0; i < 2; i++, checked += 2) {
		ASSERT_EQ(IPsecSaContextGetById1(self->h, ids[i], &c1), 0);
		ASSERT_EQ(IPsecSaContextGetById0(self->h, ids[i], &c0), 0);
		expect_no_key_freed(_metadata, self->k, (void **)&c1,
				    "GetById1");
		expect_no_key_freed(_metadata, self->k, (void **)&c0,
				    "GetById0");
	}
	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(self->h, NULL, &en), 0);
	ASSERT_EQ(IPsecSaContextEnum1(self->h, en, 16, &e1, &n), 0);
	EXPECT_EQ(n, 2);
	expect_no_key_freed(_metadata, self->k, (void **)&e1, "Enum1");
	IPsecSaContextDestroyEnumHandle0(self->h, en);
	ASSERT_EQ(IPsecSaContextCreateEnumHandle0(self->h, NULL, &en), 0);
	ASSERT_EQ(IPsecSaContextEnum0(self->h, en, 16, &e0, &n), 0);
	expect_no_key_freed(_metadata, self->k, (void **)&e0, "Enum0");
	IPsecSaContextDestroyEnumHandle0(self->h, en);
	ASSERT_EQ(IPsecSaCreateEnumHandle0(self->h, NULL, &en), 0);
	ASSERT_EQ(IPsecSaEnum1(self->h, en, 16, &d1, &n), 0);
	EXPECT_EQ(n, 4);
	expect_no_key_freed(_metadata, self->k, (void **)&d1, "IPsecSaEnum1");
	IPsecSaDestroyEnumHandle0(self->h, en);
	ASSERT_EQ(IPsecSaCreateEnumHandle0(self->h, NULL, &en), 0);
	ASSERT_EQ(IPsecSaEnum0(self->h, en, 16, &d0, &n), 0);
	expect_no_key_freed(_metadata, self->k, (void **)&d0, "IPsecSaEnum0");
	IPsecSaDestroyEnumHandle0(self->h, en);
	ASSERT_EQ(IPsecGetStatistics1(self->h, &s1), 0);
	ASSERT_EQ(IPsecGetStatistics0(self->h, &s0), 0);
	EXPECT_FALSE(has_key_bytes(self->k, &s1, sizeof(s1), "Statistics1"));
	EXPECT_FALSE(has_key_bytes(self->k, &s0, sizeof(s0), "Statistics0"));
	ASSERT_EQ(IPsecSaDbGetSecurityInfo0(self->h, DACL_SECURITY_INFORMATION,
					    NULL, NULL, NULL, NULL, &sd), 0);
	expect_no_key_freed(_metadata, self->k, (void **)&sd,
			    "GetSecurityInfo0");
	memset(&s, 0, sizeof(s));
	ASSERT_EQ(IPsecSaContextSubscribe0(self->h, &s, no_event, NULL, &hev),
		  0);
	ASSERT_EQ(IPsecSaContextSubscriptionsGet0(self->h, &subs, &n), 0);
	expect_no_key_freed(_metadata, self->k, (void **)&subs,
			    "SubscriptionsGet0");
	EXPECT_EQ(IPsecSaContextUnsubscribe0(self->h, hev), 0);
	checked += 10;
	ksft_print_msg("keys: %d replies searched, no key material\n", checked);
}

TEST_HARNESS_MAIN
