/* test_acceptdrop.c - a Unix socket server on a real loop that cannot
 * serve some connections (as the control socket when no client record can
 * be allocated): each is closed unanswered, and the server goes on being
 * offered connections (libuv offers none while it holds one not taken). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "acceptdrop.h"

/* The deadline of each wait: reached only when the server never answers. */
#define WAIT_MS 3000

struct client {
    uv_pipe_t pipe;
    uv_connect_t connect;
    char in[64];
    size_t len;
    bool ended; /* the server closed it, or the connect failed */
};

static struct {
    uv_loop_t loop;
    uv_pipe_t server;
    struct acceptdrop drop;
    char path[108];
    int refuse; /* connections left to drop */
    int served; /* connections answered "ok" */
    uv_pipe_t conns[8];
    uv_write_t writes[8];
    uv_timer_t deadline;
    bool late;
} T;

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    uv_close((uv_handle_t *)w->handle, NULL);
}

/* Serves the connection libuv holds, or drops it. */
static void take(void)
{
    if (T.refuse > 0) {
        T.refuse--;
        acceptdrop_drop(&T.drop);
        return;
    }
    uv_pipe_t *p = &T.conns[T.served];
    assert_int_equal(uv_pipe_init(&T.loop, p, 0), 0);
    assert_int_equal(uv_accept((uv_stream_t *)&T.server, (uv_stream_t *)p), 0);
    uv_buf_t b = uv_buf_init("ok", 2);
    assert_int_equal(uv_write(&T.writes[T.served], (uv_stream_t *)p, &b, 1, on_written), 0);
    T.served++;
}

static void retry(struct acceptdrop *d)
{
    assert_ptr_equal(d, &T.drop);
    take();
}

static void on_connection(uv_stream_t *server, int status)
{
    (void)server;
    assert_int_equal(status, 0);
    take();
}

static void client_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct client *cl = hd->data;
    *buf = uv_buf_init(cl->in + cl->len, (unsigned)(sizeof cl->in - 1 - cl->len));
}

static void client_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    (void)buf;
    struct client *cl = s->data;
    if (n < 0) {
        cl->ended = true;
        uv_read_stop(s);
        return;
    }
    cl->len += (size_t)n;
    cl->in[cl->len] = '\0';
}

static void client_on_connect(uv_connect_t *req, int status)
{
    struct client *cl = req->data;
    if (status < 0) {
        cl->ended = true;
        return;
    }
    assert_int_equal(uv_read_start((uv_stream_t *)&cl->pipe, client_alloc, client_on_read), 0);
}

static void client_start(struct client *cl)
{
    memset(cl, 0, sizeof *cl);
    assert_int_equal(uv_pipe_init(&T.loop, &cl->pipe, 0), 0);
    cl->pipe.data = cl;
    cl->connect.data = cl;
    uv_pipe_connect(&cl->connect, &cl->pipe, T.path, client_on_connect);
}

static void on_deadline(uv_timer_t *t)
{
    (void)t;
    T.late = true;
}

static void run_until_ended(struct client *cl)
{
    T.late = false;
    uv_timer_start(&T.deadline, on_deadline, WAIT_MS, 0);
    while (!cl->ended && !T.late)
        uv_run(&T.loop, UV_RUN_ONCE);
    uv_timer_stop(&T.deadline);
}

static void server_start(void)
{
    memset(&T, 0, sizeof T);
    snprintf(T.path, sizeof T.path, "/tmp/corral-test-acceptdrop-%d.sock", (int)getpid());
    (void)unlink(T.path);
    assert_int_equal(uv_loop_init(&T.loop), 0);
    assert_int_equal(uv_timer_init(&T.loop, &T.deadline), 0);
    assert_int_equal(uv_pipe_init(&T.loop, &T.server, 0), 0);
    acceptdrop_init(&T.drop, (uv_stream_t *)&T.server, retry);
    assert_int_equal(uv_pipe_bind(&T.server, T.path), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&T.server, 8, on_connection), 0);
}

static void server_stop(struct client *clients, size_t n)
{
    acceptdrop_close(&T.drop);
    uv_close((uv_handle_t *)&T.server, NULL);
    for (size_t i = 0; i < n; i++)
        uv_close((uv_handle_t *)&clients[i].pipe, NULL);
    uv_close((uv_handle_t *)&T.deadline, NULL);
    uv_run(&T.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&T.loop), 0);
    (void)unlink(T.path);
}

/* The first connection is dropped: it ends with nothing said, and the
 * next one is served. */
static void a_dropped_connection_ends_and_the_next_is_served(void **state)
{
    (void)state;
    struct client c[2];
    server_start();
    T.refuse = 1;
    client_start(&c[0]);
    run_until_ended(&c[0]);
    assert_true(c[0].ended);
    assert_int_equal(c[0].len, 0);
    client_start(&c[1]);
    run_until_ended(&c[1]);
    assert_true(c[1].ended);
    assert_string_equal(c[1].in, "ok");
    assert_int_equal(T.drop.dropped, 1);
    assert_int_equal(T.served, 1);
    server_stop(c, 2);
}

/* Connections that arrive together while the spare is still closing wait
 * for its close callback, and are each tried again, then dropped; once
 * the server can serve again, the next one is served. */
static void connections_arriving_together_are_each_dropped(void **state)
{
    (void)state;
    struct client c[4];
    server_start();
    T.refuse = 1000;
    for (size_t i = 0; i < 3; i++)
        client_start(&c[i]);
    for (size_t i = 0; i < 3; i++)
        run_until_ended(&c[i]);
    for (size_t i = 0; i < 3; i++) {
        assert_true(c[i].ended);
        assert_int_equal(c[i].len, 0);
    }
    assert_int_equal(T.drop.dropped, 3);
    assert_true(T.refuse <= 1000 - 4); /* one at least waited, and was tried again */
    T.refuse = 0;
    client_start(&c[3]);
    run_until_ended(&c[3]);
    assert_string_equal(c[3].in, "ok");
    assert_int_equal(T.served, 1);
    server_stop(c, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_dropped_connection_ends_and_the_next_is_served),
        cmocka_unit_test(connections_arriving_together_are_each_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
