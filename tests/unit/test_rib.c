/*
 * The routing table: paths from several sources per prefix, the best and
 * its ECMP set kept in front, change notifications, interned attributes
 * shared by every route that carries them, and flushing a source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rib/rib.h"

static int changes;
static struct rib_entry *last_changed;

static void on_changed(void *ctx, struct rib_entry *e)
{
	(void)ctx;
	changes++;
	last_changed = e;
}

static struct rib_source source(const char *addr, uint32_t asn, uint32_t id)
{
	struct rib_source s = { .ebgp = true, .asn = asn, .router_id = id };
	addr_parse(addr, 179, &s.addr);
	return s;
}

/* ORIGIN IGP, AS_PATH of one ASN, a next hop. */
struct route {
	struct bgp_attrs a;
	uint8_t path[6];
};

static void route(struct route *r, uint32_t asn, uint32_t next_hop, uint32_t med)
{
	memset(r, 0, sizeof(*r));
	uint8_t seg[6] = { BGP_AS_SEQUENCE,      1,
		           (uint8_t)(asn >> 24), (uint8_t)(asn >> 16),
		           (uint8_t)(asn >> 8),  (uint8_t)asn };
	memcpy(r->path, seg, sizeof(seg));
	r->a.as_path = rbuf_make(r->path, sizeof(r->path));
	r->a.next_hop = next_hop;
	bgp_attr_set(&r->a, BGP_ATTR_ORIGIN);
	bgp_attr_set(&r->a, BGP_ATTR_AS_PATH);
	bgp_attr_set(&r->a, BGP_ATTR_NEXT_HOP);
	if (med != 0) {
		r->a.med = med;
		bgp_attr_set(&r->a, BGP_ATTR_MED);
	}
}

static struct bgp_prefix prefix(const char *text)
{
	struct bgp_prefix p;
	assert_int_equal(bgp_prefix_parse(text, &p), 0);
	return p;
}

/* The seed: 172.16.1.1/32 from three nodes in AS 65001, maximum-paths 4. */
static void test_three_nodes_share_a_service_ip(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 4,
		                     .maximum_paths_ibgp = 1,
		                     .as_path_multipath_relax = true };
	struct rib r;
	struct rib_source cp = source("172.31.1.10", 65001, 0xac1f010a),
	                  w1 = source("172.31.1.11", 65001, 0xac1f010b),
	                  w0 = source("172.30.1.10", 65001, 0xac1e010a);
	struct route a, b, c;
	struct bgp_prefix lb = prefix("172.16.1.1/32");

	rib_init(&r, &cfg, on_changed, NULL);
	changes = 0;
	route(&a, 65001, 0xac1f010a, 0);
	route(&b, 65001, 0xac1f010b, 0);
	route(&c, 65001, 0xac1e010a, 0);
	assert_int_equal(rib_update(&r, &w1, &lb, &b.a, 10000), 0);
	assert_int_equal(rib_update(&r, &cp, &lb, &a.a, 20000), 0);
	assert_int_equal(rib_update(&r, &w0, &lb, &c.a, 30000), 0);
	assert_int_equal(changes, 3);
	struct rib_entry *e = rib_lookup(&r, &lb);
	assert_non_null(e);
	assert_int_equal(e->n_multipath, 3);
	assert_ptr_equal(rib_path_source(&r, rib_best(e)), &w1); /* the oldest */
	assert_int_equal(e->reason, DECIDE_OLDER);
	/* Same attributes again: nothing changes. */
	assert_int_equal(rib_update(&r, &cp, &lb, &a.a, 40000), 0);
	assert_int_equal(changes, 3);
	/* The best goes: the next oldest takes over, the set shrinks. */
	rib_withdraw(&r, &w1, &lb);
	assert_int_equal(changes, 4);
	assert_ptr_equal(rib_path_source(&r, rib_best(e)), &cp);
	assert_int_equal(e->n_multipath, 2);
	/* A node drained for maintenance: its session goes, its path too. */
	rib_flush(&r, &w0);
	assert_int_equal(e->n_multipath, 1);
	assert_int_equal(w0.count[BGP_AF_IPV4_UNICAST], 0);
	rib_flush(&r, &cp);
	assert_null(rib_lookup(&r, &lb));
	assert_int_equal(r.n_paths, 0);
	rib_free(&r);
}

