"""ctr.py - runs corral as PID 1 of real podman containers.

Each test builds its own image with `podman import` of a tar made here from
local files only (no registry is reachable): corral, corralctl when it
exists, busybox-static with one symlink per applet, the test's services in
/etc/corral/services.d, a tiny /etc/passwd. The image is FROM scratch in all
but name: nothing else is in it.

Which corral goes in: $CORRAL_CONTAINER_BIN (e.g. build-static/out/corral)
when set, else $CORRAL_BIN (the build under test). A dynamically linked one
is copied with the shared libraries `ldd` names, at their own paths.
corralctl likewise: $CORRALCTL_CONTAINER_BIN, else $CORRALCTL_BIN.

Facts of the machines this runs on (see issue 8): crun refuses their hybrid
cgroups, so runc is used when installed; the cgroup manager is cgroupfs;
podman's default ulimits fail, so nofile and nproc are set explicitly.
$CORRAL_PODMAN_ARGS adds global podman options (split on spaces).

When podman is missing or cannot run a trivial container here (inside CI's
own container, say), every test is skipped and the program exits 77.
Containers and images are removed by the test that made them."""

import functools
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import harness  # noqa: E402  (tests/e2e/harness.py: wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
CORRAL = (os.environ.get("CORRAL_CONTAINER_BIN") or os.environ.get("CORRAL_BIN")
          or os.path.join(HERE, "..", "..", "build", "daemon", "corral"))
CORRALCTL = os.environ.get("CORRALCTL_CONTAINER_BIN") or os.environ.get("CORRALCTL_BIN") or ""
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
CMD_TIMEOUT = 90


# The e2e harness's bounded poll, with the slower pace containers need.
wait_for = functools.partial(harness.wait_for, timeout=15.0, interval=0.05)


def global_args():
    args = []
    if shutil.which("runc"):
        args += ["--runtime", "runc"]
    args += ["--cgroup-manager", "cgroupfs"]
    args += os.environ.get("CORRAL_PODMAN_ARGS", "").split()
    return args


