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

/* 0 and *out, or -1 when the next hop cannot be reached. */
int fib_resolve(struct nl_sock *q, uint8_t protocol, const struct fib_nexthop *nh,
                struct kpath *out);

#endif
