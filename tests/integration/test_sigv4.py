"""Who may call the lambda port: SigV4 with `--credentials`, the loopback rule without, and the
rule that functions (at every sandbox tier) may invoke but not manage lambdad.

Requests are signed by botocore's own signer (an implementation independent of lambdad's) and sent
with http.client, so every refusal's status, `x-amzn-ErrorType` and body can be checked."""

import datetime
import hashlib
import hmac
import json
import os
import unittest
from unittest import mock

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import (Server, ServerTestCase, bash_function, handler_function, run_cli,
                     wait_until)

KEY, SECRET = "AKIDLAMBDAD", "s3cr3t/with+odd=chars"


def signed(server, method, path, body=b"", headers=None, *, key=KEY, secret=SECRET,
           service="lambda", region="eu-west-1", when=None, presign=None):
    """The request as botocore signs it: (path, headers) to send."""
    url = f"http://{server.host}:{server.lambda_port}{path}"
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    creds = Credentials(key, secret)
    signer = (SigV4QueryAuth(creds, service, region, expires=presign) if presign
              else SigV4Auth(creds, service, region))
    when = when or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    prepared = request.prepare()
    sent_path = prepared.url.split(f":{server.lambda_port}", 1)[1]
    return sent_path, dict(prepared.headers)


def send_signed(server, method, path, body=b"", headers=None, **kwargs):
    sent_path, sent_headers = signed(server, method, path, body, headers, **kwargs)
    return server.request(method, sent_path, body, sent_headers)


