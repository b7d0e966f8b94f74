/*
 * fib_cfg: the FIB's settings and their defaults (FRR's for eBGP).
 */
#include "fib/fib.h"

void fib_cfg_default(struct fib_cfg *c)
{
	*c = (struct fib_cfg){ .table = 254,
		               .metric = 20,
		               .protocol = FIB_PROTO_BGP,
		               .nexthop_objects = true,
		               .hash_policy4 = -1,
		               .hash_policy6 = -1 };
}

bool fib_cfg_equal(const struct fib_cfg *a, const struct fib_cfg *b)
{
	return a->table == b->table && a->metric == b->metric && a->protocol == b->protocol &&
	       a->nexthop_objects == b->nexthop_objects && a->hash_policy4 == b->hash_policy4 &&
	       a->hash_policy6 == b->hash_policy6;
}
