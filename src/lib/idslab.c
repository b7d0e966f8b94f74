/*
 * idslab: objects by id (idslab.h).
 */
#include "lib/idslab.h"

#include <stdlib.h>
#include <string.h>

void idslab_init(struct idslab *s, size_t size)
{
	*s = (struct idslab){ .size = size };
	idpool_init(&s->ids, 0);
}

void idslab_destroy(struct idslab *s)
{
	for (size_t i = 0; i < s->n_blocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	idpool_free(&s->ids);
	idslab_init(s, s->size);
}

/* Make the block of id if it is not there; -1 out of memory. */
static int block_make(struct idslab *s, uint32_t id)
{
	size_t block = id / IDSLAB_BLOCK;
	if (block >= s->n_blocks) {
		size_t n = block + 1 > s->n_blocks * 2 ? block + 1 : s->n_blocks * 2;
		unsigned char **grown = realloc(s->blocks, n * sizeof(*grown));
		if (grown == NULL)
			return -1;
		memset(grown + s->n_blocks, 0, (n - s->n_blocks) * sizeof(*grown));
		s->blocks = grown;
		s->n_blocks = n;
	}
	if (s->blocks[block] == NULL && (s->blocks[block] = calloc(IDSLAB_BLOCK, s->size)) == NULL)
		return -1;
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
