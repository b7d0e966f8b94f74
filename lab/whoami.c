/*
 * lab/whoami.c - the seed lab's "webpod": a tiny HTTP server in the manner of
 * traefik/whoami, plus a client mode so the lab needs no curl.
 *
 *   lab_whoami [-l ADDR] [-p PORT] [-n NAME]        serve (default 0.0.0.0:80)
 *   lab_whoami -c ADDR:PORT [-r COUNT] [-t MS]      fetch / and print it
 *
 * Server: single-threaded, one connection at a time. Every GET is answered
 * with a text/plain body:
 *
 *   Hostname: NAME
 *   IP: <local address of this connection>
 *   RemoteAddr: <client ip:port>
 *   GET / HTTP/1.1
 *   Host: ...            (the request's header lines, as received)
 *
 * Any other method gets 405, a malformed request 400. A request may take at
 * most REQ_MAX bytes and CONN_TIMEOUT_MS in all (read and write), so a stuck
 * or slow client holds the server up for at most that long.
 *
 * Client: connects (with a timeout), sends a GET, prints the response body
 * and exits 0 on a 200 answer, 1 otherwise. With -r COUNT it makes COUNT
 * requests, each on a new connection (a new source port, which is what an
 * L4 ECMP hash sees), and prints how many answers came from each Hostname,
 * "COUNT NAME" per line, plus "COUNT (failed)" for requests that failed;
 * exit 0 if at least one succeeded.
 */
#include <errno.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum {
	REQ_MAX = 8192,         /* the largest request read; longer ones get 400 */
	RESP_MAX = 16384,       /* the largest response sent or read */
	CONN_TIMEOUT_MS = 3000, /* a server connection's whole life */
	CLIENT_TIMEOUT_MS = 2000,
	MAX_NAMES = 32, /* distinct Hostnames tallied by -r */
	ADDR_STR = 96,  /* "[v6addr%scope]:port" fits, and the compiler can see it */
};

struct opts {
	const char *listen_addr;
	const char *port;
	const char *name;
	const char *connect;
	long repeat;
	int timeout_ms;
};

static void usage(void)
{
	fprintf(stderr, "usage: lab_whoami [-l ADDR] [-p PORT] [-n NAME]\n"
	                "       lab_whoami -c ADDR:PORT [-r COUNT] [-t MS]\n");
	exit(2);
}

/* Milliseconds on the monotonic clock: deadlines must not move with the wall clock. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

/* Wait until fd is ready for EVENTS or the deadline passes; 1 ready, 0 timed out or error. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, ms_left(deadline));
	} while (n < 0 && errno == EINTR);
	return n > 0;
}

/* "ip:port", IPv6 in brackets, or "ip" alone when with_port is false. */
static void format_addr(const struct sockaddr_storage *ss, socklen_t len, bool with_port, char *out,
                        size_t cap)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], serv[8]; /* numeric: an address, a port */

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv, sizeof(serv),
	                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(out, cap, "?");
		return;
	}
	if (!with_port)
		snprintf(out, cap, "%s", host);
	else if (ss->ss_family == AF_INET6)
		snprintf(out, cap, "[%s]:%s", host, serv);
	else
		snprintf(out, cap, "%s:%s", host, serv);
}

/* Write all of buf before the deadline; false if the peer went away or was too slow. */
static bool write_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		if (!wait_fd(fd, POLLOUT, deadline))
			return false;
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* ------------------------------------------------------------------------ */
/* Server                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Read a request head (up to the blank line) into buf, NUL-terminated.
 * Returns its length, 0 if the client sent nothing useful in time, -1 if it
 * is larger than the buffer.
 */
