/* top.c - requests top again and again on one connection: two samples give
 * each service's CPU share between them; a terminal gets a fresh screen
 * every TOP_REFRESH_MS until interrupted, anything else one table (or one
 * JSON reply with --json) after TOP_SAMPLE_MS. */
#include "top.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static void top_sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* One request and its reply: the result (a new reference), or NULL with
 * *code set. */
static json_t *top_sample(struct client *c, struct args *a, int *code)
{
    char *line = NULL, *reply;
    size_t len = 0;
    char why[256];
    struct proto_reply r;
    a->req.id++;
    int rc = proto_request_encode(&a->req, &line, &len);
    if (rc == 0)
        rc = client_send(c, line, len);
    free(line);
    if (rc == 0)
        rc = client_read_line(c, 10000, &reply, &len);
    if (rc < 0) {
        fprintf(stderr, "corralctl: %s: %s\n", c->path, strerror(-rc));
        *code = CTL_EXIT_UNREACHABLE;
        return NULL;
    }
    if (proto_reply_decode(reply, len, &r, why, sizeof why) < 0) {
        fprintf(stderr, "corralctl: %s: not a corral reply: %s\n", c->path, why);
        *code = CTL_EXIT_FAILED;
        return NULL;
    }
    if (r.kind == PROTO_REPLY_ERROR) {
        fprintf(stderr, "corralctl: %s\n", r.message ? r.message : "error");
        proto_reply_close(&r);
        *code = CTL_EXIT_FAILED;
        return NULL;
    }
    json_t *result = json_incref(r.body);
    proto_reply_close(&r);
    return result;
}

int top_run(struct client *c, struct args *a)
{
    int code = CTL_EXIT_OK;
    bool live = !a->json && isatty(STDOUT_FILENO);
    json_t *prev = top_sample(c, a, &code);
    if (!prev)
        return code;
    for (;;) {
        top_sleep_ms(live ? TOP_REFRESH_MS : TOP_SAMPLE_MS);
        json_t *cur = top_sample(c, a, &code);
        if (!cur)
            break;
        top_add_cpu(prev, cur);
        json_decref(prev);
        prev = cur;
        if (a->json) {
            char *s = json_dumps(cur, JSON_COMPACT);
            if (s)
                printf("%s\n", s);
            free(s);
            break;
        }
        if (live)
            fputs("\033[H\033[2J", stdout);
        top_render(cur, stdout);
        fflush(stdout);
        if (!live)
            break;
    }
    json_decref(prev);
    return code;
}
