/* main.c - corralctl: parse the command line, then either answer offline
 * (help, --version, check) or send one request to corral and print its
 * reply (and, for events and logs -f, the stream that follows) for people
 * or as JSON lines. Maps the outcome to the exit codes of ctl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "args.h"
#include "check.h"
#include "client.h"
#include "ctl.h"
#include "help.h"
#include "locate.h"
#include "proto.h"
#include "render.h"
#include "table.h"

static uint64_t main_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int main_exit_for(const struct proto_request *req, const struct proto_reply *r)
{
    if (r->kind == PROTO_REPLY_ERROR)
        return r->code == PROTO_ERR_TIMEOUT ? CTL_EXIT_UNHEALTHY : CTL_EXIT_FAILED;
    if (req->cmd == PROTO_CMD_HEALTH && !json_is_true(json_object_get(r->body, "healthy")))
        return CTL_EXIT_UNHEALTHY;
    return CTL_EXIT_OK;
}

/* How long the first reply may take: wait waits on purpose. */
static int main_reply_timeout_ms(const struct proto_request *req)
{
    if (req->cmd != PROTO_CMD_WAIT)
        return CTL_REPLY_TIMEOUT_MS;
    if (req->timeout_ms == 0 || req->timeout_ms > (uint64_t)(1 << 30))
        return -1;
    return (int)req->timeout_ms + CTL_REPLY_TIMEOUT_MS;
}

/* Reads and decodes the next reply. Returns 0, or an exit code (> 0) after
 * saying what went wrong; -ECONNRESET when the daemon hung up cleanly. */
static int main_read_reply(struct client *c, int timeout_ms, struct proto_reply *r)
{
    char why[256];
    char *line = NULL;
    size_t len = 0;
    int rc = client_read_line(c, timeout_ms, &line, &len);

    if (rc == -ECONNRESET)
        return rc;
    if (rc == -ETIMEDOUT) {
        fprintf(stderr, "corralctl: %s: no reply within %ds\n", c->path, timeout_ms / 1000);
        return CTL_EXIT_UNREACHABLE;
    }
    if (rc < 0) {
        fprintf(stderr, "corralctl: %s: read: %s\n", c->path, strerror(-rc));
        return CTL_EXIT_UNREACHABLE;
    }
    if (proto_reply_decode(line, len, r, why, sizeof why) < 0) {
        fprintf(stderr, "corralctl: %s: not a corral reply: %s\n", c->path, why);
        return CTL_EXIT_FAILED;
    }
    return 0;
}

static void main_print_json(const struct proto_reply *r)
{
    char *s = json_dumps(r->root, JSON_COMPACT);
    if (s)
        printf("%s\n", s);
    free(s);
}

/* After the ok reply of events or logs -f: items until the daemon hangs up. */
static int main_stream(struct client *c, const struct args *a)
{
    for (;;) {
        struct proto_reply r;
        int rc = main_read_reply(c, -1, &r);
        if (rc == -ECONNRESET) {
            /* A stream lasts until we hang up: corral ending it means it is
             * shutting down (a slow reader loses items, not the stream). */
            fflush(stdout);
            fprintf(stderr, "corralctl: corral ended the stream (it is shutting down)\n");
            return CTL_EXIT_FAILED;
        }
        if (rc > 0)
            return rc;
        if (a->json)
            main_print_json(&r);
        else if (r.kind == PROTO_REPLY_STREAM && !render_stream_gap(&a->req, r.body, stderr))
            render_stream(&a->req, r.body, stdout);
        else if (r.kind == PROTO_REPLY_ERROR)
            render_error(&r, stderr);
        fflush(stdout);
        rc = r.kind == PROTO_REPLY_ERROR ? main_exit_for(&a->req, &r) : 0;
        proto_reply_close(&r);
        if (rc)
            return rc;
    }
}

/* Says why no corral answered: each path tried, where a single path came
 * from when it was not given directly, and why corral.yaml was not used. */
