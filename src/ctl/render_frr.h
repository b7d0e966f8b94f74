/*
 * render_frr: kbgpd's control-socket answers (docs/control-socket.md) laid
 * out the way FRR 8.4's vtysh prints the same views, so that eyes and
 * scripts used to the lab's FRR router read kbgp alike:
 *
 *   show ip bgp summary, show bgp ipv6 unicast summary  <- `peers`
 *   show ip bgp, show bgp ipv6 unicast                  <- `routes` (loc-rib)
 *   show ip bgp PREFIX                                  <- `routes` with `prefix`
 *   show ip route bgp, show ipv6 route bgp              <- `fib`
 *
 * Each function takes whole answers (the `result` objects) and prints
 * every instance in them as FRR prints `show ... view all`: the one
 * instance is the default VRF; several are views named after the
 * instances ("Instance NAME:" above each table, "(VIEW NAME)" in the
 * summary's heading).  They return 0, or -1 when an answer lacks the
 * array the view is made of (nothing is printed then).
 *
 * What FRR prints and the answers do not carry comes in `stats`, keyed by
 * instance name, then family, every member optional (NULL: none known):
 *
 *   {"router": {"ipv4": {"table_version": 7,     "BGP table version 7" (else 0)
 *                        "rib_entries": 9,       "RIB entries 9" (else no line)
 *                        "rib_memory": 1728,     ", using 1728 bytes of memory"
 *                        "peer_memory": 2226176, "Peers 3, using 2174 KiB of memory"
 *                        "peer_groups": 1,       "Peer groups 1" (0: no line)
 *                        "peer_group_memory": 64,
 *                        "dynamic_limit": 100}}} "1 dynamic neighbor(s), limit 100"
 *
 * Memory figures and the limit are printed only when given.  kbgp keeps
 * no per-route versions: `show ip bgp PREFIX` shows the table's.
 */
#ifndef KBGP_CTL_RENDER_FRR_H
#define KBGP_CTL_RENDER_FRR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#define FRR_UPTIME_MAX 32

/* bgpd's peer_uptime: "00:01:02" under a day, "1d02h03m" under a week,
 * "01w2d03h" under a year, "01y02w3d" beyond.  Returns buf. */
const char *frr_uptime(char buf[FRR_UPTIME_MAX], long long seconds);

/* `show ip bgp summary` (af_heading: first "IPv4 Unicast Summary (VRF
 * default):" as that command prints) or `show bgp ipv6 unicast summary`
 * (afi "ipv6", no heading).  Lists the peers that negotiated afi, and
 * those down that are configured for it: `configured_families` when a
 * peer has that key, else IPv4 only (kbgp's default). */
int frr_show_bgp_summary(FILE *out, const json_t *peers, const char *afi, bool af_heading,
                         const json_t *stats);

/* `show ip bgp` or `show bgp ipv6 unicast`, from a loc-rib answer (the
 * family is the answer's). */
int frr_show_bgp(FILE *out, const json_t *routes, const json_t *stats);

/* `show ip bgp PREFIX`, from a loc-rib answer asked with `prefix`.
 * adj_out, the adj-rib-out answer for the same prefix, gives the
 * "Advertised to" line (NULL: the line is left out).  "Last update" is
 * now minus each path's age, in local time. */
int frr_show_bgp_prefix(FILE *out, const json_t *routes, const json_t *adj_out, const json_t *stats,
                        time_t now);

/* `show ip route bgp` (afi "ipv4") or `show ipv6 route bgp` (afi "ipv6"),
 * from a `fib` answer.  The FIB has no ages or MEDs: each route's uptime
 * and [distance/metric] second number come from its best path in loc_rib
 * (a loc-rib answer for the same family), and without one the uptime is
 * left out and the metric shows 0.  The distance is the FIB's kernel
 * metric. */
int frr_show_route_bgp(FILE *out, const json_t *fib, const char *afi, const json_t *loc_rib);

#endif
