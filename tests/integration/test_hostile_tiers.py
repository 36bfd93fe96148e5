"""The hostile-function suite at every sandbox tier the host offers (issue 17, "Keep it so").

One server per tier (`--sandbox namespaces|process|none`; a tier the host refuses skips its class
with the reason), with a hostile function and a victim. Each test has the hostile function do one
thing a hostile function would, and checks, while it is doing it, that `/healthz` and the victim
still answer (and, for the log flood, that the victim's logs still get through):

- fork-bomb: start processes until refused, and hold them;
- fill /tmp: write 600 MB there;
- exhaust fds on its own Runtime API endpoint: hold 1,000 connections to it;
- flood stdout: 200 MB without a newline.

Scanning every loopback listener, stealing another worker's `/next` and forging its answers are
tests/integration/test_hostile_functions.py, at the same three tiers. What a tier cannot contain
is not hidden: the test proves the fact it rests on (e.g. the worker's /tmp is the host's) and
skips with the reason, which docs/security.md's table gives too."""

import json
import os
import threading
import time
import unittest
import uuid

import test_fd_limits as fd_limits
import test_log_limits as log_limits
from harness import Server, ServerTestCase, bash_function, script_function

CONNECTIONS = 1000
BOMB_LIMIT = 5000  # processes the bomb tries to start (a worker's limit is 1,024)

# The event's "do" picks the attack; the answer is what happened.
HOSTILE = r'''
result() { response="$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"; }
case "$event" in
  *'"fork-bomb"'*)  result "$(python3 - <<'PY' 2>&1
import json, os, signal, time
pids, why = [], "no limit"
try:
    for _ in range(__BOMB__):
        pids.append(os.posix_spawn("/bin/sleep", ["sleep", "60"], os.environ))
except OSError as e:
    why = e.strerror
out = os.environ["OUT_DIR"]
with open(os.path.join(out, "bomb.tmp"), "w") as f:
    json.dump({"started": len(pids), "why": why}, f)
os.rename(os.path.join(out, "bomb.tmp"), os.path.join(out, "bomb.json"))
# Hold them until the test has called the victim (at most 60 s).
for _ in range(600):
    if os.path.exists(os.path.join(out, "bomb-release")):
        break
    time.sleep(0.1)
for p in pids:
    os.kill(p, signal.SIGKILL)
for p in pids:
    os.waitpid(p, 0)
print(f"started {len(pids)}: {why}")
PY
)" ;;
  *'"fill-tmp"'*)   name="$(printf '%s' "$event" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
                    result "$(head -c 600M /dev/zero 2>&1 >"/tmp/$name"; echo "rc=$?"; rm -f "/tmp/$name")" ;;
  *'"tmp-mark"'*)   name="$(printf '%s' "$event" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')"
                    echo mark > "/tmp/$name"; result "written" ;;
esac
'''.replace("__BOMB__", str(BOMB_LIMIT))

HOARDER = fd_limits.HOARDER.replace("__N__", str(CONNECTIONS))


