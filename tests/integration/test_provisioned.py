"""Provisioned concurrency configs on a real server: PutProvisionedConcurrencyConfig on an alias
answers 202 IN_PROGRESS, the workers start before any invoke (counted) and the config turns READY;
an invoke of the alias is warm (no Init Duration) in a worker started as provisioned-concurrency;
Get / List (`?List=ALL`) / Delete; a weighted alias spreads its workers by weight and a moved
alias takes them along; a restart finds the config and provisions again; the template's
AutoPublishAlias config shows and is the template's; deleting a version takes its config along;
the bad inputs write nothing."""

import base64
import json
import unittest

import test_lifecycle
from harness import Server, bash_function, function_arn, metric, wait_until
from test_function_api import FUNCTIONS, create_body, make_zip

PROVISIONED = "/2019-09-30/functions"

HANDLER = r'''
pid_ref > "$OUT_DIR/pid.$rid"
env > "$OUT_DIR/env.$rid"
response="{\"v\":\"$V\"}"
'''


def worker_zip(version_text: str) -> bytes:
    code = bash_function("x", HANDLER.replace("$V", version_text),
                         init='touch "$OUT_DIR/init.$AWS_LAMBDA_FUNCTION_VERSION.'
                              '$AWS_LAMBDA_INITIALIZATION_TYPE.$(pid_ref)"').code
    return make_zip({"bootstrap": code})


