/*
 * agent: the node's BGP instances, kept in step with the manifests
 * (agent.h).  A change anywhere in the inputs rebuilds the desired state
 * of every instance; router_apply() turns the difference into the least
 * disturbance: new UPDATEs and withdrawals for advertisement and policy
 * changes, a session reset for timer changes, a new instance for AS,
 * router-ID or port changes.  An instance the NodeConfig no longer lists
 * stops with a Cease to its peers (the seed's maintenance flow); stopping
 * the agent itself keeps routes with graceful restart, as a restart does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/agent.h"
#include "fib/fib.h"
#include "fib/resolve.h"
#include "lib/log.h"

#define DEFAULT_RUN_DIR "/run/kbgp"
#define DEFAULT_METRICS "127.0.0.1:9962" /* cilium-agent's metrics port */
#define FIB_IMPORT_MAX  16
/* Default routes are looked at this often while a peer is discovered
 * through one (autoDiscovery DefaultGateway). */
#define GATEWAY_EVERY_MS 2000

static const double duration_bounds[AGENT_DURATION_BUCKETS] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void observe_duration(struct agent *a, double seconds)
{
	size_t b = 0;
	while (b < AGENT_DURATION_BUCKETS && seconds > duration_bounds[b])
		b++;
	a->duration_buckets[b]++;
	a->duration_sum += seconds;
	a->reconcile_runs++;
}

static struct agent_instance *instance_find(struct agent *a, const char *name)
{
	for (struct agent_instance *i = a->instances; i != NULL; i = i->next)
		if (strcmp(i->router.cfg.name, name) == 0)
			return i;
	return NULL;
}

static bool wanted(const struct cp_agent_desired *want, const char *name)
{
	for (size_t i = 0; i < want->n_instances; i++)
		if (strcmp(want->instances[i].cfg.name, name) == 0)
			return true;
	return false;
}

static void stop_unwanted(struct agent *a, const struct cp_agent_desired *want)
{
	struct agent_instance **link = &a->instances;
	while (*link != NULL) {
		struct agent_instance *i = *link;
		if (wanted(want, i->router.cfg.name)) {
			link = &i->next;
			continue;
		}
		log_emit(LOG_INFO, "agent", NULL,
		         "instance %s: no longer in the NodeConfig: stopped", i->router.cfg.name);
		*link = i->next;
		router_engine_stop(&i->router, false);
		free(i);
	}
}

static void start_instance(struct agent *a, struct router_config *cfg)
{
	struct agent_instance *i = calloc(1, sizeof(*i));
	char name[sizeof(cfg->name)];
	snprintf(name, sizeof(name), "%s", cfg->name);
	if (i == NULL || router_engine_start(&i->router, a->loop, cfg, a->run_dir) < 0) {
		log_emit(LOG_ERROR, "agent", NULL, "instance %s: cannot start", name);
		json_array_append_new(a->reconcile_errors,
		                      json_sprintf("%s: cannot start: see the log", name));
		if (i != NULL)
			router_engine_stop(&i->router, false);
		free(i);
		return;
	}
	i->next = a->instances;
	a->instances = i;
	log_emit(LOG_INFO, "agent", NULL, "instance %s: started", name);
}

static bool listed(const json_t *list, const json_t *item)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) if (json_equal(v, item)) return true;
	return false;
}

/* Errors are logged when they appear, not on every run. */
static void take_errors(struct agent *a, json_t *errors)
{
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) if (!listed(a->reconcile_errors, e))
	{
		log_emit(LOG_ERROR, "agent", NULL, "reconcile: %s", json_string_value(e));
		a->reconcile_error_total++;
	}
	json_decref(a->reconcile_errors);
	a->reconcile_errors = json_incref(errors);
}

static bool discovers_peers(const struct agent *a)
{
	const struct k8s_object *nc =
	        k8s_store_get(k8s_source_store(&a->source), K8S_BGP_NODE_CONFIG, NULL, a->node);
	for (size_t i = 0; nc != NULL && i < nc->u.node_config.n_instances; i++)
		for (size_t k = 0; k < nc->u.node_config.instances[i].n_peers; k++)
			if (nc->u.node_config.instances[i].peers[k].auto_discovery)
				return true;
	return false;
}

