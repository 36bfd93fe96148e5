"""`lambdad build` through the real binary, then `serve` of what it wrote: a TypeScript function
bundled by esbuild (with an npm dependency), a Node.js function whose package.json dependency npm
installs, a makefile function (each served by `lambdad serve` of the project's folder, which picks
.aws-sam/build up once it is there and newer), a build that fails (its output shown, the previous build kept,
exit status 1); the load-time warning that a function needs a build; and the AWS SDKs the managed
runtimes ship (@aws-sdk/* imported from an ES module without bundling it, boto3), taken from this
machine's global npm root and python3's site-packages (scripts/install-deps.sh installs them).

npm's registry must be reachable (it is in CI): the npm tests install `ms` and, once per build
folder, esbuild into the tool cache ($LAMBDAD_CACHE_DIR, here <build>/test-tool-cache)."""

import json
import os
import re
import shutil
import subprocess
import unittest
from pathlib import Path

from harness import BUILD_DIR, Server, bash_function, handler_function, run_cli, wait_until

NODE = os.path.realpath(shutil.which("node") or "/usr/bin/node")
CACHE = BUILD_DIR / "test-tool-cache"
ENV = {"LAMBDAD_CACHE_DIR": str(CACHE)}


def _node_major() -> int:
    try:
        out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30)
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


NODEJS = f"nodejs{_node_major()}.x" if 18 <= _node_major() <= 22 else "nodejs20.x"


