/*
 * Objects: the seed's and the spec's resources decode to the values and
 * defaults Cilium would use; every CRD rule refuses what the API server
 * refuses, with the exact message and place; kinds, versions, metadata,
 * selectors, base64 and the corners of the core kinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "k8s/objects.h"
#include "k8s_fixture.h"
#include "lib/base64.h"
#include "testlib.h"

static void assert_world_errors(const struct k8s_world *w, const char *want)
{
	char *got = k8s_world_errors(w);

	if (strcmp(got, want) != 0) {
		print_error("want:\n%s\ngot:\n%s\n", want, got);
		free(got);
		fail();
	}
	free(got);
}

/* The one object of kind k named name, or a failed test. */
static const struct k8s_object *get(const struct k8s_world *w, enum k8s_kind k, const char *ns,
                                    const char *name)
{
	const struct k8s_object *o = k8s_store_get(&w->store, k, ns, name);

	assert_non_null(o);
	return o;
}

static void assert_ip(const union sockaddr_any *a, const char *want)
{
	char text[ADDR_TEXT_MAX];

	assert_string_equal(addr_text(a, text), want);
}

static void assert_prefix(const struct bgp_prefix *p, const char *want)
{
	char text[64];

	bgp_prefix_format(text, sizeof(text), p);
	assert_string_equal(text, want);
}

static const char *match_label(const struct k8s_selector *s, const char *key)
{
	return json_string_value(json_object_get(s->match_labels, key));
}

/* One document whose decoding must fail with exactly want (one line). */
static void assert_refused(const char *yaml, const char *want)
{
	struct k8s_world w;
	char line[1024];

	k8s_world_init(&w);
	assert_int_equal(k8s_world_load(&w, "t.yaml", yaml), 1);
	assert_int_equal(w.n_objs, 0);
	snprintf(line, sizeof(line), "%s\n", want);
	assert_world_errors(&w, line);
	k8s_world_free(&w);
}

/* One document that decodes; the world is the caller's to free. */
static const struct k8s_object *decode_ok(struct k8s_world *w, const char *yaml)
{
	k8s_world_init(w);
	assert_int_equal(k8s_world_load(w, "t.yaml", yaml), 0);
	assert_world_errors(w, "");
	assert_int_equal(w->n_objs, 1);
	return &w->objs[0];
}

/* ---- the seed and the spec's worked example ---- */

static const char seed_later[] = "apiVersion: cilium.io/v2\n"
                                 "kind: CiliumLoadBalancerIPPool\n"
                                 "metadata: {name: cilium-pool}\n"
                                 "spec:\n"
                                 "  allowFirstLastIPs: \"No\"\n"
                                 "  blocks:\n"
                                 "  - cidr: \"172.16.1.0/24\"\n"
                                 "---\n"
                                 "apiVersion: cilium.io/v2\n"
                                 "kind: CiliumBGPAdvertisement\n"
                                 "metadata:\n"
                                 "  name: bgp-advertisements-lb-exip-webpod\n"
                                 "  labels: {advertise: bgp}\n"
                                 "spec:\n"
                                 "  advertisements:\n"
                                 "  - advertisementType: \"Service\"\n"
                                 "    service:\n"
                                 "      addresses: [LoadBalancerIP]\n"
                                 "    selector:\n"
                                 "      matchExpressions:\n"
                                 "      - {key: app, operator: In, values: [webpod]}\n";

static void check_seed_bgp(const struct k8s_world *w)
{
	const struct k8s_object *o = get(w, K8S_BGP_ADVERTISEMENT, NULL, "bgp-advertisements");
	const struct k8s_advert *a = &o->u.advertisement.adverts[0];
	assert_int_equal(o->u.advertisement.n_adverts, 1);
	assert_int_equal(a->type, K8S_ADVERT_POD_CIDR);
	assert_false(a->selector.present);
	assert_int_equal(a->aggregation4, -1);
	assert_int_equal(a->aggregation6, -1);
	assert_string_equal(json_string_value(json_object_get(o->meta.labels, "advertise")), "bgp");

	const struct k8s_bgp_peer_config *pc =
	        &get(w, K8S_BGP_PEER_CONFIG, NULL, "cilium-peer")->u.peer_config;
	assert_int_equal(pc->hold_time, 9);
	assert_int_equal(pc->keepalive, 3);
	assert_int_equal(pc->connect_retry, 120);
	assert_int_equal(pc->peer_port, 179);
	assert_int_equal(pc->ebgp_multihop, 2);
	assert_true(pc->graceful_restart);
	assert_int_equal(pc->restart_time, 15);
	assert_null(pc->auth_secret);
	assert_int_equal(pc->n_families, 1);
	assert_int_equal(pc->families[0].afi, K8S_AFI_IPV4);
	assert_int_equal(pc->families[0].safi, K8S_SAFI_UNICAST);
	assert_string_equal(match_label(&pc->families[0].advertisements, "advertise"), "bgp");

	o = get(w, K8S_BGP_CLUSTER_CONFIG, NULL, "cilium-bgp");
	const struct k8s_bgp_cluster_config *cc = &o->u.cluster_config;
	assert_null(o->meta.ns);
	assert_string_equal(match_label(&cc->node_selector, "enable-bgp"), "true");
	assert_int_equal(cc->n_instances, 1);
	assert_string_equal(cc->instances[0].name, "instance-65001");
	assert_true(cc->instances[0].has_local_asn);
	assert_int_equal(cc->instances[0].local_asn, 65001);
	assert_false(cc->instances[0].has_local_port);
	assert_false(cc->instances[0].has_router_id);
	assert_int_equal(cc->instances[0].n_peers, 1);
	const struct k8s_bgp_peer *p = &cc->instances[0].peers[0];
	assert_string_equal(p->name, "tor-switch");
	assert_true(p->has_asn);
	assert_int_equal(p->asn, 65000);
	assert_true(p->has_address);
	assert_ip(&p->address, "172.31.1.200");
	assert_string_equal(p->peer_config, "cilium-peer");
	assert_false(p->auto_discovery);
	assert_false(p->has_local_address);
}

static void test_seed_resources(void **state)
{
	(void)state;
	struct k8s_world w;
	char *yaml = tl_manifest("seed-cilium.yaml", NULL);
	char *json = tl_manifest("seed-cilium.json", NULL);

	k8s_world_init(&w);
	assert_int_equal(k8s_world_load(&w, "seed.yaml", yaml), 0);
	assert_int_equal(k8s_world_load(&w, "later.yaml", seed_later), 0);
	assert_world_errors(&w, "");
	assert_int_equal(w.n_objs, 5);
	check_seed_bgp(&w);

	const struct k8s_lb_ip_pool *pool = &get(&w, K8S_LB_IP_POOL, NULL, "cilium-pool")->u.pool;
	assert_false(pool->allow_first_last);
	assert_false(pool->disabled);
	assert_false(pool->service_selector.present);
	assert_int_equal(pool->n_blocks, 1);
	assert_true(pool->blocks[0].is_cidr);
	assert_prefix(&pool->blocks[0].cidr, "172.16.1.0/24");

	const struct k8s_advert *a =
	        get(&w, K8S_BGP_ADVERTISEMENT, NULL, "bgp-advertisements-lb-exip-webpod")
	                ->u.advertisement.adverts;
	assert_int_equal(a->type, K8S_ADVERT_SERVICE);
	assert_int_equal(a->service_addresses, K8S_SVC_ADDR_LB);
	assert_int_equal(a->n_service_addresses, 1);
	assert_string_equal(a->service_address_order[0], "LoadBalancerIP");
	assert_int_equal(a->selector.n_reqs, 1);
	assert_string_equal(a->selector.reqs[0].key, "app");
	assert_int_equal(a->selector.reqs[0].op, K8S_SEL_IN);
	assert_int_equal(a->selector.reqs[0].n_values, 1);
	assert_string_equal(a->selector.reqs[0].values[0], "webpod");
	k8s_world_free(&w);

	/* The same objects from `kubectl get -o json` (a List). */
	k8s_world_init(&w);
	assert_int_equal(k8s_world_load(&w, "seed.json", json), 0);
	assert_int_equal(w.n_objs, 3);
	check_seed_bgp(&w);
	k8s_world_free(&w);
	free(yaml);
	free(json);
}

