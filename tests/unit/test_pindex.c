/*
 * The RIB's prefix index: every prefix, of either family and any length,
 * shorter than its block or not, is found by its own handle and no other;
 * a block goes when its last prefix does; and random adds and removes
 * agree with a plain model of what should be there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rib/pindex.h"

/* The handle of a prefix is its place in the universe below; eq asks
 * the universe what the stored handle names. */
#define UNIVERSE 6000
static struct bgp_prefix universe[UNIVERSE];
static uint64_t hashes[UNIVERSE];

static bool handle_is(const void *handle, const void *key)
{
	uint32_t h;
	memcpy(&h, handle, sizeof(h));
	const struct bgp_prefix *p = &universe[h], *k = key;
	return p->af == k->af && p->len == k->len && memcmp(p->addr, k->addr, sizeof(p->addr)) == 0;
}

static const uint32_t *find(const struct pindex *x, uint32_t i)
{
	return pindex_find(x, &universe[i], hashes[i], &universe[i], handle_is);
}

static void put(uint32_t i, const char *text)
{
	assert_int_equal(bgp_prefix_parse(text, &universe[i]), 0);
	hashes[i] = bgp_prefix_hash(&universe[i]);
}

/* Prefixes that share blocks, prefixes shorter than a block (the default
 * routes, a /8, a /12 and a /20 inside another's /16), and the same bits
 * in both families. */
static const char *const mixed[] = {
	"0.0.0.0/0",   "10.0.0.0/8",      "10.0.0.0/16",   "10.0.0.0/24",   "10.0.1.0/24",
	"10.0.1.0/25", "10.0.1.1/32",     "10.16.0.0/12",  "10.16.0.0/20",  "192.0.2.0/24",
	"::/0",        "a00::/8",         "2001:db8::/32", "2001:db8::/48", "2001:db8:1::/48",
	"2001::/16",   "2001:db8::1/128",
};
#define N_MIXED (sizeof(mixed) / sizeof(mixed[0]))

static void test_every_prefix_finds_its_own_handle(void **state)
{
	(void)state;
	struct pindex x;

	pindex_init(&x);
	for (uint32_t i = 0; i < N_MIXED; i++) {
		put(i, mixed[i]);
		assert_null(find(&x, i));
		assert_int_equal(pindex_add(&x, &universe[i], hashes[i], i), 0);
	}
	assert_int_equal(x.count, N_MIXED);
	for (uint32_t i = 0; i < N_MIXED; i++) {
		const uint32_t *h = find(&x, i);
		assert_non_null(h);
		assert_int_equal(*h, i);
	}
	pindex_free(&x);
	assert_int_equal(x.count, 0);
}

static void test_a_block_goes_with_its_last_prefix(void **state)
{
	(void)state;
	struct pindex x;

	pindex_init(&x);
	put(0, "10.0.1.0/24");
	put(1, "10.0.2.0/24");
	put(2, "2001:db8::/48");
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(pindex_add(&x, &universe[i], hashes[i], i), 0);
	assert_int_equal(x.n_blocks, 2);
	pindex_remove(&x, &universe[0], hashes[0], 0);
	assert_int_equal(x.n_blocks, 2);
	assert_null(find(&x, 0));
	assert_non_null(find(&x, 1));
	pindex_remove(&x, &universe[1], hashes[1], 1);
	pindex_remove(&x, &universe[2], hashes[2], 2);
	assert_int_equal(x.n_blocks, 0);
	assert_int_equal(x.count, 0);
	assert_int_equal(pindex_add(&x, &universe[1], hashes[1], 1), 0);
	assert_int_equal(*find(&x, 1), 1);
	pindex_free(&x);
}

/* Blocks of every size: some /16s crowded with /24s and longer, some
 * with one prefix, IPv6 /32s alike, so blocks are made at the average
 * size and then grow past it or stay nearly empty. */
static void make_universe(void)
{
	uint64_t rng = 7;
	for (uint32_t i = 0; i < UNIVERSE; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t r = (uint32_t)(rng >> 32);
		struct bgp_prefix *p = &universe[i];
		*p = (struct bgp_prefix){ .af = r % 3 == 0 ? BGP_AF_IPV6_UNICAST
			                                   : BGP_AF_IPV4_UNICAST };
		bool crowded = r % 5 != 0;
		p->addr[0] = crowded ? (uint8_t)(r >> 8) % 4 : (uint8_t)(r >> 8);
		p->addr[1] = crowded ? 0 : (uint8_t)(r >> 16);
		p->addr[2] = (uint8_t)(r >> 20);
		p->addr[3] = (uint8_t)(r >> 3);
		p->addr[5] = (uint8_t)r;
		p->len = (uint8_t)(p->af == BGP_AF_IPV4_UNICAST ? 8 + r % 25 : 16 + r % 113);
		bgp_prefix_mask(p);
		hashes[i] = bgp_prefix_hash(p);
	}
}

#define STEPS 60000

static void test_random_steps_match_a_model(void **state)
{
	(void)state;
	static bool in[UNIVERSE];
	struct pindex x;
	size_t count = 0;
	uint64_t rng = 1;

	make_universe();
	memset(in, 0, sizeof(in));
	pindex_init(&x);
	for (uint32_t step = 0; step < STEPS; step++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t i = (uint32_t)(rng >> 33) % UNIVERSE;
		/* Duplicates drawn into the universe count as one prefix. */
		const uint32_t *have = find(&x, i);
		if (have == NULL && (rng >> 20) % 3 != 0) {
			assert_int_equal(pindex_add(&x, &universe[i], hashes[i], i), 0);
			in[i] = true;
			count++;
		} else if (have != NULL && (rng >> 20) % 3 == 0) {
			uint32_t h = *have;
			pindex_remove(&x, &universe[h], hashes[h], h);
			in[h] = false;
			count--;
		}
		assert_int_equal(x.count, count);
		if (step % 10000 != 0)
			continue;
		for (uint32_t q = 0; q < UNIVERSE; q++) {
			const uint32_t *h = find(&x, q);
			assert_true(h == NULL || in[*h]);
			if (in[q])
				assert_int_equal(*h, q);
		}
	}
	pindex_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_prefix_finds_its_own_handle),
		cmocka_unit_test(test_a_block_goes_with_its_last_prefix),
		cmocka_unit_test(test_random_steps_match_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
