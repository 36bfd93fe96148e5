"""A template's schedules through the real binary: `lambdad schedules` lists them with their next
fires (as of --now), `validate` reports a bad expression, time zone or date with its line, and
`serve` fires them into the durable async queue: a Scheduler schedule without StartDate at once,
an at() at its time, and after a restart not again before its next time."""

import re
import shutil
import tempfile
import textwrap
import unittest
from pathlib import Path

import json
import time
from datetime import datetime, timedelta, timezone

from harness import Server, bash_function, run_cli, wait_until

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Nightly:
          Type: Schedule
          Properties:
            Schedule: cron(0 3 * * ? *)
            Input: '{"job": "sweep"}'
        Morning:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: cron(30 8 ? * MON-FRI *)
            ScheduleExpressionTimezone: America/New_York
        Off:
          Type: Schedule
          Properties:
            Schedule: rate(5 minutes)
            Name: paused
            Enabled: false
  Monthly:
    Type: AWS::Scheduler::Schedule
    Properties:
      ScheduleExpression: cron(0 12 L * ? *)
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Worker.Arn
        RoleArn: arn:aws:iam::123456789012:role/scheduler
"""

APP = """\
def handler(event, context):
    return {"got": event}
"""


class SchedulesTest(unittest.TestCase):
    def project(self, template: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="lambdad-schedules-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        (folder / "fn").mkdir()
        (folder / "fn" / "app.py").write_text(APP)
        (folder / "template.yaml").write_text(template)
        return folder

    def test_schedules_lists_next_fires(self):
        folder = self.project(TEMPLATE)
        # 2026-12-07 is a Monday; 08:30 in New York is 13:30 UTC in December.
        r = run_cli(["schedules", str(folder), "--now", "2026-12-07T12:00:00Z"])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["NAME", "TARGET", "EXPRESSION", "TIMEZONE", "NEXT", "FIRE"])
        rows = {line.split()[0]: line for line in lines[1:]}
        self.assertEqual(len(rows), 4, r.stdout)
        nightly = next(row for name, row in rows.items() if name.startswith("local-WorkerNightly-"))
        self.assertRegex(nightly, r"Worker\s+cron\(0 3 \* \* \? \*\)\s+UTC\s+2026-12-08T03:00:00Z$")
        self.assertRegex(rows["WorkerMorning"],
                         re.escape("America/New_York  2026-12-07T13:30:00Z (2026-12-07T08:30:00 local)"))
        self.assertTrue(rows["paused"].endswith("disabled"), rows["paused"])
        monthly = next(row for name, row in rows.items() if name.startswith("local-Monthly-"))
        self.assertTrue(monthly.endswith("2026-12-31T12:00:00Z"), monthly)

    def test_schedules_usage_and_empty_template(self):
        folder = self.project(textwrap.dedent("""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Worker:
                Type: AWS::Serverless::Function
                Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.12}
            """))
        r = run_cli(["schedules", str(folder)])
        self.assertEqual((r.returncode, r.stdout), (0, "No schedules.\n"), r.stderr)
        r = run_cli(["schedules", str(folder), "--now", "soon"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--now: 'soon' is not a date and time", r.stderr)

    def test_validate_reports_bad_schedules_with_their_lines(self):
        folder = self.project(textwrap.dedent("""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Worker:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: fn/
                  Handler: app.handler
                  Runtime: python3.12
                  Events:
                    Both:
                      Type: Schedule
                      Properties: {Schedule: "cron(0 12 * * * *)"}
                    Zone:
                      Type: ScheduleV2
                      Properties:
                        ScheduleExpression: rate(1 day)
                        ScheduleExpressionTimezone: Europe/Atlantis
                        StartDate: "2027-01-02T00:00:00Z"
                        EndDate: "2027-01-01T00:00:00Z"
            """))
        for command in ("validate", "schedules"):
            r = run_cli([command, str(folder)])
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("template.yaml:12: error: function 'Worker': event 'Both': Schedule "
                          "'cron(0 12 * * * *)': cron(): exactly one of day-of-month and "
                          "day-of-week must be '?'", r.stderr)
            self.assertIn("template.yaml:17: error: function 'Worker': event 'Zone': "
                          "ScheduleExpressionTimezone: unknown time zone 'Europe/Atlantis'", r.stderr)
            self.assertIn("template.yaml:19: error: function 'Worker': event 'Zone': EndDate "
                          "(2027-01-01T00:00:00Z) must be after StartDate (2027-01-02T00:00:00Z)",
                          r.stderr)

    def test_serve_loads_a_template_with_schedules(self):
        server = Server(template=TEMPLATE)
        (server.root / "fn").mkdir()
        (server.root / "fn" / "app.py").write_text(APP)
        with server:
            reply = server.invoke_ok(self, "Worker", {"ping": 1})
            stderr = server.stderr()
        self.assertIn('"ping": 1', reply.body.decode() if isinstance(reply.body, bytes) else reply.body)
        self.assertNotIn("does not create AWS::Scheduler::Schedule", stderr)


def ticks(server: Server) -> list:
    try:
        text = (server.out_dir / "ticks").read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class FiringTest(unittest.TestCase):
    def test_schedules_fire_through_the_async_queue_and_remember_their_last_fire(self):
        soon = datetime.now(timezone.utc) + timedelta(seconds=4)
        server = Server([bash_function(
            "Tick", 'printf "%s\\n" "$event" >> "$OUT_DIR/ticks"', Events={
                # No StartDate: a Scheduler schedule fires at once, then every 10 minutes.
                "Now": {"Type": "ScheduleV2", "Properties": {
                    "ScheduleExpression": "rate(10 minutes)", "Input": '{"k": "v"}'}},
                "Once": {"Type": "ScheduleV2", "Properties": {
                    "ScheduleExpression": f"at({soon.strftime('%Y-%m-%dT%H:%M:%S')})",
                    "Input": '{"once": true}'}},
                # An EventBridge rule fires one period after it is deployed: not within this test.
                "Rule": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 minute)"}},
            })])
        try:
            server.start()
            wait_until(lambda: {"k": "v"} in ticks(server), 15, message="the rate() fire")
            wait_until(lambda: {"once": True} in ticks(server), 20, message="the at() fire")
            self.assertIn("schedules: 3 running", server.stderr())
            server.stop()

            server.start()  # its last fires are kept in the queue: nothing is due again
            time.sleep(3)
            self.assertEqual(sorted(map(json.dumps, ticks(server))),
                             sorted(map(json.dumps, [{"k": "v"}, {"once": True}])))
            server.stop()
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()
