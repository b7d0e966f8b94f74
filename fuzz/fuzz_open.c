/*
 * fuzz_open: OPEN bodies (RFC 4271 §4.2, RFC 9072 extended optional
 * parameters, RFC 5492 capabilities).  An OPEN that decodes is re-encoded;
 * what kbgp sends must pass its own framing and decode to the same struct.
 */
#include <string.h>

#include "bgp/open.h"
#include "fuzz.h"

/* caps.seen records every code received, even one whose value held
 * nothing kbgp keeps (ADD-PATH or extended next hop for foreign families
 * only, a ninth unknown capability).  Those cannot be sent again, so the
 * round trip may lose codes from seen, never add them. */
static bool seen_subset(const struct bgp_caps *sub, const struct bgp_caps *of)
{
	for (size_t i = 0; i < sizeof(sub->seen) / sizeof(sub->seen[0]); i++)
		if (sub->seen[i] & ~of->seen[i])
			return false;
	return true;
}

/* A repeated FQDN capability overwrites the strings in place, leaving
 * bytes past the new NUL that no reader sees and no encoder sends. */
static void clear_after_nul(char *s, size_t size)
{
	size_t len = strnlen(s, size);
	memset(s + len, 0, size - len);
}

static void check_roundtrip(const struct bgp_open *first)
{
	static uint8_t out[BGP_EXT_MAX_LEN];
	struct bgp_open want, second;
	struct bgp_notice err;
	struct bgp_msg m;
	struct wbuf w;

	wbuf_init(&w, out, sizeof(out));
	bgp_open_encode(&w, first);
	FUZZ_CHECK(wbuf_ok(&w));
	FUZZ_CHECK(bgp_frame(wbuf_view(&w), BGP_MAX_LEN, &m, &err) == BGP_FRAME_OK);
	FUZZ_CHECK(m.type == BGP_MSG_OPEN && m.len == w.len);
	FUZZ_CHECK(bgp_open_decode(m.body, &second, &err) == 0);
	FUZZ_CHECK(seen_subset(&second.caps, &first->caps));
	/* bgp_open_decode() zeroes the whole struct first, padding included,
	 * so equal contents compare equal byte for byte. */
	memcpy(&want, first, sizeof(want));
	memcpy(want.caps.seen, second.caps.seen, sizeof(want.caps.seen));
	clear_after_nul(want.caps.fqdn_host, sizeof(want.caps.fqdn_host));
	clear_after_nul(want.caps.fqdn_domain, sizeof(want.caps.fqdn_domain));
	FUZZ_CHECK(memcmp(&want, &second, sizeof(second)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_open o;
	struct bgp_notice err;

	if (bgp_open_decode(rbuf_make(data, size), &o, &err) < 0) {
		FUZZ_CHECK(err.code == BGP_ERR_OPEN);
		return 0;
	}
	(void)bgp_open_asn(&o);
	check_roundtrip(&o);
	return 0;
}
