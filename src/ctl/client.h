/*
 * client: kbgpctl's side of the control socket: one request, one answer.
 */
#ifndef KBGP_CTL_CLIENT_H
#define KBGP_CTL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

/* Ask the daemon at socket_path; its result (to json_decref), or NULL
 * with the reason in err (the daemon's error, or why it could not be
 * asked).  args may be NULL. */
json_t *ctl_call(const char *socket_path, const char *command, json_t *args, char *err,
                 size_t err_len);

#endif
