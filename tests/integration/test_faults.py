"""Misbehaving workers: each fault gets AWS's error shape, the faulty worker is gone, and the server
keeps serving other functions (and the same one) afterwards."""

import threading
import os
import time
import unittest

from harness import (REPORT_RE, Function, ServerTestCase, bash_function, cpp_function, pid_alive,
                     rss_kb, script_function, wait_until)

FLOOD_LINES = 200_000

NO_CORE = "ulimit -c 0"


class FaultTest(ServerTestCase):
    init_timeout = 2

    @classmethod
    def functions(cls):
        return [
            cpp_function("Good"),
            bash_function("GoodBash", 'echo "good $rid"'),
            # Dies before asking for its first event.
            script_function("ExitsDuringInit", """\
                #!/bin/bash
                echo "init: giving up"
                exit 3
                """),
            # Reports an init error through the Runtime API, then exits.
            bash_function("InitError", init='''
                echo "init: cannot load config"
                post_init_error Custom.ConfigMissing "could not load config"
                exit 1
                '''),
            # Sleeps past its 1 s timeout, with a child process in its group.
            bash_function("Hangs", r'''
                pid_ref > "$OUT_DIR/pid.$rid"
                sleep 60 &
                pid_ref $! > "$OUT_DIR/child.$rid"
                echo "hanging"
                wait
                ''', Timeout=1),
            # Crashes mid-invocation when asked to, else answers.
            bash_function("Crashes", r'''
                pid_ref > "$OUT_DIR/pid.$rid"
                case "$event" in
                  *segv*) echo "about to segfault"; ulimit -c 0; kill -SEGV $$ ;;
                  *exit*) echo "about to exit"; exit 3 ;;
                  *kill*) kill -KILL $$ ;;
                esac
                '''),
            # Never calls /next.
            script_function("NeverNext", """\
                #!/bin/bash
                echo "${AWS_LAMBDA_LOG_STREAM_NAME##*]}-$$" > "$OUT_DIR/nevernext.pid"
                echo "initialising forever"
                sleep 60
                """, Timeout=1),
            # Posts a 7 MB response when asked to (with Content-Length, or chunked).
            bash_function("BigResponse", r'''
                case "$event" in
                  *big*)
                    mode=(); [[ "$event" == *chunked* ]] && mode=(-H 'Transfer-Encoding: chunked')
                    { printf '"'; head -c 7340032 /dev/zero | tr '\0' a; printf '"'; } |
                      curl -sS -o "$OUT_DIR/big.$rid.body" -w '%{http_code}' -X POST \
                        "$api/invocation/$rid/response" -H 'Expect:' "${mode[@]}" \
                        --data-binary @- > "$OUT_DIR/big.$rid.status"
                    handled=1 ;;
                esac
                '''),
            # Writes 200k lines to stdout as fast as it can.
            bash_function("Flood", f'''
                seq -f 'flood line %.0f' 1 {FLOOD_LINES}
                echo "flood done" >&2
                ''', Timeout=25),
            # Answers other request ids than its own, and answers before it has an invocation.
            bash_function("WrongId", r'''
                other=00000000-0000-0000-0000-000000000000
                code=$(curl -sS -o "$OUT_DIR/wrong.$rid.body" -w '%{http_code}' -X POST \
                  "$api/invocation/$other/response" -H 'Expect:' --data-binary '"not mine"')
                code_err=$(curl -sS -o /dev/null -w '%{http_code}' -X POST \
                  "$api/invocation/$other/error" -H 'Expect:' --data-binary '{}')
                post_response "{\"wrong_status\":$code,\"wrong_error_status\":$code_err,\"wrong_body\":$(cat "$OUT_DIR/wrong.$rid.body")}"
                # The call is answered now: answering it again is a state error.
                curl -sS -o "$OUT_DIR/again.$rid.body" -w '%{http_code}' -X POST \
                  "$api/invocation/$rid/response" -H 'Expect:' --data-binary '"twice"' \
                  > "$OUT_DIR/again.$rid.status"
                handled=1
                ''', init=r'''
                curl -sS -o "$OUT_DIR/early.body" -w '%{http_code}' -X POST \
                  "$api/invocation/11111111-1111-1111-1111-111111111111/response" -H 'Expect:' \
                  --data-binary '"early"' > "$OUT_DIR/early.status"
                '''),
            Function("MissingBootstrap"),
            script_function("NotExecutable", """\
                #!/bin/bash
                echo never runs
                """, executable=False),
            script_function("BadInterpreter", """\
                #!/nonexistent/interpreter
                echo never runs
                """),
        ]

    # -- helpers --

    def assert_serving(self, also: str | None = None, payload=b"{}"):
        """The server still answers other functions (and `also`, when given)."""
        r = self.server.invoke_ok(self, "Good", {"after": "fault"})
        self.assertEqual(r.json()["input"], {"after": "fault"})
        self.server.invoke_ok(self, "GoodBash", {"after": "fault"})
        self.assertTrue(self.server.running(), "lambdad is still running")
        if also:
            return self.server.invoke_ok(self, also, payload, log_type="Tail")
        return None

    def report(self, r):
        lines = [l for l in r.log_tail().splitlines() if l.startswith("REPORT ")]
        self.assertEqual(len(lines), 1, r.log_tail())
        m = REPORT_RE.match(lines[0])
        self.assertIsNotNone(m, lines[0])
        return m

    def assert_error_record(self, r, outcome: str, error_type: str):
        rec = self.server.invocation(r.header("x-amzn-RequestId"))
        self.assertEqual(rec["outcome"], outcome, dict(rec))
        self.assertEqual(rec["error_type"], error_type, dict(rec))
        return rec

    # -- init faults --

    def test_exit_during_init(self):
        for attempt in range(2):  # every call gets a fresh worker that fails the same way
            r = self.server.invoke("ExitsDuringInit", {}, log_type="Tail")
            rid = r.header("x-amzn-RequestId")
            body = self.assert_function_error(r, "Runtime.ExitError")
            self.assertEqual(body["errorMessage"],
                             f"RequestId: {rid} Error: Runtime exited with error: exit status 3")
            self.server.wait_log(rid, "REPORT ")
            init_lines = [m["message"] for m in self.server.sql(
                "SELECT message FROM log_events WHERE function = 'ExitsDuringInit'")]
            self.assertIn("init: giving up", init_lines)
            self.assert_error_record(r, "crash", "Runtime.ExitError")
        self.assert_serving()

    def test_init_error(self):
        for attempt in range(2):
            r = self.server.invoke("InitError", {"x": 1}, log_type="Tail")
            body = self.assert_function_error(r, "Custom.ConfigMissing")
            self.assertEqual(body["errorMessage"], "could not load config")
            tail = r.log_tail()
            self.assertIn("INIT_REPORT Init Duration: ", tail)
            self.assertIn("Status: error", tail)
            self.assertIsNotNone(self.report(r)["init"], "the failed init is reported")
            rec = self.assert_error_record(r, "error", "Custom.ConfigMissing")
            self.assertEqual(rec["cold"], 1)
        self.assert_serving()
        wait_until(lambda: not any("InitError" in d for d in self.server.workers().values()), 3,
                   message="the failed InitError worker to be gone")

    def test_never_calls_next(self):
        start = time.monotonic()
        r = self.server.invoke("NeverNext", {}, timeout=20)
        elapsed = time.monotonic() - start
        body = self.assert_function_error(r, "Sandbox.Timedout")
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Task timed out after 1.00 seconds")
        # Bounded by --init-timeout 2 plus Timeout 1 (and some slack), not by the sleep 60.
        self.assertLess(elapsed, 8, "the wait for init is bounded")
        self.assertGreaterEqual(elapsed, 0.9)
        pid = self.server.out_file("nevernext.pid")
        wait_until(lambda: not self.server.ref_alive(pid), 3, message=f"worker {pid} to be killed")
        self.assert_error_record(r, "timeout", "Sandbox.Timedout")
        self.assert_serving()

    # -- invocation faults --

    def test_timeout_kills_the_worker_and_its_children(self):
        done = {}

        def hang():
            t0 = time.monotonic()
            done["r"] = self.server.invoke("Hangs", {}, log_type="Tail", timeout=20)
            done["elapsed"] = time.monotonic() - t0

        t = threading.Thread(target=hang)
        t.start()
        # While one worker hangs, the others keep answering promptly.
        time.sleep(0.2)
        t0 = time.monotonic()
        self.server.invoke_ok(self, "Good", {})
        self.assertLess(time.monotonic() - t0, 0.9, "Good was not held up by the hanging call")
        t.join(20)
        r = done["r"]
        rid = r.header("x-amzn-RequestId")
        body = self.assert_function_error(r, "Sandbox.Timedout")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Task timed out after 1.00 seconds")
        self.assertGreaterEqual(done["elapsed"], 1.0)
        self.assertLess(done["elapsed"], 5.0)
        tail = r.log_tail()
        self.assertRegex(tail, rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z {rid} "
                               r"Task timed out after 1\.00 seconds")
        self.assertIn(f"END RequestId: {rid}", tail)
        self.report(r)
        pid = self.server.out_file(f"pid.{rid}")
        child = self.server.out_file(f"child.{rid}")
        wait_until(lambda: not self.server.ref_alive(pid) and not self.server.ref_alive(child), 3,
                   message="the timed-out worker and its child to be killed")
        self.assert_error_record(r, "timeout", "Sandbox.Timedout")
        # The next call needs a fresh worker: it is cold again, and times out the same way.
        r2 = self.server.invoke("Hangs", {}, log_type="Tail", timeout=20)
        self.assert_function_error(r2, "Sandbox.Timedout")
        self.assertIsNotNone(self.report(r2)["init"], "a fresh (cold) worker after a timeout")
        self.assert_serving()

    def test_crash_mid_invocation(self):
        cases = [("segv", "signal: segmentation fault"), ("exit", "exit status 3"),
                 ("kill", "signal: killed")]
        for word, reason in cases:
            with self.subTest(crash=word):
                r = self.server.invoke("Crashes", {"do": word}, log_type="Tail")
                rid = r.header("x-amzn-RequestId")
                body = self.assert_function_error(r, "Runtime.ExitError")
                self.assertEqual(body["errorMessage"],
                                 f"RequestId: {rid} Error: Runtime exited with error: {reason}")
                self.assertIn(f"END RequestId: {rid}", r.log_tail())
                self.report(r)
                self.assert_error_record(r, "crash", "Runtime.ExitError")
                pid = self.server.out_file(f"pid.{rid}")
                self.assertFalse(self.server.ref_alive(pid))
                # The same function answers again, from a fresh (cold) worker.
                ok = self.assert_serving("Crashes", {"do": "nothing"})
                self.assertEqual(ok.json(), {"do": "nothing"})
                self.assertIsNotNone(self.report(ok)["init"], "a fresh worker after a crash")

    def check_response_too_large(self, mode: str):
        r = self.server.invoke("BigResponse", {"mode": mode}, timeout=20)
        rid = r.header("x-amzn-RequestId")
        body = self.assert_function_error(r, "Function.ResponseSizeTooLarge")
        self.assertEqual(
            body["errorMessage"],
            "Response payload size exceeded maximum allowed payload size (6291556 bytes).")
        self.assertLess(len(r.body), 1000)
        # The runtime was told with the Runtime API's own 413.
        self.assertEqual(self.server.out_file(f"big.{rid}.status"), "413")
        runtime_body = self.server.out_file(f"big.{rid}.body")
        self.assertIn("RequestEntityTooLarge", runtime_body)
        self.assert_error_record(r, "error", "Function.ResponseSizeTooLarge")
        ok = self.assert_serving("BigResponse", {"mode": "small"})
        self.assertEqual(ok.json(), {"mode": "small"})

    def test_response_too_large_with_content_length(self):
        self.check_response_too_large("big")

    def test_response_too_large_chunked(self):
        self.check_response_too_large("big chunked")

    def test_flood_of_output(self):
        before = rss_kb(self.server.pid, "VmRSS")
        t0 = time.monotonic()
        r = self.server.invoke("Flood", {}, log_type="Tail", timeout=30)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        rid = r.header("x-amzn-RequestId")
        tail = r.log_tail()
        self.assertLessEqual(len(tail.encode()), 4096)
        # stdout and stderr are separate pipes, so "flood done" (stderr) may be stored before the
        # last stdout lines and fall out of the 4 KB tail; the last stdout line is always in it.
        self.assertIn(f"flood line {FLOOD_LINES}", tail)
        self.report(r)
        self.assertLess(time.monotonic() - t0, 25)
        # Every line is stored, with the call's request id, in order.
        rows = self.server.wait_sql(
            "SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM log_events "
            "WHERE request_id = ? AND message LIKE 'flood line %'", [rid],
            until=lambda rows: rows[0]["n"] >= FLOOD_LINES, timeout=20,
            message=f"{FLOOD_LINES} flood lines stored")
        self.assertEqual(rows[0]["n"], FLOOD_LINES)
        first_last = self.server.sql(
            "SELECT message FROM log_events WHERE id IN (?, ?) ORDER BY id",
            [rows[0]["lo"], rows[0]["hi"]])
        self.assertEqual([x["message"] for x in first_last],
                         ["flood line 1", f"flood line {FLOOD_LINES}"])
        distinct = self.server.sql(
            "SELECT count(DISTINCT message) AS n FROM log_events "
            "WHERE request_id = ? AND message LIKE 'flood line %'", [rid])
        self.assertEqual(distinct[0]["n"], FLOOD_LINES, "no line lost or duplicated")
        lines = self.server.wait_log(rid, "REPORT ")
        self.assertIn("flood done", lines)
        # Memory stays bounded while the lines are buffered and written. Under AddressSanitizer
        # (scripts/test.sh sets ASAN_OPTIONS) its quarantine and redzones multiply every
        # allocation, so the bound there is on the growth, and looser.
        peak = rss_kb(self.server.pid, "VmHWM")
        if os.environ.get("ASAN_OPTIONS"):
            self.assertLess(peak - before, 600 * 1024,
                            f"lambdad peak RSS {peak} kB (was {before} kB before)")
        else:
            self.assertLess(peak, 200 * 1024, f"lambdad peak RSS {peak} kB (was {before} kB before)")
        self.assert_serving("Flood")

    def test_answering_another_request_id(self):
        r = self.server.invoke_ok(self, "WrongId", {})
        rid = r.header("x-amzn-RequestId")
        body = r.json()
        self.assertEqual(body["wrong_status"], 400)
        self.assertEqual(body["wrong_error_status"], 400)
        self.assertEqual(body["wrong_body"]["errorType"], "InvalidRequestID")
        # Posting before having an invocation is a state error.
        self.assertEqual(self.server.out_file("early.status"), "403")
        self.assertIn("InvalidStateTransition", self.server.out_file("early.body"))
        # Answering the same call twice too.
        self.assertEqual(self.server.out_file(f"again.{rid}.status"), "403")
        self.assertIn("InvalidStateTransition", self.server.out_file(f"again.{rid}.body"))
        self.assertEqual(self.server.invocation(rid)["outcome"], "success")
        self.assert_serving("WrongId")

    def test_missing_bootstrap(self):
        self.check_invalid_entrypoint("MissingBootstrap")

    def test_bootstrap_not_executable(self):
        self.check_invalid_entrypoint("NotExecutable")

    def test_bootstrap_with_missing_interpreter(self):
        self.check_invalid_entrypoint("BadInterpreter")

    def check_invalid_entrypoint(self, name):
        for attempt in range(2):
            r = self.server.invoke(name, {}, log_type="Tail")
            body = self.assert_function_error(r, "Runtime.InvalidEntrypoint")
            self.assertIn(f"RequestId: {r.header('x-amzn-RequestId')} Error: ",
                          body["errorMessage"])
            self.assertIn("bootstrap", body["errorMessage"])
            self.report(r)
            self.assert_error_record(r, "error", "Runtime.InvalidEntrypoint")
        self.assert_serving()


if __name__ == "__main__":
    unittest.main()
