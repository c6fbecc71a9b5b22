"""harness.py - runs the real corral as PID 1 of a new PID namespace
(unshare --pid --fork --mount-proc) and observes it from outside through
/proc and files. Every wait has a deadline; only processes the test started
are killed, by pid."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

CORRAL = os.environ.get("CORRAL_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "daemon", "corral")
CORRALCTL = os.environ.get("CORRALCTL_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "ctl", "corralctl")
PY = sys.executable


def wait_for(pred, timeout=10.0, interval=0.01, what="condition"):
    """Polls pred until it returns a true value; fails the test at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def drain_in_background(fd, got, rnd=None):
    """Reads fd into the bytearray got until EOF, in a thread; with rnd (a
    random.Random), in reads of random sizes with random stalls between
    them, as a slow and uneven log reader would."""
    def drain():
        while True:
            if rnd and rnd.random() < 0.2:
                time.sleep(rnd.random() * 0.05)
            b = os.read(fd, rnd.choice((512, 4096, 65536, 1 << 20)) if rnd else 1 << 16)
            if not b:
                break
            got.extend(b)
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    return t


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def sanitized(binary=None):
    """Whether binary (corral by default) is built with AddressSanitizer."""
    out = subprocess.run(["ldd", binary or CORRAL], capture_output=True, text=True).stdout
    return "libasan" in out


# ASan keeps freed memory in a quarantine (256 MiB by default), so corral's
# resident memory under it grows with every allocation ever made: a test that
# bounds what corral holds runs it with none. Its shadow, redzones and stack
# records still add to what is measured.
NO_QUARANTINE = {"ASAN_OPTIONS": ":".join(filter(None, [
    os.environ.get("ASAN_OPTIONS", ""),
    "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"]))}


def proc_stat(pid):
    """(state, ppid, pgrp, tpgid) of a host pid, or None when it is gone."""
    s = read(f"/proc/{pid}/stat")
    if not s:
        return None
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1]), int(rest[2]), int(rest[5])


