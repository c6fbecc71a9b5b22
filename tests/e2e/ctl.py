"""ctl.py - running the real corralctl against a corral under test."""

import json
import os
import subprocess

import harness


def ctl(test, *args, env=None, timeout=10, prefix=()):
    """Runs corralctl with the test's socket; returns the CompletedProcess."""
    e = dict(os.environ)
    e["CORRAL_SOCKET"] = os.path.join(test.tmp, "corral.sock")
    e.update(env or {})
    return subprocess.run([*prefix, harness.CORRALCTL, *args], env=e, capture_output=True,
                          text=True, timeout=timeout)


def ctl_json(test, *args, **kw):
    r = ctl(test, "--json", *args, **kw)
    return r, [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def status(test):
    """{name: service dict} from corralctl --json status."""
    r, objs = ctl_json(test, "status")
    test.assertEqual(r.returncode, 0, r.stderr)
    return {s["name"]: s for s in objs[0]["result"]["services"]}, objs[0]["result"]["corral"]


def wait_ready(test, timeout=10):
    """Waits until corral answers on its socket."""
    harness.wait_for(lambda: ctl(test, "status").returncode == 0, timeout,
                     what="corral's control socket")
