"""Limits: reserved and server-wide concurrency (429 at once, with AWS's Reason), payload sizes
(request 6 MB sync / 1 MB async, response 6 MB + 100 B), and that nothing over a limit disturbs
other functions."""

import http.client
import time
import unittest

from harness import Server, ServerTestCase, bash_function, cpp_function, parallel

SYNC_LIMIT = 6291456
ASYNC_LIMIT = 1048576
RESPONSE_LIMIT = 6291556

THROTTLE_BODY = {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User",
                 "message": "Rate Exceeded."}

SLEEP_HANDLER = r'''
echo "start $(date +%s%N)" >&2
sleep 1
echo "stop $(date +%s%N)" >&2
'''

# Answers a JSON string of exactly N bytes, N read from the event {"n": N}.
SIZED_HANDLER = r'''
n="${event//[^0-9]/}"
{ printf '"'; head -c $((n - 2)) /dev/zero | tr '\0' a; printf '"'; } |
  curl -sS -o /dev/null -w '%{http_code}' -X POST "$api/invocation/$rid/response" \
    -H 'Expect:' --data-binary @- > "$OUT_DIR/sized.$rid.status"
handled=1
'''


def json_string_of(size: int) -> bytes:
    """A JSON document (a string) of exactly `size` bytes."""
    return b'"' + b"a" * (size - 2) + b'"'


class ThrottleAssertions:
    def assert_throttled(self, r, reason: str):
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "TooManyRequestsException", r)
        self.assertTrue(r.header("x-amzn-RequestId"), r)
        retry_after = r.header("Retry-After")
        self.assertIsNotNone(retry_after, "429 carries Retry-After")
        self.assertTrue(retry_after.strip().isdigit(), retry_after)
        self.assertEqual(r.json(), {**THROTTLE_BODY, "Reason": reason})


