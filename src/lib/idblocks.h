/*
 * idblocks: fixed-size objects by dense id, zeroed until written, in
 * blocks of IDBLOCKS_BLOCK made as ids reach them.  A table keyed by ids
 * that stay dense, as RIB entry ids do, costs its objects and a pointer a
 * block.  A table that grows densely (a block is made where the one
 * before it is) maps the blocks ahead of it, and the prefault helper
 * faults them in before any id reaches them; ids scattered over a large
 * range (an Adj-RIB-Out behind a filter) map only the blocks they need.
 */
#ifndef KBGP_LIB_IDBLOCKS_H
#define KBGP_LIB_IDBLOCKS_H

#include <stddef.h>

#define IDBLOCKS_BLOCK 4096 /* objects per block */

struct idblocks {
	unsigned char **blocks;
	size_t n_blocks;
	size_t size; /* of one object */
};

void idblocks_init(struct idblocks *b, size_t size);
/* Unmap every block (every object goes with them). */
void idblocks_free(struct idblocks *b);
/* The object with that id, or NULL if its block was never made. */
void *idblocks_at(const struct idblocks *b, size_t id);
/* The same, its block made if need be; NULL out of memory. */
void *idblocks_make(struct idblocks *b, size_t id);

#endif
