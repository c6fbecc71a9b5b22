/* conf_instances.h - a service file with instances: read once per instance,
 * names that would collide with its instances, and a dependency on such a
 * file turned into one on each instance. Internal to conf/. */
#ifndef CORRAL_CONF_INSTANCES_H
#define CORRAL_CONF_INSTANCES_H

#include "conf.h"
#include "ynode.h"

/* A growing list of parsed services (the loader's). */
struct conf_svc_list {
    struct conf_service **v;
    size_t n;
    size_t cap;
};

/* Appends s (the list owns it from now on, also on failure). Returns 0 or
 * -ENOMEM. */
int conf_svc_list_push(struct conf_svc_list *l, struct conf_service *s);

/* Parses the loaded document of c as the service file name: one service, or
 * with instances: one per instance (NAME.1 .. NAME.N, N the file's count or
 * the one scales give), each read with ${CORRAL_INSTANCE} set to its number
 * and given CORRAL_INSTANCE in its environment. Errors are reported once,
 * as the first instance found them. Returns 0 with the services appended to
 * out, -EINVAL (errors recorded) or -ENOMEM. */
int conf_instances_parse(struct ynode_ctx *c, const char *name, const struct conf_scale *scales,
                         size_t n_scales, struct conf_svc_list *out);

/* True when name is base "." followed by a number: a name the instances of
 * a file base with instances: would clash with, whatever their count. */
bool conf_instances_named_like(const char *name, const char *base);

/* Reports every service file whose name is that of a file with instances
 * followed by ".NUMBER" (worker.1.yaml beside worker.yaml with instances:),
 * at the instances: key. Returns 0, -EINVAL or -ENOMEM. */
int conf_instances_collisions(struct conf_service *const *v, size_t n, struct conf_errors *errs);

/* Replaces each dependency on a file with instances by one on each of its
 * instances, with the same condition and place. Returns 0 or -ENOMEM. */
int conf_instances_deps(struct conf_service *const *v, size_t n);

#endif
