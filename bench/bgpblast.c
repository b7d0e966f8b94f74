/*
 * bgpblast: a tiny BGP speaker for the full-table benchmark (fulltable.sh).
 *
 *   bgpblast feed --local A --peer B --as N --peer-as N [--prefixes 1000000]
 *                 [--per-set 10..50] [--shuffle] [--hold 9] [--listen] [--wait S]
 *   bgpblast sink --local A --peer B --as N --peer-as N --expect N [--stay]
 *                 [--hold 9] [--listen] [--wait S]
 *
 * One IPv4 session over TCP port 179, connected from --local to --peer (or,
 * with --listen, accepted on --local from --peer).  OPEN with 4-octet AS and
 * IPv4 unicast, then KEEPALIVEs every hold/3.  Blocking sockets, one poll()
 * loop; every send and recv uses MSG_DONTWAIT, so neither side ever stalls
 * the other.
 *
 * feed: builds the whole stream before connecting: PREFIXES distinct /24s
 * from 11.0.0.0 up (127/8 skipped), grouped into attribute sets of 10..50
 * prefixes (AS_PATH of 1..6 ASNs starting with --as, a community, NEXT_HOP
 * --local), one UPDATE per set (up to 4096 bytes), then End-of-RIB.  The
 * /24s go in address order, as speakers send their tables, or with
 * --shuffle scattered over the whole range (i-th prefix: i * 2654435761
 * mod PREFIXES, a prime step, so each is sent once).  Once
 * Established it writes the stream as fast as the socket takes it.  While
 * the stream flows the UPDATEs reset the peer's hold timer; KEEPALIVEs are
 * sent when the socket is idle.
 *
 * sink: counts the distinct /24s currently announced (a bitmap over the /24
 * space; withdrawals clear bits) and prints when the count first reaches
 * --expect; exits then, or stays up with --stay.
 *
 * Output (stdout, one line per event, CLOCK_MONOTONIC seconds):
 *   established T hold H
 *   sending T prefixes N updates U sets S bytes B      (feed)
 *   sent T                                             (feed)
 *   complete T prefixes N                              (sink)
 *   stopped T max-gap G hold H rx-updates U count N    (on SIGTERM/SIGINT)
 * max-gap is the longest time between two messages from the peer once
 * Established: the peer's keepalive lateness.  A hold timer expiry, a
 * NOTIFICATION or a closed connection is printed and exits 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgp/msg.h"
#include "bgp/open.h"
#include "bgp/update.h"
#include "bgp/update_build.h"

#define IN_CAP  (256u * 1024u)
#define SLOTS24 (1u << 24) /* every /24 of IPv4 */
#define FIRST24 (11u << 16)
#define LOOP24  (127u << 16)
#define MAX_PFX ((224u - 12u) << 16)

struct opts {
	bool feed, listen, stay, shuffle;
	struct in_addr local, peer;
	uint32_t as, peer_as, prefixes, expect;
	uint32_t per_min, per_max;
	uint16_t hold;
	int wait_s;
};

struct sess {
	int fd;
	uint8_t in[IN_CAP];
	size_t in_len;
	uint8_t *out; /* bytes to write; out_off of them written */
	size_t out_len, out_off, out_cap;
	uint16_t hold; /* negotiated; 0 = no keepalives */
	bool as4, open_seen, established;
	double last_rx, last_tx, max_gap;
	uint64_t rx_updates;
};

/* What the sink counts. */
struct tally {
	uint8_t *bits;
	uint32_t count;
	bool complete;
};

