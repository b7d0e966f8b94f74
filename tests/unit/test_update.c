/*
 * UPDATE messages: the IPv4 fields, MP_REACH/MP_UNREACH for both families,
 * End-of-RIB, ADD-PATH, RFC 8950 next hops, and the route walk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/update.h"
#include "testlib.h"

static struct bgp_scratch scratch;

#define BASE_ATTRS "40010100 40020602010000fde9"

struct walked {
	char text[8][64];
	bool reach[8];
	int n;
};

static struct walked walk(const struct bgp_update *u, const struct bgp_session_ctx *ctx)
{
	struct walked w = { 0 };
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;

	bgp_route_iter_init(&ri, u, ctx);
	while (w.n < 8 && bgp_route_iter_next(&ri, &p, &reach) == 1) {
		bgp_prefix_format(w.text[w.n], sizeof(w.text[w.n]), &p);
		w.reach[w.n++] = reach;
	}
	return w;
}

static struct bgp_update decode(const struct bgp_session_ctx *ctx, const char *withdrawn,
                                const char *attrs, const char *nlri)
{
	static uint8_t msg[4096];
	struct bgp_update u;
	size_t n = tl_update(msg, sizeof(msg), withdrawn, attrs, nlri);
	struct bgp_msg m = tl_frame(msg, n);
	assert_int_equal(bgp_update_decode(ctx, m.body, &scratch, &u), 0);
	return u;
}

static void test_withdrawals_come_before_announcements(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_update u =
	        decode(&ctx, "18 ac1401",
	               BASE_ATTRS "400304 ac1f010a"
	                          "900f0013 0002 01 40 fd000000000000a0 30 fd0000000001",
	               "18 ac1400");
	struct walked w = walk(&u, &ctx);

	assert_int_equal(u.errors.total, 0);
	assert_int_equal(w.n, 4);
	assert_string_equal(w.text[0], "172.20.1.0/24");
	assert_false(w.reach[0]);
	assert_string_equal(w.text[1], "fd00:0:0:a0::/64");
	assert_false(w.reach[1]);
	assert_string_equal(w.text[2], "fd00:0:1::/48");
	assert_string_equal(w.text[3], "172.20.0.0/24");
	assert_true(w.reach[3]);
}

/* IPv6 with a global and a link-local next hop (RFC 2545 §3). */
static void test_ipv6_mp_reach_with_link_local(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_update u =
	        decode(&ctx, "",
	               "900e002e 0002 01 20"
	               "fd000000000000000000000000000001 fe800000000000000000000000000001"
	               "00 40 fd00001000010000" BASE_ATTRS,
	               "");
	struct walked w = walk(&u, &ctx);

	assert_int_equal(u.errors.total, 0);
	assert_int_equal(u.attrs.mp_reach.nh_len, 32);
	assert_int_equal(u.attrs.mp_reach.nh[16], 0xfe);
	assert_int_equal(w.n, 1);
	assert_string_equal(w.text[0], "fd00:10:1::/64");
	assert_true(w.reach[0]);
}

/* RFC 8950: IPv4 routes with an IPv6 next hop only when negotiated; a
 * next-hop length the session did not agree to resets it (RFC 7606 §7.11). */
static void test_ipv4_over_ipv6_next_hop(void **state)
{
	(void)state;
	static uint8_t msg[256];
	const char *attrs =
	        "900e0019 0001 01 10 fd000000000000000000000000000001 00 18 0a0100" BASE_ATTRS;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_update u;
	size_t n = tl_update(msg, sizeof(msg), "", attrs, "");
	struct bgp_msg m = tl_frame(msg, n);

	assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch, &u), -1);
	assert_int_equal(u.errors.notice.subcode, BGP_ERR_UPD_OPT_ATTR);

	ctx.ext_nexthop = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	u = decode(&ctx, "", attrs, "");
	assert_int_equal(u.errors.action, BGP_ACT_NONE);
	assert_int_equal(u.attrs.mp_reach.nh_len, 16);
}

static void test_addpath_identifiers(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	ctx.addpath_rx = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	struct bgp_update u = decode(&ctx, "", BASE_ATTRS "400304 ac1f010a",
	                             "00000001 18 0a0100 00000002 18 0a0100");
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	uint32_t ids[2];

	bgp_route_iter_init(&ri, &u, &ctx);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(bgp_route_iter_next(&ri, &p, &reach), 1);
		ids[i] = p.path_id;
	}
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	assert_int_equal(bgp_route_iter_next(&ri, &p, &reach), 0);
}

/* RFC 4724 §2: End-of-RIB markers for both families, and what is not one. */
static void test_end_of_rib(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	enum bgp_af af;

	struct bgp_update u = decode(&ctx, "", "", "");
	assert_true(bgp_update_is_eor(&u, &af));
	assert_int_equal(af, BGP_AF_IPV4_UNICAST);
	u = decode(&ctx, "", "800f03 000201", "");
	assert_true(bgp_update_is_eor(&u, &af));
	assert_int_equal(af, BGP_AF_IPV6_UNICAST);
	u = decode(&ctx, "", "800f0a 000201 30fd0000000001", "");
	assert_false(bgp_update_is_eor(&u, &af));
	u = decode(&ctx, "", BASE_ATTRS, "");
	assert_false(bgp_update_is_eor(&u, &af));
}

/* Encoding what was decoded gives the same bytes when the sender used
 * kbgp's canonical order (MP attributes first, then by type code). */
static void test_canonical_update_is_byte_exact(void **state)
{
	(void)state;
	static uint8_t in[4096], out[4096];
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	struct bgp_update u;
	struct wbuf w;
	size_t n = tl_update(
	        in, sizeof(in), "18 ac1401 20 0a0a01c8",
	        "800e1e 0002 01 10 fd000000000000000000000000000001 00 40 fd00001000010000"
	        "40010100 40020a 0202 0000fde9 0000fde8 400304 ac1f010a 80040400000014"
	        "40050400000064 c0080cfde80063ffffff01ffffff02",
	        "18 ac1400 20 ac120064");
	struct bgp_msg m = tl_frame(in, n);

	assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch, &u), 0);
	assert_int_equal(u.errors.total, 0);
	wbuf_init(&w, out, sizeof(out));
	bgp_update_encode(&w, &ctx, u.withdrawn, &u.attrs, u.nlri);
	tl_assert_bytes(out, w.len, in, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_withdrawals_come_before_announcements),
		cmocka_unit_test(test_ipv6_mp_reach_with_link_local),
		cmocka_unit_test(test_ipv4_over_ipv6_next_hop),
		cmocka_unit_test(test_addpath_identifiers),
		cmocka_unit_test(test_end_of_rib),
		cmocka_unit_test(test_canonical_update_is_byte_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
