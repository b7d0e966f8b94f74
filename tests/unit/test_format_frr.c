/*
 * FRR-style attribute text, as FRR 8.4 vtysh prints it in `show ip bgp`
 * and `show ip bgp PREFIX` (../shared/seed/DIGEST.md result 6 and 11).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/attr_frr.h"
#include "bgp/update.h"
#include "testlib.h"

typedef void (*attr_text_fn)(struct sbuf *s, const struct bgp_attrs *a);
typedef void (*attr_af_text_fn)(struct sbuf *s, const struct bgp_attrs *a, enum bgp_af af);

static struct bgp_scratch scratch;
static struct bgp_update update;
static uint8_t msg[4096];

/* Decode an UPDATE; the attributes stay valid until the next call. */
static const struct bgp_attrs *decode(const struct bgp_session_ctx *ctx, const char *attrs,
                                      const char *nlri)
{
	size_t n = tl_update(msg, sizeof(msg), "", attrs, nlri);
	struct bgp_msg m = tl_frame(msg, n);

	assert_int_equal(bgp_update_decode(ctx, m.body, &scratch, &update), 0);
	assert_int_equal(update.errors.action, BGP_ACT_NONE);
	return &update.attrs;
}

static void assert_text(attr_text_fn fn, const struct bgp_attrs *a, const char *want)
{
	char text[1024];
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	fn(&s, a);
	assert_false(s.truncated);
	assert_string_equal(text, want);
}

static void assert_af_text(attr_af_text_fn fn, const struct bgp_attrs *a, enum bgp_af af,
                           const char *want)
{
	char text[256];
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	fn(&s, a, af);
	assert_string_equal(text, want);
}

/* The lab's `show ip bgp 172.16.1.1/32`, first path, rebuilt the way the
 * CLI will: attribute pieces from attr_frr, RIB pieces written here. */
static void test_lab_detail_block(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a =
	        decode(&ctx, "40010100 40020602010000fde9 400304 ac1e010a", "20 ac100101");
	char text[1024];
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	frr_format_detail_aspath(&s, a);
	frr_format_detail_aggregator(&s, a);
	sbuf_puts(&s, "\n");
	frr_format_detail_nexthop(&s, a, BGP_AF_IPV4_UNICAST);
	sbuf_puts(&s, " from 172.30.1.10 (172.30.1.10)\n");
	frr_format_detail_link_local(&s, a);
	frr_format_detail_origin(&s, a);
	sbuf_puts(&s, ", valid, external");
	frr_format_detail_atomic_aggregate(&s, a);
	frr_format_detail_otc(&s, a);
	sbuf_puts(&s, ", multipath, best (Router ID)\n");
	frr_format_detail_communities(&s, a);
	frr_format_detail_ext_communities(&s, a);
	frr_format_detail_large_communities(&s, a);
	frr_format_detail_reflection(&s, a);
	sbuf_puts(&s, "      Last update: Fri Aug 15 17:05:11 2025\n");
	assert_string_equal(text, "  65001\n"
	                          "    172.30.1.10 from 172.30.1.10 (172.30.1.10)\n"
	                          "      Origin IGP, valid, external, multipath, best (Router ID)\n"
	                          "      Last update: Fri Aug 15 17:05:11 2025\n");

	/* The same path's row in `show ip bgp`. */
	assert_af_text(frr_format_nexthop, a, BGP_AF_IPV4_UNICAST, "172.30.1.10");
	assert_text(frr_format_path, a, "65001 i");
}

/* `network 10.10.1.0/24` on the lab router: no AS_PATH yet, next hop
 * 0.0.0.0, MED 0 (built here: never valid on the wire). */
static void test_local_route(void **state)
{
	(void)state;
	struct bgp_attrs local = { .origin = BGP_ORIGIN_IGP };

	bgp_attr_set(&local, BGP_ATTR_ORIGIN);
	bgp_attr_set(&local, BGP_ATTR_NEXT_HOP);
	bgp_attr_set(&local, BGP_ATTR_MED);
	assert_text(frr_format_path, &local, "i");
	assert_af_text(frr_format_nexthop, &local, BGP_AF_IPV4_UNICAST, "0.0.0.0");
	assert_text(frr_format_detail_aspath, &local, "  Local");
	assert_af_text(frr_format_detail_nexthop, &local, BGP_AF_IPV4_UNICAST, "    0.0.0.0");
	assert_text(frr_format_detail_origin, &local, "      Origin IGP, metric 0");

	/* A local IPv6 route has no IPv6 next hop: FRR shows "::". */
	assert_af_text(frr_format_detail_nexthop, &local, BGP_AF_IPV6_UNICAST, "    ::");
}

