/*
 * render_cilium: the control socket's answers (docs/control-socket.md)
 * printed as Cilium 1.18 prints its BGP tables, byte for byte: `cilium-dbg
 * bgp peers|routes|route-policies` for one node and `cilium bgp
 * peers|routes` (cilium-cli) for several, and Go's duration text.  The
 * formats are in ../shared/research/cilium-bgp-v2.md §5; the arguments of
 * `bgp routes` are read by ctl/cilium_args.
 *
 * The renderers take a command's `result` as it came from the daemon
 * ("several nodes": an object of node name -> result) and write to out.
 * Keys that are missing print as 0 or "".  They return 0, or -1 when out
 * of memory or a write failed.
 */
#ifndef KBGP_CTL_RENDER_CILIUM_H
#define KBGP_CTL_RENDER_CILIUM_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/sbuf.h"

/* cilium-dbg bgp peers: a `peers` result. */
int cilium_dbg_peers(FILE *out, const json_t *result);
/* cilium bgp peers: {node: `peers` result}. */
int cilium_cli_peers(FILE *out, const json_t *by_node);

/* cilium-dbg bgp routes: a `routes` result; print_peer adds the Peer
 * column (cilium-dbg: the advertised table with no peer given, i.e.
 * cilium_routes_args.print_peer, ctl/cilium_args.h). */
int cilium_dbg_routes(FILE *out, const json_t *result, bool print_peer);
/* cilium bgp routes: {node: `routes` result}; cilium-cli adds the Peer
 * column for the advertised table, peer given or not. */
int cilium_cli_routes(FILE *out, const json_t *by_node, bool print_peer);

/* cilium-dbg bgp route-policies: a `route-policies` result. */
int cilium_dbg_route_policies(FILE *out, const json_t *result);

/* Go's time.Duration(seconds).String(): "0s", "3m2s", "1h0m0s". */
void cilium_duration(struct sbuf *s, int64_t seconds);
/* Go's time.Duration(ns).Round(time.Second).String(), as Cilium prints
 * uptimes and ages (half a second rounds away from zero). */
void cilium_duration_ns(struct sbuf *s, int64_t ns);

#endif
