/*
 * manifest_yaml_scalar: the text of a YAML scalar to a JSON value, typed the
 * way `kubectl apply` types it (go-yaml v2, YAML 1.1 flavoured) or refused
 * where that would surprise; the rules are listed in manifest.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/manifest_impl.h"

/* ---- YAML scalars ---- */

bool word_in(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static const char *const yaml_nulls[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const yaml_trues[] = { "true", "True", "TRUE", "yes", "Yes", "YES",
	                                  "on",   "On",   "ON",   "y",   "Y",   NULL };
static const char *const yaml_falses[] = { "false", "False", "FALSE", "no", "No", "NO",
	                                   "off",   "Off",   "OFF",   "n",  "N",  NULL };
static const char *const yaml_nonfinite[] = { ".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
	                                      "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
	                                      ".NaN",  ".NAN",  NULL };

static size_t span(const char *s, const char *set)
{
	return strspn(s, set);
}

#define DIGITS  "0123456789"
#define XDIGITS "0123456789abcdefABCDEF"

/* [-+]?(0|[1-9][0-9]*) or [-+]?0[xX][0-9a-fA-F]+ */
static bool looks_int(const char *s, int *base)
{
	const char *p = s + (*s == '-' || *s == '+');

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		*base = 16;
		return p[2] != '\0' && p[2 + span(p + 2, XDIGITS)] == '\0';
	}
	*base = 10;
	if (p[0] == '0')
		return p[1] == '\0';
	return p[0] != '\0' && p[span(p, DIGITS)] == '\0';
}

/* go-yaml's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool looks_float(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	size_t n = span(p, DIGITS);

	if (n == 0) {
		if (*p != '.' || span(p + 1, DIGITS) == 0)
			return false;
		p += 1 + span(p + 1, DIGITS);
	} else {
		p += n;
		if (*p == '.')
			p += 1 + span(p + 1, DIGITS);
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		if (span(p, DIGITS) == 0)
			return false;
		p += span(p, DIGITS);
	}
	return *p == '\0';
}

/* What kubectl would read as a number that we do not: a leading zero
 * (octal), 0o, 0b, or underscores between digits (go-yaml drops them). */
static bool looks_ambiguous(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	int base;

	if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		return p[2] != '\0' && p[2 + span(p + 2, "01234567_")] == '\0';
	if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		return p[2] != '\0' && p[2 + span(p + 2, "01_")] == '\0';
	if (p[0] == '0' && p[1] != '\0' && p[span(p, DIGITS "_")] == '\0')
		return true;
	if (strchr(p, '_') == NULL || (p[0] != '.' && (p[0] < '0' || p[0] > '9')))
		return false;
	char *plain = malloc(strlen(s) + 1);
	size_t n = 0;
	if (plain == NULL)
		return true; /* refusing is the safe side */
	for (const char *q = s; *q != '\0'; q++)
		if (*q != '_')
			plain[n++] = *q;
	plain[n] = '\0';
	bool number = looks_int(plain, &base) || looks_float(plain);
	free(plain);
	return number;
}

/* Integer text (already matched by looks_int) to a JSON integer. */
static json_t *scalar_int(const char *s, int base, struct scalar_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, base);
	if (errno == ERANGE || *end != '\0') {
		snprintf(err->msg, sizeof(err->msg), "integer %.40s%s is out of range", s,
		         strlen(s) > 40 ? "..." : "");
		return NULL;
	}
	return json_integer(v);
}

static json_t *scalar_float(const char *s, struct scalar_err *err)
{
	double v = strtod(s, NULL);

	if (!isfinite(v)) {
		snprintf(err->msg, sizeof(err->msg), "number %.40s%s is out of range", s,
		         strlen(s) > 40 ? "..." : "");
		return NULL;
	}
	return json_real(v);
}

/* Resolve a plain scalar, or one whose tag asks for a type, by the rules
 * in manifest.h.  want is the kind a tag asks for, or -1 for any. */
json_t *scalar_resolve(const char *s, int want, struct scalar_err *err)
{
	int base;

	if ((want < 0 || want == SC_NULL) && word_in(s, yaml_nulls))
		return json_null();
	if ((want < 0 || want == SC_BOOL) && word_in(s, yaml_trues))
		return json_true();
	if ((want < 0 || want == SC_BOOL) && word_in(s, yaml_falses))
		return json_false();
	if ((want < 0 || want == SC_FLOAT) && word_in(s, yaml_nonfinite)) {
		snprintf(err->msg, sizeof(err->msg), "%s cannot be represented in JSON", s);
		return NULL;
	}
	if ((want < 0 || want == SC_INT || want == SC_FLOAT) && looks_ambiguous(s)) {
		snprintf(
		        err->msg, sizeof(err->msg),
		        "ambiguous number %.40s: write it in decimal, or quote it to keep the text",
		        s);
		return NULL;
	}
	if ((want < 0 || want == SC_INT) && looks_int(s, &base))
		return scalar_int(s, base, err);
	if (want == SC_FLOAT && looks_int(s, &base)) {
		json_t *i = scalar_int(s, base, err);
		json_t *r = i != NULL ? json_real((double)json_integer_value(i)) : NULL;
		json_decref(i);
		return r;
	}
	if ((want < 0 || want == SC_FLOAT) && looks_float(s))
		return scalar_float(s, err);
	if (want < 0)
		return json_string(s);
	static const char *const tags[] = { "null", "bool", "int", "float" };
	static const char *const names[] = { "null", "a boolean", "an integer", "a number" };
	char q[64];
	snprintf(err->msg, sizeof(err->msg), "!!%s value %s is not %s", tags[want],
	         quote(s, q, sizeof(q)), names[want]);
	return NULL;
}
