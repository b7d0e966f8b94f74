/*
 * lease: leader election over a coordination.k8s.io Lease (lease.c).
 */
#ifndef KBGP_OPERATOR_LEASE_H
#define KBGP_OPERATOR_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "k8s/api_client.h"
#include "lib/loop.h"

struct lease {
	bool enabled, held;
	struct loop *loop;
	struct api_client *client;
	char ns[64], name[64], identity[128];
	void (*changed)(void *ctx); /* held or lost */
	void *ctx;
	struct api_call *call;
	struct loop_timer timer;
	uint64_t renewed_at; /* loop_now() of our last successful write */
	char *seen;          /* the Lease's spec as last read */
	uint64_t seen_at;    /* when it last changed */
};

void lease_start(struct lease *l, struct loop *loop, struct api_client *c, const char *ns,
                 const char *name, const char *identity, void (*changed)(void *ctx), void *ctx);
/* Whether this replica may write: always, without leader election. */
bool lease_held(const struct lease *l);
void lease_stop(struct lease *l);

#endif
