// SPDX-License-Identifier: GPL-2.0
/*
 * setspi ours|peer COUNT BASE
 *
 * Times COUNT reservations of one chosen inbound SPI each, SPIs BASE and
 * up, and prints "calls seconds":
 *   ours  IPsecSaContextSetSpi0 on a fresh context per call (the context
 *         creation is not timed);
 *   peer  the same work through xfrm netlink: XFRM_MSG_ALLOCSPI with
 *         min = max, the call xfrm_user offers for it.
 * Reservations stay; the caller tears them down.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <windows.h>
#include <fwpmu.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ours(unsigned long count, unsigned long base, double *spent)
{
	IPSEC_TRAFFIC1 t;
	IPSEC_GETSPI1 g;
	unsigned long i;
	HANDLE h;
	UINT64 id;
	double t0;
	DWORD rc;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return 1;
	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	t.localV4Address = 0x0a000001;
	memset(&g, 0, sizeof(g));
	g.ipVersion = FWP_IP_VERSION_V4;
	for (i = 0; i < count; i++) {
		t.remoteV4Address = 0x0b000000 + (UINT32)i;
		rc = IPsecSaContextCreate1(h, &t, NULL, NULL, &id);
		if (rc)
			return fprintf(stderr, "create: 0x%x\n", (unsigned)rc), 1;
		g.inboundIpsecTraffic = t;
		t0 = now();
		rc = IPsecSaContextSetSpi0(h, id, &g, (IPSEC_SA_SPI)(base + i));
		*spent += now() - t0;
		if (rc)
			return fprintf(stderr, "setspi: 0x%x\n", (unsigned)rc), 1;
	}
	return 0;
}

static int peer(unsigned long count, unsigned long base, double *spent)
{
	struct {
		struct nlmsghdr nh;
		struct xfrm_userspi_info spi;
	} req;
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	unsigned long i;
	double t0;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_XFRM);
	if (fd < 0)
		return perror("socket"), 1;
	t0 = now();
	for (i = 0; i < count; i++) {
		memset(&req, 0, sizeof(req));
		req.nh.nlmsg_len = sizeof(req);
		req.nh.nlmsg_type = XFRM_MSG_ALLOCSPI;
		req.nh.nlmsg_flags = NLM_F_REQUEST;
		req.nh.nlmsg_seq = i + 1;
		req.spi.info.family = AF_INET;
		req.spi.info.id.proto = IPPROTO_ESP;
		req.spi.info.id.daddr.a4 = htonl(0x0a000001);
		req.spi.info.saddr.a4 = htonl(0x0c000000 + (unsigned int)i);
		req.spi.info.sel.family = AF_INET;
		req.spi.min = req.spi.max = (unsigned int)(base + i);
		if (send(fd, &req, sizeof(req), 0) < 0)
			return perror("send"), 1;
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			return perror("recv"), 1;
		if (nh->nlmsg_type == NLMSG_ERROR &&
		    ((struct nlmsgerr *)NLMSG_DATA(nh))->error)
			return fprintf(stderr, "allocspi: %d\n",
				       ((struct nlmsgerr *)NLMSG_DATA(nh))->error), 1;
	}
	*spent = now() - t0;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long count, base;
	double spent = 0;
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: setspi ours|peer COUNT BASE\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 0);
	base = strtoul(argv[3], NULL, 0);
	ret = strcmp(argv[1], "peer") ? ours(count, base, &spent) :
					peer(count, base, &spent);
	if (!ret)
		printf("%lu %.6f\n", count, spent);
	return ret;
}
