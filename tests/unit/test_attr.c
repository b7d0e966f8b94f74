/*
 * Path attributes: every attribute in the table encodes and decodes back,
 * for four-octet and two-octet sessions; unknown attributes are passed on
 * or dropped as RFC 4271 §5 says; long values switch to extended length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/aspath.h"
#include "bgp/update.h"
#include "testlib.h"

static struct bgp_scratch scratch;

static uint8_t path4[] = { 2, 3, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01, 0, 0, 0xfd, 0xe8 };
static uint8_t comms[] = { 0xfd, 0xe8, 0, 0x63, 0xff, 0xff, 0xff, 0x01 };
static uint8_t ecomms[] = { 0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100 };
static uint8_t lcomms[] = { 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2 };
static uint8_t clusters[] = { 10, 0, 0, 1, 10, 0, 0, 2 };
static uint8_t v6nlri[] = { 64, 0xfd, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00 };

/* One of every attribute kbgp knows, as an iBGP route reflector would see
 * it. */
static struct bgp_attrs every_attribute(void)
{
	struct bgp_attrs a = {
		.origin = BGP_ORIGIN_INCOMPLETE,
		.as_path = rbuf_make(path4, sizeof(path4)),
		.next_hop = 0xac1f010a,
		.med = 20,
		.local_pref = 200,
		.aggregator_as = 4200000001u,
		.aggregator_id = 0x0a000001,
		.communities = rbuf_make(comms, sizeof(comms)),
		.ext_communities = rbuf_make(ecomms, sizeof(ecomms)),
		.large_communities = rbuf_make(lcomms, sizeof(lcomms)),
		.originator_id = 0x0a000009,
		.cluster_list = rbuf_make(clusters, sizeof(clusters)),
		.otc = 65000,
		.mp_reach = { .af = BGP_AF_IPV6_UNICAST,
		              .nh_len = 32,
		              .nlri = rbuf_make(v6nlri, sizeof(v6nlri)) },
	};
	static const uint8_t nh[32] = { 0xfd, 0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		                        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	memcpy(a.mp_reach.nh, nh, sizeof(nh));
	static const uint8_t codes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 16, 32, 35 };
	for (size_t i = 0; i < sizeof(codes); i++)
		bgp_attr_set(&a, codes[i]);
	return a;
}

static void assert_same_rbuf(struct rbuf got, struct rbuf want)
{
	tl_assert_bytes(rbuf_data(&got), got.len, rbuf_data(&want), want.len);
}

static void assert_same_attrs(const struct bgp_attrs *got, const struct bgp_attrs *want)
{
	assert_memory_equal(got->present, want->present, sizeof(got->present));
	assert_int_equal(got->origin, want->origin);
	assert_same_rbuf(got->as_path, want->as_path);
	assert_int_equal(got->next_hop, want->next_hop);
	assert_int_equal(got->med, want->med);
	assert_int_equal(got->local_pref, want->local_pref);
	assert_int_equal(got->aggregator_as, want->aggregator_as);
	assert_int_equal(got->aggregator_id, want->aggregator_id);
	assert_same_rbuf(got->communities, want->communities);
	assert_same_rbuf(got->ext_communities, want->ext_communities);
	assert_same_rbuf(got->large_communities, want->large_communities);
	assert_int_equal(got->originator_id, want->originator_id);
	assert_same_rbuf(got->cluster_list, want->cluster_list);
	assert_int_equal(got->otc, want->otc);
	assert_int_equal(got->mp_reach.af, want->mp_reach.af);
	assert_int_equal(got->mp_reach.nh_len, want->mp_reach.nh_len);
	assert_memory_equal(got->mp_reach.nh, want->mp_reach.nh, sizeof(got->mp_reach.nh));
	assert_same_rbuf(got->mp_reach.nlri, want->mp_reach.nlri);
}

static void round_trip(const struct bgp_session_ctx *ctx, const struct bgp_attrs *sent,
                       struct bgp_update *u, uint8_t *msg, size_t cap)
{
	struct wbuf w;
	wbuf_init(&w, msg, cap);
	bgp_update_encode(&w, ctx, rbuf_make(NULL, 0), sent, rbuf_make(NULL, 0));
	assert_true(wbuf_ok(&w));
	struct bgp_msg m = tl_frame(msg, w.len);
	assert_int_equal(bgp_update_decode(ctx, m.body, &scratch, u), 0);
	assert_int_equal(u->errors.total, 0);
}