static const char worked_example[] =
        "apiVersion: cilium.io/v2\n"
        "kind: CiliumBGPClusterConfig\n"
        "metadata: {name: cilium-bgp}\n"
        "spec:\n"
        "  nodeSelector: {matchLabels: {rack: rack0}}\n"
        "  bgpInstances:\n"
        "  - name: instance-65001\n"
        "    localASN: 65001\n"
        "    peers:\n"
        "    - name: tor-switch\n"
        "      peerASN: 65000\n"
        "      peerAddress: 10.0.0.1\n"
        "      peerConfigRef: {name: cilium-peer}\n"
        "---\n"
        "apiVersion: cilium.io/v2\n"
        "kind: CiliumBGPPeerConfig\n"
        "metadata: {name: cilium-peer}\n"
        "spec:\n"
        "  timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 3}\n"
        "  gracefulRestart: {enabled: true, restartTimeSeconds: 15}\n"
        "  families:\n"
        "  - {afi: ipv4, safi: unicast, advertisements: {matchLabels: {advertise: bgp}}}\n"
        "---\n"
        "apiVersion: cilium.io/v2\n"
        "kind: CiliumBGPAdvertisement\n"
        "metadata: {name: bgp-adverts, labels: {advertise: bgp}}\n"
        "spec:\n"
        "  advertisements:\n"
        "  - advertisementType: PodCIDR\n"
        "    attributes: {communities: {standard: [\"65000:99\"]}}\n"
        "  - advertisementType: Service\n"
        "    service: {addresses: [LoadBalancerIP]}\n"
        "    selector: {matchExpressions: [{key: somekey, operator: NotIn, values: "
        "[never-used-value]}]}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Node\n"
        "metadata: {name: worker1, labels: {rack: rack0}}\n"
        "spec: {podCIDR: 10.1.1.0/24}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata: {name: webpod, labels: {app: webpod}}\n"
        "spec: {type: LoadBalancer, externalTrafficPolicy: Cluster}\n"
        "status: {loadBalancer: {ingress: [{ip: 172.18.0.100}]}}\n";

static void test_worked_example(void **state)
{
	(void)state;
	struct k8s_world w;

	k8s_world_init(&w);
	assert_int_equal(k8s_world_load(&w, "example.yaml", worked_example), 0);
	assert_int_equal(w.n_objs, 5);

	const struct k8s_object *node = get(&w, K8S_NODE, NULL, "worker1");
	struct k8s_labels node_labels = { .map = node->meta.labels };
	const struct k8s_bgp_cluster_config *cc =
	        &get(&w, K8S_BGP_CLUSTER_CONFIG, NULL, "cilium-bgp")->u.cluster_config;
	assert_true(k8s_selector_matches(&cc->node_selector, &node_labels, true));
	assert_int_equal(node->u.node.n_pod_cidrs, 1);
	assert_prefix(&node->u.node.pod_cidrs[0], "10.1.1.0/24");
	assert_ip(&cc->instances[0].peers[0].address, "10.0.0.1");

	const struct k8s_bgp_peer_config *pc =
	        &get(&w, K8S_BGP_PEER_CONFIG, NULL, "cilium-peer")->u.peer_config;
	assert_int_equal(pc->hold_time, 9);
	assert_int_equal(pc->keepalive, 3);
	assert_int_equal(pc->connect_retry, 120);
	assert_int_equal(pc->restart_time, 15);
	assert_int_equal(pc->n_families, 1); /* replaces the v6+v4 default */

	const struct k8s_object *ad = get(&w, K8S_BGP_ADVERTISEMENT, NULL, "bgp-adverts");
	struct k8s_labels ad_labels = { .map = ad->meta.labels };
	assert_true(k8s_selector_matches(&pc->families[0].advertisements, &ad_labels, false));
	const struct k8s_advert *pod = &ad->u.advertisement.adverts[0];
	assert_int_equal(pod->n_communities, 1);
	assert_string_equal(pod->communities[0].text, "65000:99");
	assert_int_equal(pod->communities[0].value, 65000u << 16 | 99);

	const struct k8s_object *svc = get(&w, K8S_SERVICE, "default", "webpod");
	struct k8s_labels svc_labels = { .map = svc->meta.labels,
		                         .extra_key = { "io.kubernetes.service.name",
		                                        "io.kubernetes.service.namespace" },
		                         .extra_value = { "webpod", "default" } };
	assert_true(
	        k8s_selector_matches(&ad->u.advertisement.adverts[1].selector, &svc_labels, false));
	assert_int_equal(svc->u.service.type, K8S_SVC_LOAD_BALANCER);
	assert_int_equal(svc->u.service.external_tp, K8S_TP_CLUSTER);
	assert_int_equal(svc->u.service.n_ingress_ips, 1);
	assert_ip(&svc->u.service.ingress_ips[0], "172.18.0.100");
	k8s_world_free(&w);
}

/* ---- defaults ---- */

static void test_peer_config_defaults(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(&w, "apiVersion: cilium.io/v2\n"
	                                           "kind: CiliumBGPPeerConfig\n"
	                                           "metadata: {name: p}\n"
	                                           "spec: {}\n");
	const struct k8s_bgp_peer_config *pc = &o->u.peer_config;

	assert_int_equal(pc->peer_port, 179);
	assert_int_equal(pc->connect_retry, 120);
	assert_int_equal(pc->hold_time, 90);
	assert_int_equal(pc->keepalive, 30);
	assert_false(pc->graceful_restart);
	assert_int_equal(pc->restart_time, 120);
	assert_int_equal(pc->ebgp_multihop, 1);
	assert_int_equal(pc->n_families, 2);
	assert_int_equal(pc->families[0].afi, K8S_AFI_IPV6);
	assert_int_equal(pc->families[1].afi, K8S_AFI_IPV4);
	assert_int_equal(pc->families[1].safi, K8S_SAFI_UNICAST);
	assert_false(pc->families[0].advertisements.present);
	k8s_world_free(&w);

	/* SetDefaults(): an explicit 0 is unset; families: [] is the default. */
	o = decode_ok(&w, "apiVersion: cilium.io/v2\n"
	                  "kind: CiliumBGPPeerConfig\n"
	                  "metadata: {name: p}\n"
	                  "spec:\n"
	                  "  transport: {peerPort: 0}\n"
	                  "  timers: {connectRetryTimeSeconds: 0, holdTimeSeconds: 0,\n"
	                  "           keepAliveTimeSeconds: 0}\n"
	                  "  gracefulRestart: {enabled: false, restartTimeSeconds: 0}\n"
	                  "  ebgpMultihop: 0\n"
	                  "  authSecretRef: bgp-auth\n"
	                  "  families: []\n");
	pc = &o->u.peer_config;
	assert_int_equal(pc->peer_port, 179);
	assert_int_equal(pc->connect_retry, 120);
	assert_int_equal(pc->hold_time, 90);
	assert_int_equal(pc->keepalive, 30);
	assert_int_equal(pc->restart_time, 120);
	assert_int_equal(pc->ebgp_multihop, 1);
	assert_string_equal(pc->auth_secret, "bgp-auth");
	assert_int_equal(pc->n_families, 2);
	k8s_world_free(&w);
}