static void test_empty_path_from_ibgp(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	const struct bgp_attrs *a =
	        decode(&ctx, "40010101 400200 400304 0a000001 400504 00000064", "18 0a0100");

	assert_text(frr_format_path, a, "e");
	assert_text(frr_format_detail_aspath, a, "  Local");
	assert_text(frr_format_detail_origin, a, "      Origin EGP, localpref 100");
}

/* Every attribute-driven piece, with lists sent unsorted and with
 * duplicates: FRR shows them sorted and once each. */
static void test_every_line_kind(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	const struct bgp_attrs *a =
	        decode(&ctx,
	               "40010102"
	               "400218 02020000fde90000fde8 01030000fc010000fc000000fc01"
	               "400304 0a000002 800404 00000014 400504 00000064 400600"
	               "c00708 0000fde8 0a000001"
	               "c00818 ffffff01 fde80063 ffffff03 00000000 ffff029a fde80063"
	               "800904 0a000009 800a08 0a000001 0a000002"
	               "c01028 4205000000000000 0202fa56ea000007 0002fde800000064"
	               "       0103ac1f0001000a 0002fde800000064"
	               "c02018 0000fde8 00000003 00000004 0000fde8 00000001 00000002"
	               "c02304 0000fde8",
	               "18 0a0100");

	assert_text(frr_format_path, a, "65001 65000 {64512,64513} ?");
	assert_text(frr_format_detail_aspath, a, "  65001 65000 {64512,64513}");
	assert_text(frr_format_detail_aggregator, a, ", (aggregated by 65000 10.0.0.1)");
	assert_af_text(frr_format_detail_nexthop, a, BGP_AF_IPV4_UNICAST, "    10.0.0.2");
	assert_text(frr_format_detail_link_local, a, "");
	assert_text(frr_format_detail_origin, a,
	            "      Origin incomplete, metric 20, localpref 100");
	assert_text(frr_format_detail_atomic_aggregate, a, ", atomic-aggregate");
	assert_text(frr_format_detail_otc, a, ", otc 65000");
	assert_text(frr_format_detail_communities, a,
	            "      Community: internet 65000:99 blackhole no-export local-AS\n");
	assert_text(frr_format_detail_ext_communities, a,
	            "      Extended Community: RT:65000:100 SoO:172.31.0.1:10 RT:4200000000:7 "
	            "UNK:66, 5\n");
	assert_text(frr_format_detail_large_communities, a,
	            "      Large Community: 65000:1:2 65000:3:4\n");
	assert_text(frr_format_detail_reflection, a,
	            "      Originator: 10.0.0.9, Cluster list: 10.0.0.1 10.0.0.2 \n");
}

static void test_absent_attributes_write_nothing(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a =
	        decode(&ctx, "40010100 40020602010000fde9 400304 0a000002", "18 0a0100");

	assert_text(frr_format_detail_aggregator, a, "");
	assert_text(frr_format_detail_atomic_aggregate, a, "");
	assert_text(frr_format_detail_otc, a, "");
	assert_text(frr_format_detail_communities, a, "");
	assert_text(frr_format_detail_ext_communities, a, "");
	assert_text(frr_format_detail_large_communities, a, "");
	assert_text(frr_format_detail_reflection, a, "");
}

/* FRR's line for a CLUSTER_LIST without ORIGINATOR_ID starts at the comma. */
static void test_cluster_list_alone(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	const struct bgp_attrs *a =
	        decode(&ctx, "40010100 400200 400304 0a000002 400504 00000064 800a04 0a000001",
	               "18 0a0100");

	assert_text(frr_format_detail_reflection, a, ", Cluster list: 10.0.0.1 \n");
}

static void test_confederation_segments(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ibgp();
	const struct bgp_attrs *a =
	        decode(&ctx,
	               "40010100 40021a 03020000fde90000fdea 04020000fdec0000fdeb 02010000fde8"
	               "400304 0a000002 400504 00000064",
	               "18 0a0100");

	assert_text(frr_format_path, a, "(65001 65002) [65003,65004] 65000 i");
	assert_text(frr_format_detail_aspath, a, "  (65001 65002) [65003,65004] 65000");
}

