"""Cross-client conformance: the same cases against every Runtime API client lambdad runs.

One test class per client, all sharing the test methods of `Conformance`:
- Node.js CommonJS (`nodejs20.x`, app.js) and ES module (app.mjs) through runtime-api/nodejs;
- Python (`python3.12`) through runtime-api/python;
- bash (`provided.al2023`, a curl-based bootstrap in the harness's style);
- C++ (`provided.al2023`, runtime-api/cpp: tests/e2e/conformance/cpp_function.cpp, the CMake target conformance_cpp, else compiled here);
- AWS's own Node.js runtime interface client, npm `aws-lambda-ric`, as the `bootstrap` of a
  `provided.al2023` function running the same app.js (installed once per machine, see
  conformance_ric.py).

Cases: success, thrown error, init error, import error, syntax error, handler not found, timeout,
response size, context fields, environment, log line format, warm invocations. Error bodies and
error log events are compared with golden/ (AWS's shapes, stable fields only; see its README).
Where a custom runtime (bash, C++) legitimately differs from AWS's managed runtimes, the case is
skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import (REPORT_RE, SOURCE_DIR, UUID_RE, Function, Server,  # noqa: E402
                     ServerTestCase, bash_function, function_arn, script_function, wait_until)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conformance_ric import RIC_VERSION, ensure_ric  # noqa: E402

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"

MEMORY = 256
TIMEOUT = 7
VARIABLES = {"CONFORMANCE_VAR": "hello world", "CONFORMANCE_QUOTED": 'say "hi" = \'yes\''}
MISSING_DEPENDENCY = "conformance-missing-dependency"
LARGE_OK = 5_000_000  # bytes of response body, under AWS's 6 MB
LARGE_TOO_BIG = 7_000_000

ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
TRACE_ID = r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=[01]$"
LOG_STREAM = r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$"

# ---- the functions, per client --------------------------------------------------------------
#
# Every client has functions of the same names; `Handler` picks the behaviour:
#   Echo (the event back), Throws (an error from a nested call, on {"qty": 0}), InitError (fails
#   at init), ImportError (imports a missing dependency), SyntaxError, NoHandler (names an export
#   that does not exist), Sleeper ({"sleep_ms": N}, Timeout 1), Large ({"size": N}: a JSON string
#   of N "x"), Context (its context fields and remaining time), Env (its environment), Logs (log
#   lines at each level and a multi-line message), Counter (a per-process invocation count).

NODE_HANDLERS = {
    "Echo": "app.echo", "Throws": "app.throws", "InitError": "init_error.handler",
    "ImportError": "import_error.handler", "SyntaxError": "syntax_error.handler",
    "NoHandler": "app.nothere", "Sleeper": "app.sleep", "Large": "app.large",
    "Context": "app.context", "Env": "app.env", "Logs": "app.logs", "Counter": "app.counter",
}

NODE_APP_BODY = """
let invocations = 0;

function check(order) {
  if (!(order.qty > 0)) {
    throw new TypeError(`bad quantity: ${order.qty}`);
  }
}

HANDLER(echo) = async (event) => event;

HANDLER(throws) = async (event) => {
  check(event);
  return 'unreachable';
};

HANDLER(sleep) = async (event) => {
  const ms = event.sleep_ms || 0;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { slept: ms };
};

HANDLER(large) = async (event) => 'x'.repeat(event.size);

HANDLER(context) = async (event, context) => ({
  aws_request_id: context.awsRequestId,
  function_name: context.functionName,
  function_version: context.functionVersion,
  invoked_function_arn: context.invokedFunctionArn,
  memory_limit_in_mb: context.memoryLimitInMB,
  log_group_name: context.logGroupName,
  log_stream_name: context.logStreamName,
  remaining_ms: context.getRemainingTimeInMillis(),
});

HANDLER(env) = async () => ({ ...process.env });

