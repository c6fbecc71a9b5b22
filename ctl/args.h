/* args.h - corralctl's command line: global options, the command, its
 * options and operands, turned into a protocol request (or an offline
 * action: help, check, --version). Pure but for the clock read by --since,
 * which is passed in. */
#ifndef CORRAL_ARGS_H
#define CORRAL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum args_action {
    ARGS_REMOTE,  /* send req to the daemon */
    ARGS_HELP,    /* print help (of help_topic when set) to stdout */
    ARGS_CHECK,   /* validate check_dir offline */
    ARGS_VERSION, /* --version: corralctl's own version only */
};

struct args {
    enum args_action action;
    const char *socket; /* --socket PATH, or NULL; borrowed from argv */
    const char *config; /* --config FILE, or NULL (the default file); borrowed */
    bool json;
    const char *help_topic; /* help COMMAND, or NULL */
    const char *check_dir;
    bool no_resolve;          /* check --no-resolve */
    struct proto_request req; /* ARGS_REMOTE; owned: args_close */
};

/* Parses argv. now_ms (unix time) turns --since D into since_ms. Returns 0;
 * or -EINVAL with a one-line reason in why (exit 2); or -ENOMEM. Close a
 * parsed args with args_close, whatever the result. */
int args_parse(int argc, char **argv, uint64_t now_ms, struct args *a, char *why, size_t why_len);

void args_close(struct args *a);

#endif
