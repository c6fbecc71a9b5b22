"""What a dead main process leaves of its tree: a long-running service's
leftovers (workers in its process group, a leaker's children) are stopped
before it restarts, with one line that names them, and SIGKILLed after its
stop_timeout when they ignore the stop signal; a oneshot's are named and
left running; under a pids cgroup the budget is back to what the new run
uses after a restart."""

import os
import re
import signal

import harness
import svc
from ctl import ctl, status, wait_ready


class Leftovers(svc.ServiceTest):
    def pid_of(self, name):
        return harness.wait_for(lambda: status(self)[0][name]["pid"], 10, what=f"{name} running")

    def host_pid(self, c, ns_pid):
        for p in c.ns_pids():
            if harness.ns_pid_of(p) == ns_pid:
                return p
        return None

    def alive_in_ns(self, c, ns_pids):
        live = {harness.ns_pid_of(p) for p in c.ns_pids()
                if (harness.proc_stat(p) or ("Z",))[0] != "Z"}
        return [p for p in ns_pids if p in live]

    def test_workers_of_a_killed_master_are_stopped_before_the_restart(self):
        kids, report = self.path("kids"), self.path("report")
        # Each run first says which workers of earlier runs are still alive,
        # then starts two workers in its group (as nginx's master does).
        self.service("web", "command: |\n"
                            f"  for p in $(cat {kids} 2>/dev/null); do\n"
                            f"    kill -0 $p 2>/dev/null && echo ALIVE $p >> {report}\n"
                            "  done\n"
                            f"  sleep 1000 & echo $! >> {kids}\n"
                            f"  sleep 1000 & echo $! >> {kids}\n"
                            "  exec sleep 2000\n")
        c = self.run_services()
        wait_ready(self)
        first = self.pid_of("web")
        harness.wait_for(lambda: len(harness.read(kids).split()) == 2, 10, what="two workers")
        os.kill(self.host_pid(c, first), signal.SIGKILL)
        harness.wait_for(lambda: status(self)[0]["web"]["pid"] not in (0, first), 10,
                         what="web restarted")
        old = [int(x) for x in harness.read(kids).split()[:2]]
        self.assertRegex(c.stderr(), r"web: exited but left 2 processes \((\d+ \d+)\): "
                                     r"stopping them with SIGTERM, SIGKILL after")
        self.assertEqual(harness.read(report), "", "the new run met the old workers")
        self.assertEqual(self.alive_in_ns(c, old), [])

    def test_leftovers_that_ignore_the_stop_signal_are_killed_after_stop_timeout(self):
        armed = self.path("armed")
        self.service("stubborn", "command: |\n"
                                 f"  sh -c \"trap '' TERM; : > {armed}; sleep 1000\" &\n"
                                 "  exec sleep 2000\n"
                                 "stop_timeout: 1s\n")
        c = self.run_services()
        wait_ready(self)
        first = self.pid_of("stubborn")
        self.wait_file("armed")  # the leftover ignores TERM from now on
        os.kill(self.host_pid(c, first), signal.SIGKILL)
        harness.wait_for(lambda: re.search(r"stubborn: \d+ leftover processes did not exit in "
                                           r"time: sending SIGKILL", c.stderr()), 10,
                         what="the SIGKILL")
        harness.wait_for(lambda: status(self)[0]["stubborn"]["pid"] not in (0, first), 10,
                         what="restarted once they were gone")
        self.assertIn("stubborn: exited but left", c.stderr())

    def test_stop_reaches_the_leftovers_of_a_dead_main(self):
        armed = self.path("armed")
        self.service("web", "command: |\n"
                            f"  sh -c \"trap '' TERM; : > {armed}; sleep 1000\" &\n"
                            "  exec sleep 2000\n"
                            "stop_timeout: 5s\n")
        c = self.run_services()
        wait_ready(self)
        first = self.pid_of("web")
        self.wait_file("armed")  # the leftover ignores TERM from now on
        os.kill(self.host_pid(c, first), signal.SIGKILL)
        harness.wait_for(lambda: "web: exited but left" in c.stderr(), 10, what="leftovers")
        # corralctl stop while the leftovers hold the run: they go, the service is down.
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        self.assertEqual(ctl(self, "wait", "--for", "down", "--timeout", "10s", "web").returncode,
                         0)
        self.assertEqual([p for p in c.ns_pids()
                          if harness.read(f"/proc/{p}/cmdline").startswith("sleep\0" "1000")],
                         [])
        self.assertEqual(status(self)[0]["web"]["state"], "stopped")

    def test_a_stop_held_by_leftovers_names_them_at_its_sigkill(self):
        # The main exits on SIGTERM; a worker of its group ignores it.
        armed = self.path("armed")
        self.service("web", "command: |\n"
                            f"  sh -c \"trap '' TERM; : > {armed}; exec sleep 1000\" &\n"
                            "  trap 'exit 0' TERM\n"
                            f"  while :; do [ -e {armed} ] && echo main-armed; sleep 0.1; done\n"
                            "stop_timeout: 1s\n")
        c = self.run_services()
        wait_ready(self)
        # The worker ignores TERM, and the main (which then says so) traps it.
        harness.wait_for(lambda: "web | main-armed" in c.stdout(), 10, what="the worker")
        self.assertEqual(ctl(self, "stop", "web").returncode, 0)
        self.assertEqual(ctl(self, "wait", "--for", "down", "--timeout", "10s", "web").returncode,
                         0)
        self.assertIn("web: its stop did not end in time (processes it left still run): "
                      "sending SIGKILL", c.stderr())
        self.assertNotIn("finish", c.stderr())

    def test_a_oneshots_daemon_is_named_and_left_running(self):
        self.service("boot", "type: oneshot\ncommand: 'sleep 1000 & exit 0'\n")
        self.service("web", "command: [sleep, '1000']\n")
        c = self.run_services()
        wait_ready(self)
        harness.wait_for(lambda: "boot: exited and left 1 processes running" in c.stderr(), 10,
                         what="the oneshot's daemon named")
        self.assertEqual(status(self)[0]["boot"]["state"], "done")
        # web's sleep and the one boot left (each may still be on its way to exec).
        harness.wait_for(lambda: len([p for p in c.ns_pids() if harness.read(
            f"/proc/{p}/cmdline") == "sleep\0" "1000\0"]) == 2, 10, what="both sleeps")


    def test_leftovers_reaped_by_their_own_parent_end_the_run_at_once(self):
        # A helper left in the group reaps its own child when stopped (a
        # shell's wait, a prefork master): corral hears the helper's exit,
        # never the child's, and knows the child is gone all the same.
        armed = self.path("armed")
        self.service("w", "command: |\n"
                          "  sh -c 'trap \"kill $c; wait; exit 0\" TERM; sleep 1000 & c=$!; "
                          f": > {armed}; wait' &\n"
                          f"  while [ ! -e {armed} ]; do sleep 0.05; done; rm {armed}; exit 1\n"
                          "stop_timeout: 60s\n")
        c = self.run_services()
        harness.wait_for(lambda: c.stderr().count("w: exited but left 2 processes") >= 2, 20,
                         what="a second run (the first one's leftovers gone)")
        self.assertNotIn("did not exit in time", c.stderr())
        self.assertNotIn("still there after SIGKILL", c.stderr())

    def test_a_pid_given_again_after_a_leftover_reaped_elsewhere_is_the_new_childs(self):
        # Pids wrap within a few seconds under a pid_max of 400 (per PID
        # namespace since Linux 6.14; older kernels have one for the host).
        if tuple(int(x) for x in re.findall(r"\d+", os.uname().release)[:2]) < (6, 14):
            self.skipTest("pid_max is not per PID namespace before Linux 6.14")
        leak = ("sh -c 'trap \"kill $(jobs -p); wait; exit 0\" TERM; "
                "for i in $(seq 20); do sleep 1000 & done; wait' &\n")
        self.service("leaky", f"command: |\n  {leak}  sleep 0.3; exit 1\n"
                              "stop_timeout: 100ms\nbackoff: {initial: 10ms, max: 10ms}\n"
                              "start_limit: {burst: 1000000}\n")
        self.service("victim", "command: 'sleep 0.05; exit 1'\n"
                               "backoff: {initial: 10ms, max: 10ms}\n"
                               "start_limit: {burst: 1000000}\n")
        wrap = ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                'echo 400 > /proc/sys/kernel/pid_max || exit 77; exec "$0" "$@"']
        c = self.corral(None, args=["--services", self.dir], pid1=False, wrapper=wrap)
        if c.pid == -1:
            self.skipTest("pid_max cannot be set in a PID namespace here")
        wait_ready(self)
        # Past several wraps, victim still restarts: each of its exits heard.
        harness.wait_for(lambda: status(self)[0]["victim"]["restarts"] >= 150, 60,
                         what="victim to run 150 times")
        before = status(self)[0]["victim"]["restarts"]
        harness.wait_for(lambda: status(self)[0]["victim"]["restarts"] >= before + 10, 10,
                         what="victim to go on restarting")
        self.assertNotIn("pid table", c.stderr())


