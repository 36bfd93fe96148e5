"""SAM templates as users write them, through the real binary: a runtime newer than lambdad
knows, a parameter without Default, references to resources SAM generates and to queues, and the
warnings `validate` prints beside its errors."""

import json
import shutil
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

from harness import Server, run_cli

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: shop
Parameters:
  TableName:
    Type: String
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: orders
  Echo:
    Type: AWS::Serverless::Function
    Description: beside Type, as some templates have it
    Properties:
      CodeUri: fn/
      Handler: app.handler
      Runtime: python3.99
      FunctionName: !Sub '${AWS::StackName}-echo'
      AutoPublishAlias: live
      DurableConfig: {ExecutionTimeout: 60}
      Environment:
        Variables:
          TABLE: !Ref TableName
          QUEUE_ARN: !GetAtt Orders.Arn
          QUEUE_URL: !Ref Orders
          ROLE_ARN: !GetAtt EchoRole.Arn
          ALIAS: !Ref Echo.Alias
          API: !Sub 'https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod'
      Events:
        Get: {Type: Api, Properties: {Path: /echo, Method: get}}
"""

APP = """\
import os
def handler(event, context):
    return {k: os.environ.get(k) for k in ("TABLE", "QUEUE_ARN", "QUEUE_URL", "ROLE_ARN", "ALIAS", "API")}
"""


class SamTemplatesTest(unittest.TestCase):
    def test_a_template_sam_accepts_serves_unchanged(self):
        server = Server(template=TEMPLATE, args=["--parameter-overrides", "AWS::StackName=shop",
                                                 "AWS::Region=eu-west-1"])
        (server.root / "fn").mkdir()
        (server.root / "fn" / "app.py").write_text(APP)
        with server:
            seen = json.loads(server.invoke_ok(self, "shop-echo", {}).body)
            stderr = server.stderr()
        self.assertEqual(seen["TABLE"], "")
        self.assertEqual(seen["QUEUE_ARN"], "arn:aws:sqs:eu-west-1:123456789012:orders")
        self.assertEqual(seen["QUEUE_URL"], "https://sqs.eu-west-1.amazonaws.com/123456789012/orders")
        self.assertRegex(seen["ROLE_ARN"], r"^arn:aws:iam::123456789012:role/shop-EchoRole-[A-Z0-9]{12}$")
        self.assertEqual(seen["ALIAS"], "arn:aws:lambda:eu-west-1:123456789012:function:shop-echo:live")
        self.assertEqual(seen["API"], "https://ServerlessRestApi.execute-api.eu-west-1.amazonaws.com/Prod")
        self.assertIn("uses parameter 'TableName', which has no Default", stderr)
        self.assertIn("runtime python3.99 runs on this machine's Python", stderr)
        self.assertIn("DurableConfig", stderr)

    def test_validate_prints_warnings_beside_errors(self):
        folder = Path(tempfile.mkdtemp(prefix="lambdad-sam-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        (folder / "fn").mkdir()
        (folder / "fn" / "app.py").write_text(APP)
        (folder / "template.yaml").write_text(textwrap.dedent("""\
            Transform: AWS::Serverless-2016-10-31
            Parameters:
              Memory: {Type: Number}
            Resources:
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: fn/
                  Handler: app.handler
                  Runtime: java21
                  MemorySize: !Ref Memory
                  Timeout: 3
                  Timeout: 5
            """))
        r = run_cli(["validate", str(folder)])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("template.yaml:13: warning: duplicate key 'Timeout' at lines 12 and 13", r.stderr)
        self.assertIn("template.yaml:10: error: function 'Fn': Runtime 'java21' is not run by lambdad",
                      r.stderr)
        self.assertIn("template.yaml:11: error: function 'Fn': MemorySize uses parameter 'Memory', "
                      "which has no Default and no value: give it one with --parameter-overrides "
                      "Memory=VALUE", r.stderr)
        r = run_cli(["validate", str(folder), "--parameter-overrides", "Memory=256"])
        self.assertNotIn("MemorySize", r.stderr)


if __name__ == "__main__":
    sys.exit(unittest.main())
