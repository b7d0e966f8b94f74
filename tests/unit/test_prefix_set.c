/*
 * The prefix set against a plain array under random adds and removes,
 * which exercises growth and backward-shift deletion.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rib/prefix_set.h"

#define UNIVERSE 600

static struct bgp_prefix nth_prefix(unsigned i)
{
	struct bgp_prefix p = { .af = i % 2 ? BGP_AF_IPV6_UNICAST : BGP_AF_IPV4_UNICAST,
		                .len = (uint8_t)(16 + i % 9) };
	/* The index lives in the first 16 bits, so every prefix differs. */
	p.addr[0] = (uint8_t)(i >> 8);
	p.addr[1] = (uint8_t)i;
	p.path_id = i % 3;
	return p;
}

static void test_matches_a_plain_array(void **state)
{
	(void)state;
	struct prefix_set s;
	bool model[UNIVERSE] = { 0 };
	struct bgp_prefix universe[UNIVERSE];
	unsigned seed = 7;

	/* Distinct prefixes only: the model indexes them. */
	for (unsigned i = 0; i < UNIVERSE; i++)
		universe[i] = nth_prefix(i);
	prefix_set_init(&s);
	for (int step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		unsigned i = (seed >> 8) % UNIVERSE;
		bool add = (seed >> 4) & 1;
		if (add) {
			assert_int_equal(prefix_set_add(&s, &universe[i]), model[i] ? 0 : 1);
			model[i] = true;
		} else {
			assert_int_equal(prefix_set_remove(&s, &universe[i]), model[i]);
			model[i] = false;
		}
	}
	size_t count = 0;
	for (unsigned i = 0; i < UNIVERSE; i++) {
		assert_int_equal(prefix_set_has(&s, &universe[i]), model[i]);
		count += model[i];
	}
	assert_int_equal(s.count, count);
	assert_int_equal(prefix_set_count_af(&s, BGP_AF_IPV4_UNICAST) +
	                         prefix_set_count_af(&s, BGP_AF_IPV6_UNICAST),
	                 count);
	prefix_set_clear(&s);
	assert_int_equal(s.count, 0);
	assert_false(prefix_set_has(&s, &universe[0]));
	prefix_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_a_plain_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
