/*
 * pindex: the RIB's index from prefix to a 4-byte handle, in blocks.  A
 * prefix's block is the /16 (IPv4) or /32 (IPv6) that holds its first
 * address, and each block is a hash table of its own.  Speakers send a
 * table in address order (they walk their own), so a full table's
 * consecutive prefixes meet a block, and its slots, already in cache,
 * and each block grows while it is hot, or not at all (a new block is
 * made as large as the average): one table of a million slots took a
 * cache miss for every new prefix, and grew from main memory.  A table
 * sent in another order costs a miss or two more a prefix.
 */
#ifndef KBGP_RIB_PINDEX_H
#define KBGP_RIB_PINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp/nlri.h"
#include "lib/htab.h"

struct pindex {
	/* IPv4 blocks by their first octet, then their second, in arrays of
	 * 256 made with the octet's first prefix (14 kB).  Blocks hold no
	 * prefix until they are made (a handle table of no slots). */
	struct pindex_block *v4[256];
	struct htab v6;  /* of IPv6 blocks, by their seeded hash */
	size_t count;    /* handles, in all blocks */
	size_t n_blocks; /* with prefixes */
};

void pindex_init(struct pindex *x);
void pindex_free(struct pindex *x);
/* The handle stored for p (hash: bgp_prefix_hash(p)) for which eq holds
 * (it gets a pointer to a stored handle), or NULL; valid until the index
 * changes. */
const void *pindex_find(const struct pindex *x, const struct bgp_prefix *p, uint64_t hash,
                        const void *key, bool (*eq)(const void *handle, const void *key));
/* Lookups of many prefixes, fetched ahead together, overlap their cache
 * misses: first the block of each (pindex_prefetch_block), then the
 * first slot each reads (pindex_prefetch), then the lookups. */
void pindex_prefetch_block(const struct pindex *x, const struct bgp_prefix *p);
void pindex_prefetch(const struct pindex *x, const struct bgp_prefix *p, uint64_t hash);
/* Add a handle for p, known not to be there; -1 out of memory. */
int pindex_add(struct pindex *x, const struct bgp_prefix *p, uint64_t hash, uint32_t handle);
/* Remove the handle added for p. */
void pindex_remove(struct pindex *x, const struct bgp_prefix *p, uint64_t hash, uint32_t handle);

#endif
