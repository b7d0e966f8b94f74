/*
 * nl: an rtnetlink socket on libmnl, in one of three uses: batched
 * writes whose errors come back later (nl_put, nl_send, nl_receive), a
 * blocking question and its answers (nl_query), or multicast
 * notifications (nl_open with groups).
 *
 * A write socket may hand its full batches to a writer thread
 * (nl_writer_start): rtnetlink does a message's work inside the sender's
 * system call, so a full table's kernel work then runs on another core
 * while the event loop goes on.  Batches leave in order; replies are read
 * on the loop as before.
 */
#ifndef KBGP_FIB_NL_H
#define KBGP_FIB_NL_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;
struct mnl_nlmsg_batch;
struct nl_writer;

struct nl_sock {
	struct mnl_socket *mnl;
	int fd;
	uint32_t portid;
	uint32_t seq;
	char *buf; /* the batch being filled, then the receive buffer */
	struct mnl_nlmsg_batch *batch;
	size_t queued; /* messages in the batch */
	struct nl_writer *writer;
};

/* groups: RTNLGRP_* numbers to join, ended by 0 (NULL for none). */
int nl_open(struct nl_sock *s, const unsigned *groups);
/* Closing sends what the writer still holds first. */
void nl_close(struct nl_sock *s);
/* Batches go out from a thread of their own from now on; -1 (and they
 * go out synchronously as before) if it cannot start. */
int nl_writer_start(struct nl_sock *s);

/* Room for one message (KMSG_MAX bytes) at the end of the batch. */
struct nlmsghdr *nl_put(struct nl_sock *s);
/* The message written at nl_put is complete: give it a sequence number;
 * a full batch goes out.  -1 if sending failed. */
int nl_commit(struct nl_sock *s);
/* Send the batch, its last message asking for an acknowledgement. */
int nl_send(struct nl_sock *s);

typedef int (*nl_msg_fn)(const struct nlmsghdr *nlh, void *ctx);
/* Read what has arrived (without waiting) and hand every message to fn;
 * 0 when the socket is drained, -1 with errno set (ENOBUFS: the kernel
 * dropped messages). */
int nl_receive(struct nl_sock *s, nl_msg_fn fn, void *ctx);
/* Send req (a dump or a get) and wait for its answers, handing each to
 * fn; the kernel's error (errno value, 0 on success). */
int nl_query(struct nl_sock *s, struct nlmsghdr *req, nl_msg_fn fn, void *ctx);

#endif
