#!/usr/bin/env python3
"""corral import never writes a file corral refuses: seeded random and edge
inputs of every format (names long, odd, colliding or reserved; empty
commands; relative directories; zero, negative and malformed durations;
limits of -1; signals, users, umasks and sizes corral does not take;
dependency cycles and conditions their targets cannot meet) are imported
with the real `corral import ... --to DIR`, and the result must pass the
real `corral --check` (corral.yaml) and `corralctl check --no-resolve`
(services.d: users, commands and env files belong to the image). The import
itself must exit 0, or 1 with a message for a source it cannot parse,
never crash.

The seed comes from CORRAL_SEED (else a random one) and is printed as
`seed=N`, and is in every failure message: CORRAL_SEED=N replays the same
inputs. CORRAL_IMPORT_CASES sets how many inputs per format (default 60).
What the last step of the import (imp_check.c) had to take out is printed,
by key: a mapper that writes what corral refuses."""
import collections
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from test_import_goldens_check import check

CORRAL = os.environ.get("CORRAL_BIN", "corral")
SEED = int(os.environ.get("CORRAL_SEED") or random.SystemRandom().randrange(1 << 32))
CASES = int(os.environ.get("CORRAL_IMPORT_CASES") or 60)
# Variables the inputs may name, set for the checks as the container would.
ENV = dict(os.environ, IMPV="/srv", IMPW="x")

NAMES = ["web", "Web", "web", "main", ".hidden", "a b", "a/b", "x" * 300, "y" * 247, "é", "",
         "db.1", "db", "-", "_", "a:b", "release", "a\\b", "ALL", "web-2", "a.yaml", "1"]
DURS = ["0", "0s", "-1s", "-5", "1s", "30s", "1m30s", "1.5s", "", "abc", "10", "0.0s",
        "99999999999h", "1ms", "500ms", "1h", "1d", "5m", "-0s", "1us", "2ns"]
SIGNALS = ["TERM", "SIGINT", "QUIT", "KILL", "0", "99", "-1", "NOPE", "", "HUP", "RTMIN+2",
           "STOP", "USR1", "sigterm", "9"]
USERS = ["root", "nobody", "", "33", "33:33", "nobody:nogroup", ":", "a b", "-1", "0:0",
         "x" * 300, "www-data", "user:"]
NUMS = ["0", "1", "-1", "3", "100", "101", "1000", "99999999999", "", "x", "2.5", "007"]
PATHS = ["/srv/app", "srv/app", "./app", ".", "", "/", "%(here)s/app", "../x", "/srv/%(ENV_IMPV)s",
         "~/app", "%(ENV_IMPV)s", "/a b", "/x" * 300]
UMASKS = ["022", "0022", "777", "0777", "1777", "8", "", "abc", "0", "00000"]
SIZES = ["0", "1", "1KB", "1MB", "50MB", "1GB", "100GB", "-1", "abc", "", "4096", "64KB"]


def pick(rng, values, p=0.5):
    """A random value of values, or None (the key left out) with 1 - p."""
    return rng.choice(values) if rng.random() < p else None


def supervisord(rng):
    out = []
    if rng.random() < 0.5:
        out.append("[supervisord]\nnodaemon=true\n")
        for k, vs in (("minfds", NUMS), ("loglevel", ["info", "trace", "critical", "loud", ""]),
                      ("environment", ["A=1,B=\"x y\"", "A-B=1", "=x", "A=%(ENV_IMPV)s"])):
            v = pick(rng, vs)
            if v is not None:
                out.append(f"{k}={v}\n")
    names = [rng.choice(NAMES).replace("\n", "") or "p" for _ in range(rng.randint(1, 6))]
    for name in names:
        if "]" in name:
            name = "p"
        out.append(f"\n[program:{name}]\n")
        cmd = pick(rng, ["/bin/true", "", "sleep 1", "'unclosed", "/bin/sh -c 'exit 0'",
                         "%(ENV_IMPV)s/run", "run %(process_num)d", " ", "\"\""], 0.95)
        if cmd is not None:
            out.append(f"command={cmd}\n")
        for k, vs in (("directory", PATHS), ("user", USERS), ("umask", UMASKS),
                      ("numprocs", NUMS), ("priority", NUMS), ("startsecs", NUMS),
                      ("startretries", NUMS), ("stopwaitsecs", NUMS), ("stopsignal", SIGNALS),
                      ("exitcodes", ["0", "0,2", "256", "-1", "", "a", "0,,1"]),
                      ("autostart", ["true", "false", "x"]),
                      ("autorestart", ["true", "false", "unexpected", "x"]),
                      ("stopasgroup", ["true", "false"]), ("killasgroup", ["true", "false"]),
                      ("redirect_stderr", ["true", "false"]),
                      ("stdout_logfile", PATHS + ["NONE", "AUTO", "/dev/stdout", "/var/log/a.log"]),
                      ("stderr_logfile", PATHS + ["NONE", "/dev/stderr", "/var/log/b.log"]),
                      ("stdout_logfile_maxbytes", SIZES), ("stdout_logfile_backups", NUMS),
                      ("stderr_logfile_maxbytes", SIZES), ("stderr_logfile_backups", NUMS),
                      ("environment", ["A=1", "A=\"%(ENV_IMPW)s\"", "1A=2", "A=1,,B=2", "A"]),
                      ("process_name", ["%(program_name)s_%(process_num)02d", "x"])):
            v = pick(rng, vs, 0.3)
            if v is not None:
                out.append(f"{k}={v}\n")
    if rng.random() < 0.5:
        members = ",".join(rng.sample(names, rng.randint(1, len(names))))
        out.append(f"\n[group:{rng.choice(['g', 'G x', 'grp.1', 'a:b', 'x' * 300])}]\n"
                   f"programs={members}\n")
    return {"supervisord.conf": "".join(out)}, "supervisord.conf"