/* true when a default gateway appeared, went or moved. */
static bool look_up_gateways(struct agent *a)
{
	union sockaddr_any gw4, gw6;
	bool has4 = fib_default_gateway(&a->probe, BGP_AF_IPV4_UNICAST, &gw4) == 1;
	bool has6 = fib_default_gateway(&a->probe, BGP_AF_IPV6_UNICAST, &gw6) == 1;
	bool changed = has4 != a->opts.has_gateway4 || has6 != a->opts.has_gateway6 ||
	               (has4 && !addr_equal(&gw4, &a->opts.gateway4)) ||
	               (has6 && !addr_equal(&gw6, &a->opts.gateway6));
	a->opts.has_gateway4 = has4;
	a->opts.has_gateway6 = has6;
	if (has4)
		a->opts.gateway4 = gw4;
	if (has6)
		a->opts.gateway6 = gw6;
	return changed;
}

static void on_gateway_timer(struct loop_timer *t)
{
	struct agent *a = container_of(t, struct agent, gateway_timer);
	if (look_up_gateways(a))
		agent_reconcile(a);
	else if (discovers_peers(a))
		loop_timer_at(a->loop, t, loop_now(a->loop) + GATEWAY_EVERY_MS);
}

void agent_reconcile(struct agent *a)
{
	struct timespec t0;
	struct cp_agent_desired want;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (discovers_peers(a)) {
		look_up_gateways(a);
		loop_timer_at(a->loop, &a->gateway_timer, loop_now(a->loop) + GATEWAY_EVERY_MS);
	}
	if (cp_agent_derive(k8s_source_store(&a->source), &a->opts, &want) < 0) {
		log_emit(LOG_ERROR, "agent", NULL, "reconcile failed: out of memory");
		return;
	}
	take_errors(a, want.errors);
	stop_unwanted(a, &want);
	for (size_t k = 0; k < want.n_instances; k++) {
		struct router_config *cfg = &want.instances[k].cfg;
		struct agent_instance *i = instance_find(a, cfg->name);
		if (i != NULL)
			router_apply(&i->router, cfg);
		else
			start_instance(a, cfg);
	}
	cp_agent_desired_free(&want);
	observe_duration(a, seconds_since(&t0));
}

static void on_inputs_changed(void *ctx)
{
	agent_reconcile(ctx);
}

static void agent_stop(struct agent *a)
{
	agent_status_stop(a);
	loop_timer_at(a->loop, &a->gateway_timer, 0);
	nl_close(&a->probe);
	http_server_close(&a->metrics);
	ctl_server_close(&a->ctl);
	while (a->instances != NULL) {
		struct agent_instance *i = a->instances;
		a->instances = i->next;
		router_engine_stop(&i->router, true);
		free(i);
	}
	k8s_source_close(&a->source);
	json_decref(a->reconcile_errors);
	a->reconcile_errors = NULL;
}

static void stop_on_signal(void *ctx)
{
	agent_stop(ctx);
}

static void rescan_on_signal(void *ctx)
{
	k8s_source_rescan(&((struct agent *)ctx)->source);
}

static int open_sockets(struct agent *a)
{
	char path[256];
	if (mkdir(a->run_dir, 0750) < 0 && errno != EEXIST) {
		log_emit(LOG_ERROR, "agent", NULL, "cannot make %s: %s", a->run_dir,
		         strerror(errno));
		return -1;
	}
	if (a->socket_path != NULL)
		snprintf(path, sizeof(path), "%s", a->socket_path);
	else
		snprintf(path, sizeof(path), "%s/agent.sock", a->run_dir);
	if (ctl_server_open(&a->ctl, a->loop, path, agent_commands, a) < 0) {
		log_emit(LOG_ERROR, "agent", NULL, "control socket %s: %s", path, strerror(errno));
		return -1;
	}
	/* Metrics are a convenience: a port already taken costs a warning. */
	union sockaddr_any addr;
	a->metrics.fd = -1;
	errno = 0;
	if (a->metrics_addr != NULL &&
	    (addr_parse_hostport(a->metrics_addr, &addr) < 0 ||
	     http_server_open(&a->metrics, a->loop, &addr, agent_metrics, a) < 0))
		log_emit(LOG_WARN, "agent", NULL, "no metrics on %s: %s", a->metrics_addr,
		         errno != 0 ? strerror(errno) : "not ADDR:PORT");
	return 0;
}

