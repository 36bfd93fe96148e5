"""CORS on the gateway port through real HTTP: a REST API's `Cors` (SAM's OPTIONS mock per path,
nothing added to the function's responses) and an HTTP API's `CorsConfiguration` (preflights
answered by the gateway, the function's own CORS headers replaced by the configured ones)."""

from __future__ import annotations

import unittest

from harness import bash_function
from test_gateway import GatewayServer, api_event, http_event, ref

# A reply that sets its own CORS header (an HTTP API with CORS must replace it).
OWN_CORS = """
response='{"statusCode": 200, "headers": {"x-own": "1", "Access-Control-Allow-Origin": "https://function.example"}, "body": "ok"}'
"""

APP = "https://app.example"


class GatewayCorsTest(GatewayServer):
    apis = {
        "RestCors": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev",
            "Cors": {"AllowOrigin": "'https://app.example'", "AllowHeaders": "'Content-Type'",
                     "MaxAge": "'600'"}}},
        "RestQuoted": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev", "Cors": "'*'"}},
        "HttpCors": {"Type": "AWS::Serverless::HttpApi", "Properties": {
            "CorsConfiguration": {"AllowOrigins": [APP], "AllowMethods": ["GET", "POST"],
                                  "AllowHeaders": ["content-type"], "ExposeHeaders": ["x-own"],
                                  "MaxAge": 600, "AllowCredentials": True}}},
    }

    @classmethod
    def functions(cls):
        return [
            bash_function("Own", OWN_CORS, Events={
                "Rest": api_event("/rest/items", "GET", RestApiId=ref("RestCors")),
                "RestPost": api_event("/rest/items", "POST", RestApiId=ref("RestCors")),
                "RestAny": api_event("/star/{proxy+}", "ANY", RestApiId=ref("RestQuoted")),
                "Plain": api_event("/plain", "GET"),
                "Http": http_event("/http/items", "GET", ApiId=ref("HttpCors")),
                "HttpOptions": http_event("/http/own", "OPTIONS", ApiId=ref("HttpCors")),
            }),
        ]

    def preflight(self, path, origin=APP, method="GET", headers=None):
        h = {"Origin": origin, "Access-Control-Request-Method": method}
        if headers:
            h["Access-Control-Request-Headers"] = headers
        return self.gw("OPTIONS", path, headers=h)

    # -- REST: SAM's mock, nothing on actual responses ------------------------------------------

    def test_rest_preflight_is_sams_mock(self):
        r = self.preflight("/rest/items", origin="https://elsewhere.example")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        self.assertEqual(r.header("Access-Control-Allow-Methods"), "GET,OPTIONS,POST")
        self.assertEqual(r.header("Access-Control-Allow-Headers"), "Content-Type")
        self.assertEqual(r.header("Access-Control-Max-Age"), "600")
        self.assertIsNone(r.header("Access-Control-Allow-Credentials"))
        self.assertTrue(r.header("x-amzn-RequestId"), r)
        r = self.preflight("/star/a/b")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertEqual(r.header("Access-Control-Allow-Methods"),
                         "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")

    def test_rest_responses_keep_the_functions_headers(self):
        r = self.gw("GET", "/rest/items", headers={"Origin": APP})
        self.assertEqual((r.status, r.text), (200, "ok"), r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "https://function.example")
        self.assertIsNone(r.header("Access-Control-Allow-Headers"))

    def test_rest_without_cors_has_no_mock(self):
        r = self.preflight("/plain")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": "Missing Authentication Token"})

    # -- HTTP API: the gateway answers preflights and sets the headers --------------------------

    def test_http_preflight_allowed(self):
        r = self.preflight("/http/items", method="POST", headers="Content-Type")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        self.assertEqual(r.header("Access-Control-Allow-Methods"), "GET,POST")
        self.assertEqual(r.header("Access-Control-Allow-Headers"), "content-type")
        self.assertEqual(r.header("Access-Control-Allow-Credentials"), "true")
        self.assertEqual(r.header("Access-Control-Max-Age"), "600")
        self.assertTrue(r.header("apigw-requestid"), r)
        # Answered on a path no route has too.
        r = self.preflight("/nowhere/at/all")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)

    def test_http_preflight_refused(self):
        for origin, method, headers in [("https://evil.example", "GET", None),
                                        (APP, "DELETE", None), (APP, "GET", "x-secret")]:
            r = self.preflight("/http/items", origin=origin, method=method, headers=headers)
            self.assertEqual(r.status, 204, r)
            self.assertIsNone(r.header("Access-Control-Allow-Origin"), r)
            self.assertIsNone(r.header("Access-Control-Allow-Methods"), r)

    def test_http_response_headers_replace_the_functions(self):
        r = self.gw("GET", "/http/items", headers={"Origin": APP})
        self.assertEqual((r.status, r.text), (200, "ok"), r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        self.assertEqual(r.header("Access-Control-Allow-Credentials"), "true")
        self.assertEqual(r.header("Access-Control-Expose-Headers"), "x-own")
        self.assertEqual(r.header("x-own"), "1")
        r = self.gw("GET", "/http/items", headers={"Origin": "https://evil.example"})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("Access-Control-Allow-Origin"), r)
        r = self.gw("GET", "/http/items")
        self.assertIsNone(r.header("Access-Control-Allow-Origin"), r)

    def test_http_options_route_is_invoked(self):
        r = self.preflight("/http/own")
        self.assertEqual((r.status, r.text), (200, "ok"), r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        self.assertEqual(r.header("x-own"), "1")


if __name__ == "__main__":
    unittest.main()
