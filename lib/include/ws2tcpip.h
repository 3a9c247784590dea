/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ws2tcpip.h - the IPv6 and name-lookup half of Winsock, mapped onto POSIX. */
#ifndef WFP_WS2TCPIP_H
#define WFP_WS2TCPIP_H

/* getaddrinfo() and struct addrinfo need _POSIX_C_SOURCE (or gnu11). */
#include <netdb.h>

#include "winsock2.h"

typedef struct in6_addr IN6_ADDR, *PIN6_ADDR, *LPIN6_ADDR;
typedef struct sockaddr_in6 SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;
typedef struct addrinfo ADDRINFOA, *PADDRINFOA;

#endif /* WFP_WS2TCPIP_H */
