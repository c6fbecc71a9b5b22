"""test_schedule.py - scheduled jobs (`schedule:`, `every:`): a oneshot run
at its times (in UTC, or corral's local time) with its own environment and
user, its output prefixed; a
time that comes while the last run still goes is skipped (or queued); a
run past run_timeout is stopped; status shows the last run and the next;
and between two runs corral is not woken at all."""

import datetime
import os
import re
import time

import harness
import svc
from ctl import ctl, status, wait_ready


def ctx_switches(pid):
    v = n = 0
    for line in harness.read(f"/proc/{pid}/status").splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            v = int(line.split()[1])
        elif line.startswith("nonvoluntary_ctxt_switches:"):
            n = int(line.split()[1])
    return v + n


def stamp_ms(text):
    """RFC 3339 UTC with ms ("2026-12-02T07:38:00.000Z") into Unix ms."""
    d = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def next_local_time(after, tz, hour):
    """The first Unix time after `after` at which the wall clock of zone tz
    reads hour:00 (a day with no such time has none)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = tz
    time.tzset()
    try:
        t = int(after) // 60 * 60 + 60
        while True:
            lt = time.localtime(t)
            if lt.tm_hour == hour and lt.tm_min == 0:
                return t
            t += 60
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


class ScheduleTest(svc.ServiceTest):
    def sched(self, name):
        return status(self)[0][name]["schedule"]

    def test_every_runs_on_time_with_its_environment_and_user_output_prefixed(self):
        self.service("job", "type: oneshot\nevery: 1s\nuser: '65534'\n"
                     "environment: {GREETING: hello}\n"
                     f"command: \"echo $GREETING uid=$(id -u); date +%s%3N >> {self.path('runs')}\"\n")
        self.service("idle", "command: [sleep, '1000']\n")
        os.chmod(self.tmp, 0o777)
        c = self.run_services()
        wait_ready(self)
        # Not at start: the first run is one interval after corral started.
        st, _ = status(self)
        self.assertEqual(st["job"]["state"], "down")
        first_due = stamp_ms(st["job"]["schedule"]["next_run"])
        self.assertIsNone(st["job"]["schedule"]["last_run"])
        self.assertIsNone(st["job"]["last_exit"])
        harness.wait_for(lambda: len(self.stamps_ms()) >= 3, 15, what="three runs")
        runs = self.stamps_ms()
        # Each run began at or after the time corral said it was due.
        self.assertGreaterEqual(runs[0], first_due)
        # A fixed rate: run k is due at first_due + (k-1) * 1s.
        for k, t in enumerate(runs[:3]):
            self.assertGreaterEqual(t, first_due + 1000 * k)
        st, _ = status(self)
        sc = st["job"]["schedule"]
        self.assertEqual(sc["every"], "1s")
        self.assertGreaterEqual(sc["runs"], 3)
        self.assertEqual(sc["skipped"], 0)
        self.assertEqual((stamp_ms(sc["next_run"]) - first_due) % 1000, 0)
        self.assertEqual(st["job"]["last_exit"]["code"], 0)
        out = c.stdout().splitlines()
        self.assertIn("job  | hello uid=65534", out)
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def stamps_ms(self):
        return [int(x) for x in harness.read(self.path("runs")).split()]

    def test_timezone_local_reads_a_schedule_in_corrals_local_time(self):
        # A POSIX TZ rule: no zone file needed. corral's TZ is the zone.
        tz = "CET-1CEST,M3.5.0,M10.5.0/3"
        self.service("utc", 'type: oneshot\nschedule: "0 6 * * *"\ncommand: "true"\n')
        self.service("local", 'type: oneshot\nschedule: "0 6 * * *"\ntimezone: local\n'
                              'command: "true"\n')
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services(env={"TZ": tz})
        wait_ready(self)
        st, _ = status(self)
        now = time.time()
        self.assertEqual(st["utc"]["schedule"]["timezone"], "UTC")
        self.assertEqual(st["local"]["schedule"]["timezone"], "local")
        # The next 06:00 by the wall clock of each zone, by Python's libc.
        want_utc = next_local_time(now, "UTC0", 6)
        want_local = next_local_time(now, tz, 6)
        self.assertEqual(stamp_ms(st["utc"]["schedule"]["next_run"]), want_utc * 1000)
        self.assertEqual(stamp_ms(st["local"]["schedule"]["next_run"]), want_local * 1000)
        self.assertIn(want_utc - want_local, (3600, 7200, 3600 - 86400, 7200 - 86400))
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_a_run_due_while_the_last_one_goes_is_skipped(self):
        log = self.path("log")
        self.service("slow", "type: oneshot\nevery: 1s\n"
                     f"command: \"echo start $$ >> {log}; sleep 2.5; echo end $$ >> {log}\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: harness.read(log).count("end") >= 2, 20, what="two runs")
        lines = harness.read(log).split("\n")
        # Never two runs at once: each start follows the previous end.
        events = [l.split()[0] for l in lines if l]
        for a, b in zip(events, events[1:]):
            self.assertNotEqual(a, b, f"overlapping runs: {lines}")
        sc = self.sched("slow")
        self.assertGreaterEqual(sc["skipped"], 2)
        self.assertRegex(c.stderr(), r"slow: due while its last run goes on \(started [\d.]+m?s "
                                     r"ago\): this run is skipped")
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_a_run_due_while_it_waits_for_a_dependency_says_so(self):
        self.service("dep", "command: [sleep, '1000']\nautostart: false\n")
        self.service("job", "type: oneshot\nevery: 1s\ncommand: [echo, tick]\n"
                            "depends_on: [dep]\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "job: due while" in c.stderr(), 10, what="a due time")
        said = [l for l in c.stderr().splitlines() if "job: due while" in l]
        self.assertIn("job: due while it waits for what it depends on: this run is skipped",
                      said[0])
        self.assertNotIn("ago", "\n".join(said))  # it never ran: no age to tell
        self.assertGreaterEqual(self.sched("job")["skipped"], 1)

    def test_overlap_queue_runs_once_more_when_the_last_run_ends(self):
        log = self.path("log")
        self.service("slow", "type: oneshot\nevery: 1s\noverlap: queue\n"
                     f"command: \"echo start >> {log}; sleep 2.5; echo end >> {log}\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: harness.read(log).count("start") >= 2, 20, what="two runs")
        # The second run starts as soon as the first ends: nothing skipped.
        self.assertEqual(harness.read(log).split()[:3], ["start", "end", "start"])
        self.assertEqual(self.sched("slow")["skipped"], 0)
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_a_run_past_run_timeout_is_stopped_and_fails(self):
        self.service("stuck", "type: oneshot\nevery: 1s\nrun_timeout: 1s\n"
                     "command: [sleep, '1000']\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        st = harness.wait_for(lambda: (lambda s: s if s["stuck"]["state"] == "failed" else None)(
            status(self)[0]), 15, what="the stuck run to fail")
        self.assertEqual(st["stuck"]["reason"], "ran longer than run_timeout 1s")
        self.assertEqual(st["stuck"]["last_exit"]["signal"], "SIGTERM")
        self.assertIn("stuck: stopping (ran longer than run_timeout 1s: stopping)", c.stderr())
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_a_stopped_job_skips_its_times_until_started_again(self):
        runs = self.path("runs")
        self.service("job", f"type: oneshot\nevery: 1s\ncommand: \"echo x >> {runs}\"\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: harness.read(runs).count("x") >= 1, 10, what="a run")
        self.assertEqual(ctl(self, "stop", "job").returncode, 0)
        harness.wait_for(lambda: status(self)[0]["job"]["state"] == "done", what="done")
        n = harness.read(runs).count("x")
        time.sleep(2.5)
        self.assertEqual(harness.read(runs).count("x"), n, "a stopped job ran")
        self.assertTrue(status(self)[0]["job"].get("held"))
        self.assertEqual(ctl(self, "start", "job").returncode, 0)
        harness.wait_for(lambda: harness.read(runs).count("x") >= n + 2, 10,
                         what="runs again, now and at its times")
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_corralctl_start_runs_a_job_now_and_its_schedule_stays(self):
        runs = self.path("runs")
        self.service("job", f"type: oneshot\nschedule: '@yearly'\ncommand: \"echo x >> {runs}\"\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        self.assertEqual(ctl(self, "start", "job").returncode, 0)
        harness.wait_for(lambda: harness.read(runs) == "x\n", what="the run asked for")
        # Its line is written before it exits: done once corral has reaped it.
        harness.wait_for(lambda: status(self)[0]["job"]["state"] != "starting", 10,
                         what="the run reaped")
        st, _ = status(self)
        self.assertEqual(st["job"]["state"], "done")
        self.assertEqual(harness.read(runs), "x\n")
        self.assertTrue(st["job"]["schedule"]["next_run"].endswith("-01-01T00:00:00.000Z"))
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_a_set_of_scheduled_jobs_alone_keeps_corral_running(self):
        self.service("job", "type: oneshot\nevery: 1s\ncommand: [\"true\"]\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["job"]["schedule"]["runs"] >= 2, 10,
                         what="two runs")
        self.assertIsNone(c.proc.poll())
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_no_wakeup_between_two_runs(self):
        runs = self.path("runs")
        self.service("job", f"type: oneshot\nevery: 4s\ncommand: \"date +%s%3N >> {runs}\"\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)

        def count():
            return len(harness.read(runs).split())
        # Once a run is reaped (only idle is left beside corral), nothing is
        # due until the next, which status gives, and nobody talks to corral
        # after: the window is what is left of the gap then, less 0.3 s
        # before the next run. A machine so loaded that less than 1.5 s is
        # left tries the next gap.
        for k in range(1, 4):
            harness.wait_for(lambda: count() >= k, 15, what=f"run {k}")
            harness.wait_for(lambda: len(c.ns_pids()) == 1, 5, what=f"run {k} reaped")
            k = count()
            end = stamp_ms(self.sched("job")["next_run"]) / 1000 - 0.3
            time.sleep(0.5)
            before = ctx_switches(c.pid)
            if end - time.time() >= 1.5:
                break
        else:
            self.fail("no quiet window of 1.5 s between three runs")
        time.sleep(end - time.time())
        after = ctx_switches(c.pid)
        self.assertEqual(count(), k, "a run fell in the window")
        self.assertEqual(after - before, 0, "corral woke up while nothing was due")
        harness.wait_for(lambda: count() >= k + 1, 10, what="the next run")
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())


if __name__ == "__main__":
    harness.main()