static void test_well_known_community_names(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a = decode(&ctx,
	                                   "40010100 40020602010000fde9 400304 0a000002 c00844"
	                                   "ffffff05 ffffff04 ffffff03 ffffff02 ffffff01 ffff029a"
	                                   "ffff0009 ffff0008 ffff0007 ffff0006 ffff0005 ffff0004"
	                                   "ffff0003 ffff0002 ffff0001 ffff0000 00000000",
	                                   "18 0a0100");

	assert_text(frr_format_detail_communities, a,
	            "      Community: internet graceful-shutdown accept-own "
	            "route-filter-translated-v4 route-filter-v4 route-filter-translated-v6 "
	            "route-filter-v6 llgr-stale no-llgr accept-own-nexthop 65535:9 blackhole "
	            "no-export no-advertise local-AS no-peer 65535:65285\n");
}

/* `show bgp ipv6 unicast`: the table shows the link-local, the detail both. */
static void test_ipv6_next_hop_with_link_local(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a =
	        decode(&ctx,
	               "40010100 40020602010000fde9"
	               "800e2e 0002 01 20 fd000010000000010000000000000002"
	               "fe800000000000000000000000000002 00 40 fd00001000010000",
	               "");

	assert_text(frr_format_path, a, "65001 i");
	assert_af_text(frr_format_nexthop, a, BGP_AF_IPV6_UNICAST, "fe80::2");
	assert_af_text(frr_format_detail_nexthop, a, BGP_AF_IPV6_UNICAST, "    fd00:10:0:1::2");
	assert_text(frr_format_detail_link_local, a, "    (fe80::2) (used)\n");
}

static void test_ipv6_next_hop_global_only(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a = decode(&ctx,
	                                   "40010100 40020602010000fde9"
	                                   "800e1e 0002 01 10 fd000010000000010000000000000002"
	                                   "00 40 fd00001000010000",
	                                   "");

	assert_af_text(frr_format_nexthop, a, BGP_AF_IPV6_UNICAST, "fd00:10:0:1::2");
	assert_af_text(frr_format_detail_nexthop, a, BGP_AF_IPV6_UNICAST, "    fd00:10:0:1::2");
	assert_text(frr_format_detail_link_local, a, "");
}

/* RFC 8950: an IPv4 route with an IPv6 next hop and no NEXT_HOP. */
static void test_ipv4_route_with_ipv6_next_hop(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	ctx.ext_nexthop = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	const struct bgp_attrs *a = decode(&ctx,
	                                   "40010100 40020602010000fde9"
	                                   "800e19 0001 01 10 fd000010000000010000000000000002"
	                                   "00 18 0a0100",
	                                   "");

	assert_af_text(frr_format_nexthop, a, BGP_AF_IPV4_UNICAST, "fd00:10:0:1::2");
	assert_af_text(frr_format_detail_nexthop, a, BGP_AF_IPV4_UNICAST, "    fd00:10:0:1::2");
}

/* A full sbuf stops the list walk; what was written is a clean prefix. */
static void test_long_list_is_cut(void **state)
{
	(void)state;
	struct bgp_session_ctx ctx = tl_ctx_ebgp();
	const struct bgp_attrs *a = decode(&ctx,
	                                   "40010100 40020602010000fde9 400304 0a000002 c00810"
	                                   "fde80004 fde80003 fde80002 fde80001",
	                                   "18 0a0100");
	char text[32];
	struct sbuf s;

	sbuf_init(&s, text, sizeof(text));
	frr_format_detail_communities(&s, a);
	assert_true(s.truncated);
	assert_string_equal(text, "      Community: 65000:1 65000:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lab_detail_block),
		cmocka_unit_test(test_local_route),
		cmocka_unit_test(test_empty_path_from_ibgp),
		cmocka_unit_test(test_every_line_kind),
		cmocka_unit_test(test_absent_attributes_write_nothing),
		cmocka_unit_test(test_cluster_list_alone),
		cmocka_unit_test(test_confederation_segments),
		cmocka_unit_test(test_well_known_community_names),
		cmocka_unit_test(test_ipv6_next_hop_with_link_local),
		cmocka_unit_test(test_ipv6_next_hop_global_only),
		cmocka_unit_test(test_ipv4_route_with_ipv6_next_hop),
		cmocka_unit_test(test_long_list_is_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
