"""The API Gateway port through real HTTP: routes from the template (implicit and explicit REST and
HTTP APIs, {name}, {proxy+}, ANY, $default), the events functions receive (bash functions echo
them back), the mapping of their replies, every failure in AWS's shape, and HTTP hygiene (keep-alive,
pipelining, body and header limits, chunked bodies, HEAD, Date, malformed requests). Node.js and
Python handlers and sam init's hello-world (examples/) answer through it too."""

from __future__ import annotations

import base64
import email.utils
import json
import re
import shutil
import socket
import tempfile
import time
import unittest
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from harness import (SOURCE_DIR, Function, Response, Server, ServerTestCase, _yaml, bash_function,
                     handler_function, http_request, wait_until)

PY = "/usr/bin/python3"

# A REST-style (payload 1.0) reply carrying the event as its body.
ECHO_V1 = f"""
response=$(printf '%s' "$event" | {PY} -c 'import json,sys; print(json.dumps({{"statusCode": 200, "headers": {{"content-type": "application/json"}}, "body": sys.stdin.read()}}))')
"""
# The request's body, sent back as the function's whole reply (to test reply mapping).
REPLY = f"""
response=$(printf '%s' "$event" | {PY} -c 'import base64,json,sys; e=json.load(sys.stdin); b=e.get("body") or ""; sys.stdout.write(base64.b64decode(b).decode("latin-1") if e.get("isBase64Encoded") else b)')
"""
FAIL = 'post_error Boom "it failed"; handled=1'


def api_event(path: str, method: str, **props: Any) -> dict:
    return {"Type": "Api", "Properties": {"Path": path, "Method": method, **props}}


def http_event(path: str | None = None, method: str | None = None, **props: Any) -> dict:
    p: dict[str, Any] = dict(props)
    if path is not None:
        p["Path"], p["Method"] = path, method
    return {"Type": "HttpApi", "Properties": p}


def ref(name: str) -> str:
    return f"!Ref {name}"


def template(functions: list[Function], apis: dict[str, dict] | None = None) -> str:
    """A SAM template with the functions (as the harness writes them) and explicit APIs."""
    resources: dict[str, Any] = {}
    for fn in functions:
        props = {"CodeUri": f"functions/{fn.name}/", "Handler": "function.handler",
                 "Runtime": "provided.al2023", **fn.properties}
        resources[fn.name] = {"Type": "AWS::Serverless::Function", "Properties": props}
    resources.update(apis or {})
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
           "Resources": resources}
    # `!Ref X` (and SAM's `!Ref Api.Stage`) must stay a tag, not a quoted string.
    return re.sub(r'"(!Ref [A-Za-z0-9.]+)"', r"\1", "\n".join(_yaml(doc, 0))) + "\n"


class GatewayServer(ServerTestCase):
    """A ServerTestCase whose template also holds explicit APIs."""

    apis: dict[str, dict] = {}
    server_env: dict[str, str] = {}

    @classmethod
    def _start_server(cls) -> None:
        functions = cls.functions()
        cls.server = Server(functions, init_timeout=cls.init_timeout, args=cls.server_args,
                            env=cls.server_env)
        # The harness wrote its own template (with OUT_DIR in every function): replace it.
        cls.server.template_path.write_text(template(functions, cls.apis))
        cls.server.start()

    def gw(self, method: str, path: str, body: bytes | str | None = None,
           headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
        return self.server.request(method, path, body, headers, timeout, port=self.server.api_port)

    def assert_error(self, r: Response, status: int, body: str, request_id_header: str) -> None:
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.body.decode(), body, r)
        self.assertEqual(r.header("Content-Type"), "application/json", r)
        self.assertTrue(r.header(request_id_header), r)


REST_500 = '{"message": "Internal server error"}'
HTTP_500 = '{"message":"Internal Server Error"}'


