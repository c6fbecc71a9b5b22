/* proctree.c - walks /proc to find a process's descendants. /proc is a
 * snapshot that changes while it is read: a process that vanishes is skipped,
 * and a pid reused meanwhile is a risk the kernel gives every such tool (pidfd
 * would close it; not worth its cost here). */
#include "proctree.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procdir.h"

/* Reads the state, ppid and pgrp from /proc/PID/stat: the fields after the
 * last ')' (comm may itself hold parentheses and spaces). */
static int proctree_stat(pid_t pid, struct proctree_pair *out)
{
    char buf[512];
    const char *f = procdir_stat(pid, buf, sizeof buf);
    int ppid, pgrp;
    if (!f || sscanf(f, " %c %d %d", &out->state, &ppid, &pgrp) != 3)
        return -1;
    out->pid = pid;
    out->ppid = (pid_t)ppid;
    out->pgrp = (pid_t)pgrp;
    return 0;
}

unsigned long long proctree_started(pid_t pid)
{
    char buf[1024];
    /* From the space before field 3 (the state) to the one before 22. */
    const char *p = procdir_stat(pid, buf, sizeof buf);
    for (int field = 3; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int proctree_fill(void *arg, pid_t pid, void *slot)
{
    (void)arg;
    return proctree_stat(pid, slot);
}

int proctree_snapshot(struct proctree_snap *s)
{
    void *all;
    int rc = procdir_read(sizeof *s->all, proctree_fill, NULL, &all, &s->n);
    s->all = all;
    return rc;
}

void proctree_snap_free(struct proctree_snap *s)
{
    free(s->all);
    s->all = NULL;
    s->n = 0;
}

int proctree_descendants_in(const struct proctree_snap *s, pid_t root, pid_t *out, size_t cap)
{
    /* Breadth-first from root; out doubles as the queue. */
    size_t found = 0, head = 0;
    pid_t parent = root;
    for (;;) {
        for (size_t i = 0; i < s->n && found < cap; i++)
            if (s->all[i].ppid == parent && s->all[i].pid != root)
                out[found++] = s->all[i].pid;
        if (head >= found)
            break;
        parent = out[head++];
    }
    return (int)found;
}

static bool proctree_listed(const pid_t *v, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == pid)
            return true;
    return false;
}

int proctree_group_in(const struct proctree_snap *s, pid_t pgrp, pid_t *out, size_t cap)
{
    size_t found = 0;
    for (size_t i = 0; i < s->n && found < cap; i++)
        if (s->all[i].pgrp == pgrp && s->all[i].state != 'Z')
            out[found++] = s->all[i].pid;
    /* Below them (a child that left the group with setsid), breadth-first:
     * out doubles as the queue. */
    for (size_t head = 0; head < found && found < cap; head++)
        for (size_t i = 0; i < s->n && found < cap; i++)
            if (s->all[i].ppid == out[head] && s->all[i].state != 'Z' &&
                !proctree_listed(out, found, s->all[i].pid))
                out[found++] = s->all[i].pid;
    return (int)found;
}

int proctree_descendants(pid_t root, pid_t *out, size_t cap)
{
    struct proctree_snap s;
    int rc = proctree_snapshot(&s);
    if (rc < 0)
        return rc;
    rc = proctree_descendants_in(&s, root, out, cap);
    proctree_snap_free(&s);
    return rc;
}

const char *proctree_describe(pid_t pid, char *buf, size_t len)
{
    char path[64], cmd[256];
    ssize_t n = 0;

    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, cmd, sizeof cmd - 1);
        close(fd);
    }
    if (n > 0) {
        /* Arguments are NUL-separated; show them space-separated. */
        for (ssize_t i = 0; i < n; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        while (n > 0 && cmd[n - 1] == ' ')
            n--;
        cmd[n] = '\0';
    } else {
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, cmd, sizeof cmd - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            n = snprintf(cmd, sizeof cmd, "?");
        else if (cmd[n - 1] == '\n')
            n--;
        cmd[n] = '\0';
    }
    snprintf(buf, len, "%d (%s)", (int)pid, cmd);
    return buf;
}
