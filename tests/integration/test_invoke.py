"""Invoke API on a real server: invocation types, Tail, cold/warm, environment, Runtime API headers,
names/ARNs/qualifiers, client errors (400/404), List/GetFunction and the gateway's fallback."""

import base64
import json
import re
import time
import unittest

from harness import (REPORT_RE, UUID_RE, Server, ServerTestCase, bash_function, cpp_function,
                     function_arn, parallel)

# Saves the environment and the /next headers of every call to $OUT_DIR, logs one line, and
# answers the event back.
RECORDING_HANDLER = r"""
env > "$OUT_DIR/env.$rid"
cp "$hdrs" "$OUT_DIR/headers.$rid"
echo "echo handled $rid"
echo "to stderr $rid" >&2
"""


def parse_env(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            env[key] = value
    return env


def parse_headers(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return headers


class InvokeTest(ServerTestCase):
    @classmethod
    def functions(cls):
        return [
            bash_function("Echo", RECORDING_HANDLER, MemorySize=256, Timeout=7,
                          AutoPublishAlias="live",
                          Environment={"Variables": {"GREETING": "hello world",
                                                     "EMPTYISH": "x=y"}}),
            bash_function("ColdWarm", 'echo "handled $rid"'),
            bash_function("Failing", 'post_error My.Error "it went wrong"; handled=1'),
            bash_function("Sleepy", 'sleep 0.5'),
            cpp_function("Cpp"),
        ]

    # -- basics --

    def test_request_response_echoes_payload(self):
        r = self.server.invoke_ok(self, "Echo", {"hello": [1, 2, 3]})
        self.assertEqual(r.json(), {"hello": [1, 2, 3]})
        rid = r.header("x-amzn-RequestId")
        self.assertRegex(rid, UUID_RE)
        self.assertEqual(r.header("X-Amz-Executed-Version"), "$LATEST")
        self.assertIsNone(r.header("X-Amz-Log-Result"), "no Tail asked for")

    def test_empty_payload_is_an_empty_object(self):
        r = self.server.invoke_ok(self, "Cpp", b"")
        self.assertEqual(r.json()["input"], {})

    def test_cpp_function(self):
        r = self.server.invoke_ok(self, "Cpp", {"n": 42})
        self.assertEqual(r.json(), {"message": "hello from C++", "input": {"n": 42}})

    def test_cold_then_warm(self):
        first = self.server.invoke_ok(self, "ColdWarm", log_type="Tail")
        second = self.server.invoke_ok(self, "ColdWarm", log_type="Tail")
        third = self.server.invoke_ok(self, "ColdWarm", log_type="Tail")
        reports = []
        for r in (first, second, third):
            lines = [l for l in r.log_tail().splitlines() if l.startswith("REPORT ")]
            self.assertEqual(len(lines), 1, r.log_tail())
            m = REPORT_RE.match(lines[0])
            self.assertIsNotNone(m, lines[0])
            reports.append(m)
        self.assertIsNotNone(reports[0]["init"], "the cold call reports Init Duration")
        self.assertGreater(float(reports[0]["init"]), 0)
        self.assertIsNone(reports[1]["init"], "a warm call has no Init Duration")
        self.assertIsNone(reports[2]["init"], "a warm call has no Init Duration")
        records = [self.server.invocation(r.header("x-amzn-RequestId")) for r in
                   (first, second, third)]
        self.assertEqual([rec["cold"] for rec in records], [1, 0, 0])
        self.assertIsNotNone(records[0]["init_duration_ms"])
        self.assertIsNone(records[1]["init_duration_ms"])
        self.assertEqual(len({rec["log_stream"] for rec in records}), 1,
                         "the warm calls ran in the same worker (same log stream)")

    def test_sequential_calls_reuse_one_worker(self):
        streams = set()
        for i in range(5):
            r = self.server.invoke_ok(self, "Cpp", {"i": i})
            streams.add(self.server.invocation(r.header("x-amzn-RequestId"))["log_stream"])
        self.assertEqual(len(streams), 1, streams)

    def test_parallel_calls_get_separate_workers(self):
        results = parallel([lambda: self.server.invoke("Sleepy", {"p": i}) for i in range(3)])
        for r in results:
            self.assertEqual(r.status, 200, r)
        streams = {self.server.invocation(r.header("x-amzn-RequestId"))["log_stream"]
                   for r in results}
        self.assertEqual(len(streams), 3, "three concurrent calls need three workers")

    # -- Tail and the REPORT line --

    def test_tail_log_has_start_end_report(self):
        r = self.server.invoke_ok(self, "Echo", {"t": 1}, log_type="Tail")
        rid = r.header("x-amzn-RequestId")
        raw = r.header("X-Amz-Log-Result")
        self.assertIsNotNone(raw)
        self.assertLessEqual(len(base64.b64decode(raw)), 4096, "the tail is the last 4 KB")
        lines = r.log_tail().splitlines()
        self.assertEqual(lines[0], f"START RequestId: {rid} Version: $LATEST")
        self.assertIn(f"echo handled {rid}", lines)
        self.assertIn(f"to stderr {rid}", lines)
        self.assertEqual(lines[-2], f"END RequestId: {rid}")
        m = REPORT_RE.match(lines[-1])
        self.assertIsNotNone(m, repr(lines[-1]))
        self.assertEqual(m["id"], rid)
        self.assertEqual(m["memory"], "256", "MemorySize from the template")

    def test_report_line_figures(self):
        r = self.server.invoke_ok(self, "Sleepy", log_type="Tail")
        report = [l for l in r.log_tail().splitlines() if l.startswith("REPORT ")][0]
        m = REPORT_RE.match(report)
        self.assertIsNotNone(m, repr(report))
        duration = float(m["duration"])
        self.assertGreaterEqual(duration, 500, "the handler sleeps 0.5 s")
        self.assertLess(duration, 5000)
        # Billed Duration is Duration rounded up to the next millisecond.
        self.assertEqual(int(m["billed"]), max(1, -int(-duration // 1)))
        self.assertEqual(m["memory"], "128")
        self.assertGreaterEqual(int(m["used"]), 1, "Max Memory Used is measured (bash uses MBs)")
        self.assertLessEqual(int(m["used"]), 1024)

    def test_tail_is_ignored_for_event(self):
        r = self.server.invoke("Cpp", {}, invocation_type="Event", log_type="Tail")
        self.assertEqual(r.status, 202, r)
        self.assertIsNone(r.header("X-Amz-Log-Result"))

    def test_unknown_log_type_is_400(self):
        r = self.server.invoke("Cpp", {}, log_type="Everything")
        self.assert_aws_error(r, 400, "InvalidParameterValueException", "message")

    # -- invocation types --

    def test_event_returns_202_and_runs(self):
        marker = f"event-{time.time_ns()}"
        r = self.server.invoke("Echo", {"marker": marker}, invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        self.assertEqual(r.body, b"")
        rid = r.header("x-amzn-RequestId")
        self.assertRegex(rid, UUID_RE)
        # The function really ran: its log line and its invocation record appear.
        lines = self.server.wait_log(rid, "REPORT ", timeout=10)
        self.assertIn(f"echo handled {rid}", lines)
        rec = self.server.invocation(rid)
        self.assertEqual(rec["invocation_type"], "Event")
        self.assertEqual(rec["outcome"], "success")
        env = parse_env(self.server.out_file(f"env.{rid}"))
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "Echo")

    def test_dry_run_returns_204_and_does_not_run(self):
        time.sleep(0.2)  # let earlier tests' records reach the database
        before = self.server.sql("SELECT count(*) AS n FROM invocations WHERE function='Cpp'")
        r = self.server.invoke("Cpp", {"x": 1}, invocation_type="DryRun")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        rid = r.header("x-amzn-RequestId")
        self.assertTrue(rid)
        time.sleep(0.3)
        self.assertEqual(self.server.sql("SELECT * FROM invocations WHERE request_id=?", [rid]), [])
        self.assertEqual(self.server.sql("SELECT * FROM log_events WHERE request_id=?", [rid]), [])
        after = self.server.sql("SELECT count(*) AS n FROM invocations WHERE function='Cpp'")
        self.assertEqual(before[0]["n"], after[0]["n"])

    def test_dry_run_of_unknown_function_is_404(self):
        r = self.server.invoke("Nope", {}, invocation_type="DryRun")
        self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")

    def test_unknown_invocation_type_is_400(self):
        r = self.server.invoke("Cpp", {}, invocation_type="Sometimes")
        self.assert_aws_error(r, 400, "InvalidParameterValueException", "message")

    # -- function errors --

    def test_function_error(self):
        r = self.server.invoke("Failing", {"x": 1}, log_type="Tail")
        body = self.assert_function_error(r, "My.Error")
        self.assertEqual(body["errorMessage"], "it went wrong")
        self.assertIn("END RequestId", r.log_tail())
        rec = self.server.invocation(r.header("x-amzn-RequestId"))
        self.assertEqual(rec["outcome"], "error")
        self.assertEqual(rec["error_type"], "My.Error")
        # A handled error keeps the worker: the next call is warm.
        r2 = self.server.invoke("Failing", {}, log_type="Tail")
        self.assert_function_error(r2, "My.Error")
        self.assertEqual(self.server.invocation(r2.header("x-amzn-RequestId"))["cold"], 0)

    # -- environment and Runtime API headers --

    def test_environment_seen_by_the_function(self):
        r = self.server.invoke_ok(self, "Echo", {})
        rid = r.header("x-amzn-RequestId")
        env = parse_env(self.server.out_file(f"env.{rid}"))
        code_dir = str(self.server.root / "functions" / "Echo")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "Echo")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/Echo")
        self.assertRegex(env["AWS_LAMBDA_LOG_STREAM_NAME"],
                         r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"],
                         self.server.invocation(rid)["log_stream"])
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertNotEqual(env["AWS_LAMBDA_RUNTIME_API"].split(":")[1],
                            str(self.server.lambda_port), "each worker has its own endpoint")
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
        # The AWS SDKs in a function call this lambdad's Lambda API (Invoke of another function).
        self.assertEqual(env["AWS_ENDPOINT_URL_LAMBDA"], self.server.lambda_url)
        self.assertEqual(env["_HANDLER"], "function.handler")
        self.assertIn(env["LAMBDA_TASK_ROOT"], (code_dir, "/var/task"))
        self.assertIn(env["TZ"], (":UTC", "UTC"))
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["GREETING"], "hello world")
        self.assertEqual(env["EMPTYISH"], "x=y")
        self.assertNotIn("AWS_EXECUTION_ENV", env, "unset for provided runtimes")
        self.assertNotIn("LAMBDAD_BIN", env, "the server's own environment does not leak")

    def test_version_env_of_a_published_version(self):
        r = self.server.invoke_ok(self, "Echo", {}, qualifier="live")
        env = parse_env(self.server.out_file(f"env.{r.header('x-amzn-RequestId')}"))
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "1")
        self.assertRegex(env["AWS_LAMBDA_LOG_STREAM_NAME"], r"^\d{4}/\d{2}/\d{2}/\[1\][0-9a-f]{32}$")

    def test_runtime_api_headers(self):
        before_ms = time.time() * 1000
        r = self.server.invoke_ok(self, "Echo", {"h": 1})
        rid = r.header("x-amzn-RequestId")
        h = parse_headers(self.server.out_file(f"headers.{rid}"))
        self.assertEqual(h["lambda-runtime-aws-request-id"], rid)
        deadline = int(h["lambda-runtime-deadline-ms"])
        self.assertGreater(deadline, before_ms + 6000, "Timeout is 7 s: the deadline is ahead")
        self.assertLess(deadline, time.time() * 1000 + 7000 + 1000)
        self.assertEqual(h["lambda-runtime-invoked-function-arn"], function_arn("Echo"))
        self.assertRegex(h["lambda-runtime-trace-id"],
                         r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$")
        self.assertTrue(h["content-type"].startswith("application/json"), h)

    def test_invoked_arn_carries_the_callers_qualifier(self):
        cases = [
            ("Echo", "live", function_arn("Echo", "live"), "1"),
            ("Echo", "$LATEST", function_arn("Echo", "$LATEST"), "$LATEST"),
            ("Echo:live", None, function_arn("Echo", "live"), "1"),
            (function_arn("Echo"), None, function_arn("Echo"), "$LATEST"),
            (function_arn("Echo", "live"), None, function_arn("Echo", "live"), "1"),
            (f"{'123456789012'}:function:Echo", None, function_arn("Echo"), "$LATEST"),
        ]
        for name, qualifier, arn, version in cases:
            with self.subTest(name=name, qualifier=qualifier):
                q = None if qualifier is None else qualifier.replace("$", "%24")
                r = self.server.invoke_ok(self, name.replace("$", "%24"), {}, qualifier=q)
                self.assertEqual(r.header("X-Amz-Executed-Version"), version)
                h = parse_headers(self.server.out_file(f"headers.{r.header('x-amzn-RequestId')}"))
                self.assertEqual(h["lambda-runtime-invoked-function-arn"], arn)

    def test_client_context_is_passed_to_the_function(self):
        context = {"custom": {"k": "v"}, "env": {"e": "1"}}
        encoded = base64.b64encode(json.dumps(context).encode()).decode()
        r = self.server.invoke_ok(self, "Echo", {}, headers={"X-Amz-Client-Context": encoded})
        h = parse_headers(self.server.out_file(f"headers.{r.header('x-amzn-RequestId')}"))
        self.assertEqual(json.loads(h["lambda-runtime-client-context"]), context)

    def test_bad_client_context_is_400(self):
        r = self.server.invoke("Echo", {}, headers={"X-Amz-Client-Context": "%%%not base64"})
        self.assert_aws_error(r, 400, "InvalidRequestContentException", "message")

    # -- client errors --

    def test_malformed_json_is_400(self):
        for payload in (b"{not json", b'{"a":', b"[1,2", b'{"a":1}}', b"nul"):
            with self.subTest(payload=payload):
                r = self.server.invoke("Cpp", payload)
                body = self.assert_aws_error(r, 400, "InvalidRequestContentException", "message")
                self.assertIn("Could not parse request body into json", body["message"])
                self.assertNotIn("Message", body, "InvalidRequestContent uses 'message'")
        self.server.invoke_ok(self, "Cpp", {"still": "serving"})

    def test_payload_that_is_not_utf8_is_400(self):
        for payload in (b"\xff\xfe", b'{"a":"\xc3\x28"}'):
            with self.subTest(payload=payload):
                r = self.server.invoke("Cpp", payload)
                body = self.assert_aws_error(r, 400, "InvalidRequestContentException", "message")
                self.assertIn("Could not parse request body into json", body["message"])
        self.server.invoke_ok(self, "Cpp", {"still": "serving"})

    def test_malformed_json_event_is_400_too(self):
        r = self.server.invoke("Cpp", b"{oops", invocation_type="Event")
        self.assert_aws_error(r, 400, "InvalidRequestContentException", "message")

    def test_unknown_function_is_404(self):
        r = self.server.invoke("DoesNotExist", {})
        body = self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")
        self.assertEqual(body["Message"], f"Function not found: {function_arn('DoesNotExist')}")
        self.assertNotIn("message", body)
        r = self.server.invoke(function_arn("DoesNotExist"), {}, invocation_type="Event")
        self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")
        self.server.invoke_ok(self, "Cpp", {})

    def test_unknown_qualifier_is_404(self):
        for q in ("nope", "7", "2"):
            with self.subTest(qualifier=q):
                r = self.server.invoke("Echo", {}, qualifier=q)
                body = self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")
                self.assertIn(function_arn("Echo", q), body["Message"])
        r = self.server.invoke("Cpp:live", {})
        self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")
        self.server.invoke_ok(self, "Echo", {}, qualifier="live")

    def test_conflicting_qualifiers_are_400(self):
        r = self.server.invoke("Echo:live", {}, qualifier="1")
        self.assert_aws_error(r, 400, "InvalidParameterValueException", "message")

    # -- discovery --

    def test_list_functions(self):
        r = self.server.request("GET", "/2015-03-31/functions/")
        self.assertEqual(r.status, 200, r)
        functions = {f["FunctionName"]: f for f in r.json()["Functions"]}
        self.assertEqual(set(functions), {"Echo", "ColdWarm", "Failing", "Sleepy", "Cpp"})
        echo = functions["Echo"]
        self.assertEqual(echo["FunctionArn"], function_arn("Echo"))
        self.assertEqual(echo["Runtime"], "provided.al2023")
        self.assertEqual(echo["MemorySize"], 256)
        self.assertEqual(echo["Timeout"], 7)
        self.assertEqual(echo["Handler"], "function.handler")
        self.assertEqual(echo["Environment"]["Variables"]["GREETING"], "hello world")

    def test_list_functions_pages(self):
        seen, marker = [], None
        for _ in range(10):
            path = "/2015-03-31/functions/?MaxItems=2" + (f"&Marker={marker}" if marker else "")
            page = self.server.request("GET", path).json()
            self.assertLessEqual(len(page["Functions"]), 2)
            seen += [f["FunctionName"] for f in page["Functions"]]
            marker = page.get("NextMarker")
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted({"Echo", "ColdWarm", "Failing", "Sleepy", "Cpp"}))
        self.assertEqual(len(seen), len(set(seen)), "no function listed twice")

    def test_get_function(self):
        r = self.server.request("GET", "/2015-03-31/functions/Echo")
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual(body["Configuration"]["FunctionName"], "Echo")
        self.assertEqual(body["Configuration"]["FunctionArn"], function_arn("Echo"))
        r = self.server.request("GET", "/2015-03-31/functions/Echo/configuration")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["FunctionName"], "Echo")
        r = self.server.request("GET", "/2015-03-31/functions/Echo?Qualifier=live")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Configuration"]["Version"], "1")
        r = self.server.request("GET", "/2015-03-31/functions/Missing")
        self.assert_aws_error(r, 404, "ResourceNotFoundException", "Message")

    def test_healthz(self):
        r = self.server.request("GET", "/healthz")
        self.assertEqual(r.status, 200, r)

    def test_gateway_without_routes_answers_403(self):
        r = self.server.request("GET", "/anything", port=self.server.api_port)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})


class GatewayFallbackTest(unittest.TestCase):
    def test_unmatched_path_with_an_http_api_is_404(self):
        fn = bash_function("Routed", "", Events={"Hello": {"Type": "HttpApi", "Properties": {
            "Path": "/hello", "Method": "GET"}}})
        with Server([fn]) as server:
            r = server.request("GET", "/no/such/route", port=server.api_port)
            self.assertEqual(r.status, 404, r)
            self.assertEqual(r.json(), {"message": "Not Found"})
            server.stop()


if __name__ == "__main__":
    unittest.main()