class GatewayRoutesTest(GatewayServer):
    """Implicit REST API, an explicit REST API (stage, variables, binary media types) and the
    implicit HTTP API, side by side on one port."""

    apis = {
        "MyRestApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "StageName": "dev", "Variables": {"color": "blue"},
            "BinaryMediaTypes": ["image~1png", "application~1octet-stream"]}},
    }

    @classmethod
    def functions(cls):
        return [
            bash_function("RestEcho", ECHO_V1, Events={
                "Echo": api_event("/rest/echo/{id}", "get"),
                "Any": api_event("/rest/any/{proxy+}", "ANY"),
                "Mine": api_event("/mine/{proxy+}", "ANY", RestApiId=ref("MyRestApi")),
                "Root": api_event("/", "GET"),
                "V1": http_event("/http/v1/{id}", "GET", PayloadFormatVersion="1.0"),
            }),
            bash_function("HttpEcho", "", Events={
                "Echo": http_event("/http/echo/{id}", "GET"),
                "Any": http_event("/http/any/{proxy+}", "ANY"),
            }),
            bash_function("Reply", REPLY, Events={
                "Rest": api_event("/rest/reply", "POST"),
                "Mine": api_event("/binary/reply", "POST", RestApiId=ref("MyRestApi")),
                "Http": http_event("/http/reply", "POST"),
                "Http1": http_event("/http/reply1", "POST", PayloadFormatVersion="1.0"),
            }),
            bash_function("Fail", FAIL, Events={
                "Rest": api_event("/rest/fail", "GET"), "Http": http_event("/http/fail", "GET")}),
            bash_function("Slow", "sleep 3", Timeout=10, Events={
                "Rest": api_event("/rest/slow", "GET", TimeoutInMillis=1000),
                "Http": http_event("/http/slow", "GET", TimeoutInMillis=1000)}),
            bash_function("Expire", "sleep 5", Timeout=1, Events={
                "Rest": api_event("/rest/expire", "GET"),
                "Http": http_event("/http/expire", "GET")}),
            bash_function("Disabled", "", ReservedConcurrentExecutions=0, Events={
                "Rest": api_event("/rest/throttled", "GET"),
                "Http": http_event("/http/throttled", "GET")}),
        ]

    # -- routes and events ------------------------------------------------------------------

    def test_rest_event(self):
        r = self.gw("GET", "/rest/echo/a%20b?x=1&x=2&y=", headers={
            "X-Multi": "one", "User-Agent": "test-agent/1.0", "Cookie": "c=1"})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("x-amzn-RequestId"), r)
        self.assertTrue(r.header("x-amz-apigw-id"), r)
        e = r.json()
        self.assertEqual(e["resource"], "/rest/echo/{id}")
        self.assertEqual(e["path"], "/rest/echo/a b")
        self.assertEqual(e["httpMethod"], "GET")
        self.assertEqual(e["pathParameters"], {"id": "a b"})
        self.assertEqual(e["queryStringParameters"], {"x": "2", "y": ""})
        self.assertEqual(e["multiValueQueryStringParameters"], {"x": ["1", "2"], "y": [""]})
        self.assertEqual(e["headers"]["X-Multi"], "one")
        self.assertEqual(e["multiValueHeaders"]["X-Multi"], ["one"])
        self.assertEqual(e["headers"]["Cookie"], "c=1")
        self.assertEqual(e["headers"]["X-Forwarded-Proto"], "http")
        self.assertEqual(e["headers"]["X-Forwarded-Port"], str(self.server.api_port))
        self.assertIsNone(e["stageVariables"])
        self.assertIsNone(e["body"])
        self.assertFalse(e["isBase64Encoded"])
        self.assertNotIn("version", e)
        c = e["requestContext"]
        self.assertEqual(c["stage"], "Prod")
        self.assertEqual(c["resourcePath"], "/rest/echo/{id}")
        self.assertEqual(c["httpMethod"], "GET")
        self.assertEqual(c["path"], "/rest/echo/a b")
        self.assertEqual(c["accountId"], "123456789012")
        self.assertRegex(c["apiId"], r"^[a-z0-9]{10}$")
        self.assertRegex(c["resourceId"], r"^[a-z0-9]{6}$")
        self.assertEqual(c["requestId"], r.header("x-amzn-RequestId"))
        self.assertEqual(c["extendedRequestId"], r.header("x-amz-apigw-id"))
        self.assertEqual(c["identity"]["sourceIp"], "127.0.0.1")
        self.assertEqual(c["identity"]["userAgent"], "test-agent/1.0")
        self.assertEqual(c["protocol"], "HTTP/1.1")
        self.assertEqual(c["domainName"], f"127.0.0.1:{self.server.api_port}")
        self.assertAlmostEqual(c["requestTimeEpoch"] / 1000, time.time(), delta=30)
        when = datetime.strptime(c["requestTime"], "%d/%b/%Y:%H:%M:%S %z")
        self.assertAlmostEqual(when.timestamp(), c["requestTimeEpoch"] / 1000, delta=1)

    def test_explicit_rest_api_stage_variables_and_greedy(self):
        e = self.gw("DELETE", "/mine/a/b/c").json()
        self.assertEqual(e["resource"], "/mine/{proxy+}")
        self.assertEqual(e["pathParameters"], {"proxy": "a/b/c"})
        self.assertEqual(e["httpMethod"], "DELETE")
        self.assertEqual(e["requestContext"]["stage"], "dev")
        self.assertEqual(e["stageVariables"], {"color": "blue"})
        other = self.gw("GET", "/rest/echo/1").json()
        self.assertNotEqual(e["requestContext"]["apiId"], other["requestContext"]["apiId"])

    def test_rest_root_and_any(self):
        self.assertEqual(self.gw("GET", "/").json()["resource"], "/")
        e = self.gw("PATCH", "/rest/any/x", body='{"a":1}',
                    headers={"Content-Type": "application/json"}).json()
        self.assertEqual(e["body"], '{"a":1}')
        self.assertEqual(e["pathParameters"], {"proxy": "x"})

    def test_rest_binary_media_types(self):
        png = bytes(range(256))
        e = self.gw("POST", "/mine/upload", body=png, headers={"Content-Type": "image/png"}).json()
        self.assertTrue(e["isBase64Encoded"])
        self.assertEqual(base64.b64decode(e["body"]), png)
        e = self.gw("POST", "/mine/upload", body="text",
                    headers={"Content-Type": "text/plain"}).json()
        self.assertFalse(e["isBase64Encoded"])
        # Implicit API without BinaryMediaTypes: never base64.
        e = self.gw("POST", "/rest/any/up", body=b"\x00\x01",
                    headers={"Content-Type": "image/png"}).json()
        self.assertFalse(e["isBase64Encoded"])

    def test_rest_binary_reply_decoded_only_for_binary_accept(self):
        reply = json.dumps({"statusCode": 200, "isBase64Encoded": True,
                            "headers": {"Content-Type": "image/png"},
                            "body": base64.b64encode(b"\x89PNG\x00").decode()})
        h = {"Content-Type": "application/json"}
        r = self.gw("POST", "/binary/reply", reply, headers={**h, "Accept": "image/png"})
        self.assertEqual(r.body, b"\x89PNG\x00", r)
        r = self.gw("POST", "/binary/reply", reply, headers=h)
        self.assertEqual(r.body, base64.b64encode(b"\x89PNG\x00"), r)

    def test_http_api_event(self):
        r = self.gw("GET", "/http/echo/caf%C3%A9?a=1&a=2&b=x%20y", headers={
            "X-Multi": "one", "Cookie": "c1=1; c2=2", "User-Agent": "ua"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")  # 2.0 inference
        request_id = r.header("apigw-requestid")
        self.assertRegex(request_id or "", r"^[A-Za-z0-9]{15}=$")
        e = r.json()
        self.assertEqual(e["version"], "2.0")
        self.assertEqual(e["routeKey"], "GET /http/echo/{id}")
        self.assertEqual(e["rawPath"], "/http/echo/caf%C3%A9")
        self.assertEqual(e["rawQueryString"], "a=1&a=2&b=x%20y")
        self.assertEqual(e["cookies"], ["c1=1", "c2=2"])
        self.assertNotIn("cookie", e["headers"])
        self.assertEqual(e["headers"]["x-multi"], "one")
        self.assertEqual(e["headers"]["user-agent"], "ua")
        self.assertEqual(e["queryStringParameters"], {"a": "1,2", "b": "x y"})
        self.assertEqual(e["pathParameters"], {"id": "café"})
        self.assertNotIn("stageVariables", e)
        self.assertNotIn("body", e)
        self.assertFalse(e["isBase64Encoded"])
        c = e["requestContext"]
        self.assertEqual(c["routeKey"], "GET /http/echo/{id}")
        self.assertEqual(c["stage"], "$default")
        self.assertEqual(c["requestId"], request_id)
        self.assertEqual(c["http"], {"method": "GET", "path": "/http/echo/café",
                                     "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                                     "userAgent": "ua"})
        self.assertAlmostEqual(c["timeEpoch"] / 1000, time.time(), delta=30)
        datetime.strptime(c["time"], "%d/%b/%Y:%H:%M:%S %z")

    def test_http_api_duplicate_headers_are_comma_joined(self):
        sock = socket.create_connection((self.server.host, self.server.api_port), timeout=10)
        with sock:
            sock.sendall(b"GET /http/echo/1 HTTP/1.1\r\nHost: h\r\nX-Dup: a\r\nX-DUP: b\r\n"
                         b"Connection: close\r\n\r\n")
            status, headers, body = read_response(sock.makefile("rb"))
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["headers"]["x-dup"], "a,b")

    def test_http_api_bodies(self):
        e = self.gw("POST", "/http/any/x", body='{"k":"v"}',
                    headers={"Content-Type": "application/json"}).json()
        self.assertEqual(e["routeKey"], "ANY /http/any/{proxy+}")
        self.assertEqual((e["body"], e["isBase64Encoded"]), ('{"k":"v"}', False))
        e = self.gw("PUT", "/http/any/x", body="a=1&b=2",
                    headers={"Content-Type": "application/x-www-form-urlencoded"}).json()
        self.assertEqual((base64.b64decode(e["body"]), e["isBase64Encoded"]), (b"a=1&b=2", True))

    def test_http_api_payload_1_route(self):
        e = self.gw("GET", "/http/v1/7?q=1", headers={"X-Case": "Kept"}).json()
        self.assertEqual(e["version"], "1.0")
        self.assertEqual(e["resource"], "/http/v1/{id}")
        self.assertEqual(e["pathParameters"], {"id": "7"})
        self.assertEqual(e["headers"]["x-case"], "Kept")
        self.assertEqual(e["multiValueQueryStringParameters"], {"q": ["1"]})
        self.assertEqual(e["requestContext"]["stage"], "$default")
        self.assertIsNone(e["requestContext"]["resourceId"])

    # -- replies ----------------------------------------------------------------------------

    def reply(self, path: str, reply: Any, **headers: str) -> Response:
        text = reply if isinstance(reply, str) else json.dumps(reply)
        return self.gw("POST", path, text, headers={"Content-Type": "application/json", **headers})

    def test_rest_reply_mapping(self):
        r = self.reply("/rest/reply", {"statusCode": 201, "headers": {"X-A": "1"},
                                       "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
                                       "body": "made"})
        self.assertEqual((r.status, r.body), (201, b"made"), r)
        self.assertEqual(r.header("X-A"), "1")
        self.assertEqual(r.headers.get_all("Set-Cookie"), ["a=1", "b=2"])
        self.assertEqual(r.header("Content-Type"), "application/json")
        r = self.reply("/rest/reply", {"statusCode": 204, "body": "dropped"})
        self.assertEqual((r.status, r.body), (204, b""), r)
        r = self.reply("/rest/reply", {"statusCode": 200, "headers": {"Content-Length": "1",
                                                                     "Date": "x"}, "body": "ok"})
        self.assertEqual((r.status, r.body), (200, b"ok"), r)
        self.assertEqual(r.header("x-amzn-Remapped-Content-Length"), "1")
        self.assertEqual(r.header("x-amzn-Remapped-Date"), "x")
        self.assertNotEqual(r.header("Date"), "x")

    def test_rest_malformed_replies_are_502(self):
        for reply in ["not json at all", '"a string"', {"body": "no statusCode"},
                      {"statusCode": 200, "body": {"an": "object"}},
                      {"statusCode": 200, "unexpected": True},
                      {"statusCode": "abc"}, {"statusCode": 200, "headers": {"x": "a\r\nb: c"}}]:
            r = self.reply("/rest/reply", reply)
            self.assert_error(r, 502, REST_500, "x-amzn-RequestId")
            self.assertEqual(r.header("x-amzn-ErrorType"), "InternalServerErrorException")
        self.assertIn("malformed Lambda proxy response", self.server.stderr())

    def test_http_api_reply_mapping(self):
        r = self.reply("/http/reply", {"statusCode": 202, "cookies": ["a=1; Path=/", "b=2"],
                                       "headers": {"x-b": "2"}, "body": "queued"})
        self.assertEqual((r.status, r.body), (202, b"queued"), r)
        self.assertEqual(r.headers.get_all("set-cookie"), ["a=1; Path=/", "b=2"])
        self.assertEqual(r.header("content-type"), "text/plain; charset=utf-8")
        r = self.reply("/http/reply", {"statusCode": 200, "isBase64Encoded": True,
                                       "body": base64.b64encode(b"\x00\xffbin").decode()})
        self.assertEqual(r.body, b"\x00\xffbin", r)
        r = self.reply("/http/reply", {"hello": "world"})  # no statusCode: inferred
        self.assertEqual((r.status, r.json()), (200, {"hello": "world"}), r)
        self.assertEqual(r.header("content-type"), "application/json")
        r = self.reply("/http/reply", '"just text"')
        self.assertEqual((r.status, r.body), (200, b"just text"), r)

    def test_http_api_malformed_replies_are_500(self):
        for reply in ["not json", {"statusCode": "x"}, {"statusCode": 200, "body": {"a": 1}},
                      {"statusCode": 200, "cookies": "a=1"}]:
            self.assert_error(self.reply("/http/reply", reply), 500, HTTP_500, "apigw-requestid")

    def test_http_api_payload_1_reply_is_strict(self):
        r = self.reply("/http/reply1", {"statusCode": 200, "body": "v1"})
        self.assertEqual((r.status, r.body), (200, b"v1"), r)
        self.assertEqual(r.header("content-type"), "text/plain; charset=utf-8")
        self.assert_error(self.reply("/http/reply1", {"no": "status"}), 500, HTTP_500,
                          "apigw-requestid")

    # -- failures ---------------------------------------------------------------------------

    def test_function_errors(self):
        r = self.gw("GET", "/rest/fail")
        self.assert_error(r, 502, REST_500, "x-amzn-RequestId")
        self.assert_error(self.gw("GET", "/http/fail"), 500, HTTP_500, "apigw-requestid")

    def test_function_timeout_is_a_function_error(self):
        # The function's own 1 s timeout comes before the integration timeout: Lambda reports
        # Sandbox.Timedout and API Gateway answers as for any function error.
        self.assert_error(self.gw("GET", "/rest/expire"), 502, REST_500, "x-amzn-RequestId")
        self.assert_error(self.gw("GET", "/http/expire"), 500, HTTP_500, "apigw-requestid")

    def test_integration_timeout(self):
        start = time.monotonic()
        r = self.gw("GET", "/rest/slow")
        self.assert_error(r, 504, '{"message": "Endpoint request timed out"}', "x-amzn-RequestId")
        r = self.gw("GET", "/http/slow")
        self.assert_error(r, 503, '{"message":"Service Unavailable"}', "apigw-requestid")
        self.assertLess(time.monotonic() - start, 5)
        self.assertIn("integration timeout", self.server.stderr())

    def test_throttled_function(self):
        # Lambda's 429 reaches API Gateway as an integration failure: 500, as on AWS.
        self.assert_error(self.gw("GET", "/rest/throttled"), 500, REST_500, "x-amzn-RequestId")
        self.assert_error(self.gw("GET", "/http/throttled"), 500, HTTP_500, "apigw-requestid")
        self.assertIn("TooManyRequestsException", self.server.stderr())

    def test_unmatched_requests(self):
        # The template has an HTTP API: an unknown path is 404.
        self.assert_error(self.gw("GET", "/nowhere"), 404, '{"message":"Not Found"}',
                          "apigw-requestid")
        self.assert_error(self.gw("GET", "/http/echo"), 404, '{"message":"Not Found"}',
                          "apigw-requestid")
        self.assert_error(self.gw("POST", "/http/echo/1"), 404, '{"message":"Not Found"}',
                          "apigw-requestid")
        # A REST resource without the method answers as REST does.
        r = self.gw("POST", "/rest/echo/1")
        self.assert_error(r, 403, '{"message":"Missing Authentication Token"}', "x-amzn-RequestId")
        self.assertEqual(r.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")

    def test_invalid_percent_encoding(self):
        for path in ["/http/echo/%zz", "/rest/echo/%4", "/http/echo/1?a=%G1"]:
            self.assert_error(self.gw("GET", path), 400, '{"message":"Bad Request"}',
                              "apigw-requestid")
        self.assertEqual(self.gw("GET", "/http/echo/ok").status, 200)

    # -- HTTP hygiene -----------------------------------------------------------------------

    def raw(self, data: bytes, timeout: float = 10) -> bytes:
        sock = socket.create_connection((self.server.host, self.server.api_port), timeout=timeout)
        with sock:
            sock.sendall(data)
            out = b""
            while True:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                out += chunk
            return out

    def test_keep_alive(self):
        import http.client
        conn = http.client.HTTPConnection(self.server.host, self.server.api_port, timeout=10)
        try:
            sockets = []
            for i in range(3):
                conn.request("GET", f"/http/echo/{i}")
                r = conn.getresponse()
                self.assertEqual(json.loads(r.read())["pathParameters"], {"id": str(i)})
                sockets.append(conn.sock)
            self.assertIs(sockets[0], sockets[2])  # one connection for all three
            conn.request("GET", "/nowhere")
            self.assertEqual(conn.getresponse().read(), b'{"message":"Not Found"}')
            self.assertIs(conn.sock, sockets[0])
        finally:
            conn.close()

    def test_pipelined_requests_answered_in_order(self):
        sock = socket.create_connection((self.server.host, self.server.api_port), timeout=10)
        with sock:
            sock.sendall(b"".join(f"GET /http/echo/{i} HTTP/1.1\r\nHost: h\r\n\r\n".encode()
                                  for i in range(5)))
            f = sock.makefile("rb")
            for i in range(5):
                status, headers, body = read_response(f)
                self.assertEqual(status, 200)
                self.assertEqual(json.loads(body)["pathParameters"], {"id": str(i)})

    def test_body_limit(self):
        limit = 10 * 1024 * 1024
        r = self.gw("POST", "/http/any/big", body=b"x" * (limit + 1))
        self.assert_error(r, 413, '{"message":"Request Entity Too Large"}', "apigw-requestid")
        r = self.gw("POST", "/rest/any/big", body=b"x" * (limit + 1))
        self.assert_error(r, 413, '{"message":"Request Too Long"}', "x-amzn-RequestId")
        # Chunked: refused while reading.
        head = b"POST /http/any/big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        chunk = b"x" * (1024 * 1024)
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(11)) + b"0\r\n\r\n"
        out = self.raw(head + body)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:200])
        # Under 10 MB but over Lambda's 6 MB: Lambda refuses the event.
        r = self.gw("POST", "/http/any/big", body=b"x" * (7 * 1024 * 1024),
                    headers={"Content-Type": "text/plain"})
        self.assert_error(r, 500, HTTP_500, "apigw-requestid")
        self.assertEqual(self.gw("GET", "/http/echo/still-here").status, 200)

    def test_chunked_body(self):
        out = self.raw(b"POST /http/any/chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                       b"Content-Type: text/plain\r\nConnection: close\r\n\r\n"
                       b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        head, _, body = out.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), out)
        self.assertEqual(json.loads(body)["body"], "hello world")

    def test_header_limit(self):
        r = self.gw("GET", "/http/echo/1", headers={"X-Big": "y" * (11 * 1024)})
        self.assert_error(r, 431, '{"message":"Request Header Fields Too Large"}',
                          "apigw-requestid")
        self.assertEqual(self.gw("GET", "/http/echo/1", headers={"X-Ok": "y" * 8000}).status, 200)

    def test_malformed_http(self):
        for garbage in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                        b"GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
                        b"POST /http/any/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"zz\r\nnope\r\n"]:
            out = self.raw(garbage)
            self.assertTrue(out.startswith(b"HTTP/1.1 400"), (garbage, out))
            self.assertTrue(out.endswith(b'{"message":"Bad Request"}'), out)
        self.assertEqual(self.gw("GET", "/http/echo/fine").status, 200)

    def test_head(self):
        import http.client
        conn = http.client.HTTPConnection(self.server.host, self.server.api_port, timeout=10)
        try:
            conn.request("HEAD", "/http/any/h")
            r = conn.getresponse()
            self.assertEqual(r.status, 200)
            self.assertGreater(int(r.getheader("Content-Length")), 100)
            self.assertEqual(r.read(), b"")
            conn.request("GET", "/http/echo/after-head")  # the connection is still in step
            self.assertEqual(json.loads(conn.getresponse().read())["pathParameters"],
                             {"id": "after-head"})
        finally:
            conn.close()

    def test_date_header(self):
        r = self.gw("GET", "/http/echo/1")
        when = email.utils.parsedate_to_datetime(r.header("Date"))
        self.assertEqual(when.tzinfo, timezone.utc)
        self.assertAlmostEqual(when.timestamp(), time.time(), delta=5)
        self.assertRegex(r.header("Date"), r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} "
                                           r"\d\d:\d\d:\d\d GMT$")

    def test_http_1_0_closes(self):
        out = self.raw(b"GET /http/echo/10 HTTP/1.0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.0 200"), out)
        body = json.loads(out.partition(b"\r\n\r\n")[2])
        self.assertEqual(body["requestContext"]["http"]["protocol"], "HTTP/1.0")
        self.assertEqual(body["requestContext"]["domainName"], "localhost")


