"""nodejs*.x functions through lambdad's Node.js client (runtime-api/nodejs): real server, real
node workers, logs read back from the SQLite store.

Handlers as AWS finds them (CommonJS, ES modules by extension or package.json, .cjs, nested paths
and property paths), the programming models (async, promise, callback, context.done/succeed/fail,
callbackWaitsForEmptyEventLoop), the context object and the environment, console lines, errors
thrown by handlers and at init with AWS's types, messages, traces and log events (goldens in
golden/nodejs/), uncaught exceptions and unhandled rejections, timeouts, response sizes, warm state
and layers; then the client's HTTP against a scripted Runtime API."""

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

from harness import (SOURCE_DIR, UUID_RE, Server, ServerTestCase, function_arn, handler_function,
                     client_files, run_cli, script_function)
from golden_match import TIMESTAMP, matches
from scripted_api import ACCEPTED, GONE, RID, FakeRuntimeApi, run_client
from scripted_api import next_reply as _next_reply

GOLDEN = Path(__file__).resolve().parent / "golden" / "nodejs"
CLIENT_DIR = SOURCE_DIR / "runtime-api" / "nodejs"
CLIENT = CLIENT_DIR / "index.mjs"
# The node lambdad runs (LAMBDAD_NODE, else the one on PATH), resolved past version-manager shims.
NODE = os.path.realpath(os.environ.get("LAMBDAD_NODE") or shutil.which("node") or "/usr/bin/node")


def _node_major() -> int:
    try:
        out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30)
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


_MAJOR = _node_major()
RUNTIME = f"nodejs{_MAJOR}.x" if 18 <= _MAJOR <= 22 else "nodejs20.x"


def _managed_runtimes() -> bool:
    """Whether this lambdad runs nodejs* functions itself (else they run as provided.al2023
    functions whose bootstrap execs the client: same client, fewer environment variables)."""
    try:
        return run_cli(["doctor"]).returncode == 0
    except (unittest.SkipTest, OSError, subprocess.SubprocessError):
        return False


MANAGED = _managed_runtimes()
# provided.al2023 functions ship the client in their code folder (a sandboxed worker sees nothing
# else of this machine's files but the system folders and the interpreters).
CLIENT_IN_CODE = ".lambdad-client"
BOOTSTRAP = (f"#!/bin/sh\nexec {shlex.quote(NODE)} "
             f"\"$LAMBDA_TASK_ROOT/{CLIENT_IN_CODE}/{CLIENT.name}\"\n")


def node_function(name: str, handler: str, files: dict[str, str], **properties):
    """A nodejs function with these files in its code folder."""
    if MANAGED:
        return handler_function(name, RUNTIME, handler, files, **properties)
    fn = handler_function(name, "provided.al2023", handler, files, **properties)
    fn.code = BOOTSTRAP
    fn.files.update(client_files(CLIENT_DIR, CLIENT_IN_CODE))
    return fn


def client_function(name: str, handler: str, files: dict[str, str], env: dict[str, str],
                    **properties):
    """A provided.al2023 function whose bootstrap runs the client itself, for what a template
    cannot say: variables AWS reserves (AWS_LAMBDA_LOG_FORMAT) and handler names that
    `lambdad validate` refuses but AWS accepts and fails at init."""
    exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
    script = (f"#!/bin/sh\n{exports}export _HANDLER={shlex.quote(handler)}\n"
              f"exec {shlex.quote(NODE)} \"$LAMBDA_TASK_ROOT/{CLIENT_IN_CODE}/{CLIENT.name}\"\n")
    fn = script_function(name, script, **properties)
    fn.files.update({path: textwrap.dedent(text).lstrip() for path, text in files.items()})
    fn.files.update(client_files(CLIENT_DIR, CLIENT_IN_CODE))
    return fn


# ---- goldens ----------------------------------------------------------------------------------


def golden(name: str):
    return json.loads((GOLDEN / name).read_text())


def split_log_line(line: str) -> dict:
    """`<time>\t<request id>\tERROR\t<label> \t<json>` as {"line": text before the JSON,
    "json": the parsed JSON}: how the goldens hold error log events."""
    head, tab, rest = line.partition(" \t")
    if not tab:
        return {"line": line, "json": None}
    try:
        return {"line": head + " \t", "json": json.loads(rest)}
    except ValueError:
        return {"line": line, "json": None}


class NodeTestCase(ServerTestCase):
    init_timeout = 10  # AWS's on-demand init limit (the harness's 2 s is short for node on CI)

    def code_dir(self, name: str) -> str:
        """The function's code as its worker sees it (/var/task in a sandbox)."""
        if self.server.sandbox_tier() == "namespaces":
            return "/var/task"
        return str(self.server.root / "functions" / name)

    def client_dir(self) -> str:
        """lambdad's Node.js client as a managed worker sees it."""
        return "/var/runtime" if self.server.sandbox_tier() == "namespaces" else str(CLIENT_DIR)

    def assert_golden(self, name: str, actual, **values) -> None:
        expected = golden(name)
        if not matches(expected, actual, values):
            self.fail(f"does not match golden/nodejs/{name} with {values}:\n"
                      f"expected: {json.dumps(expected, indent=1)}\n"
                      f"actual:   {json.dumps(actual, indent=1)}")

    def lines_of(self, rid: str) -> list[str]:
        """The function's own lines of an invocation (between START and END)."""
        lines = self.server.wait_log(rid, "REPORT ")
        start = next(i for i, line in enumerate(lines) if line.startswith("START "))
        end = next(i for i, line in enumerate(lines) if line.startswith("END "))
        return lines[start + 1:end]

    def error_events(self, rid: str) -> list[str]:
        return [line for line in self.lines_of(rid) if "\tERROR\t" in line]

    def init_error_event(self, function: str, label: str = "Uncaught Exception") -> str:
        rows = self.server.wait_sql(
            "SELECT message FROM log_events WHERE function = ? AND message LIKE ? ORDER BY id",
            [function, f"%\tERROR\t{label} \t%"])
        return rows[-1]["message"]

    def check_error(self, function: str, event, golden_name: str, error_type: str, **values):
        r = self.server.invoke(function, event)
        body = self.assert_function_error(r, error_type)
        rid = r.header("x-amzn-RequestId")
        events = self.error_events(rid)
        self.assertEqual(len(events), 1, events)
        self.assert_golden(golden_name, {"response": body, "log": split_log_line(events[0])},
                           REQUEST_ID=rid, TASK_ROOT=self.code_dir(function), **values)
        return r


