/*
 * LB-IPAM: every case under tests/golden/cp/lbipam (its *.yaml manifests in,
 * expected.json out; KBGP_GOLDEN_UPDATE=1 rewrites the expected files), and
 * the properties a golden file cannot show: the seed's counters, a second
 * reconcile over the written statuses changes nothing, and counts of pools
 * too large to list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/lbipam.h"
#include "k8s_fixture.h"

#define NOW   "2025-01-01T00:00:00Z"
#define LATER "2025-01-02T00:00:00Z"

static json_t *run(const char *text, const char *now)
{
	struct k8s_world w;
	k8s_world_init(&w);
	k8s_world_load_clean(&w, "test.yaml", text);
	json_t *out = cp_lbipam(&w.store, now);
	assert_non_null(out);
	k8s_world_free(&w);
	return out;
}

static void run_case(const char *dir, void *ctx)
{
	struct k8s_world w;

	(void)ctx;
	k8s_world_init(&w);
	k8s_golden_load(&w, dir);
	json_t *out = cp_lbipam(&w.store, NOW);
	assert_non_null(out);
	k8s_golden_check(dir, "expected.json", out);
	json_decref(out);
	k8s_world_free(&w);
}

static void test_golden_cases(void **state)
{
	(void)state;
	k8s_golden_cases(KBGP_CP_GOLDEN_DIR "/lbipam", run_case, NULL);
}

static const char *cond_field(const json_t *status, const char *type, const char *field)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(status, "conditions"), i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
			return json_string_value(json_object_get(c, field));
	}
	fail_msg("no condition %s", type);
	return NULL;
}

static const char *first_ip(const json_t *out, const char *svc)
{
	const json_t *status = json_object_get(json_object_get(out, "services"), svc);
	const json_t *ingress = json_object_get(json_object_get(status, "loadBalancer"), "ingress");
	return json_string_value(json_object_get(json_array_get(ingress, 0), "ip"));
}

static const char *pool_count(const json_t *out, const char *pool, const char *type)
{
	const json_t *status = json_object_get(json_object_get(out, "pools"), pool);
	return cond_field(status, type, "message");
}

#define SEED_POOL                                                                                  \
	"apiVersion: cilium.io/v2\n"                                                               \
	"kind: CiliumLoadBalancerIPPool\n"                                                         \
	"metadata: {name: cilium-pool}\n"                                                          \
	"spec:\n"                                                                                  \
	"  allowFirstLastIPs: \"No\"\n"                                                            \
	"  blocks: [{cidr: 172.16.1.0/24}]\n"

#define WEBPOD                                                                                     \
	"apiVersion: v1\n"                                                                         \
	"kind: Service\n"                                                                          \
	"metadata: {name: webpod, namespace: default, labels: {app: webpod}}\n"                    \
	"spec: {type: LoadBalancer, selector: {app: webpod}, ports: [{port: 80}]}\n"

/* The seed: IPS AVAILABLE 254, then 253 once webpod holds 172.16.1.1. */
static void test_seed_counts(void **state)
{
	(void)state;
	json_t *before = run(SEED_POOL, NOW);
	assert_string_equal(pool_count(before, "cilium-pool", "cilium.io/IPsAvailable"), "254");
	json_t *after = run(SEED_POOL "---\n" WEBPOD, NOW);
	assert_string_equal(first_ip(after, "default/webpod"), "172.16.1.1");
	assert_string_equal(pool_count(after, "cilium-pool", "cilium.io/IPsAvailable"), "253");
	assert_string_equal(pool_count(after, "cilium-pool", "cilium.io/IPsTotal"), "256");
	assert_string_equal(pool_count(after, "cilium-pool", "cilium.io/IPsUsed"), "3");
	json_decref(before);
	json_decref(after);
}

/* The manifests again, each with the status the first pass wrote. */
static char *with_statuses(const char *text, const json_t *out)
{
	struct manifest_set set;
	manifest_set_init(&set, NULL);
	assert_int_equal(manifest_load(&set, "test.yaml", text, strlen(text)), 0);
	json_t *items = json_array();
	for (size_t i = 0; i < set.n_objs; i++) {
		const struct manifest_obj *o = &set.objs[i];
		json_t *copy = json_deep_copy(o->root);
		char key[256];
		snprintf(key, sizeof(key), "%s/%s", o->ns != NULL ? o->ns : "default", o->name);
		json_t *status = strcmp(o->kind, "Service") == 0
		                         ? json_object_get(json_object_get(out, "services"), key)
		                         : json_object_get(json_object_get(out, "pools"), o->name);
		if (status != NULL)
			json_object_set(copy, "status", status);
		json_array_append_new(items, copy);
	}
	json_t *list =
	        json_pack("{s:s, s:s, s:o}", "apiVersion", "v1", "kind", "List", "items", items);
	char *again = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	manifest_set_free(&set);
	return again;
}

