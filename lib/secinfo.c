// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPsecSaDbGetSecurityInfo0 / IPsecSaDbSetSecurityInfo0: the SA database's
 * DACL as the module's per-namespace grants (Documentation/rights.rst).
 * A grant names a Linux user or group through the "Unix user" and "Unix
 * group" SIDs S-1-22-1-<uid> and S-1-22-2-<gid>; its rights are the
 * FWPM_ACTRL_* bits (and DELETE) the module knows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define UNIX_AUTHORITY	22	/* S-1-22-... */
#define UNIX_USER	1
#define UNIX_GROUP	2

/* Windows rights the module has a meaning for; others are not kept. */
#define KNOWN_RIGHTS (FWPM_ACTRL_ADD | FWPM_ACTRL_ENUM | FWPM_ACTRL_READ | \
		      FWPM_ACTRL_READ_STATS | FWPM_ACTRL_SUBSCRIBE |	\
		      FWPM_ACTRL_WRITE | DELETE |				\
		      FWPM_ACTRL_BEGIN_READ_TXN | FWPM_ACTRL_BEGIN_WRITE_TXN)

_Static_assert(FWPM_ACTRL_ADD == WFP_IPSEC_RIGHT_ADD &&
	       FWPM_ACTRL_ENUM == WFP_IPSEC_RIGHT_ENUM &&
	       FWPM_ACTRL_READ == WFP_IPSEC_RIGHT_READ &&
	       FWPM_ACTRL_READ_STATS == WFP_IPSEC_RIGHT_READ_STATS &&
	       FWPM_ACTRL_SUBSCRIBE == WFP_IPSEC_RIGHT_SUBSCRIBE &&
	       FWPM_ACTRL_WRITE == WFP_IPSEC_RIGHT_WRITE &&
	       DELETE == WFP_IPSEC_RIGHT_DELETE &&
	       FWPM_ACTRL_BEGIN_READ_TXN == WFP_IPSEC_RIGHT_BEGIN_READ_TXN &&
	       FWPM_ACTRL_BEGIN_WRITE_TXN == WFP_IPSEC_RIGHT_BEGIN_WRITE_TXN,
	       "rights values");

static UINT32 rights_from_mask(ACCESS_MASK m)
{
	UINT32 r = m & KNOWN_RIGHTS;

	if (m & GENERIC_ALL)
		r |= KNOWN_RIGHTS;
	if (m & GENERIC_READ)
		r |= FWPM_ACTRL_READ | FWPM_ACTRL_READ_STATS |
		     FWPM_ACTRL_BEGIN_READ_TXN;
	if (m & GENERIC_WRITE)
		r |= FWPM_ACTRL_ADD | FWPM_ACTRL_WRITE | DELETE |
		     FWPM_ACTRL_BEGIN_WRITE_TXN;
	if (m & GENERIC_EXECUTE)
		r |= FWPM_ACTRL_ENUM | FWPM_ACTRL_SUBSCRIBE;
	return r;
}

static size_t sid_len(BYTE count)
{
	return 8 + 4 * (size_t)count;
}

static int sid_is(const BYTE *sid, size_t len, BYTE authority, BYTE count)
{
	static const BYTE nt_prefix[5];

	return len >= sid_len(count) && sid[0] == SID_REVISION &&
	       sid[1] == count && !memcmp(sid + 2, nt_prefix, 5) &&
	       sid[7] == authority;
}

static DWORD sub_auth(const BYTE *sid, int i)
{
	DWORD v;

	memcpy(&v, sid + 8 + 4 * i, 4);
	return v;
}

/* BUILTIN\\Administrators and LocalSystem: CAP_NET_ADMIN already is all. */
static int sid_is_admin(const BYTE *sid, size_t len)
{
	if (sid_is(sid, len, 5, 2))
		return sub_auth(sid, 0) == 32 && sub_auth(sid, 1) == 544;
	return sid_is(sid, len, 5, 1) && sub_auth(sid, 0) == 18;
}

