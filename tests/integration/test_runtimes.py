"""Runtime selection: nodejs* / python* functions run on the machine's node / python3 (resolved to
the real binary once) through the bootstrap clients in runtime-api/; another version runs with a
warning; an absent interpreter stops `validate` and `serve` with a clear message.

The worker environment is checked with stand-in clients (LAMBDAD_RUNTIME_API_DIR) that answer
their first invocation with what they were started with, so this file tests the server's side
only; test_nodejs.py and test_python.py test the real clients."""

import json
import os
import re
import shutil
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from harness import Server, handler_function, run_cli

NODE_ECHO = r"""
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const next = await fetch(`http://${api}/2018-06-01/runtime/invocation/next`);
const id = next.headers.get('lambda-runtime-aws-request-id');
const body = {argv: process.argv, execArgv: process.execArgv, execPath: process.execPath, env: process.env, cwd: process.cwd()};
await fetch(`http://${api}/2018-06-01/runtime/invocation/${id}/response`,
            {method: 'POST', body: JSON.stringify(body)});
"""

WRAPPER = """#!/bin/sh
export WRAPPED_BY=wrapper.sh
exec "$@"
"""

PYTHON_ECHO = r"""
import http.client, json, os, sys
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
conn = http.client.HTTPConnection(api)
conn.request("GET", "/2018-06-01/runtime/invocation/next")
r = conn.getresponse(); r.read()
rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
body = {"argv": sys.argv, "executable": sys.executable, "env": dict(os.environ), "cwd": os.getcwd()}
conn.request("POST", f"/2018-06-01/runtime/invocation/{rid}/response", json.dumps(body))
conn.getresponse().read()
"""


def node_major() -> str:
    out = run_cli(["doctor"]).stdout
    match = re.search(r"Node\.js (\d+)\.", out)
    if not match:
        raise unittest.SkipTest(f"no node on this machine: {out}")
    return match.group(1)


def python_minor() -> str:
    match = re.search(r"Python (\d+\.\d+)\.", run_cli(["doctor"]).stdout)
    if not match:
        raise unittest.SkipTest("no python3 on this machine")
    return match.group(1)


class TempDirTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="lambdad-rt-"))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)

    def shim(self, name: str, target: str) -> Path:
        """A version-manager-style shim: a shell script that execs the real interpreter."""
        path = self.dir / name
        path.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        path.chmod(0o755)
        return path