/* ---- every rule, with its message and place ---- */

struct refusal {
	const char *yaml;
	const char *error;
};

#define PEER_HEAD "apiVersion: cilium.io/v2\nkind: CiliumBGPPeerConfig\nmetadata: {name: p}\n"
#define ADV_HEAD  "apiVersion: cilium.io/v2\nkind: CiliumBGPAdvertisement\nmetadata: {name: a}\n"
#define CC_HEAD   "apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {name: c}\n"
#define POOL_HEAD                                                                                  \
	"apiVersion: cilium.io/v2\nkind: CiliumLoadBalancerIPPool\nmetadata: {name: pool}\n"

static const struct refusal peer_config_refusals[] = {
	{ PEER_HEAD "spec:\n  timers: {holdTimeSeconds: 9, keepAliveTimeSeconds: 10}\n",
	  "t.yaml:5:11: CiliumBGPPeerConfig/p: spec.timers: keepAliveTimeSeconds can not be "
	  "larger than holdTimeSeconds" },
	/* CEL sees the defaulted keepalive of 30. */
	{ PEER_HEAD "spec:\n  timers: {holdTimeSeconds: 9}\n",
	  "t.yaml:5:11: CiliumBGPPeerConfig/p: spec.timers: keepAliveTimeSeconds can not be "
	  "larger than holdTimeSeconds" },
	{ PEER_HEAD "spec:\n  timers: {holdTimeSeconds: 2}\n",
	  "t.yaml:5:29: CiliumBGPPeerConfig/p: spec.timers.holdTimeSeconds: must be in 3..65535, "
	  "or 0 for the default (got 2)" },
	{ PEER_HEAD "spec:\n  timers: {holdTimeSeconds: 65536}\n",
	  "t.yaml:5:29: CiliumBGPPeerConfig/p: spec.timers.holdTimeSeconds: must be in 0..65535 "
	  "(got 65536)" },
	{ PEER_HEAD "spec:\n  timers: {connectRetryTimeSeconds: -1}\n",
	  "t.yaml:5:37: CiliumBGPPeerConfig/p: spec.timers.connectRetryTimeSeconds: must be in "
	  "0..2147483647 (got -1)" },
	{ PEER_HEAD "spec:\n  transport: {peerPort: 70000}\n",
	  "t.yaml:5:25: CiliumBGPPeerConfig/p: spec.transport.peerPort: must be in 0..65535 (got "
	  "70000)" },
	{ PEER_HEAD "spec:\n  transport: {localPort: 1790}\n",
	  "t.yaml:5:15: CiliumBGPPeerConfig/p: spec.transport.localPort: unknown field" },
	{ PEER_HEAD "spec:\n  ebgpMultihop: 256\n",
	  "t.yaml:5:17: CiliumBGPPeerConfig/p: spec.ebgpMultihop: must be in 0..255 (got 256)" },
	{ PEER_HEAD "spec:\n  gracefulRestart: {restartTimeSeconds: 4096, enabled: true}\n",
	  "t.yaml:5:41: CiliumBGPPeerConfig/p: spec.gracefulRestart.restartTimeSeconds: must be in "
	  "0..4095 (got 4096)" },
	{ PEER_HEAD "spec:\n  gracefulRestart: {restartTimeSeconds: 30}\n",
	  "t.yaml:5:20: CiliumBGPPeerConfig/p: spec.gracefulRestart.enabled: required field is "
	  "missing" },
	{ PEER_HEAD "spec:\n  families: [{afi: ipv4, safi: unicst}]\n",
	  "t.yaml:5:32: CiliumBGPPeerConfig/p: spec.families[0].safi: must be one of \"unicast\", "
	  "\"multicast\", \"mpls_label\", \"encapsulation\", \"vpls\", \"evpn\", \"ls\", "
	  "\"sr_policy\", \"mup\", \"mpls_vpn\", \"mpls_vpn_multicast\", "
	  "\"route_target_constraints\", \"flowspec_unicast\", \"flowspec_vpn\", \"key_value\" "
	  "(got \"unicst\")" },
	{ PEER_HEAD "spec:\n  families: [{afi: ipv4}]\n",
	  "t.yaml:5:14: CiliumBGPPeerConfig/p: spec.families[0].safi: required field is missing" },
	{ PEER_HEAD "spec:\n  timer: {holdTimeSeconds: 9}\n",
	  "t.yaml:5:3: CiliumBGPPeerConfig/p: spec.timer: unknown field (did you mean "
	  "\"timers\"?)" },
	{ PEER_HEAD, "t.yaml:1:1: CiliumBGPPeerConfig/p: spec: required field is missing" },
};

static const struct refusal advertisement_refusals[] = {
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: Service\n",
	  "t.yaml:6:5: CiliumBGPAdvertisement/a: spec.advertisements[0]: service field is "
	  "required for the 'Service' advertisementType" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCIDR\n    selector: {}\n",
	  "t.yaml:6:5: CiliumBGPAdvertisement/a: spec.advertisements[0]: selector field is not "
	  "allowed for the 'PodCIDR' advertisementType" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCidr\n",
	  "t.yaml:6:24: CiliumBGPAdvertisement/a: spec.advertisements[0].advertisementType: must "
	  "be one of \"PodCIDR\", \"CiliumPodIPPool\", \"Service\" (got \"PodCidr\")" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: Service\n"
	           "    service: {addresses: []}\n",
	  "t.yaml:7:26: CiliumBGPAdvertisement/a: spec.advertisements[0].service.addresses: must "
	  "not be empty" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: Service\n"
	           "    service: {addresses: [ClusterIP, ClusterIP]}\n",
	  "t.yaml:7:38: CiliumBGPAdvertisement/a: spec.advertisements[0].service.addresses[1]: "
	  "duplicate value \"ClusterIP\"" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: Service\n"
	           "    service: {addresses: [LoadBalancerIP], aggregationLengthIPv4: 0}\n",
	  "t.yaml:7:67: CiliumBGPAdvertisement/a: spec.advertisements[0].service."
	  "aggregationLengthIPv4: must be in 1..31 (got 0, which Cilium ignores and advertises "
	  "host routes; omit the field for those)" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: Service\n"
	           "    service: {addresses: [LoadBalancerIP], aggregationLengthIPv6: 128}\n",
	  "t.yaml:7:67: CiliumBGPAdvertisement/a: spec.advertisements[0].service."
	  "aggregationLengthIPv6: must be in 0..127 (got 128)" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCIDR\n"
	           "    attributes: {communities: {standard: [\"65536:1\"]}}\n",
	  "t.yaml:7:43: CiliumBGPAdvertisement/a: spec.advertisements[0].attributes.communities."
	  "standard[0]: must be a number 0..4294967295, or two numbers 0..65535 joined by ':' "
	  "(got \"65536:1\")" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCIDR\n"
	           "    attributes: {communities: {standard: [\"4294967296\"]}}\n",
	  "t.yaml:7:43: CiliumBGPAdvertisement/a: spec.advertisements[0].attributes.communities."
	  "standard[0]: must be a number 0..4294967295, or two numbers 0..65535 joined by ':' "
	  "(got \"4294967296\")" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCIDR\n"
	           "    attributes: {communities: {large: [\"1:2\"]}}\n",
	  "t.yaml:7:40: CiliumBGPAdvertisement/a: spec.advertisements[0].attributes.communities."
	  "large[0]: must be three numbers 0..4294967295 joined by ':' (got \"1:2\")" },
	{ ADV_HEAD "spec:\n  advertisements:\n  - advertisementType: PodCIDR\n"
	           "    attributes: {communities: {wellKnown: [no-exprt]}}\n",
	  "t.yaml:7:44: CiliumBGPAdvertisement/a: spec.advertisements[0].attributes.communities."
	  "wellKnown[0]: must be one of \"internet\", \"planned-shut\", \"accept-own\", "
	  "\"route-filter-translated-v4\", \"route-filter-v4\", \"route-filter-translated-v6\", "
	  "\"route-filter-v6\", \"llgr-stale\", \"no-llgr\", \"blackhole\", \"no-export\", "
	  "\"no-advertise\", \"no-export-subconfed\", \"no-peer\" (got \"no-exprt\")" },
	{ ADV_HEAD "spec: {}\n",
	  "t.yaml:4:7: CiliumBGPAdvertisement/a: spec.advertisements: required field is missing" },
};

