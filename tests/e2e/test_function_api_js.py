"""The control plane through the AWS SDK for JavaScript v3 (the global @aws-sdk/client-lambda that
scripts/install-deps.sh installs): tests/e2e/js/control_plane.cjs creates a function, invokes it,
updates its code and configuration behind the SDK's waiters, publishes versions, routes a weighted
alias, invokes qualifiers, deletes a version (refused while an alias holds it), reads and pages,
sets reserved concurrency (an invoke at 0 is throttled) and deletes it; once against an open
server, once against one that requires SigV4 (`serve --credentials`), where the signed client
passes and a wrong secret gets 403."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase, bash_function  # noqa: E402
from test_function_api_clients import ROLE, bash_zip  # noqa: E402

SCRIPT = Path(__file__).resolve().parent / "js" / "control_plane.cjs"
KEY, SECRET = "AKIDE2EJSSDK", "js/secret+value"


def sdk_root() -> str | None:
    """The global npm root holding @aws-sdk/client-lambda, or None."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None
    root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
    return root if (Path(root) / "@aws-sdk" / "client-lambda").is_dir() else None


class JsSdkControlPlane:
    """The run and its checks, shared by the open and the signed server."""

    key, secret = "x", "x"
    skip: list[str] = []

    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    @classmethod
    def setUpClass(cls):
        cls.root = sdk_root()
        if not cls.root:
            raise unittest.SkipTest("node or the global @aws-sdk/client-lambda is missing "
                                    "(scripts/install-deps.sh installs it)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lambdad-js-sdk-")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def run_script(self, name: str) -> dict:
        tmp = Path(self.tmp.name)
        zip1, zip2 = tmp / f"{name}-1.zip", tmp / f"{name}-2.zip"
        zip1.write_bytes(bash_zip('response="{\\"v\\":1,\\"event\\":$event}"'))
        zip2.write_bytes(bash_zip('response="{\\"v\\":2,\\"g\\":\\"${GREETING:-}\\"}"'))
        config = {"endpoint": self.server.lambda_url, "key": self.key, "secret": self.secret,
                  "name": name, "role": ROLE, "zip1": str(zip1), "zip2": str(zip2),
                  "skip": self.skip}
        r = subprocess.run(["node", str(SCRIPT), json.dumps(config)], capture_output=True,
                           text=True, timeout=300, env=dict(os.environ, NODE_PATH=self.root))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        for step, seen in out.items():
            self.assertNotIn("error", seen, f"step {step}: {seen}")
        self.zip2 = zip2.read_bytes()
        return out

    def check_life_of_a_function(self) -> dict:
        out = self.run_script("js-fn")
        self.assertEqual(out["create"], {"state": "Pending", "version": "$LATEST",
                                         "waiter": "SUCCESS"})
        self.assertEqual(out["invoke"], {"status": 200, "payload": {"v": 1, "event": {"n": 1}},
                                         "functionError": None})
        self.assertEqual(out["update-code"], {
            "lastUpdateStatus": "InProgress", "newRevision": True, "waiter": "SUCCESS",
            "codeSha256": base64.b64encode(hashlib.sha256(self.zip2).digest()).decode()})
        self.assertEqual(out["invoke-new-code"]["payload"], {"v": 2, "g": ""})
        self.assertEqual(out["update-configuration"], {
            "lastUpdateStatus": "InProgress", "waiter": "SUCCESS", "memory": 256,
            "env": {"GREETING": "hello"},
            "after": {"status": 200, "payload": {"v": 2, "g": "hello"}, "functionError": None}})
        self.assertEqual(out["publish-versions"], {
            "wrongSha": "InvalidParameterValueException", "v1": "1", "description": "first",
            "v2": "2", "v2Timeout": 6,
            "versions": {"list": ["$LATEST", "1", "2"], "pages": 3}})
        self.assertEqual(out["weighted-alias"], {
            "arn": "arn:aws:lambda:us-east-1:123456789012:function:js-fn:live",
            "weights": {"2": 0.5}, "executed": ["1", "2"], "one": "1", "latest": "$LATEST"})
        self.assertEqual(out["update-alias"], {
            "version": "2", "newRevision": True, "got": "2", "executed": "2",
            "aliases": ["live:2", "old:1"]})
        self.assertEqual(out["delete-versions"], {
            "inUse": "ResourceConflictException", "inUseStatus": 409,
            "gone": "ResourceNotFoundException",
            "versions": {"list": ["$LATEST", "2"], "pages": 2}, "aliases": ["live:2"]})
        self.assertEqual(out["get"], {"name": "js-fn", "memory": 256, "tags": {"from": "js"},
                                      "codeStatus": 200, "codeSize": len(self.zip2),
                                      "concurrency": None})
        self.assertEqual(out["list"], {"names": ["FromTemplate", "js-fn"], "pages": 2})
        self.assertEqual(out["concurrency"], {"put": 2, "get": 2, "getFunction": 2, "limit": 1000,
                                              "unreserved": 998, "functions": 2})
        self.assertEqual(out["throttled-at-0"]["name"], "TooManyRequestsException")
        self.assertEqual(out["throttled-at-0"]["status"], 429)
        self.assertEqual(out["throttled-at-0"]["reason"],
                         "ReservedFunctionConcurrentInvocationLimitExceeded")
        self.assertEqual(out["delete-concurrency"], {
            "get": None,
            "after": {"status": 200, "payload": {"v": 2, "g": "hello"}, "functionError": None}})
        self.assertEqual(out["bad-concurrency"]["name"], "InvalidParameterValueException")
        self.assertEqual(out["bad-concurrency"]["status"], 400)
        self.assertIn("below its minimum value of [100]", out["bad-concurrency"]["message"])
        self.assertEqual(out["delete"]["gone"], True)
        self.assertEqual(out["delete"]["name"], "ResourceNotFoundException")
        return out


class OpenServerTest(JsSdkControlPlane, ServerTestCase):
    # No credentials configured: no signature is checked, so a wrong secret is not refused.
    skip = ["wrong-secret"]

    def test_life_of_a_function(self):
        self.check_life_of_a_function()


class SignedServerTest(JsSdkControlPlane, ServerTestCase):
    server_args = ["--credentials", f"{KEY}:{SECRET}"]
    key, secret = KEY, SECRET

    def test_life_of_a_function(self):
        out = self.check_life_of_a_function()
        self.assertEqual(out["wrong-secret"]["name"], "InvalidSignatureException")
        self.assertEqual(out["wrong-secret"]["status"], 403)


if __name__ == "__main__":
    unittest.main()
