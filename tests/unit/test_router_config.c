/*
 * The BGPRouter manifest: the seed's frr.conf as a manifest decodes to what
 * FRR would do, defaults included, and every mistake is reported with file,
 * line, column, object and field, all in one run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl/yaml_out.h"
#include "router/config.h"
#include "router/config_json.h"

static char path[64];

static const char *write_manifest(const char *text)
{
	snprintf(path, sizeof(path), "/tmp/kbgp-router-config-%d.yaml", (int)getpid());
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load and return what was printed as errors (caller frees). */
static char *load(const char *text, struct router_config *c, int *rc)
{
	char *errors = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&errors, &len);
	*rc = router_config_load(write_manifest(text), c, out);
	fclose(out);
	unlink(path);
	return errors;
}

static void test_seed_router(void **state)
{
	(void)state;
	struct router_config c;
	int rc;
	char *errors = load("apiVersion: kbgp.io/v1alpha1\n"
	                    "kind: BGPRouter\n"
	                    "metadata: {name: router}\n"
	                    "spec:\n"
	                    "  localASN: 65000\n"
	                    "  routerID: 172.31.1.200\n"
	                    "  gracefulRestart: {enabled: true}\n"
	                    "  ebgpRequiresPolicy: false\n"
	                    "  bestPath: {asPathMultipathRelax: true}\n"
	                    "  maximumPaths: 4\n"
	                    "  networks: [\"10.10.1.0/24\"]\n"
	                    "  peerGroups:\n"
	                    "  - name: CILIUM\n"
	                    "    remoteASN: external\n"
	                    "    neighbors: [\"172.31.1.10\", \"172.31.1.11\", \"172.30.1.10\"]\n",
	                    &c, &rc);
	assert_string_equal(errors, "");
	assert_int_equal(rc, 0);
	assert_int_equal(c.asn, 65000);
	assert_int_equal(c.router_id, 0xac1f01c8);
	assert_true(c.graceful_restart);
	assert_int_equal(c.restart_time, 120);
	assert_int_equal(c.selection_deferral, 360);
	assert_string_equal(c.name, "router");
	assert_false(c.ebgp_requires_policy);
	assert_true(c.as_path_multipath_relax);
	assert_int_equal(c.maximum_paths, 4);
	assert_int_equal(c.n_networks, 1);
	assert_int_equal(c.listen_port, 179);
	assert_int_equal(c.n_listen, 2);
	assert_true(c.fib_install);
	assert_int_equal(c.fib.metric, 20);
	assert_int_equal(c.fib.table, 254);
	assert_int_equal(c.fib.protocol, 186);
	assert_true(c.fib.nexthop_objects);
	assert_int_equal(c.fib.hash_policy4, -1);
	assert_int_equal(c.n_groups, 1);
	const struct router_group *g = &c.groups[0];
	assert_string_equal(g->name, "CILIUM");
	assert_int_equal(g->as_kind, BGP_PEER_AS_EXTERNAL);
	assert_int_equal(g->n_neighbors, 3);
	assert_int_equal(g->hold_time, 180);
	assert_int_equal(g->connect_retry, 120);
	assert_int_equal(g->ebgp_multihop, 1);
	assert_int_equal(g->families, BGP_AF_BIT(BGP_AF_IPV4_UNICAST));
	assert_int_equal(g->peer_port, 179);
	free(errors);
	router_config_free(&c);
}

static void test_every_mistake_reported(void **state)
{
	(void)state;
	struct router_config c;
	int rc;
	char *errors = load("apiVersion: kbgp.io/v1alpha1\n"
	                    "kind: BGPRouter\n"
	                    "metadata: {name: r}\n"
	                    "spec:\n"
	                    "  gracefulRestart: {enabled: true, selectionDeferralSeconds: 0}\n"
	                    "  localASN: 0\n"
	                    "  routerID: 10.0.0.1\n"
	                    "  peerGroups:\n"
	                    "  - name: A\n"
	                    "    remoteASN: 65001\n"
	                    "    neighbors: [\"10.0.0.2\"]\n"
	                    "    ebgpMultihop: 2\n"
	                    "    ttlSecurityHops: 1\n"
	                    "    authPassword: x\n"
	                    "    authSecretRef: {file: /nonexistent}\n"
	                    "  - name: A\n"
	                    "    remoteASN: internal\n",
	                    &c, &rc);
	assert_int_equal(rc, -1);
	const char *want[] = {
		":5:62: BGPRouter/r: spec.gracefulRestart.selectionDeferralSeconds: must be in "
		"1..3600 (got 0)",
		":6:13: BGPRouter/r: spec.localASN: must be in 1..4294967295 (got 0)",
		":13:22: BGPRouter/r: spec.peerGroups[0].ttlSecurityHops: cannot be used with",
		"spec.peerGroups[0].authSecretRef: authPassword is already set",
		"spec.peerGroups[1]: needs neighbors or listenRanges",
		"spec.peerGroups: group name A used twice",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(errors, want[i]) == NULL)
			fail_msg("missing error \"%s\" in:\n%s", want[i], errors);
	free(errors);
}

