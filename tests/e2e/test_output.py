"""Output: every line of every service reaches corral's stdout once, whole
and attributed; a stalled stdout stops the services' output but never the
supervisor; file rotation loses nothing; the json sink parses; a partial
line is flushed; a long line is split with a marker; a failed service's last
lines are printed under its exit."""

import json
import os
import re
import signal
import subprocess
import time

import harness
import svc
from ctl import ctl, ctl_json, status

WRITER = r'''
import os, sys
name, n = sys.argv[1], int(sys.argv[2])
out = os.fdopen(1, "w", buffering=1 << 16)
for i in range(n):
    out.write(f"{name} line {i:07d} " + "x" * 50 + "\n")
out.flush()
'''


def corral_zombies(c):
    """(pid, start time) of each zombie whose parent is corral c: the exits
    it has yet to reap."""
    out = set()
    for p in c.ns_pids():
        st = harness.read(f"/proc/{p}/stat")
        if not st:
            continue
        rest = st[st.rindex(")") + 2:].split()
        if rest[0] == "Z" and int(rest[1]) == c.pid:
            out.add((p, int(rest[19])))
    return out


class Output(svc.ServiceTest):
    def run_with_stdout_pipe(self):
        """corral on the services with stdout into a pipe that nobody reads
        until the test does: returns (corral, read end)."""
        r, wfd = os.pipe()
        self.addCleanup(os.close, r)
        c = self.run_services(stdout=wfd)
        os.close(wfd)
        return c, r

    def test_two_noisy_services_every_line_once_whole_and_attributed(self):
        w = self.script("writer.py", WRITER)
        for name in ("alpha", "beta"):
            self.service(name, f"type: oneshot\ncommand: [{harness.PY}, {w}, {name}, '100000']\n")
        c = self.run_services()
        self.assertEqual(c.wait(60), 0, c.stderr()[-2000:])
        seen = {"alpha": [], "beta": []}
        pat = re.compile(r"^(alpha|beta) +\| (alpha|beta) line (\d{7}) x{50}$")
        for line in c.stdout().splitlines():
            m = pat.match(line)
            self.assertIsNotNone(m, f"torn or foreign line: {line[:120]!r}")
            self.assertEqual(m.group(1), m.group(2), "attributed to the wrong service")
            seen[m.group(1)].append(int(m.group(3)))
        for name in seen:
            self.assertEqual(seen[name], list(range(100000)), f"{name}: lost or repeated lines")

    def test_after_a_flood_the_ring_holds_the_newest_lines_whole_and_in_order(self):
        # 100,000 lines in big writes, some with "\r\n", into a 64 KiB ring,
        # printed with the prefix and kept in the ring as blocks of lines, and
        # with the file sink too (kept line by line): `corralctl logs` gives
        # the newest lines, each whole, in order, up to the last, about the
        # ring's size of them.
        w = self.script("flood.py", r"""
import os
out = os.fdopen(1, "w", buffering=1 << 16, newline="")
for i in range(100000):
    out.write(f"flood {i:07d} " + "y" * (i % 97) + ("\r\n" if i % 5 == 0 else "\n"))
out.flush()
os.close(1)
import time; time.sleep(30)
""")
        self.service("flood", f"command: [{harness.PY}, {w}]\nrestart: never\n")
        self.service("flood2", f"command: [{harness.PY}, {w}]\nrestart: never\n"
                               f"logs: {{stdout: [prefix, file], file: {self.path('f.log')}}}\n")
        c = self.run_services()
        for name in ("flood", "flood2"):
            harness.wait_for(lambda: "flood 0099999" in ctl(self, "logs", "-n", "1", name).stdout,
                             30, what="the last line in the ring")
            self.check_ring(name)
        out = [l for l in c.stdout().splitlines() if l.startswith("flood  ")]
        self.assertEqual(len(out), 100000)
        self.assertEqual(out[5], "flood  | flood 0000005 yyyyy")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def check_ring(self, name):
        r = ctl(self, "logs", "-n", "100000", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = r.stdout.splitlines()
        pat = re.compile(r"^flood (\d{7}) (y*)$")
        nums = []
        for line in got:
            m = pat.match(line)
            self.assertIsNotNone(m, f"torn line: {line[:80]!r}")
            n = int(m.group(1))
            self.assertEqual(len(m.group(2)), n % 97, f"line {n} cut")
            nums.append(n)
        self.assertEqual(nums, list(range(100000 - len(nums), 100000)), "not the newest, in order")
        size = sum(len(l) + 1 for l in got)
        self.assertGreater(size, 44 * 1024, "the ring keeps about its size")
        self.assertLessEqual(size, 64 * 1024)

    def test_a_stalled_stdout_never_stalls_the_supervisor(self):
        w = self.script("writer.py", WRITER)
        self.service("noisy", f"type: oneshot\ncommand: [{harness.PY}, {w}, noisy, '200000']\n")
        self.service("orphans", "command: \"while :; do (sleep 0.05 &); sleep 0.05; done\"\n")
        self.service("crash", f"command: \"{svc.stamp(self.path('starts'))}; exit 1\"\n"
                              "backoff: {initial: 100ms, factor: 1, max: 100ms}\n"
                              "start_limit: {burst: 1000, interval: 1s}\n")
        c, r = self.run_with_stdout_pipe()
        # Read a little, then stop reading: the pipe fills up, and noisy,
        # paused, cannot finish while nobody reads.
        got = bytearray(os.read(r, 65536))
        t_stall = time.monotonic()
        starts_before = len(self.stamps("starts"))
        reaped_before = None
        answered = 0
        seen = {}  # a zombie of corral's: when it was first seen

        def stalled_long_enough():
            nonlocal answered, reaped_before
            # A zombie is seen at some moment of its scan, so it has been
            # one at least from the end of the scan that first saw it to the
            # start of a scan that sees it again. Reaped, it is gone at
            # once; one still there 2 s later was never reaped (corral was
            # not starved that long), however many come and go meanwhile.
            before = time.monotonic()
            now = corral_zombies(c)
            after = time.monotonic()
            for z in now:
                self.assertLess(before - seen.setdefault(z, after), 2.0,
                                f"zombie {z[0]} left unreaped while stdout was stalled")
            # The control socket answers all along (corralctl's own output
            # goes to a pipe of this test, not to the stalled one), and
            # corral's count of reaped orphans goes on.
            res, objs = ctl_json(self, "status")
            if res.returncode != 0:
                return False
            answered += 1
            reaped = objs[0]["result"]["corral"]["orphans_reaped"]
            if reaped_before is None:
                reaped_before = reaped
            starts = len(self.stamps("starts")) - starts_before
            return (after - t_stall >= 3 and answered >= 5 and reaped - reaped_before >= 10
                    and starts >= 10)

        harness.wait_for(stalled_long_enough, 60, interval=0.05,
                         what="answers, reaped orphans and restarts while stdout was stalled")
        # The stall held all along: noisy could not finish.
        self.assertEqual(status(self)[0]["noisy"]["state"], "starting")
        self.assertIsNone(c.proc.poll())
        # Resume reading: every line of noisy still arrives.
        t = harness.drain_in_background(r, got)
        harness.wait_for(lambda: b"noisy line 0199999" in got, 60, what="the last line")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)
        t.join(10)
        nums = [int(m) for m in re.findall(rb"noisy +\| noisy line (\d{7}) ", bytes(got))]
        self.assertEqual(nums, list(range(200000)))

    def loud_crash_loop_on_a_stalled_stderr(self):
        """A crash loop whose every exit prints ten 60 KB lines under it, with
        corral's stderr a pipe nobody reads yet: returns (corral, read end)
        once it has exited 40 times (which would queue 24 MB)."""
        big = "for i in 1 2 3 4 5 6 7 8 9 10; do head -c 60000 /dev/zero | tr '\\\\0' x; echo; done"
        self.service("loud", f"command: \"{svc.stamp(self.path('starts'))}; {big}; exit 1\"\n"
                             "logs: {stdout: none, ring_size: 1MiB}\n"
                             "backoff: {initial: 10ms, factor: 1, max: 10ms}\n"
                             "start_limit: {burst: 1000, interval: 1s}\n")
        r, wfd = os.pipe()
        self.addCleanup(os.close, r)
        c = self.run_services(stderr=wfd)
        os.close(wfd)
        harness.wait_for(lambda: os.path.exists(self.path("starts"))
                         and len(self.stamps("starts")) >= 40, 60, what="40 starts")
        return c, r

    def test_a_stalled_stderr_never_keeps_corral_from_exiting(self):
        c, r = self.loud_crash_loop_on_a_stalled_stderr()
        c.signal(signal.SIGTERM)
        # It waits at most a second per stalled stream, then drops the rest.
        self.assertEqual(c.wait(8), 0)

    def test_a_stalled_stderr_bounds_corrals_own_lines_and_says_what_it_dropped(self):
        # Those tails and the state lines must stop queueing at LOG_QUEUE_MAX
        # (1 MiB), counted; once stderr is read again, one line says how many
        # were dropped.
        c, r = self.loud_crash_loop_on_a_stalled_stderr()
        # The loop is stopped (the control socket answers all along), so that
        # what was queued during the stall is all that comes before the notice.
        self.assertEqual(ctl(self, "stop", "loud").returncode, 0)
        got = bytearray()
        t = harness.drain_in_background(r, got)
        said = re.compile(rb"corral: (\d+) of corral's own lines were dropped while "
                          rb"its stderr did not keep up\n")
        harness.wait_for(lambda: said.search(bytes(got)), 30, what="the count of dropped lines")
        m = said.search(bytes(got))
        self.assertGreater(int(m.group(1)), 10)
        # What was queued when reading resumed (it comes before the notice):
        # the pipe's 64 KiB, 1 MiB, and the one tail that crossed the mark.
        self.assertLess(m.start(), 64 * 1024 + (1 << 20) + 700 * 1000,
                        "corral queued its stalled stderr without bound")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)
        t.join(10)
        # What did arrive is whole lines: every tail line is all 60,000 x's.
        for line in bytes(got).splitlines():
            if b"| xxx" in line:
                self.assertTrue(line.endswith(b"x" * 60000), line[:80])

    def test_overflow_drop_never_blocks_the_service_and_counts_what_it_drops(self):
        w = self.script("writer.py", WRITER)
        done = self.path("done")
        self.service("noisy", f"type: oneshot\ncommand: \"{harness.PY} {w} noisy 200000 && touch {done}\"\n"
                              "logs: {overflow: drop}\n")
        c, r = self.run_with_stdout_pipe()
        got = bytearray(os.read(r, 65536))
        # Nobody reads corral's stdout, yet all 200,000 lines get written:
        # with overflow: drop the service never blocks in write.
        harness.wait_for(lambda: os.path.exists(done), 30, what="the writer to finish unread")
        t = harness.drain_in_background(r, got)
        said = re.compile(rb"noisy: dropped (\d+) lines")
        def count():
            return said.search(bytes(got)) or said.search(c.stderr().encode())
        harness.wait_for(count, 30, what="the count of dropped lines")
        self.assertEqual(c.wait(20), 0)  # the oneshot finished: so does corral
        t.join(10)
        dropped = int(count().group(1))
        nums = [int(n) for n in re.findall(rb"noisy +\| noisy line (\d{7}) ", bytes(got))]
        self.assertGreater(dropped, 0)
        # Whole lines are dropped, never parts of one, and the count is exact.
        self.assertEqual(len(nums) + dropped, 200000)
        self.assertEqual(nums, sorted(set(nums)), "a line arrived twice or out of order")

    def test_rotation_keeps_keep_files_and_loses_no_line(self):
        log = self.path("svc.log")
        w = self.script("writer.py", WRITER)
        self.service("rot", f"type: oneshot\ncommand: [{harness.PY}, {w}, rot, '20000']\n"
                            f"logs: {{stdout: file, file: {log}, max_size: 100KiB, keep: 3}}\n")
        c = self.run_services()
        self.assertEqual(c.wait(30), 0)
        files = sorted(f for f in os.listdir(self.tmp) if f.startswith("svc.log"))
        self.assertEqual(files, ["svc.log", "svc.log.1", "svc.log.2", "svc.log.3"])
        lines = []
        for f in ["svc.log.3", "svc.log.2", "svc.log.1", "svc.log"]:
            self.assertLessEqual(os.path.getsize(self.path(f)), 100 * 1024)
            lines += harness.read(self.path(f)).splitlines()
        nums = [int(l.split()[2]) for l in lines]
        # The oldest rotated away; the kept ones are contiguous up to the end.
        self.assertEqual(nums, list(range(nums[0], 20000)))
        self.assertGreater(len(nums), 3 * 1000)
        self.assertNotIn("rot line", c.stdout(), "file only: nothing on stdout")

    def test_the_json_sink_parses_line_by_line(self):
        self.service("j", "type: oneshot\nlogs: {stdout: json}\n"
                          "command: \"echo plain; echo 'quote \\\" and \\\\ back'; printf 'bad \\\\377\\\\n'\"\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 0)
        objs = [json.loads(l) for l in c.stdout().splitlines()]
        self.assertEqual([o["line"] for o in objs], ["plain", 'quote " and \\ back', "bad \u00ff"])
        self.assertEqual({o["service"] for o in objs}, {"j"})
        self.assertTrue(all(o["stream"] == "stdout" and o["time"].endswith("Z") for o in objs))

    def test_corralctl_logs_gives_a_line_with_a_nul_byte_whole(self):
        self.service("nul", "command: \"printf 'a\\\\000b\\\\n'; exec sleep 1000\"\n")
        self.run_services()
        harness.wait_for(lambda: "a" in ctl(self, "logs", "nul").stdout, 10, what="the line")
        r = ctl(self, "logs", "nul")
        self.assertEqual((r.returncode, r.stdout), (0, "a\0b\n"), r.stderr)
        r = ctl(self, "--json", "logs", "nul")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["result"]["lines"][0]["line"], "a\0b")

    def test_a_partial_line_is_flushed_and_a_long_line_is_split_with_a_marker(self):
        # The rest of the line comes only once the test has seen its start.
        gate = self.path("gate")
        self.service("p", f"command: \"printf 'no newline yet'; until [ -e {gate} ]; do sleep 0.05; "
                          "done; echo ' rest'; "
                          "head -c 70000 /dev/zero | tr '\\\\0' y; echo; sleep 100\"\n")
        c = self.run_services()
        harness.wait_for(lambda: "p | no newline yet\n" in c.stdout(), 10, what="the partial line")
        open(gate, "w").close()
        harness.wait_for(lambda: "p +  rest\n" in c.stdout(), 5, what="its continuation")
        harness.wait_for(lambda: re.search(r"^p \+ y+\n", c.stdout(), re.M), 5, what="split")
        long = [l for l in c.stdout().splitlines() if "yyyy" in l]
        self.assertEqual(len(long), 2)
        self.assertTrue(long[0].startswith("p | ") and long[1].startswith("p + "))
        self.assertEqual(sum(l.count("y") for l in long), 70000)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(), 0)

    def test_a_failed_service_s_last_lines_come_under_its_exit_when_not_shown_live(self):
        self.service("crash", "type: oneshot\ncommand: \"for i in $(seq 1 15); do echo step $i; "
                              "done; echo 'cause: disk full' >&2; exit 3\"\n"
                              "logs: {stdout: none}\n")
        c = self.run_services()
        self.assertEqual(c.wait(), 3)
        err = c.stderr()
        i = err.index("crash: failed (exited 3)")
        tail = err[i:].splitlines()[1:12]
        self.assertEqual(tail[0], "corral: crash: its last 10 lines:")
        self.assertIn("crash | cause: disk full", tail)
        self.assertIn("crash | step 15", tail)
        self.assertNotIn("crash | step 5", tail)

    def test_lines_shown_live_are_not_printed_again_under_a_failed_exit(self):
        self.service("loop", "command: \"echo run $$; exit 1\"\n"
                             "backoff: {initial: 10ms}\nstart_limit: {burst: 4, interval: 1m}\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--log-format", "json"])
        harness.wait_for(lambda: "loop: fatal" in c.stderr(), 10, what="fatal")
        c.signal(signal.SIGTERM)
        c.wait()
        lines = [json.loads(l) for l in c.stdout().splitlines()]
        runs = [o["line"] for o in lines if o["service"] == "loop"]
        self.assertEqual(len(runs), 4)
        self.assertEqual(len(set(runs)), 4, "each line once")
        self.assertNotIn("its last", c.stderr())

    def test_only_this_run_s_lines_are_replayed_and_json_marks_them(self):
        # A restart at once, in the same millisecond as the last line of the
        # run before: only the run's own line comes under its exit.
        self.service("twice", "command: \"echo run $$; exit 1\"\nlogs: {stdout: none}\n"
                              "backoff: {initial: 10ms}\nstart_limit: {burst: 3, interval: 1m}\n")
        self.service("idle", "command: [sleep, '1000']\n")
        c = self.run_services(args=["--log-format", "json"])
        harness.wait_for(lambda: "twice: fatal" in c.stderr(), 10, what="fatal")
        c.signal(signal.SIGTERM)
        c.wait()
        err = [json.loads(l) for l in c.stderr().splitlines()]
        heads = [e for e in err if e["service"] == "corral" and "its last" in e["line"]]
        self.assertEqual([e["line"] for e in heads], ["twice: its last line:"] * 3)
        replayed = [e for e in err if e["service"] == "twice"]
        self.assertEqual(len(replayed), 3)
        self.assertTrue(all(e.get("replay") is True for e in replayed))
        self.assertEqual(len({e["line"] for e in replayed}), 3, "each run its own line")

    def test_timestamps_stamp_the_services_lines_and_corral_s_own(self):
        cfg = self.write_conf("timestamps: true\n")
        self.service("t", "type: oneshot\ncommand: 'echo hello; echo oops >&2; exit 3'\n")
        c = self.run_services(args=["--config", cfg])
        self.assertEqual(c.wait(), 3)
        stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z "
        self.assertRegex(c.stdout(), "^" + stamp + r"t \| hello\n")
        # corral's own lines and the service's stderr all carry a time.
        err = c.stderr().splitlines()
        self.assertTrue(any(l.endswith("t | oops") for l in err), err)
        for line in err:
            self.assertRegex(line, "^" + stamp + r"(t \| (hello|oops)|corral: )")

    def test_log_format_json_makes_every_line_json(self):
        self.service("one", "type: oneshot\ncommand: 'echo hello; echo oops >&2; exit 4'\n")
        c = self.run_services(args=["--log-format", "json"])
        self.assertEqual(c.wait(), 4)
        out = [json.loads(l) for l in c.stdout().splitlines()]
        err = [json.loads(l) for l in c.stderr().splitlines()]
        # Service lines, stderr ones included, are one JSON stream on stdout.
        self.assertEqual(sorted((o["service"], o["stream"], o["line"]) for o in out),
                         [("one", "stderr", "oops"), ("one", "stdout", "hello")])
        own = [e for e in err if e["service"] == "corral"]
        self.assertTrue(any(e["line"].startswith("exiting 4") for e in own))
        self.assertTrue(all(e["level"] in ("error", "warn", "info", "debug") for e in own))

    def test_stdout_on_dev_null_is_fine(self):
        # epoll refuses /dev/null: corral must still start and run.
        self.service("one", "type: oneshot\ncommand: 'echo hello'\n")
        c = self.run_services(stdout=subprocess.DEVNULL)
        self.assertEqual(c.wait(), 0, c.stderr())

    def test_the_pure_init_main_keeps_corral_s_own_stdout(self):
        c = self.corral(["sh", "-c", "echo direct; ls -l /proc/self/fd/1 >&2"])
        self.assertEqual(c.wait(), 0)
        self.assertEqual(c.stdout(), "direct\n")


if __name__ == "__main__":
    harness.main()
