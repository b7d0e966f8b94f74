/*
 * negotiate: what two OPENs agree on (RFC 4271 §4.2, §6.2; RFC 4760;
 * RFC 5492; RFC 6793; RFC 7911; RFC 8950; RFC 8654; RFC 9234), and the
 * checks of a received OPEN against what the peer was configured to be.
 * A pure function: the session layer calls it when an OPEN arrives.
 */
#ifndef KBGP_BGP_NEGOTIATE_H
#define KBGP_BGP_NEGOTIATE_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/attr.h"
#include "bgp/msg.h"
#include "bgp/open.h"

/* Which AS the peer may have (Cilium's peerASN 0 is BGP_PEER_AS_ANY). */
enum bgp_peer_as_kind {
	BGP_PEER_AS_NUMBER,
	BGP_PEER_AS_EXTERNAL, /* FRR `remote-as external`: any AS but ours */
	BGP_PEER_AS_INTERNAL, /* `remote-as internal`: our AS */
	BGP_PEER_AS_ANY,      /* learned from the OPEN */
};

struct bgp_local {
	uint32_t asn;
	uint32_t router_id;
	struct bgp_open open; /* what we send: hold time, capabilities */
	enum bgp_peer_as_kind peer_as_kind;
	uint32_t peer_asn;  /* for BGP_PEER_AS_NUMBER */
	bool role_strict;   /* RFC 9234 §4.2: refuse a peer without a role */
	uint16_t keepalive; /* configured; 0 means a third of the hold time */
};

struct bgp_negotiated {
	uint32_t peer_asn;
	uint32_t peer_id;
	bool ebgp;
	uint16_t hold_time; /* 0: no hold timer, no keepalives */
	uint16_t keepalive; /* hold_time / 3 */
	struct bgp_session_ctx ctx;
	bool route_refresh;
	bool enhanced_rr;
	bool ext_message; /* UPDATEs may reach 65535 bytes both ways */
	bool peer_gr;     /* the peer can restart gracefully (helper mode) */
	uint16_t peer_restart_time;
	bool peer_restarted;        /* R bit: the peer has just restarted */
	bool peer_gr_notification;  /* N bit on both sides (RFC 8538) */
	bool hard_reset_ceases;     /* Ceases that drop routes go out as Hard Reset */
	uint8_t peer_gr_forwarding; /* families whose forwarding survived */
};

/*
 * Check the peer's OPEN against the local configuration and compute what the
 * session will use.  Returns -1 with err set to the NOTIFICATION to send:
 * Bad Peer AS (2/2), Bad BGP Identifier (2/3), Unsupported Capability (2/7,
 * with the capability we needed as data) or Role Mismatch (2/11).
 */
int bgp_negotiate(const struct bgp_local *local, const struct bgp_open *peer,
                  struct bgp_negotiated *out, struct bgp_notice *err);

#endif