# ---- handlers, programming models, context, environment -----------------------------------------

CONTEXT_APP = """
const started = process.cwd();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ENV = ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', '_HANDLER', '_X_AMZN_TRACE_ID', 'TZ', 'NODE_PATH',
  'MY_SETTING'];

exports.handler = async (event, context) => {
  const first = context.getRemainingTimeInMillis();
  await sleep(event.sleep || 0);
  const second = context.getRemainingTimeInMillis();
  const env = {};
  for (const name of ENV) env[name] = process.env[name];
  return {
    event,
    keys: Object.keys(context),
    types: Object.fromEntries(Object.entries(context).map(([k, v]) => [k, typeof v])),
    context: JSON.parse(JSON.stringify(context)),
    remaining: [first, second],
    env,
    cwd: process.cwd(),
    started,
    childTraceId: require('child_process').execSync('echo "$_X_AMZN_TRACE_ID"').toString().trim(),
    pid: `${process.env.AWS_LAMBDA_LOG_STREAM_NAME}/${process.pid}`,  // the worker (pids repeat across PID namespaces)
    utcOffset: new Date(2024, 0, 1).getTimezoneOffset(),
    global: typeof awslambda === 'object' && typeof awslambda.streamifyResponse,
  };
};
"""

MODELS_APP = """
exports.callback = (event, context, callback) => {
  callback(null, { via: 'callback', event });
};

exports.promise = (event) => Promise.resolve({ via: 'promise' });

exports.plain = (event) => {
  // returns nothing and never calls back: answered null once the event loop is empty
};

exports.waits = (event, context, callback) => {
  if (event.wait !== undefined) context.callbackWaitsForEmptyEventLoop = event.wait;
  setTimeout(() => console.log('timer fired'), event.delay || 400);
  callback(null, { waited: context.callbackWaitsForEmptyEventLoop });
};

exports.legacy = (event, context) => {
  switch (event.how) {
    case 'succeed': return context.succeed({ via: 'succeed' });
    case 'done': return context.done(null, { via: 'done' });
    case 'fail': return context.fail(new Error('failed via context.fail'));
    case 'done-error': return context.done(new Error('failed via context.done'));
    case 'twice':
      context.succeed('first');
      context.succeed('second');
      return undefined;
    default: return undefined;
  }
};

exports.callbackError = (event, context, callback) => {
  callback(new Error('failed via callback'));
};

exports.nested = { deeper: { handler: async () => 'nested property path' } };

exports.undefinedResult = async () => undefined;
"""

STATE_APP = """
let count = 0;
const loadedAt = Date.now();
exports.handler = async () => ({ count: ++count, pid: `${process.env.AWS_LAMBDA_LOG_STREAM_NAME}/${process.pid}`, loadedAt });
"""


