/*
 * source: where the objects come from, one of the two sources behind one
 * face: a directory of manifests (source_dir) or the API server
 * (source_api).  The roles read the store through it and never care which.
 */
#ifndef KBGP_K8S_SOURCE_H
#define KBGP_K8S_SOURCE_H

#include <getopt.h>
#include <stdbool.h>

#include <jansson.h>

#include "k8s/source_api.h"
#include "k8s/source_dir.h"

struct k8s_source {
	struct source_dir *dir; /* exactly one of the two */
	struct source_api *api;
};

const struct k8s_store *k8s_source_store(const struct k8s_source *s);
json_t *k8s_source_problems(const struct k8s_source *s);
/* Read the directory again (the API keeps itself in step). */
void k8s_source_rescan(struct k8s_source *s);
void k8s_source_close(struct k8s_source *s);

/* The command-line options that choose the API server over a manifests
 * directory, shared by the roles: --kubeconfig FILE [--context NAME],
 * --in-cluster, --api-group GROUP/VERSION. */
struct k8s_api_args {
	const char *kubeconfig, *context, *group;
	bool in_cluster;
};
#define K8S_API_OPT_BASE 0x1000
#define K8S_API_OPTIONS                                                                            \
	{ "kubeconfig", required_argument, NULL, K8S_API_OPT_BASE + 1 },                           \
	        { "context", required_argument, NULL, K8S_API_OPT_BASE + 2 },                      \
	        { "in-cluster", no_argument, NULL, K8S_API_OPT_BASE + 3 },                         \
	{                                                                                          \
		"api-group", required_argument, NULL, K8S_API_OPT_BASE + 4                         \
	}
/* true when opt was one of them. */
bool k8s_api_option(struct k8s_api_args *a, int opt, const char *arg);
bool k8s_api_args_wanted(const struct k8s_api_args *a);
/* NULL, or why the options do not make one source. */
const char *k8s_api_args_check(const struct k8s_api_args *a, const char *manifests);
/* The server to talk to; NULL after printing why to stderr. */
struct kube_endpoint *k8s_api_endpoint(const struct k8s_api_args *a, const char *who);

#endif
