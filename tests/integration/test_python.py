"""python3.x functions through lambdad's Python client (runtime-api/python): real server, real
python3 workers, logs read back from the SQLite store.

Handlers as AWS finds them (module, dotted package, slash path), the context object, the
environment, print and `logging` lines, errors raised by handlers and at init with AWS's types,
messages, stack traces and log events (goldens in golden/python/), sys.exit, timeouts, response
sizes, serialisation, warm state and layers."""

import base64
import json
import os
import re
import shlex
import sys
import textwrap
import threading
import time
import unittest
from pathlib import Path

from harness import (REPORT_RE, SOURCE_DIR, Server, ServerTestCase, UUID_RE, function_arn,
                     client_files, handler_function, script_function)
from golden_match import TIMESTAMP, matches
from scripted_api import ACCEPTED, GONE, next_reply, run_client

GOLDEN = Path(__file__).resolve().parent / "golden" / "python"
RUNTIME = "python3.12"
BOOTSTRAP = SOURCE_DIR / "runtime-api" / "python" / "bootstrap.py"
# The interpreter of client_function: lambdad's choice when LAMBDAD_PYTHON names it.
PYTHON = os.environ.get("LAMBDAD_PYTHON") or sys.executable


def client_function(name: str, handler: str, files: dict[str, str], env: dict[str, str],
                    **properties):
    """A provided.al2023 function whose bootstrap runs the Python client itself, for what a
    template cannot say: variables AWS reserves (AWS_LAMBDA_LOG_FORMAT) and handler names that
    `lambdad validate` refuses but AWS accepts and fails at init."""
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
    script = (f"#!/bin/sh\n{exports}export _HANDLER={shlex.quote(handler)}\n"
              f"exec {shlex.quote(PYTHON)} \"$LAMBDA_TASK_ROOT/.lambdad-client/bootstrap.py\"\n")
    fn = script_function(name, script, **properties)
    fn.files.update({path: textwrap.dedent(text).lstrip() for path, text in files.items()})
    # The client ships in the code folder: a sandboxed worker sees nothing of the source tree.
    fn.files.update(client_files(BOOTSTRAP.parent, ".lambdad-client"))
    return fn



CONTEXT_APP = """
import os
import sys
import time

STARTED_IN = os.getcwd()


def handler(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(event.get("sleep", 0))
    second = context.get_remaining_time_in_millis()
    cc = context.client_context
    return {
        "event": event,
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": [first, second],
        "identity": [context.identity.cognito_identity_id,
                     context.identity.cognito_identity_pool_id],
        "client_context": None if cc is None else {
            "custom": cc.custom, "env": cc.env,
            "client": None if cc.client is None else {
                "installation_id": cc.client.installation_id,
                "app_title": cc.client.app_title,
                "app_version_name": cc.client.app_version_name,
                "app_version_code": cc.client.app_version_code,
                "app_package_name": cc.client.app_package_name,
            },
        },
        "env": {k: v for k, v in os.environ.items()
                if k.startswith(("AWS_", "LAMBDA_", "_HANDLER", "_X_AMZN", "TZ", "MY_"))},
        "cwd": os.getcwd(),
        "started_in": STARTED_IN,
        "sys_path": sys.path[:2],
        "pid": f"{os.environ['AWS_LAMBDA_LOG_STREAM_NAME']}/{os.getpid()}",  # the worker (pids repeat across PID namespaces)
    }
"""

RAISES_APP = """
class OrderError(Exception):
    pass


def check(order):
    if order.get("qty", 0) <= 0:
        raise OrderError(f"bad quantity: {order.get('qty')}")


def handler(event, context):
    kind = event.get("kind")
    if kind == "builtin":
        raise ValueError("bad value")
    if kind == "custom":
        check({"qty": 0})
    if kind == "keyerror":
        return event["missing"]
    return "ok"
"""

LOGS_APP = """
import logging
import os
import sys
import time

logging.basicConfig(format="%(message)s", level=logging.DEBUG)  # a no-op on AWS
logger = logging.getLogger()
logger.setLevel(logging.INFO)
logger.warning("module level %s", "warning")


def handler(event, context):
    print("plain print", event.get("n"))
    print("to stderr", file=sys.stderr)
    print("no newline yet", end="")
    print(" - now")
    logger.debug("not shown")
    logger.info("info %d", 1)
    logging.getLogger("child.logger").warning("from a child logger")
    logger.error("first line\\nsecond line")
    try:
        {}["k"]
    except KeyError:
        logger.exception("caught")
    context.log("via context.log")
    if event.get("wait_for"):
        sys.stdout.write("early line\\n")
        go = os.path.join(os.environ["OUT_DIR"], event["wait_for"])
        for _ in range(1000):  # until the test has seen the line (10 s at most)
            if os.path.exists(go):
                break
            time.sleep(0.01)
    return context.aws_request_id
"""

