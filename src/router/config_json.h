/*
 * config_json: a router configuration written back as its manifest.
 */
#ifndef KBGP_ROUTER_CONFIG_JSON_H
#define KBGP_ROUTER_CONFIG_JSON_H

#include <jansson.h>

#include "router/config.h"

/* The BGPRouter manifest of c with every default filled in; NULL out of
 * memory. */
json_t *router_config_json(const struct router_config *c);

#endif
