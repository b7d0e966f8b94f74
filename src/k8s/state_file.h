/*
 * state_file: what the operator and the agents write for each other into
 * the state directory, as Kubernetes objects in JSON (`kind: List`), one
 * file per writer and subject.  A file is replaced atomically (written
 * beside, then renamed), and only when its content changes, so readers
 * watching the directory never see half a file nor a write that changed
 * nothing.
 */
#ifndef KBGP_K8S_STATE_FILE_H
#define KBGP_K8S_STATE_FILE_H

#include <jansson.h>

struct state_file {
	char path[512];
	char *last; /* what was last written, or NULL */
};

int state_file_init(struct state_file *f, const char *dir, const char *name);
void state_file_free(struct state_file *f);
/* Write items as a `kind: List`; 0 also when nothing changed, -1 (errno)
 * when the write failed. */
int state_file_write(struct state_file *f, const json_t *items);
/* The current time as RFC 3339 UTC ("2026-11-26T10:00:00Z"). */
void state_now(char out[32]);

#endif
