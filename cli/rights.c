// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * wfpipsec rights show|grant|revoke: the grants on the namespace's SA
 * database, read and written as a Windows DACL with
 * IPsecSaDbGetSecurityInfo0/IPsecSaDbSetSecurityInfo0.  Users and groups
 * are the "Unix user" and "Unix group" SIDs S-1-22-1-UID and S-1-22-2-GID
 * (Documentation/rights.rst); grant and revoke read the DACL, change one
 * entry and write the whole DACL back.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define UNIX_AUTHORITY	22
#define UNIX_USER	1
#define UNIX_GROUP	2
#define SID_BYTES	16	/* a SID with two sub-authorities */
#define ACE_BYTES	(8 + SID_BYTES)
#define GRANTS_MAX	64	/* the module keeps 16; it says so itself */

static const struct {
	const char *name;
	ACCESS_MASK bit;
} rights[] = {
	{ "add", FWPM_ACTRL_ADD },
	{ "enum", FWPM_ACTRL_ENUM },
	{ "read", FWPM_ACTRL_READ },
	{ "read-stats", FWPM_ACTRL_READ_STATS },
	{ "subscribe", FWPM_ACTRL_SUBSCRIBE },
	{ "write", FWPM_ACTRL_WRITE },
	{ "delete", DELETE },
};

#define NRIGHTS (sizeof(rights) / sizeof(rights[0]))
#define ALL_RIGHTS (FWPM_ACTRL_ADD | FWPM_ACTRL_ENUM | FWPM_ACTRL_READ | \
		    FWPM_ACTRL_READ_STATS | FWPM_ACTRL_SUBSCRIBE | \
		    FWPM_ACTRL_WRITE | DELETE)

struct grant {
	int kind;		/* UNIX_USER, UNIX_GROUP; 0: another SID */
	UINT32 id;
	ACCESS_MASK mask;
	char sid[96];		/* S-1-... */
};

/* RIGHT[,RIGHT...] with "all"; several arguments add up. */
static int parse_rights(const char *s, ACCESS_MASK *mask)
{
	char buf[256], *tok, *save = NULL;
	size_t i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*mask |= ALL_RIGHTS;
			continue;
		}
		for (i = 0; i < NRIGHTS; i++)
			if (!strcmp(tok, rights[i].name))
				break;
		if (i == NRIGHTS)
			return -1;
		*mask |= rights[i].bit;
	}
	return 0;
}

static void rights_text(ACCESS_MASK mask, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NRIGHTS; i++) {
		if (!(mask & rights[i].bit))
			continue;
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
					 used ? "," : "", rights[i].name);
		mask &= ~rights[i].bit;
	}
	if (mask)
		snprintf(buf + used, used < len ? len - used : 0, "%s0x%x",
			 used ? "," : "", (unsigned int)mask);
	else if (!used)
		snprintf(buf, len, "none");
}

static DWORD sub_auth(const BYTE *sid, int i)
{
	DWORD v;

	memcpy(&v, sid + 8 + 4 * i, 4);
	return v;
}

/* One ACE's SID into g; false when the ACE is malformed. */
static bool read_sid(const BYTE *sid, size_t len, struct grant *g)
{
	UINT64 auth = 0;
	size_t used;
	int i;

	if (len < 8 || len < 8 + 4 * (size_t)sid[1])
		return false;
	for (i = 2; i < 8; i++)
		auth = auth << 8 | sid[i];
	used = (size_t)snprintf(g->sid, sizeof(g->sid), "S-%u-%llu", sid[0],
				(unsigned long long)auth);
	for (i = 0; i < sid[1] && used < sizeof(g->sid); i++)
		used += (size_t)snprintf(g->sid + used, sizeof(g->sid) - used, "-%u",
					 (unsigned int)sub_auth(sid, i));
	g->kind = 0;
	if (auth == UNIX_AUTHORITY && sid[1] == 2 &&
	    (sub_auth(sid, 0) == UNIX_USER || sub_auth(sid, 0) == UNIX_GROUP)) {
		g->kind = (int)sub_auth(sid, 0);
		g->id = sub_auth(sid, 1);
	}
	return true;
}