static volatile sig_atomic_t stop_signal;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bgpblast: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint32_t rng(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

/* ---- output queue ------------------------------------------------------ */

static void out_append(struct sess *s, const uint8_t *p, size_t n)
{
	if (s->out_len + n > s->out_cap) {
		size_t cap = (s->out_len + n) * 2;
		s->out = realloc(s->out, cap);
		if (s->out == NULL)
			die("out of memory");
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, p, n);
	s->out_len += n;
}

static bool out_empty(const struct sess *s)
{
	return s->out_off == s->out_len;
}

/* Write what the socket takes now; partial writes just advance out_off. */
static void out_flush(struct sess *s)
{
	while (!out_empty(s)) {
		ssize_t n = send(s->fd, s->out + s->out_off, s->out_len - s->out_off,
		                 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			die("send: %s", strerror(errno));
		s->out_off += (size_t)n;
		s->last_tx = now();
	}
	s->out_off = s->out_len = 0;
}

static void send_wbuf(struct sess *s, const struct wbuf *w)
{
	out_append(s, w->p, w->len);
	out_flush(s);
}

static void send_keepalive(struct sess *s)
{
	uint8_t buf[BGP_HEADER_LEN];
	struct wbuf w;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	send_wbuf(s, &w);
}

static void send_open(struct sess *s, const struct opts *o)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	struct bgp_open open = { .version = BGP_VERSION,
		                 .my_as = o->as > 0xffff ? BGP_AS_TRANS : (uint16_t)o->as,
		                 .hold_time = o->hold,
		                 .bgp_id = ntohl(o->local.s_addr) };
	open.caps.mp = BGP_AF_BIT(BGP_AF_IPV4_UNICAST);
	bgp_caps_mark(&open.caps, BGP_CAPA_MP);
	bgp_caps_mark(&open.caps, BGP_CAPA_ROUTE_REFRESH);
	open.caps.as4 = true;
	open.caps.as4_asn = o->as;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_open_encode(&w, &open);
	send_wbuf(s, &w);
}

/* Tell the peer why we go (unless a message is half written) and exit 1. */
static void send_notification_and_exit(struct sess *s, uint8_t code, uint8_t sub)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	struct bgp_notice n;
	bgp_notice_set(&n, code, sub);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_notification_encode(&w, &n);
	if (out_empty(s))
		(void)send(s->fd, w.p, w.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	exit(1);
}

/* ---- the feeder's stream ----------------------------------------------- */

static uint32_t slot_of(const struct opts *o, uint32_t i)
{
	if (o->shuffle)
		i = (uint32_t)((uint64_t)i * 2654435761u % o->prefixes);
	uint32_t slot = FIRST24 + i;
	return slot >= LOOP24 ? slot + (1u << 16) : slot;
}

/* Attributes of set number k: AS_PATH "as [mid...] [4200000000+k]" of 1..6
 * ASNs, community as:k, NEXT_HOP local. */
static void set_attrs(const struct opts *o, uint32_t k, uint64_t *seed, uint8_t *path_buf,
                      uint8_t *comm_buf, struct bgp_attrs *a)
{
	uint32_t len = 1 + rng(seed) % 6;
	struct wbuf w;

	memset(a, 0, sizeof(*a));
	wbuf_init(&w, path_buf, 2 + 4 * 6);
	wbuf_u8(&w, BGP_AS_SEQUENCE);
	wbuf_u8(&w, (uint8_t)len);
	wbuf_u32(&w, o->as);
	for (uint32_t i = 1; i + 1 < len; i++)
		wbuf_u32(&w, 1000 + rng(seed) % 59000); /* never 65000..65002 */
	if (len > 1)
		wbuf_u32(&w, 4200000000u + k);
	a->as_path = wbuf_view(&w);
	wbuf_init(&w, comm_buf, 4);
	wbuf_u16(&w, (uint16_t)o->as);
	wbuf_u16(&w, (uint16_t)k);
	a->communities = wbuf_view(&w);
	a->origin = BGP_ORIGIN_IGP;
	a->next_hop = ntohl(o->local.s_addr);
	bgp_attr_set(a, BGP_ATTR_ORIGIN);
	bgp_attr_set(a, BGP_ATTR_AS_PATH);
	bgp_attr_set(a, BGP_ATTR_NEXT_HOP);
	bgp_attr_set(a, BGP_ATTR_COMMUNITIES);
}

/* Every UPDATE of the run, then End-of-RIB, into s->out. */
static void build_stream(struct sess *s, const struct opts *o, uint32_t *n_updates,
                         uint32_t *n_sets)
{
	const struct bgp_session_ctx ctx = { .as4 = true,
		                             .ebgp = true,
		                             .afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) };
	static struct bgp_prefix v[BGP_MAX_LEN];
	uint8_t msg[BGP_MAX_LEN], path[2 + 4 * 6], comm[4];
	uint64_t seed = 42;
	struct bgp_attrs a;
	struct wbuf w;

	*n_updates = *n_sets = 0;
	for (uint32_t i = 0; i < o->prefixes; (*n_sets)++) {
		uint32_t n = o->per_min + rng(&seed) % (o->per_max - o->per_min + 1);
		if (n > o->prefixes - i)
			n = o->prefixes - i;
		for (uint32_t k = 0; k < n; k++, i++) {
			uint32_t slot = slot_of(o, i);
			v[k] = (struct bgp_prefix){ .af = BGP_AF_IPV4_UNICAST, .len = 24 };
			v[k].addr[0] = (uint8_t)(slot >> 16);
			v[k].addr[1] = (uint8_t)(slot >> 8);
			v[k].addr[2] = (uint8_t)slot;
		}
		set_attrs(o, *n_sets, &seed, path, comm, &a);
		for (size_t done = 0; done < n; (*n_updates)++) {
			wbuf_init(&w, msg, sizeof(msg));
			size_t k = bgp_update_build(&w, BGP_MAX_LEN, &ctx, &a, BGP_AF_IPV4_UNICAST,
			                            v + done, n - done);
			if (k == 0 || !wbuf_ok(&w))
				die("cannot build an UPDATE");
			out_append(s, w.p, w.len);
			done += k;
		}
	}
	wbuf_init(&w, msg, sizeof(msg));
	bgp_update_build_eor(&w, BGP_AF_IPV4_UNICAST);
	out_append(s, w.p, w.len);
}

