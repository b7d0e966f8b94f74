/*
 * kmsg: the kernel's route and nexthop messages (rtnetlink), built and
 * read.  Pure functions over struct nlmsghdr: no sockets, so the readers
 * can be fuzzed.  Readers validate every attribute's length and refuse
 * what they cannot read whole.
 */
#ifndef KBGP_FIB_KMSG_H
#define KBGP_FIB_KMSG_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib/fib.h"

/* One way out: a gateway (or none, on a link) and a device. */
struct kpath {
	uint8_t family; /* AF_INET, AF_INET6; 0: no gateway */
	uint8_t gw[16];
	uint32_t oif;
};

/* What kbgp reads of, and writes into, an RTM_{NEW,DEL,GET}ROUTE. */
struct kroute {
	uint8_t family; /* AF_INET, AF_INET6 */
	uint8_t dst_len;
	uint8_t dst[16];
	uint8_t protocol, type, scope;
	uint32_t table;
	uint32_t metric;
	uint32_t nhid; /* 0: paths below */
	size_t n_paths;
	struct kpath paths[FIB_MAX_PATHS];
};

/* What kbgp reads of, and writes into, an RTM_{NEW,DEL}NEXTHOP. */
struct knexthop {
	uint32_t id;
	uint8_t family;
	uint8_t protocol;
	bool blackhole;
	struct kpath path; /* a single nexthop */
	size_t n_group;    /* a group: member ids */
	uint32_t group[FIB_MAX_PATHS];
};

/* Builders write one message at nlh, which has room for KMSG_MAX bytes. */
#define KMSG_MAX 4096
void kmsg_route(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, const struct kroute *r);
void kmsg_nexthop(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, const struct knexthop *n);
/* RTM_GETROUTE for one address: where would the kernel send it. */
void kmsg_route_get(struct nlmsghdr *nlh, uint8_t family, const uint8_t *addr, bool fib_match);

/* Readers: 0, or -1 when the message is not of that kind or malformed. */
int kmsg_parse_route(const struct nlmsghdr *nlh, struct kroute *r);
int kmsg_parse_nexthop(const struct nlmsghdr *nlh, struct knexthop *n);
/* An NLMSG_ERROR: the error (0: an acknowledgement), the kernel's text
 * when it sent one (extended ack), and the request it answers when the
 * kernel copied it back. */
struct kerror {
	int error;
	char text[256];
	const struct nlmsghdr *request; /* NULL when not included */
};
int kmsg_parse_error(const struct nlmsghdr *nlh, struct kerror *e);

/* One more whole message at nlh within len bytes.  mnl_nlmsg_ok() casts
 * the length to int, so a length above 2 GiB would pass it. */
static inline bool kmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)len;
}

static inline size_t kmsg_addr_len(uint8_t family)
{
	return family == 10 /* AF_INET6 */ ? 16 : 4;
}

#endif