HANDLER(logs) = async () => {
  console.log('conformance log %s', 'line');
  console.info('conformance info');
  console.debug('conformance debug');
  console.warn('conformance warn');
  console.error('conformance error');
  console.log('first\\nsecond');
  return 'logged';
};

HANDLER(counter) = async () => {
  invocations += 1;
  return { count: invocations, pid: process.pid };
};
"""


def node_files(esm: bool) -> dict[str, str]:
    ext = "mjs" if esm else "js"
    export = (lambda name: f"export const {name}") if esm else (lambda name: f"exports.{name}")
    app = re.sub(r"HANDLER\((\w+)\)", lambda m: export(m.group(1)), NODE_APP_BODY)
    if not esm:
        app = "'use strict';\n" + app
    if esm:
        broken_import = (f"import dependency from '{MISSING_DEPENDENCY}';\n\n"
                         "export const handler = async (event) => dependency(event);\n")
    else:
        broken_import = (f"const dependency = require('{MISSING_DEPENDENCY}');\n\n"
                         "exports.handler = async (event) => dependency(event);\n")
    return {
        f"app.{ext}": app,
        f"init_error.{ext}": f"throw new Error('init failed');\n\n{export('handler')} = "
                             "async (event) => event;\n",
        f"import_error.{ext}": broken_import,
        # The closing brace is missing.
        f"syntax_error.{ext}": f"{export('handler')} = async (event) => {{\n  return event;\n",
    }


PYTHON_HANDLERS = {
    "Echo": "app.echo", "Throws": "app.throws", "InitError": "init_error.handler",
    "ImportError": "import_error.handler", "SyntaxError": "syntax_error.handler",
    "NoHandler": "app.nothere", "Sleeper": "app.sleep", "Large": "app.large",
    "Context": "app.context", "Env": "app.env", "Logs": "app.logs", "Counter": "app.counter",
}

PYTHON_FILES = {
    "app.py": """
        import logging
        import os
        import time

        logger = logging.getLogger()
        logger.setLevel(logging.INFO)  # AWS's documented way: the root logger starts at WARNING

        invocations = 0


        def check(order):
            if not order.get("qty", 0) > 0:
                raise ValueError(f"bad quantity: {order.get('qty')}")


        def echo(event, context):
            return event


        def throws(event, context):
            check(event)
            return "unreachable"


        def sleep(event, context):
            ms = event.get("sleep_ms", 0)
            time.sleep(ms / 1000)
            return {"slept": ms}


        def large(event, context):
            return "x" * event["size"]


        def context(event, context):
            return {
                "aws_request_id": context.aws_request_id,
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "remaining_ms": context.get_remaining_time_in_millis(),
            }


        def env(event, context):
            return dict(os.environ)


        def logs(event, context):
            print("conformance print")
            logger.info("conformance info")
            logger.warning("conformance warn")
            logger.error("conformance error")
            logger.info("first\\nsecond")
            return "logged"


        def counter(event, context):
            global invocations
            invocations += 1
            return {"count": invocations, "pid": os.getpid()}
    """,
    "init_error.py": """
        raise RuntimeError("init failed")


        def handler(event, context):
            return event
    """,
    "import_error.py": f"""
        import {MISSING_DEPENDENCY.replace("-", "_")}


        def handler(event, context):
            return event
    """,
    "syntax_error.py": """
        def handler(event, context)
            return event
    """,
}

# The harness's bash runtime (BASH_RUNTIME) with one handler snippet per function.
BASH_NUMBER = r"""sed -n 's/.*"%s": *\([0-9]*\).*/\1/p' <<<"$event" """
BASH_HANDLERS = {
    "Echo": "",
    "Throws": 'post_error Bash.HandlerError "bad quantity: 0"; handled=1',
    "Sleeper": f"""
        ms=$({BASH_NUMBER % "sleep_ms"}); ms=${{ms:-0}}
        sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
        response="{{\\"slept\\":$ms}}"
    """,
    "Large": f"""
        n=$({BASH_NUMBER % "size"})
        response="\\"$(head -c "$n" /dev/zero | tr '\\0' x)\\""
    """,
    "Context": """
        deadline=$(header Lambda-Runtime-Deadline-Ms)
        now=$(date +%s%3N)
        response=$(printf '{"aws_request_id":"%s","function_name":"%s","function_version":"%s",'\
'"invoked_function_arn":"%s","memory_limit_in_mb":"%s","log_group_name":"%s",'\
'"log_stream_name":"%s","remaining_ms":%d}' "$rid" "$AWS_LAMBDA_FUNCTION_NAME" \
          "$AWS_LAMBDA_FUNCTION_VERSION" "$(header Lambda-Runtime-Invoked-Function-Arn)" \
          "$AWS_LAMBDA_FUNCTION_MEMORY_SIZE" "$AWS_LAMBDA_LOG_GROUP_NAME" \
          "$AWS_LAMBDA_LOG_STREAM_NAME" "$((deadline - now))")
    """,
    # A custom runtime sets _X_AMZN_TRACE_ID from the event's header itself (as AWS asks).
    "Env": r"""
        export _X_AMZN_TRACE_ID="$(header Lambda-Runtime-Trace-Id)"
        quote() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
        response="{"; sep=""
        while IFS= read -r name; do
          response+="$sep$(quote "$name"):$(quote "${!name}")"; sep=","
        done < <(compgen -e)
        response+="}"
    """,
    "Logs": r"""
        echo "conformance log line"
        printf 'first\nsecond\n'
        echo "conformance stderr line" >&2
        response='"logged"'
    """,
    "Counter": r"""
        count=$((count + 1))
        response="{\"count\":$count,\"pid\":$$}"
    """,
}
BASH_INITS = {
    "InitError": 'post_init_error Bash.InitError "init failed"; exit 1',
    "Counter": "count=0",
}
# bash stops at the syntax error (status 2) before asking for an event.
BASH_SYNTAX_ERROR = """\
    #!/bin/bash
    if [ -n "$AWS_LAMBDA_RUNTIME_API" ]; then
      echo "the fi is missing"
