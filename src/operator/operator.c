/*
 * operator: the `kbgpd operator` role, what cilium-operator's BGP and
 * LB-IPAM controllers (and the cluster-pool IPAM) do once per cluster:
 * per-node CiliumBGPNodeConfigs, LoadBalancer IPs, PodCIDRs, and the
 * conditions of ClusterConfigs, PeerConfigs and pools.  The derivations
 * are pure (src/cp); this file reads the manifests, runs them whenever an
 * input changes, and writes the results into the state directory the
 * agents watch: DIR/operator/nodeconfigs.json (the NodeConfigs),
 * status.json (statuses) and nodes.json (allocated PodCIDRs).  It reads
 * its own output back, which is what makes allocations sticky across
 * restarts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cp/lbipam.h"
#include "cp/nodeconfig.h"
#include "cp/podcidr.h"
#include "k8s/source.h"
#include "k8s/state_file.h"
#include "ctl/http.h"
#include "lib/daemon_signals.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "operator/lease.h"
#include "operator/operator.h"
#include "operator/operator_api.h"

struct operator
{
	struct loop *loop;
	const char *manifests, *state_dir;
	char own_dir[512], agents_dir[512], state_default[512];
	struct cp_operator_cfg cfg;
	bool has_router_id_cidr;
	bool has_pod_pool;
	struct bgp_prefix pod_pool;
	uint8_t pod_mask;
	struct k8s_source source;
	struct k8s_api_args api;
	struct kube_endpoint *endpoint; /* the API server, or NULL: manifests */
	bool leader_elect;
	struct lease lease;
	struct state_file nodeconfigs, statuses, nodes;
	json_t *errors; /* of the last derivation, logged when they appear */
	unsigned long derivations, errors_total;
	const char *metrics_addr;
	struct http_server metrics;
	struct daemon_signals signals;
};

static json_t *status_object(const char *api_version, const char *kind, const char *key,
                             json_t *status)
{
	char ns[256] = "";
	const char *slash = strchr(key, '/');
	const char *name = key;
	if (slash != NULL) {
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - key), key);
		name = slash + 1;
	}
	json_t *meta = json_pack("{s:s}", "name", name);
	if (ns[0] != '\0')
		json_object_set_new(meta, "namespace", json_string(ns));
	return json_pack("{s:s, s:s, s:o, s:O}", "apiVersion", api_version, "kind", kind,
	                 "metadata", meta, "status", status);
}

/* {"NAME": STATUS, ...} → status overlays of one kind. */
static void add_statuses(json_t *items, const char *api_version, const char *kind,
                         const json_t *by_name)
{
	const char *key;
	json_t *status;
	json_object_foreach((json_t *)by_name, key, status)
	        json_array_append_new(items, status_object(api_version, kind, key, status));
}

static json_t *node_overlays(const json_t *by_node)
{
	json_t *items = json_array();
	const char *name;
	json_t *cidrs;
	json_object_foreach((json_t *)by_node, name, cidrs) json_array_append_new(
	        items, json_pack("{s:s, s:s, s:{s:s}, s:{s:O}}", "apiVersion", "v1", "kind", "Node",
	                         "metadata", "name", name, "spec", "podCIDRs", cidrs));
	return items;
}

static bool listed(const json_t *list, const json_t *item)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (json_equal(v, item)) return true;
	return false;
}

static void collect_errors(json_t *into, const json_t *result)
{
	json_array_extend(into, json_object_get(result, "errors"));
}

static void take_errors(struct operator* o, json_t *errors)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!listed(o->errors, e))
	{
		log_emit(LOG_ERROR, "operator", NULL, "%s", json_string_value(e));
		o->errors_total++;
	}
	json_decref(o->errors);
	o->errors = errors;
}

static void write_or_log(struct state_file *f, const json_t *items)
{
	if (state_file_write(f, items) < 0)
		log_emit(LOG_ERROR, "operator", NULL, "cannot write %s: %s", f->path,
		         strerror(errno));
}

