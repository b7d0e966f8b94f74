/*
 * loop: the event loop every kbgp process runs, a thin layer over libev so
 * the rest of the code never calls libev and libev could be swapped.
 * Watchers are embedded in their owner's struct; callbacks get the watcher
 * back and find the owner with container_of.
 */
#ifndef KBGP_LIB_LOOP_H
#define KBGP_LIB_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

enum {
	LOOP_READ = EV_READ,
	LOOP_WRITE = EV_WRITE,
};

struct loop_io;
struct loop_timer;
struct loop_signal;
struct loop_idle;

typedef void loop_io_fn(struct loop_io *io, unsigned events);
typedef void loop_timer_fn(struct loop_timer *t);
typedef void loop_signal_fn(struct loop_signal *s);
typedef void loop_idle_fn(struct loop_idle *i);

struct loop_io {
	ev_io w;
	loop_io_fn *fn;
};

struct loop_timer {
	ev_timer w;
	loop_timer_fn *fn;
	uint64_t deadline; /* the last one set */
};

struct loop_signal {
	ev_signal w;
	loop_signal_fn *fn;
};

/* Runs on every loop turn with nothing else to do, while started: the
 * place for work done in slices. */
struct loop_idle {
	ev_idle w;
	loop_idle_fn *fn;
};

struct loop {
	struct ev_loop *ev;
};

int loop_init(struct loop *l);
void loop_run(struct loop *l);
void loop_break(struct loop *l);
/* Milliseconds of the monotonic clock, now. */
uint64_t loop_now(struct loop *l);

void loop_io_init(struct loop_io *io, int fd, loop_io_fn *fn);
/* Watch for `events` (LOOP_READ | LOOP_WRITE); 0 stops watching.  Stop a
 * watcher before closing its fd. */
void loop_io_set(struct loop *l, struct loop_io *io, unsigned events);

void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn);
/* Fire once at `deadline` (loop_now() milliseconds); 0 stops the timer. */
void loop_timer_at(struct loop *l, struct loop_timer *t, uint64_t deadline);

void loop_idle_init(struct loop_idle *i, loop_idle_fn *fn);
void loop_idle_set(struct loop *l, struct loop_idle *i, bool on);

void loop_signal_start(struct loop *l, struct loop_signal *s, int signum, loop_signal_fn *fn);

#endif