"""

CPP_SOURCE = HERE / "conformance" / "cpp_function.cpp"
CPP_HANDLERS = {
    "Echo": "echo", "Throws": "throws", "InitError": "init_error", "Sleeper": "sleep",
    "Large": "large", "Context": "context", "Env": "env", "Logs": "logs", "Counter": "counter",
}


def common_properties(name: str) -> dict[str, Any]:
    return {
        "MemorySize": MEMORY,
        "Timeout": 1 if name == "Sleeper" else TIMEOUT,
        "Environment": {"Variables": dict(VARIABLES)},
    }


# ---- goldens --------------------------------------------------------------------------------


def golden(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())


_PLACEHOLDER = re.compile(r"\$\{(REQUEST_ID|TASK_ROOT|TIMESTAMP|NL|\*)\}")


def _pattern(template: str, values: dict[str, str]) -> re.Pattern:
    out, last = [], 0
    for m in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[last:m.start()]))
        key = m.group(1)
        out.append({"*": ".*", "NL": "[\r\n]", "TIMESTAMP": ISO_MS}.get(key)
                   or re.escape(values[key]))
        last = m.end()
    out.append(re.escape(template[last:]))
    return re.compile("".join(out), re.S)


def mismatches(expected: Any, actual: Any, values: dict[str, str], where: str = "$") -> list[str]:
    """Where `actual` departs from the golden `expected` (see golden/README.md); [] if nowhere."""
    if expected == "${ANY}":
        return []
    if isinstance(expected, str):
        if not isinstance(actual, str) or not _pattern(expected, values).fullmatch(actual):
            return [f"{where}: {actual!r} does not match {expected!r}"]
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: {actual!r} is not an object"]
        expected = {k: v for k, v in expected.items() if not k.startswith("_")}
        problems = []
        if set(actual) != set(expected):
            problems.append(f"{where}: keys {sorted(actual)} instead of {sorted(expected)}")
        for key in expected.keys() & actual.keys():
            problems += mismatches(expected[key], actual[key], values, f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: {actual!r} is not a list"]
        if _list_matches(expected, actual, values):
            return []
        return [f"{where}: {json.dumps(actual)[:1500]} does not match {json.dumps(expected)}"]
    return [] if expected == actual else [f"{where}: {actual!r} instead of {expected!r}"]


def _list_matches(expected: list, actual: list, values: dict[str, str]) -> bool:
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "${...}":
        return any(_list_matches(rest, actual[i:], values) for i in range(len(actual) + 1))
    return bool(actual) and not mismatches(head, actual[0], values) \
        and _list_matches(rest, actual[1:], values)


# ---- the cases ------------------------------------------------------------------------------


class Conformance:
    """The cases; a concrete class mixes this into ServerTestCase and says how its client's
    functions are built."""

    client: str  # the key in golden/*.json
    runtime: str  # the functions' Runtime
    managed = False  # AWS_EXECUTION_ENV is set for managed runtimes only
    init_timeout = 10  # AWS's on-demand init limit (the harness's 2 s is short for node on CI)
    skips: dict[str, str] = {}  # case -> why this client cannot show it

    server: Server

    # -- how the concrete classes describe their client --

    @classmethod
    def handler_of(cls, name: str) -> str:
        raise NotImplementedError

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        raise NotImplementedError

    @classmethod
    def functions(cls) -> list[Function]:
        names = ["Echo", "Throws", "InitError", "ImportError", "SyntaxError", "NoHandler",
                 "Sleeper", "Large", "Context", "Env", "Logs", "Counter"]
        return [fn for fn in map(cls.make_function, names) if fn is not None]

    @classmethod
    def prepare(cls, server: Server) -> None:
        """Called with the server's folder written, before it starts."""

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), args=cls.server_args, init_timeout=cls.init_timeout,
                            prefix=f"lambdad-conformance-{cls.client}-")
        try:
            cls.prepare(cls.server)
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    def setUp(self) -> None:
        super().setUp()
        case = self._testMethodName.removeprefix("test_")
        if case in self.skips:
            self.skipTest(self.skips[case])

    # -- helpers --

    def task_root(self, name: str) -> str:
        """The function's code as its worker sees it: /var/task in a sandbox (as on AWS)."""
        if self.server.sandbox_tier() == "namespaces":
            return "/var/task"
        return str(Function(name).code_dir(self.server.root))

    def values(self, name: str, request_id: str) -> dict[str, str]:
        return {"REQUEST_ID": request_id, "TASK_ROOT": self.task_root(name)}

    def assert_golden(self, expected: Any, actual: Any, values: dict[str, str], what: str):
        problems = mismatches(expected, actual, values)
        if problems:
            self.fail(f"{what} ({self.client}) differs from its golden:\n  " +
                      "\n  ".join(problems) + f"\nactual: {json.dumps(actual)[:3000]}")

    def assert_log_event(self, pattern: str | None, lines: Callable[[], list[str]],
                         values: dict[str, str], what: str) -> None:
        """One of lines() (polled for a while: the server batches its writes) matches."""
        if pattern is None:
            return
        regex = _pattern(pattern, values)
        try:
            wait_until(lambda: any(regex.fullmatch(line) for line in lines()), 5)
        except AssertionError:
            pass
        else:
            return
        self.fail(f"no stored log event of {what} ({self.client}) matches {pattern!r}; "
                  f"the events:\n" + "\n".join(repr(line)[:600] for line in lines()))

    def invoke_error(self, name: str, payload: Any = b"{}") -> tuple[dict, str]:
        r = self.server.invoke(name, payload)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", r)
        request_id = r.header("x-amzn-RequestId")
        self.assertRegex(request_id or "", UUID_RE, r)
        return r.json(), request_id

    def user_lines(self, request_id: str) -> list[str]:
        """The log events the function wrote during the invocation (between START and END)."""
        lines = self.server.wait_log(request_id, "REPORT ", timeout=10)
        start = next(i for i, line in enumerate(lines) if line.startswith("START RequestId: "))
        end = next(i for i, line in enumerate(lines) if line.startswith("END RequestId: "))
        return lines[start + 1:end]

    def init_lines(self, name: str) -> list[str]:
        """The function's log events written outside any invocation (while initialising)."""
        return [r["message"] for r in self.server.sql(
            "SELECT message FROM log_events WHERE function = ? AND request_id = '' ORDER BY id",
            [name])]

    def check_init_failure(self, name: str, golden_file: str) -> None:
        entry = golden(golden_file)[self.client]
        # AWS re-initialises after a failed init: every invocation fails the same way.
        for attempt in range(2):
            body, request_id = self.invoke_error(name)
            values = self.values(name, request_id)
            self.assert_golden(entry["response"], body, values, f"{name} reply #{attempt + 1}")
            report = self.server.wait_log(request_id, "REPORT ", timeout=10)[-1]
            self.assertRegex(report, REPORT_RE)
        if entry["log"] is not None:
            self.assert_log_event(entry["log"],
                                  lambda: self.init_lines(name) + self.user_lines(request_id),
                                  values, f"{name}'s init")

    # -- the cases --

    def test_success(self):
        event = {"order": 7, "items": ["a", "b"], "nested": {"ok": True, "none": None},
                 "text": "h\u00e9llo \"quoted\" \\ \u2603", "number": 1.5}
        r = self.server.invoke_ok(self, "Echo", event)
        self.assertEqual(r.json(), event)
        self.assertEqual(r.header("X-Amz-Executed-Version"), "$LATEST", r)

    def test_thrown_error(self):
        entry = golden("thrown_error.json")[self.client]
        body, request_id = self.invoke_error("Throws", {"qty": 0})
        values = self.values("Throws", request_id)
        self.assert_golden(entry["response"], body, values, "the error reply")
        self.assert_log_event(entry["log"], lambda: self.user_lines(request_id), values,
                              "the error")
        # The worker survives a handled error.
        body, request_id = self.invoke_error("Throws", {"qty": 0})
        self.assert_golden(entry["response"], body, self.values("Throws", request_id),
                           "the second error reply")

    def test_init_error(self):
        self.check_init_failure("InitError", "init_error.json")

    def test_import_error(self):
        self.check_init_failure("ImportError", "import_error.json")

    def test_syntax_error(self):
        self.check_init_failure("SyntaxError", "syntax_error.json")

    def test_handler_not_found(self):
        self.check_init_failure("NoHandler", "handler_not_found.json")

    def test_timeout(self):
        entry = golden("platform_errors.json")["timeout"]
        body, request_id = self.invoke_error("Sleeper", {"sleep_ms": 5000})
        values = self.values("Sleeper", request_id)
        self.assert_golden(entry["response"], body, values, "the timeout reply")
        self.assert_log_event(entry["log"], lambda: self.server.wait_log(request_id, "REPORT "),
                              values, "the timeout")
        # The next call gets a fresh worker and works.
        r = self.server.invoke_ok(self, "Sleeper", {"sleep_ms": 10})
        self.assertEqual(r.json(), {"slept": 10})

    def test_large_response(self):
        r = self.server.invoke_ok(self, "Large", {"size": LARGE_OK}, timeout=60)
        self.assertEqual(len(r.body), LARGE_OK + 2)
        self.assertEqual(r.json(), "x" * LARGE_OK)
        entry = golden("platform_errors.json")["response_too_large"]
        body, request_id = self.invoke_error("Large", {"size": LARGE_TOO_BIG})
        self.assert_golden(entry["response"], body, self.values("Large", request_id),
                           "the oversized reply")
        r = self.server.invoke_ok(self, "Large", {"size": 10})
        self.assertEqual(r.json(), "x" * 10)

    def test_context(self):
        r = self.server.invoke_ok(self, "Context", {})
        body = r.json()
        request_id = r.header("x-amzn-RequestId")
        remaining = body.pop("remaining_ms")
        stream = body.pop("log_stream_name")
        self.assertEqual(body, {
            "aws_request_id": request_id,
            "function_name": "Context",
            "function_version": "$LATEST",
            "invoked_function_arn": function_arn("Context"),
            "memory_limit_in_mb": str(MEMORY),
            "log_group_name": "/aws/lambda/Context",
        })
        self.assertRegex(stream, LOG_STREAM)
        self.assertIsInstance(remaining, int)
        self.assertLessEqual(remaining, TIMEOUT * 1000)
        self.assertGreater(remaining, TIMEOUT * 1000 - 2000, "the deadline is the Timeout away")
        # The invocation's log stream is the worker's.
        record = self.server.invocation(request_id)
        self.assertEqual(record["log_stream"], stream)

    def test_environment(self):
        r = self.server.invoke_ok(self, "Env", {})
        env = r.json()
        for key, value in VARIABLES.items():
            self.assertEqual(env.get(key), value, key)
        expected = {
            "AWS_LAMBDA_FUNCTION_NAME": "Env",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(MEMORY),
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/Env",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "LAMBDA_TASK_ROOT": self.task_root("Env"),
            "_HANDLER": self.handler_of("Env"),
            "TZ": ":UTC",
            "LANG": "en_US.UTF-8",
        }
        self.assertEqual({k: env.get(k) for k in expected}, expected)
        self.assertRegex(env.get("AWS_LAMBDA_LOG_STREAM_NAME", ""), LOG_STREAM)
        self.assertRegex(env.get("AWS_LAMBDA_RUNTIME_API", ""), r"^127\.0\.0\.1:\d+$")
        self.assertRegex(env.get("_X_AMZN_TRACE_ID", ""), TRACE_ID)
        self.assertIn("LAMBDA_RUNTIME_DIR", env)
        if self.managed:
            self.assertEqual(env.get("AWS_EXECUTION_ENV"), f"AWS_Lambda_{self.runtime}")
        else:
            self.assertNotIn("AWS_EXECUTION_ENV", env)

    def expected_log_lines(self, request_id: str) -> list[str]:
        """Regexes, in order, for the lines the Logs function writes."""
        raise NotImplementedError

    def test_log_format(self):
        r = self.server.invoke_ok(self, "Logs", {})
        request_id = r.header("x-amzn-RequestId")
        lines = self.user_lines(request_id)
        expected = self.expected_log_lines(request_id)
        self.assertEqual(len(lines), len(expected), lines)
        for line, pattern in zip(lines, expected):
            self.assertRegex(line, pattern)

    def test_warm_invocations(self):
        results, request_ids = [], []
        for _ in range(50):
            r = self.server.invoke_ok(self, "Counter", {})
            results.append(r.json())
            request_ids.append(r.header("x-amzn-RequestId"))
        self.assertEqual([b["count"] for b in results], list(range(1, 51)))
        self.assertEqual(len({b["pid"] for b in results}), 1, "one worker served every call")
        reports = [self.server.wait_log(rid, "REPORT ", timeout=10)[-1] for rid in request_ids]
        inits = [REPORT_RE.match(line).group("init") for line in reports]
        self.assertIsNotNone(inits[0], reports[0])
        self.assertEqual(inits[1:], [None] * 49, "Init Duration on a warm invocation")


