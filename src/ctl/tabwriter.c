/*
 * tabwriter: owns the column layout of kbgpctl's Cilium-style tables (the
 * rules are in tabwriter.h).  Text is held in a memory stream until
 * tw_flush, then written line by line, each cell padded to the width of
 * its column over the run of lines that have that column.
 */
#include "ctl/tabwriter.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct tabwriter {
	FILE *out;
	struct tw_settings set;
	FILE *held; /* text not written yet, tabs and newlines included ... */
	char *text; /* ... in text[0..len) after an fflush of held */
	size_t len;
};

struct tabwriter *tw_new(FILE *out, struct tw_settings settings)
{
	struct tabwriter *tw = calloc(1, sizeof(*tw));
	if (tw == NULL)
		return NULL;
	*tw = (struct tabwriter){ .out = out, .set = settings };
	tw->held = open_memstream(&tw->text, &tw->len);
	if (tw->held == NULL) {
		free(tw);
		return NULL;
	}
	return tw;
}

void tw_free(struct tabwriter *tw)
{
	if (tw == NULL)
		return;
	fclose(tw->held);
	free(tw->text);
	free(tw);
}

void tw_write(struct tabwriter *tw, const char *text, size_t len)
{
	fwrite(text, 1, len, tw->held);
}

void tw_puts(struct tabwriter *tw, const char *text)
{
	fputs(text, tw->held);
}

void tw_printf(struct tabwriter *tw, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(tw->held, fmt, ap);
	va_end(ap);
}

/* UTF-8 characters in [s, end): the bytes that are not continuation bytes. */
static size_t chars(const char *s, const char *end)
{
	size_t n = 0;
	for (; s < end; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl != NULL ? nl : end;
}

/* The tab that ends cell col of the line [p, eol), or NULL if it has none. */
static const char *cell_end(const char *p, const char *eol, size_t col)
{
	for (; p < eol; p++)
		if (*p == '\t' && col-- == 0)
			return p;
	return NULL;
}

/* The width of column col over the run of lines from p that have it: the
 * widest cell plus the padding, at least minwidth. */
static size_t column_width(struct tw_settings set, const char *p, const char *end, size_t col)
{
	size_t width = (size_t)set.minwidth;
	for (const char *eol, *tab; p < end; p = eol + (eol < end)) {
		eol = line_end(p, end);
		if ((tab = cell_end(p, eol, col)) == NULL)
			break;
		const char *cell = col == 0 ? p : cell_end(p, eol, col - 1) + 1;
		if (chars(cell, tab) + (size_t)set.padding > width)
			width = chars(cell, tab) + (size_t)set.padding;
	}
	return width;
}

/* Write text[0..len).  A column's width is found on the first line of each
 * of its runs, where the line before has fewer cells.  -1: out of memory. */
static int write_held(struct tabwriter *tw)
{
	const char *end = tw->text + tw->len;
	size_t tabs = 0, before = 0; /* cells on the line before */
	for (const char *p = tw->text; p < end; p++)
		tabs += *p == '\t';
	size_t *widths = calloc(tabs + 1, sizeof(*widths)); /* one per column, or more */
	if (widths == NULL)
		return -1;

	for (const char *line = tw->text, *eol; line < end; line = eol + (eol < end)) {
		const char *p = line, *tab;
		size_t col = 0;
		eol = line_end(line, end);
		for (; (tab = cell_end(p, eol, 0)) != NULL; p = tab + 1, col++) {
			if (col >= before)
				widths[col] = column_width(tw->set, line, end, col);
			fwrite(p, 1, (size_t)(tab - p), tw->out);
			fprintf(tw->out, "%*s", (int)(widths[col] - chars(p, tab)), "");
		}
		fwrite(p, 1, (size_t)(eol - p), tw->out); /* the rest: not padded */
		if (eol < end)
			fputc('\n', tw->out);
		before = col;
	}
	free(widths);
	return 0;
}

int tw_flush(struct tabwriter *tw)
{
	bool failed = fflush(tw->held) != 0 || ferror(tw->held) || write_held(tw) < 0;
	rewind(tw->held); /* empty again: the next fflush sets len to 0 */
	return failed || fflush(tw->out) != 0 || ferror(tw->out) ? -1 : 0;
}