static const struct refusal instance_refusals[] = {
	{ CC_HEAD "spec:\n  bgpInstances: []\n",
	  "t.yaml:5:17: CiliumBGPClusterConfig/c: spec.bgpInstances: must not be empty" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - {name: a, localASN: 0}\n",
	  "t.yaml:6:25: CiliumBGPClusterConfig/c: spec.bgpInstances[0].localASN: must be in "
	  "1..4294967295 (got 0)" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - {name: a}\n  - {name: a}\n",
	  "t.yaml:7:12: CiliumBGPClusterConfig/c: spec.bgpInstances[1].name: duplicate name \"a\" "
	  "(also bgpInstances[0])" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - name: a\n    peers: [{name: p}, {name: p}]\n",
	  "t.yaml:7:31: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[1].name: duplicate "
	  "name \"p\" (also peers[0])" },
	{ CC_HEAD
	  "spec:\n  bgpInstances:\n  - name: a\n    peers: [{name: p, peerAddress: 10.0.0.256}]\n",
	  "t.yaml:7:36: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[0].peerAddress: must "
	  "be an IPv4 or IPv6 address, IPv6 with an optional %zone (got \"10.0.0.256\")" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - name: a\n    peers: [{name: p, peerAddress: "
	          "\"10.0.0.1%eth0\"}]\n",
	  "t.yaml:7:36: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[0].peerAddress: must "
	  "be an IPv4 or IPv6 address, IPv6 with an optional %zone (got \"10.0.0.1%eth0\")" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - name: a\n    routerID: 1.2.3.4\n",
	  "t.yaml:7:5: CiliumBGPClusterConfig/c: spec.bgpInstances[0].routerID: unknown field" },
	{ CC_HEAD
	  "spec:\n  bgpInstances:\n  - name: a\n    peers: [{name: p, peerConfigRef: {}}]\n",
	  "t.yaml:7:38: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[0].peerConfigRef."
	  "name: required field is missing" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - name: a\n    peers:\n    - name: p\n"
	          "      autoDiscovery: {mode: DefaultGateway, defaultGateway: {addressFamily: "
	          "ipv5}}\n",
	  "t.yaml:9:77: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[0].autoDiscovery."
	  "defaultGateway.addressFamily: must be one of \"ipv4\", \"ipv6\" (got \"ipv5\")" },
	{ CC_HEAD "spec:\n  bgpInstances:\n  - name: a\n    localPort: 0\n",
	  "t.yaml:7:16: CiliumBGPClusterConfig/c: spec.bgpInstances[0].localPort: must be in "
	  "1..65535 (got 0)" },
	{ CC_HEAD "spec:\n  nodeSelector: {matchLabel: {a: b}}\n  bgpInstances: [{name: a}]\n",
	  "t.yaml:5:18: CiliumBGPClusterConfig/c: spec.nodeSelector.matchLabel: unknown field (did "
	  "you mean \"matchLabels\"?)" },
};

static const struct refusal pool_refusals[] = {
	{ POOL_HEAD "spec:\n  allowFirstLastIPs: No\n",
	  "t.yaml:5:22: CiliumLoadBalancerIPPool/pool: spec.allowFirstLastIPs: must be a string "
	  "(got boolean false; quote it to keep the text)" },
	{ POOL_HEAD "spec:\n  blocks: [{start: 10.0.0.9, stop: 10.0.0.1}]\n",
	  "t.yaml:5:36: CiliumLoadBalancerIPPool/pool: spec.blocks[0].stop: must not be below "
	  "start" },
	{ POOL_HEAD "spec:\n  blocks: [{start: 10.0.0.9, stop: \"fd00::1\"}]\n",
	  "t.yaml:5:36: CiliumLoadBalancerIPPool/pool: spec.blocks[0].stop: must be of the same "
	  "address family as start" },
	{ POOL_HEAD "spec:\n  blocks: [{cidr: 10.0.0.0/24, start: 10.0.0.1}]\n",
	  "t.yaml:5:19: CiliumLoadBalancerIPPool/pool: spec.blocks[0].cidr: a block is either a "
	  "cidr or a start/stop range" },
	{ POOL_HEAD "spec:\n  blocks: [{stop: 10.0.0.1}]\n",
	  "t.yaml:5:12: CiliumLoadBalancerIPPool/pool: spec.blocks[0].start: required field is "
	  "missing" },
	{ POOL_HEAD "spec:\n  blocks: [{cidr: 10.0.0.1/24}]\n",
	  "t.yaml:5:19: CiliumLoadBalancerIPPool/pool: spec.blocks[0].cidr: host bits must be zero "
	  "(did you mean \"10.0.0.0/24\"?)" },
};

static void assert_all_refused(const struct refusal *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_refused(cases[i].yaml, cases[i].error);
}

#define ASSERT_ALL_REFUSED(cases) assert_all_refused(cases, sizeof(cases) / sizeof(cases[0]))

static void test_peer_config_rules(void **state)
{
	(void)state;
	ASSERT_ALL_REFUSED(peer_config_refusals);
}

static void test_advertisement_rules(void **state)
{
	(void)state;
	ASSERT_ALL_REFUSED(advertisement_refusals);
}

static void test_instance_rules(void **state)
{
	(void)state;
	ASSERT_ALL_REFUSED(instance_refusals);
}

static void test_pool_rules(void **state)
{
	(void)state;
	ASSERT_ALL_REFUSED(pool_refusals);
}

static void test_bad_object_refuses_only_itself(void **state)
{
	(void)state;
	struct k8s_world w;
	const char *text = PEER_HEAD "spec: {ebgpMultihop: 3}\n"
	                             "---\n" ADV_HEAD "spec:\n  advertisements:\n"
	                             "  - advertisementType: Service\n"
	                             "    selector: {matchLabels: {app: x}}\n"
	                             "    attributes: {localPreference: -5}\n"
	                             "---\n" CC_HEAD "spec: {bgpInstances: [{name: a}]}\n";

	k8s_world_init(&w);
	assert_int_equal(k8s_world_load(&w, "t.yaml", text), 1);
	assert_int_equal(w.n_objs, 2);
	assert_world_errors(&w, "t.yaml:11:5: CiliumBGPAdvertisement/a: spec.advertisements[0]: "
	                        "service field is required for the 'Service' advertisementType\n");
	assert_int_equal(get(&w, K8S_BGP_PEER_CONFIG, NULL, "p")->u.peer_config.ebgp_multihop, 3);
	assert_int_equal(k8s_store_count(&w.store, K8S_BGP_ADVERTISEMENT), 0);
	get(&w, K8S_BGP_CLUSTER_CONFIG, NULL, "c");
	k8s_world_free(&w);
}

/* ---- advertisements ---- */

static void test_advertisement_values(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(
	        &w, ADV_HEAD "spec:\n  advertisements:\n"
	                     "  - advertisementType: Service\n"
	                     "    service:\n"
	                     "      addresses: [ExternalIP, LoadBalancerIP]\n"
	                     "      aggregationLengthIPv4: 24\n"
	                     "      aggregationLengthIPv6: 127\n"
	                     "    selector: {}\n"
	                     "    attributes:\n"
	                     "      localPreference: 200\n"
	                     "      communities:\n"
	                     "        standard: [\"4294967295\", \"0:0\", \"65535:65281\"]\n"
	                     "        wellKnown: [no-export, blackhole, internet]\n"
	                     "        large: [\"4294967295:0:7\"]\n"
	                     "  - advertisementType: CiliumPodIPPool\n");
	const struct k8s_advert *a = &o->u.advertisement.adverts[0];

	assert_int_equal(a->service_addresses, K8S_SVC_ADDR_EXTERNAL | K8S_SVC_ADDR_LB);
	assert_string_equal(a->service_address_order[0], "ExternalIP");
	assert_string_equal(a->service_address_order[1], "LoadBalancerIP");
	assert_int_equal(a->aggregation4, 24);
	assert_int_equal(a->aggregation6, 127);
	assert_true(a->selector.present);
	assert_true(a->has_local_pref);
	assert_int_equal(a->local_pref, 200);
	/* Standard then well-known, as written; the merge is the reconciler's. */
	static const uint32_t values[] = { 0xffffffff, 0, 0xffffff01, 0xffffff01, 0xffff029a, 0 };
	assert_int_equal(a->n_communities, 6);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(a->communities[i].value, values[i]);
	assert_string_equal(a->communities[3].text, "no-export");
	assert_int_equal(a->n_large_communities, 1);
	assert_int_equal(a->large_communities[0].large[0], 4294967295u);
	assert_int_equal(a->large_communities[0].large[1], 0);
	assert_int_equal(a->large_communities[0].large[2], 7);
	assert_int_equal(o->u.advertisement.adverts[1].type, K8S_ADVERT_POD_IP_POOL);
	assert_false(o->u.advertisement.adverts[1].has_local_pref);
	k8s_world_free(&w);
}

/* ---- instances of the three kinds that have them ---- */

static void test_node_config_and_override(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(
	        &w, "apiVersion: cilium.io/v2\n"
	            "kind: CiliumBGPNodeConfig\n"
	            "metadata:\n"
	            "  name: k8s-w1\n"
	            "  uid: 1234-abcd\n"
	            "  creationTimestamp: \"2025-08-10T01:02:03Z\"\n"
	            "  ownerReferences: [{apiVersion: cilium.io/v2, kind: CiliumBGPClusterConfig,\n"
	            "                     name: cilium-bgp, controller: true}]\n"
	            "spec:\n"
	            "  bgpInstances:\n"
	            "  - name: i\n"
	            "    localASN: 4294967295\n"
	            "    routerID: 10.9.8.7\n"
	            "    localPort: 1179\n"
	            "    peers:\n"
	            "    - {name: a, peerAddress: \" fe80::1%7 \", localAddress: 10.0.0.2}\n"
	            "    - name: b\n"
	            "      autoDiscovery: {mode: DefaultGateway, defaultGateway: {addressFamily: "
	            "ipv6}}\n"
	            "status: {bgpInstances: [{name: i}]}\n");
	const struct k8s_bgp_instance *inst = &o->u.node_config.instances[0];

	assert_string_equal(o->meta.uid, "1234-abcd");
	assert_string_equal(o->meta.creation, "2025-08-10T01:02:03Z");
	assert_string_equal(o->meta.owner, "cilium-bgp");
	assert_non_null(o->status);
	assert_int_equal(inst->local_asn, 4294967295u);
	assert_true(inst->has_router_id);
	assert_int_equal(inst->router_id, 0x0a090807);
	assert_int_equal(inst->local_port, 1179);
	assert_ip(&inst->peers[0].address, "fe80::1");
	assert_int_equal(inst->peers[0].address.in6.sin6_scope_id, 7);
	assert_true(inst->peers[0].has_asn);
	assert_int_equal(inst->peers[0].asn, 0); /* learned from OPEN */
	assert_ip(&inst->peers[0].local_address, "10.0.0.2");
	assert_false(inst->peers[1].has_address);
	assert_true(inst->peers[1].auto_discovery);
	assert_int_equal(inst->peers[1].auto_discovery_af, BGP_AF_IPV6_UNICAST);
	k8s_world_free(&w);

	o = decode_ok(&w, "apiVersion: cilium.io/v2\n"
	                  "kind: CiliumBGPNodeConfigOverride\n"
	                  "metadata: {name: k8s-w1}\n"
	                  "spec:\n"
	                  "  bgpInstances:\n"
	                  "  - name: i\n"
	                  "    routerID: 10.0.0.1\n"
	                  "    peers: [{name: a, localAddress: \"fd00::2\", localPort: 2000}]\n");
	inst = &o->u.override.instances[0];
	assert_false(inst->has_local_asn);
	assert_true(inst->has_router_id);
	assert_false(inst->peers[0].has_asn);
	assert_ip(&inst->peers[0].local_address, "fd00::2");
	assert_true(inst->peers[0].has_local_port);
	assert_int_equal(inst->peers[0].local_port, 2000);
	k8s_world_free(&w);

	assert_refused("apiVersion: cilium.io/v2\nkind: CiliumBGPNodeConfigOverride\n"
	               "metadata: {name: nn}\n"
	               "spec: {bgpInstances: [{name: i, peers: [{name: a, peerASN: 1}]}]}\n",
	               "t.yaml:4:51: CiliumBGPNodeConfigOverride/nn: "
	               "spec.bgpInstances[0].peers[0].peerASN: unknown field");
	assert_refused("apiVersion: cilium.io/v2\nkind: CiliumBGPNodeConfig\nmetadata: {name: nn}\n"
	               "spec: {bgpInstances: [{name: i, routerID: \"fd00::1\"}]}\n",
	               "t.yaml:4:43: CiliumBGPNodeConfig/nn: spec.bgpInstances[0].routerID: must "
	               "be an IPv4 address");
}

static void test_instances_max(void **state)
{
	(void)state;
	char text[2048];
	int n = snprintf(text, sizeof(text), CC_HEAD "spec:\n  bgpInstances:\n");

	for (int i = 0; i < 17; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "  - {name: i%d}\n", i);
	assert_refused(text, "t.yaml:6:3: CiliumBGPClusterConfig/c: spec.bgpInstances: must have "
	                     "at most 16 items (got 17)");
}

/* ---- kinds and versions ---- */

static void test_kinds_and_versions(void **state)
{
	(void)state;
	struct k8s_world w;
	bool known;

	assert_int_equal(k8s_kind_of("cilium.io/v2alpha1", "CiliumBGPPeerConfig", &known),
	                 K8S_BGP_PEER_CONFIG);
	assert_int_equal(k8s_kind_of("kbgp.io/v1alpha1", "LoadBalancerIPPool", &known),
	                 K8S_LB_IP_POOL);
	assert_int_equal(k8s_kind_of("discovery.k8s.io/v1", "EndpointSlice", &known),
	                 K8S_ENDPOINT_SLICE);
	assert_int_equal(k8s_kind_of("v1", "Secret", &known), K8S_SECRET);
	assert_int_equal(k8s_kind_of("kbgp.io/v1alpha1", "CiliumBGPPeerConfig", &known), -1);
	assert_true(known);
	assert_int_equal(k8s_kind_of("apps/v1", "Deployment", &known), -1);
	assert_false(known);
	assert_string_equal(k8s_kind_name(K8S_BGP_NODE_CONFIG_OVERRIDE),
	                    "CiliumBGPNodeConfigOverride");
	assert_true(k8s_kind_namespaced(K8S_ENDPOINT_SLICE));
	assert_false(k8s_kind_namespaced(K8S_NODE));

	/* v2alpha1 references may name their group and kind; kbgp.io drops
	 * the prefix; kinds of other groups and kinds kbgp leaves alone are
	 * skipped without a word. */
	k8s_world_init(&w);
	assert_int_equal(
	        k8s_world_load(&w, "t.yaml",
	                       "apiVersion: cilium.io/v2alpha1\nkind: CiliumBGPClusterConfig\n"
	                       "metadata: {name: alpha}\n"
	                       "spec:\n  bgpInstances:\n  - name: i\n    peers:\n    - name: p\n"
	                       "      peerConfigRef: {name: x, group: cilium.io, "
	                       "kind: CiliumBGPPeerConfig}\n"
	                       "---\napiVersion: kbgp.io/v1alpha1\nkind: BGPPeerConfig\n"
	                       "metadata: {name: mine}\nspec: {}\n"
	                       "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
	                       "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	                       "---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n"
	                       "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
	                       "metadata: {name: nn}\n"
	                       "---\napiVersion: kbgp.io/v1alpha1\nkind: BGPRouter\n"
	                       "metadata: {name: r}\n"),
	        0);
	assert_int_equal(w.n_objs, 2);
	assert_string_equal(get(&w, K8S_BGP_CLUSTER_CONFIG, NULL, "alpha")
	                            ->u.cluster_config.instances[0]
	                            .peers[0]
	                            .peer_config,
	                    "x");
	get(&w, K8S_BGP_PEER_CONFIG, NULL, "mine");
	k8s_world_free(&w);

	assert_refused(
	        "apiVersion: cilium.io/v2\nkind: CiliumBGPClusterConfig\nmetadata: {name: c}\n"
	        "spec:\n  bgpInstances:\n  - name: i\n    peers:\n    - name: p\n"
	        "      peerConfigRef: {name: x, group: cilium.io}\n",
	        "t.yaml:9:32: CiliumBGPClusterConfig/c: spec.bgpInstances[0].peers[0]."
	        "peerConfigRef.group: unknown field");
	assert_refused("apiVersion: cilium.io/v1\nkind: CiliumBGPPeerConfig\nmetadata: {name: p}\n",
	               "t.yaml:1:13: CiliumBGPPeerConfig/p: apiVersion: CiliumBGPPeerConfig is "
	               "served as cilium.io/v2 (or the deprecated cilium.io/v2alpha1), not "
	               "cilium.io/v1");
	assert_refused("apiVersion: cilium.io/v2\nkind: CiliumBGPPeerConfg\nmetadata: {name: p}\n",
	               "t.yaml:2:7: CiliumBGPPeerConfg/p: kind: unknown kind of cilium.io (did you "
	               "mean \"CiliumBGPPeerConfig\"?)");
	assert_refused("apiVersion: kbgp.io/v1alpha1\nkind: CiliumBGPPeerConfig\n"
	               "metadata: {name: p}\n",
	               "t.yaml:2:7: CiliumBGPPeerConfig/p: kind: kbgp.io kinds drop the \"Cilium\" "
	               "prefix (did you mean \"BGPPeerConfig\"?)");
	assert_refused("apiVersion: kbgp.io/v1alpha1\nkind: Frobnicator\nmetadata: {name: p}\n",
	               "t.yaml:2:7: Frobnicator/p: kind: unknown kind of kbgp.io");
	assert_refused("apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\n"
	               "metadata: {name: s}\n",
	               "t.yaml:1:13: EndpointSlice/s: apiVersion: EndpointSlice is served as "
	               "discovery.k8s.io/v1, not discovery.k8s.io/v1beta1");
}

/* ---- metadata ---- */

static void test_metadata(void **state)
{
	(void)state;
	struct k8s_world w;

	const struct k8s_object *o = decode_ok(
	        &w, "apiVersion: v1\nkind: Secret\n"
	            "metadata: {name: s, annotations: {note: x}}\nstringData: {password: pw}\n");
	assert_string_equal(o->meta.ns, "default");
	assert_string_equal(json_string_value(json_object_get(o->meta.annotations, "note")), "x");
	assert_null(o->meta.labels);
	assert_null(o->meta.uid);
	assert_null(o->status);
	assert_string_equal(o->meta.file, "t.yaml");
	assert_int_equal(o->meta.line, 1);
	assert_ptr_equal(o->src, &w.set.objs[0]);
	k8s_world_free(&w);

	assert_refused("apiVersion: cilium.io/v2\nkind: CiliumBGPPeerConfig\n"
	               "metadata: {name: p, namespace: kube-system}\nspec: {}\n",
	               "t.yaml:3:32: CiliumBGPPeerConfig/p: metadata.namespace: must not be set: "
	               "CiliumBGPPeerConfig is cluster-scoped");
	assert_refused("apiVersion: v1\nkind: Node\nmetadata: {name: Worker_1}\n",
	               "t.yaml:3:18: Node/Worker_1: metadata.name: must be a lowercase DNS-1123 "
	               "subdomain: a-z, 0-9, '-' and '.', starting and ending with a letter or "
	               "digit, at most 253 characters");
	assert_refused("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a.b}\n",
	               "t.yaml:3:32: Service/s: metadata.namespace: must be a lowercase DNS-1123 "
	               "label: a-z, 0-9 and '-', starting and ending with a letter or digit, at "
	               "most 63 characters");
	assert_refused("apiVersion: v1\nkind: Node\nmetadata: {labels: {a: 1}}\n",
	               "t.yaml:3:11: Node: metadata.name: required field is missing\n"
	               "t.yaml:3:24: Node: metadata.labels.a: must be a string (got integer 1; "
	               "quote it to keep the text)");
}

/* ---- selectors ---- */

static void test_selector_decoding(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o =
	        decode_ok(&w, POOL_HEAD "spec:\n  serviceSelector: {}\n  disabled: true\n");
	assert_true(o->u.pool.service_selector.present);
	assert_null(o->u.pool.service_selector.match_labels);
	assert_int_equal(o->u.pool.service_selector.n_reqs, 0);
	assert_true(o->u.pool.disabled);
	assert_true(o->u.pool.allow_first_last);
	k8s_world_free(&w);

	/* null is absent, as in Kubernetes. */
	o = decode_ok(&w, POOL_HEAD "spec:\n  serviceSelector: null\n");
	assert_false(o->u.pool.service_selector.present);
	k8s_world_free(&w);

	assert_refused(POOL_HEAD "spec:\n  serviceSelector:\n    matchExpressions:\n"
	                         "    - {key: a, operator: In}\n",
	               "t.yaml:7:7: CiliumLoadBalancerIPPool/pool: spec.serviceSelector."
	               "matchExpressions[0].values: must be specified when operator is \"In\"");
	assert_refused(POOL_HEAD "spec:\n  serviceSelector:\n    matchExpressions:\n"
	                         "    - {key: a, operator: Exists, values: [x]}\n",
	               "t.yaml:7:42: CiliumLoadBalancerIPPool/pool: spec.serviceSelector."
	               "matchExpressions[0].values: may not be specified when operator is "
	               "\"Exists\"");
	assert_refused(
	        POOL_HEAD "spec:\n  serviceSelector:\n    matchExpressions:\n"
	                  "    - {key: a, operator: in, values: [x]}\n",
	        "t.yaml:7:26: CiliumLoadBalancerIPPool/pool: spec.serviceSelector."
	        "matchExpressions[0].operator: must be one of \"In\", \"NotIn\", \"Exists\", "
	        "\"DoesNotExist\" (got \"in\")");
}

struct match_case {
	const char *selector; /* YAML of spec.serviceSelector, or NULL: absent */
	bool nil_matches;
	bool want; /* against labels app=web, tier=front */
};

static const struct match_case match_cases[] = {
	{ NULL, false, false },
	{ NULL, true, true },
	{ "{}", false, true },
	{ "{matchLabels: {app: web}}", false, true },
	{ "{matchLabels: {app: web, tier: back}}", false, false },
	{ "{matchLabels: {missing: x}}", false, false },
	{ "{matchExpressions: [{key: app, operator: In, values: [db, web]}]}", false, true },
	{ "{matchExpressions: [{key: app, operator: In, values: [db]}]}", false, false },
	{ "{matchExpressions: [{key: nope, operator: In, values: [db]}]}", false, false },
	{ "{matchExpressions: [{key: app, operator: NotIn, values: [web]}]}", false, false },
	{ "{matchExpressions: [{key: nope, operator: NotIn, values: [web]}]}", false, true },
	{ "{matchExpressions: [{key: tier, operator: Exists}]}", false, true },
	{ "{matchExpressions: [{key: nope, operator: Exists}]}", false, false },
	{ "{matchExpressions: [{key: nope, operator: DoesNotExist}]}", false, true },
	{ "{matchExpressions: [{key: app, operator: DoesNotExist}]}", false, false },
	/* The synthetic service labels take part. */
	{ "{matchLabels: {io.kubernetes.service.name: web}}", false, true },
	{ "{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: "
	  "[back]}]}",
	  false, false },
};

static void test_selector_matching(void **state)
{
	(void)state;
	json_t *labels = json_pack("{s:s, s:s}", "app", "web", "tier", "front");
	struct k8s_labels l = { .map = labels,
		                .extra_key = { "io.kubernetes.service.name" },
		                .extra_value = { "web" } };
	char text[512];

	assert_string_equal(k8s_label(&l, "tier"), "front");
	assert_string_equal(k8s_label(&l, "io.kubernetes.service.name"), "web");
	assert_null(k8s_label(&l, "nope"));
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct k8s_world w;
		snprintf(text, sizeof(text), POOL_HEAD "spec: {%s%s}\n",
		         c->selector != NULL ? "serviceSelector: " : "",
		         c->selector != NULL ? c->selector : "");
		const struct k8s_object *o = decode_ok(&w, text);
		if (k8s_selector_matches(&o->u.pool.service_selector, &l, c->nil_matches) !=
		    c->want) {
			print_error("case %zu: %s\n", i, text);
			fail();
		}
		k8s_world_free(&w);
	}
	json_decref(labels);
}

/* ---- base64 ---- */

static void test_base64(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} good[] = { { "", "" },
		     { "Zg==", "f" },
		     { "Zm8=", "fo" },
		     { "Zm9v", "foo" },
		     { "Zm9vYg==", "foob" },
		     { "Zm9vYmE=", "fooba" },
		     { "Zm9vYmFy", "foobar" },
		     { "c2VjcmV0Lys=", "secret/+" } };
	static const char *const bad[] = { "Zg",   "Zg=",  "Z===", "Zg==Zg==", "Zm9v\n",
		                           "Zm 9", "Zm9-", "=Zg=", "Zg=a" };
	uint8_t out[16];
	size_t n;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(
		        base64_decode(good[i].in, strlen(good[i].in), out, sizeof(out), &n), 0);
		assert_int_equal(n, strlen(good[i].out));
		assert_memory_equal(out, good[i].out, n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n), -1);
	/* Bounded: never past cap. */
	assert_int_equal(base64_decode("Zm9vYmFy", 8, out, 5, &n), -1);
	assert_int_equal(base64_decoded_max(8), 6);
}