/* The DACL's allow entries as grants; other SIDs' entries too. */
static int dacl_grants(const ACL *dacl, struct grant *g, int *n)
{
	const BYTE *p = (const BYTE *)dacl;
	size_t off = sizeof(ACL);
	WORD i, size;

	for (i = 0; i < dacl->AceCount; i++, off += size) {
		if (off + 8 > dacl->AclSize)
			return fail("the DACL returned is malformed");
		memcpy(&size, p + off + 2, 2);
		if (size < 8 || off + size > dacl->AclSize ||
		    !read_sid(p + off + 8, size - 8u, &g[*n]))
			return fail("the DACL returned is malformed");
		if (p[off] != ACCESS_ALLOWED_ACE_TYPE)
			continue;
		if (*n == GRANTS_MAX)
			return fail("more than %d entries in the DACL", GRANTS_MAX);
		memcpy(&g[*n].mask, p + off + 4, 4);
		(*n)++;
	}
	return EXIT_OK;
}

static int read_grants(HANDLE engine, struct grant *g, int *n)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	DWORD rc;
	int ret = EXIT_OK;

	*n = 0;
	rc = IPsecSaDbGetSecurityInfo0(engine, DACL_SECURITY_INFORMATION, NULL, NULL,
				       &dacl, NULL, &sd);
	if (rc)
		return fail_call("IPsecSaDbGetSecurityInfo0", rc);
	if (dacl)
		ret = dacl_grants(dacl, g, n);
	FwpmFreeMemory0(&sd);
	return ret;
}

/* The grants as a DACL, and IPsecSaDbSetSecurityInfo0. */
static int write_grants(HANDLE engine, const struct grant *g, int n)
{
	size_t len = sizeof(ACL) + (size_t)n * ACE_BYTES;
	BYTE *buf, *p;
	ACL *acl;
	DWORD rc;
	int i;

	buf = calloc(1, len);
	if (!buf)
		return fail("out of memory");
	acl = (ACL *)(void *)buf;
	acl->AclRevision = ACL_REVISION;
	acl->AclSize = (WORD)len;
	acl->AceCount = (WORD)n;
	p = buf + sizeof(ACL);
	for (i = 0; i < n; i++, p += ACE_BYTES) {
		WORD size = ACE_BYTES;
		DWORD a0 = (DWORD)g[i].kind, a1 = g[i].id;

		p[0] = ACCESS_ALLOWED_ACE_TYPE;
		memcpy(p + 2, &size, 2);
		memcpy(p + 4, &g[i].mask, 4);
		p[8] = SID_REVISION;
		p[9] = 2;
		p[15] = UNIX_AUTHORITY;
		memcpy(p + 16, &a0, 4);
		memcpy(p + 20, &a1, 4);
	}
	rc = IPsecSaDbSetSecurityInfo0(engine, DACL_SECURITY_INFORMATION, NULL, NULL,
				       acl, NULL);
	free(buf);
	return rc ? fail_call("IPsecSaDbSetSecurityInfo0", rc) : EXIT_OK;
}

static const char *kind_name(int kind)
{
	return kind == UNIX_USER ? "uid" : kind == UNIX_GROUP ? "gid" : "sid";
}

static void print_grant(const struct grant *g)
{
	char names[160];
	size_t r;

	rights_text(g->mask, names, sizeof(names));
	if (!g_json) {
		if (g->kind)
			printf("%s %u %s\n", kind_name(g->kind),
			       (unsigned int)g->id, names);
		else
			printf("sid %s %s\n", g->sid, names);
		return;
	}
	json_begin_object(NULL);
	json_string("kind", kind_name(g->kind));
	if (g->kind)
		json_uint("id", g->id);
	else
		json_null("id");
	json_string("sid", g->sid);
	json_uint("mask", g->mask);
	json_begin_array("rights");
	for (r = 0; r < NRIGHTS; r++)
		if (g->mask & rights[r].bit)
			json_string(NULL, rights[r].name);
	json_end();
	json_end();
}

