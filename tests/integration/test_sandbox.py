"""The sandbox, attacked from inside real workers: a hostile function tries to read the state
database, another function's code and /etc/shadow, to write outside /tmp, fill /tmp, fork-bomb,
exhaust file descriptors, kill or trace the server and other workers, mount, create namespaces and
reach another worker's Runtime API. Each attempt must fail inside the function while the server
and every other function keep serving; /tmp is private per worker.

Most of this needs the `namespaces` tier (user namespaces on this host): those classes skip with
the reason where lambdad runs at a lower tier. The seccomp checks also run at tier `process`."""

import json
import unittest
from pathlib import Path

from harness import Server, ServerTestCase, bash_function, parallel, template_text

# One hostile function: the event's "do" picks the attempt; the answer is what happened.
HOSTILE = r'''
result() { response="$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"; }
case "$event" in
  *'"read-db"'*)        result "$(cat "$STATE_DB" 2>&1 | head -c 200; echo "rc=${PIPESTATUS[0]}")" ;;
  *'"read-other"'*)     result "$(cat "$OTHER_CODE/bootstrap" 2>&1 | head -c 200; ls /var/task; echo "rc=${PIPESTATUS[0]}")" ;;
  *'"shadow"'*)         result "$(cat /etc/shadow 2>&1 | head -c 200; echo "rc=${PIPESTATUS[0]}")" ;;
  *'"write"'*)          out=""; for f in /var/task/x /etc/x /x /opt/x /usr/x /proc/x /dev/x "$STATE_DIR/x"; do
                          touch "$f" 2>/dev/null && out+="wrote $f;"; done
                        touch /tmp/ok && out+="tmp ok"; result "$out" ;;
  *'"fill-tmp"'*)       result "$(head -c 600M /dev/zero 2>&1 >/tmp/big; echo "rc=$?"; rm -f /tmp/big)" ;;
  *'"fork-bomb"'*)      result "$(python3 - <<'PY' 2>&1
import os, signal
pids = []
try:
    for _ in range(5000):
        pids.append(os.posix_spawn("/bin/sleep", ["sleep", "30"], os.environ))
    print("no limit")
except OSError as e:
    print(f"stopped at {len(pids)}: {e.strerror}")
for p in pids:
    os.kill(p, signal.SIGKILL)
for p in pids:
    os.waitpid(p, 0)
PY
)" ;;
  *'"open-files"'*)     result "$(python3 -c '
files = []
try:
    for _ in range(5000):
        files.append(open("/dev/null"))
    print("no limit")
except OSError as e:
    print(f"stopped at {len(files)}: {e.strerror}")' 2>&1)" ;;
  *'"kill-server"'*)    pid="$(printf '%s' "$event" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')"
                        result "$(kill -9 "$pid" 2>&1; echo "rc=$?")" ;;
  *'"ptrace"'*)         result "$(python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH to PID 1
print(rc, os.strerror(ctypes.get_errno()))' 2>&1)" ;;
  *'"processes"'*)      result "$(ls /proc | grep -E '^[0-9]+$' | tr '\n' ' '; echo; cat /proc/1/cmdline | tr '\0' ' ')" ;;
  *'"mount"'*)          mkdir -p /tmp/m; result "$(python3 -c '
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.mount(b"none", b"/tmp/m", b"tmpfs", 0, None)
print(rc, os.strerror(ctypes.get_errno()))' 2>&1)" ;;
  *'"userns"'*)         result "$(unshare -U true 2>&1; echo "rc=$?"; unshare -r true 2>&1; echo "rc=$?")" ;;
  *'"whoami"'*)         result "$(id -u; id -g; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t' ' ')" ;;
  *'"other-api"'*)      other="$(printf '%s' "$event" | python3 -c 'import json,sys; print(json.load(sys.stdin)["api"])')"
                        result "$(curl -sS -X POST "http://$other/2018-06-01/runtime/invocation/00000000-0000-0000-0000-000000000000/response" -d '"stolen"' 2>&1)" ;;
  *'"tmp-write"'*)      echo "secret of $AWS_LAMBDA_LOG_STREAM_NAME" > /tmp/secret; result "$(ls /tmp)" ;;
  *'"tmp-list"'*)       result "$(ls -A /tmp | tr '\n' ' ')" ;;
  *'"layers"'*)         result "$(cat /opt/shared.txt /opt/a-only.txt /opt/b-only.txt 2>&1 | tr '\n' ' ')" ;;
esac
'''