static void test_secret(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(
	        &w,
	        "apiVersion: v1\nkind: Secret\nmetadata: {name: bgp-auth, namespace: kube-system}\n"
	        "type: Opaque\ndata: {password: c2VjcmV0, other: \"!!\"}\n");
	assert_string_equal(o->meta.ns, "kube-system");
	assert_string_equal(o->u.secret.password, "secret");
	k8s_world_free(&w);

	o = decode_ok(&w, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
	                  "data: {password: c2VjcmV0}\nstringData: {password: plain}\n");
	assert_string_equal(o->u.secret.password, "plain");
	k8s_world_free(&w);

	o = decode_ok(&w,
	              "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {user: eA==}\n");
	assert_null(o->u.secret.password);
	k8s_world_free(&w);

	assert_refused("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
	               "data: {password: \"c2Vj\\ncmV0\"}\n",
	               "t.yaml:4:18: Secret/s: data.password: must be base64 (RFC 4648, padded)");
	assert_refused("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
	               "data: {password: YQBi}\n",
	               "t.yaml:4:18: Secret/s: data.password: must not contain a NUL byte");
}

/* ---- core kinds ---- */

static void test_node(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(
	        &w,
	        "apiVersion: v1\nkind: Node\n"
	        "metadata:\n  name: k8s-w0\n  labels: {enable-bgp: \"true\"}\n"
	        "  managedFields: [{manager: kubelet}]\n"
	        "spec:\n  podCIDR: 172.20.2.0/24\n  podCIDRs: [172.20.2.0/24, \"fd00:2::/64\"]\n"
	        "  unschedulable: true\n  taints: [{key: a, effect: NoSchedule}]\n"
	        "status:\n  addresses:\n  - {type: InternalIP, address: 172.30.1.10}\n"
	        "  - {type: Hostname, address: k8s-w0}\n"
	        "  - {type: InternalIP, address: \"fd00::10\"}\n"
	        "  capacity: {cpu: \"2\"}\n");
	const struct k8s_node *n = &o->u.node;
	assert_int_equal(n->n_pod_cidrs, 2);
	assert_prefix(&n->pod_cidrs[1], "fd00:2::/64");
	assert_true(n->unschedulable);
	assert_int_equal(n->n_internal_ips, 2);
	assert_ip(&n->internal_ips[0], "172.30.1.10");
	assert_ip(&n->internal_ips[1], "fd00::10");
	k8s_world_free(&w);

	assert_refused("apiVersion: v1\nkind: Node\nmetadata: {name: nn}\n"
	               "status: {addresses: [{type: InternalIP, address: nope}]}\n",
	               "t.yaml:4:50: Node/nn: status.addresses[0].address: must be an IP address "
	               "(got \"nope\")");
}

