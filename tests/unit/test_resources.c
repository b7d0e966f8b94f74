/*
 * kubectl's views (ctl/resources) over the fixture directory
 * tests/golden/resources/in read as kbgpctl reads one (kbgpctl/local:
 * manifests, with the operator's and the agents' files of its
 * .kbgp-state merged on), at a fixed "now": each view's stdout against a
 * golden file there (KBGP_GOLDEN_UPDATE=1 rewrites them), and its stderr
 * and exit status here.  Also kubectl's ages, its resource words, its
 * messages for nothing found, and the agents' sockets.
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

#include "ctl/resources.h"
#include "kbgpctl/local.h"
#include "testlib.h"

#ifndef KBGP_RESOURCES_GOLDEN_DIR
#define KBGP_RESOURCES_GOLDEN_DIR KBGP_VECTORS_DIR "/../golden/resources"
#endif
#define IN_DIR    KBGP_RESOURCES_GOLDEN_DIR "/in"
#define STATE_DIR IN_DIR "/.kbgp-state"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* 2025-01-10T12:00:00Z: the fixture's timestamps are counted from it. */
#define NOW ((time_t)1736510400)

/* ---- running a view ---- */

struct run {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
};

static struct run get(const struct k8s_store *s, struct res_query q)
{
	struct run r = { 0 };
	FILE *out = open_memstream(&r.out, &r.out_len);
	FILE *err = open_memstream(&r.err, &r.err_len);
	assert_non_null(out);
	assert_non_null(err);
	q.now = NOW;
	r.rc = res_get(out, err, s, &q);
	fclose(out);
	fclose(err);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static bool golden_update(void)
{
	const char *update = getenv("KBGP_GOLDEN_UPDATE");
	return update != NULL && strcmp(update, "1") == 0;
}

/* The first line where got and the golden file part, with line ends as '$'. */
static void assert_golden(const char *name, const char *got)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", KBGP_RESOURCES_GOLDEN_DIR, name);
	if (golden_update()) {
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(got, f);
		assert_int_equal(fclose(f), 0);
		return;
	}
	char *want = tl_read_file(path, NULL);
	if (want == NULL)
		fail_msg("%s missing; got:\n%s", path, got);
	size_t i = 0, line = 1, start = 0;
	while (got[i] != '\0' && got[i] == want[i])
		if (got[i++] == '\n') {
			line++;
			start = i;
		}
	if (got[i] != want[i])
		fail_msg("%s, line %zu:\n  want %.*s$\n  got  %.*s$\n(KBGP_GOLDEN_UPDATE=1 "
		         "rewrites it)",
		         name, line, (int)strcspn(want + start, "\n"), want + start,
		         (int)strcspn(got + start, "\n"), got + start);
	free(want);
}

/* ---- the fixture directory ---- */

static struct k8s_catalog *fixture;
static char *fixture_warnings;

static int load_fixture(void **state)
{
	size_t len;
	FILE *err = open_memstream(&fixture_warnings, &len);
	(void)state;
	fixture = local_load(IN_DIR, STATE_DIR, err);
	fclose(err);
	return fixture == NULL ? -1 : 0;
}

static int free_fixture(void **state)
{
	(void)state;
	k8s_catalog_free(fixture);
	free(fixture_warnings);
	return 0;
}

/* A bad edit is a warning; the file's good objects and the others stay. */
static void test_fixture_warnings(void **state)
{
	(void)state;
	assert_non_null(strstr(fixture_warnings, "Warning: " IN_DIR "/broken.yaml:8:"));
	assert_null(strstr(fixture_warnings, "nodeconfigs.json"));
	assert_null(strstr(fixture_warnings, "status.json"));
	assert_null(k8s_store_get(k8s_catalog_store(fixture), K8S_LB_IP_POOL, NULL, "broken-pool"));
}

struct golden_case {
	const char *golden;
	struct res_query q;
};

static const struct golden_case golden_cases[] = {
	{ "nodeconfigs.txt", { .kind = K8S_BGP_NODE_CONFIG } },
	{ "ippools.txt", { .kind = K8S_LB_IP_POOL } },
	{ "services.txt", { .kind = K8S_SERVICE, .ns = "default" } },
	{ "services-all.txt", { .kind = K8S_SERVICE, .all_namespaces = true } },
	{ "service-lb-dual.txt", { .kind = K8S_SERVICE, .name = "lb-dual" } },
	{ "nodes.txt", { .kind = K8S_NODE } },
	/* status overlays: the operator's for pools, the agents' for NodeConfigs */
	{ "ippool-blue.json", { .kind = K8S_LB_IP_POOL, .name = "blue-pool", .output = RES_JSON } },
	{ "nodeconfigs.json", { .kind = K8S_BGP_NODE_CONFIG, .output = RES_JSON } },
	{ "services-kube-system.yaml",
	  { .kind = K8S_SERVICE, .ns = "kube-system", .output = RES_YAML } },
};