# ---- the clients ----------------------------------------------------------------------------


def node_log_lines(request_id: str) -> list[str]:
    prefix = f"^{ISO_MS}\t{re.escape(request_id)}\t"
    return [prefix + "INFO\tconformance log line$", prefix + "INFO\tconformance info$",
            prefix + "DEBUG\tconformance debug$", prefix + "WARN\tconformance warn$",
            prefix + "ERROR\tconformance error$", prefix + "INFO\tfirst[\r\n]second$"]


class NodeConformance(Conformance):
    runtime = "nodejs20.x"
    managed = True
    esm = False

    @classmethod
    def handler_of(cls, name: str) -> str:
        return NODE_HANDLERS[name]

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        return Function(name, code=None, files=node_files(cls.esm), properties={
            "Runtime": cls.runtime, "Handler": NODE_HANDLERS[name], **common_properties(name)})

    def expected_log_lines(self, request_id: str) -> list[str]:
        return node_log_lines(request_id)


class NodeCjsConformanceTest(NodeConformance, ServerTestCase):
    client = "node_cjs"


class NodeEsmConformanceTest(NodeConformance, ServerTestCase):
    client = "node_esm"
    esm = True


class PythonConformanceTest(Conformance, ServerTestCase):
    client = "python"
    runtime = "python3.12"
    managed = True

    @classmethod
    def handler_of(cls, name: str) -> str:
        return PYTHON_HANDLERS[name]

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        files = {path: textwrap.dedent(text).lstrip() for path, text in PYTHON_FILES.items()}
        return Function(name, code=None, files=files, properties={
            "Runtime": cls.runtime, "Handler": PYTHON_HANDLERS[name], **common_properties(name)})

    def expected_log_lines(self, request_id: str) -> list[str]:
        rid = re.escape(request_id)
        return ["^conformance print$",
                f"^\\[INFO\\]\t{ISO_MS}\t{rid}\tconformance info$",
                f"^\\[WARNING\\]\t{ISO_MS}\t{rid}\tconformance warn$",
                f"^\\[ERROR\\]\t{ISO_MS}\t{rid}\tconformance error$",
                f"^\\[INFO\\]\t{ISO_MS}\t{rid}\tfirst[\r\n]second$"]


