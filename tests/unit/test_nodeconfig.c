/*
 * The operator's CiliumBGPNodeConfigs and conditions (src/cp/nodeconfig.c).
 *
 * Golden cases: tests/golden/cp/nodeconfig/CASE/ holds input manifests
 * (every *.yaml, loaded in name order), optionally operator.json (the
 * operator's flags: statusReport, routerIDAllocation {mode, ipPool},
 * secretsNamespace, now), and expected.json, the answer as
 * json_dumps(JSON_SORT_KEYS | JSON_INDENT(2)).  KBGP_GOLDEN_UPDATE=1
 * rewrites expected.json from the code instead: review every change.
 *
 * Then the seed's maintenance story with the operator's output read back
 * as its state: k8s-w0 relabelled loses its NodeConfig, relabelled back
 * gets the same one again, and unchanged conditions keep their time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/nodeconfig.h"
#include "k8s_fixture.h"

#define CASES_DIR   KBGP_CP_GOLDEN_DIR "/nodeconfig"
#define DEFAULT_NOW "2025-08-01T12:00:00Z"

/* operator.json, or the defaults (Helm's, at a fixed time). */
static json_t *case_cfg(const char *dir, struct cp_operator_cfg *cfg)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/operator.json", dir);
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	*cfg = (struct cp_operator_cfg){ .status_report = true, .now = DEFAULT_NOW };
	if (j == NULL)
		return NULL;
	json_t *status_report = json_object_get(j, "statusReport");
	const json_t *rid = json_object_get(j, "routerIDAllocation");
	const char *mode = json_string_value(json_object_get(rid, "mode"));
	const char *pool = json_string_value(json_object_get(rid, "ipPool"));
	if (status_report != NULL)
		cfg->status_report = json_is_true(status_report);
	cfg->router_id_pool = mode != NULL && strcmp(mode, "ip-pool") == 0;
	if (pool != NULL)
		assert_int_equal(bgp_prefix_parse(pool, &cfg->router_id_cidr), 0);
	cfg->secrets_ns = json_string_value(json_object_get(j, "secretsNamespace"));
	if (json_object_get(j, "now") != NULL)
		cfg->now = json_string_value(json_object_get(j, "now"));
	return j; /* owns the strings cfg points at */
}

static void run_case(const char *dir, void *ctx)
{
	struct k8s_world w;
	struct cp_operator_cfg cfg;

	(void)ctx;
	k8s_world_init(&w);
	k8s_golden_load(&w, dir);
	json_t *keep = case_cfg(dir, &cfg);
	json_t *out = cp_node_configs(&w.store, &cfg);
	assert_non_null(out);
	k8s_golden_check(dir, "expected.json", out);
	json_decref(out);
	json_decref(keep);
	k8s_world_free(&w);
}

static void test_golden(void **state)
{
	(void)state;
	k8s_golden_cases(CASES_DIR, run_case, NULL);
}

/* ---- the operator's output as its next input ---- */

static const char *const story_times[] = { "2025-08-01T10:00:00Z", "2025-08-01T11:00:00Z",
	                                   "2025-08-01T12:00:00Z" };

/* The seed's objects with k8s-w0 labelled enable-bgp=w0_label, and what
 * the operator wrote last: statuses and NodeConfigs. */
static void load_state(struct k8s_world *w, const struct k8s_world *seed, const char *w0_label,
                       const json_t *last)
{
	for (size_t i = 0; i < seed->n_objs; i++) {
		const struct k8s_object *o = &seed->objs[i];
		json_t *root = json_deep_copy(o->src->root);
		if (o->kind == K8S_NODE && strcmp(o->meta.name, "k8s-w0") == 0)
			json_object_set_new(
			        json_object_get(json_object_get(root, "metadata"), "labels"),
			        "enable-bgp", json_string(w0_label));
		const char *statuses = o->kind == K8S_BGP_CLUSTER_CONFIG ? "clusterConfigs"
		                       : o->kind == K8S_BGP_PEER_CONFIG  ? "peerConfigs"
		                                                         : NULL;
		if (statuses != NULL)
			json_object_set(
			        root, "status",
			        json_object_get(json_object_get(last, statuses), o->meta.name));
		char *text = json_dumps(root, 0);
		k8s_world_load_clean(w, "seed", text);
		free(text);
		json_decref(root);
	}
	size_t i;
	json_t *nc;
	json_array_foreach(json_object_get(last, "nodeConfigs"), i, nc)
	{
		char *text = json_dumps(nc, 0);
		k8s_world_load_clean(w, "state", text);
		free(text);
	}
}

static const char *node_config_name(const json_t *answer, size_t i)
{
	const json_t *nc = json_array_get(json_object_get(answer, "nodeConfigs"), i);
	return json_string_value(json_object_get(json_object_get(nc, "metadata"), "name"));
}

static void test_seed_maintenance(void **state)
{
	(void)state;
	struct k8s_world seed, w[2];
	struct cp_operator_cfg cfg = { .status_report = true, .now = story_times[0] };
	k8s_world_init(&seed);
	k8s_golden_load(&seed, CASES_DIR "/seed");
	json_t *answer[3];
	answer[0] = cp_node_configs(&seed.store, &cfg);
	assert_int_equal(json_array_size(json_object_get(answer[0], "nodeConfigs")), 3);

	/* kubectl label node k8s-w0 enable-bgp=false */
	k8s_world_init(&w[0]);
	load_state(&w[0], &seed, "false", answer[0]);
	cfg.now = story_times[1];
	answer[1] = cp_node_configs(&w[0].store, &cfg);
	const json_t *ncs = json_object_get(answer[1], "nodeConfigs");
	assert_int_equal(json_array_size(ncs), 2);
	assert_string_equal(node_config_name(answer[1], 0), "k8s-cp");
	assert_string_equal(node_config_name(answer[1], 1), "k8s-w1");
	k8s_assert_json_equal(json_array_get(ncs, 1),
	                      json_array_get(json_object_get(answer[0], "nodeConfigs"), 2));
	/* Still a matching node, no missing PeerConfig: nothing changed. */
	k8s_assert_json_equal(json_object_get(answer[1], "clusterConfigs"),
	                      json_object_get(answer[0], "clusterConfigs"));

	/* ... and back to true: the same three NodeConfigs as at first, but
	 * k8s-w0's is a new object, created now. */
	k8s_world_init(&w[1]);
	load_state(&w[1], &seed, "true", answer[1]);
	cfg.now = story_times[2];
	answer[2] = cp_node_configs(&w[1].store, &cfg);
	json_t *w0_meta[2];
	for (size_t i = 0; i < 2; i++)
		w0_meta[i] = json_object_get(
		        json_array_get(json_object_get(answer[i == 0 ? 0 : 2], "nodeConfigs"), 1),
		        "metadata");
	assert_string_equal(json_string_value(json_object_get(w0_meta[1], "creationTimestamp")),
	                    story_times[2]);
	json_object_set(w0_meta[1], "creationTimestamp",
	                json_object_get(w0_meta[0], "creationTimestamp"));
	k8s_assert_json_equal(answer[2], answer[0]);

	for (size_t i = 0; i < 3; i++)
		json_decref(answer[i]);
	k8s_world_free(&w[1]);
	k8s_world_free(&w[0]);
	k8s_world_free(&seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_seed_maintenance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
