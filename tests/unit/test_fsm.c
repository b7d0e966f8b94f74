/*
 * The FSM driven by a fake clock: the normal life of a session, every timer,
 * the error paths and the backoff, with the actions the session layer must
 * carry out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bgp/fsm.h"

#define SEC 1000u

static const struct bgp_fsm_config seed_cfg = {
	.connect_retry_ms = 5 * SEC,
	.hold_ms = 9 * SEC,
	.idle_hold_min_ms = 1 * SEC,
	.idle_hold_max_ms = 8 * SEC,
};

static unsigned step(struct bgp_fsm *f, enum bgp_event ev, uint64_t now)
{
	struct bgp_fsm_out out;
	bgp_fsm_event(f, ev, now, NULL, &out);
	return out.actions;
}

/* Walk a fresh FSM to Established at time `now` with hold 9 / keepalive 3. */
static void establish(struct bgp_fsm *f, uint64_t now)
{
	assert_int_equal(step(f, BGP_EV_MANUAL_START, now), BGP_DO_CONNECT);
	assert_int_equal(f->state, BGP_ST_CONNECT);
	assert_int_equal(step(f, BGP_EV_TCP_CONNECTED, now), BGP_DO_SEND_OPEN);
	assert_int_equal(f->state, BGP_ST_OPENSENT);
	bgp_fsm_set_negotiated(f, 9 * SEC, 3 * SEC);
	assert_int_equal(step(f, BGP_EV_OPEN, now), BGP_DO_SEND_KEEPALIVE);
	assert_int_equal(f->state, BGP_ST_OPENCONFIRM);
	assert_int_equal(step(f, BGP_EV_KEEPALIVE, now), BGP_DO_ESTABLISHED);
	assert_int_equal(f->state, BGP_ST_ESTABLISHED);
}

static void test_life_of_a_session(void **state)
{
	(void)state;
	struct bgp_fsm f;
	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 1000);

	/* Keepalives every 3 s; each message from the peer restarts hold. */
	assert_int_equal(bgp_fsm_next_deadline(&f), 1000 + 3 * SEC);
	assert_int_equal(bgp_fsm_due(&f, 3999), 0);
	assert_int_equal(bgp_fsm_due(&f, 4000), BGP_EV_KEEPALIVE_EXPIRES);
	assert_int_equal(step(&f, BGP_EV_KEEPALIVE_EXPIRES, 4000), BGP_DO_SEND_KEEPALIVE);
	assert_int_equal(step(&f, BGP_EV_UPDATE, 5000), BGP_DO_PROCESS);
	assert_int_equal(f.deadline[BGP_T_HOLD], 5000 + 9 * SEC);
	assert_int_equal(step(&f, BGP_EV_KEEPALIVE, 6000), 0);
	assert_int_equal(f.deadline[BGP_T_HOLD], 6000 + 9 * SEC);
}

static void test_hold_timer_expiry(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct bgp_fsm_out out;
	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 0);

	uint64_t t = f.deadline[BGP_T_HOLD];
	bgp_fsm_event(&f, BGP_EV_HOLD_EXPIRES, t, NULL, &out);
	assert_int_equal(out.actions, BGP_DO_SEND_NOTIFICATION | BGP_DO_CLOSE | BGP_DO_DOWN);
	assert_int_equal(out.notice.code, BGP_ERR_HOLD);
	assert_int_equal(f.state, BGP_ST_IDLE);
	/* ... and it comes back by itself after the idle hold. */
	assert_int_equal(f.deadline[BGP_T_IDLE_HOLD], t + 1 * SEC);
	assert_int_equal(bgp_fsm_due(&f, t + SEC), BGP_EV_IDLE_HOLD_EXPIRES);
	assert_int_equal(step(&f, BGP_EV_IDLE_HOLD_EXPIRES, t + SEC), BGP_DO_CONNECT);
}

/* Backing off in Idle, a peer that calls is answered (the session layer
 * starts the FSM at once): the backoff must not fire in Established. */