PROVIDED_HANDLER_NOT_FOUND = (
    "a custom runtime interprets _HANDLER itself: Runtime.HandlerNotFound is what AWS's managed "
    "runtimes report, and a provided.al2023 bootstrap reports whatever its own code posts (the "
    "init error case covers that)")


class BashConformanceTest(Conformance, ServerTestCase):
    client = "bash"
    runtime = "provided.al2023"
    skips = {
        "import_error": "a bash bootstrap imports no modules: Runtime.ImportModuleError is what "
                        "AWS's managed runtimes report (the init error case covers a custom "
                        "runtime's own init failure)",
        "handler_not_found": PROVIDED_HANDLER_NOT_FOUND,
    }

    @classmethod
    def handler_of(cls, name: str) -> str:
        return name.lower()

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        props = {"Runtime": cls.runtime, "Handler": name.lower(), **common_properties(name)}
        if name == "SyntaxError":
            return script_function(name, BASH_SYNTAX_ERROR, **props)
        if name in BASH_HANDLERS or name in BASH_INITS:
            return bash_function(name, BASH_HANDLERS.get(name, ""), BASH_INITS.get(name, ""),
                                 **props)
        return None

    def expected_log_lines(self, request_id: str) -> list[str]:
        # Custom runtimes log raw lines, on AWS as here; stderr is a separate pipe, so its line's
        # place among stdout's is not fixed.
        return ["^conformance log line$", "^first$", "^second$"]

    def test_log_format(self):
        r = self.server.invoke_ok(self, "Logs", {})
        lines = self.user_lines(r.header("x-amzn-RequestId"))
        self.assertIn("conformance stderr line", lines)
        lines.remove("conformance stderr line")
        self.assertEqual(lines, ["conformance log line", "first", "second"])


