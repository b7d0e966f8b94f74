/*
 * router_ctl: the router's control-socket commands.
 */
#ifndef KBGP_ROUTER_ROUTER_CTL_H
#define KBGP_ROUTER_ROUTER_CTL_H

#include "ctl/request.h"

extern const struct ctl_command router_commands[];

#endif