class HostileAtTier(ServerTestCase, log_limits.LogLimitAssertions):
    """Each attack at one tier; subclasses name it."""

    tier = ""
    init_timeout = 10

    @classmethod
    def functions(cls):
        interpreter = fd_limits.python3()
        hoarder = script_function("Hoarder", HOARDER.replace("/usr/bin/env python3",
                                                             interpreter or "/usr/bin/python3"),
                                  Timeout=120)
        return [
            # /tmp (at tier namespaces a tmpfs of EphemeralStorage, 512 MB) counts against
            # MemorySize: more memory than /tmp, so that filling /tmp meets its own limit first.
            bash_function("Hostile", HOSTILE, Timeout=90, MemorySize=1024),
            hoarder,
            bash_function("NoNewlines", f'head -c {log_limits.FLOOD} /dev/zero | tr "\\0" x',
                          Timeout=120),
            # The victim (log_limits' flood checks its logs by this name).
            bash_function("Quiet", 'echo "quiet $rid"'),
        ]

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), args=["--sandbox", cls.tier],
                            init_timeout=cls.init_timeout)
        cls.server.start()

    @classmethod
    def setUpClass(cls) -> None:
        try:
            super().setUpClass()
        except AssertionError as e:
            if "is not available here" in str(e):  # lambdad refuses a tier the host lacks
                raise unittest.SkipTest(f"this host does not offer the `{cls.tier}` tier: {e}")
            raise
        log = cls.server.stderr()
        cls.cgroups = "worker limits (MemorySize, pids) and Max Memory Used: " in log

    def assert_unaffected(self, what: str) -> None:
        """/healthz and the victim answer, on a warm worker and on a cold one (two at once)."""
        health = self.server.request("GET", "/healthz", timeout=30)
        self.assertEqual(health.status, 200, f"/healthz during {what}: {health}")
        results = []
        threads = [threading.Thread(target=lambda i=i: results.append(
            self.server.invoke("Quiet", {"during": what, "i": i}, timeout=30))) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertEqual(r.status, 200, f"the victim during {what}: {r}")
            self.assertIsNone(r.header("X-Amz-Function-Error"), f"the victim during {what}: {r}")

    def attack_in_background(self, payload: dict) -> tuple[threading.Thread, dict]:
        outcome: dict = {}
        thread = threading.Thread(target=lambda: outcome.setdefault(
            "r", self.server.invoke("Hostile", payload, timeout=120)), daemon=True)
        thread.start()
        return thread, outcome

    def test_fork_bomb(self):
        # What stops it: the worker's pids cgroup (1,024), or at tier namespaces without cgroups
        # RLIMIT_NPROC in the worker's own user namespace. At tiers process and none without
        # cgroups, RLIMIT_NPROC counts every process of the server's user (nothing as root): the
        # bomb would starve the victim or the host, so it is not set off.
        if not (self.cgroups or self.tier == "namespaces"):
            self.skipTest(f"NOT contained at tier {self.tier} without worker cgroups "
                          "(docs/security.md)")
        thread, outcome = self.attack_in_background({"do": "fork-bomb"})
        try:
            bomb = json.loads(self.server.out_file("bomb.json", timeout=90))
            print(f"\n{self.tier}: fork bomb: {bomb}", flush=True)
            self.assert_unaffected("a fork bomb")
        finally:
            (self.server.out_dir / "bomb-release").write_text("go")
            thread.join(120)
        r = outcome["r"]
        self.assertEqual(r.status, 200, r)
        self.assertEqual(bomb["why"], "Resource temporarily unavailable", bomb)
        self.assertLessEqual(bomb["started"], 1024, bomb)
        self.assertTrue(self.server.running())

    def test_fill_tmp(self):
        name = f"lambdad-hostile-{uuid.uuid4().hex}"
        if self.tier != "namespaces":
            # The worker's /tmp is the host's: what it writes there fills the host's disk. The
            # test proves that much with one small file and does not fill the host.
            r = self.server.invoke_ok(self, "Hostile", {"do": "tmp-mark", "name": name})
            try:
                self.assertEqual(r.json(), "written")
                self.assertTrue(os.path.exists(f"/tmp/{name}"), "the worker's /tmp is the host's")
            finally:
                if os.path.exists(f"/tmp/{name}"):
                    os.unlink(f"/tmp/{name}")
            self.assert_unaffected("a write to the host's /tmp")
            self.skipTest(f"NOT contained at tier {self.tier}: a worker's /tmp is the host's "
                          "(docs/security.md)")
        thread, outcome = self.attack_in_background({"do": "fill-tmp", "name": name})
        self.assert_unaffected("a /tmp flood")
        thread.join(120)
        r = outcome["r"]
        self.assertEqual(r.status, 200, r)
        self.assertIn("No space left on device", r.json())
        self.assertFalse(os.path.exists(f"/tmp/{name}"), "the host's /tmp is not the worker's")
        self.assert_unaffected("after a /tmp flood")

    def test_fd_exhaustion_on_its_endpoint(self):
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault(
            "r", self.server.invoke("Hoarder", {}, timeout=150)), daemon=True)
        thread.start()
        try:
            held = json.loads(self.server.out_file("held.json", timeout=90))
            print(f"\n{self.tier}: function opening {CONNECTIONS} connections to its endpoint: "
                  f"kept {held['kept']}, refused {held['refused']}, closed {held['closed']}, "
                  f"failed {held['failed']}", flush=True)
            self.assertLessEqual(held["kept"], 8, held)
            self.assertGreater(held["refused"] + held["closed"], CONNECTIONS - 50, held)
            self.assert_unaffected(f"{CONNECTIONS} connections to an endpoint")
            self.assertLess(len(os.listdir(f"/proc/{self.server.pid}/fd")), 128)
        finally:
            (self.server.out_dir / "release").write_text("go")
            thread.join(160)
        r = result["r"]
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)

    # 200 MB without a newline; the victim ("Quiet") logs meanwhile and its lines get through.
    flood = log_limits.DefaultLimitsFloodTest.flood

    def test_stdout_flood(self):
        self.flood("NoNewlines")
        self.assert_unaffected("after a log flood")


class HostileAtNamespacesTierTest(HostileAtTier):
    tier = "namespaces"


class HostileAtProcessTierTest(HostileAtTier):
    tier = "process"


class HostileWithoutSandboxTest(HostileAtTier):
    tier = "none"


del HostileAtTier  # the base names no tier: not a test of its own


if __name__ == "__main__":
    unittest.main()
