/*
 * Slab pools: objects come zeroed, freed ones are reused, nothing overlaps,
 * and destroying the pool releases everything (ASan checks the last part).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/slab.h"

struct thing {
	uint64_t a, b;
	uint8_t c;
};

static void test_alloc_free_reuse(void **state)
{
	(void)state;
	static struct thing *v[20000];
	struct slab s;

	slab_init(&s, sizeof(struct thing));
	assert_int_equal(s.size % sizeof(void *), 0);
	for (size_t i = 0; i < 20000; i++) {
		v[i] = slab_alloc(&s);
		assert_non_null(v[i]);
		assert_int_equal(v[i]->a | v[i]->b | v[i]->c, 0);
		v[i]->a = i;
		v[i]->b = ~(uint64_t)i;
	}
	for (size_t i = 0; i < 20000; i++)
		assert_true(v[i]->a == i && v[i]->b == ~(uint64_t)i); /* no overlap */
	for (size_t i = 0; i < 20000; i += 2)
		slab_free(&s, v[i]);
	assert_int_equal(s.in_use, 10000);
	struct thing *again = slab_alloc(&s);
	assert_ptr_equal(again, v[19998]); /* the last freed comes back first */
	assert_int_equal(again->a, 0);     /* zeroed */
	slab_destroy(&s);
	assert_int_equal(s.in_use, 0);
	assert_null(s.blocks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_free_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
