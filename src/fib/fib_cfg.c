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
