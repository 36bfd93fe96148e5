"""Malformed HTTP on every port (issue 17, defect 4): each answer is in its AWS counterpart's shape.
The lambda port answers as the Lambda API (`x-amzn-ErrorType`, `{"Type": "User", "message": …}`),
a worker's Runtime API endpoint as the Runtime API (`{"errorMessage", "errorType"}`), the gateway
as API Gateway (`{"message": …}`). Requests go over raw sockets, as a fuzzer sends them."""

import base64
import json
import os
import shutil
import socket
import unittest

from harness import ServerTestCase, bash_function, script_function

# (name, raw request, expected status)
CASES = [
    ("garbage request line", b"NONSENSE\r\n\r\n", 400),
    ("method only", b"GET\r\n\r\n", 400),
    ("bad method token", b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("control character in target", b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("unknown version", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    ("bad protocol name", b"GET / HTTX/1.1\r\nHost: x\r\n\r\n", 400),
    ("double space", b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("space in a field name", b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
    ("control character in a value", b"GET / HTTP/1.1\r\nX-A: a\x01b\r\n\r\n", 400),
    ("field without a colon", b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),
    ("Content-Length not a number", b"POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
    ("negative Content-Length", b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    ("Content-Length overflow",
     b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
    ("two Content-Lengths",
     b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
    ("Transfer-Encoding not ending in chunked",
     b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
    ("bad chunk size", b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
    ("chunk without its CRLF",
     b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n", 400),
    ("bad chunk extension",
     b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;\x01\r\nabc\r\n0\r\n\r\n", 400),
    ("a TLS ClientHello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, 400),
    ("one header over the limit", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431),
    ("many headers over the limit",
     b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(200)) +
     b"\r\n", 431),
]

# A body over the port's limit, declared: 413 before the body is read.
TOO_LARGE = (b"POST /2015-03-31/functions/Endpoint/invocations HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: 99999999\r\n\r\n")


# A custom runtime that sends each request of its event (base64) to its own Runtime API endpoint
# on a connection of its own, and answers with what came back: [{status, headers, body}].
PROBER = r'''#!/usr/bin/env python3
import base64, http.client, json, os, socket
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
base = "/2018-06-01/runtime"
runtime = http.client.HTTPConnection(host, int(port))

def exchange(data):
    s = socket.create_connection((host, int(port)), timeout=10)
    received = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
    except OSError:
        pass
    finally:
        s.close()
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    status = int(lines[0].split(" ")[1]) if lines[0].startswith("HTTP/1.1 ") else 0
    return {"status": status, "headers": headers, "body": body.decode("utf-8", "replace")}

while True:
    runtime.request("GET", base + "/invocation/next")
    r = runtime.getresponse()
    event = json.loads(r.read())
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    answers = [exchange(base64.b64decode(d)) for d in event["requests"]]
    runtime.request("POST", base + "/invocation/" + rid + "/response", json.dumps(answers))
    runtime.getresponse().read()
'''


def python3() -> str | None:
    # The system interpreter: a sandboxed worker sees /usr, not a version manager's prefix.
    for path in ("/usr/bin/python3", shutil.which("python3")):
        if path and os.access(path, os.X_OK):
            return path
    return None


def exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Sends raw bytes, reads until the server closes: (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    received = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered before reading everything (431, 413): read its answer
        while chunk := s.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    finally:
        s.close()
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 "):
        raise AssertionError(f"no HTTP answer to {data[:80]!r}: {received[:200]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split(" ")[1]), headers, body


class MalformedHttpTest(ServerTestCase):
    @classmethod
    def functions(cls):
        fns = [bash_function("Endpoint")]
        if python3():
            # Only a worker's own processes may connect to its endpoint: the function sends the
            # malformed requests itself, as a hostile function would.
            fns.append(script_function(
                "Prober", PROBER.replace("/usr/bin/env python3", python3()), Timeout=60))
        return fns

    def check_answers(self, answers, check):
        for (name, data, status), (got, headers, body) in zip(CASES, answers):
            with self.subTest(name):
                self.assertEqual(got, status, (name, headers, body))
                self.assertEqual(headers.get("content-type"), "application/json", headers)
                self.assertEqual(headers.get("connection"), "close", headers)
                check(headers, json.loads(body))

    def check_cases(self, port: int, check):
        self.check_answers([exchange(port, data) for _, data, _ in CASES], check)

    def test_lambda_port_answers_as_the_lambda_api(self):
        def check(headers, body):
            self.assertEqual(headers.get("x-amzn-errortype"), "InvalidRequestContentException")
            self.assertTrue(headers.get("x-amzn-requestid"), headers)
            self.assertEqual(set(body), {"Type", "message"}, body)
            self.assertEqual(body["Type"], "User")

        self.check_cases(self.server.lambda_port, check)
        status, headers, body = exchange(self.server.lambda_port, TOO_LARGE)
        self.assertEqual(status, 413)
        self.assertEqual(headers.get("x-amzn-errortype"), "RequestTooLargeException")
        self.assertEqual(json.loads(body)["Type"], "User")
        # The port still serves.
        self.server.invoke_ok(self, "Endpoint", {})

    def test_runtime_api_answers_as_the_runtime_api(self):
        if not python3():
            self.skipTest("no python3 for the probing function")
        too_large = (b"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 99999999\r\n\r\n")
        requests = [data for _, data, _ in CASES] + [too_large]
        r = self.server.invoke_ok(
            self, "Prober", {"requests": [base64.b64encode(d).decode() for d in requests]},
            timeout=60)
        answers = [(a["status"], a["headers"], a["body"].encode()) for a in r.json()]

        def check(headers, body):
            self.assertNotIn("x-amzn-errortype", headers)
            self.assertEqual(set(body), {"errorMessage", "errorType"}, body)
            self.assertIn(body["errorType"], ("InvalidRequest", "RequestHeaderFieldsTooLarge"))

        self.check_answers(answers[:-1], check)
        status, _, body = answers[-1]
        self.assertEqual(status, 413)
        self.assertEqual(json.loads(body)["errorType"], "RequestEntityTooLarge")
        # The worker was not disturbed: it still serves its function.
        self.server.invoke_ok(self, "Prober", {"requests": []})

    def test_gateway_answers_as_api_gateway(self):
        def check(headers, body):
            self.assertEqual(set(body), {"message"}, body)
            self.assertIn("x-amzn-requestid", headers)

        self.check_cases(self.server.api_port, check)
        status, _, body = exchange(self.server.api_port, TOO_LARGE.replace(b"99999999", b"99999999999"))
        self.assertEqual(status, 413)
        self.assertEqual(set(json.loads(body)), {"message"})


if __name__ == "__main__":
    unittest.main()
