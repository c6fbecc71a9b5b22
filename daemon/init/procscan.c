/* procscan.c - reads /proc/PID/stat (and /proc/PID/fd on request) of every
 * process with plain open/read (no stdio in PID 1). A process that vanishes
 * while /proc is read is skipped. */
#include "procscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procdir.h"

static long procscan_page_kib;

int procscan_count_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

int procscan_one(pid_t pid, bool fds, struct procscan_entry *e)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -EIO;
    buf[n] = '\0';
    /* "PID (COMM) S PPID PGRP ...": comm may hold spaces and ')'. */
    char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
    if (!lp || !rp || rp < lp)
        return -EIO;
    size_t clen = (size_t)(rp - lp - 1);
    if (clen >= sizeof e->comm)
        clen = sizeof e->comm - 1;
    memcpy(e->comm, lp + 1, clen);
    e->comm[clen] = '\0';
    int ppid, pgrp;
    unsigned long long utime, stime;
    long threads, rss;
    /* Fields 3..24 of proc(5): state ppid pgrp session tty tpgid flags
     * minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
     * num_threads itrealvalue starttime vsize rss. */
    if (sscanf(rp + 1,
               " %c %d %d %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s %*s %*s %ld %*s %*s "
               "%*s %ld",
               &e->state, &ppid, &pgrp, &utime, &stime, &threads, &rss) != 7)
        return -EIO;
    if (!procscan_page_kib)
        procscan_page_kib = sysconf(_SC_PAGESIZE) / 1024;
    e->pid = pid;
    e->ppid = (pid_t)ppid;
    e->pgrp = (pid_t)pgrp;
    e->threads = threads > 0 ? threads : 1; /* a zombie still holds its slot */
    e->cpu_ticks = utime + stime;
    e->rss_kib = rss > 0 ? (uint64_t)rss * (uint64_t)procscan_page_kib : 0;
    e->fds = fds && e->state != 'Z' ? procscan_count_fds(pid) : -1;
    return 0;
}

static int procscan_fill(void *arg, pid_t pid, void *slot)
{
    return procscan_one(pid, *(const bool *)arg, slot);
}

int procscan_read(struct procscan *s, bool fds)
{
    void *all;
    int rc = procdir_read(sizeof *s->all, procscan_fill, &fds, &all, &s->n);
    s->all = all;
    return rc;
}

void procscan_free(struct procscan *s)
{
    free(s->all);
    s->all = NULL;
    s->n = 0;
}

long procscan_ticks_per_second(void)
{
    long t = sysconf(_SC_CLK_TCK);
    return t > 0 ? t : 100;
}
