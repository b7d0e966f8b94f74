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
#include "fib/nl.h"
#include "lib/htab.h"
#include "lib/loop.h"
#include "lib/slab.h"

#define FIB_PROTO_BGP 186 /* RTPROT_BGP */

struct fib_route;

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
bool fib_cfg_equal(const struct fib_cfg *a, const struct fib_cfg *b);

/* A next hop as BGP gives it: an IPv4 or IPv6 address. */
struct fib_nexthop {
	uint8_t af; /* enum bgp_af of the address */
	uint8_t addr[16];
};

#define FIB_MAX_PATHS 64

/* What the FIB did, for logs and `kbgpctl show ip route`. */
struct fib_stats {
	size_t routes;       /* prefixes with a selection */
	size_t installed;    /* of them, in the kernel */
	size_t failed;       /* refused by the kernel, waiting for a retry */
	size_t unresolved;   /* no next hop reachable */
	size_t groups, hops; /* nexthop objects */
};

struct fib {
	struct fib_cfg cfg;
	struct loop *loop;
	struct nl_sock wr, query, mon;
	struct loop_io wr_io, mon_io;
	struct loop_idle work;
	struct loop_timer retry_timer, resync_timer;
	uint64_t resync_due; /* when a postponed resync first came due, or 0 */
	struct htab routes, groups, hops;
	struct slab route_slab;
	struct fib_route **queue;
	size_t n_queue, cap_queue, done_queue;
	struct fib_route **retry;
	size_t n_retry, cap_retry;
	uint32_t retry_delay_ms;
	bool objects;     /* nexthop objects (else RTA_MULTIPATH) */
	bool converged;   /* a previous run's leftovers are gone, or going */
	bool purge_stale; /* stale_ids to delete once the queue is written */
	uint32_t next_id;
	struct fib_ids {
		uint32_t *v;
		size_t n, cap;
	} taken;             /* nexthop ids in use by anyone at start, sorted */
	uint32_t *stale_ids; /* a previous run's nexthop objects */
	size_t n_stale_ids;
	size_t failures_logged;
	int hash_policy[2]; /* in use, IPv4 and IPv6; -1 unknown */
	struct fib_stats stats;
};

/* Read what the kernel has (a previous run's routes stay until
 * fib_converged), set the hash policies.  -1, logged, if netlink fails. */
int fib_open(struct fib *f, struct loop *l, const struct fib_cfg *cfg);
/* Remove every route and nexthop of ours, unless keep (graceful
 * restart: they stay for the next run to take over). */
void fib_close(struct fib *f, bool keep);
/* The RIB selected these next hops for p (n == 0: nothing, remove it).
 * Written to the kernel a moment later, in batches.  -1 out of memory. */
int fib_set(struct fib *f, const struct bgp_prefix *p, const struct fib_nexthop *nh, size_t n);
/* The RIB has converged: leftovers of a previous run not selected again go. */
void fib_converged(struct fib *f);

#endif
