"""Where a function's code comes from, through the real binary: InlineCode (Node.js and Python),
a `.zip` CodeUri (a `provided.al2023` bootstrap and a Node.js handler) unpacked into the state dir
and swapped on hot reload when the zip is replaced, an omitted CodeUri (the template's folder),
`sam build`'s `.aws-sam/build/template.yaml` served when newer (and `--no-build-dir`), and the
archives refused (zip slip, links out, a zip bomb, a file that is not a zip) with the function and
line named and nothing left behind."""

from __future__ import annotations

import os
import shutil
import stat
import textwrap
import time
import unittest
import zipfile
from pathlib import Path

from harness import BASH_RUNTIME, Server, metric, run_cli, wait_until

HAS_NODE = shutil.which("node") is not None
HAS_PYTHON = shutil.which("python3") is not None


def bash_bootstrap(answer: str) -> str:
    """A bash custom runtime answering {"answer": ANSWER}."""
    code = BASH_RUNTIME.replace("__INIT__", ":")
    return code.replace("__HANDLER__", f'response=\'{{"answer":"{answer}"}}\'')


def write_zip(path: Path, files: dict[str, str | tuple[str, int]],
              links: dict[str, str] | None = None) -> None:
    """files: name → text, or (text, mode); links: name → target (symbolic links). Written to a
    temporary name and renamed over `path`, as a build tool would."""
    temp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            text, mode = content if isinstance(content, tuple) else (content, 0o644)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.create_system = 3  # Unix: the mode above counts
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            info.create_system = 3
            archive.writestr(info, target)
    os.replace(temp, path)


class Started:
    """`with Started(server):` the block prepares the folder and calls server.start() itself;
    the server is cleaned up whatever happens."""

    def __init__(self, server: Server):
        self.server = server

    def __enter__(self) -> Server:
        return self.server

    def __exit__(self, *exc) -> None:
        self.server.cleanup()


class CodeServer(Server):
    def call(self, name: str, payload: dict | None = None):
        r = self.invoke(name, payload or {})
        assert r.status == 200 and r.header("X-Amz-Function-Error") is None, (r, self.stderr())
        return r.json()

    def applied(self) -> float:
        return metric(self.metrics(), "lambdad_redeploys_total", result="applied") or 0


class InlineCodeTest(unittest.TestCase):
    @unittest.skipUnless(HAS_NODE and HAS_PYTHON, "needs node and python3")
    def test_inline_node_and_python_run(self):
        template = textwrap.dedent("""\
            Resources:
              NodeInline:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: nodejs20.x
                  Handler: index.handler
                  InlineCode: |
                    exports.handler = async (event) => ({ from: "node", got: event.x,
                      file: __filename });
              PyInline:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  InlineCode: !Sub |
                    def handler(event, context):
                        return {"from": "python", "got": event["x"], "region": "${AWS::Region}",
                                "file": __file__}
            """)
        with CodeServer(template=template) as server:
            node = server.call("NodeInline", {"x": 1})
            self.assertEqual((node["from"], node["got"]), ("node", 1))
            self.assertTrue(node["file"].endswith("/index.js"), node)
            py = server.call("PyInline", {"x": 2})
            self.assertEqual((py["from"], py["got"], py["region"]), ("python", 2, "us-east-1"))
            self.assertTrue(py["file"].endswith("/index.py"), py)
            # Written in the state dir, content-addressed; nothing beside the template.
            written = sorted(p.name for p in (server.state_dir / "code").glob("*/index.*"))
            self.assertEqual(written, ["index.js", "index.py"])
            self.assertFalse((server.root / "index.js").exists())

    def test_inline_code_with_code_uri_is_refused(self):
        template = textwrap.dedent("""\
            Resources:
              Both:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: index.handler
                  CodeUri: .
                  InlineCode: "def handler(e, c): return 1"
            """)
        server = Server(template=template)
        try:
            r = run_cli(["validate", str(server.template_path)])
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("template.yaml:8: error: function 'Both': InlineCode and CodeUri cannot "
                          "both be set", r.stderr)
        finally:
            server.cleanup()


