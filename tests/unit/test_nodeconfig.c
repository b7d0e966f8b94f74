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
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "cp/nodeconfig.h"
#include "k8s_fixture.h"

#define CASES_DIR   KBGP_CP_GOLDEN_DIR "/nodeconfig"
#define DEFAULT_NOW "2025-08-01T12:00:00Z"

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *text = NULL;
	size_t cap = 0;
	ssize_t len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (len < 0) {
		free(text);
		return strdup("");
	}
	return text;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n >= k && strcmp(name + n - k, suffix) == 0;
}

static void load_text(struct k8s_world *w, const char *file, const char *text)
{
	if (k8s_world_load(w, file, text) != 0 || w->set.n_errors != 0) {
		char *errors = k8s_world_errors(w);
		fail_msg("%s refused:\n%s", file, errors);
	}
}

/* Every *.yaml of dir, in name order. */
static void load_case(struct k8s_world *w, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (has_suffix(names[i]->d_name, ".yaml")) {
			char *text = read_text(path);
			assert_non_null(text);
			load_text(w, path, text);
			free(text);
		}
		free(names[i]);
	}
	free(names);
}

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

static char *dump(const json_t *j)
{
	char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
	assert_non_null(text);
	size_t len = strlen(text);
	char *line = realloc(text, len + 2);
	assert_non_null(line);
	strcpy(line + len, "\n");
	return line;
}

/* true when the case's answer is expected.json (or was rewritten). */
static bool run_case(const char *name)
{
	char dir[512], path[600];
	snprintf(dir, sizeof(dir), "%s/%s", CASES_DIR, name);
	snprintf(path, sizeof(path), "%s/expected.json", dir);
	struct k8s_world w;
	struct cp_operator_cfg cfg;
	k8s_world_init(&w);
	load_case(&w, dir);
	json_t *keep = case_cfg(dir, &cfg);
	json_t *out = cp_node_configs(&w.store, &cfg);
	assert_non_null(out);
	char *got = dump(out), *want = NULL;
	bool same = true;
	if (getenv("KBGP_GOLDEN_UPDATE") != NULL) {
		write_text(path, got);
	} else {
		want = read_text(path);
		same = want != NULL && strcmp(got, want) == 0;
		if (!same)
			fprintf(stderr, "%s: got\n%s", name, got);
	}
	free(got);
	free(want);
	json_decref(out);
	json_decref(keep);
	k8s_world_free(&w);
	return same;
}

static bool is_dir(const char *name)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof(path), "%s/%s", CASES_DIR, name);
	return name[0] != '.' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_golden(void **state)
{
	(void)state;
	struct dirent **names;
	int n = scandir(CASES_DIR, &names, NULL, alphasort), cases = 0, failed = 0;
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (is_dir(names[i]->d_name)) {
			cases++;
			failed += !run_case(names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	assert_true(cases > 0);
	if (failed > 0)
		fail_msg("%d of %d cases differ from expected.json", failed, cases);
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
		load_text(w, "seed", text);
		free(text);
		json_decref(root);
	}
	size_t i;
	json_t *nc;
	json_array_foreach(json_object_get(last, "nodeConfigs"), i, nc)
	{
		char *text = json_dumps(nc, 0);
		load_text(w, "state", text);
		free(text);
	}
}

static void assert_json_equal(const json_t *got, const json_t *want)
{
	if (json_equal(got, want))
		return;
	char *g = dump(got), *w = dump(want);
	fprintf(stderr, "got\n%swant\n%s", g, w);
	fail();
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
	load_case(&seed, CASES_DIR "/seed");
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
	assert_json_equal(json_array_get(ncs, 1),
	                  json_array_get(json_object_get(answer[0], "nodeConfigs"), 2));
	/* Still a matching node, no missing PeerConfig: nothing changed. */
	assert_json_equal(json_object_get(answer[1], "clusterConfigs"),
	                  json_object_get(answer[0], "clusterConfigs"));

	/* ... and back to true: the same three NodeConfigs as at first. */
	k8s_world_init(&w[1]);
	load_state(&w[1], &seed, "true", answer[1]);
	cfg.now = story_times[2];
	answer[2] = cp_node_configs(&w[1].store, &cfg);
	assert_json_equal(answer[2], answer[0]);

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
