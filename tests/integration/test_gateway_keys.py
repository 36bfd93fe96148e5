"""API keys, usage plans and throttling on the gateway port through real HTTP: REST routes that
require an `x-api-key` (SAM's `Auth.ApiKeyRequired` and `Auth.UsagePlan`, whose generated key the
server prints, and the plain `AWS::ApiGateway::ApiKey` / `UsagePlan` / `UsagePlanKey` resources),
a plan's per-key throttle (429 on burst) and quota (429 Limit Exceeded), REST `MethodSettings`
and HTTP API `DefaultRouteSettings` / `RouteSettings` throttling, concurrent bursts, counters and
made-up keys across a hot reload, their order around Lambda authorizers, keys from a Lambda
authorizer's `usageIdentifierKey` (`ApiKeySourceType: AUTHORIZER`), and every refusal in API
Gateway's shape without the function running."""

from __future__ import annotations

import re
import shutil
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

from harness import Server, bash_function, http_request, parallel, run_cli, wait_until
from test_gateway import ECHO_V1, GatewayServer, api_event, http_event, ref, template

FIXED_KEY = "fixed-key-value-0123456789"
OFF_KEY = "disabled-key-0123456789"
BURST_KEY = "burst-key-value-0123456789"
SLOW = 0.01  # requests per second: no token comes back during a test