def read_response(f) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length from a socket file."""
    status = int(f.readline().split()[1])
    headers: dict[str, str] = {}
    while True:
        line = f.readline().decode().rstrip("\r\n")
        if not line:
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = f.read(int(headers.get("content-length", "0")))
    return status, headers, body


class GatewayDefaultRouteTest(GatewayServer):
    """An explicit HTTP API with a stage, stage variables and the $default route."""

    apis = {"MyHttpApi": {"Type": "AWS::Serverless::HttpApi", "Properties": {
        "StageName": "v1", "StageVariables": {"tier": "gold"}}}}

    @classmethod
    def functions(cls):
        return [
            bash_function("Catch", "", Events={
                "Default": http_event(ApiId=ref("MyHttpApi")),
                "Item": http_event("/items/{id}", "GET", ApiId=ref("MyHttpApi"))}),
            bash_function("Legacy", ECHO_V1, Events={
                "Old": http_event("/legacy", "GET", ApiId=ref("MyHttpApi"),
                                  PayloadFormatVersion="1.0")}),
        ]

    def test_default_route_takes_everything_else(self):
        for method, path in [("GET", "/"), ("POST", "/anything/at/all?x=1"), ("DELETE", "/items/1")]:
            e = self.gw(method, path).json()
            self.assertEqual(e["routeKey"], "$default", path)
            self.assertEqual(e["requestContext"]["routeKey"], "$default")
            self.assertEqual(e["rawPath"], path.split("?")[0])
            self.assertNotIn("pathParameters", e)
            self.assertEqual(e["requestContext"]["stage"], "v1")
            self.assertEqual(e["stageVariables"], {"tier": "gold"})

    def test_routes_before_default(self):
        e = self.gw("GET", "/items/9").json()
        self.assertEqual((e["routeKey"], e["pathParameters"]), ("GET /items/{id}", {"id": "9"}))
        e = self.gw("GET", "/legacy").json()
        self.assertEqual(e["version"], "1.0")
        self.assertEqual(e["stageVariables"], {"tier": "gold"})


class GatewayRestOnlyTest(GatewayServer):
    """A template without HTTP APIs: everything unmatched is REST's 403."""

    @classmethod
    def functions(cls):
        return [bash_function("Only", ECHO_V1, Events={"Get": api_event("/only", "GET")})]

    def test_unknown_path_and_method(self):
        self.assertEqual(self.gw("GET", "/only").status, 200)
        for method, path in [("GET", "/nope"), ("POST", "/only"), ("GET", "/only/deeper")]:
            r = self.gw(method, path)
            self.assert_error(r, 403, '{"message":"Missing Authentication Token"}',
                              "x-amzn-RequestId")
            self.assertEqual(r.header("x-amzn-ErrorType"), "MissingAuthenticationTokenException")
        r = self.gw("POST", "/only", body=b"x" * (10 * 1024 * 1024 + 1))
        self.assert_error(r, 413, '{"message":"Request Too Long"}', "x-amzn-RequestId")
        out = socket.create_connection((self.server.host, self.server.api_port), timeout=10)
        with out:
            out.sendall(b"NOT HTTP\r\n\r\n")
            self.assertTrue(out.recv(4096).endswith(b'{"message":"Bad Request"}'))


