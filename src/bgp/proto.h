/*
 * proto: BGP-4 protocol numbers (RFC 4271 and extensions) and the dense
 * address-family index kbgp uses internally.
 */
#ifndef KBGP_BGP_PROTO_H
#define KBGP_BGP_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#define BGP_VERSION        4
#define BGP_PORT           179
#define BGP_HEADER_LEN     19
#define BGP_MARKER_LEN     16
#define BGP_MAX_LEN        4096
#define BGP_EXT_MAX_LEN    65535 /* RFC 8654 */
#define BGP_OPEN_MIN_LEN   29
#define BGP_UPDATE_MIN_LEN 23
#define BGP_NOTIFY_MIN_LEN 21
#define BGP_RREFRESH_LEN   23
#define BGP_AS_TRANS       23456 /* RFC 6793 */
#define BGP_HOLD_MIN       3

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* NOTIFICATION error codes (RFC 4271 §4.5, RFC 6608, RFC 7313, RFC 9687). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_RREFRESH = 7,
	BGP_ERR_SEND_HOLD = 8,
};

enum bgp_err_header {
	BGP_ERR_HDR_SYNC = 1,
	BGP_ERR_HDR_LEN = 2,
	BGP_ERR_HDR_TYPE = 3,
};

enum bgp_err_open {
	BGP_ERR_OPEN_UNSPEC = 0,
	BGP_ERR_OPEN_VERSION = 1,
	BGP_ERR_OPEN_PEER_AS = 2,
	BGP_ERR_OPEN_BGP_ID = 3,
	BGP_ERR_OPEN_OPT_PARAM = 4,
	BGP_ERR_OPEN_HOLD = 6,
	BGP_ERR_OPEN_CAPA = 7,
	BGP_ERR_OPEN_ROLE = 11,
};

enum bgp_err_update {
	BGP_ERR_UPD_UNSPEC = 0,
	BGP_ERR_UPD_ATTR_LIST = 1,
	BGP_ERR_UPD_UNKNOWN_WK = 2,
	BGP_ERR_UPD_MISSING_WK = 3,
	BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LEN = 5,
	BGP_ERR_UPD_ORIGIN = 6,
	BGP_ERR_UPD_NEXTHOP = 8,
	BGP_ERR_UPD_OPT_ATTR = 9,
	BGP_ERR_UPD_NETWORK = 10,
	BGP_ERR_UPD_ASPATH = 11,
};

enum bgp_err_cease {
	BGP_CEASE_MAX_PREFIX = 1,
	BGP_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_CEASE_PEER_DECONFIGURED = 3,
	BGP_CEASE_ADMIN_RESET = 4,
	BGP_CEASE_CONN_REJECTED = 5,
	BGP_CEASE_CONFIG_CHANGE = 6,
	BGP_CEASE_COLLISION = 7,
	BGP_CEASE_OUT_OF_RESOURCES = 8,
	BGP_CEASE_HARD_RESET = 9, /* RFC 8538 */
	BGP_CEASE_BFD_DOWN = 10,
};

enum bgp_err_rrefresh {
	BGP_ERR_RR_LEN = 1,
};

/* Path attribute flags (RFC 4271 §4.3). The low four bits are ignored. */
#define BGP_ATTR_F_OPTIONAL   0x80
#define BGP_ATTR_F_TRANSITIVE 0x40
#define BGP_ATTR_F_PARTIAL    0x20
#define BGP_ATTR_F_EXTLEN     0x10
#define BGP_ATTR_F_MASK       0xf0

enum bgp_attr_code {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH = 14,
	BGP_ATTR_MP_UNREACH = 15,
	BGP_ATTR_EXT_COMMUNITIES = 16,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITY = 32,
	BGP_ATTR_OTC = 35,
};

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

enum bgp_aspath_seg {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4,
};

/* Well-known communities (RFC 1997, RFC 8326, RFC 7999, RFC 9494). */
#define BGP_COMM_GRACEFUL_SHUTDOWN 0xFFFF0000u
#define BGP_COMM_LLGR_STALE        0xFFFF0006u
#define BGP_COMM_NO_LLGR           0xFFFF0007u
#define BGP_COMM_BLACKHOLE         0xFFFF029Au
#define BGP_COMM_NO_EXPORT         0xFFFFFF01u
#define BGP_COMM_NO_ADVERTISE      0xFFFFFF02u
#define BGP_COMM_NO_EXPORT_SUBCONF 0xFFFFFF03u
#define BGP_COMM_NO_PEER           0xFFFFFF04u

enum bgp_capa_code {
	BGP_CAPA_MP = 1,
	BGP_CAPA_ROUTE_REFRESH = 2,
	BGP_CAPA_EXT_NEXTHOP = 5,
	BGP_CAPA_EXT_MESSAGE = 6,
	BGP_CAPA_ROLE = 9,
	BGP_CAPA_GRACEFUL_RESTART = 64,
	BGP_CAPA_AS4 = 65,
	BGP_CAPA_ADD_PATH = 69,
	BGP_CAPA_ENHANCED_RR = 70,
	BGP_CAPA_LLGR = 71,
	BGP_CAPA_FQDN = 73,
};

#define BGP_OPT_PARAM_CAPA 2
#define BGP_OPT_PARAM_EXT  255 /* RFC 9072 marker type */

enum bgp_afi {
	BGP_AFI_IPV4 = 1,
	BGP_AFI_IPV6 = 2,
};

enum bgp_safi {
	BGP_SAFI_UNICAST = 1,
};

/* Dense index of the address families kbgp speaks, so per-family state is a
 * plain array and per-family flags fit a bitmask. */
enum bgp_af {
	BGP_AF_IPV4_UNICAST,
	BGP_AF_IPV6_UNICAST,
	BGP_AF_COUNT,
};

#define BGP_AF_BIT(af) (1u << (af))

struct bgp_af_info {
	uint16_t afi;
	uint8_t safi;
	uint8_t addr_len; /* bytes in an address of this family */
	const char *name; /* "ipv4-unicast", as GoBGP prints families */
};

extern const struct bgp_af_info bgp_af_table[BGP_AF_COUNT];

/* Index of (afi, safi); false when kbgp does not speak that family. */
bool bgp_af_lookup(uint16_t afi, uint8_t safi, enum bgp_af *af);

#endif
