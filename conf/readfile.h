/* readfile.h - a whole small file into memory, for the loaders. */
#ifndef CORRAL_READFILE_H
#define CORRAL_READFILE_H

#include <stddef.h>

#include "conf.h"

#define READFILE_MAX_BYTES CONF_FILE_MAX_BYTES

/* Reads the regular file at path into *data (NUL-terminated, caller frees)
 * and its length into *len. Opens with O_NONBLOCK so that a FIFO never hangs
 * the loader. Returns 0, -errno of open/read, -ENOTSUP when path is not a
 * regular file, or -EFBIG when it is larger than READFILE_MAX_BYTES. */
int readfile_all(const char *path, char **data, size_t *len);

/* Why readfile_all failed with rc, for "cannot read: ...": strerror, but
 * in the words of the configuration for -EFBIG and -ENOTSUP. */
const char *readfile_why(int rc);

#endif
