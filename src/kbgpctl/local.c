/*
 * local: a manifests directory read the way kbgpd's operator reads it
 * (local.h): the same files, the same catalog, read once instead of
 * watched; `kbgpctl get` on the result; the agents' control sockets.
 */
#include "kbgpctl/local.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/agent.h"
#include "ctl/resources.h"
#include "k8s/manifest.h"
#include "k8s/objects.h"
#include "k8s/source_dir.h"

void local_state_dir(const char *manifests, const char *state, char *out, size_t cap)
{
	if (state != NULL)
		snprintf(out, cap, "%s", state);
	else
		snprintf(out, cap, "%s/.kbgp-state", manifests);
}

/* ---- reading a directory ---- */

typedef void file_fn(const char *path, const char *text, size_t len, void *ctx);

/* fn for every manifest file of dir, and a warning to err (unless NULL) for
 * each that cannot be read; -1 (errno) when dir cannot be read. */
static int for_each_manifest(const char *dir, file_fn *fn, void *ctx, FILE *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char path[PATH_MAX];
		size_t len;
		if (!source_dir_manifest_name(e->d_name) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		errno = 0;
		char *text = source_dir_read_file(path, &len);
		if (text == NULL && err != NULL)
			fprintf(err, "Warning: %s: cannot read: %s\n", path, strerror(errno));
		else if (text != NULL)
			fn(path, text, len, ctx);
		free(text);
	}
	closedir(d);
	return 0;
}

/* ---- the catalog ---- */

struct put_ctx {
	struct k8s_catalog *catalog;
	bool overlay;
};

static void put_file(const char *path, const char *text, size_t len, void *ctx)
{
	struct put_ctx *p = ctx;
	k8s_catalog_put(p->catalog, path, p->overlay, text, len, NULL);
}

/* A state subdirectory: missing until the operator or an agent ran. */
static void put_overlays(struct k8s_catalog *c, const char *state, const char *sub, FILE *err)
{
	char dir[PATH_MAX];
	struct put_ctx ctx = { c, true };
	snprintf(dir, sizeof(dir), "%s/%s", state, sub);
	if (for_each_manifest(dir, put_file, &ctx, err) < 0 && errno != ENOENT)
		fprintf(err, "Warning: %s: %s\n", dir, strerror(errno));
}

static void print_warnings(FILE *err, json_t *problems)
{
	size_t i;
	json_t *p;
	json_array_foreach(problems, i, p) fprintf(err, "Warning: %s\n", json_string_value(p));
	json_decref(problems);
}

struct k8s_catalog *local_load(const char *dir, const char *state, FILE *err)
{
	struct k8s_catalog *c = k8s_catalog_new(true);
	struct put_ctx base = { c, false };
	if (c == NULL) {
		fprintf(err, "kbgpctl: out of memory\n");
		return NULL;
	}
	if (for_each_manifest(dir, put_file, &base, err) < 0) {
		fprintf(err, "kbgpctl: %s: %s\n", dir, strerror(errno));
		k8s_catalog_free(c);
		return NULL;
	}
	put_overlays(c, state, "operator", err);
	put_overlays(c, state, "agents", err);
	k8s_catalog_build(c, NULL);
	print_warnings(err, k8s_catalog_problems(c));
	return c;
}

/* ---- the agents' sockets ---- */

struct agents_ctx {
	struct local_agent *out;
	size_t cap, n;
};

/* Each agent writes one NodeConfig status, annotated with its socket. */
static void take_agent(const struct manifest_obj *mo, struct agents_ctx *a)
{
	bool known_group;
	const json_t *annotations =
	        json_object_get(json_object_get(mo->root, "metadata"), "annotations");
	const char *socket =
	        json_string_value(json_object_get(annotations, AGENT_SOCKET_ANNOTATION));
	if (k8s_kind_of(mo->api_version, mo->kind, &known_group) != K8S_BGP_NODE_CONFIG ||
	    mo->name == NULL || socket == NULL)
		return;
	if (a->n < a->cap) {
		struct local_agent *agent = &a->out[a->n];
		snprintf(agent->node, sizeof(agent->node), "%s", mo->name);
		snprintf(agent->socket, sizeof(agent->socket), "%s", socket);
	}
	a->n++;
}

static void read_agent_file(const char *path, const char *text, size_t len, void *ctx)
{
	struct manifest_set set;
	manifest_set_init(&set, NULL);
	manifest_load(&set, path, text, len);
	for (size_t i = 0; i < set.n_objs; i++)
		take_agent(&set.objs[i], ctx);
	manifest_set_free(&set);
}

static int agent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct local_agent *)a)->node, ((const struct local_agent *)b)->node);
}

size_t local_agents(const char *state, struct local_agent *out, size_t cap)
{
	char dir[PATH_MAX];
	struct agents_ctx a = { out, cap, 0 };
	snprintf(dir, sizeof(dir), "%s/agents", state);
	/* A file that cannot be read names no socket; kbgpctl get warns of it. */
	for_each_manifest(dir, read_agent_file, &a, NULL);
	if (a.n <= cap)
		qsort(out, a.n, sizeof(*out), agent_cmp);
	return a.n;
}

/* ---- kbgpctl get ---- */

static int get_usage(void)
{
	fprintf(stderr,
	        "usage: kbgpctl --manifests DIR [--state DIR] [-o json|yaml|text] get\n"
	        "               nodeconfigs|ippools|services|nodes [NAME] [-n NAMESPACE|-A]\n");
	return 2;
}

/* Words and options after `get` (the global ones come before it, as for
 * every kbgpctl command); -1 on a usage error. */
static int parse_get(struct res_query *q, const char **words, int argc, char **argv)
{
	int n_words = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if ((strcmp(arg, "-n") == 0 || strcmp(arg, "--namespace") == 0) && i + 1 < argc)
			q->ns = argv[++i];
		else if (strcmp(arg, "-A") == 0 || strcmp(arg, "--all-namespaces") == 0)
			q->all_namespaces = true;
		else if (arg[0] == '-' || n_words == 2)
			return -1;
		else
			words[n_words++] = arg;
	}
	return n_words;
}

int cmd_get(const struct ctl_opts *o, int argc, char **argv)
{
	struct res_query q = { .ns = "default", .now = time(NULL) };
	const char *words[2] = { NULL, NULL };
	if (parse_get(&q, words, argc, argv) < 1)
		return get_usage();
	if (o->manifests == NULL) {
		fprintf(stderr, "kbgpctl get: which manifests? --manifests DIR\n");
		return 2;
	}
	int kind = res_kind_of(words[0]);
	if (kind < 0) {
		fprintf(stderr, "error: the server doesn't have a resource type \"%s\"\n",
		        words[0]);
		return 1;
	}
	char state[PATH_MAX];
	local_state_dir(o->manifests, o->state, state, sizeof(state));
	struct k8s_catalog *c = local_load(o->manifests, state, stderr);
	if (c == NULL)
		return 1;
	q.kind = (enum k8s_kind)kind;
	q.name = words[1];
	q.output = o->yaml ? RES_YAML : o->json ? RES_JSON : RES_TEXT;
	int rc = res_get(stdout, stderr, k8s_catalog_store(c), &q);
	k8s_catalog_free(c);
	return rc;
}