static void test_service(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o = decode_ok(
	        &w, "apiVersion: v1\nkind: Service\nmetadata: {name: webpod, namespace: default}\n"
	            "spec:\n  type: LoadBalancer\n  clusterIP: 10.96.0.10\n"
	            "  clusterIPs: [10.96.0.10, \"fd00:96::10\"]\n"
	            "  externalIPs: [192.0.2.1]\n  loadBalancerClass: io.cilium/bgp-control-plane\n"
	            "  loadBalancerIP: 172.16.1.5\n  externalTrafficPolicy: Local\n"
	            "  internalTrafficPolicy: Cluster\n  ipFamilyPolicy: PreferDualStack\n"
	            "  ipFamilies: [IPv4, IPv6]\n  ports: [{port: 80, protocol: TCP}]\n"
	            "status:\n  loadBalancer:\n    ingress:\n    - {ip: 172.16.1.1, ipMode: VIP}\n"
	            "    - {hostname: lb.example.com}\n");
	const struct k8s_service *s = &o->u.service;
	assert_int_equal(s->type, K8S_SVC_LOAD_BALANCER);
	assert_int_equal(s->n_cluster_ips, 2);
	assert_ip(&s->cluster_ips[1], "fd00:96::10");
	assert_false(s->headless);
	assert_int_equal(s->n_external_ips, 1);
	assert_string_equal(s->lb_class, "io.cilium/bgp-control-plane");
	assert_true(s->has_lb_ip);
	assert_ip(&s->lb_ip, "172.16.1.5");
	assert_int_equal(s->external_tp, K8S_TP_LOCAL);
	assert_int_equal(s->internal_tp, K8S_TP_CLUSTER);
	assert_int_equal(s->ip_family_policy, K8S_IPFP_PREFER_DUAL);
	assert_int_equal(s->ip_families,
	                 BGP_AF_BIT(BGP_AF_IPV4_UNICAST) | BGP_AF_BIT(BGP_AF_IPV6_UNICAST));
	/* The hostname-only entry carries nothing to advertise. */
	assert_int_equal(s->n_ingress_ips, 1);
	assert_ip(&s->ingress_ips[0], "172.16.1.1");
	k8s_world_free(&w);

	o = decode_ok(&w, "apiVersion: v1\nkind: Service\nmetadata: {name: h}\n"
	                  "spec: {clusterIP: None, clusterIPs: [None], loadBalancerIP: \"\"}\n");
	s = &o->u.service;
	assert_int_equal(s->type, K8S_SVC_CLUSTER_IP);
	assert_true(s->headless);
	assert_int_equal(s->n_cluster_ips, 0);
	assert_false(s->has_lb_ip);
	assert_int_equal(s->external_tp, K8S_TP_CLUSTER);
	assert_int_equal(s->ip_family_policy, K8S_IPFP_SINGLE_STACK);
	assert_int_equal(s->ip_families, 0);
	k8s_world_free(&w);

	o = decode_ok(&w, "apiVersion: v1\nkind: Service\nmetadata: {name: e}\n"
	                  "spec: {type: ExternalName, clusterIP: \"\", externalName: x.example}\n");
	assert_int_equal(o->u.service.type, K8S_SVC_EXTERNAL_NAME);
	assert_int_equal(o->u.service.n_cluster_ips, 0);
	assert_false(o->u.service.headless);
	k8s_world_free(&w);

	assert_refused("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
	               "spec: {externalTrafficPolicy: local}\n",
	               "t.yaml:4:31: Service/s: spec.externalTrafficPolicy: must be one of "
	               "\"Cluster\", \"Local\" (got \"local\")");
}

