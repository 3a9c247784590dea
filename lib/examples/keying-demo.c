// SPDX-License-Identifier: MIT
/*
 * keying-demo: what `make run` shows in the VM.  Opens an engine session
 * through libwfpipsec exactly as Windows code would, then prints what the
 * module agreed to in the handshake.  It grows as the API does.
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include <fwpmu.h>
#include <wfpipsec.h>
#include <linux/wfp_ipsec.h>

static int fail(const char *what, DWORD rc)
{
	const char *name = WfpIpsecErrorName(rc);

	fprintf(stderr, "%s failed: %s (0x%08X): %s\n", what,
		name ? name : "?", (unsigned int)rc, WfpIpsecErrorText(rc));
	return 1;
}

int main(void)
{
	struct wfp_ipsec_session_info info = { 0 };
	FWPM_SESSION0 session = { 0 };
	HANDLE engine = NULL;
	unsigned int i;
	DWORD rc;
	int fd;

	session.txnWaitTimeoutInMSec = 15000;
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &session, &engine);
	if (rc != ERROR_SUCCESS)
		return fail("FwpmEngineOpen0", rc);
	printf("FwpmEngineOpen0: ERROR_SUCCESS, engine handle %p\n", engine);

	rc = WfpIpsecEngineGetFd(engine, &fd);
	if (rc != ERROR_SUCCESS)
		return fail("WfpIpsecEngineGetFd", rc);
	if (ioctl(fd, WFP_IPSEC_IOC_SESSION_GET, &info)) {
		perror("WFP_IPSEC_IOC_SESSION_GET");
		return 1;
	}
	printf("handshake: ABI version %u agreed (this library speaks %u)\n",
	       info.abi_version, WFP_IPSEC_ABI_VERSION);
	printf("session:   id %llu, key ", (unsigned long long)info.session_id);
	for (i = 0; i < sizeof(info.session_key); i++)
		printf("%02x", info.session_key[i]);
	printf("\n           opener pid %u uid %u gid %u, netns cookie %llu\n",
	       info.pid, info.uid, info.gid,
	       (unsigned long long)info.netns_cookie);
	printf("           rights on the SA database 0x%08x\n", info.rights);

	rc = FwpmEngineClose0(engine);
	if (rc != ERROR_SUCCESS)
		return fail("FwpmEngineClose0", rc);
	printf("FwpmEngineClose0: ERROR_SUCCESS\n");
	return 0;
}
