/*
 * http: GET /metrics.
 */
#include "ctl/http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_MAX 8192
#define CLIENT_MS   5000

struct http_client {
	struct http_server *server;
	int fd;
	struct loop_io io;
	struct loop_timer deadline;
	char in[REQUEST_MAX];
	size_t in_len;
	char *out;
	size_t out_len, out_done;
};

static void client_drop(struct http_client *c)
{
	struct http_server *s = c->server;
	for (size_t i = 0; i < HTTP_CLIENTS_MAX; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	loop_io_set(s->loop, &c->io, 0);
	loop_timer_at(s->loop, &c->deadline, 0);
	close(c->fd);
	free(c->out);
	free(c);
}

static void on_deadline(struct loop_timer *t)
{
	client_drop(container_of(t, struct http_client, deadline));
}

/* The whole answer to the request line in c->in. */
static void respond(struct http_client *c)
{
	char *body = NULL;
	size_t body_len = 0;
	const char *status = "200 OK";
	FILE *out = open_memstream(&body, &body_len);
	if (out == NULL) {
		client_drop(c);
		return;
	}
	if (strncmp(c->in, "GET ", 4) != 0) {
		status = "405 Method Not Allowed";
		fputs("only GET\n", out);
	} else if (strncmp(c->in + 4, "/metrics ", 9) != 0 &&
	           strncmp(c->in + 4, "/metrics?", 9) != 0) {
		status = "404 Not Found";
		fputs("kbgpd serves /metrics\n", out);
	} else {
		c->server->metrics(c->server->ctx, out);
	}
	fclose(out);
	FILE *resp = open_memstream(&c->out, &c->out_len);
	if (resp != NULL) {
		fprintf(resp,
		        "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
		        "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		        status, body_len);
		fwrite(body, 1, body_len, resp);
		fclose(resp);
	}
	free(body);
	loop_io_set(c->server->loop, &c->io, LOOP_WRITE);
}

static void on_client(struct loop_io *io, unsigned events)
{
	struct http_client *c = container_of(io, struct http_client, io);
	if (events & LOOP_WRITE) {
		ssize_t n =
		        send(c->fd, c->out + c->out_done, c->out_len - c->out_done, MSG_NOSIGNAL);
		if (n > 0)
			c->out_done += (size_t)n;
		if ((n < 0 && errno != EAGAIN && errno != EINTR) || c->out_done == c->out_len)
			client_drop(c);
		return;
	}
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_drop(c);
		return;
	}
	c->in_len += (size_t)n;
	c->in[c->in_len] = '\0';
	if (strstr(c->in, "\r\n\r\n") != NULL || strstr(c->in, "\n\n") != NULL)
		respond(c);
	else if (c->in_len == sizeof(c->in) - 1)
		client_drop(c); /* a request no scraper sends */
}

static void on_accept(struct loop_io *io, unsigned events)
{
	struct http_server *s = container_of(io, struct http_server, io);
	(void)events;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	size_t slot = 0;
	while (slot < HTTP_CLIENTS_MAX && s->clients[slot] != NULL)
		slot++;
	struct http_client *c = slot < HTTP_CLIENTS_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		close(fd);
		return;
	}
	c->server = s;
	c->fd = fd;
	s->clients[slot] = c;
	loop_io_init(&c->io, fd, on_client);
	loop_io_set(s->loop, &c->io, LOOP_READ);
	loop_timer_init(&c->deadline, on_deadline);
	loop_timer_at(s->loop, &c->deadline, loop_now(s->loop) + CLIENT_MS);
}

int http_server_open(struct http_server *s, struct loop *l, const union sockaddr_any *addr,
                     void (*metrics)(void *ctx, FILE *out), void *ctx)
{
	int one = 1;
	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->metrics = metrics;
	s->ctx = ctx;
	s->fd = socket(addr->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->fd, &addr->sa, addr_len(addr)) < 0 || listen(s->fd, HTTP_CLIENTS_MAX) < 0) {
		int saved = errno;
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	loop_io_init(&s->io, s->fd, on_accept);
	loop_io_set(l, &s->io, LOOP_READ);
	return 0;
}

void http_server_close(struct http_server *s)
{
	if (s->fd < 0)
		return;
	for (size_t i = 0; i < HTTP_CLIENTS_MAX; i++)
		if (s->clients[i] != NULL)
			client_drop(s->clients[i]);
	loop_io_set(s->loop, &s->io, 0);
	close(s->fd);
	s->fd = -1;
}

void metrics_help(FILE *out, const char *name, const char *type, const char *text)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}
