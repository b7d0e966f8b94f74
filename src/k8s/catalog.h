/*
 * catalog: the objects of a set of manifest files, kept through edits, as
 * one store.  It owns the rule that bad input never costs a good object:
 * when a file that changed has any error, every object it held before and
 * no longer yields in a valid form is kept, in its last valid version, and
 * reported as kept.  Deleting the file (or writing it back without errors)
 * is how objects go.
 *
 * Files come in layers.  Base layers (the user's manifests) hold objects.
 * Overlay layers (what the operator and the agents write) hold what
 * controllers own: objects nobody authors (CiliumBGPNodeConfig), and, for
 * objects of the base layers, their status and a Node's allocated
 * spec.podCIDRs, merged onto the base object before it is decoded, as the
 * API server merges a status subresource.  An overlay whose object is gone
 * is ignored.
 *
 * Files of nothing but Services and EndpointSlices, by far the most
 * numerous objects, keep no trees once decoded (k8s_object_detach); a
 * Service's overlay then replaces its status in place.
 *
 * No I/O here: the caller reads files (source_dir) and hands their text in.
 */
#ifndef KBGP_K8S_CATALOG_H
#define KBGP_K8S_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "k8s/store.h"

struct k8s_catalog;

/* keep_trees: every object keeps the tree it was decoded from (kbgpctl
 * shows objects as written); otherwise Services and EndpointSlices let
 * theirs go (see above). */
struct k8s_catalog *k8s_catalog_new(bool keep_trees);
void k8s_catalog_free(struct k8s_catalog *c);
/* A file's current text: every problem found is added to problems (a JSON
 * array of strings, may be NULL) and counted in the return value. */
size_t k8s_catalog_put(struct k8s_catalog *c, const char *path, bool overlay, const char *text,
                       size_t len, json_t *problems);
/* The file is gone, and its objects with it. */
void k8s_catalog_remove(struct k8s_catalog *c, const char *path);
bool k8s_catalog_has(const struct k8s_catalog *c, const char *path);
/* Rebuild the store after puts and removes; duplicates (one kind,
 * namespace and name in two places: the first file in path order wins) are
 * added to problems. */
void k8s_catalog_build(struct k8s_catalog *c, json_t *problems);
const struct k8s_store *k8s_catalog_store(const struct k8s_catalog *c);
/* Every current problem of every file, "FILE:LINE:COL: ..." strings. */
json_t *k8s_catalog_problems(const struct k8s_catalog *c);

#endif