/* Without multipath-relax a path from another neighbour AS does not join;
 * with maximum-paths 1 nothing joins. */
static void test_multipath_rules(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 4, .maximum_paths_ibgp = 1 };
	struct rib r;
	struct rib_source x = source("10.0.0.1", 65001, 1), y = source("10.0.0.2", 65002, 2);
	struct route a, b;
	struct bgp_prefix p = prefix("10.9.0.0/24");

	rib_init(&r, &cfg, on_changed, NULL);
	route(&a, 65001, 0x0a000001, 0);
	route(&b, 65002, 0x0a000002, 0);
	rib_update(&r, &x, &p, &a.a, 1);
	rib_update(&r, &y, &p, &b.a, 2);
	assert_int_equal(rib_lookup(&r, &p)->n_multipath, 1);
	rib_free(&r);

	cfg.as_path_multipath_relax = true;
	rib_init(&r, &cfg, on_changed, NULL);
	rib_update(&r, &x, &p, &a.a, 1);
	rib_update(&r, &y, &p, &b.a, 2);
	assert_int_equal(rib_lookup(&r, &p)->n_multipath, 2);
	/* A better MED from the same AS is not a tie: y's path is alone. */
	route(&b, 65002, 0x0a000002, 5);
	rib_update(&r, &y, &p, &b.a, 3);
	assert_int_equal(rib_lookup(&r, &p)->n_multipath, 2);
	rib_free(&r);
}

/* What an entry must look like after any change: its paths best first,
 * the ECMP set right after, min(width, paths) of them. */
static void check_order(const struct rib *r, const struct rib_entry *e, size_t want_paths,
                        size_t width, const struct rib_source *want_best)
{
	size_t n = 0, members = 0;
	bool in_set = true;
	for (const struct rib_path *p = rib_paths(e); p != NULL; p = rib_path_next(p), n++) {
		if (p->multipath) {
			assert_true(in_set); /* no member after a non-member */
			members++;
		}
		in_set = p->multipath;
	}
	assert_int_equal(n, want_paths);
	assert_int_equal(members, want_paths < width ? want_paths : width);
	assert_int_equal(e->n_multipath, members);
	assert_ptr_equal(rib_path_source(r, rib_best(e)), want_best);
}

/* Twelve neighbours, each in its own AS, send one prefix: with relax and
 * maximum-paths 4 the oldest is best and the next three join it.  As they
 * go, in no particular order, the oldest left is best and the set refills. */
static void test_many_paths_keep_their_order(void **state)
{
	(void)state;
	enum { N = 12 };
	struct decide_config cfg = { .maximum_paths_ebgp = 4,
		                     .maximum_paths_ibgp = 1,
		                     .as_path_multipath_relax = true };
	struct rib r;
	struct rib_source src[N];
	struct route a[N];
	struct bgp_prefix p = prefix("10.7.0.0/24");
	bool gone[N] = { false };
	const int order[N] = { 0, 5, 11, 1, 3, 2, 10, 4, 6, 9, 8, 7 };

	rib_init(&r, &cfg, NULL, NULL);
	for (int i = 0; i < N; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "10.0.0.%d", i + 1);
		src[i] = source(addr, 65001u + (uint32_t)i, (uint32_t)i + 1);
		route(&a[i], 65001u + (uint32_t)i, 0x0a000001u + (uint32_t)i, 0);
		assert_int_equal(rib_update(&r, &src[i], &p, &a[i].a, 1000u * (uint32_t)(i + 1)),
		                 0);
	}
	struct rib_entry *e = rib_lookup(&r, &p);
	check_order(&r, e, N, 4, &src[0]);
	assert_int_equal(e->reason, DECIDE_OLDER);
	for (int k = 0; k < N - 1; k++) {
		rib_withdraw(&r, &src[order[k]], &p);
		gone[order[k]] = true;
		int oldest = 0;
		while (gone[oldest])
			oldest++;
		check_order(&r, e, (size_t)(N - 1 - k), 4, &src[oldest]);
		assert_int_equal(r.n_paths, N - 1 - k);
	}
	rib_withdraw(&r, &src[order[N - 1]], &p);
	assert_null(rib_lookup(&r, &p));
	assert_int_equal(r.n_paths, 0);
	rib_free(&r);
}

