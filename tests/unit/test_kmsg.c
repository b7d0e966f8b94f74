/*
 * Kernel messages: what kbgp writes reads back the same, ECMP in both
 * forms (nexthop group, RTA_MULTIPATH), and the kernel's errors give back
 * the request they answer and its extended-ack text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "fib/kmsg.h"

static char buf[KMSG_MAX * 2];

static struct kroute route_10_99(void)
{
	struct kroute r = { .family = AF_INET,
		            .dst_len = 24,
		            .dst = { 10, 99, 0, 0 },
		            .protocol = FIB_PROTO_BGP,
		            .type = RTN_UNICAST,
		            .table = 254,
		            .metric = 20 };
	return r;
}

static void test_route_by_nhid(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct kroute r = route_10_99(), back;
	r.nhid = 0x6b620001;
	kmsg_route(nlh, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &r);
	assert_int_equal(kmsg_parse_route(nlh, &back), 0);
	assert_int_equal(back.family, AF_INET);
	assert_int_equal(back.dst_len, 24);
	assert_memory_equal(back.dst, r.dst, 4);
	assert_int_equal(back.protocol, FIB_PROTO_BGP);
	assert_int_equal(back.table, 254);
	assert_int_equal(back.metric, 20);
	assert_int_equal(back.nhid, 0x6b620001);
	assert_int_equal(back.n_paths, 0);
	assert_true(nlh->nlmsg_flags & NLM_F_REPLACE);
}

static void test_route_multipath(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct kroute r = route_10_99(), back;
	r.n_paths = 3;
	for (size_t i = 0; i < 3; i++)
		r.paths[i] = (struct kpath){ .family = AF_INET,
			                     .gw = { 10, 0, 0, (uint8_t)(11 + i) },
			                     .oif = 7 };
	kmsg_route(nlh, RTM_NEWROUTE, NLM_F_CREATE, &r);
	assert_int_equal(kmsg_parse_route(nlh, &back), 0);
	assert_int_equal(back.nhid, 0);
	assert_int_equal(back.n_paths, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(back.paths[i].family, AF_INET);
		assert_int_equal(back.paths[i].gw[3], 11 + i);
		assert_int_equal(back.paths[i].oif, 7);
	}
	/* An IPv6 route on one path. */
	struct kroute six = { .family = AF_INET6, .dst_len = 64, .table = 254, .n_paths = 1 };
	six.dst[0] = 0x20;
	six.dst[1] = 0x01;
	six.paths[0] = (struct kpath){ .family = AF_INET6, .oif = 3 };
	six.paths[0].gw[15] = 1;
	kmsg_route(nlh, RTM_NEWROUTE, 0, &six);
	assert_int_equal(kmsg_parse_route(nlh, &back), 0);
	assert_int_equal(back.family, AF_INET6);
	assert_int_equal(back.n_paths, 1);
	assert_int_equal(back.paths[0].gw[15], 1);
}

static void test_nexthops(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct knexthop one = { .id = 5,
		                .family = AF_INET,
		                .protocol = FIB_PROTO_BGP,
		                .path = { .family = AF_INET, .gw = { 10, 0, 0, 11 }, .oif = 2 } };
	struct knexthop back;
	kmsg_nexthop(nlh, RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL, &one);
	assert_int_equal(kmsg_parse_nexthop(nlh, &back), 0);
	assert_int_equal(back.id, 5);
	assert_int_equal(back.protocol, FIB_PROTO_BGP);
	assert_int_equal(back.path.oif, 2);
	assert_int_equal(back.path.gw[3], 11);

	struct knexthop group = {
		.id = 9, .protocol = FIB_PROTO_BGP, .n_group = 3, .group = { 5, 6, 7 }
	};
	kmsg_nexthop(nlh, RTM_NEWNEXTHOP, NLM_F_CREATE, &group);
	assert_int_equal(kmsg_parse_nexthop(nlh, &back), 0);
	assert_int_equal(back.n_group, 3);
	assert_int_equal(back.group[2], 7);

	/* A deletion carries the id only: the kernel refuses anything else. */
	kmsg_nexthop(nlh, RTM_DELNEXTHOP, 0, &group);
	assert_int_equal(kmsg_parse_nexthop(nlh, &back), 0);
	assert_int_equal(back.id, 9);
	assert_int_equal(back.protocol, 0);
	assert_int_equal(back.n_group, 0);
}

/* The kernel's answer to a refused route: error, the request, then the
 * extended ack's message. */
static void test_error_names_request_and_reason(void **state)
{
	(void)state;
	char req_buf[KMSG_MAX];
	struct nlmsghdr *req = (struct nlmsghdr *)req_buf;
	struct kroute r = route_10_99(), back;
	r.nhid = 77;
	kmsg_route(req, RTM_NEWROUTE, NLM_F_CREATE, &r);

	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	struct nlmsgerr *err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err) - sizeof(*req) +
	                                                               MNL_ALIGN(req->nlmsg_len));
	err->error = -22;
	memcpy(&err->msg, req, req->nlmsg_len);
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Nexthop id does not exist");

	struct kerror e;
	assert_int_equal(kmsg_parse_error(nlh, &e), 0);
	assert_int_equal(e.error, 22);
	assert_string_equal(e.text, "Nexthop id does not exist");
	assert_non_null(e.request);
	assert_int_equal(kmsg_parse_route(e.request, &back), 0);
	assert_int_equal(back.nhid, 77);
	assert_int_equal(back.dst[1], 99);

	/* An acknowledgement: error 0, capped. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = 0;
	assert_int_equal(kmsg_parse_error(nlh, &e), 0);
	assert_int_equal(e.error, 0);
	assert_null(e.request);
}

/* Lengths that do not add up are refused, never read past. */
static void test_truncated_refused(void **state)
{
	(void)state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct kroute r = route_10_99(), back;
	kmsg_route(nlh, RTM_NEWROUTE, 0, &r);
	/* kmsg_route writes RTA_TABLE first, RTA_DST second. */
	struct nlattr *table = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct rtmsg));
	struct nlattr *dst = (struct nlattr *)((char *)table + MNL_ALIGN(table->nla_len));
	assert_int_equal(mnl_attr_get_type(dst), RTA_DST);
	dst->nla_len = 6; /* an IPv4 address of two bytes */
	assert_int_equal(kmsg_parse_route(nlh, &back), -1);

	struct nlmsghdr *err = mnl_nlmsg_put_header(buf);
	err->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(err, sizeof(*e));
	e->error = -1;
	e->msg.nlmsg_len = 4000; /* claims a request longer than the message */
	struct kerror ke;
	assert_int_equal(kmsg_parse_error(err, &ke), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_by_nhid),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_nexthops),
		cmocka_unit_test(test_error_names_request_and_reason),
		cmocka_unit_test(test_truncated_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
