/* logfile.c - the file sink and its size-based rotation. */
#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int logfile_reopen(struct logfile *f)
{
    struct stat st;
    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
    if (f->fd < 0)
        return -errno;
    f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    return 0;
}

int logfile_open(struct logfile *f, const char *path, uint64_t max_size, uint32_t keep)
{
    f->path = strdup(path);
    if (!f->path)
        return -ENOMEM;
    f->max_size = max_size;
    f->keep = keep;
    return logfile_reopen(f);
}

bool logfile_must_rotate(uint64_t size, size_t len, uint64_t max_size)
{
    return max_size > 0 && size > 0 && size + len > max_size;
}

static void logfile_rotate(struct logfile *f)
{
    size_t n = strlen(f->path) + 16;
    char *from = malloc(n), *to = malloc(n);

    close(f->fd);
    f->fd = -1;
    if (from && to) {
        /* Oldest first, so that no rename overwrites a file still to move. */
        for (uint32_t i = f->keep; i > 1; i--) {
            snprintf(from, n, "%s.%u", f->path, i - 1);
            snprintf(to, n, "%s.%u", f->path, i);
            (void)rename(from, to);
        }
        if (f->keep > 0) {
            snprintf(to, n, "%s.1", f->path);
            (void)rename(f->path, to);
        } else {
            (void)truncate(f->path, 0);
        }
    }
    free(from);
    free(to);
    (void)logfile_reopen(f);
}

int logfile_write(struct logfile *f, const char *data, size_t len)
{
    if (f->fd < 0 && logfile_reopen(f) < 0)
        return -errno;
    if (logfile_must_rotate(f->size, len, f->max_size))
        logfile_rotate(f);
    if (f->fd < 0)
        return -EIO;
    uint64_t before = f->size;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(f->fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int err = n < 0 ? -errno : -ENOSPC;
            /* A full disk takes what fits, often ending inside a line, and
             * the next line written would be glued to that piece: what this
             * call wrote goes, so the file holds whole lines only. */
            if (done > 0 && ftruncate(f->fd, (off_t)before) < 0)
                f->size = before + done;
            return err;
        }
        done += (size_t)n;
    }
    f->size = before + len;
    return 0;
}

void logfile_close(struct logfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}
