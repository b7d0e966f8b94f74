/*
 * source: the directory or the API server, behind one face (source.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/source.h"

const struct k8s_store *k8s_source_store(const struct k8s_source *s)
{
	return s->api != NULL ? source_api_store(s->api) : source_dir_store(s->dir);
}

json_t *k8s_source_problems(const struct k8s_source *s)
{
	return s->api != NULL ? source_api_problems(s->api) : source_dir_problems(s->dir);
}

void k8s_source_rescan(struct k8s_source *s)
{
	if (s->dir != NULL)
		source_dir_rescan(s->dir);
}

void k8s_source_close(struct k8s_source *s)
{
	source_dir_close(s->dir);
	source_api_close(s->api);
	s->dir = NULL;
	s->api = NULL;
}

bool k8s_api_option(struct k8s_api_args *a, int opt, const char *arg)
{
	switch (opt - K8S_API_OPT_BASE) {
	case 1:
		a->kubeconfig = arg;
		return true;
	case 2:
		a->context = arg;
		return true;
	case 3:
		a->in_cluster = true;
		return true;
	case 4:
		a->group = arg;
		return true;
	default:
		return false;
	}
}

bool k8s_api_args_wanted(const struct k8s_api_args *a)
{
	return a->kubeconfig != NULL || a->in_cluster;
}

const char *k8s_api_args_check(const struct k8s_api_args *a, const char *manifests)
{
	if (a->kubeconfig != NULL && a->in_cluster)
		return "--kubeconfig and --in-cluster: one or the other";
	if (k8s_api_args_wanted(a) && manifests != NULL)
		return "--manifests and the API server: one source or the other";
	if (!k8s_api_args_wanted(a) && manifests == NULL)
		return "--manifests DIR, --kubeconfig FILE or --in-cluster is required";
	if (a->group != NULL && strcmp(a->group, "cilium.io/v2") != 0 &&
	    strcmp(a->group, "kbgp.io/v1alpha1") != 0)
		return "--api-group: cilium.io/v2 or kbgp.io/v1alpha1";
	return NULL;
}

struct kube_endpoint *k8s_api_endpoint(const struct k8s_api_args *a, const char *who)
{
	char err[512];
	struct kube_endpoint *e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	int rc = a->in_cluster ? kube_endpoint_in_cluster("", e, err, sizeof(err))
	                       : kube_endpoint_from_kubeconfig(a->kubeconfig, a->context, e, err,
	                                                       sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", who, err);
		free(e);
		return NULL;
	}
	return e;
}
