/*
 * client: a blocking control-socket call with a deadline.
 */
#include "ctl/client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/request.h"

#define CALL_TIMEOUT_MS 30000

static int connect_to(const char *path, char *err, size_t err_len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, err_len, "%s: path too long for a socket", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, err_len, "cannot reach kbgpd at %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The answer line, to free(); NULL on error or timeout. */
static char *read_line(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf != NULL) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, CALL_TIMEOUT_MS) <= 0)
			break;
		if (n == cap) {
			char *grown = realloc(buf, cap *= 2);
			if (grown == NULL)
				break;
			buf = grown;
		}
		ssize_t k = recv(fd, buf + n, cap - n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		char *nl = memchr(buf + n, '\n', (size_t)k);
		n += (size_t)k;
		if (nl != NULL) {
			*len = (size_t)(nl - buf);
			return buf;
		}
	}
	free(buf);
	return NULL;
}

json_t *ctl_call(const char *socket_path, const char *command, json_t *args, char *err,
                 size_t err_len)
{
	int fd = connect_to(socket_path, err, err_len);
	if (fd < 0)
		return NULL;
	char *req = ctl_request_line(command, args);
	size_t len = 0;
	char *line =
	        req != NULL && send_all(fd, req, strlen(req)) == 0 ? read_line(fd, &len) : NULL;
	free(req);
	close(fd);
	if (line == NULL) {
		snprintf(err, err_len, "no answer from kbgpd at %s", socket_path);
		return NULL;
	}
	json_error_t jerr;
	json_t *answer = json_loadb(line, len, 0, &jerr);
	free(line);
	json_t *result = json_object_get(answer, "result");
	if (json_is_true(json_object_get(answer, "ok")) && result != NULL) {
		json_incref(result);
		json_decref(answer);
		return result;
	}
	const char *why = json_string_value(json_object_get(answer, "error"));
	snprintf(err, err_len, "%s", why != NULL ? why : "malformed answer from kbgpd");
	json_decref(answer);
	return NULL;
}
