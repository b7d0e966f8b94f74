/*
 * operator_api: the operator's derivations written to the API server
 * (operator_api.c).
 */
#ifndef KBGP_OPERATOR_OPERATOR_API_H
#define KBGP_OPERATOR_OPERATOR_API_H

#include <jansson.h>

#include "k8s/source_api.h"

/* The results of cp_node_configs, cp_lbipam and cp_podcidr (NULL: not
 * run), written where they differ from what the server has. */
void operator_api_write(struct source_api *src, const json_t *node_configs, const json_t *lbipam,
                        const json_t *pod_cidrs);

#endif
