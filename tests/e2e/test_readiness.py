"""Readiness and health: a dependent starts only once its dependency is
really ready (notify fd, sd_notify, exec/tcp/http probes, a log line), a
service not ready in time backs off, an unhealthy one is restarted, a health
probe that cannot fork never restarts a healthy service, and a notification
from outside the service is ignored."""

import os
import signal
import socket
import time

import harness
import svc
from ctl import ctl, status, wait_ready
from svc import stamp

SDNOTIFY = r'''
import os, socket, sys, time
time.sleep(float(sys.argv[1]))
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"STATUS=warming up\nREADY=1\n", addr)
time.sleep(1000)
'''

LATE_LISTENER = r'''
import socket, sys, time
time.sleep(float(sys.argv[2]))
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[3], "w").write(str(time.time()))
while True:
    c, _ = s.accept()
    c.close()
'''

HTTP = r'''
import http.server, sys, time
start = time.time()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = time.time() - start > float(sys.argv[2])
        self.send_response(200 if ok else 503)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
'''


class Readiness(svc.ServiceTest):
    def dependent(self):
        self.service("app", f"command: \"{stamp(self.path('app'))}; exec sleep 1000\"\n"
                            "depends_on: [db]\n")

    def app_started(self):
        harness.wait_for(lambda: self.stamps("app"), 15, what="the dependent to start")
        return self.stamps("app")[0]

    def test_a_dependent_waits_for_notify_fd(self):
        self.service("db", f"readiness: {{notify: fd}}\ncommand: \"sleep 1; "
                           f"{stamp(self.path('ready'))}; echo >&$NOTIFY_FD; exec sleep 1000\"\n")
        self.dependent()
        c = self.run_services()
        app = self.app_started()
        self.assertGreaterEqual(app, self.stamps("ready")[0], "app started before db was ready")
        self.assertIn("db: up (ready)", c.stderr())

    def test_sd_notify_ready_from_a_tiny_client(self):
        client = self.script("notify.py", SDNOTIFY)
        self.service("db", f"readiness: {{notify: systemd}}\n"
                           f"command: [{harness.PY}, {client}, '0.8']\n")
        self.dependent()
        t0 = time.time()
        c = self.run_services()
        app = self.app_started()
        self.assertGreaterEqual(app - t0, 0.8)
        wait_ready(self)
        self.assertEqual(status(self)[0]["db"].get("status_text"), "warming up")
        self.assertRegex(ctl(self, "status").stdout, r"db\s+up.*ready; warming up")

    def test_a_notification_from_outside_the_service_is_ignored(self):
        self.service("db", "readiness: {notify: systemd, timeout: 1m}\n"
                           "command: \"echo $NOTIFY_SOCKET > " + self.path("sock") +
                           "; exec sleep 1000\"\n")
        self.dependent()
        c = self.run_services()
        harness.wait_for(lambda: harness.read(self.path("sock")).strip(), 10)
        addr = harness.read(self.path("sock")).strip()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"READY=1\n", "\0" + addr[1:])
        harness.wait_for(lambda: "sd_notify from" in c.stderr(), 5, what="the refusal")
        time.sleep(0.5)
        self.assertEqual(self.stamps("app"), [], "the dependent must not have started")
        wait_ready(self)
        self.assertEqual(status(self)[0]["db"]["state"], "starting")

    def test_an_exec_probe_that_turns_green_after_1s(self):
        # Each attempt of the probe appends when it ran and what it found.
        flag, probes = self.path("flag"), self.path("probes")
        probe = (f"if test -e {flag}; then r=ok; else r=no; fi; "
                 f"echo $(date +%s.%N) $r >> {probes}; test $r = ok")
        self.service("db", f"readiness: {{exec: [sh, -c, '{probe}'], interval: 200ms}}\n"
                           f"command: \"sleep 1; {stamp(self.path('green'))}; touch {flag}; "
                           "exec sleep 1000\"\n")
        self.dependent()
        c = self.run_services()
        app = self.app_started()
        runs = [(float(t), r) for t, r in
                (l.split() for l in harness.read(probes).splitlines())]
        # Ready at the first attempt that found the flag (the first attempt
        # runs at the spawn), and none after; the dependent started after
        # it, not after a readiness timeout (30 s).
        results = [r for _, r in runs]
        self.assertEqual(results[-1:], ["ok"], f"app started before db was ready: {runs}")
        self.assertEqual(results, ["no"] * (len(runs) - 1) + ["ok"], runs)
        self.assertGreaterEqual(runs[-1][0], self.stamps("green")[0])
        self.assertGreaterEqual(app, runs[-1][0], "app started before db was ready")
        # The attempts came at the interval, never sooner (it counts from
        # the end of an attempt; a timer may fire up to 1 ms early).
        for (a, _), (b, _) in zip(runs, runs[1:]):
            self.assertGreaterEqual(b - a, 0.199, runs)
        self.assertEqual(len(self.stamps("green")), 1, "db was restarted")
        self.assertIn("db: up (ready)", c.stderr())
        self.assertNotIn("not ready in time", c.stderr())
        self.assertEqual(status(self)[0]["db"].get("check"), "exec exited 0")

    def test_a_tcp_probe_against_a_listener_that_opens_late(self):
        port = harness.free_port()
        lst = self.script("listen.py", LATE_LISTENER)
        self.service("db", f"readiness: {{tcp: \"127.0.0.1:{port}\", interval: 100ms}}\n"
                           f"command: [{harness.PY}, {lst}, '{port}', '1', {self.path('open')}]\n")
        self.dependent()
        c = self.run_services()
        app = self.app_started()
        self.assertGreaterEqual(app, float(harness.read(self.path("open"))))

    def test_an_http_probe_waits_for_a_2xx(self):
        port = harness.free_port()
        srv = self.script("httpd.py", HTTP)
        self.service("db", f"readiness: {{http: \"http://127.0.0.1:{port}/healthz\", "
                           f"interval: 100ms}}\ncommand: [{harness.PY}, {srv}, '{port}', '1']\n")
        self.dependent()
        t0 = time.time()
        c = self.run_services()
        app = self.app_started()
        self.assertGreaterEqual(app - t0, 1.0)

    def test_a_log_line_makes_it_ready(self):
        self.service("db", "readiness: {log: \"listening on port [0-9]+\"}\n"
                           "command: \"sleep 0.5; echo 'db: listening on port 5432'; "
                           "exec sleep 1000\"\n")
        self.dependent()
        t0 = time.time()
        c = self.run_services()
        self.assertGreaterEqual(self.app_started() - t0, 0.5)

    def test_an_inherited_notify_fd_does_not_shadow_the_service_s_own(self):
        # corral run under s6 or systemd has NOTIFY_FD/NOTIFY_SOCKET of its own.
        self.service("db", "readiness: {notify: fd}\ncommand: \"env | grep ^NOTIFY > " +
                     self.path("env") + "; echo >&$NOTIFY_FD; exec sleep 1000\"\n")
        self.dependent()
        c = self.run_services(env={"NOTIFY_FD": "7", "NOTIFY_SOCKET": "@elsewhere"})
        self.app_started()
        self.assertEqual(harness.read(self.path("env")).split(), ["NOTIFY_FD=3"])

    def test_a_list_dependency_on_a_oneshot_waits_for_it_to_complete(self):
        self.service("prep", f"type: oneshot\ncommand: \"sleep 0.5; {stamp(self.path('prep'))}\"\n")
        self.service("app", f"command: \"{stamp(self.path('app'))}; exec sleep 1000\"\n"
                            "depends_on: [prep]\n")
        c = self.run_services()
        harness.wait_for(lambda: self.stamps("app"), 10, what="app after prep")
        self.assertGreaterEqual(self.stamps("app")[0], self.stamps("prep")[0])

    def test_not_ready_in_time_backs_off(self):
        self.service("never", f"readiness: {{notify: fd, timeout: 500ms}}\n"
                              f"command: \"{stamp(self.path('starts'))}; exec sleep 1000\"\n"
                              "backoff: {initial: 300ms}\n")
        c = self.run_services()
        harness.wait_for(lambda: len(self.stamps("starts")) >= 3, 10, what="three attempts")
        self.assertIn("not ready in time", c.stderr())
        self.assertRegex(c.stderr(), r"never: backoff \(not ready in time, restart in 300ms\)")
        t = self.stamps("starts")
        # 500 ms of readiness timeout between them (less the shell's own jitter).
        self.assertGreaterEqual(t[1] - t[0], 0.45)


    def test_a_restart_while_starting_takes_its_readiness_probe_with_it(self):
        # The probe outlives its timeout on purpose: only the restart may end it.
        self.service("slow", "command: [sleep, '1000']\n"
                             "readiness: {exec: [sleep, '77'], interval: 50ms, timeout: 60s}\n")
        c = self.run_services()
        wait_ready(self)

        def probes():
            return [p for p in c.ns_pids()
                    if harness.read(f"/proc/{p}/cmdline").split("\0")[:2] == ["sleep", "77"]]
        harness.wait_for(lambda: probes(), 10, what="the first probe")
        for _ in range(40):
            self.assertEqual(ctl(self, "restart", "slow").returncode, 0)
        harness.wait_for(lambda: len(probes()) <= 1, 10,
                         what=f"one probe at most (alive: {len(probes())})")
        time.sleep(0.3)
        self.assertLessEqual(len(probes()), 1)
        self.assertEqual(c.zombies(), [])


