"""Lambda authorizers on the gateway port through real HTTP, declared the SAM way (`Auth` of an
`AWS::Serverless::Api` / `HttpApi`, `Globals.Api.Auth`, per-event `Auth.Authorizer`), with real
Node.js, Python and bash authorizer functions: TOKEN and REQUEST authorizers of REST APIs, HTTP API
authorizers on payload 1.0 (IAM policy) and 2.0 (simple responses); allow, deny, 401, context
reaching the function, result caching (each authorizer logs its invocations to a file in
$OUT_DIR), TTL 0, crash, timeout, error, garbage and throttled authorizers, routes without
authorizer, and CORS preflights."""

from __future__ import annotations

import json
import re
import shutil
import unittest
from typing import Any

from harness import ACCOUNT, REGION, Function, Server, _yaml, bash_function, handler_function
from test_gateway import ECHO_V1, GatewayServer, api_event, http_event

PY = "/usr/bin/python3"

# A REST TOKEN authorizer: the token's first part (before `:`; an optional `tok-` prefix dropped)
# says what to answer; the rest only makes the token unique, so that tests do not share cache
# entries.
TOKEN_AUTHORIZER = """
import { appendFileSync } from "node:fs";

const policy = (token, effect, resource, extra = {}) => ({
  principalId: "user-" + token,
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }, ...(extra.more || [])],
  },
  context: extra.context || { user: "ada", n: 42, ok: true },
  usageIdentifierKey: "key-1",
});

export const handler = async (event) => {
  appendFileSync(`${process.env.OUT_DIR}/token.log`, JSON.stringify(event) + "\\n");
  const token = event.authorizationToken;
  const kind = token.replace(/^tok-/, "").split(":")[0];
  const api = event.methodArn.split("/").slice(0, 2).join("/");  // arn:...:apiId/stage
  switch (kind) {
    case "allow": return policy(token, "Allow", event.methodArn);
    case "api": return policy(token, "Allow", api + "/*");
    case "items": return policy(token, "Allow", api + "/GET/ite?s");
    case "deny": return policy(token, "Deny", event.methodArn);
    case "mixed": return policy(token, "Allow", api + "/*/*",
                                { more: [{ Action: "execute-api:*", Effect: "Deny", Resource: api + "/GET/other" }] });
    case "unauthorized": throw new Error("Unauthorized");
    case "boom": throw new Error("boom");
    case "garbage": return "not a policy";
    case "nested": return policy(token, "Allow", event.methodArn, { context: { obj: { a: 1 } } });
    case "slow": await new Promise((resolve) => setTimeout(resolve, 5000)); return policy(token, "Allow", event.methodArn);
    case "crash": process.exit(3);
  }
  throw new Error("unknown token " + token);
};
"""

# A REST REQUEST authorizer (the implicit API's, from Globals.Api.Auth).
REQUEST_AUTHORIZER = """
import json, os

def handler(event, context):
    with open(os.path.join(os.environ["OUT_DIR"], "request.log"), "a") as f:
        f.write(json.dumps(event) + "\\n")
    user = (event.get("headers") or {}).get("X-User")
    if user == "unauthorized":
        raise Exception("Unauthorized")
    tenant = (event.get("queryStringParameters") or {}).get("tenant")
    return {
        "principalId": user,
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Action": "execute-api:Invoke",
            "Effect": "Allow" if user == "ada" else "Deny",
            "Resource": event["methodArn"]}]},
        "context": {"tenant": tenant, "level": 3},
    }
"""

# An HTTP API authorizer on payload 2.0 with simple responses.
SIMPLE_AUTHORIZER = """
import json, os

def handler(event, context):
    with open(os.path.join(os.environ["OUT_DIR"], "simple.log"), "a") as f:
        f.write(json.dumps(event) + "\\n")
    token = event["headers"].get("authorization", "")
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token.startswith("garbage"):
        return {"allowed": True}
    return {"isAuthorized": token.startswith("secret"),
            "context": {"user": "ada", "roles": ["a", "b"], "n": 7}}
"""

