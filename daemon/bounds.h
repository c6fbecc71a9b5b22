/* bounds.h - every fixed cap of the daemon, named in one place (STYLE.md §8). */
#ifndef CORRAL_BOUNDS_H
#define CORRAL_BOUNDS_H

/* Slots in the pid table: services, probes and hooks alive at once. The table
 * is sized once at start-up and never grows. */
#define PIDTAB_CAPACITY 8192

/* One log line of corral's own, including its "corral: " prefix. */
#define LOG_LINE_MAX 4096

/* Processes examined by one /proc walk (descendants of a service, stragglers
 * at shutdown). A container with more processes than this is already broken;
 * the walk stops at the cap instead of allocating without bound. */
#define PROCTREE_MAX 65536

/* Stragglers named one by one before the final SIGKILL; the rest are counted. */
#define SHUTDOWN_NAME_MAX 20

/* A resolved executable path. */
#define SPAWN_PATH_MAX 4096

#endif
