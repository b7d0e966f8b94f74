/*
 * nl: rtnetlink sockets.
 */
#include "fib/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "fib/kmsg.h"

/* Batches of this size go out in one sendmsg; the buffer holds one more
 * message beyond it, as libmnl's batches want. */
#define BATCH_SIZE (128u << 10)
#define BUF_SIZE   (BATCH_SIZE + KMSG_MAX)
/* The kernel answers a question within its system call; a dump of a full
 * table takes about a second. */
#define QUERY_TIMEOUT_MS 10000
/* Acknowledgements and errors of a whole table must never be dropped. */
#define RCVBUF (64u << 20)
/* The kernel refuses a sendmsg larger than the send buffer (EMSGSIZE). */
#define SNDBUF (BUF_SIZE * 2)
/* Batches the writer holds; the loop waits for a free one (the kernel
 * takes a batch in milliseconds). */
#define WRITER_DEPTH 8

int nl_open(struct nl_sock *s, const unsigned *groups)
{
	int one = 1, rcvbuf = RCVBUF, sndbuf = SNDBUF;

	memset(s, 0, sizeof(*s));
	s->buf = malloc(BUF_SIZE);
	s->mnl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s->buf == NULL || s->mnl == NULL ||
	    mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		nl_close(s);
		return -1;
	}
	s->fd = mnl_socket_get_fd(s->mnl);
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	/* Best effort: without them errors are plainer, buffers smaller. */
	mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->mnl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (; groups != NULL && *groups != 0; groups++) {
		unsigned g = *groups;
		if (mnl_socket_setsockopt(s->mnl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			nl_close(s);
			return -1;
		}
	}
	s->batch = mnl_nlmsg_batch_start(s->buf, BATCH_SIZE);
	return 0;
}

static void writer_stop(struct nl_writer *w);

void nl_close(struct nl_sock *s)
{
	if (s->writer != NULL)
		writer_stop(s->writer);
	if (s->batch != NULL)
		mnl_nlmsg_batch_stop(s->batch);
	if (s->mnl != NULL)
		mnl_socket_close(s->mnl);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

struct nlmsghdr *nl_put(struct nl_sock *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_batch_current(s->batch);
	memset(nlh, 0, sizeof(*nlh));
	return nlh;
}

static int sendto_all(struct mnl_socket *mnl, const void *buf, size_t len)
{
	while (mnl_socket_sendto(mnl, buf, len) < 0) {
		if (errno == EINTR)
			continue;
		return -1;
	}
	return 0;
}

/* ---- the writer thread ---- */

struct nl_writer {
	struct mnl_socket *mnl;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	char *slot[WRITER_DEPTH];
	size_t len[WRITER_DEPTH];
	unsigned head, count;
	bool stopping;
	int error; /* errno of a failed send, reported by the next one */
};

static void *writer_run(void *arg)
{
	struct nl_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->count == 0 && !w->stopping)
			pthread_cond_wait(&w->changed, &w->mu);
		if (w->count == 0)
			break;
		unsigned at = w->head;
		pthread_mutex_unlock(&w->mu);
		int rc = sendto_all(w->mnl, w->slot[at], w->len[at]);
		int err = errno;
		pthread_mutex_lock(&w->mu);
		if (rc < 0 && w->error == 0)
			w->error = err;
		w->head = (w->head + 1) % WRITER_DEPTH;
		w->count--;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* A copy of the batch joins the queue, after waiting for room. */
static int writer_push(struct nl_writer *w, const void *buf, size_t len)
{
	pthread_mutex_lock(&w->mu);
	while (w->count == WRITER_DEPTH)
		pthread_cond_wait(&w->changed, &w->mu);
	unsigned at = (w->head + w->count) % WRITER_DEPTH;
	memcpy(w->slot[at], buf, len);
	w->len[at] = len;
	w->count++;
	int err = w->error;
	w->error = 0;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	errno = err;
	return err == 0 ? 0 : -1;
}

static void writer_free(struct nl_writer *w)
{
	for (unsigned i = 0; i < WRITER_DEPTH; i++)
		free(w->slot[i]);
	free(w);
}

static void writer_stop(struct nl_writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->mu);
	writer_free(w);
}

