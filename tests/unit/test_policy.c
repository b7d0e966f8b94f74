/*
 * Policies: every condition, every change, statement order, chains, and
 * the default verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/aspath.h"
#include "lib/sbuf.h"
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

/* --- the index: policy_apply_route's answers, found by prefix --- */

static uint32_t rng = 1;

static uint32_t draw(uint32_t n)
{
	rng ^= rng << 13; /* xorshift32: the same chains on every run */
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng % n;
}

/* A prefix from a small universe, so that conditions and routes meet. */
static void draw_prefix(struct bgp_prefix *p, bool base)
{
	static const uint8_t lens4[] = { 0, 8, 16, 24, 30, 32 }, lens6[] = { 0, 16, 64, 128 };
	memset(p, 0, sizeof(*p));
	p->af = draw(4) == 0 ? BGP_AF_IPV6_UNICAST : BGP_AF_IPV4_UNICAST;
	if (p->af == BGP_AF_IPV4_UNICAST) {
		const uint8_t addr[] = { 10, (uint8_t)draw(2), (uint8_t)draw(3), (uint8_t)draw(3) };
		memcpy(p->addr, addr, 4);
		p->len = lens4[base ? draw(6) : 2 + draw(4)];
	} else {
		p->addr[0] = 0xfd;
		p->addr[7] = (uint8_t)draw(2);
		p->addr[15] = (uint8_t)draw(3);
		p->len = lens6[base ? draw(4) : 1 + draw(3)];
	}
	bgp_prefix_mask(p);
}

/* Exact prefixes mostly, as the agent writes them, and some ranges. */
static void draw_condition(struct policy_prefix *pp)
{
	draw_prefix(&pp->prefix, true);
	uint8_t host = pp->prefix.af == BGP_AF_IPV4_UNICAST ? 32 : 128;
	pp->min_len = pp->max_len = pp->prefix.len;
	if (draw(3) == 0) {
		pp->min_len = (uint8_t)draw(host + 1u);
		pp->max_len = (uint8_t)(pp->min_len + draw(host + 1u - pp->min_len));
	}
}

#define CHAIN_MAX      6
#define STATEMENTS_MAX 5
#define CONDITIONS_MAX 3

struct drawn_chain {
	struct policy pols[CHAIN_MAX];
	const struct policy *chain[CHAIN_MAX];
	struct policy_statement st[CHAIN_MAX][STATEMENTS_MAX];
	struct policy_prefix pp[CHAIN_MAX][STATEMENTS_MAX][CONDITIONS_MAX];
	uint32_t tag[CHAIN_MAX][STATEMENTS_MAX];
	struct addr_range peers;
	size_t n;
};

/* Each statement leaves its mark (MED, a community, a prepended AS): the
 * changes show which statements matched, how often and in which order. */
static void draw_statement(struct drawn_chain *c, size_t i, size_t k)
{
	struct policy_statement *st = &c->st[i][k];
	*st = (struct policy_statement){ .verdict = (enum policy_verdict)draw(3) };
	st->match.n_prefixes = draw(4) == 0 ? 0 : 1 + draw(CONDITIONS_MAX);
	st->match.prefixes = c->pp[i][k];
	for (size_t j = 0; j < st->match.n_prefixes; j++)
		draw_condition(&c->pp[i][k][j]);
	if (draw(4) == 0) {
		st->match.neighbors = &c->peers;
		st->match.n_neighbors = 1;
	}
	st->match.families = (uint8_t)draw(4);
	st->match.local_only = draw(5) == 0;
	c->tag[i][k] = (uint32_t)(65000u << 16 | (i * STATEMENTS_MAX + k));
	st->set = (struct policy_set){ .has_med = true,
		                       .med = c->tag[i][k],
		                       .add_communities = &c->tag[i][k],
		                       .n_add_communities = 1,
		                       .prepend_as = (uint32_t)(64512 + i * STATEMENTS_MAX + k),
		                       .prepend_count = 1 };
}

