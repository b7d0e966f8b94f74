/*
 * podcidr: the operator's PodCIDR allocator (Cilium's cluster-pool IPAM, one
 * block per node), as one pure function of the current Nodes.
 */
#ifndef KBGP_CP_PODCIDR_H
#define KBGP_CP_PODCIDR_H

#include <stdint.h>

#include <jansson.h>

#include "bgp/nlri.h"
#include "k8s/store.h"

/*
 * {"nodes": {"NAME": ["172.20.0.0/24", ...]}, "errors": [TEXT]}
 *
 * Every Node appears.  A Node keeps the PodCIDRs it has (its manifest's,
 * or the operator's read back); one with none of pool's family gets the
 * lowest free /mask_len block of pool that overlaps no other Node's
 * PodCIDR, oldest Node first.  A Node the pool cannot serve gets none of
 * that family and an error naming it.  For dual stack, call once per
 * family's pool.  NULL when out of memory.
 */
json_t *cp_podcidr(const struct k8s_store *s, const struct bgp_prefix *pool, uint8_t mask_len);

#endif
