/*
 * The catalog (k8s/catalog): files in, one store out.  What a user relies
 * on: a bad edit keeps every object it broke in its last valid version;
 * the operator's status overlays show on the user's objects, follow their
 * changes, and go when their file does; Services and EndpointSlices drop
 * their trees in the daemons yet keep what selectors and LB IPAM read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "k8s/catalog.h"
#include "lib/addr.h"

#define SERVICE                                                                                    \
	"apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n"            \
	"  labels: {app: web}\n  annotations: {lbipam.cilium.io/sharing-key: k}\n"                 \
	"spec:\n  type: LoadBalancer\n  loadBalancerClass: io.cilium/bgp-control-plane\n"

#define SLICE                                                                                      \
	"---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\n"    \
	"  namespace: default\n  labels: {kubernetes.io/service-name: web}\naddressType: IPv4\n"   \
	"endpoints:\n- addresses: [10.1.0.5]\n  nodeName: n1\n"

#define POOL                                                                                       \
	"apiVersion: cilium.io/v2\nkind: CiliumLoadBalancerIPPool\nmetadata: {name: pool}\n"       \
	"spec:\n  blocks: [{cidr: 10.9.0.0/24}]\n"

static size_t put(struct k8s_catalog *c, const char *path, bool overlay, const char *text)
{
	return k8s_catalog_put(c, path, overlay, text, strlen(text), NULL);
}

/* The operator's status for web: LoadBalancer ingress ip. */
static void put_status(struct k8s_catalog *c, const char *ip)
{
	char text[512];
	snprintf(
	        text, sizeof(text),
	        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", "
	        "\"kind\": \"Service\", \"metadata\": {\"name\": \"web\", \"namespace\": "
	        "\"default\"}, \"status\": {\"loadBalancer\": {\"ingress\": [{\"ip\": "
	        "\"%s\"}]}}}]}",
	        ip);
	assert_int_equal(put(c, "state/status.json", true, text), 0);
	k8s_catalog_build(c, NULL);
}

static const struct k8s_object *web(const struct k8s_catalog *c)
{
	const struct k8s_object *o =
	        k8s_store_get(k8s_catalog_store(c), K8S_SERVICE, "default", "web");
	assert_non_null(o);
	return o;
}

static void assert_ingress(const struct k8s_object *o, const char *want)
{
	char text[ADDR_TEXT_MAX];
	if (want == NULL) {
		assert_int_equal(o->u.service.n_ingress_ips, 0);
		return;
	}
	assert_int_equal(o->u.service.n_ingress_ips, 1);
	assert_string_equal(addr_text(&o->u.service.ingress_ips[0], text), want);
}

static void test_detached_service_keeps_what_readers_use(void **state)
{
	(void)state;
	struct k8s_catalog *c = k8s_catalog_new(false);
	assert_int_equal(put(c, "m/web.yaml", false, SERVICE SLICE), 0);
	k8s_catalog_build(c, NULL);
	const struct k8s_object *o = web(c);
	assert_null(o->src);
	assert_string_equal(o->meta.file, "m/web.yaml");
	assert_string_equal(json_string_value(json_object_get(o->meta.labels, "app")), "web");
	assert_string_equal(json_string_value(json_object_get(o->meta.annotations,
	                                                      "lbipam.cilium.io/sharing-key")),
	                    "k");
	assert_string_equal(o->u.service.lb_class, "io.cilium/bgp-control-plane");
	const struct k8s_object *s =
	        k8s_store_get(k8s_catalog_store(c), K8S_ENDPOINT_SLICE, "default", "web-1");
	assert_non_null(s);
	assert_string_equal(s->u.slice.service, "web");
	assert_string_equal(s->u.slice.endpoints[0].node_name, "n1");
	k8s_catalog_free(c);
}

