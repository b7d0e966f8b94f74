/*
 * resources: kubectl's `get` views of the objects kbgp reads: the tables
 * `kubectl get` prints (its columns, its tabwriter, its ages, its messages
 * for nothing found), and the List (or single object) it prints with
 * -o json|yaml.  Pure: a k8s_store and a query in, text out; the caller
 * fills the store (kbgpctl/local: a manifests directory).
 *
 * The columns are those of the API server's table for each kind: Cilium's
 * CRD printer columns, and kubectl's printers for Service and Node.
 */
#ifndef KBGP_CTL_RESOURCES_H
#define KBGP_CTL_RESOURCES_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "k8s/store.h"

/* "5m56s", "3h", "2d", "<unknown>", "<invalid>": fits this many bytes. */
#define RES_AGE_MAX 24

enum res_output { RES_TEXT, RES_JSON, RES_YAML };

struct res_query {
	enum k8s_kind kind;
	const char *name;    /* one object, or NULL for all */
	const char *ns;      /* namespaced kinds: which namespace ("default") */
	bool all_namespaces; /* -A: every namespace, with a NAMESPACE column */
	time_t now;          /* what ages are counted from */
	enum res_output output;
};

/* The kind a kubectl resource word names ("svc", "ippool",
 * "ciliumbgpnodeconfigs.cilium.io", any case); -1 when none. */
int res_kind_of(const char *word);

/* kubectl's AGE of an RFC 3339 creationTimestamp (NULL: "<unknown>"). */
void res_age(const char *timestamp, time_t now, char out[RES_AGE_MAX]);

/* `kubectl get` for q: the view on out, kubectl's messages on err.  0, or
 * 1 when the named object does not exist or writing failed. */
int res_get(FILE *out, FILE *err, const struct k8s_store *s, const struct res_query *q);

#endif