JSON_LOGS_APP = """
import logging

logger = logging.getLogger("app")


def handler(event, context):
    logger.debug("debug shown at DEBUG")
    logger.info("hello %s", "json", extra={"order": 7})
    if event.get("fail"):
        raise ValueError("json failure")
    return "ok"
"""

RESULTS_APP = """
import decimal


def handler(event, context):
    kind = event["kind"]
    if kind == "set":
        return {1, 2}
    if kind == "decimal":
        return {"price": decimal.Decimal("1.50"), "big": decimal.Decimal("1E+2"),
                "nan": decimal.Decimal("NaN"), "f": 0.5}
    if kind == "bytes":
        return b"raw \\x00 bytes"
    if kind == "unicode":
        return {"s": "caf\\u00e9 \\u2603"}
    if kind == "none":
        return None
    if kind == "size":
        return "x" * event["n"]
    return event
"""

STATE_APP = """
import os

calls = 0


def handler(event, context):
    global calls
    calls += 1
    return {"calls": calls, "pid": f"{os.environ['AWS_LAMBDA_LOG_STREAM_NAME']}/{os.getpid()}"}
"""

EXIT_APP = """
import os
import sys


def handler(event, context):
    if event.get("exit") is not None:
        print("exiting with", event["exit"])
        sys.exit(event["exit"])
    return f"{os.environ['AWS_LAMBDA_LOG_STREAM_NAME']}/{os.getpid()}"  # the worker
"""

SLEEP_APP = """
import os
import time


def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return f"{os.environ['AWS_LAMBDA_LOG_STREAM_NAME']}/{os.getpid()}"  # the worker
"""


# ---- goldens ----------------------------------------------------------------------------------


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())


class PythonTestCase(ServerTestCase):
    def code_dir(self, name: str) -> str:
        """The function's code as its worker sees it (/var/task in a sandbox)."""
        if self.server.sandbox_tier() == "namespaces":
            return "/var/task"
        return str(self.server.root / "functions" / name)

    def assert_golden(self, name: str, actual, **values) -> None:
        expected = golden(name)
        if not matches(expected, actual, values):
            self.fail(f"does not match golden/python/{name} with {values}:\n"
                      f"expected: {json.dumps(expected, indent=1)}\n"
                      f"actual:   {json.dumps(actual, indent=1)}")

    def error_events(self, rid: str) -> list[str]:
        lines = self.server.wait_log(rid, "REPORT ")
        return [line for line in lines if line.startswith(("[ERROR]", "{"))]


# ---- handlers, context, environment ------------------------------------------------------------