/* Routes a previous run imported (--fib-import) stay for a graceful
 * restart; a run without the import takes them away, as the router does
 * with routes it no longer selects.  The agent owns protocol bgp in its
 * node's main table. */
static void clear_kernel_leftovers(struct agent *a, struct loop *l)
{
	struct fib_cfg cfg;
	struct fib f;
	if (a->opts.n_fib_import > 0)
		return;
	fib_cfg_default(&cfg);
	if (fib_open(&f, l, &cfg) == 0)
		fib_close(&f, false);
}

/* The agent reads what cilium-agent reads: its Node and NodeConfig, the
 * PeerConfigs and Advertisements, Services, EndpointSlices and Secrets. */
static const unsigned agent_kinds = 1u << K8S_NODE | 1u << K8S_BGP_NODE_CONFIG |
                                    1u << K8S_BGP_PEER_CONFIG | 1u << K8S_BGP_ADVERTISEMENT |
                                    1u << K8S_SERVICE | 1u << K8S_ENDPOINT_SLICE | 1u << K8S_SECRET;

static int open_source(struct agent *a, struct loop *l)
{
	if (a->endpoint != NULL) {
		struct source_api_cfg ac = {
			.endpoint = a->endpoint,
			.node = a->node,
			.secrets_ns = a->opts.secrets_ns,
			.group_version = a->api_group,
			.kinds = agent_kinds,
			.changed = on_inputs_changed,
			.ctx = a,
		};
		a->source.api = source_api_open(l, &ac);
		log_emit(LOG_INFO, "agent", NULL, "node %s: objects from %s", a->node,
		         a->endpoint->server);
		return a->source.api != NULL ? 0 : -1;
	}
	snprintf(a->operator_dir, sizeof(a->operator_dir), "%s/operator", a->state_dir);
	snprintf(a->status_dir, sizeof(a->status_dir), "%s/agents", a->state_dir);
	if (mkdir(a->state_dir, 0755) < 0 && errno != EEXIST) {
		log_emit(LOG_ERROR, "agent", NULL, "cannot make %s: %s", a->state_dir,
		         strerror(errno));
		return -1;
	}
	struct source_dir_cfg sc = {
		.dirs = { a->manifests, a->operator_dir },
		.overlay = { false, true },
		.n_dirs = 2,
		.changed = on_inputs_changed,
		.ctx = a,
	};
	a->source.dir = source_dir_open(l, &sc);
	log_emit(LOG_INFO, "agent", NULL, "node %s: manifests %s, state %s", a->node, a->manifests,
	         a->state_dir);
	return a->source.dir != NULL ? 0 : -1;
}

static int agent_start(struct agent *a, struct loop *l)
{
	a->loop = l;
	a->reconcile_errors = json_array();
	clear_kernel_leftovers(a, l);
	loop_timer_init(&a->gateway_timer, on_gateway_timer);
	if (nl_open(&a->probe, NULL) < 0) {
		log_emit(LOG_ERROR, "agent", NULL, "cannot open netlink: %s", strerror(errno));
		return -1;
	}
	if (open_source(a, l) < 0 || open_sockets(a) < 0)
		return -1;
	/* From the API, the first reconcile waits for every kind to be listed
	 * (on_inputs_changed): a partial view would withdraw routes. */
	if (a->source.dir != NULL)
		agent_reconcile(a);
	agent_status_start(a);
	daemon_signals_start(&a->signals, l, "agent", stop_on_signal, rescan_on_signal, a);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: kbgpd agent --node NAME (--manifests DIR [--state DIR] | --kubeconfig "
	        "FILE\n"
	        "                   [--context NAME] | --in-cluster) [--api-group GROUP/VERSION]\n"
	        "                   [--run-dir DIR]\n"
	        "                   [--socket PATH] [--metrics ADDR:PORT|off] [--status-report "
	        "on|off]\n"
	        "                   [--secrets-namespace NS] [--fib-import PREFIX]... [-v] "
	        "[--log-json]\n"
	        "  --node NAME          this node (default: $NODE_NAME)\n"
	        "  --manifests DIR      the Kubernetes objects, as YAML/JSON files\n"
	        "  --state DIR          what the operator and agents write, DIR/.kbgp-state\n"
	        "  --run-dir DIR        runtime state, " DEFAULT_RUN_DIR "\n"
	        "  --socket PATH        control socket, RUN_DIR/agent.sock\n"
	        "  --metrics ADDR:PORT  Prometheus /metrics, " DEFAULT_METRICS "\n"
	        "  --status-report      write CiliumBGPNodeConfig status (on)\n"
	        "  --secrets-namespace  where MD5 password Secrets are read, kube-system\n"
	        "  --fib-import PREFIX  accept received routes inside PREFIX and install them\n"
	        "                       in the node's kernel (Cilium installs nothing)\n");
}

