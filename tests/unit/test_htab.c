/*
 * The hash set, of pointers and of values, and the id pool and id slab
 * beside it: every element stays findable through growth and
 * backward-shift deletion, whatever its hash (0 included, which the table
 * may not mistake for an empty slot), and ids given back are taken again
 * before new ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/htab.h"
#include "lib/idblocks.h"
#include "lib/idpool.h"
#include "lib/idslab.h"

#define N 5000

struct item {
	uint32_t key;
	uint64_t hash;
};

static bool item_is(const void *elem, const void *key)
{
	return ((const struct item *)elem)->key == *(const uint32_t *)key;
}

/* The hash whose tag is tag: the table keeps the top half of hash times
 * 2^64 / phi (htab.c), and this is the inverse of that factor. */
static uint64_t with_tag(uint32_t tag)
{
	return ((uint64_t)tag << 32) * 0xf1de83e19937733dull;
}

/* Few distinct tags, crowded at both ends of their range, and the hash 0
 * among them: long probe runs, and one that wraps around the table's
 * end. */
static uint64_t crowded_hash(uint32_t key)
{
	if (key % 5 == 0)
		return 0;
	return with_tag(key % 3 == 1 ? 1 + key % 97 : UINT32_MAX - key % 89);
}

static void test_churn_keeps_everything_findable(void **state)
{
	(void)state;
	static struct item items[N];
	struct htab t;

	htab_init(&t);
	for (uint32_t i = 0; i < N; i++) {
		items[i] = (struct item){ i, crowded_hash(i) };
		assert_int_equal(htab_add(&t, items[i].hash, &items[i]), 0);
	}
	assert_int_equal(t.count, N);
	/* Remove every other one, then check all of them. */
	for (uint32_t i = 0; i < N; i += 2)
		htab_remove(&t, items[i].hash, &items[i]);
	for (uint32_t i = 0; i < N; i++) {
		void *found = htab_find(&t, items[i].hash, &i, item_is);
		if (i % 2 == 0)
			assert_null(found);
		else
			assert_ptr_equal(found, &items[i]);
	}
	/* Removing what is not there changes nothing. */
	htab_remove(&t, items[0].hash, &items[0]);
	assert_int_equal(t.count, N / 2);
	size_t pos = 0, seen = 0;
	while (htab_next(&t, &pos) != NULL)
		seen++;
	assert_int_equal(seen, N / 2);
	htab_free(&t);
}

/* A table of 4-byte values (ids of items kept elsewhere) behaves the same
 * through growth and deletion. */
static const struct item *value_items;

static bool value_is(const void *value, const void *key)
{
	uint32_t id;
	memcpy(&id, value, sizeof(id));
	return value_items[id].key == *(const uint32_t *)key;
}

static void test_values_churn_too(void **state)
{
	(void)state;
	static struct item items[N];
	struct htab t;

	value_items = items;
	htab_init_values(&t, sizeof(uint32_t));
	for (uint32_t i = 0; i < N; i++) {
		items[i] = (struct item){ i, crowded_hash(i) };
		assert_int_equal(htab_add_value(&t, items[i].hash, &i), 0);
	}
	for (uint32_t i = 0; i < N; i += 3)
		htab_remove_value(&t, items[i].hash, &i);
	for (uint32_t i = 0; i < N; i++) {
		const void *found = htab_find_value(&t, items[i].hash, &i, value_is);
		if (i % 3 == 0) {
			assert_null(found);
			continue;
		}
		uint32_t id;
		assert_non_null(found);
		memcpy(&id, found, sizeof(id));
		assert_int_equal(id, i);
	}
	assert_int_equal(t.count, N - (N + 2) / 3);
	htab_free(&t);
}

/* A table large enough to split into parts: everything added before and
 * after the split is found, removed ones are gone, iteration sees each
 * element once. */
#define LARGE 100000

