/*
 * The decision process as a table: pairs of paths, the expected winner and
 * the step that decides, in both orders; then multipath sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rib/decide.h"

/* A path as the table writes it; what is left out takes the default. */
struct spec {
	uint32_t weight;
	uint32_t lp; /* 0: no LOCAL_PREF (counts as 100) */
	bool local;
	const char *path; /* "65001 65002", "{1,2}" for a set; NULL: "65001" */
	bool no_path;     /* no AS_PATH at all */
	uint8_t origin;
	bool has_med;
	uint32_t med;
	bool ibgp;
	uint32_t id;      /* 0: 1 */
	const char *addr; /* NULL: 10.0.0.1 */
	uint32_t age;     /* received_s */
	uint32_t originator;
	uint8_t clusters;
};

struct row {
	const char *name;
	struct spec a, b;
	int winner; /* -1: a, 1: b, 0: equal */
	enum decide_reason reason;
	bool always_compare_med;
	bool compare_router_id;
};

#define E(...)                                                                                     \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}
#define MED(x) .has_med = true, .med = (x)

static const struct row rows[] = {
	{ .name = "weight wins over everything",
	  .a = E(.weight = 10, .lp = 50),
	  .b = E(.lp = 200),
	  .winner = -1,
	  .reason = DECIDE_WEIGHT },
	{ .name = "higher LOCAL_PREF",
	  .a = E(.lp = 200),
	  .b = E(.lp = 150),
	  .winner = -1,
	  .reason = DECIDE_LOCAL_PREF },
	{ .name = "missing LOCAL_PREF is 100",
	  .a = E(.lp = 0),
	  .b = E(.lp = 101),
	  .winner = 1,
	  .reason = DECIDE_LOCAL_PREF },
	{ .name = "missing LOCAL_PREF equals 100",
	  .a = E(.lp = 0, .path = "1"),
	  .b = E(.lp = 100, .path = "1 2"),
	  .winner = -1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "local route over learned",
	  .a = E(.local = true, .no_path = true),
	  .b = E(.no_path = true),
	  .winner = -1,
	  .reason = DECIDE_LOCAL_ROUTE },
	{ .name = "local route loses on LOCAL_PREF first",
	  .a = E(.local = true, .lp = 100),
	  .b = E(.lp = 200),
	  .winner = 1,
	  .reason = DECIDE_LOCAL_PREF },
	{ .name = "shorter AS_PATH",
	  .a = E(.path = "65001 65002 65003"),
	  .b = E(.path = "65005 65006"),
	  .winner = 1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "an AS_SET counts one",
	  .a = E(.path = "65001 {1,2,3}"),
	  .b = E(.path = "65001 65002 65003"),
	  .winner = -1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "confederation segments count nothing",
	  .a = E(.path = "(64512 64513) 65001"),
	  .b = E(.path = "65001 65002"),
	  .winner = -1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "empty AS_PATH is shortest",
	  .a = E(.path = ""),
	  .b = E(.path = "65001"),
	  .winner = -1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "IGP over EGP",
	  .a = E(.origin = 0),
	  .b = E(.origin = 1),
	  .winner = -1,
	  .reason = DECIDE_ORIGIN },
	{ .name = "EGP over INCOMPLETE",
	  .a = E(.origin = 2),
	  .b = E(.origin = 1),
	  .winner = 1,
	  .reason = DECIDE_ORIGIN },
	{ .name = "lower MED, same neighbour AS",
	  .a = E(MED(20)),
	  .b = E(MED(10)),
	  .winner = 1,
	  .reason = DECIDE_MED },
	{ .name = "missing MED is 0",
	  .a = E(),
	  .b = E(MED(5)),
	  .winner = -1,
	  .reason = DECIDE_MED },
	{ .name = "MED ignored across neighbour ASes",
	  .a = E(MED(50), .path = "65001", .id = 1),
	  .b = E(MED(10), .path = "65002", .id = 2),
	  .winner = -1,
	  .reason = DECIDE_ROUTER_ID },
	{ .name = "MED compared across ASes with always-compare",
	  .a = E(MED(50), .path = "65001"),
	  .b = E(MED(10), .path = "65002"),
	  .winner = 1,
	  .reason = DECIDE_MED,
	  .always_compare_med = true },
	{ .name = "eBGP over iBGP",
	  .a = E(.ibgp = true),
	  .b = E(.weight = 0),
	  .winner = 1,
	  .reason = DECIDE_PEER_TYPE },
	{ .name = "LOCAL_PREF beats eBGP",
	  .a = E(.ibgp = true, .lp = 200),
	  .b = E(.weight = 0),
	  .winner = -1,
	  .reason = DECIDE_LOCAL_PREF },
	{ .name = "older eBGP path",
	  .a = E(.age = 100, .id = 9),
	  .b = E(.age = 50, .id = 1),
	  .winner = 1,
	  .reason = DECIDE_OLDER },
	{ .name = "router ID when compare-routerid",
	  .a = E(.age = 100, .id = 1),
	  .b = E(.age = 50, .id = 9),
	  .winner = -1,
	  .reason = DECIDE_ROUTER_ID,
	  .compare_router_id = true },
	{ .name = "iBGP paths skip age",
	  .a = E(.ibgp = true, .age = 100, .id = 1),
	  .b = E(.ibgp = true, .age = 50, .id = 2),
	  .winner = -1,
	  .reason = DECIDE_ROUTER_ID },
	{ .name = "lowest router ID",
	  .a = E(.ibgp = true, .id = 0x0a000002),
	  .b = E(.ibgp = true, .id = 0x0a000001),
	  .winner = 1,
	  .reason = DECIDE_ROUTER_ID },
	{ .name = "ORIGINATOR_ID stands for the router ID",
	  .a = E(.ibgp = true, .id = 1, .originator = 9),
	  .b = E(.ibgp = true, .id = 5),
	  .winner = 1,
	  .reason = DECIDE_ROUTER_ID },
	{ .name = "shorter CLUSTER_LIST",
	  .a = E(.ibgp = true, .originator = 7, .clusters = 2),
	  .b = E(.ibgp = true, .originator = 7, .clusters = 1),
	  .winner = 1,
	  .reason = DECIDE_CLUSTER_LIST },
	{ .name = "lowest peer address",
	  .a = E(.ibgp = true, .addr = "10.0.0.9"),
	  .b = E(.ibgp = true, .addr = "10.0.0.10"),
	  .winner = -1,
	  .reason = DECIDE_PEER_ADDR },
	{ .name = "IPv4 peer address before IPv6",
	  .a = E(.ibgp = true, .addr = "fd00::1"),
	  .b = E(.ibgp = true, .addr = "10.0.0.1"),
	  .winner = 1,
	  .reason = DECIDE_PEER_ADDR },
	{ .name = "IPv6 peer addresses",
	  .a = E(.ibgp = true, .addr = "fd00::2"),
	  .b = E(.ibgp = true, .addr = "fd00::1"),
	  .winner = 1,
	  .reason = DECIDE_PEER_ADDR },
	{ .name = "identical paths",
	  .a = E(.ibgp = true),
	  .b = E(.ibgp = true),
	  .winner = 0,
	  .reason = DECIDE_SAME },
	{ .name = "the seed: three nodes, oldest wins",
	  .a = E(.age = 30, .id = 0xac1f010a, .addr = "172.31.1.10"),
	  .b = E(.age = 10, .id = 0xac1f010b, .addr = "172.31.1.11"),
	  .winner = 1,
	  .reason = DECIDE_OLDER },
	{ .name = "the seed with compare-routerid",
	  .a = E(.age = 30, .id = 0xac1f010a, .addr = "172.31.1.10"),
	  .b = E(.age = 10, .id = 0xac1f010b, .addr = "172.31.1.11"),
	  .winner = -1,
	  .reason = DECIDE_ROUTER_ID,
	  .compare_router_id = true },
	{ .name = "AS_PATH beats ORIGIN",
	  .a = E(.path = "1", .origin = 2),
	  .b = E(.path = "1 2", .origin = 0),
	  .winner = -1,
	  .reason = DECIDE_AS_PATH },
	{ .name = "ORIGIN beats MED",
	  .a = E(.origin = 0, MED(100)),
	  .b = E(.origin = 2, MED(0)),
	  .winner = -1,
	  .reason = DECIDE_ORIGIN },
	{ .name = "MED beats peer type (compared across ASes)",
	  .a = E(.ibgp = true, MED(1)),
	  .b = E(MED(2)),
	  .winner = -1,
	  .reason = DECIDE_MED,
	  .always_compare_med = true },
	{ .name = "weight beats local route",
	  .a = E(.local = true),
	  .b = E(.weight = 1),
	  .winner = 1,
	  .reason = DECIDE_WEIGHT },
};

