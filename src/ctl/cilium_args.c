/*
 * cilium_args: `bgp routes` arguments as cilium-dbg reads them.  The words,
 * the defaulting notices and the error framing ("Error: ...", "invalid
 * argument: ...", "failed to parse ...: ...") are Cilium's; the detail of
 * a bad ASN or address is our own wording.
 */
#include "ctl/cilium_args.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sbuf.h"

static int fail(struct cilium_routes_args *a, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Fatalf's "Error: %s\n" of a message that ends in "\n" itself. */
static int fail(struct cilium_routes_args *a, const char *fmt, ...)
{
	char msg[sizeof(a->error)];
	struct sbuf s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sbuf_init(&s, a->error, sizeof(a->error));
	sbuf_printf(&s, "Error: %s\n", msg);
	return -1;
}

static void defaulted(struct cilium_routes_args *a, bool silent, const char *what)
{
	if (!silent)
		snprintf(a->notice, sizeof(a->notice),
		         "(Defaulting to %s, please see help for more options)\n\n", what);
}

static bool one_of(const char *word, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(word, *names) == 0)
			return true;
	return false;
}

/* types.ParseAfi / ParseSafi: what Cilium accepts before asking. */
static const char *const afis[] = { "ipv4", "ipv6", "l2vpn", "ls", "opaque", NULL };
/* clang-format off */
static const char *const safis[] = {
	"unicast", "multicast", "mpls_label", "encapsulation", "vpls", "evpn", "ls", "sr_policy",
	"mup", "mpls_vpn", "mpls_vpn_multicast", "route_target_constraints", "flowspec_unicast",
	"flowspec_vpn", "key_value", NULL
};
/* clang-format on */

/* parseBGPRoutesMandatoryArgs: the words it used, or -1.  A word left
 * out is defaulted with a notice, and then nothing after it is read. */
static int table_afi_safi(int argc, char *const argv[], bool silent, struct cilium_routes_args *a)
{
	if (argc < 1) {
		defaulted(a, silent, "`available ipv4 unicast` routes");
		return 0;
	}
	if (strcmp(argv[0], "available") != 0 && strcmp(argv[0], "advertised") != 0)
		return fail(a,
		            "invalid argument: invalid table type discriminator `%s` (should be "
		            "`available` / `advertised`)\n",
		            argv[0]);
	a->table = strcmp(argv[0], "available") == 0 ? "loc-rib" : "adj-rib-out";
	if (argc < 2) {
		defaulted(a, silent, "`ipv4 unicast` AFI & SAFI");
		return 1;
	}
	if (!one_of(argv[1], afis))
		return fail(a, "invalid argument: unknown AFI %s\n", argv[1]);
	a->afi = argv[1];
	if (argc < 3) {
		defaulted(a, silent, "`unicast` SAFI");
		return 2;
	}
	if (!one_of(argv[2], safis))
		return fail(a, "invalid argument: unknown SAFI %s\n", argv[2]);
	a->safi = argv[2];
	return 3;
}

/* At "vrouter": a decimal ASN, 0 to 4294967295. */
static int vrouter_arg(int argc, char *const argv[], struct cilium_routes_args *a)
{
	if (argc < 2)
		return fail(a, "failed to parse vrouter ASN: missing vrouter ASN value\n");

	const char *s = argv[1];
	char *end;
	errno = 0;
	unsigned long long asn = strtoull(s, &end, 10);
	/* digits only: strtoull would also take blanks and a sign first */
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno != 0 || asn > UINT32_MAX)
		return fail(a,
		            "failed to parse vrouter ASN: invalid vrouter ASN: \"%s\" is not a "
		            "number from 0 to 4294967295\n",
		            s);
	a->vrouter = (uint32_t)asn;
	a->has_vrouter = true;
	return 0;
}

/* in, an IPv4 address or an IPv6 one with or without a %zone, as inet_ntop
 * prints it (zone kept) into out[0..size); -1 if it is neither. */
static int peer_address(const char *in, char *out, size_t size)
{
	const char *zone = strchr(in, '%');
	size_t len = zone != NULL ? (size_t)(zone - in) : strlen(in);
	unsigned char bytes[sizeof(struct in6_addr)];
	char addr[INET6_ADDRSTRLEN];
	int family = AF_INET6;

	if (len >= sizeof(addr) || (zone != NULL && zone[1] == '\0'))
		return -1;
	memcpy(addr, in, len);
	addr[len] = '\0';
	if (zone == NULL && inet_pton(AF_INET, addr, bytes) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, bytes) != 1)
		return -1;
	inet_ntop(family, bytes, addr, sizeof(addr));
	int n = snprintf(out, size, "%s%s", addr, zone != NULL ? zone : "");
	return n >= 0 && (size_t)n < size ? 0 : -1;
}

/* At the word after the vrouter, if any: "peer|neighbor <address>". */
static int peer_arg(int argc, char *const argv[], struct cilium_routes_args *a)
{
	if (strcmp(argv[0], "peer") != 0 && strcmp(argv[0], "neighbor") != 0)
		return fail(a, "failed to parse peer address: missing `peer` parameter\n");
	if (argc < 2)
		return fail(a, "failed to parse peer address: missing peer IP address\n");
	if (peer_address(argv[1], a->peer, sizeof(a->peer)) < 0) {
		a->peer[0] = '\0';
		return fail(a,
		            "failed to parse peer address: invalid peer IP address: \"%s\" is "
		            "not an IPv4 or IPv6 address\n",
		            argv[1]);
	}
	return 0;
}

/* [vrouter <asn>] [peer|neighbor <address>] */
static int filter_args(int argc, char *const argv[], struct cilium_routes_args *a)
{
	if (argc > 0 && strcmp(argv[0], "vrouter") == 0) {
		if (vrouter_arg(argc, argv, a) < 0)
			return -1;
		argc -= 2;
		argv += 2;
	}
	/* only the advertised table reads a peer; other words are ignored */
	if (strcmp(a->table, "adj-rib-out") == 0 && argc > 0)
		return peer_arg(argc, argv, a);
	return 0;
}

int cilium_routes_args(int argc, char *const argv[], bool silent, struct cilium_routes_args *a)
{
	*a = (struct cilium_routes_args){ .table = "loc-rib", .afi = "ipv4", .safi = "unicast" };
	int used = table_afi_safi(argc, argv, silent, a);
	if (used < 0)
		return -1;
	/* after a defaulted word Cilium reads nothing more */
	if (used == 3 && filter_args(argc - 3, argv + 3, a) < 0)
		return -1;
	a->print_peer = strcmp(a->table, "adj-rib-out") == 0 && a->peer[0] == '\0';
	return 0;
}
