/* test_output.c - a service's output record over real pipes and the real
 * loop: what becomes of the lines its pipes hold when the record closes
 * (a service removed by a reload, corral's exit). Its lines go to the
 * test's own stdout, and each is checked where a follower hears it. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bounds.h"
#include "log.h"
#include "output.h"
#include "test_conf_fixture.h"

static char heard[1024];
static bool heard_cause; /* a line "cause" came, wherever heard was full */

static void on_line(struct output_follower *f, const struct ring_line *line)
{
    (void)f;
    heard_cause |= line->len == 5 && memcmp(line->text, "cause", 5) == 0;
    size_t used = strlen(heard);
    snprintf(heard + used, sizeof heard - used, "[%.*s]", (int)line->len, line->text);
}

/* A service whose output is piped, its run started: *writer is the write
 * end of its stdout, as the service's process would hold it. */
struct world {
    uv_loop_t loop;
    struct conf_global global;
    struct conf_set *set;
    struct output out;
    struct output_svc svc;
    struct output_follower follower;
    char dir[256];
};

static void world_start2(struct world *w, int *writer, int *err_writer);

static void world_start(struct world *w, int *writer)
{
    world_start2(w, writer, NULL);
}

/* The same; *err_writer (when not NULL) is the write end of its stderr. */
static void world_start2(struct world *w, int *writer, int *err_writer)
{
    struct conf_errors errs;
    memset(w, 0, sizeof *w);
    heard[0] = '\0';
    heard_cause = false;
    log_max_level = LOG_ERROR;
    assert_int_equal(uv_loop_init(&w->loop), 0);
    conf_global_init(&w->global);
    assert_non_null(fix_tmpdir(w->dir, sizeof w->dir));
    assert_int_equal(fix_write(w->dir, "job.yaml", "command: [sleep, job]\n"), 0);
    conf_errors_init(&errs);
    assert_int_equal(conf_load_dir(w->dir, &fix_env, &w->set, &errs), 0);
    conf_errors_close(&errs);
    fix_rmdir(w->dir);
    assert_int_equal(output_init(&w->out, &w->loop, &w->global, w->set), 0);
    output_svc_init(&w->svc, &w->out, w->set->services[0], true, 0);
    w->follower.on_line = on_line;
    output_follow(&w->svc, &w->follower);
    int out_fd, err_fd;
    assert_int_equal(output_prepare(&w->svc, &out_fd, &err_fd), 0);
    *writer = dup(out_fd); /* the service's stdout, alive after output_started */
    assert_true(*writer >= 0);
    if (err_writer) {
        *err_writer = dup(err_fd);
        assert_true(*err_writer >= 0);
    }
    output_started(&w->svc);
}

static void world_stop(struct world *w)
{
    output_svc_free(&w->svc);
    output_close(&w->out);
    uv_run(&w->loop, UV_RUN_NOWAIT);
    assert_int_equal(uv_loop_close(&w->loop), 0);
    conf_set_free(w->set);
    conf_global_close(&w->global);
}

/* Its last line has no newline yet, and is held for the rest of it; the
 * record closes (removed by a reload) while something it left still holds
 * the pipe: the held line goes out, as it would have after its wait. */
static void a_partial_line_held_when_the_record_closes_goes_out(void **state)
{
    (void)state;
    struct world w;
    int writer;
    world_start(&w, &writer);
    assert_int_equal(write(writer, "one\nlast words", 14), 14);
    for (int i = 0; i < 100 && strcmp(heard, "[one]") != 0; i++)
        uv_run(&w.loop, UV_RUN_NOWAIT);
    assert_string_equal(heard, "[one]"); /* "last words" is held */
    output_svc_close(&w.svc);
    assert_string_equal(heard, "[one][last words]");
    uv_run(&w.loop, UV_RUN_NOWAIT); /* the streams' close callbacks */
    close(writer);
    world_stop(&w);
}

/* Its run wrote its progress on stdout, then the cause of its failure on
 * stderr, and exited before corral read either: the drain at its exit
 * reads stdout first, so that the cause is its last line, the one the
 * lines under a failed exit end with. */
static void the_drain_at_an_exit_reads_stdout_before_stderr(void **state)
{
    (void)state;
    struct world w;
    int writer, err_writer;
    world_start2(&w, &writer, &err_writer);
    assert_int_equal(write(writer, "step 1\nstep 2\n", 14), 14);
    assert_int_equal(write(err_writer, "cause\n", 6), 6);
    close(writer);
    close(err_writer);
    output_svc_drain(&w.svc, false);
    assert_string_equal(heard, "[step 1][step 2][cause]");
    output_svc_close(&w.svc);
    uv_run(&w.loop, UV_RUN_NOWAIT);
    world_stop(&w);
}

/* corral's stdout is full, and the run wrote more on stdout than the queue
 * takes before its cause on stderr: stdout's reads fill the queue, and
 * stderr still gets its read, so that the cause is among the lines under
 * the exit. */
static void a_full_queue_from_stdout_leaves_stderr_its_read(void **state)
{
    (void)state;
    int out[2], saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(pipe2(out, O_NONBLOCK), 0);
    static char fill[65536];
    memset(fill, 'x', sizeof fill);
    while (write(out[1], fill, sizeof fill) > 0)
        ;
    assert_int_equal(dup2(out[1], STDOUT_FILENO), STDOUT_FILENO); /* corral's stdout, full */
    struct world w;
    int writer, err_writer;
    world_start2(&w, &writer, &err_writer);
    assert_true(fcntl(writer, F_SETPIPE_SZ, 1 << 20) >= 1 << 20);
    char line[80];
    memset(line, 's', sizeof line);
    line[sizeof line - 1] = '\n';
    for (size_t n = 0; n < 5 * OUTPUT_READ_SIZE; n += sizeof line)
        assert_int_equal(write(writer, line, sizeof line), (ssize_t)sizeof line);
    assert_int_equal(write(err_writer, "cause\n", 6), 6);
    close(writer);
    close(err_writer);
    output_svc_drain(&w.svc, false);
    assert_true(w.svc.owner.queued > OUTPUT_QUEUE_HIGH);
    assert_true(heard_cause);
    output_svc_close(&w.svc);
    uv_run(&w.loop, UV_RUN_NOWAIT);
    close(out[0]); /* the queue's flush fails at once (EPIPE) */
    world_stop(&w);
    assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
    close(saved);
    close(out[1]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a full stdout's read end is closed */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_partial_line_held_when_the_record_closes_goes_out),
        cmocka_unit_test(the_drain_at_an_exit_reads_stdout_before_stderr),
        cmocka_unit_test(a_full_queue_from_stdout_leaves_stderr_its_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