/* Reconciling over what was written, later, changes nothing at all: the
 * addresses stay and so do the transition times. */
static void test_second_pass_is_stable(void **state)
{
	(void)state;
	const char *text = SEED_POOL "---\n" WEBPOD "---\n"
	                             "apiVersion: v1\n"
	                             "kind: Service\n"
	                             "metadata: {name: lonely, namespace: other}\n"
	                             "spec: {type: LoadBalancer, ipFamilyPolicy: SingleStack, "
	                             "ipFamilies: [IPv6]}\n";
	json_t *first = run(text, NOW);
	char *again = with_statuses(text, first);
	json_t *second = run(again, LATER);
	k8s_assert_json_equal(second, first);
	free(again);
	json_decref(first);
	json_decref(second);
}

/* A condition whose status flips takes the new time, and an address no
 * pool may give any more is dropped. */
static void test_transition_time_moves_on_change(void **state)
{
	(void)state;
	json_t *out = run("apiVersion: cilium.io/v2\n"
	                  "kind: CiliumLoadBalancerIPPool\n"
	                  "metadata: {name: elsewhere}\n"
	                  "spec: {blocks: [{cidr: 10.9.0.0/30}], serviceSelector: "
	                  "{matchLabels: {app: nothing}}}\n"
	                  "---\n" WEBPOD "status:\n"
	                  "  loadBalancer: {ingress: [{ip: 172.16.1.1}]}\n"
	                  "  conditions:\n"
	                  "  - {type: other/condition, status: \"True\", reason: r, message: m, "
	                  "lastTransitionTime: \"" NOW "\"}\n"
	                  "  - {type: io.cilium/lb-ipam-request-satisfied, status: \"True\", "
	                  "reason: satisfied, message: \"\", lastTransitionTime: \"" NOW "\"}\n",
	                  LATER);
	const json_t *status = json_object_get(json_object_get(out, "services"), "default/webpod");
	const char *type = "io.cilium/lb-ipam-request-satisfied";
	assert_string_equal(cond_field(status, type, "status"), "False");
	assert_string_equal(cond_field(status, type, "reason"), "no_pool");
	assert_string_equal(cond_field(status, type, "lastTransitionTime"), LATER);
	assert_string_equal(cond_field(status, "other/condition", "lastTransitionTime"), NOW);
	assert_null(first_ip(out, "default/webpod"));
	json_decref(out);
}

/* Counts are arithmetic: a /8 and an IPv6 /64, and IPv6's /0, beyond 2^64. */
static void test_large_pool_counts(void **state)
{
	(void)state;
	json_t *out = run("apiVersion: cilium.io/v2\n"
	                  "kind: CiliumLoadBalancerIPPool\n"
	                  "metadata: {name: big}\n"
	                  "spec: {allowFirstLastIPs: \"No\", blocks: [{cidr: 10.0.0.0/8}, "
	                  "{cidr: \"fd00::/64\"}]}\n"
	                  "---\n"
	                  "apiVersion: cilium.io/v2\n"
	                  "kind: CiliumLoadBalancerIPPool\n"
	                  "metadata: {name: huge}\n"
	                  "spec: {blocks: [{cidr: \"::/1\"}]}\n",
	                  NOW);
	/* 2^24 + 2^64, less the four reserved ends. */
	assert_string_equal(pool_count(out, "big", "cilium.io/IPsTotal"), "18446744073726328832");
	assert_string_equal(pool_count(out, "big", "cilium.io/IPsAvailable"),
	                    "18446744073726328828");
	assert_string_equal(pool_count(out, "huge", "cilium.io/IPsTotal"),
	                    "170141183460469231731687303715884105728");
	json_decref(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_cases),
		cmocka_unit_test(test_seed_counts),
		cmocka_unit_test(test_second_pass_is_stable),
		cmocka_unit_test(test_transition_time_moves_on_change),
		cmocka_unit_test(test_large_pool_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
