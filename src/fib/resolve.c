/*
 * resolve: next-hop resolution through the kernel's own lookup.
 */
#include "fib/resolve.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static int take_route(const struct nlmsghdr *nlh, void *ctx)
{
	struct kroute *r = ctx;
	if (kmsg_parse_route(nlh, r) < 0)
		memset(r, 0, sizeof(*r));
	return 0;
}

static int ask(struct nl_sock *q, uint8_t family, const uint8_t *addr, bool fib_match,
               struct kroute *r)
{
	char buf[KMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	memset(buf, 0, sizeof(buf));
	memset(r, 0, sizeof(*r));
	kmsg_route_get(nlh, family, addr, fib_match);
	return nl_query(q, nlh, take_route, r) == 0 && r->family == family ? 0 : -1;
}

int fib_resolve(struct nl_sock *q, uint8_t protocol, const struct fib_nexthop *nh,
                struct kpath *out)
{
	uint8_t family = nh->af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET;
	struct kroute match, path;

	/* Which route covers the next hop, and whose it is. */
	if (ask(q, family, nh->addr, true, &match) < 0 || match.type != RTN_UNICAST ||
	    match.dst_len == 0 || match.protocol == protocol)
		return -1;
	/* Which of its ways the kernel would take. */
	if (ask(q, family, nh->addr, false, &path) < 0 || path.type != RTN_UNICAST ||
	    path.n_paths == 0 || path.paths[0].oif == 0)
		return -1;
	*out = path.paths[0];
	if (out->family == 0) { /* on the link: the next hop is the gateway */
		out->family = family;
		memcpy(out->gw, nh->addr, kmsg_addr_len(family));
	}
	return 0;
}

struct exact {
	const struct bgp_prefix *p;
	uint8_t family, own;
	bool found;
};

static int exact_route(const struct nlmsghdr *nlh, void *ctx)
{
	struct exact *x = ctx;
	struct kroute r;
	if (kmsg_parse_route(nlh, &r) == 0 && r.family == x->family && r.dst_len == x->p->len &&
	    r.protocol != x->own && memcmp(r.dst, x->p->addr, kmsg_addr_len(x->family)) == 0)
		x->found = true;
	return 0;
}

/* The kernel answers a lookup that hits a blackhole, unreachable or
 * prohibit route with EINVAL, without saying which route: those are few,
 * so look through them (a dump filtered by type). */
static int present_special(struct nl_sock *q, const struct bgp_prefix *p, uint8_t family,
                           uint8_t own)
{
	static const uint8_t types[] = { RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT };
	struct exact x = { p, family, own, false };
	char buf[KMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	for (size_t i = 0; i < sizeof(types) && !x.found; i++) {
		memset(buf, 0, sizeof(buf));
		nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		struct rtmsg *rtm = NLMSG_DATA(nlh);
		rtm->rtm_family = family;
		rtm->rtm_type = types[i];
		int err = nl_query(q, nlh, exact_route, &x);
		if (err != 0) {
			errno = err;
			return -1;
		}
	}
	return x.found;
}

int fib_route_present(struct nl_sock *q, const struct bgp_prefix *p, uint8_t own)
{
	uint8_t family = p->af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET;
	struct kroute match;
	char buf[KMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, sizeof(buf));
	kmsg_route_get(nlh, family, p->addr, true);
	memset(&match, 0, sizeof(match));
	int err = nl_query(q, nlh, take_route, &match);
	if (err == ENETUNREACH || err == EHOSTUNREACH)
		return 0;
	if (err == EINVAL)
		return present_special(q, p, family, own);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return match.family == family && match.dst_len == p->len && match.protocol != own &&
	       memcmp(match.dst, p->addr, kmsg_addr_len(family)) == 0;
}

struct lowest_default {
	uint8_t family;
	bool found;
	uint32_t metric;
	uint8_t gw[16];
};

static bool link_local(uint8_t family, const uint8_t *gw)
{
	return family == AF_INET6 ? gw[0] == 0xfe && (gw[1] & 0xc0) == 0x80
	                          : gw[0] == 169 && gw[1] == 254;
}

static int take_default(const struct nlmsghdr *nlh, void *ctx)
{
	struct lowest_default *d = ctx;
	struct kroute r;
	if (kmsg_parse_route(nlh, &r) < 0 || r.family != d->family || r.dst_len != 0 ||
	    r.type != RTN_UNICAST || r.table != RT_TABLE_MAIN || r.n_paths == 0 ||
	    r.paths[0].family != d->family || link_local(d->family, r.paths[0].gw))
		return 0;
	if (!d->found || r.metric < d->metric) {
		d->found = true;
		d->metric = r.metric;
		memcpy(d->gw, r.paths[0].gw, sizeof(d->gw));
	}
	return 0;
}

int fib_default_gateway(struct nl_sock *q, uint8_t af, union sockaddr_any *out)
{
	struct lowest_default d = { .family = af == BGP_AF_IPV6_UNICAST ? AF_INET6 : AF_INET };
	char buf[KMSG_MAX];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	((struct rtmsg *)NLMSG_DATA(nlh))->rtm_family = d.family;
	int err = nl_query(q, nlh, take_default, &d);
	if (err != 0) {
		errno = err;
		return -1;
	}
	if (!d.found)
		return 0;
	memset(out, 0, sizeof(*out));
	if (d.family == AF_INET) {
		out->in.sin_family = AF_INET;
		memcpy(&out->in.sin_addr, d.gw, 4);
	} else {
		out->in6.sin6_family = AF_INET6;
		memcpy(&out->in6.sin6_addr, d.gw, 16);
	}
	return 1;
}
