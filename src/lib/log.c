/*
 * log: logfmt or JSON lines.  Values are quoted when they need it; control
 * characters are escaped, so text from peers cannot forge log lines.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static bool as_json;

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info", [LOG_WARN] = "warn", [LOG_ERROR] = "error"
};

void log_set_level(enum log_level level)
{
	min_level = level;
}

bool log_enabled(enum log_level level)
{
	return level >= min_level;
}

void log_set_json(bool json)
{
	as_json = json;
}

static bool needs_quotes(const char *v)
{
	if (*v == '\0')
		return true;
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f)
			return true;
	}
	return false;
}

static void put_escaped(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

static void put_field(FILE *out, const char *key, const char *value, bool first)
{
	if (as_json) {
		fprintf(out, "%s\"%s\":\"", first ? "{" : ",", key);
		put_escaped(out, value);
		fputc('"', out);
		return;
	}
	fprintf(out, "%s%s=", first ? "" : " ", key);
	if (!needs_quotes(value)) {
		fputs(value, out);
		return;
	}
	fputc('"', out);
	put_escaped(out, value);
	fputc('"', out);
}

void log_emit(enum log_level level, const char *subsys, const struct log_field *fields,
              const char *fmt, ...)
{
	char ts[40], msg[1024];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (level < min_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - n, ".%03ldZ", now.tv_nsec / 1000000);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	flockfile(stderr);
	put_field(stderr, "ts", ts, true);
	put_field(stderr, "level", level_names[level], false);
	put_field(stderr, "subsys", subsys, false);
	for (; fields != NULL && fields->key != NULL; fields++)
		put_field(stderr, fields->key, fields->value, false);
	put_field(stderr, "msg", msg, false);
	fputs(as_json ? "}\n" : "\n", stderr);
	funlockfile(stderr);
}
