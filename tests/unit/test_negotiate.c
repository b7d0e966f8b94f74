/*
 * OPEN against OPEN: families, ADD-PATH directions, hold time, AS checks
 * for numbered, external, internal and learned peers, roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bgp/negotiate.h"
#include "testlib.h"

#define V4 BGP_AF_BIT(BGP_AF_IPV4_UNICAST)
#define V6 BGP_AF_BIT(BGP_AF_IPV6_UNICAST)

static struct bgp_open make_open(uint32_t asn, uint32_t id, uint16_t hold, uint8_t families)
{
	struct bgp_open o = { .version = 4, .hold_time = hold, .bgp_id = id };
	o.my_as = asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn;
	o.caps.as4 = true;
	o.caps.as4_asn = asn;
	bgp_caps_mark(&o.caps, BGP_CAPA_AS4);
	bgp_caps_mark(&o.caps, BGP_CAPA_MP);
	bgp_caps_mark(&o.caps, BGP_CAPA_ROUTE_REFRESH);
	o.caps.mp = families;
	return o;
}

/* The seed: node agent AS 65001, router AS 65000, hold 9 / keepalive 3. */
static struct bgp_local seed_node(void)
{
	struct bgp_local l = { .asn = 65001,
		               .router_id = 0xac1f010a,
		               .peer_as_kind = BGP_PEER_AS_NUMBER,
		               .peer_asn = 65000,
		               .keepalive = 3 };
	l.open = make_open(65001, l.router_id, 9, V4);
	return l;
}

static void test_seed_session(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open frr = make_open(65000, 0xac1f01c8, 180, V4 | V6);
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &frr, &n, &err), 0);
	assert_true(n.ebgp);
	assert_int_equal(n.peer_asn, 65000);
	assert_int_equal(n.hold_time, 9);
	assert_int_equal(n.keepalive, 3);
	assert_int_equal(n.ctx.afs, V4);
	assert_true(n.ctx.as4);
	assert_true(n.route_refresh);
	assert_false(n.ext_message);
}

static void test_hold_zero_means_no_keepalives(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, 1, 0, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_int_equal(n.hold_time, 0);
	assert_int_equal(n.keepalive, 0);
}

/* RFC 4760 §8: no MP capability at all means IPv4 unicast. */
static void test_no_mp_capability_is_ipv4(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open old = { .version = 4, .my_as = 65000, .hold_time = 90, .bgp_id = 2 };
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &old, &n, &err), 0);
	assert_int_equal(n.ctx.afs, V4);
	assert_false(n.ctx.as4);
}

static void test_no_common_family_is_unsupported_capability(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, 2, 90, V6);
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	assert_int_equal(err.code, BGP_ERR_OPEN);
	assert_int_equal(err.subcode, BGP_ERR_OPEN_CAPA);
	struct rbuf data = bgp_notice_data(&err);
	uint8_t want[] = { 1, 4, 0, 1, 0, 1 }; /* MP IPv4 unicast */
	tl_assert_bytes(rbuf_data(&data), data.len, want, sizeof(want));
}

static void test_peer_as_kinds(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65002, 2, 90, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_OPEN_PEER_AS);
	l.peer_as_kind = BGP_PEER_AS_EXTERNAL;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	l.peer_as_kind = BGP_PEER_AS_ANY;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_int_equal(n.peer_asn, 65002);
	l.peer_as_kind = BGP_PEER_AS_INTERNAL;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	peer = make_open(65001, 2, 90, V4);
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_false(n.ebgp);
	l.peer_as_kind = BGP_PEER_AS_EXTERNAL;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
}

/* RFC 6793 §4.2.1: My AS must be AS_TRANS for a 4-octet ASN and equal to
 * the capability otherwise. */
static void test_four_octet_as(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(4200000000u, 2, 90, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	l.peer_asn = 4200000000u;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_int_equal(n.peer_asn, 4200000000u);
	peer.my_as = 65000;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_OPEN_PEER_AS);
}

static void test_same_identifier(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, l.router_id, 90, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0); /* eBGP: allowed */
	l.peer_as_kind = BGP_PEER_AS_INTERNAL;
	peer = make_open(65001, l.router_id, 90, V4);
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_OPEN_BGP_ID);
}

static void test_addpath_directions(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, 2, 90, V4 | V6);
	struct bgp_negotiated n;
	struct bgp_notice err;

	l.open.caps.mp = V4 | V6;
	l.open.caps.addpath[BGP_AF_IPV4_UNICAST] = BGP_ADDPATH_RECV;
	l.open.caps.addpath[BGP_AF_IPV6_UNICAST] = BGP_ADDPATH_RECV | BGP_ADDPATH_SEND;
	peer.caps.addpath[BGP_AF_IPV4_UNICAST] = BGP_ADDPATH_SEND | BGP_ADDPATH_RECV;
	peer.caps.addpath[BGP_AF_IPV6_UNICAST] = BGP_ADDPATH_RECV;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_int_equal(n.ctx.addpath_rx, V4);
	assert_int_equal(n.ctx.addpath_tx, V6);
}

static void test_roles(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, 2, 90, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	l.open.caps.has_role = true;
	l.open.caps.role = BGP_ROLE_CUSTOMER;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0); /* no role: lenient */
	l.role_strict = true;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
	assert_int_equal(err.subcode, BGP_ERR_OPEN_ROLE);
	peer.caps.has_role = true;
	peer.caps.role = BGP_ROLE_PROVIDER;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	peer.caps.role = BGP_ROLE_PEER;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), -1);
}

static void test_graceful_restart(void **state)
{
	(void)state;
	struct bgp_local l = seed_node();
	struct bgp_open peer = make_open(65000, 2, 90, V4);
	struct bgp_negotiated n;
	struct bgp_notice err;

	l.open.caps.gr.present = true;
	l.open.caps.gr.flags = BGP_GR_F_NOTIFICATION;
	peer.caps.gr.present = true;
	peer.caps.gr.flags = BGP_GR_F_RESTART | BGP_GR_F_NOTIFICATION;
	peer.caps.gr.restart_time = 120;
	peer.caps.gr.afs = peer.caps.gr.forwarding = V4 | V6;
	assert_int_equal(bgp_negotiate(&l, &peer, &n, &err), 0);
	assert_true(n.peer_gr);
	assert_true(n.peer_restarted);
	assert_true(n.peer_gr_notification);
	assert_int_equal(n.peer_restart_time, 120);
	assert_int_equal(n.peer_gr_forwarding, V4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_session),
		cmocka_unit_test(test_hold_zero_means_no_keepalives),
		cmocka_unit_test(test_no_mp_capability_is_ipv4),
		cmocka_unit_test(test_no_common_family_is_unsupported_capability),
		cmocka_unit_test(test_peer_as_kinds),
		cmocka_unit_test(test_four_octet_as),
		cmocka_unit_test(test_same_identifier),
		cmocka_unit_test(test_addpath_directions),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_graceful_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
