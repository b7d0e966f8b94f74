/*
 * fibwatch: count the IPv4 routes of one protocol in the kernel of the
 * current network namespace, as they arrive, for the FIB benchmark
 * (bench/fib.sh).
 *
 *   fibwatch --expect N [--paths W] [--proto P] [--table T]
 *            [--interval-ms 10] [--progress S] [--timeout S] [--rcvbuf BYTES]
 *
 * A route counts when it is an IPv4 unicast route of protocol P (a number,
 * or bgp, bird, zebra, static, boot, kernel) in table T (main) and has at
 * least W next hops.  Its next hops are counted from RTA_MULTIPATH (one per
 * rtnexthop), or 1 for a plain gateway/device route, or, when the route
 * refers to a nexthop object (RTA_NH_ID), from that object: the number of
 * members of a group, 1 for a single nexthop.  Routes are keyed by
 * destination and prefix length (one route per prefix, as a routing daemon
 * installs them).
 *
 * How: one netlink socket joins RTNLGRP_IPV4_ROUTE and RTNLGRP_NEXTHOP with
 * a large receive buffer (SO_RCVBUFFORCE, --rcvbuf, 128 MB) and keeps a table of the
 * matching routes (prefix -> next hop count or nexthop id) and one of the
 * nexthop objects (id -> members, routes using it), so the count is kept
 * up to date in O(1) per message; a group that gains or loses members
 * moves all its routes at once.  The socket is read in batches of up to
 * 256 messages per recvmmsg(); when it is empty the program sleeps
 * --interval-ms, so it wakes about 100 times a second instead of once per
 * kernel message.  Timestamps are therefore late by up to that interval.
 *
 * If the kernel drops notifications (ENOBUFS: the receive buffer filled
 * up) the tables are rebuilt: the socket's queue is discarded, then the
 * nexthops and the routes are dumped on a second socket (strict checking:
 * the kernel filters the route dump by protocol and table itself), then the
 * notifications queued since the discard are applied on top; they are all
 * newer than what was discarded, so the end state is right.  The same
 * resynchronisation gives the starting state.
 *
 * Output (stdout, CLOCK_MONOTONIC seconds, the clock bgpblast uses):
 *   ready T routes R complete C            subscribed, initial state read
 *   first T                                first matching route seen
 *   progress T routes R complete C         every --progress seconds (1)
 *   overrun T                              ENOBUFS, resynchronised
 *   complete T routes R complete C         C reached --expect; exits 0
 *   stopped T routes R complete C msgs M overruns O cpu S   (at exit)
 * With --timeout S it gives up after S seconds (exit 3); SIGTERM/SIGINT
 * stop it (exit 1).  Needs CAP_NET_ADMIN for the buffer size (falls back to
 * SO_RCVBUF).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH    256
#define MSG_BUF  8192
#define RCVBUF   (128 * 1024 * 1024)
#define DUMP_BUF (64 * 1024)

struct opts {
	uint32_t expect, paths, table;
	uint8_t proto;
	int interval_ms, rcvbuf;
	double progress_s, timeout_s;
};

/* A matching route: key is (dst << 8 | len) + 1, 0 = free slot. */
struct route {
	uint64_t key;
	uint32_t nhid; /* 0: next hops given inline, see width */
	uint32_t width;
};

/* A nexthop object: key is its id (never 0). */
struct nhobj {
	uint32_t id;
	uint32_t width; /* group members, 1 for a single nexthop, 0 once deleted */
	uint32_t refs;  /* matching routes that use it */
};

static struct {
	struct route *rt;
	size_t rt_cap, rt_len;
	struct nhobj *nh;
	size_t nh_cap, nh_len;
	uint32_t complete; /* routes with at least paths next hops */
	uint32_t want;
	uint64_t msgs, overruns;
} st;

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
	fprintf(stderr, "fibwatch: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static uint64_t mix(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p == NULL)
		die("out of memory");
	return p;
}

/* ---- nexthop objects (linear probing, never deleted) ------------------ */

static struct nhobj *nh_slot(uint32_t id)
{
	size_t mask = st.nh_cap - 1, i = mix(id) & mask;
	while (st.nh[i].id != 0 && st.nh[i].id != id)
		i = (i + 1) & mask;
	return &st.nh[i];
}

