/*
 * prefault: memory faulted in by a helper thread before the main thread
 * first writes it.  A full table writes 32 MB of new RIB entries, and the
 * first write to each page traps into the kernel (about 2 us a page on a
 * VM: a tenth of the load) while the other core idles; a region asked
 * for ahead of its use is faulted in there instead.  Faulting in changes
 * no byte: a page reads as zero whichever thread faults it first, so the
 * two need no more agreement than the queue of regions.
 */
#ifndef KBGP_LIB_PREFAULT_H
#define KBGP_LIB_PREFAULT_H

#include <stddef.h>

/* Fault in the pages of [addr, addr + len), an anonymous mapping of the
 * caller's, soon.  A hint: dropped if the helper is far behind or cannot
 * run; a region unmapped meanwhile is harmless. */
void prefault_ahead(void *addr, size_t len);

#endif