struct built {
	struct bgp_attrs attrs;
	struct decide_attrs facts;
	uint8_t path[64];
	uint8_t clusters[16];
	struct decide_path p;
};

/* "65001 {1,2} (3 4)" to 4-octet AS_PATH segments. */
static size_t build_path(const char *c, uint8_t *out)
{
	size_t n = 0, head = 0;
	bool group = false, sequence = false;

	while (*c != '\0') {
		if (*c == '{' || *c == '(') {
			head = n;
			out[n++] = *c == '{' ? BGP_AS_SET : BGP_AS_CONFED_SEQUENCE;
			out[n++] = 0;
			group = true;
			sequence = false;
			c++;
		} else if (*c == '}' || *c == ')') {
			group = false;
			c++;
		} else if (*c >= '0' && *c <= '9') {
			if (!group && !sequence) {
				head = n;
				out[n++] = BGP_AS_SEQUENCE;
				out[n++] = 0;
				sequence = true;
			}
			char *end;
			unsigned long as = strtoul(c, &end, 10);
			for (int k = 3; k >= 0; k--)
				out[n++] = (uint8_t)(as >> (8 * k));
			out[head + 1]++;
			c = end;
		} else {
			c++;
		}
	}
	return n;
}

static void build(const struct spec *s, struct built *b)
{
	memset(b, 0, sizeof(*b));
	b->attrs.origin = s->origin;
	bgp_attr_set(&b->attrs, BGP_ATTR_ORIGIN);
	const char *path = s->path != NULL ? s->path : "65001";
	if (!s->no_path) {
		b->attrs.as_path = rbuf_make(b->path, build_path(path, b->path));
		bgp_attr_set(&b->attrs, BGP_ATTR_AS_PATH);
	}
	if (s->lp != 0) {
		b->attrs.local_pref = s->lp;
		bgp_attr_set(&b->attrs, BGP_ATTR_LOCAL_PREF);
	}
	if (s->has_med) {
		b->attrs.med = s->med;
		bgp_attr_set(&b->attrs, BGP_ATTR_MED);
	}
	if (s->originator != 0) {
		b->attrs.originator_id = s->originator;
		bgp_attr_set(&b->attrs, BGP_ATTR_ORIGINATOR_ID);
	}
	if (s->clusters != 0) {
		b->attrs.cluster_list = rbuf_make(b->clusters, 4u * s->clusters);
		bgp_attr_set(&b->attrs, BGP_ATTR_CLUSTER_LIST);
	}
	decide_attrs_of(&b->attrs, &b->facts);
	b->p = (struct decide_path){ .attrs = &b->facts,
		                     .weight = s->weight,
		                     .local = s->local,
		                     .ebgp = !s->ibgp && !s->local,
		                     .peer_id = s->id != 0 ? s->id : 1,
		                     .received_s = s->age,
		                     .as_path = b->attrs.as_path };
	/* The neighbour AS is the first AS of the path for eBGP. */
	b->p.peer_asn = s->ibgp ? 65000 : (uint32_t)strtoul(path, NULL, 10);
	addr_parse(s->addr != NULL ? s->addr : "10.0.0.1", 179, &b->p.peer_addr);
}

