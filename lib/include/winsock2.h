/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* winsock2.h - the Winsock names keying modules use, mapped onto POSIX sockets. */
#ifndef WFP_WINSOCK2_H
#define WFP_WINSOCK2_H

/*
 * The types are the POSIX ones under their Windows names, so a Windows
 * source and POSIX code (which may include <netinet/in.h> and friends
 * itself, before or after this file) share them.  The member names the
 * two agree on work (sin_addr.s_addr, sin6_addr.s6_addr, ss_family);
 * Windows-only spellings (S_un.S_addr, u.Byte) and the WSAE* error codes
 * are left out, so code relying on them fails to compile rather than
 * misbehave.  Documentation/wfp-ipsec.rst lists what is mapped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A socket is a descriptor here; -1 is what POSIX calls return on error. */
typedef int SOCKET;
#define INVALID_SOCKET	(-1)
#define SOCKET_ERROR	(-1)

#define closesocket(s)		close(s)
#define WSAGetLastError()	(errno)

typedef sa_family_t ADDRESS_FAMILY;

typedef struct in_addr IN_ADDR, *PIN_ADDR, *LPIN_ADDR;
typedef struct sockaddr SOCKADDR, *PSOCKADDR, *LPSOCKADDR;
typedef struct sockaddr_in SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;
typedef struct sockaddr_storage SOCKADDR_STORAGE, *PSOCKADDR_STORAGE,
	*LPSOCKADDR_STORAGE;

#endif /* WFP_WINSOCK2_H */