static struct nhobj *nh_get(uint32_t id)
{
	struct nhobj *e = nh_slot(id);
	if (e->id != 0)
		return e;
	if ((st.nh_len + 1) * 2 > st.nh_cap) {
		struct nhobj *old = st.nh;
		size_t old_cap = st.nh_cap;
		st.nh_cap *= 2;
		st.nh = zalloc(st.nh_cap, sizeof(*st.nh));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].id != 0)
				*nh_slot(old[i].id) = old[i];
		free(old);
		e = nh_slot(id);
	}
	*e = (struct nhobj){ .id = id };
	st.nh_len++;
	return e;
}

static void nh_set(uint32_t id, uint32_t width)
{
	struct nhobj *e = nh_get(id);
	bool was = e->width >= st.want, is = width >= st.want;
	if (was && !is)
		st.complete -= e->refs;
	else if (!was && is)
		st.complete += e->refs;
	e->width = width;
}

/* ---- routes (linear probing, backward-shift deletion) ----------------- */

static size_t rt_index(uint64_t key)
{
	size_t mask = st.rt_cap - 1, i = mix(key) & mask;
	while (st.rt[i].key != 0 && st.rt[i].key != key)
		i = (i + 1) & mask;
	return i;
}

/* The route table is mapped with MAP_POPULATE: its page faults happen
 * before the run, not while the routes pour in. */
static struct route *rt_alloc(size_t cap)
{
	void *p = mmap(NULL, cap * sizeof(struct route), PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		die("out of memory");
	return p;
}

static void rt_free(struct route *rt, size_t cap)
{
	if (rt != NULL)
		munmap(rt, cap * sizeof(struct route));
}

static void rt_grow(void)
{
	struct route *old = st.rt;
	size_t old_cap = st.rt_cap;
	st.rt_cap *= 2;
	st.rt = rt_alloc(st.rt_cap);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key != 0)
			st.rt[rt_index(old[i].key)] = old[i];
	rt_free(old, old_cap);
}

/* Add or remove one route's contribution to the counts. */
static void rt_account(const struct route *r, int sign)
{
	uint32_t width = r->width;
	if (r->nhid != 0) {
		struct nhobj *e = nh_get(r->nhid);
		e->refs += (uint32_t)sign;
		width = e->width;
	}
	if (width >= st.want)
		st.complete += (uint32_t)sign;
}

static void rt_set(uint64_t key, uint32_t nhid, uint32_t width)
{
	if ((st.rt_len + 1) * 2 > st.rt_cap)
		rt_grow();
	struct route *r = &st.rt[rt_index(key)];
	if (r->key != 0)
		rt_account(r, -1);
	else
		st.rt_len++;
	*r = (struct route){ .key = key, .nhid = nhid, .width = width };
	rt_account(r, +1);
}

static void rt_del(uint64_t key)
{
	size_t mask = st.rt_cap - 1, i = rt_index(key);
	if (st.rt[i].key == 0)
		return;
	rt_account(&st.rt[i], -1);
	st.rt_len--;
	/* Backward shift: move later members of the cluster into the hole. */
	for (size_t j = (i + 1) & mask; st.rt[j].key != 0; j = (j + 1) & mask) {
		size_t home = mix(st.rt[j].key) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			st.rt[i] = st.rt[j];
			i = j;
		}
	}
	st.rt[i] = (struct route){ 0 };
}

/* Empty tables, the route table sized for EXPECT routes at load 0.5. */
static void tables_reset(uint32_t expect)
{
	rt_free(st.rt, st.rt_cap);
	free(st.nh);
	st.rt_cap = 1u << 16;
	while (st.rt_cap < 2 * (size_t)expect + 2)
		st.rt_cap *= 2;
	st.nh_cap = 1u << 8;
	st.rt = rt_alloc(st.rt_cap);
	st.nh = zalloc(st.nh_cap, sizeof(*st.nh));
	st.rt_len = st.nh_len = 0;
	st.complete = 0;
}

/* ---- netlink messages ------------------------------------------------- */

static const struct opts *g_opts;

