"""The AWS CLI v2 (Debian's, /usr/bin/aws) pointed at lambdad with --endpoint-url."""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import (REPORT_RE, ServerTestCase, bash_function, cpp_function,  # noqa: E402
                     function_arn)

AWS = "/usr/bin/aws"  # Debian's CLI v2, never a v1 shim that may be first on PATH


def aws_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_RETRY_MODE": "standard",
    })
    return env


class AwsCliTest(ServerTestCase):
    @classmethod
    def functions(cls):
        return [
            cpp_function("HelloCpp"),
            bash_function("HelloBash", 'echo "hello from bash $rid"'),
            bash_function("Fails", 'post_error Cli.Boom "boom"; handled=1'),
        ]

    @classmethod
    def setUpClass(cls):
        if not os.access(AWS, os.X_OK):
            raise unittest.SkipTest(f"{AWS} (Debian's awscli package) is not installed")
        version = subprocess.run([AWS, "--version"], capture_output=True, text=True,
                                 env=aws_env(), timeout=30)
        if not version.stdout.startswith("aws-cli/2."):
            raise unittest.SkipTest(f"{AWS} is not AWS CLI v2: {version.stdout or version.stderr}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lambdad-awscli-")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def aws(self, *args, timeout=60) -> subprocess.CompletedProcess:
        return subprocess.run([AWS, "--endpoint-url", self.server.lambda_url, "--region",
                               "us-east-1", *args], capture_output=True, text=True,
                              env=aws_env(), timeout=timeout)

    def aws_json(self, *args):
        proc = self.aws(*args, "--output", "json")
        self.assertEqual(proc.returncode, 0, proc)
        return json.loads(proc.stdout)

    def test_invoke_with_tail(self):
        out = Path(self.tmp.name) / "invoke-out.json"
        meta = self.aws_json("lambda", "invoke", "--function-name", "HelloCpp",
                             "--cli-binary-format", "raw-in-base64-out",
                             "--payload", '{"from":"aws cli"}', "--log-type", "Tail", str(out))
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(meta["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", meta)
        self.assertEqual(json.loads(out.read_text()),
                         {"message": "hello from C++", "input": {"from": "aws cli"}})
        log = base64.b64decode(meta["LogResult"]).decode()
        lines = log.splitlines()
        self.assertTrue(lines[0].startswith("START RequestId: "), log)
        self.assertTrue(lines[-2].startswith("END RequestId: "), log)
        self.assertRegex(lines[-1], REPORT_RE)

    def test_invoke_function_error(self):
        out = Path(self.tmp.name) / "error-out.json"
        meta = self.aws_json("lambda", "invoke", "--function-name", "Fails", str(out))
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(meta["FunctionError"], "Unhandled")
        self.assertEqual(json.loads(out.read_text())["errorType"], "Cli.Boom")

    def test_invoke_event_and_dry_run(self):
        out = Path(self.tmp.name) / "event-out.json"
        meta = self.aws_json("lambda", "invoke", "--function-name", "HelloBash",
                             "--invocation-type", "Event", str(out))
        self.assertEqual(meta["StatusCode"], 202)
        meta = self.aws_json("lambda", "invoke", "--function-name", "HelloBash",
                             "--invocation-type", "DryRun", str(out))
        self.assertEqual(meta["StatusCode"], 204)

    def test_list_functions(self):
        body = self.aws_json("lambda", "list-functions")
        names = sorted(f["FunctionName"] for f in body["Functions"])
        self.assertEqual(names, ["Fails", "HelloBash", "HelloCpp"])
        # The CLI's own paginator follows NextMarker.
        body = self.aws_json("lambda", "list-functions", "--page-size", "1")
        self.assertEqual(sorted(f["FunctionName"] for f in body["Functions"]), names)

    def test_get_function(self):
        body = self.aws_json("lambda", "get-function", "--function-name", "HelloBash")
        config = body["Configuration"]
        self.assertEqual(config["FunctionName"], "HelloBash")
        self.assertEqual(config["FunctionArn"], function_arn("HelloBash"))
        self.assertEqual(config["Runtime"], "provided.al2023")

    def test_unknown_function(self):
        out = Path(self.tmp.name) / "missing-out.json"
        proc = self.aws("lambda", "invoke", "--function-name", "Missing", str(out))
        self.assertIn(proc.returncode, (254, 255), proc)
        self.assertIn("ResourceNotFoundException", proc.stderr)
        proc = self.aws("lambda", "get-function", "--function-name", "Missing")
        self.assertIn(proc.returncode, (254, 255), proc)
        self.assertIn("ResourceNotFoundException", proc.stderr)

    def test_logs_filter_log_events(self):
        out = Path(self.tmp.name) / "logs-out.json"
        meta = self.aws_json("lambda", "invoke", "--function-name", "HelloBash", str(out))
        self.assertEqual(meta["StatusCode"], 200)
        # Wait until the REPORT line of that call is stored, then read it back through the CLI.
        rows = self.server.wait_sql(
            "SELECT request_id FROM log_events WHERE function='HelloBash' AND message LIKE "
            "'hello from bash %' ORDER BY id DESC LIMIT 1")
        rid = rows[0]["request_id"]
        self.server.wait_log(rid, "REPORT ")
        body = self.aws_json("logs", "filter-log-events", "--log-group-name",
                             "/aws/lambda/HelloBash", "--filter-pattern", f'"{rid}"')
        messages = [e["message"] for e in body["events"]]
        self.assertTrue(any(m.startswith(f"START RequestId: {rid}") for m in messages), messages)
        self.assertIn(f"hello from bash {rid}", messages)
        self.assertTrue(any(m.startswith(f"REPORT RequestId: {rid}") for m in messages), messages)
        for e in body["events"]:
            self.assertRegex(e["logStreamName"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")

    def test_logs_tail(self):
        help_proc = self.aws("logs", "tail", "help")
        if help_proc.returncode != 0:
            self.skipTest(f"this AWS CLI has no `logs tail`: {help_proc.stderr.strip()}")
        out = Path(self.tmp.name) / "tail-out.json"
        self.aws_json("lambda", "invoke", "--function-name", "HelloCpp", str(out))
        rows = self.server.wait_sql(
            "SELECT request_id FROM log_events WHERE function='HelloCpp' AND message LIKE "
            "'REPORT %' ORDER BY id DESC LIMIT 1")
        rid = rows[0]["request_id"]
        proc = self.aws("logs", "tail", "/aws/lambda/HelloCpp", "--since", "10m", "--format",
                        "short")
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn(f"START RequestId: {rid}", proc.stdout)
        self.assertIn(f"REPORT RequestId: {rid}", proc.stdout)


if __name__ == "__main__":
    unittest.main()
