/*
 * idpool: small dense integer ids for objects that come and go, so that
 * tables indexed by id (what an Adj-RIB-Out sent per RIB entry, attribute
 * sets by id) stay as small as the number of live objects.  An id given
 * back is the next one taken.
 */
#ifndef KBGP_LIB_IDPOOL_H
#define KBGP_LIB_IDPOOL_H

#include <stddef.h>
#include <stdint.h>

struct idpool {
	uint32_t next; /* the lowest id never taken */
	uint32_t *given_back;
	size_t n_given_back, cap;
};

/* Ids start at first (0 when 0 means nothing to the caller's tables). */
void idpool_init(struct idpool *p, uint32_t first);
void idpool_free(struct idpool *p);
/* -1 out of memory or out of ids. */
int idpool_take(struct idpool *p, uint32_t *id);
/* Never fails: room for every id taken is made when it is taken. */
void idpool_give(struct idpool *p, uint32_t id);

#endif
