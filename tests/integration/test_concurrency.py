"""Reserved concurrency through the Lambda API on a real server: Put/Get/DeleteFunctionConcurrency
on template and API functions, invokes throttled at 0 and at the reservation, warm workers kept
across a Put, the value kept across restarts (and the template's own value winning at its next
deploy), GetAccountSettings' figures, and the bad inputs, none of which writes anything."""

import base64
import json
import os
import threading
import unittest

from harness import Server, bash_function, wait_until
from test_function_api import ROLE, bash_zip, create_body

FUNCTIONS = "/2015-03-31/functions"
LIMIT = 50  # --max-concurrency: a tenth, 5, stays unreserved


# A function calling the concurrency operations on the lambda port (given in the event).
CALLER = r"""
port="$(printf '%s' "$event" | sed -E 's/.*"port": *([0-9]+).*/\1/')"
base="http://127.0.0.1:$port"
put="$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  --data '{"ReservedConcurrentExecutions":0}' "$base/2017-10-31/functions/Tmpl/concurrency")"
del="$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$base/2017-10-31/functions/Tmpl/concurrency")"
acct="$(curl -s -o /dev/null -w '%{http_code}' "$base/2016-08-19/account-settings/")"
response="{\"put\":$put,\"delete\":$del,\"account\":$acct}"
"""


def put_path(name):
    return f"/2017-10-31/functions/{name}/concurrency"


def get_path(name):
    return f"/2019-09-30/functions/{name}/concurrency"


