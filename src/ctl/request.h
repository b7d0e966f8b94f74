/*
 * request: one line of the control protocol (docs/control-socket.md), read
 * and answered.  Pure: the server feeds it lines, the fuzzer too.
 */
#ifndef KBGP_CTL_REQUEST_H
#define KBGP_CTL_REQUEST_H

#include <jansson.h>
#include <stddef.h>

#define CTL_VERSION     1
#define CTL_REQUEST_MAX (64u << 10)

/* A command a daemon answers: the result, or NULL with a message in err. */
struct ctl_command {
	const char *name;
	json_t *(*run)(void *ctx, const json_t *args, char *err, size_t err_len);
};

/* Answer one request line (without its newline) with the commands of
 * `commands` (ended by a NULL name): the answer line, newline included,
 * to free(); *fatal when the client must be dropped after it (not JSON,
 * wrong version). */
char *ctl_answer(const struct ctl_command *commands, void *ctx, const char *line, size_t len,
                 int *fatal);

/* The request line a client sends for command with args (NULL: none;
 * the caller keeps its reference); free() it. */
char *ctl_request_line(const char *command, json_t *args);

#endif
