/*
 * agent_ctl: what the agent answers on its control socket and /metrics.
 * The BGP views are the router's (every instance is an embedded router),
 * their `instances` lists joined, so kbgpctl renders an agent exactly as
 * it renders a router; the agent adds what only it knows: the problems
 * of its manifests and of the last reconciliation, and what it derived.
 */
#include <string.h>

#include "agent/agent.h"
#include "router/router_ctl.h"

#define MAX_INSTANCES 16 /* bgpInstances maxItems */

static struct agent *agent_of(void *ctx)
{
	return ctx;
}

/* Instances in NodeConfig order (the list is kept newest first). */
static size_t instances(struct agent *a, struct router **out)
{
	size_t n = 0;
	for (struct agent_instance *i = a->instances; i != NULL && n < MAX_INSTANCES; i = i->next)
		out[n++] = &i->router;
	for (size_t k = 0; k < n / 2; k++) {
		struct router *t = out[k];
		out[k] = out[n - 1 - k];
		out[n - 1 - k] = t;
	}
	return n;
}

static json_t *joined(struct agent *a, const char *command, const json_t *args, char *err,
                      size_t err_len)
{
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(a, rs);
	json_t *all = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *answer = router_call(rs[i], command, args, err, err_len);
		if (answer == NULL) {
			json_decref(all);
			return NULL;
		}
		json_array_extend(all, json_object_get(answer, "instances"));
		json_decref(answer);
	}
	return json_pack("{s:o}", "instances", all);
}

static json_t *cmd_peers(void *ctx, const json_t *args, char *err, size_t err_len)
{
	return joined(agent_of(ctx), "peers", args, err, err_len);
}

static json_t *cmd_routes(void *ctx, const json_t *args, char *err, size_t err_len)
{
	return joined(agent_of(ctx), "routes", args, err, err_len);
}

static json_t *cmd_route_policies(void *ctx, const json_t *args, char *err, size_t err_len)
{
	return joined(agent_of(ctx), "route-policies", args, err, err_len);
}

/* Keyed by instance name. */
static json_t *cmd_stats(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(agent_of(ctx), rs);
	json_t *all = json_object();
	for (size_t i = 0; i < n; i++) {
		json_t *answer = router_call(rs[i], "stats", args, err, err_len);
		json_object_update(all, answer);
		json_decref(answer);
	}
	return all;
}

static json_t *cmd_config(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(agent_of(ctx), rs);
	json_t *all = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *answer = router_call(rs[i], "config", args, err, err_len);
		if (answer != NULL)
			json_array_append_new(all, answer);
	}
	return json_pack("{s:o}", "instances", all);
}

/* The node's kernel table is one, whichever instance imports into it. */
static json_t *cmd_fib(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(agent_of(ctx), rs);
	for (size_t i = 0; i < n; i++)
		if (rs[i]->fib_on)
			return router_call(rs[i], "fib", args, err, err_len);
	snprintf(err, err_len,
	         "this agent installs no routes in the kernel (kbgpd agent --fib-import PREFIX)");
	return NULL;
}

static json_t *cmd_clear(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(agent_of(ctx), rs);
	for (size_t i = 0; i < n; i++) {
		json_t *answer = router_call(rs[i], "clear", args, err, err_len);
		if (answer != NULL || strncmp(err, "no neighbor", 11) != 0)
			return answer;
	}
	if (n == 0)
		snprintf(err, err_len, "this node has no BGP instance");
	return NULL;
}

static json_t *cmd_reload(void *ctx, const json_t *args, char *err, size_t err_len)
{
	(void)args, (void)err, (void)err_len;
	k8s_source_rescan(&agent_of(ctx)->source);
	return json_object();
}

static json_t *cmd_problems(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct agent *a = agent_of(ctx);
	(void)args, (void)err, (void)err_len;
	return json_pack("{s:o, s:O}", "manifests", k8s_source_problems(&a->source), "reconcile",
	                 a->reconcile_errors);
}

static json_t *cmd_desired(void *ctx, const json_t *args, char *err, size_t err_len)
{
	struct agent *a = agent_of(ctx);
	struct cp_agent_desired want;
	(void)args;
	if (cp_agent_derive(k8s_source_store(&a->source), &a->opts, &want) < 0) {
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	json_t *answer = cp_agent_desired_json(&want);
	cp_agent_desired_free(&want);
	return answer;
}

const struct ctl_command agent_commands[] = {
	{ "peers", cmd_peers },
	{ "routes", cmd_routes },
	{ "route-policies", cmd_route_policies },
	{ "stats", cmd_stats },
	{ "config", cmd_config },
	{ "fib", cmd_fib },
	{ "clear", cmd_clear },
	{ "reload", cmd_reload },
	{ "problems", cmd_problems },
	{ "desired", cmd_desired },
	{ NULL, NULL },
};

static void reconcile_metrics(const struct agent *a, FILE *out)
{
	static const char *const bounds[AGENT_DURATION_BUCKETS] = {
		"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10",
	};
	const char *name = "kbgp_bgp_control_plane_reconcile_run_duration_seconds";
	uint64_t cumulative = 0;
	metrics_help(out, "kbgp_bgp_control_plane_reconcile_errors_total", "counter",
	             "reconciliation errors (as in the NodeConfig's BGPReconcileError)");
	fprintf(out, "kbgp_bgp_control_plane_reconcile_errors_total{vrouter=\"%s\"} %lu\n", a->node,
	        a->reconcile_error_total);
	metrics_help(out, name, "histogram", "time to apply a change of the inputs");
	for (size_t b = 0; b < AGENT_DURATION_BUCKETS; b++) {
		cumulative += a->duration_buckets[b];
		fprintf(out, "%s_bucket{le=\"%s\"} %llu\n", name, bounds[b],
		        (unsigned long long)cumulative);
	}
	cumulative += a->duration_buckets[AGENT_DURATION_BUCKETS];
	fprintf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %lu\n", name,
	        (unsigned long long)cumulative, name, a->duration_sum, name, a->reconcile_runs);
}

void agent_metrics(void *ctx, FILE *out)
{
	struct agent *a = agent_of(ctx);
	struct router *rs[MAX_INSTANCES];
	size_t n = instances(a, rs);
	router_metrics_sessions((const struct router *const *)rs, n, out);
	reconcile_metrics(a, out);
	if (a->source.api != NULL) {
		metrics_help(
		        out, "kbgp_k8s_api_connected", "gauge",
		        "1 while every watch of the API server runs; 0: the last view is kept");
		fprintf(out, "kbgp_k8s_api_connected %d\n", source_api_connected(a->source.api));
	}
	router_metrics_health((const struct router *const *)rs, n, 0, out);
}
