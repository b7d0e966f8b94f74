/*
 * idslab: objects by id (idslab.h).
 */
#include "lib/idslab.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/prefault.h"

void idslab_init(struct idslab *s, size_t size)
{
	*s = (struct idslab){ .size = size };
	idpool_init(&s->ids, 0);
}

/* Blocks are mappings of their own, page-aligned for the prefault helper
 * (a multiple of 4096 objects is a multiple of any page size). */
static size_t block_bytes(const struct idslab *s)
{
	return (size_t)IDSLAB_BLOCK * s->size;
}

static unsigned char *block_map(const struct idslab *s)
{
	void *m = mmap(NULL, block_bytes(s), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	               -1, 0);
	return m != MAP_FAILED ? m : NULL;
}

void idslab_destroy(struct idslab *s)
{
	for (size_t i = 0; i < s->n_blocks; i++)
		if (s->blocks[i] != NULL)
			munmap(s->blocks[i], block_bytes(s));
	free(s->blocks);
	idpool_free(&s->ids);
	idslab_init(s, s->size);
}

/* Make the block of id if it is not there; -1 out of memory.  A slab
 * past its first block is growing: the next block is mapped too, and
 * faulted in by the helper before ids reach it. */
static int block_make(struct idslab *s, uint32_t id)
{
	size_t block = id / IDSLAB_BLOCK;
	if (block + 1 >= s->n_blocks) {
		size_t n = block + 2 > s->n_blocks * 2 ? block + 2 : s->n_blocks * 2;
		unsigned char **grown = realloc(s->blocks, n * sizeof(*grown));
		if (grown == NULL)
			return -1;
		memset(grown + s->n_blocks, 0, (n - s->n_blocks) * sizeof(*grown));
		s->blocks = grown;
		s->n_blocks = n;
	}
	if (s->blocks[block] == NULL && (s->blocks[block] = block_map(s)) == NULL)
		return -1;
	if (block > 0 && s->blocks[block + 1] == NULL &&
	    (s->blocks[block + 1] = block_map(s)) != NULL)
		prefault_ahead(s->blocks[block + 1], block_bytes(s));
	return 0;
}

void *idslab_take(struct idslab *s, uint32_t max, uint32_t *id)
{
	if (idpool_take(&s->ids, id) < 0)
		return NULL;
	if (*id >= max || block_make(s, *id) < 0) {
		idpool_give(&s->ids, *id);
		return NULL;
	}
	return idslab_at(s, *id);
}

void idslab_give(struct idslab *s, uint32_t id)
{
	memset(idslab_at(s, id), 0, s->size);
	idpool_give(&s->ids, id);
}

void *idslab_at(const struct idslab *s, uint32_t id)
{
	size_t block = id / IDSLAB_BLOCK;
	if (block >= s->n_blocks || s->blocks[block] == NULL)
		return NULL;
	return s->blocks[block] + (size_t)(id % IDSLAB_BLOCK) * s->size;
}
