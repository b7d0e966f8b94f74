/*
 * prefault: the helper thread and its queue of regions.
 */
#include "lib/prefault.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

#define QUEUE 8

struct region {
	void *addr;
	size_t len;
};

static struct {
	pthread_once_t once;
	pthread_mutex_t mu;
	pthread_cond_t more;
	bool running;
	struct region queue[QUEUE];
	unsigned head, count;
} helper = { .once = PTHREAD_ONCE_INIT,
	     .mu = PTHREAD_MUTEX_INITIALIZER,
	     .more = PTHREAD_COND_INITIALIZER };

static void *run(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&helper.mu);
	for (;;) {
		while (helper.count == 0)
			pthread_cond_wait(&helper.more, &helper.mu);
		struct region r = helper.queue[helper.head];
		helper.head = (helper.head + 1) % QUEUE;
		helper.count--;
		pthread_mutex_unlock(&helper.mu);
		/* A kernel without it, or a region gone: the main thread
		 * faults the pages in itself, as it would without us. */
		(void)madvise(r.addr, r.len, MADV_POPULATE_WRITE);
		pthread_mutex_lock(&helper.mu);
	}
	return NULL;
}

/* The helper takes no signals: they stay the main thread's, whose loop
 * waits for them. */
static void start(void)
{
	sigset_t all, old;
	pthread_t thread;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	helper.running = pthread_create(&thread, NULL, run, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (helper.running)
		pthread_detach(thread);
}

void prefault_ahead(void *addr, size_t len)
{
	pthread_once(&helper.once, start);
	if (!helper.running)
		return;
	pthread_mutex_lock(&helper.mu);
	if (helper.count < QUEUE) {
		helper.queue[(helper.head + helper.count) % QUEUE] = (struct region){ addr, len };
		helper.count++;
		pthread_cond_signal(&helper.more);
	}
	pthread_mutex_unlock(&helper.mu);
}