static void main_unreachable(const struct client *c, const struct locate *where)
{
    fprintf(stderr, "corralctl: cannot reach corral: %s", c->why);
    if (where->origin && strcmp(where->origin, "--socket") != 0)
        fprintf(stderr, " (from %s%s)", where->origin,
                strcmp(where->origin, "$CORRAL_SOCKET") ? "'s socket:" : "");
    if (where->note[0])
        fprintf(stderr, " (%s)", where->note);
    fputc('\n', stderr);
}

static int main_remote(struct args *a)
{
    struct locate where;
    struct client c;
    struct proto_reply r;
    char why[512];
    char *line = NULL;
    size_t len = 0;
    int rc, code;

    /* corral listens on corral.yaml's socket: when it is set; read it before
     * anything is printed, so that a bad --config is a plain usage error. */
    rc = locate_socket(a->socket, a->config ? a->config : LOCATE_DEFAULT_CONFIG, a->config != NULL,
                       NULL, &where, why, sizeof why);
    if (rc < 0) {
        fprintf(stderr, "corralctl: %s\n", rc == -EINVAL ? why : strerror(-rc));
        locate_close(&where);
        return rc == -EINVAL ? CTL_EXIT_USAGE : CTL_EXIT_FAILED;
    }
    if (a->req.cmd == PROTO_CMD_VERSION && !a->json)
        printf("corralctl %s\n", CORRAL_VERSION);
    fflush(stdout);
    client_init(&c);
    if (client_connect(&c, where.path) < 0) {
        main_unreachable(&c, &where);
        code = CTL_EXIT_UNREACHABLE;
        goto out_client;
    }
    rc = proto_request_encode(&a->req, &line, &len);
    if (rc == 0)
        rc = client_send(&c, line, len);
    free(line);
    if (rc < 0) {
        fprintf(stderr, "corralctl: %s: send: %s\n", c.path, strerror(-rc));
        code = CTL_EXIT_UNREACHABLE;
        goto out_client;
    }
    rc = main_read_reply(&c, main_reply_timeout_ms(&a->req), &r);
    if (rc == -ECONNRESET) {
        fprintf(stderr, "corralctl: %s: corral closed the connection without a reply\n", c.path);
        code = CTL_EXIT_UNREACHABLE;
        goto out_client;
    }
    if (rc > 0) {
        code = rc;
        goto out_client;
    }
    if (a->json)
        main_print_json(&r);
    else if (r.kind == PROTO_REPLY_ERROR)
        render_error(&r, stderr);
    else
        render_result(&a->req, r.body, stdout, table_use_colour());
    fflush(stdout);
    code = main_exit_for(&a->req, &r);
    if (code == CTL_EXIT_OK && r.kind == PROTO_REPLY_OK &&
        proto_cmd_is_streaming(a->req.cmd, a->req.follow))
        code = main_stream(&c, a);
    proto_reply_close(&r);

out_client:
    client_close(&c);
    locate_close(&where);
    return code;
}

int main(int argc, char **argv)
{
    /* jansson seeds its hash from /dev/urandom on first use (3 syscalls);
     * corralctl only parses its own daemon's replies, so a constant will do. */
    json_object_seed(0x9e3779b9);
    struct args a;
    char why[256];
    int code = CTL_EXIT_OK;
    int rc = args_parse(argc, argv, main_now_ms(), &a, why, sizeof why);

    if (rc < 0) {
        fprintf(stderr, "corralctl: %s\n", rc == -EINVAL ? why : strerror(-rc));
        fprintf(stderr, "Run 'corralctl --help' for usage.\n");
        args_close(&a);
        return CTL_EXIT_USAGE;
    }
    switch (a.action) {
    case ARGS_HELP:
        if (a.help_topic)
            help_print_cmd(stdout, help_find(a.help_topic));
        else
            help_print_all(stdout);
        break;
    case ARGS_VERSION:
        printf("corralctl %s (protocol %d)\n", CORRAL_VERSION, PROTO_VERSION);
        break;
    case ARGS_CHECK:
        code = check_run(a.check_dir, a.json, a.no_resolve, stdout, stderr);
        break;
    case ARGS_REMOTE:
        code = main_remote(&a);
        break;
    }
    args_close(&a);
    return code;
}
