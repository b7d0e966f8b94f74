/*
 * yaml_out: JSON to YAML.
 */
#include "ctl/yaml_out.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static int emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	return yaml_emitter_emit(e, ev) ? 0 : -1;
}

static int scalar(yaml_emitter_t *e, const char *text, bool plain)
{
	yaml_event_t ev;
	/* Quoted is always a string; plain only where YAML reads a string. */
	yaml_scalar_event_initialize(
	        &ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), plain, 1,
	        plain ? YAML_ANY_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	return emit(e, &ev);
}

/* Would a plain scalar with this text read back as a string? */
static bool plain_string(const char *s)
{
	static const char *const special[] = { "true", "false", "yes",  "no",    "on",   "off",
		                               "null", "~",     "True", "False", "Null", "" };
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if (strcmp(s, special[i]) == 0)
			return false;
	char *end;
	strtod(s, &end);
	return *end != '\0';
}

static int node(yaml_emitter_t *e, const json_t *v);

static int mapping(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	const char *key;
	json_t *item;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_MAPPING_STYLE);
	if (emit(e, &ev) < 0)
		return -1;
	json_object_foreach((json_t *)v, key, item)
	{
		if (scalar(e, key, plain_string(key)) < 0 || node(e, item) < 0)
			return -1;
	}
	yaml_mapping_end_event_initialize(&ev);
	return emit(e, &ev);
}

static int sequence(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	size_t i;
	json_t *item;
	yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_ANY_SEQUENCE_STYLE);
	if (emit(e, &ev) < 0)
		return -1;
	json_array_foreach(v, i, item)
	{
		if (node(e, item) < 0)
			return -1;
	}
	yaml_sequence_end_event_initialize(&ev);
	return emit(e, &ev);
}

static int node(yaml_emitter_t *e, const json_t *v)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return mapping(e, v);
	case JSON_ARRAY:
		return sequence(e, v);
	case JSON_STRING:
		return scalar(e, json_string_value(v), plain_string(json_string_value(v)));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return scalar(e, num, true);
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return scalar(e, num, true);
	case JSON_TRUE:
		return scalar(e, "true", true);
	case JSON_FALSE:
		return scalar(e, "false", true);
	default:
		return scalar(e, "null", true);
	}
}

int yaml_write(FILE *out, const json_t *value)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = -1;
	if (!yaml_emitter_initialize(&e))
		return -1;
	yaml_emitter_set_output_file(&e, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (emit(&e, &ev) < 0)
		goto done;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (emit(&e, &ev) < 0 || node(&e, value) < 0)
		goto done;
	yaml_document_end_event_initialize(&ev, 1);
	if (emit(&e, &ev) < 0)
		goto done;
	yaml_stream_end_event_initialize(&ev);
	rc = emit(&e, &ev);
done:
	yaml_emitter_delete(&e);
	return rc;
}
