/*
 * lbipam: LoadBalancer IP address management as Cilium's operator does it
 * (operator/pkg/lbipam), as one pure function of the current objects:
 * which addresses each LoadBalancer Service holds, and the status of each
 * CiliumLoadBalancerIPPool.  No I/O, no clock: the caller passes the time
 * to stamp on conditions that change.
 *
 * Also the pieces the operator's other allocator (podcidr) shares: the
 * first-come order of objects, error lines, and addresses as 128-bit
 * integers.
 */
#ifndef KBGP_CP_LBIPAM_H
#define KBGP_CP_LBIPAM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "k8s/store.h"

/*
 * {"services": {"NS/NAME": STATUS}, "pools": {"NAME": STATUS}, "errors": [TEXT]}
 *
 * A Service STATUS is the whole status the operator writes: loadBalancer
 * ingress and the io.cilium/lb-ipam-request-satisfied condition (other
 * conditions of the current status kept).  A pool STATUS holds the
 * cilium.io/PoolConflict, IPsTotal, IPsAvailable and IPsUsed conditions.
 * Only the Services LB-IPAM serves appear; with no pool at all LB-IPAM is
 * dormant and serves none.  errors lists every unsatisfied Service,
 * conflicting pool and unreadable annotation, one line each.  A condition
 * whose status changed gets lastTransitionTime now; otherwise it keeps the
 * one in the object's current status.  NULL when out of memory.
 */
json_t *cp_lbipam(const struct k8s_store *s, const char *now);

/* The objects of kind k, first come first served: older creationTimestamp
 * first (objects without one are the newest), then namespace, then name.
 * *n is their number; the array (free it) ends with NULL.  NULL when out of
 * memory. */
const struct k8s_object **cp_by_age(const struct k8s_store *s, enum k8s_kind k, size_t *n);

/* Append printf-style text to a JSON array of error lines. */
void cp_errorf(json_t *errors, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Addresses as unsigned integers, IPv4 in the low 32 bits, so ranges and
 * counts are arithmetic instead of lists of addresses. */
typedef unsigned __int128 cp_u128;

/* The first and last address of p. */
void cp_prefix_bounds(const struct bgp_prefix *p, cp_u128 *first, cp_u128 *last);
void cp_u128_to_bytes(cp_u128 v, uint8_t *b, size_t n);

#endif
