/* readfile.c - reads configuration files whole: they are small, and libyaml
 * and the env_file parser both want the bytes in memory. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int readfile_all(const char *path, char **data, size_t *len)
{
    struct stat st;
    size_t got = 0;
    char *buf;
    int rc;

    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto err_close;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTSUP;
        goto err_close;
    }
    if (st.st_size > READFILE_MAX_BYTES) {
        rc = -EFBIG;
        goto err_close;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = -ENOMEM;
        goto err_close;
    }
    /* A file that grows while we read is cut at the size fstat saw. */
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            goto err_free;
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    buf[got] = '\0';
    close(fd);
    *data = buf;
    *len = got;
    return 0;

err_free:
    free(buf);
err_close:
    close(fd);
    return rc;
}

const char *readfile_why(int rc)
{
    if (rc == -EFBIG)
        return "larger than 1 MiB, the most a configuration file may hold";
    if (rc == -ENOTSUP)
        return "not a regular file";
    return strerror(-rc);
}
