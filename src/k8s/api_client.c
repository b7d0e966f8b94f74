/*
 * api_client: libcurl's multi interface on the event loop (api_client.h).
 * libcurl says which sockets to watch and when to wake it; the loop
 * watches them and calls it back.  libcurl itself is loaded by the first
 * client (curl_dl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/api_client.h"
#include "k8s/curl_dl.h"

#define BODY_MAX        (64u << 20) /* a LIST of a large cluster */
#define CALL_TIMEOUT_S  30L
#define CONNECT_TIMEOUT 10L
#define IDLE_DEFAULT_S  120L

struct api_client {
	struct loop *loop;
	CURLM *multi;
	struct loop_timer timer;
	struct kube_endpoint *endpoint;
	struct api_call *calls;
};

struct api_call {
	struct api_client *client;
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *request_body;
	bool stream;
	char *body;
	size_t len, cap;
	bool too_large;
	const struct api_call_ops *ops;
	void *ctx;
	char error[CURL_ERROR_SIZE];
	struct api_call *next, **prev;
};

/* One socket libcurl asked us to watch. */
struct sock_watch {
	struct loop_io io;
	struct api_client *client;
	curl_socket_t fd;
};

static void call_free(struct api_call *call)
{
	if (call->easy != NULL) {
		sym_curl_multi_remove_handle(call->client->multi, call->easy);
		sym_curl_easy_cleanup(call->easy);
	}
	if (call->prev != NULL) {
		*call->prev = call->next;
		if (call->next != NULL)
			call->next->prev = call->prev;
	}
	sym_curl_slist_free_all(call->headers);
	free(call->url);
	free(call->request_body);
	free(call->body);
	free(call);
}

static void finish_done_calls(struct api_client *c)
{
	CURLMsg *m;
	int left;
	while ((m = sym_curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct api_call *call;
		long status = 0;
		sym_curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		sym_curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
		const char *error = NULL;
		if (call->too_large)
			error = "answer too large";
		else if (m->data.result != CURLE_OK)
			error = call->error[0] != '\0' ? call->error
			                               : sym_curl_easy_strerror(m->data.result);
		if (error != NULL && m->data.result != CURLE_OK &&
		    m->data.result != CURLE_WRITE_ERROR)
			status = 0;
		call->ops->on_done(call->ctx, status, call->body, call->len, error);
		call_free(call);
	}
}

static void on_io(struct loop_io *io, unsigned events)
{
	struct sock_watch *w = container_of(io, struct sock_watch, io);
	struct api_client *c = w->client;
	int flags = ((events & LOOP_READ) ? CURL_CSELECT_IN : 0) |
	            ((events & LOOP_WRITE) ? CURL_CSELECT_OUT : 0);
	int running;
	sym_curl_multi_socket_action(c->multi, w->fd, flags, &running);
	finish_done_calls(c);
}

static void on_timer(struct loop_timer *t)
{
	struct api_client *c = container_of(t, struct api_client, timer);
	int running;
	sym_curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	finish_done_calls(c);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct api_client *c = userp;
	struct sock_watch *w = socketp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (w != NULL) {
			loop_io_set(c->loop, &w->io, 0);
			sym_curl_multi_assign(c->multi, fd, NULL);
			free(w);
		}
		return 0;
	}
	if (w == NULL) {
		w = calloc(1, sizeof(*w));
		if (w == NULL)
			return -1;
		w->client = c;
		w->fd = fd;
		loop_io_init(&w->io, fd, on_io);
		sym_curl_multi_assign(c->multi, fd, w);
	}
	unsigned events = (what == CURL_POLL_IN || what == CURL_POLL_INOUT ? LOOP_READ : 0) |
	                  (what == CURL_POLL_OUT || what == CURL_POLL_INOUT ? LOOP_WRITE : 0);
	loop_io_set(c->loop, &w->io, events);
	return 0;
}

/* libcurl may not be called back from inside itself: a zero timeout
 * becomes "on the next loop turn". */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
	struct api_client *c = userp;
	(void)multi;
	if (timeout_ms < 0) {
		loop_timer_at(c->loop, &c->timer, 0);
		return 0;
	}
	loop_timer_at(c->loop, &c->timer, loop_now(c->loop) + (uint64_t)timeout_ms + 1);
	return 0;
}

static size_t on_write(char *data, size_t size, size_t n, void *userp)
{
	struct api_call *call = userp;
	size_t len = size * n;
	if (call->stream)
		return call->ops->on_data(call->ctx, data, len) ? len : 0;
	if (call->len + len > BODY_MAX) {
		call->too_large = true;
		return 0;
	}
	if (call->len + len + 1 > call->cap) {
		size_t cap = call->cap != 0 ? call->cap : 16384;
		while (cap < call->len + len + 1)
			cap *= 2;
		char *grown = realloc(call->body, cap);
		if (grown == NULL)
			return 0;
		call->body = grown;
		call->cap = cap;
	}
	memcpy(call->body + call->len, data, len);
	call->len += len;
	call->body[call->len] = '\0';
	return len;
}

static bool add_header(struct api_call *call, const char *name, const char *value)
{
	char line[8192];
	snprintf(line, sizeof(line), "%s: %s", name, value);
	struct curl_slist *l = sym_curl_slist_append(call->headers, line);
	if (l == NULL)
		return false;
	call->headers = l;
	return true;
}

