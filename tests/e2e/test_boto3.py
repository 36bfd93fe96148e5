"""boto3 pointed at lambdad with endpoint_url: invoke in every mode, discovery, errors and logs."""

import base64
import json
import sys
import threading
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import (REPORT_RE, ServerTestCase, bash_function, cpp_function,  # noqa: E402
                     function_arn)

from boto3_clients import client, require_boto3  # noqa: E402


class Boto3Test(ServerTestCase):
    @classmethod
    def functions(cls):
        return [
            cpp_function("HelloCpp"),
            bash_function("HelloBash", 'echo "hello from bash $rid"'),
            bash_function("Crashes", 'echo "crashing"; exit 7'),
            bash_function("Slow", "sleep 1.5", ReservedConcurrentExecutions=1, Timeout=10),
            *[bash_function(f"Filler{i}", "") for i in range(5)],
        ]

    @classmethod
    def setUpClass(cls):
        require_boto3()
        super().setUpClass()

    def setUp(self):
        super().setUp()
        # Clients for this test's server (a crashed one is replaced by ServerTestCase).
        self.lam = client("lambda", self.server.lambda_url)
        self.logs = client("logs", self.server.lambda_url)

    def test_invoke_request_response(self):
        r = self.lam.invoke(FunctionName="HelloCpp", Payload=json.dumps({"sdk": "boto3"}))
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", r)
        self.assertEqual(json.loads(r["Payload"].read()),
                         {"message": "hello from C++", "input": {"sdk": "boto3"}})
        self.assertRegex(r["ResponseMetadata"]["RequestId"], r"^[0-9a-f-]{36}$")

    def test_invoke_by_arn(self):
        r = self.lam.invoke(FunctionName=function_arn("HelloBash"), Payload=b'{"a":1}')
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(json.loads(r["Payload"].read()), {"a": 1})

    def test_invoke_tail(self):
        r = self.lam.invoke(FunctionName="HelloBash", LogType="Tail", Payload=b"{}")
        log = base64.b64decode(r["LogResult"]).decode()
        rid = r["ResponseMetadata"]["RequestId"]
        lines = log.splitlines()
        self.assertEqual(lines[0], f"START RequestId: {rid} Version: $LATEST")
        self.assertIn(f"hello from bash {rid}", lines)
        self.assertEqual(lines[-2], f"END RequestId: {rid}")
        self.assertRegex(lines[-1], REPORT_RE)

    def test_invoke_event(self):
        r = self.lam.invoke(FunctionName="HelloBash", InvocationType="Event", Payload=b"{}")
        self.assertEqual(r["StatusCode"], 202)
        rid = r["ResponseMetadata"]["RequestId"]
        lines = self.server.wait_log(rid, "REPORT ", timeout=10)
        self.assertIn(f"hello from bash {rid}", lines)

    def test_invoke_dry_run(self):
        r = self.lam.invoke(FunctionName="HelloBash", InvocationType="DryRun")
        self.assertEqual(r["StatusCode"], 204)

    def test_function_error(self):
        r = self.lam.invoke(FunctionName="Crashes", Payload=b"{}")
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["FunctionError"], "Unhandled")
        body = json.loads(r["Payload"].read())
        self.assertEqual(body["errorType"], "Runtime.ExitError")
        self.assertIn("exit status 7", body["errorMessage"])

    def test_list_functions_paginator(self):
        pages = list(self.lam.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": 2}))
        self.assertGreater(len(pages), 1, "small pages really paginate")
        names = [f["FunctionName"] for p in pages for f in p["Functions"]]
        expected = ["Crashes", "HelloBash", "HelloCpp", "Slow"] + [f"Filler{i}" for i in range(5)]
        self.assertEqual(sorted(names), sorted(expected))
        self.assertEqual(len(names), len(set(names)))

    def test_get_function(self):
        r = self.lam.get_function(FunctionName="HelloCpp")
        self.assertEqual(r["Configuration"]["FunctionName"], "HelloCpp")
        self.assertEqual(r["Configuration"]["FunctionArn"], function_arn("HelloCpp"))
        self.assertEqual(r["Configuration"]["MemorySize"], 128)
        r = self.lam.get_function_configuration(FunctionName="Slow")
        self.assertEqual(r["Timeout"], 10)

    def test_resource_not_found(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
            self.lam.invoke(FunctionName="Missing", Payload=b"{}")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName="Missing")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.invoke(FunctionName="HelloCpp", Qualifier="nope", Payload=b"{}")

    def test_invalid_payload(self):
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="HelloCpp", Payload=b"{not json")

    def test_payload_too_large(self):
        with self.assertRaises(self.lam.exceptions.RequestTooLargeException) as cm:
            self.lam.invoke(FunctionName="HelloCpp", Payload=b'"' + b"a" * 6291456 + b'"')
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)

    def test_too_many_requests(self):
        result = {}

        def slow():
            result["slow"] = self.lam.invoke(FunctionName="Slow", Payload=b"{}")

        t = threading.Thread(target=slow)
        t.start()
        try:
            time.sleep(0.5)  # Slow (reserved 1) is now busy
            with self.assertRaises(self.lam.exceptions.TooManyRequestsException) as cm:
                self.lam.invoke(FunctionName="Slow", Payload=b"{}")
            err = cm.exception.response
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 429)
            self.assertEqual(err.get("Reason"), "ReservedFunctionConcurrentInvocationLimitExceeded")
        finally:
            t.join(20)
        self.assertEqual(result["slow"]["StatusCode"], 200)

    def test_filter_log_events(self):
        r = self.lam.invoke(FunctionName="HelloBash", Payload=b"{}")
        rid = r["ResponseMetadata"]["RequestId"]
        self.server.wait_log(rid, "REPORT ")
        resp = self.logs.filter_log_events(logGroupName="/aws/lambda/HelloBash",
                                           filterPattern=f'"{rid}"')
        messages = [e["message"] for e in resp["events"]]
        self.assertIn(f"hello from bash {rid}", messages)
        self.assertTrue(any(m.startswith(f"REPORT RequestId: {rid}") for m in messages))
        # Paginated through nextToken with a small limit.
        pages = list(self.logs.get_paginator("filter_log_events").paginate(
            logGroupName="/aws/lambda/HelloBash", filterPattern=f'"{rid}"',
            PaginationConfig={"PageSize": 1}))
        paged = [e["message"] for p in pages for e in p["events"]]
        self.assertEqual(paged, messages)
        with self.assertRaises(self.logs.exceptions.ResourceNotFoundException):
            self.logs.filter_log_events(logGroupName="/aws/lambda/Nope")


if __name__ == "__main__":
    unittest.main()