class CppConformanceTest(Conformance, ServerTestCase):
    client = "cpp"
    runtime = "provided.al2023"
    skips = {
        "import_error": "a compiled C++ bootstrap imports nothing at start (a missing library "
                        "fails the build, or exec as Runtime.ExitError): "
                        "Runtime.ImportModuleError is what AWS's managed runtimes report",
        "syntax_error": "a C++ syntax error fails the build, not the function: "
                        "Runtime.UserCodeSyntaxError is what AWS's managed runtimes report",
        "handler_not_found": PROVIDED_HANDLER_NOT_FOUND,
    }
    bootstrap_dir: Path

    @classmethod
    def setUpClass(cls):
        cls.bootstrap_dir = Path(tempfile.mkdtemp(prefix="lambdad-conformance-cpp-"))
        try:
            cls._compile()
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.bootstrap_dir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.bootstrap_dir, ignore_errors=True)

    @classmethod
    def _compile(cls) -> None:
        built = os.environ.get("LAMBDAD_CONFORMANCE_CPP")  # the CMake target, under ctest
        if built and Path(built).exists():
            shutil.copy2(built, cls.bootstrap_dir / "bootstrap")
            return
        compiler = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
        if not compiler:
            raise unittest.SkipTest("no C++ compiler (c++, g++ or $CXX) to build the C++ "
                                    "conformance function from runtime-api/cpp")
        library = SOURCE_DIR / "runtime-api" / "cpp"
        command = [compiler, "-std=c++20", "-O1", "-I", str(library / "include"),
                   str(CPP_SOURCE), *map(str, sorted((library / "src").glob("*.cpp"))),
                   "-o", str(cls.bootstrap_dir / "bootstrap")]
        r = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{r.stderr[-4000:]}")

    @classmethod
    def handler_of(cls, name: str) -> str:
        return CPP_HANDLERS[name]

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        if name not in CPP_HANDLERS:
            return None
        return Function(name, copy_from=cls.bootstrap_dir / "bootstrap", properties={
            "Runtime": cls.runtime, "Handler": CPP_HANDLERS[name], **common_properties(name)})

    def test_log_format(self):
        r = self.server.invoke_ok(self, "Logs", {})
        lines = self.user_lines(r.header("x-amzn-RequestId"))
        self.assertIn("conformance stderr line", lines)
        lines.remove("conformance stderr line")
        self.assertEqual(lines, ["conformance log line", "first", "second"])