def procfile(rng):
    lines = []
    for _ in range(rng.randint(1, 8)):
        name = rng.choice(NAMES + ["web", "worker", "release", "Clock"])
        cmd = rng.choice(["bundle exec puma", "", " ", "echo ${PORT}", "'unclosed", "true",
                          "x" * 5000, "exec ${X:?}"])
        if ":" in name or not name or " " in name:
            name = "p"
        lines.append(f"{name}: {cmd}")
    files = {"Procfile": "\n".join(lines) + "\n"}
    if rng.random() < 0.3:
        files[".env"] = rng.choice(["A=1\n", "export A=1\n", "A='x y'\n", "1A=2\n", "A-B=1\n"])
    return files, "Procfile"


def yq(v):
    """A YAML scalar, quoted."""
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def compose(rng):
    names = list(dict.fromkeys(rng.choice(NAMES) for _ in range(rng.randint(1, 6))))
    out = ["services:\n"]
    for name in names:
        out.append(f"  {yq(name)}:\n")
        c = rng.random()
        if c < 0.45:
            out.append("    command: " + rng.choice(['["/bin/true"]', '"sleep 1"', '""', "[]",
                                                     '[""]', '"\'unclosed"', "[sh, -c, 'x']",
                                                     '"$$HOME"', '"${IMPV:?no}/run"']) + "\n")
        elif c < 0.9:
            out.append("    entrypoint: " + rng.choice(['["/bin/sh", "-c"]', '""', "[]"]) + "\n")
            out.append("    command: " + rng.choice(['["exit 0"]', '""', "[]"]) + "\n")
        for k, vs in (("working_dir", PATHS), ("user", USERS), ("stop_signal", SIGNALS),
                      ("stop_grace_period", DURS),
                      ("restart", ["no", "always", "unless-stopped", "on-failure",
                                   "on-failure:3", "on-failure:x", "x"]),
                      ("scale", NUMS), ("init", ["true"])):
            v = pick(rng, vs, 0.3)
            if v is not None:
                out.append(f"    {k}: {yq(v)}\n")
        if rng.random() < 0.3:
            out.append("    environment:\n")
            for e in rng.sample(["A: 1", "A.B: x", "\"\": y", "B: ${IMPW}", "C:", "D: '$${x}'"],
                                2):
                out.append(f"      {e}\n")
        if rng.random() < 0.3:
            out.append("    ulimits:\n")
            for lim in rng.sample(["nproc", "nofile", "core", "memlock", "bogus", "stack"], 2):
                if rng.random() < 0.5:
                    out.append(f"      {lim}: {rng.choice(NUMS)}\n")
                else:
                    out.append(f"      {lim}: {{soft: {rng.choice(NUMS) or 0}, "
                               f"hard: {rng.choice(NUMS) or 0}}}\n")
        if rng.random() < 0.4:
            out.append("    healthcheck:\n")
            out.append("      test: " + rng.choice(['["CMD", "true"]', '"true"', '["NONE"]',
                                                    '["CMD-SHELL", "exit 0"]', '["CMD"]',
                                                    '""', "[]"]) + "\n")
            for k in ("interval", "timeout", "start_period", "start_interval"):
                v = pick(rng, DURS, 0.4)
                if v is not None:
                    out.append(f"      {k}: {yq(v)}\n")
            v = pick(rng, NUMS, 0.4)
            if v is not None:
                out.append(f"      retries: {yq(v)}\n")
        if rng.random() < 0.5 and len(names) > 1:
            out.append("    depends_on:\n")
            for d in rng.sample(names, rng.randint(1, len(names))):
                cond = rng.choice(["service_started", "service_healthy",
                                   "service_completed_successfully", "bogus"])
                out.append(f"      {yq(d)}: {{condition: {cond}}}\n")
        if rng.random() < 0.2:
            out.append(f"    deploy: {{replicas: {rng.choice(NUMS) or 0}}}\n")
    return {"docker-compose.yaml": "".join(out)}, "docker-compose.yaml"


