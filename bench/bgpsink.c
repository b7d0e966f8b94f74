/*
 * bgpsink: the passive peer and the change driver of bench/reconcile.sh.
 *
 *   bgpsink gen --dir D --services N [--slices 5] [--endpoints 4] [--nodes 4]
 *               [--node NAME] [--first S] [--touch]
 *   bgpsink sink --local A --peer B --as N --peer-as N --expect N [--hold 9]
 *               [--wait S] [--drive DIR --tmp DIR --changes N [--gap-ms 20]
 *               [--timeout-ms 5000] [--start-ms 2000] [--log FILE]] [--stay]
 *
 * gen writes the Services and EndpointSlices of the benchmark into D:
 * svc-NNNN.yaml (one LoadBalancer Service, its ingress IP in
 * status.loadBalancer.ingress) and eps-NNNN.yaml (its --slices
 * EndpointSlices of --endpoints endpoints each).  Service s has the ingress
 * IP 10.100.0.0 + s + 1 and label app=bench; the endpoints of an even
 * Service are spread over all --nodes nodes (NAME-0 .. NAME-(nodes-1)),
 * those of an odd Service avoid NAME-0, the node of the agent.
 *
 * sink accepts one BGP session on --local from --peer (the agent connects:
 * nothing listens on 179 on a node), answers OPEN and KEEPALIVEs and keeps
 * the set of /32s inside 10.100.0.0/16 the peer announces.  Once the set
 * first holds --expect prefixes it prints `complete`.  With --drive it then
 * waits --start-ms and makes --changes changes, one at a time.  Change i
 * touches Service (i / 2) % services: even i withdraws it, odd i brings it
 * back.  An even Service is withdrawn by dropping its ingress IP, an odd
 * one by setting externalTrafficPolicy: Local (its endpoints are all on
 * other nodes).  Each change writes the whole new Service file into --tmp
 * (same file system, not watched), takes the time, renames it over
 * DIR/svc-NNNN.yaml and waits for the UPDATE that announces or withdraws
 * the /32; the latency is rename -> UPDATE read from the socket
 * (CLOCK_MONOTONIC).  Between changes the sink keeps reading for
 * --gap-ms, so UPDATEs beyond the one expected are counted (`extra`).
 *
 * Output (stdout, one line per event; T is CLOCK_REALTIME seconds, as
 * bash's $EPOCHREALTIME):
 *   established T hold H
 *   complete T prefixes N updates U
 *   latency n N p50 MS p90 MS p99 MS max MS mean MS announce-p99 MS
 *           withdraw-p99 MS extra E timeouts K
 *   done T
 *   stopped T rx-updates U count N other O
 * --log FILE gets one line per change: i service announce|withdraw method
 * latency_us updates_seen.  A hold timer expiry, a NOTIFICATION or a
 * closed connection after Established is printed and exits 1; one closed
 * before Established is printed (`closed`) and the next one accepted.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bgp/msg.h"
#include "bgp/open.h"
#include "bgp/update.h"

#define IN_CAP   (256u * 1024u)
#define SVC_BASE 0x0a640000u /* 10.100.0.0 */

struct opts {
	struct in_addr local, peer;
	uint32_t as, peer_as, expect;
	uint16_t hold;
	int wait_s;
	bool stay;
	/* driver */
	const char *drive, *tmp, *log;
	uint32_t changes, services;
	int gap_ms, timeout_ms, start_ms;
	/* gen */
	const char *dir, *node;
	uint32_t slices, endpoints, nodes, first;
};

struct sess {
	int fd;
	uint8_t in[IN_CAP];
	size_t in_len;
	uint16_t hold;
	bool as4, open_seen, established, closed;
	double last_rx, last_tx;
	uint64_t rx_updates;
	uint8_t held[65536 / 8]; /* /32s of 10.100.0.0/16 announced */
	uint32_t count, other;
	double last_update_at; /* monotonic time of the read that brought the last UPDATE */
};

static volatile sig_atomic_t stop_signal;
static struct bgp_scratch scratch;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bgpsink: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* ---- manifests ----------------------------------------------------------- */