class ProvisionedConcurrencyApiTest(unittest.TestCase):
    def setUp(self):
        self.server = Server([bash_function("Tmpl", 'response="{}"', AutoPublishAlias="live",
                                            ProvisionedConcurrencyConfig={
                                                "ProvisionedConcurrentExecutions": 1})],
                             args=["--idle-timeout", "1"])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    # -- helpers --

    def call(self, method, path, body=None):
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        return self.server.request(method, path, data, {"Content-Type": "application/json"})

    def put(self, name, qualifier, n):
        query = f"?Qualifier={qualifier}" if qualifier is not None else ""
        return self.call("PUT", f"{PROVISIONED}/{name}/provisioned-concurrency{query}",
                         {"ProvisionedConcurrentExecutions": n})

    def get(self, name, qualifier):
        return self.call("GET", f"{PROVISIONED}/{name}/provisioned-concurrency?Qualifier={qualifier}")

    def listed(self, name, query=""):
        r = self.call("GET", f"{PROVISIONED}/{name}/provisioned-concurrency?List=ALL{query}")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def assert_error(self, r, status, error_type, message_part=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)
        body = r.json()
        if message_part:
            self.assertIn(message_part, body.get("message") or body.get("Message") or "")

    def workers(self, name, version):
        return metric(self.server.metrics(), "lambdad_workers", function=name, version=version) or 0

    def inits(self, version, kind):
        return list(self.server.out_dir.glob(f"init.{version}.{kind}.*"))

    def make_function(self):
        env = {"Variables": {"OUT_DIR": str(self.server.out_dir)}}
        r = self.call("POST", FUNCTIONS, create_body("fn", worker_zip("one"), Publish=True,
                                                     Environment=env))
        self.assertEqual(r.status, 201, r)
        r = self.call("PUT", f"{FUNCTIONS}/fn/code",
                      {"ZipFile": base64.b64encode(worker_zip("two")).decode(), "Publish": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Version"], "2")
        r = self.call("POST", f"{FUNCTIONS}/fn/aliases", {"Name": "prod", "FunctionVersion": "1"})
        self.assertEqual(r.status, 201, r)

    def wait_ready(self, name, qualifier, requested):
        def ready():
            r = self.get(name, qualifier)
            self.assertEqual(r.status, 200, r)
            return r.json() if r.json()["Status"] == "READY" else None
        config = wait_until(ready, 15, interval=0.1, message=f"{name}:{qualifier} READY")
        self.assertEqual(config["RequestedProvisionedConcurrentExecutions"], requested)
        self.assertEqual(config["AvailableProvisionedConcurrentExecutions"], requested)
        self.assertEqual(config["AllocatedProvisionedConcurrentExecutions"], requested)
        return config

    # -- tests --

    def test_put_on_an_alias_provisions_before_any_invoke(self):
        self.make_function()
        self.assertEqual(self.workers("fn", "1"), 0)

        r = self.put("fn", "prod", 2)
        self.assertEqual(r.status, 202, r)
        made = r.json()
        self.assertEqual(made["Status"], "IN_PROGRESS")
        self.assertEqual(made["RequestedProvisionedConcurrentExecutions"], 2)
        self.assertEqual(made["AllocatedProvisionedConcurrentExecutions"], 0)
        self.assertRegex(made["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")

        self.wait_ready("fn", "prod", 2)
        self.assertEqual(self.workers("fn", "1"), 2, "two workers, before any invoke")
        self.assertEqual(self.workers("fn", "2"), 0)
        self.assertEqual(len(self.inits("1", "provisioned-concurrency")), 2)
        self.assertEqual(self.inits("1", "on-demand"), [])

        r = self.server.invoke_ok(self, "fn", {}, qualifier="prod", log_type="Tail")
        self.assertEqual(r.json(), {"v": "one"})
        self.assertEqual(r.header("X-Amz-Executed-Version"), "1")
        self.assertIsNone(test_lifecycle.report_of(self, r)["init"], "warm: no Init Duration")
        env = test_lifecycle.env_of(self.server, r)
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "provisioned-concurrency")
        self.assertEqual(self.workers("fn", "1"), 2, "the invoke used a provisioned worker")

        listed = self.listed("fn")
        self.assertEqual(len(listed["ProvisionedConcurrencyConfigs"]), 1)
        item = listed["ProvisionedConcurrencyConfigs"][0]
        self.assertEqual(item["FunctionArn"], function_arn("fn", "prod"))
        self.assertEqual(item["Status"], "READY")
        self.assertNotIn("NextMarker", listed)

        # The same config through the function's ARN, and the qualifier in the name.
        r = self.call("GET", f"{PROVISIONED}/{function_arn('fn', 'prod')}/provisioned-concurrency")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["RequestedProvisionedConcurrentExecutions"], 2)

        # A second config on another version; paging by qualifier.
        self.assertEqual(self.put("fn", "2", 1).status, 202)
        self.wait_ready("fn", "2", 1)
        page = self.listed("fn", "&MaxItems=1")
        self.assertEqual([c["FunctionArn"] for c in page["ProvisionedConcurrencyConfigs"]],
                         [function_arn("fn", "2")])
        rest = self.listed("fn", f"&MaxItems=1&Marker={page['NextMarker']}")
        self.assertEqual([c["FunctionArn"] for c in rest["ProvisionedConcurrencyConfigs"]],
                         [function_arn("fn", "prod")])

        # Deleting the version takes its config along (nothing points at it).
        self.assertEqual(self.call("DELETE", f"{FUNCTIONS}/fn?Qualifier=2").status, 204)
        self.assertEqual(len(self.listed("fn")["ProvisionedConcurrencyConfigs"]), 1)

        # Delete: the floor goes, and the workers are reaped as idle ones are.
        r = self.call("DELETE", f"{PROVISIONED}/fn/provisioned-concurrency?Qualifier=prod")
        self.assertEqual(r.status, 204, r)
        self.assert_error(self.get("fn", "prod"), 404,
                          "ProvisionedConcurrencyConfigNotFoundException")
        self.assertEqual(self.listed("fn")["ProvisionedConcurrencyConfigs"], [])
        wait_until(lambda: self.workers("fn", "1") == 0, 15, message="reaped once idle")
        r = self.call("DELETE", f"{PROVISIONED}/fn/provisioned-concurrency?Qualifier=prod")
        self.assertEqual(r.status, 204, "idempotent, as AWS's")

    def test_a_weighted_alias_spreads_its_config_by_weight(self):
        self.make_function()
        r = self.call("PUT", f"{FUNCTIONS}/fn/aliases/prod",
                      {"RoutingConfig": {"AdditionalVersionWeights": {"2": 0.5}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.put("fn", "prod", 4).status, 202)
        self.wait_ready("fn", "prod", 4)
        self.assertEqual((self.workers("fn", "1"), self.workers("fn", "2")), (2, 2))
        # Moving the alias moves its workers' floor; the old version's go once idle.
        r = self.call("PUT", f"{FUNCTIONS}/fn/aliases/prod",
                      {"FunctionVersion": "2", "RoutingConfig": {"AdditionalVersionWeights": {}}})
        self.assertEqual(r.status, 200, r)
        self.wait_ready("fn", "prod", 4)
        self.assertEqual(self.workers("fn", "2"), 4)
        wait_until(lambda: self.workers("fn", "1") == 0, 15, message="version 1 reaped once idle")

    def test_a_restart_finds_the_config_and_provisions_again(self):
        self.make_function()
        self.assertEqual(self.put("fn", "prod", 2).status, 202)
        self.wait_ready("fn", "prod", 2)
        self.server.stop()
        for path in self.inits("1", "provisioned-concurrency"):
            path.unlink()
        self.server.start()
        self.wait_ready("fn", "prod", 2)
        self.assertEqual(self.workers("fn", "1"), 2)
        self.assertEqual(len(self.inits("1", "provisioned-concurrency")), 2,
                         "started again, before any invoke")
        # Deleting the alias drops its config, across a restart too.
        self.assertEqual(self.call("DELETE", f"{FUNCTIONS}/fn/aliases/prod").status, 204)
        self.server.stop()
        self.server.start()
        self.assertEqual(self.listed("fn")["ProvisionedConcurrencyConfigs"], [])

    def test_the_templates_config_shows_and_is_the_templates(self):
        config = self.wait_ready("Tmpl", "live", 1)
        self.assertEqual(config["Status"], "READY")
        listed = self.listed("Tmpl")["ProvisionedConcurrencyConfigs"]
        self.assertEqual([c["FunctionArn"] for c in listed], [function_arn("Tmpl", "live")])
        self.assert_error(self.put("Tmpl", "live", 3), 409, "ResourceConflictException",
                          "template")
        self.assert_error(self.put("Tmpl", "1", 3), 409, "ResourceConflictException")
        self.assert_error(
            self.call("DELETE", f"{PROVISIONED}/Tmpl/provisioned-concurrency?Qualifier=live"),
            409, "ResourceConflictException")
        self.assertEqual(self.get("Tmpl", "live").json()["RequestedProvisionedConcurrentExecutions"],
                         1)

    def test_bad_inputs_write_nothing(self):
        self.make_function()
        path = f"{PROVISIONED}/fn/provisioned-concurrency"
        unpublished = "cannot be applied to unpublished function versions"
        self.assert_error(self.put("fn", "$LATEST", 1), 400, "InvalidParameterValueException",
                          unpublished)
        self.assert_error(self.put("fn", None, 1), 400, "InvalidParameterValueException",
                          unpublished)
        self.assert_error(self.put("fn", "9", 1), 404, "ResourceNotFoundException")
        self.assert_error(self.put("fn", "nope", 1), 404, "ResourceNotFoundException")
        self.assert_error(self.put("ghost", "1", 1), 404, "ResourceNotFoundException")
        self.assert_error(self.put("fn", "prod", 0), 400, "ValidationException")
        self.assert_error(self.put("fn", "prod", -3), 400, "ValidationException")
        self.assert_error(self.put("fn", "prod", "two"), 400, "InvalidRequestContentException")
        self.assert_error(self.call("PUT", f"{path}?Qualifier=prod", {}), 400,
                          "ValidationException")
        self.assert_error(self.call("PUT", f"{path}?Qualifier=prod", "{not json"), 400,
                          "InvalidRequestContentException")
        self.assert_error(self.put("fn:2", "prod", 1), 400, "InvalidParameterValueException")
        # Above what the unreserved pool may give (1,000, 100 kept), then above a reservation.
        self.assert_error(self.put("fn", "prod", 901), 400, "InvalidParameterValueException",
                          "UnreservedConcurrentExecution")
        self.assert_error(self.put("fn", "prod", 2**40), 400, "InvalidParameterValueException")
        r = self.call("PUT", "/2017-10-31/functions/fn/concurrency",
                      {"ReservedConcurrentExecutions": 3})
        self.assertEqual(r.status, 200, r)
        self.assert_error(self.put("fn", "prod", 4), 400, "InvalidParameterValueException",
                          "reservedConcurrentExecution")
        self.assert_error(self.get("fn", "$LATEST"), 400, "InvalidParameterValueException")
        self.assert_error(self.get("fn", "9"), 404, "ResourceNotFoundException")
        self.assert_error(self.call("GET", f"{path}?List=ALL&MaxItems=51"), 400,
                          "ValidationException")
        self.assertEqual(self.listed("fn")["ProvisionedConcurrencyConfigs"], [])
        self.assertEqual(self.workers("fn", "1"), 0)

        # One config per version: the alias's covers version 1.
        self.assertEqual(self.put("fn", "prod", 3).status, 202)
        self.assert_error(self.put("fn", "1", 1), 409, "ResourceConflictException",
                          "Provisioned Concurrency alias")
        self.assert_error(self.call("PUT", "/2017-10-31/functions/fn/concurrency",
                                    {"ReservedConcurrentExecutions": 2}), 400,
                          "InvalidParameterValueException", "provisioned concurrency [3]")
        self.assertEqual(len(self.listed("fn")["ProvisionedConcurrencyConfigs"]), 1)


if __name__ == "__main__":
    unittest.main()