def attempt(test: ServerTestCase, what: str, function: str = "Hostile", **extra) -> str:
    r = test.server.invoke_ok(test, function, {"do": what, **extra}, timeout=60)
    return r.json()


class SandboxTestCase(ServerTestCase):
    init_timeout = 10

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        tier = cls.server.sandbox_tier()
        if tier != "namespaces":
            cls.server.stop()
            cls.server.cleanup()
            raise unittest.SkipTest(f"lambdad runs at sandbox tier '{tier}' on this host (the "
                                    "namespaces tier needs user namespaces; see lambdad doctor)")

    def assert_serving(self) -> None:
        """The server and the other function still answer."""
        r = self.server.invoke_ok(self, "Good", {"ping": 1})
        self.assertEqual(r.json(), {"ping": 1})


class EscapeTest(SandboxTestCase):
    @classmethod
    def functions(cls):
        return [
            # /tmp is a tmpfs, which counts against MemorySize: more memory than /tmp, so that
            # filling /tmp meets its own size limit first.
            bash_function("Hostile", HOSTILE, Timeout=30, MemorySize=1024),
            bash_function("Good"),
            bash_function("Other", "", Environment={"Variables": {"SECRET": "other's"}}),
        ]

    @classmethod
    def _start_server(cls) -> None:
        # What the hostile function aims at is told to it (an attacker would guess it): the
        # state database and folder, and another function's code, as host paths.
        cls.server = Server(cls.functions(), init_timeout=cls.init_timeout)
        variables = cls.server.functions[0].properties["Environment"]["Variables"]
        variables.update({"STATE_DB": str(cls.server.db_path),
                          "STATE_DIR": str(cls.server.state_dir),
                          "OTHER_CODE": str(cls.server.root / "functions" / "Other")})
        cls.server.template_path.write_text(template_text(cls.server.functions))
        cls.server.start()

    def invoke_hostile(self, what: str, **extra) -> str:
        return attempt(self, what, **extra)

    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(self.assert_serving)

    def test_runs_unprivileged_without_capabilities_under_seccomp(self):
        out = self.invoke_hostile("whoami").split("\n")
        self.assertNotEqual(out[0], "0", "not root")
        self.assertNotEqual(out[1], "0", "not the root group")
        fields = dict(line.split(" ", 1) for line in out[2:])
        self.assertEqual(fields["CapEff:"], "0000000000000000")
        self.assertEqual(fields["CapBnd:"], "0000000000000000")
        self.assertEqual(fields["NoNewPrivs:"], "1")
        self.assertEqual(fields["Seccomp:"], "2")

    def test_cannot_read_the_state_database(self):
        out = self.invoke_hostile("read-db")
        self.assertIn("No such file or directory", out)
        self.assertNotIn("SQLite", out)

    def test_cannot_read_another_functions_code(self):
        out = self.invoke_hostile("read-other")
        self.assertIn("No such file or directory", out)
        self.assertNotIn("#!/bin/bash", out)
        self.assertIn("bootstrap", out, "its own code is at /var/task")

    def test_cannot_read_etc_shadow(self):
        out = self.invoke_hostile("shadow")
        self.assertIn("No such file or directory", out)
        self.assertNotIn("root:", out)

    def test_writes_nowhere_but_tmp(self):
        self.assertEqual(self.invoke_hostile("write"), "tmp ok")
        self.assertFalse((self.server.state_dir / "x").exists())
        self.assertFalse((self.server.root / "functions" / "Hostile" / "x").exists())

    def test_tmp_is_size_limited(self):
        out = self.invoke_hostile("fill-tmp")
        self.assertIn("No space left on device", out)

    def test_fork_bomb_stops_at_the_process_limit(self):
        out = self.invoke_hostile("fork-bomb")
        self.assertRegex(out, r"^stopped at \d+: Resource temporarily unavailable")
        self.assertLessEqual(int(out.split()[2].rstrip(":")), 1024)

    def test_file_descriptors_are_limited(self):
        out = self.invoke_hostile("open-files")
        self.assertRegex(out, r"^stopped at 10\d\d: Too many open files")

    def test_cannot_see_signal_or_trace_other_processes(self):
        out = self.invoke_hostile("processes").split("\n")
        pids = [int(p) for p in out[0].split()]
        self.assertIn(1, pids)
        self.assertLess(len(pids), 10, f"only the worker's own processes: {pids}")
        self.assertTrue(out[1].startswith("lambdad-init "), out[1])
        self.assertIn("No such process", self.invoke_hostile("kill-server", pid=self.server.pid))
        self.assertTrue(self.server.running())
        self.assertIn("Operation not permitted", self.invoke_hostile("ptrace"))

    def test_cannot_mount_or_create_namespaces(self):
        self.assertEqual(self.invoke_hostile("mount"), "-1 Operation not permitted")
        out = self.invoke_hostile("userns")
        self.assertEqual(out.count("Operation not permitted"), 2, out)
        self.assertNotIn("rc=0", out)

    def test_cannot_answer_another_workers_request(self):
        # The other worker's endpoint is reachable by port on the shared host network, but it
        # closes connections that its own worker's processes did not open (docs/security.md).
        self.server.invoke_ok(self, "Other", {})
        port = None
        for pid in self.server.workers():
            try:
                env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"SECRET=other's" in env:
                port = next(e for e in env if e.startswith(b"AWS_LAMBDA_RUNTIME_API="))
                port = port.split(b"=", 1)[1].decode()
        self.assertIsNotNone(port, "the Other worker's endpoint")
        out = self.invoke_hostile("other-api", api=port)
        self.assertRegex(out, r"Empty reply from server|Connection reset", out)
        self.server.invoke_ok(self, "Other", {})

    def test_tmp_is_private_per_worker(self):
        self.invoke_hostile("tmp-write")
        self.assertIn("secret", self.invoke_hostile("tmp-list"), "kept while the worker is warm")


