/* procdir.c - the walk over /proc behind proctree and procscan, and the read
 * of one process's stat line (proctree, syslogd). A process that vanishes
 * while /proc is read is skipped by its fill. */
#include "procdir.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"

const char *procdir_stat(pid_t pid, char *buf, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *rp = strrchr(buf, ')');
    return rp ? rp + 1 : NULL;
}

int procdir_read(size_t size, procdir_fill_cb fill, void *arg, void **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir("/proc");
    if (!d)
        return -errno;
    size_t room = 256, used = 0;
    char *all = malloc(room * size);
    if (!all) {
        closedir(d);
        return -ENOMEM;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL && used < PROCTREE_MAX) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (used == room) {
            char *bigger = realloc(all, 2 * room * size);
            if (!bigger)
                break; /* what was read so far */
            all = bigger;
            room *= 2;
        }
        if (fill(arg, (pid_t)atoi(e->d_name), all + used * size) == 0)
            used++;
    }
    closedir(d);
    *out = all;
    *n = used;
    return 0;
}
