"""Provisioned concurrency configs through boto3 and the AWS CLI v2: put on an alias (202
IN_PROGRESS), READY once the workers are initialised, get / list (the CLI's
`list-provisioned-concurrency-configs` and boto3's paginator), a warm invoke of the alias, delete,
and the refusals ($LATEST, above the reservation, a conflict) as each client names them."""

import json
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from boto3_clients import Boto3TestCase  # noqa: E402
from harness import bash_function, function_arn  # noqa: E402
from cli_clients import AwsCliTestCase  # noqa: E402
from test_awscli import AWS  # noqa: E402
from test_function_api_clients import ROLE, bash_zip  # noqa: E402


def wait_for(predicate, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


class Boto3ProvisionedTest(Boto3TestCase):
    @classmethod
    def functions(cls):
        return [bash_function("Tmpl", 'response="{}"', AutoPublishAlias="live",
                              ProvisionedConcurrencyConfig={"ProvisionedConcurrentExecutions": 1})]

    def test_provisioned_on_an_alias(self):
        lam = self.lam
        lam.create_function(FunctionName="pc", Runtime="provided.al2023", Role=ROLE,
                            Handler="bootstrap", Publish=True,
                            Code={"ZipFile": bash_zip('response="{\\"v\\":1}"')})
        lam.get_waiter("function_active_v2").wait(FunctionName="pc", WaiterConfig={"Delay": 1})
        lam.create_alias(FunctionName="pc", Name="prod", FunctionVersion="1")

        put = lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="prod",
                                                     ProvisionedConcurrentExecutions=2)
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(put["RequestedProvisionedConcurrentExecutions"], 2)
        self.assertIn(put["Status"], ("IN_PROGRESS", "READY"))

        def ready():
            got = lam.get_provisioned_concurrency_config(FunctionName="pc", Qualifier="prod")
            return got if got["Status"] == "READY" else None
        got = wait_for(ready)
        self.assertTrue(got, "READY within seconds")
        self.assertEqual(got["AvailableProvisionedConcurrentExecutions"], 2)
        self.assertEqual(got["AllocatedProvisionedConcurrentExecutions"], 2)

        pages = lam.get_paginator("list_provisioned_concurrency_configs").paginate(
            FunctionName="pc", PaginationConfig={"PageSize": 1})
        items = [c for page in pages for c in page["ProvisionedConcurrencyConfigs"]]
        self.assertEqual([c["FunctionArn"] for c in items], [function_arn("pc", "prod")])

        r = lam.invoke(FunctionName="pc", Qualifier="prod", Payload=b"{}", LogType="Tail")
        self.assertEqual(json.loads(r["Payload"].read()), {"v": 1})
        self.assertEqual(r["ExecutedVersion"], "1")

        template = lam.get_provisioned_concurrency_config(FunctionName="Tmpl", Qualifier="live")
        self.assertEqual(template["RequestedProvisionedConcurrentExecutions"], 1)

        with self.assertRaises(lam.exceptions.InvalidParameterValueException):
            lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="$LATEST",
                                                   ProvisionedConcurrentExecutions=1)
        with self.assertRaises(lam.exceptions.ResourceConflictException):
            lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="1",
                                                   ProvisionedConcurrentExecutions=1)
        with self.assertRaises(lam.exceptions.ResourceNotFoundException):
            lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="nope",
                                                   ProvisionedConcurrentExecutions=1)
        lam.put_function_concurrency(FunctionName="pc", ReservedConcurrentExecutions=2)
        with self.assertRaises(lam.exceptions.InvalidParameterValueException):
            lam.put_provisioned_concurrency_config(FunctionName="pc", Qualifier="prod",
                                                   ProvisionedConcurrentExecutions=3)

        r = lam.delete_provisioned_concurrency_config(FunctionName="pc", Qualifier="prod")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(lam.exceptions.ProvisionedConcurrencyConfigNotFoundException):
            lam.get_provisioned_concurrency_config(FunctionName="pc", Qualifier="prod")
        self.assertEqual(lam.list_provisioned_concurrency_configs(FunctionName="pc")
                         ["ProvisionedConcurrencyConfigs"], [])


class AwsCliProvisionedTest(AwsCliTestCase):
    @classmethod
    def functions(cls):
        return [bash_function("Cli", 'response="{\\"ok\\":true}"', AutoPublishAlias="live")]

    def test_provisioned_through_the_cli(self):
        # The template's alias has no config: the API publishes version 2 and aliases it.
        self.aws("lambda", "publish-version", "--function-name", "Cli")
        self.aws("lambda", "create-alias", "--function-name", "Cli", "--name", "prod",
                 "--function-version", "2")
        put = self.aws("lambda", "put-provisioned-concurrency-config", "--function-name", "Cli",
                       "--qualifier", "prod", "--provisioned-concurrent-executions", "1")
        self.assertEqual(put["RequestedProvisionedConcurrentExecutions"], 1)

        def ready():
            got = self.aws("lambda", "get-provisioned-concurrency-config", "--function-name",
                           "Cli", "--qualifier", "prod")
            return got if got["Status"] == "READY" else None
        self.assertTrue(wait_for(ready), "READY within seconds")
        listed = self.aws("lambda", "list-provisioned-concurrency-configs", "--function-name",
                          "Cli")
        self.assertEqual([c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]],
                         [function_arn("Cli", "prod")])

        err = self.aws("lambda", "put-provisioned-concurrency-config", "--function-name", "Cli",
                       "--qualifier", "$LATEST", "--provisioned-concurrent-executions", "1",
                       ok=False)
        self.assertIn("(InvalidParameterValueException)", err)
        err = self.aws("lambda", "put-provisioned-concurrency-config", "--function-name", "Cli",
                       "--qualifier", "live", "--provisioned-concurrent-executions", "1",
                       ok=False)
        self.assertIn("(ResourceConflictException)", err)

        self.aws("lambda", "delete-provisioned-concurrency-config", "--function-name", "Cli",
                 "--qualifier", "prod")
        err = self.aws("lambda", "get-provisioned-concurrency-config", "--function-name", "Cli",
                       "--qualifier", "prod", ok=False)
        self.assertIn("(ProvisionedConcurrencyConfigNotFoundException)", err)


if __name__ == "__main__":
    unittest.main()
