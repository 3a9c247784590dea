// SPDX-License-Identifier: GPL-2.0
/*
 * In-module tests of the subnet checks and matching, run at load time
 * with selftest=1 (the test VM does), against a naive bit-by-bit
 * reference.  __init: gone once the module is loaded.
 */

#include <linux/random.h>

static bool __init naive_match(const u8 *net, unsigned int bits, const u8 *a)
{
	unsigned int i;

	for (i = 0; i < bits; i++)
		if ((net[i / 8] ^ a[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool __init wfp_traffic_selftest(void)
{
	struct wfp_ipsec_subnet sn = { .ip_version = WFP_IPSEC_IPV6 };
	u8 addr[16];
	unsigned int i, bits;
	bool ok = true;

	for (i = 0; i < 20000 && ok; i++) {
		bits = get_random_u32_below(129);
		get_random_bytes(sn.addr, sizeof(sn.addr));
		get_random_bytes(addr, sizeof(addr));
		/* Make matches likely: copy a random-length prefix. */
		memcpy(addr, sn.addr, get_random_u32_below(17));
		sn.prefix_len = bits;
		if (bits % 8)
			sn.addr[bits / 8] &= 0xff << (8 - bits % 8);
		memset(sn.addr + DIV_ROUND_UP(bits, 8), 0,
		       16 - DIV_ROUND_UP(bits, 8));
		if (wfp_subnet_validate(&sn) ||
		    wfp_subnet_match(&sn, WFP_IPSEC_IPV6, addr) !=
		    naive_match(sn.addr, bits, addr))
			ok = false;
		/* A host bit below the prefix must be refused. */
		if (bits < 128) {
			sn.addr[bits / 8] |= 0x80 >> (bits % 8);
			if (!wfp_subnet_validate(&sn))
				ok = false;
		}
	}
	pr_info("traffic self-tests: %s\n", ok ? "pass" : "FAIL");
	return ok;
}