class ZipCodeUriTest(unittest.TestCase):
    def test_zip_functions_run_and_reload_when_the_zip_is_replaced(self):
        server = CodeServer(template="Resources: {}\n")
        with Started(server):
            dist = server.root / "dist"
            dist.mkdir()
            write_zip(dist / "custom.zip", {"bootstrap": (bash_bootstrap("zip one"), 0o755)})
            functions = textwrap.dedent("""\
                Resources:
                  Custom:
                    Type: AWS::Serverless::Function
                    Properties:
                      Runtime: provided.al2023
                      CodeUri: dist/custom.zip
                """)
            if HAS_NODE:
                write_zip(dist / "node.zip", {
                    "index.js": "exports.handler = async () => require('./lib/answer.js');\n",
                    "lib/answer.js": "module.exports = { answer: 'node one' };\n"})
                functions += textwrap.indent(textwrap.dedent("""\
                    Node:
                      Type: AWS::Serverless::Function
                      Properties:
                        Runtime: nodejs20.x
                        Handler: index.handler
                        CodeUri: dist/node.zip
                    """), "  ")
            server.template_path.write_text(functions)
            server.start()
            self.assertEqual(server.call("Custom"), {"answer": "zip one"})
            if HAS_NODE:
                self.assertEqual(server.call("Node"), {"answer": "node one"})
            unpacked = list((server.state_dir / "code").iterdir())
            self.assertEqual(len(unpacked), 2 if HAS_NODE else 1, unpacked)
            self.assertFalse(any(p.name.startswith(".tmp") for p in unpacked))

            # A new zip: unpacked into a new folder and swapped in by hot reload.
            applied = server.applied()
            write_zip(dist / "custom.zip", {"bootstrap": (bash_bootstrap("zip two"), 0o755)})
            wait_until(lambda: server.applied() > applied, 10, message="a reload")
            self.assertEqual(server.call("Custom"), {"answer": "zip two"})
            self.assertIn("custom.zip", server.stderr())

            # A broken zip is refused; the running code keeps answering.
            (dist / "custom.zip.part").write_text("not a zip")
            os.replace(dist / "custom.zip.part", dist / "custom.zip")
            wait_until(lambda: "is not a zip file" in server.stderr(), 10,
                       message="the refusal in the log")
            self.assertEqual(server.call("Custom"), {"answer": "zip two"})

    def test_layer_zip(self):
        server = CodeServer(template="Resources: {}\n")
        with Started(server):
            write_zip(server.root / "layer.zip",
                      {"bin/answer": ("#!/bin/sh\necho '{\"answer\":\"from layer\"}'\n", 0o755)})
            write_zip(server.root / "fn.zip", {"bootstrap": (BASH_RUNTIME.replace(
                "__INIT__", ":").replace("__HANDLER__", 'response="$(answer)"'), 0o755)})
            server.template_path.write_text(textwrap.dedent("""\
                Resources:
                  Layer:
                    Type: AWS::Serverless::LayerVersion
                    Properties:
                      ContentUri: layer.zip
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Runtime: provided.al2023
                      CodeUri: fn.zip
                      Layers: [!Ref Layer]
                """))
            server.start()
            self.assertEqual(server.call("Fn"), {"answer": "from layer"})

    def test_bad_zips_are_refused_by_name_and_line(self):
        server = Server(template="Resources: {}\n")
        try:
            root = server.root
            write_zip(root / "slip.zip", {"../evil.js": "x"})
            write_zip(root / "abs.zip", {"/tmp/evil.js": "x"})
            write_zip(root / "linkout.zip", {}, links={"etc": "../../../etc"})
            write_zip(root / "through.zip", {"sub/x": "x", "dir/evil.js": "x"}, links={"dir": "sub"})
            write_zip(root / "bomb.zip", {"zeros": "\0" * (8 << 20)})
            (root / "text.zip").write_text("this is not a zip\n")
            good = root / "good.zip"
            write_zip(good, {"bootstrap": (bash_bootstrap("x"), 0o755)})
            (root / "cut.zip").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
            names = ["slip", "abs", "linkout", "through", "bomb", "text", "cut"]
            server.template_path.write_text("Resources:\n" + "".join(
                f"  {name.capitalize()}:\n    Type: AWS::Serverless::Function\n"
                f"    Properties:\n      Runtime: provided.al2023\n      CodeUri: {name}.zip\n"
                for name in names))
            r = run_cli(["validate", str(server.template_path)])
            self.assertEqual(r.returncode, 1, r)
            expected = {
                "slip": "entry '../evil.js' leads outside the folder",
                "abs": "entry '/tmp/evil.js' is an absolute path",
                "linkout": "entry 'etc' is a symbolic link leading outside the folder",
                "through": "entry 'dir/evil.js' lies below the symbolic link 'dir'",
                "bomb": "refusing what looks like a zip bomb",
                "text": "'text.zip' is not a zip file",
                "cut": "'cut.zip' is not a zip file, or it is truncated",
            }
            for i, name in enumerate(names):
                line = 2 + 5 * i + 4
                self.assertIn(f"template.yaml:{line}: error: function '{name.capitalize()}': "
                              f"CodeUri: ", r.stderr)
                self.assertIn(expected[name], r.stderr)
            # validate unzips into a temporary folder of its own: nothing in the project.
            self.assertFalse((root / ".lambdad").exists())
            self.assertFalse((root.parent / "evil.js").exists())

            # serve refuses to start, and leaves no half-unzipped folder in its state dir.
            r = run_cli(["serve", str(root), "--api-port", "0", "--lambda-port", "0",
                         "--state-dir", str(server.state_dir)])
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("leads outside the folder", r.stderr)
            code = server.state_dir / "code"
            self.assertEqual([p.name for p in code.iterdir()] if code.exists() else [], [])
        finally:
            server.cleanup()

    def test_validate_checks_a_good_zip_and_leaves_nothing(self):
        server = Server(template=textwrap.dedent("""\
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: provided.al2023
                  CodeUri: app.zip
            """))
        try:
            write_zip(server.root / "app.zip", {"bootstrap": (bash_bootstrap("x"), 0o755)})
            r = run_cli(["validate", str(server.template_path)])
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("Fn: provided.al2023, handler (bootstrap), code app.zip", r.stdout)
            self.assertNotIn("bootstrap", r.stderr)  # the one inside the zip was found
            self.assertFalse((server.root / ".lambdad").exists())
        finally:
            server.cleanup()