class HandlerTest(NodeTestCase):
    @classmethod
    def functions(cls):
        return [
            node_function("Context", "app.handler", {"app.js": CONTEXT_APP}, MemorySize=256,
                          Timeout=5, Environment={"Variables": {"MY_SETTING": "on"}}),
            node_function("Esm", "app.handler", {"app.mjs": """
                const config = await Promise.resolve({ topLevelAwait: true });
                export const handler = async (event) => ({
                  kind: 'mjs', module: typeof require === 'undefined', config, event });
            """}),
            node_function("EsmPackage", "app.handler", {
                "package.json": '{"name": "esm-app", "type": "module"}',
                "app.js": """
                    import { helper } from './lib/helper.js';
                    export const handler = async () => ({
                      kind: 'js in a type:module package', module: typeof require === 'undefined',
                      helper: helper() });
                """,
                "lib/helper.js": "export const helper = () => 'imported';\n",
            }),
            node_function("CommonJsExt", "app.handler", {
                "package.json": '{"type": "module"}',
                "app.cjs": "exports.handler = async () => ({ kind: 'cjs', module: typeof require"
                           " === 'undefined' });\n",
            }),
            node_function("Nested", "src/handlers/app.lambdaHandler", {
                "src/handlers/app.js": """
                    const { greet } = require('../lib/greet');
                    exports.lambdaHandler = async (event) => ({
                      greeting: greet(event.name), file: __filename });
                """,
                "src/lib/greet.js": "exports.greet = (name) => `hello ${name}`;\n",
            }),
            node_function("Callback", "models.callback", {"models.js": MODELS_APP}),
            node_function("Promise", "models.promise", {"models.js": MODELS_APP}),
            node_function("Plain", "models.plain", {"models.js": MODELS_APP}),
            node_function("Waits", "models.waits", {"models.js": MODELS_APP}),
            node_function("Legacy", "models.legacy", {"models.js": MODELS_APP}),
            node_function("CallbackError", "models.callbackError", {"models.js": MODELS_APP}),
            node_function("PropertyPath", "models.nested.deeper.handler", {"models.js": MODELS_APP}),
            node_function("Undefined", "models.undefinedResult", {"models.js": MODELS_APP}),
            node_function("State", "app.handler", {"app.js": STATE_APP}),
        ]

    def test_commonjs_handler_gets_the_event(self):
        event = {"a": 1, "nested": {"list": [1, 2.5, "x", None, True]}, "text": "caf\u00e9 \u2603"}
        r = self.server.invoke_ok(self, "Context", event)
        self.assertEqual(r.json()["event"], event)

    def test_es_module_by_extension_with_top_level_await(self):
        r = self.server.invoke_ok(self, "Esm", {"x": 1})
        self.assertEqual(r.json(), {"kind": "mjs", "module": True,
                                    "config": {"topLevelAwait": True}, "event": {"x": 1}})

    def test_es_module_by_package_json_type(self):
        r = self.server.invoke_ok(self, "EsmPackage", {})
        self.assertEqual(r.json(), {"kind": "js in a type:module package", "module": True,
                                    "helper": "imported"})

    def test_cjs_extension_in_a_module_package(self):
        r = self.server.invoke_ok(self, "CommonJsExt", {})
        self.assertEqual(r.json(), {"kind": "cjs", "module": False})

    def test_nested_path_handler(self):
        r = self.server.invoke_ok(self, "Nested", {"name": "you"})
        self.assertEqual(r.json(), {"greeting": "hello you",
                                    "file": self.code_dir("Nested") + "/src/handlers/app.js"})

    def test_nested_property_path(self):
        r = self.server.invoke_ok(self, "PropertyPath", {})
        self.assertEqual(r.json(), "nested property path")

    def test_callback_and_promise_handlers(self):
        r = self.server.invoke_ok(self, "Callback", {"n": 1})
        self.assertEqual(r.json(), {"via": "callback", "event": {"n": 1}})
        r = self.server.invoke_ok(self, "Promise", {})
        self.assertEqual(r.json(), {"via": "promise"})

    def test_undefined_result_and_no_callback_are_null(self):
        self.assertEqual(self.server.invoke_ok(self, "Undefined", {}).body, b"null")
        self.assertEqual(self.server.invoke_ok(self, "Plain", {}).body, b"null")

    def test_callback_waits_for_the_empty_event_loop_by_default(self):
        r = self.server.invoke_ok(self, "Waits", {})
        self.assertEqual(r.json(), {"waited": True})
        rid = r.header("x-amzn-RequestId")
        lines = self.lines_of(rid)
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], rf"^{TIMESTAMP}\t{rid}\tINFO\ttimer fired$")
        report = self.server.wait_log(rid, "REPORT ")[-1]
        self.assertGreaterEqual(float(re.search(r"Duration: ([\d.]+) ms", report).group(1)), 390)

    def test_callback_answers_at_once_without_waiting(self):
        r = self.server.invoke_ok(self, "Waits", {"wait": False, "delay": 1500})
        self.assertEqual(r.json(), {"waited": False})
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(self.lines_of(rid), [], "the timer fires after the answer")
        # The timer still runs in the warm worker, after the invocation.
        self.server.wait_sql("SELECT id FROM log_events WHERE function = 'Waits' AND message "
                             "LIKE ? AND id > (SELECT max(id) FROM log_events WHERE message = ?)",
                             ["%\tINFO\ttimer fired", f"END RequestId: {rid}"])

    def test_context_succeed_done_fail(self):
        self.assertEqual(self.server.invoke_ok(self, "Legacy", {"how": "succeed"}).json(),
                         {"via": "succeed"})
        self.assertEqual(self.server.invoke_ok(self, "Legacy", {"how": "done"}).json(),
                         {"via": "done"})
        self.assertEqual(self.server.invoke_ok(self, "Legacy", {"how": "twice"}).json(), "first")
        for how, message in (("fail", "failed via context.fail"),
                             ("done-error", "failed via context.done")):
            body = self.assert_function_error(self.server.invoke("Legacy", {"how": how}), "Error")
            self.assertEqual(body["errorMessage"], message)
        body = self.assert_function_error(self.server.invoke("CallbackError", {}), "Error")
        self.assertEqual(body["errorMessage"], "failed via callback")

    def test_context_fields(self):
        r = self.server.invoke_ok(self, "Context", {})
        body = r.json()
        rid = r.header("x-amzn-RequestId")
        self.assertRegex(rid, UUID_RE)
        self.assertEqual(body["keys"], [
            "callbackWaitsForEmptyEventLoop", "succeed", "fail", "done", "functionVersion",
            "functionName", "memoryLimitInMB", "logGroupName", "logStreamName", "clientContext",
            "identity", "invokedFunctionArn", "awsRequestId", "tenantId",
            "getRemainingTimeInMillis"])
        context = body["context"]
        self.assertEqual(context["awsRequestId"], rid)
        self.assertEqual(context["functionName"], "Context")
        self.assertEqual(context["functionVersion"], "$LATEST")
        self.assertEqual(context["invokedFunctionArn"], function_arn("Context"))
        self.assertEqual(context["memoryLimitInMB"], "256")  # a string, as on AWS
        self.assertEqual(context["logGroupName"], "/aws/lambda/Context")
        stream = self.server.invocation(rid)["log_stream"]
        self.assertEqual(context["logStreamName"], stream)
        self.assertRegex(stream, r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")
        self.assertIs(context["callbackWaitsForEmptyEventLoop"], True)
        self.assertEqual(body["types"]["getRemainingTimeInMillis"], "function")
        for name in ("succeed", "fail", "done"):
            self.assertEqual(body["types"][name], "function")
        self.assertEqual(body["types"]["clientContext"], "undefined")
        self.assertEqual(body["types"]["identity"], "undefined")
        self.assertEqual(body["global"], "function", "the awslambda global is there")

    def test_invoked_arn_carries_the_qualifier_used(self):
        r = self.server.invoke_ok(self, "Context", {}, qualifier="$LATEST")
        self.assertEqual(r.json()["context"]["invokedFunctionArn"],
                         function_arn("Context", "$LATEST"))

    def test_remaining_time_decreases_within_the_timeout(self):
        first, second = self.server.invoke_ok(self, "Context", {"sleep": 300}).json()["remaining"]
        self.assertLessEqual(first, 5000)
        self.assertGreater(first, 4000)
        self.assertLessEqual(second, first - 290)
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
        r = self.server.invoke_ok(self, "Context", {}, headers={"X-Amz-Client-Context": header})
        self.assertEqual(r.json()["context"]["clientContext"], client_context)

    def test_environment(self):
        body = self.server.invoke_ok(self, "Context", {}).json()
        env = body["env"]
        code = self.code_dir("Context")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], "Context")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256")
        self.assertEqual(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/Context")
        self.assertEqual(env["AWS_LAMBDA_LOG_STREAM_NAME"], body["context"]["logStreamName"])
        self.assertEqual(env["AWS_REGION"], "us-east-1")
        self.assertEqual(env["AWS_LAMBDA_INITIALIZATION_TYPE"], "on-demand")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertEqual(env["LAMBDA_TASK_ROOT"], code)
        self.assertEqual(env["MY_SETTING"], "on")
        self.assertRegex(env["AWS_LAMBDA_RUNTIME_API"], r"^127\.0\.0\.1:\d+$")
        self.assertRegex(env["_X_AMZN_TRACE_ID"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24};")
        self.assertEqual(body["cwd"], code)
        self.assertEqual(body["started"], code)
        self.assertEqual(body["utcOffset"], 0)
        if MANAGED:
            self.assertEqual(env["AWS_EXECUTION_ENV"], f"AWS_Lambda_{RUNTIME}")
            self.assertEqual(env["LAMBDA_RUNTIME_DIR"], self.client_dir())
            self.assertEqual(env["TZ"], ":UTC")
            self.assertEqual(env["NODE_PATH"].split(":")[-2:], [self.client_dir(), code])

    def test_trace_id_changes_per_invocation(self):
        first = self.server.invoke_ok(self, "Context", {}).json()
        second = self.server.invoke_ok(self, "Context", {}).json()
        self.assertEqual(first["pid"], second["pid"])
        self.assertNotEqual(first["env"]["_X_AMZN_TRACE_ID"], second["env"]["_X_AMZN_TRACE_ID"])
        # Kept in process.env rather than the C environment, it still reaches child processes.
        self.assertEqual(second["childTraceId"], second["env"]["_X_AMZN_TRACE_ID"])

    def test_state_is_kept_across_warm_invocations(self):
        results = [self.server.invoke_ok(self, "State", {}) for _ in range(50)]
        bodies = [r.json() for r in results]
        self.assertEqual([b["count"] for b in bodies], list(range(1, 51)))
        self.assertEqual(len({b["pid"] for b in bodies}), 1, "one worker served them all")
        self.assertEqual(len({b["loadedAt"] for b in bodies}), 1, "the module loaded once")
        colds = [self.server.invocation(r.header("x-amzn-RequestId"))["cold"] for r in results]
        self.assertEqual(colds, [1] + [0] * 49)


# ---- console lines --------------------------------------------------------------------------------

LOGS_APP = """
console.log('loading at init');

exports.handler = async (event, context) => {
  console.log('plain %s and %d', 'text', 42);
  console.info({ nested: { a: 1 } });
  console.warn('warned');
  console.debug('debugging');
  console.trace('tracing');
  console.fatal('fatal');
  console.log('line one\\nline two\\nline three');
  console.error('failed:', new Error('shown'));
  console.log();
  process.stdout.write('raw stdout\\n');
  return context.awsRequestId;
};
"""

JSON_LOGS_APP = """
exports.handler = async (event, context) => {
  console.debug('hidden below WARN');
  console.info('hidden too');
  console.warn('a warning');
  console.warn('two', 'parts', { n: 1 });
  console.error(new TypeError('an error object'));
  console.warn({ structured: true, list: [1, 2] });
  if (event.fail) throw new RangeError('json failure');
  return 'ok';
};
"""


class LogTest(NodeTestCase):
    @classmethod
    def functions(cls):
        return [
            node_function("Logs", "app.handler", {"app.js": LOGS_APP}),
            client_function("JsonLogs", "app.handler", {"app.js": JSON_LOGS_APP},
                            {"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN"}),
            node_function("CallbackStyle", "models.callback", {"models.js": MODELS_APP}),
            node_function("CallbackQuiet", "models.callback", {"models.js": MODELS_APP},
                          Environment={"Variables": {
                              "AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING": "1"}}),
        ]

    def test_callback_handlers_get_aws_deprecation_warning_at_init(self):
        for name in ("CallbackStyle", "CallbackQuiet", "Logs"):
            r = self.server.invoke_ok(self, name, {})
        self.server.wait_log(r.header("x-amzn-RequestId"))  # everything before it is stored too
        rows = self.server.wait_sql(
            "SELECT function, message FROM log_events WHERE message LIKE ? ORDER BY id",
            ["%\tWARN\tAWS Lambda plans to remove support for callback-based function handlers%"])
        self.assertEqual([r["function"] for r in rows], ["CallbackStyle"])
        self.assertRegex(rows[0]["message"], rf"^{TIMESTAMP}\tundefined\tWARN\tAWS Lambda plans to "
                         r"remove support for callback-based function handlers starting with "
                         r"Node\.js 24\. .* set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING "
                         r"environment variable\.$")

    def test_console_lines(self):
        r = self.server.invoke_ok(self, "Logs", {})
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(r.json(), rid)
        lines = self.lines_of(rid)
        prefix = lambda level: rf"^{TIMESTAMP}\t{rid}\t{level}\t"
        expected = [
            prefix("INFO") + r"plain text and 42$",
            prefix("INFO") + r"\{ nested: \{ a: 1 \} \}$",
            prefix("WARN") + r"warned$",
            prefix("DEBUG") + r"debugging$",
            prefix("TRACE") + r"tracing$",
            prefix("FATAL") + r"fatal$",
            prefix("INFO") + r"line one\rline two\rline three$",
            prefix("ERROR") + r"failed: Error: shown\r    at exports\.handler \(.*app\.js:\d+:\d+\)"
                              r"(\r    at .*)*$",
            prefix("INFO") + r"undefined$",
            r"^raw stdout$",
        ]
        self.assertEqual(len(lines), len(expected), lines)
        for pattern, line in zip(expected, lines):
            self.assertRegex(line, pattern)

    def test_init_lines_have_an_undefined_request_id(self):
        self.server.invoke_ok(self, "Logs", {})
        rows = self.server.wait_sql(
            "SELECT request_id, message FROM log_events WHERE function = 'Logs' "
            "AND message LIKE '%loading at init'")
        self.assertRegex(rows[0]["message"], rf"^{TIMESTAMP}\tundefined\tINFO\tloading at init$")

    def test_json_log_format(self):
        r = self.server.invoke_ok(self, "JsonLogs", {})
        rid = r.header("x-amzn-RequestId")
        records = [json.loads(line) for line in self.lines_of(rid)]
        for record in records:
            self.assertEqual(list(record)[:3], ["timestamp", "level", "requestId"], record)
            self.assertRegex(record["timestamp"], f"^{TIMESTAMP}$")
            self.assertEqual(record["requestId"], rid)
        self.assertEqual([(r["level"], r["message"]) for r in records[:2]],
                         [("WARN", "a warning"), ("WARN", "two parts { n: 1 }")])
        error = records[2]
        self.assertEqual(error["level"], "ERROR")
        self.assertEqual(error["message"]["errorType"], "TypeError")
        self.assertEqual(error["message"]["errorMessage"], "an error object")
        self.assertEqual(error["message"]["stackTrace"][0], "TypeError: an error object")
        self.assertEqual(records[3]["message"], {"structured": True, "list": [1, 2]})
        self.assertEqual(len(records), 4, records)

    def test_json_log_format_error(self):
        r = self.server.invoke("JsonLogs", {"fail": True})
        self.assert_function_error(r, "RangeError")
        record = json.loads(self.lines_of(r.header("x-amzn-RequestId"))[-1])
        self.assertEqual(record["level"], "ERROR")
        self.assertEqual(record["message"]["errorType"], "RangeError")
        self.assertEqual(record["message"]["errorMessage"], "json failure")


# ---- errors -------------------------------------------------------------------------------------

ERRORS_APP = """
class OrderError extends Error {
  constructor(message) {
    super(message);
    this.name = 'OrderError';
    this.code = 'E_ORDER';
    this.orderId = 42;
  }
}

exports.handler = async (event) => {
  switch (event.kind) {
    case 'error': throw new Error('boom');
    case 'custom': throw new OrderError('order rejected');
    case 'string': throw 'just a string';
    case 'object': throw { reason: 'a plain object' };
    case 'circular': { const a = { name: 'loop' }; a.self = a; return a; }
    case 'bigint': return { n: 10n };
    case 'pending': return new Promise(() => {});
    case 'function': return () => 'not JSON';
    case 'no-stack': { const e = new Error('stack deleted'); delete e.stack; throw e; }
    default: return 'fine';
  }
};

exports.sync = (event) => {
  throw new RangeError('thrown synchronously');
};
"""


class ErrorTest(NodeTestCase):
    @classmethod
    def functions(cls):
        return [
            node_function("Throws", "app.handler", {"app.js": ERRORS_APP}),
            node_function("SyncThrows", "app.sync", {"app.js": ERRORS_APP}),
        ]

    def test_thrown_error(self):
        self.check_error("Throws", {"kind": "error"}, "error_thrown.json", "Error")

    def test_custom_error_class(self):
        self.check_error("Throws", {"kind": "custom"}, "error_custom.json", "OrderError")

    def test_thrown_string(self):
        self.check_error("Throws", {"kind": "string"}, "error_string.json", "string")

    def test_thrown_object(self):
        self.check_error("Throws", {"kind": "object"}, "error_object.json", "object")

    def test_synchronous_throw(self):
        body = self.assert_function_error(self.server.invoke("SyncThrows", {}), "RangeError")
        self.assertEqual(body["errorMessage"], "thrown synchronously")

    def test_unserialisable_results(self):
        for kind in ("circular", "bigint"):
            self.check_error("Throws", {"kind": kind}, "error_stringify.json", "Error")

    def test_result_that_stringifies_to_nothing(self):
        body = self.assert_function_error(self.server.invoke("Throws", {"kind": "function"}),
                                          "TypeError")
        self.assertEqual(body["errorMessage"], "Wrong arguments")  # AWS's runtime's words

    def test_error_without_a_stack(self):
        body = self.assert_function_error(self.server.invoke("Throws", {"kind": "no-stack"}),
                                          "handled")
        self.assertEqual(body, {"errorType": "handled", "errorMessage":
                                "callback called with Error argument, but there was a problem "
                                "while retrieving one or more of its message, name, and stack"})

    def test_promise_that_never_settles(self):
        self.check_error("Throws", {"kind": "pending"}, "error_nodejs_exit.json",
                         "Runtime.NodeJsExit")

    def test_worker_survives_errors(self):
        streams = set()
        for kind in ("error", "string", "circular", "pending", "none"):
            r = self.server.invoke("Throws", {"kind": kind})
            self.assertEqual(r.status, 200)
            streams.add(self.server.invocation(r.header("x-amzn-RequestId"))["log_stream"])
        self.assertEqual(len(streams), 1, "errors do not cost a cold start (one worker)")


class InitErrorTest(NodeTestCase):
    @classmethod
    def functions(cls):
        app = {"app.js": "exports.handler = async () => 'ok';\nexports.value = 42;\n"}
        return [
            node_function("MissingModule", "missing.handler", app),
            node_function("MissingDependency", "app.handler", {
                "app.js": "const pkg = require('not-installed-anywhere');\n"
                          "exports.handler = async () => pkg;\n"}),
            node_function("NotExported", "app.nothere", app),
            node_function("NotAFunction", "app.value", app),
            node_function("SyntaxCjs", "app.handler", {
                "app.js": "exports.handler = async () => {\n  return 'unclosed';\n"}),
            node_function("SyntaxEsm", "app.handler", {
                "app.mjs": "export const handler = async () => { return 1 +; };\n"}),
            node_function("ThrowsAtInit", "app.handler", {
                "app.js": "throw new Error('cannot start');\n"}),
            client_function("NoDot", "app", app, {}),
            client_function("DotDot", "../app.handler", app, {}),
        ]

    def check_init_error(self, function: str, golden_name: str, error_type: str) -> dict:
        r = self.server.invoke(function, {})
        body = self.assert_function_error(r, error_type)
        event = self.init_error_event(function)
        self.assert_golden(golden_name, {"response": body, "log": split_log_line(event)},
                           TASK_ROOT=self.code_dir(function), CLIENT_DIR=self.client_dir())
        # The environment is reset: the next call starts (and fails) again, never hangs.
        self.assert_function_error(self.server.invoke(function, {}), error_type)
        return body

    def test_import_module_error(self):
        self.check_init_error("MissingModule", "init_import_module_error.json",
                              "Runtime.ImportModuleError")

    def test_missing_dependency(self):
        self.check_init_error("MissingDependency", "init_missing_dependency.json",
                              "Runtime.ImportModuleError")

    def test_handler_not_exported(self):
        self.check_init_error("NotExported", "init_handler_not_found.json",
                              "Runtime.HandlerNotFound")

    def test_handler_not_a_function(self):
        body = self.check_init_error("NotAFunction", "init_not_a_function.json",
                                     "Runtime.HandlerNotFound")
        self.assertEqual(body["errorMessage"], "app.value is not a function")

    def test_syntax_error_commonjs(self):
        self.check_init_error("SyntaxCjs", "init_syntax_error.json", "Runtime.UserCodeSyntaxError")

    def test_syntax_error_es_module(self):
        self.check_init_error("SyntaxEsm", "init_syntax_error.json", "Runtime.UserCodeSyntaxError")

    def test_error_thrown_at_init(self):
        self.check_init_error("ThrowsAtInit", "init_thrown.json", "Error")

    def test_malformed_handler_names(self):
        body = self.check_init_error("NoDot", "init_malformed_handler.json",
                                     "Runtime.MalformedHandlerName")
        self.assertEqual(body["errorMessage"], "Bad handler")
        body = self.assert_function_error(self.server.invoke("DotDot", {}),
                                          "Runtime.MalformedHandlerName")
        self.assertEqual(body["errorMessage"],
                         "'../app.handler' is not a valid handler name. Use absolute paths when "
                         "specifying root directories in handler names.")


# ---- crashes, timeouts, sizes ------------------------------------------------------------------

CRASH_APP = """
exports.handler = async (event) => {
  switch (event.mode) {
    case 'uncaught':
      setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
      return new Promise(() => {});
    case 'rejection':
      Promise.reject(new Error('nobody catches this'));
      return new Promise(() => {});
    case 'rejection-string':
      Promise.reject('a bare reason');
      return new Promise(() => {});
    case 'hang':
      await new Promise((resolve) => setTimeout(resolve, 60000));
      return 'late';
    case 'size':
      return 'x'.repeat(event.n);
    default:
      return { pid: `${process.env.AWS_LAMBDA_LOG_STREAM_NAME}/${process.pid}` };
  }
};
"""

STREAM_APP = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType('text/plain');
  responseStream.write('hello ');
  await new Promise((resolve) => setTimeout(resolve, 10));
  responseStream.write(`streamed ${event.name}`);
  responseStream.end();
});
"""


class CrashTest(NodeTestCase):
    @classmethod
    def functions(cls):
        return [
            node_function("Crash", "app.handler", {"app.js": CRASH_APP}),
            node_function("Sleepy", "app.handler", {"app.js": CRASH_APP}, Timeout=1),
            node_function("Streams", "app.handler", {"app.js": STREAM_APP}),
        ]

    def cold_after(self, before_pid: int, function: str = "Crash") -> None:
        r = self.server.invoke_ok(self, function, {})
        self.assertNotEqual(r.json()["pid"], before_pid, "a new worker")
        self.assertEqual(self.server.invocation(r.header("x-amzn-RequestId"))["cold"], 1)
        report = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")[-1]
        self.assertIn("Init Duration: ", report)

    def crash(self, mode: str, golden_name: str, error_type: str) -> None:
        pid = self.server.invoke_ok(self, "Crash", {}).json()["pid"]
        r = self.server.invoke("Crash", {"mode": mode})
        body = self.assert_function_error(r, error_type)
        rid = r.header("x-amzn-RequestId")
        events = self.error_events(rid)
        self.assertEqual(len(events), 1, events)
        self.assert_golden(golden_name, {"response": body, "log": split_log_line(events[0])},
                           REQUEST_ID=rid, TASK_ROOT=self.code_dir("Crash"))
        self.cold_after(pid)

    def test_uncaught_exception(self):
        self.crash("uncaught", "uncaught_exception.json", "Error")

    def test_unhandled_rejection(self):
        self.crash("rejection", "unhandled_rejection.json", "Runtime.UnhandledPromiseRejection")

    def test_unhandled_rejection_with_a_string(self):
        self.crash("rejection-string", "unhandled_rejection_string.json",
                   "Runtime.UnhandledPromiseRejection")

    def test_timeout(self):
        pid = self.server.invoke_ok(self, "Sleepy", {}).json()["pid"]
        r = self.server.invoke("Sleepy", {"mode": "hang"})
        body = self.assert_function_error(r, "Sandbox.Timedout")
        rid = r.header("x-amzn-RequestId")
        self.assertEqual(body["errorMessage"],
                         f"RequestId: {rid} Error: Task timed out after 1.00 seconds")
        self.cold_after(pid, "Sleepy")

    def test_large_response(self):
        r = self.server.invoke_ok(self, "Crash", {"mode": "size", "n": 5 * 1024 * 1024})
        self.assertEqual(len(r.body), 5 * 1024 * 1024 + 2)
        r = self.server.invoke("Crash", {"mode": "size", "n": 7 * 1024 * 1024})
        body = self.assert_function_error(r, "Function.ResponseSizeTooLarge")
        self.assertIn("6291556 bytes", body["errorMessage"])
        # The client logs the refused post (the server answers 413 and closes the connection
        # while the body is still being sent) and the worker carries on.
        self.server.wait_sql("SELECT id FROM log_events WHERE function = 'Crash' AND message LIKE ?",
                             ["%\tERROR\tInvoke Error \t%Failed to post handler success response.%"])
        after = self.server.invoke_ok(self, "Crash", {})
        self.assertEqual(self.server.invocation(after.header("x-amzn-RequestId"))["cold"], 0)

    def test_streaming_handler_is_answered_buffered(self):
        r = self.server.invoke_ok(self, "Streams", {"name": "there"})
        self.assertEqual(r.body, b"hello streamed there")


# ---- layers ------------------------------------------------------------------------------------


class LayerTest(NodeTestCase):
    """Packages in a layer's nodejs/node_modules resolve through NODE_PATH (CommonJS), a later
    layer wins over an earlier one, and the function's own node_modules win over both."""

    @classmethod
    def functions(cls):
        if not MANAGED:
            raise unittest.SkipTest("this lambdad does not run nodejs* functions itself yet "
                                    "(no NODE_PATH from layers)")
        return [node_function("Layered", "app.handler", {
            "app.js": """
                const greeter = require('greeter');
                const which = require('which-layer');
                const own = require('own-module');
                exports.handler = async (event) => ({
                  greeting: greeter(event.name), which, own });
            """,
            "node_modules/own-module/index.js": "module.exports = 'task root';\n",
        }, Layers=["layers/a/", "layers/b/"])]

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), args=cls.server_args, init_timeout=cls.init_timeout)
        files = {
            "a/nodejs/node_modules/greeter/index.js":
                "module.exports = (name) => `hello ${name} from layer a`;\n",
            "a/nodejs/node_modules/which-layer/index.js": "module.exports = 'a';\n",
            "a/nodejs/node_modules/own-module/index.js": "module.exports = 'layer a';\n",
            "b/nodejs/node_modules/which-layer/index.js": "module.exports = 'b';\n",
        }
        for relative, text in files.items():
            path = cls.server.root / "layers" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        cls.server.start()

    def test_layer_packages_are_required_through_node_path(self):
        r = self.server.invoke_ok(self, "Layered", {"name": "you"})
        self.assertEqual(r.json(), {"greeting": "hello you from layer a", "which": "b",
                                    "own": "task root"})


