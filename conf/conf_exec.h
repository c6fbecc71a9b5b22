/* conf_exec.h - whether what a service will exec is there: a command given
 * by an absolute path must be an executable file on this machine (an
 * error: it would certainly fail with 126 or 127 and crash-loop); a bare
 * name should be on the PATH the service gets (a warning: that PATH may
 * differ at run time). Internal to conf/. */
#ifndef CORRAL_CONF_EXEC_H
#define CORRAL_CONF_EXEC_H

#include "conf.h"
#include "ynode.h"

/* Checks s->argv[0]; at is the node to report at (the command's first item,
 * or the command string). Returns 0, -EINVAL (an error recorded), or
 * -ENOMEM. Does nothing when c->env asks for no lookups. */
int conf_exec_check(struct ynode_ctx *c, yaml_node_t *at, const struct conf_service *s);

#endif