class NoCodeUriTest(unittest.TestCase):
    @unittest.skipUnless(HAS_PYTHON, "needs python3")
    def test_code_is_the_templates_folder(self):
        template = textwrap.dedent("""\
            Resources:
              Hello:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
            """)
        server = CodeServer(template=template)
        with Started(server):
            # The project folder is the code folder: sandboxed workers (uid nobody) must be able
            # to enter it, as they can a usual project folder (mkdtemp makes it 0700).
            server.root.chmod(0o755)
            (server.root / "app.py").write_text(
                "def handler(event, context):\n    return {'answer': 'beside the template'}\n")
            server.start()
            self.assertEqual(server.call("Hello"), {"answer": "beside the template"})


def bash_template(code_uri: str) -> str:
    return textwrap.dedent(f"""\
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: provided.al2023
              CodeUri: {code_uri}
        """)


class SamBuildOutputTest(unittest.TestCase):
    def make_project(self, server: Server) -> Path:
        """src/ answers "source"; .aws-sam/build/Fn answers "build", written after."""
        src = server.root / "src"
        src.mkdir()
        (src / "bootstrap").write_text(bash_bootstrap("source"))
        (src / "bootstrap").chmod(0o755)
        built = server.root / ".aws-sam" / "build"
        (built / "Fn").mkdir(parents=True)
        (built / "Fn" / "bootstrap").write_text(bash_bootstrap("build"))
        (built / "Fn" / "bootstrap").chmod(0o755)
        (built / "template.yaml").write_text(bash_template("Fn"))
        past = time.time() - 60
        os.utime(server.template_path, (past, past))
        return built / "template.yaml"

    def test_build_output_is_served_when_newer_and_the_source_wins_back(self):
        server = CodeServer(template=bash_template("src"))
        with Started(server):
            built = self.make_project(server)
            server.start()
            self.assertEqual(server.call("Fn"), {"answer": "build"})
            self.assertIn(f"serving {built} (sam build output, newer than template.yaml",
                          server.stderr())

            # The template edited after the build: the source is served again.
            applied = server.applied()
            server.template_path.write_text(bash_template("src") + "# edited\n")
            wait_until(lambda: server.applied() > applied, 10, message="a reload")
            self.assertEqual(server.call("Fn"), {"answer": "source"})
            self.assertIn(f"hot reload: serving {server.template_path}", server.stderr())

            # A new build: its output is served again.
            applied = server.applied()
            built.write_text(bash_template("Fn") + "# built again\n")
            wait_until(lambda: server.applied() > applied, 10, message="a reload")
            self.assertEqual(server.call("Fn"), {"answer": "build"})

    def test_no_build_dir(self):
        server = CodeServer(template=bash_template("src"), args=["--no-build-dir"])
        with Started(server):
            self.make_project(server)
            server.start()
            self.assertEqual(server.call("Fn"), {"answer": "source"})
            self.assertIn(f"serving {server.template_path}", server.stderr())

    def test_validate_and_invoke_use_it_too(self):
        server = Server(template=bash_template("src"))
        try:
            built = self.make_project(server)
            r = run_cli(["validate", str(server.root)])
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("(sam build output, newer than template.yaml; --no-build-dir uses "
                          "template.yaml)", r.stdout)
            self.assertIn(".aws-sam/build/template.yaml", r.stdout)
            r = run_cli(["validate", str(server.root), "--no-build-dir"])
            self.assertEqual(r.returncode, 0, r)
            self.assertNotIn("sam build output", r.stdout)

            state = ["--state-dir", str(server.state_dir)]
            r = run_cli(["invoke", "Fn", "--template", str(server.root), *state])
            self.assertEqual(r.returncode, 0, r)
            self.assertIn('"build"', r.stdout)
            r = run_cli(["invoke", "Fn", "--template", str(server.root), "--no-build-dir", *state])
            self.assertEqual(r.returncode, 0, r)
            self.assertIn('"source"', r.stdout)
            self.assertTrue(built.exists())
        finally:
            server.cleanup()


