/*
 * proto: the address-family table.
 */
#include "proto.h"

const struct bgp_af_info bgp_af_table[BGP_AF_COUNT] = {
	[BGP_AF_IPV4_UNICAST] = { BGP_AFI_IPV4, BGP_SAFI_UNICAST, 4, "ipv4-unicast" },
	[BGP_AF_IPV6_UNICAST] = { BGP_AFI_IPV6, BGP_SAFI_UNICAST, 16, "ipv6-unicast" },
};

bool bgp_af_lookup(uint16_t afi, uint8_t safi, enum bgp_af *af)
{
	for (int i = 0; i < BGP_AF_COUNT; i++) {
		if (bgp_af_table[i].afi == afi && bgp_af_table[i].safi == safi) {
			*af = (enum bgp_af)i;
			return true;
		}
	}
	return false;
}