static void test_golden_views(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(golden_cases); i++) {
		struct run r = get(k8s_catalog_store(fixture), golden_cases[i].q);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.err, "");
		assert_golden(golden_cases[i].golden, r.out);
		run_free(&r);
	}
}

/* ---- nothing found ---- */

static void assert_get(const struct k8s_store *s, struct res_query q, int rc, const char *out,
                       const char *err)
{
	struct run r = get(s, q);
	assert_int_equal(r.rc, rc);
	assert_string_equal(r.out, out);
	assert_string_equal(r.err, err);
	run_free(&r);
}

static void test_nothing_found(void **state)
{
	struct k8s_store empty;
	(void)state;
	k8s_store_init(&empty);
	assert_get(&empty, (struct res_query){ .kind = K8S_BGP_NODE_CONFIG }, 0, "",
	           "No resources found\n");
	assert_get(&empty, (struct res_query){ .kind = K8S_SERVICE }, 0, "",
	           "No resources found in default namespace.\n");
	assert_get(&empty, (struct res_query){ .kind = K8S_SERVICE, .all_namespaces = true }, 0, "",
	           "No resources found\n");
	assert_get(k8s_catalog_store(fixture),
	           (struct res_query){ .kind = K8S_LB_IP_POOL, .ns = "elsewhere" }, 0,
	           "NAME            DISABLED   CONFLICTING   IPS AVAILABLE   AGE\n"
	           "blue-pool       false      False         254             2s\n"
	           "disabled-pool   true                                     35d\n"
	           "red-pool        false      True          128             2d\n",
	           ""); /* cluster-scoped: -n does not apply */
	assert_get(k8s_catalog_store(fixture),
	           (struct res_query){ .kind = K8S_SERVICE, .ns = "elsewhere" }, 0, "",
	           "No resources found in elsewhere namespace.\n");
	/* -o json prints the empty List, and so no message */
	assert_get(&empty, (struct res_query){ .kind = K8S_NODE, .output = RES_JSON }, 0,
	           "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n"
	           "    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n",
	           "");
	k8s_store_free(&empty);
}

static void test_not_found(void **state)
{
	const struct k8s_store *s = k8s_catalog_store(fixture);
	(void)state;
	assert_get(s, (struct res_query){ .kind = K8S_LB_IP_POOL, .name = "x" }, 1, "",
	           "Error from server (NotFound): ciliumloadbalancerippools.cilium.io \"x\" not "
	           "found\n");
	assert_get(s, (struct res_query){ .kind = K8S_BGP_NODE_CONFIG, .name = "node-z" }, 1, "",
	           "Error from server (NotFound): ciliumbgpnodeconfigs.cilium.io \"node-z\" not "
	           "found\n");
	/* dns lives in kube-system, not in the namespace asked */
	assert_get(s, (struct res_query){ .kind = K8S_SERVICE, .name = "dns", .output = RES_JSON },
	           1, "", "Error from server (NotFound): services \"dns\" not found\n");
	assert_get(s, (struct res_query){ .kind = K8S_NODE, .name = "node-z" }, 1, "",
	           "Error from server (NotFound): nodes \"node-z\" not found\n");
	assert_get(s,
	           (struct res_query){ .kind = K8S_SERVICE, .name = "web", .all_namespaces = true },
	           1, "", "error: a resource cannot be retrieved by name across all namespaces\n");
}

/* ---- words and ages ---- */

