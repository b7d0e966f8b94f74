/*
 * Two speakers in one process, talking over loopback: sessions come up in
 * both directions and when both sides connect at once (collision), UPDATEs
 * flow, and an administrative shutdown reaches the other side with its
 * RFC 9003 text.  No root needed: 127.0.0.1 and 127.0.0.2 on high ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bgp/session.h"
#include "bgp/update_build.h"
#include "lib/log.h"

struct side {
	struct bgp_speaker speaker;
	struct bgp_peer *peer;
	int established, down, updates, prefixes, refreshes;
};

static struct loop loop;
static struct side sides[2];
static struct loop_timer deadline;
static uint16_t base_port;

static struct side *side_of(void *ctx)
{
	return ctx;
}

static void on_established(void *ctx, struct bgp_peer *p)
{
	side_of(ctx)->established++;
	/* Announce one prefix, like a `network` statement would. */
	uint8_t msg[BGP_MAX_LEN], path[6] = { 2, 1, 0, 0, 0xfd, 0xe9 };
	struct wbuf w;
	struct bgp_attrs a = { .origin = BGP_ORIGIN_IGP, .next_hop = 0x7f000001 };
	struct bgp_prefix pfx;
	a.as_path = rbuf_make(path, sizeof(path));
	bgp_attr_set(&a, BGP_ATTR_ORIGIN);
	bgp_attr_set(&a, BGP_ATTR_AS_PATH);
	bgp_attr_set(&a, BGP_ATTR_NEXT_HOP);
	bgp_prefix_parse("10.1.0.0/24", &pfx);
	wbuf_init(&w, msg, sizeof(msg));
	bgp_update_build(&w, BGP_MAX_LEN, &p->neg.ctx, &a, BGP_AF_IPV4_UNICAST, &pfx, 1);
	bgp_peer_send(p, msg, w.len);
}

static void on_down(void *ctx, struct bgp_peer *p)
{
	(void)p;
	side_of(ctx)->down++;
}

static void on_update(void *ctx, struct bgp_peer *p, const struct bgp_update *u)
{
	struct bgp_route_iter ri;
	struct bgp_prefix pfx;
	bool reach;
	side_of(ctx)->updates++;
	bgp_route_iter_init(&ri, u, &p->neg.ctx);
	while (bgp_route_iter_next(&ri, &pfx, &reach) == 1)
		side_of(ctx)->prefixes += reach;
}

static void on_refresh(void *ctx, struct bgp_peer *p, const struct bgp_route_refresh *rr)
{
	(void)p;
	if (rr->afi == BGP_AFI_IPV4 && rr->safi == BGP_SAFI_UNICAST)
		side_of(ctx)->refreshes++;
}

static const struct bgp_speaker_ops ops = {
	.established = on_established,
	.down = on_down,
	.update = on_update,
	.route_refresh = on_refresh,
};

static void on_deadline(struct loop_timer *t)
{
	(void)t;
	loop_break(&loop);
}

static void start_side(int i, bool passive)
{
	struct side *s = &sides[i];
	char self[32], other[32];
	struct bgp_speaker_cfg sc = { .asn = 65001u + (uint32_t)i,
		                      .router_id = 0x0a000001u + (uint32_t)i,
		                      .idle_hold_min_ms = 100,
		                      .idle_hold_max_ms = 400 };
	struct bgp_peer_cfg pc = { .as_kind = BGP_PEER_AS_NUMBER,
		                   .asn = 65002u - (uint32_t)i,
		                   .hold_time = 9,
		                   .keepalive = 3,
		                   .connect_retry = 1,
		                   .passive = passive,
		                   .families = BGP_AF_BIT(BGP_AF_IPV4_UNICAST),
		                   .transport = { .hops = 1, .has_local = true } };
	union sockaddr_any listen;

	memset(s, 0, sizeof(*s));
	snprintf(self, sizeof(self), "127.0.0.%d", i + 1);
	snprintf(other, sizeof(other), "127.0.0.%d", 2 - i);
	assert_int_equal(bgp_speaker_init(&s->speaker, &loop, &sc, &ops, s), 0);
	addr_parse(self, (uint16_t)(base_port + i), &listen);
	assert_int_equal(bgp_speaker_listen(&s->speaker, &listen), 0);
	snprintf(pc.name, sizeof(pc.name), "side%d", 1 - i);
	addr_parse(other, (uint16_t)(base_port + 1 - i), &pc.addr);
	addr_parse(self, 0, &pc.transport.local);
	s->peer = bgp_peer_add(&s->speaker, &pc);
	assert_non_null(s->peer);
}