RIC_BOOTSTRAP = """\
#!/bin/sh
# AWS's Node.js runtime interface client as a custom runtime, the way its README runs it
# (`npx aws-lambda-ric app.handler` from the function's folder), shipped in the function's
# node_modules.
cd "$LAMBDA_TASK_ROOT" || exit 1
exec {node} "$LAMBDA_TASK_ROOT/node_modules/aws-lambda-ric/bin/index.mjs" "$_HANDLER"
"""


class AwsLambdaRicConformanceTest(Conformance, ServerTestCase):
    """npm aws-lambda-ric (AWS's own Node.js client) as a provided.al2023 bootstrap, running the
    same app.js as the Node CJS class: it meets the node_cjs goldens as AWS wrote them."""

    client = "node_cjs"
    runtime = "provided.al2023"
    ric_dir: Path

    @classmethod
    def setUpClass(cls):
        cls.ric_dir = ensure_ric()  # SkipTest, saying why, where it cannot be installed
        super().setUpClass()

    @classmethod
    def handler_of(cls, name: str) -> str:
        return NODE_HANDLERS[name]

    @classmethod
    def make_function(cls, name: str) -> Function | None:
        node = shutil.which("node")
        return Function(name, code=RIC_BOOTSTRAP.format(node=node), files=node_files(False),
                        properties={"Runtime": cls.runtime, "Handler": NODE_HANDLERS[name],
                                    **common_properties(name)})

    @classmethod
    def prepare(cls, server: Server) -> None:
        for fn in server.functions:
            shutil.copytree(cls.ric_dir, fn.code_dir(server.root) / "node_modules" /
                            "aws-lambda-ric", ignore=shutil.ignore_patterns(".installed"))

    def expected_log_lines(self, request_id: str) -> list[str]:
        return node_log_lines(request_id)

    def test_ric_version(self):
        package = json.loads((self.ric_dir / "package.json").read_text())
        self.assertEqual(package["version"], RIC_VERSION)

if __name__ == "__main__":
    unittest.main()