class SignaturesRequiredTest(ServerTestCase):
    server_args = ["--credentials", f"{KEY}:{SECRET}", "--credentials", "AKIDSECOND:other"]

    @classmethod
    def functions(cls):
        return [bash_function("Echo")]

    def refused(self, response, status, error_type):
        self.assertEqual(response.status, status, response)
        self.assertEqual(response.header("x-amzn-ErrorType"), error_type, response)
        return response.json()

    def test_health_and_metrics_stay_open(self):
        self.assertEqual(self.server.request("GET", "/healthz").status, 200)
        self.assertEqual(self.server.request("GET", "/metrics").status, 200)

    def test_signed_invoke_passes_with_either_key(self):
        invoke = "/2015-03-31/functions/Echo/invocations"
        r = send_signed(self.server, "POST", invoke, b'{"n":1}')
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"n": 1})
        r = send_signed(self.server, "POST", invoke, b'{"n":2}', key="AKIDSECOND", secret="other",
                        region="us-east-1")
        self.assertEqual(r.status, 200, r)

    def test_unsigned_is_missing_a_token(self):
        body = self.refused(self.server.invoke("Echo"), 403, "MissingAuthenticationTokenException")
        self.assertEqual(body, {"message": "Missing Authentication Token"})
        # Every path needs it, known or not (AWS answers before routing).
        self.refused(self.server.request("GET", "/no/such/operation"), 403,
                     "MissingAuthenticationTokenException")
        self.refused(self.server.request("POST", "/_lambdad/deploy"), 403,
                     "MissingAuthenticationTokenException")

    def test_half_a_signature_is_incomplete(self):
        r = self.server.request("GET", "/2015-03-31/functions/", headers={
            "Authorization": f"AWS4-HMAC-SHA256 Credential={KEY}/20261207/us-east-1/lambda/"
                             "aws4_request"})
        body = self.refused(r, 403, "IncompleteSignatureException")
        self.assertIn("requires 'Signature' parameter", body["message"])

    def test_unknown_key(self):
        r = send_signed(self.server, "GET", "/2015-03-31/functions/", key="AKIDUNKNOWN")
        body = self.refused(r, 403, "UnrecognizedClientException")
        self.assertEqual(body, {"message": "The security token included in the request is invalid."})

    def test_wrong_secret(self):
        r = send_signed(self.server, "GET", "/2015-03-31/functions/", secret="wrong")
        body = self.refused(r, 403, "InvalidSignatureException")
        self.assertTrue(body["message"].startswith(
            "The request signature we calculated does not match the signature you provided."),
            body)

    def test_expired_and_future(self):
        old = datetime.datetime.utcnow() - datetime.timedelta(minutes=10)
        body = self.refused(send_signed(self.server, "GET", "/2015-03-31/functions/", when=old),
                            403, "InvalidSignatureException")
        self.assertRegex(body["message"],
                         r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                         r"\(\d{8}T\d{6}Z - 5 min\.\)$")
        future = datetime.datetime.utcnow() + datetime.timedelta(minutes=10)
        body = self.refused(send_signed(self.server, "GET", "/2015-03-31/functions/", when=future),
                            403, "InvalidSignatureException")
        self.assertIn("Signature not yet current", body["message"])
        # Within the skew: fine.
        close = datetime.datetime.utcnow() - datetime.timedelta(minutes=4)
        self.assertEqual(
            send_signed(self.server, "GET", "/2015-03-31/functions/", when=close).status, 200)

    def test_body_replayed_under_another_signature(self):
        path, headers = signed(self.server, "POST", "/2015-03-31/functions/Echo/invocations",
                               b'{"amount":1}')
        r = self.server.request("POST", path, b'{"amount":1000}', headers)
        self.refused(r, 403, "InvalidSignatureException")
        self.assertEqual(self.server.request("POST", path, b'{"amount":1}', headers).status, 200)

    def test_header_tampering(self):
        path, headers = signed(self.server, "POST", "/2015-03-31/functions/Echo/invocations",
                               b"{}", {"X-Amz-Invocation-Type": "RequestResponse"})
        unsigned = dict(headers, **{"X-Amz-Log-Type": "Tail", "User-Agent": "tampered"})
        self.assertEqual(self.server.request("POST", path, b"{}", unsigned).status, 200)
        tampered = dict(headers, **{"X-Amz-Invocation-Type": "DryRun"})
        self.refused(self.server.request("POST", path, b"{}", tampered), 403,
                     "InvalidSignatureException")

    def test_presigned_url(self):
        r = send_signed(self.server, "GET", "/2015-03-31/functions/Echo", presign=300)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Configuration"]["FunctionName"], "Echo")

    def test_signed_unknown_operation_is_unknown(self):
        r = send_signed(self.server, "GET", "/2015-03-31/no-such-thing")
        self.refused(r, 404, "UnknownOperationException")

    def test_logs_api_in_its_json_shape(self):
        headers = {"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                   "Content-Type": "application/x-amz-json-1.1"}
        r = self.server.request("POST", "/", b"{}", headers)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["__type"], "MissingAuthenticationTokenException")
        r = send_signed(self.server, "POST", "/", b"{}", headers, service="logs")
        self.assertEqual(r.status, 200, r)
        # A signature scoped to lambda does not open the Logs API.
        r = send_signed(self.server, "POST", "/", b"{}", headers, service="lambda")
        self.assertEqual(r.json()["__type"], "InvalidSignatureException", r)

    def test_lambdad_cli_signs_with_the_environments_keys(self):
        clean = {k: "" for k in os.environ if k.startswith("AWS_")}
        keys = dict(clean, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_REGION="sa-east-1")
        r = run_cli(["invoke", "Echo", "--endpoint", self.server.lambda_url, "--event",
                     '{"cli":1}'], env=keys)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout), {"cli": 1})
        r = run_cli(["logs", "Echo", "--endpoint", self.server.lambda_url], env=keys)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = run_cli(["invoke", "Echo", "--endpoint", self.server.lambda_url], env=clean)
        self.assertEqual(r.returncode, 1)
        self.assertIn("403 MissingAuthenticationTokenException", r.stderr)
        r = run_cli(["logs", "Echo", "--endpoint", self.server.lambda_url],
                    env=dict(keys, AWS_SECRET_ACCESS_KEY="wrong"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("InvalidSignatureException", r.stderr)

    def test_chunk_signed_payload(self):
        """STREAMING-AWS4-HMAC-SHA256-PAYLOAD as the SDKs send it (aws-chunked, each chunk's
        signature chained), built here by hand from the documented algorithm."""
        payload = json.dumps({"big": "x" * 70000}).encode()
        amz_date = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
        date, region, service = amz_date[:8], "us-east-1", "lambda"
        scope = f"{date}/{region}/{service}/aws4_request"
        chunks = [payload[i:i + 65536] for i in range(0, len(payload), 65536)] + [b""]
        host = f"{self.server.host}:{self.server.lambda_port}"
        encoded_length = sum(len(f"{len(c):x};chunk-signature=") + 64 + 4 + len(c) for c in chunks)
        headers = {"host": host, "x-amz-date": amz_date, "content-encoding": "aws-chunked",
                   "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                   "x-amz-decoded-content-length": str(len(payload)),
                   "content-length": str(encoded_length)}
        names = sorted(headers)
        canonical = "\n".join(["POST", "/2015-03-31/functions/Echo/invocations", "",
                               *[f"{n}:{headers[n]}" for n in names], "", ";".join(names),
                               "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"])

        def mac(k, m):
            return hmac.new(k, m.encode(), hashlib.sha256).digest()
        key = mac(mac(mac(mac(b"AWS4" + SECRET.encode(), date), region), service), "aws4_request")
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={KEY}/{scope}, "
                                    f"SignedHeaders={';'.join(names)}, Signature={previous}")
        body = b""
        empty = hashlib.sha256(b"").hexdigest()
        for chunk in chunks:
            text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty,
                              hashlib.sha256(chunk).hexdigest()])
            previous = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
            body += f"{len(chunk):x};chunk-signature={previous}\r\n".encode() + chunk + b"\r\n"
        self.assertEqual(len(body), encoded_length)
        del headers["host"]
        r = self.server.request("POST", "/2015-03-31/functions/Echo/invocations", body, headers)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, payload)
        # One byte changed in the second chunk: refused, and the function never sees it.
        tampered = bytearray(body)
        tampered[-200] ^= 1
        r = self.server.request("POST", "/2015-03-31/functions/Echo/invocations", bytes(tampered),
                                headers)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "InvalidSignatureException")


