/* pathsearch.h - execvp's search of PATH, shared by the command check of
 * the configuration and the spawn: each entry of PATH (an empty one is the
 * working directory) joined with the name, in order; the first candidate
 * that try accepts wins, and one that try calls -EACCES (found, but not
 * runnable) is remembered while the search goes on for a better one. */
#ifndef CORRAL_PATHSEARCH_H
#define CORRAL_PATHSEARCH_H

#include <stddef.h>

/* The PATH when none is set: what a shell of Debian's gives root. */
#define PATHSEARCH_DEFAULT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0 when path can be run, else -errno (-EACCES: found, not runnable). */
typedef int (*pathsearch_try_cb)(const void *arg, const char *path);

/* Whether path is a file that can be run, as execve will find (a
 * pathsearch_try_cb; arg unused): 0, or -errno (-EACCES for a directory or a
 * file without the x bit for corral's effective ids). */
int pathsearch_runnable(const void *arg, const char *path);

/* Searches path_env (NULL or empty: PATHSEARCH_DEFAULT) for name, which
 * holds no '/'. Returns 0 with the winner in buf, -EACCES with the first
 * candidate that could not be run in buf, or -ENOENT with name in buf. A
 * candidate longer than buf is skipped. buf is always left a string. */
int pathsearch(const char *name, const char *path_env, pathsearch_try_cb try, const void *arg,
               char *buf, size_t len);

#endif