# Connects to the event's "url"; answers the HTTP status (or curl's error) and the interfaces.
NET_PROBE = r"""
url="$(printf '%s' "$event" | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')"
out="$(curl -sS -m 3 -o /dev/null -w '%{http_code}' "$url" 2>&1)"
ifaces="$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')"
response="$(python3 -c 'import json,sys; print(json.dumps({"curl": sys.argv[1], "ifaces": sys.argv[2].strip(), "api": sys.argv[3]}))' "$out" "$ifaces" "$AWS_LAMBDA_RUNTIME_API")"
"""

# The probe starts five processes; at 128 MB's CPU weight (nice 12) a busy machine can stretch
# that past the default 3 s.
PROBE_PROPERTIES = {"MemorySize": 1024, "Timeout": 15}
OFFLINE = {"lambdad": {"Network": "none"}}
ONLINE = {"lambdad": {"Network": "host"}}


class NetworkTestCase(SandboxTestCase):
    def probe(self, function: str, url: str) -> dict:
        return self.server.invoke_ok(self, function, {"url": url}, timeout=30).json()

    def runtime_api_of(self, function: str) -> str:
        """The host address of a running worker's Runtime API (from its environment)."""
        self.server.invoke_ok(self, function, {"url": "http://127.0.0.1:1/"})
        for pid in self.server.workers():
            try:
                env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if f"AWS_LAMBDA_FUNCTION_NAME={function}".encode() in env:
                api = next(e for e in env if e.startswith(b"AWS_LAMBDA_RUNTIME_API="))
                return api.split(b"=", 1)[1].decode()
        self.fail(f"no worker of {function}")

    # /healthz: the lambda port answers it to anyone; ListFunctions is refused to workers
    # (403 AccessDeniedException: functions do not manage lambdad).
    def assert_offline(self, function: str) -> None:
        out = self.probe(function, self.server.lambda_url + "/healthz")
        self.assertEqual(out["ifaces"], "lo", out)
        self.assertEqual(out["api"], "127.0.0.1:9001", out)
        self.assertNotEqual(out["curl"], "200", out)
        self.assertIn("Failed to connect", out["curl"], out)
        # Another worker's Runtime API (on the host's loopback) is out of reach too.
        out = self.probe(function, f"http://{self.runtime_api_of('Online')}/2018-06-01/runtime/invocation/next")
        self.assertIn("Failed to connect", out["curl"], out)

    def assert_online(self, function: str) -> None:
        out = self.probe(function, self.server.lambda_url + "/healthz")
        self.assertEqual(out["curl"], "200", out)
        self.assertNotEqual(out["api"], "127.0.0.1:9001", out)


