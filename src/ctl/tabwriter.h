/*
 * tabwriter: text in aligned columns, for kbgpctl's Cilium-style tables
 * (the rules are in ../shared/research/cilium-bgp-v2.md §5).
 *
 * A cell is text ended by '\t'.  A column is the cells at one index in a
 * run of adjacent lines that all have a cell there; each of them is padded
 * with spaces to the widest plus `padding`, at least `minwidth`.  The text
 * after a line's last '\t' is not a cell and is never padded, so a line
 * ending "\t\n" ends in padding.  A line without '\t' ends every column.
 * Widths count UTF-8 characters, not bytes.
 */
#ifndef KBGP_CTL_TABWRITER_H
#define KBGP_CTL_TABWRITER_H

#include <stddef.h>
#include <stdio.h>

struct tw_settings {
	int minwidth; /* least width of a column, padding included */
	int padding;  /* spaces added to the widest cell of a column */
};

/* Cilium's tables: minwidth 5, padding 3 (cilium-dbg and cilium-cli). */
#define TW_CILIUM ((struct tw_settings){ .minwidth = 5, .padding = 3 })

struct tabwriter;

/* A writer to out, or NULL when out of memory. */
struct tabwriter *tw_new(FILE *out, struct tw_settings settings);
/* Free tw without writing what it holds (call tw_flush first). */
void tw_free(struct tabwriter *tw);

/* Add text; it is held until tw_flush. */
void tw_write(struct tabwriter *tw, const char *text, size_t len);
void tw_puts(struct tabwriter *tw, const char *text);
void tw_printf(struct tabwriter *tw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write out everything held; an unfinished last line is written without
 * a newline.  0, or -1 when memory ran out since the last tw_flush or a
 * write to out failed at any time. */
int tw_flush(struct tabwriter *tw);

#endif
