/*
 * fib_json: the FIB's state for the control socket.
 */
#ifndef KBGP_FIB_FIB_JSON_H
#define KBGP_FIB_FIB_JSON_H

#include <jansson.h>

#include "fib/fib.h"

/* Every selected route (or only that prefix), sorted, with its state and
 * next hops; NULL out of memory. */
json_t *fib_json(const struct fib *f, const struct bgp_prefix *only);

#endif