class Health(svc.ServiceTest):
    def test_three_failed_checks_restart_it_once(self):
        # Healthy from its start (the flag is back before its first check,
        # however late this test sees the restart) until the flag goes.
        flag = self.path("healthy")
        self.service("web", f"health: {{exec: [test, -e, {flag}], interval: 200ms, retries: 3}}\n"
                            f"command: \"touch {flag}; {stamp(self.path('starts'))}; "
                            "exec sleep 1000\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"].get("healthy") is True, 5)
        os.unlink(flag)
        harness.wait_for(lambda: len(self.stamps("starts")) == 2, 10, what="one restart")
        time.sleep(1.5)
        self.assertEqual(len(self.stamps("starts")), 2, "exactly one restart")
        self.assertIn("unhealthy: exec exited 1 (3 in a row)", c.stderr())
        self.assertIn("health check failed (1 of 3)", c.stderr())

    def stopping_unhealthy(self):
        """web, healthy, then stopping for being unhealthy; its stop ends
        once the test writes release, however loaded the machine."""
        flag, release = self.path("healthy"), self.path("release")
        open(flag, "w").close()
        self.service("web", f"health: {{exec: [test, -e, {flag}], interval: 100ms, retries: 1}}\n"
                            "stop_timeout: 10s\n"
                            f"command: \"{stamp(self.path('starts'))}; trap 'until [ -e {release} ]; "
                            "do sleep 0.05; done; exit 0' TERM; while :; do sleep 0.1; done\"\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"].get("healthy") is True, 5)
        os.unlink(flag)
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "stopping", 10,
                         what="stopping, unhealthy")
        return c, flag, release

    def test_a_stop_asked_for_while_it_stops_unhealthy_is_final(self):
        # Unhealthy, it is stopped to be restarted; a stop asked for then
        # (or a reload removing it) means no restart after.
        c, flag, release = self.stopping_unhealthy()
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        open(release, "w").close()
        harness.wait_for(lambda: status(self)[0]["web"]["state"] == "stopped", 10, what="stopped")
        time.sleep(0.5)
        web = status(self)[0]["web"]
        self.assertEqual(web["state"], "stopped")
        self.assertEqual(len(self.stamps("starts")), 1, "not restarted after the stop")
        # Stopped as asked, but its run failed: status says of what, not
        # only how its process ended.
        self.assertEqual(web["reason"], "unhealthy")
        self.assertEqual(web["last_exit"]["text"], "exited 0")
        self.assertRegex(ctl(self, "status", "web").stdout,
                         r"(?m)^web +stopped .* exited 0 +unhealthy *$")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_restart_asked_for_while_it_stops_unhealthy_tells_the_failure(self):
        # The restart asked for follows the stop (no automatic one besides),
        # and the run it ended is told as the failure it was.
        c, flag, release = self.stopping_unhealthy()
        open(flag, "w").close()
        self.assertEqual(ctl(self, "restart", "web").returncode, 0)
        open(release, "w").close()
        harness.wait_for(lambda: len(self.stamps("starts")) == 2, 10, what="the restart")
        harness.wait_for(lambda: "web: stopped (" in c.stderr(), 5, what="the stop's line")
        self.assertIn("web: stopped (unhealthy)", c.stderr())
        web = status(self)[0]["web"]
        self.assertEqual(web["restarts"], 0)  # asked for, not automatic
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_health_probe_that_cannot_fork_never_restarts_a_healthy_service(self):
        cg = harness.pids_cgroup()
        if not cg:
            self.skipTest("no writable pids cgroup")
        self.addCleanup(harness.remove_cgroup, cg)
        open(cg + "/pids.max", "w").write("64")
        self.service("web", "health: {exec: [true], interval: 200ms, retries: 2}\n"
                            f"command: \"{stamp(self.path('starts'))}; exec sleep 1000\"\n")
        c = self.run_services(wrapper=["sh", "-c", f'echo $$ > {cg}/cgroup.procs && exec "$@"',
                                       "wrap"])
        wait_ready(self)
        harness.wait_for(lambda: status(self)[0]["web"].get("healthy") is True, 10)
        # No fork can succeed any more: corral's own probes hit the limit.
        # A probe that runs at the moment pids.current is read leaves its
        # slot free once it exits: the limit is set again until a probe
        # finds no room.
        def no_room():
            open(cg + "/pids.max", "w").write(harness.read(cg + "/pids.current").strip())
            time.sleep(0.5)
            return "health check not run" in c.stderr()
        harness.wait_for(no_room, 15, what="the probe to fail to fork")
        time.sleep(1.5)
        self.assertEqual(len(self.stamps("starts")), 1, "the healthy service was restarted")
        self.assertNotIn("unhealthy", c.stderr())
        self.assertEqual(status(self)[0]["web"]["state"], "up")

    def test_healthy_condition_waits_for_the_first_passing_check(self):
        flag = self.path("ok")
        self.service("db", f"health: {{exec: [test, -e, {flag}], interval: 200ms, retries: 100}}\n"
                           f"command: \"sleep 1; touch {flag}; exec sleep 1000\"\n")
        self.service("app", f"command: \"{stamp(self.path('app'))}; exec sleep 1000\"\n"
                            "depends_on: {db: {condition: healthy}}\n")
        t0 = time.time()
        c = self.run_services()
        harness.wait_for(lambda: self.stamps("app"), 10)
        self.assertGreaterEqual(self.stamps("app")[0] - t0, 1.0)


if __name__ == "__main__":
    harness.main()