class GatewayKeysTest(GatewayServer):
    apis = {
        # SAM generates KeyApiUsagePlan and KeyApiApiKey (value printed by the server).
        "KeyApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev",
            "Cors": "'*'",
            "Auth": {"ApiKeyRequired": True, "UsagePlan": {
                "CreateUsagePlan": "PER_API",
                "Throttle": {"BurstLimit": 100, "RateLimit": 50},
                "Quota": {"Limit": 1000, "Period": "DAY"}}}}},
        # Plain resources: a fixed key in a small plan on QuotaApi.
        "QuotaApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "v1", "Auth": {"ApiKeyRequired": True}}},
        "FixedKey": {"Type": "AWS::ApiGateway::ApiKey",
                     "Properties": {"Enabled": True, "Value": FIXED_KEY}},
        "OffKey": {"Type": "AWS::ApiGateway::ApiKey",
                   "Properties": {"Enabled": False, "Value": OFF_KEY}},
        "SmallPlan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {
            "ApiStages": [{"ApiId": "!Ref QuotaApi", "Stage": "!Ref QuotaApi.Stage"}],
            "Quota": {"Limit": 3, "Period": "DAY"}}},
        "SmallPlanFixed": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": "!Ref FixedKey", "KeyType": "API_KEY", "UsagePlanId": "!Ref SmallPlan"}},
        "SmallPlanOff": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": "!Ref OffKey", "KeyType": "API_KEY", "UsagePlanId": "!Ref SmallPlan"}},
        # A plan that throttles its key: 3 deep, and /burst/GET 2 deep.
        "BurstApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "v2", "Auth": {"ApiKeyRequired": True}}},
        "BurstKey": {"Type": "AWS::ApiGateway::ApiKey",
                     "Properties": {"Enabled": True, "Value": BURST_KEY}},
        "BurstPlan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {
            "ApiStages": [{"ApiId": "!Ref BurstApi", "Stage": "v2",
                           "Throttle": {"/burst/GET": {"BurstLimit": 2, "RateLimit": SLOW}}}],
            "Throttle": {"BurstLimit": 3, "RateLimit": SLOW}}},
        "BurstPlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": "!Ref BurstKey", "KeyType": "API_KEY", "UsagePlanId": "!Ref BurstPlan"}},
        # Stage throttling: every method 2 deep, /fast overridden.
        "ThrottledApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "live",
            "MethodSettings": [
                {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 2,
                 "ThrottlingRateLimit": SLOW},
                {"ResourcePath": "/~1stage~1fast", "HttpMethod": "GET",
                 "ThrottlingBurstLimit": 1000, "ThrottlingRateLimit": 1000},
                {"ResourcePath": "/~1stage~1crowd", "HttpMethod": "*",
                 "ThrottlingBurstLimit": 5}]}},
        "RouteApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "DefaultRouteSettings": {"ThrottlingBurstLimit": 2, "ThrottlingRateLimit": SLOW},
            "RouteSettings": {"GET /route/fast": {"ThrottlingBurstLimit": 1000,
                                                  "ThrottlingRateLimit": 1000}}}},
    }

    @classmethod
    def functions(cls):
        key_api, quota_api, burst_api = ref("KeyApi"), ref("QuotaApi"), ref("BurstApi")
        throttled, route_api = ref("ThrottledApi"), ref("RouteApi")
        return [
            bash_function("Echo", ECHO_V1, Events={
                "Key": api_event("/keyed", "GET", RestApiId=key_api),
                "Open": api_event("/keyed/open", "GET", RestApiId=key_api,
                                  Auth={"ApiKeyRequired": False}),
                "Quota": api_event("/quota", "GET", RestApiId=quota_api),
                "Burst": api_event("/burst", "GET", RestApiId=burst_api),
                "BurstOther": api_event("/burst/other", "GET", RestApiId=burst_api),
                "Slow": api_event("/stage/slow", "GET", RestApiId=throttled),
                "SlowPost": api_event("/stage/slow", "POST", RestApiId=throttled),
                "Fast": api_event("/stage/fast", "GET", RestApiId=throttled),
                "Crowd": api_event("/stage/crowd", "GET", RestApiId=throttled),
            }),
            bash_function("HttpEcho", "", Events={
                "Slow": http_event("/route/slow", "GET", ApiId=route_api),
                "Fast": http_event("/route/fast", "GET", ApiId=route_api),
                "One": http_event("/route/one", "GET", ApiId=route_api,
                                  RouteSettings={"ThrottlingBurstLimit": 1}),
            }),
        ]

    def generated_key(self) -> str:
        pattern = re.compile(r"API key KeyApiApiKey \(no Value in the template; for KeyApi/dev\): "
                             r"x-api-key: ([A-Za-z0-9]{40})$", re.M)
        return wait_until(lambda: pattern.search(self.server.stderr()), 5).group(1)

    def assert_refused(self, r, status: int, message: str, error_type: str | None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.body.decode(), '{"message":"%s"}' % message, r)
        self.assertEqual(r.header("Content-Type"), "application/json", r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)

    # -- API keys -----------------------------------------------------------------------------

    def test_missing_wrong_disabled_and_foreign_keys_are_403(self):
        for headers in ({}, {"x-api-key": "no-such-key-0123456789"}, {"x-api-key": OFF_KEY},
                        {"x-api-key": FIXED_KEY}):  # FixedKey's plan does not cover KeyApi
            r = self.gw("GET", "/keyed", headers=headers)
            self.assert_refused(r, 403, "Forbidden", "ForbiddenException")
            self.assertTrue(r.header("x-amzn-RequestId"), r)
        self.assert_refused(self.gw("GET", "/quota", headers={"x-api-key": self.generated_key()}),
                            403, "Forbidden", "ForbiddenException")

    def test_generated_key_opens_its_api_and_reaches_the_event(self):
        key = self.generated_key()
        r = self.gw("GET", "/keyed", headers={"X-API-Key": key})
        self.assertEqual(r.status, 200, r)
        identity = r.json()["requestContext"]["identity"]
        self.assertEqual(identity["apiKey"], key)
        self.assertEqual(identity["apiKeyId"], "KeyApiApiKey")

    def test_route_that_opts_out_and_cors_preflight(self):
        r = self.gw("GET", "/keyed/open")
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("apiKey", r.json()["requestContext"]["identity"])
        # SAM puts the key requirement on the CORS preflight too.
        preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}
        self.assert_refused(self.gw("OPTIONS", "/keyed", headers=preflight), 403, "Forbidden",
                            "ForbiddenException")
        r = self.gw("OPTIONS", "/keyed", headers={**preflight, "x-api-key": self.generated_key()})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")

    # -- usage plans --------------------------------------------------------------------------

    def test_quota_is_429_limit_exceeded(self):
        # SmallPlan: 3 a day for the key.
        statuses = [self.gw("GET", "/quota", headers={"x-api-key": FIXED_KEY}).status
                    for _ in range(3)]
        self.assertEqual(statuses, [200, 200, 200])
        r = self.gw("GET", "/quota", headers={"x-api-key": FIXED_KEY})
        self.assert_refused(r, 429, "Limit Exceeded", "LimitExceededException")
        self.assertTrue(r.header("x-amzn-RequestId"), r)
        # A request without a key is refused before anything is counted.
        self.assert_refused(self.gw("GET", "/quota"), 403, "Forbidden", "ForbiddenException")

    def test_plan_throttles_per_key_and_per_method(self):
        key = {"x-api-key": BURST_KEY}
        self.assertEqual([self.gw("GET", "/burst", headers=key).status for _ in range(3)],
                         [200, 200, 429])
        self.assert_refused(self.gw("GET", "/burst", headers=key), 429, "Too Many Requests",
                            "TooManyRequestsException")
        # The plan's own throttle (3 deep) for the stage's other methods.
        self.assertEqual([self.gw("GET", "/burst/other", headers=key).status for _ in range(4)],
                         [200, 200, 200, 429])

    # -- stage and route throttling -----------------------------------------------------------

    def test_rest_method_settings(self):
        self.assertEqual([self.gw("GET", "/stage/slow").status for _ in range(3)],
                         [200, 200, 429])
        self.assert_refused(self.gw("GET", "/stage/slow"), 429, "Too Many Requests",
                            "TooManyRequestsException")
        # Each method has its own bucket with the stage's limits.
        self.assertEqual(self.gw("POST", "/stage/slow").status, 200)
        # A more specific entry overrides the stage's.
        self.assertEqual({self.gw("GET", "/stage/fast").status for _ in range(10)}, {200})

    def test_http_api_route_settings(self):
        self.assertEqual([self.gw("GET", "/route/slow").status for _ in range(3)],
                         [200, 200, 429])
        r = self.gw("GET", "/route/slow")
        self.assert_refused(r, 429, "Too Many Requests", None)
        self.assertTrue(r.header("apigw-requestid"), r)
        self.assertEqual({self.gw("GET", "/route/fast").status for _ in range(10)}, {200})
        # The event's own RouteSettings: a burst of 1.
        self.assertEqual([self.gw("GET", "/route/one").status for _ in range(2)], [200, 429])

    def test_concurrent_burst_lets_exactly_the_burst_through(self):
        # /stage/crowd: a burst of 5 and a rate that gives nothing back during the test; 20
        # clients at once.
        results = parallel([lambda: self.gw("GET", "/stage/crowd").status for _ in range(20)])
        self.assertEqual(results.count(200), 5, results)
        self.assertEqual(results.count(429), 15, results)

    def test_refusals_do_not_invoke(self):
        self.gw("GET", "/route/slow")
        self.gw("GET", "/route/slow")
        time.sleep(0.5)  # the store batches its writes
        before = len(self.server.sql("SELECT request_id FROM invocations"))
        for _ in range(5):
            self.assertEqual(self.gw("GET", "/route/slow").status, 429)
            self.assertEqual(self.gw("GET", "/keyed").status, 403)
        time.sleep(0.5)  # the store batches its writes
        self.assertEqual(len(self.server.sql("SELECT request_id FROM invocations")), before)


