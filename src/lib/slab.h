/*
 * slab: fixed-size objects carved from 64 KiB blocks, with a free list.
 * Millions of small RIB objects then cost their own size, without malloc's
 * per-allocation header, and a whole pool goes back to the system at once.
 */
#ifndef KBGP_LIB_SLAB_H
#define KBGP_LIB_SLAB_H

#include <stddef.h>

struct slab {
	size_t size;  /* of one object, rounded up to pointer alignment */
	void *free;   /* freed objects, linked through their first word */
	void *blocks; /* every block, linked through its first word */
	char *next;   /* the unused tail of the newest block */
	size_t left;  /* objects left there */
	size_t in_use;
};

void slab_init(struct slab *s, size_t size);
/* Zeroed memory for one object; NULL out of memory. */
void *slab_alloc(struct slab *s);
void slab_free(struct slab *s, void *obj);
/* Release every block (every object goes with them). */
void slab_destroy(struct slab *s);

#endif
