/*
 * The agent's desired state: every case under tests/golden/cp/advert (its
 * *.yaml manifests and node.txt in, expected.json out; KBGP_GOLDEN_UPDATE=1
 * rewrites the expected files), and what a golden file cannot show: the
 * derived chains route as Cilium's GoBGP would (export to the right peer
 * only, nothing received imported), and the digests a reload compares.
 *
 * node.txt: the node's name on the first line, then optional lines
 * "gateway4 ADDR", "gateway6 ADDR", "fib-import PREFIX" (repeatable) and
 * "secrets-namespace NS".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp/advert.h"
#include "k8s_fixture.h"

#define FIB_IMPORT_MAX 8

struct case_opts {
	struct cp_agent_opts o;
	char node[256], secrets_ns[256];
	struct bgp_prefix fib_import[FIB_IMPORT_MAX];
};

static void parse_opt_line(struct case_opts *c, const char *key, const char *value)
{
	struct cp_agent_opts *o = &c->o;
	if (strcmp(key, "gateway4") == 0) {
		o->has_gateway4 = addr_parse(value, 0, &o->gateway4) == 0;
		assert_true(o->has_gateway4);
	} else if (strcmp(key, "gateway6") == 0) {
		o->has_gateway6 = addr_parse(value, 0, &o->gateway6) == 0;
		assert_true(o->has_gateway6);
	} else if (strcmp(key, "fib-import") == 0) {
		assert_true(o->n_fib_import < FIB_IMPORT_MAX);
		assert_int_equal(bgp_prefix_parse(value, &c->fib_import[o->n_fib_import++]), 0);
	} else if (strcmp(key, "secrets-namespace") == 0) {
		snprintf(c->secrets_ns, sizeof(c->secrets_ns), "%s", value);
		o->secrets_ns = c->secrets_ns;
	} else {
		fail_msg("node.txt: unknown line %s", key);
	}
}

static void load_opts(const char *dir, struct case_opts *c)
{
	char path[1024], key[64], value[256];
	snprintf(path, sizeof(path), "%s/node.txt", dir);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s missing", path);
	memset(c, 0, sizeof(*c));
	assert_int_equal(fscanf(f, "%255s", c->node), 1);
	while (fscanf(f, "%63s %255s", key, value) == 2)
		parse_opt_line(c, key, value);
	fclose(f);
	c->o.node = c->node;
	c->o.fib_import = c->fib_import;
}

static void run_case(const char *dir, void *ctx)
{
	struct k8s_world w;
	struct case_opts c;
	struct cp_agent_desired d;

	(void)ctx;
	k8s_world_init(&w);
	k8s_golden_load(&w, dir);
	load_opts(dir, &c);
	assert_int_equal(cp_agent_derive(&w.store, &c.o, &d), 0);
	json_t *out = cp_agent_desired_json(&d);
	assert_non_null(out);
	k8s_golden_check(dir, "expected.json", out);
	json_decref(out);
	cp_agent_desired_free(&d);
	k8s_world_free(&w);
}

static void test_golden_cases(void **state)
{
	(void)state;
	k8s_golden_cases(KBGP_CP_GOLDEN_DIR "/advert", run_case, NULL);
}

/* ---- the derived configuration at work ---- */

#define SEED_OBJECTS                                                                               \
	"apiVersion: cilium.io/v2\n"                                                               \
	"kind: CiliumBGPNodeConfig\n"                                                              \
	"metadata: {name: k8s-w1}\n"                                                               \
	"spec:\n"                                                                                  \
	"  bgpInstances:\n"                                                                        \
	"  - name: instance-65001\n"                                                               \
	"    localASN: 65001\n"                                                                    \
	"    peers:\n"                                                                             \
	"    - {name: tor-switch, peerASN: 65000, peerAddress: 172.31.1.200,\n"                    \
	"       peerConfigRef: {name: cilium-peer}}\n"                                             \
	"---\n"                                                                                    \
	"apiVersion: cilium.io/v2\n"                                                               \
	"kind: CiliumBGPPeerConfig\n"                                                              \
	"metadata: {name: cilium-peer}\n"                                                          \
	"spec:\n"                                                                                  \
	"  families:\n"                                                                            \
	"  - {afi: ipv4, safi: unicast, advertisements: {matchLabels: {advertise: bgp}}}\n"        \
	"---\n"                                                                                    \
	"apiVersion: cilium.io/v2\n"                                                               \
	"kind: CiliumBGPAdvertisement\n"                                                           \
	"metadata: {name: bgp-advertisements, labels: {advertise: bgp}}\n"                         \
	"spec:\n"                                                                                  \
	"  advertisements:\n"                                                                      \
	"  - advertisementType: PodCIDR\n"                                                         \
	"    attributes: {communities: {standard: [\"65000:99\"]}}\n"                              \
	"---\n"                                                                                    \
	"apiVersion: v1\n"                                                                         \
	"kind: Node\n"                                                                             \
	"metadata: {name: k8s-w1}\n"                                                               \
	"spec: {podCIDRs: [172.20.1.0/24]}\n"                                                      \
	"status: {addresses: [{type: InternalIP, address: 172.31.1.11}]}\n"

