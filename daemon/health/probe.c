/* probe.c - runs one check attempt: exec through spawn.c (collected by the
 * reaper via the pid table), tcp and http over libuv sockets. Every attempt
 * is bounded by a timer; the network attempt lives in its own allocation so
 * that a cancelled one can finish closing on its own. */
#include "probe.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "exitstatus.h"
#include "units.h"

struct probe_net {
    uv_tcp_t tcp;
    uv_connect_t conn;
    uv_write_t wr;
    struct probe *p; /* NULL once abandoned */
    bool http;
    char what[64]; /* "tcp 127.0.0.1:5432", "http [::1]:8080": what failed, in its results */
    char req[512];
    char resp[256];
    size_t resp_len;
};

static void probe_finish(struct probe *p, enum probe_result r, const char *why)
{
    p->busy = false;
    uv_timer_stop(&p->timeout);
    p->cb(p, r, why);
}

/* ---- exec ------------------------------------------------------------------ */

static void probe_on_exit(struct pidtab_owner *owner, pid_t pid, int wstatus)
{
    struct probe *p = (struct probe *)owner;
    char why[96], what[64];
    if (pid != p->pid)
        return; /* not the attempt in flight */
    p->pid = 0;
    if (!p->busy)
        return; /* cancelled */
    if (p->timed_out) {
        snprintf(why, sizeof why, "exec timed out after %s",
                 units_format_duration(p->conf->timeout_ms, what, sizeof what));
        probe_finish(p, PROBE_FAIL, why);
    } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        probe_finish(p, PROBE_OK, "exec exited 0");
    } else {
        snprintf(why, sizeof why, "exec %s", exitstatus_describe(wstatus, what, sizeof what));
        probe_finish(p, PROBE_FAIL, why);
    }
}

static void probe_exec(struct probe *p, const struct spawn_plan *base, int devnull)
{
    char path[SPAWN_PATH_MAX], why[160];
    struct spawn_plan plan = *base;
    pid_t pid;
    const char *path_env = NULL;

    for (char *const *e = plan.envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0)
            path_env = *e + 5;
    plan.path_err = -spawn_resolve(p->conf->argv[0], path_env, path, sizeof path);
    plan.path = path;
    plan.argv = p->conf->argv;
    plan.stdio[0] = plan.stdio[1] = plan.stdio[2] = devnull;
    plan.foreground = false;
    plan.keep_fd = -1;
    /* A probe that cannot exec exits 127 or 126: its exit says so. */
    int rc = spawn_start(&plan, -1, &pid, NULL);
    if (rc < 0) {
        snprintf(why, sizeof why, "could not fork the probe: %s", strerror(-rc));
        probe_finish(p, PROBE_UNKNOWN, why);
        return;
    }
    p->pid = pid;
    if (pidtab_claim(p->pids, pid, &p->owner, NULL) < 0) {
        (void)kill(-pid, SIGKILL); /* nobody would hear its exit */
        p->pid = 0;
        probe_finish(p, PROBE_UNKNOWN, "pid table full");
    }
}

/* ---- tcp and http -------------------------------------------------------------- */

static void probe_net_closed(uv_handle_t *h)
{
    free(h->data);
}

static void probe_net_done(struct probe_net *n, enum probe_result r, const char *why)
{
    struct probe *p = n->p;
    if (p) {
        p->net = NULL;
        n->p = NULL;
        probe_finish(p, r, why);
    }
    if (!uv_is_closing((uv_handle_t *)&n->tcp))
        uv_close((uv_handle_t *)&n->tcp, probe_net_closed);
}

static void probe_http_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct probe_net *n = h->data;
    (void)suggested;
    buf->base = n->resp + n->resp_len;
    buf->len = sizeof n->resp - 1 - n->resp_len;
}

static void probe_http_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct probe_net *n = s->data;
    char why[96];
    int code = 0;
    (void)buf;
    if (nread > 0)
        n->resp_len += (size_t)nread;
    char *eol = memchr(n->resp, '\n', n->resp_len);
    if (eol || nread < 0 || n->resp_len == sizeof n->resp - 1) {
        size_t len = eol ? (size_t)(eol - n->resp) : n->resp_len;
        bool ok = probe_http_ok(n->resp, len, &code);
        if (code)
            snprintf(why, sizeof why, "http %d", code);
        else
            snprintf(why, sizeof why, "http: no status line");
        probe_net_done(n, ok ? PROBE_OK : PROBE_FAIL, why);
    }
}

static void probe_http_written(uv_write_t *w, int status)
{
    struct probe_net *n = w->data;
    if (status < 0) {
        char why[96];
        snprintf(why, sizeof why, "http: %s", uv_strerror(status));
        probe_net_done(n, PROBE_FAIL, why);
        return;
    }
    uv_read_start((uv_stream_t *)&n->tcp, probe_http_alloc, probe_http_read);
}

