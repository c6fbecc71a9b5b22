/* readfile.h - a whole small file into memory, for the loaders. */
#ifndef CORRAL_READFILE_H
#define CORRAL_READFILE_H

#include <stddef.h>

#define READFILE_MAX_BYTES (1024 * 1024)

/* Reads the regular file at path into *data (NUL-terminated, caller frees)
 * and its length into *len. Opens with O_NONBLOCK so that a FIFO never hangs
 * the loader. Returns 0, -errno of open/read, -ENOTSUP when path is not a
 * regular file, or -EFBIG when it is larger than READFILE_MAX_BYTES. */
int readfile_all(const char *path, char **data, size_t *len);

#endif
