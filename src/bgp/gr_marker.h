/*
 * gr_marker: how a speaker knows, when it starts, that it is coming back
 * from a graceful stop (RFC 4724 §4.1): the stop leaves a small file with
 * its time in the run directory, the next start takes it away.  Only then
 * does the speaker set the Restart State bit and defer route selection;
 * a first start or a start after a crash does neither.
 */
#ifndef KBGP_BGP_GR_MARKER_H
#define KBGP_BGP_GR_MARKER_H

#include <stdbool.h>
#include <stdint.h>

/* Leave the marker of instance `name` in dir (made if missing); -1 with
 * errno if it cannot be written. */
int gr_marker_leave(const char *dir, const char *name);
/* Take the marker away; true if it was there and at most restart_time
 * seconds old. */
bool gr_marker_take(const char *dir, const char *name, uint32_t restart_time);

#endif