class ReservedConcurrencyTest(ServerTestCase, ThrottleAssertions):
    @classmethod
    def functions(cls):
        return [
            bash_function("ReservedTwo", SLEEP_HANDLER, ReservedConcurrentExecutions=2,
                          Timeout=10),
            bash_function("Disabled", 'echo "must never run"', ReservedConcurrentExecutions=0),
            cpp_function("Good"),
            bash_function("Sized", SIZED_HANDLER, Timeout=20),
        ]

    def test_reserved_two_with_six_parallel_calls(self):
        def call():
            t0 = time.monotonic()
            r = self.server.invoke("ReservedTwo", {}, timeout=20)
            return r, time.monotonic() - t0

        t_start_ms = int(time.time() * 1000)
        results = parallel([call] * 6)
        ok = [r for r, _ in results if r.status == 200]
        throttled = [(r, t) for r, t in results if r.status == 429]
        self.assertEqual(len(ok) + len(throttled), 6, [r for r, _ in results])
        self.assertLessEqual(len(ok), 2, "at most the reserved 2 run")
        self.assertGreaterEqual(len(ok), 1)
        self.assertGreaterEqual(len(throttled), 4)
        for r in ok:
            self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        for r, elapsed in throttled:
            self.assert_throttled(r, "ReservedFunctionConcurrentInvocationLimitExceeded")
            self.assertLess(elapsed, 0.9, "a throttled call is rejected at once, not queued")
        # Only the admitted calls ran: one invocation record each, none for the 429s.
        for r in ok:
            self.server.invocation(r.header("x-amzn-RequestId"))
        for r, _ in throttled:
            rid = r.header("x-amzn-RequestId")
            self.assertEqual(self.server.sql("SELECT 1 FROM invocations WHERE request_id=?",
                                             [rid]), [])
        time.sleep(0.2)
        n = self.server.sql("SELECT count(*) AS n FROM invocations "
                            "WHERE function = 'ReservedTwo' AND start_ms >= ?", [t_start_ms])
        self.assertEqual(n[0]["n"], len(ok))
        # The slots are released: the next calls are admitted again.
        self.server.invoke_ok(self, "ReservedTwo", {}, timeout=20)

    def test_other_functions_run_while_one_is_saturated(self):
        def slow():
            return self.server.invoke("ReservedTwo", {}, timeout=20)

        def others():
            time.sleep(0.3)
            return [self.server.invoke("Good", {"n": i}) for i in range(3)]

        a, b, good = parallel([slow, slow, others])
        self.assertEqual((a.status, b.status), (200, 200), (a, b))
        for r in good:
            self.assertEqual(r.status, 200, r)

    def test_reserved_zero_disables_the_function(self):
        for _ in range(2):
            r = self.server.invoke("Disabled", {})
            self.assert_throttled(r, "ReservedFunctionConcurrentInvocationLimitExceeded")
        time.sleep(0.2)
        self.assertEqual(self.server.sql("SELECT 1 FROM log_events WHERE function='Disabled'"), [])
        self.server.invoke_ok(self, "Good", {})

    # -- request payload --

    def test_two_megabyte_payload_round_trip(self):
        payload = json_string_of(2 * 1024 * 1024)
        r = self.server.invoke("Good", payload, timeout=30)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["input"], payload[1:-1].decode())
        r = self.server.invoke("Sized", {"n": 2 * 1024 * 1024}, timeout=30)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        self.assertEqual(len(r.body), 2 * 1024 * 1024)

    def test_payload_at_the_sync_limit_is_accepted(self):
        r = self.server.invoke("Good", json_string_of(SYNC_LIMIT), timeout=30)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        self.assertEqual(len(r.json()["input"]), SYNC_LIMIT - 2)

    def test_payload_over_the_sync_limit_is_413(self):
        r = self.server.invoke("Good", json_string_of(SYNC_LIMIT + 1), timeout=30)
        body = self.assert_aws_error(r, 413, "RequestTooLargeException", "message")
        self.assertEqual(body["message"],
                         f"{SYNC_LIMIT + 1} byte payload is too large for the RequestResponse "
                         f"invocation type (limit {SYNC_LIMIT} bytes)")
        self.server.invoke_ok(self, "Good", {"after": "413"})

    def test_chunked_payload_over_the_sync_limit_is_413(self):
        conn = http.client.HTTPConnection(self.server.host, self.server.lambda_port, timeout=30)
        chunk = b"a" * 65536
        chunks = [b'"'] + [chunk] * (SYNC_LIMIT // len(chunk) + 1) + [b'"']
        try:
            try:
                conn.request("POST", "/2015-03-31/functions/Good/invocations", body=iter(chunks),
                             headers={"Content-Type": "application/json"}, encode_chunked=True)
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = conn.getresponse()
            status, error_type = r.status, r.getheader("x-amzn-ErrorType")
            r.read()
        finally:
            conn.close()
        self.assertEqual((status, error_type), (413, "RequestTooLargeException"))
        self.server.invoke_ok(self, "Good", {"after": "chunked 413"})

    def test_event_payload_limit_is_1mb(self):
        r = self.server.invoke("Good", json_string_of(ASYNC_LIMIT), invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        r = self.server.invoke("Good", json_string_of(ASYNC_LIMIT + 1), invocation_type="Event")
        body = self.assert_aws_error(r, 413, "RequestTooLargeException", "message")
        self.assertEqual(body["message"],
                         f"{ASYNC_LIMIT + 1} byte payload is too large for the Event invocation "
                         f"type (limit {ASYNC_LIMIT} bytes)")

    # -- response payload --

    def test_response_at_the_limit_is_returned(self):
        r = self.server.invoke("Sized", {"n": RESPONSE_LIMIT}, timeout=30)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        self.assertEqual(len(r.body), RESPONSE_LIMIT)
        self.assertEqual(self.server.out_file(f"sized.{r.header('x-amzn-RequestId')}.status"),
                         "202")

    def test_response_over_the_limit_is_a_function_error(self):
        r = self.server.invoke("Sized", {"n": RESPONSE_LIMIT + 1}, timeout=30)
        body = self.assert_function_error(r, "Function.ResponseSizeTooLarge")
        self.assertEqual(
            body["errorMessage"],
            "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
        self.assertEqual(self.server.out_file(f"sized.{r.header('x-amzn-RequestId')}.status"),
                         "413")
        r = self.server.invoke_ok(self, "Sized", {"n": 10})
        self.assertEqual(r.body, b'"aaaaaaaa"')


class ServerWideConcurrencyTest(unittest.TestCase, ThrottleAssertions):
    """--max-concurrency 2, with one function reserving 1 of the 2: the unreserved pool is 1."""

    def test_server_wide_limit(self):
        functions = [
            bash_function("SlowA", "sleep 1", Timeout=10),
            bash_function("FastB", 'echo "b"'),
            bash_function("Reserved", "sleep 1", ReservedConcurrentExecutions=1, Timeout=10),
        ]
        with Server(functions, args=["--max-concurrency", "2"]) as server:
            def slow_a():
                return server.invoke("SlowA", {}, timeout=20)

            def reserved():
                time.sleep(0.1)
                return server.invoke("Reserved", {}, timeout=20)

            def fast_b():
                time.sleep(0.4)  # while SlowA holds the only unreserved slot
                t0 = time.monotonic()
                return server.invoke("FastB", {}), time.monotonic() - t0

            a, res, (b, b_elapsed) = parallel([slow_a, reserved, fast_b])
            self.assertEqual(a.status, 200, a)
            self.assertEqual(res.status, 200, "reserved capacity is kept for its function")
            self.assert_throttled(b, "ConcurrentInvocationLimitExceeded")
            self.assertLess(b_elapsed, 0.5)
            # Once the slots are free, everything runs again.
            r = server.invoke("FastB", {})
            self.assertEqual(r.status, 200, r)
            server.stop()


if __name__ == "__main__":
    unittest.main()
