/*
 * server: a daemon's control socket: a Unix stream socket (mode 0660)
 * whose clients send request lines and get answer lines (ctl/request).
 * Nothing a client does can stall the daemon: sockets are non-blocking,
 * a request is at most 64 KiB, and a client that leaves an answer unread
 * or a request unfinished for 10 s is dropped.
 */
#ifndef KBGP_CTL_SERVER_H
#define KBGP_CTL_SERVER_H

#include "ctl/request.h"
#include "lib/loop.h"

#define CTL_CLIENTS_MAX 16

struct ctl_client;

struct ctl_server {
	struct loop *loop;
	int fd;
	struct loop_io io;
	char path[108];
	const struct ctl_command *commands;
	void *ctx;
	struct ctl_client *clients[CTL_CLIENTS_MAX];
};

/* Listen at path (an old socket file there is replaced); -1 with errno. */
int ctl_server_open(struct ctl_server *s, struct loop *l, const char *path,
                    const struct ctl_command *commands, void *ctx);
void ctl_server_close(struct ctl_server *s);

#endif