static void test_name_fit_for_files(void **state)
{
	(void)state;
	struct router_config c;
	int rc;
	char *errors = load("apiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\n"
	                    "metadata: {name: ../etc}\n"
	                    "spec: {localASN: 65000, routerID: 10.0.0.1}\n",
	                    &c, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(
	        strstr(errors, "BGPRouter/../etc: metadata.name: must be 1..63 of a-z 0-9"));
	free(errors);
}

static void test_wrong_object(void **state)
{
	(void)state;
	struct router_config c;
	int rc;
	char *errors = load("apiVersion: cilium.io/v2\nkind: CiliumBGPPeerConfig\n"
	                    "metadata: {name: cilium-peer}\nspec: {}\n",
	                    &c, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(errors, "CiliumBGPPeerConfig/cilium-peer: kind: expected kind "
	                               "BGPRouter of kbgp.io/v1alpha1"));
	free(errors);
}

static void test_policies(void **state)
{
	(void)state;
	struct router_config c;
	int rc;
	char *errors =
	        load("apiVersion: kbgp.io/v1alpha1\n"
	             "kind: BGPRouter\n"
	             "metadata: {name: r}\n"
	             "spec:\n"
	             "  localASN: 65000\n"
	             "  routerID: 10.0.0.1\n"
	             "  policies:\n"
	             "  - name: PODS\n"
	             "    statements:\n"
	             "    - match:\n"
	             "        neighbors: [\"172.31.0.0/16\", \"172.30.1.10\"]\n"
	             "        prefixes: [{prefix: 172.20.0.0/16, minLength: 24, maxLength: 24}]\n"
	             "        communities: [\"65000:99\", no-export]\n"
	             "      set: {localPreference: 200, asPathPrepend: {asn: 65000, count: 2}}\n"
	             "      action: accept\n"
	             "  peerGroups:\n"
	             "  - name: NODES\n"
	             "    remoteASN: external\n"
	             "    neighbors: [\"172.31.1.10\"]\n"
	             "    importPolicies: [PODS]\n"
	             "    exportPolicies: [NOPE]\n",
	             &c, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(
	        strstr(errors, "spec.peerGroups[0].exportPolicies: no policy named \"NOPE\""));
	free(errors);

	errors = load("apiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\nmetadata: {name: r}\n"
	              "spec:\n  localASN: 65000\n  routerID: 10.0.0.1\n"
	              "  policies:\n  - name: ALL\n    statements: [{action: accept}]\n"
	              "  peerGroups:\n  - name: G\n    remoteASN: external\n"
	              "    neighbors: [\"10.0.0.2\"]\n    importPolicies: [ALL]\n",
	              &c, &rc);
	assert_string_equal(errors, "");
	assert_int_equal(rc, 0);
	assert_int_equal(c.n_policies, 1);
	assert_int_equal(c.groups[0].n_import_policies, 1);
	assert_ptr_equal(c.groups[0].import_policies[0], &c.policies[0]);
	assert_int_equal(c.policies[0].statements[0].verdict, POLICY_ACCEPT);
	free(errors);
	router_config_free(&c);
}

/* show running-config reads back as the same configuration. */
static void test_running_config_round_trip(void **state)
{
	(void)state;
	struct router_config c, back;
	int rc;
	char *errors = load(
	        "apiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\nmetadata: {name: rt}\n"
	        "spec:\n"
	        "  localASN: 65000\n  routerID: 10.0.0.1\n"
	        "  gracefulRestart: {enabled: true, restartTimeSeconds: 30}\n"
	        "  networks: [\"10.10.1.0/24\", \"fd10::/48\"]\n"
	        "  fib: {metric: 30, multipathHashPolicy: {ipv4: 1}}\n"
	        "  policies:\n"
	        "  - name: P\n"
	        "    statements:\n"
	        "    - name: s\n"
	        "      match: {prefixes: [{prefix: 10.0.0.0/8, minLength: 24, maxLength: 32}],\n"
	        "              communities: [\"65000:1\"], asPath: {neighborAS: 65001}}\n"
	        "      set: {localPreference: 200, addCommunities: [\"65000:2\"],\n"
	        "            asPathPrepend: {asn: 65000, count: 2}}\n"
	        "      action: accept\n"
	        "  peerGroups:\n"
	        "  - name: A\n    remoteASN: external\n"
	        "    neighbors: [\"10.0.0.2\", \"fd00::2\"]\n"
	        "    listenRanges: [\"10.1.0.0/16\"]\n"
	        "    families: [{afi: ipv4, safi: unicast}, {afi: ipv6, safi: unicast}]\n"
	        "    maxPrefixes: {limit: 100, restartSeconds: 60}\n"
	        "    importPolicies: [P]\n",
	        &c, &rc);
	assert_string_equal(errors, "");
	free(errors);
	json_t *first = router_config_json(&c);
	char *yaml = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&yaml, &len);
	assert_int_equal(yaml_write(out, first), 0);
	fclose(out);
	errors = load(yaml, &back, &rc);
	if (rc != 0)
		fail_msg("running-config does not load:\n%s\n%s", errors, yaml);
	json_t *second = router_config_json(&back);
	assert_true(json_equal(first, second));
	json_decref(first);
	json_decref(second);
	free(errors);
	free(yaml);
	router_config_free(&c);
	router_config_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_router),
		cmocka_unit_test(test_every_mistake_reported),
		cmocka_unit_test(test_wrong_object),
		cmocka_unit_test(test_name_fit_for_files),
		cmocka_unit_test(test_running_config_round_trip),
		cmocka_unit_test(test_policies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
