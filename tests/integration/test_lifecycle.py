"""Server and worker lifecycle: provisioned concurrency, idle reaping, SIGTERM/SIGINT drain with no
process left, broken templates, and `lambdad invoke` (one-shot and --endpoint)."""

import json
import os
import signal
import socket
import textwrap
import threading
import time
import unittest
from pathlib import Path

from harness import (REPORT_RE, Server, bash_function, cpp_function, function_arn, lambdad_bin,
                     metric, pid_alive, processes_under, run_cli, template_text, wait_until,
                     write_functions)

PID_HANDLER = r'''
pid_ref > "$OUT_DIR/pid.$rid"
env > "$OUT_DIR/env.$rid"
echo "handled by $$"
'''


def report_of(test, r):
    lines = [l for l in r.log_tail().splitlines() if l.startswith("REPORT ")]
    test.assertEqual(len(lines), 1, r.log_tail())
    m = REPORT_RE.match(lines[0])
    test.assertIsNotNone(m, lines[0])
    return m


def env_of(server, r) -> dict:
    text = server.out_file(f"env.{r.header('x-amzn-RequestId')}")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


class ProvisionedConcurrencyTest(unittest.TestCase):
    def test_provisioned_worker_is_ready_before_the_first_call(self):
        functions = [bash_function("Prov", PID_HANDLER,
                                   init='touch "$OUT_DIR/init.$AWS_LAMBDA_INITIALIZATION_TYPE.$(pid_ref)"',
                                   AutoPublishAlias="live",
                                   ProvisionedConcurrencyConfig={
                                       "ProvisionedConcurrentExecutions": 1})]
        with Server(functions, args=["--idle-timeout", "1"]) as server:
            # The worker starts with the server, before any call, for version 1 only.
            wait_until(lambda: metric(server.metrics(), "lambdad_workers_idle",
                                      function="Prov", version="1") == 1, 10,
                       message="one idle provisioned worker")
            self.assertIn(metric(server.metrics(), "lambdad_workers", function="Prov",
                                 version="$LATEST"), (None, 0.0))

            def provisioned_pids():
                return {p.name.rsplit(".", 1)[1]
                        for p in server.out_dir.glob("init.provisioned-concurrency.*")}

            init_pids = [str(p) for p in provisioned_pids()]
            self.assertEqual(len(init_pids), 1)
            self.assertEqual(list(server.out_dir.glob("init.on-demand.*")), [])

            r = server.invoke_ok(self, "Prov", {"x": 1}, qualifier="live", log_type="Tail")
            self.assertEqual(r.header("X-Amz-Executed-Version"), "1")
            self.assertIsNone(report_of(self, r)["init"], "no Init Duration on a provisioned call")
            rec = server.invocation(r.header("x-amzn-RequestId"))
            self.assertEqual(rec["cold"], 0)
            self.assertEqual(rec["version"], "1")
            env = env_of(server, r)
            self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "provisioned-concurrency")
            self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "1")
            self.assertEqual(server.out_file(f"pid.{r.header('x-amzn-RequestId')}").strip(),
                             init_pids[0], "the call ran in the pre-started worker")

            # $LATEST is on demand: cold, with Init Duration.
            r2 = server.invoke_ok(self, "Prov", {}, log_type="Tail")
            self.assertEqual(r2.header("X-Amz-Executed-Version"), "$LATEST")
            self.assertIsNotNone(report_of(self, r2)["init"])
            self.assertEqual(env_of(server, r2)["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")

            # The version number reaches the same provisioned pool.
            r3 = server.invoke_ok(self, "Prov", {}, qualifier="1", log_type="Tail")
            self.assertIsNone(report_of(self, r3)["init"])

            # Idle reaping (1 s) leaves the provisioned worker alone...
            prov_pid = init_pids[0]
            time.sleep(2.5)
            self.assertTrue(server.ref_alive(prov_pid), "the provisioned worker is kept")
            # ...and a provisioned worker that dies is replaced (after a short back-off).
            os.kill(server.pid_of(prov_pid), signal.SIGKILL)
            wait_until(lambda: not server.ref_alive(prov_pid), 5, message="the killed worker to go")
            replacement = wait_until(lambda: provisioned_pids() - {prov_pid}, 10,
                                     message="a replacement provisioned worker")
            self.assertEqual(len(replacement), 1)
            wait_until(lambda: metric(server.metrics(), "lambdad_workers_idle",
                                      function="Prov", version="1") == 1, 10,
                       message="the replacement to be idle")
            r4 = server.invoke_ok(self, "Prov", {}, qualifier="live", log_type="Tail")
            self.assertIsNone(report_of(self, r4)["init"])
            self.assertEqual(server.out_file(f"pid.{r4.header('x-amzn-RequestId')}").strip(),
                             replacement.pop())
            server.stop()


class IdleReapingTest(unittest.TestCase):
    def test_idle_worker_is_reaped_and_the_next_call_is_cold(self):
        with Server([bash_function("F", PID_HANDLER)], args=["--idle-timeout", "1"]) as server:
            r1 = server.invoke_ok(self, "F", {}, log_type="Tail")
            self.assertIsNotNone(report_of(self, r1)["init"])
            pid1 = server.out_file(f"pid.{r1.header('x-amzn-RequestId')}").strip()
            # Still warm right away.
            r2 = server.invoke_ok(self, "F", {}, log_type="Tail")
            self.assertIsNone(report_of(self, r2)["init"])
            self.assertEqual(server.out_file(f"pid.{r2.header('x-amzn-RequestId')}").strip(), pid1)
            # Reaped after about a second of idleness.
            wait_until(lambda: not server.ref_alive(pid1), 5, message=f"idle worker {pid1} reaped")
            self.assertEqual(server.workers(), {})
            r3 = server.invoke_ok(self, "F", {}, log_type="Tail")
            self.assertIsNotNone(report_of(self, r3)["init"], "cold again after reaping")
            self.assertNotEqual(server.out_file(f"pid.{r3.header('x-amzn-RequestId')}").strip(),
                                pid1)
            recs = [server.invocation(r.header("x-amzn-RequestId")) for r in (r1, r2, r3)]
            self.assertEqual([x["cold"] for x in recs], [1, 0, 1])
            self.assertNotEqual(recs[0]["log_stream"], recs[2]["log_stream"])
            server.stop()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_lets_an_in_flight_call_finish(self):
        functions = [
            bash_function("Slow", r'''
                touch "$OUT_DIR/started.$rid"
                sleep 1.5
                response="{\"finished\":true}"
                ''', Timeout=10),
            cpp_function("Warm"),
        ]
        server = Server(functions)
        try:
            server.start()
            server.invoke_ok(self, "Warm", {})  # leave an idle warm worker around too
            result = {}

            def call():
                result["r"] = server.invoke("Slow", {}, timeout=20)

            t = threading.Thread(target=call)
            t.start()
            wait_until(lambda: list(server.out_dir.glob("started.*")), 5,
                       message="the slow call to start")
            server.send_signal(signal.SIGTERM)

            # New connections are refused soon after the signal.
            def refused():
                try:
                    socket.create_connection((server.host, server.lambda_port), timeout=1).close()
                    return False
                except OSError:
                    return True

            wait_until(refused, 1.0, message="the Lambda port to stop accepting")
            t.join(20)
            r = result["r"]
            self.assertEqual(r.status, 200, r)
            self.assertIsNone(r.header("X-Amz-Function-Error"), r)
            self.assertEqual(r.json(), {"finished": True})
            self.assertEqual(server.wait_exit(15), 0, server.stderr()[-2000:])
            server.assert_no_workers()
            # What was logged before the exit is in the database.
            rid = r.header("x-amzn-RequestId")
            self.assertEqual(server.sql("SELECT outcome FROM invocations WHERE request_id=?",
                                        [rid])[0]["outcome"], "success")
        finally:
            server.cleanup()

    def test_sigterm_kills_workers_that_ignore_it(self):
        functions = [bash_function("Stubborn", 'echo "stubborn"', init=r'''
            trap '' TERM
            sleep 300 &
            pid_ref $! > "$OUT_DIR/child"
            ''')]
        server = Server(functions)
        try:
            server.start()
            server.invoke_ok(self, "Stubborn", {})
            child = server.out_file("child")
            self.assertTrue(server.ref_alive(child))
            t0 = time.monotonic()
            server.stop()
            self.assertLess(time.monotonic() - t0, 5)
            self.assertFalse(server.ref_alive(child), "the worker's whole process group is gone")
        finally:
            server.cleanup()

    def test_sigint_stops_cleanly(self):
        with Server([bash_function("F", "")]) as server:
            server.invoke_ok(self, "F", {})
            server.stop(sig=signal.SIGINT)

    def test_sigterm_with_a_call_past_the_grace(self):
        """A call still running when --shutdown-grace ends is cut off, answered, and the server
        still exits 0 with no process left."""
        functions = [bash_function("Forever", r'''
            touch "$OUT_DIR/started.$rid"
            sleep 30
            ''', Timeout=20)]
        server = Server(functions, shutdown_grace=1)
        try:
            server.start()
            result = {}

            def call():
                try:
                    result["r"] = server.invoke("Forever", {}, timeout=20)
                except Exception as e:  # reported below
                    result["e"] = e

            t = threading.Thread(target=call)
            t.start()
            wait_until(lambda: list(server.out_dir.glob("started.*")), 5,
                       message="the call to start")
            t0 = time.monotonic()
            server.send_signal(signal.SIGTERM)
            self.assertEqual(server.wait_exit(10), 0, server.stderr()[-2000:])
            self.assertLess(time.monotonic() - t0, 8)
            server.assert_no_workers()
            t.join(10)
            self.assertNotIn("e", result, f"the cut-off call got no answer: {result.get('e')!r}")
            r = result["r"]
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", r)
        finally:
            server.cleanup()

    def test_no_process_left_after_faults_and_provisioning(self):
        functions = [
            bash_function("P", "", AutoPublishAlias="live",
                          ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 2}),
            bash_function("Busy", "sleep 0.3"),
            bash_function("Crash", "exit 4"),
        ]
        with Server(functions) as server:
            wait_until(lambda: metric(server.metrics(), "lambdad_workers_idle", function="P",
                                      version="1") == 2, 10, message="2 provisioned workers")
            from harness import parallel
            results = parallel([lambda: server.invoke("Busy", {})] * 3 +
                               [lambda: server.invoke("Crash", {})])
            self.assertEqual([r.status for r in results], [200] * 4)
            self.assertGreaterEqual(len(server.workers()), 5)
            server.stop()


