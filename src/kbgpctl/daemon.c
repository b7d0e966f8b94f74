/*
 * daemon: kbgpctl commands backed by the control socket.  Each command
 * turns its words into a request, asks every target, and hands the results
 * to a renderer (ctl/render_*), or prints them as JSON with -o json.
 */
#include "kbgpctl/daemon.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/cilium_args.h"
#include "ctl/client.h"
#include "ctl/render_cilium.h"
#include "ctl/render_frr.h"
#include "ctl/yaml_out.h"
#include "kbgpctl/local.h"

#define RUN_DIR "/run/kbgp"

int ctl_global_option(struct ctl_opts *o, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	bool dir = strcmp(arg, "--manifests") == 0 || strcmp(arg, "--state") == 0;
	if (strcmp(arg, "-s") != 0 && strcmp(arg, "--socket") != 0 && strcmp(arg, "-o") != 0 &&
	    strcmp(arg, "--output") != 0 && !dir)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "kbgpctl: %s needs a value\n", arg);
		return -1;
	}
	const char *value = argv[++*i];
	if (dir) {
		*(strcmp(arg, "--state") == 0 ? &o->state : &o->manifests) = value;
		return 1;
	}
	if (arg[1] == 'o' || strcmp(arg, "--output") == 0) {
		if (strcmp(value, "json") != 0 && strcmp(value, "yaml") != 0 &&
		    strcmp(value, "text") != 0) {
			fprintf(stderr, "kbgpctl: -o json, yaml or text, not %s\n", value);
			return -1;
		}
		o->json = strcmp(value, "text") != 0;
		o->yaml = strcmp(value, "yaml") == 0;
		return 1;
	}
	if (o->n_targets == CTL_SOCKETS_MAX) {
		fprintf(stderr, "kbgpctl: at most %d sockets\n", CTL_SOCKETS_MAX);
		return -1;
	}
	struct ctl_target *t = &o->targets[o->n_targets++];
	char *eq = strchr(value, '=');
	t->node = NULL;
	t->path = value;
	if (eq != NULL) {
		*eq = '\0';
		t->node = value;
		t->path = eq + 1;
	}
	return 1;
}

/* --manifests without -s: its agents, as if each were named with -s. */
static int agent_targets(struct ctl_opts *o)
{
	static struct local_agent agents[CTL_SOCKETS_MAX];
	char state[PATH_MAX];
	local_state_dir(o->manifests, o->state, state, sizeof(state));
	size_t n = local_agents(state, agents, CTL_SOCKETS_MAX);
	if (n == 0 || n > CTL_SOCKETS_MAX) {
		fprintf(stderr,
		        n == 0 ? "kbgpctl: no agent socket named in %s/agents: is kbgpd agent "
		                 "running? (-s PATH)\n"
		               : "kbgpctl: too many agents in %s/agents: pick them with -s\n",
		        state);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		o->targets[o->n_targets++] =
		        (struct ctl_target){ agents[i].node, agents[i].socket };
	return 0;
}

int ctl_default_target(struct ctl_opts *o)
{
	static char found[512];
	if (o->manifests != NULL)
		return agent_targets(o);
	size_t n = 0;
	DIR *d = opendir(RUN_DIR);
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".sock") == 0 && n++ == 0)
			snprintf(found, sizeof(found), RUN_DIR "/%s", e->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (n == 1) {
		o->targets[o->n_targets++] = (struct ctl_target){ NULL, found };
		return 0;
	}
	fprintf(stderr,
	        n == 0 ? "kbgpctl: no kbgpd socket in " RUN_DIR ": is kbgpd running? (-s PATH)\n"
	               : "kbgpctl: several kbgpd sockets in " RUN_DIR ": pick one with -s PATH\n");
	return -1;
}

/* Ask every target; results in an object keyed by node name (the socket
 * path when unnamed), or NULL when any failed (printed). */