static void test_start_during_backoff_cancels_it(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct bgp_fsm_out out;
	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 0);
	uint64_t t = f.deadline[BGP_T_HOLD];
	bgp_fsm_event(&f, BGP_EV_HOLD_EXPIRES, t, NULL, &out);
	assert_int_not_equal(f.deadline[BGP_T_IDLE_HOLD], 0);

	assert_int_equal(step(&f, BGP_EV_AUTO_START, t + 100), BGP_DO_CONNECT);
	assert_int_equal(step(&f, BGP_EV_TCP_CONNECTED, t + 100), BGP_DO_SEND_OPEN);
	assert_int_equal(step(&f, BGP_EV_OPEN, t + 100), BGP_DO_SEND_KEEPALIVE);
	assert_int_equal(step(&f, BGP_EV_KEEPALIVE, t + 100), BGP_DO_ESTABLISHED);
	assert_int_equal(f.deadline[BGP_T_IDLE_HOLD], 0);
	assert_int_not_equal(bgp_fsm_due(&f, t + 2 * SEC), BGP_EV_IDLE_HOLD_EXPIRES);
}

/* A peer that fails again and again waits 1, 2, 4, 8, 8 s; a session that
 * stayed up for a minute starts over at 1 s. */
static void test_backoff_doubles_and_resets(void **state)
{
	(void)state;
	struct bgp_fsm f;
	uint64_t now = 0;
	const uint32_t want[] = { 1, 2, 4, 8, 8 };

	bgp_fsm_init(&f, &seed_cfg, 1);
	step(&f, BGP_EV_MANUAL_START, now);
	for (size_t i = 0; i < 5; i++) {
		step(&f, BGP_EV_TCP_CONNECTED, now);
		step(&f, BGP_EV_NOTIFICATION, now);
		assert_int_equal(f.deadline[BGP_T_IDLE_HOLD] - now, want[i] * SEC);
		now = f.deadline[BGP_T_IDLE_HOLD];
		step(&f, BGP_EV_IDLE_HOLD_EXPIRES, now);
	}
	step(&f, BGP_EV_TCP_CONNECTED, now);
	bgp_fsm_set_negotiated(&f, 9 * SEC, 3 * SEC);
	step(&f, BGP_EV_OPEN, now);
	step(&f, BGP_EV_KEEPALIVE, now);
	now += 61 * SEC;
	step(&f, BGP_EV_TCP_FAILS, now);
	assert_int_equal(f.deadline[BGP_T_IDLE_HOLD] - now, 1 * SEC);
}

/* Connect retries are jittered to 75..100% (RFC 4271 §10). */
static void test_connect_retry_jitter(void **state)
{
	(void)state;
	struct bgp_fsm f;
	uint64_t now = 0;

	bgp_fsm_init(&f, &seed_cfg, 42);
	step(&f, BGP_EV_MANUAL_START, now);
	for (int i = 0; i < 50; i++) {
		uint64_t wait = f.deadline[BGP_T_CONNECT_RETRY] - now;
		assert_in_range(wait, 3750, 5000);
		now += wait;
		assert_int_equal(bgp_fsm_due(&f, now), BGP_EV_CONNECT_RETRY_EXPIRES);
		assert_int_equal(step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, now),
		                 BGP_DO_CLOSE | BGP_DO_CONNECT);
	}
	assert_int_equal(f.connect_retry_count, 50);
}

/* A failed connect() waits in Active for the next retry. */
static void test_connect_failure_waits_in_active(void **state)
{
	(void)state;
	struct bgp_fsm f;
	bgp_fsm_init(&f, &seed_cfg, 1);
	step(&f, BGP_EV_MANUAL_START, 0);
	assert_int_equal(step(&f, BGP_EV_TCP_FAILS, 10), BGP_DO_CLOSE);
	assert_int_equal(f.state, BGP_ST_ACTIVE);
	assert_true(f.deadline[BGP_T_CONNECT_RETRY] != 0);
	assert_int_equal(step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 5000),
	                 BGP_DO_CLOSE | BGP_DO_CONNECT);
	assert_int_equal(f.state, BGP_ST_CONNECT);
}

/* The router side of the seed: passive, never connects. */
static void test_passive_peer(void **state)
{
	(void)state;
	struct bgp_fsm_config cfg = seed_cfg;
	struct bgp_fsm f;
	cfg.passive = true;
	bgp_fsm_init(&f, &cfg, 1);
	assert_int_equal(step(&f, BGP_EV_MANUAL_START, 0), 0);
	assert_int_equal(f.state, BGP_ST_ACTIVE);
	assert_int_equal(step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 5000), 0);
	assert_int_equal(step(&f, BGP_EV_TCP_CONNECTED, 6000), BGP_DO_SEND_OPEN);
}

