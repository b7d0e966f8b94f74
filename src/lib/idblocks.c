/*
 * idblocks: blocks of objects by id (idblocks.h).
 */
#include "lib/idblocks.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/prefault.h"

void idblocks_init(struct idblocks *b, size_t size)
{
	*b = (struct idblocks){ .size = size };
}

/* Blocks are page-aligned mappings, of their own or a few together (they
 * are unmapped one by one all the same): 4096 objects make a multiple of
 * any page size. */
static size_t block_bytes(const struct idblocks *b)
{
	return IDBLOCKS_BLOCK * b->size;
}

/* n blocks in one mapping, zeroed; NULL out of memory. */
static unsigned char *blocks_map(const struct idblocks *b, size_t n)
{
	void *m = mmap(NULL, n * block_bytes(b), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m != MAP_FAILED ? m : NULL;
}

void idblocks_free(struct idblocks *b)
{
	for (size_t i = 0; i < b->n_blocks; i++)
		if (b->blocks[i] != NULL)
			munmap(b->blocks[i], block_bytes(b));
	free(b->blocks);
	idblocks_init(b, b->size);
}

void *idblocks_at(const struct idblocks *b, size_t id)
{
	size_t block = id / IDBLOCKS_BLOCK;
	if (block >= b->n_blocks || b->blocks[block] == NULL)
		return NULL;
	return b->blocks[block] + id % IDBLOCKS_BLOCK * b->size;
}

/* Room in the block array up to block; -1 out of memory. */
static int array_cover(struct idblocks *b, size_t block)
{
	if (block < b->n_blocks)
		return 0;
	size_t n = block + 1 > b->n_blocks * 2 ? block + 1 : b->n_blocks * 2;
	unsigned char **grown = realloc(b->blocks, n * sizeof(*grown));
	if (grown == NULL)
		return -1;
	memset(grown + b->n_blocks, 0, (n - b->n_blocks) * sizeof(*grown));
	b->blocks = grown;
	b->n_blocks = n;
	return 0;
}

/* The blocks from first on, up to 512 kB of them and up to the next block
 * already made (ids do not always come in order), mapped as one and
 * handed to the prefault helper: a mapping and a wake-up of the helper
 * cost a system call each, not worth making for every 16 kB. */
#define AHEAD_BYTES (512u * 1024u)

static void map_ahead(struct idblocks *b, size_t first)
{
	size_t most = AHEAD_BYTES > block_bytes(b) ? AHEAD_BYTES / block_bytes(b) : 1, n = 0;
	if (array_cover(b, first + most - 1) < 0)
		return;
	while (n < most && b->blocks[first + n] == NULL)
		n++;
	if (n == 0)
		return;
	unsigned char *m = blocks_map(b, n);
	if (m == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		b->blocks[first + i] = m + i * block_bytes(b);
	prefault_ahead(m, n * block_bytes(b));
}

void *idblocks_make(struct idblocks *b, size_t id)
{
	size_t block = id / IDBLOCKS_BLOCK;
	if (array_cover(b, block) < 0)
		return NULL;
	if (b->blocks[block] == NULL && (b->blocks[block] = blocks_map(b, 1)) == NULL)
		return NULL;
	if (block > 0 && b->blocks[block - 1] != NULL)
		map_ahead(b, block + 1);
	return idblocks_at(b, id);
}
