/*
 * yaml_out: any JSON value written as a YAML document (libyaml's emitter),
 * for kbgpctl -o yaml and `show running-config`.  Strings that YAML would
 * read back as something else (true, 65000, null, ~) are quoted.
 */
#ifndef KBGP_CTL_YAML_OUT_H
#define KBGP_CTL_YAML_OUT_H

#include <jansson.h>
#include <stdio.h>

/* 0, or -1 when the emitter failed. */
int yaml_write(FILE *out, const json_t *value);

#endif
