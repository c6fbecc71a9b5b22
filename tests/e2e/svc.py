"""svc.py - helpers for service-directory tests: write services.d/NAME.yaml
files and run corral on them as PID 1."""

import os
import re
import socket
import time

import harness


class ServiceTest(harness.TestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.path("services.d")
        os.mkdir(self.dir)

    def service(self, name, text):
        with open(os.path.join(self.dir, name + ".yaml"), "w") as f:
            f.write(text)

    def write_conf(self, text):
        """Writes text to corral.yaml in the test's directory; returns its path
        (for --config)."""
        path = self.path("corral.yaml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_services(self, args=(), main=(), **kw):
        """corral --services DIR [ARGS] [-- MAIN] as PID 1."""
        return self.corral(list(main), args=["--services", self.dir, *args], **kw)

    def connect(self):
        """A raw connection to corral's control socket, closed at cleanup."""
        s = socket.socket(socket.AF_UNIX)
        s.connect(self.path("corral.sock"))
        self.addCleanup(s.close)
        return s

    def stamps(self, name):
        """Times (CLOCK_REALTIME floats) a service appended to file name."""
        # A line still being written is not a stamp yet.
        return [float(x) for x in harness.read(self.path(name)).splitlines()
                if x.count(".") == 1 and len(x) > 12]

    def wait_file(self, name, timeout=10):
        harness.wait_for(lambda: os.path.exists(self.path(name)), timeout, what=name)

    def wait_said(self, c, name, text, timeout=10):
        """Waits for the line text of service name in corral c's stdout: a
        service is up once spawned, and says when it has set its traps."""
        harness.wait_for(lambda: re.search(rf"^{re.escape(name)} +\| {re.escape(text)}$",
                                           c.stdout(), re.M), timeout,
                         what=f"{name} to say {text}")


def stamp(path):
    """A shell snippet appending the current time to path."""
    return f"date +%s.%N >> {path}"


def now():
    return time.time()