def build(root: Path, *more: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return run_cli(["build", str(root), *more], timeout=timeout, env=ENV)


def npm_ok(test: unittest.TestCase) -> None:
    if shutil.which("npm") is None:
        test.skipTest("npm is not installed")


class BuildAndServeTest(unittest.TestCase):
    """Each test builds its own project, then serves the build and calls the function."""

    def serve_built(self, functions, **kwargs) -> Server:
        """A server for the project's folder: `serve` picks .aws-sam/build up once it is there."""
        server = Server(functions, init_timeout=20, **kwargs)
        self.addCleanup(server.cleanup)
        return server

    def assert_serves_build(self, server: Server) -> None:
        self.assertRegex(server.stderr(), r"serving \S*/\.aws-sam/build/template\.yaml")

    def assert_built(self, result: subprocess.CompletedProcess) -> None:
        self.assertEqual(result.returncode, 0,
                         f"lambdad build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        self.assertIn("Build Succeeded", result.stdout)

    def test_typescript_esbuild_function(self):
        npm_ok(self)
        fn = handler_function(
            "Ts", NODEJS, "app.handler",
            {"app.ts": """
                import ms from 'ms';
                interface Event { name?: string }
                export const handler = async (event: Event): Promise<object> => {
                  const two: number = ms('2h');
                  return { two, name: event.name ?? 'nobody' };
                };
             """,
             "package.json": '{"name": "ts-fn", "dependencies": {"ms": "2.1.3"}}'})
        fn.metadata = {"BuildMethod": "esbuild",
                       "BuildProperties": {"EntryPoints": ["app.ts"], "Minify": True,
                                           "Target": "es2020", "Sourcemap": False}}
        server = self.serve_built([fn])
        # Before a build: serve and validate say so at load.
        check = run_cli(["validate", str(server.root)])
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn("function 'Ts': BuildMethod esbuild needs a build", check.stderr)
        self.assertIn("run 'lambdad build'", check.stderr)

        result = build(server.root)
        self.assert_built(result)
        self.assertRegex(result.stdout, r"\[Ts\] running: .*esbuild .*--bundle")
        artifact = server.root / ".aws-sam" / "build" / "Ts"
        self.assertTrue((artifact / "app.js").is_file(), sorted(os.listdir(artifact)))
        self.assertFalse((artifact / "node_modules").exists())  # bundled
        built_template = (server.root / ".aws-sam" / "build" / "template.yaml").read_text()
        self.assertRegex(built_template, r"CodeUri: \"?Ts\"?\n")
        self.assertRegex(built_template, r"BuildMethod: \"?esbuild")

        server.start()
        self.assert_serves_build(server)
        self.assertNotIn("needs a build", server.stderr())
        r = server.invoke_ok(self, "Ts", {"name": "ada"})
        self.assertEqual(r.json(), {"two": 7200000, "name": "ada"})
        server.stop()

    def test_nodejs_function_with_a_dependency(self):
        npm_ok(self)
        fn = handler_function(
            "Node", NODEJS, "app.handler",
            {"app.js": """
                const ms = require('ms');
                exports.handler = async () => ({ minute: ms('1m') });
             """,
             "package.json": '{"name": "node-fn", "dependencies": {"ms": "2.1.3"},'
                             ' "devDependencies": {"left-pad": "1.3.0"}}',
             "node_modules/stale/index.js": "// never copied\n"})
        server = self.serve_built([fn])
        server.start()
        # The source folder loads with a warning instead of failing at the first request.
        self.assertIn("function 'Node': package.json dependencies are not installed (ms not in",
                      server.stderr())
        server.stop()

        result = build(server.root)
        self.assert_built(result)
        self.assertIn("[Node] running: cd ", result.stdout)
        self.assertIn("npm install --omit=dev", result.stdout)
        artifact = server.root / ".aws-sam" / "build" / "Node"
        self.assertTrue((artifact / "node_modules" / "ms" / "package.json").is_file())
        self.assertFalse((artifact / "node_modules" / "left-pad").exists())  # dev dependency
        self.assertFalse((artifact / "node_modules" / "stale").exists())  # not copied

        server.start()
        self.assert_serves_build(server)
        self.assertNotIn("needs", server.stderr())
        self.assertEqual(server.invoke_ok(self, "Node").json(), {"minute": 60000})
        server.stop()

    def test_makefile_function_and_a_failed_build_keeping_the_old_one(self):
        fn = handler_function(
            "Made", NODEJS, "app.handler",
            {"app.js": "exports.handler = async () => require('./made.json');\n",
             "Makefile": "build-Made:\n\tcp app.js $(ARTIFACTS_DIR)/\n"
                         "\techo '{\"made\": \"$(ARTIFACTS_DIR)\"}' > $(ARTIFACTS_DIR)/made.json\n"})
        fn.metadata = {"BuildMethod": "makefile"}
        server = self.serve_built([fn])
        result = build(server.root)
        self.assert_built(result)
        self.assertIn("make -f", result.stdout)
        made = server.root / ".aws-sam" / "build" / "Made" / "made.json"
        first = made.read_text()

        # The Makefile breaks: the step's output is shown, the build stops, the old one stays.
        (fn.code_dir(server.root) / "Makefile").write_text(
            "build-Made:\n\techo about to fail: lambdad-build-boom\n\texit 3\n")
        failed = build(server.root)
        self.assertEqual(failed.returncode, 1, failed.stdout + failed.stderr)
        self.assertIn("[Made] about to fail: lambdad-build-boom", failed.stdout)
        self.assertIn("Build Failed: function 'Made': make build-Made failed", failed.stderr)
        self.assertEqual(made.read_text(), first)
        self.assertEqual(sorted(os.listdir(server.root / ".aws-sam")), ["build"])

        server.start()
        self.assert_serves_build(server)
        answer = server.invoke_ok(self, "Made").json()
        # ARTIFACTS_DIR was the temporary build folder, swapped in afterwards.
        self.assertIn(".aws-sam/build.tmp-", answer["made"])
        server.stop()

    def test_python_requirements_without_an_index_fail_and_keep_the_old_build(self):
        fn = handler_function("Py", "python3.12", "app.handler",
                              {"app.py": "def handler(event, context):\n    return 'v1'\n",
                               "requirements.txt": "# nothing to install\n"})
        server = self.serve_built([fn])
        self.assert_built(build(server.root))
        (fn.code_dir(server.root) / "requirements.txt").write_text(
            "lambdad-no-such-package-for-tests==9.9.9\n")
        result = run_cli(["build", str(server.root)], timeout=600,
                         env={**ENV, "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
                              "PIP_RETRIES": "0", "PIP_TIMEOUT": "1"})
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertRegex(result.stdout, r"\[Py\] .*(lambdad-no-such-package-for-tests|No matching)")
        self.assertIn("pip install -r requirements.txt failed", result.stderr)
        self.assertTrue((server.root / ".aws-sam" / "build" / "Py" / "app.py").is_file())


def _sdk_dirs() -> tuple[str | None, str | None]:
    """Where `lambdad doctor` says the SDKs are (None when absent)."""
    out = run_cli(["doctor"], timeout=120).stdout
    node = re.search(r"AWS SDK for JavaScript v3 \(nodejs\*\): available from (\S+)", out)
    python = re.search(r"boto3 \(python3\.\*\): available from (\S+)", out)
    return (node.group(1) if node else None, python.group(1) if python else None)


class RuntimeSdkTest(unittest.TestCase):
    """The SDKs Lambda's runtimes ship, from this machine, without bundling them."""

    @classmethod
    def setUpClass(cls):
        cls.node_sdk, cls.python_sdk = _sdk_dirs()
        functions = []
        if cls.node_sdk:
            functions.append(handler_function(
                "NodeSdk", NODEJS, "index.handler",
                {"index.mjs": """
                    import { LambdaClient, GetAccountSettingsCommand, InvokeCommand }
                      from '@aws-sdk/client-lambda';
                    import { createRequire } from 'node:module';
                    const require = createRequire(import.meta.url);
                    export const handler = async () => {
                      const client = new LambdaClient({});
                      const s3 = require('@aws-sdk/client-s3');
                      // No endpoint given: AWS_ENDPOINT_URL_LAMBDA takes the call to lambdad.
                      const called = await client.send(new InvokeCommand({
                        FunctionName: 'Callee', Payload: JSON.stringify({ from: 'NodeSdk' }) }));
                      return { client: client.constructor.name,
                               command: typeof GetAccountSettingsCommand,
                               s3: typeof s3.S3Client,
                               region: await client.config.region(),
                               callee: JSON.parse(Buffer.from(called.Payload).toString()) };
                    };
                 """}, Timeout=60))
        if cls.python_sdk:
            functions.append(handler_function(
                "PySdk", "python3.12", "app.handler",
                {"app.py": """
                    import boto3
                    def handler(event, context):
                        client = boto3.client("lambda")
                        return {"boto3": boto3.__version__, "service": client.meta.service_model.service_name}
                 """}, Timeout=60))
        if cls.node_sdk:
            functions.append(bash_function("Callee"))  # answers its event
        # The SDKs sign every call: any key does (this server checks no signatures).
        env = {"AWS_ACCESS_KEY_ID": "AKIDLAMBDADTEST", "AWS_SECRET_ACCESS_KEY": "secret"}
        cls.server = Server(functions, init_timeout=20, env=env) if functions else None
        if cls.server:
            cls.server.start()

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            try:
                cls.server.stop()
            finally:
                cls.server.cleanup()

    def test_nodejs_imports_the_aws_sdk_v3_without_bundling_it(self):
        if not self.node_sdk:
            self.skipTest("no @aws-sdk in the global npm root (scripts/install-deps.sh installs it)")
        r = self.server.invoke_ok(self, "NodeSdk")
        self.assertEqual(r.json(), {"client": "LambdaClient", "command": "function",
                                    "s3": "function", "region": "us-east-1",
                                    "callee": {"from": "NodeSdk"}})

    def test_python_imports_boto3(self):
        if not self.python_sdk:
            self.skipTest("no boto3 for python3 (scripts/install-deps.sh installs python3-boto3)")
        r = self.server.invoke_ok(self, "PySdk")
        self.assertEqual(r.json()["service"], "lambda")

    def test_doctor_says_where_the_sdks_are(self):
        out = run_cli(["doctor"], timeout=120).stdout
        self.assertRegex(out, r"AWS SDK for JavaScript v3 \(nodejs\*\): (available from|absent)")
        self.assertRegex(out, r"boto3 \(python3\.\*\): (available from|absent)")


if __name__ == "__main__":
    unittest.main()