class KeysAcrossReloadsTest(unittest.TestCase):
    """A hot reload keeps a key's quota while its plan's limits stay, and the value the server
    made up for a key without one; new limits start new counters."""

    @staticmethod
    def apis(limit: int, extra_route: bool = False) -> tuple[list, dict]:
        events = {"Get": api_event("/q", "GET", RestApiId=ref("Api"))}
        if extra_route:
            events["More"] = api_event("/more", "GET", RestApiId=ref("Api"))
        functions = [bash_function("Echo", ECHO_V1, Events=events)]
        apis = {"Api": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev", "Auth": {"ApiKeyRequired": True, "UsagePlan": {
                "CreateUsagePlan": "PER_API", "Quota": {"Limit": limit, "Period": "DAY"}}}}}}
        return functions, apis

    def test_quota_and_generated_key_survive_a_reload(self):
        functions, apis = self.apis(2)
        server = Server(functions)
        self.addCleanup(server.cleanup)
        server.template_path.write_text(template(functions, apis))
        server.start()
        keys = re.compile(r"API key ApiApiKey .*x-api-key: ([A-Za-z0-9]{40})$", re.M)
        key = wait_until(lambda: keys.search(server.stderr()), 5).group(1)

        def get(path: str = "/q"):
            return http_request(server.host, server.api_port, "GET", path,
                                headers={"x-api-key": key}).status

        self.assertEqual([get(), get(), get()], [200, 200, 429])

        def reload(limit: int, extra_route: bool, reloads: int):
            new_functions, new_apis = self.apis(limit, extra_route)
            for fn in new_functions:
                fn.properties.setdefault("Environment", {}).setdefault("Variables", {})[
                    "OUT_DIR"] = str(server.out_dir)
            temp = server.template_path.with_name("template.yaml.new")
            temp.write_text(template(new_functions, new_apis))
            temp.replace(server.template_path)
            wait_until(lambda: len(keys.findall(server.stderr())) >= reloads + 1, 10,
                       message=f"reload #{reloads}; log:\n{server.stderr()[-2000:]}")

        reload(2, True, 1)
        self.assertEqual(set(keys.findall(server.stderr())), {key})  # the same made-up value
        self.assertEqual(get("/more"), 429)  # the day's quota is still used up
        reload(5, True, 2)  # new limits: new counters
        self.assertEqual([get(), get("/more")], [200, 200])