# ---- the wire, against a scripted Runtime API ---------------------------------------------------


def next_reply(event: bytes, **options) -> bytes:
    return _next_reply(event, cognito=True, **options)


class TraceEnvTest(unittest.TestCase):
    """_X_AMZN_TRACE_ID is held in JavaScript: glibc's setenv() would keep every trace id."""

    def test_a_million_trace_ids_do_not_grow_the_process(self):
        script = textwrap.dedent(f"""
            const {{ keepTraceIdInJs }} = require({json.dumps(str(CLIENT_DIR / "trace-env.cjs"))});
            keepTraceIdInJs();
            const before = process.memoryUsage().rss;
            for (let i = 0; i < 1e6; i += 1) {{
              process.env._X_AMZN_TRACE_ID = `Root=1-6745a1b2-${{i.toString(16).padStart(24, '0')}};Sampled=0`;
            }}
            console.log(process.memoryUsage().rss - before);
        """)
        grew = int(subprocess.run([NODE, "-e", script], capture_output=True, text=True,
                                  check=True, timeout=60).stdout)
        # setenv() grew it by ~166 MB; the strings left for the GC take a few MB.
        self.assertLess(grew, 40 * 1024 * 1024)

    def test_it_behaves_like_any_variable(self):
        script = textwrap.dedent(f"""
            process.env._X_AMZN_TRACE_ID = 'inherited';
            require({json.dumps(str(CLIENT_DIR / "trace-env.cjs"))}).keepTraceIdInJs();
            const {{ execSync }} = require('child_process');
            const seen = () => [process.env._X_AMZN_TRACE_ID, '_X_AMZN_TRACE_ID' in process.env,
              Object.keys(process.env).includes('_X_AMZN_TRACE_ID'),
              JSON.parse(JSON.stringify(process.env))._X_AMZN_TRACE_ID ?? null,
              execSync('echo "$_X_AMZN_TRACE_ID"').toString().trim()];
            const out = [seen()];
            process.env._X_AMZN_TRACE_ID = 42;
            out.push(seen());
            delete process.env._X_AMZN_TRACE_ID;
            out.push(seen());
            process.env.OTHER = 'passed through';
            out.push([process.env.OTHER, execSync('echo "$OTHER"').toString().trim()]);
            console.log(JSON.stringify(out));
        """)
        out = json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True,
                                        check=True, timeout=30).stdout)
        self.assertEqual(out, [["inherited", True, True, "inherited", "inherited"],
                               ["42", True, True, "42", "42"],
                               [None, False, False, None, ""],
                               ["passed through", "passed through"]])


