/*
 * UPDATE packing: every prefix goes out exactly once, no message exceeds
 * the limit, and what is decoded is what was meant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/update.h"
#include "bgp/update_build.h"
#include "testlib.h"

static struct bgp_scratch scratch;
static struct bgp_prefix prefixes[3000];

static void make_prefixes(enum bgp_af af, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct bgp_prefix p = { .af = (uint8_t)af,
			                .len = af == BGP_AF_IPV4_UNICAST ? 24 : 64 };
		p.addr[0] = af == BGP_AF_IPV4_UNICAST ? 10 : 0xfd;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		prefixes[i] = p;
	}
}

/* Send n prefixes in as many UPDATEs as needed and check them back. */
static void round_trip(enum bgp_af af, size_t n, size_t max_len, bool announce)
{
	static uint8_t msg[BGP_EXT_MAX_LEN];
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_attrs a = { .origin = BGP_ORIGIN_IGP, .next_hop = 0x0a000001 };
	uint8_t path[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	size_t sent = 0, seen = 0, messages = 0;

	a.as_path = rbuf_make(path, sizeof(path));
	bgp_attr_set(&a, BGP_ATTR_ORIGIN);
	bgp_attr_set(&a, BGP_ATTR_AS_PATH);
	if (af == BGP_AF_IPV4_UNICAST) {
		bgp_attr_set(&a, BGP_ATTR_NEXT_HOP);
	} else {
		a.mp_reach.nh_len = 16;
		a.mp_reach.nh[0] = 0xfd;
		a.mp_reach.nh[15] = 1;
	}
	make_prefixes(af, n);
	while (sent < n) {
		struct wbuf w;
		wbuf_init(&w, msg, sizeof(msg));
		size_t k = bgp_update_build(&w, max_len, &ctx, announce ? &a : NULL, af,
		                            prefixes + sent, n - sent);
		assert_true(k > 0);
		assert_true(wbuf_ok(&w));
		assert_true(w.len <= max_len);
		messages++;

		struct bgp_update u;
		struct bgp_msg m = tl_frame(msg, w.len);
		assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch, &u), 0);
		assert_int_equal(u.errors.total, 0);
		struct bgp_route_iter ri;
		struct bgp_prefix p;
		bool reach;
		bgp_route_iter_init(&ri, &u, &ctx);
		while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
			assert_int_equal(reach, announce);
			assert_int_equal(bgp_prefix_cmp(&p, &prefixes[seen]), 0);
			seen++;
		}
		sent += k;
	}
	assert_int_equal(seen, n);
	/* Full messages: the count is close to the minimum possible. */
	size_t per = nlri_encoded_len(&prefixes[0], false);
	assert_true(messages <= n * per / (max_len - 100) + 1);
}

static void test_ipv4_announce_and_withdraw(void **state)
{
	(void)state;
	round_trip(BGP_AF_IPV4_UNICAST, 3000, BGP_MAX_LEN, true);
	round_trip(BGP_AF_IPV4_UNICAST, 3000, BGP_MAX_LEN, false);
	round_trip(BGP_AF_IPV4_UNICAST, 1, BGP_MAX_LEN, true);
}

static void test_ipv6_announce_and_withdraw(void **state)
{
	(void)state;
	round_trip(BGP_AF_IPV6_UNICAST, 3000, BGP_MAX_LEN, true);
	round_trip(BGP_AF_IPV6_UNICAST, 3000, BGP_MAX_LEN, false);
}

static void test_extended_messages(void **state)
{
	(void)state;
	round_trip(BGP_AF_IPV4_UNICAST, 3000, BGP_EXT_MAX_LEN, true);
	round_trip(BGP_AF_IPV6_UNICAST, 3000, BGP_EXT_MAX_LEN, true);
}

static void test_end_of_rib_markers(void **state)
{
	(void)state;
	uint8_t msg[64];
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_update u;
	enum bgp_af af;

	for (int i = 0; i < BGP_AF_COUNT; i++) {
		struct wbuf w;
		wbuf_init(&w, msg, sizeof(msg));
		bgp_update_build_eor(&w, (enum bgp_af)i);
		struct bgp_msg m = tl_frame(msg, w.len);
		assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch, &u), 0);
		assert_true(bgp_update_is_eor(&u, &af));
		assert_int_equal(af, i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_announce_and_withdraw),
		cmocka_unit_test(test_ipv6_announce_and_withdraw),
		cmocka_unit_test(test_extended_messages),
		cmocka_unit_test(test_end_of_rib_markers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
