"""Under a PID limit (a pids cgroup of 64), fork failing is an event, never a
crash: a leaking main drives fork to EAGAIN, corral survives and reaps; and
when corral itself cannot fork the main, it retries until it can."""

import os
import signal
import time
import unittest

import harness

LEAKER = r'''
import os, sys, time
out = sys.argv[1]
pids = []
while True:
    try:
        c = os.fork()
    except OSError as e:
        break
    if c == 0:
        try:
            g = os.fork()
        except OSError:
            os._exit(3)
        if g == 0:
            time.sleep(3600)
            os._exit(0)
        os._exit(0)
    _, st = os.waitpid(c, 0)
    if os.waitstatus_to_exitcode(st) == 3:
        break                # the grandchild could not be forked: full
open(out + ".full", "w").write("full")
while not os.path.exists(out + ".go"):
    time.sleep(0.05)
r = os.system("true")        # a new process can start again
open(out + ".after", "w").write(str(r))
'''


class PidLimit(harness.TestCase):
    def setUp(self):
        super().setUp()
        self.cg = harness.pids_cgroup()
        if not self.cg:
            self.skipTest("no writable pids cgroup (v1 or v2) here")
        self.addCleanup(self.remove_cgroup)

    def remove_cgroup(self):
        harness.remove_cgroup(self.cg)

    def limit(self, n):
        with open(self.cg + "/pids.max", "w") as f:
            f.write(str(n))

    def wrapper(self, pre=""):
        # Enter the cgroup first, then become (via exec) the unshare that runs corral.
        return ["sh", "-c", f'echo $$ > {self.cg}/cgroup.procs && {pre} exec "$@"', "wrap"]

    def test_a_leak_to_the_pid_limit_leaves_corral_alive_and_reaping(self):
        self.limit(64)
        leaker = self.script("leak.py", LEAKER)
        out = self.path("leak")
        c = self.corral([harness.PY, leaker, out], wrapper=self.wrapper())
        harness.wait_for(lambda: os.path.exists(out + ".full"), 30, what="the leak to hit 64")
        # The last failed attempt freed its own slot: 63 or 64 of 64.
        self.assertGreaterEqual(int(harness.read(self.cg + "/pids.current")), 63)
        self.assertIsNone(c.proc.poll(), "corral died under the PID limit")
        # Kill the leaked sleepers (orphans adopted by corral) by pid.
        sleepers = [p for p in c.ns_pids() if harness.read(f"/proc/{p}/comm").startswith("python")
                    and harness.proc_stat(p) and harness.proc_stat(p)[1] == c.pid
                    and harness.ns_pid_of(p) != 2]
        self.assertGreater(len(sleepers), 50)
        for p in sleepers:
            os.kill(p, signal.SIGKILL)
        harness.wait_for(lambda: len(c.ns_pids()) == 1, 10, what="leak reaped")
        self.assertEqual(c.zombies(), [])
        open(out + ".go", "w").close()
        self.assertEqual(c.wait(), 0)
        self.assertEqual(harness.read(out + ".after"), "0")

    def test_corral_retries_the_main_while_fork_fails(self):
        # sh + its 10 fillers, then unshare (exec'd sh) and corral: 12 of 12.
        self.limit(12)
        # In subshells, so that the killed fillers are reaped by the host init
        # (unshare reaps only its own child; zombies still count in pids.current).
        fillers = "for i in 1 2 3 4 5 6 7 8 9 10; do (sleep 3600 &); done;"
        c = self.corral(["sh", "-c", "echo started > started"], wrapper=self.wrapper(fillers))
        harness.wait_for(lambda: "fork: Resource temporarily unavailable" in c.stderr(), 10,
                         what="corral to report the fork failure")
        self.assertIn("PID limit is reached", c.stderr())
        time.sleep(0.5)
        self.assertFalse(os.path.exists(self.path("started")))
        self.assertIsNone(c.proc.poll(), "corral must keep retrying")
        for p in harness.read(self.cg + "/cgroup.procs").split():
            if harness.read(f"/proc/{p}/comm").strip() == "sleep":
                os.kill(int(p), signal.SIGKILL)
        self.assertEqual(c.wait(15), 0)
        self.assertTrue(os.path.exists(self.path("started")))
        self.assertIn("main: started after", c.stderr())


if __name__ == "__main__":
    harness.main()
