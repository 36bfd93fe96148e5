"""The stored operations through the AWS CLI v2 and boto3: tags, resource policies,
FunctionEventInvokeConfig and layers (publish, use in create-function, list, get, delete), as a
script or a CI pipeline would call them."""

import io
import json
import sys
import unittest
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase, bash_function, function_arn  # noqa: E402
from cli_clients import AwsCliTestCase  # noqa: E402
from test_awscli import AWS  # noqa: E402
from boto3_clients import Boto3TestCase, client, require_boto3  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
LAYER_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:"


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            z.writestr(info, text)
    return buffer.getvalue()


def uses_layer_zip() -> bytes:
    return zip_of({"bootstrap": bash_function(
        "x", 'response="{\\"said\\":\\"$(/opt/bin/hello)\\"}"').code})


class AwsCliStoredOpsTest(AwsCliTestCase):
    cli_prefix = ("lambda",)

    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "", Tags={"team": "core"})]

    def test_tags(self):
        arn = function_arn("FromTemplate")
        self.aws("tag-resource", "--resource", arn, "--tags", "owner=me,stage=dev")
        self.assertEqual(self.aws("list-tags", "--resource", arn)["Tags"],
                         {"lambda:createdBy": "SAM", "team": "core", "owner": "me",
                          "stage": "dev"})
        self.aws("untag-resource", "--resource", arn, "--tag-keys", "stage", "owner")
        self.assertEqual(self.aws("list-tags", "--resource", arn)["Tags"],
                         {"lambda:createdBy": "SAM", "team": "core"})
        self.assertIn("InvalidParameterValueException",
                      self.aws("tag-resource", "--resource", arn, "--tags", "aws:x=y", ok=False))

    def test_policy(self):
        added = self.aws("add-permission", "--function-name", "FromTemplate", "--statement-id",
                         "sns", "--action", "lambda:InvokeFunction", "--principal",
                         "sns.amazonaws.com", "--source-arn",
                         "arn:aws:sns:us-east-1:123456789012:topic")
        self.assertEqual(json.loads(added["Statement"])["Principal"],
                         {"Service": "sns.amazonaws.com"})
        policy = json.loads(self.aws("get-policy", "--function-name", "FromTemplate")["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["sns"])
        self.assertIn("ResourceConflictException", self.aws(
            "add-permission", "--function-name", "FromTemplate", "--statement-id", "sns",
            "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com", ok=False))
        self.aws("remove-permission", "--function-name", "FromTemplate", "--statement-id", "sns")
        self.assertIn("ResourceNotFoundException",
                      self.aws("get-policy", "--function-name", "FromTemplate", ok=False))

    def test_event_invoke_config(self):
        put = self.aws("put-function-event-invoke-config", "--function-name", "FromTemplate",
                       "--maximum-retry-attempts", "0", "--maximum-event-age-in-seconds", "600")
        self.assertEqual(put["FunctionArn"], function_arn("FromTemplate", "$LATEST"))
        updated = self.aws("update-function-event-invoke-config", "--function-name",
                           "FromTemplate", "--maximum-retry-attempts", "1")
        self.assertEqual((updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]),
                         (1, 600))
        listed = self.aws("list-function-event-invoke-configs", "--function-name",
                          "FromTemplate")["FunctionEventInvokeConfigs"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(self.aws("get-function-event-invoke-config", "--function-name",
                                  "FromTemplate")["MaximumRetryAttempts"], 1)
        self.aws("delete-function-event-invoke-config", "--function-name", "FromTemplate")
        self.assertIn("ResourceNotFoundException", self.aws(
            "get-function-event-invoke-config", "--function-name", "FromTemplate", ok=False))

    def test_layers(self):
        tmp = Path(self.tmp.name)
        (tmp / "layer.zip").write_bytes(zip_of({"bin/hello": "#!/bin/bash\necho -n cli\n"}))
        (tmp / "fn.zip").write_bytes(uses_layer_zip())
        published = self.aws("publish-layer-version", "--layer-name", "cli-layer",
                             "--zip-file", f"fileb://{tmp / 'layer.zip'}",
                             "--compatible-runtimes", "provided.al2023")
        arn = LAYER_ARN + "cli-layer:1"
        self.assertEqual(published["LayerVersionArn"], arn)
        got = self.aws("get-layer-version-by-arn", "--arn", arn)
        self.assertEqual(got["Content"]["CodeSha256"], published["Content"]["CodeSha256"])
        names = [l["LayerName"] for l in self.aws("list-layers")["Layers"]]
        self.assertIn("cli-layer", names)
        self.assertEqual([v["Version"] for v in self.aws(
            "list-layer-versions", "--layer-name", "cli-layer")["LayerVersions"]], [1])
        self.aws("create-function", "--function-name", "cli-layered", "--runtime",
                 "provided.al2023", "--handler", "bootstrap", "--role", ROLE, "--zip-file",
                 f"fileb://{tmp / 'fn.zip'}", "--layers", arn)
        self.aws("wait", "function-active-v2", "--function-name", "cli-layered")
        self.aws("invoke", "--function-name", "cli-layered", str(tmp / "out.json"))
        self.assertEqual(json.loads((tmp / "out.json").read_text()), {"said": "cli"})
        self.aws("delete-layer-version", "--layer-name", "cli-layer", "--version-number", "1")
        self.assertIn("ResourceNotFoundException", self.aws(
            "get-layer-version", "--layer-name", "cli-layer", "--version-number", "1", ok=False))


class Boto3StoredOpsTest(Boto3TestCase):
    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    def test_stored_operations(self):
        lam = self.lam
        arn = function_arn("FromTemplate")
        lam.tag_resource(Resource=arn, Tags={"k": "v"})
        self.assertEqual(lam.list_tags(Resource=arn)["Tags"]["k"], "v")
        self.assertEqual(lam.get_function(FunctionName="FromTemplate")["Tags"]["k"], "v")
        lam.untag_resource(Resource=arn, TagKeys=["k"])
        self.assertNotIn("k", lam.list_tags(Resource=arn)["Tags"])

        lam.add_permission(FunctionName="FromTemplate", StatementId="s3",
                           Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                           SourceAccount="123456789012")
        policy = lam.get_policy(FunctionName="FromTemplate")
        self.assertEqual(json.loads(policy["Policy"])["Statement"][0]["Condition"],
                         {"StringEquals": {"AWS:SourceAccount": "123456789012"}})
        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.add_permission(FunctionName="FromTemplate", StatementId="s3",
                               Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        lam.remove_permission(FunctionName="FromTemplate", StatementId="s3")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_policy(FunctionName="FromTemplate")

        config = lam.put_function_event_invoke_config(
            FunctionName="FromTemplate", MaximumRetryAttempts=2,
            DestinationConfig={"OnFailure": {"Destination":
                                             "arn:aws:sqs:us-east-1:123456789012:dlq"}})
        self.assertEqual(config["DestinationConfig"]["OnFailure"]["Destination"],
                         "arn:aws:sqs:us-east-1:123456789012:dlq")
        self.assertEqual(lam.get_function_event_invoke_config(
            FunctionName="FromTemplate")["MaximumRetryAttempts"], 2)
        with self.assertRaises(lam.exceptions.ClientError) as e:
            # botocore checks minimums itself, not maximums: lambdad refuses this one.
            lam.put_function_event_invoke_config(FunctionName="FromTemplate",
                                                 MaximumRetryAttempts=3)
        self.assertIn("ValidationException", str(e.exception))

        layer = lam.publish_layer_version(
            LayerName="boto-layer",
            Content={"ZipFile": zip_of({"bin/hello": "#!/bin/bash\necho -n boto\n"})},
            CompatibleRuntimes=["provided.al2023"])
        self.assertEqual(layer["Version"], 1)
        created = lam.create_function(FunctionName="boto-layered", Runtime="provided.al2023",
                                      Role=ROLE, Handler="bootstrap",
                                      Code={"ZipFile": uses_layer_zip()},
                                      Layers=[layer["LayerVersionArn"]])
        self.assertEqual(created["Layers"][0]["Arn"], layer["LayerVersionArn"])
        lam.get_waiter("function_active_v2").wait(FunctionName="boto-layered",
                                                  WaiterConfig={"Delay": 1})
        out = lam.invoke(FunctionName="boto-layered")
        self.assertEqual(json.loads(out["Payload"].read()), {"said": "boto"})
        pages = lam.get_paginator("list_layer_versions").paginate(LayerName="boto-layer")
        self.assertEqual([v["Version"] for p in pages for v in p["LayerVersions"]], [1])
        lam.delete_layer_version(LayerName="boto-layer", VersionNumber=1)
        self.assertEqual(lam.list_layers()["Layers"], [])


if __name__ == "__main__":
    unittest.main()
