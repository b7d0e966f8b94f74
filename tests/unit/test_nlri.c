/*
 * Prefixes on the wire: lengths 0..32 and 0..128, host bits cleared,
 * ADD-PATH identifiers, text form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/nlri.h"
#include "testlib.h"

static void test_ipv4_field(void **state)
{
	(void)state;
	uint8_t b[32];
	size_t n = tl_hex("18 ac1400  00  20 0a0a01c8  11 ac1480", b, sizeof(b));
	struct nlri_iter it;
	struct bgp_prefix p;
	char text[64];
	const char *want[] = { "172.20.0.0/24", "0.0.0.0/0", "10.10.1.200/32", "172.20.128.0/17" };

	nlri_iter_init(&it, rbuf_make(b, n), BGP_AF_IPV4_UNICAST, false);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(nlri_next(&it, &p), 1);
		bgp_prefix_format(text, sizeof(text), &p);
		assert_string_equal(text, want[i]);
	}
	assert_int_equal(nlri_next(&it, &p), 0);
}

static void test_host_bits_are_cleared(void **state)
{
	(void)state;
	uint8_t b[] = { 23, 10, 1, 0xff };
	struct nlri_iter it;
	struct bgp_prefix p, want;

	nlri_iter_init(&it, rbuf_make(b, sizeof(b)), BGP_AF_IPV4_UNICAST, false);
	assert_int_equal(nlri_next(&it, &p), 1);
	assert_int_equal(bgp_prefix_parse("10.1.254.0/23", &want), 0);
	assert_int_equal(bgp_prefix_cmp(&p, &want), 0);
}

static void test_lengths_beyond_the_family_fail(void **state)
{
	(void)state;
	uint8_t v4[] = { 33, 1, 2, 3, 4, 5 };
	uint8_t v6[17] = { 129 };
	uint8_t short_addr[] = { 24, 10, 1 };
	size_t count;

	assert_int_equal(nlri_check(rbuf_make(v4, sizeof(v4)), BGP_AF_IPV4_UNICAST, false, &count),
	                 -1);
	assert_int_equal(nlri_check(rbuf_make(v6, sizeof(v6)), BGP_AF_IPV6_UNICAST, false, &count),
	                 -1);
	assert_int_equal(nlri_check(rbuf_make(short_addr, 3), BGP_AF_IPV4_UNICAST, false, &count),
	                 -1);
}

static void test_addpath_round_trip(void **state)
{
	(void)state;
	struct bgp_prefix in[2], out;
	uint8_t b[64];
	struct wbuf w;
	struct nlri_iter it;
	size_t count;

	assert_int_equal(bgp_prefix_parse("fd00:10:1::/64", &in[0]), 0);
	assert_int_equal(bgp_prefix_parse("2001:db8::1/128", &in[1]), 0);
	in[0].path_id = 7;
	in[1].path_id = 0xfffffffe;
	wbuf_init(&w, b, sizeof(b));
	for (int i = 0; i < 2; i++)
		nlri_encode(&w, &in[i], true);
	assert_int_equal(w.len, nlri_encoded_len(&in[0], true) + nlri_encoded_len(&in[1], true));
	assert_int_equal(nlri_check(wbuf_view(&w), BGP_AF_IPV6_UNICAST, true, &count), 0);
	assert_int_equal(count, 2);
	/* The same bytes read without ADD-PATH are garbage, not a crash. */
	nlri_check(wbuf_view(&w), BGP_AF_IPV6_UNICAST, false, &count);
	nlri_iter_init(&it, wbuf_view(&w), BGP_AF_IPV6_UNICAST, true);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(nlri_next(&it, &out), 1);
		assert_int_equal(bgp_prefix_cmp(&out, &in[i]), 0);
	}
}

static void test_parse_rejects_host_bits_and_garbage(void **state)
{
	(void)state;
	struct bgp_prefix p;
	assert_int_equal(bgp_prefix_parse("10.0.0.1/24", &p), -1);
	assert_int_equal(bgp_prefix_parse("10.0.0.0/33", &p), -1);
	assert_int_equal(bgp_prefix_parse("10.0.0.0", &p), -1);
	assert_int_equal(bgp_prefix_parse("10.0.0.0/", &p), -1);
	assert_int_equal(bgp_prefix_parse("fd00::/129", &p), -1);
	assert_int_equal(bgp_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(bgp_prefix_parse("::/0", &p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_field),
		cmocka_unit_test(test_host_bits_are_cleared),
		cmocka_unit_test(test_lengths_beyond_the_family_fail),
		cmocka_unit_test(test_addpath_round_trip),
		cmocka_unit_test(test_parse_rejects_host_bits_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
