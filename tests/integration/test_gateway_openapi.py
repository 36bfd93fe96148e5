"""OpenAPI-defined APIs served through the real binary: a REST API from an inline `DefinitionBody`
(aws_proxy with `{proxy+}` and x-amazon-apigateway-any-method, a TOKEN authorizer from
`x-amazon-apigateway-authorizer`, a mock, an http_proxy to a local upstream, an `aws` SQS
integration and a function outside the template answering 500, an event route beside the
document's) and an HTTP API from a `DefinitionUri` file (aws_proxy on payload 2.0 and 1.0, a
`request` authorizer with simple responses, an `AWS::Include`-free JSON-free YAML file)."""

from __future__ import annotations

import http.server
import json
import threading
import time
import unittest

from harness import Server, bash_function

PY = "/usr/bin/python3"

# The event, sent back as the body (content-type JSON).
ECHO = f"""
response=$(printf '%s' "$event" | {PY} -c 'import json,sys; print(json.dumps({{"statusCode": 200, "headers": {{"content-type": "application/json"}}, "body": sys.stdin.read()}}))')
"""

# A REST TOKEN authorizer ("allow" allows, anything else denies) and an HTTP API simple-response
# authorizer (Authorization "allow" is authorized).
AUTHORIZER = f"""
response=$(printf '%s' "$event" | {PY} -c '
import json, sys
e = json.load(sys.stdin)
if "authorizationToken" in e:
    ok = e["authorizationToken"] == "allow"
    print(json.dumps({{"principalId": "u", "context": {{"who": "ada"}}, "policyDocument": {{
        "Version": "2012-10-17", "Statement": [{{"Action": "execute-api:Invoke",
        "Effect": "Allow" if ok else "Deny", "Resource": e["methodArn"]}}]}}}}))
else:
    ok = (e.get("headers") or {{}}).get("authorization") == "allow"
    print(json.dumps({{"isAuthorized": ok, "context": {{"who": "bob"}}}}))
')
"""


class Upstream(http.server.BaseHTTPRequestHandler):
    """Answers every request with what it received, status 207 and a header of its own."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        payload = json.dumps({"method": self.command, "path": self.path, "body": body,
                              "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(207)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


def rest_template(upstream_port: int, closed_port: int) -> str:
    return f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  RestApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: '2.0'
        info: {{title: shop}}
        securityDefinitions:
          TokenAuth:
            type: apiKey
            name: Authorization
            in: header
            x-amazon-apigateway-authtype: custom
            x-amazon-apigateway-authorizer:
              type: token
              authorizerUri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Authorizer.Arn}}/invocations
              authorizerResultTtlInSeconds: 0
        paths:
          /items/{{proxy+}}:
            x-amazon-apigateway-any-method:
              parameters:
                - {{name: proxy, in: path, required: true, type: string}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Echo.Arn}}/invocations
          /secure:
            get:
              security:
                - TokenAuth: []
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !GetAtt Echo.Arn
          /mock:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{{"statusCode": 200}}'
                responses:
                  default:
                    statusCode: '201'
                    responseParameters:
                      method.response.header.X-Mock: "'yes'"
                    responseTemplates:
                      application/json: '{{"mocked": true}}'
          /up/{{proxy+}}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: ANY
                uri: http://127.0.0.1:{upstream_port}/base/{{proxy}}
                requestParameters:
                  integration.request.path.proxy: method.request.path.proxy
          /down:
            get:
              x-amazon-apigateway-integration:
                type: http_proxy
                httpMethod: GET
                uri: http://127.0.0.1:{closed_port}/nothing
          /queue:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${{AWS::Region}}:sqs:path/${{AWS::AccountId}}/my-queue
          /elsewhere:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: arn:aws:lambda:us-east-1:123456789012:function:not-in-template
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: api/http.yaml
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/Echo/
      Handler: function.handler
      Runtime: provided.al2023
      Events:
        Extra:
          Type: Api
          Properties: {{RestApiId: !Ref RestApi, Path: /extra, Method: get}}
  Authorizer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/Authorizer/
      Handler: function.handler
      Runtime: provided.al2023
"""


