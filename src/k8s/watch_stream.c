/*
 * watch_stream: the watch body framer (a brace scanner over a bounded
 * buffer), the event decoder, and the LIST body decoder (watch_stream.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/watch_stream.h"

#define BUF_FIRST 4096

static const char *const type_names[] = {
	"ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR", NULL
};

void watch_stream_init(struct watch_stream *s, size_t max_event, watch_event_fn *on_event,
                       void *ctx)
{
	*s = (struct watch_stream){
		.max_event = max_event != 0 ? max_event : WATCH_MAX_EVENT_DEFAULT,
		.on_event = on_event,
		.ctx = ctx,
	};
}

void watch_stream_reset(struct watch_stream *s)
{
	s->len = 0;
	s->scanned = 0;
	s->depth = 0;
	s->in_string = false;
	s->escaped = false;
}

void watch_stream_free(struct watch_stream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->cap = 0;
	watch_stream_reset(s);
}

bool watch_stream_pending(const struct watch_stream *s)
{
	return s->depth > 0;
}

static int broken(struct watch_stream *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int broken(struct watch_stream *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	watch_stream_reset(s);
	return -1;
}

/* ---- decoding one event ---- */

static int event_type(const char *name, enum watch_type *type)
{
	for (unsigned i = 0; type_names[i] != NULL; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*type = (enum watch_type)i;
			return 0;
		}
	}
	return -1;
}

/* The Status object of an ERROR event. */
static void event_status(struct watch_event *e)
{
	const json_t *code = json_object_get(e->object, "code");
	json_int_t v = json_integer_value(code);

	e->status_code = v >= 100 && v <= 999 ? (int)v : 0;
	e->reason = json_string_value(json_object_get(e->object, "reason"));
	e->message = json_string_value(json_object_get(e->object, "message"));
}

static int event_fields(struct watch_stream *s, json_t *root, struct watch_event *e)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	const json_t *meta;

	*e = (struct watch_event){ .object = json_object_get(root, "object") };
	if (type == NULL)
		return broken(s, "event without a \"type\" string");
	if (event_type(type, &e->type) < 0)
		return broken(s, "unknown event type \"%.40s\"", type);
	if (!json_is_object(e->object))
		return broken(s, "%s event without an \"object\" mapping", type);
	if (e->type == WATCH_ERROR) {
		event_status(e);
		return 0;
	}
	meta = json_object_get(e->object, "metadata");
	e->resource_version = json_string_value(json_object_get(meta, "resourceVersion"));
	if (e->resource_version == NULL)
		return broken(s, "%s event without object.metadata.resourceVersion", type);
	return 0;
}

static int event_emit(struct watch_stream *s, const char *text, size_t len)
{
	struct watch_event e;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);

	if (root == NULL)
		return broken(s, "event is not JSON: column %d: %s", jerr.column, jerr.text);
	if (event_fields(s, root, &e) < 0) {
		json_decref(root);
		return -1;
	}
	s->on_event(s->ctx, &e);
	json_decref(root);
	return 0;
}

/* ---- framing ---- */

