/*
 * loop: libev behind the project API.  The default loop is used because
 * libev delivers signals only there.
 */
#include "lib/loop.h"

static void loop_io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
	(void)ev;
	struct loop_io *io = container_of(w, struct loop_io, w);
	io->fn(io, (unsigned)revents & (EV_READ | EV_WRITE));
}

static void loop_timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
	(void)ev;
	(void)revents;
	struct loop_timer *t = container_of(w, struct loop_timer, w);
	t->fn(t);
}

static void loop_signal_cb(struct ev_loop *ev, ev_signal *w, int revents)
{
	(void)ev;
	(void)revents;
	struct loop_signal *s = container_of(w, struct loop_signal, w);
	s->fn(s);
}

static void loop_idle_cb(struct ev_loop *ev, ev_idle *w, int revents)
{
	(void)ev;
	(void)revents;
	struct loop_idle *i = container_of(w, struct loop_idle, w);
	i->fn(i);
}

int loop_init(struct loop *l)
{
	l->ev = ev_default_loop(EVFLAG_AUTO);
	return l->ev != NULL ? 0 : -1;
}

void loop_run(struct loop *l)
{
	ev_run(l->ev, 0);
}

void loop_break(struct loop *l)
{
	ev_break(l->ev, EVBREAK_ALL);
}

/* The clock is read afresh, not as of the start of this loop turn: after
 * a long turn (a large directory read at start) a deadline computed from
 * the cached time would already be past, and a 1 s timer would fire at
 * once. */
uint64_t loop_now(struct loop *l)
{
	ev_now_update(l->ev);
	return (uint64_t)(ev_now(l->ev) * 1000.0);
}

void loop_io_init(struct loop_io *io, int fd, loop_io_fn *fn)
{
	ev_io_init(&io->w, loop_io_cb, fd, 0);
	io->fn = fn;
}

void loop_io_set(struct loop *l, struct loop_io *io, unsigned events)
{
	if ((unsigned)(io->w.events & (EV_READ | EV_WRITE)) == events && ev_is_active(&io->w))
		return;
	ev_io_stop(l->ev, &io->w);
	if (events == 0)
		return;
	ev_io_set(&io->w, io->w.fd, (int)events);
	ev_io_start(l->ev, &io->w);
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn)
{
	ev_timer_init(&t->w, loop_timer_cb, 0., 0.);
	t->fn = fn;
	t->deadline = 0;
}

void loop_timer_at(struct loop *l, struct loop_timer *t, uint64_t deadline)
{
	/* Set again to the deadline it has, as a session's timer is after
	 * every message received: nothing to do, not even reading the clock. */
	if (deadline != 0 && deadline == t->deadline && ev_is_active(&t->w))
		return;
	t->deadline = deadline;
	ev_timer_stop(l->ev, &t->w);
	if (deadline == 0)
		return;
	uint64_t now = loop_now(l);
	double after = deadline > now ? (double)(deadline - now) / 1000.0 : 0.;
	ev_timer_set(&t->w, after, 0.);
	ev_timer_start(l->ev, &t->w);
}

void loop_signal_start(struct loop *l, struct loop_signal *s, int signum, loop_signal_fn *fn)
{
	ev_signal_init(&s->w, loop_signal_cb, signum);
	s->fn = fn;
	ev_signal_start(l->ev, &s->w);
}

void loop_idle_init(struct loop_idle *i, loop_idle_fn *fn)
{
	ev_idle_init(&i->w, loop_idle_cb);
	i->fn = fn;
}

void loop_idle_set(struct loop *l, struct loop_idle *i, bool on)
{
	if (on)
		ev_idle_start(l->ev, &i->w);
	else
		ev_idle_stop(l->ev, &i->w);
}
