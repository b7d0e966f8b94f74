/*
 * Adj-RIB-Out and UPDATE generation: N prefixes with K attribute sets go
 * out in K full messages, a second flush of the same state sends nothing,
 * only what changed is sent again, and withdrawals are batched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bgp/update.h"
#include "rib/adjout.h"
#include "rib/rib.h"
#include "testlib.h"

#define N_PREFIXES 1000
#define N_SETS     10

static struct rib rib;
static struct rib_source source = { .local = true };
static struct attrset_table *table = &rib.attrs;
static struct attrset *sets[N_SETS];
static int shift;         /* which set a prefix maps to: (i + shift) % N_SETS */
static bool withdraw_all; /* export nothing */
static int messages, announced, withdrawn;
static struct bgp_scratch scratch;

static unsigned index_of(const uint8_t *addr)
{
	return (unsigned)addr[1] << 8 | addr[2];
}

static struct attrset *export(void *ctx, const struct rib_entry *e)
{
	(void)ctx;
	if (withdraw_all || rib_paths(e) == NULL)
		return NULL;
	return attrset_ref(sets[(index_of(e->addr) + (unsigned)shift) % N_SETS]);
}

static int send_msg(void *ctx, const uint8_t *msg, size_t len)
{
	(void)ctx;
	struct bgp_session_ctx sc = tl_ctx_ebgp();
	struct bgp_update u;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;
	struct bgp_msg m = tl_frame(msg, len);

	assert_true(len <= BGP_MAX_LEN);
	assert_int_equal(bgp_update_decode(&sc, m.body, &scratch, &u), 0);
	messages++;
	bgp_route_iter_init(&ri, &u, &sc);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		if (reach) {
			announced++;
			/* every prefix of a message carries its set's MED */
			assert_int_equal(u.attrs.med,
			                 (index_of(p.addr) + (unsigned)shift) % N_SETS);
		} else {
			withdrawn++;
		}
	}
	return 0;
}

static const struct adjout_ops ops = { .export = export, .send = send_msg };

static struct bgp_prefix prefix_of(unsigned i)
{
	struct bgp_prefix p = { .af = BGP_AF_IPV4_UNICAST, .len = 24 };
	p.addr[0] = 10;
	p.addr[1] = (uint8_t)(i >> 8);
	p.addr[2] = (uint8_t)i;
	return p;
}

static void mark_all(struct adjout *o)
{
	size_t pos = 0, n = 0;
	struct rib_entry *e;
	while ((e = rib_next(&rib, &pos)) != NULL) {
		assert_int_equal(adjout_mark(o, e), 0);
		n++;
	}
	assert_int_equal(n, N_PREFIXES);
}

static void flush(struct adjout *o)
{
	struct bgp_session_ctx sc = tl_ctx_ebgp();
	messages = announced = withdrawn = 0;
	assert_int_equal(adjout_flush(o, &rib, &sc, BGP_MAX_LEN, SIZE_MAX, &ops, NULL), 0);
}

static void test_packing_and_differences(void **state)
{
	(void)state;
	uint8_t path[] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	struct adjout o;
	struct rib_entry *e;

	struct decide_config dc = { .maximum_paths_ebgp = 1, .maximum_paths_ibgp = 1 };
	rib_init(&rib, &dc, NULL, NULL);
	for (int k = 0; k < N_SETS; k++) {
		struct bgp_attrs a = { .next_hop = 0x0a000001, .med = (uint32_t)k };
		a.as_path = rbuf_make(path, sizeof(path));
		bgp_attr_set(&a, BGP_ATTR_ORIGIN);
		bgp_attr_set(&a, BGP_ATTR_AS_PATH);
		bgp_attr_set(&a, BGP_ATTR_NEXT_HOP);
		bgp_attr_set(&a, BGP_ATTR_MED);
		sets[k] = attrset_intern(table, &a);
	}
	for (unsigned i = 0; i < N_PREFIXES; i++) {
		struct rib_key k = { .prefix = prefix_of(i) };
		rib_keys_make(&rib, &k, 1);
		assert_int_equal(rib_update_set(&rib, &source, &k, sets[0], 0), 0);
	}
	adjout_init(&o);

	/* 1000 /24s in 10 sets: 100 prefixes (400 bytes) per set fit one
	 * message each. */
	mark_all(&o);
	flush(&o);
	assert_int_equal(messages, N_SETS);
	assert_int_equal(announced, N_PREFIXES);
	assert_int_equal(o.count[BGP_AF_IPV4_UNICAST], N_PREFIXES);

	/* Nothing changed: nothing is sent. */
	mark_all(&o);
	flush(&o);
	assert_int_equal(messages, 0);

	/* Every prefix moves to another set: all re-announced, no withdrawal. */
	shift = 1;
	mark_all(&o);
	flush(&o);
	assert_int_equal(announced, N_PREFIXES);
	assert_int_equal(withdrawn, 0);
	assert_int_equal(messages, N_SETS);

	/* The peer asks for the table again: forgotten, then all re-sent. */
	adjout_forget(&o, &rib, BGP_AF_IPV4_UNICAST);
	assert_int_equal(o.count[BGP_AF_IPV4_UNICAST], 0);
	mark_all(&o);
	flush(&o);
	assert_int_equal(announced, N_PREFIXES);

	/* In slices of 300: four calls, the same result. */
	shift = 2;
	mark_all(&o);
	struct bgp_session_ctx sc = tl_ctx_ebgp();
	int slices = 1;
	announced = 0;
	while (adjout_flush(&o, &rib, &sc, BGP_MAX_LEN, 300, &ops, NULL) == 1)
		slices++;
	assert_int_equal(slices, 4);
	assert_int_equal(announced, N_PREFIXES);

	/* A route leaves the RIB while queued: its entry stays until the
	 * withdrawal is out, then goes. */
	struct bgp_prefix gone = prefix_of(7);
	uint32_t gone_id = rib_lookup(&rib, &gone)->id;
	assert_int_equal(adjout_mark(&o, rib_lookup(&rib, &gone)), 0);
	rib_withdraw(&rib, &source, &gone);
	assert_non_null(rib_lookup(&rib, &gone));
	flush(&o);
	assert_int_equal(withdrawn, 1);
	assert_null(rib_lookup(&rib, &gone));
	struct rib_key again = { .prefix = gone };
	rib_keys_make(&rib, &again, 1);
	assert_int_equal(rib_update_set(&rib, &source, &again, sets[0], 0), 0);
	/* Back, under the id it had: nothing counts as sent for it yet. */
	assert_int_equal(rib_lookup(&rib, &gone)->id, gone_id);
	assert_null(adjout_sent(&o, &rib, rib_lookup(&rib, &gone)));

	/* Everything withdrawn: 1000 x 4 bytes fit one message. */
	withdraw_all = true;
	mark_all(&o);
	flush(&o);
	assert_int_equal(withdrawn, N_PREFIXES - 1);
	assert_int_equal(messages, 1);
	assert_int_equal(o.count[BGP_AF_IPV4_UNICAST], 0);

	/* The session ends with routes out and queued: all forgotten. */
	withdraw_all = false;
	mark_all(&o);
	flush(&o);
	mark_all(&o);
	adjout_free(&o, &rib);
	for (size_t pos = 0; (e = rib_next(&rib, &pos)) != NULL;)
		assert_int_equal(e->held, 0);
	rib_flush(&rib, &source);
	assert_int_equal(rib.entries.count, 0);
	for (int k = 0; k < N_SETS; k++)
		attrset_unref(table, sets[k]);
	assert_int_equal(table->sets.count, 0);
	rib_free(&rib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packing_and_differences),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
