/* test_syslogmsg.c - /dev/log datagrams (RFC 5424, RFC 3164 as local senders
 * write them) into fields, and the line printed for each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syslogmsg.h"

static struct syslogmsg M;
static char LINE[SYSLOGMSG_MAX + 64];

static void parse(const char *s)
{
    syslogmsg_parse(s, strlen(s), &M);
    LINE[syslogmsg_line(&M, LINE, sizeof LINE - 1)] = '\0';
}

static void assert_field(struct syslogmsg_field f, const char *want)
{
    char buf[256];
    assert_true(f.len < sizeof buf);
    memcpy(buf, f.ptr ? f.ptr : "", f.len);
    buf[f.len] = '\0';
    assert_string_equal(buf, want);
}

static void glibc_syslog_line_keeps_tag_pid_and_priority(void **state)
{
    (void)state;
    parse("<78>Dec  2 07:24:51 CRON[41]: (root) CMD (run-parts /etc/cron.hourly)");
    assert_int_equal(M.facility, 9);
    assert_int_equal(M.severity, 6);
    assert_false(M.rfc5424);
    assert_field(M.tag, "CRON");
    assert_field(M.pid, "41");
    assert_field(M.host, "");
    assert_string_equal(LINE, "CRON[41]: (root) CMD (run-parts /etc/cron.hourly)");
    assert_string_equal(syslogmsg_facility_name(M.facility), "cron");
    assert_string_equal(syslogmsg_severity_name(M.severity), "info");
}

static void rfc3164_with_a_hostname_skips_the_hostname(void **state)
{
    (void)state;
    parse("<13>Dec  2 07:24:51 vm CRON[28359]: hello 3164");
    assert_field(M.host, "vm");
    assert_field(M.tag, "CRON");
    assert_field(M.pid, "28359");
    assert_string_equal(LINE, "CRON[28359]: hello 3164");
}

static void a_tag_without_pid_is_kept(void **state)
{
    (void)state;
    parse("<34>Oct 11 22:14:15 su: 'su root' failed for lonvick on /dev/pts/8");
    assert_int_equal(M.facility, 4);
    assert_int_equal(M.severity, 2);
    assert_field(M.tag, "su");
    assert_field(M.pid, "");
    assert_string_equal(LINE, "su: 'su root' failed for lonvick on /dev/pts/8");
}

static void rfc5424_takes_app_procid_msgid_and_skips_structured_data(void **state)
{
    (void)state;
    parse("<13>1 2026-12-02T07:24:51.649381+00:00 vm CRON 28360 ID1 [timeQuality tzKnown=\"1\" "
          "isSynced=\"0\"] hello 5424");
    assert_true(M.rfc5424);
    assert_int_equal(M.facility, 1);
    assert_int_equal(M.severity, 5);
    assert_field(M.host, "vm");
    assert_field(M.tag, "CRON");
    assert_field(M.pid, "28360");
    assert_field(M.msgid, "ID1");
    assert_string_equal(LINE, "CRON[28360]: hello 5424");
}

static void rfc5424_nil_fields_and_escaped_brackets(void **state)
{
    (void)state;
    parse("<165>1 - - - - - [a b=\"x\\]y\\\"z\"][c@1 d=\"]\"] text");
    assert_int_equal(M.facility, 20);
    assert_int_equal(M.severity, 5);
    assert_field(M.tag, "");
    assert_field(M.pid, "");
    assert_string_equal(LINE, "text");
    parse("<14>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 - "
          "\xEF\xBB\xBF"
          "An application event");
    assert_field(M.tag, "evntslog");
    assert_string_equal(LINE, "evntslog: An application event");
}

static void rfc5424_with_an_unclosed_element_keeps_it_as_text(void **state)
{
    (void)state;
    parse("<14>1 - h app 1 - [open k=\"v\" rest");
    assert_field(M.tag, "app");
    assert_string_equal(LINE, "app[1]: [open k=\"v\" rest");
}

static void rfc5424_cut_short_keeps_what_parsed(void **state)
{
    (void)state;
    parse("<14>1 - host");
    assert_true(M.rfc5424);
    assert_field(M.host, "host");
    assert_string_equal(LINE, "");
}

static void no_priority_means_user_notice(void **state)
{
    (void)state;
    parse("just text");
    assert_int_equal(M.facility, 1);
    assert_int_equal(M.severity, 5);
    assert_string_equal(LINE, "just text");
    parse("<192>out of range");
    assert_int_equal(M.facility, 1);
    assert_string_equal(LINE, "<192>out of range");
    parse("<1x>bad");
    assert_string_equal(LINE, "<1x>bad");
    parse("<0>Jan  1 00:00:00 kernel: boom");
    assert_int_equal(M.facility, 0);
    assert_int_equal(M.severity, 0);
    assert_string_equal(LINE, "kernel: boom");
}

static void text_without_tag_stays_whole(void **state)
{
    (void)state;
    parse("<13>Dec  2 07:24:51 hello world");
    assert_field(M.tag, "");
    assert_string_equal(LINE, "hello world");
    parse("<13>no tag here");
    assert_string_equal(LINE, "no tag here");
}

static void trailing_newlines_and_nuls_go_control_chars_become_spaces(void **state)
{
    (void)state;
    const char msg[] = "<13>app: two\nlines\x01!\n\n";
    syslogmsg_parse(msg, sizeof msg, &M); /* with its NUL */
    LINE[syslogmsg_line(&M, LINE, sizeof LINE - 1)] = '\0';
    assert_string_equal(LINE, "app: two lines !");
}

