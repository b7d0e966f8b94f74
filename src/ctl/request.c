/*
 * request: control protocol lines.
 */
#include "ctl/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/suggest.h"

static char *dump_line(json_t *answer)
{
	char *text = json_dumps(answer, JSON_COMPACT);
	json_decref(answer);
	if (text == NULL)
		return NULL;
	size_t n = strlen(text);
	char *line = realloc(text, n + 2);
	if (line == NULL) {
		free(text);
		return NULL;
	}
	memcpy(line + n, "\n", 2);
	return line;
}

/* An error answer; a message that is not valid UTF-8 (it may quote what
 * the client sent) gives way to a plain one, so there is always an answer. */
static char *error_line(const char *msg)
{
	json_t *answer = json_pack("{s:i, s:b, s:s}", "kbgp", CTL_VERSION, "ok", 0, "error", msg);
	if (answer == NULL)
		answer = json_pack("{s:i, s:b, s:s}", "kbgp", CTL_VERSION, "ok", 0, "error",
		                   "malformed request");
	return dump_line(answer);
}

static const struct ctl_command *find(const struct ctl_command *commands, const char *name)
{
	for (; commands->name != NULL; commands++)
		if (strcmp(commands->name, name) == 0)
			return commands;
	return NULL;
}

static char *unknown(const struct ctl_command *commands, const char *name)
{
	const char *names[64];
	size_t n = 0;
	for (; commands->name != NULL && n < 63; commands++)
		names[n++] = commands->name;
	names[n] = NULL;
	const char *hint = suggest_closest(names, name);
	char msg[256];
	/* At most 64 bytes of the name, not cutting a UTF-8 character. */
	int len = (int)strnlen(name, 64);
	while (len > 0 && (name[len] & 0xc0) == 0x80)
		len--;
	if (hint != NULL)
		snprintf(msg, sizeof(msg), "unknown command \"%.*s\" (did you mean \"%s\"?)", len,
		         name, hint);
	else
		snprintf(msg, sizeof(msg), "unknown command \"%.*s\"", len, name);
	return error_line(msg);
}

char *ctl_answer(const struct ctl_command *commands, void *ctx, const char *line, size_t len,
                 int *fatal)
{
	json_error_t jerr;
	*fatal = 1;
	if (len > CTL_REQUEST_MAX)
		return error_line("request longer than 64 KiB");
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		char msg[256];
		snprintf(msg, sizeof(msg), "not JSON: %s", jerr.text);
		return error_line(msg);
	}
	json_t *version = json_object_get(req, "kbgp");
	json_t *command = json_object_get(req, "command");
	json_t *args = json_object_get(req, "args");
	char *answer = NULL;
	if (!json_is_object(req) || !json_is_integer(version))
		answer = error_line("a request is an object with \"kbgp\": 1");
	else if (json_integer_value(version) != CTL_VERSION)
		answer = error_line("protocol version 1 only");
	else if (!json_is_string(command) || (args != NULL && !json_is_object(args)))
		answer = error_line("\"command\" must be a string, \"args\" an object");
	if (answer != NULL) {
		json_decref(req);
		return answer;
	}
	*fatal = 0;
	const struct ctl_command *c = find(commands, json_string_value(command));
	if (c == NULL) {
		answer = unknown(commands, json_string_value(command));
		json_decref(req);
		return answer;
	}
	char err[512] = "";
	json_t *empty = json_object();
	json_t *result = c->run(ctx, args != NULL ? args : empty, err, sizeof(err));
	json_decref(empty);
	json_decref(req);
	if (result == NULL)
		return error_line(err[0] ? err : "failed");
	return dump_line(
	        json_pack("{s:i, s:b, s:o}", "kbgp", CTL_VERSION, "ok", 1, "result", result));
}

char *ctl_request_line(const char *command, json_t *args)
{
	json_t *req = json_pack("{s:i, s:s}", "kbgp", CTL_VERSION, "command", command);
	if (req != NULL && args != NULL)
		json_object_set(req, "args", args);
	return req != NULL ? dump_line(req) : NULL;
}
