/*
 * open: the OPEN message (RFC 4271 §4.2), its optional parameters in the
 * classic and the RFC 9072 extended form, and the capabilities they carry
 * (RFC 5492), each described once in a table in capa.c.
 */
#ifndef KBGP_BGP_OPEN_H
#define KBGP_BGP_OPEN_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/msg.h"
#include "bgp/proto.h"
#include "lib/buf.h"

#define BGP_CAPA_UNKNOWN_MAX  8
#define BGP_CAPA_OTHER_AF_MAX 8
#define BGP_FQDN_MAX          255

/* A capability kbgp does not understand, kept so the operator can see it. */
struct bgp_capa_unknown {
	uint8_t code;
	uint8_t len;
	uint8_t data[255];
};

/* Graceful restart (RFC 4724, RFC 8538). */
#define BGP_GR_F_RESTART      0x8 /* R: the sender has restarted */
#define BGP_GR_F_NOTIFICATION 0x4 /* N: graceful NOTIFICATION support */
#define BGP_GR_AF_FORWARDING  0x80

/* ADD-PATH direction bits (RFC 7911). */
#define BGP_ADDPATH_RECV 1
#define BGP_ADDPATH_SEND 2

enum bgp_role {
	BGP_ROLE_PROVIDER = 0,
	BGP_ROLE_RS = 1,
	BGP_ROLE_RS_CLIENT = 2,
	BGP_ROLE_CUSTOMER = 3,
	BGP_ROLE_PEER = 4,
};

/* What one OPEN announces.  Per-family sets are bitmasks of BGP_AF_BIT().
 * Capabilities without a value (route refresh, enhanced route refresh,
 * extended message) are just their bit in `seen`. */
struct bgp_caps {
	uint32_t seen[8]; /* capability codes present, unknown ones too */
	uint8_t mp;
	/* MP capabilities for families kbgp does not speak, as afi << 8 | safi. */
	uint32_t mp_other[BGP_CAPA_OTHER_AF_MAX];
	uint8_t n_mp_other;
	uint8_t ext_nexthop; /* families whose NLRI may have an IPv6 next hop */
	bool has_role;
	uint8_t role;
	bool as4;
	uint32_t as4_asn;
	struct {
		bool present;
		uint8_t flags; /* BGP_GR_F_* */
		uint16_t restart_time;
		uint8_t afs;
		uint8_t forwarding;
	} gr;
	uint8_t addpath[BGP_AF_COUNT]; /* BGP_ADDPATH_* */
	struct {
		bool present;
		uint8_t afs;
		uint8_t forwarding;
		uint32_t stale_time[BGP_AF_COUNT];
	} llgr;
	bool has_fqdn;
	char fqdn_host[BGP_FQDN_MAX + 1];
	char fqdn_domain[BGP_FQDN_MAX + 1];
	uint8_t n_unknown;
	struct bgp_capa_unknown unknown[BGP_CAPA_UNKNOWN_MAX];
};

struct bgp_open {
	uint8_t version;
	uint16_t my_as; /* AS_TRANS when the real ASN needs four octets */
	uint16_t hold_time;
	uint32_t bgp_id;
	struct bgp_caps caps;
};

bool bgp_caps_has(const struct bgp_caps *c, uint8_t code);
void bgp_caps_mark(struct bgp_caps *c, uint8_t code);

/* Decode the capabilities of one Capabilities optional parameter into c. */
int bgp_caps_decode(struct rbuf params, struct bgp_caps *c, struct bgp_notice *err);
/* Write c as a sequence of capability TLVs. */
void bgp_caps_encode(struct wbuf *w, const struct bgp_caps *c);
/* Name of a capability code, or NULL. */
const char *bgp_capa_name(uint8_t code);

/*
 * Decode an OPEN body.  Checks that belong to the message itself are made
 * here (version, hold time 1 or 2, BGP Identifier 0, optional parameter
 * framing, capability lengths); checks against configuration (peer AS, our
 * own identifier, required capabilities) belong to the session.
 */
int bgp_open_decode(struct rbuf body, struct bgp_open *o, struct bgp_notice *err);
/* Encode an OPEN; the optional parameters use RFC 9072 when they need to. */
void bgp_open_encode(struct wbuf *w, const struct bgp_open *o);
/* The sender's AS: the 4-octet AS capability if present, else My AS. */
uint32_t bgp_open_asn(const struct bgp_open *o);

#endif
