/*
 * PodCIDR allocation: every case under tests/golden/cp/podcidr (pool.txt
 * holds "POOL MASKLEN", nodes.yaml the Nodes, expected.json the answer;
 * KBGP_GOLDEN_UPDATE=1 rewrites the expected files), and the cases a golden
 * file does not need: a mask that does not fit, a pool too large to list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/podcidr.h"
#include "k8s_fixture.h"
#include "testlib.h"

static json_t *allocate(const struct k8s_world *w, const char *pool_text, uint8_t mask_len)
{
	struct bgp_prefix pool;
	assert_int_equal(bgp_prefix_parse(pool_text, &pool), 0);
	json_t *out = cp_podcidr(&w->store, &pool, mask_len);
	assert_non_null(out);
	return out;
}

static json_t *run(const char *nodes, const char *pool_text, uint8_t mask_len)
{
	struct k8s_world w;
	k8s_world_init(&w);
	k8s_world_load_clean(&w, "nodes.yaml", nodes);
	json_t *out = allocate(&w, pool_text, mask_len);
	k8s_world_free(&w);
	return out;
}

/* pool.txt: "POOL MASKLEN". */
static void read_pool(const char *dir, char *pool, unsigned *mask_len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/pool.txt", dir);
	char *args = tl_read_file(path, NULL);
	if (args == NULL)
		fail_msg("%s missing", path);
	assert_int_equal(sscanf(args, "%63s %u", pool, mask_len), 2);
	free(args);
}

static void run_case(const char *dir, void *ctx)
{
	struct k8s_world w;
	char pool[64];
	unsigned mask_len;

	(void)ctx;
	read_pool(dir, pool, &mask_len);
	k8s_world_init(&w);
	k8s_golden_load(&w, dir);
	json_t *out = allocate(&w, pool, (uint8_t)mask_len);
	k8s_golden_check(dir, "expected.json", out);
	json_decref(out);
	k8s_world_free(&w);
}

static void test_golden_cases(void **state)
{
	(void)state;
	k8s_golden_cases(KBGP_CP_GOLDEN_DIR "/podcidr", run_case, NULL);
}

#define TWO_NODES                                                                                  \
	"apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\n"                                   \
	"apiVersion: v1\nkind: Node\nmetadata: {name: b}\nspec: {podCIDRs: [10.1.0.0/24]}\n"

static void test_mask_must_fit(void **state)
{
	(void)state;
	json_t *out = run(TWO_NODES, "10.0.0.0/16", 12);
	const json_t *nodes = json_object_get(out, "nodes");
	assert_int_equal(json_array_size(json_object_get(nodes, "a")), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(nodes, "b"), 0)),
	                    "10.1.0.0/24");
	assert_string_equal(json_string_value(json_array_get(json_object_get(out, "errors"), 0)),
	                    "a /12 block does not fit in the pool 10.0.0.0/16");
	json_decref(out);
}

/* An IPv6 /0 cut into /64s: the answer is arithmetic, not a list. */
static void test_huge_pool(void **state)
{
	(void)state;
	json_t *out = run("apiVersion: v1\nkind: Node\nmetadata: {name: a}\n"
	                  "spec: {podCIDRs: [\"::/1\"]}\n---\n"
	                  "apiVersion: v1\nkind: Node\nmetadata: {name: b}\n",
	                  "::/0", 64);
	const json_t *b = json_object_get(json_object_get(out, "nodes"), "b");
	assert_string_equal(json_string_value(json_array_get(b, 0)), "8000::/64");
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_cases),
		cmocka_unit_test(test_mask_must_fit),
		cmocka_unit_test(test_huge_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