class ListenRuleTest(unittest.TestCase):
    def test_non_loopback_host_needs_credentials(self):
        server = Server([bash_function("Echo")], args=["--host", "0.0.0.0"])
        try:
            with self.assertRaises(AssertionError) as refused:
                server.start()
            self.assertIn("--host 0.0.0.0 is not a loopback address, and no credentials are "
                          "configured", str(refused.exception))
        finally:
            server.cleanup()

    def test_non_loopback_host_with_credentials_from_the_environment(self):
        server = Server([bash_function("Echo")], args=["--host", "0.0.0.0"],
                        env={"LAMBDAD_CREDENTIALS": f" {KEY}:{SECRET} , AKIDTWO:two"})
        with server:
            self.assertEqual(server.host, "0.0.0.0")
            self.assertEqual(server.invoke("Echo").status, 403)
            self.assertEqual(send_signed(server, "POST", "/2015-03-31/functions/Echo/invocations",
                                         b"{}", key="AKIDTWO", secret="two").status, 200)

    def test_bad_credentials_are_a_usage_error(self):
        server = Server([bash_function("Echo")], args=["--credentials", "no-colon"])
        try:
            with self.assertRaises(AssertionError) as refused:
                server.start()
            self.assertIn("are not ACCESS_KEY_ID:SECRET", str(refused.exception))
        finally:
            server.cleanup()


# The function calls the lambda port it is given: a deploy (management) and an Invoke of another
# function (data plane), and answers with what each got.
CALLER = r'''
import json, sys, urllib.request, urllib.error
event = json.loads(sys.argv[1])
base = "http://127.0.0.1:%d" % event["port"]
def call(method, path, body=b"{}"):
    request = urllib.request.Request(base + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return {"status": r.status, "type": r.headers.get("x-amzn-ErrorType"),
                    "body": r.read().decode()}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "type": e.headers.get("x-amzn-ErrorType"),
                "body": e.read().decode()}
print(json.dumps({
    "deploy": call("POST", "/_lambdad/deploy"),
    "list": call("GET", "/2015-03-31/functions/", None),
    "create": call("POST", "/2015-03-31/functions", b'{"FunctionName":"Made"}'),
    "invoke": call("POST", "/2015-03-31/functions/Target/invocations", b'{"from":"caller"}'),
}))
'''


class WorkerControlTest(ServerTestCase):
    """At the tier the host gives by default (the strongest)."""

    tier: str | None = None
    extra: list[str] = []
    init_timeout = 10

    @classmethod
    def functions(cls):
        caller = bash_function(
            "Caller", 'response="$(python3 "$LAMBDA_TASK_ROOT/caller.py" "$event")"', Timeout=30)
        caller.files["caller.py"] = CALLER
        return [caller, bash_function("Target")]

    @classmethod
    def _start_server(cls) -> None:
        args = (["--sandbox", cls.tier] if cls.tier else []) + cls.extra
        cls.server = Server(cls.functions(), args=args, init_timeout=cls.init_timeout)
        cls.server.start()
        if cls.tier and f"sandbox tier: {cls.tier}" not in cls.server.stderr():
            cls.server.cleanup()
            raise unittest.SkipTest(f"this host does not offer the `{cls.tier}` tier")

    def calls(self):
        r = self.server.invoke_ok(self, "Caller", {"port": self.server.lambda_port})
        return r.json()

    def test_worker_may_invoke_but_not_manage(self):
        got = self.calls()
        self.assertEqual(got["invoke"]["status"], 200, got)
        self.assertEqual(json.loads(got["invoke"]["body"]), {"from": "caller"})
        for operation in ("deploy", "list", "create"):
            self.assertEqual(got[operation]["status"], 403, got)
            self.assertEqual(got[operation]["type"], "AccessDeniedException", got)
            body = json.loads(got[operation]["body"])
            self.assertEqual(body["Type"], "User")
            self.assertIn("--allow-worker-control", body["Message"])
        # The same calls from outside any worker pass the rule (the deploy then fails for what
        # it is: this server serves a folder).
        r = self.server.request("POST", "/_lambdad/deploy", b"{}")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.server.request("GET", "/2015-03-31/functions/").status, 200)