NODE_HANDLER = """
export const handler = async (event) => {
  if (event.version === "2.0") {
    return {name: event.pathParameters.name, rawPath: event.rawPath, q: event.queryStringParameters};
  }
  return {statusCode: 200, headers: {"content-type": "application/json"},
          multiValueHeaders: {"set-cookie": ["a=1", "b=2"]},
          body: JSON.stringify({resource: event.resource, name: event.pathParameters.name})};
};
"""

PYTHON_HANDLER = """
import json

def handler(event, context):
    if event.get("version") == "2.0":
        return {"statusCode": 200, "cookies": ["sid=1"], "body": json.dumps(
            {"route": event["routeKey"], "request": context.aws_request_id})}
    raise ValueError("REST calls fail")
"""


def _has(program: str) -> bool:
    return shutil.which(program) is not None


@unittest.skipUnless(_has("node") and _has("python3"), "needs node and python3")
class GatewayManagedRuntimesTest(GatewayServer):
    init_timeout = 10

    @classmethod
    def functions(cls):
        return [
            handler_function("NodeFn", "nodejs20.x", "index.handler", {"index.mjs": NODE_HANDLER},
                             Events={"Http": http_event("/node/{name}", "GET"),
                                     "Rest": api_event("/node-rest/{name}", "GET")}),
            handler_function("PyFn", "python3.12", "app.handler", {"app.py": PYTHON_HANDLER},
                             Events={"Http": http_event("/py", "POST"),
                                     "Rest": api_event("/py-rest", "GET")}),
        ]

    def test_node(self):
        r = self.gw("GET", "/node/ada?x=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"name": "ada", "rawPath": "/node/ada", "q": {"x": "1"}})
        r = self.gw("GET", "/node-rest/bob")
        self.assertEqual(r.json(), {"resource": "/node-rest/{name}", "name": "bob"})
        self.assertEqual(r.headers.get_all("set-cookie"), ["a=1", "b=2"])

    def test_python(self):
        r = self.gw("POST", "/py", body="{}", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["route"], "POST /py")
        self.assertEqual(r.header("set-cookie"), "sid=1")
        self.assert_error(self.gw("GET", "/py-rest"), 502, REST_500, "x-amzn-RequestId")


@unittest.skipUnless(_has("node"), "needs node")
class GatewayHelloWorldExampleTest(unittest.TestCase):
    """sam init's hello-world (examples/hello-node, REST GET /hello on app.mjs) answers through
    the gateway, unchanged."""

    def test_get_hello(self):
        examples = SOURCE_DIR / "examples"
        if not (examples / "hello-node" / "hello-world" / "app.mjs").exists():
            self.skipTest("examples/hello-node is not there")
        tmp = Path(tempfile.mkdtemp(prefix="lambdad-gw-hello-"))
        try:
            shutil.copytree(examples / "hello-node", tmp / "hello-node")
            (tmp / "template.yaml").write_text(HELLO_TEMPLATE)
            server = Server(template=HELLO_TEMPLATE, init_timeout=10)
            shutil.rmtree(server.root)
            shutil.copytree(tmp, server.root)
            (server.root / "out").mkdir(exist_ok=True)
            with server:
                r = server.request("GET", "/hello", port=server.api_port)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json(), {"message": "hello world"})
                self.assertEqual(r.header("Content-Type"), "application/json")
                server.stop()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# The function and event of examples/template.yaml's HelloWorldFunction, as sam init writes them.
HELLO_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 3
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-node/hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
      Architectures:
        - x86_64
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get
"""


if __name__ == "__main__":
    unittest.main()