class BrokenTemplateTest(unittest.TestCase):
    def serve_broken(self, text: str, name: str = "template.yaml"):
        server = Server(template=textwrap.dedent(text))
        try:
            if name != "template.yaml":
                server.template_path.rename(server.root / name)
                server.template_path = server.root / name
            (server.root / "code").mkdir()
            proc = run_cli(["serve", str(server.template_path), "--api-port", "0",
                            "--lambda-port", "0", "--state-dir", str(server.state_dir)],
                           timeout=10)
            self.assertNotEqual(proc.returncode, 0, proc)
            self.assertNotIn("listening", proc.stdout)
            validate = run_cli(["validate", str(server.template_path)], timeout=10)
            self.assertNotEqual(validate.returncode, 0, validate)
            return proc, validate, str(server.template_path)
        finally:
            server.cleanup()

    def test_unknown_property_is_named_with_its_line(self):
        proc, validate, path = self.serve_broken("""\
            AWSTemplateFormatVersion: '2010-09-09'
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: code/
                  Handler: x
                  Runtime: provided.al2023
                  Frobnicate: 3
            """)
        self.assertIn(f"{path}:10:", proc.stderr)
        self.assertIn("Frobnicate", proc.stderr)
        self.assertIn(f"{path}:10:", validate.stderr + validate.stdout)

    def test_yaml_syntax_error_has_a_line(self):
        proc, _, path = self.serve_broken("""\
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties: [unclosed
            """)
        self.assertRegex(proc.stderr, rf"{path}:[45]:")

    def test_bad_values_are_all_reported(self):
        proc, _, path = self.serve_broken("""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: nothere/
                  Runtime: provided.al2023
                  Handler: x
                  Timeout: lots
            """)
        self.assertIn(f"{path}:6:", proc.stderr)
        self.assertIn("nothere", proc.stderr)
        self.assertIn(f"{path}:9:", proc.stderr)
        self.assertIn("Timeout", proc.stderr)

    def test_missing_template(self):
        proc = run_cli(["serve", "/nonexistent/folder", "--api-port", "0", "--lambda-port", "0"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("/nonexistent/folder", proc.stderr)

    def test_valid_template_validates(self):
        server = Server([bash_function("F", "")])
        try:
            proc = run_cli(["validate", str(server.template_path)])
            self.assertEqual(proc.returncode, 0, proc)
        finally:
            server.cleanup()


class InvokeCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server([
            bash_function("Echo", 'echo "cli log line $rid"'),
            bash_function("Fails", 'post_error Cli.Failure "failed on purpose"; handled=1'),
        ])

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def one_shot(self, *args, **kwargs):
        return run_cli(["invoke", *args, "--template", str(self.server.root),
                        "--state-dir", str(self.server.state_dir)], **kwargs)

    def test_one_shot(self):
        proc = self.one_shot("Echo", "--event", '{"k":"v"}')
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(json.loads(proc.stdout), {"k": "v"})
        self.assertEqual(processes_under(self.server.root), {}, "the one-shot worker is gone")
        rows = self.server.sql("SELECT outcome FROM invocations WHERE function='Echo'")
        self.assertEqual([r["outcome"] for r in rows][-1:], ["success"])

    def test_one_shot_with_tail(self):
        proc = self.one_shot("Echo", "--log-type", "Tail")
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn("START RequestId:", proc.stderr)
        self.assertIn("cli log line", proc.stderr)
        self.assertRegex(proc.stderr, r"REPORT RequestId: [0-9a-f-]{36}\tDuration: ")

    def test_one_shot_function_error_exits_1(self):
        proc = self.one_shot("Fails")
        self.assertEqual(proc.returncode, 1, proc)
        self.assertEqual(json.loads(proc.stdout)["errorType"], "Cli.Failure")

    def test_one_shot_unknown_function(self):
        proc = self.one_shot("Nope")
        self.assertNotEqual(proc.returncode, 0, proc)
        self.assertIn("ResourceNotFoundException", proc.stderr)

    def test_one_shot_bad_event(self):
        proc = self.one_shot("Echo", "--event", "{nope")
        self.assertEqual(proc.returncode, 2, proc)

    def test_against_a_running_server(self):
        server = Server([bash_function("Remote", 'echo "remote $rid"')]).start()
        try:
            proc = run_cli(["invoke", "Remote", "--endpoint", server.lambda_url, "--event",
                            '{"r":1}', "--log-type", "Tail"])
            self.assertEqual(proc.returncode, 0, proc)
            self.assertEqual(json.loads(proc.stdout), {"r": 1})
            self.assertIn("remote ", proc.stderr)
            proc = run_cli(["invoke", "Remote", "--endpoint", server.lambda_url,
                            "--invocation-type", "Event"])
            self.assertEqual(proc.returncode, 0, proc)
            self.assertTrue(proc.stdout.startswith("202 "), proc.stdout)
            rid = proc.stdout.split()[1]
            server.wait_log(rid, "REPORT ", timeout=10)
            proc = run_cli(["invoke", "Missing", "--endpoint", server.lambda_url])
            self.assertEqual(proc.returncode, 1, proc)
            self.assertIn("ResourceNotFoundException", proc.stderr)
            server.stop()
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