static int rights_show(int argc, char **argv)
{
	struct grant g[GRANTS_MAX];
	HANDLE engine;
	int i, n, st;

	(void)argc;
	(void)argv;
	st = engine_open(&engine);
	if (st)
		return st;
	st = read_grants(engine, g, &n);
	engine_close(engine);
	if (st)
		return st;
	if (g_json)
		json_begin_array(NULL);
	for (i = 0; i < n; i++)
		print_grant(&g[i]);
	if (g_json)
		json_end();
	return EXIT_OK;
}

/* uid|gid ID [RIGHT[,RIGHT...]...] as t's kind, id and mask. */
static int parse_target(int argc, char **argv, bool need_rights,
			struct grant *t)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (argc < 3)
		return usage_error("'uid UID' or 'gid GID' is needed");
	if (!strcmp(argv[1], "uid") || !strcmp(argv[1], "user"))
		t->kind = UNIX_USER;
	else if (!strcmp(argv[1], "gid") || !strcmp(argv[1], "group"))
		t->kind = UNIX_GROUP;
	else
		return usage_error("'uid UID' or 'gid GID' is needed, not '%s'", argv[1]);
	if (parse_u32(argv[2], &t->id) || t->id == UINT32_MAX)
		return usage_error("'%s' is not a numeric %s", argv[2], argv[1]);
	for (i = 3; i < argc; i++)
		if (parse_rights(argv[i], &t->mask))
			return usage_error("'%s' is not a list of rights (add, enum, read, "
					   "read-stats, subscribe, write, delete, all)", argv[i]);
	if (need_rights && !t->mask)
		return usage_error("the rights to grant are needed (add, enum, read, "
				   "read-stats, subscribe, write, delete, all)");
	return EXIT_OK;
}

/*
 * Adds t's rights to its entry (grant) or takes them from it; entries
 * left without a right go, and other SIDs are not written back.  Returns
 * whether t had an entry.
 */
static bool change_grants(struct grant *g, int *n, const struct grant *t,
			  bool grant)
{
	bool found = false;
	int i, j;

	for (i = 0, j = 0; i < *n; i++) {
		if (g[i].kind == t->kind && g[i].id == t->id) {
			found = true;
			if (grant)
				g[i].mask |= t->mask;
			else
				g[i].mask &= ~t->mask;
		}
		if (g[i].kind && g[i].mask)
			g[j++] = g[i];
	}
	*n = j;
	if (grant && !found)
		g[(*n)++] = *t;
	return found;
}

static int rights_change(int argc, char **argv, bool grant)
{
	struct grant g[GRANTS_MAX + 1], t;
	HANDLE engine;
	int n, st;

	st = parse_target(argc, argv, grant, &t);
	if (st)
		return st;
	if (!grant && !t.mask)
		t.mask = ~(ACCESS_MASK)0;		/* revoke everything */
	st = engine_open(&engine);
	if (st)
		return st;
	st = read_grants(engine, g, &n);
	if (!st && !change_grants(g, &n, &t, grant) && !grant)
		st = fail("%s %u has no grant", kind_name(t.kind),
			  (unsigned int)t.id);
	if (!st)
		st = write_grants(engine, g, n);
	engine_close(engine);
	return st;
}

static int rights_grant(int argc, char **argv)
{
	return rights_change(argc, argv, true);
}

static int rights_revoke(int argc, char **argv)
{
	return rights_change(argc, argv, false);
}

const struct command rights_commands[] = {
	{
		.name = "show", .fn = rights_show, .no_args = true,
		.help = "list the users and groups granted rights, with the rights",
		.usage = "[--json]",
	},
	{
		.name = "grant", .fn = rights_grant,
		.help = "grant rights to a user or group (needs CAP_NET_ADMIN)",
		.usage = "uid UID|gid GID RIGHT[,RIGHT...]\n"
			 "  RIGHT is add, enum, read, read-stats, subscribe, write, delete or all.",
	},
	{
		.name = "revoke", .fn = rights_revoke,
		.help = "revoke rights (all of them by default) from a user or group",
		.usage = "uid UID|gid GID [RIGHT[,RIGHT...]]",
	},
	{ .name = NULL }
};