/* 10,000 routes with the same attributes hold one copy of them. */
static void test_attributes_are_shared(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 1, .maximum_paths_ibgp = 1 };
	struct rib r;
	struct rib_source x = source("10.0.0.1", 65001, 1);
	struct route a, b;

	rib_init(&r, &cfg, NULL, NULL);
	route(&a, 65001, 0x0a000001, 0);
	route(&b, 65001, 0x0a000001, 7);
	for (uint32_t i = 0; i < 10000; i++) {
		struct bgp_prefix p = { .af = BGP_AF_IPV4_UNICAST, .len = 24 };
		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		assert_int_equal(rib_update(&r, &x, &p, i % 2 ? &a.a : &b.a, 1), 0);
	}
	assert_int_equal(r.attrs.sets.count, 2);
	assert_int_equal(r.n_paths, 10000);
	assert_int_equal(x.count[BGP_AF_IPV4_UNICAST], 10000);
	struct bgp_prefix first = prefix("10.0.0.0/24");
	const struct rib_path *p = rib_best(rib_lookup(&r, &first));
	assert_int_equal(rib_path_attrs(&r, p)->refs, 5000);
	assert_int_equal(rib_path_attrs(&r, p)->fixed.med, 7);
	rib_flush(&r, &x);
	assert_int_equal(r.attrs.sets.count, 0);
	assert_int_equal(r.entries.count, 0);
	rib_free(&r);
}

/* A peer sends a selected route again with new attributes (an implicit
 * withdraw): the same path, so the same selection, but what goes out and
 * into the kernel changes, so the layer above hears of it.  The same
 * attributes again change nothing; a path outside the selection changing
 * changes nothing either. */
static void test_new_attributes_on_a_selected_path(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 1, .maximum_paths_ibgp = 1 };
	struct rib r;
	struct rib_source x = source("10.0.0.1", 65001, 1), y = source("10.0.0.2", 65002, 2);
	struct route a, b, worse;
	struct bgp_prefix p = prefix("10.96.0.0/24");

	rib_init(&r, &cfg, on_changed, NULL);
	route(&a, 65001, 0x0a000001, 0);
	route(&b, 65001, 0x0a000001, 7);
	route(&worse, 65002, 0x0a000002, 0);
	worse.a.origin = BGP_ORIGIN_INCOMPLETE;
	assert_int_equal(rib_update(&r, &x, &p, &a.a, 1), 0);
	assert_int_equal(rib_update(&r, &y, &p, &worse.a, 2), 0);
	changes = 0;
	assert_int_equal(rib_update(&r, &x, &p, &b.a, 3), 0);
	assert_int_equal(changes, 1);
	assert_int_equal(rib_path_attrs(&r, rib_best(last_changed))->fixed.med, 7);
	assert_int_equal(rib_update(&r, &x, &p, &b.a, 4), 0);
	worse.a.med = 9;
	bgp_attr_set(&worse.a, BGP_ATTR_MED);
	assert_int_equal(rib_update(&r, &y, &p, &worse.a, 5), 0);
	assert_int_equal(changes, 1);
	rib_flush(&r, &x);
	rib_flush(&r, &y);
	rib_free(&r);
}

