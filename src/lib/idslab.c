/*
 * idslab: objects by id (idslab.h): ids from an idpool, objects in
 * idblocks.
 */
#include "lib/idslab.h"

#include <string.h>

void idslab_init(struct idslab *s, size_t size)
{
	idblocks_init(&s->objects, size);
	idpool_init(&s->ids, 0);
}

void idslab_destroy(struct idslab *s)
{
	idblocks_free(&s->objects);
	idpool_free(&s->ids);
	idslab_init(s, s->objects.size);
}

void *idslab_take(struct idslab *s, uint32_t max, uint32_t *id)
{
	if (idpool_take(&s->ids, id) < 0)
		return NULL;
	void *o = *id < max ? idblocks_make(&s->objects, *id) : NULL;
	if (o == NULL)
		idpool_give(&s->ids, *id);
	return o;
}

void idslab_give(struct idslab *s, uint32_t id)
{
	memset(idslab_at(s, id), 0, s->objects.size);
	idpool_give(&s->ids, id);
}

void *idslab_at(const struct idslab *s, uint32_t id)
{
	return idblocks_at(&s->objects, id);
}
