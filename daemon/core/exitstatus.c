/* exitstatus.c - mapping wait statuses to exit codes and words. */
#include "exitstatus.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

#include "signame.h"

int exitstatus_code(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return 255;
}

const char *exitstatus_describe(int wstatus, char *buf, size_t len)
{
    char sig[32];

    if (WIFEXITED(wstatus))
        snprintf(buf, len, "exited %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus))
        snprintf(buf, len, "killed by %s%s", signame_format(WTERMSIG(wstatus), sig, sizeof sig),
                 WCOREDUMP(wstatus) ? " (core dumped)" : "");
    else
        snprintf(buf, len, "status 0x%x", (unsigned)wstatus);
    return buf;
}

int exitstatus_exec_failure(int err)
{
    /* bash: 127 "command not found", 126 "cannot execute". ENOTDIR and
     * ENAMETOOLONG also mean that no such file can be found. */
    return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG ? 127 : 126;
}