/* Into the state directory: the files agents read as overlays. */
static void write_files(struct operator* o, const json_t *nc, const json_t *lb, const json_t *pod)
{
	json_t *statuses = json_array();
	add_statuses(statuses, "cilium.io/v2", "CiliumBGPClusterConfig",
	             json_object_get(nc, "clusterConfigs"));
	add_statuses(statuses, "cilium.io/v2", "CiliumBGPPeerConfig",
	             json_object_get(nc, "peerConfigs"));
	add_statuses(statuses, "cilium.io/v2", "CiliumLoadBalancerIPPool",
	             json_object_get(lb, "pools"));
	add_statuses(statuses, "v1", "Service", json_object_get(lb, "services"));
	json_t *nodes = node_overlays(json_object_get(pod, "nodes"));

	/* PodCIDRs and IPs first: a NodeConfig's agent finds them in place. */
	write_or_log(&o->nodes, nodes);
	write_or_log(&o->statuses, statuses);
	write_or_log(&o->nodeconfigs, json_object_get(nc, "nodeConfigs"));
	json_decref(nodes);
	json_decref(statuses);
}

static void derive(struct operator* o)
{
	const struct k8s_store *s = k8s_source_store(&o->source);
	char now[32];
	state_now(now);
	o->cfg.now = now;

	json_t *nc = cp_node_configs(s, &o->cfg);
	json_t *lb = cp_lbipam(s, now);
	json_t *pod = o->has_pod_pool ? cp_podcidr(s, &o->pod_pool, o->pod_mask) : NULL;
	json_t *errors = json_array();

	o->derivations++;
	collect_errors(errors, nc);
	collect_errors(errors, lb);
	collect_errors(errors, pod);
	if (o->source.api == NULL)
		write_files(o, nc, lb, pod);
	else if (lease_held(&o->lease))
		operator_api_write(o->source.api, nc, lb, pod);
	take_errors(o, errors);
	json_decref(nc);
	json_decref(lb);
	json_decref(pod);
}

static void on_inputs_changed(void *ctx)
{
	derive(ctx);
}

static void operator_stop(struct operator* o)
{
	http_server_close(&o->metrics);
	lease_stop(&o->lease);
	k8s_source_close(&o->source);
	state_file_free(&o->nodeconfigs);
	state_file_free(&o->statuses);
	state_file_free(&o->nodes);
	json_decref(o->errors);
	o->errors = NULL;
}

static void stop_on_signal(void *ctx)
{
	operator_stop(ctx);
}

static void rescan_on_signal(void *ctx)
{
	k8s_source_rescan(&((struct operator*)ctx)->source);
}

/* What cilium-operator's BGP and LB-IPAM controllers read. */
static const unsigned operator_kinds = 1u << K8S_NODE | 1u << K8S_BGP_CLUSTER_CONFIG |
                                       1u << K8S_BGP_PEER_CONFIG | 1u << K8S_BGP_NODE_CONFIG |
                                       1u << K8S_BGP_NODE_CONFIG_OVERRIDE | 1u << K8S_LB_IP_POOL |
                                       1u << K8S_SERVICE | 1u << K8S_SECRET;

/* Leadership won: write what the current view says at once. */
static void on_lease_changed(void *ctx)
{
	struct operator* o = ctx;
	if (lease_held(&o->lease) && source_api_synced(o->source.api))
		derive(o);
}

static int open_api(struct operator* o, struct loop *l)
{
	struct source_api_cfg ac = {
		.endpoint = o->endpoint,
		.secrets_ns = o->cfg.secrets_ns,
		.group_version = o->api.group,
		.kinds = operator_kinds,
		.changed = on_inputs_changed,
		.ctx = o,
	};
	o->source.api = source_api_open(l, &ac);
	if (o->source.api == NULL)
		return -1;
	log_emit(LOG_INFO, "operator", NULL, "objects from %s", o->endpoint->server);
	if (o->leader_elect) {
		const char *ns = getenv("POD_NAMESPACE"), *me = getenv("POD_NAME");
		char host[128];
		if (me == NULL && gethostname(host, sizeof(host)) == 0)
			me = host;
		lease_start(&o->lease, l, source_api_client(o->source.api),
		            ns != NULL ? ns : o->endpoint->namespace_, "kbgp-operator",
		            me != NULL ? me : "kbgp-operator", on_lease_changed, o);
	}
	return 0;
}