static void an_iso_timestamp_in_bsd_format_is_skipped(void **state)
{
    (void)state;
    parse("<13>2026-12-02T07:24:51.1+00:00 vm app[7]: hi");
    assert_field(M.host, "vm");
    assert_string_equal(LINE, "app[7]: hi");
}

static void the_line_is_cut_at_the_buffer(void **state)
{
    (void)state;
    char out[8];
    syslogmsg_parse("<13>app[123]: long text", 23, &M);
    assert_int_equal(syslogmsg_line(&M, out, sizeof out), 8);
    assert_memory_equal(out, "app[123]", 8);
}

static void empty_and_tiny_datagrams_are_fine(void **state)
{
    (void)state;
    parse("");
    assert_string_equal(LINE, "");
    parse("<");
    assert_string_equal(LINE, "<");
    parse("<1>");
    assert_int_equal(M.severity, 1);
    assert_string_equal(LINE, "");
    parse("<13>app[12");
    assert_string_equal(LINE, "app[12");
    assert_string_equal(syslogmsg_facility_name(99), "unknown");
    assert_string_equal(syslogmsg_severity_name(-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glibc_syslog_line_keeps_tag_pid_and_priority),
        cmocka_unit_test(rfc3164_with_a_hostname_skips_the_hostname),
        cmocka_unit_test(a_tag_without_pid_is_kept),
        cmocka_unit_test(rfc5424_takes_app_procid_msgid_and_skips_structured_data),
        cmocka_unit_test(rfc5424_nil_fields_and_escaped_brackets),
        cmocka_unit_test(rfc5424_with_an_unclosed_element_keeps_it_as_text),
        cmocka_unit_test(rfc5424_cut_short_keeps_what_parsed),
        cmocka_unit_test(no_priority_means_user_notice),
        cmocka_unit_test(text_without_tag_stays_whole),
        cmocka_unit_test(trailing_newlines_and_nuls_go_control_chars_become_spaces),
        cmocka_unit_test(an_iso_timestamp_in_bsd_format_is_skipped),
        cmocka_unit_test(the_line_is_cut_at_the_buffer),
        cmocka_unit_test(empty_and_tiny_datagrams_are_fine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