class FunctionNetworkTest(NetworkTestCase):
    """The server's default is the host network; one function asks for none (Metadata)."""

    @classmethod
    def functions(cls):
        offline = bash_function("Offline", NET_PROBE, **PROBE_PROPERTIES)
        offline.metadata = OFFLINE
        return [offline, bash_function("Online", NET_PROBE, **PROBE_PROPERTIES),
                bash_function("Good")]

    def test_a_function_without_network_reaches_only_its_runtime_api(self):
        self.assert_offline("Offline")
        self.assert_serving()

    def test_other_functions_keep_the_host_network(self):
        self.assert_online("Online")

    def test_warm_and_cold_workers_without_network(self):
        results = parallel([lambda: self.probe("Offline", "http://127.0.0.1:1/")] * 4)
        self.assertTrue(all(r["api"] == "127.0.0.1:9001" for r in results), results)


class ServerNetworkTest(NetworkTestCase):
    """--worker-network none: every worker is offline unless its function asks for the host's."""

    server_args = ["--worker-network", "none"]

    @classmethod
    def functions(cls):
        online = bash_function("Online", NET_PROBE, **PROBE_PROPERTIES)
        online.metadata = ONLINE
        return [bash_function("Offline", NET_PROBE, **PROBE_PROPERTIES), online,
                bash_function("Good")]

    def test_workers_have_no_network_by_default(self):
        self.assert_offline("Offline")

    def test_a_function_may_ask_for_the_host_network(self):
        self.assert_online("Online")


class TmpPrivacyTest(SandboxTestCase):
    @classmethod
    def functions(cls):
        writer = r'''echo "$AWS_LAMBDA_LOG_STREAM_NAME" > /tmp/mine; response="\"$(ls -A /tmp | tr '\n' ' ')\""'''
        return [bash_function("A", writer), bash_function("B", writer), bash_function("Good")]

    def test_each_worker_has_its_own_tmp(self):
        a = self.server.invoke_ok(self, "A", {}).json()
        b = self.server.invoke_ok(self, "B", {}).json()
        # Each sees only its own file (and the bash runtime's temp file), never the other's.
        self.assertEqual(a.split().count("mine"), 1, a)
        self.assertEqual(b.split().count("mine"), 1, b)
        results = parallel([lambda: self.server.invoke("A", {}, timeout=30)] * 2)
        for r in results:
            self.assertEqual(r.status, 200, r)


class LayersTest(SandboxTestCase):
    """Layers are merged at /opt in order, a later layer winning."""

    @classmethod
    def functions(cls):
        return [bash_function("Hostile", HOSTILE, Layers=["layers/a/", "layers/b/"]),
                bash_function("Good")]

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), init_timeout=cls.init_timeout)
        for layer, files in {"a": {"shared.txt": "from a", "a-only.txt": "a"},
                             "b": {"shared.txt": "from b", "b-only.txt": "b"}}.items():
            folder = cls.server.root / "layers" / layer
            folder.mkdir(parents=True)
            for name, text in files.items():
                (folder / name).write_text(text + "\n")
        cls.server.start()

    def test_later_layer_wins(self):
        self.assertEqual(attempt(self, "layers").split(), ["from", "b", "a", "b"])