/* Cilium's operator metric, and what a probe needs to know. */
static void operator_metrics(void *ctx, FILE *out)
{
	const struct operator* o = ctx;
	metrics_help(out, "kbgp_operator_bgp_control_plane_reconcile_errors_total", "counter",
	             "errors found deriving NodeConfigs, LB IPs and PodCIDRs");
	fprintf(out, "kbgp_operator_bgp_control_plane_reconcile_errors_total %lu\n",
	        o->errors_total);
	metrics_help(out, "kbgp_operator_derivations_total", "counter", "derivations run");
	fprintf(out, "kbgp_operator_derivations_total %lu\n", o->derivations);
	metrics_help(out, "kbgp_operator_leader", "gauge", "1 while this replica writes");
	fprintf(out, "kbgp_operator_leader %d\n", lease_held(&o->lease));
}

static void open_metrics(struct operator* o)
{
	union sockaddr_any addr;
	o->metrics.fd = -1;
	errno = 0;
	if (o->metrics_addr != NULL &&
	    (addr_parse_hostport(o->metrics_addr, &addr) < 0 ||
	     http_server_open(&o->metrics, o->loop, &addr, operator_metrics, o) < 0))
		log_emit(LOG_WARN, "operator", NULL, "no metrics on %s: %s", o->metrics_addr,
		         errno != 0 ? strerror(errno) : "not ADDR:PORT");
}

static int operator_start(struct operator* o, struct loop *l)
{
	o->loop = l;
	o->errors = json_array();
	open_metrics(o);
	if (o->endpoint != NULL) {
		if (open_api(o, l) < 0)
			return -1;
		daemon_signals_start(&o->signals, l, "operator", stop_on_signal, rescan_on_signal,
		                     o);
		return 0;
	}
	snprintf(o->own_dir, sizeof(o->own_dir), "%s/operator", o->state_dir);
	snprintf(o->agents_dir, sizeof(o->agents_dir), "%s/agents", o->state_dir);
	if ((mkdir(o->state_dir, 0755) < 0 && errno != EEXIST) ||
	    state_file_init(&o->nodeconfigs, o->own_dir, "nodeconfigs.json") < 0 ||
	    state_file_init(&o->statuses, o->own_dir, "status.json") < 0 ||
	    state_file_init(&o->nodes, o->own_dir, "nodes.json") < 0) {
		log_emit(LOG_ERROR, "operator", NULL, "cannot use %s: %s", o->state_dir,
		         strerror(errno));
		return -1;
	}
	struct source_dir_cfg sc = {
		.dirs = { o->manifests, o->own_dir, o->agents_dir },
		.overlay = { false, true, true },
		.n_dirs = 3,
		.changed = on_inputs_changed,
		.ctx = o,
	};
	o->source.dir = source_dir_open(l, &sc);
	if (o->source.dir == NULL)
		return -1;
	log_emit(LOG_INFO, "operator", NULL, "manifests %s, state %s", o->manifests, o->state_dir);
	derive(o);
	daemon_signals_start(&o->signals, l, "operator", stop_on_signal, rescan_on_signal, o);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: kbgpd operator --manifests DIR | --kubeconfig FILE | --in-cluster\n"
	        "                      [--state DIR] [--status-report on|off] [--leader-elect]\n"
	        "                      [--router-id-allocation-mode default|ip-pool]\n"
	        "                      [--router-id-allocation-ip-pool CIDR]\n"
	        "                      [--pod-cidr-pool CIDR [--pod-cidr-mask-size N]]\n"
	        "                      [--secrets-namespace NS] [-v] [--log-json]\n"
	        "  --manifests DIR        the Kubernetes objects, as YAML/JSON files\n"
	        "  --state DIR            where derived objects are written, DIR/.kbgp-state\n"
	        "  --status-report        conditions on ClusterConfigs and PeerConfigs (on)\n"
	        "  --pod-cidr-pool CIDR   cluster-pool IPAM: a PodCIDR for every Node without\n"
	        "                         one (Cilium's clusterPoolIPv4PodCIDRList)\n"
	        "  --pod-cidr-mask-size N the size of each, 24 (clusterPoolIPv4MaskSize)\n"
	        "  --kubeconfig FILE      read and write the API server (--context NAME)\n"
	        "  --in-cluster           the same, with the pod's service account\n"
	        "  --leader-elect         with several replicas, one writes (a Lease)\n"
	        "  --metrics ADDR:PORT    Prometheus /metrics (off by default)\n");
}

static int fail(const char *what)
{
	fprintf(stderr, "kbgpd operator: %s\n", what);
	usage(stderr);
	return -1;
}

