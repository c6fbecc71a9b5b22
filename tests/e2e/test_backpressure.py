"""Back-pressure: while corral's stdout is not read, a service is not read
either once one read of it waits (corral holds no more of it than that,
and a crash loop's runs add no more: once 8 pipes are held unread, the
next run waits); it is read again as the output takes
more, with nothing lost, torn or repeated whatever the interleaving, its
streams taking turns; its stderr still gets through; a reader that goes
away never leaves a service blocked; a service removed while its lines
wait leaves them to be written, and nothing behind; a service that keeps
its pipe full gets a larger one, within a budget that a closed pipe gives
back."""

import collections
import fcntl
import json
import os
import random
import re
import signal
import threading
import time

import harness
import svc
from ctl import ctl, status

# Writes numbered lines of 100 bytes one write(2) each, for ever, and after
# each one the number of lines written so far into a counter file.
COUNTING = r'''
import os, sys
count = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
i = 0
while True:
    os.write(1, b"bp %07d " % i + b"x" * 88 + b"\n")
    i += 1
    os.pwrite(count, b"%10d\n" % i, 0)
'''

# A oneshot: lines "NAME out|err NNNNNNN ..." of random lengths in bursts
# of random sizes to stdout and stderr, with random pauses, from its seed.
BURSTS = r'''
import os, random, sys, time
name, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
count = {1: 0, 2: 0}
while count[1] < n or count[2] < n // 4:
    fd = 1 if rnd.random() < 0.8 or count[2] >= n // 4 else 2
    if count[fd] >= (n if fd == 1 else n // 4):
        fd = 3 - fd
    k = rnd.choice((1, 1, 3, 20, 200, 2000))
    buf = bytearray()
    for _ in range(k):
        if count[fd] >= (n if fd == 1 else n // 4):
            break
        tag = "out" if fd == 1 else "err"
        buf += b"%s %s %07d %s\n" % (name.encode(), tag.encode(), count[fd],
                                     b"z" * rnd.randrange(0, 300))
        count[fd] += 1
    mv = memoryview(buf)
    while mv:
        mv = mv[os.write(fd, mv):]
    if rnd.random() < 0.05:
        time.sleep(rnd.random() * 0.02)
'''


# N writes of 64 KiB of 100-byte lines to stdout; then, once the file QUERY
# exists ("-": at once), the size of its stdout pipe (F_GETPIPE_SZ) into
# REPORT; then it exits, or with "stay" stays (its pipe open).
CHATTY = r'''
import fcntl, os, sys, time
report, writes, query, then = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
buf = (b"c" * 99 + b"\n") * 655
for _ in range(writes):
    mv = memoryview(buf)
    while mv:
        mv = mv[os.write(1, mv):]
while query != "-" and not os.path.exists(query):
    time.sleep(0.02)
with open(report + ".tmp", "w") as f:
    f.write("%d\n" % fcntl.fcntl(1, 1032))  # F_GETPIPE_SZ
os.rename(report + ".tmp", report)
while then == "stay":
    time.sleep(1000)
'''

# 40 writes of 16 KiB of lines like CHATTY's, 50 ms apart, then the size of
# its stdout pipe into REPORT.
QUIET = r'''
import fcntl, os, sys, time
buf = (b"c" * 99 + b"\n") * 160
for _ in range(40):
    os.write(1, buf)
    time.sleep(0.05)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % fcntl.fcntl(1, 1032))  # F_GETPIPE_SZ
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
'''


# A crash-looping run: its number (counted in the file RUNS) on each of
# 600 lines of 99 bytes in one write, then exit 1; once the file CALM
# exists, it stays up instead.
CRASH_LOOP = r'''
import os, sys, time
try:
    n = int(open(sys.argv[1]).read()) + 1
except (OSError, ValueError):
    n = 1
with open(sys.argv[1], "w") as f:
    f.write("%d\n" % n)
os.write(1, b"".join(b"run %04d line %03d %s\n" % (n, i, b"y" * 80) for i in range(600)))
while os.path.exists(sys.argv[2]):
    time.sleep(1000)
sys.exit(1)
'''


