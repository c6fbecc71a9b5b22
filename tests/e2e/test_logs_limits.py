"""corralctl logs at the edges: lines that are not UTF-8 are shown (their
stray bytes as U+00XX), never dropped, in a backlog and in a follow stream;
a backlog bigger than one reply keeps its newest lines and says how many
older ones it left out, instead of closing the connection."""

import json
import os
import subprocess
import time

import harness
import svc
from ctl import ctl, ctl_json, status, wait_ready

BAD = r'''
import os, sys, time
os.write(1, b"before\n")
os.write(1, b"caf\xe9 \xff\xfe end\n")
os.write(1, b"after\n")
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
os.write(1, b"late \xc3\x28 bytes\n")
time.sleep(1000)
'''

BIG = r'''
import sys, time
line = "y" * 1000
for i in range(12000):
    print("%05d %s" % (i, line))
sys.stdout.flush()
open(sys.argv[1], "w").close()
time.sleep(1000)
'''


class LogsLimits(svc.ServiceTest):
    def test_lines_that_are_not_utf8_are_shown_not_dropped(self):
        go = self.path("go")
        script = self.script("bad.py", BAD)
        self.service("bad", f"command: [{harness.PY}, {script}, {go}]\n")
        self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "after" in ctl(self, "logs", "bad").stdout, 10, what="3 lines")
        r, objs = ctl_json(self, "logs", "bad")
        lines = [l["line"] for l in objs[0]["result"]["lines"]]
        self.assertEqual(lines, ["before", "caf\u00e9 \u00ff\u00fe end", "after"])
        env = dict(os.environ, CORRAL_SOCKET=os.path.join(self.tmp, "corral.sock"))
        f = subprocess.Popen([harness.CORRALCTL, "--json", "logs", "-f", "-n", "0", "bad"],
                             env=env, stdout=subprocess.PIPE, text=True)
        self.addCleanup(lambda: f.poll() is None and (f.kill(), f.wait()))
        self.assertTrue(json.loads(f.stdout.readline())["ok"])
        open(go, "w").close()
        item = json.loads(f.stdout.readline())
        self.assertEqual(item["stream"]["line"], "late \u00c3( bytes")

    def test_a_backlog_bigger_than_a_reply_keeps_its_newest_lines(self):
        done = self.path("done")
        script = self.script("big.py", BIG)
        self.service("big", f"command: [{harness.PY}, {script}, {done}]\n"
                            "logs: {ring_size: 16MiB}\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: os.path.exists(done), 20, what="12,000 lines written")
        harness.wait_for(lambda: "11999 " in ctl(self, "logs", "-n", "1", "big").stdout, 10)
        r = ctl(self, "logs", "-n", "12000", "big", timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = r.stdout.splitlines()
        self.assertTrue(got[-1].startswith("11999 "), got[-1][:20])
        self.assertRegex(r.stderr, r"corralctl: \d+ older lines omitted")
        omitted = int(r.stderr.split()[1])
        self.assertEqual(omitted + len(got), 12000)
        self.assertIsNone(c.proc.poll())

    def test_asking_for_millions_of_lines_costs_only_the_reply(self):
        # A 16 MiB ring holds half a million two-byte lines; a reply holds
        # the newest that fit, and only those may cost corral memory (a JSON
        # object for every line kept came to hundreds of MiB).
        done = self.path("done")
        self.service("chatty", f"command: \"yes a | head -c 16000000; touch {done}; "
                               "exec sleep 1000\"\nlogs: {stdout: none, ring_size: 16MiB}\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: os.path.exists(done), 30, what="the lines written")

        def peak_kib():
            with open(f"/proc/{c.pid}/status") as f:
                return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))

        before = peak_kib()
        r, objs = ctl_json(self, "logs", "-n", "100000000", "chatty", timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        result = objs[0]["result"]
        self.assertGreater(result["omitted"] + len(result["lines"]), 400000)
        self.assertEqual({l["line"] for l in result["lines"]}, {"a"})
        self.assertLess(peak_kib() - before, 64 * 1024, "corral's peak memory grew by that much")
        self.assertIsNone(c.proc.poll())

    def test_the_last_lines_of_a_full_ring_cost_no_walk_of_every_line(self):
        # A 16 MiB ring holds 8 million two-byte lines, relayed to corral's
        # stdout in blocks as they were read. `logs -n 1` must find the
        # last line by the ring's records, not by counting every line (a
        # quarter of a second of corral's loop per request): a client
        # pipelining such requests must not keep others from an answer.
        done = self.path("done")
        self.service("c", f"command: \"yes a | head -c 16000000; echo last; touch {done}; "
                          "exec sleep 1000\"\nlogs: {ring_size: 16MiB}\n")
        c = self.run_services(stdout=subprocess.DEVNULL)
        wait_ready(self)
        harness.wait_for(lambda: os.path.exists(done), 60, what="the lines written")
        harness.wait_for(lambda: ctl(self, "logs", "-n", "1", "c").stdout == "last\n", 30,
                         what="the last line in the ring")
        flood = self.connect()
        ask = b'{"v":1,"id":1,"cmd":"logs","names":["c"],"lines":1}\n'
        flood.sendall(ask * 32)
        t = time.monotonic()
        r = ctl(self, "version", timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(time.monotonic() - t, 5, "the loop stalled counting the ring's lines")
        flood.settimeout(120)
        f = flood.makefile("rb")
        for _ in range(32):
            lines = json.loads(f.readline())["result"]["lines"]
            self.assertEqual([l["line"] for l in lines], ["last"])
        self.assertIsNone(c.proc.poll())

if __name__ == "__main__":
    harness.main()
