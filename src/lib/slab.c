/*
 * slab: fixed-size object pools.
 */
#include "lib/slab.h"

#include <stdlib.h>
#include <string.h>

#define SLAB_BLOCK (64 * 1024)

void slab_init(struct slab *s, size_t size)
{
	size_t align = sizeof(void *);
	memset(s, 0, sizeof(*s));
	s->size = (size < align ? align : size + align - 1) / align * align;
}

void *slab_alloc(struct slab *s)
{
	void *obj = s->free;
	if (obj != NULL) {
		memcpy(&s->free, obj, sizeof(void *));
	} else {
		if (s->left == 0) {
			char *block = malloc(SLAB_BLOCK);
			if (block == NULL)
				return NULL;
			memcpy(block, &s->blocks, sizeof(void *));
			s->blocks = block;
			s->next = block + sizeof(void *);
			s->left = (SLAB_BLOCK - sizeof(void *)) / s->size;
		}
		obj = s->next;
		s->next += s->size;
		s->left--;
	}
	memset(obj, 0, s->size);
	s->in_use++;
	return obj;
}

void slab_free(struct slab *s, void *obj)
{
	memcpy(obj, &s->free, sizeof(void *));
	s->free = obj;
	s->in_use--;
}

void slab_destroy(struct slab *s)
{
	void *block = s->blocks;
	while (block != NULL) {
		void *next;
		memcpy(&next, block, sizeof(void *));
		free(block);
		block = next;
	}
	slab_init(s, s->size);
}
