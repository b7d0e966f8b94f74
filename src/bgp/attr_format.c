/*
 * attr_format: path attributes rendered the way GoBGP v3 prints them, which
 * is what `cilium bgp routes` shows in its Attrs column.  One exception:
 * GoBGP prints the bytes of an unrecognised attribute raw, kbgp prints hex,
 * so a hostile peer cannot write to the operator's terminal.
 */
#include <arpa/inet.h>

#include "bgp/aspath.h"
#include "bgp/attr_desc.h"
#include "bgp/nlri.h"

static void format_ipv4(struct sbuf *s, uint32_t host_order)
{
	sbuf_printf(s, "%u.%u.%u.%u", host_order >> 24, (host_order >> 16) & 0xff,
	            (host_order >> 8) & 0xff, host_order & 0xff);
}

static void format_ip(struct sbuf *s, const uint8_t *addr, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	inet_ntop(len == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text));
	sbuf_puts(s, text);
}

void attr_format_origin(struct sbuf *s, const struct bgp_attrs *a)
{
	static const char letter[] = { 'i', 'e', '?' };
	sbuf_printf(s, "{Origin: %c}", letter[a->origin]);
}

void attr_format_as_path(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_puts(s, "{AsPath: ");
	aspath_format(s, a->as_path);
	sbuf_puts(s, "}");
}

void attr_format_next_hop(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_puts(s, "{Nexthop: ");
	format_ipv4(s, a->next_hop);
	sbuf_puts(s, "}");
}

void attr_format_med(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_printf(s, "{Med: %u}", a->med);
}

void attr_format_local_pref(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_printf(s, "{LocalPref: %u}", a->local_pref);
}

void attr_format_atomic_aggregate(struct sbuf *s, const struct bgp_attrs *a)
{
	(void)a;
	sbuf_puts(s, "{AtomicAggregate}");
}

void attr_format_aggregator(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_printf(s, "{Aggregate: {AS: %u, Address: ", a->aggregator_as);
	format_ipv4(s, a->aggregator_id);
	sbuf_puts(s, "}}");
}

const char *bgp_community_name(uint32_t c)
{
	switch (c) {
	case BGP_COMM_GRACEFUL_SHUTDOWN:
		return "graceful-shutdown";
	case BGP_COMM_LLGR_STALE:
		return "llgr-stale";
	case BGP_COMM_NO_LLGR:
		return "no-llgr";
	case BGP_COMM_BLACKHOLE:
		return "blackhole";
	case BGP_COMM_NO_EXPORT:
		return "no-export";
	case BGP_COMM_NO_ADVERTISE:
		return "no-advertise";
	case BGP_COMM_NO_EXPORT_SUBCONF:
		return "no-export-subconfed";
	case BGP_COMM_NO_PEER:
		return "no-peer";
	default:
		return NULL;
	}
}

void attr_format_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct rbuf r = a->communities;
	uint32_t c;

	sbuf_puts(s, "{Communities: ");
	for (int i = 0; rbuf_u32(&r, &c) == 0; i++) {
		const char *name = bgp_community_name(c);
		sbuf_puts(s, i == 0 ? "" : ", ");
		if (name != NULL)
			sbuf_puts(s, name);
		else
			sbuf_printf(s, "%u:%u", c >> 16, c & 0xffff);
	}
	sbuf_puts(s, "}");
}

void attr_format_originator_id(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_puts(s, "{Originator: ");
	format_ipv4(s, a->originator_id);
	sbuf_puts(s, "}");
}

void attr_format_cluster_list(struct sbuf *s, const struct bgp_attrs *a)
{
	struct rbuf r = a->cluster_list;
	uint32_t id;

	sbuf_puts(s, "{ClusterList: [");
	for (int i = 0; rbuf_u32(&r, &id) == 0; i++) {
		sbuf_puts(s, i == 0 ? "" : ", ");
		format_ipv4(s, id);
	}
	sbuf_puts(s, "]}");
}

static void format_nlri(struct sbuf *s, uint8_t af, struct rbuf field)
{
	struct nlri_iter it;
	struct bgp_prefix p;
	char text[64];

	/* Path identifiers are not shown, as GoBGP does not show them here. */
	nlri_iter_init(&it, field, (enum bgp_af)af, false);
	sbuf_puts(s, "NLRIs: [");
	for (int i = 0; nlri_next(&it, &p) == 1; i++) {
		bgp_prefix_format(text, sizeof(text), &p);
		sbuf_printf(s, "%s%s", i == 0 ? "" : " ", text);
	}
	sbuf_puts(s, "]");
}

