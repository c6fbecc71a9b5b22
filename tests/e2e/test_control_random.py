"""A seeded random operator against the real corral as PID 1 of a new PID
namespace. For a bounded time it edits the services directory and applies
the result (`corralctl reload`, `reload --dry-run`, SIGHUP), runs
`corralctl restart/stop/start/signal/status/wait` with names repeated,
unknown or `all`, and keeps log followers, event streams and waiters open on
raw sockets and in corralctl processes, hanging them up at random moments.

After every step corral must still be alive (not gone, not a zombie) and
answer `corralctl status`; after every applied reload the services it lists
must settle to exactly the files of the directory. At the end SIGTERM must
end it with exit code 0 within the shutdown bound.

The seed comes from CORRAL_SEED (else a random one); it is printed as
`seed=N` and is in every failure message: CORRAL_SEED=N replays the same
operator, step by step, for as long as it runs (timings still vary).
CORRAL_RANDOM_SECONDS sets the duration (default 40)."""

import json
import os
import random
import re
import signal
import socket
import subprocess
import time

import harness
import svc
from ctl import ctl

SEED = int(os.environ.get("CORRAL_SEED") or random.SystemRandom().randrange(1 << 32))
DURATION = float(os.environ.get("CORRAL_RANDOM_SECONDS") or 40)

# Service names in dependency order: a service depends only on earlier ones,
# so no edit makes a cycle. The anchor is never removed and never reaches a
# start limit, so that corral always has a service that may still run and
# never ends by itself ("every service has finished").
ANCHOR = "anchor"
POOL = [ANCHOR, "db", "cache", "web", "api", "worker", "jobs", "edge"]
UNKNOWN = ["nope", "wbe", "anchorr", "db2"]
# Groups the services belong to (by their variant) and one nobody is in:
# @GROUP stops and restarts go in dependency order.
GROUPS = ["@front", "@back", "@nogroup"]
KINDS = ["sleep", "talker", "slowstop", "oneshot"]
SIGNALS = ["HUP", "USR1", "TERM", "KILL", "CONT", "WINCH"]
WAIT_FOR = ["up", "ready", "done", "down"]

ANSWER_S = 10      # corralctl status (or any short command) must answer within this
SETTLE_S = 15      # after an applied reload, status lists the directory's services within this
SHUTDOWN_S = 25    # the default shutdown bound is 9 s; ASan and a loaded machine need room
MAX_CLIENTS = 8    # streams and waiters held open at once
STEP_PAUSE_S = 0.05  # at most this long between two steps
HISTORY = 15       # actions quoted in a failure message


# ---- the services directory, as a model the test can reason about ----

def new_spec(rng, name, model):
    """A random service: its kind, a variant of its command, its dependencies."""
    earlier = [n for n in POOL[:POOL.index(name)] if n in model]
    return {"kind": "sleep" if name == ANCHOR else rng.choice(KINDS),
            "variant": rng.randrange(100),
            "deps": rng.sample(earlier, rng.randint(0, min(2, len(earlier)))),
            "started": rng.random() < 0.3}


def render(name, spec, model):
    """The YAML text of one service file."""
    v, kind = spec["variant"], spec["kind"]
    if kind == "sleep":
        text = f'command: ["sleep", "{1000 + v}"]\n'
    elif kind == "talker":
        text = f'command: "while :; do echo {name} tick {v}; sleep 0.1; done"\n'
    elif kind == "slowstop":
        # Slow to stop: a restart across a reload is still under way when the set changes.
        text = (f"command: \"trap 'sleep 0.5; exit 0' TERM; "
                f'while :; do echo {name} slow {v}; sleep 0.1; done"\n')
    else:
        text = f'type: oneshot\ncommand: "sleep 0.{v % 5}; echo {name} done {v}"\n'
    if name == ANCHOR:
        text += "start_limit: {burst: 1000, interval: 1s}\n"
    text += ["groups: [front]\n", "groups: [back, front]\n", ""][v % 3]
    if spec["deps"]:
        text += "depends_on:\n"
        for d in spec["deps"]:
            target = model.get(d, {}).get("kind")
            cond = ("started" if spec["started"] or target is None else
                    "completed" if target == "oneshot" else "ready")
            text += f"  {d}: {{condition: {cond}}}\n"
    return text