class WorkerControlAtProcessTierTest(WorkerControlTest):
    tier = "process"


class WorkerControlWithoutSandboxTest(WorkerControlTest):
    tier = "none"


class WorkerControlAllowedTest(WorkerControlTest):
    extra = ["--allow-worker-control"]

    def test_worker_may_invoke_but_not_manage(self):
        got = self.calls()
        self.assertEqual(got["invoke"]["status"], 200, got)
        self.assertEqual(got["deploy"]["status"], 400, got)  # past the rule: a folder server
        self.assertEqual(got["list"]["status"], 200, got)
        self.assertEqual(got["create"]["status"], 400, got)  # past the rule: no Code given


# A Python function calling the lambda port with boto3 and the credentials lambdad put in its
# environment, as a function uses its role's credentials on AWS.
ROLED = r'''
import json, os
import boto3
from botocore.config import Config

def handler(event, context):
    lam = boto3.client("lambda", endpoint_url=event["endpoint"], region_name="us-east-1",
                       config=Config(retries={"max_attempts": 1}))
    out = {name: os.environ.get(name)
           for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    out["invoke"] = lam.invoke(FunctionName="Target", Payload=b'{"from":"role"}')["Payload"].read().decode()
    try:
        lam.list_functions()
        out["list"] = "allowed"
    except Exception as e:
        out["list"] = e.response["Error"]["Code"]
    return out
'''


class RoleCredentialsTest(ServerTestCase):
    """With credentials required, each worker gets its own short-lived key that signs Invoke and
    nothing else, and dies with the worker."""

    server_args = ["--credentials", f"{KEY}:{SECRET}"]
    init_timeout = 20

    @classmethod
    def functions(cls):
        return [handler_function("Roled", "python3.11", "app.handler", {"app.py": ROLED},
                                 Timeout=30),
                bash_function("Target")]

    def test_worker_key_signs_the_data_plane_only(self):
        r = send_signed(self.server, "POST", "/2015-03-31/functions/Roled/invocations",
                        json.dumps({"endpoint": self.server.lambda_url}).encode())
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        got = r.json()
        self.assertTrue(got["AWS_ACCESS_KEY_ID"].startswith("ASIA"), got)
        self.assertNotEqual(got["AWS_ACCESS_KEY_ID"], KEY)
        self.assertEqual(len(got["AWS_SECRET_ACCESS_KEY"]), 40)
        self.assertTrue(got["AWS_SESSION_TOKEN"])
        self.assertEqual(json.loads(got["invoke"]), {"from": "role"})
        self.assertEqual(got["list"], "AccessDeniedException")
        role = {"key": got["AWS_ACCESS_KEY_ID"], "secret": got["AWS_SECRET_ACCESS_KEY"]}
        token = {"X-Amz-Security-Token": got["AWS_SESSION_TOKEN"]}
        invoke = "/2015-03-31/functions/Target/invocations"
        # Used from outside the worker: still Invoke only, and only with its session token.
        self.assertEqual(send_signed(self.server, "POST", invoke, b"{}", token, **role).status, 200)
        r = send_signed(self.server, "GET", "/2015-03-31/functions/", None, token, **role)
        self.assertEqual(r.header("x-amzn-ErrorType"), "AccessDeniedException", r)
        r = send_signed(self.server, "POST", invoke, b"{}", **role)
        self.assertEqual(r.header("x-amzn-ErrorType"), "UnrecognizedClientException", r)
        # The worker's end ends its key.
        for pid in self.server.workers():
            os.kill(pid, 9)

        def revoked():
            r = send_signed(self.server, "POST", invoke, b"{}", token, **role)
            return r.header("x-amzn-ErrorType") == "UnrecognizedClientException"
        wait_until(revoked, 10, message="the dead worker's key to be refused")


if __name__ == "__main__":
    unittest.main()