/* A route originated here (the control plane's PodCIDR, say, with a
 * community) wins over a learned one on weight; taken back, the learned
 * one is best again. */
static void test_local_route_wins(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 4, .maximum_paths_ibgp = 4 };
	struct rib r;
	struct rib_source self;
	struct rib_source x = source("10.0.0.1", 65001, 1);
	struct route a;
	struct bgp_attrs mine;
	uint8_t community[4] = { 0xfd, 0xe8, 0, 1 };
	struct bgp_prefix p = prefix("10.10.1.0/24");

	rib_init(&r, &cfg, on_changed, NULL);
	rib_local_source_init(&self, 0x0a000063);
	route(&a, 65001, 0x0a000001, 0);
	rib_local_attrs(BGP_AF_IPV4_UNICAST, &mine);
	mine.communities = rbuf_make(community, sizeof(community));
	bgp_attr_set(&mine, BGP_ATTR_COMMUNITIES);
	rib_update(&r, &x, &p, &a.a, 1);
	rib_update(&r, &self, &p, &mine, 2);
	struct rib_entry *e = rib_lookup(&r, &p);
	struct bgp_attrs view;
	attrset_attrs(rib_path_attrs(&r, rib_best(e)), &view);
	const struct bgp_attrs *best = &view;
	assert_ptr_equal(rib_path_source(&r, rib_best(e)), &self);
	assert_int_equal(e->reason, DECIDE_WEIGHT);
	assert_int_equal(e->n_multipath, 1);
	assert_int_equal(best->origin, BGP_ORIGIN_IGP);
	assert_int_equal(best->next_hop, 0);
	assert_int_equal(best->as_path.len, 0);
	assert_int_equal(best->communities.len, 4);

	rib_withdraw(&r, &self, &p);
	assert_ptr_equal(rib_path_source(&r, rib_best(e)), &x);
	rib_free(&r);
}

/* Graceful restart: a restarting peer's routes stay, stale; what it sends
 * again is fresh, what it does not is swept at End-of-RIB. */
static void test_stale_paths(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 1, .maximum_paths_ibgp = 1 };
	struct rib r;
	struct rib_source x = source("10.0.0.1", 65001, 1);
	struct route a;
	struct bgp_prefix kept = prefix("10.1.0.0/24"), gone = prefix("10.2.0.0/24"),
	                  v6 = prefix("fd00:1::/48");

	rib_init(&r, &cfg, on_changed, NULL);
	route(&a, 65001, 0x0a000001, 0);
	rib_update(&r, &x, &kept, &a.a, 1);
	rib_update(&r, &x, &gone, &a.a, 1);
	rib_update(&r, &x, &v6, &a.a, 1);
	changes = 0;
	rib_mark_stale(&r, &x, -1);
	assert_true(rib_best(rib_lookup(&r, &kept))->stale);
	rib_update(&r, &x, &kept, &a.a, 5); /* sent again after the restart */
	assert_false(rib_best(rib_lookup(&r, &kept))->stale);
	assert_int_equal(changes, 0); /* nothing changed for the outside */
	assert_int_equal(rib_sweep_stale(&r, &x, BGP_AF_IPV4_UNICAST), 1);
	assert_null(rib_lookup(&r, &gone));
	assert_non_null(rib_lookup(&r, &v6)); /* other family waits for its own EoR */
	assert_int_equal(rib_sweep_stale(&r, &x, -1), 1);
	assert_int_equal(r.n_paths, 1);
	rib_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_nodes_share_a_service_ip),
		cmocka_unit_test(test_multipath_rules),
		cmocka_unit_test(test_many_paths_keep_their_order),
		cmocka_unit_test(test_attributes_are_shared),
		cmocka_unit_test(test_new_attributes_on_a_selected_path),
		cmocka_unit_test(test_local_route_wins),
		cmocka_unit_test(test_stale_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
