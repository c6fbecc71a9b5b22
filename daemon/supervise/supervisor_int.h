/* supervisor_int.h - what the parts of the supervisor share among
 * themselves (supervisor.c decides, sup_spawn.c starts processes,
 * sup_records.c owns the service records, sup_requests.c takes requests from
 * the control socket and the checks). Not for other modules. */
#ifndef CORRAL_SUPERVISOR_INT_H
#define CORRAL_SUPERVISOR_INT_H

#include "supervisor.h"

/* Lines of a failed service printed under its exit line. */
#define SUP_TAIL_LINES 10

/* Spawns between two reads of the report pipe within one loop tick. */
#define SUP_REPORT_READ_EVERY 128

static inline const char *sup_name(const struct sup_service *ss)
{
    return ss->svc.conf->name;
}

/* supervisor.c */
void sup_feed(struct sup_service *ss, enum svc_event_kind kind, int wstatus, int err);
void sup_feed_event(struct sup_service *ss, const struct svc_event *ev);
void sup_after_change(struct sup_service *ss);
void sup_try_start(struct sup_service *ss);
void sup_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus);

/* sup_spawn.c */
void sup_spawn(struct sup_service *ss);
void sup_signal_tree(struct sup_service *ss, int sig);
int sup_spawn_reports_open(struct supervisor *sup);
void sup_spawn_reports_close(struct supervisor *sup);
/* Logs every failure report in the pipe; exiting/owner: a pid already taken
 * out of the pid table and its service (0/NULL: none). */
void sup_read_spawn_reports(struct supervisor *sup, pid_t exiting, struct sup_service *owner);

/* sup_graph.c: rebuilds every record's deps and dependents; frees one's. */
int sup_graph_rebuild(struct supervisor *sup);
void sup_graph_free(struct sup_service *ss);

/* sup_records.c */
void sup_on_line(void *arg, const char *text, size_t len);
void sup_service_close(struct sup_service *ss);
void sup_swap_conf(struct sup_service *ss, const struct conf_service *conf, struct sup_setref *ref);

#endif
