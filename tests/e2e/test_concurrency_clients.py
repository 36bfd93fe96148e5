"""Reserved concurrency and the account's settings through the AWS CLI v2 and boto3:
put-function-concurrency / get-function-concurrency / delete-function-concurrency on a template
function and on one made through the API, an invoke throttled at 0 as each client reports it,
get-account-settings, and the refusals (above the limit, unknown function) as each client
names them."""

import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase, bash_function  # noqa: E402
from cli_clients import AwsCliTestCase  # noqa: E402
from test_awscli import AWS  # noqa: E402
from test_function_api_clients import ROLE, bash_zip  # noqa: E402

try:
    import boto3
    from botocore.config import Config
    BOTO3_ERROR = None
except ImportError as e:  # reported as the skip reason
    BOTO3_ERROR = e

LIMIT = 200  # --max-concurrency: 20 stay unreserved


class AwsCliConcurrencyTest(AwsCliTestCase):
    server_args = ["--max-concurrency", str(LIMIT)]

    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", 'response="{\\"ok\\":true}"')]

    def test_concurrency_on_a_template_function(self):
        self.assertEqual(self.aws("lambda", "get-function-concurrency", "--function-name",
                                  "FromTemplate"), None)  # {}: the CLI prints nothing
        self.assertEqual(self.aws("lambda", "put-function-concurrency", "--function-name",
                                  "FromTemplate", "--reserved-concurrent-executions", "5"),
                         {"ReservedConcurrentExecutions": 5})
        self.assertEqual(self.aws("lambda", "get-function-concurrency", "--function-name",
                                  "FromTemplate"), {"ReservedConcurrentExecutions": 5})
        got = self.aws("lambda", "get-function", "--function-name", "FromTemplate")
        self.assertEqual(got["Concurrency"], {"ReservedConcurrentExecutions": 5})
        settings = self.aws("lambda", "get-account-settings")
        self.assertEqual(settings["AccountLimit"]["ConcurrentExecutions"], LIMIT)
        self.assertEqual(settings["AccountLimit"]["UnreservedConcurrentExecutions"], LIMIT - 5)
        self.assertEqual(settings["AccountUsage"]["FunctionCount"], 1)

        self.aws("lambda", "put-function-concurrency", "--function-name", "FromTemplate",
                 "--reserved-concurrent-executions", "0")
        out = Path(self.server.root) / "out.json"
        err = self.aws("lambda", "invoke", "--function-name", "FromTemplate", str(out), ok=False)
        self.assertIn("(TooManyRequestsException)", err)
        self.aws("lambda", "delete-function-concurrency", "--function-name", "FromTemplate")
        self.assertEqual(self.aws("lambda", "get-function-concurrency", "--function-name",
                                  "FromTemplate"), None)  # {}: the CLI prints nothing
        meta = self.aws("lambda", "invoke", "--function-name", "FromTemplate", str(out))
        self.assertEqual(meta["StatusCode"], 200)
        self.assertEqual(json.loads(out.read_text()), {"ok": True})

    def test_refusals(self):
        err = self.aws("lambda", "put-function-concurrency", "--function-name", "FromTemplate",
                       "--reserved-concurrent-executions", str(LIMIT - 19), ok=False)
        self.assertIn("(InvalidParameterValueException)", err)
        self.assertIn("below its minimum value of [20]", err)
        err = self.aws("lambda", "put-function-concurrency", "--function-name", "nope",
                       "--reserved-concurrent-executions", "1", ok=False)
        self.assertIn("(ResourceNotFoundException)", err)
        err = self.aws("lambda", "get-function-concurrency", "--function-name", "nope", ok=False)
        self.assertIn("(ResourceNotFoundException)", err)
        self.assertEqual(self.aws("lambda", "get-function-concurrency", "--function-name",
                                  "FromTemplate"), None)  # {}: the CLI prints nothing


class Boto3ConcurrencyTest(ServerTestCase):
    server_args = ["--max-concurrency", str(LIMIT)]

    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    @classmethod
    def setUpClass(cls):
        if BOTO3_ERROR is not None:
            raise unittest.SkipTest(f"boto3 is not importable here: {BOTO3_ERROR}")
        super().setUpClass()

    def setUp(self):
        super().setUp()
        session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x",
                                        region_name="us-east-1")
        config = Config(retries={"max_attempts": 1}, read_timeout=60, connect_timeout=5)
        self.lam = session.client("lambda", endpoint_url=self.server.lambda_url, config=config)

    def test_concurrency_on_an_api_function(self):
        lam = self.lam
        zip_bytes = bash_zip('response="{\\"v\\":1}"')
        lam.create_function(FunctionName="boto-fn", Runtime="provided.al2023", Role=ROLE,
                            Handler="bootstrap", Code={"ZipFile": zip_bytes})
        lam.get_waiter("function_active_v2").wait(FunctionName="boto-fn",
                                                   WaiterConfig={"Delay": 1})
        put = lam.put_function_concurrency(FunctionName="boto-fn", ReservedConcurrentExecutions=3)
        self.assertEqual(put["ReservedConcurrentExecutions"], 3)
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(lam.get_function_concurrency(FunctionName="boto-fn")
                         ["ReservedConcurrentExecutions"], 3)
        self.assertEqual(lam.get_function(FunctionName="boto-fn")["Concurrency"],
                         {"ReservedConcurrentExecutions": 3})
        settings = lam.get_account_settings()
        self.assertEqual(settings["AccountLimit"]["UnreservedConcurrentExecutions"], LIMIT - 3)
        self.assertEqual(settings["AccountLimit"]["CodeSizeZipped"], 52428800)
        self.assertEqual(settings["AccountUsage"],
                         {"TotalCodeSize": len(zip_bytes), "FunctionCount": 2})

        lam.put_function_concurrency(FunctionName="boto-fn", ReservedConcurrentExecutions=0)
        with self.assertRaises(lam.exceptions.TooManyRequestsException) as caught:
            lam.invoke(FunctionName="boto-fn", Payload=b"{}")
        self.assertEqual(caught.exception.response["Reason"],
                         "ReservedFunctionConcurrentInvocationLimitExceeded")
        r = lam.delete_function_concurrency(FunctionName="boto-fn")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertNotIn("ReservedConcurrentExecutions",
                         lam.get_function_concurrency(FunctionName="boto-fn"))
        r = lam.invoke(FunctionName="boto-fn", Payload=b"{}")
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 1})

        with self.assertRaises(lam.exceptions.InvalidParameterValueException):
            lam.put_function_concurrency(FunctionName="boto-fn",
                                         ReservedConcurrentExecutions=LIMIT)
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.delete_function_concurrency(FunctionName="nope")
        lam.delete_function(FunctionName="boto-fn")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_function_concurrency(FunctionName="boto-fn")


if __name__ == "__main__":
    unittest.main()
