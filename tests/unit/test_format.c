/*
 * GoBGP-style attribute text, as `cilium bgp routes` prints it
 * (../shared/research/cilium-bgp-v2.md §5.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bgp/update.h"
#include "testlib.h"

static struct bgp_scratch scratch;

static void assert_attrs_text(const struct bgp_session_ctx *ctx, const char *attrs,
                              const char *nlri, const char *want)
{
	static uint8_t msg[4096];
	char text[2048];
	struct sbuf s;
	struct bgp_update u;
	size_t n = tl_update(msg, sizeof(msg), "", attrs, nlri);
	struct bgp_msg m = tl_frame(msg, n);

	assert_int_equal(bgp_update_decode(ctx, m.body, &scratch, &u), 0);
	sbuf_init(&s, text, sizeof(text));
	bgp_attrs_format_gobgp(&s, &u.attrs);
	assert_string_equal(text, want);
}

/* The rows of the seed and of the Cilium documentation. */
static void test_cilium_examples(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();

	/* A locally originated route in the Loc-RIB: no AS_PATH yet, next hop
	 * 0.0.0.0 (never valid on the wire, so built here, not decoded). */
	struct bgp_attrs local = { .origin = BGP_ORIGIN_IGP };
	char text[128];
	struct sbuf s;
	bgp_attr_set(&local, BGP_ATTR_ORIGIN);
	bgp_attr_set(&local, BGP_ATTR_NEXT_HOP);
	sbuf_init(&s, text, sizeof(text));
	bgp_attrs_format_gobgp(&s, &local);
	assert_string_equal(text, "[{Origin: i} {Nexthop: 0.0.0.0}]");
	assert_attrs_text(
	        &ctx, "40010100 40020602010000fde9 400304 0a000002 c00804fde80063", "18 0a0100",
	        "[{Origin: i} {AsPath: 65001} {Nexthop: 10.0.0.2} {Communities: 65000:99}]");
	ctx.ext_nexthop = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	assert_attrs_text(
	        &ctx,
	        "40010100 40020602010000fde9 c00804fde80063"
	        "800e19 0001 01 10 fd000010000000010000000000000002 00 18 0a0100",
	        "",
	        "[{Origin: i} {AsPath: 65001} {Communities: 65000:99} "
	        "{MpReach(ipv4-unicast): {Nexthop: fd00:10:0:1::2, NLRIs: [10.1.0.0/24]}}]");
}

static void test_every_kind_of_value(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ibgp();

	assert_attrs_text(&ctx,
	                  "40010102 40021402020000fde90000fde8 01020000fc000000fc01"
	                  "800404 00000014 400504 00000064 400600 c00708 0000fde8 0a000001"
	                  "c00808 ffffff01 ffffff02 800904 0a000009 800a04 0a000001"
	                  "c01010 0002fde800000064 0102ac1f0001000a"
	                  "c0200c 0000fde8 00000001 00000002 c02304 0000fde8",
	                  "",
	                  "[{Origin: ?} {AsPath: 65001 65000 {64512,64513}} {Med: 20} "
	                  "{LocalPref: 100} {AtomicAggregate} "
	                  "{Aggregate: {AS: 65000, Address: 10.0.0.1}} "
	                  "{Communities: no-export, no-advertise} {Originator: 10.0.0.9} "
	                  "{ClusterList: [10.0.0.1]} {Extcomms: [65000:100], [172.31.0.1:10]} "
	                  "{LargeCommunity: [ 65000:1:2]} {Otc: 65000}]");
}

static void test_unknown_attribute_is_hex(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	assert_attrs_text(&ctx, "40010100 c06303 1b5b32", "",
	                  "[{Origin: i} {Flags: PARTIAL|TRANSITIVE|OPTIONAL, "
	                  "Type: BGPAttrType(99), Value: 0x1b5b32}]");
}

static void test_mp_unreach(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	assert_attrs_text(&ctx, "800f0c 0002 01 40 fd00001000010000", "",
	                  "[{MpUnreach(ipv6-unicast): {NLRIs: [fd00:10:1::/64]}}]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cilium_examples),
		cmocka_unit_test(test_every_kind_of_value),
		cmocka_unit_test(test_unknown_attribute_is_hex),
		cmocka_unit_test(test_mp_unreach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
