/*
 * http: the smallest HTTP/1.0 responder that serves Prometheus: GET of one
 * path, answered from a callback, the connection closed after.  Requests
 * are capped at 8 KiB, a client gets 5 s, at most 8 at once; nothing else
 * of HTTP is spoken.
 */
#ifndef KBGP_CTL_HTTP_H
#define KBGP_CTL_HTTP_H

#include <stdio.h>

#include "lib/addr.h"
#include "lib/loop.h"

#define HTTP_CLIENTS_MAX 8

struct http_client;

struct http_server {
	struct loop *loop;
	int fd;
	struct loop_io io;
	/* Write the body of GET /metrics. */
	void (*metrics)(void *ctx, FILE *out);
	void *ctx;
	struct http_client *clients[HTTP_CLIENTS_MAX];
};

/* Listen at addr (port included); -1 with errno. */
int http_server_open(struct http_server *s, struct loop *l, const union sockaddr_any *addr,
                     void (*metrics)(void *ctx, FILE *out), void *ctx);
void http_server_close(struct http_server *s);

/* The HELP and TYPE lines that open a metric family. */
void metrics_help(FILE *out, const char *name, const char *type, const char *text);

#endif