def dangling(model):
    """(service, dependency) pairs whose dependency is not in the model."""
    return [(n, d) for n, s in model.items() for d in s["deps"] if d not in model]


def repair(model):
    """Drops every dependency on a service that is not there."""
    for s in model.values():
        s["deps"] = [d for d in s["deps"] if d in model]


def mutate(rng, model):
    """One to three random edits of the model; returns what was done."""
    done = []
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["add", "add", "remove", "change", "change", "change"])
        absent = [n for n in POOL if n not in model]
        removable = [n for n in model if n != ANCHOR]
        if op == "add" and absent:
            name = rng.choice(absent)
            model[name] = new_spec(rng, name, model)
            done.append(f"add {name}")
        elif op == "remove" and removable:
            name = rng.choice(removable)
            del model[name]
            # Mostly its dependents are edited too; else they point at nothing
            # and the reload must be refused whole.
            if rng.random() < 0.75:
                repair(model)
                done.append(f"remove {name}")
            else:
                done.append(f"remove {name} (dependents kept)")
        elif op == "change":
            name = rng.choice(list(model))
            what = rng.choice(["command", "command", "kind", "deps"])
            if what == "kind" and name == ANCHOR:
                what = "command"  # the anchor stays a longrun
            if what == "command":
                model[name]["variant"] = (model[name]["variant"] + 1 + rng.randrange(50)) % 100
            elif what == "kind":
                model[name]["kind"] = rng.choice(KINDS)
            else:
                fresh = new_spec(rng, name, model)
                model[name]["deps"], model[name]["started"] = fresh["deps"], fresh["started"]
            done.append(f"change {name} {what}")
    return done


def write_dir(path, model):
    """Makes the directory hold exactly the model's files (each replaced whole)."""
    for f in os.listdir(path):
        if f.endswith(".yaml") and f[:-5] not in model:
            os.unlink(os.path.join(path, f))
    for name, spec in model.items():
        text = render(name, spec, model)
        target = os.path.join(path, name + ".yaml")
        if harness.read(target, None) != text:
            tmp = os.path.join(path, "." + name + ".tmp")
            with open(tmp, "w") as f:
                f.write(text)
            os.rename(tmp, target)


def dir_names(path):
    """The services a directory defines: its *.yaml stems."""
    return {f[:-5] for f in os.listdir(path) if f.endswith(".yaml")}


# ---- clients that stay connected across steps ----

class RawClient:
    """A connection speaking the protocol itself: its requests are sent at
    once; it then never blocks (replies are read only to be thrown away)."""

    def __init__(self, sock_path, requests):
        self.what = "raw " + " + ".join(
            r["cmd"] + (f"({short(r['names'])})" if r.get("names") else "") for r in requests)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(ANSWER_S)
        try:
            self.sock.connect(sock_path)
            self.sock.sendall(b"".join(json.dumps(r).encode() + b"\n" for r in requests))
        except OSError as e:
            self.what += f" (failed: {e})"
        self.sock.setblocking(False)

    def drain(self):
        try:
            while self.sock.recv(1 << 16):
                pass
        except OSError:
            pass

    def close(self):
        self.sock.close()