# An HTTP API authorizer on payload 1.0 (IAM policy), in bash.
POLICY_AUTHORIZER = f"""
printf '%s\\n' "$event" >> "$OUT_DIR/policy.log"
response=$(printf '%s' "$event" | {PY} -c '
import json, sys
e = json.load(sys.stdin)
effect = "Allow" if e["identitySource"].startswith("let-me-in") else "Deny"
print(json.dumps({{"principalId": "bash-user", "context": {{"via": "bash"}},
                  "policyDocument": {{"Version": "2012-10-17", "Statement": [{{
                      "Action": "execute-api:Invoke", "Effect": effect,
                      "Resource": e["methodArn"]}}]}}}}))')
"""


def get_att(function: str) -> str:
    return f"!GetAtt {function}.Arn"


def template(functions: list[Function], apis: dict[str, dict], globals_: dict[str, Any]) -> str:
    """A SAM template with the functions, explicit APIs and Globals; `!Ref X` and `!GetAtt X.Arn`
    stay tags."""
    resources: dict[str, Any] = {}
    for fn in functions:
        props = {"CodeUri": f"functions/{fn.name}/", "Handler": "function.handler",
                 "Runtime": "provided.al2023", **fn.properties}
        resources[fn.name] = {"Type": "AWS::Serverless::Function", "Properties": props}
    resources.update(apis)
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
           "Globals": globals_, "Resources": resources}
    text = "\n".join(_yaml(doc, 0)) + "\n"
    return re.sub(r'"(!(?:Ref|GetAtt) [A-Za-z0-9.]+)"', r"\1", text)


def _has(program: str) -> bool:
    return shutil.which(program) is not None


class AuthorizerServer(GatewayServer):
    """A GatewayServer whose template also has Globals."""

    init_timeout = 10
    globals_: dict[str, Any] = {}

    @classmethod
    def _start_server(cls) -> None:
        functions = cls.functions()
        cls.server = Server(functions, init_timeout=cls.init_timeout)
        cls.server.template_path.write_text(template(functions, cls.apis, cls.globals_))
        cls.server.start()

    def invocations_of(self, log: str, needle: str) -> int:
        """How many events in $OUT_DIR/<log> contain `needle`."""
        path = self.server.out_dir / log
        if not path.exists():
            return 0
        return sum(needle in line for line in path.read_text().splitlines())

    def last_event(self, log: str, needle: str) -> dict:
        lines = [l for l in self.server.out_file(log).splitlines() if needle in l]
        self.assertTrue(lines, f"no event with {needle!r} in {log}")
        return json.loads(lines[-1])

    def assert_status(self, r, status: int, body: str, error_type: str | None = None) -> None:
        self.assertEqual((r.status, r.text), (status, body), r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)


REST_401 = '{"message":"Unauthorized"}'
REST_500 = '{"message":null}'
EXPLICIT_DENY = '{"Message":"User is not authorized to access this resource with an explicit deny"}'
IMPLICIT_DENY = '{"Message":"User is not authorized to access this resource"}'


