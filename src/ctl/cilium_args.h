/*
 * cilium_args: the words after `bgp routes` in kbgpctl's Cilium mode, read
 * with Cilium's grammar, defaults, notices and error framing (cilium-dbg
 * cmd/bgp_route_get.go; ../shared/research/cilium-bgp-v2.md §5.3):
 * <available|advertised> <afi> <safi> [vrouter <asn>] [peer|neighbor <address>].
 */
#ifndef KBGP_CTL_CILIUM_ARGS_H
#define KBGP_CTL_CILIUM_ARGS_H

#include <stdbool.h>
#include <stdint.h>

struct cilium_routes_args {
	const char *table; /* "loc-rib" (available) or "adj-rib-out" (advertised) */
	const char *afi;   /* as given (Cilium's AFI names), default "ipv4" */
	const char *safi;  /* as given (Cilium's SAFI names), default "unicast" */
	bool has_vrouter;
	uint32_t vrouter; /* [vrouter <asn>] */
	char peer[128];   /* [peer <address>] as inet_ntop prints it (a zone
	                   * kept: "fe80::1%eth0"); "" if none */
	bool print_peer;  /* cilium-dbg's Peer column: advertised and no peer */
	char notice[96];  /* for stdout: the "(Defaulting to ...)" line and a
	                   * blank line, or "" */
	char error[512];  /* for stderr, on failure: "Error: ...\n\n" (then exit 1) */
};

/* Parse argv[0..argc) (the words after "routes"; flags such as -o already
 * taken out).  silent (cilium-dbg with -o) leaves the notice empty.
 * 0, or -1 with a->error set. */
int cilium_routes_args(int argc, char *const argv[], bool silent, struct cilium_routes_args *a);

#endif
