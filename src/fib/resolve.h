/*
 * resolve: where a BGP next hop leads, asked of the kernel: the gateway
 * and device of the route that covers it.  A next hop on a connected
 * subnet is its own gateway; one further away takes the gateway of the
 * (static, IGP ...) route towards it.  Like FRR, a next hop is never
 * resolved through a default route or through a route of kbgp's own.
 */
#ifndef KBGP_FIB_RESOLVE_H
#define KBGP_FIB_RESOLVE_H

#include "fib/fib.h"
#include "fib/kmsg.h"
#include "fib/nl.h"
#include "lib/addr.h"

/* 0 and *out, or -1 when the next hop cannot be reached. */
int fib_resolve(struct nl_sock *q, uint8_t protocol, const struct fib_nexthop *nh,
                struct kpath *out);

/* 1 if the kernel has a route to exactly p that is not of protocol
 * `own` (a connected subnet, a static route ...), 0 if not, -1 if it
 * could not be asked.  BGP's import check for `network` statements. */
int fib_route_present(struct nl_sock *q, const struct bgp_prefix *p, uint8_t own);

/* The gateway of the main table's default route for af with the lowest
 * metric, link-local gateways left out (Cilium's DefaultGateway peer
 * discovery): 1 and *out, 0 when there is none, -1 if the kernel could
 * not be asked. */
int fib_default_gateway(struct nl_sock *q, uint8_t af, union sockaddr_any *out);

#endif