static uint32_t multipath_width(const struct nlattr *a)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t len = mnl_attr_get_payload_len(a);
	uint32_t n = 0;
	while (len >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *h = (const struct rtnexthop *)p;
		if (h->rtnh_len < sizeof(*h) || h->rtnh_len > len)
			break;
		n++;
		size_t step = RTNH_ALIGN(h->rtnh_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return n;
}

static void on_route(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || rtm->rtm_family != AF_INET ||
	    rtm->rtm_protocol != g_opts->proto || rtm->rtm_type != RTN_UNICAST)
		return;
	uint32_t table = rtm->rtm_table, dst = 0, nhid = 0, width = 0;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_TABLE:
			if (mnl_attr_get_payload_len(a) >= 4)
				table = mnl_attr_get_u32(a);
			break;
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) >= 4)
				memcpy(&dst, mnl_attr_get_payload(a), 4);
			break;
		case RTA_NH_ID:
			if (mnl_attr_get_payload_len(a) >= 4)
				nhid = mnl_attr_get_u32(a);
			break;
		case RTA_MULTIPATH:
			width = multipath_width(a);
			break;
		case RTA_GATEWAY:
		case RTA_OIF:
			if (width == 0)
				width = 1;
			break;
		default:
			break;
		}
	}
	if (table != g_opts->table)
		return;
	uint64_t key = ((uint64_t)ntohl(dst) << 8 | rtm->rtm_dst_len) + 1;
	if (nlh->nlmsg_type == RTM_DELROUTE)
		rt_del(key);
	else
		rt_set(key, nhid, width);
}

static void on_nexthop(const struct nlmsghdr *nlh)
{
	const struct nhmsg *nhm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)))
		return;
	uint32_t id = 0, width = 1;
	const struct nlattr *a;
	mnl_attr_for_each(a, nlh, sizeof(*nhm))
	{
		switch (mnl_attr_get_type(a)) {
		case NHA_ID:
			if (mnl_attr_get_payload_len(a) >= 4)
				id = mnl_attr_get_u32(a);
			break;
		case NHA_GROUP:
			width = mnl_attr_get_payload_len(a) / sizeof(struct nexthop_grp);
			break;
		default:
			break;
		}
	}
	if (id == 0)
		return;
	/* A deleted object takes its routes with it (without RTM_DELROUTE);
	 * they stop counting. */
	nh_set(id, nlh->nlmsg_type == RTM_DELNEXTHOP ? 0 : width);
}

static void on_message(const struct nlmsghdr *nlh)
{
	st.msgs++;
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(nlh);
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		on_nexthop(nlh);
		break;
	default:
		break;
	}
}

/* ---- dumps (resynchronisation) ---------------------------------------- */

static bool dump_intr;

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		dump_intr = true;
	on_message(nlh);
	return MNL_CB_OK;
}

/* One dump; false if the kernel says it was interrupted by changes. */
static bool dump(struct mnl_socket *nl, uint16_t type)
{
	static uint8_t buf[DUMP_BUF];
	static uint32_t seq = 1;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++seq;
	if (type == RTM_GETROUTE) {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rtm->rtm_protocol = g_opts->proto;
		rtm->rtm_type = RTN_UNICAST;
		mnl_attr_put_u32(nlh, RTA_TABLE, g_opts->table);
	} else {
		struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
		nhm->nh_family = AF_UNSPEC;
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("dump request: %s", strerror(errno));
	dump_intr = false;
	uint32_t portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("dump: %s", strerror(errno));
		int rc = mnl_cb_run(buf, (size_t)n, seq, portid, dump_cb, NULL);
		if (rc == MNL_CB_STOP)
			break;
		if (rc < 0) {
			/* No nexthop objects in this kernel: nothing to count. */
			if (type == RTM_GETNEXTHOP && (errno == EOPNOTSUPP || errno == EINVAL))
				return true;
			die("dump: %s", strerror(errno));
		}
	}
	return !dump_intr;
}

static void drain(int fd)
{
	static uint8_t buf[MSG_BUF];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno != ENOBUFS && errno != EINTR)
			die("recv: %s", strerror(errno));
	}
}

static void resync(int events_fd, struct mnl_socket *dumper)
{
	for (int tries = 0;; tries++) {
		drain(events_fd);
		tables_reset(g_opts->expect);
		bool ok = dump(dumper, RTM_GETNEXTHOP);
		ok = dump(dumper, RTM_GETROUTE) && ok;
		if (ok || tries == 4)
			return;
	}
}

/* ---- main loop -------------------------------------------------------- */

static uint8_t proto_number(const char *s)
{
	static const struct {
		const char *name;
		uint8_t num;
	} names[] = { { "kernel", 2 }, { "boot", 3 },  { "static", 4 },
		      { "zebra", 11 }, { "bird", 12 }, { "bgp", 186 } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].num;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > 255)
		die("bad protocol: %s", s);
	return (uint8_t)v;
}

static uint32_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > UINT32_MAX)
		die("not a number: %s", s);
	return (uint32_t)v;
}

