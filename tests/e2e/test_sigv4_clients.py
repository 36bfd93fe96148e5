"""Real clients against a lambdad that requires SigV4 (`serve --credentials`): the AWS CLI v2,
boto3 and the AWS SDK for JavaScript v3 sign with the configured keys and pass; unsigned
(`--no-sign-request`, botocore's UNSIGNED) and wrong-secret clients get AWS's 403s (Logs: 400)
with the right `x-amzn-ErrorType`, as each client reports it."""

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

import boto3  # noqa: E402
from botocore import UNSIGNED  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

AWS = "/usr/bin/aws"  # Debian's CLI v2
KEY, SECRET = "AKIDE2ESIGV4", "e2e/secret+value"


def cli_env(key=KEY, secret=SECRET) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_DEFAULT_REGION": "eu-central-1", "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
                "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})
    return env


class SignedClientsTest(ServerTestCase):
    server_args = ["--credentials", f"{KEY}:{SECRET}"]

    @classmethod
    def functions(cls):
        return [bash_function("Echo", 'echo "echo was called"')]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="lambdad-sigv4-e2e-")

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    # -- the AWS CLI v2 --

    def aws(self, *args, key=KEY, secret=SECRET):
        if not os.access(AWS, os.X_OK):
            self.skipTest(f"{AWS} (Debian's awscli, v2) is not installed")
        return subprocess.run([AWS, *args, "--endpoint-url", self.server.lambda_url],
                              capture_output=True, text=True, env=cli_env(key, secret),
                              timeout=60)

    def test_cli_signed_calls_pass(self):
        out = Path(self.tmp.name) / "out.json"
        r = self.aws("lambda", "invoke", "--function-name", "Echo", "--cli-binary-format",
                     "raw-in-base64-out", "--payload", '{"from":"cli"}', str(out))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(out.read_text()), {"from": "cli"})
        r = self.aws("lambda", "list-functions")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Echo", [f["FunctionName"] for f in json.loads(r.stdout)["Functions"]])
        r = self.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/Echo")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("events", json.loads(r.stdout))

    def test_cli_unsigned_and_wrong_secret_refused(self):
        r = self.aws("lambda", "list-functions", "--no-sign-request")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("(MissingAuthenticationTokenException)", r.stderr)
        r = self.aws("lambda", "list-functions", secret="wrong")
        self.assertIn("(InvalidSignatureException)", r.stderr)
        r = self.aws("lambda", "list-functions", key="AKIDNOBODY")
        self.assertIn("(UnrecognizedClientException)", r.stderr)
        self.assertIn("The security token included in the request is invalid.", r.stderr)
        r = self.aws("logs", "filter-log-events", "--log-group-name", "/aws/lambda/Echo",
                     secret="wrong")
        self.assertIn("(InvalidSignatureException)", r.stderr)

    # -- boto3 --

    def client(self, service, secret=SECRET, signed=True):
        config = Config(retries={"max_attempts": 1}, read_timeout=30, connect_timeout=5,
                        **({} if signed else {"signature_version": UNSIGNED}))
        session = boto3.session.Session(aws_access_key_id=KEY, aws_secret_access_key=secret,
                                        region_name="ap-southeast-2")
        return session.client(service, endpoint_url=self.server.lambda_url, config=config)

    def test_boto3_signed_calls_pass(self):
        r = self.client("lambda").invoke(FunctionName="Echo", Payload=b'{"from":"boto3"}')
        self.assertEqual(json.loads(r["Payload"].read()), {"from": "boto3"})
        self.client("lambda").get_function(FunctionName="Echo")
        self.assertIn("events", self.client("logs").filter_log_events(
            logGroupName="/aws/lambda/Echo"))

    def test_boto3_refusals(self):
        cases = [(self.client("lambda", signed=False), 403, "MissingAuthenticationTokenException"),
                 (self.client("lambda", secret="wrong"), 403, "InvalidSignatureException")]
        for client, status, code in cases:
            with self.assertRaises(ClientError) as caught:
                client.invoke(FunctionName="Echo", Payload=b"{}")
            error = caught.exception.response
            self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status)
            self.assertEqual(error["Error"]["Code"], code)
        with self.assertRaises(ClientError) as caught:
            self.client("logs", secret="wrong").filter_log_events(logGroupName="/aws/lambda/Echo")
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidSignatureException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    # -- the AWS SDK for JavaScript v3 --

    def test_js_sdk_v3(self):
        node = shutil.which("node")
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
        if not node or not (Path(root) / "@aws-sdk" / "client-lambda").is_dir():
            self.skipTest("node or the global @aws-sdk/client-lambda is missing "
                          "(scripts/install-deps.sh installs it)")
        script = r"""
const { LambdaClient, InvokeCommand, ListFunctionsCommand } = require("@aws-sdk/client-lambda");
const [endpoint, key, secret] = process.argv.slice(1);
const client = (s) => new LambdaClient({ endpoint, region: "us-west-2", maxAttempts: 1,
  credentials: { accessKeyId: key, secretAccessKey: s } });
(async () => {
  const out = {};
  const r = await client(secret).send(new InvokeCommand({ FunctionName: "Echo",
    Payload: Buffer.from('{"from":"js"}') }));
  out.invoke = Buffer.from(r.Payload).toString();
  out.list = (await client(secret).send(new ListFunctionsCommand({}))).Functions.map(f => f.FunctionName);
  try { await client("wrong").send(new ListFunctionsCommand({})); }
  catch (e) { out.wrong = [e.name, e.$metadata.httpStatusCode]; }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e); process.exit(1); });
"""
        r = subprocess.run([node, "-e", script, self.server.lambda_url, KEY, SECRET],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, NODE_PATH=root))
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(json.loads(out["invoke"]), {"from": "js"})
        self.assertIn("Echo", out["list"])
        self.assertEqual(out["wrong"], ["InvalidSignatureException", 403])


if __name__ == "__main__":
    unittest.main()