def run_args():
    """Options every `podman run` needs here: explicit ulimits."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    n = 1048576 if hard == resource.RLIM_INFINITY else min(hard, 1048576)
    return ["--ulimit", f"nofile={n}:{n}", "--ulimit", "nproc=32768:32768"]


def podman(*args, check=True, timeout=CMD_TIMEOUT, **kw):
    """Runs one podman command; returns the CompletedProcess (text, captured)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    p = subprocess.run(["podman", *global_args(), *args], text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return p


def busybox():
    for b in BUSYBOX_CANDIDATES:
        if os.path.exists(b):
            out = subprocess.run(["file", "-L", b], stdout=subprocess.PIPE, text=True).stdout \
                if shutil.which("file") else "statically linked"
            if "statically linked" in out:
                return b
    return None


def shared_libs(binary):
    """Host paths of the shared libraries (and the loader) a binary needs."""
    p = subprocess.run(["ldd", binary], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0 or "not a dynamic executable" in p.stdout or "statically linked" in p.stdout:
        return []
    libs = []
    for line in p.stdout.splitlines():
        m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


class Image:
    """A rootfs assembled in memory into a tar, imported as a podman image."""

    def __init__(self, name):
        self.name = name
        self.tar_path = None
        self.files = {}   # path in image -> (host path or bytes, mode)
        self.dirs = {"/bin": 0o755, "/sbin": 0o755, "/etc": 0o755, "/tmp": 0o1777,
                     "/run": 0o755, "/proc": 0o555, "/sys": 0o555, "/dev": 0o755,
                     "/markers": 0o777, "/etc/corral": 0o755, "/etc/corral/services.d": 0o755}
        self.links = {}
        self.libs = set()

    def add_binary(self, host, dest):
        self.files[dest] = (host, 0o755)
        self.libs.update(shared_libs(host))

    def add_text(self, dest, text, mode=0o644):
        self.files[dest] = (text.encode(), mode)

    def add_busybox(self, host):
        self.files["/bin/busybox"] = (host, 0o755)
        applets = subprocess.run([host, "--list"], stdout=subprocess.PIPE, text=True).stdout.split()
        for a in applets:
            if a != "busybox":
                self.links[f"/bin/{a}"] = "busybox"

    def write_tar(self, path):
        for lib in self.libs:
            self.files.setdefault(lib, (lib, 0o755))
        with tarfile.open(path, "w") as t:
            for d in sorted(set(self.dirs) | {os.path.dirname(f) for f in self.files}):
                parts = d.strip("/").split("/")
                for i in range(1, len(parts) + 1):
                    sub = "/".join(parts[:i])
                    if sub in t.getnames():
                        continue
                    ti = tarfile.TarInfo(sub)
                    ti.type = tarfile.DIRTYPE
                    ti.mode = self.dirs.get("/" + sub, 0o755)
                    t.addfile(ti)
            for dest, (src, mode) in sorted(self.files.items()):
                if isinstance(src, bytes):
                    data = src
                else:
                    with open(src, "rb") as f:
                        data = f.read()
                ti = tarfile.TarInfo(dest.lstrip("/"))
                ti.size, ti.mode = len(data), mode
                t.addfile(ti, io.BytesIO(data))
            for dest, target in sorted(self.links.items()):
                ti = tarfile.TarInfo(dest.lstrip("/"))
                ti.type, ti.linkname = tarfile.SYMTYPE, target
                t.addfile(ti)

    def build(self, tmp, entrypoint=("/sbin/corral",)):
        self.tar_path = os.path.join(tmp, "rootfs.tar")
        self.write_tar(self.tar_path)
        ep = "[" + ", ".join(f'"{a}"' for a in entrypoint) + "]"
        podman("import", "--change", f"ENTRYPOINT {ep}", "--change", "CMD []",
               self.tar_path, self.name)

    def remove(self):
        podman("rmi", "-f", self.name, check=False)


_probe = {}


def podman_usable(tmp):
    """None when podman can run a container here, else why not (a skip reason)."""
    if "reason" in _probe:
        return _probe["reason"]
    reason = None
    if not shutil.which("podman"):
        reason = "podman is not installed"
    elif os.geteuid() != 0:
        reason = "these tests run podman as root (rootless needs its own set-up)"
    elif not busybox():
        reason = "no statically linked busybox (install busybox-static)"
    else:
        img = Image(f"localhost/corral-probe-{uuid.uuid4().hex[:10]}")
        img.add_busybox(busybox())
        try:
            img.build(tmp, entrypoint=("/bin/busybox",))
            p = podman("run", "--rm", *run_args(), img.name, "true", check=False, timeout=60)
            if p.returncode != 0:
                reason = f"podman cannot run a container here: {p.stderr.strip()[-300:]}"
        except (AssertionError, subprocess.TimeoutExpired) as e:
            reason = f"podman cannot build or run a container here: {str(e)[-300:]}"
        finally:
            img.remove()
    _probe["reason"] = reason
    return reason


class TestCase(unittest.TestCase):
    """Gives each test a temp dir, a markers dir (mounted at /markers) and an
    image; removes every container it started and the image."""

    def setUp(self):
        if not os.path.exists(CORRAL):
            self.fail(f"corral binary not found at {CORRAL}")
        self.tmp = tempfile.mkdtemp(prefix="corral-ctr-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        reason = podman_usable(self.tmp)
        if reason:
            print(f"SKIP: {reason}", file=sys.stderr)
            self.skipTest(reason)
        self.markers = os.path.join(self.tmp, "markers")
        os.mkdir(self.markers)
        os.chmod(self.markers, 0o777)  # services may run as uid 1000
        self.containers = []
        self.image = Image(f"localhost/corral-test-{uuid.uuid4().hex[:10]}")
        self.image.add_binary(CORRAL, "/sbin/corral")
        if CORRALCTL and os.path.exists(CORRALCTL):
            self.image.add_binary(CORRALCTL, "/bin/corralctl")
        self.image.add_busybox(busybox())
        self.image.add_text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                            "app:x:1000:1000:app:/tmp:/bin/sh\n")
        self.image.add_text("/etc/group", "root:x:0:\napp:x:1000:\n")
        self.built = False

    def tearDown(self):
        for c in self.containers:
            podman("rm", "-f", "-t", "0", c, check=False)
        if self.built:
            self.image.remove()

    @property
    def has_corralctl(self):
        return "/bin/corralctl" in self.image.files

    def service(self, name, yaml_text):
        self.image.add_text(f"/etc/corral/services.d/{name}.yaml", yaml_text)

    def build(self):
        self.image.build(self.tmp)
        self.built = True

    def run_detached(self, *args, opts=()):
        """podman run -d IMAGE ARGS (corral's arguments); returns the container name."""
        if not self.built:
            self.build()
        name = f"corral-test-{uuid.uuid4().hex[:10]}"
        self.containers.append(name)
        podman("run", "-d", "--name", name, *run_args(), "-v", f"{self.markers}:/markers:z",
               *opts, self.image.name, *args)
        return name

    def marker(self, name):
        try:
            with open(os.path.join(self.markers, name)) as f:
                return f.read()
        except OSError:
            return None

    def wait_marker(self, name, timeout=15):
        return wait_for(lambda: self.marker(name) is not None, timeout=timeout,
                        what=f"marker {name}")

    def inspect(self, container, fmt):
        return podman("inspect", "-f", fmt, container).stdout.strip()

    def exit_code(self, container):
        return int(self.inspect(container, "{{.State.ExitCode}}"))

    def running(self, container):
        return self.inspect(container, "{{.State.Running}}") == "true"

    def logs(self, container):
        p = podman("logs", container, check=False)
        return p.stdout + p.stderr

    def wait_exited(self, container, timeout=20):
        wait_for(lambda: not self.running(container), timeout=timeout,
                 what=f"container {container} to exit")
        return self.exit_code(container)

    def exec(self, container, *args, timeout=30):
        return podman("exec", container, *args, check=False, timeout=timeout)

    def status(self, container, timeout=15):
        """`corralctl --json status` run with `podman exec` and no flags (the
        socket found by itself), retried until it answers; returns the
        reply's result: {"corral": {...}, "services": {name: {...}}}."""
        def ask():
            p = self.exec(container, "corralctl", "--json", "status")
            if p.returncode != 0:
                ask.last = p.stderr.strip() or p.stdout.strip()
                return None
            return json.loads(p.stdout.splitlines()[0])
        ask.last = ""
        reply = wait_for(ask, timeout=timeout, what="corralctl status to answer")
        if not reply.get("ok"):
            raise AssertionError(f"corralctl status: {reply}")
        result = reply["result"]
        result["services"] = {s["name"]: s for s in result["services"]}
        return result


def main():
    """Runs the calling module's tests; exits 77 (ctest's skip) when all were skipped."""
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    r = prog.result
    if r.testsRun and len(r.skipped) == r.testsRun:
        sys.exit(77)
    sys.exit(0 if r.wasSuccessful() else 1)
