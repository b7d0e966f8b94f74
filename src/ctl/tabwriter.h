/*
 * tabwriter: Go's text/tabwriter (elastic tabstops), ported so that the
 * Cilium-style tables of kbgpctl come out byte for byte as Cilium prints
 * them.  Text is cells, each ended by '\t' (or '\v'); a column is the cells
 * at one index in a run of adjacent lines that all have a cell there, and
 * is as wide as its widest cell plus the padding, at least minwidth.  The
 * last cell of a line (after its last tab) is in no column and is never
 * padded, so a line ending "\t\n" ends in padding.  A line without a tab,
 * or a '\f', ends every column.  Text between two TW_ESCAPE bytes is one
 * piece of text (tabs and newlines in it are not cells), escapes included,
 * counted without them.  Widths are in UTF-8 characters; a byte that is not
 * part of valid UTF-8 counts as one.
 *
 * Not ported: Go's flags (FilterHTML, StripEscape, AlignRight,
 * DiscardEmptyColumns, TabIndent, Debug); this is Go's behaviour with
 * flags 0, the only one Cilium uses.
 */
#ifndef KBGP_CTL_TABWRITER_H
#define KBGP_CTL_TABWRITER_H

#include <stddef.h>
#include <stdio.h>

struct tw_settings {
	int minwidth; /* least width of a column, padding included */
	int tabwidth; /* width of a '\t' when padchar is '\t' */
	int padding;  /* added to the widest cell of a column */
	char padchar; /* '\t': pad with tabs, assuming tabwidth */
};

/* Cilium's: tabwriter.NewWriter(w, 5, 0, 3, ' ', 0) in cilium-dbg
 * (cmd/bgp_peer_get.go NewTabWriter) and cilium-cli (bgp/peers.go). */
#define TW_CILIUM ((struct tw_settings){ .minwidth = 5, .tabwidth = 0, .padding = 3, .padchar = ' ' })

#define TW_ESCAPE '\xff'

struct tabwriter;

/* A writer to out, or NULL when out of memory. */
struct tabwriter *tw_new(FILE *out, struct tw_settings settings);
/* Free tw without writing what it holds (call tw_flush first). */
void tw_free(struct tabwriter *tw);

/* Add text.  Lines are written out as soon as nothing later can change
 * them (after a line without a tab), the rest at tw_flush. */
void tw_write(struct tabwriter *tw, const char *text, size_t len);
void tw_puts(struct tabwriter *tw, const char *text);
void tw_printf(struct tabwriter *tw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write out everything held, as Go's Flush; an unfinished last line is
 * written without a newline.  0, or -1 when memory ran out or a write to
 * out failed at any time since tw_new. */
int tw_flush(struct tabwriter *tw);

#endif