class CodeNotBuiltYetTest(unittest.TestCase):
    """A CodeUri that a build makes (`./build/handler`, `dist/app.zip`) and is not there yet:
    validate and serve load the template with a warning, invocations answer the runtime's error
    naming the path (the gateway 502), and once the build writes it, hot reload serves it."""

    TEMPLATE = textwrap.dedent("""\
        Resources:
          Rust:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: provided.al2023
              Handler: bootstrap
              CodeUri: ./build/handler
              Events:
                Get: {Type: Api, Properties: {Path: /rust, Method: get}}
          Py:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              CodeUri: dist/app.zip
        """)

    def test_missing_code_loads_fails_clearly_and_works_once_built(self):
        server = CodeServer(template=self.TEMPLATE)
        with Started(server):
            r = run_cli(["validate", str(server.root)])
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("template.yaml:7: warning: function 'Rust': CodeUri: folder "
                          "'./build/handler' (", r.stderr)
            self.assertIn("does not exist yet; run the project's build", r.stderr)
            self.assertIn("Rust: provided.al2023, handler bootstrap, code build/handler "
                          "(not built yet)", r.stdout)
            self.assertIn("template.yaml:15: warning: function 'Py': CodeUri: file "
                          "'dist/app.zip'", r.stderr)
            server.start()
            rust = (server.root / "build" / "handler").resolve(strict=False)
            r = server.invoke("Rust")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled")
            self.assertEqual(r.json()["errorType"], "Runtime.InvalidEntrypoint")
            self.assertIn(str(rust) + " does not exist", r.json()["errorMessage"])
            r = server.invoke("Py")
            self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled")
            self.assertEqual(r.json()["errorType"], "Runtime.ImportModuleError")
            self.assertIn("dist/app.zip does not exist", r.json()["errorMessage"])
            gw = server.request("GET", "/rust", port=server.api_port)
            self.assertEqual(gw.status, 502, gw)
            self.assertFalse(server.workers())

            # The build writes the folder (made aside and renamed in, as cargo lambda's output
            # appears) and the zip: hot reload serves both without a restart.
            staging = server.root / "staging"
            staging.mkdir()
            (staging / "bootstrap").write_text(BASH_RUNTIME.replace("__INIT__", ":").replace(
                "__HANDLER__", """response='{"statusCode":200,"body":"built"}'"""))
            (staging / "bootstrap").chmod(0o755)
            (server.root / "build").mkdir()
            os.replace(staging, server.root / "build" / "handler")
            (server.root / "dist").mkdir()
            write_zip(server.root / "dist" / "app.zip",
                      {"app.py": "def handler(event, context):\n    return {'answer': 'zip'}\n"})

            def works(name):
                r = server.invoke(name)
                return r.status == 200 and r.header("X-Amz-Function-Error") is None

            wait_until(lambda: works("Rust"), 10, message="Rust served once built")
            self.assertEqual(server.call("Rust"), {"statusCode": 200, "body": "built"})
            if HAS_PYTHON:
                wait_until(lambda: works("Py"), 10, message="Py served once its zip is there")
                self.assertEqual(server.call("Py"), {"answer": "zip"})
            gw = server.request("GET", "/rust", port=server.api_port)
            self.assertEqual((gw.status, gw.text), (200, "built"))


if __name__ == "__main__":
    unittest.main()