static void test_overlay_status_on_detached_service(void **state)
{
	(void)state;
	struct k8s_catalog *c = k8s_catalog_new(false);
	/* Written with a status of its own (as bench manifests are). */
	assert_int_equal(put(c, "m/web.yaml", false,
	                     SERVICE "status: {loadBalancer: {ingress: [{ip: 10.9.0.200}]}}\n"),
	                 0);
	k8s_catalog_build(c, NULL);
	assert_ingress(web(c), "10.9.0.200");

	put_status(c, "10.9.0.1");
	assert_ingress(web(c), "10.9.0.1");
	assert_non_null(json_object_get(web(c)->status, "loadBalancer"));
	put_status(c, "10.9.0.2");
	assert_ingress(web(c), "10.9.0.2");

	/* The operator's file goes: the status written in the manifest is back. */
	k8s_catalog_remove(c, "state/status.json");
	k8s_catalog_build(c, NULL);
	assert_ingress(web(c), "10.9.0.200");

	/* An invalid status is refused, and said so; the object stays as it was. */
	json_t *problems = json_array();
	assert_int_equal(put(c, "state/status.json", true,
	                     "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": "
	                     "{\"name\": \"web\", \"namespace\": \"default\"}, \"status\": "
	                     "{\"loadBalancer\": {\"ingress\": [{\"ip\": \"not-an-ip\"}]}}}"),
	                 0);
	k8s_catalog_build(c, problems);
	assert_int_equal(json_array_size(problems), 1);
	assert_non_null(strstr(json_string_value(json_array_get(problems, 0)), "Service/web"));
	assert_ingress(web(c), "10.9.0.200");
	json_decref(problems);
	k8s_catalog_free(c);
}

static void test_bad_edit_keeps_last_valid(void **state)
{
	(void)state;
	struct k8s_catalog *c = k8s_catalog_new(false);
	json_t *problems = json_array();
	assert_int_equal(put(c, "m/web.yaml", false, SERVICE SLICE), 0);
	assert_int_equal(put(c, "m/pool.yaml", false, POOL), 0);
	k8s_catalog_build(c, NULL);
	/* The Service turns invalid: it stays as it was, and is reported kept. */
	assert_true(put(c, "m/web.yaml", false,
	                "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\n"
	                "spec: {type: Balancer}\n" SLICE) > 0);
	k8s_catalog_build(c, problems);
	assert_int_equal(web(c)->u.service.type, K8S_SVC_LOAD_BALANCER);
	json_t *all = k8s_catalog_problems(c);
	bool kept = false;
	size_t i;
	json_t *p;
	json_array_foreach(all, i, p) kept |=
	        strstr(json_string_value(p), "Service/web: kept") != NULL;
	assert_true(kept);
	json_decref(all);
	/* Fixed: the new version, no problems left. */
	assert_int_equal(put(c, "m/web.yaml", false,
	                     "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: "
	                     "default}\nspec: {type: ClusterIP}\n"),
	                 0);
	k8s_catalog_build(c, NULL);
	assert_int_equal(web(c)->u.service.type, K8S_SVC_CLUSTER_IP);
	assert_null(k8s_store_get(k8s_catalog_store(c), K8S_ENDPOINT_SLICE, "default", "web-1"));
	all = k8s_catalog_problems(c);
	assert_int_equal(json_array_size(all), 0);
	json_decref(all);
	json_decref(problems);
	k8s_catalog_free(c);
}

static void test_keep_trees(void **state)
{
	(void)state;
	struct k8s_catalog *c = k8s_catalog_new(true);
	assert_int_equal(put(c, "m/web.yaml", false, SERVICE SLICE), 0);
	put_status(c, "10.9.0.1");
	const struct k8s_object *o = web(c);
	assert_non_null(o->src);
	assert_string_equal(
	        json_string_value(json_object_get(json_object_get(o->src->root, "spec"), "type")),
	        "LoadBalancer");
	assert_ingress(o, "10.9.0.1");
	k8s_catalog_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detached_service_keeps_what_readers_use),
		cmocka_unit_test(test_overlay_status_on_detached_service),
		cmocka_unit_test(test_bad_edit_keeps_last_valid),
		cmocka_unit_test(test_keep_trees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