static void derive(const char *text, const struct cp_agent_opts *o, struct k8s_world *w,
                   struct cp_agent_desired *d)
{
	k8s_world_init(w);
	k8s_world_load_clean(w, "test.yaml", text);
	assert_int_equal(cp_agent_derive(&w->store, o, d), 0);
	assert_int_equal(json_array_size(d->errors), 0);
	assert_int_equal(d->n_instances, 1);
}

static enum policy_verdict route(const struct policy *const *chain, size_t n, const char *peer,
                                 const char *prefix, bool local)
{
	static struct policy_scratch scratch;
	union sockaddr_any addr;
	struct bgp_prefix p;
	struct bgp_attrs a = { 0 };
	assert_int_equal(addr_parse(peer, 179, &addr), 0);
	assert_int_equal(bgp_prefix_parse(prefix, &p), 0);
	return policy_apply_route(chain, n, &addr, &p, local, &a, &scratch);
}

/* Export: the PodCIDR to its peer only, nothing else; import: nothing
 * received (allow-local), unless the node imports into its FIB. */
static void test_chains_route_like_cilium(void **state)
{
	(void)state;
	struct k8s_world w;
	struct cp_agent_desired d;
	struct bgp_prefix pods;
	struct cp_agent_opts o = { .node = "k8s-w1" };

	derive(SEED_OBJECTS, &o, &w, &d);
	const struct router_group *g = &d.instances[0].cfg.groups[0];
	const struct policy *const *out = g->export_policies, *const *in = g->import_policies;
	size_t n_out = g->n_export_policies, n_in = g->n_import_policies;
	assert_int_equal(route(out, n_out, "172.31.1.200", "172.20.1.0/24", true), POLICY_ACCEPT);
	assert_int_equal(route(out, n_out, "172.31.1.201", "172.20.1.0/24", true), POLICY_REJECT);
	assert_int_equal(route(out, n_out, "172.31.1.200", "172.20.0.0/16", true), POLICY_REJECT);
	assert_int_equal(route(in, n_in, "172.31.1.200", "10.10.1.0/24", false), POLICY_REJECT);
	assert_int_equal(route(in, n_in, "172.31.1.200", "172.20.1.0/24", true), POLICY_ACCEPT);
	assert_false(d.instances[0].cfg.fib_install);
	cp_agent_desired_free(&d);
	k8s_world_free(&w);

	bgp_prefix_parse("172.20.0.0/16", &pods);
	o.fib_import = &pods;
	o.n_fib_import = 1;
	derive(SEED_OBJECTS, &o, &w, &d);
	g = &d.instances[0].cfg.groups[0];
	in = g->import_policies;
	n_in = g->n_import_policies;
	assert_int_equal(n_in, 2);
	assert_string_equal(in[0]->name, CP_POLICY_FIB_IMPORT);
	assert_int_equal(route(in, n_in, "172.31.1.200", "172.20.2.0/24", false), POLICY_ACCEPT);
	assert_int_equal(route(in, n_in, "172.31.1.200", "10.10.1.0/24", false), POLICY_REJECT);
	assert_true(d.instances[0].cfg.fib_install);
	cp_agent_desired_free(&d);
	k8s_world_free(&w);
}

static uint64_t podcidr_digest(const char *text)
{
	struct k8s_world w;
	struct cp_agent_desired d;
	struct cp_agent_opts o = { .node = "k8s-w1" };

	derive(text, &o, &w, &d);
	const struct router_config *c = &d.instances[0].cfg;
	uint64_t digest = 0;
	for (size_t i = 0; i < c->n_policies; i++)
		if (strcmp(c->policies[i].name, "tor-switch-ipv4-PodCIDR") == 0)
			digest = c->policies[i].digest;
	assert_true(digest != 0);
	cp_agent_desired_free(&d);
	k8s_world_free(&w);
	return digest;
}

/* A reload compares policies by name and digest: the same objects give
 * the same digest, another community another one. */
static void test_digests_follow_content(void **state)
{
	(void)state;
	char *changed = strdup(SEED_OBJECTS);
	char *at = strstr(changed, "65000:99");
	assert_non_null(at);
	at[7] = '8';
	assert_true(podcidr_digest(SEED_OBJECTS) == podcidr_digest(SEED_OBJECTS));
	assert_true(podcidr_digest(SEED_OBJECTS) != podcidr_digest(changed));
	free(changed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_cases),
		cmocka_unit_test(test_chains_route_like_cilium),
		cmocka_unit_test(test_digests_follow_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