static void test_manual_stop_sends_cease_and_stays_down(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct bgp_fsm_out out;
	struct bgp_notice shutdown;

	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 0);
	bgp_notice_set(&shutdown, BGP_ERR_CEASE, BGP_CEASE_ADMIN_RESET);
	bgp_fsm_event(&f, BGP_EV_MANUAL_STOP, 10, &shutdown, &out);
	assert_int_equal(out.actions, BGP_DO_SEND_NOTIFICATION | BGP_DO_CLOSE | BGP_DO_DOWN);
	assert_int_equal(out.notice.subcode, BGP_CEASE_ADMIN_RESET);
	assert_int_equal(bgp_fsm_next_deadline(&f), 0);
	assert_int_equal(step(&f, BGP_EV_AUTO_START, 20), 0);
	assert_int_equal(f.state, BGP_ST_IDLE);
}

/* RFC 4271 §6.6: unexpected messages are FSM errors with the state as
 * subcode (RFC 6608). */
static void test_unexpected_messages(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct bgp_fsm_out out;

	bgp_fsm_init(&f, &seed_cfg, 1);
	step(&f, BGP_EV_MANUAL_START, 0);
	step(&f, BGP_EV_TCP_CONNECTED, 0);
	bgp_fsm_event(&f, BGP_EV_UPDATE, 0, NULL, &out);
	assert_int_equal(out.notice.code, BGP_ERR_FSM);
	assert_int_equal(out.notice.subcode, 1);

	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 0);
	bgp_fsm_event(&f, BGP_EV_OPEN, 0, NULL, &out);
	assert_int_equal(out.notice.subcode, 3);
	assert_true(out.actions & BGP_DO_DOWN);
}

static void test_hold_zero_runs_no_timers(void **state)
{
	(void)state;
	struct bgp_fsm f;
	bgp_fsm_init(&f, &seed_cfg, 1);
	step(&f, BGP_EV_MANUAL_START, 0);
	step(&f, BGP_EV_TCP_CONNECTED, 0);
	bgp_fsm_set_negotiated(&f, 0, 3 * SEC);
	step(&f, BGP_EV_OPEN, 0);
	step(&f, BGP_EV_KEEPALIVE, 0);
	assert_int_equal(f.state, BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_fsm_next_deadline(&f), 0);
}

/* RFC 9687: a peer that stops reading is dropped after the send hold time
 * (8 minutes at least) without waiting for the hold timer. */
static void test_send_hold_timer(void **state)
{
	(void)state;
	struct bgp_fsm f;
	struct bgp_fsm_out out;

	bgp_fsm_init(&f, &seed_cfg, 1);
	establish(&f, 0);
	bgp_fsm_send_blocked(&f, 100, true);
	bgp_fsm_send_blocked(&f, 200, true); /* still blocked: timer keeps running */
	assert_int_equal(f.deadline[BGP_T_SEND_HOLD], 100 + 480 * SEC);
	bgp_fsm_send_blocked(&f, 300, false);
	assert_int_equal(f.deadline[BGP_T_SEND_HOLD], 0);
	bgp_fsm_send_blocked(&f, 400, true);
	bgp_fsm_event(&f, BGP_EV_SEND_HOLD_EXPIRES, 400 + 480 * SEC, NULL, &out);
	assert_int_equal(out.actions, BGP_DO_CLOSE | BGP_DO_DOWN);
	assert_int_equal(f.state, BGP_ST_IDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_life_of_a_session),
		cmocka_unit_test(test_hold_timer_expiry),
		cmocka_unit_test(test_backoff_doubles_and_resets),
		cmocka_unit_test(test_connect_retry_jitter),
		cmocka_unit_test(test_connect_failure_waits_in_active),
		cmocka_unit_test(test_passive_peer),
		cmocka_unit_test(test_manual_stop_sends_cease_and_stays_down),
		cmocka_unit_test(test_unexpected_messages),
		cmocka_unit_test(test_hold_zero_runs_no_timers),
		cmocka_unit_test(test_send_hold_timer),
		cmocka_unit_test(test_start_during_backoff_cancels_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