class DoctorTest(TempDirTest):
    def test_lists_interpreters_and_clients(self):
        r = run_cli(["doctor"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"Node\.js \d+\.\d+\.\d+ at /\S+node")
        self.assertRegex(r.stdout, r"Python 3\.\d+\.\d+ at /\S+python3")
        self.assertIn("bootstrap clients: ", r.stdout)
        self.assertRegex(r.stdout, r"worker cgroups .*:\n  (available: cgroup v[12] \(memory|unavailable)")

    def test_shims_resolve_to_the_real_binary(self):
        node = shutil.which("node")
        if not node:
            self.skipTest("no node on PATH")
        real = os.path.realpath(node)
        shim = self.shim("node", node)
        r = run_cli(["doctor"], env={"LAMBDAD_NODE": str(shim)})
        self.assertIn(f" at {real} ", r.stdout)
        self.assertNotIn(str(shim), r.stdout)

    def test_absent_interpreter_is_reported(self):
        r = run_cli(["doctor"], env={"LAMBDAD_PYTHON": str(self.dir / "missing-python3")})
        self.assertEqual(r.returncode, 0)
        self.assertIn("Python: absent: ", r.stdout)

    def test_help_and_usage(self):
        self.assertEqual(run_cli(["doctor", "--help"]).returncode, 0)
        self.assertEqual(run_cli(["doctor", "extra"]).returncode, 2)


class SelectionTest(TempDirTest):
    def write_template(self, runtime: str) -> Path:
        code = self.dir / "fn"
        code.mkdir(exist_ok=True)
        (code / "app.py").write_text("def handler(e, c):\n    return e\n")
        (code / "app.js").write_text("exports.handler = async (e) => e;\n")
        handler = "app.handler"
        (self.dir / "template.yaml").write_text(textwrap.dedent(f"""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: fn/
                  Handler: {handler}
                  Runtime: {runtime}
            """))
        return self.dir

    def test_absent_interpreter_fails_validate_with_the_line(self):
        folder = self.write_template("python3.12")
        r = run_cli(["validate", str(folder)], env={"LAMBDAD_PYTHON": "/nonexistent/python3"})
        self.assertEqual(r.returncode, 1, r)
        self.assertRegex(r.stderr, r"template\.yaml:3: error: function 'Fn': runtime python3\.12 "
                                   r"needs Python, but LAMBDAD_PYTHON=/nonexistent/python3 is not "
                                   r"an executable file")

    def test_absent_interpreter_stops_serve(self):
        folder = self.write_template("nodejs20.x")
        env = dict(os.environ, LAMBDAD_NODE=str(self.dir / "no-node"))
        server = Server(template=(folder / "template.yaml").read_text(), env=env)
        shutil.copytree(folder / "fn", server.root / "fn")
        with self.assertRaisesRegex(AssertionError, r"exited with 1 before listening(.|\n)*"
                                    r"runtime nodejs20\.x needs Node\.js"):
            server.start()

    def test_an_unneeded_interpreter_is_not_looked_for(self):
        folder = self.write_template("provided.al2023")
        r = run_cli(["validate", str(folder)], env={"LAMBDAD_NODE": "/nonexistent/node",
                                                    "LAMBDAD_PYTHON": "/nonexistent/python3"})
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_another_version_runs_with_one_warning(self):
        other = "18" if node_major() != "18" else "20"
        folder = self.write_template(f"nodejs{other}.x")
        r = run_cli(["validate", str(folder)])
        self.assertEqual(r.returncode, 0, r.stderr)
        warnings = [l for l in r.stderr.splitlines() if "warning:" in l]
        self.assertEqual(len(warnings), 1, r.stderr)
        self.assertRegex(warnings[0], rf"function 'Fn': runtime nodejs{other}\.x runs on this "
                                      rf"machine's Node\.js {node_major()}\.")


def node_sdk() -> list[str]:
    """The global npm root with @aws-sdk that lambdad puts on NODE_PATH, as doctor names it."""
    match = re.search(r"AWS SDK for JavaScript v3 \(nodejs\*\): available from (\S+)",
                      run_cli(["doctor"]).stdout)
    return [match.group(1)] if match else []


class WorkerEnvironmentTest(unittest.TestCase):
    """What a managed-runtime worker is started with, seen from inside it."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.clients = Path(tempfile.mkdtemp(prefix="lambdad-clients-"))
        (cls.clients / "nodejs").mkdir()
        (cls.clients / "nodejs" / "index.mjs").write_text(NODE_ECHO)
        (cls.clients / "python").mkdir()
        (cls.clients / "python" / "bootstrap.py").write_text(PYTHON_ECHO)
        layer_files = {"opt.txt": ""}
        cls.server = Server([
            handler_function("Node", f"nodejs{node_major()}.x", "app.handler", {"app.js": ""},
                             Layers=["layers/a/", "layers/b/"], MemorySize=256),
            handler_function("Py", f"python{python_minor()}", "app.handler", {"app.py": ""},
                             Layers=["layers/a/", "layers/b/"],
                             LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG"}),
            handler_function("Wrapped", f"python{python_minor()}", "app.handler",
                             {"app.py": "", "wrapper.sh": WRAPPER},
                             Environment={"Variables": {"AWS_LAMBDA_EXEC_WRAPPER": "wrapper.sh"}}),
        ], env={"LAMBDAD_RUNTIME_API_DIR": str(cls.clients)})
        for layer in ("a", "b"):
            (cls.server.root / "layers" / layer).mkdir(parents=True)
            for name, text in layer_files.items():
                (cls.server.root / "layers" / layer / name).write_text(text)
        (cls.server.root / "functions" / "Wrapped" / "wrapper.sh").chmod(0o755)
        cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()
            shutil.rmtree(cls.clients, ignore_errors=True)

    def started_with(self, name: str) -> dict:
        return json.loads(self.server.invoke_ok(self, name, {}).body)

    def paths(self, name: str, family: str) -> tuple[str, Path, Path]:
        """(code, runtime client folder, layers root) as the worker sees them: /var/task,
        /var/runtime and /opt (the layers merged) in a sandbox, else the host's folders."""
        if self.server.sandbox_tier() == "namespaces":
            return "/var/task", Path("/var/runtime"), Path("/opt")
        return (str(self.server.root / "functions" / name), self.clients / family,
                self.server.root / "layers")

    def layer_paths(self, layers: Path, *subfolders: str) -> list[str]:
        """Search-path entries for the layers: the later layer first (one /opt in a sandbox)."""
        roots = [layers] if layers == Path("/opt") else [layers / "b", layers / "a"]
        return [f"{root}/{sub}" for root in roots for sub in subfolders]

    def test_node_runs_the_client_on_the_real_node(self):
        seen = self.started_with("Node")
        env = seen["env"]
        real_node = os.path.realpath(shutil.which("node"))
        self.assertEqual(seen["execPath"], real_node)
        code, client, layers = self.paths("Node", "nodejs")
        # The heap limits AWS's Node.js bootstrap derives from MemorySize (256 MB here).
        self.assertEqual(seen["argv"][1:], [str(client / "index.mjs")])
        self.assertEqual(seen["execArgv"], ["--expose-gc", "--max-http-header-size", "81920",
                                            "--max-semi-space-size=12",
                                            "--max-old-space-size=231"])
        self.assertEqual(seen["cwd"], code)
        self.assertEqual(env["LAMBDA_TASK_ROOT"], code)
        self.assertEqual(env["LAMBDA_RUNTIME_DIR"], str(client))
        self.assertEqual(env["AWS_EXECUTION_ENV"], f"AWS_Lambda_nodejs{node_major()}.x")
        self.assertEqual(env["_HANDLER"], "app.handler")
        major = node_major()
        self.assertEqual(env["NODE_PATH"].split(":"), [
            *self.layer_paths(layers, f"nodejs/node{major}/node_modules", "nodejs/node_modules"),
            str(client / "node_modules"), *node_sdk(), str(client), code])
        self.assertEqual(env["PATH"].split(":")[0], os.path.dirname(real_node))

    def test_python_runs_the_client_on_the_real_python(self):
        seen = self.started_with("Py")
        env = seen["env"]
        self.assertNotIn("/shims/", seen["executable"])
        code, client, layers = self.paths("Py", "python")
        self.assertEqual(seen["argv"], [str(client / "bootstrap.py")])
        self.assertEqual(seen["cwd"], code)
        self.assertEqual(env["AWS_EXECUTION_ENV"], f"AWS_Lambda_python{python_minor()}")
        self.assertEqual(env["LAMBDA_RUNTIME_DIR"], str(client))
        minor = python_minor()
        self.assertEqual(env["PYTHONPATH"].split(":"), [
            *self.layer_paths(layers, f"python/lib/python{minor}/site-packages", "python"),
            str(client)])
        self.assertIn(str(client), env["LD_LIBRARY_PATH"].split(":"))
        self.assertEqual((env["AWS_LAMBDA_LOG_FORMAT"], env["AWS_LAMBDA_LOG_LEVEL"]),
                         ("JSON", "DEBUG"))

    def test_exec_wrapper_starts_the_runtime(self):
        seen = self.started_with("Wrapped")
        self.assertEqual(seen["env"]["WRAPPED_BY"], "wrapper.sh")
        _, client, _ = self.paths("Wrapped", "python")
        self.assertEqual(seen["argv"], [str(client / "bootstrap.py")])


if __name__ == "__main__":
    sys.exit(unittest.main())