/* ---- the sink's count -------------------------------------------------- */

static void tally_update(struct tally *t, const struct sess *s, struct rbuf body,
                         struct bgp_scratch *scratch)
{
	const struct bgp_session_ctx ctx = { .as4 = s->as4,
		                             .ebgp = true,
		                             .afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) };
	struct bgp_update u;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;

	if (bgp_update_decode(&ctx, body, scratch, &u) < 0)
		die("malformed UPDATE from the peer");
	bgp_route_iter_init(&ri, &u, &ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		if (p.af != BGP_AF_IPV4_UNICAST || p.len != 24)
			continue;
		uint32_t slot = (uint32_t)p.addr[0] << 16 | (uint32_t)p.addr[1] << 8 | p.addr[2];
		uint8_t bit = (uint8_t)(1u << (slot & 7));
		bool had = t->bits[slot >> 3] & bit;
		if (reach && !had) {
			t->bits[slot >> 3] |= bit;
			t->count++;
		} else if (!reach && had) {
			t->bits[slot >> 3] &= (uint8_t)~bit;
			t->count--;
		}
	}
}

/* ---- session ----------------------------------------------------------- */

static void on_open(struct sess *s, const struct opts *o, struct rbuf body)
{
	struct bgp_open peer;
	struct bgp_notice err;

	if (bgp_open_decode(body, &peer, &err) < 0)
		send_notification_and_exit(s, err.code, err.subcode);
	if (bgp_open_asn(&peer) != o->peer_as) {
		fprintf(stderr, "bgpblast: peer AS %u, expected %u\n", bgp_open_asn(&peer),
		        o->peer_as);
		send_notification_and_exit(s, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS);
	}
	s->as4 = peer.caps.as4;
	s->hold = peer.hold_time < o->hold ? peer.hold_time : o->hold;
	s->open_seen = true;
	send_keepalive(s);
}

static void on_notification(struct rbuf body)
{
	struct bgp_notification n;
	if (bgp_notification_decode(body, &n) < 0)
		die("short NOTIFICATION from the peer");
	const char *sub = bgp_err_subcode_name(n.code, n.subcode);
	printf("notification %.6f %u/%u %s%s%s\n", now(), n.code, n.subcode,
	       bgp_err_code_name(n.code), sub != NULL ? " / " : "", sub != NULL ? sub : "");
	exit(1);
}

/* One framed message from the peer. */
static void on_message(struct sess *s, const struct opts *o, const struct bgp_msg *m,
                       struct tally *t, struct bgp_scratch *scratch)
{
	double at = now();
	if (s->established && at - s->last_rx > s->max_gap)
		s->max_gap = at - s->last_rx;
	s->last_rx = at;
	switch (m->type) {
	case BGP_MSG_OPEN:
		on_open(s, o, m->body);
		break;
	case BGP_MSG_KEEPALIVE:
		if (s->open_seen && !s->established) {
			s->established = true;
			printf("established %.6f hold %u\n", at, s->hold);
		}
		break;
	case BGP_MSG_UPDATE:
		s->rx_updates++;
		if (!o->feed)
			tally_update(t, s, m->body, scratch);
		break;
	case BGP_MSG_NOTIFICATION:
		on_notification(m->body);
		break;
	default:
		break; /* ROUTE-REFRESH: the feeder has nothing new to say */
	}
}