class CtlClient:
    """A corralctl process left running (a follower, an event stream, a
    waiter); hanging up kills it (a waiter may have ended by itself)."""

    def __init__(self, test, args):
        self.what = "corralctl " + short(args)
        env = dict(os.environ, CORRAL_SOCKET=os.path.join(test.tmp, "corral.sock"))
        self.proc = subprocess.Popen([harness.CORRALCTL, *args], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def drain(self):
        pass

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(ANSWER_S)


# ---- the test ----

class RandomOperator(svc.ServiceTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(harness.CORRALCTL):
            self.fail(f"corralctl not found at {harness.CORRALCTL}")
        self.rng = random.Random(SEED)
        self.history = []
        self.clients = []
        self.next_id = 1
        self.addCleanup(self.hang_up_all)

    def test_random_operator_actions_never_kill_pid1_and_reloads_settle(self):
        print(f"seed={SEED} duration={DURATION:g}s", flush=True)
        self.model = {}
        for name in [ANCHOR] + self.rng.sample(POOL[1:], 3):
            self.model[name] = new_spec(self.rng, name, self.model)
        write_dir(self.dir, self.model)
        self.applied = set(self.model)
        self.c = self.run_services()
        harness.wait_for(lambda: self.status_names(check=False), ANSWER_S,
                         what=f"corral's socket (seed={SEED})")
        actions = [(self.act_edit_and_reload, 4), (self.act_command, 4),
                   (self.act_follow, 2), (self.act_events, 1), (self.act_wait, 2),
                   (self.act_hang_up, 2), (self.act_pause, 1)]
        funcs, weights = zip(*actions)
        deadline = time.monotonic() + DURATION
        steps = 0
        while time.monotonic() < deadline:
            steps += 1
            self.hang_up_some(0.15)
            self.rng.choices(funcs, weights)[0]()
            self.check_alive()
            self.status_names()
            time.sleep(self.rng.uniform(0, STEP_PAUSE_S))  # timers fire between steps too
        print(f"seed={SEED}: {steps} steps", flush=True)
        self.shut_down()

    # -- checks --

    def fail_with(self, what):
        lines = self.c.stderr().splitlines()
        sanitizer = [l for l in lines if re.search(r"ERROR: AddressSanitizer|runtime error:|"
                                                   r"SUMMARY: |^\s+#\d+ 0x", l)][:30]
        self.fail(f"seed={SEED}: {what}\nlast actions:\n  " + "\n  ".join(self.history[-HISTORY:]) +
                  ("\nsanitizer:\n" + "\n".join(sanitizer) if sanitizer else "") +
                  f"\nreplay with CORRAL_SEED={SEED}")

    def check_alive(self, grace=0.0):
        """Fails the test when corral is gone or a zombie. With grace, first
        waits that long for it to go (after it failed to answer: a crash in
        progress is then reported as the crash)."""
        try:
            self.c.proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        st = harness.proc_stat(self.c.pid)
        if self.c.proc.poll() is None and st is not None and st[0] != "Z":
            return
        try:
            how = exit_text(self.c.proc.wait(ANSWER_S))  # unshare passes corral's status on
        except subprocess.TimeoutExpired:
            how = "a zombie" if st else "no such process"
        self.fail_with(f"corral (pid {self.c.pid}) is gone: {how}")

    def cpu_text(self, window=1.0):
        """How busy corral is, for a failure message: a corral that does not
        answer while using a whole CPU is spinning."""
        def ticks():
            s = harness.read(f"/proc/{self.c.pid}/stat")
            rest = s[s.rindex(")") + 2:].split() if s else None
            return int(rest[11]) + int(rest[12]) if rest else None  # utime + stime
        t0 = ticks()
        time.sleep(window)
        t1 = ticks()
        if t0 is None or t1 is None:
            return "corral is gone"
        pct = 100 * (t1 - t0) / os.sysconf("SC_CLK_TCK") / window
        return f"corral used {pct:.0f}% of a CPU over {window:g}s"

    def status_names(self, check=True):
        """The service names `corralctl status --json` lists; fails the test when
        it does not answer in time (with check=False, None instead)."""
        try:
            r = ctl(self, "--json", "status", timeout=ANSWER_S)
        except subprocess.TimeoutExpired:
            if check:
                self.check_alive(grace=2)
                self.fail_with(f"corralctl status did not answer within {ANSWER_S}s "
                               f"({self.cpu_text()})")
            return None
        if r.returncode != 0:
            if check:
                self.check_alive(grace=2)
                self.fail_with(f"corralctl status exited {r.returncode}: {r.stderr.strip()}")
            return None
        return {s["name"] for s in json.loads(r.stdout.splitlines()[0])["result"]["services"]}

    def wait_settled(self, expected):
        deadline = time.monotonic() + SETTLE_S
        while True:
            self.check_alive()
            names = self.status_names()
            if names == expected:
                return
            if time.monotonic() > deadline:
                self.fail_with(f"status lists {sorted(names)} {SETTLE_S}s after the reload, "
                               f"the directory has {sorted(expected)}")
            time.sleep(0.1)

    def shut_down(self):
        self.hang_up_some(self.rng.random())
        self.log("SIGTERM corral")
        self.c.signal(signal.SIGTERM)
        try:
            rc = self.c.proc.wait(SHUTDOWN_S)
        except subprocess.TimeoutExpired:
            self.fail_with(f"corral still running {SHUTDOWN_S}s after SIGTERM")
        if rc != 0:
            self.fail_with(f"after SIGTERM corral {exit_text(rc)}, expected exit 0")

    # -- the operator's actions --

    def log(self, what):
        self.history.append(f"{time.monotonic() - self.c.started:7.2f}s {what}")

    def act_edit_and_reload(self):
        edits = mutate(self.rng, self.model)
        write_dir(self.dir, self.model)
        broken = dangling(self.model)
        how = self.rng.choices(["reload", "dry-run", "sighup"], [6, 2, 2])[0]
        self.log(f"edit [{'; '.join(edits)}]{' (invalid)' if broken else ''}, {how}")
        self.reload(how, broken)
        self.check_alive()
        if how != "dry-run" and not broken:
            self.applied = dir_names(self.dir)
            self.wait_settled(self.applied)
        else:
            names = self.status_names()
            if names != self.applied:
                self.fail_with(f"a {how} that must change nothing left status listing "
                               f"{sorted(names)}, not {sorted(self.applied)}")
        if broken:
            # An operator fixes the files; the next reload applies them.
            repair(self.model)
            write_dir(self.dir, self.model)

    def reload(self, how, broken):
        """Asks for a reload (how: reload, dry-run or sighup); corralctl must
        exit 1 for a directory with errors, else 0."""
        if how == "sighup":
            self.sighup()
            return
        args = ["reload", "--dry-run"] if how == "dry-run" else ["reload"]
        r = self.run_ctl(args)
        if r.returncode != (1 if broken else 0):
            self.fail_with(f"corralctl {' '.join(args)} exited {r.returncode} for a directory "
                           f"{'with' if broken else 'without'} errors {broken or ''}: "
                           f"{(r.stdout + r.stderr).strip()[:500]}")

    def sighup(self):
        """SIGHUP to corral (a reload: there is no main service), then waits
        until corral has said that it is reloading, so that it has read the
        directory before the test writes it again."""
        said = lambda: self.c.stderr().count("SIGHUP: reloading")
        before = said()
        os.kill(self.c.pid, signal.SIGHUP)
        deadline = time.monotonic() + ANSWER_S
        while said() == before:
            self.check_alive()
            if time.monotonic() > deadline:
                self.fail_with(f"no 'SIGHUP: reloading' within {ANSWER_S}s of SIGHUP")
            time.sleep(0.02)

    def act_command(self):
        cmd = self.rng.choice(["restart", "stop", "start", "signal", "status", "wait"])
        args = [cmd]
        if cmd == "signal":
            args.append(self.rng.choice(SIGNALS))
        if cmd == "wait":
            args += ["--timeout", f"{self.rng.randrange(1, 300)}ms",  # 0 would wait for ever
                     "--for", self.rng.choice(WAIT_FOR)]
        if cmd in ("restart", "stop", "start", "signal") and self.rng.random() < 0.1:
            args.append("all")
        else:
            args += self.pick_names()
        self.log("corralctl " + short(args))
        self.run_ctl(args)

    def act_follow(self):
        names = self.pick_names(repeat=False)
        if self.rng.random() < 0.3:
            self.open(CtlClient(self, ["logs", "-f", "-n", str(self.rng.choice([0, 5])),
                                       names[0]]))
            return
        shape = self.rng.choice(["one", "one", "twice", "two", "then-events"])
        second = names[0] if shape == "twice" else self.pick_names(repeat=False)[0]
        reqs = [self.req("logs", names=[names[0]], lines=self.rng.choice([0, 5, 100]),
                         follow=True)]
        if shape in ("twice", "two"):
            reqs.append(self.req("logs", names=[second], lines=0, follow=True))
        elif shape == "then-events":
            reqs.append(self.req("events"))
        self.open(RawClient(self.sock_path(), reqs))

    def act_events(self):
        if self.rng.random() < 0.3:
            self.open(CtlClient(self, ["--json", "events"]))
        else:
            self.open(RawClient(self.sock_path(), [self.req("events")]))

    def act_wait(self):
        names = self.pick_names()
        until = self.rng.choice(WAIT_FOR)
        ms = self.rng.choice([50, 200, 1000, 3000, 60000])
        if self.rng.random() < 0.3:
            self.open(CtlClient(self, ["wait", "--timeout", f"{ms}ms", "--for", until, *names]))
            return
        client = RawClient(self.sock_path(),
                           [self.req("wait", names=names, timeout_ms=ms, **{"for": until})])
        self.open(client)
        if self.rng.random() < 0.3:
            self.hang_up(client)  # at once: the timer is armed, the reply not yet sent

    def act_hang_up(self):
        self.hang_up_some(self.rng.random())

    def act_pause(self):
        t = self.rng.uniform(0.05, 0.5)
        self.log(f"pause {t:.2f}s")
        for cl in self.clients:
            if self.rng.random() < 0.5:
                cl.drain()
        time.sleep(t)

    # -- helpers of the actions --

    def pick_names(self, repeat=True):
        """Names for a request: mostly present services, sometimes one that is
        not there; with repeat, sometimes one name many times."""
        present = sorted(self.model)
        pool = present + [n for n in POOL if n not in self.model] + UNKNOWN
        names = [self.rng.choice(present) if self.rng.random() < 0.85 else self.rng.choice(pool)
                 for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < 0.2:
            names[0] = self.rng.choice(GROUPS)
        if repeat and self.rng.random() < 0.15:
            names += [self.rng.choice(names)] * self.rng.choice([2, 5, 20, 300])
            self.rng.shuffle(names)
        return names

    def req(self, cmd, **args):
        self.next_id += 1
        return {"v": 1, "id": self.next_id, "cmd": cmd, **args}

    def sock_path(self):
        return os.path.join(self.tmp, "corral.sock")

    def run_ctl(self, args):
        """corralctl ARGS, which must answer in time and not say that corral
        cannot be reached (exit 4)."""
        try:
            r = ctl(self, *args, timeout=ANSWER_S + 1)
        except subprocess.TimeoutExpired:
            self.check_alive(grace=2)
            self.fail_with(f"corralctl {short(args)} did not answer within {ANSWER_S + 1}s "
                           f"({self.cpu_text()})")
        if r.returncode == 4:
            self.check_alive(grace=2)
            self.fail_with(f"corralctl {short(args)} could not reach corral: {r.stderr.strip()}")
        return r

    def open(self, client):
        while len(self.clients) >= MAX_CLIENTS:
            self.hang_up(self.clients[0])
        self.clients.append(client)
        self.log("open " + client.what)

    def hang_up(self, client):
        self.log("hang up " + client.what)
        client.close()
        self.clients.remove(client)

    def hang_up_some(self, p):
        for cl in list(self.clients):
            if self.rng.random() < p:
                self.hang_up(cl)

    def hang_up_all(self):
        for cl in list(self.clients):
            cl.close()
        self.clients = []


def exit_text(rc):
    """A Popen returncode for people."""
    if rc < 0:
        return f"killed by {signal.Signals(-rc).name}"
    return f"exited {rc}" + (f" (128+{signal.Signals(rc - 128).name}?)" if rc > 128 else "")


def short(args):
    """Words for the log, a word given n > 1 times written once as WORDxN."""
    counts = {}
    for a in args:
        counts[a] = counts.get(a, 0) + 1
    return " ".join(a if n == 1 else f"{a}x{n}" for a, n in counts.items())


if __name__ == "__main__":
    harness.main()
