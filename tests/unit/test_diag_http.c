/* test_diag_http.c - the /metrics endpoint on a real loop, with real TCP
 * connections of 127.0.0.1 made by the same loop: a request is answered,
 * and a connection that finds no memory for its record is closed without
 * leaving the endpoint deaf (libuv offers no further connection until the
 * one it holds is accepted). calloc is wrapped (-Wl,--wrap=calloc,
 * tests/CMakeLists.txt) so that a test can make a record's fail. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <uv.h>

#include "diag_http.h"

/* The deadline of each wait: reached only when the endpoint never answers. */
#define WAIT_MS 3000

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

/* Large callocs left to fail: a connection's record holds its request
 * buffer (DIAG_HTTP_REQ_MAX bytes); nothing else while a test runs asks
 * for that much at once. */
static int fail_large;

void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_large > 0 && n * size >= DIAG_HTTP_REQ_MAX) {
        fail_large--;
        return NULL;
    }
    return __real_calloc(n, size);
}

static struct {
    uv_loop_t loop;
    struct diag_http h;
    struct sockaddr_storage addr;
    uv_timer_t deadline;
    bool late;
} T;

struct client {
    uv_tcp_t tcp;
    uv_connect_t connect;
    uv_write_t write;
    const char *request; /* NULL: sends nothing */
    char in[8192];
    size_t len;
    bool ended; /* the server closed it (EOF or reset), or the connect failed */
};

static char *metrics_body(void *arg, size_t *len)
{
    (void)arg;
    *len = strlen("corral_up 1\n");
    return strdup("corral_up 1\n");
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

static void client_on_written(uv_write_t *w, int status)
{
    (void)w;
    (void)status;
}

static void client_on_connect(uv_connect_t *req, int status)
{
    struct client *cl = req->data;
    if (status < 0) {
        cl->ended = true;
        return;
    }
    if (cl->request) {
        uv_buf_t b = uv_buf_init((char *)cl->request, (unsigned)strlen(cl->request));
        cl->write.data = cl;
        assert_int_equal(uv_write(&cl->write, (uv_stream_t *)&cl->tcp, &b, 1, client_on_written),
                         0);
    }
    assert_int_equal(uv_read_start((uv_stream_t *)&cl->tcp, client_alloc, client_on_read), 0);
}

static void client_start(struct client *cl, const char *request)
{
    memset(cl, 0, sizeof *cl);
    cl->request = request;
    assert_int_equal(uv_tcp_init(&T.loop, &cl->tcp), 0);
    cl->tcp.data = cl;
    cl->connect.data = cl;
    assert_int_equal(
        uv_tcp_connect(&cl->connect, &cl->tcp, (struct sockaddr *)&T.addr, client_on_connect), 0);
}

static void on_deadline(uv_timer_t *t)
{
    (void)t;
    T.late = true;
}

/* Runs the loop until the client is ended, or WAIT_MS went by. */
static void run_until_ended(struct client *cl)
{
    T.late = false;
    uv_timer_start(&T.deadline, on_deadline, WAIT_MS, 0);
    while (!cl->ended && !T.late)
        uv_run(&T.loop, UV_RUN_ONCE);
    uv_timer_stop(&T.deadline);
}

static void endpoint_start(void)
{
    memset(&T, 0, sizeof T);
    fail_large = 0;
    assert_int_equal(uv_loop_init(&T.loop), 0);
    assert_int_equal(uv_timer_init(&T.loop, &T.deadline), 0);
    assert_int_equal(diag_http_listen(&T.h, &T.loop, "127.0.0.1", 0, metrics_body, NULL), 0);
    int len = sizeof T.addr;
    assert_int_equal(uv_tcp_getsockname(&T.h.server, (struct sockaddr *)&T.addr, &len), 0);
}

/* Closes the endpoint, the clients and the deadline; every handle's close
 * callback has run once the loop closes. */
static void endpoint_stop(struct client *clients, size_t n)
{
    diag_http_close(&T.h);
    for (size_t i = 0; i < n; i++)
        uv_close((uv_handle_t *)&clients[i].tcp, NULL);
    uv_close((uv_handle_t *)&T.deadline, NULL);
    uv_run(&T.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&T.loop), 0);
}

static void assert_answered_200(const struct client *cl)
{
    assert_true(cl->ended);
    assert_non_null(strstr(cl->in, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(cl->in, "\r\n\r\ncorral_up 1\n"));
}

static void get_metrics_is_answered_with_the_body(void **state)
{
    (void)state;
    struct client c[1];
    endpoint_start();
    client_start(&c[0], "GET /metrics HTTP/1.0\r\n\r\n");
    run_until_ended(&c[0]);
    assert_answered_200(&c[0]);
    assert_int_equal(T.h.served, 1);
    endpoint_stop(c, 1);
}

/* The first connection finds no memory: it is closed unanswered, and the
 * next one is answered. */
static void a_connection_that_finds_no_memory_is_closed_and_the_next_is_answered(void **state)
{
    (void)state;
    struct client c[2];
    endpoint_start();
    fail_large = 1;
    client_start(&c[0], "GET /metrics HTTP/1.0\r\n\r\n");
    run_until_ended(&c[0]);
    client_start(&c[1], "GET /metrics HTTP/1.0\r\n\r\n");
    run_until_ended(&c[1]);
    assert_answered_200(&c[1]);
    assert_int_equal(fail_large, 0); /* the first one's record was the one refused */
    assert_true(c[0].ended);
    assert_int_equal(c[0].len, 0);
    assert_int_equal(T.h.drop.dropped, 1);
    assert_int_equal(T.h.served, 1);
    endpoint_stop(c, 2);
}

/* While memory is short, connections that arrive together are each
 * closed unanswered: the one libuv holds while the previous one is still
 * being closed waits for that close, then tries for a record again. Once
 * memory is back, the next one is answered. */
static void connections_that_find_no_memory_together_are_all_closed(void **state)
{
    (void)state;
    struct client c[4];
    endpoint_start();
    fail_large = 1000;
    for (size_t i = 0; i < 3; i++)
        client_start(&c[i], NULL);
    for (size_t i = 0; i < 3; i++)
        run_until_ended(&c[i]);
    for (size_t i = 0; i < 3; i++) {
        assert_true(c[i].ended);
        assert_int_equal(c[i].len, 0);
    }
    assert_int_equal(T.h.drop.dropped, 3);
    assert_int_equal(T.h.nconns, 0);
    fail_large = 0;
    client_start(&c[3], "GET /metrics HTTP/1.0\r\n\r\n");
    run_until_ended(&c[3]);
    assert_answered_200(&c[3]);
    endpoint_stop(c, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_metrics_is_answered_with_the_body),
        cmocka_unit_test(a_connection_that_finds_no_memory_is_closed_and_the_next_is_answered),
        cmocka_unit_test(connections_that_find_no_memory_together_are_all_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