static void usage(void)
{
	fprintf(stderr, "usage: fibwatch --expect N [--paths W] [--proto P] [--table T]\n"
	                "                [--interval-ms 10] [--progress S] [--timeout S]\n"
	                "                [--rcvbuf BYTES]\n");
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "expect", required_argument, NULL, 'e' },
		{ "paths", required_argument, NULL, 'w' },
		{ "proto", required_argument, NULL, 'p' },
		{ "table", required_argument, NULL, 't' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "progress", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	*o = (struct opts){ .paths = 1,
		            .table = RT_TABLE_MAIN,
		            .proto = 186,
		            .interval_ms = 10,
		            .progress_s = 1,
		            .rcvbuf = RCVBUF };
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 'e':
			o->expect = number(optarg);
			break;
		case 'w':
			o->paths = number(optarg);
			break;
		case 'p':
			o->proto = proto_number(optarg);
			break;
		case 't':
			o->table = strcmp(optarg, "main") == 0    ? RT_TABLE_MAIN
			           : strcmp(optarg, "local") == 0 ? RT_TABLE_LOCAL
			                                          : number(optarg);
			break;
		case 'i':
			o->interval_ms = (int)number(optarg);
			break;
		case 'g':
			o->progress_s = atof(optarg);
			break;
		case 'T':
			o->timeout_s = atof(optarg);
			break;
		case 'r':
			o->rcvbuf = (int)number(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || o->expect == 0 || o->paths == 0)
		usage();
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void report(const char *what, double t)
{
	printf("%s %.6f routes %zu complete %u\n", what, t, st.rt_len, st.complete);
}

static int finish(const char *what, int rc)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (what != NULL)
		report(what, now());
	printf("stopped %.6f routes %zu complete %u msgs %llu overruns %llu cpu %.2f\n", now(),
	       st.rt_len, st.complete, (unsigned long long)st.msgs, (unsigned long long)st.overruns,
	       cpu);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	parse(argc, argv, &o);
	g_opts = &o;
	st.want = o.paths;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	struct mnl_socket *events = mnl_socket_open(NETLINK_ROUTE);
	struct mnl_socket *dumper = mnl_socket_open(NETLINK_ROUTE);
	if (events == NULL || dumper == NULL)
		die("netlink socket: %s", strerror(errno));
	int fd = mnl_socket_get_fd(events), size = o.rcvbuf, one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		die("SO_RCVBUF: %s", strerror(errno));
	if (mnl_socket_bind(events, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(dumper, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind: %s", strerror(errno));
	unsigned groups[] = { RTNLGRP_IPV4_ROUTE, RTNLGRP_NEXTHOP };
	for (size_t i = 0; i < 2; i++)
		if (mnl_socket_setsockopt(events, NETLINK_ADD_MEMBERSHIP, &groups[i],
		                          sizeof(groups[i])) < 0)
			die("netlink group %u: %s", groups[i], strerror(errno));
	/* Strict checking: the kernel filters the route dump itself. */
	(void)mnl_socket_setsockopt(dumper, NETLINK_GET_STRICT_CHK, &one, sizeof(one));

	resync(fd, dumper);
	double t0 = now(), next_progress = t0 + o.progress_s;
	report("ready", t0);
	bool first = st.rt_len > 0;

	static uint8_t bufs[BATCH][MSG_BUF];
	struct iovec iov[BATCH];
	struct mmsghdr mm[BATCH];
	for (int i = 0; i < BATCH; i++)
		iov[i] = (struct iovec){ .iov_base = bufs[i], .iov_len = MSG_BUF };

	while (!stop_signal) {
		if (st.complete >= o.expect)
			return finish("complete", 0);
		for (int i = 0; i < BATCH; i++)
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
				                               .msg_iovlen = 1 } };
		int n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
		double t = now();
		if (n < 0 && errno == ENOBUFS) {
			st.overruns++;
			printf("overrun %.6f\n", t);
			resync(fd, dumper);
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			die("recvmmsg: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
				die("notification longer than %d bytes", MSG_BUF);
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)bufs[i];
			int len = (int)mm[i].msg_len;
			for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
				on_message(nlh);
		}
		if (!first && st.rt_len > 0) {
			first = true;
			printf("first %.6f\n", t);
		}
		if (o.progress_s > 0 && t >= next_progress) {
			report("progress", t);
			next_progress = t + o.progress_s;
		}
		if (o.timeout_s > 0 && t - t0 > o.timeout_s)
			return finish("timeout", 3);
		if (n < BATCH) {
			struct timespec nap = { .tv_sec = o.interval_ms / 1000,
				                .tv_nsec =
				                        (long)(o.interval_ms % 1000) * 1000000L };
			nanosleep(&nap, NULL);
		}
	}
	return finish(NULL, 1);
}