static void test_resource_words(void **state)
{
	static const struct {
		const char *word;
		int kind;
	} cases[] = {
		{ "ciliumbgpnodeconfigs", K8S_BGP_NODE_CONFIG },
		{ "ciliumbgpnodeconfig", K8S_BGP_NODE_CONFIG },
		{ "cbgpnode", K8S_BGP_NODE_CONFIG },
		{ "nodeconfigs", K8S_BGP_NODE_CONFIG },
		{ "ciliumbgpnodeconfigs.cilium.io", K8S_BGP_NODE_CONFIG },
		{ "CiliumBGPNodeConfig", K8S_BGP_NODE_CONFIG },
		{ "ciliumloadbalancerippools", K8S_LB_IP_POOL },
		{ "ciliumloadbalancerippools.cilium.io", K8S_LB_IP_POOL },
		{ "lbippools", K8S_LB_IP_POOL },
		{ "lbippool", K8S_LB_IP_POOL },
		{ "ippools", K8S_LB_IP_POOL },
		{ "ippool", K8S_LB_IP_POOL },
		{ "services", K8S_SERVICE },
		{ "service", K8S_SERVICE },
		{ "svc", K8S_SERVICE },
		{ "nodes", K8S_NODE },
		{ "node", K8S_NODE },
		{ "no", K8S_NODE },
		{ "pods", -1 },
		{ "ciliumbgpnodeconfigs.cilium", -1 },
		{ "services.cilium.io", -1 },
		{ "ippools.cilium.io", -1 }, /* kubectl qualifies the plural only */
		{ "", -1 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (res_kind_of(cases[i].word) != cases[i].kind)
			fail_msg("%s: want %d, got %d", cases[i].word, cases[i].kind,
			         res_kind_of(cases[i].word));
	}
}

/* apimachinery's duration.HumanDuration, boundary by boundary. */
static void test_age(void **state)
{
	static const struct {
		long long seconds_ago;
		const char *want;
	} cases[] = {
		{ -2, "<invalid>" },     { -1, "0s" },        { 0, "0s" },
		{ 119, "119s" },         { 120, "2m" },       { 356, "5m56s" },
		{ 599, "9m59s" },        { 600, "10m" },      { 10799, "179m" },
		{ 10800, "3h" },         { 12300, "3h25m" },  { 28799, "7h59m" },
		{ 28800, "8h" },         { 172799, "47h" },   { 172800, "2d" },
		{ 190800, "2d5h" },      { 691199, "7d23h" }, { 691200, "8d" },
		{ 63071999, "729d" },    { 63072000, "2y" },  { 63331200, "2y3d" },
		{ 252287999, "7y364d" }, { 252288000, "8y" },
	};
	char age[RES_AGE_MAX], stamp[32];
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		time_t t = NOW - (time_t)cases[i].seconds_ago;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		res_age(stamp, NOW, age);
		if (strcmp(age, cases[i].want) != 0)
			fail_msg("%llds ago: want %s, got %s", cases[i].seconds_ago, cases[i].want,
			         age);
	}
}

static void test_age_timestamps(void **state)
{
	char age[RES_AGE_MAX];
	(void)state;
	res_age(NULL, NOW, age);
	assert_string_equal(age, "<unknown>");
	res_age("2025-01-10T11:59:00.123456Z", NOW, age);
	assert_string_equal(age, "60s");
	res_age("2025-01-10T13:59:00+02:00", NOW, age);
	assert_string_equal(age, "60s");
	res_age("2025-01-10T06:29:00-05:30", NOW, age);
	assert_string_equal(age, "60s");
	res_age("2025-01-10", NOW, age);
	assert_string_equal(age, "<invalid>");
	res_age("2025-01-10T11:59:00", NOW, age);
	assert_string_equal(age, "<invalid>");
	res_age("2025-01-10T11:59:00Zjunk", NOW, age);
	assert_string_equal(age, "<invalid>");
}

/* ---- the agents' sockets ---- */

static void test_agents(void **state)
{
	struct local_agent agents[4];
	(void)state;
	assert_int_equal(local_agents(STATE_DIR, agents, ARRAY_SIZE(agents)), 2);
	assert_string_equal(agents[0].node, "node-a");
	assert_string_equal(agents[0].socket, "/run/kbgp/node-a/agent.sock");
	assert_string_equal(agents[1].node, "node-b");
	assert_string_equal(agents[1].socket, "/run/kbgp/node-b/agent.sock");
	/* too many for the room: counted, not written past it */
	assert_int_equal(local_agents(STATE_DIR, agents, 1), 2);
	assert_int_equal(local_agents(IN_DIR "/no-such-state", agents, ARRAY_SIZE(agents)), 0);
}

static void test_state_dir(void **state)
{
	char dir[64];
	(void)state;
	local_state_dir("/srv/m", NULL, dir, sizeof(dir));
	assert_string_equal(dir, "/srv/m/.kbgp-state");
	local_state_dir("/srv/m", "/var/lib/kbgp", dir, sizeof(dir));
	assert_string_equal(dir, "/var/lib/kbgp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_warnings), cmocka_unit_test(test_golden_views),
		cmocka_unit_test(test_nothing_found),    cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_resource_words),   cmocka_unit_test(test_age),
		cmocka_unit_test(test_age_timestamps),   cmocka_unit_test(test_agents),
		cmocka_unit_test(test_state_dir),
	};
	return cmocka_run_group_tests(tests, load_fixture, free_fixture);
}