void attr_format_mp_reach(struct sbuf *s, const struct bgp_attrs *a)
{
	const struct bgp_mp_reach *mp = &a->mp_reach;
	size_t global = mp->nh_len == 32 ? 16 : mp->nh_len;

	sbuf_printf(s, "{MpReach(%s): {Nexthop: ", bgp_af_table[mp->af].name);
	format_ip(s, mp->nh, global);
	if (mp->nh_len == 32) {
		sbuf_puts(s, ", LinkLocalNexthop: ");
		format_ip(s, mp->nh + 16, 16);
	}
	sbuf_puts(s, ", ");
	format_nlri(s, mp->af, mp->nlri);
	sbuf_puts(s, "}}");
}

void attr_format_mp_unreach(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_printf(s, "{MpUnreach(%s): {", bgp_af_table[a->mp_unreach.af].name);
	format_nlri(s, a->mp_unreach.af, a->mp_unreach.nlri);
	sbuf_puts(s, "}}");
}

/* Transitive two-octet-AS, IPv4-address and four-octet-AS specific
 * communities (RFC 4360, RFC 5668) print as "global:local"; others as hex. */
static void format_ext_community(struct sbuf *s, struct rbuf *r)
{
	uint8_t type, subtype;
	uint16_t g16, l16;
	uint32_t g32, l32;

	rbuf_u8(r, &type);
	rbuf_u8(r, &subtype);
	switch (type & 0x3f) {
	case 0x00:
		rbuf_u16(r, &g16);
		rbuf_u32(r, &l32);
		sbuf_printf(s, "[%u:%u]", g16, l32);
		return;
	case 0x01:
		rbuf_u32(r, &g32);
		rbuf_u16(r, &l16);
		sbuf_puts(s, "[");
		format_ipv4(s, g32);
		sbuf_printf(s, ":%u]", l16);
		return;
	case 0x02:
		rbuf_u32(r, &g32);
		rbuf_u16(r, &l16);
		sbuf_printf(s, "[%u:%u]", g32, l16);
		return;
	default:
		rbuf_u16(r, &g16);
		rbuf_u32(r, &l32);
		sbuf_printf(s, "[0x%02x%02x%04x%08x]", type, subtype, g16, l32);
	}
}

void attr_format_ext_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct rbuf r = a->ext_communities;

	sbuf_puts(s, "{Extcomms: ");
	for (int i = 0; rbuf_left(&r) >= 8; i++) {
		sbuf_puts(s, i == 0 ? "" : ", ");
		format_ext_community(s, &r);
	}
	sbuf_puts(s, "}");
}

void attr_format_large_communities(struct sbuf *s, const struct bgp_attrs *a)
{
	struct rbuf r = a->large_communities;
	uint32_t g, l1, l2;

	sbuf_puts(s, "{LargeCommunity: [ ");
	for (int i = 0; rbuf_left(&r) >= 12; i++) {
		rbuf_u32(&r, &g);
		rbuf_u32(&r, &l1);
		rbuf_u32(&r, &l2);
		sbuf_printf(s, "%s%u:%u:%u", i == 0 ? "" : ", ", g, l1, l2);
	}
	sbuf_puts(s, "]}");
}

void attr_format_otc(struct sbuf *s, const struct bgp_attrs *a)
{
	sbuf_printf(s, "{Otc: %u}", a->otc);
}

static void format_attr_flags(struct sbuf *s, uint8_t flags)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ BGP_ATTR_F_EXTLEN, "EXTENDED_LENGTH" },
		{ BGP_ATTR_F_PARTIAL, "PARTIAL" },
		{ BGP_ATTR_F_TRANSITIVE, "TRANSITIVE" },
		{ BGP_ATTR_F_OPTIONAL, "OPTIONAL" },
	};
	bool first = true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(flags & names[i].bit))
			continue;
		sbuf_printf(s, "%s%s", first ? "" : "|", names[i].name);
		first = false;
	}
}

void attr_format_opaque(struct sbuf *s, struct rbuf opaque, bool first)
{
	uint8_t flags, code, len8, byte;
	struct rbuf value;

	while (rbuf_u8(&opaque, &flags) == 0 && rbuf_u8(&opaque, &code) == 0) {
		uint16_t len = 0;
		if (flags & BGP_ATTR_F_EXTLEN)
			rbuf_u16(&opaque, &len);
		else if (rbuf_u8(&opaque, &len8) == 0)
			len = len8;
		if (rbuf_sub(&opaque, len, &value) < 0)
			return;
		sbuf_puts(s, first ? "{Flags: " : " {Flags: ");
		first = false;
		format_attr_flags(s, flags);
		sbuf_printf(s, ", Type: BGPAttrType(%u), Value: 0x", code);
		while (rbuf_u8(&value, &byte) == 0)
			sbuf_printf(s, "%02x", byte);
		sbuf_puts(s, "}");
	}
}