class PacedReader(threading.Thread):
    """Reads fd until EOF in 64 KiB reads with a pause after each: corral's
    stdout keeps filling, and a service that keeps its own pipe full then
    finds corral reading it full each time. Counts the lines "NAME | c...c"
    of each NAME as they come (counts), and with pause_at stops reading
    once it has that many bytes, until resume is set."""

    def __init__(self, fd, pause_at=None):
        super().__init__(daemon=True)
        self.fd, self.pause_at = fd, pause_at
        self.got = bytearray()
        self.counts = collections.Counter()
        self.paused, self.resume = threading.Event(), threading.Event()
        self.start()

    def run(self):
        line = re.compile(rb"^(\S+) +\| c{99}$", re.M)
        done = 0  # bytes counted: up to the last newline seen
        while True:
            if self.pause_at is not None and len(self.got) >= self.pause_at:
                self.paused.set()
                self.resume.wait()
                self.pause_at = None
            b = os.read(self.fd, 65536)
            if not b:
                return
            self.got += b
            end = self.got.rfind(b"\n") + 1
            if end > done:
                for m in line.finditer(bytes(self.got[done:end])):
                    self.counts[m.group(1).decode()] += 1
                done = end
            time.sleep(0.002)


def can_grow_pipes():
    """Whether this user may have a pipe of 1 MiB (pipe-max-size, and the
    uid's pipe-user-pages-soft without CAP_SYS_RESOURCE)."""
    r, w = os.pipe()
    try:
        return fcntl.fcntl(r, 1031, 1 << 20) >= 1 << 20  # F_SETPIPE_SZ
    except OSError:
        return False
    finally:
        os.close(r)
        os.close(w)


def vmrss_kib(c):
    """corral's resident memory, from /proc (host pid of PID 1)."""
    for line in harness.read(f"/proc/{c.pid}/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS for corral")


