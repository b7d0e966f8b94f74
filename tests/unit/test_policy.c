/*
 * Policies: every condition, every change, statement order, chains, and
 * the default verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/aspath.h"
#include "rib/policy.h"
#include "testlib.h"

static struct policy_scratch scratch;

struct route {
	struct bgp_attrs a;
	uint8_t path[64];
	uint8_t comms[16];
};

/* AS_PATH 65001 65002, community 65000:99. */
static void base_route(struct route *r)
{
	memset(r, 0, sizeof(*r));
	size_t n = tl_hex("02 02 0000fde9 0000fdea", r->path, sizeof(r->path));
	r->a.as_path = rbuf_make(r->path, n);
	tl_hex("fde80063", r->comms, sizeof(r->comms));
	r->a.communities = rbuf_make(r->comms, 4);
	r->a.next_hop = 0xac1f010a;
	bgp_attr_set(&r->a, BGP_ATTR_ORIGIN);
	bgp_attr_set(&r->a, BGP_ATTR_AS_PATH);
	bgp_attr_set(&r->a, BGP_ATTR_NEXT_HOP);
	bgp_attr_set(&r->a, BGP_ATTR_COMMUNITIES);
}

static enum policy_verdict run(const struct policy *pol, const char *peer, const char *prefix,
                               struct bgp_attrs *a)
{
	union sockaddr_any from;
	struct bgp_prefix p;
	const struct policy *chain[] = { pol };
	addr_parse(peer, 179, &from);
	assert_int_equal(bgp_prefix_parse(prefix, &p), 0);
	return policy_apply(chain, 1, &from, &p, a, &scratch);
}

/* The seed: accept each node's /24 out of 172.20.0.0/16 from the nodes'
 * network, and nothing else. */
static void test_prefix_and_neighbor_match(void **state)
{
	(void)state;
	struct addr_range nodes;
	struct policy_prefix pods = { .min_len = 24, .max_len = 24 };
	struct policy_statement st = { .verdict = POLICY_ACCEPT };
	struct policy pol = { .statements = &st, .n_statements = 1 };
	struct route r;

	addr_range_parse("172.31.0.0/16", &nodes);
	bgp_prefix_parse("172.20.0.0/16", &pods.prefix);
	st.match = (struct policy_match){
		.neighbors = &nodes, .n_neighbors = 1, .prefixes = &pods, .n_prefixes = 1
	};
	base_route(&r);
	assert_int_equal(run(&pol, "172.31.1.10", "172.20.1.0/24", &r.a), POLICY_ACCEPT);
	assert_int_equal(run(&pol, "172.31.1.10", "172.20.0.0/16", &r.a), POLICY_REJECT);
	assert_int_equal(run(&pol, "172.31.1.10", "172.21.1.0/24", &r.a), POLICY_REJECT);
	assert_int_equal(run(&pol, "172.30.1.10", "172.20.2.0/24", &r.a), POLICY_REJECT);
	st.match.families = BGP_AF_BIT(BGP_AF_IPV6_UNICAST);
	assert_int_equal(run(&pol, "172.31.1.10", "172.20.1.0/24", &r.a), POLICY_REJECT);
}

static void test_community_and_as_path_match(void **state)
{
	(void)state;
	uint32_t wanted = 0xfde80063, other = 0xfde80064, contains[] = { 65002 };
	uint32_t large[1][3] = { { 65000, 1, 2 } };
	struct policy_statement st = { .verdict = POLICY_ACCEPT };
	struct policy pol = { .statements = &st, .n_statements = 1 };
	struct route r;

	base_route(&r);
	st.match = (struct policy_match){ .communities = &wanted, .n_communities = 1 };
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_ACCEPT);
	st.match.communities = &other;
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_REJECT);
	st.match = (struct policy_match){ .large_communities = large, .n_large_communities = 1 };
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_REJECT);
	st.match = (struct policy_match){ .has_neighbor_as = true,
		                          .neighbor_as = 65001,
		                          .as_contains = contains,
		                          .n_as_contains = 1 };
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_ACCEPT);
	st.match.neighbor_as = 65002;
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_REJECT);
}

