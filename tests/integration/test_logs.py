"""Logs and accounting in SQLite: every worker line and the START/END/REPORT lines stored with
function, version, stream, request id and timestamps; one invocation record per call; the
CloudWatch Logs API; and `lambdad logs` from the database and from a running server."""

import json
import math
import signal
import subprocess
import time
import unittest

from harness import (REPORT_RE, ServerTestCase, bash_function, lambdad_bin, run_cli, wait_until)

LOGGING_HANDLER = r'''
echo "out one $rid"
echo "err one $rid" >&2
case "$event" in *fail*) post_error Logged.Failure "failed"; handled=1 ;; esac
echo "out two $rid"
'''


class LogStoreTest(ServerTestCase):
    @classmethod
    def functions(cls):
        return [
            bash_function("Logger", LOGGING_HANDLER, init='echo "init line from $$"',
                          MemorySize=512, AutoPublishAlias="live"),
            bash_function("Sleeper", "sleep 0.2"),
            bash_function("Other", 'echo "other $rid"'),
        ]

    def test_lines_are_stored_with_their_request(self):
        t0 = int(time.time() * 1000)
        r = self.server.invoke_ok(self, "Logger", {"n": 1})
        t1 = int(time.time() * 1000)
        rid = r.header("x-amzn-RequestId")
        lines = self.server.wait_log(rid, "REPORT ")
        self.assertEqual(lines[0], f"START RequestId: {rid} Version: $LATEST")
        self.assertIn(f"out one {rid}", lines)
        self.assertIn(f"err one {rid}", lines)
        self.assertIn(f"out two {rid}", lines)
        self.assertLess(lines.index(f"out one {rid}"), lines.index(f"out two {rid}"))
        self.assertEqual(lines[-2], f"END RequestId: {rid}")
        self.assertRegex(lines[-1], REPORT_RE)
        rows = self.server.sql("SELECT * FROM log_events WHERE request_id = ? ORDER BY id", [rid])
        streams = {row["log_stream"] for row in rows}
        self.assertEqual(len(streams), 1)
        self.assertRegex(streams.pop(), r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        for row in rows:
            self.assertEqual(row["function"], "Logger")
            self.assertEqual(row["version"], "$LATEST")
            self.assertGreaterEqual(row["timestamp_ms"], t0 - 5)
            self.assertLessEqual(row["timestamp_ms"], t1 + 5)
            self.assertGreaterEqual(row["ingestion_ms"], row["timestamp_ms"])
        stamps = [row["timestamp_ms"] for row in rows]
        self.assertEqual(stamps, sorted(stamps), "stored in time order")

    def test_init_lines_are_stored_for_the_function(self):
        self.server.invoke_ok(self, "Logger", {}, qualifier="live")
        rows = self.server.wait_sql(
            "SELECT * FROM log_events WHERE function = 'Logger' AND message LIKE 'init line %'",
            until=lambda rows: any(r["version"] == "1" for r in rows))
        for row in rows:
            self.assertEqual(row["request_id"], "", "init happens outside any request")

    def test_published_version_is_recorded(self):
        r = self.server.invoke_ok(self, "Logger", {}, qualifier="live")
        rid = r.header("x-amzn-RequestId")
        lines = self.server.wait_log(rid, "REPORT ")
        self.assertEqual(lines[0], f"START RequestId: {rid} Version: 1")
        rec = self.server.invocation(rid)
        self.assertEqual(rec["version"], "1")
        self.assertRegex(rec["log_stream"], r"^\d{4}/\d{2}/\d{2}/\[1\][0-9a-f]{32}$")

    def test_invocation_record(self):
        t0 = int(time.time() * 1000)
        r = self.server.invoke_ok(self, "Sleeper", {}, log_type="Tail")
        rid = r.header("x-amzn-RequestId")
        rec = self.server.invocation(rid)
        self.assertEqual(rec["function"], "Sleeper")
        self.assertEqual(rec["version"], "$LATEST")
        self.assertEqual(rec["invocation_type"], "RequestResponse")
        self.assertEqual(rec["outcome"], "success")
        self.assertEqual(rec["error_type"], "")
        self.assertEqual(rec["memory_size_mb"], 128)
        self.assertGreaterEqual(rec["start_ms"], t0 - 5)
        self.assertLessEqual(rec["start_ms"], int(time.time() * 1000))
        self.assertGreaterEqual(rec["duration_ms"], 200)
        self.assertEqual(rec["billed_ms"], math.ceil(round(rec["duration_ms"], 2)))
        self.assertGreaterEqual(rec["max_memory_used_mb"], 1, "Max Memory Used is measured")
        # The record and the REPORT line agree.
        report = REPORT_RE.match([l for l in r.log_tail().splitlines()
                                  if l.startswith("REPORT")][0])
        self.assertEqual(report["duration"], f"{rec['duration_ms']:.2f}")
        self.assertEqual(int(report["billed"]), rec["billed_ms"])
        self.assertEqual(int(report["used"]), rec["max_memory_used_mb"])
        self.assertEqual(rec["cold"], 1 if report["init"] else 0)
        if report["init"]:
            self.assertEqual(report["init"], f"{rec['init_duration_ms']:.2f}")
        self.assertEqual(rec["log_stream"], self.server.sql(
            "SELECT log_stream FROM log_events WHERE request_id = ? LIMIT 1", [rid])[0][0])

    def test_error_record(self):
        r = self.server.invoke("Logger", {"fail": 1})
        self.assert_function_error(r, "Logged.Failure")
        rid = r.header("x-amzn-RequestId")
        rec = self.server.invocation(rid)
        self.assertEqual((rec["outcome"], rec["error_type"]), ("error", "Logged.Failure"))
        self.assertEqual(rec["memory_size_mb"], 512)
        lines = self.server.wait_log(rid, "REPORT ")
        self.assertIn(f"out one {rid}", lines)
        self.assertNotIn(f"out two {rid}", lines)

    # -- CloudWatch Logs API --

    def logs_api(self, operation: str, body: dict):
        r = self.server.request("POST", "/", json.dumps(body), {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": f"Logs_20140328.{operation}"})
        return r

    def test_filter_log_events(self):
        marker = f"m{time.time_ns()}"
        r = self.server.invoke_ok(self, "Other", {"marker": marker})
        rid = r.header("x-amzn-RequestId")
        self.server.wait_log(rid, "REPORT ")
        res = self.logs_api("FilterLogEvents", {"logGroupName": "/aws/lambda/Other",
                                                "filterPattern": f'"other {rid}"'})
        self.assertEqual(res.status, 200, res)
        events = res.json()["events"]
        self.assertEqual([e["message"] for e in events], [f"other {rid}"])
        event = events[0]
        self.assertEqual(set(event) >= {"logStreamName", "timestamp", "message", "ingestionTime",
                                        "eventId"}, True, event)
        res = self.logs_api("FilterLogEvents", {"logGroupName": "/aws/lambda/Nope"})
        self.assertEqual(res.status, 400, res)
        self.assertIn("ResourceNotFoundException", res.json()["__type"])

    def test_describe_log_groups_and_streams(self):
        self.server.invoke_ok(self, "Other", {})
        groups = self.server.wait_sql("SELECT 1 FROM log_events WHERE function='Other'")
        self.assertTrue(groups)
        res = self.logs_api("DescribeLogGroups", {"logGroupNamePrefix": "/aws/lambda/"})
        self.assertEqual(res.status, 200, res)
        names = [g["logGroupName"] for g in res.json()["logGroups"]]
        self.assertIn("/aws/lambda/Other", names)
        res = self.logs_api("DescribeLogStreams", {"logGroupName": "/aws/lambda/Other"})
        self.assertEqual(res.status, 200, res)
        streams = [s["logStreamName"] for s in res.json()["logStreams"]]
        db_streams = [r["log_stream"] for r in self.server.sql(
            "SELECT DISTINCT log_stream FROM log_events WHERE function='Other'")]
        self.assertEqual(sorted(streams), sorted(db_streams))

    # -- lambdad logs --

    def test_logs_cli_from_the_database(self):
        r = self.server.invoke_ok(self, "Other", {})
        rid = r.header("x-amzn-RequestId")
        self.server.wait_log(rid, "REPORT ")
        proc = run_cli(["logs", "Other", "--state-dir", str(self.server.state_dir)])
        self.assertEqual(proc.returncode, 0, proc)
        lines = proc.stdout.splitlines()
        mine = [l for l in lines if rid in l]
        self.assertEqual(len(mine), 4, mine)  # START, the line, END, REPORT
        self.assertRegex(mine[1], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 "
                                  r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32} other ")
        # --filter keeps only the matching events.
        proc = run_cli(["logs", "Other", "--state-dir", str(self.server.state_dir),
                        "--filter", f'"other {rid}"'])
        self.assertEqual(proc.returncode, 0, proc)
        self.assertEqual(len(proc.stdout.splitlines()), 1, proc.stdout)
        self.assertTrue(proc.stdout.rstrip().endswith(f"other {rid}"))
        # --since in the future of every event: nothing.
        proc = run_cli(["logs", "Other", "--state-dir", str(self.server.state_dir),
                        "--since", "2999-01-01T00:00:00Z"])
        self.assertEqual((proc.returncode, proc.stdout), (0, ""))
        # An unknown function is an error that names the ones with logs.
        proc = run_cli(["logs", "Nobody", "--state-dir", str(self.server.state_dir)])
        self.assertEqual(proc.returncode, 1, proc)
        self.assertIn("Other", proc.stderr)

    def test_logs_cli_from_the_endpoint(self):
        r = self.server.invoke_ok(self, "Other", {})
        rid = r.header("x-amzn-RequestId")
        self.server.wait_log(rid, "REPORT ")
        proc = run_cli(["logs", "Other", "--endpoint", self.server.lambda_url, "--filter",
                        f'"{rid}"', "--since", "10m"])
        self.assertEqual(proc.returncode, 0, proc)
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 4, lines)
        self.assertIn(f"START RequestId: {rid}", lines[0])
        self.assertIn(f"REPORT RequestId: {rid}", lines[-1])
        proc = run_cli(["logs", "Nobody", "--endpoint", self.server.lambda_url])
        self.assertNotEqual(proc.returncode, 0, proc)

    def test_logs_cli_follow(self):
        proc = subprocess.Popen([lambdad_bin(), "logs", "Other", "--state-dir",
                                 str(self.server.state_dir), "--follow", "--since", "1s"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.7)
            r = self.server.invoke_ok(self, "Other", {})
            rid = r.header("x-amzn-RequestId")
            self.server.wait_log(rid, "REPORT ")
            time.sleep(1.5)  # the follower polls every 0.5 s
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn(f"other {rid}", out)
        self.assertIn(f"REPORT RequestId: {rid}", out)


if __name__ == "__main__":
    unittest.main()
