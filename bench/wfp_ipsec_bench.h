/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/wfp-ipsec-bench, the device of wfp_ipsec_bench.ko (bench/kmod/):
 * the xfrm work of one SA context's life in a kernel loop, the limit
 * `make bench` measures wfp_ipsec.ko against.  A measuring tool, not part
 * of the wfp-ipsec ABI: neither installed nor shipped, built and loaded
 * only by `make bench` and the tests of bench/tests.c.
 *
 * Each open file works in the opener's network namespace; the command
 * needs CAP_NET_ADMIN over it (EPERM).  Fixed-size structure, explicit
 * padding: 32-bit and 64-bit callers share one layout.
 */
#ifndef _WFP_IPSEC_BENCH_H
#define _WFP_IPSEC_BENCH_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define WFP_IPSEC_BENCH_DEVICE_NAME	"wfp-ipsec-bench"
#define WFP_IPSEC_BENCH_DEVICE_PATH	"/dev/wfp-ipsec-bench"
/* The module file the tests load, next to their program. */
#define WFP_IPSEC_BENCH_MODULE		"wfp_ipsec_bench.ko"

/**
 * struct wfp_ipsec_bench_xfrm - WFP_IPSEC_IOC_BENCH_XFRM
 * @cycles: in: 1..1000000
 * @flags: in: 0, WFP_IPSEC_BENCH_F_KEEP or WFP_IPSEC_BENCH_F_SETTLE
 * @spi_base: in: cycle i uses inbound SPI spi_base + 2 * i, outbound
 *	spi_base + 2 * i + 1
 * @reserved: in: must be 0
 * @local: in: IPv4 local address, network order
 * @remote: in: IPv4 remote address, network order
 * @elapsed_ns: out: ktime_get_ns() delta over the loop
 *
 * Each cycle makes, in the opener's network namespace, the xfrm calls one
 * Create, SetSpi0, AddInbound1, AddOutbound1, DeleteById0 sequence of an
 * AES-GCM-128 transport IPv4 context causes, without the module's
 * bookkeeping.  With WFP_IPSEC_BENCH_F_KEEP each cycle stops after
 * AddOutbound1's share and leaves its two SAs and two policies in xfrm
 * (cycle i with remote address remote + i), for the caller to flush: what
 * installing @cycles contexts costs xfrm.  The remote addresses may
 * neither wrap nor take in @local (EINVAL).  WFP_IPSEC_BENCH_F_SETTLE,
 * alone and with every other input field 0, runs no cycle: it waits until xfrm
 * has freed every state deleted so far (xfrm_flush_gc()) and reports how
 * long that took, so a measurement of any control plane can end when its
 * work is done.  Unknown flags and a nonzero @reserved are refused
 * (EINVAL), unknown commands too (ENOTTY).  A KEEP run that fails or is
 * interrupted (EINTR) leaves the cycles it completed: the caller flushes.
 */
struct wfp_ipsec_bench_xfrm {
	__u32 cycles;
	__u32 flags;
	__u32 spi_base;
	__u32 reserved;
	__u8 local[4];
	__u8 remote[4];
	__u64 elapsed_ns;
};

#define WFP_IPSEC_BENCH_F_KEEP		_BITUL(0)
#define WFP_IPSEC_BENCH_F_SETTLE	_BITUL(1)
#define __WFP_IPSEC_BENCH_F_ALL		(WFP_IPSEC_BENCH_F_KEEP | \
					 WFP_IPSEC_BENCH_F_SETTLE)

/* wfp_ipsec's type and number, kept: the bench's own device now. */
#define WFP_IPSEC_BENCH_IOC_TYPE	0xF9
#define WFP_IPSEC_IOC_BENCH_XFRM \
	_IOWR(WFP_IPSEC_BENCH_IOC_TYPE, 0x40, struct wfp_ipsec_bench_xfrm)

#endif /* _WFP_IPSEC_BENCH_H */
