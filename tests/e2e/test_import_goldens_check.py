#!/usr/bin/env python3
"""Every golden directory of tests/import (what `corral import` writes for
each realistic input) passes corral's checks: its corral.yaml passes
`corral --check`, and its services.d passes `corralctl check --no-resolve`
(the same checks, without looking up users, commands and env files that
belong to the image, not to this machine).

env_file paths name files inside the image; they are read under the
case's root."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
IMPORT = os.path.join(os.path.dirname(HERE), "import")
CORRAL = os.environ.get("CORRAL_BIN", "corral")
CORRALCTL = os.environ.get("CORRALCTL_BIN", "corralctl")


def check(out, env=None):
    """corral --check of corral.yaml alone (its services: a directory of one
    service that runs /bin/true), then corralctl check --no-resolve of
    services.d, with env (else this process's environment)."""
    empty = os.path.join(out, "one.d")
    os.makedirs(empty, exist_ok=True)
    with open(os.path.join(empty, "noop.yaml"), "w") as f:
        f.write("command: [/bin/true]\n")
    with open(os.path.join(out, "corral.yaml")) as f:
        text = f.read()
    with open(os.path.join(out, "global-only.yaml"), "w") as f:
        f.write(re.sub(r"^services: .*$", f"services: {empty}", text, flags=re.M))
    r = subprocess.run([CORRAL, "--check", "--config", os.path.join(out, "global-only.yaml")],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return r.returncode, r.stderr
    r = subprocess.run([CORRALCTL, "check", "--no-resolve", os.path.join(out, "services.d")],
                       capture_output=True, text=True, env=env)
    return r.returncode, r.stderr + r.stdout


def rooted_env_files(path, root):
    with open(path) as f:
        text = f.read()
    text = re.sub(r"^env_file: (/\S+)", lambda m: "env_file: " + root + m.group(1), text,
                  flags=re.M)
    with open(path, "w") as f:
        f.write(text)


class GoldensPassCheck(unittest.TestCase):
    def test_every_golden_directory_passes_check(self):
        cases = sorted(d for d in os.listdir(IMPORT)
                       if os.path.isdir(os.path.join(IMPORT, d, "expected")))
        self.assertGreaterEqual(len(cases), 5)
        for case in cases:
            with self.subTest(case=case), tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "out")
                shutil.copytree(os.path.join(IMPORT, case, "expected"), out)
                root = os.path.join(IMPORT, case, "root")
                files = [os.path.join(out, "corral.yaml")] + [
                    os.path.join(out, "services.d", f)
                    for f in os.listdir(os.path.join(out, "services.d"))]
                for f in files:
                    rooted_env_files(f, root)
                rc, err = check(out)
                self.assertEqual(rc, 0, f"{case}: corral --check:\n{err}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
