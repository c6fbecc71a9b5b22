/* sup_orphans.c - which service an adopted orphan came from, decided while
 * it is still a zombie: every service's process starts in its own process
 * group, and a grandchild that double-forked keeps that group (or, when the
 * service's process made itself a session leader, its session), so the
 * groups of each record's last few starts name the service. An orphan that
 * left both (a daemon's setsid) is counted as unattributed
 * (docs/diagnosing.md "Orphans"). */
#include <string.h>
#include <unistd.h>

#include "supervisor_int.h"

void sup_orphans_note_spawn(struct sup_service *ss, pid_t pgid)
{
    memmove(&ss->pgids[1], &ss->pgids[0], (SUP_PGID_HISTORY - 1) * sizeof ss->pgids[0]);
    ss->pgids[0] = pgid;
}

static bool sup_orphans_held(const struct sup_service *ss, pid_t g)
{
    for (int i = 0; i < SUP_PGID_HISTORY && ss->pgids[i]; i++)
        if (ss->pgids[i] == g)
            return true;
    return false;
}

/* The record (current, then retiring) whose recent groups hold g, or NULL.
 * The newest start wins a pid reused as a group: current records first. */
static struct sup_service *sup_orphans_find(struct supervisor *sup, pid_t g)
{
    if (g <= 0)
        return NULL;
    for (size_t i = 0; i < sup->n; i++)
        if (sup->svcs[i]->pgids[0] == g)
            return sup->svcs[i];
    for (size_t i = 0; i < sup->n; i++)
        if (sup_orphans_held(sup->svcs[i], g))
            return sup->svcs[i];
    for (struct sup_service *ss = sup->retiring; ss; ss = ss->next_retiring)
        if (sup_orphans_held(ss, g))
            return ss;
    return NULL;
}

bool sup_on_orphan(void *arg, pid_t pid, pid_t pgid, bool zombie)
{
    struct supervisor *sup = arg;
    struct sup_service *ss = sup_orphans_find(sup, pgid);
    bool by_group = ss != NULL;
    if (!ss && zombie)
        ss = sup_orphans_find(sup, getsid(pid));
    if (ss)
        ss->orphans_reaped++;
    else
        sup->orphans_unattributed++;
    return by_group;
}

uint64_t sup_orphans_unattributed(const struct supervisor *sup)
{
    return sup->orphans_unattributed;
}