static int parse_switch(const char *text, bool *out)
{
	if (strcmp(text, "on") == 0 || strcmp(text, "true") == 0)
		*out = true;
	else if (strcmp(text, "off") == 0 || strcmp(text, "false") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

struct agent_args {
	struct bgp_prefix fib_import[FIB_IMPORT_MAX];
	size_t n_fib_import;
	char state_dir[512];
	struct k8s_api_args api;
};

static int parse_args(int argc, char **argv, struct agent *a, struct agent_args *args)
{
	static const struct option options[] = {
		{ "node", required_argument, NULL, 'N' },
		{ "manifests", required_argument, NULL, 'M' },
		{ "state", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "status-report", required_argument, NULL, 'R' },
		{ "secrets-namespace", required_argument, NULL, 'n' },
		{ "fib-import", required_argument, NULL, 'F' },
		K8S_API_OPTIONS,
		{ "verbose", no_argument, NULL, 'v' },
		{ "log-json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "vh", options, NULL)) != -1) {
		switch (opt) {
		case 'N':
			a->node = optarg;
			break;
		case 'M':
			a->manifests = optarg;
			break;
		case 'S':
			a->state_dir = optarg;
			break;
		case 'r':
			a->run_dir = optarg;
			break;
		case 's':
			a->socket_path = optarg;
			break;
		case 'm':
			a->metrics_addr = strcmp(optarg, "off") == 0 ? NULL : optarg;
			break;
		case 'R':
			if (parse_switch(optarg, &a->status_report) < 0) {
				fprintf(stderr, "kbgpd agent: --status-report: on or off\n");
				return -1;
			}
			break;
		case 'n':
			a->opts.secrets_ns = optarg;
			break;
		case 'F':
			if (args->n_fib_import == FIB_IMPORT_MAX ||
			    bgp_prefix_parse(optarg, &args->fib_import[args->n_fib_import]) < 0) {
				fprintf(stderr,
				        "kbgpd agent: --fib-import %s: not a prefix (at most %d)\n",
				        optarg, FIB_IMPORT_MAX);
				return -1;
			}
			args->n_fib_import++;
			break;
		case 'v':
			log_set_level(LOG_DEBUG);
			break;
		case 'j':
			log_set_json(true);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			if (k8s_api_option(&args->api, opt, optarg))
				break;
			usage(stderr);
			return -1;
		}
	}
	const char *problem = a->node == NULL  ? "--node (or $NODE_NAME) is required"
	                      : optind != argc ? "unexpected arguments"
	                                       : k8s_api_args_check(&args->api, a->manifests);
	if (problem != NULL) {
		fprintf(stderr, "kbgpd agent: %s\n", problem);
		usage(stderr);
		return -1;
	}
	if (k8s_api_args_wanted(&args->api)) {
		a->endpoint = k8s_api_endpoint(&args->api, "kbgpd agent");
		a->api_group = args->api.group;
		if (a->endpoint == NULL)
			return -1;
	} else if (a->state_dir == NULL) {
		snprintf(args->state_dir, sizeof(args->state_dir), "%s/.kbgp-state", a->manifests);
		a->state_dir = args->state_dir;
	}
	a->opts.node = a->node;
	a->opts.fib_import = args->fib_import;
	a->opts.n_fib_import = args->n_fib_import;
	return 0;
}

int agent_main(int argc, char **argv)
{
	static struct agent a;
	static struct agent_args args;
	struct loop l;

	a.node = getenv("NODE_NAME");
	a.run_dir = DEFAULT_RUN_DIR;
	a.metrics_addr = DEFAULT_METRICS;
	a.status_report = true;
	a.ctl.fd = -1;
	a.metrics.fd = -1;
	if (parse_args(argc, argv, &a, &args) < 0)
		return 2;
	if (loop_init(&l) < 0 || agent_start(&a, &l) < 0)
		return 1;
	loop_run(&l);
	return 0;
}
