"""Durable Event invocations (issue 13 §1): each accepted event is in <state-dir>/queue.db before
its 202, so kill -9 at any moment loses none; retries, OnSuccess / OnFailure destinations with
AWS's record, reserved concurrency 0, and `lambdad events` (failed events listed and redriven)."""

import http.client
import json
import random
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import Server, bash_function, function_arn, lambdad_bin, metric, wait_until

# Appends the event to $OUT_DIR/seen (one line per run), then answers.
RECORD = 'printf "%s\\n" "$event" >> "$OUT_DIR/seen"; post_response "{\\"ok\\":true}"; continue'
# Appends what a destination receives to $OUT_DIR/records.
CATCHER = 'printf "%s\\n" "$event" >> "$OUT_DIR/records"'


def lines(path) -> list[str]:
    try:
        return [line for line in path.read_text().splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def send_events(server: Server, name: str, payloads: list[dict], threads: int = 4,
                accepted: list | None = None) -> list:
    """Event invokes over kept-alive connections; the payloads answered 202 (a connection that
    breaks, as when lambdad is killed, ends its thread)."""
    accepted = [] if accepted is None else accepted
    lock = threading.Lock()
    path = f"/2015-03-31/functions/{name}/invocations"
    headers = {"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"}

    def run(mine: list[dict]):
        conn = http.client.HTTPConnection(server.host, server.lambda_port, timeout=30)
        try:
            for payload in mine:
                conn.request("POST", path, body=json.dumps(payload), headers=headers)
                r = conn.getresponse()
                r.read()
                if r.status == 202:
                    with lock:
                        accepted.append(payload)
        except (OSError, http.client.HTTPException):
            return
        finally:
            conn.close()

    workers = [threading.Thread(target=run, args=(payloads[i::threads],)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    return accepted


class KillNineTest(unittest.TestCase):
    def test_kill_9_at_random_moments_loses_no_accepted_event(self):
        rounds, per_round = 5, 60
        # Each success also writes a record for Sink (in the transaction that ends the event):
        # a kill may hit enqueues, runs and destination writes alike.
        server = Server([
            bash_function("Record", RECORD, Timeout=10, EventInvokeConfig={"DestinationConfig": {
                "OnSuccess": {"Type": "Lambda", "Destination": {"Fn::GetAtt": "Sink.Arn"}}}}),
            bash_function("Sink", 'printf "%s\\n" "$event" >> "$OUT_DIR/sink"'),
        ])
        try:
            accepted: list[dict] = []
            rng = random.Random(13)
            for round_ in range(rounds):
                server.start()
                payloads = [{"n": round_ * 1000 + i} for i in range(per_round)]
                killer = threading.Timer(rng.uniform(0.05, 0.6),
                                         lambda: server.send_signal(signal.SIGKILL))
                killer.start()
                send_events(server, "Record", payloads, accepted=accepted)
                killer.join()
                server.wait_exit()
            server.start()
            seen = server.out_dir / "seen"
            wanted = {p["n"] for p in accepted}

            sink = server.out_dir / "sink"

            def all_ran():
                ran = {json.loads(line)["n"] for line in lines(seen)}
                recorded = {json.loads(line)["requestPayload"]["n"] for line in lines(sink)}
                return wanted <= ran and wanted <= recorded

            wait_until(all_ran, 120, interval=0.2,
                       message="every accepted event to run and reach its destination")
            ran = [json.loads(line)["n"] for line in lines(seen)]
            lost = wanted - set(ran)
            print(f"\n{rounds} kill -9 rounds: {len(wanted)} events accepted, {len(lost)} lost, "
                  f"{len(ran) - len(set(ran))} run twice (at-least-once), "
                  f"{len(lines(sink))} OnSuccess records for them")
            self.assertEqual(lost, set())
            server.stop()
            db = sqlite3.connect(server.state_dir / "queue.db")
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("SELECT count(*) FROM queue_messages").fetchone()[0], 0)
            db.close()
        finally:
            server.cleanup()

    def test_an_event_cut_off_by_sigterm_is_not_an_attempt(self):
        # The first run of "slow" outlasts the shutdown's grace; MaximumRetryAttempts 0 would
        # drop it if the cut-off counted as an attempt.
        handler = '''
            if [ "$event" = '"slow"' ] && [ ! -e "$OUT_DIR/cut" ]; then
              touch "$OUT_DIR/cut"; sleep 30
            fi
            printf "%s\\n" "$event" >> "$OUT_DIR/seen"
        '''
        server = Server([bash_function("Slow", handler, Timeout=60,
                                       EventInvokeConfig={"MaximumRetryAttempts": 0})],
                        shutdown_grace=1)
        try:
            server.start()
            self.assertEqual(server.invoke("Slow", '"slow"', invocation_type="Event").status, 202)
            wait_until(lambda: (server.out_dir / "cut").exists(), 10, message="the slow run")
            server.stop()
            server.start()
            wait_until(lambda: lines(server.out_dir / "seen") == ['"slow"'], 20,
                       message="the cut-off event to run again after the restart")
        finally:
            server.cleanup()


class RetriesAndDestinationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        catcher = {"Fn::GetAtt": "Catcher.Arn"}
        cls.server = Server([
            bash_function("Catcher", CATCHER),
            bash_function("Fails", 'post_error Oops "always $event"; continue', EventInvokeConfig={
                "MaximumRetryAttempts": 2,
                "DestinationConfig": {"OnFailure": {"Type": "Lambda", "Destination": catcher}}}),
            bash_function("Works", 'post_response "{\\"got\\":$event}"; continue',
                          EventInvokeConfig={"DestinationConfig": {
                              "OnSuccess": {"Type": "Lambda", "Destination": catcher}}}),
            bash_function("Disabled", "", ReservedConcurrentExecutions=0, EventInvokeConfig={
                "DestinationConfig": {"OnFailure": {"Type": "Lambda", "Destination": catcher}}}),
            bash_function("Flaky", '[ -e "$OUT_DIR/fixed" ] || { post_error Broken "not yet"; '
                                   'continue; }; printf "%s\\n" "$event" >> "$OUT_DIR/flaky"',
                          EventInvokeConfig={"MaximumRetryAttempts": 0}),
        ], args=["--async-retry-delay-ms", "300"])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def record_for(self, request_id: str) -> dict:
        def find():
            for line in lines(self.server.out_dir / "records"):
                record = json.loads(line)
                if record["requestContext"]["requestId"] == request_id:
                    return record
            return None
        return wait_until(find, 30, interval=0.1, message=f"the destination record of {request_id}")

    def test_function_errors_are_retried_twice_then_sent_to_on_failure(self):
        r = self.server.invoke("Fails", {"order": 7}, invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        rid = r.header("x-amzn-RequestId")
        record = self.record_for(rid)
        self.assertEqual(record["version"], "1.0")
        self.assertEqual(record["requestContext"], {
            "requestId": rid, "functionArn": function_arn("Fails", "$LATEST"),
            "condition": "RetriesExhausted", "approximateInvokeCount": 3})
        self.assertEqual(record["requestPayload"], {"order": 7})
        self.assertEqual(record["responseContext"], {
            "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
        self.assertEqual(record["responsePayload"]["errorType"], "Oops")
        self.assertRegex(record["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        # Three attempts, each with the event's request id (as on AWS).
        starts = [m for m in self.server.log_messages(rid) if m.startswith("START ")]
        self.assertEqual(len(starts), 3, starts)

    def test_a_success_is_sent_to_on_success(self):
        r = self.server.invoke("Works", {"a": 1}, invocation_type="Event")
        rid = r.header("x-amzn-RequestId")
        record = self.record_for(rid)
        self.assertEqual(record["requestContext"]["condition"], "Success")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 1)
        self.assertEqual(record["responseContext"], {"statusCode": 200,
                                                     "executedVersion": "$LATEST"})
        self.assertEqual(record["responsePayload"], {"got": {"a": 1}})

    def test_reserved_concurrency_zero_sends_events_to_failure_handling_at_once(self):
        r = self.server.invoke("Disabled", {"b": 2}, invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        record = self.record_for(r.header("x-amzn-RequestId"))
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 0)
        self.assertNotIn("responseContext", record)
        self.assertEqual(record["requestPayload"], {"b": 2})

    def test_a_failed_event_without_destination_is_listed_and_redriven(self):
        r = self.server.invoke("Flaky", {"c": 3}, invocation_type="Event")
        rid = r.header("x-amzn-RequestId")

        def failed():
            events = self.server.request("GET", "/_lambdad/events?State=Failed").json()["Events"]
            return [e for e in events if e["RequestId"] == rid]

        [event] = wait_until(failed, 20, interval=0.1, message="the event among the failed")
        self.assertEqual(event["FunctionName"], "Flaky")
        self.assertEqual(event["State"], "Failed")
        self.assertEqual(event["Condition"], "RetriesExhausted")
        self.assertEqual(event["FunctionErrors"], 1)
        self.assertIn("of Flaky failed after 1 attempts", self.server.stderr())

        listed = self.events_cli("--failed")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertRegex(listed.stdout, rf"(?m)^{event['Seq']} +Failed +Flaky +{rid} .* "
                                        r"RetriesExhausted, Broken$")

        (self.server.out_dir / "fixed").touch()
        bad = self.events_cli("redrive", "x1")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("'x1' is not a SEQ", bad.stderr)
        redriven = self.events_cli("redrive", str(event["Seq"]))
        self.assertEqual(redriven.stdout, "1 failed event(s) back in the queue\n", redriven.stderr)
        wait_until(lambda: lines(self.server.out_dir / "flaky") == ['{"c": 3}'] or
                   lines(self.server.out_dir / "flaky") == ['{"c":3}'], 20,
                   message="the redriven event to run")
        self.assertEqual(failed(), [])
        text = self.server.metrics()
        self.assertGreaterEqual(metric(text, "lambdad_async_events_failed_total"), 1)
        self.assertGreater(metric(text, "lambdad_queue_transactions_total"), 0)

    def events_cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([lambdad_bin(), "events", *args, "--endpoint",
                               self.server.lambda_url], capture_output=True, text=True,
                              timeout=30)

    def test_bad_requests_to_the_events_routes(self):
        r = self.server.request("GET", "/_lambdad/events?State=Odd")
        self.assertEqual(r.status, 400, r)
        r = self.server.request("POST", "/_lambdad/events/redrive", "[1]")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "InvalidRequestContentException")


if __name__ == "__main__":
    unittest.main()
