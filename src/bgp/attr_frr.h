/*
 * attr_frr: path attributes rendered the way FRR 8.4 vtysh prints them in
 * `show ip bgp`, `show ip bgp PREFIX` and `show bgp ipv6 unicast ...`, so
 * that scripts and eyes used to the lab's FRR router read kbgp the same way.
 *
 * Only what the attributes alone decide is here.  A detail block of
 * `show ip bgp PREFIX` mixes attribute text with RIB state ("valid,
 * external, best (Router ID)", "from 172.31.1.10 (172.31.1.10)", "Last
 * update: ..."), so each function below writes one piece and the CLI
 * interleaves them in FRR's order:
 *
 *   frr_format_detail_aspath, [", (stale)"], frr_format_detail_aggregator, "\n"
 *   frr_format_detail_nexthop, [" from ... (...)"], "\n"
 *   frr_format_detail_link_local
 *   frr_format_detail_origin, [", weight", ", valid", ", external"],
 *       frr_format_detail_atomic_aggregate, frr_format_detail_otc,
 *       [", multipath", ", best (...)"], "\n"
 *   frr_format_detail_communities
 *   frr_format_detail_ext_communities
 *   frr_format_detail_large_communities
 *   frr_format_detail_reflection
 *   ["      Last update: ..."]
 *
 * Functions named for a whole line write it with its newline, or nothing
 * when the attribute is absent; the others write a fragment without one.
 * Lists print the way FRR stores them: AS_SET members, communities,
 * extended and large communities sorted and without duplicates.  Nothing
 * is allocated.
 */
#ifndef KBGP_BGP_ATTR_FRR_H
#define KBGP_BGP_ATTR_FRR_H

#include "bgp/attr.h"
#include "bgp/proto.h"
#include "lib/sbuf.h"

/* Path column of `show ip bgp`: "65001 65000 {64512,64513} i", or just
 * "i" for an empty AS_PATH. */
void frr_format_path(struct sbuf *s, const struct bgp_attrs *a);
/* Next Hop column, unpadded: the IPv4 next hop, or for an IPv6 next hop
 * the link-local when one was sent, else the global. */
void frr_format_nexthop(struct sbuf *s, const struct bgp_attrs *a, enum bgp_af af);

/* "  65001 65000", or "  Local" for an empty AS_PATH. */
void frr_format_detail_aspath(struct sbuf *s, const struct bgp_attrs *a);
/* ", (aggregated by 65000 10.0.0.1)" when AGGREGATOR is present. */
void frr_format_detail_aggregator(struct sbuf *s, const struct bgp_attrs *a);
/* "    10.0.0.2", or the global IPv6 next hop "    fd00::2". */
void frr_format_detail_nexthop(struct sbuf *s, const struct bgp_attrs *a, enum bgp_af af);
/* "    (fe80::2) (used)\n" when the next hop carries a link-local. */
void frr_format_detail_link_local(struct sbuf *s, const struct bgp_attrs *a);
/* "      Origin IGP, metric 20, localpref 100": the parts present. */
void frr_format_detail_origin(struct sbuf *s, const struct bgp_attrs *a);
/* ", atomic-aggregate" when ATOMIC_AGGREGATE is present. */
void frr_format_detail_atomic_aggregate(struct sbuf *s, const struct bgp_attrs *a);
/* ", otc 65000" when OTC is present. */
void frr_format_detail_otc(struct sbuf *s, const struct bgp_attrs *a);
/* "      Community: 65000:99 no-export\n" */
void frr_format_detail_communities(struct sbuf *s, const struct bgp_attrs *a);
/* "      Extended Community: RT:65000:100 SoO:172.31.0.1:10\n" */
void frr_format_detail_ext_communities(struct sbuf *s, const struct bgp_attrs *a);
/* "      Large Community: 65000:1:2 65000:3:4\n" */
void frr_format_detail_large_communities(struct sbuf *s, const struct bgp_attrs *a);
/* "      Originator: 10.0.0.9, Cluster list: 10.0.0.1 10.0.0.2 \n" */
void frr_format_detail_reflection(struct sbuf *s, const struct bgp_attrs *a);

#endif
