/* logfile.h - a service's log file: appended to, rotated by size (NAME.log
 * -> NAME.log.1 -> ... -> NAME.log.KEEP, the oldest dropped), reopened after
 * each rotation so that nothing written after it is lost. Short blocking
 * appends (docs/dev/STYLE.md §7 allows them). */
#ifndef CORRAL_LOGFILE_H
#define CORRAL_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct logfile {
    int fd; /* -1 until opened */
    char *path;
    uint64_t size;
    uint64_t max_size; /* 0: never rotate */
    uint32_t keep;     /* rotated files kept */
};

/* Opens (creating) path for appending. Returns 0 or -errno. */
int logfile_open(struct logfile *f, const char *path, uint64_t max_size, uint32_t keep);

/* True when appending len bytes would take a non-empty file past max_size. */
bool logfile_must_rotate(uint64_t size, size_t len, uint64_t max_size);

/* Appends data (whole lines), rotating first when it would not fit. Returns
 * 0, or -errno with nothing of data left in the file (a full disk never
 * leaves a torn line). */
int logfile_write(struct logfile *f, const char *data, size_t len);

void logfile_close(struct logfile *f);

#endif