static json_t *ask_all(const struct ctl_opts *o, const char *command, json_t *args)
{
	json_t *all = json_object();
	int failed = 0;
	for (size_t i = 0; i < o->n_targets; i++) {
		char err[512];
		const struct ctl_target *t = &o->targets[i];
		json_t *r = ctl_call(t->path, command, args, err, sizeof(err));
		if (r == NULL) {
			fprintf(stderr, "kbgpctl: %s%s%s\n", t->node != NULL ? t->node : "",
			        t->node != NULL ? ": " : "", err);
			failed = 1;
			continue;
		}
		json_object_set_new(all, t->node != NULL ? t->node : t->path, r);
	}
	json_decref(args);
	if (failed) {
		json_decref(all);
		return NULL;
	}
	return all;
}

static void print_value(const struct ctl_opts *o, const json_t *v)
{
	if (o->yaml) {
		yaml_write(stdout, v);
		return;
	}
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	putchar('\n');
}

/* -o json|yaml: one node's answer as it is, several keyed by node. */
static int print_json(const struct ctl_opts *o, json_t *all)
{
	print_value(o, o->n_targets == 1 ? json_object_iter_value(json_object_iter(all)) : all);
	json_decref(all);
	return 0;
}

/* One node: cilium-dbg's layout; several: cilium-cli's, node by node. */
static int cilium_view(const struct ctl_opts *o, json_t *all, int (*dbg)(FILE *, const json_t *),
                       int (*cli)(FILE *, const json_t *))
{
	if (all == NULL)
		return 1;
	if (o->json)
		return print_json(o, all);
	int rc = o->n_targets == 1 ? dbg(stdout, json_object_iter_value(json_object_iter(all)))
	                           : cli(stdout, all);
	json_decref(all);
	return rc < 0;
}

static bool print_peer_column; /* the routes layouts' extra argument */

static int dbg_routes(FILE *out, const json_t *result)
{
	return cilium_dbg_routes(out, result, print_peer_column);
}

static int cli_routes(FILE *out, const json_t *by_node)
{
	return cilium_cli_routes(out, by_node, print_peer_column);
}

static int cli_policies(FILE *out, const json_t *by_node)
{
	/* cilium-cli has no route-policies: one table per node. */
	const char *node;
	json_t *result;
	json_object_foreach((json_t *)by_node, node, result)
	{
		fprintf(out, "== %s ==\n", node);
		if (cilium_dbg_route_policies(out, result) < 0)
			return -1;
	}
	return 0;
}

static int bgp_routes(const struct ctl_opts *o, int argc, char **argv)
{
	struct cilium_routes_args a;
	if (cilium_routes_args(argc, argv, o->json, &a) < 0) {
		fputs(a.error, stderr);
		return 1;
	}
	fputs(a.notice, stdout);
	json_t *args = json_pack("{s:s, s:s, s:s}", "table", a.table, "afi", a.afi, "safi", a.safi);
	if (a.peer[0] != '\0')
		json_object_set_new(args, "neighbor", json_string(a.peer));
	if (a.has_vrouter)
		json_object_set_new(args, "instance", json_integer(a.vrouter));
	/* cilium-cli shows the Peer column for the advertised table, always. */
	print_peer_column = o->n_targets == 1 ? a.print_peer : strcmp(a.table, "adj-rib-out") == 0;
	return cilium_view(o, ask_all(o, "routes", args), dbg_routes, cli_routes);
}

/* Cilium's views: bgp peers, bgp routes ..., bgp route-policies. */
int cmd_bgp(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "peers") == 0 || strcmp(argv[1], "neighbors") == 0))
		return cilium_view(o, ask_all(o, "peers", NULL), cilium_dbg_peers,
		                   cilium_cli_peers);
	if (argc >= 2 && strcmp(argv[1], "routes") == 0)
		return bgp_routes(o, argc - 2, argv + 2);
	if (argc >= 2 && (strcmp(argv[1], "route-policies") == 0 || strcmp(argv[1], "rps") == 0))
		return cilium_view(o, ask_all(o, "route-policies", NULL), cilium_dbg_route_policies,
		                   cli_policies);
	fprintf(stderr,
	        "usage: kbgpctl bgp peers\n"
	        "       kbgpctl bgp routes [available|advertised] [AFI] [SAFI] [vrouter ASN] "
	        "[peer ADDRESS]\n"
	        "       kbgpctl bgp route-policies [vrouter ASN]\n");
	return 2;
}

