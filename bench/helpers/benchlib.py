"""benchlib.py - what bench/control and bench/logs share (Python 3 stdlib):
peers installed by apt when missing, corral built when not given, C helpers
compiled into a temporary directory, /proc reads, and the Procs registry
that kills exactly the processes the benchmark started, by pid."""

import os
import platform
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
REPO = os.path.dirname(BENCH)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def ensure_tools(bins, apt):
    """bins: {name: binary}; apt: {name: package}. apt-get installs what is missing."""
    missing = [n for n, b in bins.items() if not shutil.which(b)]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit("bench: missing %s; install them (apt-get install -y %s) or run as root"
                 % (", ".join(missing), " ".join(sorted({apt[n] for n in missing}))))
    pkgs = sorted({apt[n] for n in missing})
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log("bench: installing " + " ".join(pkgs))
    cmd = ["apt-get", "install", "-y", "--no-install-recommends"] + pkgs
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, stdout=subprocess.DEVNULL, check=False)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    still = [n for n, b in bins.items() if not shutil.which(b)]
    if still:
        sys.exit("bench: still missing after apt-get: " + ", ".join(still))


def ensure_corral(path, targets=("corral",)):
    """The corral binary (and corralctl beside it in a build tree)."""
    if path:
        if not os.access(path, os.X_OK):
            sys.exit("bench: --corral %s: not an executable" % path)
        return os.path.abspath(path)
    build = os.path.join(REPO, "build-bench3")
    log("bench: building %s in %s" % (", ".join(targets), build))
    subprocess.run(["cmake", "-S", REPO, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DCORRAL_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    for t in targets:
        subprocess.run(["cmake", "--build", build, "-j2", "--target", t], check=True,
                       stdout=subprocess.DEVNULL)
    return os.path.join(build, "daemon", "corral")


def build_helper(tmp, name):
    d = os.path.join(tmp, "bin")
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, name)
    subprocess.run(["cc", "-O2", "-Wall", "-o", exe, os.path.join(HERE, name + ".c")], check=True)
    return exe


def read_file(path):
    with open(path) as f:
        return f.read()


def stat_fields(pid):
    """(comm, state, utime+stime ticks) or None if gone."""
    try:
        s = read_file("/proc/%d/stat" % pid)
    except OSError:
        return None
    c = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    return c, f[0], int(f[11]) + int(f[12])


def children(pid):
    out = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for t in tids:
        try:
            out.extend(int(x) for x in read_file("/proc/%d/task/%s/children" % (pid, t)).split())
        except OSError:
            pass
    return out


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children(p):
            out.append(c)
            todo.append(c)
    return out


def cpu_ns(pid):
    """Time on a CPU (ns), /proc/PID/schedstat: finer than utime+stime."""
    try:
        return int(read_file("/proc/%d/schedstat" % pid).split()[0])
    except (OSError, ValueError, IndexError):
        return None


TICK = os.sysconf("SC_CLK_TCK")


class Procs:
    """Every process tree we start, so that cleanup kills exactly those: the
    direct children of each (the namespace's PID 1 under `unshare`, which
    takes the namespace down) by pid, then the process itself."""

    def __init__(self):
        self.live = []

    def start(self, argv, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        p = subprocess.Popen(argv, **kw)
        self.live.append(p)
        return p

    def kill(self, p):
        if p.poll() is None:
            for c in children(p.pid):
                try:
                    os.kill(c, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                p.kill()
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        if p in self.live:
            self.live.remove(p)

    def kill_all(self):
        for p in list(self.live):
            self.kill(p)


def ns_prefix():
    ns = ["unshare", "--pid", "--fork", "--mount-proc"]
    if os.geteuid() != 0:
        ns[1:1] = ["--user", "--map-root-user"]
    return ns


def pid1(p, timeout=10):
    """The namespace's PID 1: the first child of `unshare` that is not unshare."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = children(p.pid)
        if kids:
            st = stat_fields(kids[0])
            if st and st[0] != "unshare":
                return kids[0]
        if p.poll() is not None:
            break
        time.sleep(0.001)
    raise RuntimeError("no PID 1 under unshare (exit %s)" % p.poll())


def backdate(d):
    """runsvdir does not trust a directory modified in the current second."""
    past = time.time() - 60
    for root, dirs, files in os.walk(d):
        for x in dirs + files:
            os.utime(os.path.join(root, x), (past, past))
    os.utime(d, (past, past))


def git_rev():
    try:
        r = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, timeout=5)
        rev = r.stdout.strip()
        d = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "daemon", "ctl",
                            "proto", "conf"], capture_output=True, text=True, timeout=5)
        return rev + ("+dirty" if d.stdout.strip() else "")
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine():
    model = ""
    try:
        for line in read_file("/proc/cpuinfo").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d CPUs (%s), Linux %s" % (platform.node(), os.cpu_count(), model,
                                          platform.release())


def pkg_version(pkg):
    try:
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                           capture_output=True, text=True, timeout=5)
        return r.stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def md_table(rows):
    """rows[0] is the header; first column left-aligned, others right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for j, r in enumerate(rows):
        out.append("| " + " | ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                                      for i, c in enumerate(r)) + " |")
        if j == 0:
            out.append("|" + "|".join("-" * (w + 1) + (":" if i else "-")
                                      for i, w in enumerate(widths)) + "|")
    return "\n".join(out)
