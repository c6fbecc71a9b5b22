"""Every catchable signal sent to corral reaches the main's process group;
SIGTERM stops it, a second SIGTERM skips ahead, and the main's status becomes
corral's exit code."""

import os
import signal
import time

import harness

RECORDER = r'''
import os, signal, sys, time
# One write(2) a line, no buffer: the test signals as soon as it can read
# "ready", so a handler may run while that line's write has not returned,
# and a buffered file refuses that reentrant call (RuntimeError).
out = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
names = ["HUP", "USR1", "USR2", "WINCH", "QUIT", "CONT", "ALRM", "TERM"]
who = "main"
if len(sys.argv) > 2:
    # A child in the same process group records too.
    if os.fork() == 0:
        who = "child"
def rec(sig, frame):
    os.write(out, f"{who} {signal.Signals(sig).name}\n".encode())
    if sig == signal.SIGTERM:
        sys.exit(0)
for n in names:
    signal.signal(getattr(signal, "SIG" + n), rec)
os.write(out, f"{who} ready\n".encode())
while True:
    time.sleep(1)
'''


class Signals(harness.TestCase):
    def lines(self):
        return harness.read(self.path("rec")).splitlines()

    def test_signals_reach_the_main_and_its_process_group(self):
        rec = self.script("rec.py", RECORDER)
        c = self.corral([harness.PY, rec, self.path("rec"), "with-child"])
        harness.wait_for(lambda: {"main ready", "child ready"} <= set(self.lines()),
                         what="recorders ready")
        for name in ["HUP", "USR1", "USR2", "WINCH", "QUIT", "CONT", "ALRM"]:
            c.signal(getattr(signal, "SIG" + name))
            for who in ("main", "child"):
                harness.wait_for(lambda: f"{who} SIG{name}" in self.lines(), 5,
                                 what=f"{who} to get SIG{name}")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertIn("main SIGTERM", self.lines())
        self.assertIn("child SIGTERM", self.lines())

    def test_sigterm_stops_a_main_that_exits_and_corral_exits_at_once(self):
        rec = self.script("rec.py", RECORDER)
        c = self.corral([harness.PY, rec, self.path("rec")], args=["--grace", "60s"])
        harness.wait_for(lambda: "main ready" in self.lines())
        c.signal(signal.SIGTERM)
        # Not after the grace period: c.wait's 15 s are a wait limit.
        self.assertEqual(c.wait(), 0)
        self.assertIn("exiting 0: main exited 0", c.stderr())

    def test_a_main_ignoring_sigterm_is_killed_after_the_stop_timeout(self):
        c = self.corral(["sh", "-c", "trap '' TERM; echo up > up; while :; do sleep 0.1; done"],
                        args=["--stop-timeout", "1s"])
        harness.wait_for(lambda: os.path.exists(self.path("up")))
        t0 = time.monotonic()
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 137)
        self.assertGreaterEqual(time.monotonic() - t0, 1.0)
        # Killed for its stop timeout: one not applied (7 s) would meet the
        # shutdown's own bound first (1 s + the 2 s grace + 1 s), which says so.
        self.assertIn("main did not exit in time", c.stderr())
        self.assertNotIn("shutdown_timeout", c.stderr())
        self.assertIn("exiting 137: main killed by SIGKILL", c.stderr())

    def test_a_second_sigterm_skips_the_stop_timeout(self):
        c = self.corral(["sh", "-c", "trap '' TERM; echo up > up; while :; do sleep 0.1; done"],
                        args=["--stop-timeout", "60s"])
        harness.wait_for(lambda: os.path.exists(self.path("up")))
        c.signal(signal.SIGTERM)
        harness.wait_for(lambda: "shutting down" in c.stderr(), 5)
        c.signal(signal.SIGTERM)
        # Not after the 60 s: c.wait's 15 s are a wait limit.
        self.assertEqual(c.wait(), 137)
        self.assertIn("SIGTERM again: killing the services now", c.stderr())

    def test_leftover_processes_get_sigterm_and_corral_does_not_wait_the_grace(self):
        # The main leaves a daemon behind that exits on SIGTERM.
        c = self.corral(["sh", "-c", "sleep 1000 & echo $! > left; exit 4"], args=["--grace", "60s"])
        self.assertEqual(c.wait(15), 4)
        self.assertNotIn("grace period", c.stderr())

    def test_leftover_processes_ignoring_sigterm_are_killed_after_the_grace(self):
        c = self.corral(["sh", "-c", "(trap '' TERM; echo up > up; while :; do sleep 0.1; done) & "
                                     "while [ ! -e up ]; do sleep 0.05; done; exit 0"],
                        args=["--grace", "1s"])
        self.assertEqual(c.wait(10), 0)
        self.assertGreaterEqual(c.elapsed(), 1.0)
        self.assertIn("still running after the grace period", c.stderr())

    def test_a_rewritten_signal_arrives_as_its_replacement(self):
        rec = self.script("rec.py", RECORDER)
        c = self.corral([harness.PY, rec, self.path("rec")],
                        args=["--rewrite-signal", "USR1:USR2", "--rewrite-signal", "HUP:0"])
        harness.wait_for(lambda: "main ready" in self.lines())
        c.signal(signal.SIGHUP)
        c.signal(signal.SIGUSR1)
        harness.wait_for(lambda: "main SIGUSR2" in self.lines(), 5)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)
        self.assertNotIn("main SIGUSR1", self.lines())
        self.assertNotIn("main SIGHUP", self.lines())

    def test_single_child_spares_the_rest_of_the_group(self):
        rec = self.script("rec.py", RECORDER)
        c = self.corral([harness.PY, rec, self.path("rec"), "with-child"], args=["--single-child"])
        harness.wait_for(lambda: {"main ready", "child ready"} <= set(self.lines()))
        c.signal(signal.SIGUSR1)
        harness.wait_for(lambda: "main SIGUSR1" in self.lines(), 5)
        time.sleep(0.3)
        self.assertNotIn("child SIGUSR1", self.lines())
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_success_code_exits_zero(self):
        c = self.corral(["sh", "-c", "exit 143"], args=["--success-code", "143"])
        self.assertEqual(c.wait(), 0)


if __name__ == "__main__":
    harness.main()
