/*
 * fib: the kernel's forwarding table, programmed over netlink.  The layer
 * above says, per prefix, which BGP next hops the RIB selected; the FIB
 * resolves each next hop to a gateway and device, shares one kernel
 * nexthop object per resolved next hop and one group per distinct set of
 * them, and installs routes that refer to them by id.  It only ever
 * touches routes and nexthops that carry its protocol number.
 *
 * Writes are batched and acknowledged asynchronously; a route the kernel
 * refuses is logged with the kernel's words and retried.  At start the
 * routes of a previous run stay until fib_converged(); at stop they go,
 * unless the caller keeps them for a graceful restart.
 */
#ifndef KBGP_FIB_FIB_H
#define KBGP_FIB_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/nlri.h"
#include "lib/loop.h"

#define FIB_PROTO_BGP 186 /* RTPROT_BGP */

struct fib_cfg {
	uint32_t table;   /* RT_TABLE_MAIN 254 */
	uint32_t metric;  /* route priority, 20 */
	uint8_t protocol; /* FIB_PROTO_BGP */
	/* false: ECMP as RTA_MULTIPATH, for kernels without nexthop objects
	 * (before 5.3); true falls back by itself when the kernel says no. */
	bool nexthop_objects;
	/* net.ipv4/ipv6 fib_multipath_hash_policy to set, -1 to leave. */
	int hash_policy4, hash_policy6;
};

void fib_cfg_default(struct fib_cfg *c);

/* A next hop as BGP gives it: an IPv4 or IPv6 address. */
struct fib_nexthop {
	uint8_t af; /* enum bgp_af of the address */
	uint8_t addr[16];
};

#define FIB_MAX_PATHS 64

#endif