int nl_writer_start(struct nl_sock *s)
{
	struct nl_writer *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->mnl = s->mnl;
	for (unsigned i = 0; i < WRITER_DEPTH; i++)
		if ((w->slot[i] = malloc(BUF_SIZE)) == NULL) {
			writer_free(w);
			return -1;
		}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (pthread_create(&w->thread, NULL, writer_run, w) != 0) {
		pthread_cond_destroy(&w->changed);
		pthread_mutex_destroy(&w->mu);
		writer_free(w);
		return -1;
	}
	s->writer = w;
	return 0;
}

static int send_all(struct nl_sock *s, const void *buf, size_t len)
{
	if (s->writer != NULL)
		return writer_push(s->writer, buf, len);
	return sendto_all(s->mnl, buf, len);
}

/* Send everything but the message past the batch's end, which moves to
 * the front (mnl_nlmsg_batch_next said there was no room for it). */
static int send_full(struct nl_sock *s)
{
	struct nlmsghdr *last = mnl_nlmsg_batch_current(s->batch);
	uint32_t last_len = last->nlmsg_len;
	size_t len = mnl_nlmsg_batch_size(s->batch);
	int rc = send_all(s, mnl_nlmsg_batch_head(s->batch), len);
	mnl_nlmsg_batch_reset(s->batch);
	s->queued = 0;
	if (last_len != 0) {
		memmove(mnl_nlmsg_batch_current(s->batch), last, last_len);
		mnl_nlmsg_batch_next(s->batch);
		s->queued = 1;
	}
	return rc;
}

int nl_commit(struct nl_sock *s)
{
	struct nlmsghdr *nlh = mnl_nlmsg_batch_current(s->batch);
	nlh->nlmsg_seq = ++s->seq;
	nlh->nlmsg_pid = 0;
	s->queued++;
	if (mnl_nlmsg_batch_next(s->batch))
		return 0;
	s->queued--;
	return send_full(s);
}

int nl_send(struct nl_sock *s)
{
	if (s->queued == 0)
		return 0;
	/* Find the last message to ask for its acknowledgement. */
	struct nlmsghdr *nlh = mnl_nlmsg_batch_head(s->batch), *last = nlh;
	int left = (int)mnl_nlmsg_batch_size(s->batch);
	while (kmsg_ok(nlh, left)) {
		last = nlh;
		nlh = mnl_nlmsg_next(nlh, &left);
	}
	last->nlmsg_flags |= NLM_F_ACK;
	int rc = send_all(s, mnl_nlmsg_batch_head(s->batch), mnl_nlmsg_batch_size(s->batch));
	mnl_nlmsg_batch_reset(s->batch);
	s->queued = 0;
	return rc;
}

static int each_message(const char *buf, size_t len, nl_msg_fn fn, void *ctx, bool *done,
                        uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	for (; kmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (done != NULL && nlh->nlmsg_seq == seq &&
		    (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
			*done = true;
		if (nlh->nlmsg_type == NLMSG_NOOP)
			continue;
		int rc = fn(nlh, ctx);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int nl_receive(struct nl_sock *s, nl_msg_fn fn, void *ctx)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->mnl, s->buf, BUF_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		each_message(s->buf, (size_t)n, fn, ctx, NULL, 0);
	}
}

struct query {
	nl_msg_fn fn;
	void *ctx;
	int error;
};

static int query_reply(const struct nlmsghdr *nlh, void *ctx)
{
	struct query *q = ctx;
	struct kerror e;
	if (nlh->nlmsg_type == NLMSG_DONE)
		return 0;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (kmsg_parse_error(nlh, &e) == 0)
			q->error = e.error;
		return 0;
	}
	return q->fn != NULL ? q->fn(nlh, q->ctx) : 0;
}

int nl_query(struct nl_sock *s, struct nlmsghdr *req, nl_msg_fn fn, void *ctx)
{
	struct query q = { fn, ctx, 0 };
	bool done = false;
	char *buf = malloc(BUF_SIZE);

	if (buf == NULL)
		return ENOMEM;
	req->nlmsg_seq = ++s->seq;
	req->nlmsg_flags |= NLM_F_ACK;
	if (send_all(s, req, req->nlmsg_len) < 0) {
		free(buf);
		return errno;
	}
	while (!done) {
		ssize_t n = recv(s->fd, buf, BUF_SIZE, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
			if (poll(&pfd, 1, QUERY_TIMEOUT_MS) == 0) {
				q.error = ETIMEDOUT;
				break;
			}
			continue;
		}
		if (n < 0) {
			q.error = errno;
			break;
		}
		each_message(buf, (size_t)n, query_reply, &q, &done, s->seq);
	}
	free(buf);
	return q.error;
}