static void test_decision_table(void **state)
{
	(void)state;
	struct built a, b;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct decide_config cfg = { .med_always_compare = r->always_compare_med,
			                     .compare_router_id = r->compare_router_id };
		enum decide_reason why, why_back;
		build(&r->a, &a);
		build(&r->b, &b);
		int c = decide_compare(&a.p, &b.p, &cfg, &why);
		int back = decide_compare(&b.p, &a.p, &cfg, &why_back);
		int sign = c < 0 ? -1 : c > 0, back_sign = back < 0 ? -1 : back > 0;
		if (sign != r->winner || why != r->reason || back_sign != -sign || why_back != why)
			fail_msg("row \"%s\": winner %d (%s), want %d (%s); reversed %d (%s)",
			         r->name, sign, decide_reason_text(why), r->winner,
			         decide_reason_text(r->reason), back, decide_reason_text(why_back));
	}
	print_message("%zu decision rows\n", sizeof(rows) / sizeof(rows[0]));
}

/* The seed's LoadBalancer IP from three nodes, AS 65001 each: with
 * maximum-paths 4 all three join; a different neighbour AS joins only with
 * multipath-relax; iBGP and eBGP never mix; a worse path never joins. */
static void test_multipath(void **state)
{
	(void)state;
	struct decide_config cfg = { .maximum_paths_ebgp = 4, .maximum_paths_ibgp = 1 };
	struct built best, same, other_as, longer, ibgp, worse_med;

	build(&(struct spec)E(.age = 1), &best);
	build(&(struct spec)E(.age = 2, .id = 2, .addr = "10.0.0.2"), &same);
	build(&(struct spec)E(.path = "65002", .id = 3), &other_as);
	build(&(struct spec)E(.path = "65002 65003", .id = 4), &longer);
	build(&(struct spec)E(.ibgp = true), &ibgp);
	build(&(struct spec)E(MED(5)), &worse_med);
	best.p.peer_asn = same.p.peer_asn = worse_med.p.peer_asn = 65001;

	assert_true(decide_multipath(&best.p, &same.p, &cfg));
	assert_false(decide_multipath(&best.p, &other_as.p, &cfg));
	assert_false(decide_multipath(&best.p, &longer.p, &cfg));
	assert_false(decide_multipath(&best.p, &ibgp.p, &cfg));
	assert_false(decide_multipath(&best.p, &worse_med.p, &cfg));
	cfg.as_path_multipath_relax = true;
	assert_true(decide_multipath(&best.p, &other_as.p, &cfg));
	assert_false(decide_multipath(&best.p, &longer.p, &cfg));
	cfg.maximum_paths_ebgp = 1;
	assert_false(decide_multipath(&best.p, &same.p, &cfg));
}

static void test_reason_words(void **state)
{
	(void)state;
	assert_string_equal(decide_reason_text(DECIDE_OLDER), "Older Path");
	assert_string_equal(decide_reason_text(DECIDE_ROUTER_ID), "Router ID");
	assert_string_equal(decide_reason_text(DECIDE_AS_PATH), "AS Path");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_multipath),
		cmocka_unit_test(test_reason_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