def children_of(pid):
    """pid's children; none once pid is gone (it may go while it is read)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    kids = []
    for t in tasks:
        kids += [int(x) for x in read(f"/proc/{pid}/task/{t}/children").split()]
    return kids


def fd_links(pid):
    """What pid's open fds point at; an fd closed while they are read is
    skipped, as the listing and each readlink are not one snapshot."""
    links = []
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return links
    for fd in fds:
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return links


def private_run_and_tmp(tmp, then):
    """A shell line for a container's view: its own /run and /tmp (tmpfs),
    the test's directory as /run/t, corral and corralctl copied to /run/bin
    (a build under /tmp would be hidden); then `then`, and corral ("$1") runs
    as /run/bin/corral with the rest of the arguments."""
    return ("mount -t tmpfs -o mode=0755 tmpfs /run && mkdir /run/t /run/bin && "
            f"mount --bind {tmp} /run/t && cp \"$1\" /run/bin/corral && "
            f"cp {CORRALCTL} /run/bin/corralctl && shift && "
            f"mount -t tmpfs -o mode=1777 tmpfs /tmp && {then} /run/bin/corral \"$@\"")


def free_port():
    """A TCP port of 127.0.0.1 free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(port, request, timeout=5):
    """Sends request to 127.0.0.1:port and reads to EOF: (head, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(request)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body.decode(errors="replace")


def can_enter(pid):
    """Whether nsenter may enter pid's namespaces: root without
    CAP_SYS_PTRACE (a container's default) may not, for another uid's."""
    try:
        os.close(os.open(f"/proc/{pid}/ns/pid", os.O_RDONLY))
        return True
    except PermissionError:
        return False
    except OSError:
        return True


def pid_ns(pid):
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def ns_pid_of(host_pid):
    """The pid of a host process as seen inside its own (innermost) namespace."""
    for line in read(f"/proc/{host_pid}/status").splitlines():
        if line.startswith("NSpid:"):
            return int(line.split()[-1])
    return None


def pids_cgroup():
    """Creates a pids cgroup (v2 or v1) and returns its directory, or None."""
    name = f"corral-test-{os.getpid()}-{time.monotonic_ns()}"
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        base = "/sys/fs/cgroup"
        if "pids" not in read(base + "/cgroup.subtree_control").split():
            try:
                with open(base + "/cgroup.subtree_control", "w") as f:
                    f.write("+pids")
            except OSError:
                return None
    elif os.path.isdir("/sys/fs/cgroup/pids"):
        base = "/sys/fs/cgroup/pids"
    else:
        return None
    d = os.path.join(base, name)
    try:
        os.mkdir(d)
    except OSError:
        return None
    return d



def remove_cgroup(cg):
    """Kills what is left in cgroup cg (by pid) and removes it, bounded."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.rmdir(cg)
            return
        except OSError:
            for p in read(cg + "/cgroup.procs").split():
                try:
                    os.kill(int(p), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)


# The corrals of the test running now, so that a failure can show what
# they said (their stderr files go with the test's temp dir).
_live = []


class Corral:
    """One corral under test. Use as a context manager: it is killed on exit."""

    def __init__(self, tmp, main, args=(), pid1=True, env=None, stdin=None,
                 stdout=None, stderr=None, preexec=None, wrapper=(), pass_fds=()):
        self.tmp = tmp
        self.out_path = os.path.join(tmp, "corral.out")
        self.err_path = os.path.join(tmp, "corral.err")
        cmd = [CORRAL, *args, "--", *main] if main else [CORRAL, *args]
        if pid1:
            cmd = ["unshare", "--pid", "--fork", "--mount-proc", *cmd]
        cmd = [*wrapper, *cmd]
        self._out = open(self.out_path, "wb") if stdout is None else None
        self._err = open(self.err_path, "wb") if stderr is None else None
        full_env = dict(os.environ)
        # Each test its own control socket (tests run in parallel; corralctl
        # finds it through the same variable).
        full_env["CORRAL_SOCKET"] = os.path.join(tmp, "corral.sock")
        full_env.update(env or {})
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, cwd=tmp, env=full_env,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self._out,
            stderr=stderr if stderr is not None else self._err,
            preexec_fn=preexec, pass_fds=pass_fds)
        self.pid1 = pid1
        _live.append(self)
        try:
            self.pid = self._find_corral() if (pid1 or wrapper) else self.proc.pid
        except BaseException:
            self.close()
            raise

    def _find_corral(self):
        def find():
            todo = [self.proc.pid]
            while todo:
                p = todo.pop()
                # Its children first, then its name: a process that runs
                # corral by exec (unshare's child, a wrapper) can exec and
                # fork a service between the two looks, and that child,
                # not yet exec'd, is named corral too. Listed after the
                # exec, the children come with the name corral.
                kids = children_of(p)
                if read(f"/proc/{p}/comm").strip() == "corral":
                    return p
                todo += kids
            if self.proc.poll() is not None:
                return -1  # already done: the caller will look at its exit code
            return None
        return wait_for(find, 10, what="corral to start")

    def ns_pids(self):
        """Host pids of every process in corral's PID namespace but corral."""
        ns = pid_ns(self.pid)
        out = []
        for d in os.listdir("/proc"):
            if d.isdigit() and int(d) != self.pid and pid_ns(d) == ns:
                out.append(int(d))
        return out

    def zombies(self):
        out = []
        for p in self.ns_pids() if self.pid1 else self.descendants():
            st = proc_stat(p)
            if st and st[0] == "Z":
                out.append(p)
        return out

    def descendants(self):
        out, todo = [], [self.pid]
        while todo:
            kids = children_of(todo.pop())
            out += kids
            todo += kids
        return out

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout=15):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"corral still running after {timeout}s; stderr: {self.stderr()}")

    def elapsed(self):
        return time.monotonic() - self.started

    def stderr(self):
        return read(self.err_path)

    def stdout(self):
        return read(self.out_path)

    def close(self):
        if self.proc.poll() is None and getattr(self, "pid", -1) > 0:
            # The namespace dies with its PID 1; outside one, kill the tree we made.
            pids = [self.pid] + ([] if self.pid1 else self.descendants())
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        for f in (self._out, self._err):
            if f:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TestCase(unittest.TestCase):
    """Gives each test its own temp dir and requires root (for unshare)."""

    def setUp(self):
        _live.clear()
        if os.geteuid() != 0:
            self.skipTest("needs root for unshare --pid")
        if not os.path.exists(CORRAL):
            self.fail(f"corral binary not found at {CORRAL}")
        self.tmp = tempfile.mkdtemp(prefix="corral-e2e-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def script(self, name, text):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, 0o755)
        return p

    def corral(self, main, **kw):
        c = Corral(self.tmp, main, **kw)
        self.addCleanup(c.close)
        return c


class _Result(unittest.TextTestResult):
    """Prints the stderr of the test's corrals when it fails (before its temp
    dir is removed), so that a CI log says what corral saw."""

    def _dump(self, test):
        for c in _live:
            lines = read(c.err_path).splitlines()[-40:]
            self.stream.write(f"\n--- corral stderr ({c.err_path}), last {len(lines)} lines:\n")
            self.stream.write("\n".join(lines) + "\n")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._dump(test)

    def addError(self, test, err):
        super().addError(test, err)
        self._dump(test)


def main():
    """Runs the calling module's tests; exits 77 (ctest's skip) when all were skipped."""
    runner = unittest.TextTestRunner(verbosity=2, resultclass=_Result)
    prog = unittest.main(module="__main__", exit=False, testRunner=runner)
    r = prog.result
    if r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(77)
    sys.exit(0 if r.wasSuccessful() else 1)