PY = "/usr/bin/python3"
# A REST TOKEN authorizer: Allow for the token "allow", Deny otherwise.
TOKEN_AUTHORIZER = f"""
response=$(printf '%s' "$event" | {PY} -c 'import json,sys; e=json.load(sys.stdin); print(json.dumps({{"principalId": "u", "policyDocument": {{"Version": "2012-10-17", "Statement": [{{"Action": "execute-api:Invoke", "Effect": "Allow" if e["authorizationToken"] == "allow" else "Deny", "Resource": e["methodArn"]}}]}}}}))')
"""
# An HTTP API authorizer with simple responses: always authorized.
SIMPLE_AUTHORIZER = 'response=\'{"isAuthorized": true}\''


class AccessAroundLambdaAuthorizersTest(GatewayServer):
    """API Gateway's order: REST runs its authorizer before the API key; an HTTP API throttles
    before it authorizes."""

    apis = {
        "Guarded": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev",
            "Auth": {"ApiKeyRequired": True, "DefaultAuthorizer": "Token",
                     "Authorizers": {"Token": {"FunctionArn": "TokenAuthorizer"}}}}},
        "GuardedKey": {"Type": "AWS::ApiGateway::ApiKey",
                       "Properties": {"Enabled": True, "Value": FIXED_KEY}},
        "GuardedPlan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": {
            "ApiStages": [{"ApiId": "!Ref Guarded", "Stage": "dev"}]}},
        "GuardedPlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": "!Ref GuardedKey", "KeyType": "API_KEY", "UsagePlanId": "!Ref GuardedPlan"}},
        "Limited": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "DefaultRouteSettings": {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": SLOW},
            "Auth": {"DefaultAuthorizer": "Simple", "Authorizers": {"Simple": {
                "FunctionArn": "SimpleAuthorizer", "AuthorizerPayloadFormatVersion": "2.0",
                "EnableSimpleResponses": True, "Identity": {"Headers": ["Authorization"]}}}}}},
    }

    @classmethod
    def functions(cls):
        return [
            bash_function("TokenAuthorizer", TOKEN_AUTHORIZER),
            bash_function("SimpleAuthorizer", SIMPLE_AUTHORIZER),
            bash_function("Echo", ECHO_V1, Events={
                "Rest": api_event("/guarded", "GET", RestApiId=ref("Guarded")),
                "Http": http_event("/limited", "GET", ApiId=ref("Limited")),
            }),
        ]

    def test_rest_authorizer_comes_before_the_api_key(self):
        r = self.gw("GET", "/guarded", headers={"Authorization": "nope"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "AccessDeniedException", r)
        r = self.gw("GET", "/guarded", headers={"Authorization": "allow"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "ForbiddenException", r)
        r = self.gw("GET", "/guarded", headers={"Authorization": "allow", "x-api-key": FIXED_KEY})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["identity"]["apiKey"], FIXED_KEY)
        self.assertEqual(r.json()["requestContext"]["authorizer"]["principalId"], "u")

    def test_http_api_throttles_before_the_authorizer(self):
        self.assertEqual(self.gw("GET", "/limited").status, 401)  # no identity: the authorizer's
        r = self.gw("GET", "/limited", headers={"Authorization": "x"})
        self.assertEqual(r.status, 429, r)  # the burst of 1 went to the first request


AUTH_KEY = "authorizer-key-0123456789"
QUOTA_KEY = "authorizer-quota-0123456789"
THROTTLED_KEY = "authorizer-burst-0123456789"
# A REST TOKEN authorizer that always allows; a token `key:VALUE[:…]` makes it return VALUE as
# its usageIdentifierKey (anything after a second `:` only makes the token, and so its cache
# entry, unique). It logs each token it sees to $OUT_DIR/keys.log.
KEY_AUTHORIZER = f"""
response=$(printf '%s' "$event" | {PY} -c '
import json, os, sys
e = json.load(sys.stdin)
token = e["authorizationToken"]
with open(os.path.join(os.environ["OUT_DIR"], "keys.log"), "a") as log:
    log.write(token + "\\n")
reply = {{"principalId": "keyed-user", "policyDocument": {{"Version": "2012-10-17", "Statement": [{{
    "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": e["methodArn"]}}]}}}}
parts = token.split(":")
if parts[0] == "key":
    reply["usageIdentifierKey"] = parts[1]
print(json.dumps(reply))')
"""


def key_resources(name: str, value: str, plan: dict) -> dict:
    """An enabled key `value`, its own usage plan (`plan`'s properties) and their link."""
    return {
        f"{name}Key": {"Type": "AWS::ApiGateway::ApiKey",
                       "Properties": {"Enabled": True, "Value": value}},
        f"{name}Plan": {"Type": "AWS::ApiGateway::UsagePlan", "Properties": plan},
        f"{name}PlanKey": {"Type": "AWS::ApiGateway::UsagePlanKey", "Properties": {
            "KeyId": f"!Ref {name}Key", "KeyType": "API_KEY", "UsagePlanId": f"!Ref {name}Plan"}},
    }


class KeysFromAuthorizerTest(GatewayServer):
    """`ApiKeySourceType: AUTHORIZER`: the API key is the Lambda authorizer's
    `usageIdentifierKey`, and `x-api-key` is ignored; HEADER (the default) is unchanged."""

    lambda_authorizer = {"DefaultAuthorizer": "Keys",
                         "Authorizers": {"Keys": {"FunctionArn": "KeyAuthorizer"}}}
    stages = [{"ApiId": "!Ref FromAuthorizer", "Stage": "dev"},
              {"ApiId": "!Ref FromHeader", "Stage": "hdr"}]
    apis = {
        "FromAuthorizer": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev", "ApiKeySourceType": "AUTHORIZER",
            "Auth": {"ApiKeyRequired": True, **lambda_authorizer}}},
        "FromHeader": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "hdr", "ApiKeySourceType": "HEADER",
            "Auth": {"ApiKeyRequired": True, **lambda_authorizer}}},
        **key_resources("Auth", AUTH_KEY, {"ApiStages": stages}),
        **key_resources("Quota", QUOTA_KEY, {"ApiStages": stages[:1],
                                             "Quota": {"Limit": 3, "Period": "DAY"}}),
        **key_resources("Throttled", THROTTLED_KEY, {
            "ApiStages": stages[:1], "Throttle": {"BurstLimit": 2, "RateLimit": SLOW}}),
    }

    @classmethod
    def functions(cls):
        api = ref("FromAuthorizer")
        return [
            bash_function("KeyAuthorizer", KEY_AUTHORIZER),
            bash_function("Echo", ECHO_V1, Events={
                "Keyed": api_event("/keyed", "GET", RestApiId=api),
                "Quota": api_event("/keyed/quota", "GET", RestApiId=api),
                "Burst": api_event("/keyed/burst", "GET", RestApiId=api),
                "Bare": api_event("/bare", "GET", RestApiId=api, Auth={"Authorizer": "NONE"}),
                "Header": api_event("/header", "GET", RestApiId=ref("FromHeader")),
            }),
        ]

    def assert_forbidden(self, r):
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.body.decode(), '{"message":"Forbidden"}', r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "ForbiddenException", r)

    def get(self, path: str, token: str, **headers: str):
        return self.gw("GET", path, headers={"Authorization": token, **headers})

    def authorized_tokens(self) -> list[str]:
        log = self.server.out_dir / "keys.log"
        return log.read_text().splitlines() if log.exists() else []

    def test_authorizer_key_opens_the_route_and_reaches_the_event(self):
        r = self.get("/keyed", f"key:{AUTH_KEY}:event")
        self.assertEqual(r.status, 200, r)
        context = r.json()["requestContext"]
        self.assertEqual(context["identity"]["apiKey"], AUTH_KEY)
        self.assertEqual(context["identity"]["apiKeyId"], "AuthKey")
        self.assertEqual(context["authorizer"]["principalId"], "keyed-user")

    def test_no_key_or_an_unknown_key_is_403(self):
        self.assert_forbidden(self.get("/keyed", "nokey:1"))
        self.assert_forbidden(self.get("/keyed", "key:no-such-key-0123456789:2"))
        self.assert_forbidden(self.get("/keyed", "key::3"))  # an empty usageIdentifierKey

    def test_x_api_key_is_ignored(self):
        self.assert_forbidden(self.get("/keyed", "nokey:ignored", **{"x-api-key": AUTH_KEY}))
        self.assert_forbidden(self.get("/keyed", "key:no-such-key-0123456789:ignored",
                                       **{"x-api-key": AUTH_KEY}))
        # The authorizer's key wins over a wrong header.
        r = self.get("/keyed", f"key:{AUTH_KEY}:ignored", **{"x-api-key": "wrong-0123456789"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["identity"]["apiKey"], AUTH_KEY)

    def test_a_cached_authorization_keeps_its_key(self):
        token = f"key:{AUTH_KEY}:cached"
        for _ in range(2):
            r = self.get("/keyed", token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json()["requestContext"]["identity"]["apiKey"], AUTH_KEY)
        self.assertEqual(self.authorized_tokens().count(token), 1)  # ReauthorizeEvery: 300 s

    def test_quota_counts_the_authorizer_key(self):
        # A fresh token each time: the key is counted, not the token.
        statuses = [self.get("/keyed/quota", f"key:{QUOTA_KEY}:q{n}").status for n in range(3)]
        self.assertEqual(statuses, [200, 200, 200])
        r = self.get("/keyed/quota", f"key:{QUOTA_KEY}:q3")
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.body.decode(), '{"message":"Limit Exceeded"}', r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "LimitExceededException", r)
        # Another key of the same stage is not affected.
        self.assertEqual(self.get("/keyed/quota", f"key:{AUTH_KEY}:q").status, 200)

    def test_plan_throttle_counts_the_authorizer_key(self):
        token = f"key:{THROTTLED_KEY}:burst"
        self.assertEqual([self.get("/keyed/burst", token).status for _ in range(3)],
                         [200, 200, 429])
        r = self.get("/keyed/burst", token)
        self.assertEqual(r.body.decode(), '{"message":"Too Many Requests"}', r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "TooManyRequestsException", r)

    def test_route_without_a_lambda_authorizer_is_always_403(self):
        self.assert_forbidden(self.gw("GET", "/bare", headers={"x-api-key": AUTH_KEY}))
        self.assertIn("event 'Bare': api 'FromAuthorizer' takes API keys from a Lambda "
                      "authorizer (ApiKeySourceType: AUTHORIZER), but this route requires a key "
                      "and has no Lambda authorizer: it answers 403", self.server.stderr())

    def test_header_source_ignores_the_authorizer_key(self):
        self.assert_forbidden(self.get("/header", f"key:{AUTH_KEY}:header"))
        r = self.get("/header", f"key:{AUTH_KEY}:header", **{"x-api-key": AUTH_KEY})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["requestContext"]["identity"]["apiKeyId"], "AuthKey")