/* Read what there is and handle every whole message in it. */
static void read_peer(struct sess *s, const struct opts *o, struct tally *t,
                      struct bgp_scratch *scratch)
{
	ssize_t n = recv(s->fd, s->in + s->in_len, IN_CAP - s->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		printf("closed %.6f %s\n", now(), n == 0 ? "by the peer" : strerror(errno));
		exit(1);
	}
	s->in_len += (size_t)n;
	size_t off = 0;
	struct bgp_msg m;
	struct bgp_notice err;
	for (;;) {
		enum bgp_frame_result r =
		        bgp_frame(rbuf_make(s->in + off, s->in_len - off), BGP_MAX_LEN, &m, &err);
		if (r == BGP_FRAME_ERROR)
			send_notification_and_exit(s, err.code, err.subcode);
		if (r == BGP_FRAME_NEED_MORE)
			break;
		on_message(s, o, &m, t, scratch);
		off += m.len;
	}
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
}

static int tcp_connect(const struct opts *o)
{
	struct sockaddr_in local = { .sin_family = AF_INET, .sin_addr = o->local };
	struct sockaddr_in peer = { .sin_family = AF_INET,
		                    .sin_addr = o->peer,
		                    .sin_port = htons(BGP_PORT) };
	double give_up = now() + o->wait_s;
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0)
			die("socket/bind: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&peer, sizeof(peer)) == 0)
			return fd;
		close(fd);
		if (now() > give_up || stop_signal)
			die("cannot connect: %s", strerror(errno));
		usleep(200000);
	}
}

static int tcp_accept(const struct opts *o)
{
	struct sockaddr_in local = { .sin_family = AF_INET,
		                     .sin_addr = o->local,
		                     .sin_port = htons(BGP_PORT) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    listen(lfd, 4) < 0)
		die("listen: %s", strerror(errno));
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	double give_up = now() + o->wait_s;
	for (;;) {
		if (poll(&pfd, 1, 200) == 1) {
			struct sockaddr_in from;
			socklen_t len = sizeof(from);
			int fd = accept(lfd, (struct sockaddr *)&from, &len);
			if (fd >= 0 && from.sin_addr.s_addr == o->peer.s_addr) {
				close(lfd);
				return fd;
			}
			if (fd >= 0)
				close(fd); /* not our peer */
		}
		if (now() > give_up || stop_signal)
			die("nobody connected");
	}
}

/* Keepalives and the hold timer; returns the poll timeout in ms. */
static int timers(struct sess *s)
{
	if (s->hold == 0)
		return 1000;
	double t = now(), every = s->hold / 3.0;
	if (t - s->last_rx > s->hold) {
		printf("hold-timer-expired %.6f silent %.3f s hold %u\n", t, t - s->last_rx,
		       s->hold);
		fflush(stdout);
		send_notification_and_exit(s, BGP_ERR_HOLD, 0);
	}
	if (s->established && out_empty(s) && t - s->last_tx >= every)
		send_keepalive(s);
	double next = s->last_tx + every - t;
	return next < 0.01 ? 10 : next > 1.0 ? 1000 : (int)(next * 1000);
}

