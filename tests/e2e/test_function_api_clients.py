"""The function write API through the AWS CLI v2 and boto3: create-function with a zip, the
waiters (function-active-v2, function-updated-v2), invoke, update-function-code,
update-function-configuration, get-function (and its Code.Location download), delete-function."""

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.request
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase, bash_function  # noqa: E402
from test_awscli import AWS, aws_env  # noqa: E402

from boto3_clients import Boto3TestCase, client, require_boto3  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/lambda-role"


def bash_zip(handler: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        z.writestr(info, bash_function("x", handler).code)
    return buffer.getvalue()


class AwsCliFunctionApiTest(ServerTestCase):
    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    @classmethod
    def setUpClass(cls):
        if not os.access(AWS, os.X_OK):
            raise unittest.SkipTest(f"{AWS} (Debian's awscli package) is not installed")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lambdad-awscli-fn-")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def aws(self, *args):
        proc = subprocess.run([AWS, "--endpoint-url", self.server.lambda_url, "--region",
                               "us-east-1", *args], capture_output=True, text=True,
                              env=aws_env(), timeout=120)
        self.assertEqual(proc.returncode, 0, proc)
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    def test_life_of_a_function(self):
        tmp = Path(self.tmp.name)
        (tmp / "v1.zip").write_bytes(bash_zip('response="{\\"v\\":1}"'))
        (tmp / "v2.zip").write_bytes(bash_zip('response="{\\"v\\":2,\\"g\\":\\"${GG:-}\\"}"'))
        created = self.aws("lambda", "create-function", "--function-name", "cli-fn",
                           "--runtime", "provided.al2023", "--handler", "bootstrap",
                           "--role", ROLE, "--zip-file", f"fileb://{tmp / 'v1.zip'}",
                           "--output", "json")
        self.assertEqual(created["FunctionName"], "cli-fn")
        self.aws("lambda", "wait", "function-active-v2", "--function-name", "cli-fn")
        out = tmp / "out.json"
        meta = self.aws("lambda", "invoke", "--function-name", "cli-fn", str(out),
                        "--output", "json")
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(json.loads(out.read_text()), {"v": 1})

        self.aws("lambda", "update-function-code", "--function-name", "cli-fn",
                 "--zip-file", f"fileb://{tmp / 'v2.zip'}", "--output", "json")
        self.aws("lambda", "wait", "function-updated-v2", "--function-name", "cli-fn")
        self.aws("lambda", "update-function-configuration", "--function-name", "cli-fn",
                 "--environment", "Variables={GG=hello}", "--output", "json")
        self.aws("lambda", "wait", "function-updated-v2", "--function-name", "cli-fn")
        self.aws("lambda", "invoke", "--function-name", "cli-fn", str(out), "--output", "json")
        self.assertEqual(json.loads(out.read_text()), {"v": 2, "g": "hello"})

        got = self.aws("lambda", "get-function", "--function-name", "cli-fn", "--output", "json")
        self.assertEqual(got["Configuration"]["Environment"]["Variables"], {"GG": "hello"})
        with urllib.request.urlopen(got["Code"]["Location"], timeout=30) as r:
            self.assertEqual(r.read(), (tmp / "v2.zip").read_bytes())
        self.assertEqual(got["Configuration"]["CodeSha256"], base64.b64encode(
            hashlib.sha256((tmp / "v2.zip").read_bytes()).digest()).decode())
        names = [f["FunctionName"] for f in
                 self.aws("lambda", "list-functions", "--output", "json")["Functions"]]
        self.assertEqual(names, ["FromTemplate", "cli-fn"])

        self.aws("lambda", "delete-function", "--function-name", "cli-fn")
        proc = subprocess.run([AWS, "--endpoint-url", self.server.lambda_url, "--region",
                               "us-east-1", "lambda", "get-function", "--function-name",
                               "cli-fn"], capture_output=True, text=True, env=aws_env(),
                              timeout=60)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ResourceNotFoundException", proc.stderr)


class Boto3FunctionApiTest(Boto3TestCase):
    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    def test_life_of_a_function(self):
        lam = self.lam
        created = lam.create_function(FunctionName="boto-fn", Runtime="provided.al2023",
                                      Role=ROLE, Handler="bootstrap",
                                      Code={"ZipFile": bash_zip('response="{\\"v\\":1}"')},
                                      Tags={"k": "v"})
        self.assertEqual(created["State"], "Pending")
        lam.get_waiter("function_active_v2").wait(FunctionName="boto-fn",
                                                   WaiterConfig={"Delay": 1})
        r = lam.invoke(FunctionName="boto-fn", Payload=b"{}")
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 1})

        with self.assertRaises(lam.exceptions.PreconditionFailedException):
            lam.update_function_code(FunctionName="boto-fn", ZipFile=bash_zip('response="{}"'),
                                     RevisionId="not-the-revision")
        updated = lam.update_function_code(FunctionName="boto-fn",
                                           ZipFile=bash_zip('response="{\\"v\\":2}"'),
                                           RevisionId=created["RevisionId"])
        self.assertEqual(updated["LastUpdateStatus"], "InProgress")
        lam.get_waiter("function_updated_v2").wait(FunctionName="boto-fn",
                                                    WaiterConfig={"Delay": 1})
        r = lam.invoke(FunctionName="boto-fn", Payload=b"{}")
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 2})

        lam.update_function_configuration(FunctionName="boto-fn", Timeout=12, MemorySize=256)
        lam.get_waiter("function_updated_v2").wait(FunctionName="boto-fn",
                                                    WaiterConfig={"Delay": 1})
        config = lam.get_function_configuration(FunctionName="boto-fn")
        self.assertEqual((config["Timeout"], config["MemorySize"]), (12, 256))
        self.assertEqual(lam.get_function(FunctionName="boto-fn")["Tags"], {"k": "v"})

        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.create_function(FunctionName="boto-fn", Runtime="provided.al2023", Role=ROLE,
                                Handler="bootstrap", Code={"ZipFile": bash_zip("")})
        with self.assertRaises(lam.exceptions.InvalidParameterValueException):
            lam.create_function(FunctionName="image-fn", Role=ROLE, PackageType="Image",
                                Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x"})

        lam.delete_function(FunctionName="boto-fn")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_function(FunctionName="boto-fn")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.invoke(FunctionName="boto-fn", Payload=b"{}")


if __name__ == "__main__":
    unittest.main()