class HandlerTest(PythonTestCase):
    @classmethod
    def functions(cls):
        return [
            handler_function("Context", RUNTIME, "app.handler", {"app.py": CONTEXT_APP},
                             MemorySize=256, Timeout=5,
                             Environment={"Variables": {"MY_SETTING": "on"}}),
            handler_function("Dotted", RUNTIME, "pkg.sub.app.handler", {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "",
                "pkg/sub/app.py": """
                    from . import helper

                    def handler(event, context):
                        return {"where": __name__, "helper": helper.NAME}
                """,
                "pkg/sub/helper.py": "NAME = 'pkg.sub.helper'\n",
            }),
            handler_function("Slash", RUNTIME, "src/handlers/app.lambda_handler", {
                "src/handlers/app.py": """
                    def lambda_handler(event, context):
                        return {"where": __name__, "file": __file__}
                """,
            }),
            handler_function("Results", RUNTIME, "app.handler", {"app.py": RESULTS_APP}),
            handler_function("Ascii", "python3.11", "app.handler", {"app.py": RESULTS_APP}),
            handler_function("State", RUNTIME, "app.handler", {"app.py": STATE_APP}),
        ]

    def test_simple_handler_gets_the_event(self):
        event = {"a": 1, "nested": {"list": [1, 2.5, "x", None, True]}, "text": "caf\u00e9"}
        r = self.server.invoke_ok(self, "Context", event)
        self.assertEqual(r.json()["event"], event)

    def test_dotted_package_handler(self):
        r = self.server.invoke_ok(self, "Dotted", {})
        self.assertEqual(r.json(), {"where": "pkg.sub.app", "helper": "pkg.sub.helper"})

    def test_slash_path_handler(self):
        r = self.server.invoke_ok(self, "Slash", {})
        self.assertEqual(r.json(), {"where": "src.handlers.app",
                                    "file": self.code_dir("Slash") + "/src/handlers/app.py"})

    def test_context_fields(self):
        r = self.server.invoke_ok(self, "Context", {"sleep": 0.3})
        body = r.json()
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(body["aws_request_id"], rid)
        self.assertRegex(rid, UUID_RE)
        self.assertEqual(body["function_name"], "Context")
        self.assertEqual(body["function_version"], "$LATEST")
        self.assertEqual(body["invoked_function_arn"], function_arn("Context"))
        self.assertEqual(body["memory_limit_in_mb"], "256")  # a string, as on AWS
        self.assertEqual(body["log_group_name"], "/aws/lambda/Context")
        stream = self.server.invocation(rid)["log_stream"]
        self.assertEqual(body["log_stream_name"], stream)
        self.assertRegex(stream, r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertEqual(body["identity"], [None, None])
        self.assertIsNone(body["client_context"])

    def test_invoked_arn_carries_the_qualifier_used(self):
        r = self.server.invoke_ok(self, "Context", {}, qualifier="$LATEST")
        self.assertEqual(r.json()["invoked_function_arn"], function_arn("Context", "$LATEST"))

    def test_remaining_time_decreases_within_the_timeout(self):
        body = self.server.invoke_ok(self, "Context", {"sleep": 0.3}).json()
        first, second = body["remaining"]
        self.assertLessEqual(first, 5000)
        self.assertGreater(first, 4000)
        self.assertLessEqual(second, first - 280)
        self.assertGreater(second, first - 2000)

    def test_client_context(self):
        client_context = {
            "client": {"installation_id": "inst-1", "app_title": "Shop",
                       "app_version_name": "1.2", "app_version_code": "12",
                       "app_package_name": "com.example.shop"},
            "custom": {"tenant": "acme"},
            "env": {"platform": "Android"},
        }
        header = base64.b64encode(json.dumps(client_context).encode()).decode()
        r = self.server.invoke_ok(self, "Context", {},
                                  headers={"X-Amz-Client-Context": header})
        self.assertEqual(r.json()["client_context"], client_context)

    def test_environment_and_sys_path(self):
        body = self.server.invoke_ok(self, "Context", {}).json()
        env = body["env"]
        code = self.code_dir("Context")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "Context")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], code)
        self.assertEqual(env["MY_SETTING"], "on")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertRegex(env["_X_AMZN_TRACE_ID"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};")
        self.assertEqual(body["cwd"], code)
        self.assertEqual(body["started_in"], code)
        self.assertEqual(body["sys_path"][0], code, "the task root comes first, as on AWS")

    def test_trace_id_changes_per_invocation(self):
        first = self.server.invoke_ok(self, "Context", {}).json()
        second = self.server.invoke_ok(self, "Context", {}).json()
        self.assertEqual(first["pid"], second["pid"])
        self.assertNotEqual(first["env"]["_X_AMZN_TRACE_ID"], second["env"]["_X_AMZN_TRACE_ID"])

    def test_results_are_serialised_as_aws_does(self):
        r = self.server.invoke_ok(self, "Results", {"kind": "decimal"})
        self.assertEqual(r.body, b'{"price": 1.50, "big": 1E+2, "nan": NaN, "f": 0.5}')
        r = self.server.invoke_ok(self, "Results", {"kind": "none"})
        self.assertEqual(r.body, b"null")
        r = self.server.invoke_ok(self, "Results", {"kind": "bytes"})
        self.assertEqual(r.body, b"raw \x00 bytes")

    def test_unicode_is_kept_from_python312_and_escaped_before(self):
        r = self.server.invoke_ok(self, "Results", {"kind": "unicode"})
        self.assertEqual(r.body, '{"s": "caf\u00e9 \u2603"}'.encode())
        r = self.server.invoke_ok(self, "Ascii", {"kind": "unicode"})
        self.assertEqual(r.body, b'{"s": "caf\\u00e9 \\u2603"}')

    def test_unserialisable_result_is_a_marshal_error(self):
        r = self.server.invoke("Results", {"kind": "set"})
        body = self.assert_function_error(r, "Runtime.MarshalError")
        rid = r.header("x-amzn-RequestId")
        self.assert_golden("marshal_error.json",
                           {"response": body, "log": self.error_events(rid)[0]},
                           REQUEST_ID=rid)
        self.server.invoke_ok(self, "Results", {"kind": "none"})  # the worker carries on

    def test_large_response(self):
        r = self.server.invoke_ok(self, "Results", {"kind": "size", "n": 5 * 1024 * 1024})
        self.assertEqual(len(r.body), 5 * 1024 * 1024 + 2)
        r = self.server.invoke("Results", {"kind": "size", "n": 7 * 1024 * 1024})
        body = self.assert_function_error(r, "Function.ResponseSizeTooLarge")
        self.assertIn("6291556 bytes", body["errorMessage"])
        r = self.server.invoke_ok(self, "Results", {"kind": "echo", "after": "too large"})
        self.assertEqual(r.json(), {"kind": "echo", "after": "too large"})

    def test_large_event(self):
        event = {"kind": "echo", "blob": "y" * (5 * 1024 * 1024)}
        r = self.server.invoke_ok(self, "Results", event)
        self.assertEqual(r.json(), event)

    def test_state_is_kept_across_warm_invocations(self):
        seen = [self.server.invoke_ok(self, "State", {}).json() for _ in range(50)]
        self.assertEqual({s["pid"] for s in seen}, {seen[0]["pid"]}, "one warm worker")
        calls = [s["calls"] for s in seen]
        self.assertEqual(calls, list(range(calls[0], calls[0] + 50)))


# ---- logs --------------------------------------------------------------------------------------


class LogTest(PythonTestCase):
    @classmethod
    def functions(cls):
        return [
            handler_function("Logs", RUNTIME, "app.handler", {"app.py": LOGS_APP}, Timeout=20),
            handler_function("Raises", RUNTIME, "app.handler", {"app.py": RAISES_APP}),
            handler_function("DefaultLevel", RUNTIME, "app.handler", {"app.py": """
                import logging

                def handler(event, context):
                    logging.getLogger().info("below the default level")
                    logging.getLogger("x").warning("at WARNING")
                    return "ok"
            """}),
            client_function("JsonLogs", "app.handler", {"app.py": JSON_LOGS_APP},
                            {"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"}),
        ]

    def test_print_and_logging_lines(self):
        r = self.server.invoke_ok(self, "Logs", {"n": 1})
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(r.json(), rid)
        lines = self.server.wait_log(rid, "REPORT ")[1:-2]  # between START and END/REPORT
        prefix = lambda level: rf"^\[{level}\]\t{TIMESTAMP}\t{rid}\t"
        expected = [
            r"^plain print 1$",
            r"^to stderr$",
            r"^no newline yet - now$",
            prefix("INFO") + r"info 1$",
            prefix("WARNING") + r"from a child logger$",
            prefix("ERROR") + r"first line\rsecond line$",
            prefix("ERROR") + r"caught\rTraceback \(most recent call last\):\r"
                              r"  File \"[^\"]+/app\.py\", line \d+, in handler\r"
                              r"    \{\}\[\"k\"\]\r"
                              r"(?:    [~^]+\r)?"  # Python 3.11+ marks the failing expression
                              r"KeyError: 'k'$",
            r"^via context\.log$",
        ]
        # stdout and stderr are two pipes: only the order within each is fixed
        self.assertEqual(len(lines), len(expected), lines)
        for pattern in expected:
            self.assertTrue(any(re.match(pattern, line) for line in lines),
                            f"no line matches {pattern!r} in {lines}")
        out = [l for l in lines if l != "to stderr"]
        for pattern, line in zip([p for p in expected if p != r"^to stderr$"], out):
            self.assertRegex(line, pattern)

    def test_root_logger_is_at_warning_by_default(self):
        rid = self.server.invoke_ok(self, "DefaultLevel", {}).header("x-amzn-RequestId")
        lines = self.server.wait_log(rid, "REPORT ")[1:-2]
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], rf"^\[WARNING\]\t{TIMESTAMP}\t{rid}\tat WARNING$")

    def test_module_level_logging_has_no_request_id(self):
        self.server.invoke_ok(self, "Logs", {})
        rows = self.server.wait_sql(
            "SELECT request_id, message FROM log_events WHERE function = 'Logs' "
            "AND message LIKE '[WARNING]%module level warning'")
        self.assertEqual(rows[0]["request_id"], "")
        self.assertRegex(rows[0]["message"], rf"^\[WARNING\]\t{TIMESTAMP}\t\tmodule level warning$")

    def test_lines_reach_the_log_while_the_handler_runs(self):
        done = threading.Event()
        result = {}

        def call():
            result["r"] = self.server.invoke("Logs", {"wait_for": "go-early-line"})
            done.set()

        threading.Thread(target=call, daemon=True).start()
        # The handler waits for a file that is written only once its line is in the store.
        rows = self.server.wait_sql(
            "SELECT request_id FROM log_events WHERE function = 'Logs' AND message = 'early line'",
            timeout=8)
        self.assertFalse(done.is_set())
        (self.server.out_dir / "go-early-line").write_text("go")
        self.assertTrue(done.wait(10))
        self.assertEqual(rows[0]["request_id"], result["r"].header("x-amzn-RequestId"))

    def check_error(self, kind: str, golden_name: str, error_type: str) -> None:
        r = self.server.invoke("Raises", {"kind": kind})
        body = self.assert_function_error(r, error_type)
        rid = r.header("x-amzn-RequestId")
        events = self.error_events(rid)
        self.assertEqual(len(events), 1, events)
        self.assert_golden(golden_name, {"response": body, "log": events[0]},
                           REQUEST_ID=rid, TASK_ROOT=self.code_dir("Raises"))

    def test_builtin_exception(self):
        self.check_error("builtin", "error_builtin.json", "ValueError")

    def test_custom_exception_class(self):
        self.check_error("custom", "error_custom.json", "OrderError")

    def test_key_error(self):
        self.check_error("keyerror", "error_keyerror.json", "KeyError")

    def test_worker_survives_errors(self):
        streams = set()
        for kind in ("builtin", "custom", "none"):
            r = self.server.invoke("Raises", {"kind": kind})
            self.assertEqual(r.status, 200)
            rid = r.header("x-amzn-RequestId")
            streams.add(self.server.invocation(rid)["log_stream"])
        self.assertEqual(len(streams), 1, "errors do not cost a cold start (one worker)")

    def test_json_log_format(self):
        r = self.server.invoke_ok(self, "JsonLogs", {})
        rid = r.header("x-amzn-RequestId")
        lines = self.server.wait_log(rid, "REPORT ")[1:-2]
        records = [json.loads(line) for line in lines]
        self.assertEqual([r["message"] for r in records], ["debug shown at DEBUG", "hello json"])
        info = records[1]
        self.assertEqual(list(info), ["timestamp", "level", "message", "logger", "requestId",
                                      "order"])
        self.assertRegex(info["timestamp"], "^" + TIMESTAMP + "$")
        self.assertEqual(info["level"], "INFO")
        self.assertEqual(info["logger"], "app")
        self.assertEqual(info["requestId"], rid)
        self.assertEqual(info["order"], 7)

    def test_json_log_format_error(self):
        r = self.server.invoke("JsonLogs", {"fail": True})
        body = self.assert_function_error(r, "ValueError")
        rid = r.header("x-amzn-RequestId")
        error = json.loads(self.server.wait_log(rid, "REPORT ")[-3])  # before END and REPORT
        self.assertEqual(list(error), ["timestamp", "level", "errorMessage", "errorType",
                                       "requestId", "stackTrace"])
        self.assertRegex(error["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
        self.assertEqual(error["level"], "ERROR")
        self.assertEqual({k: error[k] for k in body}, body)


# ---- init errors -------------------------------------------------------------------------------


class InitErrorTest(PythonTestCase):
    @classmethod
    def functions(cls):
        return [
            handler_function("ImportFails", RUNTIME, "app.handler",
                             {"app.py": "import requests_not_installed\n"}),
            handler_function("NoSuchModule", RUNTIME, "nothere.handler", {"app.py": ""}),
            handler_function("NoHandler", RUNTIME, "app.handler",
                             {"app.py": "def other(event, context):\n    return 1\n"}),
            client_function("Malformed", "app", {"app.py": ""}, {}),
            handler_function("Syntax", RUNTIME, "app.handler",
                             {"app.py": "def handler(event, context)\n    return event\n"}),
            handler_function("RaisesAtImport", RUNTIME, "app.handler", {
                "app.py": 'import os\n\nraise RuntimeError("no DB_URL in " + os.getcwd())\n'}),
            handler_function("BuiltinName", RUNTIME, "sys.handler", {"app.py": ""}),
        ]

    def check_init_error(self, name: str, error_type: str, golden_name: str) -> None:
        r = self.server.invoke(name, {})
        body = self.assert_function_error(r, error_type)
        rid = r.header("x-amzn-RequestId")
        lines = self.server.wait_log(rid, "REPORT ")
        self.assertRegex(lines[0], rf"^INIT_REPORT Init Duration: \d+\.\d\d ms\tPhase: init\t"
                                   rf"Status: error\tError Type: {re.escape(error_type)}$")
        self.assertRegex(lines[-1], REPORT_RE)
        events = [row["message"] for row in self.server.sql(
            "SELECT message FROM log_events WHERE function = ? AND request_id = '' ORDER BY id",
            [name])]
        self.assert_golden(golden_name, {"response": body, "log": events[:2]},
                           TASK_ROOT=self.code_dir(name))
        # The environment is reset: the next call initialises again and fails the same way.
        again = self.server.invoke(name, {})
        self.assert_function_error(again, error_type)
        lines = self.server.wait_log(again.header("x-amzn-RequestId"), "REPORT ")
        self.assertIn("Init Duration: ", lines[-1])

    def test_import_module_error(self):
        self.check_init_error("ImportFails", "Runtime.ImportModuleError",
                              "init_import_module_error.json")

    def test_missing_handler_module(self):
        self.check_init_error("NoSuchModule", "Runtime.ImportModuleError",
                              "init_missing_module.json")

    def test_handler_not_found(self):
        self.check_init_error("NoHandler", "Runtime.HandlerNotFound",
                              "init_handler_not_found.json")

    def test_malformed_handler_name(self):
        self.check_init_error("Malformed", "Runtime.MalformedHandlerName",
                              "init_malformed_handler.json")

    def test_syntax_error(self):
        self.check_init_error("Syntax", "Runtime.UserCodeSyntaxError", "init_syntax_error.json")

    def test_exception_at_import(self):
        self.check_init_error("RaisesAtImport", "RuntimeError", "init_exception.json")

    def test_builtin_module_name(self):
        r = self.server.invoke("BuiltinName", {})
        body = self.assert_function_error(r, "Runtime.BuiltInModuleConflict")
        self.assertEqual(body["errorMessage"], "Cannot use built-in module sys as a handler module")


# ---- process lifecycle -------------------------------------------------------------------------


class LifecycleTest(PythonTestCase):
    @classmethod
    def functions(cls):
        return [
            handler_function("Exit", RUNTIME, "app.handler", {"app.py": EXIT_APP}),
            handler_function("Sleepy", RUNTIME, "app.handler", {"app.py": SLEEP_APP}, Timeout=1),
        ]

    def test_sys_exit_ends_the_worker_and_the_next_call_is_cold(self):
        before = self.server.invoke_ok(self, "Exit", {}).json()
        r = self.server.invoke("Exit", {"exit": 3})
        body = self.assert_function_error(r, "Runtime.ExitError")
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Runtime exited with error: exit status 3")
        self.assertIn("exiting with 3", self.server.wait_log(rid, "REPORT "))
        after = self.server.invoke_ok(self, "Exit", {})
        self.assertNotEqual(after.json(), before)
        lines = self.server.wait_log(after.header("x-amzn-RequestId"), "REPORT ")
        self.assertIn("Init Duration: ", lines[-1])

    def test_sys_exit_zero_is_still_an_exit(self):
        r = self.server.invoke("Exit", {"exit": 0})
        body = self.assert_function_error(r, "Runtime.ExitError")
        self.assertTrue(body["errorMessage"].endswith("exit status 0"), body)
        self.server.invoke_ok(self, "Exit", {})

    def test_timeout(self):
        r = self.server.invoke("Sleepy", {"sleep": 5})
        body = self.assert_function_error(r, "Sandbox.Timedout")
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Task timed out after 1.00 seconds")
        self.server.invoke_ok(self, "Sleepy", {})


# ---- layers ------------------------------------------------------------------------------------


class LayerTest(PythonTestCase):
    """Layers' python/ and python/lib/python3.X/site-packages folders are importable, a later
    layer wins over an earlier one, and the function's own code wins over every layer."""

    @classmethod
    def functions(cls):
        return [handler_function("Layered", RUNTIME, "app.handler", {
            "app.py": """
                import shared_a
                import shared_b
                import which
                import override

                def handler(event, context):
                    return {"a": shared_a.NAME, "b": shared_b.NAME, "which": which.LAYER,
                            "override": override.WHERE}
            """,
            "override.py": "WHERE = 'task root'\n",
        }, Layers=["layers/a/", "layers/b/"])]

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), args=cls.server_args, init_timeout=cls.init_timeout)
        minor = RUNTIME[len("python"):]
        files = {
            "a/python/shared_a.py": "NAME = 'a'\n",
            "a/python/which.py": "LAYER = 'a'\n",
            "a/python/override.py": "WHERE = 'layer a'\n",
            f"b/python/lib/python{minor}/site-packages/shared_b/__init__.py": "NAME = 'b'\n",
            "b/python/which.py": "LAYER = 'b'\n",
        }
        for relative, text in files.items():
            path = cls.server.root / "layers" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        cls.server.start()

    def test_layer_packages_are_importable(self):
        r = self.server.invoke_ok(self, "Layered", {})
        self.assertEqual(r.json(), {"a": "a", "b": "b", "which": "b", "override": "task root"})


