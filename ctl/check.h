/* check.h - `corralctl check DIR`: validates a service directory offline
 * through conf/, as `corral --check` does, without a daemon. */
#ifndef CORRAL_CHECK_H
#define CORRAL_CHECK_H

#include <stdbool.h>
#include <stdio.h>

/* Loads dir. Valid: prints the services in start order on out, returns
 * CTL_EXIT_OK. Invalid: prints every error as file:line:column: message on
 * err, returns CTL_EXIT_FAILED. With json, prints one object on out instead:
 * {"ok":bool,"services":[...],"errors":[{file,line,column,message}]}. With
 * no_resolve, users, groups, command paths and env_files are not looked up
 * (the directory is meant for another root filesystem). */
int check_run(const char *dir, bool json, bool no_resolve, FILE *out, FILE *err);

#endif
