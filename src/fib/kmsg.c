/*
 * kmsg: rtnetlink route and nexthop messages.
 */
#include "fib/kmsg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static bool family_ok(uint8_t family)
{
	return family == AF_INET || family == AF_INET6;
}

static void put_paths(struct nlmsghdr *nlh, const struct kroute *r)
{
	if (r->n_paths == 1) {
		const struct kpath *p = &r->paths[0];
		if (p->family != 0)
			mnl_attr_put(nlh, RTA_GATEWAY, kmsg_addr_len(p->family), p->gw);
		mnl_attr_put_u32(nlh, RTA_OIF, p->oif);
		return;
	}
	struct nlattr *nest = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (size_t i = 0; i < r->n_paths; i++) {
		const struct kpath *p = &r->paths[i];
		struct rtnexthop *hop = mnl_nlmsg_get_payload_tail(nlh);
		size_t start = nlh->nlmsg_len;
		memset(hop, 0, sizeof(*hop));
		hop->rtnh_ifindex = (int)p->oif;
		nlh->nlmsg_len += MNL_ALIGN(sizeof(*hop));
		if (p->family != 0)
			mnl_attr_put(nlh, RTA_GATEWAY, kmsg_addr_len(p->family), p->gw);
		hop->rtnh_len = (unsigned short)(nlh->nlmsg_len - start);
	}
	mnl_attr_nest_end(nlh, nest);
}

void kmsg_route(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, const struct kroute *r)
{
	mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_type = r->type;
	rtm->rtm_scope = r->scope;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	mnl_attr_put(nlh, RTA_DST, kmsg_addr_len(r->family), r->dst);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (type == RTM_DELROUTE)
		return;
	if (r->nhid != 0)
		mnl_attr_put_u32(nlh, RTA_NH_ID, r->nhid);
	else if (r->n_paths > 0)
		put_paths(nlh, r);
}

void kmsg_nexthop(struct nlmsghdr *nlh, uint16_t type, uint16_t flags, const struct knexthop *n)
{
	mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	struct nhmsg *nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	mnl_attr_put_u32(nlh, NHA_ID, n->id);
	if (type == RTM_DELNEXTHOP)
		return; /* the kernel wants the id and nothing else */
	nhm->nh_family = n->n_group > 0 ? AF_UNSPEC : n->family;
	nhm->nh_protocol = n->protocol;
	if (n->n_group > 0) {
		struct nexthop_grp grp[FIB_MAX_PATHS];
		memset(grp, 0, sizeof(grp));
		for (size_t i = 0; i < n->n_group; i++)
			grp[i].id = n->group[i];
		mnl_attr_put(nlh, NHA_GROUP, n->n_group * sizeof(grp[0]), grp);
		return;
	}
	mnl_attr_put_u32(nlh, NHA_OIF, n->path.oif);
	if (n->path.family != 0)
		mnl_attr_put(nlh, NHA_GATEWAY, kmsg_addr_len(n->path.family), n->path.gw);
}

void kmsg_route_get(struct nlmsghdr *nlh, uint8_t family, const uint8_t *addr, bool fib_match)
{
	mnl_nlmsg_put_header(nlh);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = (uint8_t)(kmsg_addr_len(family) * 8);
	rtm->rtm_flags = fib_match ? RTM_F_FIB_MATCH : 0;
	mnl_attr_put(nlh, RTA_DST, kmsg_addr_len(family), addr);
}

/* Attribute tables: each reader first collects the attributes it knows,
 * checking their lengths, then uses them. */
struct attrs {
	const struct nlattr *a[RTA_MAX + 1 > NHA_MAX + 1 ? RTA_MAX + 1 : NHA_MAX + 1];
	uint16_t max;
};

static int collect(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	uint16_t type = mnl_attr_get_type(attr);
	if (type <= t->max)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static bool copy_addr(const struct nlattr *a, uint8_t family, uint8_t *out)
{
	if (a == NULL || mnl_attr_get_payload_len(a) != kmsg_addr_len(family))
		return false;
	memcpy(out, mnl_attr_get_payload(a), kmsg_addr_len(family));
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *out)
{
	if (a == NULL)
		return true;
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*out = mnl_attr_get_u32(a);
	return true;
}

static int parse_multipath(const struct nlattr *mp, uint8_t family, struct kroute *r)
{
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop)) {
		struct rtnexthop hop;
		memcpy(&hop, p, sizeof(hop));
		if (hop.rtnh_len < sizeof(hop) || hop.rtnh_len > left ||
		    r->n_paths == FIB_MAX_PATHS)
			return -1;
		struct kpath *k = &r->paths[r->n_paths++];
		memset(k, 0, sizeof(*k));
		k->oif = (uint32_t)hop.rtnh_ifindex;
		size_t off = MNL_ALIGN(sizeof(hop));
		while (off + sizeof(struct nlattr) <= hop.rtnh_len) {
			const struct nlattr *a = (const struct nlattr *)(p + off);
			if (a->nla_len < sizeof(*a) || off + a->nla_len > hop.rtnh_len)
				return -1;
			if (mnl_attr_get_type(a) == RTA_GATEWAY) {
				if (!copy_addr(a, family, k->gw))
					return -1;
				k->family = family;
			}
			off += MNL_ALIGN(a->nla_len);
		}
		size_t step = MNL_ALIGN(hop.rtnh_len);
		if (step > left)
			break;
		p += step;
		left -= step;
	}
	return 0;
}

