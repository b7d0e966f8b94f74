/*
 * fib_impl: the FIB's own objects, shared by fib.c (routes and writes) and
 * fib_kernel.c (start, stop, watching the kernel).  Internal to src/fib.
 */
#ifndef KBGP_FIB_FIB_IMPL_H
#define KBGP_FIB_FIB_IMPL_H

#include "fib/fib.h"
#include "fib/kmsg.h"

/* One BGP next hop, resolved: one kernel nexthop object. */
struct fib_hop {
	struct fib_nexthop key;
	uint32_t refs; /* groups holding it */
	uint32_t id;   /* kernel id, 0 before one is chosen */
	bool resolved;
	bool in_kernel; /* the object exists (objects mode) */
	bool changed;   /* resolution changed: the object must be replaced */
	struct kpath path;
};

/* A set of next hops, as selected for some prefixes: with several
 * resolved members, one kernel group; with one, that hop's object. */
struct fib_group {
	uint64_t hash;
	uint32_t refs; /* routes holding it (wanted or installed) */
	uint32_t id;   /* group object id, when n_live > 1 */
	bool in_kernel;
	bool changed; /* a member moved or vanished: the object is made again */
	bool requeue; /* resync: its routes must be written again */
	size_t n;
	struct fib_hop *hops[FIB_MAX_PATHS]; /* sorted, distinct */
};

struct fib_route {
	uint8_t af, len;
	uint8_t addr[16];
	struct fib_group *want; /* what the RIB selected; NULL: nothing */
	struct fib_group *have; /* what the kernel was last given */
	bool queued;
	bool stale;  /* a previous run's route, not claimed yet */
	bool failed; /* refused by the kernel, in the retry list */
	bool seen;   /* resync: the kernel has it */
};

/* fib.c */
void fib_queue(struct fib *f, struct fib_route *r);
/* Routes queued and not yet written. */
static inline size_t fib_backlog(const struct fib *f)
{
	return f->n_queue - f->done_queue;
}
struct fib_route *fib_route_get(struct fib *f, uint8_t af, uint8_t len, const uint8_t *addr,
                                bool create);
void fib_route_settle(struct fib *f, struct fib_route *r);
void fib_group_unref(struct fib *f, struct fib_group *g);
/* The resolved members of g and their number. */
size_t fib_group_live(const struct fib_group *g, struct fib_hop **live);
/* Write g's kernel objects again (resync); its resolved members. */
size_t fib_group_refresh(struct fib *f, struct fib_group *g);
int fib_write(struct fib *f); /* the queued batch goes out */
void fib_on_reply(struct fib *f, const struct nlmsghdr *nlh);
void fib_work(struct fib *f);

/* fib_kernel.c */
int fib_kernel_open(struct fib *f);
void fib_kernel_close(struct fib *f, bool keep);
void fib_schedule_resync(struct fib *f, uint32_t delay_ms);
/* After fib_converged, once the queue is written: the previous run's
 * nexthop objects go. */
void fib_purge_stale(struct fib *f);
bool fib_id_taken(const struct fib *f, uint32_t id);

#endif
