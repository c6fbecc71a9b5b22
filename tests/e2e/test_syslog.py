"""test_syslog.py - corral.yaml `syslog:`: corral listens on a datagram
socket as /dev/log would be, and prints each message as a line of the
service whose process tree sent it (util-linux logger, RFC 5424 and RFC
3164), or under its own name for a sender of no service; a flood neither
blocks the loop nor grows without bound."""

import json
import os
import re
import socket
import stat
import time

import harness
import svc
from ctl import ctl, status, wait_ready

FLOOD = r"""
import os, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
while not os.path.exists(sys.argv[3] + ".go"):
    time.sleep(0.01)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.connect(path)
for i in range(n):
    s.send(b"<78>Dec  2 07:24:51 FLOOD[7]: message %07d " % i + b"x" * 200)
open(sys.argv[3], "w").write("sent\n")
"""


class SyslogTest(svc.ServiceTest):
    def sock(self):
        return self.path("log.sock")

    def conf(self, extra=""):
        return self.write_conf(f"syslog:\n  path: {self.sock()}\n{extra}")

    def lines(self, c):
        return c.stdout().splitlines()

    def wait_line(self, c, pattern, timeout=10):
        pat = re.compile(pattern)
        return harness.wait_for(lambda: [l for l in self.lines(c) if pat.search(l)], timeout,
                                what=f"a line matching {pattern!r}")

    def test_logger_lines_go_to_the_service_that_sent_them_rfc5424_and_rfc3164(self):
        sock = self.sock()
        # Each sender exits at once: what it sent is still its service's.
        self.service("cron", "type: oneshot\n"
                     f"command: [logger, -u, {sock}, --rfc3164, -t, CRON, -i, three one six four]\n")
        self.service("web", "type: oneshot\n"
                     f"command: [logger, -u, {sock}, --rfc5424, -t, nginx, five four two four]\n")
        self.service("quiet", "command: [sleep, '1000']\n")
        # Whatever corral's umask, anyone may log (and corral's children
        # get their umask back).
        c = self.run_services(args=["--config", self.conf()], preexec=lambda: os.umask(0o077))
        wait_ready(self)
        self.assertEqual(stat.S_IMODE(os.lstat(sock).st_mode), 0o666)
        self.assertTrue(stat.S_ISSOCK(os.lstat(sock).st_mode))
        cron = self.wait_line(c, r"CRON\[\d+\]: three one six four")
        web = self.wait_line(c, r"nginx: five four two four")
        self.assertRegex(cron[0], r"^cron +\| CRON\[\d+\]: three one six four$")
        self.assertRegex(web[0], r"^web +\| nginx: five four two four$")
        # From outside corral's PID namespace: no service sent it.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(b"<13>Dec  2 07:24:51 stranger[9]: from nobody\n", sock)
        s.close()
        stranger = self.wait_line(c, r"stranger\[9\]: from nobody")
        self.assertRegex(stranger[0], r"^syslog +\| stranger\[9\]: from nobody$")
        # Each line once, and kept for `corralctl logs` of its service.
        self.assertEqual(len(cron) + len(web) + len(stranger), 3)
        r = ctl(self, "logs", "cron")
        self.assertIn("three one six four", r.stdout)
        _, me = status(self)
        self.assertEqual(me["syslog"]["received"], 3)
        self.assertEqual(me["syslog"]["unattributed"], 1)
        self.assertEqual(me["syslog"]["dropped"], 0)
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())
        self.assertFalse(os.path.exists(sock), "the socket file stays after corral exits")

    def test_a_scheduled_job_that_logs_to_syslog_gets_its_lines(self):
        # What cron plus syslog-ng did: a job every second, logging through
        # /dev/log, each message shown as the job's line.
        self.service("backup", "type: oneshot\nevery: 1s\n"
                     f"command: [logger, -u, {self.sock()}, -t, backup, -i, snapshot taken]\n")
        c = self.run_services(args=["--config", self.conf()])
        lines = harness.wait_for(
            lambda: (lambda l: l if len(l) >= 2 else None)(
                [x for x in self.lines(c) if "snapshot taken" in x]), 15, what="two runs' lines")
        for line in lines:
            self.assertRegex(line, r"^backup +\| backup\[\d+\]: snapshot taken$")
        c.signal(15)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_json_keeps_facility_and_severity(self):
        self.service("job", f"command: [logger, -u, {self.sock()}, -p, cron.warning, -t, CRON, -i, "
                     "json line]\ntype: oneshot\n")
        self.service("quiet", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--config", self.conf("log_format: json\n")])
        line = self.wait_line(c, r"json line")[0]
        obj = json.loads(line)
        self.assertEqual(obj["service"], "job")
        self.assertEqual(obj["stream"], "syslog")
        self.assertEqual(obj["facility"], "cron")
        self.assertEqual(obj["severity"], "warning")
        self.assertRegex(obj["line"], r"^CRON\[\d+\]: json line$")
        c.signal(15)
        c.wait()

    def test_a_stale_socket_is_replaced_and_a_regular_file_is_left_alone(self):
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        stale.bind(self.sock())
        stale.close()
        self.service("job", f"command: [logger, -u, {self.sock()}, -t, JOB, hi]\ntype: oneshot\n")
        self.service("quiet", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--config", self.conf()])
        self.wait_line(c, r"^job +\| JOB: hi$")
        c.signal(15)
        c.wait()
        with open(self.sock(), "w") as f:
            f.write("mine\n")
        c = self.run_services(args=["--config", self.conf()])
        harness.wait_for(lambda: "syslog: " in c.stderr(), what="the warning")
        self.assertIn("messages sent there are lost", c.stderr())
        self.assertEqual(harness.read(self.sock()), "mine\n")
        c.signal(15)
        self.assertEqual(c.wait(), 0)

    def test_a_flood_with_a_stalled_stdout_never_blocks_the_loop_and_is_counted(self):
        flood = self.script("flood.py", FLOOD)
        n = 50000
        self.service("flood", f"command: \"{harness.PY} {flood} {self.sock()} {n} "
                     f"{self.path('sent')}; exec sleep 1000\"\n")
        r, wfd = os.pipe()
        self.addCleanup(os.close, r)
        c = self.run_services(args=["--config", self.conf()], stdout=wfd)
        os.close(wfd)
        wait_ready(self)
        with open(self.path("sent.go"), "w"):
            pass
        # Nobody reads corral's stdout: past its queue's bound, messages are
        # dropped and counted, the sender is never held for long, and corral
        # answers throughout.
        answered = 0
        deadline = time.monotonic() + 60
        while not os.path.exists(self.path("sent")):
            self.assertLess(time.monotonic(), deadline, "the flood never got through")
            t0 = time.monotonic()
            res = ctl(self, "--json", "status", timeout=5)
            self.assertEqual(res.returncode, 0, res.stderr)
            answered += 1
        _, me = status(self)
        self.assertEqual(me["syslog"]["received"], n)
        self.assertGreater(me["syslog"]["dropped"], 0)
        self.assertEqual(me["syslog"]["lines"] + me["syslog"]["dropped"], n)
        self.assertGreater(answered, 0)
        # Reading again: corral's own warning says how many were dropped once
        # a message goes out again.
        os.set_blocking(r, False)

        def drain():
            try:
                while os.read(r, 1 << 20):
                    pass
            except BlockingIOError:
                pass
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(b"<13>after: the flood", self.sock())
            s.close()
            return "dropped" in c.stderr() and "while corral's output was too slow" in c.stderr()
        harness.wait_for(drain, 20, interval=0.1, what="the dropped-messages warning")
        c.signal(15)
        self.assertEqual(c.wait(30), 0, c.stderr()[-2000:])


if __name__ == "__main__":
    harness.main()
