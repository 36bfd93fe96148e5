"""Versions and aliases through the AWS CLI v2 and boto3, as a deploy script would use them:
create-function --publish, update-function-code, publish-version (its CodeSha256 condition),
list-versions-by-function (boto3's paginator), aliases with weighted routing, invoking a
qualifier (the executed version answered), update/get/list aliases, delete-function of a version
(refused while an alias routes to it), delete-alias, and a restart on the same state dir that
finds it all again."""

import base64
import hashlib
import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import ServerTestCase, bash_function, function_arn  # noqa: E402
from cli_clients import AwsCliTestCase  # noqa: E402
from test_awscli import AWS  # noqa: E402
from boto3_clients import Boto3TestCase, client, require_boto3  # noqa: E402
from test_function_api_clients import ROLE, bash_zip  # noqa: E402


def version_zip(text: str) -> bytes:
    """A function answering {"v": text}."""
    return bash_zip(f'response="{{\\"v\\":\\"{text}\\"}}"')


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class AwsCliVersionsTest(AwsCliTestCase):
    cli_prefix = ("lambda",)

    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    def invoke(self, qualifier: str) -> tuple[str, str]:
        """The answer's "v" and the executed version."""
        out = Path(self.tmp.name) / "out.json"
        meta = self.aws("invoke", "--function-name", "cli-v", "--qualifier", qualifier, str(out))
        self.assertEqual(meta["StatusCode"], 200, meta)
        return json.loads(out.read_text())["v"], meta["ExecutedVersion"]

    def versions(self) -> list[str]:
        listed = self.aws("list-versions-by-function", "--function-name", "cli-v")
        return [v["Version"] for v in listed["Versions"]]

    def test_life_of_versions_and_aliases(self):
        tmp = Path(self.tmp.name)
        (tmp / "one.zip").write_bytes(version_zip("one"))
        (tmp / "two.zip").write_bytes(version_zip("two"))
        created = self.aws("create-function", "--function-name", "cli-v", "--runtime",
                           "provided.al2023", "--handler", "bootstrap", "--role", ROLE,
                           "--zip-file", f"fileb://{tmp / 'one.zip'}", "--publish")
        self.assertEqual(created["Version"], "1")
        self.assertEqual(created["FunctionArn"], function_arn("cli-v", "1"))
        self.aws("wait", "function-active-v2", "--function-name", "cli-v")
        self.assertEqual(self.invoke("1"), ("one", "1"))

        self.aws("update-function-code", "--function-name", "cli-v", "--zip-file",
                 f"fileb://{tmp / 'two.zip'}")
        self.aws("wait", "function-updated-v2", "--function-name", "cli-v")
        self.assertIn("InvalidParameterValueException", self.aws(
            "publish-version", "--function-name", "cli-v", "--code-sha256",
            sha256_b64(b"not the code"), ok=False))
        v2 = self.aws("publish-version", "--function-name", "cli-v", "--code-sha256",
                      sha256_b64((tmp / "two.zip").read_bytes()), "--description", "second")
        self.assertEqual((v2["Version"], v2["Description"]), ("2", "second"))
        self.assertEqual(self.versions(), ["$LATEST", "1", "2"])
        self.assertEqual(self.invoke("2"), ("two", "2"))
        self.assertEqual(self.invoke("$LATEST"), ("two", "$LATEST"))

        alias = self.aws("create-alias", "--function-name", "cli-v", "--name", "live",
                         "--function-version", "1", "--description", "stable",
                         # The shorthand as AWS's docs write it, after the shell took the quotes.
                         "--routing-config", "AdditionalVersionWeights={2=0.5}")
        self.assertEqual(alias["AliasArn"], function_arn("cli-v", "live"))
        self.assertEqual(alias["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.5}})
        seen = {self.invoke("live") for _ in range(30)}
        self.assertEqual(seen, {("one", "1"), ("two", "2")}, "0.5 of 30 calls: both versions")

        # A version an alias routes to stays.
        self.assertIn("ResourceConflictException", self.aws(
            "delete-function", "--function-name", "cli-v", "--qualifier", "1", ok=False))
        self.assertIn("PreconditionFailedException", self.aws(
            "update-alias", "--function-name", "cli-v", "--name", "live", "--function-version",
            "2", "--revision-id", "stale", ok=False))
        updated = self.aws("update-alias", "--function-name", "cli-v", "--name", "live",
                           "--function-version", "2", "--routing-config",
                           '{"AdditionalVersionWeights": {}}', "--revision-id",
                           alias["RevisionId"])
        self.assertEqual(updated["FunctionVersion"], "2")
        self.assertNotEqual(updated["RevisionId"], alias["RevisionId"])
        self.assertEqual(self.invoke("live"), ("two", "2"))
        got = self.aws("get-alias", "--function-name", "cli-v", "--name", "live")
        self.assertEqual((got["FunctionVersion"], got["Description"]), ("2", "stable"))
        self.assertFalse(got.get("RoutingConfig", {}).get("AdditionalVersionWeights"), got)
        self.aws("create-alias", "--function-name", "cli-v", "--name", "old",
                 "--function-version", "1")
        listed = self.aws("list-aliases", "--function-name", "cli-v")["Aliases"]
        self.assertEqual([(a["Name"], a["FunctionVersion"]) for a in listed],
                         [("live", "2"), ("old", "1")])
        by_version = self.aws("list-aliases", "--function-name", "cli-v", "--function-version",
                              "1")["Aliases"]
        self.assertEqual([a["Name"] for a in by_version], ["old"])

        # A restart on the same state dir finds the versions and aliases again.
        self.server.stop()
        self.server.start()
        self.assertEqual(self.versions(), ["$LATEST", "1", "2"])
        self.assertEqual([a["Name"] for a in self.aws("list-aliases", "--function-name",
                                                     "cli-v")["Aliases"]], ["live", "old"])
        self.assertEqual(self.invoke("old"), ("one", "1"))
        self.assertEqual(self.invoke("live"), ("two", "2"))

        self.assertIn("ResourceConflictException", self.aws(
            "delete-function", "--function-name", "cli-v", "--qualifier", "1", ok=False))
        self.aws("delete-alias", "--function-name", "cli-v", "--name", "old")
        self.aws("delete-function", "--function-name", "cli-v", "--qualifier", "1")
        self.assertEqual(self.versions(), ["$LATEST", "2"])
        self.assertIn("ResourceNotFoundException", self.aws(
            "get-alias", "--function-name", "cli-v", "--name", "old", ok=False))
        self.assertIn("ResourceNotFoundException", self.aws(
            "invoke", "--function-name", "cli-v", "--qualifier", "1", str(tmp / "x.json"),
            ok=False))
        self.aws("delete-function", "--function-name", "cli-v")
        self.assertIn("ResourceNotFoundException", self.aws(
            "list-versions-by-function", "--function-name", "cli-v", ok=False))


class Boto3VersionsTest(Boto3TestCase):
    @classmethod
    def functions(cls):
        return [bash_function("FromTemplate", "")]

    def invoke(self, qualifier: str) -> tuple[str, str]:
        r = self.lam.invoke(FunctionName="boto-v", Qualifier=qualifier, Payload=b"{}")
        return json.loads(r["Payload"].read())["v"], r["ExecutedVersion"]

    def versions(self) -> list[str]:
        pages = self.lam.get_paginator("list_versions_by_function").paginate(
            FunctionName="boto-v", PaginationConfig={"PageSize": 1})
        return [v["Version"] for page in pages for v in page["Versions"]]

    def test_life_of_versions_and_aliases(self):
        lam = self.lam
        created = lam.create_function(FunctionName="boto-v", Runtime="provided.al2023",
                                      Role=ROLE, Handler="bootstrap",
                                      Code={"ZipFile": version_zip("one")}, Publish=True)
        self.assertEqual(created["Version"], "1")
        lam.get_waiter("function_active_v2").wait(FunctionName="boto-v",
                                                   WaiterConfig={"Delay": 1})
        self.assertEqual(self.invoke("1"), ("one", "1"))

        updated = lam.update_function_code(FunctionName="boto-v", ZipFile=version_zip("two"))
        lam.get_waiter("function_updated_v2").wait(FunctionName="boto-v",
                                                    WaiterConfig={"Delay": 1})
        with self.assertRaises(lam.exceptions.InvalidParameterValueException):
            lam.publish_version(FunctionName="boto-v", CodeSha256=created["CodeSha256"])
        with self.assertRaises(lam.exceptions.PreconditionFailedException):
            lam.publish_version(FunctionName="boto-v", RevisionId="stale")
        v2 = lam.publish_version(FunctionName="boto-v", CodeSha256=updated["CodeSha256"])
        self.assertEqual(v2["Version"], "2")
        self.assertEqual(self.versions(), ["$LATEST", "1", "2"], "paged one at a time")
        three = lam.update_function_code(FunctionName="boto-v", ZipFile=version_zip("three"),
                                         Publish=True)
        self.assertEqual(three["Version"], "3")
        lam.get_waiter("function_updated_v2").wait(FunctionName="boto-v",
                                                    WaiterConfig={"Delay": 1})
        self.assertEqual(self.invoke("3"), ("three", "3"))

        alias = lam.create_alias(FunctionName="boto-v", Name="live", FunctionVersion="1",
                                 RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
        self.assertEqual(alias["RoutingConfig"]["AdditionalVersionWeights"], {"2": 0.5})
        self.assertEqual({self.invoke("live")[1] for _ in range(30)}, {"1", "2"})
        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.create_alias(FunctionName="boto-v", Name="live", FunctionVersion="2")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.create_alias(FunctionName="boto-v", Name="other", FunctionVersion="9")
        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.delete_function(FunctionName="boto-v", Qualifier="2")

        moved = lam.update_alias(FunctionName="boto-v", Name="live", FunctionVersion="3",
                                 RoutingConfig={"AdditionalVersionWeights": {}},
                                 RevisionId=alias["RevisionId"])
        self.assertEqual(moved["FunctionVersion"], "3")
        self.assertEqual(self.invoke("live"), ("three", "3"))
        self.assertEqual(lam.get_alias(FunctionName="boto-v", Name="live")["FunctionVersion"],
                         "3")
        pages = lam.get_paginator("list_aliases").paginate(FunctionName="boto-v")
        self.assertEqual([a["Name"] for page in pages for a in page["Aliases"]], ["live"])

        self.server.stop()
        self.server.start()
        lam = self.lam = client("lambda", self.server.lambda_url, read_timeout=60)
        self.assertEqual(self.versions(), ["$LATEST", "1", "2", "3"])
        self.assertEqual(lam.get_alias(FunctionName="boto-v", Name="live")["FunctionVersion"],
                         "3")
        self.assertEqual(self.invoke("live"), ("three", "3"))
        self.assertEqual(self.invoke("1"), ("one", "1"))

        lam.delete_function(FunctionName="boto-v", Qualifier="2")
        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.delete_function(FunctionName="boto-v", Qualifier="3")
        lam.delete_alias(FunctionName="boto-v", Name="live")
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.get_alias(FunctionName="boto-v", Name="live")
        lam.delete_function(FunctionName="boto-v", Qualifier="3")
        self.assertEqual(self.versions(), ["$LATEST", "1"])
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.invoke(FunctionName="boto-v", Qualifier="3", Payload=b"{}")
        lam.delete_function(FunctionName="boto-v")


if __name__ == "__main__":
    unittest.main()
