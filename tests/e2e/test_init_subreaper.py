"""Not PID 1: corral is a subreaper. Orphans of the main are adopted by corral
(not the real init), reaped, and signalled at the end; kill(-1) is never used,
so nothing outside corral's tree is touched."""

import os
import signal
import subprocess
import time

import harness

MAIN = r'''
import os, sys, time, signal
out = sys.argv[1]
c = os.fork()
if c == 0:
    middle = os.getpid()
    if os.fork() == 0:
        def term(*a):
            open(out + ".term", "w").write("term")
            os._exit(0)
        signal.signal(signal.SIGTERM, term)   # before main can end
        while os.getppid() == middle:         # until it is adopted
            time.sleep(0.01)
        open(out + ".tmp", "w").write(str(os.getppid()))
        os.rename(out + ".tmp", out + ".ppid")  # whole when main sees it
        time.sleep(60)
        os._exit(1)
    os._exit(0)
os.waitpid(c, 0)
while not os.path.exists(out + ".ppid"):
    time.sleep(0.02)
sys.exit(5)
'''


class Subreaper(harness.TestCase):
    def test_orphans_are_adopted_by_corral_and_stopped_when_main_exits(self):
        # A bystander in the test's own process group: kill(-1) would hit it.
        bystander = subprocess.Popen(["sleep", "60"])
        self.addCleanup(lambda: (bystander.kill(), bystander.wait()))
        m = self.script("main.py", MAIN)
        c = self.corral([harness.PY, m, self.path("gc")], pid1=False, args=["--grace", "60s"])
        # Once the orphan has exited on SIGTERM, not after the grace period:
        # c.wait's 15 s are a wait limit.
        self.assertEqual(c.wait(), 5)
        self.assertEqual(int(harness.read(self.path("gc.ppid"))), c.proc.pid)
        self.assertEqual(harness.read(self.path("gc.term")), "term")
        self.assertNotIn("grace period", c.stderr())
        time.sleep(0.1)
        self.assertIsNone(bystander.poll(), "a process outside corral's tree was signalled")

    def test_signals_still_reach_the_main(self):
        c = self.corral(["sh", "-c", "trap 'echo hup > got; exit 0' HUP; echo up > up; "
                                     "while :; do sleep 0.05; done"], pid1=False)
        harness.wait_for(lambda: os.path.exists(self.path("up")))
        c.signal(signal.SIGHUP)
        self.assertEqual(c.wait(), 0)
        self.assertEqual(harness.read(self.path("got")).strip(), "hup")


if __name__ == "__main__":
    harness.main()
