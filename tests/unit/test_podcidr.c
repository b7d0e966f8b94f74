/*
 * PodCIDR allocation: every case under tests/golden/cp/podcidr (pool.txt
 * holds "POOL MASKLEN", nodes.yaml the Nodes, expected.json the answer;
 * KBGP_GOLDEN_UPDATE=1 rewrites the expected files), and the cases a golden
 * file does not need: a mask that does not fit, a pool too large to list.
 */
#include <dirent.h>
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

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, out);
	fclose(out);
	fclose(f);
	return text;
}

static json_t *run(const char *nodes, const char *pool_text, uint8_t mask_len)
{
	struct k8s_world w;
	struct bgp_prefix pool;
	k8s_world_init(&w);
	k8s_world_load(&w, "nodes.yaml", nodes);
	char *errors = k8s_world_errors(&w);
	assert_string_equal(errors, "");
	free(errors);
	assert_int_equal(bgp_prefix_parse(pool_text, &pool), 0);
	json_t *out = cp_podcidr(&w.store, &pool, mask_len);
	assert_non_null(out);
	k8s_world_free(&w);
	return out;
}

/* Compare with expected.json, or rewrite it under KBGP_GOLDEN_UPDATE=1. */
static void check_golden(const char *dir, const char *got)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	const char *update = getenv("KBGP_GOLDEN_UPDATE");
	if (update != NULL && strcmp(update, "1") == 0) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", got);
		fclose(f);
		return;
	}
	char *want = read_file(path);
	if (want == NULL)
		fail_msg("%s missing; run with KBGP_GOLDEN_UPDATE=1", path);
	size_t len = strlen(want);
	if (len > 0 && want[len - 1] == '\n')
		want[len - 1] = '\0';
	if (strcmp(got, want) != 0)
		fail_msg("%s differs; got:\n%s", path, got);
	free(want);
}

static void run_case(const char *dir)
{
	char path[1024], pool[64];
	unsigned mask_len;
	snprintf(path, sizeof(path), "%s/pool.txt", dir);
	char *args = read_file(path);
	assert_non_null(args);
	assert_int_equal(sscanf(args, "%63s %u", pool, &mask_len), 2);
	snprintf(path, sizeof(path), "%s/nodes.yaml", dir);
	char *nodes = read_file(path);
	assert_non_null(nodes);
	json_t *out = run(nodes, pool, (uint8_t)mask_len);
	char *got = json_dumps(out, JSON_SORT_KEYS | JSON_INDENT(2));
	check_golden(dir, got);
	free(got);
	json_decref(out);
	free(nodes);
	free(args);
}

static int case_dir(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static void test_golden_cases(void **state)
{
	(void)state;
	const char *root = KBGP_CP_GOLDEN_DIR "/podcidr";
	struct dirent **names;
	int n = scandir(root, &names, case_dir, alphasort);
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s/%s", root, names[i]->d_name);
		print_message("podcidr case %s\n", names[i]->d_name);
		run_case(dir);
		free(names[i]);
	}
	free(names);
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