HTTP_DOCUMENT = """
openapi: 3.0.1
info: {title: stream}
components:
  securitySchemes:
    Simple:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${Authorizer.Arn}/invocations
        authorizerPayloadFormatVersion: '2.0'
        enableSimpleResponses: true
        identitySource: $request.header.Authorization
paths:
  /v2/{id}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        payloadFormatVersion: '2.0'
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations
  /v1:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        payloadFormatVersion: '1.0'
        uri: arn:aws:lambda:us-east-1:123456789012:function:Echo
  /guarded:
    get:
      security:
        - Simple: []
      x-amazon-apigateway-integration:
        type: aws_proxy
        payloadFormatVersion: '2.0'
        uri: arn:aws:lambda:us-east-1:123456789012:function:Echo
"""


class OpenApiGatewayTest(unittest.TestCase):
    server: Server
    upstream: http.server.ThreadingHTTPServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
        threading.Thread(target=cls.upstream.serve_forever, daemon=True).start()
        # A port nothing listens on: bound, then closed.
        probe = http.server.HTTPServer(("127.0.0.1", 0), Upstream)
        closed_port = probe.server_address[1]
        probe.server_close()
        functions = [bash_function("Echo", ECHO), bash_function("Authorizer", AUTHORIZER)]
        cls.server = Server(functions,
                            template=rest_template(cls.upstream.server_address[1], closed_port))
        (cls.server.root / "api").mkdir()
        (cls.server.root / "api" / "http.yaml").write_text(HTTP_DOCUMENT)
        cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            cls.server.stop()
        finally:
            cls.server.cleanup()
            cls.upstream.shutdown()
            cls.upstream.server_close()

    def gw(self, method: str, path: str, body: str | None = None,
           headers: dict[str, str] | None = None):
        return self.server.request(method, path, body, headers, port=self.server.api_port)

    # -- REST from DefinitionBody --

    def test_aws_proxy_greedy_any_method(self) -> None:
        r = self.gw("PATCH", "/items/a/b?x=1", body="hi")
        self.assertEqual(r.status, 200, r)
        event = r.json()
        self.assertEqual(event["resource"], "/items/{proxy+}")
        self.assertEqual(event["httpMethod"], "PATCH")
        self.assertEqual(event["pathParameters"], {"proxy": "a/b"})
        self.assertEqual(event["queryStringParameters"], {"x": "1"})
        self.assertEqual(event["body"], "hi")
        self.assertTrue(r.header("x-amzn-RequestId"), r)

    def test_event_route_beside_the_document(self) -> None:
        r = self.gw("GET", "/extra")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["resource"], "/extra")

    def test_token_authorizer_from_the_document(self) -> None:
        self.assertEqual(self.gw("GET", "/secure").status, 401)
        denied = self.gw("GET", "/secure", headers={"Authorization": "nope"})
        self.assertEqual(denied.status, 403, denied)
        allowed = self.gw("GET", "/secure", headers={"Authorization": "allow"})
        self.assertEqual(allowed.status, 200, allowed)
        self.assertEqual(allowed.json()["requestContext"]["authorizer"]["who"], "ada")

    def test_mock(self) -> None:
        r = self.gw("GET", "/mock")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("X-Mock"), "yes")
        self.assertEqual(r.json(), {"mocked": True})

    def test_http_proxy_to_a_local_upstream(self) -> None:
        r = self.gw("POST", "/up/a/b%20c?q=1&q=2", body='{"n": 1}',
                    headers={"X-Client": "me", "Content-Type": "application/json"})
        self.assertEqual(r.status, 207, r)
        self.assertEqual(r.header("X-Upstream"), "yes")
        seen = r.json()
        self.assertEqual(seen["method"], "POST")
        self.assertEqual(seen["path"], "/base/a/b%20c?q=1&q=2")
        self.assertEqual(seen["body"], '{"n": 1}')
        self.assertEqual(seen["headers"]["x-client"], "me")
        self.assertEqual(seen["headers"]["host"], f"127.0.0.1:{self.upstream.server_address[1]}")
        got = self.gw("GET", "/up/x")
        self.assertEqual(got.json()["method"], "GET")

    def test_http_proxy_upstream_down(self) -> None:
        r = self.gw("GET", "/down")
        self.assertEqual(r.status, 500, r)
        self.assertEqual(r.body.decode(), '{"message": "Internal server error"}')

    def test_aws_integration_answers_500_naming_it(self) -> None:
        r = self.gw("POST", "/queue", body="{}")
        self.assertEqual(r.status, 500, r)
        self.assertIn("lambdad does not run this integration", r.json()["message"])
        self.assertEqual(r.header("x-amzn-ErrorType"), "InternalServerErrorException")
        self.assertIn("POST /queue: lambdad does not run an AWS service integration (sqs)",
                      self.server.stderr() + self.server.stdout_path.read_text())

    def test_function_outside_the_template(self) -> None:
        r = self.gw("GET", "/elsewhere")
        self.assertEqual(r.status, 500, r)
        self.assertIn("function 'not-in-template' is not in this template",
                      self.server.stderr() + self.server.stdout_path.read_text())

    # -- HTTP API from DefinitionUri --

    def test_http_api_payload_2(self) -> None:
        r = self.gw("GET", "/v2/42")
        self.assertEqual(r.status, 200, r)
        event = r.json()
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["routeKey"], "GET /v2/{id}")
        self.assertEqual(event["pathParameters"], {"id": "42"})
        self.assertTrue(r.header("apigw-requestid"), r)

    def test_http_api_payload_1(self) -> None:
        r = self.gw("POST", "/v1", body="x")
        self.assertEqual(r.status, 200, r)
        event = r.json()
        self.assertEqual(event["version"], "1.0")
        self.assertEqual(event["httpMethod"], "POST")

    def test_http_api_request_authorizer(self) -> None:
        self.assertEqual(self.gw("GET", "/guarded").status, 401)
        self.assertEqual(self.gw("GET", "/guarded", headers={"Authorization": "no"}).status, 403)
        r = self.gw("GET", "/guarded", headers={"Authorization": "allow"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["authorizer"]["lambda"]["who"], "bob")


class OpenApiHotReloadTest(unittest.TestCase):
    """An edit of a DefinitionUri file is a redeploy, as an edit of the template is."""

    def test_document_edit_reloads_routes(self) -> None:
        template = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionUri: openapi.yaml
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/Echo/
      Handler: function.handler
      Runtime: provided.al2023
"""
        document = """
openapi: 3.0.1
paths:
  {path}:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        payloadFormatVersion: '2.0'
        uri: arn:aws:lambda:us-east-1:123456789012:function:Echo
"""
        server = Server([bash_function("Echo", ECHO)], template=template)
        try:
            (server.root / "openapi.yaml").write_text(document.format(path="/before"))
            server.start()
            gw = lambda path: server.request("GET", path, port=server.api_port)
            self.assertEqual(gw("/before").status, 200)
            self.assertEqual(gw("/after").status, 404)
            (server.root / "openapi.yaml").write_text(document.format(path="/after"))
            deadline = time.monotonic() + 10
            while gw("/after").status != 200 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(gw("/after").status, 200)
            self.assertEqual(gw("/before").status, 404)
            server.stop()
        finally:
            server.cleanup()


class OpenApiEventsMergeTest(unittest.TestCase):
    """SAM adds the Api / HttpApi events that name an API to its document: a DefinitionBody
    without paths serves the events' routes; one with paths serves both its own and the
    events'."""

    def test_document_without_paths_and_document_beside_events(self) -> None:
        template = """
Transform: AWS::Serverless-2016-10-31
Resources:
  NoPaths:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: 3.0.1
        info: {title: only events}
  Mixed:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: 3.0.1
        info: {title: both}
        paths:
          /from-document:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                payloadFormatVersion: '2.0'
                uri: !GetAtt Echo.Arn
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/Echo/
      Handler: function.handler
      Runtime: provided.al2023
      Timeout: 30
      Events:
        Rest:
          Type: Api
          Properties: {RestApiId: !Ref NoPaths, Path: /from-event, Method: get}
        Http:
          Type: HttpApi
          Properties: {ApiId: !Ref Mixed, Path: /also-from-event, Method: post}
"""
        with Server([bash_function("Echo", ECHO)], template=template) as server:
            gw = lambda method, path: server.request(method, path, port=server.api_port)
            r = gw("GET", "/from-event")
            self.assertEqual(r.status, 200, (r, server.stderr()[-3000:]))
            self.assertEqual(r.json()["resource"], "/from-event")  # a REST (1.0) event
            r = gw("GET", "/from-document")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["routeKey"], "GET /from-document")  # HTTP API, 2.0
            r = gw("POST", "/also-from-event")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["routeKey"], "POST /also-from-event")
            self.assertEqual(gw("GET", "/nowhere").status, 404)


if __name__ == "__main__":
    unittest.main()
