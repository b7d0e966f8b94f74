/*
 * transport: TCP sockets for BGP: listening, connecting, and the per-peer
 * socket options: local address, TTL for eBGP multihop, GTSM (RFC 5082,
 * IP_MINTTL / IPV6_MINHOPCOUNT) and TCP-MD5 (RFC 2385, TCP_MD5SIG).
 */
#ifndef KBGP_BGP_TRANSPORT_H
#define KBGP_BGP_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"

#define BGP_MD5_KEY_MAX 80 /* TCP_MD5SIG_MAXKEYLEN */

struct transport_opts {
	bool has_local;
	union sockaddr_any local;
	/* Hops to the peer: 1 for a directly connected eBGP peer, the
	 * multihop value otherwise; 255 for iBGP. */
	uint8_t hops;
	/* GTSM: send with TTL 255, accept only TTL >= 256 - hops. */
	bool gtsm;
	char md5_key[BGP_MD5_KEY_MAX + 1]; /* empty: no MD5 */
};

/* A non-blocking listening socket; -1 with errno on failure. */
int transport_listen(const union sockaddr_any *addr);
/* Start a non-blocking connect; the fd becomes writable when it completes
 * (check transport_connect_result). -1 with errno on immediate failure. */
int transport_connect(const union sockaddr_any *peer, const struct transport_opts *o);
/* 0 once a connect completed, else the errno it failed with. */
int transport_connect_result(int fd);
/* Apply TTL/GTSM to an accepted socket. */
int transport_accepted(int fd, const union sockaddr_any *peer, const struct transport_opts *o);
/* Install (key non-empty) or remove the MD5 key for peer on a socket,
 * listening sockets included. */
int transport_md5(int fd, const union sockaddr_any *peer, const char *key);

#endif