class ConcurrencyApiTest(unittest.TestCase):
    def setUp(self):
        self.server = Server([
            bash_function("Tmpl", 'response="{\\"pid\\":\\"$(pid_ref)\\"}"'),
            bash_function("Declared", 'response="{}"', ReservedConcurrentExecutions=2),
            bash_function("Slow", 'sleep 1; response="{}"', Timeout=10),
            bash_function("Caller", CALLER, Timeout=10),
        ], args=["--max-concurrency", str(LIMIT)])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    # -- helpers --

    def call(self, method, path, body=None):
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        return self.server.request(method, path, data, {"Content-Type": "application/json"})

    def put(self, name, value):
        return self.call("PUT", put_path(name), {"ReservedConcurrentExecutions": value})

    def get(self, name):
        r = self.call("GET", get_path(name))
        self.assertEqual(r.status, 200, r)
        return r.json().get("ReservedConcurrentExecutions")

    def assert_error(self, r, status, error_type, message=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)
        body = r.json()
        self.assertEqual(body.get("Type"), "User", body)
        if message is not None:
            self.assertIn(message, body.get("message") or body.get("Message") or "", body)
        return body

    def create(self, name, handler='response="{}"'):
        r = self.call("POST", FUNCTIONS, create_body(name, bash_zip(handler)))
        self.assertEqual(r.status, 201, r)

        def active():
            c = self.call("GET", f"{FUNCTIONS}/{name}/configuration").json()
            return c["State"] == "Active" and c["LastUpdateStatus"] == "Successful"
        wait_until(active, 10, message=f"{name} Active")

    def rows(self):
        return {r["name"]: r["reserved"] for r in
                self.server.sql("SELECT name, reserved FROM registry_concurrency")}

    def assert_throttled(self, name):
        r = self.server.invoke(name)
        body = self.assert_error(r, 429, "TooManyRequestsException")
        self.assertEqual(body["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded")
        self.assertTrue(r.header("Retry-After"), r)

    # -- the operations --

    def test_put_get_delete_on_an_api_function(self):
        self.create("api-fn")
        self.assertIsNone(self.get("api-fn"))
        self.assertEqual(self.call("GET", get_path("api-fn")).json(), {})
        revision = self.call("GET", f"{FUNCTIONS}/api-fn/configuration").json()["RevisionId"]

        r = self.put("api-fn", 3)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"ReservedConcurrentExecutions": 3})
        self.assertTrue(r.header("x-amzn-RequestId"))
        self.assertEqual(self.get("api-fn"), 3)
        got = self.call("GET", f"{FUNCTIONS}/api-fn").json()
        self.assertEqual(got["Concurrency"], {"ReservedConcurrentExecutions": 3})
        # Not part of the function's configuration: the RevisionId stays, as on AWS.
        self.assertEqual(got["Configuration"]["RevisionId"], revision)
        self.assertEqual(got["Configuration"]["LastUpdateStatus"], "Successful")
        self.server.invoke_ok(self, "api-fn")
        # By ARN and partial ARN too.
        arn = "arn:aws:lambda:us-east-1:123456789012:function:api-fn"
        self.assertEqual(self.put(arn, 4).json(), {"ReservedConcurrentExecutions": 4})
        self.assertEqual(self.get("123456789012:function:api-fn"), 4)

        # 0 disables it.
        self.assertEqual(self.put("api-fn", 0).status, 200)
        self.assert_throttled("api-fn")
        self.assertEqual(self.call("GET", f"{FUNCTIONS}/api-fn").json()["Concurrency"],
                         {"ReservedConcurrentExecutions": 0})

        r = self.call("DELETE", put_path("api-fn"))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertIsNone(self.get("api-fn"))
        self.assertNotIn("Concurrency", self.call("GET", f"{FUNCTIONS}/api-fn").json())
        self.server.invoke_ok(self, "api-fn")
        # Deleting what is not there is not an error.
        self.assertEqual(self.call("DELETE", put_path("api-fn")).status, 204)
        self.assertEqual(self.rows(), {})

        # A deleted function takes its reservation with it.
        self.assertEqual(self.put("api-fn", 2).status, 200)
        self.assertEqual(self.call("DELETE", f"{FUNCTIONS}/api-fn").status, 204)
        self.assert_error(self.call("GET", get_path("api-fn")), 404, "ResourceNotFoundException")
        wait_until(lambda: self.rows() == {}, 5, message="its row removed")

    def test_the_reservation_caps_the_function(self):
        self.assertEqual(self.put("Slow", 1).status, 200)
        results = []

        def call():
            results.append(self.server.invoke("Slow"))
        threads = [threading.Thread(target=call) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses[0], 200, results)
        self.assertIn(429, statuses, results)
        for r in results:
            if r.status == 429:
                self.assertEqual(r.json()["Reason"],
                                 "ReservedFunctionConcurrentInvocationLimitExceeded")

    def test_warm_workers_survive_a_put(self):
        first = self.server.invoke_ok(self, "Tmpl", log_type="Tail")
        pid = first.json()["pid"]
        workers = set(self.server.workers())
        self.assertTrue(workers)
        self.assertEqual(self.put("Tmpl", 3).status, 200)
        r = self.server.invoke_ok(self, "Tmpl", log_type="Tail")
        self.assertNotIn("Init Duration", r.log_tail())
        self.assertEqual(r.json()["pid"], pid, "the same warm worker served it")

        # At 0 the function is throttled, and its idle worker is kept.
        self.assertEqual(self.put("Tmpl", 0).status, 200)
        self.assert_throttled("Tmpl")
        self.assertTrue(workers & set(self.server.workers()))
        self.assertEqual(self.call("DELETE", put_path("Tmpl")).status, 204)
        r = self.server.invoke_ok(self, "Tmpl", log_type="Tail")
        self.assertNotIn("Init Duration", r.log_tail())
        self.assertEqual(r.json()["pid"], pid)

    def test_a_restart_keeps_the_api_values_and_the_template_wins_what_it_declares(self):
        self.create("api-fn")
        self.assertEqual(self.put("api-fn", 6).status, 200)
        self.assertEqual(self.put("Tmpl", 4).status, 200)  # the template declares none
        self.assertEqual(self.get("Declared"), 2)
        self.assertEqual(self.put("Declared", 7).status, 200)  # until the template's next deploy
        self.assertEqual(self.get("Declared"), 7)
        self.assertEqual(self.rows(), {"api-fn": 6, "Tmpl": 4, "Declared": 7})

        self.server.stop()
        self.server.start()
        self.assertEqual(self.get("api-fn"), 6)
        self.assertEqual(self.get("Tmpl"), 4)
        self.assertEqual(self.get("Declared"), 2)
        self.assertIn("function Declared: the template's redeploy overwrites the changes made to "
                      "it through the Lambda API", self.server.stderr() + self.server.stdout())
        wait_until(lambda: "Declared" not in self.rows(), 5, message="the API's row dropped")
        # The restarted scheduler enforces the kept values.
        self.assertEqual(self.put("Tmpl", 0).status, 200)
        self.server.stop()
        self.server.start()
        self.assert_throttled("Tmpl")

        # A Delete lifts a template's reservation until its next deploy.
        self.assertEqual(self.call("DELETE", put_path("Declared")).status, 204)
        self.assertIsNone(self.get("Declared"))
        self.server.stop()
        self.server.start()
        self.assertEqual(self.get("Declared"), 2)

    def test_a_hot_reload_keeps_the_api_values_and_applies_the_templates(self):
        pid = self.server.invoke_ok(self, "Tmpl").json()["pid"]
        self.assertEqual(self.put("Tmpl", 4).status, 200)
        self.assertEqual(self.put("Declared", 9).status, 200)
        # The template now reserves 3 for Declared: its value wins over the API's 9.
        text = self.server.template_path.read_text()
        self.assertIn("ReservedConcurrentExecutions: 2", text)
        new = self.server.template_path.with_name("template.yaml.new")
        new.write_text(text.replace("ReservedConcurrentExecutions: 2",
                                    "ReservedConcurrentExecutions: 3"))
        os.replace(new, self.server.template_path)
        wait_until(lambda: self.get("Declared") == 3, 10, message="the hot reload")
        self.assertIn("function Declared: the template's redeploy overwrites the changes made to "
                      "it through the Lambda API", self.server.stderr())
        self.assertEqual(self.get("Tmpl"), 4, "the API's value on a function the template "
                                              "gives none stays")
        self.assertEqual(self.server.invoke_ok(self, "Tmpl").json()["pid"], pid,
                         "and its warm worker")
        wait_until(lambda: self.rows() == {"Tmpl": 4}, 5,
                   message="the API's row for Declared dropped")

    def test_account_settings(self):
        zip_bytes = bash_zip('response="{}"')
        r = self.call("POST", FUNCTIONS, create_body("api-fn", zip_bytes))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.put("api-fn", 10).status, 200)
        for path in ("/2016-08-19/account-settings", "/2016-08-19/account-settings/"):
            r = self.call("GET", path)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json(), {
                "AccountLimit": {"TotalCodeSize": 80530636800, "CodeSizeUnzipped": 262144000,
                                 "CodeSizeZipped": 52428800, "ConcurrentExecutions": LIMIT,
                                 "UnreservedConcurrentExecutions": LIMIT - 2 - 10},
                "AccountUsage": {"TotalCodeSize": len(zip_bytes), "FunctionCount": 5}})

    def test_a_function_may_not_manage_concurrency(self):
        # Management operations, refused to workers unless --allow-worker-control.
        got = self.server.invoke_ok(self, "Caller", {"port": self.server.lambda_port}).json()
        self.assertEqual(got, {"put": 403, "delete": 403, "account": 403})
        self.assertEqual(self.rows(), {})
        self.server.invoke_ok(self, "Tmpl")

    # -- bad input: nothing written --

    def test_bad_inputs_write_nothing(self):
        self.create("api-fn")
        minimum = "below its minimum value of [5]."
        cases = [
            ("negative", put_path("api-fn"), {"ReservedConcurrentExecutions": -1}, 400,
             "ValidationException", "greater than or equal to 0"),
            ("missing", put_path("api-fn"), {}, 400, "ValidationException",
             "Member must not be null"),
            ("a string", put_path("api-fn"), {"ReservedConcurrentExecutions": "3"}, 400,
             "InvalidRequestContentException", None),
            ("a fraction", put_path("api-fn"), '{"ReservedConcurrentExecutions": 1.5}', 400,
             "InvalidRequestContentException", None),
            ("malformed JSON", put_path("api-fn"), '{"ReservedConcurrentExecutions": ', 400,
             "InvalidRequestContentException", None),
            ("not an object", put_path("api-fn"), "[3]", 400, "InvalidRequestContentException",
             None),
            ("above the limit", put_path("api-fn"), {"ReservedConcurrentExecutions": LIMIT + 1},
             400, "InvalidParameterValueException", minimum),
            ("huge", put_path("api-fn"), '{"ReservedConcurrentExecutions": 99999999999999}', 400,
             "InvalidParameterValueException", minimum),
            # 50 - 2 (Declared) - 44 leaves 4 < 5.
            ("below the unreserved minimum", put_path("api-fn"),
             {"ReservedConcurrentExecutions": 44}, 400, "InvalidParameterValueException",
             "Specified ReservedConcurrentExecutions for function decreases account's "
             "UnreservedConcurrentExecution below its minimum value of [5]."),
            ("unknown function", put_path("nope"), {"ReservedConcurrentExecutions": 1}, 404,
             "ResourceNotFoundException", "Function not found: "
             "arn:aws:lambda:us-east-1:123456789012:function:nope"),
            ("a qualifier", put_path("api-fn:1"), {"ReservedConcurrentExecutions": 1}, 400,
             "InvalidParameterValueException", "qualifier"),
            ("a malformed name", put_path("bad%20name"), {"ReservedConcurrentExecutions": 1},
             400, "ValidationException", None),
        ]
        for label, path, body, status, error_type, message in cases:
            with self.subTest(label):
                self.assert_error(self.call("PUT", path, body), status, error_type, message)
        self.assert_error(self.call("GET", get_path("nope")), 404, "ResourceNotFoundException")
        self.assert_error(self.call("DELETE", put_path("nope")), 404, "ResourceNotFoundException")
        self.assertIsNone(self.get("api-fn"))
        self.assertEqual(self.rows(), {})
        self.server.invoke_ok(self, "api-fn")
        # Exactly the minimum left is allowed.
        self.assertEqual(self.put("api-fn", 43).status, 200)
        self.assert_error(self.put("Tmpl", 1), 400, "InvalidParameterValueException", minimum)
        self.assertEqual(self.rows(), {"api-fn": 43})


if __name__ == "__main__":
    unittest.main()