class LeakerUnderPidsCgroup(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        self.cg = harness.pids_cgroup()
        if not self.cg:
            self.skipTest("no writable pids cgroup (v1 or v2) here")
        self.addCleanup(harness.remove_cgroup, self.cg)

    def current(self):
        return int(harness.read(self.cg + "/pids.current") or 0)

    def test_after_a_restart_the_budget_is_what_the_new_run_uses(self):
        self.service("leaker", "command: |\n"
                               "  for i in $(seq 20); do sleep 1000 & done\n"
                               "  exec sleep 2000\n")
        wrap = ["sh", "-c", f'echo $$ > {self.cg}/cgroup.procs && exec "$@"', "wrap"]
        c = self.run_services(wrapper=wrap)
        wait_ready(self)
        harness.wait_for(lambda: self.current() >= 22, 10, what="the first run's 21 processes")
        # Its loop may still be forking: one run is the count once it holds.
        seen = []
        harness.wait_for(lambda: seen.append(self.current()) or seen[-5:] == [seen[-1]] * 5, 10,
                         interval=0.1, what="the first run's count to hold")
        one_run = seen[-1]
        first = harness.wait_for(lambda: status(self)[0]["leaker"]["pid"], 10)
        host = [p for p in c.ns_pids() if harness.ns_pid_of(p) == first][0]
        os.kill(host, signal.SIGKILL)
        harness.wait_for(lambda: status(self)[0]["leaker"]["pid"] not in (0, first), 10,
                         what="restarted")
        try:
            harness.wait_for(lambda: self.current() == one_run, 30, what="pids.current")
        except AssertionError:
            self.fail(f"pids.current is {self.current()} 30 s after the restart, not {one_run} "
                      f"as for one run; the cgroup holds {harness.read(self.cg + '/cgroup.procs').split()}")
        self.assertRegex(c.stderr(), r"leaker: exited but left 20 processes \(\d+ .* and 12 more\)")


if __name__ == "__main__":
    harness.main()