static DWORD add_grant(struct wfp_ipsec_rights *r, UINT32 kind, UINT32 id,
		       UINT32 rights)
{
	UINT32 i;

	if (!rights)
		return ERROR_SUCCESS;
	for (i = 0; i < r->count; i++) {
		if (r->grants[i].kind == kind && r->grants[i].id == id) {
			r->grants[i].rights |= rights;
			return ERROR_SUCCESS;
		}
	}
	if (r->count == WFP_IPSEC_GRANTS_MAX)
		return ERROR_NOT_ENOUGH_QUOTA;
	r->grants[r->count].kind = kind;
	r->grants[r->count].id = id;
	r->grants[r->count].rights = rights;
	r->count++;
	return ERROR_SUCCESS;
}

static DWORD acl_to_grants(const ACL *acl, struct wfp_ipsec_rights *r)
{
	const BYTE *p = (const BYTE *)acl;
	size_t off = sizeof(ACL), size;
	WORD i, ace_size;
	ACCESS_MASK mask;
	DWORD rc;

	if ((acl->AclRevision != ACL_REVISION &&
	     acl->AclRevision != ACL_REVISION_DS) || acl->AclSize < sizeof(ACL))
		return ERROR_INVALID_PARAMETER;
	size = acl->AclSize;
	for (i = 0; i < acl->AceCount; i++, off += ace_size) {
		const BYTE *ace = p + off, *sid;
		size_t sidlen;

		if (off + sizeof(ACE_HEADER) > size)
			return ERROR_INVALID_PARAMETER;
		memcpy(&ace_size, ace + 2, 2);
		if (ace_size < 8 + 8 || off + ace_size > size)
			return ERROR_INVALID_PARAMETER;
		/* Deny entries have no counterpart: grants only add. */
		if (ace[0] != ACCESS_ALLOWED_ACE_TYPE)
			return ERROR_NOT_SUPPORTED;
		memcpy(&mask, ace + 4, 4);
		sid = ace + 8;
		sidlen = ace_size - 8;
		if (sidlen < 8 || sid_len(sid[1]) > sidlen)
			return ERROR_INVALID_PARAMETER;
		if (sid_is_admin(sid, sidlen))
			continue;
		if (!sid_is(sid, sidlen, UNIX_AUTHORITY, 2) ||
		    (sub_auth(sid, 0) != UNIX_USER &&
		     sub_auth(sid, 0) != UNIX_GROUP))
			return ERROR_NOT_SUPPORTED;
		rc = add_grant(r, sub_auth(sid, 0) == UNIX_USER ?
			       WFP_IPSEC_GRANT_USER : WFP_IPSEC_GRANT_GROUP,
			       sub_auth(sid, 1), rights_from_mask(mask));
		if (rc)
			return rc;
	}
	return ERROR_SUCCESS;
}

DWORD WINAPI IPsecSaDbSetSecurityInfo0(HANDLE engineHandle,
				       SECURITY_INFORMATION securityInfo,
				       const SID *sidOwner, const SID *sidGroup,
				       const ACL *dacl, const ACL *sacl)
{
	struct wfp_ipsec_rights r;
	struct wfp_engine *e;
	DWORD rc;
	int err;

	(void)sidOwner;
	(void)sidGroup;
	(void)sacl;
	/* The database has no owner to change; SACLs are ignored, as BFE
	 * ignores them.
	 */
	if (securityInfo & (OWNER_SECURITY_INFORMATION |
			    GROUP_SECURITY_INFORMATION))
		return ERROR_NOT_SUPPORTED;
	if (!(securityInfo & DACL_SECURITY_INFORMATION))
		return ERROR_SUCCESS;
	/* A NULL DACL would mean "everyone may do anything". */
	if (!dacl)
		return FWP_E_NULL_POINTER;
	memset(&r, 0, sizeof(r));
	rc = acl_to_grants(dacl, &r);
	if (rc)
		return rc;

	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_RIGHTS_SET, &r);
	wfp_engine_put(e);
	return wfp_status_from_errno(err);
}