# A function without CodeUri (SAM's default: the template's folder, which holds the state dir
# .lambdad) looks for lambdad's files below /var/task.
PEEK = r"""
result() { response="$(printf '%s' "$1" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')"; }
result "$(ls -A /var/task/.lambdad 2>&1 | tr '\n' ' '; echo "|"
          cat /var/task/.lambdad/lambdad.db 2>&1 | head -c 100; echo "rc=${PIPESTATUS[0]}|"
          ls -A /var/task/.lambdad/code 2>&1 | head -c 200; echo "|"
          touch /var/task/.lambdad/x 2>&1; echo "|"
          ls -A /var/task | tr '\n' ' ')"
"""

STATE_DIR_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Peek:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 30
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {"inline": True}
"""


class StateDirTest(SandboxTestCase):
    """The state dir inside a function's code folder (CodeUri omitted) looks empty to it: no
    database, no other function's unpacked code."""

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(template=STATE_DIR_TEMPLATE, init_timeout=cls.init_timeout)
        # Where lambdad puts it when --state-dir is not given: beside the template.
        cls.server.state_dir = cls.server.root / ".lambdad"
        cls.server.root.chmod(0o755)  # the code folder: the worker runs as nobody when lambdad is root
        bootstrap = cls.server.root / "bootstrap"
        bootstrap.write_text(bash_function("Peek", PEEK).code)
        bootstrap.chmod(0o755)
        cls.server.start()

    def test_state_dir_looks_empty_inside_the_code_folder(self):
        state = self.server.state_dir
        self.assertTrue((state / "lambdad.db").exists())
        self.assertTrue(any((state / "code").iterdir()), "the InlineCode function is unpacked")
        listing, db, code, touch, task = attempt(self, "peek", function="Peek").split("|")
        self.assertEqual(listing.strip(), "", "nothing in /var/task/.lambdad")
        self.assertIn("No such file or directory", db)
        self.assertNotIn("SQLite", db)
        self.assertIn("No such file or directory", code)
        self.assertIn("Read-only file system", touch)
        # The rest of the function's code folder is there, .lambdad as an empty folder.
        self.assertIn("bootstrap", task.split())
        self.assertIn("template.yaml", task.split())
        self.assertIn(".lambdad", task.split())
        self.assertEqual(self.server.invoke_ok(self, "Inline", {}).json(), {"inline": True})


class StateDirModeTest(unittest.TestCase):
    """The state dir is private to the server's user (0700), at every tier: one left open to
    others is tightened at start, with a log line."""

    def test_an_open_state_dir_is_made_private(self):
        server = Server([bash_function("Good")])
        self.addCleanup(server.cleanup)
        server.state_dir.mkdir()
        server.state_dir.chmod(0o755)
        with server:  # starts it
            server.invoke_ok(self, "Good", {})
            self.assertEqual(server.state_dir.stat().st_mode & 0o777, 0o700)
            self.assertIn("was open to group or others (mode 0755): now 0700",
                          server.stdout() + server.stderr())
            server.stop()

    def test_a_new_state_dir_is_private(self):
        with Server([bash_function("Good")]) as server:
            server.invoke_ok(self, "Good", {})
            self.assertEqual(server.state_dir.stat().st_mode & 0o777, 0o700)
            self.assertNotIn("was open to group or others", server.stdout() + server.stderr())
            server.stop()


class ProcessTierTest(unittest.TestCase):
    """At tier `process` (no namespaces) the seccomp filter still denies mount and namespace
    creation."""

    def test_seccomp_at_the_process_tier(self):
        with Server([bash_function("Hostile", HOSTILE), bash_function("Good")],
                    args=["--sandbox", "process"]) as server:
            if server.sandbox_tier() != "process":
                self.skipTest("seccomp is not available on this host")
            r = server.invoke_ok(self, "Hostile", {"do": "userns"})
            self.assertEqual(r.json().count("Operation not permitted"), 2, r.json())
            r = server.invoke_ok(self, "Hostile", {"do": "whoami"})
            self.assertIn("NoNewPrivs: 1", r.json())
            self.assertIn("Seccomp: 2", r.json())
            server.invoke_ok(self, "Good", {})
            server.stop()


if __name__ == "__main__":
    unittest.main()
