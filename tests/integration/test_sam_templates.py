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


# The shape of `sam init`'s python hello-world zip app (our own text): hello_world/ with a handler
# that imports only json, and a requirements.txt naming requests, which `lambdad build` cannot
# install without a package index. It must serve unchanged: the handler does not import requests.
SAM_INIT_PYTHON = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  python-app
Globals:
  Function:
    Timeout: 3
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
      Runtime: python3.14
      Architectures:
        - x86_64
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get
Outputs:
  HelloWorldApi:
    Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/hello/"
  HelloWorldFunction:
    Value: !GetAtt HelloWorldFunction.Arn
  HelloWorldFunctionIamRole:
    Value: !GetAtt HelloWorldFunctionRole.Arn
"""

SAM_INIT_PYTHON_APP = """\
import json

# import requests  (the app's commented-out example)


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"message": "hello world", "path": event["path"]}),
    }
"""


class SamInitPythonAppTest(unittest.TestCase):
    def test_hello_world_serves_its_first_route(self):
        server = Server(template=SAM_INIT_PYTHON)
        code = server.root / "hello_world"
        code.mkdir()
        (code / "__init__.py").write_text("")
        (code / "app.py").write_text(SAM_INIT_PYTHON_APP)
        (code / "requirements.txt").write_text("requests\n")
        try:
            r = run_cli(["validate", str(server.root)])
            self.assertEqual(r.returncode, 0, r)
            server.start()
            r = server.request("GET", "/hello", port=server.api_port)
            self.assertEqual(r.status, 200, (r, server.stderr()))
            self.assertEqual(r.json(), {"message": "hello world", "path": "/hello"})
            self.assertIn("requirements.txt packages are not installed (requests", server.stderr())
        finally:
            server.cleanup()


if __name__ == "__main__":
    sys.exit(unittest.main())
