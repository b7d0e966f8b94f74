/*
 * addr: IPv4 and IPv6 socket addresses and prefixes as kbgp passes them
 * around: parsing, printing, comparing, and "is this address inside that
 * range" for dynamic neighbours.
 */
#ifndef KBGP_LIB_ADDR_H
#define KBGP_LIB_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* IPv4 or IPv6 only: 28 bytes, not sockaddr_storage's 128, because
 * Kubernetes objects carry thousands of them. */
union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

#define ADDR_TEXT_MAX 48

struct addr_range {
	union sockaddr_any base;
	uint8_t len;
};

/* Parse "172.31.1.200" or "fd00::1" with a port; -1 if neither. */
int addr_parse(const char *text, uint16_t port, union sockaddr_any *out);
/* Parse "172.31.0.0/20" (host bits must be zero). */
int addr_range_parse(const char *text, struct addr_range *out);
/* "ADDR:PORT" or "[ADDR6]:PORT", the port 1..65535. */
int addr_parse_hostport(const char *text, union sockaddr_any *out);
socklen_t addr_len(const union sockaddr_any *a);
uint16_t addr_port(const union sockaddr_any *a);
void addr_set_port(union sockaddr_any *a, uint16_t port);
/* Address only, without the port: "172.31.1.200". */
const char *addr_text(const union sockaddr_any *a, char buf[ADDR_TEXT_MAX]);
/* Same family and address (ports ignored); IPv4-mapped IPv6 equals IPv4. */
bool addr_equal(const union sockaddr_any *a, const union sockaddr_any *b);
bool addr_in_range(const union sockaddr_any *a, const struct addr_range *r);
/* Turn an IPv4-mapped IPv6 address (from a dual-stack accept) into IPv4. */
void addr_unmap(union sockaddr_any *a);
/* IPv4 address in host order, 0 for IPv6. */
uint32_t addr_ipv4(const union sockaddr_any *a);

#endif
