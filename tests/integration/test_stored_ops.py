"""The stored operations on a real server: tags (the template's and the API's), resource
policies, FunctionEventInvokeConfig (which the async retries obey, without replacing warm
workers) and layers (published, used by a function, deleted while in use), each with its bad
inputs, which write nothing, and a restart on the same state dir that finds everything again."""

import base64
import hashlib
import io
import json
import os
import textwrap
import unittest
import urllib.error
import urllib.parse
import urllib.request
import zipfile

import test_function_api as fa
from harness import Server, bash_function, function_arn, wait_until

FUNCTIONS = "/2015-03-31/functions"
LAYERS = "/2018-10-31/layers"
EIC = "/2019-09-25/functions"


def tags_path(name: str, qualifier: str | None = None) -> str:
    return "/2017-03-31/tags/" + urllib.parse.quote(function_arn(name, qualifier), safe="")


class StoredOpsTest(unittest.TestCase):
    def setUp(self):
        self.server = Server([
            bash_function("Tmpl", 'response="{\\"pid\\":$$}"', Tags={"team": "core"}),
            bash_function("Fails", 'echo x >> "$OUT_DIR/attempts"; post_error Boom boom; '
                                   'handled=1'),
            bash_function("FailsLive", 'echo x >> "$OUT_DIR/live-attempts"; '
                                       'post_error Boom boom; handled=1',
                          AutoPublishAlias="live"),
        ])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def call(self, method, path, body=None):
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        return self.server.request(method, path, data, {"Content-Type": "application/json"})

    def assert_error(self, r, status, error_type, message_part=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)
        body = r.json()
        message = body.get("message") or body.get("Message") or ""
        if message_part:
            self.assertIn(message_part, message)
        return body

    def restart(self):
        self.server.stop()
        self.server.start()

    # -- tags --

    def test_tags(self):
        r = self.call("GET", tags_path("Tmpl"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"Tags": {"lambda:createdBy": "SAM", "team": "core"}})
        r = self.call("POST", tags_path("Tmpl"), {"Tags": {"owner": "me", "stage": "dev"}})
        self.assertEqual(r.status, 204, r)
        # Refused requests write nothing.
        self.assert_error(self.call("POST", tags_path("Tmpl"), {"Tags": {"team": "x"}}), 409,
                          "ResourceConflictException", "template")
        self.assert_error(self.call("POST", tags_path("Tmpl"), {"Tags": {"aws:x": "y"}}), 400,
                          "InvalidParameterValueException")
        self.assert_error(self.call("POST", tags_path("Tmpl"), {"Tags": {"k" * 129: "y"}}), 400,
                          "InvalidParameterValueException")
        self.assert_error(self.call("POST", tags_path("Tmpl"), {"Tags": {"k": "v" * 257}}), 400,
                          "InvalidParameterValueException")
        too_many = {f"k{i}": "v" for i in range(47)}  # 4 there already
        self.assert_error(self.call("POST", tags_path("Tmpl"), {"Tags": too_many}), 400,
                          "InvalidParameterValueException", "50")
        self.assert_error(self.call("POST", tags_path("Tmpl"), "{not json"), 400,
                          "InvalidRequestContentException")
        self.assert_error(self.call("POST", tags_path("Tmpl", "live"), {"Tags": {"a": "b"}}), 400,
                          "InvalidParameterValueException", "Please specify a function ARN")
        self.assert_error(self.call("POST", "/2017-03-31/tags/Tmpl", {"Tags": {"a": "b"}}), 400,
                          "ValidationException")
        self.assert_error(self.call("GET", tags_path("nope")), 404, "ResourceNotFoundException",
                          function_arn("nope"))
        expected = {"lambda:createdBy": "SAM", "team": "core", "owner": "me", "stage": "dev"}
        self.assertEqual(self.call("GET", tags_path("Tmpl")).json()["Tags"], expected)
        self.assertEqual(self.call("GET", f"{FUNCTIONS}/Tmpl").json()["Tags"], expected)

        r = self.call("DELETE", tags_path("Tmpl") + "?tagKeys=stage&tagKeys=absent")
        self.assertEqual(r.status, 204, r)
        self.assert_error(self.call("DELETE", tags_path("Tmpl") + "?tagKeys=team"), 409,
                          "ResourceConflictException")
        self.assert_error(self.call("DELETE", tags_path("Tmpl")), 400, "ValidationException")
        del expected["stage"]

        # An API function's tags: CreateFunction's, then TagResource's.
        r = self.call("POST", FUNCTIONS, fa.create_body("api-fn", fa.bash_zip(""),
                                                        Tags={"made": "api"}))
        self.assertEqual(r.status, 201, r)
        self.assert_error(self.call("POST", FUNCTIONS, fa.create_body(
            "bad-tags", fa.bash_zip(""), Tags={"aws:no": "x"})), 400,
            "InvalidParameterValueException")
        self.assertEqual(self.call("POST", tags_path("api-fn"), {"Tags": {"b": "2"}}).status, 204)

        self.restart()
        self.assertEqual(self.call("GET", tags_path("Tmpl")).json()["Tags"], expected)
        self.assertEqual(self.call("GET", tags_path("api-fn")).json()["Tags"],
                         {"made": "api", "b": "2"})

    # -- policies --

    def test_policies(self):
        path = f"{FUNCTIONS}/Tmpl/policy"
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException",
                          "The resource you requested does not exist.")
        r = self.call("POST", path, {"StatementId": "s3", "Action": "lambda:InvokeFunction",
                                     "Principal": "s3.amazonaws.com",
                                     "SourceArn": "arn:aws:s3:::bucket",
                                     "SourceAccount": "123456789012"})
        self.assertEqual(r.status, 201, r)
        statement = json.loads(r.json()["Statement"])
        self.assertEqual(statement, {
            "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": function_arn("Tmpl"),
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"},
                          "StringEquals": {"AWS:SourceAccount": "123456789012"}}})
        r = self.call("GET", path)
        self.assertEqual(r.status, 200, r)
        policy = json.loads(r.json()["Policy"])
        self.assertEqual(policy["Version"], "2012-10-17")
        self.assertEqual(policy["Statement"], [statement])
        revision = r.json()["RevisionId"]

        # Refused: duplicate sid, stale revision, malformed, unknown function or qualifier.
        second = {"StatementId": "acct", "Action": "lambda:GetFunction",
                  "Principal": "210987654321"}
        self.assert_error(self.call("POST", path, {**second, "StatementId": "s3"}), 409,
                          "ResourceConflictException", "(s3) provided already exists")
        self.assert_error(self.call("POST", path, {**second, "RevisionId": "stale"}), 412,
                          "PreconditionFailedException")
        self.assert_error(self.call("POST", path, {**second, "StatementId": "has space"}), 400,
                          "ValidationException")
        self.assert_error(self.call("POST", path, {"StatementId": "x", "Principal": "*"}), 400,
                          "ValidationException")
        self.assert_error(self.call("POST", f"{FUNCTIONS}/nope/policy", second), 404,
                          "ResourceNotFoundException")
        self.assert_error(self.call("POST", path + "?Qualifier=nope", second), 404,
                          "ResourceNotFoundException")
        self.assertEqual(self.call("GET", path).json()["RevisionId"], revision)

        r = self.call("POST", path, {**second, "RevisionId": revision})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(json.loads(r.json()["Statement"])["Principal"],
                         {"AWS": "arn:aws:iam::210987654321:root"})
        self.assert_error(self.call("DELETE", f"{path}/missing"), 404,
                          "ResourceNotFoundException")

        self.restart()
        r = self.call("GET", path)
        self.assertEqual([s["Sid"] for s in json.loads(r.json()["Policy"])["Statement"]],
                         ["s3", "acct"])
        self.assertEqual(self.call("DELETE", f"{path}/s3").status, 204)
        self.assertEqual(self.call("DELETE", f"{path}/acct").status, 204)
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException")

    # -- event invoke configs --

    def test_event_invoke_config_takes_effect(self):
        path = f"{EIC}/Fails/event-invoke-config"
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException",
                          "doesn't have an EventInvokeConfig")
        self.assert_error(self.call("POST", path, {"MaximumRetryAttempts": 1}), 404,
                          "ResourceNotFoundException")
        for bad in ({"MaximumRetryAttempts": 3}, {"MaximumEventAgeInSeconds": 59},
                    {"MaximumEventAgeInSeconds": 21601},
                    {"DestinationConfig": {"OnFailure": {"Destination": "not-an-arn"}}}):
            self.assert_error(self.call("PUT", path, bad), 400, "ValidationException")
        self.assert_error(self.call("PUT", path, {"MaximumRetryAttempts": "0"}), 400,
                          "InvalidRequestContentException")
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException")

        dlq = "arn:aws:sqs:us-east-1:123456789012:dlq"
        r = self.call("PUT", path, {"MaximumRetryAttempts": 0,
                                    "DestinationConfig": {"OnFailure": {"Destination": dlq}}})
        self.assertEqual(r.status, 200, r)
        put = r.json()
        self.assertEqual(put["FunctionArn"], function_arn("Fails", "$LATEST"))
        self.assertEqual(put["MaximumRetryAttempts"], 0)
        self.assertEqual(put["DestinationConfig"],
                         {"OnSuccess": {}, "OnFailure": {"Destination": dlq}})
        self.assertIsInstance(put["LastModified"], float)

        # MaximumRetryAttempts 0: a failing Event invoke runs once, and is done.
        r = self.server.invoke("Fails", {}, invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        wait_until(lambda: "of Fails failed after 1 attempts" in self.server.stderr(), 15,
                   message="the event given up after its first attempt")
        self.assertEqual(self.server.out_file("attempts"), "x\n")

        # Update merges; Get and List show it.
        r = self.call("POST", path, {"MaximumEventAgeInSeconds": 120})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["MaximumRetryAttempts"], 0)
        self.assertEqual(r.json()["MaximumEventAgeInSeconds"], 120)
        r = self.call("GET", f"{path}/list")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([c["FunctionArn"] for c in r.json()["FunctionEventInvokeConfigs"]],
                         [function_arn("Fails", "$LATEST")])
        self.assert_error(self.call("GET", f"{path}/list?MaxItems=51"), 400,
                          "ValidationException")

        # A change does not replace the function's warm workers.
        tmpl_path = f"{EIC}/Tmpl/event-invoke-config"
        pid = self.server.invoke_ok(self, "Tmpl").json()["pid"]
        self.assertEqual(self.call("PUT", tmpl_path, {"MaximumRetryAttempts": 1}).status, 200)
        self.assertEqual(self.server.invoke_ok(self, "Tmpl").json()["pid"], pid)
        self.assertNotIn("redeploy", self.server.stderr().lower())

        self.restart()
        r = self.call("GET", path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["MaximumEventAgeInSeconds"], 120)
        self.assertEqual(r.json()["LastModified"], self.call("GET", path).json()["LastModified"])
        self.assertEqual(self.call("DELETE", path).status, 204)
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException")
        self.assert_error(self.call("DELETE", path), 404, "ResourceNotFoundException")
        self.assert_error(self.call("PUT", f"{EIC}/Fails/event-invoke-config?Qualifier=nope",
                                    {"MaximumRetryAttempts": 1}), 404,
                          "ResourceNotFoundException")

    def test_event_invoke_config_by_qualifier(self):
        path = f"{EIC}/FailsLive/event-invoke-config"
        r = self.call("PUT", path + "?Qualifier=live", {"MaximumRetryAttempts": 0})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["FunctionArn"], function_arn("FailsLive", "live"))
        self.assert_error(self.call("GET", path), 404, "ResourceNotFoundException")
        r = self.call("GET", f"{EIC}/FailsLive:live/event-invoke-config")
        self.assertEqual(r.json()["MaximumRetryAttempts"], 0)
        self.assert_error(self.call("GET", f"{EIC}/FailsLive:live/event-invoke-config"
                                           "?Qualifier=other"), 400,
                          "InvalidParameterValueException")
        # The alias's config applies to an event invoked through the alias.
        r = self.server.invoke("FailsLive", {}, qualifier="live", invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        wait_until(lambda: "of FailsLive failed after 1 attempts" in self.server.stderr(), 15,
                   message="the event given up after its first attempt")
        self.assertEqual(self.server.out_file("live-attempts"), "x\n")

    def test_template_event_invoke_config_is_visible(self):
        server = Server([bash_function("Declared", "", EventInvokeConfig={
            "MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 300})])
        self.addCleanup(server.cleanup)
        server.start()
        path = f"{EIC}/Declared/event-invoke-config"
        r = server.request("GET", path)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["MaximumRetryAttempts"], 1)
        self.assertEqual(r.json()["MaximumEventAgeInSeconds"], 300)
        r = server.request("PUT", path, json.dumps({"MaximumRetryAttempts": 0}))
        self.assertEqual(r.status, 409, r)
        self.assertEqual(server.request("GET", path).json()["MaximumRetryAttempts"], 1)

    # -- layers --

    def layer_zip(self, text: str) -> bytes:
        """A layer with an executable `bin/hello` (the function runs /opt/bin/hello)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            info = zipfile.ZipInfo("bin/hello")
            info.external_attr = 0o100755 << 16
            z.writestr(info, f"#!/bin/bash\necho -n {text}\n")
        return buffer.getvalue()

    def publish(self, name, zip_bytes, **fields):
        return self.call("POST", f"{LAYERS}/{name}/versions",
                         {"Content": {"ZipFile": base64.b64encode(zip_bytes).decode()}, **fields})

    def test_layers(self):
        zip1 = self.layer_zip("one")
        r = self.publish("shared", zip1, Description="first", LicenseInfo="MIT",
                         CompatibleRuntimes=["provided.al2023"],
                         CompatibleArchitectures=["x86_64"])
        self.assertEqual(r.status, 201, r)
        v1 = r.json()
        arn1 = "arn:aws:lambda:us-east-1:123456789012:layer:shared:1"
        self.assertEqual(v1["Version"], 1)
        self.assertEqual(v1["LayerVersionArn"], arn1)
        self.assertEqual(v1["LayerArn"], arn1[:-2])
        self.assertEqual(v1["Content"]["CodeSize"], len(zip1))
        self.assertEqual(v1["Content"]["CodeSha256"],
                         base64.b64encode(hashlib.sha256(zip1).digest()).decode())
        self.assertRegex(v1["CreatedDate"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        with urllib.request.urlopen(v1["Content"]["Location"], timeout=10) as download:
            self.assertEqual(download.read(), zip1)

        # Refused: not a zip, no content, a bad name; none takes a version number or leaves code.
        code = sorted(p.name for p in (self.server.state_dir / "code").iterdir())
        self.assert_error(self.publish("shared", b"not a zip"), 400,
                          "InvalidParameterValueException")
        self.assert_error(self.call("POST", f"{LAYERS}/shared/versions", {}), 400,
                          "ValidationException")
        self.assert_error(self.publish("bad%20name", zip1), 400, "ValidationException")
        self.assertEqual(sorted(p.name for p in (self.server.state_dir / "code").iterdir()), code)
        r = self.publish("shared", self.layer_zip("two"), CompatibleRuntimes=["python3.12"])
        self.assertEqual(r.json()["Version"], 2)

        r = self.call("GET", f"{LAYERS}/shared/versions")
        self.assertEqual([v["Version"] for v in r.json()["LayerVersions"]], [2, 1])
        r = self.call("GET", f"{LAYERS}/shared/versions?CompatibleRuntime=provided.al2023")
        self.assertEqual([v["Version"] for v in r.json()["LayerVersions"]], [1])
        r = self.call("GET", f"{LAYERS}/shared/versions?MaxItems=1")
        self.assertEqual(len(r.json()["LayerVersions"]), 1)
        r = self.call("GET", f"{LAYERS}/shared/versions?Marker={r.json()['NextMarker']}")
        self.assertEqual([v["Version"] for v in r.json()["LayerVersions"]], [1])
        r = self.call("GET", f"{LAYERS}?CompatibleRuntime=provided.al2023")
        self.assertEqual([(l["LayerName"], l["LatestMatchingVersion"]["Version"])
                          for l in r.json()["Layers"]], [("shared", 1)])
        r = self.call("GET", f"{LAYERS}?find=LayerVersion&Arn={urllib.parse.quote(arn1)}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Description"], "first")
        self.assert_error(self.call("GET", f"{LAYERS}/shared/versions/9"), 404,
                          "ResourceNotFoundException")

        # A function made with the layer sees it under /opt, and keeps it when the version goes.
        r = self.call("POST", FUNCTIONS, fa.create_body(
            "uses-layer", fa.bash_zip('response="{\\"said\\":\\"$(/opt/bin/hello)\\"}"'),
            Layers=[arn1]))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["Layers"][0]["Arn"], arn1)
        self.assert_error(self.call("POST", FUNCTIONS, fa.create_body(
            "missing-layer", fa.bash_zip(""), Layers=[arn1[:-1] + "7"])), 400,
            "InvalidParameterValueException")
        wait_until(lambda: self.call("GET", f"{FUNCTIONS}/uses-layer/configuration")
                   .json()["State"] == "Active", 10)
        self.assertEqual(self.server.invoke_ok(self, "uses-layer").json(), {"said": "one"})
        self.assertEqual(self.call("DELETE", f"{LAYERS}/shared/versions/1").status, 204)
        self.assertEqual(self.call("DELETE", f"{LAYERS}/shared/versions/1").status, 204)
        self.assert_error(self.call("GET", f"{LAYERS}/shared/versions/1"), 404,
                          "ResourceNotFoundException")

        self.restart()
        self.assertEqual(self.server.invoke_ok(self, "uses-layer").json(), {"said": "one"})
        r = self.call("GET", f"{LAYERS}/shared/versions")
        self.assertEqual([v["Version"] for v in r.json()["LayerVersions"]], [2])
        self.assertEqual(self.publish("shared", zip1).json()["Version"], 3)  # never reused

    def test_layer_uploads(self):
        # Over Lambda's body limit: 413 from the header, as CreateFunction.
        r = self.server.request("POST", f"{LAYERS}/big/versions", b"x" * 69905068,
                                {"Content-Type": "application/json"})
        self.assert_error(r, 413, "RequestEntityTooLargeException",
                          "Request must be smaller than 69905067 bytes for the "
                          "PublishLayerVersion operation")
        # Over the invoke limit, under Lambda's: taken.
        data = os.urandom(10 << 20)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
            z.writestr("data.bin", data)
        r = self.publish("big", buffer.getvalue())
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["Content"]["CodeSize"], len(buffer.getvalue()))
        self.assert_error(self.call("GET", f"{LAYERS}/big/versions/1x"), 404,
                          "ResourceNotFoundException")
        r = self.call("GET", f"{LAYERS}/big/versions/1")
        location = r.json()["Content"]["Location"]
        forged = location.replace("Signature=", "Signature=0")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(forged, timeout=10)
        self.assertEqual(e.exception.code, 403)

    def test_template_layer_is_version_one_of_its_folder(self):
        server = Server(template=textwrap.dedent("""\
            Resources:
              Common:
                Type: AWS::Serverless::LayerVersion
                Properties:
                  ContentUri: common/
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: provided.al2023
                  Handler: bootstrap
                  CodeUri: fn/
                  Layers: [!Ref Common]
            """))
        self.addCleanup(server.cleanup)
        (server.root / "common" / "bin").mkdir(parents=True)
        (server.root / "common" / "bin" / "hello").write_text("#!/bin/bash\necho -n t\n")
        (server.root / "fn").mkdir()
        (server.root / "fn" / "bootstrap").write_text(bash_function("x", "").code)
        server.start()
        r = server.request("GET", LAYERS)
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(l["LayerName"], l["LatestMatchingVersion"]["Version"])
                          for l in r.json()["Layers"]], [("common", 1)])
        r = server.request("GET", f"{LAYERS}/common/versions/1")
        self.assertEqual(r.status, 200, r)
        with urllib.request.urlopen(r.json()["Content"]["Location"], timeout=10) as download:
            body = download.read()
        self.assertEqual(len(body), r.json()["Content"]["CodeSize"])
        self.assertEqual(base64.b64encode(hashlib.sha256(body).digest()).decode(),
                         r.json()["Content"]["CodeSha256"])
        r = server.request("DELETE", f"{LAYERS}/common/versions/1")
        self.assertEqual(r.status, 409, r)
        r = server.request("POST", f"{LAYERS}/common/versions", json.dumps(
            {"Content": {"ZipFile": base64.b64encode(self.layer_zip("api")).decode()}}))
        self.assertEqual(r.json()["Version"], 2)


if __name__ == "__main__":
    unittest.main()
