/*
 * server: control socket connections.
 */
#include "ctl/server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"

#define STALL_MS 10000

struct ctl_client {
	struct ctl_server *server;
	int fd;
	struct loop_io io;
	struct loop_timer stall;
	char in[CTL_REQUEST_MAX + 1];
	size_t in_len;
	char *out;
	size_t out_len, out_done;
	bool closing; /* drop once the answer is out */
};

static void client_drop(struct ctl_client *c)
{
	struct ctl_server *s = c->server;
	for (size_t i = 0; i < CTL_CLIENTS_MAX; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	loop_io_set(s->loop, &c->io, 0);
	loop_timer_at(s->loop, &c->stall, 0);
	close(c->fd);
	free(c->out);
	free(c);
}

static void on_stall(struct loop_timer *t)
{
	client_drop(container_of(t, struct ctl_client, stall));
}

static void client_watch(struct ctl_client *c)
{
	bool writing = c->out_done < c->out_len;
	unsigned events = writing ? LOOP_WRITE : (c->closing ? 0 : LOOP_READ);
	if (events == 0) {
		client_drop(c);
		return;
	}
	loop_io_set(c->server->loop, &c->io, events);
	/* A client with something pending has 10 s to move it along. */
	bool pending = writing || c->in_len > 0;
	loop_timer_at(c->server->loop, &c->stall,
	              pending ? loop_now(c->server->loop) + STALL_MS : 0);
}

static void queue_answer(struct ctl_client *c, char *line, bool fatal)
{
	if (line == NULL) {
		c->closing = true;
		return;
	}
	size_t n = strlen(line);
	char *grown = realloc(c->out, c->out_len + n);
	if (grown == NULL) {
		free(line);
		c->closing = true;
		return;
	}
	memcpy(grown + c->out_len, line, n);
	free(line);
	c->out = grown;
	c->out_len += n;
	c->closing |= fatal;
}

/* Answer every whole line read so far. */
static void answer_lines(struct ctl_client *c)
{
	struct ctl_server *s = c->server;
	char *start = c->in, *nl;
	while (!c->closing && (nl = memchr(start, '\n', c->in_len - (size_t)(start - c->in)))) {
		int fatal = 1;
		queue_answer(c,
		             ctl_answer(s->commands, s->ctx, start, (size_t)(nl - start), &fatal),
		             fatal);
		start = nl + 1;
	}
	c->in_len -= (size_t)(start - c->in);
	memmove(c->in, start, c->in_len);
	if (c->in_len == sizeof(c->in)) { /* a line longer than any request */
		int fatal = 1;
		queue_answer(c, ctl_answer(s->commands, s->ctx, c->in, c->in_len, &fatal), true);
	}
}

static void client_read(struct ctl_client *c)
{
	ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->closing = true;
		return;
	}
	c->in_len += (size_t)n;
	answer_lines(c);
}

static void client_write(struct ctl_client *c)
{
	ssize_t n = send(c->fd, c->out + c->out_done, c->out_len - c->out_done, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		c->closing = true;
		c->out_done = c->out_len;
		return;
	}
	c->out_done += (size_t)n;
	if (c->out_done == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_done = 0;
		answer_lines(c); /* requests that came while the answer went out */
	}
}

static void on_client(struct loop_io *io, unsigned events)
{
	struct ctl_client *c = container_of(io, struct ctl_client, io);
	if (events & LOOP_WRITE)
		client_write(c);
	else if (events & LOOP_READ)
		client_read(c);
	client_watch(c);
}

static void on_accept(struct loop_io *io, unsigned events)
{
	struct ctl_server *s = container_of(io, struct ctl_server, io);
	(void)events;
	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	size_t slot = 0;
	while (slot < CTL_CLIENTS_MAX && s->clients[slot] != NULL)
		slot++;
	struct ctl_client *c = slot < CTL_CLIENTS_MAX ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		log_emit(LOG_WARN, "ctl", NULL, "control socket: too many clients, one refused");
		close(fd);
		return;
	}
	c->server = s;
	c->fd = fd;
	s->clients[slot] = c;
	loop_io_init(&c->io, fd, on_client);
	loop_timer_init(&c->stall, on_stall);
	client_watch(c);
}

int ctl_server_open(struct ctl_server *s, struct loop *l, const char *path,
                    const struct ctl_command *commands, void *ctx)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path) || strlen(path) >= sizeof(s->path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->loop = l;
	s->commands = commands;
	s->ctx = ctx;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	unlink(path); /* a previous run's socket */
	mode_t old = umask(0117);
	int rc = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(s->fd, CTL_CLIENTS_MAX) < 0) {
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

void ctl_server_close(struct ctl_server *s)
{
	if (s->fd < 0)
		return;
	for (size_t i = 0; i < CTL_CLIENTS_MAX; i++)
		if (s->clients[i] != NULL)
			client_drop(s->clients[i]);
	loop_io_set(s->loop, &s->io, 0);
	close(s->fd);
	unlink(s->path);
	s->fd = -1;
}