static int parse_option(struct operator* o, int opt, const char *arg)
{
	char *end;
	unsigned long n;
	switch (opt) {
	case 'M':
		o->manifests = arg;
		return 0;
	case 'S':
		o->state_dir = arg;
		return 0;
	case 'R':
		if (strcmp(arg, "on") != 0 && strcmp(arg, "off") != 0)
			return fail("--status-report: on or off");
		o->cfg.status_report = strcmp(arg, "on") == 0;
		return 0;
	case 'm':
		if (strcmp(arg, "default") != 0 && strcmp(arg, "ip-pool") != 0)
			return fail("--router-id-allocation-mode: default or ip-pool");
		o->cfg.router_id_pool = strcmp(arg, "ip-pool") == 0;
		return 0;
	case 'p':
		if (bgp_prefix_parse(arg, &o->cfg.router_id_cidr) < 0 ||
		    o->cfg.router_id_cidr.af != BGP_AF_IPV4_UNICAST)
			return fail("--router-id-allocation-ip-pool: an IPv4 CIDR");
		o->has_router_id_cidr = true;
		return 0;
	case 'P':
		if (bgp_prefix_parse(arg, &o->pod_pool) < 0)
			return fail("--pod-cidr-pool: a CIDR");
		o->has_pod_pool = true;
		return 0;
	case 'k':
		n = strtoul(arg, &end, 10);
		if (*end != '\0' || n == 0 || n > 128)
			return fail("--pod-cidr-mask-size: 1 to 128");
		o->pod_mask = (uint8_t)n;
		return 0;
	case 'n':
		o->cfg.secrets_ns = arg;
		return 0;
	case 'L':
		o->leader_elect = true;
		return 0;
	case 'x':
		o->metrics_addr = strcmp(arg, "off") == 0 ? NULL : arg;
		return 0;
	case 'v':
		log_set_level(LOG_DEBUG);
		return 0;
	case 'j':
		log_set_json(true);
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		if (k8s_api_option(&o->api, opt, arg))
			return 0;
		usage(stderr);
		return -1;
	}
}

static int parse_args(int argc, char **argv, struct operator* o)
{
	static const struct option options[] = {
		{ "manifests", required_argument, NULL, 'M' },
		{ "state", required_argument, NULL, 'S' },
		{ "status-report", required_argument, NULL, 'R' },
		{ "router-id-allocation-mode", required_argument, NULL, 'm' },
		{ "router-id-allocation-ip-pool", required_argument, NULL, 'p' },
		{ "pod-cidr-pool", required_argument, NULL, 'P' },
		{ "pod-cidr-mask-size", required_argument, NULL, 'k' },
		{ "secrets-namespace", required_argument, NULL, 'n' },
		{ "leader-elect", no_argument, NULL, 'L' },
		{ "metrics", required_argument, NULL, 'x' },
		K8S_API_OPTIONS,
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1)
		if (parse_option(o, opt, optarg) < 0)
			return -1;
	const char *problem =
	        optind != argc ? "unexpected arguments" : k8s_api_args_check(&o->api, o->manifests);
	if (problem != NULL)
		return fail(problem);
	if (o->leader_elect && !k8s_api_args_wanted(&o->api))
		return fail("--leader-elect needs the API server (--kubeconfig or --in-cluster)");
	if (o->cfg.router_id_pool && !o->has_router_id_cidr)
		return fail("--router-id-allocation-mode ip-pool needs "
		            "--router-id-allocation-ip-pool");
	if (o->has_pod_pool && o->pod_mask <= o->pod_pool.len)
		return fail("--pod-cidr-mask-size must be longer than the pool's prefix");
	if (k8s_api_args_wanted(&o->api)) {
		o->endpoint = k8s_api_endpoint(&o->api, "kbgpd operator");
		return o->endpoint != NULL ? 0 : -1;
	}
	if (o->state_dir == NULL) {
		snprintf(o->state_default, sizeof(o->state_default), "%s/.kbgp-state",
		         o->manifests);
		o->state_dir = o->state_default;
	}
	return 0;
}

int operator_main(int argc, char **argv)
{
	static struct operator o;
	struct loop l;
	o.cfg.status_report = true;
	o.pod_mask = 24;
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (loop_init(&l) < 0 || operator_start(&o, &l) < 0)
		return 1;
	loop_run(&l);
	return 0;
}
