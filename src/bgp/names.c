/*
 * names: human-readable names of message types and NOTIFICATION codes, as
 * network engineers know them from FRR and the IANA registries.
 */
#include <stddef.h>

#include "bgp/msg.h"
#include "bgp/proto.h"

#define NAME_AT(table, i) ((size_t)(i) < sizeof(table) / sizeof(table[0]) ? table[i] : NULL)

static const char *const msg_type_names[] = {
	[BGP_MSG_OPEN] = "OPEN",
	[BGP_MSG_UPDATE] = "UPDATE",
	[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
	[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
	[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
};

static const char *const err_code_names[] = {
	[BGP_ERR_HEADER] = "Message Header Error",
	[BGP_ERR_OPEN] = "OPEN Message Error",
	[BGP_ERR_UPDATE] = "UPDATE Message Error",
	[BGP_ERR_HOLD] = "Hold Timer Expired",
	[BGP_ERR_FSM] = "Finite State Machine Error",
	[BGP_ERR_CEASE] = "Cease",
	[BGP_ERR_RREFRESH] = "ROUTE-REFRESH Message Error",
	[BGP_ERR_SEND_HOLD] = "Send Hold Timer Expired",
};

static const char *const header_names[] = {
	[BGP_ERR_HDR_SYNC] = "Connection Not Synchronized",
	[BGP_ERR_HDR_LEN] = "Bad Message Length",
	[BGP_ERR_HDR_TYPE] = "Bad Message Type",
};

static const char *const open_names[] = {
	[BGP_ERR_OPEN_UNSPEC] = "Unspecific",
	[BGP_ERR_OPEN_VERSION] = "Unsupported Version Number",
	[BGP_ERR_OPEN_PEER_AS] = "Bad Peer AS",
	[BGP_ERR_OPEN_BGP_ID] = "Bad BGP Identifier",
	[BGP_ERR_OPEN_OPT_PARAM] = "Unsupported Optional Parameter",
	[BGP_ERR_OPEN_HOLD] = "Unacceptable Hold Time",
	[BGP_ERR_OPEN_CAPA] = "Unsupported Capability",
	[BGP_ERR_OPEN_ROLE] = "Role Mismatch",
};

static const char *const update_names[] = {
	[BGP_ERR_UPD_UNSPEC] = "Unspecific",
	[BGP_ERR_UPD_ATTR_LIST] = "Malformed Attribute List",
	[BGP_ERR_UPD_UNKNOWN_WK] = "Unrecognized Well-known Attribute",
	[BGP_ERR_UPD_MISSING_WK] = "Missing Well-known Attribute",
	[BGP_ERR_UPD_ATTR_FLAGS] = "Attribute Flags Error",
	[BGP_ERR_UPD_ATTR_LEN] = "Attribute Length Error",
	[BGP_ERR_UPD_ORIGIN] = "Invalid ORIGIN Attribute",
	[BGP_ERR_UPD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPD_OPT_ATTR] = "Optional Attribute Error",
	[BGP_ERR_UPD_NETWORK] = "Invalid Network Field",
	[BGP_ERR_UPD_ASPATH] = "Malformed AS_PATH",
};

static const char *const cease_names[] = {
	[BGP_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
	[BGP_CEASE_ADMIN_SHUTDOWN] = "Administrative Shutdown",
	[BGP_CEASE_PEER_DECONFIGURED] = "Peer De-configured",
	[BGP_CEASE_ADMIN_RESET] = "Administrative Reset",
	[BGP_CEASE_CONN_REJECTED] = "Connection Rejected",
	[BGP_CEASE_CONFIG_CHANGE] = "Other Configuration Change",
	[BGP_CEASE_COLLISION] = "Connection Collision Resolution",
	[BGP_CEASE_OUT_OF_RESOURCES] = "Out of Resources",
	[BGP_CEASE_HARD_RESET] = "Hard Reset",
	[BGP_CEASE_BFD_DOWN] = "BFD Down",
};

static const char *const fsm_names[] = {
	[0] = "Unspecified Error",
	[1] = "Receive Unexpected Message in OpenSent State",
	[2] = "Receive Unexpected Message in OpenConfirm State",
	[3] = "Receive Unexpected Message in Established State",
};

static const char *const rrefresh_names[] = {
	[BGP_ERR_RR_LEN] = "Invalid Message Length",
};

const char *bgp_msg_type_name(uint8_t type)
{
	const char *name = NAME_AT(msg_type_names, type);
	return name != NULL ? name : "UNKNOWN";
}

const char *bgp_err_code_name(uint8_t code)
{
	const char *name = NAME_AT(err_code_names, code);
	return name != NULL ? name : "Unknown Error";
}

const char *bgp_err_subcode_name(uint8_t code, uint8_t subcode)
{
	switch (code) {
	case BGP_ERR_HEADER:
		return NAME_AT(header_names, subcode);
	case BGP_ERR_OPEN:
		return NAME_AT(open_names, subcode);
	case BGP_ERR_UPDATE:
		return NAME_AT(update_names, subcode);
	case BGP_ERR_FSM:
		return NAME_AT(fsm_names, subcode);
	case BGP_ERR_CEASE:
		return NAME_AT(cease_names, subcode);
	case BGP_ERR_RREFRESH:
		return NAME_AT(rrefresh_names, subcode);
	default:
		return NULL;
	}
}
