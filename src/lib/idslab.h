/*
 * idslab: fixed-size objects addressed by a dense id (idpool.h) instead of
 * by pointer, kept in blocks made as ids reach them (idblocks.h).  A table
 * that refers to millions of objects then holds 4-byte ids, and a walk by
 * id visits the objects in the order of their memory.
 */
#ifndef KBGP_LIB_IDSLAB_H
#define KBGP_LIB_IDSLAB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/idblocks.h"
#include "lib/idpool.h"

struct idslab {
	struct idblocks objects;
	struct idpool ids;
};

void idslab_init(struct idslab *s, size_t size);
/* Unmap every block (every object goes with them). */
void idslab_destroy(struct idslab *s);
/* A zeroed object and its id; NULL out of memory or of ids below max. */
void *idslab_take(struct idslab *s, uint32_t max, uint32_t *id);
/* Give the object back: it is zeroed, its id is the next taken. */
void idslab_give(struct idslab *s, uint32_t id);
/* The object with that id, or NULL if its block was never made (ids not
 * yet taken may have one: a growing slab makes the next block ahead).
 * An id given back leads to a zeroed object: telling live objects from
 * those is the caller's (a flag that is 0 when zeroed). */
void *idslab_at(const struct idslab *s, uint32_t id);
/* Ids at and above this were never taken. */
static inline uint32_t idslab_end(const struct idslab *s)
{
	return s->ids.next;
}

#endif