class WireTest(unittest.TestCase):
    """The client's HTTP against a scripted endpoint: chunked replies, closed connections, the
    headers of its posts, and exiting when the endpoint answers 500."""

    def run_client(self, replies: list, app: str, handler: str = "app.handler", api=None):
        return run_client(self, [NODE, str(CLIENT)], "app.js", app, replies,
                          {"_HANDLER": handler, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, api)

    ECHO = "exports.handler = async (event, context) => ({event, identity: context.identity});\n"

    def test_chunked_reply_and_connection_close(self):
        proc, requests = self.run_client(
            [next_reply(b'{"a": [1, 2]}', chunked=True, close=True), ACCEPTED, GONE], self.ECHO)
        self.assertEqual(proc.returncode, 129, proc.stderr)
        self.assertIn("Unexpected Top Level Error", proc.stdout)
        self.assertEqual([(n, m, p) for n, m, p, _, _ in requests], [
            (1, "GET", "/2018-06-01/runtime/invocation/next"),
            (2, "POST", f"/2018-06-01/runtime/invocation/{RID}/response"),
            (2, "GET", "/2018-06-01/runtime/invocation/next"),
        ])
        headers, body = requests[1][3], requests[1][4]
        self.assertEqual(json.loads(body), {"event": {"a": [1, 2]}, "identity": {
            "cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"}})
        self.assertEqual(headers["content-type"], "application/json")
        self.assertEqual(headers["content-length"], str(len(body)))
        self.assertNotIn("expect", headers)
        self.assertNotIn("transfer-encoding", headers)

    def test_a_small_answer_goes_out_with_the_next_request(self):
        # HTTP/1.1 pipelining: the client does not wait for the 202 to ask for the next event,
        # and both requests leave in one write; a big answer waits for its 202.
        big = "x" * 5000
        app = f"exports.handler = async (event) => (event.big ? '{big}' : event);\n"
        api = FakeRuntimeApi([next_reply(b'{"n": 1}'), ACCEPTED, next_reply(b'{"big": 1}'),
                              ACCEPTED, GONE])
        proc, requests = self.run_client([], app, api=api)
        self.assertEqual(proc.returncode, 129, proc.stderr)
        self.assertEqual([(m, p) for _, m, p, _, _ in requests], [
            ("GET", "/2018-06-01/runtime/invocation/next"),
            ("POST", f"/2018-06-01/runtime/invocation/{RID}/response"),
            ("GET", "/2018-06-01/runtime/invocation/next"),
            ("POST", f"/2018-06-01/runtime/invocation/{RID}/response"),
            ("GET", "/2018-06-01/runtime/invocation/next"),
        ])
        self.assertGreater(api.ahead[1], 0, "the GET /next arrived with the small answer")
        self.assertEqual(api.ahead[3], 0, "the big answer was sent alone")

    def test_a_dropped_keep_alive_connection_is_reopened(self):
        proc, requests = self.run_client([next_reply(b'{"n": 1}'), None, ACCEPTED, GONE],
                                         self.ECHO)
        self.assertEqual(proc.returncode, 129, proc.stderr)
        posts = [(n, json.loads(b)["event"]) for n, m, _, _, b in requests if m == "POST"]
        self.assertEqual(posts, [(1, {"n": 1}), (2, {"n": 1})], "sent again on a new connection")

    def test_error_post(self):
        proc, requests = self.run_client([next_reply(b"{}"), ACCEPTED, GONE], """
            exports.handler = async () => { throw new TypeError('wire failure'); };
        """)
        _, method, path, headers, body = requests[1]
        self.assertEqual(path, f"/2018-06-01/runtime/invocation/{RID}/error")
        self.assertEqual(headers["lambda-runtime-function-error-type"], "TypeError")
        self.assertEqual(headers["content-type"], "application/json")
        error = json.loads(body)
        self.assertEqual(list(error), ["errorType", "errorMessage", "trace"])
        self.assertEqual(error["trace"][0], "TypeError: wire failure")
        self.assertRegex(proc.stdout, rf"{TIMESTAMP}\t{RID}\tERROR\tInvoke Error \t\{{")

    def test_init_error_post(self):
        proc, requests = self.run_client([ACCEPTED], self.ECHO, handler="app.missing")
        self.assertEqual(proc.returncode, 129, proc.stderr)
        self.assertEqual(len(requests), 1, requests)
        _, method, path, headers, body = requests[0]
        self.assertEqual((method, path), ("POST", "/2018-06-01/runtime/init/error"))
        self.assertEqual(headers["lambda-runtime-function-error-type"], "Runtime.HandlerNotFound")
        self.assertEqual(json.loads(body)["errorMessage"], "app.missing is undefined or not exported")
        self.assertRegex(proc.stdout, rf"^{TIMESTAMP}\tundefined\tERROR\tUncaught Exception \t")

    def test_exits_when_the_api_is_unreachable(self):
        api = FakeRuntimeApi([])
        api.close()
        root = Path(tempfile.mkdtemp(prefix="lambdad-wire-"))
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        (root / "app.js").write_text(self.ECHO)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "_HANDLER": "app.handler",
               "LAMBDA_TASK_ROOT": str(root), "AWS_LAMBDA_RUNTIME_API": api.address}
        proc = subprocess.run([NODE, str(CLIENT)], env=env, cwd=root, capture_output=True,
                              timeout=30)
        self.assertNotEqual(proc.returncode, 0)


if __name__ == "__main__":
    unittest.main()
