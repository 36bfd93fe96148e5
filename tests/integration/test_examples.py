"""The bundled examples (README's run command serves them): every function answers through the
real binary, on the machine's node and python3 for the managed-runtime ones."""

import os
import shutil
import tempfile
import unittest
from pathlib import Path

from harness import SOURCE_DIR, Server, run_cli

EXAMPLES = SOURCE_DIR / "examples"
CPP_BOOTSTRAP = Path(os.environ.get("LAMBDAD_HELLO_CPP", EXAMPLES / "hello-cpp/dist/bootstrap"))


class ExamplesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        # A copy, so that the state dir and a built hello-cpp land in a temp folder.
        cls.tmp = Path(tempfile.mkdtemp(prefix="lambdad-examples-"))
        cls.examples = cls.tmp / "examples"
        shutil.copytree(EXAMPLES, cls.examples, ignore=shutil.ignore_patterns(".lambdad"))
        dist = cls.examples / "hello-cpp" / "dist"
        cls.has_cpp = CPP_BOOTSTRAP.exists()
        if cls.has_cpp:
            dist.mkdir(exist_ok=True)
            shutil.copy2(CPP_BOOTSTRAP, dist / "bootstrap")
        cls.server = Server(template=(cls.examples / "template.yaml").read_text())
        shutil.rmtree(cls.server.root)
        shutil.copytree(cls.examples, cls.server.root, dirs_exist_ok=True)
        (cls.server.root / "out").mkdir(exist_ok=True)
        cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_validate(self):
        r = run_cli(["validate", str(self.examples)])
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in ("HelloBash", "HelloCpp", "HelloWorldFunction", "HelloPythonFunction"):
            self.assertIn(f"  {name}: ", r.stdout)

    def test_hello_bash(self):
        r = self.server.invoke_ok(self, "HelloBash", {"x": 1})
        self.assertIn("hello", r.text.lower())

    def test_hello_cpp(self):
        if not self.has_cpp:
            self.skipTest(f"{CPP_BOOTSTRAP} is not built")
        self.assertEqual(self.server.invoke_ok(self, "HelloCpp", {"x": 1}).json()["message"],
                         "hello from C++")

    def test_hello_node(self):
        r = self.server.invoke_ok(self, "HelloWorldFunction", {})
        self.assertEqual(r.json()["statusCode"], 200)
        self.assertIn("hello world", r.json()["body"])

    def test_hello_python(self):
        r = self.server.invoke_ok(self, "HelloPythonFunction", {"name": "lambdad"})
        self.assertEqual(r.json()["statusCode"], 200)
        self.assertIn("hello lambdad", r.json()["body"])


if __name__ == "__main__":
    unittest.main()