/* Run the loop until cond() holds or `ms` pass. */
static bool run_until(bool (*cond)(void), unsigned ms)
{
	for (unsigned waited = 0; waited < ms && !cond(); waited += 50) {
		loop_timer_at(&loop, &deadline, loop_now(&loop) + 50);
		loop_run(&loop);
	}
	return cond();
}

static bool both_established(void)
{
	return bgp_peer_established(sides[0].peer) && bgp_peer_established(sides[1].peer);
}

static bool side1_down(void)
{
	return sides[1].down == 1;
}

static bool both_got_prefix(void)
{
	return sides[0].prefixes == 1 && sides[1].prefixes == 1;
}

static int setup(void **state)
{
	(void)state;
	base_port = (uint16_t)(20000 + getpid() % 20000);
	log_set_level(LOG_WARN);
	loop_init(&loop);
	loop_timer_init(&deadline, on_deadline);
	return 0;
}

static void teardown_sides(void)
{
	bgp_speaker_free(&sides[0].speaker);
	bgp_speaker_free(&sides[1].speaker);
	base_port += 2;
}

static bool side1_refreshed(void)
{
	return sides[1].refreshes == 1;
}

static void test_one_side_connects(void **state)
{
	(void)state;
	start_side(0, false);
	start_side(1, true);
	assert_true(run_until(both_established, 5000));
	assert_true(run_until(both_got_prefix, 2000));
	assert_int_equal(sides[0].peer->neg.hold_time, 9);
	assert_true(sides[0].peer->conn.outgoing);
	assert_false(sides[1].peer->conn.outgoing);
	/* Soft reset in: a ROUTE-REFRESH reaches the peer; IPv6 was not
	 * negotiated, so it cannot be asked for. */
	assert_int_equal(bgp_peer_refresh(sides[0].peer, BGP_AF_IPV4_UNICAST), 0);
	assert_int_equal(bgp_peer_refresh(sides[0].peer, BGP_AF_IPV6_UNICAST), -1);
	assert_true(run_until(side1_refreshed, 2000));
	teardown_sides();
}

/* A hard reset sends its Cease and the session comes back by itself. */
static bool side0_reestablished(void)
{
	return sides[0].established == 2 && both_established();
}

static void test_hard_reset_comes_back(void **state)
{
	(void)state;
	start_side(0, false);
	start_side(1, true);
	assert_true(run_until(both_established, 5000));
	bgp_peer_reset(sides[0].peer, BGP_CEASE_ADMIN_RESET, "clear bgp");
	assert_true(run_until(side1_down, 2000));
	assert_int_equal(sides[1].peer->stats.last_error[1], BGP_CEASE_ADMIN_RESET);
	assert_true(run_until(side0_reestablished, 8000));
	teardown_sides();
}

/* Both connect at once: exactly one connection survives, and it is the
 * one opened by the higher identifier (side 1, RFC 4271 §6.8). */
static void test_collision(void **state)
{
	(void)state;
	start_side(0, false);
	start_side(1, false);
	assert_true(run_until(both_established, 5000));
	assert_true(run_until(both_got_prefix, 2000));
	assert_false(sides[0].peer->conn.outgoing);
	assert_true(sides[1].peer->conn.outgoing);
	assert_int_equal(sides[0].established, 1);
	assert_int_equal(sides[1].established, 1);
	/* The only NOTIFICATION is the Cease closing the other connection:
	 * the surviving one's OPEN is never read twice (FSM error 5/2). */
	for (int i = 0; i < 2; i++)
		assert_true(sides[i].peer->stats.last_error[0] == 0 ||
		            sides[i].peer->stats.last_error[0] == BGP_ERR_CEASE);
	teardown_sides();
}

static void test_shutdown_reaches_the_peer(void **state)
{
	(void)state;
	start_side(0, false);
	start_side(1, true);
	assert_true(run_until(both_established, 5000));
	bgp_peer_disable(sides[0].peer, "maintenance");
	assert_true(run_until(side1_down, 2000));
	assert_int_equal(sides[1].peer->stats.last_error[0], BGP_ERR_CEASE);
	assert_int_equal(sides[1].peer->stats.last_error[1], BGP_CEASE_ADMIN_SHUTDOWN);
	assert_false(sides[1].peer->stats.last_error_sent);
	/* Side 0 stays down; enabling it brings the session back. */
	run_until(both_established, 1000);
	assert_false(both_established());
	bgp_peer_enable(sides[0].peer);
	assert_true(run_until(both_established, 5000));
	teardown_sides();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_side_connects),
		cmocka_unit_test(test_collision),
		cmocka_unit_test(test_hard_reset_comes_back),
		cmocka_unit_test(test_shutdown_reaches_the_peer),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