static void test_endpoint_slice(void **state)
{
	(void)state;
	struct k8s_world w;
	const struct k8s_object *o =
	        decode_ok(&w, "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
	                      "metadata:\n  name: webpod-abc12\n"
	                      "  labels: {kubernetes.io/service-name: webpod}\n"
	                      "addressType: IPv4\nports: [{port: 80}]\n"
	                      "endpoints:\n"
	                      "- addresses: [172.20.0.5]\n  nodeName: k8s-cp\n"
	                      "- addresses: [172.20.1.5]\n  nodeName: k8s-w1\n"
	                      "  conditions: {ready: false, serving: true, terminating: true}\n"
	                      "- addresses: [172.20.2.5]\n  conditions: {ready: false}\n");
	const struct k8s_endpoint_slice *s = &o->u.slice;
	assert_string_equal(o->meta.ns, "default");
	assert_string_equal(s->service, "webpod");
	assert_int_equal(s->address_type, BGP_AF_IPV4_UNICAST);
	assert_int_equal(s->n_endpoints, 3);
	assert_ip(&s->endpoints[0].addresses[0], "172.20.0.5");
	assert_string_equal(s->endpoints[0].node_name, "k8s-cp");
	assert_true(s->endpoints[0].ready);
	assert_true(s->endpoints[0].serving);
	assert_false(s->endpoints[0].terminating);
	/* Terminating but still serving. */
	assert_false(s->endpoints[1].ready);
	assert_true(s->endpoints[1].serving);
	assert_true(s->endpoints[1].terminating);
	/* serving unset defers to ready. */
	assert_null(s->endpoints[2].node_name);
	assert_false(s->endpoints[2].serving);
	k8s_world_free(&w);

	o = decode_ok(&w, "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
	                  "metadata: {name: f}\naddressType: FQDN\n"
	                  "endpoints: [{addresses: [db.example.com]}]\n");
	assert_int_equal(o->u.slice.address_type, 0xff);
	assert_null(o->u.slice.service);
	assert_int_equal(o->u.slice.endpoints[0].n_addresses, 0);
	k8s_world_free(&w);

	assert_refused("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\n"
	               "addressType: IPv6\nendpoints: [{addresses: [10.0.0.1]}]\n",
	               "t.yaml:5:26: EndpointSlice/s: endpoints[0].addresses[0]: must be an IPv6 "
	               "address (addressType)");
	assert_refused(
	        "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\n",
	        "t.yaml:1:1: EndpointSlice/s: addressType: required field is missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_resources),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_peer_config_defaults),
		cmocka_unit_test(test_peer_config_rules),
		cmocka_unit_test(test_advertisement_rules),
		cmocka_unit_test(test_instance_rules),
		cmocka_unit_test(test_pool_rules),
		cmocka_unit_test(test_bad_object_refuses_only_itself),
		cmocka_unit_test(test_advertisement_values),
		cmocka_unit_test(test_node_config_and_override),
		cmocka_unit_test(test_instances_max),
		cmocka_unit_test(test_kinds_and_versions),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_selector_decoding),
		cmocka_unit_test(test_selector_matching),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_node),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_endpoint_slice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