static long read_head(int fd, char *buf, size_t cap, long long deadline)
{
	size_t len = 0;

	while (len + 1 < cap) {
		if (!wait_fd(fd, POLLIN, deadline))
			return 0;
		ssize_t n = recv(fd, buf + len, cap - 1 - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return 0;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return (long)len;
	}
	return -1;
}

/* Cut the head at its blank line and drop the CRs, so it echoes as plain lines. */
static void normalize_head(char *head)
{
	char *end = strstr(head, "\r\n\r\n");
	char *w = head;

	if (!end)
		end = strstr(head, "\n\n");
	if (end)
		end[0] = '\0';
	for (const char *r = head; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
}

/* The body for a GET: who we are, which connection this is, and the request echoed. */
static int whoami_body(char *out, size_t cap, const char *name, int fd, const char *head)
{
	struct sockaddr_storage local, remote;
	socklen_t llen = sizeof(local), rlen = sizeof(remote);
	char laddr[ADDR_STR] = "?", raddr[ADDR_STR] = "?";

	if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0)
		format_addr(&local, llen, false, laddr, sizeof(laddr));
	if (getpeername(fd, (struct sockaddr *)&remote, &rlen) == 0)
		format_addr(&remote, rlen, true, raddr, sizeof(raddr));
	return snprintf(out, cap, "Hostname: %s\nIP: %s\nRemoteAddr: %s\n%s\n", name, laddr, raddr,
	                head);
}

static bool send_response(int fd, const char *status, const char *body, long long deadline)
{
	char resp[RESP_MAX];
	size_t blen = strlen(body);
	int n = snprintf(resp, sizeof(resp),
	                 "HTTP/1.0 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	                 status, blen, body);

	if (n < 0 || (size_t)n >= sizeof(resp))
		return false;
	return write_all(fd, resp, (size_t)n, deadline);
}

/* One line to stderr: the status and the request line, cut short and made printable (it is the
 * client's). */
static void log_request(const char *status, const char *head)
{
	char line[101];
	size_t i;

	for (i = 0; i + 1 < sizeof(line) && head[i] && head[i] != '\r' && head[i] != '\n'; i++)
		line[i] = (head[i] >= 0x20 && head[i] < 0x7f) ? head[i] : '?';
	line[i] = '\0';
	fprintf(stderr, "lab_whoami: %s: %s\n", status, line);
}

/* Answer one connection: read its request, reply, log one line to stderr. */
static void serve_conn(int fd, const char *name)
{
	long long deadline = now_ms() + CONN_TIMEOUT_MS;
	char head[REQ_MAX], body[RESP_MAX - 256];
	long len = read_head(fd, head, sizeof(head), deadline);
	const char *status = "200 OK";

	if (len == 0)
		return;
	if (len < 0) {
		status = "400 Bad Request";
		snprintf(body, sizeof(body), "request too large\n");
	} else {
		normalize_head(head);
		if (strncmp(head, "GET ", 4) != 0) {
			status = strchr(head, ' ') ? "405 Method Not Allowed" : "400 Bad Request";
			snprintf(body, sizeof(body), "%s\n", status);
		} else if (whoami_body(body, sizeof(body), name, fd, head) >= (int)sizeof(body)) {
			status = "400 Bad Request";
			snprintf(body, sizeof(body), "request too large\n");
		}
	}
	send_response(fd, status, body, deadline);
	log_request(status, head);
}

static int open_listener(const char *addr, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		                  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int fd, one = 1, rc;

	rc = getaddrinfo(addr, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "lab_whoami: %s port %s: %s\n", addr, port, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	                bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 64) < 0)) {
		fprintf(stderr, "lab_whoami: listen on %s port %s: %s\n", addr, port,
		        strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int serve(const struct opts *o)
{
	int lfd = open_listener(o->listen_addr, o->port);

	if (lfd < 0)
		return 1;
	fprintf(stderr, "lab_whoami: %s listening on %s port %s\n", o->name, o->listen_addr,
	        o->port);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				perror("lab_whoami: accept");
			continue;
		}
		serve_conn(fd, o->name);
		close(fd);
	}
}

/* ------------------------------------------------------------------------ */
/* Client                                                                   */
/* ------------------------------------------------------------------------ */

/* Split "ADDR:PORT" or "[V6ADDR]:PORT" into host and port (in place). */
static bool split_hostport(char *s, char **host, char **port)
{
	char *colon;

	if (s[0] == '[') {
		char *close_br = strchr(s, ']');
		if (!close_br || close_br[1] != ':')
			return false;
		*close_br = '\0';
		*host = s + 1;
		*port = close_br + 2;
		return true;
	}
	colon = strrchr(s, ':');
	if (!colon)
		return false;
	*colon = '\0';
	*host = s;
	*port = colon + 1;
	return **host && **port;
}

/* Connect with a deadline: a blackholed address must not hang the client. */
static int connect_to(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0)
		return fd;
	if (errno == EINPROGRESS)
		errno = err ? err : ETIMEDOUT;
	close(fd);
	return -1;
}

