/*
 * resolve: next-hop resolution through the kernel's own lookup.
 */
#include "fib/resolve.h"

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
