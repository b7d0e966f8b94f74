/*
 * transport: BGP's TCP sockets.
 */
#include "bgp/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif

static int setopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static int new_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
}

int transport_listen(const union sockaddr_any *addr)
{
	int fd = new_socket(addr->sa.sa_family);
	if (fd < 0)
		return -1;
	if (setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
	    (addr->sa.sa_family == AF_INET6 && setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0) ||
	    bind(fd, &addr->sa, addr_len(addr)) < 0 || listen(fd, 64) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int transport_md5(int fd, const union sockaddr_any *peer, const char *key)
{
	struct tcp_md5sig sig;
	size_t len = strlen(key);

	if (len > BGP_MD5_KEY_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&sig, 0, sizeof(sig));
	memcpy(&sig.tcpm_addr, &peer->sa, addr_len(peer));
	sig.tcpm_keylen = (uint16_t)len;
	memcpy(sig.tcpm_key, key, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof(sig));
}

/* RFC 5082 §3: GTSM sends at 255 and refuses anything that crossed more
 * than hops - 1 routers.  Without GTSM, eBGP sends with TTL = hops so a
 * peer further away never sees the session. */
static int apply_ttl(int fd, int family, const struct transport_opts *o)
{
	int ttl = o->gtsm ? 255 : o->hops;
	if (family == AF_INET) {
		if (setopt_int(fd, IPPROTO_IP, IP_TTL, ttl) < 0)
			return -1;
		if (o->gtsm && setopt_int(fd, IPPROTO_IP, IP_MINTTL, 256 - o->hops) < 0)
			return -1;
		return 0;
	}
	if (setopt_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl) < 0)
		return -1;
	if (o->gtsm && setopt_int(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, 256 - o->hops) < 0)
		return -1;
	return 0;
}

int transport_connect(const union sockaddr_any *peer, const struct transport_opts *o)
{
	int fd = new_socket(peer->sa.sa_family);
	if (fd < 0)
		return -1;
	if (apply_ttl(fd, peer->sa.sa_family, o) < 0 ||
	    setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) < 0)
		goto fail;
	if (o->md5_key[0] != '\0' && transport_md5(fd, peer, o->md5_key) < 0)
		goto fail;
	if (o->has_local && bind(fd, &o->local.sa, addr_len(&o->local)) < 0)
		goto fail;
	if (connect(fd, &peer->sa, addr_len(peer)) < 0 && errno != EINPROGRESS)
		goto fail;
	return fd;
fail:;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int transport_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

int transport_accepted(int fd, const union sockaddr_any *peer, const struct transport_opts *o)
{
	if (apply_ttl(fd, peer->sa.sa_family, o) < 0)
		return -1;
	return setopt_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}