static void test_changes(void **state)
{
	(void)state;
	uint32_t add[] = { 0xfde80063, 0xffffff01 }; /* one already there, no-export */
	uint32_t large[1][3] = { { 65000, 1, 2 } };
	struct policy_statement st = { .verdict = POLICY_ACCEPT };
	struct policy pol = { .statements = &st, .n_statements = 1 };
	struct route r;
	char text[256];
	struct sbuf s;

	base_route(&r);
	st.set = (struct policy_set){ .has_local_pref = true,
		                      .local_pref = 200,
		                      .has_med = true,
		                      .med = 10,
		                      .add_communities = add,
		                      .n_add_communities = 2,
		                      .add_large_communities = large,
		                      .n_add_large_communities = 1,
		                      .prepend_as = 65000,
		                      .prepend_count = 2,
		                      .has_next_hop = true };
	addr_parse("10.9.9.9", 0, &st.set.next_hop);
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_ACCEPT);
	sbuf_init(&s, text, sizeof(text));
	bgp_attrs_format_gobgp(&s, &r.a);
	assert_string_equal(text,
	                    "[{Origin: i} {AsPath: 65000 65000 65001 65002} {Nexthop: 10.9.9.9} "
	                    "{Med: 10} {LocalPref: 200} {Communities: 65000:99, no-export} "
	                    "{LargeCommunity: [ 65000:1:2]}]");
}

/* Statements in order; a statement without a verdict changes the route and
 * lets the next decide; a chain continues into the next policy. */
static void test_order_and_chains(void **state)
{
	(void)state;
	struct addr_range any;
	struct policy_statement first[2] = {
		{ .set = { .has_med = true, .med = 5 }, .verdict = POLICY_NEXT },
		{ .match = { .neighbors = &any, .n_neighbors = 1 }, .verdict = POLICY_REJECT },
	};
	struct policy_statement second = { .set = { .has_local_pref = true, .local_pref = 50 },
		                           .verdict = POLICY_ACCEPT };
	struct policy a = { .statements = first, .n_statements = 2 };
	struct policy b = { .statements = &second, .n_statements = 1 };
	const struct policy *chain[] = { &a, &b };
	union sockaddr_any from;
	struct bgp_prefix p;
	struct route r;

	addr_range_parse("192.0.2.0/24", &any);
	addr_parse("10.0.0.1", 179, &from);
	bgp_prefix_parse("10.1.0.0/24", &p);
	base_route(&r);
	assert_int_equal(policy_apply(chain, 2, &from, &p, &r.a, &scratch), POLICY_ACCEPT);
	assert_int_equal(r.a.med, 5);
	assert_int_equal(r.a.local_pref, 50);
	addr_parse("192.0.2.7", 179, &from);
	base_route(&r);
	assert_int_equal(policy_apply(chain, 2, &from, &p, &r.a, &scratch), POLICY_REJECT);
	assert_int_equal(policy_apply(chain, 0, &from, &p, &r.a, &scratch), POLICY_REJECT);
}

/* Cilium's allow-local: a route this router originates passes, the same
 * route received does not, whether or not the caller says so. */
static void test_local_only(void **state)
{
	(void)state;
	struct policy_statement st = { .match = { .local_only = true }, .verdict = POLICY_ACCEPT };
	struct policy pol = { .statements = &st, .n_statements = 1 };
	const struct policy *chain[] = { &pol };
	union sockaddr_any peer;
	struct bgp_prefix p;
	struct route r;

	base_route(&r);
	addr_parse("10.0.0.1", 179, &peer);
	bgp_prefix_parse("10.1.0.0/24", &p);
	assert_int_equal(policy_apply_route(chain, 1, &peer, &p, true, &r.a, &scratch),
	                 POLICY_ACCEPT);
	assert_int_equal(policy_apply_route(chain, 1, &peer, &p, false, &r.a, &scratch),
	                 POLICY_REJECT);
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_REJECT);
	st.match.local_only = false;
	assert_int_equal(run(&pol, "10.0.0.1", "10.1.0.0/24", &r.a), POLICY_ACCEPT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_and_neighbor_match),
		cmocka_unit_test(test_community_and_as_path_match),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_order_and_chains),
		cmocka_unit_test(test_local_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
