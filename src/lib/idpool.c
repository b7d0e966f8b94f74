/*
 * idpool: a stack of given-back ids over a counter.
 */
#include "lib/idpool.h"

#include <stdlib.h>

void idpool_init(struct idpool *p, uint32_t first)
{
	*p = (struct idpool){ .next = first };
}

void idpool_free(struct idpool *p)
{
	free(p->given_back);
	idpool_init(p, 0);
}

int idpool_take(struct idpool *p, uint32_t *id)
{
	if (p->n_given_back > 0) {
		*id = p->given_back[--p->n_given_back];
		return 0;
	}
	if (p->next == UINT32_MAX)
		return -1;
	if (p->next >= p->cap) {
		size_t cap = p->cap == 0 ? 1024 : p->cap * 2;
		while (cap <= p->next)
			cap *= 2;
		uint32_t *grown = realloc(p->given_back, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		p->given_back = grown;
		p->cap = cap;
	}
	*id = p->next++;
	return 0;
}

void idpool_give(struct idpool *p, uint32_t id)
{
	p->given_back[p->n_given_back++] = id;
}
