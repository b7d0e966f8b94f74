/*
 * fuzz_netlink: what the kernel sends kbgp's FIB, as one receive buffer:
 * route and nexthop messages (dump answers, notifications) and errors.
 * Every message goes through the reader of its kind; a route or nexthop
 * read whole, written back by kbgp's builder and read again, must come back
 * the same; an error's request, when there is one, is read like any
 * message.
 */
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "fib/kmsg.h"
#include "fuzz.h"

static char out[KMSG_MAX * 2];

static bool same_route(const struct kroute *a, const struct kroute *b)
{
	if (a->family != b->family || a->dst_len != b->dst_len || a->protocol != b->protocol ||
	    a->type != b->type || a->scope != b->scope || a->table != b->table ||
	    a->metric != b->metric || a->nhid != b->nhid || a->n_paths != b->n_paths ||
	    memcmp(a->dst, b->dst, sizeof(a->dst)) != 0)
		return false;
	for (size_t i = 0; i < a->n_paths; i++)
		if (a->paths[i].family != b->paths[i].family ||
		    a->paths[i].oif != b->paths[i].oif ||
		    memcmp(a->paths[i].gw, b->paths[i].gw, sizeof(a->paths[i].gw)) != 0)
			return false;
	return true;
}

static void route(const struct nlmsghdr *nlh)
{
	struct kroute r, back;
	if (kmsg_parse_route(nlh, &r) < 0)
		return;
	/* kbgp writes either an nhid or next hops, never both. */
	if (r.nhid != 0 && r.n_paths > 0)
		return;
	struct nlmsghdr *w = (struct nlmsghdr *)out;
	memset(out, 0, sizeof(out));
	kmsg_route(w, RTM_NEWROUTE, 0, &r);
	FUZZ_CHECK(kmsg_parse_route(w, &back) == 0);
	FUZZ_CHECK(same_route(&r, &back));
}

static void nexthop(const struct nlmsghdr *nlh)
{
	struct knexthop n, back;
	if (kmsg_parse_nexthop(nlh, &n) < 0 || n.blackhole)
		return;
	struct nlmsghdr *w = (struct nlmsghdr *)out;
	memset(out, 0, sizeof(out));
	kmsg_nexthop(w, RTM_NEWNEXTHOP, 0, &n);
	FUZZ_CHECK(kmsg_parse_nexthop(w, &back) == 0);
	FUZZ_CHECK(back.id == n.id && back.n_group == n.n_group);
	FUZZ_CHECK(memcmp(back.group, n.group, n.n_group * sizeof(n.group[0])) == 0);
	if (n.n_group == 0)
		FUZZ_CHECK(back.path.oif == n.path.oif && back.path.family == n.path.family &&
		           memcmp(back.path.gw, n.path.gw, sizeof(n.path.gw)) == 0);
}

static void error(const struct nlmsghdr *nlh)
{
	struct kerror e;
	if (kmsg_parse_error(nlh, &e) < 0)
		return;
	FUZZ_CHECK(memchr(e.text, '\0', sizeof(e.text)) != NULL);
	if (e.request != NULL) {
		struct kroute r;
		struct knexthop n;
		kmsg_parse_route(e.request, &r);
		kmsg_parse_nexthop(e.request, &n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Netlink messages are 4-byte aligned in the kernel's buffers. */
	static uint32_t aligned[65536 / 4];
	if (size > sizeof(aligned))
		return 0;
	memcpy(aligned, data, size);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)aligned;
	int left = (int)size;
	for (; kmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		route(nlh);
		nexthop(nlh);
		error(nlh);
	}
	return 0;
}
