"""A full disk never tears a line nor loses one silently: on a small tmpfs
the log file keeps whole lines only, every line it could not take is
counted (corral's log says so once when it starts and once when the file
takes writes again; status has the count), the service is never slowed,
and writing goes on once there is room again."""

import json
import os
import re
import subprocess

import harness
import svc
from ctl import ctl_json, wait_ready

LINES = 20000
WRITER = r'''
import os, sys, time
for i in range(1, int(sys.argv[1]) + 1):
    print("line %06d %s" % (i, "x" * 64))
sys.stdout.flush()
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
for i in range(100):  # once there is room: a line every 50 ms
    print("more %06d %s" % (i, "x" * 64), flush=True)
    time.sleep(0.05)
time.sleep(1000)
'''


class FullDisk(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.mnt = self.path("small")
        os.mkdir(self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", self.mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.strip())
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt])

    def lost(self):
        r, objs = ctl_json(self, "status", "writer")
        return objs[0]["result"]["services"][0].get("log_lines_lost", 0) if objs else 0

    def test_a_full_disk_keeps_whole_lines_and_counts_every_lost_one(self):
        log, done = os.path.join(self.mnt, "writer.log"), self.path("done")
        go = self.path("go")
        script = self.script("writer.py", WRITER)
        self.service("writer", f"command: [{harness.PY}, {script}, '{LINES}', {done}, {go}]\n"
                               f"logs: {{stdout: file, file: {log}, max_size: 100MiB}}\n")
        c = self.run_services()
        wait_ready(self)
        # The service is never slowed: it writes all its lines.
        harness.wait_for(lambda: os.path.exists(done), 20, what="every line written")

        def lines_in_file():
            return harness.read(log).splitlines()
        harness.wait_for(lambda: self.lost() + len(lines_in_file()) == LINES, 10,
                         what=f"kept + lost = {LINES} (kept {len(lines_in_file())}, "
                              f"lost {self.lost()})")
        kept = lines_in_file()
        self.assertGreater(self.lost(), 0)
        self.assertTrue(harness.read(log).endswith("\n"), "no torn last line")
        for l in kept:
            self.assertRegex(l, r"^line \d{6} x{64}$")
        self.assertEqual(len(re.findall(r"writer: log file .*: No space left on device; its "
                                        r"lines are lost", c.stderr())), 1, "said once")
        lost = self.lost()
        # Room again: writing goes on, and the episode's count is said.
        os.truncate(log, 0)
        open(go, "w").close()
        m = harness.wait_for(lambda: re.search(r"writer: log file .*: written again; (\d+) "
                                               r"lines were lost", c.stderr()), 10,
                             what="written again")
        self.assertEqual(int(m.group(1)), lost)
        self.assertRegex(harness.read(log), r"^(more \d{6} x{64}\n)+$")

    def test_corrals_stdout_on_a_full_disk_loses_lines_only_while_it_is_full(self):
        # corral's own stdout a file on that tmpfs: a full disk drops the
        # lines it cannot take, says so on stderr, never tears a line, and
        # writing goes on once there is room.
        filler = os.path.join(self.mnt, "filler")
        with open(filler, "wb") as f:
            f.write(b"x" * (128 << 10))
        out_path, done, go = os.path.join(self.mnt, "corral.out"), self.path("done"), self.path("go")
        script = self.script("writer.py", WRITER)
        self.service("writer", f"command: [{harness.PY}, {script}, '{LINES}', {done}, {go}]\n")
        with open(out_path, "wb") as out:
            c = self.run_services(stdout=out)
        wait_ready(self)
        harness.wait_for(lambda: os.path.exists(done), 20, what="every line written")
        harness.wait_for(lambda: "corral's stdout: No space left on device" in c.stderr(), 10,
                         what="the full disk said")
        os.remove(filler)
        open(go, "w").close()
        m = harness.wait_for(lambda: re.search(r"corral's stdout takes lines again: (\d+) bytes "
                                               r"were dropped", c.stderr()), 10,
                             what="stdout taking lines again")
        self.assertGreater(int(m.group(1)), 0)
        harness.wait_for(lambda: "more 000099" in harness.read(out_path), 20, what="the last line")
        got = harness.read(out_path).splitlines()
        for l in got:
            self.assertRegex(l, r"^writer \| (line|more) \d{6} x{64}$")
        more = [l for l in got if " more " in l]
        self.assertEqual(len(more), 100, "every line written once there was room")
        self.assertEqual(len(re.findall("No space left on device", c.stderr())), 1, "said once")


if __name__ == "__main__":
    harness.main()