static void set_blob(CURL *easy, CURLoption opt, char *data, size_t len)
{
	struct curl_blob blob = { .data = data, .len = len, .flags = CURL_BLOB_COPY };
	sym_curl_easy_setopt(easy, opt, &blob);
}

static void set_tls(CURL *easy, const struct kube_endpoint *e)
{
	if (e->ca_pem != NULL)
		set_blob(easy, CURLOPT_CAINFO_BLOB, e->ca_pem, e->ca_len);
	else if (e->ca_file[0] != '\0')
		sym_curl_easy_setopt(easy, CURLOPT_CAINFO, e->ca_file);
	if (e->cert_pem != NULL && e->key_pem != NULL) {
		set_blob(easy, CURLOPT_SSLCERT_BLOB, e->cert_pem, e->cert_len);
		set_blob(easy, CURLOPT_SSLKEY_BLOB, e->key_pem, e->key_len);
	} else if (e->cert_file[0] != '\0' && e->key_file[0] != '\0') {
		sym_curl_easy_setopt(easy, CURLOPT_SSLCERT, e->cert_file);
		sym_curl_easy_setopt(easy, CURLOPT_SSLKEY, e->key_file);
	}
	if (e->insecure_skip_tls_verify) {
		sym_curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		sym_curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

static const char *token_header(const char *token)
{
	static char value[4200];
	snprintf(value, sizeof(value), "Bearer %s", token);
	return value;
}

static bool set_headers(struct api_call *call, const struct api_request *req)
{
	char token[4096];
	if (!add_header(call, "Accept", "application/json"))
		return false;
	if (req->content_type != NULL && !add_header(call, "Content-Type", req->content_type))
		return false;
	if (kube_endpoint_token(call->client->endpoint, token, sizeof(token)) == 0 &&
	    token[0] != '\0' && !add_header(call, "Authorization", token_header(token)))
		return false;
	sym_curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers);
	return true;
}

static bool set_body(struct api_call *call, const struct api_request *req)
{
	if (req->body == NULL)
		return true;
	call->request_body = malloc(req->body_len + 1);
	if (call->request_body == NULL)
		return false;
	memcpy(call->request_body, req->body, req->body_len);
	call->request_body[req->body_len] = '\0';
	sym_curl_easy_setopt(call->easy, CURLOPT_POSTFIELDS, call->request_body);
	sym_curl_easy_setopt(call->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	return true;
}

static bool setup(struct api_call *call, const struct api_request *req)
{
	CURL *e = call->easy;
	struct kube_endpoint *ep = call->client->endpoint;
	size_t url_len = strlen(ep->server) + strlen(req->path) + 1;
	call->url = malloc(url_len);
	if (call->url == NULL)
		return false;
	snprintf(call->url, url_len, "%s%s", ep->server, req->path);
	sym_curl_easy_setopt(e, CURLOPT_URL, call->url);
	sym_curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	sym_curl_easy_setopt(e, CURLOPT_PRIVATE, call);
	sym_curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	sym_curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
	sym_curl_easy_setopt(e, CURLOPT_ERRORBUFFER, call->error);
	sym_curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	sym_curl_easy_setopt(e, CURLOPT_USERAGENT, "kbgp/" KBGP_VERSION);
	sym_curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	sym_curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	sym_curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http");
	if (req->stream) {
		/* Dead connections: nothing, not even a bookmark, for this long. */
		sym_curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		sym_curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		                     req->idle_seconds > 0 ? req->idle_seconds : IDLE_DEFAULT_S);
	} else {
		sym_curl_easy_setopt(e, CURLOPT_TIMEOUT, CALL_TIMEOUT_S);
	}
	set_tls(e, ep);
	return set_headers(call, req) && set_body(call, req);
}

struct api_call *api_call_start(struct api_client *c, const struct api_request *req,
                                const struct api_call_ops *ops, void *ctx)
{
	struct api_call *call = calloc(1, sizeof(*call));
	if (call == NULL)
		return NULL;
	call->client = c;
	call->stream = req->stream;
	call->ops = ops;
	call->ctx = ctx;
	call->easy = sym_curl_easy_init();
	if (call->easy == NULL || !setup(call, req) ||
	    sym_curl_multi_add_handle(c->multi, call->easy) != CURLM_OK) {
		if (call->easy != NULL)
			sym_curl_easy_cleanup(call->easy);
		call->easy = NULL;
		call_free(call);
		return NULL;
	}
	call->next = c->calls;
	if (c->calls != NULL)
		c->calls->prev = &call->next;
	call->prev = &c->calls;
	c->calls = call;
	return call;
}

void api_call_cancel(struct api_call *call)
{
	if (call != NULL)
		call_free(call);
}

struct api_client *api_client_new(struct loop *l, struct kube_endpoint *endpoint)
{
	if (curl_dl_load() < 0)
		return NULL;
	struct api_client *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->loop = l;
	c->endpoint = endpoint;
	c->multi = sym_curl_multi_init();
	if (c->multi == NULL) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	loop_timer_init(&c->timer, on_timer);
	sym_curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	sym_curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	sym_curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer_change);
	sym_curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

void api_client_free(struct api_client *c)
{
	if (c == NULL)
		return;
	while (c->calls != NULL)
		call_free(c->calls);
	loop_timer_at(c->loop, &c->timer, 0);
	sym_curl_multi_cleanup(c->multi);
	free(c);
}
