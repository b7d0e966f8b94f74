/*
 * source_dir: Kubernetes objects from directories of manifest files, the
 * embedded default source (no cluster needed).  Every *.yaml, *.yml and
 * *.json file of each directory (not hidden, not in subdirectories) is
 * read; inotify says when one is written, renamed or removed, and the
 * store is rebuilt a few milliseconds later, once a burst of writes is
 * over.  Problems are logged once, when the file that has them changes,
 * and stay listed until it is fixed (catalog.h: nothing valid is lost).
 */
#ifndef KBGP_K8S_SOURCE_DIR_H
#define KBGP_K8S_SOURCE_DIR_H

#include <stdbool.h>

#include <jansson.h>

#include "k8s/store.h"
#include "lib/loop.h"

#define SOURCE_DIR_MAX 4

struct source_dir_cfg {
	const char *dirs[SOURCE_DIR_MAX];
	bool overlay[SOURCE_DIR_MAX]; /* controllers' output (catalog.h) */
	size_t n_dirs;
	/* The store changed (not called from inside source_dir_open()). */
	void (*changed)(void *ctx);
	void *ctx;
};

struct source_dir;

/* Reads every directory once (one that does not exist yet is made, empty,
 * so it can be watched); NULL with a log line if that fails. */
struct source_dir *source_dir_open(struct loop *l, const struct source_dir_cfg *cfg);
void source_dir_close(struct source_dir *s);
const struct k8s_store *source_dir_store(const struct source_dir *s);
/* Every current problem, "FILE:LINE:COL: ..." strings (to decref). */
json_t *source_dir_problems(const struct source_dir *s);
/* Re-read the whole directories now (kbgpctl reload, SIGHUP). */
void source_dir_rescan(struct source_dir *s);

/* Whether a file name is one the source reads (*.yaml, *.yml, *.json, not
 * hidden), and a whole file's text (NUL-terminated, at most 16 MiB; NULL
 * with errno): for readers of the same directories (kbgpctl). */
bool source_dir_manifest_name(const char *name);
char *source_dir_read_file(const char *path, size_t *len);

#endif