# ---- the wire, against a scripted Runtime API ---------------------------------------------------


class WireTest(unittest.TestCase):
    """The client's HTTP against a scripted endpoint: chunked replies, closed connections,
    the headers of its posts, and exiting when the endpoint answers 500."""

    def run_client(self, replies: list, app: str, handler: str = "app.handler"):
        return run_client(self, [PYTHON, str(BOOTSTRAP)], "app.py", app, replies,
                          {"_HANDLER": handler, "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"})

    ECHO = "def handler(event, context):\n    return event\n"

    def test_chunked_reply_and_connection_close(self):
        proc, requests = self.run_client(
            [next_reply(b'{"a": [1, 2]}', chunked=True, close=True), ACCEPTED, GONE], self.ECHO)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("'500'", proc.stderr)
        self.assertEqual([(n, m, p) for n, m, p, _, _ in requests], [
            (1, "GET", "/2018-06-01/runtime/invocation/next"),
            (2, "POST", "/2018-06-01/runtime/invocation/11111111-2222-3333-4444-555555555555/"
                        "response"),
            (2, "GET", "/2018-06-01/runtime/invocation/next"),
        ])
        headers, body = requests[1][3], requests[1][4]
        self.assertEqual(body, b'{"a": [1, 2]}')
        self.assertEqual(headers["content-type"], "application/json")
        self.assertNotIn("expect", headers)

    def test_a_dropped_keep_alive_connection_is_reopened(self):
        proc, requests = self.run_client(
            [next_reply(b'{"n": 1}'), None, ACCEPTED, GONE], self.ECHO)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        posts = [(n, b) for n, m, _, _, b in requests if m == "POST"]
        self.assertEqual(posts[-1], (2, b'{"n": 1}'), "sent again on a new connection")

    def test_error_post(self):
        proc, requests = self.run_client([next_reply(b"{}"), ACCEPTED, GONE], """
            def handler(event, context):
                raise ValueError("wire failure")
        """)
        _, method, path, headers, body = requests[1]
        self.assertTrue(path.endswith("/error"), path)
        self.assertEqual(headers["lambda-runtime-function-error-type"], "ValueError")
        self.assertEqual(headers["content-type"], "application/json")
        error = json.loads(body)
        self.assertEqual(list(error), ["errorMessage", "errorType", "requestId", "stackTrace"])
        self.assertEqual(error["requestId"], "11111111-2222-3333-4444-555555555555")
        self.assertIn("[ERROR] ValueError: wire failure\rTraceback", proc.stdout)

    def test_init_error_post(self):
        proc, requests = self.run_client([ACCEPTED], self.ECHO, handler="app.missing")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(len(requests), 1, requests)
        _, method, path, headers, body = requests[0]
        self.assertEqual((method, path), ("POST", "/2018-06-01/runtime/init/error"))
        self.assertEqual(headers["lambda-runtime-function-error-type"], "Runtime.HandlerNotFound")
        self.assertEqual(json.loads(body), {
            "errorMessage": "Handler 'missing' missing on module 'app'",
            "errorType": "Runtime.HandlerNotFound", "requestId": "", "stackTrace": []})


if __name__ == "__main__":
    unittest.main()
