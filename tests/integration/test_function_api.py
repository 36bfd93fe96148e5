"""The function write API on a real server: CreateFunction → Invoke → UpdateFunctionCode →
UpdateFunctionConfiguration → Get/List → restart on the same state dir → DeleteFunction, the
code download, the template's ownership of its names, and the bad inputs (zip-slip, bombs,
truncated zips, 70 MB uploads, malformed names, concurrent updates, stale RevisionIds), none of
which writes anything."""

import base64
import hashlib
import io
import json
import os
import signal
import stat
import threading
import time
import unittest
import zipfile

from harness import (UUID_RE, Server, bash_function, function_arn, parallel, wait_until)

ROLE = "arn:aws:iam::123456789012:role/lambda-role"
FUNCTIONS = "/2015-03-31/functions"


def make_zip(files, links=None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of `files` (name → text or bytes; `bootstrap` executable) and symbolic `links`
    (name → target)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, content in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 if name == "bootstrap" else 0o100644) << 16
            info.compress_type = compression
            z.writestr(info, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return buffer.getvalue()


def bash_zip(handler: str) -> bytes:
    return make_zip({"bootstrap": bash_function("x", handler).code})


def create_body(name: str, zip_bytes: bytes, **fields) -> dict:
    body = {"FunctionName": name, "Runtime": "provided.al2023", "Role": ROLE,
            "Handler": "bootstrap", "Code": {"ZipFile": base64.b64encode(zip_bytes).decode()}}
    body.update(fields)
    return body


class FunctionApiTest(unittest.TestCase):
    def setUp(self):
        self.server = Server([bash_function("Tmpl", 'response="{\\"from\\":\\"template\\"}"')])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    # -- helpers --

    def call(self, method, path, body=None, headers=None):
        data = json.dumps(body) if isinstance(body, (dict, list)) else body
        return self.server.request(method, path, data, {"Content-Type": "application/json",
                                                       **(headers or {})})

    def create(self, name, zip_bytes, **fields):
        return self.call("POST", FUNCTIONS, create_body(name, zip_bytes, **fields))

    def assert_error(self, r, status, error_type, message_part=None):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)
        body = r.json()
        self.assertEqual(body.get("Type"), "User", body)
        message = body.get("message") or body.get("Message") or ""
        if message_part:
            self.assertIn(message_part, message)
        return body

    def code_entries(self):
        root = self.server.state_dir / "code"
        return sorted(p.name for p in root.iterdir()) if root.exists() else []

    def wait_active(self, name):
        def active():
            r = self.call("GET", f"{FUNCTIONS}/{name}/configuration")
            self.assertEqual(r.status, 200, r)
            c = r.json()
            return c if c["State"] == "Active" and c["LastUpdateStatus"] == "Successful" else None
        return wait_until(active, 10, message=f"{name} Active and Successful")

    # -- the life of a function --

    def test_create_invoke_update_restart_delete(self):
        zip1 = bash_zip('response="{\\"v\\":1,\\"greeting\\":\\"${GREETING:-}\\"}"')
        r = self.create("api-fn", zip1, MemorySize=256, Timeout=5, Description="made by a test",
                        Environment={"Variables": {"GREETING": "hi"}}, Tags={"team": "a"})
        self.assertEqual(r.status, 201, r)
        created = r.json()
        self.assertEqual(created["FunctionName"], "api-fn")
        self.assertEqual(created["FunctionArn"], function_arn("api-fn"))
        self.assertEqual(created["State"], "Pending")
        self.assertEqual(created["StateReasonCode"], "Creating")
        self.assertEqual(created["Role"], ROLE)
        self.assertEqual(created["MemorySize"], 256)
        self.assertEqual(created["Timeout"], 5)
        self.assertEqual(created["Version"], "$LATEST")
        self.assertEqual(created["PackageType"], "Zip")
        self.assertEqual(created["CodeSize"], len(zip1))
        self.assertEqual(created["CodeSha256"],
                         base64.b64encode(hashlib.sha256(zip1).digest()).decode())
        self.assertRegex(created["RevisionId"], UUID_RE)
        self.assertEqual(created["Environment"], {"Variables": {"GREETING": "hi"}})
        self.wait_active("api-fn")

        r = self.server.invoke_ok(self, "api-fn", {"x": 1})
        self.assertEqual(r.json(), {"v": 1, "greeting": "hi"})
        report = self.server.wait_log(r.header("x-amzn-RequestId"))
        self.assertTrue(report, "the function logs as a template function does")

        # New code: a stale RevisionId is refused and changes nothing.
        zip2 = bash_zip('response="{\\"v\\":2}"')
        code = {"ZipFile": base64.b64encode(zip2).decode()}
        r = self.call("PUT", f"{FUNCTIONS}/api-fn/code", {**code, "RevisionId": "stale"})
        self.assert_error(r, 412, "PreconditionFailedException", "Revision Id")
        self.assertEqual(self.server.invoke_ok(self, "api-fn").json()["v"], 1)
        r = self.call("PUT", f"{FUNCTIONS}/api-fn/code", {**code, "RevisionId": created["RevisionId"]})
        self.assertEqual(r.status, 200, r)
        updated = r.json()
        self.assertEqual(updated["LastUpdateStatus"], "InProgress")
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        self.assertEqual(updated["CodeSha256"],
                         base64.b64encode(hashlib.sha256(zip2).digest()).decode())
        self.wait_active("api-fn")
        self.assertEqual(self.server.invoke_ok(self, "api-fn").json(), {"v": 2})

        # New configuration: the environment is replaced whole.
        zip3 = bash_zip('response="{\\"a\\":\\"${AB:-}\\",\\"greeting\\":\\"${GREETING:-}\\"}"')
        self.assertEqual(self.call("PUT", f"{FUNCTIONS}/api-fn/code",
                                   {"ZipFile": base64.b64encode(zip3).decode()}).status, 200)
        self.wait_active("api-fn")
        r = self.call("PUT", f"{FUNCTIONS}/api-fn/configuration",
                      {"Environment": {"Variables": {"AB": "b"}}, "MemorySize": 512})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Environment"], {"Variables": {"AB": "b"}})
        self.wait_active("api-fn")
        self.assertEqual(self.server.invoke_ok(self, "api-fn").json(), {"a": "b", "greeting": ""})

        # Get and List see it beside the template's function.
        r = self.call("GET", f"{FUNCTIONS}/api-fn")
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertEqual(got["Configuration"]["MemorySize"], 512)
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        self.assertEqual(got["Tags"], {"team": "a"})
        location = got["Code"]["Location"]
        self.assertTrue(location.startswith(self.server.lambda_url + "/"), location)
        download = self.server.request("GET", location[len(self.server.lambda_url):])
        self.assertEqual(download.status, 200, download)
        self.assertEqual(download.body, zip3)
        names = [f["FunctionName"] for f in self.call("GET", FUNCTIONS).json()["Functions"]]
        self.assertEqual(names, ["Tmpl", "api-fn"])
        revision = got["Configuration"]["RevisionId"]

        # A restart on the same state dir finds it as it was.
        self.server.stop()
        self.server.start()
        r = self.call("GET", f"{FUNCTIONS}/api-fn/configuration")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["RevisionId"], revision)
        self.assertEqual(r.json()["State"], "Active")
        self.assertEqual(self.server.invoke_ok(self, "api-fn").json(), {"a": "b", "greeting": ""})

        # Deleted: gone, and invoking it is ResourceNotFound.
        r = self.call("DELETE", f"{FUNCTIONS}/api-fn")
        self.assertEqual(r.status, 204, r)
        self.assert_error(self.server.invoke("api-fn"), 404, "ResourceNotFoundException")
        self.assert_error(self.call("GET", f"{FUNCTIONS}/api-fn"), 404, "ResourceNotFoundException")
        self.assert_error(self.call("DELETE", f"{FUNCTIONS}/api-fn"), 404,
                          "ResourceNotFoundException")
        # Its code goes at the next start.
        self.server.stop()
        self.server.start()
        self.assertEqual(self.code_entries(), [])
        self.assert_error(self.server.invoke("api-fn"), 404, "ResourceNotFoundException")

    def test_a_python_function(self):
        # A managed runtime through the API runs on lambdad's client, as a template's does.
        zip_bytes = make_zip({"app.py": "import os\n"
                                        "def handler(event, context):\n"
                                        "    return {'py': event, 'name': context.function_name,\n"
                                        "            'memory': os.environ['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']}\n"})
        r = self.call("POST", FUNCTIONS, create_body("py-fn", zip_bytes, Runtime="python3.12",
                                                     Handler="app.handler", MemorySize=192))
        self.assertEqual(r.status, 201, r)
        self.wait_active("py-fn")
        self.assertEqual(self.server.invoke_ok(self, "py-fn", {"a": 1}).json(),
                         {"py": {"a": 1}, "name": "py-fn", "memory": "192"})

    def test_kill_9_during_a_create_leaves_no_half_function(self):
        # Whenever the kill lands (reading the body, unzipping, committing), the next start has
        # either the whole function or none of it, and no code nobody names.
        zip_bytes = make_zip({"bootstrap": bash_function("x", 'response="{}"').code,
                              "data.bin": os.urandom(30 << 20)}, compression=zipfile.ZIP_STORED)
        body = json.dumps(create_body("half", zip_bytes))
        for delay in (0.05, 0.3, 1.0):
            with self.subTest(delay=delay):
                results = []
                sender = threading.Thread(target=lambda: results.append(self._try_create(body)))
                sender.start()
                time.sleep(delay)
                self.server.send_signal(signal.SIGKILL)
                self.server.wait_exit()
                sender.join(30)
                self.server.start()
                r = self.call("GET", f"{FUNCTIONS}/half/configuration")
                if r.status == 200:
                    hex_name = hashlib.sha256(zip_bytes).hexdigest()
                    self.assertEqual(self.code_entries(), [hex_name, hex_name + ".zip"])
                    self.server.invoke_ok(self, "half")
                    self.assertEqual(self.call("DELETE", f"{FUNCTIONS}/half").status, 204)
                    self.server.stop()
                    self.server.start()
                else:
                    self.assert_error(r, 404, "ResourceNotFoundException")
                self.assertEqual(self.code_entries(), [])

    def _try_create(self, body):
        try:
            return self.call("POST", FUNCTIONS, body)
        except (AssertionError, OSError) as e:
            return e

    def test_warm_workers_of_other_functions_stay(self):
        r = self.server.invoke_ok(self, "Tmpl")
        pids_before = set(self.server.workers())
        self.assertEqual(self.create("other", bash_zip('response="{}"')).status, 201)
        self.wait_active("other")
        self.server.invoke_ok(self, "other")
        # The template's warm worker served a second call without a cold start.
        r = self.server.invoke_ok(self, "Tmpl", log_type="Tail")
        self.assertNotIn("Init Duration", r.log_tail())
        self.assertTrue(pids_before & set(self.server.workers()))

    def test_delete_drains_the_workers(self):
        r = self.create("drained", bash_zip('response="{\\"ref\\":\\"$(pid_ref)\\"}"'))
        self.assertEqual(r.status, 201, r)
        self.wait_active("drained")
        ref = self.server.invoke_ok(self, "drained").json()["ref"]
        self.assertTrue(self.server.ref_alive(ref))
        self.assertEqual(self.call("DELETE", f"{FUNCTIONS}/drained").status, 204)
        wait_until(lambda: not self.server.ref_alive(ref), 10, message="the worker stopped")

    # -- the template owns its names --

    def test_template_functions(self):
        r = self.create("Tmpl", bash_zip('response="{}"'))
        self.assert_error(r, 409, "ResourceConflictException", "Function already exist: Tmpl")
        self.assert_error(self.call("DELETE", f"{FUNCTIONS}/Tmpl"), 409,
                          "ResourceConflictException", "template")
        r = self.call("GET", f"{FUNCTIONS}/Tmpl")
        self.assertEqual(r.status, 200, r)
        got = r.json()
        self.assertRegex(got["Configuration"]["RevisionId"], UUID_RE)
        download = self.server.request("GET", got["Code"]["Location"][len(self.server.lambda_url):])
        self.assertEqual(download.status, 200, download)
        with zipfile.ZipFile(io.BytesIO(download.body)) as z:
            self.assertIn("bootstrap", z.namelist())
        # The URL carries its own signature, as AWS's presigned one: another is refused.
        path = got["Code"]["Location"][len(self.server.lambda_url):]
        self.assert_error(self.server.request("GET", path.replace("Signature=", "Signature=0")),
                          403, "AccessDeniedException")
        self.assert_error(self.server.request("GET", path.replace("/Tmpl?", "/api-fn?")),
                          403, "AccessDeniedException")
        self.assert_error(self.server.request("GET", "/_lambdad/code/Tmpl"), 403,
                          "AccessDeniedException")
        # The API may change a template function until the template's next deploy.
        r = self.call("PUT", f"{FUNCTIONS}/Tmpl/configuration", {"Timeout": 9})
        self.assertEqual(r.status, 200, r)
        self.wait_active("Tmpl")
        self.assertEqual(self.call("GET", f"{FUNCTIONS}/Tmpl/configuration").json()["Timeout"], 9)

    # -- bad input: nothing written --

    def assert_refused(self, r, status, error_type, part=None):
        self.assert_error(r, status, error_type, part)
        self.assertEqual(self.code_entries(), [])
        self.assertEqual([f["FunctionName"] for f in self.call("GET", FUNCTIONS).json()["Functions"]],
                         ["Tmpl"])

    def test_bad_zips(self):
        slip = make_zip({"../escape": "x", "bootstrap": "#!/bin/sh\n"})
        absolute = make_zip({"/etc/evil": "x"})
        link_out = make_zip({"bootstrap": "#!/bin/sh\n"}, links={"up": "../../etc"})
        through_link = make_zip({"bootstrap": "#!/bin/sh\n", "d/file": "x"}, links={"d": "/tmp"})
        bomb = make_zip({"bomb": b"\0" * (20 << 20)})
        truncated = bash_zip('response="{}"')[:-30]
        for label, zip_bytes in [("zip-slip", slip), ("absolute", absolute),
                                 ("symlink out", link_out), ("through a link", through_link),
                                 ("bomb", bomb), ("truncated", truncated),
                                 ("not a zip", b"hello")]:
            with self.subTest(label):
                r = self.create("bad", zip_bytes)
                self.assert_refused(r, 400, "InvalidParameterValueException",
                                    "Could not unzip uploaded file")
        self.assert_refused(self.create("bad", b""), 400, "InvalidParameterValueException")

    def test_upload_over_70_mb_is_413(self):
        big = b"x" * 69905068
        r = self.server.request("POST", FUNCTIONS, big, {"Content-Type": "application/json"})
        self.assert_refused(r, 413, "RequestEntityTooLargeException",
                            "Request must be smaller than 69905067 bytes for the CreateFunction "
                            "operation")
        r = self.server.request("PUT", f"{FUNCTIONS}/Tmpl/code", big,
                                {"Content-Type": "application/json"})
        self.assert_error(r, 413, "RequestEntityTooLargeException", "UpdateFunctionCode")

    def test_a_large_upload_under_the_limit(self):
        # 40 MB of incompressible data: well over the 6 MB invoke limit, under Lambda's 50 MB.
        zip_bytes = make_zip({"bootstrap": bash_function("x", 'response="{}"').code,
                              "data.bin": os.urandom(40 << 20)}, compression=zipfile.ZIP_STORED)
        r = self.create("large", zip_bytes)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["CodeSize"], len(zip_bytes))
        self.wait_active("large")
        self.server.invoke_ok(self, "large")

    def test_bad_names_and_fields(self):
        zip_bytes = bash_zip('response="{}"')
        for label, name in [("too long", "a" * 65), ("dot", "a.b"), ("slash", "a/b"),
                            ("qualifier", "fn:1"), ("empty", "")]:
            with self.subTest(label):
                self.assert_refused(self.create(name, zip_bytes), 400, "ValidationException")
        self.assert_refused(self.create("img", zip_bytes, PackageType="Image"), 400,
                            "InvalidParameterValueException", "container images")
        self.assert_refused(self.create("role", zip_bytes, Role="admin"), 400,
                            "ValidationException", "role")
        self.assert_refused(self.create("mem", zip_bytes, MemorySize=1), 400,
                            "ValidationException", "memorySize")
        self.assert_refused(self.create("layer", zip_bytes,
                                        Layers=["arn:aws:lambda:us-east-1:123456789012:layer:x:1"]),
                            400, "InvalidParameterValueException", "does not exist")
        self.assert_refused(self.call("POST", FUNCTIONS, "{not json"), 400,
                            "InvalidRequestContentException")

    def test_update_errors(self):
        self.assertEqual(self.create("fn", bash_zip('response="{}"')).status, 201)
        self.wait_active("fn")
        revision = self.call("GET", f"{FUNCTIONS}/fn/configuration").json()["RevisionId"]
        self.assert_error(self.call("PUT", f"{FUNCTIONS}/fn/configuration",
                                    {"Timeout": 10, "RevisionId": "stale"}),
                          412, "PreconditionFailedException")
        self.assert_error(self.call("PUT", f"{FUNCTIONS}/fn/code",
                                    {"ZipFile": base64.b64encode(b"junk").decode()}),
                          400, "InvalidParameterValueException", "Could not unzip")
        self.assert_error(self.call("PUT", f"{FUNCTIONS}/nope/code",
                                    {"ZipFile": base64.b64encode(b"junk").decode()}),
                          404, "ResourceNotFoundException")
        self.assert_error(self.call("PUT", f"{FUNCTIONS}/fn/code", {}), 400,
                          "InvalidParameterValueException", "Please provide a source")
        # Nothing of that changed it.
        after = self.call("GET", f"{FUNCTIONS}/fn/configuration").json()
        self.assertEqual(after["RevisionId"], revision)
        self.assertEqual(after["Timeout"], 3)
        # DryRun checks the zip and keeps the code.
        r = self.call("PUT", f"{FUNCTIONS}/fn/code",
                      {"ZipFile": base64.b64encode(bash_zip('response="[]"')).decode(),
                       "DryRun": True})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.call("GET", f"{FUNCTIONS}/fn/configuration").json()["RevisionId"],
                         revision)
        self.assertEqual(self.server.invoke_ok(self, "fn").json(), {})

    def test_concurrent_updates(self):
        self.assertEqual(self.create("busy", bash_zip('response="{}"')).status, 201)
        self.wait_active("busy")
        # Large enough that each takes a while to unzip: some overlap and are refused.
        zips = [make_zip({"bootstrap": bash_function("x", f'response="{{\\"n\\":{i}}}"').code,
                          "data.bin": os.urandom(8 << 20)}, compression=zipfile.ZIP_STORED)
                for i in range(4)]
        results = parallel([lambda z=z: self.call("PUT", f"{FUNCTIONS}/busy/code",
                                                  {"ZipFile": base64.b64encode(z).decode()})
                            for z in zips])
        for r in results:
            self.assertIn(r.status, (200, 409), r)
            if r.status == 409:
                self.assert_error(r, 409, "ResourceConflictException",
                                  "An update is in progress for resource")
        self.assertTrue(any(r.status == 200 for r in results), results)
        final = self.wait_active("busy")
        # The function runs the code of the last update that was taken.
        winners = [r.json() for r in results if r.status == 200]
        self.assertIn(final["CodeSha256"], [w["CodeSha256"] for w in winners])

    def test_unsupported_operations_are_named(self):
        for method, path, operation in [
                ("POST", "/2021-10-31/functions/Tmpl/url", "CreateFunctionUrlConfig"),
                ("GET", "/2021-10-31/functions/Tmpl/url", "GetFunctionUrlConfig"),
                ("PUT", "/2021-07-20/functions/Tmpl/runtime-management-config",
                 "PutRuntimeManagementConfig"),
                ("GET", "/2015-03-31/event-source-mappings", "ListEventSourceMappings")]:
            with self.subTest(operation):
                r = self.call(method, path, {})
                body = self.assert_error(r, 404, "UnknownOperationException")
                self.assertEqual(body["Message"],
                                 f"lambdad does not support the Lambda operation {operation}")
        r = self.call("GET", "/2099-01-01/nothing")
        self.assert_error(r, 404, "UnknownOperationException")

    def test_list_paging_and_versions(self):
        for name in ("a1", "a2", "a3"):
            self.assertEqual(self.create(name, bash_zip('response="{}"')).status, 201)
        seen, marker = [], None
        while True:
            path = f"{FUNCTIONS}/?MaxItems=2" + (f"&Marker={marker}" if marker else "")
            body = self.call("GET", path).json()
            seen += [f["FunctionName"] for f in body["Functions"]]
            marker = body.get("NextMarker")
            if not marker:
                break
        self.assertEqual(seen, ["Tmpl", "a1", "a2", "a3"])
        body = self.call("GET", f"{FUNCTIONS}/?FunctionVersion=ALL&MasterRegion=ALL").json()
        self.assertEqual(len(body["Functions"]), 4)
        self.assert_error(self.call("GET", f"{FUNCTIONS}/?FunctionVersion=SOME"), 400,
                          "ValidationException")
        self.assert_error(self.call("GET", f"{FUNCTIONS}/?MasterRegion=us-east-1"), 400,
                          "InvalidParameterValueException")


if __name__ == "__main__":
    unittest.main()
