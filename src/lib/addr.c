/*
 * addr: socket address helpers.
 */
#include "lib/addr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

int addr_parse(const char *text, uint16_t port, union sockaddr_any *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, &out->in.sin_addr) == 1) {
		out->in.sin_family = AF_INET;
		out->in.sin_port = htons(port);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		out->in6.sin6_port = htons(port);
		return 0;
	}
	return -1;
}

static const uint8_t *addr_bytes(const union sockaddr_any *a, size_t *len)
{
	if (a->sa.sa_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)&a->in.sin_addr;
	}
	*len = 16;
	return (const uint8_t *)&a->in6.sin6_addr;
}

static bool prefix_match(const uint8_t *x, const uint8_t *y, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(x, y, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (x[whole] & mask) == (y[whole] & mask);
}

int addr_range_parse(const char *text, struct addr_range *out)
{
	char host[ADDR_TEXT_MAX];
	const char *slash = strchr(text, '/');
	char *end;
	size_t alen;

	if (slash == NULL || (size_t)(slash - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = '\0';
	if (addr_parse(host, 0, &out->base) < 0)
		return -1;
	const uint8_t *bytes = addr_bytes(&out->base, &alen);
	unsigned long len = strtoul(slash + 1, &end, 10);
	if (end == slash + 1 || *end != '\0' || len > alen * 8)
		return -1;
	out->len = (uint8_t)len;
	/* Host bits must be zero. */
	uint8_t masked[16] = { 0 };
	memcpy(masked, bytes, len / 8);
	if (len % 8 != 0)
		masked[len / 8] = bytes[len / 8] & (uint8_t)(0xff << (8 - len % 8));
	return memcmp(masked, bytes, alen) == 0 ? 0 : -1;
}

socklen_t addr_len(const union sockaddr_any *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->in) : sizeof(a->in6);
}

uint16_t addr_port(const union sockaddr_any *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->in.sin_port : a->in6.sin6_port);
}

void addr_set_port(union sockaddr_any *a, uint16_t port)
{
	if (a->sa.sa_family == AF_INET)
		a->in.sin_port = htons(port);
	else
		a->in6.sin6_port = htons(port);
}

const char *addr_text(const union sockaddr_any *a, char buf[ADDR_TEXT_MAX])
{
	size_t len;
	const uint8_t *bytes = addr_bytes(a, &len);
	if (inet_ntop(a->sa.sa_family, bytes, buf, ADDR_TEXT_MAX) == NULL)
		strcpy(buf, "?");
	return buf;
}

void addr_unmap(union sockaddr_any *a)
{
	if (a->sa.sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr))
		return;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = a->in6.sin6_port };
	memcpy(&in.sin_addr, &a->in6.sin6_addr.s6_addr[12], 4);
	memset(a, 0, sizeof(*a));
	a->in = in;
}

bool addr_equal(const union sockaddr_any *a, const union sockaddr_any *b)
{
	union sockaddr_any x = *a, y = *b;
	size_t lx, ly;

	addr_unmap(&x);
	addr_unmap(&y);
	if (x.sa.sa_family != y.sa.sa_family)
		return false;
	const uint8_t *bx = addr_bytes(&x, &lx), *by = addr_bytes(&y, &ly);
	return memcmp(bx, by, lx) == 0;
}

bool addr_in_range(const union sockaddr_any *a, const struct addr_range *r)
{
	union sockaddr_any x = *a;
	size_t lx, lr;

	addr_unmap(&x);
	if (x.sa.sa_family != r->base.sa.sa_family)
		return false;
	return prefix_match(addr_bytes(&x, &lx), addr_bytes(&r->base, &lr), r->len);
}

uint32_t addr_ipv4(const union sockaddr_any *a)
{
	return a->sa.sa_family == AF_INET ? ntohl(a->in.sin_addr.s_addr) : 0;
}

int addr_parse_hostport(const char *text, union sockaddr_any *out)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	if (colon == NULL || colon - text >= (long)sizeof(host))
		return -1;
	const char *start = text[0] == '[' ? text + 1 : text;
	size_t len = (size_t)(colon - start) - (text[0] == '[' ? 1 : 0);
	memcpy(host, start, len);
	host[len] = '\0';
	char *end;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		return -1;
	return addr_parse(host, (uint16_t)port, out);
}