/* Follow one byte inside an object: strings, escapes and nesting. */
static void scan_byte(struct watch_stream *s, char c)
{
	if (s->escaped)
		s->escaped = false;
	else if (s->in_string && c == '\\')
		s->escaped = true;
	else if (c == '"')
		s->in_string = !s->in_string;
	else if (!s->in_string && (c == '{' || c == '['))
		s->depth++;
	else if (!s->in_string && (c == '}' || c == ']'))
		s->depth--;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Hand on every object completed in the buffer, then keep only the one
 * still arriving, at the start of the buffer. */
static int scan(struct watch_stream *s)
{
	size_t start = 0; /* where the current object starts */

	for (size_t i = s->scanned; i < s->len; i++) {
		char c = s->buf[i];
		if (s->depth > 0) {
			scan_byte(s, c);
			if (s->depth == 0 && event_emit(s, s->buf + start, i + 1 - start) < 0)
				return -1;
		} else if (c == '{') {
			start = i;
			s->depth = 1;
		} else if (!is_space(c)) {
			return broken(s, "expected an event object, got byte 0x%02x",
			              (unsigned char)c);
		}
	}
	size_t keep = s->depth > 0 ? start : s->len;
	memmove(s->buf, s->buf + keep, s->len - keep);
	s->len -= keep;
	s->scanned = s->len;
	return 0;
}

/* Room for n more bytes, the buffer growing by doubling up to max_event. */
static bool reserve(struct watch_stream *s, size_t n)
{
	size_t cap = s->cap != 0 ? s->cap : BUF_FIRST < s->max_event ? BUF_FIRST : s->max_event;
	char *p;

	if (s->len + n <= s->cap)
		return true;
	while (cap < s->len + n)
		cap = cap <= s->max_event / 2 ? cap * 2 : s->max_event;
	if ((p = realloc(s->buf, cap)) == NULL)
		return false;
	s->buf = p;
	s->cap = cap;
	return true;
}

int watch_stream_feed(struct watch_stream *s, const char *data, size_t len)
{
	while (len > 0) {
		size_t n = s->max_event - s->len < len ? s->max_event - s->len : len;
		if (!reserve(s, n))
			return broken(s, "out of memory buffering an event");
		memcpy(s->buf + s->len, data, n);
		s->len += n;
		data += n;
		len -= n;
		if (scan(s) < 0)
			return -1;
		if (s->depth > 0 && s->len >= s->max_event)
			return broken(s, "event larger than %zu bytes", s->max_event);
	}
	return 0;
}

/* ---- LIST responses ---- */

static int list_fail(char *err, size_t err_len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int list_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A list's items and resourceVersion, checked before any item is handed on. */
static int list_check(const json_t *root, size_t rv_cap, char *err, size_t err_len)
{
	const json_t *items = json_object_get(root, "items");
	const json_t *meta = json_object_get(root, "metadata");
	const char *version = json_string_value(json_object_get(meta, "resourceVersion"));
	const char *cont = json_string_value(json_object_get(meta, "continue"));
	const char *kind = json_string_value(json_object_get(root, "kind"));

	if (!json_is_array(items) && !(json_is_object(root) && json_is_null(items)))
		return list_fail(err, err_len, "not a list (kind \"%.40s\")",
		                 kind != NULL ? kind : "?");
	if (version == NULL)
		return list_fail(err, err_len, "list without metadata.resourceVersion");
	if (strlen(version) >= rv_cap)
		return list_fail(err, err_len, "resourceVersion longer than %zu bytes", rv_cap - 1);
	if (cont != NULL && cont[0] != '\0')
		return list_fail(err, err_len, "paginated list (metadata.continue is set)");
	for (size_t i = 0; i < json_array_size(items); i++)
		if (!json_is_object(json_array_get(items, i)))
			return list_fail(err, err_len, "items[%zu] is not an object", i);
	return 0;
}

int watch_list_decode(const char *body, size_t len, void (*on_item)(void *ctx, json_t *item),
                      void *ctx, char *rv, size_t rv_cap, char *err, size_t err_len)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);

	if (root == NULL)
		return list_fail(err, err_len, "list is not JSON: line %d column %d: %s", jerr.line,
		                 jerr.column, jerr.text);
	if (list_check(root, rv_cap, err, err_len) < 0) {
		json_decref(root);
		return -1;
	}
	const json_t *items = json_object_get(root, "items");
	snprintf(rv, rv_cap, "%s",
	         json_string_value(
	                 json_object_get(json_object_get(root, "metadata"), "resourceVersion")));
	for (size_t i = 0; i < json_array_size(items); i++)
		on_item(ctx, json_array_get(items, i));
	json_decref(root);
	return 0;
}