/* One target's answer to command with args, or NULL (printed). */
static json_t *ask_one(const struct ctl_target *t, const char *command, json_t *args)
{
	char err[512];
	json_t *r = ctl_call(t->path, command, args, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "kbgpctl: %s%s%s\n", t->node != NULL ? t->node : "",
		        t->node != NULL ? ": " : "", err);
	return r;
}

/* What `show` asks for, from its words. */
struct frr_view {
	enum { VIEW_SUMMARY, VIEW_TABLE, VIEW_PREFIX, VIEW_ROUTES } kind;
	const char *afi;
	const char *prefix;
	bool af_heading; /* show ip bgp summary prints its family */
};

static int parse_show(int argc, char **argv, struct frr_view *v)
{
	int i = 1;
	*v = (struct frr_view){ .kind = VIEW_TABLE, .afi = "ipv4" };
	if (argc > 3 && (strcmp(argv[1], "ip") == 0 || strcmp(argv[1], "ipv6") == 0) &&
	    strcmp(argv[2], "route") == 0 && strcmp(argv[3], "bgp") == 0) {
		v->kind = VIEW_ROUTES;
		v->afi = argv[1][2] == 'v' ? "ipv6" : "ipv4";
		return argc == 4 ? 0 : -1;
	}
	if (argc > 2 && strcmp(argv[1], "ip") == 0 && strcmp(argv[2], "bgp") == 0) {
		i = 3;
		v->af_heading = true;
	} else if (argc > 1 && strcmp(argv[1], "bgp") == 0) {
		i = 2;
		if (i < argc && (strcmp(argv[i], "ipv4") == 0 || strcmp(argv[i], "ipv6") == 0))
			v->afi = argv[i++];
		if (i < argc && strcmp(argv[i], "unicast") == 0)
			i++;
	} else {
		return -1;
	}
	if (i == argc)
		return 0;
	if (i + 1 != argc)
		return -1;
	if (strcmp(argv[i], "summary") == 0)
		v->kind = VIEW_SUMMARY;
	else {
		v->kind = VIEW_PREFIX;
		v->prefix = argv[i];
		v->afi = strchr(argv[i], ':') != NULL ? "ipv6" : v->afi;
	}
	return 0;
}

static json_t *routes_args(const struct frr_view *v, const char *table)
{
	json_t *a = json_pack("{s:s, s:s}", "table", table, "afi", v->afi);
	if (v->prefix != NULL)
		json_object_set_new(a, "prefix", json_string(v->prefix));
	return a;
}