class KeySourceTemplateTest(unittest.TestCase):
    """A bad `ApiKeySourceType` is a template error with its line."""

    def test_bad_value_is_refused_with_its_line(self):
        root = Path(tempfile.mkdtemp(prefix="lambdad-it-"))
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        (root / "code").mkdir()
        path = root / "template.yaml"
        path.write_text(textwrap.dedent("""\
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Api:
                Type: AWS::Serverless::Api
                Properties:
                  StageName: dev
                  ApiKeySourceType: HEADERS
              Fn:
                Type: AWS::Serverless::Function
                Properties:
                  CodeUri: code/
                  Handler: x
                  Runtime: provided.al2023
                  Events:
                    Get:
                      Type: Api
                      Properties: {Path: /a, Method: get, RestApiId: !Ref Api}
            """))
        validate = run_cli(["validate", str(path)], timeout=10)
        self.assertEqual(validate.returncode, 1, validate)
        self.assertIn(f"{path}:7:", validate.stderr + validate.stdout)
        self.assertIn("ApiKeySourceType must be HEADER or AUTHORIZER, got 'HEADERS'",
                      validate.stderr + validate.stdout)
        serve = run_cli(["serve", str(path), "--api-port", "0", "--lambda-port", "0",
                         "--state-dir", str(root / "state")], timeout=10)
        self.assertNotEqual(serve.returncode, 0, serve)
        self.assertNotIn("listening", serve.stdout)
        self.assertIn(f"{path}:7:", serve.stderr)


if __name__ == "__main__":
    unittest.main()