static void draw_chain(struct drawn_chain *c)
{
	addr_range_parse("192.0.2.0/24", &c->peers);
	c->n = 1 + draw(CHAIN_MAX);
	for (size_t i = 0; i < c->n; i++) {
		c->pols[i] = (struct policy){ .statements = c->st[i],
			                      .n_statements = 1 + draw(STATEMENTS_MAX) };
		for (size_t k = 0; k < c->pols[i].n_statements; k++)
			draw_statement(c, i, k);
		c->chain[i] = &c->pols[i];
	}
}

/* The verdict and the route as it comes out, in one line. */
static void outcome(enum policy_verdict v, const struct bgp_attrs *a, char *text, size_t cap)
{
	struct sbuf s;
	sbuf_init(&s, text, cap);
	sbuf_printf(&s, "%d ", (int)v);
	bgp_attrs_format_gobgp(&s, a);
}

static void test_index_property(void **state)
{
	(void)state;
	static struct drawn_chain c;
	static struct policy_scratch other;
	char want[1024], got[1024];

	for (int round = 0; round < 400; round++) {
		struct policy_index ix;
		draw_chain(&c);
		assert_int_equal(policy_index_init(&ix, c.chain, c.n), 0);
		for (int i = 0; i < 60; i++) {
			union sockaddr_any peer;
			struct bgp_prefix p;
			struct route linear, indexed;
			bool local = draw(2) == 0;
			addr_parse(draw(2) == 0 ? "192.0.2.7" : "10.0.0.1", 179, &peer);
			draw_prefix(&p, false);
			base_route(&linear);
			base_route(&indexed);
			outcome(policy_apply_route(c.chain, c.n, &peer, &p, local, &linear.a,
			                           &scratch),
			        &linear.a, want, sizeof(want));
			outcome(policy_index_apply(&ix, &peer, &p, local, &indexed.a, &other),
			        &indexed.a, got, sizeof(got));
			assert_string_equal(got, want);
		}
		policy_index_free(&ix);
	}
}

/* The agent's chains: one policy per Service, exact prefixes; a route
 * finds its own among a thousand, an empty index rejects. */
static void test_index_many_exact(void **state)
{
	(void)state;
	enum { N = 1000 };
	static struct policy pols[N];
	static struct policy_statement st[N];
	static struct policy_prefix pp[N];
	static const struct policy *chain[N];
	struct policy_index ix, none = { 0 };
	union sockaddr_any peer;
	struct bgp_prefix p;
	struct route r;

	for (size_t i = 0; i < N; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.%zu.%zu.1/32", i / 250, i % 250);
		assert_int_equal(bgp_prefix_parse(text, &pp[i].prefix), 0);
		pp[i].min_len = pp[i].max_len = 32;
		st[i] = (struct policy_statement){ .match = { .prefixes = &pp[i], .n_prefixes = 1 },
			                           .set = { .has_med = true, .med = (uint32_t)i },
			                           .verdict = POLICY_ACCEPT };
		pols[i] = (struct policy){ .statements = &st[i], .n_statements = 1 };
		chain[i] = &pols[i];
	}
	assert_int_equal(policy_index_init(&ix, chain, N), 0);
	addr_parse("10.0.0.1", 179, &peer);
	bgp_prefix_parse("10.3.17.1/32", &p);
	base_route(&r);
	assert_int_equal(policy_index_apply(&ix, &peer, &p, false, &r.a, &scratch), POLICY_ACCEPT);
	assert_int_equal(r.a.med, 3 * 250 + 17);
	bgp_prefix_parse("10.3.17.2/32", &p);
	assert_int_equal(policy_index_apply(&ix, &peer, &p, false, &r.a, &scratch), POLICY_REJECT);
	assert_int_equal(policy_index_apply(&none, &peer, &p, false, &r.a, &scratch),
	                 POLICY_REJECT);
	policy_index_free(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_and_neighbor_match),
		cmocka_unit_test(test_community_and_as_path_match),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_order_and_chains),
		cmocka_unit_test(test_local_only),
		cmocka_unit_test(test_index_property),
		cmocka_unit_test(test_index_many_exact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