int kmsg_parse_route(const struct nlmsghdr *nlh, struct kroute *r)
{
	struct attrs t = { .max = RTA_MAX };
	const struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	if ((nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return -1;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (!family_ok(rtm->rtm_family) || rtm->rtm_dst_len > kmsg_addr_len(rtm->rtm_family) * 8)
		return -1;
	if (mnl_attr_parse(nlh, sizeof(*rtm), collect, &t) < 0)
		return -1;
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->scope = rtm->rtm_scope;
	r->table = rtm->rtm_table;
	if (t.a[RTA_DST] != NULL && !copy_addr(t.a[RTA_DST], r->family, r->dst))
		return -1;
	if (!get_u32(t.a[RTA_TABLE], &r->table) || !get_u32(t.a[RTA_PRIORITY], &r->metric) ||
	    !get_u32(t.a[RTA_NH_ID], &r->nhid))
		return -1;
	if (t.a[RTA_MULTIPATH] != NULL)
		return parse_multipath(t.a[RTA_MULTIPATH], r->family, r);
	if (t.a[RTA_OIF] != NULL || t.a[RTA_GATEWAY] != NULL) {
		struct kpath *k = &r->paths[r->n_paths++];
		if (!get_u32(t.a[RTA_OIF], &k->oif))
			return -1;
		if (t.a[RTA_GATEWAY] != NULL) {
			if (!copy_addr(t.a[RTA_GATEWAY], r->family, k->gw))
				return -1;
			k->family = r->family;
		}
	}
	return 0;
}

int kmsg_parse_nexthop(const struct nlmsghdr *nlh, struct knexthop *n)
{
	struct attrs t = { .max = NHA_MAX };
	const struct nhmsg *nhm;

	memset(n, 0, sizeof(*n));
	if ((nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nhm)))
		return -1;
	nhm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*nhm), collect, &t) < 0)
		return -1;
	n->family = nhm->nh_family;
	n->protocol = nhm->nh_protocol;
	if (t.a[NHA_ID] == NULL || !get_u32(t.a[NHA_ID], &n->id))
		return -1;
	n->blackhole = t.a[NHA_BLACKHOLE] != NULL;
	if (t.a[NHA_GROUP] != NULL) {
		size_t len = mnl_attr_get_payload_len(t.a[NHA_GROUP]);
		struct nexthop_grp g;
		if (len % sizeof(g) != 0 || len / sizeof(g) > FIB_MAX_PATHS)
			return -1;
		for (size_t i = 0; i < len / sizeof(g); i++) {
			memcpy(&g,
			       (const uint8_t *)mnl_attr_get_payload(t.a[NHA_GROUP]) +
			               i * sizeof(g),
			       sizeof(g));
			n->group[n->n_group++] = g.id;
		}
		return 0;
	}
	if (!get_u32(t.a[NHA_OIF], &n->path.oif))
		return -1;
	if (t.a[NHA_GATEWAY] != NULL) {
		if (!family_ok(n->family) || !copy_addr(t.a[NHA_GATEWAY], n->family, n->path.gw))
			return -1;
		n->path.family = n->family;
	}
	return 0;
}

static int collect_ext(const struct nlattr *attr, void *data)
{
	struct kerror *e = data;
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(e->text, sizeof(e->text), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

int kmsg_parse_error(const struct nlmsghdr *nlh, struct kerror *e)
{
	const struct nlmsgerr *err;

	memset(e, 0, sizeof(*e));
	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*err))
		return -1;
	err = mnl_nlmsg_get_payload(nlh);
	/* errno values are small and positive; anything else is not one. */
	e->error = err->error <= 0 && err->error > -4096 ? -err->error : EINVAL;
	size_t offset = sizeof(*err); /* the request's header is always there */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		/* The whole request follows: check it fits before pointing at it. */
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr) ||
		    MNL_NLMSG_HDRLEN + sizeof(*err) - sizeof(err->msg) + err->msg.nlmsg_len >
		            nlh->nlmsg_len)
			return -1;
		e->request = &err->msg;
		offset += MNL_ALIGN(err->msg.nlmsg_len) - sizeof(err->msg);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && MNL_NLMSG_HDRLEN + offset <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, (unsigned)offset, collect_ext, e);
	return 0;
}