static void probe_connected(uv_connect_t *c, int status)
{
    struct probe_net *n = c->data;
    char why[160];
    if (!n->p) {
        probe_net_done(n, PROBE_FAIL, "");
        return;
    }
    if (status < 0) {
        snprintf(why, sizeof why, "%s: connect: %s", n->what, uv_strerror(status));
        probe_net_done(n, PROBE_FAIL, why);
        return;
    }
    if (!n->http) {
        probe_net_done(n, PROBE_OK, "tcp connected");
        return;
    }
    uv_buf_t b = uv_buf_init(n->req, (unsigned)strlen(n->req));
    n->wr.data = n;
    if (uv_write(&n->wr, (uv_stream_t *)&n->tcp, &b, 1, probe_http_written) < 0)
        probe_net_done(n, PROBE_FAIL, "http: write failed");
}

static int probe_addr(const char *host, int port, struct sockaddr_storage *sa)
{
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)sa) == 0)
        return 0;
    return uv_ip6_addr(host, port, (struct sockaddr_in6 *)sa);
}

static void probe_net(struct probe *p, bool http)
{
    const char *host = p->conf->host;
    char why[224];
    struct sockaddr_storage sa;

    /* Host, port and path were parsed and checked at load (conf_probe.c). */
    if (probe_addr(host, p->conf->port, &sa) < 0) {
        snprintf(why, sizeof why, "%s: %s is not an IP address or localhost", http ? "http" : "tcp",
                 host);
        probe_finish(p, PROBE_FAIL, why);
        return;
    }
    struct probe_net *n = calloc(1, sizeof *n);
    if (!n || uv_tcp_init(p->loop, &n->tcp) < 0) {
        free(n);
        probe_finish(p, PROBE_UNKNOWN, "out of memory");
        return;
    }
    n->p = p;
    n->http = http;
    snprintf(n->what, sizeof n->what, strchr(host, ':') ? "%s [%s]:%d" : "%s %s:%d",
             http ? "http" : "tcp", host, (int)p->conf->port);
    n->tcp.data = n;
    n->conn.data = n;
    if (http)
        snprintf(n->req, sizeof n->req,
                 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: corral\r\nConnection: close\r\n\r\n",
                 p->conf->path, host);
    p->net = n;
    int rc = uv_tcp_connect(&n->conn, &n->tcp, (struct sockaddr *)&sa, probe_connected);
    if (rc < 0) {
        snprintf(why, sizeof why, "%s: connect: %s", n->what, uv_strerror(rc));
        probe_net_done(n, PROBE_FAIL, why);
    }
}

/* ---- attempts ----------------------------------------------------------------- */

static void probe_on_timeout(uv_timer_t *t)
{
    struct probe *p = t->data;
    char why[96], dur[32];
    if (!p->busy)
        return;
    if (p->pid > 0) {
        /* Killed; the exit (collected by the reaper) reports the timeout. */
        p->timed_out = true;
        (void)kill(-p->pid, SIGKILL);
        (void)kill(p->pid, SIGKILL);
        return;
    }
    snprintf(why, sizeof why, "timed out after %s",
             units_format_duration(p->conf->timeout_ms, dur, sizeof dur));
    if (p->net)
        probe_net_done(p->net, PROBE_FAIL, why);
}

int probe_init(struct probe *p, uv_loop_t *loop, struct pidtab *pids, probe_cb cb, void *data)
{
    memset(p, 0, sizeof *p);
    p->owner.on_exit = probe_on_exit;
    p->loop = loop;
    p->pids = pids;
    p->cb = cb;
    p->data = data;
    int rc = uv_timer_init(loop, &p->timeout);
    p->timeout.data = p;
    return rc;
}

void probe_start(struct probe *p, const struct conf_probe *conf, const struct spawn_plan *plan,
                 int devnull)
{
    if (p->busy)
        return;
    p->conf = conf;
    p->busy = true;
    p->timed_out = false;
    uv_timer_start(&p->timeout, probe_on_timeout, conf->timeout_ms, 0);
    if (conf->kind == CONF_PROBE_EXEC)
        probe_exec(p, plan, devnull);
    else if (conf->kind == CONF_PROBE_TCP)
        probe_net(p, false);
    else if (conf->kind == CONF_PROBE_HTTP)
        probe_net(p, true);
    else
        probe_finish(p, PROBE_UNKNOWN, "not a probe");
}

void probe_cancel(struct probe *p)
{
    if (!p->busy)
        return;
    p->busy = false;
    uv_timer_stop(&p->timeout);
    if (p->pid > 0) {
        /* It dies with the run it belonged to; its exit is reaped, and no
         * later attempt hears of it. */
        (void)kill(-p->pid, SIGKILL);
        (void)kill(p->pid, SIGKILL);
        pidtab_abandon(p->pids, p->pid, &p->owner);
        p->pid = 0;
    }
    if (p->net) {
        p->net->p = NULL;
        if (!uv_is_closing((uv_handle_t *)&p->net->tcp))
            uv_close((uv_handle_t *)&p->net->tcp, probe_net_closed);
        p->net = NULL;
    }
}

bool probe_http_ok(const char *line, size_t len, int *code)
{
    *code = 0;
    if (len < 12 || strncmp(line, "HTTP/1.", 7) != 0 || line[8] != ' ')
        return false;
    if (line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0' ||
        line[11] > '9')
        return false;
    *code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    return *code >= 200 && *code <= 299;
}