static void run(const struct opts *o)
{
	struct sess *s = calloc(1, sizeof(*s));
	struct bgp_scratch *scratch = malloc(sizeof(*scratch));
	struct tally t = { .bits = calloc(SLOTS24 / 8, 1) };
	uint32_t n_updates = 0, n_sets = 0;
	uint8_t *stream = NULL;
	size_t stream_len = 0;
	bool sending = false, sent = false;

	if (s == NULL || scratch == NULL || t.bits == NULL)
		die("out of memory");
	if (o->feed) {
		build_stream(s, o, &n_updates, &n_sets);
		stream = s->out, stream_len = s->out_len;
		s->out = NULL, s->out_len = s->out_cap = 0;
	}
	s->fd = o->listen ? tcp_accept(o) : tcp_connect(o);
	s->last_rx = s->last_tx = now();
	s->hold = o->hold; /* until the peer's OPEN says otherwise */
	send_open(s, o);
	while (!stop_signal) {
		if (o->feed && s->established && !sending && out_empty(s)) {
			sending = true;
			printf("sending %.6f prefixes %u updates %u sets %u bytes %zu\n", now(),
			       o->prefixes, n_updates, n_sets, stream_len);
			free(s->out);
			s->out = stream, s->out_len = s->out_cap = stream_len, s->out_off = 0;
			out_flush(s);
		}
		if (sending && !sent && out_empty(s)) {
			sent = true;
			printf("sent %.6f\n", now());
		}
		struct pollfd pfd = { .fd = s->fd,
			              .events = POLLIN | (out_empty(s) ? 0 : POLLOUT) };
		int rc = poll(&pfd, 1, timers(s));
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (rc > 0 && (pfd.revents & POLLOUT))
			out_flush(s);
		if (rc > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			read_peer(s, o, &t, scratch);
		if (!o->feed && !t.complete && t.count >= o->expect) {
			t.complete = true;
			printf("complete %.6f prefixes %u\n", now(), t.count);
			if (!o->stay)
				exit(0);
		}
	}
	printf("stopped %.6f max-gap %.3f hold %u rx-updates %llu count %u\n", now(), s->max_gap,
	       s->hold, (unsigned long long)s->rx_updates, t.count);
}

/* ---- options ----------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: bgpblast feed|sink --local ADDR --peer ADDR --as N --peer-as N\n"
	                "         [--prefixes N] [--per-set MIN..MAX] [--shuffle] [--expect N]\n"
	                "         [--stay]\n"
	                "         [--hold S] [--listen] [--wait S]\n");
	exit(2);
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > UINT32_MAX)
		die("not a number: %s", s);
	return (uint32_t)v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "as", required_argument, NULL, 'a' },
		{ "peer-as", required_argument, NULL, 'A' },
		{ "prefixes", required_argument, NULL, 'n' },
		{ "per-set", required_argument, NULL, 's' },
		{ "shuffle", no_argument, NULL, 'r' },
		{ "expect", required_argument, NULL, 'e' },
		{ "stay", no_argument, NULL, 'S' },
		{ "hold", required_argument, NULL, 'h' },
		{ "listen", no_argument, NULL, 'L' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	char *dots;
	int c;

	*o = (struct opts){
		.prefixes = 1000000, .per_min = 10, .per_max = 50, .hold = 9, .wait_s = 60
	};
	if (argc < 2 || (strcmp(argv[1], "feed") != 0 && strcmp(argv[1], "sink") != 0))
		usage();
	o->feed = strcmp(argv[1], "feed") == 0;
	o->expect = UINT32_MAX;
	while ((c = getopt_long(argc - 1, argv + 1, "", longs, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (inet_pton(AF_INET, optarg, &o->local) != 1)
				usage();
			break;
		case 'p':
			if (inet_pton(AF_INET, optarg, &o->peer) != 1)
				usage();
			break;
		case 'a':
			o->as = number(optarg);
			break;
		case 'A':
			o->peer_as = number(optarg);
			break;
		case 'n':
			o->prefixes = number(optarg);
			break;
		case 'e':
			o->expect = number(optarg);
			break;
		case 'r':
			o->shuffle = true;
			break;
		case 'S':
			o->stay = true;
			break;
		case 'h':
			o->hold = (uint16_t)number(optarg);
			break;
		case 'L':
			o->listen = true;
			break;
		case 'w':
			o->wait_s = (int)number(optarg);
			break;
		case 's':
			dots = strstr(optarg, "..");
			if (dots != NULL)
				*dots = '\0';
			o->per_min = number(optarg);
			o->per_max = dots != NULL ? number(dots + 2) : o->per_min;
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || o->as == 0 || o->peer_as == 0 || o->local.s_addr == 0 ||
	    o->peer.s_addr == 0 || (o->hold != 0 && o->hold < 3))
		usage();
	if (o->feed && (o->prefixes == 0 || o->prefixes > MAX_PFX || o->per_min == 0 ||
	                o->per_max < o->per_min || o->per_max > 1000))
		die("bad --prefixes or --per-set");
	if (!o->feed && o->expect == UINT32_MAX)
		die("sink needs --expect");
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa = { .sa_handler = on_signal };

	parse(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	run(&o);
	return 0;
}