static uint64_t spread_hash(uint32_t key)
{
	uint64_t h = (key + 1) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

static void test_large_table_splits_and_keeps_everything(void **state)
{
	(void)state;
	static struct item items[LARGE];
	static bool seen[LARGE];
	struct htab t;

	htab_init(&t);
	for (uint32_t i = 0; i < LARGE; i++) {
		items[i] = (struct item){ i, i % 7 == 0 ? crowded_hash(i) : spread_hash(i) };
		assert_int_equal(htab_add(&t, items[i].hash, &items[i]), 0);
	}
	assert_non_null(t.parts);
	for (uint32_t i = 0; i < LARGE; i += 4)
		htab_remove(&t, items[i].hash, &items[i]);
	for (uint32_t i = 0; i < LARGE; i++) {
		void *found = htab_find(&t, items[i].hash, &i, item_is);
		assert_ptr_equal(found, i % 4 == 0 ? NULL : &items[i]);
	}
	size_t pos = 0, count = 0;
	const struct item *it;
	while ((it = htab_next(&t, &pos)) != NULL) {
		assert_false(seen[it->key]);
		seen[it->key] = true;
		count++;
	}
	assert_int_equal(count, LARGE - LARGE / 4);
	assert_int_equal(t.count, count);
	htab_free(&t);
}

/* Random adds and removes, against a plain array of what should be
 * there: after every step the count agrees, and now and then every key,
 * present or not, is looked up.  Keys come from a small range, so the
 * same key is added and removed many times over, and their hashes from a
 * smaller one, so many keys share a hash; the table splits on the way. */
#define MODEL_KEYS  60000
#define MODEL_STEPS 400000

static uint64_t model_hash(uint32_t key)
{
	return key % 17 == 0 ? crowded_hash(key) : spread_hash(key % 40000);
}

static void test_random_steps_match_a_model(void **state)
{
	(void)state;
	static struct item items[MODEL_KEYS];
	static bool in[MODEL_KEYS];
	struct htab t;
	size_t count = 0;
	uint64_t rng = 1;

	memset(in, 0, sizeof(in));
	htab_init(&t);
	for (uint32_t i = 0; i < MODEL_KEYS; i++)
		items[i] = (struct item){ i, model_hash(i) };
	for (uint32_t step = 0; step < MODEL_STEPS; step++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t k = (uint32_t)(rng >> 33) % MODEL_KEYS;
		/* Adds outnumber removes 3 to 1 until the table is large. */
		bool add = !in[k] && ((rng >> 20) % 4 != 0 || step < MODEL_STEPS / 2);
		if (add) {
			assert_int_equal(htab_add(&t, items[k].hash, &items[k]), 0);
			in[k] = true;
			count++;
		} else if (in[k]) {
			htab_remove(&t, items[k].hash, &items[k]);
			in[k] = false;
			count--;
		}
		assert_int_equal(t.count, count);
		if (step % 100000 != 0)
			continue;
		for (uint32_t q = 0; q < MODEL_KEYS; q++)
			assert_ptr_equal(htab_find(&t, items[q].hash, &q, item_is),
			                 in[q] ? &items[q] : NULL);
	}
	assert_non_null(t.parts);
	htab_free(&t);
}

/* Once the table has split, tags from the top of their range only: in
 * every part they crowd the last slots and wrap around its end, through
 * every growth after. */
#define AT_THE_END 60000

static void test_runs_across_the_end_survive_growth(void **state)
{
	(void)state;
	static struct item items[AT_THE_END];
	struct htab t;

	htab_init(&t);
	for (uint32_t i = 0; i < AT_THE_END; i++) {
		uint64_t crowded = with_tag(UINT32_MAX - i * 2654435761u % (1u << 28));
		items[i] = (struct item){ i, i < AT_THE_END / 2 ? spread_hash(i) : crowded };
		assert_int_equal(htab_add(&t, items[i].hash, &items[i]), 0);
	}
	for (uint32_t i = 0; i < AT_THE_END; i++)
		assert_ptr_equal(htab_find(&t, items[i].hash, &i, item_is), &items[i]);
	htab_free(&t);
}

/* A table told how large it will be takes that many elements without
 * growing, and a table that already holds some keeps its size. */
static void test_reserved_room_needs_no_growth(void **state)
{
	(void)state;
	static struct item items[300];
	struct htab t;

	htab_init(&t);
	assert_int_equal(htab_reserve(&t, 300), 0);
	size_t cap = t.one.cap;
	assert_true(cap * 3 >= 300 * 4);
	for (uint32_t i = 0; i < 300; i++) {
		items[i] = (struct item){ i, spread_hash(i) };
		assert_int_equal(htab_add(&t, items[i].hash, &items[i]), 0);
	}
	assert_int_equal(t.one.cap, cap);
	assert_int_equal(htab_reserve(&t, 3000), 0);
	assert_int_equal(t.one.cap, cap);
	for (uint32_t i = 0; i < 300; i++)
		assert_ptr_equal(htab_find(&t, items[i].hash, &i, item_is), &items[i]);
	htab_free(&t);
}

/* Objects by id: blocks come as ids reach them, an id given back is the
 * next taken and its object comes back zeroed. */
static void test_idslab_gives_ids_back(void **state)
{
	(void)state;
	struct idslab s;
	uint32_t id;

	idslab_init(&s, 24);
	for (uint32_t want = 0; want < 3 * IDBLOCKS_BLOCK; want++) {
		unsigned char *o = idslab_take(&s, UINT32_MAX, &id);
		assert_non_null(o);
		assert_int_equal(id, want);
		memset(o, 0xab, 24);
	}
	assert_null(idslab_at(&s, 100 * IDBLOCKS_BLOCK)); /* past the blocks mapped ahead */
	idslab_give(&s, 4097);
	assert_int_equal(((unsigned char *)idslab_at(&s, 4097))[7], 0);
	unsigned char *again = idslab_take(&s, UINT32_MAX, &id);
	assert_int_equal(id, 4097);
	assert_ptr_equal(again, idslab_at(&s, 4097));
	assert_null(idslab_take(&s, 3 * IDBLOCKS_BLOCK, &id)); /* over the caller's limit */
	assert_int_equal(idslab_end(&s), 3 * IDBLOCKS_BLOCK + 1);
	idslab_destroy(&s);
}

static void test_ids_are_reused_first(void **state)
{
	(void)state;
	struct idpool p;
	uint32_t id;

	idpool_init(&p, 1);
	for (uint32_t want = 1; want <= 3000; want++) {
		assert_int_equal(idpool_take(&p, &id), 0);
		assert_int_equal(id, want);
	}
	idpool_give(&p, 17);
	idpool_give(&p, 2999);
	assert_int_equal(idpool_take(&p, &id), 0);
	assert_int_equal(id, 2999);
	assert_int_equal(idpool_take(&p, &id), 0);
	assert_int_equal(id, 17);
	assert_int_equal(idpool_take(&p, &id), 0);
	assert_int_equal(id, 3001);
	idpool_free(&p);
}

/* A slab past its first block maps the next one ahead, and the helper
 * thread faults it in before any id reaches it. */
static void test_idslab_next_block_is_faulted_ahead(void **state)
{
	(void)state;
	struct idslab s;
	uint32_t id;

	idslab_init(&s, 32);
	for (uint32_t i = 0; i <= IDBLOCKS_BLOCK; i++)
		assert_non_null(idslab_take(&s, UINT32_MAX, &id));
	unsigned char *ahead = idslab_at(&s, 2 * IDBLOCKS_BLOCK);
	assert_non_null(ahead);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = IDBLOCKS_BLOCK * 32 / page;
	unsigned char resident[IDBLOCKS_BLOCK * 32 / 4096];
	size_t in = 0;
	for (int tries = 0; tries < 200 && in < pages; tries++) {
		usleep(10000);
		assert_int_equal(mincore(ahead, pages * page, resident), 0);
		in = 0;
		for (size_t i = 0; i < pages; i++)
			in += resident[i] & 1;
	}
	assert_int_equal(in, pages);
	assert_int_equal(ahead[0], 0);
	idslab_destroy(&s);
}

/* Blocks mapped ahead never replace a block made before them: ids of an
 * Adj-RIB-Out's records come in any order.  Ids far apart map only their
 * own blocks. */
static void test_idblocks_ahead_keeps_blocks_made_before(void **state)
{
	(void)state;
	struct idblocks b;

	idblocks_init(&b, sizeof(uint32_t));
	uint32_t *early = idblocks_make(&b, 10 * IDBLOCKS_BLOCK + 5);
	assert_non_null(early);
	*early = 7;
	assert_null(idblocks_at(&b, 11 * IDBLOCKS_BLOCK)); /* alone: nothing ahead */
	assert_non_null(idblocks_make(&b, 0));
	assert_non_null(idblocks_make(&b, 1 * IDBLOCKS_BLOCK)); /* dense: maps ahead from 2 */
	assert_non_null(idblocks_at(&b, 2 * IDBLOCKS_BLOCK));
	assert_ptr_equal(idblocks_at(&b, 10 * IDBLOCKS_BLOCK + 5), early);
	assert_int_equal(*early, 7);
	assert_non_null(idblocks_make(&b, 9 * IDBLOCKS_BLOCK)); /* the run ahead ends at 10 */
	assert_int_equal(*(uint32_t *)idblocks_at(&b, 10 * IDBLOCKS_BLOCK + 5), 7);
	idblocks_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_churn_keeps_everything_findable),
		cmocka_unit_test(test_values_churn_too),
		cmocka_unit_test(test_large_table_splits_and_keeps_everything),
		cmocka_unit_test(test_random_steps_match_a_model),
		cmocka_unit_test(test_runs_across_the_end_survive_growth),
		cmocka_unit_test(test_reserved_room_needs_no_growth),
		cmocka_unit_test(test_idslab_gives_ids_back),
		cmocka_unit_test(test_idslab_next_block_is_faulted_ahead),
		cmocka_unit_test(test_idblocks_ahead_keeps_blocks_made_before),
		cmocka_unit_test(test_ids_are_reused_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