def runit(rng):
    files = {}
    names = [rng.choice(NAMES) for _ in range(rng.randint(1, 5))]
    for name in names:
        name = name.replace("/", "_").replace("\\", "_") or "p"
        if name in (".", ".."):
            name = "p"
        if len(name) > 200:
            name = name[:200]
        files[f"sv/{name}/run"] = rng.choice([
            "#!/bin/sh\nexec /bin/true\n", "#!/bin/sh\n", "#!/bin/sh\nexec\n",
            "#!/bin/sh\nsv start db || exit 1\nexec chpst -u nobody sleep 1\n",
            "#!/bin/sh\ncd rel\nexec ./x\n", "#!/bin/sh\nexec chpst -u '' x\n",
            f"#!/bin/sh\nsv start {names[0]} || exit 1\nexec x\n"])
        if rng.random() < 0.3:
            files[f"sv/{name}/finish"] = "#!/bin/sh\n"
        if rng.random() < 0.3:
            files[f"sv/{name}/check"] = "#!/bin/sh\n"
        if rng.random() < 0.2:
            files[f"sv/{name}/down"] = ""
        if rng.random() < 0.3:
            files[f"sv/{name}/log/run"] = rng.choice(["#!/bin/sh\nexec svlogd -tt rel\n",
                                                      "#!/bin/sh\nexec svlogd /var/log/x\n",
                                                      "#!/bin/sh\nexec svlogd\n"])
    return files, "sv"


def s6(rng):
    files = {}
    names = list(dict.fromkeys(rng.choice(NAMES).replace("/", "_") or "p"
                               for _ in range(rng.randint(1, 5))))
    names = [n[:200] if n not in (".", "..") else "p" for n in names]
    for name in names:
        kind = rng.choice(["longrun", "oneshot", "bundle", "bogus"])
        base = f"rc/{name}"
        files[f"{base}/type"] = kind + "\n"
        if kind == "longrun":
            files[f"{base}/run"] = rng.choice(["#!/bin/sh\nexec /bin/true\n", "#!/bin/sh\n", ""])
        elif kind == "oneshot":
            files[f"{base}/up"] = rng.choice(["/bin/true\n", "", "foo {\n", "\"unclosed\n"])
        else:
            for m in rng.sample(names, rng.randint(0, len(names))):
                files[f"{base}/contents.d/{m}"] = ""
        for d in rng.sample(names, rng.randint(0, len(names))):
            files[f"{base}/dependencies.d/{d}"] = ""
        for k, vs in (("down-signal", SIGNALS), ("timeout-kill", NUMS), ("timeout-up", NUMS),
                      ("notification-fd", NUMS)):
            v = pick(rng, vs, 0.2)
            if v is not None:
                files[f"{base}/{k}"] = v + "\n"
    return files, "rc"


GENERATORS = {"supervisord": supervisord, "procfile": procfile, "compose": compose,
              "runit": runit, "s6": s6}


def write_tree(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        if os.path.basename(path) in ("run", "finish", "check", "up"):
            os.chmod(path, 0o755)


def dump(out):
    text = ""
    for d, _, fs in os.walk(out):
        for f in sorted(fs):
            with open(os.path.join(d, f)) as fh:
                text += f"--- {f}\n" + fh.read()
    return text


class ImportRandom(unittest.TestCase):
    def test_every_random_input_imports_into_files_corral_accepts(self):
        print(f"seed={SEED} cases={CASES}", file=sys.stderr)
        caught = collections.Counter()
        for fmt, gen in GENERATORS.items():
            rng = random.Random(f"{SEED}-{fmt}")
            for i in range(CASES):
                files, source = gen(rng)
                what = f"seed={SEED} {fmt} case {i}"
                with tempfile.TemporaryDirectory() as tmp:
                    write_tree(os.path.join(tmp, "in"), files)
                    out = os.path.join(tmp, "out")
                    r = subprocess.run([CORRAL, "import", fmt, os.path.join(tmp, "in", source),
                                        "--to", out], capture_output=True, text=True, env=ENV)
                    inputs = "\n".join(f"--- {k}\n{v}" for k, v in files.items())
                    self.assertIn(r.returncode, (0, 1),
                                  f"{what}: import exited {r.returncode}:\n{r.stderr}\n{inputs}")
                    if r.returncode == 1:
                        self.assertRegex(r.stderr, r"^corral import: \S",
                                         f"{what}: no message\n{inputs}")
                        self.assertFalse(os.path.exists(out),
                                         f"{what}: wrote files on error: {r.stderr}\n{inputs}")
                        continue
                    rc, err = check(out, ENV)
                    if rc != 0:
                        self.fail(f"{what}: corral refuses the import:\n{err}\n"
                                  f"=== inputs\n{inputs}\n=== outputs\n{dump(out)}")
                    with open(os.path.join(out, "import-report.txt")) as f:
                        lines = f.read().split("\n")
                    for what_, why in zip(lines, lines[1:]):
                        if "corral refuses it" in why:
                            key = re.sub(r" \(.*", "", what_.rsplit(": ", 1)[-1])
                            caught[f"{fmt}: {key}: {why.strip()[:70]}"] += 1
        for k, n in sorted(caught.items()):
            print(f"taken out by the last check: {k} x{n}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