/* Ask one target what the view needs and print it. */
static int frr_view(const struct ctl_opts *o, const struct ctl_target *t, const struct frr_view *v)
{
	json_t *main_answer = NULL, *extra = NULL, *stats = ask_one(t, "stats", NULL);
	json_t *args = NULL;
	int rc = -1;
	switch (v->kind) {
	case VIEW_SUMMARY:
		main_answer = ask_one(t, "peers", NULL);
		break;
	case VIEW_TABLE:
	case VIEW_PREFIX:
		main_answer = ask_one(t, "routes", args = routes_args(v, "loc-rib"));
		json_decref(args);
		if (v->kind == VIEW_PREFIX) {
			extra = ask_one(t, "routes", args = routes_args(v, "adj-rib-out"));
			json_decref(args);
		}
		break;
	case VIEW_ROUTES:
		main_answer = ask_one(t, "fib", NULL);
		extra = ask_one(t, "routes", args = routes_args(v, "loc-rib"));
		json_decref(args);
		break;
	}
	if (main_answer != NULL && o->json) {
		print_value(o, main_answer);
		rc = 0;
	} else if (main_answer != NULL) {
		switch (v->kind) {
		case VIEW_SUMMARY:
			rc = frr_show_bgp_summary(stdout, main_answer, v->afi, v->af_heading,
			                          stats);
			break;
		case VIEW_TABLE:
			rc = frr_show_bgp(stdout, main_answer, stats);
			break;
		case VIEW_PREFIX:
			rc = frr_show_bgp_prefix(stdout, main_answer, extra, stats, time(NULL));
			break;
		case VIEW_ROUTES:
			rc = frr_show_route_bgp(stdout, main_answer, v->afi, extra);
			break;
		}
	}
	json_decref(main_answer);
	json_decref(extra);
	json_decref(stats);
	return rc < 0;
}

/* FRR's views, node after node. */
int cmd_show(const struct ctl_opts *o, int argc, char **argv)
{
	struct frr_view v;
	if (argc == 2 && strcmp(argv[1], "running-config") == 0) {
		/* The effective configuration, as the manifest it reads back as. */
		struct ctl_opts as_yaml = *o;
		as_yaml.json = true;
		as_yaml.yaml = !o->json || o->yaml;
		json_t *all = ask_all(o, "config", NULL);
		return all == NULL ? 1 : print_json(&as_yaml, all);
	}
	if (parse_show(argc, argv, &v) < 0) {
		fprintf(stderr, "usage: kbgpctl show ip bgp [summary|PREFIX]\n"
		                "       kbgpctl show bgp [ipv4|ipv6] [unicast] [summary|PREFIX]\n"
		                "       kbgpctl show ip|ipv6 route bgp\n"
		                "       kbgpctl show running-config\n");
		return 2;
	}
	int rc = 0;
	for (size_t i = 0; i < o->n_targets; i++) {
		const struct ctl_target *t = &o->targets[i];
		if (o->n_targets > 1)
			printf("%s== %s ==\n", i > 0 ? "\n" : "",
			       t->node != NULL ? t->node : t->path);
		rc |= frr_view(o, t, &v);
	}
	return rc;
}

int cmd_clear(const struct ctl_opts *o, int argc, char **argv)
{
	/* clear bgp NEIGHBOR [soft [in|out]] */
	if (argc < 3 || strcmp(argv[1], "bgp") != 0) {
		fprintf(stderr, "usage: kbgpctl clear bgp NEIGHBOR [soft in|soft out]\n");
		return 2;
	}
	const char *mode = "hard";
	if (argc >= 5 && strcmp(argv[3], "soft") == 0)
		mode = strcmp(argv[4], "in") == 0 ? "soft-in" : "soft-out";
	json_t *all =
	        ask_all(o, "clear", json_pack("{s:s, s:s}", "neighbor", argv[2], "mode", mode));
	json_decref(all);
	return all == NULL;
}

int cmd_reload(const struct ctl_opts *o, int argc, char **argv)
{
	(void)argc, (void)argv;
	json_t *all = ask_all(o, "reload", NULL);
	json_decref(all);
	return all == NULL;
}

/* kbgpctl call COMMAND [KEY=VALUE...]: any request, the raw result. */
int cmd_call(const struct ctl_opts *o, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kbgpctl call COMMAND [KEY=VALUE...]\n");
		return 2;
	}
	json_t *args = json_object();
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL) {
			fprintf(stderr, "kbgpctl call: %s is not KEY=VALUE\n", argv[i]);
			json_decref(args);
			return 2;
		}
		*eq = '\0';
		json_object_set_new(args, argv[i], json_string(eq + 1));
	}
	json_t *all = ask_all(o, argv[1], args);
	return all == NULL ? 1 : print_json(o, all);
}