class Backpressure(svc.ServiceTest):
    def run_stalled(self, **kw):
        """corral on the services with its stdout a pipe that nobody reads
        until the test does: (corral, read end)."""
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        c = self.run_services(stdout=w, **kw)
        os.close(w)
        return c, r

    def stop_draining(self, c, r):
        """SIGTERM to corral while its stdout is read again: it exits 0."""
        c.signal(signal.SIGTERM)
        t = harness.drain_in_background(r, bytearray())
        self.assertEqual(c.wait(20), 0)
        t.join(10)

    def counted(self):
        path = self.path("count")
        text = harness.read(path).strip()
        return int(text) if text else 0

    def wait_blocked(self):
        """Until the counting service has stopped writing for a second:
        returns how many lines it wrote."""
        last, since = -1, time.monotonic()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            n = self.counted()
            if n != last:
                last, since = n, time.monotonic()
            elif n > 0 and time.monotonic() - since > 1.0:
                return n
            time.sleep(0.05)
        self.fail(f"the service never blocked: {last} lines written")

    def test_a_stalled_stdout_holds_at_most_one_read_of_a_service(self):
        w = self.script("count.py", COUNTING)
        self.service("bp", f"command: [{harness.PY}, {w}, {self.path('count')}]\n")
        c, r = self.run_stalled()
        n = self.wait_blocked()
        # What the service wrote sits in its pipe (64 KiB), in corral's
        # stdout pipe (64 KiB of prefixed lines) and, at most, one read of
        # 64 KiB in corral's queue: about 1,900 lines of 100 bytes. Reading
        # on until 256 KiB were queued made it about 4,500.
        self.assertLess(n * 100, 3 * 65536 + 32768,
                        f"{n} lines written: corral kept reading a service whose lines waited")
        got = bytearray()
        harness.drain_in_background(r, got)
        harness.wait_for(lambda: b"bp %07d " % (n + 5000) in got, 30, what="lines after the stall")
        nums = [int(m) for m in re.findall(rb"^bp +\| bp (\d{7}) x{88}$", bytes(got), re.M)]
        self.assertEqual(nums[:n + 5000], list(range(n + 5000)), "lost, torn or repeated lines")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)

    def test_a_service_stalled_on_stdout_still_gets_its_stderr_through(self):
        # Its stdout blocks (nobody reads corral's); a second process of
        # the service then writes to stderr, which corral writes to its own
        # stderr (a file here) at once.
        w = self.script("count.py", COUNTING)
        self.service("bp", f"command: \"{harness.PY} {w} {self.path('count')} & "
                           "sleep 2; echo said on stderr >&2; wait\"\n")
        c, r = self.run_stalled()
        self.wait_blocked()
        harness.wait_for(lambda: "said on stderr" in c.stderr(), 15,
                         what="the stderr line of a service blocked on stdout")
        self.stop_draining(c, r)

    def test_a_crash_loop_on_a_stalled_stdout_holds_a_bounded_amount(self):
        # Each run prints 600 numbered lines (59,400 bytes) and fails: its
        # pipe takes them all, so without a bound runs would go on while
        # nobody reads corral's stdout, each adding its lines to corral's
        # memory (when the new pipes were read) or its two pipes to corral's
        # open fds (when they were not), until corral could start nothing.
        # What it reads is bounded by the queue; the pipes it holds unread,
        # by putting the next run off until the output takes their lines.
        runs, calm = self.path("runs"), self.path("calm")
        loop = self.script("loop.py", CRASH_LOOP)
        self.service("loop", f"command: [{harness.PY}, {loop}, {runs}, {calm}]\n"
                             "backoff: {initial: 10ms, factor: 1, max: 10ms}\n"
                             "start_limit: {burst: 40, interval: 1m}\n")

        def started():
            text = harness.read(runs).strip() if os.path.exists(runs) else ""
            return int(text) if text else 0

        c, r = self.run_stalled(env=harness.NO_QUARANTINE)
        harness.wait_for(lambda: started() >= 3, 30, what="3 runs")
        rss0 = vmrss_kib(c)
        harness.wait_for(lambda: "its earlier runs' lines wait for corral's output"
                         in ctl(c, "status").stdout, 30, what="the run put off")
        # 8 held, or 9 when the last run's stderr was held with its stdout.
        self.assertRegex(c.stderr(), r"loop: its next run waits: [89] pipes of its earlier runs "
                                     r"hold lines")
        held, fds = started(), len(os.listdir(f"/proc/{c.pid}/fd"))
        time.sleep(1)  # 100 retries at 10 ms
        self.assertEqual(started(), held, "a run started while its earlier runs' pipes were held")
        # (one more at most: a look at the PID budget may hold pids.current
        # open just then)
        self.assertLessEqual(len(os.listdir(f"/proc/{c.pid}/fd")), fds + 1, "corral's fds grew")
        # 100 tries to start it within the second, more than start_limit
        # allows in a minute: a run put off is not a start, and the service
        # is not fatal.
        self.assertEqual(status(self)[0]["loop"]["state"], "backoff")
        self.assertNotIn("fatal", c.stderr())
        grew = vmrss_kib(c) - rss0
        # A run is about 64 KiB of prefixed lines: the queue's bound
        # (256 KiB) and a read.
        self.assertLess(grew, 1536, f"corral grew by {grew} KiB over {held} runs")
        # The output is read again: every held run's lines come out, in
        # order and whole, and the next run starts (and stays up).
        open(calm, "w").close()
        got = bytearray()
        drain = harness.drain_in_background(r, got)
        harness.wait_for(lambda: started() > held, 30, what="a run after the output was read")
        harness.wait_for(lambda: "started: corral's output took its earlier runs' lines"
                         in c.stderr(), 10, what="the start after the wait")
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)
        drain.join(10)  # to the end of corral's stdout
        lines = collections.defaultdict(list)
        for m in re.finditer(rb"^loop +\| run (\d{4}) line (\d{3}) y{80}$", bytes(got), re.M):
            lines[int(m.group(1))].append(int(m.group(2)))
        for n in range(1, held + 1):
            self.assertEqual(lines[n], list(range(600)), f"run {n}: lines lost, torn or repeated")

    def test_both_streams_of_a_service_go_on_into_one_slow_output(self):
        # corral's stdout and stderr on one pipe (2>&1; --log-format json
        # does the same), two fast writers, one per stream, behind a slow
        # reader. Each pull of the service begins with the stream that did
        # not fill the output last time, so neither waits for ever behind
        # the other.
        q = "q" * 60
        self.service("two", f"command: \"yes 'out {q}' & yes 'err {q}' >&2 & wait\"\n")
        r, wfd = os.pipe()
        self.addCleanup(os.close, r)
        c = self.run_services(stdout=wfd, stderr=wfd)  # 2>&1
        os.close(wfd)
        got = bytearray()
        end = time.monotonic() + 3
        while time.monotonic() < end:  # a slow reader: 4 KiB a millisecond
            got += os.read(r, 4096)
            time.sleep(0.001)
        text = bytes(got)
        out, err = text.count(b"| out q"), text.count(b"| err q")
        self.assertGreater(out, (out + err) // 10, f"stdout starved: {out} lines, stderr {err}")
        self.assertGreater(err, (out + err) // 10, f"stderr starved: {err} lines, stdout {out}")
        harness.drain_in_background(r, got)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)

    def test_a_reader_that_goes_away_never_leaves_a_service_blocked(self):
        # Corral's stdout reader reads a little, then closes its end: what
        # the service writes from then on is dropped, and the service runs
        # on (blocked for ever, it would never finish).
        done = self.path("done")
        self.service("big", "type: oneshot\n"
                            "command: \"head -c 4000000 /dev/zero | tr '\\\\0' y | fold -w 99; "
                            f"touch {done}\"\n")
        self.service("other", "command: \"sleep 1000\"\n")
        r, wfd = os.pipe()
        c = self.run_services(stdout=wfd)
        os.close(wfd)
        harness.wait_for(lambda: len(os.read(r, 65536)) > 0, 15, what="the first lines")
        time.sleep(0.5)  # its lines wait in corral's queue now
        os.close(r)
        harness.wait_for(lambda: os.path.exists(done), 30,
                         what="the service to finish once nobody reads corral's stdout")
        self.assertEqual(ctl(self, "status", "other").returncode, 0)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)

    def test_a_service_removed_while_its_lines_wait_leaves_them_and_nothing_behind(self):
        # Its record goes (a reload without its file) while bytes of it wait
        # in corral's queue; the queue must not point at the freed record
        # (the sanitizer build sees any use of it), and those lines still
        # come, whole, when stdout is read again.
        w = self.script("count.py", COUNTING)
        self.service("gone", f"command: [{harness.PY}, {w}, {self.path('count')}]\n")
        self.service("stays", "command: \"while :; do echo still here; sleep 0.2; done\"\n")
        c, r = self.run_stalled()
        self.wait_blocked()
        os.unlink(os.path.join(self.dir, "gone.yaml"))
        self.assertEqual(ctl(self, "reload").returncode, 0)
        harness.wait_for(lambda: ctl(self, "status", "gone").returncode != 0, 20,
                         what="the service gone from status")
        got = bytearray()
        harness.drain_in_background(r, got)
        harness.wait_for(lambda: got.count(b"still here") >= 3, 20,
                         what="the other service's lines after the drain")
        for line in bytes(got).splitlines():
            if line.startswith(b"gone "):
                self.assertRegex(line, rb"^gone +\| bp \d{7} x{88}$")
        self.assertIn(b"gone  | bp 0000000 ", bytes(got))
        self.assertEqual(ctl(self, "status").returncode, 0)
        c.signal(signal.SIGTERM)
        self.assertEqual(c.wait(20), 0)

    def test_random_bursts_and_stalls_lose_tear_and_repeat_nothing(self):
        # Three services write bursts of lines of random lengths to stdout
        # and stderr while corral's stdout is read in random sizes with
        # random stalls: every line arrives once, whole, in order, to the
        # stream it was written to.
        seed = int(os.environ.get("CORRAL_SEED", time.time_ns() % 1000000))
        print(f"test_backpressure: random bursts seed={seed} (replay: CORRAL_SEED={seed})")
        rnd = random.Random(seed)
        w = self.script("bursts.py", BURSTS)
        names = ("a1", "b2", "c3")
        n = 4000
        for name in names:
            self.service(name, f"type: oneshot\n"
                               f"command: [{harness.PY}, {w}, {name}, '{rnd.randrange(1 << 30)}', '{n}']\n")
        c, r = self.run_stalled()
        got = bytearray()
        t = harness.drain_in_background(r, got, rnd=rnd)
        self.assertEqual(c.wait(120), 0, c.stderr()[-2000:])
        t.join(30)
        pat = re.compile(rb"^(a1|b2|c3) +[|] (a1|b2|c3) (out|err) (\d{7}) (z*)$")
        for where, text, tag, want in ((f"stdout (seed {seed})", bytes(got), b"out", n),
                                       (f"stderr (seed {seed})", c.stderr().encode(), b"err", n // 4)):
            seen = {name.encode(): [] for name in names}
            for line in text.splitlines():
                m = pat.match(line)
                if not m:
                    self.assertFalse(re.match(rb"^(a1|b2|c3) ", line), f"{where}: torn: {line[:80]!r}")
                    continue
                self.assertEqual(m.group(1), m.group(2), f"{where}: misattributed: {line[:80]!r}")
                self.assertEqual(m.group(3), tag, f"{where}: wrong stream: {line[:80]!r}")
                seen[m.group(1)].append(int(m.group(4)))
            for name, nums in seen.items():
                self.assertEqual(nums, list(range(want)), f"{where}: {name.decode()}: lost, "
                                 "repeated or out of order")

    def chatty(self, name, writes, query=None, stay=False, more=""):
        """A service running CHATTY: a oneshot, or with stay a service that
        stays once it has said its pipe's size."""
        w = self.script("chatty.py", CHATTY)
        args = [w, self.path(name + ".pipe"), str(writes),
                self.path(query) if query else "-", "stay" if stay else "exit"]
        self.service(name, ("" if stay else "type: oneshot\n") +
                     f"command: {json.dumps([harness.PY] + args)}\n" + more)

    def pipe_size(self, name):
        text = harness.read(self.path(name + ".pipe")).strip()
        return int(text) if text else None

    def run_paced(self, pause_at=None):
        """corral on the services, its stdout read by a PacedReader:
        (corral, reader)."""
        if not can_grow_pipes():
            self.skipTest("this user may not have pipes of 1 MiB")
        c, r = self.run_stalled()
        return c, PacedReader(r, pause_at)

    def stop_paced(self, c, reader):
        """SIGTERM to corral: it exits 0, and its stdout is read to EOF."""
        c.signal(signal.SIGTERM)
        reader.resume.set()
        self.assertEqual(c.wait(20), 0)
        reader.join(10)

    def test_a_service_that_keeps_its_pipe_full_gets_a_larger_one(self):
        # quiet writes 16 KiB every 50 ms for 2 s, which its pipe takes
        # without filling; then chatty writes 10 MiB as fast as it can.
        lines = 160 * 655
        self.service("quiet", "type: oneshot\n"
                              f"command: [{harness.PY}, {self.script('quiet.py', QUIET)}, "
                              f"{self.path('quiet.pipe')}]\n")
        self.chatty("chatty", 160, "go", more="depends_on: {quiet: {condition: completed}}\n")
        # The reader stops 700 KB short of the end: chatty's last lines wait
        # in its (grown) pipe when it exits and when corral is stopped.
        c, reader = self.run_paced(pause_at=(lines + 40 * 160) * 109 - 700000)
        harness.wait_for(lambda: self.pipe_size("quiet") is not None, 15, what="the quiet service")
        harness.wait_for(reader.paused.is_set, 60, what="most of chatty's lines")
        with open(self.path("go"), "w"):
            pass
        harness.wait_for(lambda: self.pipe_size("chatty") is not None, 15,
                         what="the chatty service's last lines")
        self.assertEqual(self.pipe_size("chatty"), 1 << 20,
                         "the pipe of a service that keeps it full did not grow")
        self.assertEqual(self.pipe_size("quiet"), 65536, "a quiet service's pipe grew")
        # At corral's exit, what is left in chatty's pipe is read and
        # written: every line arrives.
        self.stop_paced(c, reader)
        self.assertEqual(reader.counts["chatty"], lines, "lines lost or torn")
        self.assertEqual(reader.counts["quiet"], 40 * 160)

    def test_grown_pipes_stay_within_a_budget_that_closed_ones_give_back(self):
        # Six chatty services at once, their pipes all open: the budget
        # (4 MiB) takes four pipes of 1 MiB; the other two keep 64 KiB.
        # Once one of the four is stopped, its pipe closes, and a seventh
        # (started by hand) grows.
        names = ["c%d" % i for i in range(6)]
        for n in names:
            self.chatty(n, 48, "query", stay=True)  # 3 MiB each
        self.chatty("late", 48, "query-late", more="autostart: false\n")
        c, reader = self.run_paced()
        harness.wait_for(lambda: all(reader.counts[n] == 48 * 655 for n in names), 90,
                         interval=0.1, what="the lines of the six chatty services")
        with open(self.path("query"), "w"):
            pass
        harness.wait_for(lambda: all(self.pipe_size(n) is not None for n in names), 15,
                         what="the six pipe sizes")
        sizes = {n: self.pipe_size(n) for n in names}
        self.assertEqual(sorted(sizes.values()), [65536] * 2 + [1 << 20] * 4,
                         f"not four pipes of 1 MiB and two of 64 KiB: {sizes}")
        grown = [n for n in names if sizes[n] == 1 << 20]
        self.assertEqual(ctl(self, "stop", grown[0]).returncode, 0)
        self.assertEqual(ctl(self, "start", "late").returncode, 0)
        harness.wait_for(lambda: reader.counts["late"] == 48 * 655, 60, interval=0.1,
                         what="the lines of the late service")
        with open(self.path("query-late"), "w"):
            pass
        harness.wait_for(lambda: self.pipe_size("late") is not None, 15, what="the late service")
        self.assertEqual(self.pipe_size("late"), 1 << 20,
                         "the budget of a closed pipe was not given back")
        self.stop_paced(c, reader)


if __name__ == "__main__":
    harness.main()