static void test_every_attribute_round_trips_ibgp_as4(void **state)
{
	(void)state;
	static uint8_t msg[4096];
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	struct bgp_attrs sent = every_attribute();
	struct bgp_update u;

	round_trip(&ctx, &sent, &u, msg, sizeof(msg));
	assert_same_attrs(&u.attrs, &sent);
}

/* A two-octet session gets AS_TRANS in AS_PATH and AGGREGATOR and the real
 * ASNs in AS4_PATH and AS4_AGGREGATOR; decoding merges them back. */
static void test_two_octet_session_round_trips_through_as4_attributes(void **state)
{
	(void)state;
	static uint8_t msg[4096];
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	struct bgp_attrs sent = every_attribute();
	struct bgp_update u;

	ctx.as4 = false;
	round_trip(&ctx, &sent, &u, msg, sizeof(msg));
	assert_same_attrs(&u.attrs, &sent);
	assert_false(bgp_attr_has(&u.attrs, BGP_ATTR_AS4_PATH));
}

/* eBGP: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are not sent. */
static void test_ebgp_drops_internal_attributes(void **state)
{
	(void)state;
	static uint8_t msg[4096];
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_attrs sent = every_attribute();
	struct bgp_update u;

	round_trip(&ctx, &sent, &u, msg, sizeof(msg));
	assert_false(bgp_attr_has(&u.attrs, BGP_ATTR_LOCAL_PREF));
	assert_false(bgp_attr_has(&u.attrs, BGP_ATTR_ORIGINATOR_ID));
	assert_false(bgp_attr_has(&u.attrs, BGP_ATTR_CLUSTER_LIST));
	assert_true(bgp_attr_has(&u.attrs, BGP_ATTR_MED));
}

/* RFC 4271 §5: unknown optional transitive attributes travel on with the
 * Partial bit; unknown optional non-transitive ones are dropped. */
static void test_unknown_attributes(void **state)
{
	(void)state;
	uint8_t msg[256], want[64], again[256];
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_update u;
	size_t n = tl_update(msg, sizeof(msg), "",
	                     "40010100 40020602010000fde9 400304 0a000001"
	                     "c06303 010203  806402 aabb",
	                     "18 0a0100");
	struct bgp_msg m = tl_frame(msg, n);

	assert_int_equal(bgp_update_decode(&ctx, m.body, &scratch, &u), 0);
	assert_int_equal(u.errors.action, BGP_ACT_NONE);
	size_t wn = tl_hex("e06303 010203", want, sizeof(want));
	tl_assert_bytes(rbuf_data(&u.attrs.opaque), u.attrs.opaque.len, want, wn);

	/* And they go out again byte for byte. */
	struct wbuf w;
	wbuf_init(&w, again, sizeof(again));
	bgp_update_encode(&w, &ctx, u.withdrawn, &u.attrs, u.nlri);
	size_t en =
	        tl_update(msg, sizeof(msg), "",
	                  "40010100 40020602010000fde9 400304 0a000001 e06303 010203", "18 0a0100");
	tl_assert_bytes(again, w.len, msg, en);
}

/* Values over 255 bytes need the Extended Length bit (RFC 4271 §4.3). */
static void test_long_values_use_extended_length(void **state)
{
	(void)state;
	static uint8_t many[400], msg[4096];
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	struct bgp_attrs sent = every_attribute();
	struct bgp_update u;

	for (size_t i = 0; i < sizeof(many); i++)
		many[i] = (uint8_t)i;
	sent.communities = rbuf_make(many, sizeof(many));
	round_trip(&ctx, &sent, &u, msg, sizeof(msg));
	assert_same_rbuf(u.attrs.communities, sent.communities);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_attribute_round_trips_ibgp_as4),
		cmocka_unit_test(test_two_octet_session_round_trips_through_as4_attributes),
		cmocka_unit_test(test_ebgp_drops_internal_attributes),
		cmocka_unit_test(test_unknown_attributes),
		cmocka_unit_test(test_long_values_use_extended_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