@unittest.skipUnless(_has("node") and _has("python3"), "needs node and python3")
class RestAuthorizersTest(AuthorizerServer):
    """REST APIs: a TOKEN authorizer (Node.js) as an explicit API's default, a second one with
    TTL 0 and a ValidationExpression, a throttled one, and a REQUEST authorizer (Python) on the
    implicit API through Globals.Api.Auth."""

    globals_ = {"Api": {"Auth": {
        "DefaultAuthorizer": "Req",
        "Authorizers": {"Req": {
            "FunctionArn": get_att("RequestAuth"), "FunctionPayloadType": "REQUEST",
            "Identity": {"Headers": ["X-User"], "QueryStrings": ["tenant"]}}}}}}
    apis = {
        "TokenApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev",
            "Cors": "'https://app.example'",
            "Auth": {
                "DefaultAuthorizer": "Token",
                "Authorizers": {
                    "Token": {"FunctionArn": get_att("TokenAuth")},
                    "Busy": {"FunctionArn": get_att("BusyAuth")},
                },
            }}},
        "FreshApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "v1",
            "Cors": "'*'",
            "Auth": {
                "DefaultAuthorizer": "Fresh",
                "AddDefaultAuthorizerToCorsPreflight": False,
                "Authorizers": {"Fresh": {
                    "FunctionArn": get_att("TokenAuth"),
                    "FunctionPayloadType": "TOKEN",
                    "Identity": {"Header": "X-Token", "ValidationExpression": "tok-.*",
                                 "ReauthorizeEvery": 0}}},
            }}},
    }

    @classmethod
    def functions(cls):
        token_api = {"RestApiId": "!Ref TokenApi"}
        return [
            handler_function("TokenAuth", "nodejs20.x", "index.handler",
                             {"index.mjs": TOKEN_AUTHORIZER}, Timeout=2),
            handler_function("RequestAuth", "python3.12", "app.handler",
                             {"app.py": REQUEST_AUTHORIZER}),
            bash_function("BusyAuth", "", ReservedConcurrentExecutions=0),
            bash_function("Echo", ECHO_V1, Events={
                "Items": api_event("/items", "GET", **token_api),
                "PostItems": api_event("/items", "POST", **token_api),
                "Other": api_event("/other", "GET", **token_api),
                "Open": api_event("/open", "GET", Auth={"Authorizer": "NONE"}, **token_api),
                "Busy": api_event("/busy", "GET", Auth={"Authorizer": "Busy"}, **token_api),
                "Fresh": api_event("/fresh", "GET", RestApiId="!Ref FreshApi"),
                "Req": api_event("/req/{id}", "GET"),
            }),
        ]

    def get(self, path: str, token: str | None = None, header: str = "Authorization",
            **headers: str):
        if token is not None:
            headers[header] = token
        return self.gw("GET", path, headers=headers)

    # -- TOKEN ---------------------------------------------------------------------------------

    def test_allow_passes_the_context_to_the_function(self):
        r = self.get("/items", "allow:ctx")
        self.assertEqual(r.status, 200, r)
        context = r.json()["requestContext"]
        authorizer = context["authorizer"]
        latency = authorizer.pop("integrationLatency")
        self.assertIsInstance(latency, int)
        # REST passes context values on as strings, with the principal.
        self.assertEqual(authorizer, {"user": "ada", "n": "42", "ok": "true",
                                      "principalId": "user-allow:ctx"})
        event = self.last_event("token.log", "allow:ctx")
        self.assertEqual(event, {
            "type": "TOKEN", "authorizationToken": "allow:ctx",
            "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{context['apiId']}/dev/GET/items"})

    def test_missing_token_is_401_without_an_invocation(self):
        before = self.invocations_of("token.log", '"type"')
        self.assert_status(self.get("/items"), 401, REST_401, "UnauthorizedException")
        self.assert_status(self.get("/items", ""), 401, REST_401, "UnauthorizedException")
        self.assertEqual(self.invocations_of("token.log", '"type"'), before)

    def test_deny_is_403_explicit_deny(self):
        self.assert_status(self.get("/items", "deny:1"), 403, EXPLICIT_DENY,
                           "AccessDeniedException")

    def test_unauthorized_error_is_401(self):
        self.assert_status(self.get("/items", "unauthorized:1"), 401, REST_401,
                           "UnauthorizedException")

    def test_failing_authorizers_are_500_and_the_gateway_goes_on(self):
        for token in ("boom:1", "garbage:1", "nested:1", "crash:1", "slow:1"):
            with self.subTest(token=token):
                self.assert_status(self.get("/items", token), 500, REST_500,
                                   "AuthorizerConfigurationException")
        self.assertEqual(self.get("/items", "allow:after-failures").status, 200)

    def test_throttled_authorizer_is_500(self):
        self.assert_status(self.get("/busy", "allow:busy"), 500, REST_500,
                           "AuthorizerConfigurationException")

    def test_authorizer_runs_as_an_invocation_with_its_report(self):
        self.assertEqual(self.get("/items", "allow:report").status, 200)
        rows = self.server.wait_sql(
            "SELECT request_id FROM invocations WHERE function = 'TokenAuth'", timeout=10)
        self.assertTrue(self.server.wait_log(rows[-1]["request_id"], timeout=10))

    # -- the cache -----------------------------------------------------------------------------

    def test_cached_policy_is_evaluated_for_each_route(self):
        # One invocation; its policy (GET /ite?s) allows /items, not /other, not POST /items.
        self.assertEqual(self.get("/items", "items:c1").status, 200)
        self.assert_status(self.get("/other", "items:c1"), 403, IMPLICIT_DENY,
                           "AccessDeniedException")
        r = self.gw("POST", "/items", body="{}", headers={"Authorization": "items:c1"})
        self.assert_status(r, 403, IMPLICIT_DENY, "AccessDeniedException")
        self.assertEqual(self.get("/items", "items:c1").status, 200)
        self.assertEqual(self.invocations_of("token.log", '"items:c1"'), 1)

    def test_cached_allow_covers_the_whole_api(self):
        for path in ("/items", "/other", "/items"):
            self.assertEqual(self.get(path, "api:c2").status, 200, path)
        self.assertEqual(self.invocations_of("token.log", '"api:c2"'), 1)

    def test_explicit_deny_wins_over_an_allow(self):
        self.assertEqual(self.get("/items", "mixed:c3").status, 200)
        self.assert_status(self.get("/other", "mixed:c3"), 403, EXPLICIT_DENY,
                           "AccessDeniedException")
        self.assertEqual(self.invocations_of("token.log", '"mixed:c3"'), 1)

    def test_ttl_zero_invokes_every_time(self):
        for _ in range(3):
            self.assertEqual(self.get("/fresh", "tok-allow:z1", "X-Token").status, 200)
        self.assertEqual(self.invocations_of("token.log", '"tok-allow:z1"'), 3)

    def test_validation_expression_is_checked_before_invoking(self):
        self.assert_status(self.get("/fresh", "allow:no-prefix", "X-Token"), 401, REST_401,
                           "UnauthorizedException")
        self.assertEqual(self.invocations_of("token.log", "no-prefix"), 0)
        # The TOKEN header of this API is X-Token: Authorization does not count.
        self.assert_status(self.get("/fresh", "tok-allow:z2"), 401, REST_401,
                           "UnauthorizedException")

    # -- routes without authorizer, CORS -------------------------------------------------------

    def test_authorizer_none_route_is_open(self):
        r = self.get("/open")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("authorizer", r.json()["requestContext"])

    def test_preflight_mock_gets_the_default_authorizer_as_sam_puts_it_there(self):
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
        self.assert_status(self.gw("OPTIONS", "/items", headers=preflight), 401, REST_401,
                           "UnauthorizedException")
        r = self.gw("OPTIONS", "/items", headers={**preflight, "Authorization": "allow:pf"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://app.example")
        # AddDefaultAuthorizerToCorsPreflight: false leaves the mock open.
        r = self.gw("OPTIONS", "/fresh", headers=preflight)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")

    # -- REQUEST (implicit API, Globals.Api.Auth) ----------------------------------------------

    def test_request_authorizer_event_and_context(self):
        r = self.get("/req/7?tenant=acme&tenant=acme2", **{"X-User": "ada", "X-Trace": "t1"})
        self.assertEqual(r.status, 200, r)
        context = r.json()["requestContext"]
        authorizer = context["authorizer"]
        authorizer.pop("integrationLatency")
        self.assertEqual(authorizer, {"tenant": "acme2", "level": "3", "principalId": "ada"})
        event = self.last_event("request.log", '"t1"')
        self.assertEqual(event["type"], "REQUEST")
        self.assertEqual(event["methodArn"],
                         f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{context['apiId']}/Prod/GET/req/7")
        self.assertEqual(event["resource"], "/req/{id}")
        self.assertEqual(event["path"], "/req/7")
        self.assertEqual(event["httpMethod"], "GET")
        self.assertEqual(event["headers"]["X-User"], "ada")
        self.assertEqual(event["multiValueHeaders"]["X-Trace"], ["t1"])
        self.assertEqual(event["queryStringParameters"], {"tenant": "acme2"})
        self.assertEqual(event["multiValueQueryStringParameters"], {"tenant": ["acme", "acme2"]})
        self.assertEqual(event["pathParameters"], {"id": "7"})
        self.assertEqual(event["requestContext"]["stage"], "Prod")
        self.assertEqual(event["requestContext"]["resourcePath"], "/req/{id}")
        self.assertNotIn("body", event)

    def test_request_authorizer_missing_identity_source_is_401(self):
        before = self.invocations_of("request.log", '"REQUEST"')
        self.assert_status(self.get("/req/1", **{"X-User": "ada"}), 401, REST_401,
                           "UnauthorizedException")
        self.assert_status(self.get("/req/1?tenant=", **{"X-User": "ada"}), 401, REST_401,
                           "UnauthorizedException")
        self.assert_status(self.get("/req/1?tenant=a"), 401, REST_401, "UnauthorizedException")
        self.assertEqual(self.invocations_of("request.log", '"REQUEST"'), before)

    def test_request_authorizer_deny_and_unauthorized(self):
        self.assert_status(self.get("/req/1?tenant=x", **{"X-User": "bob"}), 403, EXPLICIT_DENY,
                           "AccessDeniedException")
        self.assert_status(self.get("/req/1?tenant=x", **{"X-User": "unauthorized"}), 401,
                           REST_401, "UnauthorizedException")

    def test_request_authorizer_caches_by_identity_values(self):
        for _ in range(2):
            self.assertEqual(self.get("/req/2?tenant=cache", **{"X-User": "ada"}).status, 200)
        # The cached policy names /req/2 only (the methodArn it was asked for).
        self.assert_status(self.get("/req/3?tenant=cache", **{"X-User": "ada"}), 403,
                           IMPLICIT_DENY, "AccessDeniedException")
        self.assertEqual(self.invocations_of("request.log", '"cache"'), 1)
        self.assertEqual(self.get("/req/2?tenant=cache2", **{"X-User": "ada"}).status, 200)
        self.assertEqual(self.invocations_of("request.log", '"cache2"'), 1)


HTTP_500 = '{"message":"Internal Server Error"}'
FORBIDDEN = '{"message":"Forbidden"}'


@unittest.skipUnless(_has("python3"), "needs python3")
class HttpAuthorizersTest(AuthorizerServer):
    """HTTP APIs: a payload 2.0 authorizer with simple responses (Python, TTL 0) and a payload 1.0
    one with IAM policies (bash, cached)."""

    apis = {
        "SimpleApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "CorsConfiguration": {"AllowOrigins": ["https://app.example"],
                                  "AllowMethods": ["GET"]},
            "Auth": {
                "DefaultAuthorizer": "Simple",
                "Authorizers": {"Simple": {
                    "FunctionArn": get_att("SimpleAuth"),
                    "AuthorizerPayloadFormatVersion": "2.0",
                    "EnableSimpleResponses": True,
                    "Identity": {"Headers": ["Authorization"], "ReauthorizeEvery": 0}}},
            }}},
        "PolicyApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "StageName": "live",
            "Auth": {
                "DefaultAuthorizer": "Policy",
                "Authorizers": {"Policy": {
                    "FunctionArn": get_att("PolicyAuth"),
                    "AuthorizerPayloadFormatVersion": 1.0,
                    "Identity": {"Headers": ["X-Key"], "ReauthorizeEvery": 60}}},
            }}},
    }

    @classmethod
    def functions(cls):
        simple = {"ApiId": "!Ref SimpleApi"}
        return [
            handler_function("SimpleAuth", "python3.12", "app.handler",
                             {"app.py": SIMPLE_AUTHORIZER}),
            bash_function("PolicyAuth", POLICY_AUTHORIZER),
            bash_function("EchoV2", "", Events={
                "Simple": http_event("/simple", "GET", **simple),
                "Open": http_event("/simple/open", "GET", Auth={"Authorizer": "NONE"}, **simple),
                "Policy": http_event("/policy/{x}", "GET", ApiId="!Ref PolicyApi"),
            }),
            bash_function("EchoV1", ECHO_V1, Events={
                "SimpleV1": http_event("/simple-v1", "GET", PayloadFormatVersion="1.0", **simple),
            }),
        ]

    def get(self, path: str, **headers: str):
        return self.gw("GET", path, headers=headers)

    def test_simple_response_allows_with_context_under_lambda(self):
        r = self.get("/simple", Authorization="secret-1")
        self.assertEqual(r.status, 200, r)
        context = r.json()["requestContext"]
        self.assertEqual(context["authorizer"],
                         {"lambda": {"user": "ada", "roles": ["a", "b"], "n": 7}})
        event = self.last_event("simple.log", "secret-1")
        self.assertEqual(event["version"], "2.0")
        self.assertEqual(event["type"], "REQUEST")
        self.assertEqual(event["routeArn"],
                         f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{context['apiId']}/$default/GET/simple")
        self.assertEqual(event["identitySource"], ["secret-1"])
        self.assertEqual(event["routeKey"], "GET /simple")
        self.assertEqual(event["rawPath"], "/simple")
        self.assertEqual(event["headers"]["authorization"], "secret-1")
        self.assertNotIn("body", event)

    def test_payload_1_route_gets_the_context_itself(self):
        r = self.get("/simple-v1", Authorization="secret-2")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["authorizer"],
                         {"user": "ada", "roles": ["a", "b"], "n": 7})

    def test_simple_response_denies_with_403(self):
        self.assert_status(self.get("/simple", Authorization="wrong"), 403, FORBIDDEN)

    def test_missing_identity_source_is_401(self):
        before = self.invocations_of("simple.log", '"REQUEST"')
        self.assert_status(self.get("/simple"), 401, REST_401)
        self.assertEqual(self.invocations_of("simple.log", '"REQUEST"'), before)

    def test_unauthorized_error_is_401(self):
        self.assert_status(self.get("/simple", Authorization="unauthorized"), 401, REST_401)

    def test_malformed_simple_response_is_500(self):
        self.assert_status(self.get("/simple", Authorization="garbage-1"), 500, HTTP_500)

    def test_ttl_zero_invokes_every_time(self):
        for _ in range(2):
            self.assertEqual(self.get("/simple", Authorization="secret-ttl0").status, 200)
        self.assertEqual(self.invocations_of("simple.log", "secret-ttl0"), 2)

    def test_unrouted_preflight_needs_no_authorization(self):
        r = self.gw("OPTIONS", "/simple", headers={"Origin": "https://app.example",
                                                   "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://app.example")

    def test_authorizer_none_route_is_open(self):
        r = self.get("/simple/open")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("authorizer", r.json()["requestContext"])

    def test_payload_1_policy_authorizer_in_bash(self):
        r = self.get("/policy/a", **{"X-Key": "let-me-in-1"})
        self.assertEqual(r.status, 200, r)
        context = r.json()["requestContext"]
        self.assertEqual(context["authorizer"],
                         {"lambda": {"via": "bash", "principalId": "bash-user"}})
        event = self.last_event("policy.log", "let-me-in-1")
        self.assertEqual(event["version"], "1.0")
        self.assertEqual(event["type"], "REQUEST")
        self.assertEqual(event["methodArn"],
                         f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{context['apiId']}/live/GET/policy/a")
        self.assertEqual(event["identitySource"], "let-me-in-1")
        self.assertEqual(event["authorizationToken"], "let-me-in-1")
        self.assertEqual(event["pathParameters"], {"x": "a"})
        self.assertNotIn("body", event)
        # Cached for 60 s, and the policy names /policy/a only.
        self.assert_status(self.get("/policy/b", **{"X-Key": "let-me-in-1"}), 403, FORBIDDEN)
        self.assertEqual(self.get("/policy/a", **{"X-Key": "let-me-in-1"}).status, 200)
        self.assertEqual(self.invocations_of("policy.log", "let-me-in-1"), 1)

    def test_payload_1_policy_deny_is_403(self):
        self.assert_status(self.get("/policy/a", **{"X-Key": "nope"}), 403, FORBIDDEN)


if __name__ == "__main__":
    unittest.main()