static BYTE *put_sid(BYTE *p, BYTE authority, DWORD a0, DWORD a1)
{
	p[0] = SID_REVISION;
	p[1] = 2;
	memset(p + 2, 0, 5);
	p[7] = authority;
	memcpy(p + 8, &a0, 4);
	memcpy(p + 12, &a1, 4);
	return p + sid_len(2);
}

/*
 * One self-relative security descriptor: the header, the owner (root,
 * S-1-22-1-0), the group (S-1-22-2-0) and the DACL with one allow entry
 * per grant.
 */
DWORD WINAPI IPsecSaDbGetSecurityInfo0(HANDLE engineHandle,
				       SECURITY_INFORMATION securityInfo,
				       PSID *sidOwner, PSID *sidGroup,
				       PACL *dacl, PACL *sacl,
				       PSECURITY_DESCRIPTOR *securityDescriptor)
{
	const size_t ace_len = 8 + sid_len(2);
	SECURITY_DESCRIPTOR_RELATIVE *sd;
	struct wfp_ipsec_rights r;
	struct wfp_engine *e;
	BYTE *block, *p;
	size_t acl_len;
	ACL *acl;
	UINT32 i;
	int err;

	if (!securityDescriptor)
		return FWP_E_NULL_POINTER;
	e = wfp_engine_get(engineHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	memset(&r, 0, sizeof(r));
	err = wfp_ioctl(e->fd, WFP_IPSEC_IOC_RIGHTS_GET, &r);
	wfp_engine_put(e);
	if (err)
		return wfp_status_from_errno(err);

	acl_len = sizeof(ACL) + r.count * ace_len;
	block = calloc(1, sizeof(*sd) + 2 * sid_len(2) + acl_len);
	if (!block)
		return ERROR_NOT_ENOUGH_MEMORY;
	sd = (SECURITY_DESCRIPTOR_RELATIVE *)(void *)block;
	sd->Revision = SECURITY_DESCRIPTOR_REVISION;
	sd->Control = SE_SELF_RELATIVE | SE_DACL_PRESENT;
	p = block + sizeof(*sd);
	sd->Owner = (DWORD)(p - block);
	p = put_sid(p, UNIX_AUTHORITY, UNIX_USER, 0);
	sd->Group = (DWORD)(p - block);
	p = put_sid(p, UNIX_AUTHORITY, UNIX_GROUP, 0);
	sd->Dacl = (DWORD)(p - block);
	acl = (ACL *)(void *)p;
	acl->AclRevision = ACL_REVISION;
	acl->AclSize = (WORD)acl_len;
	acl->AceCount = (WORD)r.count;
	p += sizeof(ACL);
	for (i = 0; i < r.count; i++) {
		WORD size = (WORD)ace_len;
		ACCESS_MASK mask = r.grants[i].rights;

		p[0] = ACCESS_ALLOWED_ACE_TYPE;
		memcpy(p + 2, &size, 2);
		memcpy(p + 4, &mask, 4);
		p = put_sid(p + 8, UNIX_AUTHORITY,
			    r.grants[i].kind == WFP_IPSEC_GRANT_USER ?
			    UNIX_USER : UNIX_GROUP, r.grants[i].id);
	}

	if (sidOwner)
		*sidOwner = securityInfo & OWNER_SECURITY_INFORMATION ?
			    block + sd->Owner : NULL;
	if (sidGroup)
		*sidGroup = securityInfo & GROUP_SECURITY_INFORMATION ?
			    block + sd->Group : NULL;
	if (dacl)
		*dacl = securityInfo & DACL_SECURITY_INFORMATION ? acl : NULL;
	if (sacl)
		*sacl = NULL;
	*securityDescriptor = block;
	return ERROR_SUCCESS;
}
