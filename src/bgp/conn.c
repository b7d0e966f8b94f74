/*
 * conn: buffered non-blocking I/O for one BGP connection.
 */
#include "bgp/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONN_IN_SIZE (2 * BGP_EXT_MAX_LEN)

void conn_init(struct bgp_conn *c, struct bgp_peer *p, loop_io_fn *on_io)
{
	memset(c, 0, sizeof(*c));
	c->peer = p;
	c->fd = -1;
	loop_io_init(&c->io, -1, on_io);
}

void conn_attach(struct bgp_conn *c, int fd, bool outgoing, bool connecting)
{
	loop_io_fn *fn = c->io.fn;
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = connecting;
	c->open_received = false;
	c->in_start = c->in_len = c->out_len = 0;
	if (c->in == NULL)
		c->in = malloc(CONN_IN_SIZE);
	loop_io_init(&c->io, fd, fn);
	conn_watch(c);
}

void conn_watch(struct bgp_conn *c)
{
	unsigned events = c->connecting ? LOOP_WRITE : LOOP_READ;
	if (c->out_len > 0)
		events |= LOOP_WRITE;
	loop_io_set(c->peer->speaker->loop, &c->io, events);
}

void conn_close(struct bgp_conn *c)
{
	if (c->fd < 0)
		return;
	loop_io_set(c->peer->speaker->loop, &c->io, 0);
	close(c->fd);
	c->fd = -1;
	c->connecting = false;
	c->in_start = c->in_len = c->out_len = 0;
	free(c->out);
	c->out = NULL;
	c->out_cap = 0;
}

static int conn_reserve(struct bgp_conn *c, size_t more)
{
	if (c->out_len + more <= c->out_cap)
		return 0;
	if (c->out_len + more > CONN_OUT_MAX)
		return -1;
	size_t cap = c->out_cap == 0 ? 8192 : c->out_cap;
	while (cap < c->out_len + more)
		cap *= 2;
	uint8_t *grown = realloc(c->out, cap);
	if (grown == NULL)
		return -1;
	c->out = grown;
	c->out_cap = cap;
	return 0;
}

int conn_flush(struct bgp_conn *c)
{
	size_t done = 0;
	while (done < c->out_len) {
		ssize_t n = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	conn_watch(c);
	return c->out_len > 0;
}

int conn_send(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	if (c->fd < 0 || conn_reserve(c, len) < 0)
		return -1;
	memcpy(c->out + c->out_len, msg, len);
	c->out_len += len;
	/* Written when the socket is next writable: everything queued in one
	 * loop turn goes out in as few system calls as the socket allows. */
	if (!c->connecting)
		conn_watch(c);
	return 0;
}

long conn_read(struct bgp_conn *c)
{
	if (c->in == NULL)
		return -1;
	/* Only a partial message is left over: moving it is cheap, where
	 * moving the buffer at every message was not. */
	memmove(c->in, c->in + c->in_start, c->in_len - c->in_start);
	c->in_len -= c->in_start;
	c->in_start = 0;
	ssize_t n;
	do
		n = recv(c->fd, c->in + c->in_len, CONN_IN_SIZE - c->in_len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		c->in_len += (size_t)n;
	return (long)n;
}

void conn_consume(struct bgp_conn *c, size_t n)
{
	c->in_start += n;
	if (c->in_start == c->in_len)
		c->in_start = c->in_len = 0;
}

struct rbuf conn_unread(const struct bgp_conn *c)
{
	return rbuf_make(c->in + c->in_start, c->in_len - c->in_start);
}

void conn_move(struct bgp_conn *dst, struct bgp_conn *src)
{
	loop_io_fn *dst_fn = dst->io.fn, *src_fn = src->io.fn;
	struct bgp_peer *p = src->peer;

	conn_free(dst);
	loop_io_set(p->speaker->loop, &src->io, 0);
	*dst = *src;
	loop_io_init(&dst->io, dst->fd, dst_fn);
	conn_watch(dst);
	conn_init(src, p, src_fn);
}

void conn_free(struct bgp_conn *c)
{
	conn_close(c);
	free(c->in);
	c->in = NULL;
}