static void svc_ip(uint32_t s, char *out, size_t len)
{
	uint32_t a = SVC_BASE + s + 1;
	snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* The Service file of s: withdrawn by its method when `off`. */
static int service_text(char *buf, size_t len, uint32_t s, bool off)
{
	char ip[32];
	bool local = off && (s & 1);
	bool no_ingress = off && !(s & 1);
	svc_ip(s, ip, sizeof(ip));
	return snprintf(buf, len,
	                "apiVersion: v1\n"
	                "kind: Service\n"
	                "metadata:\n"
	                "  name: svc-%04u\n"
	                "  namespace: bench\n"
	                "  labels: {app: bench, tier: t%u}\n"
	                "spec:\n"
	                "  type: LoadBalancer\n"
	                "  externalTrafficPolicy: %s\n"
	                "  selector: {app: svc-%04u}\n"
	                "  clusterIP: 10.96.%u.%u\n"
	                "  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]\n"
	                "status:\n"
	                "  loadBalancer:\n"
	                "    ingress: [%s%s%s]\n",
	                s, s % 10, local ? "Local" : "Cluster", s, (s + 1) >> 8, (s + 1) & 255,
	                no_ingress ? "" : "{ip: ", no_ingress ? "" : ip, no_ingress ? "" : "}");
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void gen(const struct opts *o)
{
	static char buf[1 << 16];
	char path[4096];
	for (uint32_t s = o->first; s < o->first + o->services; s++) {
		int n = service_text(buf, sizeof(buf), s, false);
		snprintf(path, sizeof(path), "%s/svc-%04u.yaml", o->dir, s);
		write_file(path, buf, (size_t)n);
		size_t off = 0;
		for (uint32_t j = 0; j < o->slices; j++) {
			off += (size_t)snprintf(buf + off, sizeof(buf) - off,
			                        "%sapiVersion: discovery.k8s.io/v1\n"
			                        "kind: EndpointSlice\n"
			                        "metadata:\n"
			                        "  name: svc-%04u-%05u\n"
			                        "  namespace: bench\n"
			                        "  labels: {kubernetes.io/service-name: svc-%04u}\n"
			                        "addressType: IPv4\n"
			                        "ports: [{name: http, port: 8080, protocol: TCP}]\n"
			                        "endpoints:\n",
			                        j == 0 ? "" : "---\n", s, j, s);
			for (uint32_t k = 0; k < o->endpoints; k++) {
				uint32_t e = j * o->endpoints + k;
				/* odd Services: no endpoint on node 0 */
				uint32_t node = (s & 1) != 0 && o->nodes > 1
				                        ? 1 + (s + e) % (o->nodes - 1)
				                        : (s + e) % o->nodes;
				off += (size_t)snprintf(buf + off, sizeof(buf) - off,
				                        "  - addresses: [172.20.%u.%u]\n"
				                        "    nodeName: %s-%u\n"
				                        "    conditions: {ready: true, serving: "
				                        "true, terminating: false}\n",
				                        node, (s * 7 + e) % 250 + 2, o->node, node);
				if (off >= sizeof(buf))
					die("EndpointSlices of one Service too large");
			}
		}
		snprintf(path, sizeof(path), "%s/eps-%04u.yaml", o->dir, s);
		write_file(path, buf, off);
	}
}

/* ---- session ------------------------------------------------------------- */

static void send_bytes(struct sess *s, const struct wbuf *w)
{
	size_t off = 0;
	while (off < w->len) {
		ssize_t n = send(s->fd, w->p + off, w->len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("send: %s", strerror(errno));
		off += (size_t)n;
	}
	s->last_tx = mono();
}

static void send_keepalive(struct sess *s)
{
	uint8_t buf[BGP_HEADER_LEN];
	struct wbuf w;
	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	send_bytes(s, &w);
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
	send_bytes(s, &w);
}

static void send_notification_and_exit(struct sess *s, uint8_t code, uint8_t sub)
{
	uint8_t buf[BGP_MAX_LEN];
	struct wbuf w;
	struct bgp_notice n;
	bgp_notice_set(&n, code, sub);
	wbuf_init(&w, buf, sizeof(buf));
	bgp_notification_encode(&w, &n);
	(void)send(s->fd, w.p, w.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	exit(1);
}

static void on_update(struct sess *s, struct rbuf body)
{
	const struct bgp_session_ctx ctx = { .as4 = s->as4,
		                             .ebgp = true,
		                             .afs = BGP_AF_BIT(BGP_AF_IPV4_UNICAST) };
	struct bgp_update u;
	struct bgp_route_iter ri;
	struct bgp_prefix p;
	bool reach;

	if (bgp_update_decode(&ctx, body, &scratch, &u) < 0)
		die("malformed UPDATE from the peer");
	bgp_route_iter_init(&ri, &u, &ctx);
	while (bgp_route_iter_next(&ri, &p, &reach) == 1) {
		uint32_t a = (uint32_t)p.addr[0] << 24 | (uint32_t)p.addr[1] << 16 |
		             (uint32_t)p.addr[2] << 8 | p.addr[3];
		if (p.af != BGP_AF_IPV4_UNICAST || p.len != 32 || (a & 0xffff0000u) != SVC_BASE) {
			s->other++;
			continue;
		}
		uint32_t slot = a & 0xffff;
		uint8_t bit = (uint8_t)(1u << (slot & 7));
		bool had = s->held[slot >> 3] & bit;
		if (reach && !had) {
			s->held[slot >> 3] |= bit;
			s->count++;
		} else if (!reach && had) {
			s->held[slot >> 3] &= (uint8_t)~bit;
			s->count--;
		}
	}
}

static void on_message(struct sess *s, const struct opts *o, const struct bgp_msg *m, double at)
{
	struct bgp_open peer;
	struct bgp_notice err;
	struct bgp_notification n;

	s->last_rx = at;
	switch (m->type) {
	case BGP_MSG_OPEN:
		if (bgp_open_decode(m->body, &peer, &err) < 0)
			send_notification_and_exit(s, err.code, err.subcode);
		if (bgp_open_asn(&peer) != o->peer_as) {
			fprintf(stderr, "bgpsink: peer AS %u, expected %u\n", bgp_open_asn(&peer),
			        o->peer_as);
			send_notification_and_exit(s, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS);
		}
		s->as4 = peer.caps.as4;
		s->hold = peer.hold_time < o->hold ? peer.hold_time : o->hold;
		s->open_seen = true;
		send_keepalive(s);
		break;
	case BGP_MSG_KEEPALIVE:
		if (s->open_seen && !s->established) {
			s->established = true;
			printf("established %.6f hold %u\n", wall(), s->hold);
		}
		break;
	case BGP_MSG_UPDATE:
		s->rx_updates++;
		s->last_update_at = at;
		on_update(s, m->body);
		break;
	case BGP_MSG_NOTIFICATION:
		if (bgp_notification_decode(m->body, &n) < 0)
			die("short NOTIFICATION from the peer");
		printf("notification %.6f %u/%u %s\n", wall(), n.code, n.subcode,
		       bgp_err_code_name(n.code));
		exit(1);
	default:
		break;
	}
}

static void read_peer(struct sess *s, const struct opts *o)
{
	ssize_t n = recv(s->fd, s->in + s->in_len, IN_CAP - s->in_len, MSG_DONTWAIT);
	double at = mono();
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		printf("closed %.6f %s\n", wall(), n == 0 ? "by the peer" : strerror(errno));
		if (!s->established) {
			s->closed = true; /* the peer may try again: run() accepts anew */
			return;
		}
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
		on_message(s, o, &m, at);
		off += m.len;
	}
	memmove(s->in, s->in + off, s->in_len - off);
	s->in_len -= off;
}

static int tcp_accept(const struct opts *o)
{
	struct sockaddr_in local = { .sin_family = AF_INET,
		                     .sin_addr = o->local,
		                     .sin_port = htons(BGP_PORT) };
	int one = 1, lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&local, sizeof(local)) < 0 || listen(lfd, 4) < 0)
		die("listen: %s", strerror(errno));
	printf("listening %.6f\n", wall());
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	double give_up = mono() + o->wait_s;
	for (;;) {
		if (poll(&pfd, 1, 200) == 1) {
			struct sockaddr_in from;
			socklen_t len = sizeof(from);
			int fd = accept(lfd, (struct sockaddr *)&from, &len);
			if (fd >= 0 && from.sin_addr.s_addr == o->peer.s_addr) {
				close(lfd);
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				return fd;
			}
			if (fd >= 0)
				close(fd);
		}
		if (mono() > give_up || stop_signal)
			die("nobody connected");
	}
}

/* Keepalives and the hold timer; returns the poll timeout in ms. */
static int timers(struct sess *s)
{
	if (s->hold == 0)
		return 1000;
	double t = mono(), every = s->hold / 3.0;
	if (t - s->last_rx > s->hold) {
		printf("hold-timer-expired %.6f\n", wall());
		fflush(stdout);
		send_notification_and_exit(s, BGP_ERR_HOLD, 0);
	}
	if (s->open_seen && t - s->last_tx >= every)
		send_keepalive(s);
	double next = s->last_tx + every - t;
	return next < 0.01 ? 10 : next > 1.0 ? 1000 : (int)(next * 1000);
}

/* Serve the session until `until` (monotonic) or, if held_slot >= 0, until
 * that slot's state equals `want`.  true when the condition was met. */
static bool serve(struct sess *s, const struct opts *o, double until, int held_slot, bool want)
{
	for (;;) {
		if (held_slot >= 0 &&
		    (bool)(s->held[held_slot >> 3] & (1u << (held_slot & 7))) == want)
			return true;
		if (stop_signal)
			return false;
		double left = until - mono();
		if (left <= 0)
			return held_slot < 0;
		int tmo = timers(s);
		int lms = (int)(left * 1000) + 1;
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int rc = poll(&pfd, 1, lms < tmo ? lms : tmo);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (rc > 0)
			read_peer(s, o);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank. */
static double pct(const double *v, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t r = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (r < 1)
		r = 1;
	return v[r > n ? n - 1 : r - 1];
}

static void drive(struct sess *s, const struct opts *o)
{
	static char text[4096];
	double *lat = calloc(o->changes, sizeof(*lat));
	double *lat_a = calloc(o->changes, sizeof(*lat_a));
	double *lat_w = calloc(o->changes, sizeof(*lat_w));
	size_t n = 0, na = 0, nw = 0, timeouts = 0;
	uint64_t extra = 0;
	double sum = 0;
	FILE *log = o->log != NULL ? fopen(o->log, "w") : NULL;
	if (lat == NULL || lat_a == NULL || lat_w == NULL || (o->log != NULL && log == NULL))
		die("cannot start the driver");

	serve(s, o, mono() + o->start_ms / 1000.0, -1, false);
	for (uint32_t i = 0; i < o->changes && !stop_signal; i++) {
		uint32_t svc = (i / 2) % o->services;
		bool off = (i & 1) == 0; /* withdraw first, then bring back */
		char tmp[4096], dst[4096];
		int len = service_text(text, sizeof(text), svc, off);
		snprintf(tmp, sizeof(tmp), "%s/svc-%04u.yaml", o->tmp, svc);
		snprintf(dst, sizeof(dst), "%s/svc-%04u.yaml", o->drive, svc);
		write_file(tmp, text, (size_t)len);
		uint64_t before = s->rx_updates;
		double t0 = mono();
		if (rename(tmp, dst) < 0)
			die("rename %s: %s", dst, strerror(errno));
		bool ok = serve(s, o, t0 + o->timeout_ms / 1000.0, (int)(svc + 1), !off);
		double ms = (s->last_update_at - t0) * 1000.0;
		uint64_t seen = s->rx_updates - before;
		if (!ok) {
			timeouts++;
			ms = -1;
		} else {
			lat[n++] = ms;
			sum += ms;
			if (off)
				lat_w[nw++] = ms;
			else
				lat_a[na++] = ms;
		}
		/* Let the agent finish the run; anything more it sends is extra. */
		uint64_t mid = s->rx_updates;
		serve(s, o, mono() + o->gap_ms / 1000.0, -1, false);
		seen += s->rx_updates - mid;
		if (seen > 1)
			extra += seen - 1;
		if (log != NULL)
			fprintf(log, "%u %u %s %s %.0f %llu\n", i, svc,
			        off ? "withdraw" : "announce",
			        (svc & 1) ? "externalTrafficPolicy" : "ingress", ms * 1000.0,
			        (unsigned long long)seen);
	}
	if (log != NULL)
		fclose(log);
	qsort(lat, n, sizeof(*lat), cmp_double);
	qsort(lat_a, na, sizeof(*lat_a), cmp_double);
	qsort(lat_w, nw, sizeof(*lat_w), cmp_double);
	printf("latency n %zu p50 %.2f p90 %.2f p99 %.2f max %.2f mean %.2f announce-p99 %.2f "
	       "withdraw-p99 %.2f extra %llu timeouts %zu\n",
	       n, pct(lat, n, 50), pct(lat, n, 90), pct(lat, n, 99), n ? lat[n - 1] : 0,
	       n ? sum / (double)n : 0, pct(lat_a, na, 99), pct(lat_w, nw, 99),
	       (unsigned long long)extra, timeouts);
	printf("done %.6f\n", wall());
	free(lat);
	free(lat_a);
	free(lat_w);
}

static void run(const struct opts *o)
{
	struct sess *s = calloc(1, sizeof(*s));
	if (s == NULL)
		die("out of memory");
	bool complete = false;
	s->closed = true;
	while (!stop_signal) {
		if (s->closed) {
			/* A connection the peer dropped before Established (its
			 * ConnectRetry timer, a collision): accept the next one. */
			if (s->fd > 0)
				close(s->fd);
			memset(s, 0, sizeof(*s));
			s->fd = tcp_accept(o);
			s->last_rx = s->last_tx = mono();
			s->hold = o->hold;
			send_open(s, o);
		}
		int tmo = timers(s);
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		int rc = poll(&pfd, 1, tmo);
		if (rc < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (rc > 0)
			read_peer(s, o);
		if (!complete && s->established && s->count >= o->expect) {
			complete = true;
			printf("complete %.6f prefixes %u updates %llu\n", wall(), s->count,
			       (unsigned long long)s->rx_updates);
			if (o->drive != NULL)
				drive(s, o);
			if (!o->stay)
				break;
		}
	}
	printf("stopped %.6f rx-updates %llu count %u other %u\n", wall(),
	       (unsigned long long)s->rx_updates, s->count, s->other);
}

/* ---- options ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
	        "usage: bgpsink gen --dir D --services N [--slices 5] [--endpoints 4] [--nodes 4]\n"
	        "                   [--node NAME] [--first S]\n"
	        "       bgpsink sink --local A --peer B --as N --peer-as N --expect N [--hold S]\n"
	        "                   [--wait S] [--stay] [--drive DIR --tmp DIR --services N\n"
	        "                   --changes N [--gap-ms MS] [--timeout-ms MS] [--start-ms MS]\n"
	        "                   [--log FILE]]\n");
	exit(2);
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > INT32_MAX)
		die("not a number: %s", s);
	return (uint32_t)v;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "local", required_argument, NULL, 'l' },
		{ "peer", required_argument, NULL, 'p' },
		{ "as", required_argument, NULL, 'a' },
		{ "peer-as", required_argument, NULL, 'A' },
		{ "expect", required_argument, NULL, 'e' },
		{ "hold", required_argument, NULL, 'h' },
		{ "wait", required_argument, NULL, 'w' },
		{ "stay", no_argument, NULL, 'S' },
		{ "drive", required_argument, NULL, 'D' },
		{ "tmp", required_argument, NULL, 't' },
		{ "log", required_argument, NULL, 'o' },
		{ "changes", required_argument, NULL, 'c' },
		{ "services", required_argument, NULL, 'n' },
		{ "gap-ms", required_argument, NULL, 'g' },
		{ "timeout-ms", required_argument, NULL, 'T' },
		{ "start-ms", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "node", required_argument, NULL, 'N' },
		{ "slices", required_argument, NULL, 'x' },
		{ "endpoints", required_argument, NULL, 'E' },
		{ "nodes", required_argument, NULL, 'k' },
		{ "first", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .hold = 9,
		          .wait_s = 60,
		          .gap_ms = 20,
		          .timeout_ms = 5000,
		          .start_ms = 2000,
		          .node = "bench-node",
		          .slices = 5,
		          .endpoints = 4,
		          .nodes = 4,
		          .expect = UINT32_MAX };
	int c;

	if (argc < 2 || (strcmp(argv[1], "gen") != 0 && strcmp(argv[1], "sink") != 0))
		usage();
	bool is_gen = strcmp(argv[1], "gen") == 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", longs, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (inet_pton(AF_INET, optarg, &o.local) != 1)
				usage();
			break;
		case 'p':
			if (inet_pton(AF_INET, optarg, &o.peer) != 1)
				usage();
			break;
		case 'a':
			o.as = number(optarg);
			break;
		case 'A':
			o.peer_as = number(optarg);
			break;
		case 'e':
			o.expect = number(optarg);
			break;
		case 'h':
			o.hold = (uint16_t)number(optarg);
			break;
		case 'w':
			o.wait_s = (int)number(optarg);
			break;
		case 'S':
			o.stay = true;
			break;
		case 'D':
			o.drive = optarg;
			break;
		case 't':
			o.tmp = optarg;
			break;
		case 'o':
			o.log = optarg;
			break;
		case 'c':
			o.changes = number(optarg);
			break;
		case 'n':
			o.services = number(optarg);
			break;
		case 'g':
			o.gap_ms = (int)number(optarg);
			break;
		case 'T':
			o.timeout_ms = (int)number(optarg);
			break;
		case 's':
			o.start_ms = (int)number(optarg);
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'N':
			o.node = optarg;
			break;
		case 'x':
			o.slices = number(optarg);
			break;
		case 'E':
			o.endpoints = number(optarg);
			break;
		case 'k':
			o.nodes = number(optarg);
			break;
		case 'f':
			o.first = number(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (is_gen) {
		if (o.dir == NULL || o.services == 0 || o.nodes == 0 ||
		    o.first + o.services > 65534)
			usage();
		gen(&o);
		return 0;
	}
	if (o.as == 0 || o.peer_as == 0 || o.local.s_addr == 0 || o.peer.s_addr == 0 ||
	    o.expect == UINT32_MAX || (o.hold != 0 && o.hold < 3))
		usage();
	if (o.drive != NULL && (o.tmp == NULL || o.services == 0 || o.services > 65534))
		usage();
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	run(&o);
	return 0;
}
