/*
 * operator: the `kbgpd operator` role (operator.c).
 */
#ifndef KBGP_OPERATOR_OPERATOR_H
#define KBGP_OPERATOR_OPERATOR_H

/* `kbgpd operator --manifests DIR [...]` */
int operator_main(int argc, char **argv);

#endif