/* Read until the server closes, the buffer is full or the deadline passes. */
static size_t read_all(int fd, char *buf, size_t cap, long long deadline)
{
	size_t len = 0;

	while (len + 1 < cap && wait_fd(fd, POLLIN, deadline)) {
		ssize_t n = recv(fd, buf + len, cap - 1 - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

/*
 * One GET / to ai; the body goes to body (NUL-terminated). Returns true on a
 * 200 answer; otherwise err says what went wrong.
 */
static bool fetch(const struct addrinfo *ai, const char *host, int timeout_ms, char *body,
                  size_t cap, char *err, size_t errcap)
{
	long long deadline = now_ms() + timeout_ms;
	char req[512], resp[RESP_MAX];
	int fd = connect_to(ai, deadline);

	if (fd < 0) {
		snprintf(err, errcap, "connect: %s", strerror(errno));
		return false;
	}
	snprintf(req, sizeof(req),
	         "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: lab_whoami\r\nAccept: */*\r\n"
	         "Connection: close\r\n\r\n",
	         host);
	bool sent = write_all(fd, req, strlen(req), deadline);
	size_t len = sent ? read_all(fd, resp, sizeof(resp), deadline) : 0;
	close(fd);
	char *sep = len > 0 ? strstr(resp, "\r\n\r\n") : NULL;
	if (!sep) {
		snprintf(err, errcap, "%s", sent ? "no complete answer in time" : "send failed");
		return false;
	}
	snprintf(body, cap, "%s", sep + 4);
	if (strncmp(resp, "HTTP/1.0 200", 12) != 0 && strncmp(resp, "HTTP/1.1 200", 12) != 0) {
		snprintf(err, errcap, "%.*s", (int)strcspn(resp, "\r\n"), resp);
		return false;
	}
	return true;
}

struct tally {
	char names[MAX_NAMES][128];
	long counts[MAX_NAMES];
	int n;
	long failed;
};

/* Count one answer under the value of its "Hostname:" line. */
static void tally_add(struct tally *t, const char *body)
{
	const char *h = strstr(body, "Hostname: ");
	char name[128] = "(no Hostname)";

	if (h)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(h + 10, "\r\n"), h + 10);
	for (int i = 0; i < t->n; i++) {
		if (strcmp(t->names[i], name) == 0) {
			t->counts[i]++;
			return;
		}
	}
	if (t->n == MAX_NAMES) {
		t->failed++;
		return;
	}
	snprintf(t->names[t->n], sizeof(t->names[t->n]), "%s", name);
	t->counts[t->n++] = 1;
}

static int run_repeat(const struct addrinfo *ai, const char *host, const struct opts *o)
{
	static struct tally t;
	char body[RESP_MAX], err[256];

	for (long i = 0; i < o->repeat; i++) {
		if (fetch(ai, host, o->timeout_ms, body, sizeof(body), err, sizeof(err)))
			tally_add(&t, body);
		else
			t.failed++;
	}
	for (int i = 0; i < t.n; i++)
		printf("%ld %s\n", t.counts[i], t.names[i]);
	if (t.failed)
		printf("%ld (failed)\n", t.failed);
	return t.n > 0 ? 0 : 1;
}

static int client(const struct opts *o)
{
	char target[256], *host, *port, body[RESP_MAX], err[256];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		                  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	int rc;

	snprintf(target, sizeof(target), "%s", o->connect);
	if (!split_hostport(target, &host, &port))
		usage();
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "lab_whoami: %s: %s\n", o->connect, gai_strerror(rc));
		return 1;
	}
	if (o->repeat > 0) {
		rc = run_repeat(ai, host, o);
	} else if (fetch(ai, host, o->timeout_ms, body, sizeof(body), err, sizeof(err))) {
		fputs(body, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "lab_whoami: %s: %s\n", o->connect, err);
		rc = 1;
	}
	freeaddrinfo(ai);
	return rc;
}

/* ------------------------------------------------------------------------ */

static long parse_num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		usage();
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static char host[256];
	int c;

	while ((c = getopt(argc, argv, "l:p:n:c:r:t:h")) != -1) {
		switch (c) {
		case 'l':
			o->listen_addr = optarg;
			break;
		case 'p':
			o->port = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'c':
			o->connect = optarg;
			break;
		case 'r':
			o->repeat = parse_num(optarg, 1, 1000000);
			break;
		case 't':
			o->timeout_ms = (int)parse_num(optarg, 1, 600000);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!o->name) {
		if (gethostname(host, sizeof(host) - 1) != 0)
			snprintf(host, sizeof(host), "whoami");
		o->name = host;
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .listen_addr = "0.0.0.0", .port = "80", .timeout_ms = CLIENT_TIMEOUT_MS };

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	return o.connect ? client(&o) : serve(&o);
}
